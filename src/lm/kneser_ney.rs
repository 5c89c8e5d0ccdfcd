//! Interpolated Kneser–Ney n-gram models (Kneser & Ney 1995), with the modified discounts of
//! Chen & Goodman (1999), on the same token indices and sentence convention as [`Bigram`].
//!
//! [`Bigram`]: super::Bigram

use super::ngram::{check, golden};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// An interpolated Kneser–Ney n-gram model of any order `N ≥ 1` over token indices.
///
/// Each sentence `w1 … wn` is read as `<s> w1 … wn </s>`: `<s>` (the verse start) is a
/// history-only symbol, never predicted, and `</s>` (index `eos`) is predicted at the end; a
/// history never crosses a sentence start, so the first word is predicted from `(<s>)`, the
/// second from `(<s>, w1)`, and so on (the SRILM / KenLM convention).
///
/// Counts. `c(g)` is the number of times the k-gram `g` ends at a predicted position of the
/// training sentences. The highest order `N` uses these raw counts; a lower order `k < N` uses
/// the continuation count `N1+(• g) = |{u : c(u g) > 0}|` (the number of distinct words seen
/// before `g`), except for k-grams that start with `<s>`, which nothing precedes and which
/// keep their raw count `c(g)`. Write `a(g)` for the count a level uses.
///
/// Probability, for a history `h` of `k − 1` words (`h'` is `h` without its first word):
///
/// ```text
/// P_k(w | h) = max(a(h w) − D_k(a(h w)), 0) / a(h •)  +  γ_k(h) · P_{k−1}(w | h')
/// γ_k(h)     = (D_k,1 · N1(h •) + D_k,2 · N2(h •) + D_k,3+ · N3+(h •)) / a(h •)
/// P_0(w)     = 1 / V
/// ```
///
/// where `a(h •) = Σ_w a(h w)`, `Nr(h •)` is the number of words `w` with `a(h w) = r`
/// (`N3+`: `≥ 3`), and `D_k(c)` is `0` for `c = 0`, `D_k,1`, `D_k,2` for `c = 1, 2` and
/// `D_k,3+` for `c ≥ 3`. A level whose history was never seen (`a(h •) = 0`), or that needs
/// more words than the sentence has before `w` (`<s>` included), passes `P_{k−1}` on
/// unchanged. The unigram level `k = 1` (empty history) is interpolated with the uniform
/// `1/V`, so every word of the vocabulary, seen or not, has a probability `> 0`, and
/// `Σ_w P_N(w | h) = 1` for every history.
///
/// Modified discounts (Chen & Goodman 1999, eq. 26), per order from the count-of-counts `n_r`
/// (the number of k-grams with `a(g) = r`) of that order's counts:
///
/// ```text
/// Y = n1 / (n1 + 2 n2)
/// D_k,1 = 1 − 2Y n2/n1,   D_k,2 = 2 − 3Y n3/n2,   D_k,3+ = 3 − 4Y n4/n3
/// ```
///
/// [`KneserNey::set_discounts`] sets any discounts instead (e.g. one `D` per order,
/// the original interpolated Kneser–Ney), and [`KneserNey::tune_discounts`] chooses one `D`
/// per order on held-out data.
///
/// # Examples
///
/// ```
/// use recurrent::lm::KneserNey;
/// // vocabulary 0 = </s>, 1, 2, 3; sentences "1 2 3", "1 2", "2 3 1", "3 1 2"
/// let train = vec![vec![1, 2, 3], vec![1, 2], vec![2, 3, 1], vec![3, 1, 2]];
/// // a trigram with one D = 0.5 per order (too few counts here for the modified discounts
/// // of `KneserNey::fit`, which need count-of-counts n1, n2, n3 > 0 at every order)
/// let kn = KneserNey::fit_with_discounts(&train, 4, 0, &[[0.5; 3]; 3])?;
/// // the next-word distribution after "<s> 1" sums to 1 over the vocabulary
/// let total: f64 = (0..4).map(|w| kn.probability(&[1], w).unwrap()).sum();
/// assert!((total - 1.0).abs() < 1e-12);
/// // "2" follows "<s> 1" in both sentences that start with 1: the most probable next word
/// assert!(kn.probability(&[1], 2)? > 0.5);
/// let ppl = kn.perplexity(&[vec![1, 2, 3]])?;
/// assert!(ppl > 1.0 && ppl < 4.0);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # References
///
/// - R. Kneser, H. Ney (1995), "Improved backing-off for M-gram language modeling", ICASSP.
/// - S. F. Chen, J. Goodman (1999), "An empirical study of smoothing techniques for language
///   modeling", Computer Speech & Language 13(4).
#[derive(Clone, Debug, PartialEq)]
pub struct KneserNey {
    vocab: usize,
    eos: usize,
    /// `vocab + 1`: the tokens and `<s>` (= `vocab`) as digits of a k-gram's key.
    base: u128,
    /// Level `k − 1` holds order `k`.
    levels: Vec<Level>,
}

#[derive(Clone, Debug, PartialEq)]
struct Level {
    /// `a(g)` by the key of the k-gram `g`.
    counts: HashMap<u128, u64>,
    /// `[a(h •), N1(h •), N2(h •), N3+(h •)]` by the key of the history `h` (k − 1 words).
    stats: HashMap<u128, [u64; 4]>,
    discounts: [f64; 3],
}

/// What one level contributes to one predicted token: `a(h w)` and the history's statistics
/// (all zero when the level passes the lower order on).
type TokenStat = (u64, [u64; 4]);

impl KneserNey {
    /// Counts the sentences `train` (token indices below `vocab`, without `</s>`, whose index
    /// is `eos`) for a model of order `order` (2 a bigram, 5 a 5-gram), with the modified
    /// discounts of Chen & Goodman (1999) from each order's count-of-counts.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no sentences; [`Error::InvalidParameter`] for `order = 0`, an
    /// order whose k-grams do not fit a 128-bit key (`(vocab + 1)^order ≥ 2^128`), a token or
    /// `eos` not below `vocab`, or counts too few for the modified discounts (a count-of-counts
    /// `n1`, `n2` or `n3` of zero at some order, or discounts outside `0 ≤ D_r ≤ r`; set
    /// discounts of one's own with [`KneserNey::fit_with_discounts`] then).
    pub fn fit(train: &[Vec<usize>], vocab: usize, eos: usize, order: usize) -> Result<Self> {
        let mut m = Self::count(train, vocab, eos, order)?;
        for (i, level) in m.levels.iter_mut().enumerate() {
            level.discounts = modified_discounts(&level.counts, i + 1)?;
        }
        Ok(m)
    }

    /// As [`KneserNey::fit`], with the discounts `discounts[k − 1] = [D_k,1, D_k,2, D_k,3+]`
    /// given for each order `k = 1 … N` (`N = discounts.len()`) instead of estimated.
    ///
    /// # Errors
    ///
    /// As [`KneserNey::fit`] (except the count-of-counts), and [`KneserNey::set_discounts`].
    pub fn fit_with_discounts(
        train: &[Vec<usize>],
        vocab: usize,
        eos: usize,
        discounts: &[[f64; 3]],
    ) -> Result<Self> {
        let mut m = Self::count(train, vocab, eos, discounts.len())?;
        m.set_discounts(discounts)?;
        Ok(m)
    }

    fn count(train: &[Vec<usize>], vocab: usize, eos: usize, order: usize) -> Result<Self> {
        if order == 0 {
            return Err(Error::invalid("order", "must be at least 1, got 0"));
        }
        if train.is_empty() {
            return Err(Error::Empty {
                op: "KneserNey::fit",
                what: "training sentences",
            });
        }
        if eos >= vocab {
            return Err(Error::invalid("eos", format!("{eos} is not below {vocab}")));
        }
        check(train, vocab)?;
        let base = vocab as u128 + 1;
        if u32::try_from(order)
            .ok()
            .and_then(|o| base.checked_pow(o))
            .is_none()
        {
            return Err(Error::invalid(
                "order",
                format!("{order}-grams over {base} symbols do not fit a 128-bit key"),
            ));
        }
        let bos = vocab as u128;
        // raw counts of every order
        let mut raw: Vec<HashMap<u128, u64>> = vec![HashMap::new(); order];
        let mut s = Vec::new();
        for sentence in train {
            s.clear();
            s.push(bos);
            s.extend(sentence.iter().map(|&w| w as u128));
            s.push(eos as u128);
            for t in 1..s.len() {
                let (mut key, mut scale) = (0u128, 1u128);
                for k in 1..=order.min(t + 1) {
                    key += s[t + 1 - k] * scale;
                    scale *= base;
                    *raw[k - 1].entry(key).or_insert(0) += 1;
                }
            }
        }
        // continuation counts below the highest order; k-grams starting with <s> keep theirs
        let mut counts: Vec<HashMap<u128, u64>> = Vec::with_capacity(order);
        for k in 1..=order {
            if k == order {
                counts.push(std::mem::take(&mut raw[k - 1]));
                continue;
            }
            let span = base.pow(k as u32); // base^k: the suffix of a (k+1)-gram is key % span
            let first = base.pow(k as u32 - 1); // the first word of a k-gram is key / first
            let mut cont: HashMap<u128, u64> = HashMap::new();
            for &g in raw[k].keys() {
                *cont.entry(g % span).or_insert(0) += 1;
            }
            for (&g, &c) in &raw[k - 1] {
                if g / first == bos {
                    cont.insert(g, c);
                }
            }
            raw[k - 1] = HashMap::new();
            counts.push(cont);
        }
        let levels = counts
            .into_iter()
            .map(|counts| {
                let mut stats: HashMap<u128, [u64; 4]> = HashMap::new();
                for (&g, &c) in &counts {
                    let e = stats.entry(g / base).or_insert([0; 4]);
                    e[0] += c;
                    e[c.min(3) as usize] += 1;
                }
                Level {
                    counts,
                    stats,
                    discounts: [0.0; 3],
                }
            })
            .collect();
        Ok(Self {
            vocab,
            eos,
            base,
            levels,
        })
    }

    /// The order `N`.
    pub fn order(&self) -> usize {
        self.levels.len()
    }

    /// The vocabulary size `V`.
    pub fn vocab_len(&self) -> usize {
        self.vocab
    }

    /// `[D_k,1, D_k,2, D_k,3+]` for each order `k = 1 … N`.
    pub fn discounts(&self) -> Vec<[f64; 3]> {
        self.levels.iter().map(|l| l.discounts).collect()
    }

    /// Sets the discounts, `discounts[k − 1] = [D_k,1, D_k,2, D_k,3+]` for `k = 1 … N`;
    /// `[d; 3]` at every order is the interpolated Kneser–Ney of one `D` per order.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless there is one triple per order and
    /// `0 ≤ D_k,r ≤ r` (finite) for `r = 1, 2, 3`: the bound that keeps every discounted count
    /// non-negative, so that the probabilities sum to 1.
    pub fn set_discounts(&mut self, discounts: &[[f64; 3]]) -> Result<()> {
        if discounts.len() != self.levels.len() {
            return Err(Error::invalid(
                "discounts",
                format!(
                    "{} triples for a model of order {}",
                    discounts.len(),
                    self.levels.len()
                ),
            ));
        }
        for (k, d) in discounts.iter().enumerate() {
            check_discounts(d, k + 1)?;
        }
        for (level, d) in self.levels.iter_mut().zip(discounts) {
            level.discounts = *d;
        }
        Ok(())
    }

    /// The interpolated Kneser–Ney of one discount per order (`D_k,1 = D_k,2 = D_k,3+ = D_k`),
    /// `D_k` chosen to minimise the perplexity on `valid` by coordinate descent (three sweeps
    /// over the orders, a golden-section search on `[0.01, 0.999]` for each, starting from
    /// 0.75); sets them and returns `[D_1, …, D_N]`.
    ///
    /// # Errors
    ///
    /// As [`KneserNey::perplexity`].
    pub fn tune_discounts(&mut self, valid: &[Vec<usize>]) -> Result<Vec<f64>> {
        let stats = self.gather(valid)?;
        let mut x = vec![0.75; self.levels.len()];
        for _ in 0..3 {
            for i in 0..x.len() {
                let f = |v: f64| {
                    let mut y = x.clone();
                    y[i] = v;
                    let d: Vec<[f64; 3]> = y.iter().map(|&v| [v; 3]).collect();
                    -mean_ln(&stats, &d, self.vocab)
                };
                x[i] = golden(|v| Ok::<_, Error>(f(v)), 0.01, 0.999)?;
            }
        }
        let d: Vec<[f64; 3]> = x.iter().map(|&v| [v; 3]).collect();
        self.set_discounts(&d)?;
        Ok(x)
    }

    /// `P_N(w | <s> history)`: the probability of `w` after a sentence start and the tokens
    /// `history` (only the last `N − 1` tokens, `<s>` included, matter).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for `w` or a token of `history` not below the vocabulary
    /// size.
    pub fn probability(&self, history: &[usize], w: usize) -> Result<f64> {
        if w >= self.vocab {
            return Err(Error::invalid(
                "w",
                format!("{w} is not below {}", self.vocab),
            ));
        }
        let mut s = Vec::with_capacity(history.len() + 1);
        s.extend_from_slice(history);
        s.push(w);
        check(std::slice::from_ref(&s), self.vocab)?;
        let mut row = vec![(0, [0; 4]); self.levels.len()];
        let n = s.len();
        let bos = self.vocab as u128;
        let tok = |i: usize| if i == 0 { bos } else { s[i - 1] as u128 };
        self.token_stats(n, tok, &mut row);
        Ok(prob(&row, &self.discounts(), self.vocab))
    }

    /// The probability of every predicted token of every sentence: `out[i][t]` is
    /// `P_N(w_t | <s> w_1 … w_{t−1})` for `t < n` and `P_N(</s> | <s> w_1 … w_n)` for `t = n`
    /// (`n + 1` values for a sentence of `n` words), for interpolation with another model.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a token not below the vocabulary size.
    pub fn token_probabilities(&self, sentences: &[Vec<usize>]) -> Result<Vec<Vec<f64>>> {
        let stats = self.gather(sentences)?;
        let d = self.discounts();
        let mut it = stats.chunks(self.levels.len());
        Ok(sentences
            .iter()
            .map(|s| {
                (0..=s.len())
                    .map(|_| prob(it.next().unwrap_or(&[]), &d, self.vocab))
                    .collect()
            })
            .collect())
    }

    /// Perplexity `exp(−(1/T) Σ ln P_N(w_t | h_t))` over the `T` predicted tokens of
    /// `sentences` (every word and each final `</s>`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a token not below the vocabulary size;
    /// [`Error::Empty`] for no sentences.
    pub fn perplexity(&self, sentences: &[Vec<usize>]) -> Result<f64> {
        if sentences.is_empty() {
            return Err(Error::Empty {
                op: "perplexity",
                what: "sentences",
            });
        }
        let stats = self.gather(sentences)?;
        Ok((-mean_ln(&stats, &self.discounts(), self.vocab)).exp())
    }

    /// Fills `row[k − 1]` with what level `k` needs for the token at position `t` of a
    /// sentence read through `tok` (`tok(0) = <s>`).
    fn token_stats(&self, t: usize, tok: impl Fn(usize) -> u128, row: &mut [TokenStat]) {
        let (mut key, mut scale) = (tok(t), 1u128);
        for (k, level) in self.levels.iter().enumerate() {
            // key: the (k+1)-gram ending at t
            if k > 0 {
                if k > t {
                    row[k] = (0, [0; 4]);
                    continue;
                }
                scale *= self.base;
                key += tok(t - k) * scale;
            }
            row[k] = match level.stats.get(&(key / self.base)) {
                Some(e) => (level.counts.get(&key).copied().unwrap_or(0), *e),
                None => (0, [0; 4]),
            };
        }
    }

    /// The per-level statistics of every predicted token of `sentences`, `N` per token.
    fn gather(&self, sentences: &[Vec<usize>]) -> Result<Vec<TokenStat>> {
        check(sentences, self.vocab)?;
        let n = self.levels.len();
        let total: usize = sentences.iter().map(|s| s.len() + 1).sum();
        let mut out = vec![(0, [0; 4]); total * n];
        let bos = self.vocab as u128;
        let mut i = 0;
        for s in sentences {
            let tok = |j: usize| {
                if j == 0 {
                    bos
                } else if j <= s.len() {
                    s[j - 1] as u128
                } else {
                    self.eos as u128
                }
            };
            for t in 1..=s.len() + 1 {
                self.token_stats(t, tok, &mut out[i * n..(i + 1) * n]);
                i += 1;
            }
        }
        Ok(out)
    }
}

/// `P_N` from one token's per-level statistics (the recursion of [`KneserNey`]).
fn prob(row: &[TokenStat], d: &[[f64; 3]], vocab: usize) -> f64 {
    let mut p = 1.0 / vocab as f64;
    for (&(c, e), d) in row.iter().zip(d) {
        if e[0] == 0 {
            continue;
        }
        let h = e[0] as f64;
        let disc = match c {
            0 => 0.0,
            1 => d[0],
            2 => d[1],
            _ => d[2],
        };
        let gamma = (d[0] * e[1] as f64 + d[1] * e[2] as f64 + d[2] * e[3] as f64) / h;
        p = (c as f64 - disc).max(0.0) / h + gamma * p;
    }
    p
}

/// Mean `ln P_N` over the tokens of `stats` (`d.len()` entries per token).
fn mean_ln(stats: &[TokenStat], d: &[[f64; 3]], vocab: usize) -> f64 {
    let n = stats.len() / d.len().max(1);
    let total: f64 = stats
        .chunks(d.len().max(1))
        .map(|row| prob(row, d, vocab).ln())
        .sum();
    total / n as f64
}

/// Chen & Goodman's `D1, D2, D3+` from the count-of-counts of `counts` (order `k`).
fn modified_discounts(counts: &HashMap<u128, u64>, k: usize) -> Result<[f64; 3]> {
    let mut n = [0u64; 5];
    for &c in counts.values() {
        if c <= 4 {
            n[c as usize] += 1;
        }
    }
    if n[1] == 0 || n[2] == 0 || n[3] == 0 {
        return Err(Error::invalid(
            "train",
            format!(
                "too few counts for modified Kneser–Ney discounts at order {k} \
                 (n1, n2, n3 = {}, {}, {}; all must be > 0)",
                n[1], n[2], n[3]
            ),
        ));
    }
    let [n1, n2, n3, n4] = [n[1], n[2], n[3], n[4]].map(|x| x as f64);
    let y = n1 / (n1 + 2.0 * n2);
    let d = [
        1.0 - 2.0 * y * n2 / n1,
        2.0 - 3.0 * y * n3 / n2,
        3.0 - 4.0 * y * n4 / n3,
    ];
    check_discounts(&d, k)?;
    Ok(d)
}

fn check_discounts(d: &[f64; 3], k: usize) -> Result<()> {
    for (r, &x) in d.iter().enumerate() {
        if !(x.is_finite() && (0.0..=(r + 1) as f64).contains(&x)) {
            return Err(Error::invalid(
                "discounts",
                format!(
                    "order {k}: D{} = {x} is not in [0, {}]",
                    if r == 2 {
                        "3+".into()
                    } else {
                        (r + 1).to_string()
                    },
                    r + 1
                ),
            ));
        }
    }
    Ok(())
}
