//! Profiling: the profile layer times every block, system and stage group exactly once per
//! block, allocates nothing on the render thread, and the Chrome trace holds every span.
mod common;
use common::*;
use phonon::components::Stages;
use phonon::profile::{Profile, SpanStats, TracingOptions, build_subscriber, report};
use phonon::{Engine, Scene};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tracing_subscriber::layer::SubscriberExt;

/// Counts allocations on threads that opt in (the render thread of the allocation test).
struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static COUNT_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn count() {
    if COUNT_HERE.try_with(|c| c.get()).unwrap_or(false) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
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

/// An instrument bus, a filtered chord pattern, drum synths and an effect chain: voices start
/// and end every cycle and the DSP graph has several stage groups.
const SCENE: &str = r#"
~x: saw # lpf 2000 0.7 # gain 0.2
o1: stut 3 0.5 0.125 $ s "~x(3,8,1)" # note "<c3'min7 e3'major>" # legato 0.5
o2: (saw 110 # lpf "<300 2000 800>" 0.8 # moog 1200 0.5 # reverb 0.5) * 0.2
o3: s "superkick*4, superhat*8, ~ supersnare" # gain 0.5
"#;

const SYSTEMS: [&str; 6] = ["transport", "schedule", "voices", "dsp", "mix", "feedback"];

/// A one-thread engine (every span on the calling thread) and its number of stage groups.
fn engine() -> (Engine, u64) {
    let scene = Scene::from_ph(SCENE, "t.ph").unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::from_scene(&scene, "t.ph", cfg(512, 1)).unwrap_or_else(|e| panic!("{e}"));
    let groups = engine.world().resource::<Stages>().groups.len() as u64;
    (engine, groups)
}

/// Render `n` blocks; their total energy.
fn render(engine: &mut Engine, n: usize) -> f64 {
    (0..n).map(|_| engine.process_block().iter().map(|&s| (s as f64) * (s as f64)).sum::<f64>()).sum()
}

fn find<'a>(stats: &'a [SpanStats], name: &str) -> &'a SpanStats {
    stats.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no '{name}' span in {stats:?}"))
}

/// The counts a render of `blocks` blocks over `groups` stage groups must give, and sane values.
fn check_pipeline(stats: &[SpanStats], blocks: u64, groups: u64) {
    let names: Vec<&str> = stats.iter().map(|s| s.name).collect();
    assert_eq!(names, ["block", "transport", "schedule", "voices", "dsp", "stage", "mix", "feedback"]);
    for s in stats {
        let want = match s.name {
            "stage" => blocks * groups,
            _ => blocks,
        };
        assert_eq!(s.count, want, "{}", s.name);
        let values = [s.min_us, s.median_us, s.p99_us, s.max_us, s.total_us];
        assert!(values.iter().all(|v| v.is_finite() && *v > 0.0), "{s:?}");
        assert!(s.min_us <= s.median_us && s.median_us <= s.p99_us && s.p99_us <= s.max_us, "{s:?}");
        assert!(s.total_us >= s.min_us * s.count as f64 && s.total_us <= s.max_us * s.count as f64, "{s:?}");
    }
    // nesting: the systems run inside their block, the stage groups inside dsp, one after another
    let block = find(stats, "block");
    let systems_total: f64 = SYSTEMS.iter().map(|n| find(stats, n).total_us).sum();
    assert!(systems_total <= block.total_us, "systems {systems_total} µs > blocks {} µs", block.total_us);
    assert!(find(stats, "stage").total_us <= find(stats, "dsp").total_us);
    let medians: f64 = SYSTEMS.iter().map(|n| find(stats, n).median_us).sum();
    assert!(medians <= block.max_us, "sum of system medians {medians} µs > block max {} µs", block.max_us);
}

/// 300 blocks: one `block` span and one span per system each block, one `stage` per stage group.
#[test]
fn every_block_system_and_stage_group_is_timed_once() {
    let profile = Profile::new();
    let subscriber = tracing_subscriber::registry().with(profile.layer());
    let (mut engine, groups) = engine();
    assert!(groups >= 3, "the scene should have several stage groups, has {groups}");
    let energy = tracing::subscriber::with_default(subscriber, || render(&mut engine, 300));
    assert!(energy > 1.0, "the scene must sound");
    check_pipeline(&profile.snapshot(false), 300, groups);
    assert_eq!(profile.dropped(), 0);
    // a resetting snapshot empties the window
    assert_eq!(profile.snapshot(true).len(), 8);
    assert!(profile.snapshot(false).is_empty());
    println!("{}", report(&find_all(&profile, &mut engine), 512.0 / 44_100.0 * 1e6));
}

/// 100 more blocks timed under a fresh window (the report printed with `--nocapture`).
fn find_all(profile: &Profile, engine: &mut Engine) -> Vec<SpanStats> {
    let subscriber = tracing_subscriber::registry().with(profile.layer());
    tracing::subscriber::with_default(subscriber, || render(engine, 100));
    profile.snapshot(false)
}

/// Four threads entering nested spans at once: every span counted exactly; spans of other
/// crates' targets are not the profile's business.
#[test]
fn spans_on_several_threads_are_all_counted() {
    let profile = Profile::new();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(profile.layer()));
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                tracing::dispatcher::with_default(&dispatch, || {
                    for _ in 0..1000 {
                        let _outer = tracing::trace_span!(target: "phonon::test", "outer").entered();
                        let _inner = tracing::trace_span!(target: "phonon_systems::test", "inner").entered();
                        let _other = tracing::trace_span!(target: "elsewhere", "other").entered();
                    }
                })
            });
        }
    });
    let stats = profile.snapshot(false);
    let counts: Vec<(&str, u64)> = stats.iter().map(|s| (s.name, s.count)).collect();
    assert_eq!(counts, [("inner", 4000), ("outer", 4000)]);
    assert!(find(&stats, "inner").total_us <= find(&stats, "outer").total_us);
    assert_eq!(profile.dropped(), 0);
}

/// With the profile layer installed, 2000 steady-state blocks allocate nothing on the render
/// thread (pattern queries run on the lookahead thread, not counted).
#[test]
fn profiling_allocates_nothing_on_the_render_thread() {
    let profile = Profile::new();
    let subscriber = tracing_subscriber::registry().with(profile.layer());
    let (mut engine, groups) = engine();
    let energy = tracing::subscriber::with_default(subscriber, || {
        render(&mut engine, 1000);
        ALLOCS.store(0, Ordering::SeqCst);
        COUNT_HERE.with(|c| c.set(true));
        let energy = render(&mut engine, 2000);
        COUNT_HERE.with(|c| c.set(false));
        energy
    });
    assert!(energy > 1.0, "the scene must sound");
    let allocs = ALLOCS.load(Ordering::SeqCst);
    assert_eq!(allocs, 0, "{allocs} allocations on the render thread in 2000 profiled blocks");
    let stats = profile.snapshot(false);
    assert_eq!(find(&stats, "block").count, 3000, "the layer was recording");
    assert_eq!(find(&stats, "stage").count, 3000 * groups);
}

/// `--trace`: the Chrome trace of 50 blocks holds a begin and an end event for every span, and
/// `--profile` beside it still records while the log output filters at `warn`.
#[test]
fn chrome_trace_holds_every_span() {
    let path = std::env::temp_dir().join(format!("phonon-trace-{}.json", std::process::id()));
    let opts = TracingOptions { profile: true, trace: Some(path.clone()) };
    let (dispatch, guard) = build_subscriber(&opts).unwrap_or_else(|e| panic!("{e}"));
    let (mut engine, groups) = engine();
    tracing::dispatcher::with_default(&dispatch, || render(&mut engine, 50));
    drop(dispatch);
    let profile = guard.profile().expect("profile asked for").clone();
    drop(guard); // flushes and closes the file
    check_pipeline(&profile.snapshot(false), 50, groups);

    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let _ = std::fs::remove_file(&path);
    let events: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("trace is not JSON: {e}"));
    let count = |name: &str, ph: &str| events.iter().filter(|e| e["name"] == name && e["ph"] == ph).count() as u64;
    for name in ["block", "transport", "schedule", "voices", "dsp", "mix", "feedback"] {
        assert_eq!((count(name, "B"), count(name, "E")), (50, 50), "{name}");
    }
    assert_eq!((count("stage", "B"), count("stage", "E")), (50 * groups, 50 * groups));
    // timestamps in µs, increasing along the file for one thread
    let ts: Vec<f64> = events.iter().filter(|e| e["name"] == "block").filter_map(|e| e["ts"].as_f64()).collect();
    assert_eq!(ts.len(), 100);
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "block timestamps go back");
}

/// The block count of a report's `block` row, if it has one.
fn block_row(report: &str) -> Option<u64> {
    report.lines().find(|l| l.starts_with("block ")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

/// The periodic reporter: window reports come while rendering, and the windows plus the rest
/// add up to exactly the blocks rendered.
#[test]
fn reporter_windows_add_up_to_the_run() {
    let profile = Profile::new();
    let (mut engine, groups) = engine();
    let (tx, rx) = std::sync::mpsc::channel();
    let reporter = profile
        .spawn_reporter(Duration::from_millis(5), 11_610.0, move |r| {
            let _ = tx.send(r);
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let subscriber = tracing_subscriber::registry().with(profile.layer());
    let mut reported = 0;
    tracing::subscriber::with_default(subscriber, || {
        render(&mut engine, 200);
        // every block has closed: the window holding the last one is reported at the next tick
        loop {
            let r = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|e| panic!("no report with blocks: {e}"));
            if let Some(n) = block_row(&r) {
                reported += n;
                break;
            }
        }
        render(&mut engine, 100);
    });
    let totals = reporter.finish();
    reported += rx.try_iter().filter_map(|r| block_row(&r)).sum::<u64>();
    assert!((1..=300).contains(&reported), "window reports counted {reported} blocks");
    check_pipeline(&totals, 300, groups);
    assert!(profile.snapshot(false).is_empty(), "finish takes the last window");
}
