//! Training Word2Vec: skip-gram and CBOW, with negative sampling, hierarchical softmax or both
//! (Mikolov et al. 2013a, 2013b), on any number of threads: Hogwild (the default) or
//! deterministic (rounds of thread-local updates merged in thread order, the same bits on
//! every run; see `super::deterministic` and [`Word2VecTrainer::train`]).
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
//! `epochs × T` words processed (updated every 10,000 words per thread, as the C tool does;
//! in the deterministic mode from the words of the finished rounds and the thread's own).
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
use super::config::{Config, Word2VecBuilder};
use super::deterministic::{Delta, Deltas, Rounds, Turnstile};
use super::hogwild::Hogwild;
use super::huffman::Huffman;
use super::sampling::keep_thresholds;
use super::sigmoid::SigmoidTable;
use super::update::Start;
use super::worker::{Claim, Dealt, Epoch, FileParts, Locked, Shared, Slot, Source, Worker};
use crate::error::{Error, Result};
use crate::kernel::with_best_simd;
use crate::text::{Sentence, Vocab};
use rand::{Rng, RngExt};
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock, mpsc};
use std::time::{Duration, Instant};

/// Parts of a file per Hogwild thread: the threads claim them one after another, so a thread
/// slowed down by the machine reads fewer of them instead of holding the epoch up.
const PARTS_PER_THREAD: usize = 8;

/// What one epoch reads.
enum Feed<'p, It> {
    /// Sentences from one iterator, shared by the threads.
    Shared(It),
    /// A corpus file, read by every thread through its own handle.
    File(&'p Path),
}

/// A progress report, passed to the training callback about ten times a second and once at
/// the end of every epoch.
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use recurrent::word2vec::{Word2Vec, Word2VecProgress};
/// let corpus = ["a b c d e", "b c d e a", "c d e a b"];
/// let trainer = Word2Vec::builder().dim(4).min_count(1).epochs(2).sample(0.0).build()?;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let mut ends: Vec<Word2VecProgress> = Vec::new();
/// trainer.fit(|| corpus.iter(), &mut rng, |p| if p.epoch_done { ends.push(*p) })?;
/// assert_eq!(ends.len(), 2); // one closing report per epoch
/// let last = ends[1];
/// assert_eq!((last.epoch, last.epochs), (1, 2));
/// assert_eq!(last.fraction(), 1.0); // every planned word read
/// assert!(last.mean_loss() > 0.0);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Word2VecProgress {
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
    /// Number of loss terms in [`Word2VecProgress::epoch_loss`].
    pub epoch_terms: u64,
    /// `true` for the report that closes an epoch (the figures are then exact).
    pub epoch_done: bool,
}

impl Word2VecProgress {
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

/// A validated training configuration (from [`Word2VecBuilder::build`]): builds
/// vocabularies and trains models. The getters return the configured values (the table of
/// [`Word2VecBuilder`]).
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use recurrent::word2vec::Word2Vec;
/// let corpus = vec!["the cat sat on the mat"; 50];
/// let trainer = Word2Vec::builder().dim(8).min_count(1).epochs(2).build()?;
/// assert_eq!((trainer.dim(), trainer.window()), (8, 5));
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let model = trainer.fit(|| corpus.iter(), &mut rng, |_| {})?;
/// assert_eq!(model.vocab_len(), 5);
/// assert_eq!(model.dim(), 8);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Word2VecTrainer {
    config: Config,
}

impl Word2VecTrainer {
    /// Wraps a configuration that [`Word2VecBuilder::build`] has validated.
    pub(super) fn new(config: Config) -> Self {
        Self { config }
    }

    /// Skip-gram or CBOW.
    pub fn architecture(&self) -> super::Architecture {
        self.config.architecture
    }

    /// CBOW input: mean (`true`) or sum of the context vectors.
    pub fn cbow_mean(&self) -> bool {
        self.config.cbow_mean
    }

    /// Vector dimension `d`.
    pub fn dim(&self) -> usize {
        self.config.dim
    }

    /// Maximal window half-width.
    pub fn window(&self) -> usize {
        self.config.window
    }

    /// Minimal count of a vocabulary word.
    pub fn min_count(&self) -> u64 {
        self.config.min_count
    }

    /// Maximal vocabulary size.
    pub fn max_vocab(&self) -> Option<usize> {
        self.config.max_vocab
    }

    /// Subsampling threshold (0: off).
    pub fn sample(&self) -> f64 {
        self.config.sample
    }

    /// Noise words per prediction (0: no negative sampling).
    pub fn negative(&self) -> usize {
        self.config.negative
    }

    /// Whether hierarchical softmax is on.
    pub fn hs(&self) -> bool {
        self.config.hs
    }

    /// Exponent of the noise distribution.
    pub fn ns_exponent(&self) -> f64 {
        self.config.ns_exponent
    }

    /// Initial learning rate.
    pub fn alpha(&self) -> f32 {
        self.config.alpha
    }

    /// Final learning rate.
    pub fn min_alpha(&self) -> f32 {
        self.config.min_alpha
    }

    /// Passes over the corpus.
    pub fn epochs(&self) -> usize {
        self.config.epochs
    }

    /// Training threads.
    pub fn threads(&self) -> usize {
        self.config.threads
    }

    /// Whether several threads train deterministically
    /// ([`Word2VecBuilder::deterministic`]).
    pub fn deterministic(&self) -> bool {
        self.config.deterministic
    }

    /// Longest sentence trained as one piece, in kept words.
    pub fn max_sentence_len(&self) -> usize {
        self.config.max_sentence_len
    }

    /// Whether line ends are read as the word `</s>`, as the C tool does
    /// ([`Word2VecBuilder::keep_eos`]).
    pub fn keep_eos(&self) -> bool {
        self.config.keep_eos
    }

    /// A builder holding this configuration, to change some values and build again.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let a = Word2Vec::builder().dim(20).build()?;
    /// let b = a.to_builder().epochs(1).build()?;
    /// assert_eq!((b.dim(), b.epochs()), (20, 1));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn to_builder(&self) -> Word2VecBuilder {
        Word2VecBuilder::from_config(self.config.clone())
    }

    /// Builds the vocabulary from sentences with the configured `min_count` and `max_vocab`
    /// ([`Vocab::from_sentences`]; with `keep_eos`, [`Vocab::from_sentences_with_eos`], the
    /// C tool's `</s>` first).
    ///
    /// # Errors
    ///
    /// As [`Vocab::from_sentences`] (or [`Vocab::from_sentences_with_eos`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let trainer = Word2Vec::builder().min_count(2).build()?;
    /// let vocab = trainer.build_vocab(["the cat", "the dog", "a cat"])?;
    /// assert_eq!(vocab.words(), ["the", "cat"]); // seen at least twice, most frequent first
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn build_vocab<I>(&self, sentences: I) -> Result<Vocab>
    where
        I: IntoIterator,
        I::Item: Sentence,
    {
        if self.config.keep_eos {
            return Vocab::from_sentences_with_eos(
                sentences,
                self.config.min_count,
                self.config.max_vocab,
            );
        }
        Vocab::from_sentences(sentences, self.config.min_count, self.config.max_vocab)
    }

    /// Builds the vocabulary from the sentences `corpus()` yields, then trains on it
    /// (`corpus` is called once for the vocabulary and once per epoch).
    ///
    /// # Errors
    ///
    /// As [`Word2VecTrainer::build_vocab`] and [`Word2VecTrainer::train`].
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::word2vec::{Architecture, Word2Vec};
    /// let corpus: Vec<String> = (0..100)
    ///     .map(|i| if i % 2 == 0 { "red green blue red green" } else { "one two three one two" }.to_string())
    ///     .collect();
    /// let trainer = Word2Vec::builder().architecture(Architecture::SkipGram).dim(8).window(2).min_count(1).sample(0.0).build()?;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
    /// // the closure gives the corpus again for the vocabulary and every epoch
    /// let model = trainer.fit(|| corpus.iter(), &mut rng, |_| {})?;
    /// assert_eq!(model.vocab_len(), 6);
    /// assert!(model.similarity("red", "green")? > model.similarity("red", "two")?);
    /// // one thread and one seed: the same vectors again
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
    /// assert_eq!(trainer.fit(|| corpus.iter(), &mut rng, |_| {})?, model);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn fit<F, I, R, P>(&self, mut corpus: F, rng: &mut R, progress: P) -> Result<Word2Vec>
    where
        F: FnMut() -> I,
        I: IntoIterator,
        I::IntoIter: Send,
        I::Item: Sentence + Send,
        R: Rng + ?Sized,
        P: FnMut(&Word2VecProgress),
    {
        let vocab = self.build_vocab(corpus())?;
        self.train(&vocab, corpus, rng, progress)
    }

    /// Builds the vocabulary from a text file (one sentence per line, words separated by
    /// whitespace), then trains on it, streaming the file line by line each epoch (both read
    /// with [`CorpusReader`](crate::text::CorpusReader)).
    ///
    /// # Errors
    ///
    /// As [`Word2VecTrainer::build_vocab_file`] and [`Word2VecTrainer::train_file`].
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::word2vec::Word2Vec;
    /// let path = std::env::temp_dir().join("recurrent-doc-fit-file.txt");
    /// std::fs::write(&path, "a b c\nb c a\nc a b\n").map_err(|e| recurrent::Error::Io { context: "doc example".into(), source: e })?;
    /// let trainer = Word2Vec::builder().dim(4).min_count(1).epochs(2).build()?;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let model = trainer.fit_file(&path, &mut rng, |_| {})?; // streamed line by line
    /// assert_eq!((model.vocab_len(), model.dim()), (3, 4));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn fit_file<R, P>(
        &self,
        path: impl AsRef<Path>,
        rng: &mut R,
        progress: P,
    ) -> Result<Word2Vec>
    where
        R: Rng + ?Sized,
        P: FnMut(&Word2VecProgress),
    {
        let vocab = self.build_vocab_file(&path)?;
        self.train_file(&vocab, path, rng, progress)
    }

    /// Trains vectors for `vocab` on the sentences `corpus()` yields (called once per epoch;
    /// the corpus is never collected). Words not in `vocab` are skipped.
    ///
    /// With one thread the result depends only on the configuration, the corpus and `rng`:
    /// the same seed gives bit-identical vectors. With more threads, by default, each takes
    /// batches of sentences from the corpus (about 10,000 words per lock) and updates the
    /// shared rows without locks (Hogwild; Recht et al. 2011), as the C tool, gensim and
    /// fastText do: two threads writing one row at the same moment may lose part of one small
    /// update, so results vary slightly from run to run. The lock-free sharing is written
    /// with `unsafe` code in one small private module.
    ///
    /// With [`Word2VecBuilder::deterministic`], several threads give the same bits on every
    /// run (for a given number of threads and seed):
    ///
    /// 1. thread `t` trains on fixed data: the batches of sentences dealt to it in turn
    ///    (thread 0 first, then 1, …) and its own random generator;
    /// 2. training goes in rounds of about 16,384 words per thread; during a round a thread
    ///    reads the rows as they were when the round started, plus its own updates, which it
    ///    writes to a private copy of each row it touches;
    /// 3. at the end of the round every row touched becomes `r + Σ_t (s_t − r)` over the
    ///    threads `t = 0, 1, …` that touched it, in that order (`r` the row at the start of the
    ///    round, `s_t` thread `t`'s copy), merged in parallel over disjoint rows;
    /// 4. thread `t`'s learning rate in a round is `α(W + N·w_t)`, `W` the words all `N`
    ///    threads read in the rounds before and `w_t` its own words in this round: a linear
    ///    decay in the words read, as in the Hogwild mode, that depends on no timing. With
    ///    [`keep_eos`](Word2VecBuilder::keep_eos) every line end is one more word read, in
    ///    both modes and from a file or an iterator alike.
    ///
    /// It costs the merge and the private copies (at most one copy of the matrices per
    /// thread). No two threads ever write the same memory at once in this mode.
    ///
    /// `progress` is called on the calling thread about ten times a second and once at the
    /// end of each epoch.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if an epoch's corpus holds no vocabulary word;
    /// [`Error::NonFinite`] if training diverged (a vector holds NaN or ±∞; lower `alpha`).
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::word2vec::Word2Vec;
    /// let corpus = vec!["a rose is a rose is a rose"; 40];
    /// let trainer = Word2Vec::builder().dim(10).min_count(1).epochs(3).build()?;
    /// let vocab = trainer.build_vocab(&corpus)?;
    /// let mut epoch_losses = Vec::new();
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
    /// let model = trainer.train(&vocab, || corpus.iter(), &mut rng, |p| {
    ///     if p.epoch_done {
    ///         epoch_losses.push(p.mean_loss());
    ///     }
    /// })?;
    /// assert_eq!((model.words(), model.counts()), (vocab.words(), vocab.counts()));
    /// assert_eq!(epoch_losses.len(), 3);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn train<F, I, R, P>(
        &self,
        vocab: &Vocab,
        corpus: F,
        rng: &mut R,
        progress: P,
    ) -> Result<Word2Vec>
    where
        F: FnMut() -> I,
        I: IntoIterator,
        I::IntoIter: Send,
        I::Item: Sentence + Send,
        R: Rng + ?Sized,
        P: FnMut(&Word2VecProgress),
    {
        self.run_iter(vocab, corpus, rng, progress, None)
    }

    /// Trains vectors for `vocab` on a text file (one sentence per line), read with
    /// [`CorpusReader`](crate::text::CorpusReader) each epoch: the corpus is never held in
    /// memory (a line longer than [`MAX_LINE_BYTES`](crate::text::MAX_LINE_BYTES) is trained
    /// in pieces).
    ///
    /// The threads read the file in parts, each through its own handle
    /// ([`CorpusReader::open_part`](crate::text::CorpusReader::open_part)), so no lock is
    /// shared: Hogwild threads claim parts (eight per thread) one after another; in the
    /// deterministic mode thread `t` of `N` reads part `t` of `N` (the lines starting in its
    /// `1/N` of the bytes), as the C tool and fastText share a file out. With one thread the
    /// lines are read in file order.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file if it cannot be opened or read (including invalid
    /// UTF-8), and the errors of [`Word2VecTrainer::train`].
    pub fn train_file<R, P>(
        &self,
        vocab: &Vocab,
        path: impl AsRef<Path>,
        rng: &mut R,
        progress: P,
    ) -> Result<Word2Vec>
    where
        R: Rng + ?Sized,
        P: FnMut(&Word2VecProgress),
    {
        self.run_file(vocab, path.as_ref(), rng, progress, None)
    }

    /// [`Word2VecTrainer::train`], from the starting rows `start` if given.
    pub(super) fn run_iter<F, I, R, P>(
        &self,
        vocab: &Vocab,
        mut corpus: F,
        rng: &mut R,
        progress: P,
        start: Option<Start>,
    ) -> Result<Word2Vec>
    where
        F: FnMut() -> I,
        I: IntoIterator,
        I::IntoIter: Send,
        I::Item: Sentence + Send,
        R: Rng + ?Sized,
        P: FnMut(&Word2VecProgress),
    {
        self.run(
            vocab,
            |_| Ok(Feed::Shared(corpus().into_iter())),
            rng,
            progress,
            start,
        )
    }

    /// [`Word2VecTrainer::train_file`], from the starting rows `start` if given (the
    /// threads read the file in parts, as there).
    pub(super) fn run_file<R, P>(
        &self,
        vocab: &Vocab,
        path: &Path,
        rng: &mut R,
        progress: P,
        start: Option<Start>,
    ) -> Result<Word2Vec>
    where
        R: Rng + ?Sized,
        P: FnMut(&Word2VecProgress),
    {
        self.run(
            vocab,
            |_| Ok(Feed::<std::iter::Empty<String>>::File(path)),
            rng,
            progress,
            start,
        )
    }

    /// Trains from random input rows, or from `start` (continued training), on what
    /// `corpus(epoch)` feeds each epoch.
    fn run<'p, F, It, R, P>(
        &self,
        vocab: &Vocab,
        mut corpus: F,
        rng: &mut R,
        mut progress: P,
        start: Option<Start>,
    ) -> Result<Word2Vec>
    where
        F: FnMut(usize) -> Result<Feed<'p, It>>,
        It: Iterator + Send,
        It::Item: Sentence + Send,
        R: Rng + ?Sized,
        P: FnMut(&Word2VecProgress),
    {
        let c = &self.config;
        self.check_eos(vocab)?;
        let (v, d) = (vocab.len(), c.dim);
        let n = v
            .checked_mul(d)
            .ok_or_else(|| Error::invalid("dim", "vocabulary × dim overflows"))?;
        // Input vectors ~ U(−0.5, 0.5)/d, as the C tool; output vectors start at zero. Sizes
        // that cannot be allocated are errors naming them, not aborts.
        let (mut syn0, total) = match start {
            Some(s) => (s.rows, s.words_per_epoch),
            None => (fresh_rows(n, d, rng)?, vocab.total()),
        };
        let mut syn1neg = zeros(if c.negative > 0 { n } else { 0 })?;
        let huffman = if c.hs {
            Some(Huffman::new(vocab.counts())?)
        } else {
            None
        };
        let inner = huffman.as_ref().map_or(0, |h| h.n_inner() * d);
        let mut syn1 = zeros(inner)?;
        let noise = if c.negative > 0 {
            Some(self.noise_sampler(vocab)?)
        } else {
            None
        };
        let keep = keep_thresholds(vocab.counts(), c.sample);
        let table = SigmoidTable::new();
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
            Word2VecProgress {
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
        let n = c.threads;
        // The deterministic rounds' deltas, kept from epoch to epoch (their memory grows to
        // the rows a thread touches in a round).
        let deltas: Vec<RwLock<Deltas>> = if c.deterministic && n > 1 {
            (0..n)
                .map(|_| {
                    RwLock::new(Deltas {
                        syn0: Delta::new(shared.syn0.rows(), d),
                        syn1neg: Delta::new(shared.syn1neg.rows(), d),
                        syn1: Delta::new(shared.syn1.rows(), d),
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        for epoch in 0..c.epochs {
            let words_before = shared.words.load(Ordering::Relaxed);
            for s in &slots {
                s.loss.store(0f64.to_bits(), Ordering::Relaxed);
                s.terms.store(0, Ordering::Relaxed);
            }
            let rounds = (!deltas.is_empty()).then(|| Rounds::new(&deltas, words_before));
            let mut tick = || progress(&report(epoch, false));
            let ctx = EpochContext {
                workers: &mut workers,
                slots: &slots,
                shared: &shared,
                rounds: rounds.as_ref(),
            };
            match corpus(epoch)? {
                Feed::Shared(it) => {
                    if rounds.is_some() {
                        let turnstile = Turnstile::new(it);
                        let sources = (0..n).map(|thread| Dealt {
                            turnstile: &turnstile,
                            thread,
                            threads: n,
                            round: 0,
                        });
                        ctx.run(sources.collect(), &mut tick);
                    } else {
                        let lock = Mutex::new(it);
                        ctx.run((0..n).map(|_| Locked(&lock)).collect(), &mut tick);
                    }
                }
                Feed::File(path) => {
                    let error = Mutex::new(None);
                    let next = AtomicUsize::new(0);
                    let det = rounds.is_some();
                    let parts = if det { n } else { n * PARTS_PER_THREAD };
                    let sources = (0..n).map(|t| FileParts {
                        path,
                        parts,
                        claim: if det {
                            Claim::Fixed(Some(t))
                        } else {
                            Claim::Next(&next)
                        },
                        reader: None,
                        error: &error,
                    });
                    ctx.run(sources.collect(), &mut tick);
                    let first = error.into_inner().unwrap_or_else(|p| p.into_inner());
                    if let Some(e) = first {
                        return Err(e);
                    }
                }
            }
            if shared.words.load(Ordering::Relaxed) == words_before {
                return Err(Error::Empty {
                    op: "Word2VecTrainer::train",
                    what: "corpus (no vocabulary word in this epoch)",
                });
            }
            progress(&report(epoch, true));
        }
        if let Some(i) = syn0.iter().position(|x| !x.is_finite()) {
            return Err(Error::NonFinite {
                op: "Word2VecTrainer::train",
                what: "vectors (training diverged: lower alpha)",
                index: i,
            });
        }
        Word2Vec::from_vocab(vocab.clone(), d, syn0)
    }
}

/// `n` input weights `~ U(−0.5, 0.5)/d`, as the C tool starts them.
pub(super) fn fresh_rows<R: Rng + ?Sized>(n: usize, d: usize, rng: &mut R) -> Result<Vec<f32>> {
    let inv_d = 1.0 / d as f32;
    let mut rows = with_room(n)?;
    rows.extend((0..n).map(|_| (rng.random::<f32>() - 0.5) * inv_d));
    Ok(rows)
}

/// An empty vector with room for `n` floats, or an error naming the size if the memory is not
/// there (instead of an abort).
fn with_room(n: usize) -> Result<Vec<f32>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::invalid(
            "dim",
            format!("a vocabulary × dim matrix of {n} floats does not fit in memory"),
        )
    })?;
    Ok(v)
}

/// `n` zeros, or an error naming the size (as [`with_room`]).
fn zeros(n: usize) -> Result<Vec<f32>> {
    let mut v = with_room(n)?;
    v.resize(n, 0.0);
    Ok(v)
}

/// What the threads of one epoch share, to start them on their sources.
struct EpochContext<'e, 's, 'a> {
    workers: &'e mut [Worker],
    slots: &'e [Slot],
    shared: &'s Shared<'a>,
    rounds: Option<&'s Rounds<'s>>,
}

impl EpochContext<'_, '_, '_> {
    /// Runs one epoch, worker `t` on `sources[t]`, calling `tick` every 100 ms until every
    /// worker has finished.
    fn run<S: Source + Send>(self, sources: Vec<S>, tick: &mut dyn FnMut()) {
        let shared = self.shared;
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel::<()>();
            let threads = self.workers.iter_mut().zip(self.slots).zip(sources);
            for (t, ((worker, slot), source)) in threads.enumerate() {
                let tx = tx.clone();
                let rounds = self.rounds.map(|r| (r, t));
                scope.spawn(move || {
                    with_best_simd(Epoch {
                        worker,
                        shared,
                        source,
                        slot,
                        rounds,
                    });
                    drop(tx);
                });
            }
            drop(tx);
            // Report every 100 ms until every worker has dropped its sender.
            while let Err(mpsc::RecvTimeoutError::Timeout) =
                rx.recv_timeout(Duration::from_millis(100))
            {
                tick();
            }
        });
    }
}
