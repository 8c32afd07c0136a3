//! Drum synths (`s "superkick"`, `"supersnare"`, `"superhat"`, `"superclap"`): SuperDirt's
//! drum SynthDefs redone as per-voice renderers, with SuperDirt's parameter names
//! ([`DrumParams`], whose table lists every parameter, its unit and its default).
//!
//! - **kick** — a sine at `freq` (55 Hz) whose pitch starts `pitch1` (2) octaves higher and falls
//!   back exponentially with a 15 ms × `decay` time constant; amplitude fades to silence over
//!   `sustain` (0.5 s, curve 4); plus a click: noise low-passed at 3 kHz, level `voice` (0.3),
//!   fading over 10 ms × `decay` (curve 4).
//! - **snare** — two sines, `freq` (180 Hz) and `semitone` (10) semitones above, 0.6 : 0.4,
//!   falling from `pitch1` (0.5) octaves higher (10 ms time constant), fading over `sustain`
//!   (0.25 s, curve 6); and white noise band-passed at 3.5 kHz (× the transposition) with
//!   reciprocal Q `rq` (1), fading over `decay` × `sustain` (curve 4). `voice` (0.5) is the noise
//!   share: tone × (1 − voice) + noise × voice.
//! - **hat** — white noise and six metallic square waves (the 808's 205–800 Hz set, share
//!   `voice`, 0.25) through a 4-pole Butterworth high-pass at `freq` (7 kHz), fading over
//!   `sustain` (0.1 s, curve 5).
//! - **clap** — white noise band-passed (Q 1) at `freq` × `pitch1` (1.5 kHz) in four bursts
//!   `delay` × 10 ms apart, each rising over 0.5 ms and decaying with a 6 ms / `rate` time
//!   constant; the fourth decays only to 0.4, the tail, which fades over `sustain` (0.35 s,
//!   curve 5).
//!
//! Every drum fades in over its first millisecond (linear), and `accelerate` glides its pitch
//! and filters by × (1 + accelerate · t / length). Fades use SuperCollider's curved segment
//! `(e^(−k·x) − e^(−k)) / (1 − e^(−k))`, which reaches exactly 0 at the end; a smoothstep over
//! the last 5 ms ([`CLOSE`]) closes whatever extreme parameters leave sounding (a clap's bursts
//! slower than its tail): a drum ends in silence, never with a click. The output passes the master limiter's curve (linear to ±0.8,
//! never beyond ±1).
//!
//! Real-time contract: allocation-free and lock-free; the output depends only on the
//! parameters, the seed and the sample count (not on block boundaries).

use phonon_components::{DrumKind, DrumParams, DrumState};
use std::f64::consts::TAU;

/// The fade-in of every drum, in seconds.
pub const ATTACK: f32 = 0.001;
/// The closing guard: over its last 5 ms (at most a quarter of its length) a drum is multiplied
/// by a smoothstep to 0, whatever its parameters leave sounding there.
pub const CLOSE: f32 = 0.005;

/// The voice's length in samples: after it, the drum is silent.
///
/// kick: max(`sustain`, 10 ms × `decay`); snare: `sustain` × max(1, `decay`); hat: `sustain`;
/// clap: 30 ms × `delay` + `sustain`.
pub fn length(kind: DrumKind, params: &DrumParams, sample_rate: f32) -> u32 {
    let p = params.sanitized(kind);
    let secs = match kind {
        DrumKind::Kick => p.sustain.max(KICK_CLICK * p.decay),
        DrumKind::Snare => p.sustain * p.decay.max(1.0),
        DrumKind::Hat => p.sustain,
        DrumKind::Clap => 3.0 * CLAP_SPACING * p.delay + p.sustain,
    };
    ((secs as f64 * sample_rate as f64).ceil() as u32).max(1)
}

/// Fresh state for a drum voice starting at absolute sample `seed` (its noise depends on it).
pub fn start(seed: u64) -> DrumState {
    // splitmix64's finaliser: neighbouring start samples get unrelated noise
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    DrumState { noise: (z as u32) | 1, ..DrumState::default() }
}

/// Render the next `out.len()` samples of a drum (mono, before gain and pan), advancing its
/// state; samples past its [`length`] are 0.
pub fn render(kind: DrumKind, params: &DrumParams, state: &mut DrumState, sample_rate: f32, out: &mut [f32]) {
    let p = params.sanitized(kind);
    let c = Common::new(kind, &p, sample_rate);
    match kind {
        DrumKind::Kick => kick(&p, &c, state, out),
        DrumKind::Snare => snare(&p, &c, state, out),
        DrumKind::Hat => hat(&p, &c, state, out),
        DrumKind::Clap => clap(&p, &c, state, out),
    }
}

const KICK_SWEEP: f32 = 0.015;
const KICK_CLICK: f32 = 0.01;
const SNARE_BASE: f32 = 180.0;
const SNARE_SWEEP: f32 = 0.01;
const SNARE_NOISE: f32 = 3500.0;
const HAT_BASE: f32 = 7000.0;
/// The TR-808's six cymbal/hat square-wave oscillators, in Hz.
const HAT_METAL: [f32; 6] = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0];
const CLAP_SPACING: f32 = 0.01;
const CLAP_BURST: f32 = 0.006;

/// What every drum needs per block.
struct Common {
    sr: f32,
    total: u32,
    /// Seconds of the whole drum (the glide's length).
    secs: f32,
    attack: f32,
    /// Samples of the closing guard (5 ms, at most a quarter of the drum).
    guard: f32,
}

impl Common {
    fn new(kind: DrumKind, p: &DrumParams, sr: f32) -> Common {
        let total = length(kind, p, sr);
        let guard = (CLOSE * sr).min(total as f32 / 4.0).max(1.0);
        Common { sr, total, secs: total as f32 / sr, attack: (ATTACK * sr).max(1.0), guard }
    }

    /// Seconds since the start of sample `t`, the gate (the fade-in times the closing guard)
    /// and the glide factor.
    #[inline]
    fn at(&self, t: u32, accelerate: f32) -> (f32, f32, f32) {
        let ts = t as f32 / self.sr;
        let close = ((self.total - t) as f32 / self.guard).min(1.0);
        let ramp = ((t as f32 + 1.0) / self.attack).min(1.0) * close * close * (3.0 - 2.0 * close);
        let glide = (1.0 + accelerate * (ts / self.secs).min(1.0)).max(0.05);
        (ts, ramp, glide)
    }
}

/// SuperCollider's curved segment from 1 to 0 over x ∈ [0, 1] (curve −k); 0 from x = 1 on.
#[inline]
fn fade(x: f32, k: f32) -> f32 {
    if x >= 1.0 {
        return 0.0;
    }
    let end = (-k).exp();
    (((-k * x.max(0.0)).exp() - end) / (1.0 - end)).max(0.0)
}

/// White noise in [-1, 1): xorshift32.
#[inline]
fn white(s: &mut u32) -> f32 {
    let mut x = if *s == 0 { 0x9E37_79B9 } else { *s };
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    (x >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0
}

/// Coefficients of the trapezoidal state-variable filter (as `dsp::filter::svf`).
#[derive(Clone, Copy)]
struct Svf {
    a1: f32,
    a2: f32,
    a3: f32,
    k: f32,
}

impl Svf {
    fn new(cutoff: f32, q: f32, sr: f32) -> Svf {
        let fc = cutoff.clamp(10.0, sr * 0.45);
        let g = (std::f32::consts::PI * fc / sr).tan();
        let k = 1.0 / q.max(0.05);
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        Svf { a1, a2, a3: g * a2, k }
    }

    /// One sample through the filter: (low-pass, band-pass at unity peak gain, high-pass).
    #[inline]
    fn tick(&self, m: &mut [f32; 2], v0: f32) -> (f32, f32, f32) {
        let v3 = v0 - m[1];
        let v1 = self.a1 * m[0] + self.a2 * v3;
        let v2 = m[1] + self.a2 * m[0] + self.a3 * v3;
        m[0] = 2.0 * v1 - m[0];
        m[1] = 2.0 * v2 - m[1];
        (v2, self.k * v1, v0 - self.k * v1 - v2)
    }
}

#[inline]
fn advance(phase: &mut f64, freq: f32, sr: f32) -> f64 {
    *phase = (*phase + freq as f64 / sr as f64).rem_euclid(1.0);
    *phase
}

fn kick(p: &DrumParams, c: &Common, s: &mut DrumState, out: &mut [f32]) {
    let sweep = KICK_SWEEP * p.decay;
    let click_len = KICK_CLICK * p.decay;
    let lp = Svf::new(3000.0, 0.7, c.sr);
    for o in out.iter_mut() {
        if s.age >= c.total {
            *o = 0.0;
            continue;
        }
        let (ts, ramp, glide) = c.at(s.age, p.accelerate);
        let f = p.freq * glide * (p.pitch1 * (-ts / sweep).exp()).exp2();
        // the phase advances before it is read: the first sample is sin(2π·f/sr), not 0
        let body = (TAU * advance(&mut s.phase[0], f, c.sr)).sin() as f32 * fade(ts / p.sustain, 4.0);
        let (noise, _, _) = lp.tick(&mut s.filt[0], white(&mut s.noise));
        let click = 1.5 * p.voice * noise * fade(ts / click_len, 4.0);
        *o = soft_limit((0.9 * body + click) * ramp);
        s.age += 1;
    }
}

fn snare(p: &DrumParams, c: &Common, s: &mut DrumState, out: &mut [f32]) {
    let ratio = (p.semitone / 12.0).exp2();
    let centre = SNARE_NOISE * p.freq / SNARE_BASE;
    let mut bp = Svf::new(centre, 1.0 / p.rq, c.sr);
    let noise_len = p.sustain * p.decay;
    for o in out.iter_mut() {
        if s.age >= c.total {
            *o = 0.0;
            continue;
        }
        let (ts, ramp, glide) = c.at(s.age, p.accelerate);
        if p.accelerate != 0.0 {
            bp = Svf::new(centre * glide, 1.0 / p.rq, c.sr);
        }
        let f = p.freq * glide * (p.pitch1 * (-ts / SNARE_SWEEP).exp()).exp2();
        let a = (TAU * advance(&mut s.phase[0], f, c.sr)).sin();
        let b = (TAU * advance(&mut s.phase[1], f * ratio, c.sr)).sin();
        let tone = (0.6 * a + 0.4 * b) as f32 * fade(ts / p.sustain, 6.0);
        let (_, noise, _) = bp.tick(&mut s.filt[0], white(&mut s.noise));
        let noise = 1.6 * noise * fade(ts / noise_len, 4.0);
        *o = soft_limit(((1.0 - p.voice) * tone + p.voice * noise) * ramp);
        s.age += 1;
    }
}

fn hat(p: &DrumParams, c: &Common, s: &mut DrumState, out: &mut [f32]) {
    let tr = p.freq / HAT_BASE;
    // 4-pole Butterworth: two 2-pole sections
    let (q1, q2) = (0.541_196, 1.306_563);
    let (mut h1, mut h2) = (Svf::new(p.freq, q1, c.sr), Svf::new(p.freq, q2, c.sr));
    for o in out.iter_mut() {
        if s.age >= c.total {
            *o = 0.0;
            continue;
        }
        let (ts, ramp, glide) = c.at(s.age, p.accelerate);
        if p.accelerate != 0.0 {
            h1 = Svf::new(p.freq * glide, q1, c.sr);
            h2 = Svf::new(p.freq * glide, q2, c.sr);
        }
        let mut metal = 0.0f32;
        for (i, &f) in HAT_METAL.iter().enumerate() {
            let ph = if i < 2 { &mut s.phase[i] } else { &mut s.metal[i - 2] };
            metal += if advance(ph, f * tr * glide, c.sr) < 0.5 { 1.0 } else { -1.0 };
        }
        let x = (1.0 - p.voice) * white(&mut s.noise) + p.voice * 0.5 * metal;
        let (_, _, y) = h1.tick(&mut s.filt[0], x);
        let (_, _, y) = h2.tick(&mut s.filt[1], y);
        *o = soft_limit(1.3 * y * fade(ts / p.sustain, 5.0) * ramp);
        s.age += 1;
    }
}

fn clap(p: &DrumParams, c: &Common, s: &mut DrumState, out: &mut [f32]) {
    let centre = p.freq * p.pitch1;
    let mut bp = Svf::new(centre, 1.0, c.sr);
    let spacing = CLAP_SPACING * p.delay;
    let tau = CLAP_BURST / p.rate;
    // each burst rises over 0.5 ms
    let rise = (0.0005 * c.sr).max(1.0);
    let onset = |u: f32| if u < 0.0 { 0.0 } else { ((u * c.sr + 1.0) / rise).min(1.0) };
    for o in out.iter_mut() {
        if s.age >= c.total {
            *o = 0.0;
            continue;
        }
        let (ts, ramp, glide) = c.at(s.age, p.accelerate);
        if p.accelerate != 0.0 {
            bp = Svf::new(centre * glide, 1.0, c.sr);
        }
        let mut env = 0.0;
        for i in 0..3 {
            let u = ts - i as f32 * spacing;
            if u >= 0.0 {
                env += onset(u) * (-u / tau).exp();
            }
        }
        // the fourth burst falls to 0.4 and fades from there: the tail
        let u = ts - 3.0 * spacing;
        if u >= 0.0 {
            env += onset(u) * (0.6 * (-u / tau).exp() + 0.4 * fade(u / p.sustain, 5.0));
        }
        let (_, noise, _) = bp.tick(&mut s.filt[0], white(&mut s.noise));
        *o = soft_limit(2.2 * noise * env * ramp);
        s.age += 1;
    }
}

/// A drum's own output stage: linear up to ±0.8, a tanh knee above, never beyond ±1 (the curve
/// the master output used before it became a gain-riding limiter).
#[inline]
fn soft_limit(x: f32) -> f32 {
    const KNEE: f32 = 0.8;
    if !x.is_finite() {
        return 0.0;
    }
    let a = x.abs();
    if a <= KNEE { x } else { x.signum() * (KNEE + (1.0 - KNEE) * ((a - KNEE) / (1.0 - KNEE)).tanh()) }
}
