//! The state-variable filters, measured against their analytic response.
mod common;
use common::*;
use phonon::components::FilterMode;
use phonon::systems::dsp::filter::analytic_gain_db;

const SR: f64 = 44_100.0;

/// Gain in dB of `filter` (Lpf/Hpf/Bpf) at `freq` for a 1 kHz cutoff, q 0.707, measured on a
/// steady-state sine (the first 0.2 s, the transient, is skipped).
fn measured_db(filter: &str, freq: f64) -> f64 {
    let ron = format!(r#"Scene(outputs: {{ "out": {filter}(Sine(Num({freq})), Num(1000), Num(0.707)) }})"#);
    let l = left(&render(&ron, cfg(512, 1), 1.2));
    let steady = &l[(0.2 * SR) as usize..];
    let amp = amplitude_at(steady, freq, SR);
    20.0 * amp.log10()
}

/// Measured gain at each frequency is within 1 dB of the analytic response.
fn check_response(filter: &str, mode: FilterMode, freqs: &[f64]) {
    for &freq in freqs {
        let got = measured_db(filter, freq);
        let want = analytic_gain_db(mode, freq, 1000.0, 0.707, SR);
        assert!((got - want).abs() < 1.0, "{filter} at {freq} Hz: measured {got:.2} dB, analytic {want:.2} dB");
    }
}

/// Low-pass: one and two octaves above the cutoff the attenuation matches the analytic
/// response within 1 dB (two octaves up is below -20 dB); the passband is flat.
#[test]
fn lowpass_matches_analytic_response() {
    check_response("Lpf", FilterMode::Lowpass, &[2000.0, 4000.0, 250.0]);
    assert!(measured_db("Lpf", 4000.0) < -20.0);
}

/// High-pass: one and two octaves below the cutoff, likewise within 1 dB of the analysis.
#[test]
fn highpass_matches_analytic_response() {
    check_response("Hpf", FilterMode::Highpass, &[500.0, 250.0, 4000.0]);
    assert!(measured_db("Hpf", 250.0) < -20.0);
}

/// Band-pass: gain q at the centre (-3 dB for q 0.707), falling away either side as analysed.
#[test]
fn bandpass_matches_analytic_response() {
    check_response("Bpf", FilterMode::Bandpass, &[1000.0, 250.0, 4000.0]);
}

/// A filter with a swept (signal) cutoff and q gives bit-identical output in blocks of
/// 1, 7, 64 and 512 samples.
#[test]
fn block_size_does_not_change_the_output() {
    let ron = r#"Scene(
        buses: { "cut": Add(Mul(Sine(Num(3)), Num(1500)), Num(2000)), "q": Add(Mul(Tri(Num(0.7)), Num(2)), Num(3)) },
        outputs: {
            "out": Lpf(Saw(Num(110)), Bus("cut"), Bus("q")),
            "o1": Hpf(Noise, Bus("cut"), Num(0.9)),
            "o2": Bpf(Square(Num(97)), Num(700), Bus("q")),
        },
    )"#;
    let reference = render(ron, cfg(512, 1), 0.5);
    assert_finite(&reference);
    for block in [1, 7, 64] {
        let out = render(ron, cfg(block, 1), 0.5);
        assert!(out == reference, "block size {block} differs from 512");
    }
}
