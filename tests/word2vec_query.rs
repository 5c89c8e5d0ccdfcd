//! Word2Vec queries: the fast scan agrees with the trait's reference implementation,
//! 3CosMul against a hand computation, doesnt_match, and errors for unknown words.

use rand::{RngExt, SeedableRng};
use recurrent::word2vec::Word2Vec;
use recurrent::{Embedding, Error};

/// The same vectors behind the trait's provided (f64, unoptimised) queries.
struct Reference<'a>(&'a Word2Vec);

impl Embedding for Reference<'_> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn vocab_len(&self) -> usize {
        self.0.vocab_len()
    }
    fn word(&self, i: usize) -> Option<&str> {
        self.0.word(i)
    }
    fn index(&self, w: &str) -> Option<usize> {
        self.0.index(w)
    }
    fn vector_at(&self, i: usize) -> Option<&[f32]> {
        self.0.vector_at(i)
    }
}

fn random_model(seed: u64, n: usize, dim: usize) -> Word2Vec {
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let words = (0..n).map(|i| format!("w{i}")).collect();
    let mut v: Vec<f32> = (0..n * dim)
        .map(|_| rng.random_range(-1.0f32..1.0))
        .collect();
    // One zero row: similarity 0 with everything.
    v[3 * dim..4 * dim].fill(0.0);
    Word2Vec::from_parts(words, vec![1; n], dim, v).unwrap()
}

fn toy() -> Word2Vec {
    // man/woman and king/queen differ by the same +y; apple is far away.
    let words = ["man", "woman", "king", "queen", "apple"]
        .map(String::from)
        .to_vec();
    let v = [1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
    Word2Vec::from_parts(words, vec![1; 5], 2, v.to_vec()).unwrap()
}

#[test]
fn fast_scan_agrees_with_the_reference() {
    for seed in 0..3 {
        let m = random_model(seed, 300, 37);
        let r = Reference(&m);
        for (pos, neg) in [
            (vec!["w0"], vec![]),
            (vec!["w5", "w9"], vec!["w1"]),
            (vec!["w3"], vec![]),
            (vec![], vec!["w7"]),
        ] {
            let fast = m.most_similar(&pos, &neg, 10).unwrap();
            let slow = r.most_similar(&pos, &neg, 10).unwrap();
            assert_eq!(fast.len(), 10);
            for ((fw, fs), (sw, ss)) in fast.iter().zip(&slow) {
                // Equal words unless two cosines are within f32 rounding of each other.
                assert!((fs - ss).abs() < 1e-5, "{fs} vs {ss}");
                if fw != sw {
                    assert!((fs - ss).abs() < 1e-5);
                }
            }
            assert!(
                !fast
                    .iter()
                    .any(|(w, _)| pos.contains(&w.as_str()) || neg.contains(&w.as_str()))
            );
        }
    }
}

#[test]
fn analogies_by_3cosadd_and_3cosmul() {
    let m = toy();
    assert_eq!(m.analogy("man", "woman", "king", 1).unwrap()[0].0, "queen");
    let mul = m.analogy_cosmul("man", "woman", "king", 2).unwrap();
    assert_eq!(mul[0].0, "queen");
    // By hand, in f64: c(x, y) = (1 + cos)/2; score = c(x,woman)·c(x,king)/(c(x,man) + 1e-6).
    let cos = |a: [f64; 2], b: [f64; 2]| {
        (a[0] * b[0] + a[1] * b[1]) / ((a[0].hypot(a[1])) * (b[0].hypot(b[1])))
    };
    let c = |a, b| (1.0 + cos(a, b)) / 2.0;
    let (man, woman, king, queen, apple) =
        ([1.0, 0.0], [1.0, 1.0], [3.0, 0.2], [3.0, 1.8], [-1.0, -0.2]);
    let want_queen = c(queen, woman) * c(queen, king) / (c(queen, man) + 1e-6);
    let want_apple = c(apple, woman) * c(apple, king) / (c(apple, man) + 1e-6);
    assert!(
        (f64::from(mul[0].1) - want_queen).abs() < 1e-5,
        "{} vs {want_queen}",
        mul[0].1
    );
    assert_eq!(mul[1].0, "apple");
    assert!((f64::from(mul[1].1) - want_apple).abs() < 1e-5);
    // Without negatives, the denominator is 1 + ε and the ranking is most_similar's.
    let one = m.most_similar_cosmul(&["king"], &[], 4).unwrap();
    let add = m.most_similar(&["king"], &[], 4).unwrap();
    let names = |v: &[(String, f32)]| v.iter().map(|p| p.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&one), names(&add));
}

#[test]
fn doesnt_match_finds_the_odd_one() {
    let m = toy();
    assert_eq!(
        m.doesnt_match(&["man", "king", "apple", "woman"]).unwrap(),
        "apple"
    );
    assert_eq!(m.doesnt_match(&["queen"]).unwrap(), "queen");
    assert!(matches!(m.doesnt_match(&[]), Err(Error::Empty { .. })));
}

#[test]
fn unknown_words_are_named() {
    let m = toy();
    let is_unknown = |e: Error| matches!(e, Error::UnknownWord(ref w) if w == "prince");
    assert!(is_unknown(
        m.most_similar(&["king", "prince"], &[], 1).unwrap_err()
    ));
    assert!(is_unknown(
        m.most_similar_cosmul(&["king"], &["prince"], 1)
            .unwrap_err()
    ));
    assert!(is_unknown(
        m.analogy("man", "prince", "king", 1).unwrap_err()
    ));
    assert!(is_unknown(
        m.analogy_cosmul("prince", "man", "king", 1).unwrap_err()
    ));
    assert!(is_unknown(m.doesnt_match(&["man", "prince"]).unwrap_err()));
    assert!(is_unknown(m.similarity("prince", "man").unwrap_err()));
    assert!(matches!(
        m.most_similar_cosmul(&[], &["man"], 1),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn mutating_vectors_refreshes_the_cache() {
    let mut m = toy();
    assert_eq!(m.most_similar(&["apple"], &[], 1).unwrap()[0].0, "woman");
    // Make "queen" point where apple does, ten times longer.
    m.vectors_mut()[6..8].copy_from_slice(&[-10.0, -2.0]);
    let best = m.most_similar(&["apple"], &[], 1).unwrap();
    assert_eq!(best[0].0, "queen");
    assert!((best[0].1 - 1.0).abs() < 1e-6);
}

#[test]
fn word2vec_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Word2Vec>();
}
