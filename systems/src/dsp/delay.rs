//! Delay line with internal feedback and dry/wet mix, linear interpolation.
//!
//! When the delay's audio input arrives over a feedback edge (it closes a cycle in the graph),
//! that input is one block late; the delay compensates by reading one block less far back, so
//! echoes land at exactly the requested time whenever `time ≥ one block`. Shorter times inside
//! a cycle are clamped to one block (+1 sample). Real-time contract: allocation-free.
//!
//! Cost: with `time`, `feedback` and `mix` constant for the block (the common case) the read
//! offset is computed once and the block runs in runs of at most `time` samples, none of which
//! wraps the line, so every run reads what earlier runs wrote and vectorises; what is written
//! back is saturated only where |w| > 1 (a second pass over the run, rarely taken).

use super::P;

/// What goes back into the line: `w` itself for |w| ≤ 1, else soft-saturated (bounded by 1.5)
/// so feedback ≥ 1 cannot explode.
#[inline(always)]
fn saturate(w: f32) -> f32 {
    if w.abs() > 1.0 { w.signum() * (1.0 + (w.abs() - 1.0).tanh() * 0.5).min(1.5) } else { w }
}

/// Delay one channel. `line` is this channel's circular buffer, `pos` the write head (shared
/// by all channels, so the caller advances it once per block via the returned value).
#[allow(clippy::too_many_arguments)]
pub fn delay(
    line: &mut [f32],
    pos: usize,
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
    let back_at = |t: f32| (t * sample_rate - late_by).clamp(1.0, max_back);
    match (time, feedback, mix) {
        (P::Const(t), P::Const(fb), P::Const(m)) => delay_const(line, pos, input, back_at(t), fb, m, out),
        _ => {
            let mut pos = pos;
            for (i, (o, &x)) in out.iter_mut().zip(input).enumerate() {
                let back = back_at(time.at(i));
                let whole = back.floor();
                let frac = back - whole;
                // 1 ≤ whole ≤ len - 2: both reads are behind the write head without `%`
                let w = whole as usize;
                let i0 = if pos >= w { pos - w } else { pos + len - w };
                let i1 = if i0 >= 1 { i0 - 1 } else { len - 1 };
                let y = line[i0] + frac * (line[i1] - line[i0]);
                line[pos] = saturate(x + feedback.at(i) * y);
                pos += 1;
                if pos == len {
                    pos = 0;
                }
                let m = mix.at(i);
                *o = x + m * (y - x);
            }
            pos
        }
    }
}

/// [`delay`] with a constant read offset `back` (already clamped to `1..=len-2`), feedback
/// and mix: the same arithmetic per sample, run by run.
fn delay_const(line: &mut [f32], mut pos: usize, input: &[f32], back: f32, fb: f32, m: f32, out: &mut [f32]) -> usize {
    let len = line.len();
    let whole = back.floor();
    let frac = back - whole;
    let whole = whole as usize;
    let n = out.len().min(input.len());
    let mut k = 0;
    while k < n {
        // read at i0 (and i0 - 1), write at pos = i0 + whole: a run no longer than `whole`
        // reads only samples written before it, and is cut where any of the three wraps
        let i0 = if pos >= whole { pos - whole } else { pos + len - whole };
        if i0 == 0 {
            // the older read wraps to the line's end: one sample on its own
            let y = line[0] + frac * (line[len - 1] - line[0]);
            let x = input[k];
            line[pos] = saturate(x + fb * y);
            out[k] = x + m * (y - x);
            pos = if pos + 1 == len { 0 } else { pos + 1 };
            k += 1;
            continue;
        }
        let run = (n - k).min(whole).min(len - 1 - whole).min(len - pos).min(len - i0);
        // the run's reads line[i0 - 1 .. i0 + run] lie before its writes line[pos .. pos + run]
        // (run ≤ whole) or, when the write head has wrapped and the reads have not, after them
        // (run ≤ len - 1 - whole; the line is longer than the longest time by a block, so this
        // never shortens a run in the engine)
        let (reads, writes) = if i0 < pos {
            let (a, b) = line.split_at_mut(pos);
            (&a[i0 - 1..i0 + run], &mut b[..run])
        } else {
            let (a, b) = line.split_at_mut(i0 - 1);
            (&b[..run + 1], &mut a[pos..pos + run])
        };
        let (x, o) = (&input[k..k + run], &mut out[k..k + run]);
        let (older, newer) = (&reads[..run], &reads[1..]);
        let mut over = false;
        for ((((o, w), &x), &a), &b) in o.iter_mut().zip(writes.iter_mut()).zip(x).zip(newer).zip(older) {
            // a is line[i0], b line[i0 - 1]
            let y = a + frac * (b - a);
            let v = x + fb * y;
            over |= v.abs() > 1.0;
            *w = v;
            *o = x + m * (y - x);
        }
        if over {
            // rare: saturate what went back into the line
            for w in writes.iter_mut() {
                *w = saturate(*w);
            }
        }
        pos += run;
        if pos == len {
            pos = 0;
        }
        k += run;
    }
    pos
}
