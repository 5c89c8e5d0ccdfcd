//! A word-level language model: word indices in, a next-word distribution out (Mikolov et al.
//! 2010), built from the crate's parts and trained by BPTT.
//!
//! ```text
//! e⟨t⟩ = E[:, w⟨t−1⟩]                    embedding lookup, E: d × V (random, Word2Vec, one-hot)
//! s⟨t⟩, h⟨t⟩ = cell(s⟨t−1⟩, e⟨t⟩)         any Cell (Elman by default: h = tanh(W_ax e + W_aa h⟨t−1⟩ + b))
//! z⟨t⟩ = W h⟨t⟩ + b                        logits over the vocabulary, W: V × H
//! P(w⟨t⟩ = k | w⟨<t⟩) = softmax(z⟨t⟩)_k   full softmax
//! L = −(1/N) Σ_t ln P(w⟨t⟩ | w⟨<t⟩),  perplexity = e^L
//! ```
//!
//! The model is a [`Net`]`<`[`Stack`]`<C>>`: one θ `[embedding.table | cell.… | head.w, head.b]`,
//! so every algorithm of the crate (BPTT, the gradient check, the optimisers, the trainer)
//! works on it unchanged. [`LanguageModel`] adds the vocabulary, the framing of a sentence
//! (input `</s> w1 … wn`, targets `w1 … wn </s>`, the state reset at every sentence),
//! perplexity, sampling and validated serde.
//!
//! * [`LanguageModel::builder`] (with [`elman`] for the default cell): random embeddings,
//!   [`LanguageModelBuilder::embedding`] from any [`Embedding`] (e.g. a trained [`crate::Word2Vec`],
//!   matched by word, missing words counted in [`Coverage`]), frozen or fine-tuned, or
//!   [`LanguageModelBuilder::one_hot`] (Elman's local representation, for comparison);
//! * [`LanguageModel::fit`]: mini-batches of sentences through [`crate::train::Trainer`]
//!   (padding and masks, clipping, any optimiser, early stopping on the validation
//!   perplexity), with sentences of similar length batched together;
//! * [`LanguageModel::perplexity`], [`LanguageModel::probabilities`],
//!   [`LanguageModel::generate`] (a temperature, seeded);
//! * [`Bigram`]: the add-one unigram and add-k bigram baselines on the same counts;
//! * [`KneserNey`]: interpolated Kneser–Ney n-grams of any order, with the modified discounts
//!   of Chen & Goodman (1999), and [`LanguageModel::token_probabilities`] to interpolate them
//!   with the network;
//! * the vocabulary is the crate's one [`Vocab`], built for the task by
//!   [`Vocab::for_language_model`] (`</s>`, `<unk>`, the words seen at least `min_count` times).
//!
//! # Examples
//!
//! ```
//! use rand::SeedableRng;
//! use recurrent::lm::{LanguageModel, elman};
//! use recurrent::text::Vocab;
//! use recurrent::train::{Adam, Clip, TrainConfig};
//! let text = ["the cat sat", "the dog sat", "the cat ran", "the dog ran"];
//! let vocab = Vocab::for_language_model(text, 1)?;
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
//! let mut lm = LanguageModel::builder(vocab, elman::<f64>(8, 16, &mut rng)?).build(&mut rng)?;
//! let data: Vec<Vec<usize>> = text.iter().map(|s| lm.encode(s)).collect();
//! let before = lm.perplexity(&data)?;
//! let config = TrainConfig::new().epochs(30).batch_size(2).clip(Clip::norm(5.0)?);
//! lm.fit(config, Adam::new(0.01)?, &data, None, &mut rng, |_| {})?;
//! assert!(lm.perplexity(&data)? < before / 2.0);
//! let sentence = lm.generate(&[], 10, 0.0, &mut rng)?; // greedy
//! assert_eq!(lm.word(sentence[0]), Some("the"));
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! # References
//!
//! [^1]: T. Mikolov, M. Karafiát, L. Burget, J. Černocký, S. Khudanpur (2010), "Recurrent
//!   neural network based language model", Interspeech.
//! [^2]: J. L. Elman (1990), "Finding structure in time", Cognitive Science 14(2).

mod kneser_ney;
mod ngram;

pub use kneser_ney::KneserNey;
pub use ngram::{Bigram, mixture_perplexity, tune_mixture};

use crate::cell::{Elman, ElmanCell};
use crate::error::{Error, Result};
use crate::grad::{Batch, Bptt, Loss, Reduction};
use crate::net::{Linear, Lookup, Net, Stack};
use crate::scalar::{Real, lit, to_f64};
use crate::sequence::{Mask, Sequence};
use crate::text::Vocab;
use crate::train::{Dataset, Optimizer, Progress, TrainConfig, TrainReport};
use crate::traits::{Cell, Embedding, Parameters};
use nalgebra::DMatrix;
use rand::{Rng, RngExt};
use rand_distr::{Distribution, Normal};

/// A framed sentence: inputs and targets, one row of token indices each.
type Framed<T> = (Sequence<T>, Sequence<T>);

/// The sentence end, read as the input at every sentence start and predicted at its end
/// ([`Vocab::EOS`]).
pub const EOS: &str = Vocab::EOS;
/// The token every word outside the vocabulary becomes (predicted as a word; [`Vocab::UNK`]).
pub const UNK: &str = Vocab::UNK;

/// How the embedding table of a built model was filled from an [`Embedding`].
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use recurrent::lm::{Coverage, LanguageModel, elman};
/// use recurrent::text::Vocab;
/// use recurrent::word2vec::Word2Vec;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let w2v = Word2Vec::from_parts(vec!["cat".into()], vec![1], 2, vec![1.0, 0.5])?;
/// let lm = LanguageModel::builder(Vocab::for_language_model(["the cat"], 1)?, elman::<f64>(2, 4, &mut rng)?)
///     .embedding(&w2v)
///     .build(&mut rng)?;
/// let c: Option<&Coverage> = lm.coverage();
/// assert_eq!(c.map(|c| c.matched), Some(1));
/// // random embeddings leave no coverage
/// let lm = LanguageModel::builder(Vocab::for_language_model(["the cat"], 1)?, elman::<f64>(2, 4, &mut rng)?).build(&mut rng)?;
/// assert!(lm.coverage().is_none());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Vocabulary words whose vector was copied.
    pub matched: usize,
    /// Vocabulary words the embedding does not know, in vocabulary order (their vectors were
    /// drawn at random with the embedding's own component standard deviation).
    pub missing: Vec<String>,
}

/// A word-level recurrent language model: a vocabulary and a [`Net`]`<`[`Stack`]`<C>>`
/// (embedding lookup `V × d` → cell → linear logits over `V`), trained with
/// [`Loss::softmax_cross_entropy`]. See the [module documentation](self).
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use recurrent::lm::{LanguageModel, elman};
/// use recurrent::text::Vocab;
/// let text = ["the cat sat", "the dog ran"];
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(2);
/// let lm = LanguageModel::builder(Vocab::for_language_model(text, 1)?, elman::<f64>(4, 8, &mut rng)?).build(&mut rng)?;
/// assert_eq!(lm.vocab_len(), 5 + 2); // five words, </s> and <unk>
/// let tokens = lm.encode("the cat ran");
/// assert_eq!(lm.decode(&tokens), "the cat ran");
/// assert_eq!(lm.encode("the bird")[1], lm.unk()); // unknown words become <unk>
/// // P(next word | the cat): a distribution over the vocabulary
/// let p = lm.probabilities(&tokens[..2])?;
/// assert_eq!(p.len(), lm.vocab_len());
/// assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// assert!(lm.perplexity(&[tokens])? > 1.0);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Serde
///
/// With the `serde` feature a model serialises as `{ "vocab": …, "net": … }` (the vocabulary
/// as [`Vocab`] serialises) and is validated on load: the vocabulary's own checks (as many
/// counts as words, the words distinct), then the net's, then a lookup and a head present,
/// both of the vocabulary's size, `</s>` and `<unk>` among the words, and no word empty or
/// holding whitespace. A model saved before the vocabulary was a [`Vocab`],
/// `{ "words": […], "net": … }`, still loads (with every count 0).
#[derive(Clone, Debug)]
pub struct LanguageModel<C: Cell> {
    vocab: Vocab,
    /// `vocab`'s indices of `</s>` and `<unk>`, checked present at construction.
    eos: usize,
    unk: usize,
    net: Net<Stack<C>>,
    coverage: Option<Coverage>,
}

impl<C: Cell> PartialEq for LanguageModel<C>
where
    Net<Stack<C>>: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.vocab == other.vocab && self.net == other.net
    }
}

/// The embedding table a builder will use.
#[derive(Clone, Debug)]
enum Table {
    Random(f64),
    Given(Vec<f32>, Coverage),
    OneHot,
}

/// Builds a [`LanguageModel`] ([`LanguageModel::builder`]).
///
/// | name | default | purpose |
/// |---|---|---|
/// | `sigma` | `1.0` | random embeddings drawn from `N(0, σ²)` (as `torch.nn.Embedding`) |
/// | `embedding` | none | copy the vectors of an [`Embedding`], matched by word |
/// | `one_hot` | off | a one-hot input: the `V × V` identity table (the cell's input must be `V` wide), frozen |
/// | `frozen` | `false` | keep the embedding table fixed (no gradient) |
///
/// # Errors
///
/// [`LanguageModelBuilder::build`] returns [`Error::InvalidParameter`] for a vocabulary
/// without `</s>` or `<unk>` or a bad `sigma`, and
/// [`Error::DimensionMismatch`] if the embedding's dimension is not the cell's input size.
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use recurrent::lm::{LanguageModel, elman};
/// use recurrent::text::Vocab;
/// use recurrent::word2vec::Word2Vec;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
/// // 2-dimensional vectors for two of the words (a trained Word2Vec is used the same way)
/// let w2v = Word2Vec::from_parts(vec!["cat".into(), "dog".into()], vec![1, 1], 2, vec![1.0, 0.0, 0.9, 0.1])?;
/// let vocab = Vocab::for_language_model(["the cat", "the dog"], 1)?;
/// let lm = LanguageModel::builder(vocab, elman::<f64>(2, 6, &mut rng)?)
///     .embedding(&w2v)
///     .frozen(true)
///     .build(&mut rng)?;
/// let coverage = lm.coverage().expect("built from an embedding");
/// assert_eq!(coverage.matched, 2);
/// assert!(coverage.missing.contains(&"the".to_string()));
/// // the embedding's dimension must be the cell's input size
/// let vocab = Vocab::for_language_model(["the cat"], 1)?;
/// assert!(LanguageModel::builder(vocab, elman::<f64>(3, 6, &mut rng)?).embedding(&w2v).build(&mut rng).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LanguageModelBuilder<C: Cell> {
    vocab: Vocab,
    cell: Net<C>,
    table: Table,
    frozen: bool,
}

impl<C: Cell> LanguageModelBuilder<C> {
    /// Random embeddings from `N(0, σ²)`.
    pub fn sigma(mut self, sigma: f64) -> Self {
        self.table = Table::Random(sigma);
        self
    }

    /// Embeddings copied from `embedding`, word by word; vocabulary words it lacks get random
    /// vectors (with the standard deviation of its components) and are listed in
    /// [`LanguageModel::coverage`]. The dimension is checked in `build`.
    pub fn embedding<E: Embedding + ?Sized>(mut self, embedding: &E) -> Self {
        let dim = embedding.dim();
        let mut table = Vec::new();
        let mut coverage = Coverage::default();
        let mut missing = Vec::new();
        // a table that cannot be allocated is reported by `build` as a length mismatch
        if table
            .try_reserve(self.vocab.len().saturating_mul(dim))
            .is_ok()
        {
            for (i, w) in self.vocab.words().iter().enumerate() {
                match embedding.index(w).and_then(|k| embedding.vector_at(k)) {
                    Some(v) if v.len() == dim => {
                        table.extend_from_slice(v);
                        coverage.matched += 1;
                    }
                    _ => {
                        missing.push(i);
                        coverage.missing.push(w.clone());
                        table.extend(std::iter::repeat_n(0.0, dim));
                    }
                }
            }
        }
        // fill the missing rows with the embedding's own scale, drawn from a fixed seed so
        // that the builder stays a plain value (the rest of the model uses `build`'s rng)
        let n = table.len().max(1) as f64;
        let mean = table.iter().map(|v| f64::from(*v)).sum::<f64>() / n;
        let var = table
            .iter()
            .map(|v| (f64::from(*v) - mean).powi(2))
            .sum::<f64>()
            / n;
        let sd = if var > 0.0 { var.sqrt() } else { 0.1 };
        let mut rng = <rand::rngs::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(0);
        let normal = Normal::new(0.0, sd).unwrap_or_else(|_| Normal::new(0.0, 0.1).expect("σ > 0"));
        for i in missing {
            for v in &mut table[i * dim..(i + 1) * dim] {
                *v = normal.sample(&mut rng) as f32;
            }
        }
        self.table = Table::Given(table, coverage);
        self
    }

    /// A one-hot input: the lookup is the frozen `V × V` identity, so the cell reads `e_k`
    /// (`V` wide) and its input weights are the word vectors — Elman's (1990) local
    /// representation, costing `O(V·H)` per token in the input layer.
    pub fn one_hot(mut self) -> Self {
        self.table = Table::OneHot;
        self.frozen = true;
        self
    }

    /// Keep the embedding table fixed (`true`) or fine-tune it (`false`, the default).
    pub fn frozen(mut self, frozen: bool) -> Self {
        self.frozen = frozen;
        self
    }

    /// Assembles the model, drawing the random parts with `rng` (the head's weights by
    /// [`crate::init::Init::Xavier`], its biases zero).
    ///
    /// # Errors
    ///
    /// See [`LanguageModelBuilder`].
    pub fn build<R: Rng + ?Sized>(self, rng: &mut R) -> Result<LanguageModel<C>> {
        let vocab = self.vocab;
        let (eos, unk) = reserved(&vocab)?;
        let v = vocab.len();
        let dim = self.cell.cell().n_input();
        let n_out = self.cell.cell().n_output();
        let lookup = Lookup::new(v, dim)?.frozen(self.frozen);
        let mut builder = Stack::builder(self.cell)
            .lookup(lookup)
            .head(Linear::new(n_out, v)?);
        let mut coverage = None;
        match self.table {
            Table::Random(sigma) => {
                builder = builder.table(lookup.random::<C::Scalar, R>(sigma, rng)?);
            }
            Table::Given(t, c) => {
                crate::error::check_shape(
                    "LanguageModel::build",
                    "embedding (dim × words)",
                    (dim, v),
                    (t.len() / v.max(1), v),
                )?;
                crate::error::check_shape(
                    "LanguageModel::build",
                    "embedding table length",
                    (dim * v, 1),
                    (t.len(), 1),
                )?;
                builder = builder.table(t.iter().map(|x| lit(f64::from(*x))).collect());
                coverage = Some(c);
            }
            Table::OneHot => {
                crate::error::check_shape(
                    "LanguageModel::build",
                    "cell input for a one-hot input (V)",
                    (v, 1),
                    (dim, 1),
                )?;
                let mut t = Vec::new();
                t.try_reserve(v.saturating_mul(v)).map_err(|_| {
                    Error::invalid(
                        "one_hot",
                        format!("a {v} × {v} table does not fit in memory"),
                    )
                })?;
                t.resize(v * v, C::Scalar::zero());
                for k in 0..v {
                    t[k * v + k] = C::Scalar::one();
                }
                builder = builder.table(t);
            }
        }
        let net = builder.build(rng)?;
        Ok(LanguageModel {
            vocab,
            eos,
            unk,
            net,
            coverage,
        })
    }
}

use num_traits::{One, Zero};

/// The indices of `</s>` and `<unk>` in a language model's vocabulary.
///
/// # Errors
///
/// [`Error::InvalidParameter`] if either is missing, or a word is empty or holds whitespace
/// (possible only in a deserialised vocabulary).
fn reserved(vocab: &Vocab) -> Result<(usize, usize)> {
    vocab.check_plain()?;
    let find = |i: Option<usize>, w: &str| {
        i.ok_or_else(|| {
            Error::invalid(
                "vocab",
                format!("a language model's vocabulary needs {w:?}"),
            )
        })
    };
    Ok((
        find(vocab.eos(), Vocab::EOS)?,
        find(vocab.unk(), Vocab::UNK)?,
    ))
}

/// An Elman cell for a language model: `h⟨t⟩ = tanh(W_ax e⟨t⟩ + W_aa h⟨t−1⟩ + b_a)` over `dim`
/// inputs and `hidden` units, whose own read-out starts as the identity (`W_ya = I`, `b_y = 0`,
/// linear), so the model starts as `torch.nn.RNN` followed by the logits layer (`W_ya` stays
/// trainable: `W·W_ya` is still one linear map of `h`).
///
/// # Errors
///
/// As [`crate::cell::ElmanBuilder::build`].
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let cell = recurrent::lm::elman::<f32>(100, 128, &mut rng)?;
/// assert_eq!(cell.block("w_ya")?[(3, 3)], 1.0);
/// # Ok::<(), recurrent::Error>(())
/// ```
pub fn elman<T: Real>(
    dim: usize,
    hidden: usize,
    rng: &mut (impl Rng + ?Sized),
) -> Result<Elman<T>> {
    let mut net = Elman::<T>::builder(dim, hidden, hidden).build(rng)?;
    let blocks = net.param_blocks();
    for b in blocks
        .iter()
        .filter(|b| b.name == "w_ya" || b.name == "b_y")
    {
        let p = &mut net.params_mut()[b.offset..b.offset + b.len()];
        p.fill(T::zero());
        if b.name == "w_ya" {
            for k in 0..hidden {
                p[k * hidden + k] = T::one();
            }
        }
    }
    Ok(net)
}

/// The cell type [`elman`] builds.
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use recurrent::lm::{ElmanLm, LanguageModel, elman};
/// use recurrent::text::Vocab;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let lm: ElmanLm<f32> = LanguageModel::builder(Vocab::for_language_model(["a b"], 1)?, elman(4, 8, &mut rng)?).build(&mut rng)?;
/// assert_eq!(lm.vocab_len(), 4);
/// # Ok::<(), recurrent::Error>(())
/// ```
pub type ElmanLm<T> = LanguageModel<ElmanCell<T>>;

impl<C: Cell> LanguageModel<C> {
    /// Starts a model over `vocab` (word `i` is token `i`; `</s>` and `<unk>` must be among
    /// the words, as in [`Vocab::for_language_model`]) around `cell`, whose input size is the
    /// embedding dimension; see [`LanguageModelBuilder`].
    pub fn builder(vocab: Vocab, cell: Net<C>) -> LanguageModelBuilder<C> {
        LanguageModelBuilder {
            vocab,
            cell,
            table: Table::Random(1.0),
            frozen: false,
        }
    }

    /// A model from a trained or loaded net and its vocabulary.
    ///
    /// # Errors
    ///
    /// As the serde load: [`Error::InvalidParameter`] for a vocabulary without `</s>` or
    /// `<unk>` (or with a word that is empty or holds whitespace) or a net without a lookup
    /// or a head, [`Error::DimensionMismatch`] if their sizes are not the vocabulary's.
    pub fn new(vocab: Vocab, net: Net<Stack<C>>) -> Result<Self> {
        let (eos, unk) = reserved(&vocab)?;
        let stack = net.cell();
        let (Some(lookup), Some(head)) = (stack.lookup(), stack.head()) else {
            return Err(Error::invalid(
                "net",
                "a language model needs an embedding lookup and a head",
            ));
        };
        crate::error::check_shape(
            "LanguageModel::new",
            "lookup vocab, head outputs",
            (vocab.len(), vocab.len()),
            (lookup.vocab(), head.n_out()),
        )?;
        Ok(Self {
            vocab,
            eos,
            unk,
            net,
            coverage: None,
        })
    }

    /// The net: one θ for embedding, cell and head.
    pub fn net(&self) -> &Net<Stack<C>> {
        &self.net
    }

    /// The net, mutably (e.g. for an algorithm of the crate; the vocabulary stays).
    pub fn net_mut(&mut self) -> &mut Net<Stack<C>> {
        &mut self.net
    }

    /// The vocabulary and the net, taken apart.
    pub fn into_parts(self) -> (Vocab, Net<Stack<C>>) {
        (self.vocab, self.net)
    }

    /// How the table was filled from an [`Embedding`] (`None` for other tables and loaded
    /// models).
    pub fn coverage(&self) -> Option<&Coverage> {
        self.coverage.as_ref()
    }

    /// The vocabulary, word `i` being token `i`.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The vocabulary's words, word `i` being token `i`.
    pub fn words(&self) -> &[String] {
        self.vocab.words()
    }

    /// Vocabulary size `V`.
    pub fn vocab_len(&self) -> usize {
        self.vocab.len()
    }

    /// Word of token `i`.
    pub fn word(&self, i: usize) -> Option<&str> {
        self.vocab.word(i)
    }

    /// Token of `word`, if it is in the vocabulary.
    pub fn token(&self, word: &str) -> Option<usize> {
        self.vocab.index(word)
    }

    /// Token of `</s>`.
    pub fn eos(&self) -> usize {
        self.eos
    }

    /// Token of `<unk>`.
    pub fn unk(&self) -> usize {
        self.unk
    }

    /// The tokens of a sentence (words separated by whitespace; unknown words become
    /// `<unk>`; no `</s>` is added: the model frames every sentence itself).
    pub fn encode(&self, sentence: &str) -> Vec<usize> {
        sentence
            .split_whitespace()
            .map(|w| self.vocab.index(w).unwrap_or(self.unk))
            .collect()
    }

    /// The words of `tokens`, joined by spaces (`?` for an index outside the vocabulary).
    pub fn decode(&self, tokens: &[usize]) -> String {
        tokens
            .iter()
            .map(|t| self.vocab.word(*t).unwrap_or("?"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn check_tokens(&self, sentences: &[Vec<usize>]) -> Result<()> {
        ngram::check(sentences, self.vocab.len())
    }

    /// One sentence as the pair (inputs `</s> w1 … wn`, targets `w1 … wn </s>`).
    fn framed(&self, s: &[usize]) -> Result<Framed<C::Scalar>> {
        let eos = self.eos;
        let x: Vec<C::Scalar> = std::iter::once(eos)
            .chain(s.iter().copied())
            .map(|k| lit(k as f64))
            .collect();
        let d: Vec<C::Scalar> = s
            .iter()
            .copied()
            .chain(std::iter::once(eos))
            .map(|k| lit(k as f64))
            .collect();
        let n = x.len();
        Ok((
            Sequence::new(DMatrix::from_row_slice(1, n, &x), 1)?,
            Sequence::new(DMatrix::from_row_slice(1, n, &d), 1)?,
        ))
    }

    /// Sentences `idx` padded into one batch: inputs, targets and the mask of real steps.
    #[allow(clippy::type_complexity)]
    fn padded(
        &self,
        sentences: &[Vec<usize>],
        idx: &[usize],
    ) -> Result<(Sequence<C::Scalar>, Sequence<C::Scalar>, Mask<C::Scalar>)> {
        let b = idx.len();
        let steps = idx
            .iter()
            .map(|&i| sentences[i].len() + 1)
            .max()
            .unwrap_or(1);
        let eos = lit::<C::Scalar>(self.eos as f64);
        let mut x = DMatrix::from_element(1, steps * b, eos);
        let mut d = DMatrix::from_element(1, steps * b, eos);
        let mut m = vec![C::Scalar::zero(); steps * b];
        for (k, &i) in idx.iter().enumerate() {
            let s = &sentences[i];
            for t in 0..=s.len() {
                if t > 0 {
                    x[t * b + k] = lit(s[t - 1] as f64);
                }
                if t < s.len() {
                    d[t * b + k] = lit(s[t] as f64);
                }
                m[t * b + k] = C::Scalar::one();
            }
        }
        Ok((
            Sequence::new(x, b)?,
            Sequence::new(d, b)?,
            Mask::new(m, steps, b)?,
        ))
    }

    /// Mean negative log-likelihood per predicted token (nats) over `sentences`: every word
    /// and each sentence's final `</s>`, the state reset at each sentence start.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no sentences; [`Error::InvalidParameter`] for a token outside
    /// the vocabulary; [`Error::NonFinite`] if the outputs are not finite.
    pub fn nll(&self, sentences: &[Vec<usize>]) -> Result<f64> {
        if sentences.is_empty() {
            return Err(Error::Empty {
                op: "perplexity",
                what: "sentences",
            });
        }
        self.check_tokens(sentences)?;
        // batches of similar length: little padding
        let mut order: Vec<usize> = (0..sentences.len()).collect();
        order.sort_by_key(|&i| sentences[i].len());
        let loss = Loss::softmax_cross_entropy().with_reduction(Reduction::Sum);
        let (mut total, mut n) = (0.0, 0usize);
        // one workspace for every chunk: its buffers (the V × T·B logits) are reused
        let mut ws = crate::grad::Bptt::new(&self.net, 1, 1);
        for chunk in order.chunks(64) {
            let (x, d, m) = self.padded(sentences, chunk)?;
            let l = ws.loss(&self.net, Batch::new(&x, &d).with_mask(&m), loss)?;
            total += to_f64(l);
            n += chunk.iter().map(|&i| sentences[i].len() + 1).sum::<usize>();
        }
        Ok(total / n as f64)
    }

    /// Perplexity `exp(mean NLL per token)` over `sentences` ([`LanguageModel::nll`]).
    ///
    /// # Errors
    ///
    /// As [`LanguageModel::nll`].
    ///
    /// # Examples
    ///
    /// An untrained model is close to uniform over its `V` words: perplexity near `V`.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::lm::{LanguageModel, elman};
    /// use recurrent::text::Vocab;
    /// let text = ["a b c", "a b d", "b c d"];
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
    /// let vocab = Vocab::for_language_model(text, 1)?;
    /// let lm = LanguageModel::builder(vocab, elman::<f64>(4, 8, &mut rng)?).build(&mut rng)?;
    /// let data: Vec<Vec<usize>> = text.iter().map(|s| lm.encode(s)).collect();
    /// let v = lm.vocab().len() as f64; // a b c d, </s>, <unk>
    /// let ppl = lm.perplexity(&data)?;
    /// assert!(ppl > 0.5 * v && ppl < 2.0 * v, "{ppl} vs V = {v}");
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn perplexity(&self, sentences: &[Vec<usize>]) -> Result<f64> {
        Ok(self.nll(sentences)?.exp())
    }

    /// `ln P(w⟨t⟩ | </s> w⟨<t⟩)` for every predicted token of every sentence: `out[i][t]` for
    /// `t = 0 … n` over the `n` words of sentence `i` and its final `</s>` (`n + 1` values),
    /// the state reset at each sentence start, as [`LanguageModel::nll`] counts them
    /// (`nll = −mean` of all of them). Sentences run in batches of similar length, as in
    /// `nll`; the log-softmax of each column is taken in f64,
    /// `ln softmax(z)_k = z_k − m − ln Σ_j e^{z_j − m}` with `m = max_j z_j`.
    ///
    /// For interpolating with another model's probabilities `q`:
    /// `P = λ · e^{out[i][t]} + (1 − λ) · q[i][t]`.
    ///
    /// # Errors
    ///
    /// As [`LanguageModel::nll`].
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::lm::{LanguageModel, elman};
    /// use recurrent::text::Vocab;
    /// let text = ["a b c", "a b d", "b c d"];
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
    /// let vocab = Vocab::for_language_model(text, 1)?;
    /// let lm = LanguageModel::builder(vocab, elman::<f64>(4, 8, &mut rng)?).build(&mut rng)?;
    /// let data: Vec<Vec<usize>> = text.iter().map(|s| lm.encode(s)).collect();
    /// let lp = lm.token_log_probabilities(&data)?;
    /// assert_eq!(lp[0].len(), 4); // a b c </s>
    /// let n: usize = lp.iter().map(Vec::len).sum();
    /// let mean = lp.iter().flatten().sum::<f64>() / n as f64;
    /// assert!(((-mean).exp() - lm.perplexity(&data)?).abs() < 1e-9);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn token_log_probabilities(&self, sentences: &[Vec<usize>]) -> Result<Vec<Vec<f64>>> {
        if sentences.is_empty() {
            return Err(Error::Empty {
                op: "token_log_probabilities",
                what: "sentences",
            });
        }
        self.check_tokens(sentences)?;
        let mut order: Vec<usize> = (0..sentences.len()).collect();
        order.sort_by_key(|&i| sentences[i].len());
        let mut out: Vec<Vec<f64>> = vec![Vec::new(); sentences.len()];
        let mut z = Vec::new();
        // one workspace for every chunk, as in `nll`
        let mut ws = Bptt::new(&self.net, 1, 1);
        for chunk in order.chunks(64) {
            let (x, _, _) = self.padded(sentences, chunk)?;
            let y = ws.forward(&self.net, &x, None)?;
            let b = chunk.len();
            for (k, &i) in chunk.iter().enumerate() {
                let s = &sentences[i];
                let mut row = Vec::with_capacity(s.len() + 1);
                for t in 0..=s.len() {
                    let target = if t < s.len() { s[t] } else { self.eos };
                    z.clear();
                    z.extend(y.column(t * b + k).iter().map(|v| to_f64(*v)));
                    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let lse = z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                    row.push(z[target] - m - lse);
                }
                out[i] = row;
            }
        }
        Ok(out)
    }

    /// `P(w⟨t⟩ | </s> w⟨<t⟩)` for every predicted token: `e^` of
    /// [`LanguageModel::token_log_probabilities`].
    ///
    /// # Errors
    ///
    /// As [`LanguageModel::nll`].
    pub fn token_probabilities(&self, sentences: &[Vec<usize>]) -> Result<Vec<Vec<f64>>> {
        let mut lp = self.token_log_probabilities(sentences)?;
        lp.iter_mut().flatten().for_each(|v| *v = v.exp());
        Ok(lp)
    }

    /// Runs the model from a sentence start over `</s>` and then `context`, returning the
    /// state and the logits after the last input.
    #[allow(clippy::type_complexity)]
    fn run_context(&self, context: &[usize]) -> Result<(DMatrix<C::Scalar>, Vec<C::Scalar>)> {
        self.check_tokens(std::slice::from_ref(&context.to_vec()))?;
        let stack = self.net.cell();
        let theta = self.net.params();
        let mut state = stack.initial_state(1);
        let mut next = state.clone();
        let mut out = DMatrix::zeros(stack.n_output(), 1);
        let mut cache = DMatrix::zeros(stack.n_cache(), 1);
        for &k in std::iter::once(&self.eos).chain(context) {
            let x = DMatrix::from_element(1, 1, lit::<C::Scalar>(k as f64));
            stack.step(
                theta,
                x.as_view(),
                state.as_view(),
                next.as_view_mut(),
                out.as_view_mut(),
                cache.as_view_mut(),
            );
            std::mem::swap(&mut state, &mut next);
        }
        Ok((state, out.as_slice().to_vec()))
    }

    /// `P(w | </s> context)` for every word `w` of the vocabulary (the distribution after
    /// reading a sentence start and then the tokens `context`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a token outside the vocabulary; [`Error::NonFinite`]
    /// if the logits are not finite.
    pub fn probabilities(&self, context: &[usize]) -> Result<Vec<f64>> {
        let (_, z) = self.run_context(context)?;
        let z: Vec<f64> = z.into_iter().map(to_f64).collect();
        softmax(&z, 1.0)
    }

    /// Samples a sentence after `prompt` (tokens, not repeated in the result): up to
    /// `max_len` tokens, each drawn from `softmax(z / temperature)`, stopping after `</s>`
    /// (which is included). `temperature = 0` takes the most probable word every step
    /// (ties: the lowest index), the limit of small temperatures. The same `rng` state gives
    /// the same sentence.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a negative or non-finite temperature or a prompt token
    /// outside the vocabulary; [`Error::NonFinite`] if the logits are not finite.
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::lm::{LanguageModel, elman};
    /// use recurrent::text::Vocab;
    /// use recurrent::train::{Adam, TrainConfig};
    /// let text = ["a b c", "a b d", "b c d"];
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
    /// let vocab = Vocab::for_language_model(text, 1)?;
    /// let mut lm = LanguageModel::builder(vocab, elman::<f64>(4, 8, &mut rng)?).build(&mut rng)?;
    /// let data: Vec<Vec<usize>> = text.iter().map(|s| lm.encode(s)).collect();
    /// lm.fit(TrainConfig::new().epochs(60), Adam::new(0.02)?, &data, None, &mut rng, |_| {})?;
    /// let prompt = lm.encode("a"); // "a" is followed by "b" in every sentence
    /// let next = lm.generate(&prompt, 1, 0.0, &mut rng)?;
    /// assert_eq!(lm.word(next[0]), Some("b"));
    /// // seeded sampling at temperature 1: the same seed, the same sentence
    /// let mut r1 = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let mut r2 = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// assert_eq!(lm.generate(&[], 8, 1.0, &mut r1)?, lm.generate(&[], 8, 1.0, &mut r2)?);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn generate<R: Rng + ?Sized>(
        &self,
        prompt: &[usize],
        max_len: usize,
        temperature: f64,
        rng: &mut R,
    ) -> Result<Vec<usize>> {
        if !(temperature.is_finite() && temperature >= 0.0) {
            return Err(Error::invalid(
                "temperature",
                format!("must be finite and ≥ 0, got {temperature}"),
            ));
        }
        let (mut state, mut z) = self.run_context(prompt)?;
        let stack = self.net.cell();
        let theta = self.net.params();
        let mut next = state.clone();
        let mut out = DMatrix::zeros(stack.n_output(), 1);
        let mut cache = DMatrix::zeros(stack.n_cache(), 1);
        let mut result = Vec::new();
        while result.len() < max_len {
            let zf: Vec<f64> = z.iter().map(|v| to_f64(*v)).collect();
            let k = if temperature == 0.0 {
                argmax(&zf)?
            } else {
                let p = softmax(&zf, temperature)?;
                let u: f64 = rng.random();
                let mut acc = 0.0;
                let mut pick = p.len() - 1;
                for (i, pi) in p.iter().enumerate() {
                    acc += pi;
                    if u < acc {
                        pick = i;
                        break;
                    }
                }
                pick
            };
            result.push(k);
            if k == self.eos {
                break;
            }
            let x = DMatrix::from_element(1, 1, lit::<C::Scalar>(k as f64));
            stack.step(
                theta,
                x.as_view(),
                state.as_view(),
                next.as_view_mut(),
                out.as_view_mut(),
                cache.as_view_mut(),
            );
            std::mem::swap(&mut state, &mut next);
            z.copy_from_slice(out.as_slice());
        }
        Ok(result)
    }

    /// The training set as the trainer's [`Dataset`]: one framed sequence per sentence, in
    /// the order `order`.
    fn dataset(&self, framed: &[Framed<C::Scalar>], order: &[usize]) -> Result<Dataset<C::Scalar>> {
        let mut data = Dataset::new();
        for &i in order {
            let (x, d) = &framed[i];
            data.push(x.clone(), d.clone())?;
        }
        Ok(data)
    }

    /// Trains on the sentences `train` (token lists without `</s>`; each is framed as
    /// `</s> w1 … wn → w1 … wn </s>` with the state reset at its start) with `config` and
    /// `optimizer`, through [`crate::train::Trainer::fit`]: mini-batches of
    /// `config.batch_size` sentences padded and masked, `config.clip`, `config.schedule`,
    /// the loss forced to [`Loss::softmax_cross_entropy`] (mean over the real tokens of a
    /// batch).
    ///
    /// Every epoch the sentences are shuffled with `rng`, sorted by length into batches, and
    /// the batches shuffled (with `config.shuffle` off: sorted, in order), so a batch holds
    /// sentences of similar length: with random batches half of the work on a corpus of
    /// verses would be padding. After each epoch the mean NLL per token on `valid` (if given)
    /// decides early stopping (`config.patience`, `config.min_delta`) and, with
    /// `config.restore_best`, which parameters are kept. The observer sees every optimiser
    /// step ([`Progress::Step`], counted over the run) and every epoch ([`Progress::Epoch`]
    /// with the validation NLL per token).
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no training sentences (or an empty `valid`);
    /// [`Error::InvalidParameter`] for a token outside the vocabulary, a bad configuration,
    /// or `patience` without `valid`; the trainer's errors (e.g. [`Error::NonFinite`] if
    /// training diverged).
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::lm::{LanguageModel, elman};
    /// use recurrent::text::Vocab;
    /// use recurrent::train::{Adam, TrainConfig};
    /// let text = ["a b c", "a b d", "b c d"];
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
    /// let vocab = Vocab::for_language_model(text, 1)?;
    /// let mut lm = LanguageModel::builder(vocab, elman::<f64>(4, 8, &mut rng)?).build(&mut rng)?;
    /// let data: Vec<Vec<usize>> = text.iter().map(|s| lm.encode(s)).collect();
    /// let mut epochs = 0;
    /// let config = TrainConfig::new().epochs(20).batch_size(2);
    /// let report = lm.fit(config, Adam::new(0.02)?, &data, Some(&data[..1]), &mut rng, |p| {
    ///     if let recurrent::train::Progress::Epoch { .. } = p {
    ///         epochs += 1;
    ///     }
    /// })?;
    /// assert_eq!(epochs, 20);
    /// assert!(report.valid_losses.last() < report.valid_losses.first()); // NLL per token
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn fit<O, R, F>(
        &mut self,
        config: TrainConfig,
        optimizer: O,
        train: &[Vec<usize>],
        valid: Option<&[Vec<usize>]>,
        rng: &mut R,
        mut observer: F,
    ) -> Result<TrainReport<C::Scalar>>
    where
        O: Optimizer<C::Scalar> + Clone,
        R: Rng + ?Sized,
        F: FnMut(&Progress<C::Scalar>),
    {
        if train.is_empty() {
            return Err(Error::Empty {
                op: "LanguageModel::fit",
                what: "training sentences",
            });
        }
        self.check_tokens(train)?;
        if let Some(v) = valid {
            if v.is_empty() {
                return Err(Error::Empty {
                    op: "LanguageModel::fit",
                    what: "validation sentences",
                });
            }
            self.check_tokens(v)?;
        }
        if config.patience.is_some() && valid.is_none() {
            return Err(Error::invalid(
                "patience",
                "early stopping needs validation sentences",
            ));
        }
        let epoch_config = TrainConfig {
            epochs: 1,
            shuffle: false,
            loss: Loss::softmax_cross_entropy(),
            schedule: None,
            patience: None,
            restore_best: false,
            ..config.clone()
        };
        // validates batch size, min_delta, …
        let mut trainer = epoch_config.clone().build(optimizer)?;
        config.clone().build(trainer.optimizer().clone())?;
        let framed: Vec<_> = train
            .iter()
            .map(|s| self.framed(s))
            .collect::<Result<_>>()?;
        let mut report = TrainReport {
            epochs: 0,
            steps: 0,
            train_losses: Vec::new(),
            valid_losses: Vec::new(),
            best_epoch: None,
            stopped_early: false,
        };
        let mut best: Option<(f64, Vec<C::Scalar>)> = None;
        let mut waited = 0;
        let mut order: Vec<usize> = (0..train.len()).collect();
        for epoch in 0..config.epochs {
            if let Some(s) = config.schedule {
                let mut opt = trainer.optimizer().clone();
                opt.set_learning_rate(s.at(epoch))?;
                trainer = epoch_config.clone().build(opt)?;
            }
            let batches = self.bucketed(&mut order, train, config.batch_size, config.shuffle, rng);
            let data = self.dataset(&framed, &batches)?;
            let offset = report.steps;
            let r = trainer.fit(&mut self.net, &data, None, rng, |p| {
                if let Progress::Step {
                    step,
                    loss,
                    grad_norm,
                    learning_rate,
                    ..
                } = *p
                {
                    observer(&Progress::Step {
                        epoch,
                        step: offset + step,
                        loss,
                        grad_norm,
                        learning_rate,
                    });
                }
            })?;
            report.steps += r.steps;
            report.epochs = epoch + 1;
            let train_loss = r.train_losses[0];
            report.train_losses.push(train_loss);
            let mut improved = false;
            let mut valid_loss = None;
            if let Some(v) = valid {
                let vl = self.nll(v)?;
                valid_loss = Some(lit::<C::Scalar>(vl));
                report.valid_losses.push(lit(vl));
                let better = best
                    .as_ref()
                    .is_none_or(|(b, _)| vl < *b - config.min_delta);
                if better {
                    improved = true;
                    waited = 0;
                    report.best_epoch = Some(epoch);
                    best = Some((vl, self.net.params().to_vec()));
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
            if config.patience.is_some_and(|p| waited >= p) {
                report.stopped_early = epoch + 1 < config.epochs;
                break;
            }
        }
        if config.restore_best
            && let Some((_, p)) = best
        {
            self.net.params_mut().copy_from_slice(&p);
        }
        Ok(report)
    }

    /// This epoch's order of sentences: shuffled, sorted by length (stable, so the shuffle
    /// breaks ties), cut into batches, the batches shuffled.
    fn bucketed<R: Rng + ?Sized>(
        &self,
        order: &mut [usize],
        train: &[Vec<usize>],
        batch: usize,
        shuffle: bool,
        rng: &mut R,
    ) -> Vec<usize> {
        if shuffle {
            fisher_yates(order, rng);
        }
        order.sort_by_key(|&i| train[i].len());
        let mut chunks: Vec<&[usize]> = order.chunks(batch).collect();
        if shuffle {
            fisher_yates(&mut chunks, rng);
        }
        chunks.concat()
    }
}

fn fisher_yates<X, R: Rng + ?Sized>(v: &mut [X], rng: &mut R) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
}

/// `softmax(z / τ)` in `f64`.
fn softmax(z: &[f64], temperature: f64) -> Result<Vec<f64>> {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() || z.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            op: "LanguageModel",
            what: "logits",
            index: z.iter().position(|v| !v.is_finite()).unwrap_or(0),
        });
    }
    let mut p: Vec<f64> = z.iter().map(|v| ((v - m) / temperature).exp()).collect();
    let s: f64 = p.iter().sum();
    p.iter_mut().for_each(|v| *v /= s);
    Ok(p)
}

fn argmax(z: &[f64]) -> Result<usize> {
    if let Some(i) = z.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            op: "LanguageModel",
            what: "logits",
            index: i,
        });
    }
    let mut best = 0;
    for (i, v) in z.iter().enumerate() {
        if *v > z[best] {
            best = i;
        }
    }
    Ok(best)
}

#[cfg(feature = "serde")]
mod serde_impl {
    use super::{Cell, LanguageModel, Net, Stack, Vocab};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    #[serde(bound(serialize = "C: Serialize, C::Scalar: Serialize"))]
    struct Out<'a, C: Cell> {
        vocab: &'a Vocab,
        net: &'a Net<Stack<C>>,
    }

    /// The saved form: `vocab`, or the bare `words` of the files saved before the model's
    /// vocabulary was a [`Vocab`] (exactly one of them).
    #[derive(Deserialize)]
    #[serde(bound(deserialize = "C: Cell + Deserialize<'de>, C::Scalar: Deserialize<'de>"))]
    struct In<C: Cell> {
        #[serde(default)]
        vocab: Option<Vocab>,
        #[serde(default)]
        words: Option<Vec<String>>,
        net: Net<Stack<C>>,
    }

    impl<C: Cell + Serialize> Serialize for LanguageModel<C>
    where
        C::Scalar: Serialize,
    {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            Out {
                vocab: &self.vocab,
                net: &self.net,
            }
            .serialize(s)
        }
    }

    impl<'de, C: Cell + Deserialize<'de>> Deserialize<'de> for LanguageModel<C>
    where
        C::Scalar: Deserialize<'de>,
    {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            use serde::de::Error;
            let i = In::<C>::deserialize(d)?;
            let vocab = match (i.vocab, i.words) {
                (Some(v), None) => v,
                (None, Some(words)) => {
                    let mut counts = Vec::new();
                    counts
                        .try_reserve(words.len())
                        .map_err(|_| D::Error::custom("too many words to hold in memory"))?;
                    counts.resize(words.len(), 0);
                    Vocab::from_words(words, counts).map_err(D::Error::custom)?
                }
                (Some(_), Some(_)) => {
                    return Err(D::Error::custom(
                        "a language model holds `vocab` or (an older file) `words`, not both",
                    ));
                }
                (None, None) => return Err(D::Error::missing_field("vocab")),
            };
            LanguageModel::new(vocab, i.net).map_err(D::Error::custom)
        }
    }
}
