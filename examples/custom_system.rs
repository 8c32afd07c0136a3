//! Two systems of your own in Phonon's block pipeline:
//! - a **meter** after the DSP phase: the peak and RMS of every output, every block;
//! - a **modulator** before the DSP phase: sets the scene's filter cutoff (`cF 2000 "cutoff"`)
//!   from "game state" that another thread writes.
//!
//! Systems run on the render thread, so they only read and write resources (no printing, no
//! allocation); this program prints the meter's readings between blocks.
//!
//! ```sh
//! cargo run --release --example custom_system
//! ```

use bevy_ecs::prelude::*;
use phonon::{Controls, Engine, EngineConfig, Hook, OutputBuffers};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// The last block's readings, one per output (room for 8: no allocation in the system).
#[derive(Resource, Clone, Default)]
struct Meter {
    readings: [(&'static str, f32, f32, f32); 8], // name, peak, RMS, brightness
    count: usize,
}

/// Game state written by another thread: the cutoff it wants, as f32 bits.
#[derive(Resource, Clone)]
struct Game(Arc<AtomicU32>);

fn meter(outputs: OutputBuffers, mut meter: ResMut<Meter>) {
    meter.count = 0;
    for o in outputs.iter().take(8) {
        let (l, r) = (o.left(), o.right());
        let peak = l.iter().chain(r).fold(0.0f32, |m, x| m.max(x.abs()));
        let energy: f32 = l.iter().map(|x| x * x).sum::<f32>() / l.len() as f32;
        // brightness: the RMS of the first difference over the RMS (rises with the cutoff)
        let diff: f32 = l.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f32>() / l.len() as f32;
        let name = match o.name() {
            "out" => "out",
            "o1" => "o1",
            _ => "other",
        };
        let i = meter.count;
        meter.readings[i] = (name, peak, energy.sqrt(), (diff / energy.max(1e-12)).sqrt());
        meter.count += 1;
    }
}

fn follow_game(game: Res<Game>, mut controls: ResMut<Controls>) {
    controls.set("cutoff", f32::from_bits(game.0.load(Ordering::Relaxed)));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut engine = Engine::new(EngineConfig { threads: 1, ..EngineConfig::default() })?;
    let cutoff = Arc::new(AtomicU32::new(200f32.to_bits()));
    engine.insert_resource(Meter::default()).insert_resource(Game(cutoff.clone()));
    engine.add_systems(Hook::AfterDsp, meter).add_systems(Hook::BeforeDsp, follow_game);
    engine.load_str(
        "out: saw 220 # lpf (cF 2000 \"cutoff\") 0.8 * 0.4\n\
         o1: sine 0.5 * sine 660 * 0.1",
    )?;

    // the "game": sweeps the cutoff from 200 Hz up to 6 kHz while we render
    let game = std::thread::spawn(move || {
        for step in 0..=40 {
            cutoff.store((200.0 * 30f32.powf(step as f32 / 40.0)).to_bits(), Ordering::Relaxed);
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    });

    let mut first = None;
    let mut last = 0.0;
    for block in 0..200 {
        engine.process_block();
        let m = engine.world().resource::<Meter>();
        let line: Vec<String> =
            m.readings[..m.count].iter().map(|(n, p, r, b)| format!("{n}: peak {p:.3} rms {r:.3} bright {b:.3}")).collect();
        let cut = engine.controls().get("cutoff").unwrap_or(0.0);
        println!("block {block:3}  cutoff {cut:7.1} Hz  {}", line.join("  |  "));
        if let Some(&(_, _, _, bright)) = m.readings[..m.count].iter().find(|r| r.0 == "out") {
            first.get_or_insert(bright);
            last = bright;
        }
        std::thread::sleep(std::time::Duration::from_micros(1000));
    }
    game.join().expect("the game thread");
    let first = first.unwrap_or(0.0);
    println!("brightness of `out`: {first:.3} at 200 Hz → {last:.3} at 6 kHz");
    if last <= 2.0 * first {
        return Err("the cutoff from outside did not brighten the saw".into());
    }
    Ok(())
}
