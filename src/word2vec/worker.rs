//! The training threads: each [`Worker`] takes batches of sentences from the shared corpus,
//! drops unknown and subsampled words, cuts the rest into pieces of at most
//! `max_sentence_len` words, and runs skip-gram or CBOW over them with negative sampling,
//! hierarchical softmax or both, writing the shared rows without locks ([`Hogwild`]).
//!
//! Every worker draws from its own random generator, seeded from the caller's, so one thread
//! is deterministic. A worker publishes its word count (which sets the learning rate) and its
//! loss tally every 10,000 words, as the C tool updates its `alpha`.

use super::config::{Architecture, Config};
use super::hogwild::Hogwild;
use super::huffman::Huffman;
use super::sampling::NoiseSampler;
use super::sigmoid::{MAX_EXP, SigmoidTable};
use crate::kernel::SimdTask;
use crate::text::{Sentence, Vocab};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Everything the threads share: the three matrices and the read-only tables.
pub(super) struct Shared<'a> {
    pub(super) syn0: Hogwild<'a>,
    pub(super) syn1neg: Hogwild<'a>,
    pub(super) syn1: Hogwild<'a>,
    pub(super) noise: Option<&'a NoiseSampler>,
    pub(super) huffman: Option<&'a Huffman>,
    pub(super) keep: &'a [u64],
    pub(super) table: &'a SigmoidTable,
    pub(super) vocab: &'a Vocab,
    /// Vocabulary words read so far, all threads and epochs.
    pub(super) words: AtomicU64,
    /// `epochs × T` as `f64`.
    pub(super) planned: f64,
    pub(super) config: &'a Config,
}

impl Shared<'_> {
    /// The learning rate after `words` words: linear from `alpha` to `min_alpha`.
    pub(super) fn alpha_at(&self, words: u64) -> f32 {
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
pub(super) struct Slot {
    /// The epoch's loss sum so far, as `f64` bits.
    pub(super) loss: AtomicU64,
    pub(super) terms: AtomicU64,
}

/// Words a worker reads between two updates of the shared count and the learning rate.
const PUBLISH_EVERY: u64 = 10_000;
/// Sentences a worker takes from the shared source per lock.
const BATCH: usize = 64;

/// One epoch of one worker, as a task for [`with_best_simd`].
pub(super) struct Epoch<'w, 's, 'a, It> {
    pub(super) worker: &'w mut Worker,
    pub(super) shared: &'s Shared<'a>,
    pub(super) source: &'s Mutex<It>,
    pub(super) slot: &'s Slot,
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
pub(super) struct Worker {
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
    pub(super) fn new(dim: usize, seed: u64, alpha: f32) -> Self {
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
        let eos = sh.config.keep_eos;
        s.for_each_word(|w| {
            let Some(i) = sh.vocab.index_u32(w) else {
                return;
            };
            self.pending += 1;
            if eos && i == 0 {
                // A literal </s> ends the sentence, as a line end does in the C tool.
                self.piece(sh);
                self.sent.clear();
                return;
            }
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
        if eos {
            // The line end, the C tool's </s>: read (and counted), never trained.
            self.pending += 1;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_decays_linearly_to_min() {
        let c = Config {
            alpha: 0.1,
            min_alpha: 0.01,
            ..Config::default()
        };
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
