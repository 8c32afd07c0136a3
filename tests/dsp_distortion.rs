//! The distortion family of the node catalogue (`distort`, `shape`, `bitcrush`, `coarse`,
//! `fold`), measured on audio: transfer curves, quantisation levels, hold lengths, harmonics.
mod common;
use common::*;
use phonon::render::render_to_vec;
use phonon::systems::dsp::catalogue::{self, Input};
use phonon::{Engine, Scene};
use std::f64::consts::PI;

const SR: f32 = 44_100.0;

/// Run effect `name` on a mono `input` with constant control `amount`, in blocks of `block`.
fn effect(name: &str, input: &[f32], amount: f32, block: usize) -> Vec<f32> {
    let def = catalogue::find(name).unwrap_or_else(|| panic!("{name} is not in the catalogue"));
    let (channels, out) = catalogue::run(def, &[Input::Mono(input), Input::Const(amount)], SR, block, input.len());
    assert_eq!(channels, 1);
    assert_finite(&out);
    out
}

/// The output for a constant input `x` (the curve is memoryless: take the last of 64 samples).
fn static_out(name: &str, x: f32, amount: f32) -> f32 {
    let def = catalogue::find(name).unwrap_or_else(|| panic!("{name} is not in the catalogue"));
    let (_, out) = catalogue::run(def, &[Input::Const(x), Input::Const(amount)], SR, 64, 64);
    out[63]
}

/// Input levels from −1.5 to 1.5 in steps of 0.05.
fn levels() -> impl Iterator<Item = f32> {
    (-30..=30).map(|i| i as f32 * 0.05)
}

/// `amp·sin(2π·441·t)`: exactly 441 cycles per 44100 samples, so every harmonic (and every
/// alias, 44100/441 being whole) falls on a DFT bin.
fn sine_441(amp: f32, n: usize) -> Vec<f32> {
    (0..n).map(|i| amp * (2.0 * PI * 441.0 * i as f64 / SR as f64).sin() as f32).collect()
}

/// Amplitude of the component at bin frequency `freq` (rectangular window: exact for whole
/// cycles).
fn bin_amplitude(x: &[f32], freq: f64) -> f64 {
    let w = 2.0 * PI * freq / SR as f64;
    let (re, im) = x.iter().enumerate().fold((0.0, 0.0), |(re, im), (i, &v)| {
        let p = w * i as f64;
        (re + v as f64 * p.cos(), im - v as f64 * p.sin())
    });
    2.0 * (re * re + im * im).sqrt() / x.len() as f64
}

/// Total harmonic distortion of a 441 Hz-based signal, dB: harmonics 2..=49 over the fundamental.
fn thd_db(x: &[f32]) -> f64 {
    let fund = bin_amplitude(x, 441.0);
    let h: f64 = (2..50).map(|k| bin_amplitude(x, 441.0 * k as f64).powi(2)).sum();
    10.0 * (h / (fund * fund)).log10()
}

/// `distort a` is tanh(g·x)/tanh(g), g = 50^a, at static input levels (within 1e-5), and maps
/// ±1 to ±1 at every amount.
#[test]
fn distort_transfer_curve() {
    for amount in [0.0f32, 0.25, 0.5, 1.0] {
        let g = 50f32.powf(amount);
        for x in levels() {
            let want = (g * x).tanh() / g.tanh();
            let got = static_out("distort", x, amount);
            assert!((got - want).abs() < 1e-5, "distort {amount}: f({x}) = {got}, want {want}");
        }
        assert!((static_out("distort", 1.0, amount) - 1.0).abs() < 1e-6);
        assert!((static_out("distort", -1.0, amount) + 1.0).abs() < 1e-6);
    }
    // out-of-range amounts are clamped
    assert_eq!(static_out("distort", 0.3, 7.0), static_out("distort", 0.3, 1.0));
    assert_eq!(static_out("distort", 0.3, -2.0), static_out("distort", 0.3, 0.0));
}

/// `distort` is odd-symmetric: a 441 Hz sine comes out with its 3rd harmonic strong and its
/// 2nd (and every even one) below −60 dB.
#[test]
fn distort_makes_odd_harmonics_only() {
    let x = sine_441(0.8, 44_100);
    for amount in [0.2, 0.6, 1.0] {
        let y = effect("distort", &x, amount, 64);
        let fund = bin_amplitude(&y, 441.0);
        let db = |k: usize| 20.0 * (bin_amplitude(&y, 441.0 * k as f64) / fund).log10();
        let even = (2..=20).step_by(2).map(db).fold(f64::MIN, f64::max);
        println!("distort {amount}: 2nd {:.1} dB, loudest even {even:.1} dB, 3rd {:.1} dB", db(2), db(3));
        assert!(db(2) < -60.0 && even < -60.0, "distort {amount}: even harmonics at {even:.1} dB");
        assert!(db(3) > -30.0, "distort {amount}: 3rd harmonic only {:.1} dB", db(3));
    }
}

/// `shape a` is SuperDirt's (1+k)x/(1+k|x|), k = 2a/(1−a), amount capped at 0.99.
#[test]
fn shape_transfer_curve() {
    for amount in [0.0f32, 0.3, 0.5, 0.9, 0.99] {
        let k = 2.0 * amount / (1.0 - amount);
        for x in levels() {
            let want = (1.0 + k) * x / (1.0 + k * x.abs());
            let got = static_out("shape", x, amount);
            assert!((got - want).abs() < 1e-5 * want.abs().max(1.0), "shape {amount}: f({x}) = {got}, want {want}");
        }
    }
    // shape 0.5 (k = 2) lifts 0.5 to 0.75; 1 stays 1; amounts past 0.99 act as 0.99
    assert!((static_out("shape", 0.5, 0.5) - 0.75).abs() < 1e-6);
    assert!((static_out("shape", 1.0, 0.9) - 1.0).abs() < 1e-6);
    assert_eq!(static_out("shape", 0.2, 1.0), static_out("shape", 0.2, 0.99));
}

/// `bitcrush b` rounds to multiples of 2^−(b−1): a ramp over −1..1 comes out with exactly
/// 2^b + 1 distinct levels (17 for 4 bits, 3 for 1 bit, 257 for 8), every one a multiple of the
/// step, and no sample further than half a step from its input.
#[test]
fn bitcrush_levels() {
    let n = 200_001;
    let ramp: Vec<f32> = (0..n).map(|i| -1.0 + 2.0 * i as f32 / (n - 1) as f32).collect();
    for (bits, want_levels) in [(1.0, 3), (4.0, 17), (8.0, 257), (4.5, 23)] {
        let y = effect("bitcrush", &ramp, bits, 64);
        let step = 0.5f32.powf(bits - 1.0);
        let mut levels: Vec<f32> = y.clone();
        levels.sort_by(f32::total_cmp);
        levels.dedup();
        assert_eq!(levels.len(), want_levels, "bitcrush {bits}: {} levels", levels.len());
        for l in &levels {
            let k = l / step;
            assert!((k - k.round()).abs() < 1e-4, "bitcrush {bits}: level {l} is not a multiple of {step}");
        }
        let worst = ramp.iter().zip(&y).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(worst <= step * 0.5 + 1e-6, "bitcrush {bits}: error {worst} beyond half a step {step}");
    }
}

/// `coarse 4` holds each input sample for exactly 4 samples (whatever the block size); `coarse 1`
/// passes the input through; `coarse 2.5` takes 2 samples in 5.
#[test]
fn coarse_holds_for_n_samples() {
    let ramp: Vec<f32> = (0..1000).map(|i| i as f32).collect();
    for block in [1, 7, 64] {
        let y = effect("coarse", &ramp, 4.0, block);
        let want: Vec<f32> = (0..1000).map(|i| (i / 4 * 4) as f32).collect();
        assert_eq!(y, want, "block {block}");
    }
    assert_eq!(effect("coarse", &ramp, 1.0, 64), ramp);
    assert_eq!(effect("coarse", &ramp, 0.0, 64), ramp, "n below 1 acts as 1");
    let y = effect("coarse", &ramp, 2.5, 64);
    let mut taken = y.clone();
    taken.dedup();
    assert_eq!(taken.len(), 400);
    assert_eq!(&taken[..4], &[0.0, 3.0, 5.0, 8.0]);
}

/// On a stereo input every channel is held at the same instants.
#[test]
fn coarse_is_stereo() {
    let def = catalogue::find("coarse").unwrap();
    let l: Vec<f32> = (0..100).map(|i| i as f32).collect();
    let r: Vec<f32> = (0..100).map(|i| -(i as f32)).collect();
    let (channels, out) = catalogue::run(def, &[Input::Stereo(&l, &r), Input::Const(3.0)], SR, 16, 100);
    assert_eq!(channels, 2);
    for i in 0..100 {
        assert_eq!(out[i], (i / 3 * 3) as f32);
        assert_eq!(out[100 + i], -((i / 3 * 3) as f32));
    }
}

/// `fold a`: gain 1 + 9a, then the triangle fold; static levels match it, and amount 0 is the
/// identity within ±1.
#[test]
fn fold_transfer_curve() {
    let tri = |v: f32| {
        let t = (v + 1.0) / 4.0;
        1.0 - (4.0 * (t - t.floor()) - 2.0).abs()
    };
    for amount in [0.0f32, 0.3, 1.0] {
        for x in levels() {
            let want = tri((1.0 + 9.0 * amount) * x);
            let got = static_out("fold", x, amount);
            assert!((got - want).abs() < 1e-5, "fold {amount}: f({x}) = {got}, want {want}");
        }
    }
    for x in levels().filter(|x| x.abs() <= 1.0) {
        assert!((static_out("fold", x, 0.0) - x).abs() < 1e-6);
    }
    // 0.15 × 10 = 1.5 folds back to 0.5; 0.25 × 10 = 2.5 to −0.5
    assert!((static_out("fold", 0.15, 1.0) - 0.5).abs() < 1e-5);
    assert!((static_out("fold", 0.25, 1.0) + 0.5).abs() < 1e-5);
}

/// `fold` never leaves ±1, even for a loud input, and its harmonic content rises with the
/// amount: THD of a full-scale 441 Hz sine at amounts 0, 0.1, 0.25, 0.5, 1 strictly increases.
#[test]
fn fold_is_bounded_and_thd_rises_with_amount() {
    let loud: Vec<f32> = (0..20_000u32).map(|i| ((i.wrapping_mul(2_654_435_761) >> 8) as f32 / 8_388_608.0 - 1.0) * 8.0).collect();
    for amount in [0.0, 0.5, 1.0] {
        let y = effect("fold", &loud, amount, 64);
        assert!(peak(&y) <= 1.0, "fold {amount}: peak {}", peak(&y));
    }
    let x = sine_441(1.0, 44_100);
    let thd: Vec<f64> = [0.0, 0.1, 0.25, 0.5, 1.0].iter().map(|&a| thd_db(&effect("fold", &x, a, 64))).collect();
    println!("fold THD at 0, 0.1, 0.25, 0.5, 1: {thd:.1?} dB");
    assert!(thd[0] < -80.0, "fold 0 distorts a full-scale sine: {:.1} dB", thd[0]);
    assert!(thd.windows(2).all(|w| w[1] > w[0]), "THD does not rise: {thd:.1?}");
    assert!(thd[4] > -3.0, "fold 1 THD only {:.1} dB", thd[4]);
}

/// An amount that jumps is smoothed (5 ms): on a constant input of 0.1, `distort` stepping
/// from 0 to 1 moves its output in small steps and settles within 50 ms.
#[test]
fn amount_steps_are_smoothed() {
    let def = catalogue::find("distort").unwrap();
    let n = 4410;
    let amount: Vec<f32> = (0..n).map(|i| if i < 441 { 0.0 } else { 1.0 }).collect();
    let (_, y) = catalogue::run(def, &[Input::Const(0.1), Input::Mono(&amount)], SR, 64, n);
    let (before, after) = ((0.1f32).tanh() / 1f32.tanh(), (5.0f32).tanh() / 50f32.tanh());
    assert!((y[440] - before).abs() < 1e-6);
    let max_step = y.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max);
    assert!(max_step < 0.02 * (after - before), "a step of {max_step} (total change {})", after - before);
    assert!((y[441 + 2205] - after).abs() < 1e-3 * after, "not settled after 50 ms: {}", y[441 + 2205]);
}

/// Extreme and non-finite controls and large inputs give finite output.
#[test]
fn extreme_arguments_stay_finite() {
    let loud: Vec<f32> = (0..4096).map(|i| ((i as f32) * 0.37).sin() * 1e6).collect();
    for name in ["distort", "shape", "bitcrush", "coarse", "fold"] {
        for amount in [-1e9, 0.0, 0.5, 0.999_999, 1.0, 1e9, f32::NAN, f32::INFINITY] {
            let y = effect(name, &loud, amount, 64);
            assert_finite(&y);
        }
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
    for def in catalogue::all().filter(|d| d.family == "distortion") {
        let out = render_ph(def.example, 2.0);
        assert_finite(&out);
        assert!(rms(&out) > 1e-3, "{}: silent", def.example);
        assert!(peak(&out) <= 1.0, "{}: peak {}", def.example, peak(&out));
    }
}

/// Through the language, `shape` and `coarse` (also voice controls) are nodes after a signal:
/// a 0.5 sine through `shape 0.5` peaks at 0.75, and `coarse 4` holds values for 4 samples.
#[test]
fn language_uses_the_nodes_after_a_signal() {
    let l = left(&render_ph("out: (sine 441 * 0.5) # shape 0.5", 1.0));
    assert!((peak(&l) - 0.75).abs() < 0.002, "peak {}", peak(&l));
    let c = left(&render_ph("out: sine 441 # coarse 4 * 0.5", 0.1));
    let start = 512;
    let runs = c[start..start + 400].chunk_by(|a, b| a == b).map(|r| r.len()).collect::<Vec<_>>();
    assert!(runs[1..runs.len() - 1].iter().all(|&n| n == 4), "hold lengths {runs:?}");
    let d = left(&render_ph("out: sine 441 # bitcrush 2 * 0.5", 0.2));
    let mut levels = d.clone();
    levels.sort_by(f32::total_cmp);
    levels.dedup();
    assert_eq!(levels, [-0.5, -0.25, 0.0, 0.25, 0.5], "bitcrush 2 levels (scaled by 0.5)");
}
