//! `wavetable "name:index" freq [position]`: pitch, level, aliasing and scanning, measured.

mod common;

use common::{assert_finite, cfg, fft_pairs, left, peak, zero_crossing_freq};
use phonon::build::SampleSource;
use phonon::components::SampleData;
use phonon::render::render_to_vec;
use phonon::{Engine, Scene};
use std::f64::consts::PI;
use std::sync::Arc;

const SR: f64 = 44_100.0;

/// Render `seconds` of `.ph` text from the sample library (the built-in kit included).
fn render_ph(text: &str, seconds: f64) -> Vec<f32> {
    let scene = Scene::from_ph(text, "test.ph").unwrap_or_else(|e| panic!("{e}"));
    let mut engine = Engine::from_scene(&scene, "test.ph", cfg(64, 1)).unwrap_or_else(|e| panic!("{e}"));
    left(&render_to_vec(&mut engine, (seconds * SR) as u64))
}

/// A test sample "cycles": frame 0 is one sine cycle, frame 1 one (band-unlimited) square cycle.
struct Cycles;
impl SampleSource for Cycles {
    fn count(&self, name: &str) -> usize {
        usize::from(name == "cycles")
    }
    fn load(&self, name: &str, _: i64, _: u32) -> Option<Arc<SampleData>> {
        if name != "cycles" {
            return None;
        }
        let sine = (0..2048).map(|i| (2.0 * PI * i as f64 / 2048.0).sin() as f32 * 0.5);
        let square = (0..2048).map(|i| if i < 1024 { 0.25 } else { -0.25 });
        Some(Arc::new(SampleData { channels: 1, data: sine.chain(square).collect() }))
    }
}

fn render_cycles(text: &str, seconds: f64) -> Vec<f32> {
    let scene = Scene::from_ph(text, "test.ph").unwrap_or_else(|e| panic!("{e}"));
    let mut engine = Engine::with_samples(&scene, "test.ph", cfg(64, 1), &Cycles).unwrap_or_else(|e| panic!("{e}"));
    left(&render_to_vec(&mut engine, (seconds * SR) as u64))
}

/// Power spectrum (bins 0..n/2) of the first `n` samples under a 4-term Blackman-Harris window
/// (side lobes below −92 dB, main lobe ±4 bins). Bin width `SR / n`.
fn power_spectrum(x: &[f32], n: usize) -> Vec<f64> {
    let w = |i: usize| {
        let t = 2.0 * PI * i as f64 / n as f64;
        0.35875 - 0.48829 * t.cos() + 0.14128 * (2.0 * t).cos() - 0.01168 * (3.0 * t).cos()
    };
    let mut buf: Vec<(f64, f64)> = x[..n].iter().enumerate().map(|(i, &v)| (v as f64 * w(i), 0.0)).collect();
    fft_pairs(&mut buf);
    buf[..n / 2].iter().map(|c| c.0 * c.0 + c.1 * c.1).collect()
}

/// Energy within ±6 bins of `freq`.
fn band_energy(p: &[f64], freq: f64, n: usize) -> f64 {
    let c = (freq * n as f64 / SR).round() as i64;
    (c - 6..=c + 6).filter(|&k| k >= 0 && (k as usize) < p.len()).map(|k| p[k as usize]).sum()
}

/// Frequency of the spectral peak near bin `k` (parabolic interpolation of log power).
fn peak_freq(p: &[f64], k: usize, n: usize) -> f64 {
    let (a, b, c) = (p[k - 1].ln(), p[k].ln(), p[k + 1].ln());
    let d = 0.5 * (a - c) / (a - 2.0 * b + c);
    (k as f64 + d) * SR / n as f64
}

/// `arpy:0` at 220 Hz: its lowest partial (the table's period) is at 220 ± 0.5 Hz, and every
/// strong partial lies on a multiple of 220 Hz.
#[test]
fn arpy_pitch() {
    let n = 1 << 16;
    let x = render_ph("out: wavetable \"arpy:0\" 220", n as f64 / SR + 0.1);
    assert_finite(&x);
    let p = power_spectrum(&x, n);
    let max = p.iter().cloned().fold(0.0, f64::max);
    // local maxima above −50 dB of the strongest
    let peaks: Vec<usize> = (1..p.len() - 1).filter(|&k| p[k] > max * 1e-5 && p[k] >= p[k - 1] && p[k] > p[k + 1]).collect();
    let lowest = peak_freq(&p, peaks[0], n);
    println!("lowest partial {lowest:.3} Hz, {} peaks above -50 dB", peaks.len());
    assert!((lowest - 220.0).abs() < 0.5, "lowest partial {lowest} Hz");
    for &k in &peaks {
        let f = peak_freq(&p, k, n);
        let h = (f / 220.0).round();
        assert!((f - h * 220.0).abs() < 1.0, "partial at {f} Hz is not a harmonic of 220 Hz");
    }
}

/// Output is finite and at most 1 (every frame is normalised to peak 1), and the normalisation
/// makes the loudest frame reach close to 1.
#[test]
fn level_is_normalised() {
    for (f, pos) in [(55.0, 0.0), (220.0, 0.5), (1000.0, 1.0), (5000.0, 0.3)] {
        let x = render_ph(&format!("out: wavetable \"arpy:2\" {f} {pos}"), 0.5);
        assert_finite(&x);
        let pk = peak(&x);
        println!("arpy:2 {f} Hz position {pos}: peak {pk:.4}");
        assert!(pk <= 1.0 + 1e-5, "peak {pk}");
        // arpy's strongest table partials are around harmonic 12: at 5 kHz they are above Nyquist
        // and band-limiting removes them, so only the low ones are left (quiet, not silent)
        assert!(pk > if f > 2000.0 { 0.005 } else { 0.05 }, "silent at {f} Hz: peak {pk}");
    }
    let x = render_ph("out: wavetable \"arpy:0\" 55", 0.5);
    assert!(peak(&x) > 0.7, "a low note of the first frame peaks near 1: {}", peak(&x));
}

/// At 3 kHz (44.1 kHz rate) the energy off the harmonics of 3 kHz (aliases) is below −40 dB
/// relative to the fundamental.
#[test]
fn no_alias_at_high_pitch() {
    let n = 1 << 15;
    for sample in ["arpy:0", "bd:0"] {
        for pos in [0.0, 0.5] {
            let x = render_ph(&format!("out: wavetable \"{sample}\" 3000 {pos}"), n as f64 / SR + 0.05);
            let p = power_spectrum(&x, n);
            let total: f64 = p.iter().sum();
            let harmonic: f64 = (1..8).map(|h| band_energy(&p, 3000.0 * h as f64, n)).sum();
            let fundamental = band_energy(&p, 3000.0, n);
            let alias_db = 10.0 * ((total - harmonic).max(1e-30) / fundamental).log10();
            println!("{sample} position {pos}: non-harmonic energy {alias_db:.1} dB re fundamental");
            assert!(fundamental > 1e-6 * total, "{sample}: no fundamental");
            assert!(alias_db < -40.0, "{sample} position {pos}: aliases at {alias_db:.1} dB");
        }
    }
}

/// The sine frame plays a pure 220 Hz; the square frame adds odd harmonics (band-limited);
/// halfway is a crossfade of both.
#[test]
fn position_scans_frames() {
    let n = 1 << 15;
    let h3 = |pos: f64| {
        let x = render_cycles(&format!("out: wavetable \"cycles\" 220 {pos}"), n as f64 / SR + 0.05);
        assert_finite(&x);
        assert!(peak(&x) <= 1.0 + 1e-5);
        let p = power_spectrum(&x, n);
        (10.0 * (band_energy(&p, 660.0, n) / band_energy(&p, 220.0, n)).log10(), x)
    };
    let (sine, x) = h3(0.0);
    let (mid, _) = h3(0.5);
    let (square, _) = h3(1.0);
    let f = zero_crossing_freq(&x, SR);
    println!("3rd harmonic re fundamental: position 0 {sine:.1} dB, 0.5 {mid:.1} dB, 1 {square:.1} dB; pitch {f:.3} Hz");
    assert!((f - 220.0).abs() < 0.5, "pitch {f}");
    assert!(sine < -80.0, "sine frame has a 3rd harmonic at {sine} dB");
    assert!((square - 20.0 * (1.0f64 / 3.0).log10()).abs() < 0.5, "square frame: 3rd harmonic at {square} dB, ideal -9.5");
    assert!(mid > sine + 40.0 && mid < square, "halfway: {mid} dB");
    // the built-in arpy's frames differ too: its harmonic profile changes from start to end
    let profile = |pos: f64| {
        let x = render_ph(&format!("out: wavetable \"arpy:0\" 110 {pos}"), n as f64 / SR + 0.05);
        let p = power_spectrum(&x, n);
        (1..=24).map(|h| band_energy(&p, 110.0 * h as f64, n)).collect::<Vec<_>>()
    };
    let (a, b) = (profile(0.0), profile(1.0));
    let centroid = |v: &[f64]| v.iter().enumerate().map(|(i, e)| (i + 1) as f64 * e).sum::<f64>() / v.iter().sum::<f64>();
    println!("arpy:0 spectral centroid: position 0 harmonic {:.2}, position 1 harmonic {:.2}", centroid(&a), centroid(&b));
    assert!((centroid(&a) - centroid(&b)).abs() > 0.5, "positions 0 and 1 sound the same");
}

/// An unknown sample is a build error naming it, the bus, and the samples known.
#[test]
fn unknown_sample_is_an_error() {
    let scene = Scene::from_ph("~lead: wavetable \"nosuch:1\" 220\nout: ~lead * 0.3", "test.ph").unwrap_or_else(|e| panic!("{e}"));
    let Err(e) = Engine::from_scene(&scene, "test.ph", cfg(64, 1)) else { panic!("an unknown sample built") };
    let msg = e.to_string();
    println!("{msg}");
    assert!(msg.contains("nosuch") && msg.contains("lead") && msg.contains("test.ph") && msg.contains("arpy"), "{msg}");
    // a missing sample name in the source is a parse error with line and column
    let Err(e) = Scene::from_ph("out: wavetable 220", "test.ph") else { panic!("wavetable without a sample parsed") };
    assert!(e.to_string().contains("test.ph:1:"), "{e}");
}

/// `.ph` → Scene → RON → Scene → `.ph` → Scene is the same scene.
#[test]
fn ph_ron_round_trip() {
    let text = "~pos: sine 0.2 * 0.5 + 0.5\nout: wavetable \"arpy:2\" 110 ~pos * 0.3\no2: wavetable \"bd\" \"<55 110>\"";
    let scene = Scene::from_ph(text, "test.ph").unwrap_or_else(|e| panic!("{e}"));
    assert!(scene.to_ron().contains("Wavetable(\"arpy:2\""), "{}", scene.to_ron());
    let ron = Scene::from_ron(&scene.to_ron(), "test.ron").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scene, ron);
    let ph = phonon::lang::ph::to_ph(&ron).unwrap_or_else(|e| panic!("{e}"));
    let again = Scene::from_ph(&ph, "again.ph").unwrap_or_else(|e| panic!("{e}\n{ph}"));
    assert_eq!(scene, again, "{ph}");
}
