//! The gated recurrent unit in PyTorch's form (`torch.nn.GRU`).
//!
//! Written only against the crate's public API, like [`super::lstm`], whose small shared
//! helpers (size checks, PyTorch's initialisation, the batch-1 kernels) it uses.

use super::lstm::{
    FEW_COLUMNS, add_product, check_sizes, fill_gated, set_tr_product, theta_from_pytorch,
    transpose_into, zeroed,
};
use crate::Net;
use crate::Sequence;
use crate::activation::Activation;
use crate::error::Result;
use crate::init::Init;
use crate::ops;
use crate::scalar::Real;
use crate::traits::{Cell, ParamBlock, Parameters, Step};
use crate::unroll::Trace;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use rand::Rng;
use std::marker::PhantomData;

/// A gated recurrent unit network (Cho et al. 2014): a [`Net`] of a [`GruCell`] and its
/// parameters, with PyTorch's equations, gate order and parameter layout (`torch.nn.GRU`):
///
/// ```text
/// r = σ(W_ir x + b_ir + W_hr h⟨t−1⟩ + b_hr)               reset gate
/// z = σ(W_iz x + b_iz + W_hz h⟨t−1⟩ + b_hz)               update gate
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h⟨t−1⟩ + b_hn))      candidate
/// h⟨t⟩ = (1 − z) ⊙ n + z ⊙ h⟨t−1⟩
/// ```
///
/// Note `b_hn` **inside** the reset product, as in PyTorch (and cuDNN); Cho et al. apply the
/// reset to `h⟨t−1⟩` before the product, which is a different function. The gates are stacked
/// in the order **r, z, n** into `weight_ih` (`3H × I`), `weight_hh` (`3H × H`), `bias_ih` and
/// `bias_hh` (`3H` each), PyTorch's `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
/// `bias_hh_l0`; θ holds the four blocks in that order, column-major. Weights exported from
/// PyTorch load with [`Gru::from_pytorch`].
///
/// The state and the output are `h` (`n_state = n_output = H`, zero at the start); gradients
/// reaching `h⟨t⟩` through the output and through the next step add. Put a
/// [`crate::net::Linear`] head behind it with [`crate::net::Stack`] for a read-out.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::cell::Gru;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
/// let gru = Gru::<f32>::builder(3, 16).build(&mut rng)?;
/// assert_eq!(gru.n_params(), 3 * 16 * (3 + 16 + 2));
/// assert_eq!((gru.cell().n_state(), gru.cell().n_output()), (16, 16));
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Complexity
///
/// One step costs `O(B·3H·(I + H))`; the sequence schedule does the input projection for all
/// steps as one matrix product and each weight gradient as one product, as [`super::Lstm`]'s.
///
/// # References
///
/// [^1]: K. Cho, B. van Merriënboer, C. Gulcehre, D. Bahdanau, F. Bougares, H. Schwenk &
///   Y. Bengio (2014), "Learning phrase representations using RNN encoder–decoder for
///   statistical machine translation", EMNLP.
pub type Gru<T> = Net<GruCell<T>>;

/// The maths of a [`Gru`] step (see there for the equations), with θ handed in as
/// `weight_ih, weight_hh, bias_ih, bias_hh` (PyTorch's layout, column-major).
///
/// Cache per column: `r, z, n` and `W_hh h⟨t−1⟩ + b_hh` (`6H` rows; the backward step reads
/// its last block, `W_hn h⟨t−1⟩ + b_hn`).
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::cell::GruCell;
/// let cell = GruCell::<f64>::new(2, 4)?;
/// assert_eq!(cell.n_params(), 3 * 4 * (2 + 4) + 2 * 12);
/// assert_eq!(cell.param_blocks()[3].name, "bias_hh");
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "super::lstm::GatedCellData", bound = "")
)]
pub struct GruCell<T: Real> {
    n_input: usize,
    n_hidden: usize,
    #[cfg_attr(feature = "serde", serde(skip))]
    scalar: PhantomData<T>,
}

#[cfg(feature = "serde")]
impl<T: Real> TryFrom<super::lstm::GatedCellData> for GruCell<T> {
    type Error = crate::Error;
    fn try_from(d: super::lstm::GatedCellData) -> Result<Self> {
        GruCell::new(d.n_input, d.n_hidden)
    }
}

/// Configures and builds a [`Gru`] ([`Gru::builder`]).
///
/// | name | default | purpose | range |
/// |---|---|---|---|
/// | `input_init` | PyTorch's `U(−1/√H, 1/√H)` | each gate's `H × I` block of `weight_ih` | any [`Init`] |
/// | `recurrent_init` | PyTorch's `U(−1/√H, 1/√H)` | each gate's `H × H` block of `weight_hh` | any [`Init`] (square ones allowed) |
///
/// The biases are drawn from `U(−1/√H, 1/√H)` as in PyTorch.
///
/// # Errors
///
/// [`GruBuilder::build`] returns [`crate::Error::InvalidParameter`] for a zero size, a
/// parameter count that overflows or cannot be allocated, or an initialiser that cannot fill
/// its block.
///
/// # Examples
///
/// ```
/// use recurrent::Gru;
/// use recurrent::init::Init;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let gru = Gru::<f64>::builder(4, 8)
///     .input_init(Init::Xavier)
///     .recurrent_init(Init::Orthogonal { gain: 1.0 })
///     .build(&mut rng)?;
/// assert_eq!(gru.weight_ih().shape(), (3 * 8, 4)); // r, z, n stacked
/// assert!(Gru::<f64>::builder(4, 0).build(&mut rng).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct GruBuilder<T: Real> {
    scalar: PhantomData<T>,
    n_input: usize,
    n_hidden: usize,
    input_init: Option<Init>,
    recurrent_init: Option<Init>,
}

impl<T: Real> GruBuilder<T> {
    /// Initialiser of each gate's block of `weight_ih`.
    pub fn input_init(mut self, init: Init) -> Self {
        self.input_init = Some(init);
        self
    }

    /// Initialiser of each gate's `H × H` block of `weight_hh`.
    pub fn recurrent_init(mut self, init: Init) -> Self {
        self.recurrent_init = Some(init);
        self
    }

    /// Draws the parameters with `rng` and builds the network.
    ///
    /// # Errors
    ///
    /// See [`GruBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use recurrent::Gru;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let gru = Gru::<f32>::builder(3, 5).build(&mut rng)?;
    /// assert_eq!(gru.n_params(), 3 * 5 * (3 + 5 + 2));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn build<R: Rng + ?Sized>(self, rng: &mut R) -> Result<Gru<T>> {
        let cell = GruCell::<T>::new(self.n_input, self.n_hidden)?;
        let mut theta = zeroed::<T>("Gru::build", cell.n_params())?;
        fill_gated(
            &mut theta,
            3,
            self.n_input,
            self.n_hidden,
            self.input_init,
            self.recurrent_init,
            rng,
        )?;
        Net::new(cell, theta)
    }
}

impl<T: Real> GruCell<T> {
    /// The cell for inputs of `n_input` and `n_hidden` units.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidParameter`] for a zero size or a parameter count that
    /// overflows.
    pub fn new(n_input: usize, n_hidden: usize) -> Result<Self> {
        check_sizes("GruCell::new", 3, n_input, n_hidden)?;
        Ok(Self {
            n_input,
            n_hidden,
            scalar: PhantomData,
        })
    }

    /// Number of hidden units `H`.
    pub fn n_hidden(&self) -> usize {
        self.n_hidden
    }

    fn block_lens(&self) -> [usize; 4] {
        let (i, h) = (self.n_input, self.n_hidden);
        [3 * h * i, 3 * h * h, 3 * h, 3 * h]
    }

    fn blocks<'a>(&self, theta: &'a [T]) -> [&'a [T]; 4] {
        ops::blocks(theta, self.block_lens())
    }

    /// Everything of a forward step after the input projection (the first `3H` rows of
    /// `cache` hold `W_ih x`): adds `b_ih`, writes `W_hh h⟨t−1⟩ + b_hh` into the last `3H`
    /// rows, the gates `r, z, n` over the first, and `h⟨t⟩` into state and output.
    #[allow(clippy::too_many_arguments)]
    fn finish_step(
        &self,
        w_hh: &[T],
        packed: Option<&ops::PackedMatrix<T>>,
        b_ih: &[T],
        b_hh: &[T],
        prev: DMatrixView<'_, T>,
        mut state: DMatrixViewMut<'_, T>,
        mut output: DMatrixViewMut<'_, T>,
        mut cache: DMatrixViewMut<'_, T>,
    ) {
        let h = self.n_hidden;
        let (mut gates, mut gh) = cache.rows_range_pair_mut(0..3 * h, 3 * h..6 * h);
        for (mut gi, mut gh) in gates.column_iter_mut().zip(gh.column_iter_mut()) {
            // the column as a slice: nalgebra's element iterator on a view is strided
            for (z, b) in gi.as_mut_slice().iter_mut().zip(b_ih) {
                *z += *b;
            }
            gh.as_mut_slice().copy_from_slice(b_hh);
        }
        add_product(gh.as_view_mut(), w_hh, packed, prev);
        for (mut g, c) in gates.column_iter_mut().zip(gh.column_iter()) {
            for (a, b) in g.as_mut_slice()[..2 * h]
                .iter_mut()
                .zip(&c.as_slice()[..2 * h])
            {
                *a += *b;
            }
        }
        Activation::Sigmoid.apply(gates.rows_mut(0, 2 * h));
        for (mut g, c) in gates.column_iter_mut().zip(gh.column_iter()) {
            let g = g.as_mut_slice();
            let hn = &c.as_slice()[2 * h..];
            let (r, rest) = g.split_at_mut(h);
            let n = &mut rest[h..];
            for k in 0..h {
                n[k] += r[k] * hn[k];
            }
        }
        Activation::Tanh.apply(gates.rows_mut(2 * h, h));
        for j in 0..state.ncols() {
            let g = gates.column(j);
            let g = g.as_slice();
            let (z, n) = (&g[h..2 * h], &g[2 * h..]);
            let p = prev.column(j);
            let hp = p.as_slice();
            let mut s = state.column_mut(j);
            let s = s.as_mut_slice();
            let mut out = output.column_mut(j);
            let out = out.as_mut_slice();
            for k in 0..h {
                s[k] = (T::one() - z[k]) * n[k] + z[k] * hp[k];
                out[k] = s[k];
            }
        }
    }

    /// The gate part of a backward step: from `d_state + d_output = ∂L/∂h⟨t⟩` writes
    /// `a_i = ∂L/∂(W_ih x + b_ih)` and `a_h = ∂L/∂(W_hh h⟨t−1⟩ + b_hh)` (`3H × B` each).
    fn gate_grads(
        &self,
        prev: DMatrixView<'_, T>,
        cache: DMatrixView<'_, T>,
        d_state: DMatrixView<'_, T>,
        d_output: DMatrixView<'_, T>,
        mut a_i: DMatrixViewMut<'_, T>,
        mut a_h: DMatrixViewMut<'_, T>,
    ) {
        let h = self.n_hidden;
        let one = T::one();
        for j in 0..a_i.ncols() {
            let cc = cache.column(j);
            let cc = cc.as_slice();
            let (r, z, n, hn) = (&cc[..h], &cc[h..2 * h], &cc[2 * h..3 * h], &cc[5 * h..]);
            let p = prev.column(j);
            let hp = p.as_slice();
            let ds = d_state.column(j);
            let ds = ds.as_slice();
            let dout = d_output.column(j);
            let dout = dout.as_slice();
            let mut ai = a_i.column_mut(j);
            let ai = ai.as_mut_slice();
            let mut ah = a_h.column_mut(j);
            let ah = ah.as_mut_slice();
            for k in 0..h {
                let dh = ds[k] + dout[k];
                let dn = dh * (one - z[k]) * (one - n[k] * n[k]);
                let dz = dh * (hp[k] - n[k]) * z[k] * (one - z[k]);
                let dr = dn * hn[k] * r[k] * (one - r[k]);
                ai[k] = dr;
                ai[h + k] = dz;
                ai[2 * h + k] = dn;
                ah[k] = dr;
                ah[h + k] = dz;
                ah[2 * h + k] = dn * r[k];
            }
        }
    }

    /// `d_prev ← W_hhᵀ a_h + (d_state + d_output) ⊙ z`.
    #[allow(clippy::too_many_arguments)]
    fn prev_grad(
        &self,
        w_hh: &[T],
        w_hh_t: Option<&ops::PackedMatrix<T>>,
        cache: DMatrixView<'_, T>,
        d_state: DMatrixView<'_, T>,
        d_output: DMatrixView<'_, T>,
        a_h: DMatrixView<'_, T>,
        mut d_prev: DMatrixViewMut<'_, T>,
    ) {
        let h = self.n_hidden;
        set_tr_product(d_prev.as_view_mut(), w_hh, w_hh_t, a_h);
        for j in 0..d_prev.ncols() {
            let cc = cache.column(j);
            let z = &cc.as_slice()[h..2 * h];
            let ds = d_state.column(j);
            let dout = d_output.column(j);
            let mut dp = d_prev.column_mut(j);
            for k in 0..h {
                dp[k] += (ds[k] + dout[k]) * z[k];
            }
        }
    }
}

impl<T: Real> Gru<T> {
    /// Starts configuring a GRU with `n_input` inputs and `n_hidden` units; see
    /// [`GruBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use recurrent::Gru;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let gru = Gru::<f64>::builder(3, 16).build(&mut rng)?;
    /// assert_eq!((gru.n_hidden(), gru.cell().n_state()), (16, 16)); // the state is h
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn builder(n_input: usize, n_hidden: usize) -> GruBuilder<T> {
        GruBuilder {
            scalar: PhantomData,
            n_input,
            n_hidden,
            input_init: None,
            recurrent_init: None,
        }
    }

    /// The GRU with PyTorch's parameters of one layer: `weight_ih_l0` (`3H × I`),
    /// `weight_hh_l0` (`3H × H`), `bias_ih_l0` and `bias_hh_l0` (`3H`), gates in PyTorch's
    /// order r, z, n. The sizes are read from the shapes.
    ///
    /// PyTorch stores the matrices row-major: `DMatrix::from_row_slice(3 * h, i, &flat)` turns
    /// `weight_ih_l0.flatten().tolist()` into the matrix this takes.
    ///
    /// # Errors
    ///
    /// [`crate::Error::DimensionMismatch`] if `weight_ih` has no rows or a row count that is
    /// not a multiple of 3, or if `weight_hh`, `bias_ih` or `bias_hh` do not fit it;
    /// [`crate::Error::InvalidParameter`] for a zero input size; [`crate::Error::NonFinite`]
    /// for a NaN or infinite value (index into θ).
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::prelude::*;
    /// use recurrent::cell::Gru;
    /// // I = 1, H = 1: rows are the gates r, z, n
    /// let w_ih = DMatrix::from_row_slice(3, 1, &[0.1, 0.2, 0.3]);
    /// let w_hh = DMatrix::from_row_slice(3, 1, &[0.4, 0.5, 0.6]);
    /// let b_hh = [0.0, 0.0, 0.7]; // b_hn, inside the reset product
    /// let gru = Gru::<f64>::from_pytorch(w_ih.as_view(), w_hh.as_view(), &[0.0; 3], &b_hh)?;
    /// let x = Sequence::new(DMatrix::from_element(1, 1, 1.0), 1)?;
    /// let h = gru.run(&x, None)?.outputs.as_matrix()[(0, 0)];
    /// let s = |v: f64| 1.0 / (1.0 + (-v).exp());
    /// let n = (0.3 + s(0.1) * 0.7).tanh(); // h⟨0⟩ = 0
    /// assert!((h - (1.0 - s(0.2)) * n).abs() < 1e-15);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_pytorch(
        weight_ih: DMatrixView<'_, T>,
        weight_hh: DMatrixView<'_, T>,
        bias_ih: &[T],
        bias_hh: &[T],
    ) -> Result<Self> {
        let (i, h, theta) = theta_from_pytorch(
            "Gru::from_pytorch",
            3,
            weight_ih,
            weight_hh,
            bias_ih,
            bias_hh,
        )?;
        Net::new(GruCell::new(i, h)?, theta)
    }

    /// Number of hidden units `H`.
    pub fn n_hidden(&self) -> usize {
        self.cell().n_hidden
    }

    /// `weight_ih`, `3H × I` (gates r, z, n stacked).
    pub fn weight_ih(&self) -> DMatrixView<'_, T> {
        let c = self.cell();
        DMatrixView::from_slice(c.blocks(self.params())[0], 3 * c.n_hidden, c.n_input)
    }

    /// `weight_hh`, `3H × H`.
    pub fn weight_hh(&self) -> DMatrixView<'_, T> {
        let c = self.cell();
        DMatrixView::from_slice(c.blocks(self.params())[1], 3 * c.n_hidden, c.n_hidden)
    }

    /// `bias_ih`, `3H`.
    pub fn bias_ih(&self) -> &[T] {
        self.cell().blocks(self.params())[2]
    }

    /// `bias_hh`, `3H`.
    pub fn bias_hh(&self) -> &[T] {
        self.cell().blocks(self.params())[3]
    }
}

/// Buffers of the GRU's fused backward schedule, kept in the trace's workspace.
#[derive(Debug)]
struct GruWork<T: Real> {
    /// `∂L/∂(W_ih x + b_ih)` and `∂L/∂(W_hh h + b_hh)` for every step, `3H × T·B` each.
    a_i: DMatrix<T>,
    a_h: DMatrix<T>,
    /// `W_hh` packed for the forward steps, `W_hhᵀ` packed for the backward steps.
    w_hh_p: ops::PackedMatrix<T>,
    w_hh_t: ops::PackedMatrix<T>,
    /// `W_ihᵀ` (`I × 3H`), `Xᵀ` (`T·B × I`), `[h⟨0⟩ … h⟨T−1⟩]ᵀ`.
    w_ih_t: DMatrix<T>,
    x_t: DMatrix<T>,
    h_t: DMatrix<T>,
}

impl<T: Real> Default for GruWork<T> {
    fn default() -> Self {
        Self {
            a_i: DMatrix::zeros(0, 0),
            a_h: DMatrix::zeros(0, 0),
            w_hh_p: ops::PackedMatrix::new(),
            w_hh_t: ops::PackedMatrix::new(),
            w_ih_t: DMatrix::zeros(0, 0),
            x_t: DMatrix::zeros(0, 0),
            h_t: DMatrix::zeros(0, 0),
        }
    }
}

impl<T: Real> Cell for GruCell<T> {
    type Scalar = T;

    fn n_input(&self) -> usize {
        self.n_input
    }

    fn n_state(&self) -> usize {
        self.n_hidden
    }

    fn n_output(&self) -> usize {
        self.n_hidden
    }

    fn param_blocks(&self) -> Vec<ParamBlock> {
        let (i, h) = (self.n_input, self.n_hidden);
        ParamBlock::layout(&[
            ("weight_ih", 3 * h, i),
            ("weight_hh", 3 * h, h),
            ("bias_ih", 3 * h, 1),
            ("bias_hh", 3 * h, 1),
        ])
    }

    fn n_params(&self) -> usize {
        self.block_lens().iter().sum()
    }

    fn n_cache(&self) -> usize {
        6 * self.n_hidden
    }

    fn n_scratch(&self) -> usize {
        6 * self.n_hidden
    }

    fn step(
        &self,
        theta: &[T],
        x: DMatrixView<'_, T>,
        prev: DMatrixView<'_, T>,
        state: DMatrixViewMut<'_, T>,
        output: DMatrixViewMut<'_, T>,
        mut cache: DMatrixViewMut<'_, T>,
    ) {
        let (i, h) = (self.n_input, self.n_hidden);
        let [w_ih, w_hh, b_ih, b_hh] = self.blocks(theta);
        cache.rows_mut(0, 3 * h).gemm(
            T::one(),
            &DMatrixView::from_slice(w_ih, 3 * h, i),
            &x,
            T::zero(),
        );
        self.finish_step(w_hh, None, b_ih, b_hh, prev, state, output, cache);
    }

    fn step_backward(
        &self,
        theta: &[T],
        step: Step<'_, T>,
        d_state: DMatrixView<'_, T>,
        d_output: DMatrixView<'_, T>,
        d_prev: DMatrixViewMut<'_, T>,
        d_input: Option<DMatrixViewMut<'_, T>>,
        grad: &mut [T],
        mut scratch: DMatrixViewMut<'_, T>,
    ) {
        let (i, h) = (self.n_input, self.n_hidden);
        let [w_ih, w_hh, _, _] = self.blocks(theta);
        let (mut a_i, mut a_h) = scratch.rows_range_pair_mut(0..3 * h, 3 * h..6 * h);
        self.gate_grads(
            step.prev,
            step.cache,
            d_state,
            d_output,
            a_i.as_view_mut(),
            a_h.as_view_mut(),
        );
        self.prev_grad(
            w_hh,
            None,
            step.cache,
            d_state,
            d_output,
            a_h.as_view(),
            d_prev,
        );
        if let Some(dx) = d_input {
            set_tr_product(dx, w_ih, None, a_i.as_view());
        }
        let [g_ih, g_hh, g_bih, g_bhh] = ops::blocks_mut(grad, self.block_lens());
        ops::add_outer(
            DMatrixViewMut::from_slice(g_ih, 3 * h, i),
            a_i.as_view(),
            step.x,
        );
        ops::add_outer(
            DMatrixViewMut::from_slice(g_hh, 3 * h, h),
            a_h.as_view(),
            step.prev,
        );
        ops::add_row_sums(g_bih, a_i.as_view());
        ops::add_row_sums(g_bhh, a_h.as_view());
    }

    /// `W_ih·X` for all steps as one product into the cache, then per step only the
    /// recurrent product and the element-wise gate maths.
    fn forward_seq(&self, theta: &[T], xs: &Sequence<T>, trace: &mut Trace<T>) {
        let (b, steps, i, h) = (trace.batch(), trace.steps(), self.n_input, self.n_hidden);
        let [w_ih, w_hh, b_ih, b_hh] = self.blocks(theta);
        let (parts, work) = trace.parts_and_workspace_mut::<GruWork<T>>();
        let packed = if b > FEW_COLUMNS {
            work.w_hh_p.pack(DMatrixView::from_slice(w_hh, 3 * h, h));
            Some(&work.w_hh_p)
        } else {
            None
        };
        parts.cache.rows_mut(0, 3 * h).gemm(
            T::one(),
            &DMatrixView::from_slice(w_ih, 3 * h, i),
            xs.as_matrix(),
            T::zero(),
        );
        for t in 0..steps {
            let (head, tail) = parts.states.as_mut_slice().split_at_mut((t + 1) * h * b);
            let prev = DMatrixView::from_slice(&head[t * h * b..], h, b);
            let state = DMatrixViewMut::from_slice(&mut tail[..h * b], h, b);
            self.finish_step(
                w_hh,
                packed,
                b_ih,
                b_hh,
                prev,
                state,
                parts.outputs.columns_mut(t * b, b),
                parts.cache.columns_mut(t * b, b),
            );
        }
    }

    /// Per step only the gate maths and `W_hhᵀ·a_h`; the weight gradients as one product each
    /// over all `T·B` columns.
    fn backward_seq(
        &self,
        theta: &[T],
        xs: &Sequence<T>,
        d_outputs: DMatrixView<'_, T>,
        trace: &mut Trace<T>,
        grad: &mut [T],
        d_inputs: Option<DMatrixViewMut<'_, T>>,
    ) {
        let (b, steps, i, h) = (trace.batch(), trace.steps(), self.n_input, self.n_hidden);
        let tb = steps * b;
        let [w_ih, w_hh, _, _] = self.blocks(theta);
        let (parts, work) = trace.parts_and_workspace_mut::<GruWork<T>>();
        if work.a_i.shape() != (3 * h, tb) || work.a_h.shape() != (3 * h, tb) {
            work.a_i = DMatrix::zeros(3 * h, tb);
            work.a_h = DMatrix::zeros(3 * h, tb);
        }
        let wide = b > FEW_COLUMNS;
        if wide {
            work.w_hh_t
                .pack_transposed(DMatrixView::from_slice(w_hh, 3 * h, h));
        }
        for t in (0..steps).rev() {
            let (head, tail) = parts.d_states.as_mut_slice().split_at_mut((t + 1) * h * b);
            let d_prev = DMatrixViewMut::from_slice(&mut head[t * h * b..], h, b);
            let d_state = DMatrixView::from_slice(&tail[..h * b], h, b);
            let cache = parts.cache.columns(t * b, b);
            let d_out = d_outputs.columns(t * b, b);
            self.gate_grads(
                parts.states.columns(t * b, b),
                cache,
                d_state,
                d_out,
                work.a_i.columns_mut(t * b, b),
                work.a_h.columns_mut(t * b, b),
            );
            self.prev_grad(
                w_hh,
                wide.then_some(&work.w_hh_t),
                cache,
                d_state,
                d_out,
                work.a_h.columns(t * b, b),
                d_prev,
            );
        }
        let [g_ih, g_hh, g_bih, g_bhh] = ops::blocks_mut(grad, self.block_lens());
        transpose_into(&mut work.x_t, xs.as_matrix().as_view());
        transpose_into(&mut work.h_t, parts.states.columns(0, tb));
        DMatrixViewMut::from_slice(g_ih, 3 * h, i).gemm(T::one(), &work.a_i, &work.x_t, T::one());
        DMatrixViewMut::from_slice(g_hh, 3 * h, h).gemm(T::one(), &work.a_h, &work.h_t, T::one());
        ops::add_row_sums(g_bih, work.a_i.as_view());
        ops::add_row_sums(g_bhh, work.a_h.as_view());
        if let Some(mut dx) = d_inputs {
            transpose_into(&mut work.w_ih_t, DMatrixView::from_slice(w_ih, 3 * h, i));
            dx.gemm(T::one(), &work.w_ih_t, &work.a_i, T::zero());
        }
    }
}
