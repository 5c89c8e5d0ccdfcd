use crate::error::Result;
use crate::scalar::Real;
use crate::sequence::Sequence;
use nalgebra::DMatrix;

/// What a [`Recurrent::run`] produced: the state after every step and the output of every step.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let net = Elman::<f64>::builder(2, 4, 1).build(&mut rng)?;
/// // 3 sequences of 5 steps
/// let run = net.run(&Sequence::new(DMatrix::from_element(2, 15, 0.5), 3)?, None)?;
/// assert_eq!((run.states.steps(), run.states.batch(), run.states.dim()), (5, 3, 4));
/// assert_eq!(run.outputs.as_matrix().shape(), (1, 15));
/// // identical sequences give identical outputs
/// assert_eq!(run.outputs.step(4).column(0), run.outputs.step(4).column(2));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Run<T: Real> {
    /// `state⟨t⟩` for `t = 1..=T` (the initial state is not repeated), `n_state × (T·B)`.
    pub states: Sequence<T>,
    /// `y⟨t⟩` for `t = 1..=T`, `n_output × (T·B)`.
    pub outputs: Sequence<T>,
}

/// Anything whose state evolves step by step over a sequence:
/// `state⟨t⟩, y⟨t⟩ = F(state⟨t−1⟩, x⟨t⟩)`.
///
/// Every [`crate::Net`] (a cell and its θ) is `Recurrent`, so Elman and Jordan networks and
/// any user-defined cell can be run over sequences. Autonomous dynamics (a Hopfield
/// network's `s ← sign(W s − θ)`) are recurrent with an input dimension of zero: the input
/// sequence then only says how many steps to take.
///
/// States and inputs are batches of columns (see [`Sequence`]).
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
/// let net = Elman::<f32>::builder(1, 4, 1).build(&mut rng)?;
/// let xs = Sequence::new(DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 1.0]), 1)?;
/// let run = net.run(&xs, None)?;
/// assert_eq!((run.outputs.dim(), run.outputs.steps()), (1, 3));
/// # Ok::<(), recurrent::Error>(())
/// ```
pub trait Recurrent {
    /// Scalar type of states and inputs.
    type Scalar: Real;

    /// Rows of an input column (0 for autonomous dynamics).
    fn n_input(&self) -> usize;

    /// Rows of a state column.
    fn n_state(&self) -> usize;

    /// Rows of an output column.
    fn n_output(&self) -> usize;

    /// The state a run starts from when none is given, `n_state × batch`.
    fn initial_state(&self, batch: usize) -> DMatrix<Self::Scalar>;

    /// Runs over `inputs` from `initial` (or [`Recurrent::initial_state`]).
    ///
    /// # Errors
    ///
    /// [`crate::Error::DimensionMismatch`] if `inputs` has the wrong number of rows or
    /// `initial` is not `n_state × inputs.batch()`; [`crate::Error::NonFinite`] if inputs or
    /// the initial state contain NaN or infinity, or the outputs become non-finite.
    fn run(
        &self,
        inputs: &Sequence<Self::Scalar>,
        initial: Option<&DMatrix<Self::Scalar>>,
    ) -> Result<Run<Self::Scalar>>;
}

/// Every model of a cell and its θ runs over sequences through [`crate::Cell::forward_seq`].
impl<C: crate::Cell> Recurrent for crate::Net<C> {
    type Scalar = C::Scalar;

    fn n_input(&self) -> usize {
        self.cell().n_input()
    }

    fn n_state(&self) -> usize {
        self.cell().n_state()
    }

    fn n_output(&self) -> usize {
        self.cell().n_output()
    }

    fn initial_state(&self, batch: usize) -> DMatrix<Self::Scalar> {
        self.cell().initial_state(batch)
    }

    fn run(
        &self,
        inputs: &Sequence<Self::Scalar>,
        initial: Option<&DMatrix<Self::Scalar>>,
    ) -> Result<Run<Self::Scalar>> {
        use crate::traits::Parameters;
        let trace =
            crate::unroll::forward_checked(self.cell(), self.params(), "run", inputs, initial)?;
        let b = trace.batch();
        let states = trace
            .states()
            .columns(b, trace.states().ncols() - b)
            .into_owned();
        Ok(Run {
            states: Sequence::new(states, b)?,
            outputs: Sequence::new(trace.outputs().clone(), b)?,
        })
    }
}
