//! The oscillator family of the node catalogue (`pulse`, `pink`, `brown`, `phasor`, `fm`, `pm`,
//! `supersaw`), measured on audio: pitch, spectra, band-limiting, noise slopes and levels.
mod common;
use common::*;
use phonon::render::render_to_vec;
use phonon::systems::dsp::catalogue::{self, Input};
use phonon::{Engine, Scene};
use std::f64::consts::PI;

const SR: f32 = 44_100.0;

/// Render catalogue source `name` with constant arguments for `frames` samples.
fn source(name: &str, args: &[f32], frames: usize) -> Vec<f32> {
    let def = catalogue::find(name).unwrap_or_else(|| panic!("{name} is not in the catalogue"));
    let inputs: Vec<Input<'_>> = args.iter().map(|&v| Input::Const(v)).collect();
    let (channels, out) = catalogue::run(def, &inputs, SR, 64, frames);
    assert_eq!(channels, 1, "{name} is mono");
    assert_finite(&out);
    out
}

/// 4-term Blackman-Harris window value at `i` of `n` (sidelobes −92 dB, main lobe ±4 bins).
fn blackman_harris(i: usize, n: usize) -> f64 {
    let x = 2.0 * PI * i as f64 / n as f64;
    0.35875 - 0.48829 * x.cos() + 0.14128 * (2.0 * x).cos() - 0.01168 * (3.0 * x).cos()
}

/// Power spectrum (bins 0..=n/2) of `x` (length a power of two) under a Blackman-Harris window.
fn power_spectrum(x: &[f32]) -> Vec<f64> {
    let n = x.len();
    let mut re: Vec<f64> = x.iter().enumerate().map(|(i, &v)| v as f64 * blackman_harris(i, n)).collect();
    let mut im = vec![0.0; n];
    fft(&mut re, &mut im);
    (0..=n / 2).map(|k| re[k] * re[k] + im[k] * im[k]).collect()
}

/// Welch estimate: power spectra of Hann-windowed, half-overlapping segments of `seg` samples,
/// averaged (bins 0..=seg/2).
fn welch(x: &[f32], seg: usize) -> Vec<f64> {
    let mut acc = vec![0.0; seg / 2 + 1];
    let mut count = 0;
    let mut start = 0;
    while start + seg <= x.len() {
        let mut re: Vec<f64> = (0..seg).map(|i| x[start + i] as f64 * (0.5 - 0.5 * (2.0 * PI * i as f64 / seg as f64).cos())).collect();
        let mut im = vec![0.0; seg];
        fft(&mut re, &mut im);
        for (k, a) in acc.iter_mut().enumerate() {
            *a += re[k] * re[k] + im[k] * im[k];
        }
        count += 1;
        start += seg / 2;
    }
    acc.iter().map(|a| a / count as f64).collect()
}

/// Aliases relative to the fundamental, dB: the spectral energy of `x` outside the harmonics
/// of `f0` (bins within `spread × k·f0` plus 8 bins of harmonic k; DC excluded) over the energy
/// around the fundamental.
fn alias_db(x: &[f32], f0: f64, spread: f64) -> f64 {
    let p = power_spectrum(x);
    let df = SR as f64 / x.len() as f64;
    let (mut fund, mut alias) = (0.0, 0.0);
    for (b, &v) in p.iter().enumerate().skip(1) {
        let f = b as f64 * df;
        let k = (f / f0).round().max(1.0);
        let near = (f - k * f0).abs() <= k * f0 * spread + 8.0 * df;
        if f < 0.5 * f0 && (f - f0).abs() > f0 * spread + 8.0 * df {
            // below the fundamental: only DC leakage and aliases live here
            if b > 8 {
                alias += v;
            }
        } else if near && k == 1.0 {
            fund += v;
        } else if !near {
            alias += v;
        }
    }
    10.0 * (alias / fund).log10()
}

/// Least-squares slope, dB per octave, of the mean power density in octave bands
/// `[lo·2^j, lo·2^(j+1))`, `j < bands`, of a Welch spectrum with bin width `df`.
fn octave_slope(psd: &[f64], df: f64, lo: f64, bands: usize) -> f64 {
    let levels: Vec<(f64, f64)> = (0..bands)
        .map(|j| {
            let (a, b) = (lo * 2f64.powi(j as i32), lo * 2f64.powi(j as i32 + 1));
            let bins: Vec<f64> = psd.iter().enumerate().filter(|(k, _)| (a..b).contains(&(*k as f64 * df))).map(|(_, &v)| v).collect();
            (j as f64, 10.0 * (bins.iter().sum::<f64>() / bins.len() as f64).log10())
        })
        .collect();
    let n = levels.len() as f64;
    let (mx, my) = (levels.iter().map(|l| l.0).sum::<f64>() / n, levels.iter().map(|l| l.1).sum::<f64>() / n);
    let sxy: f64 = levels.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = levels.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
    sxy / sxx
}

fn mean(x: &[f32]) -> f64 {
    x.iter().map(|&v| v as f64).sum::<f64>() / x.len() as f64
}

/// A naive (aliasing) pulse for comparison.
fn naive_pulse(freq: f64, width: f64, n: usize) -> Vec<f32> {
    (0..n).map(|i| if (i as f64 * freq / SR as f64).fract() < width { 1.0 } else { -1.0 }).collect()
}

/// `pulse 440 w`: pitch by zero crossings within ±0.5 Hz, and the fraction of time spent high
/// equals the width (±0.5 %).
#[test]
fn pulse_pitch_and_duty_cycle() {
    for width in [0.5, 0.25, 0.1] {
        let x = source("pulse", &[440.0, width], 44_100);
        let f = zero_crossing_freq(&x, SR as f64);
        assert!((f - 440.0).abs() <= 0.5, "width {width}: {f} Hz");
        let high = x.iter().filter(|&&v| v > 0.0).count() as f64 / x.len() as f64;
        assert!((high - width as f64).abs() < 0.005, "width {width}: high {high:.4} of the time");
        assert!(peak(&x) <= 1.1, "width {width}: peak {}", peak(&x));
    }
}

/// A 2.5 kHz pulse at 44.1 kHz: the total energy of everything that is not a harmonic
/// (aliases) stays below −32 dB of the fundamental, more than 20 dB below a naive pulse.
#[test]
fn pulse_is_band_limited() {
    for width in [0.5, 0.3] {
        let x = source("pulse", &[2500.0, width], 1 << 16);
        let db = alias_db(&x, 2500.0, 0.0);
        let naive = alias_db(&naive_pulse(2500.0, width as f64, 1 << 16), 2500.0, 0.0);
        let strongest = 20.0 * (amplitude_at(&x, 44_100.0 - 11.0 * 2500.0, SR as f64) / amplitude_at(&x, 2500.0, SR as f64)).log10();
        println!("pulse 2500 {width}: aliases {db:.1} dB (naive {naive:.1} dB), harmonic 11's alias at 16.6 kHz {strongest:.1} dB");
        // measured: -35.0 dB at width 0.5, -34.9 dB at 0.3 (naive: -12.1, -10.6 dB; the
        // 2-point polyBLEP of the built-in square: -26.2 dB)
        assert!(db < -32.0, "width {width}: aliases at {db:.1} dB");
        assert!(db < naive - 20.0, "width {width}: {db:.1} dB vs naive {naive:.1} dB");
    }
}

/// The 4-point polyBLEP acts as a sinc⁴ lowpass on the ideal waveform: the odd harmonics of a
/// 1 kHz square (`pulse 1000 0.5`) measure 4/(πk)·sinc⁴(k·1000/44100) within 0.1 dB, i.e. the
/// 9th harmonic (9 kHz) is 2.4 dB below the ideal square's.
#[test]
fn pulse_harmonics_follow_the_blep_response() {
    let x = source("pulse", &[1000.0, 0.5], 1 << 16);
    for k in [1, 3, 5, 7, 9, 15] {
        let f = 1000.0 * k as f64;
        let u = PI * f / SR as f64;
        let want = 4.0 / (PI * k as f64) * (u.sin() / u).powi(4);
        let got = amplitude_at(&x, f, SR as f64);
        let err = 20.0 * (got / want).log10();
        println!(
            "pulse 1000: harmonic {k} at {:.2} dB of the ideal square's ({err:+.3} dB from sinc⁴)",
            20.0 * (got / (4.0 / (PI * k as f64))).log10()
        );
        assert!(err.abs() < 0.1, "harmonic {k}: {got:.5}, want {want:.5}");
    }
}

/// Width as a signal (PWM): the duty cycle follows it.
#[test]
fn pulse_width_modulation_follows_the_signal() {
    let def = catalogue::find("pulse").unwrap();
    let n = 44_100;
    let width: Vec<f32> = (0..n).map(|i| if i < n / 2 { 0.2 } else { 0.7 }).collect();
    let (_, x) = catalogue::run(def, &[Input::Const(100.0), Input::Mono(&width)], SR, 64, n);
    let high = |s: &[f32]| s.iter().filter(|&&v| v > 0.0).count() as f64 / s.len() as f64;
    let (a, b) = (high(&x[..n / 2]), high(&x[n / 2..]));
    assert!((a - 0.2).abs() < 0.01 && (b - 0.7).abs() < 0.01, "duty {a:.3}, {b:.3}");
}

/// `phasor 440`: a 0..1 ramp rising by 440/44100 per sample, wrapping 440 times a second.
#[test]
fn phasor_ramps_and_wraps_at_its_frequency() {
    let x = source("phasor", &[440.0], 44_100);
    assert!(x.iter().all(|v| (0.0..1.0).contains(v)));
    let wraps = x.windows(2).filter(|w| w[1] < w[0]).count();
    assert!((wraps as f64 - 440.0).abs() <= 1.0, "{wraps} wraps in 1 s");
    let step = 440.0 / 44_100.0;
    let worst = x.windows(2).filter(|w| w[1] >= w[0]).map(|w| ((w[1] - w[0]) as f64 - step).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-6, "step error {worst}");
    assert!((mean(&x) - 0.5).abs() < 0.01);
    // negative frequency ramps down
    let down = source("phasor", &[-100.0], 4410);
    assert!(down.windows(2).filter(|w| w[1] < w[0]).count() > 4000);
}

/// Bessel function of the first kind, order `n`, by its integral.
fn bessel_j(n: i32, x: f64) -> f64 {
    let steps = 10_000;
    (0..steps).map(|k| PI * (k as f64 + 0.5) / steps as f64).map(|t| (n as f64 * t - x * t.sin()).cos()).sum::<f64>() / steps as f64
}

/// `fm` and `pm` with carrier 1000 Hz, modulator 200 Hz: the carrier and the sidebands at
/// 1000 ± 200 and ± 400 Hz have amplitudes J0, J1, J2 of the index (within 1 dB), and the
/// strongest component for index 1 is the carrier, measured at 1000 ± 0.5 Hz.
#[test]
fn fm_and_pm_sidebands_follow_bessel() {
    for name in ["fm", "pm"] {
        for index in [1.0, 2.0] {
            let x = source(name, &[1000.0, 200.0, index], 1 << 16);
            for (order, freqs) in [(0, [1000.0, 1000.0]), (1, [800.0, 1200.0]), (2, [600.0, 1400.0])] {
                let want = bessel_j(order, index as f64).abs();
                for f in freqs {
                    let got = amplitude_at(&x, f, SR as f64);
                    let err = 20.0 * (got / want).log10();
                    println!("{name} index {index}: {f} Hz {got:.4}, J{order} = {want:.4} ({err:+.2} dB)");
                    assert!(err.abs() < 1.0, "{name} index {index}: {f} Hz at {got:.4}, J{order} = {want:.4}");
                }
            }
        }
        let x = source(name, &[1000.0, 200.0, 1.0], 1 << 16);
        let p = power_spectrum(&x);
        let df = SR as f64 / x.len() as f64;
        let k = (1..p.len() - 1).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap_or(0);
        // parabolic interpolation of the peak on the log spectrum
        let (a, b, c) = (p[k - 1].ln(), p[k].ln(), p[k + 1].ln());
        let peak = (k as f64 + 0.5 * (a - c) / (a - 2.0 * b + c)) * df;
        assert!((peak - 1000.0).abs() <= 0.5, "{name}: spectral peak at {peak:.2} Hz");
    }
}

/// Index 0 is a plain sine at the carrier for both.
#[test]
fn fm_and_pm_at_index_zero_are_sines() {
    for name in ["fm", "pm"] {
        let x = source(name, &[440.0, 123.0, 0.0], 44_100);
        let f = zero_crossing_freq(&x, SR as f64);
        assert!((f - 440.0).abs() <= 0.5, "{name}: {f} Hz");
        assert!((rms(&x) - 0.5f64.sqrt()).abs() < 1e-3);
    }
}

/// The documented difference: when the index jumps, `fm` integrates it into the frequency (the
/// phase stays continuous, so the output is the phase-modulated sine shifted by a constant
/// phase), while `pm` glides its phase offset to the new index in a few ms and then equals
/// sin(carrier + index·sin(modulator)) exactly.
#[test]
fn fm_integrates_an_index_jump_pm_offsets_the_phase() {
    let n = 8820;
    let jump = 4410 + 37; // the modulator is at a non-zero phase here
    let index: Vec<f32> = (0..n).map(|i| if i < jump { 0.0 } else { 3.0 }).collect();
    let (fc, fm) = (500.0f64, 70.0f64);
    let t = |i: usize| i as f64 / SR as f64;
    let s_jump = (2.0 * PI * fm * t(jump)).sin();
    for name in ["fm", "pm"] {
        let def = catalogue::find(name).unwrap();
        let (_, x) = catalogue::run(def, &[Input::Const(fc as f32), Input::Const(fm as f32), Input::Mono(&index)], SR, 64, n);
        let offset = if name == "fm" { -3.0 * s_jump } else { 0.0 };
        let settle = if name == "fm" { jump + 1 } else { jump + 882 };
        let err = (settle..n)
            .map(|i| (x[i] as f64 - (2.0 * PI * fc * t(i) + 3.0 * (2.0 * PI * fm * t(i)).sin() + offset).sin()).abs())
            .fold(0.0, f64::max);
        assert!(err < 1e-3, "{name}: off the expected waveform by {err}");
        // both stay continuous at the jump: no step larger than the fastest sine can make
        let max_step = (jump - 2..jump + 441).map(|i| (x[i + 1] - x[i]).abs()).fold(0.0, f32::max);
        let slew = 2.0 * PI * (fc + 3.0 * fm) / SR as f64;
        assert!((max_step as f64) < 1.5 * slew, "{name}: step {max_step} at the index jump (slew bound {slew:.3})");
    }
}

/// Mean power density per octave band (40 Hz–10.24 kHz, Welch over 20 s), its fitted slope,
/// and level/bounds of the noise.
fn noise_slope(name: &str) -> (f64, Vec<f32>) {
    let x = source(name, &[], 20 * 44_100);
    let seg = 1 << 14;
    let psd = welch(&x, seg);
    (octave_slope(&psd, SR as f64 / seg as f64, 40.0, 8), x)
}

/// `pink`: −3 dB/octave (±1 dB) over 40 Hz–10 kHz, within ±1, zero-mean, RMS about 0.2.
#[test]
fn pink_noise_falls_3db_per_octave() {
    let (slope, x) = noise_slope("pink");
    println!("pink: {slope:.2} dB/oct, RMS {:.3}, peak {:.3}, mean {:.4}", rms(&x), peak(&x), mean(&x));
    assert!((slope + 3.01).abs() < 1.0, "pink slope {slope:.2} dB/oct");
    assert!(peak(&x) <= 1.0);
    assert!(mean(&x).abs() < 0.02, "mean {}", mean(&x));
    assert!((rms(&x) - 0.2).abs() < 0.04, "RMS {}", rms(&x));
}

/// `brown`: −6 dB/octave (±1 dB) over 40 Hz–10 kHz, within ±1, zero-mean, RMS about 0.25.
#[test]
fn brown_noise_falls_6db_per_octave() {
    let (slope, x) = noise_slope("brown");
    println!("brown: {slope:.2} dB/oct, RMS {:.3}, peak {:.3}, mean {:.4}", rms(&x), peak(&x), mean(&x));
    assert!((slope + 6.02).abs() < 1.0, "brown slope {slope:.2} dB/oct");
    assert!(peak(&x) <= 1.0);
    assert!(mean(&x).abs() < 0.05, "mean {}", mean(&x));
    assert!((rms(&x) - 0.25).abs() < 0.04, "RMS {}", rms(&x));
}

/// The noises keep their slope at 48 kHz (Kellet's poles are moved to the rate).
#[test]
fn pink_noise_slope_holds_at_48k() {
    let def = catalogue::find("pink").unwrap();
    let (_, x) = catalogue::run(def, &[], 48_000.0, 64, 20 * 48_000);
    let seg = 1 << 14;
    let slope = octave_slope(&welch(&x, seg), 48_000.0 / seg as f64, 40.0, 8);
    assert!((slope + 3.01).abs() < 1.0, "pink at 48 kHz: {slope:.2} dB/oct");
}

/// `supersaw 440 0.2 1` is one saw: 440 Hz by zero crossings; at 110 Hz the RMS of a saw
/// (1/√3, ±1 %).
#[test]
fn supersaw_with_one_voice_is_a_saw() {
    let x = source("supersaw", &[440.0, 0.2, 1.0], 44_100);
    let f = zero_crossing_freq(&x, SR as f64);
    assert!((f - 440.0).abs() <= 0.5, "{f} Hz");
    let y = source("supersaw", &[110.0, 0.2, 1.0], 44_100);
    assert!((rms(&y) - 1.0 / 3f64.sqrt()).abs() < 0.006, "RMS {}", rms(&y));
}

/// `supersaw 440 0.2 7`: seven partials around 440 Hz at 440·2^(±0.2·k/3/12) (each found as a
/// spectral peak within ±0.2 Hz), whose power centroid is 440 ± 0.5 Hz; over 8 s its RMS is
/// that of one voice (±5 %).
#[test]
fn supersaw_voices_sit_at_their_detuned_pitches() {
    let x = source("supersaw", &[440.0, 0.2, 7.0], 1 << 18);
    let p = power_spectrum(&x);
    let df = SR as f64 / x.len() as f64;
    let bin = |f: f64| (f / df).round() as usize;
    for k in 0..7 {
        let want = 440.0 * (0.2 * (k as f64 / 3.0 - 1.0) / 12.0).exp2();
        let b = (bin(want) - 3..=bin(want) + 3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap_or(0);
        let (l, c, r) = (p[b - 1].ln(), p[b].ln(), p[b + 1].ln());
        let got = (b as f64 + 0.5 * (l - r) / (l - 2.0 * c + r)) * df;
        assert!((got - want).abs() <= 0.2, "voice {k}: peak at {got:.2} Hz, want {want:.2}");
        assert!(p[b] > 10.0 * p[bin(want) + 5], "voice {k}: no distinct peak at {want:.2} Hz");
    }
    let cluster = bin(420.0)..bin(460.0);
    let centroid = cluster.clone().map(|b| b as f64 * df * p[b]).sum::<f64>() / cluster.map(|b| p[b]).sum::<f64>();
    assert!((centroid - 440.0).abs() <= 0.5, "centroid {centroid:.2} Hz");

    let y = source("supersaw", &[440.0, 0.2, 7.0], 8 * 44_100);
    let r = rms(&y) / rms(&source("supersaw", &[440.0, 0.2, 1.0], 44_100));
    println!("supersaw 440 0.2 7: RMS {:.3} of one voice's, peak {:.2}", r, peak(&y));
    assert!((r - 1.0).abs() < 0.05, "RMS {r:.3} of one saw's");
    assert!(peak(&y) <= 2.5, "peak {}", peak(&y));
}

/// At detune 0 the voices are phase-shifted copies: for every voice count each of the first 8
/// harmonics of `supersaw 441 0 n` stays within ±5 dB of one saw's (2/(πk)), so the stack never
/// loses its fundamental.
#[test]
fn supersaw_at_zero_detune_keeps_its_harmonics() {
    for voices in 1..=16 {
        let x = source("supersaw", &[441.0, 0.0, voices as f32], 44_100);
        for k in 1..=8 {
            let f = 441.0 * k as f64;
            let u = PI * f / SR as f64;
            let saw = 2.0 / (PI * k as f64) * (u.sin() / u).powi(4);
            let db = 20.0 * (amplitude_at(&x, f, SR as f64) / saw).log10();
            assert!(db.abs() < 5.0, "{voices} voices: harmonic {k} at {db:+.1} dB of a saw's");
        }
    }
}

/// A supersaw near 2 kHz (44100/21.5 Hz, so aliases fall between the harmonic clusters): the
/// energy outside the detuned harmonic clusters stays far below the fundamental cluster.
#[test]
fn supersaw_is_band_limited() {
    let f0 = 44_100.0 / 21.5;
    let spread = (0.2f64 / 12.0).exp2() - 1.0;
    let x = source("supersaw", &[f0 as f32, 0.2, 7.0], 1 << 16);
    let db = alias_db(&x, f0, spread);
    println!("supersaw {f0:.1} 0.2 7: aliases {db:.1} dB");
    // measured: -35.3 dB
    assert!(db < -32.0, "aliases at {db:.1} dB");
}

/// The voice count can change while playing: the level stays that of one saw and no sample
/// jumps by more than a saw's edge allows.
#[test]
fn supersaw_voice_changes_fade() {
    let def = catalogue::find("supersaw").unwrap();
    let n = 4 * 44_100;
    let voices: Vec<f32> = (0..n).map(|i| [3.0, 9.0, 5.0, 16.0][i * 4 / n]).collect();
    let (_, x) = catalogue::run(def, &[Input::Const(440.0), Input::Const(0.8), Input::Mono(&voices)], SR, 64, n);
    assert_finite(&x);
    for q in 0..4 {
        let part = &x[q * n / 4 + 2205..(q + 1) * n / 4];
        let r = rms(part) / (1.0 / 3f64.sqrt());
        assert!((r - 1.0).abs() < 0.2, "quarter {q}: RMS {r:.3} of a saw's");
    }
}

/// Extreme arguments stay finite and bounded.
#[test]
fn extreme_arguments_stay_finite() {
    for (name, args) in [
        ("pulse", vec![1e9, -3.0]),
        ("pulse", vec![-440.0, 0.5]),
        ("pulse", vec![0.0, 0.5]),
        ("phasor", vec![1e12]),
        ("fm", vec![1e9, -1e9, 1e9]),
        ("pm", vec![-20.0, 1e7, -1e9]),
        ("supersaw", vec![1e9, 50.0, 1e6]),
        ("supersaw", vec![-1e9, -1.0, -3.0]),
    ] {
        let x = source(name, &args, 4096);
        assert!(peak(&x) <= 4.0, "{name} {args:?}: peak {}", peak(&x));
    }
}

fn render_ph(src: &str, seconds: f64) -> Vec<f32> {
    let scene = Scene::from_ph(src, "test.ph").unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut engine = Engine::from_scene(&scene, "test.ph", cfg(512, 1)).unwrap_or_else(|e| panic!("{src}: {e}"));
    render_to_vec(&mut engine, (seconds * 44_100.0) as u64)
}

/// Every example line of the family renders finite, audible and below 0 dBFS through `.ph`.
#[test]
fn examples_render() {
    for def in catalogue::all().filter(|d| d.family == "oscillators") {
        let out = render_ph(def.example, 2.0);
        assert_finite(&out);
        assert!(rms(&out) > 1e-3, "{}: silent", def.example);
        assert!(peak(&out) <= 1.0, "{}: peak {}", def.example, peak(&out));
    }
}

/// Through the language: `pulse 440 0.25 * 0.5` sounds at 440 Hz, high a quarter of the time,
/// and keyword arguments work (`fm :index 0` is a sine).
#[test]
fn language_renders_the_nodes() {
    let l = left(&render_ph("out: pulse 440 0.25 * 0.5", 1.0));
    assert!((zero_crossing_freq(&l, 44_100.0) - 440.0).abs() <= 0.5);
    let high = l.iter().filter(|&&v| v > 0.0).count() as f64 / l.len() as f64;
    assert!((high - 0.25).abs() < 0.01, "high {high:.3} of the time");
    let s = left(&render_ph("out: fm 330 :index 0 * 0.5", 1.0));
    assert!((zero_crossing_freq(&s, 44_100.0) - 330.0).abs() <= 0.5);
    assert!((amplitude_at(&s, 330.0, 44_100.0) - 0.5).abs() < 0.01);
}
