//! Patterns played as voices: exact onsets, controls, mixing — with synthetic samples whose
//! every sample is known.
mod common;
use common::*;
use phonon::build::SampleSource;
use phonon::components::SampleData;
use phonon::render::render_to_vec;
use phonon::{Engine, Scene};
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
    let mut engine = Engine::new(&scene, "t.ph", cfg(512, 1)).unwrap();
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
    let err = Engine::new(&scene, "t.ph", cfg(512, 1)).err().expect("an error").to_string();
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
