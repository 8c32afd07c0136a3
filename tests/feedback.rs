//! Feedback loops: cycles in the graph compile (no recursion) and render finite, decaying echoes.
mod common;
use common::*;

/// `out = in + 0.5 · delay(out)` with a 0.1 s delay: an impulse (of 0.5, below the master
/// limiter's knee) at 0 comes back at exactly every 0.1 s (4410 samples), each echo half the
/// last, for any block size.
#[test]
fn delay_loop_echoes_at_the_right_time_and_decays() {
    let ron = r#"Scene(
        buses: { "x": Add(Mul(Impulse(Num(0.001)), Num(0.5)), Mul(Delay(Bus("x"), Num(0.1), Num(0), Num(1)), Num(0.5))) },
        outputs: { "out": Bus("x") },
    )"#;
    for block in [512, 64, 1000] {
        let l = left(&render(ron, cfg(block, 1), 1.0));
        assert_finite(&l);
        for k in 0..8usize {
            let at = k * 4410;
            let want = 0.5f32.powi(k as i32 + 1);
            assert!((l[at] - want).abs() < 1e-6, "block {block}: echo {k} at sample {at} is {}, want {want}", l[at]);
            // nothing else in between
            let next = (k + 1) * 4410;
            let stray = peak(&l[at + 1..next]);
            assert!(stray < 1e-6, "block {block}: stray signal {stray} between echoes {k} and {}", k + 1);
        }
    }
}

/// A cycle without a delay closes through a feedback edge: one block late, still stable.
#[test]
fn plain_cycle_reads_the_previous_block() {
    // y = impulse + 0.5·y(previous block): echoes every block (64 samples)
    let ron = r#"Scene(
        buses: { "y": Add(Mul(Impulse(Num(0.001)), Num(0.5)), Mul(Bus("y"), Num(0.5))) },
        outputs: { "out": Bus("y") },
    )"#;
    let l = left(&render(ron, cfg(64, 1), 0.1));
    assert_finite(&l);
    for k in 0..6usize {
        assert!((l[k * 64] - 0.5f32.powi(k as i32 + 1)).abs() < 1e-6, "echo {k}: {}", l[k * 64]);
    }
}

/// Delay feedback of 1.5 saturates softly: the output stays bounded for 10 s, and the master
/// limiter keeps it within 0 dBFS.
#[test]
fn runaway_feedback_stays_bounded() {
    let ron = r#"Scene(outputs: { "out": Delay(Mul(Sine(Num(220)), Num(0.8)), Num(0.05), Num(1.5), Num(1)) })"#;
    let l = left(&render(ron, cfg(512, 1), 10.0));
    assert_finite(&l);
    assert!(peak(&l) <= 1.0, "peak {}", peak(&l));
}
