//! Catalogue family: oscillators — sources beyond the built-in `sine`/`saw`/`square`/`tri`/`noise`:
//! a band-limited pulse with PWM, coloured noises, a control ramp, two-operator FM/PM and a
//! supersaw.
//!
//! Phases are kept in cycles (`0..1`, `f64`) and advanced per sample, so pitch never drifts and
//! the output does not depend on the block size. Noises are deterministic (fixed seeds).

use super::util::{Smooth, copy_to_other_channels, sane};
use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, UgenDef};
use std::f64::consts::TAU;

/// Outermost supersaw voices sit at ± `detune × SUPERSAW_SPREAD_SEMITONES` from the pitch.
pub const SUPERSAW_SPREAD_SEMITONES: f64 = 1.0;
/// Most voices a supersaw stacks.
pub const SUPERSAW_MAX_VOICES: usize = 16;

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[
    UgenDef {
        name: "pulse",
        family: "oscillators",
        effect: false,
        args: &[
            ArgDef::control("freq", 110.0, "Hz", "the pitch"),
            ArgDef::control("width", 0.5, "0..1", "the fraction of each period spent high (0.5 is a square); modulate it for PWM"),
        ],
        channels: Channels::Mono,
        doc: "Band-limited (4-point polyBLEP) pulse wave swinging ±1; `width` sets the duty cycle, so a width other than 0.5 carries a DC offset of 2·width−1, as on analog synths.",
        example: "out: pulse 110 (sine 0.3 # range 0.1 0.9) * 0.2",
        make: |_| Box::new(Pulse { phase: 0.0 }),
    },
    UgenDef {
        name: "pink",
        family: "oscillators",
        effect: false,
        args: &[],
        channels: Channels::Mono,
        doc: "Pink noise (equal energy per octave, −3 dB/octave), from Paul Kellet's refined filter on white noise; RMS about 0.2, never beyond ±1, the same sequence every run.",
        example: "out: pink * 0.5",
        make: |s| Box::new(Pink::new(s.sample_rate)),
    },
    UgenDef {
        name: "brown",
        family: "oscillators",
        effect: false,
        args: &[],
        channels: Channels::Mono,
        doc: "Brown (red) noise, −6 dB/octave: white noise through a leaky integrator (corner 10 Hz); RMS about 0.25, never beyond ±1, the same sequence every run.",
        example: "out: brown * 0.5",
        make: |s| Box::new(Brown::new(s.sample_rate)),
    },
    UgenDef {
        name: "phasor",
        family: "oscillators",
        effect: false,
        args: &[ArgDef::control("freq", 1.0, "Hz", "ramps per second (negative ramps down)")],
        channels: Channels::Mono,
        doc: "A naive 0..1 ramp, `freq` times a second: a control signal for sweeps and wavetable-style tricks (it aliases as audio).",
        example: "out: sine (phasor 0.5 * 220 + 220) * 0.2",
        make: |_| Box::new(Phasor { phase: 0.0 }),
    },
    UgenDef {
        name: "fm",
        family: "oscillators",
        effect: false,
        args: &[
            ArgDef::control("carrier", 220.0, "Hz", "the carrier's pitch"),
            ArgDef::control("modfreq", 110.0, "Hz", "the modulator's frequency"),
            ArgDef::control(
                "index",
                1.0,
                "rad",
                "modulation index: peak phase deviation in radians (frequency deviation index × modfreq Hz)",
            ),
        ],
        channels: Channels::Mono,
        doc: "Frequency modulation: a sine whose frequency swings by index × modfreq Hz at modfreq, integrated into its phase, so moving the index never clicks; the n-th sidebands at carrier ± n·modfreq have amplitude Jn(index).",
        example: "out: fm 220 110 (sine 0.25 # range 0 4) * 0.3",
        make: |_| Box::new(Fm::default()),
    },
    UgenDef {
        name: "pm",
        family: "oscillators",
        effect: false,
        args: &[
            ArgDef::control("carrier", 220.0, "Hz", "the carrier's pitch"),
            ArgDef::control("modfreq", 110.0, "Hz", "the modulator's frequency"),
            ArgDef::control("index", 1.0, "rad", "modulation index: peak phase offset in radians"),
        ],
        channels: Channels::Mono,
        doc: "Phase modulation (DX7-style): sin(carrier phase + index·sin(modulator phase)). Same spectrum as `fm` for steady arguments, but the index offsets the phase directly (smoothed over 2 ms), so index modulation acts on the phase, not the frequency.",
        example: "out: pm 220 330 (sine 0.2 # range 0 3) * 0.3",
        make: |s| Box::new(Pm { carrier: 0.0, modulator: 0.0, index: Smooth::new(PM_INDEX_SMOOTH_S, s.sample_rate) }),
    },
    UgenDef {
        name: "supersaw",
        family: "oscillators",
        effect: false,
        args: &[
            ArgDef::control("freq", 110.0, "Hz", "the pitch"),
            ArgDef::control("detune", 0.2, "0..1", "spread: the outermost voices sit ± detune semitones from the pitch"),
            ArgDef::control("voices", 7.0, "1..16", "how many polyBLEP saws are stacked (rounded)"),
        ],
        channels: Channels::Mono,
        doc: "JP-8000-style supersaw: up to 16 band-limited saws spread evenly over ± detune semitones from fixed start phases, scaled by 1/√voices so its RMS is one saw's (peaks reach about ±2); voices fade in and out over 5 ms.",
        example: "out: supersaw 110 0.3 7 * 0.15",
        make: |s| Box::new(Supersaw::new(s.sample_rate)),
    },
];

/// Time constant of `pm`'s index smoothing, seconds.
const PM_INDEX_SMOOTH_S: f32 = 0.002;
/// How long a supersaw voice takes to fade in or out, seconds.
const SUPERSAW_FADE_S: f32 = 0.005;

/// Phase increment in cycles per sample for `freq` Hz, limited to ±0.5 (Nyquist); 0 for NaN.
#[inline]
fn increment(freq: f32, inv_sr: f64) -> f64 {
    let inc = freq as f64 * inv_sr;
    if inc.is_nan() { 0.0 } else { inc.clamp(-0.5, 0.5) }
}

/// `phase + inc` wrapped into `[0, 1)`.
#[inline]
fn advance(phase: f64, inc: f64) -> f64 {
    let p = phase + inc;
    if (0.0..1.0).contains(&p) {
        return p;
    }
    let w = p.rem_euclid(1.0);
    // rem_euclid of a tiny negative number rounds to 1.0; a non-finite phase restarts
    if (0.0..1.0).contains(&w) { w } else { 0.0 }
}

/// Band-limited unit step minus the ideal one, `t` samples after the step (negative: before):
/// the integral of a cubic B-spline (4 samples wide, a sinc⁴ lowpass) minus the Heaviside
/// step, zero for |t| ≥ 2. This 4-point polyBLEP leaves about 10 dB less aliasing than the
/// usual 2-point one, for a gentle extra roll-off near Nyquist (−3 dB at sr/4.4).
#[inline]
fn blep4(t: f64) -> f64 {
    /// The band-limited step before the edge (`-2 ≤ u ≤ 0`).
    #[inline]
    fn rise(u: f64) -> f64 {
        if u <= -1.0 {
            let a = 2.0 + u;
            a * a * a * a / 24.0
        } else {
            let u2 = u * u;
            1.0 / 24.0 + (4.0 * u - 2.0 * u2 * u - 0.75 * u2 * u2 + 2.75) / 6.0
        }
    }
    if t <= -2.0 || t >= 2.0 {
        0.0
    } else if t < 0.0 {
        rise(t)
    } else {
        -rise(-t)
    }
}

/// The residual of a unit upward step at phase 0 (cycles) seen from phase `phase` moving `dt`
/// cycles per sample (`0 < dt ≤ 0.5`): the step just passed and the next one both count.
#[inline]
fn step_residual(phase: f64, dt: f64) -> f64 {
    if dt <= 0.0 {
        return 0.0;
    }
    let (after, before) = (phase / dt, (phase - 1.0) / dt);
    let mut r = 0.0;
    if after < 2.0 {
        r += blep4(after);
    }
    if before > -2.0 {
        r += blep4(before);
    }
    r
}

/// Band-limited saw (−1 → 1 over a period) at `phase`, increment `dt` (cycles/sample, ≥ 0).
#[inline]
fn saw_sample(phase: f64, dt: f64) -> f64 {
    2.0 * phase - 1.0 - 2.0 * step_residual(phase, dt)
}

/// Band-limited pulse at `phase`: +1 for `phase < width`, else −1 (`width` in `0..=1`).
#[inline]
fn pulse_sample(phase: f64, dt: f64, width: f64) -> f64 {
    let naive = if phase < width { 1.0 } else { -1.0 };
    naive + 2.0 * (step_residual(phase, dt) - step_residual((phase + 1.0 - width).fract(), dt))
}

/// One uniform white-noise sample in `[-1, 1)` from a xorshift32 state (never 0).
#[inline]
fn white(state: &mut u32) -> f32 {
    let mut s = *state;
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    *state = s;
    (s >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0
}

struct Pulse {
    phase: f64,
}

impl Kernel for Pulse {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (freq, width) = (args[0].mono(), args[1].mono());
        let inv_sr = 1.0 / cx.sample_rate as f64;
        for (i, o) in out[..cx.block].iter_mut().enumerate() {
            let inc = increment(freq.at(i), inv_sr);
            let w = sane(width.at(i), 0.0, 1.0, 0.5) as f64;
            *o = pulse_sample(self.phase, inc.abs(), w) as f32;
            self.phase = advance(self.phase, inc);
        }
        copy_to_other_channels(cx, out);
    }
}

/// Paul Kellet's refined pink filter: pole and input gain of its six one-pole sections, designed
/// at 44.1 kHz (accurate to ±0.05 dB above 9.2 Hz). The first five are lowpasses that
/// [`Pink::new`] moves to other rates keeping each corner and DC gain; the sixth, a Nyquist
/// correction, is kept as is.
const KELLET: [(f32, f32); 6] =
    [(0.99886, 0.0555179), (0.99332, 0.0750759), (0.969, 0.153852), (0.8665, 0.3104856), (0.55, 0.5329522), (-0.7616, -0.0168980)];
/// Kellet's direct white term and the one-sample-delayed one.
const KELLET_DIRECT: f32 = 0.5362;
const KELLET_DELAYED: f32 = 0.115926;
/// Scales Kellet's sum (RMS ≈ 1.75 for uniform white in ±1) to an RMS of about 0.2.
const PINK_GAIN: f32 = 0.115;

struct Pink {
    seed: u32,
    poles: [f32; 6],
    gains: [f32; 6],
    state: [f32; 6],
    delayed: f32,
}

impl Pink {
    fn new(sample_rate: f32) -> Pink {
        let mut poles = [0.0; 6];
        let mut gains = [0.0; 6];
        let ratio = 44_100.0 / sample_rate.max(1.0) as f64;
        for (k, &(p, g)) in KELLET.iter().enumerate() {
            if p > 0.0 {
                let moved = (p as f64).powf(ratio);
                poles[k] = moved as f32;
                gains[k] = (g as f64 * (1.0 - moved) / (1.0 - p as f64)) as f32;
            } else {
                (poles[k], gains[k]) = (p, g);
            }
        }
        Pink { seed: 0x2545_F491, poles, gains, state: [0.0; 6], delayed: 0.0 }
    }
}

impl Kernel for Pink {
    fn process(&mut self, cx: &KernelCtx, _: &[Arg<'_>], out: &mut [f32]) {
        for o in out[..cx.block].iter_mut() {
            let w = white(&mut self.seed);
            let mut sum = self.delayed + w * KELLET_DIRECT;
            for ((s, &p), &g) in self.state.iter_mut().zip(&self.poles).zip(&self.gains) {
                *s = p * *s + g * w;
                sum += *s;
            }
            self.delayed = w * KELLET_DELAYED;
            *o = (sum * PINK_GAIN).clamp(-1.0, 1.0);
        }
        copy_to_other_channels(cx, out);
    }
}

/// Corner of the brown noise's leaky integrator, Hz: −6 dB/octave above it, flat below.
const BROWN_CORNER_HZ: f64 = 10.0;
/// Target RMS of `brown` (its integrator state is held within ±1).
const BROWN_RMS: f64 = 0.25;

struct Brown {
    seed: u32,
    leak: f32,
    gain: f32,
    y: f32,
}

impl Brown {
    fn new(sample_rate: f32) -> Brown {
        let leak = (-TAU * BROWN_CORNER_HZ / sample_rate.max(1.0) as f64).exp();
        // stationary variance of y = leak·y + gain·w is gain²·σ²/(1 − leak²), σ² = 1/3
        let gain = BROWN_RMS * (3.0 * (1.0 - leak * leak)).sqrt();
        Brown { seed: 0x6C8E_9CF5, leak: leak as f32, gain: gain as f32, y: 0.0 }
    }
}

impl Kernel for Brown {
    fn process(&mut self, cx: &KernelCtx, _: &[Arg<'_>], out: &mut [f32]) {
        for o in out[..cx.block].iter_mut() {
            let w = white(&mut self.seed);
            self.y = (self.leak * self.y + self.gain * w).clamp(-1.0, 1.0);
            *o = self.y;
        }
        copy_to_other_channels(cx, out);
    }
}

struct Phasor {
    phase: f64,
}

impl Kernel for Phasor {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let freq = args[0].mono();
        let inv_sr = 1.0 / cx.sample_rate as f64;
        for (i, o) in out[..cx.block].iter_mut().enumerate() {
            // a phase just below 1 would round up to 1.0 in f32
            *o = (self.phase as f32).min(1.0 - f32::EPSILON / 2.0);
            self.phase = advance(self.phase, increment(freq.at(i), inv_sr));
        }
        copy_to_other_channels(cx, out);
    }
}

/// Largest modulation index accepted by `fm` and `pm`, radians.
const MAX_INDEX: f32 = 1000.0;

/// `fm`: carrier phase (cycles, including the integrated deviation), modulator phase and the
/// modulator's last sine.
#[derive(Default)]
struct Fm {
    carrier: f64,
    modulator: f64,
    mod_sin: f64,
}

impl Kernel for Fm {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (carrier, modfreq, index) = (args[0].mono(), args[1].mono(), args[2].mono());
        let inv_sr = 1.0 / cx.sample_rate as f64;
        for (i, o) in out[..cx.block].iter_mut().enumerate() {
            *o = (self.carrier * TAU).sin() as f32;
            let beta = sane(index.at(i), -MAX_INDEX, MAX_INDEX, 0.0) as f64;
            self.modulator = advance(self.modulator, increment(modfreq.at(i), inv_sr));
            let s = (self.modulator * TAU).sin();
            // the exact integral of the deviation index·modfreq·cos over this sample
            let deviation = beta * (s - self.mod_sin) / TAU;
            self.mod_sin = s;
            self.carrier = advance(self.carrier, increment(carrier.at(i), inv_sr) + deviation);
        }
        copy_to_other_channels(cx, out);
    }
}

/// `pm`: carrier and modulator phases (cycles) and the smoothed index.
struct Pm {
    carrier: f64,
    modulator: f64,
    index: Smooth,
}

impl Kernel for Pm {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (carrier, modfreq, index) = (args[0].mono(), args[1].mono(), args[2].mono());
        let inv_sr = 1.0 / cx.sample_rate as f64;
        for (i, o) in out[..cx.block].iter_mut().enumerate() {
            let beta = self.index.next(sane(index.at(i), -MAX_INDEX, MAX_INDEX, 0.0)) as f64;
            *o = (self.carrier * TAU + beta * (self.modulator * TAU).sin()).sin() as f32;
            self.carrier = advance(self.carrier, increment(carrier.at(i), inv_sr));
            self.modulator = advance(self.modulator, increment(modfreq.at(i), inv_sr));
        }
        copy_to_other_channels(cx, out);
    }
}

/// Fixed start phases of the supersaw's voices (cycles), chosen by a search so that with any
/// number of voices at detune 0 each of the first 8 harmonics sums to within ±5 dB of the
/// random-phase level the 1/√voices scaling assumes (evenly spread phases would cancel the
/// fundamental instead).
const SUPERSAW_PHASES: [f64; SUPERSAW_MAX_VOICES] =
    [0.0, 0.001, 0.127, 0.457, 0.767, 0.829, 0.351, 0.018, 0.785, 0.299, 0.727, 0.995, 0.902, 0.614, 0.769, 0.892];

/// Position of voice `k` of `voices` in the spread, `-1..=1` (evenly spaced; 0 for one voice).
fn spread_position(k: usize, voices: usize) -> f64 {
    if voices <= 1 { 0.0 } else { 2.0 * k as f64 / (voices - 1) as f64 - 1.0 }
}

/// Frequency ratio of voice `k` of `voices` at `detune` (0..1).
fn voice_ratio(k: usize, voices: usize, detune: f64) -> f64 {
    (detune * SUPERSAW_SPREAD_SEMITONES * spread_position(k, voices) / 12.0).exp2()
}

struct Supersaw {
    phases: [f64; SUPERSAW_MAX_VOICES],
    ratios: [f64; SUPERSAW_MAX_VOICES],
    /// Each voice's level, ramped linearly to 1 (sounding) or 0.
    gains: [f32; SUPERSAW_MAX_VOICES],
    /// Gain change per sample of a fading voice.
    fade_step: f32,
    /// The detune and voice count `ratios` were computed for (`voices == 0`: not yet).
    detune: f32,
    voices: usize,
}

impl Supersaw {
    fn new(sample_rate: f32) -> Supersaw {
        Supersaw {
            phases: SUPERSAW_PHASES,
            ratios: [1.0; SUPERSAW_MAX_VOICES],
            gains: [0.0; SUPERSAW_MAX_VOICES],
            fade_step: 1.0 / (SUPERSAW_FADE_S * sample_rate).max(1.0),
            detune: 0.0,
            voices: 0,
        }
    }

    /// Take a new detune or voice count: sounding voices get their new pitch ratios (fading
    /// ones keep theirs). The first call sets the voices' levels without a fade.
    fn retune(&mut self, detune: f32, voices: usize) {
        if detune == self.detune && voices == self.voices {
            return;
        }
        if self.voices == 0 {
            for (k, g) in self.gains.iter_mut().enumerate() {
                *g = if k < voices { 1.0 } else { 0.0 };
            }
        }
        self.detune = detune;
        self.voices = voices;
        for (k, r) in self.ratios.iter_mut().enumerate().take(voices) {
            *r = voice_ratio(k, voices, detune as f64);
        }
    }

    /// One sample of the stack for base increment `inc` (cycles per sample), advancing phases.
    #[inline]
    fn sample(&mut self, inc: f64) -> f32 {
        let (mut sum, mut power) = (0.0f64, 0.0f32);
        for k in 0..SUPERSAW_MAX_VOICES {
            let target = if k < self.voices { 1.0 } else { 0.0 };
            let g = &mut self.gains[k];
            *g += (target - *g).clamp(-self.fade_step, self.fade_step);
            if *g == 0.0 {
                continue;
            }
            let dt = (inc * self.ratios[k]).clamp(-0.5, 0.5);
            sum += *g as f64 * saw_sample(self.phases[k], dt.abs());
            power += *g * *g;
            self.phases[k] = advance(self.phases[k], dt);
        }
        if power > 0.0 { (sum / (power as f64).sqrt()) as f32 } else { 0.0 }
    }
}

impl Kernel for Supersaw {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (freq, detune, voices) = (args[0].mono(), args[1].mono(), args[2].mono());
        let inv_sr = 1.0 / cx.sample_rate as f64;
        for (i, o) in out[..cx.block].iter_mut().enumerate() {
            let d = sane(detune.at(i), 0.0, 1.0, 0.2);
            let v = sane(voices.at(i), 1.0, SUPERSAW_MAX_VOICES as f32, 7.0).round() as usize;
            self.retune(d, v);
            *o = self.sample(increment(freq.at(i), inv_sr));
        }
        copy_to_other_channels(cx, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blep_is_a_continuous_odd_residual() {
        // it jumps by −1 at the step (cancelling the ideal step) and is continuous elsewhere
        assert!((blep4(-1e-12) - 0.5).abs() < 1e-9 && (blep4(0.0) + 0.5).abs() < 1e-12);
        for t in [-1.9, -1.0, -0.3, 0.4, 1.0, 1.5] {
            assert!((blep4(t) + blep4(-t)).abs() < 1e-12, "odd at {t}");
            assert!((blep4(t + 1e-7) - blep4(t)).abs() < 1e-6, "continuous at {t}");
        }
        assert!(blep4(-2.0).abs() < 1e-12 && blep4(1.999_999).abs() < 1e-12);
        // the residual integrates to zero: the band-limited step keeps the step's area
        let area: f64 = (0..4000).map(|k| blep4(-2.0 + (k as f64 + 0.5) * 1e-3) * 1e-3).sum();
        assert!(area.abs() < 1e-9, "area {area}");
    }

    #[test]
    fn pulse_is_exact_away_from_its_edges() {
        let dt = 0.01;
        assert_eq!(pulse_sample(0.1, dt, 0.25), 1.0);
        assert_eq!(pulse_sample(0.5, dt, 0.25), -1.0);
        // halfway through an edge the blep averages the two levels
        assert!(pulse_sample(0.25, dt, 0.25).abs() < 1e-12);
        assert_eq!(pulse_sample(0.5, dt, 0.0), -1.0);
        assert_eq!(pulse_sample(0.5, dt, 1.0), 1.0);
    }

    #[test]
    fn phase_wraps_into_unit_interval() {
        assert_eq!(advance(0.9, 0.2), 0.9 + 0.2 - 1.0);
        assert_eq!(advance(0.0, -1e-20), 0.0);
        assert!((advance(0.1, -0.3) - 0.8).abs() < 1e-12);
        assert_eq!(advance(f64::NAN, 0.1), 0.0);
    }

    #[test]
    fn supersaw_voices_span_the_detune_symmetrically() {
        assert_eq!(voice_ratio(3, 7, 0.5), 1.0);
        assert!((voice_ratio(0, 7, 1.0) - 2f64.powf(-1.0 / 12.0)).abs() < 1e-12);
        assert!((voice_ratio(6, 7, 1.0) - 2f64.powf(1.0 / 12.0)).abs() < 1e-12);
        assert_eq!(voice_ratio(0, 1, 1.0), 1.0);
    }
}
