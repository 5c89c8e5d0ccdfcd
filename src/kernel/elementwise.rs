//! Element-wise vector kernels in plain Rust (crate-internal): `tanh` and the logistic
//! sigmoid `σ` over slices of `f32` or `f64`.
//!
//! libm's `tanhf`/`tanh` and `exp` are calls, one element at a time; these are straight-line
//! arithmetic and bit operations, so a loop over a slice vectorises (two `f64` or four `f32`
//! lanes on baseline x86-64, twice that in the AVX2 copies of `super::avx2`). The results are
//! within 4 ulp of libm everywhere (tested below) and are the same bits on every path: no FMA
//! contraction, and every element is computed independently.

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
    (
        $m:ident, $t:ty,
        $mant:expr, $bias:expr, $clamp:expr, $exp_limit:expr, $coef:expr
    ) => {
        /// The kernels for one float type.
        pub(crate) mod $m {
            /// `y = k·ln 2 + r`: `(2^k, e^r − 1)`, valid while `2^k` is a normal number.
            #[inline(always)]
            fn split(y: $t) -> ($t, $t) {
                const LN2_HI: $t = core::f64::consts::LN_2 as $t;
                const LN2_LO: $t =
                    (core::f64::consts::LN_2 - (core::f64::consts::LN_2 as $t) as f64) as $t;
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

            /// `e^y − 1` while `2^k` is normal.
            #[inline(always)]
            fn expm1(y: $t) -> $t {
                let (two_k, p) = split(y);
                two_k * p + (two_k - 1.0)
            }

            /// `e^y` while `2^k` is normal.
            #[inline(always)]
            fn exp(y: $t) -> $t {
                let (two_k, p) = split(y);
                two_k * p + two_k
            }

            /// `x ← tanh x` for every element (within 4 ulp of libm; NaN stays NaN).
            #[inline(always)]
            pub(crate) fn tanh(xs: &mut [$t]) {
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
                    let e = expm1(2.0 * c);
                    *x = e / (e + 2.0);
                }
            }

            /// `x ← e^x` for every element, branch-free on the fast path so the loop
            /// vectorises (the fused softmax + NLL runs it on `z − max z`). Where some
            /// `|x| > exp_limit` (`e^x` subnormal, near overflow or ∞) or `x` is NaN, the
            /// whole slice falls back to libm's `exp`.
            #[inline(always)]
            pub(crate) fn exp_slice(xs: &mut [$t]) {
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
                    *x = exp(*x);
                }
            }

            /// `x ← σ(x) = 1 / (1 + e^−x)` for every element (within 4 ulp; NaN stays NaN).
            #[inline(always)]
            pub(crate) fn sigmoid(xs: &mut [$t]) {
                // a branch-free scan (it vectorises; `any` stops early and does not)
                let below = xs.iter().fold(false, |b, v| b | (*v < -$exp_limit));
                if below {
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
                    let e = exp(-a);
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
    };
}

kernels!(
    double,
    f64,
    52,
    1023,
    20.0,
    708.0,
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
    single,
    f32,
    23,
    127,
    10.0,
    87.0,
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
    use super::*;

    /// `exp_slice` against libm over the whole normal range, and the fallback past it.
    #[test]
    fn exp_slice_agrees_with_libm() {
        let xs: Vec<f64> = (-7000..=7000).map(|i| i as f64 * 0.1013).collect();
        let mut ys = xs.clone();
        double::exp_slice(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            let e = x.exp();
            assert!((y - e).abs() <= 1e-13 * e, "f64 e^{x}: {y} vs {e}");
        }
        let xs32: Vec<f32> = (-800..=800).map(|i| i as f32 * 0.1013).collect();
        let mut ys32 = xs32.clone();
        single::exp_slice(&mut ys32);
        for (x, y) in xs32.iter().zip(&ys32) {
            let e = x.exp();
            assert!((y - e).abs() <= 1e-5 * e, "f32 e^{x}: {y} vs {e}");
        }
        let mut edge = [-800.0f64, 0.0, 800.0, f64::NAN];
        double::exp_slice(&mut edge);
        assert_eq!(edge[..3], [0.0, 1.0, f64::INFINITY]);
        assert!(edge[3].is_nan());
    }

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
        double::tanh(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            assert!(
                ulps64(*y, x.tanh()) <= 4.0,
                "tanh({x}) = {y}, libm {}",
                x.tanh()
            );
        }
        let mut nan = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        double::tanh(&mut nan);
        assert!(nan[0].is_nan());
        assert_eq!(&nan[1..], &[1.0, -1.0]);
    }

    #[test]
    fn sigmoid_f64_within_4_ulp() {
        let xs = grid();
        let mut ys = xs.clone();
        double::sigmoid(&mut ys);
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
    fn f32_kernels_within_4_ulp_of_f64_truth() {
        let xs: Vec<f32> = grid().iter().map(|x| *x as f32).collect();
        let (mut t, mut s) = (xs.clone(), xs.clone());
        single::tanh(&mut t);
        single::sigmoid(&mut s);
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
