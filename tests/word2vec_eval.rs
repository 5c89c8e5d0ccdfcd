//! Analogy and word-pair evaluation against gensim's counts, and Spearman's ρ by hand.
//!
//! The expected numbers below come from gensim 4.4.0 (numpy 2.4.6, scipy 1.17.1) on the same
//! fixtures:
//!
//! ```python
//! from gensim.models import KeyedVectors as K
//! m = K.load_word2vec_format('tests/data/eval_model.txt')
//! m.evaluate_word_analogies('tests/data/analogy_tiny.txt', restrict_vocab=r,
//!                           case_insensitive=ci, dummy4unknown=dummy)
//! m.evaluate_word_pairs('tests/data/pairs_tiny.tsv', restrict_vocab=r,
//!                       case_insensitive=ci, dummy4unknown=dummy)
//! m.most_similar_cosmul(positive=['woman', 'king'], negative=['man'], topn=3)
//! m.doesnt_match(['man', 'woman', 'apple', 'king'])
//! ```

use recurrent::Error;
use recurrent::word2vec::{
    AnalogyMethod, EvalOptions, ReadOptions, Word2Vec, average_ranks, evaluate_analogies,
    evaluate_word_pairs, pearson, read_analogies, read_word_pairs, spearman,
};

const MODEL: &[u8] = include_bytes!("data/eval_model.txt");
const ANALOGIES: &[u8] = include_bytes!("data/analogy_tiny.txt");
const PAIRS: &[u8] = include_bytes!("data/pairs_tiny.tsv");

fn model() -> Word2Vec {
    recurrent::word2vec::read_word2vec_text(MODEL, ReadOptions::default()).unwrap()
}

fn opts(restrict: usize, ci: bool, dummy: bool) -> EvalOptions {
    EvalOptions {
        restrict_vocab: Some(restrict),
        case_insensitive: ci,
        dummy4unknown: dummy,
        ..EvalOptions::default()
    }
}

#[test]
fn reads_the_analogy_file() {
    let set = read_analogies(ANALOGIES).unwrap();
    let names: Vec<&str> = set.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["family", "fruit-and-places", "all-unknown"]);
    assert_eq!(set.len(), 10);
    // "only three words" and the blank line.
    assert_eq!(set.skipped_lines, [10, 11]);
    assert_eq!(set.sections[0].questions[1].a, "MAN");
}

#[test]
fn analogy_counts_match_gensim() {
    let m = model();
    let set = read_analogies(ANALOGIES).unwrap();
    // (restrict, case_insensitive, dummy4unknown) → per section (correct, incorrect), from gensim.
    type Case = ((usize, bool, bool), [(usize, usize); 4]);
    let cases: [Case; 8] = [
        ((300_000, true, false), [(4, 0), (1, 1), (0, 0), (5, 1)]),
        ((300_000, true, true), [(4, 1), (1, 3), (0, 1), (5, 5)]),
        ((300_000, false, false), [(3, 0), (1, 1), (0, 0), (4, 1)]),
        ((300_000, false, true), [(3, 2), (1, 3), (0, 1), (4, 6)]),
        ((6, true, false), [(4, 0), (1, 0), (0, 0), (5, 0)]),
        ((6, true, true), [(4, 1), (1, 3), (0, 1), (5, 5)]),
        ((6, false, false), [(3, 0), (1, 0), (0, 0), (4, 0)]),
        ((6, false, true), [(3, 2), (1, 3), (0, 1), (4, 6)]),
    ];
    for ((r, ci, dummy), want) in cases {
        let rep = evaluate_analogies(&m, &set, &opts(r, ci, dummy)).unwrap();
        let mut got: Vec<(usize, usize)> = rep
            .sections
            .iter()
            .map(|s| (s.correct, s.incorrect))
            .collect();
        got.push((rep.total.correct, rep.total.incorrect));
        assert_eq!(
            got, want,
            "restrict {r}, case-insensitive {ci}, dummy {dummy}"
        );
        assert_eq!(rep.questions, 10);
        assert_eq!(rep.total.name, "Total accuracy");
        let evaluated = want[3].0 + want[3].1;
        assert_eq!(rep.accuracy(), want[3].0 as f64 / evaluated as f64);
    }
    // OOV: prince, banana, rome, and the all-unknown question; with restrict 6 also the
    // questions using apple/pear/paris/france/italy.
    let rep = evaluate_analogies(&m, &set, &opts(300_000, true, false)).unwrap();
    assert_eq!(rep.total.oov, 4);
    assert!((rep.oov_percent() - 40.0).abs() < 1e-12);
    assert_eq!(
        rep.sections[2].accuracy(),
        0.0,
        "nothing evaluated counts as 0, as gensim"
    );
}

#[test]
fn cosmul_evaluation_and_queries() {
    let m = model();
    // gensim: [('King', 1.1611156463623047), ('queen', 0.9502001404762268), ('girl', 0.7076432704925537)]
    let got = m
        .most_similar_cosmul(&["woman", "king"], &["man"], 3)
        .unwrap();
    let want = [
        ("King", 1.161_115_6),
        ("queen", 0.950_200_1),
        ("girl", 0.707_643_3),
    ];
    for ((w, s), (ww, ws)) in got.iter().zip(want) {
        assert_eq!(w, ww);
        assert!((s - ws).abs() < 1e-5, "{w}: {s} vs {ws}");
    }
    assert_eq!(
        m.doesnt_match(&["man", "woman", "apple", "king"]).unwrap(),
        "apple"
    );
    // Case-insensitive evaluation skips "King" (it upper-cases to the question's KING).
    let set = read_analogies(&b": x\nman woman king queen\n"[..]).unwrap();
    let o = EvalOptions {
        method: AnalogyMethod::CosMul,
        ..EvalOptions::default()
    };
    assert_eq!(evaluate_analogies(&m, &set, &o).unwrap().total.correct, 1);
    let o = EvalOptions {
        case_insensitive: false,
        ..o
    };
    assert_eq!(evaluate_analogies(&m, &set, &o).unwrap().total.correct, 0);
}

#[test]
fn word_pairs_match_gensim() {
    let m = model();
    let pairs = read_word_pairs(PAIRS).unwrap();
    assert_eq!(pairs.pairs.len(), 8);
    // The header and the line without tabs (comments are not listed).
    assert_eq!(pairs.skipped_lines, [2, 9]);
    // (restrict, ci, dummy) → (pearson, spearman, oov %) from gensim.
    let cases = [
        (
            (300_000, true, false),
            (0.828_988_100_864_464_4, 0.234_243_740_300_845_38, 12.5),
        ),
        (
            (300_000, true, true),
            (0.863_035_736_916_800_4, 0.491_026_767_384_436_2, 12.5),
        ),
        (
            (300_000, false, false),
            (0.917_008_224_256_566_6, 0.347_862_621_391_469_06, 25.0),
        ),
        (
            (300_000, false, true),
            (0.901_586_562_968_210_4, 0.722_891_566_265_060_1, 25.0),
        ),
        (
            (6, true, false),
            (-0.409_805_536_367_435_55, 0.316_227_766_016_838, 50.0),
        ),
        (
            (6, true, true),
            (0.428_648_061_730_171, 0.331_755_737_098_868_63, 50.0),
        ),
        (
            (6, false, false),
            (0.989_541_105_066_147_9, 0.866_025_403_784_438_7, 62.5),
        ),
        (
            (6, false, true),
            (0.547_743_442_069_717_7, 0.535_100_767_449_740_3, 62.5),
        ),
    ];
    for ((r, ci, dummy), (p, s, oov)) in cases {
        let rep = evaluate_word_pairs(&m, &pairs, &opts(r, ci, dummy)).unwrap();
        // gensim's cosines are float32, ours f64: Pearson agrees to ~1e-7, the ranks exactly.
        assert!((rep.pearson.unwrap() - p).abs() < 1e-6, "{r} {ci} {dummy}");
        assert!(
            (rep.spearman.unwrap() - s).abs() < 1e-12,
            "{r} {ci} {dummy}"
        );
        assert!((rep.oov_percent(dummy) - oov).abs() < 1e-12);
    }
}

#[test]
fn undefined_and_empty_cases() {
    let m = model();
    let none = read_word_pairs(&b"a\tb\t1\n"[..]).unwrap();
    assert!(matches!(
        evaluate_word_pairs(&m, &none, &EvalOptions::default()),
        Err(Error::Empty { .. })
    ));
    // One usable pair: no correlation, reported as None rather than NaN.
    let one = read_word_pairs(&b"man\tking\t3\n"[..]).unwrap();
    let rep = evaluate_word_pairs(&m, &one, &EvalOptions::default()).unwrap();
    assert_eq!((rep.spearman, rep.pearson, rep.used), (None, None, 1));
    assert!(matches!(
        evaluate_analogies(
            &m,
            &read_analogies(&b": empty\n"[..]).unwrap(),
            &EvalOptions::default()
        ),
        Err(Error::Empty { .. })
    ));
    // A question before any section is malformed, as in gensim.
    assert!(matches!(
        read_analogies(&b"a b c d\n: s\n"[..]),
        Err(Error::Format { line: 1, .. })
    ));
    assert!(matches!(
        read_word_pairs(&b"ok\tfine\t1\ncaf\xe9\tx\t2\n"[..]),
        Err(Error::Format { line: 2, .. })
    ));
    // Non-finite scores are skipped (gensim would let a NaN into the correlation).
    let p = read_word_pairs(&b"a\tb\tnan\nc\td\tinf\ne\tf\t1e300\n"[..]).unwrap();
    assert_eq!((p.pairs.len(), p.skipped_lines.clone()), (1, vec![1, 2]));
}

#[test]
fn spearman_by_hand() {
    // x ranks (1, 2.5, 2.5, 4), y ranks (1, 3, 2, 4); deviations from 2.5:
    // dx = (−1.5, 0, 0, 1.5), dy = (−1.5, 0.5, −0.5, 1.5);
    // Σdx·dy = 4.5, Σdx² = 4.5, Σdy² = 5, so ρ = 4.5/√22.5 = 0.9486832980505138.
    let x = [1.0, 2.0, 2.0, 4.0];
    let y = [10.0, 30.0, 20.0, 40.0];
    assert_eq!(average_ranks(&x), [1.0, 2.5, 2.5, 4.0]);
    let rho = spearman(&x, &y).unwrap();
    assert!((rho - 0.948_683_298_050_513_8).abs() < 1e-15, "{rho}");
    // Three-way tie: ranks 2, 3, 4 share 3.
    assert_eq!(
        average_ranks(&[0.0, 5.0, 5.0, 5.0, 9.0]),
        [1.0, 3.0, 3.0, 3.0, 5.0]
    );
    // Monotone but non-linear: ρ = 1 while r < 1.
    let (a, b) = ([1.0, 2.0, 3.0, 4.0], [1.0, 4.0, 9.0, 100.0]);
    assert!((spearman(&a, &b).unwrap() - 1.0).abs() < 1e-15);
    assert!(pearson(&a, &b).unwrap() < 0.9);
    assert!((spearman(&a, &[4.0, 3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-15);
}

#[test]
fn correlation_errors() {
    assert!(matches!(spearman(&[1.0], &[1.0]), Err(Error::Empty { .. })));
    assert!(matches!(
        spearman(&[1.0, 2.0], &[1.0]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        pearson(&[1.0, f64::NAN], &[1.0, 2.0]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        spearman(&[1.0, 1.0], &[1.0, 2.0]),
        Err(Error::Numerical { .. })
    ));
    assert!(matches!(
        pearson(&[1.0, 2.0], &[3.0, 3.0]),
        Err(Error::Numerical { .. })
    ));
}
