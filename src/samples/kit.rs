//! The built-in drum kit: classic drum-machine sounds (808/909-flavoured) synthesized by Phonon
//! itself, so they are free to ship and need no files.
//!
//! Every sound is mono at [`KIT_RATE`], deterministic (a seeded PRNG, no clocks: the same
//! bytes every time), starts at 0 (a short raised-cosine fade-in), ends faded to exactly 0, and
//! is normalised to a fixed peak of at most 0.95. The library resamples them through the same
//! path as files when the engine runs at another rate.

use std::f64::consts::{PI, TAU};
use std::io;
use std::path::Path;

/// The rate the kit is synthesized at.
pub const KIT_RATE: u32 = 44_100;
const SR: f64 = KIT_RATE as f64;

/// Every built-in sound and how many variations it has (`bd:0` … `bd:3`).
pub const KIT: &[(&str, usize)] = &[
    ("arpy", 6),
    ("bd", 4),
    ("cb", 4),
    ("cp", 4),
    ("cr", 4),
    ("hh", 4),
    ("ht", 4),
    ("lt", 4),
    ("mt", 4),
    ("oh", 4),
    ("rim", 4),
    ("sn", 4),
];

/// How many variations built-in sound `name` has (0: not a kit sound).
pub fn variations(name: &str) -> usize {
    KIT.iter().find(|(n, _)| *n == name).map_or(0, |&(_, c)| c)
}

/// Synthesize variation `index` (wrapping, negative too) of kit sound `name`, mono at
/// [`KIT_RATE`]. `None` if `name` is not a kit sound.
pub fn synthesize(name: &str, index: i64) -> Option<Vec<f32>> {
    let count = variations(name);
    if count == 0 {
        return None;
    }
    let v = index.rem_euclid(count as i64) as usize;
    Some(match name {
        "bd" => kick(v),
        "sn" => snare(v),
        "hh" => hat(v, false),
        "oh" => hat(v, true),
        "cp" => clap(v),
        "rim" => rim(v),
        "lt" => tom(v, 0),
        "mt" => tom(v, 1),
        "ht" => tom(v, 2),
        "cb" => cowbell(v),
        "cr" => crash(v),
        "arpy" => arpy(v),
        _ => unreachable!("every KIT entry has a synthesizer"),
    })
}

/// Write the kit as 16-bit mono WAV files, `dir/<name>/<name>_<i>.wav` (Dirt-Samples layout),
/// so it can be seen, copied and edited. Deterministic: the same bytes every time.
pub fn write_builtin_kit(dir: &Path) -> io::Result<()> {
    let spec = hound::WavSpec { channels: 1, sample_rate: KIT_RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    for &(name, count) in KIT {
        let sub = dir.join(name);
        std::fs::create_dir_all(&sub)?;
        for i in 0..count {
            let data = synthesize(name, i as i64).expect("kit sound");
            let path = sub.join(format!("{name}_{i}.wav"));
            let mut w = hound::WavWriter::create(&path, spec).map_err(io::Error::other)?;
            for &s in &data {
                w.write_sample((s.clamp(-1.0, 1.0) * 32767.0).round() as i16).map_err(io::Error::other)?;
            }
            w.finalize().map_err(io::Error::other)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Building blocks (f64 inside, for precision and reproducibility).

/// xorshift64* — small, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03 | 1)
    }
    /// White noise in [-1, 1).
    fn noise(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (r >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// RBJ biquad, transposed direct form II.
#[derive(Clone, Copy)]
struct Biquad {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    z1: f64,
    z2: f64,
}

impl Biquad {
    fn from(b: [f64; 3], a: [f64; 3]) -> Biquad {
        Biquad { b0: b[0] / a[0], b1: b[1] / a[0], b2: b[2] / a[0], a1: a[1] / a[0], a2: a[2] / a[0], z1: 0.0, z2: 0.0 }
    }
    fn parts(freq: f64, q: f64) -> (f64, f64) {
        let w = TAU * freq.min(0.45 * SR) / SR;
        (w.cos(), w.sin() / (2.0 * q))
    }
    fn lowpass(freq: f64, q: f64) -> Biquad {
        let (c, alpha) = Self::parts(freq, q);
        Self::from([(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0], [1.0 + alpha, -2.0 * c, 1.0 - alpha])
    }
    fn highpass(freq: f64, q: f64) -> Biquad {
        let (c, alpha) = Self::parts(freq, q);
        Self::from([(1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0], [1.0 + alpha, -2.0 * c, 1.0 - alpha])
    }
    /// Band-pass with 0 dB gain at the centre.
    fn bandpass(freq: f64, q: f64) -> Biquad {
        let (c, alpha) = Self::parts(freq, q);
        Self::from([alpha, 0.0, -alpha], [1.0 + alpha, -2.0 * c, 1.0 - alpha])
    }
    #[inline]
    fn run(&mut self, x: f64) -> f64 {
        let y = self.b0 * x + self.z1;
        self.z1 = self.b1 * x - self.a1 * y + self.z2;
        self.z2 = self.b2 * x - self.a2 * y;
        y
    }
}

/// A chain of biquads run in series.
struct Chain(Vec<Biquad>);

impl Chain {
    #[inline]
    fn run(&mut self, x: f64) -> f64 {
        self.0.iter_mut().fold(x, |v, f| f.run(v))
    }
}

/// Band-limited square (polyBLEP), for the metallic clusters.
struct Square {
    phase: f64,
    inc: f64,
}

impl Square {
    fn new(freq: f64, phase: f64) -> Square {
        Square { phase, inc: freq / SR }
    }
    #[inline]
    fn next(&mut self) -> f64 {
        fn blep(t: f64, dt: f64) -> f64 {
            if t < dt {
                let t = t / dt;
                2.0 * t - t * t - 1.0
            } else if t > 1.0 - dt {
                let t = (t - 1.0) / dt;
                t * t + 2.0 * t + 1.0
            } else {
                0.0
            }
        }
        let (t, dt) = (self.phase, self.inc);
        let mut y = if t < 0.5 { 1.0 } else { -1.0 };
        y += blep(t, dt);
        y -= blep((t + 0.5).fract(), dt);
        self.phase = (t + dt).fract();
        y
    }
}

/// The 808 hi-hat/cymbal oscillator ratios (205.3, 304.4, 369.6, 522.7, 540, 800 Hz).
const METAL: [f64; 6] = [1.0, 1.4827, 1.8003, 2.5460, 2.6303, 3.8967];

struct Metal(Vec<Square>);

impl Metal {
    fn new(base: f64) -> Metal {
        Metal(METAL.iter().enumerate().map(|(i, r)| Square::new(base * r, 0.137 * i as f64)).collect())
    }
    #[inline]
    fn next(&mut self) -> f64 {
        self.0.iter_mut().map(Square::next).sum::<f64>() / 6.0
    }
}

fn len(seconds: f64) -> usize {
    (seconds * SR).round() as usize
}

#[inline]
fn decay(t: f64, tau: f64) -> f64 {
    (-t / tau).exp()
}

/// Fade in over `fade_in` samples (from exactly 0), fade out over the last `fade_out` samples (to
/// exactly 0), remove NaN (none expected), scale to `peak`.
fn finish(x: Vec<f64>, peak: f64, fade_in: usize, fade_out: usize) -> Vec<f32> {
    let n = x.len();
    let mut x = x;
    for (i, v) in x.iter_mut().enumerate().take(fade_in.min(n)) {
        *v *= 0.5 - 0.5 * (PI * i as f64 / fade_in as f64).cos();
    }
    let fo = fade_out.min(n);
    for j in 0..fo {
        x[n - fo + j] *= 0.5 + 0.5 * (PI * (j + 1) as f64 / fo as f64).cos();
    }
    if let Some(last) = x.last_mut() {
        *last = 0.0;
    }
    let max = x.iter().fold(0.0f64, |m, v| if v.is_finite() { m.max(v.abs()) } else { m });
    let g = if max > 0.0 { peak / max } else { 0.0 };
    x.iter().map(|v| if v.is_finite() { (v * g) as f32 } else { 0.0 }).collect()
}

fn seed(name: &str, v: usize) -> u64 {
    name.bytes().fold(v as u64 + 1, |h, b| h.wrapping_mul(131).wrapping_add(b as u64))
}

// ---------------------------------------------------------------------------------------------
// The sounds.

/// Kick: a sine swept down exponentially to its base pitch, exponential decay, a short click.
fn kick(v: usize) -> Vec<f32> {
    // (base Hz, start Hz, pitch tau, amp tau, length s, click level, drive)
    let (f_end, f_start, tp, ta, secs, click, drive) = [
        (52.0, 150.0, 0.035, 0.30, 1.1, 0.25, 1.0),  // 808: long and round
        (55.0, 240.0, 0.012, 0.17, 0.7, 0.6, 2.2),   // 909: punchy, driven
        (64.0, 190.0, 0.020, 0.08, 0.45, 0.45, 1.4), // short and tight
        (44.0, 115.0, 0.060, 0.42, 1.45, 0.12, 1.0), // deep boom
    ][v];
    let n = len(secs);
    let mut rng = Rng::new(seed("bd", v));
    let mut click_lp = Biquad::lowpass(4000.0, 0.7);
    let mut phase = 0.0f64;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / SR;
        let f = f_end + (f_start - f_end) * decay(t, tp);
        let body = phase.sin() * decay(t, ta);
        phase += TAU * f / SR;
        let body = if drive > 1.0 { (drive * body).tanh() / drive.tanh() } else { body };
        let c = click * click_lp.run(rng.noise()) * decay(t, 0.0025);
        out.push(body + c);
    }
    finish(out, 0.9, 24, len(secs * 0.3))
}

/// Snare: two detuned tones with a small pitch drop, plus band-limited noise.
fn snare(v: usize) -> Vec<f32> {
    // (tone Hz, tone tau, noise tau, noise level, noise low-pass Hz, length s)
    let (f1, tt, tn, nl, lp, secs) = [
        (185.0, 0.060, 0.10, 0.6, 8000.0, 0.45),  // 808
        (215.0, 0.050, 0.14, 0.85, 11000.0, 0.5), // 909: brighter, more snares
        (250.0, 0.035, 0.06, 0.7, 9000.0, 0.3),   // tight, high
        (160.0, 0.090, 0.18, 0.55, 6000.0, 0.6),  // fat, low
    ][v];
    let n = len(secs);
    let mut rng = Rng::new(seed("sn", v));
    let mut nf = Chain(vec![Biquad::highpass(900.0, 0.7), Biquad::lowpass(lp, 0.7)]);
    let (mut p1, mut p2) = (0.0f64, 0.0f64);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / SR;
        let drop = 1.0 + 0.35 * decay(t, 0.012);
        let tone = (0.7 * p1.sin() + 0.45 * p2.sin()) * decay(t, tt);
        p1 += TAU * f1 * drop / SR;
        p2 += TAU * f1 * 1.78 * drop / SR;
        let noise = nl * nf.run(rng.noise()) * 2.2 * decay(t, tn);
        out.push(tone + noise);
    }
    finish(out, 0.85, 16, len(secs * 0.3))
}

/// Hi-hats: the 808's six-square metallic cluster mixed with noise, band-passed and steeply
/// high-passed; short decay (`hh`) or long (`oh`).
fn hat(v: usize, open: bool) -> Vec<f32> {
    // (cluster base Hz, metal/noise mix, band-pass Hz, high-pass Hz, tau, length s)
    let (base, metal, bp, hp, tau, secs) = if open {
        [
            (205.3, 0.6, 9000.0, 6500.0, 0.30, 0.9),   // 808 open
            (240.0, 0.4, 10000.0, 7000.0, 0.22, 0.7),  // brighter, shorter
            (190.0, 0.2, 8500.0, 6000.0, 0.42, 1.1),   // 909-ish, noisy and long
            (260.0, 0.8, 11000.0, 7500.0, 0.16, 0.55), // half-open, metallic
        ][v]
    } else {
        [
            (205.3, 0.6, 9000.0, 6500.0, 0.045, 0.2),   // 808 closed
            (240.0, 0.4, 10000.0, 7000.0, 0.030, 0.15), // tick
            (190.0, 0.2, 8500.0, 6000.0, 0.065, 0.25),  // 909-ish, noisy
            (260.0, 0.8, 11000.0, 7500.0, 0.020, 0.12), // pedal, metallic
        ][v]
    };
    let name = if open { "oh" } else { "hh" };
    let n = len(secs);
    let mut rng = Rng::new(seed(name, v));
    let mut m = Metal::new(base);
    let mut f = Chain(vec![Biquad::bandpass(bp, 0.9), Biquad::highpass(hp, 0.707), Biquad::highpass(hp, 0.707)]);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / SR;
        let x = metal * m.next() + (1.0 - metal) * rng.noise();
        out.push(f.run(x) * decay(t, tau));
    }
    let peak = if open { 0.55 } else { 0.6 };
    finish(out, peak, 12, len(secs * 0.35))
}

/// Clap: a few quick band-passed noise bursts (saw-tooth envelopes), then a reverberant tail.
fn clap(v: usize) -> Vec<f32> {
    // (bursts, spacing s, band-pass Hz, tail tau, length s)
    let (bursts, gap, bp, tail, secs) = [
        (4, 0.011, 1100.0, 0.12, 0.5), // 808
        (3, 0.009, 1400.0, 0.09, 0.4), // 909
        (3, 0.007, 1800.0, 0.05, 0.3), // tight, bright
        (5, 0.013, 950.0, 0.20, 0.7),  // big room
    ][v];
    let n = len(secs);
    let mut rng = Rng::new(seed("cp", v));
    let mut fb = Chain(vec![Biquad::bandpass(bp, 1.3), Biquad::highpass(500.0, 0.7)]);
    let mut ft = Chain(vec![Biquad::bandpass(bp * 1.1, 0.8), Biquad::highpass(500.0, 0.7)]);
    let last = gap * (bursts - 1) as f64;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / SR;
        let noise = rng.noise();
        let k = ((t / gap).floor() as usize).min(bursts - 1);
        let since = t - k as f64 * gap;
        // A 0.3 ms rise on each burst keeps the retriggers from clicking.
        let burst = (since / 0.0003).min(1.0) * decay(since, 0.0035);
        let tl = if t >= last { 0.55 * decay(t - last, tail) * ((t - last) / 0.002).min(1.0) } else { 0.0 };
        out.push(fb.run(noise) * burst * 2.0 + ft.run(noise) * tl * 2.0);
    }
    finish(out, 0.8, 12, len(secs * 0.3))
}

/// Rim shot: two short high resonances and a click, high-passed.
fn rim(v: usize) -> Vec<f32> {
    // (low Hz, high Hz, tau, length s)
    let (f1, f2, tau, secs) = [
        (480.0, 1720.0, 0.008, 0.12), // 808
        (560.0, 2000.0, 0.006, 0.10), // tighter, higher
        (420.0, 1500.0, 0.012, 0.14), // lower, woodier
        (800.0, 2500.0, 0.022, 0.18), // claves-like ring
    ][v];
    let n = len(secs);
    let mut rng = Rng::new(seed("rim", v));
    let mut hp = Biquad::highpass(350.0, 0.7);
    let mut click_hp = Biquad::highpass(2500.0, 0.7);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / SR;
        let tone = 0.55 * (TAU * f1 * t).sin() * decay(t, tau * 0.8) + 0.8 * (TAU * f2 * t).sin() * decay(t, tau);
        let click = 0.7 * click_hp.run(rng.noise()) * decay(t, 0.0012);
        out.push((1.6 * hp.run(tone + click)).tanh());
    }
    finish(out, 0.7, 12, len(secs * 0.4))
}

/// Toms: a sine swept down to its pitch with a touch of stick noise; `which` 0 low, 1 mid, 2 high.
fn tom(v: usize, which: usize) -> Vec<f32> {
    // (pitch multiplier, sweep amount, sweep tau, stick noise, decay multiplier)
    let (pm, sweep, ts, stick, dm) = [
        (1.0, 0.45, 0.05, 0.10, 1.0f64), // 808: gentle sweep, round
        (1.08, 1.1, 0.025, 0.30, 0.8),   // 909: strong sweep, stick
        (0.88, 0.3, 0.08, 0.05, 1.35),   // low, long
        (1.2, 0.7, 0.03, 0.20, 0.65),    // high, short
    ][v];
    let (base, tau, secs, name) = [(82.0, 0.26, 0.8, "lt"), (123.0, 0.21, 0.65, "mt"), (170.0, 0.17, 0.55, "ht")][which];
    let f0 = base * pm;
    let tau = tau * dm;
    let secs = (secs * dm.sqrt()).min(1.0);
    let n = len(secs);
    let mut rng = Rng::new(seed(name, v));
    let mut nf = Biquad::bandpass(f0 * 12.0, 0.8);
    let mut phase = 0.0f64;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / SR;
        let f = f0 * (1.0 + sweep * decay(t, ts));
        let body = phase.sin() * decay(t, tau);
        phase += TAU * f / SR;
        let s = stick * 3.0 * nf.run(rng.noise()) * decay(t, 0.008);
        out.push(body + s);
    }
    finish(out, 0.85, 16, len(secs * 0.3))
}

/// Cowbell: two detuned squares (the 808's 540 and 800 Hz), band-passed, with a two-stage decay.
fn cowbell(v: usize) -> Vec<f32> {
    // (pitch multiplier, long tau, length s)
    let (pm, tau, secs) = [(1.0, 0.15, 0.5), (1.12, 0.10, 0.4), (0.9, 0.22, 0.7), (1.25, 0.07, 0.35)][v];
    let n = len(secs);
    let mut a = Square::new(540.0 * pm, 0.0);
    let mut b = Square::new(800.0 * pm, 0.25);
    let mut f = Chain(vec![Biquad::bandpass(1200.0 * pm, 0.9), Biquad::highpass(450.0, 0.7)]);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / SR;
        let env = 0.6 * decay(t, 0.012) + 0.4 * decay(t, tau);
        out.push(f.run(0.5 * a.next() + 0.5 * b.next()) * env);
    }
    finish(out, 0.6, 12, len(secs * 0.3))
}

/// Crash: a high metallic cluster and noise, high-passed, with a long decay.
fn crash(v: usize) -> Vec<f32> {
    // (cluster base Hz, metal mix, high-pass Hz, tau, length s)
    let (base, metal, hp, tau, secs) = [
        (300.0, 0.45, 4500.0, 0.50, 1.45), // crash
        (420.0, 0.35, 5500.0, 0.30, 1.0),  // splash
        (250.0, 0.30, 3500.0, 0.60, 1.45), // dark
        (350.0, 0.70, 3000.0, 0.42, 1.3),  // china-ish, trashy
    ][v];
    let n = len(secs);
    let mut rng = Rng::new(seed("cr", v));
    let mut m1 = Metal::new(base);
    let mut m2 = Metal::new(base * 1.414);
    let mut f = Chain(vec![Biquad::highpass(hp, 0.707), Biquad::highpass(hp, 0.707), Biquad::lowpass(14000.0, 0.6)]);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / SR;
        let ring = m1.next() * m2.next();
        let x = metal * ring + (1.0 - metal) * rng.noise();
        let env = decay(t, tau) * (t / 0.003).min(1.0) + 0.4 * decay(t, 0.02);
        out.push(f.run(x) * env);
    }
    finish(out, 0.55, 24, len(secs * 0.35))
}

/// The notes of `arpy:0` … `arpy:5` (MIDI): C4 D4 E4 G4 A4 C5, a pentatonic scale.
pub const ARPY_NOTES: [u8; 6] = [60, 62, 64, 67, 69, 72];

/// Arpy: a bright plucked-string tone (additive: harmonics with a pluck-position spectrum,
/// higher ones decaying faster) at the notes of [`ARPY_NOTES`].
fn arpy(v: usize) -> Vec<f32> {
    let note = ARPY_NOTES[v] as f64;
    let f0 = 440.0 * 2f64.powf((note - 69.0) / 12.0);
    let secs = 1.0;
    let n = len(secs);
    let tau1 = 0.55 * (261.63 / f0).powf(0.3);
    let pluck = 0.23;
    let partials: Vec<(f64, f64, f64)> = (1..=24)
        .map(|k| k as f64)
        .take_while(|k| k * f0 < 12000.0)
        .map(|k| {
            let amp = (PI * k * pluck).sin().abs() / k.powf(1.1);
            let freq = k * f0 * (1.0 + 0.00008 * k * k).sqrt();
            (TAU * freq / SR, amp, tau1 / (1.0 + 0.45 * (k - 1.0)))
        })
        .collect();
    let mut rng = Rng::new(seed("arpy", v));
    let mut nf = Biquad::bandpass(3000.0, 1.0);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f64 / SR;
        let mut s = 0.0;
        for &(w, amp, tau) in &partials {
            s += amp * (w * i as f64).sin() * decay(t, tau);
        }
        s += 0.15 * nf.run(rng.noise()) * decay(t, 0.003);
        out.push(s);
    }
    finish(out, 0.7, 16, len(secs * 0.3))
}
