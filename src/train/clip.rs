//! Gradient clipping.

use super::{check_finite, check_positive};
use crate::error::Result;
use crate::scalar::{Real, lit};

/// The Euclidean norm `‖g‖₂ = √(Σᵢ gᵢ²)` of a flat gradient, computed without overflow:
/// the sum runs over `gᵢ / max|g|` and is scaled back, so an `f32` gradient with entries near
/// `1e20` has a finite norm (the plain sum of squares would overflow to infinity).
///
/// Returns NaN or infinity if `g` holds one; 0 for an empty slice.
///
/// # Examples
///
/// ```
/// use recurrent::train::global_norm;
/// assert_eq!(global_norm(&[3.0_f64, -4.0]), 5.0);
/// assert_eq!(global_norm(&[3e30_f32, 4e30]), 5e30);
/// ```
pub fn global_norm<T: Real>(g: &[T]) -> T {
    // Fast path: the plain sum of squares over independent lanes (it vectorises), kept when
    // it neither overflowed nor came near underflow, where it is as accurate as the scaled
    // sum below. NaN or ∞ in `g` makes it non-finite, and the careful pass reports it.
    const LANES: usize = 16;
    let mut acc = [T::zero(); LANES];
    let mut chunks = g.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += x * x;
        }
    }
    let tail = chunks.remainder().iter().fold(T::zero(), |s, &x| s + x * x);
    let sum = acc.iter().fold(tail, |s, &a| s + a);
    // Above 1e-30 every square that was rounded to a subnormal or to zero (|gᵢ|² < 1.2e-38
    // in f32) is below 1e-8 of the sum, under f32's rounding: the plain sum is exact enough.
    let tiny = lit::<T>(1e-30);
    if sum.is_finite() && sum > tiny {
        return sum.sqrt();
    }
    scaled_norm(g)
}

/// `‖g‖₂` as `max|g| · √(Σ (gᵢ / max|g|)²)`: no overflow or underflow whatever the entries'
/// size.
fn scaled_norm<T: Real>(g: &[T]) -> T {
    let mut scale = T::zero();
    for &x in g {
        if !x.is_finite() {
            return x.abs() + x; // NaN stays NaN; ±∞ becomes ∞ or NaN, both non-finite
        }
        scale = scale.max(x.abs());
    }
    if scale == T::zero() {
        return T::zero();
    }
    let sum = g.iter().fold(T::zero(), |acc, &x| {
        let r = x / scale;
        acc + r * r
    });
    scale * sum.sqrt()
}

/// Rescales `g` so that `‖g‖₂ ≤ max_norm` (Pascanu et al. 2013): if `‖g‖₂ > max_norm`,
/// `g ← g · max_norm / ‖g‖₂`, which keeps the direction and caps the length of the step.
/// Returns the norm before clipping.
///
/// # Examples
///
/// ```
/// use recurrent::train::clip_by_norm;
/// let mut g = [30.0_f64, -40.0];
/// let before = clip_by_norm(&mut g, 5.0)?;
/// assert_eq!(before, 50.0);
/// assert_eq!(g, [3.0, -4.0]);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`crate::Error::NonFinite`] (index = element) if `g` holds NaN or infinity: the gradient is
/// left as it is, instead of scaling every entry to NaN (PyTorch's `clip_grad_norm_` by
/// default divides by an infinite norm and the next optimiser step writes NaN weights);
/// [`crate::Error::InvalidParameter`] unless `max_norm` is finite and `> 0`.
///
/// # References
///
/// [^1]: R. Pascanu, T. Mikolov, Y. Bengio (2013), "On the difficulty of training recurrent
///   neural networks", ICML.
pub fn clip_by_norm<T: Real>(g: &mut [T], max_norm: f64) -> Result<T> {
    check_positive("max_norm", max_norm)?;
    check_finite("clip_by_norm", "gradient", g.iter())?;
    let norm = global_norm(g);
    let max: T = lit(max_norm);
    if norm > max {
        let s = max / norm;
        for x in g.iter_mut() {
            *x *= s;
        }
    }
    Ok(norm)
}

/// Clamps every entry of `g` to `[−max_abs, max_abs]` (changes the direction of the step,
/// unlike [`clip_by_norm`]). Returns the norm before clipping.
///
/// # Examples
///
/// ```
/// use recurrent::train::clip_by_value;
/// let mut g = [0.5_f32, -3.0, 2.0];
/// clip_by_value(&mut g, 1.0)?;
/// assert_eq!(g, [0.5, -1.0, 1.0]);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`crate::Error::NonFinite`] (index = element) if `g` holds NaN or infinity (left
/// unchanged); [`crate::Error::InvalidParameter`] unless `max_abs` is finite and `> 0`.
pub fn clip_by_value<T: Real>(g: &mut [T], max_abs: f64) -> Result<T> {
    check_positive("max_abs", max_abs)?;
    check_finite("clip_by_value", "gradient", g.iter())?;
    let norm = global_norm(g);
    let m: T = lit(max_abs);
    for x in g.iter_mut() {
        *x = x.clamp(-m, m);
    }
    Ok(norm)
}

/// A gradient-clipping rule, validated at construction, for [`super::TrainConfig`].
///
/// # Examples
///
/// ```
/// use recurrent::train::Clip;
/// let clip = Clip::norm(1.0)?;
/// let mut g = vec![3.0_f64, 4.0];
/// assert_eq!(clip.apply(&mut g)?, 5.0);
/// assert!((g[0] - 0.6).abs() < 1e-15);
/// assert!(Clip::value(-1.0).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "ClipData"))]
pub struct Clip {
    kind: ClipKind,
}

/// The serialised form of a [`Clip`], checked by its constructors on load.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct ClipData {
    kind: ClipKind,
}

#[cfg(feature = "serde")]
impl TryFrom<ClipData> for Clip {
    type Error = crate::Error;
    fn try_from(d: ClipData) -> Result<Self> {
        match d.kind {
            ClipKind::Norm(v) => Clip::norm(v),
            ClipKind::Value(v) => Clip::value(v),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
enum ClipKind {
    Norm(f64),
    Value(f64),
}

impl Clip {
    /// Clip by global norm to `max_norm` ([`clip_by_norm`]).
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidParameter`] unless `max_norm` is finite and `> 0`.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::train::Clip;
    /// let mut g = [3.0f64, 4.0]; // ‖g‖ = 5
    /// let before = Clip::norm(1.0)?.apply(&mut g)?;
    /// assert_eq!(before, 5.0);
    /// assert!((g[0] - 0.6).abs() < 1e-12 && (g[1] - 0.8).abs() < 1e-12); // rescaled to norm 1
    /// assert!(Clip::norm(0.0).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn norm(max_norm: f64) -> Result<Self> {
        check_positive("max_norm", max_norm)?;
        Ok(Self {
            kind: ClipKind::Norm(max_norm),
        })
    }

    /// Clip each entry to `[−max_abs, max_abs]` ([`clip_by_value`]).
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidParameter`] unless `max_abs` is finite and `> 0`.
    pub fn value(max_abs: f64) -> Result<Self> {
        check_positive("max_abs", max_abs)?;
        Ok(Self {
            kind: ClipKind::Value(max_abs),
        })
    }

    /// Clips `g` in place; returns its norm before clipping.
    ///
    /// # Errors
    ///
    /// [`crate::Error::NonFinite`] if `g` holds NaN or infinity (left unchanged).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::train::Clip;
    /// let mut g = [0.5f32, -3.0, 2.0];
    /// Clip::value(1.0)?.apply(&mut g)?; // each entry into [−1, 1]
    /// assert_eq!(g, [0.5, -1.0, 1.0]);
    /// let mut bad = [f64::NAN];
    /// assert!(Clip::norm(1.0)?.apply(&mut bad).is_err()); // a NaN gradient is an error, not a NaN weight
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn apply<T: Real>(&self, g: &mut [T]) -> Result<T> {
        match self.kind {
            ClipKind::Norm(m) => clip_by_norm(g, m),
            ClipKind::Value(m) => clip_by_value(g, m),
        }
    }
}
