//! Catalogue family: reverbs — `reverb` (Freeverb) and `plate` (Dattorro's plate).
//!
//! Both take the input summed to mono and return a stereo wet signal mixed with the (stereo)
//! dry input. Their delay lengths are the published tunings scaled to the engine's sample rate,
//! so the sound does not depend on it. Arguments are smoothed per sample (a few ms).

use super::util::{Lfo, Line, SMOOTH_S, Smooth, sane};
use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, P, UgenDef};

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

/// Samples a Freeverb block is processed in at most (bounds the scratch buffers on the stack).
const CHUNK: usize = 128;

/// A feedback comb of `len` samples with a one-pole low-pass in its loop (Freeverb's `comb`):
/// a buffer of exactly `len` samples, read and then overwritten at `idx`.
struct Comb {
    buf: Box<[f32]>,
    idx: usize,
    store: f32,
}

impl Comb {
    fn new(len: usize) -> Comb {
        Comb { buf: vec![0.0; len].into_boxed_slice(), idx: 0, store: 0.0 }
    }
}

/// Freeverb's (Schroeder) allpass diffuser of `len` samples, feedback 0.5, laid out like [`Comb`].
struct Diffuser {
    buf: Box<[f32]>,
    idx: usize,
}

impl Diffuser {
    fn new(len: usize) -> Diffuser {
        Diffuser { buf: vec![0.0; len].into_boxed_slice(), idx: 0 }
    }
}

/// The next `s` samples of a line read/written at `idx`, then `idx` advanced past them.
#[inline(always)]
fn take<'a>(buf: &'a mut [f32], idx: &mut usize, s: usize) -> &'a mut [f32] {
    let i = *idx;
    *idx = if i + s == buf.len() { 0 } else { i + s };
    &mut buf[i..i + s]
}

/// One channel of Freeverb: 8 parallel combs into 4 series allpasses.
struct FreeverbChannel {
    combs: [Comb; 8],
    allpasses: [Diffuser; 4],
}

impl FreeverbChannel {
    fn new(sample_rate: f32, spread: usize) -> FreeverbChannel {
        let len = |l: usize| scaled(l + spread, sample_rate, FREEVERB_RATE);
        FreeverbChannel { combs: COMBS.map(|l| Comb::new(len(l))), allpasses: ALLPASSES.map(|l| Diffuser::new(len(l))) }
    }

    /// Samples until the first of this channel's lines wraps.
    #[inline]
    fn until_wrap(&self) -> usize {
        let c = self.combs.iter().map(|c| c.buf.len() - c.idx);
        let a = self.allpasses.iter().map(|a| a.buf.len() - a.idx);
        c.chain(a).min().unwrap_or(0)
    }

    /// Run the `x.len()` samples of `x` (at most [`Self::until_wrap`]) into `wet`; `param(k)`
    /// is sample `k`'s comb feedback and damping.
    ///
    /// Every line is read where it is then written, so within a run that wraps none of them
    /// each line is one contiguous slice. The combs go sample by sample (their eight one-pole
    /// recurrences overlap); the allpasses are longer than a run, so each reads only what was
    /// written before the run and takes the run as one vectorised pass. Per sample, this is
    /// exactly Freeverb's arithmetic in Freeverb's order.
    #[inline(always)]
    fn run(&mut self, x: &[f32], param: impl Fn(usize) -> (f32, f32), wet: &mut [f32]) {
        let s = x.len();
        let wet = &mut wet[..s];
        let [c0, c1, c2, c3, c4, c5, c6, c7] = &mut self.combs;
        let (b0, b1, b2, b3) = (
            take(&mut c0.buf, &mut c0.idx, s),
            take(&mut c1.buf, &mut c1.idx, s),
            take(&mut c2.buf, &mut c2.idx, s),
            take(&mut c3.buf, &mut c3.idx, s),
        );
        let (b4, b5, b6, b7) = (
            take(&mut c4.buf, &mut c4.idx, s),
            take(&mut c5.buf, &mut c5.idx, s),
            take(&mut c6.buf, &mut c6.idx, s),
            take(&mut c7.buf, &mut c7.idx, s),
        );
        let mut st = [c0.store, c1.store, c2.store, c3.store, c4.store, c5.store, c6.store, c7.store];
        for k in 0..s {
            let (feedback, damp) = param(k);
            let undamp = 1.0 - damp;
            let x = x[k];
            let comb = |b: &mut [f32], st: &mut f32| {
                let y = b[k];
                *st = y * undamp + *st * damp;
                b[k] = x + *st * feedback;
                y
            };
            let [s0, s1, s2, s3, s4, s5, s6, s7] = &mut st;
            let mut y = comb(b0, s0);
            y += comb(b1, s1);
            y += comb(b2, s2);
            y += comb(b3, s3);
            y += comb(b4, s4);
            y += comb(b5, s5);
            y += comb(b6, s6);
            y += comb(b7, s7);
            wet[k] = y;
        }
        for (c, st) in self.combs.iter_mut().zip(st) {
            c.store = st;
        }
        for a in self.allpasses.iter_mut() {
            for (y, b) in wet.iter_mut().zip(take(&mut a.buf, &mut a.idx, s).iter_mut()) {
                let out = *b;
                *b = *y + out * ALLPASS_FEEDBACK;
                *y = out - *y;
            }
        }
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

/// Samples `k0 .. k0 + dst.len()` of `p` into `dst`.
#[inline(always)]
fn fill(p: P<'_>, k0: usize, dst: &mut [f32]) {
    match p {
        P::Const(v) => dst.fill(v),
        P::Buf(b) => dst.copy_from_slice(&b[k0..k0 + dst.len()]),
    }
}

impl Kernel for Freeverb {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let n = cx.block;
        let [room, damp, mix] = [1, 2, 3].map(|k| args[k].mono());
        let (ol, or) = out.split_at_mut(n);
        let (ol, or) = (&mut ol[..n], &mut or[..n]);
        // the arguments' targets when all three are constant for the block
        let targets = match (room, damp, mix) {
            (P::Const(r), P::Const(d), P::Const(m)) => Some([r, d, m].map(|v| sane(v, 0.0, 1.0, 0.0))),
            _ => None,
        };
        let mut k0 = 0;
        while k0 < n {
            let s = CHUNK.min(n - k0).min(self.left.until_wrap()).min(self.right.until_wrap());
            let (ol, or) = (&mut ol[k0..k0 + s], &mut or[k0..k0 + s]);
            // the dry input goes to the outputs first, the wet is mixed in below
            fill(args[0].ch[0], k0, ol);
            fill(args[0].ch[1], k0, or);
            let mut x = [0.0f32; CHUNK];
            let x = &mut x[..s];
            for ((x, &xl), &xr) in x.iter_mut().zip(ol.iter()).zip(or.iter()) {
                // averaged, not summed as in Freeverb: the wet then has the input's level (room 0.5)
                *x = 0.5 * (xl + xr) * FIXED_GAIN;
            }
            let (mut wl, mut wr) = ([0.0f32; CHUNK], [0.0f32; CHUNK]);
            let settled = targets.filter(|&[r, d, m]| self.room.settled_at(r) && self.damp.settled_at(d) && self.mix.settled_at(m));
            if let Some([r, d, m]) = settled {
                // fast path: the smoothers rest on constant targets
                let (fb, damp) = (OFFSET_ROOM + SCALE_ROOM * r, SCALE_DAMP * d);
                self.left.run(x, |_| (fb, damp), &mut wl);
                self.right.run(x, |_| (fb, damp), &mut wr);
                for ((ol, or), (&wl, &wr)) in ol.iter_mut().zip(or.iter_mut()).zip(wl.iter().zip(&wr)) {
                    let (xl, xr) = (*ol, *or);
                    *ol = xl + m * (wl * SCALE_WET - xl);
                    *or = xr + m * (wr * SCALE_WET - xr);
                }
            } else {
                let (mut fbs, mut damps, mut ms) = ([0.0f32; CHUNK], [0.0f32; CHUNK], [0.0f32; CHUNK]);
                for k in 0..s {
                    let i = k0 + k;
                    fbs[k] = OFFSET_ROOM + SCALE_ROOM * self.room.next(sane(room.at(i), 0.0, 1.0, 0.0));
                    damps[k] = SCALE_DAMP * self.damp.next(sane(damp.at(i), 0.0, 1.0, 0.0));
                    ms[k] = self.mix.next(sane(mix.at(i), 0.0, 1.0, 0.0));
                }
                self.left.run(x, |k| (fbs[k], damps[k]), &mut wl);
                self.right.run(x, |k| (fbs[k], damps[k]), &mut wr);
                for (((ol, or), (&wl, &wr)), &m) in ol.iter_mut().zip(or.iter_mut()).zip(wl.iter().zip(&wr)).zip(&ms) {
                    let (xl, xr) = (*ol, *or);
                    *ol = xl + m * (wl * SCALE_WET - xl);
                    *or = xr + m * (wr * SCALE_WET - xr);
                }
            }
            k0 += s;
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
