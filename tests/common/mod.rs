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

/// The shipped KJV corpus (`data/kjv.txt`, one verse per line).
pub fn kjv_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt");
    std::fs::read_to_string(path).expect("data/kjv.txt is shipped with the crate")
}

/// The language-model task's split of `text` by verse index `i`: train (`i % 10` below 8),
/// valid (`i % 10 == 8`), test (`i % 10 == 9`).
pub fn kjv_split(text: &str) -> [Vec<&str>; 3] {
    let (mut train, mut valid, mut test) = (Vec::new(), Vec::new(), Vec::new());
    for (i, l) in text.lines().enumerate() {
        match i % 10 {
            9 => test.push(l),
            8 => valid.push(l),
            _ => train.push(l),
        }
    }
    [train, valid, test]
}
