//! `phonon query`: the events of an expression over an arc, as JSON.

use crate::error::Error;
use crate::pattern::{Hap, Span, Value};
use phonon_components::Rational;
use serde_json::{Map, Value as Json, json};

fn time(t: Rational) -> Json {
    Json::String(format!("{}/{}", t.num(), t.den()))
}

fn span(s: Span) -> Json {
    json!([time(s.begin), time(s.end)])
}

/// A pattern value as JSON: control maps become objects, integral numbers integers.
pub fn value_json(v: &Value) -> Json {
    match v {
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => json!(*n as i64),
        Value::Num(n) => serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number),
        Value::Str(s) => Json::String(s.to_string()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.to_string(), value_json(v))).collect::<Map<_, _>>()),
    }
}

/// One event in the oracle's shape.
pub fn hap_json(h: &Hap<Value>) -> Json {
    json!({
        "whole": h.whole.map_or(Json::Null, span),
        "part": span(h.part),
        "value": value_json(&h.value),
    })
}

/// Parse a time given on the command line: `1`, `0.25`, `1/3`.
pub fn parse_time(s: &str) -> Result<Rational, Error> {
    crate::scene::parse_fraction(s).ok_or_else(|| Error::Usage(format!("'{s}' is not a time (use a number or a fraction like 1/3)")))
}

/// Query `pat`, turning the pattern engine's refusals into an error: rational time is checked,
/// so an overflow (or a runaway query spanning millions of cycles) panics inside the query
/// rather than giving a wrong answer or hanging.
pub fn guarded_query<T: crate::pattern::core::Value>(pat: &crate::pattern::Pattern<T>, span: Span) -> Result<Vec<Hap<T>>, Error> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pat.query(span)));
    std::panic::set_hook(hook);
    result.map_err(|e| {
        let why = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
        Error::Usage(format!("the pattern cannot be queried over that arc: {why}"))
    })
}

/// Evaluate `expr` and list its events over `[from, to)`, sorted by part start.
pub fn query(expr: &str, from: Rational, to: Rational) -> Result<Json, Error> {
    if to < from {
        return Err(Error::Usage(format!("--to ({to}) must not be before --from ({from})")));
    }
    let pat = crate::lang::eval_pattern(expr, "expression")?;
    let mut haps = guarded_query(&pat, Span::new(from, to))?;
    haps.sort_by_key(|h| (h.part.begin, h.part.end));
    Ok(Json::Array(haps.iter().map(hap_json).collect()))
}
