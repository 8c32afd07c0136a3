//! TidalCycles patterns: the pure algebra ([`core`]), signals and randomness ([`signal`]),
//! dynamic values and control maps ([`value`]), the mini-notation ([`mini`]), Tidal's
//! transform library ([`transform`], [`controls`], [`euclid`]) and its chord and scale tables
//! ([`chords`], [`scales`]).
//!
//! No clock, no I/O: a pattern answers "what happens in this span of cycles?" and nothing else.
//! Time is measured in cycles, as exact rationals ([`Time`]); the tempo (cycles per second)
//! belongs to the scene.
//!
//! Text becomes a pattern through [`crate::lang::eval_pattern`] (Tidal's syntax) or
//! [`mini::parse_mini`] (a mini-notation string alone); [`Pattern::query_arc`] then lists the
//! events of any span:
//!
//! ```
//! use phonon::components::Rational;
//! use phonon::lang::eval_pattern;
//! let r = Rational::new;
//! // Tidal: fast 2 $ s "bd sn" plays bd sn bd sn in every cycle
//! let pat = eval_pattern(r#"fast 2 $ s "bd sn""#, "example")?;
//! let mut haps = pat.query_arc(r(0, 1), r(1, 1));
//! assert_eq!(haps.len(), 4);
//! haps.sort_by_key(|h| h.part.begin);
//! let got: Vec<(String, Rational)> =
//!     haps.iter().map(|h| (h.value.as_map().unwrap()["s"].to_string(), h.whole.unwrap().begin)).collect();
//! assert_eq!(
//!     got,
//!     [("bd".into(), r(0, 1)), ("sn".into(), r(1, 4)), ("bd".into(), r(1, 2)), ("sn".into(), r(3, 4))]
//! );
//! # Ok::<(), phonon::Error>(())
//! ```

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
