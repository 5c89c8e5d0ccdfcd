//! Scaling and balancing before the QR iteration, and the way back for eigenvalues and
//! eigenvectors.
//!
//! The eigenvalues of `W` and of any similar matrix `S⁻¹ W S` are the same, and so are the
//! eigenvalues of `W` and `c·W` up to the factor `c`. Both freedoms are used, as LAPACK's
//! `dgeev` does, to hand the QR iteration a matrix it can treat without overflow, underflow or
//! needless loss of accuracy:
//!
//! 1. **Permutation** (`dgebal`'s first step). A row whose off-diagonal entries (inside the
//!    still active rows and columns) are all zero isolates its diagonal entry as an eigenvalue
//!    and is moved to the bottom; a column whose off-diagonal entries are all zero is moved to
//!    the top. What is left is `Pᵀ W P = [[T₁, X, Y], [0, A, Z], [0, 0, T₂]]` with `T₁`, `T₂`
//!    upper triangular: only the block `A` (rows and columns `ilo..=ihi`) needs the QR
//!    iteration.
//! 2. **Balancing** (Parlett & Reinsch 1969[^1]; `dgebal`'s second step). A diagonal
//!    similarity `D⁻¹ A D`, `D = diag(2^dᵢ)`, makes the 2-norms of row `i` and column `i` of
//!    `A` nearly equal, one index at a time, until no step reduces `‖row‖ + ‖column‖` by 5 %.
//!    Rounding errors of the QR iteration are of size `ε‖A‖`, so a badly balanced matrix
//!    (entries over many orders of magnitude, which a similarity can bring together) loses
//!    accuracy in its small eigenvalues without it.
//! 3. **Scaling** (what `dlascl` does in `dgeev`): the result is multiplied by `2^s` so that
//!    its largest entry lies in `[1, 2)`, and the eigenvalues are multiplied by `2^(−s)` at the
//!    end. A matrix with entries near `10³⁰⁰` or `10⁻³¹⁰` then gives the same QR iteration as
//!    one with entries near 1.
//!
//! Every factor is a power of two, so every product by one is exact (unless it lands below the
//! normal range, for entries that are negligible against the largest). Unlike LAPACK, which
//! scales the matrix physically at every balancing step and guards against over- and underflow
//! there, the balancing here works on exponents: the norms of the rows and columns of `D⁻¹ A D`
//! are computed as `v·2^e` from the entries of `A` and the integers `dᵢ`, and the matrix is
//! multiplied by `2^(dⱼ − dᵢ + s)` once, at the end. No entry can overflow or be lost on the
//! way, and every decision depends only on the mantissas and on differences of exponents. So
//! `2^k W` is balanced exactly as `W` is and gives exactly the same scaled matrix: its
//! eigenvalues are exactly `2^k` times those of `W`, its eigenvectors the same.
//!
//! Eigenvectors come back as `dgebak` brings them: `x` of the balanced matrix gives
//! `v = P D x`, normalised to unit 2-norm (through the exponents again, so a large `D` cannot
//! overflow it).
//!
//! # References
//!
//! [^1]: B. N. Parlett, C. Reinsch (1969), *Balancing a matrix for calculation of eigenvalues
//!     and eigenvectors*, Numerische Mathematik 13, 293–304.
//!     <https://doi.org/10.1007/BF02165404>

use crate::scalar::{Real, lit, to_f64};
use nalgebra::{Complex, DMatrix};

/// `⌊log₂ |x|⌋` for a finite non-zero `x` (exact, subnormal numbers included); `None` for 0.
pub(crate) fn exponent<T: Real>(x: T) -> Option<i32> {
    exponent_f64(to_f64(x))
}

fn exponent_f64(x: f64) -> Option<i32> {
    let bits = x.to_bits() & !(1u64 << 63);
    if bits == 0 {
        return None;
    }
    let biased = (bits >> 52) as i32;
    Some(if biased == 0 {
        // subnormal: x = bits·2⁻¹⁰⁷⁴
        63 - bits.leading_zeros() as i32 - 1074
    } else {
        biased - 1023
    })
}

/// `(|x|·2^(−e), e)` with `e = ⌊log₂|x|⌋`, the first in `[1, 2)`, for a finite non-zero `x`.
fn split_f64(x: f64) -> Option<(f64, i32)> {
    let e = exponent_f64(x)?;
    let bits = x.to_bits() & !(1u64 << 63);
    let m = if e >= -1022 {
        f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52))
    } else {
        // subnormal: bits < 2⁵², exact as an f64, and 2^(−(e + 1074)) is exact
        bits as f64 * pow2_f64(-(e + 1074))
    };
    Some((m, e))
}

/// `2^k` as an `f64`: exact for `k ∈ [−1074, 1023]`, 0 below, `+∞` above.
fn pow2_f64(k: i32) -> f64 {
    if k > 1023 {
        f64::INFINITY
    } else if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else if k >= -1074 {
        f64::from_bits(1u64 << (k + 1074))
    } else {
        0.0
    }
}

/// `x·2^k`, correctly rounded when the result is a normal number (for `f32` always, through an
/// exact `f64` product), by steps of `2^±1000` when `k` is beyond the range of one `f64` factor.
pub(crate) fn ldexp<T: Real>(x: T, mut k: i32) -> T {
    if k == 0 {
        return x;
    }
    let mut y = to_f64(x);
    while k > 1000 {
        y *= pow2_f64(1000);
        k -= 1000;
    }
    while k < -1000 {
        y *= pow2_f64(-1000);
        k += 1000;
    }
    lit(y * pow2_f64(k))
}

/// The smallest positive normal number of `T` (LAPACK's `safmin`, `dlamch('S')`).
pub(crate) fn safe_min<T: Real>() -> T {
    let f: T = lit(f64::MIN_POSITIVE);
    if f > T::zero() {
        f
    } else {
        lit(f64::from(f32::MIN_POSITIVE))
    }
}

/// The 2-norm `‖x‖₂` without overflow or harmful underflow: the plain sum of squares when it
/// lies safely inside the range of `T`, else the same sum on `x·2^(−e)` with `2^e ≤ max|xᵢ|`.
pub(crate) fn norm2<T: Real>(x: &[T]) -> T {
    let ssq = x.iter().fold(T::zero(), |a, &b| a + b * b);
    // Above √safmin (2⁻⁶³ in f32, 2⁻⁵¹¹ in f64) the squares lost to underflow (each below
    // safmin) change the sum by at most n·√safmin relative; below 1/√safmin nothing overflowed.
    let (lo, hi) = (safe_min::<T>().sqrt(), T::one() / safe_min::<T>().sqrt());
    if ssq.is_finite() && ssq >= lo && ssq <= hi {
        return ssq.sqrt();
    }
    let Some(e) = x.iter().filter_map(|&v| exponent(v)).max() else {
        return T::zero();
    };
    let ssq = x.iter().fold(T::zero(), |a, &b| {
        let s = ldexp(b, -e);
        a + s * s
    });
    ldexp(ssq.sqrt(), e)
}

/// A permuted, balanced and scaled copy of a square matrix, and how to undo it.
///
/// `b = 2^s · D⁻¹ Pᵀ W P D` with `b[(i, j)] = W[(perm[i], perm[j])] · 2^(d[j] − d[i] + s)`;
/// rows and columns outside `ilo..=ihi` hold eigenvalues isolated on the diagonal
/// (`b[(i, j)] = 0` for `i > j` when `j < ilo` or `i > ihi`).
#[derive(Clone, Debug)]
pub(crate) struct Balanced<T: Real> {
    /// The matrix the QR iteration works on, largest entry in `[1, 2)` (or all zero).
    pub(crate) b: DMatrix<T>,
    perm: Vec<usize>,
    d: Vec<i32>,
    s: i32,
    /// First row and column of the block that still needs the QR iteration.
    pub(crate) ilo: usize,
    /// Last row and column (inclusive) of that block.
    pub(crate) ihi: usize,
}

/// Steps of balancing after which it stops even if a step still helps (each step moves a
/// row/column pair to within a factor 2 of balance at once, so a few sweeps suffice; LAPACK
/// has no such limit).
const MAX_SWEEPS: usize = 100;

/// No `dᵢ` beyond `2^±MAX_D`: far more than the ratio of any two finite numbers of `f64`.
const MAX_D: i32 = 1 << 13;

impl<T: Real> Balanced<T> {
    /// Balances `w` (square, finite): permutation and diagonal scaling if `balance`, the power
    /// of two `2^s` in every case. `O(n²)` per balancing sweep (one or two for an ordinary
    /// matrix), nothing is multiplied when every factor is 1.
    pub(crate) fn new(w: &DMatrix<T>, balance: bool) -> Self {
        let n = w.nrows();
        let (perm, ilo, ihi) = if balance {
            permute(w)
        } else {
            ((0..n).collect(), 0, n.saturating_sub(1))
        };
        let identity = perm.iter().enumerate().all(|(i, &p)| i == p);
        let mut b = if identity {
            w.clone()
        } else {
            DMatrix::from_fn(n, n, |i, j| w[(perm[i], perm[j])])
        };
        let mut d = vec![0i32; n];
        if balance && ihi > ilo {
            scale(&b, ilo, ihi, &mut d);
        }
        // s: the largest entry of D⁻¹ b D times 2^s lies in [1, 2)
        let top = if d.iter().all(|&x| x == 0) {
            exponent(b.amax())
        } else {
            let mut top: Option<i32> = None;
            for j in 0..n {
                for i in 0..n {
                    if let Some(e) = exponent(b[(i, j)]) {
                        let e = e + d[j] - d[i];
                        top = Some(top.map_or(e, |t| t.max(e)));
                    }
                }
            }
            top
        };
        let s = top.map_or(0, |t| -t);
        // One power of two for every entry (no balancing): a multiplication by it rounds once,
        // exactly as `ldexp` does, while 2^s is a normal number of `T` — the same bits
        // without a conversion per entry (a tenth of the symmetric path's time at n = 64).
        let limit = if std::mem::size_of::<T>() == 8 {
            1000
        } else {
            126
        };
        if s != 0 && d.iter().all(|&x| x == 0) && s.abs() <= limit {
            let f = ldexp(T::one(), s);
            b.apply(|x| *x *= f);
        } else if s != 0 || d.iter().any(|&x| x != 0) {
            for j in 0..n {
                for i in 0..n {
                    let x = &mut b[(i, j)];
                    *x = ldexp(*x, d[j] - d[i] + s);
                }
            }
        }
        Self {
            b,
            perm,
            d,
            s,
            ilo,
            ihi,
        }
    }

    /// An eigenvalue of `b` as an eigenvalue of `W`: `λ·2^(−s)`.
    pub(crate) fn value(&self, z: Complex<T>) -> Complex<T> {
        Complex::new(ldexp(z.re, -self.s), ldexp(z.im, -self.s))
    }

    /// Eigenvectors of `b` (columns of `(Re X, Im X)`, any scale) as unit eigenvectors of
    /// `W`: `v = P D x / ‖P D x‖₂`.
    pub(crate) fn vectors(&self, xr: &DMatrix<T>, xi: &DMatrix<T>) -> DMatrix<Complex<T>> {
        let n = xr.nrows();
        let mut v = DMatrix::from_element(n, n, Complex::new(T::zero(), T::zero()));
        for j in 0..n {
            // the largest entry of D x, as an exponent
            let top = (0..n)
                .filter_map(|i| {
                    exponent(xr[(i, j)].abs().max(xi[(i, j)].abs())).map(|e| e + self.d[i])
                })
                .max();
            let Some(top) = top else { continue };
            let mut ssq = T::zero();
            for i in 0..n {
                let k = self.d[i] - top;
                let z = Complex::new(ldexp(xr[(i, j)], k), ldexp(xi[(i, j)], k));
                ssq += z.norm_sqr();
                v[(self.perm[i], j)] = z;
            }
            // real and imaginary parts below 2, one of them at least 1: 1 ≤ ssq < 8n
            let norm = ssq.sqrt();
            v.column_mut(j)
                .iter_mut()
                .for_each(|z| *z = z.unscale(norm));
        }
        v
    }

    /// True if nothing was permuted or scaled by `D` (`b` is `2^s W`).
    #[cfg(test)]
    pub(crate) fn is_plain(&self) -> bool {
        self.d.iter().all(|&x| x == 0) && self.perm.iter().enumerate().all(|(i, &p)| i == p)
    }
}

/// `dgebal`'s permutation step on `w`, without moving any entry: returns `perm` (the permuted
/// matrix is `w[(perm[i], perm[j])]`) and the active block `ilo..=ihi`.
fn permute<T: Real>(w: &DMatrix<T>) -> (Vec<usize>, usize, usize) {
    let n = w.nrows();
    let mut perm: Vec<usize> = (0..n).collect();
    let at = |perm: &[usize], i: usize, j: usize| w[(perm[i], perm[j])];
    let (mut k, mut l) = (0usize, n - 1);
    // rows isolating an eigenvalue (zero off-diagonal in columns 0..=l) go to the bottom
    while l > 0 {
        let Some(j) = (0..=l)
            .rev()
            .find(|&j| (0..=l).all(|i| i == j || at(&perm, j, i) == T::zero()))
        else {
            break;
        };
        perm.swap(j, l);
        l -= 1;
    }
    // columns isolating an eigenvalue (zero off-diagonal in rows k..=l) go to the top
    while k < l {
        let Some(j) = (k..=l).find(|&j| (k..=l).all(|i| i == j || at(&perm, i, j) == T::zero()))
        else {
            break;
        };
        perm.swap(j, k);
        k += 1;
    }
    (perm, k, l)
}

/// The 2-norm of `xᵢ·2^(aᵢ)` over the items, as `(v, e)` with value `v·2^e` and `1 ≤ v`, from
/// mantissas and exponents: exact in range whatever the `xᵢ` and `aᵢ`. `None` if all are zero.
fn wide_norm<T: Real, I: Iterator<Item = (T, i32)> + Clone>(items: I) -> Option<(f64, i32)> {
    let top = items
        .clone()
        .filter_map(|(x, a)| exponent(x).map(|e| e + a))
        .max()?;
    let ssq = items
        .filter_map(|(x, a)| {
            let (m, e) = split_f64(to_f64(x))?;
            let t = m * pow2_f64(e + a - top);
            Some(t * t)
        })
        .sum::<f64>();
    Some((ssq.sqrt(), top))
}

/// `dgebal`'s scaling step on the block `ilo..=ihi` of `b`, in exponents: `d[i]` such that
/// `D⁻¹ b D` has rows and columns of nearly equal 2-norm.
fn scale<T: Real>(b: &DMatrix<T>, ilo: usize, ihi: usize, d: &mut [i32]) {
    for _ in 0..MAX_SWEEPS {
        let mut changed = false;
        for i in ilo..=ihi {
            // column i of D⁻¹bD: b[(j, i)]·2^(dᵢ − dⱼ); row i: b[(i, j)]·2^(dⱼ − dᵢ)
            let col = (ilo..=ihi).map(|j| (b[(j, i)], -d[j]));
            let row = (ilo..=ihi).map(|j| (b[(i, j)], d[j]));
            let (Some((cv, ce)), Some((rv, re))) = (wide_norm(col), wide_norm(row)) else {
                continue;
            };
            let (ce, re) = (ce + d[i], re - d[i]);
            // f = 2^p brings c·f and r/f within a factor 2 of each other:
            // 2p ∈ [L − 1, L + 1) with L = log₂(r/c)
            let l = f64::from(re - ce) + (rv / cv).log2();
            let p = ((l - 1.0) / 2.0).ceil();
            if p == 0.0 || !p.is_finite() || p.abs() > f64::from(MAX_D) {
                continue;
            }
            let p = p as i32;
            if (d[i] + p).abs() > MAX_D {
                continue;
            }
            // accept if ‖column‖ + ‖row‖ drops below 0.95 of what it was
            let top = ce.max(re);
            let before = cv * pow2_f64(ce - top) + rv * pow2_f64(re - top);
            let after = cv * pow2_f64(ce + p - top) + rv * pow2_f64(re - p - top);
            if after >= 0.95 * before {
                continue;
            }
            d[i] += p;
            changed = true;
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_and_powers_of_two() {
        for (x, e) in [
            (1.0, 0),
            (1.5, 0),
            (2.0, 1),
            (0.75, -1),
            (-3.0, 1),
            (f64::MAX, 1023),
            (f64::MIN_POSITIVE, -1022),
            (1e-310, -1030),
            (5e-324, -1074),
        ] {
            assert_eq!(exponent(x), Some(e), "{x:e}");
            let (m, e2) = split_f64(x).unwrap();
            assert_eq!(e2, e);
            assert!((1.0..2.0).contains(&m), "{x:e}: {m}");
            assert_eq!(ldexp(m, e), x.abs(), "{x:e}");
        }
        assert_eq!(exponent(0.0f64), None);
        assert_eq!(exponent(1e-45f32), Some(-149));
        assert_eq!(pow2_f64(-1074), 5e-324);
        assert_eq!(pow2_f64(-1075), 0.0);
        assert_eq!(pow2_f64(1024), f64::INFINITY);
        // steps beyond one f64 factor
        assert_eq!(ldexp(5e-324f64, 1074 + 1023), pow2_f64(1023));
        assert_eq!(ldexp(pow2_f64(1023), -2097), 5e-324);
        assert_eq!(ldexp(1.0f64, 1024), f64::INFINITY);
        // 3·2⁻¹⁰⁷⁵ = 1.5 ulp of the smallest subnormal: rounds to 2·2⁻¹⁰⁷⁴ (ties to even)
        assert_eq!(ldexp(3.0f64, -1075), 1e-323);
        // f32: one rounding, through an exact f64 product
        assert_eq!(ldexp(1.0f32, 127), 2f32.powi(127));
        assert_eq!(ldexp(1.0f32, 128), f32::INFINITY);
        assert_eq!(ldexp(1e-45f32, 276), 2f32.powi(127));
        assert_eq!(ldexp(3.0f32, -150), 2.0 * 1e-45f32);
        assert_eq!(safe_min::<f32>(), f32::MIN_POSITIVE);
        assert_eq!(safe_min::<f64>(), f64::MIN_POSITIVE);
    }

    #[test]
    fn norm2_at_any_scale() {
        for s in [1.0f64, 1e300, 1e-300, 1e-320, 1e-160, 1e160] {
            let x = [3.0 * s, 4.0 * s];
            let want = 5.0 * s;
            let got = norm2(&x);
            assert!(
                (got - want).abs() <= 1e-15 * want + 1e-323,
                "{s:e}: {got:e}"
            );
        }
        assert_eq!(norm2::<f64>(&[]), 0.0);
        assert_eq!(norm2(&[0.0f32, 0.0]), 0.0);
        assert!((norm2(&[3e30f32, 4e30]) - 5e30).abs() < 1e24);
    }

    /// A badly balanced matrix `D A D⁻¹` (D = diag(2^(±20))) is brought back to within a
    /// factor 2 of balance in every row/column pair, and `2^k` times it balances identically.
    #[test]
    fn balancing_undoes_a_diagonal_similarity() {
        let n = 5;
        let a = DMatrix::<f64>::from_fn(n, n, |i, j| {
            ((i * 7 + j * 13 + i * j) % 11) as f64 / 11.0 + 0.1
        });
        let dexp = [0i32, 20, -20, 10, -5];
        let w = DMatrix::from_fn(n, n, |i, j| a[(i, j)] * pow2_f64(dexp[i] - dexp[j]));
        let bal = Balanced::new(&w, true);
        assert_eq!((bal.ilo, bal.ihi), (0, n - 1));
        let b = &bal.b;
        for i in 0..n {
            let c = b.column(i).norm();
            let r = b.row(i).norm();
            assert!(c / r < 4.0 && r / c < 4.0, "i={i}: {c} vs {r}");
        }
        assert!(b.amax() >= 1.0 && b.amax() < 2.0);
        let bal2 = Balanced::new(&(&w * pow2_f64(-700)), true);
        assert_eq!(bal2.b, bal.b);
        assert_eq!(bal2.s, bal.s + 700);
    }

    #[test]
    fn permutation_isolates_triangular_parts() {
        // upper triangular after the permutation (2, 0, 1)
        let t =
            DMatrix::<f64>::from_row_slice(3, 3, &[1.0, 2.0, 3.0, 0.0, 4.0, 5.0, 0.0, 0.0, 6.0]);
        let p = [2usize, 0, 1];
        let w = DMatrix::from_fn(3, 3, |i, j| t[(p[i], p[j])]);
        let bal = Balanced::new(&w, true);
        assert_eq!(bal.ilo, bal.ihi);
        for j in 0..3 {
            for i in (j + 1)..3 {
                assert_eq!(bal.b[(i, j)], 0.0);
            }
        }
        // an irreducible matrix is not permuted
        let full = DMatrix::<f64>::from_element(4, 4, 1.0);
        let bal = Balanced::new(&full, true);
        assert!(bal.is_plain());
        assert_eq!((bal.ilo, bal.ihi, bal.s), (0, 3, 0));
    }
}
