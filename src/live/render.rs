//! The render thread: owns the playing [`Engine`], renders blocks ahead into the output ring,
//! and swaps in new scenes at block boundaries.
//!
//! Real-time contract, in steady state: no allocation, no lock, no I/O (except the `--stdout`
//! sink, which writes to the pipe that paces it). New engines arrive through an SPSC ring of
//! boxes; replaced engines leave through another to the retire thread, which drops them.

use super::LiveStatus;
use crate::engine::Engine;
use crate::swap::SwapPlan;
use ringbuf::traits::{Consumer, Observer, Producer};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A new scene on its way to the render thread.
pub struct Pending {
    /// The new scene's engine, built and with its lookahead running (after the swap: the
    /// replaced engine, on its way to the retire thread).
    pub engine: Box<Engine>,
    /// Which nodes and voices of the playing engine carry over into the new one.
    pub plan: SwapPlan,
}

/// Where rendered blocks go.
pub enum Sink {
    /// The device ring (interleaved stereo): the render thread waits for room, the audio
    /// callback pops.
    Ring(ringbuf::Prod<Arc<HeapRb<f32>>>),
    /// A byte stream (standard output): raw little-endian f32, paced by the reader.
    Stream(Box<dyn Write + Send>),
    /// Nowhere (tests drive [`Renderer::render_one`] themselves).
    Discard,
}

/// The render thread's state.
pub struct Renderer {
    engine: Box<Engine>,
    incoming: HeapCons<Box<Pending>>,
    retired: HeapProd<Box<Pending>>,
    /// A replaced engine the retire ring had no room for, sent on the next block.
    limbo: Option<Box<Pending>>,
    sink: Sink,
    /// A copy of every rendered block for `--record` (dropped samples counted if full).
    record: Option<HeapProd<f32>>,
    status: Arc<LiveStatus>,
    /// Stop after this many frames (`--duration` with a stream sink).
    frames_left: Option<u64>,
    bytes: Vec<u8>,
}

/// The rings that connect a [`Renderer`] to its control and retire threads.
pub struct Rings {
    /// For the control thread: push new scenes.
    pub to_render: HeapProd<Box<Pending>>,
    /// For the retire thread: pop replaced engines and drop them.
    pub retired: HeapCons<Box<Pending>>,
}

/// How many scenes may wait for the render thread, and how many old ones for the retire thread.
const SCENE_RING: usize = 8;
const RETIRE_RING: usize = 64;

impl Renderer {
    /// A renderer playing `engine` into `sink` (a copy into `record` if given), publishing to
    /// `status`, stopping after `frames` frames if given; and the rings for its control and
    /// retire threads. Allocates the rings (8 pending scenes, 64 retiring).
    pub fn new(
        engine: Engine,
        sink: Sink,
        record: Option<HeapProd<f32>>,
        status: Arc<LiveStatus>,
        frames: Option<u64>,
    ) -> (Renderer, Rings) {
        let (to_render, incoming) = ringbuf::traits::Split::split(HeapRb::<Box<Pending>>::new(SCENE_RING));
        let (retired_prod, retired) = ringbuf::traits::Split::split(HeapRb::<Box<Pending>>::new(RETIRE_RING));
        let bytes = Vec::with_capacity(engine.block_len() * 2 * 4);
        let r = Renderer {
            engine: Box::new(engine),
            incoming,
            retired: retired_prod,
            limbo: None,
            sink,
            record,
            status,
            frames_left: frames,
            bytes,
        };
        (r, Rings { to_render, retired })
    }

    /// The engine playing now.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Run until `status.stop` is set, the stream sink closes, or the frames run out.
    pub fn run(mut self) {
        phonon_systems::denormals::flush_denormals_to_zero();
        let block = self.engine.block_len();
        let block_time = Duration::from_secs_f64(block as f64 / self.engine.sample_rate() as f64);
        while !self.status.stop.load(Ordering::Acquire) {
            if let Sink::Ring(ring) = &self.sink
                && ring.vacant_len() < 2 * block
            {
                // the ring is full: sleep a fraction of a block, then look again
                std::thread::sleep(block_time / 4);
                continue;
            }
            if !self.render_one() {
                break;
            }
        }
        self.status.stop.store(true, Ordering::Release);
    }

    /// Swap in a waiting scene, if any, then render one block into the sink; false when the
    /// sink is closed or the frames are done.
    pub fn render_one(&mut self) -> bool {
        let started = Instant::now();
        let swapped = self.swap_if_waiting();
        let out = self.engine.process_block();
        let busy = started.elapsed();
        if swapped {
            self.status.swap_busy_ns_max.fetch_max(busy.as_nanos() as u64, Ordering::Relaxed);
        }
        let n = match self.frames_left {
            Some(left) => (left as usize).min(out.len() / 2),
            None => out.len() / 2,
        };
        let out = &out[..2 * n];
        if let Some(rec) = &mut self.record {
            let pushed = rec.push_slice(out);
            if pushed < out.len() {
                self.status.record_dropped.fetch_add((out.len() - pushed) as u64, Ordering::Relaxed);
            }
        }
        let ok = match &mut self.sink {
            Sink::Ring(ring) => {
                ring.push_slice(out);
                true
            }
            Sink::Stream(w) => {
                self.bytes.clear();
                for s in out {
                    self.bytes.extend_from_slice(&s.to_le_bytes());
                }
                w.write_all(&self.bytes).is_ok()
            }
            Sink::Discard => true,
        };
        self.publish(busy, n);
        if let Some(left) = &mut self.frames_left {
            *left -= n as u64;
            if *left == 0 {
                if let Sink::Stream(w) = &mut self.sink {
                    let _ = w.flush();
                }
                return false;
            }
        }
        ok
    }

    /// The last rendered block (interleaved stereo).
    pub fn last_block(&self) -> &[f32] {
        &self.engine.world().resource::<phonon_components::OutputBlock>().0
    }

    /// Swap in the next waiting scene; true if one was.
    fn swap_if_waiting(&mut self) -> bool {
        if let Some(p) = self.limbo.take()
            && let Err(p) = self.retired.try_push(p)
        {
            self.limbo = Some(p);
            return false; // take no new scene until the last one has left
        }
        let Some(mut p) = self.incoming.try_pop() else { return false };
        std::mem::swap(&mut self.engine, &mut p.engine);
        let report = self.engine.take_over(&mut p.engine, &p.plan);
        let s = &self.status;
        s.swaps.fetch_add(1, Ordering::Relaxed);
        s.kept_states.store(report.states as u64, Ordering::Relaxed);
        s.kept_voices.store(report.voices as u64, Ordering::Relaxed);
        s.cps_bits.store(self.engine.cps().to_bits(), Ordering::Relaxed);
        if let Err(p) = self.retired.try_push(p) {
            self.limbo = Some(p);
        }
        true
    }

    fn publish(&self, busy: Duration, frames: usize) {
        let s = &self.status;
        let t = self.engine.transport();
        s.cycle_bits.store(t.arc.1.to_f64().to_bits(), Ordering::Relaxed);
        s.frames.fetch_add(frames as u64, Ordering::Relaxed);
        s.blocks.fetch_add(1, Ordering::Relaxed);
        let ns = busy.as_nanos() as u64;
        s.busy_ns.store(ns, Ordering::Relaxed);
        s.busy_ns_max.fetch_max(ns, Ordering::Relaxed);
        s.voices.store(self.engine.voice_stats().active as u64, Ordering::Relaxed);
    }
}

/// Make a device ring of `frames` stereo frames, filled with silence.
pub fn silent_ring(frames: usize) -> Arc<HeapRb<f32>> {
    let rb = Arc::new(HeapRb::<f32>::new(2 * frames.max(1)));
    let mut prod = ringbuf::Prod::new(rb.clone());
    while prod.try_push(0.0).is_ok() {}
    drop(prod);
    rb
}
