//! # Phonon — a live-coding music engine
//!
//! TidalCycles-style patterns drive a block-based, stage-parallel DSP graph held in a bevy_ecs
//! `World`. Text (a RON [`Scene`]; the `.ph` language follows) is parsed into a scene, built into
//! a World ([`Engine::new`]), and rendered block by block ([`Engine::process_block`]), to a WAV
//! ([`render`]) or a sound card.
//!
//! ```no_run
//! use phonon::{Engine, EngineConfig, Scene};
//! let scene = Scene::load("assets/demo.ron".as_ref())?;
//! let mut engine = Engine::from_scene(&scene, "assets/demo.ron", EngineConfig::default())?;
//! let block: &[f32] = engine.process_block(); // 512 interleaved stereo frames
//! # Ok::<(), phonon::Error>(())
//! ```
//!
//! Crates: `phonon` (this: scene, language, engine facade, CLI) → `phonon-systems` (graph
//! compilation, the six block systems, DSP kernels) → `phonon-components` (plain data).

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
