//! A leaky-integrator cell written against the public `Cell` trait only, shared by the
//! integration tests (`gradients.rs`, `rtrl.rs`, `composition.rs`) as the "user-defined cell".
//!
//! It writes only its maths: sizes, the parameter layout (one `ParamBlock::layout` call) and
//! the forward and backward steps, reading θ from the slice it is handed.

use crate::common::{random_sequence, rng};
use nalgebra::{DMatrixView, DMatrixViewMut};
use recurrent::Cell;
use recurrent::Net;
use recurrent::traits::{Layout, ParamBlock, Step};

/// A leaky integrator, `a⟨t⟩ = (1−α)a⟨t−1⟩ + α·tanh(W a⟨t−1⟩ + U x⟨t⟩ + b)`, `y⟨t⟩ = a⟨t⟩`:
/// written against the public `Cell` trait only, with plain loops, as a user would.
#[derive(Clone, Debug)]
pub struct Leaky {
    n: usize,
    i: usize,
    alpha: f64,
}

impl Leaky {
    /// The cell with parameters drawn from `0.6·N(0, 1)` with `seed`.
    pub fn new(n: usize, i: usize, alpha: f64, seed: u64) -> Net<Leaky> {
        let cell = Leaky { n, i, alpha };
        let x = random_sequence::<f64>(cell.n_params(), 1, 1, 0.6, &mut rng(seed));
        Net::new(cell, x.as_matrix().as_slice().to_vec()).expect("the layout fits")
    }
    /// W (n × n), U (n × i), b (n), column-major, in that order.
    fn layout(&self) -> Layout<3> {
        Layout::new([
            ("w", self.n, self.n),
            ("u", self.n, self.i),
            ("b", self.n, 1),
        ])
    }
    fn w(&self, theta: &[f64], r: usize, c: usize) -> f64 {
        self.layout().view(theta, 0)[(r, c)]
    }
    fn u(&self, theta: &[f64], r: usize, c: usize) -> f64 {
        self.layout().view(theta, 1)[(r, c)]
    }
    fn b(&self, theta: &[f64], r: usize) -> f64 {
        self.layout().split(theta)[2][r]
    }
}

impl Cell for Leaky {
    type Scalar = f64;
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
    fn param_blocks(&self) -> Vec<ParamBlock> {
        self.layout().blocks()
    }
    fn step(
        &self,
        theta: &[f64],
        x: DMatrixView<'_, f64>,
        prev: DMatrixView<'_, f64>,
        mut state: DMatrixViewMut<'_, f64>,
        mut output: DMatrixViewMut<'_, f64>,
        mut cache: DMatrixViewMut<'_, f64>,
    ) {
        for col in 0..x.ncols() {
            for r in 0..self.n {
                let mut z = self.b(theta, r);
                for c in 0..self.n {
                    z += self.w(theta, r, c) * prev[(c, col)];
                }
                for c in 0..self.i {
                    z += self.u(theta, r, c) * x[(c, col)];
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
        theta: &[f64],
        step: Step<'_, f64>,
        d_state: DMatrixView<'_, f64>,
        d_output: DMatrixView<'_, f64>,
        mut d_prev: DMatrixViewMut<'_, f64>,
        mut d_input: Option<DMatrixViewMut<'_, f64>>,
        grad: &mut [f64],
        _scratch: DMatrixViewMut<'_, f64>,
    ) {
        let (n, i) = (self.n, self.i);
        let [gw, gu, gb] = self.layout().split_mut(grad);
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
                    v += self.w(theta, r, c) * dz[r];
                    gw[c * n + r] += dz[r] * step.prev[(c, col)];
                }
                d_prev[(c, col)] = v;
            }
            for c in 0..i {
                for r in 0..n {
                    gu[c * n + r] += dz[r] * step.x[(c, col)];
                }
                if let Some(dx) = d_input.as_mut() {
                    dx[(c, col)] = (0..n).map(|r| self.u(theta, r, c) * dz[r]).sum();
                }
            }
            for r in 0..n {
                gb[r] += dz[r];
            }
        }
    }
}
