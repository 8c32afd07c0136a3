//! Delay line with internal feedback and dry/wet mix, linear interpolation.
//!
//! When the delay's audio input arrives over a feedback edge (it closes a cycle in the graph),
//! that input is one block late; the delay compensates by reading one block less far back, so
//! echoes land at exactly the requested time whenever `time ≥ one block`. Shorter times inside
//! a cycle are clamped to one block (+1 sample). Real-time contract: allocation-free.

use super::P;

/// Delay one channel. `line` is this channel's circular buffer, `pos` the write head (shared
/// by all channels, so the caller advances it once per block via the returned value).
#[allow(clippy::too_many_arguments)]
pub fn delay(
    line: &mut [f32],
    mut pos: usize,
    input: &[f32],
    time: P<'_>,
    feedback: P<'_>,
    mix: P<'_>,
    sample_rate: f32,
    late_by: f32,
    out: &mut [f32],
) -> usize {
    let len = line.len();
    let max_back = (len - 2) as f32;
    for (i, (o, &x)) in out.iter_mut().zip(input).enumerate() {
        let back = (time.at(i) * sample_rate - late_by).clamp(1.0, max_back);
        let whole = back.floor();
        let frac = back - whole;
        let i0 = (pos + len - whole as usize) % len;
        let i1 = (i0 + len - 1) % len;
        let y = line[i0] + frac * (line[i1] - line[i0]);
        // soft-saturate what goes back into the line so feedback >= 1 cannot explode
        let fb = feedback.at(i);
        let w = x + fb * y;
        line[pos] = if w.abs() > 1.0 { w.signum() * (1.0 + (w.abs() - 1.0).tanh() * 0.5).min(1.5) } else { w };
        pos = (pos + 1) % len;
        let m = mix.at(i);
        *o = x + m * (y - x);
    }
    pos
}
