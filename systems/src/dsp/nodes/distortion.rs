//! Catalogue family: distortion — memoryless waveshapers (`distort`, `shape`, `fold`), and
//! resolution reducers (`bitcrush`, `coarse`).
//!
//! Amount-like controls are smoothed per sample (one-pole, 5 ms) so stepped patterns don't
//! zipper; the smoother and `coarse`'s counter advance once per frame, shared by both channels.

use super::util::{SMOOTH_S, Smooth, sane};
use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, UgenDef};

/// `distort`'s drive at amount 1 (it is 1 at amount 0, exponential in between).
pub const DISTORT_MAX_GAIN: f32 = 50.0;
/// `fold`'s gain at amount 1 (it is 1 at amount 0, linear in between).
pub const FOLD_MAX_GAIN: f32 = 10.0;
/// `shape`'s largest amount (k = 2a/(1−a) stays finite).
pub const SHAPE_MAX: f32 = 0.99;

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[
    UgenDef {
        name: "distort",
        family: "distortion",
        effect: true,
        args: &[ArgDef::INPUT, ArgDef::control("amount", 0.5, "0..1", "drive: gain 1 at 0 up to 50 at 1 (exponential)")],
        channels: Channels::Follow,
        doc: "Soft clipping: tanh(g·x)/tanh(g) with drive g = 50^amount, so a full-scale input still peaks at ±1 while quieter parts are pushed into saturation; odd-symmetric (odd harmonics only).",
        example: "out: (sine 110 # distort 0.6) * 0.3",
        make: |s| Box::new(Shaper::new(Curve::Distort, s)),
    },
    UgenDef {
        name: "shape",
        family: "distortion",
        effect: true,
        args: &[ArgDef::INPUT, ArgDef::control("amount", 0.5, "0..0.99", "how hard: 0 is clean, towards 0.99 nearly square")],
        channels: Channels::Follow,
        doc: "SuperDirt's `shape` waveshaper: y = (1+k)·x/(1+k·|x|) with k = 2·amount/(1−amount); ±1 stays ±1 and quieter parts get louder.",
        example: "out: (saw 55 # shape 0.8) * 0.3",
        make: |s| Box::new(Shaper::new(Curve::Shape, s)),
    },
    UgenDef {
        name: "bitcrush",
        family: "distortion",
        effect: true,
        args: &[ArgDef::INPUT, ArgDef::control("bits", 8.0, "1..24", "resolution; fractional values give in-between step sizes")],
        channels: Channels::Follow,
        doc: "Quantises to steps of 2^−(bits−1), rounding to the nearest (like SuperDirt's `crush`): `bitcrush 4` has steps of 1/8, so −1..1 holds 2^bits + 1 = 17 levels; the input is not clipped.",
        example: "out: (sine 220 # bitcrush 4) * 0.3",
        make: |s| Box::new(Shaper::new(Curve::Bitcrush, s)),
    },
    UgenDef {
        name: "coarse",
        family: "distortion",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("n", 4.0, "samples", "hold period (≥ 1; fractional periods alternate between the neighbouring whole ones)"),
        ],
        channels: Channels::Follow,
        doc: "Sample-rate reduction: takes one input sample every n samples and holds it (like SuperDirt's `coarse`); 1 passes the input through.",
        example: "out: (saw 110 # coarse 8) * 0.3",
        make: |_: &KernelSetup<'_>| Box::new(Coarse { since: f32::MAX, held: [0.0; 2] }),
    },
    UgenDef {
        name: "fold",
        family: "distortion",
        effect: true,
        args: &[ArgDef::INPUT, ArgDef::control("amount", 0.5, "0..1", "drive into the folder: gain 1 at 0 up to 10 at 1")],
        channels: Channels::Follow,
        doc: "Wavefolder: multiplies by 1 + 9·amount, then reflects everything beyond ±1 back inside (a triangle fold), so the output never leaves ±1 and the harmonics multiply as the amount rises; at 0 a signal within ±1 passes unchanged.",
        example: "out: (sine 110 # fold (sine 0.2 # range 0 1)) * 0.3",
        make: |s| Box::new(Shaper::new(Curve::Fold, s)),
    },
];

/// `tanh(g·x)/tanh(g)`: soft clipping with drive `g` (≥ 1), ±1 mapped to ±1.
#[inline]
pub fn distort(x: f32, g: f32, inv_tanh_g: f32) -> f32 {
    (g * x).tanh() * inv_tanh_g
}

/// SuperDirt's shape curve `(1+k)·x/(1+k·|x|)` for `k ≥ 0`.
#[inline]
pub fn shape(x: f32, k: f32) -> f32 {
    (1.0 + k) * x / (1.0 + k * x.abs())
}

/// `x` rounded to the nearest multiple of `1/q`.
#[inline]
pub fn crush(x: f32, q: f32) -> f32 {
    (x * q).round() / q
}

/// Triangle fold: the identity on `-1..=1`, reflected at ±1 beyond (period 4), so the result
/// is always within ±1.
#[inline]
pub fn triangle_fold(v: f32) -> f32 {
    let t = (v + 1.0) * 0.25;
    1.0 - (4.0 * (t - t.floor()) - 2.0).abs()
}

/// The memoryless curves sharing [`Shaper`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Curve {
    Distort,
    Shape,
    Bitcrush,
    Fold,
}

impl Curve {
    /// The control's range and the value used when it is NaN.
    fn range(self) -> (f32, f32, f32) {
        match self {
            Curve::Distort | Curve::Fold => (0.0, 1.0, 0.5),
            Curve::Shape => (0.0, SHAPE_MAX, 0.5),
            Curve::Bitcrush => (1.0, 24.0, 8.0),
        }
    }

    /// The curve's coefficients for control value `a` (already in range): (gain, second).
    fn coefficients(self, a: f32) -> (f32, f32) {
        match self {
            Curve::Distort => {
                let g = DISTORT_MAX_GAIN.powf(a);
                (g, 1.0 / g.tanh())
            }
            Curve::Shape => (2.0 * a / (1.0 - a), 0.0),
            Curve::Bitcrush => ((a - 1.0).exp2(), 0.0),
            Curve::Fold => (1.0 + (FOLD_MAX_GAIN - 1.0) * a, 0.0),
        }
    }

    #[inline]
    fn apply(self, x: f32, (c0, c1): (f32, f32)) -> f32 {
        match self {
            Curve::Distort => distort(x, c0, c1),
            Curve::Shape => shape(x, c0),
            Curve::Bitcrush => crush(x, c0),
            Curve::Fold => triangle_fold(c0 * x),
        }
    }
}

/// A memoryless curve with a smoothed control; its coefficients are recomputed only when the
/// smoothed control moves.
struct Shaper {
    curve: Curve,
    control: Smooth,
    last: f32,
    coefs: (f32, f32),
}

impl Shaper {
    fn new(curve: Curve, setup: &KernelSetup<'_>) -> Shaper {
        Shaper { curve, control: Smooth::new(SMOOTH_S, setup.sample_rate), last: f32::NAN, coefs: (1.0, 1.0) }
    }
}

impl Kernel for Shaper {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let amount = args[1].mono();
        let (lo, hi, default) = self.curve.range();
        let n = cx.block;
        for i in 0..n {
            let a = self.control.next(sane(amount.at(i), lo, hi, default));
            if a != self.last {
                self.last = a;
                self.coefs = self.curve.coefficients(a);
            }
            for c in 0..cx.channels {
                out[c * n + i] = self.curve.apply(args[0].ch[c].at(i), self.coefs);
            }
        }
    }
}

/// Longest `coarse` hold, samples.
const MAX_HOLD: f32 = 1.0e6;

/// Sample and hold: samples since the last take (with the fractional remainder) and the held
/// value per channel.
struct Coarse {
    since: f32,
    held: [f32; 2],
}

impl Coarse {
    /// Advance one frame with period `n`: is this frame's input taken?
    #[inline]
    fn take(&mut self, n: f32) -> bool {
        let take = self.since >= n;
        if take {
            let rest = self.since - n;
            // a period shortened below the time already waited restarts the count
            self.since = if rest < n { rest } else { 0.0 };
        }
        self.since += 1.0;
        take
    }
}

impl Kernel for Coarse {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let period = args[1].mono();
        let n = cx.block;
        for i in 0..n {
            let take = self.take(sane(period.at(i), 1.0, MAX_HOLD, 1.0));
            for c in 0..cx.channels.min(2) {
                if take {
                    self.held[c] = args[0].ch[c].at(i);
                }
                out[c * n + i] = self.held[c];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_fold_is_identity_inside_and_reflects_outside() {
        for &(v, want) in
            &[(0.0, 0.0), (0.5, 0.5), (-0.75, -0.75), (1.0, 1.0), (1.5, 0.5), (2.0, 0.0), (3.0, -1.0), (-1.5, -0.5), (5.0, 1.0)]
        {
            assert!((triangle_fold(v) - want).abs() < 1e-6, "fold({v}) = {}, want {want}", triangle_fold(v));
        }
        assert!((-1.0..=1.0).contains(&triangle_fold(1.0e30)));
    }

    #[test]
    fn coarse_takes_every_nth_frame() {
        let mut c = Coarse { since: f32::MAX, held: [0.0; 2] };
        let taken: Vec<bool> = (0..9).map(|_| c.take(4.0)).collect();
        assert_eq!(taken, [true, false, false, false, true, false, false, false, true]);
        let mut c = Coarse { since: f32::MAX, held: [0.0; 2] };
        let count = (0..1000).filter(|_| c.take(2.5)).count();
        assert_eq!(count, 400);
    }
}
