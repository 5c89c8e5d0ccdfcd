//! The scalar bound used by all numeric code.

use nalgebra::RealField;

/// A real scalar: `f32` or `f64` (anything nalgebra calls a `RealField` and is `Copy`).
///
/// Declared once so signatures read `T: Real` instead of a long bound list.
pub trait Real: RealField + Copy {}

impl<T: RealField + Copy> Real for T {}

/// Converts an `f64` literal or computed constant into `T` (rounding for `f32`).
///
/// # Examples
///
/// ```
/// use recurrent::scalar::lit;
/// let half: f32 = lit(0.5);
/// assert_eq!(half, 0.5f32);
/// ```
#[inline]
pub fn lit<T: Real>(x: f64) -> T {
    nalgebra::convert::<f64, T>(x)
}

/// Converts `T` to `f64` (exact for `f32` and `f64`).
#[inline]
pub fn to_f64<T: Real>(x: T) -> f64 {
    nalgebra::try_convert::<T, f64>(x).unwrap_or(f64::NAN)
}
