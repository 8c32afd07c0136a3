//! Workloads shared by the criterion benches, `phonon bench` and the determinism tests.

use crate::scene::{Expr, Scene};

fn b(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// `branches` independent voices summed: each two oscillators (saw + noise) through an
/// LFO-swept low-pass and a feedback delay, scaled. Every branch is its own chain, so a stage
/// holds `branches` nodes that can run in parallel.
pub fn wide_scene(branches: usize) -> Scene {
    let mut scene = Scene::default();
    let mut sum = Expr::Num(0.0);
    for i in 0..branches {
        let f = 55.0 * (1.0 + i as f64 * 0.37);
        let lfo = 0.1 + i as f64 * 0.05;
        let osc = Expr::Add(b(Expr::Saw(b(Expr::Num(f)))), b(Expr::Mul(b(Expr::Noise), b(Expr::Num(0.1)))));
        let cutoff = Expr::Add(b(Expr::Mul(b(Expr::Sine(b(Expr::Num(lfo)))), b(Expr::Num(800.0)))), b(Expr::Num(1200.0)));
        let filtered = Expr::Lpf(b(osc), b(cutoff), b(Expr::Num(1.5)));
        let delayed = Expr::Delay(b(filtered), b(Expr::Num(0.1 * (1 + i % 9) as f64)), b(Expr::Num(0.4)), b(Expr::Num(0.5)));
        let name = format!("b{i}");
        scene.buses.insert(name.clone(), Expr::Mul(b(delayed), b(Expr::Num(0.05))));
        sum = Expr::Add(b(sum), b(Expr::Bus(name)));
    }
    scene.outputs.insert("out".into(), sum);
    scene
}
