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
    /// (non-finite ones as 0, magnitudes above [`MAX_FLOAT_SAMPLE`] clamped to it).
    pub data: Vec<f32>,
}

/// Sample rates a WAV file may declare, in Hz: rates outside are refused as corrupt (and
/// resampling from 4 Hz to 48 kHz would take minutes).
pub const WAV_RATES: std::ops::RangeInclusive<u32> = 1_000..=768_000;

/// Largest magnitude a float sample keeps (60 dB over full scale); beyond it a file is
/// broken, and sums of such values in the resampler would overflow to infinity.
pub const MAX_FLOAT_SAMPLE: f32 = 1000.0;

/// Read a WAV file: 8/16/24/32-bit integer or 32-bit float, any channel count (more than two:
/// the first two are kept), a sample rate within [`WAV_RATES`]. Integers are scaled by
/// 1/2^(bits-1); non-finite floats become 0, and floats beyond ±[`MAX_FLOAT_SAMPLE`] are
/// clamped to it. The error says what is wrong, not which file (the caller names it).
pub fn read_wav(path: &Path) -> Result<Decoded, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    decode_wav(std::io::BufReader::new(file))
}

/// Decode WAV bytes from `reader`, as [`read_wav`] does a file.
///
/// ```
/// // a 16-bit mono file of two frames, built by hand
/// let mut wav = Vec::new();
/// wav.extend_from_slice(b"RIFF");
/// wav.extend_from_slice(&40u32.to_le_bytes());
/// wav.extend_from_slice(b"WAVEfmt ");
/// wav.extend_from_slice(&16u32.to_le_bytes());
/// for v in [1u16, 1] {
///     wav.extend_from_slice(&v.to_le_bytes()); // PCM, 1 channel
/// }
/// wav.extend_from_slice(&8000u32.to_le_bytes()); // sample rate
/// wav.extend_from_slice(&16000u32.to_le_bytes()); // bytes per second
/// wav.extend_from_slice(&2u16.to_le_bytes()); // block align
/// wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
/// wav.extend_from_slice(b"data");
/// wav.extend_from_slice(&4u32.to_le_bytes());
/// wav.extend_from_slice(&16384i16.to_le_bytes());
/// wav.extend_from_slice(&(-32768i16).to_le_bytes());
/// let d = phonon::samples::decode_wav(&wav[..]).unwrap();
/// assert_eq!((d.channels, d.sample_rate), (1, 8000));
/// assert_eq!(d.data, [0.5, -1.0]);
/// assert!(phonon::samples::decode_wav(&b"RIFF"[..]).is_err());
/// ```
pub fn decode_wav(reader: impl std::io::Read) -> Result<Decoded, String> {
    let mut reader = hound::WavReader::new(reader).map_err(|e| e.to_string())?;
    let spec = reader.spec();
    let in_ch = spec.channels as usize;
    if in_ch == 0 {
        return Err("no channels".into());
    }
    if !WAV_RATES.contains(&spec.sample_rate) {
        return Err(format!("sample rate {} Hz is out of range ({} to {} Hz)", spec.sample_rate, WAV_RATES.start(), WAV_RATES.end()));
    }
    let out_ch = in_ch.min(2);
    // the header's length is a claim, not a promise: reserve for at most a million samples
    let mut data = Vec::with_capacity((reader.len() as usize / in_ch * out_ch).min(1 << 20));
    let mut push = |i: usize, v: f32| {
        if i % in_ch < out_ch {
            data.push(if v.is_finite() { v.clamp(-MAX_FLOAT_SAMPLE, MAX_FLOAT_SAMPLE) } else { 0.0 });
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
/// 22.05k → 44.1k, …), an asynchronous windowed-sinc one otherwise. The output has exactly
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
    // rubato sizes the output with a float ceiling, one frame long when frames × to / from is
    // a whole number that the float product overshoots
    let mut data = out.take_data();
    let want = (frames as u64 * to as u64).div_ceil(from as u64) as usize * channels;
    data.resize(want, 0.0);
    Ok(data)
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
