//! The C tool's `</s>` ([`Word2VecBuilder::keep_eos`](super::Word2VecBuilder::keep_eos)):
//! the vocabulary that starts with it, the check that a given vocabulary does, and the noise
//! distribution that never draws it.

use super::sampling::NoiseSampler;
use super::train::Word2VecTrainer;
use crate::error::{Error, Result};
use crate::text::Vocab;
use std::path::Path;

impl Word2VecTrainer {
    /// Builds the vocabulary of a text file (one sentence per line) with the configured
    /// `min_count`, `max_vocab` and `keep_eos`: [`Vocab::from_file`], or with `keep_eos`
    /// [`Vocab::from_file_with_eos`] (`</s>` first, one count per line).
    ///
    /// # Errors
    ///
    /// As [`Vocab::from_file`] or [`Vocab::from_file_with_eos`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt");
    /// let c_like = Word2Vec::builder().keep_eos(true).build()?.build_vocab_file(path)?;
    /// let gensim_like = Word2Vec::builder().build()?.build_vocab_file(path)?;
    /// assert_eq!(c_like.word(0), Some("</s>"));
    /// assert_eq!(c_like.len(), gensim_like.len() + 1);
    /// assert_eq!(c_like.total(), gensim_like.total() + gensim_like.sentences());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn build_vocab_file(&self, path: impl AsRef<Path>) -> Result<Vocab> {
        if self.keep_eos() {
            Vocab::from_file_with_eos(path, self.min_count(), self.max_vocab())
        } else {
            Vocab::from_file(path, self.min_count(), self.max_vocab())
        }
    }

    /// With `keep_eos`, the vocabulary must hold `</s>` at index 0 (the C tool's place).
    pub(super) fn check_eos(&self, vocab: &Vocab) -> Result<()> {
        if self.keep_eos() && vocab.eos() != Some(0) {
            let found = match vocab.eos() {
                Some(i) => format!("at index {i}"),
                None => "absent".to_string(),
            };
            return Err(Error::invalid(
                "keep_eos",
                format!(
                    "the vocabulary must hold </s> at index 0 (it is {found}); build it with \
                     Vocab::from_sentences_with_eos or the trainer's build_vocab"
                ),
            ));
        }
        Ok(())
    }

    /// The noise distribution `∝ count^ns_exponent`; with `keep_eos`, `</s>`'s share goes in
    /// equal parts to the other words, as the C tool's redraw of a uniform word makes it.
    pub(super) fn noise_sampler(&self, vocab: &Vocab) -> Result<NoiseSampler> {
        let counts = vocab.counts();
        if !self.keep_eos() || counts.len() < 2 {
            return NoiseSampler::new(counts, self.ns_exponent());
        }
        // The exponent is finite (checked by the builder) and a vocabulary has < 2³² words.
        let e = self.ns_exponent();
        let weight = |c: u64| if c == 0 { 0.0 } else { (c as f64).powf(e) };
        let share = weight(counts[0]) / (counts.len() - 1) as f64;
        let mut w: Vec<f64> = counts.iter().map(|&c| weight(c) + share).collect();
        w[0] = 0.0;
        NoiseSampler::from_weights(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word2vec::Word2Vec;

    /// `</s>` is never drawn; its share is spread evenly, as the C tool's redraw of a uniform
    /// word gives: `P(w) = (c_w^α + c_0^α/(V − 1)) / Σ_v c_v^α` for `w ≥ 1`.
    #[test]
    fn noise_never_draws_eos_and_spreads_its_share() {
        let vocab = Vocab::from_counts([("</s>", 16), ("a", 81), ("b", 1)]).unwrap();
        let t = Word2Vec::builder().keep_eos(true).build().unwrap();
        let p = t.noise_sampler(&vocab).unwrap().probabilities();
        let z = 16f64.powf(0.75) + 81f64.powf(0.75) + 1.0;
        let share = 16f64.powf(0.75) / 2.0;
        assert_eq!(p[0], 0.0);
        assert!(
            (p[1] - (81f64.powf(0.75) + share) / z).abs() < 1e-9,
            "{p:?}"
        );
        assert!((p[2] - (1.0 + share) / z).abs() < 1e-9, "{p:?}");
        // without keep_eos: the plain distribution, </s> included
        let plain = Word2Vec::builder().build().unwrap();
        let q = plain.noise_sampler(&vocab).unwrap().probabilities();
        assert!((q[0] - 16f64.powf(0.75) / z).abs() < 1e-9);
    }
}
