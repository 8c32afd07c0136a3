//! Names for the transform library (`pattern::transform`, `pattern::controls`): Tidal's names,
//! Tidal's argument order, every numeric argument patternable.

use super::eval::{EResult, EvalError, Func, Pat, Val, err, to_time};
use crate::pattern::transform::{self as tr, Transform};
use crate::pattern::{Pattern, Time, Value};

type Imp = super::builtins::Imp;

fn ok(p: Pat) -> EResult<Val> {
    Ok(Val::Pat(p))
}

fn num_pat(p: Pattern<f64>) -> Val {
    Val::Pat(p.fmap(|x| Value::Num(*x)))
}

fn f(v: &Val, pos: usize) -> EResult<Transform<Value>> {
    v.to_transform(pos)
}

fn span(v: &Val, pos: usize) -> EResult<(Time, Time)> {
    let Val::Tuple(t) = v else { return err(pos, format!("expected a pair like (0.25, 0.75), found {}", v.kind())) };
    if t.len() != 2 {
        return err(pos, "expected a pair like (0.25, 0.75)");
    }
    let time = |x: f64| to_time(x).ok_or_else(|| EvalError { pos, msg: format!("{x} is not a usable time") });
    Ok((time(t[0].to_num(pos)?)?, time(t[1].to_num(pos)?)?))
}

fn str_pat(v: &Val, pos: usize) -> EResult<Pattern<String>> {
    Ok(v.to_pat(pos)?.fmap(|x| x.to_string()))
}

/// A plain value for `choose`/`wchoose` lists (strings are words, not mini-notation).
fn plain(v: &Val, pos: usize) -> EResult<Value> {
    match v {
        Val::Num(n) => Ok(Value::Num(*n)),
        Val::Str(s, _) => Ok(Value::Str(s.clone())),
        other => err(pos, format!("expected a number or a string, found {}", other.kind())),
    }
}

fn pats(v: &Val, pos: usize) -> EResult<Vec<Pat>> {
    v.to_list(pos)?.iter().map(|x| x.to_pat(pos)).collect()
}

fn weighted<T>(v: &Val, pos: usize, item: impl Fn(&Val) -> EResult<T>) -> EResult<Vec<(T, f64)>> {
    v.to_list(pos)?
        .iter()
        .map(|x| match x {
            Val::Tuple(t) if t.len() == 2 => Ok((item(&t[0])?, t[1].to_num(pos)?)),
            _ => err(pos, "expected a list of (value, weight) pairs"),
        })
        .collect()
}

fn controls(keys: &[&'static str], vals: Vec<Pattern<f64>>) -> Val {
    let keys: Vec<&'static str> = keys.to_vec();
    let mut pat = vals[0].fmap(|x| vec![*x]);
    for v in &vals[1..] {
        pat = pat.app_both(v, |a, b| {
            let mut a = a.clone();
            a.push(*b);
            a
        });
    }
    Val::Pat(pat.fmap(move |xs| {
        let m: crate::pattern::ControlMap = keys.iter().zip(xs).map(|(k, x)| (std::sync::Arc::from(*k), Value::Num(*x))).collect();
        Value::Map(std::sync::Arc::new(m))
    }))
}

const LIB: &[(&str, usize, Imp)] = &[
    ("ar", 2, |a, p| Ok(controls(&["attack", "release"], vec![a[0].to_num_pat(p)?, a[1].to_num_pat(p)?]))),
    ("adsr", 4, |a, p| {
        let v = vec![a[0].to_num_pat(p)?, a[1].to_num_pat(p)?, a[2].to_num_pat(p)?, a[3].to_num_pat(p)?];
        Ok(controls(&["attack", "decay", "sustainlevel", "release"], v))
    }),
    ("hurry", 2, |a, p| ok(a[1].to_pat(p)?.hurry(&a[0].to_time_pat(p)?))),
    ("palindrome", 1, |a, p| ok(a[0].to_pat(p)?.palindrome())),
    ("iter", 2, |a, p| ok(a[1].to_pat(p)?.iter(&a[0].to_count_pat(p)?))),
    ("iter'", 2, |a, p| ok(a[1].to_pat(p)?.iter_back(&a[0].to_count_pat(p)?))),
    ("ply", 2, |a, p| ok(a[1].to_pat(p)?.ply(&a[0].to_time_pat(p)?))),
    ("linger", 2, |a, p| ok(a[1].to_pat(p)?.linger(&a[0].to_time_pat(p)?))),
    ("trunc", 2, |a, p| ok(a[1].to_pat(p)?.trunc(&a[0].to_time_pat(p)?))),
    ("chunk", 3, |a, p| ok(a[2].to_pat(p)?.chunk(&a[0].to_count_pat(p)?, f(&a[1], p)?))),
    ("chunk'", 3, |a, p| ok(a[2].to_pat(p)?.chunk_back(&a[0].to_count_pat(p)?, f(&a[1], p)?))),
    ("every", 3, |a, p| ok(a[2].to_pat(p)?.every(&a[0].to_int_pat(p)?, f(&a[1], p)?))),
    ("every'", 4, |a, p| ok(a[3].to_pat(p)?.every_offset(&a[0].to_int_pat(p)?, &a[1].to_int_pat(p)?, f(&a[2], p)?))),
    ("whenmod", 4, |a, p| ok(a[3].to_pat(p)?.whenmod(&a[0].to_time_pat(p)?, &a[1].to_time_pat(p)?, f(&a[2], p)?))),
    ("within", 3, |a, p| {
        let (b, e) = span(&a[0], p)?;
        ok(a[2].to_pat(p)?.within(b, e, f(&a[1], p)?))
    }),
    ("inside", 3, |a, p| ok(a[2].to_pat(p)?.inside(&a[0].to_time_pat(p)?, f(&a[1], p)?))),
    ("outside", 3, |a, p| ok(a[2].to_pat(p)?.outside(&a[0].to_time_pat(p)?, f(&a[1], p)?))),
    ("while", 3, |a, p| ok(a[2].to_pat(p)?.while_(&a[0].to_bool_pat(p)?, f(&a[1], p)?))),
    ("sometimesBy", 3, |a, p| ok(a[2].to_pat(p)?.sometimes_by(&a[0].to_num_pat(p)?, f(&a[1], p)?))),
    ("sometimes", 2, |a, p| ok(a[1].to_pat(p)?.sometimes(f(&a[0], p)?))),
    ("often", 2, |a, p| ok(a[1].to_pat(p)?.often(f(&a[0], p)?))),
    ("rarely", 2, |a, p| ok(a[1].to_pat(p)?.rarely(f(&a[0], p)?))),
    ("almostNever", 2, |a, p| ok(a[1].to_pat(p)?.almost_never(f(&a[0], p)?))),
    ("almostAlways", 2, |a, p| ok(a[1].to_pat(p)?.almost_always(f(&a[0], p)?))),
    ("always", 2, |a, p| ok(a[1].to_pat(p)?.always(f(&a[0], p)?))),
    ("never", 2, |a, p| ok(a[1].to_pat(p)?.never(f(&a[0], p)?))),
    ("someCyclesBy", 3, |a, p| ok(a[2].to_pat(p)?.some_cycles_by(&a[0].to_num_pat(p)?, f(&a[1], p)?))),
    ("someCycles", 2, |a, p| ok(a[1].to_pat(p)?.some_cycles(f(&a[0], p)?))),
    ("superimpose", 2, |a, p| ok(a[1].to_pat(p)?.superimpose(f(&a[0], p)?))),
    ("layer", 2, |a, p| {
        let fs = a[0].to_list(p)?.iter().map(|x| f(x, p)).collect::<EResult<Vec<_>>>()?;
        ok(a[1].to_pat(p)?.layer(&fs))
    }),
    ("off", 3, |a, p| ok(a[2].to_pat(p)?.off(&a[0].to_time_pat(p)?, f(&a[1], p)?))),
    ("stut", 4, |a, p| ok(a[3].to_pat(p)?.stut(&a[0].to_count_pat(p)?, &a[1].to_num_pat(p)?, &a[2].to_time_pat(p)?))),
    ("stutWith", 4, |a, p| ok(a[3].to_pat(p)?.stut_with(&a[0].to_count_pat(p)?, &a[1].to_time_pat(p)?, f(&a[2], p)?))),
    ("echo", 4, |a, p| ok(a[3].to_pat(p)?.echo(&a[0].to_count_pat(p)?, &a[1].to_time_pat(p)?, &a[2].to_num_pat(p)?))),
    ("echoWith", 4, |a, p| ok(a[3].to_pat(p)?.echo_with(&a[0].to_count_pat(p)?, &a[1].to_time_pat(p)?, f(&a[2], p)?))),
    ("chop", 2, |a, p| ok(a[1].to_pat(p)?.chop(&a[0].to_count_pat(p)?))),
    ("striate", 2, |a, p| ok(a[1].to_pat(p)?.striate(&a[0].to_count_pat(p)?))),
    ("slice", 3, |a, p| ok(a[2].to_pat(p)?.slice(&a[0].to_int_pat(p)?, &a[1].to_int_pat(p)?))),
    ("splice", 3, |a, p| ok(a[2].to_pat(p)?.splice(&a[0].to_int_pat(p)?, &a[1].to_int_pat(p)?))),
    ("loopAt", 2, |a, p| ok(a[1].to_pat(p)?.loop_at(&a[0].to_time_pat(p)?))),
    ("jux", 2, |a, p| ok(a[1].to_pat(p)?.jux(f(&a[0], p)?))),
    ("juxBy", 3, |a, p| ok(a[2].to_pat(p)?.jux_by(&a[0].to_num_pat(p)?, f(&a[1], p)?))),
    ("ghost", 1, |a, p| ok(a[0].to_pat(p)?.ghost())),
    ("fix", 3, |a, p| ok(a[2].to_pat(p)?.fix(f(&a[0], p)?, &a[1].to_pat(p)?))),
    ("unfix", 3, |a, p| ok(a[2].to_pat(p)?.unfix(f(&a[0], p)?, &a[1].to_pat(p)?))),
    ("contrast", 4, |a, p| ok(a[3].to_pat(p)?.contrast(f(&a[0], p)?, f(&a[1], p)?, &a[2].to_pat(p)?))),
    ("struct", 2, |a, p| ok(a[1].to_pat(p)?.struct_(&a[0].to_bool_pat(p)?))),
    ("mask", 2, |a, p| ok(a[1].to_pat(p)?.mask(&a[0].to_bool_pat(p)?))),
    ("sew", 3, |a, p| ok(Pattern::sew(&a[0].to_bool_pat(p)?, &a[1].to_pat(p)?, &a[2].to_pat(p)?))),
    ("stitch", 3, |a, p| ok(Pattern::stitch(&a[0].to_bool_pat(p)?, &a[1].to_pat(p)?, &a[2].to_pat(p)?))),
    ("swingBy", 3, |a, p| ok(a[2].to_pat(p)?.swing_by(&a[0].to_time_pat(p)?, &a[1].to_time_pat(p)?))),
    ("swing", 2, |a, p| ok(a[1].to_pat(p)?.swing(&a[0].to_time_pat(p)?))),
    ("brak", 1, |a, p| ok(a[0].to_pat(p)?.brak())),
    ("press", 1, |a, p| ok(a[0].to_pat(p)?.press())),
    ("pressBy", 2, |a, p| ok(a[1].to_pat(p)?.press_by(&a[0].to_time_pat(p)?))),
    ("rot", 2, |a, p| ok(a[1].to_pat(p)?.rot(&a[0].to_int_pat(p)?))),
    ("run", 1, |a, p| Ok(num_pat(tr::run(&a[0].to_num_pat(p)?)))),
    ("scan", 1, |a, p| Ok(num_pat(tr::scan(&a[0].to_num_pat(p)?)))),
    ("range", 3, |a, p| Ok(num_pat(a[2].to_num_pat(p)?.range(&a[0].to_num_pat(p)?, &a[1].to_num_pat(p)?)))),
    ("rangex", 3, |a, p| Ok(num_pat(a[2].to_num_pat(p)?.rangex(a[0].to_num(p)?, a[1].to_num(p)?)))),
    ("quantise", 2, |a, p| Ok(num_pat(a[1].to_num_pat(p)?.quantise(a[0].to_num(p)?)))),
    ("scale", 2, |a, p| Ok(num_pat(a[1].to_int_pat(p)?.scale(&str_pat(&a[0], p)?)))),
    ("toScale", 2, |a, p| {
        let steps = a[0].to_list(p)?.iter().map(|x| x.to_num(p)).collect::<EResult<Vec<_>>>()?;
        Ok(num_pat(a[1].to_int_pat(p)?.to_scale(&steps)))
    }),
    ("toScale'", 3, |a, p| {
        let steps = a[1].to_list(p)?.iter().map(|x| x.to_num(p)).collect::<EResult<Vec<_>>>()?;
        Ok(num_pat(a[2].to_int_pat(p)?.to_scale_octave(a[0].to_num(p)? as i64, &steps)))
    }),
    ("arpeggiate", 1, |a, p| ok(a[0].to_pat(p)?.arpeggiate())),
    ("arp", 2, |a, p| ok(a[1].to_pat(p)?.arp(&str_pat(&a[0], p)?))),
    ("choose", 1, |a, p| ok(Pattern::choose(a[0].to_list(p)?.iter().map(|x| plain(x, p)).collect::<EResult<_>>()?))),
    ("wchoose", 1, |a, p| ok(Pattern::wchoose(weighted(&a[0], p, |x| plain(x, p))?))),
    ("randcat", 1, |a, p| ok(Pattern::randcat(pats(&a[0], p)?))),
    ("wrandcat", 1, |a, p| ok(Pattern::wrandcat(weighted(&a[0], p, |x| x.to_pat(p))?))),
    ("append", 2, |a, p| ok(a[0].to_pat(p)?.append(&a[1].to_pat(p)?))),
    ("slowAppend", 2, |a, p| ok(a[0].to_pat(p)?.slow_append(&a[1].to_pat(p)?))),
    ("fastAppend", 2, |a, p| ok(a[0].to_pat(p)?.fast_append(&a[1].to_pat(p)?))),
];

/// Names bound here (for "did you mean").
pub const NAMES: &[&str] = &[
    "ar",
    "adsr",
    "hurry",
    "palindrome",
    "iter",
    "iter'",
    "ply",
    "linger",
    "trunc",
    "chunk",
    "chunk'",
    "every",
    "every'",
    "whenmod",
    "within",
    "inside",
    "outside",
    "while",
    "sometimesBy",
    "sometimes",
    "often",
    "rarely",
    "almostNever",
    "almostAlways",
    "always",
    "never",
    "someCyclesBy",
    "someCycles",
    "superimpose",
    "layer",
    "off",
    "stut",
    "stutWith",
    "echo",
    "echoWith",
    "chop",
    "striate",
    "slice",
    "splice",
    "loopAt",
    "jux",
    "juxBy",
    "ghost",
    "fix",
    "unfix",
    "contrast",
    "struct",
    "mask",
    "sew",
    "stitch",
    "swingBy",
    "swing",
    "brak",
    "press",
    "pressBy",
    "rot",
    "run",
    "scan",
    "range",
    "rangex",
    "quantise",
    "scale",
    "toScale",
    "toScale'",
    "arpeggiate",
    "arp",
    "choose",
    "wchoose",
    "randcat",
    "wrandcat",
    "append",
    "slowAppend",
    "fastAppend",
];

/// The library function `name`, with no arguments applied yet; `None` if the library has no
/// such name. `_pos` is unused (the result is never an error).
pub fn lookup(name: &str, _pos: usize) -> Option<EResult<Val>> {
    let (name, arity, imp) = LIB.iter().find(|d| d.0 == name)?;
    Some(Ok(Val::Func(Func::Builtin { name, arity: *arity, args: Vec::new(), imp: *imp })))
}

#[cfg(test)]
mod tests {
    /// Every bound name is listed for suggestions, and the other way round.
    #[test]
    fn names_match_the_table() {
        let mut a: Vec<_> = super::LIB.iter().map(|d| d.0).collect();
        let mut b = super::NAMES.to_vec();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }
}
