//! The scalar bound used by all numeric code, and the element-wise kernels behind it.

use nalgebra::RealField;

/// A real scalar: `f32` or `f64`.
///
/// Declared once so signatures read `T: Real` instead of a long bound list. It is implemented
/// for exactly `f32` and `f64` (the trait is sealed), which lets the crate give each its own
/// vectorisable kernels for the activation functions.
pub trait Real: RealField + Copy + sealed::Kernels {}

impl Real for f32 {}
impl Real for f64 {}

/// Converts an `f64` literal or computed constant into `T` (rounding for `f32`).
///
/// # Examples
///
/// ```
/// use recurrent::scalar::lit;
/// let half: f32 = lit(0.5);
/// assert_eq!(half, 0.5f32);
/// ```
#[inline]
pub fn lit<T: Real>(x: f64) -> T {
    nalgebra::convert::<f64, T>(x)
}

/// Converts `T` to `f64` (exact for `f32` and `f64`).
///
/// # Examples
///
/// ```
/// assert_eq!(recurrent::scalar::to_f64(0.25f32), 0.25);
/// ```
#[inline]
pub fn to_f64<T: Real>(x: T) -> f64 {
    nalgebra::try_convert::<T, f64>(x).unwrap_or(f64::NAN)
}

pub(crate) mod sealed {
    /// Element-wise kernels, written as straight-line arithmetic so loops over slices
    /// vectorise (libm's `tanhf`/`tanh` are calls, one element at a time).
    pub trait Kernels: Sized {
        /// `x ← tanh x` for every element.
        fn tanh_slice(x: &mut [Self]);
        /// `x ← 1 / (1 + e^−x)` for every element.
        fn sigmoid_slice(x: &mut [Self]);
        /// `x ← e^x` for every element (the softmax's kernel; see `exp_slice` below).
        fn exp_slice(x: &mut [Self]);
    }
}

/// Generates the kernels for one float type.
///
/// `e^r − 1` for `|r| ≤ ln 2 / 2` comes from its Taylor polynomial (13 terms for f64, 8 for
/// f32: the first omitted term is below half an ulp); `y = k·ln 2 + r` with `k` rounded by the
/// `1.5·2^mantissa` trick and `2^k` assembled from its exponent bits, so everything is
/// arithmetic and bit operations. Then
///
/// * `expm1(y) = 2^k·(e^r − 1) + (2^k − 1)`, and `tanh x = e/(e + 2)` with `e = expm1(2x)`:
///   no cancellation near 0, a few ulp everywhere (tested against libm);
/// * `e^−a = 2^k·(1 + (e^r − 1))`, and `σ(x) = 1/(1 + e^−|x|)` or `e^−|x|/(1 + e^−|x|)`.
///   Below `−exp_limit`, where `σ(x)` is subnormal, the slice falls back to libm's `exp`.
macro_rules! kernels {
    ($t:ty, $mant:expr, $bias:expr, $clamp:expr, $exp_limit:expr, $ln2_hi:expr, $ln2_lo:expr, $coef:expr) => {
        impl sealed::Kernels for $t {
            #[inline(always)]
            fn tanh_slice(xs: &mut [$t]) {
                for x in xs.iter_mut() {
                    let v = *x;
                    // beyond the clamp tanh rounds to ±1; NaN passes through the comparisons
                    let c = if v > $clamp {
                        $clamp
                    } else if v < -$clamp {
                        -$clamp
                    } else {
                        v
                    };
                    let e = <$t as ExpParts>::expm1(2.0 * c);
                    *x = e / (e + 2.0);
                }
            }

            /// `x ← e^x`, branch-free on the fast path so the loop vectorises: used by the
            /// fused softmax + NLL (`grad::Loss::softmax_cross_entropy`) on `z − max z`.
            /// Where `|x| > exp_limit` (`e^x` subnormal, near overflow or ∞) or `x` is NaN,
            /// the whole slice falls back to libm's `exp`.
            #[inline(always)]
            fn exp_slice(xs: &mut [$t]) {
                let inside = xs
                    .iter()
                    .fold(true, |ok, v| ok & (*v >= -$exp_limit) & (*v <= $exp_limit));
                if !inside {
                    for x in xs.iter_mut() {
                        *x = x.exp();
                    }
                    return;
                }
                for x in xs.iter_mut() {
                    *x = <$t as ExpParts>::exp(*x);
                }
            }

            #[inline(always)]
            fn sigmoid_slice(xs: &mut [$t]) {
                if xs.iter().any(|v| *v < -$exp_limit) {
                    for x in xs.iter_mut() {
                        let v = *x;
                        *x = if v >= 0.0 {
                            1.0 / (1.0 + (-v).exp())
                        } else {
                            v.exp() / (1.0 + v.exp())
                        };
                    }
                    return;
                }
                for x in xs.iter_mut() {
                    let v = *x;
                    let a = if v < 0.0 { -v } else { v };
                    // for x above the limit e^−x only rounds 1 + e^−x to 1
                    let a = if a > $exp_limit { $exp_limit } else { a };
                    let e = <$t as ExpParts>::exp(-a);
                    let s = 1.0 / (1.0 + e);
                    *x = if v < 0.0 {
                        e * s
                    } else if v >= 0.0 {
                        s
                    } else {
                        v
                    };
                }
            }
        }

        impl ExpParts for $t {
            const ONE: $t = 1.0;

            #[inline(always)]
            fn split(y: $t) -> ($t, $t) {
                // Cody–Waite: ln 2 = LN2_HI + LN2_LO with trailing zero bits in LN2_HI, so
                // k·LN2_HI is exact for every k in range (|k| ≤ 1023), and r stays accurate
                // to an ulp far from 0 (e^x with x near ±700, not only tanh's |x| ≤ 20)
                const LN2_HI: $t = $ln2_hi;
                const LN2_LO: $t = $ln2_lo;
                const MAGIC: $t = 1.5 * (1u64 << $mant) as $t;
                let kf = (y * core::f64::consts::LOG2_E as $t + MAGIC) - MAGIC;
                let r = (y - kf * LN2_HI) - kf * LN2_LO;
                // Taylor coefficients 1/n!, highest first, by Horner: p = e^r − 1
                let coef: &[$t] = &$coef;
                let mut p = coef[0];
                for c in &coef[1..] {
                    p = p * r + *c;
                }
                let p = p * r;
                let kbits = (kf + MAGIC).to_bits();
                let two_k = <$t>::from_bits(kbits.wrapping_add($bias) << $mant);
                (two_k, p)
            }
        }
    };
}

/// `y = k·ln 2 + r`: `(2^k, e^r − 1)`, valid while `2^k` is a normal number.
trait ExpParts:
    Sized
    + Copy
    + core::ops::Mul<Output = Self>
    + core::ops::Add<Output = Self>
    + core::ops::Sub<Output = Self>
{
    const ONE: Self;

    fn split(y: Self) -> (Self, Self);

    #[inline(always)]
    fn expm1(y: Self) -> Self {
        let (two_k, p) = Self::split(y);
        two_k * p + (two_k - Self::ONE)
    }

    #[inline(always)]
    fn exp(y: Self) -> Self {
        let (two_k, p) = Self::split(y);
        two_k * p + two_k
    }
}

kernels!(
    f64,
    52,
    1023,
    20.0,
    708.0,
    6.931_471_803_691_238e-1,
    1.908_214_929_270_587_7e-10,
    [
        1.0 / 6227020800.0,
        1.0 / 479001600.0,
        1.0 / 39916800.0,
        1.0 / 3628800.0,
        1.0 / 362880.0,
        1.0 / 40320.0,
        1.0 / 5040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0
    ]
);
kernels!(
    f32,
    23,
    127,
    10.0,
    87.0,
    6.931_457_5e-1,
    1.428_606_8e-6,
    [
        1.0 / 40320.0,
        1.0 / 5040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0
    ]
);

#[cfg(test)]
mod tests {
    use super::sealed::Kernels;

    /// Distance in units in the last place (both finite, same sign or zero).
    fn ulps64(a: f64, b: f64) -> f64 {
        if a == b {
            return 0.0;
        }
        (a - b).abs() / (f64::EPSILON * a.abs().max(b.abs()).max(f64::MIN_POSITIVE))
    }

    fn grid() -> Vec<f64> {
        let mut v: Vec<f64> = (-4000..=4000).map(|i| i as f64 * 0.00731).collect();
        v.extend([
            0.0, -0.0, 1e-300, -1e-20, 1e-8, 0.3465, 0.3466, 19.99, 20.01, 700.0, -745.0, 1e10,
        ]);
        v
    }

    #[test]
    fn tanh_f64_within_4_ulp_of_libm() {
        let xs = grid();
        let mut ys = xs.clone();
        f64::tanh_slice(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            assert!(
                ulps64(*y, x.tanh()) <= 4.0,
                "tanh({x}) = {y}, libm {}",
                x.tanh()
            );
        }
        let mut nan = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        f64::tanh_slice(&mut nan);
        assert!(nan[0].is_nan());
        assert_eq!(&nan[1..], &[1.0, -1.0]);
    }

    #[test]
    fn sigmoid_f64_within_4_ulp() {
        let xs = grid();
        let mut ys = xs.clone();
        f64::sigmoid_slice(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            // reference: 1/(1+e^−x) in the form that does not lose relative accuracy
            let r = if *x >= 0.0 {
                1.0 / (1.0 + (-x).exp())
            } else {
                x.exp() / (1.0 + x.exp())
            };
            assert!(ulps64(*y, r) <= 4.0, "sigmoid({x}) = {y}, reference {r}");
        }
    }

    #[test]
    fn exp_within_2_ulp_of_libm() {
        let mut xs = grid();
        xs.extend([
            -707.9, -708.0, -708.1, 708.0, 709.5, -800.0, 1e-300, -1e-300,
        ]);
        let mut ys = xs.clone();
        f64::exp_slice(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            assert!(
                ulps64(*y, x.exp()) <= 2.0,
                "exp({x}) = {y}, libm {}",
                x.exp()
            );
        }
        // inside the fast path only
        let xs: Vec<f64> = (-7000..=7000).map(|i| i as f64 * 0.1011).collect();
        let mut ys = xs.clone();
        f64::exp_slice(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            assert!(
                ulps64(*y, x.exp()) <= 2.0,
                "exp({x}) = {y}, libm {}",
                x.exp()
            );
        }
        let mut special = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0];
        f64::exp_slice(&mut special);
        assert!(special[0].is_nan());
        assert_eq!(&special[1..], &[f64::INFINITY, 0.0, 1.0]);
        let xs: Vec<f32> = (-870..=870).map(|i| i as f32 * 0.1).collect();
        let mut ys = xs.clone();
        f32::exp_slice(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            let t = f64::from(*x).exp();
            let ulp = (f64::from(*y) - t).abs() / (f64::from(f32::EPSILON) * t);
            assert!(ulp <= 2.0, "exp({x}) = {y}, truth {t}");
        }
    }

    #[test]
    fn f32_kernels_within_4_ulp_of_f64_truth() {
        let xs: Vec<f32> = grid().iter().map(|x| *x as f32).collect();
        let (mut t, mut s) = (xs.clone(), xs.clone());
        f32::tanh_slice(&mut t);
        f32::sigmoid_slice(&mut s);
        for ((x, t), s) in xs.iter().zip(&t).zip(&s) {
            let x64 = f64::from(*x);
            let tt = x64.tanh();
            let st = 1.0 / (1.0 + (-x64).exp());
            let ulp = |a: f32, b: f64| {
                (f64::from(a) - b).abs() / (f64::from(f32::EPSILON) * b.abs().max(1e-30))
            };
            assert!(ulp(*t, tt) <= 4.0, "tanh({x}) = {t}, truth {tt}");
            assert!(ulp(*s, st) <= 4.0, "sigmoid({x}) = {s}, truth {st}");
        }
    }
}
