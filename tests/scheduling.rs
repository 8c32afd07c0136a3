//! Exact-sample scheduling: an event at cycle c starts at sample round(c / cps · sr), across
//! block boundaries and at odd tempi.
mod common;
use common::*;

/// Expected onset sample of cycle `num/den` at `cps = cps_num/cps_den`, sr 44100, exactly.
fn expected(num: i128, den: i128, cps_num: i128, cps_den: i128) -> usize {
    // c · sr / cps = num · 44100 · cps_den / (den · cps_num), rounded half up
    let (n, d) = (num * 44_100 * cps_den, den * cps_num);
    ((2 * n + d) / (2 * d)) as usize
}

/// Onsets at 1/3, 5/7 and 0 of each cycle land on the exact sample for block sizes 8 and 512
/// and tempi 0.5625, 0.7 and 1.3 cps. A tone starts at phase 0, so its first non-zero sample
/// is the one after the onset.
#[test]
fn events_start_at_exact_samples() {
    for (cps, cn, cd) in [("0.5625", 9, 16), ("0.7", 7, 10), ("1.3", 13, 10)] {
        let ron = format!(
            r#"Scene(cps: {cps}, outputs: {{ "out": Tones(notes: [
                (at: 0, dur: "1/64", freq: 3000, attack: 0, release: 0.00005),
                (at: "1/3", dur: "1/64", freq: 3000, attack: 0, release: 0.00005),
                (at: "5/7", dur: "1/64", freq: 3000, attack: 0, release: 0.00005),
            ]) }})"#
        );
        let mut onsets = Vec::new();
        for cycle in 0..3i128 {
            for (n, d) in [(0, 1), (1, 3), (5, 7)] {
                onsets.push(expected(cycle * d + n, d, cn, cd));
            }
        }
        let seconds = 3.0 / (cn as f64 / cd as f64) + 0.1;
        for block in [8, 512] {
            let l = left(&render(&ron, cfg(block, 1), seconds));
            assert_finite(&l);
            for (k, &at) in onsets.iter().enumerate() {
                let from = at.saturating_sub(40);
                let first = from + l[from..].iter().position(|&v| v != 0.0).expect("an onset");
                assert_eq!(first, at + 1, "cps {cps}, block {block}, onset #{k}: expected sound from sample {}", at + 1);
            }
        }
    }
}

/// A voice that crosses a block boundary continues seamlessly: block size 8 and 512 render the
/// same samples.
#[test]
fn voices_are_independent_of_block_size() {
    let ron = r#"Scene(cps: 0.7, outputs: { "out": Tones(notes: [(at: "1/3", dur: "1/2", freq: 440, pan: 0.3), (at: "1/5", dur: "1/7", freq: 660, gain: 0.5, pan: -1)]) })"#;
    let a = render(ron, cfg(8, 1), 4.0);
    let b = render(ron, cfg(512, 1), 4.0);
    assert!(a == b);
    assert!(rms(&a) > 0.05);
}

/// Equal-power pan: hard left is silent on the right, centre is -3 dB on each side.
#[test]
fn pan_is_equal_power() {
    let hard_left = render(r#"Scene(outputs: { "out": Tones(notes: [(at: 0, dur: 1, freq: 440, pan: -1)]) })"#, cfg(512, 1), 1.0);
    assert!(peak(&right(&hard_left)) < 1e-6);
    let centre = render(r#"Scene(outputs: { "out": Tones(notes: [(at: 0, dur: 1, freq: 440)]) })"#, cfg(512, 1), 1.0);
    let (l, r) = (left(&centre), right(&centre));
    assert_eq!(l, r);
    let want = std::f64::consts::FRAC_1_SQRT_2 / 2f64.sqrt(); // sine RMS × cos(π/4)
    assert!((rms(&l[4410..]) - want).abs() < 0.01, "centre RMS {}", rms(&l[4410..]));
}
