//! Golden tests for the transform library (`phonon::pattern::{transform, controls}`).
//!
//! Every golden below is the event list TidalCycles itself prints for the Haskell expression in
//! the test's comment (Tidal 1.7 in `ghci`, cross-checked against the Tidal 1.9 answers of
//! `../shared/oracle/public-cases.json` where a case exists there). Where Tidal 1.9 differs
//! from 1.7, the golden follows 1.9 and the comment says so.
//!
//! Format, one event per line, sorted by (whole start, part start, part end, value):
//! `whole_begin whole_end | part_begin part_end | value` (`~` for an analog whole), times as
//! exact `n/d`, numbers as Haskell's `show` prints them, control maps as `{k: v, …}`.
//!
//! Patterns are built with the core constructors through a tiny test-only sequence reader
//! (`seq_of`: spaces, `~`, `[a b]`, `[a, b]`, `<a b>`, `x*k`), not the mini-notation parser.

use phonon::components::Rational;
use phonon::pattern::controls::{control, union_right};
use phonon::pattern::signal::{saw, sine};
use phonon::pattern::transform::{Transform, irand_p, run, scan, tf};
use phonon::pattern::{Hap, Pattern, Value};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn r(n: i64, d: i64) -> Rational {
    Rational::new(n, d)
}

/// Haskell's `show` for a `Double` (integral values printed as integers).
fn hs_double(x: f64) -> String {
    if x.is_finite() && x.abs() < 1e15 && x == x.round() {
        return format!("{}", x as i64);
    }
    let a = x.abs();
    if (0.1..1e7).contains(&a) {
        return format!("{x}");
    }
    let s = format!("{x:e}");
    let (m, e) = s.split_once('e').unwrap();
    let m = if m.contains('.') { m.to_string() } else { format!("{m}.0") };
    format!("{m}e{e}")
}

trait Show {
    fn show(&self) -> String;
}
impl Show for f64 {
    fn show(&self) -> String {
        hs_double(*self)
    }
}
impl Show for i64 {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for bool {
    fn show(&self) -> String {
        if *self { "True".into() } else { "False".into() }
    }
}
impl Show for String {
    fn show(&self) -> String {
        self.clone()
    }
}
impl Show for Value {
    fn show(&self) -> String {
        match self {
            Value::Num(x) => hs_double(*x),
            Value::Str(s) => s.to_string(),
            Value::Bool(b) => b.show(),
            Value::Map(m) => format!("{{{}}}", m.iter().map(|(k, v)| format!("{k}: {}", v.show())).collect::<Vec<_>>().join(", ")),
        }
    }
}

fn rs(t: Rational) -> String {
    format!("{}/{}", t.num(), t.den())
}

/// The canonical, sorted text of a list of events.
fn render<T: Show>(haps: &[Hap<T>]) -> String {
    let mut rows: Vec<_> = haps
        .iter()
        .map(|h| {
            let key = (h.whole.map_or(h.part.begin, |w| w.begin), h.part.begin, h.part.end, h.value.show());
            let whole = h.whole.map_or("~".to_string(), |w| format!("{} {}", rs(w.begin), rs(w.end)));
            let line = format!("{whole} | {} {} | {}", rs(h.part.begin), rs(h.part.end), h.value.show());
            (key, line)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, l)| l).collect::<Vec<_>>().join("\n")
}

/// Query `[b, e)` and compare with a golden.
fn check<T: Show + Clone + Send + Sync + 'static>(p: &Pattern<T>, b: Rational, e: Rational, golden: &str) {
    let got = render(&p.query_arc(b, e));
    let want = golden.trim();
    assert!(got == want, "\n--- got:\n{got}\n--- want:\n{want}\n");
}

fn c(n: i64) -> Rational {
    Rational::integer(n)
}

/// A test-only reader for flat and nested sequences (`"0 [1 2] <3 4> ~ 5*2 [0,4,7]"`).
fn seq_of<T: Clone + Send + Sync + 'static>(s: &str, atom: &dyn Fn(&str) -> T) -> Pattern<T> {
    fn tokens(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        for ch in s.chars() {
            if "[]<>,*".contains(ch) || ch.is_whitespace() {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                if !ch.is_whitespace() {
                    out.push(ch.to_string());
                }
            } else {
                cur.push(ch);
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }
    fn number(t: &str) -> Rational {
        match t.split_once('/') {
            Some((a, b)) => r(a.parse().unwrap(), b.parse().unwrap()),
            None => Rational::approximate(t.parse().unwrap(), 1000).unwrap(),
        }
    }
    // Returns the layers (split at ','), each a list of steps, up to the closing token.
    fn steps<T: Clone + Send + Sync + 'static>(
        ts: &[String],
        i: &mut usize,
        close: &str,
        atom: &dyn Fn(&str) -> T,
    ) -> Vec<Vec<Pattern<T>>> {
        let mut layers = vec![Vec::new()];
        while *i < ts.len() && ts[*i] != close {
            let t = ts[*i].clone();
            *i += 1;
            let mut p = match t.as_str() {
                "," => {
                    layers.push(Vec::new());
                    continue;
                }
                "~" => Pattern::silence(),
                "[" => {
                    let ls = steps(ts, i, "]", atom);
                    *i += 1;
                    Pattern::stack(ls.into_iter().map(Pattern::fastcat).collect())
                }
                "<" => {
                    let ls = steps(ts, i, ">", atom);
                    *i += 1;
                    Pattern::stack(ls.into_iter().map(Pattern::slowcat).collect())
                }
                a => Pattern::pure(atom(a)),
            };
            while *i + 1 < ts.len() && ts[*i] == "*" {
                p = p.fast(number(&ts[*i + 1]));
                *i += 2;
            }
            layers.last_mut().unwrap().push(p);
        }
        layers
    }
    let ts = tokens(s);
    let mut i = 0;
    let ls = steps(&ts, &mut i, "", atom);
    Pattern::stack(ls.into_iter().map(Pattern::fastcat).collect())
}

fn num(s: &str) -> Pattern<f64> {
    seq_of(s, &|a| a.parse().unwrap())
}
fn int(s: &str) -> Pattern<i64> {
    seq_of(s, &|a| a.parse().unwrap())
}
fn rats(s: &str) -> Pattern<Rational> {
    seq_of(s, &|a| match a.split_once('/') {
        Some((x, y)) => r(x.parse().unwrap(), y.parse().unwrap()),
        None => Rational::approximate(a.parse().unwrap(), 1000).unwrap(),
    })
}
fn bools(s: &str) -> Pattern<bool> {
    seq_of(s, &|a| matches!(a, "t" | "1" | "true"))
}
fn strs(s: &str) -> Pattern<String> {
    seq_of(s, &|a| a.to_string())
}
/// `s "bd sn:2"` → `{s: bd}`, `{n: 2, s: sn}`.
fn s(p: &str) -> Pattern<Value> {
    seq_of(p, &|a| match a.split_once(':') {
        Some((name, i)) => union_right(&control("s", Value::str(name)), &control("n", Value::Num(i.parse().unwrap()))),
        None => control("s", Value::str(a)),
    })
}
/// `n "0 1"` → `{n: 0}`, `{n: 1}`.
fn n(p: &str) -> Pattern<Value> {
    ctl("n", p)
}
/// A numeric control pattern.
fn ctl(name: &str, p: &str) -> Pattern<Value> {
    let name = name.to_string();
    num(p).fmap(move |x| control(&name, Value::Num(*x)))
}
/// `p # q`.
fn hash(p: &Pattern<Value>, q: &Pattern<Value>) -> Pattern<Value> {
    p.app_left(q, union_right)
}

fn rev<T: Clone + Send + Sync + 'static>() -> Transform<T> {
    tf(|p: &Pattern<T>| p.rev())
}
fn fast2<T: Clone + Send + Sync + 'static>() -> Transform<T> {
    tf(|p: &Pattern<T>| p.fast(c(2)))
}
fn add(x: f64) -> Transform<f64> {
    tf(move |p: &Pattern<f64>| p.fmap(move |v| v + x))
}
fn set_ctl(name: &'static str, x: f64) -> Transform<Value> {
    tf(move |p: &Pattern<Value>| hash(p, &Pattern::pure(control(name, Value::Num(x)))))
}

// ---------------------------------------------------------------------------------------------
// Conditionals
// ---------------------------------------------------------------------------------------------

/// `every 3 rev "0 1 2"`: cycles 0 and 3 are reversed.
#[test]
fn every_reverses_every_third_cycle() {
    check(
        &num("0 1 2").every(&int("3"), rev()),
        c(0),
        c(4),
        r"
0/1 1/3 | 0/1 1/3 | 2
1/3 2/3 | 1/3 2/3 | 1
2/3 1/1 | 2/3 1/1 | 0
1/1 4/3 | 1/1 4/3 | 0
4/3 5/3 | 4/3 5/3 | 1
5/3 2/1 | 5/3 2/1 | 2
2/1 7/3 | 2/1 7/3 | 0
7/3 8/3 | 7/3 8/3 | 1
8/3 3/1 | 8/3 3/1 | 2
3/1 10/3 | 3/1 10/3 | 2
10/3 11/3 | 10/3 11/3 | 1
11/3 4/1 | 11/3 4/1 | 0",
    );
}

/// `every "<2 3>" (fast 2) "0 1"`: the period is patterned (inner join).
#[test]
fn every_patterned_period() {
    check(
        &num("0 1").every(&int("<2 3>"), fast2()),
        c(0),
        c(6),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 0
3/4 1/1 | 3/4 1/1 | 1
1/1 3/2 | 1/1 3/2 | 0
3/2 2/1 | 3/2 2/1 | 1
2/1 9/4 | 2/1 9/4 | 0
9/4 5/2 | 9/4 5/2 | 1
5/2 11/4 | 5/2 11/4 | 0
11/4 3/1 | 11/4 3/1 | 1
3/1 13/4 | 3/1 13/4 | 0
13/4 7/2 | 13/4 7/2 | 1
7/2 15/4 | 7/2 15/4 | 0
15/4 4/1 | 15/4 4/1 | 1
4/1 17/4 | 4/1 17/4 | 0
17/4 9/2 | 17/4 9/2 | 1
9/2 19/4 | 9/2 19/4 | 0
19/4 5/1 | 19/4 5/1 | 1
5/1 11/2 | 5/1 11/2 | 0
11/2 6/1 | 11/2 6/1 | 1",
    );
}

/// `every 0 rev "0 1"`: a period of 0 leaves the pattern alone.
#[test]
fn every_zero_is_identity() {
    check(
        &num("0 1").every_n(0, rev()),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
1/1 3/2 | 1/1 3/2 | 0
3/2 2/1 | 3/2 2/1 | 1",
    );
}

/// `every 2 (const $ s "cp*4") $ s "bd"` (oracle `every_const`).
#[test]
fn every_const_replaces_cycles() {
    check(
        &s("bd").every(&int("2"), tf(|_: &Pattern<Value>| s("cp*4"))),
        c(0),
        c(4),
        r"
0/1 1/4 | 0/1 1/4 | {s: cp}
1/4 1/2 | 1/4 1/2 | {s: cp}
1/2 3/4 | 1/2 3/4 | {s: cp}
3/4 1/1 | 3/4 1/1 | {s: cp}
1/1 2/1 | 1/1 2/1 | {s: bd}
2/1 9/4 | 2/1 9/4 | {s: cp}
9/4 5/2 | 9/4 5/2 | {s: cp}
5/2 11/4 | 5/2 11/4 | {s: cp}
11/4 3/1 | 11/4 3/1 | {s: cp}
3/1 4/1 | 3/1 4/1 | {s: bd}",
    );
}

/// `every' 3 1 (fast 2) "0 1"`: cycles 1, 4, … are transformed.
#[test]
fn every_offset_shifts_the_cycle() {
    check(
        &num("0 1").every_offset(&int("3"), &int("1"), fast2()),
        c(0),
        c(4),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
1/1 5/4 | 1/1 5/4 | 0
5/4 3/2 | 5/4 3/2 | 1
3/2 7/4 | 3/2 7/4 | 0
7/4 2/1 | 7/4 2/1 | 1
2/1 5/2 | 2/1 5/2 | 0
5/2 3/1 | 5/2 3/1 | 1
3/1 7/2 | 3/1 7/2 | 0
7/2 4/1 | 7/2 4/1 | 1",
    );
}

/// `every' "<2 3>" "1" (fmap (+10)) "0 1"`: both numbers patterned, joined by bind.
#[test]
fn every_offset_patterned() {
    check(
        &num("0 1").every_offset(&int("<2 3>"), &int("1"), add(10.0)),
        c(0),
        c(4),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
1/1 3/2 | 1/1 3/2 | 10
3/2 2/1 | 3/2 2/1 | 11
2/1 5/2 | 2/1 5/2 | 0
5/2 3/1 | 5/2 3/1 | 1
3/1 7/2 | 3/1 7/2 | 0
7/2 4/1 | 7/2 4/1 | 1",
    );
}

/// `whenmod 4 2 rev "0 1 2"`: cycles 2 and 3 of every 4 are reversed.
#[test]
fn whenmod_applies_in_the_second_half() {
    check(
        &num("0 1 2").whenmod(&rats("4"), &rats("2"), rev()),
        c(0),
        c(5),
        r"
0/1 1/3 | 0/1 1/3 | 0
1/3 2/3 | 1/3 2/3 | 1
2/3 1/1 | 2/3 1/1 | 2
1/1 4/3 | 1/1 4/3 | 0
4/3 5/3 | 4/3 5/3 | 1
5/3 2/1 | 5/3 2/1 | 2
2/1 7/3 | 2/1 7/3 | 2
7/3 8/3 | 7/3 8/3 | 1
8/3 3/1 | 8/3 3/1 | 0
3/1 10/3 | 3/1 10/3 | 2
10/3 11/3 | 10/3 11/3 | 1
11/3 4/1 | 11/3 4/1 | 0
4/1 13/3 | 4/1 13/3 | 0
13/3 14/3 | 13/3 14/3 | 1
14/3 5/1 | 14/3 5/1 | 2",
    );
    check(
        &num("0 1 2").whenmod_n(c(4), c(2), rev()),
        c(0),
        c(5),
        r"
0/1 1/3 | 0/1 1/3 | 0
1/3 2/3 | 1/3 2/3 | 1
2/3 1/1 | 2/3 1/1 | 2
1/1 4/3 | 1/1 4/3 | 0
4/3 5/3 | 4/3 5/3 | 1
5/3 2/1 | 5/3 2/1 | 2
2/1 7/3 | 2/1 7/3 | 2
7/3 8/3 | 7/3 8/3 | 1
8/3 3/1 | 8/3 3/1 | 0
3/1 10/3 | 3/1 10/3 | 2
10/3 11/3 | 10/3 11/3 | 1
11/3 4/1 | 11/3 4/1 | 0
4/1 13/3 | 4/1 13/3 | 0
13/3 14/3 | 13/3 14/3 | 1
14/3 5/1 | 14/3 5/1 | 2",
    );
}

/// `within (0.25, 0.75) rev "0 1 2 3"`: only events starting in the middle half change.
#[test]
fn within_keeps_the_outside() {
    check(
        &num("0 1 2 3").within(r(1, 4), r(3, 4), rev()),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 2
1/2 3/4 | 1/2 3/4 | 1
3/4 1/1 | 3/4 1/1 | 3",
    );
}

/// `within (0, 0.5) (fast 2) $ s "bd sn cp hh"` (oracle `within_fast`).
#[test]
fn within_fast_first_half() {
    check(
        &s("bd sn cp hh").within(c(0), r(1, 2), fast2()),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | {s: bd}
1/8 1/4 | 1/8 1/4 | {s: sn}
1/4 3/8 | 1/4 3/8 | {s: cp}
3/8 1/2 | 3/8 1/2 | {s: hh}
1/2 3/4 | 1/2 3/4 | {s: cp}
3/4 1/1 | 3/4 1/1 | {s: hh}",
    );
}

/// `inside 2 rev "0 1 2 3 4 5 6 7"`: each half cycle is reversed.
#[test]
fn inside_reverses_halves() {
    check(
        &num("0 1 2 3 4 5 6 7").inside(&rats("2"), rev()),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 3
1/8 1/4 | 1/8 1/4 | 2
1/4 3/8 | 1/4 3/8 | 1
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 7
5/8 3/4 | 5/8 3/4 | 6
3/4 7/8 | 3/4 7/8 | 5
7/8 1/1 | 7/8 1/1 | 4",
    );
}

/// `outside 2 rev "<[0 1] [2 3]>"`: the two-cycle idea is reversed as a whole.
#[test]
fn outside_reverses_two_cycles() {
    check(
        &num("<[0 1] [2 3]>").outside(&rats("2"), rev()),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | 3
1/2 1/1 | 1/2 1/1 | 2
1/1 3/2 | 1/1 3/2 | 1
3/2 2/1 | 3/2 2/1 | 0",
    );
}

/// `chunk 4 (fmap (+10)) "0 1 2 3"`: one quarter per cycle, left to right.
#[test]
fn chunk_moves_right() {
    check(
        &num("0 1 2 3").chunk(&int("4"), add(10.0)),
        c(0),
        c(4),
        r"
0/1 1/4 | 0/1 1/4 | 10
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 3
1/1 5/4 | 1/1 5/4 | 0
5/4 3/2 | 5/4 3/2 | 11
3/2 7/4 | 3/2 7/4 | 2
7/4 2/1 | 7/4 2/1 | 3
2/1 9/4 | 2/1 9/4 | 0
9/4 5/2 | 9/4 5/2 | 1
5/2 11/4 | 5/2 11/4 | 12
11/4 3/1 | 11/4 3/1 | 3
3/1 13/4 | 3/1 13/4 | 0
13/4 7/2 | 13/4 7/2 | 1
7/2 15/4 | 7/2 15/4 | 2
15/4 4/1 | 15/4 4/1 | 13",
    );
}

/// `chunk 4 rev "0 1 2 3 4 5 6 7"` (as oracle `combo_chunk_rev`).
#[test]
fn chunk_rev() {
    check(
        &num("0 1 2 3 4 5 6 7").chunk(&int("4"), rev()),
        c(0),
        c(4),
        r"
0/1 1/8 | 0/1 1/8 | 7
1/8 1/4 | 1/8 1/4 | 6
1/4 3/8 | 1/4 3/8 | 2
3/8 1/2 | 3/8 1/2 | 3
1/2 5/8 | 1/2 5/8 | 4
5/8 3/4 | 5/8 3/4 | 5
3/4 7/8 | 3/4 7/8 | 6
7/8 1/1 | 7/8 1/1 | 7
1/1 9/8 | 1/1 9/8 | 0
9/8 5/4 | 9/8 5/4 | 1
5/4 11/8 | 5/4 11/8 | 5
11/8 3/2 | 11/8 3/2 | 4
3/2 13/8 | 3/2 13/8 | 4
13/8 7/4 | 13/8 7/4 | 5
7/4 15/8 | 7/4 15/8 | 6
15/8 2/1 | 15/8 2/1 | 7
2/1 17/8 | 2/1 17/8 | 0
17/8 9/4 | 17/8 9/4 | 1
9/4 19/8 | 9/4 19/8 | 2
19/8 5/2 | 19/8 5/2 | 3
5/2 21/8 | 5/2 21/8 | 3
21/8 11/4 | 21/8 11/4 | 2
11/4 23/8 | 11/4 23/8 | 6
23/8 3/1 | 23/8 3/1 | 7
3/1 25/8 | 3/1 25/8 | 0
25/8 13/4 | 25/8 13/4 | 1
13/4 27/8 | 13/4 27/8 | 2
27/8 7/2 | 27/8 7/2 | 3
7/2 29/8 | 7/2 29/8 | 4
29/8 15/4 | 29/8 15/4 | 5
15/4 31/8 | 15/4 31/8 | 1
31/8 4/1 | 31/8 4/1 | 0",
    );
}

/// `chunk "<2 4>" (fmap (+10)) "0 1 2 3"`: the number of chunks is patterned.
#[test]
fn chunk_patterned() {
    check(
        &num("0 1 2 3").chunk(&int("<2 4>"), add(10.0)),
        c(0),
        c(4),
        r"
0/1 1/4 | 0/1 1/4 | 10
1/4 1/2 | 1/4 1/2 | 11
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 3
1/1 5/4 | 1/1 5/4 | 0
5/4 3/2 | 5/4 3/2 | 11
3/2 7/4 | 3/2 7/4 | 2
7/4 2/1 | 7/4 2/1 | 3
2/1 9/4 | 2/1 9/4 | 10
9/4 5/2 | 9/4 5/2 | 11
5/2 11/4 | 5/2 11/4 | 2
11/4 3/1 | 11/4 3/1 | 3
3/1 13/4 | 3/1 13/4 | 0
13/4 7/2 | 13/4 7/2 | 1
7/2 15/4 | 7/2 15/4 | 2
15/4 4/1 | 15/4 4/1 | 13",
    );
}

/// `chunk' 4 (fmap (+10)) "0 1 2 3"`: last quarter first. Tidal 1.9 defines `chunk' n` as
/// `chunk (-n)`; both give 1.7's `chunk'` answer here.
#[test]
fn chunk_back_moves_left() {
    check(
        &num("0 1 2 3").chunk_back(&int("4"), add(10.0)),
        c(0),
        c(4),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 13
1/1 5/4 | 1/1 5/4 | 0
5/4 3/2 | 5/4 3/2 | 1
3/2 7/4 | 3/2 7/4 | 12
7/4 2/1 | 7/4 2/1 | 3
2/1 9/4 | 2/1 9/4 | 0
9/4 5/2 | 9/4 5/2 | 11
5/2 11/4 | 5/2 11/4 | 2
11/4 3/1 | 11/4 3/1 | 3
3/1 13/4 | 3/1 13/4 | 10
13/4 7/2 | 13/4 7/2 | 1
7/2 15/4 | 7/2 15/4 | 2
15/4 4/1 | 15/4 4/1 | 3",
    );
    // Tidal 1.9 `chunk (-4)` (1.7 gives silence for negative numbers).
    check(
        &num("0 1 2 3").chunk(&int("-4"), add(10.0)),
        c(0),
        c(4),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 13
1/1 5/4 | 1/1 5/4 | 0
5/4 3/2 | 5/4 3/2 | 1
3/2 7/4 | 3/2 7/4 | 12
7/4 2/1 | 7/4 2/1 | 3
2/1 9/4 | 2/1 9/4 | 0
9/4 5/2 | 9/4 5/2 | 11
5/2 11/4 | 5/2 11/4 | 2
11/4 3/1 | 11/4 3/1 | 3
3/1 13/4 | 3/1 13/4 | 10
13/4 7/2 | 13/4 7/2 | 1
7/2 15/4 | 7/2 15/4 | 2
15/4 4/1 | 15/4 4/1 | 3",
    );
}

/// `while "1 0" (fast 2) "0 1 2 3"`: fast in the first half only.
#[test]
fn while_switches_on_booleans() {
    check(
        &num("0 1 2 3").while_(&bools("1 0"), fast2()),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 0
1/8 1/4 | 1/8 1/4 | 1
1/4 3/8 | 1/4 3/8 | 2
3/8 1/2 | 3/8 1/2 | 3
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 3",
    );
}

/// `sometimesBy 0.5 (fmap (+10)) "0*8"`: Tidal's random choices, bit for bit.
#[test]
fn sometimes_by_matches_tidal_randomness() {
    check(
        &num("0*8").sometimes_by(&num("0.5"), add(10.0)),
        c(0),
        c(2),
        r"
0/1 1/8 | 0/1 1/8 | 10
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 10
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 0
1/1 9/8 | 1/1 9/8 | 10
9/8 5/4 | 9/8 5/4 | 0
5/4 11/8 | 5/4 11/8 | 10
11/8 3/2 | 11/8 3/2 | 10
3/2 13/8 | 3/2 13/8 | 0
13/8 7/4 | 13/8 7/4 | 0
7/4 15/8 | 7/4 15/8 | 0
15/8 2/1 | 15/8 2/1 | 0",
    );
    check(
        &num("0*8").sometimes_by_n(0.5, add(10.0)),
        c(0),
        c(2),
        r"
0/1 1/8 | 0/1 1/8 | 10
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 10
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 0
1/1 9/8 | 1/1 9/8 | 10
9/8 5/4 | 9/8 5/4 | 0
5/4 11/8 | 5/4 11/8 | 10
11/8 3/2 | 11/8 3/2 | 10
3/2 13/8 | 3/2 13/8 | 0
13/8 7/4 | 13/8 7/4 | 0
7/4 15/8 | 7/4 15/8 | 0
15/8 2/1 | 15/8 2/1 | 0",
    );
}

/// `sometimesBy "<0.2 0.8>" (fmap (+10)) "0*8"`: patterned probability.
#[test]
fn sometimes_by_patterned() {
    check(
        &num("0*8").sometimes_by(&num("<0.2 0.8>"), add(10.0)),
        c(0),
        c(2),
        r"
0/1 1/8 | 0/1 1/8 | 10
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 0
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 0
1/1 9/8 | 1/1 9/8 | 10
9/8 5/4 | 9/8 5/4 | 0
5/4 11/8 | 5/4 11/8 | 10
11/8 3/2 | 11/8 3/2 | 10
3/2 13/8 | 3/2 13/8 | 0
13/8 7/4 | 13/8 7/4 | 10
7/4 15/8 | 7/4 15/8 | 10
15/8 2/1 | 15/8 2/1 | 0",
    );
}

/// `sometimes`, `often`, `rarely`, `almostNever`, `almostAlways`, `always`, `never`.
#[test]
fn sometimes_aliases() {
    let p = num("0*8");
    check(
        &p.sometimes(add(10.0)),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 10
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 10
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 0",
    );
    check(
        &p.often(add(10.0)),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 10
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 10
3/8 1/2 | 3/8 1/2 | 10
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 10
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 10",
    );
    check(
        &p.rarely(add(10.0)),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 10
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 0
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 0",
    );
    check(
        &p.almost_never(add(10.0)),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 0
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 0
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 0",
    );
    check(
        &p.almost_always(add(10.0)),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 10
1/8 1/4 | 1/8 1/4 | 10
1/4 3/8 | 1/4 3/8 | 10
3/8 1/2 | 3/8 1/2 | 10
1/2 5/8 | 1/2 5/8 | 10
5/8 3/4 | 5/8 3/4 | 10
3/4 7/8 | 3/4 7/8 | 10
7/8 1/1 | 7/8 1/1 | 10",
    );
    check(
        &num("0 1").always(add(10.0)),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | 10
1/2 1/1 | 1/2 1/1 | 11",
    );
    check(
        &num("0 1").never(add(10.0)),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1",
    );
}

/// `someCyclesBy 0.5 (fmap (+10)) "0 1"` and `somecycles`: whole cycles at random.
#[test]
fn some_cycles_by_whole_cycles() {
    check(
        &num("0 1").some_cycles_by(&num("0.5"), add(10.0)),
        c(0),
        c(8),
        r"
0/1 1/2 | 0/1 1/2 | 10
1/2 1/1 | 1/2 1/1 | 11
1/1 3/2 | 1/1 3/2 | 0
3/2 2/1 | 3/2 2/1 | 1
2/1 5/2 | 2/1 5/2 | 10
5/2 3/1 | 5/2 3/1 | 11
3/1 7/2 | 3/1 7/2 | 0
7/2 4/1 | 7/2 4/1 | 1
4/1 9/2 | 4/1 9/2 | 10
9/2 5/1 | 9/2 5/1 | 11
5/1 11/2 | 5/1 11/2 | 10
11/2 6/1 | 11/2 6/1 | 11
6/1 13/2 | 6/1 13/2 | 0
13/2 7/1 | 13/2 7/1 | 1
7/1 15/2 | 7/1 15/2 | 10
15/2 8/1 | 15/2 8/1 | 11",
    );
    check(
        &num("0").some_cycles(add(10.0)),
        c(0),
        c(8),
        r"
0/1 1/1 | 0/1 1/1 | 10
1/1 2/1 | 1/1 2/1 | 0
2/1 3/1 | 2/1 3/1 | 10
3/1 4/1 | 3/1 4/1 | 0
4/1 5/1 | 4/1 5/1 | 10
5/1 6/1 | 5/1 6/1 | 10
6/1 7/1 | 6/1 7/1 | 0
7/1 8/1 | 7/1 8/1 | 10",
    );
}

/// `degrade`, `degradeBy "<0.2 0.8>"`, `unDegradeBy 0.5` on `"0*8"`.
#[test]
fn degrade_family() {
    check(
        &num("0*8").degrade(),
        c(0),
        c(2),
        r"
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 0
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 0
9/8 5/4 | 9/8 5/4 | 0
3/2 13/8 | 3/2 13/8 | 0
13/8 7/4 | 13/8 7/4 | 0
7/4 15/8 | 7/4 15/8 | 0
15/8 2/1 | 15/8 2/1 | 0",
    );
    check(
        &num("0*8").degrade_by_p(&num("<0.2 0.8>")),
        c(0),
        c(2),
        r"
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 0
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 0
9/8 5/4 | 9/8 5/4 | 0
3/2 13/8 | 3/2 13/8 | 0
15/8 2/1 | 15/8 2/1 | 0",
    );
    check(
        &num("0*8").undegrade_by_p(&num("0.5")),
        c(0),
        c(2),
        r"
0/1 1/8 | 0/1 1/8 | 0
5/8 3/4 | 5/8 3/4 | 0
1/1 9/8 | 1/1 9/8 | 0
5/4 11/8 | 5/4 11/8 | 0
11/8 3/2 | 11/8 3/2 | 0",
    );
}

// ---------------------------------------------------------------------------------------------
// Layering
// ---------------------------------------------------------------------------------------------

/// `superimpose (fast 2) "0 1"`.
#[test]
fn superimpose_layers() {
    check(
        &num("0 1").superimpose(fast2()),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
0/1 1/2 | 0/1 1/2 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 0
1/2 1/1 | 1/2 1/1 | 1
3/4 1/1 | 3/4 1/1 | 1",
    );
}

/// `superimpose ((# speed 2) . (0.125 <~)) $ s "bd*2 sn"` (oracle `superimpose_compose`).
#[test]
fn superimpose_composed() {
    let f = tf(|p: &Pattern<Value>| hash(&p.early(r(1, 8)), &Pattern::pure(control("speed", Value::Num(2.0)))));
    check(
        &s("bd*2 sn").superimpose(f),
        c(0),
        c(1),
        r"
-1/8 1/8 | 0/1 1/8 | {s: bd, speed: 2}
0/1 1/4 | 0/1 1/4 | {s: bd}
1/8 3/8 | 1/8 3/8 | {s: bd, speed: 2}
1/4 1/2 | 1/4 1/2 | {s: bd}
3/8 7/8 | 3/8 7/8 | {s: sn, speed: 2}
1/2 1/1 | 1/2 1/1 | {s: sn}
7/8 9/8 | 7/8 1/1 | {s: bd, speed: 2}",
    );
}

/// `layer [rev, fast 2] "0 1 2"`.
#[test]
fn layer_stacks_functions() {
    check(
        &num("0 1 2").layer(&[rev(), fast2()]),
        c(0),
        c(1),
        r"
0/1 1/6 | 0/1 1/6 | 0
0/1 1/3 | 0/1 1/3 | 2
1/6 1/3 | 1/6 1/3 | 1
1/3 1/2 | 1/3 1/2 | 2
1/3 2/3 | 1/3 2/3 | 1
1/2 2/3 | 1/2 2/3 | 0
2/3 5/6 | 2/3 5/6 | 1
2/3 1/1 | 2/3 1/1 | 0
5/6 1/1 | 5/6 1/1 | 2",
    );
}

/// `off 0.25 (fmap (+12)) "0 1"` and `off "<0.25 0.125>" …`.
#[test]
fn off_shifts_and_transforms() {
    check(
        &num("0 1").off(&rats("0.25"), add(12.0)),
        c(0),
        c(2),
        r"
-1/4 1/4 | 0/1 1/4 | 13
0/1 1/2 | 0/1 1/2 | 0
1/4 3/4 | 1/4 3/4 | 12
1/2 1/1 | 1/2 1/1 | 1
3/4 5/4 | 3/4 1/1 | 13
3/4 5/4 | 1/1 5/4 | 13
1/1 3/2 | 1/1 3/2 | 0
5/4 7/4 | 5/4 7/4 | 12
3/2 2/1 | 3/2 2/1 | 1
7/4 9/4 | 7/4 2/1 | 13",
    );
    check(
        &num("0").off(&rats("<0.25 0.125>"), add(12.0)),
        c(0),
        c(2),
        r"
-3/4 1/4 | 0/1 1/4 | 12
0/1 1/1 | 0/1 1/1 | 0
1/8 9/8 | 1/1 9/8 | 12
1/4 5/4 | 1/4 1/1 | 12
1/1 2/1 | 1/1 2/1 | 0
9/8 17/8 | 9/8 2/1 | 12",
    );
}

/// `off 0.25 (# crush 4) $ s "bd sn"` (oracle `off_crush`).
#[test]
fn off_crush() {
    check(
        &s("bd sn").off(&rats("0.25"), set_ctl("crush", 4.0)),
        c(0),
        c(2),
        r"
-1/4 1/4 | 0/1 1/4 | {crush: 4, s: sn}
0/1 1/2 | 0/1 1/2 | {s: bd}
1/4 3/4 | 1/4 3/4 | {crush: 4, s: bd}
1/2 1/1 | 1/2 1/1 | {s: sn}
3/4 5/4 | 3/4 1/1 | {crush: 4, s: sn}
3/4 5/4 | 1/1 5/4 | {crush: 4, s: sn}
1/1 3/2 | 1/1 3/2 | {s: bd}
5/4 7/4 | 5/4 7/4 | {crush: 4, s: bd}
3/2 2/1 | 3/2 2/1 | {s: sn}
7/4 9/4 | 7/4 2/1 | {crush: 4, s: sn}",
    );
}

/// `stutter 3 (1/8) "0 1"`.
#[test]
fn stutter_repeats() {
    check(
        &num("0 1").stutter(3, r(1, 8)),
        c(0),
        c(1),
        r"
-3/8 1/8 | 0/1 1/8 | 1
-1/4 1/4 | 0/1 1/4 | 1
0/1 1/2 | 0/1 1/2 | 0
1/8 5/8 | 1/8 5/8 | 0
1/4 3/4 | 1/4 3/4 | 0
1/2 1/1 | 1/2 1/1 | 1
5/8 9/8 | 5/8 1/1 | 1
3/4 5/4 | 3/4 1/1 | 1",
    );
}

/// `stutWith 3 (1/8) (fmap (+1)) "0 1"` (1.9's `echoWith` has the same definition).
#[test]
fn echo_with_compounds() {
    check(
        &num("0 1").echo_with(&int("3"), &rats("1/8"), add(1.0)),
        c(0),
        c(1),
        r"
-3/8 1/8 | 0/1 1/8 | 2
-1/4 1/4 | 0/1 1/4 | 3
0/1 1/2 | 0/1 1/2 | 0
1/8 5/8 | 1/8 5/8 | 1
1/4 3/4 | 1/4 3/4 | 2
1/2 1/1 | 1/2 1/1 | 1
5/8 9/8 | 5/8 1/1 | 2
3/4 5/4 | 3/4 1/1 | 3",
    );
}

/// `stutWith 3 (1/3) (# speed 2) $ s "bd sn"` (oracle `stutwith_speed`).
#[test]
fn stut_with_speed() {
    check(
        &s("bd sn").stut_with(&int("3"), &rats("1/3"), set_ctl("speed", 2.0)),
        c(0),
        c(1),
        r"
-1/3 1/6 | 0/1 1/6 | {s: bd, speed: 2}
-1/6 1/3 | 0/1 1/3 | {s: sn, speed: 2}
0/1 1/2 | 0/1 1/2 | {s: bd}
1/6 2/3 | 1/6 1/3 | {s: sn, speed: 2}
1/6 2/3 | 1/3 2/3 | {s: sn, speed: 2}
1/3 5/6 | 1/3 5/6 | {s: bd, speed: 2}
1/2 1/1 | 1/2 1/1 | {s: sn}
2/3 7/6 | 2/3 1/1 | {s: bd, speed: 2}
5/6 4/3 | 5/6 1/1 | {s: sn, speed: 2}",
    );
}

/// `ghost'' (1/8) (fmap (+1)) "~ 0"` (1.9's `ghostWith`).
#[test]
fn ghost_with_two_copies() {
    check(
        &num("~ 0").ghost_with(r(1, 8), add(1.0)),
        c(0),
        c(1),
        r"
-5/16 3/16 | 0/1 3/16 | 1
-3/16 5/16 | 0/1 5/16 | 1
0/1 1/2 | 0/1 1/2 | 2
1/2 1/1 | 1/2 1/1 | 0
11/16 19/16 | 11/16 1/1 | 1
13/16 21/16 | 13/16 1/1 | 1",
    );
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/// `palindrome "0 1 2"`.
#[test]
fn palindrome_alternates() {
    check(
        &num("0 1 2").palindrome(),
        c(0),
        c(3),
        r"
0/1 1/3 | 0/1 1/3 | 0
1/3 2/3 | 1/3 2/3 | 1
2/3 1/1 | 2/3 1/1 | 2
1/1 4/3 | 1/1 4/3 | 2
4/3 5/3 | 4/3 5/3 | 1
5/3 2/1 | 5/3 2/1 | 0
2/1 7/3 | 2/1 7/3 | 0
7/3 8/3 | 7/3 8/3 | 1
8/3 3/1 | 8/3 3/1 | 2",
    );
}

/// `iter 4 "0 1 2 3"` and `iter "<2 4>" …`.
#[test]
fn iter_rotates_each_cycle() {
    check(
        &num("0 1 2 3").iter(&int("4")),
        c(0),
        c(4),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 3
1/1 5/4 | 1/1 5/4 | 1
5/4 3/2 | 5/4 3/2 | 2
3/2 7/4 | 3/2 7/4 | 3
7/4 2/1 | 7/4 2/1 | 0
2/1 9/4 | 2/1 9/4 | 2
9/4 5/2 | 9/4 5/2 | 3
5/2 11/4 | 5/2 11/4 | 0
11/4 3/1 | 11/4 3/1 | 1
3/1 13/4 | 3/1 13/4 | 3
13/4 7/2 | 13/4 7/2 | 0
7/2 15/4 | 7/2 15/4 | 1
15/4 4/1 | 15/4 4/1 | 2",
    );
    check(
        &num("0 1 2 3").iter(&int("<2 4>")),
        c(0),
        c(4),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 3
1/1 5/4 | 1/1 5/4 | 1
5/4 3/2 | 5/4 3/2 | 2
3/2 7/4 | 3/2 7/4 | 3
7/4 2/1 | 7/4 2/1 | 0
2/1 9/4 | 2/1 9/4 | 0
9/4 5/2 | 9/4 5/2 | 1
5/2 11/4 | 5/2 11/4 | 2
11/4 3/1 | 11/4 3/1 | 3
3/1 13/4 | 3/1 13/4 | 3
13/4 7/2 | 13/4 7/2 | 0
7/2 15/4 | 7/2 15/4 | 1
15/4 4/1 | 15/4 4/1 | 2",
    );
}

/// `iter' 4 $ s "bd sn hh cp"` (oracle `iter_back`).
#[test]
fn iter_back_rotates_the_other_way() {
    check(
        &s("bd sn hh cp").iter_back(&int("4")),
        c(0),
        c(4),
        r"
0/1 1/4 | 0/1 1/4 | {s: bd}
1/4 1/2 | 1/4 1/2 | {s: sn}
1/2 3/4 | 1/2 3/4 | {s: hh}
3/4 1/1 | 3/4 1/1 | {s: cp}
1/1 5/4 | 1/1 5/4 | {s: cp}
5/4 3/2 | 5/4 3/2 | {s: bd}
3/2 7/4 | 3/2 7/4 | {s: sn}
7/4 2/1 | 7/4 2/1 | {s: hh}
2/1 9/4 | 2/1 9/4 | {s: hh}
9/4 5/2 | 9/4 5/2 | {s: cp}
5/2 11/4 | 5/2 11/4 | {s: bd}
11/4 3/1 | 11/4 3/1 | {s: sn}
3/1 13/4 | 3/1 13/4 | {s: sn}
13/4 7/2 | 13/4 7/2 | {s: hh}
7/2 15/4 | 7/2 15/4 | {s: cp}
15/4 4/1 | 15/4 4/1 | {s: bd}",
    );
}

/// `ply 2 "0 ~ 1"` and `ply "2 3" "0 1"`.
#[test]
fn ply_repeats_events() {
    check(
        &num("0 ~ 1").ply(&rats("2")),
        c(0),
        c(1),
        r"
0/1 1/6 | 0/1 1/6 | 0
1/6 1/3 | 1/6 1/3 | 0
2/3 5/6 | 2/3 5/6 | 1
5/6 1/1 | 5/6 1/1 | 1",
    );
    check(
        &num("0 1").ply(&rats("2 3")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 0
1/2 2/3 | 1/2 2/3 | 1
2/3 5/6 | 2/3 5/6 | 1
5/6 1/1 | 5/6 1/1 | 1",
    );
}

/// `ply 1.5 "0 1"`: in cycle 1 Tidal drops the fragment at 1 (its `_fastGap` maps a whole that
/// starts in the previous cycle relative to that cycle, so it no longer meets the outer event,
/// and `squeezeJoin` discards it); `fast_gap` reproduces this exactly.
#[test]
fn ply_fractional_across_cycles() {
    check(
        &num("0 1").ply(&rats("1.5")),
        c(0),
        c(2),
        r"
0/1 1/3 | 0/1 1/3 | 0
1/3 1/2 | 1/3 1/2 | 0
1/2 5/6 | 1/2 5/6 | 1
5/6 1/1 | 5/6 1/1 | 1
7/6 3/2 | 7/6 3/2 | 0
5/3 2/1 | 5/3 2/1 | 1",
    );
}

/// `ply 2 $ s "bd ~ sn"` (oracle `ply_2`).
#[test]
fn ply_controls() {
    check(
        &s("bd ~ sn").ply(&rats("2")),
        c(0),
        c(1),
        r"
0/1 1/6 | 0/1 1/6 | {s: bd}
1/6 1/3 | 1/6 1/3 | {s: bd}
2/3 5/6 | 2/3 5/6 | {s: sn}
5/6 1/1 | 5/6 1/1 | {s: sn}",
    );
}

/// `press "0 [1 2]"` and `pressBy "<0.25 0.5>" "0 1"`.
#[test]
fn press_syncopates() {
    check(
        &num("0 [1 2]").press(),
        c(0),
        c(1),
        r"
1/4 1/2 | 1/4 1/2 | 0
5/8 3/4 | 5/8 3/4 | 1
7/8 1/1 | 7/8 1/1 | 2",
    );
    check(
        &num("0 1").press_by(&rats("<0.25 0.5>")),
        c(0),
        c(2),
        r"
1/8 1/2 | 1/8 1/2 | 0
5/8 1/1 | 5/8 1/1 | 1
5/4 3/2 | 5/4 3/2 | 0
7/4 2/1 | 7/4 2/1 | 1",
    );
}

/// `linger 0.25 …` (oracle `linger`), `linger "<0.25 0.5>"`, `linger 0.5 "<0 1> 2"`.
#[test]
fn linger_repeats_the_start() {
    check(
        &num("0 1 2 3 4 5 6 7").linger(&rats("0.25")),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 0
1/8 1/4 | 1/8 1/4 | 1
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 1
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 1
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 1",
    );
    check(
        &num("0 1 2 3 4 5 6 7").linger(&rats("<0.25 0.5>")),
        c(0),
        c(2),
        r"
0/1 1/8 | 0/1 1/8 | 0
1/8 1/4 | 1/8 1/4 | 1
1/4 3/8 | 1/4 3/8 | 0
3/8 1/2 | 3/8 1/2 | 1
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 1
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 1
1/1 9/8 | 1/1 9/8 | 0
9/8 5/4 | 9/8 5/4 | 1
5/4 11/8 | 5/4 11/8 | 2
11/8 3/2 | 11/8 3/2 | 3
3/2 13/8 | 3/2 13/8 | 0
13/8 7/4 | 13/8 7/4 | 1
7/4 15/8 | 7/4 15/8 | 2
15/8 2/1 | 15/8 2/1 | 3",
    );
    check(
        &num("<0 1> 2").linger(&rats("0.5")),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
1/1 3/2 | 1/1 3/2 | 0
3/2 2/1 | 3/2 2/1 | 1",
    );
}

/// `linger (-0.25) "0 1 2 3 4 5 6 7"`: lingers on the last quarter (and `_fast (1/n)` with a
/// negative `n` reverses it, in 1.7 and 1.9 alike).
#[test]
fn linger_negative_takes_the_end() {
    check(
        &num("0 1 2 3 4 5 6 7").linger_n(r(-1, 4)),
        c(0),
        c(1),
        "
0/1 1/8 | 0/1 1/8 | 7
1/8 1/4 | 1/8 1/4 | 6
1/4 3/8 | 1/4 3/8 | 7
3/8 1/2 | 3/8 1/2 | 6
1/2 5/8 | 1/2 5/8 | 7
5/8 3/4 | 5/8 3/4 | 6
3/4 7/8 | 3/4 7/8 | 7
7/8 1/1 | 7/8 1/1 | 6",
    );
}

/// `trunc 0.75 "0 1 2 3"` and `trunc 0.6 "0 <1 2>"` (cut events keep their wholes).
#[test]
fn trunc_cuts_the_end() {
    check(
        &num("0 1 2 3").trunc(&rats("0.75")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 2",
    );
    check(
        &num("0 <1 2>").trunc(&rats("0.6")),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 3/5 | 1
1/1 3/2 | 1/1 3/2 | 0
3/2 2/1 | 3/2 8/5 | 2",
    );
}

/// `fastGap "<2 3>" "0 1"`.
#[test]
fn fast_gap_patterned() {
    check(
        &num("0 1").fast_gap_p(&rats("<2 3>")),
        c(0),
        c(2),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/1 7/6 | 1/1 7/6 | 0
7/6 4/3 | 7/6 4/3 | 1",
    );
}

/// `segment "<1 2>" "0 1 2"`.
#[test]
fn segment_patterned() {
    check(
        &num("0 1 2").segment_p(&rats("<1 2>")),
        c(0),
        c(2),
        r"
0/1 1/1 | 0/1 1/3 | 0
0/1 1/1 | 1/3 2/3 | 1
0/1 1/1 | 2/3 1/1 | 2
1/1 3/2 | 1/1 4/3 | 0
1/1 3/2 | 4/3 3/2 | 1
3/2 2/1 | 3/2 5/3 | 1
3/2 2/1 | 5/3 2/1 | 2",
    );
}

/// `swingBy (1/3) 4 "0*8"` and `swing 2 "0 1 2 3"`.
#[test]
fn swing_delays_offbeats() {
    check(
        &num("0*8").swing_by(&rats("1/3"), &rats("4")),
        c(0),
        c(1),
        r"
-1/24 1/12 | 0/1 1/12 | 0
0/1 1/8 | 0/1 1/8 | 0
5/24 1/3 | 5/24 1/4 | 0
5/24 1/3 | 1/4 1/3 | 0
1/4 3/8 | 1/4 3/8 | 0
11/24 7/12 | 11/24 1/2 | 0
11/24 7/12 | 1/2 7/12 | 0
1/2 5/8 | 1/2 5/8 | 0
17/24 5/6 | 17/24 3/4 | 0
17/24 5/6 | 3/4 5/6 | 0
3/4 7/8 | 3/4 7/8 | 0
23/24 13/12 | 23/24 1/1 | 0",
    );
    check(
        &num("0 1 2 3").swing(&rats("2")),
        c(0),
        c(1),
        r"
-1/12 1/6 | 0/1 1/6 | 3
0/1 1/4 | 0/1 1/4 | 0
5/12 2/3 | 5/12 1/2 | 1
5/12 2/3 | 1/2 2/3 | 1
1/2 3/4 | 1/2 3/4 | 2
11/12 7/6 | 11/12 1/1 | 3",
    );
}

/// `brak "0 1"`.
#[test]
fn brak_every_other_cycle() {
    check(
        &num("0 1").brak(),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
5/4 3/2 | 5/4 3/2 | 0
3/2 7/4 | 3/2 7/4 | 1",
    );
}

// ---------------------------------------------------------------------------------------------
// Structure
// ---------------------------------------------------------------------------------------------

/// `euclid "<3 5>" 8 "0"` and the oracle's `euclid "<3 5>" 8 $ s "bd"`.
#[test]
fn euclid_patterned() {
    check(
        &num("0").euclid_p(&int("<3 5>"), &int("8")),
        c(0),
        c(2),
        r"
0/1 1/8 | 0/1 1/8 | 0
3/8 1/2 | 3/8 1/2 | 0
3/4 7/8 | 3/4 7/8 | 0
1/1 9/8 | 1/1 9/8 | 0
5/4 11/8 | 5/4 11/8 | 0
11/8 3/2 | 11/8 3/2 | 0
13/8 7/4 | 13/8 7/4 | 0
7/4 15/8 | 7/4 15/8 | 0",
    );
    check(
        &s("bd").euclid_p(&int("<3 5>"), &int("8")),
        c(0),
        c(2),
        r"
0/1 1/8 | 0/1 1/8 | {s: bd}
3/8 1/2 | 3/8 1/2 | {s: bd}
3/4 7/8 | 3/4 7/8 | {s: bd}
1/1 9/8 | 1/1 9/8 | {s: bd}
5/4 11/8 | 5/4 11/8 | {s: bd}
11/8 3/2 | 11/8 3/2 | {s: bd}
13/8 7/4 | 13/8 7/4 | {s: bd}
7/4 15/8 | 7/4 15/8 | {s: bd}",
    );
}

/// `euclidInv 3 8 "0"`; Tidal 1.9's `euclid (-3) 8` is the same (1.7 gives silence).
#[test]
fn euclid_inverted() {
    check(
        &num("0").euclid_inv_p(&int("3"), &int("8")),
        c(0),
        c(1),
        r"
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 0
7/8 1/1 | 7/8 1/1 | 0",
    );
    check(
        &num("0").euclid_p(&int("-3"), &int("8")),
        c(0),
        c(1),
        r"
1/8 1/4 | 1/8 1/4 | 0
1/4 3/8 | 1/4 3/8 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 0
7/8 1/1 | 7/8 1/1 | 0",
    );
}

/// `euclidFull 3 8 "0" "1"`.
#[test]
fn euclid_full_fills_the_rests() {
    check(
        &num("0").euclid_full_p(&int("3"), &int("8"), &num("1")),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 0
1/8 1/4 | 1/8 1/4 | 1
1/4 3/8 | 1/4 3/8 | 1
3/8 1/2 | 3/8 1/2 | 0
1/2 5/8 | 1/2 5/8 | 1
5/8 3/4 | 5/8 3/4 | 1
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 1",
    );
}

/// `euclidOff 3 8 "<0 2>" "0"` and the oracle's `euclidOff 3 8 2 $ s "bd"`.
#[test]
fn euclid_off_rotates() {
    check(
        &num("0").euclid_off_p(&int("3"), &int("8"), &int("<0 2>")),
        c(0),
        c(2),
        r"
0/1 1/8 | 0/1 1/8 | 0
3/8 1/2 | 3/8 1/2 | 0
3/4 7/8 | 3/4 7/8 | 0
9/8 5/4 | 9/8 5/4 | 0
3/2 13/8 | 3/2 13/8 | 0
7/4 15/8 | 7/4 15/8 | 0",
    );
    check(
        &s("bd").euclid_off_p(&int("3"), &int("8"), &int("2")),
        c(0),
        c(1),
        r"
1/8 1/4 | 1/8 1/4 | {s: bd}
1/2 5/8 | 1/2 5/8 | {s: bd}
3/4 7/8 | 3/4 7/8 | {s: bd}",
    );
}

/// `struct "t ~ t t" "0"`, `struct "t f t t" "0 1"`, oracle `struct_rest`.
#[test]
fn struct_takes_boolean_structure() {
    check(
        &num("0").struct_(&bools("t ~ t t")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/2 3/4 | 1/2 3/4 | 0
3/4 1/1 | 3/4 1/1 | 0",
    );
    check(
        &num("0 1").struct_(&bools("t f t t")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/2 3/4 | 1/2 3/4 | 1
3/4 1/1 | 3/4 1/1 | 1",
    );
    check(
        &s("bd").struct_(&bools("t ~ t t")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | {s: bd}
1/2 3/4 | 1/2 3/4 | {s: bd}
3/4 1/1 | 3/4 1/1 | {s: bd}",
    );
}

/// `mask "1 0 1 1" "0*8"`, `mask "1 [0 1]" "0 1"` (fragments), oracle `mask_1`.
#[test]
fn mask_removes_false_parts() {
    check(
        &num("0*8").mask(&bools("1 0 1 1")),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 0
1/8 1/4 | 1/8 1/4 | 0
1/2 5/8 | 1/2 5/8 | 0
5/8 3/4 | 5/8 3/4 | 0
3/4 7/8 | 3/4 7/8 | 0
7/8 1/1 | 7/8 1/1 | 0",
    );
    check(
        &num("0 1").mask(&bools("1 [0 1]")),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 3/4 1/1 | 1",
    );
    check(
        &s("hh*8").mask(&bools("1 0 1 1")),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | {s: hh}
1/8 1/4 | 1/8 1/4 | {s: hh}
1/2 5/8 | 1/2 5/8 | {s: hh}
5/8 3/4 | 5/8 3/4 | {s: hh}
3/4 7/8 | 3/4 7/8 | {s: hh}
7/8 1/1 | 7/8 1/1 | {s: hh}",
    );
}

/// `sew "t <f t>" "0*4" "1*8"`: structure from the two sources.
#[test]
fn sew_switches_sources() {
    check(
        &Pattern::sew(&bools("t <f t>"), &num("0*4"), &num("1*8")),
        c(0),
        c(2),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 0
1/2 5/8 | 1/2 5/8 | 1
5/8 3/4 | 5/8 3/4 | 1
3/4 7/8 | 3/4 7/8 | 1
7/8 1/1 | 7/8 1/1 | 1
1/1 5/4 | 1/1 5/4 | 0
5/4 3/2 | 5/4 3/2 | 0
3/2 7/4 | 3/2 7/4 | 0
7/4 2/1 | 7/4 2/1 | 0",
    );
}

/// `stitch "t f t t" 1 0`: structure from the booleans.
#[test]
fn stitch_takes_boolean_structure() {
    check(
        &Pattern::stitch(&bools("t f t t"), &Pattern::pure(1.0), &Pattern::pure(0.0)),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 1
1/4 1/2 | 1/4 1/2 | 0
1/2 3/4 | 1/2 3/4 | 1
3/4 1/1 | 3/4 1/1 | 1",
    );
}

/// `rot 1 "0 1 2 3"`, `rot "<1 -1>" "0 ~ 1 2"`, `rot 5 "0 1 2"`.
#[test]
fn rot_shifts_values() {
    check(
        &num("0 1 2 3").rot(&int("1")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 1
1/4 1/2 | 1/4 1/2 | 2
1/2 3/4 | 1/2 3/4 | 3
3/4 1/1 | 3/4 1/1 | 0",
    );
    check(
        &num("0 ~ 1 2").rot(&int("<1 -1>")),
        c(0),
        c(2),
        r"
0/1 1/4 | 0/1 1/4 | 1
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 0
1/1 5/4 | 1/1 5/4 | 2
3/2 7/4 | 3/2 7/4 | 0
7/4 2/1 | 7/4 2/1 | 1",
    );
    check(
        &num("0 1 2").rot(&int("5")),
        c(0),
        c(1),
        r"
0/1 1/3 | 0/1 1/3 | 2
1/3 2/3 | 1/3 2/3 | 0
2/3 1/1 | 2/3 1/1 | 1",
    );
}

/// `rot 2 $ n "0 ~ 2 3 4"` (oracle `rot_2_rest`).
#[test]
fn rot_skips_rests() {
    check(
        &n("0 ~ 2 3 4").rot(&int("2")),
        c(0),
        c(1),
        r"
0/1 1/5 | 0/1 1/5 | {n: 3}
2/5 3/5 | 2/5 3/5 | {n: 4}
3/5 4/5 | 3/5 4/5 | {n: 0}
4/5 1/1 | 4/5 1/1 | {n: 2}",
    );
}

// ---------------------------------------------------------------------------------------------
// Random choice and concatenation
// ---------------------------------------------------------------------------------------------

/// `segment 4 $ choose [0, 2, 7]` and `chooseBy "0 0.25 0.5" [0, 1, 2, 3]`.
#[test]
fn choose_picks_like_tidal() {
    check(
        &Pattern::choose(vec![0.0, 2.0, 7.0]).segment(c(4)),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 2
1/2 3/4 | 1/2 3/4 | 0
3/4 1/1 | 3/4 1/1 | 2",
    );
    check(
        &Pattern::choose_by(&num("0 0.25 0.5"), vec![0.0, 1.0, 2.0, 3.0]),
        c(0),
        c(1),
        r"
0/1 1/3 | 0/1 1/3 | 0
1/3 2/3 | 1/3 2/3 | 1
2/3 1/1 | 2/3 1/1 | 2",
    );
}

/// `segment 4 $ wchoose [(0,0.25),(2,0.5),(7,0.25)]`.
#[test]
fn wchoose_weighs() {
    check(
        &Pattern::wchoose(vec![(0.0, 0.25), (2.0, 0.5), (7.0, 0.25)]).segment(c(4)),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 2
1/4 1/2 | 1/4 1/2 | 2
1/2 3/4 | 1/2 3/4 | 0
3/4 1/1 | 3/4 1/1 | 2",
    );
}

/// `randcat ["0 1", "2", "3 4 5"]`.
#[test]
fn randcat_picks_cycles() {
    check(
        &Pattern::randcat(vec![num("0 1"), num("2"), num("3 4 5")]),
        c(0),
        c(5),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
1/1 4/3 | 1/1 4/3 | 3
4/3 5/3 | 4/3 5/3 | 4
5/3 2/1 | 5/3 2/1 | 5
2/1 5/2 | 2/1 5/2 | 0
5/2 3/1 | 5/2 3/1 | 1
3/1 4/1 | 3/1 4/1 | 2
4/1 9/2 | 4/1 9/2 | 0
9/2 5/1 | 9/2 5/1 | 1",
    );
}

/// `wrandcat [("0 1", 1), ("2", 0.5), ("3*3", 0.25)]`.
#[test]
fn wrandcat_picks_weighted_cycles() {
    check(
        &Pattern::wrandcat(vec![(num("0 1"), 1.0), (num("2"), 0.5), (num("3*3"), 0.25)]),
        c(0),
        c(5),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
1/1 3/2 | 1/1 3/2 | 0
3/2 2/1 | 3/2 2/1 | 1
2/1 5/2 | 2/1 5/2 | 0
5/2 3/1 | 5/2 3/1 | 1
3/1 4/1 | 3/1 4/1 | 2
4/1 5/1 | 4/1 5/1 | 2",
    );
}

/// `cat`, `overlay`, `append`, `fastAppend`, `slowAppend`.
#[test]
fn concatenation() {
    check(
        &Pattern::cat(vec![num("0 1"), num("2")]),
        c(0),
        c(3),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
1/1 2/1 | 1/1 2/1 | 2
2/1 5/2 | 2/1 5/2 | 0
5/2 3/1 | 5/2 3/1 | 1",
    );
    check(
        &num("0").overlay(&num("1 2")),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | 1
0/1 1/1 | 0/1 1/1 | 0
1/2 1/1 | 1/2 1/1 | 2",
    );
    check(
        &num("0 1").append(&num("2")),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
1/1 2/1 | 1/1 2/1 | 2",
    );
    check(
        &num("0 1").fast_append(&num("2")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 1/1 | 1/2 1/1 | 2",
    );
    check(
        &num("0 1").slow_append(&num("2")),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | 0
1/2 1/1 | 1/2 1/1 | 1
1/1 2/1 | 1/1 2/1 | 2",
    );
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/// `run 4`, `run "<4 2>"`, `scan 3`.
#[test]
fn run_and_scan() {
    check(
        &run(&num("4")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 3",
    );
    check(
        &run(&num("<4 2>")),
        c(0),
        c(2),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 1
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 3
1/1 3/2 | 1/1 3/2 | 0
3/2 2/1 | 3/2 2/1 | 1",
    );
    check(
        &scan(&num("3")),
        c(0),
        c(3),
        r"
0/1 1/1 | 0/1 1/1 | 0
1/1 3/2 | 1/1 3/2 | 0
3/2 2/1 | 3/2 2/1 | 1
2/1 7/3 | 2/1 7/3 | 0
7/3 8/3 | 7/3 8/3 | 1
8/3 3/1 | 8/3 3/1 | 2",
    );
}

/// `segment 4 $ irand 8` and `segment 4 $ irand "<8 2>"`.
#[test]
fn irand_integers() {
    check(
        &irand_p(&int("8")).segment(c(4)),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 2
1/4 1/2 | 1/4 1/2 | 4
1/2 3/4 | 1/2 3/4 | 1
3/4 1/1 | 3/4 1/1 | 3",
    );
    check(
        &irand_p(&int("<8 2>")).segment(c(4)),
        c(0),
        c(2),
        r"
0/1 1/4 | 0/1 1/4 | 2
1/4 1/2 | 1/4 1/2 | 4
1/2 3/4 | 1/2 3/4 | 1
3/4 1/1 | 3/4 1/1 | 3
1/1 5/4 | 1/1 5/4 | 1
5/4 3/2 | 5/4 3/2 | 1
3/2 7/4 | 3/2 7/4 | 1
7/4 2/1 | 7/4 2/1 | 0",
    );
}

/// `segment 4 $ range 1 5 sine`, `range 1 "<5 9>" "0 0.5"`, oracle `segment_saw`.
#[test]
fn range_scales() {
    check(
        &sine().range(&num("1"), &num("5")).segment(c(4)),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 4.414213562373095
1/4 1/2 | 1/4 1/2 | 4.414213562373095
1/2 3/4 | 1/2 3/4 | 1.585786437626905
3/4 1/1 | 3/4 1/1 | 1.5857864376269046",
    );
    check(
        &num("0 0.5").range(&num("1"), &num("<5 9>")),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | 1
1/2 1/1 | 1/2 1/1 | 3
1/1 3/2 | 1/1 3/2 | 1
3/2 2/1 | 3/2 2/1 | 5",
    );
    check(
        &saw().range(&num("0"), &num("10")).segment(c(8)),
        c(0),
        c(1),
        r"
0/1 1/8 | 0/1 1/8 | 0.625
1/8 1/4 | 1/8 1/4 | 1.875
1/4 3/8 | 1/4 3/8 | 3.125
3/8 1/2 | 3/8 1/2 | 4.375
1/2 5/8 | 1/2 5/8 | 5.625
5/8 3/4 | 5/8 3/4 | 6.875
3/4 7/8 | 3/4 7/8 | 8.125
7/8 1/1 | 7/8 1/1 | 9.375",
    );
}

/// `rangex 20 2000 "0 0.5 1"`.
#[test]
fn rangex_is_exponential() {
    check(
        &num("0 0.5 1").rangex(20.0, 2000.0),
        c(0),
        c(1),
        r"
0/1 1/3 | 0/1 1/3 | 19.999999999999996
1/3 2/3 | 1/3 2/3 | 200.0000000000001
2/3 1/1 | 2/3 1/1 | 1999.9999999999998",
    );
}

/// `quantise 1 "0.5 1.5 2.4 2.6 -0.5"`: Haskell's `round` takes halves to even.
#[test]
fn quantise_rounds_half_to_even() {
    check(
        &num("0.5 1.5 2.4 2.6 -0.5").quantise(1.0),
        c(0),
        c(1),
        r"
0/1 1/5 | 0/1 1/5 | 0
1/5 2/5 | 1/5 2/5 | 2
2/5 3/5 | 2/5 3/5 | 2
3/5 4/5 | 3/5 4/5 | 3
4/5 1/1 | 4/5 1/1 | 0",
    );
}

/// `arpeggiate "[0,4,7] [2,5]"`, and a query of half a chord.
#[test]
fn arpeggiate_spreads_chords() {
    check(
        &num("[0,4,7] [2,5]").arpeggiate(),
        c(0),
        c(1),
        r"
0/1 1/6 | 0/1 1/6 | 0
1/6 1/3 | 1/6 1/3 | 4
1/3 1/2 | 1/3 1/2 | 7
1/2 3/4 | 1/2 3/4 | 2
3/4 1/1 | 3/4 1/1 | 5",
    );
    check(
        &num("[0,4,7]").arpeggiate(),
        c(0),
        r(1, 2),
        r"
0/1 1/3 | 0/1 1/3 | 0
1/3 2/3 | 1/3 1/2 | 4",
    );
}

/// `arp (cat [up, down, …, thumbupdown]) "[0,4,7,11]"`: every mode, one per cycle.
#[test]
fn arp_modes() {
    let modes = phonon::pattern::transform::ARP_MODES;
    let modes = Pattern::slowcat(modes.iter().map(|m| Pattern::pure(m.to_string())).collect());
    check(
        &num("[0,4,7,11]").arp(&modes),
        c(0),
        c(13),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 4
1/2 3/4 | 1/2 3/4 | 7
3/4 1/1 | 3/4 1/1 | 11
1/1 5/4 | 1/1 5/4 | 11
5/4 3/2 | 5/4 3/2 | 7
3/2 7/4 | 3/2 7/4 | 4
7/4 2/1 | 7/4 2/1 | 0
2/1 13/6 | 2/1 13/6 | 0
13/6 7/3 | 13/6 7/3 | 4
7/3 5/2 | 7/3 5/2 | 7
5/2 8/3 | 5/2 8/3 | 11
8/3 17/6 | 8/3 17/6 | 7
17/6 3/1 | 17/6 3/1 | 4
3/1 19/6 | 3/1 19/6 | 11
19/6 10/3 | 19/6 10/3 | 7
10/3 7/2 | 10/3 7/2 | 4
7/2 11/3 | 7/2 11/3 | 0
11/3 23/6 | 11/3 23/6 | 4
23/6 4/1 | 23/6 4/1 | 7
4/1 33/8 | 4/1 33/8 | 0
33/8 17/4 | 33/8 17/4 | 4
17/4 35/8 | 17/4 35/8 | 7
35/8 9/2 | 35/8 9/2 | 11
9/2 37/8 | 9/2 37/8 | 11
37/8 19/4 | 37/8 19/4 | 7
19/4 39/8 | 19/4 39/8 | 4
39/8 5/1 | 39/8 5/1 | 0
5/1 41/8 | 5/1 41/8 | 11
41/8 21/4 | 41/8 21/4 | 7
21/4 43/8 | 21/4 43/8 | 4
43/8 11/2 | 43/8 11/2 | 0
11/2 45/8 | 11/2 45/8 | 0
45/8 23/4 | 45/8 23/4 | 4
23/4 47/8 | 23/4 47/8 | 7
47/8 6/1 | 47/8 6/1 | 11
6/1 25/4 | 6/1 25/4 | 0
25/4 13/2 | 25/4 13/2 | 11
13/2 27/4 | 13/2 27/4 | 4
27/4 7/1 | 27/4 7/1 | 7
7/1 29/4 | 7/1 29/4 | 7
29/4 15/2 | 29/4 15/2 | 4
15/2 31/4 | 15/2 31/4 | 11
31/4 8/1 | 31/4 8/1 | 0
8/1 57/7 | 8/1 57/7 | 0
57/7 58/7 | 57/7 58/7 | 11
58/7 59/7 | 58/7 59/7 | 4
59/7 60/7 | 59/7 60/7 | 7
60/7 61/7 | 60/7 61/7 | 4
61/7 62/7 | 61/7 62/7 | 11
62/7 9/1 | 62/7 9/1 | 0
9/1 55/6 | 9/1 55/6 | 0
55/6 28/3 | 55/6 28/3 | 11
28/3 19/2 | 28/3 19/2 | 4
19/2 29/3 | 19/2 29/3 | 11
29/3 59/6 | 29/3 59/6 | 7
59/6 10/1 | 59/6 10/1 | 11
10/1 101/10 | 10/1 101/10 | 0
101/10 51/5 | 101/10 51/5 | 11
51/5 103/10 | 51/5 103/10 | 4
103/10 52/5 | 103/10 52/5 | 11
52/5 21/2 | 52/5 21/2 | 7
21/2 53/5 | 21/2 53/5 | 11
53/5 107/10 | 53/5 107/10 | 7
107/10 54/5 | 107/10 54/5 | 11
54/5 109/10 | 54/5 109/10 | 4
109/10 11/1 | 109/10 11/1 | 11
11/1 67/6 | 11/1 67/6 | 0
67/6 34/3 | 67/6 34/3 | 4
34/3 23/2 | 34/3 23/2 | 0
23/2 35/3 | 23/2 35/3 | 7
35/3 71/6 | 35/3 71/6 | 0
71/6 12/1 | 71/6 12/1 | 11
12/1 121/10 | 12/1 121/10 | 0
121/10 61/5 | 121/10 61/5 | 4
61/5 123/10 | 61/5 123/10 | 0
123/10 62/5 | 123/10 62/5 | 7
62/5 25/2 | 62/5 25/2 | 0
25/2 63/5 | 25/2 63/5 | 11
63/5 127/10 | 63/5 127/10 | 0
127/10 64/5 | 127/10 64/5 | 7
64/5 129/10 | 64/5 129/10 | 0
129/10 13/1 | 129/10 13/1 | 4",
    );
}

/// `scale "major" "0 2 4 7 -1"` and `scale "<minor ritusen>" "0 1 2 5"`.
#[test]
fn scale_maps_degrees() {
    check(
        &int("0 2 4 7 -1").scale(&strs("major")),
        c(0),
        c(1),
        r"
0/1 1/5 | 0/1 1/5 | 0
1/5 2/5 | 1/5 2/5 | 4
2/5 3/5 | 2/5 3/5 | 7
3/5 4/5 | 3/5 4/5 | 12
4/5 1/1 | 4/5 1/1 | -1",
    );
    check(
        &int("0 1 2 5").scale(&strs("<minor ritusen>")),
        c(0),
        c(2),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 2
1/2 3/4 | 1/2 3/4 | 3
3/4 1/1 | 3/4 1/1 | 8
1/1 5/4 | 1/1 5/4 | 0
5/4 3/2 | 5/4 3/2 | 2
3/2 7/4 | 3/2 7/4 | 5
7/4 2/1 | 7/4 2/1 | 12",
    );
}

/// `toScale [0,4,7] "0 1 2 3 -1"` and `toScale' 24 [0,4,7,10,14,17] "0 5 6 7"`.
#[test]
fn to_scale_with_lists() {
    check(
        &int("0 1 2 3 -1").to_scale(&[0.0, 4.0, 7.0]),
        c(0),
        c(1),
        r"
0/1 1/5 | 0/1 1/5 | 0
1/5 2/5 | 1/5 2/5 | 4
2/5 3/5 | 2/5 3/5 | 7
3/5 4/5 | 3/5 4/5 | 12
4/5 1/1 | 4/5 1/1 | -5",
    );
    check(
        &int("0 5 6 7").to_scale_octave(24, &[0.0, 4.0, 7.0, 10.0, 14.0, 17.0]),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | 0
1/4 1/2 | 1/4 1/2 | 17
1/2 3/4 | 1/2 3/4 | 24
3/4 1/1 | 3/4 1/1 | 28",
    );
}

// ---------------------------------------------------------------------------------------------
// Control patterns
// ---------------------------------------------------------------------------------------------

/// `hurry 2 $ s "bd sn" # speed 1.5` (oracle) and `hurry "<1 2>" $ s "bd sn"`.
#[test]
fn hurry_speeds_up_and_pitches() {
    check(
        &hash(&s("bd sn"), &ctl("speed", "1.5")).hurry(&rats("2")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | {s: bd, speed: 3}
1/4 1/2 | 1/4 1/2 | {s: sn, speed: 3}
1/2 3/4 | 1/2 3/4 | {s: bd, speed: 3}
3/4 1/1 | 3/4 1/1 | {s: sn, speed: 3}",
    );
    check(
        &s("bd sn").hurry(&rats("<1 2>")),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | {s: bd, speed: 1}
1/2 1/1 | 1/2 1/1 | {s: sn, speed: 1}
1/1 5/4 | 1/1 5/4 | {s: bd, speed: 2}
5/4 3/2 | 5/4 3/2 | {s: sn, speed: 2}
3/2 7/4 | 3/2 7/4 | {s: bd, speed: 2}
7/4 2/1 | 7/4 2/1 | {s: sn, speed: 2}",
    );
}

/// `loopAt 2 $ chop 4 $ s "break"` and `loopAt "<1 2>" $ s "break"`.
#[test]
fn loop_at_fits_cycles() {
    check(
        &s("break").chop(&int("4")).loop_at(&rats("2")),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | {begin: 0, end: 0.25, s: break, speed: 0.5, unit: c}
1/2 1/1 | 1/2 1/1 | {begin: 0.25, end: 0.5, s: break, speed: 0.5, unit: c}
1/1 3/2 | 1/1 3/2 | {begin: 0.5, end: 0.75, s: break, speed: 0.5, unit: c}
3/2 2/1 | 3/2 2/1 | {begin: 0.75, end: 1, s: break, speed: 0.5, unit: c}",
    );
    check(
        &s("break").loop_at(&rats("<1 2>")),
        c(0),
        c(4),
        r"
0/1 1/1 | 0/1 1/1 | {s: break, speed: 1, unit: c}
0/1 2/1 | 1/1 2/1 | {s: break, speed: 0.5, unit: c}
2/1 3/1 | 2/1 3/1 | {s: break, speed: 1, unit: c}
2/1 4/1 | 3/1 4/1 | {s: break, speed: 0.5, unit: c}",
    );
}

/// `chop 2 $ s "bd sn"`, `chop 2 $ s "bd" # begin 0.5 # end 1`, `chop "<2 3>" $ s "bd"`.
#[test]
fn chop_cuts_samples() {
    check(
        &s("bd sn").chop(&int("2")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | {begin: 0, end: 0.5, s: bd}
1/4 1/2 | 1/4 1/2 | {begin: 0.5, end: 1, s: bd}
1/2 3/4 | 1/2 3/4 | {begin: 0, end: 0.5, s: sn}
3/4 1/1 | 3/4 1/1 | {begin: 0.5, end: 1, s: sn}",
    );
    check(
        &hash(&hash(&s("bd"), &ctl("begin", "0.5")), &ctl("end", "1")).chop(&int("2")),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | {begin: 0.5, end: 0.75, s: bd}
1/2 1/1 | 1/2 1/1 | {begin: 0.75, end: 1, s: bd}",
    );
    check(
        &s("bd").chop(&int("<2 3>")),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | {begin: 0, end: 0.5, s: bd}
1/2 1/1 | 1/2 1/1 | {begin: 0.5, end: 1, s: bd}
1/1 4/3 | 1/1 4/3 | {begin: 0, end: 0.3333333333333333, s: bd}
4/3 5/3 | 4/3 5/3 | {begin: 0.3333333333333333, end: 0.6666666666666666, s: bd}
5/3 2/1 | 5/3 2/1 | {begin: 0.6666666666666666, end: 1, s: bd}",
    );
}

/// `striate 2 $ s "bd sn"` (oracle `striate_2`) and `striate 2 $ s "bd" # begin 0.5`.
#[test]
fn striate_interlaces() {
    check(
        &s("bd sn").striate(&int("2")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | {begin: 0, end: 0.5, s: bd}
1/4 1/2 | 1/4 1/2 | {begin: 0, end: 0.5, s: sn}
1/2 3/4 | 1/2 3/4 | {begin: 0.5, end: 1, s: bd}
3/4 1/1 | 3/4 1/1 | {begin: 0.5, end: 1, s: sn}",
    );
    check(
        &hash(&s("bd"), &ctl("begin", "0.5")).striate(&int("2")),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | {begin: 0.5, end: 0.75, s: bd}
1/2 1/1 | 1/2 1/1 | {begin: 0.75, end: 1, s: bd}",
    );
}

/// `slice 4 "0 2 1*2" $ s "bev"` and `slice "<4 8>" "1 3" $ s "bev" # speed 2`.
#[test]
fn slice_picks_parts() {
    check(
        &s("bev").slice(&int("4"), &int("0 2 1*2")),
        c(0),
        c(1),
        r"
0/1 1/3 | 0/1 1/3 | {begin: 0, end: 0.25, s: bev}
1/3 2/3 | 1/3 2/3 | {begin: 0.5, end: 0.75, s: bev}
2/3 5/6 | 2/3 5/6 | {begin: 0.25, end: 0.5, s: bev}
5/6 1/1 | 5/6 1/1 | {begin: 0.25, end: 0.5, s: bev}",
    );
    check(
        &hash(&s("bev"), &ctl("speed", "2")).slice(&int("<4 8>"), &int("1 3")),
        c(0),
        c(2),
        r"
0/1 1/2 | 0/1 1/2 | {begin: 0.25, end: 0.5, s: bev, speed: 2}
1/2 1/1 | 1/2 1/1 | {begin: 0.75, end: 1, s: bev, speed: 2}
1/1 3/2 | 1/1 3/2 | {begin: 0.125, end: 0.25, s: bev, speed: 2}
3/2 2/1 | 3/2 2/1 | {begin: 0.375, end: 0.5, s: bev, speed: 2}",
    );
}

/// `splice 4 "0 2*2" $ s "bev"`, and with `# speed 2` (the speed is multiplied).
#[test]
fn splice_fits_slices() {
    check(
        &s("bev").splice(&int("4"), &int("0 2*2")),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | {begin: 0, end: 0.25, s: bev, speed: 0.5, unit: c}
1/2 3/4 | 1/2 3/4 | {begin: 0.5, end: 0.75, s: bev, speed: 1, unit: c}
3/4 1/1 | 3/4 1/1 | {begin: 0.5, end: 0.75, s: bev, speed: 1, unit: c}",
    );
    check(
        &hash(&s("bev"), &ctl("speed", "2")).splice(&int("4"), &int("0 2*2")),
        c(0),
        c(1),
        "
0/1 1/2 | 0/1 1/2 | {begin: 0, end: 0.25, s: bev, speed: 1, unit: c}
1/2 3/4 | 1/2 3/4 | {begin: 0.5, end: 0.75, s: bev, speed: 2, unit: c}
3/4 1/1 | 3/4 1/1 | {begin: 0.5, end: 0.75, s: bev, speed: 2, unit: c}",
    );
}

/// `jux (fast 2) $ s "bd sn"` (oracle `jux_fast`).
#[test]
fn jux_pans_apart() {
    check(
        &s("bd sn").jux(fast2()),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | {pan: 1, s: bd}
0/1 1/2 | 0/1 1/2 | {pan: 0, s: bd}
1/4 1/2 | 1/4 1/2 | {pan: 1, s: sn}
1/2 3/4 | 1/2 3/4 | {pan: 1, s: bd}
1/2 1/1 | 1/2 1/1 | {pan: 0, s: sn}
3/4 1/1 | 3/4 1/1 | {pan: 1, s: sn}",
    );
}

/// `juxBy 0.5 rev $ s "bd sn" # pan 0.2`: an existing pan is offset by ±n/2 around +0.5.
#[test]
fn jux_by_offsets_pan() {
    check(
        &hash(&s("bd sn"), &ctl("pan", "0.2")).jux_by(&num("0.5"), rev()),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | {pan: 0.44999999999999996, s: bd}
0/1 1/2 | 0/1 1/2 | {pan: 0.95, s: sn}
1/2 1/1 | 1/2 1/1 | {pan: 0.44999999999999996, s: sn}
1/2 1/1 | 1/2 1/1 | {pan: 0.95, s: bd}",
    );
}

/// `stut 4 0.6 (1/8) $ s "bd"` (oracle `stut_4`) and `stut "<2 3>" 0.5 (1/4) $ s "bd"`.
#[test]
fn stut_decays() {
    check(
        &s("bd").stut(&int("4"), &num("0.6"), &rats("1/8")),
        c(0),
        c(1),
        r"
-7/8 1/8 | 0/1 1/8 | {gain: 0.9, s: bd}
-3/4 1/4 | 0/1 1/4 | {gain: 0.8, s: bd}
-5/8 3/8 | 0/1 3/8 | {gain: 0.7, s: bd}
0/1 1/1 | 0/1 1/1 | {s: bd}
1/8 9/8 | 1/8 1/1 | {gain: 0.9, s: bd}
1/4 5/4 | 1/4 1/1 | {gain: 0.8, s: bd}
3/8 11/8 | 3/8 1/1 | {gain: 0.7, s: bd}",
    );
    check(
        &s("bd").stut(&int("<2 3>"), &num("0.5"), &rats("1/4")),
        c(0),
        c(2),
        r"
-3/4 1/4 | 0/1 1/4 | {gain: 0.75, s: bd}
0/1 1/1 | 0/1 1/1 | {s: bd}
1/4 5/4 | 1/4 1/1 | {gain: 0.75, s: bd}
1/4 5/4 | 1/1 5/4 | {gain: 0.8333333333333333, s: bd}
1/2 3/2 | 1/1 3/2 | {gain: 0.6666666666666666, s: bd}
1/1 2/1 | 1/1 2/1 | {s: bd}
5/4 9/4 | 5/4 2/1 | {gain: 0.8333333333333333, s: bd}
3/2 5/2 | 3/2 2/1 | {gain: 0.6666666666666666, s: bd}",
    );
}

/// `echo 3 0.2 0.5 $ s "bd sn"`, `echo 3 (1/4) 0.5 $ s "bd" # gain 0.8` (1.9; goldens from
/// 1.7's `stutWith 3 t (|* gain fb)`, which is 1.9's definition of `_echo`).
#[test]
fn echo_multiplies_gain() {
    check(
        &s("bd sn").echo(&int("3"), &rats("0.2"), &num("0.5")),
        c(0),
        c(1),
        r"
-3/10 1/5 | 0/1 1/5 | {gain: 0.5, s: sn}
-1/10 2/5 | 0/1 1/5 | {gain: 0.25, s: sn}
-1/10 2/5 | 1/5 2/5 | {gain: 0.25, s: sn}
0/1 1/2 | 0/1 1/2 | {s: bd}
1/5 7/10 | 1/5 7/10 | {gain: 0.5, s: bd}
2/5 9/10 | 2/5 9/10 | {gain: 0.25, s: bd}
1/2 1/1 | 1/2 1/1 | {s: sn}
7/10 6/5 | 7/10 1/1 | {gain: 0.5, s: sn}
9/10 7/5 | 9/10 1/1 | {gain: 0.25, s: sn}",
    );
    check(
        &hash(&s("bd"), &ctl("gain", "0.8")).echo(&int("3"), &rats("1/4"), &num("0.5")),
        c(0),
        c(1),
        r"
-3/4 1/4 | 0/1 1/4 | {gain: 0.4, s: bd}
-1/2 1/2 | 0/1 1/4 | {gain: 0.2, s: bd}
-1/2 1/2 | 1/4 1/2 | {gain: 0.2, s: bd}
0/1 1/1 | 0/1 1/1 | {gain: 0.8, s: bd}
1/4 5/4 | 1/4 1/1 | {gain: 0.4, s: bd}
1/2 3/2 | 1/2 1/1 | {gain: 0.2, s: bd}",
    );
}

/// `ghost $ s "~ sn"`.
#[test]
fn ghost_notes() {
    check(
        &s("~ sn").ghost(),
        c(0),
        c(1),
        r"
-5/16 3/16 | 0/1 3/16 | {end: 0.2, gain: 0.7, s: sn, speed: 1.25}
-3/16 5/16 | 0/1 5/16 | {end: 0.2, gain: 0.7, s: sn, speed: 1.25}
0/1 5/16 | 0/1 5/16 | {end: 0.2, gain: 0.48999999999999994, s: sn, speed: 1.5625}
5/16 1/2 | 5/16 1/2 | {end: 0.2, gain: 0.48999999999999994, s: sn, speed: 1.5625}
1/2 1/1 | 1/2 1/1 | {s: sn}
11/16 19/16 | 11/16 1/1 | {end: 0.2, gain: 0.7, s: sn, speed: 1.25}
13/16 21/16 | 13/16 1/1 | {end: 0.2, gain: 0.7, s: sn, speed: 1.25}",
    );
}

/// `fix (# crush 4) (n "[1,3]") $ n "0 1 2 3" # s "x"` and `fix (fast 2) (s "sn") $ s "bd sn"`.
#[test]
fn fix_matches_controls() {
    let crush = set_ctl("crush", 4.0);
    check(
        &hash(&n("0 1 2 3"), &s("x")).fix(crush.clone(), &n("[1,3]")),
        c(0),
        c(1),
        r"
0/1 1/4 | 0/1 1/4 | {n: 0, s: x}
1/4 1/2 | 1/4 1/2 | {crush: 4, n: 1, s: x}
1/2 3/4 | 1/2 3/4 | {n: 2, s: x}
3/4 1/1 | 3/4 1/1 | {crush: 4, n: 3, s: x}",
    );
    check(
        &s("bd sn").fix(fast2(), &s("sn")),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | {s: bd}
1/4 1/2 | 1/4 1/2 | {s: sn}
3/4 1/1 | 3/4 1/1 | {s: sn}",
    );
}

/// `unfix (# crush 4) (n 1) $ n "0 1"` and `contrast (# crush 4) (# speed 2) (n "1") …`.
#[test]
fn unfix_and_contrast() {
    check(
        &n("0 1").unfix(set_ctl("crush", 4.0), &n("1")),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | {crush: 4, n: 0}
1/2 1/1 | 1/2 1/1 | {n: 1}",
    );
    check(
        &hash(&n("0 1"), &s("x")).contrast(set_ctl("crush", 4.0), set_ctl("speed", 2.0), &n("1")),
        c(0),
        c(1),
        r"
0/1 1/2 | 0/1 1/2 | {n: 0, s: x, speed: 2}
1/2 1/1 | 1/2 1/1 | {crush: 4, n: 1, s: x}",
    );
}

// ---------------------------------------------------------------------------------------------
// Laws
// ---------------------------------------------------------------------------------------------

fn sample_patterns() -> Vec<Pattern<f64>> {
    vec![
        num("0 1 2"),
        num("0 [1 2] <3 4> ~"),
        num("[0,4,7] 2*3"),
        num("0 1").every(&int("<2 3>"), fast2()),
        num("0 ~ 1 2").off(&rats("1/8"), add(7.0)),
    ]
}

/// `fast n . slow n == id` for whole and fractional factors.
#[test]
fn law_fast_slow_inverse() {
    for p in sample_patterns() {
        for f in [c(3), r(2, 3), r(5, 7), c(1)] {
            assert_eq!(p.slow(f).fast(f).query_arc(c(0), c(3)), p.query_arc(c(0), c(3)));
            assert_eq!(p.fast(f).slow(f).onsets(c(0), c(3)), p.onsets(c(0), c(3)));
        }
    }
}

/// `rev . rev == id`.
#[test]
fn law_rev_rev() {
    for p in sample_patterns() {
        assert_eq!(render(&p.rev().rev().query_arc(c(0), c(3))), render(&p.query_arc(c(0), c(3))));
    }
}

/// `every 1 f == f` (plain and patterned period).
#[test]
fn law_every_one() {
    let fs: Vec<Transform<f64>> = vec![rev(), fast2(), add(10.0), tf(|p: &Pattern<f64>| p.iter_n(4)), tf(|p: &Pattern<f64>| p.ply_n(c(2)))];
    for p in sample_patterns() {
        for f in &fs {
            let want = render(&f(&p).query_arc(c(0), c(4)));
            assert_eq!(render(&p.every_n(1, f.clone()).query_arc(c(0), c(4))), want);
            assert_eq!(render(&p.every(&Pattern::pure(1), f.clone()).onsets(c(0), c(4))), render(&f(&p).onsets(c(0), c(4))));
        }
    }
}

/// Query splitting: the events starting in `[0, 2)` are those starting in `[0, 1)` and
/// `[1, 2)` (and in thirds of a cycle), for every transform.
#[test]
fn law_query_splitting() {
    let p = num("0 [1 2] <3 4> ~");
    let cases: Vec<(&str, Pattern<f64>)> = vec![
        ("every", p.every(&int("<2 3>"), rev())),
        ("every'", p.every_offset(&int("3"), &int("1"), fast2())),
        ("whenmod", p.whenmod(&rats("4"), &rats("2"), rev())),
        ("within", p.within(r(1, 4), r(3, 4), fast2())),
        ("chunk", p.chunk(&int("4"), add(10.0))),
        ("chunk'", p.chunk_back(&int("4"), add(10.0))),
        ("iter", p.iter(&int("4"))),
        ("iter'", p.iter_back(&int("3"))),
        ("palindrome", p.palindrome()),
        ("ply", p.ply(&rats("2 3"))),
        ("press", p.press_by(&rats("<0.25 0.5>"))),
        ("linger", p.linger(&rats("<0.25 0.5>"))),
        ("trunc", p.trunc(&rats("0.75"))),
        ("off", p.off(&rats("1/8"), add(7.0))),
        ("echoWith", p.echo_with(&int("3"), &rats("1/3"), add(1.0))),
        ("swingBy", p.swing_by(&rats("1/3"), &rats("4"))),
        ("brak", p.brak()),
        ("inside", p.inside(&rats("2"), rev())),
        ("euclid", p.euclid_off_p(&int("<3 5>"), &int("8"), &int("1"))),
        ("struct", p.struct_(&bools("t f t t"))),
        ("mask", p.mask(&bools("1 [0 1]"))),
        ("sometimes", p.sometimes(add(10.0))),
        ("someCycles", p.some_cycles(add(10.0))),
        ("rot", p.rot(&int("<1 2>"))),
        ("arp", num("[0,4,7] [2,5]").arp(&strs("<up diverge>"))),
        ("randcat", Pattern::randcat(vec![p.clone(), num("5 6")])),
        ("segment", p.segment_p(&rats("3"))),
        ("range", sine().range(&num("1"), &num("<5 9>")).segment(c(4))),
    ];
    let key = |h: &Hap<f64>| (h.whole.map(|w| (w.begin, w.end)), h.value.to_bits());
    for (name, q) in cases {
        let mut whole: Vec<_> = q.onsets(c(0), c(2)).iter().map(key).collect();
        let mut halves: Vec<_> = q.onsets(c(0), c(1)).iter().map(key).collect();
        halves.extend(q.onsets(c(1), c(2)).iter().map(key));
        let mut thirds = Vec::new();
        for i in 0..6 {
            thirds.extend(q.onsets(r(i, 3), r(i + 1, 3)).iter().map(key));
        }
        whole.sort();
        halves.sort();
        thirds.sort();
        assert!(!whole.is_empty(), "{name}: no events");
        assert_eq!(whole, halves, "{name}: [0,2) vs [0,1)+[1,2)");
        assert_eq!(whole, thirds, "{name}: [0,2) vs thirds");
    }
}

/// The same law for the control transforms.
#[test]
fn law_query_splitting_controls() {
    let p = hash(&s("bd [sn cp] <hh oh>"), &ctl("speed", "1 2"));
    let cases: Vec<(&str, Pattern<Value>)> = vec![
        ("jux", p.jux(rev())),
        ("stut", p.stut(&int("3"), &num("0.5"), &rats("1/8"))),
        ("echo", p.echo(&int("3"), &rats("1/5"), &num("0.5"))),
        ("chop", p.chop(&int("<2 3>"))),
        ("striate", p.striate(&int("2"))),
        ("slice", p.slice(&int("4"), &int("0 2 1*2"))),
        ("splice", p.splice(&int("4"), &int("0 2*2"))),
        ("loopAt", p.loop_at(&rats("2"))),
        ("hurry", p.hurry(&rats("<1 2>"))),
        ("ghost", p.ghost()),
        ("fix", p.fix(fast2(), &s("sn"))),
    ];
    let key = |h: &Hap<Value>| (h.whole.map(|w| (w.begin, w.end)), h.value.show());
    for (name, q) in cases {
        let mut whole: Vec<_> = q.onsets(c(0), c(2)).iter().map(key).collect();
        let mut halves: Vec<_> = q.onsets(c(0), c(1)).iter().map(key).collect();
        halves.extend(q.onsets(c(1), c(2)).iter().map(key));
        whole.sort();
        halves.sort();
        assert!(!whole.is_empty(), "{name}: no events");
        assert_eq!(whole, halves, "{name}");
    }
}
