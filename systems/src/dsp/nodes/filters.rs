//! Catalogue family: filters — `notch`, `rlpf`, `rhpf`, `moog`, `comb`, `allpass`, `djf`, `eq`.
//!
//! Every filter here has an exact analytic response (tested in `tests/dsp_filters.rs`):
//! - the state-variable filters (`notch`, `rlpf`, `rhpf`, `djf`) and the `moog` ladder are
//!   trapezoidal (TPT / zero-delay-feedback) discretisations, so their response is the analog
//!   prototype's at the prewarped frequency `j·tan(πf/sr)/tan(πfc/sr)`;
//! - `eq` is three RBJ-cookbook biquads;
//! - `comb` is a feedback comb with a linearly interpolated delay, `allpass` a Schroeder allpass
//!   whose fractional delay is a first-order (Thiran) allpass, so its magnitude stays exactly flat.
//!
//! Parameters are glided per sample (a one-pole smoother, 3 ms) so that jumps don't click, and
//! coefficients are recomputed only while a parameter moves: a constant argument costs no
//! `tan`/`exp` per sample. State never depends on block boundaries.

use super::util::{Line, Smooth, sane};
use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, P, UgenDef};
use std::f32::consts::PI;

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[
    UgenDef {
        name: "notch",
        family: "filters",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("cutoff", 1000.0, "Hz", "the rejected frequency"),
            ArgDef::control("q", 1.0, "", "sharpness: the notch is cutoff/q wide (0.1..50)"),
        ],
        channels: Channels::Follow,
        doc: "Band-reject (notch) state-variable filter: removes a band around cutoff, cutoff/q wide.",
        example: "out: (saw 110 # notch (sine 0.2 # range 300 3000) 2) * 0.3",
        make: |s| Box::new(Svf2::new(s, SvfMode::Notch)),
    },
    UgenDef {
        name: "rlpf",
        family: "filters",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("cutoff", 1000.0, "Hz", "the corner frequency"),
            ArgDef::control("res", 0.3, "0..1", "resonance: q = 0.707·28.3^res (0 flat, 0.5 → q 3.8, 1 → q 20)"),
        ],
        channels: Channels::Follow,
        doc: "Resonant 2-pole low-pass (-12 dB/oct, like SuperCollider's RLPF) with resonance 0..1 instead of rq.",
        example: "out: (saw 55 # rlpf (sine 0.25 # range 300 3000) 0.6) * 0.2",
        make: |s| Box::new(Svf2::new(s, SvfMode::Low)),
    },
    UgenDef {
        name: "rhpf",
        family: "filters",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("cutoff", 1000.0, "Hz", "the corner frequency"),
            ArgDef::control("res", 0.3, "0..1", "resonance: q = 0.707·28.3^res (0 flat, 0.5 → q 3.8, 1 → q 20)"),
        ],
        channels: Channels::Follow,
        doc: "Resonant 2-pole high-pass (-12 dB/oct, like SuperCollider's RHPF) with resonance 0..1 instead of rq.",
        example: "out: (saw 55 # rhpf 400 0.5) * 0.3",
        make: |s| Box::new(Svf2::new(s, SvfMode::High)),
    },
    UgenDef {
        name: "moog",
        family: "filters",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("cutoff", 1000.0, "Hz", "the corner frequency"),
            ArgDef::control("res", 0.3, "0..1", "resonance: ladder feedback 4.2·res, self-oscillating above about 0.95"),
        ],
        channels: Channels::Follow,
        doc: "Moog-style 4-pole ladder low-pass (-24 dB/oct, zero-delay feedback, tanh-saturated input); \
              resonance thins the bass as on the original and self-oscillates near 1, staying bounded.",
        example: "out: (saw 55 # moog 800 0.5) * 0.3",
        make: |s| Box::new(Moog::new(s)),
    },
    UgenDef {
        name: "comb",
        family: "filters",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("freq", 220.0, "Hz", "resonant frequency: the delay is 1/freq s (10 Hz and up)"),
            ArgDef::control("feedback", 0.9, "-0.99..0.99", "negative values keep only odd harmonics"),
        ],
        channels: Channels::Follow,
        doc: "Feedback comb filter (delay 1/freq, linearly interpolated), scaled by 1-|feedback| so its resonant peaks sit at 0 dB.",
        example: "out: (noise # comb 220 0.95) * 0.5",
        make: |s| Box::new(Comb::new(s)),
    },
    UgenDef {
        name: "allpass",
        family: "filters",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("freq", 100.0, "Hz", "the delay is 1/freq s (10 Hz and up)"),
            ArgDef::control("feedback", 0.5, "-0.99..0.99", "the allpass coefficient"),
        ],
        channels: Channels::Follow,
        doc: "Schroeder allpass with delay 1/freq: flat magnitude, smeared phase (diffusion, reverb building block).",
        example: "out: (impulse 4 # allpass 100 0.7 # allpass 143 0.7) * 0.5",
        make: |s| Box::new(Allpass::new(s)),
    },
    UgenDef {
        name: "djf",
        family: "filters",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("x", 0.5, "0..1", "0.5 bypasses; towards 0 a low-pass closes to 20 Hz, towards 1 a high-pass opens to 20 kHz"),
        ],
        channels: Channels::Follow,
        doc: "One-knob DJ filter (like SuperDirt's djf): 0.5 is bypass, below a low-pass sweeping down, above a high-pass sweeping up.",
        example: "out: (saw 55 # djf (sine 0.1 # range 0.2 0.8)) * 0.3",
        make: |s| Box::new(Djf::new(s)),
    },
    UgenDef {
        name: "eq",
        family: "filters",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("low", 0.0, "dB", "low shelf at 250 Hz (-24..24)"),
            ArgDef::control("mid", 0.0, "dB", "peak at 1 kHz, q 0.7 (-24..24)"),
            ArgDef::control("high", 0.0, "dB", "high shelf at 4 kHz (-24..24)"),
        ],
        channels: Channels::Follow,
        doc: "Three-band EQ (RBJ biquads): low shelf at 250 Hz, bell at 1 kHz (q 0.7), high shelf at 4 kHz, gains in dB.",
        example: "out: (saw 55 # eq 6 (-3) (-6)) * 0.2",
        make: |s| Box::new(Eq3::new(s)),
    },
];

/// `tan(π·fc/sr)`: the prewarped integrator gain of a TPT filter, `fc` clamped to 1 Hz..0.49·sr
/// (NaN reads as 1 kHz).
#[inline]
fn prewarp(fc: f32, sample_rate: f32) -> f32 {
    (PI * sane(fc, 1.0, 0.49 * sample_rate, 1000.0) / sample_rate).tan()
}

// ---------------------------------------------------------------------------------------------
// State-variable filter (Simper)

/// Coefficients of Andrew Simper's trapezoidal SVF for integrator gain `g` and damping `k = 1/q`.
#[derive(Clone, Copy, Debug, Default)]
struct SvfCoefs {
    k: f32,
    a1: f32,
    a2: f32,
    a3: f32,
}

impl SvfCoefs {
    fn new(g: f32, k: f32) -> SvfCoefs {
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        SvfCoefs { k, a1, a2, a3: g * a2 }
    }
}

/// One channel's SVF state (the two integrators).
#[derive(Clone, Copy, Debug, Default)]
struct SvfState {
    ic1: f32,
    ic2: f32,
}

impl SvfState {
    /// One sample: (low-pass, band-pass, high-pass).
    #[inline(always)]
    fn tick(&mut self, c: &SvfCoefs, v0: f32) -> (f32, f32, f32) {
        let v3 = v0 - self.ic2;
        let v1 = c.a1 * self.ic1 + c.a2 * v3;
        let v2 = self.ic2 + c.a2 * self.ic1 + c.a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        (v2, v1, v0 - c.k * v1 - v2)
    }
}

/// Run `state` over the block of `x` with fixed coefficients into `out`;
/// `pick(x, lp, bp, hp)` is the output.
#[inline(always)]
fn svf_run(state: &mut SvfState, c: &SvfCoefs, x: P<'_>, out: &mut [f32], pick: impl Fn(f32, f32, f32, f32) -> f32) {
    // [`SvfState::tick`] with doubled coefficients: bit-identical (scaling by 2 commutes with
    // rounding), one operation shorter on the loop-carried path, `v = 0.5·(2·v)` exactly
    let (a1, a2, a3, k) = (2.0 * c.a1, 2.0 * c.a2, 2.0 * c.a3, c.k);
    let SvfState { mut ic1, mut ic2 } = *state;
    let mut tick = |v0: f32| {
        let v3 = v0 - ic2;
        let t1 = a1 * ic1 + a2 * v3;
        let t2 = (2.0 * ic2 + a2 * ic1) + a3 * v3;
        ic1 = t1 - ic1;
        ic2 = t2 - ic2;
        let (v1, v2) = (0.5 * t1, 0.5 * t2);
        pick(v0, v2, v1, v0 - k * v1 - v2)
    };
    match x {
        P::Buf(x) => {
            for (o, &x) in out.iter_mut().zip(x) {
                *o = tick(x);
            }
        }
        P::Const(x) => {
            for o in out.iter_mut() {
                *o = tick(x);
            }
        }
    }
    *state = SvfState { ic1, ic2 };
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SvfMode {
    Low,
    High,
    Notch,
}

/// Lowest and highest q of `rlpf`/`rhpf`'s resonance (res 0 and 1).
const RES_Q_MIN: f32 = std::f32::consts::FRAC_1_SQRT_2;
const RES_Q_MAX: f32 = 20.0;

/// `rlpf`/`rhpf`'s resonance (0..1) as a q: exponential from 0.707 (flat) to 20.
pub fn res_to_q(res: f32) -> f32 {
    RES_Q_MIN * (RES_Q_MAX / RES_Q_MIN).powf(sane(res, 0.0, 1.0, 0.0))
}

/// `notch`, `rlpf`, `rhpf`: one SVF per channel, the cutoff's `g` and the damping glided.
struct Svf2 {
    mode: SvfMode,
    sample_rate: f32,
    last: [f32; 2],
    target: [f32; 2],
    g: Smooth,
    k: Smooth,
    coefs: SvfCoefs,
    state: [SvfState; 2],
}

impl Svf2 {
    fn new(s: &KernelSetup<'_>, mode: SvfMode) -> Svf2 {
        let sr = s.sample_rate;
        Svf2 {
            mode,
            sample_rate: sr,
            last: [f32::NAN; 2],
            target: [0.0; 2],
            g: Smooth::glide(sr),
            k: Smooth::glide(sr),
            coefs: SvfCoefs::default(),
            state: [SvfState::default(); 2],
        }
    }

    /// Damping `k = 1/q` for this filter's second argument.
    fn damping(&self, v: f32) -> f32 {
        match self.mode {
            SvfMode::Notch => 1.0 / sane(v, 0.1, 50.0, 1.0),
            SvfMode::Low | SvfMode::High => 1.0 / res_to_q(v),
        }
    }
}

impl Kernel for Svf2 {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (cutoff, second) = (args[1].mono(), args[2].mono());
        let n = cx.block;
        if let (P::Const(c), P::Const(q)) = (cutoff, second)
            && c.to_bits() == self.last[0].to_bits()
            && q.to_bits() == self.last[1].to_bits()
            && self.g.settled_at(self.target[0])
            && self.k.settled_at(self.target[1])
        {
            // fast path: constant arguments, glides at rest, so the coefficients stay as they are
            for ch in 0..cx.channels {
                let x = args[0].ch[ch];
                let o = &mut out[ch * n..][..n];
                let (st, c) = (&mut self.state[ch], &self.coefs);
                match self.mode {
                    SvfMode::Low => svf_run(st, c, x, o, |_, lp, _, _| lp),
                    SvfMode::High => svf_run(st, c, x, o, |_, _, _, hp| hp),
                    SvfMode::Notch => svf_run(st, c, x, o, |x, _, bp, _| x - c.k * bp),
                }
            }
            return;
        }
        for i in 0..n {
            let (c, q) = (cutoff.at(i), second.at(i));
            if c.to_bits() != self.last[0].to_bits() {
                self.last[0] = c;
                self.target[0] = prewarp(c, self.sample_rate);
            }
            if q.to_bits() != self.last[1].to_bits() {
                self.last[1] = q;
                self.target[1] = self.damping(q);
            }
            if self.g.step(self.target[0]) | self.k.step(self.target[1]) {
                self.coefs = SvfCoefs::new(self.g.value(), self.k.value());
            }
            for ch in 0..cx.channels {
                let x = args[0].ch[ch].at(i);
                let (lp, bp, hp) = self.state[ch].tick(&self.coefs, x);
                out[ch * n + i] = match self.mode {
                    SvfMode::Low => lp,
                    SvfMode::High => hp,
                    SvfMode::Notch => x - self.coefs.k * bp,
                };
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Moog ladder

/// Ladder feedback at res 1: a little above 4 (where the linear ladder oscillates) so it
/// self-oscillates from any excitation; the input tanh bounds the amplitude.
const MOOG_K_MAX: f32 = 4.2;

/// One channel of a zero-delay-feedback ladder (Zavalishin, "The Art of VA Filter Design" §5):
/// four TPT one-pole low-passes, the feedback solved exactly for the linear loop, then the
/// ladder's input `u` saturated by `tanh`. Small signals see exactly the analog response
/// `1/((1+s)⁴ + k)`; since |u| ≤ 1 and each stage averages, the output stays bounded.
#[derive(Clone, Copy, Debug, Default)]
struct Ladder {
    s: [f32; 4],
}

impl Ladder {
    /// One sample with stage gain `big_g = g/(1+g)` and feedback `k`.
    #[inline(always)]
    fn tick(&mut self, x: f32, big_g: f32, k: f32) -> f32 {
        let beta = 1.0 - big_g;
        let [s1, s2, s3, s4] = self.s;
        // y4 = G⁴·u + sum: each stage is y = G·x + β·s
        let sum = beta * (big_g * (big_g * (big_g * s1 + s2) + s3) + s4);
        let g4 = big_g * big_g * big_g * big_g;
        let u = ((x - k * sum) / (1.0 + k * g4)).tanh();
        let mut y = u;
        for s in &mut self.s {
            let v = (y - *s) * big_g;
            y = v + *s;
            *s = y + v;
        }
        y
    }
}

struct Moog {
    sample_rate: f32,
    last: [f32; 2],
    target: [f32; 2],
    g: Smooth,
    k: Smooth,
    big_g: f32,
    ladder: [Ladder; 2],
}

impl Moog {
    fn new(s: &KernelSetup<'_>) -> Moog {
        let sr = s.sample_rate;
        Moog {
            sample_rate: sr,
            last: [f32::NAN; 2],
            target: [0.0; 2],
            g: Smooth::glide(sr),
            k: Smooth::glide(sr),
            big_g: 0.0,
            ladder: [Ladder::default(); 2],
        }
    }
}

impl Kernel for Moog {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (cutoff, res) = (args[1].mono(), args[2].mono());
        let n = cx.block;
        for i in 0..n {
            let (c, r) = (cutoff.at(i), res.at(i));
            if c.to_bits() != self.last[0].to_bits() {
                self.last[0] = c;
                // 0.45·sr at most: above sr/4 the TPT stages stop being pure averagers
                self.target[0] = prewarp(sane(c, 1.0, 0.45 * self.sample_rate, 1000.0), self.sample_rate);
            }
            if r.to_bits() != self.last[1].to_bits() {
                self.last[1] = r;
                self.target[1] = MOOG_K_MAX * sane(r, 0.0, 1.0, 0.0);
            }
            self.k.step(self.target[1]);
            if self.g.step(self.target[0]) {
                self.big_g = self.g.value() / (1.0 + self.g.value());
            }
            for ch in 0..cx.channels {
                out[ch * n + i] = self.ladder[ch].tick(args[0].ch[ch].at(i), self.big_g, self.k.value());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Comb and allpass

/// Lowest `freq` of `comb`/`allpass` (their longest delay is 1/`MIN_DELAY_FREQ` s).
pub const MIN_DELAY_FREQ: f32 = 10.0;

/// Largest feedback magnitude of `comb`/`allpass`.
const MAX_FEEDBACK: f32 = 0.99;

/// Delay-line length in samples for the longest delay, plus interpolation room.
fn line_len(sample_rate: f32) -> usize {
    (sample_rate.max(1.0) / MIN_DELAY_FREQ).ceil() as usize + 4
}

/// Delay in samples for `freq`, clamped to `lo`..the line's reach.
fn delay_samples(freq: f32, sample_rate: f32, lo: f32, len: usize) -> f32 {
    (sample_rate / sane(freq, MIN_DELAY_FREQ, f32::INFINITY, 220.0)).clamp(lo, (len - 3) as f32)
}

fn clamp_feedback(fb: f32, fallback: f32) -> f32 {
    sane(fb, -MAX_FEEDBACK, MAX_FEEDBACK, fallback)
}

/// One delay line per channel (1 or 2), each reaching back `len` samples.
fn channel_lines(channels: usize, len: usize) -> Vec<Line> {
    (0..channels.clamp(1, 2)).map(|_| Line::new(len)).collect()
}

/// `comb`: `w[n] = x[n] + fb·w[n-D]`, output `(1-|fb|)·w[n]`; `w[n-D]` read by linear
/// interpolation, so `H(z) = (1-|fb|) / (1 - fb·z^-N·((1-a) + a·z^-1))` with `D = N + a`.
struct Comb {
    sample_rate: f32,
    last_freq: f32,
    delay_target: f32,
    delay: Smooth,
    feedback: Smooth,
    /// Per-channel lines and how far back they reach (samples).
    lines: Vec<Line>,
    len: usize,
}

impl Comb {
    fn new(s: &KernelSetup<'_>) -> Comb {
        let sr = s.sample_rate;
        Comb {
            sample_rate: sr,
            last_freq: f32::NAN,
            delay_target: 1.0,
            delay: Smooth::glide(sr),
            feedback: Smooth::glide(sr),
            lines: channel_lines(s.channels, line_len(sr)),
            len: line_len(sr),
        }
    }
}

impl Kernel for Comb {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (freq, fb) = (args[1].mono(), args[2].mono());
        let n = cx.block;
        for i in 0..n {
            let f = freq.at(i);
            if f.to_bits() != self.last_freq.to_bits() {
                self.last_freq = f;
                self.delay_target = delay_samples(f, self.sample_rate, 1.0, self.len);
            }
            self.delay.step(self.delay_target);
            self.feedback.step(clamp_feedback(fb.at(i), 0.9));
            let d = self.delay.value();
            let whole = d.floor();
            let (back, a) = (whole as usize, d - whole);
            let fbv = self.feedback.value();
            for ch in 0..cx.channels {
                let line = &mut self.lines[ch];
                let delayed = (1.0 - a) * line.tap(back) + a * line.tap(back + 1);
                let w = args[0].ch[ch].at(i) + fbv * delayed;
                line.push(w);
                out[ch * n + i] = (1.0 - fbv.abs()) * w;
            }
        }
    }
}

/// `allpass`: `v[n] = x[n] + g·d[n]`, `y[n] = d[n] - g·v[n]`, where `d` is `v` delayed by
/// `D = 1/freq` s through a first-order Thiran allpass interpolator (`N = ⌊D⌋-1` whole samples
/// and `1 ≤ a < 2` fractional, `η = (1-a)/(1+a)`), so `H(z) = (L(z) - g)/(1 - g·L(z))` with
/// `|L| = 1`: the magnitude is exactly flat for any delay.
struct Allpass {
    sample_rate: f32,
    last_freq: f32,
    delay_target: f32,
    delay: Smooth,
    feedback: Smooth,
    /// Per-channel lines and how far back they reach (samples).
    lines: Vec<Line>,
    len: usize,
    /// The interpolator's previous output per channel.
    prev: [f32; 2],
}

impl Allpass {
    fn new(s: &KernelSetup<'_>) -> Allpass {
        let sr = s.sample_rate;
        Allpass {
            sample_rate: sr,
            last_freq: f32::NAN,
            delay_target: 2.0,
            delay: Smooth::glide(sr),
            feedback: Smooth::glide(sr),
            lines: channel_lines(s.channels, line_len(sr)),
            len: line_len(sr),
            prev: [0.0; 2],
        }
    }
}

impl Kernel for Allpass {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (freq, fb) = (args[1].mono(), args[2].mono());
        let n = cx.block;
        for i in 0..n {
            let f = freq.at(i);
            if f.to_bits() != self.last_freq.to_bits() {
                self.last_freq = f;
                self.delay_target = delay_samples(f, self.sample_rate, 2.0, self.len);
            }
            self.delay.step(self.delay_target);
            self.feedback.step(clamp_feedback(fb.at(i), 0.5));
            let d = self.delay.value();
            let whole = (d.floor() - 1.0).max(1.0);
            let (back, a) = (whole as usize, d - whole);
            let eta = (1.0 - a) / (1.0 + a);
            let g = self.feedback.value();
            for ch in 0..cx.channels {
                let line = &mut self.lines[ch];
                let delayed = eta * line.tap(back) + line.tap(back + 1) - eta * self.prev[ch];
                self.prev[ch] = delayed;
                let v = args[0].ch[ch].at(i) + g * delayed;
                line.push(v);
                out[ch * n + i] = delayed - g * v;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DJ filter

/// `djf`'s sweep limits in Hz: the low-pass closes to `DJF_LOW`, the high-pass opens to `DJF_HIGH`.
const DJF_LOW: f32 = 20.0;
const DJF_HIGH: f32 = 20_000.0;
/// Within this distance of 0.5 (in knob units) the filter fades into the dry signal, so the
/// centre is an exact bypass and the low-pass/high-pass switch is silent.
const DJF_FADE: f32 = 0.05;

/// `djf`'s setting for knob `x`: (high-pass?, cutoff Hz, wet 0..1). Output is
/// `wet·filter + (1-wet)·input`, the filter a Butterworth (q 0.707) SVF.
pub fn djf_setting(x: f32) -> (bool, f32, f32) {
    let x = sane(x, 0.0, 1.0, 0.5);
    let depth = (x - 0.5).abs() * 2.0;
    let wet = (depth / (2.0 * DJF_FADE)).min(1.0);
    let span = DJF_HIGH / DJF_LOW;
    if x < 0.5 { (false, DJF_HIGH * span.powf(-depth), wet) } else { (true, DJF_LOW * span.powf(depth), wet) }
}

struct Djf {
    sample_rate: f32,
    x: Smooth,
    high: bool,
    wet: f32,
    coefs: SvfCoefs,
    state: [SvfState; 2],
}

impl Djf {
    fn new(s: &KernelSetup<'_>) -> Djf {
        Djf {
            sample_rate: s.sample_rate,
            x: Smooth::glide(s.sample_rate),
            high: false,
            wet: 0.0,
            coefs: SvfCoefs::default(),
            state: [SvfState::default(); 2],
        }
    }
}

impl Kernel for Djf {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let knob = args[1].mono();
        let n = cx.block;
        for i in 0..n {
            if self.x.step(sane(knob.at(i), 0.0, 1.0, 0.5)) {
                let (high, fc, wet) = djf_setting(self.x.value());
                (self.high, self.wet) = (high, wet);
                self.coefs = SvfCoefs::new(prewarp(fc, self.sample_rate), std::f32::consts::SQRT_2);
            }
            for ch in 0..cx.channels {
                let x = args[0].ch[ch].at(i);
                let (lp, _, hp) = self.state[ch].tick(&self.coefs, x);
                let y = if self.high { hp } else { lp };
                out[ch * n + i] = if self.wet == 0.0 { x } else { x + self.wet * (y - x) };
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Three-band EQ

/// `eq`'s low-shelf frequency (Hz, the RBJ shelf's midpoint); the shelves have slope S = 1.
pub const EQ_LOW_HZ: f64 = 250.0;
/// `eq`'s mid bell centre frequency (Hz).
pub const EQ_MID_HZ: f64 = 1000.0;
/// `eq`'s high-shelf frequency (Hz, the RBJ shelf's midpoint).
pub const EQ_HIGH_HZ: f64 = 4000.0;
/// `eq`'s mid bell's q.
pub const EQ_MID_Q: f64 = 0.7;
/// Largest boost or cut of an `eq` band, in dB.
const EQ_MAX_DB: f32 = 24.0;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Band {
    LowShelf,
    Peak,
    HighShelf,
}

/// Normalised biquad coefficients `[b0, b1, b2, a1, a2]` (a0 = 1).
#[derive(Clone, Copy, Debug, Default)]
struct Biquad([f32; 5]);

/// RBJ Audio-EQ-Cookbook coefficients for `band` at `f0` Hz with `db` gain (computed in f64).
fn rbj(band: Band, f0: f64, db: f64, sample_rate: f64) -> Biquad {
    let a = 10f64.powf(db / 40.0);
    let w0 = 2.0 * std::f64::consts::PI * f0 / sample_rate;
    let (sn, cs) = w0.sin_cos();
    let [b0, b1, b2, a0, a1, a2] = match band {
        Band::Peak => {
            let alpha = sn / (2.0 * EQ_MID_Q);
            [1.0 + alpha * a, -2.0 * cs, 1.0 - alpha * a, 1.0 + alpha / a, -2.0 * cs, 1.0 - alpha / a]
        }
        Band::LowShelf | Band::HighShelf => {
            // shelf slope S = 1: alpha = sin(w0)/2·√2
            let t = 2.0 * a.sqrt() * sn / std::f64::consts::SQRT_2;
            let sign = if band == Band::LowShelf { 1.0 } else { -1.0 };
            let (p, m) = (a + 1.0, a - 1.0);
            [
                a * (p - sign * m * cs + t),
                sign * 2.0 * a * (m - sign * p * cs),
                a * (p - sign * m * cs - t),
                p + sign * m * cs + t,
                -sign * 2.0 * (m + sign * p * cs),
                p + sign * m * cs - t,
            ]
        }
    };
    Biquad([(b0 / a0) as f32, (b1 / a0) as f32, (b2 / a0) as f32, (a1 / a0) as f32, (a2 / a0) as f32])
}

/// One channel's transposed-direct-form-II state.
#[derive(Clone, Copy, Debug, Default)]
struct Tdf2 {
    s1: f32,
    s2: f32,
}

impl Tdf2 {
    #[inline(always)]
    fn tick(&mut self, c: &Biquad, x: f32) -> f32 {
        let [b0, b1, b2, a1, a2] = c.0;
        let y = b0 * x + self.s1;
        self.s1 = b1 * x - a1 * y + self.s2;
        self.s2 = b2 * x - a2 * y;
        y
    }
}

const EQ_BANDS: [(Band, f64); 3] = [(Band::LowShelf, EQ_LOW_HZ), (Band::Peak, EQ_MID_HZ), (Band::HighShelf, EQ_HIGH_HZ)];

struct Eq3 {
    sample_rate: f32,
    gain: [Smooth; 3],
    coefs: [Biquad; 3],
    state: [[Tdf2; 3]; 2],
}

impl Eq3 {
    fn new(s: &KernelSetup<'_>) -> Eq3 {
        let sr = s.sample_rate;
        Eq3 { sample_rate: sr, gain: [Smooth::glide(sr); 3], coefs: [Biquad::default(); 3], state: [[Tdf2::default(); 3]; 2] }
    }
}

impl Kernel for Eq3 {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let n = cx.block;
        for i in 0..n {
            for (b, &(band, f0)) in EQ_BANDS.iter().enumerate() {
                let db = sane(args[b + 1].mono().at(i), -EQ_MAX_DB, EQ_MAX_DB, 0.0);
                if self.gain[b].step(db) {
                    self.coefs[b] = rbj(band, f0, self.gain[b].value() as f64, self.sample_rate as f64);
                }
            }
            for ch in 0..cx.channels {
                let mut y = args[0].ch[ch].at(i);
                for (st, c) in self.state[ch].iter_mut().zip(&self.coefs) {
                    y = st.tick(c, y);
                }
                out[ch * n + i] = y;
            }
        }
    }
}
