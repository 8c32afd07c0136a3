//! Graph compilation — runs when the scene changes, never per block.
//!
//! 1. Find the strongly connected components (Kosaraju, iterative: no recursion, any depth).
//! 2. Break every cycle at a *feedback edge*, which reads the source's **previous block**:
//!    first the audio inputs of delay nodes inside a cycle (the delay compensates the block of
//!    latency, so echoes stay exact), then any remaining back edge found by a depth-first walk
//!    in node order. Elsewhere a feedback edge adds one block of delay — documented, and shown by
//!    `phonon graph`.
//! 3. Stage levels: the longest path over non-feedback edges (Kahn's algorithm).
//! 4. Channels: fixed for sources and outputs, otherwise the widest audio input.
//! 5. Slots: nodes sorted by (stage, channels, index), so every stage's mono and stereo nodes are
//!    each one contiguous range of the arena.

use phonon_components::{BinaryOp, GroupRange, NodeKind, OscShape, Param};

/// One node of a graph before compilation.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    /// What the node computes; its [`Param::Input`]s index `inputs`.
    pub kind: NodeKind,
    /// Source node indices, in the order the kind's [`Param::Input`] indices name them.
    pub inputs: Vec<usize>,
    /// The `~bus` or output name this node is the root of, if any.
    pub name: Option<String>,
}

/// A compiled layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    /// Node indices in arena order.
    pub order: Vec<usize>,
    /// Per node (by index): start of its buffer in the arena.
    pub offset: Vec<usize>,
    /// Per node (by index): output channels, 1 or 2.
    pub channels: Vec<u8>,
    /// Per node (by index): stage, the longest path to it over non-feedback edges.
    pub stage: Vec<u32>,
    /// Per node, per input: is that edge a feedback edge?
    pub feedback: Vec<Vec<bool>>,
    /// Runs of nodes of one stage and channel count, in execution order.
    pub groups: Vec<GroupRange>,
    /// Floats in the arena: every node's `channels × block_len`.
    pub arena_len: usize,
}

/// A graph that cannot be compiled. These are programming errors of the scene builder, but they
/// are reported, never panicked on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// An entry of a node's `inputs` is not a node index.
    #[error("node {node} ({kind}) reads input {input}, but only nodes 0..{count} exist")]
    MissingNode {
        /// The reading node's index.
        node: usize,
        /// Its kind's name ([`NodeKind::name`]).
        kind: &'static str,
        /// The index it reads.
        input: usize,
        /// How many nodes the graph has.
        count: usize,
    },
    /// A node's [`Param::Input`] names an input the node does not have.
    #[error("node {node} ({kind}) names parameter input #{index}, but has only {inputs} inputs")]
    MissingInput {
        /// The node's index.
        node: usize,
        /// Its kind's name ([`NodeKind::name`]).
        kind: &'static str,
        /// The input index its parameter names.
        index: u8,
        /// How many inputs it has.
        inputs: usize,
    },
}

fn params(kind: &NodeKind) -> Vec<Param> {
    match kind {
        NodeKind::Osc { freq, .. } => vec![*freq],
        NodeKind::Binary { a, b, .. } => vec![*a, *b],
        NodeKind::Filter { input, cutoff, q, .. } => vec![*input, *cutoff, *q],
        NodeKind::Delay { input, time, feedback, mix, .. } => vec![*input, *time, *feedback, *mix],
        NodeKind::Output { input } => vec![*input],
        NodeKind::Ugen { params, .. } => params.clone(),
        NodeKind::Wavetable { freq, position, .. } => vec![*freq, *position],
        NodeKind::Sum { terms, .. } => terms.iter().map(|(p, _)| *p).collect(),
        NodeKind::Constant(_) | NodeKind::Noise { .. } | NodeKind::VoiceBus | NodeKind::Control | NodeKind::Unused => vec![],
    }
}

/// Strongly connected component id per node (Kosaraju, iterative). Edges: input → consumer.
fn scc(nodes: &[NodeSpec]) -> Vec<usize> {
    let n = nodes.len();
    let mut consumers = vec![Vec::new(); n];
    for (v, node) in nodes.iter().enumerate() {
        for &u in &node.inputs {
            consumers[u].push(v);
        }
    }
    // pass 1: finish order on the forward graph (input → consumer)
    let mut seen = vec![false; n];
    let mut finish = Vec::with_capacity(n);
    for s in 0..n {
        if seen[s] {
            continue;
        }
        seen[s] = true;
        let mut stack = vec![(s, 0usize)];
        while let Some((v, i)) = stack.last_mut() {
            if let Some(&w) = consumers[*v].get(*i) {
                *i += 1;
                if !seen[w] {
                    seen[w] = true;
                    stack.push((w, 0));
                }
            } else {
                finish.push(*v);
                stack.pop();
            }
        }
    }
    // pass 2: on the transposed graph (consumer → input), in reverse finish order
    let mut comp = vec![usize::MAX; n];
    let mut c = 0;
    for &s in finish.iter().rev() {
        if comp[s] != usize::MAX {
            continue;
        }
        comp[s] = c;
        let mut stack = vec![s];
        while let Some(v) = stack.pop() {
            for &u in &nodes[v].inputs {
                if comp[u] == usize::MAX {
                    comp[u] = c;
                    stack.push(u);
                }
            }
        }
        c += 1;
    }
    comp
}

/// A linear combination of node outputs: `bias + Σ gain·node`.
#[derive(Debug, Clone, Default)]
struct Linear {
    terms: Vec<(usize, f32)>,
    bias: f32,
}

impl Linear {
    fn scaled(mut self, k: f32) -> Linear {
        self.terms.iter_mut().for_each(|t| t.1 *= k);
        self.bias *= k;
        self
    }
}

/// Fuse trees of `+`, `-` and products (or quotients) with numbers into [`NodeKind::Sum`]
/// nodes: `sine 100 * 0.001 + sine 103.7 * 0.001 + …` becomes one node reading every sine. A
/// node is folded into the sum that consumes it when it is linear itself, has no other
/// consumer, is no bus or output root, and is not on a feedback cycle; folded nodes become
/// [`NodeKind::Unused`] (indices stay valid). The terms keep the nodes' left-to-right order,
/// so a left-nested chain of scaled terms sums exactly as before, bit for bit; where a product
/// scales a whole sum (`(a + b) * 0.5`) the scale moves onto each term, which can change the
/// last bit.
pub fn fuse_sums(nodes: &mut [NodeSpec]) {
    let n = nodes.len();
    let mut consumers = vec![0usize; n];
    for node in nodes.iter() {
        for &u in &node.inputs {
            if u < n {
                consumers[u] += 1;
            }
        }
    }
    let comp = scc(nodes);
    let mut comp_size = vec![0usize; n];
    for &c in &comp {
        comp_size[c] += 1;
    }
    let self_loop = |v: usize| nodes[v].inputs.contains(&v);
    let on_cycle: Vec<bool> = (0..n).map(|v| comp_size[comp[v]] > 1 || self_loop(v)).collect();
    let linear_kind = |kind: &NodeKind| match kind {
        NodeKind::Binary { op: BinaryOp::Add | BinaryOp::Sub, .. } => true,
        NodeKind::Binary { op: BinaryOp::Mul, a, b } => matches!(a, Param::Const(_)) || matches!(b, Param::Const(_)),
        NodeKind::Binary { op: BinaryOp::Div, b: Param::Const(k), .. } => k.abs() > 1e-6,
        _ => false,
    };
    let is_linear: Vec<bool> = nodes.iter().enumerate().map(|(v, node)| !on_cycle[v] && linear_kind(&node.kind)).collect();
    // which node consumes v (when exactly one does)
    let mut consumer = vec![usize::MAX; n];
    for (v, node) in nodes.iter().enumerate() {
        for &u in &node.inputs {
            if u < n {
                consumer[u] = v;
            }
        }
    }
    let can_absorb: Vec<bool> =
        (0..n).map(|u| is_linear[u] && consumers[u] == 1 && nodes[u].name.is_none() && is_linear[consumer[u]]).collect();
    let absorbable = |u: usize| can_absorb[u];
    // the linear form of node v, expanding absorbable inputs (iteratively: chains are deep)
    fn form(v: usize, nodes: &[NodeSpec], absorbable: &dyn Fn(usize) -> bool, absorbed: &mut Vec<usize>) -> Linear {
        let NodeKind::Binary { op, a, b } = &nodes[v].kind else { return Linear { terms: vec![(v, 1.0)], bias: 0.0 } };
        let operand = |p: &Param, absorbed: &mut Vec<usize>| -> Linear {
            match p {
                Param::Const(c) => Linear { terms: Vec::new(), bias: *c },
                Param::Input(i) => {
                    let u = nodes[v].inputs[*i as usize];
                    if absorbable(u) {
                        absorbed.push(u);
                        form(u, nodes, absorbable, absorbed)
                    } else {
                        Linear { terms: vec![(u, 1.0)], bias: 0.0 }
                    }
                }
            }
        };
        match (op, a, b) {
            (BinaryOp::Mul, Param::Const(k), x) | (BinaryOp::Mul, x, Param::Const(k)) => operand(x, absorbed).scaled(*k),
            (BinaryOp::Div, x, Param::Const(k)) => operand(x, absorbed).scaled(1.0 / *k),
            (BinaryOp::Add | BinaryOp::Sub, a, b) => {
                let mut l = operand(a, absorbed);
                let r = operand(b, absorbed);
                let sign = if *op == BinaryOp::Sub { -1.0 } else { 1.0 };
                l.terms.extend(r.terms.into_iter().map(|(u, g)| (u, g * sign)));
                l.bias += sign * r.bias;
                l
            }
            _ => Linear { terms: vec![(v, 1.0)], bias: 0.0 },
        }
    }
    for v in 0..n {
        if !is_linear[v] || absorbable(v) {
            continue;
        }
        let mut absorbed = Vec::new();
        let lin = form(v, nodes, &absorbable, &mut absorbed);
        let mut inputs = Vec::with_capacity(lin.terms.len());
        let mut terms = Vec::with_capacity(lin.terms.len());
        let mut sines = Vec::new();
        for (u, g) in lin.terms {
            // a constant sine read only here renders inside the sum
            if let NodeKind::Osc { shape: OscShape::Sine, freq: Param::Const(f) } = nodes[u].kind
                && consumers[u] == 1
                && nodes[u].name.is_none()
                && !on_cycle[u]
            {
                sines.push((f, g));
                absorbed.push(u);
                continue;
            }
            terms.push((Param::Input(inputs.len() as u8), g));
            inputs.push(u);
        }
        if absorbed.is_empty() || inputs.len() > u8::MAX as usize + 1 {
            continue; // nothing to gain; or too many inputs (they are named by a byte)
        }
        nodes[v].kind = NodeKind::Sum { terms, bias: lin.bias, sines };
        nodes[v].inputs = inputs;
        for u in absorbed {
            nodes[u].kind = NodeKind::Unused;
            nodes[u].inputs.clear();
        }
    }
}

/// Compile `nodes` for blocks of `block_len` samples: feedback edges, stages, channels and the
/// arena layout (steps 1–5 of the [module docs](self)). Allocates; never runs per block.
/// [`GraphError`] if an input index is out of range.
///
/// An output (node 0) reading a sine (node 1): the sine runs first, in stage 0, and its mono
/// buffer comes first in the arena; the output is stereo.
///
/// ```
/// use phonon_components::{NodeKind, OscShape, Param};
/// use phonon_systems::{NodeSpec, compile};
///
/// let out = NodeSpec { kind: NodeKind::Output { input: Param::Input(0) }, inputs: vec![1], name: Some("out".into()) };
/// let sine = NodeSpec { kind: NodeKind::Osc { shape: OscShape::Sine, freq: Param::Const(440.0) }, inputs: vec![], name: None };
/// let c = compile(&[out, sine], 64).unwrap();
/// assert_eq!(c.order, [1, 0]); // arena order: the sine, then the output
/// assert_eq!(c.stage, [1, 0]); // per node index
/// assert_eq!(c.channels, [2, 1]);
/// assert_eq!(c.offset, [64, 0]);
/// assert_eq!(c.arena_len, 64 + 2 * 64);
/// assert_eq!(c.feedback, [vec![false], vec![]]);
/// ```
pub fn compile(nodes: &[NodeSpec], block_len: usize) -> Result<Compiled, GraphError> {
    let n = nodes.len();
    for (v, node) in nodes.iter().enumerate() {
        for &u in &node.inputs {
            if u >= n {
                return Err(GraphError::MissingNode { node: v, kind: node.kind.name(), input: u, count: n });
            }
        }
        for p in params(&node.kind) {
            if let Param::Input(i) = p
                && i as usize >= node.inputs.len()
            {
                return Err(GraphError::MissingInput { node: v, kind: node.kind.name(), index: i, inputs: node.inputs.len() });
            }
        }
    }

    // 1–2: feedback edges
    let comp = scc(nodes);
    let mut feedback: Vec<Vec<bool>> = nodes.iter().map(|nd| vec![false; nd.inputs.len()]).collect();
    for (v, node) in nodes.iter().enumerate() {
        if let NodeKind::Delay { input: Param::Input(i), .. } = node.kind {
            let u = node.inputs[i as usize];
            if comp[u] == comp[v] {
                feedback[v][i as usize] = true;
            }
        }
    }
    // depth-first walk from each node along (non-feedback) inputs; an input already on the
    // stack closes a cycle: mark that edge feedback.
    const NEW: u8 = 0;
    const ON_STACK: u8 = 1;
    const DONE: u8 = 2;
    let mut mark = vec![NEW; n];
    for s in 0..n {
        if mark[s] != NEW {
            continue;
        }
        mark[s] = ON_STACK;
        let mut stack = vec![(s, 0usize)];
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            if *i < nodes[v].inputs.len() {
                let k = *i;
                *i += 1;
                if feedback[v][k] {
                    continue;
                }
                let u = nodes[v].inputs[k];
                match mark[u] {
                    NEW => {
                        mark[u] = ON_STACK;
                        stack.push((u, 0));
                    }
                    ON_STACK => feedback[v][k] = true,
                    _ => {}
                }
            } else {
                mark[v] = DONE;
                stack.pop();
            }
        }
    }

    // 3: stage levels by Kahn's algorithm on non-feedback edges
    let mut indeg = vec![0usize; n];
    let mut consumers = vec![Vec::new(); n];
    for (v, node) in nodes.iter().enumerate() {
        for (k, &u) in node.inputs.iter().enumerate() {
            if !feedback[v][k] {
                indeg[v] += 1;
                consumers[u].push(v);
            }
        }
    }
    let mut stage = vec![0u32; n];
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut topo = Vec::with_capacity(n);
    while let Some(u) = queue.pop_front() {
        topo.push(u);
        for &v in &consumers[u] {
            stage[v] = stage[v].max(stage[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push_back(v);
            }
        }
    }
    debug_assert_eq!(topo.len(), n, "every cycle was broken");

    // 4: channels, to a fixed point (feedback edges can carry width backwards)
    let mut channels: Vec<u8> = nodes.iter().map(|nd| nd.kind.fixed_channels().unwrap_or(1)).collect();
    loop {
        let mut changed = false;
        for &v in &topo {
            if nodes[v].kind.fixed_channels().is_some() {
                continue;
            }
            let want = nodes[v].kind.audio_inputs().iter().map(|&i| channels[nodes[v].inputs[i as usize]]).max().unwrap_or(1);
            if want > channels[v] {
                channels[v] = want;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    // 5: slots and groups
    // (a node fused into a sum gets no buffer and no place in the order: it is never run)
    let mut order: Vec<usize> = (0..n).filter(|&v| !matches!(nodes[v].kind, NodeKind::Unused)).collect();
    order.sort_by_key(|&v| (stage[v], channels[v], v));
    let mut offset = vec![0usize; n];
    let mut groups: Vec<GroupRange> = Vec::new();
    let mut at = 0usize;
    for (pos, &v) in order.iter().enumerate() {
        let size = channels[v] as usize * block_len;
        match groups.last_mut() {
            Some(g) if g.stage == stage[v] && g.channels == channels[v] => {
                g.nodes.end = pos + 1;
                g.arena.end = at + size;
            }
            _ => groups.push(GroupRange { stage: stage[v], channels: channels[v], nodes: pos..pos + 1, arena: at..at + size }),
        }
        offset[v] = at;
        at += size;
    }
    Ok(Compiled { order, offset, channels, stage, feedback, groups, arena_len: at })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: NodeKind, inputs: &[usize]) -> NodeSpec {
        NodeSpec { kind, inputs: inputs.to_vec(), name: None }
    }

    fn osc(f: f32) -> NodeSpec {
        spec(NodeKind::Osc { shape: OscShape::Saw, freq: Param::Const(f) }, &[])
    }

    /// Constant sines read only by the sum render inside it; a shared one keeps its node.
    #[test]
    fn constant_sines_become_the_sums_bank() {
        use BinaryOp::*;
        let (i0, i1, c) = (Param::Input(0), Param::Input(1), Param::Const);
        let sine = |f| spec(NodeKind::Osc { shape: OscShape::Sine, freq: c(f) }, &[]);
        let mut nodes = vec![
            sine(100.0),                // 0: only in the sum
            sine(200.0),                // 1: also read by 5
            bin(Mul, i0, c(0.5), &[0]), // 2
            bin(Add, i0, i1, &[2, 1]),  // 3: the root
            spec(NodeKind::Output { input: i0 }, &[3]),
            spec(NodeKind::Output { input: i0 }, &[1]),
        ];
        fuse_sums(&mut nodes);
        let NodeKind::Sum { terms, sines, .. } = &nodes[3].kind else { panic!("{:?}", nodes[3].kind) };
        assert_eq!(sines, &vec![(100.0, 0.5)]);
        assert_eq!((terms.len(), &nodes[3].inputs), (1, &vec![1]));
        assert!(matches!(nodes[0].kind, NodeKind::Unused) && matches!(nodes[2].kind, NodeKind::Unused));
        assert!(matches!(nodes[1].kind, NodeKind::Osc { .. }));
        compile(&nodes, 64).expect("the fused graph compiles");
    }

    fn bin(op: BinaryOp, a: Param, b: Param, inputs: &[usize]) -> NodeSpec {
        spec(NodeKind::Binary { op, a, b }, inputs)
    }

    /// `(s0 * 0.5 + s1 * 0.25 - s2) + 1` → one sum; its inner nodes become unused.
    #[test]
    fn linear_trees_fuse_into_one_sum() {
        use BinaryOp::*;
        let (i0, i1, c) = (Param::Input(0), Param::Input(1), Param::Const);
        let mut nodes = vec![
            osc(100.0),                  // 0
            osc(200.0),                  // 1
            osc(300.0),                  // 2
            bin(Mul, i0, c(0.5), &[0]),  // 3
            bin(Mul, c(0.25), i0, &[1]), // 4
            bin(Add, i0, i1, &[3, 4]),   // 5
            bin(Sub, i0, i1, &[5, 2]),   // 6
            bin(Add, i0, c(1.0), &[6]),  // 7: the root
            spec(NodeKind::Output { input: i0 }, &[7]),
        ];
        fuse_sums(&mut nodes);
        let NodeKind::Sum { terms, bias, .. } = &nodes[7].kind else { panic!("{:?}", nodes[7].kind) };
        assert_eq!(nodes[7].inputs, vec![0, 1, 2]);
        let gains: Vec<f32> = terms.iter().map(|t| t.1).collect();
        assert_eq!(gains, vec![0.5, 0.25, -1.0]);
        assert_eq!(*bias, 1.0);
        for (v, node) in nodes.iter().enumerate().take(7).skip(3) {
            assert!(matches!(node.kind, NodeKind::Unused) && node.inputs.is_empty(), "node {v}");
        }
        compile(&nodes, 64).expect("the fused graph compiles");
    }

    /// Shared, named and cyclic nodes keep their own buffers.
    #[test]
    fn shared_named_and_cyclic_nodes_are_not_fused() {
        use BinaryOp::*;
        let (i0, i1, c) = (Param::Input(0), Param::Input(1), Param::Const);
        let mut nodes = vec![
            osc(100.0),                 // 0
            bin(Mul, i0, c(0.5), &[0]), // 1: read by 2 and 3
            bin(Add, i0, i0, &[1]),     // 2
            bin(Add, i0, i1, &[1, 2]),  // 3
            bin(Mul, i0, c(0.5), &[0]), // 4: a bus root
            bin(Add, i0, c(1.0), &[4]), // 5
            bin(Add, i0, i1, &[0, 7]),  // 6: cycle 6 → 7 → 6
            bin(Mul, i0, c(0.9), &[6]), // 7
        ];
        nodes[4].name = Some("bus".into());
        fuse_sums(&mut nodes);
        assert!(matches!(nodes[1].kind, NodeKind::Binary { .. }), "shared");
        assert!(matches!(nodes[4].kind, NodeKind::Binary { .. }), "named");
        assert!(matches!(nodes[6].kind, NodeKind::Binary { .. }) && matches!(nodes[7].kind, NodeKind::Binary { .. }), "cycle");
        // 3 = 1 + (1 + 1): node 2 has one consumer, so it folds into 3
        let NodeKind::Sum { terms, .. } = &nodes[3].kind else { panic!("{:?}", nodes[3].kind) };
        assert_eq!((terms.len(), &nodes[3].inputs), (3, &vec![1, 1, 1]));
        assert!(matches!(nodes[2].kind, NodeKind::Unused));
    }

    /// `x = in + 0.5·delay(x)`: the cycle breaks at the delay's input, stages are ordered.
    #[test]
    fn feedback_cycle_breaks_at_the_delay() {
        let nodes = vec![
            spec(NodeKind::Osc { shape: OscShape::Impulse, freq: Param::Const(1.0) }, &[]), // 0 in
            spec(NodeKind::Binary { op: BinaryOp::Add, a: Param::Input(0), b: Param::Input(1) }, &[0, 2]), // 1 x
            spec(NodeKind::Binary { op: BinaryOp::Mul, a: Param::Input(0), b: Param::Const(0.5) }, &[3]), // 2
            spec(
                NodeKind::Delay {
                    input: Param::Input(0),
                    time: Param::Const(0.1),
                    feedback: Param::Const(0.0),
                    mix: Param::Const(1.0),
                    max_time: 1.0,
                },
                &[1],
            ), // 3
        ];
        let c = compile(&nodes, 8).unwrap();
        assert_eq!(c.feedback[3], vec![true]);
        assert!(c.feedback.iter().enumerate().all(|(v, f)| v == 3 || f.iter().all(|x| !x)));
        assert_eq!(c.stage, vec![0, 2, 1, 0]);
        assert_eq!(c.arena_len, 4 * 8);
    }

    /// A cycle without a delay is broken at a back edge, and stereo follows the audio inputs.
    #[test]
    fn plain_cycle_and_channels() {
        let nodes = vec![
            spec(NodeKind::VoiceBus, &[]),
            spec(NodeKind::Binary { op: BinaryOp::Add, a: Param::Input(0), b: Param::Input(1) }, &[0, 2]),
            spec(NodeKind::Binary { op: BinaryOp::Mul, a: Param::Input(0), b: Param::Const(0.5) }, &[1]),
        ];
        let c = compile(&nodes, 4).unwrap();
        let fb: usize = c.feedback.iter().flatten().filter(|f| **f).count();
        assert_eq!(fb, 1);
        assert_eq!(c.channels, vec![2, 2, 2]);
    }

    /// Bad input references are errors, not panics.
    #[test]
    fn missing_nodes_are_errors() {
        let nodes = vec![spec(NodeKind::Output { input: Param::Input(0) }, &[5])];
        assert!(matches!(compile(&nodes, 4), Err(GraphError::MissingNode { .. })));
        let nodes = vec![spec(NodeKind::Output { input: Param::Input(1) }, &[])];
        assert!(matches!(compile(&nodes, 4), Err(GraphError::MissingInput { .. })));
    }
}
