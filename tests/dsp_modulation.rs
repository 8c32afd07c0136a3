//! The modulation family (`chorus`, `flanger`, `phaser`, `tremolo`, `vibrato`, `ring`),
//! measured offline through the catalogue harness: envelopes, instantaneous frequency,
//! sidebands, and comb/allpass notches from cross-spectra of white noise.
mod common;
use common::*;
use phonon::systems::dsp::catalogue::{Input, find, run};
use std::f64::consts::PI;

const SR: f32 = 48_000.0;

/// Run the catalogue node `name` in blocks of 64; returns (channels, channel-major output).
fn render_node(name: &str, args: &[Input<'_>], frames: usize) -> (usize, Vec<f32>) {
    let def = find(name).unwrap_or_else(|| panic!("no node {name}"));
    run(def, args, SR, 64, frames)
}

fn sine(freq: f32, amp: f32, n: usize) -> Vec<f32> {
    (0..n).map(|i| amp * (std::f64::consts::TAU * freq as f64 * i as f64 / SR as f64).sin() as f32).collect()
}

/// Uniform white noise in -1..1 (a fixed LCG).
fn white_noise(n: usize) -> Vec<f32> {
    let mut seed = 12_345u32;
    (0..n)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / 8_388_608.0 - 1.0
        })
        .collect()
}

/// Hann-windowed spectrum of `x[start..start + n]`.
fn spectrum(x: &[f32], start: usize, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut re: Vec<f64> = (0..n).map(|i| x[start + i] as f64 * (0.5 - 0.5 * (2.0 * PI * i as f64 / n as f64).cos())).collect();
    let mut im = vec![0.0; n];
    fft(&mut re, &mut im);
    (re, im)
}

/// |H| per bin (bin k at k·sr/n Hz, up to Nyquist) of the system taking `x` to `y`, by Welch's
/// cross-spectral estimate `|Σ Y·X*| / Σ |X|²` over half-overlapping Hann segments of `n`.
fn transfer(x: &[f32], y: &[f32], n: usize) -> Vec<f64> {
    let (mut sxy_re, mut sxy_im, mut sxx) = (vec![0.0; n / 2], vec![0.0; n / 2], vec![0.0; n / 2]);
    let mut start = n; // skip the first segment: the effect's start-up
    while start + n <= x.len() {
        let (xr, xi) = spectrum(x, start, n);
        let (yr, yi) = spectrum(y, start, n);
        for k in 0..n / 2 {
            sxy_re[k] += yr[k] * xr[k] + yi[k] * xi[k];
            sxy_im[k] += yi[k] * xr[k] - yr[k] * xi[k];
            sxx[k] += xr[k] * xr[k] + xi[k] * xi[k];
        }
        start += n / 2;
    }
    (0..n / 2).map(|k| (sxy_re[k].hypot(sxy_im[k])) / sxx[k]).collect()
}

/// The deepest bin of `h` within ±`tol` (relative) of `freq`: (its frequency, |H| in dB).
fn notch_near(h: &[f64], n: usize, freq: f64, tol: f64) -> (f64, f64) {
    let bin = |f: f64| (f * n as f64 / SR as f64).round() as usize;
    let (lo, hi) = (bin(freq * (1.0 - tol)), bin(freq * (1.0 + tol)).min(h.len() - 1));
    let k = (lo..=hi).min_by(|&a, &b| h[a].total_cmp(&h[b])).unwrap_or(lo);
    (k as f64 * SR as f64 / n as f64, 20.0 * h[k].log10())
}

/// Check that each expected notch of `h` is found within one bin (plus 0.5%) of where the
/// analysis puts it, at least 20 dB below the response's peak; returns the depths.
fn check_notches(what: &str, h: &[f64], n: usize, expected: &[f64]) -> Vec<f64> {
    let top = 20.0 * h[1..].iter().cloned().fold(0.0, f64::max).log10();
    let bin_hz = SR as f64 / n as f64;
    expected
        .iter()
        .map(|&f| {
            let (at, db) = notch_near(h, n, f, 0.15);
            println!("{what}: notch expected at {f:.1} Hz, found at {at:.1} Hz, {:.1} dB below the peak", top - db);
            assert!((at - f).abs() <= bin_hz + 0.005 * f, "{what}: notch at {at} Hz, expected {f}");
            assert!(top - db > 20.0, "{what}: notch at {at} Hz only {:.1} dB deep", top - db);
            top - db
        })
        .collect()
}

/// `tremolo 4 0.6` on a constant input of 1: the output (the gain) swings between 0.4 and 1,
/// and its minima are 1/4 s apart within 1% (measured by parabolic interpolation of minima).
#[test]
fn tremolo_envelope_follows_depth_at_rate() {
    let (rate, depth) = (4.0f32, 0.6f32);
    let n = (3.0 * SR) as usize;
    let (_, y) = render_node("tremolo", &[Input::Const(1.0), Input::Const(rate), Input::Const(depth)], n);
    let (lo, hi) = (y.iter().cloned().fold(f32::MAX, f32::min), y.iter().cloned().fold(f32::MIN, f32::max));
    let mut minima = Vec::new();
    for i in 1..n - 1 {
        if y[i] < y[i - 1] && y[i] <= y[i + 1] {
            let (a, b, c) = (y[i - 1] as f64, y[i] as f64, y[i + 1] as f64);
            minima.push(i as f64 + 0.5 * (a - c) / (a - 2.0 * b + c));
        }
    }
    let period = (minima[minima.len() - 1] - minima[0]) / (minima.len() - 1) as f64 / SR as f64;
    println!("tremolo: gain {lo:.4} … {hi:.4}, envelope period {period:.5} s over {} minima", minima.len());
    assert!((lo - (1.0 - depth)).abs() < 1e-3 && (hi - 1.0).abs() < 1e-3, "gain {lo} … {hi}");
    assert!((period * rate as f64 - 1.0).abs() < 0.01, "period {period}");
    assert_eq!(minima.len(), 12);
}

/// `ring 300` on a 1 kHz sine of amplitude 0.5: components at 700 and 1300 Hz of amplitude
/// 0.25 each (within 1%), and nothing at 1 kHz (below -60 dB relative to them).
#[test]
fn ring_modulation_gives_sum_and_difference() {
    let n = SR as usize;
    let x = sine(1000.0, 0.5, n);
    let (_, y) = render_node("ring", &[Input::Mono(&x), Input::Const(300.0)], n);
    let sr = SR as f64;
    let (lower, upper, carrier) = (amplitude_at(&y, 700.0, sr), amplitude_at(&y, 1300.0, sr), amplitude_at(&y, 1000.0, sr));
    let rel = 20.0 * (carrier / 0.25).log10();
    println!("ring: 700 Hz {lower:.4}, 1300 Hz {upper:.4}, 1000 Hz {rel:.1} dB");
    assert!((lower / 0.25 - 1.0).abs() < 0.01 && (upper / 0.25 - 1.0).abs() < 0.01, "{lower} {upper}");
    assert!(rel < -60.0, "carrier at {rel} dB");
}

/// `vibrato rate depth` on a 440 Hz sine: the frequency of each cycle (from interpolated
/// zero crossings) swings up and down by `depth` semitones: each side within 10%, and the
/// peak-to-peak swing within 2% of 2·depth (the design: a delay line speeds up slightly less
/// than it slows down).
#[test]
fn vibrato_deviation_matches_depth_in_semitones() {
    for (rate, depth) in [(5.0f32, 1.0f32), (3.0, 0.5), (6.0, 2.0)] {
        let n = (3.0 * SR) as usize;
        let x = sine(440.0, 0.5, n);
        let (_, y) = render_node("vibrato", &[Input::Mono(&x), Input::Const(rate), Input::Const(depth)], n);
        let mut crossings = Vec::new();
        for i in (SR as usize / 2)..n {
            if y[i - 1] < 0.0 && y[i] >= 0.0 {
                crossings.push(i as f64 - 1.0 + y[i - 1] as f64 / (y[i - 1] as f64 - y[i] as f64));
            }
        }
        let freqs: Vec<f64> = crossings.windows(2).map(|w| SR as f64 / (w[1] - w[0])).collect();
        let st = |f: f64| 12.0 * (f / 440.0).log2();
        let up = st(freqs.iter().cloned().fold(0.0, f64::max));
        let down = -st(freqs.iter().cloned().fold(f64::MAX, f64::min));
        println!("vibrato {rate} Hz {depth} st: +{up:.3} / -{down:.3} semitones");
        let d = depth as f64;
        assert!((up / d - 1.0).abs() < 0.1 && (down / d - 1.0).abs() < 0.1, "+{up} -{down} for {depth}");
        assert!(((up + down) / (2.0 * d) - 1.0).abs() < 0.02, "swing {} for {depth}", up + down);
    }
}

/// `phaser` frozen (rate 0: the allpasses sit at 700 Hz), feedback 0, on white noise: the
/// response has notches where the six allpasses' phase is -π, -3π, -5π, i.e. at
/// `sr/π·atan(t·tan(kπ/12))` for k = 1, 3, 5 with `t = tan(π·700/sr)` (≈ 188, 700, 2580 Hz),
/// each within a bin and more than 20 dB deep.
#[test]
fn phaser_notches_sit_where_the_allpass_phase_says() {
    let n = 8192;
    let x = white_noise(10 * SR as usize);
    let (_, y) = render_node("phaser", &[Input::Mono(&x), Input::Const(0.0), Input::Const(0.7), Input::Const(0.0)], x.len());
    let h = transfer(&x, &y, n);
    let t = (PI * 700.0 / SR as f64).tan();
    let expected: Vec<f64> = [1.0, 3.0, 5.0].iter().map(|k| SR as f64 / PI * (t * (k * PI / 12.0).tan()).atan()).collect();
    check_notches("phaser", &h, n, &expected);
}

/// `flanger` frozen (rate 0), mix 0.5, on white noise: a comb with notches at odd multiples of
/// sr/(2·D). Left: the LFO at phase 0, D = 2.5 ms (120 samples) → 200, 600, 1000, 1400 Hz.
/// Right: a quarter cycle on, D = 2.5·(1 + 0.9·depth) ms. For feedback 0 and 0.6 (which
/// sharpens the peaks but keeps the zeros) every notch is within a bin and over 20 dB deep.
#[test]
fn flanger_notches_sit_at_odd_multiples_of_half_the_delay_rate() {
    let n = 8192;
    let x = white_noise(10 * SR as usize);
    let depth = 0.5f32;
    for fb in [0.0f32, 0.6] {
        let args = [Input::Mono(&x), Input::Const(0.0), Input::Const(depth), Input::Const(fb), Input::Const(0.5)];
        let (ch, y) = render_node("flanger", &args, x.len());
        assert_eq!(ch, 2);
        let (l, r) = y.split_at(x.len());
        for (side, out, d) in [("left", l, 0.0025 * SR as f64), ("right", r, 0.0025 * SR as f64 * (1.0 + 0.9 * depth as f64))] {
            let expected: Vec<f64> = (0..4).map(|k| (k as f64 + 0.5) * SR as f64 / d).collect();
            check_notches(&format!("flanger fb {fb} {side}"), &transfer(&x, out, n), n, &expected);
        }
    }
}

/// `chorus` (defaults: 0.8 Hz, depth 0.5, mix 0.5). On white noise the output energy (both
/// channels) is within 3 dB of the input's, and left and right differ. On a 1 kHz sine the
/// spectrum spreads: more than 30% of the output's energy leaves the 1 kHz bin, and all but
/// 2% of it stays within ±40 Hz (sidebands of the swept delay, no broadband noise).
#[test]
fn chorus_keeps_energy_and_spreads_the_spectrum() {
    let def = find("chorus").unwrap();
    let defaults: Vec<f32> = def.args.iter().map(|a| a.default).collect();
    let chorus = |x: &[f32]| {
        let args = [Input::Mono(x), Input::Const(defaults[1]), Input::Const(defaults[2]), Input::Const(defaults[3])];
        let (_, y) = render_node("chorus", &args, x.len());
        let (l, r) = y.split_at(x.len());
        (l.to_vec(), r.to_vec())
    };
    let noise = white_noise(4 * SR as usize);
    let (l, r) = chorus(&noise);
    let skip = SR as usize / 10;
    let gain = 10.0 * ((rms(&l[skip..]).powi(2) + rms(&r[skip..]).powi(2)) / (2.0 * rms(&noise[skip..]).powi(2))).log10();
    let diff: Vec<f32> = l.iter().zip(&r).map(|(a, b)| a - b).collect();
    let side = rms(&diff[skip..]) / rms(&l[skip..]);
    println!("chorus: energy gain {gain:+.2} dB on noise, side/left {side:.2}");
    assert!(gain.abs() < 3.0, "energy gain {gain} dB");
    assert!(side > 0.2, "left and right nearly equal ({side})");

    let n = 1 << 18; // 5.5 s: bins of 0.18 Hz
    let (l, _) = chorus(&sine(1000.0, 0.5, n + skip));
    let (re, im) = spectrum(&l, skip, n);
    let power: Vec<f64> = re.iter().zip(&im).take(n / 2).map(|(a, b)| a * a + b * b).collect();
    let total: f64 = power.iter().sum();
    let bin = |f: f64| (f * n as f64 / SR as f64).round() as usize;
    let carrier: f64 = power[bin(1000.0) - 3..=bin(1000.0) + 3].iter().sum();
    let near: f64 = power[bin(960.0)..=bin(1040.0)].iter().sum();
    let (spread, inside) = (1.0 - carrier / total, near / total);
    println!("chorus: {:.1}% of a 1 kHz sine's energy leaves its bin, {:.2}% stays within ±40 Hz", 100.0 * spread, 100.0 * inside);
    assert!(spread > 0.3 && inside > 0.98, "spread {spread}, within ±40 Hz {inside}");
}

/// Each modulation node's `.ph` example parses, renders 2 s of finite audio below 0 dBFS.
#[test]
fn examples_render() {
    for name in ["chorus", "flanger", "phaser", "tremolo", "vibrato", "ring"] {
        assert_example_renders(name);
    }
}

/// Every modulation node stays finite and bounded (peak ≤ 4 on a ±1 noise input) with extreme
/// arguments: every control at -1e9, -1, 0 or 1e9 as a constant (which also sizes the delay
/// lines), and as a signal jumping between -1e9 and 1e9 every 100 samples.
#[test]
fn extreme_arguments_stay_finite() {
    assert_family_survives_extreme_arguments("modulation", 4.0);
}
