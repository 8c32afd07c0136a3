//! Event sources: anything that answers "which triggers start in `[c0, c1)`?".

use crate::time::Rational;
use bevy_ecs::prelude::*;

/// What a trigger plays. Names (sample names, bus names) are resolved to handles at build time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Instrument {
    /// The built-in sine tone.
    Tone,
    /// A sample from the [`crate::SampleBank`], by handle.
    Sample(u32),
    /// A voice program (a bus used as an instrument: `~x: saw # lpf 2000`), by index into
    /// [`crate::VoicePrograms`], pitched by `freq`.
    Program(u32),
    /// A drum synth (`s "superkick"`), shaped by the trigger's [`Trigger::drum`] parameters.
    Drum(crate::DrumKind),
}

/// One event, typed and small: no strings, a fixed set of numeric parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trigger {
    /// Onset in cycles (the start of the event's whole).
    pub onset: Rational,
    /// Duration in cycles.
    pub duration: Rational,
    /// What plays.
    pub instrument: Instrument,
    /// The note's frequency in Hz (tones and voice programs).
    pub freq: f32,
    /// Linear amplitude (1 = as recorded or full scale).
    pub gain: f32,
    /// -1 (left) … 1 (right).
    pub pan: f32,
    /// Attack and release in seconds.
    pub attack: f32,
    /// Release time in seconds.
    pub release: f32,
    /// Playback rate for samples (negative plays backwards).
    pub speed: f32,
    /// Start and end of the sample to play, as fractions of its length.
    pub begin: f32,
    /// End of the sample to play, as a fraction of its length.
    pub end: f32,
    /// Seconds until the release starts; `None`: samples play to their end, synths for the
    /// event's duration.
    pub sustain: Option<f32>,
    /// Decay time in seconds and the level it decays to (synth voices).
    pub decay: f32,
    /// The level the decay falls to, 0..1.
    pub sustain_level: f32,
    /// Choke group (`cut`), 0 = none.
    pub cut: i32,
    /// `loop`: how many times to play [begin, end).
    pub loops: u32,
    /// `accelerate`: change of speed over the voice (1 = double speed by the end).
    pub accelerate: f32,
    /// `crush` bits (0 = off), `coarse` sample-and-hold (≤ 1 = off), `shape` 0..1.
    pub crush: f32,
    /// `coarse`: hold every Nth sample (≤ 1 = off).
    pub coarse: u32,
    /// `shape`: waveshaping amount 0..1 (0 = off).
    pub shape: f32,
    /// `unit "c"`: `speed` is in cycles — the sample lasts `1/speed` cycles.
    pub per_cycle: bool,
    /// A drum's parameters (only [`Instrument::Drum`] reads them).
    pub drum: crate::DrumParams,
}

impl Default for Trigger {
    fn default() -> Self {
        Trigger {
            onset: Rational::ZERO,
            duration: Rational::ONE,
            instrument: Instrument::Tone,
            freq: 440.0,
            gain: 1.0,
            pan: 0.0,
            attack: 0.001,
            release: 0.01,
            speed: 1.0,
            begin: 0.0,
            end: 1.0,
            sustain: None,
            decay: 0.0,
            sustain_level: 1.0,
            cut: 0,
            loops: 1,
            accelerate: 0.0,
            crush: 0.0,
            coarse: 0,
            shape: 0.0,
            per_cycle: false,
            drum: crate::DrumParams::default(),
        }
    }
}

/// A source of triggers.
///
/// Contract: append every trigger whose onset lies in `[begin, end)` to `out` (which the caller
/// clears and reuses). Called once per block with consecutive arcs. A source queried on the
/// render thread must not allocate once `out` has grown to its working size; pattern sources
/// allocate, so the engine queries them ahead on its lookahead thread and hands the render
/// thread a queue (`phonon::lookahead`).
pub trait EventSource: Send + Sync + 'static {
    /// Append every trigger whose onset lies in `[begin, end)` (cycles) to `out`.
    fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<Trigger>);
}

/// An entity that produces voices: its source and the voice-bus node (arena offset) they feed.
#[derive(Component)]
pub struct EventSourceSlot {
    /// The source, queried once per block.
    pub source: Box<dyn EventSource>,
    /// Arena offset of the stereo [`crate::VoiceBus`] node its voices accumulate into.
    pub target: usize,
}

/// A source of stepped control values (a pattern of numbers used as a signal).
///
/// Contract: append `(onset, value)` for every value change whose onset lies in `[begin, end)`,
/// in time order. Between changes the last value holds.
pub trait ControlSource: Send + Sync + 'static {
    /// Append `(onset, value)` for every change in `[begin, end)` (cycles), in time order.
    fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<(Rational, f32)>);
}

/// An entity that writes a control node's buffer every block.
#[derive(Component)]
pub struct ControlSlot {
    /// The source, queried once per block.
    pub source: Box<dyn ControlSource>,
    /// Arena offset of the mono [`crate::NodeKind::Control`] node it fills.
    pub target: usize,
    /// The value held from the previous block.
    pub last: f32,
}
