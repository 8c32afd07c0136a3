//! Oscillator pitch, level and band-limiting, measured on rendered audio.
mod common;
use common::*;

/// A 440 Hz sine at 0.5 renders at 440 ± 0.5 Hz with RMS 0.354 ± 1 %, same on both channels.
#[test]
fn sine_440_pitch_and_rms() {
    let out = render(r#"Scene(outputs: { "out": Mul(Sine(Num(440)), Num(0.5)) })"#, cfg(512, 1), 2.0);
    assert_finite(&out);
    let (l, r) = (left(&out), right(&out));
    assert_eq!(l, r);
    let f = zero_crossing_freq(&l, 44_100.0);
    assert!((f - 440.0).abs() <= 0.5, "measured {f} Hz");
    let level = rms(&l);
    let want = 0.5 / 2f64.sqrt();
    assert!((level - want).abs() <= 0.01 * want, "RMS {level}, want {want}");
}

/// Saw, square and triangle sound at the asked pitch (the fundamental dominates the spectrum).
#[test]
fn shapes_have_the_right_pitch() {
    for shape in ["Saw", "Square", "Tri"] {
        let ron = format!(r#"Scene(outputs: {{ "out": Mul({shape}(Num(220)), Num(0.5)) }})"#);
        let l = left(&render(&ron, cfg(512, 1), 1.0));
        assert_finite(&l);
        let fund = amplitude_at(&l, 220.0, 44_100.0);
        for off in [110.0, 200.0, 330.0] {
            let other = amplitude_at(&l, off, 44_100.0);
            assert!(other < fund * 0.05, "{shape}: {off} Hz at {other} vs fundamental {fund}");
        }
        assert!(peak(&l) <= 0.6, "{shape} peak {}", peak(&l));
    }
}

/// polyBLEP saw and square: aliases of a 2.5 kHz tone stay far below a naive oscillator's.
/// At 44.1 kHz, harmonic 10 of 2.5 kHz (25 kHz) folds to 19.1 kHz, where a naive saw has 1/10
/// of the fundamental (-20 dB); the square's harmonic 11 (27.5 kHz) folds to 16.6 kHz (-20.8 dB).
#[test]
fn saw_and_square_are_band_limited() {
    for (shape, alias) in [("Saw", 19_100.0), ("Square", 16_600.0)] {
        let ron = format!(r#"Scene(outputs: {{ "out": {shape}(Num(2500)) }})"#);
        let l = left(&render(&ron, cfg(512, 1), 1.0));
        let fund = amplitude_at(&l, 2500.0, 44_100.0);
        let a = amplitude_at(&l, alias, 44_100.0);
        let db = 20.0 * (a / fund).log10();
        // measured: saw -30.3 dB, square -33.8 dB (naive: -20 dB, -20.8 dB)
        assert!(db < -28.0, "{shape}: alias at {alias} Hz is {db:.1} dB below the fundamental");
    }
}

/// White noise is full-band, bounded and deterministic.
#[test]
fn noise_is_bounded_and_reproducible() {
    let ron = r#"Scene(outputs: { "out": Noise })"#;
    let a = left(&render(ron, cfg(512, 1), 0.5));
    let b = left(&render(ron, cfg(64, 1), 0.5));
    assert_eq!(a, b);
    assert!(peak(&a) <= 1.0);
    let r = rms(&a);
    assert!((r - 1.0 / 3f64.sqrt()).abs() < 0.01, "uniform noise RMS {r}");
}
