//! The long short-term memory cell in PyTorch's form (`torch.nn.LSTM`).
//!
//! Written only against the crate's public API (`Cell`, `Trace`, `ParamBlock`, `ops`,
//! `Activation`, nalgebra), as a cell in another crate would be: nothing here reaches a
//! crate-private helper.

use crate::Net;
use crate::Sequence;
use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::init::Init;
use crate::ops;
use crate::scalar::{Real, lit};
use crate::traits::{Cell, ParamBlock, Parameters, Step};
use crate::unroll::Trace;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use rand::Rng;
use std::marker::PhantomData;

/// Batches of at most this many columns use the vectorised matrix–vector kernels
/// ([`ops::matvec_add`], [`ops::matvec_t`]) instead of a packed matrix product.
pub(super) const FEW_COLUMNS: usize = 4;

/// A long short-term memory network (Hochreiter & Schmidhuber 1997, with the forget gate of
/// Gers, Schmidhuber & Cummins 2000): a [`Net`] of an [`LstmCell`] and its parameters, with
/// PyTorch's equations, gate order and parameter layout (`torch.nn.LSTM`):
///
/// ```text
/// i = σ(W_ii x + b_ii + W_hi h⟨t−1⟩ + b_hi)        input gate
/// f = σ(W_if x + b_if + W_hf h⟨t−1⟩ + b_hf)        forget gate
/// g = tanh(W_ig x + b_ig + W_hg h⟨t−1⟩ + b_hg)     cell candidate
/// o = σ(W_io x + b_io + W_ho h⟨t−1⟩ + b_ho)        output gate
/// c⟨t⟩ = f ⊙ c⟨t−1⟩ + i ⊙ g
/// h⟨t⟩ = o ⊙ tanh(c⟨t⟩)
/// ```
///
/// The four gates are stacked in the order **i, f, g, o** into `weight_ih` (`4H × I`),
/// `weight_hh` (`4H × H`), `bias_ih` and `bias_hh` (`4H` each), PyTorch's `weight_ih_l0`,
/// `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`; θ holds the four blocks in that order,
/// column-major. Weights exported from PyTorch load with [`Lstm::from_pytorch`].
///
/// The state is `[h; c]` (`n_state = 2H`, zero at the start, as PyTorch's default), the output
/// is `h` (`n_output = H`): put a [`crate::net::Linear`] head behind it with
/// [`crate::net::Stack`] for a read-out. Gradients reaching `h⟨t⟩` through the output and
/// through the next step add.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::cell::Lstm;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
/// let lstm = Lstm::<f64>::builder(3, 16).forget_bias(1.0).build(&mut rng)?;
/// assert_eq!(lstm.n_params(), 4 * 16 * (3 + 16 + 2));
/// assert_eq!((lstm.cell().n_state(), lstm.cell().n_output()), (32, 16));
/// assert_eq!(lstm.bias_ih()[16], 1.0); // first unit of the forget gate
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Complexity
///
/// One step costs `O(B·4H·(I + H))`. The sequence schedule ([`Cell::forward_seq`],
/// [`Cell::backward_seq`]) computes the input projection `W_ih·X` for all `T·B` columns as one
/// matrix product and both weight gradients as one product each; only `W_hh·h` and
/// `W_hhᵀ·δ` stay in the time loop.
///
/// # References
///
/// [^1]: S. Hochreiter & J. Schmidhuber (1997), "Long short-term memory", Neural Computation
///   9(8), 1735–1780.
/// [^2]: F. A. Gers, J. Schmidhuber & F. Cummins (2000), "Learning to forget: continual
///   prediction with LSTM", Neural Computation 12(10), 2451–2471.
/// [^3]: R. Jozefowicz, W. Zaremba & I. Sutskever (2015), "An empirical exploration of
///   recurrent network architectures", ICML (forget-gate bias 1).
pub type Lstm<T> = Net<LstmCell<T>>;

/// The maths of an [`Lstm`] step (see there for the equations), with θ handed in as
/// `weight_ih, weight_hh, bias_ih, bias_hh` (PyTorch's layout, column-major).
///
/// Cache per column: the four gate activations `i, f, g, o` and `tanh c⟨t⟩` (`5H` rows).
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::cell::LstmCell;
/// let cell = LstmCell::<f32>::new(2, 4)?;
/// assert_eq!(cell.n_params(), 4 * 4 * (2 + 4) + 2 * 16);
/// assert_eq!(cell.param_blocks()[1].name, "weight_hh");
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "GatedCellData", bound = ""))]
pub struct LstmCell<T: Real> {
    n_input: usize,
    n_hidden: usize,
    #[cfg_attr(feature = "serde", serde(skip))]
    scalar: PhantomData<T>,
}

/// The serialised form of a gated cell (its two sizes), checked on load.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
pub(super) struct GatedCellData {
    pub(super) n_input: usize,
    pub(super) n_hidden: usize,
}

#[cfg(feature = "serde")]
impl<T: Real> TryFrom<GatedCellData> for LstmCell<T> {
    type Error = Error;
    fn try_from(d: GatedCellData) -> Result<Self> {
        LstmCell::new(d.n_input, d.n_hidden)
    }
}

/// Checks the sizes of a gated cell with `gates` gates: both at least 1, and the parameter
/// count `gates·H·(I + H + 2)` representable (and so allocatable in principle).
pub(super) fn check_sizes(
    op: &'static str,
    gates: usize,
    n_input: usize,
    n_hidden: usize,
) -> Result<usize> {
    for (name, v) in [("n_input", n_input), ("n_hidden", n_hidden)] {
        if v == 0 {
            return Err(ops::invalid(name, "must be at least 1"));
        }
    }
    gates
        .checked_mul(n_hidden)
        .and_then(|g| {
            n_input
                .checked_add(n_hidden)
                .and_then(|c| c.checked_add(2))
                .and_then(|c| g.checked_mul(c))
        })
        // the cache (6H rows per column at most) must be representable too
        .filter(|_| n_hidden.checked_mul(6).is_some())
        .ok_or_else(|| {
            ops::invalid(
                "size",
                format!("{op}: parameter count of {gates} gates x {n_hidden} x ({n_input} + {n_hidden} + 2) overflows"),
            )
        })
}

/// A zero vector of `len` scalars, or an error naming the size when the memory cannot be had.
pub(super) fn zeroed<T: Real>(op: &'static str, len: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        ops::invalid(
            "size",
            format!("{op}: {len} parameters cannot be allocated"),
        )
    })?;
    v.resize(len, T::zero());
    Ok(v)
}

/// Fills θ of a gated cell (`gates` blocks of `H` rows per matrix): each gate's `H × I` block
/// of `weight_ih` with `input`, each `H × H` block of `weight_hh` with `recurrent`, the biases
/// with PyTorch's `U(−1/√H, 1/√H)`. `None` is PyTorch's default for the matrices too.
pub(super) fn fill_gated<T: Real, R: Rng + ?Sized>(
    theta: &mut [T],
    gates: usize,
    n_input: usize,
    n_hidden: usize,
    input: Option<Init>,
    recurrent: Option<Init>,
    rng: &mut R,
) -> Result<()> {
    let (i, h) = (n_input, n_hidden);
    let gh = gates * h;
    let default = Init::Uniform {
        limit: 1.0 / (h as f64).sqrt(),
    };
    let [w_ih, w_hh, b_ih, b_hh] = ops::blocks_mut(theta, [gh * i, gh * h, gh, gh]);
    for (w, cols, init) in [(w_ih, i, input), (w_hh, h, recurrent)] {
        let mut m = DMatrixViewMut::from_slice(w, gh, cols);
        for k in 0..gates {
            init.unwrap_or(default).fill(m.rows_mut(k * h, h), rng)?;
        }
    }
    for b in [b_ih, b_hh] {
        default.fill(DMatrixViewMut::from_slice(b, gh, 1), rng)?;
    }
    Ok(())
}

/// θ of a gated cell from PyTorch's four arrays, after checking their shapes against
/// `gates` gates: `weight_ih` (`gates·H × I`), `weight_hh` (`gates·H × H`), the biases
/// (`gates·H`). Returns `(n_input, n_hidden, θ)`.
pub(super) fn theta_from_pytorch<T: Real>(
    op: &'static str,
    gates: usize,
    weight_ih: DMatrixView<'_, T>,
    weight_hh: DMatrixView<'_, T>,
    bias_ih: &[T],
    bias_hh: &[T],
) -> Result<(usize, usize, Vec<T>)> {
    let (rows, n_input) = weight_ih.shape();
    if rows % gates != 0 || rows == 0 {
        return Err(Error::DimensionMismatch {
            op,
            what: "weight_ih (rows must be a positive multiple of the gate count)",
            expected: ((rows / gates).max(1) * gates, n_input),
            got: (rows, n_input),
        });
    }
    let h = rows / gates;
    check_sizes(op, gates, n_input, h)?;
    ops::check_shape(op, "weight_hh", (rows, h), weight_hh.shape())?;
    ops::check_shape(op, "bias_ih", (rows, 1), (bias_ih.len(), 1))?;
    ops::check_shape(op, "bias_hh", (rows, 1), (bias_hh.len(), 1))?;
    let mut theta = zeroed::<T>(op, gates * h * (n_input + h + 2))?;
    let [w_ih, w_hh, b_ih, b_hh] =
        ops::blocks_mut(&mut theta, [rows * n_input, rows * h, rows, rows]);
    DMatrixViewMut::from_slice(w_ih, rows, n_input).copy_from(&weight_ih);
    DMatrixViewMut::from_slice(w_hh, rows, h).copy_from(&weight_hh);
    b_ih.copy_from_slice(bias_ih);
    b_hh.copy_from_slice(bias_hh);
    Ok((n_input, h, theta))
}

/// `z ← z + W·h` for every column of `z` (`m × B`) and `h` (`k × B`, a row range of the state,
/// row stride 1): the vectorised kernel per column for few columns, a packed product else.
pub(super) fn add_product<T: Real>(
    mut z: DMatrixViewMut<'_, T>,
    w: &[T],
    packed: Option<&ops::PackedMatrix<T>>,
    h: DMatrixView<'_, T>,
) {
    let (m, k) = (z.nrows(), h.nrows());
    if z.ncols() <= FEW_COLUMNS {
        for (mut zj, hj) in z.column_iter_mut().zip(h.column_iter()) {
            ops::matvec_add(zj.as_mut_slice(), w, hj.as_slice());
        }
    } else if let Some(p) = packed {
        p.gemm_acc(z, h);
    } else {
        z.gemm(T::one(), &DMatrixView::from_slice(w, m, k), &h, T::one());
    }
}

/// `d ← Wᵀ·δ` for every column (`W` is `m × k` column-major in `w`, `δ` is `m × B`, `d` is
/// `k × B`): the vectorised kernel per column for few columns, else a product with `wt`, `Wᵀ`
/// packed once for the whole sequence, if the caller has one, or nalgebra's `gemm_tr`.
pub(super) fn set_tr_product<T: Real>(
    mut d: DMatrixViewMut<'_, T>,
    w: &[T],
    wt: Option<&ops::PackedMatrix<T>>,
    delta: DMatrixView<'_, T>,
) {
    let (k, m) = (d.nrows(), delta.nrows());
    if d.ncols() <= FEW_COLUMNS {
        for (mut dj, gj) in d.column_iter_mut().zip(delta.column_iter()) {
            ops::matvec_t(dj.as_mut_slice(), w, gj.as_slice());
        }
    } else if let Some(wt) = wt {
        d.fill(T::zero());
        wt.gemm_acc(d, delta);
    } else {
        d.gemm_tr(
            T::one(),
            &DMatrixView::from_slice(w, m, k),
            &delta,
            T::zero(),
        );
    }
}

/// Transposed copy of `m` into `dst`, resizing it if needed (a buffer kept between calls).
pub(super) fn transpose_into<T: Real>(dst: &mut DMatrix<T>, m: DMatrixView<'_, T>) {
    if dst.shape() != (m.ncols(), m.nrows()) {
        *dst = DMatrix::zeros(m.ncols(), m.nrows());
    }
    dst.tr_copy_from(&m);
}

/// Configures and builds an [`Lstm`] ([`Lstm::builder`]).
///
/// | name | default | purpose | range |
/// |---|---|---|---|
/// | `input_init` | PyTorch's `U(−1/√H, 1/√H)` | each gate's `H × I` block of `weight_ih` | any [`Init`] |
/// | `recurrent_init` | PyTorch's `U(−1/√H, 1/√H)` | each gate's `H × H` block of `weight_hh` | any [`Init`] (square ones allowed: `Orthogonal`, `Identity`, …) |
/// | `forget_bias` | none (PyTorch's uniform bias) | forget-gate bias: `bias_ih[f] = b`, `bias_hh[f] = 0`, so the gate starts at `σ(b + …)` (Jozefowicz et al. 2015 use 1) | finite |
///
/// The biases are drawn from `U(−1/√H, 1/√H)` as in PyTorch (except the forget gate's when
/// `forget_bias` is set).
///
/// # Errors
///
/// [`LstmBuilder::build`] returns [`Error::InvalidParameter`] for a zero size, a parameter
/// count that overflows or cannot be allocated, a non-finite forget bias, or an initialiser
/// that cannot fill its block.
///
/// # Examples
///
/// ```
/// use recurrent::Lstm;
/// use recurrent::init::Init;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let lstm = Lstm::<f64>::builder(4, 8)
///     .recurrent_init(Init::Orthogonal { gain: 1.0 })
///     .forget_bias(1.0)
///     .build(&mut rng)?;
/// assert_eq!(lstm.weight_hh().shape(), (4 * 8, 8)); // i, f, g, o stacked
/// assert!(lstm.bias_ih()[8..16].iter().all(|b| *b == 1.0)); // the forget gate
/// assert!(Lstm::<f64>::builder(4, 8).forget_bias(f64::INFINITY).build(&mut rng).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LstmBuilder<T: Real> {
    scalar: PhantomData<T>,
    n_input: usize,
    n_hidden: usize,
    input_init: Option<Init>,
    recurrent_init: Option<Init>,
    forget_bias: Option<f64>,
}

impl<T: Real> LstmBuilder<T> {
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

    /// Sets the forget gate's bias to `b` (in `bias_ih`; the forget block of `bias_hh` is set
    /// to zero). Jozefowicz, Zaremba & Sutskever (2015) recommend `b = 1`, so the cell starts
    /// by remembering.
    pub fn forget_bias(mut self, b: f64) -> Self {
        self.forget_bias = Some(b);
        self
    }

    /// Draws the parameters with `rng` and builds the network.
    ///
    /// # Errors
    ///
    /// See [`LstmBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use recurrent::Lstm;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let lstm = Lstm::<f32>::builder(3, 5).build(&mut rng)?;
    /// assert_eq!(lstm.n_params(), 4 * 5 * (3 + 5 + 2));
    /// assert!(Lstm::<f32>::builder(0, 5).build(&mut rng).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn build<R: Rng + ?Sized>(self, rng: &mut R) -> Result<Lstm<T>> {
        if let Some(b) = self.forget_bias
            && !b.is_finite()
        {
            return Err(ops::invalid(
                "forget_bias",
                format!("must be finite, got {b}"),
            ));
        }
        let cell = LstmCell::<T>::new(self.n_input, self.n_hidden)?;
        let mut theta = zeroed::<T>("Lstm::build", cell.n_params())?;
        fill_gated(
            &mut theta,
            4,
            self.n_input,
            self.n_hidden,
            self.input_init,
            self.recurrent_init,
            rng,
        )?;
        if let Some(b) = self.forget_bias {
            let h = self.n_hidden;
            let [_, _, b_ih, b_hh] = ops::blocks_mut(&mut theta, cell.block_lens());
            b_ih[h..2 * h].fill(lit(b));
            b_hh[h..2 * h].fill(T::zero());
        }
        Net::new(cell, theta)
    }
}

impl<T: Real> LstmCell<T> {
    /// The cell for inputs of `n_input` and `n_hidden` units.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a zero size or a parameter count that overflows.
    pub fn new(n_input: usize, n_hidden: usize) -> Result<Self> {
        check_sizes("LstmCell::new", 4, n_input, n_hidden)?;
        Ok(Self {
            n_input,
            n_hidden,
            scalar: PhantomData,
        })
    }

    /// Number of hidden units `H` (the state has `2H` rows: `h` then `c`).
    pub fn n_hidden(&self) -> usize {
        self.n_hidden
    }

    fn block_lens(&self) -> [usize; 4] {
        let (i, h) = (self.n_input, self.n_hidden);
        [4 * h * i, 4 * h * h, 4 * h, 4 * h]
    }

    fn blocks<'a>(&self, theta: &'a [T]) -> [&'a [T]; 4] {
        ops::blocks(theta, self.block_lens())
    }

    /// Everything of a forward step after the input projection: `gates` (the first `4H` rows
    /// of `cache`) hold `W_ih x`; adds both biases and `W_hh h⟨t−1⟩`, applies the gate
    /// activations, writes `c⟨t⟩`, `tanh c⟨t⟩` (cache), `h⟨t⟩` (state and output).
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
        let (mut gates, mut tanh_c) = cache.rows_range_pair_mut(0..4 * h, 4 * h..5 * h);
        for mut col in gates.column_iter_mut() {
            // the column as a slice: nalgebra's element iterator on a view is strided
            for ((z, bi), bh) in col.as_mut_slice().iter_mut().zip(b_ih).zip(b_hh) {
                *z += *bi + *bh;
            }
        }
        add_product(gates.as_view_mut(), w_hh, packed, prev.rows(0, h));
        Activation::Sigmoid.apply(gates.rows_mut(0, 2 * h));
        Activation::Tanh.apply(gates.rows_mut(2 * h, h));
        Activation::Sigmoid.apply(gates.rows_mut(3 * h, h));
        for j in 0..state.ncols() {
            let g = gates.column(j);
            let g = g.as_slice();
            let (gi, gf, gg) = (&g[..h], &g[h..2 * h], &g[2 * h..3 * h]);
            let p = prev.column(j);
            let c_prev = &p.as_slice()[h..];
            let mut s = state.column_mut(j);
            let c = &mut s.as_mut_slice()[h..];
            let mut tc = tanh_c.column_mut(j);
            let tc = tc.as_mut_slice();
            for k in 0..h {
                c[k] = gf[k] * c_prev[k] + gi[k] * gg[k];
                tc[k] = c[k];
            }
        }
        Activation::Tanh.apply(tanh_c.as_view_mut());
        for j in 0..state.ncols() {
            let g = gates.column(j);
            let go = &g.as_slice()[3 * h..];
            let tc = tanh_c.column(j);
            let tc = tc.as_slice();
            let mut s = state.column_mut(j);
            let hs = &mut s.as_mut_slice()[..h];
            let mut out = output.column_mut(j);
            let out = out.as_mut_slice();
            for k in 0..h {
                hs[k] = go[k] * tc[k];
                out[k] = hs[k];
            }
        }
    }

    /// The gate part of a backward step: from `d_state = ∂L/∂[h; c]⟨t⟩` and
    /// `d_output = ∂L/∂h⟨t⟩` (they add), writes `δz = ∂L/∂(pre-activations)` (`4H × B`) and
    /// `∂L/∂c⟨t−1⟩ = δc ⊙ f` into the `c` rows of `d_prev`.
    fn gate_grads(
        &self,
        prev: DMatrixView<'_, T>,
        cache: DMatrixView<'_, T>,
        d_state: DMatrixView<'_, T>,
        d_output: DMatrixView<'_, T>,
        mut dz: DMatrixViewMut<'_, T>,
        d_prev: &mut DMatrixViewMut<'_, T>,
    ) {
        let h = self.n_hidden;
        let one = T::one();
        for j in 0..dz.ncols() {
            let cc = cache.column(j);
            let cc = cc.as_slice();
            let (gi, gf, gg, go, tc) = (
                &cc[..h],
                &cc[h..2 * h],
                &cc[2 * h..3 * h],
                &cc[3 * h..4 * h],
                &cc[4 * h..5 * h],
            );
            let p = prev.column(j);
            let c_prev = &p.as_slice()[h..];
            let ds = d_state.column(j);
            let ds = ds.as_slice();
            let dout = d_output.column(j);
            let dout = dout.as_slice();
            let mut dzj = dz.column_mut(j);
            let dzj = dzj.as_mut_slice();
            let mut dpj = d_prev.column_mut(j);
            let dpc = &mut dpj.as_mut_slice()[h..];
            for k in 0..h {
                let dh = ds[k] + dout[k];
                let dc = ds[h + k] + dh * go[k] * (one - tc[k] * tc[k]);
                dzj[k] = dc * gg[k] * gi[k] * (one - gi[k]);
                dzj[h + k] = dc * c_prev[k] * gf[k] * (one - gf[k]);
                dzj[2 * h + k] = dc * gi[k] * (one - gg[k] * gg[k]);
                dzj[3 * h + k] = dh * tc[k] * go[k] * (one - go[k]);
                dpc[k] = dc * gf[k];
            }
        }
    }
}

impl<T: Real> Lstm<T> {
    /// Starts configuring an LSTM with `n_input` inputs and `n_hidden` units; see
    /// [`LstmBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use recurrent::Lstm;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let lstm = Lstm::<f64>::builder(3, 16).build(&mut rng)?;
    /// assert_eq!((lstm.n_hidden(), lstm.cell().n_state()), (16, 32)); // state [h; c]
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn builder(n_input: usize, n_hidden: usize) -> LstmBuilder<T> {
        LstmBuilder {
            scalar: PhantomData,
            n_input,
            n_hidden,
            input_init: None,
            recurrent_init: None,
            forget_bias: None,
        }
    }

    /// The LSTM with PyTorch's parameters of one layer: `weight_ih_l0` (`4H × I`),
    /// `weight_hh_l0` (`4H × H`), `bias_ih_l0` and `bias_hh_l0` (`4H`), gates in PyTorch's
    /// order i, f, g, o. The sizes are read from the shapes.
    ///
    /// PyTorch stores the matrices row-major: `DMatrix::from_row_slice(4 * h, i, &flat)` turns
    /// `weight_ih_l0.flatten().tolist()` (or numpy's `ravel()`) into the matrix this takes.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `weight_ih` has no rows or a row count that is not a
    /// multiple of 4, or if `weight_hh`, `bias_ih` or `bias_hh` do not fit it;
    /// [`Error::InvalidParameter`] for a zero input size; [`Error::NonFinite`] for a NaN or
    /// infinite value (index into θ).
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::prelude::*;
    /// use recurrent::cell::Lstm;
    /// // I = 1, H = 1: rows are the gates i, f, g, o
    /// let w_ih = DMatrix::from_row_slice(4, 1, &[0.1, 0.2, 0.3, 0.4]);
    /// let w_hh = DMatrix::from_row_slice(4, 1, &[0.5, 0.6, 0.7, 0.8]);
    /// let lstm = Lstm::<f64>::from_pytorch(w_ih.as_view(), w_hh.as_view(), &[0.0; 4], &[0.0; 4])?;
    /// let x = Sequence::new(DMatrix::from_element(1, 1, 1.0), 1)?;
    /// let h = lstm.run(&x, None)?.outputs.as_matrix()[(0, 0)];
    /// let s = |z: f64| 1.0 / (1.0 + (-z).exp());
    /// let c = s(0.1) * 0.3f64.tanh();
    /// assert!((h - s(0.4) * c.tanh()).abs() < 1e-15);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_pytorch(
        weight_ih: DMatrixView<'_, T>,
        weight_hh: DMatrixView<'_, T>,
        bias_ih: &[T],
        bias_hh: &[T],
    ) -> Result<Self> {
        let (i, h, theta) = theta_from_pytorch(
            "Lstm::from_pytorch",
            4,
            weight_ih,
            weight_hh,
            bias_ih,
            bias_hh,
        )?;
        Net::new(LstmCell::new(i, h)?, theta)
    }

    /// Number of hidden units `H`.
    pub fn n_hidden(&self) -> usize {
        self.cell().n_hidden
    }

    /// `weight_ih`, `4H × I` (gates i, f, g, o stacked).
    pub fn weight_ih(&self) -> DMatrixView<'_, T> {
        let c = self.cell();
        DMatrixView::from_slice(c.blocks(self.params())[0], 4 * c.n_hidden, c.n_input)
    }

    /// `weight_hh`, `4H × H`.
    pub fn weight_hh(&self) -> DMatrixView<'_, T> {
        let c = self.cell();
        DMatrixView::from_slice(c.blocks(self.params())[1], 4 * c.n_hidden, c.n_hidden)
    }

    /// `bias_ih`, `4H`.
    pub fn bias_ih(&self) -> &[T] {
        self.cell().blocks(self.params())[2]
    }

    /// `bias_hh`, `4H`.
    pub fn bias_hh(&self) -> &[T] {
        self.cell().blocks(self.params())[3]
    }
}

/// Buffers of the LSTM's fused backward schedule, kept in the trace's workspace.
#[derive(Debug)]
struct LstmWork<T: Real> {
    /// `∂L/∂(gate pre-activations)` for every step, `4H × T·B`.
    dz: DMatrix<T>,
    /// `W_hh` packed for the forward steps, `W_hhᵀ` packed for the backward steps.
    w_hh_p: ops::PackedMatrix<T>,
    w_hh_t: ops::PackedMatrix<T>,
    /// `W_ihᵀ` (`I × 4H`), `Xᵀ` (`T·B × I`), `[h⟨0⟩ … h⟨T−1⟩]ᵀ` (`T·B × H`).
    w_ih_t: DMatrix<T>,
    x_t: DMatrix<T>,
    h_t: DMatrix<T>,
}

impl<T: Real> Default for LstmWork<T> {
    fn default() -> Self {
        Self {
            dz: DMatrix::zeros(0, 0),
            w_hh_p: ops::PackedMatrix::new(),
            w_hh_t: ops::PackedMatrix::new(),
            w_ih_t: DMatrix::zeros(0, 0),
            x_t: DMatrix::zeros(0, 0),
            h_t: DMatrix::zeros(0, 0),
        }
    }
}

impl<T: Real> Cell for LstmCell<T> {
    type Scalar = T;

    fn n_input(&self) -> usize {
        self.n_input
    }

    fn n_state(&self) -> usize {
        2 * self.n_hidden
    }

    fn n_output(&self) -> usize {
        self.n_hidden
    }

    fn param_blocks(&self) -> Vec<ParamBlock> {
        let (i, h) = (self.n_input, self.n_hidden);
        ParamBlock::layout(&[
            ("weight_ih", 4 * h, i),
            ("weight_hh", 4 * h, h),
            ("bias_ih", 4 * h, 1),
            ("bias_hh", 4 * h, 1),
        ])
    }

    fn n_params(&self) -> usize {
        self.block_lens().iter().sum()
    }

    fn n_cache(&self) -> usize {
        5 * self.n_hidden
    }

    fn n_scratch(&self) -> usize {
        4 * self.n_hidden
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
        cache.rows_mut(0, 4 * h).gemm(
            T::one(),
            &DMatrixView::from_slice(w_ih, 4 * h, i),
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
        mut d_prev: DMatrixViewMut<'_, T>,
        d_input: Option<DMatrixViewMut<'_, T>>,
        grad: &mut [T],
        mut scratch: DMatrixViewMut<'_, T>,
    ) {
        let (i, h) = (self.n_input, self.n_hidden);
        let [w_ih, w_hh, _, _] = self.blocks(theta);
        let mut dz = scratch.rows_mut(0, 4 * h);
        self.gate_grads(
            step.prev,
            step.cache,
            d_state,
            d_output,
            dz.as_view_mut(),
            &mut d_prev,
        );
        set_tr_product(d_prev.rows_mut(0, h), w_hh, None, dz.as_view());
        if let Some(dx) = d_input {
            set_tr_product(dx, w_ih, None, dz.as_view());
        }
        let [g_ih, g_hh, g_bih, g_bhh] = ops::blocks_mut(grad, self.block_lens());
        ops::add_outer(
            DMatrixViewMut::from_slice(g_ih, 4 * h, i),
            dz.as_view(),
            step.x,
        );
        ops::add_outer(
            DMatrixViewMut::from_slice(g_hh, 4 * h, h),
            dz.as_view(),
            step.prev.rows(0, h),
        );
        ops::add_row_sums(g_bih, dz.as_view());
        ops::add_row_sums(g_bhh, dz.as_view());
    }

    /// `W_ih·X` for all steps as one product into the cache, then per step only the
    /// recurrent product and the element-wise gate maths.
    fn forward_seq(&self, theta: &[T], xs: &Sequence<T>, trace: &mut Trace<T>) {
        let (b, steps, i, h) = (trace.batch(), trace.steps(), self.n_input, self.n_hidden);
        let n = 2 * h;
        let [w_ih, w_hh, b_ih, b_hh] = self.blocks(theta);
        let (parts, work) = trace.parts_and_workspace_mut::<LstmWork<T>>();
        let packed = if b > FEW_COLUMNS {
            work.w_hh_p.pack(DMatrixView::from_slice(w_hh, 4 * h, h));
            Some(&work.w_hh_p)
        } else {
            None
        };
        parts.cache.rows_mut(0, 4 * h).gemm(
            T::one(),
            &DMatrixView::from_slice(w_ih, 4 * h, i),
            xs.as_matrix(),
            T::zero(),
        );
        for t in 0..steps {
            let (head, tail) = parts.states.as_mut_slice().split_at_mut((t + 1) * n * b);
            let prev = DMatrixView::from_slice(&head[t * n * b..], n, b);
            let state = DMatrixViewMut::from_slice(&mut tail[..n * b], n, b);
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

    /// Per step only the gate maths and `W_hhᵀ·δz`; the weight gradients as one product each
    /// over all `T·B` columns (with contiguous transposed copies kept in the workspace).
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
        let (n, tb) = (2 * h, steps * b);
        let [w_ih, w_hh, _, _] = self.blocks(theta);
        let (parts, work) = trace.parts_and_workspace_mut::<LstmWork<T>>();
        if work.dz.shape() != (4 * h, tb) {
            work.dz = DMatrix::zeros(4 * h, tb);
        }
        let wide = b > FEW_COLUMNS;
        if wide {
            work.w_hh_t
                .pack_transposed(DMatrixView::from_slice(w_hh, 4 * h, h));
        }
        for t in (0..steps).rev() {
            let (head, tail) = parts.d_states.as_mut_slice().split_at_mut((t + 1) * n * b);
            let mut d_prev = DMatrixViewMut::from_slice(&mut head[t * n * b..], n, b);
            let d_state = DMatrixView::from_slice(&tail[..n * b], n, b);
            let mut dz = work.dz.columns_mut(t * b, b);
            self.gate_grads(
                parts.states.columns(t * b, b),
                parts.cache.columns(t * b, b),
                d_state,
                d_outputs.columns(t * b, b),
                dz.as_view_mut(),
                &mut d_prev,
            );
            set_tr_product(
                d_prev.rows_mut(0, h),
                w_hh,
                wide.then_some(&work.w_hh_t),
                dz.as_view(),
            );
        }
        let [g_ih, g_hh, g_bih, g_bhh] = ops::blocks_mut(grad, self.block_lens());
        transpose_into(&mut work.x_t, xs.as_matrix().as_view());
        transpose_into(&mut work.h_t, parts.states.view((0, 0), (h, tb)));
        DMatrixViewMut::from_slice(g_ih, 4 * h, i).gemm(T::one(), &work.dz, &work.x_t, T::one());
        DMatrixViewMut::from_slice(g_hh, 4 * h, h).gemm(T::one(), &work.dz, &work.h_t, T::one());
        ops::add_row_sums(g_bih, work.dz.as_view());
        ops::add_row_sums(g_bhh, work.dz.as_view());
        if let Some(mut dx) = d_inputs {
            transpose_into(&mut work.w_ih_t, DMatrixView::from_slice(w_ih, 4 * h, i));
            dx.gemm(T::one(), &work.w_ih_t, &work.dz, T::zero());
        }
    }
}
