//! # phonon-systems — what Phonon does each block
//!
//! Each block, the render loop runs one [`Schedule`] (single-threaded executor, owned by the
//! engine) whose systems are chained in six phases ([`Phase`]):
//!
//! 1. [`transport::transport`] — advance the clock: block counter → the exact cycle arc
//!    `[c0, c1)` of this block, computed from the integer sample count.
//! 2. [`events::schedule_events`] — query every event source over `[c0, c1)`; start a pooled voice
//!    for every trigger, at its exact sample inside the block.
//! 3. [`voices::render_voices`] — clear the voice buses, render every active voice into its bus
//!    (oscillators, samples, voice [`program`]s, [`drums`]).
//! 4. [`dsp::dsp`] — run node kernels stage by stage, in parallel within a stage (rayon).
//! 5. [`mix::mix`] — sum the output nodes into the interleaved stereo block.
//! 6. [`feedback::feedback`] — swap the arena with the previous-block arena, which feedback
//!    edges read next block.
//!
//! Graph compilation ([`mod@compile`]) and World construction ([`build_world`]) happen when the
//! scene changes, never per block. Real-time contract: after the first block, running the
//! schedule allocates nothing (the engine's counting-allocator test holds us to it).

#![warn(missing_docs)]

pub mod compile;
pub mod denormals;
pub mod drums;
pub mod dsp;
pub mod program;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{ScheduleLabel, SingleThreadedExecutor};
use phonon_components::*;

pub use compile::{Compiled, GraphError, NodeSpec, compile};
pub use dsp::DspPool;

/// The six phases of a block, in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Step 1: the clock ([`transport::transport`]).
    Transport,
    /// Step 2: event and control sources ([`events::schedule_events`]).
    Schedule,
    /// Step 3: voices into their buses ([`voices::render_voices`]).
    Voices,
    /// Step 4: node kernels, stage by stage ([`external_controls`], then [`dsp::dsp`]).
    Dsp,
    /// Step 5: outputs into the stereo block ([`mix::mix`]).
    Mix,
    /// Step 6: keep this block's arena for feedback edges ([`feedback::feedback`]).
    Feedback,
}

/// Where an embedding program's own systems run in the block: before or after one of Phonon's
/// phases. Add a system with `.in_set(Hook::AfterMix)` (the engine's `add_systems` does it for
/// you). Each hook is a system set chained between the phases, so a system in
/// [`Hook::AfterVoices`] sees every voice rendered and no node run yet.
///
/// What each place can see and change:
/// - [`Hook::BeforeSchedule`]: this block's exact cycle arc ([`Transport::arc`]) is known; no
///   events have started yet.
/// - [`Hook::AfterSchedule`] / [`Hook::BeforeVoices`]: the block's voices have started (in the
///   `Voice` pool, marked `Active`); pattern controls are in their buffers.
/// - [`Hook::AfterVoices`] / [`Hook::BeforeDsp`]: voice buses hold this block's voices. Set
///   [`Controls`] here at the latest for them to apply to this block.
/// - [`Hook::AfterDsp`] / [`Hook::BeforeMix`]: every node's buffer is rendered (the arena).
/// - [`Hook::AfterMix`]: [`OutputBlock`] holds the block as it leaves (after the master limiter);
///   output buffers are still readable ([`OutputBuffers`]).
///
/// ```
/// use bevy_ecs::prelude::*;
/// use phonon_systems::{Hook, build_schedule};
/// fn my_meter() {}
/// let mut schedule = build_schedule();
/// schedule.add_systems(my_meter.in_set(Hook::AfterMix));
/// ```
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hook {
    /// After the clock, before event sources are queried.
    BeforeSchedule,
    /// After event sources are queried and voices started.
    AfterSchedule,
    /// Before voices render (after [`Hook::AfterSchedule`]).
    BeforeVoices,
    /// After voices render into their buses.
    AfterVoices,
    /// Before node kernels run (after [`Hook::AfterVoices`]).
    BeforeDsp,
    /// After every node kernel ran.
    AfterDsp,
    /// Before the outputs are mixed (after [`Hook::AfterDsp`]).
    BeforeMix,
    /// After the mix: [`OutputBlock`] is final.
    AfterMix,
}

/// The label of Phonon's block schedule.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block;

/// The block schedule: six chained phases, with the [`Hook`] sets between them, on the
/// single-threaded executor (the DSP phase is parallel inside, on its own rayon pool). Add
/// your own systems `.in_set(Hook::…)` before the first run.
pub fn build_schedule() -> Schedule {
    let mut s = Schedule::new(Block);
    s.set_executor(SingleThreadedExecutor::new());
    s.configure_sets(
        (
            Phase::Transport,
            Hook::BeforeSchedule,
            Phase::Schedule,
            Hook::AfterSchedule,
            Hook::BeforeVoices,
            Phase::Voices,
            Hook::AfterVoices,
            Hook::BeforeDsp,
            Phase::Dsp,
            Hook::AfterDsp,
            Hook::BeforeMix,
            Phase::Mix,
            Hook::AfterMix,
            Phase::Feedback,
        )
            .chain(),
    );
    s.add_systems((
        transport::transport.in_set(Phase::Transport),
        events::schedule_events.in_set(Phase::Schedule),
        voices::render_voices.in_set(Phase::Voices),
        (external_controls, dsp::dsp).chain().in_set(Phase::Dsp),
        mix::mix.in_set(Phase::Mix),
        feedback::feedback.in_set(Phase::Feedback),
    ));
    s
}

/// Fill every `cF` control node's buffer with its [`Controls`] value for this block (the first
/// step of the DSP phase). Allocation-free.
pub fn external_controls(controls: Res<Controls>, mut arena: ResMut<Arena>, transport: Res<Transport>) {
    let block = transport.block_len;
    for c in &controls.0 {
        for &t in &c.targets {
            if let Some(buf) = arena.0.get_mut(t..t + block) {
                buf.fill(c.value);
            }
        }
    }
}

/// Read access to every output node's block buffer, for a system of the embedding program
/// (a meter, an analyser, a recorder): use it as a system parameter. The buffers hold this
/// block after the DSP phase ([`Hook::AfterDsp`] and later; before the mix's limiter).
///
/// ```
/// use phonon_systems::OutputBuffers;
/// fn meter(outputs: OutputBuffers) {
///     for o in outputs.iter() {
///         let peak = o.left().iter().chain(o.right()).fold(0.0f32, |m, x| m.max(x.abs()));
///         let _ = (o.name(), peak);
///     }
/// }
/// # let _ = meter;
/// ```
#[derive(bevy_ecs::system::SystemParam)]
pub struct OutputBuffers<'w, 's> {
    arena: Res<'w, Arena>,
    transport: Res<'w, Transport>,
    nodes: Query<'w, 's, (&'static Node, &'static Slot, Option<&'static BusName>)>,
}

/// One output's block, from [`OutputBuffers::iter`].
#[derive(Debug, Clone, Copy)]
pub struct OutputBuffer<'a> {
    name: &'a str,
    data: &'a [f32],
    block_len: usize,
}

impl<'a> OutputBuffer<'a> {
    /// The output's name in the scene: `out`, `o1`…`o16`, `d1`…`d16`, or `source:NAME` for an
    /// event source the embedding program added.
    pub fn name(&self) -> &'a str {
        self.name
    }
    /// The left channel's samples this block.
    pub fn left(&self) -> &'a [f32] {
        &self.data[..self.block_len]
    }
    /// The right channel's samples this block.
    pub fn right(&self) -> &'a [f32] {
        &self.data[self.block_len..]
    }
}

impl OutputBuffers<'_, '_> {
    /// Every output, in no particular order. Allocation-free.
    pub fn iter(&self) -> impl Iterator<Item = OutputBuffer<'_>> {
        let block_len = self.transport.block_len;
        self.nodes.iter().filter(|(n, _, _)| matches!(n.kind, NodeKind::Output { .. })).filter_map(move |(_, slot, name)| {
            let data = self.arena.0.get(slot.offset..slot.offset + 2 * block_len)?;
            Some(OutputBuffer { name: name.map_or("", |n| n.0.as_str()), data, block_len })
        })
    }
}

/// Everything [`build_world`] needs besides the graph.
pub struct WorldConfig {
    /// Samples per second.
    pub sample_rate: u32,
    /// Samples per block (per channel).
    pub block_len: usize,
    /// The tempo in cycles per second, exact.
    pub cps: Rational,
    /// Voice pool capacity.
    pub voices: usize,
    /// DSP threads (1 → inline).
    pub threads: usize,
}

/// An event source and the node (by index) its voices feed; that node must be a `VoiceBus`.
pub struct SourceSpec {
    /// The source.
    pub source: Box<dyn EventSource>,
    /// The voice-bus node (index into the node list) its voices feed.
    pub target: usize,
}

/// A control source and the node (by index) it fills; that node must be a `Control` node.
pub struct ControlSpec {
    /// The source.
    pub source: Box<dyn ControlSource>,
    /// The control node (index into the node list) it fills.
    pub target: usize,
    /// The value before the first change (the pattern's value at cycle 0).
    pub initial: f32,
}

/// Errors building a World from a graph.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The graph does not compile.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// An event source targets a node that is not a voice bus.
    #[error("event source #{0} must feed a voice bus node")]
    SourceTarget(usize),
    /// A control source targets a node that is not a control node.
    #[error("control source #{0} must feed a control node")]
    ControlTarget(usize),
    /// The rayon pool did not start.
    #[error("could not start the DSP thread pool: {0}")]
    Pool(#[from] rayon::ThreadPoolBuildError),
    /// A zero block length or sample rate.
    #[error("the block length must be at least 1 sample and the sample rate at least 1 Hz")]
    BadConfig,
}

/// Initial DSP state for a node of `kind` with `channels` channels.
pub fn initial_state(kind: &NodeKind, channels: u8, sample_rate: u32, block_len: usize) -> DspState {
    match kind {
        NodeKind::Osc { .. } | NodeKind::Wavetable { .. } => DspState::Osc { phase: 0.0 },
        NodeKind::Noise { seed } => DspState::Noise { state: seed.wrapping_mul(0x9E37_79B9) | 1 },
        NodeKind::Filter { .. } => DspState::Filter(Default::default()),
        NodeKind::Sum { sines, .. } if !sines.is_empty() => DspState::Bank { sines: vec![BankLanes::default(); sines.len()], pos: 0 },
        NodeKind::Delay { max_time, .. } => {
            let len = (max_time.max(0.0) as f64 * sample_rate as f64).ceil() as usize + block_len + 4;
            DspState::Delay { lines: vec![0.0; len * channels as usize], len, pos: 0 }
        }
        NodeKind::Ugen { def, params } => {
            let consts: Vec<Option<f32>> = params
                .iter()
                .map(|p| match p {
                    Param::Const(v) => Some(*v),
                    Param::Input(_) => None,
                })
                .collect();
            let setup = KernelSetup { sample_rate: sample_rate as f32, block: block_len, channels: channels as usize, consts: &consts };
            DspState::Kernel(KernelBox((def.make)(&setup)))
        }
        _ => DspState::None,
    }
}

/// Compile `nodes` and build a World: one entity per node (in arena order), one per event
/// source, a pre-spawned voice pool, and the block resources. `outputs` lists the output nodes
/// in mixing order.
pub fn build_world(
    nodes: Vec<NodeSpec>,
    outputs: &[usize],
    sources: Vec<SourceSpec>,
    controls: Vec<ControlSpec>,
    bank: SampleBank,
    cfg: &WorldConfig,
) -> Result<World, BuildError> {
    if cfg.block_len == 0 || cfg.sample_rate == 0 {
        return Err(BuildError::BadConfig);
    }
    let compiled = compile(&nodes, cfg.block_len)?;
    let mut world = World::new();
    let mut entities = vec![Entity::PLACEHOLDER; nodes.len()];
    for (rank, &v) in compiled.order.iter().enumerate() {
        let spec = &nodes[v];
        let slot = Slot { offset: compiled.offset[v], channels: compiled.channels[v], stage: compiled.stage[v], rank: rank as u32 };
        let state = initial_state(&spec.kind, slot.channels, cfg.sample_rate, cfg.block_len);
        let mut e = world.spawn((Node { kind: spec.kind.clone(), index: v as u32 }, slot, state));
        if let Some(name) = &spec.name {
            e.insert(BusName(name.clone()));
        }
        if spec.kind == NodeKind::VoiceBus {
            e.insert(VoiceBus);
        }
        entities[v] = e.id();
    }
    for (v, spec) in nodes.iter().enumerate() {
        if entities[v] == Entity::PLACEHOLDER {
            continue; // fused into a sum: never spawned
        }
        let inputs = spec
            .inputs
            .iter()
            .zip(&compiled.feedback[v])
            .map(|(&u, &feedback)| Input { source: entities[u], offset: compiled.offset[u], channels: compiled.channels[u], feedback })
            .collect();
        world.entity_mut(entities[v]).insert(Inputs(inputs));
    }
    for (i, s) in sources.into_iter().enumerate() {
        if nodes.get(s.target).map(|n| &n.kind) != Some(&NodeKind::VoiceBus) {
            return Err(BuildError::SourceTarget(i));
        }
        world.spawn(EventSourceSlot { source: s.source, target: compiled.offset[s.target] });
    }
    for (i, c) in controls.into_iter().enumerate() {
        if nodes.get(c.target).map(|n| &n.kind) != Some(&NodeKind::Control) {
            return Err(BuildError::ControlTarget(i));
        }
        world.spawn(ControlSlot { source: c.source, target: compiled.offset[c.target], last: c.initial });
    }
    let pool: Vec<Entity> = (0..cfg.voices).map(|_| world.spawn((Voice::default(), VoiceState::default())).id()).collect();
    // size the `Active` marker's sparse set for the whole pool now: otherwise it grows on the
    // render thread the first time a voice of the pool sounds (a new peak of voices)
    for &e in &pool {
        world.entity_mut(e).insert(Active);
    }
    for &e in &pool {
        world.entity_mut(e).remove::<Active>();
    }
    world.insert_resource(VoicePrograms::default());
    // one set of registers per DSP thread: buses of voices render in parallel
    world.insert_resource(program::VoiceScratch::new(cfg.block_len * cfg.threads.clamp(1, 64)));
    world.insert_resource(Transport::new(cfg.sample_rate, cfg.block_len, cfg.cps));
    world.insert_resource(Arena(vec![0.0; compiled.arena_len]));
    world.insert_resource(PrevArena(vec![0.0; compiled.arena_len]));
    world.insert_resource(Stages { groups: compiled.groups.clone(), node_count: compiled.order.len() });
    world.insert_resource(Outputs(outputs.iter().map(|&o| compiled.offset[o]).collect()));
    world.insert_resource(OutputBlock(vec![0.0; 2 * cfg.block_len]));
    world.insert_resource(VoiceStats { capacity: cfg.voices, ..Default::default() });
    world.insert_resource(MasterLimiter::new(cfg.sample_rate));
    world.insert_resource(NanFlags((0..nodes.len()).map(|_| std::sync::atomic::AtomicBool::new(false)).collect()));
    world.insert_resource(dsp::PanicFlags::new(nodes.len()));
    world.insert_resource(bank);
    world.insert_resource(Controls::default());
    world.insert_resource(DspPool::new(cfg.threads)?);
    Ok(world)
}

/// A system's scratch list, made with room for [`Scratch::ROOM`] items when the schedule is
/// initialised: a new engine's first blocks (after a hot swap) then don't grow it on the render
/// thread.
pub struct Scratch<T>(pub Vec<T>);

impl<T> Scratch<T> {
    /// Items a scratch list has room for from the start.
    pub const ROOM: usize = 4096;
}

impl<T> Default for Scratch<T> {
    fn default() -> Self {
        Scratch(Vec::with_capacity(Self::ROOM))
    }
}

impl<T> std::ops::Deref for Scratch<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Scratch<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

pub mod transport {
    //! Step 1: the clock.
    use super::*;

    /// Set this block's start sample and exact cycle arc from the block counter.
    pub fn transport(mut t: ResMut<Transport>) {
        let _span = tracing::trace_span!("transport").entered();
        let start = t.block_index * t.block_len as u64;
        t.block_start = start;
        let end = start + t.block_len as u64;
        t.arc = match (t.cycle_at(start), t.cycle_at(end)) {
            (Ok(a), Ok(b)) => (a, b),
            // 64-bit rational time exhausted (centuries of audio): no more events, sound goes on.
            _ => (t.arc.1, t.arc.1),
        };
    }
}

pub mod events {
    //! Step 2: event sources → voices at exact sample offsets; control sources → stepped
    //! control buffers, exact at event edges.
    use super::*;

    /// Query every source over this block's arc and start a pooled voice per trigger.
    ///
    /// Voice pressure: when fewer than a reserve (1/16 of the pool, 1–64) of voices are free,
    /// the oldest sounding voices fade out over 5 ms ([`VoiceStats::stolen`]), so new events find
    /// a voice at their exact sample; only an exhausted reserve drops an event
    /// ([`VoiceStats::dropped`]).
    ///
    /// Real-time contract: no allocation in this system once the scratch lists have reached their
    /// working size. The event sources' own queries may allocate (pattern queries do: they move
    /// to a lookahead thread with live mode).
    #[allow(clippy::too_many_arguments)] // a system's parameters are its data dependencies
    pub fn schedule_events(
        mut sources: Query<&mut EventSourceSlot>,
        mut controls: Query<&mut ControlSlot>,
        mut arena: ResMut<Arena>,
        mut changes: Local<Scratch<(Rational, f32)>>,
        mut free: Query<(Entity, &mut Voice, &mut VoiceState), Without<Active>>,
        programs: Res<VoicePrograms>,
        mut active: Query<&mut Voice, With<Active>>,
        transport: Res<Transport>,
        mut stats: ResMut<VoiceStats>,
        bank: Res<SampleBank>,
        mut scratch: Local<Scratch<Trigger>>,
        mut commands: Commands,
    ) {
        let _span = tracing::trace_span!("schedule").entered();
        let (c0, c1) = transport.arc;
        if c0 >= c1 {
            return;
        }
        let block = transport.block_len;
        for mut ctl in &mut controls {
            changes.clear();
            ctl.source.query(c0, c1, &mut changes);
            let out = &mut arena.0[ctl.target..ctl.target + block];
            let mut value = ctl.last;
            let mut from = 0usize;
            for &(t, v) in changes.iter() {
                let Ok(at) = transport.sample_at(t) else { continue };
                let offset = (at - transport.block_start as i64).clamp(0, block as i64) as usize;
                if offset > from {
                    out[from..offset].fill(value);
                    from = offset;
                }
                value = v;
            }
            out[from..].fill(value);
            ctl.last = value;
        }
        let sr = transport.sample_rate as f32;
        let free_before = free.iter().count();
        let mut started = 0usize;
        let mut free_voices = free.iter_mut();
        for mut src in &mut sources {
            scratch.clear();
            src.source.query(c0, c1, &mut scratch);
            for trig in scratch.iter() {
                if trig.onset < c0 || trig.onset >= c1 {
                    continue;
                }
                let Ok(at) = transport.sample_at(trig.onset) else { continue };
                let offset = (at - transport.block_start as i64).clamp(0, transport.block_len as i64 - 1) as u32;
                let Some((entity, mut voice, mut vstate)) = free_voices.next() else {
                    stats.dropped += 1;
                    continue;
                };
                let dur_s = trig.duration.to_f64() / transport.cps.to_f64();
                let attack = (trig.attack.max(0.0) * sr) as u32;
                let release = ((trig.release.max(0.0) * sr) as u32).max(1);
                let angle = (trig.pan.clamp(-1.0, 1.0) + 1.0) * std::f32::consts::FRAC_PI_4;
                let (source, env) = match trig.instrument {
                    Instrument::Tone | Instrument::Program(_) => {
                        // a program's sound need not start or end at a zero crossing (a saw
                        // starts at -1): at least 1 ms of fade each way, so no voice clicks
                        let ms = (0.001 * sr) as u32;
                        let (attack, release) = if matches!(trig.instrument, Instrument::Program(_)) {
                            (attack.max(ms), release.max(ms))
                        } else {
                            (attack, release)
                        };
                        let hold = trig.sustain.map_or(dur_s, |s| s as f64);
                        let sustain_end = ((hold * sr as f64) as u32).max(attack);
                        let env = Envelope {
                            attack,
                            decay: (trig.decay.max(0.0) * sr) as u32,
                            sustain_level: trig.sustain_level.clamp(0.0, 1.0),
                            sustain_end,
                            release,
                        };
                        let source = match trig.instrument {
                            Instrument::Program(p) => {
                                let Some(prog) = programs.0.get(p as usize) else { continue };
                                program::reset(prog, &mut vstate.0, transport.block_start + offset as u64);
                                VoiceSource::Program { program: p, freq: trig.freq }
                            }
                            _ => VoiceSource::Osc { shape: OscShape::Sine, freq: trig.freq, phase: 0.0 },
                        };
                        (source, env)
                    }
                    Instrument::Drum(kind) => {
                        // the drum shapes itself (fade-in, curved fade to silence): the envelope
                        // only holds the voice for the drum's length
                        let params = trig.drum.sanitized(kind);
                        let length = drums::length(kind, &params, sr);
                        let state = drums::start(transport.block_start + offset as u64);
                        (VoiceSource::Drum { kind, params, state }, Envelope::ar(0, length, 1))
                    }
                    Instrument::Sample(handle) => {
                        let Some(data) = bank.0.get(handle as usize) else { continue };
                        let frames = data.frames() as f64;
                        let (b, e) = (trig.begin.clamp(0.0, 1.0) as f64 * frames, trig.end.clamp(0.0, 1.0) as f64 * frames);
                        let mut rate = trig.speed as f64;
                        if trig.per_cycle {
                            // unit "c": the whole sample lasts 1/speed cycles
                            rate *= frames * transport.cps.to_f64() / sr as f64;
                        }
                        if e <= b || rate == 0.0 || !rate.is_finite() {
                            continue;
                        }
                        let loops = trig.loops.max(1);
                        let length = ((e - b) / rate.abs() * loops as f64).floor().min(u32::MAX as f64 / 2.0) as u32;
                        // a sample plays to its end (a short fade there), or until `sustain`
                        let (sustain_end, release) = match trig.sustain {
                            Some(s) => (((s.max(0.0) * sr) as u32).min(length), release),
                            // accelerating voices end where their position leaves the sample
                            None if trig.accelerate != 0.0 => (u32::MAX / 2, release),
                            None => {
                                let fade = (0.002 * sr) as u32;
                                (length.saturating_sub(fade), fade.min(length).max(1))
                            }
                        };
                        // starting inside the sample (begin > 0, or backwards) is not at a zero
                        // crossing: a 1 ms fade-in. A file's own start plays as the file says (a
                        // click sample stays a click, exactly on its sample).
                        let attack = if b > 0.0 || rate < 0.0 { attack.max((0.001 * sr) as u32) } else { attack };
                        let pos = if rate > 0.0 { b } else { e - 1.0 };
                        (
                            VoiceSource::Sample { handle, pos, rate, start: b, stop: e },
                            Envelope::ar(attack, sustain_end.max(attack), release),
                        )
                    }
                };
                let base_rate = match source {
                    VoiceSource::Sample { rate, .. } => rate,
                    VoiceSource::Osc { .. } | VoiceSource::Program { .. } | VoiceSource::Drum { .. } => 0.0,
                };
                let len = (env.sustain_end.min(u32::MAX / 4) as f64).max(1.0);
                *voice = Voice {
                    source,
                    env,
                    gain_l: trig.gain * angle.cos(),
                    gain_r: trig.gain * angle.sin(),
                    start_offset: offset,
                    age: 0,
                    target: src.target,
                    started_at: transport.block_start + offset as u64,
                    cut: trig.cut,
                    fx: VoiceFx {
                        crush: trig.crush.clamp(0.0, 32.0),
                        coarse: trig.coarse,
                        shape: trig.shape.clamp(0.0, 0.99),
                        // accelerate 1 doubles the speed over the sample's natural length
                        accel: if trig.accelerate != 0.0 { base_rate * trig.accelerate as f64 / len } else { 0.0 },
                        loops: trig.loops.max(1) - 1,
                        ..VoiceFx::default()
                    },
                };
                started += 1;
                if trig.cut > 0 {
                    // choke: older voices in the same group fade out now
                    for mut other in &mut active {
                        if other.cut == trig.cut && other.env.sustain_end > other.age {
                            other.env.sustain_end = other.age;
                            other.env.release = other.env.release.min((0.005 * sr) as u32).max(1);
                        }
                    }
                }
                commands.entity(entity).insert(Active);
                stats.started += 1;
            }
        }
        // keep a reserve of free voices: when it runs low, fade out the oldest voices (5 ms), so
        // new events always find a voice at their exact sample
        let reserve = (stats.capacity / 16).clamp(1, 64);
        let free_after = free_before.saturating_sub(started);
        for _ in free_after..reserve {
            let oldest = active.iter_mut().filter(|v| v.env.sustain_end > v.age).min_by_key(|v| v.started_at);
            let Some(mut v) = oldest else { break };
            v.env.sustain_end = v.age;
            v.env.release = v.env.release.min((0.005 * sr) as u32).max(1);
            stats.stolen += 1;
        }
    }
}

pub mod voices {
    //! Step 3: render voices into their buses.
    use super::*;
    use crate::dsp::{PanicFlags, PanicPayload};
    use rayon::prelude::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    /// One active voice's work for this block, borrowed from the World for the system's run.
    pub struct VoiceJob<'w> {
        entity: Entity,
        voice: &'w mut Voice,
        state: &'w mut VoiceState,
        /// Position in the query (the order voices are summed in within a bus).
        order: u32,
        done: bool,
        /// A voice of this job's bus panicked this block.
        panicked: bool,
    }

    /// The voice system's reusable lists, sized for the whole pool when the schedule is
    /// initialised (on the thread that builds the engine), so a block allocates nothing.
    pub struct VoiceWork {
        jobs: Vec<VoiceJob<'static>>,
        /// Per bus that has voices: (first job, end job, arena offset).
        runs: Vec<(usize, usize, usize)>,
    }

    impl FromWorld for VoiceWork {
        fn from_world(world: &mut World) -> Self {
            let n = world.get_resource::<VoiceStats>().map_or(0, |s| s.capacity);
            VoiceWork { jobs: Vec::with_capacity(n), runs: Vec::with_capacity(n.min(4096)) }
        }
    }

    /// Reuse a `Vec`'s allocation for another lifetime of the same type (see `dsp::recycle`).
    fn recycle<'a, 'b>(mut v: Vec<VoiceJob<'a>>) -> Vec<VoiceJob<'b>> {
        v.clear();
        v.into_iter().map(|_| -> VoiceJob<'b> { unreachable!("the vector is empty") }).collect()
    }

    /// One parallel task: its voices (a contiguous run of buses), their arena range and where
    /// it starts, and the task's own registers.
    type Task<'a, 'w> = (&'a mut [VoiceJob<'w>], &'a mut [f32], usize, &'a mut [f32]);

    /// Buses render in parallel only with at least this many voices in all.
    const MIN_PARALLEL_VOICES: usize = 32;

    /// Clear every voice bus, then add each active voice into its bus from its start offset.
    /// Voices whose envelope has ended are returned to the pool.
    ///
    /// Buses are independent, so with a DSP pool they render in parallel: each task owns a
    /// contiguous run of buses (their arena ranges are disjoint) and its own scratch registers,
    /// and sums each bus's voices in query order, so the result is bit-identical whatever the
    /// thread count.
    ///
    /// A voice that panics is caught with its bus (inside the bus's task): that bus is silent
    /// for the block, its voices end, and its node is muted in [`PanicFlags`] — from then on
    /// its voices end without rendering.
    ///
    /// Real-time contract: allocation-free (a panic itself allocates).
    #[allow(clippy::too_many_arguments)] // a system's parameters are its data dependencies
    pub fn render_voices(
        mut voices: Query<(Entity, &mut Voice, &mut VoiceState), With<Active>>,
        programs: Res<VoicePrograms>,
        mut scratch: ResMut<program::VoiceScratch>,
        buses: Query<(&Slot, &Node), With<VoiceBus>>,
        mut arena: ResMut<Arena>,
        transport: Res<Transport>,
        mut stats: ResMut<VoiceStats>,
        bank: Res<SampleBank>,
        pool: Option<Res<crate::dsp::DspPool>>,
        panics: Res<PanicFlags>,
        mut work: Local<VoiceWork>,
        mut commands: Commands,
    ) {
        let _span = tracing::trace_span!("voices").entered();
        let block = transport.block_len;
        let sr = transport.sample_rate as f32;
        for (slot, _) in &buses {
            arena.0[slot.offset..slot.offset + 2 * block].fill(0.0);
        }
        let mut jobs: Vec<VoiceJob<'_>> = recycle(std::mem::take(&mut work.jobs));
        for (order, (entity, voice, state)) in voices.iter_mut().enumerate() {
            jobs.push(VoiceJob {
                entity,
                voice: voice.into_inner(),
                state: state.into_inner(),
                order: order as u32,
                done: false,
                panicked: false,
            });
        }
        // by bus, and within a bus in query order: an unstable sort on a unique key is exact
        // and does not allocate
        jobs.sort_unstable_by_key(|j| (j.voice.target, j.order));
        if panics.any() {
            // a muted bus's voices end unheard
            for (slot, node) in &buses {
                if panics.is_muted(node.index as usize) {
                    let (lo, hi) = bus_range(&jobs, slot.offset);
                    jobs[lo..hi].iter_mut().for_each(|j| j.done = true);
                }
            }
        }
        let runs = &mut work.runs;
        runs.clear();
        let mut first = 0;
        for k in 1..=jobs.len() {
            if k == jobs.len() || jobs[k].voice.target != jobs[first].voice.target {
                runs.push((first, k, jobs[first].voice.target));
                first = k;
            }
        }
        let ctx = Ctx { programs: &programs, bank: &bank, sr, block };
        let threads = pool.as_ref().and_then(|p| p.pool.as_ref().map(|tp| (tp, tp.current_num_threads().clamp(1, 64))));
        let regs_len = scratch.0.len() / threads.map_or(1, |t| t.1).max(1);
        let caught = match threads {
            Some((tp, n)) if runs.len() > 1 && jobs.len() >= MIN_PARALLEL_VOICES && regs_len >= MAX_VOICE_OPS * block => {
                // cut the buses into `n` contiguous groups of about equal voice counts
                let per = jobs.len().div_ceil(n);
                let mut groups: [(usize, usize); 64] = [(0, 0); 64];
                let (mut g, mut start_run, mut count) = (0, 0, 0);
                for (i, r) in runs.iter().enumerate() {
                    count += r.1 - r.0;
                    if (count >= per || i + 1 == runs.len()) && g < 63 {
                        groups[g] = (start_run, i + 1);
                        g += 1;
                        start_run = i + 1;
                        count = 0;
                    }
                }
                if start_run < runs.len() {
                    groups[g] = (start_run, runs.len());
                    g += 1;
                }
                let runs: &[(usize, usize, usize)] = runs;
                // each group's jobs and arena range, split off in order (disjoint)
                let mut tasks: [Option<Task<'_, '_>>; 64] = [const { None }; 64];
                let (mut jobs_rest, mut arena_rest, mut regs_rest): (&mut [VoiceJob<'_>], &mut [f32], &mut [f32]) =
                    (&mut jobs[..], &mut arena.0[..], &mut scratch.0[..]);
                let (mut job_base, mut arena_base) = (0, 0);
                for (t, &(r0, r1)) in groups[..g].iter().enumerate() {
                    let (j0, j1) = (runs[r0].0, runs[r1 - 1].1);
                    let (a0, a1) = (runs[r0].2, runs[r1 - 1].2 + 2 * block);
                    let (_, js) = std::mem::take(&mut jobs_rest).split_at_mut(j0 - job_base);
                    let (js, jr) = js.split_at_mut(j1 - j0);
                    jobs_rest = jr;
                    job_base = j1;
                    let (_, ar) = std::mem::take(&mut arena_rest).split_at_mut(a0 - arena_base);
                    let (ar, arr) = ar.split_at_mut(a1 - a0);
                    arena_rest = arr;
                    arena_base = a1;
                    let (regs, rr) = std::mem::take(&mut regs_rest).split_at_mut(regs_len);
                    regs_rest = rr;
                    tasks[t] = Some((js, ar, a0, regs));
                }
                let mut caught: [Option<PanicPayload>; 64] = [const { None }; 64];
                tp.install(|| {
                    tasks[..g].par_iter_mut().zip(caught[..g].par_iter_mut()).for_each(|(task, caught)| {
                        if let Some((js, ar, a0, regs)) = task {
                            *caught = render_run(js, ar, *a0, regs, &ctx);
                        }
                    })
                });
                caught.iter_mut().find_map(Option::take)
            }
            _ => render_run(&mut jobs, &mut arena.0, 0, &mut scratch.0, &ctx),
        };
        if let Some(payload) = caught {
            let mut payload = Some(payload);
            for (slot, node) in &buses {
                let (lo, hi) = bus_range(&jobs, slot.offset);
                if jobs[lo..hi].first().is_some_and(|j| j.panicked) {
                    panics.mute(node.index as usize, payload.take());
                }
            }
        }
        let mut active = 0;
        for j in &mut jobs {
            j.voice.start_offset = 0;
            if j.done || j.voice.env.level(j.voice.age).is_none() {
                commands.entity(j.entity).remove::<Active>();
            } else {
                active += 1;
            }
        }
        stats.active = active;
        work.jobs = recycle(jobs);
    }

    /// What every voice reads.
    struct Ctx<'a> {
        programs: &'a VoicePrograms,
        bank: &'a SampleBank,
        sr: f32,
        block: usize,
    }

    /// The jobs of the bus at arena offset `target` (jobs sorted by bus): `jobs[lo..hi]`.
    fn bus_range(jobs: &[VoiceJob<'_>], target: usize) -> (usize, usize) {
        (jobs.partition_point(|j| j.voice.target < target), jobs.partition_point(|j| j.voice.target <= target))
    }

    /// Render `jobs` (sorted by bus; those already `done` are skipped) into `arena`, a slice of
    /// the arena starting at `base`. A bus whose voice panics is caught here: its block becomes
    /// silence and its voices end, marked `panicked`. Returns the first panic's payload.
    fn render_run(jobs: &mut [VoiceJob<'_>], arena: &mut [f32], base: usize, regs: &mut [f32], cx: &Ctx<'_>) -> Option<PanicPayload> {
        let block = cx.block;
        let mut caught = None;
        let mut rest = jobs;
        while let Some(target) = rest.first().map(|j| j.voice.target) {
            let n = rest.iter().position(|j| j.voice.target != target).unwrap_or(rest.len());
            let (bus, tail) = std::mem::take(&mut rest).split_at_mut(n);
            rest = tail;
            let at = target - base;
            let (l, r) = arena[at..at + 2 * block].split_at_mut(block);
            // zero-cost unless it unwinds; caught here, inside the task, so a rayon worker never
            // re-raises it on the render thread
            let rendered = catch_unwind(AssertUnwindSafe(|| {
                for j in bus.iter_mut().filter(|j| !j.done) {
                    j.done = render_voice(j.voice, j.state, l, r, regs, cx);
                }
            }));
            if let Err(payload) = rendered {
                l.fill(0.0);
                r.fill(0.0);
                for j in bus.iter_mut() {
                    j.done = true;
                    j.panicked = true;
                }
                caught.get_or_insert(payload);
            }
        }
        caught
    }

    /// Add one voice into `l`/`r`; returns whether it has ended.
    fn render_voice(v: &mut Voice, vstate: &mut VoiceState, l: &mut [f32], r: &mut [f32], regs: &mut [f32], cx: &Ctx<'_>) -> bool {
        let block = cx.block;
        let sr = cx.sr as f64;
        let mut done = false;
        match &mut v.source {
            VoiceSource::Osc { shape, freq, phase } => {
                let inc = *freq as f64 / sr;
                for i in v.start_offset as usize..block {
                    let Some(level) = v.env.level(v.age) else {
                        done = true;
                        break;
                    };
                    let x = match shape {
                        OscShape::Sine => (*phase * std::f64::consts::TAU).sin(),
                        OscShape::Saw => 2.0 * *phase - 1.0,
                        OscShape::Square => {
                            if *phase < 0.5 {
                                1.0
                            } else {
                                -1.0
                            }
                        }
                        OscShape::Tri => 1.0 - 4.0 * (*phase - 0.5).abs(),
                        OscShape::Impulse => {
                            if *phase < inc {
                                1.0
                            } else {
                                0.0
                            }
                        }
                    };
                    let s = x as f32 * level;
                    let (a, b) = v.fx.process(s * v.gain_l, s * v.gain_r);
                    l[i] += a;
                    r[i] += b;
                    *phase = (*phase + inc).fract();
                    v.age += 1;
                }
            }
            VoiceSource::Program { program, freq } => {
                let Some(prog) = cx.programs.0.get(*program as usize) else { return true };
                let from = v.start_offset as usize;
                let sound = program::render(prog, &mut vstate.0, *freq, block - from, cx.sr, regs, block);
                done = add_voice(v, sound, from, l, r);
            }
            VoiceSource::Drum { kind, params, state } => {
                let from = v.start_offset as usize;
                let sound = &mut regs[..block - from];
                drums::render(*kind, params, state, cx.sr, sound);
                done = add_voice(v, sound, from, l, r);
            }
            VoiceSource::Sample { handle, .. } => {
                let Some(data) = cx.bank.0.get(*handle as usize) else { return true };
                done = sample_voice(v, data, l, r);
            }
        }
        done
    }
}

/// Add `sound` (a voice's own samples for `from..block`) into `l`/`r` through its envelope,
/// gains and per-voice effects; returns whether the envelope has ended. Runs over envelope
/// segments (a straight line each), so plain voices (no crush/coarse/shape) take a tight loop.
fn add_voice(v: &mut Voice, sound: &[f32], from: usize, l: &mut [f32], r: &mut [f32]) -> bool {
    let plain = v.fx.crush <= 0.0 && v.fx.coarse <= 1 && v.fx.shape <= 0.0;
    let (gl, gr) = (v.gain_l, v.gain_r);
    let block = l.len().min(from + sound.len());
    let mut i = from;
    while i < block {
        let Some((lev0, slope, left)) = v.env.segment(v.age) else { return true };
        let n = (block - i).min(left as usize);
        let xs = &sound[i - from..i - from + n];
        let (l, r) = (&mut l[i..i + n], &mut r[i..i + n]);
        if plain {
            for (k, ((ol, or), &x)) in l.iter_mut().zip(r.iter_mut()).zip(xs).enumerate() {
                let s = x * (lev0 + slope * k as f32);
                *ol += s * gl;
                *or += s * gr;
            }
        } else {
            for (k, ((ol, or), &x)) in l.iter_mut().zip(r.iter_mut()).zip(xs).enumerate() {
                let s = x * (lev0 + slope * k as f32);
                let (a, b) = v.fx.process(s * gl, s * gr);
                *ol += a;
                *or += b;
            }
        }
        i += n;
        v.age += n as u32;
    }
    false
}

/// Render one sample voice into `l`/`r` from its start offset to the block's end, in runs
/// during which nothing changes but the read position and a linear envelope; returns whether
/// the voice has ended. Plain voices (no crush/coarse/shape, no accelerate) take a tight loop
/// per run; the rest go sample by sample.
fn sample_voice(v: &mut Voice, data: &SampleData, l: &mut [f32], r: &mut [f32]) -> bool {
    let VoiceSource::Sample { pos, rate, start, stop, .. } = &mut v.source else { return true };
    let (start, stop) = (*start, *stop);
    let (mut p, mut rt) = (*pos, *rate);
    let ch = data.channels.max(1) as usize;
    let last = data.frames().saturating_sub(1);
    let d = &data.data[..];
    let (gl, gr) = (v.gain_l, v.gain_r);
    let env = v.env;
    let mut age = v.age;
    let plain = v.fx.crush <= 0.0 && v.fx.coarse <= 1 && v.fx.shape <= 0.0 && v.fx.accel == 0.0;
    let block = l.len();
    let mut i = v.start_offset as usize;
    let mut done = false;
    while i < block {
        if !(p >= start && p < stop) {
            if v.fx.loops == 0 {
                done = true;
                break;
            }
            // `loop`: go round again
            v.fx.loops -= 1;
            p = if rt > 0.0 { start } else { stop - 1.0 };
        }
        let Some((lev0, slope, env_left)) = env.segment(age) else {
            done = true;
            break;
        };
        let n = if plain {
            // samples until the read position leaves [start, stop)
            let edge = if rt > 0.0 { (stop - p) / rt } else { (p - start) / -rt };
            let edge = if edge.is_finite() { edge.ceil().clamp(1.0, block as f64) as usize } else { block };
            (block - i).min(env_left as usize).min(edge).max(1)
        } else {
            1
        };
        if plain {
            let (l, r) = (&mut l[i..i + n], &mut r[i..i + n]);
            if ch == 1 {
                // 32.32 fixed-point read position: integer stepping, no float→int per sample
                const ONE: f64 = 4_294_967_296.0;
                let mut pf = (p * ONE) as i64;
                let step = (rt * ONE) as i64;
                for (k, (ol, or)) in l.iter_mut().zip(r.iter_mut()).enumerate() {
                    let f0 = ((pf >> 32) as usize).min(last);
                    let f1 = (f0 + 1).min(last);
                    let t = (pf as u32) as f32 * (1.0 / ONE as f32);
                    let s = (d[f0] + t * (d[f1] - d[f0])) * (lev0 + slope * k as f32);
                    *ol += s * gl;
                    *or += s * gr;
                    pf += step;
                }
                p += rt * n as f64;
            } else {
                for (k, (ol, or)) in l.iter_mut().zip(r.iter_mut()).enumerate() {
                    let f0 = (p as usize).min(last);
                    let f1 = (f0 + 1).min(last);
                    let t = (p - f0 as f64) as f32;
                    let lev = lev0 + slope * k as f32;
                    let (a0, a1) = (d[f0 * ch], d[f1 * ch]);
                    let (b0, b1) = (d[f0 * ch + 1], d[f1 * ch + 1]);
                    *ol += (a0 + t * (a1 - a0)) * lev * gl;
                    *or += (b0 + t * (b1 - b0)) * lev * gr;
                    p += rt;
                }
            }
        } else {
            let f0 = (p as usize).min(last);
            let f1 = (f0 + 1).min(last);
            let t = (p - f0 as f64) as f32;
            let at = |f: usize, c: usize| d[f * ch + c.min(ch - 1)];
            let sl = at(f0, 0) + t * (at(f1, 0) - at(f0, 0));
            let sr_ = at(f0, 1) + t * (at(f1, 1) - at(f0, 1));
            let (a, b) = v.fx.process(sl * lev0 * gl, sr_ * lev0 * gr);
            l[i] += a;
            r[i] += b;
            p += rt;
            rt += v.fx.accel;
        }
        i += n;
        age += n as u32;
    }
    if let VoiceSource::Sample { pos, rate, .. } = &mut v.source {
        *pos = p;
        *rate = rt;
    }
    v.age = age;
    done
}

pub mod mix {
    //! Step 5: outputs → interleaved stereo.
    use super::*;

    /// Sum every output node (stereo buffers, in [`Outputs`] order) into [`OutputBlock`], then
    /// through the master limiter ([`limit`]): nothing leaves above its ceiling (0 dBFS), and
    /// below it the mix passes bit for bit. NaN/Inf become silence. Allocation-free.
    pub fn mix(
        arena: Res<Arena>,
        outputs: Res<Outputs>,
        transport: Res<Transport>,
        mut out: ResMut<OutputBlock>,
        mut lim: ResMut<MasterLimiter>,
    ) {
        let _span = tracing::trace_span!("mix").entered();
        let block = transport.block_len;
        out.0.fill(0.0);
        for &o in &outputs.0 {
            let (l, r) = arena.0[o..o + 2 * block].split_at(block);
            for (frame, (a, b)) in out.0.chunks_exact_mut(2).zip(l.iter().zip(r)) {
                frame[0] += a;
                frame[1] += b;
            }
        }
        limit(&mut lim, &mut out.0);
    }

    /// The master limiter, zero latency, stereo-linked: a frame whose peak would exceed the
    /// ceiling at the current gain pulls the gain down to exactly `ceiling / peak` (instant
    /// attack); the gain recovers toward 1 with a 100 ms time constant. So the ceiling holds for
    /// every sample, quiet passages are untouched, and a loud hit ducks what follows smoothly
    /// instead of clipping each sample. Non-finite samples become 0 first.
    pub fn limit(lim: &mut MasterLimiter, interleaved: &mut [f32]) {
        for frame in interleaved.chunks_exact_mut(2) {
            for x in frame.iter_mut() {
                if !x.is_finite() {
                    *x = 0.0;
                }
            }
            lim.gain += (1.0 - lim.gain) * lim.release;
            let peak = frame[0].abs().max(frame[1].abs());
            if peak * lim.gain > lim.ceiling {
                lim.gain = lim.ceiling / peak;
                lim.limited_frames += 1;
            }
            if lim.gain < 1.0 {
                frame[0] = (frame[0] * lim.gain).clamp(-lim.ceiling, lim.ceiling);
                frame[1] = (frame[1] * lim.gain).clamp(-lim.ceiling, lim.ceiling);
            }
        }
    }
}

pub mod feedback {
    //! Step 6: keep this block for feedback edges, and count the block.
    use super::*;

    /// Swap the arena with the previous-block arena (no copy) and advance the block counter.
    pub fn feedback(mut arena: ResMut<Arena>, mut prev: ResMut<PrevArena>, mut t: ResMut<Transport>) {
        let _span = tracing::trace_span!("feedback").entered();
        std::mem::swap(&mut arena.0, &mut prev.0);
        t.block_index += 1;
    }
}
