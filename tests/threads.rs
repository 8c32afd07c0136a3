//! Determinism: the thread count never changes a single bit of the output.
mod common;
use common::*;
use phonon::render::{Bits, render_wav};
use phonon::{Engine, Scene};
use std::io::Cursor;

/// 20 parallel branches (each its own oscillators, filter and delay), summed.
pub fn wide_scene(branches: usize) -> String {
    let mut buses = String::new();
    let mut sum = String::from("Num(0)");
    for i in 0..branches {
        let f = 55.0 * (1.0 + i as f64 * 0.37);
        buses.push_str(&format!(
            r#""b{i}": Mul(Delay(Lpf(Add(Saw(Num({f})), Mul(Noise, Num(0.1))), Add(Mul(Sine(Num({lfo})), Num(800)), Num(1200)), Num(1.5)), Num(0.{d}), Num(0.4), Num(0.5)), Num(0.05)),"#,
            lfo = 0.1 + i as f64 * 0.05,
            d = 1 + i % 9
        ));
        sum = format!(r#"Add({sum}, Bus("b{i}"))"#);
    }
    format!(r#"Scene(buses: {{ {buses} }}, outputs: {{ "out": {sum} }})"#)
}

fn wav_bytes(ron: &str, threads: usize) -> Vec<u8> {
    let mut engine = Engine::new(&Scene::from_ron(ron, "wide.ron").unwrap(), "wide.ron", cfg(512, threads)).unwrap();
    assert_eq!(engine.threads(), threads);
    let mut cur = Cursor::new(Vec::new());
    render_wav(&mut engine, 44_100 * 2, Bits::Float32, &mut cur, "mem", |_| {}).unwrap();
    cur.into_inner()
}

/// 1, 2 and 4 threads render a 20-branch scene to byte-identical WAV files.
#[test]
fn one_two_and_four_threads_are_bit_identical() {
    let ron = wide_scene(20);
    let one = wav_bytes(&ron, 1);
    let samples: Vec<f32> = one[44..].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    assert_finite(&samples);
    assert!(rms(&samples) > 0.01, "the scene is not silent");
    for threads in [2, 4] {
        assert!(wav_bytes(&ron, threads) == one, "{threads} threads differ from 1");
    }
}
