//! A leaky-integrator cell written against the public `Cell` trait only, shared by the
//! integration tests (`gradients.rs`, `rtrl.rs`) as the "user-defined cell".

use crate::common::{random_sequence, rng};
use nalgebra::{DMatrixView, DMatrixViewMut};
use recurrent::Cell;
use recurrent::Parameters;
use recurrent::traits::{ParamBlock, Step};

/// A leaky integrator, `a⟨t⟩ = (1−α)a⟨t−1⟩ + α·tanh(W a⟨t−1⟩ + U x⟨t⟩ + b)`, `y⟨t⟩ = a⟨t⟩`:
/// written against the public `Cell` trait only, with plain loops, as a user would.
#[derive(Clone, Debug)]
pub struct Leaky {
    n: usize,
    i: usize,
    alpha: f64,
    params: Vec<f64>, // W (n×n), U (n×i), b (n), column-major
}

impl Leaky {
    pub fn new(n: usize, i: usize, alpha: f64, seed: u64) -> Self {
        let x = random_sequence::<f64>(n * n + n * i + n, 1, 1, 0.6, &mut rng(seed));
        Leaky {
            n,
            i,
            alpha,
            params: x.as_matrix().as_slice().to_vec(),
        }
    }
    fn w(&self, r: usize, c: usize) -> f64 {
        self.params[c * self.n + r]
    }
    fn u(&self, r: usize, c: usize) -> f64 {
        self.params[self.n * self.n + c * self.n + r]
    }
    fn b(&self, r: usize) -> f64 {
        self.params[self.n * self.n + self.n * self.i + r]
    }
}

impl Parameters for Leaky {
    type Scalar = f64;
    fn params(&self) -> &[f64] {
        &self.params
    }
    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.params
    }
    fn param_blocks(&self) -> Vec<ParamBlock> {
        let (n, i) = (self.n, self.i);
        vec![
            ParamBlock {
                name: "w",
                offset: 0,
                rows: n,
                cols: n,
            },
            ParamBlock {
                name: "u",
                offset: n * n,
                rows: n,
                cols: i,
            },
            ParamBlock {
                name: "b",
                offset: n * n + n * i,
                rows: n,
                cols: 1,
            },
        ]
    }
}

impl Cell for Leaky {
    fn n_input(&self) -> usize {
        self.i
    }
    fn n_state(&self) -> usize {
        self.n
    }
    fn n_output(&self) -> usize {
        self.n
    }
    fn n_cache(&self) -> usize {
        self.n // tanh(W a + U x + b)
    }
    fn step(
        &self,
        x: DMatrixView<'_, f64>,
        prev: DMatrixView<'_, f64>,
        mut state: DMatrixViewMut<'_, f64>,
        mut output: DMatrixViewMut<'_, f64>,
        mut cache: DMatrixViewMut<'_, f64>,
    ) {
        for col in 0..x.ncols() {
            for r in 0..self.n {
                let mut z = self.b(r);
                for c in 0..self.n {
                    z += self.w(r, c) * prev[(c, col)];
                }
                for c in 0..self.i {
                    z += self.u(r, c) * x[(c, col)];
                }
                let h = z.tanh();
                cache[(r, col)] = h;
                state[(r, col)] = (1.0 - self.alpha) * prev[(r, col)] + self.alpha * h;
                output[(r, col)] = state[(r, col)];
            }
        }
    }
    fn step_backward(
        &self,
        step: Step<'_, f64>,
        d_state: DMatrixView<'_, f64>,
        d_output: DMatrixView<'_, f64>,
        mut d_prev: DMatrixViewMut<'_, f64>,
        grad: &mut [f64],
        _scratch: DMatrixViewMut<'_, f64>,
    ) {
        let (n, i) = (self.n, self.i);
        for col in 0..step.x.ncols() {
            let da: Vec<f64> = (0..n)
                .map(|r| d_state[(r, col)] + d_output[(r, col)])
                .collect();
            let dz: Vec<f64> = (0..n)
                .map(|r| da[r] * self.alpha * (1.0 - step.cache[(r, col)].powi(2)))
                .collect();
            for c in 0..n {
                let mut v = (1.0 - self.alpha) * da[c];
                for r in 0..n {
                    v += self.w(r, c) * dz[r];
                    grad[c * n + r] += dz[r] * step.prev[(c, col)];
                }
                d_prev[(c, col)] = v;
            }
            for c in 0..i {
                for r in 0..n {
                    grad[n * n + c * n + r] += dz[r] * step.x[(c, col)];
                }
            }
            for r in 0..n {
                grad[n * n + n * i + r] += dz[r];
            }
        }
    }
}
