//! Catalogue node kernels, one file per family. Each file exports `DEFS`, its catalogue
//! entries; `super::catalogue` lists the families. `util` holds the primitives they share
//! (smoother, argument sanitising, delay line, LFO, one-pole coefficients).
//!
//! Real-time contract for every kernel here: `process` allocates nothing, takes no lock, and
//! writes every output sample; state is allocated in the constructor (`make`).

pub mod control;
pub mod delays;
pub mod distortion;
pub mod dynamics;
pub mod filters;
pub mod modulation;
pub mod oscillators;
pub mod reverbs;
pub(crate) mod util;
