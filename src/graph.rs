//! `phonon graph`: the compiled graph as text or Graphviz.

use crate::build::build_graph;
use crate::error::Error;
use crate::scene::Scene;
use phonon_components::{NodeKind, Param};
use std::fmt::Write;

fn param(p: &Param, inputs: &[usize]) -> String {
    match p {
        Param::Const(v) => format!("{v}"),
        Param::Input(i) => format!("#{}", inputs[*i as usize]),
    }
}

fn label(kind: &NodeKind, inputs: &[usize]) -> String {
    let p = |x: &Param| param(x, inputs);
    match kind {
        NodeKind::Constant(v) => format!("constant {v}"),
        NodeKind::Osc { freq, .. } => format!("{} {}", kind.name(), p(freq)),
        NodeKind::Noise { .. } | NodeKind::VoiceBus | NodeKind::Control => kind.name().to_string(),
        NodeKind::Binary { a, b, .. } => format!("{} {} {}", kind.name(), p(a), p(b)),
        NodeKind::Filter { input, cutoff, q, .. } => format!("{} {} cutoff {} q {}", kind.name(), p(input), p(cutoff), p(q)),
        NodeKind::Delay { input, time, feedback, mix, .. } => {
            format!("delay {} time {} feedback {} mix {}", p(input), p(time), p(feedback), p(mix))
        }
        NodeKind::Output { input } => format!("output {}", p(input)),
        NodeKind::Sum { terms, bias, sines } => {
            let mut s = format!("sum {bias}");
            for (x, g) in terms {
                let _ = write!(s, " + {g}·{}", p(x));
            }
            if !sines.is_empty() {
                let _ = write!(s, " + a bank of {} sines", sines.len());
            }
            s
        }
        NodeKind::Unused => "unused (fused into a sum)".to_string(),
        NodeKind::Wavetable { table, freq, position } => format!("wavetable {} {} position {}", table.name, p(freq), p(position)),
        NodeKind::Ugen { def, params } => {
            let mut s = def.name.to_string();
            for (a, x) in def.args.iter().zip(params) {
                let _ = write!(s, " {} {}", a.name, p(x));
            }
            s
        }
    }
}

/// Describe the compiled graph of `scene`: one line per node, grouped by stage, feedback edges
/// marked `(fb)` (they read the previous block); or a Graphviz digraph.
pub fn describe(scene: &Scene, file: &str, dot: bool) -> Result<String, Error> {
    let g = build_graph(scene, file)?;
    let c = phonon_systems::compile(&g.nodes, 512).map_err(phonon_systems::BuildError::from)?;
    let mut out = String::new();
    if dot {
        out.push_str("digraph phonon {\n  rankdir=LR;\n");
        for &v in &c.order {
            let n = &g.nodes[v];
            let name = n.name.as_deref().map(|s| format!("\\n{s}")).unwrap_or_default();
            let _ = writeln!(out, "  n{v} [label=\"#{v} {}{name}\"];", n.kind.name());
            for (k, &u) in n.inputs.iter().enumerate() {
                let style = if c.feedback[v][k] { " [style=dashed, color=red, label=\"previous block\"]" } else { "" };
                let _ = writeln!(out, "  n{u} -> n{v}{style};");
            }
        }
        out.push_str("}\n");
        return Ok(out);
    }
    let stages = c.groups.last().map_or(0, |g| g.stage + 1);
    let fused = g.nodes.len() - c.order.len();
    let fused = if fused > 0 { format!(" ({fused} more fused into sums)") } else { String::new() };
    let _ =
        writeln!(out, "{file}: {} nodes{fused} in {stages} stages ({} floats of buffers per 512-sample block)", c.order.len(), c.arena_len);
    let mut stage = u32::MAX;
    for &v in &c.order {
        if c.stage[v] != stage {
            stage = c.stage[v];
            let _ = writeln!(out, "stage {stage}:");
        }
        let n = &g.nodes[v];
        let name = n
            .name
            .as_deref()
            .map(|s| if crate::build::output_index(s).is_some() { format!("  [{s}]") } else { format!("  [~{s}]") })
            .unwrap_or_default();
        let fb: Vec<String> = n.inputs.iter().enumerate().filter(|(k, _)| c.feedback[v][*k]).map(|(_, u)| format!("#{u}")).collect();
        let fb = if fb.is_empty() { String::new() } else { format!("  (fb: {} read the previous block)", fb.join(", ")) };
        let ch = if c.channels[v] == 2 { " stereo" } else { "" };
        let _ = writeln!(out, "  #{v} {}{ch}{name}{fb}", label(&n.kind, &n.inputs));
    }
    Ok(out)
}
