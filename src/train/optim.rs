//! Gradient-descent optimisers on flat parameter vectors.

use super::{check_finite, check_positive};
use crate::error::{Error, Result, check_shape};
use crate::scalar::{Real, lit};

/// One update rule `θ ← update(θ, ∂L/∂θ)` on a flat parameter vector.
///
/// Implementations keep their state (velocities, moments) in buffers sized on the first
/// [`Optimizer::step`] and reused afterwards; the inner loop does not allocate.
///
/// # Examples
///
/// ```
/// use recurrent::train::{Adam, Optimizer, Sgd};
/// /// Sign descent, an update rule of one's own: θ ← θ − η·sign(g).
/// #[derive(Debug)]
/// struct SignSgd(f64);
/// impl Optimizer<f64> for SignSgd {
///     fn step(&mut self, params: &mut [f64], grad: &[f64]) -> recurrent::Result<()> {
///         for (p, g) in params.iter_mut().zip(grad) { *p -= self.0 * g.signum(); }
///         Ok(())
///     }
///     fn learning_rate(&self) -> f64 { self.0 }
///     fn set_learning_rate(&mut self, lr: f64) -> recurrent::Result<()> { self.0 = lr; Ok(()) }
///     fn reset(&mut self) {}
/// }
/// let mut theta = vec![1.0, -1.0];
/// SignSgd(0.5).step(&mut theta, &[3.0, -0.1])?;
/// assert_eq!(theta, [0.5, -0.5]);
/// // the crate's own, through the same trait
/// let mut sgd = Sgd::new(0.1)?;
/// sgd.step(&mut theta, &[1.0, 1.0])?;
/// assert!((theta[0] - 0.4).abs() < 1e-12);
/// let mut adam = Adam::<f64>::new(0.01)?;
/// adam.set_learning_rate(0.001)?;
/// assert_eq!(adam.learning_rate(), 0.001);
/// # Ok::<(), recurrent::Error>(())
/// ```
pub trait Optimizer<T: Real> {
    /// Applies one update to `params` from `grad` (same length).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `grad` and `params` differ in length, or `params` is not
    /// the length the optimiser's state was sized for; [`Error::NonFinite`] (index = element)
    /// if `grad` holds NaN or infinity, in which case `params` and the state are left
    /// untouched.
    fn step(&mut self, params: &mut [T], grad: &[T]) -> Result<()>;

    /// The current learning rate η.
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate η (a [`super::Schedule`] calls this every epoch).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `lr` is finite and `> 0`.
    fn set_learning_rate(&mut self, lr: f64) -> Result<()>;

    /// Forgets the state (velocities, moments, step count), as for a fresh model.
    fn reset(&mut self);
}

/// Checks lengths and finiteness and sizes `state` on first use.
fn prepare<T: Real>(
    op: &'static str,
    params: &[T],
    grad: &[T],
    states: &mut [&mut Vec<T>],
) -> Result<()> {
    check_shape(op, "gradient", (params.len(), 1), (grad.len(), 1))?;
    check_finite(op, "gradient", grad)?;
    for s in states.iter_mut() {
        if s.is_empty() {
            s.resize(params.len(), T::zero());
        } else {
            check_shape(op, "parameters", (s.len(), 1), (params.len(), 1))?;
        }
    }
    Ok(())
}

/// Stochastic gradient descent, optionally with (Nesterov) momentum.
///
/// With learning rate η and momentum μ (the convention of PyTorch's `SGD`):
///
/// * plain (μ = 0): `θ ← θ − η·g`;
/// * momentum: `v ← μ·v + g`, `θ ← θ − η·v` (Polyak's heavy ball, `v` starts at 0);
/// * Nesterov: `v ← μ·v + g`, `θ ← θ − η·(g + μ·v)` (Sutskever et al. 2013's look-ahead form).
///
/// | name | default | purpose | range |
/// |---|---|---|---|
/// | `lr` | (required) | learning rate η | finite, `> 0` |
/// | `momentum` | `0.0` | momentum μ | `[0, 1)` |
/// | `nesterov` | `false` | Nesterov look-ahead | needs μ > 0 |
///
/// # Examples
///
/// ```
/// use recurrent::train::{Optimizer, Sgd};
/// let mut opt = Sgd::new(0.1)?.with_momentum(0.9)?;
/// let mut theta = [1.0_f64, -2.0];
/// opt.step(&mut theta, &[1.0, 0.5])?;
/// assert_eq!(theta, [1.0 - 0.1, -2.0 - 0.05]);
/// opt.step(&mut theta, &[1.0, 0.5])?; // v = 0.9·g + g = 1.9·g
/// assert!((theta[0] - (0.9 - 0.19)).abs() < 1e-15);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// The constructors return [`Error::InvalidParameter`] for a value outside its range.
///
/// # References
///
/// [^1]: I. Sutskever, J. Martens, G. Dahl, G. Hinton (2013), "On the importance of
///   initialization and momentum in deep learning", ICML.
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<T: Real> {
    lr: f64,
    momentum: f64,
    nesterov: bool,
    velocity: Vec<T>,
}

impl<T: Real> Sgd<T> {
    /// Plain SGD with learning rate `lr`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `lr` is finite and `> 0`.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::train::{Optimizer, Sgd};
    /// let mut sgd = Sgd::new(0.5)?;
    /// let mut theta = [1.0f64, 2.0];
    /// sgd.step(&mut theta, &[1.0, -2.0])?; // θ ← θ − η·g
    /// assert_eq!(theta, [0.5, 3.0]);
    /// assert!(Sgd::<f64>::new(-1.0).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(lr: f64) -> Result<Self> {
        check_positive("lr", lr)?;
        Ok(Self {
            lr,
            momentum: 0.0,
            nesterov: false,
            velocity: Vec::new(),
        })
    }

    /// Sets the momentum μ.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `0 ≤ μ < 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::train::{Optimizer, Sgd};
    /// let mut sgd = Sgd::new(0.1)?.with_momentum(0.9)?;
    /// let mut theta = [1.0f64];
    /// sgd.step(&mut theta, &[1.0])?; // v = 1, θ = 1 − 0.1
    /// sgd.step(&mut theta, &[1.0])?; // v = 0.9 + 1, θ = 0.9 − 0.19
    /// assert!((theta[0] - 0.71).abs() < 1e-12);
    /// assert!(Sgd::<f64>::new(0.1)?.with_momentum(1.5).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn with_momentum(mut self, momentum: f64) -> Result<Self> {
        if !(0.0..1.0).contains(&momentum) {
            return Err(Error::invalid(
                "momentum",
                format!("must be in [0, 1), got {momentum}"),
            ));
        }
        self.momentum = momentum;
        Ok(self)
    }

    /// Uses Nesterov's look-ahead update.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if the momentum is zero (Nesterov needs momentum; set it
    /// first with [`Sgd::with_momentum`]).
    pub fn with_nesterov(mut self) -> Result<Self> {
        if self.momentum == 0.0 {
            return Err(Error::invalid(
                "nesterov",
                "needs a momentum > 0 (call with_momentum first)",
            ));
        }
        self.nesterov = true;
        Ok(self)
    }

    /// The momentum μ.
    pub fn momentum(&self) -> f64 {
        self.momentum
    }
}

impl<T: Real> Optimizer<T> for Sgd<T> {
    fn step(&mut self, params: &mut [T], grad: &[T]) -> Result<()> {
        let lr: T = lit(self.lr);
        if self.momentum == 0.0 {
            prepare("sgd", params, grad, &mut [])?;
            for (p, &g) in params.iter_mut().zip(grad) {
                *p -= lr * g;
            }
            return Ok(());
        }
        prepare("sgd", params, grad, &mut [&mut self.velocity])?;
        let mu: T = lit(self.momentum);
        for ((p, v), &g) in params.iter_mut().zip(&mut self.velocity).zip(grad) {
            *v = mu * *v + g;
            let d = if self.nesterov { g + mu * *v } else { *v };
            *p -= lr * d;
        }
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        check_positive("lr", lr)?;
        self.lr = lr;
        Ok(())
    }

    fn reset(&mut self) {
        self.velocity.clear();
    }
}

/// Adam (Kingma & Ba 2015): per-parameter steps from bias-corrected moment estimates.
///
/// At step `t = 1, 2, …` with gradient `g`:
///
/// `m ← β₁·m + (1 − β₁)·g`, `v ← β₂·v + (1 − β₂)·g²`,
/// `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)`, `θ ← θ − η·m̂ / (√v̂ + ε)`.
///
/// The bias corrections undo the pull of the zero-initialised moments towards 0: on the first
/// step `m̂ = g` and `v̂ = g²`, so every parameter moves by about η whatever the gradient's scale.
///
/// | name | default | purpose | range |
/// |---|---|---|---|
/// | `lr` | (required; 0.001 is the paper's) | step size η | finite, `> 0` |
/// | `beta1` | `0.9` | decay of the first moment β₁ | `[0, 1)` |
/// | `beta2` | `0.999` | decay of the second moment β₂ | `[0, 1)` |
/// | `epsilon` | `1e-8` | ε added to `√v̂` | finite, `> 0` |
///
/// # Examples
///
/// ```
/// use recurrent::train::{Adam, Optimizer};
/// let mut opt = Adam::new(0.01)?;
/// let mut theta = [0.0_f64];
/// opt.step(&mut theta, &[1000.0])?;
/// // bias correction: the first step is η·g/|g| whatever the scale of g
/// assert!((theta[0] + 0.01).abs() < 1e-9);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// The constructors return [`Error::InvalidParameter`] for a value outside its range.
///
/// # References
///
/// [^1]: D. P. Kingma, J. Ba (2015), "Adam: a method for stochastic optimization", ICLR.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<T: Real> {
    lr: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    t: i32,
    m: Vec<T>,
    v: Vec<T>,
}

impl<T: Real> Adam<T> {
    /// Adam with step size `lr` and the paper's β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `lr` is finite and `> 0`.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::train::{Adam, Optimizer};
    /// let mut adam = Adam::new(0.1)?;
    /// let mut theta = [1.0f64];
    /// adam.step(&mut theta, &[4.0])?; // the first step moves by about η whatever ‖g‖
    /// assert!((theta[0] - 0.9).abs() < 1e-6);
    /// assert_eq!(adam.steps(), 1);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(lr: f64) -> Result<Self> {
        check_positive("lr", lr)?;
        Ok(Self {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        })
    }

    /// Sets the moment decays β₁ and β₂.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless both are in `[0, 1)`.
    pub fn with_betas(mut self, beta1: f64, beta2: f64) -> Result<Self> {
        for (name, b) in [("beta1", beta1), ("beta2", beta2)] {
            if !(0.0..1.0).contains(&b) {
                return Err(Error::invalid(name, format!("must be in [0, 1), got {b}")));
            }
        }
        self.beta1 = beta1;
        self.beta2 = beta2;
        Ok(self)
    }

    /// Sets ε.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `epsilon` is finite and `> 0`.
    pub fn with_epsilon(mut self, epsilon: f64) -> Result<Self> {
        check_positive("epsilon", epsilon)?;
        self.epsilon = epsilon;
        Ok(self)
    }

    /// Number of steps taken since construction or [`Optimizer::reset`].
    pub fn steps(&self) -> usize {
        usize::try_from(self.t).unwrap_or(0)
    }
}

impl<T: Real> Optimizer<T> for Adam<T> {
    fn step(&mut self, params: &mut [T], grad: &[T]) -> Result<()> {
        prepare("adam", params, grad, &mut [&mut self.m, &mut self.v])?;
        self.t = self.t.saturating_add(1);
        let (b1, b2) = (self.beta1, self.beta2);
        // Bias corrections in f64: 1 − βᵗ loses digits in f32 for β₂ close to 1.
        let c1: T = lit(1.0 - b1.powi(self.t));
        let c2: T = lit(1.0 - b2.powi(self.t));
        let (lr, eps): (T, T) = (lit(self.lr), lit(self.epsilon));
        let (b1, b2): (T, T) = (lit(b1), lit(b2));
        let one = T::one();
        for (((p, m), v), &g) in params
            .iter_mut()
            .zip(&mut self.m)
            .zip(&mut self.v)
            .zip(grad)
        {
            *m = b1 * *m + (one - b1) * g;
            *v = b2 * *v + (one - b2) * g * g;
            let m_hat = *m / c1;
            let v_hat = *v / c2;
            *p -= lr * m_hat / (v_hat.sqrt() + eps);
        }
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        check_positive("lr", lr)?;
        self.lr = lr;
        Ok(())
    }

    fn reset(&mut self) {
        self.t = 0;
        self.m.clear();
        self.v.clear();
    }
}
