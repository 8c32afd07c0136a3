//! The `.ph` language: statements of buses, outputs and tempo, each an expression in Tidal's
//! syntax, elaborated into the same [`Scene`] a RON file holds.
//!
//! Elaboration decides, for every subexpression, whether it is a **signal** (an audio-rate DSP
//! graph: `saw 55 # lpf 800 0.8`), a **pattern** (Tidal: `every 4 rev $ s "bd sn"`, kept as its
//! source text and evaluated by the pattern engine), a **number**, or an **effect chain** waiting
//! for its input (`~fx: delay 0.3 0.4 # lpf 2000`). Patterns used where a signal is expected are
//! stepped control signals, exact at event edges.

use super::lexer::{Tok, lex};
use super::parser::{Expr as Ast, ExprKind, parse_expr};
use crate::error::{Error, did_you_mean};
use crate::scene::{Expr, Scene};
use std::collections::BTreeMap;

/// How deeply expressions may nest (brackets, applications) before it is an error.
pub const MAX_DEPTH: usize = 400;

#[derive(Debug, Clone, PartialEq)]
enum Head {
    Bus(String),
    Out(String),
    Tempo(&'static str),
    Hush,
    Panic,
}

struct Stmt {
    head: Head,
    /// Byte offset of the statement's first character.
    at: usize,
    /// The expression's byte range in the file.
    body: (usize, usize),
}

/// What a pattern gives over its first cycles.
#[derive(Debug, Clone, Copy, Default)]
struct PatKind {
    /// Some event is a control map with `s`: the pattern plays sound.
    sound: bool,
    /// There are events, and every one is a control map without `s`.
    controls: bool,
}

/// What a subexpression is.
#[derive(Debug, Clone)]
enum El {
    Num(f64),
    Sig(Expr),
    /// Pattern source text (a byte range of the file).
    Pat(usize, usize),
    /// A bus reference; what it is depends on the bus.
    Bus(String),
    /// An effect chain with an [`Expr::Input`] hole.
    Fx(Expr),
    /// A voice template: a signal whose freqless oscillators play the note ([`Expr::Freq`]), and
    /// the controls chained onto it.
    Synth(Expr, Vec<(usize, usize)>),
}

struct Elab<'s> {
    src: &'s str,
    file: &'s str,
    /// Bus name → its parsed body.
    bus_ast: BTreeMap<String, Ast>,
    /// Bus kinds, memoised: `Some(true)` = signal or chain, `Some(false)` = pattern/number.
    kinds: std::cell::RefCell<BTreeMap<String, Option<bool>>>,
    /// Pattern buses being evaluated (to refuse one defined in terms of itself).
    evaluating: std::cell::RefCell<Vec<String>>,
    /// Buses being elaborated ([`Elab::bus_el`]).
    elaborating: std::cell::RefCell<Vec<String>>,
    /// What pattern ranges give over cycles 0..4, once evaluated.
    sounds: std::cell::RefCell<BTreeMap<(usize, usize), PatKind>>,
    /// Elaborated subexpressions by byte range: elaboration is context-free, and names shared
    /// by the catalogue and the pattern language look at their arguments twice.
    memo: std::cell::RefCell<BTreeMap<(usize, usize), El>>,
}

const VOICE_ONLY: &str =
    "inside a voice template only oscillators, noise, + - * / and lpf/hpf/bpf work: put other effects after the pattern that plays it";

const OSCS: &[&str] = &["sine", "saw", "square", "tri", "impulse"];
/// Parameter names of each effect, in positional order (for `:name value` arguments).
fn effect_params(name: &str) -> &'static [&'static str] {
    match name {
        "lpf" | "hpf" => &["cutoff", "q"],
        "bpf" => &["centre", "q"],
        _ => &["time", "feedback", "mix"],
    }
}

const EFFECTS: &[(&str, &str)] =
    &[("lpf", "lpf CUTOFF [Q]"), ("hpf", "hpf CUTOFF [Q]"), ("bpf", "bpf CENTRE [Q]"), ("delay", "delay TIME [FEEDBACK] [MIX]")];

fn b(e: Expr) -> Box<Expr> {
    Box::new(e)
}

impl<'s> Elab<'s> {
    fn err(&self, pos: usize, msg: impl Into<String>) -> Error {
        let (line, col) = line_col(self.src, pos);
        Error::syntax(self.file, self.src, line, col, msg.into())
    }

    /// Is bus `name` a signal (or chain)? Patterns and numbers are not.
    fn bus_is_signal(&self, name: &str) -> bool {
        if let Some(k) = self.kinds.borrow().get(name) {
            return k.unwrap_or(true); // in progress: a cycle — cycles are signals
        }
        if !self.bus_ast.contains_key(name) {
            return true;
        }
        self.kinds.borrow_mut().insert(name.to_string(), None);
        let signal = match self.bus_el(name) {
            None | Some(Ok(El::Sig(_) | El::Fx(_) | El::Synth(..))) => true,
            Some(Ok(El::Pat(a, z))) => self.is_sound(a, z),
            _ => false,
        };
        self.kinds.borrow_mut().insert(name.to_string(), Some(signal));
        signal
    }

    fn bus_is_chain(&self, name: &str) -> bool {
        matches!(self.bus_el(name), Some(Ok(El::Fx(_))))
    }

    /// Bus `name`'s body, elaborated; `None` for an unknown bus, or for one whose elaboration
    /// is under way (a bus used in its own definition: what it is cannot depend on itself).
    fn bus_el(&self, name: &str) -> Option<Result<El, Error>> {
        let ast = self.bus_ast.get(name)?;
        if self.elaborating.borrow().iter().any(|n| n == name) {
            return None;
        }
        self.elaborating.borrow_mut().push(name.to_string());
        let el = self.elab(ast, 0);
        self.elaborating.borrow_mut().pop();
        Some(el)
    }

    fn is_signal(&self, el: &El) -> bool {
        match el {
            El::Sig(_) | El::Fx(_) | El::Synth(..) => true,
            El::Bus(n) => self.bus_is_signal(n),
            El::Pat(a, z) => self.is_sound(*a, *z),
            El::Num(_) => false,
        }
    }

    /// Does the pattern at `src[a..z]` make sound (control maps with `s`)? Then it is audio:
    /// `s "bd*4" * 0.8` scales it, `# lpf 800 0.7` filters it.
    fn is_sound(&self, a: usize, z: usize) -> bool {
        self.pat_kind(a, z).sound
    }

    /// What the pattern at `src[a..z]` gives over cycles 0..4 (evaluated once, then cached).
    fn pat_kind(&self, a: usize, z: usize) -> PatKind {
        if let Some(k) = self.sounds.borrow().get(&(a, z)) {
            return *k;
        }
        let kind = super::eval_range(self.src, (a, z), self.file, self)
            .ok()
            .and_then(|p| {
                crate::query::guarded_query(
                    &p,
                    crate::pattern::Span::new(phonon_components::Rational::ZERO, phonon_components::Rational::integer(4)),
                )
                .ok()
            })
            .map_or(PatKind::default(), |haps| {
                let sound = |h: &crate::pattern::Hap<crate::pattern::Value>| h.value.as_map().is_some_and(|m| m.contains_key("s"));
                PatKind {
                    sound: haps.iter().any(sound),
                    controls: !haps.is_empty() && haps.iter().all(|h| h.value.as_map().is_some() && !sound(h)),
                }
            });
        self.sounds.borrow_mut().insert((a, z), kind);
        kind
    }

    /// Is `el` a pattern (sound or not), a number or a bus holding one: something Tidal's
    /// operators (`#`, `|+|`, `|*`, `+|` …) combine as patterns?
    fn is_pattern(&self, el: &El) -> bool {
        match el {
            El::Pat(..) | El::Num(_) => true,
            El::Bus(n) => matches!(self.bus_el(n), Some(Ok(El::Pat(..) | El::Num(_)))),
            _ => false,
        }
    }

    /// Is `el` a pattern of controls that makes no sound itself (`n 12`, `gain "1 0.7"`)?
    /// Arithmetic between such a pattern and a sound pattern is Tidal's, on the controls.
    fn is_controls(&self, el: &El) -> bool {
        match el {
            El::Pat(a, z) => self.pat_kind(*a, *z).controls,
            El::Bus(n) => match self.bus_el(n) {
                Some(Ok(El::Pat(a, z))) => self.pat_kind(a, z).controls,
                _ => false,
            },
            _ => false,
        }
    }

    /// As a parameter of a signal node. Pattern text is evaluated once here, so its errors
    /// point into this file.
    fn param(&self, el: El, pos: usize) -> Result<Expr, Error> {
        Ok(match el {
            // signals are f32: say so here, where the number is
            El::Num(n) if n.abs() > f32::MAX as f64 => {
                return Err(self.err(pos, format!("{n:e} is too large for a signal (at most ±{:e})", f32::MAX)));
            }
            El::Num(n) => Expr::Num(n),
            El::Sig(e) => e,
            El::Pat(a, z) => {
                super::eval_range(self.src, (a, z), self.file, self)?;
                Expr::Pattern(self.src[a..z].to_string())
            }
            El::Bus(n) => Expr::Bus(n),
            El::Fx(_) => return Err(self.err(pos, "an effect chain is not a signal: apply it to one with '#' (saw 55 # lpf 800)")),
            El::Synth(body, controls) => {
                for &(a, z) in &controls {
                    super::eval_range(self.src, (a, z), self.file, self)?;
                }
                Expr::Synth(b(body), controls.iter().map(|&(a, z)| self.src[a..z].to_string()).collect())
            }
        })
    }

    /// Positional and `:name value` arguments of `n` (parameter names `names`), each elaborated
    /// as a signal parameter; `None` where not given.
    fn named_args(&self, n: &str, usage: &str, names: &[&str], args: &[&Ast], d: usize) -> Result<Vec<Option<Expr>>, Error> {
        let max = names.len();
        let mut ps: Vec<Option<Expr>> = vec![None; max];
        let mut positional = 0;
        let mut i = 0;
        while i < args.len() {
            let a = args[i];
            let slot = if let ExprKind::Keyword(k) = &a.kind {
                let Some(slot) = names.iter().position(|p| p == k) else {
                    let hint = did_you_mean(k, names.iter().copied());
                    return Err(self.err(a.pos, format!("'{n}' has no parameter ':{k}' (it has :{}){hint}", names.join(" :"))));
                };
                i += 1;
                if i >= args.len() || matches!(args[i].kind, ExprKind::Keyword(_)) {
                    return Err(self.err(a.pos, format!("':{k}' needs a value after it")));
                }
                slot
            } else {
                if positional >= max {
                    return Err(self.err(a.pos, format!("'{n}' takes at most {max} arguments: {usage}")));
                }
                positional += 1;
                positional - 1
            };
            if ps[slot].is_some() {
                return Err(self.err(args[i].pos, format!("'{n}' gets ':{}' twice", names[slot])));
            }
            let el = self.elab(args[i], d)?;
            ps[slot] = Some(self.param(el, args[i].pos)?);
            i += 1;
        }
        Ok(ps)
    }

    /// `e` as a node of the DSP catalogue, if its head names one: an effect waiting for its
    /// input (`moog 800 0.5`) or a source (`pulse 110 0.3`).
    fn catalogue_node(&self, e: &Ast, d: usize) -> Result<Option<El>, Error> {
        let (head, args) = flatten(e);
        let ExprKind::Name(n) = &head.kind else { return Ok(None) };
        let Some(def) = phonon_systems::dsp::catalogue::find(n) else { return Ok(None) };
        let names: Vec<&str> = def.typed_args().iter().map(|a| a.name).collect();
        let ps = self.named_args(n, &def.usage(), &names, &args, d)?;
        // trailing arguments not given take their defaults in the builder; inner gaps need them now
        let last = ps.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
        let mut out: Vec<Expr> =
            ps[..last].iter().zip(def.typed_args()).map(|(p, a)| p.clone().unwrap_or(Expr::Num(a.default as f64))).collect();
        Ok(Some(if def.effect {
            out.insert(0, Expr::Input);
            El::Fx(Expr::Node(n.clone(), out))
        } else {
            El::Sig(Expr::Node(n.clone(), out))
        }))
    }

    /// Is `e` headed by a catalogue name that is not also a pattern function or control (those,
    /// like `range` or `shape`, are nodes only where a signal is involved)?
    fn is_catalogue_only(&self, e: &Ast) -> bool {
        let (head, _) = flatten(e);
        matches!(&head.kind, ExprKind::Name(n) if phonon_systems::dsp::catalogue::find(n).is_some()
            && !crate::lang::builtins::all_names().any(|b| b == n))
    }

    /// Is `e` headed by any catalogue name?
    fn is_catalogue(&self, e: &Ast) -> bool {
        let (head, _) = flatten(e);
        matches!(&head.kind, ExprKind::Name(n) if phonon_systems::dsp::catalogue::find(n).is_some())
    }

    fn elab(&self, e: &Ast, depth: usize) -> Result<El, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err(e.pos, format!("expression nested more than {MAX_DEPTH} deep")));
        }
        let key = (e.pos, e.end);
        if let Some(el) = self.memo.borrow().get(&key) {
            return Ok(el.clone());
        }
        // A chain `a + b + c + …` (or `x # f # g # …`) nests to the left, one level per operator,
        // though nothing in it is nested. Elaborate its left spine from the bottom up, so each
        // step finds the one below it memoized: the depth (and the stack) stays that of one step.
        // Each step still counts one level, as if nested, so the scene's expression stays within
        // MAX_DEPTH for the passes after this one.
        if let ExprKind::Op(_, a, _) = &e.kind {
            let mut spine = Vec::new();
            let mut x = &**a;
            while let ExprKind::Op(_, inner, _) = &x.kind {
                if self.memo.borrow().contains_key(&(x.pos, x.end)) {
                    break;
                }
                spine.push(x);
                x = inner;
            }
            for (i, node) in spine.iter().enumerate().rev() {
                self.elab(node, depth + 1 + i)?;
            }
        }
        let el = self.elab_uncached(e, depth)?;
        self.memo.borrow_mut().insert(key, el.clone());
        Ok(el)
    }

    fn elab_uncached(&self, e: &Ast, depth: usize) -> Result<El, Error> {
        let d = depth + 1;
        let pat = || El::Pat(start(e), e.end);
        if matches!(e.kind, ExprKind::Name(_) | ExprKind::App(..)) && self.is_catalogue(e) {
            let node_wanted = self.is_catalogue_only(e) || {
                // a name shared with the pattern language is a node when a signal is among its arguments
                let (_, args) = flatten(e);
                // (a bare `sine`/`saw` there is Tidal's continuous pattern, as in `range 1 5 sine`)
                args.iter().any(|a| {
                    !matches!(a.kind, ExprKind::Keyword(_))
                        && self.elab(a, d).is_ok_and(|el| match &el {
                            El::Sig(_) => true,
                            El::Bus(n) => self.bus_is_signal(n) && !matches!(self.bus_el(n), Some(Ok(El::Synth(..)))),
                            _ => false,
                        })
                })
            };
            if node_wanted && let Some(el) = self.catalogue_node(e, d)? {
                return Ok(el);
            }
        }
        Ok(match &e.kind {
            ExprKind::Num(n) => El::Num(*n),
            ExprKind::Str(_) => pat(),
            ExprKind::Bus(n) => {
                if !self.bus_ast.contains_key(n) {
                    let hint = did_you_mean(n, self.bus_ast.keys().map(|k| k.as_str()));
                    return Err(self.err(e.pos, format!("unknown bus '~{n}'{hint}")));
                }
                El::Bus(n.clone())
            }
            ExprKind::Name(n) if n == "noise" => El::Sig(Expr::Noise),
            ExprKind::Name(n) if OSCS.contains(&n.as_str()) && n != "impulse" => El::Synth(
                match n.as_str() {
                    "sine" => Expr::Sine(b(Expr::Freq)),
                    "saw" => Expr::Saw(b(Expr::Freq)),
                    "square" => Expr::Square(b(Expr::Freq)),
                    _ => Expr::Tri(b(Expr::Freq)),
                },
                Vec::new(),
            ),
            ExprKind::Name(n) if OSCS.contains(&n.as_str()) => {
                return Err(self.err(e.pos, format!("'{n}' needs a frequency here: '{n} 440' (or a pattern: '{n} \"110 220\"')")));
            }
            ExprKind::Name(n) if EFFECTS.iter().any(|x| x.0 == n) => {
                let usage = EFFECTS.iter().find(|x| x.0 == n).map_or("", |x| x.1);
                return Err(self.err(e.pos, format!("'{n}' needs its arguments: {usage}")));
            }
            ExprKind::App(..) => {
                let (head, args) = flatten(e);
                match &head.kind {
                    ExprKind::Name(n) if OSCS.contains(&n.as_str()) || n == "noise" => {
                        if n == "noise" || args.len() != 1 {
                            let want = if n == "noise" { "no arguments" } else { "one argument, the frequency" };
                            return Err(self.err(e.pos, format!("'{n}' takes {want}, got {}", args.len())));
                        }
                        let f = self.param(self.elab(args[0], d)?, args[0].pos)?;
                        El::Sig(match n.as_str() {
                            "sine" => Expr::Sine(b(f)),
                            "saw" => Expr::Saw(b(f)),
                            "square" => Expr::Square(b(f)),
                            "tri" => Expr::Tri(b(f)),
                            _ => Expr::Impulse(b(f)),
                        })
                    }
                    ExprKind::Name(n) if EFFECTS.iter().any(|x| x.0 == n) => {
                        let usage = EFFECTS.iter().find(|x| x.0 == n).map_or("", |x| x.1);
                        let ps = self.named_args(n, usage, effect_params(n), &args, d)?;
                        let arg = |i: usize, default: f64| b(ps[i].clone().unwrap_or(Expr::Num(default)));
                        El::Fx(match n.as_str() {
                            "lpf" => Expr::Lpf(b(Expr::Input), arg(0, 0.0), arg(1, std::f64::consts::FRAC_1_SQRT_2)),
                            "hpf" => Expr::Hpf(b(Expr::Input), arg(0, 0.0), arg(1, std::f64::consts::FRAC_1_SQRT_2)),
                            "bpf" => Expr::Bpf(b(Expr::Input), arg(0, 0.0), arg(1, std::f64::consts::FRAC_1_SQRT_2)),
                            _ => Expr::Delay(b(Expr::Input), arg(0, 0.25), arg(1, 0.0), arg(2, 0.5)),
                        })
                    }
                    ExprKind::Name(n) if n == "cF" => {
                        const USAGE: &str = "cF DEFAULT \"name\" (a value the embedding program sets)";
                        let (Some(ExprKind::Num(default)), Some(ExprKind::Str(name)), 2) =
                            (args.first().map(|a| &a.kind), args.get(1).map(|a| &a.kind), args.len())
                        else {
                            return Err(self.err(e.pos, format!("'cF' takes a number and a name in quotes: {USAGE}")));
                        };
                        if name.is_empty() || !default.is_finite() {
                            return Err(self.err(e.pos, format!("'cF' needs a finite default and a non-empty name: {USAGE}")));
                        }
                        El::Sig(Expr::External(name.clone(), *default))
                    }
                    ExprKind::Name(n) if n == "wavetable" => {
                        const USAGE: &str = "wavetable \"name:index\" FREQ [POSITION]";
                        let Some(ExprKind::Str(sample)) = args.first().map(|a| &a.kind) else {
                            return Err(self.err(e.pos, format!("'wavetable' takes a sample name in quotes first: {USAGE}")));
                        };
                        if !(2..=3).contains(&args.len()) {
                            return Err(self.err(e.pos, format!("'wavetable' takes 2 or 3 arguments ({USAGE}), got {}", args.len())));
                        }
                        let f = self.param(self.elab(args[1], d)?, args[1].pos)?;
                        let pos = match args.get(2) {
                            Some(a) => self.param(self.elab(a, d)?, a.pos)?,
                            None => Expr::Num(0.0),
                        };
                        El::Sig(Expr::Wavetable(sample.clone(), b(f), b(pos)))
                    }
                    ExprKind::Bus(n) => {
                        return Err(self.err(head.pos, format!("'~{n}' is a bus, not a function: it cannot take arguments")));
                    }
                    _ => {
                        // a pattern function; its arguments must not be signals
                        for a in &args {
                            let el = self.elab(a, d)?;
                            if matches!(el, El::Sig(_) | El::Fx(_)) {
                                return Err(self.err(a.pos, "a signal cannot be the argument of a pattern function"));
                            }
                        }
                        pat()
                    }
                }
            }
            ExprKind::Op(op, a, bb) => {
                let (l, r) = (self.elab(a, d)?, self.elab(bb, d)?);
                match op.as_str() {
                    "#" if matches!(l, El::Synth(..)) => match (l, r) {
                        (El::Synth(body, mut controls), El::Pat(x, y)) => {
                            controls.push((x, y));
                            El::Synth(body, controls)
                        }
                        (El::Synth(body, controls), El::Fx(fx)) => {
                            let body = substitute(&fx, &body);
                            if !body.voice_compatible() {
                                return Err(self.err(bb.pos, VOICE_ONLY));
                            }
                            El::Synth(body, controls)
                        }
                        _ => {
                            return Err(self.err(
                                bb.pos,
                                "after a voice template ('sine', 'saw' …), '#' takes controls (note, n, gain, attack, release …) or lpf/hpf/bpf",
                            ));
                        }
                    },
                    // arithmetic on voice templates stays a template: `saw + square * 0.5`
                    "+" | "-" | "*" | "/" if matches!(l, El::Synth(..)) || matches!(r, El::Synth(..)) => {
                        let part = |el: El, pos: usize| -> Result<(Expr, Vec<(usize, usize)>), Error> {
                            match el {
                                El::Synth(body, controls) => Ok((body, controls)),
                                El::Num(n) => Ok((Expr::Num(n), Vec::new())),
                                // a self-contained signal (`sine 3`) runs inside every voice
                                El::Sig(e) if e.voice_compatible() => Ok((e, Vec::new())),
                                _ => Err(self.err(
                                    pos,
                                    "a voice template combines only with numbers, oscillators and other templates (saw + square * 0.5); buses and patterns can't enter a voice",
                                )),
                            }
                        };
                        let ((x, mut cx), (y, cy)) = (part(l, a.pos)?, part(r, bb.pos)?);
                        cx.extend(cy);
                        let body = match op.as_str() {
                            "+" => Expr::Add(b(x), b(y)),
                            "-" => Expr::Sub(b(x), b(y)),
                            "*" => Expr::Mul(b(x), b(y)),
                            _ => Expr::Div(b(x), b(y)),
                        };
                        El::Synth(body, cx)
                    }
                    // a sound pattern followed by controls stays a pattern (`s "bd" # gain 0.8`)
                    "#" if matches!(l, El::Pat(..)) && !matches!(r, El::Fx(_)) && !matches!(&r, El::Bus(n) if self.bus_is_chain(n)) => {
                        pat()
                    }
                    "#" if self.is_pattern(&l) && self.is_pattern(&r) => pat(),
                    "#" if self.is_signal(&l) => {
                        let r = match r {
                            El::Pat(..) if self.is_catalogue(bb) => self.catalogue_node(bb, d)?.unwrap_or(r),
                            r => r,
                        };
                        self.chain(l, r, a.pos, bb.pos)?
                    }
                    "#" => {
                        if matches!(r, El::Fx(_)) {
                            return Err(
                                self.err(bb.pos, "an effect (lpf, delay, …) needs a signal before '#'; patterns play through voices")
                            );
                        }
                        pat()
                    }
                    // Tidal's arithmetic on controls: `n "0 2" # s "arpy" + n 12` adds to `n`
                    "+" | "-" | "*" | "/"
                        if self.is_pattern(&l) && self.is_pattern(&r) && (self.is_controls(&l) || self.is_controls(&r)) =>
                    {
                        pat()
                    }
                    "+" | "-" | "*" | "/" if self.is_signal(&l) || self.is_signal(&r) => {
                        let (x, y) = (self.param(l, a.pos)?, self.param(r, bb.pos)?);
                        El::Sig(match op.as_str() {
                            "+" => Expr::Add(b(x), b(y)),
                            "-" => Expr::Sub(b(x), b(y)),
                            "*" => Expr::Mul(b(x), b(y)),
                            _ => Expr::Div(b(x), b(y)),
                        })
                    }
                    "+" | "-" | "*" | "/" => match (&l, &r) {
                        (El::Num(x), El::Num(y)) => {
                            let v = match op.as_str() {
                                "+" => x + y,
                                "-" => x - y,
                                "*" => x * y,
                                _ => {
                                    if *y == 0.0 {
                                        0.0
                                    } else {
                                        x / y
                                    }
                                }
                            };
                            if !v.is_finite() {
                                return Err(self.err(e.pos, format!("{x:e} {op} {y:e} is too large (not a finite number)")));
                            }
                            El::Num(v)
                        }
                        _ => pat(),
                    },
                    "$" => match (l, r) {
                        // a pattern function applied to a pattern (sound or not) is a pattern
                        (El::Pat(..), El::Pat(..)) => pat(),
                        (El::Pat(..), r) if self.is_signal(&r) && self.is_catalogue(a) => match self.catalogue_node(a, d)? {
                            Some(El::Fx(fx)) => El::Sig(substitute(&fx, &self.param(r, bb.pos)?)),
                            _ => return Err(self.err(e.pos, "'$' between a signal and a pattern: signals chain with '#'")),
                        },
                        // `jux rev $ s "bd" # lpf 200`: the pattern function goes inside, the
                        // effect stays on the voices' sum
                        (El::Pat(fa, fz), El::Sig(sig)) if inner_pattern(&sig).is_some() => {
                            El::Sig(wrap_inner_pattern(&sig, &self.src[fa..fz]))
                        }
                        (El::Fx(fx), r) if self.is_signal(&r) => El::Sig(substitute(&fx, &self.param(r, bb.pos)?)),
                        (r, El::Fx(fx)) if self.is_signal(&r) => El::Sig(substitute(&fx, &self.param(r, a.pos)?)),
                        (l, r) if self.is_signal(&l) || self.is_signal(&r) => {
                            return Err(self.err(e.pos, "'$' between a signal and a pattern: signals chain with '#'"));
                        }
                        _ => pat(),
                    },
                    // `|+|`, `|*`, `+|` … on patterns, sound patterns included (`s "bd*4" |* gain "1 0.7"`)
                    _ if super::parser::is_tidal_op(op) && self.is_pattern(&l) && self.is_pattern(&r) => pat(),
                    _ => {
                        if self.is_signal(&l) || self.is_signal(&r) {
                            return Err(self.err(e.pos, format!("'{op}' works on patterns; signals combine with + - * / and chain with #")));
                        }
                        pat()
                    }
                }
            }
            ExprKind::Neg(x) => match self.elab(x, d)? {
                El::Num(n) => El::Num(-n),
                El::Synth(body, controls) => El::Synth(Expr::Mul(b(body), b(Expr::Num(-1.0))), controls),
                el if self.is_signal(&el) => El::Sig(Expr::Mul(b(self.param(el, x.pos)?), b(Expr::Num(-1.0)))),
                _ => pat(),
            },
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                for i in items {
                    // sound patterns stack as patterns (`stack [s "bd", s "hh*2" # gain 0.5]`)
                    let el = self.elab(i, d)?;
                    if !matches!(el, El::Pat(..)) && self.is_signal(&el) {
                        return Err(self.err(i.pos, "lists of signals are not supported yet: add signals with '+'"));
                    }
                }
                pat()
            }
            ExprKind::SectionLeft(_, x) | ExprKind::SectionRight(_, x) => {
                self.elab(x, d)?;
                pat()
            }
            ExprKind::Keyword(k) => {
                return Err(self.err(e.pos, format!("':{k}' is a keyword argument; only signal functions (lpf, delay …) take them")));
            }
            ExprKind::Name(_) | ExprKind::OpFunc(_) => pat(),
        })
    }

    /// `l # r` where `l` is a signal or a chain.
    fn chain(&self, l: El, r: El, lpos: usize, rpos: usize) -> Result<El, Error> {
        let lfx = matches!(l, El::Fx(_));
        let input = match l {
            El::Fx(fx) => fx,
            other => self.param(other, lpos)?,
        };
        let out = match r {
            El::Fx(fx) => substitute(&fx, &input),
            El::Bus(n) => Expr::Apply(b(input), n),
            _ => {
                return Err(self.err(
                    rpos,
                    "after a signal, '#' needs an effect: lpf, moog, reverb, delay … (`phonon nodes` lists them), or an effect-chain bus",
                ));
            }
        };
        Ok(if lfx { El::Fx(out) } else { El::Sig(out) })
    }
}

/// Where an expression's text starts (an operator expression's `pos` is its operator).
fn start(e: &Ast) -> usize {
    match &e.kind {
        ExprKind::Op(_, a, _) => start(a).min(e.pos),
        ExprKind::App(f, _) => start(f),
        _ => e.pos,
    }
}

impl super::eval::Env for Elab<'_> {
    fn bus(&self, name: &str, pos: usize) -> super::eval::EResult<super::eval::Val> {
        let fail = |msg: String| super::eval::EvalError { pos, msg };
        let Some(ast) = self.bus_ast.get(name) else {
            return Err(fail(format!("unknown bus '~{name}'{}", did_you_mean(name, self.bus_ast.keys().map(|k| k.as_str())))));
        };
        match self.bus_el(name) {
            Some(Ok(El::Pat(..) | El::Num(_))) => {}
            None => return Err(fail(format!("pattern bus '~{name}' is defined in terms of itself"))),
            Some(_) => return Err(fail(format!("'~{name}' is a signal, not a pattern: a pattern can only use pattern buses"))),
        }
        if self.evaluating.borrow().iter().any(|n| n == name) {
            return Err(fail(format!("pattern bus '~{name}' is defined in terms of itself")));
        }
        self.evaluating.borrow_mut().push(name.to_string());
        let r = super::eval_range(self.src, (start(ast), ast.end), self.file, self);
        self.evaluating.borrow_mut().pop();
        r.map(super::eval::Val::Pat).map_err(|e| match e {
            // an error inside the bus's own text: report it there
            Error::Syntax { line, col, msg, .. } => super::eval::EvalError { pos: offset_of(self.src, line, col), msg },
            e => fail(e.to_string()),
        })
    }
}

/// The byte offset of 1-based `line` and character `col` in `src` (the inverse of [`line_col`]).
fn offset_of(src: &str, line: usize, col: usize) -> usize {
    let start: usize = src.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    src[start..].char_indices().nth(col.saturating_sub(1)).map_or(src.len(), |(i, _)| start + i)
}

/// `f a b c` → (`f`, [a, b, c]).
fn flatten(e: &Ast) -> (&Ast, Vec<&Ast>) {
    let mut args = Vec::new();
    let mut cur = e;
    while let ExprKind::App(f, a) = &cur.kind {
        args.push(&**a);
        cur = f;
    }
    args.reverse();
    (cur, args)
}

/// The sound pattern at the start of an effect chain (`P # lpf 200 # delay 0.3`), if any.
fn inner_pattern(e: &Expr) -> Option<&str> {
    match e {
        Expr::Pattern(t) => Some(t),
        Expr::Lpf(i, ..) | Expr::Hpf(i, ..) | Expr::Bpf(i, ..) | Expr::Delay(i, ..) | Expr::Apply(i, _) => inner_pattern(i),
        Expr::Node(n, args) if phonon_systems::dsp::catalogue::find(n).is_some_and(|d| d.effect) => inner_pattern(args.first()?),
        _ => None,
    }
}

/// `f $ (P # fx)` → `(f $ P) # fx`.
fn wrap_inner_pattern(e: &Expr, f: &str) -> Expr {
    let w = |i: &Expr| b(wrap_inner_pattern(i, f));
    match e {
        Expr::Pattern(t) => Expr::Pattern(format!("{f} $ ({t})")),
        Expr::Lpf(i, c, q) => Expr::Lpf(w(i), c.clone(), q.clone()),
        Expr::Hpf(i, c, q) => Expr::Hpf(w(i), c.clone(), q.clone()),
        Expr::Bpf(i, c, q) => Expr::Bpf(w(i), c.clone(), q.clone()),
        Expr::Delay(i, t, fb, m) => Expr::Delay(w(i), t.clone(), fb.clone(), m.clone()),
        Expr::Apply(i, n) => Expr::Apply(w(i), n.clone()),
        Expr::Node(n, args) if phonon_systems::dsp::catalogue::find(n).is_some_and(|d| d.effect) && !args.is_empty() => {
            let mut args = args.clone();
            args[0] = wrap_inner_pattern(&args[0], f);
            Expr::Node(n.clone(), args)
        }
        other => other.clone(),
    }
}

/// Replace every [`Expr::Input`] in `fx` with `input`.
fn substitute(fx: &Expr, input: &Expr) -> Expr {
    let s = |e: &Expr| b(substitute(e, input));
    match fx {
        Expr::Input => input.clone(),
        Expr::Sine(a) => Expr::Sine(s(a)),
        Expr::Saw(a) => Expr::Saw(s(a)),
        Expr::Square(a) => Expr::Square(s(a)),
        Expr::Tri(a) => Expr::Tri(s(a)),
        Expr::Impulse(a) => Expr::Impulse(s(a)),
        Expr::Add(x, y) => Expr::Add(s(x), s(y)),
        Expr::Sub(x, y) => Expr::Sub(s(x), s(y)),
        Expr::Mul(x, y) => Expr::Mul(s(x), s(y)),
        Expr::Div(x, y) => Expr::Div(s(x), s(y)),
        Expr::Lpf(x, y, z) => Expr::Lpf(s(x), s(y), s(z)),
        Expr::Hpf(x, y, z) => Expr::Hpf(s(x), s(y), s(z)),
        Expr::Bpf(x, y, z) => Expr::Bpf(s(x), s(y), s(z)),
        Expr::Delay(w, x, y, z) => Expr::Delay(s(w), s(x), s(y), s(z)),
        Expr::Apply(x, n) => Expr::Apply(s(x), n.clone()),
        Expr::Node(n, args) => Expr::Node(n.clone(), args.iter().map(|a| substitute(a, input)).collect()),
        other => other.clone(),
    }
}

/// 1-based line and column (in characters) of byte offset `pos`.
pub fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let mut pos = pos.min(src.len());
    while !src.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &src[..pos];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Recognise a statement head at the start of `line` (already without leading whitespace).
/// Returns the head and the byte length up to and including its `:` or `$`.
fn statement_head(line: &str) -> Option<(Head, usize)> {
    let word_end =
        |s: &str, from: usize| from + s[from..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len() - from);
    let sep = |s: &str, at: usize, dollar: bool| {
        let rest = &s[at..];
        let trimmed = rest.trim_start();
        let skip = rest.len() - trimmed.len();
        match trimmed.chars().next() {
            Some(':') => Some(at + skip + 1),
            Some('$') if dollar => Some(at + skip + 1),
            _ => None,
        }
    };
    if let Some(rest) = line.strip_prefix('~') {
        let end = word_end(line, 1);
        if end == 1 || !rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return None;
        }
        return sep(line, end, true).map(|n| (Head::Bus(line[1..end].to_string()), n));
    }
    let end = word_end(line, 0);
    let word = &line[..end];
    match word {
        "hush" | "panic" if line[end..].trim().is_empty() || line[end..].trim_start().starts_with("--") => {
            Some((if word == "hush" { Head::Hush } else { Head::Panic }, end))
        }
        "tempo" | "cps" | "bpm" => sep(line, end, false).map(|n| (Head::Tempo(if word == "bpm" { "bpm" } else { "cps" }), n)),
        _ if crate::build::output_index(word).is_some() => sep(line, end, true).map(|n| (Head::Out(word.to_string()), n)),
        _ => None,
    }
}

/// Split a file into statements (a line that does not start one continues the previous).
fn statements(src: &str, file: &str) -> Result<Vec<Stmt>, Error> {
    let mut out: Vec<Stmt> = Vec::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        let body = &content[indent..];
        let start = offset + indent;
        offset += line.len();
        if body.is_empty() || body.starts_with("--") {
            continue;
        }
        if indent == 0
            && let Some((head, n)) = statement_head(body)
        {
            out.push(Stmt { head, at: start, body: (start + n, offset - (line.len() - content.len())) });
            continue;
        }
        match out.last_mut() {
            Some(s) => s.body.1 = offset - (line.len() - content.len()),
            None => {
                let (l, c) = line_col(src, start);
                return Err(Error::syntax(
                    file,
                    src,
                    l,
                    c,
                    "expected a statement: '~name: …', 'out: …', 'o1: …', 'tempo: …' or 'hush' (a line that does not start a statement continues the one before, and there is none)".into(),
                ));
            }
        }
    }
    Ok(out)
}

/// Parse the expression in `src[range]`, positions relative to the whole file.
fn parse_body(src: &str, file: &str, (a, z): (usize, usize)) -> Result<Ast, Error> {
    let at = |pos: usize, msg: String| {
        let (l, c) = line_col(src, pos);
        Error::syntax(file, src, l, c, msg)
    };
    let mut toks = lex(&src[a..z]).map_err(|e| at(a + e.pos, e.msg))?;
    for t in &mut toks {
        t.pos += a;
        t.end += a;
    }
    if toks.len() == 1 {
        return Err(at(a, "expected an expression after ':' (an empty bus or output)".into()));
    }
    let depth = toks.iter().fold((0usize, 0usize), |(d, m), t| match t.kind {
        Tok::LParen | Tok::LBracket => (d + 1, m.max(d + 1)),
        Tok::RParen | Tok::RBracket => (d.saturating_sub(1), m),
        _ => (d, m),
    });
    if depth.1 > MAX_DEPTH {
        return Err(at(a, format!("brackets nested more than {MAX_DEPTH} deep")));
    }
    parse_expr(&toks).map_err(|e| at(e.pos, e.msg))
}

/// Parse a `.ph` program into a scene (`file` names it in errors).
pub fn parse_ph(src: &str, file: &str) -> Result<Scene, Error> {
    let stmts = statements(src, file)?;
    let mut scene = Scene::default();
    let mut bus_ast: BTreeMap<String, Ast> = BTreeMap::new();
    let mut outs: Vec<(String, Ast)> = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut hush = false;
    for s in &stmts {
        let here = |msg: String| {
            let (l, c) = line_col(src, s.at);
            Error::syntax(file, src, l, c, msg)
        };
        match &s.head {
            Head::Hush | Head::Panic => hush = true,
            Head::Tempo(kind) => {
                let toks = lex(&src[s.body.0..s.body.1]).map_err(|e| here(e.msg))?;
                let nums: Vec<f64> = toks.iter().filter_map(|t| if let Tok::Num(n) = t.kind { Some(n) } else { None }).collect();
                let ok = toks.len() == nums.len() + 1;
                scene.cps = match (*kind, nums.as_slice(), ok) {
                    ("cps", [x], true) if *x > 0.0 => *x,
                    ("bpm", [x], true) if *x > 0.0 => x / 240.0,
                    ("bpm", [x, n], true) if *x > 0.0 && *n > 0.0 => x / 60.0 / n,
                    _ => {
                        return Err(here(format!(
                            "expected {}",
                            if *kind == "bpm" {
                                "'bpm: 120' or 'bpm: 120 4' (beats per cycle)"
                            } else {
                                "a positive number of cycles per second, like 'tempo: 0.5'"
                            }
                        )));
                    }
                };
                if scene.cps > crate::build::MAX_CPS {
                    return Err(here(format!("tempo {} is too fast: at most {} cycles per second", scene.cps, crate::build::MAX_CPS)));
                }
            }
            Head::Bus(name) | Head::Out(name) => {
                let key = if matches!(s.head, Head::Bus(_)) { format!("~{name}") } else { name.clone() };
                if let Some(prev) = seen.insert(key.clone(), s.at) {
                    return Err(here(format!("'{key}' is defined twice (first on line {})", line_col(src, prev).0)));
                }
                let ast = parse_body(src, file, s.body)?;
                match &s.head {
                    Head::Bus(_) => {
                        bus_ast.insert(name.clone(), ast);
                    }
                    _ => outs.push((name.clone(), ast)),
                }
            }
        }
    }
    let el = Elab {
        src,
        file,
        bus_ast,
        kinds: Default::default(),
        evaluating: Default::default(),
        elaborating: Default::default(),
        sounds: Default::default(),
        memo: Default::default(),
    };
    for (name, ast) in &el.bus_ast {
        let v = match el.bus_el(name).unwrap_or_else(|| el.elab(ast, 0))? {
            El::Fx(fx) => fx,
            other => el.param(other, ast.pos)?,
        };
        scene.buses.insert(name.clone(), v);
    }
    for (name, ast) in &outs {
        let v = el.elab(ast, 0)?;
        let v = el.param(v, ast.pos)?;
        scene.outputs.insert(name.clone(), v);
    }
    if hush {
        scene.outputs.clear();
    }
    Ok(scene)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene(src: &str) -> Scene {
        parse_ph(src, "t.ph").unwrap_or_else(|e| panic!("{e}"))
    }

    fn error(src: &str) -> String {
        match parse_ph(src, "t.ph") {
            Ok(_) => panic!("expected an error for {src:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// Buses, outputs, `#` chains and arithmetic become the scene's signal graph.
    #[test]
    fn signals_chains_and_arithmetic() {
        let s = scene("tempo: 0.5\n~lfo: sine 0.25 * 1000 + 1500\nout: saw 55 # lpf ~lfo 0.8 # delay 0.25 0.5\n");
        assert_eq!(s.cps, 0.5);
        assert_eq!(s.buses["lfo"], Expr::Add(b(Expr::Mul(b(Expr::Sine(b(Expr::Num(0.25)))), b(Expr::Num(1000.0)))), b(Expr::Num(1500.0))));
        let lpf = Expr::Lpf(b(Expr::Saw(b(Expr::Num(55.0)))), b(Expr::Bus("lfo".into())), b(Expr::Num(0.8)));
        assert_eq!(s.outputs["out"], Expr::Delay(b(lpf), b(Expr::Num(0.25)), b(Expr::Num(0.5)), b(Expr::Num(0.5))));
    }

    /// Long expressions continue on following lines; comments are ignored.
    #[test]
    fn continuation_lines_and_comments() {
        let s = scene("-- a comment\nout: saw 110\n  # lpf 800 -- cutoff\n\n  # hpf 50\no1 $ sine 440 * 0.1\n");
        assert!(matches!(s.outputs["out"], Expr::Hpf(..)));
        assert!(matches!(s.outputs["o1"], Expr::Mul(..)));
    }

    /// Patterns where numbers are expected stay pattern text, in either `$` order.
    #[test]
    fn patterns_as_control_signals() {
        let s = scene("~cutoffs: \"<300 200 1000>\" $ fast 7\nout: saw \"55 110\" # lpf ~cutoffs 0.5\n");
        assert_eq!(s.buses["cutoffs"], Expr::Pattern("\"<300 200 1000>\" $ fast 7".into()));
        let Expr::Lpf(input, _, _) = &s.outputs["out"] else { panic!() };
        assert_eq!(**input, Expr::Saw(b(Expr::Pattern("\"55 110\"".into()))));
    }

    /// Effect-chain buses are instantiated where they are applied.
    #[test]
    fn effect_chain_buses() {
        let s = scene("~fx: delay 0.3 0.4 # lpf 2000\nout: saw 55 # ~fx\n");
        assert!(s.buses["fx"].uses_input());
        assert_eq!(s.outputs["out"], Expr::Apply(b(Expr::Saw(b(Expr::Num(55.0)))), "fx".into()));
    }

    /// Keyword arguments name optional parameters in any order.
    #[test]
    fn keyword_arguments() {
        let a = scene("out: saw 55 # delay 0.3 :mix 0.2 # lpf :q 2 :cutoff 900");
        let b = scene("out: saw 55 # delay 0.3 0 0.2 # lpf 900 2");
        assert_eq!(a, b);
        assert!(error("out: saw 55 # delay 0.3 :mixx 0.2").contains("has no parameter ':mixx'"));
        assert!(error("out: saw 55 # delay 0.3 :mix 0.2 :mix 0.1").contains("gets ':mix' twice"));
        assert!(error("out: saw 55 # lpf 900 :q").contains("needs a value"));
    }

    /// Tempo forms: cps, tempo, bpm (4 beats per cycle) and bpm with beats per cycle.
    #[test]
    fn tempo_forms() {
        assert_eq!(scene("cps: 0.75\nout: 0").cps, 0.75);
        assert_eq!(scene("bpm: 120\nout: 0").cps, 0.5);
        assert_eq!(scene("bpm: 120 2\nout: 0").cps, 1.0);
        assert!(scene("out: sine 440\nhush\n").outputs.is_empty());
    }

    /// Errors name the line and column and say what was expected.
    #[test]
    fn errors_have_places() {
        assert!(error("out: saw 55 # lpff 800").contains("t.ph:1:"));
        assert!(error("out: saw 55\n# lpf 800 0.7 0.1").contains("t.ph:2:15: 'lpf' takes at most 2 arguments"));
        assert!(error("out: saw 55 # ~nope").contains("unknown bus '~nope'"));
        assert!(error("out: sine 440 # ~lfoo\n~lfo: sine 1").contains("did you mean 'lfo'"));
        assert!(error("foo bar").contains("t.ph:1:1: expected a statement"));
        assert!(error("out:").contains("empty bus or output"));
        assert!(error("out: sine 1\nout: sine 2").contains("defined twice (first on line 1)"));
        assert!(error("tempo: fast").contains("positive number"));
        assert!(error("out: (saw 55").contains("t.ph:1:13: expected ')'"));
        assert!(error("out: saw 1e").contains("t.ph:1:10: '1e' is not a number"));
        assert!(error("out: noise 3").contains("'noise' takes no arguments, got 1"));
        assert!(error("out: impulse").contains("needs a frequency"));
        assert!(error("out: saw \"55 [110\"").contains("t.ph:1:18: in mini-notation: expected ']'"));
        assert!(error("~p: fast 2 $ \"1 2\"\nout: saw (fsat 2 ~p)").contains("t.ph:2:11: unknown function 'fsat'"));
        let deep_dollar = format!("out: {}\"1\"", "fast 1 $ ".repeat(3000));
        assert!(error(&deep_dollar).contains("nested more than"));
        let deep = format!("out: {}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(error(&deep).contains("nested more than"));
    }

    /// The values of control `key` at the onsets of cycle 0 of pattern expression `src`.
    fn values(src: &str, key: &str) -> Vec<String> {
        let pat = crate::lang::eval_pattern(src, "t").unwrap_or_else(|e| panic!("{e}"));
        let zero = phonon_components::Rational::ZERO;
        pat.onsets(zero, phonon_components::Rational::ONE)
            .iter()
            .map(|h| h.value.as_map().and_then(|m| m.get(key)).map_or("-".into(), |v| v.to_string()))
            .collect()
    }

    /// Tidal's operator family works on sound patterns as on any pattern: the output is the
    /// pattern itself, and it gives what the pattern engine gives.
    #[test]
    fn tidal_operators_on_sound_patterns() {
        let cases: &[(&str, &str, &[&str])] = &[
            (r#"s "bd*4" # gain 0.6 |* gain "1 0.7""#, "gain", &["0.6", "0.6", "0.42", "0.42"]),
            (r#"s "bd*2" |+| gain "0.1 0.2 0.3""#, "gain", &["0.1", "0.2", "0.2", "0.3"]),
            (r#"s "bd*2" |+ n "1 2 3""#, "n", &["1", "2"]),
            (r#"s "bd*2" +| n "1 2 3""#, "n", &["1", "2", "3"]),
            (r#"n "0 1" +| s "arpy sn cp""#, "s", &["arpy", "sn", "cp"]),
            (r#"s "bd*2" # n 3 |- n 1"#, "n", &["2", "2"]),
            (r#"s "bd*2" # speed 2 |/ speed "1 4""#, "speed", &["2", "0.5"]),
            (r#"s "bd*2" # n 7 |% n 4"#, "n", &["3", "3"]),
            (r#"s "bd*2" # gain 0.5 |< gain 0.9"#, "gain", &["0.5", "0.5"]),
            (r#"s "bd*2" # gain 0.5 |> gain 0.9"#, "gain", &["0.9", "0.9"]),
            (r#"n "0 2" # s "arpy" + n 12"#, "n", &["12", "14"]),
            (r#"s "arpy*2" * n "<3 5>""#, "s", &["arpy", "arpy"]),
        ];
        for (src, key, want) in cases {
            let s = scene(&format!("out: {src}"));
            assert_eq!(s.outputs["out"], Expr::Pattern(src.to_string()), "{src}");
            assert_eq!(values(src, key), *want, "{src}");
        }
        // a pattern bus on the left
        let s = scene("~d: s \"bd*2\" # gain 0.8\nout: ~d |* gain 0.5 # pan 1");
        assert_eq!(s.outputs["out"], Expr::Pattern("~d |* gain 0.5 # pan 1".into()));
        // the result is still audio: effects and gains apply to the voices' sum
        let s = scene(r#"out: s "bd*4" |* gain "1 0.5" # lpf 800 0.7 * 0.5"#);
        let Expr::Mul(lpf, _) = &s.outputs["out"] else { panic!("{:?}", s.outputs["out"]) };
        let Expr::Lpf(input, _, _) = &**lpf else { panic!("{lpf:?}") };
        assert_eq!(**input, Expr::Pattern(r#"s "bd*4" |* gain "1 0.5""#.into()));
        // sound patterns mixed with sound patterns or scaled by numbers stay audio arithmetic
        let s = scene(r#"out: s "bd*2" * 0.8 + s "hh*4""#);
        assert!(matches!(&s.outputs["out"], Expr::Add(a, _) if matches!(**a, Expr::Mul(..))), "{:?}", s.outputs["out"]);
        // signals still refuse the pattern operators
        assert!(error("out: saw 55 |* gain 2").contains("'|*' works on patterns"));
        assert!(error(r#"out: s "bd" |+ saw 55"#).contains("'|+' works on patterns"));
    }
}

/// Print a scene in `.ph` syntax (the inverse of [`parse_ph`]; `Tones` lists have no `.ph` form).
pub fn to_ph(scene: &Scene) -> Result<String, String> {
    let mut out = format!("tempo: {}\n", scene.cps);
    for (name, e) in &scene.buses {
        out.push_str(&format!("~{name}: {}\n", print(e)?));
    }
    for (name, e) in &scene.outputs {
        out.push_str(&format!("{name}: {}\n", print(e)?));
    }
    Ok(out)
}

fn print(e: &Expr) -> Result<String, String> {
    let p = |x: &Expr| print(x);
    // an effect applied to its input: `input # fx args`, or just `fx args` inside a chain bus
    let fx = |input: &Expr, rest: String| -> Result<String, String> {
        Ok(if *input == Expr::Input { format!("({rest})") } else { format!("({} # {rest})", p(input)?) })
    };
    Ok(match e {
        Expr::Num(n) if *n < 0.0 => format!("({n})"),
        Expr::Num(n) => format!("{n}"),
        Expr::Bus(n) => format!("~{n}"),
        Expr::Pattern(t) => format!("({t})"),
        Expr::Sine(f) if **f == Expr::Freq => "sine".into(),
        Expr::Saw(f) if **f == Expr::Freq => "saw".into(),
        Expr::Square(f) if **f == Expr::Freq => "square".into(),
        Expr::Tri(f) if **f == Expr::Freq => "tri".into(),
        Expr::Sine(f) => format!("(sine {})", p(f)?),
        Expr::Saw(f) => format!("(saw {})", p(f)?),
        Expr::Square(f) => format!("(square {})", p(f)?),
        Expr::Tri(f) => format!("(tri {})", p(f)?),
        Expr::Impulse(f) => format!("(impulse {})", p(f)?),
        Expr::Noise => "noise".into(),
        Expr::Add(a, b) => format!("({} + {})", p(a)?, p(b)?),
        Expr::Sub(a, b) => format!("({} - {})", p(a)?, p(b)?),
        Expr::Mul(a, b) => format!("({} * {})", p(a)?, p(b)?),
        Expr::Div(a, b) => format!("({} / {})", p(a)?, p(b)?),
        Expr::Lpf(i, c, q) => fx(i, format!("lpf {} {}", p(c)?, p(q)?))?,
        Expr::Hpf(i, c, q) => fx(i, format!("hpf {} {}", p(c)?, p(q)?))?,
        Expr::Bpf(i, c, q) => fx(i, format!("bpf {} {}", p(c)?, p(q)?))?,
        Expr::Delay(i, t, f, m) => fx(i, format!("delay {} {} {}", p(t)?, p(f)?, p(m)?))?,
        Expr::Apply(i, n) => fx(i, format!("~{n}"))?,
        Expr::Wavetable(sample, f, pos) => format!("(wavetable {sample:?} {} {})", p(f)?, p(pos)?),
        Expr::External(name, default) => {
            format!("(cF {} {name:?})", if *default < 0.0 { format!("({default})") } else { default.to_string() })
        }
        Expr::Node(n, args) => {
            let effect = phonon_systems::dsp::catalogue::find(n).is_some_and(|d| d.effect);
            let typed = if effect { args.get(1..).unwrap_or_default() } else { &args[..] };
            let mut s = n.clone();
            for a in typed {
                s.push(' ');
                s.push_str(&p(a)?);
            }
            match (effect, args.first()) {
                (true, Some(i)) => fx(i, s)?,
                _ => format!("({s})"),
            }
        }
        Expr::Input => return Err("an effect chain's input can only appear as the first input of an effect".into()),
        Expr::Tones(_) => return Err("tone lists (Tones) have no .ph form yet; keep this scene as .ron".into()),
        Expr::Synth(body, controls) => {
            let mut s = p(body)?;
            for c in controls {
                s.push_str(&format!(" # ({c})"));
            }
            format!("({s})")
        }
        Expr::Freq => return Err("a voice's note frequency can only be the frequency of an oscillator".into()),
    })
}

#[cfg(test)]
mod print_tests {
    use super::*;

    /// `.ph` → Scene → `.ph` → Scene gives the same scene.
    #[test]
    fn printing_round_trips() {
        let src = "tempo: 0.5625\n~lfo: sine 0.25 * 800 + 1200\n~notes: \"55 82.5 <110 73.4>\" $ fast 2\n~fx: delay 0.375 0.4 0.3 # lpf 3000 # ~more\n~more: hpf 40\nout: (saw ~notes # lpf ~lfo 1.5 # ~fx) * 0.3 - noise * (-0.01)\no2: square 110 # bpf 700 2\n";
        let a = parse_ph(src, "a.ph").unwrap();
        let text = to_ph(&a).unwrap();
        let b = parse_ph(&text, "b.ph").unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(a, b, "{text}");
    }
}
