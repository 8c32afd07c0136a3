//! Typed, generic pattern transforms: TidalCycles 1.9's `Sound.Tidal.UI` / `Core` library.
//!
//! Everything here is a method on [`Pattern<T>`] (or, for numbers, on `Pattern<f64>` /
//! `Pattern<i64>`) with `self` the pattern being transformed. Arguments Tidal lets you pattern
//! take patterns and are joined the way Tidal joins them:
//!
//! * `tParam` (most functions): [`Pattern::patterned`], an inner join (structure from `self`);
//! * `tParam2` / `tParam3` (`euclid`, `whenmod`, `stut`, …): the arguments are combined with
//!   `<*>` ([`Pattern::app_both`]) and then inner-joined ([`Pattern::patterned2`],
//!   [`Pattern::patterned3`]);
//! * monadic bind (`every'`, `run`, `irand`, `randcat`, negative `chunk`): `unwrap`
//!   ([`Pattern::bound`]).
//!
//! The plain-valued versions (Tidal's `_every`, `_iter`, …) carry an `_n` suffix where the
//! patterned version takes the Tidal name; where the core already uses the Tidal name for the
//! plain version (`fast`, `euclid`, `segment`, `fast_gap`, `degrade_by`), the patterned
//! version carries `_p`, as `fast_p` does.
//!
//! Function arguments are [`Transform<T>`]s; [`tf`] builds one from a closure.

use super::core::{Hap, Pattern, Span, Time, Value};
use super::scales;
use super::signal::{rand, time_to_rand};
use phonon_components::Rational;
use std::sync::Arc;

/// A pattern transformation passed as an argument (`every 3 rev`, `off 0.25 (# crush 4)`).
pub type Transform<T> = Arc<dyn Fn(&Pattern<T>) -> Pattern<T> + Send + Sync>;

/// Wrap a closure as a [`Transform`].
pub fn tf<T: Value>(f: impl Fn(&Pattern<T>) -> Pattern<T> + Send + Sync + 'static) -> Transform<T> {
    Arc::new(f)
}

fn rat(n: i64, d: i64) -> Time {
    Rational::new(n, d)
}

/// Haskell's `mod`: the result has the sign of the divisor. `b` must not be 0.
fn hs_mod(a: i64, b: i64) -> i64 {
    let m = a % b;
    if m != 0 && ((m < 0) != (b < 0)) { m + b } else { m }
}

/// Haskell's `div` (rounds towards negative infinity). `b` must not be 0.
fn hs_div(a: i64, b: i64) -> i64 {
    (a - hs_mod(a, b)) / b
}

/// Haskell's `mod'` on rationals: `t - a * floor (t / a)`. `a` must not be 0.
fn mod_time(t: Time, a: Time) -> Time {
    t - a * Rational::integer((t / a).floor())
}

/// Position within the cycle (Tidal's `cyclePos`).
fn cycle_pos(t: Time) -> Time {
    t - t.sam()
}

/// Haskell's `[0 .. n - 1]` for `Double`s (`enumFromTo` runs while `x <= n - 1 + 1/2`).
fn enum_len(n: f64) -> i64 {
    // Haskell's `[0 .. n-1]` on Doubles: 0, 1, 2 … while x <= n - 1 + 0.5
    let limit = n - 1.0 + 0.5;
    if limit.is_nan() || limit < 0.0 { 0 } else { (limit.floor() as i64).saturating_add(1).min(MAX_STEPS) }
}

/// The most steps `run`/`scan` make per cycle (Tidal has no bound: this one keeps cycle
/// positions exact in 64-bit rationals).
const MAX_STEPS: i64 = 1 << 40;

/// The most layers `stutter`, `echo`, `stut` and `echoWith` make: more are dropped, with one
/// warning (Tidal has no bound; `echoWith`'s layers nest, and ten thousand nested layers would
/// overflow the stack of the thread querying them).
pub const MAX_LAYERS: i64 = 1024;

/// `count` capped at [`MAX_LAYERS`], warning (once per process) when it is over.
pub(crate) fn layers(count: i64, what: &str) -> i64 {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if count > MAX_LAYERS && !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!("{what} {count}: at most {MAX_LAYERS} layers play, the rest are dropped");
    }
    count.clamp(0, MAX_LAYERS)
}

/// `(!!!)`: index a list cyclically.
fn cyclic<T: Clone>(xs: &[T], i: i64) -> T {
    xs[i.rem_euclid(xs.len() as i64) as usize].clone()
}

// -------------------------------------------------------------------------------------------
// Joins and parameter helpers
// -------------------------------------------------------------------------------------------

impl<T: Value> Pattern<T> {
    /// Tidal's `tParam2`: two patterned arguments combined with `<*>`, then inner-joined.
    pub fn patterned2<A: Value, B: Value>(
        &self,
        a: &Pattern<A>,
        b: &Pattern<B>,
        f: impl Fn(&Pattern<T>, &A, &B) -> Pattern<T> + Send + Sync + 'static,
    ) -> Pattern<T> {
        let ab = a.app_both(b, |x, y| (x.clone(), y.clone()));
        self.patterned(&ab, move |p, (x, y)| f(p, x, y))
    }

    /// Tidal's `tParam3`: three patterned arguments combined with `<*>`, then inner-joined.
    pub fn patterned3<A: Value, B: Value, C: Value>(
        &self,
        a: &Pattern<A>,
        b: &Pattern<B>,
        c: &Pattern<C>,
        f: impl Fn(&Pattern<T>, &A, &B, &C) -> Pattern<T> + Send + Sync + 'static,
    ) -> Pattern<T> {
        let abc = a.app_both(b, |x, y| (x.clone(), y.clone())).app_both(c, |(x, y), z| (x.clone(), y.clone(), z.clone()));
        self.patterned(&abc, move |p, (x, y, z)| f(p, x, y, z))
    }

    /// A patterned argument joined with Haskell's monadic bind (`>>=`, i.e. `unwrap`): wholes
    /// are the intersection of the argument's and the result's.
    pub fn bound<A: Value>(&self, arg: &Pattern<A>, f: impl Fn(&Pattern<T>, &A) -> Pattern<T> + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        arg.fmap(move |a| f(&p, a)).unwrap()
    }

    /// Tidal's `tParamSqueeze`: a patterned argument, each of its events squeezing a whole
    /// cycle of the result.
    pub fn squeezed<A: Value>(&self, arg: &Pattern<A>, f: impl Fn(&Pattern<T>, &A) -> Pattern<T> + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        arg.fmap(move |a| f(&p, a)).squeeze_join()
    }

    /// Keep events whose whole starts at a time passing `test` (Tidal's `filterWhen`; analog
    /// events are tested on their part).
    pub fn filter_when(&self, test: impl Fn(Time) -> bool + Send + Sync + 'static) -> Pattern<T> {
        self.filter_haps(move |h| test(h.whole_or_part().begin))
    }

    /// Apply `f` in the cycles whose number passes `test`.
    ///
    /// Tidal: `when`
    pub fn when(&self, test: impl Fn(i64) -> bool + Send + Sync + 'static, f: Transform<T>) -> Pattern<T> {
        let (p, fp) = (self.clone(), f(self));
        Pattern::new(move |span| if test(span.begin.floor()) { fp.query(span) } else { p.query(span) }).split_queries()
    }

    /// Apply `f` to the (cycle-split) queries whose start passes `test`.
    ///
    /// Tidal: `whenT`
    pub fn when_t(&self, test: impl Fn(Time) -> bool + Send + Sync + 'static, f: Transform<T>) -> Pattern<T> {
        let (p, fp) = (self.clone(), f(self));
        Pattern::new(move |span| if test(span.begin) { fp.query(span) } else { p.query(span) }).split_queries()
    }
}

impl<T: Value> Pattern<Option<T>> {
    /// Drop the `None`s (Tidal's `filterJust`).
    pub fn filter_just(&self) -> Pattern<T> {
        let p = self.clone();
        Pattern::new(move |span| {
            p.query(span).into_iter().filter_map(|h| h.value.map(|value| Hap { whole: h.whole, part: h.part, value })).collect()
        })
    }
}

// -------------------------------------------------------------------------------------------
// Concatenation and layering
// -------------------------------------------------------------------------------------------

impl<T: Value> Pattern<T> {
    /// One pattern per cycle, in turn.
    ///
    /// Tidal: `cat` (= `slowcat`)
    pub fn cat(pats: Vec<Pattern<T>>) -> Pattern<T> {
        Pattern::slowcat(pats)
    }

    /// Play both patterns at once.
    ///
    /// Tidal: `overlay`
    pub fn overlay(&self, other: &Pattern<T>) -> Pattern<T> {
        Pattern::stack(vec![self.clone(), other.clone()])
    }

    /// Alternate cycles of `self` and `other`.
    ///
    /// Tidal: `append` (= `slowAppend`)
    pub fn append(&self, other: &Pattern<T>) -> Pattern<T> {
        Pattern::slowcat(vec![self.clone(), other.clone()])
    }

    /// Tidal: `slowAppend`
    pub fn slow_append(&self, other: &Pattern<T>) -> Pattern<T> {
        self.append(other)
    }

    /// `self` then `other`, both squashed into one cycle.
    ///
    /// Tidal: `fastAppend`
    pub fn fast_append(&self, other: &Pattern<T>) -> Pattern<T> {
        self.append(other).fast(Rational::integer(2))
    }

    /// Play `self` and `f(self)` together.
    ///
    /// Tidal: `superimpose`
    pub fn superimpose(&self, f: Transform<T>) -> Pattern<T> {
        Pattern::stack(vec![self.clone(), f(self)])
    }

    /// Stack the results of every function applied to `self`.
    ///
    /// Tidal: `layer`
    pub fn layer(&self, fs: &[Transform<T>]) -> Pattern<T> {
        Pattern::stack(fs.iter().map(|f| f(self)).collect())
    }

    /// Superimpose `f` applied to a copy shifted later by `t`.
    ///
    /// Tidal: `off`
    pub fn off(&self, t: &Pattern<Time>, f: Transform<T>) -> Pattern<T> {
        self.patterned(t, move |p, t| p.off_n(*t, f.clone()))
    }

    /// Tidal: `_off`
    pub fn off_n(&self, t: Time, f: Transform<T>) -> Pattern<T> {
        Pattern::stack(vec![self.clone(), f(&self.late(t))])
    }

    /// `n` copies, each `t` later than the last.
    ///
    /// Tidal: `stutter`
    pub fn stutter(&self, n: i64, t: Time) -> Pattern<T> {
        Pattern::stack((0..layers(n, "stutter")).map(|i| self.late(t * Rational::integer(i))).collect())
    }

    /// Layer `count` copies, each shifted `time` later than the last and transformed once more
    /// by `f`.
    ///
    /// Tidal: `echoWith`; its deprecated alias `stutWith` is [`Pattern::stut_with`].
    pub fn echo_with(&self, count: &Pattern<i64>, time: &Pattern<Time>, f: Transform<T>) -> Pattern<T> {
        // `innerJoin $ (\a b -> _echoWith a b f p) <$> n <* t`: the arguments combine with `<*`.
        let args = count.app_left(time, |n, t| (*n, *t));
        self.patterned(&args, move |p, (n, t)| p.echo_with_n(*n, *t, f.clone()))
    }

    /// Tidal: `_echoWith`
    pub fn echo_with_n(&self, count: i64, time: Time, f: Transform<T>) -> Pattern<T> {
        let mut acc = self.clone();
        for _ in 1..layers(count, "echoWith") {
            acc = Pattern::stack(vec![f(&acc.late(time)), self.clone()]);
        }
        acc
    }

    /// Tidal: `stutWith` (deprecated in 1.9 in favour of `echoWith`, same behaviour)
    pub fn stut_with(&self, count: &Pattern<i64>, time: &Pattern<Time>, f: Transform<T>) -> Pattern<T> {
        self.echo_with(count, time, f)
    }

    /// Tidal: `_stutWith`
    pub fn stut_with_n(&self, count: i64, time: Time, f: Transform<T>) -> Pattern<T> {
        self.echo_with_n(count, time, f)
    }

    /// Ghost notes: copies transformed by `f`, `a * 1.5` and `a * 2.5` cycles later.
    ///
    /// Tidal: `ghostWith`
    pub fn ghost_with(&self, a: Time, f: Transform<T>) -> Pattern<T> {
        let (t1, t2) = (a * rat(3, 2), a * rat(5, 2));
        let inner = Pattern::stack(vec![self.clone(), f(self).late(t1)]);
        Pattern::stack(vec![inner.clone(), f(&inner).late(t2)])
    }
}

// -------------------------------------------------------------------------------------------
// Conditional transforms
// -------------------------------------------------------------------------------------------

impl<T: Value> Pattern<T> {
    /// Apply `f` every `n`th cycle (cycles 0, n, 2n, …).
    ///
    /// Tidal: `every`
    ///
    /// ```
    /// use phonon::components::Rational;
    /// use phonon::pattern::Pattern;
    /// use phonon::pattern::transform::tf;
    /// // Tidal: every 2 rev "a b": "b a" in cycles 0 and 2, "a b" in cycles 1 and 3
    /// let ab = Pattern::fastcat(vec![Pattern::pure('a'), Pattern::pure('b')]);
    /// let p = ab.every(&Pattern::pure(2), tf(|p: &Pattern<char>| p.rev()));
    /// let values: String = p.onsets(Rational::ZERO, Rational::integer(4)).iter().map(|h| h.value).collect();
    /// assert_eq!(values, "baabbaab");
    /// ```
    pub fn every(&self, n: &Pattern<i64>, f: Transform<T>) -> Pattern<T> {
        self.patterned(n, move |p, n| p.every_n(*n, f.clone()))
    }

    /// Tidal: `_every` (`0` leaves the pattern alone)
    pub fn every_n(&self, n: i64, f: Transform<T>) -> Pattern<T> {
        if n == 0 {
            return self.clone();
        }
        self.when(move |c| hs_mod(c, n) == 0, f)
    }

    /// Apply `f` every `n`th cycle, starting at cycle `o`. The arguments are joined with bind
    /// (`do { n <- np; o <- op; _every' n o f p }`).
    ///
    /// Tidal: `every'`
    pub fn every_offset(&self, n: &Pattern<i64>, o: &Pattern<i64>, f: Transform<T>) -> Pattern<T> {
        let o = o.clone();
        self.bound(n, move |p, n| {
            let n = *n;
            let f = f.clone();
            p.bound(&o, move |p, o| p.every_offset_n(n, *o, f.clone()))
        })
    }

    /// Tidal: `_every'` (`n = 0`, an error in Tidal, leaves the pattern alone)
    pub fn every_offset_n(&self, n: i64, o: i64, f: Transform<T>) -> Pattern<T> {
        if n == 0 {
            return self.clone();
        }
        self.when(move |c| hs_mod(c, n) == o, f)
    }

    /// Apply `f` when the cycle position modulo `a` is at least `b` (Tidal 1.9 patterns both
    /// numbers and tests the query time with `whenT`).
    ///
    /// Tidal: `whenmod`
    pub fn whenmod(&self, a: &Pattern<Time>, b: &Pattern<Time>, f: Transform<T>) -> Pattern<T> {
        self.patterned2(a, b, move |p, a, b| p.whenmod_n(*a, *b, f.clone()))
    }

    /// Tidal: `_whenmod` (`a = 0` leaves the pattern alone)
    pub fn whenmod_n(&self, a: Time, b: Time, f: Transform<T>) -> Pattern<T> {
        if a == Rational::ZERO {
            return self.clone();
        }
        self.when_t(move |t| mod_time(t, a) >= b, f)
    }

    /// Apply `f` only to the events starting within `[b, e)` of each cycle.
    ///
    /// Tidal: `within`
    pub fn within(&self, b: Time, e: Time, f: Transform<T>) -> Pattern<T> {
        let inside = move |t: Time| {
            let c = cycle_pos(t);
            c >= b && c < e
        };
        Pattern::stack(vec![f(self).filter_when(inside), self.filter_when(move |t| !inside(t))])
    }

    /// Apply `f` to the pattern slowed by `n`, then speed the result back up.
    ///
    /// Tidal: `inside`
    pub fn inside(&self, n: &Pattern<Time>, f: Transform<T>) -> Pattern<T> {
        self.patterned(n, move |p, n| p.inside_n(*n, f.clone()))
    }

    /// Tidal: `_inside`
    pub fn inside_n(&self, n: Time, f: Transform<T>) -> Pattern<T> {
        f(&self.slow(n)).fast(n)
    }

    /// Apply `f` to the pattern sped up by `n`, then slow the result back down.
    ///
    /// Tidal: `outside`
    pub fn outside(&self, n: &Pattern<Time>, f: Transform<T>) -> Pattern<T> {
        self.patterned(n, move |p, n| p.outside_n(*n, f.clone()))
    }

    /// Tidal: `_outside` (`0`, an error in Tidal, gives silence)
    pub fn outside_n(&self, n: Time, f: Transform<T>) -> Pattern<T> {
        if n == Rational::ZERO {
            return Pattern::silence();
        }
        self.inside_n(Rational::ONE / n, f)
    }

    /// Apply `f` to one of `n` parts of the cycle, a different one each cycle: left to right
    /// for positive `n`, right to left for negative `n`.
    ///
    /// Tidal: `chunk`
    pub fn chunk(&self, n: &Pattern<i64>, f: Transform<T>) -> Pattern<T> {
        self.patterned(n, move |p, n| p.chunk_n(*n, f.clone()))
    }

    /// Tidal: `_chunk`
    pub fn chunk_n(&self, n: i64, f: Transform<T>) -> Pattern<T> {
        if n >= 0 {
            let p = self.clone();
            return Pattern::slowcat_fn(n, move |i| p.within(rat(i, n), rat(i + 1, n), f.clone()));
        }
        // `do i <- _slow (-n) $ rev $ run (-n); withinArc (i/(-n), (i+1)/(-n)) f p`
        let m = -n;
        let idx = Pattern::fastcat_fn(m, Pattern::pure).rev().slow(Rational::integer(m));
        self.bound(&idx, move |p, i| p.within(rat(*i, m), rat(*i + 1, m), f.clone()))
    }

    /// `chunk` running backwards (last part first). Tidal 1.9 defines `_chunk' n = _chunk (-n)`
    /// (1.7's `chunk'` started from a different part).
    ///
    /// Tidal: `chunk'`
    pub fn chunk_back(&self, n: &Pattern<i64>, f: Transform<T>) -> Pattern<T> {
        self.patterned(n, move |p, n| p.chunk_back_n(*n, f.clone()))
    }

    /// Tidal: `_chunk'`
    pub fn chunk_back_n(&self, n: i64, f: Transform<T>) -> Pattern<T> {
        self.chunk_n(-n, f)
    }

    /// Apply `f` where the boolean pattern is true, leave `self` alone where it is false, and
    /// play nothing where it has no events (structure from `self`).
    ///
    /// Tidal: `while`
    pub fn while_(&self, b: &Pattern<bool>, f: Transform<T>) -> Pattern<T> {
        Pattern::sew(b, &f(self), self)
    }

    /// Apply `f` to events with probability `x` (the others pass unchanged).
    ///
    /// Tidal: `sometimesBy`
    pub fn sometimes_by(&self, x: &Pattern<f64>, f: Transform<T>) -> Pattern<T> {
        Pattern::stack(vec![self.degrade_by_p(x), f(&self.undegrade_by_p(x))])
    }

    /// `sometimes_by` with a constant probability (still joined as `pure x`, as Tidal does).
    pub fn sometimes_by_n(&self, x: f64, f: Transform<T>) -> Pattern<T> {
        self.sometimes_by(&Pattern::pure(x), f)
    }

    /// Tidal: `sometimes` (`sometimesBy 0.5`)
    pub fn sometimes(&self, f: Transform<T>) -> Pattern<T> {
        self.sometimes_by_n(0.5, f)
    }

    /// Tidal: `often` (`sometimesBy 0.75`)
    pub fn often(&self, f: Transform<T>) -> Pattern<T> {
        self.sometimes_by_n(0.75, f)
    }

    /// Tidal: `rarely` (`sometimesBy 0.25`)
    pub fn rarely(&self, f: Transform<T>) -> Pattern<T> {
        self.sometimes_by_n(0.25, f)
    }

    /// Tidal: `almostNever` (`sometimesBy 0.1`)
    pub fn almost_never(&self, f: Transform<T>) -> Pattern<T> {
        self.sometimes_by_n(0.1, f)
    }

    /// Tidal: `almostAlways` (`sometimesBy 0.9`)
    pub fn almost_always(&self, f: Transform<T>) -> Pattern<T> {
        self.sometimes_by_n(0.9, f)
    }

    /// Tidal: `always` (`id`)
    pub fn always(&self, f: Transform<T>) -> Pattern<T> {
        f(self)
    }

    /// Tidal: `never` (`flip const`)
    pub fn never(&self, _f: Transform<T>) -> Pattern<T> {
        self.clone()
    }

    /// Apply `f` to whole cycles with probability `x`.
    ///
    /// Tidal: `someCyclesBy` (alias `somecyclesBy`)
    pub fn some_cycles_by(&self, x: &Pattern<f64>, f: Transform<T>) -> Pattern<T> {
        self.patterned(x, move |p, x| p.some_cycles_by_n(*x, f.clone()))
    }

    /// Tidal: `_someCyclesBy`
    pub fn some_cycles_by_n(&self, x: f64, f: Transform<T>) -> Pattern<T> {
        self.when(move |c| time_to_rand(c as f64) < x, f)
    }

    /// Tidal: `someCycles` / `somecycles` (`someCyclesBy 0.5`)
    pub fn some_cycles(&self, f: Transform<T>) -> Pattern<T> {
        self.some_cycles_by(&Pattern::pure(0.5), f)
    }
}

// -------------------------------------------------------------------------------------------
// Time
// -------------------------------------------------------------------------------------------

impl<T: Value> Pattern<T> {
    /// Play the pattern forwards, then backwards, on alternate cycles.
    ///
    /// Tidal: `palindrome`
    pub fn palindrome(&self) -> Pattern<T> {
        self.append(&self.rev())
    }

    /// Shift the pattern left by `1/n` of a cycle more each cycle.
    ///
    /// Tidal: `iter`
    pub fn iter(&self, n: &Pattern<i64>) -> Pattern<T> {
        self.patterned(n, |p, n| p.iter_n(*n))
    }

    /// Tidal: `_iter` (`n <= 0` gives silence, as `slowcat []` does)
    pub fn iter_n(&self, n: i64) -> Pattern<T> {
        let p = self.clone();
        Pattern::slowcat_fn(n, move |i| p.early(rat(i, n)))
    }

    /// `iter` in the other direction (shifting right).
    ///
    /// Tidal: `iter'`
    pub fn iter_back(&self, n: &Pattern<i64>) -> Pattern<T> {
        self.patterned(n, |p, n| p.iter_back_n(*n))
    }

    /// Tidal: `_iter'`
    pub fn iter_back_n(&self, n: i64) -> Pattern<T> {
        let p = self.clone();
        Pattern::slowcat_fn(n, move |i| p.late(rat(i, n)))
    }

    /// Repeat each event `n` times within its own timespan.
    ///
    /// Tidal: `ply`
    pub fn ply(&self, n: &Pattern<Time>) -> Pattern<T> {
        self.patterned(n, |p, n| p.ply_n(*n))
    }

    /// Tidal: `_ply` (`squeezeJoin $ (_fast n . pure) <$> pat`)
    pub fn ply_n(&self, n: Time) -> Pattern<T> {
        self.fmap(move |v| Pattern::pure(v.clone()).fast(n)).squeeze_join()
    }

    /// Delay each event by the fraction `r` of its own timespan, squashing it into the rest.
    ///
    /// Tidal: `pressBy`
    pub fn press_by(&self, r: &Pattern<Time>) -> Pattern<T> {
        self.patterned(r, |p, r| p.press_by_n(*r))
    }

    /// Tidal: `_pressBy` (`squeezeJoin $ (compressTo (r,1) . pure) <$> pat`)
    pub fn press_by_n(&self, r: Time) -> Pattern<T> {
        let (b, e) = (cycle_pos(r), Rational::ONE - r.sam());
        self.fmap(move |v| Pattern::pure(v.clone()).compress(b, e)).squeeze_join()
    }

    /// Tidal: `press` (`pressBy 0.5`)
    pub fn press(&self) -> Pattern<T> {
        self.press_by_n(rat(1, 2))
    }

    /// Repeat the first `n` of each cycle to fill it (negative: the last `-n`).
    ///
    /// Tidal: `linger`
    pub fn linger(&self, n: &Pattern<Time>) -> Pattern<T> {
        self.patterned(n, |p, n| p.linger_n(*n))
    }

    /// Tidal: `_linger`. A negative `n` also reverses the lingered part, because Tidal speeds
    /// it up by `1/n` (`_fast` with a negative factor reverses). `0` gives silence.
    pub fn linger_n(&self, n: Time) -> Pattern<T> {
        if n == Rational::ZERO {
            return Pattern::silence();
        }
        let zoomed = if n < Rational::ZERO { self.zoom(Rational::ONE + n, Rational::ONE) } else { self.zoom(Rational::ZERO, n) };
        zoomed.fast(Rational::ONE / n)
    }

    /// Play only the first `t` of each cycle, silence for the rest.
    ///
    /// Tidal: `trunc`
    pub fn trunc(&self, t: &Pattern<Time>) -> Pattern<T> {
        self.patterned(t, |p, t| p.trunc_n(*t))
    }

    /// Tidal: `_trunc` (`compress (0, t) . zoomArc (Arc 0 t)`)
    pub fn trunc_n(&self, t: Time) -> Pattern<T> {
        if t <= Rational::ZERO {
            return Pattern::silence();
        }
        self.zoom(Rational::ZERO, t).compress(Rational::ZERO, t)
    }

    /// Squash each cycle into its first `1/r`, leaving a gap, with a patterned factor.
    ///
    /// Tidal: `fastGap`
    pub fn fast_gap_p(&self, r: &Pattern<Time>) -> Pattern<T> {
        self.patterned(r, |p, r| p.fast_gap(*r))
    }

    /// Sample the pattern `n` times per cycle, with a patterned `n`.
    ///
    /// Tidal: `segment`
    pub fn segment_p(&self, n: &Pattern<Time>) -> Pattern<T> {
        self.patterned(n, |p, n| p.segment(*n))
    }

    /// Delay the events in the second half of each of `n` slices by `x` of a slice.
    ///
    /// Tidal: `swingBy`
    pub fn swing_by(&self, x: &Pattern<Time>, n: &Pattern<Time>) -> Pattern<T> {
        let x = x.clone();
        self.inside(
            n,
            tf(move |p: &Pattern<T>| {
                let x = x.clone();
                p.within(rat(1, 2), Rational::ONE, tf(move |q: &Pattern<T>| q.late_p(&x)))
            }),
        )
    }

    /// Tidal: `swing` (`swingBy (1/3)`)
    pub fn swing(&self, n: &Pattern<Time>) -> Pattern<T> {
        self.swing_by(&Pattern::pure(rat(1, 3)), n)
    }

    /// Every other cycle, squash the pattern into half a cycle and shift it a quarter later.
    ///
    /// Tidal: `brak`
    pub fn brak(&self) -> Pattern<T> {
        self.when(|c| hs_mod(c, 2) == 1, tf(|x: &Pattern<T>| Pattern::fastcat(vec![x.clone(), Pattern::silence()]).late(rat(1, 4))))
    }
}

// -------------------------------------------------------------------------------------------
// Structure: euclid, struct, mask, sew, stitch
// -------------------------------------------------------------------------------------------

impl<T: Value> Pattern<T> {
    /// Euclidean rhythm with patterned hits and steps (negative hits invert, as in 1.9).
    ///
    /// Tidal: `euclid`
    pub fn euclid_p(&self, k: &Pattern<i64>, n: &Pattern<i64>) -> Pattern<T> {
        self.patterned2(k, n, |p, k, n| p.euclid(*k, *n))
    }

    /// The pattern on the rests of the Euclidean rhythm.
    ///
    /// Tidal: `euclidInv`
    pub fn euclid_inv_p(&self, k: &Pattern<i64>, n: &Pattern<i64>) -> Pattern<T> {
        self.patterned2(k, n, |p, k, n| p.euclid_inv(*k, *n))
    }

    /// `self` on the hits, `other` on the rests.
    ///
    /// Tidal: `euclidFull`
    pub fn euclid_full_p(&self, k: &Pattern<i64>, n: &Pattern<i64>, other: &Pattern<T>) -> Pattern<T> {
        Pattern::stack(vec![self.euclid_p(k, n), other.euclid_inv_p(k, n)])
    }

    /// Euclidean rhythm rotated left by `r` steps.
    ///
    /// Tidal: `euclidOff` (alias `eoff`)
    pub fn euclid_off_p(&self, k: &Pattern<i64>, n: &Pattern<i64>, r: &Pattern<i64>) -> Pattern<T> {
        self.patterned3(k, n, r, |p, k, n, r| p.euclid_off(*k, *n, *r))
    }

    /// Structure from a boolean pattern: the values of `self` sampled at its true events.
    ///
    /// Tidal: `struct`
    pub fn struct_(&self, bools: &Pattern<bool>) -> Pattern<T> {
        bools.app_left(self, |b, v| if *b { Some(v.clone()) } else { None }).filter_just()
    }

    /// Keep only the parts of `self`'s events that fall within true events of `bools`.
    ///
    /// Tidal: `mask`
    pub fn mask(&self, bools: &Pattern<bool>) -> Pattern<T> {
        self.app_left(&bools.filter_values(|b| *b), |v, _| v.clone())
    }

    /// `a` where `bools` is true, `b` where it is false (structure from `a` and `b`).
    ///
    /// Tidal: `sew`
    pub fn sew(bools: &Pattern<bool>, a: &Pattern<T>, b: &Pattern<T>) -> Pattern<T> {
        Pattern::stack(vec![a.mask(bools), b.mask(&bools.fmap(|x| !x))])
    }

    /// `a` sampled at the true events of `bools`, `b` at the false ones (structure from
    /// `bools`).
    ///
    /// Tidal: `stitch`
    pub fn stitch(bools: &Pattern<bool>, a: &Pattern<T>, b: &Pattern<T>) -> Pattern<T> {
        Pattern::stack(vec![a.struct_(bools), b.struct_(&bools.fmap(|x| !x))])
    }
}

// -------------------------------------------------------------------------------------------
// Randomness
// -------------------------------------------------------------------------------------------

impl<T: Value> Pattern<T> {
    /// Drop half of the events at random.
    ///
    /// Tidal: `degrade`
    pub fn degrade(&self) -> Pattern<T> {
        self.degrade_by(0.5)
    }

    /// Drop events with a patterned probability.
    ///
    /// Tidal: `degradeBy`
    pub fn degrade_by_p(&self, x: &Pattern<f64>) -> Pattern<T> {
        self.patterned(x, |p, x| p.degrade_by(*x))
    }

    /// Keep exactly the events `degrade_by_p` drops.
    ///
    /// Tidal: `unDegradeBy`
    pub fn undegrade_by_p(&self, x: &Pattern<f64>) -> Pattern<T> {
        self.patterned(x, |p, x| p.undegrade_by(*x))
    }

    /// A continuous random choice from `xs`.
    ///
    /// Tidal: `choose`
    pub fn choose(xs: Vec<T>) -> Pattern<T> {
        Pattern::choose_by(&rand(), xs)
    }

    /// Choose from `xs` with a pattern of numbers in `[0, 1)` (structure from `f`).
    ///
    /// Tidal: `chooseBy` (`(xs !!!) . floor <$> range 0 (length xs) f`)
    pub fn choose_by(f: &Pattern<f64>, xs: Vec<T>) -> Pattern<T> {
        if xs.is_empty() {
            return Pattern::silence();
        }
        let n = xs.len() as f64;
        f.range(&Pattern::pure(0.0), &Pattern::pure(n)).fmap(move |r| cyclic(&xs, r.floor() as i64))
    }

    /// A continuous weighted random choice.
    ///
    /// Tidal: `wchoose`
    pub fn wchoose(pairs: Vec<(T, f64)>) -> Pattern<T> {
        Pattern::wchoose_by(&rand(), pairs)
    }

    /// Weighted choice with a pattern of numbers in `[0, 1)`.
    ///
    /// Tidal: `wchooseBy`
    pub fn wchoose_by(f: &Pattern<f64>, pairs: Vec<(T, f64)>) -> Pattern<T> {
        if pairs.is_empty() {
            return Pattern::silence();
        }
        let total: f64 = pairs.iter().map(|(_, w)| w).sum();
        let mut acc = 0.0;
        let cweights: Vec<f64> = pairs
            .iter()
            .map(|(_, w)| {
                acc += w;
                acc
            })
            .collect();
        let values: Vec<T> = pairs.into_iter().map(|(v, _)| v).collect();
        f.fmap(move |r| {
            // `values !! head (findIndices (> (r*total)) cweights)` (the last one if none is).
            let i = cweights.iter().position(|c| *c > r * total).unwrap_or(values.len() - 1);
            values[i].clone()
        })
    }

    /// One pattern per cycle, picked at random.
    ///
    /// Tidal: `randcat`
    pub fn randcat(pats: Vec<Pattern<T>>) -> Pattern<T> {
        let n = pats.len();
        if n == 0 {
            return Pattern::silence();
        }
        // `spread' rotL (_segment 1 $ (% 1) . fromIntegral <$> _irand (length ps)) (slowcat ps)`
        let offsets = rand().fmap(move |r| Rational::integer((r * n as f64).floor() as i64)).segment(Rational::ONE);
        Pattern::slowcat(pats).bound(&offsets, |p, t| p.early(*t))
    }

    /// One pattern per cycle, picked at random with weights.
    ///
    /// Tidal: `wrandcat`
    pub fn wrandcat(pairs: Vec<(Pattern<T>, f64)>) -> Pattern<T> {
        Pattern::wchoose_by(&rand().segment(Rational::ONE), pairs).unwrap()
    }
}

// -------------------------------------------------------------------------------------------
// Values: rot, arpeggios
// -------------------------------------------------------------------------------------------

/// Tidal's `defragParts`: join fragments of the same event that sit side by side.
fn defrag_parts<T: Clone + PartialEq>(mut es: Vec<Hap<T>>) -> Vec<Hap<T>> {
    let mut out = Vec::with_capacity(es.len());
    while !es.is_empty() {
        let e = es.remove(0);
        let adjacent = |o: &Hap<T>| o.whole == e.whole && o.value == e.value && (e.part.end == o.part.begin || o.part.end == e.part.begin);
        match es.iter().position(adjacent) {
            Some(i) => {
                let o = es.remove(i);
                let part = Span::new(e.part.begin.min(o.part.begin), e.part.end.max(o.part.end));
                out.push(Hap { whole: e.whole, part, value: e.value });
            }
            None => out.push(e),
        }
    }
    out
}

fn span_key(s: Option<Span>) -> Option<(Time, Time)> {
    s.map(|s| (s.begin, s.end))
}

impl<T: Value + PartialEq> Pattern<T> {
    /// Shift each value `n` events to the left within the cycle, keeping the structure.
    ///
    /// Tidal: `rot`. Events are ordered by time (Tidal sorts them with their derived `Ord`,
    /// which starts with the mini-notation source position; for plain sequences this is the
    /// same order).
    pub fn rot(&self, n: &Pattern<i64>) -> Pattern<T> {
        self.patterned(n, |p, n| p.rot_n(*n))
    }

    /// Tidal: `_rot`
    pub fn rot_n(&self, i: i64) -> Pattern<T> {
        let p = self.clone();
        Pattern::new(move |span| {
            let cycle = Span::cycle_of(span.begin);
            let mut es = defrag_parts(p.query(cycle));
            es.sort_by_key(|a| (span_key(a.whole), a.part.begin, a.part.end));
            let len = es.len();
            if len == 0 {
                return Vec::new();
            }
            let start = if i >= 0 { i as usize % len } else { len.saturating_sub(i.unsigned_abs() as usize) % len };
            let values: Vec<T> = es.iter().map(|h| h.value.clone()).collect();
            es.into_iter()
                .enumerate()
                .filter_map(|(k, h)| {
                    let part = h.part.sub_span(span)?;
                    Some(Hap { whole: h.whole, part, value: values[(start + k) % len].clone() })
                })
                .collect()
        })
        .split_queries()
    }
}

/// The arpeggio modes Tidal's `arp` knows; unknown names leave the chord as it is.
pub const ARP_MODES: &[&str] = &[
    "up",
    "down",
    "updown",
    "downup",
    "up&down",
    "down&up",
    "converge",
    "diverge",
    "disconverge",
    "pinkyup",
    "pinkyupdown",
    "thumbup",
    "thumbupdown",
];

fn init<X>(mut v: Vec<X>) -> Vec<X> {
    v.pop();
    v
}

fn reversed<X>(mut v: Vec<X>) -> Vec<X> {
    v.reverse();
    v
}

fn converge<X: Clone>(xs: &[X]) -> Vec<X> {
    // converge (x:xs) = x : converge' xs; converge' xs = last xs : converge (init xs)
    let (mut lo, mut hi) = (0usize, xs.len());
    let mut out = Vec::with_capacity(xs.len());
    let mut front = true;
    while lo < hi {
        if front {
            out.push(xs[lo].clone());
            lo += 1;
        } else {
            hi -= 1;
            out.push(xs[hi].clone());
        }
        front = !front;
    }
    out
}

fn pinkyup<X: Clone>(xs: &[X]) -> Vec<X> {
    let Some(pinky) = xs.last() else { return Vec::new() };
    xs[..xs.len() - 1].iter().flat_map(|x| [x.clone(), pinky.clone()]).collect()
}

fn thumbup<X: Clone>(xs: &[X]) -> Vec<X> {
    let Some(thumb) = xs.first() else { return Vec::new() };
    xs[1..].iter().flat_map(|x| [thumb.clone(), x.clone()]).collect()
}

/// Reorder the notes of one chord by arpeggio mode.
fn arp_order<X: Clone>(mode: &str, x: Vec<X>) -> Vec<X> {
    match mode {
        "up" => x,
        "down" => reversed(x),
        "updown" => [init(x.clone()), init(reversed(x))].concat(),
        "downup" => [init(reversed(x.clone())), init(x)].concat(),
        "up&down" => [x.clone(), reversed(x)].concat(),
        "down&up" => [reversed(x.clone()), x].concat(),
        "converge" => converge(&x),
        "diverge" => reversed(converge(&x)),
        "disconverge" => {
            let c = converge(&x);
            let tail: Vec<X> = reversed(c.clone()).into_iter().skip(1).collect();
            [c, tail].concat()
        }
        "pinkyup" => pinkyup(&x),
        "pinkyupdown" => {
            let p = pinkyup(&x);
            [init(p.clone()), init(reversed(p))].concat()
        }
        "thumbup" => thumbup(&x),
        "thumbupdown" => {
            let t = thumbup(&x);
            [init(t.clone()), init(reversed(t))].concat()
        }
        _ => x,
    }
}

impl<T: Value> Pattern<T> {
    /// Tidal's `arpWith`: group events with the same whole, reorder each group with `f` and
    /// spread it over the whole. Analog events are dropped.
    pub fn arp_with(&self, f: impl Fn(Vec<Hap<T>>) -> Vec<Hap<T>> + Send + Sync + 'static) -> Pattern<T> {
        self.with_haps(move |mut es| {
            es.sort_by_key(|h| span_key(h.whole));
            let mut out = Vec::new();
            let mut i = 0;
            while i < es.len() {
                let mut j = i + 1;
                while j < es.len() && es[j].whole == es[i].whole {
                    j += 1;
                }
                let group = f(es[i..j].to_vec());
                let d = group.len() as i64;
                for (k, h) in group.into_iter().enumerate() {
                    let Some(w) = h.whole else { continue };
                    let dur = (w.end - w.begin) / Rational::integer(d);
                    let nb = w.begin + dur * Rational::integer(k as i64);
                    let whole = Span::new(nb, nb + dur);
                    if let Some(part) = whole.sub_span(h.part) {
                        out.push(Hap { whole: Some(whole), part, value: h.value });
                    }
                }
                i = j;
            }
            out
        })
    }

    /// Spread simultaneous events (chords) out over their timespan, in order.
    ///
    /// Tidal: `arpeggiate` (alias `arpg`)
    pub fn arpeggiate(&self) -> Pattern<T> {
        self.arp_with(|x| x)
    }

    /// Arpeggiate with a patterned mode (see [`ARP_MODES`]).
    ///
    /// Tidal: `arp`
    pub fn arp<S: AsRef<str> + Value>(&self, modes: &Pattern<S>) -> Pattern<T> {
        self.patterned(modes, |p, m| p.arp_mode(m.as_ref()))
    }

    /// Tidal: `_arp`
    pub fn arp_mode(&self, mode: &str) -> Pattern<T> {
        let mode = mode.to_string();
        self.arp_with(move |x| arp_order(&mode, x))
    }
}

// -------------------------------------------------------------------------------------------
// Numbers
// -------------------------------------------------------------------------------------------

/// `0 .. n-1` squashed into each cycle, with a patterned `n` joined by bind.
///
/// Tidal: `run` (on `Double`s, so `[0 .. n-1]` follows Haskell's `enumFromTo`)
pub fn run(n: &Pattern<f64>) -> Pattern<f64> {
    n.fmap(|n| run_n(*n)).unwrap()
}

/// Tidal: `_run`
pub fn run_n(n: f64) -> Pattern<f64> {
    Pattern::fastcat_fn(enum_len(n), |i| Pattern::pure(i as f64))
}

/// `run 1`, `run 2`, … `run n`, one per cycle.
///
/// Tidal: `scan`
pub fn scan(n: &Pattern<f64>) -> Pattern<f64> {
    n.fmap(|n| scan_n(*n)).unwrap()
}

/// Tidal: `_scan`
pub fn scan_n(n: f64) -> Pattern<f64> {
    Pattern::slowcat_fn(enum_len(n), |i| run_n(i as f64 + 1.0))
}

/// Continuous random integers in `[0, n)`, with a patterned `n` joined by bind.
///
/// Tidal: `irand` (the plain `_irand` is [`super::signal::irand`])
pub fn irand_p(n: &Pattern<i64>) -> Pattern<f64> {
    n.fmap(|n| super::signal::irand(*n as f64)).unwrap()
}

impl Pattern<f64> {
    /// Scale values from `[0, 1]` to `[from, to]`; structure from `self`.
    ///
    /// Tidal: `range` (1.9: `f <$> fromP *> toP *> p`)
    pub fn range(&self, from: &Pattern<f64>, to: &Pattern<f64>) -> Pattern<f64> {
        from.app_right(to, |f, t| (*f, *t)).app_right(self, |(f, t), v| v * (t - f) + f)
    }

    /// `range` with plain bounds, applied value by value.
    ///
    /// Tidal: `_range`
    pub fn range_n(&self, from: f64, to: f64) -> Pattern<f64> {
        self.fmap(move |v| v * (to - from) + from)
    }

    /// Exponential `range`, for frequencies.
    ///
    /// Tidal: `rangex`
    pub fn rangex(&self, from: f64, to: f64) -> Pattern<f64> {
        self.range_n(from.ln(), to.ln()).fmap(|v| v.exp())
    }

    /// Round values to the nearest `1/n` (Haskell's `round`: halves to even).
    ///
    /// Tidal: `quantise`
    pub fn quantise(&self, n: f64) -> Pattern<f64> {
        self.fmap(move |v| (v * n).round_ties_even() / n)
    }
}

impl Pattern<i64> {
    /// Scale degrees to semitones, by scale name (patterned, sampled at each note);
    /// unknown names give `[0]`. See [`scales::SCALES`].
    ///
    /// Tidal: `scale`
    pub fn scale<S: AsRef<str> + Value>(&self, names: &Pattern<S>) -> Pattern<f64> {
        self.app_left(names, |n, name| {
            let steps = scales::lookup(name.as_ref()).unwrap_or(&[0.0]);
            note_in_scale(steps, 12, *n)
        })
    }

    /// Scale degrees to semitones with a scale given as a list, assuming 12-note octaves.
    ///
    /// Tidal: `toScale`
    pub fn to_scale(&self, steps: &[f64]) -> Pattern<f64> {
        self.to_scale_octave(12, steps)
    }

    /// `to_scale` with octaves of `octave` semitones.
    ///
    /// Tidal: `toScale'`
    pub fn to_scale_octave(&self, octave: i64, steps: &[f64]) -> Pattern<f64> {
        if steps.is_empty() {
            return Pattern::silence();
        }
        let steps = steps.to_vec();
        self.fmap(move |n| note_in_scale(&steps, octave, *n))
    }
}

/// `(s !!! x) + o * (x `div` length s)`
fn note_in_scale(steps: &[f64], octave: i64, x: i64) -> f64 {
    let len = steps.len() as i64;
    cyclic(steps, x) + (octave * hs_div(x, len)) as f64
}
