//! The soak test: `phonon play` of assets/bench/stress16.ph (sixteen pattern lines, about 2800
//! voices) through JACK's dummy driver — a sound card paced in real time — for 10 minutes, with
//! the scene file saved every 2 s, alternating between two edits of it. Ignored by default; run
//! on demand, on a quiet machine:
//!
//! ```text
//! cargo test --release --features live --test soak -- --ignored --nocapture
//! PHONON_SOAK_SECONDS=60 cargo test --release --features live --test soak -- --ignored --nocapture
//! ```
//!
//! `PHONON_SOAK_SECONDS` sets the length (600 by default), `PHONON_SOAK_LATENCY_MS` the audio
//! rendered ahead (`--latency-ms`, 50 by default). It asserts:
//! - zero underruns, every save swapped in, no edit rejected, nothing missing from the recording;
//! - flat memory: the player's resident set (`VmRSS`, sampled every second) in the last minute
//!   peaks at most [`RSS_GROWTH_MB`] above its peak in the first minute (with a run shorter than
//!   three minutes: the first and last third);
//! - no glitch in what was played (`--record`): every sample finite and within ±1.0, no silent
//!   or stuck half-second, and no sample-to-sample step above 1.25× the largest either scene
//!   makes alone (offline renders of both).
//!
//! It prints the numbers: underruns, swaps, resident set first/last minute, largest step, the
//! slowest block, and the machine's load.
#![cfg(feature = "live")]

mod common;
#[path = "jack/mod.rs"]
mod jack;

use common::{max_step, render_with_cli};

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

const RATE: u32 = 48_000;
/// How far the resident set may grow from the first minute to the last (MB).
const RSS_GROWTH_MB: f64 = 4.0;
/// Seconds between saves.
const SAVE_EVERY: f64 = 2.0;
/// Seconds between resident-set samples (often enough that both windows compared see the brief
/// peaks of a scene being built beside the one playing).
const RSS_EVERY: f64 = 1.0;

fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).filter(|v: &f64| v.is_finite() && *v > 0.0).unwrap_or(default)
}

fn phonon() -> Command {
    Command::new(env!("CARGO_BIN_EXE_phonon"))
}

/// stress16 and its edit: every output's cutoff half as high again (node state and voices carry
/// over, the filters move).
fn scenes() -> (String, String) {
    let a = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/bench/stress16.ph")).expect("stress16.ph");
    let mut b = String::new();
    for line in a.lines() {
        match line.rsplit_once("# lpf ") {
            Some((head, hz)) if hz.trim().parse::<u32>().is_ok() => {
                b.push_str(&format!("{head}# lpf {}\n", hz.trim().parse::<u32>().unwrap_or(0) * 3 / 2));
            }
            _ => {
                b.push_str(line);
                b.push('\n');
            }
        }
    }
    assert_ne!(a, b, "the edit changes the scene");
    (a, b)
}

/// The player's resident set in MB and its thread count (`VmRSS`, `Threads` of
/// /proc/<pid>/status).
fn rss_mb(pid: u32) -> Option<(f64, u32)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| status.lines().find(|l| l.starts_with(name))?.split_whitespace().nth(1)?.parse::<f64>().ok();
    Some((field("VmRSS:")? / 1024.0, field("Threads:")? as u32))
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// The number after `label` in the summary line (the last one).
fn number_after(err: &str, label: &str) -> f64 {
    let at = err.rfind(label).unwrap_or_else(|| panic!("no '{label}' in: {err}")) + label.len();
    err[at..].trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect::<String>().parse().expect("a number")
}

/// What the recording holds, read in one pass (it is 230 MB for 10 minutes).
#[derive(Debug, Default)]
struct Take {
    frames: u64,
    not_finite: u64,
    over_full_scale: u64,
    peak: f32,
    max_step: f32,
    /// Half-seconds (by index) whose left channel has an RMS under 0.01, or never changes.
    silent: Vec<u64>,
    stuck: Vec<u64>,
    quietest_rms: f64,
}

fn analyse(path: &Path) -> Take {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let half = RATE as u64 / 2;
    let mut t = Take { quietest_rms: f64::INFINITY, ..Take::default() };
    let (mut prev, mut frame) = (None::<[f32; 2]>, [0f32; 2]);
    let (mut sum_sq, mut first, mut moved) = (0f64, 0f32, false);
    for (i, s) in r.samples::<f32>().enumerate() {
        let s = s.expect("sample");
        frame[i % 2] = s;
        if !s.is_finite() {
            t.not_finite += 1;
        } else if s.abs() > 1.0 {
            t.over_full_scale += 1;
        }
        t.peak = t.peak.max(s.abs());
        if i % 2 == 0 {
            continue;
        }
        if let Some(p) = prev {
            t.max_step = t.max_step.max((frame[0] - p[0]).abs()).max((frame[1] - p[1]).abs());
        }
        prev = Some(frame);
        let k = t.frames % half;
        if k == 0 {
            (sum_sq, first, moved) = (0.0, frame[0], false);
        }
        sum_sq += (frame[0] as f64).powi(2);
        moved |= frame[0] != first;
        t.frames += 1;
        if k == half - 1 {
            let rms = (sum_sq / half as f64).sqrt();
            t.quietest_rms = t.quietest_rms.min(rms);
            let index = t.frames / half - 1;
            if rms <= 0.01 {
                t.silent.push(index);
            }
            if !moved {
                t.stuck.push(index);
            }
        }
    }
    t
}

/// Saves and what the player said about them.
#[derive(Default)]
struct Saves {
    saved: u64,
    reloads: u64,
    rejected: u64,
    /// When the save waiting for its reload was written.
    pending: Option<Instant>,
    /// Seconds from each save to its reload message.
    latency: Vec<f64>,
    /// The build time each reload message gives (ms).
    build_ms: Vec<f64>,
}

impl Saves {
    /// Drain the player's stderr lines.
    fn drain(&mut self, rx: &Receiver<String>) {
        while let Ok(line) = rx.try_recv() {
            if line.contains("reloaded") || line.starts_with("error:") {
                if let Some(at) = self.pending.take() {
                    self.latency.push(at.elapsed().as_secs_f64());
                }
                if line.starts_with("error:") {
                    self.rejected += 1;
                    println!("{line}");
                } else {
                    self.reloads += 1;
                    if let Some(ms) = line.split("reloaded in ").nth(1).and_then(|r| r.split(" ms").next()).and_then(|n| n.parse().ok()) {
                        self.build_ms.push(ms);
                    }
                }
            } else if line.starts_with("warning:") || line.starts_with("audio device") {
                println!("{line}");
            }
        }
    }
}

#[test]
#[ignore = "10 minutes of real-time playback: run on demand (see the file's docs)"]
fn stress16_plays_10_minutes_with_a_swap_every_2_seconds_without_a_glitch() {
    let seconds = env_f64("PHONON_SOAK_SECONDS", 600.0);
    let latency = env_f64("PHONON_SOAK_LATENCY_MS", 50.0);
    let dir: PathBuf = std::env::temp_dir().join(format!("phonon-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (a, b) = scenes();
    let (pa, pb) = (dir.join("a.ph"), dir.join("b.ph"));
    std::fs::write(&pa, &a).expect("write");
    std::fs::write(&pb, &b).expect("write");
    let natural = max_step(&render_with_cli(&pa, 30.0, Some(RATE), &dir)).max(max_step(&render_with_cli(&pb, 30.0, Some(RATE), &dir)));
    let load_before = load();
    println!("soak: {seconds} s of stress16, a save every {SAVE_EVERY} s, --latency-ms {latency}; load {load_before}");

    let jack = jack::JackDummy::start(RATE, 512);
    let scene = dir.join("set.ph");
    std::fs::write(&scene, &a).expect("write");
    let rec = dir.join("take.wav");
    let mut child = phonon()
        .arg("play")
        .arg(&scene)
        .args(["--sample-rate", &RATE.to_string(), "--latency-ms", &latency.to_string()])
        .arg("--record")
        .arg(&rec)
        .envs(jack.envs())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let pid = child.id();
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

    // the first save only once the player watches the file
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.contains("every save is heard") => break,
            Ok(_) => {}
            Err(_) => panic!("the player did not start within 30 s"),
        }
    }
    let started = Instant::now();
    let mut saves = Saves::default();
    let mut rss: Vec<(f64, f64, u32)> = Vec::new();
    let mut next_rss = 0.0;
    let mut next_save = SAVE_EVERY;
    // a save every 2 s, each once the last one has been reloaded (a slow reload delays the next
    // save, never piles saves up); the last lands at least 2 s before the end
    loop {
        let t = started.elapsed().as_secs_f64();
        if t >= next_rss {
            let (mb, threads) = rss_mb(pid).expect("the player is running");
            rss.push((t, mb, threads));
            next_rss += RSS_EVERY;
        }
        saves.drain(&rx);
        if t >= seconds && saves.pending.is_none() {
            break;
        }
        if t >= seconds + 15.0 {
            let _ = Command::new("kill").args(["-INT", &pid.to_string()]).status();
            let _ = child.wait();
            let err = reader.join().expect("reads");
            panic!("save {} was not reloaded within 15 s; the player said:\n{err}", saves.saved);
        }
        if saves.pending.is_none() && t >= next_save && t + SAVE_EVERY <= seconds {
            saves.saved += 1;
            std::fs::write(&scene, if saves.saved % 2 == 1 { &b } else { &a }).expect("write");
            saves.pending = Some(Instant::now());
            next_save = (next_save + SAVE_EVERY).max(t);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // the last reload is swapped in at the render thread's next block
    std::thread::sleep(Duration::from_millis(500));
    let (mb, threads) = rss_mb(pid).expect("the player is running");
    rss.push((started.elapsed().as_secs_f64(), mb, threads));
    let st = Command::new("kill").args(["-INT", &pid.to_string()]).status().expect("kill runs");
    assert!(st.success());
    let status = child.wait().expect("runs");
    let err = reader.join().expect("reads");
    saves.drain(&rx);
    assert!(status.success(), "{err}");
    let summary = err.lines().rfind(|l| l.starts_with("played ")).unwrap_or("").to_string();
    println!("{summary}");
    let underruns = number_after(&err, "underruns:") as u64;
    let swaps = number_after(&err, "swaps: ") as u64;
    let slowest = number_after(&err, "slowest block");
    let slowest_swap = number_after(&err, "slowest swap block");

    // memory: the first minute's peak against the last minute's
    let window = (seconds / 3.0).min(60.0);
    let end = rss.last().map_or(0.0, |r| r.0);
    let peak = |keep: &dyn Fn(f64) -> bool| rss.iter().filter(|r| keep(r.0)).map(|r| r.1).fold(0.0, f64::max);
    // (the first sample, taken as the player starts, is before it has built anything)
    let (rss_first, rss_last) = (peak(&|t| t > 0.0 && t <= window), peak(&|t| t >= end - window));
    let take = analyse(&rec);
    let lat = &saves.latency;
    let (lat_mean, lat_max) = (lat.iter().sum::<f64>() / lat.len().max(1) as f64, lat.iter().copied().fold(0.0, f64::max));
    let build = &saves.build_ms;
    let (build_mean, build_max) = (build.iter().sum::<f64>() / build.len().max(1) as f64, build.iter().copied().fold(0.0, f64::max));
    println!(
        "soak results: {:.0} s played ({} frames recorded), {} saves, {} reloads (save to reload: mean {lat_mean:.2} s, max {lat_max:.2} s; \
         build: mean {build_mean:.0} ms, max {build_max:.0} ms), \
         {swaps} swaps, {} rejected, {underruns} underruns; resident set first {window:.0} s peak {rss_first:.1} MB, last {window:.0} s \
         peak {rss_last:.1} MB (growth {:+.2} MB; every 10th sample s:MB/threads {:?}); largest step {:.4} vs {natural:.4} in either scene alone \
         ({:.3}×); peak {:.4}; quietest half-second RMS {:.4}; slowest block {slowest:.2} ms, slowest swap block {slowest_swap:.2} ms; \
         load before {load_before}, after {}",
        take.frames as f64 / RATE as f64,
        take.frames,
        saves.saved,
        saves.reloads,
        saves.rejected,
        rss_last - rss_first,
        rss.iter().step_by(10).map(|r| format!("{:.0}:{:.1}/{}", r.0, r.1, r.2)).collect::<Vec<_>>(),
        take.max_step,
        take.max_step / natural,
        take.peak,
        take.quietest_rms,
        load()
    );
    assert_eq!(underruns, 0, "{summary}");
    assert_eq!(saves.rejected, 0, "every edit builds");
    assert_eq!(saves.reloads, saves.saved, "every save reloaded");
    assert_eq!(swaps, saves.saved, "every save swapped in: {summary}");
    let threads = rss.iter().skip(1).map(|r| r.2);
    assert!(threads.clone().max() <= threads.clone().min().map(|t| t + 2), "threads do not pile up: {rss:?}");
    assert!(!summary.contains("missing from the recording"), "{summary}");
    // (JACK's dummy driver runs without real-time priority here: on a loaded machine its clock
    // loses a few per cent, and the device asks for that much less)
    let played = number_after(&err, "played ");
    assert!(played >= 0.95 * seconds, "played {played} s in {seconds} s");
    assert!(take.frames as f64 >= played * RATE as f64 - 1024.0, "everything played was recorded: {} frames", take.frames);
    assert_eq!(take.not_finite, 0, "finite");
    assert_eq!(take.over_full_scale, 0, "within full scale");
    assert!(take.silent.is_empty(), "silent half-seconds: {:?}", take.silent);
    assert!(take.stuck.is_empty(), "stuck half-seconds: {:?}", take.stuck);
    assert!(take.max_step <= natural * 1.25, "a glitch: step {} vs {natural} in either scene alone", take.max_step);
    assert!(rss_last <= rss_first + RSS_GROWTH_MB, "memory grows: {rss_first:.1} MB → {rss_last:.1} MB");
    drop(jack);
    let _ = std::fs::remove_dir_all(&dir);
}
