//! Continuous signals and Tidal's deterministic randomness.
//!
//! Signals are sampled at the midpoint of the queried span, as Tidal samples them. Randomness is
//! a pure function of time (Tidal's `timeToRand`), so every render is reproducible and matches
//! Tidal's choices bit for bit.

use super::core::{Pattern, Time, signal};
use phonon_components::Rational;

/// Tidal's `xorwise` on 64-bit `Int`.
fn xorwise(x: i64) -> i64 {
    let a = (x << 13) ^ x;
    let b = (a >> 17) ^ a;
    (b << 5) ^ b
}

/// Tidal's `timeToIntSeed`: `xorwise . truncate . (* 2^29) . snd . properFraction . (/ 300)`.
fn time_to_int_seed(t: f64) -> i64 {
    let x = t / 300.0;
    let frac = x - x.trunc();
    xorwise((frac * 536_870_912.0).trunc() as i64)
}

/// Tidal's `intSeedToRand`: `(/ 2^29) . (`mod` 2^29)`.
fn int_seed_to_rand(i: i64) -> f64 {
    i.rem_euclid(536_870_912) as f64 / 536_870_912.0
}

/// Tidal's `timeToRand`: a pseudo-random number in [0, 1) for a point in time.
pub fn time_to_rand(t: f64) -> f64 {
    int_seed_to_rand(time_to_int_seed(t))
}

/// Tidal's `timeToRands`: `n` numbers from one seed (used by `randcat`, `shuffle`, …).
pub fn time_to_rands(t: f64, n: usize) -> Vec<f64> {
    let mut seed = time_to_int_seed(t);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(int_seed_to_rand(seed));
        seed = xorwise(seed);
    }
    out
}

fn f(t: Time) -> f64 {
    t.to_f64()
}

/// `rand`: a continuous random signal in [0, 1).
pub fn rand() -> Pattern<f64> {
    signal(|t| time_to_rand(f(t)))
}

/// `irand n`: random integers in [0, n).
pub fn irand(n: f64) -> Pattern<f64> {
    signal(move |t| (time_to_rand(f(t)) * n).floor())
}

/// `sine`: 0..1, starting at 0.5 rising.
pub fn sine() -> Pattern<f64> {
    signal(|t| ((std::f64::consts::TAU * f(t)).sin() + 1.0) / 2.0)
}

/// `cosine`: `sine` a quarter cycle later.
pub fn cosine() -> Pattern<f64> {
    sine().late(Rational::new(1, 4))
}

/// `saw`: 0 → 1 over each cycle.
pub fn saw() -> Pattern<f64> {
    signal(|t| f(t - t.sam()))
}

/// `isaw`: 1 → 0 over each cycle.
pub fn isaw() -> Pattern<f64> {
    signal(|t| 1.0 - f(t - t.sam()))
}

/// `tri`: 0 → 1 → 0 over each cycle.
pub fn tri() -> Pattern<f64> {
    Pattern::fastcat(vec![saw(), isaw()])
}

/// `square`: 0 for the first half of each cycle, 1 for the second.
pub fn square() -> Pattern<f64> {
    signal(|t| (f(t - t.sam()) * 2.0).floor())
}

/// `envL`: 0 → 1 over the first cycle, then 1.
pub fn env_l() -> Pattern<f64> {
    signal(|t| f(t).clamp(0.0, 1.0))
}

/// `perlin`: 1D Perlin noise, smooth random in [0, 1) (Tidal's `perlinWith (sig fromRational)`).
pub fn perlin() -> Pattern<f64> {
    signal(|t| {
        let x = f(t);
        let a = time_to_rand(x.floor());
        let b = time_to_rand(x.floor() + 1.0);
        let frac = x - x.floor();
        let smooth = 6.0 * frac.powi(5) - 15.0 * frac.powi(4) + 10.0 * frac.powi(3);
        a + smooth * (b - a)
    })
}

impl<T: super::core::Value> Pattern<T> {
    /// Tidal's `_degradeByUsing`: keep events whose random number (sampled from `prand` over
    /// each event) is `>= amount`.
    pub fn degrade_by_using(&self, prand: &Pattern<f64>, amount: f64) -> Pattern<T> {
        self.app_left(prand, |v, r| (v.clone(), *r)).filter_values(move |(_, r)| *r >= amount).fmap(|(v, _)| v.clone())
    }

    /// `_degradeBy`: drop events with probability `amount`.
    pub fn degrade_by(&self, amount: f64) -> Pattern<T> {
        self.degrade_by_using(&rand(), amount)
    }

    /// `_unDegradeBy`: keep exactly the events `degrade_by` drops.
    pub fn undegrade_by(&self, amount: f64) -> Pattern<T> {
        self.app_left(&rand(), |v, r| (v.clone(), *r)).filter_values(move |(_, r)| *r < amount).fmap(|(v, _)| v.clone())
    }
}

/// Tidal's `chooseBy`: pick from `xs` by a pattern of numbers in [0, 1).
pub fn choose_by<T: super::core::Value>(f: &Pattern<f64>, xs: Vec<T>) -> Pattern<T> {
    if xs.is_empty() {
        return Pattern::silence();
    }
    let n = xs.len();
    f.fmap(move |r| xs[((r * n as f64).floor() as usize).min(n - 1)].clone())
}

/// The random signal the `seed`-th `?` or `|` of a mini-notation string uses
/// (`rotL (0.0001 * seed) rand`).
pub fn seeded_rand(seed: u32) -> Pattern<f64> {
    rand().early(Rational::new(seed as i64, 10_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers Tidal itself prints for `queryArc rand (Arc t t)` and `perlin`.
    #[test]
    fn matches_tidal_random_numbers() {
        assert_eq!(time_to_rand(0.0), 0.0);
        assert!((time_to_rand(0.5) - 0.2591378428041935).abs() < 1e-15);
        assert!((time_to_rand(1.25) - 0.2788401562720537).abs() < 1e-15);
        assert!((time_to_rand(1.5) - 0.4010523743927479).abs() < 1e-15);
        let p = perlin().query_arc(Rational::new(13, 10), Rational::new(13, 10));
        assert!((p[0].value - 0.4392075675716996).abs() < 1e-12, "{}", p[0].value);
    }
}
