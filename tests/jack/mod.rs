//! A real-time-paced sound card for tests on machines without one: JACK's dummy driver, with ALSA's
//! default device routed to it.
//!
//! Include with `#[path = "jack/mod.rs"] mod jack;`. [`JackDummy::start`] runs `jackd` under a
//! server name of its own (so tests never meet another jackd on the machine) and writes an
//! `.asoundrc` into a fresh temporary directory. Programs see the dummy card as their ALSA
//! `default` device when run with [`JackDummy::envs`] — `HOME` (where ALSA reads `.asoundrc`) and
//! `JACK_DEFAULT_SERVER` (which jackd to join) — e.g. `jack.command(env!("CARGO_BIN_EXE_phonon"))`.
//! ALSA reads `$HOME/.asoundrc` once per process, so set them on a child process, not on the test
//! process itself.
//!
//! Only one `JackDummy` exists at a time per test binary (a process-wide lock, held until drop).
//! Needs `jackd` (package jackd2) and ALSA's jack plugin (libasound2-plugins): a test using this
//! panics without them rather than pass without a sound card.
#![allow(dead_code)]

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// One jackd per test binary at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
static STARTED: AtomicUsize = AtomicUsize::new(0);

const INSTALL: &str = "the live-audio tests need JACK's dummy driver: apt-get install --no-install-recommends jackd2 libasound2-plugins";
const ALSA_JACK_PLUGIN: &str = "libasound_module_pcm_jack.so";

/// `pcm.!default` → JACK's `system` playback ports, through `plug` (any rate/format/channels).
/// `pcm.failing` plays there too, but its `file` plugin also writes every period to `/dev/full`:
/// each write fails (ENOSPC), so cpal reports a backend error to the stream's error callback.
const ASOUNDRC: &str = "pcm.!default { type plug slave.pcm \"j\" }\n\
pcm.j { type jack name \"phonon\" playback_ports { 0 system:playback_1 1 system:playback_2 } }\n\
pcm.failing { type plug slave.pcm \"failing_file\" hint { show on description \"writes to /dev/full: every period fails\" } }\n\
pcm.failing_file { type file slave.pcm \"j\" file \"/dev/full\" format \"raw\" }\n";

/// A running `jackd -d dummy` and the directory holding its `.asoundrc` (both gone on drop).
pub struct JackDummy {
    jackd: Option<Child>,
    home: PathBuf,
    server: String,
    rate: u32,
    period: u32,
    _lock: MutexGuard<'static, ()>,
}

impl JackDummy {
    /// Starts a dummy JACK server at `rate` Hz with `period` frames per cycle and waits until it
    /// accepts clients. Panics (with what to install) if jackd or ALSA's jack plugin is missing.
    pub fn start(rate: u32, period: u32) -> JackDummy {
        let lock = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        require_tools();
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let server = format!("phonon-test-{}-{n}", std::process::id());
        let home = std::env::temp_dir().join(&server);
        fs::create_dir_all(&home).unwrap_or_else(|e| panic!("cannot create {}: {e}", home.display()));
        fs::write(home.join(".asoundrc"), ASOUNDRC).unwrap_or_else(|e| panic!("cannot write .asoundrc: {e}"));
        let mut jack = JackDummy { jackd: None, home, server, rate, period, _lock: lock };
        jack.restart();
        jack
    }

    /// The directory to use as `HOME` for programs that should play into this server.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The JACK server name (`JACK_DEFAULT_SERVER` for clients).
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The environment a child process needs to play into this server through ALSA's default
    /// device: `HOME`, `JACK_DEFAULT_SERVER`, and `JACK_NO_START_SERVER` (a client must never
    /// start a jackd of its own when this one is down).
    pub fn envs(&self) -> Vec<(&'static str, OsString)> {
        vec![
            ("HOME", self.home.clone().into_os_string()),
            ("JACK_DEFAULT_SERVER", self.server.clone().into()),
            ("JACK_NO_START_SERVER", "1".into()),
        ]
    }

    /// `Command::new(program)` with [`envs`](Self::envs) set.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.envs(self.envs());
        cmd
    }

    /// Stops jackd (clients lose their device) but keeps the directory; [`restart`](Self::restart)
    /// brings the same server back.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.jackd.take() {
            terminate(&mut child);
        }
    }

    /// (Re)starts jackd under the same name and settings, and waits until it accepts clients.
    pub fn restart(&mut self) {
        self.stop();
        let log = fs::File::create(self.home.join("jackd.log")).unwrap_or_else(|e| panic!("cannot create jackd.log: {e}"));
        let err = log.try_clone().unwrap_or_else(|e| panic!("cannot share jackd.log: {e}"));
        let child = Command::new("jackd")
            .args(["--no-realtime", "-n", &self.server, "-d", "dummy"])
            .args(["-r", &self.rate.to_string(), "-p", &self.period.to_string()])
            .env("JACK_NO_AUDIO_RESERVATION", "1")
            .env("JACK_NO_START_SERVER", "1")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run jackd ({e}); {INSTALL}"));
        self.jackd = Some(child);
        self.wait_ready();
    }

    /// Polls `jack_lsp` until the server lists its playback ports (at most 10 s).
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.jackd.as_mut().map(Child::try_wait) {
                panic!("jackd exited ({status}) before accepting clients:\n{}", self.log());
            }
            let lsp = self.command("jack_lsp").stderr(Stdio::null()).output();
            if lsp.is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("system:playback_2")) {
                return;
            }
            sleep(Duration::from_millis(50));
        }
        panic!("jackd '{}' did not accept clients within 10 s:\n{}", self.server, self.log());
    }

    /// What jackd printed so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.home.join("jackd.log")).unwrap_or_default()
    }
}

impl Drop for JackDummy {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.home);
    }
}

/// Panics with what to install unless jackd, jack_lsp and ALSA's jack plugin are present.
fn require_tools() {
    for tool in ["jackd", "jack_lsp"] {
        let found = std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()));
        assert!(found, "{tool} is not installed; {INSTALL}");
    }
    let multiarch = fs::read_dir("/usr/lib").into_iter().flatten().flatten().map(|e| e.path());
    let mut lib_dirs: Vec<PathBuf> = ["/usr/lib", "/usr/lib64", "/usr/local/lib"].iter().map(PathBuf::from).collect();
    lib_dirs.extend(multiarch);
    let plugin = lib_dirs.iter().any(|d| d.join("alsa-lib").join(ALSA_JACK_PLUGIN).is_file());
    assert!(plugin, "ALSA's jack plugin ({ALSA_JACK_PLUGIN}) is not installed; {INSTALL}");
}

/// SIGTERM (jackd cleans up its shared memory), then SIGKILL if it lingers past 5 s.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}
