//! Reading audio files and converting their sample rate.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, Fft, FixedAsync, FixedSync, Resampler, SincInterpolationParameters};
use std::path::Path;

/// A decoded file: interleaved samples at the file's own rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// 1 or 2 (files with more channels keep their first two).
    pub channels: u8,
    /// The file's sample rate in Hz.
    pub sample_rate: u32,
    /// Interleaved samples, `channels` wide: integers scaled into [-1, 1), floats as stored
    /// (non-finite ones as 0).
    pub data: Vec<f32>,
}

/// Read a WAV file: 8/16/24/32-bit integer or 32-bit float, any channel count (more than two:
/// the first two are kept). Integers are scaled by 1/2^(bits-1); non-finite floats become 0.
/// The error says what is wrong, not which file (the caller names it).
pub fn read_wav(path: &Path) -> Result<Decoded, String> {
    let mut reader = hound::WavReader::open(path).map_err(|e| e.to_string())?;
    let spec = reader.spec();
    let in_ch = spec.channels as usize;
    if in_ch == 0 {
        return Err("no channels".into());
    }
    if spec.sample_rate == 0 {
        return Err("sample rate 0".into());
    }
    let out_ch = in_ch.min(2);
    let mut data = Vec::with_capacity(reader.len() as usize / in_ch * out_ch);
    let mut push = |i: usize, v: f32| {
        if i % in_ch < out_ch {
            data.push(if v.is_finite() { v } else { 0.0 });
        }
    };
    match spec.sample_format {
        hound::SampleFormat::Float => {
            if spec.bits_per_sample != 32 {
                return Err(format!("{}-bit float is not supported (32-bit is)", spec.bits_per_sample));
            }
            for (i, s) in reader.samples::<f32>().enumerate() {
                push(i, s.map_err(|e| e.to_string())?);
            }
        }
        hound::SampleFormat::Int => {
            if !(1..=32).contains(&spec.bits_per_sample) {
                return Err(format!("{}-bit integer samples are not supported", spec.bits_per_sample));
            }
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f64;
            for (i, s) in reader.samples::<i32>().enumerate() {
                push(i, (s.map_err(|e| e.to_string())? as f64 * scale) as f32);
            }
        }
    }
    let frames = data.len() / out_ch;
    data.truncate(frames * out_ch);
    if frames == 0 {
        return Err("no audio in it".into());
    }
    Ok(Decoded { channels: out_ch as u8, sample_rate: spec.sample_rate, data })
}

/// Convert interleaved `data` (`channels` wide) from rate `from` to rate `to` with a band-limited
/// resampler (rubato): FFT-based when the two rates have a small common ratio (44.1k ↔ 48k,
/// 22.05k → 44.1k, …), an asynchronous windowed-sinc one otherwise. The output has
/// ⌈frames × to / from⌉ frames and no added delay. Same rates: returned as is.
pub fn resample(data: &[f32], channels: usize, from: u32, to: u32) -> Result<Vec<f32>, String> {
    if from == to || data.is_empty() {
        return Ok(data.to_vec());
    }
    if channels == 0 || from == 0 || to == 0 {
        return Err(format!("cannot resample {channels} channels from {from} Hz to {to} Hz"));
    }
    let frames = data.len() / channels;
    let input = InterleavedSlice::new(data, channels, frames).map_err(|e| e.to_string())?;
    let (a, b) = (from as usize, to as usize);
    let g = gcd(a, b);
    let mut resampler: Box<dyn Resampler<f32>> = if a / g <= 2048 && b / g <= 2048 {
        Box::new(Fft::<f32>::new(a, b, 1024, channels, FixedSync::Both).map_err(|e| e.to_string())?)
    } else {
        let params = SincInterpolationParameters {
            sinc_len: 256,
            f_cutoff: None,
            oversampling_factor: 256,
            interpolation: rubato::SincInterpolationType::Cubic,
            window: rubato::WindowFunction::BlackmanHarris2,
        };
        Box::new(
            Async::<f32>::new_sinc(to as f64 / from as f64, 1.0, &params, 1024, channels, FixedAsync::Input).map_err(|e| e.to_string())?,
        )
    };
    let out = resampler.process_all(&input, frames, None).map_err(|e| e.to_string())?;
    Ok(out.take_data())
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
