//! Models: one cell and one flat θ ([`Net`]), and models made of parts that share one θ
//! ([`Stack`]: an embedding lookup, any cell, a linear output layer).
//!
//! A [`Cell`] is maths only: it reads θ from a slice it is handed. A [`Net`] owns that slice
//! next to the cell and is what every algorithm takes (BPTT, truncated BPTT, RTRL, the gradient
//! check, the optimisers, the trainer). Because a composed model is itself a cell
//! ([`Stack`] implements [`Cell`] by handing each part its sub-slice of θ), a
//! `Net<Stack<C>>` is one flat vector with one gradient layout — the parts' named blocks shifted
//! into place (`embedding.table`, `cell.w_aa`, `head.w`, …) — and the algorithms need no change
//! to train it.
//!
//! # Examples
//!
//! ```
//! use recurrent::prelude::*;
//! use recurrent::net::{Linear, Lookup, Stack};
//! use rand::SeedableRng;
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
//! // 50 words of dimension 8 → an Elman layer of 16 units → 50 logits
//! let cell = Elman::<f64>::builder(8, 16, 16).build(&mut rng)?;
//! let model = Stack::builder(cell)
//!     .lookup(Lookup::new(50, 8)?)
//!     .head(Linear::new(16, 50)?)
//!     .build(&mut rng)?;
//! assert_eq!(model.param_blocks()[0].name, "embedding.table");
//! assert_eq!(model.n_params(), 8 * 50 + model.cell().cell().n_params() + 50 * 16 + 50);
//! # Ok::<(), recurrent::Error>(())
//! ```

mod parts;
mod stack;

pub use parts::{Linear, Lookup};
pub use stack::{Stack, StackBuilder};

use crate::error::{Error, Result, check_finite};
use crate::traits::{Cell, ParamBlock, Parameters};
use num_traits::Zero;

/// A cell and its parameters θ: the model every algorithm of the crate works on.
///
/// `Elman<T>` and `Jordan<T>` are `Net<ElmanCell<T>>` and `Net<JordanCell<T>>`; a user's cell
/// becomes a model with [`Net::new`] (θ given) or [`Net::zeros`]. θ has the layout of
/// [`Cell::param_blocks`], and so do the gradients the algorithms return.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::Net;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(2);
/// let elman = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
/// // take it apart and put it back together
/// let (cell, theta) = elman.clone().into_parts();
/// let again = Net::new(cell, theta)?;
/// assert_eq!(again, elman);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Serde
///
/// With the `serde` feature a net serialises as `{ "cell": …, "params": […] }` and is
/// validated on load: the cell's own rules, then θ's length against the cell's
/// [`Cell::n_params`] and its finiteness.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(
        try_from = "NetData<C>",
        bound(
            serialize = "C: serde::Serialize, C::Scalar: serde::Serialize",
            deserialize = "C: serde::Deserialize<'de>, C::Scalar: serde::Deserialize<'de>"
        )
    )
)]
pub struct Net<C: Cell> {
    cell: C,
    params: Vec<C::Scalar>,
}

/// The serialised form of a [`Net`], checked by `TryFrom` on load.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "C: serde::Deserialize<'de>, C::Scalar: serde::Deserialize<'de>"))]
struct NetData<C: Cell> {
    cell: C,
    params: Vec<C::Scalar>,
}

#[cfg(feature = "serde")]
impl<C: Cell> TryFrom<NetData<C>> for Net<C> {
    type Error = Error;
    fn try_from(d: NetData<C>) -> Result<Self> {
        Net::new(d.cell, d.params)
    }
}

impl<C: Cell> Net<C> {
    /// `cell` with parameters `params` (layout of [`Cell::param_blocks`]).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] unless `params.len() == cell.n_params()`;
    /// [`Error::NonFinite`] for a NaN or infinite parameter (index = its position).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use recurrent::activation::Activation;
    /// use recurrent::cell::ElmanCell;
    /// let cell = ElmanCell::<f64>::new(1, 2, 1, Activation::Tanh, Activation::Identity, 0.0)?;
    /// let n = cell.n_params();
    /// let net = Net::new(cell.clone(), vec![0.1; n])?;
    /// assert_eq!(net.params(), &vec![0.1; n][..]);
    /// assert!(Net::new(cell.clone(), vec![0.1; n - 1]).is_err()); // wrong length
    /// assert!(Net::new(cell, vec![f64::NAN; n]).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(cell: C, params: Vec<C::Scalar>) -> Result<Self> {
        check_layout("Net::new", &cell)?;
        crate::error::check_shape(
            "Net::new",
            "params",
            (cell.n_params(), 1),
            (params.len(), 1),
        )?;
        check_finite("Net::new", "params", params.iter())?;
        Ok(Self { cell, params })
    }

    /// `cell` with every parameter zero.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if the cell's blocks do not cover `0..n_params` in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use recurrent::Lstm;
    /// use recurrent::cell::LstmCell;
    /// let net: Lstm<f32> = Net::zeros(LstmCell::new(2, 3)?)?;
    /// assert!(net.params().iter().all(|p| *p == 0.0));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn zeros(cell: C) -> Result<Self> {
        check_layout("Net::zeros", &cell)?;
        let params = vec![C::Scalar::zero(); cell.n_params()];
        Ok(Self { cell, params })
    }

    /// The cell (its sizes and settings; θ is [`Parameters::params`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let net = Elman::<f64>::builder(3, 5, 2).build(&mut rng)?;
    /// let cell = net.cell(); // sizes, no weights
    /// assert_eq!((cell.n_input(), cell.n_state(), cell.n_output()), (3, 5, 2));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn cell(&self) -> &C {
        &self.cell
    }

    /// The cell and θ, taken apart.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let net = Elman::<f64>::builder(3, 5, 2).build(&mut rng)?;
    /// let before = net.params().to_vec();
    /// let (cell, theta) = net.into_parts();
    /// assert_eq!(theta, before);
    /// let again = Net::new(cell, theta)?; // and back
    /// assert_eq!(again.n_params(), before.len());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn into_parts(self) -> (C, Vec<C::Scalar>) {
        (self.cell, self.params)
    }

    /// The cell, mutably, for settings that keep θ's layout (e.g. Jordan's feedback mode).
    pub(crate) fn cell_mut(&mut self) -> &mut C {
        &mut self.cell
    }

    /// θ of the block named `name` (see [`Cell::param_blocks`]) as a matrix view.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if no block has that name.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use rand::SeedableRng;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(2);
    /// let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
    /// assert_eq!(net.block("w_aa")?.shape(), (3, 3));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn block(&self, name: &str) -> Result<nalgebra::DMatrixView<'_, C::Scalar>> {
        self.cell
            .param_blocks()
            .iter()
            .find(|b| b.name == name)
            .map(|b| b.view(&self.params))
            .ok_or_else(|| Error::invalid("block", format!("no parameter block named {name:?}")))
    }
}

/// The blocks must tile `0..n_params` in order: what the algorithms rely on.
fn check_layout<C: Cell>(op: &'static str, cell: &C) -> Result<()> {
    let mut next = 0;
    for b in cell.param_blocks() {
        if b.offset != next {
            return Err(Error::invalid(
                "param_blocks",
                format!(
                    "{op}: block {:?} starts at {}, expected {next}",
                    b.name, b.offset
                ),
            ));
        }
        next += b.len();
    }
    if next != cell.n_params() {
        return Err(Error::invalid(
            "param_blocks",
            format!(
                "{op}: blocks cover {next} parameters, n_params is {}",
                cell.n_params()
            ),
        ));
    }
    Ok(())
}

impl<C: Cell> Parameters for Net<C> {
    type Scalar = C::Scalar;

    fn params(&self) -> &[C::Scalar] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [C::Scalar] {
        &mut self.params
    }

    fn param_blocks(&self) -> Vec<ParamBlock> {
        self.cell.param_blocks()
    }
}
