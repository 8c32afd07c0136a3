//! A panic inside a node's kernel or a voice does not stop the music: it is caught inside its
//! job (on the render thread or a DSP worker), that node — or that voice bus — is muted from
//! the block it panicked in on (silence, its kernel never runs again), it is reported once by
//! name with the panic's message, and every other output plays on bit for bit as if the
//! panicking node had never been there.
use phonon::components::{Arg, BinaryOp, DspState, Kernel, KernelBox, KernelCtx, Node, Slot, VArg, VOp, VoiceProgram, VoicePrograms};
use phonon::systems::DspPool;
use phonon::{Engine, EngineConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

const BLOCK: usize = 512;
const BLOCKS: usize = 40;
/// The kernel plays this many blocks, then panics.
const GOOD_BLOCKS: usize = 3;

fn engine(ph: &str, threads: usize) -> Engine {
    let cfg = EngineConfig { sample_rate: 44_100, block_len: BLOCK, threads, voices: 256, sample_dirs: Vec::new() };
    let mut e = Engine::new(cfg).unwrap_or_else(|e| panic!("{e}"));
    e.load_str(ph).unwrap_or_else(|e| panic!("{e}"));
    // every group of two or more nodes runs on the pool, however small: the catch must hold
    // on a rayon worker too
    e.world_mut().resource_mut::<DspPool>().min_parallel_samples = 0;
    e
}

fn blocks(e: &mut Engine, n: usize) -> Vec<Vec<f32>> {
    (0..n).map(|_| e.process_block().to_vec()).collect()
}

/// The tests share the panic hook's record: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Names of the threads that panicked (the test's own hook, installed once, quiet).
fn panicking_threads() -> &'static Mutex<Vec<String>> {
    static SEEN: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    SEEN.get_or_init(|| {
        std::panic::set_hook(Box::new(|_| {
            let name = std::thread::current().name().unwrap_or("?").to_string();
            panicking_threads().lock().unwrap_or_else(|p| p.into_inner()).push(name);
        }));
        Mutex::new(Vec::new())
    })
}

/// Wraps a real kernel: plays it for [`GOOD_BLOCKS`] blocks, then panics; counts its calls.
struct Bomb {
    inner: Box<dyn Kernel>,
    calls: Arc<AtomicUsize>,
}

impl Kernel for Bomb {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n >= GOOD_BLOCKS {
            out[0] = 1.0; // half-written output: must not leak
            panic!("bomb went off in block {n}");
        }
        self.inner.process(cx, args, out);
    }
}

/// Replace the kernel of the first node called `name` with a [`Bomb`] around it; returns its
/// call counter and the node's arena range.
fn arm(e: &mut Engine, name: &str) -> (Arc<AtomicUsize>, std::ops::Range<usize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let world = e.world_mut();
    let mut q = world.query::<(&Node, &Slot, &mut DspState)>();
    let (_, slot, mut state) = q.iter_mut(world).find(|(n, _, _)| n.kind.name() == name).expect("the node");
    let DspState::Kernel(k) = std::mem::replace(&mut *state, DspState::None) else { panic!("{name} has a kernel") };
    *state = DspState::Kernel(KernelBox(Box::new(Bomb { inner: k.0, calls: calls.clone() })));
    (calls, slot.offset..slot.offset + slot.channels as usize * BLOCK)
}

const O1: &str = "o1: (saw 110 # lpf 800 0.3) * 0.2 + (sine 330 * 0.1)\n";
const O2: &str = "o2: (saw 220 # moog 800 0.5) * 0.2\n";

#[test]
fn a_panicking_kernel_is_muted_and_reported_and_the_rest_plays_on_bit_for_bit() {
    let _one = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    panicking_threads();
    let mut runs = Vec::new();
    for threads in [1, 2] {
        panicking_threads().lock().unwrap().clear();
        let mut with = engine(&format!("{O1}{O2}"), threads);
        let (calls, moog) = arm(&mut with, "moog");
        let mut without = engine(O1, threads);
        let a = blocks(&mut with, BLOCKS);
        let b = blocks(&mut without, BLOCKS);
        // before the panic the moog is heard; from its block on, the mix is exactly o1's
        let differs = |k: usize| a[k].iter().zip(&b[k]).any(|(x, y)| x.to_bits() != y.to_bits());
        assert!((0..GOOD_BLOCKS).all(differs), "{threads} threads: the moog plays before it panics");
        for k in GOOD_BLOCKS..BLOCKS {
            assert!(!differs(k), "{threads} threads: block {k} differs from the scene without the moog");
        }
        assert!(b[GOOD_BLOCKS].iter().any(|x| x.abs() > 0.05), "o1 is audible");
        assert_eq!(calls.load(Ordering::SeqCst), GOOD_BLOCKS + 1, "the kernel never runs again after its panic");
        assert!(with.world().resource::<phonon::components::Arena>().0[moog].iter().all(|&x| x == 0.0), "the moog's buffer is silence");
        let reports = with.take_panic_reports();
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert_eq!(reports[0].0, "moog in 'o2'");
        assert_eq!(reports[0].1, format!("bomb went off in block {GOOD_BLOCKS}"));
        assert!(with.take_panic_reports().is_empty(), "reported once");
        assert!(with.take_nan_reports().is_empty(), "a panic is not a NaN");
        let seen = panicking_threads().lock().unwrap().clone();
        println!("{threads} threads: panicked on {seen:?}; report {reports:?}");
        assert_eq!(seen.len(), 1, "one panic: {seen:?}");
        if threads == 2 {
            assert!(seen[0].starts_with("phonon-dsp-"), "caught on a DSP worker: {seen:?}");
        }
        // an edit brings the node back: its state is not carried (the kernel unwound through
        // it), so the new scene's moog starts fresh and plays
        with.load_str(&format!("{O1}{}", O2.replace("0.2", "0.25"))).unwrap_or_else(|e| panic!("{e}"));
        let after = blocks(&mut with, 4);
        let mut alone = engine(O1, threads);
        let alone = blocks(&mut alone, BLOCKS + 5);
        assert!(after[3].iter().zip(&alone[BLOCKS + 3]).any(|(x, y)| x != y), "the edited moog is heard");
        assert!(with.take_panic_reports().is_empty(), "and does not panic");
        assert_eq!(calls.load(Ordering::SeqCst), GOOD_BLOCKS + 1, "the bomb stayed in the old scene");
        runs.push(a);
    }
    assert_eq!(runs[0], runs[1], "1 and 2 threads render the same");
}

/// Voices: 40 voices of `~x` start together (a 40-note stack), so with two threads the buses
/// render as parallel tasks. `~x`'s program is corrupted to read a register it has not written
/// (which panics); its bus is muted and its voices end; `~y`'s voices and the drone play on
/// exactly as in the scene without `o1`.
#[test]
fn a_panicking_voice_mutes_its_bus_and_the_other_buses_play_on_bit_for_bit() {
    let _one = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    panicking_threads();
    let stack: Vec<String> = (0..40).map(|n| n.to_string()).collect();
    let o1 = format!("~x: saw # gain 0.05\no1: s \"~x*2\" # note \"[{}]\"\n", stack.join(","));
    // at most two ~y voices in any block (legato 0.5): their sum is the same in either order
    let rest = "~y: square # lpf 1200 0.5 # gain 0.2\no2: s \"~y*4\" # note \"<0 3 7>\" # legato 0.5\no3: saw 55 * 0.1\n";
    let mut runs = Vec::new();
    for threads in [1, 2] {
        panicking_threads().lock().unwrap().clear();
        let mut with = engine(&format!("{o1}{rest}"), threads);
        let mut without = engine(rest, threads);
        // ~x is the program whose first operation is a saw; corrupt it
        let programs = &mut with.world_mut().resource_mut::<VoicePrograms>().0;
        let x = programs.iter().position(|p| matches!(p.ops.first(), Some(VOp::Osc { shape: phonon::components::OscShape::Saw, .. })));
        let x = x.expect("~x's program");
        programs[x] = VoiceProgram { ops: vec![VOp::Binary { op: BinaryOp::Add, a: VArg::Reg(5), b: VArg::Const(0.0) }] };
        let a = blocks(&mut with, BLOCKS);
        let b = blocks(&mut without, BLOCKS);
        for k in 0..BLOCKS {
            let same = a[k].iter().zip(&b[k]).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "{threads} threads: block {k} differs from the scene without o1");
        }
        assert!(b.iter().flatten().any(|x| x.abs() > 0.05), "the rest is audible");
        let reports = with.take_panic_reports();
        let seen = panicking_threads().lock().unwrap().clone();
        println!("{threads} threads: panicked on {seen:?}; report {reports:?}");
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert_eq!(reports[0].0, "voices in 'o1'");
        assert!(reports[0].1.contains("out of range"), "the panic's message: {reports:?}");
        assert_eq!(seen.len(), 1, "one panic, then the bus is muted: {seen:?}");
        if threads == 2 {
            assert!(seen[0].starts_with("phonon-dsp-"), "caught in a parallel voice task: {seen:?}");
        }
        assert_eq!(with.voice_stats().active, without.voice_stats().active, "~x's voices ended");
        runs.push(a);
    }
    assert_eq!(runs[0], runs[1], "1 and 2 threads render the same");
}
