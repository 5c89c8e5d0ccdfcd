//! Public contracts of `recurrent::spectral`: the eigen identities, the eigen-route power
//! against repeated squaring, defective matrices, bad input, and the numpy reference numbers
//! (fixtures in tests/data/spectral/, see its README for their origin).

use nalgebra::{Complex, DMatrix};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal, Uniform};
use recurrent::Error;
use recurrent::activation::Activation;
use recurrent::init::Init;
use recurrent::scalar::{Real, lit, to_f64};
use recurrent::spectral::{
    Eigen, PascanuBound, PowerRoute, Regime, eigenvalues, eigenvectors, largest_singular_value,
    matrix_power, norm_trajectory, power, spectral_radius,
};

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

fn read_csv(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/tests/data/spectral/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|s| s.trim().to_string()).collect())
        .collect()
}

fn read_matrix(name: &str) -> DMatrix<f64> {
    let rows = read_csv(name);
    let (r, c) = (rows.len(), rows[0].len());
    DMatrix::from_fn(r, c, |i, j| rows[i][j].parse().unwrap())
}

/// `(header, rows)` of a CSV with a header line.
fn read_table(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rows = read_csv(name);
    let header = rows.remove(0);
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

fn rel<T: Real>(a: &DMatrix<T>, b: &DMatrix<T>) -> f64 {
    to_f64((a - b).norm()) / to_f64(b.norm())
}

/// `V diag(λ) V⁻¹`, real part.
fn reconstruct<T: Real>(e: &Eigen<T>) -> DMatrix<T> {
    let v = e.vectors();
    let inv = e.inverse_vectors().expect("V invertible");
    let mut x = v.clone();
    for (j, l) in e.values().iter().enumerate() {
        for i in 0..x.nrows() {
            x[(i, j)] *= *l;
        }
    }
    (x * inv).map(|z: Complex<T>| z.re)
}

fn gaussian(n: usize, seed: u64) -> DMatrix<f64> {
    let mut r = rng(seed);
    DMatrix::from_fn(n, n, |_, _| StandardNormal.sample(&mut r))
}

// ---------------------------------------------------------------- numpy reference, N = 64

/// eigen_accuracy.csv, N = 64: numpy/LAPACK's residual ‖WV − VΛ‖_F/‖W‖_F is 3.5e-15 … 4.0e-15
/// and cond₂(V) = 79.1097. Goal: within 10× of LAPACK, so the residual must be ≤ 4e-14.
/// cond₂(V) does not depend on the order or phase of the unit eigenvectors, so it must agree
/// with numpy's to the accuracy a condition number is computed with (κ²·ε ≈ 1e-12 relative);
/// 1e-6 leaves room for the 6 digits the CSV keeps.
#[test]
fn w64_matches_lapack_residual_and_condition() {
    let w1 = read_matrix("eigen_W64_rho1.csv");
    assert_eq!(w1.shape(), (64, 64));
    let (h, rows) = read_table("eigen_accuracy.csv");
    for r in [0.9, 1.0, 1.1] {
        let w = &w1 * r;
        let e = Eigen::new(&w).unwrap();
        assert!(!e.is_symmetric());
        let row = rows
            .iter()
            .find(|x| x[0] == "64" && x[1].parse::<f64>().unwrap() == r)
            .unwrap();
        let lapack_resid: f64 = row[col(&h, "resid_fro_rel")].parse().unwrap();
        let lapack_cond: f64 = row[col(&h, "cond_V")].parse().unwrap();
        let resid = e.residual();
        assert!(
            resid <= 10.0 * lapack_resid,
            "r={r}: residual {resid:e} vs LAPACK {lapack_resid:e}"
        );
        let cond2 = e.condition_number_2().unwrap();
        assert!(
            (cond2 - lapack_cond).abs() / lapack_cond < 1e-6,
            "cond2 {cond2} vs numpy {lapack_cond}"
        );
        // κ₁ is within a factor n of κ₂
        assert!(e.condition_number() >= cond2 / 64.0 && e.condition_number() <= 64.0 * cond2);
        assert!((e.spectral_radius() - r).abs() < 1e-13);
        assert!((spectral_radius(&w).unwrap() - r).abs() < 1e-13);
        assert!(e.is_diagonalisable());
    }
}

/// eigen_accuracy.csv, N = 64: numpy's V Λᵗ V⁻¹ differs from matrix_power by 6e-15 (t = 1) …
/// 1.8e-13 (t = 100), almost all of it the eigen route's own error. Ours must stay within 10×
/// of LAPACK's at every (r, t) (plus 1e-14 absolute for t = 1, where both are at rounding level).
#[test]
fn w64_eigen_power_matches_squaring_as_well_as_lapack() {
    let w1 = read_matrix("eigen_W64_rho1.csv");
    let (h, rows) = read_table("eigen_accuracy.csv");
    for row in rows.iter().filter(|x| x[0] == "64") {
        let r: f64 = row[col(&h, "radius")].parse().unwrap();
        let t: u32 = row[col(&h, "t")].parse().unwrap();
        let lapack: f64 = row[col(&h, "rel_eig_vs_matpow")].parse().unwrap();
        let norm2: f64 = row[col(&h, "norm2_Wt")].parse().unwrap();
        let w = &w1 * r;
        let e = Eigen::new(&w).unwrap();
        let squared = matrix_power(&w, t).unwrap();
        let err = rel(&e.power(t).unwrap(), &squared);
        assert!(
            err <= 10.0 * lapack + 1e-14,
            "r={r} t={t}: {err:e} vs LAPACK {lapack:e}"
        );
        let n2 = largest_singular_value(&squared).unwrap();
        assert!(
            (n2 - norm2).abs() / norm2 < 1e-5,
            "‖W^{t}‖₂ {n2} vs {norm2}"
        );
    }
}

/// eigen_norm_traj.csv: ‖Wᵗ‖₂ for t = 0..100 and five radii, written with 10 significant
/// digits. Repeated multiplication + SVD reproduce them to rounding of the CSV (5e-10) plus
/// the growth of rounding over 100 products (≈1e-13): tolerance 1e-9 relative. The eigen
/// route's figures (column norm2_Wt_eigroute) likewise.
#[test]
fn norm_trajectories_match_numpy() {
    let w1 = read_matrix("eigen_W64_rho1.csv");
    let (h, rows) = read_table("eigen_norm_traj.csv");
    for r in [0.5, 0.9, 1.0, 1.1, 1.5] {
        let w = &w1 * r;
        let traj = norm_trajectory(&w, 100).unwrap();
        let e = Eigen::new(&w).unwrap();
        let mine: Vec<_> = rows
            .iter()
            .filter(|x| x[0].parse::<f64>().unwrap() == r)
            .collect();
        assert_eq!(mine.len(), 101);
        for x in mine {
            let t: usize = x[col(&h, "t")].parse().unwrap();
            let want: f64 = x[col(&h, "norm2_Wt")].parse().unwrap();
            let want_rho: f64 = x[col(&h, "rho_pow_t")].parse().unwrap();
            let want_eig: f64 = x[col(&h, "norm2_Wt_eigroute")].parse().unwrap();
            let p = &traj[t];
            assert_eq!(p.t, t);
            assert!(
                (p.norm2 - want).abs() <= 1e-9 * want,
                "r={r} t={t}: {} vs {want}",
                p.norm2
            );
            assert!((p.rho_pow - want_rho).abs() <= 1e-9 * want_rho);
            if t.is_multiple_of(10) {
                let pe = e.power(u32::try_from(t).unwrap()).unwrap();
                let n = largest_singular_value(&pe).unwrap();
                assert!(
                    (n - want_eig).abs() <= 1e-9 * want_eig,
                    "r={r} t={t}: {n} vs {want_eig}"
                );
            }
        }
        // and the regime follows the radius
        let expect = match r {
            x if x < 1.0 => Regime::Vanishing,
            x if x > 1.0 => Regime::Exploding,
            _ => Regime::Marginal,
        };
        assert_eq!(Regime::of(&w).unwrap(), expect);
    }
}

// ---------------------------------------------------------------- defective matrices

/// eigen_defective.csv: LAPACK's V Λᵗ V⁻¹ of an exact Jordan block is I for every t (99.99 %
/// error at t = 100). Here cond(V) flags it, `Eigen::power` refuses and `power` falls back to
/// repeated squaring, which is exact (Jᵗ = Σ_j C(t, j) Nʲ has small integer entries).
#[test]
fn jordan_blocks_are_detected_and_powered_exactly() {
    let (h, rows) = read_table("eigen_defective.csv");
    for k in [2usize, 5] {
        let j = DMatrix::<f64>::from_fn(k, k, |r, c| if c == r || c == r + 1 { 1.0 } else { 0.0 });
        let e = Eigen::new(&j).unwrap();
        assert!(!e.is_diagonalisable(), "κ₁ = {}", e.condition_number());
        assert!(e.condition_number() > 1e15);
        assert!(matches!(e.power(10), Err(Error::Numerical { .. })));
        for t in [1u32, 10, 50, 100] {
            let p = power(&j, t).unwrap();
            assert_eq!(p.route, PowerRoute::Squaring);
            // exact: entry (0, m) = C(t, m)
            for m in 0..k {
                // C(t, m) = Π_{i<m} (t − i)/(i + 1), 0 for m > t (in f64: t − i may be < 0)
                let binom = (0..m).fold(1.0, |acc, i| {
                    acc * (f64::from(t) - i as f64) / (i as f64 + 1.0)
                });
                assert!(
                    (p.matrix[(0, m)] - binom).abs() <= 1e-12 * binom,
                    "{k} {t} {m}"
                );
            }
            let lapack_err: f64 = rows
                .iter()
                .find(|x| {
                    x[0] == format!("jordan{k}") && x[1] == "0" && x[col(&h, "t")] == t.to_string()
                })
                .unwrap()[col(&h, "rel_eig_route")]
            .parse()
            .unwrap();
            // the reference's failure we avoid: LAPACK loses ≥ 57 % at every t
            assert!(lapack_err > 0.5);
        }
    }
}

/// A Jordan block perturbed by 1e-10·G is diagonalisable: J₂ + εG has κ(V) ≈ 1e5 and the eigen
/// route is accurate (the reference: 6e-15 at t = 100); J₅ + εG has κ(V) ≈ 3e10 > 1/√ε and
/// loses up to 3e-7 (reference), so the crate refuses it and squares instead.
#[test]
fn perturbed_jordan_blocks() {
    let mut r = rng(5);
    for (k, route) in [(2usize, PowerRoute::Eigen), (5, PowerRoute::Squaring)] {
        let a = DMatrix::<f64>::from_fn(k, k, |i, j| {
            let g: f64 = StandardNormal.sample(&mut r);
            (if j == i || j == i + 1 { 1.0 } else { 0.0 }) + 1e-10 * g
        });
        for t in [1u32, 10, 100] {
            let p = power(&a, t).unwrap();
            assert_eq!(p.route, route, "k={k} κ₁={:e}", p.condition);
            let sq = matrix_power(&a, t).unwrap();
            assert!(
                rel(&p.matrix, &sq) < 1e-9,
                "k={k} t={t}: {:e}",
                rel(&p.matrix, &sq)
            );
        }
    }
}

// ---------------------------------------------------------------- both scalars

macro_rules! scalar_tests {
    ($m:ident, $t:ty, $tol:expr) => {
        mod $m {
            use super::*;
            type S = $t;

            /// A rotation by θ has eigenvalues e^{±iθ}; W⁸ of θ = π/4 is I.
            #[test]
            fn rotation_pair() {
                let (c, s) = (
                    lit::<S>(std::f64::consts::FRAC_PI_4.cos()),
                    lit::<S>(std::f64::consts::FRAC_PI_4.sin()),
                );
                let w = DMatrix::from_row_slice(2, 2, &[c, -s, s, c]);
                let e = Eigen::new(&w).unwrap();
                assert!((e.values()[0].im - s).abs() < $tol && (e.values()[1].im + s).abs() < $tol);
                assert!(e.residual() < $tol);
                let w8 = e.power(8).unwrap();
                assert!((w8 - DMatrix::<S>::identity(2, 2)).norm() < $tol * 10.0);
                assert_eq!(Regime::of(&w).unwrap(), Regime::Marginal);
            }

            /// Random Gaussian 32 × 32 in this scalar: identities hold to a few hundred ε
            /// (κ(V) of such a matrix is O(100)).
            #[test]
            fn gaussian_identities() {
                let w: DMatrix<S> = gaussian(32, 11).map(|x| lit::<S>(x / 32f64.sqrt()));
                let e = Eigen::new(&w).unwrap();
                let eps = to_f64(S::EPSILON);
                assert!(to_f64(e.residual()) < 100.0 * eps, "{}", e.residual());
                assert!(rel(&reconstruct(&e), &w) < 1e3 * eps);
                let p = e.power(30).unwrap();
                let q = matrix_power(&w, 30).unwrap();
                assert!(rel(&p, &q) < 1e4 * eps, "{}", rel(&p, &q));
                let l = eigenvalues(&w).unwrap();
                let (l2, v) = eigenvectors(&w).unwrap();
                assert_eq!(l, l2);
                assert_eq!(&v, e.vectors());
            }

            #[test]
            fn symmetric_path() {
                let g: DMatrix<S> = gaussian(16, 3).map(lit::<S>);
                let w = (&g + g.transpose()) * lit::<S>(0.5);
                let e = Eigen::new(&w).unwrap();
                assert!(e.is_symmetric());
                assert!(e.values().iter().all(|z| z.im == lit::<S>(0.0)));
                assert!(to_f64(e.condition_number()) < 16.0 * 1.01);
                assert!(to_f64(e.residual()) < 100.0 * to_f64(S::EPSILON));
            }

            #[test]
            fn init_spectral_radius_sets_the_radius() {
                let mut w = DMatrix::<S>::zeros(24, 24);
                Init::SpectralRadius(0.9)
                    .fill(w.as_view_mut(), &mut rng(2))
                    .unwrap();
                let rho = to_f64(spectral_radius(&w).unwrap());
                assert!((rho - 0.9).abs() < 1e3 * to_f64(S::EPSILON), "{rho}");
            }

            #[test]
            fn bad_input_is_an_error() {
                let empty = DMatrix::<S>::zeros(0, 0);
                let rect = DMatrix::<S>::zeros(2, 3);
                let mut nan = DMatrix::<S>::identity(3, 3);
                nan[(1, 2)] = S::from(f32::NAN);
                let mut inf = DMatrix::<S>::identity(3, 3);
                inf[(0, 1)] = S::from(f32::INFINITY);
                for m in [&empty, &rect, &nan, &inf] {
                    let check = |e: Error| match (m.shape(), e) {
                        ((0, 0), Error::Empty { .. }) => {}
                        (
                            (2, 3),
                            Error::DimensionMismatch {
                                expected: (2, 2),
                                got: (2, 3),
                                ..
                            },
                        ) => {}
                        ((3, 3), Error::NonFinite { index, .. }) => {
                            assert!(index == 7 || index == 3)
                        }
                        (s, e) => panic!("{s:?}: unexpected {e}"),
                    };
                    check(Eigen::new(m).unwrap_err());
                    check(eigenvalues(m).unwrap_err());
                    check(eigenvectors(m).unwrap_err());
                    check(matrix_power(m, 3).unwrap_err());
                    check(power(m, 3).unwrap_err());
                    check(spectral_radius(m).unwrap_err());
                    check(norm_trajectory(m, 3).unwrap_err());
                    check(Regime::of(m).unwrap_err());
                }
                // singular values exist for rectangular matrices
                assert_eq!(largest_singular_value(&rect).unwrap(), lit::<S>(0.0));
                assert!(matches!(
                    largest_singular_value(&empty),
                    Err(Error::Empty { .. })
                ));
                assert!(matches!(
                    largest_singular_value(&nan),
                    Err(Error::NonFinite { index: 7, .. })
                ));
                assert!(PascanuBound::new(&nan, Activation::Tanh).is_err());
                assert!(PascanuBound::new(&rect, Activation::Softmax).is_err());
                assert!(PascanuBound::with_gamma(&rect, lit::<S>(0.0)).is_err());
            }
        }
    };
}

/// The module docs say every function wants a square matrix except `largest_singular_value`,
/// which takes any shape; `PascanuBound` is about the recurrent matrix and rejects a
/// rectangular one like the rest.
#[test]
fn shapes_agree_with_the_docs() {
    let col = DMatrix::<f64>::from_column_slice(3, 1, &[2.0, 3.0, 6.0]);
    assert!((largest_singular_value(&col).unwrap() - 7.0).abs() < 1e-14);
    assert!((largest_singular_value(&col.transpose()).unwrap() - 7.0).abs() < 1e-14);
    let wide = DMatrix::<f64>::from_row_slice(2, 3, &[1.0, 0.0, 0.0, 0.0, 2.0, 0.0]);
    assert_eq!(largest_singular_value(&wide).unwrap(), 2.0);
    for m in [DMatrix::<f64>::zeros(0, 3), DMatrix::zeros(3, 0)] {
        assert!(matches!(
            largest_singular_value(&m),
            Err(Error::Empty { .. })
        ));
    }
    let is_mismatch = |e: Error| {
        matches!(
            e,
            Error::DimensionMismatch {
                expected: (2, 2),
                got: (2, 3),
                ..
            }
        )
    };
    for f in [Activation::Tanh, Activation::Sigmoid, Activation::Relu] {
        assert!(is_mismatch(PascanuBound::new(&wide, f).unwrap_err()));
    }
    assert!(is_mismatch(
        PascanuBound::with_gamma(&wide, 1.0).unwrap_err()
    ));
    assert!(matches!(
        PascanuBound::new(&DMatrix::<f64>::zeros(0, 0), Activation::Tanh),
        Err(Error::Empty { .. })
    ));
    let col_err = PascanuBound::new(&col, Activation::Tanh).unwrap_err();
    assert!(matches!(
        col_err,
        Error::DimensionMismatch {
            expected: (3, 3),
            got: (3, 1),
            ..
        }
    ));
    // square is fine, and the figure is σ_max
    let sq = DMatrix::from_row_slice(2, 2, &[0.0, 3.0, 0.0, 0.0]);
    assert_eq!(
        PascanuBound::new(&sq, Activation::Tanh).unwrap().sigma_max,
        3.0
    );
}

scalar_tests!(f64_tests, f64, 1e-12);
scalar_tests!(f32_tests, f32, 1e-5);

#[test]
fn pascanu_conditions() {
    let w1 = read_matrix("eigen_W64_rho1.csv");
    // σ_max(W1) ≈ 1.86 (eigen_norm_traj.csv, t = 1, r = 1)
    let b = PascanuBound::new(&w1, Activation::Tanh).unwrap();
    assert!((b.sigma_max - 1.8607).abs() < 1e-3, "{}", b.sigma_max);
    assert!(b.may_explode() && !b.vanishing_guaranteed());
    let small = PascanuBound::new(&(&w1 * 0.5), Activation::Tanh).unwrap();
    assert!(small.vanishing_guaranteed()); // 0.93 < 1
    let sig = PascanuBound::new(&(&w1 * 1.5), Activation::Sigmoid).unwrap();
    assert!(sig.vanishing_guaranteed()); // 2.79 < 4
    assert!((sig.bound(2) - (0.25 * sig.sigma_max).powi(2)).abs() < 1e-15);
}

// ---------------------------------------------------------------- properties

/// A random matrix with eigenvalues of modulus ≤ 1.05 in one of three families.
fn family(kind: u8, n: usize, seed: u64) -> DMatrix<f64> {
    let mut r = rng(seed);
    let u = Uniform::new(-1.0, 1.0).unwrap();
    let q = {
        let g = gaussian(n, seed ^ 0x5eed);
        g.qr().q()
    };
    match kind {
        // diagonalisable, real eigenvalues: S diag(λ) S⁻¹ with S = Q(I + 0.3·G/√n)
        0 => {
            let s =
                &q * (DMatrix::identity(n, n) + gaussian(n, seed + 1) * (0.3 / (n as f64).sqrt()));
            let d = DMatrix::from_diagonal(&nalgebra::DVector::from_fn(n, |_, _| {
                1.05 * u.sample(&mut r)
            }));
            &s * d * s.try_inverse().unwrap()
        }
        // rotations: block diagonal 2 × 2 blocks ρ·R(θ) (complex pairs), conjugated by Q
        1 => {
            let mut b = DMatrix::zeros(n, n);
            let mut i = 0;
            while i + 1 < n {
                let (rho, th) = (
                    0.5 + 0.55 * (u.sample(&mut r) + 1.0) / 2.0,
                    3.0 * u.sample(&mut r),
                );
                b[(i, i)] = rho * th.cos();
                b[(i, i + 1)] = -rho * th.sin();
                b[(i + 1, i)] = rho * th.sin();
                b[(i + 1, i + 1)] = rho * th.cos();
                i += 2;
            }
            if i < n {
                b[(i, i)] = u.sample(&mut r);
            }
            &q * b * q.transpose()
        }
        // symmetric, scaled to ρ ≤ 1.05
        _ => {
            let g = gaussian(n, seed + 2);
            let s = (&g + g.transpose()) * 0.5;
            let rho = spectral_radius(&s).unwrap();
            s * (1.05 / rho)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// V diag(λ) V⁻¹ ≈ W, small residual, and Wᵗ by the eigen route ≈ repeated squaring for
    /// t up to 100. Tolerances: the eigen route's error is about κ(V)·ε·(1 + t·ε·‖W‖) with
    /// κ(V) ≤ a few hundred here (checked), so 1e-10 relative leaves two orders of margin;
    /// the residual is backward error, n·ε-sized: 1e-13.
    #[test]
    fn eigen_identities(kind in 0u8..3, n in 2usize..24, seed: u64, t in 0u32..=100) {
        let w = family(kind, n, seed);
        let e = Eigen::new(&w).unwrap();
        prop_assert_eq!(e.is_symmetric(), kind == 2);
        prop_assert!(e.condition_number() < 1e6, "κ₁ = {}", e.condition_number());
        prop_assert!(e.residual() < 1e-13, "residual {}", e.residual());
        prop_assert!(rel(&reconstruct(&e), &w) < 1e-11);
        if kind == 1 {
            prop_assert!(e.values().iter().filter(|z| z.im != 0.0).count() >= 2 * (n / 2) - 1);
        }
        let p = e.power(t).unwrap();
        let q = matrix_power(&w, t).unwrap();
        let scale = q.norm().max(1e-300);
        prop_assert!((&p - &q).norm() / scale < 1e-10 || (&p - &q).norm() < 1e-14,
            "t={} rel {}", t, (&p - &q).norm() / scale);
        let auto = power(&w, t).unwrap();
        prop_assert_eq!(auto.route, PowerRoute::Eigen);
    }
}

// ---------------------------------------------------------------- gradients through time

/// grad_through_time.csv: `h_t = tanh(W h_{t−1} + U x_t)`, `h_0 = 0`, 64 hidden units, 8
/// inputs, T = 100, `W = r·W1`, U and X shipped. Our Elman cell (no bias, zero initial context)
/// with the same weights must give ‖∂h_T/∂h_t‖₂ for every T − t = 1..100, and the linear
/// column ‖W^(T−t)‖₂ via norm_trajectory. The CSV keeps 10 significant digits; both sides
/// multiply the same 100 factors in the same order, so rounding differences stay ~1e-13
/// relative: tolerance 1e-8 relative.
#[test]
fn gradient_through_time_matches_numpy() {
    use recurrent::grad::{Batch, Loss};
    use recurrent::spectral::{gradient_norms, jacobian_norms};
    use recurrent::{Elman, Mask, Parameters, Sequence};
    let w1 = read_matrix("eigen_W64_rho1.csv");
    let u = read_matrix("grad_U.csv");
    let x = read_matrix("grad_X.csv");
    assert_eq!((u.shape(), x.shape()), ((64, 8), (100, 8)));
    let xs = Sequence::new(x.transpose(), 1).unwrap();
    let (h, rows) = read_table("grad_through_time.csv");
    for r in [0.5, 0.9, 1.0, 1.1, 1.5] {
        let mut net = Elman::<f64>::builder(8, 64, 1)
            .hidden(Activation::Tanh)
            .build(&mut rng(0))
            .unwrap();
        net.params_mut()[..64 * 8].copy_from_slice(u.as_slice());
        net.w_aa_mut().copy_from(&(&w1 * r));
        assert!(net.b_a().iter().all(|b| *b == 0.0));
        let jn = jacobian_norms(&net, &xs, None).unwrap();
        let lin = norm_trajectory(&(&w1 * r), 100).unwrap();
        let mine: Vec<_> = rows
            .iter()
            .filter(|x| x[0].parse::<f64>().unwrap() == r)
            .collect();
        assert_eq!(mine.len(), 100);
        for x in mine {
            let m: usize = x[col(&h, "T_minus_t")].parse().unwrap();
            let tanh: f64 = x[col(&h, "norm2_dhT_dht_tanh")].parse().unwrap();
            let linear: f64 = x[col(&h, "norm2_Wpow_linear")].parse().unwrap();
            assert!(
                (jn[m - 1] - tanh).abs() <= 1e-8 * tanh,
                "r={r} m={m}: {} vs {tanh}",
                jn[m - 1]
            );
            assert!((lin[m].norm2 - linear).abs() <= 1e-8 * linear);
            // saturation only shrinks: ‖Π diag(1−h²) W‖ ≤ ‖W‖₂^m
            assert!(jn[m - 1] <= lin[1].norm2.powi(m as i32) * (1.0 + 1e-12));
        }
        // BPTT with a loss on the last output only: ∂L/∂a⟨t⟩ = (∂a⟨T⟩/∂a⟨t⟩)ᵀ ∂L/∂a⟨T⟩, so
        // ‖∂L/∂a⟨t⟩‖ ≤ ‖∂a⟨T⟩/∂a⟨t⟩‖₂ ‖∂L/∂a⟨T⟩‖ at every t.
        let ds = Sequence::new(DMatrix::from_element(1, 100, 1.0), 1).unwrap();
        let mask = Mask::last_step(100, 1);
        let g = gradient_norms(
            &net,
            Batch::new(&xs, &ds).with_mask(&mask),
            Loss::sum_squared(),
        )
        .unwrap();
        assert_eq!(g.len(), 101);
        assert_eq!(g[100], 0.0); // nothing injected into a⟨T⟩ from outside
        // δ = ∂L/∂a⟨T⟩ = W_yaᵀ (y⟨T⟩ − 1), from a forward pass written out here
        let w = &w1 * r;
        let mut a = nalgebra::DVector::<f64>::zeros(64);
        for t in 0..100 {
            a = (&w * &a + &u * x.row(t).transpose()).map(f64::tanh);
        }
        let y = net.w_ya() * &a;
        let delta = (net.w_ya().transpose() * y.add_scalar(-1.0)).norm();
        assert!(g[99] > 0.0);
        for m in 1..=100 {
            assert!(
                g[100 - m] <= jn[m - 1] * delta * (1.0 + 1e-9),
                "r={r} m={m}"
            );
        }
        // and the decay is the Jacobian's: over 50 more steps both shrink by the same order
        let ratio_g = g[49] / g[99];
        let ratio_j = jn[50] / jn[0];
        assert!(
            ratio_g < 1e3 * ratio_j && ratio_g > 1e-3 * ratio_j,
            "r={r}: {ratio_g:e} vs {ratio_j:e}"
        );
    }
    // bad input: a batch of two sequences, and a wrong input size
    let net = Elman::<f64>::builder(8, 4, 1).build(&mut rng(1)).unwrap();
    let two = Sequence::new(DMatrix::zeros(8, 20), 2).unwrap();
    assert!(matches!(
        jacobian_norms(&net, &two, None),
        Err(Error::DimensionMismatch { .. })
    ));
    let wrong = Sequence::new(DMatrix::zeros(3, 10), 1).unwrap();
    assert!(jacobian_norms(&net, &wrong, None).is_err());
    let mut nan = DMatrix::zeros(8, 10);
    nan[(0, 3)] = f64::NAN;
    assert!(jacobian_norms(&net, &Sequence::new(nan, 1).unwrap(), None).is_err());
}
