//! The node catalogue: every [`UgenDef`] by name, and a harness that runs one kernel offline
//! (for unit tests and the per-kernel benchmarks).

use super::nodes;
use phonon_components::{Arg, KernelCtx, KernelSetup, MAX_ARGS, P, UgenDef};

/// Every family's entries, in reference order.
const FAMILIES: &[&[UgenDef]] = &[
    nodes::oscillators::DEFS,
    nodes::filters::DEFS,
    nodes::delays::DEFS,
    nodes::reverbs::DEFS,
    nodes::modulation::DEFS,
    nodes::dynamics::DEFS,
    nodes::distortion::DEFS,
    nodes::control::DEFS,
];

/// Every catalogue entry.
pub fn all() -> impl Iterator<Item = &'static UgenDef> {
    FAMILIES.iter().flat_map(|f| f.iter())
}

/// The entry called `name` (what a musician types), or `None` if there is none.
///
/// ```
/// use phonon_systems::dsp::catalogue;
///
/// let moog = catalogue::find("moog").unwrap();
/// assert_eq!(moog.family, "filters");
/// assert!(moog.effect); // argument 0 is the input, given by `#`
/// assert_eq!(moog.usage(), "moog [CUTOFF] [RES]");
/// assert_eq!(moog.args[1].default, 1000.0); // cutoff, Hz
/// assert!(catalogue::find("nonesuch").is_none());
/// ```
pub fn find(name: &str) -> Option<&'static UgenDef> {
    all().find(|d| d.name == name)
}

/// An argument for [`run`]: a constant, or a mono signal at least `frames` long.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    /// A number, constant for the whole run (what the engine passes for a literal argument).
    Const(f32),
    /// A mono signal, at least `frames` long.
    Mono(&'a [f32]),
    /// Left and right, each at least `frames` long.
    Stereo(&'a [f32], &'a [f32]),
}

/// Run `def` offline for `frames` samples in blocks of `block`, every argument given (use
/// `def.args[i].default` for the ones you don't care about). Returns channel-major output:
/// `channels` runs of `frames`. `channels` is the node's width (1 for `Mono`, 2 for `Stereo`,
/// and for `Follow` the widest audio argument).
pub fn run(def: &UgenDef, args: &[Input<'_>], sample_rate: f32, block: usize, frames: usize) -> (usize, Vec<f32>) {
    assert_eq!(args.len(), def.args.len(), "{}: give every argument", def.name);
    assert!(args.len() <= MAX_ARGS);
    let channels = match def.channels {
        phonon_components::Channels::Mono => 1,
        phonon_components::Channels::Stereo => 2,
        phonon_components::Channels::Follow => {
            if def.args.iter().zip(args).any(|(d, a)| d.audio && matches!(a, Input::Stereo(..))) {
                2
            } else {
                1
            }
        }
    };
    let consts: Vec<Option<f32>> = args
        .iter()
        .map(|a| match a {
            Input::Const(v) => Some(*v),
            _ => None,
        })
        .collect();
    let mut kernel = (def.make)(&KernelSetup { sample_rate, block, channels, consts: &consts });
    let mut out = vec![0.0f32; channels * frames];
    let mut buf = vec![0.0f32; channels * block];
    let mut start = 0;
    while start < frames {
        let n = block.min(frames - start);
        let mut a = [Arg::ZERO; MAX_ARGS];
        for (slot, x) in a.iter_mut().zip(args) {
            *slot = match *x {
                Input::Const(v) => Arg { ch: [P::Const(v), P::Const(v)] },
                Input::Mono(s) => Arg { ch: [P::Buf(&s[start..start + n]), P::Buf(&s[start..start + n])] },
                Input::Stereo(l, r) => Arg { ch: [P::Buf(&l[start..start + n]), P::Buf(&r[start..start + n])] },
            };
        }
        let cx = KernelCtx { sample_rate, block: n, channels };
        let o = &mut buf[..channels * n];
        kernel.process(&cx, &a[..args.len()], o);
        for c in 0..channels {
            out[c * frames + start..c * frames + start + n].copy_from_slice(&o[c * n..(c + 1) * n]);
        }
        start += n;
    }
    (channels, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are unique, argument lists fit, effects take their input first, and every entry
    /// has a doc line and an example that uses it.
    #[test]
    fn catalogue_is_well_formed() {
        let mut names: Vec<&str> = all().map(|d| d.name).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate names in the catalogue");
        for d in all() {
            assert!(d.args.len() <= MAX_ARGS, "{}", d.name);
            assert_eq!(d.effect, d.args.first().is_some_and(|a| a.name == "input"), "{}: effects take `input` first", d.name);
            assert!(!d.doc.is_empty() && d.example.contains(d.name), "{}: doc and example", d.name);
        }
    }

    /// Every kernel, fed its defaults (and a noise input if it is an effect), writes finite
    /// samples at block sizes 1 and 64, and both block sizes agree exactly.
    #[test]
    fn every_kernel_is_finite_and_block_size_independent() {
        let noise: Vec<f32> = (0..4800u32).map(|i| ((i.wrapping_mul(2_654_435_761) >> 8) as f32 / 8_388_608.0) - 1.0).collect();
        for d in all() {
            let args: Vec<Input<'_>> =
                d.args.iter().map(|a| if a.name == "input" { Input::Mono(&noise) } else { Input::Const(a.default) }).collect();
            let (_, a) = run(d, &args, 48_000.0, 1, noise.len());
            let (_, b) = run(d, &args, 48_000.0, 64, noise.len());
            assert!(a.iter().all(|x| x.is_finite()), "{}: non-finite output", d.name);
            assert_eq!(a, b, "{}: block size changes the output", d.name);
        }
    }
}
