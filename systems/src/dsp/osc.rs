//! Oscillators: sine, band-limited saw and square (polyBLEP), triangle, impulse; white noise.
//!
//! Real-time contract: every function here is allocation-free and lock-free.

use super::P;
use phonon_components::OscShape;

/// polyBLEP residual at phase `t` for phase increment `dt`: subtracted at a step of -2 it
/// turns a naive sawtooth into a band-limited one.
#[inline]
fn poly_blep(t: f64, dt: f64) -> f64 {
    if t < dt {
        let x = t / dt;
        x + x - x * x - 1.0
    } else if t > 1.0 - dt {
        let x = (t - 1.0) / dt;
        x * x + x + x + 1.0
    } else {
        0.0
    }
}

/// Render `out.len()` samples of `shape` at `freq` Hz (per sample), advancing `phase` ∈ [0, 1).
pub fn oscillator(shape: OscShape, phase: &mut f64, freq: P<'_>, sample_rate: f32, out: &mut [f32]) {
    let inv_sr = 1.0 / sample_rate as f64;
    let mut ph = *phase;
    for (i, o) in out.iter_mut().enumerate() {
        let f = freq.at(i) as f64;
        let dt = (f * inv_sr).abs().min(0.5);
        let v = match shape {
            OscShape::Sine => (ph * std::f64::consts::TAU).sin(),
            OscShape::Saw => 2.0 * ph - 1.0 - poly_blep(ph, dt),
            OscShape::Square => {
                let naive = if ph < 0.5 { 1.0 } else { -1.0 };
                naive + poly_blep(ph, dt) - poly_blep((ph + 0.5).fract(), dt)
            }
            OscShape::Tri => 1.0 - 4.0 * (ph - 0.5).abs(),
            OscShape::Impulse => {
                // 1.0 on the first sample of each period (phase wrapped since the last sample).
                if ph < dt || (ph == 0.0) { 1.0 } else { 0.0 }
            }
        };
        *o = v as f32;
        ph += f * inv_sr;
        if !(0.0..1.0).contains(&ph) {
            ph = ph.rem_euclid(1.0);
            if !ph.is_finite() {
                ph = 0.0;
            }
        }
    }
    *phase = ph;
}

/// White noise in [-1, 1) from a xorshift32 generator: deterministic for a given seed.
pub fn noise(state: &mut u32, out: &mut [f32]) {
    let mut s = if *state == 0 { 0x9E37_79B9 } else { *state };
    for o in out.iter_mut() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        *o = (s >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0;
    }
    *state = s;
}
