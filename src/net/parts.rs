//! The stateless parts a [`super::Stack`] puts around a cell.

use crate::error::{Error, Result};
use crate::init::Init;
use crate::scalar::{Real, lit};
use crate::traits::ParamBlock;
use nalgebra::{DMatrixView, DMatrixViewMut};
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// An embedding lookup: token index `k` ↦ column `k` of a `dim × vocab` table `E`,
/// `e⟨t⟩ = E[:, k⟨t⟩]`.
///
/// A token costs `O(dim)` forward and backward (its gradient is added into one column of `E`:
/// a sparse row update of the usual `vocab × dim` table, stored transposed so each word's
/// vector is contiguous), never a `vocab`-wide one-hot product. The input of a
/// [`super::Stack`] with a lookup is one row per step holding the token index as an exact
/// integer (`0 ≤ k < vocab`; exact in `f32` up to 2²⁴).
///
/// A frozen lookup keeps its table fixed: its gradient stays zero (the table is still part of
/// θ, so a model's layout does not depend on the choice).
///
/// # Examples
///
/// ```
/// use recurrent::net::Lookup;
/// let lookup = Lookup::new(5000, 100)?.frozen(true);
/// assert_eq!((lookup.vocab(), lookup.dim(), lookup.is_frozen()), (5000, 100, true));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "LookupData"))]
pub struct Lookup {
    vocab: usize,
    dim: usize,
    frozen: bool,
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct LookupData {
    vocab: usize,
    dim: usize,
    frozen: bool,
}

#[cfg(feature = "serde")]
impl TryFrom<LookupData> for Lookup {
    type Error = Error;
    fn try_from(d: LookupData) -> Result<Self> {
        Ok(Lookup::new(d.vocab, d.dim)?.frozen(d.frozen))
    }
}

impl Lookup {
    /// A trainable table of `vocab` tokens of dimension `dim`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if a size is zero, `vocab` is above 2²⁴ (token indices must
    /// be exact in `f32`), or `vocab·dim` overflows.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::net::Lookup;
    /// let table = Lookup::new(5000, 100)?.frozen(true); // V = 5000 words, d = 100
    /// assert_eq!((table.vocab(), table.dim(), table.is_frozen()), (5000, 100, true));
    /// assert!(Lookup::new(0, 100).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(vocab: usize, dim: usize) -> Result<Self> {
        if vocab == 0 || dim == 0 {
            return Err(Error::invalid("lookup", "vocab and dim must be at least 1"));
        }
        if vocab > 1 << 24 {
            return Err(Error::invalid(
                "vocab",
                format!("{vocab} tokens: indices above 2^24 are not exact in f32"),
            ));
        }
        if vocab.checked_mul(dim).is_none() {
            return Err(Error::invalid(
                "lookup",
                format!("{vocab} × {dim} overflows"),
            ));
        }
        Ok(Self {
            vocab,
            dim,
            frozen: false,
        })
    }

    /// The same lookup, frozen (`true`: no gradient reaches the table) or trainable.
    pub fn frozen(mut self, frozen: bool) -> Self {
        self.frozen = frozen;
        self
    }

    /// Number of tokens (columns of the table).
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// Dimension of a token's vector (rows of the table).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Whether the table is kept fixed.
    pub fn is_frozen(&self) -> bool {
        self.frozen
    }

    /// The one block, `table`: `dim × vocab`.
    pub fn param_blocks(&self) -> Vec<ParamBlock> {
        ParamBlock::layout(&[("table", self.dim, self.vocab)])
    }

    /// A table drawn from `N(0, σ²)`, laid out as [`Lookup::param_blocks`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `sigma` is negative or not finite.
    pub fn random<T: Real, R: Rng + ?Sized>(&self, sigma: f64, rng: &mut R) -> Result<Vec<T>> {
        let normal = Normal::new(0.0, sigma)
            .map_err(|_| Error::invalid("sigma", format!("{sigma} is not a standard deviation")))?;
        Ok((0..self.vocab * self.dim)
            .map(|_| lit(normal.sample(rng)))
            .collect())
    }

    /// `out[:, j] = E[:, k_j]` for the token indices `tokens` (one per column).
    pub(crate) fn gather<T: Real>(
        &self,
        table: &[T],
        tokens: impl IntoIterator<Item = T>,
        mut out: DMatrixViewMut<'_, T>,
    ) {
        let d = self.dim;
        for (j, k) in tokens.into_iter().enumerate() {
            let k = index(k);
            out.column_mut(j)
                .as_mut_slice()
                .copy_from_slice(&table[k * d..(k + 1) * d]);
        }
    }

    /// `∂L/∂E[:, k_j] += d_out[:, j]` unless frozen.
    pub(crate) fn scatter_add<T: Real>(
        &self,
        grad: &mut [T],
        tokens: impl IntoIterator<Item = T>,
        d_out: DMatrixView<'_, T>,
    ) {
        if self.frozen {
            return;
        }
        let d = self.dim;
        for (j, k) in tokens.into_iter().enumerate() {
            let k = index(k);
            for (g, v) in grad[k * d..(k + 1) * d]
                .iter_mut()
                .zip(d_out.column(j).iter())
            {
                *g += *v;
            }
        }
    }

    /// `Err` naming the first entry of `tokens` that is not an index below `vocab`.
    pub(crate) fn check_tokens<T: Real>(&self, tokens: impl IntoIterator<Item = T>) -> Result<()> {
        for (j, k) in tokens.into_iter().enumerate() {
            let f = crate::scalar::to_f64(k);
            if !(f >= 0.0 && f.fract() == 0.0 && f < self.vocab as f64) {
                return Err(Error::invalid(
                    "tokens",
                    format!(
                        "column {j} holds {f}, not a token index below {}",
                        self.vocab
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A token index stored in a scalar, as checked by [`Lookup::check_tokens`].
fn index<T: Real>(k: T) -> usize {
    crate::scalar::to_f64(k) as usize
}

/// A linear layer `z = W·h + b` (`W: n_out × n_in`): the logits of a language model's softmax,
/// or any read-out put behind a cell in a [`super::Stack`].
///
/// # Examples
///
/// ```
/// use recurrent::net::Linear;
/// let head = Linear::new(128, 5000)?;
/// assert_eq!(head.param_blocks()[0].len(), 128 * 5000);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "LinearData"))]
pub struct Linear {
    n_in: usize,
    n_out: usize,
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct LinearData {
    n_in: usize,
    n_out: usize,
}

#[cfg(feature = "serde")]
impl TryFrom<LinearData> for Linear {
    type Error = Error;
    fn try_from(d: LinearData) -> Result<Self> {
        Linear::new(d.n_in, d.n_out)
    }
}

impl Linear {
    /// `n_in` inputs, `n_out` outputs.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if a size is zero or `n_in·n_out` overflows.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::net::Linear;
    /// let head = Linear::new(128, 4749)?; // hidden state → logits over a vocabulary
    /// assert_eq!((head.n_in(), head.n_out()), (128, 4749));
    /// assert!(Linear::new(128, 0).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(n_in: usize, n_out: usize) -> Result<Self> {
        if n_in == 0 || n_out == 0 {
            return Err(Error::invalid(
                "linear",
                "n_in and n_out must be at least 1",
            ));
        }
        if n_in.checked_mul(n_out).is_none() {
            return Err(Error::invalid(
                "linear",
                format!("{n_out} × {n_in} overflows"),
            ));
        }
        Ok(Self { n_in, n_out })
    }

    /// Inputs.
    pub fn n_in(&self) -> usize {
        self.n_in
    }

    /// Outputs.
    pub fn n_out(&self) -> usize {
        self.n_out
    }

    /// The blocks `w` (`n_out × n_in`) and `b` (`n_out`).
    pub fn param_blocks(&self) -> Vec<ParamBlock> {
        ParamBlock::layout(&[("w", self.n_out, self.n_in), ("b", self.n_out, 1)])
    }

    /// Weights drawn by `init` (e.g. [`Init::Xavier`], Glorot & Bengio 2010) and zero
    /// biases, laid out as [`Linear::param_blocks`].
    ///
    /// # Errors
    ///
    /// As [`Init::fill`].
    pub fn init<T: Real, R: Rng + ?Sized>(&self, init: Init, rng: &mut R) -> Result<Vec<T>> {
        let mut theta = vec![T::zero(); self.n_out * self.n_in + self.n_out];
        init.fill(
            DMatrixViewMut::from_slice(&mut theta[..self.n_out * self.n_in], self.n_out, self.n_in),
            rng,
        )?;
        Ok(theta)
    }
}
