//! Hot swap: a running engine hands its clock, its nodes' state and its sounding voices to the
//! engine of an edited scene, at a block boundary, without a click.
//!
//! The work is split by thread:
//! - the **control thread** (which parsed and built the new engine) describes both engines with a
//!   [`SceneIndex`] and pairs them up in a [`SwapPlan`]: this allocates, so it happens there;
//! - the **render thread** runs [`Engine::take_over`](crate::Engine::take_over) between two
//!   blocks: it only moves values from one World to the other, allocating nothing.
//!
//! What survives a swap:
//! - **the clock**: the new engine starts at the old one's next block and cycle position (a new
//!   tempo applies from there on; the cycle does not jump);
//! - **node state**: every node is named by a [`NodeKey`] — the bus or output it belongs to, its
//!   kind, and its place among that bus's nodes of that kind. A node whose key, channel count and
//!   state shape are unchanged takes over the old node's state (oscillator phase, filter memory,
//!   delay and reverb tails, parameter glides): editing a number continues the sound exactly;
//! - **sounding voices**, when the bus they play into, their sample and their instrument still
//!   exist: they ring out in the new scene;
//! - the master limiter's gain.
//!
//! Whatever changed (a node added or removed, a new constant, a voice with nowhere to go) can
//! still make the first new sample differ from the last old one: the new engine bridges that step
//! with an offset that fades out over [`DECLICK_S`] (see [`Declick`]), so the output stays
//! continuous.

use crate::engine::Engine;
use bevy_ecs::prelude::*;
use phonon_components::{BusName, DspState, Inputs, Node, NodeKind, SampleBank, SampleData, Slot, VoicePrograms, VoiceSource};
use std::collections::HashMap;
use std::sync::Arc;

/// How long the step between the old scene's last sample and the new one's first takes to fade.
pub const DECLICK_S: f64 = 0.005;

/// A node's identity across edits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeKey {
    /// The `~bus` or output (`out`, `o1` …) whose graph holds the node.
    pub bus: String,
    /// The node's kind (`"saw"`, `"lpf"`, `"moog"`, `"voices"` …).
    pub kind: &'static str,
    /// Its place among the bus's nodes of that kind, walking from the bus's root through inputs
    /// in argument order.
    pub ordinal: u32,
}

/// What the control thread knows about one built engine: where each keyed node lives, which
/// samples and instruments its voices may use.
#[derive(Debug, Clone, Default)]
pub struct SceneIndex {
    /// Every keyed node: its entity and arena offset.
    pub nodes: HashMap<NodeKey, (Entity, usize)>,
    /// The engine's sample bank, by handle.
    pub bank: Vec<Arc<SampleData>>,
    /// The engine's voice programs, by index.
    pub programs: VoicePrograms,
}

impl SceneIndex {
    /// Describe `engine` (call before it starts rendering elsewhere; allocates).
    pub fn of(engine: &mut Engine) -> SceneIndex {
        SceneIndex::of_world(engine.world_mut())
    }

    /// Describe the World of a built scene (allocates).
    pub fn of_world(world: &mut World) -> SceneIndex {
        let mut roots: Vec<(String, Entity)> = world.query::<(Entity, &BusName)>().iter(world).map(|(e, n)| (n.0.clone(), e)).collect();
        roots.sort();
        let mut named: HashMap<Entity, ()> = roots.iter().map(|&(_, e)| (e, ())).collect();
        let mut nodes = HashMap::new();
        for (bus, root) in &roots {
            let mut counts: HashMap<&'static str, u32> = HashMap::new();
            let mut stack = vec![*root];
            while let Some(e) = stack.pop() {
                let (Some(node), Some(slot)) = (world.get::<Node>(e), world.get::<Slot>(e)) else { continue };
                let kind = node.kind.name();
                let ordinal = counts.entry(kind).or_default();
                nodes.insert(NodeKey { bus: bus.clone(), kind, ordinal: *ordinal }, (e, slot.offset));
                *ordinal += 1;
                if let Some(inputs) = world.get::<Inputs>(e) {
                    // push in reverse so the first argument is walked first; other buses are
                    // their own roots, and each node belongs to the first bus that reaches it
                    for input in inputs.0.iter().rev() {
                        if named.insert(input.source, ()).is_none() {
                            stack.push(input.source);
                        }
                    }
                }
            }
        }
        let bank = world.get_resource::<SampleBank>().map(|b| b.0.clone()).unwrap_or_default();
        let programs = world.get_resource::<VoicePrograms>().cloned().unwrap_or_default();
        SceneIndex { nodes, bank, programs }
    }
}

/// What moves from the old engine to the new one; built on the control thread by
/// [`SwapPlan::new`], carried out on the render thread by
/// [`Engine::take_over`](crate::Engine::take_over).
#[derive(Debug, Clone, Default)]
pub struct SwapPlan {
    /// Nodes with the same key: (old entity, new entity).
    pub states: Vec<(Entity, Entity)>,
    /// Voice buses with the same key: (old arena offset, new arena offset).
    pub targets: Vec<(usize, usize)>,
    /// New sample handle for each old one (`u32::MAX`: gone).
    pub handles: Vec<u32>,
    /// New voice-program index for each old one whose operations are unchanged (`u32::MAX`:
    /// changed or gone).
    pub programs: Vec<u32>,
    /// Carry nothing: no state, no voices (`hush`, `panic`).
    pub cold: bool,
    /// The new scene is the old one unchanged (a save without edits): everything carries over
    /// and the output continues bit-exactly, so nothing is bridged.
    pub identical: bool,
}

impl SwapPlan {
    /// Pair the nodes, voice buses, samples and instruments of `old` and `new`.
    pub fn new(old: &SceneIndex, new: &SceneIndex) -> SwapPlan {
        let mut states = Vec::new();
        let mut targets = Vec::new();
        for (key, &(e_new, off_new)) in &new.nodes {
            if let Some(&(e_old, off_old)) = old.nodes.get(key) {
                states.push((e_old, e_new));
                if key.kind == "voices" {
                    targets.push((off_old, off_new));
                }
            }
        }
        states.sort();
        targets.sort();
        let handles = old.bank.iter().map(|a| new.bank.iter().position(|b| Arc::ptr_eq(a, b)).map_or(u32::MAX, |i| i as u32)).collect();
        let programs = old.programs.0.iter().map(|p| new.programs.0.iter().position(|q| q == p).map_or(u32::MAX, |i| i as u32)).collect();
        SwapPlan { states, targets, handles, programs, cold: false, identical: false }
    }

    /// A swap that keeps only the clock: every node starts fresh and every voice stops.
    pub fn cold() -> SwapPlan {
        SwapPlan { cold: true, ..SwapPlan::default() }
    }

    /// The voice source `s` remapped into the new engine, or `None` if it cannot play there.
    pub(crate) fn remap_source(&self, s: VoiceSource) -> Option<VoiceSource> {
        let map = |table: &[u32], i: u32| table.get(i as usize).copied().filter(|&j| j != u32::MAX);
        Some(match s {
            VoiceSource::Sample { handle, pos, rate, start, stop } => {
                VoiceSource::Sample { handle: map(&self.handles, handle)?, pos, rate, start, stop }
            }
            VoiceSource::Program { program, freq } => VoiceSource::Program { program: map(&self.programs, program)?, freq },
            other => other,
        })
    }

    /// The new arena offset of the voice bus at old offset `target`.
    pub(crate) fn remap_target(&self, target: usize) -> Option<usize> {
        self.targets.binary_search_by_key(&target, |&(o, _)| o).ok().map(|i| self.targets[i].1)
    }
}

/// Can `new` take over `old`'s state? The same variant, and buffers of the same shape.
pub(crate) fn compatible(old: &DspState, new: &DspState) -> bool {
    match (old, new) {
        (DspState::None, DspState::None)
        | (DspState::Osc { .. }, DspState::Osc { .. })
        | (DspState::Noise { .. }, DspState::Noise { .. })
        | (DspState::Filter(_), DspState::Filter(_)) => true,
        (DspState::Delay { lines: a, len: la, .. }, DspState::Delay { lines: b, len: lb, .. }) => la == lb && a.len() == b.len(),
        (DspState::Kernel(a), DspState::Kernel(b)) => a.0.shape() == b.0.shape(),
        // a sum's sine bank: the same number of sines (their frequencies may have moved)
        (DspState::Bank { sines: a, .. }, DspState::Bank { sines: b, .. }) => a.len() == b.len(),
        _ => false,
    }
}

/// Same kind of node, down to the catalogue definition (the key already holds the kind name).
pub(crate) fn same_kind(old: &NodeKind, new: &NodeKind) -> bool {
    match (old, new) {
        (NodeKind::Ugen { def: a, .. }, NodeKind::Ugen { def: b, .. }) => std::ptr::eq(*a, *b),
        (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// The bridge from the old scene's last frame to the new scene's first.
///
/// The new output's first sample may move from the old output's last one at most as far as the
/// old block's own largest sample-to-sample step (a signal that simply goes on stays within
/// that, and is left alone). Where it would move further — a tone appears, stops, or jumps in
/// level — the excess is subtracted from the new output and faded to nothing with a raised
/// cosine over the bridge's length, so the swap is never a bigger step than the music itself
/// makes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Declick {
    /// The old engine's last frame and its largest step, per channel, until the new engine's
    /// first block measures the jump.
    pending: Option<([f32; 2], [f32; 2])>,
    /// The step still being faded, per channel.
    step: [f32; 2],
    /// Frames faded so far, and the fade's length.
    done: u32,
    len: u32,
}

impl Declick {
    /// Bridge from the old engine's last block (interleaved stereo), over `len` frames.
    pub fn start(old_block: &[f32], len: u32) -> Declick {
        let frames = old_block.len() / 2;
        let frame = |i: usize| [old_block[2 * i], old_block[2 * i + 1]];
        let last = if frames == 0 { [0.0; 2] } else { frame(frames - 1) };
        let mut max_delta = [0f32; 2];
        for i in 1..frames {
            for (c, m) in max_delta.iter_mut().enumerate() {
                *m = m.max((old_block[2 * i + c] - old_block[2 * (i - 1) + c]).abs());
            }
        }
        // (a hair of slack: a ramp's steps differ in their last bits)
        let allowed = max_delta.map(|d| d * 1.001 + 1e-6);
        Declick { pending: Some((last, allowed)), step: [0.0; 2], done: 0, len: len.max(1) }
    }

    /// The step still to fade on each channel (0 once done).
    pub fn step(&self) -> [f32; 2] {
        if self.done >= self.len { [0.0; 2] } else { self.step }
    }

    /// Apply to an interleaved stereo block (the new engine's output), keeping every sample
    /// within ±`ceiling`. Allocation-free.
    pub fn apply(&mut self, block: &mut [f32], ceiling: f32) {
        if let Some((last, allowed)) = self.pending.take() {
            for c in 0..2 {
                let first = block.get(c).copied().unwrap_or(0.0);
                let jump = first - last[c];
                self.step[c] = jump.clamp(-allowed[c], allowed[c]) - jump;
            }
            self.done = 0;
        }
        if self.done >= self.len || self.step == [0.0; 2] {
            return;
        }
        for frame in block.chunks_exact_mut(2) {
            if self.done >= self.len {
                break;
            }
            let w = 0.5 + 0.5 * (std::f32::consts::PI * self.done as f32 / self.len as f32).cos();
            for (s, d) in frame.iter_mut().zip(self.step) {
                *s = (*s + d * w).clamp(-ceiling, ceiling);
            }
            self.done += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_that_stops_is_bridged_from_where_it_was() {
        // a constant 0.5 (left) and -0.5 (right) that stops: the bridge starts at ±0.5
        let old = [0.5f32, -0.5].repeat(8);
        let mut d = Declick::start(&old, 4);
        let mut block = vec![0.0f32; 16];
        d.apply(&mut block, 1.0);
        assert!((block[0] - 0.5).abs() < 1e-5 && (block[1] + 0.5).abs() < 1e-5, "{:?}", &block[..2]);
        assert!(block[2] > 0.0 && block[2] < 0.5);
        assert!(block[8..].iter().all(|&s| s == 0.0));
        let mut next = vec![0.25f32; 8];
        d.apply(&mut next, 1.0);
        assert!(next.iter().all(|&s| s == 0.25), "the fade is over");
    }

    #[test]
    fn a_jump_bigger_than_the_old_signal_made_is_cut_to_its_largest_step() {
        // a ramp rising 0.01 per sample, then a new scene starting at 0.5: the first new sample
        // is 0.01 above the last old one, and the bridge fades out from there
        let old: Vec<f32> = (0..16).flat_map(|i| [i as f32 * 0.01, 0.0]).collect();
        let mut d = Declick::start(&old, 8);
        let mut block = [0.5f32, 0.0].repeat(16);
        d.apply(&mut block, 1.0);
        assert!((block[0] - 0.16).abs() < 1e-4, "{}", block[0]);
        let steps: Vec<f32> = block.chunks_exact(2).map(|f| f[0]).collect::<Vec<_>>().windows(2).map(|w| w[1] - w[0]).collect();
        assert!(steps.iter().all(|&s| (0.0..0.1).contains(&s)), "{steps:?}");
        assert!(block[16..].chunks_exact(2).all(|f| f[0] == 0.5), "the bridge is over");
    }

    #[test]
    fn a_signal_that_goes_on_as_it_went_is_left_alone() {
        // a ramp rising 0.01 per sample continues exactly: nothing to bridge
        let old: Vec<f32> = (0..16).flat_map(|i| [i as f32 * 0.01, -(i as f32) * 0.01]).collect();
        let mut d = Declick::start(&old, 4);
        let mut block: Vec<f32> = (16..24).flat_map(|i| [i as f32 * 0.01, -(i as f32) * 0.01]).collect();
        let before = block.clone();
        d.apply(&mut block, 1.0);
        assert_eq!(block, before);
        assert_eq!(d.step(), [0.0; 2]);
    }
}
