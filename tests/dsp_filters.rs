//! The catalogue's filters measured against their analytic responses: each filter's impulse
//! response (through `catalogue::run`) is DFT'd at chosen frequencies and compared with the
//! transfer function derived here independently of the kernels; plus stability at extreme
//! arguments, glide without zipper steps, and the `.ph` examples rendered end to end.
mod common;
use common::*;
use phonon::systems::dsp::catalogue::{Input, find, run};
use phonon::systems::dsp::nodes::filters::{MIN_DELAY_FREQ, djf_setting, res_to_q};
use std::f64::consts::PI;

const SR: f32 = 48_000.0;

// ---------------------------------------------------------------------------------------------
// Complex arithmetic and analytic responses

#[derive(Clone, Copy, Debug)]
struct C(f64, f64);

impl C {
    fn abs(self) -> f64 {
        self.0.hypot(self.1)
    }
    fn db(self) -> f64 {
        20.0 * self.abs().log10()
    }
    /// e^{-jωn}: `n` samples of delay at normalised angular frequency `w`.
    fn delay(w: f64, n: f64) -> C {
        C((w * n).cos(), -(w * n).sin())
    }
}
impl std::ops::Add for C {
    type Output = C;
    fn add(self, o: C) -> C {
        C(self.0 + o.0, self.1 + o.1)
    }
}
impl std::ops::Sub for C {
    type Output = C;
    fn sub(self, o: C) -> C {
        C(self.0 - o.0, self.1 - o.1)
    }
}
impl std::ops::Mul for C {
    type Output = C;
    fn mul(self, o: C) -> C {
        C(self.0 * o.0 - self.1 * o.1, self.0 * o.1 + self.1 * o.0)
    }
}
impl std::ops::Div for C {
    type Output = C;
    fn div(self, o: C) -> C {
        let d = o.0 * o.0 + o.1 * o.1;
        C((self.0 * o.0 + self.1 * o.1) / d, (self.1 * o.0 - self.0 * o.1) / d)
    }
}
fn re(x: f64) -> C {
    C(x, 0.0)
}

/// Normalised angular frequency of `f` Hz.
fn omega(f: f64) -> f64 {
    2.0 * PI * f / SR as f64
}

/// The analog prototype's `s` at `f` for a TPT filter with cutoff `fc`: `j·tan(πf/sr)/tan(πfc/sr)`.
fn s_warped(f: f64, fc: f64) -> C {
    let sr = SR as f64;
    C(0.0, (PI * f / sr).tan() / (PI * fc / sr).tan())
}

#[derive(Clone, Copy)]
enum Svf {
    Low,
    High,
    Notch,
}

/// Second-order analog response (low `1`, high `s²`, notch `s²+1` over `s²+s/q+1`), prewarped.
fn svf_response(kind: Svf, f: f64, fc: f64, q: f64) -> C {
    let s = s_warped(f, fc);
    let den = s * s + s * re(1.0 / q) + re(1.0);
    let num = match kind {
        Svf::Low => re(1.0),
        Svf::High => s * s,
        Svf::Notch => s * s + re(1.0),
    };
    num / den
}

/// The ladder: `1/((1+s)⁴ + k)`, prewarped, `k = 4.2·res` (the documented mapping: linear
/// self-oscillation at k = 4, i.e. res ≈ 0.95).
fn moog_response(f: f64, fc: f64, res: f64) -> C {
    let s = s_warped(f, fc);
    let p = re(1.0) + s;
    re(1.0) / (p * p * p * p + re(4.2 * res))
}

/// Feedback comb with a linearly interpolated delay `d = sr/freq` samples, normalised by 1-|fb|.
fn comb_response(f: f64, freq: f64, fb: f64) -> C {
    let d = SR as f64 / freq;
    let (n, a) = (d.floor(), d - d.floor());
    let w = omega(f);
    let line = C::delay(w, n) * (re(1.0 - a) + re(a) * C::delay(w, 1.0));
    re(1.0 - fb.abs()) / (re(1.0) - re(fb) * line)
}

/// RBJ Audio-EQ-Cookbook biquads (written out as in the cookbook), evaluated at `f`.
fn rbj_low_shelf(f: f64, f0: f64, db: f64) -> C {
    let a = 10f64.powf(db / 40.0);
    let w0 = omega(f0);
    let alpha = w0.sin() / 2.0 * 2f64.sqrt();
    let c = w0.cos();
    let sa = 2.0 * a.sqrt() * alpha;
    biquad_at(
        f,
        [a * ((a + 1.0) - (a - 1.0) * c + sa), 2.0 * a * ((a - 1.0) - (a + 1.0) * c), a * ((a + 1.0) - (a - 1.0) * c - sa)],
        [(a + 1.0) + (a - 1.0) * c + sa, -2.0 * ((a - 1.0) + (a + 1.0) * c), (a + 1.0) + (a - 1.0) * c - sa],
    )
}
fn rbj_high_shelf(f: f64, f0: f64, db: f64) -> C {
    let a = 10f64.powf(db / 40.0);
    let w0 = omega(f0);
    let alpha = w0.sin() / 2.0 * 2f64.sqrt();
    let c = w0.cos();
    let sa = 2.0 * a.sqrt() * alpha;
    biquad_at(
        f,
        [a * ((a + 1.0) + (a - 1.0) * c + sa), -2.0 * a * ((a - 1.0) + (a + 1.0) * c), a * ((a + 1.0) + (a - 1.0) * c - sa)],
        [(a + 1.0) - (a - 1.0) * c + sa, 2.0 * ((a - 1.0) - (a + 1.0) * c), (a + 1.0) - (a - 1.0) * c - sa],
    )
}
fn rbj_peak(f: f64, f0: f64, q: f64, db: f64) -> C {
    let a = 10f64.powf(db / 40.0);
    let w0 = omega(f0);
    let alpha = w0.sin() / (2.0 * q);
    let c = w0.cos();
    biquad_at(f, [1.0 + alpha * a, -2.0 * c, 1.0 - alpha * a], [1.0 + alpha / a, -2.0 * c, 1.0 - alpha / a])
}
fn biquad_at(f: f64, b: [f64; 3], a: [f64; 3]) -> C {
    let w = omega(f);
    let poly = |c: [f64; 3]| re(c[0]) + re(c[1]) * C::delay(w, 1.0) + re(c[2]) * C::delay(w, 2.0);
    poly(b) / poly(a)
}

/// `eq low mid high`: 250 Hz low shelf, 1 kHz bell (q 0.7), 4 kHz high shelf.
fn eq_response(f: f64, low: f64, mid: f64, high: f64) -> C {
    rbj_low_shelf(f, 250.0, low) * rbj_peak(f, 1000.0, 0.7, mid) * rbj_high_shelf(f, 4000.0, high)
}

// ---------------------------------------------------------------------------------------------
// Measuring

/// Impulse response of `name` with its typed arguments `args`, for an impulse of `amp`, divided
/// by `amp`. Asserts the response has died out (its last 1000 samples are below -140 dB of its peak).
fn impulse_response(name: &str, args: &[f32], amp: f32, frames: usize) -> Vec<f64> {
    let def = find(name).unwrap_or_else(|| panic!("no node {name}"));
    let mut x = vec![0.0f32; frames];
    x[0] = amp;
    let mut inputs = vec![Input::Mono(&x)];
    inputs.extend(args.iter().map(|&a| Input::Const(a)));
    let (ch, y) = run(def, &inputs, SR, 64, frames);
    assert_eq!(ch, 1);
    assert_finite(&y);
    let h: Vec<f64> = y.iter().map(|&v| v as f64 / amp as f64).collect();
    let pk = h.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let tail = h[frames - 1000..].iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(tail <= pk * 1e-7, "{name} {args:?}: impulse response still ringing ({tail:e} vs peak {pk:e})");
    h
}

/// The DFT of `h` at `f` Hz.
fn dft(h: &[f64], f: f64) -> C {
    let w = omega(f);
    let (mut a, mut b) = (0.0, 0.0);
    for (n, &v) in h.iter().enumerate() {
        let (s, c) = (w * n as f64).sin_cos();
        a += v * c;
        b -= v * s;
    }
    C(a, b)
}

/// Compare the measured magnitude of `h` with `analytic` at each frequency within `tol` dB;
/// returns the worst error (printed with `--nocapture`).
fn check(what: &str, h: &[f64], freqs: &[f64], tol: f64, analytic: impl Fn(f64) -> C) -> f64 {
    let mut worst = 0.0f64;
    for &f in freqs {
        let (got, want) = (dft(h, f).db(), analytic(f).db());
        println!("{what} @ {f} Hz: measured {got:.3} dB, analytic {want:.3} dB");
        assert!((got - want).abs() < tol, "{what} at {f} Hz: measured {got:.3} dB, analytic {want:.3} dB");
        worst = worst.max((got - want).abs());
    }
    worst
}

fn gain_db(h: &[f64], f: f64) -> f64 {
    dft(h, f).db()
}

// ---------------------------------------------------------------------------------------------
// State-variable filters

/// `notch`: exact response of the prewarped `(s²+1)/(s²+s/q+1)` within 0.5 dB away from the
/// null, and more than 60 dB of rejection at the cutoff itself.
#[test]
fn notch_matches_analytic_response() {
    for (fc, q) in [(1000.0, 1.0), (3000.0, 4.0), (200.0, 0.5)] {
        let h = impulse_response("notch", &[fc as f32, q as f32], 1.0, 1 << 15);
        check(&format!("notch {fc} {q}"), &h, &[fc * 0.25, fc * 0.7, fc * 0.9, fc * 1.1, fc * 1.5, fc * 4.0, 100.0, 15_000.0], 0.5, |f| {
            svf_response(Svf::Notch, f, fc, q)
        });
        let null = gain_db(&h, fc);
        println!("notch {fc} {q}: {null:.1} dB at the cutoff");
        assert!(null < -60.0, "notch {fc} {q}: only {null:.1} dB at the cutoff");
    }
}

/// `rlpf`: the res→q mapping (0 → 0.707, 1 → 20) and the exact low-pass response, including
/// the resonant peak (+26 dB at res 1) and -12 dB/oct above the cutoff.
#[test]
fn rlpf_matches_analytic_response() {
    assert!((res_to_q(0.0) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6 && (res_to_q(1.0) - 20.0).abs() < 1e-4);
    for (fc, res) in [(1000.0, 0.0), (1000.0, 0.5), (500.0, 1.0), (5000.0, 0.8)] {
        let q = res_to_q(res as f32) as f64;
        let h = impulse_response("rlpf", &[fc as f32, res as f32], 1.0, 1 << 16);
        let freqs = [fc * 0.25, fc * 0.5, fc, fc * 2.0, fc * 4.0, 50.0, 18_000.0];
        check(&format!("rlpf {fc} {res}"), &h, &freqs, 0.5, |f| svf_response(Svf::Low, f, fc, q));
    }
    let h = impulse_response("rlpf", &[1000.0, 1.0], 1.0, 1 << 16);
    let peak = gain_db(&h, 1000.0);
    println!("rlpf 1000 1: peak {peak:.2} dB at the cutoff");
    assert!((peak - 20.0 * 20f64.log10()).abs() < 0.5);
    let h = impulse_response("rlpf", &[500.0, 0.0], 1.0, 1 << 15);
    let slope = gain_db(&h, 4000.0) - gain_db(&h, 2000.0);
    println!("rlpf 500 0: {slope:.2} dB/oct between 2 and 4 kHz");
    assert!((slope + 12.0).abs() < 1.0);
}

/// `rhpf`: the exact high-pass response, mirror of `rlpf`.
#[test]
fn rhpf_matches_analytic_response() {
    for (fc, res) in [(1000.0, 0.0), (1000.0, 0.5), (200.0, 1.0), (8000.0, 0.3)] {
        let q = res_to_q(res as f32) as f64;
        let h = impulse_response("rhpf", &[fc as f32, res as f32], 1.0, 1 << 16);
        let freqs = [fc * 0.25, fc * 0.5, fc, fc * 2.0, fc * 1.5, 20.0, 20_000.0];
        check(&format!("rhpf {fc} {res}"), &h, &freqs, 0.5, |f| svf_response(Svf::High, f, fc, q));
    }
}

// ---------------------------------------------------------------------------------------------
// Moog ladder

/// `moog` at small signal level is exactly the prewarped `1/((1+s)⁴ + 4.2·res)`.
#[test]
fn moog_matches_analytic_response() {
    for (fc, res) in [(1000.0, 0.0), (1000.0, 0.5), (300.0, 0.9), (6000.0, 0.3)] {
        let h = impulse_response("moog", &[fc as f32, res as f32], 1e-3, 1 << 17);
        let freqs = [40.0, fc * 0.5, fc * 0.9, fc, fc * 1.1, fc * 2.0, fc * 3.0];
        let worst = check(&format!("moog {fc} {res}"), &h, &freqs, 0.5, |f| moog_response(f, fc, res));
        println!("moog {fc} {res}: worst error {worst:.4} dB");
    }
}

/// `moog` falls at -24 dB/oct: between 2 and 4 octaves above the cutoff the gain drops 48 dB
/// (±3), as the analog ladder does.
#[test]
fn moog_slope_is_24_db_per_octave() {
    for res in [0.0, 0.5] {
        let fc = 200.0;
        let h = impulse_response("moog", &[fc as f32, res as f32], 1e-3, 1 << 16);
        let drop = gain_db(&h, fc * 16.0) - gain_db(&h, fc * 4.0);
        let want = moog_response(fc * 16.0, fc, res).db() - moog_response(fc * 4.0, fc, res).db();
        println!("moog {fc} {res}: {drop:.2} dB from 2 to 4 octaves above the cutoff ({:.2} dB/oct; analytic {want:.2})", drop / 2.0);
        assert!((drop + 48.0).abs() < 3.0, "moog res {res}: {drop:.2} dB over 2 octaves");
    }
}

/// `moog` at res 0.9 peaks near its cutoff, well above its passband.
#[test]
fn moog_resonance_peaks_at_cutoff() {
    for fc in [250.0, 1000.0, 4000.0] {
        let h = impulse_response("moog", &[fc as f32, 0.9], 1e-3, 1 << 17);
        let grid: Vec<f64> = (0..=200).map(|i| fc * 2f64.powf(-1.0 + i as f64 / 100.0)).collect();
        let (fpk, gpk) = grid.iter().map(|&f| (f, gain_db(&h, f))).fold((0.0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
        let dc = gain_db(&h, 20.0);
        println!("moog {fc} 0.9: peak {gpk:.1} dB at {fpk:.0} Hz, {:.1} dB above the passband", gpk - dc);
        assert!((fpk / fc - 1.0).abs() < 0.05, "moog {fc}: peak at {fpk} Hz");
        assert!(gpk - dc > 20.0, "moog {fc}: peak only {:.1} dB above the passband", gpk - dc);
    }
}

/// At res 1 the ladder self-oscillates near its cutoff and keeps ringing after the input
/// stops, but stays bounded (|y| ≤ 1.5) for any cutoff and a full-scale input.
#[test]
fn moog_self_oscillation_is_bounded() {
    let def = find("moog").unwrap();
    let frames = 5 * SR as usize;
    let noise: Vec<f32> = (0..frames)
        .map(|i| if i < SR as usize { ((i as u32).wrapping_mul(2_654_435_761) >> 8) as f32 / 8_388_608.0 - 1.0 } else { 0.0 })
        .collect();
    let saw: Vec<f32> = (0..frames).map(|i| 2.0 * ((i as f32 * 110.0 / SR) % 1.0) - 1.0).collect();
    for fc in [0.0, 50.0, 440.0, 2000.0, 10_000.0, 1e9] {
        for input in [&noise, &saw] {
            let (_, y) = run(def, &[Input::Mono(input), Input::Const(fc), Input::Const(1.0)], SR, 64, frames);
            assert_finite(&y);
            let pk = peak(&y);
            assert!(pk <= 1.5, "moog {fc} 1: peak {pk}");
            if input == &noise && (50.0..=10_000.0).contains(&fc) {
                let tail = &y[4 * SR as usize..];
                let f = zero_crossing_freq(tail, SR as f64);
                println!("moog {fc} 1: peak {pk:.3}, self-oscillates at {f:.1} Hz with RMS {:.3} after the input stops", rms(tail));
                assert!(rms(tail) > 0.05, "moog {fc}: no self-oscillation");
                assert!((f / fc as f64 - 1.0).abs() < 0.05, "moog {fc}: oscillates at {f} Hz");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Comb and allpass

/// `comb`: the response of `(1-|fb|)/(1 - fb·z^-N((1-a) + a·z^-1))` (the interpolated delay
/// included); resonant peaks at multiples of freq (0 dB for integer delays) and troughs between.
#[test]
fn comb_matches_analytic_response() {
    // 240 Hz: an integer delay of 200 samples; 220 Hz: 218.18 samples (interpolated)
    for (freq, fb) in [(240.0, 0.9), (220.0, 0.9), (220.0, -0.7), (1000.0, 0.5), (37.0, 0.95)] {
        let h = impulse_response("comb", &[freq as f32, fb as f32], 1.0, 1 << 19);
        let freqs = [freq, freq * 1.5, freq * 2.0, freq * 2.5, freq * 5.0, freq * 0.25, 3333.0];
        check(&format!("comb {freq} {fb}"), &h, &freqs, 0.5, |f| comb_response(f, freq, fb));
    }
    let h = impulse_response("comb", &[240.0, 0.9], 1.0, 1 << 17);
    let (pk, trough) = (gain_db(&h, 480.0), gain_db(&h, 600.0));
    println!("comb 240 0.9: peak {pk:.3} dB at 480 Hz, trough {trough:.2} dB at 600 Hz");
    assert!(pk.abs() < 0.01 && (trough - 20.0 * (0.1f64 / 1.9).log10()).abs() < 0.01);
}

/// `allpass`: flat magnitude (within 0.01 dB) at every frequency for integer and fractional
/// delays; the response starts with -feedback and keeps all the energy.
#[test]
fn allpass_is_flat() {
    for (freq, fb) in [(100.0, 0.5), (137.0, 0.7), (4800.0, -0.6), (5000.0, 0.9), (MIN_DELAY_FREQ as f64, 0.3)] {
        let h = impulse_response("allpass", &[freq as f32, fb as f32], 1.0, 1 << 19);
        let freqs: Vec<f64> = (0..40).map(|i| 20.0 * 1.19f64.powi(i)).filter(|&f| f < 23_900.0).collect();
        let worst = check(&format!("allpass {freq} {fb}"), &h, &freqs, 0.01, |_| re(1.0));
        let energy: f64 = h.iter().map(|v| v * v).sum();
        println!("allpass {freq} {fb}: worst {worst:.5} dB, energy {energy:.6}, h[0] {}", h[0]);
        assert!((energy - 1.0).abs() < 1e-3 && (h[0] + fb).abs() < 1e-6);
        // the echo arrives at 1/freq (±1 sample: the fractional delay spreads it)
        let d = SR as f64 / freq;
        let arrival = h.iter().skip(1).position(|v| v.abs() > 0.1).map(|i| i + 1).unwrap_or(0) as f64;
        assert!((arrival - d).abs() <= 1.5, "allpass {freq}: first echo at {arrival}, delay {d}");
    }
}

// ---------------------------------------------------------------------------------------------
// DJ filter and EQ

/// `djf`: 0.5 passes the input bit for bit; below, a low-pass sweeping down; above, a high-pass
/// sweeping up; near the centre a blend of the two, each exactly as analysed.
#[test]
fn djf_sweeps_and_bypasses() {
    let noise: Vec<f32> = (0..4800u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 8) as f32 / 8_388_608.0 - 1.0).collect();
    let (_, y) = run(find("djf").unwrap(), &[Input::Mono(&noise), Input::Const(0.5)], SR, 64, noise.len());
    assert_eq!(y, noise, "djf 0.5 is not a bypass");
    for x in [0.05, 0.25, 0.45, 0.48, 0.52, 0.55, 0.75, 0.95] {
        let (high, fc, wet) = djf_setting(x as f32);
        let (fc, wet) = (fc as f64, wet as f64);
        let h = impulse_response("djf", &[x as f32], 1.0, 1 << 16);
        let kind = if high { Svf::High } else { Svf::Low };
        let freqs = [30.0, 100.0, 500.0, 1000.0, 3000.0, 10_000.0, fc];
        check(&format!("djf {x} ({} {fc:.0} Hz, wet {wet})", if high { "hpf" } else { "lpf" }), &h, &freqs, 0.5, |f| {
            svf_response(kind, f, fc, std::f64::consts::FRAC_1_SQRT_2) * re(wet) + re(1.0 - wet)
        });
    }
    // the sweep is monotonic: turning down closes the low-pass, turning up opens the high-pass
    let at_1k = |x: f32| gain_db(&impulse_response("djf", &[x], 1.0, 1 << 15), 1000.0);
    let lows: Vec<f64> = [0.45, 0.35, 0.25, 0.15].iter().map(|&x| at_1k(x)).collect();
    let highs: Vec<f64> = [0.55, 0.65, 0.75, 0.85].iter().map(|&x| at_1k(x)).collect();
    println!("djf at 1 kHz: {lows:.1?} (0.45→0.15), {highs:.1?} (0.55→0.85)");
    assert!(lows.windows(2).all(|w| w[1] < w[0]) && highs.windows(2).all(|w| w[1] < w[0]));
    assert!(lows[3] < -30.0 && highs[3] < -15.0);
}

/// `eq`: the product of the three RBJ biquads within 0.5 dB, and 0 0 0 passes bit for bit.
#[test]
fn eq_matches_rbj_response() {
    for (lo, mid, hi) in [(6.0, -3.0, 9.0), (-12.0, 12.0, -6.0), (24.0, 0.0, -24.0), (0.0, 6.0, 0.0)] {
        let h = impulse_response("eq", &[lo as f32, mid as f32, hi as f32], 1.0, 1 << 16);
        let freqs = [20.0, 100.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16_000.0];
        check(&format!("eq {lo} {mid} {hi}"), &h, &freqs, 0.5, |f| eq_response(f, lo, mid, hi));
        // each band does what its name says where the others are far away
        let (g20, g1k, g20k) = (gain_db(&h, 20.0), gain_db(&h, 1000.0), gain_db(&h, 20_000.0));
        println!("eq {lo} {mid} {hi}: {g20:.2} dB at 20 Hz, {g1k:.2} dB at 1 kHz, {g20k:.2} dB at 20 kHz");
        assert!((g20 - lo).abs() < 0.7 && (g20k - hi).abs() < 0.7);
    }
    let noise: Vec<f32> = (0..4800u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 8) as f32 / 8_388_608.0 - 1.0).collect();
    let args = [Input::Mono(&noise), Input::Const(0.0), Input::Const(0.0), Input::Const(0.0)];
    assert_eq!(run(find("eq").unwrap(), &args, SR, 64, noise.len()).1, noise);
}

// ---------------------------------------------------------------------------------------------
// Robustness

/// Every filter, fed full-scale noise with absurd arguments (zero, negative, huge, NaN),
/// writes finite, bounded samples.
#[test]
fn extreme_arguments_stay_finite() {
    let frames = 24_000;
    let noise: Vec<f32> = (0..frames as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 8) as f32 / 8_388_608.0 - 1.0).collect();
    let extremes = [0.0, -1.0, 1e9, -1e9, 1e-9, f32::NAN, 2.0, 0.999];
    for name in ["notch", "rlpf", "rhpf", "moog", "comb", "allpass", "djf", "eq"] {
        let def = find(name).unwrap();
        for &a in &extremes {
            for &b in &extremes {
                let mut args = vec![Input::Mono(&noise)];
                args.extend((1..def.args.len()).map(|k| Input::Const(if k % 2 == 1 { a } else { b })));
                let (_, y) = run(def, &args, SR, 64, frames);
                assert_finite(&y);
                // the loudest legitimate gain is rlpf/rhpf's resonance (20) or eq's +24 dB boost twice over
                let pk = peak(&y);
                assert!(pk < 300.0, "{name} {a} {b}: peak {pk}");
            }
        }
    }
}

/// A cutoff or gain that jumps glides over a few milliseconds instead of stepping: the largest
/// sample-to-sample change across the jump is no bigger than the steady signal's own on either side.
#[test]
fn parameter_jumps_do_not_click() {
    let frames = 9600;
    let sine: Vec<f32> = (0..frames).map(|i| 0.5 * (2.0 * std::f32::consts::PI * 123.0 * i as f32 / SR).sin()).collect();
    let step = |a: f32, b: f32| -> Vec<f32> { (0..frames).map(|i| if i < frames / 2 { a } else { b }).collect() };
    let cases: [(&str, Vec<Vec<f32>>); 4] = [
        ("eq", vec![step(0.0, 18.0), step(0.0, 0.0), step(0.0, 0.0)]),
        ("rlpf", vec![step(20.0, 2000.0), step(0.0, 0.0)]),
        ("moog", vec![step(20.0, 4000.0), step(0.0, 0.0)]),
        ("comb", vec![step(200.0, 200.0), step(0.0, 0.9)]),
    ];
    for (name, params) in &cases {
        let mut args = vec![Input::Mono(&sine)];
        args.extend(params.iter().map(|p| Input::Mono(p)));
        let (_, y) = run(find(name).unwrap(), &args, SR, 64, frames);
        let jump = (frames / 2 - 4..frames / 2 + 4).map(|i| (y[i] - y[i - 1]).abs()).fold(0.0f32, f32::max);
        let moves = |r: std::ops::Range<usize>| r.map(|i| (y[i] - y[i - 1]).abs()).fold(0.0f32, f32::max);
        let steady = moves(frames / 2 - 960..frames / 2 - 4).max(moves(frames - 960..frames));
        println!("{name}: largest step {jump:.5} at the jump, {steady:.5} in the steady states either side");
        assert!(jump <= steady * 1.2 + 1e-4, "{name}: step of {jump} at the parameter jump (steady {steady})");
    }
}

// ---------------------------------------------------------------------------------------------
// End to end

/// Every filter's documented example parses, renders finite, audible sound below 0 dBFS.
#[test]
fn examples_render() {
    for name in ["notch", "rlpf", "rhpf", "moog", "comb", "allpass", "djf", "eq"] {
        let def = find(name).unwrap();
        let out = render_ph(def.example, 2.0);
        assert_finite(&out);
        let (r, pk) = (rms(&out), peak(&out));
        println!("{name}: `{}` RMS {r:.3}, peak {pk:.3}", def.example);
        assert!(r > 1e-3 && pk < 1.0, "{name}: `{}` RMS {r}, peak {pk}", def.example);
    }
}

fn render_ph(src: &str, seconds: f64) -> Vec<f32> {
    let scene = phonon::Scene::from_ph(src, "test.ph").unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut engine = phonon::Engine::from_scene(&scene, "test.ph", cfg(512, 1)).unwrap_or_else(|e| panic!("{src}: {e}"));
    phonon::render::render_to_vec(&mut engine, (seconds * 44_100.0) as u64)
}

/// `saw 110 # moog 800 0.3` in the language: each harmonic is attenuated as the ladder's
/// analytic response says (at the engine's 44.1 kHz), within 1 dB.
#[test]
fn moog_in_the_language_shapes_a_saw() {
    let dry = left(&render_ph("out: (saw 110 * 0.1)", 2.0));
    let wet = left(&render_ph("out: (saw 110 * 0.1) # moog 800 0.3", 2.0));
    let sr = 44_100.0;
    for k in [1.0, 4.0, 8.0, 16.0] {
        let f = 110.0 * k;
        let got = 20.0 * (amplitude_at(&wet[22_050..], f, sr) / amplitude_at(&dry[22_050..], f, sr)).log10();
        let w = (PI * f / sr).tan() / (PI * 800.0 / sr).tan();
        let p = re(1.0) + C(0.0, w);
        let want = (re(1.0) / (p * p * p * p + re(4.2 * 0.3))).db();
        println!("saw 110 # moog 800 0.3: harmonic {f} Hz {got:.2} dB (analytic {want:.2})");
        assert!((got - want).abs() < 1.0, "harmonic {f}: {got:.2} dB, analytic {want:.2}");
    }
}

/// A moog at res 1 inside a graph feedback loop with a loop gain of 1.5 (`~x` feeds itself
/// back, one block late): the ladder's saturated input keeps it bounded, never Inf or NaN.
#[test]
fn moog_in_a_feedback_loop_stays_bounded() {
    let src = "~x: ((saw 55 * 0.5) + (~x * 1.5)) # moog 1000 1\nout: ~x * 0.25";
    let out = render_ph(src, 10.0);
    assert_finite(&out);
    let (r, pk) = (rms(&out), peak(&out) / 0.25);
    println!("moog 1000 1 in a loop of gain 1.5: |y| peaks at {pk:.3}, RMS {:.3}", r / 0.25);
    assert!(pk <= 1.5 && r > 0.01, "peak {pk}, RMS {r}");
}
