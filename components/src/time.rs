//! Exact rational time: cycles are rationals, so an event at 1/3 of a cycle is exactly there.

use std::cmp::Ordering;
use std::fmt;

/// Arithmetic on [`Rational`] overflowed `i64`: an error, never a wrong answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rational time overflowed 64 bits (the song is too long or the tempo too odd)")]
pub struct TimeError;

/// A normalised fraction `num / den` with `den > 0` and `gcd(num, den) = 1`: a position or a
/// duration in cycles (or a tempo in cycles per second), exact.
///
/// Equal values have equal representations, so `==` and `Hash` compare values. The operators
/// (`+ - * /`) panic on `i64` overflow; the `checked_*` methods return [`TimeError`] instead.
///
/// ```
/// use phonon_components::Rational;
///
/// let half = Rational::new(1, 3) + Rational::new(1, 6);
/// assert_eq!(half, Rational::new(2, 4)); // normalised: 1/2
/// assert_eq!((half.num(), half.den()), (1, 2));
/// assert_eq!(half.to_string(), "1/2");
/// assert_eq!(Rational::new(7, 2).floor(), 3);
/// assert!(Rational::new(1, 3) < Rational::new(34, 100)); // exact ordering, no rounding
/// assert!(Rational::integer(i64::MAX).checked_add(Rational::ONE).is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rational {
    num: i64,
    den: i64,
}

const fn gcd(mut a: i128, mut b: i128) -> i128 {
    if a < 0 {
        a = -a;
    }
    if b < 0 {
        b = -b;
    }
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Rational {
    /// `0`.
    pub const ZERO: Rational = Rational { num: 0, den: 1 };
    /// `1`.
    pub const ONE: Rational = Rational { num: 1, den: 1 };

    /// `num / den`, normalised. Panics if `den == 0` (a programming error, not an input error).
    pub fn new(num: i64, den: i64) -> Rational {
        Self::from_i128(num as i128, den as i128).expect("rational out of range or zero denominator")
    }

    /// The integer `n` (`n / 1`).
    pub const fn integer(n: i64) -> Rational {
        Rational { num: n, den: 1 }
    }

    /// Normalise an `i128` fraction; `Err` if it does not fit in `i64` or `den == 0`.
    pub fn from_i128(num: i128, den: i128) -> Result<Rational, TimeError> {
        if den == 0 {
            return Err(TimeError);
        }
        let g = gcd(num, den).max(1);
        let (mut n, mut d) = (num / g, den / g);
        if d < 0 {
            n = -n;
            d = -d;
        }
        Ok(Rational { num: i64::try_from(n).map_err(|_| TimeError)?, den: i64::try_from(d).map_err(|_| TimeError)? })
    }

    /// The closest fraction to `x` with denominator at most `max_den` (continued fractions).
    /// `0.7` → `7/10`, `0.5625` → `9/16`. `None` for NaN or infinities.
    pub fn approximate(x: f64, max_den: i64) -> Option<Rational> {
        if !x.is_finite() || x.abs() > 1e15 {
            return None;
        }
        let (mut h0, mut h1, mut k0, mut k1) = (0i128, 1i128, 1i128, 0i128);
        let mut r = x;
        for _ in 0..64 {
            let a = r.floor();
            let ai = a as i128;
            let h2 = ai * h1 + h0;
            let k2 = ai * k1 + k0;
            if k2 > max_den as i128 {
                break;
            }
            h0 = h1;
            h1 = h2;
            k0 = k1;
            k1 = k2;
            let frac = r - a;
            if frac.abs() < 1e-12 || ((h1 as f64) / (k1 as f64) - x).abs() < 1e-15 {
                break;
            }
            r = 1.0 / frac;
        }
        Rational::from_i128(h1, k1).ok()
    }

    /// The numerator (carries the sign).
    pub const fn num(self) -> i64 {
        self.num
    }
    /// The denominator, always `> 0`.
    pub const fn den(self) -> i64 {
        self.den
    }

    /// `self + o`, or [`TimeError`] if the normalised result does not fit in `i64`.
    pub fn checked_add(self, o: Rational) -> Result<Rational, TimeError> {
        let (a, b, c, d) = (self.num as i128, self.den as i128, o.num as i128, o.den as i128);
        Rational::from_i128(a * d + c * b, b * d)
    }
    /// `self - o`, or [`TimeError`] if the normalised result does not fit in `i64`.
    pub fn checked_sub(self, o: Rational) -> Result<Rational, TimeError> {
        self.checked_add(Rational { num: o.num.checked_neg().ok_or(TimeError)?, den: o.den })
    }
    /// `self × o`, or [`TimeError`] if the normalised result does not fit in `i64`.
    pub fn checked_mul(self, o: Rational) -> Result<Rational, TimeError> {
        Rational::from_i128(self.num as i128 * o.num as i128, self.den as i128 * o.den as i128)
    }
    /// `self / o`, or [`TimeError`] if `o` is zero or the result does not fit in `i64`.
    pub fn checked_div(self, o: Rational) -> Result<Rational, TimeError> {
        Rational::from_i128(self.num as i128 * o.den as i128, self.den as i128 * o.num as i128)
    }

    /// Largest integer `<= self`.
    pub const fn floor(self) -> i64 {
        self.num.div_euclid(self.den)
    }
    /// Smallest integer `>= self`.
    pub const fn ceil(self) -> i64 {
        -((-self.num).div_euclid(self.den))
    }
    /// Nearest integer, halves rounded up (towards +inf), exactly.
    pub const fn round(self) -> i64 {
        // floor(x + 1/2) = floor((2n + d) / 2d)
        ((2 * self.num as i128 + self.den as i128).div_euclid(2 * self.den as i128)) as i64
    }
    /// The start of the cycle containing `self`.
    pub const fn sam(self) -> Rational {
        Rational::integer(self.floor())
    }

    /// The value as an `f64` (`num as f64 / den as f64`, rounded): for display and DSP, never for
    /// scheduling.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl Default for Rational {
    fn default() -> Self {
        Rational::ZERO
    }
}

impl From<i64> for Rational {
    fn from(n: i64) -> Self {
        Rational::integer(n)
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Rational {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num as i128 * other.den as i128).cmp(&(other.num as i128 * self.den as i128))
    }
}

macro_rules! op {
    ($tr:ident, $f:ident, $checked:ident) => {
        impl std::ops::$tr for Rational {
            type Output = Rational;
            /// Panics on `i64` overflow; use the `checked_*` form where input decides the size.
            fn $f(self, o: Rational) -> Rational {
                self.$checked(o).expect("rational time overflow")
            }
        }
    };
}
op!(Add, add, checked_add);
op!(Sub, sub, checked_sub);
op!(Mul, mul, checked_mul);
op!(Div, div, checked_div);

impl std::ops::Neg for Rational {
    type Output = Rational;
    fn neg(self) -> Rational {
        Rational { num: -self.num, den: self.den }
    }
}

impl fmt::Debug for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 { write!(f, "{}", self.num) } else { write!(f, "{}/{}", self.num, self.den) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fractions normalise, order exactly and round half up.
    #[test]
    fn normalises_orders_and_rounds() {
        assert_eq!(Rational::new(2, -4), Rational::new(-1, 2));
        assert!(Rational::new(1, 3) < Rational::new(34, 100));
        assert_eq!(Rational::new(5, 2).round(), 3);
        assert_eq!(Rational::new(-5, 2).round(), -2);
        assert_eq!(Rational::new(-1, 3).floor(), -1);
        assert_eq!(Rational::new(-1, 3).ceil(), 0);
    }

    /// Decimal tempos become the fractions a musician meant.
    #[test]
    fn approximates_decimals() {
        assert_eq!(Rational::approximate(0.7, 10_000), Some(Rational::new(7, 10)));
        assert_eq!(Rational::approximate(0.5625, 10_000), Some(Rational::new(9, 16)));
        assert_eq!(Rational::approximate(1.3, 10_000), Some(Rational::new(13, 10)));
        assert_eq!(Rational::approximate(f64::NAN, 10), None);
    }

    /// Overflow is an error, not a wrapped value.
    #[test]
    fn overflow_is_an_error() {
        let big = Rational::new(i64::MAX / 2, 1);
        assert_eq!(big.checked_mul(Rational::integer(4)), Err(TimeError));
    }
}
