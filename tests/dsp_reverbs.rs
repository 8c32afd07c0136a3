//! The reverb family (`reverb`, `plate`), measured on impulse responses through the catalogue
//! harness: stereo energy and decorrelation, RT60 against the size argument, and a tail that
//! reaches exact silence once flush-to-zero is on.
mod common;
use common::*;
use phonon::systems::dsp::catalogue::{Input, find, run};

const SR: f32 = 48_000.0;

/// Wet-only stereo impulse response of `name` with `size` (room / decay) and `damp`, `secs` long.
fn impulse_response(name: &str, size: f32, damp: f32, secs: f32) -> (Vec<f32>, Vec<f32>) {
    let n = (secs * SR) as usize;
    let mut x = vec![0.0; n];
    x[0] = 1.0;
    let def = find(name).unwrap_or_else(|| panic!("no node {name}"));
    let args = [Input::Mono(&x), Input::Const(size), Input::Const(damp), Input::Const(1.0)];
    let (ch, y) = run(def, &args, SR, 256, n);
    assert_eq!(ch, 2);
    let (l, r) = y.split_at(n);
    (l.to_vec(), r.to_vec())
}

/// RT60 (s) from Schroeder's backward-integrated energy decay of `l² + r²`: the time the
/// decay curve first falls 60 dB below its start. None if it never does.
fn rt60(l: &[f32], r: &[f32]) -> Option<f64> {
    let mut edc: Vec<f64> = l.iter().zip(r).map(|(a, b)| (*a as f64).powi(2) + (*b as f64).powi(2)).collect();
    for i in (0..edc.len() - 1).rev() {
        edc[i] += edc[i + 1];
    }
    let floor = edc[0] * 1e-6;
    edc.iter().position(|&e| e <= floor).map(|i| i as f64 / SR as f64)
}

/// Pearson correlation of two equally long signals.
fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().map(|&v| v as f64).sum::<f64>() / n, b.iter().map(|&v| v as f64).sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x as f64 - ma, y as f64 - mb);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    sab / (saa * sbb).sqrt()
}

/// For `name` at three sizes: the impulse response is finite, both channels carry energy
/// (each within 3 dB of the other), the channels are decorrelated (|correlation| < 0.5), and
/// RT60 grows with size.
fn check_reverb(name: &str, sizes: [f32; 3], damp: f32) {
    let mut last = 0.0;
    for size in sizes {
        let (l, r) = impulse_response(name, size, damp, 20.0);
        assert_finite(&l);
        assert_finite(&r);
        let (el, er) = (rms(&l), rms(&r));
        let balance = 20.0 * (el / er).log10();
        let corr = correlation(&l[..(SR as usize)], &r[..(SR as usize)]);
        let t = rt60(&l, &r).unwrap_or_else(|| panic!("{name} {size}: no 60 dB decay in 20 s"));
        println!("{name} size {size}: RT60 {t:.2} s, L/R balance {balance:+.2} dB, correlation {corr:+.3}");
        assert!(el > 0.0 && balance.abs() < 3.0, "{name} {size}: L {el}, R {er}");
        assert!(corr.abs() < 0.5, "{name} {size}: correlation {corr}");
        assert!(t > last * 1.2, "{name}: RT60 {t} at {size} not above {last}");
        last = t;
    }
}

/// Freeverb at room 0.2, 0.5, 0.8 (damp 0.5).
#[test]
fn reverb_is_stereo_and_decays_with_room() {
    check_reverb("reverb", [0.2, 0.5, 0.8], 0.5);
}

/// Dattorro plate at decay 0.3, 0.5, 0.8 (damp 0.3).
#[test]
fn plate_is_stereo_and_decays_with_decay() {
    check_reverb("plate", [0.3, 0.5, 0.8], 0.3);
}

/// With flush-to-zero set, the tail ends in exact silence: after an impulse (size 0.5), the
/// output becomes exactly 0.0 and stays so; we report when, and assert the last 10 s of a
/// `secs` render are all exactly 0.0.
fn check_silence(name: &str, damp: f32, secs: f32) {
    phonon_systems::denormals::flush_denormals_to_zero();
    let (l, r) = impulse_response(name, 0.5, damp, secs);
    let last = l.iter().zip(&r).rposition(|(a, b)| *a != 0.0 || *b != 0.0).map_or(0.0, |i| i as f64 / SR as f64);
    let smallest = l.iter().chain(&r).filter(|v| **v != 0.0).fold(f32::MAX, |m, v| m.min(v.abs()));
    println!("{name}: last non-zero sample at {last:.2} s (smallest non-zero magnitude {smallest:e})");
    let tail = (10.0 * SR) as usize;
    assert!(l[l.len() - tail..].iter().chain(&r[r.len() - tail..]).all(|v| *v == 0.0), "{name}: not silent, last non-zero at {last} s");
}

#[test]
fn reverb_tail_reaches_exact_silence() {
    check_silence("reverb", 0.5, 40.0);
}

#[test]
fn plate_tail_reaches_exact_silence() {
    check_silence("plate", 0.3, 40.0);
}

/// Each reverb's `.ph` example parses, renders 2 s of finite audio, and stays below 0 dBFS.
#[test]
fn examples_render() {
    for name in ["reverb", "plate"] {
        assert_example_renders(name);
    }
}

/// Every reverbs node stays finite and bounded (peak ≤ 4 on a ±1 noise input) with extreme
/// arguments: every control at -1e9, -1, 0 or 1e9 as a constant (which also sizes the delay
/// lines), and as a signal jumping between -1e9 and 1e9 every 100 samples.
#[test]
fn extreme_arguments_stay_finite() {
    assert_family_survives_extreme_arguments("reverbs", 4.0);
}
