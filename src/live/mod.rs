//! Live mode (`phonon play`): the engine rendered in real time to a sound card.

#[cfg(feature = "live")]
pub mod audio;
