//! Training Word2Vec: skip-gram and CBOW, with negative sampling, hierarchical softmax or both
//! (Mikolov et al. 2013a, 2013b), on any number of Hogwild threads.
//!
//! Every word `w` has an input vector `v_w` (the row returned in the model) and output
//! vectors (`u_w` for negative sampling, one `u_n` per Huffman inner node for hierarchical
//! softmax), all `d` long. For each centre word at position `t` a window half-width
//! `b ~ U{1, …, window}` is drawn (the C tool's *reduced window*, which weights near words
//! more), and the context is the kept words at positions `t−b … t+b`, `≠ t`, inside the
//! sentence.
//!
//! * **Skip-gram**: each context word's `h = v_c` predicts the centre word `w`.
//! * **CBOW**: `h = (1/|C|)·Σ_{c∈C} v_c` (or the sum, with `cbow_mean = false`) predicts `w`.
//!
//! Given `h` and the target `w`:
//!
//! * **Negative sampling** with `k` noise words `n_i ~ P(w) ∝ f_w^0.75` minimises
//!   `−log σ(u_w·h) − Σ_i log σ(−u_{n_i}·h)`.
//! * **Hierarchical softmax** minimises `−Σ_k log σ((1 − 2c_k)·u_{n_k}·h)` along the word's
//!   Huffman path (see [`Huffman`]).
//!
//! Plain SGD with the learning rate decaying linearly from `alpha` to `min_alpha` over all
//! epochs: `α(p) = alpha − (alpha − min_alpha)·p`, `p` the fraction of the planned
//! `epochs × T` words processed (updated every 10,000 words per thread, as the C tool does).
//! With `sample > 0`, frequent words are first dropped with the probability of
//! [`keep_probability`](super::keep_probability).
//!
//! `σ` is read from a 2,048-entry table on `(−6, 6)` at bin centres (`|σ′| ≤ 1/4`, so the error
//! is below 10⁻³); outside it the C tool's rules apply (a saturated `σ` for negative sampling,
//! no update for hierarchical softmax). The loss terms `−log σ(±u·h)` are interpolated from a
//! table on `[−16, 16]` (within 2·10⁻⁶; beyond it `−log σ(x) = max(−x, 0)` within 10⁻⁷), for
//! saturated predictions too, and tallied per thread in `f64`; the reports sum the threads.
//!
//! # References
//!
//! [^1]: T. Mikolov, K. Chen, G. Corrado, J. Dean (2013a), "Efficient Estimation of Word
//!   Representations in Vector Space", arXiv:1301.3781.
//! [^2]: T. Mikolov, I. Sutskever, K. Chen, G. Corrado, J. Dean (2013b), "Distributed
//!   Representations of Words and Phrases and their Compositionality", NeurIPS.

use super::Word2Vec;
use super::hogwild::{Hogwild, SimdTask, with_best_simd};
use super::huffman::Huffman;
use super::sampling::{NoiseSampler, keep_thresholds};
use super::vocab::{Sentence, Vocab};
use crate::error::{Error, Result};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

/// Which word predicts which.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Architecture {
    /// Each context word predicts the centre word.
    SkipGram,
    /// The combined context (mean or sum) predicts the centre word.
    #[default]
    Cbow,
}

/// Training hyper-parameters, validated by [`Trainer::new`] (or [`TrainConfig::build`]).
///
/// Defaults follow gensim 4 (and the C tool where gensim has no opinion):
///
/// | Name | Default | Purpose | Range |
/// |---|---|---|---|
/// | `architecture` | `Cbow` | skip-gram or CBOW | — |
/// | `cbow_mean` | `true` | CBOW input: mean (`true`) or sum of the context vectors | — |
/// | `dim` | 100 | vector dimension `d` | ≥ 1 |
/// | `window` | 5 | maximal window half-width (reduced at random per word) | ≥ 1 |
/// | `min_count` | 5 | drop words seen fewer times | ≥ 1 (0 acts as 1) |
/// | `max_vocab` | `None` | keep only the most frequent words | ≥ 1 |
/// | `sample` | 10⁻³ | subsampling threshold `s` (0 disables) | finite, ≥ 0 |
/// | `negative` | 5 | noise words per prediction (0 disables negative sampling) | 0 ..= 1000 |
/// | `hs` | `false` | hierarchical softmax | `hs` or `negative > 0` |
/// | `ns_exponent` | 0.75 | noise distribution `∝ count^ns_exponent` | finite |
/// | `alpha` | 0.025 | initial learning rate | finite, > 0 |
/// | `min_alpha` | 10⁻⁴ | final learning rate | finite, 0 ≤ `min_alpha` ≤ `alpha` |
/// | `epochs` | 5 | passes over the corpus | ≥ 1 |
/// | `threads` | 1 | Hogwild threads (1 = deterministic) | 1 ..= 1024 |
/// | `max_sentence_len` | 10,000 | longer sentences are cut into pieces | ≥ 1 |
///
/// The C tool uses `alpha = 0.05` for CBOW and `min_alpha = alpha·10⁻⁴`.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{Architecture, TrainConfig};
/// let trainer = TrainConfig::new()
///     .with_architecture(Architecture::SkipGram)
///     .with_dim(50)
///     .with_epochs(3)
///     .build()?;
/// assert_eq!(trainer.config().dim(), 50);
/// assert!(TrainConfig::new().with_window(0).build().is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    architecture: Architecture,
    cbow_mean: bool,
    dim: usize,
    window: usize,
    min_count: u64,
    max_vocab: Option<usize>,
    sample: f64,
    negative: usize,
    hs: bool,
    ns_exponent: f64,
    alpha: f32,
    min_alpha: f32,
    epochs: usize,
    threads: usize,
    max_sentence_len: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            architecture: Architecture::Cbow,
            cbow_mean: true,
            dim: 100,
            window: 5,
            min_count: 5,
            max_vocab: None,
            sample: 1e-3,
            negative: 5,
            hs: false,
            ns_exponent: 0.75,
            alpha: 0.025,
            min_alpha: 1e-4,
            epochs: 5,
            threads: 1,
            max_sentence_len: 10_000,
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $with:ident, $get:ident, $field:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $with(mut self, $field: $ty) -> Self {
                self.$field = $field;
                self
            }

            $(#[$doc])*
            pub fn $get(&self) -> $ty {
                self.$field
            }
        )*
    };
}

impl TrainConfig {
    /// The defaults of the table above.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// Skip-gram or CBOW.
        with_architecture, architecture, architecture: Architecture;
        /// CBOW: mean (`true`) or sum of the context vectors.
        with_cbow_mean, cbow_mean, cbow_mean: bool;
        /// Vector dimension.
        with_dim, dim, dim: usize;
        /// Maximal window half-width.
        with_window, window, window: usize;
        /// Minimal count of a vocabulary word.
        with_min_count, min_count, min_count: u64;
        /// Maximal vocabulary size.
        with_max_vocab, max_vocab, max_vocab: Option<usize>;
        /// Subsampling threshold (0 disables).
        with_sample, sample, sample: f64;
        /// Noise words per prediction (0 disables negative sampling).
        with_negative, negative, negative: usize;
        /// Hierarchical softmax on or off.
        with_hs, hs, hs: bool;
        /// Exponent of the noise distribution.
        with_ns_exponent, ns_exponent, ns_exponent: f64;
        /// Initial learning rate.
        with_alpha, alpha, alpha: f32;
        /// Final learning rate.
        with_min_alpha, min_alpha, min_alpha: f32;
        /// Passes over the corpus.
        with_epochs, epochs, epochs: usize;
        /// Hogwild threads (1 = deterministic).
        with_threads, threads, threads: usize;
        /// Longest sentence trained as one piece.
        with_max_sentence_len, max_sentence_len, max_sentence_len: usize;
    }

    /// Validates the configuration into a [`Trainer`].
    ///
    /// # Errors
    ///
    /// As [`Trainer::new`].
    pub fn build(self) -> Result<Trainer> {
        Trainer::new(self)
    }

    fn validate(&self) -> Result<()> {
        let bad = |name, reason: &str| Err(Error::invalid(name, reason));
        if self.dim == 0 {
            return bad("dim", "must be at least 1");
        }
        if self.window == 0 {
            return bad("window", "must be at least 1");
        }
        if self.max_vocab == Some(0) {
            return bad("max_vocab", "must be at least 1 when given");
        }
        if !(self.sample.is_finite() && self.sample >= 0.0) {
            return bad("sample", "must be finite and ≥ 0");
        }
        if self.negative > 1000 {
            return bad("negative", "must be at most 1000");
        }
        if !self.hs && self.negative == 0 {
            return bad("negative", "is 0 and hs is off: nothing to train");
        }
        if !self.ns_exponent.is_finite() {
            return bad("ns_exponent", "must be finite");
        }
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return bad("alpha", "must be finite and > 0");
        }
        if !(self.min_alpha.is_finite() && self.min_alpha >= 0.0 && self.min_alpha <= self.alpha) {
            return bad("min_alpha", "must be finite with 0 ≤ min_alpha ≤ alpha");
        }
        if self.epochs == 0 {
            return bad("epochs", "must be at least 1");
        }
        if self.threads == 0 || self.threads > 1024 {
            return bad("threads", "must be in 1..=1024");
        }
        if self.max_sentence_len == 0 {
            return bad("max_sentence_len", "must be at least 1");
        }
        Ok(())
    }
}

/// A progress report, passed to the training callback about ten times a second and once at
/// the end of every epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// The current epoch, from 0.
    pub epoch: usize,
    /// Planned epochs.
    pub epochs: usize,
    /// Vocabulary words read so far over all epochs (before subsampling).
    pub words: u64,
    /// Planned words: `epochs × T` ([`Vocab::total`]).
    pub total_words: u64,
    /// The learning rate now.
    pub alpha: f32,
    /// Words read per wall-clock second since training started.
    pub words_per_sec: f64,
    /// Wall-clock time since training started.
    pub elapsed: Duration,
    /// Sum of the loss terms of this epoch so far (one `−log σ(±u·h)` per target and noise
    /// word, or per Huffman node), tallied in `f64` by every thread and summed.
    pub epoch_loss: f64,
    /// Number of loss terms in [`Progress::epoch_loss`].
    pub epoch_terms: u64,
    /// `true` for the report that closes an epoch (the figures are then exact).
    pub epoch_done: bool,
}

impl Progress {
    /// `words / total_words`, in `[0, 1]` unless the corpus grew since the vocabulary was built.
    pub fn fraction(&self) -> f64 {
        if self.total_words == 0 {
            0.0
        } else {
            self.words as f64 / self.total_words as f64
        }
    }

    /// Mean loss per term this epoch (0 before the first term).
    pub fn mean_loss(&self) -> f64 {
        if self.epoch_terms == 0 {
            0.0
        } else {
            self.epoch_loss / self.epoch_terms as f64
        }
    }
}

/// A validated training configuration: builds vocabularies and trains models.
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use recurrent::{Embedding, word2vec::TrainConfig};
/// let corpus = vec!["the cat sat on the mat"; 50];
/// let trainer = TrainConfig::new().with_dim(8).with_min_count(1).with_epochs(2).build()?;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let model = trainer.fit(|| corpus.iter(), &mut rng, |_| {})?;
/// assert_eq!(model.vocab_len(), 5);
/// assert_eq!(model.dim(), 8);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Trainer {
    config: TrainConfig,
}

impl Trainer {
    /// Validates `config`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] naming the first value outside the range of the
    /// [`TrainConfig`] table (including `negative = 0` with `hs` off).
    pub fn new(config: TrainConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The configuration.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Builds the vocabulary from sentences with the configured `min_count` and `max_vocab`.
    ///
    /// # Errors
    ///
    /// As [`Vocab::from_sentences`].
    pub fn build_vocab<I>(&self, sentences: I) -> Result<Vocab>
    where
        I: IntoIterator,
        I::Item: Sentence,
    {
        Vocab::from_sentences(sentences, self.config.min_count, self.config.max_vocab)
    }

    /// Builds the vocabulary from the sentences `corpus()` yields, then trains on it
    /// (`corpus` is called once for the vocabulary and once per epoch).
    ///
    /// # Errors
    ///
    /// As [`Trainer::build_vocab`] and [`Trainer::train`].
    pub fn fit<F, I, R, P>(&self, mut corpus: F, rng: &mut R, progress: P) -> Result<Word2Vec>
    where
        F: FnMut() -> I,
        I: IntoIterator,
        I::IntoIter: Send,
        I::Item: Sentence + Send,
        R: Rng + ?Sized,
        P: FnMut(&Progress),
    {
        let vocab = self.build_vocab(corpus())?;
        self.train(&vocab, corpus, rng, progress)
    }

    /// Builds the vocabulary from a text file (one sentence per line, words separated by
    /// whitespace), then trains on it, streaming the file line by line each epoch.
    ///
    /// # Errors
    ///
    /// As [`Vocab::from_file`] and [`Trainer::train_file`].
    pub fn fit_file<R, P>(
        &self,
        path: impl AsRef<Path>,
        rng: &mut R,
        progress: P,
    ) -> Result<Word2Vec>
    where
        R: Rng + ?Sized,
        P: FnMut(&Progress),
    {
        let vocab = Vocab::from_file(&path, self.config.min_count, self.config.max_vocab)?;
        self.train_file(&vocab, path, rng, progress)
    }

    /// Trains vectors for `vocab` on the sentences `corpus()` yields (called once per epoch;
    /// the corpus is never collected). Words not in `vocab` are skipped.
    ///
    /// With one thread the result depends only on the configuration, the corpus and `rng`:
    /// the same seed gives bit-identical vectors. With more threads, each takes batches of
    /// sentences from the corpus and updates the shared rows without locks (Hogwild; Recht
    /// et al. 2011), as the C tool, gensim and fastText do: two threads writing one row at the
    /// same moment may lose part of one small update, so results vary slightly from run to
    /// run. The lock-free sharing is written with `unsafe` code in one small private module.
    ///
    /// `progress` is called on the calling thread about ten times a second and once at the
    /// end of each epoch.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if an epoch's corpus holds no vocabulary word;
    /// [`Error::NonFinite`] if training diverged (a vector holds NaN or ±∞; lower `alpha`).
    pub fn train<F, I, R, P>(
        &self,
        vocab: &Vocab,
        mut corpus: F,
        rng: &mut R,
        progress: P,
    ) -> Result<Word2Vec>
    where
        F: FnMut() -> I,
        I: IntoIterator,
        I::IntoIter: Send,
        I::Item: Sentence + Send,
        R: Rng + ?Sized,
        P: FnMut(&Progress),
    {
        self.run(vocab, |_| Ok(corpus().into_iter()), rng, progress)
    }

    /// Trains vectors for `vocab` on a text file (one sentence per line), read line by line
    /// each epoch: the corpus is never held in memory.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be opened or read (including invalid UTF-8), and the
    /// errors of [`Trainer::train`].
    pub fn train_file<R, P>(
        &self,
        vocab: &Vocab,
        path: impl AsRef<Path>,
        rng: &mut R,
        progress: P,
    ) -> Result<Word2Vec>
    where
        R: Rng + ?Sized,
        P: FnMut(&Progress),
    {
        let path = path.as_ref();
        let ctx = || format!("reading the corpus {}", path.display());
        let error: Mutex<Option<std::io::Error>> = Mutex::new(None);
        let model = self.run(
            vocab,
            |_| {
                let f = std::fs::File::open(path).map_err(|e| Error::io(ctx(), e))?;
                Ok(Lines {
                    reader: std::io::BufReader::with_capacity(1 << 16, f),
                    error: &error,
                })
            },
            rng,
            progress,
        );
        if let Some(e) = error
            .lock()
            .map_err(|_| Error::io(ctx(), std::io::Error::other("poisoned")))?
            .take()
        {
            return Err(Error::io(ctx(), e));
        }
        model
    }

    fn run<F, It, R, P>(
        &self,
        vocab: &Vocab,
        mut corpus: F,
        rng: &mut R,
        mut progress: P,
    ) -> Result<Word2Vec>
    where
        F: FnMut(usize) -> Result<It>,
        It: Iterator + Send,
        It::Item: Sentence + Send,
        R: Rng + ?Sized,
        P: FnMut(&Progress),
    {
        let c = &self.config;
        let (v, d) = (vocab.len(), c.dim);
        // Input vectors ~ U(−0.5, 0.5)/d, as the C tool; output vectors start at zero. Sizes
        // that cannot be allocated are errors naming them, not aborts.
        let inv_d = 1.0 / d as f32;
        let mut syn0 = crate::io::try_filled("dim", v, d, 0f32)?;
        for x in &mut syn0 {
            *x = (rng.random::<f32>() - 0.5) * inv_d;
        }
        let mut syn1neg =
            crate::io::try_filled("dim", if c.negative > 0 { v } else { 0 }, d, 0f32)?;
        let huffman = if c.hs {
            Some(Huffman::new(vocab.counts())?)
        } else {
            None
        };
        let mut syn1 =
            crate::io::try_filled("dim", huffman.as_ref().map_or(0, Huffman::n_inner), d, 0f32)?;
        let noise = if c.negative > 0 {
            Some(NoiseSampler::new(vocab.counts(), c.ns_exponent)?)
        } else {
            None
        };
        let keep = keep_thresholds(vocab.counts(), c.sample);
        let table = SigmoidTable::new();
        let total = vocab.total();
        let shared = Shared {
            syn0: Hogwild::new(&mut syn0, d),
            syn1neg: Hogwild::new(&mut syn1neg, d),
            syn1: Hogwild::new(&mut syn1, d),
            noise: noise.as_ref(),
            huffman: huffman.as_ref(),
            keep: &keep,
            table: &table,
            vocab,
            words: AtomicU64::new(0),
            planned: (total as f64) * c.epochs as f64,
            config: c,
        };
        let mut workers: Vec<Worker> = (0..c.threads)
            .map(|_| Worker::new(d, rng.next_u64(), c.alpha))
            .collect();
        let slots: Vec<Slot> = (0..c.threads).map(|_| Slot::default()).collect();
        let start = Instant::now();
        let report = |epoch, done| {
            let words = shared.words.load(Ordering::Relaxed);
            let elapsed = start.elapsed();
            let (mut loss, mut terms) = (0.0, 0);
            for s in &slots {
                loss += f64::from_bits(s.loss.load(Ordering::Relaxed));
                terms += s.terms.load(Ordering::Relaxed);
            }
            Progress {
                epoch,
                epochs: c.epochs,
                words,
                total_words: total.saturating_mul(c.epochs as u64),
                alpha: shared.alpha_at(words),
                words_per_sec: words as f64 / elapsed.as_secs_f64().max(1e-9),
                elapsed,
                epoch_loss: loss,
                epoch_terms: terms,
                epoch_done: done,
            }
        };
        for epoch in 0..c.epochs {
            let source = Mutex::new(corpus(epoch)?);
            let words_before = shared.words.load(Ordering::Relaxed);
            for s in &slots {
                s.loss.store(0f64.to_bits(), Ordering::Relaxed);
                s.terms.store(0, Ordering::Relaxed);
            }
            std::thread::scope(|scope| {
                let (tx, rx) = mpsc::channel::<()>();
                for (w, slot) in workers.iter_mut().zip(&slots) {
                    let tx = tx.clone();
                    let (shared, source) = (&shared, &source);
                    scope.spawn(move || {
                        with_best_simd(Epoch {
                            worker: w,
                            shared,
                            source,
                            slot,
                        });
                        drop(tx);
                    });
                }
                drop(tx);
                // Report every 100 ms until every worker has dropped its sender.
                while let Err(mpsc::RecvTimeoutError::Timeout) =
                    rx.recv_timeout(Duration::from_millis(100))
                {
                    progress(&report(epoch, false));
                }
            });
            if shared.words.load(Ordering::Relaxed) == words_before {
                return Err(Error::Empty {
                    op: "Trainer::train",
                    what: "corpus (no vocabulary word in this epoch)",
                });
            }
            progress(&report(epoch, true));
        }
        if let Some(i) = syn0.iter().position(|x| !x.is_finite()) {
            return Err(Error::NonFinite {
                op: "Trainer::train",
                what: "vectors (training diverged: lower alpha)",
                index: i,
            });
        }
        let (words, counts) = vocab.clone().into_parts();
        Word2Vec::from_parts(words, counts, d, syn0)
    }
}

/// Everything the threads share: the three matrices and the read-only tables.
struct Shared<'a> {
    syn0: Hogwild<'a>,
    syn1neg: Hogwild<'a>,
    syn1: Hogwild<'a>,
    noise: Option<&'a NoiseSampler>,
    huffman: Option<&'a Huffman>,
    keep: &'a [u64],
    table: &'a SigmoidTable,
    vocab: &'a Vocab,
    /// Vocabulary words read so far, all threads and epochs.
    words: AtomicU64,
    /// `epochs × T` as `f64`.
    planned: f64,
    config: &'a TrainConfig,
}

impl Shared<'_> {
    /// The learning rate after `words` words: linear from `alpha` to `min_alpha`.
    fn alpha_at(&self, words: u64) -> f32 {
        let c = self.config;
        let p = if self.planned > 0.0 {
            (words as f64 / self.planned).min(1.0)
        } else {
            0.0
        };
        let a = f64::from(c.alpha) - (f64::from(c.alpha) - f64::from(c.min_alpha)) * p;
        (a as f32).max(c.min_alpha)
    }
}

/// What a worker publishes for the progress reports (written by its thread only).
#[derive(Default)]
struct Slot {
    /// The epoch's loss sum so far, as `f64` bits.
    loss: AtomicU64,
    terms: AtomicU64,
}

/// Words a worker reads between two updates of the shared count and the learning rate.
const PUBLISH_EVERY: u64 = 10_000;
/// Sentences a worker takes from the shared source per lock.
const BATCH: usize = 64;

/// One epoch of one worker, as a task for [`with_best_simd`].
struct Epoch<'w, 's, 'a, It> {
    worker: &'w mut Worker,
    shared: &'s Shared<'a>,
    source: &'s Mutex<It>,
    slot: &'s Slot,
}

impl<It> SimdTask for Epoch<'_, '_, '_, It>
where
    It: Iterator,
    It::Item: Sentence,
{
    type Output = ();

    #[inline(always)]
    fn run(self) {
        self.worker.run_epoch(self.shared, self.source, self.slot);
    }
}

/// One training thread's private state.
struct Worker {
    rng: Xoshiro256PlusPlus,
    /// `h`: the input of the prediction (a copy of `v_c`, or the CBOW mean).
    h: Vec<f32>,
    /// `e`: the accumulated gradient for the input vector(s).
    e: Vec<f32>,
    sent: Vec<u32>,
    /// The target and noise words of one prediction.
    targets: Vec<usize>,
    alpha: f32,
    pending: u64,
    loss: f64,
    terms: u64,
}

impl Worker {
    fn new(dim: usize, seed: u64, alpha: f32) -> Self {
        Self {
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            h: vec![0.0; dim],
            e: vec![0.0; dim],
            sent: Vec::new(),
            targets: Vec::new(),
            alpha,
            pending: 0,
            loss: 0.0,
            terms: 0,
        }
    }

    #[inline(always)]
    fn run_epoch<It>(&mut self, sh: &Shared<'_>, source: &Mutex<It>, slot: &Slot)
    where
        It: Iterator,
        It::Item: Sentence,
    {
        self.loss = 0.0;
        self.terms = 0;
        let mut batch: Vec<It::Item> = Vec::with_capacity(BATCH);
        loop {
            {
                // A poisoned lock means another worker panicked; the scope re-raises it.
                let Ok(mut it) = source.lock() else { break };
                batch.extend(it.by_ref().take(BATCH));
            }
            if batch.is_empty() {
                break;
            }
            for s in batch.drain(..) {
                self.sentence(sh, &s, slot);
            }
        }
        self.publish(sh, slot);
    }

    #[inline(always)]
    fn publish(&mut self, sh: &Shared<'_>, slot: &Slot) {
        let words = sh.words.fetch_add(self.pending, Ordering::Relaxed) + self.pending;
        self.pending = 0;
        self.alpha = sh.alpha_at(words);
        slot.loss.store(self.loss.to_bits(), Ordering::Relaxed);
        slot.terms.store(self.terms, Ordering::Relaxed);
    }

    #[inline(always)]
    fn sentence<S: Sentence>(&mut self, sh: &Shared<'_>, s: &S, slot: &Slot) {
        self.sent.clear();
        let max = sh.config.max_sentence_len;
        s.for_each_word(|w| {
            let Some(i) = sh.vocab.index_u32(w) else {
                return;
            };
            self.pending += 1;
            let t = sh.keep[i as usize];
            if t > u64::from(u32::MAX) || (self.rng.next_u64() >> 32) < t {
                self.sent.push(i);
                if self.sent.len() >= max {
                    self.piece(sh);
                    self.sent.clear();
                }
            }
        });
        self.piece(sh);
        if self.pending >= PUBLISH_EVERY {
            self.publish(sh, slot);
        }
    }

    #[inline(always)]
    fn piece(&mut self, sh: &Shared<'_>) {
        match sh.config.architecture {
            Architecture::SkipGram => self.skip_gram(sh),
            Architecture::Cbow => self.cbow(sh),
        }
    }

    /// The reduced window around `pos`: `b ~ U{1..window}`, positions `pos−b .. pos+b`.
    #[inline(always)]
    fn window(&mut self, sh: &Shared<'_>, pos: usize) -> (usize, usize) {
        let w = sh.config.window;
        let b = w - (self.rng.next_u64() % w as u64) as usize;
        (pos.saturating_sub(b), (pos + b + 1).min(self.sent.len()))
    }

    #[inline(always)]
    fn skip_gram(&mut self, sh: &Shared<'_>) {
        for pos in 0..self.sent.len() {
            let word = self.sent[pos] as usize;
            let (lo, hi) = self.window(sh, pos);
            for c in lo..hi {
                if c == pos {
                    continue;
                }
                let ctx = self.sent[c] as usize;
                self.h.fill(0.0);
                sh.syn0.add_to(ctx, 1.0, &mut self.h);
                self.e.fill(0.0);
                self.predict(sh, word);
                sh.syn0.axpy(ctx, 1.0, &self.e);
            }
        }
    }

    #[inline(always)]
    fn cbow(&mut self, sh: &Shared<'_>) {
        let mean = sh.config.cbow_mean;
        for pos in 0..self.sent.len() {
            let word = self.sent[pos] as usize;
            let (lo, hi) = self.window(sh, pos);
            if hi - lo < 2 {
                continue;
            }
            self.h.fill(0.0);
            for c in (lo..hi).filter(|&c| c != pos) {
                sh.syn0.add_to(self.sent[c] as usize, 1.0, &mut self.h);
            }
            let inv = 1.0 / (hi - lo - 1) as f32;
            if mean {
                self.h.iter_mut().for_each(|x| *x *= inv);
            }
            self.e.fill(0.0);
            self.predict(sh, word);
            // As gensim: with the sum, the error is shared out over the context words.
            if !mean {
                self.e.iter_mut().for_each(|x| *x *= inv);
            }
            for c in (lo..hi).filter(|&c| c != pos) {
                sh.syn0.axpy(self.sent[c] as usize, 1.0, &self.e);
            }
        }
    }

    /// One prediction of `word` from `h`: updates the output rows, adds the input gradient
    /// into `e` and the loss into the tally.
    #[inline(always)]
    fn predict(&mut self, sh: &Shared<'_>, word: usize) {
        let alpha = self.alpha;
        let t = sh.table;
        // Local tallies stay in registers; `self.loss` would be a load and store per term.
        let (mut loss, mut terms) = (0f64, 0u64);
        if let Some(huffman) = sh.huffman {
            let (codes, points) = huffman.path(word);
            for (&code, &point) in codes.iter().zip(points) {
                let point = point as usize;
                let f = sh.syn1.dot(point, &self.h);
                // Branch 0 is the label-1 side: P(code) = σ((1 − 2·code)·f).
                // −log σ(f) on branch 0, −log σ(−f) on branch 1.
                let x = if code == 0 { f } else { -f };
                loss += f64::from(t.neg_log_sigmoid(x));
                terms += 1;
                if !(-MAX_EXP < f && f < MAX_EXP) {
                    continue; // the C tool and gensim skip saturated nodes
                }
                let g = (1.0 - f32::from(code) - t.sigmoid(f)) * alpha;
                sh.syn1.update_output(point, g, &self.h, &mut self.e);
            }
        }
        if let Some(noise) = sh.noise {
            // Draw the noise words first (same draws, same order) and start loading their
            // rows, so the cache misses overlap instead of coming one after another.
            self.targets.clear();
            self.targets.push(word);
            sh.syn1neg.prefetch(word);
            for _ in 0..sh.config.negative {
                let n = noise.sample_bits(self.rng.next_u64());
                if n != word {
                    self.targets.push(n);
                    sh.syn1neg.prefetch(n);
                }
            }
            for (k, &target) in self.targets.iter().enumerate() {
                let label = if k == 0 { 1.0 } else { 0.0 };
                let f = sh.syn1neg.dot(target, &self.h);
                // −log σ(f) for the target, −log σ(−f) for noise words.
                let x = if label > 0.5 { f } else { -f };
                loss += f64::from(t.neg_log_sigmoid(x));
                terms += 1;
                let g = (label - t.sigmoid(f)) * alpha;
                sh.syn1neg.update_output(target, g, &self.h, &mut self.e);
            }
        }
        self.loss += loss;
        self.terms += terms;
    }
}

/// `σ` is tabulated on `(−MAX_EXP, MAX_EXP)`, as in the C tool.
const MAX_EXP: f32 = 6.0;
/// `σ` bins: 2,048 over a width of 12, so `σ` (slope ≤ 1/4) is within 7.4·10⁻⁴ at any point.
const TABLE_SIZE: usize = 2048;
/// `−log σ` is tabulated on `[−MAX_LOSS, MAX_LOSS]`; beyond, `−log σ(x)` is `max(−x, 0)`
/// within `e^−16 ≈ 1.1·10⁻⁷`.
const MAX_LOSS: f32 = 16.0;
/// `−log σ` grid intervals: 4,096 over a width of 32 (`h ≈ 0.0078`); linear interpolation
/// is then within `h²/8 · max|(−log σ)″| = h²/32 ≈ 1.9·10⁻⁶`.
const LOSS_SIZE: usize = 4096;

/// `σ(x)` at the centres of `TABLE_SIZE` bins of `(−MAX_EXP, MAX_EXP)`, and `−log σ(x)` on a
/// grid of `LOSS_SIZE + 1` points of `[−MAX_LOSS, MAX_LOSS]`.
#[derive(Debug)]
struct SigmoidTable {
    sigmoid: Vec<f32>,
    loss: Vec<f32>,
}

impl SigmoidTable {
    fn new() -> Self {
        let width = 2.0 * f64::from(MAX_EXP) / TABLE_SIZE as f64;
        let h = 2.0 * f64::from(MAX_LOSS) / LOSS_SIZE as f64;
        Self {
            sigmoid: (0..TABLE_SIZE)
                .map(|i| {
                    let x = -f64::from(MAX_EXP) + (i as f64 + 0.5) * width;
                    (1.0 / (1.0 + (-x).exp())) as f32
                })
                .collect(),
            loss: (0..=LOSS_SIZE)
                .map(|j| softplus(f64::from(MAX_LOSS) - j as f64 * h) as f32) // softplus(−x)
                .collect(),
        }
    }

    /// `σ(f)` inside `(−MAX_EXP, MAX_EXP)`; 1 above and 0 below, as the C tool.
    #[inline(always)]
    fn sigmoid(&self, f: f32) -> f32 {
        if f >= MAX_EXP {
            1.0
        } else if f <= -MAX_EXP {
            0.0
        } else {
            // NaN fails both comparisons and lands here: `as usize` maps it to 0.
            let i = ((f + MAX_EXP) * (TABLE_SIZE as f32 / (2.0 * MAX_EXP))) as usize;
            self.sigmoid[i.min(TABLE_SIZE - 1)]
        }
    }

    /// `−log σ(f) = log(1 + e^−f)`, interpolated from the grid.
    #[inline(always)]
    fn neg_log_sigmoid(&self, f: f32) -> f32 {
        if f >= MAX_LOSS {
            0.0
        } else if f <= -MAX_LOSS {
            -f
        } else {
            let u = (f + MAX_LOSS) * (LOSS_SIZE as f32 / (2.0 * MAX_LOSS));
            let j = (u as usize).min(LOSS_SIZE - 1);
            let t = u - j as f32;
            let (a, b) = (self.loss[j], self.loss[j + 1]);
            a + t * (b - a)
        }
    }
}

/// `softplus(x) = log(1 + eˣ)`, stable for any `x`.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// Lines of a file as sentences; a read error ends the iteration and is kept for the caller.
struct Lines<'e, B: BufRead> {
    reader: B,
    error: &'e Mutex<Option<std::io::Error>>,
}

impl<B: BufRead> Iterator for Lines<'_, B> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        let mut s = String::new();
        match self.reader.read_line(&mut s) {
            Ok(0) => None,
            Ok(_) => Some(s),
            Err(e) => {
                if let Ok(mut slot) = self.error.lock() {
                    slot.get_or_insert(e);
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_close_to_exact() {
        let t = SigmoidTable::new();
        for i in -2500..2500 {
            let x = i as f32 / 100.0 + 0.003;
            let exact = 1.0 / (1.0 + (-f64::from(x)).exp());
            if x.abs() < MAX_EXP {
                assert!((f64::from(t.sigmoid(x)) - exact).abs() < 7.5e-4, "σ({x})");
            } else {
                assert_eq!(t.sigmoid(x), if x > 0.0 { 1.0 } else { 0.0 });
            }
            // Interpolation error ≤ 1.9·10⁻⁶, plus f32 rounding of values up to 25.
            let l = f64::from(t.neg_log_sigmoid(x));
            assert!(
                (l - softplus(-f64::from(x))).abs() < 5e-6 * (1.0 + l),
                "−log σ({x})"
            );
        }
    }

    #[test]
    fn alpha_decays_linearly_to_min() {
        let c = TrainConfig::new().with_alpha(0.1).with_min_alpha(0.01);
        let v = Vocab::from_counts([("a", 10)]).unwrap();
        let t = SigmoidTable::new();
        let (mut a, mut b, mut z) = (vec![], vec![], vec![]);
        let sh = Shared {
            syn0: Hogwild::new(&mut a, 1),
            syn1neg: Hogwild::new(&mut b, 1),
            syn1: Hogwild::new(&mut z, 1),
            noise: None,
            huffman: None,
            keep: &[],
            table: &t,
            vocab: &v,
            words: AtomicU64::new(0),
            planned: 100.0,
            config: &c,
        };
        assert_eq!(sh.alpha_at(0), 0.1);
        assert!((sh.alpha_at(50) - 0.055).abs() < 1e-7);
        assert_eq!(sh.alpha_at(100), 0.01);
        assert_eq!(sh.alpha_at(1000), 0.01);
    }
}
