//! Evaluating expressions into patterns: values, application, operators, controls.

use super::builtins;
use super::parser::{Expr, ExprKind};
use crate::pattern::{ControlMap, Pattern, Time, Value};
use phonon_components::Rational;
use std::sync::Arc;

/// A pattern of dynamic values: what text evaluates to.
pub type Pat = Pattern<Value>;

/// A function from patterns to patterns (the same type as `pattern::transform::Transform<Value>`).
pub type Xf = Arc<dyn Fn(&Pat) -> Pat + Send + Sync>;

/// An evaluation error at a byte offset of the source.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    /// Byte offset into the source text.
    pub pos: usize,
    /// What went wrong, one sentence.
    pub msg: String,
}

/// The result of evaluation steps.
pub type EResult<T> = Result<T, EvalError>;

/// Largest count a function that builds one pattern, piece or repeat per count accepts
/// (`iter 1e12` would allocate terabytes): the same bound as mini-notation's repetitions.
pub const MAX_COUNT: i64 = 4096;

/// `Err(EvalError { pos, msg })`.
pub fn err<T>(pos: usize, msg: impl Into<String>) -> EResult<T> {
    Err(EvalError { pos, msg: msg.into() })
}

type Closure = Arc<dyn Fn(Val, usize) -> EResult<Val> + Send + Sync>;

/// A function value: a builtin waiting for `arity` arguments, or a closure of one argument.
#[derive(Clone)]
pub enum Func {
    /// A library function, curried: applied to an argument it collects it in `args`, and runs
    /// `imp` once it has `arity` of them.
    Builtin {
        /// The name it is called by (for messages).
        name: &'static str,
        /// How many arguments it takes.
        arity: usize,
        /// The arguments collected so far (fewer than `arity`).
        args: Vec<Val>,
        /// The implementation: the arguments and the byte offset of the application.
        imp: builtins::Imp,
    },
    /// A function of one argument (a section, a composition, a partial operator), given the
    /// argument and the byte offset of the application.
    Closure(Closure),
}

/// What an expression evaluates to.
#[derive(Clone)]
pub enum Val {
    /// A number literal, or arithmetic on numbers only.
    Num(f64),
    /// A string literal, kept as text until its use decides what it means (mini-notation);
    /// the offset is where its text starts, for error columns.
    Str(Arc<str>, usize),
    /// A pattern.
    Pat(Pat),
    /// A function waiting for arguments.
    Func(Func),
    /// `[a, b, c]`.
    List(Vec<Val>),
    /// `(a, b)`.
    Tuple(Vec<Val>),
}

impl Val {
    /// What kind of value this is, with an article, for messages (`"a pattern"`).
    pub fn kind(&self) -> &'static str {
        match self {
            Val::Num(_) => "a number",
            Val::Str(..) => "a string",
            Val::Pat(_) => "a pattern",
            Val::Func(_) => "a function",
            Val::List(_) => "a list",
            Val::Tuple(_) => "a tuple",
        }
    }

    /// A [`Func::Closure`] of `f`.
    pub fn closure(f: impl Fn(Val, usize) -> EResult<Val> + Send + Sync + 'static) -> Val {
        Val::Func(Func::Closure(Arc::new(f)))
    }

    /// As a pattern of values: numbers become `pure`, strings are parsed as mini-notation.
    pub fn to_pat(&self, pos: usize) -> EResult<Pat> {
        match self {
            Val::Pat(p) => Ok(p.clone()),
            Val::Num(n) => Ok(Pattern::pure(Value::Num(*n))),
            Val::Str(s, at) => crate::pattern::mini::parse_mini(s).map_err(|e| EvalError {
                pos: at + s.char_indices().nth(e.column.saturating_sub(1)).map_or(s.len(), |(i, _)| i),
                msg: format!("in mini-notation: {}", e.message),
            }),
            Val::List(items) => Ok(Pattern::fastcat(items.iter().map(|v| v.to_pat(pos)).collect::<EResult<_>>()?)),
            other => err(pos, format!("expected a pattern, found {}", other.kind())),
        }
    }

    /// As a pattern of numbers (note names count as numbers; other values are dropped).
    pub fn to_num_pat(&self, pos: usize) -> EResult<Pattern<f64>> {
        Ok(self.to_pat(pos)?.filter_values(|v| v.as_num().is_some()).fmap(|v| v.as_num().unwrap_or(0.0)))
    }

    /// As a pattern of exact times (numbers approximated to within 1/1000000).
    pub fn to_time_pat(&self, pos: usize) -> EResult<Pattern<Time>> {
        if let Val::Num(n) = self {
            let t = to_time(*n).ok_or_else(|| EvalError { pos, msg: format!("{n} is not a usable time") })?;
            return Ok(Pattern::pure(t));
        }
        Ok(self.to_num_pat(pos)?.filter_values(|x| to_time(*x).is_some()).fmap(|x| to_time(*x).unwrap_or(Rational::ZERO)))
    }

    /// As a pattern of integers (rounded towards negative infinity).
    pub fn to_int_pat(&self, pos: usize) -> EResult<Pattern<i64>> {
        Ok(self.to_num_pat(pos)?.fmap(|x| x.floor() as i64))
    }

    /// As a pattern of counts: how many patterns, pieces or repeats a function builds (`iter`,
    /// `chunk`, `chop`, `striate`, `stut`, `echo`, euclid's hits and steps). A number beyond
    /// ±[`MAX_COUNT`] is an error; counts from a pattern are clamped to ±[`MAX_COUNT`].
    pub fn to_count_pat(&self, pos: usize) -> EResult<Pattern<i64>> {
        if let Val::Num(n) = self
            && n.abs() > MAX_COUNT as f64
        {
            return err(pos, format!("{n} is too large a count here (at most {MAX_COUNT})"));
        }
        Ok(self.to_int_pat(pos)?.fmap(|n| (*n).clamp(-MAX_COUNT, MAX_COUNT)))
    }

    /// As a pattern of booleans: `t`/`f`, `1`/`0`, `true`/`false`.
    pub fn to_bool_pat(&self, pos: usize) -> EResult<Pattern<bool>> {
        Ok(self.to_pat(pos)?.filter_values(|v| v.as_bool().is_some()).fmap(|v| v.as_bool().unwrap_or(false)))
    }

    /// A plain number (a constant, not a pattern).
    pub fn to_num(&self, pos: usize) -> EResult<f64> {
        match self {
            Val::Num(n) => Ok(*n),
            Val::Str(s, _) if s.trim().parse::<f64>().is_ok() => Ok(s.trim().parse().unwrap_or(0.0)),
            other => err(pos, format!("expected a number, found {}", other.kind())),
        }
    }

    /// A function from patterns to patterns; checked once on silence so a type error is
    /// reported now, not while music plays.
    pub fn to_transform(&self, pos: usize) -> EResult<Xf> {
        let Val::Func(_) = self else { return err(pos, format!("expected a function, found {}", self.kind())) };
        apply(self.clone(), Val::Pat(Pattern::silence()), pos)?.to_pat(pos)?;
        let f = self.clone();
        Ok(Arc::new(move |p: &Pat| {
            apply(f.clone(), Val::Pat(p.clone()), pos).and_then(|v| v.to_pat(pos)).unwrap_or_else(|_| Pattern::silence())
        }))
    }

    /// The items of a [`Val::List`]; anything else is an error at `pos`.
    pub fn to_list(&self, pos: usize) -> EResult<Vec<Val>> {
        match self {
            Val::List(v) => Ok(v.clone()),
            other => err(pos, format!("expected a list [a, b, …], found {}", other.kind())),
        }
    }
}

/// `x` cycles as an exact time: a fraction with a denominator of at most 1 000 000
/// ([`Rational::approximate`]); `None` for NaN, infinities and magnitudes above 1e15.
pub fn to_time(x: f64) -> Option<Time> {
    Rational::approximate(x, 1_000_000)
}

/// Apply a function value to an argument.
pub fn apply(f: Val, arg: Val, pos: usize) -> EResult<Val> {
    match f {
        Val::Func(Func::Closure(c)) => c(arg, pos),
        Val::Func(Func::Builtin { name, arity, mut args, imp }) => {
            args.push(arg);
            if args.len() == arity { imp(&args, pos) } else { Ok(Val::Func(Func::Builtin { name, arity, args, imp })) }
        }
        other => err(pos, format!("{} is not a function and cannot take an argument", other.kind())),
    }
}

/// Evaluation context: how bus names resolve.
pub trait Env {
    /// The value of bus `~name`, or an error at `pos` (an unknown bus, a signal bus, a bus
    /// defined in terms of itself).
    fn bus(&self, name: &str, pos: usize) -> EResult<Val>;
}

/// No buses: `~name` is an error.
pub struct NoBuses;
impl Env for NoBuses {
    fn bus(&self, name: &str, pos: usize) -> EResult<Val> {
        err(pos, format!("unknown bus '~{name}'"))
    }
}

/// Evaluate an expression tree. Errors carry the byte offset of the subexpression at fault.
pub fn eval(e: &Expr, env: &dyn Env) -> EResult<Val> {
    let pos = e.pos;
    match &e.kind {
        ExprKind::Num(n) => Ok(Val::Num(*n)),
        ExprKind::Str(s) => Ok(Val::Str(Arc::from(s.as_str()), pos + 1)),
        ExprKind::Name(n) => builtins::lookup(n, pos),
        ExprKind::Bus(b) => env.bus(b, pos),
        ExprKind::Keyword(k) => err(pos, format!("':{k}' is a keyword argument; only signal functions (lpf, delay …) take them")),
        ExprKind::App(f, a) => {
            let f = eval(f, env)?;
            let a = eval(a, env)?;
            apply(f, a, pos)
        }
        ExprKind::Op(op, a, b) => {
            let a = eval(a, env)?;
            let b = eval(b, env)?;
            binop(op, a, b, pos)
        }
        ExprKind::SectionLeft(op, a) => {
            let a = eval(a, env)?;
            let op = op.clone();
            Ok(Val::closure(move |b, p| binop(&op, a.clone(), b, p)))
        }
        ExprKind::SectionRight(op, b) => {
            let b = eval(b, env)?;
            let op = op.clone();
            Ok(Val::closure(move |a, p| binop(&op, a, b.clone(), p)))
        }
        ExprKind::OpFunc(op) => {
            let op = op.clone();
            Ok(Val::closure(move |a, _| {
                let op = op.clone();
                Ok(Val::closure(move |b, p| binop(&op, a.clone(), b, p)))
            }))
        }
        ExprKind::Neg(x) => match eval(x, env)? {
            Val::Num(n) => Ok(Val::Num(-n)),
            other => Ok(Val::Pat(other.to_pat(pos)?.fmap(|v| num_op("*", v, &Value::Num(-1.0))))),
        },
        ExprKind::List(items) => Ok(Val::List(items.iter().map(|i| eval(i, env)).collect::<EResult<_>>()?)),
        ExprKind::Tuple(items) => Ok(Val::Tuple(items.iter().map(|i| eval(i, env)).collect::<EResult<_>>()?)),
    }
}

/// `a op b`.
pub fn binop(op: &str, a: Val, b: Val, pos: usize) -> EResult<Val> {
    match op {
        "$" => match (&a, &b) {
            (Val::Func(_), _) => apply(a, b, pos),
            // the original Phonon's postfix order: `s "bd sn" $ fast 2`
            (_, Val::Func(_)) => apply(b, a, pos),
            _ => err(pos, format!("'$' needs a function on one side, found {} and {}", a.kind(), b.kind())),
        },
        "." => {
            if !matches!(a, Val::Func(_)) || !matches!(b, Val::Func(_)) {
                return err(pos, format!("'.' composes functions, found {} and {}", a.kind(), b.kind()));
            }
            Ok(Val::closure(move |x, p| apply(a.clone(), apply(b.clone(), x, p)?, p)))
        }
        "<~" => Ok(Val::Pat(b.to_pat(pos)?.early_p(&a.to_time_pat(pos)?))),
        "~>" => Ok(Val::Pat(b.to_pat(pos)?.late_p(&a.to_time_pat(pos)?))),
        "+" | "-" | "*" | "/" | "%" => {
            if let (Val::Num(x), Val::Num(y)) = (&a, &b) {
                return Ok(Val::Num(num(op, *x, *y)));
            }
            let (pa, pb) = (a.to_pat(pos)?, b.to_pat(pos)?);
            let op = op.to_string();
            Ok(Val::Pat(pa.app_both(&pb, move |x, y| num_op(&op, x, y))))
        }
        "#" => tidal_op("|>", a, b, pos),
        _ if super::parser::is_tidal_op(op) => tidal_op(op, a, b, pos),
        _ => err(pos, format!("unknown operator '{op}'")),
    }
}

/// `|+|`, `|+`, `+|` … : structure from both, the left, or the right.
fn tidal_op(op: &str, a: Val, b: Val, pos: usize) -> EResult<Val> {
    let left = op.starts_with('|');
    let right = op.ends_with('|');
    let core = op.trim_matches('|').to_string();
    let (pa, pb) = (a.to_pat(pos)?, b.to_pat(pos)?);
    let f = move |x: &Value, y: &Value| num_op(&core, x, y);
    Ok(Val::Pat(match (left, right) {
        (true, true) => pa.app_both(&pb, f),
        (true, false) => pa.app_left(&pb, f),
        _ => pa.app_right(&pb, f),
    }))
}

fn num(op: &str, x: f64, y: f64) -> f64 {
    match op {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        "/" => {
            if y == 0.0 {
                0.0
            } else {
                x / y
            }
        }
        // Haskell's mod': the result has the sign of the divisor
        "%" => {
            if y == 0.0 {
                0.0
            } else {
                x - y * (x / y).floor()
            }
        }
        "**" => x.powf(y),
        "<" => x,
        _ => y, // ">"
    }
}

/// A value operator, as Tidal applies it to numbers, strings and control maps.
///
/// Maps merge (Tidal's `Map.union` family): keys on one side only are kept; shared keys get
/// the operator (`<` keeps the left value, `>` the right). A bare number meeting a map stands
/// for `n` (an integer) or `speed` (a fraction), as Tidal's `Num`/`Fractional` instances for
/// control maps make it; strings keep the left value for arithmetic (Tidal 1.9).
pub fn num_op(op: &str, a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            let mut m: ControlMap = (**x).clone();
            for (k, vy) in y.iter() {
                let merged = match m.get(k) {
                    Some(vx) => num_op(op, vx, vy),
                    None => vy.clone(),
                };
                m.insert(k.clone(), merged);
            }
            Value::Map(Arc::new(m))
        }
        (Value::Map(_), Value::Num(_)) => num_op(op, a, &n_map(b.clone())),
        (Value::Num(_), Value::Map(_)) => num_op(op, &n_map(a.clone()), b),
        _ if op == "<" => a.clone(),
        _ if op == ">" => b.clone(),
        (Value::Str(_), _) | (_, Value::Str(_)) => a.clone(),
        _ => match (a.as_num(), b.as_num()) {
            (Some(x), Some(y)) => Value::Num(num(op, x, y)),
            _ => a.clone(),
        },
    }
}

fn n_map(v: Value) -> Value {
    let key = match v {
        Value::Num(x) if x.fract() != 0.0 => "speed",
        _ => "n",
    };
    let mut m = ControlMap::new();
    m.insert(Arc::from(key), v);
    Value::Map(Arc::new(m))
}
