//! Deterministic multi-threaded training: rounds, thread-local deltas and a merge in a fixed
//! order, so that `N` threads give the same bits on every run for a given `N` and seed.
//!
//! Hogwild threads (the default) write the shared rows as they go, and which thread's write
//! lands first depends on timing, so the result changes from run to run. In the
//! deterministic mode ([`Word2VecBuilder::deterministic`](super::Word2VecBuilder::deterministic))
//! nothing a thread computes depends on timing:
//!
//! 1. **Fixed data.** Thread `t` of `N` owns a fixed share of the corpus: part `t` of a file
//!    (the lines starting in bytes `[t·L/N, (t+1)·L/N)`, `CorpusReader::open_part`), or, for
//!    sentences from an iterator, the batches dealt to it in turn (thread 0 takes its batch,
//!    then thread 1, …; a ticket orders the takes, not a race for a lock). Its random
//!    generator is its own, seeded from the caller's generator in thread order.
//! 2. **Rounds.** An epoch is cut into rounds. In a round every thread reads about
//!    `ROUND_WORDS` words of its share (whole sentences; the batch length is set from the
//!    thread's own words-per-sentence so far, so it too is fixed). During the round a thread
//!    reads the shared rows as they were when the round started plus its own updates, and
//!    writes only to a thread-local **delta**: the first time it touches row `i` it copies
//!    `row_i` into a slot of its arena (a row → slot index, cleared after each round, so the
//!    cost is the rows touched, not the vocabulary).
//! 3. **Merge at the barrier.** When every thread has finished the round, row `i` becomes
//!    `r_i + Σ_t (s_{t,i} − r_i)` over the threads `t = 0, 1, …, N−1` that touched it, added
//!    in that order (`r_i` the row at the start of the round, `s_{t,i}` thread `t`'s copy),
//!    or simply `s_{t,i}` if only thread `t` touched it. The threads merge in parallel, thread
//!    `k` the rows `i ≡ k (mod N)`; the order of the additions within a row is the same
//!    whichever thread does them. A second barrier ends the round.
//! 4. **Learning rate.** Within round `r`, thread `t` uses `α(W_r + N·w_t)`: `W_r` the words
//!    all threads read before the round (a sum of fixed per-thread counts, not a shared
//!    counter read at some moment) and `w_t` its own words so far in the round. So `α` decays
//!    linearly with the words read by all threads, as in the Hogwild mode, and depends on the
//!    data only.
//!
//! Every floating-point operation then happens in an order fixed by the data, `N` and the
//! seed. Nothing races either: during a round the shared rows are only read, and during the
//! merge each row is written by one thread; the barriers order the two. The mode costs the
//! merge (one pass over the rows touched in a round) and the memory of the deltas: at most
//! one copy of each matrix per thread, usually much less. With one thread both modes are
//! the same plain sequential SGD.
//!
//! This is the scheme of bulk-synchronous parallel SGD with summed (not averaged) updates; a
//! round plays the part of a mini-batch of delayed updates (Zinkevich, Weimer, Smola & Li
//! 2010 average models at the end; here the deltas are summed after every round, which keeps
//! the step size of one thread).
//!
//! # References
//!
//! [^1]: M. Zinkevich, M. Weimer, A. Smola, L. Li (2010), "Parallelized Stochastic Gradient
//!   Descent", NeurIPS.

use super::hogwild::Hogwild;
use super::worker::Rows;
use crate::kernel;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Barrier, Condvar, Mutex, PoisonError, RwLock, RwLockWriteGuard};

/// Words a thread reads per round (whole sentences: about this many).
pub(super) const ROUND_WORDS: u64 = 16_384;

/// No slot.
const NONE: u32 = u32::MAX;

/// One thread's updates of one matrix during a round: a copy of each row it touched.
#[derive(Debug)]
pub(super) struct Delta {
    dim: usize,
    /// Row → slot in `arena`, or [`NONE`].
    index: Vec<u32>,
    /// The touched rows, slot after slot.
    arena: Vec<f32>,
    /// The touched rows, in slot order.
    touched: Vec<u32>,
}

impl Delta {
    /// An empty delta of a `rows × dim` matrix.
    pub(super) fn new(rows: usize, dim: usize) -> Self {
        Self {
            dim,
            index: vec![NONE; rows],
            arena: Vec::new(),
            touched: Vec::new(),
        }
    }

    /// Forgets every touched row (the cost is the number of touched rows).
    fn clear(&mut self) {
        for &r in &self.touched {
            self.index[r as usize] = NONE;
        }
        self.touched.clear();
        self.arena.clear();
    }

    #[inline(always)]
    fn has(&self, i: usize) -> bool {
        self.index[i] != NONE
    }

    /// This thread's copy of row `i` (which it has touched).
    #[inline(always)]
    fn row(&self, i: usize) -> &[f32] {
        let at = self.index[i] as usize * self.dim;
        &self.arena[at..at + self.dim]
    }

    /// This thread's copy of row `i`, made from `base` on the first touch.
    #[inline(always)]
    fn slot(&mut self, base: &Hogwild<'_>, i: usize) -> &mut [f32] {
        let d = self.dim;
        let mut s = self.index[i];
        if s == NONE {
            s = self.touched.len() as u32;
            self.touched.push(i as u32);
            self.index[i] = s;
            let at = self.arena.len();
            self.arena.resize(at + d, 0.0);
            base.copy_row(i, &mut self.arena[at..]);
        }
        let at = s as usize * d;
        &mut self.arena[at..at + d]
    }
}

/// One thread's deltas of the three matrices.
#[derive(Debug)]
pub(super) struct Deltas {
    pub(super) syn0: Delta,
    pub(super) syn1neg: Delta,
    pub(super) syn1: Delta,
}

impl Deltas {
    fn clear(&mut self) {
        self.syn0.clear();
        self.syn1neg.clear();
        self.syn1.clear();
    }
}

/// A matrix as one thread sees it during a round: the rows at the start of the round, with
/// its own updates in its delta.
pub(super) struct Local<'r, 'a> {
    pub(super) base: &'r Hogwild<'a>,
    pub(super) delta: &'r mut Delta,
}

impl Rows for Local<'_, '_> {
    #[inline(always)]
    fn dot(&mut self, i: usize, x: &[f32]) -> f32 {
        kernel::dot(self.delta.slot(self.base, i), x)
    }

    #[inline(always)]
    fn prefetch(&mut self, i: usize) {
        if !self.delta.has(i) {
            self.base.prefetch(i);
        }
    }

    #[inline(always)]
    fn axpy(&mut self, i: usize, alpha: f32, x: &[f32]) {
        kernel::axpy(self.delta.slot(self.base, i), alpha, x);
    }

    #[inline(always)]
    fn add_to(&mut self, i: usize, alpha: f32, y: &mut [f32]) {
        kernel::axpy(y, alpha, self.delta.slot(self.base, i));
    }

    #[inline(always)]
    fn update_output(&mut self, i: usize, g: f32, h: &[f32], e: &mut [f32]) {
        kernel::update_output(self.delta.slot(self.base, i), g, h, e);
    }
}

/// What the threads of one deterministic epoch share.
pub(super) struct Rounds<'d> {
    barrier: Barrier,
    deltas: &'d [RwLock<Deltas>],
    /// Words each thread read in the current round.
    words: Vec<AtomicU64>,
    /// Whether each thread found sentences in the current round.
    more: Vec<AtomicBool>,
    /// Words read by all threads before this epoch.
    pub(super) start: u64,
}

impl<'d> Rounds<'d> {
    /// The rounds of one epoch over `deltas.len()` threads, after `start` words.
    pub(super) fn new(deltas: &'d [RwLock<Deltas>], start: u64) -> Self {
        let n = deltas.len();
        Self {
            barrier: Barrier::new(n),
            deltas,
            words: (0..n).map(|_| AtomicU64::new(0)).collect(),
            more: (0..n).map(|_| AtomicBool::new(false)).collect(),
            start,
        }
    }

    /// Number of threads.
    pub(super) fn threads(&self) -> usize {
        self.deltas.len()
    }

    /// Thread `t`'s deltas, cleared, for the round's training (drop the guard before
    /// [`Rounds::finish`]).
    #[inline(always)]
    pub(super) fn work(&self, t: usize) -> RwLockWriteGuard<'d, Deltas> {
        let mut d = self.deltas[t]
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        d.clear();
        d
    }

    /// Ends thread `t`'s round: publishes its word count and whether it read anything,
    /// waits for every thread, merges its share of the rows, and waits again. Returns the
    /// words all threads read in the round and whether any thread read a sentence (the same
    /// answers on every thread).
    pub(super) fn finish(
        &self,
        t: usize,
        words: u64,
        more: bool,
        syn0: &Hogwild<'_>,
        syn1neg: &Hogwild<'_>,
        syn1: &Hogwild<'_>,
    ) -> (u64, bool) {
        self.words[t].store(words, Ordering::Relaxed);
        self.more[t].store(more, Ordering::Relaxed);
        self.barrier.wait();
        // The barrier orders the stores above before these loads, on every thread.
        let total = self.words.iter().map(|w| w.load(Ordering::Relaxed)).sum();
        let any = self.more.iter().any(|m| m.load(Ordering::Relaxed));
        {
            let all: Vec<_> = self
                .deltas
                .iter()
                .map(|d| d.read().unwrap_or_else(PoisonError::into_inner))
                .collect();
            let n = all.len();
            let mut scratch = (Vec::new(), Vec::new());
            let syn0_d: Vec<&Delta> = all.iter().map(|g| &g.syn0).collect();
            merge(syn0, &syn0_d, t, n, &mut scratch);
            let syn1neg_d: Vec<&Delta> = all.iter().map(|g| &g.syn1neg).collect();
            merge(syn1neg, &syn1neg_d, t, n, &mut scratch);
            let syn1_d: Vec<&Delta> = all.iter().map(|g| &g.syn1).collect();
            merge(syn1, &syn1_d, t, n, &mut scratch);
        }
        self.barrier.wait();
        (total, any)
    }
}

/// Merges the rows `i ≡ k (mod n)` of the threads' deltas into `base`, threads in order:
/// `r + Σ_t (s_t − r)`, or `s_t` when one thread alone touched the row.
fn merge(
    base: &Hogwild<'_>,
    deltas: &[&Delta],
    k: usize,
    n: usize,
    (orig, acc): &mut (Vec<f32>, Vec<f32>),
) {
    let d = base.dim();
    orig.resize(d, 0.0);
    acc.resize(d, 0.0);
    for (t, delta) in deltas.iter().enumerate() {
        for &row in &delta.touched {
            let i = row as usize;
            // Thread k merges its residue class; the first thread to touch a row stands
            // for it, so each row is merged once.
            if i % n != k || deltas[..t].iter().any(|e| e.has(i)) {
                continue;
            }
            let later = &deltas[t + 1..];
            if !later.iter().any(|e| e.has(i)) {
                base.set_row(i, delta.row(i));
                continue;
            }
            base.copy_row(i, orig);
            acc.copy_from_slice(orig);
            for e in deltas[t..].iter().filter(|e| e.has(i)) {
                for ((a, &s), &r) in acc.iter_mut().zip(e.row(i)).zip(orig.iter()) {
                    *a += s - r;
                }
            }
            base.set_row(i, acc);
        }
    }
}

/// Sentences of one iterator dealt to the threads in a fixed order: in each round thread 0
/// takes its batch first, then thread 1, and so on (a ticket, not a race for the lock).
pub(super) struct Turnstile<It> {
    state: Mutex<(It, usize)>,
    turn: Condvar,
}

impl<It: Iterator> Turnstile<It> {
    pub(super) fn new(it: It) -> Self {
        Self {
            state: Mutex::new((it, 0)),
            turn: Condvar::new(),
        }
    }

    /// Waits for ticket `ticket` (round `r`, thread `t` of `n`: `r·n + t`), then moves up to
    /// `len` sentences into `batch`.
    pub(super) fn take(&self, ticket: usize, batch: &mut Vec<It::Item>, len: usize) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while s.1 != ticket {
            s = self.turn.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        batch.extend(s.0.by_ref().take(len));
        s.1 += 1;
        drop(s);
        self.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_the_deltas_in_thread_order() {
        let mut m = vec![1.0f32, 1.0, 10.0, 10.0, 5.0, 5.0];
        let mut a = Delta::new(3, 2);
        let mut b = Delta::new(3, 2);
        {
            let base = Hogwild::new(&mut m, 2);
            let mut la = Local {
                base: &base,
                delta: &mut a,
            };
            la.axpy(0, 1.0, &[0.5, 0.5]); // row 0: a alone
            la.axpy(1, 1.0, &[1.0, 2.0]); // row 1: both
            let mut lb = Local {
                base: &base,
                delta: &mut b,
            };
            lb.axpy(1, 1.0, &[3.0, 4.0]);
            // during the round the shared rows do not move
            let mut y = [0.0; 2];
            lb.add_to(2, 1.0, &mut y);
            assert_eq!(y, [5.0, 5.0]);
            let mut scratch = (Vec::new(), Vec::new());
            for k in 0..2 {
                merge(&base, &[&a, &b], k, 2, &mut scratch);
            }
        }
        assert_eq!(m, [1.5, 1.5, 14.0, 16.0, 5.0, 5.0]);
        a.clear();
        assert!(!a.has(0) && a.touched.is_empty());
    }

    #[test]
    fn the_turnstile_deals_in_ticket_order() {
        let t = Turnstile::new(0..10);
        let got: Vec<Vec<i32>> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..3)
                .rev()
                .map(|k| {
                    let t = &t;
                    s.spawn(move || {
                        let mut b = Vec::new();
                        t.take(k, &mut b, 2);
                        b
                    })
                })
                .collect();
            let mut v: Vec<_> = hs.into_iter().map(|h| h.join().unwrap()).collect();
            v.reverse();
            v
        });
        assert_eq!(got, [vec![0, 1], vec![2, 3], vec![4, 5]]);
    }
}
