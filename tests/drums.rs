//! Drum synths (`s "superkick"`, `supersnare`, `superhat`, `superclap`), measured: exact onsets,
//! the kick's pitch fall and base frequency, the snare's tone and noise, the hat's brightness and
//! length, the clap's bursts, what `sustain`/`decay` do, and that every render is finite,
//! within ±1 and repeatable.
mod common;
use common::*;
use phonon::build::{NoSamples, SampleSource};
use phonon::components::{DrumKind, DrumParams, SampleData};
use phonon::render::render_to_vec;
use phonon::systems::drums;
use phonon::{Engine, Scene};
use std::sync::Arc;

const SR: f32 = 44_100.0;

/// A drum rendered directly (no engine): its whole length plus 10 ms, in blocks of `block`.
fn drum_blocks(kind: DrumKind, p: &DrumParams, seed: u64, block: usize) -> Vec<f32> {
    let n = drums::length(kind, p, SR) as usize + 441;
    let mut state = drums::start(seed);
    let mut out = vec![0.0; n];
    for chunk in out.chunks_mut(block) {
        drums::render(kind, p, &mut state, SR, chunk);
    }
    out
}

fn drum(kind: DrumKind, p: &DrumParams) -> Vec<f32> {
    drum_blocks(kind, p, 12_345, 512)
}

fn defaults(kind: DrumKind) -> DrumParams {
    DrumParams::defaults(kind)
}

fn secs(a: f32, b: f32) -> std::ops::Range<usize> {
    (a * SR) as usize..(b * SR) as usize
}

fn play_with(ph: &str, block: usize, seconds: f64, samples: &dyn SampleSource) -> Vec<f32> {
    let scene = Scene::from_ph(ph, "drums.ph").unwrap_or_else(|e| panic!("{e}"));
    let mut engine = Engine::with_samples(&scene, "drums.ph", cfg(block, 1), samples).unwrap_or_else(|e| panic!("{e}"));
    render_to_vec(&mut engine, (seconds * 44_100.0) as u64)
}

fn play(ph: &str, block: usize, seconds: f64) -> Vec<f32> {
    play_with(ph, block, seconds, &NoSamples)
}

/// Magnitude spectrum (radix-2 FFT, Hann window) of the first power-of-two samples of `x`, and
/// the bin width in Hz.
fn spectrum(x: &[f32]) -> (Vec<f64>, f64) {
    let n = x.len().next_power_of_two() / if x.len().is_power_of_two() { 1 } else { 2 };
    let mut re: Vec<f64> =
        (0..n).map(|i| x[i] as f64 * (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (n - 1) as f64).cos())).collect();
    let mut im = vec![0.0; n];
    // bit reversal, then butterflies
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if j > i {
            re.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let w = -2.0 * std::f64::consts::PI / len as f64;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let (c, s) = ((w * k as f64).cos(), (w * k as f64).sin());
                let (a, b) = (start + k, start + k + len / 2);
                let (tr, ti) = (re[b] * c - im[b] * s, re[b] * s + im[b] * c);
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
        len *= 2;
    }
    let mag = (0..n / 2).map(|k| (re[k] * re[k] + im[k] * im[k]).sqrt()).collect();
    (mag, SR as f64 / n as f64)
}

/// Power in `[lo, hi)` Hz of a magnitude spectrum.
fn band(mag: &[f64], hz: f64, lo: f64, hi: f64) -> f64 {
    mag.iter().enumerate().filter(|(k, _)| (*k as f64 * hz) >= lo && (*k as f64 * hz) < hi).map(|(_, m)| m * m).sum()
}

/// Time in seconds of the last sample at or above `level` (absolute).
fn last_above(x: &[f32], level: f32) -> f32 {
    x.iter().rposition(|v| v.abs() >= level).map_or(0.0, |i| i as f32 / SR)
}

/// Rising zero crossings (sub-sample), in samples.
fn rising(x: &[f32]) -> Vec<f64> {
    (1..x.len()).filter(|&i| x[i - 1] < 0.0 && x[i] >= 0.0).map(|i| i as f64 - 1.0 + x[i - 1] as f64 / (x[i - 1] - x[i]) as f64).collect()
}

fn finite_bounded_repeatable(kind: DrumKind, p: &DrumParams, what: &str) {
    let a = drum_blocks(kind, p, 99, 512);
    let b = drum_blocks(kind, p, 99, 512);
    let c = drum_blocks(kind, p, 99, 7);
    assert_finite(&a);
    assert!(peak(&a) <= 1.0, "{what}: peak {}", peak(&a));
    assert!(peak(&a) > 0.01, "{what}: silent");
    assert!(a == b, "{what}: two renders differ");
    assert!(a == c, "{what}: blocks of 7 and 512 differ");
}

/// The exact sample of cycle `num/den` at `cps = cn/cd`, 44.1 kHz: round(c / cps · sr).
fn onset(num: i128, den: i128, cn: i128, cd: i128) -> usize {
    let (n, d) = (num * 44_100 * cd, den * cn);
    ((2 * n + d) / (2 * d)) as usize
}

/// Each drum's first non-zero sample is its event's exact sample (cycle 1/2 and 3/2) at odd
/// tempi and blocks of 8 and 512, the sample before it is silent, and the two block sizes
/// render the same audio.
#[test]
fn drums_start_at_their_exact_sample() {
    for name in ["superkick", "supersnare", "superhat", "superclap"] {
        for (cps, cn, cd) in [("0.5625", 9i128, 16i128), ("0.7", 7, 10), ("1.3", 13, 10)] {
            let ph = format!("cps: {cps}\nout: s \"~ {name}\"\n");
            let want = [onset(1, 2, cn, cd), onset(3, 2, cn, cd)];
            let seconds = 2.0 / (cn as f64 / cd as f64);
            let mut renders = Vec::new();
            for block in [8, 512] {
                let l = left(&play(&ph, block, seconds));
                let first = l.iter().position(|v| *v != 0.0);
                assert_eq!(first, Some(want[0]), "{name} at {cps} cps, block {block}");
                // the first voice has ended well before the second starts
                assert!(l[want[1] - 2000..want[1]].iter().all(|v| *v == 0.0), "{name}: not silent before the 2nd onset");
                assert!(l[want[1]] != 0.0, "{name} at {cps} cps, block {block}: 2nd onset silent");
                // no click: the first millisecond fades in
                assert!(l[want[0]].abs() < 0.03, "{name}: first sample {}", l[want[0]]);
                renders.push(l);
            }
            assert!(renders[0] == renders[1], "{name} at {cps} cps: blocks of 8 and 512 differ");
        }
    }
}

/// superkick: its pitch falls from `pitch1` (2) octaves above to the base frequency; the tail
/// is at 55 Hz (within 2%), `n 12` and `note 12` double it, `decay` slows the fall.
#[test]
fn kick_pitch_falls_to_its_base_frequency() {
    let x = drum(DrumKind::Kick, &defaults(DrumKind::Kick));
    let base = zero_crossing_freq(&x[secs(0.15, 0.45)], SR as f64);
    println!("superkick tail: {base:.3} Hz");
    assert!((base / 55.0 - 1.0).abs() < 0.02, "tail at {base} Hz");
    // cycle-by-cycle frequency: starts near 4 × base, falls monotonically to the base
    // the sine starts rising at sample 0: the first cycle starts there
    let c: Vec<f64> = std::iter::once(0.0).chain(rising(&x[..(0.3 * SR) as usize])).collect();
    let f: Vec<f64> = c.windows(2).map(|w| SR as f64 / (w[1] - w[0])).collect();
    println!("superkick cycle frequencies: {:?}", f.iter().take(8).map(|v| v.round()).collect::<Vec<_>>());
    assert!(f[0] > 2.5 * 55.0, "first cycle at {} Hz", f[0]);
    assert!(f.windows(2).all(|w| w[1] <= w[0] * 1.001), "pitch must fall: {f:?}");
    assert!((f.last().unwrap() / 55.0 - 1.0).abs() < 0.02);
    // decay 3 sweeps slower: the 3rd cycle is still higher
    let slow = drum(DrumKind::Kick, &DrumParams { decay: 3.0, ..defaults(DrumKind::Kick) });
    let cs: Vec<f64> = std::iter::once(0.0).chain(rising(&slow[..(0.3 * SR) as usize])).collect();
    let fs = SR as f64 / (cs[3] - cs[2]);
    assert!(fs > 1.2 * f[2], "decay 3: 3rd cycle {fs} Hz vs {} Hz", f[2]);

    // through the language: n 12 and note 12 transpose by an octave
    for ph in ["out: s \"superkick\"", "out: s \"superkick\" # n 12", "out: s \"superkick\" # note 12", "out: s \"superkick:12\""] {
        let l = left(&play(ph, 512, 0.5));
        let f = zero_crossing_freq(&l[secs(0.15, 0.45)], SR as f64);
        let want = if ph.contains("12") { 110.0 } else { 55.0 };
        println!("{ph}: {f:.3} Hz");
        assert!((f / want - 1.0).abs() < 0.02, "{ph}: {f} Hz, want {want}");
    }
}

/// supersnare: spectral peaks at its two tones (180 Hz and 10 semitones up) above a broad noise
/// band (energy in every octave from 1.5 to 12 kHz); `voice` moves the balance.
#[test]
fn snare_has_tone_and_noise() {
    let p = defaults(DrumKind::Snare);
    let x = drum(DrumKind::Snare, &p);
    let (mag, hz) = spectrum(&x[secs(0.03, 0.03 + 8192.0 / SR)]);
    let at = |f: f64| mag[(f / hz).round() as usize];
    let upper = 180.0 * 2f64.powf(10.0 / 12.0);
    let floor = |lo: f64, hi: f64| {
        let mut v: Vec<f64> = (((lo / hz) as usize)..((hi / hz) as usize)).map(|k| mag[k]).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (t1, t2) = (20.0 * (at(180.0) / floor(100.0, 600.0)).log10(), 20.0 * (at(upper) / floor(100.0, 600.0)).log10());
    println!("supersnare tones: 180 Hz {t1:.1} dB, {upper:.1} Hz {t2:.1} dB above the 100-600 Hz median");
    assert!(t1 > 20.0 && t2 > 15.0);
    let total = band(&mag, hz, 0.0, 22_050.0);
    for (lo, hi) in [(1500.0, 3000.0), (3000.0, 6000.0), (6000.0, 12_000.0)] {
        let share = band(&mag, hz, lo, hi) / total;
        println!("supersnare noise {lo}-{hi} Hz: {:.1}% of the energy", 100.0 * share);
        assert!(share > 0.03, "{lo}-{hi} Hz: {share}");
    }
    // voice: the noise share
    let ratio = |voice: f32| {
        let x = drum(DrumKind::Snare, &DrumParams { voice, ..p });
        let (mag, hz) = spectrum(&x[..8192]);
        band(&mag, hz, 1500.0, 20_000.0) / band(&mag, hz, 100.0, 500.0)
    };
    let (lo, hi) = (ratio(0.2), ratio(0.8));
    println!("supersnare noise/tone energy: voice 0.2 → {lo:.3}, voice 0.8 → {hi:.3}");
    assert!(hi > 20.0 * lo);
}

/// superhat: spectral centroid above 5 kHz; below −60 dB (of full scale and of its own peak)
/// before its `sustain` (0.1 s) ends, silent after it; `sustain` lengthens it.
#[test]
fn hat_is_bright_and_short() {
    let p = defaults(DrumKind::Hat);
    let x = drum(DrumKind::Hat, &p);
    let (mag, hz) = spectrum(&x[..4096]);
    let centroid: f64 = mag.iter().enumerate().map(|(k, m)| k as f64 * hz * m * m).sum::<f64>() / band(&mag, hz, 0.0, 30_000.0);
    println!("superhat centroid {centroid:.0} Hz");
    assert!(centroid > 5000.0);
    let t60 = last_above(&x, 1e-3 * peak(&x));
    println!("superhat: -60 dB of its peak at {t60:.4} s, length {} samples", drums::length(DrumKind::Hat, &p, SR));
    assert!(t60 < p.sustain + drums::ATTACK && t60 > 0.5 * p.sustain);
    let end = drums::length(DrumKind::Hat, &p, SR) as usize;
    assert!(x[end..].iter().all(|v| *v == 0.0));
    let long = drum(DrumKind::Hat, &DrumParams { sustain: 0.3, ..p });
    let t60l = last_above(&long, 1e-3 * peak(&long));
    println!("superhat sustain 0.3: -60 dB at {t60l:.4} s");
    assert!(t60l > 2.5 * t60);
    // accelerate sweeps the filter up: brighter still
    let up = drum(DrumKind::Hat, &DrumParams { accelerate: 1.0, sustain: 0.3, ..p });
    let (m2, _) = spectrum(&up[secs(0.15, 0.15 + 4096.0 / SR)]);
    let (m1, _) = spectrum(&long[secs(0.15, 0.15 + 4096.0 / SR)]);
    let low = |m: &[f64]| band(m, hz, 0.0, 9000.0) / band(m, hz, 0.0, 30_000.0);
    assert!(low(&m2) < 0.5 * low(&m1), "accelerate: {} vs {}", low(&m2), low(&m1));
}

/// superclap: four bursts in its first 50 ms, `delay` × 10 ms apart (its RMS envelope in 1 ms
/// windows, averaged over 64 noise seeds, rises above half its peak four times, falling below
/// 0.3 in between).
#[test]
fn clap_has_several_bursts() {
    let bursts = |p: &DrumParams| {
        let win = 44; // 1 ms
        let mut env = vec![0.0f64; (0.05 * SR) as usize / win];
        for seed in 0..64 {
            let x = drum_blocks(DrumKind::Clap, p, seed * 7919, 512);
            for (k, e) in env.iter_mut().enumerate() {
                *e += x[k * win..(k + 1) * win].iter().map(|v| (*v as f64).powi(2)).sum::<f64>();
            }
        }
        // RMS amplitude
        env.iter_mut().for_each(|e| *e = e.sqrt());
        let top = env.iter().cloned().fold(0.0, f64::max);
        let (mut count, mut high, mut at) = (0, false, Vec::new());
        for (k, &e) in env.iter().enumerate() {
            if !high && e > 0.5 * top {
                count += 1;
                high = true;
                at.push(k as f64 * win as f64 / SR as f64 * 1000.0);
            } else if high && e < 0.3 * top {
                high = false;
            }
        }
        (count, at)
    };
    let (n, at) = bursts(&defaults(DrumKind::Clap));
    println!("superclap bursts at {at:?} ms");
    assert_eq!(n, 4);
    assert!(at.windows(2).all(|w| (w[1] - w[0] - 10.0).abs() < 1.5), "{at:?}");
    let (n, at) = bursts(&DrumParams { delay: 1.5, ..defaults(DrumKind::Clap) });
    println!("superclap delay 1.5: bursts at {at:?} ms");
    assert_eq!(n, 4);
    assert!(at.windows(2).all(|w| (w[1] - w[0] - 15.0).abs() < 1.5), "{at:?}");
}

/// `sustain` (kick, hat, clap) and `decay` (snare's noise) lengthen the sound: the time it
/// stays above −60 dBFS grows.
#[test]
fn sustain_and_decay_lengthen() {
    for (kind, longer, what) in [
        (DrumKind::Kick, DrumParams { sustain: 1.0, ..defaults(DrumKind::Kick) }, "sustain 1"),
        (DrumKind::Snare, DrumParams { decay: 2.5, ..defaults(DrumKind::Snare) }, "decay 2.5"),
        (DrumKind::Snare, DrumParams { sustain: 0.5, ..defaults(DrumKind::Snare) }, "sustain 0.5"),
        (DrumKind::Hat, DrumParams { sustain: 0.25, ..defaults(DrumKind::Hat) }, "sustain 0.25"),
        (DrumKind::Clap, DrumParams { sustain: 0.8, ..defaults(DrumKind::Clap) }, "sustain 0.8"),
    ] {
        let a = last_above(&drum(kind, &defaults(kind)), 1e-3);
        let b = last_above(&drum(kind, &longer), 1e-3);
        println!("{}: above -60 dBFS until {a:.3} s; {what}: {b:.3} s", kind.name());
        assert!(b > 1.5 * a, "{}: {what}", kind.name());
    }
    // and through the language
    let t = |ph: &str| last_above(&left(&play(ph, 512, 1.5)), 1e-3);
    assert!(t("out: s \"superkick\" # sustain 1") > 1.5 * t("out: s \"superkick\""));
    assert!(t("out: s \"supersnare\" # decay 2.5") > 1.5 * t("out: s \"supersnare\""));
    assert!(t("out: s \"superhat\" # legato 1") > 1.5 * t("out: s \"superhat\""));
}

/// Every drum, at its defaults and at the ends of its parameters' ranges (and beyond them):
/// finite, within ±1, the same twice, the same in blocks of 7 and 512, and ending in silence.
#[test]
fn drums_are_finite_bounded_and_repeatable() {
    for kind in DrumKind::ALL {
        let d = defaults(kind);
        let cases = [
            d,
            DrumParams { voice: 1.0, pitch1: 6.0, decay: 10.0, sustain: 0.01, ..d },
            DrumParams { voice: 0.0, pitch1: 0.0, rq: 0.05, delay: 0.0, rate: 20.0, accelerate: 10.0, ..d },
            DrumParams { freq: 20_000.0, semitone: 48.0, accelerate: -0.95, sustain: 2.0, ..d },
            DrumParams { freq: f32::NAN, sustain: -1.0, decay: f32::INFINITY, voice: 7.0, rq: 0.0, rate: 0.0, ..d },
        ];
        for (i, p) in cases.iter().enumerate() {
            finite_bounded_repeatable(kind, p, &format!("{} case {i}", kind.name()));
            let x = drum(kind, p);
            let end = drums::length(kind, p, SR) as usize;
            // the end is near silence: no click (defaults: the whole last millisecond; extreme
            // parameters, driven into the limiter: the last 10 samples of the closing smoothstep)
            let (tail, limit) = if i == 0 { (44, 5e-3) } else { (10, 2e-2) };
            assert!(peak(&x[end - tail..end]) < limit, "{} case {i}: {} at the end", kind.name(), peak(&x[end - tail..end]));
            assert!(x[end..].iter().all(|v| *v == 0.0));
        }
        // different start samples: different noise (the kick's click too)
        if kind != DrumKind::Kick || d.voice > 0.0 {
            assert!(drum_blocks(kind, &d, 1, 512) != drum_blocks(kind, &d, 2, 512));
        }
    }
}

/// A sample folder named like a drum wins over the drum.
#[test]
fn a_sample_folder_wins_over_the_drum() {
    struct Kit;
    impl SampleSource for Kit {
        fn count(&self, name: &str) -> usize {
            usize::from(name == "superkick")
        }
        fn load(&self, name: &str, _: i64, _: u32) -> Option<Arc<SampleData>> {
            (name == "superkick").then(|| {
                let mut data = vec![0.0; 64];
                data[0] = 1.0;
                Arc::new(SampleData { channels: 1, data })
            })
        }
    }
    let l = left(&play_with("out: s \"superkick supersnare\"", 512, 2.0, &Kit));
    let nz: Vec<usize> = l.iter().enumerate().filter(|(_, v)| **v != 0.0).map(|(i, _)| i).take(2).collect();
    // the click sample: one sample at -3 dB, then the snare drum at cycle 1/2 (1 s)
    assert_eq!(nz, vec![0, 44_100]);
    assert!((l[0] - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
}

/// The demo line renders audible and finite; pan works on drums.
#[test]
fn drum_pattern_renders() {
    let out = play("out: s \"superkick*4, superhat*8, ~ supersnare\" # gain 0.8", 512, 4.0);
    assert_finite(&out);
    println!("demo: RMS {:.3}, peak {:.3}", rms(&out), peak(&out));
    assert!(rms(&out) > 0.05 && peak(&out) <= 1.0);
    let scene = Scene::from_ph("out: s \"superkick*4, superhat*8, ~ supersnare\" # gain 0.8", "demo.ph").unwrap();
    let mut engine = Engine::from_scene(&scene, "demo.ph", cfg(512, 1)).unwrap();
    let again = render_to_vec(&mut engine, 4 * 44_100);
    assert!(rms(&again) > 0.05);
    // pan 1: right only
    let x = play("out: s \"superclap\" # pan 1", 512, 0.5);
    assert!(peak(&left(&x)) < 1e-6 && peak(&right(&x)) > 0.1);
}
