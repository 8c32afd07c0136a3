//! Determinism: the thread count never changes a single bit of the output.
mod common;
use common::*;
use phonon::bench::wide_scene;
use phonon::render::{Bits, render_wav};
use phonon::{Engine, Scene};
use std::io::Cursor;

fn wav_bytes(scene: &Scene, threads: usize) -> Vec<u8> {
    let mut engine = Engine::from_scene(scene, "wide", cfg(512, threads)).unwrap();
    assert_eq!(engine.threads(), threads);
    let mut cur = Cursor::new(Vec::new());
    render_wav(&mut engine, 44_100 * 2, Bits::Float32, &mut cur, "mem", |_| {}).unwrap();
    cur.into_inner()
}

/// 1, 2 and 4 threads render a 20-branch scene to byte-identical WAV files.
#[test]
fn one_two_and_four_threads_are_bit_identical() {
    let scene = wide_scene(20);
    let one = wav_bytes(&scene, 1);
    let samples: Vec<f32> = one[44..].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    assert_finite(&samples);
    assert!(rms(&samples) > 0.01, "the scene is not silent");
    for threads in [2, 4] {
        assert!(wav_bytes(&scene, threads) == one, "{threads} threads differ from 1");
    }
}
