//! The pattern algebra: TidalCycles 1.9's model, in Rust.
//!
//! A [`Pattern<T>`] is a pure function from a query [`Span`] (an arc of cycles) to the
//! [`Hap`]s (events) active in it. Nothing here knows about clocks, sound or I/O. Patterns are
//! cheap to clone (an `Arc` around the query) and are queried every block without re-parsing.
//!
//! Names follow Tidal where they exist (`rotL` → [`Pattern::early`], `rotR` → [`Pattern::late`],
//! `appLeft` → [`Pattern::app_left`], …); the algorithms are ports of Tidal 1.9's, checked
//! against Tidal itself (see `tests/patterns.rs` and `../shared/oracle`).

use phonon_components::Rational;
use std::sync::Arc;

/// Time in cycles.
pub type Time = Rational;

/// The most cycles one query may span after all time transforms.
pub const MAX_QUERY_CYCLES: i64 = 1_000_000;

thread_local! {
    /// Cycle fragments the running [`Pattern::query_bounded`] may still make (`None`: no bound).
    static BUDGET: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// Whether the running bounded query ran out of its budget.
    static TRUNCATED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Whether spans over [`MAX_QUERY_CYCLES`] panic inside bounded queries too.
    static STRICT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` (a bounded query) with a span over [`MAX_QUERY_CYCLES`] refused as outside one (a
/// panic, for the caller to catch), rather than cut to the budget: for `phonon query`, which
/// reports a runaway arc as such.
pub(crate) fn refusing_runaways<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            STRICT.set(self.0);
        }
    }
    let _reset = Reset(STRICT.replace(true));
    f()
}

/// A half-open arc of time `[begin, end)` (Tidal's `Arc`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Span {
    /// Start, in cycles (inclusive).
    pub begin: Time,
    /// End, in cycles (exclusive; equal to `begin` for a zero-width span).
    pub end: Time,
}

impl Span {
    /// The span `[begin, end)`; no check that `begin <= end`.
    pub fn new(begin: Time, end: Time) -> Span {
        Span { begin, end }
    }

    /// Split at cycle boundaries (Tidal's `arcCyclesZW`: a zero-width span is kept as is).
    /// Allocates the result.
    ///
    /// # Panics
    ///
    /// If the span is longer than [`MAX_QUERY_CYCLES`] (a runaway query such as `fast 1e12`),
    /// except inside [`Pattern::query_bounded`], where it never panics for length: it stops
    /// when that query's budget is spent (see [`Span::cycle_iter`]).
    pub fn cycles(self) -> Vec<Span> {
        self.cycle_iter().collect()
    }

    /// [`Span::cycles`] as a lazy iterator. Inside [`Pattern::query_bounded`] each fragment it
    /// yields spends one unit of that query's budget, and it ends early (marking the query as
    /// truncated) when none is left, after its first fragment, which is free. Spent lazily, the
    /// budget is shared between the levels of a pattern (an outer split and the queries it
    /// makes inside each fragment); the free first fragment keeps the queries made inside
    /// answering (so the work is bounded by the budget plus one fragment per query made).
    ///
    /// # Panics
    ///
    /// Outside a bounded query, if the span is longer than [`MAX_QUERY_CYCLES`].
    pub fn cycle_iter(self) -> impl Iterator<Item = Span> {
        let bounded = BUDGET.get().is_some();
        // A query over more cycles than this is a runaway (`fast 1e12`), not music: refuse it
        // (callers on the command line and the render path catch this and report it).
        if (!bounded || STRICT.get()) && (self.end - self.begin) > Rational::integer(MAX_QUERY_CYCLES) {
            panic!("a pattern query spans more than {MAX_QUERY_CYCLES} cycles");
        }
        let (mut b, end, mut zero_width) = (self.begin, self.end, self.begin == self.end);
        let mut first = true;
        std::iter::from_fn(move || {
            if !(zero_width || b < end) {
                return None;
            }
            if bounded {
                match BUDGET.get() {
                    // the first fragment of every split is free: a pattern's constant arguments
                    // (`pure 8` inside `irand 8`) still answer once the budget is spent, so
                    // the truncated answer holds the events found, not nothing
                    Some(0) if !first => {
                        TRUNCATED.set(true);
                        return None;
                    }
                    Some(0) | None => {}
                    Some(left) => BUDGET.set(Some(left - 1)),
                }
            }
            first = false;
            if std::mem::take(&mut zero_width) {
                b = end;
                return Some(Span::new(end, end));
            }
            let next = b.sam() + Rational::ONE;
            let e = if next < end { next } else { end };
            let part = Span::new(b, e);
            b = e;
            Some(part)
        })
    }

    /// Apply `f` to both ends.
    pub fn with_time(self, f: impl Fn(Time) -> Time) -> Span {
        Span::new(f(self.begin), f(self.end))
    }

    /// Apply `f` to times relative to the cycle of `begin` (Tidal's `mapCycle`).
    pub fn with_cycle(self, f: impl Fn(Time) -> Time) -> Span {
        let sam = self.begin.sam();
        Span::new(sam + f(self.begin - sam), sam + f(self.end - sam))
    }

    /// Intersection bounds (may be inverted when disjoint; Tidal's `sect`).
    pub fn sect(self, o: Span) -> Span {
        Span::new(self.begin.max(o.begin), self.end.min(o.end))
    }

    /// The intersection, `None` when the spans do not meet (Tidal's `subArc`, including its
    /// rule that a zero-width result at the end of a non-zero-width span does not count).
    pub fn sub_span(self, o: Span) -> Option<Span> {
        let s = self.sect(o);
        if s.begin == s.end && s.begin == self.end && self.begin < self.end {
            return None;
        }
        if s.begin == s.end && s.begin == o.end && o.begin < o.end {
            return None;
        }
        if s.begin <= s.end { Some(s) } else { None }
    }

    /// The time halfway between `begin` and `end` (where signals are sampled).
    pub fn midpoint(self) -> Time {
        self.begin + (self.end - self.begin) / Rational::integer(2)
    }

    /// The whole cycle containing `t`.
    pub fn cycle_of(t: Time) -> Span {
        Span::new(t.sam(), t.sam() + Rational::ONE)
    }
}

/// `Option<Span>` intersection: both `Some` → their intersection (or no event), otherwise the
/// result is analog (Tidal's `subMaybeArc`).
pub fn sub_maybe_span(a: Option<Span>, b: Option<Span>) -> Option<Option<Span>> {
    match (a, b) {
        (Some(a), Some(b)) => a.sub_span(b).map(Some),
        _ => Some(None),
    }
}

/// An event: a value active over `part`, a fragment of its `whole` (`None` for continuous,
/// "analog" values sampled from signals).
#[derive(Clone, Debug, PartialEq)]
pub struct Hap<T> {
    /// The whole event's extent (`None` for an analog value from a continuous signal).
    pub whole: Option<Span>,
    /// The fragment of `whole` inside the query (for an analog event, the query span).
    pub part: Span,
    /// What the event carries.
    pub value: T,
}

impl<T> Hap<T> {
    /// Does this fragment contain the event's start?
    pub fn has_onset(&self) -> bool {
        self.whole.is_some_and(|w| w.begin == self.part.begin)
    }
    /// `whole`, or `part` for an analog event.
    pub fn whole_or_part(&self) -> Span {
        self.whole.unwrap_or(self.part)
    }
    /// Apply `f` to `whole` and `part`.
    pub fn with_span(self, f: impl Fn(Span) -> Span) -> Hap<T> {
        Hap { whole: self.whole.map(&f), part: f(self.part), value: self.value }
    }
    /// Apply `f` to the value, keeping the timing.
    pub fn with_value<U>(self, f: impl FnOnce(T) -> U) -> Hap<U> {
        Hap { whole: self.whole, part: self.part, value: f(self.value) }
    }
}

/// Bound for pattern values: cloneable and shareable across threads (blanket-implemented for
/// every such type).
pub trait Value: Clone + Send + Sync + 'static {}
impl<T: Clone + Send + Sync + 'static> Value for T {}

type Query<T> = dyn Fn(Span) -> Vec<Hap<T>> + Send + Sync;

/// A pattern: a shared query function from a span to the events active in it.
///
/// Cloning shares the query (an `Arc`); querying allocates the returned `Vec` (and usually
/// more), so queries belong off the audio thread (see [`crate::lookahead`]).
///
/// ```
/// use phonon::components::Rational;
/// use phonon::pattern::Pattern;
/// // Tidal: fastcat [pure "a", pure "b"] = "a b"
/// let ab = Pattern::fastcat(vec![Pattern::pure('a'), Pattern::pure('b')]);
/// let values: Vec<char> = ab.onsets(Rational::ZERO, Rational::integer(2)).iter().map(|h| h.value).collect();
/// assert_eq!(values, ['a', 'b', 'a', 'b']);
/// ```
pub struct Pattern<T> {
    q: Arc<Query<T>>,
}

impl<T> Clone for Pattern<T> {
    fn clone(&self) -> Self {
        Pattern { q: self.q.clone() }
    }
}

impl<T: Value> Pattern<T> {
    /// A pattern from its query function: `f` must return the events active in the span it
    /// is given, with `part`s inside that span.
    pub fn new(f: impl Fn(Span) -> Vec<Hap<T>> + Send + Sync + 'static) -> Pattern<T> {
        Pattern { q: Arc::new(f) }
    }

    /// The events active in `span`.
    pub fn query(&self, span: Span) -> Vec<Hap<T>> {
        (self.q)(span)
    }

    /// The events active in `span`, making at most `max_fragments` cycle fragments on the way
    /// (every event of a query comes from splitting some span at cycle boundaries, at some
    /// depth of the pattern: `pure`, `slowcat`, `split_queries`); `true` if the budget ran out.
    ///
    /// The bound turns an event flood (`fast 1e8 $ s "bd"`, `"[bd*100000]*1000"`) into a
    /// truncated answer in bounded time and memory: what is returned are the events of the
    /// first fragments made (roughly, the earliest ones), the rest are missing. Without the
    /// bound such a query would take minutes and gigabytes, or (past [`MAX_QUERY_CYCLES`] in one
    /// span) panic. A query inside another bounded query shares the outer budget.
    ///
    /// ```
    /// use phonon::components::Rational;
    /// use phonon::pattern::{Pattern, Span};
    /// let flood = Pattern::pure(1).fast(Rational::integer(100_000_000));
    /// let (haps, truncated) = flood.query_bounded(Span::new(Rational::ZERO, Rational::ONE), 1000);
    /// assert!(truncated && haps.len() <= 1000);
    /// let (haps, truncated) = Pattern::pure(1).fast(Rational::integer(4)).query_bounded(Span::new(Rational::ZERO, Rational::ONE), 1000);
    /// assert!(!truncated && haps.len() == 4);
    /// ```
    pub fn query_bounded(&self, span: Span, max_fragments: usize) -> (Vec<Hap<T>>, bool) {
        if BUDGET.get().is_some() {
            return (self.query(span), TRUNCATED.get());
        }
        /// Clears the budget even if the query panics.
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                BUDGET.set(None);
            }
        }
        BUDGET.set(Some(max_fragments));
        TRUNCATED.set(false);
        let _reset = Reset;
        let haps = self.query(span);
        (haps, TRUNCATED.get())
    }

    /// Events in `[begin, end)` (convenience for tests and tools), in the pattern's own order
    /// (not sorted). An event crossing `begin` or `end` comes as a fragment: its `part` is cut
    /// to the query, its `whole` is not.
    ///
    /// ```
    /// use phonon::components::Rational;
    /// use phonon::pattern::{Pattern, Span};
    /// let r = Rational::new;
    /// // Tidal: queryArc (pure 1) (Arc 0.5 1.5)
    /// let haps = Pattern::pure(1).query_arc(r(1, 2), r(3, 2));
    /// assert_eq!(haps.len(), 2);
    /// assert_eq!(haps[0].whole, Some(Span::new(r(0, 1), r(1, 1))));
    /// assert_eq!(haps[0].part, Span::new(r(1, 2), r(1, 1)));
    /// assert!(!haps[0].has_onset() && haps[1].has_onset());
    /// ```
    pub fn query_arc(&self, begin: Time, end: Time) -> Vec<Hap<T>> {
        self.query(Span::new(begin, end))
    }

    /// Only the fragments that start their event, sorted by onset.
    pub fn onsets(&self, begin: Time, end: Time) -> Vec<Hap<T>> {
        let mut v: Vec<_> = self.query_arc(begin, end).into_iter().filter(|h| h.has_onset()).collect();
        v.sort_by_key(|h| h.part.begin);
        v
    }

    /// Nothing, ever.
    pub fn silence() -> Pattern<T> {
        Pattern::new(|_| Vec::new())
    }

    /// One event per cycle, filling it (Tidal's `pure`).
    pub fn pure(v: T) -> Pattern<T> {
        Pattern::new(move |span| {
            span.cycle_iter().map(|part| Hap { whole: Some(Span::cycle_of(part.begin)), part, value: v.clone() }).collect()
        })
    }

    /// A continuous value with no structure (Tidal's `steady`).
    pub fn steady(v: T) -> Pattern<T> {
        Pattern::new(move |span| vec![Hap { whole: None, part: span, value: v.clone() }])
    }

    /// Split every query at cycle boundaries.
    pub fn split_queries(&self) -> Pattern<T> {
        let p = self.clone();
        Pattern::new(move |span| span.cycle_iter().flat_map(|s| p.query(s)).collect())
    }

    /// Map every query span before it reaches `self` (Tidal's `withQueryArc`).
    pub fn with_query_span(&self, f: impl Fn(Span) -> Span + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        Pattern::new(move |span| p.query(f(span)))
    }

    /// Map both ends of every query span (Tidal's `withQueryTime`).
    pub fn with_query_time(&self, f: impl Fn(Time) -> Time + Send + Sync + 'static) -> Pattern<T> {
        self.with_query_span(move |s| s.with_time(&f))
    }

    /// Map the whole and part of every event.
    pub fn with_hap_span(&self, f: impl Fn(Span) -> Span + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        Pattern::new(move |span| p.query(span).into_iter().map(|h| h.with_span(&f)).collect())
    }

    /// Map the times of every event's whole and part (Tidal's `withResultTime`).
    pub fn with_hap_time(&self, f: impl Fn(Time) -> Time + Send + Sync + 'static) -> Pattern<T> {
        self.with_hap_span(move |s| s.with_time(&f))
    }

    /// Transform the list of events of every query.
    pub fn with_haps(&self, f: impl Fn(Vec<Hap<T>>) -> Vec<Hap<T>> + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        Pattern::new(move |span| f(p.query(span)))
    }

    /// Map every value, keeping the structure (Tidal's `fmap`, `<$>`).
    pub fn fmap<U: Value>(&self, f: impl Fn(&T) -> U + Send + Sync + 'static) -> Pattern<U> {
        let p = self.clone();
        Pattern::new(move |span| p.query(span).into_iter().map(|h| Hap { whole: h.whole, part: h.part, value: f(&h.value) }).collect())
    }

    /// Keep the events passing `f` (Tidal's `filterEvents`).
    pub fn filter_haps(&self, f: impl Fn(&Hap<T>) -> bool + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        Pattern::new(move |span| p.query(span).into_iter().filter(|h| f(h)).collect())
    }

    /// Keep the events whose value passes `f` (Tidal's `filterValues`).
    pub fn filter_values(&self, f: impl Fn(&T) -> bool + Send + Sync + 'static) -> Pattern<T> {
        self.filter_haps(move |h| f(&h.value))
    }

    /// Keep only fragments that contain their onset.
    pub fn filter_onsets(&self) -> Pattern<T> {
        self.filter_haps(|h| h.has_onset())
    }

    /// Speed up by `r` (Tidal's `_fast`; 0 is silence, negative reverses).
    ///
    /// ```
    /// use phonon::components::Rational;
    /// use phonon::pattern::Pattern;
    /// let r = Rational::new;
    /// // Tidal: fast 2 "a b" = "a b a b"
    /// let ab = Pattern::fastcat(vec![Pattern::pure('a'), Pattern::pure('b')]);
    /// let haps = ab.fast(r(2, 1)).onsets(r(0, 1), r(1, 1));
    /// let got: Vec<_> = haps.iter().map(|h| (h.value, h.part.begin)).collect();
    /// assert_eq!(got, [('a', r(0, 1)), ('b', r(1, 4)), ('a', r(1, 2)), ('b', r(3, 4))]);
    /// ```
    pub fn fast(&self, r: Time) -> Pattern<T> {
        if r == Rational::ZERO {
            return Pattern::silence();
        }
        if r < Rational::ZERO {
            return self.fast(-r).rev();
        }
        self.with_query_time(move |t| t * r).with_hap_time(move |t| t / r)
    }

    /// Slow down by `r` (Tidal's `_slow`: `fast (1/r)`; 0 is silence).
    pub fn slow(&self, r: Time) -> Pattern<T> {
        if r == Rational::ZERO { Pattern::silence() } else { self.fast(Rational::ONE / r) }
    }

    /// Shift earlier by `t` cycles (Tidal's `rotL`, `<~`).
    pub fn early(&self, t: Time) -> Pattern<T> {
        self.with_query_time(move |x| x + t).with_hap_time(move |x| x - t)
    }

    /// Shift later by `t` cycles (Tidal's `rotR`, `~>`).
    pub fn late(&self, t: Time) -> Pattern<T> {
        self.early(-t)
    }

    /// Reverse every cycle (Tidal's `rev`): each cycle plays back to front; events keep their
    /// lengths.
    ///
    /// ```
    /// use phonon::components::Rational;
    /// use phonon::pattern::Pattern;
    /// let r = Rational::new;
    /// // Tidal: rev "a b c" = "c b a"
    /// let abc = Pattern::fastcat(vec![Pattern::pure('a'), Pattern::pure('b'), Pattern::pure('c')]);
    /// let haps = abc.rev().onsets(r(0, 1), r(1, 1));
    /// let got: Vec<_> = haps.iter().map(|h| (h.value, h.part.begin)).collect();
    /// assert_eq!(got, [('c', r(0, 1)), ('b', r(1, 3)), ('a', r(2, 3))]);
    /// ```
    pub fn rev(&self) -> Pattern<T> {
        let p = self.clone();
        Pattern::new(move |span| {
            let cycle = span.begin.sam();
            let next = cycle + Rational::ONE;
            let reflect = |s: Span| Span::new(cycle + (next - s.end), cycle + (next - s.begin));
            p.query(reflect(span)).into_iter().map(|h| h.with_span(reflect)).collect()
        })
        .split_queries()
    }

    /// Squash each cycle into its first `1/r`, leaving a gap (Tidal's `_fastGap`, exactly:
    /// every result span is mapped relative to the cycle of its own start, as Tidal does).
    pub fn fast_gap(&self, r: Time) -> Pattern<T> {
        if r <= Rational::ZERO {
            return Pattern::silence();
        }
        let r = r.max(Rational::ONE);
        let p = self.clone();
        Pattern::new(move |span| {
            let munge = |t: Time| t.sam() + ((t - t.sam()) * r).min(Rational::ONE);
            let inner = Span::new(munge(span.begin), munge(span.end));
            // zero-width queries of the next cycle start return nothing
            if inner.begin == span.begin.sam() + Rational::ONE {
                return Vec::new();
            }
            let map = |s: Span| {
                let sam = s.begin.sam();
                Span::new(sam + (s.begin - sam) / r, sam + (s.end - sam) / r)
            };
            p.query(inner).into_iter().map(|h| h.with_span(map)).collect()
        })
        .split_queries()
    }

    /// Squeeze each cycle into `[b, e)` of the cycle, silence elsewhere (Tidal's `compressArc`).
    pub fn compress(&self, b: Time, e: Time) -> Pattern<T> {
        if b > e || b > Rational::ONE || e > Rational::ONE || b < Rational::ZERO || e < Rational::ZERO || b == e {
            return Pattern::silence();
        }
        self.fast_gap(Rational::ONE / (e - b)).late(b)
    }

    /// Like compress but without gaps, and the span may exceed a cycle (Tidal's `focusArc`).
    pub fn focus(&self, b: Time, e: Time) -> Pattern<T> {
        let cyc = b - b.sam();
        self.fast_gap(Rational::ONE / (e - b)).late(cyc)
    }

    /// Play only `[s, e)` of each cycle, stretched to fill it (Tidal's `zoomArc`).
    pub fn zoom(&self, s: Time, e: Time) -> Pattern<T> {
        if s == e {
            return Pattern::silence();
        }
        let d = e - s;
        self.with_query_span(move |sp| sp.with_cycle(|t| t * d + s)).with_hap_span(move |sp| sp.with_cycle(|t| (t - s) / d)).split_queries()
    }

    /// Structure from the left: each left event takes values of the right events it overlaps
    /// (Tidal's `appLeft`: `|+`, `#`).
    pub fn app_left<U: Value, V: Value>(&self, other: &Pattern<U>, f: impl Fn(&T, &U) -> V + Send + Sync + 'static) -> Pattern<V> {
        let (l, r) = (self.clone(), other.clone());
        Pattern::new(move |span| {
            let mut out = Vec::new();
            // fragments of one left event (a slow event queried across cycles) ask the right
            // for the same whole: query it once
            let mut memo: Option<(Span, Vec<Hap<U>>)> = None;
            for hl in l.query(span) {
                let over = hl.whole_or_part();
                if memo.as_ref().is_none_or(|(s, _)| *s != over) {
                    memo = Some((over, r.query(over)));
                }
                let rs = memo.as_ref().map_or(&[][..], |(_, rs)| rs.as_slice());
                for hr in rs {
                    if let Some(part) = hl.part.sub_span(hr.part) {
                        out.push(Hap { whole: hl.whole, part, value: f(&hl.value, &hr.value) });
                    }
                }
            }
            out
        })
    }

    /// Structure from the right (Tidal's `appRight`: `+|`).
    pub fn app_right<U: Value, V: Value>(&self, other: &Pattern<U>, f: impl Fn(&T, &U) -> V + Send + Sync + 'static) -> Pattern<V> {
        let (l, r) = (self.clone(), other.clone());
        Pattern::new(move |span| {
            let mut out = Vec::new();
            let mut memo: Option<(Span, Vec<Hap<T>>)> = None;
            for hr in r.query(span) {
                let over = hr.whole_or_part();
                if memo.as_ref().is_none_or(|(s, _)| *s != over) {
                    memo = Some((over, l.query(over)));
                }
                let ls = memo.as_ref().map_or(&[][..], |(_, ls)| ls.as_slice());
                for hl in ls {
                    if let Some(part) = hr.part.sub_span(hl.part) {
                        out.push(Hap { whole: hr.whole, part, value: f(&hl.value, &hr.value) });
                    }
                }
            }
            out
        })
    }

    /// Structure from both sides: events where both overlap (Tidal's `appBoth`, `<*>`: `|+|`).
    pub fn app_both<U: Value, V: Value>(&self, other: &Pattern<U>, f: impl Fn(&T, &U) -> V + Send + Sync + 'static) -> Pattern<V> {
        let (l, r) = (self.clone(), other.clone());
        Pattern::new(move |span| {
            let rs = r.query(span);
            let mut out = Vec::new();
            for hl in l.query(span) {
                for hr in &rs {
                    let Some(whole) = sub_maybe_span(hl.whole, hr.whole) else { continue };
                    let Some(part) = hl.part.sub_span(hr.part) else { continue };
                    out.push(Hap { whole, part, value: f(&hl.value, &hr.value) });
                }
            }
            out
        })
    }

    /// Layer patterns. Inside [`Pattern::query_bounded`], the layers after the budget is spent
    /// are not queried (the query is marked truncated).
    pub fn stack(pats: Vec<Pattern<T>>) -> Pattern<T> {
        Pattern::new(move |span| {
            let mut out = Vec::new();
            for (i, p) in pats.iter().enumerate() {
                if i > 0 && BUDGET.get() == Some(0) {
                    TRUNCATED.set(true);
                    break;
                }
                out.extend(p.query(span));
            }
            out
        })
    }

    /// One pattern per cycle, in turn; each advances only when it plays (Tidal's `cat`/`slowcat`).
    pub fn slowcat(pats: Vec<Pattern<T>>) -> Pattern<T> {
        if pats.is_empty() {
            return Pattern::silence();
        }
        let n = pats.len() as i64;
        Pattern::slowcat_fn(n, move |i| pats[i as usize].clone())
    }

    /// [`Pattern::slowcat`] of the `n` patterns `f(0)` … `f(n - 1)`, each made when a query
    /// reaches its cycle: the same events, in memory and time independent of `n` (so `run 1e8`
    /// or `chop 1e8` cost what their queries find, not a list of 10⁸ patterns). `n <= 0` is
    /// silence.
    pub fn slowcat_fn(n: i64, f: impl Fn(i64) -> Pattern<T> + Send + Sync + 'static) -> Pattern<T> {
        if n <= 0 {
            return Pattern::silence();
        }
        Pattern::new(move |span| {
            let cyc = span.begin.floor();
            let i = cyc.rem_euclid(n);
            let offset = Rational::integer(cyc - (cyc - i).div_euclid(n));
            f(i).query(Span::new(span.begin - offset, span.end - offset))
                .into_iter()
                .map(|h| h.with_span(|s| s.with_time(|t| t + offset)))
                .collect()
        })
        .split_queries()
    }

    /// [`Pattern::fastcat`] of `f(0)` … `f(n - 1)`, made on demand (see
    /// [`Pattern::slowcat_fn`]).
    ///
    /// ```
    /// use phonon::components::Rational;
    /// use phonon::pattern::Pattern;
    /// // Tidal: run 4 = fastcat [pure 0, pure 1, pure 2, pure 3]
    /// let run = Pattern::fastcat_fn(4, |i| Pattern::pure(i));
    /// let values: Vec<i64> = run.onsets(Rational::ZERO, Rational::ONE).iter().map(|h| h.value).collect();
    /// assert_eq!(values, [0, 1, 2, 3]);
    /// ```
    pub fn fastcat_fn(n: i64, f: impl Fn(i64) -> Pattern<T> + Send + Sync + 'static) -> Pattern<T> {
        if n <= 0 {
            return Pattern::silence();
        }
        Pattern::slowcat_fn(n, f).fast(Rational::integer(n))
    }

    /// All patterns squashed into one cycle (Tidal's `fastcat`).
    pub fn fastcat(pats: Vec<Pattern<T>>) -> Pattern<T> {
        let n = pats.len() as i64;
        if n == 0 {
            return Pattern::silence();
        }
        Pattern::slowcat(pats).fast(Rational::integer(n))
    }

    /// Patterns squashed into one cycle, each taking time in proportion to its weight
    /// (Tidal's `timecat`).
    pub fn timecat(parts: Vec<(Time, Pattern<T>)>) -> Pattern<T> {
        let total = parts.iter().fold(Rational::ZERO, |a, (w, _)| a + *w);
        if total == Rational::ZERO {
            return Pattern::silence();
        }
        let mut at = Rational::ZERO;
        let mut layers = Vec::new();
        for (w, p) in parts {
            if w == Rational::ZERO {
                continue;
            }
            layers.push(p.compress(at / total, (at + w) / total));
            at = at + w;
        }
        Pattern::stack(layers)
    }

    /// Sample the pattern `n` times per cycle (Tidal's `_segment`).
    pub fn segment(&self, n: Time) -> Pattern<T> {
        Pattern::pure(()).fast(n).app_left(self, |_, v| v.clone())
    }

    /// Events whose onset lies in the query only, with the other fragments dropped.
    pub fn onsets_only(&self) -> Pattern<T> {
        self.filter_onsets()
    }
}

impl<T: Value> Pattern<Pattern<T>> {
    /// Flatten, wholes from the inner patterns (Tidal's `innerJoin`).
    pub fn inner_join(&self) -> Pattern<T> {
        let pp = self.clone();
        Pattern::new(move |span| {
            let mut out = Vec::new();
            for outer in pp.query(span) {
                for inner in outer.value.query(outer.part) {
                    let Some(l) = span.sub_span(inner.part) else { continue };
                    let Some(l2) = l.sub_span(span) else { continue };
                    out.push(Hap { whole: inner.whole, part: l2, value: inner.value });
                }
            }
            out
        })
    }

    /// Flatten, wholes from the outer pattern; inner values sampled at the outer onset
    /// (Tidal's `outerJoin`).
    pub fn outer_join(&self) -> Pattern<T> {
        let pp = self.clone();
        Pattern::new(move |span| {
            let mut out = Vec::new();
            for outer in pp.query(span) {
                let t = outer.whole_or_part().begin;
                for inner in outer.value.query(Span::new(t, t)) {
                    out.push(Hap { whole: outer.whole, part: outer.part, value: inner.value });
                }
            }
            out
        })
    }

    /// Flatten, squeezing each inner pattern's cycle into its outer event (Tidal's
    /// `squeezeJoin`).
    pub fn squeeze_join(&self) -> Pattern<T> {
        let pp = self.clone();
        Pattern::new(move |span| {
            let mut out = Vec::new();
            for outer in pp.query(span) {
                let w = outer.whole_or_part();
                for inner in outer.value.focus(w.begin, w.end).query(outer.part) {
                    let Some(whole) = sub_maybe_span(outer.whole, inner.whole) else { continue };
                    let Some(part) = outer.part.sub_span(inner.part) else { continue };
                    out.push(Hap { whole, part, value: inner.value });
                }
            }
            out
        })
    }

    /// Flatten, whole = intersection of outer and inner wholes (Tidal's `unwrap`).
    pub fn unwrap(&self) -> Pattern<T> {
        let pp = self.clone();
        Pattern::new(move |span| {
            let mut out = Vec::new();
            for outer in pp.query(span) {
                for inner in outer.value.query(outer.part) {
                    let Some(whole) = sub_maybe_span(outer.whole, inner.whole) else { continue };
                    let Some(part) = outer.part.sub_span(inner.part) else { continue };
                    out.push(Hap { whole, part, value: inner.value });
                }
            }
            out
        })
    }
}

impl<T: Value> Pattern<T> {
    /// Tidal's `tParam`: a patterned first argument, joined with `innerJoin`.
    pub fn patterned<A: Value>(&self, arg: &Pattern<A>, f: impl Fn(&Pattern<T>, &A) -> Pattern<T> + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        arg.fmap(move |a| f(&p, a)).inner_join()
    }

    /// `fast` with a patterned factor.
    pub fn fast_p(&self, r: &Pattern<Time>) -> Pattern<T> {
        self.patterned(r, |p, r| p.fast(*r))
    }
    /// `slow` with a patterned factor.
    pub fn slow_p(&self, r: &Pattern<Time>) -> Pattern<T> {
        self.patterned(r, |p, r| p.slow(*r))
    }
    /// `early` with a patterned shift (Tidal's `<~` with a pattern on the left).
    pub fn early_p(&self, t: &Pattern<Time>) -> Pattern<T> {
        self.patterned(t, |p, t| p.early(*t))
    }
    /// `late` with a patterned shift (Tidal's `~>` with a pattern on the left).
    pub fn late_p(&self, t: &Pattern<Time>) -> Pattern<T> {
        self.patterned(t, |p, t| p.late(*t))
    }
}

/// A continuous signal: value `f(t)` at the midpoint of each query (Tidal's `sig`).
pub fn signal<T: Value>(f: impl Fn(Time) -> T + Send + Sync + 'static) -> Pattern<T> {
    Pattern::new(move |span| {
        if span.begin > span.end {
            return Vec::new();
        }
        vec![Hap { whole: None, part: span, value: f(span.midpoint()) }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> Time {
        Rational::new(n, d)
    }

    /// `pure` fills each cycle; a query across a boundary gives fragments with whole cycles.
    #[test]
    fn pure_splits_at_cycles() {
        let h = Pattern::pure(1).query_arc(r(1, 2), r(3, 2));
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].whole, Some(Span::new(r(0, 1), r(1, 1))));
        assert_eq!(h[0].part, Span::new(r(1, 2), r(1, 1)));
        assert!(!h[0].has_onset() && h[1].has_onset());
    }

    /// fastcat and slowcat place values where Tidal does.
    #[test]
    fn cat_orders() {
        let p = Pattern::fastcat(vec![Pattern::pure('a'), Pattern::pure('b')]);
        let h = p.onsets(r(0, 1), r(1, 1));
        assert_eq!(h.iter().map(|h| (h.value, h.part.begin)).collect::<Vec<_>>(), vec![('a', r(0, 1)), ('b', r(1, 2))]);
        let s = Pattern::slowcat(vec![Pattern::pure('a'), Pattern::pure('b'), Pattern::pure('c')]);
        let v: Vec<char> = s.onsets(r(0, 1), r(4, 1)).iter().map(|h| h.value).collect();
        assert_eq!(v, vec!['a', 'b', 'c', 'a']);
    }

    /// fast n . slow n = id, rev . rev = id, and query splitting does not change results.
    #[test]
    fn algebraic_laws() {
        let p = Pattern::timecat(vec![(r(1, 1), Pattern::pure(1)), (r(2, 1), Pattern::pure(2)), (r(1, 1), Pattern::silence())]);
        for n in [r(3, 1), r(2, 3), r(5, 7)] {
            assert_eq!(p.fast(n).slow(n).onsets(r(0, 1), r(3, 1)), p.onsets(r(0, 1), r(3, 1)));
        }
        assert_eq!(p.rev().rev().onsets(r(0, 1), r(2, 1)), p.onsets(r(0, 1), r(2, 1)));
        // the same events start in [0,2) as in [0,1) and [1,2) (fragments may be cut at 1)
        let key = |h: &Hap<i32>| (h.whole, h.value);
        let whole: Vec<_> = p.fast(r(3, 2)).onsets(r(0, 1), r(2, 1)).iter().map(key).collect();
        let mut split: Vec<_> = p.fast(r(3, 2)).onsets(r(0, 1), r(1, 1)).iter().map(key).collect();
        split.extend(p.fast(r(3, 2)).onsets(r(1, 1), r(2, 1)).iter().map(key));
        assert_eq!(whole, split);
    }
}
