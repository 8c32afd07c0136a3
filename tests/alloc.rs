//! The render path allocates nothing per block in steady state: proven by counting every
//! allocation in the process (all threads, rayon workers included) around the render loop, and,
//! for scenes with patterns (whose queries allocate on the lookahead thread, by design), every
//! allocation on the render thread — with 1 DSP thread every kernel runs there too.
mod common;
use common::*;
use phonon::{Engine, Scene};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;
static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
/// Count only on threads that set this (the render thread), not process-wide.
static RENDER_THREAD_ONLY: AtomicBool = AtomicBool::new(false);
thread_local! {
    static IS_RENDER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

thread_local! {
    /// Inside the counter's own printing (no recursion).
    static IN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Count an allocation; with `TRACE_ALLOC=1` in the environment, print where it came from.
fn count() {
    if COUNTING.load(Ordering::Relaxed) && (!RENDER_THREAD_ONLY.load(Ordering::Relaxed) || IS_RENDER.with(|r| r.get())) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        if !IN.with(|i| i.replace(true)) {
            if std::env::var_os("TRACE_ALLOC").is_some() {
                eprintln!("ALLOC {}", std::backtrace::Backtrace::force_capture());
            }
            IN.with(|i| i.set(false));
        }
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        count();
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

/// Patterns of every kind: an instrument bus with a filter inside its voices, chords through
/// jux and stut, kit samples, drum synths, a stepped control pattern, and catalogue effects.
const PATTERNS: &str = r#"
~x: saw # lpf 2000 0.7 # gain 0.2
o1: jux rev $ stut 4 0.5 0.125 $ s "~x(3,8,1)" # note "<c3'min7 e3'major>" # legato 0.5
o2: s "bd*4 [sn cp] hh*8" # gain 0.8 # speed "1 2 -1"
o3: (saw 110 # lpf "<300 2000 800>" 0.8 # moog 1200 0.5 # reverb 0.5) * 0.2
o4: s "arpy*4" # n "0 .. 3" # tape 0.25 0.5 * 0.5
o5: s "superkick*4, superhat*8, ~ supersnare, superclap(3,8)" # gain 0.5
"#;

fn allocations_per_block(threads: usize) -> (usize, u64) {
    let scene = Scene::from_ron(SCENE, "alloc.ron").unwrap();
    count_allocations(&scene, threads, 400)
}

fn count_allocations(scene: &Scene, threads: usize, warmup: usize) -> (usize, u64) {
    let mut engine = Engine::from_scene(scene, "alloc", phonon::EngineConfig { voices: 256, ..cfg(256, threads) }).unwrap();
    // warm up: first blocks size the scratch lists and create the voice archetypes
    for _ in 0..warmup {
        engine.process_block();
    }
    ALLOCS.store(0, Ordering::SeqCst);
    IS_RENDER.with(|r| r.set(true));
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
/// DSP inline and on a 2-thread rayon pool. (One test function: the counter is process-wide.)
#[test]
fn steady_state_render_allocates_nothing() {
    for threads in [1, 2] {
        let (allocs, started) = allocations_per_block(threads);
        assert!(started > 50, "voices started: {started}");
        assert_eq!(allocs, 0, "{threads} thread(s): {allocs} allocations in 3000 blocks");
    }
    // with patterns: the render thread pops events from the lookahead thread's rings
    RENDER_THREAD_ONLY.store(true, Ordering::SeqCst);
    let scene = Scene::from_ph(PATTERNS, "patterns.ph").unwrap();
    for threads in [1, 2] {
        // warm up over 8 cycles (16 s at 0.5 cps), so every pattern's events have been seen
        let (allocs, started) = count_allocations(&scene, threads, 2800);
        assert!(started > 500, "voices started: {started}");
        assert_eq!(allocs, 0, "patterns, {threads} thread(s): {allocs} allocations on the render thread in 3000 blocks");
    }
    // a hot swap: the new engine is built off the render thread; taking over and then playing
    // on allocates nothing on it
    let edited = Scene::from_ph(&PATTERNS.replace("2000 0.7", "1200 0.7").replace("gain 0.8", "gain 0.6"), "edited.ph").unwrap();
    for threads in [1, 2] {
        let (take_over, first, steady) = allocations_around_swap(&scene, &edited, threads);
        println!("{threads} thread(s): take_over {take_over}, first 300 blocks after {first}, next 3000 blocks {steady}");
        assert_eq!(take_over, 0, "{threads} thread(s): the swap itself allocates");
        // bevy's command queues and removed-component message buffers start empty in a new
        // World and grow a few times in its first blocks (their scratch lists are made at full
        // size when the schedule is initialised, off the render thread)
        assert!(first <= 32, "{threads} thread(s): {first} allocations in the first blocks after a swap");
        assert_eq!(steady, 0, "{threads} thread(s): the new engine allocates on the render thread");
    }
    // the embedding API: a swap sent by a Handle from another thread, into an engine with a
    // system of its own, a carried resource, a `cF` control and an event source of its own
    let (swap_block, first, steady) = allocations_around_handle_swap(&edited);
    println!("handle swap: swap block {swap_block}, next 300 blocks {first}, next 3000 blocks {steady}");
    assert!(swap_block + first <= 32, "{swap_block} + {first} allocations in the first blocks after a handle swap");
    assert_eq!(steady, 0, "the embedded engine allocates on the render thread after a handle swap");
    RENDER_THREAD_ONLY.store(false, Ordering::SeqCst);
}

#[derive(bevy_ecs::prelude::Resource, Clone, Default)]
struct Level(f32);

fn level(outputs: phonon::OutputBuffers, mut l: bevy_ecs::prelude::ResMut<Level>, mut c: bevy_ecs::prelude::ResMut<phonon::Controls>) {
    l.0 = outputs.iter().map(|o| o.left().iter().fold(0.0f32, |m, x| m.max(x.abs()))).fold(0.0, f32::max);
    c.set("cutoff", 500.0 + 1000.0 * l.0);
}

/// Plays a tone every eighth of a cycle.
struct Eighths;
impl phonon::EventSource for Eighths {
    fn query(&mut self, begin: phonon::Rational, end: phonon::Rational, out: &mut Vec<phonon::Trigger>) {
        let mut k = (begin.to_f64() * 8.0).ceil() as i64;
        while phonon::Rational::new(k, 8) < end {
            out.push(phonon::Trigger {
                onset: phonon::Rational::new(k, 8),
                duration: phonon::Rational::new(1, 16),
                gain: 0.2,
                ..Default::default()
            });
            k += 1;
        }
    }
}

/// Render-thread allocations in the block where a handle's swap lands, in the 300 blocks after
/// it and in the 3000 after those.
fn allocations_around_handle_swap(edited: &Scene) -> (usize, usize, usize) {
    use phonon::Hook;
    let mut engine = Engine::new(phonon::EngineConfig { voices: 256, ..cfg(256, 1) }).unwrap();
    engine.insert_resource(Level::default()).add_systems(Hook::AfterDsp, level);
    engine.add_source("eighths", Eighths).unwrap();
    let text = format!("{PATTERNS}\no6: saw 55 # lpf (cF 800 \"cutoff\") 0.7 * 0.2\n");
    engine.load_str(&text).unwrap();
    for _ in 0..2800 {
        engine.process_block();
    }
    let handle = engine.handle();
    let edited = edited.clone();
    std::thread::spawn(move || {
        handle.load(&edited).unwrap();
        handle.set_cps(0.6).unwrap();
    })
    .join()
    .unwrap();
    let counted = |f: &mut dyn FnMut()| {
        ALLOCS.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        f();
        COUNTING.store(false, Ordering::SeqCst);
        ALLOCS.load(Ordering::SeqCst)
    };
    let swap_block = counted(&mut || {
        engine.process_block();
    });
    assert_eq!(engine.cps(), 0.6, "the handle's swap and tempo landed in that block");
    let first = counted(&mut || {
        for _ in 0..300 {
            engine.process_block();
        }
    });
    let steady = counted(&mut || {
        for _ in 0..3000 {
            engine.process_block();
        }
    });
    assert!(engine.world().resource::<Level>().0 > 0.01, "the system and the scene came along");
    (swap_block, first, steady)
}

/// Render-thread allocations in `take_over`, in the first 300 blocks after it and in the 3000
/// after those.
fn allocations_around_swap(a: &Scene, b: &Scene, threads: usize) -> (usize, usize, usize) {
    use phonon::swap::{SceneIndex, SwapPlan};
    let cfg = phonon::EngineConfig { voices: 256, ..cfg(256, threads) };
    let mut old = Engine::from_scene(a, "a", cfg.clone()).unwrap();
    for _ in 0..2800 {
        old.process_block();
    }
    let cycle = old.transport().arc.1.to_f64();
    let lib = phonon::samples::SampleLibrary::discover(&[]);
    let mut new = Engine::starting_at(b, "b", cfg, &lib, || phonon::live::control::query_start(cycle)).unwrap();
    let plan = SwapPlan::new(&SceneIndex::of(&mut old), &SceneIndex::of(&mut new));
    let counted = |f: &mut dyn FnMut()| {
        ALLOCS.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        f();
        COUNTING.store(false, Ordering::SeqCst);
        ALLOCS.load(Ordering::SeqCst)
    };
    let mut report = phonon::SwapReport::default();
    let take_over = counted(&mut || report = new.take_over(&mut old, &plan));
    assert!(report.voices > 0 && report.states > 10, "{report:?}");
    let first = counted(&mut || {
        for _ in 0..300 {
            new.process_block();
        }
    });
    let steady = counted(&mut || {
        for _ in 0..3000 {
            new.process_block();
        }
    });
    (take_over, first, steady)
}
