//! Block-level resources: the clock, the buffer arenas, the stage layout, the output mix.

use crate::time::{Rational, TimeError};
use bevy_ecs::prelude::*;
use std::ops::Range;

/// The clock. The cycle position is always computed from the integer sample counter, never
/// accumulated, so it cannot drift: `cycle(n) = origin_cycle + (n - origin_sample) · cps / sr`.
#[derive(Resource, Debug, Clone)]
pub struct Transport {
    /// Samples per second (Hz).
    pub sample_rate: u32,
    /// Samples per block.
    pub block_len: usize,
    /// Cycles per second, exact.
    pub cps: Rational,
    /// The tempo segment: at sample `origin_sample` the cycle was `origin_cycle`.
    pub origin_sample: u64,
    /// The cycle position at `origin_sample`.
    pub origin_cycle: Rational,
    /// First sample of the current block.
    pub block_start: u64,
    /// Blocks rendered so far (the current block's index while systems run).
    pub block_index: u64,
    /// The cycle arc `[begin, end)` of the current block.
    pub arc: (Rational, Rational),
}

impl Transport {
    /// A clock at sample 0 and cycle 0, before the first block, running at `cps` cycles per
    /// second.
    pub fn new(sample_rate: u32, block_len: usize, cps: Rational) -> Transport {
        Transport {
            sample_rate,
            block_len,
            cps,
            origin_sample: 0,
            origin_cycle: Rational::ZERO,
            block_start: 0,
            block_index: 0,
            arc: (Rational::ZERO, Rational::ZERO),
        }
    }

    /// The exact cycle position at absolute sample `n`; [`TimeError`] if it does not fit in
    /// 64-bit rationals.
    ///
    /// ```
    /// use phonon_components::{Rational, Transport};
    ///
    /// // 44.1 kHz, 9/16 cycles per second
    /// let t = Transport::new(44_100, 512, Rational::new(9, 16));
    /// assert_eq!(t.cycle_at(44_100), Ok(Rational::new(9, 16))); // one second in
    /// assert_eq!(t.cycle_at(512), Ok(Rational::new(8, 1_225))); // the end of the first block
    /// ```
    pub fn cycle_at(&self, n: u64) -> Result<Rational, TimeError> {
        let dn = Rational::from_i128(n as i128 - self.origin_sample as i128, self.sample_rate as i128)?;
        self.origin_cycle.checked_add(dn.checked_mul(self.cps)?)
    }

    /// The absolute sample where cycle `c` falls, rounded to the nearest sample (halves up);
    /// [`TimeError`] on overflow.
    ///
    /// ```
    /// use phonon_components::{Rational, Transport};
    ///
    /// // 48 kHz, half a cycle per second: one cycle lasts 96 000 samples
    /// let t = Transport::new(48_000, 512, Rational::new(1, 2));
    /// assert_eq!(t.sample_at(Rational::new(1, 3)), Ok(32_000));
    /// assert_eq!(t.sample_at(Rational::new(1, 7)), Ok(13_714)); // 13 714.28… rounded
    /// ```
    pub fn sample_at(&self, c: Rational) -> Result<i64, TimeError> {
        let dc = c.checked_sub(self.origin_cycle)?;
        let samples = dc.checked_mul(Rational::integer(self.sample_rate as i64))?.checked_div(self.cps)?;
        Ok(self.origin_sample as i64 + samples.round())
    }

    /// Change tempo from the start of the current block on; the cycle position does not jump.
    pub fn set_cps(&mut self, cps: Rational) -> Result<(), TimeError> {
        self.origin_cycle = self.cycle_at(self.block_start)?;
        self.origin_sample = self.block_start;
        self.cps = cps;
        Ok(())
    }
}

/// Every node's block buffer, in one contiguous vector laid out stage by stage.
#[derive(Resource, Debug, Default)]
pub struct Arena(pub Vec<f32>);

/// The previous block's arena (same layout), read by feedback edges. Swapped with [`Arena`]
/// after every block, never copied.
#[derive(Resource, Debug, Default)]
pub struct PrevArena(pub Vec<f32>);

/// A run of nodes of one stage with the same channel count: `nodes` indexes the node order
/// (sorted by arena offset), and their buffers are `arena`, `channels * block_len` floats each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRange {
    /// The stage (topological level) of every node in the group.
    pub stage: u32,
    /// The channel count (1 or 2) of every node in the group.
    pub channels: u8,
    /// The group's nodes, as a range of positions in arena order.
    pub nodes: Range<usize>,
    /// The group's buffers, as a range of arena indices.
    pub arena: Range<usize>,
}

/// The arena layout: groups in execution order. Everything a group reads (without feedback)
/// lies before `arena.start`.
#[derive(Resource, Debug, Clone, Default)]
pub struct Stages {
    /// Every group, in execution order (by stage, then channels).
    pub groups: Vec<GroupRange>,
    /// How many nodes have a buffer (the length of the arena order).
    pub node_count: usize,
}

/// The output nodes' arena offsets (stereo buffers), in mixing order.
#[derive(Resource, Debug, Clone, Default)]
pub struct Outputs(pub Vec<usize>);

/// This block's interleaved stereo output, `2 * block_len` floats.
#[derive(Resource, Debug, Clone, Default)]
pub struct OutputBlock(pub Vec<f32>);

/// The master limiter: its ceiling (linear, 1.0 = 0 dBFS), its current gain and its release
/// coefficient, and how many frames it has had to turn down (for the status line).
#[derive(Resource, Debug, Clone, Copy)]
pub struct MasterLimiter {
    /// The largest absolute sample value let out (linear, 1.0 = 0 dBFS).
    pub ceiling: f32,
    /// The gain applied now (1.0: not limiting).
    pub gain: f32,
    /// Per-sample recovery toward unity: `gain += (1 - gain) * release`.
    pub release: f32,
    /// Stereo frames turned down so far.
    pub limited_frames: u64,
}

impl MasterLimiter {
    /// Ceiling 0 dBFS, 100 ms release time constant.
    pub fn new(sample_rate: u32) -> MasterLimiter {
        MasterLimiter { ceiling: 1.0, gain: 1.0, release: 1.0 - (-1.0 / (0.1 * sample_rate.max(1) as f32)).exp(), limited_frames: 0 }
    }
}

/// Nodes whose output went non-finite (NaN/Inf): their output was replaced by silence. One flag
/// per node index, set by the DSP system (lock-free) and reported once, off the render path, by
/// the engine — or by another thread holding a clone of the `Arc` (live mode's main thread).
#[derive(Resource, Debug, Default)]
pub struct NanFlags(pub std::sync::Arc<[std::sync::atomic::AtomicBool]>);

/// Voice pool accounting, read by the profiler and the status line.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct VoiceStats {
    /// Voices in the pool.
    pub capacity: usize,
    /// Voices sounding after the last block.
    pub active: usize,
    /// Voices started so far.
    pub started: u64,
    /// Events that found the pool full and were not played.
    pub dropped: u64,
    /// Voices faded out early to keep room in the pool.
    pub stolen: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The clock is exact: cycle ↔ sample round-trips, and a tempo change at a block boundary
    /// keeps the cycle position continuous.
    #[test]
    fn transport_is_exact_across_tempo_changes() {
        let mut t = Transport::new(44_100, 512, Rational::new(9, 16));
        assert_eq!(t.cycle_at(44_100).unwrap(), Rational::new(9, 16));
        assert_eq!(t.sample_at(Rational::new(1, 3)).unwrap(), (44_100.0f64 * 16.0 / 27.0).round() as i64);
        t.block_start = 512 * 1000;
        let before = t.cycle_at(t.block_start).unwrap();
        t.set_cps(Rational::new(13, 10)).unwrap();
        assert_eq!(t.cycle_at(t.block_start).unwrap(), before);
        let later = t.cycle_at(t.block_start + 44_100).unwrap();
        assert_eq!(later - before, Rational::new(13, 10));
        // after ten hours the position is still exact, no drift
        let n = 44_100u64 * 36_000;
        assert_eq!(t.cycle_at(t.block_start + n).unwrap() - before, Rational::new(13 * 36_000, 10));
    }
}
