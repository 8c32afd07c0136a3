//! Catalogue nodes: a DSP unit described by a static [`UgenDef`] (name, arguments, defaults,
//! channel rule, docs) and run by a boxed [`Kernel`] that keeps its own state.
//!
//! The catalogue itself (every `UgenDef`) lives with the kernels in `phonon-systems`; the language
//! looks names up there, so adding a node is one entry and one kernel, with no parser change.

/// A parameter as a kernel sees it: a number, or one channel of a signal, read per sample.
#[derive(Clone, Copy, Debug)]
pub enum P<'a> {
    /// The same value for every sample of the block.
    Const(f32),
    /// One value per sample of the block (`block` long).
    Buf(&'a [f32]),
}

impl P<'_> {
    /// The value at sample `i` of the block. Panics if a [`P::Buf`] is shorter than `i + 1`.
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
    /// Left (or mono) and right channel of the argument.
    pub ch: [P<'a>; 2],
}

impl<'a> Arg<'a> {
    /// The constant 0 on both channels (fills unused argument slots).
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
    /// Samples per second (Hz).
    pub sample_rate: f32,
    /// Samples to render this call (the block length; the last call of an offline run may be
    /// shorter).
    pub block: usize,
    /// Output channels (1 or 2): `out` is `channels × block`, channel-major.
    pub channels: usize,
}

/// A catalogue node's behaviour and state. One instance per node; `process` runs once per block.
///
/// Real-time contract: `process` must not allocate, lock, or block, and must write every sample
/// of `out` (channel-major, `cx.channels` runs of `cx.block`).
///
/// A kernel that multiplies its input (argument 0, per channel) by a gain (argument 1, mono):
///
/// ```
/// use phonon_components::{Arg, Kernel, KernelCtx, P};
///
/// struct Gain;
///
/// impl Kernel for Gain {
///     fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
///         let gain = args[1].mono();
///         for (c, out) in out.chunks_exact_mut(cx.block).enumerate() {
///             for (i, o) in out.iter_mut().enumerate() {
///                 *o = args[0].ch[c].at(i) * gain.at(i);
///             }
///         }
///     }
/// }
///
/// let input = [1.0, -0.5, 0.25];
/// let args = [Arg { ch: [P::Buf(&input); 2] }, Arg { ch: [P::Const(2.0); 2] }];
/// let mut out = [0.0; 3];
/// Gain.process(&KernelCtx { sample_rate: 48_000.0, block: 3, channels: 1 }, &args, &mut out);
/// assert_eq!(out, [2.0, -1.0, 0.5]);
/// ```
pub trait Kernel: Send + Sync + 'static {
    /// Render one block into `out` (`cx.channels × cx.block` floats, channel-major) from `args`
    /// (one per [`UgenDef::args`] entry, in that order).
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
    /// Always one channel.
    Mono,
    /// Always two channels (left, right).
    Stereo,
    /// As wide as its widest audio argument (an effect on a stereo bus is stereo).
    Follow,
}

/// One argument: its name (for `:name value`), default, unit and meaning.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArgDef {
    /// The name a musician types after `:` (`cutoff`).
    pub name: &'static str,
    /// The value when the argument is not given.
    pub default: f32,
    /// Unit for the reference (`"Hz"`, `"s"`, `"0..1"`; empty if none).
    pub unit: &'static str,
    /// What the argument does, one phrase for the reference.
    pub doc: &'static str,
    /// An audio argument: its channels decide [`Channels::Follow`] and each output channel reads
    /// its own channel. Otherwise a control, read mono.
    pub audio: bool,
}

impl ArgDef {
    /// An effect's input (argument 0 of an effect).
    pub const INPUT: ArgDef = ArgDef { name: "input", default: 0.0, unit: "", doc: "the signal to process", audio: true };

    /// A control argument: read mono (channel 0), whatever the node's width.
    pub const fn control(name: &'static str, default: f32, unit: &'static str, doc: &'static str) -> ArgDef {
        ArgDef { name, default, unit, doc, audio: false }
    }

    /// An audio argument without a unit (its channels count for [`Channels::Follow`]).
    pub const fn audio(name: &'static str, default: f32, doc: &'static str) -> ArgDef {
        ArgDef { name, default, unit: "", doc, audio: true }
    }
}

/// What a kernel's constructor is told: the engine's rate and block, the node's channels, and
/// each argument's value where it is a constant for the node's life (to size delay lines).
#[derive(Clone, Copy, Debug)]
pub struct KernelSetup<'a> {
    /// Samples per second (Hz).
    pub sample_rate: f32,
    /// The engine's block length in samples (the most [`Kernel::process`] will be asked for).
    pub block: usize,
    /// The node's output channels (1 or 2).
    pub channels: usize,
    /// Per argument: `Some(value)` if it is a constant for the node's life, `None` if a signal.
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
    /// Every argument, in positional order (at most [`MAX_ARGS`]).
    pub args: &'static [ArgDef],
    /// How the node's output channel count is decided.
    pub channels: Channels,
    /// One sentence for the reference and `phonon` errors.
    pub doc: &'static str,
    /// A `.ph` line using it (rendered by the docs test).
    pub example: &'static str,
    /// Build a node's kernel (allocating its state) when the scene is built, off the render
    /// thread.
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
