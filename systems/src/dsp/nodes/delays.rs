//! Catalogue family: delays — `tape`, `pingpong`, `multitap` — built on the shared delay
//! line, smoother and LFO of the crate's private `nodes::util` module.
//!
//! Every kernel here runs sample by sample (all channels of sample `i`, then `i + 1`), so its
//! state never depends on where blocks begin. Delay times glide (a tape-like pitch bend) and
//! gains are smoothed over a few milliseconds, so any argument may jump without a click.

use super::util::{Lfo, Line, SMOOTH_S, Smooth, one_pole, sane, soft_limit};
use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, UgenDef};

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

/// A line long enough for a delay argument `arg` (a constant up to `const_max` seconds, else
/// `var_max`) plus `extra` samples. Returns the line length in samples and the longest time (s).
fn line_for(s: &KernelSetup<'_>, arg: usize, const_max: f32, var_max: f32, extra: f32) -> (usize, f32) {
    let max_time = s.constant(arg).map_or(var_max, |t| sane(t, 0.0, const_max, 0.0));
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
    fn shape(&self) -> u64 {
        self.max_time.to_bits() as u64
    }

    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (sr, n) = (cx.sample_rate, cx.block);
        let [time, fb, wow, flutter, drive, mix] = [1, 2, 3, 4, 5, 6].map(|k| args[k].mono());
        for i in 0..n {
            let t = self.time.next(sane(time.at(i), 0.0, self.max_time, 0.0)) * sr;
            let fb = self.feedback.next(sane(fb.at(i), -2.0, 2.0, 0.0));
            let wow = self.wow.next(sane(wow.at(i), 0.0, 1.0, 0.0)) * self.wow_lfo.sine(WOW_HZ, sr);
            let flutter = self.flutter.next(sane(flutter.at(i), 0.0, 1.0, 0.0)) * self.flutter_lfo.sine(FLUTTER_HZ, sr);
            let g = 1.0 + (TAPE_DRIVE_MAX - 1.0) * self.drive.next(sane(drive.at(i), 0.0, 1.0, 0.0));
            let m = self.mix.next(sane(mix.at(i), 0.0, 1.0, 0.0));
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
    fn shape(&self) -> u64 {
        self.max_time.to_bits() as u64
    }

    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let n = cx.block;
        let [time, fb, mix] = [1, 2, 3].map(|k| args[k].mono());
        let (ol, or) = out.split_at_mut(n);
        for (i, (ol, or)) in ol.iter_mut().zip(or.iter_mut()).enumerate() {
            let d = self.time.next(sane(time.at(i), 0.0, self.max_time, 0.0)) * cx.sample_rate;
            let fb = self.feedback.next(sane(fb.at(i), -2.0, 2.0, 0.0));
            let m = self.mix.next(sane(mix.at(i), 0.0, 1.0, 0.0));
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
    sane(taps.round(), 1.0, MAX_TAPS as f32, 1.0) as usize
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
    fn shape(&self) -> u64 {
        (self.max_time.to_bits() as u64) << 32 | self.lines.first().map_or(0, Line::capacity) as u64
    }

    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let n = cx.block;
        let [time, taps, fb, mix] = [1, 2, 3, 4].map(|k| args[k].mono());
        for i in 0..n {
            let d = self.time.next(sane(time.at(i), 0.0, self.max_time, 0.0)) * cx.sample_rate;
            let count = tap_count(taps.at(i));
            let loop_d = self.taps.next(count as f32) * d;
            let mut g = [0.0f32; MAX_TAPS];
            for (k, (g, s)) in g.iter_mut().zip(self.gains.iter_mut()).enumerate() {
                *g = s.next(tap_gain(k + 1, count));
            }
            let fb = self.feedback.next(sane(fb.at(i), -2.0, 2.0, 0.0));
            let m = self.mix.next(sane(mix.at(i), 0.0, 1.0, 0.0));
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
