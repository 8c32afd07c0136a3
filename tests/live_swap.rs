//! Hot swaps, measured offline: the clock, node state and sounding voices carry over; edits
//! never click; a scene that does not parse leaves the old one playing.
mod common;
use common::*;
use phonon::live::control::{Builder, query_start};
use phonon::live::render::{Renderer, Sink};
use phonon::live::{Console, LiveStatus};
use phonon::samples::SampleLibrary;
use phonon::swap::{SceneIndex, SwapPlan};
use phonon::{Engine, EngineConfig, Scene};
use std::sync::Arc;

/// Patterns through an instrument bus and kit samples, an LFO-swept moog, a feedback delay and
/// a reverb: every kind of state a swap must carry.
const BUSY: &str = r#"
~lfo: sine 0.5 * 600 + 900
~x: saw # lpf 2000 0.7 # gain 0.2
o1: jux rev $ stut 3 0.5 0.125 $ s "~x(3,8,1)" # note "<c3'min7 e3'major>" # legato 0.5
o2: s "bd*2 [sn cp] hh*4" # gain 0.7
o3: (saw 55 # moog ~lfo 0.6 # delay 0.25 0.5 0.4) * 0.2
o4: (s "arpy" # gain 0.5) # reverb 0.8 0.5 0.4
"#;

/// BUSY edited: other cutoffs and gains, a new drone, a bus removed, a changed rhythm.
const EDITED: &str = r#"
~lfo: sine 0.5 * 300 + 500
~x: saw # lpf 1200 0.7 # gain 0.15
o1: jux rev $ stut 3 0.5 0.125 $ s "~x(5,8)" # note "<c3'min7 e3'major>" # legato 0.5
o2: s "bd*4 hh*8" # gain 0.6
o3: (saw 55 # moog ~lfo 0.3 # delay 0.25 0.5 0.4) * 0.3
o5: square 220 * 0.1
"#;

fn cfg() -> EngineConfig {
    EngineConfig { threads: 1, ..EngineConfig::default() }
}

fn ph(text: &str) -> Scene {
    Scene::from_ph(text, "t.ph").unwrap_or_else(|e| panic!("{e}"))
}

/// Build `scene` to take over `old` (as the control thread does) and swap it in.
fn swap(old: &mut Engine, old_scene: &Scene, scene: &Scene, lib: &SampleLibrary) -> (Engine, phonon::SwapReport) {
    let cycle = old.transport().arc.1.to_f64();
    let mut new = Engine::starting_at(scene, "t.ph", cfg(), lib, || query_start(cycle)).expect("builds");
    let mut plan = SwapPlan::new(&SceneIndex::of(old), &SceneIndex::of(&mut new));
    plan.identical = scene == old_scene;
    let report = new.take_over(old, &plan);
    (new, report)
}

/// Render `blocks` blocks, swapping to `scenes[k % len]` every `every` blocks.
fn render_with_swaps(scenes: &[Scene], blocks: usize, every: usize, lib: &SampleLibrary) -> (Vec<f32>, Vec<phonon::SwapReport>) {
    let mut engine = Engine::with_samples(&scenes[0], "t.ph", cfg(), lib).expect("builds");
    let (mut out, mut reports, mut current) = (Vec::new(), Vec::new(), 0);
    for b in 0..blocks {
        if b > 0 && b % every == 0 {
            let next = (current + 1) % scenes.len();
            let (new, report) = swap(&mut engine, &scenes[current], &scenes[next], lib);
            engine = new;
            current = next;
            reports.push(report);
        }
        out.extend_from_slice(engine.process_block());
    }
    (out, reports)
}

fn offline(scene: &Scene, blocks: usize, lib: &SampleLibrary) -> Vec<f32> {
    let mut engine = Engine::with_samples(scene, "t.ph", cfg(), lib).expect("builds");
    (0..blocks).flat_map(|_| engine.process_block().to_vec()).collect()
}

#[test]
fn saving_an_unchanged_scene_100_times_changes_nothing_at_all() {
    let lib = SampleLibrary::discover(&[]);
    let scene = ph(BUSY);
    let blocks = 100 * 5 + 50;
    let reference = offline(&scene, blocks, &lib);
    let (swapped, reports) = render_with_swaps(&[scene.clone(), scene.clone()], blocks, 5, &lib);
    assert_eq!(reports.len(), 109);
    // every node (after fusion: `sine 0.5 * 600 + 900` is one sum with a sine bank) is matched
    // to its old self
    let nodes =
        Engine::with_samples(&scene, "t.ph", cfg(), &lib).expect("builds").world().resource::<phonon::components::Stages>().node_count;
    assert!(nodes >= 10, "{nodes} nodes");
    assert!(reports.iter().all(|r| r.states == nodes), "every node keeps its state: {:?} of {nodes}", reports[0]);
    assert!(reports.iter().map(|r| r.voices).sum::<usize>() > 500, "sounding voices carry over");
    assert!(reports.iter().all(|r| r.voices_lost == 0));
    assert!(rms(&left(&reference)) > 0.05, "the scene is audible");
    let first_diff = reference.iter().zip(&swapped).position(|(a, b)| a.to_bits() != b.to_bits());
    assert_eq!(first_diff, None, "bit-identical to the render without swaps");
}

#[test]
fn swapping_between_two_edits_100_times_never_clicks_or_drops_out() {
    let lib = SampleLibrary::discover(&[]);
    let (a, b) = (ph(BUSY), ph(EDITED));
    let blocks = 100 * 6 + 20;
    let natural = max_step(&offline(&a, blocks, &lib)).max(max_step(&offline(&b, blocks, &lib)));
    let (out, reports) = render_with_swaps(&[a, b], blocks, 6, &lib);
    assert_eq!(reports.len(), 103);
    assert!(out.iter().all(|s| s.is_finite() && s.abs() <= 1.0), "finite and within full scale");
    let step = max_step(&out);
    println!("largest step with 103 swaps {step:.4}, largest in either scene alone {natural:.4}");
    assert!(step <= natural * 1.05, "a swap made a step of {step} (the scenes alone reach {natural})");
    // no dropout, no stuck output: every 1024-frame window sounds and moves
    for (k, w) in out.chunks_exact(2048).enumerate() {
        assert!(rms(&left(w)) > 0.01, "window {k} is silent");
        assert!(w.iter().any(|&s| s != w[0]), "window {k} is stuck");
    }
    // what changed kept what it could: the moog/delay chain and the kit voices carry
    // (9 nodes: the LFO's sine, product and sum are one fused node)
    assert!(reports.iter().all(|r| r.states >= 9), "{:?}", reports[0]);
}

#[test]
fn a_tail_rings_on_across_an_edit_and_the_clock_does_not_jump() {
    let lib = SampleLibrary::discover(&[]);
    // one arpy at cycle 0 into a long reverb, then nothing: after the swap (1 s in) the reverb
    // tail and the sample voice must go on exactly as without the edit
    let a = ph("o1: (s \"arpy ~ ~ ~\" # gain 0.8) # reverb 0.95 0.2 0.5\n");
    let b = ph("o1: (s \"arpy ~ ~ ~\" # gain 0.8) # reverb 0.95 0.2 0.5\no2: sine 440 * 0\n");
    let blocks = 170; // under 2 s: the next arpy is at cycle 1
    let reference = offline(&a, blocks, &lib);
    let mut engine = Engine::with_samples(&a, "t.ph", cfg(), &lib).expect("builds");
    let mut out = Vec::new();
    for _ in 0..86 {
        out.extend_from_slice(engine.process_block());
    }
    let cycle_before = engine.transport().arc.1;
    let (mut engine, report) = swap(&mut engine, &a, &b, &lib);
    assert!(report.voices >= 1, "the arpy voice rings on: {report:?}");
    for i in 86..blocks {
        out.extend_from_slice(engine.process_block());
        if i == 86 {
            assert_eq!(engine.transport().arc.0, cycle_before, "the new scene starts where the old one stopped");
        }
    }
    let after = 86 * 512 * 2;
    let (r_ref, r_out) = (rms(&left(&reference[after..])), rms(&left(&out[after..])));
    let diff = reference[after..].iter().zip(&out[after..]).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
    println!("tail RMS without edit {r_ref:.5}, with edit {r_out:.5}, largest difference {diff:.2e}");
    assert!(r_ref > 0.005, "there is a tail to keep");
    assert!(diff < 1e-6, "the tail goes on unchanged across the edit");
}

#[test]
fn a_new_tempo_starts_from_the_cycle_where_the_old_one_was() {
    let lib = SampleLibrary::discover(&[]);
    let (a, b) = (ph("o1: s \"hh*4\" # legato 0.25\n"), ph("tempo: 1.5\no1: s \"hh*4\" # legato 0.25\n"));
    let mut engine = Engine::with_samples(&a, "t.ph", cfg(), &lib).expect("builds");
    for _ in 0..100 {
        engine.process_block();
    }
    let at = engine.transport().arc.1;
    let (mut engine, _) = swap(&mut engine, &a, &b, &lib);
    let mut out = Vec::new();
    for _ in 0..200 {
        out.extend_from_slice(engine.process_block());
    }
    // the first block after the swap starts at the old cycle; the hats now come every
    // 1/4 cycle at 1.5 cps: 7350 samples apart, on the new grid from that cycle on
    let start = 100 * 512;
    let onsets: Vec<usize> =
        left(&out).windows(2).enumerate().filter(|(_, w)| w[0] == 0.0 && w[1] != 0.0).map(|(i, _)| start + i + 1).collect();
    let expected: Vec<usize> = (1..)
        .map(|k: i64| {
            // the k-th quarter cycle after `at`, in samples from the swap block
            let c = (at * phonon::components::Rational::integer(4)).floor() + k;
            let dc = c as f64 / 4.0 - at.to_f64();
            start + (dc / 1.5 * 44_100.0).round() as usize
        })
        .take_while(|&s| s < start + out.len() / 2)
        .collect();
    assert!(expected.len() >= 8);
    // (the kit's hats start on a zero sample: audible from the onset's next sample)
    assert_eq!(onsets.len(), expected.len(), "{onsets:?} vs {expected:?}");
    assert!(onsets.iter().zip(&expected).all(|(o, e)| o - e <= 1), "hats on the new grid: {onsets:?} vs {expected:?}");
    assert!(onsets.windows(2).all(|w| w[1] - w[0] == 7350), "{onsets:?}");
}

#[test]
fn hush_stops_everything_at_once_without_a_click() {
    let lib = SampleLibrary::discover(&[]);
    let a = ph(BUSY);
    let silent = ph("o1: sine 440\nhush\n");
    assert!(silent.outputs.is_empty());
    let mut engine = Engine::with_samples(&a, "t.ph", cfg(), &lib).expect("builds");
    let mut out = Vec::new();
    for _ in 0..40 {
        out.extend_from_slice(engine.process_block());
    }
    let cycle = engine.transport().arc.1.to_f64();
    let mut new = Engine::starting_at(&silent, "t.ph", cfg(), &lib, || query_start(cycle)).expect("builds");
    let report = new.take_over(&mut engine, &SwapPlan::cold());
    assert_eq!(report, phonon::SwapReport::default(), "nothing carries into silence");
    let before = out.len();
    for _ in 0..4 {
        out.extend_from_slice(new.process_block());
    }
    let natural = max_step(&out[..before]);
    assert!(max_step(&out[before - 2..]) <= natural, "the stop is bridged");
    let fade = (0.005f64 * 44_100.0).ceil() as usize;
    assert!(out[before + 2 * fade..].iter().all(|&s| s == 0.0), "silent after the {fade}-frame bridge");
}

#[test]
fn an_edit_that_does_not_parse_leaves_the_old_scene_playing() {
    let dir = std::env::temp_dir().join(format!("phonon-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("set.ph");
    std::fs::write(&path, "o1: saw 110 * 0.2\n").expect("write");
    let lib = Arc::new(SampleLibrary::discover(&[]));
    let first = Scene::load(&path).expect("parses");
    let mut engine = Engine::with_samples(&first, "set.ph", cfg(), &*lib).expect("builds");
    let index = SceneIndex::of(&mut engine);
    let status = Arc::new(LiveStatus::default());
    let (mut renderer, rings) = Renderer::new(engine, Sink::Discard, None, status.clone(), None);
    let mut builder = Builder {
        path: path.clone(),
        cfg: cfg(),
        library: lib,
        status: status.clone(),
        playing: index,
        scene: first,
        to_render: rings.to_render,
        console: Arc::new(Console::new()),
        nan_watches: std::sync::mpsc::channel().0,
    };
    for _ in 0..10 {
        renderer.render_one();
    }
    // a typo mid-performance: an error with line and column, nothing sent
    std::fs::write(&path, "o1: saw 110 * 0.2\no2: sqare 220\n").expect("write");
    let err = builder.reload().expect_err("does not build").to_string();
    println!("{err}");
    assert!(err.contains("set.ph:2:5"), "names the place: {err}");
    assert!(err.contains("square"), "suggests the fix: {err}");
    let before = renderer.last_block().to_vec();
    renderer.render_one();
    assert_eq!(status.swaps.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert!(rms(&left(renderer.last_block())) > 0.05 && renderer.last_block() != before.as_slice(), "the saw plays on");
    // the fix is heard at the next block
    std::fs::write(&path, "o1: saw 110 * 0.2\no2: square 220 * 0.1\n").expect("write");
    builder.reload().expect("builds");
    renderer.render_one();
    assert_eq!(status.swaps.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert!(amplitude_at(&left(renderer.last_block()), 220.0, 44_100.0) > 0.02, "the square is heard");
    drop(rings.retired);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_nan_in_the_playing_engine_is_reported_once_from_another_thread() {
    let lib = SampleLibrary::discover(&[]);
    let mut engine = Engine::with_samples(&ph("~f: saw 110 # lpf 800 0.7\no1: ~f * 0.2\n"), "t.ph", cfg(), &lib).expect("builds");
    let mut watch = engine.nan_watch();
    let lpf = engine
        .world_mut()
        .query::<(&phonon::components::Node, &phonon::components::BusName)>()
        .iter(engine.world())
        .find(|(_, b)| b.0 == "f")
        .map(|(n, _)| n.index as usize)
        .expect("the lpf is bus ~f");
    // the render thread plays; its DSP system flags the filter (as run_checked does on NaN)
    let render = std::thread::spawn(move || {
        engine.process_block();
        engine.world().resource::<phonon::components::NanFlags>().0[lpf].store(true, std::sync::atomic::Ordering::Relaxed);
        engine.process_block();
        engine
    });
    let engine = render.join().expect("renders");
    assert_eq!(watch.take_new(), vec!["lpf (bus '~f')".to_string()]);
    assert!(watch.take_new().is_empty(), "reported once");
    drop(engine);
}

/// Voices held long (stut echoes, legato 2), a 0.9-feedback echo, a reverb and a plate: tails
/// that would ring for seconds.
const TAILS: &str = r#"
~x: saw # lpf 2000 0.7 # gain 0.2
o1: stut 4 0.6 0.125 $ s "~x*4" # note "<c3'min7 e3'major>" # legato 2
o2: (saw 55 * 0.3) # delay 0.4 0.9 0.6
o3: (s "superkick*2" # gain 0.8) # reverb 0.9 0.5 0.5
o4: (square 220 * 0.1) # plate 0.8 0.4 0.3
"#;

/// `panic` saved into the file mid-performance, through the live path (the control thread
/// builds, the render thread swaps at its next block), with 1 and 2 DSP threads: the first
/// block after it is exactly silent after the 5 ms bridge (which steps no further than the
/// music did), every voice is gone, nothing carries over, and every later block is exactly
/// 0.0 — the echo, reverb and plate tails included.
#[test]
fn panic_stops_voices_and_every_tail_within_the_bridge() {
    for threads in [1, 2] {
        let dir = std::env::temp_dir().join(format!("phonon-panic-{}-{threads}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("set.ph");
        std::fs::write(&path, TAILS).expect("write");
        let lib = Arc::new(SampleLibrary::discover(&[]));
        let cfg = EngineConfig { threads, ..EngineConfig::default() };
        let first = Scene::load(&path).expect("parses");
        let mut engine = Engine::with_samples(&first, "set.ph", cfg.clone(), &*lib).expect("builds");
        let index = SceneIndex::of(&mut engine);
        let status = Arc::new(LiveStatus::default());
        let (mut renderer, rings) = Renderer::new(engine, Sink::Discard, None, status.clone(), None);
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
        let mut before = Vec::new();
        for _ in 0..200 {
            renderer.render_one();
            before.extend_from_slice(renderer.last_block());
        }
        let voices = renderer.engine().voice_stats().active;
        let last_second = &before[before.len() - 2 * 44_100..];
        assert!(voices > 0 && rms(&left(last_second)) > 0.05, "playing: {voices} voices, rms {}", rms(&left(last_second)));
        let last_block = &before[before.len() - 2 * 512..];

        std::fs::write(&path, format!("{TAILS}panic\n")).expect("write");
        println!("{}", builder.reload().expect("builds"));
        renderer.render_one();
        let block = renderer.last_block().to_vec();
        assert_eq!(status.swaps.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(status.kept_states.load(std::sync::atomic::Ordering::Relaxed), 0, "no state carries into a panic");
        assert_eq!(status.kept_voices.load(std::sync::atomic::Ordering::Relaxed), 0, "no voice carries into a panic");
        assert_eq!(renderer.engine().voice_stats().active, 0);
        let bridge = (0.005f64 * 44_100.0).ceil() as usize;
        let sounding = block.chunks_exact(2).rposition(|f| f != [0.0, 0.0]).map_or(0, |i| i + 1);
        let seam = [&last_block[last_block.len() - 2..], &block[..]].concat();
        println!(
            "{threads} threads: {voices} voices stopped; the bridge sounds for {sounding} frames (limit {bridge}); \
             largest step across the seam {:.4}, the last block's own {:.4}",
            max_step(&seam),
            max_step(last_block)
        );
        assert!(sounding <= bridge, "silent after the {bridge}-frame bridge: sounds until frame {sounding}");
        assert!(max_step(&seam) <= max_step(last_block) * 1.001 + 1e-6, "the stop does not click");
        let mut later = Vec::new();
        for _ in 0..5 * 44_100 / 512 {
            renderer.render_one();
            later.extend_from_slice(renderer.last_block());
        }
        assert!(later.iter().all(|&s| s == 0.0), "5 s of exact silence after: no tail comes back");
        drop(rings.retired);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The embedding API's `panic` (a scene that says it) and `Engine::hush` do the same: one block
/// to silence through the bridge, then exact zeros.
#[test]
fn engine_panic_and_hush_stop_every_tail_in_one_block() {
    for stop in ["panic", "hush()"] {
        let mut engine = Engine::with_samples(&ph(TAILS), "t.ph", cfg(), &SampleLibrary::discover(&[])).expect("builds");
        for _ in 0..200 {
            engine.process_block();
        }
        assert!(engine.voice_stats().active > 0);
        match stop {
            "panic" => drop(engine.load_str("panic").expect("loads")),
            _ => engine.hush().expect("hushes"),
        }
        let first = engine.process_block().to_vec();
        let bridge = (0.005f64 * 44_100.0).ceil() as usize;
        assert!(first[2 * bridge..].iter().all(|&s| s == 0.0), "{stop}: silent after the bridge");
        assert_eq!(engine.voice_stats().active, 0, "{stop}: no voice left");
        for _ in 0..200 {
            assert!(engine.process_block().iter().all(|&s| s == 0.0), "{stop}: exact silence after");
        }
    }
}

/// A kernel that panics on the render thread is reported once, with its message, by the watch
/// the live main thread polls.
#[test]
fn a_panic_in_the_playing_engine_is_reported_once_from_another_thread() {
    struct Bomb;
    impl phonon::components::Kernel for Bomb {
        fn process(&mut self, _: &phonon::components::KernelCtx, _: &[phonon::components::Arg<'_>], _: &mut [f32]) {
            panic!("the moog blew up");
        }
    }
    let lib = SampleLibrary::discover(&[]);
    let mut engine =
        Engine::with_samples(&ph("~f: saw 110 # moog 800 0.7\no1: ~f * 0.2 + sine 220 * 0.1\n"), "t.ph", cfg(), &lib).expect("builds");
    let mut watch = engine.nan_watch();
    let world = engine.world_mut();
    let mut states = world.query::<(&phonon::components::Node, &mut phonon::components::DspState)>();
    let (_, mut state) = states.iter_mut(world).find(|(n, _)| n.kind.name() == "moog").expect("the moog");
    *state = phonon::components::DspState::Kernel(phonon::components::KernelBox(Box::new(Bomb)));
    let render = std::thread::spawn(move || {
        let sums: Vec<f64> = (0..3).map(|_| rms(&left(engine.process_block()))).collect();
        (engine, sums)
    });
    let (engine, sums) = render.join().expect("the render thread survives");
    assert!(sums.iter().all(|&r| r > 0.05), "the sine plays on: {sums:?}");
    assert_eq!(watch.take_new_panics(), vec![("moog (bus '~f')".to_string(), "the moog blew up".to_string())]);
    assert!(watch.take_new_panics().is_empty(), "reported once");
    assert!(watch.take_new().is_empty(), "not a NaN");
    drop(engine);
}
