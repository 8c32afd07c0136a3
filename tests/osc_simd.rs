//! The vectorised oscillators (issue #8) against the per-sample `f64` reference they replaced:
//! every shape, constant and per-sample frequencies (negative, zero, above Nyquist, non-finite),
//! phase continuity across blocks of any size, phase precision over an hour, and the run-time
//! dispatched code against the portable build of the same code.
use phonon::components::{OscShape, P};
use phonon::systems::dsp::osc;

const SR: f32 = 44_100.0;
const SHAPES: [OscShape; 5] = [OscShape::Sine, OscShape::Saw, OscShape::Square, OscShape::Tri, OscShape::Impulse];

/// The oscillator before issue #8: per-sample `f64` phase, `sin()`, polyBLEP (kept in osc.rs as
/// the fallback for frequencies the fixed-point path can't take).
use osc::oscillator_reference as reference;

type Osc = fn(OscShape, &mut f64, P<'_>, f32, &mut [f32]);

/// Render `freq` (a constant, or a buffer as long as the whole render) through `osc` in blocks of
/// the sizes `blocks` (cycled) up to `n` samples; returns the samples and the phase after them.
fn render(osc: Osc, shape: OscShape, phase0: f64, freq: Result<f32, &[f32]>, n: usize, blocks: &[usize]) -> (Vec<f32>, f64) {
    let mut out = vec![0.0f32; n];
    let mut phase = phase0;
    let mut start = 0;
    for &b in blocks.iter().cycle() {
        if start >= n {
            break;
        }
        let end = (start + b).min(n);
        let p = match freq {
            Ok(f) => P::Const(f),
            Err(buf) => P::Buf(&buf[start..end]),
        };
        osc(shape, &mut phase, p, SR, &mut out[start..end]);
        start = end;
    }
    (out, phase)
}

/// The largest difference a shape may show from the `f64` reference.
fn tolerance(shape: OscShape) -> f32 {
    match shape {
        OscShape::Sine => 2e-6,
        OscShape::Saw | OscShape::Square => 1e-5,
        OscShape::Tri => 1e-6,
        OscShape::Impulse => 0.0,
    }
}

/// Phase difference in turns, modulo 1.
fn phase_diff(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(1.0);
    d.min(1.0 - d)
}

/// `shape` at `freq` through the dispatched oscillator, the portable one and the reference, in
/// blocks of 512 and irregular blocks: the two builds and the two block sizes agree bit for bit,
/// and follow the reference within the shape's tolerance and its phase within 1e-9 turn.
fn check(shape: OscShape, phase0: f64, freq: Result<f32, &[f32]>, n: usize, what: &str) {
    let (want, want_ph) = render(reference, shape, phase0, freq, n, &[n]);
    let mut first: Option<(Vec<f32>, f64)> = None;
    for blocks in [&[512][..], &[1, 7, 64, 300, 513, 2000, 33]] {
        let (got, ph) = render(osc::oscillator, shape, phase0, freq, n, blocks);
        // The block sizes never change a sample (the engine's own tests require it).
        if let Some((a, a_ph)) = &first {
            assert!(a.iter().zip(&got).all(|(x, y)| x.to_bits() == y.to_bits()), "{shape:?} {what}: blocks {blocks:?} change the sound");
            assert_eq!(a_ph.to_bits(), ph.to_bits(), "{shape:?} {what}: blocks {blocks:?} change the phase");
        } else {
            first = Some((got.clone(), ph));
        }
        let (port, port_ph) = render(osc::oscillator_portable, shape, phase0, freq, n, blocks);
        for (i, (g, p)) in got.iter().zip(&port).enumerate() {
            assert_eq!(g.to_bits(), p.to_bits(), "{shape:?} {what} blocks {blocks:?}: dispatched {g} vs portable {p} at {i}");
        }
        assert_eq!(ph.to_bits(), port_ph.to_bits(), "{shape:?} {what}: dispatched vs portable phase");
        let tol = tolerance(shape);
        let (worst, at) = got.iter().zip(&want).enumerate().fold((0.0f32, 0), |(w, at), (i, (g, r))| {
            let e = (g - r).abs();
            if e > w { (e, i) } else { (w, at) }
        });
        assert!(
            worst <= tol,
            "{shape:?} {what} blocks {blocks:?}: {} vs reference {} at sample {at} (error {worst:e} > {tol:e})",
            got[at],
            want[at]
        );
        assert!((0.0..1.0).contains(&ph), "{shape:?} {what}: phase {ph} outside [0, 1)");
        assert!(phase_diff(ph, want_ph) < 1e-9, "{shape:?} {what}: phase {ph} vs reference {want_ph}");
    }
}

const CONST_FREQS: [f32; 16] =
    [440.0, 1000.3, 1.0, 0.37, 20.0, 0.0, -440.0, -3000.7, 11_025.0, 22_050.0, 30_000.0, 44_100.0, 50_000.0, -60_000.0, 88_200.0, 1.0e6];

#[test]
fn constant_frequencies_match_the_reference() {
    for shape in SHAPES {
        for (k, f) in CONST_FREQS.into_iter().enumerate() {
            let phase0 = [0.0, 0.3, 0.999_999_9, 0.5][k % 4];
            check(shape, phase0, Ok(f), 5000, &format!("at {f} Hz from {phase0}"));
        }
    }
}

#[test]
fn frequency_buffers_match_the_reference() {
    let n = 6000;
    let vibrato: Vec<f32> = (0..n).map(|i| 440.0 + 300.0 * (i as f32 * 0.003).sin()).collect();
    let sweep: Vec<f32> = (0..n).map(|i| i as f32 * 10.0).collect();
    let through_zero: Vec<f32> = (0..n).map(|i| 2000.0 * (i as f32 * 0.001).sin()).collect();
    let wild: Vec<f32> = (0..n).map(|i| [0.0, 30_000.0, -45_000.0, 5.0, 22_050.0, -1.0, 100_000.0][i % 7]).collect();
    let slow: Vec<f32> = (0..n).map(|i| 0.5 + (i % 100) as f32 * 0.01).collect();
    for shape in SHAPES {
        for (buf, what) in [(&vibrato, "vibrato"), (&sweep, "sweep"), (&through_zero, "through zero"), (&wild, "wild"), (&slow, "slow")] {
            check(shape, 0.25, Err(buf), n, what);
        }
    }
}

/// NaN, infinite and absurd frequencies take the reference loop itself: identical output, and
/// a NaN resets the phase to 0 as before.
#[test]
fn non_finite_and_huge_frequencies_fall_back_to_the_reference() {
    let n = 700;
    let mut nan_buf = vec![440.0f32; n];
    nan_buf[100] = f32::NAN;
    let mut inf_buf = vec![440.0f32; n];
    inf_buf[3] = f32::INFINITY;
    let huge_buf = vec![1.0e11f32; n];
    for shape in SHAPES {
        for (freq, what) in [
            (Ok(f32::NAN), "NaN"),
            (Ok(f32::INFINITY), "inf"),
            (Ok(-3.0e12), "-3e12 Hz"),
            (Err(&nan_buf[..]), "a NaN in the buffer"),
            (Err(&inf_buf[..]), "an inf in the buffer"),
            (Err(&huge_buf[..]), "1e11 Hz buffer"),
        ] {
            let (want, want_ph) = render(reference, shape, 0.1, freq, n, &[n]);
            let (got, ph) = render(osc::oscillator, shape, 0.1, freq, n, &[n]);
            for (i, (g, r)) in got.iter().zip(&want).enumerate() {
                assert!(g.to_bits() == r.to_bits() || (g.is_nan() && r.is_nan()), "{shape:?} {what}: {g} vs {r} at {i}");
            }
            assert_eq!(ph.to_bits(), want_ph.to_bits(), "{shape:?} {what}");
        }
    }
}

/// The sine over its whole period, sample by sample: frequency 0 holds the phase, so one
/// sample per phase on a fine grid (plus the values right around the wrap and the half turn).
#[test]
fn sine_error_over_the_whole_period() {
    let mut worst = 0.0f64;
    let mut phases: Vec<f64> = (0..200_000).map(|i| i as f64 / 200_000.0).collect();
    phases.extend([1e-12, 1e-7, 0.25, 0.5 - 1e-9, 0.5, 0.5 + 1e-9, 0.75, 1.0 - 1e-9, 1.0 - 1e-15]);
    for ph in phases {
        for osc in [osc::oscillator as Osc, osc::oscillator_portable] {
            let mut out = [0.0f32; 1];
            let mut p = ph;
            osc(OscShape::Sine, &mut p, P::Const(0.0), SR, &mut out);
            let e = (out[0] as f64 - (ph * std::f64::consts::TAU).sin()).abs();
            worst = worst.max(e);
        }
    }
    assert!(worst <= 2e-6, "sine max abs error {worst:e}");
    // In practice the polynomial plus f32 rounding stays far below the bound.
    assert!(worst <= 3e-7, "sine max abs error {worst:e}");
}

/// One block of 512 and 512 blocks of 1 give the same samples and the same phase, bit for bit
/// (the phase is exact fixed point, so how a render is cut into blocks never shows).
#[test]
fn block_size_does_not_matter() {
    let fm: Vec<f32> = (0..512).map(|i| 300.0 + i as f32).collect();
    for shape in SHAPES {
        for freq in [Ok(440.0), Ok(-1234.5), Ok(30_000.0), Err(&fm[..])] {
            let (one, ph1) = render(osc::oscillator, shape, 0.7, freq, 512, &[512]);
            let (many, ph512) = render(osc::oscillator, shape, 0.7, freq, 512, &[1]);
            assert_eq!(ph1.to_bits(), ph512.to_bits(), "{shape:?} {freq:?}: phase {ph1} vs {ph512}");
            for (i, (a, b)) in one.iter().zip(&many).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "{shape:?} {freq:?}: {a} vs {b} at {i}");
            }
        }
    }
}

/// Samples either side of every block boundary continue the waveform: no click where blocks meet.
#[test]
fn continuous_across_block_boundaries() {
    for shape in [OscShape::Sine, OscShape::Tri] {
        let (out, _) = render(osc::oscillator, shape, 0.0, Ok(440.0), 4096, &[100, 1, 255, 256, 257, 512, 3]);
        // 440 Hz: consecutive samples differ by at most 2π·440/44100 (sine), 4·440/44100 (tri).
        let step = if shape == OscShape::Sine { std::f32::consts::TAU } else { 4.0 } * 440.0 / SR;
        for w in out.windows(2) {
            assert!((w[1] - w[0]).abs() <= step * 1.0001, "{shape:?}: jump {} → {}", w[0], w[1]);
        }
    }
}

/// The exact phase after `n` samples at `f` Hz: frac(n · x) for the f64 increment
/// x = f · (1/sr) the oscillator uses, in integer arithmetic.
fn exact_phase(f: f32, n: u64) -> f64 {
    let x = f as f64 * (1.0 / SR as f64);
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let mant = (bits & ((1 << 52) - 1)) | (1 << 52);
    assert!(exp < 0 && -exp < 120);
    let prod = n as u128 * mant as u128;
    let frac = prod & ((1u128 << -exp) - 1);
    frac as f64 / (1u128 << -exp) as f64
}

/// An hour at 440.3 Hz in blocks of 512: the phase stays within 1e-7 turn of exact (0.2 ns at
/// 440 Hz). The phase is a 52-bit fixed point, its increment rounded to 2^-53 turn: the drift is
/// at most 1.6e8 · 2^-53 ≈ 2e-8 turn an hour (the per-sample f64 loop rounds as much, each add).
#[test]
fn phase_is_precise_after_an_hour() {
    let f = 440.3;
    let blocks = (3600 * SR as u64) / 512;
    let mut out = [0.0f32; 512];
    for shape in [OscShape::Sine, OscShape::Saw] {
        let mut phase = 0.0;
        for _ in 0..blocks {
            osc::oscillator(shape, &mut phase, P::Const(f), SR, &mut out);
        }
        let exact = exact_phase(f, blocks * 512);
        assert!(phase_diff(phase, exact) < 1e-7, "{shape:?}: after an hour phase {phase} vs exact {exact}");
        // And the last block is the waveform at that phase.
        let mut p = exact;
        let mut want = [0.0f32; 1];
        reference(shape, &mut p, P::Const(f), SR, &mut want);
        let mut got = [0.0f32; 1];
        osc::oscillator(shape, &mut phase, P::Const(f), SR, &mut got);
        assert!((got[0] - want[0]).abs() < 1e-5, "{shape:?}: {} vs {}", got[0], want[0]);
    }
}

/// CPU time per sample of each shape (not a test: `cargo test --release --test osc_simd -- --ignored --nocapture`).
/// Reads this thread's on-CPU time from /proc, so other processes on a busy machine don't count.
#[test]
#[ignore]
fn cpu_time_per_sample() {
    fn cpu_ns() -> u64 {
        std::fs::read_to_string("/proc/thread-self/schedstat").map_or(0, |s| s.split_whitespace().next().unwrap().parse().unwrap())
    }
    #[repr(align(64))]
    struct Aligned([f32; 513]);
    let fm: Vec<f32> = (0..512).map(|i| 440.0 + 30.0 * (i as f32 * 0.05).sin()).collect();
    let mut buf = Aligned([0.0f32; 513]);
    let skew = std::env::var("OSC_SKEW").map_or(0, |s| s.parse().unwrap());
    let out = &mut buf.0[skew..skew + 512];
    for shape in SHAPES {
        for (freq, what) in [(P::Const(440.0), "const"), (P::Buf(&fm), "buf")] {
            for (osc, build) in [(osc::oscillator as Osc, "dispatched"), (osc::oscillator_portable, "portable")] {
                let mut phase = 0.0;
                let mut best = f64::MAX;
                // Runs of at least 100 ms of CPU time (the counter advances in scheduler ticks).
                for _ in 0..3 {
                    let t = cpu_ns();
                    let mut reps = 0u64;
                    while cpu_ns() - t < 100_000_000 {
                        for _ in 0..1000 {
                            osc(shape, &mut phase, freq, SR, out);
                            std::hint::black_box(&out);
                        }
                        reps += 1000;
                    }
                    best = best.min((cpu_ns() - t) as f64 / (reps * 512) as f64);
                }
                println!("{shape:?} {what} {build}: {best:.3} ns/sample");
            }
        }
    }
}
