//! Shared vector math for the kernels.
//!
//! The helpers here are small `#[inline(always)]` element functions written so that a loop over
//! a slice (or over a fixed chunk of [`LANES`] elements) becomes straight SIMD code: no branches
//! (selects only), no libm calls, no NaN-propagating `min`/`max`. They carry no target features of
//! their own: called from a `#[multiversion]` function they are compiled for each of its targets
//! (AVX-512, AVX2, SSE4.1, the portable baseline) and dispatched at run time, so the build never
//! needs `-C target-cpu=native`.
//!
//! Everything uses plain multiplies and adds (never `mul_add`): Rust does not contract them into
//! FMAs, so every target computes bit-identical results and a render doesn't depend on the CPU.

use multiversion::multiversion;

/// Elements per explicit chunk: two AVX2 registers or one AVX-512 register of `f32`.
pub const LANES: usize = 16;

/// `2^-32`: a `u32` phase (fixed point, one turn = 2^32) to turns.
pub const U32_TO_TURNS: f32 = 1.0 / 4_294_967_296.0;

/// `1.5 · 2^52`: added to an `f64` of magnitude below 2^51 it leaves the value rounded to an
/// integer (ties to even) in the low mantissa bits — a float-to-integer conversion that needs
/// no rounding instruction and vectorises on every target.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;

/// Largest `|turns|` [`turns_to_u32`] accepts (then `|turns · 2^32| < 2^51`).
pub const MAX_FIXED_TURNS: f64 = 262_144.0;

/// `turns` (any real, |turns| ≤ [`MAX_FIXED_TURNS`]) to a `u32` fixed-point phase: its fraction
/// of a turn rounded to the nearest 2^-32 (wrapping, so −0.25 → 0.75 · 2^32).
#[inline(always)]
pub fn turns_to_u32(turns: f64) -> u32 {
    (turns * 4_294_967_296.0 + ROUND_MAGIC).to_bits() as u32
}

/// `v` turns (|v| < 2^51) reduced to signed turns in [-1/2, 1/2]: `v − round(v)`, exact (the
/// rounding is the addition of a magic constant, 1.5 · 2^52, so it vectorises without a
/// rounding instruction).
/// At a half turn either −1/2 or +1/2 may come out.
#[inline(always)]
pub fn signed_turns(v: f64) -> f64 {
    v - ((v + ROUND_MAGIC) - ROUND_MAGIC)
}

/// Bits of the exact fixed-point phase: one turn = 2^52, so every phase is an `f64` exactly.
pub const PHASE_BITS: u32 = 52;
/// `2^52 − 1`: a 52-bit phase's mask (wrapping one turn).
pub const PHASE_MASK: u64 = (1 << PHASE_BITS) - 1;
const TWO52: f64 = 4_503_599_627_370_496.0;

/// The fraction of `x` turns (|x| < 2^50) as a 52-bit fixed-point phase, rounded to nearest.
/// Branch-free, no rounding instruction (vectorises on every target).
#[inline(always)]
pub fn turns_to_fixed(x: f64) -> u64 {
    let r = (x + ROUND_MAGIC) - ROUND_MAGIC;
    let floor = if r > x { r - 1.0 } else { r };
    // x − floor(x) ∈ [0, 1) is exact; scaled by 2^52 and added to 2^52 it is rounded to an
    // integer in the low mantissa bits (a full turn carries into the exponent: masked to 0).
    ((x - floor) * TWO52 + TWO52).to_bits() & PHASE_MASK
}

/// A 52-bit fixed-point phase as turns in [0, 1), exactly.
#[inline(always)]
pub fn fixed_to_turns(u: u64) -> f64 {
    (f64::from_bits((u & PHASE_MASK) | TWO52.to_bits()) - TWO52) * (1.0 / TWO52)
}

/// A `u32` fixed-point phase as signed turns in [-0.5, 0.5): `u / 2^32`, minus 1 from a half turn.
/// Exact to `f32` rounding (relative 2^-24: a phase near 0 keeps its full precision).
#[inline(always)]
pub fn u32_to_signed_turns(u: u32) -> f32 {
    (u as i32) as f32 * U32_TO_TURNS
}

// sin(2π·r) ≈ r·(S1 + S3·r² + S5·r⁴ + S7·r⁶ + S9·r⁸) for |r| ≤ 1/4: minimax (Remez) for the
// absolute error, 3.4e-9 in exact arithmetic; about 1.2e-7 evaluated in f32.
#[allow(clippy::approx_constant)] // a fitted coefficient, deliberately not TAU
const S1: f32 = 6.283_185;
const S3: f32 = -41.341_655;
const S5: f32 = 81.601_006;
const S7: f32 = -76.549_78;
const S9: f32 = 39.536_71;

/// `sin(2π·x)` for `x` in turns, `|x| ≤ 1/2` (e.g. from [`u32_to_signed_turns`]). Max abs error
/// ≈ 1.2e-7 over the whole period. Branch-free: it vectorises inside any loop.
#[inline(always)]
pub fn sin_turns(x: f32) -> f32 {
    let ax = x.abs();
    let h = 0.5 - ax;
    // sin(2π·|x|) = sin(2π·(1/2 − |x|)): fold onto [0, 1/4].
    let r = if h < ax { h } else { ax };
    let r2 = r * r;
    let p = S1 + r2 * (S3 + r2 * (S5 + r2 * (S7 + r2 * S9)));
    (r * p).copysign(x)
}

/// `out[i] = sin(2π·x[i])` for turns `x[i]` with `|x[i]| ≤ 1/2`, vectorised and dispatched at
/// run time to the best instruction set available. Panics if the lengths differ.
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl", "x86_64+avx2+fma", "x86_64+sse4.1"))]
pub fn sin_turns_slice(x: &[f32], out: &mut [f32]) {
    assert_eq!(x.len(), out.len());
    for (o, &v) in out.iter_mut().zip(x) {
        *o = sin_turns(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_polynomial_over_the_whole_period() {
        let n = 1 << 20;
        let mut worst = 0.0f64;
        for i in 0..=n {
            let x = -0.5 + i as f64 / n as f64;
            let e = (sin_turns(x as f32) as f64 - (std::f64::consts::TAU * (x as f32) as f64).sin()).abs();
            worst = worst.max(e);
        }
        assert!(worst < 2.5e-7, "max abs error {worst:e}");
    }

    #[test]
    fn slice_matches_elements() {
        let x: Vec<f32> = (0..1000).map(|i| -0.5 + i as f32 / 1000.0).collect();
        let mut out = vec![0.0; x.len()];
        sin_turns_slice(&x, &mut out);
        for (o, &v) in out.iter().zip(&x) {
            assert_eq!(o.to_bits(), sin_turns(v).to_bits());
        }
    }

    #[test]
    fn fixed_point_round_trip() {
        assert_eq!(turns_to_u32(0.0), 0);
        assert_eq!(turns_to_u32(0.25), 1 << 30);
        assert_eq!(turns_to_u32(-0.25), 3 << 30);
        assert_eq!(turns_to_u32(1.75), 3 << 30);
        assert_eq!(turns_to_u32(-1000.5), 1 << 31);
        assert_eq!(u32_to_signed_turns(3 << 30), -0.25);
        assert_eq!(u32_to_signed_turns(1 << 31), -0.5);
        assert_eq!(turns_to_fixed(0.25), 1 << 50);
        assert_eq!(turns_to_fixed(-0.25), 3 << 50);
        assert_eq!(turns_to_fixed(1.0 - 1e-18), 0);
        assert_eq!(turns_to_fixed(-1e-300), 0);
        assert_eq!(turns_to_fixed(22_050.5), 1 << 51);
        assert_eq!(fixed_to_turns(3 << 50), 0.75);
        for x in [0.3, 0.999_999_999_9, 1e-9, 0.5] {
            let u = turns_to_fixed(x);
            assert!((fixed_to_turns(u) - x).abs() <= 1.2e-16, "{x}");
            assert_eq!(turns_to_fixed(fixed_to_turns(u)), u);
        }
        assert_eq!(signed_turns(3.25), 0.25);
        assert_eq!(signed_turns(-7.75), 0.25);
        assert_eq!(signed_turns(1e-300), 1e-300);
        assert_eq!(signed_turns(0.9999999999), 0.9999999999 - 1.0);
    }
}
