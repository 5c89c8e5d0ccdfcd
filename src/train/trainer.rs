//! The training loop.

use super::clip::{Clip, global_norm};
use super::optim::Optimizer;
use super::schedule::Schedule;
use crate::error::{Error, Result, check_shape};
use crate::grad::{Batch, Bptt, Loss};
use crate::net::Net;
use crate::scalar::{Real, lit, to_f64};
use crate::sequence::{Mask, Sequence};
use crate::traits::{Cell, Parameters};
use nalgebra::DMatrix;
use rand::{Rng, RngExt};

/// A set of training sequences: pairs (inputs `n_input × T`, targets `n_output × T`), each a
/// single sequence (batch 1), optionally with per-step loss weights. Lengths may differ: a
/// mini-batch pads the shorter sequences with zeros and masks the padding out of the loss,
/// which leaves every gradient exact because a step never depends on later steps.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::Sequence;
/// use recurrent::train::Dataset;
/// let mut data = Dataset::<f64>::new();
/// data.push(
///     Sequence::new(DMatrix::zeros(2, 5), 1)?,
///     Sequence::new(DMatrix::zeros(1, 5), 1)?,
/// )?;
/// assert_eq!(data.len(), 1);
/// assert!(data.push(Sequence::new(DMatrix::zeros(3, 5), 1)?, Sequence::new(DMatrix::zeros(1, 5), 1)?).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset<T: Real> {
    inputs: Vec<Sequence<T>>,
    targets: Vec<Sequence<T>>,
    masks: Vec<Option<Vec<T>>>,
}

impl<T: Real> Dataset<T> {
    /// An empty data set.
    pub fn new() -> Self {
        Self {
            inputs: Vec::new(),
            targets: Vec::new(),
            masks: Vec::new(),
        }
    }

    /// Adds one sequence whose every step counts in the loss.
    ///
    /// # Errors
    ///
    /// As [`Dataset::push_masked`].
    pub fn push(&mut self, inputs: Sequence<T>, targets: Sequence<T>) -> Result<()> {
        self.push_inner(inputs, targets, None)
    }

    /// Adds one sequence whose step `t` counts in the loss with weight `mask.weight(t, 0)`
    /// (e.g. [`Mask::last_step`] for sequence-to-one training).
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for a sequence with no steps; [`Error::InvalidParameter`] if a
    /// sequence has more than one column per step; [`Error::DimensionMismatch`] if inputs,
    /// targets and mask differ in length, or the dimensions differ from earlier sequences;
    /// [`Error::NonFinite`] (index = step) for NaN or infinite inputs or targets.
    pub fn push_masked(
        &mut self,
        inputs: Sequence<T>,
        targets: Sequence<T>,
        mask: Mask<T>,
    ) -> Result<()> {
        check_shape("Dataset::push", "mask", (inputs.steps(), 1), mask.shape())?;
        self.push_inner(inputs, targets, Some(mask.weights().to_vec()))
    }

    fn push_inner(
        &mut self,
        inputs: Sequence<T>,
        targets: Sequence<T>,
        mask: Option<Vec<T>>,
    ) -> Result<()> {
        let op = "Dataset::push";
        if inputs.batch() != 1 || targets.batch() != 1 {
            return Err(Error::invalid(
                "batch",
                "a data set holds single sequences (batch 1); the trainer builds the batches",
            ));
        }
        let steps = inputs.steps();
        if steps == 0 {
            return Err(Error::Empty { op, what: "inputs" });
        }
        let (n_in, n_out) = match self.inputs.first() {
            Some(x) => (x.dim(), self.targets[0].dim()),
            None => (inputs.dim(), targets.dim()),
        };
        inputs.validate(op, "inputs", n_in, steps, 1)?;
        targets.validate(op, "targets", n_out, steps, 1)?;
        self.inputs.push(inputs);
        self.targets.push(targets);
        self.masks.push(mask);
        Ok(())
    }

    /// Number of sequences.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// True if there are no sequences.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Rows of an input column (0 for an empty set).
    pub fn n_input(&self) -> usize {
        self.inputs.first().map_or(0, Sequence::dim)
    }

    /// Rows of a target column (0 for an empty set).
    pub fn n_output(&self) -> usize {
        self.targets.first().map_or(0, Sequence::dim)
    }

    /// Sequence `i` as (inputs, targets).
    ///
    /// # Panics
    ///
    /// If `i ≥ len()`.
    pub fn get(&self, i: usize) -> (&Sequence<T>, &Sequence<T>) {
        (&self.inputs[i], &self.targets[i])
    }
}

/// What the trainer reports to its observer.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// use recurrent::train::{Dataset, Progress, Sgd, TrainConfig};
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let mut net = Elman::<f64>::builder(1, 3, 1).build(&mut rng)?;
/// let mut data = Dataset::new();
/// for k in 0..4 {
///     let x = DMatrix::from_fn(1, 5, |_, t| ((t + k) % 2) as f64);
///     data.push(Sequence::new(x.clone(), 1)?, Sequence::new(x, 1)?)?;
/// }
/// let mut trainer = TrainConfig::new().epochs(3).batch_size(2).build(Sgd::new(0.1)?)?;
/// let (mut steps, mut epochs) = (0, 0);
/// trainer.fit(&mut net, &data, None, &mut rng, |p: &Progress<f64>| match *p {
///     Progress::Step { learning_rate, .. } => { assert_eq!(learning_rate, 0.1); steps += 1; }
///     Progress::Epoch { valid_loss, .. } => { assert!(valid_loss.is_none()); epochs += 1; }
///     _ => {}
/// })?;
/// assert_eq!((steps, epochs), (3 * 2, 3)); // 4 sequences in batches of 2, 3 epochs
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Progress<T: Real> {
    /// After every optimiser step (one mini-batch).
    Step {
        /// Epoch, from 0.
        epoch: usize,
        /// Optimiser step, from 0, counted over the whole run.
        step: usize,
        /// The mini-batch loss before the update.
        loss: T,
        /// `‖∂L/∂θ‖₂` before clipping.
        grad_norm: T,
        /// The learning rate used.
        learning_rate: f64,
    },
    /// After every epoch.
    Epoch {
        /// Epoch, from 0.
        epoch: usize,
        /// Mean of the epoch's mini-batch losses, weighted by sequences per batch.
        train_loss: T,
        /// Loss on the validation set after the epoch, if one was given.
        valid_loss: Option<T>,
        /// True if the validation loss is the best so far (by more than `min_delta`).
        improved: bool,
    },
}

/// The result of [`Trainer::fit`].
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// use recurrent::train::{Dataset, Sgd, TrainConfig};
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let mut net = Elman::<f64>::builder(1, 3, 1).build(&mut rng)?;
/// let mut data = Dataset::new();
/// for k in 0..4 {
///     let x = DMatrix::from_fn(1, 5, |_, t| ((t + k) % 2) as f64);
///     data.push(Sequence::new(x.clone(), 1)?, Sequence::new(x, 1)?)?;
/// }
/// let mut trainer = TrainConfig::new().epochs(3).batch_size(2).build(Sgd::new(0.1)?)?;
/// let valid = data.clone();
/// let report = trainer.fit(&mut net, &data, Some(&valid), &mut rng, |_| {})?;
/// assert_eq!((report.epochs, report.steps), (3, 6));
/// assert_eq!((report.train_losses.len(), report.valid_losses.len()), (3, 3));
/// assert!(report.best_epoch.is_some() && !report.stopped_early);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TrainReport<T: Real> {
    /// Epochs run.
    pub epochs: usize,
    /// Optimiser steps taken.
    pub steps: usize,
    /// Training loss of every epoch (as in [`Progress::Epoch`]).
    pub train_losses: Vec<T>,
    /// Validation loss of every epoch (empty without a validation set).
    pub valid_losses: Vec<T>,
    /// Epoch of the best validation loss (the parameters left in the cell come from it when
    /// `restore_best` is on); `None` without a validation set.
    pub best_epoch: Option<usize>,
    /// True if early stopping ended the run before `epochs`.
    pub stopped_early: bool,
}

/// Settings of a [`Trainer`], validated by [`TrainConfig::build`].
///
/// | name | default | purpose | range |
/// |---|---|---|---|
/// | `epochs` | `100` | passes over the training set | `≥ 1` |
/// | `batch_size` | `1` | sequences per optimiser step (the last batch may be smaller) | `≥ 1` |
/// | `shuffle` | `true` | reorder the sequences every epoch with the caller's RNG | bool |
/// | `loss` | [`Loss::mse`] | loss per mini-batch | any [`Loss`] |
/// | `clip` | none | gradient clipping before each step | a [`Clip`] |
/// | `schedule` | none (the optimiser's rate) | learning rate per epoch | a [`Schedule`] |
/// | `patience` | none | stop after this many epochs without a better validation loss | `≥ 1`, needs a validation set |
/// | `min_delta` | `0.0` | improvement needed to count as better | finite, `≥ 0` |
/// | `restore_best` | `true` | leave the best-validation parameters in the cell | bool |
///
/// # Examples
///
/// ```
/// use recurrent::train::{Clip, Schedule, TrainConfig};
/// let config = TrainConfig::new()
///     .epochs(50)
///     .batch_size(8)
///     .clip(Clip::norm(1.0)?)
///     .schedule(Schedule::step(0.01, 20, 0.5)?)
///     .patience(5);
/// assert_eq!(config.epochs, 50);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Passes over the training set.
    pub epochs: usize,
    /// Sequences per optimiser step.
    pub batch_size: usize,
    /// Shuffle the sequences every epoch.
    pub shuffle: bool,
    /// The loss.
    pub loss: Loss,
    /// Clipping applied to every gradient before the optimiser step.
    pub clip: Option<Clip>,
    /// Learning-rate schedule, applied at the start of every epoch.
    pub schedule: Option<Schedule>,
    /// Epochs without a better validation loss before stopping.
    pub patience: Option<usize>,
    /// Improvement of the validation loss needed to count as better.
    pub min_delta: f64,
    /// Leave the parameters of the best validation epoch in the model at the end.
    pub restore_best: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl TrainConfig {
    /// The defaults of the table above.
    pub fn new() -> Self {
        Self {
            epochs: 100,
            batch_size: 1,
            shuffle: true,
            loss: Loss::mse(),
            clip: None,
            schedule: None,
            patience: None,
            min_delta: 0.0,
            restore_best: true,
        }
    }

    /// Passes over the training set.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Sequences per optimiser step.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Shuffle the sequences every epoch.
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The loss.
    pub fn loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// Clip every gradient before the optimiser step.
    pub fn clip(mut self, clip: Clip) -> Self {
        self.clip = Some(clip);
        self
    }

    /// Set the optimiser's learning rate from `schedule` at the start of every epoch.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// Stop after `patience` epochs without a better validation loss.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = Some(patience);
        self
    }

    /// Improvement of the validation loss needed to count as better.
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta;
        self
    }

    /// Leave the parameters of the best validation epoch in the cell at the end.
    pub fn restore_best(mut self, restore_best: bool) -> Self {
        self.restore_best = restore_best;
        self
    }

    /// Checks the configuration and builds the trainer with `optimizer`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for zero epochs or batch size, a patience of 0, or a
    /// negative or non-finite `min_delta`.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::train::{Adam, TrainConfig};
    /// let trainer = TrainConfig::new().epochs(10).batch_size(4).build(Adam::<f64>::new(1e-3)?)?;
    /// assert_eq!(trainer.config().batch_size, 4);
    /// // every check happens here
    /// assert!(TrainConfig::new().batch_size(0).build(Adam::<f64>::new(1e-3)?).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn build<T: Real, O: Optimizer<T>>(self, optimizer: O) -> Result<Trainer<T, O>> {
        self.validate()?;
        Ok(Trainer {
            config: self,
            optimizer,
            bptt: None,
            grad: Vec::new(),
        })
    }

    fn validate(&self) -> Result<()> {
        if self.epochs == 0 {
            return Err(Error::invalid("epochs", "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::invalid("batch_size", "must be at least 1"));
        }
        if self.patience == Some(0) {
            return Err(Error::invalid("patience", "must be at least 1 epoch"));
        }
        if !(self.min_delta.is_finite() && self.min_delta >= 0.0) {
            return Err(Error::invalid(
                "min_delta",
                format!("must be finite and ≥ 0, got {}", self.min_delta),
            ));
        }
        Ok(())
    }
}

/// Mini-batch gradient descent through time over a [`Dataset`] of sequences.
///
/// Each epoch: set the learning rate from the schedule; shuffle the sequence order with the
/// caller's RNG (Fisher–Yates); for each mini-batch of `batch_size` sequences (padded and
/// masked to the longest), compute the loss and `∂L/∂θ` by BPTT ([`Bptt`], buffers reused),
/// clip, and take one optimiser step; then evaluate the validation set, if any, and stop early
/// once `patience` epochs pass without improvement. Every step and epoch is reported to the
/// observer; the library prints nothing.
///
/// The same seed, data and settings give the same trained parameters, bit for bit.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// use recurrent::train::{Adam, Dataset, Progress, TrainConfig};
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let mut net = Elman::<f64>::builder(1, 4, 1).build(&mut rng)?;
/// let mut data = Dataset::new();
/// for k in 0..4 {
///     let x = DMatrix::from_fn(1, 6, |_, t| ((t + k) % 2) as f64);
///     let d = x.map(|v| 1.0 - v); // the complement of the input
///     data.push(Sequence::new(x, 1)?, Sequence::new(d, 1)?)?;
/// }
/// let mut trainer = TrainConfig::new().epochs(60).batch_size(2).build(Adam::new(0.05)?)?;
/// let mut last = f64::INFINITY;
/// let report = trainer.fit(&mut net, &data, None, &mut rng, |p: &Progress<f64>| {
///     if let Progress::Epoch { train_loss, .. } = *p { last = train_loss; }
/// })?;
/// assert_eq!(report.epochs, 60);
/// assert!(last < report.train_losses[0]);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// See [`TrainConfig::build`] and [`Trainer::fit`].
#[derive(Clone, Debug)]
pub struct Trainer<T: Real, O: Optimizer<T>> {
    config: TrainConfig,
    optimizer: O,
    bptt: Option<Bptt<T>>,
    grad: Vec<T>,
}

/// Inputs, targets and mask of one mini-batch, reused between batches of the same shape.
struct MiniBatch<T: Real> {
    inputs: Sequence<T>,
    targets: Sequence<T>,
    mask: Option<Mask<T>>,
}

impl<T: Real, O: Optimizer<T>> Trainer<T, O> {
    /// The optimiser (e.g. to read its learning rate).
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// The settings.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Trains `net` on `train`, evaluating `valid` after every epoch, drawing the shuffle
    /// order from `rng`, and reporting every step and epoch to `observer`.
    ///
    /// # Errors
    ///
    /// * [`Error::Empty`] for an empty training (or given validation) set;
    /// * [`Error::DimensionMismatch`] if the data do not fit the cell;
    /// * [`Error::InvalidParameter`] if `patience` is set but no validation set is given;
    /// * [`Error::NonFinite`] with `op = "train"` and `index` = the optimiser step if the loss,
    ///   the outputs or the gradient become NaN or infinite: training has diverged, and
    ///   gradient clipping ([`TrainConfig::clip`]) or a lower learning rate usually cures it.
    ///   The cell keeps the parameters of the last finite step.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// use recurrent::train::{Adam, Dataset, TrainConfig};
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let mut net = Elman::<f64>::builder(1, 4, 1).build(&mut rng)?;
    /// // learn y⟨t⟩ = x⟨t⟩ / 2 on two sequences, validating on a third
    /// let seq = |k: usize| -> recurrent::Result<(Sequence<f64>, Sequence<f64>)> {
    ///     let x = DMatrix::from_fn(1, 8, |_, t| ((t + k) as f64 * 0.9).sin());
    ///     Ok((Sequence::new(x.clone(), 1)?, Sequence::new(x / 2.0, 1)?))
    /// };
    /// let (mut train, mut valid) = (Dataset::new(), Dataset::new());
    /// for k in 0..2 { let (x, d) = seq(k)?; train.push(x, d)?; }
    /// let (x, d) = seq(5)?;
    /// valid.push(x, d)?;
    /// let mut trainer = TrainConfig::new().epochs(40).restore_best(true).build(Adam::new(0.02)?)?;
    /// let before = trainer.evaluate(&net, &valid)?;
    /// let report = trainer.fit(&mut net, &train, Some(&valid), &mut rng, |_| {})?;
    /// assert!(trainer.evaluate(&net, &valid)? < before / 4.0);
    /// assert_eq!(report.valid_losses.len(), report.epochs);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn fit<C, R, F>(
        &mut self,
        net: &mut Net<C>,
        train: &Dataset<T>,
        valid: Option<&Dataset<T>>,
        rng: &mut R,
        mut observer: F,
    ) -> Result<TrainReport<T>>
    where
        C: Cell<Scalar = T>,
        R: Rng + ?Sized,
        F: FnMut(&Progress<T>),
    {
        let loss_kind = self.config.loss;
        check_data(net.cell(), loss_kind, train, "training set")?;
        if let Some(v) = valid {
            check_data(net.cell(), loss_kind, v, "validation set")?;
        }
        if self.config.patience.is_some() && valid.is_none() {
            return Err(Error::invalid(
                "patience",
                "early stopping needs a validation set",
            ));
        }
        let cfg = self.config.clone();
        let mut order: Vec<usize> = (0..train.len()).collect();
        let mut report = TrainReport {
            epochs: 0,
            steps: 0,
            train_losses: Vec::with_capacity(cfg.epochs),
            valid_losses: Vec::new(),
            best_epoch: None,
            stopped_early: false,
        };
        let mut best: Option<(T, Vec<T>)> = None;
        let mut waited = 0;
        // separate buffers for training and validation batches, so neither reallocates the
        // other's every epoch
        let (mut mb, mut valid_mb): (Option<MiniBatch<T>>, Option<MiniBatch<T>>) = (None, None);
        for epoch in 0..cfg.epochs {
            if let Some(s) = cfg.schedule {
                self.optimizer.set_learning_rate(s.at(epoch))?;
            }
            if cfg.shuffle {
                // Fisher–Yates with the caller's generator.
                for i in (1..order.len()).rev() {
                    let j = rng.random_range(0..=i);
                    order.swap(i, j);
                }
            }
            let (mut total, mut count) = (T::zero(), 0usize);
            for chunk in order.chunks(cfg.batch_size) {
                let step = report.steps;
                let batch = assemble(train, chunk, &mut mb)?;
                let bptt = self
                    .bptt
                    .get_or_insert_with(|| Bptt::new(net, batch.inputs.steps(), chunk.len()));
                let mut b = Batch::new(&batch.inputs, &batch.targets);
                if let Some(m) = &batch.mask {
                    b = b.with_mask(m);
                }
                let loss = bptt
                    .compute(net, b, cfg.loss)
                    .map_err(|e| diverged(e, step))?;
                self.grad.clear();
                self.grad.extend_from_slice(bptt.grad());
                let grad_norm = match cfg.clip {
                    Some(c) => c.apply(&mut self.grad).map_err(|e| diverged(e, step))?,
                    None => global_norm(&self.grad),
                };
                self.optimizer
                    .step(net.params_mut(), &self.grad)
                    .map_err(|e| diverged(e, step))?;
                observer(&Progress::Step {
                    epoch,
                    step,
                    loss,
                    grad_norm,
                    learning_rate: self.optimizer.learning_rate(),
                });
                total += loss * lit::<T>(chunk.len() as f64);
                count += chunk.len();
                report.steps += 1;
            }
            let train_loss = total / lit::<T>(count as f64);
            report.train_losses.push(train_loss);
            report.epochs = epoch + 1;
            let mut improved = false;
            let mut valid_loss = None;
            if let Some(v) = valid {
                let vl = self.evaluate_with(net, v, &mut valid_mb)?;
                valid_loss = Some(vl);
                report.valid_losses.push(vl);
                let better = match &best {
                    None => true,
                    Some((b, _)) => to_f64(vl) < to_f64(*b) - cfg.min_delta,
                };
                if better {
                    improved = true;
                    waited = 0;
                    report.best_epoch = Some(epoch);
                    match &mut best {
                        Some((b, p)) => {
                            *b = vl;
                            p.copy_from_slice(net.params());
                        }
                        None => best = Some((vl, net.params().to_vec())),
                    }
                } else {
                    waited += 1;
                }
            }
            observer(&Progress::Epoch {
                epoch,
                train_loss,
                valid_loss,
                improved,
            });
            if cfg.patience.is_some_and(|p| waited >= p) {
                report.stopped_early = epoch + 1 < cfg.epochs;
                break;
            }
        }
        if cfg.restore_best
            && let Some((_, p)) = &best
        {
            net.params_mut().copy_from_slice(p);
        }
        Ok(report)
    }

    /// The loss of `cell` on `data` (mini-batches of `batch_size` in order, the batch losses
    /// averaged with weights = sequences per batch), with the configured loss.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for an empty set; [`Error::DimensionMismatch`] if the data do not fit
    /// the cell; [`Error::NonFinite`] if the outputs or the loss are not finite.
    pub fn evaluate<C: Cell<Scalar = T>>(&mut self, net: &Net<C>, data: &Dataset<T>) -> Result<T> {
        check_data(net.cell(), self.config.loss, data, "data set")?;
        self.evaluate_with(net, data, &mut None)
    }

    fn evaluate_with<C: Cell<Scalar = T>>(
        &mut self,
        net: &Net<C>,
        data: &Dataset<T>,
        mb: &mut Option<MiniBatch<T>>,
    ) -> Result<T> {
        let (mut total, mut count) = (T::zero(), 0usize);
        let idx: Vec<usize> = (0..data.len()).collect();
        for chunk in idx.chunks(self.config.batch_size) {
            let batch = assemble(data, chunk, mb)?;
            let mut b = Batch::new(&batch.inputs, &batch.targets);
            if let Some(m) = &batch.mask {
                b = b.with_mask(m);
            }
            let loss = self.config.loss;
            let ws = self
                .bptt
                .get_or_insert_with(|| Bptt::new(net, batch.inputs.steps(), chunk.len()));
            let l = ws.loss(net, b, loss)?;
            total += l * lit::<T>(chunk.len() as f64);
            count += chunk.len();
        }
        Ok(total / lit::<T>(count as f64))
    }
}

/// Re-labels a divergence inside a step as the trainer's error naming the step.
fn diverged(e: Error, step: usize) -> Error {
    match e {
        Error::NonFinite { .. } => Error::NonFinite {
            op: "train",
            what: "loss or gradient (training diverged: clip gradients or lower the learning rate), optimiser step",
            index: step,
        },
        other => other,
    }
}

fn check_data<T: Real, C: Cell<Scalar = T>>(
    cell: &C,
    loss: Loss,
    data: &Dataset<T>,
    what: &'static str,
) -> Result<()> {
    if data.is_empty() {
        return Err(Error::Empty { op: "train", what });
    }
    check_shape("train", "inputs", (cell.n_input(), 1), (data.n_input(), 1))?;
    check_shape(
        "train",
        "targets",
        (loss.target_rows(cell.n_output()), 1),
        (data.n_output(), 1),
    )
}

/// Gathers sequences `idx` of `data` into one padded, masked mini-batch (step `t` of
/// sequence `k` is column `t·B + k`).
fn assemble<'m, T: Real>(
    data: &Dataset<T>,
    idx: &[usize],
    slot: &'m mut Option<MiniBatch<T>>,
) -> Result<&'m MiniBatch<T>> {
    let b = idx.len();
    let steps = idx
        .iter()
        .map(|&i| data.inputs[i].steps())
        .max()
        .unwrap_or(0);
    let (n_in, n_out) = (data.n_input(), data.n_output());
    let fits = slot
        .as_ref()
        .is_some_and(|m| m.inputs.batch() == b && m.inputs.steps() == steps);
    if !fits {
        *slot = Some(MiniBatch {
            inputs: Sequence::new(DMatrix::zeros(n_in, steps * b), b)?,
            targets: Sequence::new(DMatrix::zeros(n_out, steps * b), b)?,
            mask: None,
        });
    }
    let Some(m) = slot.as_mut() else {
        unreachable!("the slot was filled above")
    };
    let ragged = idx.iter().any(|&i| data.inputs[i].steps() != steps);
    let masked = ragged || idx.iter().any(|&i| data.masks[i].is_some());
    let mut weights = if masked {
        vec![T::zero(); steps * b]
    } else {
        Vec::new()
    };
    let (xm, dm) = (m.inputs.as_matrix_mut(), m.targets.as_matrix_mut());
    if ragged {
        xm.fill(T::zero());
        dm.fill(T::zero());
    }
    for (k, &i) in idx.iter().enumerate() {
        let (x, d) = (data.inputs[i].as_matrix(), data.targets[i].as_matrix());
        for t in 0..x.ncols() {
            xm.column_mut(t * b + k).copy_from(&x.column(t));
            dm.column_mut(t * b + k).copy_from(&d.column(t));
            if masked {
                weights[t * b + k] = data.masks[i].as_ref().map_or(T::one(), |w| w[t]);
            }
        }
    }
    m.mask = if masked {
        Some(Mask::new(weights, steps, b)?)
    } else {
        None
    };
    Ok(m)
}
