//! Part 7 of the tour: why gradients through time vanish or explode. The eigenvalues of one
//! recurrent matrix, `‖Wᵗ‖₂` for spectral radii 0.5 … 1.5 next to `ρᵗ`, and the measured
//! Jacobian product `‖∂a⟨T⟩/∂a⟨t⟩‖₂` of a tanh Elman net on the same matrices.

use crate::plot::{Plot, Series};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::activation::Activation;
use recurrent::init::Init;
use recurrent::spectral::{
    Eigen, PowerRoute, jacobian_norms, matrix_power, norm_trajectory, power,
};
use recurrent::{Elman, Sequence};
use std::error::Error;
use std::path::Path;

/// Prints the spectral part of the tour.
pub fn run(out: &Path) -> Result<(), Box<dyn Error>> {
    crate::story::heading(
        "7",
        "Eigen-analysis: Wᵗ = V diag(λ)ᵗ V⁻¹ (Pascanu, Mikolov & Bengio 2013)",
    );
    crate::text::say(
        "  The gradient through t steps of a linear recurrence is multiplied by Wᵗ; writing \
         W = V diag(λ) V⁻¹ shows that Wᵗ shrinks or grows like ρᵗ, ρ the largest |λ| (the \
         spectral radius).",
    );
    let (n, steps) = (64, 100);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2013);
    let base = Elman::<f64>::builder(8, n, 1)
        .hidden(Activation::Tanh)
        .input_init(Init::Normal {
            std: (1.0f64 / 8.0).sqrt(),
        })
        .recurrent_init(Init::SpectralRadius(1.0))
        .build(&mut rng)?;
    let w1: DMatrix<f64> = base.w_aa().into_owned();
    let eig = Eigen::new(&w1)?;
    let mut l: Vec<_> = eig.values().iter().copied().collect();
    l.sort_by(|a, b| b.norm().total_cmp(&a.norm()));
    let top: Vec<String> = l[..6]
        .iter()
        .map(|z| format!("{:+.3}{:+.3}i", z.re, z.im))
        .collect();
    crate::text::say(&format!(
        "W_aa 64 × 64 (Init::SpectralRadius(1.0)): largest eigenvalues {}; {} complex pairs; \
         residual ‖WV − VΛ‖/‖W‖ = {:.1e}, κ₁(V) = {:.0}",
        top.join(", "),
        l.iter().filter(|z| z.im > 0.0).count(),
        eig.residual(),
        eig.condition_number()
    ));
    let p = eig.power(100)?;
    let q = matrix_power(&w1, 100)?;
    println!(
        "W¹⁰⁰ by V diag(λ)¹⁰⁰ V⁻¹ vs repeated squaring: relative difference {:.1e}",
        (&p - &q).norm() / q.norm()
    );
    let jordan = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 0.0, 1.0]);
    let jp = power(&jordan, 100)?;
    let how = match jp.route {
        PowerRoute::Squaring => "by repeated squaring (J², J⁴, J⁸, …)",
        _ => "through the eigenvectors",
    };
    crate::text::say(&format!(
        "A matrix without a full set of eigenvectors, the Jordan block [[1,1],[0,1]]: its \
         eigenvector matrix V is nearly singular (condition number κ₁(V) = {:.1e}), so \
         V diag(λ)ᵗ V⁻¹ would be meaningless and the crate computes J¹⁰⁰ {how} instead: \
         J¹⁰⁰[0,1] = {} (exact: 100; going through LAPACK's eigenvectors gives 0).",
        jp.condition,
        jp.matrix[(0, 1)]
    ));
    assert_eq!(jp.route, PowerRoute::Squaring);

    let mut xr = Xoshiro256PlusPlus::seed_from_u64(7);
    let xs = Sequence::new(
        DMatrix::from_fn(8, steps, |_, _| StandardNormal.sample(&mut xr)),
        1,
    )?;
    println!(
        "radius | ‖Wᵗ‖₂ at t = 1, 10, 50, 100        | tanh ‖∂a⟨T⟩/∂a⟨T−t⟩‖₂ at t = 1, 10, 50, 100"
    );
    let colours = ["#1f77b4", "#2ca02c", "#7f7f7f", "#ff7f0e", "#d62728"];
    let mut plot = Plot::new(
        "64 × 64 W at five spectral radii ρ: linear ‖Wᵗ‖₂ (dashed) and tanh Elman ‖∂a⟨T⟩/∂a⟨T−t⟩‖₂ (solid)",
        "steps back t",
        "norm (log scale)",
    )
    .log_y();
    plot.size = (1000, 480);
    let mut headline = (0.0, 0.0);
    for (k, r) in [0.5, 0.9, 1.0, 1.1, 1.5].into_iter().enumerate() {
        let mut net = base.clone();
        net.w_aa_mut().scale_mut(r);
        let traj = norm_trajectory(&net.w_aa().into_owned(), steps)?;
        let jac = jacobian_norms(&net, &xs, None)?;
        let lin: Vec<String> = [1, 10, 50, 100]
            .iter()
            .map(|&t| format!("{:8.2e}", traj[t].norm2))
            .collect();
        let tanh: Vec<String> = [1, 10, 50, 100]
            .iter()
            .map(|&t| format!("{:8.2e}", jac[t - 1]))
            .collect();
        println!("{r:>6} | {} | {}", lin.join(" "), tanh.join(" "));
        plot.series.push(
            Series::line(
                &format!("ρ = {r}: linear"),
                colours[k],
                traj[1..].iter().map(|p| (p.t as f64, p.norm2)).collect(),
            )
            .dashed(),
        );
        plot.series.push(Series::line(
            &format!("ρ = {r}: tanh"),
            colours[k],
            jac.iter()
                .enumerate()
                .map(|(i, v)| ((i + 1) as f64, *v))
                .collect(),
        ));
        if r == 1.5 {
            headline = (traj[100].norm2, jac[99]);
        }
    }
    crate::text::say(
        "Linear: ρ < 1 vanishes, ρ > 1 explodes. With tanh, saturation shrinks every factor: \
         all radii vanish by t = 100.",
    );
    crate::plot::announce(&plot.save(out, "tour_spectral.svg")?);
    crate::story::headline(&format!(
        "At ρ = 1.5, ‖W¹⁰⁰‖₂ = {:.1e} (the linear gradient explodes) while the tanh network's \
         ‖∂a⟨T⟩/∂a⟨T−100⟩‖₂ = {:.1e} (saturation makes it vanish).",
        headline.0, headline.1
    ));
    Ok(())
}
