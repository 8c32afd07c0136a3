//! Catalogue nodes in whole scenes: the block size and the thread count never change a sample.
mod common;
use common::*;
use phonon::render::render_to_vec;
use phonon::{Engine, Scene};

/// One of most families, modulated by signals and stepped patterns (no feedback edge: a cycle
/// reads the previous block, so its delay is the block length by design).
const CHAIN: &str = r#"
tempo: 0.5625
~lfo: sine 0.3 # range 300 3000
~src: pulse "<110 165>" (sine 0.2 # range 0.2 0.8) + (supersaw 55 0.3 5 * 0.3) + pink * 0.1
out: (~src # moog ~lfo 0.6 # tape 0.15 0.3 # comb 220 0.5 # phaser 0.3 0.6 # compressor (-18) 3 0.01 0.1 # reverb 0.4 0.5 0.3) * 0.3
o1: (fm 220 110 "<1 3>" # distort 0.4 # chorus # pingpong 0.2 0.4 0.3 # eq 3 (-2) 1 # limiter) * 0.2
"#;

/// The same, with a feedback loop through the catalogue nodes.
const LOOP: &str = r#"
~src: pulse 110 0.3 + pink * 0.1
~loop: (~src + ~loop * 0.4) # moog 900 0.6 # tape 0.15 0.3 0 0 0.2 1
out: (~loop # plate 0.5 0.3 0.3) * 0.3
"#;

fn render(src: &str, block: usize, threads: usize) -> Vec<f32> {
    let scene = Scene::from_ph(src, "catalogue.ph").unwrap_or_else(|e| panic!("{e}"));
    let mut engine = Engine::from_scene(&scene, "catalogue.ph", cfg(block, threads)).unwrap_or_else(|e| panic!("{e}"));
    render_to_vec(&mut engine, 44_100 * 2)
}

/// Block sizes 1, 7, 64 and 512 render the same samples, bit for bit.
#[test]
fn block_size_does_not_change_the_sound() {
    let a = render(CHAIN, 512, 1);
    assert_finite(&a);
    assert!(rms(&a) > 0.01, "audible: {}", rms(&a));
    for block in [1, 7, 64] {
        assert!(render(CHAIN, block, 1) == a, "block size {block} changes the sound");
    }
}

/// 1 and 2 DSP threads render identical samples, feedback loop included.
#[test]
fn thread_count_does_not_change_the_sound() {
    for src in [CHAIN, LOOP] {
        let a = render(src, 512, 1);
        assert!(rms(&a) > 0.01);
        assert!(render(src, 512, 2) == a);
    }
}
