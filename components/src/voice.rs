//! Voice components: one sounding event each, pre-spawned in a pool.

use bevy_ecs::prelude::*;

/// Marks a voice that is sounding. Sparse-set storage: toggling it moves no table rows.
#[derive(Component, Debug, Clone, Copy, Default)]
#[component(storage = "SparseSet")]
pub struct Active;

/// What a voice plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VoiceSource {
    /// A sine tone at `freq` Hz (the built-in instrument until the sample bank lands).
    Tone { freq: f32, phase: f64 },
}

/// Attack / sustain / release envelope, times in samples, linear segments.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Envelope {
    pub attack: u32,
    /// Samples from the start until the release begins.
    pub sustain_end: u32,
    pub release: u32,
}

impl Envelope {
    /// Level at `t` samples since the start; `None` once it has ended.
    #[inline]
    pub fn level(&self, t: u32) -> Option<f32> {
        if t < self.attack {
            Some((t as f32 + 1.0) / (self.attack as f32 + 1.0))
        } else if t < self.sustain_end {
            Some(1.0)
        } else if t < self.sustain_end + self.release {
            Some(1.0 - (t - self.sustain_end) as f32 / self.release as f32)
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
    /// Block counter when it started (for stealing the oldest).
    pub started_block: u64,
}

impl Default for Voice {
    fn default() -> Self {
        Voice {
            source: VoiceSource::Tone { freq: 440.0, phase: 0.0 },
            env: Envelope::default(),
            gain_l: 0.0,
            gain_r: 0.0,
            start_offset: 0,
            age: 0,
            target: 0,
            started_block: 0,
        }
    }
}
