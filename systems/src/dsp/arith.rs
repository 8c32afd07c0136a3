//! Arithmetic between signals and numbers, per sample. Real-time contract: allocation-free.

use super::P;
use phonon_components::BinaryOp;

/// `out[i] = a[i] op b[i]`. Division by (near) zero yields 0, never Inf or NaN.
pub fn binary(op: BinaryOp, a: P<'_>, b: P<'_>, out: &mut [f32]) {
    match (op, a, b) {
        (BinaryOp::Add, P::Buf(a), P::Buf(b)) => out.iter_mut().zip(a).zip(b).for_each(|((o, x), y)| *o = x + y),
        (BinaryOp::Mul, P::Buf(a), P::Const(k)) => out.iter_mut().zip(a).for_each(|(o, x)| *o = x * k),
        (BinaryOp::Mul, P::Const(k), P::Buf(b)) => out.iter_mut().zip(b).for_each(|(o, x)| *o = k * x),
        _ => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = op.apply(a.at(i), b.at(i));
            }
        }
    }
}
