//! `phonon play` end to end, as a musician runs it: to standard output (any machine), and
//! through a real-time paced device (JACK's dummy driver via ALSA, with `--features live`).
mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn phonon() -> Command {
    Command::new(env!("CARGO_BIN_EXE_phonon"))
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("phonon-play-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Interleaved f32 samples of a 32-bit float WAV.
fn read_wav(path: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.samples::<f32>().map(|s| s.expect("sample")).collect()
}

fn render_offline(scene: &Path, seconds: f64, dir: &Path) -> Vec<f32> {
    let out = dir.join("offline.wav");
    let st = phonon().args(["render"]).arg(scene).arg(&out).args(["--seconds", &seconds.to_string()]).output().expect("runs");
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    read_wav(&out)
}

const SCENE: &str = r#"
~x: saw # lpf 2000 0.7 # gain 0.2
o1: jux rev $ stut 3 0.5 0.125 $ s "~x(3,8,1)" # note "<c3'min7 e3'major>" # legato 0.5
o2: s "bd*2 [sn cp] hh*4" # gain 0.7
o3: (saw 55 # moog (sine 0.5 * 600 + 900) 0.6 # delay 0.25 0.5 0.4) * 0.2
"#;

#[test]
fn stdout_streams_exactly_what_render_writes() {
    let dir = scratch("stdout");
    let scene = dir.join("set.ph");
    std::fs::write(&scene, SCENE).expect("write");
    let out = phonon().arg("play").arg(&scene).args(["--stdout", "--duration", "3"]).stderr(Stdio::piped()).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let live: Vec<f32> = out.stdout.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    let offline = render_offline(&scene, 3.0, &dir);
    assert_eq!(live.len(), 2 * 3 * 44_100);
    assert!(rms(&left(&live)) > 0.05, "audible");
    assert!(live.iter().zip(&offline).all(|(a, b)| a.to_bits() == b.to_bits()), "bit-identical to the offline render");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("underruns: 0"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scene_that_does_not_load_is_one_error_line_and_exit_1() {
    let dir = scratch("bad");
    let scene = dir.join("bad.ph");
    std::fs::write(&scene, "o1: sine 440 #\n").expect("write");
    let out = phonon().arg("play").arg(&scene).args(["--stdout", "--duration", "1"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no audio");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: ") && err.contains("bad.ph:1:"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
