//! Dynamic values carried by patterns built from text, and control maps.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A control map: `s "bd:3" # gain 0.8` → `{s: "bd", n: 3, gain: 0.8}`.
pub type ControlMap = BTreeMap<Arc<str>, Value>;

/// A value in a pattern written as text.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number (`1`, `0.5`, `1%4`).
    Num(f64),
    /// A word (`bd`, `bd:3`, `c5`, `~bus`), interpreted by whoever uses it.
    Str(Arc<str>),
    /// A boolean (the mini-notation keeps `t`/`f` as words; [`Value::as_bool`] reads either).
    Bool(bool),
    /// A control map: one event's named parameters (`s`, `n`, `gain`, …).
    Map(Arc<ControlMap>),
}

impl Value {
    /// A [`Value::Str`] holding a copy of `s`.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// As a number: numbers, booleans (1/0) and note names (`c5` = 0, `a4` = -3, `e` = 4).
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Value::Str(s) => note_name(s),
            Value::Map(_) => None,
        }
    }

    /// As a boolean: booleans, numbers (non-zero is true) and `t`/`true`/`f`/`false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Num(n) => Some(*n != 0.0),
            Value::Str(s) => match &**s {
                "t" | "true" => Some(true),
                "f" | "false" => Some(false),
                _ => None,
            },
            Value::Map(_) => None,
        }
    }

    /// The text of a [`Value::Str`], `None` for anything else.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The map of a [`Value::Map`], `None` for anything else.
    pub fn as_map(&self) -> Option<&ControlMap> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// JSON text (maps as objects; integral numbers without a fraction).
    pub fn to_json(&self) -> String {
        match self {
            Value::Num(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Num(n) if n.is_finite() => format!("{n}"),
            Value::Num(_) => "null".into(),
            Value::Str(s) => json_string(s),
            Value::Bool(b) => b.to_string(),
            Value::Map(m) => {
                let items: Vec<String> = m.iter().map(|(k, v)| format!("{}: {}", json_string(k), v.to_json())).collect();
                format!("{{{}}}", items.join(", "))
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s}"),
            other => write!(f, "{}", other.to_json()),
        }
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Tidal note names: `c d e f g a b`, sharps `s`/`#`, flats `f`, optional octave (default 5):
/// `c5` = 0, `a4` = -3, `cs2` = -35. `None` for anything else.
pub fn note_name(s: &str) -> Option<f64> {
    let mut chars = s.chars().peekable();
    let base = match chars.next()? {
        'c' => 0,
        'd' => 2,
        'e' => 4,
        'f' => 5,
        'g' => 7,
        'a' => 9,
        'b' => 11,
        _ => return None,
    };
    let mut n = base as f64;
    let rest: String = chars.collect();
    let mut rest = rest.as_str();
    loop {
        if let Some(r) = rest.strip_prefix('s').or_else(|| rest.strip_prefix('#')) {
            n += 1.0;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('f') {
            n -= 1.0;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('n') {
            rest = r;
        } else {
            break;
        }
    }
    let octave = if rest.is_empty() { 5 } else { rest.parse::<i32>().ok()? };
    Some(n + (octave - 5) as f64 * 12.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Note names as Tidal reads them.
    #[test]
    fn note_names() {
        assert_eq!(note_name("c5"), Some(0.0));
        assert_eq!(note_name("a4"), Some(-3.0));
        assert_eq!(note_name("f6"), Some(17.0));
        assert_eq!(note_name("e3"), Some(-20.0));
        assert_eq!(note_name("e"), Some(4.0));
        assert_eq!(note_name("cs2"), Some(-35.0));
        assert_eq!(note_name("ef"), Some(3.0));
        assert_eq!(note_name("bd"), None);
        assert_eq!(note_name("x"), None);
    }
}
