//! The Elman (1990) simple recurrent network.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::init::Init;
use crate::kernel::{
    FEW_COLUMNS, Packed, add_outer, add_row_sums, add_to_columns, gemm_nt, gemm_tn, matvec_add,
};
use crate::net::Net;
use crate::scalar::{Real, lit};
use crate::sequence::Sequence;
use crate::traits::{Cell, Layout, ParamBlock, Parameters, Step};
use crate::unroll::Trace;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use rand::Rng;

/// Elman's simple recurrent network, a [`Net`] of an [`ElmanCell`] and its parameters: the
/// context layer is a copy of the hidden layer one step back. In the lecture's notation, with hidden activation `f` and output activation `g`,
///
/// `a⟨t⟩ = f(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a)`, `y⟨t⟩ = g(W_ya a⟨t⟩ + b_y)`.
///
/// Shapes: `W_ax` is `n_hidden × n_input`, `W_aa` is `n_hidden × n_hidden`, `b_a` is
/// `n_hidden`, `W_ya` is `n_output × n_hidden`, `b_y` is `n_output`. The state is `a`
/// (`n_state = n_hidden`). The flat parameter vector holds, in order and column-major,
/// `w_ax, w_aa, b_a, w_ya, b_y`.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::activation::Activation;
/// use recurrent::init::Init;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
/// let net = Elman::<f64>::builder(3, 16, 2)
///     .hidden(Activation::Tanh)
///     .output(Activation::Softmax)
///     .recurrent_init(Init::SpectralRadius(0.9))
///     .build(&mut rng)?;
/// assert_eq!(net.n_params(), 16 * 3 + 16 * 16 + 16 + 2 * 16 + 2);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Complexity
///
/// One step costs `O(B·N·(N + n_input + n_output))` for `N` hidden units and a batch of `B`.
/// The sequence schedule ([`Cell::forward_seq`], [`Cell::backward_seq`]) does the input and
/// output projections and all weight gradients as single matrix products over all `T·B`
/// columns; only the `W_aa` products stay inside the time loop.
///
/// # References
///
/// [^1]: J. L. Elman (1990), "Finding structure in time", Cognitive Science 14(2), 179–211.
pub type Elman<T> = Net<ElmanCell<T>>;

/// The maths of [`Elman`]'s step, `a⟨t⟩ = f(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a)`,
/// `y⟨t⟩ = g(W_ya a⟨t⟩ + b_y)`, with θ handed in as `w_ax, w_aa, b_a, w_ya, b_y`
/// (column-major, in that order).
///
/// Build one through [`Elman::builder`]; as a part of a [`crate::net::Stack`] with a head
/// behind it, give it `n_output = n_hidden` and an identity output (its output then is the
/// hidden layer through `W_ya`, which the head can read).
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let net = Elman::<f32>::builder(3, 8, 2).build(&mut rng)?;
/// let cell: &recurrent::cell::ElmanCell<f32> = net.cell();
/// assert_eq!((cell.n_input(), cell.n_hidden(), cell.n_output()), (3, 8, 2));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "ElmanCellData<T>"))]
pub struct ElmanCell<T: Real> {
    n_input: usize,
    n_hidden: usize,
    n_output: usize,
    hidden: Activation,
    output: Activation,
    initial_context: T,
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct ElmanCellData<T: Real> {
    n_input: usize,
    n_hidden: usize,
    n_output: usize,
    hidden: Activation,
    output: Activation,
    initial_context: T,
}

#[cfg(feature = "serde")]
impl<T: Real> TryFrom<ElmanCellData<T>> for ElmanCell<T> {
    type Error = Error;
    fn try_from(d: ElmanCellData<T>) -> Result<Self> {
        ElmanCell::new(
            d.n_input,
            d.n_hidden,
            d.n_output,
            d.hidden,
            d.output,
            d.initial_context,
        )
    }
}

/// Configures and builds an [`Elman`] network.
///
/// | name | default | purpose | range |
/// |---|---|---|---|
/// | `hidden` | `Tanh` | hidden activation `f` | any [`Activation`] |
/// | `output` | `Identity` | output activation `g` | any [`Activation`] |
/// | `input_init` | `Xavier` | `W_ax` | any [`Init`] |
/// | `recurrent_init` | `Xavier` | `W_aa` | any [`Init`] (square ones allowed) |
/// | `output_init` | `Xavier` | `W_ya` | any [`Init`] |
/// | `initial_context` | `0.0` | value of every unit of `a⟨0⟩` (Elman used 0.5) | finite |
///
/// Biases start at zero.
///
/// # Errors
///
/// [`ElmanBuilder::build`] returns [`Error::InvalidParameter`] for a zero size, a non-finite
/// initial context, or an initialiser that cannot fill its matrix.
///
/// # Examples
///
/// ```
/// use recurrent::Elman;
/// use recurrent::activation::Activation;
/// use recurrent::init::Init;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// // Elman (1990)'s settings: sigmoid units, a context that starts at 0.5
/// let net = Elman::<f64>::builder(6, 20, 6)
///     .hidden(Activation::Sigmoid)
///     .output(Activation::Sigmoid)
///     .recurrent_init(Init::Uniform { limit: 0.5 })
///     .initial_context(0.5)
///     .build(&mut rng)?;
/// assert_eq!((net.n_hidden(), net.hidden_activation()), (20, Activation::Sigmoid));
/// // every check happens in `build`
/// assert!(Elman::<f64>::builder(6, 0, 6).build(&mut rng).is_err());
/// assert!(Elman::<f64>::builder(6, 4, 6).initial_context(f64::NAN).build(&mut rng).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ElmanBuilder<T: Real> {
    scalar: std::marker::PhantomData<T>,
    n_input: usize,
    n_hidden: usize,
    n_output: usize,
    hidden: Activation,
    output: Activation,
    input_init: Init,
    recurrent_init: Init,
    output_init: Init,
    initial_context: f64,
}

impl<T: Real> ElmanBuilder<T> {
    /// Hidden activation `f`.
    pub fn hidden(mut self, f: Activation) -> Self {
        self.hidden = f;
        self
    }

    /// Output activation `g`.
    pub fn output(mut self, g: Activation) -> Self {
        self.output = g;
        self
    }

    /// Initialiser of `W_ax`.
    pub fn input_init(mut self, init: Init) -> Self {
        self.input_init = init;
        self
    }

    /// Initialiser of `W_aa`.
    pub fn recurrent_init(mut self, init: Init) -> Self {
        self.recurrent_init = init;
        self
    }

    /// Initialiser of `W_ya`.
    pub fn output_init(mut self, init: Init) -> Self {
        self.output_init = init;
        self
    }

    /// Value of every unit of the initial context `a⟨0⟩`.
    pub fn initial_context(mut self, value: f64) -> Self {
        self.initial_context = value;
        self
    }

    /// Draws the weights with `rng` and builds the network.
    ///
    /// # Errors
    ///
    /// See [`ElmanBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let net = Elman::<f32>::builder(3, 8, 2).build(&mut rng)?;
    /// assert_eq!(net.n_params(), 8 * 3 + 8 * 8 + 8 + 2 * 8 + 2);
    /// assert!(net.b_a().iter().all(|b| *b == 0.0)); // biases start at zero
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn build<R: Rng + ?Sized>(self, rng: &mut R) -> Result<Elman<T>> {
        let cell = ElmanCell::new(
            self.n_input,
            self.n_hidden,
            self.n_output,
            self.hidden,
            self.output,
            lit(self.initial_context),
        )?;
        let (i, n, o) = (self.n_input, self.n_hidden, self.n_output);
        let mut params = crate::error::try_zeroed::<T>("Elman", cell.n_params())?;
        let [w_ax, w_aa, _, w_ya, _] = cell.layout().split_mut(&mut params);
        self.input_init
            .fill(DMatrixViewMut::from_slice(w_ax, n, i), rng)?;
        self.recurrent_init
            .fill(DMatrixViewMut::from_slice(w_aa, n, n), rng)?;
        self.output_init
            .fill(DMatrixViewMut::from_slice(w_ya, o, n), rng)?;
        Net::new(cell, params)
    }
}

impl<T: Real> ElmanCell<T> {
    /// The cell with its sizes and activations.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a zero size, a parameter count that overflows, or a
    /// non-finite initial context.
    pub fn new(
        n_input: usize,
        n_hidden: usize,
        n_output: usize,
        hidden: Activation,
        output: Activation,
        initial_context: T,
    ) -> Result<Self> {
        let (i, n, o) = (n_input, n_hidden, n_output);
        for (name, v) in [("n_input", i), ("n_hidden", n), ("n_output", o)] {
            if v == 0 {
                return Err(Error::invalid(name, "must be at least 1"));
            }
        }
        if !initial_context.is_finite() {
            return Err(Error::invalid("initial_context", "must be finite"));
        }
        crate::error::checked_len("Elman", &[(n, i), (n, n), (n, 1), (o, n), (o, 1)])?;
        Ok(Self {
            n_input,
            n_hidden,
            n_output,
            hidden,
            output,
            initial_context,
        })
    }

    /// Number of hidden units `N`.
    pub fn n_hidden(&self) -> usize {
        self.n_hidden
    }

    /// The hidden activation `f`.
    pub fn hidden_activation(&self) -> Activation {
        self.hidden
    }

    /// The output activation `g`.
    pub fn output_activation(&self) -> Activation {
        self.output
    }

    /// The parameter blocks, in storage order.
    fn layout(&self) -> Layout<5> {
        let (i, n, o) = (self.n_input, self.n_hidden, self.n_output);
        Layout::new([
            ("w_ax", n, i),
            ("w_aa", n, n),
            ("b_a", n, 1),
            ("w_ya", o, n),
            ("b_y", o, 1),
        ])
    }

    fn blocks<'a>(&self, theta: &'a [T]) -> [&'a [T]; 5] {
        self.layout().split(theta)
    }
}

impl<T: Real> Elman<T> {
    /// Starts configuring a network with the given sizes; see [`ElmanBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let net = Elman::<f64>::builder(2, 16, 1).build(&mut rng)?;
    /// assert_eq!((net.cell().n_input(), net.n_hidden(), net.cell().n_output()), (2, 16, 1));
    /// assert_eq!(net.w_aa().shape(), (16, 16));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn builder(n_input: usize, n_hidden: usize, n_output: usize) -> ElmanBuilder<T> {
        ElmanBuilder {
            scalar: std::marker::PhantomData,
            n_input,
            n_hidden,
            n_output,
            hidden: Activation::Tanh,
            output: Activation::Identity,
            input_init: Init::Xavier,
            recurrent_init: Init::Xavier,
            output_init: Init::Xavier,
            initial_context: 0.0,
        }
    }

    /// Number of hidden units `N`.
    pub fn n_hidden(&self) -> usize {
        self.cell().n_hidden
    }

    /// The hidden activation `f`.
    pub fn hidden_activation(&self) -> Activation {
        self.cell().hidden
    }

    /// The output activation `g`.
    pub fn output_activation(&self) -> Activation {
        self.cell().output
    }

    fn blocks(&self) -> [&[T]; 5] {
        self.cell().blocks(self.params())
    }

    /// `W_ax`, `n_hidden × n_input`.
    pub fn w_ax(&self) -> DMatrixView<'_, T> {
        let c = self.cell();
        DMatrixView::from_slice(self.blocks()[0], c.n_hidden, c.n_input)
    }

    /// `W_aa`, `n_hidden × n_hidden`.
    pub fn w_aa(&self) -> DMatrixView<'_, T> {
        let c = self.cell();
        DMatrixView::from_slice(self.blocks()[1], c.n_hidden, c.n_hidden)
    }

    /// `b_a`, `n_hidden × 1`.
    pub fn b_a(&self) -> DMatrixView<'_, T> {
        DMatrixView::from_slice(self.blocks()[2], self.cell().n_hidden, 1)
    }

    /// `W_ya`, `n_output × n_hidden`.
    pub fn w_ya(&self) -> DMatrixView<'_, T> {
        let c = self.cell();
        DMatrixView::from_slice(self.blocks()[3], c.n_output, c.n_hidden)
    }

    /// `b_y`, `n_output × 1`.
    pub fn b_y(&self) -> DMatrixView<'_, T> {
        DMatrixView::from_slice(self.blocks()[4], self.cell().n_output, 1)
    }

    /// `W_aa`, mutably (e.g. to rescale its spectral radius).
    pub fn w_aa_mut(&mut self) -> DMatrixViewMut<'_, T> {
        let (n, layout) = (self.cell().n_hidden, self.cell().layout());
        let [_, w_aa, _, _, _] = layout.split_mut(self.params_mut());
        DMatrixViewMut::from_slice(w_aa, n, n)
    }
}

/// Buffers of Elman's fused backward schedule, kept in the trace's workspace.
#[derive(Debug)]
struct ElmanWork<T: Real> {
    dzy: DMatrix<T>,
    dz: DMatrix<T>,
    /// `W_aa` packed for the forward steps, `W_aaᵀ` for the backward steps (once per call).
    w_aa_p: Packed<T>,
    w_aa_t: Packed<T>,
}

impl<T: Real> Default for ElmanWork<T> {
    fn default() -> Self {
        Self {
            dzy: DMatrix::zeros(0, 0),
            dz: DMatrix::zeros(0, 0),
            w_aa_p: Packed::default(),
            w_aa_t: Packed::default(),
        }
    }
}

impl<T: Real> Cell for ElmanCell<T> {
    type Scalar = T;

    fn n_input(&self) -> usize {
        self.n_input
    }

    fn n_state(&self) -> usize {
        self.n_hidden
    }

    fn n_output(&self) -> usize {
        self.n_output
    }

    fn param_blocks(&self) -> Vec<ParamBlock> {
        self.layout().blocks()
    }

    fn n_params(&self) -> usize {
        self.layout().len()
    }

    fn n_scratch(&self) -> usize {
        self.n_output + self.n_hidden
    }

    fn initial_state(&self, batch: usize) -> DMatrix<T> {
        DMatrix::from_element(self.n_hidden, batch, self.initial_context)
    }

    fn step(
        &self,
        theta: &[T],
        x: DMatrixView<'_, T>,
        prev: DMatrixView<'_, T>,
        mut state: DMatrixViewMut<'_, T>,
        mut output: DMatrixViewMut<'_, T>,
        _cache: DMatrixViewMut<'_, T>,
    ) {
        let (i, n, o) = (self.n_input, self.n_hidden, self.n_output);
        let [w_ax, w_aa, b_a, w_ya, b_y] = self.blocks(theta);
        // Same summation order as `forward_seq`: (W_ax x + b_a) + W_aa a⟨t−1⟩.
        state.gemm(
            T::one(),
            &DMatrixView::from_slice(w_ax, n, i),
            &x,
            T::zero(),
        );
        add_to_columns(state.as_view_mut(), b_a);
        state.gemm(
            T::one(),
            &DMatrixView::from_slice(w_aa, n, n),
            &prev,
            T::one(),
        );
        self.hidden.apply(state.as_view_mut());
        output.gemm(
            T::one(),
            &DMatrixView::from_slice(w_ya, o, n),
            &state,
            T::zero(),
        );
        add_to_columns(output.as_view_mut(), b_y);
        self.output.apply(output);
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
        let (n, o, i) = (self.n_hidden, self.n_output, self.n_input);
        let [w_ax, w_aa, _, w_ya, _] = self.blocks(theta);
        let (mut dzy, mut dz) = scratch.rows_range_pair_mut(0..o, o..o + n);
        // ∂L/∂(W_ya a + b_y)
        dzy.copy_from(&d_output);
        self.output.backward(step.output, dzy.as_view_mut());
        // ∂L/∂a⟨t⟩ = d_state + W_yaᵀ dzy, then through f
        dz.copy_from(&d_state);
        dz.gemm_tr(
            T::one(),
            &DMatrixView::from_slice(w_ya, o, n),
            &dzy,
            T::one(),
        );
        self.hidden.backward(step.state, dz.as_view_mut());
        gemm_tn(d_prev, T::one(), w_aa, n, n, dz.as_view(), T::zero());
        if let Some(dx) = d_input {
            gemm_tn(dx, T::one(), w_ax, n, i, dz.as_view(), T::zero());
        }
        let [g_wax, g_waa, g_ba, g_wya, g_by] = self.layout().split_mut(grad);
        add_outer(
            &mut DMatrixViewMut::from_slice(g_wax, n, i),
            dz.as_view(),
            step.x,
        );
        add_outer(
            &mut DMatrixViewMut::from_slice(g_waa, n, n),
            dz.as_view(),
            step.prev,
        );
        add_row_sums(g_ba, dz.as_view());
        add_outer(
            &mut DMatrixViewMut::from_slice(g_wya, o, n),
            dzy.as_view(),
            step.state,
        );
        add_row_sums(g_by, dzy.as_view());
    }

    /// Closed form: with `D = ∂a⟨t⟩/∂z⟨t⟩` (`diag(f′)` for an element-wise `f`, `diag(a) − a aᵀ`
    /// for softmax), `J = D·W_aa`, and the immediate parameter Jacobian is zero for `W_ya`,
    /// `b_y` and, per column `j` of `[W_ax | W_aa | b_a]`, the block `z_j·D` with
    /// `z = [x⟨t⟩; a⟨t−1⟩; 1]` (only its diagonal for an element-wise `f`). `O(N·P)` to write
    /// instead of the `N` vector–Jacobian products of the default.
    fn jacobians(
        &self,
        theta: &[T],
        step: Step<'_, T>,
        mut j_state: DMatrixViewMut<'_, T>,
        mut j_params: DMatrixViewMut<'_, T>,
        work: &mut Vec<T>,
    ) {
        let (n, i) = (self.n_hidden, self.n_input);
        let w_aa = DMatrixView::from_slice(self.blocks(theta)[1], n, n);
        let z = |j: usize| {
            if j < i {
                step.x[(j, 0)]
            } else if j < i + n {
                step.prev[(j - i, 0)]
            } else {
                T::one()
            }
        };
        for mut col in j_params.column_iter_mut() {
            col.as_mut_slice().fill(T::zero()); // a contiguous column: a memset
        }
        work.clear();
        if self.hidden.is_elementwise() {
            // f′ as the backward pass of a column of ones
            work.resize(n, T::one());
            self.hidden
                .backward(step.state, DMatrixViewMut::from_slice(work, n, 1));
            let d = &work[..];
            for c in 0..n {
                for r in 0..n {
                    j_state[(r, c)] = d[r] * w_aa[(r, c)];
                }
            }
            for j in 0..i + n + 1 {
                let zj = z(j);
                for (r, dr) in d.iter().enumerate() {
                    j_params[(r, j * n + r)] = *dr * zj;
                }
            }
        } else {
            work.resize(n * n, T::zero());
            let mut d = DMatrixViewMut::from_slice(work, n, n);
            for k in 0..n {
                d[(k, k)] = T::one();
                self.hidden.backward(step.state, d.columns_mut(k, 1));
            }
            j_state.gemm(T::one(), &d, &w_aa, T::zero());
            for j in 0..i + n + 1 {
                let mut block = j_params.columns_mut(j * n, n);
                block.copy_from(&d);
                block.scale_mut(z(j));
            }
        }
    }

    /// Input projection for all steps in one product, then only `W_aa a⟨t−1⟩` per step, then
    /// the read-out for all steps in one product.
    fn forward_seq(&self, theta: &[T], xs: &Sequence<T>, trace: &mut Trace<T>) {
        let (b, steps, n, i, o) = (
            trace.batch(),
            trace.steps(),
            self.n_hidden,
            self.n_input,
            self.n_output,
        );
        let tb = steps * b;
        let [w_ax, w_aa_s, b_a, w_ya, b_y] = self.blocks(theta);
        let (parts, work) = trace.parts_and_workspace_mut::<ElmanWork<T>>();
        if b > FEW_COLUMNS {
            work.w_aa_p
                .pack(DMatrixView::from_slice(w_aa_s, n, n), false);
        }
        let states = parts.states;
        let mut z = states.columns_mut(b, tb);
        z.gemm(
            T::one(),
            &DMatrixView::from_slice(w_ax, n, i),
            xs.as_matrix(),
            T::zero(),
        );
        add_to_columns(z, b_a);
        for t in 0..steps {
            let (head, tail) = states.as_mut_slice().split_at_mut((t + 1) * n * b);
            let mut state = DMatrixViewMut::from_slice(&mut tail[..n * b], n, b);
            let prev = DMatrixView::from_slice(&head[t * n * b..], n, b);
            if b <= FEW_COLUMNS {
                for (mut sj, pj) in state.column_iter_mut().zip(prev.column_iter()) {
                    matvec_add(sj.as_mut_slice(), w_aa_s, pj.as_slice());
                }
            } else {
                work.w_aa_p.gemm_acc(state.as_view_mut(), prev);
            }
            self.hidden.apply(state);
        }
        let mut y = parts.outputs.columns_mut(0, tb);
        y.gemm(
            T::one(),
            &DMatrixView::from_slice(w_ya, o, n),
            &states.columns(b, tb),
            T::zero(),
        );
        add_to_columns(y.as_view_mut(), b_y);
        self.output.apply(y);
    }

    /// Read-out and weight gradients as single products over all `T·B` columns; only
    /// `W_aaᵀ ∂L/∂z⟨t⟩` runs per step.
    fn backward_seq(
        &self,
        theta: &[T],
        xs: &Sequence<T>,
        d_outputs: DMatrixView<'_, T>,
        trace: &mut Trace<T>,
        grad: &mut [T],
        d_inputs: Option<DMatrixViewMut<'_, T>>,
    ) {
        let (b, steps, n, o, i) = (
            trace.batch(),
            trace.steps(),
            self.n_hidden,
            self.n_output,
            self.n_input,
        );
        let tb = steps * b;
        let [w_ax, w_aa, _, w_ya, _] = self.blocks(theta);
        let (parts, work) = trace.parts_and_workspace_mut::<ElmanWork<T>>();
        let (states, outputs, d_states) = (parts.states, parts.outputs, parts.d_states);
        if work.dzy.shape() != (o, tb) || work.dz.shape() != (n, tb) {
            work.dzy = DMatrix::zeros(o, tb);
            work.dz = DMatrix::zeros(n, tb);
        }
        let ElmanWork {
            dzy, dz, w_aa_t, ..
        } = work;
        // W_aaᵀ packed once per call: the per-step products reuse it
        if b > FEW_COLUMNS {
            w_aa_t.pack(DMatrixView::from_slice(w_aa, n, n), true);
        }
        dzy.copy_from(&d_outputs);
        self.output.backward(outputs.as_view(), dzy.as_view_mut());
        // ∂L/∂a⟨t⟩ through the read-out, for every step at once
        gemm_tn(
            dz.as_view_mut(),
            T::one(),
            w_ya,
            o,
            n,
            dzy.as_view(),
            T::zero(),
        );
        let [g_wax, g_waa, g_ba, g_wya, g_by] = self.layout().split_mut(grad);
        let s = states.as_slice();
        gemm_nt(
            DMatrixViewMut::from_slice(g_wya, o, n),
            T::one(),
            dzy.as_view(),
            &s[b * n..],
            n,
            T::one(),
        );
        add_row_sums(g_by, dzy.as_view());
        for t in (0..steps).rev() {
            let (head, tail) = d_states.as_mut_slice().split_at_mut((t + 1) * n * b);
            let d_prev = DMatrixViewMut::from_slice(&mut head[t * n * b..], n, b);
            let d_state = DMatrixView::from_slice(&tail[..n * b], n, b);
            let mut dz_t = dz.columns_mut(t * b, b);
            dz_t.zip_apply(&d_state, |a, d| *a += d);
            self.hidden
                .backward(states.columns((t + 1) * b, b), dz_t.as_view_mut());
            if b <= FEW_COLUMNS {
                gemm_tn(d_prev, T::one(), w_aa, n, n, dz_t.as_view(), T::zero());
            } else {
                let mut d_prev = d_prev;
                d_prev.fill(T::zero());
                w_aa_t.gemm_acc(d_prev, dz_t.as_view());
            }
        }
        gemm_nt(
            DMatrixViewMut::from_slice(g_waa, n, n),
            T::one(),
            dz.as_view(),
            &s[..tb * n],
            n,
            T::one(),
        );
        gemm_nt(
            DMatrixViewMut::from_slice(g_wax, n, i),
            T::one(),
            dz.as_view(),
            xs.as_matrix().as_slice(),
            i,
            T::one(),
        );
        add_row_sums(g_ba, dz.as_view());
        if let Some(dx) = d_inputs {
            gemm_tn(dx, T::one(), w_ax, n, i, dz.as_view(), T::zero());
        }
    }
}
