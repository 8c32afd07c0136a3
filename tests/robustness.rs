//! Bad input (issue #10): one test per row of ROBUSTNESS.md's table. Each asserts what Phonon
//! does with it: an error with the file, line and column where there is one, saying what was
//! expected — or a render that is finite, never above full scale, and (where the input means
//! music) right, measured. Every render here is at most 2 s of audio, so a hang or a runaway
//! query would show as a test that never ends, an out-of-memory as a crash.
mod common;

use common::{amplitude_at, left, peak, rms, zero_crossing_freq};
use phonon::components::Rational;
use phonon::render::render_to_vec;
use phonon::{Engine, EngineConfig, Scene};
use std::sync::{Mutex, Once};

const SR: f64 = 44_100.0;

fn cfg() -> EngineConfig {
    common::cfg(512, 1)
}

/// Everything logged through `tracing` by any thread of this test binary (warnings included).
static LOG: Mutex<String> = Mutex::new(String::new());

struct LogWriter;
impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap().push_str(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Route `tracing` output (from every thread: the lookahead thread warns too) into [`LOG`].
fn capture_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let subscriber = tracing_subscriber::fmt().with_writer(|| LogWriter).with_ansi(false).without_time().finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
    });
}

/// The log lines mentioning `needle` (tests run in parallel: each looks for its own file name).
fn logged(needle: &str) -> Vec<String> {
    LOG.lock().unwrap().lines().filter(|l| l.contains(needle)).map(str::to_string).collect()
}

/// The error `src` gets (from parsing, else from building the engine), as the user sees it.
fn error(src: &str, file: &str) -> String {
    capture_logs();
    match Scene::from_ph(src, file) {
        Err(e) => e.to_string(),
        Ok(scene) => match Engine::from_scene(&scene, file, cfg()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{file}: built without an error"),
        },
    }
}

/// An engine playing `src`.
fn engine(src: &str, file: &str) -> Engine {
    capture_logs();
    let scene = Scene::from_ph(src, file).unwrap_or_else(|e| panic!("{e}"));
    Engine::from_scene(&scene, file, cfg()).unwrap_or_else(|e| panic!("{e}"))
}

/// `seconds` of `engine`, interleaved stereo, checked finite and never above full scale.
fn render(engine: &mut Engine, seconds: f64) -> Vec<f32> {
    let y = render_to_vec(engine, (seconds * SR).round() as u64);
    common::assert_finite(&y);
    assert!(peak(&y) <= 1.0, "peak {}", peak(&y));
    y
}

/// `seconds` of `src` (see [`render`]).
fn play(src: &str, file: &str, seconds: f64) -> Vec<f32> {
    render(&mut engine(src, file), seconds)
}

fn silent(y: &[f32]) -> bool {
    y.iter().all(|&x| x == 0.0)
}

// ---------------------------------------------------------------------------------------------
// Text that is not a scene
// ---------------------------------------------------------------------------------------------

/// Bytes that are not UTF-8 are an error at the first bad byte; the scene playing keeps playing.
/// Text that is UTF-8 but garbage is a syntax error at 1:1 saying what a statement looks like.
#[test]
fn garbage_bytes() {
    let dir = temp_dir("garbage");
    let path = dir.join("garbage.ph");
    std::fs::write(&path, [0xff, 0xfe, 0x00, 0x41, 0x9c, 0x12, 0x7f, b'\n', 0xc3]).unwrap();
    let mut engine = engine("out: sine 440 * 0.5", "garbage.ph");
    let before = peak(&render(&mut engine, 0.1));
    let err = engine.load_file(&path).unwrap_err().to_string();
    assert_eq!(err, format!("{}:1:1: this is not UTF-8 text (save the file as UTF-8)\n  \n  ^", path.display()));
    let after = render(&mut engine, 0.1);
    assert!((peak(&after) - before).abs() < 1e-3 && (before - 0.5).abs() < 1e-3, "the old scene plays on: {}", peak(&after));

    let mut bytes = b"out: sine 440\n# lpf 800 ".to_vec();
    bytes.extend_from_slice("\u{e9}".as_bytes()); // é: valid, one character
    bytes.push(0xff);
    std::fs::write(&path, &bytes).unwrap();
    let err = engine.load_file(&path).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:2:12: this is not UTF-8 text", path.display())), "{err}");

    let text = String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x41, 0x9c, 0x12, 0x7f, b'\n', 0xc3]).into_owned();
    assert!(error(&text, "bad.ph").starts_with(
        "bad.ph:1:1: expected a statement: '~name: …', 'out: …', 'o1: …', 'tempo: …' or 'hush' (a line that does not start a statement continues the one before, and there is none)"
    ));
}

/// An empty file (or only blanks and comments) is a scene with no outputs: exact silence.
#[test]
fn empty_file() {
    for src in ["", "\n\n   \n", "-- nothing yet\n"] {
        let scene = Scene::from_ph(src, "empty.ph").unwrap();
        assert!(scene.outputs.is_empty() && scene.buses.is_empty());
        assert!(silent(&play(src, "empty.ph", 0.2)), "{src:?}");
    }
}

/// RON scenes: an empty file is an error at 1:1 (a `.ron` file holds one `Scene(…)`); 5 000
/// nested expressions hit RON's recursion limit, an error at the column where it does.
#[test]
fn ron_inputs() {
    assert_eq!(Scene::from_ron("", "e.ron").unwrap_err().to_string(), "e.ron:1:1: Expected opening `(` for struct `Scene`\n  \n  ^");
    let nested = format!("Scene(outputs: {{\"out\": {}Num(440){}}})", "Sine(".repeat(5000), ")".repeat(5000));
    assert!(
        Scene::from_ron(&nested, "n.ron")
            .unwrap_err()
            .to_string()
            .starts_with("n.ron:1:334: expressions nested too deeply (more than 128 levels)")
    );
}

/// A UTF-8 byte-order mark (Windows editors write one) must be skipped, in RON too.
#[test]
fn utf8_bom_in_ron() {
    assert_eq!(Scene::from_ron("\u{feff}Scene(cps: 0.75)", "b.ron").unwrap().cps, 0.75);
}

/// A UTF-8 byte-order mark (Windows editors write one) must be skipped.
#[test]
fn utf8_bom() {
    let y = play("\u{feff}tempo: 0.5\nout: sine 440 * 0.5\n", "bom.ph", 0.2);
    assert!((peak(&y) - 0.5).abs() < 1e-3);
}

/// CRLF line ends play exactly like LF ones, and errors point at the same line and column
/// with no carriage return in the quoted line.
#[test]
fn crlf_line_ends() {
    let lf = play("tempo: 0.5\nout: sine 440\n  * 0.5\n", "lf.ph", 0.2);
    let crlf = play("tempo: 0.5\r\nout: sine 440\r\n  * 0.5\r\n", "crlf.ph", 0.2);
    assert_eq!(lf, crlf);
    let freq = zero_crossing_freq(&left(&crlf), SR);
    assert!((freq - 440.0).abs() < 0.5 && (peak(&crlf) - 0.5).abs() < 1e-3, "{freq} Hz");
    let lf_err = error("tempo: 0.5\nout: sine 440 # lpf\n", "e.ph");
    let crlf_err = error("tempo: 0.5\r\nout: sine 440 # lpf\r\n", "e.ph");
    assert_eq!(crlf_err, lf_err);
    assert!(crlf_err.starts_with("e.ph:2:") && !crlf_err.contains('\r'), "{crlf_err}");
}

/// Unclosed brackets and strings: where they end, and what was expected.
#[test]
fn unclosed_brackets_and_strings() {
    assert_eq!(
        error("out: sine (440 * 0.5\n", "bad.ph"),
        "bad.ph:1:21: expected ')', found the end of the expression\n  out: sine (440 * 0.5\n                      ^"
    );
    assert_eq!(
        error("out: s \"[bd sn\"\n", "bad.ph"),
        "bad.ph:1:15: in mini-notation: expected ']' to close the '[' at column 1, found end of input\n  out: s \"[bd sn\"\n                ^"
    );
    assert_eq!(
        error("out: s \"bd sn\n", "bad.ph"),
        "bad.ph:1:8: unterminated string: expected a closing '\"'\n  out: s \"bd sn\n         ^"
    );
}

/// A `#` with nothing after it.
#[test]
fn dangling_hash() {
    assert_eq!(
        error("out: sine 440 #\n", "bad.ph"),
        "bad.ph:1:16: expected an expression, found the end of the expression\n  out: sine 440 #\n                 ^"
    );
    assert!(error("out: s \"bd\" # \no1: sine 220\n", "bad.ph").starts_with("bad.ph:1:"));
}

/// Unknown function names, with the nearest known one.
#[test]
fn unknown_functions() {
    assert_eq!(
        error("out: sinee 440\n", "bad.ph"),
        "bad.ph:1:6: unknown function 'sinee' — did you mean 'sine'?\n  out: sinee 440\n       ^"
    );
    assert_eq!(
        error("out: s \"bd\" # gainn 0.5\n", "bad.ph"),
        "bad.ph:1:15: unknown function 'gainn' — did you mean 'gain'?\n  out: s \"bd\" # gainn 0.5\n                ^"
    );
}

/// Too few or too many arguments.
#[test]
fn wrong_arity() {
    assert_eq!(error("out: lpf\n", "bad.ph"), "bad.ph:1:6: 'lpf' needs its arguments: lpf CUTOFF [Q]\n  out: lpf\n       ^");
    assert!(error("out: sine 440 # lpf 1 2 3 4\n", "bad.ph").starts_with("bad.ph:1:25: 'lpf' takes at most 2 arguments: lpf CUTOFF [Q]"));
    assert!(
        error("out: fast 2 3 4 $ s \"bd\"\n", "bad.ph").starts_with("bad.ph:1:6: a pattern is not a function and cannot take an argument")
    );
}

/// 5 000 nested brackets in mini-notation: an error, not a stack overflow.
#[test]
fn nested_brackets_5000() {
    let src = format!("out: s \"{}bd{}\"\n", "[".repeat(5000), "]".repeat(5000));
    // the 65th bracket, column 8 + 65
    assert!(
        error(&src, "bad.ph")
            .starts_with("bad.ph:1:73: in mini-notation: nested too deep: brackets and operators (* / ? ( ) ') nest at most 64 deep")
    );
}

/// 5 000 nested parentheses: an error at the first one, past the nesting limit.
#[test]
fn nested_parentheses_5000() {
    let src = format!("out: {}440{}\n", "(".repeat(5000), ")".repeat(5000));
    assert!(error(&src, "bad.ph").starts_with("bad.ph:1:5: brackets nested more than 400 deep\n"));
}

/// A long flat chain `a + b + c + …` is not nesting: a 256-term sum plays (each term counts
/// towards the depth limit, so the expression stays shallow enough for every later pass); past
/// the limit it is an error at its place, not a stack overflow.
#[test]
fn long_sums() {
    let terms = vec!["sine 440 * 0.001"; 256].join(" + ");
    let y = play(&format!("out: {terms}\n"), "sum.ph", 0.2);
    assert!((peak(&y) - 0.256).abs() < 2e-3, "peak {}", peak(&y));
    let terms = vec!["sine 440"; 1000].join(" + ");
    assert!(error(&format!("out: {terms}\n"), "sum.ph").starts_with("sum.ph:1:"));
    assert!(error(&format!("out: {terms}\n"), "sum.ph").contains("nested more than 400 deep"));
}

/// An error on a very long line quotes a window of it around the column, not the whole line.
#[test]
fn long_lines_are_quoted_around_the_column() {
    let src = format!("out: {}440{}\n", "(".repeat(5000), ")".repeat(5000));
    let err = error(&src, "bad.ph");
    assert!(err.len() < 300, "{} bytes", err.len());
}

/// A 20 000-line file plays; an error on its last line is placed there.
#[test]
fn long_file_20000_lines() {
    let mut src = String::from("tempo: 0.5\nout: sine 440 * 0.1\n");
    for i in 0..20_000 {
        src.push_str(&format!("~b{i}: sine {} * 0.1\n", 100 + i % 500));
    }
    let y = play(&src, "long.ph", 0.2);
    assert!((peak(&y) - 0.1).abs() < 1e-3 && (zero_crossing_freq(&left(&y), SR) - 440.0).abs() < 1.0);
    src.push_str("o1: saw 55 # lpff 800\n");
    assert!(error(&src, "long.ph").starts_with("long.ph:20003:"), "{}", &error(&src, "long.ph")[..80]);
}

// ---------------------------------------------------------------------------------------------
// Event floods
// ---------------------------------------------------------------------------------------------

/// `s "bd*100000000"`: mini-notation refuses a factor over 100 000.
#[test]
fn flood_in_mini_notation() {
    assert_eq!(
        error("out: s \"bd*100000000\"\n", "bad.ph"),
        "bad.ph:1:12: in mini-notation: 100000000 is too large for a time factor (at most 100000)\n  out: s \"bd*100000000\"\n             ^"
    );
}

/// A hundred million events a cycle (`fast 1e8`, or `*100000` inside `*1000`): the queries are
/// cut short with a warning naming the output, at most 8 192 events a block reach the voices
/// and the rest are counted as dropped; the render stays finite and within full scale.
#[test]
fn event_flood_is_capped() {
    for (src, file) in [("out: fast 100000000 $ s \"bd\"\n", "flood1.ph"), ("out: fast 1000 $ s \"bd*10000\"\n", "flood2.ph")] {
        let t = std::time::Instant::now();
        let mut e = engine(src, file);
        let built = t.elapsed();
        let y = render(&mut e, 0.5);
        println!(
            "{file}: built in {built:.2?}, 0.5 s rendered in {:.2?}: peak {:.3}, rms {:.3}, {} events dropped",
            t.elapsed() - built,
            peak(&y),
            rms(&y),
            e.events_dropped()
        );
        assert!(rms(&y) > 0.01, "{file}: the first events play");
        assert!(e.events_dropped() > 0, "{file}: dropped {}", e.events_dropped());
        assert!(
            logged(file).iter().any(|l| l.contains("output 'out': a pattern makes more cycle fragments than a query may")),
            "{file}: {:?}",
            logged(file)
        );
    }
}

/// `phonon query` over an arc that floods: an error saying so, not a hang; an arc that runs
/// away (a span of more than a million cycles inside the pattern) is refused as before.
#[test]
fn query_flood() {
    let (zero, one) = (Rational::ZERO, Rational::ONE);
    assert_eq!(
        phonon::query::query("fast 1000 $ s \"bd*10000\"", zero, one).unwrap_err().to_string(),
        "the pattern makes more than 262144 cycle fragments between 0 and 1 (an event flood): query a shorter arc"
    );
    assert_eq!(
        phonon::query::query("fast 1000000000000 $ s \"bd\"", zero, one).unwrap_err().to_string(),
        "the pattern cannot be queried over that arc: a pattern query spans more than 1000000 cycles"
    );
}

/// A control pattern changing a hundred million times a cycle: cut short per block, finite.
#[test]
fn control_flood_is_capped() {
    let y = play("out: saw 110 # lpf (fast 100000000 \"300 400\") 0.7 * 0.3\n", "ctlflood.ph", 0.5);
    assert!(rms(&y) > 0.01);
    assert!(
        logged("ctlflood.ph").iter().any(|l| l.contains("a control pattern makes more cycle fragments")),
        "{:?}",
        logged("ctlflood.ph")
    );
}

/// Functions whose argument sets a count of steps or layers (`run`, `chop`, `striate`, `ply`,
/// `segment`, `stut`, `euclid`) with absurd counts: an error at the count when it is a number,
/// bounded work and memory and a finite render within full scale when a pattern makes it.
#[test]
fn huge_counts_are_bounded() {
    for (i, src) in [
        "out: n (run 100000000) # s \"superkick\"",
        "out: chop 100000000 $ s \"bd\"",
        "out: striate 100000000 $ s \"bd\"",
        "out: ply 100000000 $ s \"bd\"",
        "out: s \"bd\" # n (segment 100000000 $ irand 8)",
        "out: stut 100000 0.5 0.1 $ s \"bd\"",
        "out: echoWith 100000 0.1 (# speed 2) $ s \"bd\"",
        "out: euclid 100000000 100000000 $ s \"bd\"",
        "out: iter 100000000 $ s \"bd sn\"",
        "out: saw (\"110 220\" + segment 100000000 (irand 8)) * 0.2",
        "~x: saw # n (segment 100000000 $ irand 8)\nout: s \"~x\" * 0.2",
    ]
    .into_iter()
    .enumerate()
    {
        let file = format!("count{i}.ph");
        let t = std::time::Instant::now();
        // a count written as a number is refused at its place; one that comes from a pattern
        // (`segment`, `run`, …) is bounded when queried
        let built = Scene::from_ph(src, &file).and_then(|s| Engine::from_scene(&s, &file, cfg()));
        match built {
            Err(e) => {
                let e = e.to_string();
                println!("{src}: {e}");
                assert!(e.starts_with(&format!("{file}:1:")) && e.contains("is too large a count here (at most 4096)"), "{e}");
            }
            Ok(mut engine) => {
                let y = render(&mut engine, 0.25);
                println!("{src}: 0.25 s in {:.2?}, peak {:.3}, rms {:.4}", t.elapsed(), peak(&y), rms(&y));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tempo and time
// ---------------------------------------------------------------------------------------------

/// A zero, negative or absurdly fast tempo is an error at its statement; in RON, naming the file; at run
/// time, refused with the tempo unchanged.
#[test]
fn zero_and_negative_tempo() {
    for (src, stmt) in [("cps: 0", "cps: 0"), ("tempo: 0", "tempo: 0"), ("tempo: -1", "tempo: -1")] {
        assert_eq!(
            error(&format!("{src}\nout: sine 440\n"), "bad.ph"),
            format!("bad.ph:1:1: expected a positive number of cycles per second, like 'tempo: 0.5'\n  {stmt}\n  ^")
        );
    }
    assert!(error("bpm: 0\nout: sine 440\n", "bad.ph").starts_with("bad.ph:1:1: expected 'bpm: 120' or 'bpm: 120 4' (beats per cycle)"));
    assert!(
        error("tempo: 1e9\nout: sine 440\n", "bad.ph")
            .starts_with("bad.ph:1:1: tempo 1000000000 is too fast: at most 1000 cycles per second")
    );
    assert!(error("bpm: 1e9\nout: sine 440\n", "bad.ph").starts_with("bad.ph:1:1: tempo 4166666.6666666665 is too fast"));
    let ron = Scene::from_ron("Scene(cps: 0.0, outputs: {\"out\": Sine(Num(440))})", "t.ron").unwrap();
    let err = Engine::from_scene(&ron, "t.ron", cfg()).err().unwrap().to_string();
    assert_eq!(err, "t.ron: cps must be a positive number up to 1000, got 0");
    let mut e = engine("tempo: 0.5\nout: sine 440 * 0.1", "tempo.ph");
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(e.set_cps(bad).is_err(), "{bad}");
    }
    assert_eq!(e.cps(), 0.5);
}

/// Euclid with 0 steps: `"bd(3,0)"` is silence (Tidal 1.9's `_euclidOff _ 0 _ _ = silence`);
/// the function `euclid 3 0` is Tidal's `bjorklund (3,0)`, three hits: `"bd*3"`, exactly.
#[test]
fn euclid_with_zero_steps() {
    assert!(silent(&play("out: s \"bd(3,0)\"\n", "euclid0.ph", 1.0)));
    let hits = play("out: euclid 3 0 $ s \"bd\"\n", "euclid0.ph", 2.0);
    assert!(rms(&hits) > 0.01);
    assert_eq!(hits, play("out: s \"bd*3\"\n", "euclid0.ph", 2.0));
}

/// `fast 0` is silence; a negative factor plays backwards (Tidal 1.9: `rev $ _fast (-r)`):
/// `fast (-2) $ s "bd sn"` is `s "sn bd sn bd"`, sample for sample.
#[test]
fn fast_zero_and_negative() {
    assert!(silent(&play("out: fast 0 $ s \"bd sn\"\n", "fast0.ph", 1.0)));
    let back = play("out: fast (-2) $ s \"bd sn\"\n", "fastneg.ph", 2.0);
    assert!(rms(&back) > 0.01);
    assert_eq!(back, play("out: s \"sn bd sn bd\"\n", "fastneg.ph", 2.0));
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/// Numbers past a signal's `f32` range are errors at their place; so is arithmetic on numbers
/// that overflows (`1e308 * 1e308`). A scene from RON has no places: its errors name the output.
/// Large but representable gains are limited to full scale.
#[test]
fn huge_numbers() {
    assert!(error("out: sine 440 * 1e308\n", "bad.ph").starts_with("bad.ph:1:17: 1e308 is too large for a signal (at most ±3.4028235e38)"));
    assert!(
        error("out: sine 440 * (1e308 * 1e308)\n", "bad.ph").starts_with("bad.ph:1:24: 1e308 * 1e308 is too large (not a finite number)")
    );
    assert!(error("out: sine 1e308 * 1e308\n", "bad.ph").starts_with("bad.ph:1:11: 1e308 is too large for a signal"));
    assert!(error("out: sine 440 # delay 1e308 0.5 0.5\n", "bad.ph").starts_with("bad.ph:1:23: 1e308 is too large for a signal"));
    assert_eq!(error("out: sine 440 # delay 1e3 0.5 0.5\n", "bad.ph"), "bad.ph: in output 'out': delay time 1000 s is outside 0..60 s");
    let ron = Scene::from_ron("Scene(outputs: {\"out\": Mul(Sine(Num(440)), Num(1e308))})", "t.ron").unwrap();
    let err = Engine::from_scene(&ron, "t.ron", cfg()).err().unwrap().to_string();
    assert_eq!(err, "t.ron: in output 'out': 1e308 is too large for a signal (at most ±3.4028235e38)");
    let mut e = engine("out: sine 440 * 1e30\n", "loud.ph");
    let y = render(&mut e, 0.2);
    assert!(peak(&y) > 0.99 && e.limited_frames() > 0);
}

/// Pattern controls past `f32` (`gain 1e308`, `note 1e308`, …): each such event is skipped,
/// with one warning naming the control; the rest of the pattern plays. A large finite gain
/// plays, limited to full scale.
#[test]
fn huge_controls() {
    for (i, ctl) in
        ["gain 1e308", "speed 1e308", "note 1e308", "begin 1e308", "pan 1e308", "attack 1e308", "legato 1e308", "accelerate 1e308"]
            .into_iter()
            .enumerate()
    {
        let file = format!("ctl{i}.ph");
        assert!(silent(&play(&format!("out: s \"bd\" # {ctl}\n"), &file, 0.3)), "{ctl}");
        println!("{:?}", logged(&file));
        assert!(logged(&file).iter().any(|l| l.contains("(out of range): it is skipped")), "{ctl}: {:?}", logged(&file));
    }
    assert!(silent(&play("out: saw # note 1e308\n", "ctlsynth.ph", 0.3)));
    assert!(silent(&play("out: s \"superkick\" # note 1e308\n", "ctldrum.ph", 0.3)));
    // only the event out of range is skipped
    let half = play("out: s \"bd bd\" # gain \"1 1e308\"\n", "ctlhalf.ph", 2.0);
    let whole = play("out: s \"bd ~\"\n", "ctlhalf.ph", 2.0);
    assert_eq!(half, whole);
    let y = play("out: s \"bd\" # gain 1e30\n", "ctlloud.ph", 0.3);
    assert!(peak(&y) > 0.99);
}

/// Division by zero gives 0, for signals and patterns alike (never Inf or NaN).
#[test]
fn division_by_zero() {
    assert!(silent(&play("out: sine 440 / 0\n", "div.ph", 0.2)));
    assert!(silent(&play("out: sine 440 / (sine 1 - sine 1)\n", "div.ph", 0.2)));
    let y = play("out: sine (\"440\" / \"0\" + 100) * 0.5\n", "div.ph", 0.5);
    assert!((zero_crossing_freq(&left(&y), SR) - 100.0).abs() < 0.5);
    assert!(silent(&play("out: sine (\"440\" / 0) * 0.5\n", "div.ph", 0.2)));
}

// ---------------------------------------------------------------------------------------------
// Graphs
// ---------------------------------------------------------------------------------------------

/// A cycle of buses with no delay in it reads the previous block at its feedback edge: an
/// impulse fed back at half gain comes back every block (512 samples), halving.
#[test]
fn cycle_without_delay() {
    let y = left(&play("~a: impulse 0.5 + ~a * 0.5\nout: ~a * 0.5\n", "cycle.ph", 0.1));
    for k in 0..6 {
        let expected = 0.5 * 0.5f32.powi(k);
        assert!((y[512 * k as usize] - expected).abs() < 1e-6, "block {k}: {} (expected {expected})", y[512 * k as usize]);
    }
    let others: f32 = y.iter().enumerate().filter(|(i, _)| i % 512 != 0).map(|(_, v)| v.abs()).sum();
    assert_eq!(others, 0.0);
}

/// A cycle that grows without bound (`~a: ~a + sine 440`) is held to full scale by the master
/// limiter: finite, never above 1.0.
#[test]
fn runaway_cycle() {
    let mut e = engine("~a: ~a + sine 440\nout: ~a\n", "runaway.ph");
    let y = render(&mut e, 1.0);
    assert!(peak(&y) > 0.99 && e.limited_frames() > 0);
}

/// A scene whose outputs are all silent renders exact zeros.
#[test]
fn all_outputs_silent() {
    assert!(silent(&play("out: sine 440 * 0\no1: s \"~ ~\"\no2: s \"bd\" # gain 0\n", "quiet.ph", 0.5)));
}

// ---------------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------------

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("phonon-robustness-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A sound no folder has: a warning naming it and the output, and silence.
#[test]
fn missing_sample() {
    assert!(silent(&play("out: s \"nosuchsample*4\"\n", "missing.ph", 0.5)));
    assert!(
        logged("missing.ph")
            .iter()
            .any(|l| l.contains("missing.ph: output 'out': no sample named 'nosuchsample' — those events are silent")),
        "{:?}",
        logged("missing.ph")
    );
}

/// A corrupt WAV in a sample folder: a warning naming the file; that file is silent and the
/// folder's other files keep their numbers (`crash:1` is still the second file).
#[test]
fn corrupt_sample() {
    capture_logs();
    let dir = temp_dir("samples");
    std::fs::create_dir_all(dir.join("crash")).unwrap();
    std::fs::write(dir.join("crash/0.wav"), b"RIFF\x10\x00\x00\x00WAVEgarbage that is not a wav file").unwrap();
    let spec = hound::WavSpec { channels: 1, sample_rate: 44_100, bits_per_sample: 32, sample_format: hound::SampleFormat::Float };
    let mut w = hound::WavWriter::create(dir.join("crash/1.wav"), spec).unwrap();
    for i in 0..4410 {
        w.write_sample(if i % 100 < 50 { 0.5f32 } else { -0.5 }).unwrap();
    }
    w.finalize().unwrap();
    let cfg = EngineConfig { sample_dirs: vec![dir.clone()], ..cfg() };
    let run = |src: &str| {
        let scene = Scene::from_ph(src, "corrupt.ph").unwrap();
        let mut e = Engine::from_scene(&scene, "corrupt.ph", cfg.clone()).unwrap();
        render(&mut e, 0.2)
    };
    assert!(silent(&run("out: s \"crash:0\" # pan 0")));
    let y = left(&run("out: s \"crash:1\" # pan 0"));
    assert!((peak(&y) - 0.5).abs() < 0.01, "the second file plays: peak {}", peak(&y));
    println!("{:?}", logged("0.wav"));
    assert!(logged("0.wav").iter().any(|l| l.contains("cannot be loaded")), "{:?}", logged("crash"));
}

// ---------------------------------------------------------------------------------------------
// Building big and slow scenes
// ---------------------------------------------------------------------------------------------

/// 256 buses of a very slow pattern with a control (`s "bd/1000" # gain 0.5`) build (the
/// sound probe queries the right side of `#` once per left event, not once per cycle) and
/// play.
#[test]
fn many_slow_patterns_build() {
    let mut src = String::from("tempo: 0.5\n");
    for i in 0..256 {
        src.push_str(&format!("~b{i}: s \"bd/1000\" # gain 0.002 # n {}\n", i % 4));
    }
    // a balanced sum (a flat chain of 255 `+` counts as nesting 255 deep)
    let mut terms: Vec<String> = (0..256).map(|i| format!("~b{i}")).collect();
    while terms.len() > 1 {
        terms = terms.chunks(2).map(|c| format!("({} + {})", c[0], c[1])).collect();
    }
    src.push_str(&format!("out: {}\n", terms[0]));
    let t = std::time::Instant::now();
    let scene = Scene::from_ph(&src, "slow.ph").unwrap();
    let parsed = t.elapsed();
    let mut e = Engine::from_scene(&scene, "slow.ph", cfg()).unwrap();
    println!("256 slow buses: parsed in {parsed:.2?}, built in {:.2?}", t.elapsed() - parsed);
    let y = render(&mut e, 0.2);
    assert!(rms(&y) > 0.01);
}

/// A sound first used in cycle 40 is loaded (the probe looks 64 cycles ahead) and plays there,
/// whether the pattern sounds before it or not.
#[test]
fn late_sound_plays() {
    let cycle = (SR / 40.0) as usize;
    let y = left(&play(&format!("tempo: 40\nout: s \"<{}sn>\"\n", "~ ".repeat(40)), "late.ph", 41.0 / 40.0));
    assert!(silent(&y[..40 * cycle - 64]));
    assert!(peak(&y[40 * cycle..]) > 0.1, "cycle 40: {}", peak(&y[40 * cycle..]));
    let y = left(&play(&format!("tempo: 40\nout: s \"<hh {}sn>\" # legato 1\n", "~ ".repeat(39)), "late.ph", 41.0 / 40.0));
    assert!(peak(&y[..cycle]) > 0.1 && silent(&y[2 * cycle..40 * cycle - 64]));
    assert!(peak(&y[40 * cycle..]) > 0.1, "cycle 40: {}", peak(&y[40 * cycle..]));
}

// ---------------------------------------------------------------------------------------------
// Voice templates: their gain applies once
// ---------------------------------------------------------------------------------------------

/// Left channel, 0.1 to 0.9 s, of `src` (one 2 s cycle, the note held).
fn held(src: &str) -> Vec<f32> {
    left(&play(src, "template.ph", 1.0))[(0.1 * SR) as usize..(0.9 * SR) as usize].to_vec()
}

/// `saw # note "c5" # gain 0.5` is half as loud as at gain 1 (it was a quarter: the template's
/// gain was applied to events that already had it).
#[test]
fn template_gain_applies_once() {
    let full = rms(&held("out: saw # note \"c5\" # legato 1 # gain 1"));
    let half = rms(&held("out: saw # note \"c5\" # legato 1 # gain 0.5"));
    assert!((half / full - 0.5).abs() < 1e-3, "{half} / {full}");
    // saw RMS 1/√3, centre pan √½
    assert!((full - (1.0 / 3f64.sqrt()) * std::f64::consts::FRAC_1_SQRT_2).abs() < 0.01, "{full}");
}

/// Every note of a template's chord sounds at the template's gain (it was multiplied again
/// per note: `o1: sine # note "e4'maj7(3,8,1)" # adsr … # gain 0.1` was near -92 dBFS).
#[test]
fn template_chord_gain() {
    let y = held("o1: sine # note \"e4'maj7\" # legato 1 # gain 0.1");
    for note in [-8.0, -4.0, -1.0, 3.0] {
        let f = 261.625_565_300_598_6 * 2f64.powf(note / 12.0);
        let a = amplitude_at(&y, f, SR);
        assert!((a - 0.1 * std::f64::consts::FRAC_1_SQRT_2).abs() < 0.003, "note {note}: {a}");
    }
    let y = left(&play("o1: sine # note \"e4'maj7(3,8,1)\" # adsr 0.01 0.2 0.5 0.5 # gain 0.1", "template.ph", 2.0));
    let dbfs = 20.0 * rms(&y).log10();
    println!("o1: sine # note \"e4'maj7(3,8,1)\" # adsr … # gain 0.1: {dbfs:.1} dBFS RMS");
    assert!(dbfs > -30.0, "{dbfs} dBFS");
}

/// A bus instrument's gain multiplies the playing event's once; a chord in its own controls
/// fills in one note, not one gain per note.
#[test]
fn instrument_gain_applies_once() {
    let y = held("~x: sine # gain 0.5\nout: s \"~x\" # gain 0.5 # legato 1");
    assert!((amplitude_at(&y, 261.625_565_300_598_6, SR) - 0.25 * std::f64::consts::FRAC_1_SQRT_2).abs() < 0.003);
    let y = held("~x: sine # note \"c'maj\" # gain 0.5\nout: s \"~x\" # legato 1");
    assert!((amplitude_at(&y, 261.625_565_300_598_6, SR) - 0.5 * std::f64::consts::FRAC_1_SQRT_2).abs() < 0.003);
    assert!(amplitude_at(&y, 329.627_556_912_869_9, SR) < 0.003);
}
