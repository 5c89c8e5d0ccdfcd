//! A model of parts sharing one θ: embedding lookup → any cell → linear layer.

use super::Net;
use super::parts::{Linear, Lookup};
use crate::error::Result;
use crate::init::Init;
use crate::kernel::{add_outer, add_row_sums, add_to_columns, gemm_nt};
use crate::scalar::Real;
use crate::sequence::Sequence;
use crate::traits::{Cell, ParamBlock, Step};
use crate::unroll::Trace;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use num_traits::{One, Zero};
use rand::Rng;

/// A cell with an optional embedding [`Lookup`] in front and an optional [`Linear`] layer
/// behind, as one [`Cell`]:
///
/// `e⟨t⟩ = E[:, k⟨t⟩]`, `state⟨t⟩, h⟨t⟩ = cell_θc(state⟨t−1⟩, e⟨t⟩)`, `z⟨t⟩ = W·h⟨t⟩ + b`.
///
/// θ is `[embedding.table | cell.… | head.w, head.b]`: each part's blocks are shifted into
/// place and named `part.block` ([`Cell::param_blocks`]). The state is the cell's state, the
/// output the head's `z` (the cell's own output without a head), and the input one row of token
/// indices with a lookup (the cell's input without one). Wrapped in a [`Net`], every
/// algorithm trains the whole model as one vector; with a class-index loss on the logits
/// ([`crate::grad::Loss::softmax_cross_entropy`]) this is a word-level language model
/// (Mikolov et al. 2010).
///
/// The sequence schedule runs the lookup for all `T·B` columns at once, the cell's own
/// sequence schedule, then the head as **one** product over all steps (forward, and both the
/// input gradient and the weight gradient backward): with a vocabulary-sized head that product
/// is almost all of the work.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Loss, bptt};
/// use recurrent::net::{Linear, Lookup, Stack};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(4);
/// let cell = Elman::<f64>::builder(4, 6, 6).build(&mut rng)?;
/// let lm = Stack::builder(cell)
///     .lookup(Lookup::new(10, 4)?)
///     .head(Linear::new(6, 10)?)
///     .build(&mut rng)?;
/// // tokens 3 1 4 1 5 predicting the next one
/// let x = Sequence::new(DMatrix::from_row_slice(1, 5, &[3.0, 1.0, 4.0, 1.0, 5.0]), 1)?;
/// let d = Sequence::new(DMatrix::from_row_slice(1, 5, &[1.0, 4.0, 1.0, 5.0, 9.0]), 1)?;
/// let g = bptt(&lm, Batch::new(&x, &d), Loss::softmax_cross_entropy())?;
/// assert!((g.loss - 10f64.ln()).abs() < 0.5); // near uniform at the start
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # References
///
/// [^1]: T. Mikolov, M. Karafiát, L. Burget, J. Černocký, S. Khudanpur (2010), "Recurrent
///   neural network based language model", Interspeech.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        try_from = "StackData<C>",
        bound(deserialize = "C: Cell + serde::Deserialize<'de>")
    )
)]
pub struct Stack<C> {
    lookup: Option<Lookup>,
    cell: C,
    head: Option<Linear>,
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct StackData<C> {
    lookup: Option<Lookup>,
    cell: C,
    head: Option<Linear>,
}

#[cfg(feature = "serde")]
impl<C: Cell> TryFrom<StackData<C>> for Stack<C> {
    type Error = crate::Error;
    fn try_from(d: StackData<C>) -> Result<Self> {
        Stack::new(d.lookup, d.cell, d.head)
    }
}

/// Builds a [`Net`]`<`[`Stack`]`>` from a trained or new cell ([`Stack::builder`]).
///
/// | name | default | purpose |
/// |---|---|---|
/// | `lookup` | none | an embedding table in front (input: token indices) |
/// | `table` | drawn from `N(0, 0.1²)` | the table's values, `dim × vocab` column-major (e.g. from Word2Vec) |
/// | `head` | none | a linear layer behind (e.g. the logits over a vocabulary) |
/// | `head_init` | [`Init::Xavier`] | how the head's weights are drawn (biases start at zero) |
///
/// # Errors
///
/// [`StackBuilder::build`] returns [`crate::Error::DimensionMismatch`] if the lookup's `dim`
/// is not the cell's `n_input`, the head's `n_in` not the cell's `n_output`, or a given table
/// has the wrong length; [`crate::Error::NonFinite`] for a non-finite table value.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::init::Init;
/// use recurrent::net::{Linear, Lookup, Stack};
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let cell = Elman::<f64>::builder(2, 4, 4).build(&mut rng)?;
/// // a 2 × 3 table given column by column (one column per token), and a head of 3 logits
/// let table = vec![1.0, 0.0, 0.0, 1.0, -1.0, -1.0];
/// let net = Stack::builder(cell)
///     .lookup(Lookup::new(3, 2)?)
///     .table(table.clone())
///     .head(Linear::new(4, 3)?)
///     .head_init(Init::Zeros)
///     .build(&mut rng)?;
/// assert_eq!(&net.params()[..6], &table[..]); // θ starts with the table
/// assert_eq!(net.cell().n_output(), 3);
/// // the lookup's dimension must be the cell's input size
/// let cell = Elman::<f64>::builder(2, 4, 4).build(&mut rng)?;
/// assert!(Stack::builder(cell).lookup(Lookup::new(3, 5)?).build(&mut rng).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct StackBuilder<C: Cell> {
    cell: Net<C>,
    lookup: Option<Lookup>,
    table: Option<Vec<C::Scalar>>,
    head: Option<Linear>,
    head_init: Init,
}

impl<C: Cell> StackBuilder<C> {
    /// An embedding lookup in front of the cell.
    pub fn lookup(mut self, lookup: Lookup) -> Self {
        self.lookup = Some(lookup);
        self
    }

    /// The lookup table's values, `dim × vocab` column-major (token `k`'s vector at
    /// `k·dim .. (k+1)·dim`).
    pub fn table(mut self, table: Vec<C::Scalar>) -> Self {
        self.table = Some(table);
        self
    }

    /// A linear layer behind the cell.
    pub fn head(mut self, head: Linear) -> Self {
        self.head = Some(head);
        self
    }

    /// How the head's weights are drawn.
    pub fn head_init(mut self, init: Init) -> Self {
        self.head_init = init;
        self
    }

    /// Assembles the one θ `[table | cell θ | head]`, drawing what was not given with `rng`.
    ///
    /// # Errors
    ///
    /// See [`StackBuilder`].
    pub fn build<R: Rng + ?Sized>(self, rng: &mut R) -> Result<Net<Stack<C>>> {
        let (cell, theta_c) = self.cell.into_parts();
        let stack = Stack::new(self.lookup, cell, self.head)?;
        let mut theta = Vec::with_capacity(stack.n_params());
        if let Some(l) = &stack.lookup {
            match self.table {
                Some(t) => {
                    crate::error::check_shape(
                        "Stack::build",
                        "table",
                        (l.dim() * l.vocab(), 1),
                        (t.len(), 1),
                    )?;
                    theta.extend(t);
                }
                None => theta.extend(l.random::<C::Scalar, R>(0.1, rng)?),
            }
        }
        theta.extend(theta_c);
        if let Some(h) = &stack.head {
            theta.extend(h.init::<C::Scalar, R>(self.head_init, rng)?);
        }
        Net::new(stack, theta)
    }
}

impl<C: Cell> Stack<C> {
    /// Starts building a model around `cell` (its θ is kept); see [`StackBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// use recurrent::Gru;
    /// use recurrent::net::{Linear, Stack};
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// // a GRU with a linear read-out: 3 inputs, 8 hidden units, 2 outputs
    /// let gru = Gru::<f64>::builder(3, 8).build(&mut rng)?;
    /// let cell_params = gru.n_params();
    /// let net = Stack::builder(gru).head(Linear::new(8, 2)?).build(&mut rng)?;
    /// assert_eq!(net.cell().n_output(), 2);
    /// assert_eq!(net.n_params(), cell_params + 2 * 8 + 2);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn builder(cell: Net<C>) -> StackBuilder<C> {
        StackBuilder {
            cell,
            lookup: None,
            table: None,
            head: None,
            head_init: Init::Xavier,
        }
    }

    /// The parts, checked to fit each other.
    ///
    /// # Errors
    ///
    /// [`crate::Error::DimensionMismatch`] if `lookup.dim() != cell.n_input()` or
    /// `head.n_in() != cell.n_output()`.
    pub fn new(lookup: Option<Lookup>, cell: C, head: Option<Linear>) -> Result<Self> {
        if let Some(l) = &lookup {
            crate::error::check_shape(
                "Stack::new",
                "lookup dim vs cell n_input",
                (cell.n_input(), 1),
                (l.dim(), 1),
            )?;
        }
        if let Some(h) = &head {
            crate::error::check_shape(
                "Stack::new",
                "head n_in vs cell n_output",
                (cell.n_output(), 1),
                (h.n_in(), 1),
            )?;
        }
        Ok(Self { lookup, cell, head })
    }

    /// The cell.
    pub fn cell(&self) -> &C {
        &self.cell
    }

    /// The lookup in front, if any.
    pub fn lookup(&self) -> Option<&Lookup> {
        self.lookup.as_ref()
    }

    /// The layer behind, if any.
    pub fn head(&self) -> Option<&Linear> {
        self.head.as_ref()
    }

    /// Lengths of the three parts of θ.
    fn lens(&self) -> [usize; 3] {
        [
            self.lookup.map_or(0, |l| l.vocab() * l.dim()),
            self.cell.n_params(),
            self.head.map_or(0, |h| h.n_out() * h.n_in() + h.n_out()),
        ]
    }

    /// Rows of the lookup's output and of the cell's output kept in the cache.
    fn rows(&self) -> (usize, usize) {
        (
            self.lookup.map_or(0, |l| l.dim()),
            if self.head.is_some() {
                self.cell.n_output()
            } else {
                0
            },
        )
    }
}

/// `(E, θ_cell, W, b)` views of θ.
type Split<'a, T> = (&'a [T], &'a [T], DMatrixView<'a, T>, &'a [T]);

fn split<T: Real>(theta: &[T], lens: [usize; 3], head: Option<Linear>) -> Split<'_, T> {
    let [e, c, h] = crate::kernel::split_blocks_ref(theta, lens);
    match head {
        Some(l) => {
            let (w, b) = h.split_at(l.n_out() * l.n_in());
            (e, c, DMatrixView::from_slice(w, l.n_out(), l.n_in()), b)
        }
        None => (e, c, DMatrixView::from_slice(&h[..0], 0, 0), &h[..0]),
    }
}

/// Buffers of the fused sequence schedule.
#[derive(Debug)]
struct StackWork<T: Real> {
    inner: Option<Trace<T>>,
    emb: Option<Sequence<T>>,
    d_hidden: DMatrix<T>,
    d_emb: DMatrix<T>,
}

impl<T: Real> Default for StackWork<T> {
    fn default() -> Self {
        Self {
            inner: None,
            emb: None,
            d_hidden: DMatrix::zeros(0, 0),
            d_emb: DMatrix::zeros(0, 0),
        }
    }
}

fn ensure<T: Real>(m: &mut DMatrix<T>, rows: usize, cols: usize) {
    if m.shape() != (rows, cols) {
        crate::unroll::reshape_zeroed(m, rows, cols);
    }
}

impl<C: Cell> Cell for Stack<C> {
    type Scalar = C::Scalar;

    fn n_input(&self) -> usize {
        if self.lookup.is_some() {
            1
        } else {
            self.cell.n_input()
        }
    }

    fn n_state(&self) -> usize {
        self.cell.n_state()
    }

    fn n_output(&self) -> usize {
        self.head.map_or(self.cell.n_output(), |h| h.n_out())
    }

    fn param_blocks(&self) -> Vec<ParamBlock> {
        let [e, c, _] = self.lens();
        let mut blocks = Vec::new();
        if let Some(l) = &self.lookup {
            blocks.extend(l.param_blocks().iter().map(|b| b.shifted(0, "embedding")));
        }
        blocks.extend(
            self.cell
                .param_blocks()
                .iter()
                .map(|b| b.shifted(e, "cell")),
        );
        if let Some(h) = &self.head {
            blocks.extend(h.param_blocks().iter().map(|b| b.shifted(e + c, "head")));
        }
        blocks
    }

    fn n_params(&self) -> usize {
        self.lens().iter().sum()
    }

    fn n_cache(&self) -> usize {
        let (d, h) = self.rows();
        d + h + self.cell.n_cache()
    }

    fn n_scratch(&self) -> usize {
        let (d, h) = self.rows();
        h + d + self.cell.n_scratch()
    }

    fn initial_state(&self, batch: usize) -> DMatrix<C::Scalar> {
        self.cell.initial_state(batch)
    }

    fn check_inputs(&self, xs: DMatrixView<'_, C::Scalar>) -> Result<()> {
        match &self.lookup {
            Some(l) => l.check_tokens(xs.iter().copied()),
            None => self.cell.check_inputs(xs),
        }
    }

    fn step(
        &self,
        theta: &[C::Scalar],
        x: DMatrixView<'_, C::Scalar>,
        prev: DMatrixView<'_, C::Scalar>,
        state: DMatrixViewMut<'_, C::Scalar>,
        mut output: DMatrixViewMut<'_, C::Scalar>,
        mut cache: DMatrixViewMut<'_, C::Scalar>,
    ) {
        let (te, tc, w, b) = split(theta, self.lens(), self.head);
        let (d, h) = self.rows();
        let rows = cache.nrows();
        let (mut emb, mut rest) = cache.rows_range_pair_mut(0..d, d..rows);
        let (mut hidden, cell_cache) = rest.rows_range_pair_mut(0..h, h..rows - d);
        if let Some(l) = &self.lookup {
            l.gather(te, x.iter().copied(), emb.as_view_mut());
        }
        let x_c = if self.lookup.is_some() {
            emb.as_view()
        } else {
            x
        };
        if self.head.is_some() {
            self.cell
                .step(tc, x_c, prev, state, hidden.as_view_mut(), cell_cache);
            output.gemm(C::Scalar::one(), &w, &hidden, C::Scalar::zero());
            add_to_columns(output, b);
        } else {
            self.cell.step(tc, x_c, prev, state, output, cell_cache);
        }
    }

    fn step_backward(
        &self,
        theta: &[C::Scalar],
        step: Step<'_, C::Scalar>,
        d_state: DMatrixView<'_, C::Scalar>,
        d_output: DMatrixView<'_, C::Scalar>,
        d_prev: DMatrixViewMut<'_, C::Scalar>,
        d_input: Option<DMatrixViewMut<'_, C::Scalar>>,
        grad: &mut [C::Scalar],
        mut scratch: DMatrixViewMut<'_, C::Scalar>,
    ) {
        let one = C::Scalar::one();
        let (_, tc, w, _) = split(theta, self.lens(), self.head);
        let (d, h) = self.rows();
        let [ge, gc, gh] = crate::kernel::split_blocks(grad, self.lens());
        let (emb, hidden, cell_cache) = (
            step.cache.rows(0, d),
            step.cache.rows(d, h),
            step.cache.rows(d + h, self.cell.n_cache()),
        );
        let rows = scratch.nrows();
        let (mut d_hidden, mut rest) = scratch.rows_range_pair_mut(0..h, h..rows);
        let (mut d_emb, cell_scratch) = rest.rows_range_pair_mut(0..d, d..rows - h);
        let d_out_c = if let Some(l) = &self.head {
            d_hidden.gemm_tr(one, &w, &d_output, C::Scalar::zero());
            let (gw, gb) = gh.split_at_mut(l.n_out() * l.n_in());
            add_outer(
                &mut DMatrixViewMut::from_slice(gw, l.n_out(), l.n_in()),
                d_output,
                hidden,
            );
            add_row_sums(gb, d_output);
            d_hidden.as_view()
        } else {
            d_output
        };
        let inner = Step {
            x: if self.lookup.is_some() { emb } else { step.x },
            prev: step.prev,
            state: step.state,
            output: if self.head.is_some() {
                hidden
            } else {
                step.output
            },
            cache: cell_cache,
        };
        match &self.lookup {
            Some(l) => {
                self.cell.step_backward(
                    tc,
                    inner,
                    d_state,
                    d_out_c,
                    d_prev,
                    Some(d_emb.as_view_mut()),
                    gc,
                    cell_scratch,
                );
                l.scatter_add(ge, step.x.iter().copied(), d_emb.as_view());
                if let Some(mut dx) = d_input {
                    dx.fill(C::Scalar::zero()); // token indices are not differentiable
                }
            }
            None => self.cell.step_backward(
                tc,
                inner,
                d_state,
                d_out_c,
                d_prev,
                d_input,
                gc,
                cell_scratch,
            ),
        }
    }

    /// The lookup for all steps, the cell's sequence schedule, the head as one product.
    fn forward_seq(
        &self,
        theta: &[C::Scalar],
        xs: &Sequence<C::Scalar>,
        trace: &mut Trace<C::Scalar>,
    ) {
        let (b, steps) = (trace.batch(), trace.steps());
        let tb = b * steps;
        let (te, tc, w, bias) = split(theta, self.lens(), self.head);
        let (d, h) = self.rows();
        let (parts, ws) = trace.parts_and_workspace_mut::<StackWork<C::Scalar>>();
        let StackWork { inner, emb, .. } = ws;
        let inner = match inner {
            Some(t) => {
                t.reshape(&self.cell, steps, b);
                t
            }
            None => inner.insert(Trace::new(&self.cell, steps, b)),
        };
        inner
            .set_initial(parts.states.columns(0, b))
            .expect("the shapes agree");
        let x_c = match &self.lookup {
            Some(l) => {
                if !emb
                    .as_ref()
                    .is_some_and(|e| e.as_matrix().shape() == (d, tb) && e.batch() == b)
                {
                    *emb = Some(Sequence::zeros(d, steps, b));
                }
                let e = emb.as_mut().expect("just made");
                l.gather(
                    te,
                    xs.as_matrix().iter().copied(),
                    e.as_matrix_mut().as_view_mut(),
                );
                &*e
            }
            None => xs,
        };
        self.cell.forward_seq(tc, x_c, inner);
        parts.states.copy_from(inner.states());
        let c = self.cell.n_cache();
        if d > 0 {
            parts.cache.rows_mut(0, d).copy_from(x_c.as_matrix());
        }
        if c > 0 {
            parts.cache.rows_mut(d + h, c).copy_from(inner.cache());
        }
        if self.head.is_some() {
            parts.cache.rows_mut(d, h).copy_from(inner.outputs());
            parts
                .outputs
                .gemm(C::Scalar::one(), &w, inner.outputs(), C::Scalar::zero());
            add_to_columns(parts.outputs.as_view_mut(), bias);
        } else {
            parts.outputs.copy_from(inner.outputs());
        }
    }

    /// The head's two products over all steps, then the cell's sequence schedule on a record
    /// rebuilt from this trace (so it is right whichever forward schedule filled it).
    fn backward_seq(
        &self,
        theta: &[C::Scalar],
        xs: &Sequence<C::Scalar>,
        d_outputs: DMatrixView<'_, C::Scalar>,
        trace: &mut Trace<C::Scalar>,
        grad: &mut [C::Scalar],
        d_inputs: Option<DMatrixViewMut<'_, C::Scalar>>,
    ) {
        let one = C::Scalar::one();
        let zero = C::Scalar::zero();
        let (b, steps) = (trace.batch(), trace.steps());
        let tb = b * steps;
        let (_, tc, _, _) = split(theta, self.lens(), self.head);
        let (d, h) = self.rows();
        let c = self.cell.n_cache();
        let [ge, gc, gh] = crate::kernel::split_blocks(grad, self.lens());
        let (parts, ws) = trace.parts_and_workspace_mut::<StackWork<C::Scalar>>();
        let StackWork {
            inner,
            emb,
            d_hidden,
            d_emb,
        } = ws;
        let inner = match inner {
            Some(t) => {
                t.reshape(&self.cell, steps, b);
                t
            }
            None => inner.insert(Trace::new(&self.cell, steps, b)),
        };
        {
            let ip = inner.parts_mut();
            ip.states.copy_from(parts.states);
            if c > 0 {
                ip.cache.copy_from(&parts.cache.rows(d + h, c));
            }
            if self.head.is_some() {
                ip.outputs.copy_from(&parts.cache.rows(d, h));
            } else {
                ip.outputs.copy_from(parts.outputs);
            }
            ip.d_states.fill(zero);
            ip.d_states
                .columns_mut(steps * b, b)
                .copy_from(&parts.d_states.columns(steps * b, b));
        }
        let x_c = match &self.lookup {
            Some(_) => {
                if !emb
                    .as_ref()
                    .is_some_and(|e| e.as_matrix().shape() == (d, tb) && e.batch() == b)
                {
                    *emb = Some(Sequence::zeros(d, steps, b));
                }
                let e = emb.as_mut().expect("just made");
                e.as_matrix_mut().copy_from(&parts.cache.rows(0, d));
                &*e
            }
            None => xs,
        };
        let d_out_c = if let Some(l) = &self.head {
            ensure(d_hidden, h, tb);
            // Wᵀ·dZ as one packed GEMM (nalgebra's gemm_tr is a dot product per entry,
            // streaming the V × H head once per column: two thirds of an LM's step)
            let head_w =
                &crate::kernel::split_blocks_ref(theta, self.lens())[2][..l.n_out() * l.n_in()];
            crate::kernel::gemm_tn(
                d_hidden.as_view_mut(),
                one,
                head_w,
                l.n_out(),
                l.n_in(),
                d_outputs,
                zero,
            );
            let (gw, gb) = gh.split_at_mut(l.n_out() * l.n_in());
            gemm_nt(
                DMatrixViewMut::from_slice(gw, l.n_out(), l.n_in()),
                one,
                d_outputs,
                inner.outputs().as_slice(),
                h,
                one,
            );
            add_row_sums(gb, d_outputs);
            d_hidden.as_view()
        } else {
            d_outputs
        };
        match &self.lookup {
            Some(l) => {
                ensure(d_emb, d, tb);
                self.cell
                    .backward_seq(tc, x_c, d_out_c, inner, gc, Some(d_emb.as_view_mut()));
                l.scatter_add(ge, xs.as_matrix().iter().copied(), d_emb.as_view());
                if let Some(mut dx) = d_inputs {
                    dx.fill(zero);
                }
            }
            None => self
                .cell
                .backward_seq(tc, x_c, d_out_c, inner, gc, d_inputs),
        }
        parts.d_states.copy_from(inner.d_states());
    }
}
