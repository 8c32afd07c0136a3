//! Primitives the catalogue families share: argument sanitising ([`sane`]), a per-sample
//! one-pole control smoother ([`Smooth`]), one-pole coefficients ([`one_pole`], [`time_coef`]),
//! a circular delay [`Line`] with cubic fractional reads, a phase accumulator [`Lfo`], the
//! feedback-loop [`soft_limit`] and [`copy_to_other_channels`] for mono sources.
//!
//! Everything here advances once per sample and allocates only in its constructor, so kernels
//! built from it stay real-time safe and independent of where blocks begin.

use phonon_components::KernelCtx;
use std::f64::consts::TAU;

/// Time constant (s) with which gains and coefficients follow a jump: a few ms, no zipper.
pub(crate) const SMOOTH_S: f32 = 0.005;

/// Time constant (s) of [`Smooth::glide`], the filters' and dynamics' parameter glide.
pub(crate) const GLIDE_S: f32 = 0.003;

/// Longest time constant (s) [`time_coef`] accepts.
pub(crate) const MAX_TIME_CONSTANT_S: f32 = 30.0;

/// `x` limited to `lo..=hi`, or `default` when it is NaN. Never panics (with `lo > hi` it
/// returns `hi`); infinities clamp like any other number.
#[inline(always)]
pub(crate) fn sane(x: f32, lo: f32, hi: f32, default: f32) -> f32 {
    if x.is_nan() { default } else { x.max(lo).min(hi) }
}

/// One-pole low-pass coefficient for a cutoff `hz`: `y += a·(x − y)`.
#[inline]
pub(crate) fn one_pole(hz: f32, sample_rate: f32) -> f32 {
    1.0 - (-std::f32::consts::TAU * hz / sample_rate).exp()
}

/// `exp(-1/(t·sr))`: the pole of a one-pole with time constant `t` seconds (63 % of a step in
/// `t`), `t` limited to [`MAX_TIME_CONSTANT_S`]; 0 (instant) for `t ≤ 0` or NaN. In f64, so that
/// a slow one-pole (pole near 1) still converges instead of stalling a few f32 steps short.
#[inline]
pub(crate) fn time_coef(t: f32, sample_rate: f32) -> f64 {
    let t = sane(t, 0.0, MAX_TIME_CONSTANT_S, 0.0) as f64;
    if t <= 0.0 { 0.0 } else { (-1.0 / (t * sample_rate as f64)).exp() }
}

/// One step of a one-pole from `y` towards `target` with pole `a` (see [`time_coef`]), landing
/// exactly on the target once within `eps` of it.
#[inline(always)]
pub(crate) fn approach(y: f64, target: f64, a: f64, eps: f64) -> f64 {
    let next = target + a * (y - target);
    if (next - target).abs() < eps { target } else { next }
}

/// A time argument's [`time_coef`], recomputed only when the argument changes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeCoef {
    last: f32,
    coef: f64,
}

impl TimeCoef {
    pub(crate) fn new() -> TimeCoef {
        TimeCoef { last: f32::NAN, coef: 0.0 }
    }

    /// The pole for time constant `t` seconds.
    #[inline(always)]
    pub(crate) fn get(&mut self, t: f32, sample_rate: f32) -> f64 {
        if t.to_bits() != self.last.to_bits() {
            self.last = t;
            self.coef = time_coef(t, sample_rate);
        }
        self.coef
    }
}

/// A one-pole smoother for a control that can jump, advanced once per sample: a step reaches
/// 63 % in its time constant. It starts at the first target it is given (no fade-in from 0) and
/// lands exactly on a target once rounding stalls it, so a constant control settles exactly.
/// [`Smooth::snapping`] makes it land earlier, within a tolerance, so that a settled control
/// reports no change ([`Smooth::step`]) and costs nothing downstream.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Smooth {
    value: f32,
    coef: f32,
    primed: bool,
    /// Snap tolerance: land on the target once within `rel·|target| + abs` of it.
    rel: f32,
    abs: f32,
}

impl Smooth {
    /// A smoother with time constant `tau_s` seconds at `sample_rate` Hz (at least one sample).
    pub(crate) fn new(tau_s: f32, sample_rate: f32) -> Smooth {
        let coef = 1.0 - (-1.0 / (tau_s * sample_rate.max(1.0)).max(1.0)).exp();
        Smooth { value: 0.0, coef, primed: false, rel: 0.0, abs: 0.0 }
    }

    /// The parameter glide of filters and dynamics: time constant [`GLIDE_S`], landing once within
    /// a relative 1e-4 of its target, so a coefficient derived from it stops being recomputed early.
    pub(crate) fn glide(sample_rate: f32) -> Smooth {
        Smooth::new(GLIDE_S, sample_rate).snapping(1e-4, 1e-9)
    }

    /// The same smoother, landing on its target once within `rel·|target| + abs` of it.
    pub(crate) const fn snapping(self, rel: f32, abs: f32) -> Smooth {
        Smooth { rel, abs, ..self }
    }

    /// The current value.
    #[inline(always)]
    pub(crate) fn value(&self) -> f32 {
        self.value
    }

    /// True when the smoother rests on `target`: [`Smooth::next`] would return it unchanged.
    #[inline(always)]
    pub(crate) fn settled_at(&self, target: f32) -> bool {
        self.primed && self.value == target
    }

    /// Move one sample towards `target`; true when the value changed.
    #[inline(always)]
    pub(crate) fn step(&mut self, target: f32) -> bool {
        if self.primed && self.value == target {
            return false;
        }
        if !self.primed {
            self.primed = true;
            self.value = target;
            return true;
        }
        let d = target - self.value;
        let next = self.value + d * self.coef;
        // within tolerance, or rounding has stalled the step: land on the target
        self.value = if d.abs() <= self.rel * target.abs() + self.abs || next == self.value { target } else { next };
        true
    }

    /// Move one sample towards `target` and return the smoothed value.
    #[inline(always)]
    pub(crate) fn next(&mut self, target: f32) -> f32 {
        self.step(target);
        self.value
    }
}

/// A circular delay line of a power-of-two length. [`Line::tap`] and [`Line::read`] look back
/// from the next write, so reading `d` then pushing delays by exactly `d` samples.
pub(crate) struct Line {
    buf: Box<[f32]>,
    mask: usize,
    pos: usize,
}

impl Line {
    /// Samples the line holds (a power of two).
    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// A line that can delay by up to `max_delay` samples with a cubic read.
    pub(crate) fn new(max_delay: usize) -> Line {
        let len = (max_delay + 4).next_power_of_two();
        Line { buf: vec![0.0; len].into_boxed_slice(), mask: len - 1, pos: 0 }
    }

    /// The longest delay (samples) [`Line::read`] serves.
    #[inline]
    pub(crate) fn max_delay(&self) -> f32 {
        (self.buf.len() - 3) as f32
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, x: f32) {
        self.buf[self.pos] = x;
        self.pos = (self.pos + 1) & self.mask;
    }

    /// The sample pushed `d` pushes ago (`d = 1` is the latest; `d` at most the line's length).
    #[inline(always)]
    pub(crate) fn tap(&self, d: usize) -> f32 {
        self.buf[self.pos.wrapping_sub(d) & self.mask]
    }

    /// `d` samples back, fractional (4-point cubic Hermite, exact at whole samples), clamped to
    /// `2..=max_delay()`; NaN reads 2 samples back.
    #[inline]
    pub(crate) fn read(&self, d: f32) -> f32 {
        let d = sane(d, 2.0, self.max_delay(), 2.0);
        let i = d as usize;
        let f = d - i as f32;
        hermite(self.tap(i - 1), self.tap(i), self.tap(i + 1), self.tap(i + 2), f)
    }
}

/// Cubic Hermite interpolation between `y0` (f = 0) and `y1` (f = 1).
#[inline(always)]
fn hermite(ym1: f32, y0: f32, y1: f32, y2: f32, f: f32) -> f32 {
    let c1 = 0.5 * (y1 - ym1);
    let c2 = ym1 - 2.5 * y0 + 2.0 * y1 - 0.5 * y2;
    let c3 = 0.5 * (y2 - ym1) + 1.5 * (y0 - y1);
    ((c3 * f + c2) * f + c1) * f + y0
}

/// A phase accumulator in cycles (f64, so long runs keep their rate to better than 1e-9).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lfo {
    phase: f64,
}

impl Lfo {
    /// Starting at `phase` cycles (0..1).
    pub(crate) fn new(phase: f64) -> Lfo {
        Lfo { phase }
    }

    /// The current phase (cycles, 0..1), then advance by `hz` (clamped to ±Nyquist).
    #[inline(always)]
    pub(crate) fn next(&mut self, hz: f32, sample_rate: f32) -> f64 {
        let p = self.phase;
        let hz = hz.max(-0.5 * sample_rate).min(0.5 * sample_rate);
        self.phase += hz as f64 / sample_rate as f64;
        self.phase -= self.phase.floor();
        p
    }

    /// `sin(2π·phase)`, then advance.
    #[inline(always)]
    pub(crate) fn sine(&mut self, hz: f32, sample_rate: f32) -> f32 {
        (TAU * self.next(hz, sample_rate)).sin() as f32
    }
}

/// Identity for |w| ≤ 1, then a tanh knee approaching 2 (continuous slope): what a feedback
/// loop writes, so feedback ≥ 1 saturates instead of exploding.
#[inline(always)]
pub(crate) fn soft_limit(w: f32) -> f32 {
    let a = w.abs();
    if a <= 1.0 { w } else { (1.0 + (a - 1.0).tanh()).copysign(w) }
}

/// A mono kernel wrote channel 0 of `out`: copy it to any further channel.
#[inline]
pub(crate) fn copy_to_other_channels(cx: &KernelCtx, out: &mut [f32]) {
    let (first, rest) = out.split_at_mut(cx.block);
    for o in rest.chunks_exact_mut(cx.block) {
        o.copy_from_slice(first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoother_starts_at_its_first_value_and_settles_exactly() {
        let mut s = Smooth::new(0.005, 48_000.0);
        assert_eq!(s.next(0.3), 0.3);
        let mut v = 0.0;
        for _ in 0..48_000 {
            v = s.next(0.9);
        }
        assert_eq!(v, 0.9);
        assert!(!s.step(0.9), "a settled smoother reports no change");
    }

    #[test]
    fn smoother_reaches_63_percent_in_its_time_constant() {
        let mut s = Smooth::new(0.01, 48_000.0);
        s.next(0.0);
        let v = (0..480).map(|_| s.next(1.0)).last().unwrap_or(0.0);
        assert!((v - (1.0 - (-1.0f32).exp())).abs() < 1e-3, "{v}");
    }

    #[test]
    fn snapping_smoother_lands_within_its_tolerance() {
        let mut s = Smooth::new(0.005, 48_000.0).snapping(1e-4, 0.0);
        s.next(0.0);
        let steps = (1..).find(|_| s.next(1.0) == 1.0).unwrap_or(0);
        // 1e-4 of the step is left after ln(1e4) ≈ 9.2 time constants (240 samples each)
        assert!((2200..2220).contains(&steps), "{steps}");
    }

    #[test]
    fn sane_clamps_and_replaces_nan() {
        assert_eq!(sane(f32::NAN, 0.0, 1.0, 0.5), 0.5);
        assert_eq!(sane(2.0, 0.0, 1.0, 0.5), 1.0);
        assert_eq!(sane(f32::NEG_INFINITY, -1.0, 1.0, 0.0), -1.0);
        assert_eq!(sane(0.25, 0.0, 1.0, 0.5), 0.25);
    }

    #[test]
    fn line_delays_by_whole_and_fractional_samples() {
        let mut l = Line::new(16);
        for k in 0..10 {
            l.push(k as f32);
        }
        assert_eq!(l.tap(1), 9.0);
        assert_eq!(l.read(3.0), 7.0);
        // a ramp is reproduced exactly by the cubic
        assert!((l.read(3.5) - 6.5).abs() < 1e-6);
    }

    #[test]
    fn soft_limit_is_identity_then_bounded() {
        assert_eq!(soft_limit(0.7), 0.7);
        assert_eq!(soft_limit(-1.0), -1.0);
        assert!(soft_limit(1e30) <= 2.0 && soft_limit(-1e30) >= -2.0);
    }
}
