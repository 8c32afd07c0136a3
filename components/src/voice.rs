//! Voice components: one sounding event each, pre-spawned in a pool.

use bevy_ecs::prelude::*;

/// Marks a voice that is sounding. Sparse-set storage: toggling it moves no table rows.
#[derive(Component, Debug, Clone, Copy, Default)]
#[component(storage = "SparseSet")]
pub struct Active;

/// What a voice plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VoiceSource {
    /// An oscillator at `freq` Hz (`Tone` triggers are sines).
    Osc {
        /// The waveform.
        shape: crate::OscShape,
        /// Frequency in Hz.
        freq: f32,
        /// Phase in cycles, `[0, 1)`.
        phase: f64,
    },
    /// A voice program (an instrument bus: `~pad: saw + square * 0.5 # lpf 2000`), by index into
    /// [`VoicePrograms`], its freqless oscillators at `freq` Hz; its state is the voice's
    /// [`VoiceState`].
    Program {
        /// Index into [`VoicePrograms`].
        program: u32,
        /// The note frequency in Hz ([`VArg::Freq`]).
        freq: f32,
    },
    /// A sample: read position in frames, frames per output sample (negative: backwards), and
    /// the frame range `[start, stop)` it may play.
    Sample {
        /// Index into [`SampleBank`].
        handle: u32,
        /// Read position in frames (fractional: read with linear interpolation).
        pos: f64,
        /// Frames advanced per output sample; negative plays backwards.
        rate: f64,
        /// First frame it may play.
        start: f64,
        /// End of the playable range (exclusive), in frames.
        stop: f64,
    },
    /// A drum synth with its resolved parameters and its state; the drum shapes its own
    /// amplitude, the voice's [`Envelope`] only holds it for the drum's length (and fades it
    /// when choked or stolen).
    Drum {
        /// Which drum.
        kind: crate::DrumKind,
        /// Its parameters, resolved to numbers.
        params: crate::DrumParams,
        /// Its memory (age, phases, filters, noise).
        state: crate::DrumState,
    },
}

/// Attack / decay / sustain / release envelope, times in samples, linear segments.
///
/// The attack rises to 1 (reaching `(t + 1) / (attack + 1)` at sample `t`), the decay falls to
/// `sustain_level`, which holds until `sustain_end`; the release then falls linearly from the
/// level reached to 0 over `release` samples, and the envelope ends.
///
/// ```
/// use phonon_components::Envelope;
///
/// // 3-sample attack, held until sample 5, 4-sample release
/// let env = Envelope::ar(3, 5, 4);
/// let levels: Vec<_> = (0..10).map(|t| env.level(t)).collect();
/// let s = Some;
/// assert_eq!(levels, [s(0.25), s(0.5), s(0.75), s(1.0), s(1.0), s(1.0), s(0.75), s(0.5), s(0.25), None]);
/// // sample 6 lies in the release: level 0.75, falling 0.25 per sample for 3 more samples
/// assert_eq!(env.segment(6), Some((0.75, -0.25, 3)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Envelope {
    /// Samples to rise to 1.
    pub attack: u32,
    /// Samples from the end of the attack to the sustain level.
    pub decay: u32,
    /// Level held after the decay (1 = no decay).
    pub sustain_level: f32,
    /// Samples from the start until the release begins.
    pub sustain_end: u32,
    /// Samples to fall from the level reached at `sustain_end` (or the attack's end) to 0.
    pub release: u32,
}

impl Default for Envelope {
    fn default() -> Self {
        Envelope { attack: 0, decay: 0, sustain_level: 1.0, sustain_end: 0, release: 1 }
    }
}

impl Envelope {
    /// Attack, hold at 1 until `sustain_end`, release.
    pub fn ar(attack: u32, sustain_end: u32, release: u32) -> Envelope {
        Envelope { attack, decay: 0, sustain_level: 1.0, sustain_end, release }
    }

    /// Level before the release begins.
    #[inline]
    fn held(&self, t: u32) -> f32 {
        if t < self.attack {
            (t as f32 + 1.0) / (self.attack as f32 + 1.0)
        } else if t < self.attack + self.decay {
            1.0 - (1.0 - self.sustain_level) * (t - self.attack) as f32 / self.decay as f32
        } else {
            self.sustain_level
        }
    }

    /// The linear segment the envelope is in at `t`: its level at `t`, its change per sample,
    /// and how many samples (≥ 1) it lasts from `t`; `None` once the envelope has ended. Within
    /// a segment `level(t + k) ≈ level + k · slope` (what [`Envelope::level`] gives, to rounding).
    #[inline]
    pub fn segment(&self, t: u32) -> Option<(f32, f32, u32)> {
        let e = self.sustain_end.max(self.attack);
        if t < e {
            if t < self.attack {
                let a = self.attack as f32 + 1.0;
                return Some(((t as f32 + 1.0) / a, 1.0 / a, self.attack - t));
            }
            let decay_end = self.attack.saturating_add(self.decay);
            if t < decay_end {
                let d = self.decay as f32;
                let drop = 1.0 - self.sustain_level;
                return Some((1.0 - drop * (t - self.attack) as f32 / d, -drop / d, decay_end.min(e) - t));
            }
            return Some((self.sustain_level, 0.0, e - t));
        }
        let end = e.saturating_add(self.release);
        if t < end {
            let from = self.held(e);
            let r = self.release as f32;
            return Some((from * (1.0 - (t - e) as f32 / r), -from / r, end - t));
        }
        None
    }

    /// Level at `t` samples since the start; `None` once it has ended.
    #[inline]
    pub fn level(&self, t: u32) -> Option<f32> {
        if t < self.sustain_end.max(self.attack) {
            Some(self.held(t))
        } else if t < self.sustain_end.max(self.attack) + self.release {
            let from = self.held(self.sustain_end.max(self.attack));
            Some(from * (1.0 - (t - self.sustain_end.max(self.attack)) as f32 / self.release as f32))
        } else {
            None
        }
    }
}

/// One voice: what it plays, where, how loud, and how far it has got.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Voice {
    /// What it plays, with that source's own state.
    pub source: VoiceSource,
    /// Its amplitude envelope, over `age`.
    pub env: Envelope,
    /// Left gain: the event's gain times the equal-power pan law.
    pub gain_l: f32,
    /// Right gain: the event's gain times the equal-power pan law.
    pub gain_r: f32,
    /// Samples to wait, inside the current block, before the first sample sounds.
    pub start_offset: u32,
    /// Samples rendered so far.
    pub age: u32,
    /// Arena offset of the stereo voice-bus node it feeds.
    pub target: usize,
    /// Absolute sample where it started (for stealing the oldest).
    pub started_at: u64,
    /// Choke group (`cut`): a new voice in the same group > 0 fades this one out.
    pub cut: i32,
    /// Per-voice effects: bit depth (`crush`, 0 = off), sample-and-hold period (`coarse`,
    /// ≤ 1 = off) with its counter and held value, waveshaping amount (`shape`, 0 = off).
    pub fx: VoiceFx,
}

/// Per-voice effects and their state.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VoiceFx {
    /// Bit depth of `crush`: the signal is rounded to steps of `2^(1 - crush)`; 0 = off.
    pub crush: f32,
    /// Sample-and-hold period of `coarse`, in samples; ≤ 1 = off.
    pub coarse: u32,
    /// Samples since the held frame was taken, `0..coarse`.
    pub coarse_count: u32,
    /// The frame `coarse` holds (left, right).
    pub held: [f32; 2],
    /// Waveshaping amount of `shape`, `0..1` (0 = off): `(1 + k)·x / (1 + k·|x|)` with
    /// `k = 2·shape / (1 - shape)`.
    pub shape: f32,
    /// Rate change per rendered sample (`accelerate`), added to the sample rate each sample.
    pub accel: f64,
    /// Extra passes through [begin, end) still to play (`loop`).
    pub loops: u32,
}

impl VoiceFx {
    /// Apply crush, coarse and shape to one stereo frame.
    #[inline]
    pub fn process(&mut self, l: f32, r: f32) -> (f32, f32) {
        let (mut l, mut r) = (l, r);
        if self.coarse > 1 {
            if self.coarse_count == 0 {
                self.held = [l, r];
            }
            self.coarse_count = (self.coarse_count + 1) % self.coarse;
            [l, r] = self.held;
        }
        if self.crush > 0.0 {
            let steps = 2f32.powf(self.crush - 1.0);
            l = (l * steps).round() / steps;
            r = (r * steps).round() / steps;
        }
        if self.shape > 0.0 {
            let k = 2.0 * self.shape / (1.0 - self.shape);
            l = (1.0 + k) * l / (1.0 + k * l.abs());
            r = (1.0 + k) * r / (1.0 + k * r.abs());
        }
        (l, r)
    }
}

impl Default for Voice {
    fn default() -> Self {
        Voice {
            source: VoiceSource::Osc { shape: crate::OscShape::Sine, freq: 440.0, phase: 0.0 },
            env: Envelope::default(),
            gain_l: 0.0,
            gain_r: 0.0,
            start_offset: 0,
            age: 0,
            target: 0,
            started_at: 0,
            cut: 0,
            fx: VoiceFx::default(),
        }
    }
}

/// One loaded sample: interleaved frames at the engine's sample rate (resampled at load).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SampleData {
    /// 1 (mono) or 2 (stereo).
    pub channels: u8,
    /// Interleaved samples, `channels × frames` long.
    pub data: Vec<f32>,
}

impl SampleData {
    /// Frames (samples per channel); 0 if `channels` is 0.
    pub fn frames(&self) -> usize {
        if self.channels == 0 { 0 } else { self.data.len() / self.channels as usize }
    }
}

/// Every sample the current scene can play, addressed by handle (index). Built off the render
/// thread when the scene is built; the voice system only reads it.
#[derive(bevy_ecs::resource::Resource, Debug, Clone, Default)]
pub struct SampleBank(pub Vec<std::sync::Arc<SampleData>>);

/// Most operations a voice program may have.
pub const MAX_VOICE_OPS: usize = 16;

/// An operand of a voice-program operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VArg {
    /// A number.
    Const(f32),
    /// The output of an earlier operation (its register).
    Reg(u8),
    /// The voice's note frequency in Hz.
    Freq,
}

/// One operation of a voice program; operation `k` writes register `k`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VOp {
    /// A constant signal.
    Const(f32),
    /// An oscillator, amplitude 1.
    Osc {
        /// The waveform.
        shape: crate::OscShape,
        /// Frequency in Hz.
        freq: VArg,
    },
    /// White noise in [-1, 1).
    Noise {
        /// Seed of the generator, mixed with the voice's own (two voices' noise differs).
        seed: u32,
    },
    /// `a op b`, per sample.
    Binary {
        /// The operator.
        op: crate::BinaryOp,
        /// Left operand.
        a: VArg,
        /// Right operand.
        b: VArg,
    },
    /// A state-variable filter; `input` is always a register.
    Filter {
        /// Low-, high- or band-pass.
        mode: crate::FilterMode,
        /// The register to filter (an earlier operation).
        input: u8,
        /// Cutoff (centre) frequency in Hz.
        cutoff: VArg,
        /// Resonance Q.
        q: VArg,
    },
}

/// A voice instrument's signal graph: operations in evaluation order, at most
/// [`MAX_VOICE_OPS`]; the last one is the voice's sound (before envelope, gain and pan).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VoiceProgram {
    /// The operations; operation `k` may read only registers `< k` (a later one panics).
    pub ops: Vec<VOp>,
}

/// Every voice program of the current scene, by index ([`crate::Instrument::Program`]).
#[derive(bevy_ecs::resource::Resource, Debug, Clone, Default)]
pub struct VoicePrograms(pub Vec<VoiceProgram>);

/// The memory of one voice-program operation: oscillator phase, filter state, noise state.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OpState {
    /// An oscillator's phase in cycles, `[0, 1)`.
    pub phase: f64,
    /// A filter's memory.
    pub svf: crate::SvfState,
    /// A noise generator's state.
    pub noise: u32,
}

/// Per-voice state of a voice program, on every pooled voice (untouched by sample voices).
#[derive(Component, Debug, Clone, Copy, Default, PartialEq)]
pub struct VoiceState(pub [OpState; MAX_VOICE_OPS]);
