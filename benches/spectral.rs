//! Eigendecomposition of a random Gaussian matrix scaled to spectral radius 1 (the reference's
//! matrices: entries N(0, 1/n), then divided by max |λ|), for n = 64, 256, 512:
//!
//! * `eig/eigenvectors` — λ and unit V, what `numpy.linalg.eig` (LAPACK `dgeev`) returns;
//! * `eig/eigenvalues` — λ alone (`numpy.linalg.eigvals`);
//! * `eig/eigen_new` — [`Eigen::new`]: λ, V, V⁻¹ by complex LU and κ₁(V);
//! * `eig/symmetric` — the symmetric path on `(W + Wᵀ)/2` (`numpy.linalg.eigh`).
//!
//! Before timing each size it prints the residuals ‖WV − VΛ‖_F/‖W‖_F and ‖VΛV⁻¹ − W‖_F/‖W‖_F
//! and κ₁(V), for the side-by-side comparison with numpy: `benches/peers/eig_vs_numpy.py
//! --cargo` runs this bench and numpy's `eig`, `eigvals` and `eigh` (1 BLAS thread) and prints
//! both (numpy is not a dependency of the crate).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nalgebra::{Complex, DMatrix};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::spectral::{Eigen, eigenvalues, eigenvectors, spectral_radius};
use std::hint::black_box;
use std::time::Duration;

fn matrix(n: usize) -> DMatrix<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(20240602 + n as u64);
    let w = DMatrix::from_fn(n, n, |_, _| {
        let g: f64 = StandardNormal.sample(&mut rng);
        g / (n as f64).sqrt()
    });
    let rho = spectral_radius(&w).expect("finite square matrix");
    w / rho
}

/// `‖V diag(λ) V⁻¹ − W‖_F / ‖W‖_F`, the figure `benches/peers/eig_vs_numpy.py` prints for numpy.
fn reconstruction(e: &Eigen<f64>) -> f64 {
    let Some(inv) = e.inverse_vectors() else {
        return f64::INFINITY;
    };
    let v = e.vectors();
    let vl = DMatrix::from_fn(v.nrows(), v.ncols(), |i, j| v[(i, j)] * e.values()[j]);
    let w = e.matrix().map(Complex::from);
    (vl * inv - &w).norm() / w.norm()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("eig");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in [64usize, 256, 512] {
        let w = matrix(n);
        let s = (&w + w.transpose()) * 0.5;
        let e = Eigen::new(&w).expect("converges");
        println!(
            "eig n={n}: ‖WV−VΛ‖/‖W‖ {:.3e}, ‖VΛV⁻¹−W‖/‖W‖ {:.3e}, κ₁(V) {:.3e}, ρ {:.15}",
            e.residual(),
            reconstruction(&e),
            e.condition_number(),
            e.spectral_radius()
        );
        group.bench_with_input(BenchmarkId::new("eigenvectors", n), &w, |b, w| {
            b.iter(|| eigenvectors(black_box(w)).expect("converges"))
        });
        group.bench_with_input(BenchmarkId::new("eigenvalues", n), &w, |b, w| {
            b.iter(|| eigenvalues(black_box(w)).expect("converges"))
        });
        group.bench_with_input(BenchmarkId::new("eigen_new", n), &w, |b, w| {
            b.iter(|| Eigen::new(black_box(w)).expect("converges"))
        });
        group.bench_with_input(BenchmarkId::new("symmetric", n), &s, |b, s| {
            b.iter(|| eigenvectors(black_box(s)).expect("converges"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
