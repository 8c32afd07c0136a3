//! Step 4: the DSP system and its kernels.
//!
//! Each block, node kernels run group by group (a group is the nodes of one stage with the same
//! channel count, one contiguous range of the arena). For a group the arena is split with
//! `split_at_mut` into everything before it (read-only: all its non-feedback inputs live there)
//! and its own range, cut into one disjoint output chunk per node. Nodes of a group run in
//! parallel on the engine's fixed rayon pool when the group has enough work; otherwise inline.
//! Every node's output depends only on its inputs and its own state, so the result is
//! bit-identical whatever the thread count.
//!
//! Real-time contract: once the engine has rendered one block, [`dsp`] allocates nothing (its
//! job list reuses one allocation across blocks; kernels never allocate).
//!
//! A kernel that panics does not take the render thread down: each node's run is wrapped in
//! `catch_unwind` inside its job (so a rayon worker never re-raises it on the render thread); the
//! node is muted from that block on and recorded in [`PanicFlags`] for the engine to report.
//! The panic itself allocates (its payload, and the panic hook's message on standard error);
//! a block without a panic pays nothing for the guard.

pub mod arith;
pub mod catalogue;
pub mod delay;
pub mod filter;
pub mod nodes;
pub mod osc;
pub mod simd;
pub mod wavetable;

use bevy_ecs::prelude::*;
use phonon_components::{
    Arena, Arg, DspState, Input, Inputs, KernelCtx, MAX_ARGS, NanFlags, Node, NodeKind, Param, PrevArena, Slot, Stages, Transport,
};
use rayon::prelude::*;
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub use phonon_components::P;

/// What a panic carried (`panic!`'s message: a `&'static str` or a `String`), moved off the
/// unwinding thread.
pub type PanicPayload = Box<dyn Any + Send>;

/// Nodes whose kernel panicked — or, for a voice bus, one of whose voices panicked. Such a node
/// is muted from that block on: its output is silence and its kernel never runs again in this
/// engine (its state is left as the panic left it). One entry per node index, shared (an `Arc`)
/// with whoever reports it off the render path: the engine, or live mode's main thread.
///
/// Real-time contract: [`PanicFlags::is_muted`], [`PanicFlags::any`] and [`PanicFlags::mute`]
/// never allocate or block (`mute` stores the payload only if its slot is free at once).
///
/// ```
/// use phonon_systems::dsp::PanicFlags;
/// let flags = PanicFlags::new(3);
/// assert!(!flags.any());
/// flags.mute(1, Some(Box::new("index out of bounds")));
/// assert!(flags.any() && flags.is_muted(1) && !flags.is_muted(0));
/// assert_eq!(flags.message(1).as_deref(), Some("index out of bounds"));
/// assert_eq!(flags.message(0), None);
/// ```
#[derive(Resource, Clone)]
pub struct PanicFlags(Arc<PanicLog>);

/// The shared part of [`PanicFlags`].
struct PanicLog {
    muted: Box<[AtomicBool]>,
    any: AtomicBool,
    payloads: Box<[Mutex<Option<PanicPayload>>]>,
}

impl PanicFlags {
    /// Flags for `nodes` nodes (indexes `0..nodes`), none muted.
    pub fn new(nodes: usize) -> PanicFlags {
        PanicFlags(Arc::new(PanicLog {
            muted: (0..nodes).map(|_| AtomicBool::new(false)).collect(),
            any: AtomicBool::new(false),
            payloads: (0..nodes).map(|_| Mutex::new(None)).collect(),
        }))
    }

    /// How many nodes the flags cover.
    pub fn len(&self) -> usize {
        self.0.muted.len()
    }

    /// Whether the flags cover no node.
    pub fn is_empty(&self) -> bool {
        self.0.muted.is_empty()
    }

    /// Whether any node has been muted.
    #[inline]
    pub fn any(&self) -> bool {
        self.0.any.load(Ordering::Acquire)
    }

    /// Whether node `index` is muted (false for an index out of range).
    #[inline]
    pub fn is_muted(&self, index: usize) -> bool {
        self.any() && self.0.muted.get(index).is_some_and(|m| m.load(Ordering::Acquire))
    }

    /// Mute node `index` (out of range: nothing), keeping `payload` for [`PanicFlags::message`]
    /// if it is the node's first. Real-time safe: no allocation, no waiting (a payload that
    /// finds its slot locked or taken is dropped here).
    pub fn mute(&self, index: usize, payload: Option<PanicPayload>) {
        let (Some(flag), Some(slot)) = (self.0.muted.get(index), self.0.payloads.get(index)) else { return };
        if let (Some(p), Ok(mut slot)) = (payload, slot.try_lock())
            && slot.is_none()
        {
            *slot = Some(p);
        }
        flag.store(true, Ordering::Release);
        self.0.any.store(true, Ordering::Release);
    }

    /// What node `index` panicked with (`None` if it is not muted); `"(no message)"` when the
    /// payload was neither a string nor kept. Allocates: call off the render path.
    pub fn message(&self, index: usize) -> Option<String> {
        if !self.is_muted(index) {
            return None;
        }
        let slot = self.0.payloads[index].lock().unwrap_or_else(|p| p.into_inner());
        let text = slot
            .as_ref()
            .and_then(|p| p.downcast_ref::<&'static str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()));
        Some(text.unwrap_or_else(|| "(no message)".into()))
    }
}

impl std::fmt::Debug for PanicFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let muted: Vec<usize> = (0..self.len()).filter(|&i| self.is_muted(i)).collect();
        f.debug_struct("PanicFlags").field("nodes", &self.len()).field("muted", &muted).finish()
    }
}

/// Resolves a node's inputs to slices of this block's arena (or the previous block's).
#[derive(Clone, Copy)]
struct Reader<'a> {
    earlier: &'a [f32],
    prev: &'a [f32],
    block: usize,
}

impl<'a> Reader<'a> {
    /// Channel `ch` of input `inp` (a mono input serves every channel).
    #[inline]
    fn channel(&self, inp: &Input, ch: usize) -> &'a [f32] {
        let src = if inp.feedback { self.prev } else { self.earlier };
        let c = ch.min(inp.channels as usize - 1);
        let start = inp.offset + c * self.block;
        &src[start..start + self.block]
    }

    #[inline]
    fn param(&self, p: Param, inputs: &[Input], ch: usize) -> P<'a> {
        match p {
            Param::Const(v) => P::Const(v),
            Param::Input(i) => P::Buf(self.channel(&inputs[i as usize], ch)),
        }
    }
}

/// One node's work for this block: borrowed from the World for the duration of the system.
pub struct Job<'w> {
    node: &'w Node,
    inputs: &'w Inputs,
    slot: &'w Slot,
    state: &'w mut DspState,
}

/// Reuse a `Vec`'s allocation for a different lifetime of the same type: the vector is emptied,
/// then collected in place (same size and alignment, so std reuses the buffer).
fn recycle<'a, 'b>(mut v: Vec<Job<'a>>) -> Vec<Job<'b>> {
    v.clear();
    v.into_iter().map(|_| -> Job<'b> { unreachable!("the vector is empty") }).collect()
}

/// The DSP system's reusable job list, made with room for every node when the schedule is
/// initialised (on the thread that builds the engine, not the render thread).
pub struct JobScratch(Vec<Job<'static>>);

impl FromWorld for JobScratch {
    fn from_world(world: &mut World) -> Self {
        JobScratch(Vec::with_capacity(world.get_resource::<Stages>().map_or(0, |s| s.node_count)))
    }
}

/// The fixed rayon pool the DSP system runs stages on (`None`: everything inline, one thread).
#[derive(Resource)]
pub struct DspPool {
    /// The worker threads; `None` runs every node on the calling (render) thread.
    pub pool: Option<rayon::ThreadPool>,
    /// A group runs in parallel only if it has at least this many samples of work
    /// (`nodes × channels × block`); below it, rayon's hand-off costs more than it saves.
    pub min_parallel_samples: usize,
}

impl DspPool {
    /// A pool of `threads` workers (1 or 0 → inline), each with denormals flushed to zero.
    pub fn new(threads: usize) -> Result<DspPool, rayon::ThreadPoolBuildError> {
        let pool = if threads > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .thread_name(|i| format!("phonon-dsp-{i}"))
                    .start_handler(|_| crate::denormals::flush_denormals_to_zero())
                    .build()?,
            )
        } else {
            None
        };
        // measured (benches/render.rs `parallel_threshold`, 2 cores): inline wins at 2 nodes per group,
        // ties at 4, parallel wins clearly at 8 — so from 6 mono 512-sample nodes on
        Ok(DspPool { pool, min_parallel_samples: 6 * 512 })
    }

    /// Threads nodes run on: the pool's workers, or 1 inline.
    pub fn threads(&self) -> usize {
        self.pool.as_ref().map_or(1, |p| p.current_num_threads())
    }
}

/// Run one node's kernel for one block into `out` (`channels × block` floats, channel-major).
fn run(job: &mut Job<'_>, r: &Reader<'_>, sample_rate: f32, out: &mut [f32]) {
    let ins = &job.inputs.0[..];
    let block = r.block;
    match (&job.node.kind, &mut *job.state) {
        (NodeKind::Constant(v), _) => out.fill(*v),
        (NodeKind::Osc { shape, freq }, DspState::Osc { phase }) => {
            osc::oscillator(*shape, phase, r.param(*freq, ins, 0), sample_rate, out)
        }
        (NodeKind::Wavetable { table, freq, position }, DspState::Osc { phase }) => {
            wavetable::render(table, phase, r.param(*freq, ins, 0), r.param(*position, ins, 0), sample_rate, out)
        }
        (NodeKind::Noise { .. }, DspState::Noise { state }) => osc::noise(state, out),
        (NodeKind::Binary { op, a, b }, _) => {
            for (c, o) in out.chunks_exact_mut(block).enumerate() {
                arith::binary(*op, r.param(*a, ins, c), r.param(*b, ins, c), o);
            }
        }
        (NodeKind::Filter { mode, input, cutoff, q }, DspState::Filter(states)) => {
            let cutoff = r.param(*cutoff, ins, 0);
            let q = r.param(*q, ins, 0);
            for (c, (o, s)) in out.chunks_exact_mut(block).zip(states.iter_mut()).enumerate() {
                match r.param(*input, ins, c) {
                    P::Buf(x) => filter::svf(*mode, s, x, cutoff, q, sample_rate, o),
                    P::Const(v) => {
                        // a constant input through a filter: filter the constant
                        let tmp = [v; 1];
                        for (i, oo) in o.iter_mut().enumerate() {
                            let mut one = [0.0f32];
                            let (cc, qq) = (P::Const(cutoff.at(i)), P::Const(q.at(i)));
                            filter::svf(*mode, s, &tmp, cc, qq, sample_rate, &mut one);
                            *oo = one[0];
                        }
                    }
                }
            }
        }
        (NodeKind::Delay { input, time, feedback, mix, .. }, DspState::Delay { lines, len, pos }) => {
            let late_by = match input {
                Param::Input(i) if ins[*i as usize].feedback => block as f32,
                _ => 0.0,
            };
            let time = r.param(*time, ins, 0);
            let feedback = r.param(*feedback, ins, 0);
            let mix = r.param(*mix, ins, 0);
            let mut new_pos = *pos;
            for (c, (o, line)) in out.chunks_exact_mut(block).zip(lines.chunks_exact_mut(*len)).enumerate() {
                let x = match r.param(*input, ins, c) {
                    P::Buf(x) => x,
                    P::Const(_) => &r.earlier[..0],
                };
                if x.is_empty() {
                    o.fill(0.0);
                    continue;
                }
                new_pos = delay::delay(line, *pos, x, time, feedback, mix, sample_rate, late_by, o);
            }
            *pos = new_pos;
        }
        (NodeKind::Sum { terms, bias, sines }, state) => {
            // bias, then the sine bank (mono: rendered once, copied to other channels), then
            // the terms, each channel in term order
            let (first, rest) = out.split_at_mut(block);
            first.fill(*bias);
            if let DspState::Bank { sines: lanes, pos } = state {
                osc::sine_bank(sines, lanes, pos, sample_rate, first);
            }
            for o in rest.chunks_exact_mut(block) {
                o.copy_from_slice(first);
            }
            for (c, o) in out.chunks_exact_mut(block).enumerate() {
                for (p, g) in terms {
                    match r.param(*p, ins, c) {
                        P::Buf(x) if *g == 1.0 => o.iter_mut().zip(x).for_each(|(o, x)| *o += x),
                        P::Buf(x) => o.iter_mut().zip(x).for_each(|(o, x)| *o += g * x),
                        P::Const(v) => o.iter_mut().for_each(|o| *o += g * v),
                    }
                }
            }
        }
        (NodeKind::Unused, _) => {}
        // the voice system / the schedule system has already filled these buffers
        (NodeKind::VoiceBus | NodeKind::Control, _) => {}
        (NodeKind::Output { input }, _) => {
            let (l, rr) = out.split_at_mut(block);
            match r.param(*input, ins, 0) {
                P::Buf(x) => l.copy_from_slice(x),
                P::Const(v) => l.fill(v),
            }
            match r.param(*input, ins, 1) {
                P::Buf(x) => rr.copy_from_slice(x),
                P::Const(v) => rr.fill(v),
            }
        }
        (NodeKind::Ugen { params, .. }, DspState::Kernel(k)) => {
            let mut args = [Arg::ZERO; MAX_ARGS];
            for (a, p) in args.iter_mut().zip(params) {
                *a = Arg { ch: [r.param(*p, ins, 0), r.param(*p, ins, 1)] };
            }
            let cx = KernelCtx { sample_rate, block, channels: out.len() / block };
            k.0.process(&cx, &args[..params.len().min(MAX_ARGS)], out);
        }
        // State of the wrong kind cannot be built by `spawn_graph`; stay silent rather than panic.
        _ => out.fill(0.0),
    }
}

/// Whether every sample is finite, in one vectorisable pass: `x · 0` is ±0 for a finite `x` and
/// NaN for an infinite or NaN one, so the sum is 0 exactly when all are finite.
#[inline]
pub fn all_finite(xs: &[f32]) -> bool {
    let mut acc = [0.0f32; 16];
    let mut chunks = xs.chunks_exact(16);
    for c in &mut chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += x * 0.0;
        }
    }
    let rest: f32 = chunks.remainder().iter().map(|&x| x * 0.0).sum();
    acc.iter().sum::<f32>() + rest == 0.0
}

/// Run one node's kernel, then catch a non-finite output: the block becomes silence, a filter's
/// memory is cleared (so it recovers), and the node is flagged for the engine to report once.
///
/// A kernel that panics is caught here (inside the job, so a rayon worker never re-raises it):
/// its block becomes silence, its state is left alone, and it is muted in `panics` — a muted
/// node outputs silence without running.
fn run_checked(job: &mut Job<'_>, r: &Reader<'_>, sample_rate: f32, out: &mut [f32], nan: &NanFlags, panics: &PanicFlags) {
    if matches!(job.node.kind, NodeKind::Unused) {
        return;
    }
    let index = job.node.index as usize;
    if panics.is_muted(index) {
        out.fill(0.0);
        return;
    }
    // zero-cost unless it unwinds: the kernels' loops are the same functions as without it
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| run(job, r, sample_rate, out))) {
        out.fill(0.0);
        panics.mute(index, Some(payload));
        return;
    }
    if !all_finite(out) {
        out.fill(0.0);
        if let DspState::Filter(states) = &mut *job.state {
            *states = Default::default();
        }
        if let Some(flag) = nan.0.get(job.node.index as usize) {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

/// Step 4: run every node's kernel, stage by stage, in parallel within a stage where it pays.
#[allow(clippy::too_many_arguments)]
pub fn dsp(
    mut nodes: Query<(&Node, &Inputs, &Slot, &mut DspState)>,
    mut arena: ResMut<Arena>,
    prev: Res<PrevArena>,
    stages: Res<Stages>,
    pool: Res<DspPool>,
    transport: Res<Transport>,
    nan: Res<NanFlags>,
    panics: Res<PanicFlags>,
    mut scratch: Local<JobScratch>,
) {
    let _span = tracing::trace_span!("dsp").entered();
    let block = transport.block_len;
    let sample_rate = transport.sample_rate as f32;
    let mut jobs: Vec<Job<'_>> = recycle(std::mem::take(&mut scratch.0));
    for (node, inputs, slot, state) in nodes.iter_mut() {
        jobs.push(Job { node, inputs, slot, state: state.into_inner() });
    }
    // into arena order: each job straight to its rank (O(n) swaps; a sort cost more than all
    // of w1's 1000 sines)
    for i in 0..jobs.len() {
        while (jobs[i].slot.rank as usize) != i && (jobs[i].slot.rank as usize) < jobs.len() {
            let r = jobs[i].slot.rank as usize;
            jobs.swap(i, r);
        }
    }
    debug_assert!(jobs.windows(2).all(|w| w[0].slot.offset <= w[1].slot.offset));
    debug_assert_eq!(jobs.len(), stages.node_count);

    let buf: &mut [f32] = &mut arena.0;
    let prev: &[f32] = &prev.0;
    for g in &stages.groups {
        let _stage = tracing::trace_span!("stage").entered();
        let (earlier, rest) = buf.split_at_mut(g.arena.start);
        let cur = &mut rest[..g.arena.len()];
        let reader = Reader { earlier, prev, block };
        let size = g.channels as usize * block;
        let group_jobs = &mut jobs[g.nodes.clone()];
        match &pool.pool {
            Some(p) if group_jobs.len() > 1 && g.arena.len() >= pool.min_parallel_samples => p.install(|| {
                group_jobs
                    .par_iter_mut()
                    .zip(cur.par_chunks_mut(size))
                    .for_each(|(job, out)| run_checked(job, &reader, sample_rate, out, &nan, &panics))
            }),
            _ => {
                for (job, out) in group_jobs.iter_mut().zip(cur.chunks_mut(size)) {
                    run_checked(job, &reader, sample_rate, out, &nan, &panics);
                }
            }
        }
    }
    scratch.0 = recycle(jobs);
}

#[cfg(test)]
mod tests {
    use super::all_finite;

    #[test]
    fn all_finite_finds_any_nan_or_inf() {
        let mut xs = vec![0.5f32; 517];
        assert!(all_finite(&xs));
        assert!(all_finite(&[]));
        for at in [0, 15, 16, 511, 516] {
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                xs[at] = bad;
                assert!(!all_finite(&xs), "{bad} at {at}");
                xs[at] = -f32::MAX;
                assert!(all_finite(&xs));
            }
        }
    }
}
