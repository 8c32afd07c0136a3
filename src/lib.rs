//! # Phonon — a live-coding music engine, as a library
//!
//! TidalCycles-style patterns (`s "bd*2 [sn cp]"`, `jux rev $ every 2 (fast 2) $ …`) and DSP
//! chains (`saw 55 # lpf (~lfo * 2000 + 500) 0.8`) drive a block-based, stage-parallel audio
//! graph that lives in a bevy_ecs [`World`](bevy_ecs::world::World): nodes, voices and event
//! sources are entities, buffers live in one contiguous arena. Text in the `.ph` language (or a
//! RON [`Scene`]) is parsed into a scene, built into a World, and rendered block by block, to a
//! WAV file ([`render`]), a sound card (the `phonon play` command), or your program.
//!
//! ```
//! use phonon::{Engine, EngineConfig};
//! let mut engine = Engine::new(EngineConfig::default())?;
//! engine.load_str(r#"tempo: 0.5
//! out: s "bd*2 [~ sn] bd sn" * 0.8 + saw "55 82.5" # lpf 800 0.7 * 0.2"#)?;
//! let mut audio = vec![0.0f32; 2 * 44_100]; // one second, interleaved stereo
//! engine.render(&mut audio);
//! assert!(audio.iter().any(|x| x.abs() > 0.1));
//! # Ok::<(), phonon::Error>(())
//! ```
//!
//! ## The block pipeline
//!
//! Every block (512 samples by default: 11.6 ms at 44.1 kHz), [`Engine::process_block`] runs one
//! bevy `Schedule` over the World, in this order ([`phonon_systems::Phase`]); your own systems
//! run at the [`Hook`]s between the phases:
//!
//! 1. **Transport** — the clock advances: the block's sample count becomes its exact cycle arc
//!    `[c0, c1)`, in rational time (no drift, ever).
//!    *`Hook::BeforeSchedule`*
//! 2. **Schedule** — every event source (patterns, tone lists, your [`EventSource`]s) is asked
//!    for the triggers that start in `[c0, c1)`; each starts a voice from the pre-allocated pool
//!    at its exact sample. Patterns used as numbers fill their control buffers, exact at event
//!    edges. (Pattern queries allocate, so they run ahead on a lookahead thread; the render
//!    thread pops their results from lock-free rings.)
//!    *`Hook::AfterSchedule`, `Hook::BeforeVoices`*
//! 3. **Voices** — every sounding voice (a sample, a drum synth, a voice program) renders into
//!    its voice bus's buffer; buses render in parallel.
//!    *`Hook::AfterVoices`, `Hook::BeforeDsp`*
//! 4. **DSP** — the [`Controls`] your program set (`cF` in the scene) fill their buffers; then
//!    the nodes run stage by stage (topological levels of the graph), the nodes of a stage in
//!    parallel on a rayon pool, each reading its inputs' buffers in the arena and writing its
//!    own. Feedback edges read the previous block's arena. NaN/Inf output is silenced.
//!    *`Hook::AfterDsp`, `Hook::BeforeMix`*
//! 5. **Mix** — the outputs (`out`, `o1`…, your sources' `source:NAME`) sum into the interleaved
//!    stereo block, through the master limiter (nothing leaves above 0 dBFS).
//!    *`Hook::AfterMix`*
//! 6. **Feedback** — the arena and the previous block's arena swap (no copy).
//!
//! After the schedule, a scene that just took over bridges the step from the old scene's last
//! sample (5 ms), and [`Engine::render`] hands the block out in whatever pieces you ask for.
//!
//! Real-time contract: after its first blocks, a scene renders with no allocation, no lock and no
//! I/O on the calling thread, with denormals flushed to zero on every DSP thread, and the same
//! bits whatever the thread count. Loading through a [`Handle`] keeps it so: the scene is built on
//! the handle's thread and swapped in between two blocks.
//!
//! ## Embedding
//!
//! - [`Engine::new`], then [`Engine::load`] / [`Engine::load_file`] / [`Engine::load_str`]:
//!   each load takes over from the scene before at the next block (clock, node state and
//!   sounding voices carry over; a bad scene is an error and the old one plays on).
//! - [`Engine::render`] (any length) or [`Engine::process_block`] (one block).
//! - [`Engine::add_systems`] at a [`Hook`]; [`Engine::insert_resource`]; [`OutputBuffers`] to
//!   read every output; [`Controls`] / [`Engine::set_control`] to drive `cF` controls;
//!   [`Engine::world`] / [`Engine::world_mut`] for everything else.
//! - [`Engine::add_source`] with your [`EventSource`] and [`Engine::sound`]: your events play
//!   through the same voices as patterns.
//! - [`Engine::handle`]: a [`Handle`] to load scenes, change tempo and hush from other threads.
//!
//! The examples (`examples/`: `render_to_wav`, `custom_system`, `custom_event_source`,
//! `live_handle`) show each; docs/ARCHITECTURE.md tells how it works inside, with measured
//! numbers; docs/LANGUAGE.md is the language reference.
//!
//! Crates: `phonon` (this: scenes, the language, patterns, the engine, the CLI) →
//! [`phonon_systems`] (graph compilation, the block systems, DSP kernels) →
//! [`phonon_components`] (the plain data in the World).

#![warn(missing_docs)]

pub mod bench;
pub mod build;
pub mod engine;
pub mod error;
pub mod graph;
pub mod handle;
pub mod lang;
pub mod live;
pub mod lookahead;
pub mod pattern;
pub mod profile;
pub mod query;
pub mod reference;
pub mod render;
pub mod samples;
pub mod scene;
pub mod swap;

pub use bevy_ecs;

/// README.md's tour, compiled and run as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeTour;
pub use engine::{Engine, EngineConfig, NanWatch, Player, SwapReport};
pub use error::Error;
pub use handle::Handle;
pub use phonon_components;
pub use phonon_components as components;
pub use phonon_components::{Controls, EventSource, Instrument, Rational, Trigger};
pub use phonon_systems;
pub use phonon_systems as systems;
pub use phonon_systems::{Hook, OutputBuffers};
pub use scene::{Expr, Scene};
