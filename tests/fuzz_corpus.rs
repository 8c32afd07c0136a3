//! The fuzzers' findings, kept: every file of the committed corpus (`fuzz/corpus/<target>/`,
//! minimized with `cargo fuzz cmin`) goes through the same checks as in the fuzz targets
//! (`fuzz/checks.rs`), and a short deterministic proptest run per target throws structured
//! random input at them: `.ph` programs, mini-notation strings, RON scenes and WAV headers.
//!
//! The checks: bad input is an `Err`, never a panic (the pattern engine's deliberate, caught
//! refusals aside), and a scene that builds renders 4 blocks of finite samples within ±1.
//! The proptest runs use a fixed seed and a fixed case count (not `PROPTEST_CASES`), so every
//! run tries the same inputs.

#[path = "../fuzz/checks.rs"]
mod checks;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::path::PathBuf;

/// Replay every file of `fuzz/corpus/<target>/` through `check`; returns how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    checks::init(false);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz").join("corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("fuzz corpus file {} fails the {target} check:\n{}", f.display(), String::from_utf8_lossy(&data));
        }
    }
    let bugs = std::mem::take(&mut *checks::BUGS.lock().unwrap_or_else(|e| e.into_inner()));
    assert!(bugs.is_empty(), "panics caught inside the engine during the {target} replay: {bugs:?}");
    eprintln!("{target} corpus: {} files; reached (parsed, built, rendered): {:?}", files.len(), checks::REACHED.get());
    files.len()
}

#[test]
fn corpus_ph() {
    assert!(replay("ph", checks::ph) >= 100);
}

#[test]
fn corpus_mini() {
    assert!(replay("mini", checks::mini) >= 100);
}

#[test]
fn corpus_ron() {
    assert!(replay("ron", checks::ron) >= 20);
}

#[test]
fn corpus_wav() {
    assert!(replay("wav", checks::wav) >= 20);
}

/// Run `check` on `cases` inputs from `strategy`, from a fixed seed.
fn run<S: Strategy>(cases: u32, strategy: S, check: impl Fn(&S::Value)) {
    checks::init(false);
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 256, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    let result = runner.run(&strategy, |v| {
        check(&v);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!("{cases} cases; reached (parsed, built, rendered): {:?}", checks::REACHED.get());
    let bugs = std::mem::take(&mut *checks::BUGS.lock().unwrap_or_else(|e| e.into_inner()));
    assert!(bugs.is_empty(), "panics caught inside the engine: {bugs:?}");
}

// --- mini-notation -----------------------------------------------------------------------

fn mini_atom() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "bd",
            "sn",
            "hh",
            "~",
            "-",
            "arpy:3",
            "~x",
            "c4",
            "e'min7",
            "0'major'5",
            "c'maj'ii",
            "t",
            "f",
            "1",
            "-1.5",
            ".5",
            "1e3",
            "1%4",
            "0",
            "100000",
            "4096",
            "e",
        ])
        .prop_map(String::from),
        (-20i32..20).prop_map(|n| n.to_string()),
    ]
}

fn mini_expr() -> impl Strategy<Value = String> {
    mini_atom().prop_recursive(5, 48, 5, |inner| {
        let num = prop_oneof![
            prop::sample::select(vec!["0", "1", "2", "3", "0.5", "-1", "1e5", "99999", "4096", "1%3", "<2 3>", "[1 2]"])
                .prop_map(String::from),
            (0u32..20).prop_map(|n| n.to_string()),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..5).prop_map(|v| v.join(" ")),
            inner.clone().prop_map(|x| format!("[{x}]")),
            inner.clone().prop_map(|x| format!("<{x}>")),
            (prop::collection::vec(inner.clone(), 1..3), num.clone()).prop_map(|(v, n)| format!("{{{}}}%{n}", v.join(", "))),
            (inner.clone(), num.clone()).prop_map(|(x, n)| format!("{x}*{n}")),
            (inner.clone(), num.clone()).prop_map(|(x, n)| format!("{x}/{n}")),
            (inner.clone(), num.clone(), num.clone(), num.clone()).prop_map(|(x, k, n, r)| format!("{x}({k},{n},{r})")),
            inner.clone().prop_map(|x| format!("{x}?")),
            (inner.clone(), 1u32..6).prop_map(|(x, n)| format!("{x}!{n}")),
            (inner.clone(), num.clone()).prop_map(|(x, n)| format!("{x}@{n}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} .. {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a} | {b}]")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}, {b}]")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a} . {b}")),
        ]
    })
}

/// Mini-notation strings, also cut short at a random point (unclosed brackets, dangling
/// operators).
fn mini_text() -> impl Strategy<Value = String> {
    (mini_expr(), any::<prop::sample::Index>(), any::<bool>())
        .prop_map(|(s, cut, whole)| if whole { s } else { s[..s.floor_char_boundary(cut.index(s.len() + 1))].to_string() })
}

#[test]
fn proptest_mini() {
    run(1000, mini_text(), |s| checks::mini(s.as_bytes()));
}

// --- .ph programs ------------------------------------------------------------------------

fn ph_number() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "-1",
            "0.5",
            "440",
            "55",
            "1e308",
            "-1e308",
            "1e-320",
            "20000",
            "0.0001",
            "(1e308 * 1e308)",
            "(1 / 0)"
        ])
        .prop_map(String::from),
        (-1000.0f64..20_000.0).prop_map(|x| format!("{x:.3}")),
    ]
}

fn ph_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        ph_number(),
        mini_expr().prop_map(|m| format!("\"{m}\"")),
        mini_expr().prop_map(|m| format!("s \"{m}\"")),
        mini_expr().prop_map(|m| format!("n \"{m}\"")),
        prop::sample::select(vec!["~a", "~b", "~fx", "noise", "saw", "sine", "square", "pink", "cF 0.5 \"x\"", "sine 0.25"])
            .prop_map(String::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (prop::sample::select(vec!["sine", "saw", "square", "tri", "impulse", "pulse", "phasor"]), inner.clone())
                .prop_map(|(o, f)| format!("{o} ({f})")),
            (inner.clone(), prop::sample::select(vec!["+", "-", "*", "/", "#", "|+", "+|", "|*|", "|<", "$"]), inner.clone())
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            (
                inner.clone(),
                prop::sample::select(vec!["lpf", "hpf", "bpf", "moog", "delay", "reverb", "gain", "pan", "n", "speed"]),
                ph_number(),
                ph_number()
            )
                .prop_map(|(x, f, a, b)| format!("({x}) # {f} {a} {b}")),
            (
                prop::sample::select(vec!["fast", "slow", "every", "degradeBy", "euclid", "range", "segment", "jux rev $", "rev $"]),
                ph_number(),
                inner.clone()
            )
                .prop_map(|(f, a, x)| format!("{f} {a} ({x})")),
            inner.clone().prop_map(|x| format!("({x})")),
            inner.prop_map(|x| format!("[{x}]")),
        ]
    })
}

/// `.ph` programs: tempo lines, buses `~a`, `~b`, `~fx` and outputs, with LF or CRLF line
/// ends, sometimes a BOM, comments and continuation lines, sometimes cut short.
fn ph_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        ph_number().prop_map(|n| format!("tempo: {n}")),
        ph_number().prop_map(|n| format!("bpm: {n}")),
        (prop::sample::select(vec!["~a", "~b", "~fx", "out", "o1", "d2", "o17"]), ph_expr()).prop_map(|(h, e)| format!("{h}: {e}")),
        ph_expr().prop_map(|e| format!("  # {e}")),
        Just("-- a comment".to_string()),
        Just("hush".to_string()),
        Just("~fx: delay 0.3 0.4 # lpf 2000".to_string()),
    ];
    (prop::collection::vec(line, 1..6), any::<bool>(), any::<bool>(), any::<prop::sample::Index>(), any::<bool>()).prop_map(
        |(lines, crlf, bom, cut, whole)| {
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            s.push_str(&lines.join(if crlf { "\r\n" } else { "\n" }));
            if !whole {
                s.truncate(s.floor_char_boundary(cut.index(s.len() + 1)));
            }
            s
        },
    )
}

#[test]
fn proptest_ph() {
    run(384, ph_text(), |s| checks::ph(s.as_bytes()));
}

// --- RON scenes --------------------------------------------------------------------------

fn ron_number() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => prop::sample::select(vec!["0", "1", "-1", "0.5", "440", "1e308", "-1e308", "inf", "-inf", "NaN", "20000", "1e-300"])
            .prop_map(String::from),
        3 => (0.01f64..2_000.0).prop_map(|x| format!("{x:.3}")),
    ]
}

fn ron_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => ron_number().prop_map(|n| format!("Num({n})")),
        2 => prop::sample::select(vec!["Bus(\"a\")", "Bus(\"b\")", "Noise", "External(\"x\", 0.5)"]).prop_map(String::from),
        1 => prop::sample::select(vec!["Bus(\"nope\")", "Freq", "Input"]).prop_map(String::from),
        1 => mini_expr().prop_map(|m| format!("Pattern({m:?})")),
        1 => mini_expr().prop_map(|m| format!("Pattern({:?})", format!("s \"{m}\""))),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (prop::sample::select(vec!["Sine", "Saw", "Square", "Tri", "Impulse"]), inner.clone()).prop_map(|(o, f)| format!("{o}({f})")),
            (prop::sample::select(vec!["Add", "Sub", "Mul", "Div"]), inner.clone(), inner.clone())
                .prop_map(|(o, a, b)| format!("{o}({a}, {b})")),
            (prop::sample::select(vec!["Lpf", "Hpf", "Bpf"]), inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(o, a, b, c)| format!("{o}({a}, {b}, {c})")),
            (inner.clone(), inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c, d)| format!("Delay({a}, {b}, {c}, {d})")),
            (inner.clone(), prop::collection::vec(mini_expr(), 0..3)).prop_map(|(b, cs)| format!("Synth({b}, {cs:?})")),
            (inner.clone(), prop::sample::select(vec!["a", "fx", "nope"])).prop_map(|(x, n)| format!("Apply({x}, {n:?})")),
            (prop::sample::select(vec!["moog", "reverb", "pulse", "lpf", "nope"]), prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(n, args)| format!("Node({n:?}, [{}])", args.join(", "))),
            (inner.clone(), inner).prop_map(|(f, p)| format!("Wavetable(\"arpy:1\", {f}, {p})")),
            (ron_number(), ron_number(), ron_number(), ron_number())
                .prop_map(|(at, dur, f, g)| format!("Tones((every: \"1/3\", notes: [(at: {at}, dur: {dur}, freq: {f}, gain: {g})]))")),
        ]
    })
}

/// RON scenes: cps, buses `a`, `b`, `fx` and outputs, sometimes cut short.
fn ron_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![4 => (0.05f64..4.0).prop_map(|x| format!("{x:.4}")), 1 => ron_number()],
        prop::collection::vec((prop::sample::select(vec!["a", "b", "fx"]), ron_expr()), 0..3),
        prop::collection::vec((prop::sample::select(vec!["out", "out", "o1", "o99", "x"]), ron_expr()), 0..3),
        any::<prop::sample::Index>(),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(cps, buses, outs, cut, whole)| {
            let map = |kv: Vec<(&str, String)>| kv.iter().map(|(k, v)| format!("{k:?}: {v}")).collect::<Vec<_>>().join(", ");
            let mut s = format!("Scene(cps: {cps}, buses: {{ {} }}, outputs: {{ {} }})", map(buses), map(outs));
            if !whole {
                s.truncate(s.floor_char_boundary(cut.index(s.len() + 1)));
            }
            s
        })
}

#[test]
fn proptest_ron() {
    run(384, ron_text(), |s| checks::ron(s.as_bytes()));
}

// --- WAV headers -------------------------------------------------------------------------

/// WAV files with random header fields (format, channels, rate, bits, block alignment, chunk
/// sizes) over a little audio, sometimes with an extra chunk, sometimes cut short.
fn wav_bytes() -> impl Strategy<Value = Vec<u8>> {
    let rare = |p: f64| prop::bool::weighted(p);
    (
        prop_oneof![4 => Just(1u16), 2 => Just(3), 1 => Just(0xFFFE), 1 => any::<u16>()],
        prop_oneof![4 => 1u16..3, 1 => 0u16..9],
        prop_oneof![
            4 => prop::sample::select(vec![44_100u32, 48_000, 22_050, 8_000, 96_000, 11_025, 1_000, 768_000]),
            1 => prop::sample::select(vec![0u32, 1, 4, 999, 768_001, u32::MAX]),
            1 => any::<u32>(),
        ],
        prop_oneof![4 => prop::sample::select(vec![8u16, 16, 24, 32]), 1 => 0u16..70],
        (rare(0.1), any::<u16>()).prop_map(|(r, a)| r.then_some(a)),
        (rare(0.1), any::<u32>()).prop_map(|(r, l)| r.then_some(l)),
        prop::collection::vec(any::<u8>(), 0..768),
        any::<bool>(),
        (rare(0.1), 0usize..800).prop_map(|(r, n)| r.then_some(n)),
    )
        .prop_map(|(fmt, ch, rate, bits, align, data_len, mut data, extra, cut)| {
            let bits = if fmt == 3 && bits % 8 == 0 { 32 } else { bits };
            // whole frames, unless the block alignment is itself random
            let frame = (ch as usize * bits.div_ceil(8) as usize).max(1);
            if align.is_none() {
                data.truncate(data.len() / frame * frame);
            }
            let block = align.unwrap_or(ch.saturating_mul(bits.div_ceil(8)));
            let mut fmt_body = Vec::new();
            fmt_body.extend_from_slice(&fmt.to_le_bytes());
            fmt_body.extend_from_slice(&ch.to_le_bytes());
            fmt_body.extend_from_slice(&rate.to_le_bytes());
            fmt_body.extend_from_slice(&rate.wrapping_mul(block as u32).to_le_bytes());
            fmt_body.extend_from_slice(&block.to_le_bytes());
            fmt_body.extend_from_slice(&bits.to_le_bytes());
            if fmt == 0xFFFE {
                fmt_body.extend_from_slice(&22u16.to_le_bytes());
                fmt_body.extend_from_slice(&bits.to_le_bytes());
                fmt_body.extend_from_slice(&3u32.to_le_bytes());
                let sub: [u8; 16] = [1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
                fmt_body.extend_from_slice(&sub);
            }
            let mut chunks = b"fmt ".to_vec();
            chunks.extend_from_slice(&(fmt_body.len() as u32).to_le_bytes());
            chunks.extend_from_slice(&fmt_body);
            if extra {
                chunks.extend_from_slice(b"LIST\x03\x00\x00\x00abc\x00");
            }
            chunks.extend_from_slice(b"data");
            chunks.extend_from_slice(&data_len.unwrap_or(data.len() as u32).to_le_bytes());
            chunks.extend_from_slice(&data);
            let mut wav = b"RIFF".to_vec();
            wav.extend_from_slice(&(4 + chunks.len() as u32).to_le_bytes());
            wav.extend_from_slice(b"WAVE");
            wav.extend_from_slice(&chunks);
            if let Some(n) = cut {
                wav.truncate(n);
            }
            wav
        })
}

#[test]
fn proptest_wav() {
    run(1000, wav_bytes(), |w| checks::wav(w));
}
