//! Eigenvalues and eigenvectors of a real square matrix, symmetric or not.
//!
//! Non-symmetric path: `W` is permuted, balanced and scaled into `B` (`balance.rs`); the
//! eigenvalues and eigenvectors of `B` come from the blocked kernels (`kernel::real_evd`,
//! faer's: blocked Hessenberg reduction, multishift QR with aggressive early deflation,
//! blocked back-substitution, as LAPACK's `dgeev` does them), then `v = P D x`, normalised,
//! as below. If that QR iteration does not converge, the crate's own unblocked path follows,
//! which this paragraph and the next describe:
//! the real Schur form `B = Q T Qᵀ` (Francis' double-shift QR, `schur.rs`),
//! with `T` upper quasi-triangular: 1 × 1 diagonal blocks are real eigenvalues, 2 × 2 blocks
//! hold a complex conjugate pair (or two real eigenvalues: blocks are not standardised). For an
//! eigenvalue `λ` of the diagonal block starting at row `k`, the eigenvector `x` of `T` has
//! `x_j = 0` below the block, the block's own eigenvector on the block, and the rows above by
//! back-substitution of `(T − λI) x = 0`, block by block from the bottom up (the scheme of
//! LAPACK's `dtrevc`). Then `Q x` is an eigenvector of `B`, and `v = P D Q x` (`dgebak`),
//! normalised to unit 2-norm, one of `W`; the eigenvalues of `W` are those of `B` times the
//! power of two `B` was scaled by. The eigenvector of `λ̄` is the conjugate of that of `λ`, so
//! `V diag(λ)ᵗ V⁻¹` is real up to rounding.
//!
//! A pivot `T_ii − λ` smaller than `s_min = ε·‖T‖_F` is replaced by `s_min` (as `dtrevc` does).
//! For a repeated eigenvalue of a defective matrix the two eigenvectors then come out parallel
//! to working precision, `V` is numerically singular and its condition number `κ₁(V)` reports
//! it; [`Eigen::power`] refuses such a `V` (see [`Eigen::max_condition`]).

use super::balance::{Balanced, exponent, ldexp};
use super::{check_square, max_iterations};
use crate::error::{Error, Result};
use crate::scalar::{Real, lit, to_f64};
use nalgebra::{Complex, DMatrix, DVector, Schur, SymmetricEigen};

/// The eigendecomposition `W = V diag(λ) V⁻¹` of a real square matrix; see the
/// [module docs](crate::spectral).
///
/// Holds the complex eigenvalues `λ` (in the order of the diagonal of the real Schur form, a
/// conjugate pair as `λ, λ̄` with `Im λ > 0` first), the complex eigenvectors `V` (unit 2-norm
/// columns), `V⁻¹` (by a blocked LU with partial pivoting, if `V` is not exactly singular),
/// the condition number `κ₁(V) = ‖V‖₁ ‖V⁻¹‖₁` and a copy of `W` (for residuals and the
/// fallback power).
///
/// # Examples
///
/// A rotation by 90° has eigenvalues `±i`:
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::spectral::Eigen;
/// let w = DMatrix::<f64>::from_row_slice(2, 2, &[0.0, -1.0, 1.0, 0.0]);
/// let eig = Eigen::new(&w)?;
/// assert!((eig.values()[0].im - 1.0).abs() < 1e-12);
/// assert!(eig.residual() < 1e-14);
/// let w4 = eig.power(4)?; // a full turn
/// assert!((w4 - DMatrix::<f64>::identity(2, 2)).norm() < 1e-12);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Eigen<T: Real> {
    pub(super) w: DMatrix<T>,
    pub(super) values: DVector<Complex<T>>,
    pub(super) vectors: DMatrix<Complex<T>>,
    pub(super) inverse: Option<DMatrix<Complex<T>>>,
    pub(super) condition: T,
    pub(super) symmetric: bool,
}

impl<T: Real> Eigen<T> {
    /// Decomposes `w` (`n × n`): eigenvalues, eigenvectors, their inverse and condition
    /// number. Exactly symmetric matrices (`w == wᵀ` entry for entry) take the symmetric path.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`], [`Error::DimensionMismatch`] (non-square) and [`Error::NonFinite`] for
    /// bad input; [`Error::Numerical`] if the QR iteration does not converge within
    /// `30·max(10, n)` sweeps, or if an eigenvalue overflows (a finite matrix with entries near
    /// the largest finite number can have `|λ|` above it).
    ///
    /// # Complexity
    ///
    /// `O(n³)`: blocked Hessenberg reduction and multishift QR iteration (about `25n³`
    /// flops, most of them in GEMMs), back-substitution, `V = QX` and the complex LU inverse
    /// of `V`.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::spectral::Eigen;
    /// let w = DMatrix::<f64>::from_row_slice(2, 2, &[0.5, 1.0, 0.0, 0.8]);
    /// let eig = Eigen::new(&w)?;
    /// assert!((eig.spectral_radius() - 0.8).abs() < 1e-12);
    /// assert!(eig.is_diagonalisable() && eig.residual() < 1e-14);
    /// assert!(Eigen::new(&DMatrix::<f64>::zeros(2, 3)).is_err()); // not square
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(w: &DMatrix<T>) -> Result<Self> {
        let (values, vectors, symmetric) = decompose("Eigen::new", w)?;
        let n = w.nrows();
        let inverse = if symmetric {
            // V is real orthogonal: V⁻¹ = Vᵀ (= Vᴴ).
            Some(vectors.adjoint())
        } else {
            let mut inv = DMatrix::from_element(n, n, Complex::new(T::zero(), T::zero()));
            crate::kernel::complex_inverse(vectors.as_slice(), n, inv.as_mut_slice());
            Some(inv)
        };
        let condition = match &inverse {
            Some(inv) if inv.iter().all(|z| z.re.is_finite() && z.im.is_finite()) => {
                let k = norm1(&vectors) * norm1(inv);
                if k.is_finite() { k } else { infinity() }
            }
            _ => infinity(),
        };
        debug_assert_eq!(values.len(), n);
        Ok(Self {
            w: w.clone(),
            values,
            vectors,
            inverse: if condition.is_finite() { inverse } else { None },
            condition,
            symmetric,
        })
    }

    /// The eigenvalues `λ`, length `n`.
    pub fn values(&self) -> &DVector<Complex<T>> {
        &self.values
    }

    /// The eigenvectors as the columns of `V` (`n × n`, unit 2-norm columns): `W vᵢ = λᵢ vᵢ`.
    pub fn vectors(&self) -> &DMatrix<Complex<T>> {
        &self.vectors
    }

    /// `V⁻¹`, or `None` if `V` is singular to working precision (then `κ₁(V)` is infinite).
    pub fn inverse_vectors(&self) -> Option<&DMatrix<Complex<T>>> {
        self.inverse.as_ref()
    }

    /// The decomposed matrix `W`.
    pub fn matrix(&self) -> &DMatrix<T> {
        &self.w
    }

    /// True if `W` was exactly symmetric and took the symmetric path (real `λ`, orthogonal `V`).
    pub fn is_symmetric(&self) -> bool {
        self.symmetric
    }

    /// The condition number `κ₁(V) = ‖V‖₁ ‖V⁻¹‖₁` (`‖·‖₁` the largest column sum of moduli),
    /// infinite if `V` is singular. It is within a factor `n` of the 2-norm condition number
    /// ([`Eigen::condition_number_2`]); about 1 for a normal matrix, huge for a defective one.
    pub fn condition_number(&self) -> T {
        self.condition
    }

    /// The 2-norm condition number `κ₂(V) = σ_max(V)/σ_min(V)` by a complex SVD (`O(n³)`, on
    /// demand), the figure `numpy.linalg.cond(V)` reports.
    ///
    /// # Errors
    ///
    /// [`Error::Numerical`] if the SVD does not converge.
    pub fn condition_number_2(&self) -> Result<T> {
        let n = self.vectors.nrows();
        let svd = nalgebra::SVD::try_new(
            self.vectors.clone(),
            false,
            false,
            T::default_epsilon(),
            max_iterations(n),
        )
        .ok_or_else(|| Error::Numerical {
            op: "Eigen::condition_number_2",
            reason: "SVD of V did not converge".into(),
        })?;
        let s = &svd.singular_values;
        let (max, min) = (s.max(), s.min());
        Ok(if min > T::zero() {
            max / min
        } else {
            infinity()
        })
    }

    /// The largest condition number `κ₁(V)` for which [`Eigen::power`] trusts the eigen route:
    /// `1/√ε` (`6.7·10⁷` in `f64`, `2.9·10³` in `f32`).
    ///
    /// The eigen route's relative error is about `κ(V)·ε` (the reference measurement of numpy's
    /// `eig` gives `2·10⁻¹³` at `κ ≈ 250`), so below this threshold it is at most about `√ε`
    /// (`1.5·10⁻⁸` in `f64`). An exact Jordan block has `κ₁(V) ≈ 1/ε` or is singular outright,
    /// far above it; a random Gaussian `64 × 64` matrix has `κ₁(V)` of a few hundred.
    pub fn max_condition() -> T {
        T::one() / T::default_epsilon().sqrt()
    }

    /// True if `κ₁(V) ≤ 1/√ε` ([`Eigen::max_condition`]): `V` is a usable basis, so `W` is
    /// diagonalisable to working precision.
    pub fn is_diagonalisable(&self) -> bool {
        self.condition <= Self::max_condition()
    }

    /// The spectral radius `ρ(W) = maxᵢ |λᵢ|`.
    pub fn spectral_radius(&self) -> T {
        self.values
            .iter()
            .map(|z| cabs(*z))
            .fold(T::zero(), |a, b| a.max(b))
    }

    /// The relative residual `‖WV − V diag(λ)‖_F / ‖W‖_F` (0 for `W = 0`).
    ///
    /// `W` and `λ` are first multiplied by the same power of two (exactly), `2^(−e)` with
    /// `2^e ≤ max |wᵢⱼ| < 2^(e+1)`, so the figure neither overflows for entries near `10³⁰⁸`
    /// nor underflows for entries near `10⁻³⁰⁸`; the ratio does not depend on that scale.
    pub fn residual(&self) -> T {
        let Some(e) = exponent(self.w.amax()) else {
            return T::zero(); // W = 0, so λ = 0 and W V = V diag(λ) exactly
        };
        let w = self.w.map(|x| ldexp(x, -e));
        let (vr, vi) = split(&self.vectors);
        let mut rr = &w * &vr;
        let mut ri = &w * &vi;
        for (j, l) in self.values.iter().enumerate() {
            let l = Complex::new(ldexp(l.re, -e), ldexp(l.im, -e));
            for i in 0..vr.nrows() {
                // (V diag λ)_ij = v_ij λ_j
                rr[(i, j)] -= vr[(i, j)] * l.re - vi[(i, j)] * l.im;
                ri[(i, j)] -= vr[(i, j)] * l.im + vi[(i, j)] * l.re;
            }
        }
        (rr.norm_squared() + ri.norm_squared()).sqrt() / w.norm()
    }
}

/// The eigenvalues of `w` alone (real Schur form, no eigenvectors), in the order of
/// [`Eigen::values`].
///
/// The matrix is permuted, balanced and scaled first (see the [module docs](crate::spectral)),
/// so entries of any magnitude give eigenvalues to working precision.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// let w = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 0.0, 3.0]);
/// let l = recurrent::spectral::eigenvalues(&w)?;
/// assert_eq!((l[0].re, l[1].re), (2.0, 3.0));
///
/// // λ = (1 ± i)·10³⁰⁰: no overflow on the way
/// let big = DMatrix::<f64>::from_row_slice(2, 2, &[1e300, 1e300, -1e300, 1e300]);
/// let l = recurrent::spectral::eigenvalues(&big)?;
/// assert!((l[0].re - 1e300).abs() < 1e285 && (l[0].im.abs() - 1e300).abs() < 1e285);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`Eigen::new`].
pub fn eigenvalues<T: Real>(w: &DMatrix<T>) -> Result<DVector<Complex<T>>> {
    let op = "spectral::eigenvalues";
    check_square(op, w)?;
    let bal = Balanced::new(w, true);
    let values = balanced_values(op, &bal)?
        .into_iter()
        .map(|z| bal.value(z))
        .collect();
    check_values(op, DVector::from_vec(values))
}

/// Eigenvalues and unit eigenvectors `(λ, V)` of `w`, without `V⁻¹`: what LAPACK's `dgeev`
/// (`numpy.linalg.eig`) returns.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// let w = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 0.0, 3.0]);
/// let (l, v) = recurrent::spectral::eigenvectors(&w)?;
/// let wv = w.map(nalgebra::Complex::from) * v.column(1);
/// assert!((wv - v.column(1) * l[1]).norm() < 1e-14);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`Eigen::new`].
pub fn eigenvectors<T: Real>(w: &DMatrix<T>) -> Result<EigenPairs<T>> {
    let (l, v, _) = decompose("spectral::eigenvectors", w)?;
    Ok((l, v))
}

/// Eigenvalues `λ` and unit eigenvectors `V` (as columns), as [`eigenvectors`] returns them.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::spectral::{EigenPairs, eigenvectors};
/// let w = DMatrix::<f64>::from_row_slice(2, 2, &[2.0, 0.0, 0.0, 0.5]);
/// let (values, vectors): EigenPairs<f64> = eigenvectors(&w)?;
/// assert_eq!(values.len(), 2);
/// assert!(vectors.column_iter().all(|v| (v.norm() - 1.0).abs() < 1e-12)); // unit columns
/// let mut re: Vec<f64> = values.iter().map(|l| l.re).collect();
/// re.sort_by(f64::total_cmp);
/// assert_eq!(re, [0.5, 2.0]);
/// # Ok::<(), recurrent::Error>(())
/// ```
pub type EigenPairs<T> = (DVector<Complex<T>>, DMatrix<Complex<T>>);

type Decomposition<T> = (DVector<Complex<T>>, DMatrix<Complex<T>>, bool);

fn decompose<T: Real>(op: &'static str, w: &DMatrix<T>) -> Result<Decomposition<T>> {
    check_square(op, w)?;
    let n = w.nrows();
    if w == &w.transpose() {
        // scaled by a power of two only: a symmetric matrix is balanced already
        let bal = Balanced::new(w, false);
        let se = SymmetricEigen::try_new(bal.b.clone(), T::default_epsilon(), max_iterations(n))
            .ok_or_else(|| Error::Numerical {
                op,
                reason: format!("symmetric eigen-iteration did not converge (n = {n})"),
            })?;
        let values = se
            .eigenvalues
            .map(|x| bal.value(Complex::new(x, T::zero())));
        let vectors = se.eigenvectors.map(|x| Complex::new(x, T::zero()));
        return Ok((check_values(op, values)?, vectors, true));
    }
    let bal = Balanced::new(w, true);
    let blocked = if n >= BLOCKED_FROM {
        blocked_pairs(&bal.b)
    } else {
        None
    };
    let (values, xr, xi) = match blocked {
        Some(found) => found,
        None => simple_pairs(op, &bal)?,
    };
    // back through the balancing (P D), normalised
    let v = bal.vectors(&xr, &xi);
    let values = values.into_iter().map(|z| bal.value(z)).collect();
    Ok((check_values(op, DVector::from_vec(values))?, v, false))
}

/// From this order on the blocked kernels (faer's) are used, below it the crate's own
/// unblocked path. Measured on a Zen 3 core (1 thread, `eig/eigenvectors`): at n = 64 the
/// own path took 2.14 ms and the blocked 2.92 ms; at n = 256, 118 ms against 54.8 ms. The
/// crossover of the two measured power laws is near n = 94.
const BLOCKED_FROM: usize = 96;

/// Eigenvalues and eigenvectors `(λ, Re X, Im X)` of a matrix, columns of `X` not normalised.
type Pairs<T> = (Vec<Complex<T>>, DMatrix<T>, DMatrix<T>);

/// Eigenvalues and eigenvectors `(λ, Re X, Im X)` of the balanced matrix `b` (columns of `X`
/// not normalised) by the blocked kernels (`kernel::real_evd`: blocked Hessenberg reduction,
/// multishift QR with aggressive early deflation, blocked back-substitution); `None` if the
/// QR iteration did not converge.
///
/// LAPACK's real layout is unpacked here: a complex pair `λ, λ̄` in columns `j, j+1` holds
/// `Re v, Im v` of the vector of `λ = re + i·|im|`, so column `j` gets `v` and `j+1` gets `v̄`.
fn blocked_pairs<T: Real>(b: &DMatrix<T>) -> Option<Pairs<T>> {
    let n = b.nrows();
    let (mut re, mut im) = (vec![T::zero(); n], vec![T::zero(); n]);
    let mut u = DMatrix::<T>::zeros(n, n);
    if !crate::kernel::real_evd(b.as_slice(), n, &mut re, &mut im, Some(u.as_mut_slice())) {
        return None;
    }
    let mut xi = DMatrix::<T>::zeros(n, n);
    let mut values = Vec::with_capacity(n);
    let mut j = 0;
    while j < n {
        if im[j] == T::zero() || j + 1 == n {
            values.push(Complex::new(re[j], T::zero()));
            j += 1;
            continue;
        }
        let (l, vi) = (
            Complex::new(re[j], im[j].abs()),
            u.column(j + 1).into_owned(),
        );
        values.push(l);
        values.push(l.conj());
        let vr = u.column(j).into_owned();
        u.set_column(j + 1, &vr);
        xi.set_column(j, &vi);
        xi.set_column(j + 1, &(-vi));
        j += 2;
    }
    Some((values, u, xi))
}

/// As [`blocked_pairs`], by the crate's own unblocked path: the real Schur form of `schur.rs`
/// (Householder reduction and Francis double-shift QR, nalgebra's `Schur` if that does not
/// converge), the eigenvectors of `T` by [`schur_vectors`], times `Q`.
fn simple_pairs<T: Real>(op: &'static str, bal: &Balanced<T>) -> Result<Pairs<T>> {
    let (q, t) = schur(op, bal, true)?;
    let blocks = blocks(&t);
    let values = block_values(&t, &blocks);
    let (xr, xi) = schur_vectors(&t, &blocks, &values);
    // eigenvectors of the balanced matrix: Q X, real and imaginary parts by two real GEMMs
    Ok((values, &q * xr, &q * xi))
}

/// The eigenvalues of the balanced matrix `bal.b` alone: the blocked kernels
/// (`kernel::real_evd` without vectors), or the crate's own Schur form if they do not
/// converge.
fn balanced_values<T: Real>(op: &'static str, bal: &Balanced<T>) -> Result<Vec<Complex<T>>> {
    let n = bal.b.nrows();
    let (mut re, mut im) = (vec![T::zero(); n], vec![T::zero(); n]);
    if n >= BLOCKED_FROM && crate::kernel::real_evd(bal.b.as_slice(), n, &mut re, &mut im, None) {
        let mut values = Vec::with_capacity(n);
        let mut j = 0;
        while j < n {
            if im[j] == T::zero() || j + 1 == n {
                values.push(Complex::new(re[j], T::zero()));
                j += 1;
            } else {
                let l = Complex::new(re[j], im[j].abs());
                values.push(l);
                values.push(l.conj());
                j += 2;
            }
        }
        return Ok(values);
    }
    let (_, t) = schur(op, bal, false)?;
    Ok(block_values(&t, &blocks(&t)))
}

/// `Err` if an eigenvalue is not finite: the matrix is finite, but `|λ|` can exceed the
/// largest number of `T` (by a factor up to `n`).
fn check_values<T: Real>(
    op: &'static str,
    values: DVector<Complex<T>>,
) -> Result<DVector<Complex<T>>> {
    match values
        .iter()
        .position(|z| !(z.re.is_finite() && z.im.is_finite()))
    {
        None => Ok(values),
        Some(i) => Err(Error::Numerical {
            op,
            reason: format!(
                "eigenvalue {i} overflows: its real or imaginary part exceeds the largest \
                 finite number ({:e})",
                to_f64(T::max_value().unwrap_or_else(T::one))
            ),
        }),
    }
}

/// Real Schur form `(Q, T)` of the balanced matrix `bal.b`, entries of `T` below the
/// quasi-triangle zero: the crate's Francis iteration (`schur.rs`), with nalgebra's `Schur` as
/// a second attempt if it does not converge.
///
/// With `full = false` only the diagonal blocks of `T` are valid (eigenvalues only), and `Q`
/// is `0 × 0` (or nalgebra's, if that ran).
fn schur<T: Real>(
    op: &'static str,
    bal: &Balanced<T>,
    full: bool,
) -> Result<(DMatrix<T>, DMatrix<T>)> {
    let w = &bal.b;
    let n = w.nrows();
    if let Some((q, t)) = super::schur::real_schur(w, bal.ilo, bal.ihi, max_iterations(n), full) {
        return Ok((q.unwrap_or_else(|| DMatrix::zeros(0, 0)), t));
    }
    let s =
        Schur::try_new(w.clone(), T::default_epsilon(), max_iterations(n)).ok_or_else(|| {
            Error::Numerical {
                op,
                reason: format!(
                    "real Schur (QR) iteration did not converge in {} sweeps (n = {n})",
                    max_iterations(n)
                ),
            }
        })?;
    let (q, mut t) = s.unpack();
    for j in 0..n {
        for i in (j + 2)..n {
            t[(i, j)] = T::zero();
        }
    }
    Ok((q, t))
}

/// The diagonal blocks `(start, size)` of a quasi-triangular `t`, size 1 or 2.
fn blocks<T: Real>(t: &DMatrix<T>) -> Vec<(usize, usize)> {
    let n = t.nrows();
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        if i + 1 < n && t[(i + 1, i)] != T::zero() {
            out.push((i, 2));
            i += 2;
        } else {
            out.push((i, 1));
            i += 1;
        }
    }
    out
}

/// The eigenvalues of each diagonal block, in block order; a complex pair as `λ, λ̄`,
/// `Im λ > 0` first, two real ones of a 2 × 2 block larger first.
fn block_values<T: Real>(t: &DMatrix<T>, blocks: &[(usize, usize)]) -> Vec<Complex<T>> {
    let mut out = Vec::with_capacity(t.nrows());
    for &(k, s) in blocks {
        if s == 1 {
            out.push(Complex::new(t[(k, k)], T::zero()));
        } else {
            out.extend(pair_values(
                t[(k, k)],
                t[(k, k + 1)],
                t[(k + 1, k)],
                t[(k + 1, k + 1)],
            ));
        }
    }
    out
}

/// The eigenvalues of `[[a, b], [c, d]]`, `λ = (a+d)/2 ± √(p² + bc)` with `p = (a−d)/2`,
/// computed as LAPACK's `dlanv2` does so that nothing overflows, underflows or cancels: the
/// block is first scaled by a power of two to largest entry in `[1, 2)`; `p² + bc` is formed
/// as `scale·((p/scale)·p + (bc_max/scale)·bc_min)` with `scale = max(|p|, bc_max)`; two
/// real roots as `λ₁ = d + z`, `z = p + sign(p)·√(p² + bc)` (no cancellation), and
/// `λ₂ = d − (bc_max/z)·bc_min`.
fn pair_values<T: Real>(a: T, b: T, c: T, d: T) -> [Complex<T>; 2] {
    let real = |x: T| Complex::new(x, T::zero());
    let big = a.abs().max(b.abs()).max(c.abs()).max(d.abs());
    let Some(e) = exponent(big) else {
        return [real(T::zero()), real(T::zero())];
    };
    let (a, b, c, d) = (ldexp(a, -e), ldexp(b, -e), ldexp(c, -e), ldexp(d, -e));
    let back = |x: T| ldexp(x, e);
    if b == T::zero() || c == T::zero() {
        // triangular: the diagonal
        let (hi, lo) = if a >= d { (a, d) } else { (d, a) };
        return [real(back(hi)), real(back(lo))];
    }
    let p = (a - d) * lit::<T>(0.5);
    let bcmax = b.abs().max(c.abs());
    let bcmis = if (b >= T::zero()) == (c >= T::zero()) {
        b.abs().min(c.abs())
    } else {
        -b.abs().min(c.abs())
    };
    let scale = p.abs().max(bcmax);
    let z = (p / scale) * p + (bcmax / scale) * bcmis; // (p² + bc)/scale
    if z >= T::zero() {
        let r = scale.sqrt() * z.sqrt();
        let zz = if p >= T::zero() { p + r } else { p - r };
        let l1 = d + zz;
        let l2 = d - (bcmax / zz) * bcmis;
        let (hi, lo) = if l1 >= l2 { (l1, l2) } else { (l2, l1) };
        [real(back(hi)), real(back(lo))]
    } else {
        let re = back(d + p);
        let im = back(scale.sqrt() * (-z).sqrt());
        [Complex::new(re, im), Complex::new(re, -im)]
    }
}

/// Eigenvectors of the quasi-triangular `t` by back-substitution: returns `(Re X, Im X)` with
/// `T X = X diag(λ)` (columns not normalised).
fn schur_vectors<T: Real>(
    t: &DMatrix<T>,
    blocks: &[(usize, usize)],
    values: &[Complex<T>],
) -> (DMatrix<T>, DMatrix<T>) {
    let n = t.nrows();
    let mut xr = DMatrix::<T>::zeros(n, n);
    let mut xi = DMatrix::<T>::zeros(n, n);
    let eps = T::default_epsilon();
    let tnorm = t.norm();
    // dtrevc's guard: pivots below ε‖T‖ are replaced by it (any positive value works for T = 0).
    let smin = if tnorm > T::zero() { eps * tnorm } else { eps };
    // Rescale a vector whose entries pass ε⁻³ so the next pivots cannot overflow; eigenvectors
    // are defined up to scale.
    let big = T::one() / (eps * eps * eps);
    let mut wr = vec![T::zero(); n];
    let mut wi = vec![T::zero(); n];
    let mut e = 0; // column index of the current eigenvalue
    for (bi, &(k, s)) in blocks.iter().enumerate() {
        let n_here = if s == 2 && values[e].im != T::zero() {
            1 // a complex pair: compute λ, conjugate for λ̄
        } else {
            s
        };
        for m in 0..n_here {
            let l = values[e + m];
            let col = e + m;
            let real = l.im == T::zero();
            // the block's own eigenvector, v with (B − λI) v = 0
            let v: [Complex<T>; 2] = if s == 1 {
                [
                    Complex::new(T::one(), T::zero()),
                    Complex::new(T::zero(), T::zero()),
                ]
            } else {
                let (a, b, c, d) = (t[(k, k)], t[(k, k + 1)], t[(k + 1, k)], t[(k + 1, k + 1)]);
                let c1 = [Complex::new(b, T::zero()), l - Complex::new(a, T::zero())];
                let c2 = [l - Complex::new(d, T::zero()), Complex::new(c, T::zero())];
                let n1 = c1[0].norm_sqr() + c1[1].norm_sqr();
                let n2 = c2[0].norm_sqr() + c2[1].norm_sqr();
                if n1 >= n2 { c1 } else { c2 }
            };
            for r in 0..s {
                xr[(k + r, col)] = v[r].re;
                xi[(k + r, col)] = v[r].im;
            }
            // w = −T[0..k, k..k+s] v
            wr[..k].fill(T::zero());
            wi[..k].fill(T::zero());
            for (r, &vr) in v.iter().enumerate().take(s) {
                axpy_neg(&mut wr[..k], &mut wi[..k], t, k + r, vr, real);
            }
            for &(i, si) in blocks[..bi].iter().rev() {
                let y: [Complex<T>; 2] = if si == 1 {
                    let mut d = Complex::new(t[(i, i)], T::zero()) - l;
                    if cabs(d) < smin {
                        d = Complex::new(smin, T::zero());
                    }
                    [
                        Complex::new(wr[i], wi[i]) / d,
                        Complex::new(T::zero(), T::zero()),
                    ]
                } else {
                    let m = [
                        [
                            Complex::new(t[(i, i)], T::zero()) - l,
                            Complex::new(t[(i, i + 1)], T::zero()),
                        ],
                        [
                            Complex::new(t[(i + 1, i)], T::zero()),
                            Complex::new(t[(i + 1, i + 1)], T::zero()) - l,
                        ],
                    ];
                    solve2(
                        m,
                        [
                            Complex::new(wr[i], wi[i]),
                            Complex::new(wr[i + 1], wi[i + 1]),
                        ],
                        smin,
                    )
                };
                for r in 0..si {
                    xr[(i + r, col)] = y[r].re;
                    xi[(i + r, col)] = y[r].im;
                    axpy_neg(&mut wr[..i], &mut wi[..i], t, i + r, y[r], real);
                }
                // keep entries representable
                let mut amax = T::zero();
                for r in i..k + s {
                    amax = amax.max(xr[(r, col)].abs()).max(xi[(r, col)].abs());
                }
                if amax > big {
                    let inv = T::one() / amax;
                    for r in i..k + s {
                        xr[(r, col)] *= inv;
                        xi[(r, col)] *= inv;
                    }
                    wr[..i].iter_mut().for_each(|x| *x *= inv);
                    wi[..i].iter_mut().for_each(|x| *x *= inv);
                }
            }
        }
        if n_here == 1 && s == 2 {
            // the conjugate pair's second vector
            for r in 0..n {
                xr[(r, e + 1)] = xr[(r, e)];
                xi[(r, e + 1)] = -xi[(r, e)];
            }
        }
        e += s;
    }
    (xr, xi)
}

/// `w[0..len] −= T[0..len, c] · y` in complex arithmetic (real column, complex `y`).
fn axpy_neg<T: Real>(
    wr: &mut [T],
    wi: &mut [T],
    t: &DMatrix<T>,
    c: usize,
    y: Complex<T>,
    real: bool,
) {
    let len = wr.len();
    let n = t.nrows();
    let col = &t.as_slice()[c * n..c * n + len];
    for (w, &tc) in wr.iter_mut().zip(col) {
        *w -= tc * y.re;
    }
    if !real {
        for (w, &tc) in wi.iter_mut().zip(col) {
            *w -= tc * y.im;
        }
    }
}

/// Solves the complex 2 × 2 system `m y = r` by Gaussian elimination with partial pivoting,
/// pivots below `smin` replaced by `smin`.
fn solve2<T: Real>(m: [[Complex<T>; 2]; 2], r: [Complex<T>; 2], smin: T) -> [Complex<T>; 2] {
    let (m, r) = if m[0][0].norm_sqr() >= m[1][0].norm_sqr() {
        (m, r)
    } else {
        ([m[1], m[0]], [r[1], r[0]])
    };
    let guard = |z: Complex<T>| {
        if cabs(z) < smin {
            Complex::new(smin, T::zero())
        } else {
            z
        }
    };
    let p = guard(m[0][0]);
    let f = m[1][0] / p;
    let q = guard(m[1][1] - f * m[0][1]);
    let y1 = (r[1] - f * r[0]) / q;
    let y0 = (r[0] - m[0][1] * y1) / p;
    [y0, y1]
}

/// `‖A‖₁`: the largest column sum of moduli.
fn norm1<T: Real>(a: &DMatrix<Complex<T>>) -> T {
    a.column_iter()
        .map(|c| c.iter().map(|z| cabs(*z)).fold(T::zero(), |x, y| x + y))
        .fold(T::zero(), |x, y| x.max(y))
}

/// `(Re A, Im A)`.
pub(crate) fn split<T: Real>(a: &DMatrix<Complex<T>>) -> (DMatrix<T>, DMatrix<T>) {
    (a.map(|z| z.re), a.map(|z| z.im))
}

/// `|z|` without overflow.
pub(crate) fn cabs<T: Real>(z: Complex<T>) -> T {
    z.re.hypot(z.im)
}

pub(crate) fn infinity<T: Real>() -> T {
    lit(f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangular_with_distinct_diagonal() {
        let w = DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 3.0, 0.0, 4.0, 5.0, 0.0, 0.0, 6.0]);
        let e = Eigen::new(&w).unwrap();
        assert!(e.residual() < 1e-14, "{}", e.residual());
        assert!(e.is_diagonalisable());
    }

    /// 2 × 2 block eigenvalues: no overflow or underflow at any scale, and a small real root
    /// next to a large one to full relative precision (the plain `mid − r` cancels).
    #[test]
    fn pair_values_at_any_scale() {
        for s in [1.0f64, 1e300, 1e-300, 1e-310, 1e154, 1e-154] {
            let [l1, l2] = pair_values(s, s, -s, s);
            assert!(
                (l1.re - s).abs() <= 1e-15 * s + 5e-324 && (l1.im - s).abs() <= 1e-15 * s + 5e-324,
                "{s:e}: {l1}"
            );
            assert_eq!(l2, l1.conj());
            let [a, b] = pair_values(s, 2.0 * s, 3.0 * s, -s);
            let r = 7f64.sqrt() * s;
            assert!(
                (a.re - r).abs() <= 1e-15 * r + 5e-324 && (b.re + r).abs() <= 1e-15 * r + 5e-324,
                "{s:e}: {a} {b}"
            );
            assert!(a.im == 0.0 && b.im == 0.0);
        }
        // [[1, 1e-10], [1e-10, 2e-20]]: λ = 1 + 1e-20 and (2e-20 − 1e-20)/λ₁ = 1e-20
        let [hi, lo] = pair_values(1.0f64, 1e-10, 1e-10, 2e-20);
        assert_eq!(hi.re, 1.0);
        assert!((lo.re - 1e-20).abs() < 1e-35, "{lo}");
        // triangular blocks and zero
        assert_eq!(pair_values(2.0, 0.0, 5.0, 3.0).map(|z| z.re), [3.0, 2.0]);
        assert_eq!(pair_values(0.0, 0.0, 0.0, 0.0).map(|z| z.re), [0.0, 0.0]);
    }

    /// Balancing is what makes a badly balanced matrix accurate: `D A D⁻¹` with
    /// `D = diag(10⁻⁴ … 10⁴)` against the eigenvalues of the well-balanced `A` itself.
    #[test]
    fn balancing_recovers_the_accuracy_of_a_graded_matrix() {
        let n = 9;
        let a = DMatrix::<f64>::from_fn(n, n, |i, j| {
            ((i * 37 + j * 11 + i * j * 7) % 19) as f64 / 19.0 - 0.45
        });
        let d: Vec<f64> = (0..n).map(|i| 10f64.powi(i as i32 - 4)).collect();
        let w = DMatrix::from_fn(n, n, |i, j| d[i] * a[(i, j)] / d[j]);
        let reference = eigenvalues(&a).unwrap();
        let rho = reference.iter().map(|z| cabs(*z)).fold(0.0, f64::max);
        let err = |vals: &[Complex<f64>]| {
            reference
                .iter()
                .map(|r| {
                    vals.iter()
                        .map(|v| cabs(*v - *r))
                        .fold(f64::INFINITY, f64::min)
                })
                .fold(0.0, f64::max)
                / rho
        };
        let values = |balance: bool| -> Vec<Complex<f64>> {
            let bal = Balanced::new(&w, balance);
            let (_, t) = schur("test", &bal, false).unwrap();
            block_values(&t, &blocks(&t))
                .into_iter()
                .map(|z| bal.value(z))
                .collect()
        };
        let with = err(&values(true));
        let without = err(&values(false));
        println!("graded 9 × 9: max |λ − λ(A)|/ρ balanced {with:.1e}, unbalanced {without:.1e}");
        assert!(with < 1e-14, "balanced: {with:e}");
        // without balancing the error is ε·‖W‖-sized: ‖W‖ ≈ 10⁸ here
        assert!(
            without > 100.0 * with,
            "unbalanced {without:e} vs balanced {with:e}"
        );
    }

    /// A random `n × n` matrix with entries in `[−0.5, 0.5)`, balanced as `decompose` does.
    fn balanced_random<T: Real>(n: usize, seed: u64) -> Balanced<T> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let w = DMatrix::<T>::from_fn(n, n, |_, _| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            lit::<T>((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5)
        });
        Balanced::new(&w, true)
    }

    /// `‖B X − X Λ‖_F / ‖B‖_F` over unit columns of `X = Re X + i Im X`.
    fn pair_residual<T: Real>(
        b: &DMatrix<T>,
        l: &[Complex<T>],
        xr: &DMatrix<T>,
        xi: &DMatrix<T>,
    ) -> f64 {
        let (bx, bi) = (b * xr, b * xi);
        let mut sum = 0.0;
        for (j, l) in l.iter().enumerate() {
            let norm = (xr.column(j).norm_squared() + xi.column(j).norm_squared()).sqrt();
            for i in 0..b.nrows() {
                let r = to_f64(bx[(i, j)] - (xr[(i, j)] * l.re - xi[(i, j)] * l.im));
                let q = to_f64(bi[(i, j)] - (xr[(i, j)] * l.im + xi[(i, j)] * l.re));
                sum += (r * r + q * q) / to_f64(norm * norm);
            }
        }
        sum.sqrt() / to_f64(b.norm())
    }

    /// The blocked kernels (faer's evd) against the crate's own unblocked Schur path that
    /// they replace, on the same balanced matrices, `f64` and `f32`, odd sizes: the same
    /// eigenvalues (each within a small multiple of `ε·‖B‖·√n`, matched to the nearest), the
    /// same eigenvectors up to a complex scale (`|⟨x, y⟩| = ‖x‖‖y‖` to rounding) and a
    /// residual at the simple path's level; the eigenvalue-only call gives the same values.
    fn blocked_matches_simple<T: Real>(tol: f64) {
        for (n, seed) in [(1usize, 1u64), (2, 2), (7, 3), (33, 4), (64, 5), (257, 6)] {
            let bal = balanced_random::<T>(n, seed);
            let (l1, xr1, xi1) = blocked_pairs(&bal.b).expect("converges");
            let (l2, xr2, xi2) = simple_pairs("test", &bal).unwrap();
            let only = balanced_values("test", &bal).unwrap();
            assert_eq!(only.len(), n);
            let scale = to_f64(bal.b.norm()).max(1.0);
            let nearest = |a: Complex<T>, set: &[Complex<T>]| {
                set.iter()
                    .enumerate()
                    .map(|(k, b)| (k, to_f64(cabs(a - *b))))
                    .fold((0, f64::INFINITY), |m, x| if x.1 < m.1 { x } else { m })
            };
            for (j, a) in l1.iter().enumerate() {
                let (_, d) = nearest(*a, &only);
                assert!(
                    d <= tol * scale,
                    "n = {n}: eigenvalue-only call, λ {a} ({d:e})"
                );
                let (k, d) = nearest(*a, &l2);
                assert!(d <= tol * scale, "n = {n}: λ {a} vs {} ({d:e})", l2[k]);
                // eigenvectors parallel: |xᴴy| against ‖x‖‖y‖
                let x: Vec<Complex<f64>> = (0..n)
                    .map(|i| Complex::new(to_f64(xr1[(i, j)]), to_f64(xi1[(i, j)])))
                    .collect();
                let y: Vec<Complex<f64>> = (0..n)
                    .map(|i| Complex::new(to_f64(xr2[(i, k)]), to_f64(xi2[(i, k)])))
                    .collect();
                let dot: Complex<f64> = x.iter().zip(&y).map(|(a, b)| a.conj() * b).sum();
                let nx = x.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt();
                let ny = y.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt();
                assert!(
                    1.0 - dot.norm() / (nx * ny) <= tol * scale,
                    "n = {n}: vector {j} not parallel ({:e})",
                    1.0 - dot.norm() / (nx * ny)
                );
            }
            let r1 = pair_residual(&bal.b, &l1, &xr1, &xi1);
            let r2 = pair_residual(&bal.b, &l2, &xr2, &xi2);
            let eps = to_f64(T::default_epsilon());
            assert!(
                r1 <= 4.0 * r2 + 10.0 * eps,
                "n = {n}: residual {r1:e} vs simple {r2:e}"
            );
        }
    }

    #[test]
    fn blocked_evd_matches_the_simple_path_f64() {
        blocked_matches_simple::<f64>(1e-10);
    }

    #[test]
    fn blocked_evd_matches_the_simple_path_f32() {
        blocked_matches_simple::<f32>(2e-2);
    }

    /// The blocked complex LU inverse against nalgebra's unblocked one, `f64` and `f32`, odd
    /// sizes: `‖A·A⁻¹ − I‖` at rounding level and the two inverses agree to `κ·ε`; an exactly
    /// singular matrix gives non-finite entries.
    #[test]
    fn blocked_inverse_matches_nalgebra() {
        fn check<T: Real>(tol: f64) {
            for (n, seed) in [(1usize, 1u64), (7, 2), (33, 3), (257, 4)] {
                let re = balanced_random::<T>(n, seed).b;
                let im = balanced_random::<T>(n, seed + 100).b;
                let a = DMatrix::from_fn(n, n, |i, j| Complex::new(re[(i, j)], im[(i, j)]));
                let mut inv = DMatrix::from_element(n, n, Complex::new(T::zero(), T::zero()));
                crate::kernel::complex_inverse(a.as_slice(), n, inv.as_mut_slice());
                let want = a.clone().lu().try_inverse().expect("regular");
                let id = DMatrix::<Complex<T>>::identity(n, n);
                let err = to_f64((&a * &inv - &id).norm());
                let cond = to_f64(a.norm() * want.norm());
                assert!(
                    err <= tol * cond,
                    "n = {n}: ‖A·A⁻¹ − I‖ = {err:e}, κ = {cond:e}"
                );
                let diff = to_f64((&inv - &want).norm() / want.norm());
                assert!(diff <= tol * cond, "n = {n}: {diff:e}");
            }
            let z = Complex::new(T::zero(), T::zero());
            let singular = DMatrix::from_element(3, 3, Complex::new(T::one(), T::zero()));
            let mut inv = DMatrix::from_element(3, 3, z);
            crate::kernel::complex_inverse(singular.as_slice(), 3, inv.as_mut_slice());
            assert!(inv.iter().any(|z| !(z.re.is_finite() && z.im.is_finite())));
        }
        check::<f64>(1e-13);
        check::<f32>(1e-5);
    }

    #[test]
    fn solve2_matches_direct() {
        let c = |a: f64, b: f64| Complex::new(a, b);
        let m = [[c(1.0, 1.0), c(2.0, 0.0)], [c(3.0, -1.0), c(0.5, 0.0)]];
        let y = [c(0.3, -0.2), c(-1.0, 0.7)];
        let r = [
            m[0][0] * y[0] + m[0][1] * y[1],
            m[1][0] * y[0] + m[1][1] * y[1],
        ];
        let s = solve2(m, r, 1e-300);
        assert!((s[0] - y[0]).norm() < 1e-14 && (s[1] - y[1]).norm() < 1e-14);
    }
}
