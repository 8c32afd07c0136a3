//! The render path allocates nothing per block in steady state: proven by counting every
//! allocation in the process (all threads, rayon workers included) around the render loop.
mod common;
use common::*;
use phonon::{Engine, Scene};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Count only the allocations of the thread that set [`RENDER_THREAD`] (pattern scenes: their
/// lookahead thread queries patterns, which allocates by design, off the render thread).
static ONLY_RENDER_THREAD: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static RENDER_THREAD: Cell<bool> = const { Cell::new(false) };
}

fn counts() -> bool {
    COUNTING.load(Ordering::Relaxed) && (!ONLY_RENDER_THREAD.load(Ordering::Relaxed) || RENDER_THREAD.with(Cell::get))
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if counts() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if counts() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Every kind of node, a feedback loop and voices starting and ending every cycle.
const SCENE: &str = r#"Scene(
    cps: 2.0,
    buses: {
        "t": Tones(notes: [(at: 0, dur: "1/8", freq: 440), (at: "1/3", dur: "1/8", freq: 660, pan: 0.5), (at: "1/2", dur: "1/16", freq: 880)]),
        "x": Add(Bus("t"), Mul(Delay(Bus("x"), Num(0.1), Num(0.2), Num(1)), Num(0.5))),
        "f": Bpf(Hpf(Lpf(Add(Saw(Num(55)), Square(Num(82))), Add(Mul(Sine(Num(2)), Num(500)), Num(900)), Num(2)), Num(40), Num(0.7)), Num(300), Num(1)),
        "n": Div(Sub(Noise, Tri(Num(3))), Add(Impulse(Num(5)), Num(2))),
    },
    outputs: { "out": Add(Bus("x"), Bus("f")), "o1": Mul(Bus("n"), Num(0.1)), "d2": Num(0) },
)"#;

/// Every drum synth, starting and ending many times a cycle, choked (`cut`) and transposed.
const DRUMS: &str = "cps: 1.3\nout: s \"superkick*4, superhat*8 superhat:7*8, ~ supersnare, superclap(3,8)\" # gain 0.7 # cut \"0 1\"\n";

fn allocations_per_block(threads: usize) -> (usize, u64) {
    let scene = Scene::from_ron(SCENE, "alloc.ron").unwrap();
    let engine = Engine::new(&scene, "alloc.ron", cfg(256, threads)).unwrap();
    count_allocations(engine)
}

fn count_allocations(mut engine: Engine) -> (usize, u64) {
    // warm up: first blocks size the scratch lists and create the voice archetypes
    for _ in 0..400 {
        engine.process_block();
    }
    ALLOCS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let mut energy = 0.0f64;
    for _ in 0..3000 {
        let b = engine.process_block();
        energy += b.iter().map(|&s| (s * s) as f64).sum::<f64>();
    }
    COUNTING.store(false, Ordering::SeqCst);
    assert!(energy > 1.0, "the scene must actually sound");
    (ALLOCS.load(Ordering::SeqCst), engine.voice_stats().started)
}

/// 3000 blocks (17 s) with voices starting and ending every cycle: zero allocations, with the
/// DSP inline and on a 2-thread rayon pool, and with drum synths playing. (One test function:
/// the counter is process-wide.)
#[test]
fn steady_state_render_allocates_nothing() {
    for threads in [1, 2] {
        let (allocs, started) = allocations_per_block(threads);
        assert!(started > 50, "voices started: {started}");
        assert_eq!(allocs, 0, "{threads} thread(s): {allocs} allocations in 3000 blocks");
    }
    // drum voices, played by patterns: nothing allocates on the render thread (the lookahead
    // thread allocates for its pattern queries, by design)
    RENDER_THREAD.with(|c| c.set(true));
    ONLY_RENDER_THREAD.store(true, Ordering::SeqCst);
    let scene = Scene::from_ph(DRUMS, "drums.ph").unwrap();
    let engine = Engine::with_samples(&scene, "drums.ph", cfg(256, 1), &phonon::build::NoSamples).unwrap();
    let (allocs, started) = count_allocations(engine);
    assert!(started > 500, "drum voices started: {started}");
    assert_eq!(allocs, 0, "drums: {allocs} allocations on the render thread in 3000 blocks");
}
