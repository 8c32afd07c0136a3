//! What one fuzz input goes through, per target. Shared (by `#[path]`) by the cargo-fuzz
//! targets in `fuzz/fuzz_targets/` and the stable replay test `tests/fuzz_corpus.rs`, so the
//! committed corpus is checked in the normal test run exactly as the fuzzer checks it.
//!
//! A check fails by panicking. Bad input must come back as an `Err`; what may not happen:
//! a panic (other than the pattern engine's deliberate, caught refusals: see [`sanctioned`]),
//! a hang, an out-of-memory, or a rendered sample that is not finite or above full scale.
#![allow(dead_code)]

use phonon::components::Rational;
use phonon::pattern::Span;
use phonon::samples::SampleLibrary;
use phonon::{Engine, EngineConfig, Scene};
use std::cell::Cell;
use std::sync::{Mutex, Once, OnceLock};

/// Blocks rendered per scene (of 64 samples: 5.8 ms at 44.1 kHz).
pub const BLOCKS: usize = 4;
/// Scenes from longer texts are parsed and built, not rendered (per-input cost).
pub const MAX_RENDER_TEXT: usize = 4096;
/// Scenes with more graph nodes than this are built, not rendered.
pub const MAX_RENDER_NODES: usize = 256;
/// WAV inputs whose resampled length would exceed this many samples are decoded, not
/// resampled (the loader itself refuses far longer ones).
pub const MAX_RESAMPLE_SAMPLES: usize = 1 << 21;

/// Panics the code raises on purpose and catches (a pattern query whose rational time
/// overflows, or that spans an absurd number of cycles): the query is refused, not answered
/// wrongly. Every other panic is a bug.
pub fn sanctioned(msg: &str) -> bool {
    ["rational time overflow", "rational out of range", "a pattern query spans more than"].iter().any(|m| msg.contains(m))
}

thread_local! {
    /// How far this thread's inputs got: [parsed (mini-notation parsed, WAV decoded), built
    /// (pattern expression evaluated, WAV resampled), rendered], for the tests' reports of
    /// how deep their inputs reach.
    pub static REACHED: Cell<[usize; 3]> = const { Cell::new([0; 3]) };
}

fn reached(stage: usize) {
    REACHED.with(|r| {
        let mut v = r.get();
        v[stage] += 1;
        r.set(v);
    });
}

/// Unsanctioned panics seen so far (when not aborting).
pub static BUGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn payload(info: &std::panic::PanicHookInfo) -> String {
    info.payload()
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Install the panic hook (once): sanctioned panics pass silently (they are caught where they
/// are raised); any other panic is printed and then aborts the process (`abort`, for the
/// fuzzer, which catches panics nowhere else: the lookahead thread catches its own) or is
/// recorded in [`BUGS`] (for tests).
pub fn init(abort: bool) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = payload(info);
            if sanctioned(&msg) {
                return;
            }
            default(info);
            if abort {
                std::process::abort();
            }
            BUGS.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{msg} at {:?}", info.location()));
        }));
    });
}

/// Run `f`, treating a sanctioned panic as a refusal (`None`); any other panic propagates.
fn refusable<T>(f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            if sanctioned(&msg) { None } else { std::panic::resume_unwind(e) }
        }
    }
}

fn library() -> &'static SampleLibrary {
    static LIB: OnceLock<SampleLibrary> = OnceLock::new();
    LIB.get_or_init(SampleLibrary::builtin)
}

/// `.ph` text: parse; if it parses, [`scene`].
pub fn ph(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(s) = Scene::from_ph(text, "fuzz.ph") {
        reached(0);
        scene(&s, "fuzz.ph", text.len() <= MAX_RENDER_TEXT);
    }
}

/// RON text: load; if it loads, [`scene`].
pub fn ron(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(s) = Scene::from_ron(text, "fuzz.ron") {
        reached(0);
        scene(&s, "fuzz.ron", text.len() <= MAX_RENDER_TEXT);
    }
}

/// A parsed scene: build its graph; if that succeeds (and `render` and the graph is small),
/// render [`BLOCKS`] blocks of 64 samples with one thread and 16 voices (samples: the built-in
/// kit) and check every output sample is finite and within [-1, 1].
pub fn scene(s: &Scene, file: &str, render: bool) {
    let Ok(graph) = phonon::build::build_graph(s, file) else { return };
    reached(1);
    if !render || graph.nodes.len() > MAX_RENDER_NODES {
        return;
    }
    let cfg = EngineConfig { threads: 1, block_len: 64, voices: 16, ..Default::default() };
    let Ok(mut engine) = Engine::with_samples(s, file, cfg, library()) else { return };
    for b in 0..BLOCKS {
        let out = engine.process_block();
        assert_eq!(out.len(), 128);
        for (i, &x) in out.iter().enumerate() {
            assert!(x.is_finite() && x.abs() <= 1.0, "block {b}, sample {i}: {x} (not finite or above full scale)");
        }
    }
    reached(2);
}

/// Mini-notation text: parse it as a mini-notation string, and as a pattern expression; query
/// whatever parses over cycles 0..4.
pub fn mini(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let span = Span::new(Rational::ZERO, Rational::integer(4));
    if let Ok(p) = phonon::pattern::mini::parse_mini(text) {
        reached(0);
        refusable(|| p.query(span));
    }
    if let Ok(p) = phonon::lang::eval_pattern(text, "fuzz") {
        reached(1);
        refusable(|| p.query(span));
    }
}

/// WAV bytes: decode; if they decode, check the result's shape, then resample it to 48 kHz
/// and check the length and that every sample is finite.
pub fn wav(data: &[u8]) {
    let Ok(d) = phonon::samples::decode_wav(data) else { return };
    reached(0);
    let ch = d.channels as usize;
    assert!((1..=2).contains(&ch), "{ch} channels");
    assert!(d.sample_rate > 0);
    assert!(!d.data.is_empty() && d.data.len() % ch == 0, "{} samples for {ch} channels", d.data.len());
    assert!(d.data.iter().all(|x| x.is_finite()), "a decoded sample is not finite");
    let frames = d.data.len() / ch;
    let want = (frames as u128 * 48_000).div_ceil(d.sample_rate as u128);
    if want * ch as u128 > MAX_RESAMPLE_SAMPLES as u128 {
        return;
    }
    if let Ok(out) = phonon::samples::resample(&d.data, ch, d.sample_rate, 48_000) {
        assert_eq!(out.len() as u128, want * ch as u128, "resampled {frames} frames from {} Hz", d.sample_rate);
        assert!(out.iter().all(|x| x.is_finite()), "a resampled sample is not finite ({} Hz)", d.sample_rate);
        reached(1);
    }
}
