//! Measuring helpers shared by the audio tests.
#![allow(dead_code)]

use phonon::render::render_to_vec;
use phonon::{Engine, EngineConfig, Scene};

pub fn cfg(block_len: usize, threads: usize) -> EngineConfig {
    EngineConfig { sample_rate: 44_100, block_len, threads, voices: 64, sample_dirs: Vec::new() }
}

pub fn scene(ron: &str) -> Scene {
    Scene::from_ron(ron, "test.ron").unwrap_or_else(|e| panic!("{e}"))
}

/// Render `seconds` of `ron` and return the interleaved stereo samples.
pub fn render(ron: &str, cfg: EngineConfig, seconds: f64) -> Vec<f32> {
    let mut engine = Engine::new(&scene(ron), "test.ron", cfg).unwrap_or_else(|e| panic!("{e}"));
    let frames = (seconds * engine.sample_rate() as f64).round() as u64;
    render_to_vec(&mut engine, frames)
}

pub fn left(stereo: &[f32]) -> Vec<f32> {
    stereo.iter().step_by(2).copied().collect()
}
pub fn right(stereo: &[f32]) -> Vec<f32> {
    stereo.iter().skip(1).step_by(2).copied().collect()
}

pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / x.len() as f64).sqrt()
}

pub fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Frequency from rising zero crossings, interpolated to sub-sample precision.
pub fn zero_crossing_freq(x: &[f32], sample_rate: f64) -> f64 {
    let mut crossings = Vec::new();
    for i in 1..x.len() {
        if x[i - 1] < 0.0 && x[i] >= 0.0 {
            let t = x[i - 1] as f64 / (x[i - 1] as f64 - x[i] as f64);
            crossings.push(i as f64 - 1.0 + t);
        }
    }
    assert!(crossings.len() >= 2, "no oscillation to measure");
    let span = crossings.last().unwrap() - crossings[0];
    (crossings.len() - 1) as f64 / span * sample_rate
}

/// Amplitude of the component at `freq` (Goertzel over a Hann window, amplitude-corrected).
pub fn amplitude_at(x: &[f32], freq: f64, sample_rate: f64) -> f64 {
    let n = x.len();
    let w = 2.0 * std::f64::consts::PI * freq / sample_rate;
    let (mut re, mut im, mut wsum) = (0.0, 0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let win = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (n - 1) as f64).cos();
        re += v as f64 * win * (w * i as f64).cos();
        im -= v as f64 * win * (w * i as f64).sin();
        wsum += win;
    }
    2.0 * (re * re + im * im).sqrt() / wsum
}

pub fn assert_finite(x: &[f32]) {
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        panic!("sample {i} is {}", x[i]);
    }
}

/// In-place forward FFT of a complex signal given as real and imaginary parts (rustfft).
pub fn fft(re: &mut [f64], im: &mut [f64]) {
    use rustfft::{FftPlanner, num_complex::Complex};
    let mut buf: Vec<Complex<f64>> = re.iter().zip(im.iter()).map(|(&r, &i)| Complex { re: r, im: i }).collect();
    FftPlanner::new().plan_fft_forward(buf.len()).process(&mut buf);
    for ((r, i), c) in re.iter_mut().zip(im.iter_mut()).zip(buf) {
        (*r, *i) = (c.re, c.im);
    }
}

/// [`fft`] on `(re, im)` pairs.
pub fn fft_pairs(x: &mut [(f64, f64)]) {
    let (mut re, mut im): (Vec<f64>, Vec<f64>) = x.iter().copied().unzip();
    fft(&mut re, &mut im);
    for (o, (r, i)) in x.iter_mut().zip(re.into_iter().zip(im)) {
        *o = (r, i);
    }
}
