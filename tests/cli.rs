//! The `phonon` binary: renders what it is asked to, and every bad input is one clear line
//! with exit code 1, never a panic.
use std::process::Command;

fn phonon(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phonon")).args(args).output().expect("run phonon");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("phonon-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `render` writes a stereo WAV of exactly the asked length and prints a summary line.
#[test]
fn renders_the_demo_to_a_wav() {
    let out = tmp("demo.wav");
    let (code, stdout, stderr) = phonon(&["render", "assets/demo.ron", out.to_str().unwrap(), "--seconds", "1.5", "--bits", "16"]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stdout.contains("x real time") && stdout.contains("peak"), "{stdout}");
    let r = hound::WavReader::open(&out).unwrap();
    let spec = r.spec();
    assert_eq!((spec.channels, spec.sample_rate, spec.bits_per_sample), (2, 44_100, 16));
    assert_eq!(r.duration(), 66_150);
    let samples: Vec<i16> = r.into_samples::<i16>().map(Result::unwrap).collect();
    let rms = (samples.iter().map(|&s| (s as f64 / 32768.0).powi(2)).sum::<f64>() / samples.len() as f64).sqrt();
    assert!(rms > 0.05, "the demo is audible: RMS {rms}");
}

/// `--cycles` follows the scene's tempo; `--sample-rate`, `--block-size` and 24-bit output work.
#[test]
fn cycles_rate_and_bits() {
    let out = tmp("cycles.wav");
    let (code, _, stderr) = phonon(&[
        "render",
        "assets/demo.ron",
        out.to_str().unwrap(),
        "--cycles",
        "1",
        "--sample-rate",
        "48000",
        "--block-size",
        "100",
        "--bits",
        "24",
        "--threads",
        "2",
    ]);
    assert_eq!(code, 0, "stderr: {stderr}");
    let r = hound::WavReader::open(&out).unwrap();
    assert_eq!((r.spec().sample_rate, r.spec().bits_per_sample), (48_000, 24));
    assert_eq!(r.duration(), 96_000); // 1 cycle at 0.5 cps = 2 s
}

fn fails_with(args: &[&str], expect: &[&str]) {
    let (code, stdout, stderr) = phonon(args);
    assert_eq!(code, 1, "args {args:?}: stdout {stdout} stderr {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for e in expect {
        assert!(stderr.contains(e), "expected {e:?} in: {stderr}");
    }
}

/// Missing files, broken RON, unknown buses, bad options: one clear line each, exit code 1.
#[test]
fn bad_inputs_are_clear_errors() {
    let out = tmp("never.wav");
    let o = out.to_str().unwrap();
    fails_with(&["render", "no/such.ron", o], &["no/such.ron", "No such file"]);

    let bad = tmp("bad.ron");
    std::fs::write(&bad, "Scene(\n  outputs: { \"out\": Sine(Num(440) },\n)\n").unwrap();
    fails_with(&["render", bad.to_str().unwrap(), o], &["bad.ron:2:", "^"]);

    let unknown = tmp("unknown.ron");
    std::fs::write(&unknown, r#"Scene(buses: { "lfo": Sine(Num(1)) }, outputs: { "out": Mul(Saw(Num(55)), Bus("lfoo")) })"#).unwrap();
    fails_with(&["render", unknown.to_str().unwrap(), o], &["unknown bus '~lfoo'", "did you mean 'lfo'"]);

    let node = tmp("node.ron");
    std::fs::write(&node, r#"Scene(outputs: { "out": Sinee(Num(440)) })"#).unwrap();
    fails_with(&["render", node.to_str().unwrap(), o], &["node.ron:1:", "Sinee"]);

    let out_name = tmp("outname.ron");
    std::fs::write(&out_name, r#"Scene(outputs: { "otu": Sine(Num(440)) })"#).unwrap();
    fails_with(&["render", out_name.to_str().unwrap(), o], &["unknown output name", "did you mean 'out'"]);

    let q = tmp("q.ron");
    std::fs::write(&q, r#"Scene(outputs: { "out": Lpf(Saw(Num(55)), Num(800), Num(0)) })"#).unwrap();
    fails_with(&["render", q.to_str().unwrap(), o], &["q must be above 0"]);

    fails_with(&["render", "assets/demo.ron", o, "--block-size", "0"], &["block size"]);
    fails_with(&["render", "assets/demo.ron", o, "--bits", "12"], &["--bits must be 16, 24 or 32"]);
    fails_with(&["render", "assets/demo.ron", o, "--seconds", "-1"], &["render length"]);
    fails_with(&["render", "assets/demo.ron", "/no/such/dir/x.wav"], &["/no/such/dir/x.wav"]);
}

/// `query` prints the events as JSON with exact rational times and Tidal's control maps.
#[test]
fn query_prints_json_events() {
    let (code, stdout, stderr) = phonon(&["query", r#"fast 2 $ s "bd:3 sn" # gain 0.8"#, "--from", "0", "--to", "1/2"]);
    assert_eq!(code, 0, "{stderr}");
    let events: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["whole"], serde_json::json!(["0/1", "1/4"]));
    assert_eq!(events[0]["value"], serde_json::json!({"s": "bd", "n": 3, "gain": 0.8}));
    assert_eq!(events[1]["part"], serde_json::json!(["1/4", "1/2"]));
    assert_eq!(events[1]["value"]["s"], "sn");
}

/// Bad expressions name the column (inside mini-notation strings too) and show a caret.
#[test]
fn query_errors_point_at_the_problem() {
    fails_with(&["query", r#"fsat 2 $ s "bd""#], &["expression:1:1:", "unknown function 'fsat'", "did you mean 'fast'?", "^"]);
    fails_with(&["query", r#"s "bd [sn""#], &["expression:1:"]);
    fails_with(&["query", r#"fast 2 $"#], &["expression:1:", "expected an expression"]);
    fails_with(&["query", r#"s "bd""#, "--from", "x"], &["'x' is not a time"]);
    fails_with(&["query", r#"s "bd""#, "--from", "2", "--to", "1"], &["must not be before"]);
    // an event flood: the query is bounded, and says so
    fails_with(&["query", r#"fast 1000 $ s "bd*10000""#, "--to", "3/7"], &["cycle fragments", "an event flood", "query a shorter arc"]);
    fails_with(
        &["query", r#"s "bd*3""#, "--from", "4611686018427387903", "--to", "4611686018427387904"],
        &["cannot be queried", "overflow"],
    );
}
