//! The master limiter and NaN containment: nothing leaves Phonon above 0 dBFS, nothing below it
//! is touched, and a node that goes NaN is silenced and reported, not spread.
mod common;
use common::*;
use phonon::components::*;
use phonon::systems::{NodeSpec, WorldConfig, build_schedule, build_world};

/// A 440 Hz sine at 4× full scale: every sample within ±1.0, and the limiter holds the level
/// steady (after the first period the peak per period is exactly the ceiling).
#[test]
fn loud_mixes_never_exceed_0_dbfs() {
    let out = render(r#"Scene(outputs: { "out": Mul(Sine(Num(440)), Num(4)) })"#, cfg(512, 1), 1.0);
    assert!(out.iter().all(|x| x.abs() <= 1.0), "peak {}", peak(&out));
    let l = left(&out);
    assert!((peak(&l[22_050..]) - 1.0).abs() < 1e-6, "the ceiling is reached: {}", peak(&l[22_050..]));
}

/// Below the ceiling the mix passes bit for bit: 0.5·sine is exactly twice 0.25·sine.
#[test]
fn quiet_mixes_pass_untouched() {
    let a = render(r#"Scene(outputs: { "out": Mul(Sine(Num(440)), Num(0.5)) })"#, cfg(512, 1), 0.5);
    let b = render(r#"Scene(outputs: { "out": Mul(Sine(Num(440)), Num(0.25)) })"#, cfg(512, 1), 0.5);
    assert!(a.iter().zip(&b).all(|(x, y)| *x == 2.0 * y));
}

/// After an over the gain recovers with its 100 ms time constant: a loud click followed by a
/// steady 0.5 sine is back within 1 % of 0.5 after 0.5 s, and never jumps (no clicks).
#[test]
fn the_limiter_recovers_smoothly() {
    let ron = r#"Scene(cps: 0.5, outputs: { "out": Add(Mul(Impulse(Num(0.25)), Num(20)), Mul(Sine(Num(100)), Num(0.5))) })"#;
    let l = left(&render(ron, cfg(512, 1), 1.0));
    assert!(peak(&l) <= 1.0);
    let late = peak(&l[22_050 + 4_410..]) as f64;
    assert!((late - 0.5).abs() < 0.005, "recovered level {late}");
    let early = peak(&l[441..882]) as f64;
    assert!(early > 0.05 && early < 0.15, "10–20 ms after the click the mix is still turned down, not muted: {early}");
}

/// A kernel that goes NaN after its first block.
struct Broken(u32);
impl Kernel for Broken {
    fn process(&mut self, _: &KernelCtx, _: &[Arg<'_>], out: &mut [f32]) {
        self.0 += 1;
        out.fill(if self.0 > 1 { f32::NAN } else { 0.0 });
    }
}
static BROKEN: UgenDef = UgenDef {
    name: "broken",
    family: "test",
    effect: false,
    args: &[],
    channels: Channels::Mono,
    doc: "goes NaN",
    example: "out: broken",
    make: |_| Box::new(Broken(0)),
};

/// One broken node beside a healthy one: the broken node's output is silence from its bad block
/// on, it is flagged (for the engine to report once), and the healthy sine still plays.
#[test]
fn a_nan_node_is_silenced_and_flagged() {
    let nodes = vec![
        NodeSpec { kind: NodeKind::Ugen { def: &BROKEN, params: vec![] }, inputs: vec![], name: Some("bad".into()) },
        NodeSpec { kind: NodeKind::Osc { shape: OscShape::Sine, freq: Param::Const(440.0) }, inputs: vec![], name: None },
        NodeSpec { kind: NodeKind::Binary { op: BinaryOp::Add, a: Param::Input(0), b: Param::Input(1) }, inputs: vec![0, 1], name: None },
        NodeSpec { kind: NodeKind::Output { input: Param::Input(0) }, inputs: vec![2], name: None },
    ];
    let cfg = WorldConfig { sample_rate: 44_100, block_len: 64, cps: Rational::new(1, 2), voices: 4, threads: 1 };
    let mut world = build_world(nodes, &[3], vec![], vec![], SampleBank::default(), &cfg).unwrap();
    let mut schedule = build_schedule();
    schedule.run(&mut world);
    let first: Vec<f32> = world.resource::<OutputBlock>().0.clone();
    assert!(first.iter().all(|x| x.is_finite()) && first[2] > 0.0, "the first block is healthy: {:?}", &first[..4]);
    let mut sound = Vec::new();
    for _ in 0..20 {
        schedule.run(&mut world);
        sound.extend_from_slice(&world.resource::<OutputBlock>().0);
    }
    assert!(sound.iter().all(|x| x.is_finite()));
    // what remains is the sine alone: RMS of a unit sine
    let l: Vec<f32> = sound.iter().step_by(2).copied().collect();
    assert!((rms(&l) - std::f64::consts::FRAC_1_SQRT_2).abs() < 0.02, "rms {}", rms(&l));
    let flags = world.resource::<NanFlags>();
    let flagged: Vec<usize> =
        flags.0.iter().enumerate().filter(|(_, f)| f.load(std::sync::atomic::Ordering::Relaxed)).map(|(i, _)| i).collect();
    assert_eq!(flagged, vec![0], "only the broken node is flagged");
}
