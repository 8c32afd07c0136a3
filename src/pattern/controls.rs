//! Transforms of control patterns (`Pattern<Value>` whose values are [`Value::Map`]s), after
//! Tidal 1.9's `Sound.Tidal.Control` and the control-specific parts of `Sound.Tidal.UI`.
//!
//! Control maps combine the way Tidal's `ValueMap`s do: `#` is a right-biased union, `|*` and
//! `|+` a union that multiplies / adds the numbers present on both sides (other values keep
//! the left one). Values that are not maps pass through these operations unchanged.

use super::core::{Pattern, Span, Time};
use super::transform::{Transform, tf};
use super::value::{ControlMap, Value};
use phonon_components::Rational;
use std::sync::Arc;

/// A control map with one entry.
pub fn control(name: &str, v: Value) -> Value {
    let mut m = ControlMap::new();
    m.insert(Arc::from(name), v);
    Value::Map(Arc::new(m))
}

/// `a # b` on one pair of values: the union of the maps, `b`'s entries winning.
pub fn union_right(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            let mut m = (**x).clone();
            for (k, v) in y.iter() {
                m.insert(k.clone(), v.clone());
            }
            Value::Map(Arc::new(m))
        }
        _ => a.clone(),
    }
}

/// Tidal's `Map.unionWith (fNum2 op op)`: numbers on both sides combine with `op`, anything
/// else keeps the left value; entries on one side only are kept.
pub fn union_num(a: &Value, b: &Value, op: impl Fn(f64, f64) -> f64) -> Value {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            let mut m = (**x).clone();
            for (k, vb) in y.iter() {
                match (m.get(k), vb) {
                    (Some(Value::Num(p)), Value::Num(q)) => {
                        let r = op(*p, *q);
                        m.insert(k.clone(), Value::Num(r));
                    }
                    (Some(_), _) => {}
                    (None, _) => {
                        m.insert(k.clone(), vb.clone());
                    }
                }
            }
            Value::Map(Arc::new(m))
        }
        _ => a.clone(),
    }
}

/// `p # q` (structure from `p`).
fn set(p: &Pattern<Value>, q: &Pattern<Value>) -> Pattern<Value> {
    p.app_left(q, union_right)
}

/// `p |* q` (structure from `p`).
fn mul(p: &Pattern<Value>, q: &Pattern<Value>) -> Pattern<Value> {
    p.app_left(q, |a, b| union_num(a, b, |x, y| x * y))
}

/// `p |*| q` (structure from both).
fn mul_both(p: &Pattern<Value>, q: &Pattern<Value>) -> Pattern<Value> {
    p.app_both(q, |a, b| union_num(a, b, |x, y| x * y))
}

/// `p |+ q` (structure from `p`).
fn add(p: &Pattern<Value>, q: &Pattern<Value>) -> Pattern<Value> {
    p.app_left(q, |a, b| union_num(a, b, |x, y| x + y))
}

/// `p |- q` (structure from `p`).
fn sub(p: &Pattern<Value>, q: &Pattern<Value>) -> Pattern<Value> {
    p.app_left(q, |a, b| union_num(a, b, |x, y| x - y))
}

/// A numeric control pattern from a pattern of numbers (`pan "0 1"`).
fn num_ctl(name: &str, p: &Pattern<f64>) -> Pattern<Value> {
    let name: Arc<str> = Arc::from(name);
    p.fmap(move |x| {
        let mut m = ControlMap::new();
        m.insert(name.clone(), Value::Num(*x));
        Value::Map(Arc::new(m))
    })
}

/// `pure (name: x)`.
fn pure_num(name: &str, x: f64) -> Pattern<Value> {
    Pattern::pure(control(name, Value::Num(x)))
}

/// A numeric entry of a control value (`getF`).
fn get_num(v: &Value, name: &str) -> Option<f64> {
    match v {
        Value::Map(m) => match m.get(name) {
            Some(Value::Num(x)) => Some(*x),
            _ => None,
        },
        _ => None,
    }
}

/// `v` with `name` set to the number `x` (maps only).
fn insert_num(v: &Value, name: &str, x: f64) -> Value {
    match v {
        Value::Map(m) => {
            let mut m = (**m).clone();
            m.insert(Arc::from(name), Value::Num(x));
            Value::Map(Arc::new(m))
        }
        other => other.clone(),
    }
}

/// Haskell's `mod` (the sign of the divisor). `b` must not be 0.
fn hs_mod(a: i64, b: i64) -> i64 {
    let m = a % b;
    if m != 0 && ((m < 0) != (b < 0)) { m + b } else { m }
}

/// Is every entry of `a` present, and equal, in `x` (`Map.isSubmapOfBy (==) a x`)?
fn is_submap(a: &Value, x: &Value) -> bool {
    match (a, x) {
        (Value::Map(a), Value::Map(x)) => a.iter().all(|(k, v)| x.get(k) == Some(v)),
        _ => false,
    }
}

impl Pattern<Value> {
    /// Play the pattern on the left and `f` of it on the right (`juxBy 1`: pan 0 and 1 for a
    /// pattern without `pan`).
    ///
    /// Tidal: `jux`
    pub fn jux(&self, f: Transform<Value>) -> Pattern<Value> {
        self.jux_by(&Pattern::pure(1.0), f)
    }

    /// `jux` with the two sides `n/2` either side of the centre:
    /// `stack [p |+ pan 0.5 |- pan (n/2), f $ p |+ pan 0.5 |+ pan (n/2)]` (an existing `pan`
    /// is offset, not replaced, as in Tidal 1.7–1.10).
    ///
    /// Tidal: `juxBy`
    pub fn jux_by(&self, n: &Pattern<f64>, f: Transform<Value>) -> Pattern<Value> {
        let half = num_ctl("pan", &n.app_both(&Pattern::pure(2.0), |a, b| a / b));
        let centred = add(self, &pure_num("pan", 0.5));
        Pattern::stack(vec![sub(&centred, &half), f(&add(&centred, &half))])
    }

    /// Echoes with decaying gain (`count` layers, `time` apart). Deprecated in Tidal 1.9 in
    /// favour of [`Pattern::echo`] (whose feedback works differently).
    ///
    /// Tidal: `stut`
    pub fn stut(&self, count: &Pattern<i64>, feedback: &Pattern<f64>, time: &Pattern<Time>) -> Pattern<Value> {
        self.patterned3(count, feedback, time, |p, c, fb, t| p.stut_n(*c, *fb, *t))
    }

    /// Tidal: `_stut`
    pub fn stut_n(&self, count: i64, feedback: f64, time: Time) -> Pattern<Value> {
        let c = count as f64;
        let scalegain = |x: f64| feedback + (1.0 - feedback) * ((c - x) / c);
        let mut layers = vec![self.clone()];
        for x in 1..super::transform::layers(count, "stut") {
            layers.push(mul(self, &pure_num("gain", scalegain(x as f64))).late(time * Rational::integer(x)));
        }
        Pattern::stack(layers)
    }

    /// `count` layers, each `time` later than the last and with its gain multiplied by
    /// `feedback` once more.
    ///
    /// Tidal: `echo`
    pub fn echo(&self, count: &Pattern<i64>, time: &Pattern<Time>, feedback: &Pattern<f64>) -> Pattern<Value> {
        self.patterned3(count, time, feedback, |p, c, t, fb| p.echo_n(*c, *t, *fb))
    }

    /// Tidal: `_echo`
    pub fn echo_n(&self, count: i64, time: Time, feedback: f64) -> Pattern<Value> {
        self.echo_with_n(count, time, tf(move |p: &Pattern<Value>| mul(p, &pure_num("gain", feedback))))
    }

    /// Cut each event into `n` parts, each playing the matching part of the sample
    /// (`begin`/`end`).
    ///
    /// Tidal: `chop`
    pub fn chop(&self, n: &Pattern<i64>) -> Pattern<Value> {
        self.patterned(n, |p, n| p.chop_n(*n))
    }

    /// Tidal: `_chop`
    pub fn chop_n(&self, n: i64) -> Pattern<Value> {
        self.fmap(move |v| {
            let v = v.clone();
            let frac = move |i: i64| i as f64 / n as f64;
            Pattern::fastcat_fn(n, move |i| Pattern::pure(chop_range(&v, frac(i), frac(i + 1))))
        })
        .squeeze_join()
    }

    /// Play the pattern `n` times per cycle, the `i`th time playing the `i`th part of every
    /// sample.
    ///
    /// Tidal: `striate`
    pub fn striate(&self, n: &Pattern<i64>) -> Pattern<Value> {
        self.patterned(n, |p, n| p.striate_n(*n))
    }

    /// Tidal: `_striate`
    pub fn striate_n(&self, n: i64) -> Pattern<Value> {
        let p = self.clone();
        Pattern::fastcat_fn(n, move |i| {
            let (b, e) = (i as f64 / n as f64, (i + 1) as f64 / n as f64);
            p.fmap(move |v| merge_play_range(v, b, e))
        })
    }

    /// Play slice `i` of `n` of each sample, with the structure of `i`:
    /// `begin b # end e # p`.
    ///
    /// Tidal: `slice`
    pub fn slice(&self, n: &Pattern<i64>, i: &Pattern<i64>) -> Pattern<Value> {
        let b = i.app_left(n, |i, n| if *n == 0 { None } else { Some(hs_mod(*i, *n) as f64 / *n as f64) }).filter_just();
        let width = n.filter_values(|n| *n != 0).fmap(|n| 1.0 / *n as f64);
        let e = b.app_both(&width, |b, w| b + w);
        set(&set(&num_ctl("begin", &b), &num_ctl("end", &e)), self)
    }

    /// Tidal: `_slice`
    pub fn slice_n(&self, n: i64, i: i64) -> Pattern<Value> {
        if n == 0 {
            return Pattern::silence();
        }
        let (b, e) = (i as f64 / n as f64, (i + 1) as f64 / n as f64);
        set(&set(self, &pure_num("begin", b)), &pure_num("end", e))
    }

    /// `slice`, with the speed changed so each slice fills its event (`unit "c"`).
    ///
    /// Tidal: `splice`
    pub fn splice(&self, bits: &Pattern<i64>, i: &Pattern<i64>) -> Pattern<Value> {
        let i = i.clone();
        self.patterned(bits, move |p, bits| p.splice_n(*bits, &i))
    }

    /// Tidal: `_splice`
    pub fn splice_n(&self, bits: i64, i: &Pattern<i64>) -> Pattern<Value> {
        let sz = 1.0 / bits as f64;
        let sliced = self.slice(&Pattern::pure(bits), i);
        let p = sliced.clone();
        let sped = Pattern::new(move |span| {
            p.query(span)
                .into_iter()
                .map(|h| {
                    let w = h.whole_or_part();
                    let d = sz / (w.end - w.begin).to_f64();
                    let speed = get_num(&h.value, "speed").map_or(d, |s| d * s);
                    h.with_value(|v| insert_num(&v, "speed", speed))
                })
                .collect()
        });
        set(&sped, &Pattern::pure(control("unit", Value::str("c"))))
    }

    /// Fit each sample to `n` cycles: slow the pattern by `n`, divide the speed by `n`, and
    /// set `unit "c"`.
    ///
    /// Tidal: `loopAt`
    pub fn loop_at(&self, n: &Pattern<Time>) -> Pattern<Value> {
        let inv = Pattern::pure(Rational::ONE).app_both(&n.filter_values(|n| *n != Rational::ZERO), |a, b| *a / *b);
        let speed = num_ctl("speed", &inv.fmap(|r| r.to_f64()));
        set(&mul(&self.slow_p(n), &speed), &Pattern::pure(control("unit", Value::str("c"))))
    }

    /// Speed the pattern up and multiply its `speed` control by the same factor.
    ///
    /// Tidal: `hurry`
    pub fn hurry(&self, r: &Pattern<Time>) -> Pattern<Value> {
        mul(&self.fast_p(r), &num_ctl("speed", &r.fmap(|r| r.to_f64())))
    }

    /// Ghost notes an eighth of a cycle apart (quieter, shorter, higher).
    ///
    /// Tidal: `ghost` (`ghost' 0.125`)
    pub fn ghost(&self) -> Pattern<Value> {
        self.ghost_at(Rational::new(1, 8))
    }

    /// Ghost notes `a * 1.5` and `a * 2.5` cycles after each event, with
    /// `(|*| gain 0.7) . (|> end 0.2) . (|*| speed 1.25)` applied.
    ///
    /// Tidal: `ghost'`
    pub fn ghost_at(&self, a: Time) -> Pattern<Value> {
        self.ghost_with(
            a,
            tf(|p: &Pattern<Value>| {
                let p = mul_both(p, &pure_num("speed", 1.25));
                let p = set(&p, &pure_num("end", 0.2));
                mul_both(&p, &pure_num("gain", 0.7))
            }),
        )
    }

    /// Apply `matched` to the events whose controls contain one of `test`'s maps (sampled at
    /// each event's onset), `unmatched` to the others.
    ///
    /// Tidal: `contrast`
    pub fn contrast(&self, matched: Transform<Value>, unmatched: Transform<Value>, test: &Pattern<Value>) -> Pattern<Value> {
        let (p, test) = (self.clone(), test.clone());
        let marked = Pattern::new(move |span| {
            p.query(span)
                .into_iter()
                .map(|h| {
                    let s = h.whole_or_part().begin;
                    let m = test.query(Span::new(s, s)).iter().any(|a| is_submap(&a.value, &h.value));
                    h.with_value(|v| (m, v))
                })
                .collect()
        });
        let yes = marked.filter_values(|(m, _)| *m).fmap(|(_, v)| v.clone());
        let no = marked.filter_values(|(m, _)| !*m).fmap(|(_, v)| v.clone());
        Pattern::stack(vec![matched(&yes), unmatched(&no)])
    }

    /// Apply `f` to the events whose controls match `test` (`contrast f id`).
    ///
    /// Tidal: `fix`
    pub fn fix(&self, f: Transform<Value>, test: &Pattern<Value>) -> Pattern<Value> {
        self.contrast(f, tf(|p: &Pattern<Value>| p.clone()), test)
    }

    /// Apply `f` to the events whose controls do not match `test` (`contrast id`).
    ///
    /// Tidal: `unfix`
    pub fn unfix(&self, f: Transform<Value>, test: &Pattern<Value>) -> Pattern<Value> {
        self.contrast(tf(|p: &Pattern<Value>| p.clone()), f, test)
    }
}

/// `_chop`'s `rangemap`: the slice `[b, e)` of the event's own `begin`..`end` when it has
/// both, of the whole sample otherwise.
fn chop_range(v: &Value, b: f64, e: f64) -> Value {
    // a missing begin is 0 and a missing end is 1 (Tidal: `chop 2 $ s "bd" # begin 0.5`
    // plays 0.5–0.75 and 0.75–1)
    let b0 = get_num(v, "begin").unwrap_or(0.0);
    let e0 = get_num(v, "end").unwrap_or(1.0);
    let d = e0 - b0;
    let (b, e) = (b0 + b * d, b0 + e * d);
    let fresh = union_right(&control("begin", Value::Num(b)), &control("end", Value::Num(e)));
    match v {
        Value::Map(_) => union_right(v, &fresh),
        other => other.clone(),
    }
}

/// Tidal's `mergePlayRange`: `begin`/`end` set to `[b, e)` of the current range (default
/// `0`..`1`).
fn merge_play_range(v: &Value, b: f64, e: f64) -> Value {
    let b0 = get_num(v, "begin").unwrap_or(0.0);
    let e0 = get_num(v, "end").unwrap_or(1.0);
    let d = e0 - b0;
    insert_num(&insert_num(v, "begin", b * d + b0), "end", e * d + b0)
}
