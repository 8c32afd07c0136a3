//! The `phonon` command line.

use clap::{Parser, Subcommand};
use phonon::render::{Bits, render_wav};
use phonon::{Engine, EngineConfig, Error, Scene};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "phonon", version, about = "A live-coding music engine: patterns and DSP graphs, rendered or played live.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Engine options shared by `render` and `play`.
#[derive(clap::Args)]
struct EngineOpts {
    /// Samples per block.
    #[arg(long, default_value_t = 512)]
    block_size: usize,
    /// DSP threads (default: all cores for `render`; all but one for `play`, which leaves one to
    /// reloading, the pattern queries and the audio server).
    #[arg(long)]
    threads: Option<usize>,
    /// Voice pool size: voices that can sound at once (the oldest are stolen beyond it).
    #[arg(long, default_value_t = 1024)]
    voices: usize,
    /// A sample folder (Dirt-Samples layout), searched before the others; repeatable.
    #[arg(long = "samples", value_name = "DIR")]
    samples: Vec<PathBuf>,
}

impl EngineOpts {
    /// The engine configuration these options ask for; `threads` when not given.
    fn config(self, sample_rate: u32, threads: usize) -> Result<EngineConfig, Error> {
        if !(1..=1 << 20).contains(&self.voices) {
            return Err(Error::Usage(format!("the voice pool must hold 1…1048576 voices, got {}", self.voices)));
        }
        Ok(EngineConfig {
            sample_rate,
            block_len: self.block_size,
            threads: self.threads.unwrap_or(threads),
            voices: self.voices,
            sample_dirs: self.samples,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Render a scene to a stereo WAV file.
    Render {
        /// Scene file (.ron).
        scene: PathBuf,
        /// Output WAV file.
        out: PathBuf,
        /// Length in seconds.
        #[arg(long, conflicts_with = "cycles", allow_negative_numbers = true)]
        seconds: Option<f64>,
        /// Length in cycles (default 4).
        #[arg(long)]
        cycles: Option<f64>,
        #[arg(long, default_value_t = 44_100)]
        sample_rate: u32,
        /// WAV sample format: 16 or 24 (integer) or 32 (float).
        #[arg(long, default_value_t = 32)]
        bits: u16,
        #[command(flatten)]
        engine: EngineOpts,
        /// Print per-block timing of every system (min / median / p99 / max) at the end.
        #[arg(long)]
        profile: bool,
        /// Write a Chrome/Perfetto trace of every block, system and stage to this JSON file.
        #[arg(long, value_name = "JSON")]
        trace: Option<PathBuf>,
    },
    /// Play a scene live, reloading it on every save: through the sound card (built with
    /// `--features live`) or as raw f32 to standard output.
    Play {
        /// Scene file (.ph or .ron), watched for edits.
        scene: PathBuf,
        /// Output device name (see `phonon devices`); the default output if omitted.
        #[arg(long)]
        device: Option<String>,
        /// Audio rendered ahead of the device, in milliseconds (at least three blocks).
        #[arg(long, default_value_t = 20.0)]
        latency_ms: f64,
        /// Stop after this many seconds (of audio, with --stdout).
        #[arg(long)]
        duration: Option<f64>,
        /// Sample rate; the device's default if omitted (44100 with --stdout).
        #[arg(long)]
        sample_rate: Option<u32>,
        /// Write raw interleaved little-endian f32 stereo to standard output instead of a
        /// device: `phonon play x.ph --stdout | aplay -f FLOAT_LE -c 2 -r 44100`.
        #[arg(long)]
        stdout: bool,
        /// Also record what is played to this WAV file (32-bit float).
        #[arg(long, value_name = "WAV")]
        record: Option<PathBuf>,
        #[command(flatten)]
        engine: EngineOpts,
        /// Print per-block timing of every system (min / median / p99 / max) every 5 s and at exit.
        #[arg(long)]
        profile: bool,
        /// Write a Chrome/Perfetto trace of every block, system and stage to this JSON file.
        #[arg(long, value_name = "JSON")]
        trace: Option<PathBuf>,
    },
    /// List the audio output devices (built with `--features live`).
    Devices,
    /// Render the benchmark workloads (assets/bench/) offline and time every block: median and
    /// p99 µs per block, × real time and % of the block's budget.
    Bench {
        /// Workloads (w1 w2 w3 mph stress16 voices4k) or scene files; all workloads if none.
        workloads: Vec<String>,
        /// DSP threads.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Seconds of audio to time per workload (after a warm-up).
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Print JSON (one object per workload, in an array) instead of a table.
        #[arg(long)]
        json: bool,
        /// Regenerate the workload scenes and the bench sample into this folder, then exit.
        #[arg(long, value_name = "DIR")]
        write_assets: Option<PathBuf>,
    },
    /// List the DSP node catalogue: every node's usage and what it does.
    Nodes {
        /// The reference section of docs/LANGUAGE.md (arguments, defaults, units, examples).
        #[arg(long)]
        markdown: bool,
    },
    /// List the sample folders searched and every sound found, with where it comes from.
    Samples {
        /// Extra sample folders, searched first.
        #[arg(long = "samples", value_name = "DIR")]
        samples: Vec<PathBuf>,
    },
    /// Parse and compile a scene without rendering it: exit 0, or print the error.
    Check {
        /// Scene file (.ph or .ron).
        scene: PathBuf,
    },
    /// Convert a scene between .ph and .ron (by the file extensions).
    Convert { from: PathBuf, to: PathBuf },
    /// Print the compiled graph: stages, nodes, edges; feedback edges marked.
    Graph {
        scene: PathBuf,
        /// Graphviz dot output.
        #[arg(long)]
        dot: bool,
    },
    /// Print the events of a pattern expression over an arc, as JSON.
    Query {
        /// The expression, as in a .ph file: 'jux rev $ s "bd*2 sn" # speed 2'.
        expr: String,
        /// Start of the arc in cycles (number or fraction).
        #[arg(long, default_value = "0", allow_negative_numbers = true)]
        from: String,
        /// End of the arc in cycles.
        #[arg(long, default_value = "1", allow_negative_numbers = true)]
        to: String,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; everything else exits 1 like any bad input
            let code = if e.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
            let _ = e.print();
            return code;
        }
    };
    let opts = match &cli.command {
        Command::Play { profile, trace, .. } | Command::Render { profile, trace, .. } => {
            phonon::profile::TracingOptions { profile: *profile, trace: trace.clone() }
        }
        _ => phonon::profile::TracingOptions::default(),
    };
    // dropped last: it completes the trace file
    let guard = match phonon::profile::init_tracing(&opts) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match run(cli, guard.profile()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "live")]
fn devices() -> Result<(), Error> {
    let devices = phonon::live::audio::list_devices()?;
    // ALSA lists every plugin it knows; show the ones that can play (and say how many cannot)
    let (usable, unusable): (Vec<_>, Vec<_>) = devices.into_iter().partition(|d| d.unavailable.is_none());
    for d in &usable {
        println!("{d}");
    }
    if !unusable.is_empty() {
        println!("({} more cannot play now: busy, or plugins without a backend)", unusable.len());
    }
    Ok(())
}

#[cfg(not(feature = "live"))]
fn devices() -> Result<(), Error> {
    Err(Error::Usage(
        "this phonon was built without audio output: rebuild with `--features live` (needs `apt-get install libasound2-dev`)".into(),
    ))
}

fn run(cli: Cli, profile: Option<&phonon::profile::Profile>) -> Result<(), Error> {
    match cli.command {
        Command::Play { scene, device, latency_ms, duration, sample_rate, stdout, record, engine, profile: _, trace: _ } => {
            if let Some(d) = duration
                && !(d.is_finite() && d > 0.0)
            {
                return Err(Error::Usage(format!("--duration must be a positive number of seconds, got {d}")));
            }
            if !(latency_ms.is_finite() && (0.0..=10_000.0).contains(&latency_ms)) {
                return Err(Error::Usage(format!("--latency-ms must be 0…10000, got {latency_ms}")));
            }
            // the sample rate is the device's; the render thread sets it
            let cfg = engine.config(EngineConfig::default().sample_rate, phonon::live::default_threads())?;
            let opts = phonon::live::PlayOptions {
                scene,
                cfg,
                sample_rate,
                device,
                latency_ms,
                duration,
                stdout,
                record,
                profile_every: Some(std::time::Duration::from_secs(5)),
            };
            let console = std::sync::Arc::new(phonon::live::Console::new());
            let summary = phonon::live::play(opts, console, profile)?;
            eprintln!("{summary}");
            Ok(())
        }
        Command::Devices => devices(),
        Command::Check { scene } => {
            let name = scene.display().to_string();
            let s = Scene::load(&scene)?;
            let engine = Engine::from_scene(&s, &name, EngineConfig { threads: 1, ..EngineConfig::default() })?;
            let stages = engine.world().resource::<phonon::components::Stages>();
            println!(
                "{name}: ok — {} buses, {} outputs, {} nodes in {} stages, {} cps",
                s.buses.len(),
                s.outputs.len(),
                stages.node_count,
                stages.groups.last().map_or(0, |g| g.stage + 1),
                s.cps
            );
            Ok(())
        }
        Command::Convert { from, to } => {
            let s = Scene::load(&from)?;
            let text = match to.extension().and_then(|e| e.to_str()) {
                Some("ron") => s.to_ron(),
                Some("ph") => phonon::lang::ph::to_ph(&s).map_err(|msg| Error::Scene { file: from.display().to_string(), msg })?,
                _ => return Err(Error::Usage(format!("{}: the target must end in .ph or .ron", to.display()))),
            };
            std::fs::write(&to, text).map_err(|source| Error::Io { path: to.display().to_string(), source })?;
            println!("{} → {}", from.display(), to.display());
            Ok(())
        }
        Command::Graph { scene, dot } => {
            let name = scene.display().to_string();
            let s = Scene::load(&scene)?;
            print!("{}", phonon::graph::describe(&s, &name, dot)?);
            Ok(())
        }
        Command::Query { expr, from, to } => {
            let (from, to) = (phonon::query::parse_time(&from)?, phonon::query::parse_time(&to)?);
            let events = phonon::query::query(&expr, from, to)?;
            println!("{}", serde_json::to_string_pretty(&events).expect("JSON values always serialise"));
            Ok(())
        }
        Command::Nodes { markdown } => {
            print!("{}", if markdown { phonon::reference::markdown() } else { phonon::reference::text() });
            Ok(())
        }
        Command::Samples { samples } => {
            print!("{}", phonon::samples::SampleLibrary::discover(&samples).report());
            Ok(())
        }
        Command::Bench { workloads, threads, seconds, json, write_assets } => bench(workloads, threads, seconds, json, write_assets),
        Command::Render { scene, out, seconds, cycles, sample_rate, bits, engine, profile: _, trace: _ } => {
            let block_size = engine.block_size;
            let cfg = engine.config(sample_rate, EngineConfig::default().threads)?;
            let bits = Bits::from_bits(bits)?;
            let name = scene.display().to_string();
            let s = Scene::load(&scene)?;
            let seconds = match (seconds, cycles) {
                (Some(s), _) => s,
                (None, c) => c.unwrap_or(4.0) / s.cps,
            };
            if !(seconds.is_finite() && seconds > 0.0 && seconds <= 24.0 * 3600.0) {
                return Err(Error::Usage(format!("the render length must be between 0 and 24 hours, got {seconds} s")));
            }
            let mut engine = Engine::from_scene(&s, &name, cfg)?;
            let frames = (seconds * sample_rate as f64).round() as u64;
            let file = std::fs::File::create(&out).map_err(|source| Error::Io { path: out.display().to_string(), source })?;
            let writer = std::io::BufWriter::new(file);
            let bar = if seconds > 1.0 {
                indicatif::ProgressBar::new(frames)
                    .with_style(indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg}").expect("static template"))
            } else {
                indicatif::ProgressBar::hidden()
            };
            let summary = render_wav(&mut engine, frames, bits, writer, &out.display().to_string(), |d| bar.set_position(d))?;
            bar.finish_and_clear();
            if let Some(p) = profile {
                eprint!("{}", phonon::profile::report(&p.snapshot(false), block_size as f64 / sample_rate as f64 * 1e6));
            }
            let stats = engine.voice_stats();
            println!(
                "{}: {summary}; {} threads, {} voices started{}",
                out.display(),
                engine.threads(),
                stats.started,
                if stats.dropped > 0 { format!(", {} dropped (pool full)", stats.dropped) } else { String::new() }
            );
            Ok(())
        }
    }
}

fn bench(names: Vec<String>, threads: usize, seconds: f64, json: bool, write_assets: Option<PathBuf>) -> Result<(), Error> {
    use phonon::bench;
    if let Some(dir) = write_assets {
        for p in bench::write_assets(&dir)? {
            println!("wrote {}", p.display());
        }
        return Ok(());
    }
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
        return Err(Error::Usage(format!("--seconds must be between 0 and 3600, got {seconds}")));
    }
    if !(1..=256).contains(&threads) {
        return Err(Error::Usage(format!("--threads must be 1…256, got {threads}")));
    }
    let names: Vec<String> = if names.is_empty() { bench::WORKLOADS.iter().map(|w| w.name.to_string()).collect() } else { names };
    let mut results = Vec::new();
    for name in &names {
        let (mut engine, warmup) = bench::engine_for(name, threads)?;
        let cfg = engine.config();
        let blocks = ((seconds * cfg.sample_rate as f64 / cfg.block_len as f64).ceil() as usize).max(1);
        let m = bench::measure(&mut engine, name, warmup, blocks);
        if !json {
            eprint!("{}", bench::table(std::slice::from_ref(&m)).lines().nth(1).map(|l| format!("{l}\n")).unwrap_or_default());
        }
        results.push(m);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results).expect("measurements serialise"));
    } else {
        print!("{}", bench::table(&results));
    }
    Ok(())
}
