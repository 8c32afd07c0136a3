//! Euclidean rhythms (Bjorklund's algorithm, exactly as Tidal distributes the hits).

use super::core::{Pattern, Value};
use phonon_components::Rational;

/// Tidal's `bjorklund (k, n)`: `k` hits spread over `n` steps.
pub fn bjorklund(k: usize, n: usize) -> Vec<bool> {
    // Tidal: `replicate (n - k) [False]` is empty when k > n, so (9,8) is nine hits
    let mut xs: Vec<Vec<bool>> = vec![vec![true]; k];
    let mut ys: Vec<Vec<bool>> = vec![vec![false]; n.saturating_sub(k)];
    let (mut i, mut j) = (k, n.saturating_sub(k));
    while i.min(j) > 1 {
        if i > j {
            // left: ((j, i-j), (zipWith (++) (take j xs) ys, drop j xs))
            let rest = xs.split_off(j);
            for (x, y) in xs.iter_mut().zip(ys.drain(..)) {
                x.extend(y);
            }
            ys = rest;
            (i, j) = (j, i - j);
        } else {
            // right: ((i, j-i), (zipWith (++) xs (take i ys), drop i ys))
            let rest = ys.split_off(i);
            for (x, y) in xs.iter_mut().zip(ys.drain(..)) {
                x.extend(y);
            }
            ys = rest;
            (i, j) = (i, j - i);
        }
    }
    xs.into_iter().chain(ys).flatten().collect()
}

impl<T: Value> Pattern<T> {
    /// Tidal 1.9 `_euclid k n`: the pattern on the hits, silence elsewhere; negative `k` inverts.
    pub fn euclid(&self, k: i64, n: i64) -> Pattern<T> {
        self.euclid_bool(k, n, true)
    }

    /// `_euclidInv`: the pattern on the rests.
    pub fn euclid_inv(&self, k: i64, n: i64) -> Pattern<T> {
        self.euclid_bool(k, n, false)
    }

    fn euclid_bool(&self, k: i64, n: i64, on_hits: bool) -> Pattern<T> {
        // Tidal's bjorklund with a negative step count: no rests, k hits
        let n = n.max(0) as usize;
        let (bools, invert) = if k >= 0 { (bjorklund(k as usize, n), false) } else { (bjorklund((-k) as usize, n), true) };
        let steps = bools.into_iter().map(|b| if (b != invert) == on_hits { self.clone() } else { Pattern::silence() }).collect();
        Pattern::fastcat(steps)
    }

    /// `_euclidOff k n r` (`eoff`): euclid rotated left by `r` steps.
    pub fn euclid_off(&self, k: i64, n: i64, r: i64) -> Pattern<T> {
        if n == 0 {
            return Pattern::silence();
        }
        self.euclid(k, n).early(Rational::new(r, n))
    }

    /// `_euclidFull k n p p'`: `self` on the hits, `other` on the rests.
    pub fn euclid_full(&self, k: i64, n: i64, other: &Pattern<T>) -> Pattern<T> {
        Pattern::stack(vec![self.euclid(k, n), other.euclid_inv(k, n)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(v: Vec<bool>) -> String {
        v.into_iter().map(|b| if b { 'x' } else { '.' }).collect()
    }

    /// The distributions Tidal's `bjorklund` gives.
    #[test]
    fn tidal_distributions() {
        assert_eq!(show(bjorklund(3, 8)), "x..x..x.");
        assert_eq!(show(bjorklund(5, 8)), "x.xx.xx.");
        assert_eq!(show(bjorklund(9, 16)), "x.xx.x.x.xx.x.x.");
        assert_eq!(show(bjorklund(2, 5)), "x.x..");
        assert_eq!(show(bjorklund(0, 4)), "....");
        assert_eq!(show(bjorklund(4, 4)), "xxxx");
        assert_eq!(show(bjorklund(7, 12)), "x.xx.x.xx.x.");
        assert_eq!(show(bjorklund(9, 8)), "xxxxxxxxx");
        assert_eq!(show(bjorklund(3, 0)), "xxx");
    }
}
