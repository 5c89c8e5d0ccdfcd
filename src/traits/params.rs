use crate::error::{Result, check_shape};
use crate::scalar::Real;

/// A named block of a flat parameter vector: a `rows × cols` matrix stored column-major
/// at `offset .. offset + rows·cols`.
///
/// A model composed of parts ([`crate::net::Stack`]) names each block `part.name`
/// (e.g. `"cell.w_aa"`) and shifts its offset into place.
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
/// let blocks = net.param_blocks();
/// let w_aa = blocks.iter().find(|b| b.name == "w_aa").expect("Elman has w_aa");
/// assert_eq!((w_aa.rows, w_aa.cols, w_aa.len()), (3, 3, 9));
/// assert_eq!(w_aa.range(), w_aa.offset..w_aa.offset + 9);
/// // the same numbers as the named view
/// assert!(net.w_aa().iter().eq(net.params()[w_aa.range()].iter()));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamBlock {
    /// The maths name, e.g. `"w_aa"` (or `"cell.w_aa"` inside a composed model).
    pub name: String,
    /// First index in the flat vector.
    pub offset: usize,
    /// Rows of the block.
    pub rows: usize,
    /// Columns of the block (1 for a bias).
    pub cols: usize,
}

impl ParamBlock {
    /// Number of scalars in the block.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// True for a block with no scalars.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index range of the block in the flat vector.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len()
    }

    /// The block as a `rows × cols` matrix view into `theta`.
    ///
    /// # Panics
    ///
    /// If `theta` is shorter than `offset + len` (a programmer error: `theta` must be the
    /// vector the block describes).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::traits::ParamBlock;
    /// let theta = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    /// let b = ParamBlock::layout(&[("w", 2, 3), ("b", 1, 1)]);
    /// assert_eq!(b[0].view(&theta)[(1, 2)], 6.0);
    /// assert_eq!(b[1].view(&theta)[(0, 0)], 7.0);
    /// ```
    pub fn view<'a, T: Real>(&self, theta: &'a [T]) -> nalgebra::DMatrixView<'a, T> {
        nalgebra::DMatrixView::from_slice(&theta[self.range()], self.rows, self.cols)
    }

    /// The same block moved `by` places later and named `part.name`: how a composed model
    /// places the blocks of one of its parts.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::traits::ParamBlock;
    /// let b = ParamBlock::layout(&[("w", 2, 2)]);
    /// let s = b[0].shifted(10, "cell");
    /// assert_eq!((s.name.as_str(), s.offset), ("cell.w", 10));
    /// ```
    pub fn shifted(&self, by: usize, part: &str) -> ParamBlock {
        ParamBlock {
            name: format!("{part}.{}", self.name),
            offset: self.offset + by,
            rows: self.rows,
            cols: self.cols,
        }
    }

    /// Lays out consecutive blocks `(name, rows, cols)` from offset 0: the usual
    /// implementation of [`Parameters::param_blocks`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::traits::ParamBlock;
    /// let b = ParamBlock::layout(&[("w", 3, 2), ("b", 3, 1)]);
    /// assert_eq!((b[1].offset, b[1].len()), (6, 3));
    /// ```
    pub fn layout(shapes: &[(&'static str, usize, usize)]) -> Vec<ParamBlock> {
        let mut offset = 0;
        shapes
            .iter()
            .map(|&(name, rows, cols)| {
                let b = ParamBlock {
                    name: name.to_string(),
                    offset,
                    rows,
                    cols,
                };
                offset += rows * cols;
                b
            })
            .collect()
    }
}

/// Read and write a model's parameters as one flat vector.
///
/// Every trainable model in the crate keeps its parameters in one contiguous buffer with a
/// documented block order ([`Parameters::param_blocks`]); gradients come back in the same
/// layout. Optimisers, gradient clipping and the finite-difference gradient check therefore
/// work on plain slices, for any model, including cells defined outside this crate.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let mut net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
/// let blocks = net.param_blocks();
/// assert_eq!(blocks[0].name, "w_ax");
/// let mut theta = net.params().to_vec();
/// theta[0] = 0.25;
/// net.set_params(&theta)?;
/// assert_eq!(net.params()[0], 0.25);
/// # Ok::<(), recurrent::Error>(())
/// ```
pub trait Parameters {
    /// The scalar type of the parameters.
    type Scalar: Real;

    /// All parameters, in the order of [`Parameters::param_blocks`].
    fn params(&self) -> &[Self::Scalar];

    /// All parameters, mutably. The length cannot change.
    fn params_mut(&mut self) -> &mut [Self::Scalar];

    /// The named blocks that make up the flat vector, in order, covering it exactly.
    fn param_blocks(&self) -> Vec<ParamBlock>;

    /// Number of parameters.
    fn n_params(&self) -> usize {
        self.params().len()
    }

    /// Copies `values` into the parameters.
    ///
    /// # Errors
    ///
    /// [`crate::Error::DimensionMismatch`] if `values.len() != n_params()`.
    fn set_params(&mut self, values: &[Self::Scalar]) -> Result<()> {
        check_shape(
            "set_params",
            "values",
            (self.n_params(), 1),
            (values.len(), 1),
        )?;
        self.params_mut().copy_from_slice(values);
        Ok(())
    }
}

/// The layout of a θ made of `K` named blocks, each a column-major `rows × cols` matrix stored
/// one after the other: what a cell's [`crate::Cell::param_blocks`] describes, together with
/// the split of θ into those blocks. One place for the layout code every cell needs.
///
/// # Examples
///
/// ```
/// use recurrent::traits::Layout;
/// // a cell with W (3 × 3), U (3 × 2) and b (3)
/// let layout = Layout::new([("w", 3, 3), ("u", 3, 2), ("b", 3, 1)]);
/// assert_eq!(layout.len(), 18);
/// let theta: Vec<f64> = (0..18).map(f64::from).collect();
/// let [w, u, b] = layout.split(&theta);
/// assert_eq!((w.len(), u[0], b[2]), (9, 9.0, 17.0));
/// assert_eq!(layout.view(&theta, 1)[(1, 1)], 13.0); // U[1, 1]
/// assert_eq!(layout.blocks()[2].offset, 15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout<const K: usize> {
    shapes: [(&'static str, usize, usize); K],
}

impl<const K: usize> Layout<K> {
    /// Blocks `(name, rows, cols)` in storage order.
    pub const fn new(shapes: [(&'static str, usize, usize); K]) -> Self {
        Self { shapes }
    }

    /// Number of scalars of each block.
    pub fn lens(&self) -> [usize; K] {
        self.shapes.map(|(_, r, c)| r * c)
    }

    /// Number of scalars in all (θ's length).
    pub fn len(&self) -> usize {
        self.lens().iter().sum()
    }

    /// True if θ has no scalars.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The named blocks with their offsets, as [`crate::Cell::param_blocks`] returns them.
    pub fn blocks(&self) -> Vec<ParamBlock> {
        ParamBlock::layout(&self.shapes)
    }

    /// θ split into its blocks.
    ///
    /// # Panics
    ///
    /// If `theta` is shorter than [`Layout::len`].
    pub fn split<'a, T>(&self, theta: &'a [T]) -> [&'a [T]; K] {
        crate::kernel::split_blocks_ref(theta, self.lens())
    }

    /// θ (or a gradient of its layout) split into its blocks, mutably.
    ///
    /// # Panics
    ///
    /// If `theta` is shorter than [`Layout::len`].
    pub fn split_mut<'a, T>(&self, theta: &'a mut [T]) -> [&'a mut [T]; K] {
        crate::kernel::split_blocks(theta, self.lens())
    }

    /// Block `k` of θ as its `rows × cols` matrix view.
    ///
    /// # Panics
    ///
    /// If `k ≥ K` or `theta` is shorter than [`Layout::len`].
    pub fn view<'a, T: Real>(&self, theta: &'a [T], k: usize) -> nalgebra::DMatrixView<'a, T> {
        let (_, r, c) = self.shapes[k];
        nalgebra::DMatrixView::from_slice(self.split(theta)[k], r, c)
    }
}
