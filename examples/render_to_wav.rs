//! Load a scene, render 4 seconds, write a WAV file.
//!
//! ```sh
//! cargo run --release --example render_to_wav [scene.ph] [out.wav]
//! ```
//!
//! Defaults: `assets/demo.ph` into `render_to_wav.wav` in the system's temp folder.

use phonon::{Engine, EngineConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let scene = args.next().unwrap_or_else(|| "assets/demo.ph".into());
    let out = args.next().map(std::path::PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("render_to_wav.wav"));

    let cfg = EngineConfig::default(); // 44.1 kHz, 512-sample blocks, every core
    let sample_rate = cfg.sample_rate;
    let mut engine = Engine::new(cfg)?;
    engine.load_file(&scene)?; // a typo here is an error with file:line:col

    // 4 s of interleaved stereo, rendered in one call (the engine cuts it into blocks)
    let mut audio = vec![0.0f32; 2 * 4 * sample_rate as usize];
    engine.render(&mut audio);

    let spec = hound::WavSpec { channels: 2, sample_rate, bits_per_sample: 32, sample_format: hound::SampleFormat::Float };
    let mut wav = hound::WavWriter::create(&out, spec)?;
    for &x in &audio {
        wav.write_sample(x)?;
    }
    wav.finalize()?;

    let peak = audio.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let rms = (audio.iter().map(|x| (*x as f64).powi(2)).sum::<f64>() / audio.len() as f64).sqrt();
    println!("{scene} → {}: 4 s, peak {peak:.3}, RMS {rms:.3}", out.display());
    if !(peak > 0.0 && peak <= 1.0 && audio.iter().all(|x| x.is_finite())) {
        return Err(format!("the render is silent, clipped or not finite (peak {peak})").into());
    }
    Ok(())
}
