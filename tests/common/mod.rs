//! Helpers shared by the integration tests.
#![allow(dead_code)]

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::Sequence;
use recurrent::scalar::{Real, lit};

/// The one portable, seeded generator of the tests.
pub fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// A `dim × steps·batch` sequence of standard normal values scaled by `scale`.
pub fn random_sequence<T: Real>(
    dim: usize,
    steps: usize,
    batch: usize,
    scale: f64,
    rng: &mut Xoshiro256PlusPlus,
) -> Sequence<T> {
    let m = DMatrix::from_fn(dim, steps * batch, |_, _| {
        let v: f64 = StandardNormal.sample(rng);
        lit::<T>(scale * v)
    });
    Sequence::new(m, batch).expect("batch divides the columns")
}
