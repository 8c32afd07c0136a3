//! Drum synths as voice instruments (SuperDirt's `superkick`, `supersnare`, `superhat`,
//! `superclap`): which drum, its parameters resolved to numbers, and its per-voice state. The
//! sound itself is rendered by `phonon_systems::drums`.

/// Which drum a voice plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DrumKind {
    /// `superkick`: a sine falling from `pitch1` octaves above its base pitch, plus a click.
    Kick,
    /// `supersnare`: two pitched sines and band-passed noise.
    Snare,
    /// `superhat`: high-passed noise and metallic square waves.
    Hat,
    /// `superclap`: band-passed noise in four bursts and a tail.
    Clap,
}

impl DrumKind {
    /// Every drum, in documentation order.
    pub const ALL: [DrumKind; 4] = [DrumKind::Kick, DrumKind::Snare, DrumKind::Hat, DrumKind::Clap];

    /// The drum a sound name plays (`s "superkick"`), if it is one.
    pub fn from_name(name: &str) -> Option<DrumKind> {
        Some(match name {
            "superkick" => DrumKind::Kick,
            "supersnare" => DrumKind::Snare,
            "superhat" => DrumKind::Hat,
            "superclap" => DrumKind::Clap,
            _ => return None,
        })
    }

    /// The sound name that plays this drum.
    pub fn name(self) -> &'static str {
        match self {
            DrumKind::Kick => "superkick",
            DrumKind::Snare => "supersnare",
            DrumKind::Hat => "superhat",
            DrumKind::Clap => "superclap",
        }
    }
}

/// A drum's parameters, resolved to numbers (defaults: [`DrumParams::defaults`]). Every field
/// means something for some drum; a drum ignores the ones it has no use for.
///
/// | field | kick | snare | hat | clap |
/// |---|---|---|---|---|
/// | `freq` Hz (× 2^((n + note)/12)) | 55: body pitch | 180: lower tone | 7000: high-pass cutoff | 1500: band centre |
/// | `sustain` s | 0.5: body length | 0.25: tone length | 0.1: length | 0.35: tail length |
/// | `decay` × | 1: sweep and click time | 1: noise length / sustain | – | – |
/// | `voice` 0..1 | 0.3: click level | 0.5: noise share | 0.25: metal share | – |
/// | `pitch1` | 2: sweep depth, octaves | 0.5: sweep depth, octaves | – | 1: band × |
/// | `semitone` | – | 10: upper tone interval | – | – |
/// | `rq` | – | 1: noise band 1/Q | – | – |
/// | `delay` × | – | – | – | 1: burst spacing (10 ms) |
/// | `rate` × | – | – | – | 1: burst decay speed |
/// | `accelerate` | glide: pitch (and bands) × (1 + accelerate · t / length) | | | |
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrumParams {
    /// Base frequency in Hz, already transposed by `n` + `note` semitones.
    pub freq: f32,
    /// Seconds: the length of the drum's main part (see the table).
    pub sustain: f32,
    /// Time multiplier of the drum's secondary part (kick: pitch sweep and click; snare: noise).
    pub decay: f32,
    /// 0..1: the share of the drum's second sound (kick: click; snare: noise; hat: metal).
    pub voice: f32,
    /// Kick and snare: pitch-sweep depth in octaves; clap: band-centre multiplier.
    pub pitch1: f32,
    /// Snare: the upper tone's interval above the lower, in semitones.
    pub semitone: f32,
    /// Snare: the noise band-pass's reciprocal Q (bandwidth / centre).
    pub rq: f32,
    /// Clap: burst spacing multiplier (1 = 10 ms).
    pub delay: f32,
    /// Clap: burst decay speed multiplier (1 = 6 ms time constant).
    pub rate: f32,
    /// Pitch (and filter) glide over the drum's length: × (1 + accelerate · t / length).
    pub accelerate: f32,
}

impl DrumParams {
    /// Every parameter's default for `kind` (the table on [`DrumParams`]).
    pub fn defaults(kind: DrumKind) -> DrumParams {
        let base = DrumParams {
            freq: 55.0,
            sustain: 0.5,
            decay: 1.0,
            voice: 0.3,
            pitch1: 2.0,
            semitone: 10.0,
            rq: 1.0,
            delay: 1.0,
            rate: 1.0,
            accelerate: 0.0,
        };
        match kind {
            DrumKind::Kick => base,
            DrumKind::Snare => DrumParams { freq: 180.0, sustain: 0.25, voice: 0.5, pitch1: 0.5, ..base },
            DrumKind::Hat => DrumParams { freq: 7000.0, sustain: 0.1, voice: 0.25, pitch1: 1.0, ..base },
            DrumKind::Clap => DrumParams { freq: 1500.0, sustain: 0.35, voice: 0.0, pitch1: 1.0, ..base },
        }
    }

    /// The same parameters with every value finite and in its working range (NaN or infinity
    /// become the default): `freq` 1 Hz…20 kHz, `sustain` 5 ms…10 s, `decay` 0.05…10, `voice`
    /// 0…1, `pitch1` 0…6 (clap: 0.05…10), `semitone` −48…48, `rq` 0.05…4, `delay` 0…10,
    /// `rate` 0.05…20, `accelerate` −0.95…10.
    pub fn sanitized(self, kind: DrumKind) -> DrumParams {
        let d = DrumParams::defaults(kind);
        let c = |v: f32, def: f32, lo: f32, hi: f32| if v.is_finite() { v.clamp(lo, hi) } else { def };
        let (p_lo, p_hi) = if kind == DrumKind::Clap { (0.05, 10.0) } else { (0.0, 6.0) };
        DrumParams {
            freq: c(self.freq, d.freq, 1.0, 20_000.0),
            sustain: c(self.sustain, d.sustain, 0.005, 10.0),
            decay: c(self.decay, d.decay, 0.05, 10.0),
            voice: c(self.voice, d.voice, 0.0, 1.0),
            pitch1: c(self.pitch1, d.pitch1, p_lo, p_hi),
            semitone: c(self.semitone, d.semitone, -48.0, 48.0),
            rq: c(self.rq, d.rq, 0.05, 4.0),
            delay: c(self.delay, d.delay, 0.0, 10.0),
            rate: c(self.rate, d.rate, 0.05, 20.0),
            accelerate: c(self.accelerate, d.accelerate, -0.95, 10.0),
        }
    }
}

impl Default for DrumParams {
    fn default() -> Self {
        DrumParams::defaults(DrumKind::Kick)
    }
}

/// A drum voice's memory: samples rendered, oscillator phases, filter memories and the noise
/// generator (seeded from the voice's start sample, so a render is repeatable).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DrumState {
    /// Samples rendered so far.
    pub age: u32,
    /// Tone oscillator phases in cycles, [0, 1) (hat: the first two metal squares).
    pub phase: [f64; 2],
    /// The hat's other metal squares.
    pub metal: [f64; 4],
    /// xorshift32 noise state (never 0).
    pub noise: u32,
    /// Two state-variable filters' integrator memories.
    pub filt: [[f32; 2]; 2],
}
