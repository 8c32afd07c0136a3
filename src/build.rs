//! Scene → graph: flatten expressions into nodes, resolve `Bus` references (any order, cycles
//! allowed), and turn tone lists into event sources.

use crate::error::{Error, did_you_mean};
use crate::lang::eval::{EResult, Env, EvalError, Val as LVal};
use crate::pattern::{Pattern, Value};
use crate::scene::{Expr, Scene, Tones};
use phonon_components::{BinaryOp, ControlSource, EventSource, FilterMode, Instrument, NodeKind, OscShape, Param, Rational, Trigger};
use phonon_components::{DrumKind, DrumParams, MAX_VOICE_OPS, SampleBank, SampleData, VArg, VOp, VoiceProgram, VoicePrograms};
use phonon_systems::{ControlSpec, NodeSpec, SourceSpec};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A graph ready for `phonon_systems::build_world`.
pub struct Graph {
    /// Every node, inputs by index.
    pub nodes: Vec<NodeSpec>,
    /// Output nodes in mixing order (`out`, then `o1`/`d1`, `o2`/`d2`, …).
    pub outputs: Vec<usize>,
    /// The pattern event sources and the voice buses they feed.
    pub sources: Vec<SourceSpec>,
    /// Patterns used as control signals and the control nodes they fill.
    pub controls: Vec<ControlSpec>,
    /// The tempo in cycles per second, exact.
    pub cps: Rational,
    /// Every sample the scene's patterns were found to use.
    pub bank: SampleBank,
    /// Every voice program (instrument bus) the scene's patterns play.
    pub programs: VoicePrograms,
    /// The scene's `cF` controls: name, control node, default value.
    pub externals: Vec<(String, usize, f32)>,
}

/// Where samples come from (the sample library; tests use their own).
pub trait SampleSource {
    /// How many files sound `name` has (0: unknown).
    fn count(&self, name: &str) -> usize;
    /// File `index` of sound `name` at `sample_rate`.
    fn load(&self, name: &str, index: i64, sample_rate: u32) -> Option<Arc<SampleData>>;
    /// The sound names known, for error messages (none by default).
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// No samples at all.
pub struct NoSamples;
impl SampleSource for NoSamples {
    fn count(&self, _: &str) -> usize {
        0
    }
    fn load(&self, _: &str, _: i64, _: u32) -> Option<Arc<SampleData>> {
        None
    }
}

/// What an expression evaluates to while building.
#[derive(Debug, Clone)]
enum Val {
    Const(f32),
    Node(usize),
    Bus(String),
}

enum Ref {
    Node(usize),
    Bus(String),
}

/// Resolves `~name` inside pattern text to the pattern of that bus.
struct SceneEnv<'s> {
    scene: &'s Scene,
    file: &'s str,
    stack: std::cell::RefCell<Vec<String>>,
}

impl Env for SceneEnv<'_> {
    fn bus(&self, name: &str, pos: usize) -> EResult<LVal> {
        let Some(e) = self.scene.buses.get(name) else {
            let hint = did_you_mean(name, self.scene.buses.keys().map(|k| k.as_str()));
            return Err(EvalError { pos, msg: format!("unknown bus '~{name}'{hint}") });
        };
        let Expr::Pattern(text) = e else {
            return Err(EvalError { pos, msg: format!("'~{name}' is a signal, not a pattern: a pattern can only use pattern buses") });
        };
        if self.stack.borrow().iter().any(|n| n == name) {
            return Err(EvalError { pos, msg: format!("pattern bus '~{name}' is defined in terms of itself") });
        }
        self.stack.borrow_mut().push(name.to_string());
        let r = crate::lang::eval_pattern_in(text, &format!("{} (bus '~{name}')", self.file), self);
        self.stack.borrow_mut().pop();
        r.map(LVal::Pat).map_err(|e| EvalError { pos, msg: e.to_string() })
    }
}

/// The most cycle fragments (65 536) one query of a scene's event pattern may make (a query
/// spans 1/16 to 1 cycle): see [`Pattern::query_bounded`]. Music stays well below: the
/// heaviest benchmark, 4 096 looping voices in one `stack` (`assets/bench/voices4k.ph`),
/// makes about 20 000; `fast 8 $ s "hh*64"` about 1 500 a cycle; `s "pad/1000" # gain 0.5`
/// 1 000 (the right side of `#` is queried over the whole 1000-cycle event, as in Tidal). A
/// query that needs more is an event flood (`fast 1e8 $ s "bd"`): it is cut short, with one
/// warning per pattern, and plays only its earliest events; a flood's query costs 0.05 to
/// 0.3 s (once per span of the lookahead's queries, 1/16 to 1 cycle).
pub const MAX_QUERY_FRAGMENTS: usize = 1 << 16;

/// The most cycle fragments one query of a control pattern may make. Controls are queried
/// once per window (about a block, at most 1/8 cycle), so the bound is per window: a control
/// that changes more than a few thousand times in a block is a flood (`lpf (fast 1e8 "300
/// 400")`), cut short with one warning.
pub const MAX_CONTROL_FRAGMENTS: usize = 1 << 12;

/// Warn, once per source, that its query was cut short by [`MAX_QUERY_FRAGMENTS`] (or
/// [`MAX_CONTROL_FRAGMENTS`]).
fn warn_truncated(warned: &mut bool, place: &str, what: &str, begin: Rational) {
    if !std::mem::replace(warned, true) {
        tracing::warn!(
            "{place}: {what} makes more cycle fragments than a query may (at cycle {begin}): an event flood, cut short (only its earliest events play)"
        );
    }
}

/// A pattern of numbers as a stepped control signal: a [`ControlSource`].
pub struct PatternControl {
    pat: Pattern<f64>,
    /// `"song.ph: output 'out'"`, for warnings.
    place: String,
    warned: bool,
}

impl ControlSource for PatternControl {
    fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<(Rational, f32)>) {
        let (mut haps, truncated) = self.pat.query_bounded(crate::pattern::Span::new(begin, end), MAX_CONTROL_FRAGMENTS);
        if truncated {
            warn_truncated(&mut self.warned, &self.place, "a control pattern", begin);
        }
        haps.sort_by_key(|h| h.part.begin);
        for h in haps {
            // an onset, an analog sample, or the value already sounding at the block start
            if h.whole.is_none() || h.has_onset() || h.part.begin == begin {
                out.push((h.part.begin, h.value as f32));
            }
        }
    }
}

/// A pattern of control maps played as voices: an [`EventSource`]. Each event with `s` starts
/// one voice: a sample (`s "bd:3"`, `# n 3`), pitched by `note` (speed × 2^(note/12)) and
/// `speed`, shaped by `gain`, `pan` (0..1), `begin`, `end`, `legato`, `sustain`, `attack`,
/// `release`. `s "superkick"` (`supersnare`, `superhat`, `superclap`) plays a drum synth when no
/// sample folder has that name, transposed by `n` + `note` semitones and shaped by `sustain`,
/// `decay`, `voice`, `pitch1`, `semitone`, `rq`, `delay`, `rate`, `accelerate`
/// ([`DrumParams`]).
pub struct PatternSource {
    pat: Pattern<Value>,
    /// Sound name → the bank handle of each of its files, in order (`None`: a file that did
    /// not load, silent).
    sounds: HashMap<String, Vec<Option<u32>>>,
    /// Bus instruments: `~x` → its oscillator voice.
    synths: HashMap<String, SynthDef>,
    /// A voice template that plays every event itself (`sine # note "c e g"`).
    direct: Option<SynthDef>,
    cps: f64,
    /// `"song.ph: output 'out'"`, for warnings.
    place: String,
    /// Whether the flood warning was given.
    warned: bool,
    /// Whether an event with a control out of range was reported.
    warned_value: bool,
}

/// The first of a trigger's numbers that is not finite (a control such as `gain 1e308` or
/// `note 1e308`, past `f32`'s range), by control name, if any.
fn not_finite(t: &Trigger) -> Option<(&'static str, f32)> {
    let d = &t.drum;
    let fields = [
        ("frequency (note, n)", t.freq),
        ("gain", t.gain),
        ("pan", t.pan),
        ("attack", t.attack),
        ("release", t.release),
        ("speed (speed, note)", t.speed),
        ("begin", t.begin),
        ("end", t.end),
        ("sustain (sustain, legato)", t.sustain.unwrap_or(0.0)),
        ("decay", t.decay),
        ("sustainlevel", t.sustain_level),
        ("accelerate", t.accelerate),
        ("crush", t.crush),
        ("shape", t.shape),
        ("drum frequency (note, n)", d.freq),
        ("drum sustain", d.sustain),
        ("drum decay", d.decay),
        ("voice", d.voice),
        ("pitch1", d.pitch1),
        ("semitone", d.semitone),
        ("rq", d.rq),
        ("delay", d.delay),
        ("rate", d.rate),
    ];
    fields.into_iter().find(|(_, v)| !v.is_finite())
}

/// A voice instrument: its program (index into the scene's [`VoicePrograms`]) and the
/// controls its bus adds (`~x: saw # gain 0.3`).
#[derive(Clone)]
pub struct SynthDef {
    /// Index into the scene's voice programs.
    pub program: u32,
    /// The control patterns chained onto it, merged into every event it plays.
    pub controls: Option<Pattern<Value>>,
}

/// Compile a voice template's signal into a voice program.
pub fn voice_program(body: &Expr) -> Result<VoiceProgram, String> {
    let mut ops = Vec::new();
    let out = voice_op(body, &mut ops)?;
    if !matches!(out, VArg::Reg(r) if r as usize + 1 == ops.len()) {
        // a constant (or the bare frequency) as the sound: one operation that passes it on
        ops.push(VOp::Binary { op: BinaryOp::Add, a: out, b: VArg::Const(0.0) });
    }
    if ops.len() > MAX_VOICE_OPS {
        return Err(format!("a voice template may have at most {MAX_VOICE_OPS} operations; this one has {}", ops.len()));
    }
    Ok(VoiceProgram { ops })
}

fn voice_op(e: &Expr, ops: &mut Vec<VOp>) -> Result<VArg, String> {
    let push = |ops: &mut Vec<VOp>, op: VOp| {
        ops.push(op);
        VArg::Reg((ops.len() - 1).min(u8::MAX as usize) as u8)
    };
    let osc = |shape: OscShape, f: &Expr, ops: &mut Vec<VOp>| -> Result<VOp, String> { Ok(VOp::Osc { shape, freq: voice_op(f, ops)? }) };
    Ok(match e {
        Expr::Num(x) if x.is_finite() && x.abs() <= f32::MAX as f64 => VArg::Const(*x as f32),
        Expr::Num(x) if x.is_finite() => return Err(format!("{} is too large for a signal (at most ±{:e})", num_text(*x), f32::MAX)),
        Expr::Num(x) => return Err(format!("{} is not a finite number", num_text(*x))),
        Expr::Freq => VArg::Freq,
        Expr::Sine(f) => {
            let op = osc(OscShape::Sine, f, ops)?;
            push(ops, op)
        }
        Expr::Saw(f) => {
            let op = osc(OscShape::Saw, f, ops)?;
            push(ops, op)
        }
        Expr::Square(f) => {
            let op = osc(OscShape::Square, f, ops)?;
            push(ops, op)
        }
        Expr::Tri(f) => {
            let op = osc(OscShape::Tri, f, ops)?;
            push(ops, op)
        }
        Expr::Impulse(f) => {
            let op = osc(OscShape::Impulse, f, ops)?;
            push(ops, op)
        }
        Expr::Noise => {
            let seed = ops.len() as u32 + 1;
            push(ops, VOp::Noise { seed })
        }
        Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) => {
            let op = match e {
                Expr::Add(..) => BinaryOp::Add,
                Expr::Sub(..) => BinaryOp::Sub,
                Expr::Mul(..) => BinaryOp::Mul,
                _ => BinaryOp::Div,
            };
            let (a, b) = (voice_op(a, ops)?, voice_op(b, ops)?);
            if let (VArg::Const(x), VArg::Const(y)) = (a, b) {
                let v = op.apply(x, y);
                if !v.is_finite() {
                    return Err(format!(
                        "{} {} {} overflows: a signal is at most ±{:e}",
                        num_text(x),
                        op_symbol(op),
                        num_text(y),
                        f32::MAX
                    ));
                }
                return Ok(VArg::Const(v));
            }
            push(ops, VOp::Binary { op, a, b })
        }
        Expr::Lpf(i, c, q) | Expr::Hpf(i, c, q) | Expr::Bpf(i, c, q) => {
            let mode = match e {
                Expr::Lpf(..) => FilterMode::Lowpass,
                Expr::Hpf(..) => FilterMode::Highpass,
                _ => FilterMode::Bandpass,
            };
            let input = match voice_op(i, ops)? {
                VArg::Reg(r) => r,
                other => match push(ops, VOp::Binary { op: BinaryOp::Add, a: other, b: VArg::Const(0.0) }) {
                    VArg::Reg(r) => r,
                    _ => unreachable!("push returns a register"),
                },
            };
            let (cutoff, q) = (voice_op(c, ops)?, voice_op(q, ops)?);
            if let VArg::Const(qv) = q
                && qv <= 0.0
            {
                return Err(format!("filter q must be above 0, got {}", num_text(qv)));
            }
            push(ops, VOp::Filter { mode, input, cutoff, q })
        }
        _ => {
            return Err(
                "inside a voice template only oscillators, noise, + - * / and lpf/hpf/bpf work: put other effects after the pattern that plays it"
                    .into(),
            );
        }
    })
}

/// A number for a message: as written when ordinary, in scientific notation when huge or tiny
/// (`1e308`, not 309 digits).
fn num_text<X: Into<f64> + Copy + std::fmt::Display + std::fmt::LowerExp>(x: X) -> String {
    let v: f64 = x.into();
    if v.is_finite() && v != 0.0 && !(1e-6..1e9).contains(&v.abs()) { format!("{x:e}") } else { format!("{x}") }
}

/// The operator as written: `+ - * /`.
fn op_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        _ => "/",
    }
}

/// Midi note 60 (Tidal's note 0, `c5`) in Hz.
const C5: f64 = 261.625_565_300_598_6;

impl PatternSource {
    fn trigger(&self, event: &crate::pattern::ControlMap, onset: Rational, duration: Rational) -> Option<Trigger> {
        let synth = match &self.direct {
            Some(def) => Some(def),
            None => match event.get("s")?.as_str()? {
                name if name.starts_with('~') => Some(self.synths.get(&name[1..])?),
                _ => None,
            },
        };
        // A bus instrument's own controls fill in what the event does not say, its gain
        // multiplying the event's, once: the first value of each control sounding at the
        // onset (a chord in the instrument's controls does not multiply the event). A direct
        // template's events are its own controls already: nothing to add.
        let mut merged;
        let m = match synth.filter(|_| self.direct.is_none()).and_then(|d| d.controls.as_ref()) {
            Some(c) => {
                merged = event.clone();
                let mut seen: Vec<&str> = Vec::new();
                // bounded: a runaway in the instrument's controls costs a bounded query
                let (haps, _) = c.query_bounded(crate::pattern::Span::new(onset, onset), MAX_QUERY_FRAGMENTS);
                for h in &haps {
                    let Some(tm) = h.value.as_map() else { continue };
                    for (k, v) in tm.iter() {
                        if seen.contains(&k.as_ref()) {
                            continue;
                        }
                        seen.push(k.as_ref());
                        if k.as_ref() == "gain" {
                            let g = merged.get("gain").and_then(|g| g.as_num()).unwrap_or(1.0) * v.as_num().unwrap_or(1.0);
                            merged.insert(k.clone(), Value::Num(g));
                        } else {
                            merged.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
                &merged
            }
            None => event,
        };
        let num = |k: &str| m.get(k).and_then(|v| v.as_num());
        let note = num("note").unwrap_or(0.0);
        let secs = duration.to_f64() / self.cps;
        let sustain = num("sustain")
            .or_else(|| num("legato").map(|l| l * secs))
            .or_else(|| num("hold").map(|h| h + num("attack").unwrap_or(0.0)))
            .map(|s| s as f32);
        let mut t = Trigger {
            onset,
            duration,
            instrument: Instrument::Tone,
            freq: 0.0,
            gain: num("gain").unwrap_or(1.0) as f32,
            pan: (num("pan").unwrap_or(0.5) * 2.0 - 1.0) as f32,
            attack: num("attack").unwrap_or(0.0) as f32,
            release: num("release").unwrap_or(0.005) as f32,
            speed: 1.0,
            begin: num("begin").unwrap_or(0.0) as f32,
            end: num("end").unwrap_or(1.0) as f32,
            sustain,
            decay: num("decay").unwrap_or(0.0) as f32,
            sustain_level: num("sustainlevel").unwrap_or(1.0) as f32,
            cut: num("cut").unwrap_or(0.0) as i32,
            loops: num("loop").map_or(1, |n| n.clamp(1.0, 1000.0) as u32),
            accelerate: num("accelerate").unwrap_or(0.0) as f32,
            crush: num("crush").unwrap_or(0.0) as f32,
            coarse: num("coarse").unwrap_or(0.0).max(0.0) as u32,
            shape: num("shape").unwrap_or(0.0) as f32,
            per_cycle: m.get("unit").and_then(|u| u.as_str()) == Some("c"),
            drum: DrumParams::default(),
        };
        match synth {
            Some(def) => {
                // synths: n and note both transpose; c5 (0) is midi 60
                let semis = note + num("n").unwrap_or(0.0);
                t.instrument = Instrument::Program(def.program);
                t.freq = (C5 * 2f64.powf(semis / 12.0)) as f32;
                t.attack = num("attack").unwrap_or(0.002) as f32;
                t.release = num("release").unwrap_or(0.02) as f32;
            }
            None => {
                let name = m.get("s")?.as_str()?;
                // a sample folder wins over a drum synth of the same name
                match (self.sounds.get(name).filter(|h| !h.is_empty()), DrumKind::from_name(name)) {
                    (Some(handles), _) => {
                        let index = num("n").unwrap_or(0.0).floor() as i64;
                        // a file that did not load (corrupt) stays silent
                        t.instrument = Instrument::Sample(handles[index.rem_euclid(handles.len() as i64) as usize]?);
                        t.speed = (num("speed").unwrap_or(1.0) * 2f64.powf(note / 12.0)) as f32;
                    }
                    (None, Some(kind)) => {
                        // drums: n and note both transpose, in semitones
                        let semis = note + num("n").unwrap_or(0.0);
                        let d = DrumParams::defaults(kind);
                        let get = |k: &str, default: f32| num(k).map_or(default, |v| v as f32);
                        t.instrument = Instrument::Drum(kind);
                        t.drum = DrumParams {
                            freq: (d.freq as f64 * 2f64.powf(semis / 12.0)) as f32,
                            sustain: t.sustain.unwrap_or(d.sustain),
                            decay: get("decay", d.decay),
                            voice: get("voice", d.voice),
                            pitch1: get("pitch1", d.pitch1),
                            semitone: get("semitone", d.semitone),
                            rq: get("rq", d.rq),
                            delay: get("delay", d.delay),
                            rate: get("rate", d.rate),
                            accelerate: t.accelerate,
                        };
                    }
                    (None, None) => return None,
                }
            }
        }
        Some(t)
    }
}

impl EventSource for PatternSource {
    fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<Trigger>) {
        let (haps, truncated) = self.pat.query_bounded(crate::pattern::Span::new(begin, end), MAX_QUERY_FRAGMENTS);
        if truncated {
            warn_truncated(&mut self.warned, &self.place, "a pattern", begin);
        }
        for h in haps {
            let Some(whole) = h.whole else { continue };
            if !h.has_onset() || whole.begin < begin || whole.begin >= end {
                continue;
            }
            if let Some(m) = h.value.as_map()
                && let Some(t) = self.trigger(m, whole.begin, whole.end - whole.begin)
            {
                match not_finite(&t) {
                    None => out.push(t),
                    Some((name, v)) => {
                        if !std::mem::replace(&mut self.warned_value, true) {
                            tracing::warn!(
                                "{}: an event at cycle {} has {name} = {v} (out of range): it is skipped, and any others like it",
                                self.place,
                                whole.begin
                            );
                        }
                    }
                }
            }
        }
    }
}

struct Builder<'s> {
    samples: &'s dyn SampleSource,
    sample_rate: u32,
    bank: SampleBank,
    /// Sound name → handles of its files, in order (`None`: a file that did not load).
    sounds: HashMap<String, Vec<Option<u32>>>,
    scene: &'s Scene,
    file: &'s str,
    nodes: Vec<NodeSpec>,
    /// Unresolved inputs, per node.
    refs: Vec<Vec<Ref>>,
    sources: Vec<SourceSpec>,
    controls: Vec<ControlSpec>,
    externals: Vec<(String, usize, f32)>,
    /// Inputs of the effect chains being instantiated (innermost last).
    inputs: Vec<Val>,
    /// Chain buses being instantiated (to refuse a chain that applies itself).
    applying: Vec<String>,
    programs: Vec<VoiceProgram>,
    /// Instrument buses compiled so far, by name.
    synth_cache: HashMap<String, SynthDef>,
}

/// How many cycles of a pattern the builder looks at for the sound names it uses (their
/// samples are loaded when the scene is built; a name first used later is silent).
pub const PROBE_CYCLES: i64 = 64;

/// What [`Builder::probe`] found.
struct Probe {
    /// Control maps with `s` in the first [`PROBE_CYCLES`] cycles: the pattern plays voices.
    sound: bool,
    /// Control maps of any kind there (not a pattern of numbers).
    maps: bool,
    /// The sound names (not `~bus` instruments) used in the first [`PROBE_CYCLES`] cycles.
    names: Vec<String>,
}

/// Output names in mixing order: `out` = 0, `oN`/`dN` = N.
pub fn output_index(name: &str) -> Option<u32> {
    if name == "out" {
        return Some(0);
    }
    let n = name.strip_prefix('o').or_else(|| name.strip_prefix('d'))?;
    match n.parse::<u32>() {
        Ok(i) if (1..=16).contains(&i) && !n.starts_with('0') => Some(i),
        _ => None,
    }
}

impl<'s> Builder<'s> {
    fn err(&self, ctx: &str, msg: String) -> Error {
        Error::Scene { file: self.file.to_string(), msg: format!("in {ctx}: {msg}") }
    }

    fn push(&mut self, kind: NodeKind, refs: Vec<Ref>) -> usize {
        self.nodes.push(NodeSpec { kind, inputs: Vec::new(), name: None });
        self.refs.push(refs);
        self.nodes.len() - 1
    }

    /// Turn a value into a parameter of a node being built, adding an input if needed.
    fn param(v: Val, refs: &mut Vec<Ref>) -> Param {
        match v {
            Val::Const(c) => Param::Const(c),
            Val::Node(n) => {
                refs.push(Ref::Node(n));
                Param::Input((refs.len() - 1) as u8)
            }
            Val::Bus(b) => {
                refs.push(Ref::Bus(b));
                Param::Input((refs.len() - 1) as u8)
            }
        }
    }

    /// A number as a signal constant: signals are `f32`, so it must be finite and within
    /// ±3.4e38.
    fn num(&self, x: f64, ctx: &str) -> Result<Val, Error> {
        if !x.is_finite() {
            Err(self.err(ctx, format!("{} is not a finite number", num_text(x))))
        } else if x.abs() > f32::MAX as f64 {
            Err(self.err(ctx, format!("{} is too large for a signal (at most ±{:e})", num_text(x), f32::MAX)))
        } else {
            Ok(Val::Const(x as f32))
        }
    }

    fn expr(&mut self, e: &Expr, ctx: &str) -> Result<Val, Error> {
        Ok(match e {
            Expr::Num(x) => self.num(*x, ctx)?,
            Expr::Bus(name) => {
                let name = name.strip_prefix('~').unwrap_or(name);
                let Some(def) = self.scene.buses.get(name) else {
                    let hint = did_you_mean(name, self.scene.buses.keys().map(|k| k.as_str()));
                    return Err(self.err(ctx, format!("unknown bus '~{name}'{hint}")));
                };
                if def.uses_input() {
                    return Err(self.err(ctx, format!("'~{name}' is an effect chain: apply it to a signal with '# ~{name}'")));
                }
                if let Expr::Synth(..) = def {
                    // a voice template played where it is used
                    return self.expr(def, &format!("voice template '~{name}'"));
                }
                Val::Bus(name.to_string())
            }
            Expr::Freq => return Err(self.err(ctx, "a note frequency (an oscillator without one) belongs in a voice template".into())),
            Expr::Input => match self.inputs.last() {
                Some(v) => v.clone(),
                None => return Err(self.err(ctx, "an effect chain's input is used outside a chain".into())),
            },
            Expr::Apply(input, fx) => {
                let fx = fx.strip_prefix('~').unwrap_or(fx);
                let Some(def) = self.scene.buses.get(fx) else {
                    let hint = did_you_mean(fx, self.scene.buses.keys().map(|k| k.as_str()));
                    return Err(self.err(ctx, format!("unknown bus '~{fx}'{hint}")));
                };
                if !def.uses_input() {
                    return Err(
                        self.err(ctx, format!("'~{fx}' is a signal, not an effect chain: '# ~{fx}' needs a bus like '~{fx}: lpf 800 0.7'"))
                    );
                }
                if self.applying.iter().any(|n| n == fx) || self.applying.len() > 64 {
                    return Err(self.err(ctx, format!("effect chain '~{fx}' applies itself")));
                }
                let v = self.expr(input, ctx)?;
                self.inputs.push(v);
                self.applying.push(fx.to_string());
                let out = self.expr(def, &format!("effect chain '~{fx}'"));
                self.applying.pop();
                self.inputs.pop();
                out?
            }
            Expr::Sine(f) => self.osc(OscShape::Sine, f, ctx)?,
            Expr::Saw(f) => self.osc(OscShape::Saw, f, ctx)?,
            Expr::Square(f) => self.osc(OscShape::Square, f, ctx)?,
            Expr::Tri(f) => self.osc(OscShape::Tri, f, ctx)?,
            Expr::Impulse(f) => self.osc(OscShape::Impulse, f, ctx)?,
            Expr::Noise => {
                let seed = self.nodes.len() as u32 + 1;
                Val::Node(self.push(NodeKind::Noise { seed }, vec![]))
            }
            Expr::Add(a, b) => self.binary(BinaryOp::Add, a, b, ctx)?,
            Expr::Sub(a, b) => self.binary(BinaryOp::Sub, a, b, ctx)?,
            Expr::Mul(a, b) => self.binary(BinaryOp::Mul, a, b, ctx)?,
            Expr::Div(a, b) => self.binary(BinaryOp::Div, a, b, ctx)?,
            Expr::Lpf(i, c, q) => self.filter(FilterMode::Lowpass, i, c, q, ctx)?,
            Expr::Hpf(i, c, q) => self.filter(FilterMode::Highpass, i, c, q, ctx)?,
            Expr::Bpf(i, c, q) => self.filter(FilterMode::Bandpass, i, c, q, ctx)?,
            Expr::Delay(i, t, fb, mix) => {
                let max_time = match **t {
                    Expr::Num(x) if x.is_finite() && (0.0..=60.0).contains(&x) => x as f32,
                    Expr::Num(x) => return Err(self.err(ctx, format!("delay time {} s is outside 0..60 s", num_text(x)))),
                    _ => 4.0,
                };
                let mut refs = Vec::new();
                let input = self.expr(i, ctx)?;
                let time = self.expr(t, ctx)?;
                let feedback = self.expr(fb, ctx)?;
                let mix = self.expr(mix, ctx)?;
                let kind = NodeKind::Delay {
                    input: Self::param(input, &mut refs),
                    time: Self::param(time, &mut refs),
                    feedback: Self::param(feedback, &mut refs),
                    mix: Self::param(mix, &mut refs),
                    max_time,
                };
                Val::Node(self.push(kind, refs))
            }
            Expr::Pattern(text) => {
                let pat = crate::lang::eval_pattern_in(text, &format!("{} ({ctx}, pattern)", self.file), &self.env())?;
                let probe = self.probe(&pat, ctx)?;
                if probe.sound {
                    self.load_sounds(&probe.names, ctx);
                    let bus = self.push(NodeKind::VoiceBus, vec![]);
                    let synths = self.synths()?;
                    let source = PatternSource {
                        pat,
                        sounds: self.sounds.clone(),
                        synths,
                        direct: None,
                        cps: self.scene.cps,
                        place: format!("{}: {ctx}", self.file),
                        warned: false,
                        warned_value: false,
                    };
                    self.sources.push(SourceSpec { source: Box::new(source), target: bus });
                    return Ok(Val::Node(bus));
                }
                if probe.maps {
                    return Err(self.err(
                        ctx,
                        format!(
                            "the pattern {text} makes control maps (s, n, …), not numbers; as a signal it needs numbers like \"<300 2000>\""
                        ),
                    ));
                }
                let pat = pat.filter_values(|v| v.as_num().is_some()).fmap(|v| v.as_num().unwrap_or(0.0));
                let zero = crate::pattern::Span::new(Rational::ZERO, Rational::ZERO);
                let (first, _) = crate::query::guarded_query_bounded(&pat, zero).map_err(|e| self.err(ctx, e.to_string()))?;
                let initial = first.first().map_or(0.0, |h| h.value as f32);
                let node = self.push(NodeKind::Control, vec![]);
                self.controls.push(ControlSpec {
                    source: Box::new(PatternControl { pat, place: format!("{}: {ctx}", self.file), warned: false }),
                    target: node,
                    initial,
                });
                Val::Node(node)
            }
            Expr::Synth(body, controls) => {
                // a voice template played by its own controls: `sine # note "c e g"`
                let def = self.synth_def(body, controls, ctx)?;
                let Some(pat) = def.controls.clone() else {
                    return Err(self.err(ctx, "an oscillator without a frequency is a voice template: give it notes (`saw # note \"c e g\"`) or play it from a pattern (`s \"~name\"`)".into()));
                };
                let bus = self.push(NodeKind::VoiceBus, vec![]);
                let source = PatternSource {
                    pat,
                    sounds: HashMap::new(),
                    synths: HashMap::new(),
                    direct: Some(def),
                    cps: self.scene.cps,
                    place: format!("{}: {ctx}", self.file),
                    warned: false,
                    warned_value: false,
                };
                self.sources.push(SourceSpec { source: Box::new(source), target: bus });
                Val::Node(bus)
            }
            Expr::Node(name, args) => {
                let Some(def) = phonon_systems::dsp::catalogue::find(name) else {
                    let hint = did_you_mean(name, phonon_systems::dsp::catalogue::all().map(|d| d.name));
                    return Err(self.err(ctx, format!("unknown node '{name}'{hint}")));
                };
                if args.len() > def.args.len() {
                    return Err(self.err(ctx, format!("'{name}' takes at most {} arguments, got {}", def.args.len(), args.len())));
                }
                let mut refs = Vec::new();
                let mut params = Vec::with_capacity(def.args.len());
                for (i, a) in def.args.iter().enumerate() {
                    let v = match args.get(i) {
                        Some(e) => self.expr(e, ctx)?,
                        None => Val::Const(a.default),
                    };
                    params.push(Self::param(v, &mut refs));
                }
                Val::Node(self.push(NodeKind::Ugen { def, params }, refs))
            }
            Expr::Wavetable(sample, f, pos) => {
                let table = self.wavetable(sample, ctx)?;
                let (f, pos) = (self.expr(f, ctx)?, self.expr(pos, ctx)?);
                let mut refs = Vec::new();
                let (freq, position) = (Self::param(f, &mut refs), Self::param(pos, &mut refs));
                Val::Node(self.push(NodeKind::Wavetable { table, freq, position }, refs))
            }
            Expr::External(name, default) => {
                let default = match self.num(*default, ctx)? {
                    Val::Const(c) => c,
                    _ => 0.0,
                };
                let node = self.push(NodeKind::Control, vec![]);
                self.externals.push((name.clone(), node, default));
                Val::Node(node)
            }
            Expr::Tones(t) => {
                let source = ToneSequence::new(t, ctx).map_err(|m| self.err(ctx, m))?;
                let bus = self.push(NodeKind::VoiceBus, vec![]);
                self.sources.push(SourceSpec { source: Box::new(source), target: bus });
                Val::Node(bus)
            }
        })
    }

    fn env(&self) -> SceneEnv<'s> {
        SceneEnv { scene: self.scene, file: self.file, stack: Default::default() }
    }

    /// Every bus that is a voice template (`~x: saw # gain 0.3`), by name.
    fn synths(&mut self) -> Result<HashMap<String, SynthDef>, Error> {
        let scene = self.scene;
        for (name, e) in &scene.buses {
            if let Expr::Synth(body, controls) = e
                && !self.synth_cache.contains_key(name)
            {
                let def = self.synth_def(body, controls, &format!("bus '~{name}'"))?;
                self.synth_cache.insert(name.clone(), def);
            }
        }
        Ok(self.synth_cache.clone())
    }

    fn synth_def(&mut self, body: &Expr, controls: &[String], ctx: &str) -> Result<SynthDef, Error> {
        let program = voice_program(body).map_err(|m| self.err(ctx, m))?;
        self.programs.push(program);
        let program = (self.programs.len() - 1) as u32;
        let controls = if controls.is_empty() {
            None
        } else {
            let text = controls.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(" # ");
            Some(crate::lang::eval_pattern_in(&text, &format!("{} ({ctx}, controls)", self.file), &self.env())?)
        };
        Ok(SynthDef { program, controls })
    }

    /// What a pattern is: a sound if its first [`PROBE_CYCLES`] cycles have control maps with
    /// `s` (so `s "<bd!8 ~!8>"`'s silent cycles count too), and the sound names it uses there.
    ///
    /// Each query is bounded by [`crate::query::MAX_PROBE_FRAGMENTS`]. The probe asks
    /// `[0, 64)`; if that is cut short (a dense pattern, or a flood), `[0, 4)`, `[4, 8)`,
    /// `[8, 16)`, `[16, 32)`, `[32, 64)`, each with its own bound, and stops at the first of
    /// these cut short (an event flood: one warning, and the names found so far). So music
    /// costs one query, a flood two bounded ones, and a dense pattern still has its names found
    /// up to cycle 64.
    fn probe(&self, pat: &Pattern<Value>, ctx: &str) -> Result<Probe, Error> {
        let mut probe = Probe { sound: false, maps: false, names: Vec::new() };
        let mut spans = vec![(0, PROBE_CYCLES)];
        while let Some((from, to)) = spans.pop() {
            let span = crate::pattern::Span::new(Rational::integer(from), Rational::integer(to));
            let (haps, truncated) = crate::query::guarded_query_bounded(pat, span).map_err(|e| self.err(ctx, e.to_string()))?;
            for h in &haps {
                let Some(m) = h.value.as_map() else { continue };
                probe.maps = true;
                if let Some(s) = m.get("s") {
                    probe.sound = true;
                    if let Some(name) = s.as_str().filter(|n| !n.starts_with('~'))
                        && !probe.names.iter().any(|n| n == name)
                    {
                        probe.names.push(name.to_string());
                    }
                }
            }
            if truncated && (from, to) == (0, PROBE_CYCLES) {
                // dense, or a flood: the same cycles again in pieces, each with its own bound
                spans = vec![(32, PROBE_CYCLES), (16, 32), (8, 16), (4, 8), (0, 4)];
                continue;
            }
            if truncated {
                tracing::warn!(
                    "{}: {ctx}: the pattern makes more than {} cycle fragments in cycles {from}..{to}: an event flood; only the sounds of its earliest events are loaded",
                    self.file,
                    crate::query::MAX_PROBE_FRAGMENTS
                );
                break;
            }
        }
        Ok(probe)
    }

    /// Load every file of every sound in `names` not loaded yet.
    fn load_sounds(&mut self, names: &[String], ctx: &str) {
        for name in names {
            if self.sounds.contains_key(name) {
                continue;
            }
            let count = self.samples.count(name);
            // a drum synth's name plays the drum when no folder has it
            if count == 0 && DrumKind::from_name(name).is_none() {
                tracing::warn!("{}: {ctx}: no sample named '{name}' — those events are silent", self.file);
            }
            let mut handles = Vec::with_capacity(count);
            for i in 0..count {
                // a corrupt file (the library warns) keeps its place, silent: `n` still picks
                // the files by their order in the folder
                handles.push(self.samples.load(name, i as i64, self.sample_rate).map(|data| {
                    self.bank.0.push(data);
                    (self.bank.0.len() - 1) as u32
                }));
            }
            self.sounds.insert(name.clone(), handles);
        }
    }

    /// Load sample `"name:index"` (index 0 if omitted) and build its band-limited wavetables.
    fn wavetable(&self, sample: &str, ctx: &str) -> Result<Arc<phonon_components::WavetableData>, Error> {
        let (name, index) = match sample.rsplit_once(':') {
            Some((n, i)) => match i.trim().parse::<i64>() {
                Ok(i) => (n.trim(), i),
                Err(_) => return Err(self.err(ctx, format!("wavetable \"{sample}\": the sample index '{i}' is not a whole number"))),
            },
            None => (sample.trim(), 0),
        };
        if self.samples.count(name) == 0 {
            let names = self.samples.names();
            let known = if names.is_empty() { "no samples are loaded".to_string() } else { format!("known samples: {}", names.join(", ")) };
            return Err(self.err(ctx, format!("wavetable: unknown sample '{name}' ({known}; `phonon samples` lists them)")));
        }
        let Some(data) = self.samples.load(name, index, self.sample_rate) else {
            return Err(self.err(ctx, format!("wavetable: sample '{name}:{index}' could not be loaded")));
        };
        let ch = data.channels.max(1) as usize;
        let mono: Vec<f32> = data.data.chunks_exact(ch).map(|f| f.iter().sum::<f32>() / ch as f32).collect();
        Ok(Arc::new(phonon_systems::dsp::wavetable::build(sample, &mono)))
    }

    fn osc(&mut self, shape: OscShape, f: &Expr, ctx: &str) -> Result<Val, Error> {
        let f = self.expr(f, ctx)?;
        let mut refs = Vec::new();
        let freq = Self::param(f, &mut refs);
        Ok(Val::Node(self.push(NodeKind::Osc { shape, freq }, refs)))
    }

    fn binary(&mut self, op: BinaryOp, a: &Expr, b: &Expr, ctx: &str) -> Result<Val, Error> {
        let (a, b) = (self.expr(a, ctx)?, self.expr(b, ctx)?);
        if let (Val::Const(x), Val::Const(y)) = (&a, &b) {
            let v = op.apply(*x, *y);
            if !v.is_finite() {
                return Err(self.err(
                    ctx,
                    format!("{} {} {} overflows: a signal is at most ±{:e}", num_text(*x), op_symbol(op), num_text(*y), f32::MAX),
                ));
            }
            return Ok(Val::Const(v));
        }
        let mut refs = Vec::new();
        let (a, b) = (Self::param(a, &mut refs), Self::param(b, &mut refs));
        Ok(Val::Node(self.push(NodeKind::Binary { op, a, b }, refs)))
    }

    fn filter(&mut self, mode: FilterMode, i: &Expr, c: &Expr, q: &Expr, ctx: &str) -> Result<Val, Error> {
        let (i, c, q) = (self.expr(i, ctx)?, self.expr(c, ctx)?, self.expr(q, ctx)?);
        if let Val::Const(qv) = q
            && qv <= 0.0
        {
            return Err(self.err(ctx, format!("filter q must be above 0, got {}", num_text(qv))));
        }
        let mut refs = Vec::new();
        let kind =
            NodeKind::Filter { mode, input: Self::param(i, &mut refs), cutoff: Self::param(c, &mut refs), q: Self::param(q, &mut refs) };
        Ok(Val::Node(self.push(kind, refs)))
    }
}

/// Build the node graph of `scene` (`file` names it in errors) without samples.
pub fn build_graph(scene: &Scene, file: &str) -> Result<Graph, Error> {
    build_graph_with(scene, file, &NoSamples, 44_100)
}

/// Build the node graph of `scene`, loading the samples its patterns use from `samples`.
pub fn build_graph_with(scene: &Scene, file: &str, samples: &dyn SampleSource, sample_rate: u32) -> Result<Graph, Error> {
    build_graph_seeded(scene, file, samples, sample_rate, &[])
}

/// The fastest tempo a scene may have, in cycles per second.
pub const MAX_CPS: f64 = 1000.0;

/// Like [`build_graph_with`], with `seed` as the first samples of the bank (handles `0..seed.len()`,
/// the same in every scene: the embedding program's sounds, `Engine::sound`).
pub fn build_graph_seeded(
    scene: &Scene,
    file: &str,
    samples: &dyn SampleSource,
    sample_rate: u32,
    seed: &[Arc<SampleData>],
) -> Result<Graph, Error> {
    let cps = Rational::approximate(scene.cps, 100_000).filter(|c| *c > Rational::ZERO && scene.cps <= MAX_CPS).ok_or_else(|| {
        Error::Scene { file: file.to_string(), msg: format!("cps must be a positive number up to {MAX_CPS}, got {}", scene.cps) }
    })?;
    let mut b = Builder {
        samples,
        sample_rate,
        bank: SampleBank(seed.to_vec()),
        sounds: HashMap::new(),
        scene,
        file,
        nodes: Vec::new(),
        refs: Vec::new(),
        sources: Vec::new(),
        controls: Vec::new(),
        externals: Vec::new(),
        inputs: Vec::new(),
        applying: Vec::new(),
        programs: Vec::new(),
        synth_cache: HashMap::new(),
    };

    // every bus gets a root node
    let mut bus_root: BTreeMap<String, Val> = BTreeMap::new();
    for (name, e) in &scene.buses {
        if e.uses_input() || matches!(e, Expr::Synth(..)) {
            continue; // effect chains and voice templates are instantiated where they are used
        }
        let ctx = format!("bus '~{name}'");
        let v = b.expr(e, &ctx)?;
        bus_root.insert(name.clone(), v);
    }
    // resolve aliases (`~a: Bus("b")`) and constants to nodes
    let mut bus_node: BTreeMap<&str, usize> = BTreeMap::new();
    for name in scene.buses.keys().filter(|n| !scene.buses[*n].uses_input() && !matches!(scene.buses[*n], Expr::Synth(..))) {
        let mut cur = name.clone();
        let mut hops = 0;
        let node = loop {
            match &bus_root[&cur] {
                Val::Node(n) => break *n,
                Val::Const(c) => break b.push(NodeKind::Constant(*c), vec![]),
                Val::Bus(next) => {
                    hops += 1;
                    if hops > scene.buses.len() {
                        return Err(
                            b.err(&format!("bus '~{name}'"), "it is defined as itself (a loop of bus names with no signal in it)".into())
                        );
                    }
                    cur = next.clone();
                }
            }
        };
        if let Val::Const(_) = bus_root[&cur] {
            bus_root.insert(cur, Val::Node(node));
        }
        if b.nodes[node].name.is_none() {
            b.nodes[node].name = Some(name.clone());
        }
        bus_node.insert(name, node);
    }

    // outputs, in mixing order
    let mut outs: Vec<(u32, &String, &Expr)> = Vec::new();
    for (name, e) in &scene.outputs {
        let idx = output_index(name).ok_or_else(|| {
            let hint = did_you_mean(name, ["out", "o1", "o2", "o3", "d1", "d2", "d3"]);
            b.err(&format!("output '{name}'"), format!("unknown output name (expected out, o1…o16 or d1…d16){hint}"))
        })?;
        outs.push((idx, name, e));
    }
    outs.sort_by_key(|(i, n, _)| (*i, n.starts_with('d')));
    let mut outputs = Vec::new();
    for (_, name, e) in outs {
        let v = b.expr(e, &format!("output '{name}'"))?;
        let mut refs = Vec::new();
        let input = Builder::param(v, &mut refs);
        let o = b.push(NodeKind::Output { input }, refs);
        b.nodes[o].name = Some(name.clone());
        outputs.push(o);
    }

    // resolve references
    for (v, refs) in std::mem::take(&mut b.refs).into_iter().enumerate() {
        b.nodes[v].inputs = refs
            .into_iter()
            .map(|r| match r {
                Ref::Node(n) => n,
                Ref::Bus(name) => bus_node[name.as_str()],
            })
            .collect();
    }
    phonon_systems::compile::fuse_sums(&mut b.nodes);
    Ok(Graph {
        nodes: b.nodes,
        outputs,
        sources: b.sources,
        controls: b.controls,
        cps,
        bank: b.bank,
        programs: VoicePrograms(b.programs),
        externals: b.externals,
    })
}

/// A repeating list of tones: an [`EventSource`].
pub struct ToneSequence {
    every: Rational,
    notes: Vec<Trigger>,
}

impl ToneSequence {
    fn new(t: &Tones, ctx: &str) -> Result<ToneSequence, String> {
        let every = t.every.0;
        if every <= Rational::ZERO {
            return Err(format!("'every' must be positive, got {every}"));
        }
        let mut notes = Vec::with_capacity(t.notes.len());
        for n in &t.notes {
            if n.at.0 < Rational::ZERO || n.at.0 >= every {
                return Err(format!("tone at {} lies outside [0, {every}) ({ctx})", n.at.0));
            }
            if !(n.freq.is_finite() && n.gain.is_finite() && n.pan.is_finite()) {
                return Err("tone freq, gain and pan must be finite numbers".into());
            }
            notes.push(Trigger {
                onset: n.at.0,
                duration: n.dur.0,
                instrument: Instrument::Tone,
                freq: n.freq as f32,
                gain: n.gain as f32,
                pan: n.pan as f32,
                attack: n.attack.max(0.0) as f32,
                release: n.release.max(0.0) as f32,
                ..Trigger::default()
            });
        }
        notes.sort_by_key(|n| n.onset);
        Ok(ToneSequence { every, notes })
    }
}

impl EventSource for ToneSequence {
    fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<Trigger>) {
        let (Ok(first), Ok(last)) = (begin.checked_div(self.every), end.checked_div(self.every)) else { return };
        for k in first.floor()..=last.ceil() {
            let Ok(base) = Rational::integer(k).checked_mul(self.every) else { return };
            for n in &self.notes {
                let Ok(onset) = base.checked_add(n.onset) else { return };
                if onset >= begin && onset < end {
                    out.push(Trigger { onset, ..*n });
                }
            }
        }
    }
}
