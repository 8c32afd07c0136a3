//! Live mode holds no memory across edits: the bytes the process holds (counted by a wrapping
//! global allocator, every thread) come back to the same level however many scenes are swapped
//! in — the control thread's builds, the render thread's swaps and the retired engines (dropped
//! here, as the retire thread does) leave nothing behind. This tells a leak from the allocator's
//! own caching, which makes the resident set of a long soak creep for a while.
use phonon::live::control::Builder;
use phonon::live::render::{Renderer, Sink};
use phonon::live::{Console, LiveStatus};
use phonon::samples::SampleLibrary;
use phonon::swap::SceneIndex;
use phonon::{Engine, EngineConfig, Scene};
use ringbuf::traits::Consumer;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};

struct Live;
/// Bytes allocated and not yet freed, process-wide.
static BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Live {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        BYTES.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        BYTES.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        BYTES.fetch_add(n as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Live = Live;

/// A small stress16: pattern lines through an instrument bus (jux, stut, chords), kit samples, a
/// feedback delay and a reverb.
const A: &str = r#"
~x: saw # gain 0.3
o1: jux rev $ stut 4 0.125 0.1 $ s "~x(3,8,0)" # ar 0 1 # note "<c3'min7 f4'minor>" # lpf 400
o2: jux rev $ stut 4 0.125 0.1 $ s "~x(5,8,2)" # ar 0 1 # note "<e3'dom7 a4'dim7>" # lpf 900
o3: s "bd*2 [sn cp] hh*4" # gain 0.6
o4: ((saw 55 # moog 900 0.6 # delay 0.25 0.5 0.4) # reverb 0.8 0.5 0.4) * 0.2
"#;

#[test]
fn a_hundred_swaps_hold_no_memory() {
    let dir = std::env::temp_dir().join(format!("phonon-leak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("set.ph");
    let b = A.replace("lpf 400", "lpf 600").replace("lpf 900", "lpf 1350");
    std::fs::write(&path, A).expect("write");
    let cfg = EngineConfig { threads: 1, ..EngineConfig::default() };
    let lib = Arc::new(SampleLibrary::discover(&[]));
    let first = Scene::load(&path).expect("parses");
    let mut engine = Engine::with_samples(&first, "set.ph", cfg.clone(), &*lib).expect("builds");
    let index = SceneIndex::of(&mut engine);
    let status = Arc::new(LiveStatus::default());
    let (mut renderer, mut rings) = Renderer::new(engine, Sink::Discard, None, status.clone(), None);
    let mut builder = Builder {
        path: path.clone(),
        cfg,
        library: lib,
        status: status.clone(),
        playing: index,
        scene: first,
        to_render: rings.to_render,
        console: Arc::new(Console::new()),
        nan_watches: std::sync::mpsc::channel().0,
    };
    let mut held = Vec::new();
    for k in 0..100 {
        std::fs::write(&path, if k % 2 == 0 { b.as_str() } else { A }).expect("write");
        builder.reload().expect("builds");
        // a second of audio: the swap, then the new scene's voices come and go
        for _ in 0..86 {
            renderer.render_one();
        }
        while let Some(old) = rings.retired.try_pop() {
            drop(old);
        }
        held.push(BYTES.load(Ordering::Relaxed) as f64 / 1e6);
    }
    assert_eq!(status.swaps.load(Ordering::Relaxed), 100);
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    let (early, late) = (mean(&held[10..30]), mean(&held[80..]));
    println!("MB held after each swap: {:?}", held.iter().map(|m| format!("{m:.2}")).collect::<Vec<_>>());
    println!("swaps 10–29: {early:.3} MB on average; swaps 80–99: {late:.3} MB (growth {:+.1} kB)", (late - early) * 1e3);
    assert!(late - early < 0.25, "held memory grows with swaps: {early:.3} MB → {late:.3} MB");
    let _ = std::fs::remove_dir_all(&dir);
}
