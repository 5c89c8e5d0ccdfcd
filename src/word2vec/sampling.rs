//! Subsampling of frequent words and the negative-sampling noise distribution.
//!
//! **Subsampling** (Mikolov et al. 2013b, in the C tool's form). A word of count `f` among `T`
//! training words is kept with probability
//!
//! `p_keep(f) = min(1, (√(f / (s·T)) + 1) · (s·T) / f)`
//!
//! for the threshold `s` (`sample`, typically 10⁻³…10⁻⁵). The paper writes the discard
//! probability as `1 − √(s/f)` with `f` a frequency; the C tool and gensim use the formula
//! above, and so does this crate, so the same `sample` means the same thing in all three.
//!
//! **Noise distribution.** Negative samples are drawn from the unigram distribution raised to
//! the power `α = 0.75`: `P(w) = f_w^α / Σ_v f_v^α`. The C tool fills a fixed table of 10⁸
//! integers (400 MB) for this; here a Walker/Vose alias table (Walker 1977; Vose 1991) of
//! `V` entries (8 bytes per word) draws exactly from `P` in O(1).
//!
//! # References
//!
//! [^1]: T. Mikolov, I. Sutskever, K. Chen, G. Corrado, J. Dean (2013), "Distributed
//!   Representations of Words and Phrases and their Compositionality", NeurIPS.
//! [^2]: M. D. Vose (1991), "A linear algorithm for generating random numbers with a given
//!   distribution", IEEE Transactions on Software Engineering 17(9).

use crate::error::{Error, Result};

/// The C tool's probability of keeping a word of count `count` among `total` training words
/// with subsampling threshold `sample`: `min(1, (√(f/(s·T)) + 1)·(s·T)/f)`.
///
/// A `sample` of 0 (or a zero count) keeps every word (probability 1).
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::keep_probability;
/// // A word that makes up 1% of the corpus, s = 10⁻³: (√10 + 1)·0.1 ≈ 0.416.
/// let p = keep_probability(10_000, 1_000_000, 1e-3);
/// assert!((p - 0.4162).abs() < 1e-4);
/// assert_eq!(keep_probability(5, 1_000_000, 1e-3), 1.0);
/// ```
pub fn keep_probability(count: u64, total: u64, sample: f64) -> f64 {
    if sample <= 0.0 || count == 0 {
        return 1.0;
    }
    let st = sample * total as f64;
    let f = count as f64;
    (((f / st).sqrt() + 1.0) * st / f).min(1.0)
}

/// Per-word keep thresholds as 32-bit integers: word `i` is kept when a uniform `u32` is
/// below `threshold[i]` (stored as `u64` so that "always keep" is `2³²`).
pub(crate) fn keep_thresholds(counts: &[u64], sample: f64) -> Vec<u64> {
    // Saturating: counts come from the user and may sum past u64::MAX.
    let total = counts.iter().fold(0u64, |t, &c| t.saturating_add(c));
    counts
        .iter()
        .map(|&c| {
            let p = keep_probability(c, total, sample);
            // 2³² · p rounded, so that p = 1 gives 2³² > every u32.
            (p * 4_294_967_296.0).round() as u64
        })
        .collect()
}

/// Draws word indices from `P(w) ∝ count_w^α` in O(1) per draw (Vose's alias method).
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::NoiseSampler;
/// let noise = NoiseSampler::new(&[100, 10, 1], 0.75)?;
/// let p = noise.probabilities();
/// let z = 100f64.powf(0.75) + 10f64.powf(0.75) + 1.0;
/// assert!((p[0] - 100f64.powf(0.75) / z).abs() < 1e-6);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NoiseSampler {
    /// Acceptance threshold of each column, in units of 2⁻³².
    accept: Vec<u64>,
    /// The other word of each column.
    alias: Vec<u32>,
}

impl NoiseSampler {
    /// Builds the sampler for weights `count_w^exponent`.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no counts; [`Error::InvalidParameter`] if every weight is 0, if
    /// `exponent` is not finite, or for more than 2³² − 1 words.
    pub fn new(counts: &[u64], exponent: f64) -> Result<Self> {
        if counts.is_empty() {
            return Err(Error::Empty {
                op: "NoiseSampler::new",
                what: "counts",
            });
        }
        if !exponent.is_finite() {
            return Err(Error::invalid("ns_exponent", "must be finite"));
        }
        if counts.len() >= u32::MAX as usize {
            return Err(Error::invalid("counts", "more than 2³² − 1 words"));
        }
        let w: Vec<f64> = counts
            .iter()
            .map(|&c| {
                if c == 0 {
                    0.0
                } else {
                    (c as f64).powf(exponent)
                }
            })
            .collect();
        Self::from_weights(w)
    }

    /// Builds the sampler for any non-negative finite weights `w` (`P(i) = w_i / Σ w`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if the weights sum to zero or to infinity.
    pub(crate) fn from_weights(w: Vec<f64>) -> Result<Self> {
        let z: f64 = w.iter().sum();
        if !(z > 0.0 && z.is_finite()) {
            return Err(Error::invalid("counts", "the noise weights sum to zero"));
        }
        let n = w.len();
        // Scaled so that the mean column holds exactly 1.
        let mut p: Vec<f64> = w.iter().map(|x| x * n as f64 / z).collect();
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| p[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            alias[s] = l as u32;
            p[l] -= 1.0 - p[s];
            if p[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers (from rounding) are full columns, except words of weight 0, which give
        // their column to the heaviest word.
        let heaviest = (0..n).max_by(|&a, &b| w[a].total_cmp(&w[b])).unwrap_or(0);
        for i in small.into_iter().chain(large) {
            if w[i] > 0.0 {
                p[i] = 1.0;
            } else {
                p[i] = 0.0;
                alias[i] = heaviest as u32;
            }
        }
        let accept = p
            .iter()
            .map(|&x| (x.clamp(0.0, 1.0) * 4_294_967_296.0).round() as u64)
            .collect();
        Ok(Self { accept, alias })
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.alias.len()
    }

    /// Always `false` (a sampler has at least one word).
    pub fn is_empty(&self) -> bool {
        self.alias.is_empty()
    }

    /// Draws one index from 64 uniform random bits: the high 32 bits pick a column, the low
    /// 32 bits accept it or take its alias.
    #[inline(always)]
    pub fn sample_bits(&self, bits: u64) -> usize {
        let col = (((bits >> 32) * self.alias.len() as u64) >> 32) as usize;
        if (bits & 0xffff_ffff) < self.accept[col] {
            col
        } else {
            self.alias[col] as usize
        }
    }

    /// Draws one index with `rng`.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> usize {
        self.sample_bits(rng.next_u64())
    }

    /// The exact probabilities the table draws from (up to the 2⁻³² resolution of the
    /// thresholds), reconstructed from its columns.
    pub fn probabilities(&self) -> Vec<f64> {
        let n = self.alias.len() as f64;
        let mut p = vec![0.0; self.alias.len()];
        for (i, (&a, &al)) in self.accept.iter().zip(&self.alias).enumerate() {
            let acc = a as f64 / 4_294_967_296.0;
            p[i] += acc / n;
            p[al as usize] += (1.0 - acc) / n;
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_match_probability() {
        let t = keep_thresholds(&[1_000, 10, 1], 1e-3);
        assert_eq!(t[2], 1 << 32);
        let p = keep_probability(1_000, 1_011, 1e-3);
        assert_eq!(t[0], (p * 4_294_967_296.0).round() as u64);
    }

    #[test]
    fn zero_counts_never_drawn() {
        let s = NoiseSampler::new(&[0, 5, 0, 5], 0.75).unwrap();
        let p = s.probabilities();
        assert_eq!(p[0], 0.0);
        assert_eq!(p[2], 0.0);
        assert!((p[1] - 0.5).abs() < 1e-9);
        assert!(NoiseSampler::new(&[0, 0], 0.75).is_err());
        assert!(NoiseSampler::new(&[], 0.75).is_err());
    }
}
