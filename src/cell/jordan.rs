//! The Jordan (1986) network: output fed back into decaying state units.

use crate::activation::Activation;
use crate::error::{Error, Result, check_shape};
use crate::init::Init;
use crate::kernel::{add_outer, add_row_sums, add_to_columns};
use crate::net::Net;
use crate::scalar::{Real, lit};
use crate::sequence::Sequence;
use crate::traits::{Cell, Layout, ParamBlock, Step};
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use rand::Rng;

/// What feeds the state units of a [`Jordan`] network.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// use recurrent::cell::Feedback;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let mut net = Jordan::<f64>::builder(1, 4, 1).feedback(Feedback::Teacher).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_element(1, 6, 1.0), 1)?;
/// let d = Sequence::new(DMatrix::from_element(1, 6, 0.5), 1)?;
/// // teacher forcing: each input column is [x⟨t⟩; d⟨t−1⟩]
/// let xt = net.teacher_inputs(&x, &d)?;
/// assert_eq!(xt.dim(), 2);
/// assert_eq!(net.n_external_input(), 1);
/// // free running after training: the network reads its own output back
/// net.set_feedback(Feedback::Output);
/// assert_eq!(net.feedback(), Feedback::Output);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Feedback {
    /// The network's own previous output `y⟨t−1⟩` (free running, generation).
    Output,
    /// The previous *target* `d⟨t−1⟩` (teacher forcing, for training). The target is read from
    /// the input: each input column is `[x⟨t⟩; d⟨t−1⟩]`, built by [`Jordan::teacher_inputs`].
    Teacher,
}

/// Jordan's network, a [`Net`] of a [`JordanCell`] and its parameters: state units that
/// accumulate the output with self-decay μ,
///
/// `s⟨t⟩ = μ·s⟨t−1⟩ + y⟨t−1⟩`, `h⟨t⟩ = f(W_hx x⟨t⟩ + W_hs s⟨t⟩ + b_h)`,
/// `y⟨t⟩ = g(W_yh h⟨t⟩ + b_y)`,
///
/// with μ in `[0, 1)` (μ = 0 is the plain output-feedback network). Under
/// [`Feedback::Teacher`], `y⟨t−1⟩` is replaced by the target `d⟨t−1⟩`.
///
/// As a [`Cell`] the state is `[s⟨t⟩; y⟨t⟩]` (`n_state = 2·n_output`), so the feedback path
/// is differentiated like any recurrence. Shapes: `W_hx` is `n_hidden × n_input`, `W_hs` is
/// `n_hidden × n_output`, `b_h` is `n_hidden`, `W_yh` is `n_output × n_hidden`, `b_y` is
/// `n_output`; the flat parameters hold `w_hx, w_hs, b_h, w_yh, b_y` in that order, the same in
/// both feedback modes (train with teacher forcing, then [`Jordan::set_feedback`] to generate).
///
/// Jordan designed it for sequences of actions (motor control), where the state summarises
/// the recent outputs; for language Elman's hidden-state copy works better.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let net = Jordan::<f64>::builder(2, 8, 2).mu(0.5).build(&mut rng)?;
/// assert_eq!(net.n_state(), 4);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # References
///
/// [^1]: M. I. Jordan (1986), "Serial order: a parallel distributed processing approach",
///   ICS Report 8604, UC San Diego.
pub type Jordan<T> = Net<JordanCell<T>>;

/// The maths of [`Jordan`]'s step (see there), with θ handed in as
/// `w_hx, w_hs, b_h, w_yh, b_y`.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let net = Jordan::<f64>::builder(2, 8, 2).mu(0.5).build(&mut rng)?;
/// assert_eq!(net.cell().mu(), 0.5);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "JordanCellData<T>"))]
pub struct JordanCell<T: Real> {
    n_input: usize,
    n_hidden: usize,
    n_output: usize,
    hidden: Activation,
    output: Activation,
    mu: T,
    feedback: Feedback,
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct JordanCellData<T: Real> {
    n_input: usize,
    n_hidden: usize,
    n_output: usize,
    hidden: Activation,
    output: Activation,
    mu: T,
    feedback: Feedback,
}

#[cfg(feature = "serde")]
impl<T: Real> TryFrom<JordanCellData<T>> for JordanCell<T> {
    type Error = Error;
    fn try_from(d: JordanCellData<T>) -> Result<Self> {
        JordanCell::new(
            d.n_input,
            d.n_hidden,
            d.n_output,
            d.hidden,
            d.output,
            crate::scalar::to_f64(d.mu),
            d.feedback,
        )
    }
}

/// Configures and builds a [`Jordan`] network.
///
/// | name | default | purpose | range |
/// |---|---|---|---|
/// | `mu` | `0.0` | self-decay μ of the state units | `[0, 1)` |
/// | `feedback` | `Output` | what feeds the state units | [`Feedback`] |
/// | `hidden` | `Tanh` | hidden activation `f` | any [`Activation`] |
/// | `output` | `Identity` | output activation `g` | any [`Activation`] |
/// | `init` | `Xavier` | `W_hx`, `W_hs`, `W_yh` | any [`Init`] |
///
/// Biases start at zero.
///
/// # Errors
///
/// [`JordanBuilder::build`] returns [`Error::InvalidParameter`] for a zero size, μ outside
/// `[0, 1)`, or an initialiser that cannot fill its matrix.
///
/// # Examples
///
/// ```
/// use recurrent::Jordan;
/// use recurrent::cell::Feedback;
/// use recurrent::activation::Activation;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let net = Jordan::<f64>::builder(2, 10, 2)
///     .mu(0.5)
///     .feedback(Feedback::Teacher)
///     .hidden(Activation::Tanh)
///     .build(&mut rng)?;
/// assert_eq!((net.mu(), net.feedback()), (0.5, Feedback::Teacher));
/// assert!(Jordan::<f64>::builder(2, 10, 2).mu(1.0).build(&mut rng).is_err()); // μ in [0, 1)
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct JordanBuilder<T: Real> {
    scalar: std::marker::PhantomData<T>,
    n_input: usize,
    n_hidden: usize,
    n_output: usize,
    hidden: Activation,
    output: Activation,
    mu: f64,
    feedback: Feedback,
    init: Init,
}

impl<T: Real> JordanBuilder<T> {
    /// Self-decay μ of the state units.
    pub fn mu(mut self, mu: f64) -> Self {
        self.mu = mu;
        self
    }

    /// What feeds the state units.
    pub fn feedback(mut self, feedback: Feedback) -> Self {
        self.feedback = feedback;
        self
    }

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

    /// Initialiser of the weight matrices.
    pub fn init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }

    /// Draws the weights with `rng` and builds the network.
    ///
    /// # Errors
    ///
    /// See [`JordanBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let net = Jordan::<f32>::builder(3, 8, 2).mu(0.9).build(&mut rng)?;
    /// assert_eq!(net.cell().n_state(), 2 * 2); // [s; y]
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn build<R: Rng + ?Sized>(self, rng: &mut R) -> Result<Jordan<T>> {
        let cell = JordanCell::new(
            self.n_input,
            self.n_hidden,
            self.n_output,
            self.hidden,
            self.output,
            self.mu,
            self.feedback,
        )?;
        let (i, h, o) = (self.n_input, self.n_hidden, self.n_output);
        let mut params = crate::error::try_zeroed::<T>("Jordan", cell.n_params())?;
        let [w_hx, w_hs, _, w_yh, _] = cell.layout().split_mut(&mut params);
        self.init
            .fill(DMatrixViewMut::from_slice(w_hx, h, i), rng)?;
        self.init
            .fill(DMatrixViewMut::from_slice(w_hs, h, o), rng)?;
        self.init
            .fill(DMatrixViewMut::from_slice(w_yh, o, h), rng)?;
        Net::new(cell, params)
    }
}

impl<T: Real> JordanCell<T> {
    /// The cell with its sizes, activations, self-decay and feedback mode.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a zero size, a parameter count that overflows, or μ
    /// outside `[0, 1)`.
    pub fn new(
        n_input: usize,
        n_hidden: usize,
        n_output: usize,
        hidden: Activation,
        output: Activation,
        mu: f64,
        feedback: Feedback,
    ) -> Result<Self> {
        let (i, h, o) = (n_input, n_hidden, n_output);
        for (name, v) in [("n_input", i), ("n_hidden", h), ("n_output", o)] {
            if v == 0 {
                return Err(Error::invalid(name, "must be at least 1"));
            }
        }
        if !(0.0..1.0).contains(&mu) {
            return Err(Error::invalid("mu", format!("must be in [0, 1), got {mu}")));
        }
        if i.checked_add(o).is_none() {
            return Err(Error::invalid("n_input", "n_input + n_output overflows"));
        }
        crate::error::checked_len("Jordan", &[(h, i), (h, o), (h, 1), (o, h), (o, 1)])?;
        Ok(Self {
            n_input,
            n_hidden,
            n_output,
            hidden,
            output,
            mu: lit(mu),
            feedback,
        })
    }

    /// The self-decay μ.
    pub fn mu(&self) -> T {
        self.mu
    }

    /// The feedback mode.
    pub fn feedback(&self) -> Feedback {
        self.feedback
    }

    /// Number of hidden units.
    pub fn n_hidden(&self) -> usize {
        self.n_hidden
    }

    /// The parameter blocks, in storage order.
    fn layout(&self) -> Layout<5> {
        let (i, h, o) = (self.n_input, self.n_hidden, self.n_output);
        Layout::new([
            ("w_hx", h, i),
            ("w_hs", h, o),
            ("b_h", h, 1),
            ("w_yh", o, h),
            ("b_y", o, 1),
        ])
    }

    fn blocks<'a>(&self, theta: &'a [T]) -> [&'a [T]; 5] {
        self.layout().split(theta)
    }
}

impl<T: Real> Jordan<T> {
    /// Starts configuring a network with the given sizes; see [`JordanBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let net = Jordan::<f64>::builder(2, 6, 1).build(&mut rng)?;
    /// assert_eq!((net.cell().n_input(), net.cell().n_output()), (2, 1));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn builder(n_input: usize, n_hidden: usize, n_output: usize) -> JordanBuilder<T> {
        JordanBuilder {
            scalar: std::marker::PhantomData,
            n_input,
            n_hidden,
            n_output,
            hidden: Activation::Tanh,
            output: Activation::Identity,
            mu: 0.0,
            feedback: Feedback::Output,
            init: Init::Xavier,
        }
    }

    /// The self-decay μ.
    pub fn mu(&self) -> T {
        self.cell().mu
    }

    /// The current feedback mode.
    pub fn feedback(&self) -> Feedback {
        self.cell().feedback
    }

    /// Switches the feedback mode; the parameters are shared by both modes.
    pub fn set_feedback(&mut self, feedback: Feedback) {
        self.cell_mut().feedback = feedback;
    }

    /// Rows of the external input `x⟨t⟩` (without the teacher rows).
    pub fn n_external_input(&self) -> usize {
        self.cell().n_input
    }

    /// Builds the teacher-forcing inputs `[x⟨t⟩; d⟨t−1⟩]` (with `d⟨0⟩ = 0`) for
    /// [`Feedback::Teacher`].
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `xs` or `targets` do not fit the network or each other.
    pub fn teacher_inputs(&self, xs: &Sequence<T>, targets: &Sequence<T>) -> Result<Sequence<T>> {
        let (i, o) = (self.cell().n_input, self.cell().n_output);
        let (steps, b) = (xs.steps(), xs.batch());
        check_shape(
            "teacher_inputs",
            "inputs",
            (i, steps * b),
            xs.as_matrix().shape(),
        )?;
        check_shape(
            "teacher_inputs",
            "targets",
            (o, steps * b),
            targets.as_matrix().shape(),
        )?;
        let mut m = DMatrix::zeros(i + o, steps * b);
        m.rows_mut(0, i).copy_from(xs.as_matrix());
        if steps > 1 {
            m.view_mut((i, b), (o, (steps - 1) * b))
                .copy_from(&targets.as_matrix().columns(0, (steps - 1) * b));
        }
        Sequence::new(m, b)
    }
}

impl<T: Real> Cell for JordanCell<T> {
    type Scalar = T;

    fn param_blocks(&self) -> Vec<ParamBlock> {
        self.layout().blocks()
    }

    fn n_params(&self) -> usize {
        self.layout().len()
    }

    fn n_input(&self) -> usize {
        match self.feedback {
            Feedback::Output => self.n_input,
            Feedback::Teacher => self.n_input + self.n_output,
        }
    }

    fn n_state(&self) -> usize {
        2 * self.n_output
    }

    fn n_output(&self) -> usize {
        self.n_output
    }

    /// The hidden activations `h⟨t⟩`.
    fn n_cache(&self) -> usize {
        self.n_hidden
    }

    fn n_scratch(&self) -> usize {
        2 * self.n_output + self.n_hidden
    }

    fn step(
        &self,
        theta: &[T],
        x: DMatrixView<'_, T>,
        prev: DMatrixView<'_, T>,
        mut state: DMatrixViewMut<'_, T>,
        mut output: DMatrixViewMut<'_, T>,
        mut cache: DMatrixViewMut<'_, T>,
    ) {
        let (i, h, o) = (self.n_input, self.n_hidden, self.n_output);
        let [w_hx, w_hs, b_h, w_yh, b_y] = self.blocks(theta);
        let feedback = match self.feedback {
            Feedback::Output => prev.rows(o, o),
            Feedback::Teacher => x.rows(i, o),
        };
        let mu = self.mu;
        {
            let mut s = state.rows_mut(0, o);
            s.zip_zip_apply(&prev.rows(0, o), &feedback, |s, p, f| *s = mu * p + f);
        }
        cache.gemm(
            T::one(),
            &DMatrixView::from_slice(w_hx, h, i),
            &x.rows(0, i),
            T::zero(),
        );
        add_to_columns(cache.as_view_mut(), b_h);
        cache.gemm(
            T::one(),
            &DMatrixView::from_slice(w_hs, h, o),
            &state.rows(0, o),
            T::one(),
        );
        self.hidden.apply(cache.as_view_mut());
        output.gemm(
            T::one(),
            &DMatrixView::from_slice(w_yh, o, h),
            &cache,
            T::zero(),
        );
        add_to_columns(output.as_view_mut(), b_y);
        self.output.apply(output.as_view_mut());
        state.rows_mut(o, o).copy_from(&output);
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
        let (i, h, o) = (self.n_input, self.n_hidden, self.n_output);
        let [w_hx, w_hs, _, w_yh, _] = self.blocks(theta);
        let (mut dy_dh, mut ds) = scratch.rows_range_pair_mut(0..o + h, o + h..o + h + o);
        let (mut dy, mut dh) = dy_dh.rows_range_pair_mut(0..o, o..o + h);
        // y⟨t⟩ reaches the loss directly and through the next step's feedback.
        dy.copy_from(&d_output);
        dy += d_state.rows(o, o);
        self.output.backward(step.output, dy.as_view_mut());
        dh.gemm_tr(
            T::one(),
            &DMatrixView::from_slice(w_yh, o, h),
            &dy,
            T::zero(),
        );
        self.hidden.backward(step.cache, dh.as_view_mut());
        ds.copy_from(&d_state.rows(0, o));
        ds.gemm_tr(
            T::one(),
            &DMatrixView::from_slice(w_hs, h, o),
            &dh,
            T::one(),
        );
        let mu = self.mu;
        d_prev.rows_mut(0, o).zip_apply(&ds, |p, d| *p = mu * d);
        match self.feedback {
            Feedback::Output => d_prev.rows_mut(o, o).copy_from(&ds),
            Feedback::Teacher => d_prev.rows_mut(o, o).fill(T::zero()),
        }
        if let Some(mut dx) = d_input {
            // x⟨t⟩ reaches h through W_hx; under teacher forcing d⟨t−1⟩ reaches s with weight 1
            dx.rows_mut(0, i).gemm_tr(
                T::one(),
                &DMatrixView::from_slice(w_hx, h, i),
                &dh,
                T::zero(),
            );
            if self.feedback == Feedback::Teacher {
                dx.rows_mut(i, o).copy_from(&ds);
            }
        }
        let [g_hx, g_hs, g_bh, g_yh, g_by] = self.layout().split_mut(grad);
        add_outer(
            &mut DMatrixViewMut::from_slice(g_hx, h, i),
            dh.as_view(),
            step.x.rows(0, i),
        );
        add_outer(
            &mut DMatrixViewMut::from_slice(g_hs, h, o),
            dh.as_view(),
            step.state.rows(0, o),
        );
        add_row_sums(g_bh, dh.as_view());
        add_outer(
            &mut DMatrixViewMut::from_slice(g_yh, o, h),
            dy.as_view(),
            step.cache,
        );
        add_row_sums(g_by, dy.as_view());
    }
}
