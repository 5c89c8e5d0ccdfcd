//! Bag of words: the lecture's toy table, and TF-IDF against scikit-learn; the one vocabulary
//! and the corpus reader behind it, Word2Vec and language models.
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
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::Error;
use recurrent::scalar::Real;
use recurrent::text::{
    CorpusReader, CountVectorizer, Norm, Sentence, TfidfOptions, TfidfVectorizer, Tokenizer, Vocab,
    sparsity,
};

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

#[test]
fn the_vectorizer_stands_on_the_shared_vocabulary() {
    let cv = CountVectorizer::fit(Tokenizer::default(), DOCS).unwrap();
    let v = cv.vocab();
    assert_eq!(v.words(), VOCAB);
    assert_eq!(v.counts(), cv.document_frequencies());
    assert_eq!(v.counts(), [1, 1, 1, 2, 2, 1, 2, 2]);
    for w in VOCAB {
        assert_eq!(v.index(w), cv.column(w));
    }
}

/// Random corpus text: words over an alphabet with multi-byte letters, separated by runs of
/// spaces and tabs, lines ended by `\n` or `\r\n`.
fn random_text(r: &mut Xoshiro256PlusPlus) -> String {
    let letters = ["a", "b", "c", "é", "ß", "ж", "水", "🦀"];
    let mut text = String::new();
    for _ in 0..r.random_range(0..6) {
        for _ in 0..r.random_range(0..12) {
            for _ in 0..r.random_range(1..7) {
                text.push_str(letters[r.random_range(0..letters.len())]);
            }
            for _ in 0..r.random_range(1..3) {
                text.push(if r.random_bool(0.8) { ' ' } else { '\t' });
            }
        }
        text.push_str(if r.random_bool(0.7) { "\n" } else { "\r\n" });
    }
    if r.random_bool(0.5) {
        text.push_str("last line without newline");
    }
    text
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Pieces of over-long lines never exceed the limit and, when every word fits, keep every
    /// word whole: the reader's words are those of `str::lines`, and so are the counts.
    #[test]
    fn the_corpus_reader_keeps_every_word(seed: u64) {
        let mut r = Xoshiro256PlusPlus::seed_from_u64(seed);
        let text = random_text(&mut r);
        // The longest word is 6 letters of up to 4 bytes, plus one separator.
        let max = r.random_range(25..80);
        let pieces: Vec<String> = CorpusReader::new(text.as_bytes())
            .max_line_bytes(max)
            .collect::<Result<_, _>>()
            .unwrap();
        proptest::prop_assert!(pieces.iter().all(|p| p.len() <= max));
        let words = |lines: &[&str]| {
            let mut out = Vec::new();
            for l in lines {
                l.for_each_word(|w| out.push(w.to_string()));
            }
            out
        };
        let lines: Vec<&str> = text.lines().collect();
        let piece_refs: Vec<&str> = pieces.iter().map(String::as_str).collect();
        proptest::prop_assert_eq!(words(&piece_refs), words(&lines));
        if pieces.len() == lines.len() {
            proptest::prop_assert_eq!(&piece_refs, &lines);
        }
        let corpus = CorpusReader::new(text.as_bytes()).max_line_bytes(max);
        match (Vocab::from_corpus(corpus, 1, None), Vocab::from_sentences(&lines, 1, None)) {
            (Ok(a), Ok(b)) => {
                proptest::prop_assert_eq!(a.words(), b.words());
                proptest::prop_assert_eq!(a.counts(), b.counts());
                proptest::prop_assert_eq!(a.sentences(), pieces.len() as u64);
            }
            (a, b) => proptest::prop_assert!(a.is_err() && b.is_err()),
        }
    }

    /// After `add_unk` and `add_eos`, encoding the corpus gives every index exactly its count
    /// times: every corpus word and every sentence end is accounted for once.
    #[test]
    fn encoding_the_corpus_reproduces_the_counts(seed: u64, min_count in 1u64..4) {
        let mut r = Xoshiro256PlusPlus::seed_from_u64(seed);
        let corpus: Vec<Vec<String>> = (0..r.random_range(1..20))
            .map(|_| {
                (0..r.random_range(0..10))
                    .map(|_| format!("w{}", r.random_range(0..12u32)))
                    .collect()
            })
            .collect();
        let Ok(mut v) = Vocab::from_sentences(&corpus, min_count, Some(8)) else {
            return Ok(());
        };
        let kept = v.len();
        let eos = v.add_eos().unwrap();
        let unk = v.add_unk().unwrap();
        proptest::prop_assert_eq!((eos, unk), (kept, kept + 1));
        let mut ids = Vec::new();
        for s in &corpus {
            v.encode(s, &mut ids);
        }
        let mut seen = vec![0u64; v.len()];
        for i in ids {
            seen[i] += 1;
        }
        proptest::prop_assert_eq!(seen.as_slice(), v.counts());
        proptest::prop_assert_eq!(v.total(), v.raw_total() + corpus.len() as u64);
    }
}

#[test]
fn vocab_files_round_trip_and_refuse_what_they_cannot_hold() {
    let mut v = Vocab::from_reader("b a a\nc a\n".as_bytes(), 1, None).unwrap();
    v.add_eos().unwrap();
    let mut file = Vec::new();
    v.write(&mut file).unwrap();
    assert_eq!(
        String::from_utf8(file.clone()).unwrap(),
        "a 3\nb 1\nc 1\n</s> 2\n"
    );
    let back = Vocab::read(file.as_slice()).unwrap();
    assert_eq!((back.words(), back.counts()), (v.words(), v.counts()));
    assert_eq!(back.eos(), Some(3));
    for bad in [vec![""], vec!["two words"], vec!["tab\there"]] {
        assert!(matches!(
            Vocab::from_sentences([bad], 1, None),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
