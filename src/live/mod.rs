//! Live mode (`phonon play`): the scene plays through the sound card (cpal, with the `live`
//! feature) or to standard output, and every saved edit is heard at the next block.
//!
//! ```text
//!  editor saves ─▶ control thread: parse, build, plan ─(SPSC ring of new engines)─▶
//!  render thread: owns the Engine, renders blocks ahead ─(SPSC ring of samples)─▶ audio callback
//!                 └─(SPSC ring of replaced engines)─▶ retire thread: drops them
//! ```
//! - the **audio callback** (module `audio`, built with the `live` feature) only pops samples;
//!   short of them it plays silence and counts an underrun;
//! - the **render thread** ([`render::Renderer`]) allocates nothing in steady state; a swap is
//!   [`Engine::take_over`](crate::Engine::take_over), also allocation-free;
//! - the **control thread** ([`control::Builder`]) does everything that allocates: reading,
//!   parsing, loading samples, building the World, pairing old and new nodes;
//! - the **main thread** prints the status line and the profile, reports nodes that went NaN or
//!   panicked (muted, the rest plays on), watches the device for errors (reopening it) and
//!   stops after `--duration`;
//! - the **retire thread** drops replaced engines and hands their memory back to the system.

#[cfg(feature = "live")]
pub mod audio;
pub mod control;
pub mod render;

use crate::engine::{Engine, EngineConfig};
use crate::error::Error;
use crate::samples::SampleLibrary;
use crate::scene::Scene;
use crate::swap::SceneIndex;
use ringbuf::traits::{Consumer, Observer};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// DSP threads for live playback: every core but one. The render thread's stages are fork-join:
/// a block waits for its slowest worker, so a worker that loses its core to a reload, the
/// lookahead or the audio server for a scheduler tick delays the whole block. Measured on two
/// cores with 100 reloads during playback: 2 threads, slowest block 16–42 ms and 1–10
/// underruns at 50 ms latency; 1 thread, slowest 8.7 ms and none.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).saturating_sub(1).max(1)
}

/// What the render thread publishes (atomics: read from any thread, never locked).
#[derive(Debug, Default)]
pub struct LiveStatus {
    /// Set to stop every thread.
    pub stop: AtomicBool,
    /// Blocks rendered.
    pub blocks: AtomicU64,
    /// Stereo frames rendered (the last block of a `--duration` run may be partial).
    pub frames: AtomicU64,
    /// The cycle position at the end of the last block (`f64` bits).
    pub cycle_bits: AtomicU64,
    /// The playing scene's cycles per second (`f64` bits).
    pub cps_bits: AtomicU64,
    /// Voices sounding after the last block.
    pub voices: AtomicU64,
    /// Time the last block took to render (ns).
    pub busy_ns: AtomicU64,
    /// The longest any block took to render so far (ns).
    pub busy_ns_max: AtomicU64,
    /// The longest block that began with a swap (the swap included).
    pub swap_busy_ns_max: AtomicU64,
    /// Scenes swapped in.
    pub swaps: AtomicU64,
    /// Nodes whose DSP state the last swap carried over.
    pub kept_states: AtomicU64,
    /// Voices the last swap carried over.
    pub kept_voices: AtomicU64,
    /// Edits that did not parse or build.
    pub errors: AtomicU64,
    /// Samples `--record` could not keep up with.
    pub record_dropped: AtomicU64,
}

impl LiveStatus {
    /// The cycle position at the end of the last block ([`cycle_bits`](Self::cycle_bits)).
    pub fn cycle(&self) -> f64 {
        f64::from_bits(self.cycle_bits.load(Ordering::Relaxed))
    }
    /// The playing scene's cycles per second ([`cps_bits`](Self::cps_bits)).
    pub fn cps(&self) -> f64 {
        f64::from_bits(self.cps_bits.load(Ordering::Relaxed))
    }
    /// Where a scene built now should start querying its patterns.
    pub fn query_from(&self) -> phonon_components::Rational {
        control::query_start(self.cycle())
    }
}

/// Standard error, shared by the status line and messages so they do not tangle.
pub struct Console {
    tty: bool,
    lock: std::sync::Mutex<bool>,
}

impl Console {
    /// Standard error; the status line is drawn only if it is a terminal.
    pub fn new() -> Console {
        Console { tty: std::io::stderr().is_terminal(), lock: std::sync::Mutex::new(false) }
    }
    /// Print a message on its own line(s).
    pub fn message(&self, msg: &str) {
        let mut status_shown = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut err = std::io::stderr().lock();
        if *status_shown {
            let _ = write!(err, "\r\x1b[K");
            *status_shown = false;
        }
        let _ = writeln!(err, "{msg}");
    }
    /// Redraw the one-line status (terminals only).
    pub fn status(&self, line: &str) {
        if !self.tty {
            return;
        }
        let mut status_shown = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let _ = write!(std::io::stderr().lock(), "\r\x1b[K{line}");
        *status_shown = true;
    }
}

impl Default for Console {
    fn default() -> Self {
        Console::new()
    }
}

/// `phonon play`'s options.
#[derive(Debug, Clone)]
pub struct PlayOptions {
    /// The scene file (`.ph` or `.ron`), watched for edits.
    pub scene: PathBuf,
    /// Engine settings; the sample rate is replaced by the output's.
    pub cfg: EngineConfig,
    /// Wanted sample rate (the device's default if `None`; 44100 for `--stdout`).
    pub sample_rate: Option<u32>,
    /// Output device by name (the host's default if `None`).
    pub device: Option<String>,
    /// Audio rendered ahead of the device, in ms (at least three blocks).
    pub latency_ms: f64,
    /// Stop after this many seconds.
    pub duration: Option<f64>,
    /// Raw f32 to standard output instead of a device.
    pub stdout: bool,
    /// Also write what is rendered to this WAV file.
    pub record: Option<PathBuf>,
    /// With a profile given to [`play`]: print it every this many seconds, and the whole
    /// performance's at exit.
    pub profile_every: Option<Duration>,
}

/// How a performance went.
#[derive(Debug, Clone, Default)]
pub struct PlaySummary {
    /// Audio rendered, in seconds.
    pub seconds: f64,
    /// Blocks rendered.
    pub blocks: u64,
    /// Device callbacks that found too few samples and played silence (0 for standard output).
    pub underruns: u64,
    /// Edits swapped in.
    pub swaps: u64,
    /// Edits that did not parse or build (the old scene played on).
    pub errors: u64,
    /// The slowest block, in ms.
    pub busy_max_ms: f64,
    /// The slowest block that began with a swap, in ms.
    pub swap_busy_max_ms: f64,
    /// Real time one block stands for, in ms (`block_len / sample_rate`).
    pub budget_ms: f64,
    /// The output's name (a device, or `standard output`).
    pub device: String,
    /// Samples `--record` could not keep up with (missing from the recording).
    pub record_dropped: u64,
}

impl std::fmt::Display for PlaySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "played {:.2} s ({} blocks) on {}; swaps: {} (slowest swap block {:.2} ms), rejected edits: {}, slowest block {:.2} ms of {:.2} ms, underruns: {}",
            self.seconds,
            self.blocks,
            self.device,
            self.swaps,
            self.swap_busy_max_ms,
            self.errors,
            self.busy_max_ms,
            self.budget_ms,
            self.underruns
        )?;
        if self.record_dropped > 0 {
            write!(f, ", {} samples missing from the recording", self.record_dropped)?;
        }
        Ok(())
    }
}

/// The output end: a device, or standard output.
enum Output {
    #[cfg(feature = "live")]
    /// The device (taken when playback stops) and its callback's counters.
    Device(Option<Box<audio::DeviceOutput>>, Arc<audio::DeviceStats>, String),
    Stdout,
}

impl Output {
    fn open(opts: &PlayOptions) -> Result<Output, Error> {
        if opts.stdout {
            return Ok(Output::Stdout);
        }
        #[cfg(feature = "live")]
        {
            let dev = audio::DeviceOutput::open(opts.device.as_deref(), opts.sample_rate, Some(opts.cfg.block_len as u32))?;
            let name = dev.name().to_string();
            Ok(Output::Device(Some(Box::new(dev)), Arc::new(audio::DeviceStats::default()), name))
        }
        #[cfg(not(feature = "live"))]
        Err(Error::Usage(
            "this phonon was built without audio output: use --stdout, or rebuild with `--features live` (needs `apt-get install libasound2-dev`)"
                .into(),
        ))
    }
    fn sample_rate(&self, opts: &PlayOptions) -> u32 {
        match self {
            #[cfg(feature = "live")]
            Output::Device(d, ..) => d.as_ref().map_or(44_100, |d| d.sample_rate()),
            Output::Stdout => opts.sample_rate.unwrap_or(44_100),
        }
    }
    fn name(&self) -> String {
        match self {
            #[cfg(feature = "live")]
            Output::Device(_, _, name) => name.clone(),
            Output::Stdout => "standard output".into(),
        }
    }
    fn underruns(&self) -> u64 {
        match self {
            #[cfg(feature = "live")]
            Output::Device(_, s, _) => s.underruns.load(Ordering::Relaxed),
            Output::Stdout => 0,
        }
    }
}

/// Play `opts.scene` until `--duration` or Ctrl-C, reloading it on every save. Errors in the
/// first load end the performance (nothing is playing yet); later ones are printed and the
/// old scene plays on.
pub fn play(opts: PlayOptions, console: Arc<Console>, profile: Option<&crate::profile::Profile>) -> Result<PlaySummary, Error> {
    let mut output = Output::open(&opts)?;
    let mut cfg = opts.cfg.clone();
    cfg.sample_rate = output.sample_rate(&opts);
    let name = opts.scene.display().to_string();
    let library = Arc::new(SampleLibrary::discover(&cfg.sample_dirs));
    let scene = Scene::load(&opts.scene)?;
    let mut engine = Engine::with_samples(&scene, &name, cfg.clone(), &*library)?;
    let index = SceneIndex::of(&mut engine);
    let mut nan_watch = engine.nan_watch();
    let (nan_tx, nan_rx) = std::sync::mpsc::channel();
    let status = Arc::new(LiveStatus::default());
    status.cps_bits.store(engine.cps().to_bits(), Ordering::Relaxed);
    let budget = Duration::from_secs_f64(cfg.block_len as f64 / cfg.sample_rate as f64);

    let (record_prod, recorder) = match &opts.record {
        Some(path) => {
            let (p, c) = ringbuf::traits::Split::split(ringbuf::HeapRb::<f32>::new(cfg.sample_rate as usize * 2 * 4));
            (Some(p), Some(spawn_recorder(path.clone(), cfg.sample_rate, c)?))
        }
        None => (None, None),
    };
    let frames = match (opts.stdout, opts.duration) {
        (true, Some(s)) => Some((s * cfg.sample_rate as f64).round() as u64),
        _ => None,
    };
    let (sink, _ring) = match &output {
        #[cfg(feature = "live")]
        Output::Device(..) => {
            let ahead = ((opts.latency_ms / 1000.0 * cfg.sample_rate as f64) as usize).max(3 * cfg.block_len);
            let ring = render::silent_ring(ahead);
            (render::Sink::Ring(ringbuf::Prod::new(ring.clone())), Some(ring))
        }
        Output::Stdout => (render::Sink::Stream(Box::new(std::io::stdout())), None::<Arc<ringbuf::HeapRb<f32>>>),
    };
    let (renderer, rings) = render::Renderer::new(engine, sink, record_prod, status.clone(), frames);
    let render_thread = spawn("phonon-render", move || renderer.run())?;
    let retire_thread = spawn_retirer(rings.retired)?;
    let builder = control::Builder {
        path: opts.scene.clone(),
        cfg: cfg.clone(),
        library,
        status: status.clone(),
        playing: index,
        scene,
        to_render: rings.to_render,
        console: console.clone(),
        nan_watches: nan_tx,
    };
    let watch_console = console.clone();
    let control_thread = spawn("phonon-control", move || {
        if let Err(e) = builder.watch() {
            watch_console.message(&format!("error: {e} (edits will not be heard)"));
        }
    })?;
    #[cfg(feature = "live")]
    if let (Output::Device(Some(dev), stats, _), Some(ring)) = (&mut output, &_ring) {
        dev.start(ring.clone(), stats.clone())?;
        // the device takes this many frames per callback: the ring must hold more
        if let Some(b) = dev.buffer_frames()
            && (b as usize) * 2 > ring.capacity().get() / 2
        {
            console.message(&format!(
                "warning: the device asks for {b} frames at a time, more than half of the {} ms rendered ahead: raise --latency-ms",
                ring.capacity().get() / 2 * 1000 / cfg.sample_rate as usize
            ));
        }
    }
    // Ctrl-C ends the loop below, which stops the device before the render thread: stopping
    // the render thread first would let the device drain the ring and count underruns
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Release));

    let budget_us = budget.as_secs_f64() * 1e6;
    let reporter = match (profile, opts.profile_every) {
        (Some(p), Some(every)) => {
            let c = console.clone();
            Some(p.spawn_reporter(every, budget_us, move |r| c.message(r.trim_end()))?)
        }
        _ => None,
    };
    let started = Instant::now();
    while !status.stop.load(Ordering::Acquire) && !interrupted.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(50));
        #[cfg(feature = "live")]
        if let Output::Device(Some(dev), ..) = &mut output
            && let Some(msg) = dev.poll()
        {
            console.message(&msg);
        }
        if let Some(d) = opts.duration
            && !opts.stdout
            && started.elapsed().as_secs_f64() >= d
        {
            break;
        }
        // the newest scene's watch (a scene about to play, or playing)
        while let Ok(w) = nan_rx.try_recv() {
            nan_watch = w;
        }
        for node in nan_watch.take_new() {
            console.message(&format!("warning: {node} produced NaN/Inf: its output is silenced"));
        }
        for (node, why) in nan_watch.take_new_panics() {
            console.message(&format!("warning: {node} panicked ({why}): it is muted, the rest plays on"));
        }
        console.status(&status_line(&status, output.underruns(), budget));
    }
    // count underruns up to here: once the render thread stops, the ring runs dry by design
    let underruns = output.underruns();
    output_stop(&mut output);
    status.stop.store(true, Ordering::Release);
    let _ = render_thread.join();
    let _ = control_thread.join();
    let _ = retire_thread.join();
    if let Some(r) = recorder {
        r.join().map_err(|_| Error::Usage("the recorder thread panicked".into()))??;
    }
    if let Some(r) = reporter {
        console.message(&format!("whole performance:\n{}", crate::profile::report(&r.finish(), budget_us).trim_end()));
    }
    console.status("");
    Ok(PlaySummary {
        seconds: status.frames.load(Ordering::Relaxed) as f64 / cfg.sample_rate as f64,
        blocks: status.blocks.load(Ordering::Relaxed),
        underruns,
        swaps: status.swaps.load(Ordering::Relaxed),
        errors: status.errors.load(Ordering::Relaxed),
        busy_max_ms: status.busy_ns_max.load(Ordering::Relaxed) as f64 / 1e6,
        swap_busy_max_ms: status.swap_busy_ns_max.load(Ordering::Relaxed) as f64 / 1e6,
        budget_ms: budget.as_secs_f64() * 1e3,
        device: output.name(),
        record_dropped: status.record_dropped.load(Ordering::Relaxed),
    })
}

/// Close the device (its callback stops).
fn output_stop(output: &mut Output) {
    #[cfg(feature = "live")]
    if let Output::Device(dev, ..) = output {
        drop(dev.take());
    }
    let _ = output;
}

/// `cycle 12.37 | 0.56 cps | cpu 23% | underruns 0 | voices 12`
fn status_line(s: &LiveStatus, underruns: u64, budget: Duration) -> String {
    let cpu = 100.0 * s.busy_ns.load(Ordering::Relaxed) as f64 / budget.as_nanos().max(1) as f64;
    format!(
        "cycle {:>8.2} | {:.3} cps | cpu {:>3.0}% | underruns {} | voices {:>4} | swaps {}",
        s.cycle(),
        s.cps(),
        cpu,
        underruns,
        s.voices.load(Ordering::Relaxed),
        s.swaps.load(Ordering::Relaxed)
    )
}

fn spawn<T: Send + 'static>(name: &str, f: impl FnOnce() -> T + Send + 'static) -> Result<std::thread::JoinHandle<T>, Error> {
    std::thread::Builder::new().name(name.into()).spawn(f).map_err(|e| Error::Usage(format!("cannot start the {name} thread: {e}")))
}

/// The retire thread: drops replaced engines (their Worlds, arenas, rayon pools and lookahead
/// threads) so the render thread never frees them.
fn spawn_retirer(mut rx: ringbuf::HeapCons<Box<render::Pending>>) -> Result<std::thread::JoinHandle<()>, Error> {
    spawn("phonon-retire", move || {
        loop {
            let mut dropped = false;
            while let Some(old) = rx.try_pop() {
                drop(old);
                dropped = true;
            }
            if dropped {
                release_freed_memory();
            }
            // done once the render thread (the ring's producer) has gone and the ring is empty
            if !rx.write_is_held() && rx.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })
}

/// Hand the pages a dropped engine freed back to the system. glibc's malloc keeps freed memory
/// in the arena of the thread that allocated it (the control thread, each scene's lookahead
/// thread) for reuse; over hundreds of edits that cache makes the resident set creep although
/// the memory held stays the same (tests/live_leak.rs). `malloc_trim` returns every arena's
/// free pages; it runs on the retire thread, never the render thread.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's malloc_trim takes no pointers; it only releases free heap pages
        // (madvise) under the arenas' own locks, and is safe to call from any thread.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// The `--record` thread: writes what the render thread rendered to a 32-bit float WAV.
fn spawn_recorder(
    path: PathBuf,
    sample_rate: u32,
    mut rx: ringbuf::HeapCons<f32>,
) -> Result<std::thread::JoinHandle<Result<(), Error>>, Error> {
    let name = path.display().to_string();
    let werr = move |e: hound::Error| Error::Wav { path: name.clone(), msg: e.to_string() };
    let spec = hound::WavSpec { channels: 2, sample_rate, bits_per_sample: 32, sample_format: hound::SampleFormat::Float };
    let mut wav = hound::WavWriter::create(&path, spec).map_err(&werr)?;
    spawn("phonon-record", move || {
        let mut buf = vec![0f32; 8192];
        loop {
            let n = rx.pop_slice(&mut buf);
            for &s in &buf[..n] {
                wav.write_sample(s).map_err(&werr)?;
            }
            if n == 0 {
                if !rx.write_is_held() && rx.is_empty() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        wav.finalize().map_err(&werr)
    })
}
