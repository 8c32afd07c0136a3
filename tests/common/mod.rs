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
    let mut engine = Engine::from_scene(&scene(ron), "test.ron", cfg).unwrap_or_else(|e| panic!("{e}"));
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

/// Node `name`'s documented `.ph` example parses and renders 2 s of finite, audible audio below
/// 0 dBFS.
pub fn assert_example_renders(name: &str) {
    let def = phonon::systems::dsp::catalogue::find(name).unwrap_or_else(|| panic!("no node {name}"));
    let scene = Scene::from_ph(def.example, "example.ph").unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut engine = Engine::from_scene(&scene, "example.ph", cfg(512, 1)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let y = render_to_vec(&mut engine, 2 * 44_100);
    assert_finite(&y);
    let (pk, level) = (peak(&y), rms(&y));
    println!("{name}: example peak {pk:.3}, rms {level:.3}");
    assert!(pk < 1.0 && level > 1e-3, "{name}: peak {pk}, rms {level}");
}

/// Every effect of `family` stays finite and within ±`bound` on a ±1 noise input with every
/// control at -1e9, -1, 0 or 1e9 as a constant, and as a signal jumping between -1e9 and 1e9
/// every 100 samples.
pub fn assert_family_survives_extreme_arguments(family: &str, bound: f32) {
    use phonon::systems::dsp::catalogue::{Input, all, run};
    let n = 24_000;
    let mut seed = 7u32;
    let noise: Vec<f32> = (0..n)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / 8_388_608.0 - 1.0
        })
        .collect();
    let wild: Vec<f32> = (0..n).map(|i| if (i / 100) % 2 == 0 { -1e9 } else { 1e9 }).collect();
    let defs: Vec<_> = all().filter(|d| d.family == family).collect();
    assert!(!defs.is_empty(), "no nodes in family {family}");
    for def in defs {
        for v in [Input::Const(-1e9), Input::Const(-1.0), Input::Const(0.0), Input::Const(1e9), Input::Mono(&wild)] {
            let args: Vec<Input<'_>> = def.args.iter().map(|a| if a.name == "input" { Input::Mono(&noise) } else { v }).collect();
            let (_, y) = run(def, &args, 48_000.0, 64, n);
            assert_finite(&y);
            assert!(peak(&y) <= bound, "{}: peak {} with {v:?}", def.name, peak(&y));
        }
    }
}

/// Largest sample-to-sample step on either channel of interleaved stereo: a click shows as a
/// step larger than the music makes.
pub fn max_step(x: &[f32]) -> f32 {
    x.chunks_exact(2).zip(x.chunks_exact(2).skip(1)).map(|(a, b)| (b[0] - a[0]).abs().max((b[1] - a[1]).abs())).fold(0.0, f32::max)
}

/// Interleaved f32 samples of a 32-bit float WAV.
pub fn read_wav(path: &std::path::Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.samples::<f32>().map(|s| s.expect("sample")).collect()
}

/// `seconds` of the scene file `scene` rendered by `phonon render` (at `sample_rate`, or the
/// default) into `dir`, as interleaved stereo.
pub fn render_with_cli(scene: &std::path::Path, seconds: f64, sample_rate: Option<u32>, dir: &std::path::Path) -> Vec<f32> {
    let out = dir.join(format!("offline-{}.wav", scene.file_stem().and_then(|s| s.to_str()).unwrap_or("x")));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_phonon"));
    cmd.arg("render").arg(scene).arg(&out).args(["--seconds", &seconds.to_string()]);
    if let Some(rate) = sample_rate {
        cmd.args(["--sample-rate", &rate.to_string()]);
    }
    let st = cmd.output().expect("runs");
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    read_wav(&out)
}
