//! Element-wise (and column-wise, for softmax) activation functions with their derivatives.
//!
//! Every derivative is written in terms of the activation's *output* `y = f(z)`, so a forward
//! pass need not keep the pre-activations `z`:
//!
//! | activation | `f(z)` | `f′` from `y` |
//! |---|---|---|
//! | `Identity` | `z` | `1` |
//! | `Tanh` | `tanh z` | `1 − y²` |
//! | `Sigmoid` | `1 / (1 + e^−z)` | `y (1 − y)` |
//! | `Relu` | `max(z, 0)` | `1` if `y > 0`, else `0` (the derivative at `z = 0` is taken as 0) |
//! | `Softmax` | `e^{z_i} / Σ_j e^{z_j}` per column | Jacobian `diag(y) − y yᵀ`: `dz = y ⊙ (dy − yᵀdy)` |

//!
//! # Examples
//!
//! ```
//! use nalgebra::DMatrix;
//! use recurrent::activation::Activation;
//! // softmax works per column: each column becomes a probability distribution
//! let mut z = DMatrix::<f64>::from_column_slice(3, 2, &[1.0, 2.0, 3.0, 0.0, 0.0, 0.0]);
//! Activation::Softmax.apply(z.as_view_mut());
//! assert!((z.column(0).sum() - 1.0).abs() < 1e-15);
//! assert!((z[(0, 1)] - 1.0 / 3.0).abs() < 1e-15);
//! // tanh′ from the output: 1 − y²
//! let y = DMatrix::from_element(1, 1, 0.5_f64);
//! let mut dy = DMatrix::from_element(1, 1, 1.0);
//! Activation::Tanh.backward(y.as_view(), dy.as_view_mut());
//! assert_eq!(dy[(0, 0)], 0.75);
//! ```

use crate::scalar::Real;
use nalgebra::{DMatrixView, DMatrixViewMut};

/// An activation function; see the [module docs](self) for formulas.
///
/// # Examples
///
/// ```
/// use recurrent::activation::Activation;
/// assert_eq!(Activation::Tanh.name(), "tanh");
/// assert!(Activation::Relu.is_elementwise());
/// assert!(!Activation::Softmax.is_elementwise()); // its Jacobian is not diagonal
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Activation {
    /// `f(z) = z`.
    Identity,
    /// `f(z) = tanh z`.
    Tanh,
    /// The logistic function `f(z) = 1 / (1 + e^−z)`.
    Sigmoid,
    /// `f(z) = max(z, 0)`.
    Relu,
    /// Column-wise `softmax(z)_i = e^{z_i} / Σ_j e^{z_j}` (computed with the column maximum
    /// subtracted, so it never overflows).
    Softmax,
}

impl Activation {
    /// Applies the activation in place to every column of `z`.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::activation::Activation;
    /// let mut z = DMatrix::<f32>::from_row_slice(1, 3, &[-1.0, 0.0, 2.0]);
    /// Activation::Relu.apply(z.as_view_mut());
    /// assert_eq!(z.as_slice(), &[0.0, 0.0, 2.0]);
    /// Activation::Sigmoid.apply(z.as_view_mut());
    /// assert_eq!(z[(0, 0)], 0.5);
    /// ```
    pub fn apply<T: Real>(self, mut z: DMatrixViewMut<'_, T>) {
        match self {
            Activation::Identity => {}
            Activation::Tanh => {
                for mut col in z.column_iter_mut() {
                    crate::kernel::tanh(col.as_mut_slice());
                }
            }
            Activation::Sigmoid => {
                for mut col in z.column_iter_mut() {
                    crate::kernel::sigmoid(col.as_mut_slice());
                }
            }
            Activation::Relu => z.apply(|v| *v = v.max(T::zero())),
            Activation::Softmax => {
                for mut col in z.column_iter_mut() {
                    let m = col.max();
                    col.apply(|v| *v = (*v - m).exp());
                    let s = col.sum();
                    col.apply(|v| *v /= s);
                }
            }
        }
    }

    /// Back-propagates through the activation: given outputs `y` and `dy = ∂L/∂y`, overwrites
    /// `dy` with `∂L/∂z`.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::activation::Activation;
    /// // σ′ = y (1 − y): at y = 0.5 the gradient is scaled by 0.25
    /// let y = DMatrix::from_element(2, 1, 0.5_f64);
    /// let mut dy = DMatrix::from_column_slice(2, 1, &[1.0, -2.0]);
    /// Activation::Sigmoid.backward(y.as_view(), dy.as_view_mut());
    /// assert_eq!(dy.as_slice(), &[0.25, -0.5]);
    /// ```
    pub fn backward<T: Real>(self, y: DMatrixView<'_, T>, mut dy: DMatrixViewMut<'_, T>) {
        match self {
            Activation::Identity => {}
            Activation::Tanh => dy.zip_apply(&y, |d, y| *d *= T::one() - y * y),
            Activation::Sigmoid => dy.zip_apply(&y, |d, y| *d *= y * (T::one() - y)),
            Activation::Relu => dy.zip_apply(&y, |d, y| {
                if y <= T::zero() {
                    *d = T::zero()
                }
            }),
            Activation::Softmax => {
                for (mut d, yc) in dy.column_iter_mut().zip(y.column_iter()) {
                    let dot = d.dot(&yc);
                    d.zip_apply(&yc, |d, y| *d = y * (*d - dot));
                }
            }
        }
    }

    /// True for element-wise activations (all but softmax): their Jacobian is diagonal.
    pub fn is_elementwise(self) -> bool {
        !matches!(self, Activation::Softmax)
    }

    /// Name as used in docs and examples (`"tanh"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Relu => "relu",
            Activation::Softmax => "softmax",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    /// Each derivative against a central difference of the forward function.
    #[test]
    fn derivatives_match_finite_differences() {
        let z = DMatrix::from_row_slice(3, 2, &[0.3, -1.2, 2.0, 0.7, -0.4, 0.05]);
        let dy = DMatrix::from_row_slice(3, 2, &[0.5, -0.2, 1.0, 0.3, -0.7, 0.9]);
        for act in [
            Activation::Identity,
            Activation::Tanh,
            Activation::Sigmoid,
            Activation::Relu,
            Activation::Softmax,
        ] {
            let f = |z: &DMatrix<f64>| {
                let mut y = z.clone();
                act.apply(y.as_view_mut());
                y
            };
            let y = f(&z);
            let mut dz = dy.clone();
            act.backward(y.as_view(), dz.as_view_mut());
            let h = 1e-6;
            for i in 0..z.len() {
                let (mut zp, mut zm) = (z.clone(), z.clone());
                zp[i] += h;
                zm[i] -= h;
                let num = ((f(&zp) - f(&zm)).component_mul(&dy)).sum() / (2.0 * h);
                assert!(
                    (num - dz[i]).abs() < 1e-8,
                    "{act:?} element {i}: {num} vs {}",
                    dz[i]
                );
            }
        }
    }

    #[test]
    fn sigmoid_is_stable() {
        let mut s = DMatrix::from_row_slice(3, 1, &[-1000.0f64, 1000.0, -40.0]);
        Activation::Sigmoid.apply(s.as_view_mut());
        assert_eq!((s[(0, 0)], s[(1, 0)]), (0.0, 1.0));
        assert!((s[(2, 0)] / (-40.0f64).exp() - 1.0).abs() < 1e-15);
        let mut z = DMatrix::from_row_slice(2, 1, &[1000.0f32, 0.0]);
        Activation::Softmax.apply(z.as_view_mut());
        assert_eq!(z[(0, 0)], 1.0);
    }
}
