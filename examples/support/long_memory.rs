//! The long-memory comparison (adding problem, copy memory; Elman, IRNN, orthogonal, LSTM,
//! GRU), shared by the `long_memory` example and the tour.
#![allow(dead_code)]

use super::plot;
use super::progress::Progress;

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt};
use recurrent::activation::Activation;
use recurrent::cell::{Elman, Gru, Lstm};
use recurrent::grad::{Batch, Bptt, Loss, evaluate};
use recurrent::init::Init;
use recurrent::net::{Linear, Stack};
use recurrent::scalar::Real;
use recurrent::train::{Adam, Optimizer, clip_by_norm};
use recurrent::{Cell, Error, Mask, Net, Parameters, Sequence};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The five cells, in table order.
pub const CELLS: [Kind; 5] = [
    Kind::Elman,
    Kind::Irnn,
    Kind::Orthogonal,
    Kind::Lstm,
    Kind::Gru,
];

/// A cell of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Elman,
    Irnn,
    Orthogonal,
    Lstm,
    Gru,
}

impl Kind {
    /// The name in the output lines (a contract: `elman`, `irnn`, `orthogonal`, `lstm`, `gru`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Elman => "elman",
            Kind::Irnn => "irnn",
            Kind::Orthogonal => "orthogonal",
            Kind::Lstm => "lstm",
            Kind::Gru => "gru",
        }
    }

    fn color(self) -> &'static str {
        match self {
            Kind::Elman => "#d62728",
            Kind::Irnn => "#ff7f0e",
            Kind::Orthogonal => "#9467bd",
            Kind::Lstm => "#1f77b4",
            Kind::Gru => "#2ca02c",
        }
    }

    /// Hidden units for a task, chosen so every cell has about the same number of parameters
    /// with its read-out: Elman `N² + (I + O + 1)·N + O`, LSTM `4H² + (4I + 8 + O)·H + O`,
    /// GRU `3H² + (3I + 6 + O)·H + O`.
    fn hidden(self, task: TaskKind) -> usize {
        match (task, self) {
            (TaskKind::Adding, Kind::Lstm) => 16,
            (TaskKind::Adding, Kind::Gru) => 18,
            (TaskKind::Adding, _) => 32,
            (TaskKind::Copy, Kind::Lstm) => 18,
            (TaskKind::Copy, Kind::Gru) => 21,
            (TaskKind::Copy, _) => 40,
        }
    }
}

/// Which task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    Adding,
    Copy,
}

/// One task instance: the adding problem at length `T`, or copy memory at a delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    pub kind: TaskKind,
    /// `T` for the adding problem, the delay for copy memory.
    pub size: usize,
}

/// Inputs, targets and loss mask of a batch of sequences.
type Data<T> = (Sequence<T>, Sequence<T>, Mask<T>);

/// Copy memory: symbols 1..=8, blank 0, delimiter 9; the output classes are 0..=8.
const COPY_SYMBOLS: usize = 8;
const COPY_LEN: usize = 10;
const COPY_IN: usize = COPY_SYMBOLS + 2;
const COPY_OUT: usize = COPY_SYMBOLS + 1;

impl Task {
    fn steps(self) -> usize {
        match self.kind {
            TaskKind::Adding => self.size,
            TaskKind::Copy => self.size + 2 * COPY_LEN,
        }
    }

    fn n_input(self) -> usize {
        match self.kind {
            TaskKind::Adding => 2,
            TaskKind::Copy => COPY_IN,
        }
    }

    fn n_output(self) -> usize {
        match self.kind {
            TaskKind::Adding => 1,
            TaskKind::Copy => COPY_OUT,
        }
    }

    fn loss(self) -> Loss {
        match self.kind {
            TaskKind::Adding => Loss::mse(),
            TaskKind::Copy => Loss::softmax_cross_entropy(),
        }
    }

    /// The error of the memoryless answer: MSE of always answering 1, or the cross-entropy
    /// of blanks then a uniform guess.
    pub fn baseline(self) -> f64 {
        match self.kind {
            TaskKind::Adding => 1.0 / 6.0,
            TaskKind::Copy => COPY_LEN as f64 * (COPY_SYMBOLS as f64).ln() / self.steps() as f64,
        }
    }

    /// `b` random sequences of the task: inputs, targets and the loss mask.
    fn batch<T: Real, R: Rng + ?Sized>(self, b: usize, rng: &mut R) -> Result<Data<T>, Error> {
        let steps = self.steps();
        let lit = recurrent::scalar::lit::<T>;
        match self.kind {
            TaskKind::Adding => {
                let mut x = DMatrix::zeros(2, steps * b);
                let mut d = DMatrix::zeros(1, steps * b);
                let half = steps / 2;
                for j in 0..b {
                    for t in 0..steps {
                        x[(0, t * b + j)] = lit(rng.random::<f64>());
                    }
                    let first = rng.random_range(0..half);
                    let second = rng.random_range(half..steps);
                    x[(1, first * b + j)] = T::one();
                    x[(1, second * b + j)] = T::one();
                    d[(0, (steps - 1) * b + j)] = x[(0, first * b + j)] + x[(0, second * b + j)];
                }
                Ok((
                    Sequence::new(x, b)?,
                    Sequence::new(d, b)?,
                    Mask::last_step(steps, b),
                ))
            }
            TaskKind::Copy => {
                let mut x = DMatrix::zeros(COPY_IN, steps * b);
                let mut d = DMatrix::zeros(1, steps * b);
                for j in 0..b {
                    for t in 0..steps {
                        let input = if t < COPY_LEN {
                            let s = rng.random_range(1..=COPY_SYMBOLS);
                            d[(0, (steps - COPY_LEN + t) * b + j)] = lit(s as f64);
                            s
                        } else if t == self.size + COPY_LEN - 1 {
                            COPY_IN - 1 // the delimiter
                        } else {
                            0
                        };
                        x[(input, t * b + j)] = T::one();
                    }
                }
                Ok((
                    Sequence::new(x, b)?,
                    Sequence::new(d, b)?,
                    Mask::all(steps, b),
                ))
            }
        }
    }
}

/// The run's settings (see the command line in the module docs).
#[derive(Clone, Debug)]
pub struct Settings {
    pub seeds: usize,
    /// Optimiser steps per run.
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub lengths: Vec<usize>,
    pub delays: Vec<usize>,
    /// Sequences in each test set.
    pub test: usize,
    /// `T` of the gradient-norm plot.
    pub plot_len: usize,
    pub threads: usize,
    /// The cells to run (all five by default).
    pub cells: Vec<Kind>,
    pub out: PathBuf,
}

impl Settings {
    /// The example's default run.
    pub fn default_run() -> Self {
        Self {
            seeds: 3,
            steps: 1000,
            batch: 32,
            lr: 1e-2,
            lengths: vec![50, 100, 200, 400],
            delays: vec![10, 20, 40],
            test: 1024,
            plot_len: 200,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cells: CELLS.to_vec(),
            // the default folder; `from_args` checks the one the user asks for
            out: plot::default_dir(),
        }
    }

    /// `--quick` (and the tour): two seeds, 600 steps, `T` = 50 and 100, delay 10.
    pub fn quick() -> Self {
        Self {
            seeds: 2,
            steps: 600,
            lengths: vec![50, 100],
            delays: vec![10],
            test: 512,
            plot_len: 100,
            ..Self::default_run()
        }
    }

    /// Checks the settings and derives the gradient plot's length.
    pub fn checked(mut self) -> Result<Self, Box<dyn std::error::Error>> {
        if self.seeds == 0 || self.batch == 0 || self.test == 0 {
            return Err("--seeds, --batch and --test must be at least 1".into());
        }
        if self.lengths.iter().any(|t| *t < 2) || self.delays.contains(&0) {
            return Err("lengths must be at least 2 and delays at least 1".into());
        }
        self.plot_len = self
            .lengths
            .iter()
            .copied()
            .filter(|t| *t <= 200)
            .max()
            .unwrap_or(100);
        Ok(self)
    }
}

/// A cell by its name in the output lines.
pub fn kind_by_name(name: &str) -> Result<Kind, String> {
    CELLS
        .into_iter()
        .find(|k| k.name() == name.trim())
        .ok_or_else(|| format!("unknown cell {name:?} (elman, irnn, orthogonal, lstm, gru)"))
}

/// A model of any of the five cells for a task, with its read-out.
enum Model<T: Real> {
    Elman(Elman<T>),
    Lstm(Net<Stack<recurrent::cell::LstmCell<T>>>),
    Gru(Net<Stack<recurrent::cell::GruCell<T>>>),
}

impl<T: Real> Model<T> {
    fn new(kind: Kind, task: Task, seed: u64) -> Result<Self, Error> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let (i, o, h) = (task.n_input(), task.n_output(), kind.hidden(task.kind));
        let elman = |hidden, outer, recurrent, rng: &mut Xoshiro256PlusPlus| {
            Elman::<T>::builder(i, h, o)
                .hidden(hidden)
                .input_init(outer)
                .output_init(outer)
                .recurrent_init(recurrent)
                .build(rng)
        };
        Ok(match kind {
            Kind::Elman => Model::Elman(elman(
                Activation::Tanh,
                Init::Xavier,
                Init::Xavier,
                &mut rng,
            )?),
            // Le, Jaitly & Hinton (2015): W_aa = I, zero biases, the other weights N(0, 0.001²)
            Kind::Irnn => Model::Elman(elman(
                Activation::Relu,
                Init::Normal { std: 1e-3 },
                Init::Identity { scale: 1.0 },
                &mut rng,
            )?),
            Kind::Orthogonal => Model::Elman(elman(
                Activation::Tanh,
                Init::Xavier,
                Init::Orthogonal { gain: 1.0 },
                &mut rng,
            )?),
            Kind::Lstm => {
                let cell = Lstm::<T>::builder(i, h).forget_bias(1.0).build(&mut rng)?;
                Model::Lstm(
                    Stack::builder(cell)
                        .head(Linear::new(h, o)?)
                        .build(&mut rng)?,
                )
            }
            Kind::Gru => {
                let cell = Gru::<T>::builder(i, h).build(&mut rng)?;
                Model::Gru(
                    Stack::builder(cell)
                        .head(Linear::new(h, o)?)
                        .build(&mut rng)?,
                )
            }
        })
    }

    fn n_params(&self) -> usize {
        match self {
            Model::Elman(n) => n.n_params(),
            Model::Lstm(n) => n.n_params(),
            Model::Gru(n) => n.n_params(),
        }
    }

    /// Rows of the state that hold `h` (the LSTM's state is `[h; c]`).
    fn hidden_rows(&self) -> usize {
        match self {
            Model::Elman(n) => n.n_hidden(),
            Model::Lstm(n) => n.cell().cell().n_hidden(),
            Model::Gru(n) => n.cell().cell().n_hidden(),
        }
    }
}

/// The outcome of one training run.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub kind: Kind,
    pub task: Task,
    pub seed: usize,
    pub params: usize,
    /// Test error (MSE for adding, cross-entropy per step for copy); `None` if training
    /// diverged.
    pub error: Option<f64>,
    /// The baseline's error on the same test set.
    pub baseline: f64,
    /// The trained θ, kept for the gradient plot (seed 0, adding at the plot's length).
    pub trained: Option<Vec<f32>>,
}

impl Outcome {
    /// Beats the memoryless baseline by a margin that sampling noise does not reach.
    pub fn below_baseline(&self) -> bool {
        self.error.is_some_and(|e| e < 0.9 * self.baseline)
    }
}

/// The fixed test set of a task (the same for every cell and seed).
fn test_set<T: Real>(task: Task, settings: &Settings) -> Result<Vec<Data<T>>, Error> {
    let salt = if task.kind == TaskKind::Copy { 1 } else { 0 };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x7e57 ^ ((task.size as u64) << 8) ^ salt);
    let chunk = 128.min(settings.test);
    let mut out = Vec::new();
    let mut left = settings.test;
    while left > 0 {
        let b = chunk.min(left);
        out.push(task.batch(b, &mut rng)?);
        left -= b;
    }
    Ok(out)
}

/// Test error of `net` and of the baseline: MSE at the last step for adding (`Loss::mse`
/// halves it), mean cross-entropy for copy.
fn test_error<T: Real, C: Cell<Scalar = T>>(
    net: &Net<C>,
    task: Task,
    set: &[Data<T>],
) -> Result<(f64, f64), Error> {
    let (mut err, mut base, mut n) = (0.0, 0.0, 0usize);
    for (x, d, m) in set {
        let l =
            recurrent::scalar::to_f64(evaluate(net, Batch::new(x, d).with_mask(m), task.loss())?);
        let b = x.batch();
        n += b;
        match task.kind {
            TaskKind::Adding => {
                err += 2.0 * l * b as f64;
                let last = d.step(d.steps() - 1);
                base += last
                    .iter()
                    .map(|v| (recurrent::scalar::to_f64(*v) - 1.0).powi(2))
                    .sum::<f64>();
            }
            TaskKind::Copy => {
                err += l * b as f64;
                base += task.baseline() * b as f64;
            }
        }
    }
    Ok((err / n as f64, base / n as f64))
}

/// Trains `net` on fresh batches and returns its test error (`None` if it diverged) and the
/// baseline's.
fn train<T: Real, C: Cell<Scalar = T>>(
    net: &mut Net<C>,
    task: Task,
    settings: &Settings,
    seed: u64,
    set: &[Data<T>],
) -> Result<(Option<f64>, f64), Error> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xda7a);
    let mut ws = Bptt::new(net, task.steps(), settings.batch);
    let mut adam = Adam::<T>::new(settings.lr)?;
    let mut grad = vec![T::zero(); net.n_params()];
    for _ in 0..settings.steps {
        let (x, d, m) = task.batch::<T, _>(settings.batch, &mut rng)?;
        match ws.compute(net, Batch::new(&x, &d).with_mask(&m), task.loss()) {
            Ok(_) => {}
            Err(Error::NonFinite { .. }) => {
                let (_, base) = test_error(net, task, set).unwrap_or((f64::NAN, task.baseline()));
                return Ok((None, base));
            }
            Err(e) => return Err(e),
        }
        grad.copy_from_slice(ws.grad());
        clip_by_norm(&mut grad, 1.0)?;
        adam.step(net.params_mut(), &grad)?;
    }
    match test_error(net, task, set) {
        Ok((e, b)) => Ok((e.is_finite().then_some(e), b)),
        Err(Error::NonFinite { .. }) => Ok((None, task.baseline())),
        Err(e) => Err(e),
    }
}

/// The initialisation seed of run `seed`.
fn init_seed(seed: usize) -> u64 {
    1000 * seed as u64 + 17
}

fn run_one(kind: Kind, task: Task, seed: usize, settings: &Settings) -> Result<Outcome, Error> {
    let set = test_set::<f32>(task, settings)?;
    let s = init_seed(seed);
    let model = Model::<f32>::new(kind, task, s)?;
    let params = model.n_params();
    let ((error, baseline), theta) = match model {
        Model::Elman(mut n) => (train(&mut n, task, settings, s, &set)?, n.params().to_vec()),
        Model::Lstm(mut n) => (train(&mut n, task, settings, s, &set)?, n.params().to_vec()),
        Model::Gru(mut n) => (train(&mut n, task, settings, s, &set)?, n.params().to_vec()),
    };
    let keep = seed == 0 && task.kind == TaskKind::Adding && task.size == settings.plot_len;
    Ok(Outcome {
        kind,
        task,
        seed,
        params,
        error,
        baseline,
        trained: keep.then_some(theta),
    })
}

/// Every (task, cell, seed) run, spread over `settings.threads` threads (each run is
/// deterministic on its own, so the results do not depend on the thread count).
pub fn run_all(settings: &Settings) -> Result<Vec<Outcome>, Box<dyn std::error::Error>> {
    let mut jobs = Vec::new();
    let tasks = settings
        .lengths
        .iter()
        .map(|&size| Task {
            kind: TaskKind::Adding,
            size,
        })
        .chain(settings.delays.iter().map(|&size| Task {
            kind: TaskKind::Copy,
            size,
        }));
    for task in tasks {
        for &kind in &settings.cells {
            for seed in 0..settings.seeds {
                jobs.push((kind, task, seed));
            }
        }
    }
    // longest first, so the last thread does not finish alone
    jobs.sort_by_key(|(_, t, _)| std::cmp::Reverse(t.steps()));
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let bar = Progress::new("long-memory runs", jobs.len() as u64, "runs");
    std::thread::scope(|s| {
        for _ in 0..settings.threads.min(jobs.len()).max(1) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(kind, task, seed)) = jobs.get(k) else {
                        break;
                    };
                    let r = run_one(kind, task, seed, settings);
                    results.lock().expect("no panics").push(r);
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish();
    let mut out = Vec::new();
    for r in results.into_inner().expect("no panics") {
        out.push(r?);
    }
    out.sort_by_key(|o| {
        (
            o.task.kind == TaskKind::Copy,
            o.task.size,
            CELLS.iter().position(|k| *k == o.kind),
            o.seed,
        )
    });
    Ok(out)
}

/// Median of the test errors of the seeds (a diverged run counts as +∞).
fn median(errors: &[Option<f64>]) -> f64 {
    let mut v: Vec<f64> = errors.iter().map(|e| e.unwrap_or(f64::INFINITY)).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Outcomes of one task and cell, over the seeds.
fn group(all: &[Outcome], task: Task, kind: Kind) -> Vec<&Outcome> {
    all.iter()
        .filter(|o| o.task == task && o.kind == kind)
        .collect()
}

/// What the papers report, per cell, as checked in docs/long_memory.md (its "reported"
/// column gives the section or figure; "A" is Arjovsky, Shah & Bengio 2016).
fn reported(task: TaskKind, kind: Kind) -> &'static str {
    match (task, kind) {
        (TaskKind::Adding, Kind::Elman) => {
            "Arjovsky et al. 2016: not below the baseline at T = 100…750 (Fig. 2)"
        }
        (TaskKind::Adding, Kind::Irnn) => {
            "Arjovsky et al. 2016: not below the baseline; Le et al. 2015 solved T = 300 (per A)"
        }
        (TaskKind::Adding, Kind::Orthogonal) => "not in these papers",
        (TaskKind::Adding, Kind::Lstm) => {
            "Arjovsky et al. 2016: below the baseline up to T = 400 (Fig. 2)"
        }
        (TaskKind::Adding, Kind::Gru) => "not in these papers",
        (TaskKind::Copy, Kind::Elman) => {
            "Arjovsky et al. 2016: at the baseline aside from the simplest case (§4.1)"
        }
        (TaskKind::Copy, Kind::Irnn) => {
            "Arjovsky et al. 2016: unstable, curves not shown (no figure)"
        }
        (TaskKind::Copy, Kind::Orthogonal) => "not in Arjovsky et al. 2016",
        (TaskKind::Copy, Kind::Lstm) => {
            "Arjovsky et al. 2016: beats the baseline only at T = 100 (Fig. 1)"
        }
        (TaskKind::Copy, Kind::Gru) => "not in Arjovsky et al. 2016",
    }
}

/// Prints the tables and the contract lines.
pub fn report(all: &[Outcome], settings: &Settings) {
    for kind_t in [TaskKind::Adding, TaskKind::Copy] {
        let sizes: Vec<usize> = match kind_t {
            TaskKind::Adding => settings.lengths.clone(),
            TaskKind::Copy => settings.delays.clone(),
        };
        if sizes.is_empty() {
            continue;
        }
        let (what, metric, label) = match kind_t {
            TaskKind::Adding => (
                "adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015)",
                "test MSE",
                "T",
            ),
            TaskKind::Copy => (
                "copy memory (Arjovsky, Shah & Bengio 2016)",
                "test cross-entropy per step",
                "delay",
            ),
        };
        println!("\n{what}:");
        println!(
            "median {metric} over {} seeds (in brackets: seeds below 0.9 × baseline),",
            settings.seeds
        );
        println!(
            "{} Adam steps of {} sequences, lr {}",
            settings.steps, settings.batch, settings.lr
        );
        let mut header = format!("{:<11} {:>6}", "cell", "params");
        for s in &sizes {
            header += &format!(" | {:>15}", format!("{label}={s}"));
        }
        println!("{header}");
        let mut base = format!("{:<11} {:>6}", "baseline", "");
        for &s in &sizes {
            let task = Task {
                kind: kind_t,
                size: s,
            };
            let b = all
                .iter()
                .find(|o| o.task == task)
                .map_or(task.baseline(), |o| o.baseline);
            base += &format!(" | {:>15}", format!("{b:.4}"));
        }
        println!("{base}");
        for &kind in &settings.cells {
            let mut row = String::new();
            let mut params = 0;
            for &s in &sizes {
                let g = group(
                    all,
                    Task {
                        kind: kind_t,
                        size: s,
                    },
                    kind,
                );
                params = g.first().map_or(0, |o| o.params);
                let errs: Vec<Option<f64>> = g.iter().map(|o| o.error).collect();
                let k = g.iter().filter(|o| o.below_baseline()).count();
                row += &format!(
                    " | {:>15}",
                    format!("{:.4} ({k}/{})", median(&errs), g.len())
                );
            }
            println!("{:<11} {params:>6}{row}", kind.name());
        }
        println!("reported in the papers:");
        for &kind in &settings.cells {
            println!("  {:<11} {}", kind.name(), reported(kind_t, kind));
        }
    }
    println!();
    // the contract lines: `adding T=<T> <cell>: mse <x>, <k>/<n> seeds below baseline`, and
    // the same for the copy task's delays
    let tasks = [
        (TaskKind::Adding, &settings.lengths, "adding T", "mse"),
        (
            TaskKind::Copy,
            &settings.delays,
            "copy delay",
            "cross-entropy",
        ),
    ];
    for (task_kind, sizes, label, metric) in tasks {
        for &size in sizes.iter() {
            let o_task = Task {
                kind: task_kind,
                size,
            };
            for &kind in &settings.cells {
                let g = group(all, o_task, kind);
                let errs: Vec<Option<f64>> = g.iter().map(|o| o.error).collect();
                let k = g.iter().filter(|o| o.below_baseline()).count();
                println!(
                    "{label}={size} {}: {metric} {:.4}, {k}/{} seeds below baseline",
                    kind.name(),
                    median(&errs),
                    g.len()
                );
            }
        }
    }
    let diverged = all.iter().filter(|o| o.error.is_none()).count();
    if diverged > 0 {
        println!("({diverged} runs diverged: counted as +∞, not below baseline)");
    }
}

/// `‖∂L/∂h⟨t⟩‖` for `t = 0..T` (Frobenius over a batch of 16 adding sequences) of a loss on
/// the last step, for `net` at its initialisation, in f64 so nothing underflows.
fn gradient_norms<C: Cell<Scalar = f64>>(
    net: &Net<C>,
    h: usize,
    task: Task,
) -> Result<Vec<f64>, Error> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(99);
    let (x, d, m) = task.batch::<f64, _>(16, &mut rng)?;
    let mut ws = Bptt::new(net, task.steps(), 16);
    ws.compute(net, Batch::new(&x, &d).with_mask(&m), Loss::sum_squared())?;
    Ok((0..task.steps())
        .map(|t| ws.trace().d_state(t).rows(0, h).norm())
        .collect())
}

/// The gradient-norm plot, at initialisation (dashed) and after training (seed 0, solid), and
/// a printed summary; returns the SVG's path.
pub fn plot_gradients(
    all: &[Outcome],
    settings: &Settings,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let task = Task {
        kind: TaskKind::Adding,
        size: settings.plot_len,
    };
    let t_max = task.steps();
    let mut plot = plot::Plot::new(
        &format!(
            "Gradient ‖∂L/∂h⟨t⟩‖ of a loss at step {t_max}, adding problem (dashed: initial, solid: trained)"
        ),
        "step t",
        "‖∂L/∂h⟨t⟩‖ (log scale)",
    )
    .log_y();
    plot.size = (1000, 480);
    println!(
        "\ngradient reaching h⟨t⟩ from a loss at the last step (adding, T = {t_max}, seed 0, 16 sequences):"
    );
    println!(
        "{:<11} {:<7} | {:>9} {:>9} {:>9} {:>9}",
        "cell", "", "t = T−1", "T−10", "T−50", "t = 1"
    );
    for &kind in &settings.cells {
        let mut model = Model::<f64>::new(kind, task, init_seed(0))?;
        let h = model.hidden_rows();
        let trained = all
            .iter()
            .find(|o| o.kind == kind && o.task == task && o.seed == 0)
            .and_then(|o| o.trained.clone());
        for (label, theta) in [("initial", None), ("trained", trained)] {
            if label == "trained" {
                let Some(theta) = theta else { continue };
                let theta: Vec<f64> = theta.iter().map(|v| f64::from(*v)).collect();
                match &mut model {
                    Model::Elman(n) => n.set_params(&theta)?,
                    Model::Lstm(n) => n.set_params(&theta)?,
                    Model::Gru(n) => n.set_params(&theta)?,
                }
            }
            let g = match &model {
                Model::Elman(n) => gradient_norms(n, h, task)?,
                Model::Lstm(n) => gradient_norms(n, h, task)?,
                Model::Gru(n) => gradient_norms(n, h, task)?,
            };
            let at = |t: usize| g.get(t).copied().unwrap_or(f64::NAN);
            println!(
                "{:<11} {label:<7} | {:>9.2e} {:>9.2e} {:>9.2e} {:>9.2e}",
                kind.name(),
                at(t_max - 1),
                at(t_max.saturating_sub(10)),
                at(t_max.saturating_sub(50)),
                at(1)
            );
            let points = g
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(_, v)| **v > 0.0)
                .map(|(t, v)| (t as f64, *v))
                .collect();
            let name = format!("{} ({label})", kind.name());
            let series = plot::Series::line(&name, kind.color(), points);
            plot.series.push(if label == "initial" {
                series.dashed()
            } else {
                series
            });
        }
    }
    Ok(plot.save(&settings.out, "long_memory_gradients.svg")?)
}

/// Median test MSE of the adding problem against `T`, with the baseline.
pub fn plot_adding(
    all: &[Outcome],
    settings: &Settings,
) -> Result<Option<PathBuf>, Box<dyn std::error::Error>> {
    if settings.lengths.len() < 2 {
        return Ok(None);
    }
    let mut plot = plot::Plot::new(
        "Adding problem: median test MSE over seeds against the sequence length",
        "sequence length T (steps)",
        "test MSE (squared error of the sum)",
    );
    for &kind in &settings.cells {
        let points = settings
            .lengths
            .iter()
            .map(|&size| {
                let g = group(
                    all,
                    Task {
                        kind: TaskKind::Adding,
                        size,
                    },
                    kind,
                );
                let errs: Vec<Option<f64>> = g.iter().map(|o| o.error).collect();
                (size as f64, median(&errs).min(0.5))
            })
            .collect();
        plot.series
            .push(plot::Series::line(kind.name(), kind.color(), points).dots());
    }
    let base = settings
        .lengths
        .iter()
        .map(|&t| (t as f64, 1.0 / 6.0))
        .collect();
    plot.series
        .push(plot::Series::line("predict 1", "#777", base).dashed());
    plot.y_range = Some((0.0, 0.25));
    Ok(Some(plot.save(&settings.out, "long_memory_adding.svg")?))
}

/// The whole example for `settings`.
pub fn run(settings: &Settings) -> Result<Vec<Outcome>, Box<dyn std::error::Error>> {
    let t0 = std::time::Instant::now();
    let all = run_all(settings)?;
    report(&all, settings);
    let g = plot_gradients(&all, settings)?;
    plot::announce(&g);
    if let Some(p) = plot_adding(&all, settings)? {
        plot::announce(&p);
    }
    println!(
        "({} runs on {} threads in {:.0} s)",
        all.len(),
        settings.threads,
        t0.elapsed().as_secs_f64()
    );
    Ok(all)
}
