//! The lookahead thread: pattern queries (which allocate) run here, ahead of the render
//! thread, and reach it through lock-free single-producer single-consumer rings.
//!
//! Time is cut into windows of `1/per_cycle` cycles (about one block each). For window `k` the
//! thread queries every source over `[k, k+1) / per_cycle`, sorts each source's triggers by onset
//! and pushes them into that source's ring, then publishes `covered = k + 1`. The render side
//! (the stand-in event and control sources [`Lookahead::spawn`] returns) pops what starts
//! before its block's end. It waits only if the thread has not yet covered the block: so what
//! plays never depends on timing (offline renders are bit-identical run to run), and the render
//! thread allocates nothing.
//!
//! The thread stays at most [`LOOKAHEAD_CYCLES`] ahead of the render thread and stops when the
//! [`Lookahead`] handle is dropped.

use phonon_components::{ControlSource, EventSource, Rational, Trigger};
use ringbuf::HeapRb;
use ringbuf::traits::{Consumer, Observer, Producer};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How far ahead of the render thread the queries may run.
pub const LOOKAHEAD_CYCLES: i64 = 2;
/// Triggers a source's ring holds (more in one window than this and the thread waits for the
/// render thread to take some).
const EVENT_RING: usize = 16_384;
const CONTROL_RING: usize = 1024;
/// How long a full ring may block the thread before an event is dropped.
const FULL_WAIT: Duration = Duration::from_millis(100);
/// The most triggers (or control changes) one source may start in one window (about a block,
/// at most 1/8 cycle): more are dropped, counted in [`Lookahead::dropped`], with one warning.
/// No music comes near: 8192 events in a block of 512 samples is sixteen per sample, eight
/// times the default voice pool; the heaviest benchmark (`assets/bench/voices4k.ph`) starts
/// 4096 voices at once. It stops an event flood (`fast 1e8 $ s "bd"`) from reaching the render
/// thread; the pattern queries themselves are bounded too (see `crate::build`).
pub const MAX_EVENTS_PER_WINDOW: usize = 8192;

struct Shared {
    stop: AtomicBool,
    /// Windows fully queried and pushed: `[start, covered)`.
    covered: AtomicI64,
    /// The window the render thread is in.
    rendering: AtomicI64,
    per_cycle: i64,
    /// Events lost to a ring that stayed full (see [`push_blocking`]) or over
    /// [`MAX_EVENTS_PER_WINDOW`].
    dropped: std::sync::atomic::AtomicU64,
}

type Prod<T> = ringbuf::CachingProd<Arc<HeapRb<T>>>;
/// The direct (non-caching) consumer: it is `Sync`, as an ECS component must be.
type Cons<T> = ringbuf::Cons<Arc<HeapRb<T>>>;

/// A ring of `capacity` items, split into its two ends.
fn ring<T>(capacity: usize) -> (Prod<T>, Cons<T>) {
    let rb = Arc::new(HeapRb::<T>::new(capacity));
    (Prod::new(rb.clone()), Cons::new(rb))
}

/// The thread's handle: dropping it stops and joins the thread.
pub struct Lookahead {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Lookahead {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

impl Lookahead {
    /// The cycle up to which every source has been queried and queued.
    pub fn covered(&self) -> f64 {
        self.shared.covered.load(Ordering::Acquire) as f64 / self.shared.per_cycle as f64
    }

    /// Events (triggers and control changes) dropped: over [`MAX_EVENTS_PER_WINDOW`] from one
    /// source in one window, or more than a ring holds in one block.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }
}

/// Windows per cycle for a block of `block_len` samples at `cps`: the power of two nearest
/// above one window per block (so a window is at most about a block long), at least 8.
pub fn windows_per_cycle(sample_rate: u32, block_len: usize, cps: f64) -> i64 {
    let blocks = sample_rate as f64 / (block_len.max(1) as f64 * cps.max(1e-6));
    (blocks.ceil().clamp(8.0, 65_536.0) as u64).next_power_of_two() as i64
}

impl Lookahead {
    /// Start the thread for `sources` and `controls`, from the window holding cycle `from`;
    /// returns the handle and the render-side stand-ins, in the same order.
    #[allow(clippy::type_complexity)]
    pub fn spawn(
        sources: Vec<Box<dyn EventSource>>,
        controls: Vec<Box<dyn ControlSource>>,
        per_cycle: i64,
        from: Rational,
    ) -> std::io::Result<(Lookahead, Vec<Box<dyn EventSource>>, Vec<Box<dyn ControlSource>>)> {
        let start = window_of(from, per_cycle);
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            covered: AtomicI64::new(start),
            rendering: AtomicI64::new(start),
            per_cycle,
            dropped: Default::default(),
        });
        let (mut prods, mut queued): (Vec<Prod<Trigger>>, Vec<Box<dyn EventSource>>) = (Vec::new(), Vec::new());
        for _ in &sources {
            let (p, c) = ring::<Trigger>(EVENT_RING);
            prods.push(p);
            queued.push(Box::new(Queued { cons: c, shared: shared.clone() }));
        }
        let (mut cprods, mut cqueued): (Vec<Prod<(Rational, f32)>>, Vec<Box<dyn ControlSource>>) = (Vec::new(), Vec::new());
        for _ in &controls {
            let (p, c) = ring::<(Rational, f32)>(CONTROL_RING);
            cprods.push(p);
            cqueued.push(Box::new(QueuedControl { cons: c, shared: shared.clone() }));
        }
        let sh = shared.clone();
        let thread = std::thread::Builder::new().name("phonon-lookahead".into()).spawn(move || {
            let done = sh.clone();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(sh, sources, controls, &mut prods, &mut cprods, start)));
            if r.is_err() {
                tracing::error!("a pattern query panicked: its patterns stop here (the rest of the scene plays on)");
            }
            // whatever ended the thread, the render side must never wait for it again
            done.stop.store(true, Ordering::Release);
        })?;
        Ok((Lookahead { shared, thread: Some(thread) }, queued, cqueued))
    }
}

/// The window holding cycle `c`.
fn window_of(c: Rational, per_cycle: i64) -> i64 {
    c.checked_mul(Rational::integer(per_cycle)).map_or(i64::MAX, |x| x.floor())
}

/// Windows that must be covered before `[.., end)` is complete: those starting before `end`.
fn windows_before(end: Rational, per_cycle: i64) -> i64 {
    end.checked_mul(Rational::integer(per_cycle)).map_or(i64::MAX, |x| x.ceil())
}

fn window_start(k: i64, per_cycle: i64) -> Option<Rational> {
    Rational::from_i128(k as i128, per_cycle as i128).ok()
}

/// Push `x`, waiting while the ring is full; false if told to stop meanwhile. A ring that stays
/// full for [`FULL_WAIT`] (the render thread is waiting on another source, and this source put
/// thousands of events into one block) sets `overflowing`: from then on, for the rest of this
/// window, events that don't fit are dropped at once and counted in `dropped`, rather than
/// deadlocking the two threads.
fn push_blocking<T>(p: &mut Prod<T>, mut x: T, shared: &Shared, overflowing: &mut bool) -> bool {
    let since = std::time::Instant::now();
    loop {
        match p.try_push(x) {
            Ok(()) => return true,
            Err(back) => {
                if shared.stop.load(Ordering::Acquire) {
                    return false;
                }
                if *overflowing || since.elapsed() > FULL_WAIT {
                    *overflowing = true;
                    shared.dropped.fetch_add(1, Ordering::Relaxed);
                    return true;
                }
                x = back;
                std::thread::park_timeout(Duration::from_micros(200));
            }
        }
    }
}

fn run(
    shared: Arc<Shared>,
    mut sources: Vec<Box<dyn EventSource>>,
    mut controls: Vec<Box<dyn ControlSource>>,
    prods: &mut [Prod<Trigger>],
    cprods: &mut [Prod<(Rational, f32)>],
    start: i64,
) {
    let per_cycle = shared.per_cycle;
    let ahead = LOOKAHEAD_CYCLES * per_cycle;
    let mut triggers = Vec::new();
    let mut changes = Vec::new();
    // Event sources are queried a span of windows at a time: a query's cost is mostly per
    // pattern, not per event, so a stack of thousands of patterns would otherwise cost
    // thousands of pattern walks per block. The span starts at 1/16 cycle and doubles (up to a
    // cycle) while one span's queries take over 0.5 ms, halving again below 0.05 ms. Triggers
    // (onsets) don't depend on where a query is cut, so this changes nothing that plays.
    // Controls stay per window.
    let min_span = (per_cycle / 16).max(1);
    let mut span = min_span;
    let mut next_query = start;
    let mut k = start;
    let (mut dead, mut dead_controls) = (vec![false; sources.len()], vec![false; controls.len()]);
    let mut warned = false;
    while !shared.stop.load(Ordering::Acquire) {
        if k >= shared.rendering.load(Ordering::Acquire).saturating_add(ahead) {
            std::thread::park_timeout(Duration::from_millis(1));
            continue;
        }
        let (Some(begin), Some(end)) = (window_start(k, per_cycle), window_start(k + 1, per_cycle)) else { return };
        // the sources' next span, [k, the next multiple of the span), when it is due
        let src_span = if k >= next_query {
            next_query = (k.div_euclid(span) + 1) * span;
            window_start(next_query, per_cycle)
        } else {
            None
        };
        let began = std::time::Instant::now();
        for (i, (src, prod)) in sources.iter_mut().zip(prods.iter_mut()).enumerate() {
            let Some(src_end) = src_span else { break };
            if dead[i] {
                continue;
            }
            triggers.clear();
            // a source whose query panics (a time overflow deep in a pattern) falls silent
            // alone; the rest of the scene plays on
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| src.query(begin, src_end, &mut triggers))).is_ok();
            if !ok {
                dead[i] = true;
                tracing::error!("a pattern query panicked at cycle {begin}: that pattern stops here (the rest of the scene plays on)");
                continue;
            }
            triggers.sort_by_key(|t: &Trigger| t.onset);
            cap_per_window(&mut triggers, |t| t.onset, per_cycle, &shared, &mut warned);
            let mut overflowing = false;
            for t in triggers.drain(..) {
                if !push_blocking(prod, t, &shared, &mut overflowing) {
                    return;
                }
            }
        }
        if src_span.is_some() && !sources.is_empty() {
            let took = began.elapsed();
            if took > Duration::from_micros(500) {
                span = (span * 2).min(per_cycle);
            } else if took < Duration::from_micros(50) {
                span = (span / 2).max(min_span);
            }
        }
        for (i, (ctl, prod)) in controls.iter_mut().zip(cprods.iter_mut()).enumerate() {
            if dead_controls[i] {
                continue;
            }
            changes.clear();
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ctl.query(begin, end, &mut changes))).is_ok();
            if !ok {
                dead_controls[i] = true;
                tracing::error!("a control pattern query panicked at cycle {begin}: that control holds its value from here on");
                continue;
            }
            changes.sort_by_key(|c: &(Rational, f32)| c.0);
            cap_per_window(&mut changes, |c| c.0, per_cycle, &shared, &mut warned);
            let mut overflowing = false;
            for c in changes.drain(..) {
                if !push_blocking(prod, c, &shared, &mut overflowing) {
                    return;
                }
            }
        }
        k += 1;
        shared.covered.store(k, Ordering::Release);
    }
}

/// Keep at most [`MAX_EVENTS_PER_WINDOW`] of `items` (sorted by onset) in each window, the
/// earliest; count the rest in `shared.dropped` and warn the first time.
fn cap_per_window<T>(items: &mut Vec<T>, onset: impl Fn(&T) -> Rational, per_cycle: i64, shared: &Shared, warned: &mut bool) {
    if items.len() <= MAX_EVENTS_PER_WINDOW {
        return;
    }
    let (mut window, mut count, mut dropped) = (i64::MIN, 0usize, 0u64);
    items.retain(|x| {
        let w = window_of(onset(x), per_cycle);
        if w != window {
            (window, count) = (w, 0);
        }
        count += 1;
        let keep = count <= MAX_EVENTS_PER_WINDOW;
        dropped += u64::from(!keep);
        keep
    });
    if dropped > 0 {
        shared.dropped.fetch_add(dropped, Ordering::Relaxed);
        if !std::mem::replace(warned, true) {
            tracing::warn!(
                "a pattern starts more than {MAX_EVENTS_PER_WINDOW} events in one block: the rest are dropped (an event flood such as `fast 1e8`?)"
            );
        }
    }
}

/// Pop from `cons` into `out` everything before `end`, waiting (spinning, then yielding) for the
/// lookahead thread where it has not covered the block yet — popping all the while, so a source
/// with more events in one block than its ring holds still flows. Items before `begin` (none,
/// in order) are dropped. Returns early only if the thread has stopped.
fn drain<T: Copy>(cons: &mut Cons<T>, shared: &Shared, begin: Rational, end: Rational, onset: impl Fn(&T) -> Rational, out: &mut Vec<T>) {
    let need = windows_before(end, shared.per_cycle);
    shared.rendering.store(window_of(end, shared.per_cycle), Ordering::Release);
    let mut spins = 0u32;
    loop {
        // what is already queued: everything before `end`
        while let Some(x) = cons.try_peek() {
            let at = onset(x);
            if at >= end {
                return; // later windows: all of this block's items are out
            }
            let x = *x;
            cons.try_pop();
            if at >= begin {
                out.push(x);
            }
        }
        // the ring is empty: done once the thread has covered the block (it may have pushed
        // more between our last look and its publishing `covered`: look once more)
        if shared.covered.load(Ordering::Acquire) >= need {
            if cons.is_empty() {
                return;
            }
            continue;
        }
        if shared.stop.load(Ordering::Acquire) {
            return;
        }
        spins += 1;
        if spins < 64 {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}

/// The render side of a pattern event source.
struct Queued {
    cons: Cons<Trigger>,
    shared: Arc<Shared>,
}

impl EventSource for Queued {
    fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<Trigger>) {
        self.shared.rendering.store(window_of(begin, self.shared.per_cycle), Ordering::Release);
        drain(&mut self.cons, &self.shared, begin, end, |t| t.onset, out);
    }
}

/// The render side of a pattern control source.
struct QueuedControl {
    cons: Cons<(Rational, f32)>,
    shared: Arc<Shared>,
}

impl ControlSource for QueuedControl {
    fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<(Rational, f32)>) {
        self.shared.rendering.store(window_of(begin, self.shared.per_cycle), Ordering::Release);
        drain(&mut self.cons, &self.shared, begin, end, |c| c.0, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One trigger at every 1/3 cycle.
    struct Thirds;
    impl EventSource for Thirds {
        fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<Trigger>) {
            let mut k = (begin.checked_mul(Rational::integer(3)).unwrap()).ceil();
            loop {
                let at = Rational::new(k, 3);
                if at >= end {
                    break;
                }
                out.push(Trigger { onset: at, ..Trigger::default() });
                k += 1;
            }
        }
    }

    /// Queued triggers are exactly the direct ones, block by block, whatever the block arcs.
    #[test]
    fn queued_equals_direct() {
        let (_la, mut q, _) = Lookahead::spawn(vec![Box::new(Thirds)], vec![], 16, Rational::ZERO).unwrap();
        let mut direct = Thirds;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let step = Rational::new(7, 100);
        let mut t = Rational::ZERO;
        for _ in 0..300 {
            let e = t.checked_add(step).unwrap();
            a.clear();
            b.clear();
            q[0].query(t, e, &mut a);
            direct.query(t, e, &mut b);
            assert_eq!(a, b, "block {t}..{e}");
            t = e;
        }
    }

    /// Far more events in one block than a ring holds, from two sources: no deadlock; the
    /// overflow is counted, never waited on forever.
    #[test]
    fn overfull_rings_do_not_deadlock() {
        struct Burst;
        impl EventSource for Burst {
            fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<Trigger>) {
                if begin <= Rational::ZERO && end > Rational::ZERO {
                    out.extend(std::iter::repeat_n(Trigger { onset: Rational::ZERO, ..Trigger::default() }, 3 * EVENT_RING));
                }
            }
        }
        let (la, mut q, _) = Lookahead::spawn(vec![Box::new(Burst), Box::new(Burst)], vec![], 16, Rational::ZERO).unwrap();
        let mut out = Vec::new();
        let mut t = Rational::ZERO;
        for _ in 0..8 {
            let e = t.checked_add(Rational::new(1, 16)).unwrap();
            for s in q.iter_mut() {
                s.query(t, e, &mut out);
            }
            t = e;
        }
        assert!(!out.is_empty() && la.dropped() > 0, "{} played, {} dropped", out.len(), la.dropped());
    }

    #[test]
    fn windows_are_about_a_block() {
        assert_eq!(windows_per_cycle(44_100, 512, 0.5), 256);
        assert_eq!(windows_per_cycle(48_000, 64, 2.0), 512);
        assert_eq!(windows_per_cycle(48_000, 65_536, 4.0), 8);
    }
}
