//! The Huffman tree of hierarchical softmax (Morin & Bengio 2005; Mikolov et al. 2013).
//!
//! Hierarchical softmax replaces the `V`-way softmax by a walk from the root of a binary tree
//! to the word's leaf: at each inner node `n` on the path the model predicts the branch
//! `c ∈ {0, 1}` with `P(c = 0) = σ(h·u_n)`, so `P(w | h) = Π_k σ((1 − 2c_k)·h·u_{n_k})`.
//! There are `V − 1` inner nodes, each with its own output vector `u_n`. With a Huffman tree
//! (Huffman 1952), frequent words have short paths: the mean path length is within one bit of
//! the entropy of the unigram distribution.
//!
//! Node numbering follows the C tool: inner node `j` (`0 ≤ j < V − 1`) is created by the
//! `j`-th merge, so the root is `V − 2`; each word's `points` run from the root down, and
//! `codes[k]` is the branch taken at `points[k]` (1 for the second-smallest of a merge).
//!
//! # References
//!
//! [^1]: D. A. Huffman (1952), "A Method for the Construction of Minimum-Redundancy Codes",
//!   Proceedings of the IRE 40(9).
//! [^2]: F. Morin, Y. Bengio (2005), "Hierarchical Probabilistic Neural Network Language
//!   Model", AISTATS.

use crate::error::{Error, Result};

/// Codes and paths of every word in a Huffman tree built from counts.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::Huffman;
/// let h = Huffman::new(&[4, 2, 1, 1])?;
/// assert_eq!(h.code(0).len(), 1); // the most frequent word sits next to the root
/// assert_eq!(h.code(2).len(), 3);
/// assert_eq!(h.points(0), [2]); // the root is node V − 2 = 2
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Huffman {
    offsets: Vec<usize>,
    codes: Vec<u8>,
    points: Vec<u32>,
}

impl Huffman {
    /// Builds the tree for words with the given counts (any order).
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no counts; [`Error::InvalidParameter`] for 2³² or more words.
    ///
    /// # Complexity
    ///
    /// `O(V log V)` for the sort, then `O(V)` (two-queue merge) and `O(Σ code lengths)`.
    pub fn new(counts: &[u64]) -> Result<Self> {
        let v = counts.len();
        if v == 0 {
            return Err(Error::Empty {
                op: "Huffman::new",
                what: "counts",
            });
        }
        if v >= u32::MAX as usize / 2 {
            return Err(Error::invalid(
                "counts",
                "too many words for a Huffman tree",
            ));
        }
        // Leaves by decreasing count (stable), so the two-queue merge sees them in order.
        let mut order: Vec<usize> = (0..v).collect();
        order.sort_by(|&a, &b| counts[b].cmp(&counts[a]));
        // Node k < v is leaf order[k]; node v + j is inner node j. Weights as u128: no overflow.
        let mut weight: Vec<u128> = order.iter().map(|&i| u128::from(counts[i])).collect();
        weight.resize(2 * v - 1, 0);
        let mut parent = vec![0usize; 2 * v - 1];
        let mut branch = vec![0u8; 2 * v - 1];
        // Queue 1: leaves from the smallest (index v − 1 down to 0); queue 2: inner nodes in
        // creation order (their weights never decrease).
        let mut leaf = v; // leaves left: indices 0..leaf
        let mut inner = v; // next inner node to take
        for j in 0..v.saturating_sub(1) {
            let mut pick = || {
                let take_leaf = leaf > 0 && (inner >= v + j || weight[leaf - 1] < weight[inner]);
                if take_leaf {
                    leaf -= 1;
                    leaf
                } else {
                    inner += 1;
                    inner - 1
                }
            };
            let (a, b) = (pick(), pick());
            weight[v + j] = weight[a] + weight[b];
            parent[a] = v + j;
            parent[b] = v + j;
            branch[b] = 1;
        }
        let root = 2 * v - 2;
        let mut lens = vec![0usize; v];
        let mut paths: Vec<(Vec<u8>, Vec<u32>)> = vec![(Vec::new(), Vec::new()); v];
        for (k, &word) in order.iter().enumerate() {
            let (mut code, mut point) = (Vec::new(), Vec::new());
            let mut node = k;
            while node != root {
                code.push(branch[node]);
                node = parent[node];
                point.push((node - v) as u32);
            }
            code.reverse();
            point.reverse();
            lens[word] = code.len();
            paths[word] = (code, point);
        }
        let mut offsets = Vec::with_capacity(v + 1);
        offsets.push(0);
        let total: usize = lens.iter().sum();
        let (mut codes, mut points) = (Vec::with_capacity(total), Vec::with_capacity(total));
        for (c, p) in paths {
            codes.extend_from_slice(&c);
            points.extend_from_slice(&p);
            offsets.push(codes.len());
        }
        Ok(Self {
            offsets,
            codes,
            points,
        })
    }

    /// Number of words (leaves).
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Always `false` (a tree has at least one leaf).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The branches from the root to word `i`'s leaf.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    pub fn code(&self, i: usize) -> &[u8] {
        &self.codes[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The inner nodes (`0..V − 1`) from the root to word `i`'s parent.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    pub fn points(&self, i: usize) -> &[u32] {
        &self.points[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Code and points of word `i` together.
    #[inline]
    pub(crate) fn path(&self, i: usize) -> (&[u8], &[u32]) {
        let r = self.offsets[i]..self.offsets[i + 1];
        (&self.codes[r.clone()], &self.points[r])
    }

    /// Number of inner nodes, `V − 1`.
    pub fn n_inner(&self) -> usize {
        self.len() - 1
    }
}
