//! Voice programs: a small signal graph per voice (`~pad: saw + square * 0.5 # lpf 2000`),
//! rendered block-wise into scratch registers with the same kernels as the node graph.
//!
//! Real-time contract: allocation-free; the registers are the engine's [`VoiceScratch`].

use crate::dsp::{P, arith, filter, osc};
use bevy_ecs::resource::Resource;
use phonon_components::{MAX_VOICE_OPS, OpState, VArg, VOp, VoiceProgram};

/// Scratch registers for voice programs: `MAX_VOICE_OPS × block` floats per thread that renders
/// voices (`new(block × threads)`), allocated once.
#[derive(Resource, Debug, Clone, Default)]
pub struct VoiceScratch(pub Vec<f32>);

impl VoiceScratch {
    /// Zeroed registers for `block` samples: pass `block_len × threads` for several threads.
    pub fn new(block: usize) -> VoiceScratch {
        VoiceScratch(vec![0.0; MAX_VOICE_OPS * block])
    }
}

/// Render `n` samples of `program` at note frequency `freq` into the registers (`stride` floats
/// apart) and return the output register (the last operation's), `n` long.
pub fn render<'r>(
    program: &VoiceProgram,
    state: &mut [OpState; MAX_VOICE_OPS],
    freq: f32,
    n: usize,
    sample_rate: f32,
    regs: &'r mut [f32],
    stride: usize,
) -> &'r [f32] {
    let count = program.ops.len().min(MAX_VOICE_OPS);
    if count == 0 || n == 0 {
        return &regs[..0];
    }
    for (k, op) in program.ops.iter().take(count).enumerate() {
        let (done, rest) = regs.split_at_mut(k * stride);
        let out = &mut rest[..n];
        let done: &[f32] = done;
        let arg = |a: VArg| operand(a, done, stride, n, freq);
        let s = &mut state[k];
        match *op {
            VOp::Const(v) => out.fill(v),
            VOp::Osc { shape, freq } => osc::oscillator(shape, &mut s.phase, arg(freq), sample_rate, out),
            VOp::Noise { .. } => osc::noise(&mut s.noise, out),
            VOp::Binary { op, a, b } => arith::binary(op, arg(a), arg(b), out),
            VOp::Filter { mode, input, cutoff, q } => {
                let x = &done[input as usize * stride..input as usize * stride + n];
                filter::svf(mode, &mut s.svf, x, arg(cutoff), arg(q), sample_rate, out);
            }
        }
    }
    let last = (count - 1) * stride;
    &regs[last..last + n]
}

#[inline]
fn operand(a: VArg, done: &[f32], stride: usize, n: usize, freq: f32) -> P<'_> {
    match a {
        VArg::Const(v) => P::Const(v),
        VArg::Freq => P::Const(freq),
        VArg::Reg(r) => P::Buf(&done[r as usize * stride..r as usize * stride + n]),
    }
}

/// Fresh state for a voice starting `program`: phases at 0, filters empty, noise seeded by
/// the voice (so two voices' noise differs).
pub fn reset(program: &VoiceProgram, state: &mut [OpState; MAX_VOICE_OPS], voice_seed: u64) {
    for (s, op) in state.iter_mut().zip(&program.ops) {
        *s = OpState::default();
        if let VOp::Noise { seed } = op {
            s.noise = (seed ^ (voice_seed as u32).wrapping_mul(0x9E37_79B9)) | 1;
        }
    }
}
