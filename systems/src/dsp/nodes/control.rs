//! Catalogue family: control — shaping and routing signals (`range`, `clip`, …).

use phonon_components::{Arg, ArgDef, Channels, Kernel, KernelCtx, KernelSetup, UgenDef};

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[
    UgenDef {
        name: "range",
        family: "control",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("lo", 0.0, "", "the output for an input of -1"),
            ArgDef::control("hi", 1.0, "", "the output for an input of 1"),
        ],
        channels: Channels::Follow,
        doc: "Maps a bipolar signal (-1..1) linearly onto lo..hi: `sine 0.5 # range 200 2000` sweeps 200–2000.",
        example: "out: saw (sine 0.25 # range 110 220) * 0.2",
        make: |_| Box::new(Range),
    },
    UgenDef {
        name: "clip",
        family: "control",
        effect: true,
        args: &[
            ArgDef::INPUT,
            ArgDef::control("lo", -1.0, "", "the lowest value let through"),
            ArgDef::control("hi", 1.0, "", "the highest value let through"),
        ],
        channels: Channels::Follow,
        doc: "Hard-limits a signal to lo..hi.",
        example: "out: (sine 110 * 4) # clip (-0.5) 0.5",
        make: |_: &KernelSetup<'_>| Box::new(Clip),
    },
];

struct Range;

impl Kernel for Range {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (lo, hi) = (args[1].mono(), args[2].mono());
        for (c, o) in out.chunks_exact_mut(cx.block).enumerate() {
            let x = args[0].ch[c];
            for (i, o) in o.iter_mut().enumerate() {
                let (l, h) = (lo.at(i), hi.at(i));
                *o = l + (x.at(i) + 1.0) * 0.5 * (h - l);
            }
        }
    }
}

struct Clip;

impl Kernel for Clip {
    fn process(&mut self, cx: &KernelCtx, args: &[Arg<'_>], out: &mut [f32]) {
        let (lo, hi) = (args[1].mono(), args[2].mono());
        for (c, o) in out.chunks_exact_mut(cx.block).enumerate() {
            let x = args[0].ch[c];
            for (i, o) in o.iter_mut().enumerate() {
                let (l, h) = (lo.at(i), hi.at(i));
                // NaN-safe: max/min return the number when x is NaN
                *o = x.at(i).max(l.min(h)).min(h.max(l));
            }
        }
    }
}
