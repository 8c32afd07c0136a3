//! # phonon-components — the data Phonon keeps in its ECS `World`
//!
//! Plain data, no behaviour: the systems in `phonon-systems` give it meaning.
//!
//! Entities and what they carry:
//! - **node** — one DSP unit: [`Node`] (its kind and parameters), [`Inputs`] (edges to other
//!   nodes, resolved to arena offsets, each marked feedback or not), [`Slot`] (where its block
//!   buffer lives in the arena), [`DspState`] (oscillator phase, filter memory, delay line…),
//!   optionally [`BusName`] (the `~name` it came from, the key for keeping state across reloads).
//! - **voice** — one sounding event, pre-spawned in a pool: [`Voice`], plus the sparse-set
//!   [`Active`] marker while it sounds.
//! - **drum voice** — a voice whose [`VoiceSource::Drum`] plays a [`DrumKind`] with its
//!   [`DrumParams`] and [`DrumState`] (rendered by `phonon_systems::drums`).
//! - **event source** — [`EventSourceSlot`]: anything implementing [`EventSource`], answering
//!   "which triggers start in `[c0, c1)`?", and the voice-bus node its voices feed.
//! - **control source** — [`ControlSlot`]: a pattern of numbers used as a stepped signal, and
//!   the control node it fills.
//!
//! Resources: [`Transport`] (the exact clock), [`Arena`] / [`PrevArena`] (every node's block buffer
//! in one contiguous `Vec<f32>`, and the previous block's for feedback edges), [`Stages`] (the
//! stage-by-stage layout of the arena), [`Outputs`] and [`OutputBlock`] (the stereo mix),
//! [`VoiceStats`], [`Controls`] (values the embedding program sets by name).
//!
//! The rational-time type ([`Rational`]) lives here because both the transport and the pattern
//! engine (crate `phonon`) speak it; the pattern engine itself stays in `phonon`, which implements
//! [`EventSource`] — the ECS core never learns what a Tidal pattern is.

#![warn(missing_docs)]

mod drum;
mod event;
mod external;
mod kernel;
mod node;
mod resources;
mod time;
mod voice;

pub use drum::{DrumKind, DrumParams, DrumState};
pub use event::{ControlSlot, ControlSource, EventSource, EventSourceSlot, Instrument, Trigger};
pub use external::{Controls, ExternalControl};
pub use kernel::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, MAX_ARGS, P, UgenDef};
pub use node::{
    BankLanes, BinaryOp, BusName, DspState, FilterMode, Input, Inputs, KernelBox, Node, NodeKind, OscShape, Param, Slot, SvfState,
    VoiceBus, WAVETABLE_LEN, WAVETABLE_LEVELS, WavetableData,
};
pub use resources::{Arena, GroupRange, MasterLimiter, NanFlags, OutputBlock, Outputs, PrevArena, Stages, Transport, VoiceStats};
pub use time::{Rational, TimeError};
pub use voice::{
    Active, Envelope, MAX_VOICE_OPS, OpState, SampleBank, SampleData, VArg, VOp, Voice, VoiceFx, VoiceProgram, VoicePrograms, VoiceSource,
    VoiceState,
};
