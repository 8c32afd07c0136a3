//! The names an expression can use: pattern functions, controls, signals.

use super::eval::{EResult, Pat, Val, err};
use crate::error::did_you_mean;
use crate::pattern::{ControlMap, Pattern, Value, signal as sg};
use std::sync::Arc;

/// A builtin's implementation: all its arguments, and where it was applied.
pub type Imp = fn(&[Val], usize) -> EResult<Val>;

struct Def {
    name: &'static str,
    arity: usize,
    imp: Imp,
}

fn pat(v: Val) -> EResult<Val> {
    Ok(v)
}

fn tparam2(a: Pattern<i64>, b: Pattern<i64>, f: impl Fn(i64, i64) -> Pat + Send + Sync + 'static) -> Pat {
    a.app_both(&b, |x, y| (*x, *y)).fmap(move |(x, y)| f(*x, *y)).inner_join()
}

fn tparam3(a: Pattern<i64>, b: Pattern<i64>, c: Pattern<i64>, f: impl Fn(i64, i64, i64) -> Pat + Send + Sync + 'static) -> Pat {
    a.app_both(&b, |x, y| (*x, *y)).app_both(&c, |(x, y), z| (*x, *y, *z)).fmap(move |(x, y, z)| f(*x, *y, *z)).inner_join()
}

fn tuple2(v: &Val, pos: usize) -> EResult<(f64, f64)> {
    match v {
        Val::Tuple(items) if items.len() == 2 => Ok((items[0].to_num(pos)?, items[1].to_num(pos)?)),
        other => err(pos, format!("expected a pair like (0.25, 0.75), found {}", other.kind())),
    }
}

fn time(x: f64, pos: usize) -> EResult<crate::pattern::Time> {
    super::eval::to_time(x).ok_or_else(|| super::eval::EvalError { pos, msg: format!("{x} is not a usable time") })
}

fn num_pat(p: Pattern<f64>) -> Val {
    Val::Pat(p.fmap(|x| Value::Num(*x)))
}

/// The core builtins (more are added by the transform library below).
const DEFS: &[Def] = &[
    Def { name: "id", arity: 1, imp: |a, _| pat(a[0].clone()) },
    Def { name: "silence", arity: 0, imp: |_, _| Ok(Val::Pat(Pattern::silence())) },
    Def { name: "pure", arity: 1, imp: |a, p| Ok(Val::Pat(a[0].to_pat(p)?)) },
    Def { name: "const", arity: 2, imp: |a, p| Ok(Val::Pat(a[0].to_pat(p)?)) },
    Def { name: "fast", arity: 2, imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.fast_p(&a[0].to_time_pat(p)?))) },
    Def { name: "slow", arity: 2, imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.slow_p(&a[0].to_time_pat(p)?))) },
    Def { name: "early", arity: 2, imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.early_p(&a[0].to_time_pat(p)?))) },
    Def { name: "late", arity: 2, imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.late_p(&a[0].to_time_pat(p)?))) },
    Def { name: "rotL", arity: 2, imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.early(time(a[0].to_num(p)?, p)?))) },
    Def { name: "rotR", arity: 2, imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.late(time(a[0].to_num(p)?, p)?))) },
    Def { name: "rev", arity: 1, imp: |a, p| Ok(Val::Pat(a[0].to_pat(p)?.rev())) },
    Def { name: "fastGap", arity: 2, imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.patterned(&a[0].to_time_pat(p)?, |x, r| x.fast_gap(*r)))) },
    Def {
        name: "compress",
        arity: 2,
        imp: |a, p| {
            let (b, e) = tuple2(&a[0], p)?;
            Ok(Val::Pat(a[1].to_pat(p)?.compress(time(b, p)?, time(e, p)?)))
        },
    },
    Def {
        name: "zoom",
        arity: 2,
        imp: |a, p| {
            let (b, e) = tuple2(&a[0], p)?;
            Ok(Val::Pat(a[1].to_pat(p)?.zoom(time(b, p)?, time(e, p)?)))
        },
    },
    Def { name: "segment", arity: 2, imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.patterned(&a[0].to_time_pat(p)?, |x, n| x.segment(*n)))) },
    Def { name: "stack", arity: 1, imp: |a, p| Ok(Val::Pat(Pattern::stack(pats(&a[0], p)?))) },
    Def { name: "overlay", arity: 2, imp: |a, p| Ok(Val::Pat(Pattern::stack(vec![a[0].to_pat(p)?, a[1].to_pat(p)?]))) },
    Def { name: "cat", arity: 1, imp: |a, p| Ok(Val::Pat(Pattern::slowcat(pats(&a[0], p)?))) },
    Def { name: "fastcat", arity: 1, imp: |a, p| Ok(Val::Pat(Pattern::fastcat(pats(&a[0], p)?))) },
    Def {
        name: "timecat",
        arity: 1,
        imp: |a, p| {
            let mut parts = Vec::new();
            for item in a[0].to_list(p)? {
                let Val::Tuple(t) = &item else { return err(p, "timecat takes a list of (weight, pattern) pairs") };
                if t.len() != 2 {
                    return err(p, "timecat takes a list of (weight, pattern) pairs");
                }
                parts.push((time(t[0].to_num(p)?, p)?, t[1].to_pat(p)?));
            }
            Ok(Val::Pat(Pattern::timecat(parts)))
        },
    },
    Def { name: "degrade", arity: 1, imp: |a, p| Ok(Val::Pat(a[0].to_pat(p)?.degrade_by(0.5))) },
    Def { name: "degradeBy", arity: 2, imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.patterned(&a[0].to_num_pat(p)?, |x, n| x.degrade_by(*n)))) },
    Def {
        name: "unDegradeBy",
        arity: 2,
        imp: |a, p| Ok(Val::Pat(a[1].to_pat(p)?.patterned(&a[0].to_num_pat(p)?, |x, n| x.undegrade_by(*n)))),
    },
    Def {
        name: "euclid",
        arity: 3,
        imp: |a, p| {
            let x = a[2].to_pat(p)?;
            Ok(Val::Pat(tparam2(a[0].to_count_pat(p)?, a[1].to_count_pat(p)?, move |k, n| x.euclid(k, n))))
        },
    },
    Def {
        name: "euclidInv",
        arity: 3,
        imp: |a, p| {
            let x = a[2].to_pat(p)?;
            Ok(Val::Pat(tparam2(a[0].to_count_pat(p)?, a[1].to_count_pat(p)?, move |k, n| x.euclid_inv(k, n))))
        },
    },
    Def {
        name: "euclidFull",
        arity: 4,
        imp: |a, p| {
            let (x, y) = (a[2].to_pat(p)?, a[3].to_pat(p)?);
            Ok(Val::Pat(tparam2(a[0].to_count_pat(p)?, a[1].to_count_pat(p)?, move |k, n| x.euclid_full(k, n, &y))))
        },
    },
    Def {
        name: "euclidOff",
        arity: 4,
        imp: |a, p| {
            let x = a[3].to_pat(p)?;
            Ok(Val::Pat(tparam3(a[0].to_count_pat(p)?, a[1].to_count_pat(p)?, a[2].to_int_pat(p)?, move |k, n, r| x.euclid_off(k, n, r))))
        },
    },
    Def {
        name: "eoff",
        arity: 4,
        imp: |a, p| {
            let x = a[3].to_pat(p)?;
            Ok(Val::Pat(tparam3(a[0].to_count_pat(p)?, a[1].to_count_pat(p)?, a[2].to_int_pat(p)?, move |k, n, r| x.euclid_off(k, n, r))))
        },
    },
    Def { name: "irand", arity: 1, imp: |a, p| Ok(num_pat(a[0].to_num_pat(p)?.fmap(|n| sg::irand(*n)).inner_join())) },
];

fn pats(v: &Val, pos: usize) -> EResult<Vec<Pat>> {
    v.to_list(pos)?.iter().map(|x| x.to_pat(pos)).collect()
}

/// How a control's values are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `s`/`sound`: a string, `name:index` also sets `n`.
    Sound,
    /// A number; note names count (`n "c e g"`).
    Num,
    /// A string (`vowel "a"`, `unit "c"`).
    Str,
}

/// Tidal's controls: the name a musician types → the key in the control map.
const CONTROLS: &[(&str, &str, Kind)] = &[
    ("s", "s", Kind::Sound),
    ("sound", "s", Kind::Sound),
    ("n", "n", Kind::Num),
    ("note", "note", Kind::Num),
    ("up", "note", Kind::Num),
    ("gain", "gain", Kind::Num),
    ("pan", "pan", Kind::Num),
    ("speed", "speed", Kind::Num),
    ("begin", "begin", Kind::Num),
    ("end", "end", Kind::Num),
    ("cut", "cut", Kind::Num),
    ("loop", "loop", Kind::Num),
    ("unit", "unit", Kind::Str),
    ("legato", "legato", Kind::Num),
    ("sustain", "sustain", Kind::Num),
    ("attack", "attack", Kind::Num),
    ("att", "attack", Kind::Num),
    ("release", "release", Kind::Num),
    ("rel", "release", Kind::Num),
    ("hold", "hold", Kind::Num),
    ("crush", "crush", Kind::Num),
    ("coarse", "coarse", Kind::Num),
    ("shape", "shape", Kind::Num),
    ("room", "room", Kind::Num),
    ("size", "size", Kind::Num),
    ("sz", "size", Kind::Num),
    ("vowel", "vowel", Kind::Str),
    ("cutoff", "cutoff", Kind::Num),
    ("lpf", "cutoff", Kind::Num),
    ("ctf", "cutoff", Kind::Num),
    ("resonance", "resonance", Kind::Num),
    ("lpq", "resonance", Kind::Num),
    ("res", "resonance", Kind::Num),
    ("hcutoff", "hcutoff", Kind::Num),
    ("hpf", "hcutoff", Kind::Num),
    ("hresonance", "hresonance", Kind::Num),
    ("hpq", "hresonance", Kind::Num),
    ("bandf", "bandf", Kind::Num),
    ("bpf", "bandf", Kind::Num),
    ("bandq", "bandq", Kind::Num),
    ("bpq", "bandq", Kind::Num),
    ("delay", "delay", Kind::Num),
    ("delaytime", "delaytime", Kind::Num),
    ("delayt", "delaytime", Kind::Num),
    ("delayfeedback", "delayfeedback", Kind::Num),
    ("delayfb", "delayfeedback", Kind::Num),
    ("orbit", "orbit", Kind::Num),
    ("accelerate", "accelerate", Kind::Num),
    ("squiz", "squiz", Kind::Num),
    ("velocity", "velocity", Kind::Num),
    ("amp", "amp", Kind::Num),
    ("channel", "channel", Kind::Num),
    ("dry", "dry", Kind::Num),
    ("octave", "octave", Kind::Num),
    ("detune", "detune", Kind::Num),
    ("voice", "voice", Kind::Num),
    ("decay", "decay", Kind::Num),
    ("pitch1", "pitch1", Kind::Num),
    ("pitch2", "pitch2", Kind::Num),
    ("pitch3", "pitch3", Kind::Num),
    ("semitone", "semitone", Kind::Num),
    ("rq", "rq", Kind::Num),
    ("rate", "rate", Kind::Num),
    ("lock", "lock", Kind::Num),
    ("cps", "cps", Kind::Num),
    ("nudge", "nudge", Kind::Num),
];

fn map1(key: &str, v: Value) -> Value {
    let mut m = ControlMap::new();
    m.insert(Arc::from(key), v);
    Value::Map(Arc::new(m))
}

/// `s "bd:3"` → `{s: "bd", n: 3}`.
fn sound_value(v: &Value) -> Option<Value> {
    let s = match v {
        Value::Str(s) => s.clone(),
        Value::Num(n) => Arc::from(n.to_string()),
        _ => return None,
    };
    let mut m = ControlMap::new();
    match s.split_once(':') {
        Some((name, idx)) => {
            m.insert(Arc::from("s"), Value::str(name));
            if let Ok(i) = idx.parse::<f64>() {
                m.insert(Arc::from("n"), Value::Num(i));
            }
        }
        None => {
            m.insert(Arc::from("s"), Value::Str(s));
        }
    }
    Some(Value::Map(Arc::new(m)))
}

fn control(key: &'static str, kind: Kind) -> Val {
    Val::closure(move |arg, pos| {
        let p = arg.to_pat(pos)?;
        Ok(Val::Pat(match kind {
            Kind::Sound => p.filter_values(|v| sound_value(v).is_some()).fmap(|v| sound_value(v).unwrap_or(Value::Bool(false))),
            Kind::Num => p.filter_values(|v| v.as_num().is_some()).fmap(move |v| map1(key, Value::Num(v.as_num().unwrap_or(0.0)))),
            Kind::Str => p.fmap(move |v| map1(key, Value::str(&v.to_string()))),
        }))
    })
}

fn signal(name: &str) -> Option<Pattern<f64>> {
    Some(match name {
        "sine" => sg::sine(),
        "cosine" => sg::cosine(),
        "saw" => sg::saw(),
        "isaw" => sg::isaw(),
        "tri" => sg::tri(),
        "square" => sg::square(),
        "envL" => sg::env_l(),
        "rand" => sg::rand(),
        "perlin" => sg::perlin(),
        _ => return None,
    })
}

/// Other spellings Tidal accepts for the same function: alias → name.
const ALIASES: &[(&str, &str)] = &[
    ("density", "fast"),
    ("sparsity", "slow"),
    ("fastgap", "fastGap"),
    ("zoomArc", "zoom"),
    ("slowcat", "cat"),
    ("fastCat", "fastcat"),
    ("stut'", "stutWith"),
    ("somecyclesBy", "someCyclesBy"),
    ("somecycles", "someCycles"),
    ("arpg", "arpeggiate"),
    ("slowappend", "slowAppend"),
    ("fastappend", "fastAppend"),
];

/// Every name known to the language (for "did you mean").
pub fn all_names() -> impl Iterator<Item = &'static str> {
    DEFS.iter()
        .map(|d| d.name)
        .chain(CONTROLS.iter().map(|c| c.0))
        .chain(["sine", "cosine", "saw", "isaw", "tri", "square", "envL", "rand", "perlin"])
        .chain(super::library::NAMES.iter().copied())
        .chain(ALIASES.iter().map(|a| a.0))
}

/// The value of a name.
pub fn lookup(name: &str, pos: usize) -> EResult<Val> {
    let name = ALIASES.iter().find(|a| a.0 == name).map_or(name, |a| a.1);
    if let Some(sig) = signal(name) {
        return Ok(num_pat(sig));
    }
    if let Some((_, key, kind)) = CONTROLS.iter().find(|c| c.0 == name) {
        return Ok(control(key, *kind));
    }
    if let Some(d) = DEFS.iter().find(|d| d.name == name) {
        return if d.arity == 0 {
            (d.imp)(&[], pos)
        } else {
            Ok(Val::Func(super::eval::Func::Builtin { name: d.name, arity: d.arity, args: Vec::new(), imp: d.imp }))
        };
    }
    if let Some(v) = super::library::lookup(name, pos) {
        return v;
    }
    err(pos, format!("unknown function '{name}'{}", did_you_mean(name, all_names())))
}

#[cfg(test)]
mod tests {
    /// Every alias names a function that exists.
    #[test]
    fn aliases_resolve() {
        for (alias, name) in super::ALIASES {
            assert!(super::lookup(alias, 0).is_ok(), "{alias} → {name} does not resolve");
        }
    }
}
