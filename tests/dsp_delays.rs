//! The delay family (`tape`, `pingpong`, `multitap`), measured offline through the catalogue
//! harness: echo positions to the sample, echo gains against feedback, stability.
mod common;
use common::*;
use phonon::systems::dsp::catalogue::{Input, find, run};

const SR: f32 = 48_000.0;

/// `n` samples of silence with `amp` at sample 0.
fn impulse(n: usize, amp: f32) -> Vec<f32> {
    let mut x = vec![0.0; n];
    x[0] = amp;
    x
}

/// Run the catalogue node `name` in blocks of 64; returns (channels, channel-major output).
fn render_node(name: &str, args: &[Input<'_>], frames: usize) -> (usize, Vec<f32>) {
    let def = find(name).unwrap_or_else(|| panic!("no node {name}"));
    run(def, args, SR, 64, frames)
}

/// Index of the first sample whose magnitude exceeds `eps`.
fn first_above(x: &[f32], eps: f32) -> Option<usize> {
    x.iter().position(|v| v.abs() > eps)
}

/// |H| of the one-pole low-pass `y += a·(x − y)` with cutoff `fc` at `f` (Hz).
fn one_pole_lp_gain(fc: f64, f: f64) -> f64 {
    let sr = SR as f64;
    let a = 1.0 - (-std::f64::consts::TAU * fc / sr).exp();
    let w = std::f64::consts::TAU * f / sr;
    // a / (1 − (1−a)·e^{−jw})
    let (re, im) = (1.0 - (1.0 - a) * w.cos(), (1.0 - a) * w.sin());
    a / (re * re + im * im).sqrt()
}

/// `tape` with wow = flutter = 0: an impulse's echo begins exactly at round(time·sr) (nothing
/// earlier) and peaks there; the second echo (the difference from a render without feedback,
/// since the first echo's low-pass tail overlaps it) begins exactly at 2·round(time·sr).
#[test]
fn tape_echo_lands_on_the_exact_sample() {
    let time = 0.25;
    let d = (time * SR).round() as usize;
    let x = impulse(3 * d, 0.1);
    let tape = |fb: f32| {
        let args = [
            Input::Mono(&x),
            Input::Const(time),
            Input::Const(fb),
            Input::Const(0.0),
            Input::Const(0.0),
            Input::Const(0.0),
            Input::Const(1.0),
        ];
        render_node("tape", &args, x.len()).1
    };
    let (y, dry) = (tape(0.5), tape(0.0));
    let onset = first_above(&y[1..], 0.0).map(|i| i + 1);
    let peak = (1..2 * d).max_by(|&a, &b| y[a].abs().total_cmp(&y[b].abs()));
    assert_eq!(onset, Some(d), "first echo starts at {onset:?}, expected {d}");
    assert_eq!(peak, Some(d), "first echo peaks at {peak:?}, expected {d}");
    let second: Vec<f32> = y.iter().zip(&dry).map(|(a, b)| a - b).collect();
    assert_eq!(first_above(&second, 0.0), Some(2 * d), "second echo's onset");
    // the first echo is the impulse through tanh and one pass of the 6 kHz low-pass
    let want = (1.0 - (-std::f32::consts::TAU * 6000.0 / SR).exp()) * 0.1f32.tanh();
    assert!((y[d] - want).abs() < 1e-6, "first echo {} vs {want}", y[d]);
}

/// `tape` echo gains: a 1 kHz tone burst repeats with each echo `feedback` × the loop filters'
/// gain at 1 kHz (one-pole low-pass at 6 kHz and high-pass at 25 Hz, per pass) times the
/// previous, within 1% over four echoes, for feedback 0.5 and 0.8.
#[test]
fn tape_echoes_decay_by_feedback_through_the_loop_filters() {
    let (time, f) = (0.2f32, 1000.0);
    let d = (time * SR) as usize;
    let burst = (0.1 * SR) as usize;
    let x: Vec<f32> =
        (0..6 * d).map(|i| if i < burst { 0.05 * (std::f32::consts::TAU * f as f32 * i as f32 / SR).sin() } else { 0.0 }).collect();
    // loop filters at 1 kHz: low-pass × high-pass (= 1 − low-pass at 25 Hz, in complex terms)
    let lp = one_pole_lp_gain(6000.0, f);
    let hp = {
        let sr = SR as f64;
        let a = 1.0 - (-std::f64::consts::TAU * 25.0 / sr).exp();
        let w = std::f64::consts::TAU * f / sr;
        // 1 − a/(1 − (1−a)e^{−jw}) = (1 − (1−a)e^{−jw} − a)/(1 − (1−a)e^{−jw}) = (1−a)(1 − e^{−jw})/(…)
        let den = ((1.0 - (1.0 - a) * w.cos()).powi(2) + ((1.0 - a) * w.sin()).powi(2)).sqrt();
        let num = (1.0 - a) * ((1.0 - w.cos()).powi(2) + w.sin().powi(2)).sqrt();
        num / den
    };
    for fb in [0.5f32, 0.8] {
        let args = [
            Input::Mono(&x),
            Input::Const(time),
            Input::Const(fb),
            Input::Const(0.0),
            Input::Const(0.0),
            Input::Const(0.0),
            Input::Const(1.0),
        ];
        let (_, y) = render_node("tape", &args, x.len());
        // measure the middle 60 ms of each echo, away from the burst's edges
        let amp = |k: usize| amplitude_at(&y[k * d + burst / 5..k * d + burst * 4 / 5], f, SR as f64);
        let first = amp(1);
        assert!((first / (0.05 * lp) - 1.0).abs() < 0.01, "fb {fb}: first echo {first:.5}, expected {:.5}", 0.05 * lp);
        for k in 2..=5 {
            let ratio = amp(k) / amp(k - 1);
            let want = fb as f64 * lp * hp;
            assert!((ratio / want - 1.0).abs() < 0.01, "fb {fb}: echo {k}/{} = {ratio:.4}, expected {want:.4}", k - 1);
        }
    }
}

/// `tape` with feedback 1.5 (and drive, wow, flutter): after a half-second noise burst the loop
/// runs away but saturates: 30 s stay finite with |y| ≤ 1 (the tanh bounds the tape at 1 and
/// the output is a crossfade of it with the input), and it is still sounding at the end.
#[test]
fn tape_feedback_above_one_stays_bounded() {
    let n = (30.0 * SR) as usize;
    let mut seed = 1u32;
    let x: Vec<f32> = (0..n)
        .map(|i| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            if i < (SR as usize) / 2 { 0.5 * ((seed >> 8) as f32 / 8_388_608.0 - 1.0) } else { 0.0 }
        })
        .collect();
    for drive in [0.0, 1.0] {
        let args = [
            Input::Mono(&x),
            Input::Const(0.3),
            Input::Const(1.5),
            Input::Const(0.5),
            Input::Const(0.5),
            Input::Const(drive),
            Input::Const(0.5),
        ];
        let (_, y) = render_node("tape", &args, n);
        assert_finite(&y);
        let pk = peak(&y);
        let tail = rms(&y[n - SR as usize..]);
        println!("tape fb 1.5 drive {drive}: peak {pk:.3}, last-second rms {tail:.3}");
        assert!(pk <= 1.0, "drive {drive}: peak {pk}");
        assert!(tail > 0.01, "drive {drive}: the runaway loop died (rms {tail})");
    }
}

/// `tape` with a time that jumps (a signal stepping 0.1 s → 0.2 s): the time glides, so a
/// 437 Hz sine (amplitude 0.1) through it has no step — the largest sample-to-sample change
/// stays below 0.02 (a jump would be up to 0.2) — and a second later the output is the input
/// 0.2 s earlier (rms difference below 0.01, the low-pass's phase shift; 0.1 s earlier is
/// 0.7 cycles off).
#[test]
fn tape_time_changes_glide_without_clicks() {
    let n = (2.0 * SR) as usize;
    let x: Vec<f32> = (0..n).map(|i| 0.1 * (std::f32::consts::TAU * 437.0 * i as f32 / SR).sin()).collect();
    let time: Vec<f32> = (0..n).map(|i| if i < n / 2 { 0.1 } else { 0.2 }).collect();
    let args = [
        Input::Mono(&x),
        Input::Mono(&time),
        Input::Const(0.0),
        Input::Const(0.0),
        Input::Const(0.0),
        Input::Const(0.0),
        Input::Const(1.0),
    ];
    let (_, y) = render_node("tape", &args, n);
    let step = y.windows(2).skip((0.15 * SR) as usize).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max);
    let miss = |d: usize| rms(&(n - 4800..n).map(|j| y[j] - x[j - d]).collect::<Vec<f32>>());
    let (new, old) = (miss(9600), miss(4800));
    println!("tape time jump: largest step {step:.4}; rms miss at 0.2 s {new:.4}, at 0.1 s {old:.4}");
    assert!(step < 0.02, "largest sample step {step}");
    assert!(new < 0.01 && old > 0.05, "echo not at the new time: {new} vs {old}");
}

/// `pingpong`: an impulse echoes left at time, right at 2·time, left at 3·time …, exactly on
/// the sample, the other channel silent then, each echo `feedback` × the previous (within 1%,
/// measured: exact to float rounding), and nothing between echoes.
#[test]
fn pingpong_alternates_channels_with_feedback_gains() {
    let (time, fb) = (0.1f32, 0.6f32);
    let d = (time * SR).round() as usize;
    let x = impulse(7 * d, 0.5);
    let args = [Input::Mono(&x), Input::Const(time), Input::Const(fb), Input::Const(1.0)];
    let (ch, y) = render_node("pingpong", &args, x.len());
    assert_eq!(ch, 2);
    let (l, r) = y.split_at(x.len());
    for k in 1..=6 {
        let (on, off) = if k % 2 == 1 { (l, r) } else { (r, l) };
        let want = 0.5 * fb.powi(k as i32 - 1);
        let got = on[k * d];
        assert!((got / want - 1.0).abs() < 0.01, "echo {k}: {got} vs {want}");
        assert_eq!(off[k * d], 0.0, "echo {k} leaks into the other channel");
    }
    let stray = (1..7 * d).filter(|i| i % d != 0).map(|i| l[i].abs().max(r[i].abs())).fold(0.0, f32::max);
    assert!(stray < 1e-6, "output between echoes: {stray}");
}

/// `pingpong` with feedback 1.5 and a loud noise burst: finite and at most 2 for 30 s.
#[test]
fn pingpong_feedback_above_one_stays_bounded() {
    let n = (30.0 * SR) as usize;
    let x: Vec<f32> = (0..n).map(|i| if i < 4800 { if i % 7 < 3 { 1.0 } else { -1.0 } } else { 0.0 }).collect();
    let args = [Input::Mono(&x), Input::Const(0.05), Input::Const(1.5), Input::Const(0.5)];
    let (_, y) = render_node("pingpong", &args, n);
    assert_finite(&y);
    let pk = peak(&y);
    println!("pingpong fb 1.5: peak {pk:.3}");
    assert!(pk <= 2.0, "peak {pk}");
}

/// `multitap 0.05 3 0.5`: an impulse gives taps at 1, 2, 3 × time with gains 1, 2/3, 1/3, and
/// the pattern repeats every 3·time with feedback^k: every echo on its sample within 1%, and
/// silence everywhere else.
#[test]
fn multitap_taps_and_repeats() {
    let (time, taps, fb) = (0.05f32, 3usize, 0.5f32);
    let d = (time * SR).round() as usize;
    let x = impulse(13 * d, 0.5);
    let args = [Input::Mono(&x), Input::Const(time), Input::Const(taps as f32), Input::Const(fb), Input::Const(1.0)];
    let (_, y) = render_node("multitap", &args, x.len());
    for k in 0..4 {
        for j in 1..=taps {
            let at = j * d + k * taps * d;
            let want = 0.5 * (taps + 1 - j) as f32 / taps as f32 * fb.powi(k as i32);
            assert!((y[at] / want - 1.0).abs() < 0.01, "repeat {k} tap {j} at {at}: {} vs {want}", y[at]);
        }
    }
    let stray = (1..13 * d).filter(|i| i % d != 0).map(|i| y[i].abs()).fold(0.0, f32::max);
    assert!(stray < 1e-6, "output between taps: {stray}");
}

/// Each delay's `.ph` example parses, renders 2 s of finite audio, and stays below 0 dBFS.
#[test]
fn examples_render() {
    for name in ["tape", "pingpong", "multitap"] {
        assert_example_renders(name);
    }
}

/// Every delays node stays finite and bounded (peak ≤ 4 on a ±1 noise input) with extreme
/// arguments: every control at -1e9, -1, 0 or 1e9 as a constant (which also sizes the delay
/// lines), and as a signal jumping between -1e9 and 1e9 every 100 samples.
#[test]
fn extreme_arguments_stay_finite() {
    assert_family_survives_extreme_arguments("delays", 4.0);
}
