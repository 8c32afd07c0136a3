//! Catalogue family: reverbs — `reverb` (Freeverb) and `plate` (Dattorro's plate).
//!
//! Both take the input summed to mono and return a stereo wet signal mixed with the (stereo)
//! dry input. Their delay lengths are the published tunings scaled to the engine's sample rate,
//! so the sound does not depend on it. Arguments are smoothed per sample (a few ms).

use super::util::{Lfo, Line, SMOOTH_S, Smooth, sane};
use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, UgenDef};

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[
    UgenDef {
        name: "reverb",
        family: "reverbs",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("room", 0.5, "0..1", "room size: comb feedback 0.7 … 0.98 (RT60 0.6 s at 0, 1.2 s at 0.5, 10 s at 1)"),
            ArgDef::control("damp", 0.5, "0..1", "high-frequency damping of the tail"),
            ArgDef::control("mix", 0.33, "0..1", "0 dry … 1 only reverb"),
        ],
        channels: Channels::Stereo,
        doc: "Freeverb: 8 damped feedback combs and 4 allpasses per channel (the right one spread by 23 samples), \
              a dense stereo room.",
        example: "out: (saw 110 * (square 1 # range 0 0.3)) # reverb 0.8 0.4 0.4",
        make: make_freeverb,
    },
    UgenDef {
        name: "plate",
        family: "reverbs",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("decay", 0.5, "0..1", "tank gain per pass, at most 0.999 (RT60 1.7 s at 0.5, 5 s at 0.8, 11 s at 0.9)"),
            ArgDef::control("damp", 0.3, "0..1", "tank low-pass, from 16 kHz (0) down to 250 Hz (1)"),
            ArgDef::control("mix", 0.3, "0..1", "0 dry … 1 only reverb"),
        ],
        channels: Channels::Stereo,
        doc: "Plate reverb after Dattorro (1997): four input diffusers feeding a figure-eight tank of modulated allpasses \
              and delays, stereo from seven taps per side.",
        example: "out: (sine 660 * (square 1 # range 0 0.3)) # plate 0.7 0.3 0.4",
        make: make_plate,
    },
];

// ---------------------------------------------------------------------------------------------
// Freeverb
// ---------------------------------------------------------------------------------------------

/// Freeverb's comb and allpass lengths (samples at 44.1 kHz) and the right channel's offset.
const COMBS: [usize; 8] = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
const ALLPASSES: [usize; 4] = [556, 441, 341, 225];
const SPREAD: usize = 23;
const FREEVERB_RATE: f32 = 44_100.0;
/// Input gain into the combs and the wet output gain (Freeverb's `fixedgain`, `scalewet`).
const FIXED_GAIN: f32 = 0.015;
const SCALE_WET: f32 = 3.0;
/// room 0..1 maps to comb feedback `OFFSET_ROOM + room·SCALE_ROOM`; damp to `damp·SCALE_DAMP`.
const OFFSET_ROOM: f32 = 0.7;
const SCALE_ROOM: f32 = 0.28;
const SCALE_DAMP: f32 = 0.4;
/// Freeverb's allpass feedback.
const ALLPASS_FEEDBACK: f32 = 0.5;

/// `len` samples at 44.1 kHz, at `sample_rate`.
fn scaled(len: usize, sample_rate: f32, rate: f32) -> usize {
    ((len as f32 * sample_rate / rate).round() as usize).max(1)
}

/// A feedback comb of `len` samples with a one-pole low-pass in its loop (Freeverb's `comb`).
struct Comb {
    line: Line,
    len: usize,
    store: f32,
}

impl Comb {
    fn new(len: usize) -> Comb {
        Comb { line: Line::new(len), len, store: 0.0 }
    }

    /// `damp` is the low-pass pole (0 = no damping); `feedback` the loop gain at DC.
    #[inline(always)]
    fn process(&mut self, x: f32, feedback: f32, damp: f32) -> f32 {
        let y = self.line.tap(self.len);
        self.store = y * (1.0 - damp) + self.store * damp;
        self.line.push(x + self.store * feedback);
        y
    }
}

/// Freeverb's (Schroeder) allpass diffuser of `len` samples, feedback 0.5.
struct Diffuser {
    line: Line,
    len: usize,
}

impl Diffuser {
    fn new(len: usize) -> Diffuser {
        Diffuser { line: Line::new(len), len }
    }

    #[inline(always)]
    fn process(&mut self, x: f32) -> f32 {
        let b = self.line.tap(self.len);
        self.line.push(x + b * ALLPASS_FEEDBACK);
        b - x
    }
}

/// One channel of Freeverb: 8 parallel combs into 4 series allpasses.
struct FreeverbChannel {
    combs: Vec<Comb>,
    allpasses: Vec<Diffuser>,
}

impl FreeverbChannel {
    fn new(sample_rate: f32, spread: usize) -> FreeverbChannel {
        let len = |l: usize| scaled(l + spread, sample_rate, FREEVERB_RATE);
        FreeverbChannel {
            combs: COMBS.iter().map(|&l| Comb::new(len(l))).collect(),
            allpasses: ALLPASSES.iter().map(|&l| Diffuser::new(len(l))).collect(),
        }
    }

    #[inline(always)]
    fn process(&mut self, x: f32, feedback: f32, damp: f32) -> f32 {
        let mut y = 0.0;
        for c in self.combs.iter_mut() {
            y += c.process(x, feedback, damp);
        }
        for a in self.allpasses.iter_mut() {
            y = a.process(y);
        }
        y
    }
}

struct Freeverb {
    room: Smooth,
    damp: Smooth,
    mix: Smooth,
    left: FreeverbChannel,
    right: FreeverbChannel,
}

fn make_freeverb(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let sm = || Smooth::new(SMOOTH_S, s.sample_rate);
    Box::new(Freeverb {
        room: sm(),
        damp: sm(),
        mix: sm(),
        left: FreeverbChannel::new(s.sample_rate, 0),
        right: FreeverbChannel::new(s.sample_rate, SPREAD),
    })
}

impl Kernel for Freeverb {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let n = cx.block;
        let [room, damp, mix] = [1, 2, 3].map(|k| args[k].mono());
        let (ol, or) = out.split_at_mut(n);
        for (i, (ol, or)) in ol.iter_mut().zip(or.iter_mut()).enumerate() {
            let fb = OFFSET_ROOM + SCALE_ROOM * self.room.next(sane(room.at(i), 0.0, 1.0, 0.0));
            let damp = SCALE_DAMP * self.damp.next(sane(damp.at(i), 0.0, 1.0, 0.0));
            let m = self.mix.next(sane(mix.at(i), 0.0, 1.0, 0.0));
            let (xl, xr) = (args[0].ch[0].at(i), args[0].ch[1].at(i));
            // averaged, not summed as in Freeverb: the wet then has the input's level (room 0.5)
            let x = 0.5 * (xl + xr) * FIXED_GAIN;
            let wl = self.left.process(x, fb, damp) * SCALE_WET;
            let wr = self.right.process(x, fb, damp) * SCALE_WET;
            *ol = xl + m * (wl - xl);
            *or = xr + m * (wr - xr);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dattorro plate
// ---------------------------------------------------------------------------------------------

/// The paper's sample rate: every length below is in samples at this rate.
const DATTORRO_RATE: f32 = 29_761.0;
/// Input diffusers: lengths and coefficients ("input diffusion 1/2").
const INPUT_DIFFUSERS: [(usize, f32); 4] = [(142, 0.75), (107, 0.75), (379, 0.625), (277, 0.625)];
/// "Decay diffusion 1" of the tank's modulated allpasses (used with a negative sign).
const DECAY_DIFFUSION_1: f32 = 0.7;
/// Tank: [modulated allpass, delay, allpass, delay] for the left and right halves.
const TANK_LEFT: [usize; 4] = [672, 4453, 1800, 3720];
const TANK_RIGHT: [usize; 4] = [908, 4217, 2656, 3163];
/// Peak excursion (samples) of the modulated allpasses, and the modulation rate (Hz).
const EXCURSION: f32 = 8.0;
const MOD_HZ: f32 = 1.0;
/// Output taps (samples, sign): which tank node, offset. Nodes: 0 left delay 1, 1 left
/// allpass 2, 2 left delay 2, 3 right delay 1, 4 right allpass 2, 5 right delay 2.
const TAPS_LEFT: [(usize, usize, f32); 7] =
    [(3, 266, 1.0), (3, 2974, 1.0), (4, 1913, -1.0), (5, 1996, 1.0), (0, 1990, -1.0), (1, 187, -1.0), (2, 1066, -1.0)];
const TAPS_RIGHT: [(usize, usize, f32); 7] =
    [(0, 353, 1.0), (0, 3627, 1.0), (1, 1228, -1.0), (2, 2673, 1.0), (3, 2111, -1.0), (4, 335, -1.0), (5, 121, -1.0)];
const OUTPUT_GAIN: f32 = 0.6;
/// Largest tank gain (`decay`), short of a frozen tank.
const MAX_DECAY: f32 = 0.999;
/// Damping cutoff at damp 0 (Hz), and how many octaves lower it is at damp 1.
const DAMP_TOP_HZ: f32 = 16_000.0;
const DAMP_OCTAVES: f32 = 6.0;

/// Allpass `(z^-d + g)/(1 + g·z^-d)` over `line` (which holds its internal state `v`).
#[inline(always)]
fn allpass(line: &mut Line, x: f32, g: f32, d: usize) -> f32 {
    let z = line.tap(d);
    let v = x - g * z;
    line.push(v);
    z + g * v
}

/// As [`allpass`] with a fractional (modulated) delay.
#[inline(always)]
fn allpass_frac(line: &mut Line, x: f32, g: f32, d: f32) -> f32 {
    let z = line.read(d);
    let v = x - g * z;
    line.push(v);
    z + g * v
}

/// One half of the tank: modulated allpass, delay, damping, allpass, delay.
struct TankHalf {
    mod_ap: Line,
    del1: Line,
    ap: Line,
    del2: Line,
    lens: [usize; 4],
    damp: f32,
}

impl TankHalf {
    fn new(lens: [usize; 4], sample_rate: f32, excursion: f32) -> TankHalf {
        let l = lens.map(|l| scaled(l, sample_rate, DATTORRO_RATE));
        TankHalf {
            mod_ap: Line::new(l[0] + excursion.ceil() as usize + 2),
            del1: Line::new(l[1]),
            ap: Line::new(l[2]),
            del2: Line::new(l[3]),
            lens: l,
            damp: 0.0,
        }
    }

    /// The half's output into the other half (before this sample's push).
    #[inline(always)]
    fn tail(&self) -> f32 {
        self.del2.tap(self.lens[3])
    }

    /// Run one sample of `x` through the half; `wobble` is the modulated allpass's excursion
    /// in samples, `pole` the damping low-pass pole, `decay` the gain and `diffusion` the
    /// second allpass's coefficient.
    #[inline(always)]
    fn process(&mut self, x: f32, wobble: f32, pole: f32, decay: f32, diffusion: f32) {
        let a = allpass_frac(&mut self.mod_ap, x, -DECAY_DIFFUSION_1, self.lens[0] as f32 + wobble);
        let b = self.del1.tap(self.lens[1]);
        self.del1.push(a);
        self.damp = b * (1.0 - pole) + self.damp * pole;
        let c = allpass(&mut self.ap, self.damp * decay, diffusion, self.lens[2]);
        self.del2.push(c);
    }

    /// Node `k` of this half (0 delay 1, 1 allpass 2, 2 delay 2) `d` samples back.
    #[inline(always)]
    fn node(&self, k: usize, d: usize) -> f32 {
        match k {
            0 => self.del1.tap(d),
            1 => self.ap.tap(d),
            _ => self.del2.tap(d),
        }
    }
}

struct Plate {
    sample_rate: f32,
    decay: Smooth,
    damp: Smooth,
    mix: Smooth,
    /// Damping cache: the smoothed `damp` it was computed for, and the low-pass pole.
    last_damp: f32,
    pole: f32,
    lfo: Lfo,
    excursion: f32,
    diffusers: Vec<(Line, usize, f32)>,
    left: TankHalf,
    right: TankHalf,
    taps_left: [(usize, usize, f32); 7],
    taps_right: [(usize, usize, f32); 7],
}

/// The damping low-pass pole for `damp` 0..1 at `sample_rate`.
fn damp_pole(damp: f32, sample_rate: f32) -> f32 {
    let hz = DAMP_TOP_HZ * (-DAMP_OCTAVES * damp).exp2();
    (-std::f32::consts::TAU * hz / sample_rate).exp()
}

fn make_plate(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let sr = s.sample_rate;
    let excursion = EXCURSION * sr / DATTORRO_RATE;
    let sc = |l| scaled(l, sr, DATTORRO_RATE);
    let sm = || Smooth::new(SMOOTH_S, sr);
    Box::new(Plate {
        sample_rate: sr,
        decay: sm(),
        damp: sm(),
        mix: sm(),
        last_damp: f32::NAN,
        pole: 0.0,
        lfo: Lfo::new(0.0),
        excursion,
        diffusers: INPUT_DIFFUSERS.iter().map(|&(l, g)| (Line::new(sc(l)), sc(l), g)).collect(),
        left: TankHalf::new(TANK_LEFT, sr, excursion),
        right: TankHalf::new(TANK_RIGHT, sr, excursion),
        taps_left: TAPS_LEFT.map(|(k, d, g)| (k, sc(d), g)),
        taps_right: TAPS_RIGHT.map(|(k, d, g)| (k, sc(d), g)),
    })
}

impl Plate {
    /// Sum of output taps `taps` (node index, offset, sign) over both tank halves.
    #[inline(always)]
    fn taps(&self, taps: &[(usize, usize, f32); 7]) -> f32 {
        taps.iter().map(|&(k, d, g)| g * if k < 3 { self.left.node(k, d) } else { self.right.node(k - 3, d) }).sum::<f32>() * OUTPUT_GAIN
    }
}

impl Kernel for Plate {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let n = cx.block;
        let [decay, damp, mix] = [1, 2, 3].map(|k| args[k].mono());
        let (ol, or) = out.split_at_mut(n);
        for (i, (ol, or)) in ol.iter_mut().zip(or.iter_mut()).enumerate() {
            let decay = self.decay.next(sane(decay.at(i), 0.0, MAX_DECAY, 0.0));
            let diffusion = sane(decay + 0.15, 0.25, 0.5, 0.25);
            let damp = self.damp.next(sane(damp.at(i), 0.0, 1.0, 0.0));
            if damp != self.last_damp {
                self.last_damp = damp;
                self.pole = damp_pole(damp, self.sample_rate);
            }
            let m = self.mix.next(sane(mix.at(i), 0.0, 1.0, 0.0));
            let (xl, xr) = (args[0].ch[0].at(i), args[0].ch[1].at(i));
            let mut x = 0.5 * (xl + xr);
            for (line, d, g) in self.diffusers.iter_mut() {
                x = allpass(line, x, *g, *d);
            }
            let (s, c) = (std::f64::consts::TAU * self.lfo.next(MOD_HZ, self.sample_rate)).sin_cos();
            let (from_left, from_right) = (self.left.tail() * decay, self.right.tail() * decay);
            self.left.process(x + from_right, self.excursion * s as f32, self.pole, decay, diffusion);
            self.right.process(x + from_left, self.excursion * c as f32, self.pole, decay, diffusion);
            let (wl, wr) = (self.taps(&self.taps_left), self.taps(&self.taps_right));
            *ol = xl + m * (wl - xl);
            *or = xr + m * (wr - xr);
        }
    }
}
