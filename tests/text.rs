//! Bag of words: the lecture's toy table, and TF-IDF against scikit-learn.
//!
//! Expected values from scikit-learn 1.9.1:
//!
//! ```python
//! from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
//! docs = ["This movie is very good.", "This film is a good", "Very bad. Very, very bad."]
//! CountVectorizer(token_pattern=r"(?u)\b\w+\b").fit_transform(docs).toarray()
//! tv = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b"); tv.fit_transform(docs).toarray(); tv.idf_
//! tv2 = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", smooth_idf=False, sublinear_tf=True, norm='l1')
//! ```
//! (`\b\w+\b` keeps one-letter words, as the lecture's table does with "a".)

use nalgebra::DMatrix;
use recurrent::Error;
use recurrent::scalar::Real;
use recurrent::text::{CountVectorizer, Norm, TfidfOptions, TfidfVectorizer, Tokenizer, sparsity};

const DOCS: [&str; 3] = [
    "This movie is very good.",
    "This film is a good",
    "Very bad. Very, very bad.",
];
const VOCAB: [&str; 8] = ["a", "bad", "film", "good", "is", "movie", "this", "very"];

#[rustfmt::skip]
const COUNTS: [[f64; 8]; 3] = [
    [0., 0., 0., 1., 1., 1., 1., 1.],
    [1., 0., 1., 1., 1., 0., 1., 0.],
    [0., 2., 0., 0., 0., 0., 0., 3.],
];

#[rustfmt::skip]
const TFIDF: [[f64; 8]; 3] = [
    [0.0, 0.0, 0.0, 0.41779577097245885, 0.41779577097245885, 0.5493512310263033, 0.41779577097245885, 0.41779577097245885],
    [0.5174199439321682, 0.0, 0.5174199439321682, 0.39351120409397233, 0.39351120409397233, 0.0, 0.39351120409397233, 0.0],
    [0.0, 0.6591800595242352, 0.0, 0.0, 0.0, 0.0, 0.0, 0.7519851388994503],
];
const IDF: [f64; 8] = [
    1.6931471805599454,
    1.6931471805599454,
    1.6931471805599454,
    1.2876820724517808,
    1.2876820724517808,
    1.6931471805599454,
    1.2876820724517808,
    1.2876820724517808,
];

#[rustfmt::skip]
const TFIDF_L1_SUBLINEAR_RAW: [[f64; 8]; 3] = [
    [0.0, 0.0, 0.0, 0.1820439186666508, 0.1820439186666508, 0.27182432533339673, 0.1820439186666508, 0.1820439186666508],
    [0.24943036566863186, 0.0, 0.24943036566863186, 0.16704642288757876, 0.16704642288757876, 0.0, 0.16704642288757876, 0.0],
    [0.0, 0.5464211146234492, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45357888537655083],
];

fn dense<T: Real>(m: &nalgebra_sparse::CsrMatrix<T>) -> DMatrix<f64> {
    DMatrix::from(m).map(recurrent::scalar::to_f64)
}

fn close(got: &DMatrix<f64>, want: &[[f64; 8]; 3], tol: f64) {
    assert_eq!(got.shape(), (3, 8));
    for i in 0..3 {
        for j in 0..8 {
            assert!(
                (got[(i, j)] - want[i][j]).abs() <= tol,
                "({i}, {j}): {} vs {}",
                got[(i, j)],
                want[i][j]
            );
        }
    }
}

fn toy_counts<T: Real>() {
    let cv = CountVectorizer::fit(Tokenizer::default(), DOCS).unwrap();
    assert_eq!(cv.vocabulary(), VOCAB);
    let m = cv.transform::<T, _, _>(DOCS).unwrap();
    close(&dense(&m), &COUNTS, 0.0);
    // CSR order: by row, then column.
    let triplets: Vec<(usize, usize, f64)> = m
        .triplet_iter()
        .map(|(i, j, v)| (i, j, recurrent::scalar::to_f64(*v)))
        .collect();
    assert_eq!(triplets.len(), 12);
    assert_eq!(triplets[..3], [(0, 3, 1.0), (0, 4, 1.0), (0, 5, 1.0)]);
    assert_eq!(triplets[10..], [(2, 1, 2.0), (2, 7, 3.0)]);
    assert_eq!(sparsity(&m).unwrap(), 0.5);
}

fn toy_tfidf<T: Real>(tol: f64) {
    let tv = TfidfVectorizer::fit(Tokenizer::default(), DOCS, TfidfOptions::default()).unwrap();
    for (a, b) in tv.idf().iter().zip(IDF) {
        assert!((a - b).abs() < 1e-15);
    }
    close(&dense(&tv.transform::<T, _, _>(DOCS).unwrap()), &TFIDF, tol);
    let opts = TfidfOptions {
        smooth_idf: false,
        sublinear_tf: true,
        norm: Norm::L1,
    };
    let tv = TfidfVectorizer::fit(Tokenizer::default(), DOCS, opts).unwrap();
    close(
        &dense(&tv.transform::<T, _, _>(DOCS).unwrap()),
        &TFIDF_L1_SUBLINEAR_RAW,
        tol,
    );
    let opts = TfidfOptions {
        norm: Norm::None,
        ..TfidfOptions::default()
    };
    let tv = TfidfVectorizer::fit(Tokenizer::default(), DOCS, opts).unwrap();
    let raw = dense(&tv.transform::<T, _, _>(DOCS).unwrap());
    // "very" three times in document 2: 3 · idf.
    assert!((raw[(2, 7)] - 3.0 * IDF[7]).abs() < tol * 10.0);
}

#[test]
fn toy_counts_f32() {
    toy_counts::<f32>();
}

#[test]
fn toy_counts_f64() {
    toy_counts::<f64>();
}

// f32 stores the f64 result rounded: within half an ulp of 1, ~6e-8.
#[test]
fn toy_tfidf_matches_sklearn_f32() {
    toy_tfidf::<f32>(1e-7);
}

#[test]
fn toy_tfidf_matches_sklearn_f64() {
    toy_tfidf::<f64>(1e-15);
}

#[test]
fn unknown_words_and_empty_documents() {
    let cv = CountVectorizer::fit(Tokenizer::default(), DOCS).unwrap();
    let m = cv
        .transform::<f64, _, _>(["", "nothing known here", "good GOOD"])
        .unwrap();
    assert_eq!((m.nrows(), m.ncols(), m.nnz()), (3, 8, 1));
    assert_eq!(m.get_entry(2, 3).unwrap().into_value(), 2.0);
    // An empty row stays empty (no division by a zero norm).
    let tv = TfidfVectorizer::from_counts(cv, TfidfOptions::default());
    let w = tv.transform::<f32, _, _>(["", "bad"]).unwrap();
    assert_eq!(w.row(0).nnz(), 0);
    assert_eq!(w.get_entry(1, 1).unwrap().into_value(), 1.0);
}

#[test]
fn min_df_prunes_rare_words() {
    let cv = CountVectorizer::fit(Tokenizer::default(), DOCS)
        .unwrap()
        .retain_min_df(2)
        .unwrap();
    assert_eq!(cv.vocabulary(), ["good", "is", "this", "very"]);
    assert_eq!(cv.column("this"), Some(2));
    assert_eq!(cv.n_docs(), 3);
    assert!(matches!(
        CountVectorizer::fit(Tokenizer::default(), DOCS)
            .unwrap()
            .retain_min_df(4),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn empty_inputs_are_errors() {
    let none: [&str; 0] = [];
    assert!(matches!(
        CountVectorizer::fit(Tokenizer::default(), none),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        TfidfVectorizer::fit(Tokenizer::default(), ["", " ,. "], TfidfOptions::default()),
        Err(Error::Empty { .. })
    ));
    let cv = CountVectorizer::fit(Tokenizer::default(), DOCS).unwrap();
    let m = cv.transform::<f64, _, _>(none).unwrap();
    assert!(matches!(sparsity(&m), Err(Error::Empty { .. })));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any text: counts sum to the number of tokens, TF-IDF rows have unit norm (or are empty).
    #[test]
    fn rows_sum_to_token_counts_and_tfidf_rows_are_unit(
        docs in proptest::collection::vec("[a-dA-D ,.!é]{0,40}", 1..8)
    ) {
        let tok = Tokenizer::default();
        let Ok(cv) = CountVectorizer::fit(tok.clone(), &docs) else {
            // Only when no document has a token.
            proptest::prop_assert!(docs.iter().all(|d| tok.tokenize(d).is_empty()));
            return Ok(());
        };
        let m = cv.transform::<f64, _, _>(&docs).unwrap();
        for (i, d) in docs.iter().enumerate() {
            let sum: f64 = m.row(i).values().iter().sum();
            proptest::prop_assert_eq!(sum, tok.tokenize(d).len() as f64);
        }
        let tv = TfidfVectorizer::from_counts(cv, TfidfOptions::default());
        let w = tv.transform::<f64, _, _>(&docs).unwrap();
        for i in 0..docs.len() {
            let n2: f64 = w.row(i).values().iter().map(|x| x * x).sum();
            proptest::prop_assert!(w.row(i).nnz() == 0 || (n2 - 1.0).abs() < 1e-12);
        }
    }
}
