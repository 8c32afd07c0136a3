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
    let offline = render_with_cli(&scene, 3.0, None, &dir);
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

#[cfg(feature = "live")]
#[path = "jack/mod.rs"]
mod jack;

/// Through JACK's dummy driver (paced in real time like a sound card) via ALSA's jack plugin.
#[cfg(feature = "live")]
mod device {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc::Receiver;

    const RATE: u32 = 48_000;

    /// A heavier scene: SCENE plus a plate, a chorus and busy kit patterns.
    const HEAVY: &str = r#"
~x: saw # lpf 2000 0.7 # gain 0.2
o1: jux rev $ stut 4 0.5 0.125 $ s "~x(5,8,1)" # note "<c3'min7 e3'major>" # legato 0.5
o2: s "bd*4 [sn cp]*2 hh*16" # gain 0.6 # speed "1 2 -1"
o3: (saw 55 # moog (sine 0.5 * 600 + 900) 0.6 # delay 0.25 0.5 0.4) * 0.2
o4: (s "arpy*8" # n "0 .. 7" # gain 0.4) # plate 0.7 0.4 0.3
o5: (supersaw 110 # chorus) * 0.1
"#;

    /// `phonon play` on the JACK dummy device while `during` runs (it gets the player's stderr
    /// lines as they come); returns (stderr, the --record'ed audio).
    fn play(
        jack: &jack::JackDummy,
        scene: &Path,
        seconds: f64,
        dir: &Path,
        during: impl FnOnce(&Receiver<String>, u32),
    ) -> (String, Vec<f32>) {
        // recorded beside the scene, as a musician would: the watcher must ignore it
        let rec = dir.join("take.wav");
        let mut child = phonon()
            .arg("play")
            .arg(scene)
            .args(["--duration", &seconds.to_string(), "--sample-rate", &RATE.to_string(), "--latency-ms", "50"])
            .args(
                std::env::var("PHONON_TEST_PLAY_ARGS")
                    .map(|a| a.split_whitespace().map(String::from).collect::<Vec<_>>())
                    .unwrap_or_default(),
            )
            .arg("--record")
            .arg(&rec)
            .envs(jack.envs())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts");
        let stderr = child.stderr.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                all.push_str(&line);
                all.push('\n');
                let _ = tx.send(line);
            }
            all
        });
        during(&rx, child.id());
        let status = child.wait().expect("runs");
        let err = reader.join().expect("reads");
        assert!(status.success(), "{err}");
        (err, read_wav(&rec))
    }

    /// Stop the player as Ctrl-C does (it finishes cleanly and prints its summary).
    fn interrupt(pid: u32) {
        let st = Command::new("kill").args(["-INT", &pid.to_string()]).status().expect("kill runs");
        assert!(st.success());
    }

    /// Wait (up to 30 s) for the player to say it watches the file: no save is missed after.
    fn wait_until_watching(rx: &Receiver<String>) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) if line.contains("every save is heard") => return,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("the player did not start watching its file within 30 s");
    }

    /// Wait (up to 10 s) for the player to say it reloaded or rejected the file.
    fn wait_for_reload(rx: &Receiver<String>) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) if line.contains("reloaded") || line.starts_with("error:") => return,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("the player did not reload within 10 s");
    }

    /// The number after `label` in the summary line.
    fn summary_number(err: &str, label: &str) -> u64 {
        let at = err.rfind(label).unwrap_or_else(|| panic!("no '{label}' in: {err}")) + label.len();
        err[at..].trim_start().chars().take_while(char::is_ascii_digit).collect::<String>().parse().expect("a number")
    }

    /// Every half second of `x` sounds and moves.
    fn assert_no_dropout(x: &[f32]) {
        for (k, w) in x.chunks_exact(RATE as usize).enumerate() {
            assert!(rms(&left(w)) > 0.01, "half-second {k} is silent");
            assert!(w.iter().any(|&s| s != w[0]), "half-second {k} is stuck");
        }
    }

    #[test]
    fn a_heavy_scene_plays_8_seconds_without_an_underrun_and_as_offline() {
        let jack = jack::JackDummy::start(RATE, 512);
        let dir = scratch("heavy");
        let scene = dir.join("heavy.ph");
        std::fs::write(&scene, HEAVY).expect("write");
        let (err, take) = play(&jack, &scene, 8.0, &dir, |_, _| {});
        println!("{err}");
        assert_eq!(summary_number(&err, "underruns:"), 0, "{err}");
        // 8 s of wall clock, less the silence the ring starts with
        assert!(take.len() >= 2 * 7 * RATE as usize, "8 s played: {} frames rendered", take.len() / 2);
        // what played is what `render` writes, block for block
        let offline = render_with_cli(&scene, 8.0, Some(RATE), &dir);
        let n = take.len().min(offline.len());
        let same = take.iter().zip(&offline).take_while(|(a, b)| a.to_bits() == b.to_bits()).count();
        assert_eq!(same, n, "live and offline differ from frame {}", same / 2);
        assert_no_dropout(&take[..n]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_hundred_saves_during_playback_swap_without_a_glitch() {
        let jack = jack::JackDummy::start(RATE, 512);
        let dir = scratch("swaps");
        let (a, b) = (dir.join("a.ph"), dir.join("b.ph"));
        // SCENE (patterns through an instrument bus, kit samples, moog, delay) and an edit of it:
        // other cutoff, rhythm and gain, a new drone
        let edited = format!(
            "{}o4: square 220 * 0.05\n",
            SCENE.replace("lpf 2000", "lpf 900").replace("(3,8,1)", "(5,8)").replace("gain 0.7", "gain 0.5")
        );
        std::fs::write(&a, SCENE).expect("write");
        std::fs::write(&b, &edited).expect("write");
        let natural = max_step(&render_with_cli(&a, 40.0, Some(RATE), &dir)).max(max_step(&render_with_cli(&b, 40.0, Some(RATE), &dir)));
        let scene = dir.join("set.ph");
        std::fs::write(&scene, SCENE).expect("write");
        // 100 saves, each once the last has been heard, plus 100–180 ms (so the swaps land at
        // different places in the blocks). Saving again the moment a reload finishes keeps a
        // core busy rebuilding: on two cores that starves the render thread (see the note on
        // `live::default_threads`), which no musician's saving does.
        let (err, take) = play(&jack, &scene, 120.0, &dir, |rx, pid| {
            wait_until_watching(rx);
            std::thread::sleep(std::time::Duration::from_millis(1000));
            for k in 0..100 {
                std::fs::write(&scene, if k % 2 == 0 { edited.as_str() } else { SCENE }).expect("write");
                wait_for_reload(rx);
                std::thread::sleep(std::time::Duration::from_millis(100 + 10 * (k % 9)));
            }
            std::thread::sleep(std::time::Duration::from_millis(1000));
            interrupt(pid);
        });
        let swaps = summary_number(&err, "swaps: ");
        println!("{}", err.lines().last().unwrap_or(""));
        assert_eq!(swaps, 100, "{err}");
        assert_eq!(summary_number(&err, "underruns:"), 0, "{err}");
        assert!(take.iter().all(|s| s.is_finite() && s.abs() <= 1.0), "finite, within full scale");
        let step = max_step(&take);
        println!("largest step {step:.4} with {swaps} swaps; the scenes alone reach {natural:.4}");
        // swaps are only bridged where they would step further than the old block did (the
        // offline test in live_swap.rs pins that at 1.05×); here the tails of one scene can also
        // overlap the other's onsets, which neither makes alone
        assert!(step <= natural * 1.25, "a swap clicked: step {step} vs {natural}");
        assert_no_dropout(&take);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_typo_mid_performance_is_reported_and_the_music_plays_on() {
        let jack = jack::JackDummy::start(RATE, 512);
        let dir = scratch("typo");
        let scene = dir.join("set.ph");
        std::fs::write(&scene, SCENE).expect("write");
        let (err, take) = play(&jack, &scene, 6.0, &dir, |rx, _| {
            wait_until_watching(rx);
            std::thread::sleep(std::time::Duration::from_millis(2000));
            std::fs::write(&scene, format!("{SCENE}o4: sqare 220\n")).expect("write");
            wait_for_reload(rx);
            std::thread::sleep(std::time::Duration::from_millis(1500));
            std::fs::write(&scene, format!("{SCENE}o4: square 220 * 0.05\n")).expect("write");
            wait_for_reload(rx);
        });
        println!("{err}");
        assert!(err.contains("set.ph:6:5") && err.contains("square"), "the typo's place and fix: {err}");
        assert!(err.contains("keeps playing"), "{err}");
        assert_eq!(summary_number(&err, "rejected edits:"), 1);
        assert_eq!(summary_number(&err, "swaps:"), 1);
        assert_eq!(summary_number(&err, "underruns:"), 0);
        assert_no_dropout(&take);
        // the fix is heard: the last second has the square's 220 Hz, the first doesn't
        let n = take.len();
        let (first, last) = (left(&take[..2 * RATE as usize]), left(&take[n - 2 * RATE as usize..]));
        let (before, after) = (amplitude_at(&first, 220.0, RATE as f64), amplitude_at(&last, 220.0, RATE as f64));
        println!("220 Hz before {before:.4}, after {after:.4}");
        assert!(after > 0.02 && after > 4.0 * before, "the fixed line is heard");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
