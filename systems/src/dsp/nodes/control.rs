//! Catalogue family: control — shaping, generating and routing signals: mapping (`range`, `clip`,
//! `mtof`), ramps from the scene's start (`line`, `xline`, `segments`), smoothing (`lag`, `slew`),
//! `sample_hold`, routing (`select`, `xfade`, `mix`, `pan2`), level detection (`follow`, `rms`)
//! and gated envelopes (`adsr`, `ar`).
//!
//! Every kernel runs sample by sample (all channels of sample `i`, then `i + 1`), so its state
//! never depends on where blocks begin. Durations of ramps and envelope segments are rounded to
//! whole samples, so a breakpoint lands exactly on its sample; `lag` and `follow` time constants
//! are the time to 63 % of a step, as for the dynamics family.

use super::util::{SMOOTH_S, Smooth, TimeCoef, approach, copy_to_other_channels, sane};
use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, MAX_ARGS, P, UgenDef};
use std::f32::consts::FRAC_PI_2;

/// Longest ramp or envelope segment, seconds (longer times are clamped).
pub const MAX_SEGMENT_S: f32 = 3600.0;
/// Smallest magnitude `xline` ramps from or to: ends that differ in sign or are 0 are raised to it.
pub const XLINE_MIN: f32 = 1e-6;
/// Longest `rms` window when its time is a constant, seconds.
pub const RMS_MAX_CONST_S: f32 = 10.0;
/// Longest `rms` window when its time is a pattern or signal (it sizes the window), seconds.
pub const RMS_MAX_S: f32 = 1.0;
/// Most choices of `select` (its index takes the eighth argument slot).
pub const MAX_CHOICES: usize = MAX_ARGS - 1;
/// `mtof` limits note numbers to ± this (so the frequency stays finite in f32).
pub const MTOF_MAX_NOTE: f32 = 1000.0;

/// Default of an optional argument that is absent unless given: a `select` choice or a
/// `segments` level (NaN, which no musician types).
const ABSENT: f32 = f32::NAN;

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[
    UgenDef {
        name: "range",
        family: "control",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("lo", 0.0, "", "the output for an input of -1"),
            ArgDef::control("hi", 1.0, "", "the output for an input of 1"),
        ],
        channels: Channels::Follow,
        doc: "Maps a bipolar signal (-1..1) linearly onto lo..hi: `sine 0.5 # range 200 2000` sweeps 200–2000.",
        example: "out: saw (sine 0.25 # range 110 220) * 0.2",
        make: |_| Box::new(Range),
    },
    UgenDef {
        name: "clip",
        family: "control",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("lo", -1.0, "", "the lowest value let through"),
            ArgDef::control("hi", 1.0, "", "the highest value let through"),
        ],
        channels: Channels::Follow,
        doc: "Hard-limits a signal to lo..hi.",
        example: "out: (sine 110 * 4) # clip (-0.5) 0.5",
        make: |_: &KernelSetup<'_>| Box::new(Clip),
    },
    UgenDef {
        name: "mtof",
        family: "control",
        effect: false,
        args: &[ArgDef::control("note", 69.0, "", "MIDI note number: a number, a pattern or a signal (fractions are between notes)")],
        channels: Channels::Mono,
        doc: "MIDI note number to Hz (69 = 440 Hz, 12 notes an octave): `sine (mtof \"60 64 67\")`, \
              `saw (mtof (sine 0.5 # range 60 72))`. A source taking the note as its argument, so numbers and patterns work too.",
        example: "out: sine (mtof \"60 64 67 72\") * 0.3",
        make: |_| Box::new(Mtof),
    },
    UgenDef {
        name: "line",
        family: "control",
        effect: false,
        args: &[
            ArgDef::control("from", 0.0, "", "the value at the scene's start"),
            ArgDef::control("to", 1.0, "", "the value reached after dur, then held"),
            ArgDef::control("dur", 1.0, "s", "length of the ramp (rounded to whole samples; 0 jumps to `to`)"),
        ],
        channels: Channels::Mono,
        doc: "A straight ramp from `from` to `to` over `dur` seconds from the scene's start, then holding `to`: \
              `saw (line 110 440 4)` glides up two octaves in 4 s.",
        example: "out: saw (line 110 440 4) * 0.2",
        make: |_| Box::new(Ramp { shape: RampShape::Linear, n: 0 }),
    },
    UgenDef {
        name: "xline",
        family: "control",
        effect: false,
        args: &[
            ArgDef::control("from", 1.0, "", "the value at the scene's start (same sign as `to`)"),
            ArgDef::control("to", 2.0, "", "the value reached after dur, then held"),
            ArgDef::control("dur", 1.0, "s", "length of the ramp (rounded to whole samples; 0 jumps to `to`)"),
        ],
        channels: Channels::Mono,
        doc: "An exponential ramp (equal ratios in equal times, right for pitch and gain) from `from` to `to` over `dur` s \
              from the scene's start, then holding `to`. Both ends must share a sign: if they differ or one is 0, both are \
              raised to at least 1e-6.",
        example: "out: sine (xline 110 880 2) * 0.3",
        make: |_| Box::new(Ramp { shape: RampShape::Exponential, n: 0 }),
    },
    UgenDef {
        name: "segments",
        family: "control",
        effect: false,
        args: &[
            ArgDef::control("l0", 0.0, "", "the level at the scene's start"),
            ArgDef::control("t1", 1.0, "s", "time of the ramp from l0 to l1"),
            ArgDef::control("l1", 1.0, "", "the level reached after t1"),
            ArgDef::control("t2", 0.0, "s", "time of the ramp from l1 to l2"),
            ArgDef::control("l2", ABSENT, "", "the level reached after t1 + t2 (not given: holds l1)"),
            ArgDef::control("t3", 0.0, "s", "time of the ramp from l2 to l3"),
            ArgDef::control("l3", ABSENT, "", "the level reached after t1 + t2 + t3 (not given: holds the level before)"),
        ],
        channels: Channels::Mono,
        doc: "A breakpoint envelope from the scene's start: level l0, a straight ramp over t1 seconds to l1, over t2 to l2, \
              over t3 to l3, then holding the last level (each time rounded to whole samples).",
        example: "out: saw 110 * (segments 0 0.05 1 0.5 0.3 1 0) * 0.3",
        make: |_| Box::new(Segments { n: 0 }),
    },
    UgenDef {
        name: "lag",
        family: "control",
        effect: true,
        args: &[ArgDef::INPUT, ArgDef::control("time", 0.1, "s", "time constant: a step is 63 % done after it (0 = no lag, up to 30)")],
        channels: Channels::Follow,
        doc: "One-pole smoothing (a lag, as on a portamento knob): a step in the input is followed exponentially, \
              63 % of the way after `time` seconds, 95 % after 3·time. It starts at its input's first value.",
        example: "out: saw (square 2 # range 110 220 # lag 0.05) * 0.2",
        make: |_| Box::new(Lag { coef: TimeCoef::new(), y: [None; 2] }),
    },
    UgenDef {
        name: "slew",
        family: "control",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("up", 1000.0, "/s", "fastest rise, units per second (0 holds, NaN or ∞ unlimited)"),
            ArgDef::control("down", 1000.0, "/s", "fastest fall, units per second"),
        ],
        channels: Channels::Follow,
        doc: "Slew-rate limiter: the output follows its input but never rises faster than `up` or falls faster than `down` \
              units per second, so steps become straight glides. It starts at its input's first value.",
        example: "out: saw (square 1 # range 110 220 # slew 400 100) * 0.2",
        make: |_| Box::new(Slew { y: [None; 2] }),
    },
    UgenDef {
        name: "sample_hold",
        family: "control",
        effect: true,
        args: &[ArgDef::INPUT, ArgDef::control("trig", 0.0, "", "the input is sampled when this crosses from ≤ 0 to > 0")],
        channels: Channels::Follow,
        doc: "Sample and hold: takes its input when `trig` rises through 0 and holds it until the next trigger \
              (0 before the first): `noise # sample_hold (impulse 8)` is a stepped random value 8 times a second.",
        example: "out: sine (noise # sample_hold (impulse 8) # range 220 880) * 0.2",
        make: |_| Box::new(SampleHold { trig_was_high: false, held: [0.0; 2] }),
    },
    UgenDef {
        name: "select",
        family: "control",
        effect: false,
        args: &[
            ArgDef::control("index", 0.0, "", "which signal: rounded, and wrapped by the number of choices (0 is a)"),
            ArgDef::audio("a", 0.0, "choice 0"),
            ArgDef::audio("b", 0.0, "choice 1"),
            ArgDef::audio("c", ABSENT, "choice 2 (optional)"),
            ArgDef::audio("d", ABSENT, "choice 3 (optional)"),
            ArgDef::audio("e", ABSENT, "choice 4 (optional)"),
            ArgDef::audio("f", ABSENT, "choice 5 (optional)"),
            ArgDef::audio("g", ABSENT, "choice 6 (optional)"),
        ],
        channels: Channels::Follow,
        doc: "Switches between up to 7 signals: outputs choice round(index) modulo the number given, switching on the \
              very sample the index changes (use `xfade` for a smooth change).",
        example: "out: select (phasor 1 * 3) (sine 220) (saw 110) (square 55) * 0.2",
        make: make_select,
    },
    UgenDef {
        name: "xfade",
        family: "control",
        effect: false,
        args: &[
            ArgDef::audio("a", 0.0, "the signal at x = 0"),
            ArgDef::audio("b", 0.0, "the signal at x = 1"),
            ArgDef::control("x", 0.5, "0..1", "position of the crossfade (smoothed over 5 ms)"),
        ],
        channels: Channels::Follow,
        doc: "Equal-power crossfade: cos(x·π/2)·a + sin(x·π/2)·b, so uncorrelated signals keep their loudness; at x = 0.5 \
              each is at -3 dB.",
        example: "out: xfade (saw 110) (sine 220) (sine 0.25 # range 0 1) * 0.3",
        make: |s| Box::new(Xfade { x: EqualPower::new(s.sample_rate) }),
    },
    UgenDef {
        name: "mix",
        family: "control",
        effect: false,
        args: &[
            ArgDef::audio("a", 0.0, "a signal"),
            ArgDef::audio("b", 0.0, "a signal"),
            ArgDef::audio("c", 0.0, "a signal"),
            ArgDef::audio("d", 0.0, "a signal"),
            ArgDef::audio("e", 0.0, "a signal"),
            ArgDef::audio("f", 0.0, "a signal"),
            ArgDef::audio("g", 0.0, "a signal"),
            ArgDef::audio("h", 0.0, "a signal"),
        ],
        channels: Channels::Follow,
        doc: "The plain sum of up to 8 signals (no gain change: scale it with `*`).",
        example: "out: mix (sine 220) (sine 330) (sine 440) * 0.2",
        make: |_| Box::new(Mix),
    },
    UgenDef {
        name: "pan2",
        family: "control",
        effect: true,
        args: &[ArgDef::INPUT, ArgDef::control("pos", 0.0, "-1..1", "-1 left, 0 centre (-3 dB each side), 1 right (smoothed over 5 ms)")],
        channels: Channels::Stereo,
        doc: "Equal-power panner: mono in, stereo out with left = cos θ, right = sin θ, θ = (pos + 1)·π/4, so L² + R² is \
              constant. A stereo input is first summed to mono as (left + right)/2.",
        example: "out: (saw 110 # pan2 (sine 0.5)) * 0.3",
        make: |s| Box::new(Pan2 { pos: EqualPower::new(s.sample_rate) }),
    },
    UgenDef {
        name: "follow",
        family: "control",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("attack", 0.01, "s", "time constant of a rising level (63 %; 0 = instant, up to 30)"),
            ArgDef::control("release", 0.1, "s", "time constant of a falling level (63 %)"),
        ],
        channels: Channels::Follow,
        doc: "Peak envelope follower: the input's magnitude, rising with the attack and falling with the release time \
              constant; always ≥ 0. Multiply another signal by it to make it follow this one's dynamics.",
        example: "out: (saw 110 * (impulse 4 # follow 0 0.15)) * 0.4",
        make: |_| Box::new(Follow { attack: TimeCoef::new(), release: TimeCoef::new(), env: [0.0; 2] }),
    },
    UgenDef {
        name: "rms",
        family: "control",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("time", 0.05, "s", "window length (up to 10 s when constant, 1 s when a pattern or signal)"),
        ],
        channels: Channels::Follow,
        doc: "Root-mean-square level over a sliding window of `time` seconds (an exact running sum; silence before the \
              start counts): a sine of amplitude A reads A/√2.",
        example: "out: sine 220 * (saw 3 # rms 0.05) * 0.4",
        make: make_rms,
    },
    UgenDef {
        name: "adsr",
        family: "control",
        effect: false,
        args: &[
            ArgDef::control("gate", 0.0, "", "a signal: the envelope starts when it rises above 0 and releases when it falls to 0"),
            ArgDef::control("attack", 0.01, "s", "time of the straight rise to 1"),
            ArgDef::control("decay", 0.1, "s", "time of the fall from 1 to the sustain level"),
            ArgDef::control("sustain", 0.5, "0..1", "level held while the gate stays open (smoothed over 5 ms)"),
            ArgDef::control("release", 0.3, "s", "time of the fall to 0 once the gate closes"),
        ],
        channels: Channels::Mono,
        doc: "Gated ADSR envelope with straight segments of exact length (whole samples): rises from its current level to \
              1, falls to sustain, holds while gate > 0, and falls to 0 when the gate closes; a new gate restarts it from \
              where it is. The gate must be a signal (`square 1`, `impulse 2`, a bus).",
        example: "out: saw 110 * adsr (square 1 * 0.5 + 0.5) 0.01 0.1 0.5 0.3 * 0.3",
        make: |s| Box::new(Adsr { env: Envelope::new(s.sample_rate), sustain_arg: true }),
    },
    UgenDef {
        name: "ar",
        family: "control",
        effect: false,
        args: &[
            ArgDef::control("gate", 0.0, "", "a signal: the envelope rises while it is above 0 and releases when it falls"),
            ArgDef::control("attack", 0.01, "s", "time of the straight rise to 1"),
            ArgDef::control("release", 0.3, "s", "time of the fall to 0 once the gate closes"),
        ],
        channels: Channels::Mono,
        doc: "Gated attack–release envelope: a straight rise to 1 over `attack` seconds while gate > 0, held at 1, and a \
              straight fall to 0 over `release` once the gate closes (a gate shorter than the attack releases early). \
              The gate must be a signal.",
        example: "out: saw 220 * ar (square 2) 0.005 0.2 * 0.3",
        make: |s| Box::new(Adsr { env: Envelope::new(s.sample_rate), sustain_arg: false }),
    },
];

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// Writes `f(x, i)` for every channel's input sample `x` at index `i` (a memoryless map).
#[inline(always)]
fn map_input(cx: &KernelCtx, input: &Arg<'_>, out: &mut [f32], f: impl Fn(f32, usize) -> f32) {
    for (c, o) in out.chunks_exact_mut(cx.block).enumerate() {
        let x = input.ch[c];
        for (i, o) in o.iter_mut().enumerate() {
            *o = f(x.at(i), i);
        }
    }
}

/// A duration argument as a whole number of samples, `0..=MAX_SEGMENT_S·sr` (NaN: 0).
#[inline]
fn samples(seconds: f32, sample_rate: f32) -> f64 {
    (sane(seconds, 0.0, MAX_SEGMENT_S, 0.0) as f64 * sample_rate as f64).round()
}

/// `a` → `b` as `t` goes 0 → 1; exactly `b` from `t = 1` on.
#[inline(always)]
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    if t >= 1.0 { b } else { a + (b - a) * t }
}

/// How far along (0..=1) a ramp of `len` samples is after `n` samples (`len = 0`: done).
#[inline(always)]
fn progress(n: f64, len: f64) -> f64 {
    if n >= len { 1.0 } else { n / len }
}

/// A finite sample, else 0 (a control's state never takes in an infinity or NaN).
#[inline(always)]
fn finite(x: f32) -> f32 {
    if x.is_finite() { x } else { 0.0 }
}

// ---------------------------------------------------------------------------------------------
// range, clip, mtof: memoryless maps
// ---------------------------------------------------------------------------------------------

struct Range;

impl Kernel for Range {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (lo, hi) = (args[1].mono(), args[2].mono());
        map_input(cx, &args[0], out, |x, i| {
            let (l, h) = (lo.at(i), hi.at(i));
            l + (x + 1.0) * 0.5 * (h - l)
        });
    }
}

struct Clip;

impl Kernel for Clip {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (lo, hi) = (args[1].mono(), args[2].mono());
        map_input(cx, &args[0], out, |x, i| {
            let (l, h) = (lo.at(i), hi.at(i));
            // NaN-safe: max/min return the number when x is NaN
            x.max(l.min(h)).min(h.max(l))
        });
    }
}

/// Hz of MIDI note `note` (69 = 440 Hz), the note limited to ±[`MTOF_MAX_NOTE`]; NaN gives 0 Hz.
#[inline]
pub fn mtof(note: f32) -> f32 {
    if note.is_nan() {
        return 0.0;
    }
    let n = note.clamp(-MTOF_MAX_NOTE, MTOF_MAX_NOTE) as f64;
    (440.0 * ((n - 69.0) / 12.0).exp2()) as f32
}

struct Mtof;

impl Kernel for Mtof {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let note = args[0].mono();
        for (i, o) in out[..cx.block].iter_mut().enumerate() {
            *o = mtof(note.at(i));
        }
        copy_to_other_channels(cx, out);
    }
}

// ---------------------------------------------------------------------------------------------
// line, xline, segments: ramps from the node's start
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RampShape {
    Linear,
    Exponential,
}

/// `xline`'s ends: unchanged if they share a sign, else both raised to at least [`XLINE_MIN`].
#[inline]
fn exponential_ends(from: f32, to: f32) -> (f64, f64) {
    if from < 0.0 && to < 0.0 {
        (from.min(-XLINE_MIN) as f64, to.min(-XLINE_MIN) as f64)
    } else {
        (sane(from, XLINE_MIN, f32::MAX, 1.0) as f64, sane(to, XLINE_MIN, f32::MAX, 1.0) as f64)
    }
}

/// A ramp's value at progress `t` (0..=1), exactly `to` at `t = 1`.
#[inline]
fn ramp_value(shape: RampShape, from: f32, to: f32, t: f64) -> f64 {
    match shape {
        RampShape::Linear => lerp(finite(from) as f64, finite(to) as f64, t),
        RampShape::Exponential => {
            let (a, b) = exponential_ends(from, to);
            if t >= 1.0 { b } else { a * (b / a).powf(t) }
        }
    }
}

/// `line` / `xline`: samples since the node started.
struct Ramp {
    shape: RampShape,
    n: u64,
}

impl Kernel for Ramp {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let [from, to, dur] = [0, 1, 2].map(|k| args[k].mono());
        for (i, o) in out[..cx.block].iter_mut().enumerate() {
            let t = progress(self.n as f64, samples(dur.at(i), cx.sample_rate));
            *o = ramp_value(self.shape, from.at(i), to.at(i), t) as f32;
            self.n += 1;
        }
        copy_to_other_channels(cx, out);
    }
}

/// The `segments` envelope `n` samples after its start: `levels[0]`, then a ramp over each
/// `lens[k]` samples to `levels[k + 1]` (a NaN level holds the one before), then the last level.
fn segments_value(levels: [f32; 4], lens: [f64; 3], n: f64) -> f64 {
    let mut level = finite(levels[0]) as f64;
    let mut start = 0.0;
    for (&len, &next) in lens.iter().zip(&levels[1..]) {
        if next.is_nan() {
            continue;
        }
        let next = finite(next) as f64;
        if n < start + len {
            return lerp(level, next, progress(n - start, len));
        }
        start += len;
        level = next;
    }
    level
}

/// `segments`: samples since the node started.
struct Segments {
    n: u64,
}

impl Kernel for Segments {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let a: [P<'_>; 7] = std::array::from_fn(|k| args[k].mono());
        let sr = cx.sample_rate;
        for (i, o) in out[..cx.block].iter_mut().enumerate() {
            let levels = [a[0].at(i), a[2].at(i), a[4].at(i), a[6].at(i)];
            let lens = [samples(a[1].at(i), sr), samples(a[3].at(i), sr), samples(a[5].at(i), sr)];
            *o = segments_value(levels, lens, self.n as f64) as f32;
            self.n += 1;
        }
        copy_to_other_channels(cx, out);
    }
}

// ---------------------------------------------------------------------------------------------
// lag, slew, sample_hold
// ---------------------------------------------------------------------------------------------

/// `lag`: the time argument's pole and each channel's output (`None` before the first sample).
struct Lag {
    coef: TimeCoef,
    y: [Option<f64>; 2],
}

impl Kernel for Lag {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (n, time) = (cx.block, args[1].mono());
        for i in 0..n {
            let a = self.coef.get(time.at(i), cx.sample_rate);
            for (c, y) in self.y.iter_mut().enumerate().take(cx.channels) {
                let x = finite(args[0].ch[c].at(i)) as f64;
                let next = y.map_or(x, |y| approach(y, x, a, 1e-12));
                *y = Some(next);
                out[c * n + i] = next as f32;
            }
        }
    }
}

/// Largest step (units per sample) a rate of `per_second` allows: ≥ 0, NaN or ∞ unlimited.
#[inline]
fn max_step(per_second: f32, sample_rate: f32) -> f64 {
    if per_second.is_nan() { f64::INFINITY } else { per_second.max(0.0) as f64 / sample_rate as f64 }
}

/// `slew`: each channel's output (`None` before the first sample).
struct Slew {
    y: [Option<f64>; 2],
}

impl Kernel for Slew {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (n, up, down) = (cx.block, args[1].mono(), args[2].mono());
        for i in 0..n {
            let (rise, fall) = (max_step(up.at(i), cx.sample_rate), max_step(down.at(i), cx.sample_rate));
            for (c, y) in self.y.iter_mut().enumerate().take(cx.channels) {
                let x = finite(args[0].ch[c].at(i)) as f64;
                let next = y.map_or(x, |y| y + (x - y).clamp(-fall, rise));
                *y = Some(next);
                out[c * n + i] = next as f32;
            }
        }
    }
}

/// `sample_hold`: whether the trigger was above 0 on the previous sample, and the held values.
struct SampleHold {
    trig_was_high: bool,
    held: [f32; 2],
}

impl Kernel for SampleHold {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (n, trig) = (cx.block, args[1].mono());
        for i in 0..n {
            let high = trig.at(i) > 0.0;
            let take = high && !self.trig_was_high;
            self.trig_was_high = high;
            for (c, h) in self.held.iter_mut().enumerate().take(cx.channels) {
                if take {
                    *h = args[0].ch[c].at(i);
                }
                out[c * n + i] = *h;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// select, xfade, mix, pan2
// ---------------------------------------------------------------------------------------------

/// `select`: how many choices were given (the absent ones come as constant NaN).
struct Select {
    choices: usize,
}

fn make_select(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let given = (1..=MAX_CHOICES).rev().find(|&k| !s.constant(k).is_some_and(f32::is_nan)).unwrap_or(1);
    Box::new(Select { choices: given.max(2) })
}

/// The choice (0-based) an `index` picks among `count`: rounded, wrapped; NaN picks 0.
#[inline]
fn choice(index: f32, count: usize) -> usize {
    let k = sane(index, -1.0e9, 1.0e9, 0.0).round() as i64;
    k.rem_euclid(count as i64) as usize
}

impl Kernel for Select {
    fn shape(&self) -> u64 {
        self.choices as u64
    }

    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (n, index) = (cx.block, args[0].mono());
        for i in 0..n {
            let k = choice(index.at(i), self.choices);
            for c in 0..cx.channels {
                // an absent choice inside the list (NaN) is silence
                let v = args[1 + k].ch[c].at(i);
                out[c * n + i] = if v.is_nan() { 0.0 } else { v };
            }
        }
    }
}

/// A smoothed position in 0..1 and its equal-power gains (cos, sin of position·π/2), recomputed
/// only while the position moves: shared by `xfade` and `pan2`.
struct EqualPower {
    pos: Smooth,
    last: f32,
    gains: (f32, f32),
}

impl EqualPower {
    fn new(sample_rate: f32) -> EqualPower {
        EqualPower { pos: Smooth::new(SMOOTH_S, sample_rate), last: f32::NAN, gains: (1.0, 0.0) }
    }

    /// Advance one sample towards position `p` (clamped to 0..1, NaN: 0.5); the gains.
    #[inline]
    fn next(&mut self, p: f32) -> (f32, f32) {
        let p = self.pos.next(sane(p, 0.0, 1.0, 0.5));
        if p != self.last {
            self.last = p;
            let (s, c) = (p * FRAC_PI_2).sin_cos();
            self.gains = (c, s);
        }
        self.gains
    }
}

/// `xfade`: the crossfade position.
struct Xfade {
    x: EqualPower,
}

impl Kernel for Xfade {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (n, x) = (cx.block, args[2].mono());
        for i in 0..n {
            let (ga, gb) = self.x.next(x.at(i));
            for c in 0..cx.channels {
                out[c * n + i] = ga * args[0].ch[c].at(i) + gb * args[1].ch[c].at(i);
            }
        }
    }
}

struct Mix;

impl Kernel for Mix {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        for (c, o) in out.chunks_exact_mut(cx.block).enumerate() {
            for (i, o) in o.iter_mut().enumerate() {
                *o = args.iter().map(|a| a.ch[c].at(i)).sum();
            }
        }
    }
}

/// `pan2`: the pan position, as 0 (left) ..1 (right).
struct Pan2 {
    pos: EqualPower,
}

impl Kernel for Pan2 {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (n, pos) = (cx.block, args[1].mono());
        let (l, r) = out.split_at_mut(n);
        for (i, (l, r)) in l.iter_mut().zip(r[..n].iter_mut()).enumerate() {
            // -1..1 → 0..1; NaN stays NaN and centres
            let (gl, gr) = self.pos.next(0.5 * (pos.at(i) + 1.0));
            let x = 0.5 * (args[0].ch[0].at(i) + args[0].ch[1].at(i));
            *l = gl * x;
            *r = gr * x;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// follow, rms
// ---------------------------------------------------------------------------------------------

/// `follow`: attack and release poles and each channel's envelope.
struct Follow {
    attack: TimeCoef,
    release: TimeCoef,
    env: [f64; 2],
}

impl Kernel for Follow {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (n, att, rel) = (cx.block, args[1].mono(), args[2].mono());
        for i in 0..n {
            let (a, r) = (self.attack.get(att.at(i), cx.sample_rate), self.release.get(rel.at(i), cx.sample_rate));
            for (c, env) in self.env.iter_mut().enumerate().take(cx.channels) {
                let level = finite(args[0].ch[c].at(i)).abs() as f64;
                *env = approach(*env, level, if level > *env { a } else { r }, 1e-12);
                out[c * n + i] = *env as f32;
            }
        }
    }
}

/// A sliding sum of squares over the last `window` samples (silence before the start), kept
/// exactly by adding what enters and subtracting what leaves; the window may change length.
struct SquareWindow {
    /// Squares, newest at `pos`; one longer than the longest window.
    ring: Box<[f64]>,
    pos: usize,
    window: usize,
    sum: f64,
}

impl SquareWindow {
    fn new(max_window: usize) -> SquareWindow {
        SquareWindow { ring: vec![0.0; max_window + 1].into_boxed_slice(), pos: 0, window: 1, sum: 0.0 }
    }

    /// The longest window it holds.
    fn max_window(&self) -> usize {
        self.ring.len() - 1
    }

    /// The square pushed `age` pushes ago (0 = the newest).
    #[inline(always)]
    fn at(&self, age: usize) -> f64 {
        let len = self.ring.len();
        self.ring[(self.pos + len - age) % len]
    }

    /// Push `x`, set the window to `window` samples (1..=max) and return the mean square.
    #[inline]
    fn push(&mut self, x: f32, window: usize) -> f64 {
        let len = self.ring.len();
        self.pos = (self.pos + 1) % len;
        let v = (x as f64) * (x as f64);
        self.ring[self.pos] = v;
        self.sum += v - self.at(self.window);
        while self.window < window {
            self.sum += self.at(self.window);
            self.window += 1;
        }
        while self.window > window {
            self.window -= 1;
            self.sum -= self.at(self.window);
        }
        self.sum.max(0.0) / self.window as f64
    }
}

/// `rms`: one window per channel.
struct Rms {
    windows: Vec<SquareWindow>,
}

fn make_rms(s: &KernelSetup<'_>) -> Box<dyn Kernel> {
    let max_s = s.constant(1).map_or(RMS_MAX_S, |t| sane(t, 0.0, RMS_MAX_CONST_S, 0.0));
    let max_window = ((max_s * s.sample_rate).round() as usize).max(1);
    Box::new(Rms { windows: (0..s.channels.clamp(1, 2)).map(|_| SquareWindow::new(max_window)).collect() })
}

impl Kernel for Rms {
    fn shape(&self) -> u64 {
        self.windows.first().map_or(0, SquareWindow::max_window) as u64
    }

    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (n, time) = (cx.block, args[1].mono());
        for i in 0..n {
            let t = time.at(i);
            for (c, w) in self.windows.iter_mut().enumerate().take(cx.channels) {
                let len = (samples(t, cx.sample_rate) as usize).clamp(1, w.max_window());
                out[c * n + i] = w.push(finite(args[0].ch[c].at(i)), len).sqrt() as f32;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// adsr, ar
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Idle,
    Attack,
    Decay,
    Sustain,
    Release,
}

/// Segment lengths (whole samples) and sustain level of an envelope for one sample.
#[derive(Clone, Copy, Debug)]
struct EnvShape {
    attack: f64,
    decay: f64,
    sustain: f64,
    release: f64,
}

/// A gated ADSR with straight segments: `k` samples into the current stage, which started at
/// level `from` (attack and release start wherever the envelope was).
struct Envelope {
    stage: Stage,
    k: f64,
    from: f64,
    level: f64,
    open: bool,
    sustain: Smooth,
}

impl Envelope {
    fn new(sample_rate: f32) -> Envelope {
        Envelope { stage: Stage::Idle, k: 0.0, from: 0.0, level: 0.0, open: false, sustain: Smooth::new(SMOOTH_S, sample_rate) }
    }

    /// Advance one sample with the gate at `gate` and return the level.
    fn next(&mut self, gate: f32, shape: EnvShape) -> f64 {
        let open = gate > 0.0;
        if open != self.open {
            self.open = open;
            self.stage = if open { Stage::Attack } else { Stage::Release };
            (self.from, self.k) = (self.level, 0.0);
        }
        self.level = loop {
            match self.stage {
                Stage::Attack if self.k < shape.attack => break lerp(self.from, 1.0, self.k / shape.attack),
                Stage::Attack => (self.stage, self.k) = (Stage::Decay, 0.0),
                Stage::Decay if self.k < shape.decay => break lerp(1.0, shape.sustain, self.k / shape.decay),
                Stage::Decay => self.stage = Stage::Sustain,
                Stage::Sustain => break shape.sustain,
                Stage::Release if self.k < shape.release => break lerp(self.from, 0.0, self.k / shape.release),
                Stage::Release => self.stage = Stage::Idle,
                Stage::Idle => break 0.0,
            }
        };
        self.k += 1.0;
        self.level
    }
}

/// `adsr` (gate, attack, decay, sustain, release) or, without `sustain_arg`, `ar` (gate,
/// attack, release: no decay, sustain at 1).
struct Adsr {
    env: Envelope,
    sustain_arg: bool,
}

impl Kernel for Adsr {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let sr = cx.sample_rate;
        let gate = args[0].mono();
        let (att, rel) = (args[1].mono(), args[if self.sustain_arg { 4 } else { 2 }].mono());
        for (i, o) in out[..cx.block].iter_mut().enumerate() {
            let (decay, sustain) = if self.sustain_arg {
                (samples(args[2].mono().at(i), sr), self.env.sustain.next(sane(args[3].mono().at(i), 0.0, 1.0, 0.5)) as f64)
            } else {
                (0.0, 1.0)
            };
            let shape = EnvShape { attack: samples(att.at(i), sr), decay, sustain, release: samples(rel.at(i), sr) };
            *o = self.env.next(gate.at(i), shape) as f32;
        }
        copy_to_other_channels(cx, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_hold_a_level_not_given() {
        let nan = f32::NAN;
        assert_eq!(segments_value([0.0, 1.0, nan, nan], [10.0, 0.0, 0.0], 5.0), 0.5);
        assert_eq!(segments_value([0.0, 1.0, nan, nan], [10.0, 0.0, 0.0], 1e6), 1.0);
        assert_eq!(segments_value([0.0, 1.0, 0.5, nan], [10.0, 10.0, 0.0], 15.0), 0.75);
    }

    #[test]
    fn choices_round_and_wrap() {
        assert_eq!(choice(0.4, 3), 0);
        assert_eq!(choice(0.6, 3), 1);
        assert_eq!(choice(3.0, 3), 0);
        assert_eq!(choice(-1.0, 3), 2);
        assert_eq!(choice(f32::NAN, 3), 0);
        assert_eq!(choice(f32::INFINITY, 3), choice(1.0e9, 3));
    }

    #[test]
    fn xline_ends_share_a_sign() {
        assert_eq!(exponential_ends(1.0, 2.0), (1.0, 2.0));
        assert_eq!(exponential_ends(-1.0, -2.0), (-1.0, -2.0));
        assert_eq!(exponential_ends(0.0, 1.0), (XLINE_MIN as f64, 1.0));
        assert_eq!(exponential_ends(1.0, -1.0), (1.0, XLINE_MIN as f64));
    }

    #[test]
    fn square_window_follows_a_changing_length() {
        let mut w = SquareWindow::new(8);
        for _ in 0..8 {
            w.push(1.0, 4);
        }
        assert_eq!(w.push(2.0, 4), (4.0 + 3.0) / 4.0);
        assert_eq!(w.push(0.0, 8), (4.0 + 6.0) / 8.0);
        assert_eq!(w.push(0.0, 2), 0.0);
    }
}
