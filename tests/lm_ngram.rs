//! The interpolated Kneser–Ney n-grams (`lm::KneserNey`): normalisation, hand-computed values,
//! errors, and the anchors' figures on the KJV task.

mod common;

use rand::SeedableRng;
use recurrent::lm::{KneserNey, LanguageModel, elman};
use recurrent::text::Vocab;

/// A small corpus over tokens 1..200 (0 = `</s>`): a fixed pseudo-random Markov chain that
/// mostly follows one successor per word (so that n-grams repeat, with counts of 1 to 4 and
/// more at every order), the other words drawn skewed towards small indices.
fn corpus() -> Vec<Vec<usize>> {
    let mut x: u64 = 12345;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) as f64 / (1u64 << 31) as f64
    };
    (0..300)
        .map(|_| {
            let n = 1 + (next() * 8.0) as usize;
            let mut w = 1 + (next().powi(3) * 199.0) as usize;
            let mut s = vec![w];
            for _ in 1..n {
                w = if next() < 0.7 {
                    1 + (w * 7 + 3) % 199
                } else {
                    1 + (next().powi(3) * 199.0) as usize
                };
                s.push(w);
            }
            s
        })
        .collect()
}

const V: usize = 200;

#[test]
fn probabilities_sum_to_one_for_every_order_and_history() {
    let train = corpus();
    let histories: Vec<Vec<usize>> = vec![
        vec![],
        vec![1],
        vec![3, 2],
        vec![1, 2, 3],
        vec![5, 5, 5, 5, 5, 5],
        vec![0, 4, 1, 0],
        vec![199, 198, 150],
        train[7].clone(),
    ];
    for order in 1..=6 {
        // the modified discounts up to order 4 (at 5, this corpus's D3+ would be negative)
        let mut models = vec![
            KneserNey::fit_with_discounts(&train, V, 0, &vec![[0.3, 1.2, 2.9]; order]).unwrap(),
        ];
        if order <= 4 {
            models.push(KneserNey::fit(&train, V, 0, order).unwrap());
        }
        for m in &models {
            assert_eq!(m.order(), order);
            for h in &histories {
                let total: f64 = (0..V).map(|w| m.probability(h, w).unwrap()).sum();
                assert!((total - 1.0).abs() < 1e-12, "order {order}, {h:?}: {total}");
                for w in 0..V {
                    assert!(m.probability(h, w).unwrap() > 0.0);
                }
            }
        }
    }
}

#[test]
fn a_bigram_by_hand() {
    // vocabulary 0 = </s>, 1, 2; sentences "<s> 1 2 </s>", "<s> 1 </s>"; D1, D2, D3+ =
    // 0.5, 1, 1.5 at both orders. Unigram level (continuation counts): a(1) = 1 (after <s>),
    // a(2) = 1, a(</s>) = 2; a(•) = 4, N1 = 2, N2 = 1, γ = (0.5·2 + 1·1)/4 = 1/2:
    // P1(1) = 0.5/4 + (1/2)(1/3) = 7/24, P1(</s>) = 1/4 + 1/6 = 5/12.
    // Bigram level (raw): P(1 | <s>) = (2 − 1)/2 + (1·1/2)·7/24 = 31/48,
    // P(2 | 1) = (1 − 0.5)/2 + (0.5·2/2)·7/24 = 19/48, P(</s> | 2) = 0.5/1 + 0.5·5/12 = 17/24.
    let train = vec![vec![1, 2], vec![1]];
    let m = KneserNey::fit_with_discounts(&train, 3, 0, &[[0.5, 1.0, 1.5]; 2]).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-15;
    assert!(close(m.probability(&[], 1).unwrap(), 31.0 / 48.0));
    assert!(close(m.probability(&[1], 2).unwrap(), 19.0 / 48.0));
    assert!(close(m.probability(&[1, 2], 0).unwrap(), 17.0 / 24.0));
    // a history only the unigram level knows: "2" was never followed by "1"
    assert!(close(m.probability(&[2], 1).unwrap(), 0.5 * 7.0 / 24.0));
    let p = m.token_probabilities(&[vec![1, 2]]).unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].len(), 3);
    for (a, b) in p[0].iter().zip([31.0 / 48.0, 19.0 / 48.0, 17.0 / 24.0]) {
        assert!(close(*a, b), "{a} vs {b}");
    }
    let ppl = m.perplexity(&[vec![1, 2]]).unwrap();
    let expect = (31.0f64 / 48.0 * 19.0 / 48.0 * 17.0 / 24.0).powf(-1.0 / 3.0);
    assert!((ppl - expect).abs() < 1e-12, "{ppl} vs {expect}");
    // the unigram model alone: P1 of the continuation counts… no, order 1 uses raw counts:
    // c(1) = 2, c(2) = 1, c(</s>) = 2, N = 5, N1 = 1, N2 = 2, γ = (0.5 + 2)/5 = 1/2
    let u = KneserNey::fit_with_discounts(&train, 3, 0, &[[0.5, 1.0, 1.5]]).unwrap();
    assert!(close(
        u.probability(&[2], 1).unwrap(),
        1.0 / 5.0 + 1.0 / 6.0
    ));
    assert!(close(u.probability(&[], 2).unwrap(), 0.5 / 5.0 + 1.0 / 6.0));
}

#[test]
fn modified_discounts_follow_the_count_of_counts() {
    // order 1 uses the raw counts: 1, 2, 3 once, 4 and 5 twice, 6 three times, 7 four times,
    // </s> five times: n1..n4 = 3, 2, 1, 1, Y = 3/7,
    // D1 = 1 − 2Y·2/3 = 3/7, D2 = 2 − 3Y·1/2 = 19/14, D3+ = 3 − 4Y·1/1 = 9/7
    let train = vec![
        vec![1, 4, 5, 6, 7],
        vec![2, 4, 5, 6, 7],
        vec![3, 6, 7],
        vec![7],
        vec![],
    ];
    let m = KneserNey::fit(&train, 9, 0, 1).unwrap();
    let d = m.discounts();
    assert_eq!(d.len(), 1);
    for (a, b) in d[0].iter().zip([3.0 / 7.0, 19.0 / 14.0, 9.0 / 7.0]) {
        assert!((a - b).abs() < 1e-15, "{a} vs {b}");
    }
    // and P(w) = max(c − D, 0)/N + γ/V with N = 19, γ = (3·D1 + 2·D2 + 3·D3+)/19
    let gamma = (3.0 * 3.0 / 7.0 + 2.0 * 19.0 / 14.0 + 3.0 * 9.0 / 7.0) / 19.0;
    let p7 = (4.0 - 9.0 / 7.0) / 19.0 + gamma / 9.0;
    assert!((m.probability(&[3], 7).unwrap() - p7).abs() < 1e-15);
    assert!((m.probability(&[], 8).unwrap() - gamma / 9.0).abs() < 1e-15);
}

#[test]
fn errors_not_panics() {
    let train = corpus();
    assert!(KneserNey::fit(&train, V, 0, 0).is_err()); // order 0
    assert!(KneserNey::fit(&[], V, 0, 3).is_err()); // no sentences
    assert!(KneserNey::fit(&[vec![1, V]], V, 0, 2).is_err()); // token out of range
    assert!(KneserNey::fit(&train, V, V, 2).is_err()); // eos out of range
    assert!(KneserNey::fit(&train, V, 0, 100).is_err()); // keys would not fit
    assert!(KneserNey::fit(&[vec![1]], 3, 0, 1).is_err()); // n2 = 0: no modified discounts
    assert!(KneserNey::fit_with_discounts(&train, V, 0, &[]).is_err());
    assert!(KneserNey::fit_with_discounts(&train, V, 0, &[[1.1, 1.0, 1.0]]).is_err());
    assert!(KneserNey::fit_with_discounts(&train, V, 0, &[[0.5, 1.0, f64::NAN]]).is_err());
    assert!(KneserNey::fit_with_discounts(&train, V, 0, &[[0.5, -0.1, 1.0]]).is_err());
    let mut m = KneserNey::fit(&train, V, 0, 3).unwrap();
    assert!(m.set_discounts(&[[0.5; 3]; 2]).is_err());
    assert!(m.set_discounts(&[[0.5, 1.0, 3.5]; 3]).is_err());
    assert!(m.perplexity(&[vec![2, V]]).is_err());
    assert!(m.perplexity(&[]).is_err());
    assert!(m.token_probabilities(&[vec![V + 3]]).is_err());
    assert!(m.probability(&[1], V).is_err());
    assert!(m.probability(&[V], 1).is_err());
    // a failed set leaves the discounts as they were
    let before = m.discounts();
    assert!(
        m.set_discounts(&[[0.5; 3], [0.5; 3], [2.0, 1.0, 1.0]])
            .is_err()
    );
    assert_eq!(m.discounts(), before);
}

#[test]
fn per_token_probabilities_agree_with_probability_and_perplexity() {
    let train = corpus();
    let test: Vec<Vec<usize>> = corpus().into_iter().rev().take(9).collect();
    for order in [1, 2, 3, 4] {
        let m = KneserNey::fit(&train, V, 0, order).unwrap();
        let p = m.token_probabilities(&test).unwrap();
        let (mut ln, mut n) = (0.0, 0usize);
        for (s, ps) in test.iter().zip(&p) {
            assert_eq!(ps.len(), s.len() + 1);
            for (t, &q) in ps.iter().enumerate() {
                let w = if t < s.len() { s[t] } else { 0 };
                assert_eq!(q, m.probability(&s[..t], w).unwrap());
                ln += q.ln();
                n += 1;
            }
        }
        let ppl = m.perplexity(&test).unwrap();
        assert!(((-ln / n as f64).exp() - ppl).abs() < 1e-12 * ppl);
    }
}

/// The anchors' figures (`peers/lm/REPORT.md`, test perplexity): modified Kneser–Ney
/// 3/4/5-gram 56.47 / 49.38 / 47.70; interpolated Kneser–Ney, one D per order tuned on valid,
/// 2/5-gram 82.84 / 47.81.
#[test]
fn the_kjv_kneser_ney_figures_are_the_anchors() {
    let text = common::kjv_text();
    let [train, valid, test] = common::kjv_split(&text);
    let vocab = Vocab::for_language_model(&train, 5).unwrap();
    let mut r = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    let lm = LanguageModel::builder(vocab, elman::<f32>(1, 1, &mut r).unwrap())
        .build(&mut r)
        .unwrap();
    let enc = |s: &[&str]| -> Vec<Vec<usize>> { s.iter().map(|l| lm.encode(l)).collect() };
    let (tr, va, te) = (enc(&train), enc(&valid), enc(&test));
    let printed = |x: f64| format!("{x:.2}");
    for (order, expect) in [(3, "56.47"), (4, "49.38"), (5, "47.70")] {
        let m = KneserNey::fit(&tr, lm.vocab_len(), lm.eos(), order).unwrap();
        let ppl = m.perplexity(&te).unwrap();
        println!("MKN {order}-gram: test {ppl}, D = {:?}", m.discounts());
        assert_eq!(printed(ppl), expect, "MKN {order}-gram: {ppl}");
    }
    for (order, expect) in [(2, "82.84"), (5, "47.81")] {
        let mut m = KneserNey::fit(&tr, lm.vocab_len(), lm.eos(), order).unwrap();
        let d = m.tune_discounts(&va).unwrap();
        let ppl = m.perplexity(&te).unwrap();
        println!("IKN {order}-gram: test {ppl}, D = {d:?}");
        assert_eq!(printed(ppl), expect, "IKN {order}-gram, D = {d:?}: {ppl}");
    }
}

/// The mixture of two models: its perplexity by hand, λ tuned to the analytic optimum, the
/// ends giving each model alone, and bad input as errors.
#[test]
fn mixtures_of_two_models() {
    use recurrent::lm::{mixture_perplexity, tune_mixture};
    // one sentence of three tokens
    let p = vec![vec![0.5, 0.2, 0.1]];
    let q = vec![vec![0.1, 0.4, 0.5]];
    let alone = |x: &[f64]| (-(x.iter().map(|v| v.ln()).sum::<f64>()) / 3.0).exp();
    assert!((mixture_perplexity(&p, &q, 1.0).unwrap() - alone(&p[0])).abs() < 1e-12);
    assert!((mixture_perplexity(&p, &q, 0.0).unwrap() - alone(&q[0])).abs() < 1e-12);
    let mid = [0.3, 0.3, 0.3];
    assert!((mixture_perplexity(&p, &q, 0.5).unwrap() - alone(&mid)).abs() < 1e-12);
    // d/dλ Σ ln(q + λ(p − q)) = Σ (p − q)/(q + λ(p − q)) = 0: 0.4/(0.1+0.4λ) − 0.2/(0.4−0.2λ)
    // − 0.4/(0.5−0.4λ) = 0, solved numerically by bisection here
    let g = |l: f64| 0.4 / (0.1 + 0.4 * l) - 0.2 / (0.4 - 0.2 * l) - 0.4 / (0.5 - 0.4 * l);
    let (mut a, mut b) = (0.0, 1.0);
    for _ in 0..60 {
        let m = (a + b) / 2.0;
        if g(m) > 0.0 { a = m } else { b = m }
    }
    let l = tune_mixture(&p, &q).unwrap();
    assert!((l - a).abs() < 1e-3, "{l} vs {a}");
    // errors
    assert!(mixture_perplexity(&p, &q, 1.5).is_err());
    assert!(mixture_perplexity(&p, &q, f64::NAN).is_err());
    assert!(mixture_perplexity(&p, &[vec![0.1, 0.4]], 0.5).is_err());
    assert!(mixture_perplexity(&[vec![0.0]], &[vec![0.0]], 0.5).is_err());
    assert!(mixture_perplexity(&[vec![1.5]], &[vec![0.5]], 0.5).is_err());
    assert!(mixture_perplexity(&[vec![f64::NAN]], &[vec![0.5]], 0.5).is_err());
    assert!(mixture_perplexity(&[vec![]], &[vec![]], 0.5).is_err());
    assert!(tune_mixture(&p, &[vec![0.1]]).is_err());
}
