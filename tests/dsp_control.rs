//! The control family (`range`, `clip`, `mtof`, `line`, `xline`, `segments`, `lag`, `slew`,
//! `sample_hold`, `select`, `xfade`, `mix`, `pan2`, `follow`, `rms`, `adsr`, `ar`), measured
//! offline through the catalogue harness against exact values: ramp breakpoints to the sample,
//! time constants, slopes, pan laws, RMS of a sine; then end to end through the language.
mod common;
use common::*;
use phonon::render::render_to_vec;
use phonon::systems::dsp::catalogue::{self, Input, find, run};
use phonon::{Engine, Scene};

const SR: f32 = 48_000.0;

/// Run the catalogue node `name` in blocks of 64; returns (channels, channel-major output).
fn node(name: &str, args: &[Input<'_>], frames: usize) -> (usize, Vec<f32>) {
    let def = find(name).unwrap_or_else(|| panic!("no node {name}"));
    run(def, args, SR, 64, frames)
}

/// A mono node's output.
fn mono(name: &str, args: &[Input<'_>], frames: usize) -> Vec<f32> {
    node(name, args, frames).1[..frames].to_vec()
}

fn sine(freq: f64, amp: f64, n: usize) -> Vec<f32> {
    (0..n).map(|i| (amp * (std::f64::consts::TAU * freq * i as f64 / SR as f64).sin()) as f32).collect()
}

/// 0 before sample `at`, then `v`.
fn step(n: usize, at: usize, v: f32) -> Vec<f32> {
    (0..n).map(|i| if i < at { 0.0 } else { v }).collect()
}

fn white_noise(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.max(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 8) as f32 / 8_388_608.0 - 1.0
        })
        .collect()
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

fn render_ph(src: &str, seconds: f64) -> Vec<f32> {
    let scene = Scene::from_ph(src, "test.ph").unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut engine = Engine::from_scene(&scene, "test.ph", cfg(512, 1)).unwrap_or_else(|e| panic!("{src}: {e}"));
    render_to_vec(&mut engine, (seconds * 44_100.0) as u64)
}

/// `line 0.25 -0.75 0.1`: starts at `from`, is a straight line to within 1e-5, lands exactly on
/// `to` at sample 0.1·48000 = 4800 and holds it.
#[test]
fn line_is_straight_and_lands_on_its_sample() {
    let (from, to, n) = (0.25f32, -0.75f32, 4800usize);
    let y = mono("line", &[Input::Const(from), Input::Const(to), Input::Const(0.1)], 6000);
    let dev = (0..=n).map(|i| (y[i] as f64 - (from as f64 + (to - from) as f64 * i as f64 / n as f64)).abs()).fold(0.0, f64::max);
    println!("line: max deviation from the straight line {dev:.2e}; y[4799] = {}, y[4800] = {}", y[n - 1], y[n]);
    assert_eq!(y[0], from);
    assert!(dev < 1e-5, "deviation {dev}");
    assert!(y[n - 1] != to && y[n..].iter().all(|&v| v == to), "lands on `to` at sample {n}");
}

/// `xline 110 880 0.5`: ln(y) is a straight line (to 1e-5), 880 exactly from sample 24000; ends
/// of different signs or zero are raised to 1e-6 and the output stays finite and positive.
#[test]
fn xline_is_exponential() {
    let n = 24_000usize;
    let y = mono("xline", &[Input::Const(110.0), Input::Const(880.0), Input::Const(0.5)], 30_000);
    let dev = (0..=n).map(|i| ((y[i] as f64).ln() - (110f64.ln() + 8f64.ln() * i as f64 / n as f64)).abs()).fold(0.0, f64::max);
    let mid = y[n / 2] as f64;
    println!("xline: max deviation of ln(y) from a line {dev:.2e}; midpoint {mid:.4} (geometric mean {:.4})", (110.0f64 * 880.0).sqrt());
    assert_eq!(y[0], 110.0);
    assert!(dev < 1e-5, "log deviation {dev}");
    assert!((mid - (110.0f64 * 880.0).sqrt()).abs() < 1e-3);
    assert!(y[n - 1] < 880.0 && y[n..].iter().all(|&v| v == 880.0));

    let y = mono("xline", &[Input::Const(0.0), Input::Const(1.0), Input::Const(0.01)], 1000);
    assert_eq!(y[0], 1e-6);
    assert_eq!(y[480], 1.0);
    let y = mono("xline", &[Input::Const(-1.0), Input::Const(-0.001), Input::Const(0.01)], 1000);
    assert!((y[240] + 0.001f32.sqrt()).abs() < 1e-6, "negative ends mirror: {}", y[240]);
    let y = mono("xline", &[Input::Const(1.0), Input::Const(-1.0), Input::Const(0.01)], 1000);
    assert!(y.iter().all(|v| v.is_finite() && *v > 0.0) && y[999] == 1e-6);
}

/// `segments 0 0.01 1 0.02 0.25 0.005 0.5`: breakpoints at samples 480, 1440 and 1680, straight
/// between them, and the last level held; levels not given hold the one before.
#[test]
fn segments_hit_each_breakpoint_on_its_sample() {
    let args = [0.0, 0.01, 1.0, 0.02, 0.25, 0.005, 0.5].map(Input::Const);
    let y = mono("segments", &args, 4000);
    println!("segments: y[0] {}, y[480] {}, y[1440] {}, y[1680] {}, y[240] {}, y[960] {}", y[0], y[480], y[1440], y[1680], y[240], y[960]);
    assert_eq!([y[0], y[480], y[1440], y[1680]], [0.0, 1.0, 0.25, 0.5]);
    assert!(y[479] < 1.0 && y[1439] > 0.25 && y[1679] < 0.5);
    assert!((y[240] - 0.5).abs() < 1e-6 && (y[960] - 0.625).abs() < 1e-6 && (y[1560] - 0.375).abs() < 1e-6);
    assert!(y[1680..].iter().all(|&v| v == 0.5));
    // only l0 t1 l1 given: l2 and l3 come as their (absent) defaults and l1 is held
    let def = find("segments").unwrap();
    let mut args: Vec<Input<'_>> = def.args.iter().map(|a| Input::Const(a.default)).collect();
    args[..3].copy_from_slice(&[Input::Const(1.0), Input::Const(0.01), Input::Const(0.0)]);
    let y = mono("segments", &args, 2000);
    assert!(y[480..].iter().all(|&v| v == 0.0) && (y[240] - 0.5).abs() < 1e-6);
}

/// `lag 0.01` on a step: 63.2 % (1 − 1/e) after 0.01 s = 480 samples; it starts at its input's
/// first value instead of rising from 0.
#[test]
fn lag_reaches_63_percent_in_its_time() {
    let at = 1000;
    let y = mono("lag", &[Input::Mono(&step(4000, at, 1.0)), Input::Const(0.01)], 4000);
    let target = 1.0 - (-1.0f64).exp();
    // the step sample is the first one that moves, so 480 samples in is index at + 479
    let v = y[at + 479] as f64;
    let crossing = y.iter().position(|&v| v as f64 >= target).unwrap_or(0) - at + 1;
    println!("lag 0.01: {v:.5} after 480 samples (1 − 1/e = {target:.5}); 63.2 % reached after {crossing} samples");
    assert!((crossing as f64 / 480.0 - 1.0).abs() < 0.02, "{crossing}");
    assert!((v - target).abs() < 1e-4);
    let y = mono("lag", &[Input::Const(0.7), Input::Const(0.5)], 100);
    assert!(y.iter().all(|&v| v == 0.7), "starts at its first input");
    let x = white_noise(500, 3);
    assert_eq!(mono("lag", &[Input::Mono(&x), Input::Const(0.0)], 500), x, "lag 0 passes its input");
}

/// `slew 100 50`: a step up from 0 to 1 rises at exactly 100 units/s (480 samples), the step
/// down falls at 50 units/s (960 samples).
#[test]
fn slew_limits_the_slope_to_its_rates() {
    let n = 6000;
    let x: Vec<f32> = (0..n).map(|i| if (1000..3000).contains(&i) { 1.0 } else { 0.0 }).collect();
    let y = mono("slew", &[Input::Mono(&x), Input::Const(100.0), Input::Const(50.0)], n);
    let d: Vec<f64> = y.windows(2).map(|w| (w[1] as f64 - w[0] as f64) * SR as f64).collect();
    let up = d.iter().cloned().fold(0.0, f64::max);
    let down = -d.iter().cloned().fold(0.0, f64::min);
    let top = y.iter().position(|&v| v == 1.0).unwrap_or(0) - 999;
    let bottom = y[3000..].iter().position(|&v| v == 0.0).unwrap_or(0) + 1;
    println!("slew 100 50: max rise {up:.4}/s, max fall {down:.4}/s; 0→1 in {top} samples, 1→0 in {bottom}");
    assert!((up / 100.0 - 1.0).abs() < 1e-4 && (down / 50.0 - 1.0).abs() < 1e-4);
    assert!((479..=481).contains(&top) && (959..=961).contains(&bottom));
}

/// `sample_hold`: takes its input exactly on each rising edge of the trigger (once per edge,
/// however long the trigger stays high), holds it, and outputs 0 before the first.
#[test]
fn sample_hold_steps_exactly_at_triggers() {
    let n = 600;
    let x: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let trig: Vec<f32> = (0..n).map(|i| if i == 100 || (250..=260).contains(&i) || i == 400 { 1.0 } else { -0.5 }).collect();
    let y = mono("sample_hold", &[Input::Mono(&x), Input::Mono(&trig)], n);
    let want = |i: usize| match i {
        0..100 => 0.0,
        100..250 => 100.0,
        250..400 => 250.0,
        _ => 400.0,
    };
    assert!((0..n).all(|i| y[i] == want(i)), "{:?}", &y[95..105]);
    // a trigger already high on the first sample takes it
    let y = mono("sample_hold", &[Input::Mono(&x), Input::Const(1.0)], 10);
    assert!(y.iter().all(|&v| v == 0.0) && x[0] == 0.0);
    let y = mono("sample_hold", &[Input::Mono(&x[5..]), Input::Const(1.0)], 10);
    assert!(y.iter().all(|&v| v == 5.0));
}

/// `mtof`: 69 → 440 Hz and 81 → 880 Hz exactly, 57 → 220, 60 → 261.626; extreme notes stay finite.
#[test]
fn mtof_maps_notes_to_hz() {
    let f = |note: f32| mono("mtof", &[Input::Const(note)], 1)[0];
    println!("mtof: 69 → {}, 81 → {}, 57 → {}, 60 → {}", f(69.0), f(81.0), f(57.0), f(60.0));
    assert_eq!((f(69.0), f(81.0), f(57.0)), (440.0, 880.0, 220.0));
    assert!((f(60.0) - 261.625_58).abs() < 1e-3);
    assert!(f(1e30).is_finite() && f(-1e30) >= 0.0 && f(f32::NAN) == 0.0);
}

/// `select idx 1 2 3`: the output switches on the exact sample the index changes; the index is
/// rounded and wrapped by the number of choices given (3 here: the other four are absent).
#[test]
fn select_switches_on_the_index_sample() {
    let n = 6000;
    let idx: Vec<f32> = (0..n).map(|i| [0.0, 1.0, 2.4, 3.0, -1.0, 1.6][i / 1000]).collect();
    let def = find("select").unwrap();
    let mut args: Vec<Input<'_>> = def.args.iter().map(|a| Input::Const(a.default)).collect();
    args[..4].copy_from_slice(&[Input::Mono(&idx), Input::Const(10.0), Input::Const(20.0), Input::Const(30.0)]);
    let y = mono("select", &args, n);
    let want = [10.0, 20.0, 30.0, 10.0, 30.0, 30.0];
    assert!((0..n).all(|i| y[i] == want[i / 1000]), "{:?}", (0..6).map(|k| y[k * 1000]).collect::<Vec<_>>());
    // signals pass sample for sample; a stereo choice makes it stereo
    let a = white_noise(512, 5);
    let b = white_noise(512, 6);
    let (ch, y) = node(
        "select",
        &[Input::Const(1.0), Input::Mono(&a), Input::Stereo(&a, &b)].iter().chain(&args[3..]).copied().collect::<Vec<_>>(),
        512,
    );
    assert_eq!(ch, 2);
    assert!(y[..512] == a[..] && y[512..] == b[..]);
}

/// `xfade a b 0.5`: each side at cos(π/4) = −3.01 dB; 0 and 1 give one side alone; uncorrelated
/// noises keep their power (within 0.2 dB) across the fade.
#[test]
fn xfade_is_equal_power() {
    let n = 48_000;
    let a = white_noise(n, 11);
    let b = white_noise(n, 12);
    let zero = vec![0.0; n];
    let gain = |x: &[f32], pos: f32| {
        let y = mono("xfade", &[Input::Mono(x), Input::Mono(&zero), Input::Const(pos)], n);
        db(rms(&y) / rms(x))
    };
    let (ga, gb) = (gain(&a, 0.5), {
        let y = mono("xfade", &[Input::Mono(&zero), Input::Mono(&b), Input::Const(0.5)], n);
        db(rms(&y) / rms(&b))
    });
    println!("xfade 0.5: a at {ga:.4} dB, b at {gb:.4} dB (−3.0103 analytic)");
    assert!((ga + 3.0103).abs() < 1e-3 && (gb + 3.0103).abs() < 1e-3);
    assert!(gain(&a, 0.0).abs() < 1e-5);
    let powers: Vec<f64> = [0.0, 0.2, 0.5, 0.8, 1.0]
        .iter()
        .map(|&p| db(rms(&mono("xfade", &[Input::Mono(&a), Input::Mono(&b), Input::Const(p)], n)) / rms(&a)))
        .collect();
    println!("xfade of two noises: power {powers:.3?} dB at x = 0, 0.2, 0.5, 0.8, 1");
    assert!(powers.iter().all(|p| p.abs() < 0.2));
}

/// `mix`: the exact sum of its arguments, widening to stereo if one of them is.
#[test]
fn mix_sums() {
    let n = 256;
    let (a, b, c) = (white_noise(n, 1), white_noise(n, 2), white_noise(n, 3));
    let mut args = vec![Input::Const(0.0); 8];
    args[..3].copy_from_slice(&[Input::Mono(&a), Input::Mono(&b), Input::Const(0.25)]);
    let y = mono("mix", &args, n);
    assert!((0..n).all(|i| y[i] == a[i] + b[i] + 0.25));
    args[2] = Input::Stereo(&b, &c);
    let (ch, y) = node("mix", &args, n);
    assert_eq!(ch, 2);
    assert!((0..n).all(|i| y[n + i] == a[i] + b[i] + c[i]));
}

/// `pan2`: L² + R² = x² at every position (to 1e-6) while pos sweeps -1..1; -1 is left only, 0 is
/// −3.01 dB each side; a stereo input is summed to (L + R)/2.
#[test]
fn pan2_is_equal_power() {
    let n = 48_000;
    let pos: Vec<f32> = (0..n).map(|i| -1.0 + 2.0 * i as f32 / (n - 1) as f32).collect();
    let (ch, y) = node("pan2", &[Input::Const(0.8), Input::Mono(&pos)], n);
    assert_eq!(ch, 2);
    let dev = (0..n).map(|i| ((y[i] as f64).powi(2) + (y[n + i] as f64).powi(2) - 0.64).abs()).fold(0.0, f64::max);
    println!("pan2: max |L² + R² − x²| {dev:.2e} over a sweep");
    assert!(dev < 1e-6);
    let at = |p: f32| {
        let (_, y) = node("pan2", &[Input::Const(1.0), Input::Const(p)], 1);
        (y[0], y[1])
    };
    let (l, r) = at(0.0);
    println!("pan2 0: L {:.4} dB, R {:.4} dB", db(l as f64), db(r as f64));
    assert!((db(l as f64) + 3.0103).abs() < 1e-3 && (l - r).abs() < 1e-7);
    assert_eq!(at(-1.0).0, 1.0);
    assert!(at(-1.0).1.abs() < 1e-7 && at(1.0).0.abs() < 1e-7 && at(1.0).1 == 1.0);
    let ones = vec![1.0; 4];
    let zeros = vec![0.0; 4];
    let (_, y) = node("pan2", &[Input::Stereo(&ones, &zeros), Input::Const(-1.0)], 4);
    assert_eq!((y[0], y[4]), (0.5, 0.0));
}

/// `follow 0.01 0.1`: a step to 1 is followed to 63.2 % in 480 samples (the attack), its end
/// falls to 36.8 % in 4800 (the release); the output is never negative.
#[test]
fn follow_has_its_time_constants() {
    let n = 40_000;
    let x: Vec<f32> = (0..n).map(|i| if (1000..20_000).contains(&i) { -1.0 } else { 0.0 }).collect();
    let y = mono("follow", &[Input::Mono(&x), Input::Const(0.01), Input::Const(0.1)], n);
    let e = (-1.0f64).exp();
    let rise = y.iter().position(|&v| v as f64 >= 1.0 - e).unwrap_or(0) - 999;
    let fall = y[20_000..].iter().position(|&v| (v as f64) <= e * y[19_999] as f64).unwrap_or(0) + 1;
    println!("follow 0.01 0.1: 63.2 % after {rise} samples (480), down to 36.8 % after {fall} (4800)");
    assert!((rise as f64 / 480.0 - 1.0).abs() < 0.01 && (fall as f64 / 4800.0 - 1.0).abs() < 0.01);
    let noise = white_noise(n, 9);
    assert!(mono("follow", &[Input::Mono(&noise), Input::Const(0.0), Input::Const(0.05)], n).iter().all(|&v| v >= 0.0));
}

/// `rms 0.1` on a 0.8 sine: 0.8/√2 within 0.5 % once the window is full, with the window a
/// constant and a signal; silence before the start counts (half a window in: half the power).
#[test]
fn rms_of_a_sine() {
    let n = 24_000;
    let x = sine(441.0, 0.8, n);
    let want = 0.8 / 2f64.sqrt();
    let worst = |y: &[f32]| y[4800..].iter().map(|&v| (v as f64 / want - 1.0).abs()).fold(0.0, f64::max);
    let y = mono("rms", &[Input::Mono(&x), Input::Const(0.1)], n);
    let times = vec![0.1f32; n];
    let z = mono("rms", &[Input::Mono(&x), Input::Mono(&times)], n);
    println!(
        "rms 0.1 of a 0.8 sine: {:.5} ({want:.5}), worst error {:.3} % (constant), {:.3} % (signal window)",
        y[n - 1],
        100.0 * worst(&y),
        100.0 * worst(&z)
    );
    assert!(worst(&y) < 0.005 && worst(&z) < 0.005);
    assert!((y[2399] as f64 / (want / 2f64.sqrt()) - 1.0).abs() < 0.01, "half window {}", y[2399]);
    // a window jumping between 0.1 and 0.02 s (whole periods of 500 Hz) stays exact: the running
    // sum takes in or gives back the samples the change adds or removes
    let x = sine(500.0, 0.8, n);
    let times: Vec<f32> = (0..n).map(|i| if (i / 3000) % 2 == 0 { 0.1 } else { 0.02 }).collect();
    let z = mono("rms", &[Input::Mono(&x), Input::Mono(&times)], n);
    println!("rms with a window jumping 0.1 ↔ 0.02 s on whole periods: worst error {:.2e}", worst(&z));
    assert!(worst(&z) < 1e-5);
}

/// `adsr gate 0.01 0.02 0.5 0.05` with the gate open from sample 100 to 6100: 0 at the gate, 1
/// exactly 480 samples later, 0.5 after 960 more, held, then 0 exactly 2400 after the gate
/// closes; straight lines between.
#[test]
fn adsr_segments_land_on_their_samples() {
    let n = 10_000;
    let gate: Vec<f32> = (0..n).map(|i| if (100..6100).contains(&i) { 1.0 } else { 0.0 }).collect();
    let args = [Input::Mono(&gate), Input::Const(0.01), Input::Const(0.02), Input::Const(0.5), Input::Const(0.05)];
    let y = mono("adsr", &args, n);
    println!(
        "adsr: y[100] {}, y[340] {}, y[580] {}, y[1060] {}, y[1540] {}, y[6100] {}, y[7300] {}, y[8500] {}",
        y[100], y[340], y[580], y[1060], y[1540], y[6100], y[7300], y[8500]
    );
    assert!(y[..=100].iter().all(|&v| v == 0.0));
    assert!((y[340] - 0.5).abs() < 1e-6 && y[579] < 1.0 && y[580] == 1.0);
    assert!((y[1060] - 0.75).abs() < 1e-6 && y[1539] > 0.5 && y[1540..6100].iter().all(|&v| v == 0.5));
    assert!((y[7300] - 0.25).abs() < 1e-6 && y[8499] > 0.0 && y[8500..].iter().all(|&v| v == 0.0));
    // a gate closing mid-attack releases from where the envelope is (239/480 on the last open sample)
    let gate: Vec<f32> = (0..n).map(|i| if (100..340).contains(&i) { 1.0 } else { 0.0 }).collect();
    let y = mono("adsr", &[Input::Mono(&gate), args[1], args[2], args[3], args[4]], n);
    let from = 239.0 / 480.0;
    assert!((y[339] - from).abs() < 1e-6 && y[340] == y[339]);
    assert!((y[340 + 1200] - from / 2.0).abs() < 1e-6 && y[340 + 2399] > 0.0 && y[340 + 2400] == 0.0);
}

/// `ar gate 0.005 0.01`: 1 exactly 240 samples after the gate opens, held while it is open, 0
/// exactly 480 samples after it closes; a new gate restarts the attack.
#[test]
fn ar_rises_holds_and_releases() {
    let n = 4000;
    let gate: Vec<f32> = (0..n).map(|i| if (0..1000).contains(&i) || (2000..2100).contains(&i) { 0.5 } else { -1.0 }).collect();
    let y = mono("ar", &[Input::Mono(&gate), Input::Const(0.005), Input::Const(0.01)], n);
    assert!(y[0] == 0.0 && (y[120] - 0.5).abs() < 1e-6 && y[239] < 1.0 && y[240..1000].iter().all(|&v| v == 1.0));
    assert!((y[1240] - 0.5).abs() < 1e-6 && y[1479] > 0.0 && y[1480..2000].iter().all(|&v| v == 0.0));
    assert!((y[2060] - 0.25).abs() < 1e-6 && (y[2100] - 99.0 / 240.0).abs() < 1e-6 && y[2100 + 480] == 0.0);
}

/// Every control node writes finite samples with extreme arguments: each argument at -1e9, -1,
/// 0, 1e-9 or 1e9 as a constant and as a signal jumping between ±1e9, on a loud noise input,
/// mono and stereo.
#[test]
fn extreme_arguments_stay_finite() {
    let n = 4800;
    let noise: Vec<f32> = white_noise(n, 17).iter().map(|v| v * 1e3).collect();
    let noise2 = white_noise(n, 18);
    let jumps: Vec<f32> = (0..n).map(|i| if (i / 100) % 2 == 0 { 1e9 } else { -1e9 }).collect();
    let values = [Input::Const(-1e9), Input::Const(-1.0), Input::Const(0.0), Input::Const(1e-9), Input::Const(1e9), Input::Mono(&jumps)];
    for def in catalogue::all().filter(|d| d.family == "control") {
        for v in values {
            for stereo in [false, true] {
                let args: Vec<Input<'_>> = def
                    .args
                    .iter()
                    .map(|a| match (a.name, stereo) {
                        ("input", false) => Input::Mono(&noise),
                        ("input", true) => Input::Stereo(&noise, &noise2),
                        _ => v,
                    })
                    .collect();
                let (_, y) = run(def, &args, SR, 64, n);
                if let Some(i) = y.iter().position(|v| !v.is_finite()) {
                    panic!("{}: sample {i} is {} with arguments {v:?}", def.name, y[i]);
                }
            }
        }
    }
}

/// Each control node's `.ph` example parses and renders 2 s of finite, audible audio below 0 dBFS.
#[test]
fn examples_render() {
    for def in catalogue::all().filter(|d| d.family == "control") {
        let y = render_ph(def.example, 2.0);
        assert_finite(&y);
        let (pk, level) = (peak(&y), rms(&y));
        println!("{}: `{}` peak {pk:.3}, rms {level:.3}", def.name, def.example);
        assert!(pk < 1.0 && level > 1e-3, "{}: peak {pk}, rms {level}", def.name);
    }
}

/// Through the language: `mtof` of a note signal or pattern tunes an oscillator (81 → 880 Hz,
/// "69 81" → 440 then 880 Hz), `pan2 (-1)`
/// leaves the right channel silent, `adsr` with a square gate is loud while the gate is open
/// and silent once released, and `select` picks by a signal index.
#[test]
fn control_nodes_through_the_language() {
    let sr = 44_100.0;
    let y = left(&render_ph("out: sine (mtof (square 0.25 # range 69 81)) * 0.5", 1.0));
    let f = zero_crossing_freq(&y[4410..], sr);
    println!("sine (mtof (square 0.25 # range 69 81)): {f:.2} Hz");
    assert!((f - 880.0).abs() < 0.5, "{f}");
    // cps 0.5: each of the two steps lasts a second
    let y = left(&render_ph("out: sine (mtof \"69 81\") * 0.5", 2.0));
    let (f1, f2) = (zero_crossing_freq(&y[4410..40_000], sr), zero_crossing_freq(&y[48_510..84_000], sr));
    println!("sine (mtof \"69 81\"): {f1:.2} Hz then {f2:.2} Hz");
    assert!((f1 - 440.0).abs() < 0.5 && (f2 - 880.0).abs() < 0.5, "{f1} {f2}");
    let y = left(&render_ph("out: sine (mtof 69) * 0.5", 0.5));
    assert!((zero_crossing_freq(&y[441..], sr) - 440.0).abs() < 0.5);

    let y = render_ph("out: sine 440 # pan2 (-1) * 0.5", 0.5);
    let (l, r) = (left(&y), right(&y));
    assert!(rms(&l) > 0.3 && peak(&r) < 1e-6, "left {} right {}", rms(&l), peak(&r));

    // gate open for the first half second of each second
    let y = left(&render_ph("out: saw 110 * adsr (square 1) 0.01 0.1 0.5 0.05 * 0.5", 1.0));
    let (open, closed) = (rms(&y[8820..21_000]), rms(&y[26_000..43_000]));
    println!("adsr through .ph: rms {open:.3} while the gate is open, {closed:.2e} after release");
    assert!(open > 0.1 && closed < 1e-4);

    let y = left(&render_ph("out: select (square 1 * 0.5 + 0.5) (sine 0 + 0.25) (sine 0 + 0.5)", 1.0));
    assert!((y[10_000] - 0.5).abs() < 1e-6 && (y[30_000] - 0.25).abs() < 1e-6, "{} {}", y[10_000], y[30_000]);
}
