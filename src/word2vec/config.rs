//! The training configuration: [`Word2VecBuilder`], validated into a
//! [`Word2VecTrainer`](super::Word2VecTrainer) by [`Word2VecBuilder::build`].

use super::Word2Vec;
use super::train::Word2VecTrainer;
use crate::error::{Error, Result};

/// Which word predicts which.
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use recurrent::word2vec::{Architecture, Word2Vec};
/// let corpus = ["a b c d", "b c d a"];
/// for arch in [Architecture::SkipGram, Architecture::Cbow] {
///     let trainer = Word2Vec::builder().architecture(arch).dim(4).min_count(1).epochs(1).build()?;
///     let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
///     let model = trainer.fit(|| corpus.iter(), &mut rng, |_| {})?;
///     assert_eq!((model.vocab_len(), model.dim()), (4, 4));
/// }
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Architecture {
    /// Each context word predicts the centre word.
    SkipGram,
    /// The combined context (mean or sum) predicts the centre word.
    #[default]
    Cbow,
}

/// The validated hyper-parameters the trainer and its workers read.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Config {
    pub(super) architecture: Architecture,
    pub(super) cbow_mean: bool,
    pub(super) dim: usize,
    pub(super) window: usize,
    pub(super) min_count: u64,
    pub(super) max_vocab: Option<usize>,
    pub(super) sample: f64,
    pub(super) negative: usize,
    pub(super) hs: bool,
    pub(super) ns_exponent: f64,
    pub(super) alpha: f32,
    pub(super) min_alpha: f32,
    pub(super) epochs: usize,
    pub(super) threads: usize,
    pub(super) max_sentence_len: usize,
    pub(super) deterministic: bool,
    pub(super) keep_eos: bool,
}

impl Default for Config {
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
            deterministic: false,
            keep_eos: false,
        }
    }
}

impl Config {
    /// Checks every value against the table of [`Word2VecBuilder`].
    pub(super) fn validate(&self) -> Result<()> {
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

/// Training hyper-parameters of Word2Vec, validated by [`Word2VecBuilder::build`] into a
/// [`Word2VecTrainer`]. Start from [`Word2Vec::builder`].
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
/// | `threads` | 1 | training threads (Hogwild unless `deterministic`; 1 is always deterministic) | 1 ..= 1024 |
/// | `max_sentence_len` | 10,000 | longer sentences are cut into pieces | ≥ 1 |
/// | `deterministic` | `false` | several threads, the same bits on every run (rounds and a fixed-order merge) | — |
/// | `keep_eos` | `false` | read each line end as the word `</s>`, as the C tool does | — |
///
/// The C tool uses `alpha = 0.05` for CBOW and `min_alpha = alpha·10⁻⁴`. The setters only
/// record values; every check happens in [`Word2VecBuilder::build`].
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{Architecture, Word2Vec};
/// let trainer = Word2Vec::builder()
///     .architecture(Architecture::SkipGram)
///     .dim(50)
///     .epochs(3)
///     .build()?;
/// assert_eq!(trainer.dim(), 50);
/// assert!(Word2Vec::builder().window(0).build().is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use]
pub struct Word2VecBuilder {
    config: Config,
}

impl Word2Vec {
    /// A training configuration with the defaults of the [`Word2VecBuilder`] table.
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::word2vec::Word2Vec;
    /// let corpus = vec!["the cat sat on the mat"; 50];
    /// let trainer = Word2Vec::builder().dim(8).min_count(1).epochs(2).build()?;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let model = trainer.fit(|| corpus.iter(), &mut rng, |_| {})?;
    /// assert_eq!((model.vocab_len(), model.dim()), (5, 8));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn builder() -> Word2VecBuilder {
        Word2VecBuilder::default()
    }
}

impl Word2VecBuilder {
    /// A builder holding `config` (that of an existing trainer).
    pub(super) fn from_config(config: Config) -> Self {
        Self { config }
    }

    /// Skip-gram or CBOW (default CBOW).
    pub fn architecture(mut self, architecture: Architecture) -> Self {
        self.config.architecture = architecture;
        self
    }

    /// CBOW input: the mean (`true`, default) or the sum of the context vectors.
    pub fn cbow_mean(mut self, cbow_mean: bool) -> Self {
        self.config.cbow_mean = cbow_mean;
        self
    }

    /// Vector dimension `d` (default 100; ≥ 1).
    pub fn dim(mut self, dim: usize) -> Self {
        self.config.dim = dim;
        self
    }

    /// Maximal window half-width (default 5; ≥ 1).
    pub fn window(mut self, window: usize) -> Self {
        self.config.window = window;
        self
    }

    /// Minimal count of a vocabulary word (default 5; 0 acts as 1).
    pub fn min_count(mut self, min_count: u64) -> Self {
        self.config.min_count = min_count;
        self
    }

    /// Maximal vocabulary size (default `None`: no limit; ≥ 1 when given).
    pub fn max_vocab(mut self, max_vocab: Option<usize>) -> Self {
        self.config.max_vocab = max_vocab;
        self
    }

    /// Subsampling threshold `s` (default 10⁻³; 0 disables; finite, ≥ 0).
    pub fn sample(mut self, sample: f64) -> Self {
        self.config.sample = sample;
        self
    }

    /// Noise words per prediction (default 5; 0 disables negative sampling; at most 1000).
    pub fn negative(mut self, negative: usize) -> Self {
        self.config.negative = negative;
        self
    }

    /// Hierarchical softmax on or off (default off; on, or `negative > 0`).
    pub fn hs(mut self, hs: bool) -> Self {
        self.config.hs = hs;
        self
    }

    /// Exponent of the noise distribution `∝ count^ns_exponent` (default 0.75; finite).
    pub fn ns_exponent(mut self, ns_exponent: f64) -> Self {
        self.config.ns_exponent = ns_exponent;
        self
    }

    /// Initial learning rate (default 0.025; finite, > 0).
    pub fn alpha(mut self, alpha: f32) -> Self {
        self.config.alpha = alpha;
        self
    }

    /// Final learning rate (default 10⁻⁴; finite, 0 ≤ `min_alpha` ≤ `alpha`).
    pub fn min_alpha(mut self, min_alpha: f32) -> Self {
        self.config.min_alpha = min_alpha;
        self
    }

    /// Passes over the corpus (default 5; ≥ 1).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.config.epochs = epochs;
        self
    }

    /// Hogwild threads (default 1, the deterministic mode; 1 ..= 1024).
    pub fn threads(mut self, threads: usize) -> Self {
        self.config.threads = threads;
        self
    }

    /// Longest sentence trained as one piece, in kept words (default 10,000; ≥ 1).
    pub fn max_sentence_len(mut self, max_sentence_len: usize) -> Self {
        self.config.max_sentence_len = max_sentence_len;
        self
    }

    /// Deterministic multi-threaded training (default `false`: Hogwild). With `true`, the
    /// `threads` threads train in rounds of about 16,384 words each on fixed parts of the
    /// corpus, against thread-local copies of the rows they touch, and the copies are merged
    /// into the shared rows in thread order at the end of each round: the same `threads`,
    /// seed and corpus give the same bits on every run. The cost is the merge and up to one
    /// copy of the matrices per thread. With one thread both modes are the same. The
    /// scheme is described in the [`Word2VecTrainer::train`] documentation.
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::word2vec::Word2Vec;
    /// let corpus: Vec<String> = (0..200).map(|i| format!("w{} w{} w{} w{}", i % 7, i % 5, i % 3, i % 2)).collect();
    /// let trainer = Word2Vec::builder().dim(8).min_count(1).threads(2).deterministic(true).build()?;
    /// assert!(trainer.deterministic());
    /// let fit = || {
    ///     let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
    ///     trainer.fit(|| corpus.iter(), &mut rng, |_| {})
    /// };
    /// assert_eq!(fit()?, fit()?); // two threads, bit for bit
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn deterministic(mut self, deterministic: bool) -> Self {
        self.config.deterministic = deterministic;
        self
    }

    /// Reads every line end as the word `</s>` ([`Vocab::EOS`](crate::text::Vocab::EOS)), as
    /// the C `word2vec` tool does (default `false`: a line is a sentence and nothing more, as
    /// in gensim).
    ///
    /// With `keep_eos`, the vocabulary is that of [`Vocab::from_sentences_with_eos`]
    /// (`</s>` at index 0, counted once per line, kept whatever `min_count`), and training
    /// follows the C tool: `</s>` counts as a word read (in the learning-rate schedule and in
    /// the `T` of subsampling) and ends the sentence, but it is never a centre or context
    /// word, so its vector keeps its random start; and it is never a noise word, its share
    /// `count^0.75` of the noise distribution being spread evenly over the other words (the
    /// C tool redraws a uniform word when its table gives `</s>`). It sits in the Huffman
    /// tree as a word. A literal `</s>` in the text is that same token. A vocabulary given to
    /// [`Word2VecTrainer::train`] must then have `</s>` at index 0 (a C-tool vocabulary file
    /// read by [`Vocab::read`] has).
    ///
    /// [`Vocab::from_sentences_with_eos`]: crate::text::Vocab::from_sentences_with_eos
    /// [`Vocab::read`]: crate::text::Vocab::read
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::word2vec::Word2Vec;
    /// let corpus = ["a b c", "b c a", "c a b"];
    /// let trainer = Word2Vec::builder().dim(4).min_count(1).keep_eos(true).build()?;
    /// let vocab = trainer.build_vocab(corpus)?;
    /// assert_eq!((vocab.words()[0].as_str(), vocab.counts()[0]), ("</s>", 3));
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let model = trainer.train(&vocab, || corpus.iter(), &mut rng, |_| {})?;
    /// assert_eq!(model.index("</s>"), Some(0));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn keep_eos(mut self, keep_eos: bool) -> Self {
        self.config.keep_eos = keep_eos;
        self
    }

    /// Validates the configuration into a [`Word2VecTrainer`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] naming the first value outside the range of the table
    /// above (including `negative = 0` with `hs` off).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let trainer = Word2Vec::builder().dim(50).window(3).negative(5).build()?;
    /// assert_eq!((trainer.dim(), trainer.window(), trainer.negative()), (50, 3, 5));
    /// // the checks happen here, not in the setters
    /// assert!(Word2Vec::builder().dim(0).build().is_err());
    /// assert!(Word2Vec::builder().negative(0).hs(false).build().is_err()); // no output layer
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn build(self) -> Result<Word2VecTrainer> {
        self.config.validate()?;
        Ok(Word2VecTrainer::new(self.config))
    }
}
