//! `Engine`: a scene built into an ECS World plus the block schedule that renders it.

use crate::build::build_graph_with;
use crate::error::Error;
use crate::scene::Scene;
use crate::swap::{Declick, SwapPlan};
use bevy_ecs::prelude::*;
use phonon_components::{
    Active, BusName, DspState, MasterLimiter, NanFlags, Node, OutputBlock, Rational, Slot, Transport, Voice, VoiceState, VoiceStats,
};
use phonon_systems::{ControlSpec, DspPool, SourceSpec, WorldConfig, build_schedule, build_world, denormals};

/// How to run a scene.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    pub sample_rate: u32,
    /// Samples per block (per channel).
    pub block_len: usize,
    /// DSP threads: 1 renders everything on the calling thread.
    pub threads: usize,
    /// Voice pool capacity.
    pub voices: usize,
    /// Extra sample folders, searched first (`--samples DIR`).
    pub sample_dirs: Vec<std::path::PathBuf>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            sample_rate: 44_100,
            block_len: 512,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            voices: 1024,
            sample_dirs: Vec::new(),
        }
    }
}

/// The running engine. Embed it: build from a [`Scene`], call [`Engine::process_block`] in a
/// loop, reach the ECS through [`Engine::world_mut`] and [`Engine::schedule_mut`] to add
/// systems of your own (`.in_set(phonon_systems::Phase::…)`).
pub struct Engine {
    world: World,
    schedule: Schedule,
    cfg: EngineConfig,
    cps: f64,
    /// The thread querying this scene's patterns ahead (stopped when the engine drops).
    _lookahead: Option<crate::lookahead::Lookahead>,
    /// Which nodes went NaN/Inf, and which of those have been reported.
    nan: NanWatch,
    /// The bridge from the scene this engine took over (see [`crate::swap`]).
    declick: Declick,
    /// Sounding voices, and the pool's free voices (queries made at build time, so a hot swap
    /// on the render thread allocates nothing).
    active_voices: QueryState<(&'static Voice, &'static VoiceState), With<Active>>,
    free_voices: QueryState<Entity, (With<Voice>, Without<Active>)>,
    free_scratch: Vec<Entity>,
}

/// The NaN/Inf flags of one engine's nodes with their names, readable from any thread.
#[derive(Debug, Clone)]
pub struct NanWatch {
    flags: std::sync::Arc<[std::sync::atomic::AtomicBool]>,
    /// `"lpf (bus '~x')"` by node index.
    names: Vec<String>,
    reported: Vec<bool>,
}

impl NanWatch {
    fn of(world: &mut World) -> NanWatch {
        let flags = world.resource::<NanFlags>().0.clone();
        let mut names = vec![String::new(); flags.len()];
        for (node, bus) in world.query::<(&Node, Option<&BusName>)>().iter(world) {
            if let Some(slot) = names.get_mut(node.index as usize) {
                *slot = match bus {
                    Some(n) => format!("{} (bus '~{}')", node.kind.name(), n.0),
                    None => format!("{} (node #{})", node.kind.name(), node.index),
                };
            }
        }
        NanWatch { reported: vec![false; flags.len()], flags, names }
    }

    /// The nodes whose output went NaN/Inf since the last call (silenced by the engine).
    pub fn take_new(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, f) in self.flags.iter().enumerate() {
            if f.load(std::sync::atomic::Ordering::Relaxed) && !self.reported[i] {
                self.reported[i] = true;
                out.push(self.names[i].clone());
            }
        }
        out
    }
}

/// What a hot swap carried over ([`Engine::take_over`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SwapReport {
    /// Nodes that kept their state.
    pub states: usize,
    /// Sounding voices that ring out in the new scene.
    pub voices: usize,
    /// Sounding voices that had nowhere to go (their bus, sample or instrument changed).
    pub voices_lost: usize,
}

impl Engine {
    /// Build the World and Schedule for `scene`; `file` names the scene in errors. Samples come
    /// from the sample library's search path (`cfg.sample_dirs` first, then `PHONON_SAMPLES`,
    /// `./samples`, `~/phonon/samples`, `~/.local/share/phonon/samples`, the built-in kit).
    pub fn new(scene: &Scene, file: &str, cfg: EngineConfig) -> Result<Engine, Error> {
        let library = crate::samples::SampleLibrary::discover(&cfg.sample_dirs);
        Engine::with_samples(scene, file, cfg, &library)
    }

    /// Like [`Engine::new`], loading the samples the scene's patterns use from `samples`.
    pub fn with_samples(scene: &Scene, file: &str, cfg: EngineConfig, samples: &dyn crate::build::SampleSource) -> Result<Engine, Error> {
        Engine::starting_at(scene, file, cfg, samples, || Rational::ZERO)
    }

    /// Like [`Engine::with_samples`], for an engine that will take over a running one: its
    /// pattern queries start from the cycle `from()` returns, asked as late as possible (after
    /// the samples are loaded and the graph is built), so they are close to where the render
    /// thread will be when [`Engine::take_over`] runs. Events before the block it starts on
    /// are skipped.
    pub fn starting_at(
        scene: &Scene,
        file: &str,
        cfg: EngineConfig,
        samples: &dyn crate::build::SampleSource,
        from: impl FnOnce() -> Rational,
    ) -> Result<Engine, Error> {
        if !(1..=384_000).contains(&cfg.sample_rate) {
            return Err(Error::Usage(format!("sample rate must be 1…384000 Hz, got {}", cfg.sample_rate)));
        }
        if !(1..=65_536).contains(&cfg.block_len) {
            return Err(Error::Usage(format!("block size must be 1…65536 samples, got {}", cfg.block_len)));
        }
        if !(1..=256).contains(&cfg.threads) {
            return Err(Error::Usage(format!("threads must be 1…256, got {}", cfg.threads)));
        }
        let graph = build_graph_with(scene, file, samples, cfg.sample_rate)?;
        let wc = WorldConfig {
            sample_rate: cfg.sample_rate,
            block_len: cfg.block_len,
            cps: graph.cps,
            voices: cfg.voices,
            threads: cfg.threads,
        };
        // pattern queries allocate: they run ahead on the lookahead thread, the render thread
        // pops their results from lock-free rings
        let (sources, controls, lookahead) = if graph.sources.is_empty() && graph.controls.is_empty() {
            (graph.sources, graph.controls, None)
        } else {
            let per_cycle = crate::lookahead::windows_per_cycle(cfg.sample_rate, cfg.block_len, graph.cps.to_f64());
            let (targets, srcs): (Vec<usize>, Vec<_>) = graph.sources.into_iter().map(|s| (s.target, s.source)).unzip();
            let (ctargets, ctls): (Vec<(usize, f32)>, Vec<_>) =
                graph.controls.into_iter().map(|c| ((c.target, c.initial), c.source)).unzip();
            let (la, qs, qc) = crate::lookahead::Lookahead::spawn(srcs, ctls, per_cycle, from())
                .map_err(|e| Error::Usage(format!("could not start the lookahead thread: {e}")))?;
            let sources = qs.into_iter().zip(targets).map(|(source, target)| SourceSpec { source, target }).collect();
            let controls =
                qc.into_iter().zip(ctargets).map(|(source, (target, initial))| ControlSpec { source, target, initial }).collect();
            (sources, controls, Some(la))
        };
        let mut world = build_world(graph.nodes, &graph.outputs, sources, controls, graph.bank, &wc)?;
        world.insert_resource(graph.programs);
        let mut schedule = build_schedule();
        schedule.initialize(&mut world).map_err(|e| Error::Usage(format!("the block schedule does not build: {e}")))?;
        let active_voices = world.query_filtered();
        let mut free_voices: QueryState<Entity, (With<Voice>, Without<Active>)> = world.query_filtered();
        // register the bundle a hot swap inserts into a carried voice now, not on the render thread
        if let Some(e) = free_voices.iter(&world).next() {
            world.entity_mut(e).insert((Voice::default(), VoiceState::default(), Active)).remove::<Active>();
        }
        let free_scratch = Vec::with_capacity(cfg.voices);
        let nan = NanWatch::of(&mut world);
        Ok(Engine {
            world,
            schedule,
            cfg,
            cps: scene.cps,
            _lookahead: lookahead,
            nan,
            declick: Declick::default(),
            active_voices,
            free_voices,
            free_scratch,
        })
    }

    /// Render one block; returns it interleaved stereo (`2 × block_len` floats).
    ///
    /// Real-time contract: after the first call, this allocates nothing.
    pub fn process_block(&mut self) -> &[f32] {
        denormals::flush_denormals_to_zero();
        let _span = tracing::trace_span!("block").entered();
        self.schedule.run(&mut self.world);
        // Recycle bevy's removed-component buffers (voices leaving the pool write one message
        // each); without this they grow forever — bevy's App does the same once per frame.
        self.world.clear_trackers();
        let ceiling = self.world.resource::<MasterLimiter>().ceiling;
        let mut out = self.world.resource_mut::<OutputBlock>();
        self.declick.apply(&mut out.0, ceiling);
        &self.world.resource::<OutputBlock>().0
    }

    /// Take over from `old` between two blocks, as [`SwapPlan`] says (see [`crate::swap`]):
    /// continue its clock, adopt the state of its nodes that kept their key, shape and channels,
    /// let its sounding voices ring out here, and bridge the step between its last frame and
    /// this engine's first. `old` keeps what this engine had (fresh state) and is meant to be
    /// dropped, off the real-time thread.
    ///
    /// Real-time contract: allocates nothing. Both engines must have the same sample rate and
    /// block length (else only the clock's cycle position is carried, approximately).
    pub fn take_over(&mut self, old: &mut Engine, plan: &SwapPlan) -> SwapReport {
        let mut report = SwapReport::default();
        self.continue_clock(old);
        if !plan.identical {
            let fade = (crate::swap::DECLICK_S * self.cfg.sample_rate as f64).ceil() as u32;
            self.declick = Declick::start(&old.world.resource::<OutputBlock>().0, fade);
        }
        if plan.cold || old.cfg.sample_rate != self.cfg.sample_rate {
            return report;
        }
        self.world.resource_mut::<MasterLimiter>().gain = old.world.resource::<MasterLimiter>().gain;
        for &(e_old, e_new) in &plan.states {
            if self.adopt_state(old, e_old, e_new) {
                report.states += 1;
            }
        }
        let (carried, lost) = self.adopt_voices(old, plan);
        report.voices = carried;
        report.voices_lost = lost;
        report
    }

    /// Start at `old`'s next block, at its cycle position there; keep this scene's tempo.
    fn continue_clock(&mut self, old: &Engine) {
        let t_old = old.world.resource::<Transport>();
        let next = t_old.block_index;
        let at = next * t_old.block_len as u64;
        let cycle = t_old.cycle_at(at).unwrap_or(t_old.arc.1);
        let mut t = self.world.resource_mut::<Transport>();
        let block_len = t.block_len as u64;
        t.block_index = at.div_ceil(block_len.max(1));
        t.origin_sample = t.block_index * block_len;
        t.origin_cycle = cycle;
        t.block_start = t.origin_sample;
        t.arc = (cycle, cycle);
    }

    /// Move node `e_old`'s state here into `e_new` if they are the same kind, width and shape.
    fn adopt_state(&mut self, old: &mut Engine, e_old: Entity, e_new: Entity) -> bool {
        let same = |a: &World, b: &World| -> Option<bool> {
            let (na, nb) = (a.get::<Node>(e_old)?, b.get::<Node>(e_new)?);
            let (sa, sb) = (a.get::<Slot>(e_old)?, b.get::<Slot>(e_new)?);
            let (da, db) = (a.get::<DspState>(e_old)?, b.get::<DspState>(e_new)?);
            Some(crate::swap::same_kind(&na.kind, &nb.kind) && sa.channels == sb.channels && crate::swap::compatible(da, db))
        };
        if same(&old.world, &self.world) != Some(true) {
            return false;
        }
        match (old.world.get_mut::<DspState>(e_old), self.world.get_mut::<DspState>(e_new)) {
            (Some(mut a), Some(mut b)) => {
                std::mem::swap(&mut *a, &mut *b);
                true
            }
            _ => false,
        }
    }

    /// Copy `old`'s sounding voices into this engine's free pool where they can play; returns
    /// (carried, lost).
    fn adopt_voices(&mut self, old: &mut Engine, plan: &SwapPlan) -> (usize, usize) {
        self.free_scratch.clear();
        let capacity = self.free_scratch.capacity();
        self.free_scratch.extend(self.free_voices.iter(&self.world).take(capacity));
        let (mut carried, mut lost) = (0, 0);
        for (voice, state) in old.active_voices.iter(&old.world) {
            let (Some(target), Some(source)) = (plan.remap_target(voice.target), plan.remap_source(voice.source)) else {
                lost += 1;
                continue;
            };
            let Some(e) = self.free_scratch.get(carried).copied() else {
                lost += 1;
                continue;
            };
            let mut v = *voice;
            v.target = target;
            v.source = source;
            v.start_offset = 0;
            let mut entity = self.world.entity_mut(e);
            entity.insert((v, *state, Active));
            carried += 1;
        }
        self.world.resource_mut::<VoiceStats>().active = carried;
        (carried, lost)
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }
    pub fn sample_rate(&self) -> u32 {
        self.cfg.sample_rate
    }
    pub fn block_len(&self) -> usize {
        self.cfg.block_len
    }
    /// The scene's tempo in cycles per second.
    pub fn cps(&self) -> f64 {
        self.cps
    }
    /// DSP threads actually in use.
    pub fn threads(&self) -> usize {
        self.world.resource::<DspPool>().threads()
    }
    pub fn transport(&self) -> &Transport {
        self.world.resource::<Transport>()
    }
    /// Voice pool accounting; `dropped` includes events the lookahead had to drop because one
    /// source queued more in one block than its ring holds.
    pub fn voice_stats(&self) -> VoiceStats {
        let mut s = *self.world.resource::<VoiceStats>();
        s.dropped += self._lookahead.as_ref().map_or(0, |l| l.dropped());
        s
    }

    /// The cycle up to which the lookahead thread has queried this engine's patterns (`None`
    /// without patterns: nothing to wait for).
    pub fn patterns_ready_until(&self) -> Option<f64> {
        self._lookahead.as_ref().map(|l| l.covered())
    }

    /// Frames the master limiter has turned down so far (0: the mix never reached 0 dBFS).
    pub fn limited_frames(&self) -> u64 {
        self.world.resource::<MasterLimiter>().limited_frames
    }

    /// Nodes whose output went NaN/Inf since the last call (each reported once per engine):
    /// `"lpf (bus '~x')"`. Their output was replaced by silence. Call between blocks, off the
    /// real-time path: it allocates.
    pub fn take_nan_reports(&mut self) -> Vec<String> {
        self.nan.take_new()
    }

    /// A NaN watch another thread can poll while this engine renders elsewhere (each watch
    /// reports a node once).
    pub fn nan_watch(&self) -> NanWatch {
        NanWatch { flags: self.nan.flags.clone(), names: self.nan.names.clone(), reported: vec![false; self.nan.names.len()] }
    }

    pub fn world(&self) -> &World {
        &self.world
    }
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }
    pub fn schedule_mut(&mut self) -> &mut Schedule {
        &mut self.schedule
    }
}
