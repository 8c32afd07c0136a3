//! Wavetable oscillator: single cycles cut from a sample, band-limited per octave at load time.
//!
//! Load time ([`build`]): the (mono) sample is cut into frames of [`WAVETABLE_LEN`] samples (a
//! sample shorter than that is one frame, resampled to the full length; at most [`MAX_FRAMES`]
//! frames are kept). Each frame is treated as one period: its spectrum (an FFT of the 2048
//! points) loses DC, and level `l` of the mip chain keeps harmonics `1..=1024 >> l` only
//! (inverse FFT). Each frame is then scaled so the loudest of its levels peaks at exactly 1.
//!
//! Run time ([`render`]): the level is chosen per sample from the phase increment so that the
//! highest harmonic stays at or below Nyquist; the table is read with linear interpolation, and
//! `position` (0..1) crossfades the two neighbouring frames. No allocation, no locks.

use phonon_components::{P, WAVETABLE_LEN, WAVETABLE_LEVELS, WavetableData};

/// Frames kept from a long sample (128 frames of 2048 ≈ 5.9 s at 44.1 kHz; ≈ 11.5 MB of tables).
pub const MAX_FRAMES: usize = 128;

/// Build the band-limited tables of `mono` (one channel, any length; empty gives silence).
pub fn build(name: &str, mono: &[f32]) -> WavetableData {
    let frames = frames_of(mono);
    let mut tables = Vec::with_capacity(frames.len() * WAVETABLE_LEVELS * WAVETABLE_LEN);
    for frame in &frames {
        tables.extend(mip_chain(frame));
    }
    WavetableData { name: name.to_string(), frames: frames.len(), tables }
}

/// Cut `mono` into frames of [`WAVETABLE_LEN`] (a short sample: one frame, resampled linearly).
fn frames_of(mono: &[f32]) -> Vec<Vec<f64>> {
    if mono.len() < WAVETABLE_LEN {
        return vec![resample_periodic(mono, WAVETABLE_LEN)];
    }
    mono.chunks_exact(WAVETABLE_LEN).take(MAX_FRAMES).map(|c| c.iter().map(|&x| x as f64).collect()).collect()
}

/// `x` read as one period and linearly resampled to `len` points (empty input: zeros).
fn resample_periodic(x: &[f32], len: usize) -> Vec<f64> {
    if x.is_empty() {
        return vec![0.0; len];
    }
    (0..len)
        .map(|i| {
            let pos = i as f64 * x.len() as f64 / len as f64;
            let i0 = pos.floor() as usize % x.len();
            let i1 = (i0 + 1) % x.len();
            let t = pos - pos.floor();
            x[i0] as f64 * (1.0 - t) + x[i1] as f64 * t
        })
        .collect()
}

/// The [`WAVETABLE_LEVELS`] band-limited versions of one period, scaled together so the loudest
/// peaks at 1 (a silent frame stays silent).
fn mip_chain(frame: &[f64]) -> Vec<f32> {
    let n = WAVETABLE_LEN;
    let mut spectrum: Vec<(f64, f64)> = frame.iter().map(|&x| (x, 0.0)).collect();
    fft(&mut spectrum, false);
    let mut levels = Vec::with_capacity(WAVETABLE_LEVELS * n);
    for level in 0..WAVETABLE_LEVELS {
        // harmonics 1..=top (top < n/2 on level 0: the Nyquist bin has no phase; drop it)
        let top = ((n / 2) >> level).min(n / 2 - 1);
        let mut s = vec![(0.0, 0.0); n];
        for k in 1..=top {
            s[k] = spectrum[k];
            s[n - k] = spectrum[n - k];
        }
        fft(&mut s, true);
        levels.extend(s.iter().map(|c| c.0 / n as f64));
    }
    let peak = levels.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let gain = if peak > 1e-9 { 1.0 / peak } else { 0.0 };
    levels.iter().map(|&v| (v * gain) as f32).collect()
}

/// In-place FFT of `x` (`inverse`: unscaled inverse), by rustfft.
fn fft(x: &mut [(f64, f64)], inverse: bool) {
    use rustfft::{FftDirection, FftPlanner, num_complex::Complex};
    let mut buf: Vec<Complex<f64>> = x.iter().map(|&(re, im)| Complex { re, im }).collect();
    let dir = if inverse { FftDirection::Inverse } else { FftDirection::Forward };
    FftPlanner::new().plan_fft(buf.len(), dir).process(&mut buf);
    for (o, c) in x.iter_mut().zip(buf) {
        *o = (c.re, c.im);
    }
}

/// The mip level for a phase increment of `inc` cycles per sample: the lowest level whose top
/// harmonic `1024 >> l` satisfies `top · inc ≤ 0.5` (Nyquist). `None`: even a sine is above Nyquist.
#[inline]
pub fn level_for(inc: f64) -> Option<usize> {
    let inc = inc.abs();
    if inc >= 0.5 || !inc.is_finite() {
        return None;
    }
    let l = (inc * WAVETABLE_LEN as f64).log2().ceil().max(0.0) as usize;
    Some(l.min(WAVETABLE_LEVELS - 1))
}

/// Render one block of a wavetable oscillator: `freq` in Hz, `position` 0..1 (clamped),
/// `phase` in cycles `[0, 1)` carried between blocks.
pub fn render(table: &WavetableData, phase: &mut f64, freq: P<'_>, position: P<'_>, sample_rate: f32, out: &mut [f32]) {
    let frames = table.frames.max(1);
    let sr = sample_rate.max(1.0) as f64;
    let mut last_freq = f32::NAN;
    let mut level = None;
    for (i, o) in out.iter_mut().enumerate() {
        let f = freq.at(i);
        if f.to_bits() != last_freq.to_bits() {
            last_freq = f;
            level = level_for(f as f64 / sr);
        }
        let inc = if f.is_finite() { f as f64 / sr } else { 0.0 };
        let pos = position.at(i);
        let pos = if pos.is_finite() { pos.clamp(0.0, 1.0) } else { 0.0 } * (frames - 1) as f32;
        let f0 = pos.floor() as usize;
        let t = pos - f0 as f32;
        *o = match level {
            Some(l) => {
                let a = read(table.table(f0, l), *phase);
                if t > 0.0 { a + (read(table.table(f0 + 1, l), *phase) - a) * t } else { a }
            }
            None => 0.0,
        };
        *phase += inc;
        *phase -= phase.floor();
    }
}

/// Linear interpolation of a [`WAVETABLE_LEN`]-point periodic table at `phase` cycles.
#[inline(always)]
fn read(table: &[f32], phase: f64) -> f32 {
    if table.len() != WAVETABLE_LEN {
        return 0.0;
    }
    let x = phase * WAVETABLE_LEN as f64;
    let i0 = (x.floor() as usize) & (WAVETABLE_LEN - 1);
    let i1 = (i0 + 1) & (WAVETABLE_LEN - 1);
    let t = (x - x.floor()) as f32;
    table[i0] + (table[i1] - table[i0]) * t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A saw cycle: level 0 keeps its harmonics, level 10 is a pure sine; every level ≤ 1.
    #[test]
    fn mip_levels_are_band_limited_and_normalised() {
        let saw: Vec<f32> = (0..WAVETABLE_LEN).map(|i| 2.0 * i as f32 / WAVETABLE_LEN as f32 - 1.0).collect();
        let w = build("saw", &saw);
        assert_eq!(w.frames, 1);
        let peak = w.tables.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((peak - 1.0).abs() < 1e-6, "peak {peak}");
        // harmonic 2 of level 10 (top harmonic 1) is gone
        let top = w.table(0, 10);
        let mut s: Vec<(f64, f64)> = top.iter().map(|&x| (x as f64, 0.0)).collect();
        fft(&mut s, false);
        let mag = |k: usize| (s[k].0.hypot(s[k].1)) / WAVETABLE_LEN as f64;
        assert!(mag(1) > 0.1 && mag(2) < 1e-6, "h1 {} h2 {}", mag(1), mag(2));
    }

    /// The level keeps the top harmonic at or below Nyquist.
    #[test]
    fn level_choice() {
        for f in [20.0, 110.0, 440.0, 3000.0, 12000.0] {
            let inc = f / 44100.0;
            let l = level_for(inc).unwrap_or(WAVETABLE_LEVELS);
            let top = (WAVETABLE_LEN / 2) >> l;
            assert!(top as f64 * inc <= 0.5, "{f} Hz: level {l}, top {top}");
        }
        assert_eq!(level_for(0.6), None);
    }
}
