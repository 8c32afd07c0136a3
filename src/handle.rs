//! [`Handle`]: control a running [`Engine`] from other threads, lock-free on its side.
//!
//! ```text
//!  any thread: Handle::load ── parse, build, plan (allocates) ──▶ ring of commands ─┐
//!                                                                                    ▼
//!  the engine's thread: Engine::process_block ── at the block boundary: try_pop, take over
//!                          │ (no lock, no allocation)
//!                          └──▶ ring of replaced scenes ──▶ retire thread: drops them
//! ```
//!
//! The handles share the sending end of the command ring behind a mutex, which only senders
//! take; the engine pops with a plain atomic read. Replaced scenes (whole Worlds, thread pools,
//! lookahead threads) are freed by the engine's retire thread, never where it renders.

use crate::engine::{Engine, Extensions, Player, exact_cps};
use crate::error::Error;
use crate::scene::Scene;
use crate::swap::SwapPlan;
use ringbuf::traits::{Consumer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Commands waiting for the engine.
const COMMANDS: usize = 64;
/// Replaced scenes waiting for the retire thread.
const RETIRED: usize = 64;

/// A built scene on its way to the engine.
pub(crate) struct Incoming {
    player: Box<Player>,
    plan: SwapPlan,
    ext: Arc<Extensions>,
    /// Play on at the tempo the engine has (a hush), not the new scene's.
    keep_tempo: bool,
}

/// What a handle asks of the engine.
enum Command {
    /// Swap this scene in (a load, or a hush with a cold plan).
    Swap(Box<Incoming>),
    /// Change the tempo: exact, and as a float.
    Cps(phonon_components::Rational, f64),
}

/// The engine's end of its handles' rings.
pub(crate) struct Inbox {
    commands: HeapCons<Command>,
    retired: HeapProd<Box<Incoming>>,
    /// A replaced scene the retire ring had no room for, sent first at the next block.
    limbo: Option<Box<Incoming>>,
    retire_stop: Arc<AtomicBool>,
    retire_thread: Option<std::thread::JoinHandle<()>>,
    /// The sending end, shared by every handle.
    sender: Arc<Mutex<HeapProd<Command>>>,
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.retire_stop.store(true, Ordering::Release);
        if let Some(t) = self.retire_thread.take() {
            let _ = t.join();
        }
    }
}

/// Controls an [`Engine`] from another thread: load a scene, change the tempo, hush. Cheap to
/// clone; every clone talks to the same engine. Loading builds the scene on the calling thread
/// (parsing, samples, the World), then hands it over: the engine takes over at its next block
/// without a lock or an allocation on its side, and the scene it replaced is dropped on the
/// engine's retire thread.
///
/// ```
/// use phonon::{Engine, EngineConfig};
/// let mut engine = Engine::new(EngineConfig { threads: 1, ..Default::default() })?;
/// let handle = engine.handle();
/// std::thread::spawn(move || handle.load_str("out: sine 330 * 0.4")).join().unwrap()?;
/// let block = engine.process_block(); // the new scene plays from this block
/// assert!(block.iter().any(|x| x.abs() > 0.01));
/// # Ok::<(), phonon::Error>(())
/// ```
#[derive(Clone)]
pub struct Handle {
    core: Arc<crate::engine::Core>,
    commands: Arc<Mutex<HeapProd<Command>>>,
}

/// Make a handle for `engine` (the first one opens its inbox and starts its retire thread).
pub(crate) fn handle(engine: &mut Engine) -> Handle {
    let core = engine.core().clone();
    if engine.inbox_mut().is_none() {
        let (tx, commands) = HeapRb::<Command>::new(COMMANDS).split();
        let (retired, mut rx) = HeapRb::<Box<Incoming>>::new(RETIRED).split();
        let retire_stop = Arc::new(AtomicBool::new(false));
        let stop = retire_stop.clone();
        let retire_thread = std::thread::Builder::new()
            .name("phonon-retire".into())
            .spawn(move || {
                loop {
                    let stopping = stop.load(Ordering::Acquire);
                    while let Some(old) = rx.try_pop() {
                        drop(old);
                    }
                    if stopping {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
            .ok();
        let sender = Arc::new(Mutex::new(tx));
        *engine.inbox_mut() = Some(Inbox { commands, retired, limbo: None, retire_stop, retire_thread, sender });
    }
    let commands = engine.inbox_mut().as_ref().map(|i| i.sender.clone()).expect("made above");
    Handle { core, commands }
}

/// Apply what the handles sent, at a block boundary, on the engine's thread: no lock, no
/// allocation, nothing freed.
pub(crate) fn apply_inbox(engine: &mut Engine) {
    loop {
        let Some(inbox) = engine.inbox_mut() else { return };
        if let Some(p) = inbox.limbo.take()
            && let Err(p) = inbox.retired.try_push(p)
        {
            inbox.limbo = Some(p);
            return; // take nothing new until the last replaced scene has left
        }
        let Some(cmd) = inbox.commands.try_pop() else { return };
        match cmd {
            Command::Cps(exact, cps) => engine.set_cps_exact(exact, cps),
            Command::Swap(mut incoming) => {
                if incoming.ext.version == engine.current_ext().version {
                    let ext = incoming.ext.clone();
                    let tempo = (engine.transport().cps, engine.cps());
                    engine.swap_in(&mut incoming.player, &incoming.plan, ext);
                    if incoming.keep_tempo {
                        engine.set_cps_exact(tempo.0, tempo.1);
                    }
                    engine.core().swaps.fetch_add(1, Ordering::Relaxed);
                } else {
                    // built before the engine gained a system, resource, source or sound
                    engine.core().stale.fetch_add(1, Ordering::Relaxed);
                }
                let inbox = engine.inbox_mut().as_mut().expect("checked above");
                if let Err(p) = inbox.retired.try_push(incoming) {
                    inbox.limbo = Some(p);
                }
            }
        }
    }
}

impl Handle {
    /// Build `scene` here (`file` names it in errors) and send it to the engine, which swaps
    /// it in at its next block: the clock continues, unchanged nodes keep their state,
    /// sounding voices ring out, the step is bridged. On error nothing is sent and the old
    /// scene plays on.
    pub fn load_named(&self, scene: &Scene, file: &str) -> Result<(), Error> {
        let (player, plan, ext) = self.core.prepare(scene, file, false)?;
        self.send(Command::Swap(Box::new(Incoming { player, plan, ext, keep_tempo: false })))
    }

    /// [`Handle::load_named`] with the scene named `scene` in errors.
    pub fn load(&self, scene: &Scene) -> Result<(), Error> {
        self.load_named(scene, "scene")
    }

    /// Load a `.ph` or `.ron` file (see [`Engine::load_file`]).
    pub fn load_file(&self, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let scene = Scene::load(path)?;
        self.load_named(&scene, &path.display().to_string())
    }

    /// Load `.ph` text; errors are placed in `<text>:line:col`.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// let handle = engine.handle();
    /// let err = handle.load_str("out: sine 440 # lpff 100").unwrap_err();
    /// assert!(err.to_string().contains("lpf")); // did you mean 'lpf'?
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn load_str(&self, text: &str) -> Result<(), Error> {
        let scene = Scene::from_ph(text, "<text>")?;
        self.load_named(&scene, "<text>")
    }

    /// Change the tempo at the engine's next block (0 < cps ≤ 1000); the cycle does not jump.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.handle().set_cps(1.25)?;
    /// engine.process_block();
    /// assert_eq!(engine.cps(), 1.25);
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn set_cps(&self, cps: f64) -> Result<(), Error> {
        let exact = exact_cps(cps)?;
        self.send(Command::Cps(exact, cps))
    }

    /// Silence the scene at the engine's next block: an empty scene takes over with nothing
    /// carried but the clock and the tempo (tails stop through the 5 ms bridge). Event sources
    /// the embedding program added keep playing.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.load_str("out: sine 220 * 0.5")?;
    /// let handle = engine.handle();
    /// handle.hush()?;
    /// engine.process_block(); // the 5 ms bridge
    /// assert!(engine.process_block().iter().all(|&x| x == 0.0));
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn hush(&self) -> Result<(), Error> {
        let (player, plan, ext) = self.core.prepare(&Scene::default(), "hush", true)?;
        // silence at the tempo the engine has when it gets there
        self.send(Command::Swap(Box::new(Incoming { player, plan, ext, keep_tempo: true })))
    }

    /// Scenes the engine has swapped in from handles so far.
    pub fn swaps(&self) -> u64 {
        self.core.swaps.load(Ordering::Relaxed)
    }

    /// Loads the engine dropped because it gained a system, resource, event source or sound
    /// while they were being built (load again).
    pub fn stale_loads(&self) -> u64 {
        self.core.stale.load(Ordering::Relaxed)
    }

    /// The cycle position at the end of the engine's last block.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(phonon::EngineConfig { block_len: 441, ..Default::default() })?;
    /// let handle = engine.handle();
    /// for _ in 0..100 {
    ///     engine.process_block(); // 100 blocks of 10 ms at the default 0.5 cycles per second
    /// }
    /// assert!((handle.cycle() - 0.5).abs() < 1e-9);
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn cycle(&self) -> f64 {
        f64::from_bits(self.core.cycle.load(Ordering::Acquire))
    }

    fn send(&self, cmd: Command) -> Result<(), Error> {
        let mut tx = self.commands.lock().unwrap_or_else(|e| e.into_inner());
        tx.try_push(cmd).map_err(|_| Error::Usage(format!("the engine has {COMMANDS} commands waiting: is it still rendering? (not sent)")))
    }
}
