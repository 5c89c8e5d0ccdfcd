//! Dense eigendecomposition and complex inverse, by faer (on `f32` and `f64` alike): the
//! kernels behind `spectral::Eigen` when the matrix is large enough for blocking to pay.
//!
//! [`real_evd`] is faer's `evd_real`, the path of LAPACK's `dgeev` without its balancing
//! (which `spectral` does itself, on exponents): a blocked Householder reduction to
//! Hessenberg form (`dgehrd`: panels of reflectors, the trailing matrix updated by GEMMs), a
//! multishift QR iteration with small bulges and aggressive early deflation (Braman, Byers &
//! Mathias 2002; LAPACK's `dhseqr`, `dlaqr0`, `dlaqr3`, `dlaqr5`) and the eigenvectors of
//! the quasi-triangular Schur factor by a recursive back-substitution whose off-diagonal
//! blocks are GEMMs, then multiplied by the Schur vectors. [`complex_inverse`] is faer's
//! blocked LU with partial pivoting and its inverse.
//!
//! faer runs here with one thread (`Par::Seq`): the crate's other kernels decide threading.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self, ComputeEigenvectors};
use faer::traits::RealField;
use faer::{MatMut, MatRef, Par};
use nalgebra::Complex;

/// The order from which the QR iteration chases several bulges and deflates aggressively
/// (faer's and LAPACK's default is 75, below which both run the double-shift `dlahqr`): at
/// `n = 64` the multishift iteration with aggressive early deflation took about a quarter
/// fewer instructions (callgrind) for the same residual.
const BLOCKING_THRESHOLD: usize = 48;

/// The eigenvalues `re + i·im` of the column-major `n × n` matrix `a` and, if `vectors` is
/// given (`n²` entries), its right eigenvectors in LAPACK's real layout: a real eigenvalue's
/// vector in its column, a complex pair `λ, λ̄` in columns `j, j+1` as `Re v, Im v` of the
/// vector of the one with `Im λ > 0`. Columns are not normalised. `false` if the QR
/// iteration did not converge (the outputs are then unspecified).
pub(super) fn real_evd<T: RealField + Copy>(
    a: &[T],
    n: usize,
    re: &mut [T],
    im: &mut [T],
    vectors: Option<&mut [T]>,
) -> bool {
    debug_assert!(a.len() == n * n && re.len() == n && im.len() == n);
    if n == 0 {
        return true;
    }
    let want = if vectors.is_some() {
        ComputeEigenvectors::Yes
    } else {
        ComputeEigenvectors::No
    };
    let mut params: evd::EvdParams = faer::Auto::<T>::auto();
    params.schur.blocking_threshold = BLOCKING_THRESHOLD;
    let mut buf = MemBuffer::new(evd::evd_scratch::<T>(
        n,
        ComputeEigenvectors::No,
        want,
        Par::Seq,
        params.into(),
    ));
    let a = MatRef::from_column_major_slice(a, n, n);
    let u = vectors.map(|v| MatMut::from_column_major_slice_mut(v, n, n));
    evd::evd_real(
        a,
        faer::diag::DiagMut::from_slice_mut(re),
        faer::diag::DiagMut::from_slice_mut(im),
        None,
        u,
        Par::Seq,
        MemStack::new(&mut buf),
        params.into(),
    )
    .is_ok()
}

/// `A⁻¹` for the column-major complex `n × n` matrix `a`, by LU with partial pivoting, into
/// `out` (`n²` entries). An exactly singular `A` gives non-finite entries.
pub(super) fn complex_inverse<T: RealField + Copy>(
    a: &[Complex<T>],
    n: usize,
    out: &mut [Complex<T>],
) {
    use faer::linalg::solvers::DenseSolveCore;
    debug_assert!(a.len() == n * n && out.len() == n * n);
    if n == 0 {
        return;
    }
    let lu = MatRef::from_column_major_slice(a, n, n).partial_piv_lu();
    let inv = lu.inverse();
    let mut o = MatMut::from_column_major_slice_mut(out, n, n);
    o.copy_from(&inv);
}
