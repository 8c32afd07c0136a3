//! Euclidean rhythms (Bjorklund's algorithm, exactly as Tidal distributes the hits).

use super::core::{Pattern, Value};
use phonon_components::Rational;

/// Tidal's `bjorklund (k, n)`: `k` hits spread over `n` steps, as evenly as Bjorklund's
/// algorithm spreads them (`true` = hit). More hits than steps gives `k` hits and no rests.
///
/// ```
/// use phonon::pattern::euclid::bjorklund;
/// let steps: String = bjorklund(3, 8).into_iter().map(|b| if b { 'x' } else { '.' }).collect();
/// assert_eq!(steps, "x..x..x.");
/// ```
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

/// The most hits or steps a euclidean rhythm may have: more is silence, with one warning
/// (Bjorklund's algorithm takes memory in proportion; mini-notation refuses more than 4096).
pub const MAX_EUCLID_STEPS: u64 = 1 << 16;

impl<T: Value> Pattern<T> {
    /// Tidal 1.9 `_euclid k n`: `fastcat` of `n` steps, `self` on the `k` hits
    /// ([`bjorklund`]) and silence on the rests; negative `k` swaps hits and rests.
    ///
    /// ```
    /// use phonon::components::Rational;
    /// use phonon::pattern::Pattern;
    /// let r = Rational::new;
    /// // Tidal: "x(3,8)" = "x ~ ~ x ~ ~ x ~"
    /// let haps = Pattern::pure('x').euclid(3, 8).onsets(r(0, 1), r(1, 1));
    /// let onsets: Vec<Rational> = haps.iter().map(|h| h.part.begin).collect();
    /// assert_eq!(onsets, [r(0, 8), r(3, 8), r(6, 8)]);
    /// assert!(haps.iter().all(|h| h.whole.unwrap().end - h.whole.unwrap().begin == r(1, 8)));
    /// ```
    pub fn euclid(&self, k: i64, n: i64) -> Pattern<T> {
        self.euclid_bool(k, n, true)
    }

    /// Tidal's `_euclidInv`: the pattern on the rests of `euclid k n`, silence on the hits.
    pub fn euclid_inv(&self, k: i64, n: i64) -> Pattern<T> {
        self.euclid_bool(k, n, false)
    }

    fn euclid_bool(&self, k: i64, n: i64, on_hits: bool) -> Pattern<T> {
        if k.unsigned_abs().max(n.unsigned_abs()) > MAX_EUCLID_STEPS {
            static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
            if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                tracing::warn!("euclid ({k},{n}): more than {MAX_EUCLID_STEPS} hits or steps is silence");
            }
            return Pattern::silence();
        }
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
