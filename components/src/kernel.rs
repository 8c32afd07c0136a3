//! Catalogue nodes: a DSP unit described by a static [`UgenDef`] (name, arguments, defaults,
//! channel rule, docs) and run by a boxed [`Kernel`] that keeps its own state.
//!
//! The catalogue itself (every `UgenDef`) lives with the kernels in `phonon-systems`; the language
//! looks names up there, so adding a node is one entry and one kernel, with no parser change.

/// A parameter as a kernel sees it: a number, or one channel of a signal, read per sample.
#[derive(Clone, Copy, Debug)]
pub enum P<'a> {
    Const(f32),
    Buf(&'a [f32]),
}

impl P<'_> {
    #[inline(always)]
    pub fn at(&self, i: usize) -> f32 {
        match self {
            P::Const(v) => *v,
            P::Buf(b) => b[i],
        }
    }

    /// The value if it is constant for the whole block.
    #[inline]
    pub fn constant(&self) -> Option<f32> {
        match self {
            P::Const(v) => Some(*v),
            P::Buf(_) => None,
        }
    }
}

/// One argument for this block, per output channel: `ch[c]` is channel `c` of the argument (a
/// mono signal or a number is the same on both). Control arguments are read from `ch[0]`.
#[derive(Clone, Copy, Debug)]
pub struct Arg<'a> {
    pub ch: [P<'a>; 2],
}

impl<'a> Arg<'a> {
    pub const ZERO: Arg<'static> = Arg { ch: [P::Const(0.0), P::Const(0.0)] };

    /// The argument as a mono control (channel 0).
    #[inline(always)]
    pub fn mono(&self) -> P<'a> {
        self.ch[0]
    }
}

/// Most arguments a catalogue node can have (its input included).
pub const MAX_ARGS: usize = 8;

/// What a kernel knows about the block it is rendering.
#[derive(Clone, Copy, Debug)]
pub struct KernelCtx {
    pub sample_rate: f32,
    pub block: usize,
    /// Output channels (1 or 2): `out` is `channels × block`, channel-major.
    pub channels: usize,
}

/// A catalogue node's behaviour and state. One instance per node; `process` runs once per block.
///
/// Real-time contract: `process` must not allocate, lock, or block, and must write every sample
/// of `out` (channel-major, `cx.channels` runs of `cx.block`).
pub trait Kernel: Send + Sync + 'static {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]);

    /// What the constructor sized from constant arguments (delay-line lengths, choice counts),
    /// as one number; 0 when nothing is. A hot reload hands a kernel's state (phases, filter
    /// memories, delay and reverb tails) to the new scene's node of the same bus, definition
    /// and channel count only if their shapes are equal too.
    fn shape(&self) -> u64 {
        0
    }
}

/// How a catalogue node's output channel count is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channels {
    Mono,
    Stereo,
    /// As wide as its widest audio argument (an effect on a stereo bus is stereo).
    Follow,
}

/// One argument: its name (for `:name value`), default, unit and meaning.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArgDef {
    pub name: &'static str,
    pub default: f32,
    pub unit: &'static str,
    pub doc: &'static str,
    /// An audio argument: its channels decide [`Channels::Follow`] and each output channel reads
    /// its own channel. Otherwise a control, read mono.
    pub audio: bool,
}

impl ArgDef {
    /// An effect's input (argument 0 of an effect).
    pub const INPUT: ArgDef = ArgDef { name: "input", default: 0.0, unit: "", doc: "the signal to process", audio: true };

    pub const fn control(name: &'static str, default: f32, unit: &'static str, doc: &'static str) -> ArgDef {
        ArgDef { name, default, unit, doc, audio: false }
    }

    pub const fn audio(name: &'static str, default: f32, doc: &'static str) -> ArgDef {
        ArgDef { name, default, unit: "", doc, audio: true }
    }
}

/// What a kernel's constructor is told: the engine's rate and block, the node's channels, and
/// each argument's value where it is a constant for the node's life (to size delay lines).
#[derive(Clone, Copy, Debug)]
pub struct KernelSetup<'a> {
    pub sample_rate: f32,
    pub block: usize,
    pub channels: usize,
    pub consts: &'a [Option<f32>],
}

impl KernelSetup<'_> {
    /// Argument `i` if it is a constant.
    pub fn constant(&self, i: usize) -> Option<f32> {
        self.consts.get(i).copied().flatten()
    }
}

/// A catalogue entry.
#[derive(Clone, Copy)]
pub struct UgenDef {
    /// What a musician types: `moog`, `reverb`, `pulse`.
    pub name: &'static str,
    /// Section of the reference: "oscillators", "filters", …
    pub family: &'static str,
    /// An effect: argument 0 is [`ArgDef::INPUT`], given by `#` (`saw 55 # moog 800 0.5`).
    pub effect: bool,
    pub args: &'static [ArgDef],
    pub channels: Channels,
    /// One sentence for the reference and `phonon` errors.
    pub doc: &'static str,
    /// A `.ph` line using it (rendered by the docs test).
    pub example: &'static str,
    pub make: fn(&KernelSetup<'_>) -> Box<dyn Kernel>,
}

impl UgenDef {
    /// `moog CUTOFF [RES]`: the usage line for errors (the input of an effect is not typed).
    pub fn usage(&self) -> String {
        let mut s = self.name.to_string();
        for a in self.typed_args() {
            s.push_str(&format!(" [{}]", a.name.to_uppercase()));
        }
        s
    }

    /// The arguments a musician types (an effect's input comes from `#`).
    pub fn typed_args(&self) -> &'static [ArgDef] {
        if self.effect { &self.args[1..] } else { self.args }
    }
}

impl std::fmt::Debug for UgenDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UgenDef({})", self.name)
    }
}

impl PartialEq for UgenDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
