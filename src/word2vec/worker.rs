//! The training threads: each [`Worker`] takes batches of sentences from its [`Source`],
//! drops unknown and subsampled words, cuts the rest into pieces of at most
//! `max_sentence_len` words, and runs skip-gram or CBOW over them with negative sampling,
//! hierarchical softmax or both.
//!
//! In the Hogwild mode a worker writes the shared rows without locks ([`Hogwild`]); in the
//! deterministic mode it trains in rounds against its own deltas (`super::deterministic`).
//! The training code is written once against [`Rows`], which both provide.
//!
//! Every worker draws from its own random generator, seeded from the caller's, so one thread
//! is deterministic. A Hogwild worker publishes its word count (which sets the learning rate)
//! and its loss tally every 10,000 words, as the C tool updates its `alpha`.

use super::config::{Architecture, Config};
use super::deterministic::{Local, ROUND_WORDS, Rounds, Turnstile};
use super::hogwild::Hogwild;
use super::huffman::Huffman;
use super::sampling::NoiseSampler;
use super::sigmoid::{MAX_EXP, SigmoidTable};
use crate::error::Error;
use crate::kernel::SimdTask;
use crate::text::{CorpusReader, Sentence, Vocab};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

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
/// About how many words a Hogwild worker takes from its source at once (one lock per batch
/// for a shared iterator).
const BATCH_WORDS: u64 = 10_000;
/// Sentences in the first batch, before the worker knows the corpus' sentence length.
const FIRST_BATCH: usize = 64;
/// The most sentences in one batch.
const MAX_BATCH: usize = 1 << 16;

/// The rows of one matrix as the training code sees them: the shared rows themselves
/// (Hogwild), or a thread's view of them during a deterministic round.
pub(super) trait Rows {
    /// `row_i · x`.
    fn dot(&mut self, i: usize, x: &[f32]) -> f32;
    /// A hint that row `i` will be used soon.
    fn prefetch(&mut self, i: usize);
    /// `row_i ← row_i + α·x`.
    fn axpy(&mut self, i: usize, alpha: f32, x: &[f32]);
    /// `y ← y + α·row_i`.
    fn add_to(&mut self, i: usize, alpha: f32, y: &mut [f32]);
    /// `e ← e + g·row_i`, then `row_i ← row_i + g·h`.
    fn update_output(&mut self, i: usize, g: f32, h: &[f32], e: &mut [f32]);
}

impl Rows for &Hogwild<'_> {
    #[inline(always)]
    fn dot(&mut self, i: usize, x: &[f32]) -> f32 {
        Hogwild::dot(self, i, x)
    }

    #[inline(always)]
    fn prefetch(&mut self, i: usize) {
        Hogwild::prefetch(self, i);
    }

    #[inline(always)]
    fn axpy(&mut self, i: usize, alpha: f32, x: &[f32]) {
        Hogwild::axpy(self, i, alpha, x);
    }

    #[inline(always)]
    fn add_to(&mut self, i: usize, alpha: f32, y: &mut [f32]) {
        Hogwild::add_to(self, i, alpha, y);
    }

    #[inline(always)]
    fn update_output(&mut self, i: usize, g: f32, h: &[f32], e: &mut [f32]) {
        Hogwild::update_output(self, i, g, h, e);
    }
}

/// The three matrices, as one kind of [`Rows`].
pub(super) struct Layers<R> {
    syn0: R,
    syn1neg: R,
    syn1: R,
}

/// Where a worker's sentences come from.
pub(super) trait Source {
    /// A sentence.
    type Item: Sentence;
    /// Moves up to `len` sentences into `batch` (none once the source is exhausted).
    fn take(&mut self, batch: &mut Vec<Self::Item>, len: usize);
}

/// An iterator shared by the Hogwild threads, taken in batches under a lock.
pub(super) struct Locked<'s, It>(pub(super) &'s Mutex<It>);

impl<It: Iterator> Source for Locked<'_, It>
where
    It::Item: Sentence,
{
    type Item = It::Item;

    fn take(&mut self, batch: &mut Vec<It::Item>, len: usize) {
        // A poisoned lock means another worker panicked; the scope re-raises it.
        if let Ok(mut it) = self.0.lock() {
            batch.extend(it.by_ref().take(len));
        }
    }
}

/// An iterator dealt to the deterministic threads in turn ([`Turnstile`]).
pub(super) struct Dealt<'s, It> {
    pub(super) turnstile: &'s Turnstile<It>,
    pub(super) thread: usize,
    pub(super) threads: usize,
    pub(super) round: usize,
}

impl<It: Iterator> Source for Dealt<'_, It>
where
    It::Item: Sentence,
{
    type Item = It::Item;

    fn take(&mut self, batch: &mut Vec<It::Item>, len: usize) {
        let ticket = self.round * self.threads + self.thread;
        self.turnstile.take(ticket, batch, len);
        self.round += 1;
    }
}

/// Which parts of a file a thread reads.
pub(super) enum Claim<'s> {
    /// The next part nobody has claimed yet (Hogwild: the threads share the work out as
    /// they go).
    Next(&'s AtomicUsize),
    /// One fixed part (deterministic), until it has been read.
    Fixed(Option<usize>),
}

/// Parts of a corpus file ([`CorpusReader::open_part`]), each read through its own handle:
/// no lock is shared between the threads. The first error is kept in `error` and stops
/// every thread's reading.
pub(super) struct FileParts<'s> {
    pub(super) path: &'s Path,
    pub(super) parts: usize,
    pub(super) claim: Claim<'s>,
    pub(super) reader: Option<CorpusReader<BufReader<File>>>,
    pub(super) error: &'s Mutex<Option<Error>>,
}

impl FileParts<'_> {
    fn fail(&mut self, e: Error) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
        self.reader = None;
        self.claim = Claim::Fixed(None);
    }

    fn failed(&self) -> bool {
        self.error.lock().map_or(true, |e| e.is_some())
    }
}

impl Source for FileParts<'_> {
    type Item = String;

    fn take(&mut self, batch: &mut Vec<String>, len: usize) {
        if self.failed() {
            return;
        }
        while batch.len() < len {
            let Some(reader) = &mut self.reader else {
                let part = match &mut self.claim {
                    Claim::Next(next) => next.fetch_add(1, Ordering::Relaxed),
                    Claim::Fixed(part) => match part.take() {
                        Some(p) => p,
                        None => return,
                    },
                };
                if part >= self.parts {
                    return;
                }
                match CorpusReader::open_part(self.path, part, self.parts) {
                    Ok(r) => self.reader = Some(r),
                    Err(e) => {
                        self.fail(e);
                        return;
                    }
                }
                continue;
            };
            match reader.next() {
                Some(Ok(line)) => batch.push(line),
                Some(Err(e)) => {
                    self.fail(e);
                    return;
                }
                None => self.reader = None,
            }
        }
    }
}

/// One epoch of one worker, as a task for [`with_best_simd`](crate::kernel::with_best_simd):
/// Hogwild, or deterministic rounds as thread `t` of [`Rounds`].
pub(super) struct Epoch<'w, 's, 'a, S> {
    pub(super) worker: &'w mut Worker,
    pub(super) shared: &'s Shared<'a>,
    pub(super) source: S,
    pub(super) slot: &'s Slot,
    pub(super) rounds: Option<(&'s Rounds<'s>, usize)>,
}

impl<S: Source> SimdTask for Epoch<'_, '_, '_, S> {
    type Output = ();

    #[inline(always)]
    fn run(mut self) {
        match self.rounds {
            None => self
                .worker
                .run_epoch(self.shared, &mut self.source, self.slot),
            Some((rounds, t)) => {
                self.worker
                    .run_rounds(self.shared, &mut self.source, self.slot, rounds, t);
            }
        }
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
    /// Vocabulary words and sentences read so far, to size the batches.
    seen_words: u64,
    seen_sentences: u64,
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
            seen_words: 0,
            seen_sentences: 0,
        }
    }

    /// Sentences to take for about `words` words, from this worker's mean sentence length
    /// so far (a fixed function of what it has read, so the deterministic mode stays so).
    #[inline(always)]
    fn batch_len(&self, words: u64) -> usize {
        if self.seen_sentences == 0 {
            return FIRST_BATCH;
        }
        let mean = (self.seen_words / self.seen_sentences).max(1);
        (words / mean).clamp(1, MAX_BATCH as u64) as usize
    }

    #[inline(always)]
    fn run_epoch<S: Source>(&mut self, sh: &Shared<'_>, source: &mut S, slot: &Slot) {
        self.loss = 0.0;
        self.terms = 0;
        let mut rows = Layers {
            syn0: &sh.syn0,
            syn1neg: &sh.syn1neg,
            syn1: &sh.syn1,
        };
        let mut batch: Vec<S::Item> = Vec::new();
        loop {
            source.take(&mut batch, self.batch_len(BATCH_WORDS));
            if batch.is_empty() {
                break;
            }
            for s in batch.drain(..) {
                self.sentence(sh, &s, &mut rows);
                if self.pending >= PUBLISH_EVERY {
                    self.publish(sh, slot);
                }
            }
        }
        self.publish(sh, slot);
    }

    /// One epoch as thread `t` of the deterministic rounds (`super::deterministic`).
    #[inline(always)]
    fn run_rounds<S: Source>(
        &mut self,
        sh: &Shared<'_>,
        source: &mut S,
        slot: &Slot,
        rounds: &Rounds<'_>,
        t: usize,
    ) {
        self.loss = 0.0;
        self.terms = 0;
        let n = rounds.threads() as u64;
        // Words read by all threads before this round: a sum of fixed counts.
        let mut before = rounds.start;
        let mut batch: Vec<S::Item> = Vec::new();
        loop {
            source.take(&mut batch, self.batch_len(ROUND_WORDS));
            let more = !batch.is_empty();
            self.pending = 0;
            {
                let mut guard = rounds.work(t);
                let d = &mut *guard;
                let mut rows = Layers {
                    syn0: Local {
                        base: &sh.syn0,
                        delta: &mut d.syn0,
                    },
                    syn1neg: Local {
                        base: &sh.syn1neg,
                        delta: &mut d.syn1neg,
                    },
                    syn1: Local {
                        base: &sh.syn1,
                        delta: &mut d.syn1,
                    },
                };
                for s in batch.drain(..) {
                    self.alpha = sh.alpha_at(before + n * self.pending);
                    self.sentence(sh, &s, &mut rows);
                }
            }
            let mine = self.pending;
            // For the progress reports only; the learning rate does not read it.
            self.publish(sh, slot);
            let (words, any) = rounds.finish(t, mine, more, &sh.syn0, &sh.syn1neg, &sh.syn1);
            before += words;
            if !any {
                break;
            }
        }
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
    fn sentence<S: Sentence, R: Rows>(&mut self, sh: &Shared<'_>, s: &S, rows: &mut Layers<R>) {
        self.sent.clear();
        let before = self.pending;
        let max = sh.config.max_sentence_len;
        let eos = sh.config.keep_eos;
        s.for_each_word(|w| {
            let Some(i) = sh.vocab.index_u32(w) else {
                return;
            };
            self.pending += 1;
            if eos && i == 0 {
                // A literal </s> ends the sentence, as a line end does in the C tool.
                self.piece(sh, rows);
                self.sent.clear();
                return;
            }
            let t = sh.keep[i as usize];
            if t > u64::from(u32::MAX) || (self.rng.next_u64() >> 32) < t {
                self.sent.push(i);
                if self.sent.len() >= max {
                    self.piece(sh, rows);
                    self.sent.clear();
                }
            }
        });
        self.piece(sh, rows);
        if eos {
            // The line end, the C tool's </s>: read (and counted), never trained.
            self.pending += 1;
        }
        self.seen_words += self.pending - before;
        self.seen_sentences += 1;
    }

    #[inline(always)]
    fn piece<R: Rows>(&mut self, sh: &Shared<'_>, rows: &mut Layers<R>) {
        match sh.config.architecture {
            Architecture::SkipGram => self.skip_gram(sh, rows),
            Architecture::Cbow => self.cbow(sh, rows),
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
    fn skip_gram<R: Rows>(&mut self, sh: &Shared<'_>, rows: &mut Layers<R>) {
        for pos in 0..self.sent.len() {
            let word = self.sent[pos] as usize;
            let (lo, hi) = self.window(sh, pos);
            for c in lo..hi {
                if c == pos {
                    continue;
                }
                let ctx = self.sent[c] as usize;
                self.h.fill(0.0);
                rows.syn0.add_to(ctx, 1.0, &mut self.h);
                self.e.fill(0.0);
                self.predict(sh, rows, word);
                rows.syn0.axpy(ctx, 1.0, &self.e);
            }
        }
    }

    #[inline(always)]
    fn cbow<R: Rows>(&mut self, sh: &Shared<'_>, rows: &mut Layers<R>) {
        let mean = sh.config.cbow_mean;
        for pos in 0..self.sent.len() {
            let word = self.sent[pos] as usize;
            let (lo, hi) = self.window(sh, pos);
            if hi - lo < 2 {
                continue;
            }
            self.h.fill(0.0);
            for c in (lo..hi).filter(|&c| c != pos) {
                rows.syn0.add_to(self.sent[c] as usize, 1.0, &mut self.h);
            }
            let inv = 1.0 / (hi - lo - 1) as f32;
            if mean {
                self.h.iter_mut().for_each(|x| *x *= inv);
            }
            self.e.fill(0.0);
            self.predict(sh, rows, word);
            // As gensim: with the sum, the error is shared out over the context words.
            if !mean {
                self.e.iter_mut().for_each(|x| *x *= inv);
            }
            for c in (lo..hi).filter(|&c| c != pos) {
                rows.syn0.axpy(self.sent[c] as usize, 1.0, &self.e);
            }
        }
    }

    /// One prediction of `word` from `h`: updates the output rows, adds the input gradient
    /// into `e` and the loss into the tally.
    #[inline(always)]
    fn predict<R: Rows>(&mut self, sh: &Shared<'_>, rows: &mut Layers<R>, word: usize) {
        let alpha = self.alpha;
        let t = sh.table;
        // Local tallies stay in registers; `self.loss` would be a load and store per term.
        let (mut loss, mut terms) = (0f64, 0u64);
        if let Some(huffman) = sh.huffman {
            let (codes, points) = huffman.path(word);
            for (&code, &point) in codes.iter().zip(points) {
                let point = point as usize;
                let f = rows.syn1.dot(point, &self.h);
                // Branch 0 is the label-1 side: P(code) = σ((1 − 2·code)·f).
                // −log σ(f) on branch 0, −log σ(−f) on branch 1.
                let x = if code == 0 { f } else { -f };
                loss += f64::from(t.neg_log_sigmoid(x));
                terms += 1;
                if !(-MAX_EXP < f && f < MAX_EXP) {
                    continue; // the C tool and gensim skip saturated nodes
                }
                let g = (1.0 - f32::from(code) - t.sigmoid(f)) * alpha;
                rows.syn1.update_output(point, g, &self.h, &mut self.e);
            }
        }
        if let Some(noise) = sh.noise {
            // Draw the noise words first (same draws, same order) and start loading their
            // rows, so the cache misses overlap instead of coming one after another.
            self.targets.clear();
            self.targets.push(word);
            rows.syn1neg.prefetch(word);
            for _ in 0..sh.config.negative {
                let n = noise.sample_bits(self.rng.next_u64());
                if n != word {
                    self.targets.push(n);
                    rows.syn1neg.prefetch(n);
                }
            }
            for (k, &target) in self.targets.iter().enumerate() {
                let label = if k == 0 { 1.0 } else { 0.0 };
                let f = rows.syn1neg.dot(target, &self.h);
                // −log σ(f) for the target, −log σ(−f) for noise words.
                let x = if label > 0.5 { f } else { -f };
                loss += f64::from(t.neg_log_sigmoid(x));
                terms += 1;
                let g = (label - t.sigmoid(f)) * alpha;
                rows.syn1neg.update_output(target, g, &self.h, &mut self.e);
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
