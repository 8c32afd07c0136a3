//! Node components: what a DSP unit is, what it reads, where it writes, and the state it keeps.

use bevy_ecs::prelude::*;

/// A node parameter: a fixed number, or a signal read per sample from one of the node's inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Param {
    /// A number, the same for every sample.
    Const(f32),
    /// Index into the node's [`Inputs`]; channel 0 of that input is read per sample.
    Input(u8),
}

/// An oscillator's waveform; every shape spans [-1, 1] (the impulse [0, 1]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OscShape {
    /// `sin(2π·phase)`.
    Sine,
    /// Band-limited (polyBLEP).
    Saw,
    /// Band-limited (polyBLEP), 50 % duty.
    Square,
    /// Triangle, rising from -1 at phase 0 to 1 at phase 1/2 (not band-limited).
    Tri,
    /// A single-sample 1.0 at the start of every period.
    Impulse,
}

/// Which output of a state-variable filter a [`NodeKind::Filter`] (or voice-program filter)
/// takes (two poles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterMode {
    /// Low-pass (`lpf`).
    Lowpass,
    /// High-pass (`hpf`).
    Highpass,
    /// Band-pass (`bpf`), centred on the cutoff (peak gain `q`).
    Bandpass,
}

/// A per-sample arithmetic operator of a [`NodeKind::Binary`] node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a × b`.
    Mul,
    /// Division; a zero (or denormal) divisor gives 0, never Inf or NaN.
    Div,
}

impl BinaryOp {
    /// `x op y`; division by (near) zero gives 0, never Inf or NaN.
    #[inline(always)]
    pub fn apply(self, x: f32, y: f32) -> f32 {
        match self {
            BinaryOp::Add => x + y,
            BinaryOp::Sub => x - y,
            BinaryOp::Mul => x * y,
            BinaryOp::Div => {
                if y.abs() < 1e-30 {
                    0.0
                } else {
                    x / y
                }
            }
        }
    }
}

/// What a node computes and with which parameters. Audio inputs are [`Param::Input`] too.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A constant signal.
    Constant(f32),
    /// An oscillator at `freq` Hz, amplitude 1.
    Osc {
        /// The waveform.
        shape: OscShape,
        /// Frequency in Hz.
        freq: Param,
    },
    /// White noise in [-1, 1), deterministic from `seed`.
    Noise {
        /// Seed of the generator: equal seeds give equal noise.
        seed: u32,
    },
    /// `a op b`, per sample and per channel (a mono operand is applied to both channels).
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        a: Param,
        /// Right operand.
        b: Param,
    },
    /// State-variable filter (Simper/Cytomic trapezoidal SVF) on `input`; `cutoff` in Hz and
    /// `q` may be signals, read per sample.
    Filter {
        /// Low-, high- or band-pass.
        mode: FilterMode,
        /// The signal to filter.
        input: Param,
        /// Cutoff (centre) frequency in Hz, clamped to [1 Hz, 0.49 × sample rate].
        cutoff: Param,
        /// Resonance Q (0.707: no peak), at least 0.05.
        q: Param,
    },
    /// Delay line of up to `max_time` seconds with internal feedback and dry/wet mix.
    Delay {
        /// The signal to delay.
        input: Param,
        /// Delay time in seconds, clamped to what the line holds (`max_time`).
        time: Param,
        /// Gain of the delayed signal written back into the line (what goes back is
        /// soft-saturated above 1, so feedback ≥ 1 stays bounded).
        feedback: Param,
        /// Dry/wet balance: 0 = dry only, 1 = delayed only.
        mix: Param,
        /// Longest delay in seconds: sizes the line when the node is built.
        max_time: f32,
    },
    /// A stepped control signal written by the schedule system from a pattern (piecewise
    /// constant, changing exactly at event onsets); the kernel leaves the buffer as written.
    Control,
    /// The sum of all voices that target this node (filled by the voice system; the kernel
    /// leaves the buffer as the voices wrote it).
    VoiceBus,
    /// An output (`out`, `o1`…): its input, copied to stereo. The mix system sums all outputs.
    Output {
        /// The signal to output.
        input: Param,
    },
    /// A catalogue node (`moog`, `reverb`, `pulse` …): `params[k]` is argument `k` of `def`.
    Ugen {
        /// The catalogue entry: name, arguments, kernel constructor.
        def: &'static crate::UgenDef,
        /// One per entry of `def.args`, in that order.
        params: Vec<Param>,
    },
    /// `bias + Σ gain·term`, per sample and per channel: a tree of `+`, `-` and products with
    /// numbers, fused into one node by `phonon_systems::compile::fuse_sums`
    /// (a sum of 1000 scaled sines is one pass over 1000 buffers, not 2000 nodes).
    /// `sines` are constant-frequency sine oscillators (Hz, gain) read by nothing else, rendered
    /// straight into the sum (a bank: no buffer of their own).
    Sum {
        /// `(term, gain)` pairs, summed in this order.
        terms: Vec<(Param, f32)>,
        /// The constant added to every sample.
        bias: f32,
        /// `(frequency in Hz, gain)` of each sine rendered by the bank.
        sines: Vec<(f32, f32)>,
    },
    /// A node whose work was fused into a [`NodeKind::Sum`]: it computes nothing.
    Unused,
    /// A wavetable oscillator at `freq` Hz scanning the frames of `table` with `position`
    /// (0..1, crossfading neighbouring frames); amplitude at most 1.
    Wavetable {
        /// The tables, shared (built once at load time).
        table: std::sync::Arc<WavetableData>,
        /// Frequency in Hz.
        freq: Param,
        /// Position in the frames, 0 (first) to 1 (last).
        position: Param,
    },
}

/// Samples in one wavetable (one single cycle).
pub const WAVETABLE_LEN: usize = 2048;
/// Band-limited levels per frame: level `l` holds harmonics `1..=1024 >> l` (level 10: a sine).
pub const WAVETABLE_LEVELS: usize = 11;

/// The tables of a wavetable oscillator: `frames × levels × WAVETABLE_LEN` floats, built once at
/// load time (never at run time). Each frame is normalised so its loudest level peaks at 1.
#[derive(Clone, PartialEq)]
pub struct WavetableData {
    /// Where the tables came from (`"arpy:2"`), for diagnostics.
    pub name: String,
    /// Number of frames (at least 1).
    pub frames: usize,
    /// `tables[(frame * WAVETABLE_LEVELS + level) * WAVETABLE_LEN..][..WAVETABLE_LEN]`.
    pub tables: Vec<f32>,
}

impl WavetableData {
    /// The table of `frame` at band-limit `level` (both clamped to what exists).
    #[inline(always)]
    pub fn table(&self, frame: usize, level: usize) -> &[f32] {
        let f = frame.min(self.frames.saturating_sub(1));
        let l = level.min(WAVETABLE_LEVELS - 1);
        let start = (f * WAVETABLE_LEVELS + l) * WAVETABLE_LEN;
        self.tables.get(start..start + WAVETABLE_LEN).unwrap_or(&[])
    }
}

impl std::fmt::Debug for WavetableData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WavetableData({:?}, {} frames)", self.name, self.frames)
    }
}

impl NodeKind {
    /// Short name for diagnostics and `phonon graph`.
    pub fn name(&self) -> &'static str {
        match self {
            NodeKind::Constant(_) => "constant",
            NodeKind::Osc { shape, .. } => match shape {
                OscShape::Sine => "sine",
                OscShape::Saw => "saw",
                OscShape::Square => "square",
                OscShape::Tri => "tri",
                OscShape::Impulse => "impulse",
            },
            NodeKind::Noise { .. } => "noise",
            NodeKind::Binary { op, .. } => match op {
                BinaryOp::Add => "add",
                BinaryOp::Sub => "sub",
                BinaryOp::Mul => "mul",
                BinaryOp::Div => "div",
            },
            NodeKind::Filter { mode, .. } => match mode {
                FilterMode::Lowpass => "lpf",
                FilterMode::Highpass => "hpf",
                FilterMode::Bandpass => "bpf",
            },
            NodeKind::Delay { .. } => "delay",
            NodeKind::VoiceBus => "voices",
            NodeKind::Control => "control",
            NodeKind::Output { .. } => "output",
            NodeKind::Ugen { def, .. } => def.name,
            NodeKind::Wavetable { .. } => "wavetable",
            NodeKind::Sum { .. } => "sum",
            NodeKind::Unused => "unused",
        }
    }

    /// Input indices whose channel count the node follows (multichannel expansion): a filter on
    /// a stereo bus is a stereo filter. Parameter inputs (a cutoff signal) are always read mono.
    pub fn audio_inputs(&self) -> Vec<u8> {
        let p = |p: &Param| match p {
            Param::Input(i) => Some(*i),
            Param::Const(_) => None,
        };
        match self {
            NodeKind::Binary { a, b, .. } => [p(a), p(b)].into_iter().flatten().collect(),
            NodeKind::Sum { terms, .. } => terms.iter().filter_map(|(x, _)| p(x)).collect(),
            NodeKind::Filter { input, .. } | NodeKind::Delay { input, .. } => p(input).into_iter().collect(),
            NodeKind::Ugen { def, params } => def.args.iter().zip(params).filter(|(a, _)| a.audio).filter_map(|(_, x)| p(x)).collect(),
            _ => Vec::new(),
        }
    }

    /// Channels this kind always has, whatever its inputs: `None` means "follow the inputs".
    pub fn fixed_channels(&self) -> Option<u8> {
        match self {
            NodeKind::VoiceBus | NodeKind::Output { .. } => Some(2),
            NodeKind::Constant(_)
            | NodeKind::Osc { .. }
            | NodeKind::Noise { .. }
            | NodeKind::Control
            | NodeKind::Wavetable { .. }
            | NodeKind::Unused => Some(1),
            NodeKind::Ugen { def, .. } => match def.channels {
                crate::Channels::Mono => Some(1),
                crate::Channels::Stereo => Some(2),
                crate::Channels::Follow => None,
            },
            _ => None,
        }
    }
}

/// The node's kind and parameters.
#[derive(Component, Debug, Clone)]
pub struct Node {
    /// What it computes, with its parameters.
    pub kind: NodeKind,
    /// Index of the node in the compiled graph (stable within one scene; used for ordering).
    pub index: u32,
}

/// One edge into a node, resolved at compile time to where the source's buffer lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// The node entity the edge comes from.
    pub source: Entity,
    /// Start of the source's buffer in the arena (channel-major: `channels` runs of `block`).
    pub offset: usize,
    /// The source's channel count (1 or 2); a mono source serves every channel.
    pub channels: u8,
    /// Read the *previous block's* buffer (this edge closes a cycle): one block of delay.
    pub feedback: bool,
}

/// The node's incoming edges, in the order its [`Param::Input`] indices name them.
#[derive(Component, Debug, Clone, Default)]
pub struct Inputs(pub Vec<Input>);

/// Where the node's block buffer lives: `channels * block_len` floats at `offset` in the arena.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Start of the buffer in the arena (channel-major: `channels` runs of `block_len`).
    pub offset: usize,
    /// Output channels (1 or 2).
    pub channels: u8,
    /// Topological level: every non-feedback input is in an earlier stage.
    pub stage: u32,
    /// Position in arena order (0 = the first node's buffer): the DSP system's job index.
    pub rank: u32,
}

/// The `~name` (or output name) a node was built from: the key for keeping state across reloads.
#[derive(Component, Debug, Clone, PartialEq, Eq, Hash)]
pub struct BusName(pub String);

/// Marks a node whose buffer voices accumulate into.
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct VoiceBus;

/// Memory of one trapezoidal state-variable filter channel, with its coefficients cached for
/// the last (cutoff, q) seen, so a constant cutoff costs no `tan` per sample.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SvfState {
    /// First integrator's memory (trapezoidal, `2·v1 - ic1`).
    pub ic1: f32,
    /// Second integrator's memory (`2·v2 - ic2`).
    pub ic2: f32,
    /// Cutoff (Hz) the coefficients were computed for.
    pub last_cutoff: f32,
    /// Q the coefficients were computed for.
    pub last_q: f32,
    /// Coefficient `1 / (1 + g·(g + k))`, with `g = tan(π·cutoff / sample_rate)`; 0 until the
    /// first computation.
    pub a1: f32,
    /// Coefficient `g·a1`.
    pub a2: f32,
    /// Coefficient `g·a2`.
    pub a3: f32,
    /// Damping, `1 / q`.
    pub k: f32,
}

/// Per-kind DSP state. One enum (rather than one component per kind) so the DSP system reaches
/// every node's state in one query and can order it by arena slot without allocating.
#[derive(Component, Debug)]
pub enum DspState {
    /// The kind keeps no state (constants, arithmetic, buses, outputs…).
    None,
    /// Phase in cycles, `[0, 1)`; `f64` so long renders keep exact pitch.
    Osc {
        /// Phase in cycles.
        phase: f64,
    },
    /// A noise generator.
    Noise {
        /// The xorshift32 generator's state (0 is replaced by a fixed seed).
        state: u32,
    },
    /// A [`NodeKind::Filter`]'s memory, per channel (left, right).
    Filter([SvfState; 2]),
    /// One circular line per channel (`lines[c * len ..][..len]`), write head at `pos`.
    Delay {
        /// The lines, `channels × len` samples.
        lines: Vec<f32>,
        /// Samples per line.
        len: usize,
        /// Index of the write head in each line, `< len`.
        pos: usize,
    },
    /// A catalogue node's kernel, which keeps its own state.
    Kernel(KernelBox),
    /// A [`NodeKind::Sum`]'s sine bank: per sine its anchor phase and current lanes, and the
    /// position in the anchor period (see `phonon_systems::dsp::osc::sine_bank`).
    Bank {
        /// One per entry of the sum's `sines`, in order.
        sines: Vec<BankLanes>,
        /// Samples since the last anchor, within the anchor period.
        pos: u32,
    },
}

/// One sine of a sum's bank: the phase (turns `[0, 1)`) at the last anchor, and the cos and
/// sin of the current 64-sample segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BankLanes {
    /// Phase in turns at the last anchor.
    pub anchor: f64,
    /// `c[k]`: cosine of the phase at sample `k` of the current 64-sample segment.
    pub c: [f32; 64],
    /// `s[k]`: sine of the phase at sample `k` of the current 64-sample segment.
    pub s: [f32; 64],
}

impl Default for BankLanes {
    fn default() -> Self {
        BankLanes { anchor: 0.0, c: [0.0; 64], s: [0.0; 64] }
    }
}

/// A boxed [`crate::Kernel`] (a newtype so [`DspState`] can stay `Debug`).
pub struct KernelBox(pub Box<dyn crate::Kernel>);

impl std::fmt::Debug for KernelBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kernel")
    }
}
