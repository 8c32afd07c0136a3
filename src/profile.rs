//! Profiling: per-span timing histograms and Chrome/Perfetto traces of the render pipeline.
//!
//! The engine opens a `trace`-level span with a static name around every block (`block`) and
//! every system of the block schedule inside it: `transport`, `schedule`, `voices`, `dsp` (with
//! one `stage` per stage group inside), `mix`, `feedback`. This module turns those spans into:
//!
//! - **`--profile`**: a [`ProfileLayer`] times every span by name into a log-spaced histogram
//!   (buckets 3 % wide, 0.1 µs to 1 s) with exact count, min, max and sum. [`Profile::snapshot`]
//!   reads it; [`report`] prints per-buffer min / median / p99 / max in µs and as % of the block
//!   budget (`block_len / sample_rate · 1e6` µs); [`Profile::spawn_reporter`] prints a report of
//!   the last window every few seconds and hands back the whole run's statistics at the end.
//! - **`--trace out.json`**: a Chrome trace (the `tracing-chrome` crate) of every span on every
//!   thread, to open in Perfetto (<https://ui.perfetto.dev>) or `chrome://tracing`.
//!
//! ```no_run
//! use phonon::profile::{init_tracing, report, TracingOptions};
//! use phonon::{Engine, EngineConfig, Scene};
//! let guard = init_tracing(&TracingOptions { profile: true, trace: Some("out.json".into()) })?;
//! let scene = Scene::from_ph("o1: saw 110 # lpf 800 0.5 * 0.2", "t.ph")?;
//! let mut engine = Engine::from_scene(&scene, "t.ph", EngineConfig::default())?;
//! for _ in 0..1000 {
//!     engine.process_block();
//! }
//! let budget_us = engine.block_len() as f64 / engine.sample_rate() as f64 * 1e6;
//! if let Some(profile) = guard.profile() {
//!     eprint!("{}", report(&profile.snapshot(false), budget_us));
//! }
//! drop(guard); // writes the rest of out.json
//! # Ok::<(), phonon::Error>(())
//! ```
//!
//! Real-time contract: with the profile layer, recording a span is lock-free and allocation-free
//! (a per-thread fixed stack of start instants, a fixed table of name slots claimed once,
//! atomic histograms). The Chrome layer is not: `tracing-chrome` allocates two small strings and
//! sends a channel message per span enter and exit, so `--trace` allocates on the render thread
//! and inflates the timings it shows; use it to look at the shape of a block, not in a concert.

use crate::Error;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};
use tracing::span::Id;
use tracing::{Dispatch, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// Distinct span names the table holds; later names are counted in [`Profile::dropped`].
pub const SLOTS: usize = 32;
/// Nesting depth of open spans per thread the layer can time.
const STACK_DEPTH: usize = 32;
/// Lower edge of the histogram, in ns (0.1 µs); shorter spans land in the first bucket.
const MIN_NS: f64 = 100.0;
/// Ratio between neighbouring bucket edges: each bucket is 3 % wide.
const GROWTH: f64 = 1.03;
/// `ln(GROWTH)`.
const LN_GROWTH: f64 = 0.029_558_802_241_544_4;
/// Buckets from 0.1 µs to 1 s: `ceil(ln(1e7) / ln(1.03))`; longer spans land in the last one.
const BUCKETS: usize = 546;
/// Rows of [`report`] come in this order, then any other names alphabetically.
const PIPELINE: [&str; 8] = ["block", "transport", "schedule", "voices", "dsp", "stage", "mix", "feedback"];

/// Timing of one span name over a snapshot window; durations in µs.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanStats {
    /// The span's name (`block`, `dsp`, `stage`, …).
    pub name: &'static str,
    /// Spans closed (entered and exited) in the window.
    pub count: u64,
    /// Shortest duration (exact).
    pub min_us: f64,
    /// From the histogram: within 1.5 % of the exact value.
    pub median_us: f64,
    /// From the histogram: within 1.5 % of the exact value.
    pub p99_us: f64,
    /// Longest duration (exact).
    pub max_us: f64,
    /// Sum of all durations.
    pub total_us: f64,
}

/// A log-spaced histogram of durations plus exact sum, min and max, all atomics.
struct Histogram {
    buckets: Box<[AtomicU64]>,
    sum_ns: AtomicU64,
    min_ns: AtomicU64,
    max_ns: AtomicU64,
}

/// The bucket a duration of `ns` nanoseconds falls in.
fn bucket_of(ns: u64) -> usize {
    let x = ns as f64 / MIN_NS;
    if x < GROWTH { 0 } else { ((x.ln() / LN_GROWTH) as usize).min(BUCKETS - 1) }
}

/// The geometric centre of bucket `i`, in ns.
fn bucket_centre_ns(i: usize) -> f64 {
    MIN_NS * GROWTH.powf(i as f64 + 0.5)
}

impl Histogram {
    fn new() -> Histogram {
        Histogram {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            sum_ns: AtomicU64::new(0),
            min_ns: AtomicU64::new(u64::MAX),
            max_ns: AtomicU64::new(0),
        }
    }

    /// Count one duration. Real-time safe: four relaxed atomic operations.
    fn record_ns(&self, ns: u64) {
        self.buckets[bucket_of(ns)].fetch_add(1, Relaxed);
        self.sum_ns.fetch_add(ns, Relaxed);
        self.min_ns.fetch_min(ns, Relaxed);
        self.max_ns.fetch_max(ns, Relaxed);
    }

    /// Copy the counts out; with `reset`, take them (each atomic is swapped on its own, so a
    /// span recorded during the read may land half in this window and half in the next).
    fn read(&self, name: &'static str, reset: bool) -> Raw {
        let take = |a: &AtomicU64, empty: u64| if reset { a.swap(empty, Relaxed) } else { a.load(Relaxed) };
        let buckets: Vec<u64> = self.buckets.iter().map(|b| take(b, 0)).collect();
        Raw {
            name,
            count: buckets.iter().sum(),
            sum_ns: take(&self.sum_ns, 0),
            min_ns: take(&self.min_ns, u64::MAX),
            max_ns: take(&self.max_ns, 0),
            buckets,
        }
    }
}

/// One name's counts read out of a [`Histogram`]; windows merge into run totals.
#[derive(Debug, Clone)]
struct Raw {
    name: &'static str,
    count: u64,
    sum_ns: u64,
    min_ns: u64,
    max_ns: u64,
    buckets: Vec<u64>,
}

impl Raw {
    fn merge(&mut self, o: &Raw) {
        self.count += o.count;
        self.sum_ns += o.sum_ns;
        self.min_ns = self.min_ns.min(o.min_ns);
        self.max_ns = self.max_ns.max(o.max_ns);
        for (a, b) in self.buckets.iter_mut().zip(&o.buckets) {
            *a += b;
        }
    }

    /// The nearest-rank `q` quantile (0 < q ≤ 1), in ns: the centre of its bucket, clamped to
    /// the exact min and max.
    fn quantile_ns(&self, q: f64) -> f64 {
        let rank = ((q * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        let i = self.buckets.iter().position(|&c| {
            seen += c;
            seen >= rank
        });
        let est = i.map_or(self.max_ns as f64, bucket_centre_ns);
        est.max(self.min_ns as f64).min(self.max_ns as f64)
    }

    fn stats(&self) -> SpanStats {
        SpanStats {
            name: self.name,
            count: self.count,
            min_us: self.min_ns as f64 / 1e3,
            median_us: self.quantile_ns(0.5) / 1e3,
            p99_us: self.quantile_ns(0.99) / 1e3,
            max_us: self.max_ns as f64 / 1e3,
            total_us: self.sum_ns as f64 / 1e3,
        }
    }
}

/// A span name and its histogram.
struct Slot {
    name: OnceLock<&'static str>,
    hist: Histogram,
}

/// The fixed table of name slots the layer records into.
struct Table {
    slots: Box<[Slot]>,
    /// Spans not timed: the table was full or the thread's stack of open spans was.
    dropped: AtomicU64,
}

impl Table {
    /// The slot for `name`, claimed on first sight. Lock-free once claimed (one atomic load and
    /// a short string compare per slot before it); claiming may wait on another thread claiming
    /// the same empty slot at the same instant.
    fn slot_of(&self, name: &'static str) -> Option<usize> {
        self.slots.iter().position(|s| *s.name.get_or_init(|| name) == name)
    }

    fn read(&self, reset: bool) -> Vec<Raw> {
        self.slots.iter().filter_map(|s| s.name.get().map(|&n| s.hist.read(n, reset))).collect()
    }
}

/// A span this thread has entered and not yet exited.
#[derive(Clone, Copy)]
struct Open {
    /// The recording table's address: several layers may time the same thread.
    owner: usize,
    id: u64,
    slot: usize,
    start: Instant,
}

/// This thread's open spans, innermost last. Fixed capacity: never allocates.
struct OpenStack {
    len: usize,
    items: [Option<Open>; STACK_DEPTH],
}

impl OpenStack {
    /// False when full.
    fn push(&mut self, o: Open) -> bool {
        let Some(item) = self.items.get_mut(self.len) else { return false };
        *item = Some(o);
        self.len += 1;
        true
    }

    /// Remove and return the innermost entry for `(owner, id)`.
    fn pop(&mut self, owner: usize, id: u64) -> Option<Open> {
        let open = &mut self.items[..self.len];
        let at = open.iter().rposition(|o| o.is_some_and(|o| o.owner == owner && o.id == id))?;
        let found = open[at].take();
        open[at..].rotate_left(1);
        self.len -= 1;
        found
    }
}

thread_local! {
    static OPEN: RefCell<OpenStack> = const { RefCell::new(OpenStack { len: 0, items: [None; STACK_DEPTH] }) };
}

/// A `tracing_subscriber` layer timing every span it sees by its static name, from enter to
/// exit, into its [`Profile`]'s histograms. Put it behind [`Profile::filter`] (as
/// [`Profile::layer`] does) so it sees Phonon's trace-level spans whatever the log filter says.
///
/// Real-time contract: lock-free and allocation-free once each name has been seen.
pub struct ProfileLayer {
    table: Arc<Table>,
}

impl ProfileLayer {
    fn owner(&self) -> usize {
        Arc::as_ptr(&self.table) as usize
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for ProfileLayer {
    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(meta) = ctx.metadata(id) else { return };
        let Some(slot) = self.table.slot_of(meta.name()) else {
            self.table.dropped.fetch_add(1, Relaxed);
            return;
        };
        let (owner, id) = (self.owner(), id.into_u64());
        let pushed = OPEN.try_with(|s| s.borrow_mut().push(Open { owner, id, slot, start: Instant::now() }));
        if pushed != Ok(true) {
            self.table.dropped.fetch_add(1, Relaxed);
        }
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        let end = Instant::now();
        let open = OPEN.try_with(|s| s.borrow_mut().pop(self.owner(), id.into_u64()));
        if let Ok(Some(o)) = open {
            let ns = end.saturating_duration_since(o.start).as_nanos();
            self.table.slots[o.slot].hist.record_ns(u64::try_from(ns).unwrap_or(u64::MAX));
        }
    }
}

/// A cheap, cloneable handle to the span timings one [`ProfileLayer`] records.
#[derive(Clone)]
pub struct Profile {
    table: Arc<Table>,
}

impl Default for Profile {
    fn default() -> Profile {
        Profile::new()
    }
}

impl Profile {
    /// An empty table of [`SLOTS`] names (about 140 kB, allocated here once).
    pub fn new() -> Profile {
        let slots = (0..SLOTS).map(|_| Slot { name: OnceLock::new(), hist: Histogram::new() }).collect();
        Profile { table: Arc::new(Table { slots, dropped: AtomicU64::new(0) }) }
    }

    /// The recording layer alone, seeing whatever the subscriber's other filters let through.
    pub fn raw_layer(&self) -> ProfileLayer {
        ProfileLayer { table: self.table.clone() }
    }

    /// The per-layer filter that lets every span of the `phonon` and `phonon_systems` crates
    /// through, trace level included, independently of the log output's filter.
    pub fn filter() -> Targets {
        Targets::new().with_target("phonon", LevelFilter::TRACE).with_target("phonon_systems", LevelFilter::TRACE)
    }

    /// The recording layer behind [`Profile::filter`]: add it to a `tracing_subscriber::registry()`.
    pub fn layer<S: Subscriber + for<'a> LookupSpan<'a>>(&self) -> tracing_subscriber::filter::Filtered<ProfileLayer, Targets, S> {
        self.raw_layer().with_filter(Profile::filter())
    }

    /// Timing per span name seen since the start or the last reset, in [`report`] order; names
    /// with no span in the window are left out. With `reset`, the window starts afresh.
    pub fn snapshot(&self, reset: bool) -> Vec<SpanStats> {
        stats_of(&self.table.read(reset))
    }

    /// Spans entered but not timed since the start: more than [`SLOTS`] names, or spans nested
    /// deeper than the per-thread stack (32).
    pub fn dropped(&self) -> u64 {
        self.table.dropped.load(Relaxed)
    }

    /// Start a thread that every `period` takes a resetting snapshot and, when any span closed
    /// in it, passes its [`report`] against `budget_us` to `sink` (e.g. `|r| eprint!("{r}")`).
    /// [`Reporter::finish`] stops it and returns the whole run's statistics.
    pub fn spawn_reporter<F>(&self, period: Duration, budget_us: f64, mut sink: F) -> Result<Reporter, Error>
    where
        F: FnMut(String) + Send + 'static,
    {
        let (stop, stopped) = mpsc::channel::<()>();
        let table = self.table.clone();
        let handle = std::thread::Builder::new()
            .name("phonon-profile".into())
            .spawn(move || {
                let mut totals = Vec::new();
                while stopped.recv_timeout(period) == Err(mpsc::RecvTimeoutError::Timeout) {
                    let window = table.read(true);
                    if window.iter().any(|r| r.count > 0) {
                        sink(report(&stats_of(&window), budget_us));
                    }
                    merge_into(&mut totals, &window);
                }
                totals
            })
            .map_err(|e| Error::Usage(format!("cannot start the profile report thread: {e}")))?;
        Ok(Reporter { stop, handle, table: self.table.clone() })
    }
}

/// The stats of every name with spans in the window, in [`report`] order.
fn stats_of(raw: &[Raw]) -> Vec<SpanStats> {
    let mut stats: Vec<SpanStats> = raw.iter().filter(|r| r.count > 0).map(Raw::stats).collect();
    stats.sort_by(|a, b| (pipeline_rank(a.name), a.name).cmp(&(pipeline_rank(b.name), b.name)));
    stats
}

/// Add `window` to `totals` name by name.
fn merge_into(totals: &mut Vec<Raw>, window: &[Raw]) {
    for w in window {
        match totals.iter_mut().find(|t| t.name == w.name) {
            Some(t) => t.merge(w),
            None => totals.push(w.clone()),
        }
    }
}

/// The thread [`Profile::spawn_reporter`] started.
pub struct Reporter {
    stop: mpsc::Sender<()>,
    handle: std::thread::JoinHandle<Vec<Raw>>,
    table: Arc<Table>,
}

impl Reporter {
    /// Stop the thread; the whole run's statistics: every window it reported plus the spans
    /// since its last one (which this takes, resetting the profile).
    pub fn finish(self) -> Vec<SpanStats> {
        // the thread stops on the message or, if it has gone already, on the closed channel
        let _ = self.stop.send(());
        let mut totals = self.handle.join().unwrap_or_default();
        merge_into(&mut totals, &self.table.read(true));
        stats_of(&totals)
    }
}

fn pipeline_rank(name: &str) -> usize {
    PIPELINE.iter().position(|&p| p == name).unwrap_or(PIPELINE.len())
}

/// An aligned table of `stats`, one row per span name in pipeline order (block, transport,
/// schedule, voices, dsp, stage, mix, feedback, then others): count, min / median / p99 / max
/// in µs, and median / p99 / max as % of `budget_us`, the real time one block may take
/// (`block_len / sample_rate · 1e6` µs). A `stage` row is one stage group, not the sum of them.
pub fn report(stats: &[SpanStats], budget_us: f64) -> String {
    let mut rows: Vec<&SpanStats> = stats.iter().collect();
    rows.sort_by(|a, b| (pipeline_rank(a.name), a.name).cmp(&(pipeline_rank(b.name), b.name)));
    let w = rows.iter().map(|s| s.name.len()).max().unwrap_or(0).max(4);
    let pct = |us: f64| 100.0 * us / budget_us;
    let mut out = format!("per-buffer timing, budget {budget_us:.1} µs\n");
    let _ = writeln!(
        out,
        "{:<w$} {:>8} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8}",
        "span", "count", "min µs", "median µs", "p99 µs", "max µs", "median %", "p99 %", "max %"
    );
    for s in rows {
        let _ = writeln!(
            out,
            "{:<w$} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>8.2} {:>8.2} {:>8.2}",
            s.name,
            s.count,
            s.min_us,
            s.median_us,
            s.p99_us,
            s.max_us,
            pct(s.median_us),
            pct(s.p99_us),
            pct(s.max_us)
        );
    }
    out
}

/// What to trace besides the log: `--profile` and `--trace FILE`.
#[derive(Debug, Clone, Default)]
pub struct TracingOptions {
    /// Time every span into a [`Profile`].
    pub profile: bool,
    /// Write a Chrome/Perfetto trace of every span to this file.
    pub trace: Option<PathBuf>,
}

/// Keeps the tracing outputs alive: the profile handle, and the Chrome trace writer, which
/// writes the rest of the file and closes it when this is dropped.
pub struct TracingGuard {
    profile: Option<Profile>,
    _chrome: Option<tracing_chrome::FlushGuard>,
}

impl TracingGuard {
    /// The span timings, when [`TracingOptions::profile`] asked for them.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }
}

/// The subscriber [`init_tracing`] installs, without installing it: the log (stderr, filtered by
/// `PHONON_LOG`, default `warn`), plus the profile layer and the Chrome trace when asked, each
/// behind its own filter. Errors: the trace file cannot be created.
pub fn build_subscriber(opts: &TracingOptions) -> Result<(Dispatch, TracingGuard), Error> {
    let env = tracing_subscriber::EnvFilter::try_from_env("PHONON_LOG").unwrap_or_else(|_| "warn".into());
    let log = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(env);
    let profile = opts.profile.then(Profile::new);
    let (chrome, flush) = match &opts.trace {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
            let (layer, flush) = tracing_chrome::ChromeLayerBuilder::new().writer(file).build();
            (Some(layer.with_filter(Profile::filter())), Some(flush))
        }
        None => (None, None),
    };
    let subscriber = tracing_subscriber::registry().with(log).with(profile.as_ref().map(Profile::layer)).with(chrome);
    Ok((Dispatch::new(subscriber), TracingGuard { profile, _chrome: flush }))
}

/// Install [`build_subscriber`]'s subscriber as the process's global default (and route the
/// `log` crate's records to it). Keep the guard until the end of `main`. Errors: the trace file
/// cannot be created, or a global subscriber is already installed.
pub fn init_tracing(opts: &TracingOptions) -> Result<TracingGuard, Error> {
    let (dispatch, guard) = build_subscriber(opts)?;
    dispatch.try_init().map_err(|e| Error::Usage(format!("cannot install the tracing subscriber: {e}")))?;
    Ok(guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_constants_match_their_definition() {
        assert!((LN_GROWTH - GROWTH.ln()).abs() < 1e-15);
        assert_eq!(BUCKETS, (1e7f64.ln() / GROWTH.ln()).ceil() as usize);
        // edges: below 0.1 µs → first bucket, 1 s and above → last
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(50), 0);
        assert_eq!(bucket_of(1_000_000_000), BUCKETS - 1);
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
        // a duration lies within its bucket's edges
        for ns in [150u64, 1_000, 12_345, 999_999, 500_000_000] {
            let i = bucket_of(ns) as f64;
            let (lo, hi) = (MIN_NS * GROWTH.powf(i), MIN_NS * GROWTH.powf(i + 1.0));
            assert!(lo <= ns as f64 * (1.0 + 1e-12) && (ns as f64) < hi * (1.0 + 1e-12), "{ns} ns not in [{lo}, {hi})");
        }
    }

    /// Durations 1..=1000 µs: the nearest-rank median is 500 µs and the p99 990 µs; the
    /// histogram gets both within half a bucket (1.5 %), and count, min, max, sum exactly.
    #[test]
    fn histogram_percentiles_of_known_durations() {
        let h = Histogram::new();
        for us in (1..=1000u64).rev() {
            h.record_ns(us * 1000);
        }
        let s = h.read("x", false).stats();
        assert_eq!(s.count, 1000);
        assert_eq!((s.min_us, s.max_us, s.total_us), (1.0, 1000.0, 500_500.0));
        let half = GROWTH.sqrt();
        assert!(s.median_us >= 500.0 / half && s.median_us <= 500.0 * half, "median {}", s.median_us);
        assert!(s.p99_us >= 990.0 / half && s.p99_us <= 990.0 * half, "p99 {}", s.p99_us);
    }

    /// A reset read takes the counts: the next read is empty, and two windows merge into the
    /// same statistics as one.
    #[test]
    fn reset_windows_merge_to_the_whole() {
        let h = Histogram::new();
        let whole = Histogram::new();
        for us in 1..=300u64 {
            h.record_ns(us * 1000);
            whole.record_ns(us * 1000);
        }
        let mut totals = vec![h.read("x", true)];
        assert_eq!(h.read("x", false).count, 0);
        for us in 301..=1000u64 {
            h.record_ns(us * 1000);
            whole.record_ns(us * 1000);
        }
        merge_into(&mut totals, &[h.read("x", true)]);
        assert_eq!(totals[0].stats(), whole.read("x", false).stats());
        assert_eq!(totals[0].stats().count, 1000);
    }

    /// Entries pop by id from wherever they are; a full stack refuses more.
    #[test]
    fn open_stack_pops_by_owner_and_id() {
        let mut s = OpenStack { len: 0, items: [None; STACK_DEPTH] };
        let start = Instant::now();
        for id in 0..STACK_DEPTH as u64 {
            assert!(s.push(Open { owner: 1, id, slot: id as usize, start }));
        }
        assert!(!s.push(Open { owner: 1, id: 99, slot: 0, start }));
        assert_eq!(s.pop(2, 5).map(|o| o.slot), None);
        assert_eq!(s.pop(1, 5).map(|o| o.slot), Some(5));
        assert_eq!(s.len, STACK_DEPTH - 1);
        assert_eq!(s.pop(1, 31).map(|o| o.slot), Some(31));
        assert_eq!(s.pop(1, 6).map(|o| o.slot), Some(6));
        assert_eq!(s.pop(1, 5).map(|o| o.slot), None);
    }

    /// One row per name in pipeline order, unknown names last; percentages of the budget.
    #[test]
    fn report_orders_rows_and_computes_budget_shares() {
        let row = |name, median_us| SpanStats {
            name,
            count: 10,
            min_us: 1.0,
            median_us,
            p99_us: 2.0 * median_us,
            max_us: 4.0 * median_us,
            total_us: 10.0 * median_us,
        };
        let stats = [row("zzz", 1.0), row("mix", 5.0), row("block", 250.0), row("dsp", 100.0)];
        let text = report(&stats, 1000.0);
        let names: Vec<&str> = text.lines().skip(2).filter_map(|l| l.split_whitespace().next()).collect();
        assert_eq!(names, ["block", "dsp", "mix", "zzz"]);
        let block: Vec<&str> = text.lines().nth(2).map(|l| l.split_whitespace().collect()).unwrap_or_default();
        assert_eq!(block, ["block", "10", "1.0", "250.0", "500.0", "1000.0", "25.00", "50.00", "100.00"]);
        // every row as wide as the header
        let widths: Vec<usize> = text.lines().skip(1).map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|&w| w == widths[0]), "{text}");
    }
}
