//! Catalogue family: delays — `tape`, `pingpong`, `multitap` — and the primitives the reverb and
//! modulation families share: a circular [`Line`] with cubic fractional reads, a per-sample
//! one-pole [`Smooth`]er and a phase accumulator [`Lfo`].
//!
//! Every kernel here runs sample by sample (all channels of sample `i`, then `i + 1`), so its
//! state never depends on where blocks begin. Delay times glide (a tape-like pitch bend) and
//! gains are smoothed over a few milliseconds, so any argument may jump without a click.

use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, UgenDef};
use std::f64::consts::TAU;

/// Longest delay (s) when the time argument is a pattern or signal: it sizes the line.
pub const MAX_TIME_S: f32 = 4.0;
/// Longest delay (s) when the time argument is a constant (the line is sized to fit it).
pub const MAX_CONST_TIME_S: f32 = 30.0;
/// Longest `multitap` tap spacing (s) when its time is not a constant (8 taps span 8 s).
pub const MULTITAP_MAX_TIME_S: f32 = 1.0;
/// Most `multitap` taps.
pub const MAX_TAPS: usize = 8;

/// Time constant (s) with which a delay time glides to a new value.
const TIME_GLIDE_S: f32 = 0.05;
/// Time constant (s) with which gains and coefficients follow a jump.
pub(crate) const SMOOTH_S: f32 = 0.005;

/// `tape` wow: LFO rate (Hz) and the delay excursion (s) at wow 1.
const WOW_HZ: f32 = 0.5;
const WOW_S: f32 = 0.004;
/// `tape` flutter: LFO rate (Hz) and the delay excursion (s) at flutter 1.
const FLUTTER_HZ: f32 = 6.0;
const FLUTTER_S: f32 = 0.0002;
/// `tape` loop filters: the playback low-pass and the feedback DC-blocking high-pass (Hz).
const TAPE_TONE_HZ: f32 = 6000.0;
const TAPE_DC_HZ: f32 = 25.0;
/// `tape` drive 1 raises the level into the saturator by this factor (+12 dB).
const TAPE_DRIVE_MAX: f32 = 4.0;

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[
    UgenDef {
        name: "tape",
        family: "delays",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("time", 0.375, "s", "delay between echoes (glides when changed, like a tape speed change)"),
            ArgDef::control("feedback", 0.5, "", "gain of each repeat, -2..2; 1 and above runs away into soft tanh saturation"),
            ArgDef::control("wow", 0.2, "0..1", "slow (0.5 Hz) pitch drift, up to ±4 ms of delay"),
            ArgDef::control("flutter", 0.2, "0..1", "fast (6 Hz) pitch wobble, up to ±0.2 ms of delay"),
            ArgDef::control("drive", 0.3, "0..1", "level into the tape's tanh saturation, up to +12 dB (small signals keep unity gain)"),
            ArgDef::control("mix", 0.4, "0..1", "0 dry … 1 only echoes"),
        ],
        channels: Channels::Follow,
        doc: "Tape echo: a delay whose time wobbles (wow and flutter), each repeat darker (6 kHz low-pass) and saturated by tanh, \
              so feedback of 1 or more builds into a bounded roar. Time up to 4 s when it is a pattern or signal, 30 s when constant.",
        example: "out: (square 220 * (square 2 # range 0 0.3)) # tape 0.3 0.7 0.3 0.3 0.4 0.5",
        make: make_tape,
    },
    UgenDef {
        name: "pingpong",
        family: "delays",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("time", 0.25, "s", "time between echoes; they alternate left, right, left …"),
            ArgDef::control("feedback", 0.5, "", "gain of each echo relative to the previous, -2..2 (softly limited above 1)"),
            ArgDef::control("mix", 0.4, "0..1", "0 dry … 1 only echoes"),
        ],
        channels: Channels::Stereo,
        doc: "Stereo ping-pong delay: the input (summed to mono) echoes first on the left after `time`, then on the right, \
              alternating every `time` seconds, each echo `feedback` times the last.",
        example: "out: (sine 440 * (square 1 # range 0 0.3)) # pingpong 0.25 0.6 0.5",
        make: make_pingpong,
    },
    UgenDef {
        name: "multitap",
        family: "delays",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("time", 0.125, "s", "spacing of the taps: they sound at time, 2·time, … taps·time"),
            ArgDef::control("taps", 4.0, "", "number of taps, 1..8; tap k of n has gain (n + 1 - k)/n"),
            ArgDef::control("feedback", 0.0, "", "gain with which the whole pattern repeats every taps·time, -2..2"),
            ArgDef::control("mix", 0.4, "0..1", "0 dry … 1 only echoes"),
        ],
        channels: Channels::Follow,
        doc: "Multi-tap delay: `taps` echoes spaced `time` apart, fading linearly (tap k of n at gain (n+1-k)/n); `feedback` \
              repeats the pattern every taps·time. Time up to 1 s when it is a pattern or signal, 4 s when constant.",
        example: "out: (saw 110 * (square 1 # range 0 0.2)) # multitap 0.125 4 0.3 0.5",
        make: make_multitap,
    },
];

// ---------------------------------------------------------------------------------------------
// Shared primitives
// ---------------------------------------------------------------------------------------------

/// A circular delay line of a power-of-two length. [`Line::tap`] and [`Line::read`] look back
/// from the next write, so reading `d` then pushing delays by exactly `d` samples.
pub(crate) struct Line {
    buf: Box<[f32]>,
    mask: usize,
    pos: usize,
}

impl Line {
    /// A line that can delay by up to `max_delay` samples with a cubic read.
    pub(crate) fn new(max_delay: usize) -> Line {
        let len = (max_delay + 4).next_power_of_two();
        Line { buf: vec![0.0; len].into_boxed_slice(), mask: len - 1, pos: 0 }
    }

    /// The longest delay (samples) [`Line::read`] serves.
    #[inline]
    pub(crate) fn max_delay(&self) -> f32 {
        (self.buf.len() - 3) as f32
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, x: f32) {
        self.buf[self.pos] = x;
        self.pos = (self.pos + 1) & self.mask;
    }

    /// The sample pushed `d` pushes ago (`d = 1` is the latest; `d` at most the line's length).
    #[inline(always)]
    pub(crate) fn tap(&self, d: usize) -> f32 {
        self.buf[self.pos.wrapping_sub(d) & self.mask]
    }

    /// `d` samples back, fractional (4-point cubic Hermite, exact at whole samples), clamped to
    /// `2..=max_delay()`; NaN reads 2 samples back.
    #[inline]
    pub(crate) fn read(&self, d: f32) -> f32 {
        let d = d.max(2.0).min(self.max_delay());
        let i = d as usize;
        let f = d - i as f32;
        hermite(self.tap(i - 1), self.tap(i), self.tap(i + 1), self.tap(i + 2), f)
    }
}

/// Cubic Hermite interpolation between `y0` (f = 0) and `y1` (f = 1).
#[inline(always)]
fn hermite(ym1: f32, y0: f32, y1: f32, y2: f32, f: f32) -> f32 {
    let c1 = 0.5 * (y1 - ym1);
    let c2 = ym1 - 2.5 * y0 + 2.0 * y1 - 0.5 * y2;
    let c3 = 0.5 * (y2 - ym1) + 1.5 * (y0 - y1);
    ((c3 * f + c2) * f + c1) * f + y0
}

/// A one-pole smoother, advanced once per sample. It starts at its first target (no fade-in)
/// and snaps onto a target once within a millionth of it, so a constant argument is exact.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Smooth {
    y: f32,
    a: f32,
    primed: bool,
}

impl Smooth {
    /// Follows a step with time constant `tau_s` seconds.
    pub(crate) fn new(tau_s: f32, sample_rate: f32) -> Smooth {
        Smooth { y: 0.0, a: 1.0 - (-1.0 / (tau_s * sample_rate).max(1.0)).exp(), primed: false }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, target: f32) -> f32 {
        let e = target - self.y;
        if !self.primed || e.abs() <= 1e-6 * (1.0 + target.abs()) {
            self.primed = true;
            self.y = target;
        } else {
            self.y += self.a * e;
        }
        self.y
    }
}

/// A phase accumulator in cycles (f64, so long runs keep their rate to better than 1e-9).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lfo {
    phase: f64,
}

impl Lfo {
    /// Starting at `phase` cycles (0..1).
    pub(crate) fn new(phase: f64) -> Lfo {
        Lfo { phase }
    }

    /// The current phase (cycles, 0..1), then advance by `hz` (clamped to ±Nyquist).
    #[inline(always)]
    pub(crate) fn next(&mut self, hz: f32, sample_rate: f32) -> f64 {
        let p = self.phase;
        let hz = hz.max(-0.5 * sample_rate).min(0.5 * sample_rate);
        self.phase += hz as f64 / sample_rate as f64;
        self.phase -= self.phase.floor();
        p
    }

    /// `sin(2π·phase)`, then advance.
    #[inline(always)]
    pub(crate) fn sine(&mut self, hz: f32, sample_rate: f32) -> f32 {
        (TAU * self.next(hz, sample_rate)).sin() as f32
    }
}

/// `x` limited to `lo..=hi`; NaN gives `lo`.
#[inline(always)]
pub(crate) fn clamp(x: f32, lo: f32, hi: f32) -> f32 {
    x.max(lo).min(hi)
}

/// Identity for |w| ≤ 1, then a tanh knee approaching 2 (continuous slope): what a feedback
/// loop writes, so feedback ≥ 1 saturates instead of exploding.
#[inline(always)]
pub(crate) fn soft_limit(w: f32) -> f32 {
    let a = w.abs();
    if a <= 1.0 { w } else { (1.0 + (a - 1.0).tanh()).copysign(w) }
}

/// One-pole low-pass coefficient for a cutoff `hz`: `y += a·(x − y)`.
pub(crate) fn one_pole(hz: f32, sample_rate: f32) -> f32 {
    1.0 - (-std::f32::consts::TAU * hz / sample_rate).exp()
}

/// A line long enough for a delay argument `arg` (a constant up to `const_max` seconds, else
/// `var_max`) plus `extra` samples. Returns the line length in samples and the longest time (s).
fn line_for(s: &KernelSetup<'_>, arg: usize, const_max: f32, var_max: f32, extra: f32) -> (usize, f32) {
    let max_time = s.constant(arg).map_or(var_max, |t| clamp(t, 0.0, const_max));
    ((max_time * s.sample_rate + extra).ceil() as usize + 2, max_time)
}

// ---------------------------------------------------------------------------------------------
// tape
// ---------------------------------------------------------------------------------------------

struct TapeChannel {
    line: Line,
    /// Playback low-pass state.
    lp: f32,
    /// Low-passed playback, the DC the feedback path removes.
    dc: f32,
}

struct Tape {
    max_time: f32,
    time: Smooth,
    feedback: Smooth,
    wow: Smooth,
    flutter: Smooth,
    drive: Smooth,
    mix: Smooth,
    wow_lfo: Lfo,
    flutter_lfo: Lfo,
    lp_a: f32,
    dc_a: f32,
    ch: Vec<TapeChannel>,
}

fn make_tape(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let sr = s.sample_rate;
    let (len, max_time) = line_for(s, 1, MAX_CONST_TIME_S, MAX_TIME_S, (WOW_S + FLUTTER_S) * sr);
    let sm = |tau| Smooth::new(tau, sr);
    Box::new(Tape {
        max_time,
        time: sm(TIME_GLIDE_S),
        feedback: sm(SMOOTH_S),
        wow: sm(SMOOTH_S),
        flutter: sm(SMOOTH_S),
        drive: sm(SMOOTH_S),
        mix: sm(SMOOTH_S),
        wow_lfo: Lfo::new(0.0),
        flutter_lfo: Lfo::new(0.25),
        lp_a: one_pole(TAPE_TONE_HZ, sr),
        dc_a: one_pole(TAPE_DC_HZ, sr),
        ch: (0..s.channels).map(|_| TapeChannel { line: Line::new(len), lp: 0.0, dc: 0.0 }).collect(),
    })
}

impl Kernel for Tape {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (sr, n) = (cx.sample_rate, cx.block);
        let [time, fb, wow, flutter, drive, mix] = [1, 2, 3, 4, 5, 6].map(|k| args[k].mono());
        for i in 0..n {
            let t = self.time.next(clamp(time.at(i), 0.0, self.max_time)) * sr;
            let fb = self.feedback.next(clamp(fb.at(i), -2.0, 2.0));
            let wow = self.wow.next(clamp(wow.at(i), 0.0, 1.0)) * self.wow_lfo.sine(WOW_HZ, sr);
            let flutter = self.flutter.next(clamp(flutter.at(i), 0.0, 1.0)) * self.flutter_lfo.sine(FLUTTER_HZ, sr);
            let g = 1.0 + (TAPE_DRIVE_MAX - 1.0) * self.drive.next(clamp(drive.at(i), 0.0, 1.0));
            let m = self.mix.next(clamp(mix.at(i), 0.0, 1.0));
            let d = t + (wow * WOW_S + flutter * FLUTTER_S) * sr;
            for (c, st) in self.ch.iter_mut().enumerate().take(cx.channels) {
                let x = args[0].ch[c].at(i);
                st.lp += self.lp_a * (st.line.read(d) - st.lp);
                st.dc += self.dc_a * (st.lp - st.dc);
                st.line.push((g * (x + fb * (st.lp - st.dc))).tanh() / g);
                out[c * n + i] = x + m * (st.lp - x);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// pingpong
// ---------------------------------------------------------------------------------------------

struct PingPong {
    max_time: f32,
    time: Smooth,
    feedback: Smooth,
    mix: Smooth,
    left: Line,
    right: Line,
}

fn make_pingpong(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let (len, max_time) = line_for(s, 1, MAX_CONST_TIME_S, MAX_TIME_S, 0.0);
    let sm = |tau| Smooth::new(tau, s.sample_rate);
    Box::new(PingPong {
        max_time,
        time: sm(TIME_GLIDE_S),
        feedback: sm(SMOOTH_S),
        mix: sm(SMOOTH_S),
        left: Line::new(len),
        right: Line::new(len),
    })
}

impl Kernel for PingPong {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let n = cx.block;
        let [time, fb, mix] = [1, 2, 3].map(|k| args[k].mono());
        let (ol, or) = out.split_at_mut(n);
        for (i, (ol, or)) in ol.iter_mut().zip(or.iter_mut()).enumerate() {
            let d = self.time.next(clamp(time.at(i), 0.0, self.max_time)) * cx.sample_rate;
            let fb = self.feedback.next(clamp(fb.at(i), -2.0, 2.0));
            let m = self.mix.next(clamp(mix.at(i), 0.0, 1.0));
            let (xl, xr) = (args[0].ch[0].at(i), args[0].ch[1].at(i));
            let (yl, yr) = (self.left.read(d), self.right.read(d));
            self.left.push(soft_limit(0.5 * (xl + xr) + fb * yr));
            self.right.push(soft_limit(fb * yl));
            *ol = xl + m * (yl - xl);
            *or = xr + m * (yr - xr);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// multitap
// ---------------------------------------------------------------------------------------------

struct Multitap {
    max_time: f32,
    time: Smooth,
    /// Tap count, gliding: sets the feedback loop's length.
    taps: Smooth,
    gains: [Smooth; MAX_TAPS],
    feedback: Smooth,
    mix: Smooth,
    lines: Vec<Line>,
}

/// Gain of tap `k` (1-based) of `n`: a linear fade, (n + 1 − k)/n, and 0 beyond the last.
fn tap_gain(k: usize, n: usize) -> f32 {
    if k <= n { (n + 1 - k) as f32 / n as f32 } else { 0.0 }
}

/// A `taps` argument as a whole number of taps, 1..=8.
fn tap_count(taps: f32) -> usize {
    clamp(taps.round(), 1.0, MAX_TAPS as f32) as usize
}

fn make_multitap(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let sr = s.sample_rate;
    let max_taps = s.constant(2).map_or(MAX_TAPS, tap_count) as f32;
    let (_, max_time) = line_for(s, 1, MAX_TIME_S, MULTITAP_MAX_TIME_S, 0.0);
    let len = (max_taps * max_time * sr).ceil() as usize + 2;
    let sm = |tau| Smooth::new(tau, sr);
    Box::new(Multitap {
        max_time,
        time: sm(TIME_GLIDE_S),
        taps: sm(TIME_GLIDE_S),
        gains: [sm(SMOOTH_S); MAX_TAPS],
        feedback: sm(SMOOTH_S),
        mix: sm(SMOOTH_S),
        lines: (0..s.channels).map(|_| Line::new(len)).collect(),
    })
}

impl Kernel for Multitap {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let n = cx.block;
        let [time, taps, fb, mix] = [1, 2, 3, 4].map(|k| args[k].mono());
        for i in 0..n {
            let d = self.time.next(clamp(time.at(i), 0.0, self.max_time)) * cx.sample_rate;
            let count = tap_count(taps.at(i));
            let loop_d = self.taps.next(count as f32) * d;
            let mut g = [0.0f32; MAX_TAPS];
            for (k, (g, s)) in g.iter_mut().zip(self.gains.iter_mut()).enumerate() {
                *g = s.next(tap_gain(k + 1, count));
            }
            let fb = self.feedback.next(clamp(fb.at(i), -2.0, 2.0));
            let m = self.mix.next(clamp(mix.at(i), 0.0, 1.0));
            for (c, line) in self.lines.iter_mut().enumerate().take(cx.channels) {
                let x = args[0].ch[c].at(i);
                let mut wet = 0.0;
                for (k, &g) in g.iter().enumerate() {
                    if g != 0.0 {
                        wet += g * line.read((k + 1) as f32 * d);
                    }
                }
                let back = line.read(loop_d);
                line.push(soft_limit(x + fb * back));
                out[c * n + i] = x + m * (wet - x);
            }
        }
    }
}
