//! `Scene`: what a musician wrote, as plain serde data. RON (`.ron`) is its file format.
//!
//! ```ron
//! Scene(
//!     cps: 0.5,
//!     buses: { "lfo": Add(Mul(Sine(Num(0.25)), Num(1500)), Num(2000)) },
//!     outputs: { "out": Lpf(Saw(Num(55)), Bus("lfo"), Num(0.8)) },
//! )
//! ```
//! Expressions nest; `Bus("name")` refers to another bus in any order, cycles included (a cycle
//! reads the previous block at one edge: see `phonon_systems::compile`).

use crate::error::Error;
use phonon_components::Rational;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

fn default_cps() -> f64 {
    0.5
}

/// A whole piece: tempo, named buses and outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scene {
    /// Cycles per second (Tidal's default 0.5 = 120 bpm at 4 beats per cycle).
    #[serde(default = "default_cps")]
    pub cps: f64,
    /// `~name` buses, referenced with `Bus("name")`.
    #[serde(default)]
    pub buses: BTreeMap<String, Expr>,
    /// Outputs: `out`, `o1`…`o16` (`d1`…`d16` are aliases), mixed to stereo.
    #[serde(default)]
    pub outputs: BTreeMap<String, Expr>,
}

impl Default for Scene {
    fn default() -> Self {
        Scene { cps: default_cps(), buses: BTreeMap::new(), outputs: BTreeMap::new() }
    }
}

/// A signal expression. Arguments are positional, as a musician would type them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Expr {
    /// A constant.
    Num(f64),
    /// Another bus, by name (without the `~`).
    Bus(String),
    /// `Sine(freq)`: sine oscillator, amplitude 1.
    Sine(Box<Expr>),
    /// `Saw(freq)`: band-limited sawtooth.
    Saw(Box<Expr>),
    /// `Square(freq)`: band-limited square.
    Square(Box<Expr>),
    /// `Tri(freq)`: triangle.
    Tri(Box<Expr>),
    /// `Impulse(freq)`: one sample of 1.0 per period, the first at time 0.
    Impulse(Box<Expr>),
    /// White noise in [-1, 1).
    Noise,
    /// Sum, sample by sample.
    Add(Box<Expr>, Box<Expr>),
    /// Difference, sample by sample.
    Sub(Box<Expr>, Box<Expr>),
    /// Product, sample by sample (ring modulation, or a gain).
    Mul(Box<Expr>, Box<Expr>),
    /// Division; a zero divisor gives silence, never Inf.
    Div(Box<Expr>, Box<Expr>),
    /// `Lpf(input, cutoff_hz, q)`: state-variable low-pass.
    Lpf(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `Hpf(input, cutoff_hz, q)`.
    Hpf(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `Bpf(input, centre_hz, q)`.
    Bpf(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `Delay(input, time_s, feedback, mix)`: mix 0 = dry, 1 = wet only.
    Delay(Box<Expr>, Box<Expr>, Box<Expr>, Box<Expr>),
    /// A pattern in Tidal's syntax (`"<300 2000>"`, `fast 2 $ "0 .. 3" * 100 + 200`): used where
    /// a number is expected, it is a stepped control signal, exact at event edges (rests hold).
    Pattern(String),
    /// A voice template (an instrument): a signal in which [`Expr::Freq`] is the note's
    /// frequency — an oscillator written without one (`saw`) is `Saw(Freq)` — and the control
    /// patterns chained onto it (`saw # gain 0.3`). Its signal may use oscillators, noise,
    /// arithmetic and lpf/hpf/bpf (`(saw + square * 0.25) # lpf 2000 0.7`); every event gets its own
    /// copy. As a bus it is an instrument for `s "~name"`; played itself, its controls give the
    /// events (`sine # note "c e g"`).
    Synth(Box<Expr>, Vec<String>),
    /// Inside a [`Expr::Synth`] signal: the frequency of the note the voice plays.
    Freq,
    /// The input of an effect chain: a bus whose expression uses `Input` is a chain (`~fx: delay
    /// 0.3 0.4 # lpf 2000`), instantiated afresh by every [`Expr::Apply`].
    Input,
    /// `Apply(input, "fx")`: a fresh instance of chain bus `~fx` with `input` as its input.
    Apply(Box<Expr>, String),
    /// `Node("moog", [Input, Num(800), Num(0.5)])`: a node of the DSP catalogue by name
    /// (`phonon nodes` lists them), its arguments in the catalogue's order, an effect's input
    /// first. Missing trailing arguments take their defaults.
    Node(String, Vec<Expr>),
    /// `Wavetable("arpy:2", freq, position)`: an oscillator whose cycles are the 2048-sample
    /// frames of sample `name:index` (band-limited, each frame normalised to peak 1);
    /// `position` 0..1 scans across the frames.
    Wavetable(String, Box<Expr>, Box<Expr>),
    /// `External("cutoff", 1000)`: a control signal whose value the embedding program sets by
    /// name (`Controls::set`, from one of its systems), `default` until it does; in `.ph`,
    /// Tidal's controller-input form `cF 1000 "cutoff"`. Held for a whole block.
    External(String, f64),
    /// A voice bus playing a repeating list of tones (one voice each): the event source until
    /// patterns land.
    Tones(Tones),
}

/// A cycle-long (or `every`-long) list of tones, repeated forever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tones {
    /// Length of the repeating span in cycles.
    #[serde(default = "Frac::one")]
    pub every: Frac,
    /// The tones of one span.
    pub notes: Vec<Tone>,
}

/// One tone: onset and duration in cycles (exact: `"1/3"` or a number), frequency in Hz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tone {
    /// Onset in cycles from the span's start.
    pub at: Frac,
    /// Duration in cycles (default 1/4).
    #[serde(default = "Frac::quarter")]
    pub dur: Frac,
    /// Frequency in Hz.
    pub freq: f64,
    /// Linear gain (default 1).
    #[serde(default = "one")]
    pub gain: f64,
    /// -1 (left) … 1 (right), default 0.
    #[serde(default)]
    pub pan: f64,
    /// Attack and release in seconds.
    #[serde(default = "attack")]
    pub attack: f64,
    /// Release in seconds.
    #[serde(default = "release")]
    pub release: f64,
}

fn one() -> f64 {
    1.0
}
fn attack() -> f64 {
    0.001
}
fn release() -> f64 {
    0.01
}

/// An exact fraction of a cycle, written as a number (`0.25`) or a string (`"1/3"`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FracRepr", into = "FracRepr")]
pub struct Frac(pub Rational);

impl Frac {
    fn one() -> Frac {
        Frac(Rational::ONE)
    }
    fn quarter() -> Frac {
        Frac(Rational::new(1, 4))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum FracRepr {
    Num(f64),
    Str(String),
}

impl TryFrom<FracRepr> for Frac {
    type Error = String;
    fn try_from(r: FracRepr) -> Result<Frac, String> {
        match r {
            FracRepr::Num(x) => Rational::approximate(x, 1_000_000).map(Frac).ok_or_else(|| format!("{x} is not a finite number")),
            FracRepr::Str(s) => parse_fraction(&s).map(Frac).ok_or_else(|| format!("'{s}' is not a fraction like \"1/3\" or \"0.25\"")),
        }
    }
}

impl From<Frac> for FracRepr {
    fn from(f: Frac) -> FracRepr {
        if f.0.den() == 1 { FracRepr::Num(f.0.num() as f64) } else { FracRepr::Str(f.0.to_string()) }
    }
}

/// `"3"`, `"-1/3"`, `"0.25"` → exact rational.
pub fn parse_fraction(s: &str) -> Option<Rational> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once('/') {
        let (a, b): (i64, i64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        return if b == 0 { None } else { Rational::from_i128(a as i128, b as i128).ok() };
    }
    if let Ok(n) = s.parse::<i64>() {
        return Some(Rational::integer(n));
    }
    Rational::approximate(s.parse().ok()?, 1_000_000)
}

impl Scene {
    /// Parse RON text; `file` names it in errors (`file:line:col: what was expected`).
    pub fn from_ron(text: &str, file: &str) -> Result<Scene, Error> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES | ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(text)
            .map_err(|e| {
                let msg = match e.code {
                    // ron's own words name its API, not the file's problem
                    ron::Error::ExceededRecursionLimit => "expressions nested too deeply (more than 128 levels)".to_string(),
                    code => code.to_string(),
                };
                Error::syntax(file, text, e.span.start.line, e.span.start.col, msg)
            })
    }

    /// Parse `.ph` text; `file` names it in errors.
    /// A leading UTF-8 byte-order mark (Windows editors write one) is skipped.
    pub fn from_ph(text: &str, file: &str) -> Result<Scene, Error> {
        crate::lang::ph::parse_ph(text.strip_prefix('\u{feff}').unwrap_or(text), file)
    }

    /// The scene as pretty RON.
    pub fn to_ron(&self) -> String {
        let cfg = ron::ser::PrettyConfig::default().extensions(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES);
        ron::ser::to_string_pretty(self, cfg).expect("a Scene always serialises")
    }

    /// Load a scene from a file: `.ph` (the language) or `.ron` (the same scene as data).
    pub fn load(path: &Path) -> Result<Scene, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        let name = path.display().to_string();
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                // place the first bad byte: the text before it is valid
                let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let good = std::str::from_utf8(good).unwrap_or_default();
                let line = good.matches('\n').count() + 1;
                let col = good.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                let msg = "this is not UTF-8 text (save the file as UTF-8)".to_string();
                return Err(Error::syntax(&name, good, line, col, msg));
            }
        };
        match path.extension().and_then(|e| e.to_str()) {
            Some("ron") => Scene::from_ron(&text, &name),
            Some("ph") | None => Scene::from_ph(&text, &name),
            Some(other) => Err(Error::Scene { file: name, msg: format!("unknown scene format '.{other}' (expected a .ph or .ron file)") }),
        }
    }
}

impl Expr {
    /// Can this be (part of) a voice program: numbers, [`Expr::Freq`], oscillators, noise,
    /// arithmetic and the state-variable filters?
    pub fn voice_compatible(&self) -> bool {
        match self {
            Expr::Num(_) | Expr::Freq | Expr::Noise => true,
            Expr::Sine(a) | Expr::Saw(a) | Expr::Square(a) | Expr::Tri(a) | Expr::Impulse(a) => a.voice_compatible(),
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) => a.voice_compatible() && b.voice_compatible(),
            Expr::Lpf(a, b, c) | Expr::Hpf(a, b, c) | Expr::Bpf(a, b, c) => {
                a.voice_compatible() && b.voice_compatible() && c.voice_compatible()
            }
            _ => false,
        }
    }

    /// Does this expression use [`Expr::Input`] (is it an effect chain)?
    pub fn uses_input(&self) -> bool {
        match self {
            Expr::Input => true,
            Expr::Num(_)
            | Expr::Bus(_)
            | Expr::Noise
            | Expr::Pattern(_)
            | Expr::Tones(_)
            | Expr::Synth(..)
            | Expr::Freq
            | Expr::External(..) => false,
            Expr::Sine(a) | Expr::Saw(a) | Expr::Square(a) | Expr::Tri(a) | Expr::Impulse(a) => a.uses_input(),
            Expr::Apply(a, _) => a.uses_input(),
            Expr::Node(_, args) => args.iter().any(Expr::uses_input),
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) => a.uses_input() || b.uses_input(),
            Expr::Lpf(a, b, c) | Expr::Hpf(a, b, c) | Expr::Bpf(a, b, c) => a.uses_input() || b.uses_input() || c.uses_input(),
            Expr::Delay(a, b, c, d) => a.uses_input() || b.uses_input() || c.uses_input() || d.uses_input(),
            Expr::Wavetable(_, f, p) => f.uses_input() || p.uses_input(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scene survives RON → Scene → RON → Scene unchanged, fractions exact.
    #[test]
    fn ron_round_trip() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo.ron")).unwrap();
        let scene = Scene::from_ron(&text, "demo.ron").unwrap();
        let again = Scene::from_ron(&scene.to_ron(), "again.ron").unwrap();
        assert_eq!(scene, again);
        let Expr::Tones(t) = &scene.buses["arp"] else { panic!("arp is a tone list") };
        assert_eq!(t.notes[1].at.0, Rational::new(1, 4));
    }

    /// Fractions parse from numbers and strings, and nonsense is refused.
    #[test]
    fn fractions() {
        assert_eq!(parse_fraction("-1/3"), Some(Rational::new(-1, 3)));
        assert_eq!(parse_fraction(" 0.125 "), Some(Rational::new(1, 8)));
        assert_eq!(parse_fraction("1/0"), None);
        assert_eq!(parse_fraction("x"), None);
    }
}
