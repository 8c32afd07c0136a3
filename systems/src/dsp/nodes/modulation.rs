//! Catalogue family: modulation — `chorus`, `flanger`, `phaser`, `tremolo`, `vibrato`, `ring`.
//!
//! LFOs are per-sample phase accumulators (their rate may change at any time without a click);
//! depths, feedback and mix are smoothed per sample. Delay-based effects read their lines with
//! cubic interpolation.

use super::util::{Lfo, Line, SMOOTH_S, Smooth, sane};
use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, UgenDef};
use std::f32::consts::{FRAC_1_SQRT_2, FRAC_PI_2, PI, TAU};

/// Chorus voices per channel: base delays (s); the excursion at depth 1 (s).
const CHORUS_BASE_S: [f32; 2] = [0.010, 0.015];
const CHORUS_EXCURSION_S: f32 = 0.004;
/// Flanger: centre delay (s); at depth 1 it sweeps centre·(1 ± FLANGER_SWEEP).
const FLANGER_CENTRE_S: f32 = 0.0025;
const FLANGER_SWEEP: f32 = 0.9;
/// Largest |feedback| of the flanger and the phaser (they stay linear and stable).
const MAX_FEEDBACK: f32 = 0.95;
/// Phaser: allpass stages, centre frequency (Hz) and sweep (octaves either side) at depth 1.
const PHASER_STAGES: usize = 6;
const PHASER_CENTRE_HZ: f32 = 700.0;
const PHASER_OCTAVES: f32 = 2.0;
/// Vibrato: the largest delay excursion (s); a slow rate cannot reach a deep depth beyond it.
const VIBRATO_MAX_EXCURSION_S: f32 = 0.025;
/// Vibrato excursion smoothing (s): a change of rate or depth bends the pitch this gently.
const VIBRATO_SMOOTH_S: f32 = 0.02;

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[
    UgenDef {
        name: "chorus",
        family: "modulation",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("rate", 0.8, "Hz", "LFO rate of the delay sweep"),
            ArgDef::control("depth", 0.5, "0..1", "delay excursion, up to ±4 ms around 10 and 15 ms"),
            ArgDef::control("mix", 0.5, "0..1", "equal-power crossfade, 0 dry … 1 only the chorus voices"),
        ],
        channels: Channels::Stereo,
        doc: "Stereo chorus: two swept delay voices (10 and 15 ms) per channel, the right channel's LFOs a quarter cycle \
              behind the left's.",
        example: "out: saw 110 # lpf 2000 0.7 # chorus 0.8 0.5 0.5 * 0.3",
        make: make_chorus,
    },
    UgenDef {
        name: "flanger",
        family: "modulation",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("rate", 0.2, "Hz", "LFO rate of the sweep"),
            ArgDef::control("depth", 0.7, "0..1", "sweep of the 2.5 ms delay: 2.5·(1 ± 0.9·depth) ms"),
            ArgDef::control("feedback", 0.5, "", "resonance of the comb's peaks, -0.95..0.95"),
            ArgDef::control("mix", 0.5, "0..1", "0 dry … 1 only delayed; 0.5 gives the deepest notches"),
        ],
        channels: Channels::Stereo,
        doc: "Stereo flanger: a comb filter from a short swept delay (notches at odd multiples of 1/(2·delay) at mix 0.5), \
              feedback resonating its peaks; the right channel sweeps a quarter cycle behind the left.",
        example: "out: saw 110 # flanger 0.2 0.7 0.6 * 0.3",
        make: make_flanger,
    },
    UgenDef {
        name: "phaser",
        family: "modulation",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("rate", 0.5, "Hz", "LFO rate of the sweep"),
            ArgDef::control("depth", 0.7, "0..1", "sweep of the allpass frequency, up to ±2 octaves around 700 Hz"),
            ArgDef::control("feedback", 0.3, "", "chain output fed back into it, -0.95..0.95 (level-compensated for noise)"),
        ],
        channels: Channels::Follow,
        doc: "Six-stage phaser: the input plus itself through six swept first-order allpasses, giving three moving notches \
              (at 0.27, 1 and 3.7 times the allpass frequency).",
        example: "out: saw 110 # phaser 0.5 0.7 0.3 * 0.3",
        make: make_phaser,
    },
    UgenDef {
        name: "tremolo",
        family: "modulation",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("rate", 4.0, "Hz", "LFO rate"),
            ArgDef::control("depth", 0.5, "0..1", "the gain swings between 1 - depth and 1"),
        ],
        channels: Channels::Follow,
        doc: "Tremolo: the gain follows a raised cosine between 1 and 1 - depth, `rate` times a second.",
        example: "out: sine 440 # tremolo 6 0.7 * 0.3",
        make: make_tremolo,
    },
    UgenDef {
        name: "vibrato",
        family: "modulation",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("rate", 5.0, "Hz", "LFO rate"),
            ArgDef::control(
                "depth",
                0.5,
                "semitones",
                "pitch swing: peak-to-peak 2·depth semitones (a delay line bends slightly less up than down)",
            ),
        ],
        channels: Channels::Follow,
        doc: "Vibrato: the pitch swings ±depth semitones `rate` times a second, by a swept delay (at most 25 ms of \
              excursion, which limits very deep, very slow vibrato).",
        example: "out: tri 440 # vibrato 5 0.5 * 0.3",
        make: make_vibrato,
    },
    UgenDef {
        name: "ring",
        family: "modulation",
        effect: true,
        args: &[ArgDef::INPUT, ArgDef::control("freq", 300.0, "Hz", "frequency of the modulating sine")],
        channels: Channels::Follow,
        doc: "Ring modulation: the input times a sine at freq, so a partial at f becomes f - freq and f + freq.",
        example: "out: sine 440 # ring 170 * 0.3",
        make: make_ring,
    },
];

// ---------------------------------------------------------------------------------------------
// chorus
// ---------------------------------------------------------------------------------------------

/// Per channel, a line read by two voices, each with its own LFO (`lfos[channel][voice]`).
struct Chorus {
    depth: Smooth,
    mix: Smooth,
    lfos: [[Lfo; 2]; 2],
    lines: [Line; 2],
}

fn make_chorus(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let sr = s.sample_rate;
    let longest = ((CHORUS_BASE_S[1] + CHORUS_EXCURSION_S) * sr).ceil() as usize + 2;
    // voices half a cycle apart; the right channel a quarter cycle behind
    let lfo = |c: usize, v: usize| Lfo::new(0.5 * v as f64 + 0.25 * c as f64);
    Box::new(Chorus {
        depth: Smooth::new(SMOOTH_S, sr),
        mix: Smooth::new(SMOOTH_S, sr),
        lfos: [[lfo(0, 0), lfo(0, 1)], [lfo(1, 0), lfo(1, 1)]],
        lines: [Line::new(longest), Line::new(longest)],
    })
}

impl Kernel for Chorus {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (sr, n) = (cx.sample_rate, cx.block);
        let [rate, depth, mix] = [1, 2, 3].map(|k| args[k].mono());
        for i in 0..n {
            let rate = rate.at(i);
            let exc = self.depth.next(sane(depth.at(i), 0.0, 1.0, 0.0)) * CHORUS_EXCURSION_S * sr;
            let (dry, wet) = {
                let a = self.mix.next(sane(mix.at(i), 0.0, 1.0, 0.0)) * FRAC_PI_2;
                (a.cos(), a.sin() * FRAC_1_SQRT_2)
            };
            for (c, (line, lfos)) in self.lines.iter_mut().zip(self.lfos.iter_mut()).enumerate() {
                let x = args[0].ch[c].at(i);
                let mut y = 0.0;
                for (lfo, base) in lfos.iter_mut().zip(CHORUS_BASE_S) {
                    y += line.read(base * sr + exc * lfo.sine(rate, sr));
                }
                line.push(x);
                out[c * n + i] = dry * x + wet * y;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// flanger
// ---------------------------------------------------------------------------------------------

struct Flanger {
    depth: Smooth,
    feedback: Smooth,
    mix: Smooth,
    lfos: [Lfo; 2],
    lines: [Line; 2],
}

fn make_flanger(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let sr = s.sample_rate;
    let longest = (FLANGER_CENTRE_S * (1.0 + FLANGER_SWEEP) * sr).ceil() as usize + 2;
    Box::new(Flanger {
        depth: Smooth::new(SMOOTH_S, sr),
        feedback: Smooth::new(SMOOTH_S, sr),
        mix: Smooth::new(SMOOTH_S, sr),
        lfos: [Lfo::new(0.0), Lfo::new(0.25)],
        lines: [Line::new(longest), Line::new(longest)],
    })
}

impl Kernel for Flanger {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (sr, n) = (cx.sample_rate, cx.block);
        let [rate, depth, fb, mix] = [1, 2, 3, 4].map(|k| args[k].mono());
        for i in 0..n {
            let rate = rate.at(i);
            let sweep = self.depth.next(sane(depth.at(i), 0.0, 1.0, 0.0)) * FLANGER_SWEEP;
            let fb = self.feedback.next(sane(fb.at(i), -MAX_FEEDBACK, MAX_FEEDBACK, 0.0));
            // normalise white-noise power through the feedback comb (1/(1 - fb²))
            let norm = (1.0 - fb * fb).sqrt();
            let m = self.mix.next(sane(mix.at(i), 0.0, 1.0, 0.0));
            for (c, (line, lfo)) in self.lines.iter_mut().zip(self.lfos.iter_mut()).enumerate() {
                let d = FLANGER_CENTRE_S * sr * (1.0 + sweep * lfo.sine(rate, sr));
                let delayed = line.read(d);
                let v = args[0].ch[c].at(i) + fb * delayed;
                line.push(v);
                out[c * n + i] = norm * (v + m * (delayed - v));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// phaser
// ---------------------------------------------------------------------------------------------

/// One channel's allpass chain: each stage's last input and output, and the chain's output.
#[derive(Clone, Copy, Default)]
struct PhaserChannel {
    x1: [f32; PHASER_STAGES],
    y1: [f32; PHASER_STAGES],
    last: f32,
}

struct Phaser {
    depth: Smooth,
    feedback: Smooth,
    lfo: Lfo,
    /// Coefficient cache: the allpass frequency it was computed for, and the coefficient.
    last_hz: f32,
    coef: f32,
    ch: [PhaserChannel; 2],
}

fn make_phaser(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    Box::new(Phaser {
        depth: Smooth::new(SMOOTH_S, s.sample_rate),
        feedback: Smooth::new(SMOOTH_S, s.sample_rate),
        lfo: Lfo::new(0.0),
        last_hz: f32::NAN,
        coef: 0.0,
        ch: [PhaserChannel::default(); 2],
    })
}

/// First-order allpass coefficient `a` of `(a + z⁻¹)/(1 + a·z⁻¹)`, phase −90° at `hz`.
pub(crate) fn allpass_coef(hz: f32, sample_rate: f32) -> f32 {
    let t = (PI * sane(hz, 1.0, 0.49 * sample_rate, 1.0) / sample_rate).tan();
    (t - 1.0) / (t + 1.0)
}

impl Kernel for Phaser {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (sr, n) = (cx.sample_rate, cx.block);
        let [rate, depth, fb] = [1, 2, 3].map(|k| args[k].mono());
        for i in 0..n {
            let octaves = self.depth.next(sane(depth.at(i), 0.0, 1.0, 0.0)) * PHASER_OCTAVES;
            let hz = PHASER_CENTRE_HZ * (octaves * self.lfo.sine(rate.at(i), sr)).exp2();
            if hz != self.last_hz {
                self.last_hz = hz;
                self.coef = allpass_coef(hz, sr);
            }
            let a = self.coef;
            let fb = self.feedback.next(sane(fb.at(i), -MAX_FEEDBACK, MAX_FEEDBACK, 0.0));
            // the loop is fb × (allpass × one sample), so white noise gains 1/(1 - fb²) in power
            let norm = 0.5 * (1.0 - fb * fb).sqrt();
            for (c, st) in self.ch.iter_mut().enumerate().take(cx.channels) {
                let x = args[0].ch[c].at(i);
                let mut s = x + fb * st.last;
                for (x1, y1) in st.x1.iter_mut().zip(st.y1.iter_mut()) {
                    let y = a * (s - *y1) + *x1;
                    *x1 = s;
                    *y1 = y;
                    s = y;
                }
                st.last = s;
                out[c * n + i] = norm * (x + s);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// tremolo
// ---------------------------------------------------------------------------------------------

struct Tremolo {
    depth: Smooth,
    lfo: Lfo,
}

fn make_tremolo(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    Box::new(Tremolo { depth: Smooth::new(SMOOTH_S, s.sample_rate), lfo: Lfo::new(0.0) })
}

impl Kernel for Tremolo {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (sr, n) = (cx.sample_rate, cx.block);
        let [rate, depth] = [1, 2].map(|k| args[k].mono());
        for i in 0..n {
            let depth = self.depth.next(sane(depth.at(i), 0.0, 1.0, 0.0));
            let phase = self.lfo.next(rate.at(i), sr);
            let gain = 1.0 - depth * 0.5 * (1.0 - (std::f64::consts::TAU * phase).cos() as f32);
            for c in 0..cx.channels {
                out[c * n + i] = gain * args[0].ch[c].at(i);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// vibrato
// ---------------------------------------------------------------------------------------------

struct Vibrato {
    /// Delay excursion (samples), smoothed.
    excursion: Smooth,
    max_excursion: f32,
    lfo: Lfo,
    lines: Vec<Line>,
}

fn make_vibrato(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let max_excursion = VIBRATO_MAX_EXCURSION_S * s.sample_rate;
    let len = (2.0 * max_excursion).ceil() as usize + 4;
    Box::new(Vibrato {
        excursion: Smooth::new(VIBRATO_SMOOTH_S, s.sample_rate),
        max_excursion,
        lfo: Lfo::new(0.0),
        lines: (0..s.channels).map(|_| Line::new(len)).collect(),
    })
}

/// The delay excursion (samples) for a vibrato of ±`semitones` at `rate` Hz. The delay
/// `A·(1 − cos θ)` plays at speed `1 − a·sin θ` with `a = A·2π·rate/sr`; `a = tanh(s·ln2/12)`
/// makes the swing from `1 - a` to `1 + a` exactly 2·s semitones.
pub(crate) fn vibrato_excursion(semitones: f32, rate: f32, sample_rate: f32) -> f32 {
    let a = (semitones.abs() * std::f32::consts::LN_2 / 12.0).tanh();
    a * sample_rate / (TAU * rate.abs()).max(1e-6)
}

impl Kernel for Vibrato {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (sr, n) = (cx.sample_rate, cx.block);
        let [rate, depth] = [1, 2].map(|k| args[k].mono());
        for i in 0..n {
            let rate = rate.at(i);
            let target = sane(vibrato_excursion(depth.at(i), rate, sr), 0.0, self.max_excursion, 0.0);
            let exc = self.excursion.next(target);
            let phase = self.lfo.next(rate, sr);
            let d = 2.0 + exc * (1.0 - (std::f64::consts::TAU * phase).cos() as f32);
            for (c, line) in self.lines.iter_mut().enumerate().take(cx.channels) {
                out[c * n + i] = line.read(d);
                line.push(args[0].ch[c].at(i));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ring
// ---------------------------------------------------------------------------------------------

struct Ring {
    lfo: Lfo,
}

fn make_ring(_: &KernelSetup<'_>) -> Box<dyn Kernel> {
    Box::new(Ring { lfo: Lfo::new(0.0) })
}

impl Kernel for Ring {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (sr, n) = (cx.sample_rate, cx.block);
        let freq = args[1].mono();
        for i in 0..n {
            let m = self.lfo.sine(freq.at(i), sr);
            for c in 0..cx.channels {
                out[c * n + i] = m * args[0].ch[c].at(i);
            }
        }
    }
}
