//! TidalCycles patterns: the pure algebra ([`core`]), signals and randomness ([`signal`]),
//! dynamic values and control maps ([`value`]).
//!
//! No clock, no I/O: a pattern answers "what happens in this span of cycles?" and nothing else.

pub mod chords;
pub mod controls;
pub mod core;
pub mod euclid;
pub mod mini;
pub mod scales;
pub mod signal;
pub mod transform;
pub mod value;

pub use self::core::{Hap, Pattern, Span, Time, signal as sig};
pub use value::{ControlMap, Value};
