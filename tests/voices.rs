//! Patterns played as voices: exact onsets, controls, mixing — with synthetic samples whose
//! every sample is known.
mod common;
use common::*;
use phonon::build::SampleSource;
use phonon::components::SampleData;
use phonon::render::render_to_vec;
use phonon::{Engine, EngineConfig, Scene};
use std::sync::Arc;

/// `click`: one sample of 1.0 then silence; `ramp:0`: 0, 1, 2, … /1000 (mono); `ramp:1` stereo.
struct TestKit;
impl SampleSource for TestKit {
    fn count(&self, name: &str) -> usize {
        match name {
            "click" => 1,
            "ramp" => 2,
            _ => 0,
        }
    }
    fn load(&self, name: &str, index: i64, _: u32) -> Option<Arc<SampleData>> {
        match (name, index) {
            ("click", _) => {
                let mut data = vec![0.0; 64];
                data[0] = 1.0;
                Some(Arc::new(SampleData { channels: 1, data }))
            }
            ("ramp", 0) => Some(Arc::new(SampleData { channels: 1, data: (0..1000).map(|i| i as f32 / 1000.0).collect() })),
            ("ramp", _) => {
                Some(Arc::new(SampleData { channels: 2, data: (0..2000).map(|i| if i % 2 == 0 { 0.5 } else { -0.5 }).collect() }))
            }
            _ => None,
        }
    }
}

fn play(ph: &str, block: usize, seconds: f64) -> Vec<f32> {
    let scene = Scene::from_ph(ph, "t.ph").unwrap_or_else(|e| panic!("{e}"));
    let mut engine = Engine::with_samples(&scene, "t.ph", cfg(block, 1), &TestKit).unwrap_or_else(|e| panic!("{e}"));
    render_to_vec(&mut engine, (seconds * 44_100.0) as u64)
}

fn nonzero(x: &[f32]) -> Vec<usize> {
    x.iter().enumerate().filter(|(_, v)| v.abs() > 1e-9).map(|(i, _)| i).collect()
}

/// `s "[click*3, click(3,8,1)]"` at 0.5625, 0.7 and 1.3 cps, blocks of 8 and 512: every click lands
/// on sample round(c / cps · sr), exactly, at −3 dB per side (centre pan).
#[test]
fn pattern_voices_start_at_exact_samples() {
    for (cps, n, d) in [("0.5625", 9i128, 16i128), ("0.7", 7, 10), ("1.3", 13, 10)] {
        let ph = format!("cps: {cps}\nout: s \"[click*3, click(3,8,1)]\"\n");
        let mut want = Vec::new();
        for cycle in 0..2i128 {
            for (a, b) in [(0, 3), (1, 3), (2, 3), (2, 8), (5, 8), (7, 8)] {
                let (num, den) = ((cycle * b + a) * 44_100 * d, b * n);
                want.push(((2 * num + den) / (2 * den)) as usize);
            }
        }
        want.sort();
        let seconds = 2.0 / (n as f64 / d as f64);
        for block in [8, 512] {
            let out = play(&ph, block, seconds);
            let l = left(&out);
            assert_eq!(nonzero(&l), want, "cps {cps}, block {block}");
            for &i in &want {
                assert!((l[i] - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6, "level {} at {i}", l[i]);
            }
        }
    }
}

/// gain, pan, speed (backwards too), begin and `* 0.5` shape a sample as asked.
#[test]
fn controls_shape_the_sample() {
    // hard right at gain 0.5, then mixed down by half: the ramp arrives at 0.25 × ramp on the right only
    let out = play("out: s \"ramp\" # pan 1 # gain 0.5 * 0.5", 64, 0.05);
    let (l, r) = (left(&out), right(&out));
    assert!(peak(&l) < 1e-6);
    assert!((r[500] - 0.25 * 0.5).abs() < 1e-3, "{}", r[500]);
    // speed 2 reads every other frame: half as long
    let out = left(&play("out: s \"ramp\" # speed 2", 64, 0.05));
    assert!((out[200] / std::f32::consts::FRAC_1_SQRT_2 - 0.4).abs() < 1e-3, "{}", out[200]);
    assert!(out[520..].iter().all(|v| v.abs() < 1e-6));
    // speed -1 plays it backwards from the end
    let out = left(&play("out: s \"ramp\" # speed (-1)", 64, 0.05));
    assert!((out[100] / std::f32::consts::FRAC_1_SQRT_2 - 0.899).abs() < 2e-3, "{}", out[100]);
    // begin 0.5 starts halfway
    let out = left(&play("out: s \"ramp\" # begin 0.5", 64, 0.05));
    assert!((out[100] / std::f32::consts::FRAC_1_SQRT_2 - 0.6).abs() < 2e-3, "{}", out[100]);
    // note 12 doubles the speed, like speed 2
    let a = play("out: s \"ramp\" # note 12", 64, 0.05);
    let b = play("out: s \"ramp\" # speed 2", 64, 0.05);
    assert_eq!(a, b);
    // n picks the file: ramp:1 is stereo ±0.5
    let out = play("out: s \"ramp:1\"", 64, 0.01);
    assert!(
        (out[200] - 0.5 * std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-4 && (out[201] + 0.5 * std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-4
    );
}

/// Sound patterns are audio: they mix with signals and go through effects.
#[test]
fn sound_patterns_mix_with_signals() {
    let out = left(&play("~drums: s \"click*4\"\nout: ~drums * 0.5 + (sine 440 * 0.1) # lpf 2000 0.7\n", 512, 1.0));
    assert_finite(&out);
    assert!(rms(&out) > 0.01);
    let filtered = left(&play("out: s \"click*4\" # lpf 1000 0.7", 512, 1.0));
    assert!(peak(&filtered) < 0.5, "a click through a low-pass is smeared: {}", peak(&filtered));
    assert!(rms(&filtered) > 1e-4);
}

/// An unknown sample name is silence and a warning, never an error.
#[test]
fn unknown_samples_are_silent() {
    let out = play("out: s \"nosuch*4 click\"", 512, 2.0);
    assert_eq!(nonzero(&left(&out)).len(), 1);
}

/// Voice templates: `sine # note "a5"` plays 440 Hz (note 0 = c5 = midi 60, as in Tidal), and a
/// bus instrument `~x: sine # gain 0.5` played by `s "~x" # n 12` sounds an octave above c5 at
/// half gain; a chord plays one voice per note.
#[test]
fn voice_templates_play_pitched_notes() {
    let l = left(&play("out: sine # note \"a5\" # legato 1", 512, 2.0));
    let f = zero_crossing_freq(&l[2000..80_000], 44_100.0);
    assert!((f - 440.0).abs() < 0.5, "{f} Hz");
    let l = left(&play("~x: sine # gain 0.5\nout: s \"~x\" # n 12 # legato 1", 512, 2.0));
    let f = zero_crossing_freq(&l[2000..80_000], 44_100.0);
    assert!((f - 523.25).abs() < 0.5, "{f} Hz");
    let level = rms(&l[2000..80_000]);
    assert!((level - 0.5 * 0.5).abs() < 0.01, "RMS {level}"); // gain 0.5 × pan 0.707 × sine RMS 0.707
    // c5'major: three voices at 261.6, 329.6 and 392 Hz
    let l = left(&play("out: sine # note \"c5'major\" # legato 1", 512, 2.0));
    for freq in [261.63, 329.63, 392.0] {
        assert!(amplitude_at(&l[2000..80_000], freq, 44_100.0) > 0.3, "{freq} Hz missing");
    }
}

/// The built-in kit through the default engine: `s "bd*4"` puts a kick's attack at each quarter
/// cycle (0.5 s apart at 0.5 cps) and is silent before its first onset… nothing else sounds.
#[test]
fn builtin_kit_plays_on_the_beat() {
    let scene = Scene::from_ph("out: s \"bd*4\"", "t.ph").unwrap();
    let mut engine = Engine::from_scene(&scene, "t.ph", cfg(512, 1)).unwrap();
    let l = left(&render_to_vec(&mut engine, 44_100 * 2));
    assert_finite(&l);
    for k in 0..4usize {
        let at = k * 22_050;
        let attack = peak(&l[at..at + 2_000]);
        assert!(attack > 0.2, "kick {k} at sample {at}: peak {attack}");
        // the kick decays: much quieter just before the next onset than at its attack
        let tail = peak(&l[at + 20_000..at + 22_000]);
        assert!(tail < attack * 0.5, "kick {k}: tail {tail} vs attack {attack}");
    }
}

/// An oscillator without a frequency and without notes is explained, not guessed at.
#[test]
fn a_template_without_notes_is_a_clear_error() {
    let scene = Scene::from_ph("out: sine", "t.ph").unwrap();
    let err = Engine::from_scene(&scene, "t.ph", cfg(512, 1)).err().expect("an error").to_string();
    assert!(err.contains("voice template") && err.contains("note"), "{err}");
}

/// A full pool steals: 128 overlapping 1-second voices through a 64-voice pool — every event
/// still starts (none dropped), the oldest fade out (counted), and the output stays finite and
/// within 0 dBFS.
#[test]
fn a_full_pool_steals_the_oldest_with_a_fade() {
    let scene = Scene::from_ph("out: sine # note \"0*128\" # sustain 1 # gain 0.05", "t.ph").unwrap();
    let mut engine = Engine::with_samples(&scene, "t.ph", cfg(512, 1), &TestKit).unwrap();
    let out = render_to_vec(&mut engine, 44_100 * 4);
    let stats = engine.voice_stats();
    assert_eq!(stats.dropped, 0);
    assert!(stats.stolen > 100, "stolen {}", stats.stolen);
    assert!(stats.started >= 256, "started {}", stats.started);
    assert_finite(&out);
    assert!(peak(&out) <= 1.0);
    // no clicks: a sine sum changes by at most a few hundredths between samples
    let jump = left(&out).windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max);
    assert!(jump < 0.1, "largest sample-to-sample jump {jump}");
}

/// `cut 1` chokes: a second long voice in the same group fades the first out within 5 ms.
#[test]
fn cut_groups_choke() {
    let one = std::f32::consts::FRAC_1_SQRT_2 * 0.5;
    let choked = left(&play("out: s \"ramp:1 ramp:1\" # speed 0.01 # cut 1", 512, 1.5));
    let both = left(&play("out: s \"ramp:1 ramp:1\" # speed 0.01", 512, 1.5));
    let at = 44_100 + 1_000; // 23 ms after the second onset
    assert!((both[at] - 2.0 * one).abs() < 1e-3, "without cut both sound: {}", both[at]);
    assert!((choked[at] - one).abs() < 1e-3, "with cut only the new one sounds: {}", choked[at]);
}

/// loop, unit "c", crush, coarse and shape change the sound as their definitions say.
#[test]
fn loop_unit_crush_coarse_shape() {
    // ramp:0 is 1000 frames; `loop 3` plays it three times
    let once = nonzero(&left(&play("out: s \"ramp\"", 64, 0.2))).len();
    let thrice = nonzero(&left(&play("out: s \"ramp\" # loop 3", 64, 0.2))).len();
    assert!((thrice as i64 - 3 * once as i64).abs() < 8, "{once} vs {thrice}");
    // unit "c" # speed 1: the 1000-frame ramp stretches over a whole cycle (2 s at 0.5 cps):
    // halfway through the cycle it is halfway up
    let stretched = left(&play("out: s \"ramp\" # unit \"c\" # speed 1", 512, 1.5));
    let half = stretched[44_100] / std::f32::consts::FRAC_1_SQRT_2;
    assert!((half - 0.5).abs() < 2e-3, "{half}");
    // crush 3: only multiples of 1/4 (hard left, half gain: below the master limiter's knee)
    let crushed = left(&play("out: s \"ramp\" # crush 3 # pan 0 # gain 0.5", 64, 0.03));
    assert!(crushed.iter().all(|v| (v * 4.0).fract().abs() < 1e-6), "crush leaves other levels");
    assert!(crushed.contains(&0.25));
    // coarse 10: the value holds for 10 samples
    let coarse = left(&play("out: s \"ramp\" # coarse 10 # pan 0", 64, 0.03));
    assert_eq!(coarse[100], coarse[109]);
    assert_ne!(coarse[100], coarse[110]);
    // shape 0.5 lifts quiet parts: 0.1 → (1+2)·0.1/(1+2·0.1) = 0.25
    let shaped = left(&play("out: s \"ramp\" # shape 0.5 # pan 0", 64, 0.03));
    assert!((shaped[100] - 0.25).abs() < 1e-3, "{}", shaped[100]);
}

/// `got` clicks are at exactly the `want` samples, with the wanted values (±1e-6).
fn assert_clicks(got: &[(usize, f32)], want: &[(usize, f32)]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for ((at, v), (wat, wv)) in got.iter().zip(want) {
        assert_eq!(at, wat, "{got:?} vs {want:?}");
        assert!((v - wv).abs() < 1e-6, "at {at}: {v} vs {wv}");
    }
}

/// Positions of the clicks in `x` (samples whose magnitude is above 1e-6, each click is one
/// sample) and their values.
fn clicks(x: &[f32]) -> Vec<(usize, f32)> {
    x.iter().enumerate().filter(|(_, v)| v.abs() > 1e-6).map(|(i, v)| (i, *v)).collect()
}

/// Tidal's transforms reach the audio: `jux` pans the original hard left and the transformed
/// copy hard right; `stut` repeats at the step with Tidal's gains; `off` adds a shifted copy;
/// `chop` and `striate` play consecutive parts of the sample (begin/end); `loopAt` stretches it
/// over cycles (speed with unit "c").
#[test]
fn transforms_work_end_to_end_on_audio() {
    // 0.5 cps: one cycle = 88 200 samples; gain 0.5 keeps every click below the master limiter's knee
    let out = play("out: jux (fast 2) $ s \"click\" # gain 0.5", 64, 2.0);
    assert_clicks(&clicks(&left(&out)), &[(0, 0.5)]);
    assert_clicks(&clicks(&right(&out)), &[(0, 0.5), (44_100, 0.5)]);

    // stut 3 0.5 0.125: copies 1/8 cycle apart, gains 1, 0.5+0.5·2/3, 0.5+0.5·1/3 (Tidal's scalegain)
    let l = clicks(&left(&play("out: stut 3 0.5 0.125 $ s \"click\" # pan 0 # gain 0.5", 64, 1.0)));
    let want = [(0usize, 0.5f32), (11_025, 0.5 * (0.5 + 0.5 * 2.0 / 3.0)), (22_050, 0.5 * (0.5 + 0.5 / 3.0))];
    assert_clicks(&l, &want);

    // off 0.25 (|* gain 0.5): the original and a quieter copy a quarter cycle later
    let l = clicks(&left(&play("out: off 0.25 (|* gain 0.5) $ s \"click\" # pan 0 # gain 0.5", 64, 1.0)));
    assert_clicks(&l, &[(0, 0.5), (22_050, 0.25)]);

    // chop 2: the 1000-frame ramp's first half at cycle 0, its second half at cycle 0.5
    let l = left(&play("out: chop 2 $ s \"ramp\" # pan 0", 64, 2.0));
    assert!((l[100] - 0.1).abs() < 1e-3 && (l[44_100 + 100] - 0.6).abs() < 1e-3, "{} {}", l[100], l[44_100 + 100]);
    assert!(l[600].abs() < 1e-6, "the first part ends halfway through the sample: {}", l[600]);
    // striate 2 on two events: part 0 of both, then part 1 of both
    let l = left(&play("out: striate 2 $ s \"ramp ramp\" # pan 0", 64, 2.0));
    for (at, want) in [(100, 0.1), (22_050 + 100, 0.1), (44_100 + 100, 0.6), (66_150 + 100, 0.6)] {
        assert!((l[at] - want).abs() < 1e-3, "striate at {at}: {} vs {want}", l[at]);
    }

    // loopAt 2: the whole ramp lasts 2 cycles = 176 400 samples; a quarter of the way it is at 0.25
    let l = left(&play("out: loopAt 2 $ s \"ramp\" # pan 0", 512, 4.0));
    assert!((l[44_100] - 0.25).abs() < 2e-3, "{}", l[44_100]);
}

/// Instrument buses are small per-voice graphs: oscillators retuned to each note, arithmetic,
/// filters and LFOs inside the voice, one voice per chord note at the right pitches.
#[test]
fn instrument_buses_are_per_voice_graphs() {
    let sr = 44_100.0;
    // c3'min7 (Tidal: c5 = note 0 = 261.63 Hz): c3, eb3, g3, bb3 (`saw + square * 0.5` would
    // cancel the fundamental: the square's is twice the saw's and of opposite sign)
    let l = left(&play("~pad: (saw + square * 0.25) # lpf 2000 0.7 # gain 0.2\nout: s \"~pad\" # note \"c3'min7\" # legato 1", 512, 2.0));
    assert_finite(&l);
    let steady = &l[4_000..84_000];
    assert!(rms(steady) > 0.02, "the pad sounds: RMS {}", rms(steady));
    let notes = [65.41, 77.78, 98.0, 116.54];
    let floor = amplitude_at(steady, 71.0, sr).max(amplitude_at(steady, 88.0, sr));
    for f in notes {
        let a = amplitude_at(steady, f, sr);
        assert!(a > 20.0 * floor && a > 0.02, "{f} Hz: amplitude {a} (floor {floor})");
    }
    // the voice's own low-pass: far less energy above 4 kHz than the same voice unfiltered
    let raw = left(&play("~pad: saw # gain 0.2\nout: s \"~pad\" # note \"c5\" # legato 1", 512, 1.0));
    let lp = left(&play("~pad: saw # lpf 300 0.7 # gain 0.2\nout: s \"~pad\" # note \"c5\" # legato 1", 512, 1.0));
    let hi = |x: &[f32]| amplitude_at(&x[4_000..40_000], 261.63 * 17.0, sr);
    assert!(hi(&lp) < hi(&raw) * 0.01, "lpf inside the voice: {} vs {}", hi(&lp), hi(&raw));
    // an LFO inside the voice: a 3 Hz tremolo on a sine, depth 0.3 around 0.7
    let l = left(&play("~bell: (sine * (sine 3 * 0.3 + 0.7)) # gain 0.5\nout: s \"~bell\" # note \"a5\" # legato 1", 512, 2.0));
    let env: Vec<f64> = l[..88_000].chunks(441).map(|c| c.iter().map(|v| v.abs()).fold(0.0f32, f32::max) as f64).collect();
    let (lo, hi) = env[10..190].iter().fold((f64::MAX, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    let full = 0.5 * std::f64::consts::FRAC_1_SQRT_2;
    assert!((hi / full - 1.0).abs() < 0.03 && (lo / full - 0.4).abs() < 0.03, "tremolo envelope {lo}..{hi} of {full}");
    // buses and patterns cannot enter a voice: a clear error where it happens
    let e = Scene::from_ph("~lfo: sine 3\n~x: saw * ~lfo\nout: s \"~x\"", "t.ph").expect_err("an error").to_string();
    assert!(e.contains("t.ph:2:") && e.contains("voice"), "{e}");
    let e = Scene::from_ph("~x: saw # delay 0.2\nout: s \"~x\"", "t.ph").expect_err("an error").to_string();
    assert!(e.contains("t.ph:1:") && e.contains("lpf/hpf/bpf"), "{e}");
}

/// A program voice never clicks: even `ar 0 0` on a saw (which starts at -1) fades in and out
/// over 1 ms.
#[test]
fn program_voices_fade_in_and_out() {
    // four 0.25 s notes (quarter-cycle events at 0.5 cps, legato 0.5) of a saw at 0.35
    let l = left(&play("~x: saw # gain 0.5\nout: s \"~x*4\" # ar 0 0 # legato 0.5", 64, 2.0));
    let full = 0.5 * std::f32::consts::FRAC_1_SQRT_2;
    for k in 0..4 {
        let onset = k * 22_050;
        // the saw starts at -1: without a fade the first sample would be -0.35
        assert!(l[onset].abs() < full / 40.0, "note {k} starts faded: {}", l[onset]);
        assert!(l[onset + 22].abs() < full * 0.6, "half-way through the fade: {}", l[onset + 22]);
        let end = onset + 11_025 + 44; // legato end + 1 ms of release
        assert!(l[end - 1].abs() < full / 40.0, "note {k} ends faded: {}", l[end - 1]);
        assert!(l[end..onset + 22_050].iter().all(|v| v.abs() < 1e-6), "silence between notes");
    }
}

/// The piece, `assets/m.ph` (`jux rev $ stut 8 0.125 0.1 $ s "~x(3,8,1)" # ar 0 1 # note
/// "<c3'min7 c4'min7>" # lpf 200`): audible, finite, within 0 dBFS, left and right different
/// (jux), click-free (the low-passed sum moves slowly), on the pattern's exact first onset.
#[test]
fn m_ph_renders() {
    let scene = Scene::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/m.ph"))).unwrap();
    let mut engine = Engine::from_scene(&scene, "m.ph", EngineConfig { voices: 1024, ..cfg(512, 2) }).unwrap();
    let out = render_to_vec(&mut engine, 44_100 * 8);
    assert_finite(&out);
    let (l, r) = (left(&out), right(&out));
    assert!(rms(&l) > 0.05 && rms(&r) > 0.05, "audible: {} {}", rms(&l), rms(&r));
    assert!(peak(&out) <= 1.0);
    assert!(l.iter().zip(&r).any(|(a, b)| (a - b).abs() > 0.05), "jux: the channels differ");
    let jump = l.windows(2).chain(r.windows(2)).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max);
    assert!(jump < 0.05, "largest sample-to-sample jump {jump}");
    assert_eq!(engine.voice_stats().dropped, 0);
}
