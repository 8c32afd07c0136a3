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

/// The most cycle fragments a probe ([`guarded_query`], one step of the builder's sound probe)
/// or a `phonon query` may make (see [`crate::pattern::Pattern::query_bounded`]): four times
/// the render path's [`crate::build::MAX_QUERY_FRAGMENTS`], as a probe spans up to 60 cycles.
/// A flood costs about 0.1 to 0.5 s to find; real music never comes near.
pub const MAX_PROBE_FRAGMENTS: usize = 1 << 18;

/// Query `pat`, turning the pattern engine's refusals into an error: rational time is checked,
/// so an overflow panics inside the query rather than giving a wrong answer. The query is
/// bounded by [`MAX_PROBE_FRAGMENTS`]: an event flood (`fast 1e8 $ s "bd"`) gives its earliest
/// events (and a warning), never a hang.
pub fn guarded_query<T: crate::pattern::core::Value>(pat: &crate::pattern::Pattern<T>, span: Span) -> Result<Vec<Hap<T>>, Error> {
    let (haps, truncated) = guarded_query_bounded(pat, span)?;
    if truncated {
        tracing::warn!(
            "a pattern makes more than {MAX_PROBE_FRAGMENTS} cycle fragments in [{}, {}): an event flood, looked at its earliest events only",
            span.begin,
            span.end
        );
    }
    Ok(haps)
}

/// [`guarded_query`] without the warning: the events, and `true` if the query was cut short by
/// [`MAX_PROBE_FRAGMENTS`].
pub fn guarded_query_bounded<T: crate::pattern::core::Value>(
    pat: &crate::pattern::Pattern<T>,
    span: Span,
) -> Result<(Vec<Hap<T>>, bool), Error> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pat.query_bounded(span, MAX_PROBE_FRAGMENTS)));
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
    // a runaway arc (`fast 1e12`) is refused as such; a flood inside a sane arc is cut short
    let (mut haps, truncated) = crate::pattern::core::refusing_runaways(|| guarded_query_bounded(&pat, Span::new(from, to)))?;
    if truncated {
        return Err(Error::Usage(format!(
            "the pattern makes more than {MAX_PROBE_FRAGMENTS} cycle fragments between {from} and {to} (an event flood): query a shorter arc"
        )));
    }
    haps.sort_by_key(|h| (h.part.begin, h.part.end));
    Ok(Json::Array(haps.iter().map(hap_json).collect()))
}
