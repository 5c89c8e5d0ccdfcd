//! Eigen-analysis of a recurrent weight matrix: why `Wᵗ` vanishes or explodes.
//!
//! An RNN applies the same recurrent matrix `W` (`n × n`, the lecture's `W_aa`) at every step,
//! so the linearised recurrence `a⟨t⟩ = W a⟨t−1⟩` gives `a⟨t⟩ = Wᵗ a⟨0⟩`, and the gradient that
//! reaches step `t` from step `T` goes through `(Wᵀ)^(T−t)`. If `W` is diagonalisable,
//!
//! `W = V diag(λ) V⁻¹`  and so  `Wᵗ = V diag(λ)ᵗ V⁻¹`,
//!
//! and every mode `λᵢᵗ` shrinks to zero when `|λᵢ| < 1` and blows up when `|λᵢ| > 1`: the
//! spectral radius `ρ(W) = maxᵢ |λᵢ|` decides whether long products vanish or explode
//! (Pascanu, Mikolov & Bengio 2013[^1]).
//!
//! * [`Eigen`] (`eigen.rs`) — the eigendecomposition of a real square matrix: complex
//!   eigenvalues `λ`, complex eigenvectors `V` (unit columns), `V⁻¹`, the condition number
//!   `κ₁(V) = ‖V‖₁‖V⁻¹‖₁` and the residual `‖WV − V diag(λ)‖_F / ‖W‖_F`. nalgebra has no
//!   eigenvectors of non-symmetric matrices; here `W` is first permuted, balanced and scaled
//!   (`balance.rs`, see below) into `B`, whose eigenvalues and eigenvectors come from faer's
//!   dense eigendecomposition (`crate::kernel`'s `evd.rs`), the algorithms of LAPACK's
//!   `dgehrd`, `dhseqr` and `dtrevc3`: a blocked Householder reduction to Hessenberg form
//!   (panels of reflectors, trailing updates as GEMMs), a multishift QR iteration with small
//!   bulges and aggressive early deflation (Braman, Byers & Mathias 2002[^3]) giving the real
//!   Schur form `B = Q T Qᵀ`, and the eigenvectors of `T` by a blocked back-substitution,
//!   times `Q`; then back through the balancing. Should that iteration not converge, the
//!   crate's own unblocked path takes over (and is what the tests compare the blocked one
//!   against): a Householder reduction and Francis double-shift QR after LAPACK's `dgehd2`
//!   and `dlahqr` (`schur.rs`; nalgebra's `Schur` loses orthogonality in `Q`), the
//!   eigenvectors of `T` by back-substitution on its quasi-triangle (2 × 2 blocks give complex
//!   conjugate pairs). Exactly symmetric matrices take nalgebra's symmetric path (real `λ`,
//!   orthogonal `V`), scaled the same way.
//! * [`Eigen::power`], [`power`] and [`matrix_power`] (`power.rs`) — `Wᵗ` by the eigen route
//!   and by repeated squaring. A defective (or nearly defective) `W`, such as the Jordan block
//!   `[[1, 1], [0, 1]]`, has no basis of eigenvectors: its `V` is numerically singular. The
//!   eigen route then refuses ([`crate::Error::Numerical`]) and [`power`] falls back to
//!   repeated squaring and says so ([`PowerRoute::Squaring`]) — never a silently wrong power.
//! * [`spectral_radius`], [`largest_singular_value`], [`Regime`], [`norm_trajectory`],
//!   [`PascanuBound`] (`regime.rs`) — the regime of a matrix and the measured `‖Wᵗ‖₂`
//!   next to the prediction `ρᵗ`.
//! * [`jacobian_norms`], [`gradient_norms`] (`through_time.rs`) — the measured
//!   `‖∂a⟨T⟩/∂a⟨t⟩‖₂` and `‖∂L/∂a⟨t⟩‖` of any [`crate::Cell`], to set against `‖W^(T−t)‖₂`.
//!
//! # Examples
//!
//! The same Elman network, its recurrent matrix scaled to spectral radius 0.5 and then 1.5:
//! `‖Wᵗ‖₂` follows `ρᵗ` down or up, and so does the gradient reaching back 40 steps.
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::Elman;
//! use recurrent::init::Init;
//! use recurrent::spectral::{Regime, norm_trajectory, spectral_radius};
//!
//! for (rho, regime) in [(0.5, Regime::Vanishing), (1.5, Regime::Exploding)] {
//!     let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
//!     let net = Elman::<f64>::builder(1, 6, 1)
//!         .recurrent_init(Init::SpectralRadius(rho))
//!         .build(&mut rng)?;
//!     let w: DMatrix<f64> = net.w_aa().into_owned();
//!     assert!((spectral_radius(&w)? - rho).abs() < 1e-9);
//!     assert_eq!(Regime::of(&w)?, regime);
//!     // ‖W⁴⁰‖₂ is within a modest factor of ρ⁴⁰ (10⁻¹² or 10⁷)
//!     let p = norm_trajectory(&w, 40)?[40];
//!     let ratio = p.norm2 / p.rho_pow;
//!     assert!(ratio > 0.1 && ratio < 1e4, "‖W⁴⁰‖₂ / ρ⁴⁰ = {ratio}");
//! }
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! Through a nonlinear cell, [`jacobian_norms`] measures `‖∂a⟨T⟩/∂a⟨t⟩‖₂` directly; the
//! `vanishing` example and `docs/spectral.md` put the two side by side.
//!
//! # Scale and balance
//!
//! Before the QR iteration the matrix is permuted to isolate eigenvalues, balanced by a
//! diagonal similarity of powers of two (Parlett & Reinsch 1969[^2]) and scaled by a power of
//! two to largest entry in `[1, 2)`, as LAPACK's `dgeev` does (`balance.rs`); eigenvalues are
//! scaled back and eigenvectors transformed back at the end. So the results are right for
//! finite matrices of any magnitude: `[[10³⁰⁰, 10³⁰⁰], [−10³⁰⁰, 10³⁰⁰]]` has
//! `ρ = √2·10³⁰⁰` and the same residual as `[[1, 1], [−1, 1]]`, entries near `10⁻³¹⁰` work
//! as well, and `2^k W` has exactly `2^k` times the eigenvalues of `W`. Measured against
//! numpy over matrices scaled by `10^k`, `k = −300 … 300`: within `2·10⁻¹⁴` relative on every
//! eigenvalue (`docs/spectral.md`).
//!
//! # Errors
//!
//! Every function that takes a matrix wants it square, with one exception:
//! [`largest_singular_value`] is defined for any shape (the 2-norm of a rectangular matrix is
//! meaningful). They return [`crate::Error::Empty`] for a matrix with no entries,
//! [`crate::Error::DimensionMismatch`] for a non-square one (never from
//! [`largest_singular_value`]) and [`crate::Error::NonFinite`] (with the column-major index of
//! the first bad entry) for NaN or infinite entries. A finite matrix whose eigenvalue exceeds
//! the largest finite number (entries near it) gives [`crate::Error::Numerical`], not `∞`.
//!
//! # References
//!
//! [^1]: R. Pascanu, T. Mikolov, Y. Bengio (2013), *On the difficulty of training recurrent
//!     neural networks*, ICML. <https://arxiv.org/abs/1211.5063>
//! [^2]: B. N. Parlett, C. Reinsch (1969), *Balancing a matrix for calculation of eigenvalues
//!     and eigenvectors*, Numerische Mathematik 13, 293–304.
//!     <https://doi.org/10.1007/BF02165404>
//! [^3]: K. Braman, R. Byers, R. Mathias (2002), *The multishift QR algorithm. Part I:
//!     Maintaining well-focused shifts and level 3 performance* and *Part II: Aggressive early
//!     deflation*, SIAM J. Matrix Anal. Appl. 23(4), 929–947 and 948–973.
//!     <https://doi.org/10.1137/S0895479801384573>

mod balance;
mod eigen;
mod power;
mod regime;
mod schur;
mod through_time;

pub use eigen::{Eigen, EigenPairs, eigenvalues, eigenvectors};
pub use power::{Power, PowerRoute, matrix_power, power};
pub use regime::{
    NormPoint, PascanuBound, Regime, largest_singular_value, norm_trajectory, spectral_radius,
};
pub use through_time::{gradient_norms, jacobian_norms};

use crate::error::{Error, Result};
use crate::scalar::Real;
use nalgebra::DMatrix;

/// Checks that `w` is a non-empty, square matrix of finite numbers.
pub(crate) fn check_square<T: Real>(op: &'static str, w: &DMatrix<T>) -> Result<()> {
    let (r, c) = w.shape();
    if r == 0 || c == 0 {
        return Err(Error::Empty { op, what: "matrix" });
    }
    if r != c {
        return Err(Error::DimensionMismatch {
            op,
            what: "matrix",
            expected: (r, r),
            got: (r, c),
        });
    }
    if let Some(index) = w.iter().position(|x| !x.is_finite()) {
        return Err(Error::NonFinite {
            op,
            what: "matrix",
            index,
        });
    }
    Ok(())
}

/// Iteration budget for nalgebra's Schur and SVD iterations, as LAPACK's `dhseqr` allows
/// (`30 · max(10, n)` sweeps in total).
pub(crate) fn max_iterations(n: usize) -> usize {
    30 * n.max(10)
}
