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

type Nearest<'a> = Box<dyn Fn(&[f64], usize) -> recurrent::Result<Vec<(String, f32)>> + 'a>;

/// Both implementations of `nearest_to`: the fast scan and the trait's provided method.
fn both(m: &Word2Vec) -> [Nearest<'_>; 2] {
    [
        Box::new(move |q, k| m.nearest_to(q, &[], k)),
        Box::new(move |q, k| Reference(m).nearest_to(q, &[], k)),
    ]
}

#[test]
fn nearest_to_refuses_a_query_of_the_wrong_dimension() {
    let m = toy();
    for nearest in both(&m) {
        for q in [&[][..], &[1.0], &[1.0, 0.0, 0.0], &[1.0; 100]] {
            match nearest(q, 3) {
                Err(Error::DimensionMismatch {
                    op: "nearest_to",
                    what: "query",
                    expected: (2, 1),
                    got,
                }) => assert_eq!(got, (q.len(), 1)),
                other => panic!("{q:?}: {other:?}"),
            }
        }
        // k = 0 does not skip the check.
        assert!(nearest(&[1.0], 0).is_err());
        assert_eq!(nearest(&[1.0, 0.0], 0).unwrap(), []);
    }
}

#[test]
fn nearest_to_refuses_non_finite_queries() {
    let m = toy();
    for nearest in both(&m) {
        for (q, index) in [
            ([f64::NAN, 0.0], 0),
            ([1.0, f64::NAN], 1),
            ([f64::INFINITY, 1.0], 0),
            ([0.0, f64::NEG_INFINITY], 1),
        ] {
            match nearest(&q, 3) {
                Err(Error::NonFinite {
                    op: "nearest_to",
                    what: "query",
                    index: i,
                }) => assert_eq!(i, index, "{q:?}"),
                other => panic!("{q:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn nearest_to_ranks_the_same_at_any_scale() {
    let m = random_model(11, 200, 16);
    let q: Vec<f64> = (0..16).map(|i| (f64::from(i) * 0.7).sin()).collect();
    for nearest in both(&m) {
        let want = nearest(&q, 10).unwrap();
        // Squares of 1e200 overflow and squares of 1e-200 underflow in a naive norm.
        for scale in [1e-300, 1e-200, 1e-30, 1e30, 1e200, 1e300] {
            let scaled: Vec<f64> = q.iter().map(|x| x * scale).collect();
            let got = nearest(&scaled, 10).unwrap();
            assert_eq!(got.len(), 10);
            for ((gw, gs), (ww, ws)) in got.iter().zip(&want) {
                assert!((gs - ws).abs() < 1e-6, "scale {scale}: {gs} vs {ws}");
                if gw != ww {
                    assert!((gs - ws).abs() < 1e-6);
                }
            }
        }
        // A zero query has cosine 0 with every word: an answer, not an error.
        let zero = nearest(&[0.0; 16], 3).unwrap();
        assert!(zero.iter().all(|(_, s)| *s == 0.0));
        assert_eq!(zero.len(), 3);
    }
}

#[test]
fn queries_on_bad_rows_are_errors() {
    // A NaN in a word's vector never reaches a query: the model refuses it when built.
    let words = ["a", "b", "c"].map(String::from).to_vec();
    let m = Word2Vec::from_parts(
        words,
        vec![1; 3],
        2,
        vec![f32::NAN, 1.0, 0.0, 1.0, 1.0, 0.0],
    );
    assert!(matches!(m, Err(Error::NonFinite { .. })), "{m:?}");
    // A model with no words may claim any dimension; queries must not allocate from it.
    let empty = Word2Vec::from_parts(vec![], vec![], 1 << 60, vec![]).unwrap();
    assert!(matches!(
        empty.most_similar(&["a"], &[], 1),
        Err(Error::UnknownWord(_))
    ));
    assert!(matches!(
        Reference(&empty).most_similar(&["a"], &[], 1),
        Err(Error::UnknownWord(_))
    ));
    assert!(empty.nearest_to(&[1.0], &[], 1).is_err());
}
