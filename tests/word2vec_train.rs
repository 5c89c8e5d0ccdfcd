//! Contracts of the Word2Vec trainer: determinism, the subsampling formula, Huffman codes,
//! the noise distribution, errors on bad input, and that training learns something.

use proptest::prelude::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::Error;
use recurrent::word2vec::{
    Architecture, Huffman, NoiseSampler, Vocab, Word2Vec, Word2VecBuilder, Word2VecProgress,
    Word2VecTrainer, keep_probability,
};

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// The first `n` verses of the King James Bible shipped in `data/`.
fn kjv(n: usize) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt");
    std::fs::read_to_string(path)
        .expect("data/kjv.txt ships with the crate")
        .lines()
        .take(n)
        .map(str::to_string)
        .collect()
}

/// Two topics that never share a sentence: words `a0..a7` and `b0..b7`, sentences of 8
/// words drawn from one topic at a time.
fn two_topics(seed: u64, sentences: usize) -> Vec<Vec<String>> {
    let mut r = rng(seed);
    (0..sentences)
        .map(|i| {
            let topic = if i % 2 == 0 { "a" } else { "b" };
            (0..8)
                .map(|_| format!("{topic}{}", r.random_range(0..8u32)))
                .collect()
        })
        .collect()
}

fn small(arch: Architecture, hs: bool, negative: usize) -> Word2VecBuilder {
    Word2Vec::builder()
        .architecture(arch)
        .hs(hs)
        .negative(negative)
        .dim(16)
        .window(3)
        .min_count(1)
        .sample(0.0)
        .epochs(3)
}

const CONFIGS: [(Architecture, bool, usize); 5] = [
    (Architecture::SkipGram, false, 5),
    (Architecture::SkipGram, true, 0),
    (Architecture::Cbow, false, 5),
    (Architecture::Cbow, true, 0),
    (Architecture::SkipGram, true, 3),
];

#[test]
fn one_thread_is_bit_for_bit_deterministic() {
    let corpus = kjv(300);
    for (arch, hs, neg) in CONFIGS {
        let t = small(arch, hs, neg).sample(1e-3).build().unwrap();
        let a = t.fit(|| corpus.iter(), &mut rng(7), |_| {}).unwrap();
        let b = t.fit(|| corpus.iter(), &mut rng(7), |_| {}).unwrap();
        let c = t.fit(|| corpus.iter(), &mut rng(8), |_| {}).unwrap();
        let bits =
            |m: &recurrent::Word2Vec| m.vectors().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b), "{arch:?} hs={hs} neg={neg}");
        assert_ne!(
            bits(&a),
            bits(&c),
            "a different seed must change the vectors"
        );
        assert_eq!(a.words(), b.words());
    }
}

#[test]
fn file_and_iterator_give_the_same_model() {
    let corpus = kjv(200);
    let dir = std::env::temp_dir().join(format!("recurrent-w2v-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("corpus.txt");
    std::fs::write(&path, corpus.join("\n")).unwrap();
    let t = small(Architecture::SkipGram, false, 5).build().unwrap();
    let a = t.fit(|| corpus.iter(), &mut rng(3), |_| {}).unwrap();
    let b = t.fit_file(&path, &mut rng(3), |_| {}).unwrap();
    assert_eq!(a, b);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Mean cosine of pairs within a topic minus mean cosine across topics.
fn topic_gap(m: &recurrent::Word2Vec) -> f32 {
    let (mut within, mut nw, mut across, mut na) = (0.0, 0, 0.0, 0);
    for i in 0..8 {
        for j in 0..8 {
            for (x, y, same) in [("a", "a", true), ("b", "b", true), ("a", "b", false)] {
                if same && i >= j {
                    continue;
                }
                let s = m
                    .similarity(&format!("{x}{i}"), &format!("{y}{j}"))
                    .unwrap();
                if same {
                    within += s;
                    nw += 1;
                } else {
                    across += s;
                    na += 1;
                }
            }
        }
    }
    within / nw as f32 - across / na as f32
}

#[test]
fn training_brings_words_of_one_topic_together() {
    let corpus = two_topics(11, 400);
    for (arch, hs, neg) in CONFIGS {
        let t = small(arch, hs, neg).epochs(5).build().unwrap();
        let m = t.fit(|| corpus.iter(), &mut rng(5), |_| {}).unwrap();
        // At initialisation, vectors are independent and uniform, so the cosine of a pair
        // has mean 0 and standard deviation about 1/√d = 0.25 (d = 16); the gap between the
        // means over 56 within-topic and 64 across-topic pairs then has a standard deviation
        // of about 0.25·√(1/56 + 1/64) ≈ 0.05. A gap above 0.3 is six standard deviations
        // away from chance, and training that works gives far more (words of one topic
        // share every context; the two topics share none).
        let gap = topic_gap(&m);
        assert!(gap > 0.3, "{arch:?} hs={hs} neg={neg}: gap {gap}");
    }
}

#[test]
fn two_threads_also_learn() {
    let corpus = two_topics(12, 400);
    let t = small(Architecture::SkipGram, false, 5)
        .epochs(5)
        .threads(2)
        .build()
        .unwrap();
    let m = t.fit(|| corpus.iter(), &mut rng(6), |_| {}).unwrap();
    assert!(m.vectors().iter().all(|x| x.is_finite()));
    // Threshold as in `training_brings_words_of_one_topic_together`.
    assert!(topic_gap(&m) > 0.3);
}

#[test]
fn kjv_related_words_are_closer_than_unrelated() {
    let corpus = kjv(6000);
    let t = Word2Vec::builder()
        .architecture(Architecture::SkipGram)
        .dim(32)
        .min_count(3)
        .epochs(3)
        .build()
        .unwrap();
    let m = t.fit(|| corpus.iter(), &mut rng(1), |_| {}).unwrap();
    // Genesis to Judges: "sons"/"daughters" appear in the same genealogies and "ram"/"bullock"
    // in the same sacrifice lists; the cross pairs share no such context. On random vectors
    // each cosine is ≈ N(0, 1/√32 ≈ 0.18), so a margin of 0.2 on both pairs at once is
    // unlikely by chance (< 15% each), and trained vectors clear it widely.
    let related = m
        .similarity("sons", "daughters")
        .unwrap()
        .min(m.similarity("ram", "bullock").unwrap());
    let unrelated = m
        .similarity("sons", "bullock")
        .unwrap()
        .max(m.similarity("ram", "daughters").unwrap());
    assert!(
        related > unrelated + 0.2,
        "related {related}, unrelated {unrelated}"
    );
}

#[test]
fn progress_reports_epochs_words_alpha_and_falling_loss() {
    let corpus = two_topics(13, 300);
    let t = small(Architecture::SkipGram, false, 5)
        .epochs(4)
        .alpha(0.05)
        .min_alpha(0.001)
        .build()
        .unwrap();
    let vocab = t.build_vocab(&corpus).unwrap();
    let mut ends: Vec<Word2VecProgress> = Vec::new();
    t.train(
        &vocab,
        || corpus.iter(),
        &mut rng(2),
        |p| {
            if p.epoch_done {
                ends.push(*p);
            }
        },
    )
    .unwrap();
    assert_eq!(ends.len(), 4);
    let total = vocab.total();
    for (e, p) in ends.iter().enumerate() {
        assert_eq!(p.epoch, e);
        assert_eq!(p.words, total * (e as u64 + 1));
        assert!(p.epoch_terms > 0 && p.epoch_loss.is_finite());
    }
    assert_eq!(ends[3].alpha, 0.001);
    assert_eq!(ends[3].fraction(), 1.0);
    // The first epoch starts from log 2 ≈ 0.69 per term (zero output vectors); learning the
    // two topics must bring the mean loss down by a clear margin by the last epoch.
    assert!(ends[0].mean_loss() < 0.7);
    assert!(
        ends[3].mean_loss() < 0.9 * ends[0].mean_loss(),
        "{} → {}",
        ends[0].mean_loss(),
        ends[3].mean_loss()
    );
}

#[test]
fn loss_is_summed_over_threads() {
    // The total over two threads must match one thread's to within the variation of
    // training (it would be about half if one thread's tally overwrote the other's).
    let corpus = two_topics(14, 2000);
    let mut last = Vec::new();
    for threads in [1, 2] {
        let t = small(Architecture::SkipGram, false, 5)
            .epochs(1)
            .threads(threads)
            .build()
            .unwrap();
        let mut fin = None;
        t.fit(
            || corpus.iter(),
            &mut rng(4),
            |p| {
                if p.epoch_done {
                    fin = Some(*p);
                }
            },
        )
        .unwrap();
        last.push(fin.unwrap());
    }
    let ratio = last[1].epoch_loss / last[0].epoch_loss;
    assert!((0.8..1.25).contains(&ratio), "ratio {ratio}");
    let terms = last[1].epoch_terms as f64 / last[0].epoch_terms as f64;
    assert!((0.95..1.05).contains(&terms), "terms ratio {terms}");
}

#[test]
fn subsampling_formula_matches_the_c_tool() {
    // keep = (√(f/(s·T)) + 1)·(s·T)/f, worked by hand:
    // f = 10⁴, T = 10⁶, s = 10⁻³: s·T = 10³, √10 + 1 = 4.16228, × 0.1 = 0.416228.
    assert!((keep_probability(10_000, 1_000_000, 1e-3) - 0.416_227_8).abs() < 1e-6);
    // f = 10⁵: (√100 + 1)·0.01 = 0.11.
    assert!((keep_probability(100_000, 1_000_000, 1e-3) - 0.11).abs() < 1e-12);
    // f = 4·10³, s = 10⁻⁴, T = 10⁷: s·T = 10³, (2 + 1)·0.25 = 0.75.
    assert!((keep_probability(4_000, 10_000_000, 1e-4) - 0.75).abs() < 1e-12);
    // The paper's 1 − √(s/f) (with f a frequency) differs: for the first case 1 − (1 −
    // √(10⁻³/10⁻²)) = 0.316 kept, not 0.416.
    assert!((keep_probability(10_000, 1_000_000, 1e-3) - 0.316).abs() > 0.05);
    // Rare words are always kept; s = 0 disables subsampling.
    assert_eq!(keep_probability(1_000, 1_000_000, 1e-3), 1.0);
    assert_eq!(keep_probability(500_000, 1_000_000, 0.0), 1.0);
}

#[test]
fn noise_table_is_unigram_to_the_three_quarters() {
    let counts = [1000u64, 300, 100, 20, 5, 1, 1];
    let s = NoiseSampler::new(&counts, 0.75).unwrap();
    let z: f64 = counts.iter().map(|&c| (c as f64).powf(0.75)).sum();
    let p = s.probabilities();
    for (c, pi) in counts.iter().zip(&p) {
        assert!((pi - (*c as f64).powf(0.75) / z).abs() < 1e-8);
    }
    // Empirical frequencies over n draws: each within 5 standard deviations √(p(1−p)/n).
    let n = 200_000;
    let mut hits = [0u64; 7];
    let mut r = rng(9);
    for _ in 0..n {
        hits[s.sample(&mut r)] += 1;
    }
    for (h, pi) in hits.iter().zip(&p) {
        let f = *h as f64 / n as f64;
        let sd = (pi * (1.0 - pi) / n as f64).sqrt();
        assert!((f - pi).abs() < 5.0 * sd + 1e-9, "{f} vs {pi}");
    }
    // Exponent 0 is uniform; exponent 1 is the unigram distribution.
    let u = NoiseSampler::new(&counts, 0.0).unwrap().probabilities();
    assert!(u.iter().all(|x| (x - 1.0 / 7.0).abs() < 1e-8));
}

/// Weighted path length Σ count·depth of an optimal prefix code, by repeated merging of the
/// two smallest weights (each merge adds its sum once per level it moves down).
fn optimal_cost(counts: &[u64]) -> u128 {
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<u128>> = counts
        .iter()
        .map(|&c| std::cmp::Reverse(u128::from(c)))
        .collect();
    let mut cost = 0;
    while heap.len() > 1 {
        let (a, b) = (heap.pop().unwrap().0, heap.pop().unwrap().0);
        cost += a + b;
        heap.push(std::cmp::Reverse(a + b));
    }
    cost
}

fn check_huffman(counts: &[u64]) {
    let h = Huffman::new(counts).unwrap();
    let v = counts.len();
    assert_eq!(h.len(), v);
    if v == 1 {
        assert!(h.code(0).is_empty());
        return;
    }
    let mut kraft = 0.0;
    let mut cost = 0u128;
    for i in 0..v {
        let (code, points) = (h.code(i), h.points(i));
        assert_eq!(code.len(), points.len());
        assert!(!code.is_empty());
        assert_eq!(points[0] as usize, v - 2, "paths start at the root");
        assert!(points.iter().all(|&p| (p as usize) < v - 1));
        assert!(code.iter().all(|&c| c <= 1));
        kraft += 0.5f64.powi(code.len() as i32);
        cost += u128::from(counts[i]) * code.len() as u128;
        // More frequent words never have longer codes.
        for j in 0..v {
            if counts[i] > counts[j] {
                assert!(h.code(i).len() <= h.code(j).len());
            }
        }
    }
    // A full binary tree: Kraft's sum is exactly 1.
    assert!((kraft - 1.0).abs() < 1e-12);
    // Optimal: the weighted path length equals the merge cost of any Huffman tree.
    assert_eq!(cost, optimal_cost(counts));
    // Prefix-free: no code is a prefix of another; equal codes never occur.
    for i in 0..v {
        for j in 0..v {
            if i != j {
                let (a, b) = (h.code(i), h.code(j));
                assert!(
                    !(a.len() <= b.len() && b.starts_with(a)),
                    "{i} prefix of {j}"
                );
            }
        }
    }
    // Paths that share the first k branches meet the same k + 1 inner nodes.
    for i in 0..v {
        for j in (0..v).filter(|&j| j != i) {
            let (a, b) = (h.code(i), h.code(j));
            let k = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            assert_eq!(h.points(i)[..=k], h.points(j)[..=k]);
        }
    }
}

#[test]
fn huffman_small_cases() {
    check_huffman(&[7]);
    check_huffman(&[3, 3]);
    check_huffman(&[5, 4, 3, 2, 1]);
    check_huffman(&[1, 1, 1, 1, 1, 1, 1, 1]);
    check_huffman(&[1, 2, 4, 8, 16, 32, 64]);
    // Order of the input does not matter: codes follow the counts.
    let h = Huffman::new(&[1, 100, 10]).unwrap();
    assert_eq!(h.code(1).len(), 1);
    assert!(Huffman::new(&[]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn huffman_codes_are_optimal_prefix_codes(seed: u64, v in 1usize..60) {
        let mut r = rng(seed);
        let counts: Vec<u64> = (0..v).map(|_| r.random_range(0..1000u64)).collect();
        check_huffman(&counts);
    }
}

#[test]
fn vocabulary_min_count_max_size_and_c_format() {
    let corpus = ["a b c a b a", "d a b"];
    let v = Vocab::from_sentences(corpus, 2, None).unwrap();
    assert_eq!(v.words(), ["a", "b"]);
    assert_eq!(v.counts(), [4, 3]);
    assert_eq!(v.total(), 7);
    assert_eq!(v.raw_total(), 9);
    let v1 = Vocab::from_sentences(corpus, 1, Some(3)).unwrap();
    assert_eq!(v1.words(), ["a", "b", "c"]);
    let mut buf = Vec::new();
    v1.write(&mut buf).unwrap();
    assert_eq!(String::from_utf8(buf.clone()).unwrap(), "a 4\nb 3\nc 1\n");
    let back = Vocab::read(buf.as_slice()).unwrap();
    assert_eq!(back.words(), v1.words());
    assert_eq!(back.counts(), v1.counts());
    // The C tool's own file starts with its sentence-end token; it reads as a word.
    let c = Vocab::read("</s> 31102\nthe 64203\n".as_bytes()).unwrap();
    assert_eq!(c.index("the"), Some(1));
}

#[test]
fn malformed_vocab_files_name_the_line() {
    for (text, line) in [
        ("a 1\nb\n", 2),
        ("a 1\nb x\n", 2),
        ("a -1\n", 1),
        ("a 1 2\n", 1),
    ] {
        match Vocab::read(text.as_bytes()) {
            Err(Error::Format { line: l, .. }) => assert_eq!(l, line, "{text:?}"),
            other => panic!("{text:?}: {other:?}"),
        }
    }
    assert!(matches!(
        Vocab::read("a 1\na 2\n".as_bytes()),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Vocab::read("".as_bytes()),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        Vocab::read(&[0xffu8, b' ', b'1'][..]),
        Err(Error::Io { .. })
    ));
}

#[test]
fn empty_corpora_are_errors() {
    let t = small(Architecture::SkipGram, false, 5).build().unwrap();
    let empty: Vec<&str> = Vec::new();
    assert!(matches!(
        t.fit(|| empty.iter(), &mut rng(1), |_| {}),
        Err(Error::Empty { .. })
    ));
    let blank = ["", "   "];
    assert!(matches!(
        t.fit(|| blank.iter(), &mut rng(1), |_| {}),
        Err(Error::Empty { .. })
    ));
    // Every word below min_count.
    let rare = ["a b c"];
    let t5 = small(Architecture::Cbow, false, 5)
        .min_count(5)
        .build()
        .unwrap();
    assert!(matches!(
        t5.fit(|| rare.iter(), &mut rng(1), |_| {}),
        Err(Error::Empty { .. })
    ));
    // A training corpus with no word of the vocabulary.
    let vocab = Vocab::from_counts([("x", 3), ("y", 2)]).unwrap();
    let other = ["a b c"];
    assert!(matches!(
        t.train(&vocab, || other.iter(), &mut rng(1), |_| {}),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        Vocab::from_sentences(empty.iter(), 1, Some(0)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        NoiseSampler::new(&[], 0.75),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn missing_file_is_an_io_error() {
    let t = small(Architecture::SkipGram, false, 5).build().unwrap();
    let missing = "/nonexistent/recurrent/corpus.txt";
    assert!(matches!(
        t.fit_file(missing, &mut rng(1), |_| {}),
        Err(Error::Io { .. })
    ));
    let vocab = Vocab::from_counts([("x", 3)]).unwrap();
    assert!(matches!(
        t.train_file(&vocab, missing, &mut rng(1), |_| {}),
        Err(Error::Io { .. })
    ));
    assert!(matches!(
        Vocab::from_file(missing, 1, None),
        Err(Error::Io { .. })
    ));
}

#[test]
fn bad_configurations_are_rejected_at_construction() {
    let base = Word2Vec::builder;
    let cases: Vec<(Word2VecBuilder, &str)> = vec![
        (base().dim(0), "dim"),
        (base().window(0), "window"),
        (base().max_vocab(Some(0)), "max_vocab"),
        (base().sample(-1.0), "sample"),
        (base().sample(f64::NAN), "sample"),
        (base().negative(1001), "negative"),
        (base().negative(0).hs(false), "negative"),
        (base().ns_exponent(f64::INFINITY), "ns_exponent"),
        (base().alpha(0.0), "alpha"),
        (base().alpha(f32::NAN), "alpha"),
        (base().min_alpha(1.0), "min_alpha"),
        (base().min_alpha(-1e-3), "min_alpha"),
        (base().epochs(0), "epochs"),
        (base().threads(0), "threads"),
        (base().threads(5000), "threads"),
        (base().max_sentence_len(0), "max_sentence_len"),
    ];
    for (c, name) in cases {
        match c.build() {
            Err(Error::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(base().negative(0).hs(true).build().is_ok());
}

#[test]
fn divergence_is_reported_not_returned() {
    let corpus = two_topics(15, 100);
    let t = small(Architecture::SkipGram, false, 5)
        .alpha(1e30)
        .min_alpha(1e30)
        .build()
        .unwrap();
    assert!(matches!(
        t.fit(|| corpus.iter(), &mut rng(1), |_| {}),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn long_sentences_are_cut_into_pieces() {
    let line: Vec<String> = (0..500).map(|i| format!("w{}", i % 20)).collect();
    let corpus = [line];
    let t = small(Architecture::Cbow, true, 2)
        .max_sentence_len(7)
        .build()
        .unwrap();
    let m = t.fit(|| corpus.iter(), &mut rng(1), |_| {}).unwrap();
    assert_eq!(m.vocab_len(), 20);
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Word2VecBuilder>();
    check::<Word2VecTrainer>();
    check::<Vocab>();
    check::<Huffman>();
    check::<NoiseSampler>();
    check::<Word2VecProgress>();
}

#[test]
fn invalid_utf8_in_a_corpus_file_is_an_io_error() {
    let dir = std::env::temp_dir().join(format!("recurrent-w2v-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.txt");
    // "café" in Latin-1: 0xE9 is not valid UTF-8.
    std::fs::write(&path, b"the cafe\nthe caf\xe9\n").unwrap();
    let t = small(Architecture::SkipGram, false, 5).build().unwrap();
    assert!(matches!(
        t.fit_file(&path, &mut rng(1), |_| {}),
        Err(Error::Io { .. })
    ));
    let vocab = Vocab::from_counts([("the", 2), ("cafe", 1)]).unwrap();
    assert!(matches!(
        t.train_file(&vocab, &path, &mut rng(1), |_| {}),
        Err(Error::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_line_longer_than_the_reader_limit_trains_in_pieces() {
    // One line of 300,000 words (≈ 1.4 MB, over CorpusReader's 1 MiB): the reader hands it
    // out in pieces cut at spaces, so the vocabulary is that of the whole line, and training
    // streams it instead of holding it.
    let line: Vec<String> = (0..300_000).map(|i| format!("w{}", (i * 7) % 97)).collect();
    let text = line.join(" ");
    assert!(text.len() > recurrent::text::MAX_LINE_BYTES);
    let dir = std::env::temp_dir().join(format!("recurrent-w2v-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("one_line.txt");
    std::fs::write(&path, &text).unwrap();
    let from_file = Vocab::from_file(&path, 1, None).unwrap();
    let whole = Vocab::from_sentences([&line], 1, None).unwrap();
    assert_eq!(from_file.words(), whole.words());
    assert_eq!(from_file.counts(), whole.counts());
    assert_eq!((from_file.sentences(), whole.sentences()), (2, 1));
    let t = small(Architecture::SkipGram, false, 2)
        .dim(8)
        .epochs(1)
        .build()
        .unwrap();
    let m = t.fit_file(&path, &mut rng(1), |_| {}).unwrap();
    assert_eq!(m.words(), whole.words());
    assert!(m.vectors().iter().all(|x| x.is_finite()));
    std::fs::remove_dir_all(&dir).unwrap();
}
