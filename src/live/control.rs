//! The control thread: watches the scene file, and on every save parses and builds the new
//! scene, pairs it with the playing one ([`SwapPlan`]) and hands it to the render thread.
//! A scene that does not parse or build is reported, and the old one plays on.

use super::render::Pending;
use super::{Console, LiveStatus};
use crate::engine::{Engine, EngineConfig};
use crate::error::Error;
use crate::samples::SampleLibrary;
use crate::scene::Scene;
use crate::swap::{SceneIndex, SwapPlan};
use notify::{RecursiveMode, Watcher};
use phonon_components::Rational;
use ringbuf::HeapProd;
use ringbuf::traits::Producer;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Saves closer together than this are one edit (editors write a file in several steps).
const DEBOUNCE: Duration = Duration::from_millis(40);
/// A file written without a pause for this long is read anyway.
const MAX_GATHER: Duration = Duration::from_millis(400);

/// Builds scenes for the render thread.
pub struct Builder {
    /// The scene file.
    pub path: PathBuf,
    /// Settings for every engine built (the output's sample rate already set).
    pub cfg: EngineConfig,
    /// Samples, shared with every engine built.
    pub library: Arc<SampleLibrary>,
    /// The render thread's status (where to start a new scene's patterns; when to stop).
    pub status: Arc<LiveStatus>,
    /// The scene the render thread plays (or will, once it takes the last one sent).
    pub playing: SceneIndex,
    /// The scene behind `playing`.
    pub scene: Scene,
    /// Where new engines go to the render thread.
    pub to_render: HeapProd<Box<Pending>>,
    /// Where reloads and errors are reported.
    pub console: Arc<Console>,
    /// Each new engine's NaN watch, for the main thread to poll.
    pub nan_watches: std::sync::mpsc::Sender<crate::engine::NanWatch>,
}

impl Builder {
    /// Parse and build the file as it is now; on success hand it over and return a one-line
    /// description, else the error (the old scene keeps playing).
    pub fn reload(&mut self) -> Result<String, Error> {
        let started = Instant::now();
        let name = self.path.display().to_string();
        let scene = Scene::load(&self.path)?;
        let status = self.status.clone();
        let mut engine = Engine::starting_at(&scene, &name, self.cfg.clone(), &*self.library, move || status.query_from())?;
        let index = SceneIndex::of(&mut engine);
        let watch = engine.nan_watch();
        self.wait_for_patterns(&engine);
        let mut plan = if scene.outputs.is_empty() { SwapPlan::cold() } else { SwapPlan::new(&self.playing, &index) };
        plan.identical = scene == self.scene;
        let kept = plan.states.len();
        let pending = Box::new(Pending { engine: Box::new(engine), plan });
        if self.to_render.try_push(pending).is_err() {
            return Err(Error::Usage("the render thread is not taking new scenes (it may be stalled): edit not applied".into()));
        }
        self.playing = index;
        let _ = self.nan_watches.send(watch);
        let silent = scene.outputs.is_empty();
        let outputs = scene.outputs.len();
        self.scene = scene;
        Ok(if silent {
            format!("{name}: silence (hush)")
        } else {
            format!(
                "{name}: reloaded in {:.0} ms — {outputs} outputs, {kept} nodes keep their state",
                started.elapsed().as_secs_f64() * 1e3
            )
        })
    }

    /// Hand over only once the new engine's lookahead has queried past where the render thread
    /// will be (a quarter cycle beyond it now), so the render thread never waits for its first
    /// events; give up after a second (the render thread then waits, as offline).
    fn wait_for_patterns(&self, engine: &Engine) {
        let deadline = Instant::now() + Duration::from_secs(1);
        while let Some(ready) = engine.patterns_ready_until() {
            if ready >= self.status.cycle() + 0.25 || Instant::now() >= deadline || self.status.stop.load(Ordering::Acquire) {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Watch the file until `status.stop`; reload on every change. Says `FILE: playing; every
    /// save is heard` once the watch is in place.
    pub fn watch(mut self) -> Result<(), Error> {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut watcher =
            notify::recommended_watcher(tx).map_err(|e| Error::Usage(format!("cannot watch {}: {e}", self.path.display())))?;
        // watch the folder: editors often save by writing a new file and renaming it over the old
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        watcher.watch(&dir, RecursiveMode::NonRecursive).map_err(|e| Error::Usage(format!("cannot watch {}: {e}", dir.display())))?;
        let target = canonical(&self.path);
        // from here on no save is missed (a script driving the player can wait for this line)
        self.console.message(&format!("{}: playing; every save is heard", self.path.display()));
        while !self.status.stop.load(Ordering::Acquire) {
            let Ok(ev) = rx.recv_timeout(Duration::from_millis(100)) else { continue };
            if !concerns(&ev, &target) {
                continue; // another file in the folder (a recording being written, say)
            }
            // gather the rest of this save: until the file has been quiet for DEBOUNCE
            let (first, mut quiet_since) = (Instant::now(), Instant::now());
            while quiet_since.elapsed() < DEBOUNCE && first.elapsed() < MAX_GATHER {
                if let Ok(more) = rx.recv_timeout(DEBOUNCE.saturating_sub(quiet_since.elapsed()))
                    && concerns(&more, &target)
                {
                    quiet_since = Instant::now();
                }
            }
            match self.reload() {
                Ok(msg) => self.console.message(&msg),
                Err(e) => {
                    self.status.errors.fetch_add(1, Ordering::Relaxed);
                    self.console.message(&format!("error: {e}\n(the previous scene keeps playing)"));
                }
            }
        }
        Ok(())
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Does this watcher event touch the scene file (by content, not by access)?
fn concerns(ev: &notify::Result<notify::Event>, target: &Path) -> bool {
    let Ok(ev) = ev else { return false };
    if ev.kind.is_access() {
        return false;
    }
    ev.paths.iter().any(|p| {
        canonical(p) == target || p.file_name() == target.file_name() && p.parent().map(canonical) == target.parent().map(canonical)
    })
}

/// The cycle to start a new scene's pattern queries from: the window of 1/64 cycle holding the
/// render thread's position now.
pub fn query_start(cycle: f64) -> Rational {
    if !cycle.is_finite() || cycle <= 0.0 {
        return Rational::ZERO;
    }
    let k = (cycle * 64.0).floor().min(i64::MAX as f64 / 2.0) as i128;
    Rational::from_i128(k, 64).unwrap_or(Rational::ZERO)
}
