//! `Engine`: a scene built into an ECS World plus the block schedule that renders it.

use crate::build::SampleSource;
use crate::error::Error;
use crate::handle::Handle;
use crate::scene::Scene;
use crate::swap::{Declick, SceneIndex, SwapPlan};
use bevy_ecs::component::Mutable;
use bevy_ecs::prelude::*;
use bevy_ecs::system::ScheduleSystem;
use phonon_components::{
    Active, BusName, Controls, DspState, MasterLimiter, NanFlags, Node, NodeKind, OutputBlock, Rational, Slot, Transport, Voice,
    VoiceState, VoiceStats,
};
use phonon_components::{EventSource, Instrument, SampleData, Trigger};
use phonon_systems::Hook;
use phonon_systems::dsp::PanicFlags;
use phonon_systems::{ControlSpec, DspPool, SourceSpec, WorldConfig, build_schedule, build_world, denormals};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How to run a scene.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Samples per second (44.1 kHz by default).
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

/// One scene built into a bevy_ecs `World` and the block `Schedule` that renders it: what an
/// [`Engine`] plays. Loading a scene builds a new player, which takes over from the old one
/// between two blocks ([`Player::take_over`]).
pub struct Player {
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
    /// The slots of the embedding program's event sources, in the order they were added.
    user_slots: Vec<Entity>,
    /// The extensions of the scene this one replaced, dropped with it (off the render thread).
    retired_ext: Option<Arc<Extensions>>,
}

/// The NaN/Inf flags and the panic flags of one engine's nodes with their names, readable from
/// any thread.
#[derive(Debug, Clone)]
pub struct NanWatch {
    flags: std::sync::Arc<[std::sync::atomic::AtomicBool]>,
    /// `"lpf (bus '~x')"` by node index.
    names: Vec<String>,
    reported: Vec<bool>,
    /// Nodes muted because their kernel (or a voice of their bus) panicked.
    panics: PanicFlags,
    panics_reported: Vec<bool>,
}

impl NanWatch {
    fn of(world: &mut World) -> NanWatch {
        let flags = world.resource::<NanFlags>().0.clone();
        let panics = world.resource::<PanicFlags>().clone();
        let names = node_names(world, flags.len());
        NanWatch { reported: vec![false; flags.len()], flags, panics_reported: vec![false; names.len()], names, panics }
    }

    /// The same flags, nothing reported yet.
    fn fresh(&self) -> NanWatch {
        NanWatch {
            flags: self.flags.clone(),
            names: self.names.clone(),
            reported: vec![false; self.names.len()],
            panics: self.panics.clone(),
            panics_reported: vec![false; self.names.len()],
        }
    }

    /// The nodes muted because they panicked since the last call, each with what it panicked
    /// with: `("moog (bus '~x')", "index out of bounds: …")`.
    pub fn take_new_panics(&mut self) -> Vec<(String, String)> {
        if !self.panics.any() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, done) in self.panics_reported.iter_mut().enumerate() {
            if !*done && let Some(msg) = self.panics.message(i) {
                *done = true;
                out.push((self.names[i].clone(), msg));
            }
        }
        out
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

/// A name for each node (by index) that a musician can find in the scene: a bus's root node
/// `"lpf (bus '~x')"`, an output `"output 'o1'"`, a node inside one `"moog in 'o2'"` (the first
/// bus or output, by name, that reaches it without crossing another), else `"saw (node #3)"`.
fn node_names(world: &mut World, len: usize) -> Vec<String> {
    let mut names = vec![String::new(); len];
    let mut roots: Vec<(String, Entity)> = world
        .query::<(Entity, &Node, &BusName)>()
        .iter(world)
        .map(|(e, n, b)| (if matches!(n.kind, NodeKind::Output { .. }) { b.0.clone() } else { format!("~{}", b.0) }, e))
        .collect();
    roots.sort();
    let mut claimed: std::collections::HashSet<Entity> = roots.iter().map(|&(_, e)| e).collect();
    for (root, top) in &roots {
        let mut stack = vec![*top];
        while let Some(e) = stack.pop() {
            let Some(node) = world.get::<Node>(e) else { continue };
            if let Some(slot) = names.get_mut(node.index as usize) {
                *slot = match (&node.kind, e == *top) {
                    (NodeKind::Output { .. }, true) => format!("output '{root}'"),
                    (kind, true) => format!("{} (bus '{root}')", kind.name()),
                    (kind, false) => format!("{} in '{root}'", kind.name()),
                };
            }
            if let Some(inputs) = world.get::<phonon_components::Inputs>(e) {
                for input in inputs.0.iter().rev() {
                    if claimed.insert(input.source) {
                        stack.push(input.source);
                    }
                }
            }
        }
    }
    for node in world.query::<&Node>().iter(world) {
        if let Some(slot) = names.get_mut(node.index as usize)
            && slot.is_empty()
        {
            *slot = format!("{} (node #{})", node.kind.name(), node.index);
        }
    }
    names
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

impl Player {
    /// Build the World and Schedule for `scene` (`file` names it in errors), loading the
    /// samples its patterns use from `samples`, with the embedding program's extensions. Its
    /// pattern queries start from the cycle `from()` returns, asked as late as possible (after
    /// the samples are loaded and the graph is built), so they are close to where the render
    /// thread will be when [`Player::take_over`] runs. Events before the block it starts on are
    /// skipped.
    pub(crate) fn build(
        scene: &Scene,
        file: &str,
        cfg: EngineConfig,
        samples: &dyn crate::build::SampleSource,
        from: impl FnOnce() -> Rational,
        ext: &Extensions,
    ) -> Result<Player, Error> {
        if !(1..=384_000).contains(&cfg.sample_rate) {
            return Err(Error::Usage(format!("sample rate must be 1…384000 Hz, got {}", cfg.sample_rate)));
        }
        if !(1..=65_536).contains(&cfg.block_len) {
            return Err(Error::Usage(format!("block size must be 1…65536 samples, got {}", cfg.block_len)));
        }
        if !(1..=256).contains(&cfg.threads) {
            return Err(Error::Usage(format!("threads must be 1…256, got {}", cfg.threads)));
        }
        let mut graph = crate::build::build_graph_seeded(scene, file, samples, cfg.sample_rate, &ext.sounds)?;
        // every event source the embedding program added gets a voice bus and an output
        let mut user_buses = Vec::with_capacity(ext.sources.len());
        for name in &ext.sources {
            let bus = graph.nodes.len();
            graph.nodes.push(phonon_systems::NodeSpec { kind: phonon_components::NodeKind::VoiceBus, inputs: vec![], name: None });
            let out = graph.nodes.len();
            graph.nodes.push(phonon_systems::NodeSpec {
                kind: phonon_components::NodeKind::Output { input: phonon_components::Param::Input(0) },
                inputs: vec![bus],
                name: Some(format!("source:{name}")),
            });
            graph.outputs.push(out);
            user_buses.push(bus);
        }
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
        let mut sources: Vec<SourceSpec> = sources;
        // the embedding program's sources are queried on the render thread (they promise not to
        // allocate); until a swap moves the real one in, each slot holds a silent stand-in
        sources.extend(user_buses.iter().map(|&target| SourceSpec { source: Box::new(Idle), target }));
        let mut world = build_world(graph.nodes, &graph.outputs, sources, controls, graph.bank, &wc)?;
        world.insert_resource(graph.programs);
        let offsets: std::collections::HashMap<u32, usize> =
            world.query::<(&Node, &Slot)>().iter(&world).map(|(n, s)| (n.index, s.offset)).collect();
        let mut externals: Vec<phonon_components::ExternalControl> = Vec::new();
        for (name, node, default) in graph.externals {
            let Some(&target) = offsets.get(&(node as u32)) else { continue };
            match externals.iter_mut().find(|c| c.name == name) {
                Some(c) => c.targets.push(target),
                None => {
                    externals.push(phonon_components::ExternalControl { name, value: default, default, set: false, targets: vec![target] })
                }
            }
        }
        world.insert_resource(phonon_components::Controls(externals));
        let user_targets: Vec<usize> = user_buses.iter().map(|b| offsets[&(*b as u32)]).collect();
        let mut user_slots = vec![Entity::PLACEHOLDER; user_targets.len()];
        for (e, slot) in world.query::<(Entity, &phonon_components::EventSourceSlot)>().iter(&world) {
            if let Some(i) = user_targets.iter().position(|&t| t == slot.target) {
                user_slots[i] = e;
            }
        }
        for r in &ext.resources {
            r.init(&mut world);
        }
        let mut schedule = build_schedule();
        for (hook, add) in &ext.systems {
            add(&mut schedule, *hook);
        }
        schedule.initialize(&mut world).map_err(|e| Error::Usage(format!("the block schedule does not build: {e}")))?;
        let active_voices = world.query_filtered();
        let mut free_voices: QueryState<Entity, (With<Voice>, Without<Active>)> = world.query_filtered();
        // register the bundle a hot swap inserts into a carried voice now, not on the render thread
        if let Some(e) = free_voices.iter(&world).next() {
            world.entity_mut(e).insert((Voice::default(), VoiceState::default(), Active)).remove::<Active>();
        }
        let free_scratch = Vec::with_capacity(cfg.voices);
        let nan = NanWatch::of(&mut world);
        Ok(Player {
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
            user_slots,
            retired_ext: None,
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
    pub fn take_over(&mut self, old: &mut Player, plan: &SwapPlan) -> SwapReport {
        let mut report = SwapReport::default();
        self.continue_clock(old);
        if !plan.identical {
            let fade = (crate::swap::DECLICK_S * self.cfg.sample_rate as f64).ceil() as u32;
            self.declick = Declick::start(&old.world.resource::<OutputBlock>().0, fade);
        }
        {
            let old_controls = old.world.resource::<Controls>();
            self.world.resource_mut::<Controls>().carry_from(old_controls);
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
    fn continue_clock(&mut self, old: &Player) {
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

    /// Move node `e_old`'s state here into `e_new` if they are the same kind, width and shape,
    /// and the old node did not panic (a kernel that unwound may have left its state half
    /// updated: the new node starts fresh instead).
    fn adopt_state(&mut self, old: &mut Player, e_old: Entity, e_new: Entity) -> bool {
        if old.world.get::<Node>(e_old).is_some_and(|n| old.world.resource::<PanicFlags>().is_muted(n.index as usize)) {
            return false;
        }
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
    fn adopt_voices(&mut self, old: &mut Player, plan: &SwapPlan) -> (usize, usize) {
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

    /// The configuration this player runs with.
    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }
    /// Samples per second.
    pub fn sample_rate(&self) -> u32 {
        self.cfg.sample_rate
    }
    /// Samples per block (per channel).
    pub fn block_len(&self) -> usize {
        self.cfg.block_len
    }
    /// The scene's tempo in cycles per second.
    pub fn cps(&self) -> f64 {
        self.cps
    }

    /// Change the tempo from the next block on (`cps` is `exact` as a float); the cycle
    /// position does not jump. Allocation-free.
    pub fn set_cps(&mut self, exact: Rational, cps: f64) {
        let mut t = self.world.resource_mut::<Transport>();
        let next = t.block_index * t.block_len as u64;
        if let Ok(cycle) = t.cycle_at(next) {
            t.origin_sample = next;
            t.origin_cycle = cycle;
            t.cps = exact;
            self.cps = cps;
        }
    }
    /// DSP threads actually in use.
    pub fn threads(&self) -> usize {
        self.world.resource::<DspPool>().threads()
    }
    /// The clock: sample position and the last block's exact cycle arc.
    pub fn transport(&self) -> &Transport {
        self.world.resource::<Transport>()
    }
    /// Voice pool accounting; `dropped` includes the events the lookahead dropped
    /// ([`Player::events_dropped`]).
    pub fn voice_stats(&self) -> VoiceStats {
        let mut s = *self.world.resource::<VoiceStats>();
        s.dropped += self._lookahead.as_ref().map_or(0, |l| l.dropped());
        s
    }

    /// Events (triggers and control changes) the lookahead thread dropped before they reached
    /// the render thread: more than [`crate::lookahead::MAX_EVENTS_PER_WINDOW`] from one
    /// pattern in one window (an event flood, with a warning), or more than a ring holds in one
    /// block.
    pub fn events_dropped(&self) -> u64 {
        self._lookahead.as_ref().map_or(0, |l| l.dropped())
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
        self.nan.fresh()
    }

    /// Nodes muted since the last call because their kernel — or, for a voice bus, one of its
    /// voices — panicked, each reported once per engine with the panic's message:
    /// `("moog (bus '~x')", "…")`. A muted node outputs silence from the block it panicked in
    /// on; the rest of the scene plays on. Call between blocks, off the real-time path: it
    /// allocates.
    pub fn take_panic_reports(&mut self) -> Vec<(String, String)> {
        self.nan.take_new_panics()
    }

    /// This scene's World.
    pub fn world(&self) -> &World {
        &self.world
    }
    /// This scene's World, mutably.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }
    /// This scene's block schedule.
    pub fn schedule_mut(&mut self) -> &mut Schedule {
        &mut self.schedule
    }
}

/// A stand-in event source that plays nothing: fills an embedding program's source slot in a
/// new scene until a swap moves the real source in (a zero-sized box: no allocation).
struct Idle;
impl EventSource for Idle {
    fn query(&mut self, _: Rational, _: Rational, _: &mut Vec<Trigger>) {}
}

/// Adds one of the embedding program's systems to a new scene's schedule at its hook.
type AddSystems = Arc<dyn Fn(&mut Schedule, Hook) + Send + Sync>;

/// A resource of the embedding program that lives on across scene loads.
pub(crate) trait Carried: Send + Sync {
    /// Put the resource's initial value into a new scene's World.
    fn init(&self, world: &mut World);
    /// Move the live value from `old` into `new` (a swap): allocation-free.
    fn carry(&self, old: &mut World, new: &mut World);
}

struct CarriedResource<R>(R);

impl<R: Resource + Component<Mutability = Mutable> + Clone> Carried for CarriedResource<R> {
    fn init(&self, world: &mut World) {
        world.insert_resource(self.0.clone());
    }
    fn carry(&self, old: &mut World, new: &mut World) {
        if let (Some(mut a), Some(mut b)) = (old.get_resource_mut::<R>(), new.get_resource_mut::<R>()) {
            std::mem::swap(&mut *a, &mut *b);
        }
    }
}

/// What the embedding program added to every scene: systems, resources, event sources and
/// sounds. Append-only; each addition makes a new version.
#[derive(Clone, Default)]
pub(crate) struct Extensions {
    pub(crate) version: u64,
    pub(crate) systems: Vec<(Hook, AddSystems)>,
    pub(crate) resources: Vec<Arc<dyn Carried>>,
    /// Event sources by name; each gets a voice bus and an output `source:NAME`.
    pub(crate) sources: Vec<String>,
    /// Samples at fixed handles `0..sounds.len()` of every scene's bank.
    pub(crate) sounds: Vec<Arc<SampleData>>,
    pub(crate) sound_names: Vec<String>,
}

/// What an [`Engine`] shares with its [`Handle`]s.
pub(crate) struct Core {
    pub(crate) cfg: EngineConfig,
    samples: std::sync::OnceLock<Arc<dyn SampleSource + Send + Sync>>,
    /// The extensions new scenes are built with (locked only while loading or adding).
    pub(crate) ext: Mutex<Arc<Extensions>>,
    /// The scene loaded last (playing, or on its way to the render thread).
    pub(crate) last: Mutex<Loaded>,
    /// The cycle at the end of the last rendered block, and the tempo then (f64 bits).
    pub(crate) cycle: AtomicU64,
    pub(crate) cps: AtomicU64,
    /// Scenes swapped in from handles, and handle loads dropped because the engine's extensions
    /// changed while they were built.
    pub(crate) swaps: AtomicU64,
    pub(crate) stale: AtomicU64,
}

/// The last scene loaded, to plan the next swap against.
pub(crate) struct Loaded {
    pub(crate) scene: Arc<Scene>,
    pub(crate) index: SceneIndex,
}

impl Core {
    pub(crate) fn samples(&self) -> Arc<dyn SampleSource + Send + Sync> {
        self.samples.get_or_init(|| Arc::new(crate::samples::SampleLibrary::discover(&self.cfg.sample_dirs))).clone()
    }

    pub(crate) fn extensions(&self) -> Arc<Extensions> {
        lock(&self.ext).clone()
    }

    /// Build `scene` into a player that will take over from the one playing, and plan the swap.
    pub(crate) fn prepare(&self, scene: &Scene, file: &str, cold: bool) -> Result<(Box<Player>, SwapPlan, Arc<Extensions>), Error> {
        let ext = self.extensions();
        let samples = self.samples();
        let cycle = f64::from_bits(self.cycle.load(Ordering::Acquire));
        let mut player = Player::build(scene, file, self.cfg.clone(), &*samples, || crate::live::control::query_start(cycle), &ext)?;
        let index = SceneIndex::of_world(player.world_mut());
        let mut last = lock(&self.last);
        let mut plan = if cold || scene.outputs.is_empty() { SwapPlan::cold() } else { SwapPlan::new(&last.index, &index) };
        plan.identical = !cold && *scene == *last.scene;
        *last = Loaded { scene: Arc::new(scene.clone()), index };
        Ok((Box::new(player), plan, ext))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The engine: plays one scene at a time through the block pipeline, loads the next one without
/// a click, and lets the program that embeds it into its ECS World.
///
/// - Make it with [`Engine::new`] (silent), then [`Engine::load`] a [`Scene`] (or
///   [`Engine::load_file`], [`Engine::load_str`]); each load takes over from the scene before at
///   the next block: clock, node state and sounding voices carry over.
/// - Pull audio with [`Engine::render`] (interleaved stereo, any length) or one block at a time
///   with [`Engine::process_block`].
/// - Extend it: [`Engine::add_systems`] at a [`Hook`] of the pipeline,
///   [`Engine::insert_resource`], [`Engine::add_source`] (your own [`EventSource`]), and reach the
///   World with [`Engine::world`] / [`Engine::world_mut`]. Additions live on across loads.
/// - Control it from another thread through a [`Handle`] ([`Engine::handle`]).
///
/// ```
/// use phonon::{Engine, EngineConfig};
/// let mut engine = Engine::new(EngineConfig { threads: 1, ..EngineConfig::default() })?;
/// engine.load_str("out: sine 440 * 0.5")?;
/// let mut buffer = vec![0.0f32; 2 * 1000]; // 1000 stereo frames
/// engine.render(&mut buffer);
/// let peak = buffer.iter().fold(0.0f32, |m, x| m.max(x.abs()));
/// assert!((peak - 0.5).abs() < 0.01);
/// # Ok::<(), phonon::Error>(())
/// ```
pub struct Engine {
    player: Box<Player>,
    core: Arc<Core>,
    /// The extensions `player` was built with.
    ext: Arc<Extensions>,
    /// The render side of the handles' rings, made by the first [`Engine::handle`].
    inbox: Option<crate::handle::Inbox>,
    /// Samples of the current block [`Engine::render`] has handed out.
    pos: usize,
}

impl Engine {
    /// A silent engine with `cfg`: load a scene into it ([`Engine::load`]). Samples come from
    /// the sample library's search path (`cfg.sample_dirs` first, then `PHONON_SAMPLES`,
    /// `./samples`, `~/phonon/samples`, `~/.local/share/phonon/samples`, the built-in kit),
    /// found when a scene first uses one.
    ///
    /// Errors: a sample rate outside 1…384000 Hz, a block outside 1…65536 samples, threads
    /// outside 1…256, or a thread that cannot start.
    ///
    /// ```
    /// let engine = phonon::Engine::new(phonon::EngineConfig { sample_rate: 48_000, ..Default::default() })?;
    /// assert_eq!(engine.sample_rate(), 48_000);
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn new(cfg: EngineConfig) -> Result<Engine, Error> {
        Engine::make(cfg, None)
    }

    /// Like [`Engine::new`], with the samples coming from `samples` (your own [`SampleSource`],
    /// or a [`crate::samples::SampleLibrary`] you made).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let engine = phonon::Engine::with_library(Default::default(), Arc::new(phonon::build::NoSamples))?;
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn with_library(cfg: EngineConfig, samples: Arc<dyn SampleSource + Send + Sync>) -> Result<Engine, Error> {
        Engine::make(cfg, Some(samples))
    }

    fn make(cfg: EngineConfig, samples: Option<Arc<dyn SampleSource + Send + Sync>>) -> Result<Engine, Error> {
        let scene = Scene { outputs: Default::default(), buses: Default::default(), ..Scene::default() };
        let ext = Arc::new(Extensions::default());
        let mut player = Player::build(&scene, "(silence)", cfg.clone(), &crate::build::NoSamples, || Rational::ZERO, &ext)?;
        let index = SceneIndex::of_world(player.world_mut());
        let core = Core {
            cfg,
            samples: std::sync::OnceLock::new(),
            ext: Mutex::new(ext.clone()),
            last: Mutex::new(Loaded { scene: Arc::new(scene), index }),
            cycle: AtomicU64::new(0f64.to_bits()),
            cps: AtomicU64::new(player.cps().to_bits()),
            swaps: AtomicU64::new(0),
            stale: AtomicU64::new(0),
        };
        if let Some(s) = samples {
            let _ = core.samples.set(s);
        }
        Ok(Engine { player: Box::new(player), core: Arc::new(core), ext, inbox: None, pos: usize::MAX })
    }

    /// An engine playing `scene` (`file` names it in errors), with samples from the library's
    /// search path. The same as [`Engine::new`] then [`Engine::load`], starting at cycle 0.
    ///
    /// ```
    /// let scene = phonon::Scene::load("assets/demo.ron".as_ref())?;
    /// let mut engine = phonon::Engine::from_scene(&scene, "assets/demo.ron", Default::default())?;
    /// assert_eq!(engine.process_block().len(), 2 * engine.block_len());
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn from_scene(scene: &Scene, file: &str, cfg: EngineConfig) -> Result<Engine, Error> {
        let library = crate::samples::SampleLibrary::discover(&cfg.sample_dirs);
        Engine::with_samples(scene, file, cfg, &library)
    }

    /// Like [`Engine::from_scene`], loading the samples the scene's patterns use from `samples`.
    pub fn with_samples(scene: &Scene, file: &str, cfg: EngineConfig, samples: &dyn SampleSource) -> Result<Engine, Error> {
        Engine::starting_at(scene, file, cfg, samples, || Rational::ZERO)
    }

    /// Like [`Engine::with_samples`], for an engine that will take over a running one
    /// ([`Engine::take_over`]): its pattern queries start from the cycle `from()` returns, asked
    /// as late as possible (after the samples are loaded and the graph is built). Events
    /// before the block it starts on are skipped.
    pub fn starting_at(
        scene: &Scene,
        file: &str,
        cfg: EngineConfig,
        samples: &dyn SampleSource,
        from: impl FnOnce() -> Rational,
    ) -> Result<Engine, Error> {
        let ext = Arc::new(Extensions::default());
        let mut player = Player::build(scene, file, cfg.clone(), samples, from, &ext)?;
        let index = SceneIndex::of_world(player.world_mut());
        let core = Core {
            cfg,
            samples: std::sync::OnceLock::new(),
            ext: Mutex::new(ext.clone()),
            last: Mutex::new(Loaded { scene: Arc::new(scene.clone()), index }),
            cycle: AtomicU64::new(0f64.to_bits()),
            cps: AtomicU64::new(player.cps().to_bits()),
            swaps: AtomicU64::new(0),
            stale: AtomicU64::new(0),
        };
        Ok(Engine { player: Box::new(player), core: Arc::new(core), ext, inbox: None, pos: usize::MAX })
    }

    /// Load `scene` (`file` names it in errors), replacing the scene playing from the next
    /// block: the clock continues, nodes whose bus, kind and shape are unchanged keep their
    /// state, sounding voices ring out, and the step between the two is bridged (no click).
    /// On error nothing changes: the old scene plays on.
    ///
    /// Builds a World on the calling thread (it allocates and may take milliseconds): a
    /// real-time audio thread should load through a [`Handle`] instead.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(phonon::EngineConfig { threads: 1, ..Default::default() })?;
    /// let scene = phonon::Scene::from_ph("out: saw 110 # lpf 800 0.7", "mine.ph")?;
    /// engine.load_named(&scene, "mine.ph")?;
    /// assert!(engine.load_str("out: saw 110 # lpff 800").is_err()); // a typo: still plays the saw
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn load_named(&mut self, scene: &Scene, file: &str) -> Result<SwapReport, Error> {
        let (mut player, plan, ext) = self.core.prepare(scene, file, false)?;
        let report = self.swap_in(&mut player, &plan, ext);
        drop(player); // the old scene, dropped here: this is not the render path
        Ok(report)
    }

    /// [`Engine::load_named`] with the scene named `scene` in errors.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.load(&phonon::Scene::from_ph("out: sine 220 * 0.2", "a.ph")?)?;
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn load(&mut self, scene: &Scene) -> Result<SwapReport, Error> {
        self.load_named(scene, "scene")
    }

    /// Load a scene file: `.ph` (the language) or `.ron` (a [`Scene`] as data). Errors name
    /// the file, line and column; the old scene keeps playing.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(phonon::EngineConfig { threads: 1, ..Default::default() })?;
    /// engine.load_file("assets/demo.ph")?;
    /// assert!(engine.load_file("no/such/file.ph").is_err());
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn load_file(&mut self, path: impl AsRef<std::path::Path>) -> Result<SwapReport, Error> {
        let path = path.as_ref();
        let scene = Scene::load(path)?;
        self.load_named(&scene, &path.display().to_string())
    }

    /// Load `.ph` text (see docs/LANGUAGE.md); errors are placed in `<text>:line:col`.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.load_str("tempo: 0.5\nout: s \"bd*2 [~ bd] bd\" * 0.8")?;
    /// let err = engine.load_str("out: saw 55 # lpf (").unwrap_err();
    /// assert!(err.to_string().contains("<text>:1:"));
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn load_str(&mut self, text: &str) -> Result<SwapReport, Error> {
        let scene = Scene::from_ph(text, "<text>")?;
        self.load_named(&scene, "<text>")
    }

    /// Silence: swap to an empty scene, carrying nothing but the clock and the tempo (tails
    /// stop, through the 5 ms bridge). Event sources added with [`Engine::add_source`] keep
    /// playing.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.load_str("out: saw 110 # delay 0.3 0.7 0.5 * 0.3")?;
    /// engine.process_block();
    /// engine.hush()?;
    /// engine.process_block(); // the bridge: 5 ms from the last sample to silence
    /// assert!(engine.process_block().iter().all(|&x| x == 0.0)); // the echo tail is gone too
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn hush(&mut self) -> Result<(), Error> {
        let (mut player, plan, ext) = self.core.prepare(&Scene::default(), "hush", true)?;
        let tempo = (self.transport().cps, self.cps());
        self.swap_in(&mut player, &plan, ext);
        self.player.set_cps(tempo.0, tempo.1);
        Ok(())
    }

    /// Change the tempo from the next block on, in cycles per second (0 < cps ≤ 1000); the
    /// cycle position does not jump.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.set_cps(0.75)?;
    /// assert_eq!(engine.cps(), 0.75);
    /// assert!(engine.set_cps(0.0).is_err());
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn set_cps(&mut self, cps: f64) -> Result<(), Error> {
        let exact = exact_cps(cps)?;
        self.player.set_cps(exact, cps);
        Ok(())
    }

    /// Put `player` in, take over from the one playing (left in `player`), and move the
    /// embedding program's sources and resources across. Allocation-free.
    pub(crate) fn swap_in(&mut self, player: &mut Box<Player>, plan: &SwapPlan, ext: Arc<Extensions>) -> SwapReport {
        std::mem::swap(&mut self.player, player);
        let report = self.player.take_over(player, plan);
        let (new, old) = (&mut self.player, player);
        for (&a, &b) in old.user_slots.iter().zip(&new.user_slots) {
            if let (Some(mut sa), Some(mut sb)) =
                (old.world.get_mut::<phonon_components::EventSourceSlot>(a), new.world.get_mut::<phonon_components::EventSourceSlot>(b))
            {
                std::mem::swap(&mut sa.source, &mut sb.source);
            }
        }
        for r in &ext.resources {
            r.carry(&mut old.world, &mut new.world);
        }
        // the old Arc goes where the old player goes (dropping it here could free it)
        let old_ext = std::mem::replace(&mut self.ext, ext);
        old.retired_ext = Some(old_ext);
        report
    }

    /// Fill `out` with interleaved stereo samples (left, right, left, …), rendering blocks as
    /// needed: any length, the engine keeps its own block size and hands out the rest of a
    /// block on the next call (an odd length splits a frame across calls, the stream stays
    /// continuous).
    ///
    /// Real-time contract: allocates nothing after the first block (a scene loaded with
    /// [`Engine::load`] allocates in its first blocks; one from a [`Handle`] only in bevy's
    /// first-use queues, see the crate docs).
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(phonon::EngineConfig { threads: 1, block_len: 512, ..Default::default() })?;
    /// engine.load_str("out: square 100 * 0.25")?;
    /// let mut a = vec![0.0; 300];
    /// let mut b = vec![0.0; 1700];
    /// engine.render(&mut a); // 150 frames
    /// engine.render(&mut b); // the next 850: no gap, no repeat
    /// assert!(a.iter().chain(&b).all(|x| x.abs() <= 0.26));
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn render(&mut self, out: &mut [f32]) {
        let mut written = 0;
        while written < out.len() {
            let block_samples = 2 * self.player.cfg.block_len;
            if self.pos >= block_samples {
                self.process_block();
                self.pos = 0;
            }
            let block = &self.player.world.resource::<OutputBlock>().0;
            let n = (block_samples - self.pos).min(out.len() - written);
            out[written..written + n].copy_from_slice(&block[self.pos..self.pos + n]);
            self.pos += n;
            written += n;
        }
    }

    /// Render one block; returns it interleaved stereo (`2 × block_len` floats). Applies what
    /// handles sent first (a new scene, a tempo, a hush).
    ///
    /// Real-time contract: after the first call, this allocates nothing.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(phonon::EngineConfig { block_len: 64, ..Default::default() })?;
    /// assert_eq!(engine.process_block().len(), 128);
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn process_block(&mut self) -> &[f32] {
        if self.inbox.is_some() {
            crate::handle::apply_inbox(self);
        }
        self.pos = usize::MAX;
        self.player.process_block();
        let cycle = self.player.transport().arc.1.to_f64();
        self.core.cycle.store(cycle.to_bits(), Ordering::Release);
        self.core.cps.store(self.player.cps().to_bits(), Ordering::Release);
        &self.player.world.resource::<OutputBlock>().0
    }

    /// Take over from `old` between two blocks, as [`SwapPlan`] says (see [`crate::swap`] and
    /// [`Player::take_over`]). Real-time contract: allocates nothing.
    pub fn take_over(&mut self, old: &mut Engine, plan: &SwapPlan) -> SwapReport {
        self.player.take_over(&mut old.player, plan)
    }

    /// Add `systems` to the block pipeline at `hook`, in this scene and every scene loaded
    /// after it. A system is any bevy system: a function whose parameters are `Res`, `ResMut`,
    /// `Query`, [`phonon_systems::OutputBuffers`], `Local` …, or a tuple of them. They must be
    /// `Clone` (every new scene gets a fresh copy, its `Local`s start afresh); for `.chain()`ed
    /// or otherwise configured systems use [`Engine::add_systems_with`].
    ///
    /// Systems run on the render thread inside the block: to keep the real-time contract, they
    /// must not allocate, lock or do I/O in steady state.
    ///
    /// ```
    /// use bevy_ecs::prelude::*;
    /// use phonon::{Engine, Hook, phonon_systems::OutputBuffers};
    ///
    /// #[derive(Resource, Clone, Default)]
    /// struct Peak(f32);
    ///
    /// fn meter(outputs: OutputBuffers, mut peak: ResMut<Peak>) {
    ///     for o in outputs.iter() {
    ///         peak.0 = o.left().iter().fold(peak.0, |m, x| m.max(x.abs()));
    ///     }
    /// }
    ///
    /// let mut engine = Engine::new(phonon::EngineConfig { threads: 1, ..Default::default() })?;
    /// engine.insert_resource(Peak(0.0));
    /// engine.add_systems(Hook::AfterDsp, meter);
    /// engine.load_str("out: sine 440 * 0.3")?;
    /// engine.process_block();
    /// assert!((engine.world().resource::<Peak>().0 - 0.3).abs() < 0.01);
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn add_systems<M: 'static>(
        &mut self,
        hook: Hook,
        systems: impl IntoScheduleConfigs<ScheduleSystem, M> + Clone + Send + Sync + 'static,
    ) -> &mut Engine {
        let add: AddSystems = Arc::new(move |schedule: &mut Schedule, hook: Hook| {
            schedule.add_systems(systems.clone().in_set(hook));
        });
        add(&mut self.player.schedule, hook);
        self.extend(|ext| ext.systems.push((hook, add)));
        self
    }

    /// Like [`Engine::add_systems`], for systems that are not `Clone` (a chained tuple, say):
    /// `make` makes them afresh for every scene.
    ///
    /// ```
    /// use bevy_ecs::prelude::*;
    /// fn first() {}
    /// fn second() {}
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.add_systems_with(phonon::Hook::BeforeDsp, || (first, second).chain());
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn add_systems_with<M: 'static, C: IntoScheduleConfigs<ScheduleSystem, M>>(
        &mut self,
        hook: Hook,
        make: impl Fn() -> C + Send + Sync + 'static,
    ) -> &mut Engine {
        let add: AddSystems = Arc::new(move |schedule: &mut Schedule, hook: Hook| {
            schedule.add_systems(make().in_set(hook));
        });
        add(&mut self.player.schedule, hook);
        self.extend(|ext| ext.systems.push((hook, add)));
        self
    }

    /// Insert a resource into the World, kept across scene loads: each new scene's World starts
    /// with a clone of `value`, and when it takes over it takes the live value (swapped, not
    /// cloned, allocation-free). Your systems read it with `Res<R>` / `ResMut<R>`.
    ///
    /// ```
    /// # use bevy_ecs::prelude::*;
    /// #[derive(Resource, Clone)]
    /// struct Game { speed: f32 }
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.insert_resource(Game { speed: 1.0 });
    /// engine.world_mut().resource_mut::<Game>().speed = 3.0;
    /// engine.load_str("out: sine 100")?;
    /// assert_eq!(engine.world().resource::<Game>().speed, 3.0); // carried into the new scene
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn insert_resource<R: Resource + Component<Mutability = Mutable> + Clone>(&mut self, value: R) -> &mut Engine {
        self.player.world.insert_resource(value.clone());
        let carried: Arc<dyn Carried> = Arc::new(CarriedResource(value));
        self.extend(|ext| ext.resources.push(carried));
        self
    }

    /// Add an event source of your own under `name`: its triggers start voices from the same
    /// pool, rendered the same way, as pattern events, mixed into an output of their own
    /// (`source:NAME`, for meters). It is queried on the render thread once per block with the
    /// block's cycle arc, and must not allocate there once its output list has grown. It lives
    /// on across scene loads. Play samples with the [`Instrument`] from [`Engine::sound`].
    ///
    /// Rebuilds the scene playing (its state carries over) on the calling thread.
    ///
    /// ```
    /// use phonon::{Engine, Rational, Trigger, Instrument, EventSource};
    /// /// One 440 Hz tone at the start of every cycle.
    /// struct Beep;
    /// impl EventSource for Beep {
    ///     fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<Trigger>) {
    ///         let first = Rational::integer(begin.ceil());
    ///         if first < end {
    ///             out.push(Trigger { onset: first, duration: Rational::new(1, 8), instrument: Instrument::Tone, freq: 440.0, gain: 0.5, ..Trigger::default() });
    ///         }
    ///     }
    /// }
    /// let mut engine = Engine::new(phonon::EngineConfig { threads: 1, ..Default::default() })?;
    /// engine.add_source("beep", Beep)?;
    /// let mut buf = vec![0.0; 2 * 4410];
    /// engine.render(&mut buf);
    /// assert!(buf.iter().any(|x| x.abs() > 0.1));
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn add_source(&mut self, name: &str, source: impl EventSource) -> Result<&mut Engine, Error> {
        let name = name.to_string();
        if self.ext.sources.contains(&name) {
            return Err(Error::Usage(format!("an event source named '{name}' was already added")));
        }
        self.extend(|ext| ext.sources.push(name.clone()));
        self.reload()?;
        let Some(&slot) = self.player.user_slots.last() else {
            return Err(Error::Usage(format!("event source '{name}' got no slot")));
        };
        if let Some(mut s) = self.player.world.get_mut::<phonon_components::EventSourceSlot>(slot) {
            s.source = Box::new(source);
        }
        Ok(self)
    }

    /// The instrument that plays sample `name` (`"bd"`, or `"bd:3"` for the fourth file of
    /// `bd`, wrapping around as in Tidal) or, with no sample of that name, the drum synth of
    /// that name (`"superkick"`) — for your [`EventSource`]'s triggers. The sample is loaded
    /// now, at the engine's sample rate, and keeps its handle in every scene loaded later.
    /// Rebuilds the scene playing when the sample is new.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// let kick = engine.sound("superkick")?;
    /// assert!(matches!(kick, phonon::Instrument::Drum(_)));
    /// assert!(engine.sound("no-such-sound").is_err());
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn sound(&mut self, name: &str) -> Result<Instrument, Error> {
        let (base, index) = match name.split_once(':') {
            Some((b, i)) => (b, i.parse::<i64>().map_err(|_| Error::Usage(format!("'{name}': the part after ':' must be a number")))?),
            None => (name, 0),
        };
        let key = format!("{base}:{index}");
        if let Some(h) = self.ext.sound_names.iter().position(|n| *n == key) {
            return Ok(Instrument::Sample(h as u32));
        }
        let samples = self.core.samples();
        let data = if samples.count(base) > 0 { samples.load(base, index, self.player.cfg.sample_rate) } else { None };
        let Some(data) = data else {
            if let Some(kind) = phonon_components::DrumKind::from_name(base) {
                return Ok(Instrument::Drum(kind));
            }
            let hint = crate::error::did_you_mean(base, samples.names().iter().map(|s| s.as_str()));
            return Err(Error::Usage(format!("no sample or drum named '{base}'{hint}")));
        };
        let handle = self.ext.sounds.len() as u32;
        self.extend(|ext| {
            ext.sounds.push(data.clone());
            ext.sound_names.push(key.clone());
        });
        self.reload()?;
        Ok(Instrument::Sample(handle))
    }

    /// Record an addition to the extensions: a new version, which scenes built from now on
    /// get. The playing scene is already up to date (the caller added the system or resource
    /// to it, or rebuilds it).
    fn extend(&mut self, f: impl FnOnce(&mut Extensions)) {
        let mut guard = lock(&self.core.ext);
        let mut ext = (**guard).clone();
        f(&mut ext);
        ext.version += 1;
        let ext = Arc::new(ext);
        *guard = ext.clone();
        drop(guard);
        self.ext = ext;
    }

    /// Rebuild the scene loaded last with the current extensions, taking over from the one
    /// playing.
    fn reload(&mut self) -> Result<(), Error> {
        // the scene as it plays now: at the tempo it has now
        let scene = Scene { cps: self.cps(), ..(*lock(&self.core.last).scene).clone() };
        let (mut player, mut plan, ext) = self.core.prepare(&scene, "scene", false)?;
        plan.identical = false;
        self.swap_in(&mut player, &plan, ext);
        Ok(())
    }

    /// The World of the scene playing: its entities (nodes, voices, event sources), resources
    /// (`Transport`, `Arena`, `Controls`, yours …). A new scene comes with a new World: keep
    /// what must last in resources added with [`Engine::insert_resource`].
    ///
    /// ```
    /// use phonon::components::{Node, NodeKind, VoiceStats};
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.load_str("out: saw 110 # lpf 800 0.7 + s \"bd\"")?;
    /// let world = engine.world_mut();
    /// let filters = world.query::<&Node>().iter(world).filter(|n| matches!(n.kind, NodeKind::Filter { .. })).count();
    /// assert_eq!(filters, 1);
    /// assert_eq!(world.resource::<VoiceStats>().capacity, 1024);
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn world(&self) -> &World {
        &self.player.world
    }
    /// The World of the scene playing, mutably (see [`Engine::world`]).
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.player.world
    }
    /// The block schedule of the scene playing (prefer [`Engine::add_systems`], which lasts
    /// across loads).
    pub fn schedule_mut(&mut self) -> &mut Schedule {
        &mut self.player.schedule
    }

    /// Set the scene's control `name` (`cF default "name"` in `.ph`) to `value` from the next
    /// block on; false if the scene has none of that name. Kept across loads. From a system,
    /// write `ResMut<Controls>` instead.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// engine.load_str("out: saw 110 # lpf (cF 1000 \"cutoff\") 0.7")?;
    /// assert!(engine.set_control("cutoff", 400.0));
    /// assert_eq!(engine.controls().get("cutoff"), Some(400.0));
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn set_control(&mut self, name: &str, value: f32) -> bool {
        self.player.world.resource_mut::<Controls>().set(name, value)
    }
    /// The scene's named controls and their values.
    pub fn controls(&self) -> &Controls {
        self.player.world.resource::<Controls>()
    }

    /// A handle for controlling this engine from other threads: load scenes, change tempo,
    /// hush. The handle builds new scenes on its own thread; the engine swaps them in at its
    /// next block, lock-free. Replaced scenes are dropped on a thread of the engine's, never
    /// where the engine renders. Every call returns a handle to the same inbox.
    ///
    /// ```
    /// let mut engine = phonon::Engine::new(Default::default())?;
    /// let handle = engine.handle();
    /// handle.load_file("assets/demo.ph")?; // built here, played from the engine's next block
    /// assert_eq!(handle.swaps(), 0);
    /// engine.process_block();
    /// assert_eq!(handle.swaps(), 1);
    /// # Ok::<(), phonon::Error>(())
    /// ```
    pub fn handle(&mut self) -> Handle {
        crate::handle::handle(self)
    }

    pub(crate) fn core(&self) -> &Arc<Core> {
        &self.core
    }
    pub(crate) fn inbox_mut(&mut self) -> &mut Option<crate::handle::Inbox> {
        &mut self.inbox
    }
    pub(crate) fn set_cps_exact(&mut self, exact: Rational, cps: f64) {
        self.player.set_cps(exact, cps);
    }
    pub(crate) fn current_ext(&self) -> &Arc<Extensions> {
        &self.ext
    }

    /// The configuration this engine runs with.
    pub fn config(&self) -> &EngineConfig {
        &self.player.cfg
    }
    /// Samples per second.
    pub fn sample_rate(&self) -> u32 {
        self.player.cfg.sample_rate
    }
    /// Samples per block (per channel).
    pub fn block_len(&self) -> usize {
        self.player.cfg.block_len
    }
    /// The tempo in cycles per second.
    pub fn cps(&self) -> f64 {
        self.player.cps()
    }
    /// DSP threads actually in use.
    pub fn threads(&self) -> usize {
        self.player.threads()
    }
    /// The clock: sample position and the last block's exact cycle arc.
    pub fn transport(&self) -> &Transport {
        self.player.transport()
    }
    /// Voice pool accounting (see [`Player::voice_stats`]).
    pub fn voice_stats(&self) -> VoiceStats {
        self.player.voice_stats()
    }
    /// The cycle up to which patterns have been queried ahead (`None` without patterns).
    pub fn patterns_ready_until(&self) -> Option<f64> {
        self.player.patterns_ready_until()
    }
    /// Events the lookahead dropped (see [`Player::events_dropped`]).
    pub fn events_dropped(&self) -> u64 {
        self.player.events_dropped()
    }
    /// Frames the master limiter has turned down so far.
    pub fn limited_frames(&self) -> u64 {
        self.player.limited_frames()
    }
    /// Nodes whose output went NaN/Inf since the last call (see [`Player::take_nan_reports`]).
    pub fn take_nan_reports(&mut self) -> Vec<String> {
        self.player.take_nan_reports()
    }
    /// A NaN watch another thread can poll (see [`Player::nan_watch`]).
    pub fn nan_watch(&self) -> NanWatch {
        self.player.nan_watch()
    }
    /// Nodes muted because they panicked, since the last call (see
    /// [`Player::take_panic_reports`]).
    pub fn take_panic_reports(&mut self) -> Vec<(String, String)> {
        self.player.take_panic_reports()
    }
    /// The player of the scene playing.
    pub fn player(&self) -> &Player {
        &self.player
    }
}

/// `cps` as an exact rational, if it is a usable tempo.
pub(crate) fn exact_cps(cps: f64) -> Result<Rational, Error> {
    Rational::approximate(cps, 100_000)
        .filter(|c| *c > Rational::ZERO && cps <= crate::build::MAX_CPS)
        .ok_or_else(|| Error::Usage(format!("cps must be a positive number up to {}, got {cps}", crate::build::MAX_CPS)))
}
