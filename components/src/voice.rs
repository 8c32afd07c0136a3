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
    Osc { shape: crate::OscShape, freq: f32, phase: f64 },
    /// A voice program (an instrument bus: `~pad: saw + square * 0.5 # lpf 2000`), by index into
    /// [`VoicePrograms`], its freqless oscillators at `freq` Hz; its state is the voice's
    /// [`VoiceState`].
    Program { program: u32, freq: f32 },
    /// A sample: read position in frames, frames per output sample (negative: backwards), and
    /// the frame range `[start, stop)` it may play.
    Sample { handle: u32, pos: f64, rate: f64, start: f64, stop: f64 },
    /// A drum synth with its resolved parameters and its state; the drum shapes its own
    /// amplitude, the voice's [`Envelope`] only holds it for the drum's length (and fades it
    /// when choked or stolen).
    Drum { kind: crate::DrumKind, params: crate::DrumParams, state: crate::DrumState },
}

/// Attack / decay / sustain / release envelope, times in samples, linear segments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Envelope {
    pub attack: u32,
    /// Samples from the end of the attack to the sustain level.
    pub decay: u32,
    /// Level held after the decay (1 = no decay).
    pub sustain_level: f32,
    /// Samples from the start until the release begins.
    pub sustain_end: u32,
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
    pub source: VoiceSource,
    pub env: Envelope,
    /// Equal-power gains for left and right.
    pub gain_l: f32,
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
    pub crush: f32,
    pub coarse: u32,
    pub coarse_count: u32,
    pub held: [f32; 2],
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
    Const(f32),
    /// The output of an earlier operation (its register).
    Reg(u8),
    /// The voice's note frequency in Hz.
    Freq,
}

/// One operation of a voice program; operation `k` writes register `k`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VOp {
    Const(f32),
    Osc {
        shape: crate::OscShape,
        freq: VArg,
    },
    Noise {
        seed: u32,
    },
    Binary {
        op: crate::BinaryOp,
        a: VArg,
        b: VArg,
    },
    /// `input` is always a register.
    Filter {
        mode: crate::FilterMode,
        input: u8,
        cutoff: VArg,
        q: VArg,
    },
}

/// A voice instrument's signal graph: operations in evaluation order, at most
/// [`MAX_VOICE_OPS`]; the last one is the voice's sound (before envelope, gain and pan).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VoiceProgram {
    pub ops: Vec<VOp>,
}

/// Every voice program of the current scene, by index ([`crate::Instrument::Program`]).
#[derive(bevy_ecs::resource::Resource, Debug, Clone, Default)]
pub struct VoicePrograms(pub Vec<VoiceProgram>);

/// The memory of one voice-program operation: oscillator phase, filter state, noise state.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OpState {
    pub phase: f64,
    pub svf: crate::SvfState,
    pub noise: u32,
}

/// Per-voice state of a voice program, on every pooled voice (untouched by sample voices).
#[derive(Component, Debug, Clone, Copy, Default, PartialEq)]
pub struct VoiceState(pub [OpState; MAX_VOICE_OPS]);
