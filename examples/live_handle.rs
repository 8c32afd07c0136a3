//! Swap scenes from another thread while rendering, through a [`phonon::Handle`].
//!
//! The main thread plays the audio thread's part: it renders one block at a time, paced like a
//! sound card (512 frames every 11.6 ms). A second thread edits the music: every half second
//! it loads a new scene, and at the end it changes the tempo and hushes. The render loop never
//! waits for it: new scenes arrive built, and are swapped in between two blocks without a lock
//! or an allocation.
//!
//! ```sh
//! cargo run --release --example live_handle
//! ```

use phonon::{Engine, EngineConfig};
use std::time::{Duration, Instant};

const NOTES: [f64; 4] = [220.0, 330.0, 440.0, 550.0];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut engine = Engine::new(EngineConfig { threads: 1, ..EngineConfig::default() })?;
    engine.load_str(&format!("out: sine {} * 0.3", NOTES[0]))?;
    let handle = engine.handle();

    let editor = std::thread::spawn(move || -> Result<(), phonon::Error> {
        for &f in &NOTES[1..] {
            std::thread::sleep(Duration::from_millis(500));
            handle.load_str(&format!("out: sine {f} * 0.3"))?;
        }
        std::thread::sleep(Duration::from_millis(500));
        handle.set_cps(1.0)?;
        handle.hush()?;
        Ok(())
    });

    let sr = engine.sample_rate() as f64;
    let block_time = Duration::from_secs_f64(engine.block_len() as f64 / sr);
    let start = Instant::now();
    let mut audio = Vec::new();
    let mut blocks = 0u32;
    while start.elapsed() < Duration::from_millis(2600) {
        audio.extend_from_slice(engine.process_block());
        blocks += 1;
        // pace like a sound card: the next block is due one block-time after this one
        if let Some(wait) = (block_time * blocks).checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    editor.join().expect("the editor thread")?;

    // what was heard, every 100 ms: the frequency (zero crossings) of the left channel
    let window = (sr / 10.0) as usize;
    let mut heard = Vec::new();
    for w in audio.chunks_exact(2 * window) {
        let left: Vec<f32> = w.iter().step_by(2).copied().collect();
        let crossings = left.windows(2).filter(|p| (p[0] < 0.0) != (p[1] < 0.0)).count();
        let rms = (left.iter().map(|x| x * x).sum::<f32>() / left.len() as f32).sqrt();
        heard.push(if rms < 1e-4 { 0.0 } else { (crossings as f64 / 2.0 * 10.0).round() });
    }
    println!("every 100 ms, Hz (0 = silence): {heard:?}");
    println!("blocks {blocks}, cps now {}, swaps {}", engine.cps(), engine.handle().swaps());
    for f in NOTES {
        if !heard.iter().any(|h| (h - f).abs() <= 10.0) {
            return Err(format!("{f} Hz was never heard").into());
        }
    }
    if heard.last() != Some(&0.0) || engine.cps() != 1.0 {
        return Err("the hush or the tempo change did not arrive".into());
    }
    Ok(())
}
