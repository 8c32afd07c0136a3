//! Offline rendering: blocks → WAV (hound), with a summary of what was rendered.

use crate::engine::Engine;
use crate::error::Error;
use std::io::{Seek, Write};
use std::time::{Duration, Instant};

/// How a render went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderSummary {
    /// Stereo frames rendered.
    pub frames: u64,
    /// Audio rendered, in seconds (`frames / sample_rate`).
    pub seconds: f64,
    /// Largest absolute sample.
    pub peak: f32,
    /// RMS over both channels.
    pub rms: f32,
    /// Wall-clock time the render took.
    pub elapsed: Duration,
    /// Audio seconds rendered per wall-clock second.
    pub realtime_factor: f64,
}

impl std::fmt::Display for RenderSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let db = |x: f32| if x > 0.0 { format!("{:.1} dBFS", 20.0 * x.log10()) } else { "-inf dBFS".into() };
        write!(
            f,
            "{:.2} s of audio, peak {:.3} ({}), RMS {:.3} ({}), rendered in {:.2} s ({:.1}x real time)",
            self.seconds,
            self.peak,
            db(self.peak),
            self.rms,
            db(self.rms),
            self.elapsed.as_secs_f64(),
            self.realtime_factor
        )
    }
}

/// Sample format of the WAV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bits {
    /// 16-bit integer PCM (samples clamped to [-1, 1]).
    Int16,
    /// 24-bit integer PCM (samples clamped to [-1, 1]).
    Int24,
    /// 32-bit IEEE float (samples written as they are).
    Float32,
}

impl Bits {
    /// The format for a bit depth given on the command line: 16, 24 or 32.
    ///
    /// # Errors
    ///
    /// [`Error::Usage`] for any other number.
    pub fn from_bits(b: u16) -> Result<Bits, Error> {
        match b {
            16 => Ok(Bits::Int16),
            24 => Ok(Bits::Int24),
            32 => Ok(Bits::Float32),
            _ => Err(Error::Usage(format!("--bits must be 16, 24 or 32, got {b}"))),
        }
    }
    fn spec(self, sample_rate: u32) -> hound::WavSpec {
        let (bits_per_sample, sample_format) = match self {
            Bits::Int16 => (16, hound::SampleFormat::Int),
            Bits::Int24 => (24, hound::SampleFormat::Int),
            Bits::Float32 => (32, hound::SampleFormat::Float),
        };
        hound::WavSpec { channels: 2, sample_rate, bits_per_sample, sample_format }
    }
}

/// Log the nodes that produced NaN/Inf or panicked since the last call.
fn report_faults(engine: &mut Engine) {
    for node in engine.take_nan_reports() {
        tracing::warn!("{node} produced NaN/Inf: its output is silenced");
    }
    for (node, why) in engine.take_panic_reports() {
        tracing::warn!("{node} panicked ({why}): it is muted, the rest plays on");
    }
}

/// Render `frames` stereo frames, handing each block (interleaved, trimmed at the end) to `sink`.
/// `progress` is called after every block with the frames done so far. Nodes that produced
/// NaN/Inf, or panicked and were muted, are logged as warnings.
///
/// # Errors
///
/// The first error `sink` returns (rendering stops there).
pub fn render_blocks(
    engine: &mut Engine,
    frames: u64,
    mut sink: impl FnMut(&[f32]) -> Result<(), Error>,
    mut progress: impl FnMut(u64),
) -> Result<RenderSummary, Error> {
    let start = Instant::now();
    let (mut done, mut peak, mut sum_sq) = (0u64, 0f32, 0f64);
    while done < frames {
        let block = engine.process_block();
        let n = ((frames - done) as usize).min(block.len() / 2);
        let part = &block[..2 * n];
        for &s in part {
            peak = peak.max(s.abs());
            sum_sq += (s as f64) * (s as f64);
        }
        sink(part)?;
        done += n as u64;
        progress(done);
        if done % (64 * 1024) < n as u64 {
            report_faults(engine);
        }
    }
    report_faults(engine);
    let elapsed = start.elapsed();
    let seconds = frames as f64 / engine.sample_rate() as f64;
    Ok(RenderSummary {
        frames,
        seconds,
        peak,
        rms: if frames > 0 { (sum_sq / (2 * frames) as f64).sqrt() as f32 } else { 0.0 },
        elapsed,
        realtime_factor: seconds / elapsed.as_secs_f64().max(1e-9),
    })
}

/// Render `frames` frames into a memory buffer (interleaved stereo).
pub fn render_to_vec(engine: &mut Engine, frames: u64) -> Vec<f32> {
    let mut out = Vec::with_capacity(2 * frames as usize);
    render_blocks(
        engine,
        frames,
        |b| {
            out.extend_from_slice(b);
            Ok(())
        },
        |_| {},
    )
    .expect("a Vec sink cannot fail");
    out
}

/// Render `frames` frames as a stereo WAV at the engine's sample rate into `writer` (a file, or
/// a `Cursor` in memory); `name` names it in errors. Non-finite samples are written as 0.
///
/// # Errors
///
/// [`Error::Wav`] if the header or a sample cannot be written.
///
/// ```
/// use phonon::render::{Bits, render_wav};
/// use phonon::{Engine, EngineConfig, Scene};
/// let scene = Scene::from_ph("out: sine 440 * 0.5", "tone.ph")?;
/// let cfg = EngineConfig { threads: 1, ..EngineConfig::default() };
/// let mut engine = Engine::from_scene(&scene, "tone.ph", cfg)?;
/// let path = std::env::temp_dir().join(format!("phonon-doc-{}.wav", std::process::id()));
/// let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
/// // 0.1 s at 44.1 kHz
/// let summary = render_wav(&mut engine, 4410, Bits::Int16, file, "tone.wav", |_| {})?;
/// assert_eq!(summary.frames, 4410);
/// assert!((summary.peak - 0.5).abs() < 0.01);
/// let wav = hound::WavReader::open(&path).unwrap();
/// let spec = wav.spec();
/// assert_eq!((spec.channels, spec.sample_rate, spec.bits_per_sample), (2, 44_100, 16));
/// assert_eq!(spec.sample_format, hound::SampleFormat::Int);
/// assert_eq!(wav.len(), 2 * 4410); // samples, both channels
/// std::fs::remove_file(&path).unwrap();
/// # Ok::<(), phonon::Error>(())
/// ```
pub fn render_wav<W: Write + Seek>(
    engine: &mut Engine,
    frames: u64,
    bits: Bits,
    writer: W,
    name: &str,
    progress: impl FnMut(u64),
) -> Result<RenderSummary, Error> {
    let werr = |e: hound::Error| Error::Wav { path: name.to_string(), msg: e.to_string() };
    let mut wav = hound::WavWriter::new(writer, bits.spec(engine.sample_rate())).map_err(werr)?;
    let summary = render_blocks(
        engine,
        frames,
        |b| {
            for &s in b {
                let s = if s.is_finite() { s } else { 0.0 };
                match bits {
                    Bits::Float32 => wav.write_sample(s),
                    Bits::Int16 => wav.write_sample((s.clamp(-1.0, 1.0) * 32767.0).round() as i16),
                    Bits::Int24 => wav.write_sample((s.clamp(-1.0, 1.0) * 8_388_607.0).round() as i32),
                }
                .map_err(werr)?;
            }
            Ok(())
        },
        progress,
    )?;
    wav.finalize().map_err(werr)?;
    Ok(summary)
}
