//! The word-level language model (`recurrent::lm`): the whole model's gradient, perplexity,
//! sampling, the embedding variants, serde, the count baselines.

mod common;
#[path = "common/leaky.rs"]
mod leaky;

use common::rng;
use nalgebra::DMatrix;
use recurrent::grad::{Batch, CheckOptions, Loss, bptt, check};
use recurrent::lm::{Bigram, LanguageModel, elman};
use recurrent::prelude::*;
use recurrent::text::Vocab;
use recurrent::train::{Adam, Clip, Progress, TrainConfig};
use recurrent::{Mask, Word2Vec};

/// `</s>`, `<unk>` and `n` words `w0 … w(n−1)`, each counted once.
fn vocab(n: usize) -> Vocab {
    let mut v = vec!["</s>".to_string(), "<unk>".to_string()];
    v.extend((0..n).map(|i| format!("w{i}")));
    Vocab::from_counts(v.into_iter().map(|w| (w, 1))).unwrap()
}

/// A padded batch of two framed sentences over a vocabulary of `v`: inputs, targets, mask.
fn batch(v: usize) -> (Sequence<f64>, Sequence<f64>, Mask<f64>) {
    let a = [2usize, 3, 4 % v, 2];
    let b = [5 % v, 6 % v];
    let steps = a.len() + 1;
    let mut x = vec![0.0; 2 * steps];
    let mut d = vec![0.0; 2 * steps];
    let mut m = vec![0.0; 2 * steps];
    for (k, s) in [&a[..], &b[..]].iter().enumerate() {
        for t in 0..=s.len() {
            if t > 0 {
                x[t * 2 + k] = s[t - 1] as f64;
            }
            d[t * 2 + k] = if t < s.len() { s[t] as f64 } else { 0.0 };
            m[t * 2 + k] = 1.0;
        }
    }
    (
        Sequence::new(DMatrix::from_row_slice(1, 2 * steps, &x), 2).unwrap(),
        Sequence::new(DMatrix::from_row_slice(1, 2 * steps, &d), 2).unwrap(),
        Mask::new(m, steps, 2).unwrap(),
    )
}

fn small_lm(seed: u64) -> LanguageModel<recurrent::cell::ElmanCell<f64>> {
    let mut r = rng(seed);
    let cell = elman::<f64>(3, 4, &mut r).unwrap();
    LanguageModel::builder(vocab(5), cell)
        .sigma(0.5)
        .build(&mut r)
        .unwrap()
}

/// One `Bptt` workspace reused over batches of changing length and width (its buffers refit
/// in place, stale values left in them) gives the bits of a fresh workspace per batch, for
/// the gradient and for the loss alone; and the loss alone is `grad::evaluate`'s.
#[test]
fn a_reused_workspace_gives_the_bits_of_a_fresh_one() {
    use recurrent::grad::{Bptt, evaluate};
    let lm = small_lm(3);
    let v = lm.vocab_len();
    let loss = Loss::softmax_cross_entropy();
    let mut ws = Bptt::new(lm.net(), 1, 1);
    // (steps, batch): longer, shorter, wider, narrower, the first again
    for (round, &(steps, b)) in [(5usize, 2usize), (3, 2), (6, 3), (2, 1), (5, 2)]
        .iter()
        .enumerate()
    {
        let n = steps * b;
        let x: Vec<f64> = (0..n).map(|j| ((j * 3 + round) % v) as f64).collect();
        let d: Vec<f64> = (0..n).map(|j| ((j * 5 + 1) % v) as f64).collect();
        // the last column of every other round is padding
        let m: Vec<f64> = (0..n)
            .map(|j| {
                if round % 2 == 1 && j == n - 1 {
                    0.0
                } else {
                    1.0
                }
            })
            .collect();
        let x = Sequence::new(DMatrix::from_row_slice(1, n, &x), b).unwrap();
        let d = Sequence::new(DMatrix::from_row_slice(1, n, &d), b).unwrap();
        let m = Mask::new(m, steps, b).unwrap();
        let batch = Batch::new(&x, &d).with_mask(&m);
        let mut fresh = Bptt::new(lm.net(), steps, b);
        let want = fresh.compute(lm.net(), batch, loss).unwrap();
        assert_eq!(
            ws.compute(lm.net(), batch, loss).unwrap(),
            want,
            "round {round}"
        );
        assert_eq!(ws.grad(), fresh.grad(), "round {round}");
        assert_eq!(
            ws.loss(lm.net(), batch, loss).unwrap(),
            want,
            "round {round}"
        );
        assert_eq!(
            evaluate(lm.net(), batch, loss).unwrap(),
            want,
            "round {round}"
        );
    }
}

#[test]
fn whole_model_gradient_matches_finite_differences() {
    for seed in [1, 2] {
        let lm = small_lm(seed);
        let (x, d, m) = batch(lm.vocab_len());
        let loss = Loss::softmax_cross_entropy();
        let b = Batch::new(&x, &d).with_mask(&m);
        let r = check(lm.net(), b, loss, CheckOptions::default()).unwrap();
        assert!(r.max_rel_error < 1e-6, "{r:?}");
        assert_eq!(r.checked, lm.net().n_params() + lm.net().n_state() * 2);
        // embedding rows: the tokens read (</s>, then 2 3 4 and 5 6) get a gradient, the
        // one never read (<unk>) none
        let g = bptt(lm.net(), b, loss).unwrap();
        let table = &lm.net().param_blocks()[0];
        assert_eq!(table.name, "embedding.table");
        let read = [0usize, 2, 3, 4, 5, 6];
        for k in 0..lm.vocab_len() {
            let col = &g.params[table.offset + k * 3..table.offset + (k + 1) * 3];
            assert_eq!(
                col.iter().any(|v| *v != 0.0),
                read.contains(&k),
                "token {k}"
            );
        }
    }
}

#[test]
fn jordan_and_a_users_cell_make_language_models_too() {
    let mut r = rng(7);
    let jordan = Jordan::<f64>::builder(3, 4, 2).build(&mut r).unwrap();
    let lm = LanguageModel::builder(vocab(5), jordan)
        .sigma(0.5)
        .build(&mut r)
        .unwrap();
    let (x, d, m) = batch(lm.vocab_len());
    let b = Batch::new(&x, &d).with_mask(&m);
    let loss = Loss::softmax_cross_entropy();
    let rep = check(lm.net(), b, loss, CheckOptions::default()).unwrap();
    assert!(rep.max_rel_error < 1e-6, "{rep:?}");
    let leaky = leaky::Leaky::new(4, 3, 0.6, 3);
    let lm = LanguageModel::builder(vocab(5), leaky)
        .build(&mut r)
        .unwrap();
    let rep = check(lm.net(), b, loss, CheckOptions::default()).unwrap();
    assert!(rep.max_rel_error < 1e-6, "{rep:?}");
    assert!(lm.perplexity(&[vec![2, 3], vec![4]]).unwrap().is_finite());
}

/// Every parameter zero except the head's bias `b = ln p`: the model predicts `p` whatever
/// the context, so the perplexity is `exp(−mean ln p(w))` over the predicted tokens.
#[test]
fn perplexity_of_a_known_distribution() {
    let mut lm = small_lm(3);
    let v = lm.vocab_len();
    let p: Vec<f64> = (0..v).map(|k| (k + 1) as f64).collect();
    let s: f64 = p.iter().sum();
    let blocks = lm.net().param_blocks();
    let theta = lm.net_mut().params_mut();
    theta.fill(0.0);
    let bias = blocks.iter().find(|b| b.name == "head.b").unwrap();
    for k in 0..v {
        theta[bias.offset + k] = (p[k] / s).ln();
    }
    let data = vec![vec![2, 3, 3], vec![6], vec![]];
    // predicted: 2 3 3 </s>, 6 </s>, </s>
    let predicted = [2usize, 3, 3, 0, 6, 0, 0];
    let mean: f64 = predicted.iter().map(|k| -(p[*k] / s).ln()).sum::<f64>() / 7.0;
    let ppl = lm.perplexity(&data).unwrap();
    assert!(
        (ppl - mean.exp()).abs() < 1e-10 * ppl,
        "{ppl} vs {}",
        mean.exp()
    );
    let probs = lm.probabilities(&[4, 5]).unwrap();
    for k in 0..v {
        assert!((probs[k] - p[k] / s).abs() < 1e-12);
    }
    // the uniform model has perplexity V
    let theta = lm.net_mut().params_mut();
    theta.fill(0.0);
    assert!((lm.perplexity(&data).unwrap() - v as f64).abs() < 1e-9);
    assert!(lm.perplexity(&[]).is_err());
    assert!(lm.perplexity(&[vec![v]]).is_err());
}

#[test]
fn sampling_is_seeded_and_temperature_zero_is_argmax() {
    let lm = small_lm(4);
    let a = lm.generate(&[2], 20, 1.0, &mut rng(9)).unwrap();
    let b = lm.generate(&[2], 20, 1.0, &mut rng(9)).unwrap();
    assert_eq!(a, b);
    let many: std::collections::BTreeSet<Vec<usize>> = (0..20)
        .map(|s| lm.generate(&[2], 20, 1.0, &mut rng(s)).unwrap())
        .collect();
    assert!(many.len() > 1, "different seeds, different sentences");
    // greedy: each token is the argmax of the distribution given what came before
    let greedy = lm.generate(&[], 8, 0.0, &mut rng(0)).unwrap();
    let mut context: Vec<usize> = Vec::new();
    for &k in &greedy {
        let p = lm.probabilities(&context).unwrap();
        let best = (0..p.len()).fold(0, |b, i| if p[i] > p[b] { i } else { b });
        assert_eq!(k, best);
        context.push(k);
    }
    assert!(greedy.len() == 8 || greedy.last() == Some(&lm.eos()));
    // and a tiny temperature is the same as 0 whatever the seed
    for s in 0..5 {
        assert_eq!(lm.generate(&[], 8, 1e-6, &mut rng(s)).unwrap(), greedy);
    }
    assert!(lm.generate(&[], 8, -1.0, &mut rng(0)).is_err());
    assert!(lm.generate(&[], 8, f64::NAN, &mut rng(0)).is_err());
    assert!(lm.generate(&[99], 8, 1.0, &mut rng(0)).is_err());
    assert!(lm.generate(&[], 0, 1.0, &mut rng(0)).unwrap().is_empty());
}

#[test]
fn sampling_follows_the_distribution() {
    // only the bias: P = (0.1, 0.2, 0.7, 0, …) approximately
    let mut lm = small_lm(5);
    let blocks = lm.net().param_blocks();
    let theta = lm.net_mut().params_mut();
    theta.fill(0.0);
    let bias = blocks.iter().find(|b| b.name == "head.b").unwrap();
    for k in 0..7 {
        theta[bias.offset + k] = -50.0;
    }
    theta[bias.offset] = 0.1f64.ln();
    theta[bias.offset + 2] = 0.2f64.ln();
    theta[bias.offset + 3] = 0.7f64.ln();
    let mut counts = [0usize; 7];
    let mut r = rng(11);
    for _ in 0..4000 {
        let s = lm.generate(&[], 1, 1.0, &mut r).unwrap();
        counts[s[0]] += 1;
    }
    let f = |k: usize| counts[k] as f64 / 4000.0;
    assert!((f(0) - 0.1).abs() < 0.02 && (f(2) - 0.2).abs() < 0.03 && (f(3) - 0.7).abs() < 0.03);
    // temperature 2 flattens: p^(1/2) normalised
    let mut counts = [0usize; 7];
    for _ in 0..4000 {
        counts[lm.generate(&[], 1, 2.0, &mut r).unwrap()[0]] += 1;
    }
    let z: f64 = [0.1f64, 0.2, 0.7].iter().map(|p| p.sqrt()).sum();
    assert!((counts[3] as f64 / 4000.0 - 0.7f64.sqrt() / z).abs() < 0.03);
}

#[test]
fn embedding_initialisation_counts_missing_words() {
    let mut r = rng(6);
    // vectors for </s>, w0, w2 and a word outside the vocabulary; <unk> and w1 missing
    let w2v = Word2Vec::from_parts(
        vec!["w0".into(), "</s>".into(), "zzz".into(), "w2".into()],
        vec![4, 3, 2, 1],
        3,
        vec![
            1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 0.5, 0.25, 0.125,
        ],
    )
    .unwrap();
    let cell = elman::<f32>(3, 4, &mut r).unwrap();
    let lm = LanguageModel::builder(vocab(3), cell)
        .embedding(&w2v)
        .frozen(true)
        .build(&mut r)
        .unwrap();
    let cov = lm.coverage().unwrap();
    assert_eq!(cov.matched, 3);
    assert_eq!(cov.missing, ["<unk>", "w1"]);
    let table = lm.net().block("embedding.table").unwrap();
    assert_eq!(table.column(0).as_slice(), &[4.0, 5.0, 6.0]); // </s>
    assert_eq!(table.column(2).as_slice(), &[1.0, 2.0, 3.0]); // w0
    assert_eq!(table.column(4).as_slice(), &[0.5, 0.25, 0.125]); // w2
    assert!(table.column(1).iter().all(|v| v.is_finite() && *v != 0.0));
    assert!(lm.net().cell().lookup().unwrap().is_frozen());
    // a dimension that does not fit the cell is an error
    let cell = elman::<f32>(5, 4, &mut r).unwrap();
    assert!(
        LanguageModel::builder(vocab(3), cell)
            .embedding(&w2v)
            .build(&mut r)
            .is_err()
    );
}

#[test]
fn training_lowers_perplexity_and_frozen_tables_stay() {
    let text = [
        "the cat sat on the mat",
        "the dog sat on the log",
        "a cat ran",
        "a dog ran",
        "the cat ran on the mat",
    ];
    let vocab = Vocab::for_language_model(text, 1).unwrap();
    for frozen in [false, true] {
        let mut r = rng(12);
        let cell = elman::<f32>(6, 12, &mut r).unwrap();
        let mut lm = LanguageModel::builder(vocab.clone(), cell)
            .frozen(frozen)
            .build(&mut r)
            .unwrap();
        let data: Vec<Vec<usize>> = text.iter().map(|s| lm.encode(s)).collect();
        let table0 = lm.net().block("embedding.table").unwrap().into_owned();
        let before = lm.perplexity(&data).unwrap();
        let mut epochs = 0;
        let cfg = TrainConfig::new()
            .epochs(40)
            .batch_size(2)
            .clip(Clip::norm(5.0).unwrap())
            .patience(50);
        let report = lm
            .fit(
                cfg,
                Adam::new(0.02).unwrap(),
                &data,
                Some(&data),
                &mut r,
                |p| {
                    if let Progress::Epoch { .. } = p {
                        epochs += 1;
                    }
                },
            )
            .unwrap();
        assert_eq!((report.epochs, epochs), (40, 40));
        assert_eq!(report.steps, 40 * 3);
        let after = lm.perplexity(&data).unwrap();
        assert!(after < before / 2.0, "{before} → {after}");
        // the kept parameters are the best epoch's
        let best = report.best_epoch.unwrap();
        assert!((report.valid_losses[best] as f64 - after.ln()).abs() < 1e-4);
        let table = lm.net().block("embedding.table").unwrap().into_owned();
        assert_eq!(table == table0, frozen);
    }
}

#[test]
fn one_hot_input_is_the_identity_table() {
    let mut r = rng(13);
    let v = 7;
    let cell = elman::<f64>(v, 4, &mut r).unwrap();
    let lm = LanguageModel::builder(vocab(5), cell)
        .one_hot()
        .build(&mut r)
        .unwrap();
    let table = lm.net().block("embedding.table").unwrap();
    assert_eq!(table.into_owned(), DMatrix::<f64>::identity(v, v));
    assert!(lm.net().cell().lookup().unwrap().is_frozen());
    // the check on the same model with the table trainable (a frozen table's zero gradient
    // is not the finite difference)
    let mut r = rng(13);
    let cell = elman::<f64>(v, 4, &mut r).unwrap();
    let tuned = LanguageModel::builder(vocab(5), cell)
        .one_hot()
        .frozen(false)
        .build(&mut r)
        .unwrap();
    assert_eq!(tuned.net().params(), lm.net().params());
    let (x, d, m) = batch(v);
    let rep = check(
        tuned.net(),
        Batch::new(&x, &d).with_mask(&m),
        Loss::softmax_cross_entropy(),
        CheckOptions::default(),
    )
    .unwrap();
    assert!(rep.max_rel_error < 1e-6, "{rep:?}");
    // the cell must read V inputs
    let cell = elman::<f64>(3, 4, &mut r).unwrap();
    assert!(
        LanguageModel::builder(vocab(5), cell)
            .one_hot()
            .build(&mut r)
            .is_err()
    );
}

#[test]
fn fit_rejects_bad_input() {
    let mut lm = small_lm(14);
    let cfg = TrainConfig::new().epochs(1);
    let adam = Adam::new(0.01).unwrap();
    let mut r = rng(0);
    assert!(
        lm.fit(cfg.clone(), adam.clone(), &[], None, &mut r, |_| {})
            .is_err()
    );
    assert!(
        lm.fit(cfg.clone(), adam.clone(), &[vec![7]], None, &mut r, |_| {})
            .is_err()
    );
    assert!(
        lm.fit(
            cfg.clone().patience(1),
            adam.clone(),
            &[vec![2]],
            None,
            &mut r,
            |_| {}
        )
        .is_err()
    );
    assert!(
        lm.fit(cfg.batch_size(0), adam, &[vec![2]], None, &mut r, |_| {})
            .is_err()
    );
}

#[test]
fn malformed_vocabularies_are_rejected() {
    let mut r = rng(15);
    // without </s> or <unk> (a repeated, empty or spaced word is no Vocab at all)
    for bad in [["</s>", "a", "b"], ["<unk>", "a", "b"]] {
        let bad = Vocab::from_counts(bad.map(|w| (w, 1))).unwrap();
        let cell = elman::<f64>(3, 4, &mut r).unwrap();
        assert!(
            LanguageModel::builder(bad.clone(), cell)
                .build(&mut r)
                .is_err(),
            "{bad:?}"
        );
    }
    for bad in [
        ["</s>", "<unk>", "a", "a"],
        ["</s>", "<unk>", "a b", "c"],
        ["</s>", "<unk>", "", "c"],
    ] {
        assert!(Vocab::from_counts(bad.map(|w| (w, 1))).is_err(), "{bad:?}");
    }
    // a net of another vocabulary size
    let (_, net) = small_lm(16).into_parts();
    assert!(LanguageModel::new(vocab(4), net.clone()).is_err());
    assert!(LanguageModel::new(vocab(5), net).is_ok());
    // a net without a head
    let cell = elman::<f64>(3, 4, &mut r).unwrap();
    let net = recurrent::net::Stack::builder(cell)
        .lookup(recurrent::net::Lookup::new(7, 3).unwrap())
        .build(&mut r)
        .unwrap();
    assert!(LanguageModel::new(vocab(5), net).is_err());
}

#[test]
fn vocabulary_and_count_baselines() {
    let train = ["a b a", "a c", "b a"];
    let v = Vocab::for_language_model(train, 2).unwrap();
    assert_eq!(v.words(), ["</s>", "<unk>", "a", "b"]);
    assert_eq!(v.counts(), [3, 1, 4, 2]);
    // a min_count of 0 is 1, as for every Vocab constructor
    assert_eq!(
        Vocab::for_language_model(train, 0).unwrap(),
        Vocab::for_language_model(train, 1).unwrap()
    );
    let lm = {
        let mut r = rng(0);
        LanguageModel::builder(v, elman::<f64>(2, 2, &mut r).unwrap())
            .build(&mut r)
            .unwrap()
    };
    let enc: Vec<Vec<usize>> = train.iter().map(|s| lm.encode(s)).collect();
    assert_eq!(enc, [vec![2, 3, 2], vec![2, 1], vec![3, 2]]);
    assert_eq!(lm.decode(&enc[1]), "a <unk>");
    let m = Bigram::fit(&enc, 4, 0).unwrap();
    // predicted tokens: 10 (7 words + 3 </s>); unigram counts </s> 3, <unk> 1, a 4, b 2
    let test = vec![vec![2, 3]];
    let uni = m.unigram_perplexity(&test).unwrap();
    let expect = -((5.0f64 / 14.0).ln() + (3.0f64 / 14.0).ln() + (4.0f64 / 14.0).ln()) / 3.0;
    assert!((uni - expect.exp()).abs() < 1e-12);
    // add-one bigram: P(a|</s>) = (2+1)/(3+4), P(b|a) = (1+1)/(4+4), P(</s>|b) = (0+1)/(2+4)
    let bi = m.perplexity(&test, 1.0).unwrap();
    let expect = -((3.0f64 / 7.0).ln() + (2.0f64 / 8.0).ln() + (1.0f64 / 6.0).ln()) / 3.0;
    assert!((bi - expect.exp()).abs() < 1e-12);
    let k = m.tune_k(&enc).unwrap();
    assert!(k > 0.0 && m.perplexity(&enc, k).unwrap() <= m.perplexity(&enc, 1.0).unwrap());
    assert!(m.perplexity(&test, 0.0).is_err());
    assert!(m.perplexity(&[vec![4]], 1.0).is_err());
    assert!(Bigram::fit(&[], 4, 0).is_err());
}

/// The KJV task's vocabulary and baselines as `lm::vocabulary` (the language model's own
/// vocabulary before `text::Vocab` replaced it) gave them, to the last digit: the same
/// words in the same order (an FNV-1a hash of the list), so the same token ids and the same
/// perplexities.
#[test]
fn the_kjv_vocabulary_and_baselines_are_those_of_before() {
    let text = common::kjv_text();
    let [train, valid, test] = common::kjv_split(&text);
    let vocab = Vocab::for_language_model(&train, 5).unwrap();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in vocab.words() {
        for b in w.bytes().chain([b'\n']) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    assert_eq!((vocab.len(), h), (4749, 0x50a7_7e1c_42b6_485d));
    for (w, id) in [
        ("</s>", 0),
        ("<unk>", 1),
        ("the", 2),
        ("and", 3),
        ("of", 4),
        ("lord", 15),
        ("god", 28),
        ("jesus", 111),
        ("abraham", 374),
        ("zion", 504),
        ("zurishaddai", 4748),
    ] {
        assert_eq!(vocab.index(w), Some(id), "{w}");
    }
    let mut r = rng(0);
    let lm = LanguageModel::builder(vocab, elman::<f32>(1, 1, &mut r).unwrap())
        .build(&mut r)
        .unwrap();
    let enc = |s: &[&str]| -> Vec<Vec<usize>> { s.iter().map(|l| lm.encode(l)).collect() };
    let (tr, va, te) = (enc(&train), enc(&valid), enc(&test));
    let predicted = |s: &[Vec<usize>]| s.iter().map(|x| x.len() + 1).sum::<usize>();
    assert_eq!(
        (predicted(&tr), predicted(&va), predicted(&te)),
        (656_466, 81_724, 82_596)
    );
    // every train token counted once: the words, <unk> for the rare ones, </s> per verse
    assert_eq!(lm.vocab().total(), 656_466);
    let m = Bigram::fit(&tr, lm.vocab_len(), lm.eos()).unwrap();
    let k = m.tune_k(&va).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b;
    let uni = m.unigram_perplexity(&te).unwrap();
    assert!(close(uni, 313.478300738641), "{uni:?}");
    assert!(close(k, 0.00751830585833768), "{k:?}");
    let bi = m.perplexity(&te, k).unwrap();
    assert!(close(bi, 101.52580064277493), "{bi:?}");
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip_and_rejected_loads() {
    let lm = small_lm(17);
    let json = serde_json::to_string(&lm).unwrap();
    let back: LanguageModel<recurrent::cell::ElmanCell<f64>> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, lm);
    assert_eq!(
        back.perplexity(&[vec![2, 3]]).unwrap(),
        lm.perplexity(&[vec![2, 3]]).unwrap()
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let load = |v: &serde_json::Value| {
        serde_json::from_value::<LanguageModel<recurrent::cell::ElmanCell<f64>>>(v.clone())
    };
    // a word too few (with its count, or alone), a count too few, a repeated word, no </s>,
    // no <unk>, a word with a space, an empty word
    let mut v = value.clone();
    v["vocab"]["words"].as_array_mut().unwrap().pop();
    v["vocab"]["counts"].as_array_mut().unwrap().pop();
    assert!(load(&v).is_err());
    let mut v = value.clone();
    v["vocab"]["words"].as_array_mut().unwrap().pop();
    assert!(load(&v).is_err());
    let mut v = value.clone();
    v["vocab"]["counts"].as_array_mut().unwrap().pop();
    assert!(load(&v).is_err());
    let mut v = value.clone();
    v["vocab"]["counts"][2] = (-1).into();
    assert!(load(&v).is_err());
    for (i, w) in [(3, "w0"), (0, "end"), (1, "unknown"), (2, "w 0"), (2, "")] {
        let mut v = value.clone();
        v["vocab"]["words"][i] = w.into();
        assert!(load(&v).is_err(), "word {i} = {w:?}");
    }
    // no vocabulary
    let mut v = value.clone();
    v.as_object_mut().unwrap().remove("vocab");
    assert!(load(&v).is_err());
    // the format of earlier builds, bare words: loads, with every count 0
    let mut old = value.clone();
    let words = old["vocab"]["words"].clone();
    old.as_object_mut().unwrap().remove("vocab");
    old["words"] = words.clone();
    let loaded = load(&old).unwrap();
    assert_eq!(loaded.words(), lm.words());
    assert!(loaded.vocab().counts().iter().all(|c| *c == 0));
    assert_eq!(loaded.net(), lm.net());
    let mut v = old.clone();
    v["words"].as_array_mut().unwrap().pop();
    assert!(load(&v).is_err());
    let mut v = old.clone();
    v["words"][3] = "w0".into();
    assert!(load(&v).is_err());
    // both forms at once
    let mut v = value.clone();
    v["words"] = words;
    assert!(load(&v).is_err());
    // θ of the wrong length, or non-finite
    let mut v = value.clone();
    v["net"]["params"].as_array_mut().unwrap().pop();
    assert!(load(&v).is_err());
    let mut v = value.clone();
    v["net"]["params"][0] = serde_json::Value::Null;
    assert!(load(&v).is_err());
    // a head of another size
    let mut v = value;
    v["net"]["cell"]["head"]["n_out"] = 8.into();
    assert!(load(&v).is_err());
}

/// The per-token log-probabilities are those `perplexity` averages, and those of
/// `probabilities` one prefix at a time.
#[test]
fn token_log_probabilities_are_those_of_perplexity() {
    let lm = small_lm(5);
    let data = vec![
        vec![2, 3, 4],
        vec![4],
        vec![],
        vec![3, 3, 2, 4, 1, 2],
        vec![1, 2],
    ];
    let lp = lm.token_log_probabilities(&data).unwrap();
    assert_eq!(lp.len(), data.len());
    let mut sum = 0.0;
    for (s, l) in data.iter().zip(&lp) {
        assert_eq!(l.len(), s.len() + 1);
        for (t, &v) in l.iter().enumerate() {
            let target = if t < s.len() { s[t] } else { lm.eos() };
            let p = lm.probabilities(&s[..t]).unwrap()[target];
            assert!((v - p.ln()).abs() < 1e-10, "{v} vs ln {p}");
            sum += v;
        }
    }
    let n: usize = lp.iter().map(Vec::len).sum();
    let ppl = lm.perplexity(&data).unwrap();
    assert!(((-sum / n as f64).exp() - ppl).abs() < 1e-10 * ppl);
    let p = lm.token_probabilities(&data).unwrap();
    assert!((p[0][1] - lp[0][1].exp()).abs() < 1e-15);
    assert!(lm.token_log_probabilities(&[]).is_err());
    assert!(lm.token_log_probabilities(&[vec![99]]).is_err());
}
