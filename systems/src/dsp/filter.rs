//! State-variable filter: Andrew Simper's trapezoidal (TPT) SVF, the bilinear transform of the
//! analog SVF prewarped at the cutoff. Its response is therefore exactly
//! `H(j·tan(πf/sr)/tan(πfc/sr))` of the analog prototype (see [`analytic_gain_db`]).
//!
//! Real-time contract: allocation-free; `tan` is evaluated only when cutoff or q change.

use super::P;
use phonon_components::{FilterMode, SvfState};

#[inline]
fn update(s: &mut SvfState, cutoff: f32, q: f32, sample_rate: f32) {
    if cutoff != s.last_cutoff || q != s.last_q || s.a1 == 0.0 {
        s.last_cutoff = cutoff;
        s.last_q = q;
        let fc = cutoff.clamp(1.0, sample_rate * 0.49);
        let g = (std::f32::consts::PI * fc / sample_rate).tan();
        let k = 1.0 / q.max(0.05);
        s.k = k;
        s.a1 = 1.0 / (1.0 + g * (g + k));
        s.a2 = g * s.a1;
        s.a3 = g * s.a2;
    }
}

/// Filter one channel of `input` into `out`, with cutoff (Hz) and q read per sample.
pub fn svf(mode: FilterMode, s: &mut SvfState, input: &[f32], cutoff: P<'_>, q: P<'_>, sample_rate: f32, out: &mut [f32]) {
    if let (Some(c), Some(q)) = (cutoff.constant(), q.constant()) {
        // constant for the block: coefficients once, state in registers, the mode chosen once
        update(s, c, q, sample_rate);
        match mode {
            FilterMode::Lowpass => run(s, input, out, |_, _, v2| v2),
            FilterMode::Highpass => {
                let k = s.k;
                run(s, input, out, |v0, v1, v2| v0 - k * v1 - v2)
            }
            FilterMode::Bandpass => run(s, input, out, |_, v1, _| v1),
        }
        return;
    }
    for (i, (o, &v0)) in out.iter_mut().zip(input).enumerate() {
        update(s, cutoff.at(i), q.at(i), sample_rate);
        let v3 = v0 - s.ic2;
        let v1 = s.a1 * s.ic1 + s.a2 * v3;
        let v2 = s.ic2 + s.a2 * s.ic1 + s.a3 * v3;
        s.ic1 = 2.0 * v1 - s.ic1;
        s.ic2 = 2.0 * v2 - s.ic2;
        *o = match mode {
            FilterMode::Lowpass => v2,
            FilterMode::Highpass => v0 - s.k * v1 - v2,
            FilterMode::Bandpass => v1,
        };
    }
}

/// The per-sample loop of [`svf`] with fixed coefficients; `pick(v0, v1, v2)` is the output.
///
/// Bit-identical to the general loop but one operation shorter on the loop-carried path: it
/// computes `2·v1` and `2·v2` from doubled coefficients (scaling by 2 commutes with rounding),
/// so `ic = 2·v - ic` needs no multiply, and `v = 0.5·(2·v)` exactly, off that path.
#[inline(always)]
fn run(s: &mut SvfState, input: &[f32], out: &mut [f32], pick: impl Fn(f32, f32, f32) -> f32) {
    let (a1, a2, a3) = (2.0 * s.a1, 2.0 * s.a2, 2.0 * s.a3);
    let (mut ic1, mut ic2) = (s.ic1, s.ic2);
    for (o, &v0) in out.iter_mut().zip(input) {
        let v3 = v0 - ic2;
        let t1 = a1 * ic1 + a2 * v3;
        let t2 = (2.0 * ic2 + a2 * ic1) + a3 * v3;
        ic1 = t1 - ic1;
        ic2 = t2 - ic2;
        *o = pick(v0, 0.5 * t1, 0.5 * t2);
    }
    s.ic1 = ic1;
    s.ic2 = ic2;
}

/// The filter's exact magnitude response in dB at `freq` for a constant `cutoff` and `q`.
pub fn analytic_gain_db(mode: FilterMode, freq: f64, cutoff: f64, q: f64, sample_rate: f64) -> f64 {
    let w = (std::f64::consts::PI * freq / sample_rate).tan() / (std::f64::consts::PI * cutoff / sample_rate).tan();
    let k = 1.0 / q;
    // analog prototype at s = jw: denominator 1 - w² + j·k·w
    let den = ((1.0 - w * w).powi(2) + (k * w).powi(2)).sqrt();
    let num = match mode {
        FilterMode::Lowpass => 1.0,
        FilterMode::Highpass => w * w,
        FilterMode::Bandpass => w,
    };
    20.0 * (num / den).log10()
}
