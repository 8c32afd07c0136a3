//! Mini-notation goldens: every feature of Tidal's mini-notation, as exact event lists (whole
//! and part as rationals, and the value), checked against Tidal itself.
//!
//! - The first group was printed by `ghci` with Tidal 1.7 (`queryArc (p :: Pattern String)`,
//!   `Pattern Double`, or `Pattern Note` for chords) for strings where 1.7 and 1.9 agree.
//! - `oracle_*` are Tidal 1.9's answers from `../shared/oracle/public-cases.json` (values mapped
//!   through the control: `s "bd:3"` → `n=3 s=bd`).
//! - `tidal19_*` pin behaviours that are new in Tidal 1.9 (1.7 rejects or differs), derived from
//!   1.9's source as each test says; `phonon_*` pin Phonon's own extensions.
//! - `error_*` pin the column and message of parse errors.
//!
//! Events are compared as sorted lines `whole | part | value`, so the order Tidal happens to
//! list simultaneous events in does not matter.

use phonon::components::Rational;
use phonon::pattern::mini::{MiniError, parse_mini};
use phonon::pattern::value::note_name;
use phonon::pattern::{Hap, Value};

fn rat(x: Rational) -> String {
    format!("{}/{}", x.num(), x.den())
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}

/// A value as the goldens write it: numbers bare, words quoted.
fn value(v: &Value) -> String {
    match v {
        Value::Num(x) => num(*x),
        Value::Str(s) => format!("\"{s}\""),
        other => other.to_json(),
    }
}

fn lines(haps: Vec<Hap<Value>>, show: impl Fn(&Value) -> String) -> Vec<String> {
    let mut out: Vec<String> = haps
        .iter()
        .map(|h| {
            let whole = h.whole.map_or("~ ~".to_string(), |w| format!("{} {}", rat(w.begin), rat(w.end)));
            format!("{whole} | {} {} | {}", rat(h.part.begin), rat(h.part.end), show(&h.value))
        })
        .collect();
    out.sort();
    out
}

fn expected(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
    out.sort();
    out
}

fn query(src: &str, from: i64, to: i64) -> Vec<Hap<Value>> {
    let p = parse_mini(src).unwrap_or_else(|e| panic!("{src:?} failed to parse: {e}"));
    p.query_arc(Rational::integer(from), Rational::integer(to))
}

/// Every event (all fragments) of `src` over `[from, to)` is exactly `want`.
fn golden(src: &str, from: i64, to: i64, want: &str) {
    assert_eq!(lines(query(src, from, to), value), expected(want), "mini-notation {src:?} over [{from}, {to})");
}

/// As [`golden`], with values seen through a control the way the oracle records them:
/// `s` splits `bd:3` into `n=3 s=bd`; `n` and `note` read note names as numbers.
fn oracle(control: &str, src: &str, from: i64, to: i64, want: &str) {
    let show = |v: &Value| match (control, v) {
        ("s", Value::Str(s)) => match s.split_once(':') {
            Some((name, n)) => format!("n={n} s={name}"),
            None => format!("s={s}"),
        },
        (c, Value::Num(x)) => format!("{c}={}", num(*x)),
        (c, Value::Str(s)) => format!("{c}={}", num(note_name(s).expect("a note name"))),
        (c, other) => format!("{c}={}", other.to_json()),
    };
    assert_eq!(lines(query(src, from, to), show), expected(want), "{control} {src:?} over [{from}, {to})");
}

fn error(src: &str) -> MiniError {
    match parse_mini(src) {
        Ok(_) => panic!("{src:?} should not parse"),
        Err(e) => e,
    }
}

/// `src` fails at `column` with a message containing `needle`.
fn fails_at(src: &str, column: usize, needle: &str) {
    let e = error(src);
    assert_eq!(e.column, column, "{src:?}: {e}");
    assert!(e.message.contains(needle), "{src:?}: message {:?} should mention {needle:?}", e.message);
}

// ---------------------------------------------------------------------------------------------
// Goldens from Tidal (ghci)
// ---------------------------------------------------------------------------------------------

/// A sequence divides the cycle equally among its steps.
#[test]
fn seq() {
    golden(
        "bd sn hh cp",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | "bd"
        1/4 1/2 | 1/4 1/2 | "sn"
        1/2 3/4 | 1/2 3/4 | "hh"
        3/4 1/1 | 3/4 1/1 | "cp"
    "#,
    );
}

/// `bd:3` stays one word; the `s` control splits it later.
#[test]
fn sample_index() {
    golden(
        "bd:3 sn:1",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd:3"
        1/2 1/1 | 1/2 1/1 | "sn:1"
    "#,
    );
}

/// Integers, negatives, exponents and decimals are numbers.
#[test]
fn numbers() {
    golden(
        "1 -0.5 1e3 0.25",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | 1
        1/4 1/2 | 1/4 1/2 | -0.5
        1/2 3/4 | 1/2 3/4 | 1000
        3/4 1/1 | 3/4 1/1 | 0.25
    "#,
    );
}

/// Note names are words; callers convert them with `note_name`.
#[test]
fn note_names_stay_words() {
    golden(
        "c5 a4 e",
        0,
        1,
        r#"
        0/1 1/3 | 0/1 1/3 | "c5"
        1/3 2/3 | 1/3 2/3 | "a4"
        2/3 1/1 | 2/3 1/1 | "e"
    "#,
    );
}

/// `t`/`f`/`true`/`false` are words; callers convert them.
#[test]
fn bools_stay_words() {
    golden(
        "t f true false",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | "t"
        1/4 1/2 | 1/4 1/2 | "f"
        1/2 3/4 | 1/2 3/4 | "true"
        3/4 1/1 | 3/4 1/1 | "false"
    "#,
    );
}

/// `~` is a silent step.
#[test]
fn rest() {
    golden(
        "bd ~ sn ~",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | "bd"
        1/2 3/4 | 1/2 3/4 | "sn"
    "#,
    );
}

/// Brackets nest a sequence into one step.
#[test]
fn nest() {
    golden(
        "bd [sn [hh cp]]",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/2 3/4 | 1/2 3/4 | "sn"
        3/4 7/8 | 3/4 7/8 | "hh"
        7/8 1/1 | 7/8 1/1 | "cp"
    "#,
    );
}

/// ` . ` splits a sequence into equal feet.
#[test]
fn feet() {
    golden(
        "bd . [sn sn] . hh hh hh",
        0,
        1,
        r#"
        0/1 1/3 | 0/1 1/3 | "bd"
        1/3 1/2 | 1/3 1/2 | "sn"
        1/2 2/3 | 1/2 2/3 | "sn"
        2/3 7/9 | 2/3 7/9 | "hh"
        7/9 8/9 | 7/9 8/9 | "hh"
        8/9 1/1 | 8/9 1/1 | "hh"
    "#,
    );
}

/// `,` inside brackets stacks sequences, each filling the cycle.
#[test]
fn stack_in_brackets() {
    golden(
        "[bd sn, hh hh hh]",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "sn"
        0/1 1/3 | 0/1 1/3 | "hh"
        1/3 2/3 | 1/3 2/3 | "hh"
        2/3 1/1 | 2/3 1/1 | "hh"
    "#,
    );
}

/// `< >` plays one step per cycle.
#[test]
fn alt() {
    golden(
        "<bd sn cp>",
        0,
        4,
        r#"
        0/1 1/1 | 0/1 1/1 | "bd"
        1/1 2/1 | 1/1 2/1 | "sn"
        2/1 3/1 | 2/1 3/1 | "cp"
        3/1 4/1 | 3/1 4/1 | "bd"
    "#,
    );
}

/// Nested `< >` advance only when they play.
#[test]
fn alt_nested() {
    golden(
        "<bd <sn cp>>",
        0,
        4,
        r#"
        0/1 1/1 | 0/1 1/1 | "bd"
        1/1 2/1 | 1/1 2/1 | "sn"
        2/1 3/1 | 2/1 3/1 | "bd"
        3/1 4/1 | 3/1 4/1 | "cp"
    "#,
    );
}

/// `< >` inside a sequence alternates within its step.
#[test]
fn alt_in_seq() {
    golden(
        "bd <sn cp>",
        0,
        2,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/1 3/2 | 1/1 3/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "sn"
        3/2 2/1 | 3/2 2/1 | "cp"
    "#,
    );
}

/// `< >` sped up plays two steps per cycle.
#[test]
fn alt_fast() {
    golden(
        "<bd sn>*2",
        0,
        2,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "sn"
        1/1 3/2 | 1/1 3/2 | "bd"
        3/2 2/1 | 3/2 2/1 | "sn"
    "#,
    );
}

/// `!` inside `< >` repeats a step over cycles (Tidal 1.9's polymeter form).
#[test]
fn alt_rep() {
    golden(
        "<bd!2 sn>",
        0,
        3,
        r#"
        0/1 1/1 | 0/1 1/1 | "bd"
        1/1 2/1 | 1/1 2/1 | "bd"
        2/1 3/1 | 2/1 3/1 | "sn"
    "#,
    );
}

/// `@` inside `< >` makes a step last several cycles, fragmented per cycle.
#[test]
fn alt_elong() {
    golden(
        "<bd@3 sn>",
        0,
        4,
        r#"
        0/1 3/1 | 0/1 1/1 | "bd"
        0/1 3/1 | 1/1 2/1 | "bd"
        0/1 3/1 | 2/1 3/1 | "bd"
        3/1 4/1 | 3/1 4/1 | "sn"
    "#,
    );
}

/// `,` inside `< >` alternates each layer at its own length.
#[test]
fn alt_stack() {
    golden(
        "<bd sn, hh cp oh>",
        0,
        3,
        r#"
        0/1 1/1 | 0/1 1/1 | "bd"
        0/1 1/1 | 0/1 1/1 | "hh"
        1/1 2/1 | 1/1 2/1 | "sn"
        1/1 2/1 | 1/1 2/1 | "cp"
        2/1 3/1 | 2/1 3/1 | "bd"
        2/1 3/1 | 2/1 3/1 | "oh"
    "#,
    );
}

/// `{ }` runs every layer at the first layer's steps per cycle.
#[test]
fn poly() {
    golden(
        "{bd sn, hh hh hh}",
        0,
        2,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "sn"
        0/1 1/2 | 0/1 1/2 | "hh"
        1/2 1/1 | 1/2 1/1 | "hh"
        1/1 3/2 | 1/1 3/2 | "bd"
        3/2 2/1 | 3/2 2/1 | "sn"
        3/2 2/1 | 3/2 2/1 | "hh"
        1/1 3/2 | 1/1 3/2 | "hh"
    "#,
    );
}

/// `{ }%4` runs four steps per cycle.
#[test]
fn poly_steps() {
    golden(
        "{bd sn hh}%4",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | "bd"
        3/4 1/1 | 3/4 1/1 | "bd"
        1/4 1/2 | 1/4 1/2 | "sn"
        1/2 3/4 | 1/2 3/4 | "hh"
    "#,
    );
}

/// `{ }%` takes a pattern of step counts.
#[test]
fn poly_steps_pat() {
    golden(
        "{bd sn hh}%<2 4>",
        0,
        2,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "sn"
        3/2 7/4 | 3/2 7/4 | "bd"
        1/1 5/4 | 1/1 5/4 | "sn"
        7/4 2/1 | 7/4 2/1 | "sn"
        5/4 3/2 | 5/4 3/2 | "hh"
    "#,
    );
}

/// `*2` repeats a step twice within it.
#[test]
fn fast() {
    golden(
        "bd*2 sn",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | "bd"
        1/4 1/2 | 1/4 1/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "sn"
    "#,
    );
}

/// `*1.5` is an exact 3/2 speed-up.
#[test]
fn fast_frac() {
    golden(
        "[bd sn]*1.5",
        0,
        2,
        r#"
        0/1 1/3 | 0/1 1/3 | "bd"
        2/3 1/1 | 2/3 1/1 | "bd"
        1/3 2/3 | 1/3 2/3 | "sn"
        4/3 5/3 | 4/3 5/3 | "bd"
        1/1 4/3 | 1/1 4/3 | "sn"
        5/3 2/1 | 5/3 2/1 | "sn"
    "#,
    );
}

/// `*<2 3>` patterns the factor per cycle (innerJoin).
#[test]
fn fast_alt() {
    golden(
        "bd*<2 3>",
        0,
        2,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "bd"
        1/1 4/3 | 1/1 4/3 | "bd"
        4/3 5/3 | 4/3 5/3 | "bd"
        5/3 2/1 | 5/3 2/1 | "bd"
    "#,
    );
}

/// `*[2 3]` patterns the factor within the cycle, fragments included.
#[test]
fn fast_seq() {
    golden(
        "bd*[2 3]",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/3 2/3 | 1/2 2/3 | "bd"
        2/3 1/1 | 2/3 1/1 | "bd"
    "#,
    );
}

/// A bracketed factor carries its own `/` (Tidal's pPolyIn).
#[test]
fn fast_group_mult() {
    golden(
        "bd*<2 4>/2",
        0,
        4,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "bd"
        1/1 3/2 | 1/1 3/2 | "bd"
        3/2 2/1 | 3/2 2/1 | "bd"
        2/1 9/4 | 2/1 9/4 | "bd"
        9/4 5/2 | 9/4 5/2 | "bd"
        5/2 11/4 | 5/2 11/4 | "bd"
        11/4 3/1 | 11/4 3/1 | "bd"
        3/1 13/4 | 3/1 13/4 | "bd"
        13/4 7/2 | 13/4 7/2 | "bd"
        7/2 15/4 | 7/2 15/4 | "bd"
        15/4 4/1 | 15/4 4/1 | "bd"
    "#,
    );
}

/// `/2` stretches a step over two cycles, fragmented at the cycle boundary.
#[test]
fn slow() {
    golden(
        "bd/2",
        0,
        2,
        r#"
        0/1 2/1 | 0/1 1/1 | "bd"
        0/1 2/1 | 1/1 2/1 | "bd"
    "#,
    );
}

/// `/1.5` stretches by exactly 3/2.
#[test]
fn slow_frac() {
    golden(
        "bd/1.5",
        0,
        3,
        r#"
        0/1 3/2 | 0/1 1/1 | "bd"
        0/1 3/2 | 1/1 3/2 | "bd"
        3/2 3/1 | 3/2 2/1 | "bd"
        3/2 3/1 | 2/1 3/1 | "bd"
    "#,
    );
}

/// `/<1 2>` patterns the slow-down factor.
#[test]
fn slow_pat() {
    golden(
        "[bd sn]/<1 2>",
        0,
        3,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "sn"
        1/1 2/1 | 1/1 2/1 | "sn"
        2/1 5/2 | 2/1 5/2 | "bd"
        5/2 3/1 | 5/2 3/1 | "sn"
    "#,
    );
}

/// `!3` makes three steps of one.
#[test]
fn rep() {
    golden(
        "bd!3 sn",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | "bd"
        1/4 1/2 | 1/4 1/2 | "bd"
        1/2 3/4 | 1/2 3/4 | "bd"
        3/4 1/1 | 3/4 1/1 | "sn"
    "#,
    );
}

/// A bare `!` repeats the previous step.
#[test]
fn rep_bare() {
    golden(
        "bd ! ! sn",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | "bd"
        1/4 1/2 | 1/4 1/2 | "bd"
        1/2 3/4 | 1/2 3/4 | "bd"
        3/4 1/1 | 3/4 1/1 | "sn"
    "#,
    );
}

/// `!` repeats a bracketed group.
#[test]
fn rep_group() {
    golden(
        "[bd sn]!2 hh",
        0,
        1,
        r#"
        0/1 1/6 | 0/1 1/6 | "bd"
        1/6 1/3 | 1/6 1/3 | "sn"
        1/3 1/2 | 1/3 1/2 | "bd"
        1/2 2/3 | 1/2 2/3 | "sn"
        2/3 1/1 | 2/3 1/1 | "hh"
    "#,
    );
}

/// `!3!` adds up: four steps.
#[test]
fn rep_chain() {
    golden(
        "bd!3! sn",
        0,
        1,
        r#"
        0/1 1/5 | 0/1 1/5 | "bd"
        1/5 2/5 | 1/5 2/5 | "bd"
        2/5 3/5 | 2/5 3/5 | "bd"
        3/5 4/5 | 3/5 4/5 | "bd"
        4/5 1/1 | 4/5 1/1 | "sn"
    "#,
    );
}

/// `@3` gives a step three times the weight.
#[test]
fn elong() {
    golden(
        "bd@3 sn",
        0,
        1,
        r#"
        0/1 3/4 | 0/1 3/4 | "bd"
        3/4 1/1 | 3/4 1/1 | "sn"
    "#,
    );
}

/// Each `_` lengthens the previous step by one.
#[test]
fn elong_under() {
    golden(
        "bd _ _ sn",
        0,
        1,
        r#"
        0/1 3/4 | 0/1 3/4 | "bd"
        3/4 1/1 | 3/4 1/1 | "sn"
    "#,
    );
}

/// `@` weights a bracketed group.
#[test]
fn elong_group() {
    golden(
        "[sn cp]@2 bd",
        0,
        1,
        r#"
        0/1 1/3 | 0/1 1/3 | "sn"
        1/3 2/3 | 1/3 2/3 | "cp"
        2/3 1/1 | 2/3 1/1 | "bd"
    "#,
    );
}

/// Fractional weights are exact.
#[test]
fn elong_frac() {
    golden(
        "bd@1.5 sn",
        0,
        1,
        r#"
        0/1 3/5 | 0/1 3/5 | "bd"
        3/5 1/1 | 3/5 1/1 | "sn"
    "#,
    );
}

/// `@3 _` adds up to weight 4.
#[test]
fn elong_chain() {
    golden(
        "bd@3 _ sn",
        0,
        1,
        r#"
        0/1 4/5 | 0/1 4/5 | "bd"
        4/5 1/1 | 4/5 1/1 | "sn"
    "#,
    );
}

/// `?` drops events with Tidal's seeded random stream 0.
#[test]
fn degrade() {
    golden(
        "bd*8?",
        0,
        2,
        r#"
        1/8 1/4 | 1/8 1/4 | "bd"
        1/4 3/8 | 1/4 3/8 | "bd"
        3/8 1/2 | 3/8 1/2 | "bd"
        1/2 5/8 | 1/2 5/8 | "bd"
        3/4 7/8 | 3/4 7/8 | "bd"
        7/8 1/1 | 7/8 1/1 | "bd"
        9/8 5/4 | 9/8 5/4 | "bd"
        3/2 13/8 | 3/2 13/8 | "bd"
        13/8 7/4 | 13/8 7/4 | "bd"
        7/4 15/8 | 7/4 15/8 | "bd"
        15/8 2/1 | 15/8 2/1 | "bd"
    "#,
    );
}

/// `?0.7` drops events with probability 0.7.
#[test]
fn degrade_amount() {
    golden(
        "bd*8?0.7",
        0,
        2,
        r#"
        1/8 1/4 | 1/8 1/4 | "bd"
        1/2 5/8 | 1/2 5/8 | "bd"
        3/4 7/8 | 3/4 7/8 | "bd"
        9/8 5/4 | 9/8 5/4 | "bd"
        3/2 13/8 | 3/2 13/8 | "bd"
        13/8 7/4 | 13/8 7/4 | "bd"
        15/8 2/1 | 15/8 2/1 | "bd"
    "#,
    );
}

/// Each `?` takes the next seed, in parse order.
#[test]
fn degrade_seeds() {
    golden(
        "bd*2? sn*2? hh*2?",
        0,
        3,
        r#"
        0/1 1/6 | 0/1 1/6 | "bd"
        7/6 4/3 | 7/6 4/3 | "bd"
        13/6 7/3 | 13/6 7/3 | "bd"
        3/2 5/3 | 3/2 5/3 | "sn"
        5/6 1/1 | 5/6 1/1 | "hh"
        11/6 2/1 | 11/6 2/1 | "hh"
    "#,
    );
}

/// `?` on a group samples randomness per event.
#[test]
fn degrade_group() {
    golden(
        "[bd sn hh cp]?",
        0,
        2,
        r#"
        1/4 1/2 | 1/4 1/2 | "sn"
        1/1 5/4 | 1/1 5/4 | "bd"
        5/4 3/2 | 5/4 3/2 | "sn"
        3/2 7/4 | 3/2 7/4 | "hh"
    "#,
    );
}

/// A `?` after a space degrades the whole sequence (Tidal's trailing pRand).
#[test]
fn degrade_sequence() {
    golden(
        "bd sn ?",
        0,
        4,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        3/2 2/1 | 3/2 2/1 | "sn"
        5/2 3/1 | 5/2 3/1 | "sn"
        7/2 4/1 | 7/2 4/1 | "sn"
    "#,
    );
}

/// `|` chooses one alternative per cycle.
#[test]
fn choose() {
    golden(
        "[bd | sn | hh]",
        0,
        8,
        r#"
        0/1 1/1 | 0/1 1/1 | "bd"
        1/1 2/1 | 1/1 2/1 | "sn"
        2/1 3/1 | 2/1 3/1 | "sn"
        3/1 4/1 | 3/1 4/1 | "sn"
        4/1 5/1 | 4/1 5/1 | "hh"
        5/1 6/1 | 5/1 6/1 | "bd"
        6/1 7/1 | 6/1 7/1 | "bd"
        7/1 8/1 | 7/1 8/1 | "sn"
    "#,
    );
}

/// A sped-up choice chooses per repetition.
#[test]
fn choose_fast() {
    golden(
        "[bd | sn | hh]*4",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | "bd"
        1/4 1/2 | 1/4 1/2 | "sn"
        1/2 3/4 | 1/2 3/4 | "sn"
        3/4 1/1 | 3/4 1/1 | "sn"
    "#,
    );
}

/// A `|` group takes its seed after the `?`s before it.
#[test]
fn choose_seed_after() {
    golden(
        "bd*4? [sn | hh | cp]*4",
        0,
        2,
        r#"
        1/8 1/4 | 1/8 1/4 | "bd"
        1/1 9/8 | 1/1 9/8 | "bd"
        9/8 5/4 | 9/8 5/4 | "bd"
        5/4 11/8 | 5/4 11/8 | "bd"
        1/2 5/8 | 1/2 5/8 | "sn"
        5/8 3/4 | 5/8 3/4 | "sn"
        3/4 7/8 | 3/4 7/8 | "hh"
        7/8 1/1 | 7/8 1/1 | "hh"
        3/2 13/8 | 3/2 13/8 | "hh"
        13/8 7/4 | 13/8 7/4 | "hh"
        7/4 15/8 | 7/4 15/8 | "sn"
        15/8 2/1 | 15/8 2/1 | "hh"
    "#,
    );
}

/// Seeds go to the alternatives' `?`s first, then to the `|` group.
#[test]
fn choose_seed_inner() {
    golden(
        "[bd*4? | sn*4?]",
        0,
        4,
        r#"
        1/4 1/2 | 1/4 1/2 | "sn"
        1/1 5/4 | 1/1 5/4 | "bd"
        5/4 3/2 | 5/4 3/2 | "bd"
        3/2 7/4 | 3/2 7/4 | "bd"
        2/1 9/4 | 2/1 9/4 | "sn"
        9/4 5/2 | 9/4 5/2 | "sn"
        11/4 3/1 | 11/4 3/1 | "sn"
        3/1 13/4 | 3/1 13/4 | "bd"
        15/4 4/1 | 15/4 4/1 | "bd"
    "#,
    );
}

/// `(3,8)` places three hits over eight steps, Bjorklund-style.
#[test]
fn euclid() {
    golden(
        "bd(3,8)",
        0,
        1,
        r#"
        0/1 1/8 | 0/1 1/8 | "bd"
        3/8 1/2 | 3/8 1/2 | "bd"
        3/4 7/8 | 3/4 7/8 | "bd"
    "#,
    );
}

/// `(3,8,2)` rotates the rhythm two steps left.
#[test]
fn euclid_rot() {
    golden(
        "bd(3,8,2)",
        0,
        1,
        r#"
        1/8 1/4 | 1/8 1/4 | "bd"
        1/2 5/8 | 1/2 5/8 | "bd"
        3/4 7/8 | 3/4 7/8 | "bd"
    "#,
    );
}

/// Euclid arguments are patterns: a rotation per cycle.
#[test]
fn euclid_pat_rot() {
    golden(
        "bd(5,8,<0 2>)",
        0,
        2,
        r#"
        0/1 1/8 | 0/1 1/8 | "bd"
        1/4 3/8 | 1/4 3/8 | "bd"
        3/8 1/2 | 3/8 1/2 | "bd"
        5/8 3/4 | 5/8 3/4 | "bd"
        3/4 7/8 | 3/4 7/8 | "bd"
        1/1 9/8 | 1/1 9/8 | "bd"
        9/8 5/4 | 9/8 5/4 | "bd"
        11/8 3/2 | 11/8 3/2 | "bd"
        3/2 13/8 | 3/2 13/8 | "bd"
        7/4 15/8 | 7/4 15/8 | "bd"
    "#,
    );
}

/// Patterned hit counts.
#[test]
fn euclid_pat_k() {
    golden(
        "bd(<3 5>,8)",
        0,
        2,
        r#"
        0/1 1/8 | 0/1 1/8 | "bd"
        3/8 1/2 | 3/8 1/2 | "bd"
        3/4 7/8 | 3/4 7/8 | "bd"
        1/1 9/8 | 1/1 9/8 | "bd"
        5/4 11/8 | 5/4 11/8 | "bd"
        11/8 3/2 | 11/8 3/2 | "bd"
        13/8 7/4 | 13/8 7/4 | "bd"
        7/4 15/8 | 7/4 15/8 | "bd"
    "#,
    );
}

/// Euclid applies to a bracketed group.
#[test]
fn euclid_group() {
    golden(
        "[bd sn](3,8)",
        0,
        1,
        r#"
        0/1 1/16 | 0/1 1/16 | "bd"
        1/16 1/8 | 1/16 1/8 | "sn"
        3/8 7/16 | 3/8 7/16 | "bd"
        7/16 1/2 | 7/16 1/2 | "sn"
        3/4 13/16 | 3/4 13/16 | "bd"
        13/16 7/8 | 13/16 7/8 | "sn"
    "#,
    );
}

/// A euclid argument can be a sequence.
#[test]
fn euclid_seq_k() {
    golden(
        "bd(3 5,8)",
        0,
        1,
        r#"
        0/1 1/8 | 0/1 1/8 | "bd"
        3/8 1/2 | 3/8 1/2 | "bd"
        5/8 3/4 | 5/8 3/4 | "bd"
        3/4 7/8 | 3/4 7/8 | "bd"
    "#,
    );
}

/// `..` enumerates into a sequence.
#[test]
fn range() {
    golden(
        "0 .. 3",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | 0
        1/4 1/2 | 1/4 1/2 | 1
        1/2 3/4 | 1/2 3/4 | 2
        3/4 1/1 | 3/4 1/1 | 3
    "#,
    );
}

/// `0 .. 7` is eight steps.
#[test]
fn range_seven() {
    golden(
        "0 .. 7",
        0,
        1,
        r#"
        0/1 1/8 | 0/1 1/8 | 0
        1/8 1/4 | 1/8 1/4 | 1
        1/4 3/8 | 1/4 3/8 | 2
        3/8 1/2 | 3/8 1/2 | 3
        1/2 5/8 | 1/2 5/8 | 4
        5/8 3/4 | 5/8 3/4 | 5
        3/4 7/8 | 3/4 7/8 | 6
        7/8 1/1 | 7/8 1/1 | 7
    "#,
    );
}

/// `..` counts down too (Tidal's enumFromTo').
#[test]
fn range_down() {
    golden(
        "3 .. 0",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | 3
        1/4 1/2 | 1/4 1/2 | 2
        1/2 3/4 | 1/2 3/4 | 1
        3/4 1/1 | 3/4 1/1 | 0
    "#,
    );
}

/// Range ends can be patterns.
#[test]
fn range_pat() {
    golden(
        "0 .. <2 4>",
        0,
        2,
        r#"
        0/1 1/3 | 0/1 1/3 | 0
        1/3 2/3 | 1/3 2/3 | 1
        2/3 1/1 | 2/3 1/1 | 2
        1/1 6/5 | 1/1 6/5 | 0
        6/5 7/5 | 6/5 7/5 | 1
        7/5 8/5 | 7/5 8/5 | 2
        8/5 9/5 | 8/5 9/5 | 3
        9/5 2/1 | 9/5 2/1 | 4
    "#,
    );
}

/// Fractional ranges follow Haskell's enumFromTo (up to end + 1/2).
#[test]
fn range_frac() {
    golden(
        "0.5 .. 2",
        0,
        1,
        r#"
        0/1 1/3 | 0/1 1/3 | 0.5
        1/3 2/3 | 1/3 2/3 | 1.5
        2/3 1/1 | 2/3 1/1 | 2.5
    "#,
    );
}

/// A chord is a stack of note numbers: root plus intervals.
#[test]
fn chord() {
    golden(
        "c'maj e'min",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | 0
        0/1 1/2 | 0/1 1/2 | 4
        0/1 1/2 | 0/1 1/2 | 7
        1/2 1/1 | 1/2 1/1 | 4
        1/2 1/1 | 1/2 1/1 | 7
        1/2 1/1 | 1/2 1/1 | 11
    "#,
    );
}

/// A chord on a numeric root.
#[test]
fn chord_num_root() {
    golden(
        "0'major",
        0,
        1,
        r#"
        0/1 1/1 | 0/1 1/1 | 0
        0/1 1/1 | 0/1 1/1 | 4
        0/1 1/1 | 0/1 1/1 | 7
    "#,
    );
}

/// Chord roots with octaves.
#[test]
fn chord_octave() {
    golden(
        "c4'maj e3'min7",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | -12
        0/1 1/2 | 0/1 1/2 | -8
        0/1 1/2 | 0/1 1/2 | -5
        1/2 1/1 | 1/2 1/1 | -20
        1/2 1/1 | 1/2 1/1 | -17
        1/2 1/1 | 1/2 1/1 | -13
        1/2 1/1 | 1/2 1/1 | -10
    "#,
    );
}

/// `'5` asks for five notes, climbing octaves.
#[test]
fn chord_range() {
    golden(
        "c'maj'5",
        0,
        1,
        r#"
        0/1 1/1 | 0/1 1/1 | 0
        0/1 1/1 | 0/1 1/1 | 4
        0/1 1/1 | 0/1 1/1 | 7
        0/1 1/1 | 0/1 1/1 | 12
        0/1 1/1 | 0/1 1/1 | 16
    "#,
    );
}

/// `'ii` inverts twice.
#[test]
fn chord_invert() {
    golden(
        "c'maj'ii",
        0,
        1,
        r#"
        0/1 1/1 | 0/1 1/1 | 7
        0/1 1/1 | 0/1 1/1 | 12
        0/1 1/1 | 0/1 1/1 | 16
    "#,
    );
}

/// `'o` opens the voicing.
#[test]
fn chord_open() {
    golden(
        "c'maj7'o",
        0,
        1,
        r#"
        0/1 1/1 | 0/1 1/1 | -12
        0/1 1/1 | 0/1 1/1 | -5
        0/1 1/1 | 0/1 1/1 | 4
        0/1 1/1 | 0/1 1/1 | 11
    "#,
    );
}

/// A chord with a euclid rhythm (the design document's example).
#[test]
fn chord_euclid() {
    golden(
        "e3'maj7(3,8,1)",
        0,
        1,
        r#"
        1/4 3/8 | 1/4 3/8 | -20
        1/4 3/8 | 1/4 3/8 | -16
        1/4 3/8 | 1/4 3/8 | -13
        1/4 3/8 | 1/4 3/8 | -9
        5/8 3/4 | 5/8 3/4 | -20
        5/8 3/4 | 5/8 3/4 | -16
        5/8 3/4 | 5/8 3/4 | -13
        5/8 3/4 | 5/8 3/4 | -9
        7/8 1/1 | 7/8 1/1 | -20
        7/8 1/1 | 7/8 1/1 | -16
        7/8 1/1 | 7/8 1/1 | -13
        7/8 1/1 | 7/8 1/1 | -9
    "#,
    );
}

/// Operators combine as in Tidal.
#[test]
fn mixed() {
    golden(
        "bd*2 [~ sn] <hh oh>?",
        0,
        2,
        r#"
        0/1 1/6 | 0/1 1/6 | "bd"
        1/6 1/3 | 1/6 1/3 | "bd"
        1/1 7/6 | 1/1 7/6 | "bd"
        7/6 4/3 | 7/6 4/3 | "bd"
        1/2 2/3 | 1/2 2/3 | "sn"
        3/2 5/3 | 3/2 5/3 | "sn"
    "#,
    );
}

/// `n%d` is an exact fraction.
#[test]
fn fraction() {
    golden(
        "1%4 3%2",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | 0.25
        1/2 1/1 | 1/2 1/1 | 1.5
    "#,
    );
}

/// A chord without a root is on note 0.
#[test]
fn chord_no_root() {
    golden(
        "'maj 'min7'5",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | 0
        0/1 1/2 | 0/1 1/2 | 4
        0/1 1/2 | 0/1 1/2 | 7
        1/2 1/1 | 1/2 1/1 | 0
        1/2 1/1 | 1/2 1/1 | 3
        1/2 1/1 | 1/2 1/1 | 7
        1/2 1/1 | 1/2 1/1 | 10
        1/2 1/1 | 1/2 1/1 | 12
    "#,
    );
}

/// A step whose event overhangs it keeps Tidal's fragment wholes (`_fastGap` maps each span from its own cycle).
#[test]
fn overhang_fragments() {
    golden(
        "hh*0.5 . ~",
        0,
        2,
        r#"
        0/1 1/1 | 0/1 1/2 | "hh"
        0/1 1/1 | 1/1 3/2 | "hh"
    "#,
    );
}

/// A second `?` after a group is the sequence-wide `?`, with the next seed.
#[test]
fn double_degrade_group() {
    golden(
        "[bd sn hh cp]??",
        0,
        2,
        r#"
        1/4 1/2 | 1/4 1/2 | "sn"
        1/1 5/4 | 1/1 5/4 | "bd"
    "#,
    );
}

/// After `*4?0.2`, a second `?` is the sequence-wide one (Tidal rejects a step after it).
#[test]
fn double_degrade_atom() {
    golden(
        "bd*4?0.2?0.2",
        0,
        2,
        r#"
        0/1 1/4 | 0/1 1/4 | "bd"
        1/4 1/2 | 1/4 1/2 | "bd"
        3/4 1/1 | 3/4 1/1 | "bd"
        1/1 5/4 | 1/1 5/4 | "bd"
        5/4 3/2 | 5/4 3/2 | "bd"
        3/2 7/4 | 3/2 7/4 | "bd"
        7/4 2/1 | 7/4 2/1 | "bd"
    "#,
    );
}

/// An atom takes two `?`s (before and after its operators): nested degrades.
#[test]
fn degrade_nested_atom() {
    golden(
        "bd?? sn",
        0,
        4,
        r#"
        2/1 5/2 | 2/1 5/2 | "bd"
        3/1 7/2 | 3/1 7/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "sn"
        3/2 2/1 | 3/2 2/1 | "sn"
        5/2 3/1 | 5/2 3/1 | "sn"
        7/2 4/1 | 7/2 4/1 | "sn"
    "#,
    );
}

/// After `%`, `?` degrades the step count (Tidal parses a whole sequence there).
#[test]
fn poly_steps_degraded() {
    golden(
        "{bd sn hh}%4?",
        0,
        3,
        r#"
        9/4 5/2 | 9/4 5/2 | "bd"
        5/2 11/4 | 5/2 11/4 | "sn"
        2/1 9/4 | 2/1 9/4 | "hh"
        11/4 3/1 | 11/4 3/1 | "hh"
    "#,
    );
}

/// `%<2 5>?*3`: the `?` goes to the step count and the `*3` to the polymeter.
#[test]
fn poly_steps_then_fast() {
    golden(
        "{bd sn hh}%<2 5>?*3",
        0,
        1,
        r#"
        2/3 5/6 | 2/3 5/6 | "sn"
        5/6 1/1 | 5/6 1/1 | "hh"
    "#,
    );
}

/// Numbers after `%4` continue the step-count sequence; a word ends it.
#[test]
fn poly_steps_sequence() {
    golden(
        "{bd sn hh}%4 [2 3] cp",
        0,
        1,
        r#"
        0/1 1/8 | 0/1 1/8 | "bd"
        1/8 1/4 | 1/8 1/4 | "sn"
        1/4 1/2 | 1/4 3/8 | "sn"
        1/3 1/2 | 3/8 1/2 | "hh"
        1/2 1/1 | 1/2 1/1 | "cp"
    "#,
    );
}

// ---------------------------------------------------------------------------------------------
// Tidal 1.9 oracle cases
// ---------------------------------------------------------------------------------------------

/// Tidal 1.9 oracle case `mini_seq`: `s "bd sn hh cp"`.
#[test]
fn oracle_seq() {
    oracle(
        "s",
        "bd sn hh cp",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | s=bd
        1/4 1/2 | 1/4 1/2 | s=sn
        1/2 3/4 | 1/2 3/4 | s=hh
        3/4 1/1 | 3/4 1/1 | s=cp
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_nest_three`: `s "[bd [sn [hh [cp cp]]]]"`.
#[test]
fn oracle_nest_three() {
    oracle(
        "s",
        "[bd [sn [hh [cp cp]]]]",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | s=bd
        1/2 3/4 | 1/2 3/4 | s=sn
        3/4 7/8 | 3/4 7/8 | s=hh
        7/8 15/16 | 7/8 15/16 | s=cp
        15/16 1/1 | 15/16 1/1 | s=cp
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_dot_group`: `s "bd sn . hh hh hh"`.
#[test]
fn oracle_dot_group() {
    oracle(
        "s",
        "bd sn . hh hh hh",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | s=bd
        1/4 1/2 | 1/4 1/2 | s=sn
        1/2 2/3 | 1/2 2/3 | s=hh
        2/3 5/6 | 2/3 5/6 | s=hh
        5/6 1/1 | 5/6 1/1 | s=hh
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_alt`: `s "<bd sn cp>"`.
#[test]
fn oracle_alt() {
    oracle(
        "s",
        "<bd sn cp>",
        0,
        4,
        r#"
        0/1 1/1 | 0/1 1/1 | s=bd
        1/1 2/1 | 1/1 2/1 | s=sn
        2/1 3/1 | 2/1 3/1 | s=cp
        3/1 4/1 | 3/1 4/1 | s=bd
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_alt_fast`: `s "<bd sn>*2"`.
#[test]
fn oracle_alt_fast() {
    oracle(
        "s",
        "<bd sn>*2",
        0,
        2,
        r#"
        0/1 1/2 | 0/1 1/2 | s=bd
        1/2 1/1 | 1/2 1/1 | s=sn
        1/1 3/2 | 1/1 3/2 | s=bd
        3/2 2/1 | 3/2 2/1 | s=sn
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_alt_two`: `s "<bd sn> <hh cp oh>"`.
#[test]
fn oracle_alt_two() {
    oracle(
        "s",
        "<bd sn> <hh cp oh>",
        0,
        6,
        r#"
        0/1 1/2 | 0/1 1/2 | s=bd
        1/1 3/2 | 1/1 3/2 | s=sn
        2/1 5/2 | 2/1 5/2 | s=bd
        3/1 7/2 | 3/1 7/2 | s=sn
        4/1 9/2 | 4/1 9/2 | s=bd
        5/1 11/2 | 5/1 11/2 | s=sn
        1/2 1/1 | 1/2 1/1 | s=hh
        3/2 2/1 | 3/2 2/1 | s=cp
        5/2 3/1 | 5/2 3/1 | s=oh
        7/2 4/1 | 7/2 4/1 | s=hh
        9/2 5/1 | 9/2 5/1 | s=cp
        11/2 6/1 | 11/2 6/1 | s=oh
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_stack_top`: `s "bd sn, hh hh hh"`.
#[test]
fn oracle_stack_top() {
    oracle(
        "s",
        "bd sn, hh hh hh",
        0,
        1,
        r#"
        0/1 1/3 | 0/1 1/3 | s=hh
        0/1 1/2 | 0/1 1/2 | s=bd
        1/3 2/3 | 1/3 2/3 | s=hh
        1/2 1/1 | 1/2 1/1 | s=sn
        2/3 1/1 | 2/3 1/1 | s=hh
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_poly_steps`: `s "{bd sn hh}%4"`.
#[test]
fn oracle_poly_steps() {
    oracle(
        "s",
        "{bd sn hh}%4",
        0,
        3,
        r#"
        0/1 1/4 | 0/1 1/4 | s=bd
        3/4 1/1 | 3/4 1/1 | s=bd
        1/4 1/2 | 1/4 1/2 | s=sn
        1/2 3/4 | 1/2 3/4 | s=hh
        3/2 7/4 | 3/2 7/4 | s=bd
        1/1 5/4 | 1/1 5/4 | s=sn
        7/4 2/1 | 7/4 2/1 | s=sn
        5/4 3/2 | 5/4 3/2 | s=hh
        9/4 5/2 | 9/4 5/2 | s=bd
        5/2 11/4 | 5/2 11/4 | s=sn
        2/1 9/4 | 2/1 9/4 | s=hh
        11/4 3/1 | 11/4 3/1 | s=hh
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_poly_alt`: `s "{bd <sn cp>, hh hh hh}"`.
#[test]
fn oracle_poly_alt() {
    oracle(
        "s",
        "{bd <sn cp>, hh hh hh}",
        0,
        3,
        r#"
        0/1 1/2 | 0/1 1/2 | s=bd
        1/2 1/1 | 1/2 1/1 | s=sn
        0/1 1/2 | 0/1 1/2 | s=hh
        1/2 1/1 | 1/2 1/1 | s=hh
        1/1 3/2 | 1/1 3/2 | s=bd
        3/2 2/1 | 3/2 2/1 | s=cp
        3/2 2/1 | 3/2 2/1 | s=hh
        1/1 3/2 | 1/1 3/2 | s=hh
        2/1 5/2 | 2/1 5/2 | s=bd
        5/2 3/1 | 5/2 3/1 | s=sn
        2/1 5/2 | 2/1 5/2 | s=hh
        5/2 3/1 | 5/2 3/1 | s=hh
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_rep_group`: `s "[bd sn]!2 hh"`.
#[test]
fn oracle_rep_group() {
    oracle(
        "s",
        "[bd sn]!2 hh",
        0,
        1,
        r#"
        0/1 1/6 | 0/1 1/6 | s=bd
        1/6 1/3 | 1/6 1/3 | s=sn
        1/3 1/2 | 1/3 1/2 | s=bd
        1/2 2/3 | 1/2 2/3 | s=sn
        2/3 1/1 | 2/3 1/1 | s=hh
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_elong_group`: `s "bd [sn cp]@2"`.
#[test]
fn oracle_elong_group() {
    oracle(
        "s",
        "bd [sn cp]@2",
        0,
        1,
        r#"
        0/1 1/3 | 0/1 1/3 | s=bd
        1/3 2/3 | 1/3 2/3 | s=sn
        2/3 1/1 | 2/3 1/1 | s=cp
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_fast`: `s "bd*2 sn"`.
#[test]
fn oracle_fast() {
    oracle(
        "s",
        "bd*2 sn",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | s=bd
        1/4 1/2 | 1/4 1/2 | s=bd
        1/2 1/1 | 1/2 1/1 | s=sn
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_fast_pat`: `s "bd*<2 3>"`.
#[test]
fn oracle_fast_pat() {
    oracle(
        "s",
        "bd*<2 3>",
        0,
        2,
        r#"
        0/1 1/2 | 0/1 1/2 | s=bd
        1/2 1/1 | 1/2 1/1 | s=bd
        1/1 4/3 | 1/1 4/3 | s=bd
        4/3 5/3 | 4/3 5/3 | s=bd
        5/3 2/1 | 5/3 2/1 | s=bd
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_slow_frac`: `s "[bd sn]/1.5"`.
#[test]
fn oracle_slow_frac() {
    oracle(
        "s",
        "[bd sn]/1.5",
        0,
        3,
        r#"
        0/1 3/4 | 0/1 3/4 | s=bd
        3/4 3/2 | 3/4 1/1 | s=sn
        3/2 9/4 | 3/2 2/1 | s=bd
        3/4 3/2 | 1/1 3/2 | s=sn
        3/2 9/4 | 2/1 9/4 | s=bd
        9/4 3/1 | 9/4 3/1 | s=sn
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_fast_slow_nested`: `s "[bd [sn cp]*2]/2"`.
#[test]
fn oracle_fast_slow_nested() {
    oracle(
        "s",
        "[bd [sn cp]*2]/2",
        0,
        2,
        r#"
        0/1 1/1 | 0/1 1/1 | s=bd
        1/1 5/4 | 1/1 5/4 | s=sn
        3/2 7/4 | 3/2 7/4 | s=sn
        5/4 3/2 | 5/4 3/2 | s=cp
        7/4 2/1 | 7/4 2/1 | s=cp
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_euclid_rot1`: `s "bd(3,8,1)"`.
#[test]
fn oracle_euclid_rot1() {
    oracle(
        "s",
        "bd(3,8,1)",
        0,
        1,
        r#"
        1/4 3/8 | 1/4 3/8 | s=bd
        5/8 3/4 | 5/8 3/4 | s=bd
        7/8 1/1 | 7/8 1/1 | s=bd
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_euclid_pat_rot`: `s "bd(3,8,<0 2>)"`.
#[test]
fn oracle_euclid_pat_rot() {
    oracle(
        "s",
        "bd(3,8,<0 2>)",
        0,
        2,
        r#"
        0/1 1/8 | 0/1 1/8 | s=bd
        3/8 1/2 | 3/8 1/2 | s=bd
        3/4 7/8 | 3/4 7/8 | s=bd
        9/8 5/4 | 9/8 5/4 | s=bd
        3/2 13/8 | 3/2 13/8 | s=bd
        7/4 15/8 | 7/4 15/8 | s=bd
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_euclid_9_16`: `s "bd(9,16)"`.
#[test]
fn oracle_euclid_9_16() {
    oracle(
        "s",
        "bd(9,16)",
        0,
        1,
        r#"
        0/1 1/16 | 0/1 1/16 | s=bd
        1/8 3/16 | 1/8 3/16 | s=bd
        3/16 1/4 | 3/16 1/4 | s=bd
        5/16 3/8 | 5/16 3/8 | s=bd
        7/16 1/2 | 7/16 1/2 | s=bd
        9/16 5/8 | 9/16 5/8 | s=bd
        5/8 11/16 | 5/8 11/16 | s=bd
        3/4 13/16 | 3/4 13/16 | s=bd
        7/8 15/16 | 7/8 15/16 | s=bd
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_sample_idx_seq`: `s "bd:3*2 [sn:1 cp]"`.
#[test]
fn oracle_sample_idx_seq() {
    oracle(
        "s",
        "bd:3*2 [sn:1 cp]",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | n=3 s=bd
        1/4 1/2 | 1/4 1/2 | n=3 s=bd
        1/2 3/4 | 1/2 3/4 | n=1 s=sn
        3/4 1/1 | 3/4 1/1 | s=cp
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_numbers_nested`: `n "0 [1 2] <3 4>"`.
#[test]
fn oracle_numbers_nested() {
    oracle(
        "n",
        "0 [1 2] <3 4>",
        0,
        2,
        r#"
        0/1 1/3 | 0/1 1/3 | n=0
        1/1 4/3 | 1/1 4/3 | n=0
        1/3 1/2 | 1/3 1/2 | n=1
        1/2 2/3 | 1/2 2/3 | n=2
        4/3 3/2 | 4/3 3/2 | n=1
        3/2 5/3 | 3/2 5/3 | n=2
        2/3 1/1 | 2/3 1/1 | n=3
        5/3 2/1 | 5/3 2/1 | n=4
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_note_names_octave`: `note "c5 a4 f6 e3"`.
#[test]
fn oracle_note_names_octave() {
    oracle(
        "note",
        "c5 a4 f6 e3",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | note=0
        1/4 1/2 | 1/4 1/2 | note=-3
        1/2 3/4 | 1/2 3/4 | note=17
        3/4 1/1 | 3/4 1/1 | note=-20
    "#,
    );
}

/// Tidal 1.9 oracle case `mini_combined2`: `s "[bd | bd]*2 {sn cp}%3 hh@2"`.
#[test]
fn oracle_combined2() {
    oracle(
        "s",
        "[bd | bd]*2 {sn cp}%3 hh@2",
        0,
        2,
        r#"
        0/1 1/8 | 0/1 1/8 | s=bd
        1/8 1/4 | 1/8 1/4 | s=bd
        1/1 9/8 | 1/1 9/8 | s=bd
        9/8 5/4 | 9/8 5/4 | s=bd
        1/4 1/3 | 1/4 1/3 | s=sn
        5/12 1/2 | 5/12 1/2 | s=sn
        1/3 5/12 | 1/3 5/12 | s=cp
        4/3 17/12 | 4/3 17/12 | s=sn
        5/4 4/3 | 5/4 4/3 | s=cp
        17/12 3/2 | 17/12 3/2 | s=cp
        1/2 1/1 | 1/2 1/1 | s=hh
        3/2 2/1 | 3/2 2/1 | s=hh
    "#,
    );
}

// ---------------------------------------------------------------------------------------------
// Tidal 1.9 behaviours (1.7, in ghci, rejects or differs)
// ---------------------------------------------------------------------------------------------

/// A top-level `,` stacks sequences (Tidal 1.9; same events as ghci's `[bd sn, hh hh hh]`).
#[test]
fn tidal19_top_level_stack() {
    golden(
        "bd sn, hh hh hh",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | "bd"
        1/2 1/1 | 1/2 1/1 | "sn"
        0/1 1/3 | 0/1 1/3 | "hh"
        1/3 2/3 | 1/3 2/3 | "hh"
        2/3 1/1 | 2/3 1/1 | "hh"
    "#,
    );
}

/// A top-level `|` chooses with seed 0 (Tidal 1.9; same events as ghci's `[bd | sn | hh]`).
#[test]
fn tidal19_top_level_choose() {
    golden(
        "bd | sn | hh",
        0,
        8,
        r#"
        0/1 1/1 | 0/1 1/1 | "bd"
        1/1 2/1 | 1/1 2/1 | "sn"
        2/1 3/1 | 2/1 3/1 | "sn"
        3/1 4/1 | 3/1 4/1 | "sn"
        4/1 5/1 | 4/1 5/1 | "hh"
        5/1 6/1 | 5/1 6/1 | "bd"
        6/1 7/1 | 6/1 7/1 | "bd"
        7/1 8/1 | 7/1 8/1 | "sn"
    "#,
    );
}

/// `-` is a rest like `~` (Tidal 1.9.10; same events as ghci's `bd ~ sn ~`).
#[test]
fn tidal19_dash_rest() {
    golden(
        "bd - sn -",
        0,
        1,
        r#"
        0/1 1/4 | 0/1 1/4 | "bd"
        1/2 3/4 | 1/2 3/4 | "sn"
    "#,
    );
}

/// A negative hit count inverts the rhythm (Tidal 1.9's `_euclid`; same events as ghci's
/// `_euclidInv 3 8 "bd"`).
#[test]
fn tidal19_euclid_negative() {
    golden(
        "bd(-3,8)",
        0,
        1,
        r#"
        1/8 1/4 | 1/8 1/4 | "bd"
        1/4 3/8 | 1/4 3/8 | "bd"
        1/2 5/8 | 1/2 5/8 | "bd"
        5/8 3/4 | 5/8 3/4 | "bd"
        7/8 1/1 | 7/8 1/1 | "bd"
    "#,
    );
}

/// `'d1` drops the top note an octave (1.9's `applyModifier (Drop 1)` on [0,4,7,11]).
#[test]
fn tidal19_chord_drop() {
    golden(
        "c'maj7'd1",
        0,
        1,
        r#"
        0/1 1/1 | 0/1 1/1 | -1
        0/1 1/1 | 0/1 1/1 | 0
        0/1 1/1 | 0/1 1/1 | 4
        0/1 1/1 | 0/1 1/1 | 7
    "#,
    );
}

/// Modifiers apply in order: `'5` gives [0,4,7,12,16], then `'i` moves 0 up to 12.
#[test]
fn tidal19_chord_modifier_chain() {
    golden(
        "c'maj'5'i",
        0,
        1,
        r#"
        0/1 1/1 | 0/1 1/1 | 4
        0/1 1/1 | 0/1 1/1 | 7
        0/1 1/1 | 0/1 1/1 | 12
        0/1 1/1 | 0/1 1/1 | 16
        0/1 1/1 | 0/1 1/1 | 12
    "#,
    );
}

/// `'i2` is two inversions, like `'ii` (1.9's `parseModInvNum`).
#[test]
fn tidal19_chord_invert_count() {
    golden(
        "c'maj'i2",
        0,
        1,
        r#"
        0/1 1/1 | 0/1 1/1 | 7
        0/1 1/1 | 0/1 1/1 | 12
        0/1 1/1 | 0/1 1/1 | 16
    "#,
    );
}

/// The chord name is itself a pattern (1.9's `pChord` parses it with `pPart`).
#[test]
fn tidal19_chord_name_pattern() {
    golden(
        "c'<maj min>",
        0,
        2,
        r#"
        0/1 1/1 | 0/1 1/1 | 0
        0/1 1/1 | 0/1 1/1 | 4
        0/1 1/1 | 0/1 1/1 | 7
        1/1 2/1 | 1/1 2/1 | 0
        1/1 2/1 | 1/1 2/1 | 3
        1/1 2/1 | 1/1 2/1 | 7
    "#,
    );
}

// ---------------------------------------------------------------------------------------------
// Phonon extensions
// ---------------------------------------------------------------------------------------------

/// `~name` (no space) is a bus reference, kept as the word `~name`; `~` alone is a rest.
#[test]
fn phonon_bus_reference() {
    golden(
        "~x ~ ~lead:2",
        0,
        1,
        r#"
        0/1 1/3 | 0/1 1/3 | "~x"
        2/3 1/1 | 2/3 1/1 | "~lead:2"
    "#,
    );
}

/// `.5` and `-.25` are numbers (Tidal needs a leading digit).
#[test]
fn phonon_leading_dot_numbers() {
    golden(
        ".5 -.25",
        0,
        1,
        r#"
        0/1 1/2 | 0/1 1/2 | 0.5
        1/2 1/1 | 1/2 1/1 | -0.25
    "#,
    );
}

/// Postfix operators chain in the order written (Tidal accepts only one `*` per step).
#[test]
fn phonon_chained_operators() {
    assert_eq!(lines(query("bd*2*3", 0, 1), value), lines(query("bd*6", 0, 1), value));
    assert_eq!(lines(query("bd(3,8)*2", 0, 1), value), lines(query("[bd(3,8)]*2", 0, 1), value));
}

/// The pattern is built once: querying two cycles at once or one by one gives the same onsets.
#[test]
fn queries_split_consistently() {
    let p = parse_mini("bd*<2 3> [sn cp]/1.5 {hh oh}%<3 5> bd(<3 5>,8,<0 2>)? 0 .. 3 e'min7'ii").unwrap();
    let (zero, one, two) = (Rational::ZERO, Rational::ONE, Rational::integer(2));
    let key = |h: &Hap<Value>| (rat(h.whole.unwrap().begin), rat(h.whole.unwrap().end), value(&h.value));
    let mut both: Vec<_> = p.onsets(zero, two).iter().map(key).collect();
    let mut split: Vec<_> = p.onsets(zero, one).iter().chain(p.onsets(one, two).iter()).map(key).collect();
    both.sort();
    split.sort();
    assert_eq!(both, split);
}

// ---------------------------------------------------------------------------------------------
// Errors: the column (1-based, in characters) and what was expected
// ---------------------------------------------------------------------------------------------

/// An unclosed bracket is reported at the end, naming the bracket to close and where it opened.
#[test]
fn error_unclosed_bracket() {
    fails_at("[bd sn", 7, "expected ']' to close the '[' at column 1, found end of input");
    fails_at("bd <sn cp", 10, "'>' to close the '<' at column 4");
    fails_at("{bd sn", 7, "'}' to close the '{' at column 1");
}

/// `bd(3,` stops where the number of steps should be.
#[test]
fn error_euclid_unfinished() {
    fails_at("bd(3,", 6, "expected the number of steps after ','");
    fails_at("bd(3 8)", 7, "expected ',' and the number of steps");
    fails_at("bd(3,8,)", 8, "expected the rotation");
    fails_at("bd(3,8", 7, "')' to close the '(' at column 3");
}

/// `*` and `/` need a factor.
#[test]
fn error_missing_factor() {
    fails_at("bd*", 4, "expected a number or a pattern in [ ], < > or { } after '*', found end of input");
    fails_at("bd/ sn", 5, "expected a number for a time factor, found 'sn'");
    fails_at("*", 1, "expected a step");
}

/// Stray closers, operators without a step, and mixed `,`/`|` are explained.
#[test]
fn error_misplaced_symbols() {
    fails_at("bd sn]", 6, "found ']' without a matching '['");
    fails_at("_ bd", 1, "'_' needs a step before it");
    fails_at("bd [!2]", 5, "'!' needs a step before it");
    fails_at("[bd, sn | hh]", 9, "cannot mix ','");
    fails_at("bd sn ? hh", 9, "must end it");
    fails_at("bd@x", 4, "expected a number after '@'");
}

/// Chords need a root that is a number or note name, and a known name and modifiers.
#[test]
fn error_chords() {
    fails_at("bd'maj", 1, "chord root");
    fails_at("c e'nope", 5, "unknown chord 'nope'");
    fails_at("c'maj'x", 7, "unknown chord modifier 'x'");
    fails_at("c'", 3, "expected a chord name");
}

/// Nonsense numbers are refused before they can hang or overflow a query.
#[test]
fn error_bad_numbers() {
    fails_at("bd?2", 4, "between 0 and 1");
    fails_at("bd*1e9", 4, "too large");
    fails_at("bd(3,1e6)", 6, "too large");
    fails_at("bd(3.5,8)", 4, "whole number");
    fails_at("0 .. 100000", 1, "range is too long");
    fails_at("bd@0.5@0.2 sn", 1, "weights add up to nothing");
    fails_at("c'maj'1000", 7, "unknown chord modifier");
}

/// The error's text is the column and the message.
#[test]
fn error_display() {
    assert_eq!(error("[bd").to_string(), "column 4: expected ']' to close the '[' at column 1, found end of input");
}
