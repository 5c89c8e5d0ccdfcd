//! Deserialised Word2Vec models and vocabularies are validated, never trusted: the JSON form is
//! mutated (each numeric field changed, each array shortened and lengthened, entries dropped
//! and duplicated, fields dropped or given the wrong type), and every load must either fail
//! with an error or give a value whose every method works. Nothing may panic.
#![cfg(feature = "serde")]

use proptest::prelude::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use recurrent::Error;
use recurrent::text::Vocab;
use recurrent::word2vec::{
    AnalogyMethod, EvalOptions, Word2Vec, evaluate_analogies, evaluate_word_pairs, read_analogies,
    read_word_pairs, write_word2vec_binary, write_word2vec_text,
};
use serde_json::{Value, json};

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// A model of `n` words and dimension `dim` with varied vectors and counts.
fn model(n: usize, dim: usize, seed: u64) -> Word2Vec {
    let mut r = rng(seed);
    let words = (0..n).map(|i| format!("w{i}")).collect();
    let counts = (0..n).map(|i| (n - i) as u64 * 3).collect();
    let vectors = (0..n * dim).map(|_| r.random_range(-1.0f32..1.0)).collect();
    Word2Vec::from_parts(words, counts, dim, vectors).unwrap()
}

/// Numbers that probe the edges: zero, one, negatives, fractions, beyond `f32` and `u64`.
fn odd_numbers() -> Vec<Value> {
    vec![
        json!(0),
        json!(1),
        json!(2),
        json!(7),
        json!(-1),
        json!(0.5),
        json!(1e-45),
        json!(3.4e38),
        json!(1e39),
        json!(1e300),
        json!(-1e300),
        json!(u32::MAX),
        json!(u64::MAX),
        json!(1_000_000_000_000u64),
        json!("1"),
        json!(null),
        json!([1]),
    ]
}

/// Odd replacements for a string entry.
fn odd_strings(existing: &[String]) -> Vec<Value> {
    let mut v = vec![
        json!(""),
        json!("two words"),
        json!("tab\there"),
        json!("new\nline"),
        json!("</s>"),
        json!("<unk>"),
        json!(1),
        json!(null),
    ];
    v.extend(existing.iter().take(2).map(|w| json!(w)));
    v
}

/// One mutation of a JSON object whose fields are numbers, strings or arrays of them.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the field's value (a number, or an array as a whole).
    SetField(String, Value),
    /// Replace entry `i` of an array field.
    SetEntry(String, usize, Value),
    /// Remove entry `i` of an array field.
    DropEntry(String, usize),
    /// Insert a copy of entry `i` right after it.
    DuplicateEntry(String, usize),
    /// Append a value to an array field.
    Push(String, Value),
    /// Remove every entry but the first `k` of an array field.
    Truncate(String, usize),
    /// Remove the field.
    DropField(String),
}

fn apply(v: &mut Value, m: &Mutation) {
    let obj = v.as_object_mut().expect("an object");
    match m {
        Mutation::SetField(k, x) => {
            obj.insert(k.clone(), x.clone());
        }
        Mutation::DropField(k) => {
            obj.remove(k);
        }
        Mutation::SetEntry(k, i, x) => {
            if let Some(a) = obj.get_mut(k).and_then(Value::as_array_mut)
                && *i < a.len()
            {
                a[*i] = x.clone();
            }
        }
        Mutation::DropEntry(k, i) => {
            if let Some(a) = obj.get_mut(k).and_then(Value::as_array_mut)
                && *i < a.len()
            {
                a.remove(*i);
            }
        }
        Mutation::DuplicateEntry(k, i) => {
            if let Some(a) = obj.get_mut(k).and_then(Value::as_array_mut)
                && *i < a.len()
            {
                let x = a[*i].clone();
                a.insert(*i + 1, x);
            }
        }
        Mutation::Push(k, x) => {
            if let Some(a) = obj.get_mut(k).and_then(Value::as_array_mut) {
                a.push(x.clone());
            }
        }
        Mutation::Truncate(k, n) => {
            if let Some(a) = obj.get_mut(k).and_then(Value::as_array_mut) {
                a.truncate(*n);
            }
        }
    }
}

/// Every single mutation of `v`: each field and entry changed to each odd value, each array
/// shortened (each entry dropped, cut to 0 and 1 entries) and lengthened (each entry
/// duplicated, a value appended), each field dropped.
fn all_mutations(v: &Value) -> Vec<Mutation> {
    let obj = v.as_object().expect("an object");
    let mut out = Vec::new();
    for (k, x) in obj {
        let k = k.clone();
        out.push(Mutation::DropField(k.clone()));
        out.push(Mutation::SetField(k.clone(), json!([])));
        match x {
            Value::Array(a) => {
                let strings: Vec<String> = a
                    .iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect();
                let odd = if strings.is_empty() {
                    odd_numbers()
                } else {
                    odd_strings(&strings)
                };
                for i in 0..a.len() {
                    for o in &odd {
                        out.push(Mutation::SetEntry(k.clone(), i, o.clone()));
                    }
                    out.push(Mutation::DropEntry(k.clone(), i));
                    out.push(Mutation::DuplicateEntry(k.clone(), i));
                }
                for o in odd.iter().take(4) {
                    out.push(Mutation::Push(k.clone(), o.clone()));
                }
                out.push(Mutation::Truncate(k.clone(), 0));
                out.push(Mutation::Truncate(k.clone(), 1));
            }
            _ => {
                for o in odd_numbers() {
                    out.push(Mutation::SetField(k.clone(), o));
                }
            }
        }
    }
    out
}

/// Exercises every query of a loaded model; panics (failing the test) if one misbehaves.
fn check_model(m: &Word2Vec) {
    let (n, d) = (m.vocab_len(), m.dim());
    assert!(d >= 1);
    assert_eq!(m.words().len(), n);
    assert_eq!(m.counts().len(), n);
    assert_eq!(m.vocab().len(), n);
    assert_eq!(Some(m.vectors().len()), n.checked_mul(d));
    assert!(m.vectors().iter().all(|x| x.is_finite()));
    for (i, w) in m.words().iter().enumerate() {
        assert_eq!(m.index(w), Some(i), "index of {w:?}");
        assert_eq!(m.word(i), Some(w.as_str()));
        assert_eq!(m.vector(w).unwrap().len(), d);
        let s = m.similarity(w, &m.words()[0]).unwrap();
        assert!(s.is_finite() && s.abs() <= 1.0 + 1e-5, "similarity {s}");
        let near = m.most_similar(&[w], &[], 3).unwrap();
        assert!(near.len() <= 3.min(n - 1));
        let near = m.most_similar_cosmul(&[w], &[], 3).unwrap();
        assert!(near.len() <= 3.min(n - 1));
    }
    assert!(matches!(
        m.similarity("\u{1}not a word", "x"),
        Err(Error::UnknownWord(_))
    ));
    assert!(m.most_similar(&["\u{1}not a word"], &[], 1).is_err());
    if n >= 3 {
        let w = m.words();
        m.analogy(&w[0], &w[1], &w[2], 2).unwrap();
        m.most_similar_cosmul(&[&w[1], &w[2]], &[&w[0]], 2).unwrap();
        m.doesnt_match(&[&w[0], &w[1], &w[2]]).unwrap();
        let plain = |s: &String| !s.is_empty() && !s.chars().any(char::is_whitespace);
        if w[..4.min(n)].iter().all(plain) && n >= 4 {
            let q = format!(": s\n{} {} {} {}\n", w[0], w[1], w[2], w[3]);
            let set = read_analogies(q.as_bytes()).unwrap();
            for method in [AnalogyMethod::CosAdd, AnalogyMethod::CosMul] {
                let opts = EvalOptions {
                    method,
                    ..EvalOptions::default()
                };
                evaluate_analogies(m, &set, &opts).unwrap();
            }
        }
        if w[..3].iter().all(|s| !s.contains(['\t', '\n', '\r'])) {
            let p = format!(
                "{}\t{}\t1\n{}\t{}\t2\n{}\t{}\t3\n",
                w[0], w[1], w[0], w[2], w[1], w[2]
            );
            if let Ok(pairs) = read_word_pairs(p.as_bytes()) {
                // Ok, or Empty if no pair is usable; never a panic.
                let _ = evaluate_word_pairs(m, &pairs, &EvalOptions::default());
            }
        }
    }
    // Writers either succeed or refuse a word they cannot store.
    for r in [
        write_word2vec_text(m, Vec::new()),
        write_word2vec_binary(m, Vec::new()),
    ] {
        assert!(
            matches!(r, Ok(()) | Err(Error::InvalidParameter { .. })),
            "{r:?}"
        );
    }
    // And the model survives a second round trip unchanged.
    let again: Word2Vec = serde_json::from_value(serde_json::to_value(m).unwrap()).unwrap();
    assert_eq!(&again, m);
}

/// Exercises every method of a loaded vocabulary.
fn check_vocab(v: &Vocab) {
    let n = v.len();
    assert_eq!(
        (v.words().len(), v.counts().len(), v.iter().len()),
        (n, n, n)
    );
    for (i, (w, c)) in v.iter().enumerate() {
        assert_eq!(v.index(w), Some(i));
        assert_eq!((v.word(i), v.count(i)), (Some(w), Some(c)));
        assert_eq!(v.index_or_unk(w), Some(i));
    }
    assert!(v.total() >= v.counts().iter().copied().max().unwrap_or(0));
    assert!(matches!(
        v.write(Vec::new()),
        Ok(()) | Err(Error::InvalidParameter { .. })
    ));
    let mut ids = Vec::new();
    v.encode(v.words().join(" ").as_str(), &mut ids);
    assert!(ids.iter().all(|&i| i < n));
    let mut w = v.clone();
    let (unk, eos) = (w.add_unk().unwrap(), w.add_eos().unwrap());
    assert!(unk < w.len() && eos < w.len());
    assert_eq!(w.index_or_unk("\u{1}unknown"), Some(unk));
    let again: Vocab = serde_json::from_value(serde_json::to_value(v).unwrap()).unwrap();
    assert_eq!(&again, v);
}

/// Loads every mutation of `base`'s JSON as `T` (twice, see below), checks the ones that
/// load, and returns the numbers of (loads, errors).
fn sweep<T, F>(base: &Value, mutations: &[Vec<Mutation>], check: F) -> (usize, usize)
where
    T: serde::de::DeserializeOwned,
    F: Fn(&T),
{
    let (mut ok, mut err) = (0, 0);
    for ms in mutations {
        let mut v = base.clone();
        for m in ms {
            apply(&mut v, m);
        }
        // From text, as a file arrives, and from a `Value`: the two paths differ (text refuses
        // 1e39 as an `f32`, a `Value` turns it into ∞).
        let text = serde_json::to_string(&v).unwrap();
        for loaded in [
            serde_json::from_str::<T>(&text),
            serde_json::from_value::<T>(v),
        ] {
            match loaded {
                Ok(x) => {
                    check(&x);
                    ok += 1;
                }
                Err(_) => err += 1,
            }
        }
    }
    (ok, err)
}

#[test]
fn every_single_mutation_of_a_model_loads_as_a_working_model_or_fails() {
    let base = serde_json::to_value(model(5, 3, 1)).unwrap();
    let all: Vec<Vec<Mutation>> = all_mutations(&base).into_iter().map(|m| vec![m]).collect();
    let (ok, err) = sweep(&base, &all, check_model);
    eprintln!(
        "Word2Vec: {} single mutations × 2 paths, {ok} load, {err} refused",
        all.len()
    );
    // Some mutations keep a valid model (a vector entry set to 0.5, a count to 7), most break
    // an invariant.
    assert!(ok > 0 && err > 0);
}

#[test]
fn every_single_mutation_of_a_vocabulary_loads_as_a_working_vocabulary_or_fails() {
    let mut vocab = Vocab::from_sentences(["a b c a b a", "d a"], 1, None).unwrap();
    vocab.add_eos().unwrap();
    let base = serde_json::to_value(&vocab).unwrap();
    let all: Vec<Vec<Mutation>> = all_mutations(&base).into_iter().map(|m| vec![m]).collect();
    let (ok, err) = sweep(&base, &all, check_vocab);
    eprintln!(
        "Vocab: {} single mutations × 2 paths, {ok} load, {err} refused",
        all.len()
    );
    assert!(ok > 0 && err > 0);
}

/// Up to four mutations drawn from `base`'s list (recomputed after each, so later ones see
/// the changed shape).
fn random_mutations(base: &Value, r: &mut impl Rng, k: usize) -> Vec<Mutation> {
    let mut v = base.clone();
    let mut ms = Vec::new();
    for _ in 0..k {
        let all = all_mutations(&v);
        let m = all[r.random_range(0..all.len())].clone();
        apply(&mut v, &m);
        ms.push(m);
    }
    ms
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn stacked_mutations_of_a_model_never_panic(
        seed: u64,
        n in 1usize..7,
        dim in 1usize..5,
        k in 1usize..5,
    ) {
        let base = serde_json::to_value(model(n, dim, seed)).unwrap();
        let ms = random_mutations(&base, &mut rng(seed), k);
        sweep(&base, &[ms], check_model);
    }

    #[test]
    fn stacked_mutations_of_a_vocabulary_never_panic(seed: u64, k in 1usize..5) {
        let mut r = rng(seed);
        let words: Vec<String> = (0..r.random_range(1..8usize))
            .map(|_| format!("w{}", r.random_range(0..5u32)))
            .collect();
        let vocab = Vocab::from_sentences([words], 1, None).unwrap();
        let base = serde_json::to_value(&vocab).unwrap();
        let ms = random_mutations(&base, &mut r, k);
        sweep(&base, &[ms], check_vocab);
    }
}

#[test]
fn a_loaded_model_answers_at_once_and_keeps_its_form() {
    let m = model(4, 2, 3);
    let json = serde_json::to_string(&m).unwrap();
    // The stored form is the same as before the vocabulary became shared.
    let at = |k: &str| json.find(&format!("\"{k}\":")).unwrap();
    assert!(at("words") < at("counts") && at("counts") < at("dim") && at("dim") < at("vectors"));
    assert_eq!(json.matches("\":").count(), 4, "{json}");
    let back: Word2Vec = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.index("w2"), Some(2));
    assert_eq!(
        back.similarity("w1", "w3").unwrap(),
        m.similarity("w1", "w3").unwrap()
    );
    assert_eq!(
        back.most_similar(&["w0"], &[], 2).unwrap(),
        m.most_similar(&["w0"], &[], 2).unwrap()
    );
}

#[test]
fn load_errors_are_the_constructors_errors() {
    let bad = |patch: Value| {
        let mut v = serde_json::to_value(model(3, 2, 4)).unwrap();
        for (k, x) in patch.as_object().unwrap() {
            v[k] = x.clone();
        }
        serde_json::from_value::<Word2Vec>(v)
            .unwrap_err()
            .to_string()
    };
    assert!(bad(json!({"dim": 0})).contains("dim"), "dim 0");
    assert!(bad(json!({"dim": 3})).contains("vectors"), "rows");
    assert!(bad(json!({"counts": [1, 2]})).contains("counts"), "counts");
    assert!(
        bad(json!({"words": ["a", "a", "b"]})).contains("twice"),
        "duplicate"
    );
    assert!(
        bad(json!({"vectors": [0, 0, 0, 1e39, 0, 0]})).contains("non-finite"),
        "inf"
    );
    // An empty model (as read with limit 0) is valid, whatever its dimension claims, and no
    // query allocates that dimension.
    let empty = json!({"words": [], "counts": [], "dim": 1_000_000_000_000u64, "vectors": []});
    let m: Word2Vec = serde_json::from_value(empty).unwrap();
    assert!(matches!(
        m.most_similar(&["a"], &[], 1),
        Err(Error::UnknownWord(_))
    ));
    assert!(m.doesnt_match(&["a"]).is_err());
}
