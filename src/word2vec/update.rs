//! Continued training: a trained (or loaded) model learns from more text, as gensim's
//! `build_vocab(corpus, update=True)` followed by `train(corpus)`.
//!
//! [`Word2VecTrainer::update_vocab`] extends the model's vocabulary with the new text's
//! words, and [`Word2VecTrainer::continue_train`] trains the extended model on that text; the
//! two together are [`Word2VecTrainer::continue_fit`] (in memory) and
//! [`Word2VecTrainer::continue_fit_file`] (streamed from a file).

use super::Word2Vec;
use super::train::{Word2VecProgress, Word2VecTrainer, fresh_rows};
use crate::error::{Error, Result};
use crate::text::{Sentence, Vocab};
use rand::Rng;
use std::path::Path;

/// The starting point of a continued run: the input rows and the words of one epoch.
pub(super) struct Start {
    pub(super) rows: Vec<f32>,
    pub(super) words_per_epoch: u64,
}

/// A model's vocabulary extended by a new corpus ([`Word2VecTrainer::update_vocab`]).
///
/// The model's words come first, with their indices unchanged and the new corpus's counts
/// added to theirs; then the new words seen at least `min_count` times in the new corpus,
/// most frequent first (ties in order of first appearance), as many as `max_vocab` leaves
/// room for (the model's words always stay).
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::Word2Vec;
/// let old = Word2Vec::from_parts(vec!["a".into(), "b".into()], vec![5, 3], 2, vec![0.1; 4])?;
/// let trainer = Word2Vec::builder().dim(2).min_count(2).build()?;
/// let up = trainer.update_vocab(&old, ["c b c", "d c a"])?;
/// assert_eq!(up.vocab().words(), ["a", "b", "c"]); // d is seen once: below min_count
/// assert_eq!(up.vocab().counts(), [6, 4, 3]);
/// assert_eq!((up.old_len(), up.added(), up.words_per_epoch()), (2, 1, 5));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct VocabUpdate {
    vocab: Vocab,
    old_len: usize,
    words_per_epoch: u64,
}

impl VocabUpdate {
    /// The extended vocabulary: the model's words (same indices), then the new ones.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The number of the model's words (the new words start at this index).
    pub fn old_len(&self) -> usize {
        self.old_len
    }

    /// The number of words added.
    pub fn added(&self) -> usize {
        self.vocab.len() - self.old_len
    }

    /// The new corpus's words that are in the extended vocabulary (with `keep_eos`, its line
    /// ends too): the words one epoch of [`Word2VecTrainer::continue_train`] reads, which
    /// sets its learning-rate schedule.
    pub fn words_per_epoch(&self) -> u64 {
        self.words_per_epoch
    }
}

impl Word2VecTrainer {
    /// Extends `model`'s vocabulary with the words of a new corpus, as gensim's
    /// `build_vocab(sentences, update=True)`: the rules are on [`VocabUpdate`]. The corpus is
    /// read once, counting (with the trainer's `keep_eos`, one `</s>` per sentence).
    ///
    /// gensim adds a known word's new count only when it reaches `min_count` in the new
    /// corpus; here every new occurrence is added, so a count is the number of times the
    /// model has read the word (0 for the words of a model loaded from a vectors file, which
    /// holds no counts, until they are seen).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if the model's dimension is not the trainer's `dim`;
    /// [`Error::InvalidParameter`] (`keep_eos`) with `keep_eos` if the model does not hold
    /// `</s>` at index 0; [`Error::Empty`] for a corpus without words; the errors of
    /// [`Vocab::from_sentences`].
    ///
    /// # Examples
    ///
    /// See [`VocabUpdate`].
    pub fn update_vocab<I>(&self, model: &Word2Vec, sentences: I) -> Result<VocabUpdate>
    where
        I: IntoIterator,
        I::Item: Sentence,
    {
        self.check_model(model)?;
        let counted = if self.keep_eos() {
            Vocab::from_sentences_with_eos(sentences, 1, None)?
        } else {
            Vocab::from_sentences(sentences, 1, None)?
        };
        self.merge(model, &counted)
    }

    /// As [`Word2VecTrainer::update_vocab`], counting a text file (one sentence per line,
    /// read with [`CorpusReader`](crate::text::CorpusReader)).
    ///
    /// # Errors
    ///
    /// As [`Word2VecTrainer::update_vocab`], and [`Error::Io`] naming the file.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let path = std::env::temp_dir().join(format!("recurrent-doc-update-{}.txt", std::process::id()));
    /// std::fs::write(&path, "x y x\n").map_err(|e| recurrent::Error::Io { context: "doc".into(), source: e })?;
    /// let old = Word2Vec::from_parts(vec!["y".into()], vec![0], 3, vec![0.0; 3])?;
    /// let up = Word2Vec::builder().dim(3).min_count(1).build()?.update_vocab_file(&old, &path)?;
    /// assert_eq!((up.vocab().words(), up.vocab().counts()), (&["y".into(), "x".into()][..], &[1, 2][..]));
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn update_vocab_file(
        &self,
        model: &Word2Vec,
        path: impl AsRef<Path>,
    ) -> Result<VocabUpdate> {
        self.check_model(model)?;
        let counted = if self.keep_eos() {
            Vocab::from_file_with_eos(path, 1, None)?
        } else {
            Vocab::from_file(path, 1, None)?
        };
        self.merge(model, &counted)
    }

    /// Trains `model`, extended by `update` (from [`Word2VecTrainer::update_vocab`] on the
    /// same model), on the sentences `corpus()` yields (called once per epoch), as gensim's
    /// `train` after `build_vocab(update=True)`.
    ///
    /// The model's words start from their vectors, with the same indices; each new word
    /// starts as in a fresh run, `U(−0.5, 0.5)/d` drawn from `rng`. Everything that depends
    /// on the counts is rebuilt from the extended ones: the noise distribution, the
    /// subsampling thresholds and, with `hs`, the Huffman tree, so an existing word's code
    /// and path may change (the tree of the new counts is the one that makes frequent words
    /// cheap; gensim rebuilds it too). A [`Word2Vec`] holds only the input vectors, as the
    /// word2vec files do, so the output layer (the noise words' vectors, the tree's
    /// inner-node vectors) starts from zero, as in a fresh run. gensim keeps its inner-node
    /// vectors by node number, although the rebuilt tree gives the numbers other subtrees;
    /// starting them at zero means no node carries a stale meaning. The learning rate decays
    /// from `alpha` to `min_alpha` over `epochs × ` [`VocabUpdate::words_per_epoch`] words.
    ///
    /// With one thread the result depends only on the model, the configuration, the corpus
    /// and `rng`.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if the model's dimension is not the trainer's `dim`;
    /// [`Error::InvalidParameter`] (`update`) if `update` was not made for this model (its
    /// first words are not the model's); and the errors of [`Word2VecTrainer::train`].
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::word2vec::Word2Vec;
    /// let first = vec!["the cat sat on the mat"; 30];
    /// let more = vec!["the dog sat on the log"; 30];
    /// let trainer = Word2Vec::builder().dim(8).min_count(1).epochs(2).build()?;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let model = trainer.fit(|| first.iter(), &mut rng, |_| {})?;
    /// let update = trainer.update_vocab(&model, &more)?;
    /// let more_trained = trainer.continue_train(&model, &update, || more.iter(), &mut rng, |_| {})?;
    /// assert_eq!(more_trained.index("cat"), model.index("cat")); // same index
    /// assert!(more_trained.index("dog").is_some()); // a new word, with a vector
    /// assert_ne!(more_trained.vector("the")?, model.vector("the")?); // trained further
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn continue_train<F, I, R, P>(
        &self,
        model: &Word2Vec,
        update: &VocabUpdate,
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
        let start = self.start(model, update, rng)?;
        self.run_iter(update.vocab(), corpus, rng, progress, Some(start))
    }

    /// As [`Word2VecTrainer::continue_train`], on a text file streamed each epoch (as
    /// [`Word2VecTrainer::train_file`]).
    ///
    /// # Errors
    ///
    /// As [`Word2VecTrainer::continue_train`] and [`Word2VecTrainer::train_file`].
    pub fn continue_train_file<R, P>(
        &self,
        model: &Word2Vec,
        update: &VocabUpdate,
        path: impl AsRef<Path>,
        rng: &mut R,
        progress: P,
    ) -> Result<Word2Vec>
    where
        R: Rng + ?Sized,
        P: FnMut(&Word2VecProgress),
    {
        let start = self.start(model, update, rng)?;
        self.run_file(update.vocab(), path.as_ref(), rng, progress, Some(start))
    }

    /// [`Word2VecTrainer::update_vocab`] then [`Word2VecTrainer::continue_train`]
    /// (`corpus` is called once for the counts and once per epoch).
    ///
    /// # Errors
    ///
    /// As those two.
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::word2vec::Word2Vec;
    /// let trainer = Word2Vec::builder().dim(4).min_count(1).epochs(1).build()?;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
    /// let model = trainer.fit(|| ["a b c"; 20].into_iter(), &mut rng, |_| {})?;
    /// let more = trainer.continue_fit(&model, || ["c d e"; 20].into_iter(), &mut rng, |_| {})?;
    /// assert_eq!(more.words(), ["a", "b", "c", "d", "e"]);
    /// // a trainer of another dimension cannot continue this model
    /// let other = Word2Vec::builder().dim(5).min_count(1).build()?;
    /// assert!(other.continue_fit(&model, || ["a"].into_iter(), &mut rng, |_| {}).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn continue_fit<F, I, R, P>(
        &self,
        model: &Word2Vec,
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
        P: FnMut(&Word2VecProgress),
    {
        let update = self.update_vocab(model, corpus())?;
        self.continue_train(model, &update, corpus, rng, progress)
    }

    /// [`Word2VecTrainer::update_vocab_file`] then [`Word2VecTrainer::continue_train_file`].
    ///
    /// # Errors
    ///
    /// As those two.
    pub fn continue_fit_file<R, P>(
        &self,
        model: &Word2Vec,
        path: impl AsRef<Path>,
        rng: &mut R,
        progress: P,
    ) -> Result<Word2Vec>
    where
        R: Rng + ?Sized,
        P: FnMut(&Word2VecProgress),
    {
        let update = self.update_vocab_file(model, &path)?;
        self.continue_train_file(model, &update, path, rng, progress)
    }

    /// The model must have the trainer's dimension (and `</s>` first with `keep_eos`).
    fn check_model(&self, model: &Word2Vec) -> Result<()> {
        crate::error::check_shape(
            "Word2VecTrainer::update_vocab",
            "model dimension",
            (self.dim(), 1),
            (model.dim(), 1),
        )?;
        if self.keep_eos() && model.vocab_len() > 0 {
            self.check_eos(model.vocab())?;
        }
        Ok(())
    }

    /// The model's words with the new counts added, then the new words.
    fn merge(&self, model: &Word2Vec, counted: &Vocab) -> Result<VocabUpdate> {
        let old = model.vocab();
        let mut words: Vec<String> = old.words().to_vec();
        let mut counts: Vec<u64> = old.counts().to_vec();
        let room = self
            .max_vocab()
            .map_or(usize::MAX, |m| m.saturating_sub(old.len()));
        let mut added = 0;
        let mut per_epoch = 0u64;
        // `counted` is ordered by count (ties by first appearance): new words come in that order.
        for (w, c) in counted.iter() {
            if let Some(i) = old.index(w) {
                counts[i] = counts[i].saturating_add(c);
                per_epoch = per_epoch.saturating_add(c);
            } else if c >= self.min_count().max(1) && added < room {
                words.push(w.to_string());
                counts.push(c);
                added += 1;
                per_epoch = per_epoch.saturating_add(c);
            }
        }
        Ok(VocabUpdate {
            vocab: Vocab::from_words(words, counts)?,
            old_len: old.len(),
            words_per_epoch: per_epoch,
        })
    }

    /// The starting rows: the model's, then fresh ones for the added words.
    fn start<R: Rng + ?Sized>(
        &self,
        model: &Word2Vec,
        update: &VocabUpdate,
        rng: &mut R,
    ) -> Result<Start> {
        self.check_model(model)?;
        let same = update.old_len == model.vocab_len()
            && update.vocab.words()[..update.old_len] == *model.words();
        if !same {
            return Err(Error::invalid(
                "update",
                format!(
                    "was made for another model: its first {} words are not this model's {} words",
                    update.old_len,
                    model.vocab_len()
                ),
            ));
        }
        let d = model.dim();
        let n_new = update
            .added()
            .checked_mul(d)
            .ok_or_else(|| Error::invalid("dim", "vocabulary × dim overflows"))?;
        let fresh = fresh_rows(n_new, d, rng)?;
        let mut rows = Vec::new();
        rows.try_reserve_exact(model.vectors().len() + n_new)
            .map_err(|_| Error::invalid("dim", "the extended vectors do not fit in memory"))?;
        rows.extend_from_slice(model.vectors());
        rows.extend_from_slice(&fresh);
        Ok(Start {
            rows,
            words_per_epoch: update.words_per_epoch,
        })
    }
}
