//! Catalogue family: dynamics — `compressor`, `sidechain`, `limiter`, `gate`.
//!
//! All detectors are stereo-linked (they read the loudest channel) so the image never shifts.
//! The compressors follow Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor
//! Design — A Tutorial and Analysis" (JAES 2012): a feed-forward gain computer on the peak level
//! in dB, then the "smooth decoupled" peak detector in the log (gain-reduction) domain: an
//! instant-attack release stage followed by an attack one-pole, so a steady tone's gain
//! reduction sits at the static curve and attack/release are exponential time constants (the
//! recovery also passes the attack stage, so it is heard as about release + attack).

use super::util::{Smooth, TimeCoef, approach, sane, time_coef};
use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, UgenDef};

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[
    UgenDef {
        name: "compressor",
        family: "dynamics",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("threshold", -20.0, "dB", "peak level (dBFS) above which the gain is reduced"),
            ArgDef::control("ratio", 4.0, "", "dB in per dB out above the threshold (1 = off, 100 ≈ limiting)"),
            ArgDef::control("attack", 0.01, "s", "time constant of the gain reduction rising (63%)"),
            ArgDef::control("release", 0.1, "s", "time constant of the gain reduction falling back (63%)"),
            ArgDef::control("makeup", 0.0, "dB", "gain added after compression"),
            ArgDef::control("knee", 0.0, "dB", "soft-knee width around the threshold (0 = hard knee)"),
        ],
        channels: Channels::Follow,
        doc: "Feed-forward peak compressor: above threshold (dBFS) the level rises 1/ratio dB per dB, \
              with attack/release time constants in seconds and makeup gain in dB.",
        example: "out: (saw 110 # compressor (-20) 4 0.01 0.1 6) * 0.3",
        make: |s| Box::new(Compressor::new(s, Detect::Input)),
    },
    UgenDef {
        name: "sidechain",
        family: "dynamics",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::audio("key", 0.0, "the signal whose level drives the gain reduction (a kick bus, say)"),
            ArgDef::control("threshold", -30.0, "dB", "key level (dBFS) above which the input is ducked"),
            ArgDef::control("ratio", 8.0, "", "dB of key per dB of output change above the threshold"),
            ArgDef::control("attack", 0.005, "s", "time constant of the ducking (63%)"),
            ArgDef::control("release", 0.2, "s", "time constant of the recovery (63%)"),
            ArgDef::control("makeup", 0.0, "dB", "gain added after compression"),
        ],
        channels: Channels::Follow,
        doc: "Sidechain compressor: ducks the input by the level of key (`saw 55 # sidechain ~kick (-30) 8 0.005 0.2`).",
        example: "out: (saw 55 # sidechain (impulse 2) (-30) 8 0.005 0.2) * 0.3",
        make: |s| Box::new(Compressor::new(s, Detect::Key)),
    },
    UgenDef {
        name: "limiter",
        family: "dynamics",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("ceiling", -1.0, "dB", "the highest peak let out, in dBFS (-60..0)"),
            ArgDef::control("release", 0.05, "s", "time constant of the gain recovering"),
        ],
        channels: Channels::Follow,
        doc: "Brickwall lookahead limiter: no sample leaves above the ceiling (dBFS); the signal is delayed by 2 ms (the lookahead).",
        example: "out: (saw 55 * 4) # limiter (-3) 0.05",
        make: |s| Box::new(Limiter::new(s)),
    },
    UgenDef {
        name: "gate",
        family: "dynamics",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("threshold", -40.0, "dB", "peak level (dBFS) that opens the gate; it closes 4 dB lower"),
            ArgDef::control("attack", 0.001, "s", "time constant of opening"),
            ArgDef::control("release", 0.1, "s", "time constant of closing"),
        ],
        channels: Channels::Follow,
        doc: "Noise gate: silences the signal while its peak level stays below threshold (dBFS), with 4 dB of hysteresis.",
        example: "out: (saw 55 * (sine 0.5 # range 0 0.3)) # gate (-20) 0.001 0.1",
        make: |s| Box::new(Gate::new(s)),
    },
];

/// Floor of the level detectors, in dBFS (silence reads as this).
const FLOOR_DB: f32 = -200.0;

/// Level in dBFS of a linear peak `x` (floored at [`FLOOR_DB`]).
#[inline(always)]
fn to_db(x: f32) -> f32 {
    if x > 1e-10 { 20.0 * x.log10() } else { FLOOR_DB }
}

/// The compressor's static curve: output level (dB) for input level `x` (dB), threshold `t`,
/// ratio `r` ≥ 1 and knee width `w` ≥ 0 (quadratic soft knee of Giannoulis et al.).
pub fn static_curve(x: f32, t: f32, r: f32, w: f32) -> f32 {
    let over = x - t;
    if 2.0 * over < -w {
        x
    } else if 2.0 * over.abs() <= w && w > 0.0 {
        let e = over + 0.5 * w;
        x + (1.0 / r - 1.0) * e * e / (2.0 * w)
    } else {
        t + over / r
    }
}

/// Where a compressor reads its level.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Detect {
    Input,
    Key,
}

/// `compressor` and `sidechain`.
struct Compressor {
    detect: Detect,
    sample_rate: f32,
    attack: TimeCoef,
    release: TimeCoef,
    /// Release stage of the decoupled detector (gain reduction, dB ≥ 0).
    held: f64,
    /// Smoothed gain reduction, dB ≥ 0.
    reduction: f64,
    makeup: Smooth,
    /// Last total gain in dB and its linear value (so a steady gain costs no `powf`).
    gain_db: f32,
    gain: f32,
}

impl Compressor {
    fn new(s: &KernelSetup<'_>, detect: Detect) -> Compressor {
        Compressor {
            detect,
            sample_rate: s.sample_rate,
            attack: TimeCoef::new(),
            release: TimeCoef::new(),
            held: 0.0,
            reduction: 0.0,
            makeup: Smooth::glide(s.sample_rate),
            gain_db: 0.0,
            gain: 1.0,
        }
    }
}

impl Kernel for Compressor {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        // argument positions: the sidechain's key is argument 1 and shifts the controls by one
        let (key, first) = match self.detect {
            Detect::Input => (0, 1),
            Detect::Key => (1, 2),
        };
        let (thr, ratio, att, rel, makeup) =
            (args[first].mono(), args[first + 1].mono(), args[first + 2].mono(), args[first + 3].mono(), args[first + 4].mono());
        let knee = if self.detect == Detect::Input { args[first + 5].mono() } else { phonon_components::P::Const(0.0) };
        let n = cx.block;
        for i in 0..n {
            let level = (0..cx.channels).fold(0.0f32, |m, ch| m.max(args[key].ch[ch].at(i).abs()));
            let x = to_db(level);
            let t = sane(thr.at(i), -120.0, 24.0, -20.0);
            let r = sane(ratio.at(i), 1.0, 1000.0, 4.0);
            let w = sane(knee.at(i), 0.0, 48.0, 0.0);
            let target = (x - static_curve(x, t, r, w)).max(0.0) as f64;
            let (a, rl) = (self.attack.get(att.at(i), self.sample_rate), self.release.get(rel.at(i), self.sample_rate));
            self.held = target.max(approach(self.held, target, rl, 1e-9));
            self.reduction = approach(self.reduction, self.held, a, 1e-9);
            self.makeup.step(sane(makeup.at(i), -48.0, 48.0, 0.0));
            let db = self.makeup.value() - self.reduction as f32;
            if db != self.gain_db {
                self.gain_db = db;
                self.gain = 10f32.powf(db / 20.0);
            }
            for ch in 0..cx.channels {
                out[ch * n + i] = args[0].ch[ch].at(i) * self.gain;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Limiter

/// The limiter's lookahead (and latency), in seconds.
pub const LIMITER_LOOKAHEAD_S: f32 = 0.002;

/// The limiter's latency in samples at `sample_rate`.
pub fn limiter_latency(sample_rate: f32) -> usize {
    ((LIMITER_LOOKAHEAD_S * sample_rate).round() as usize).max(1)
}

/// Fixed-point scale of the limiter's moving average (gains are summed exactly as integers).
const GAIN_ONE: u32 = 1 << 24;

/// Sliding minimum over the last `w` values (monotonic wedge in fixed ring buffers).
struct MinWindow {
    vals: Vec<f32>,
    idx: Vec<u64>,
    head: usize,
    len: usize,
    w: u64,
}

impl MinWindow {
    fn new(w: usize) -> MinWindow {
        MinWindow { vals: vec![0.0; w + 1], idx: vec![0; w + 1], head: 0, len: 0, w: w as u64 }
    }

    /// Push value `v` at time `t` (increasing by one per call); returns the window's minimum.
    fn push(&mut self, t: u64, v: f32) -> f32 {
        let cap = self.vals.len();
        while self.len > 0 && self.vals[(self.head + self.len - 1) % cap] >= v {
            self.len -= 1;
        }
        let back = (self.head + self.len) % cap;
        (self.vals[back], self.idx[back]) = (v, t);
        self.len += 1;
        while t - self.idx[self.head] >= self.w {
            self.head = (self.head + 1) % cap;
            self.len -= 1;
        }
        self.vals[self.head]
    }
}

/// `limiter`: the gain each sample needs (`ceiling/peak`, or 1) is held at its minimum over the
/// lookahead window `W = latency + 1`, released exponentially, then averaged over `W` samples,
/// and applied to the input delayed by `latency`. Each averaged value is ≤ the need of the
/// sample it multiplies (every window held over contains it), so the ceiling holds by
/// construction; a final clamp catches rounding (and a falling ceiling during its 3 ms glide,
/// which the gains already in the window could not foresee). Below the ceiling the gain is
/// exactly 1.
struct Limiter {
    sample_rate: f32,
    /// Per-channel delay lines of `window` samples.
    lines: Vec<f32>,
    window: usize,
    pos: usize,
    t: u64,
    min: MinWindow,
    /// The released gain's last `window` values in fixed point, and their sum.
    ring: Vec<u32>,
    sum: u64,
    released: f64,
    release: TimeCoef,
    ceiling_db: Smooth,
    ceiling: f32,
}

impl Limiter {
    fn new(s: &KernelSetup<'_>) -> Limiter {
        let window = limiter_latency(s.sample_rate) + 1;
        Limiter {
            sample_rate: s.sample_rate,
            lines: vec![0.0; s.channels.clamp(1, 2) * window],
            window,
            pos: 0,
            t: 0,
            min: MinWindow::new(window),
            ring: vec![GAIN_ONE; window],
            sum: GAIN_ONE as u64 * window as u64,
            released: 1.0,
            release: TimeCoef::new(),
            ceiling_db: Smooth::glide(s.sample_rate),
            ceiling: 1.0,
        }
    }
}

impl Kernel for Limiter {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (ceil, rel) = (args[1].mono(), args[2].mono());
        let (n, w) = (cx.block, self.window);
        for i in 0..n {
            if self.ceiling_db.step(sane(ceil.at(i), -60.0, 0.0, -1.0)) {
                self.ceiling = 10f32.powf(self.ceiling_db.value() / 20.0);
            }
            let c = self.ceiling;
            let peak = (0..cx.channels).fold(0.0f32, |m, ch| m.max(args[0].ch[ch].at(i).abs()));
            let need = if peak > c { c / peak } else { 1.0 };
            let held = self.min.push(self.t, need);
            self.t += 1;
            let a = self.release.get(rel.at(i), self.sample_rate);
            let held = held as f64;
            self.released = if held < self.released { held } else { approach(self.released, held, a, 1e-9) };
            let q = (self.released * GAIN_ONE as f64).floor() as u32;
            self.sum = self.sum - self.ring[self.pos] as u64 + q as u64;
            self.ring[self.pos] = q;
            let gain = (self.sum as f64 / (GAIN_ONE as f64 * w as f64)) as f32;
            // the oldest sample in the line (written `w - 1` samples ago) is the one leaving now
            let oldest = (self.pos + 1) % w;
            for ch in 0..cx.channels {
                let line = &mut self.lines[ch * w..(ch + 1) * w];
                line[self.pos] = args[0].ch[ch].at(i);
                out[ch * n + i] = (line[oldest] * gain).clamp(-c, c);
            }
            self.pos = oldest;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Gate

/// The gate closes this many dB below its threshold (hysteresis against chatter).
const GATE_HYSTERESIS_DB: f32 = 4.0;
/// Release time of the gate's peak detector, in seconds.
const GATE_DETECT_S: f32 = 0.05;

/// `gate`: a peak follower (instant attack, [`GATE_DETECT_S`] release) opens the gate at the
/// threshold and closes it [`GATE_HYSTERESIS_DB`] lower; the gain glides to 1 or 0 with the
/// attack or release time constant and snaps once within -120 dB of its target.
struct Gate {
    sample_rate: f32,
    detect: f32,
    env: f32,
    open: bool,
    gain: f64,
    last_thr: f32,
    open_at: f32,
    close_at: f32,
    attack: TimeCoef,
    release: TimeCoef,
}

impl Gate {
    fn new(s: &KernelSetup<'_>) -> Gate {
        Gate {
            sample_rate: s.sample_rate,
            detect: time_coef(GATE_DETECT_S, s.sample_rate) as f32,
            env: 0.0,
            open: false,
            gain: 0.0,
            last_thr: f32::NAN,
            open_at: 0.0,
            close_at: 0.0,
            attack: TimeCoef::new(),
            release: TimeCoef::new(),
        }
    }
}

impl Kernel for Gate {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (thr, att, rel) = (args[1].mono(), args[2].mono(), args[3].mono());
        let n = cx.block;
        for i in 0..n {
            let t = thr.at(i);
            if t.to_bits() != self.last_thr.to_bits() {
                self.last_thr = t;
                let db = sane(t, -120.0, 24.0, -40.0);
                self.open_at = 10f32.powf(db / 20.0);
                self.close_at = 10f32.powf((db - GATE_HYSTERESIS_DB) / 20.0);
            }
            let level = (0..cx.channels).fold(0.0f32, |m, ch| m.max(args[0].ch[ch].at(i).abs()));
            self.env = if level >= self.env { level } else { level + self.detect * (self.env - level) };
            if self.env >= self.open_at {
                self.open = true;
            } else if self.env < self.close_at {
                self.open = false;
            }
            let (target, coef) = if self.open {
                (1.0, self.attack.get(att.at(i), self.sample_rate))
            } else {
                (0.0, self.release.get(rel.at(i), self.sample_rate))
            };
            self.gain = approach(self.gain, target, coef, 1e-6);
            let gain = self.gain as f32;
            for ch in 0..cx.channels {
                out[ch * n + i] = args[0].ch[ch].at(i) * gain;
            }
        }
    }
}
