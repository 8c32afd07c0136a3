//! The catalogue's dynamics processors measured: the compressor's static curve and time
//! constants, the limiter's hard ceiling, transparency and latency, sidechain ducking depth, and
//! the gate's attenuation and pass-through; plus the `.ph` examples rendered end to end.
mod common;
use common::*;
use phonon::systems::dsp::catalogue::{Input, find, run};
use phonon::systems::dsp::nodes::dynamics::limiter_latency;

const SR: f32 = 48_000.0;

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

fn lin(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

/// A sine of `amp` at `freq` Hz, `secs` long.
fn sine(freq: f32, amp: f32, secs: f32) -> Vec<f32> {
    (0..(secs * SR) as usize).map(|i| amp * (2.0 * std::f32::consts::PI * freq * i as f32 / SR).sin()).collect()
}

/// Concatenated constant (DC) segments: (level, seconds).
fn steps(segments: &[(f32, f32)]) -> Vec<f32> {
    segments.iter().flat_map(|&(v, s)| std::iter::repeat_n(v, (s * SR) as usize)).collect()
}

/// Run the effect `name` on a mono `input` with constant typed arguments.
fn fx(name: &str, input: &[f32], args: &[f32]) -> Vec<f32> {
    let def = find(name).unwrap_or_else(|| panic!("no node {name}"));
    let mut inputs = vec![Input::Mono(input)];
    inputs.extend(args.iter().map(|&a| Input::Const(a)));
    let (ch, y) = run(def, &inputs, SR, 64, input.len());
    assert_eq!(ch, 1);
    assert_finite(&y);
    y
}

/// The last `secs` of `x`.
fn tail(x: &[f32], secs: f32) -> &[f32] {
    &x[x.len() - (secs * SR) as usize..]
}

/// The documented static curve: hard knee `T + (x-T)/R` above the threshold, with a quadratic
/// soft knee of width `w` around it.
fn expected_level(x: f64, t: f64, r: f64, w: f64) -> f64 {
    if 2.0 * (x - t) < -w {
        x
    } else if w > 0.0 && 2.0 * (x - t).abs() <= w {
        x + (1.0 / r - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w)
    } else {
        t + (x - t) / r
    }
}

// ---------------------------------------------------------------------------------------------
// Compressor

/// Steady 1 kHz sines from -40 to 0 dBFS: after settling the output peak level follows
/// `threshold + (in - threshold)/ratio` (+ makeup, through the soft knee when given) within 0.5 dB.
#[test]
fn compressor_static_curve() {
    for (t, r, makeup, knee) in [(-20.0, 4.0, 0.0, 0.0), (-30.0, 2.0, 6.0, 0.0), (-20.0, 10.0, 0.0, 12.0)] {
        let mut worst = 0.0f64;
        for level in (-40..=0).step_by(5).map(|l| l as f64) {
            let x = sine(1000.0, lin(level), 1.0);
            let y = fx("compressor", &x, &[t as f32, r as f32, 0.01, 0.1, makeup as f32, knee as f32]);
            let got = db(peak(tail(&y, 0.25)) as f64);
            let want = expected_level(level, t, r, knee) + makeup;
            println!("compressor {t} {r} makeup {makeup} knee {knee}: in {level} dBFS → out {got:.2} dBFS (curve {want:.2})");
            assert!((got - want).abs() < 0.5, "in {level}: out {got:.2}, curve {want:.2}");
            worst = worst.max((got - want).abs());
        }
        println!("compressor {t} {r} makeup {makeup} knee {knee}: worst deviation {worst:.3} dB");
    }
}

/// Gain (dB) per sample of `y` against `x` (both nonzero DC here).
fn gain_db(x: &[f32], y: &[f32]) -> Vec<f64> {
    x.iter().zip(y).map(|(&a, &b)| db((b / a) as f64)).collect()
}

/// Seconds from `start` until `g` first crosses 63% of the way from `g[start - 1]` to `g[end]`.
fn time_to_63(g: &[f64], start: usize, end: usize) -> f64 {
    let (from, to) = (g[start - 1], g[end]);
    let mark = from + 0.632 * (to - from);
    let n = (start..=end).find(|&i| if to < from { g[i] <= mark } else { g[i] >= mark }).expect("never crossed 63%");
    (n - start) as f64 / SR as f64
}

/// A level step from -40 to 0 dBFS and back (DC, so the gain is exact per sample): the gain
/// reduction reaches 63% of its change after `attack` and recovers 63% after `release` (±20%).
#[test]
fn compressor_time_constants() {
    for (attack, release) in [(0.01, 0.1), (0.001, 0.3), (0.005, 0.05), (0.03, 1.0)] {
        let x = steps(&[(0.01, 0.5), (1.0, 4.0 * attack + 0.5), (0.01, 6.0 * release + 0.5)]);
        let y = fx("compressor", &x, &[-20.0, 4.0, attack, release, 0.0, 0.0]);
        let g = gain_db(&x, &y);
        let up = (0.5 * SR) as usize;
        let down = up + ((4.0 * attack + 0.5) * SR) as usize;
        let reduction = g[down - 1];
        let ta = time_to_63(&g, up, down - 1);
        let tr = time_to_63(&g, down, g.len() - 1);
        println!("compressor attack {attack} release {release}: {reduction:.2} dB reduction, 63% after {ta:.4} s / {tr:.4} s");
        assert!((reduction + 15.0).abs() < 0.05, "reduction {reduction}");
        assert!((ta / attack as f64 - 1.0).abs() < 0.2, "attack {attack}: measured {ta}");
        assert!((tr / release as f64 - 1.0).abs() < 0.2, "release {release}: measured {tr}");
    }
}

/// Below the threshold (and no makeup) the compressor passes the input bit for bit; stereo
/// channels share one gain (the loud channel ducks the quiet one equally).
#[test]
fn compressor_is_transparent_below_threshold_and_linked() {
    let x = sine(440.0, lin(-26.0), 0.5);
    assert_eq!(fx("compressor", &x, &[-20.0, 4.0, 0.01, 0.1, 0.0, 0.0]), x);
    let loud = sine(440.0, 1.0, 1.0);
    let quiet = sine(330.0, 0.05, 1.0);
    let def = find("compressor").unwrap();
    let args = [-20.0, 4.0, 0.01, 0.1, 0.0, 0.0].map(Input::Const);
    let mut inputs = vec![Input::Stereo(&loud, &quiet)];
    inputs.extend(args);
    let (ch, y) = run(def, &inputs, SR, 64, loud.len());
    assert_eq!(ch, 2);
    let (l, r) = y.split_at(loud.len());
    let gl = db((peak(tail(l, 0.2)) / peak(tail(&loud, 0.2))) as f64);
    let gr = db((peak(tail(r, 0.2)) / peak(tail(&quiet, 0.2))) as f64);
    println!("compressor linked: left {gl:.2} dB, right {gr:.2} dB");
    assert!((gl + 15.0).abs() < 0.5 && (gl - gr).abs() < 0.2);
}

// ---------------------------------------------------------------------------------------------
// Sidechain

/// The input is ducked by the key's level: a silent key leaves it untouched (bit for bit), a
/// steady key at L dBFS takes `(L - threshold)(1 - 1/ratio)` dB off it (±0.5), and a kick-like
/// key ducks and releases between hits.
#[test]
fn sidechain_ducks_by_the_key() {
    let def = find("sidechain").unwrap();
    let x = sine(220.0, 0.5, 1.5);
    let duck = |key: Input<'_>, release: f32| -> Vec<f32> {
        let mut a = vec![Input::Mono(&x), key];
        a.extend([-30.0, 8.0, 0.005, release, 0.0].map(Input::Const));
        run(def, &a, SR, 64, x.len()).1
    };
    assert_eq!(duck(Input::Const(0.0), 0.2), x, "a silent key changes the input");
    for key_db in [0.0, -10.0, -20.0, -35.0] {
        let key = sine(60.0, lin(key_db), 1.5);
        let y = duck(Input::Mono(&key), 0.2);
        let depth = db((peak(tail(&y, 0.3)) / peak(tail(&x, 0.3))) as f64);
        let want = -((key_db - -30.0).max(0.0) * (1.0 - 1.0 / 8.0));
        println!("sidechain, key at {key_db} dBFS: ducked {depth:.2} dB (expected {want:.2})");
        assert!((depth - want).abs() < 0.5, "key {key_db}: depth {depth:.2}, expected {want:.2}");
    }
    // kicks: a 40 ms decaying 60 Hz burst every 0.5 s
    let kicks: Vec<f32> = (0..x.len())
        .map(|i| {
            let t = (i % (SR as usize / 2)) as f32 / SR;
            if t < 0.04 { (2.0 * std::f32::consts::PI * 60.0 * t).sin() * (-t / 0.015).exp() } else { 0.0 }
        })
        .collect();
    let y = duck(Input::Mono(&kicks), 0.08);
    let during = db(rms(&y[24_000 + 480..24_000 + 1920]) / rms(&x[24_000 + 480..24_000 + 1920]));
    let before = db(rms(&y[48_000 - 2400..48_000]) / rms(&x[48_000 - 2400..48_000]));
    println!("sidechain on kicks: {during:.1} dB during a hit, {before:.2} dB just before the next");
    assert!(during < -15.0 && before > -1.0);
}

// ---------------------------------------------------------------------------------------------
// Limiter

/// With +20 dB overs (a sine at 10× full scale, single-sample spikes, loud noise bursts and a
/// stereo pair with one hot side) no output sample exceeds the ceiling (+0.01 dB), and the
/// output does reach the ceiling.
#[test]
fn limiter_never_exceeds_ceiling() {
    let frames = SR as usize;
    let mut x: Vec<f32> = sine(200.0, 10.0, 1.0);
    for (i, v) in x.iter_mut().enumerate() {
        if i % 7919 == 0 {
            *v = if i % 2 == 0 { 31.6 } else { -31.6 };
        } else if (24_000..30_000).contains(&i) {
            *v = 10.0 * (((i as u32).wrapping_mul(2_654_435_761) >> 8) as f32 / 8_388_608.0 - 1.0);
        } else if (40_000..40_500).contains(&i) {
            *v = 0.01;
        }
    }
    for ceiling in [-1.0, -6.0, -0.1, -20.0] {
        let y = fx("limiter", &x, &[ceiling, 0.05]);
        let pk = db(peak(&y) as f64);
        println!("limiter {ceiling}: input peak {:.1} dBFS, output peak {pk:.4} dBFS", db(peak(&x) as f64));
        assert!(pk <= ceiling as f64 + 0.01, "ceiling {ceiling}: peak {pk:.4} dBFS");
        assert!(pk >= ceiling as f64 - 0.1, "ceiling {ceiling}: never reaches it ({pk:.2})");
    }
    let quiet = sine(300.0, 0.1, 1.0);
    let def = find("limiter").unwrap();
    let (ch, y) = run(def, &[Input::Stereo(&x, &quiet), Input::Const(-1.0), Input::Const(0.05)], SR, 64, frames);
    assert_eq!(ch, 2);
    assert!(db(peak(&y) as f64) <= -0.99);
    // the quiet side is ducked with the loud one (linked): ~ -21 dB at the sine's level
    let r = &y[frames + 12_000..frames + 20_000];
    let ducked = db(rms(r) / rms(&quiet[12_000 - 96..20_000 - 96]));
    println!("limiter linked: quiet channel ducked {ducked:.1} dB");
    assert!(ducked < -15.0);
}

/// Below the ceiling the limiter is exactly the input delayed by its 2 ms lookahead.
#[test]
fn limiter_is_transparent_below_ceiling() {
    let latency = limiter_latency(SR);
    assert_eq!(latency, 96, "2 ms at 48 kHz");
    let x: Vec<f32> = sine(440.0, 0.5, 1.0)
        .iter()
        .enumerate()
        .map(|(i, v)| v + 0.3 * (((i as u32).wrapping_mul(2_654_435_761) >> 8) as f32 / 8_388_608.0 - 1.0))
        .collect();
    assert!(peak(&x) < lin(-1.0));
    let y = fx("limiter", &x, &[-1.0, 0.05]);
    assert!(y[..latency].iter().all(|&v| v == 0.0));
    assert_eq!(&y[latency..], &x[..x.len() - latency], "not the delayed input");
}

/// After an over the limiter's gain recovers with its release time constant: 63% of the way
/// back within 20% of `release` (plus the 1-2 ms lookahead window), and then exactly to unity.
#[test]
fn limiter_release_time() {
    for release in [0.05f32, 0.2] {
        let x = steps(&[(0.5, 0.2), (4.0, 0.01), (0.5, 25.0 * release)]);
        let y = fx("limiter", &x, &[-1.0, release]);
        let latency = limiter_latency(SR);
        let g: Vec<f64> = (latency..x.len()).map(|i| (y[i] / x[i - latency]) as f64).collect();
        let end = ((0.2 + 0.01) * SR) as usize;
        let low = g[end - 1];
        assert!((low - lin(-1.0) as f64 / 4.0).abs() < 1e-3, "gain during the over: {low}");
        let t = time_to_63(&g, end, g.len() - 1);
        println!("limiter release {release}: gain {low:.4} during the over, 63% recovered after {t:.4} s");
        assert!((t / release as f64 - 1.0).abs() < 0.2);
        // fully recovered, it is transparent again: exactly the delayed input
        assert!(g[g.len() - 4800..].iter().all(|&v| v == 1.0), "not back to unity gain");
    }
}

// ---------------------------------------------------------------------------------------------
// Gate

/// Below the threshold the gate attenuates by more than 60 dB; above it passes the input bit
/// for bit once open; between the threshold and 4 dB under it, an open gate stays open.
#[test]
fn gate_attenuates_below_and_passes_above() {
    let args = [-40.0, 0.001, 0.05];
    for level in [-60.0, -50.0, -45.0] {
        let x = sine(1000.0, lin(level), 1.0);
        let y = fx("gate", &x, &args);
        let att = db(peak(tail(&x, 0.5)) as f64) - db(peak(tail(&y, 0.5)) as f64);
        println!("gate -40: sine at {level} dBFS attenuated by {att:.0} dB (output peak {})", peak(tail(&y, 0.5)));
        assert!(att > 60.0);
    }
    for level in [-35.0, -20.0, 0.0] {
        let x = sine(1000.0, lin(level), 1.0);
        let y = fx("gate", &x, &args);
        let differ = tail(&y, 0.9).iter().zip(tail(&x, 0.9)).filter(|(a, b)| a != b).count();
        let first = y.iter().zip(&x).rposition(|(a, b)| a != b);
        assert_eq!(differ, 0, "gate at {level} dBFS: {differ} samples differ from the input, the last at {first:?}");
        let open = y.iter().zip(&x).position(|(a, b)| *b != 0.0 && (a / b) > 0.99).unwrap_or(usize::MAX);
        println!("gate -40: sine at {level} dBFS passes bit for bit; gain > 0.99 after {:.2} ms", open as f64 / 48.0);
        assert!(open < 480, "opens after {open} samples");
    }
    // hysteresis: open at -20, then -42 keeps it open, then -50 closes it
    let x: Vec<f32> = [(-20.0, 1.0), (-42.0, 1.0), (-50.0, 1.0)].iter().flat_map(|&(l, s)| sine(1000.0, lin(l), s)).collect();
    let y = fx("gate", &x, &args);
    let seg = |k: usize| db(rms(&y[k * 48_000 + 36_000..(k + 1) * 48_000]) / rms(&x[k * 48_000 + 36_000..(k + 1) * 48_000]));
    println!("gate hysteresis: {:.2} dB at -20, {:.2} dB at -42, {:.1} dB at -50", seg(0), seg(1), seg(2));
    assert!(seg(0).abs() < 0.01 && seg(1).abs() < 0.01 && seg(2) < -60.0);
}

// ---------------------------------------------------------------------------------------------
// End to end

fn render_ph(src: &str, seconds: f64) -> Vec<f32> {
    let scene = phonon::Scene::from_ph(src, "test.ph").unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut engine = phonon::Engine::from_scene(&scene, "test.ph", cfg(512, 1)).unwrap_or_else(|e| panic!("{src}: {e}"));
    phonon::render::render_to_vec(&mut engine, (seconds * 44_100.0) as u64)
}

/// Every dynamics example parses and renders finite, audible sound below 0 dBFS; the limiter's
/// example stays under its -3 dBFS ceiling although its input is 4× full scale.
#[test]
fn examples_render() {
    for name in ["compressor", "sidechain", "limiter", "gate"] {
        let def = find(name).unwrap();
        let out = render_ph(def.example, 2.0);
        assert_finite(&out);
        let (r, pk) = (rms(&out), peak(&out));
        println!("{name}: `{}` RMS {r:.3}, peak {pk:.3}", def.example);
        assert!(r > 1e-3 && pk < 1.0, "{name}: RMS {r}, peak {pk}");
        if name == "limiter" {
            assert!(db(pk as f64) <= -2.99);
        }
    }
}

/// `sidechain ~kick` in the language, the key a bus of clicks twice a second: the sine dips
/// right after each click and recovers before the next.
#[test]
fn sidechain_reads_a_bus_in_the_language() {
    let out = left(&render_ph("~kick: impulse 2\nout: (sine 220 * 0.5) # sidechain ~kick (-30) 8 0.002 0.05", 2.0));
    let dry = left(&render_ph("out: (sine 220 * 0.5)", 2.0));
    // find the dips: the 10 ms windows of lowest and highest output/input ratio over one period
    let sr = 44_100;
    let w = sr / 100;
    let ratios: Vec<f64> = (0..100).map(|k| rms(&out[sr / 2 + k * w / 2..][..w]) / rms(&dry[sr / 2 + k * w / 2..][..w])).collect();
    let (lo, hi) = ratios.iter().fold((f64::MAX, 0.0f64), |(a, b), &r| (a.min(r), b.max(r)));
    println!("sidechain ~kick: gain between {:.1} dB and {:.2} dB over a beat", db(lo), db(hi));
    assert!(db(lo) < -10.0 && db(hi) > -0.5);
}
