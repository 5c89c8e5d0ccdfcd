//! The C tool's remaining features: `-classes K` (k-means word classes), the `</s>` token
//! (`keep_eos`, `-eos 1`), and continued training of a model on more text (`continue_fit`,
//! `-continue`), in the library and in the `word2vec` program.
//!
//! The golden files in `tests/data/c_classes/` were written by the C tool itself (how: in
//! `tests/data/README.md`); everything else is computed by hand or by the reference code in
//! this file. Every corpus is tiny and written into a temporary folder.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use recurrent::Error;
use recurrent::text::Vocab;
use recurrent::word2vec::{
    Architecture, KMEANS_ITERATIONS, ReadOptions, Word2Vec, Word2VecProgress, write_word_classes,
};
use std::fs;
use std::path::{Path, PathBuf};

const C_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/c_classes");

/// A temporary folder for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("recurrent-w2vfeat-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

fn c_file(name: &str) -> PathBuf {
    Path::new(C_DATA).join(name)
}

fn classes_text(m: &Word2Vec, k: usize) -> String {
    let mut out = Vec::new();
    write_word_classes(m, &m.word_classes(k).unwrap(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------------------------------
// -classes

/// The C tool's own `-classes 3` and `-classes 4` files, from the very vectors it trained:
/// the same bytes.
#[test]
fn classes_are_the_c_tools_on_its_own_vectors() {
    let m = Word2Vec::load_binary(c_file("tiny.bin"), ReadOptions::default()).unwrap();
    assert_eq!((m.vocab_len(), m.dim()), (13, 6));
    for k in [3, 4] {
        let want = fs::read_to_string(c_file(&format!("tiny_classes{k}.txt"))).unwrap();
        assert_eq!(classes_text(&m, k), want, "k = {k}");
        // and through the atomic file writer
        let dir = Scratch::new(&format!("cls{k}"));
        m.save_word_classes(dir.path("c.txt"), k).unwrap();
        assert_eq!(fs::read_to_string(dir.path("c.txt")).unwrap(), want);
    }
}

/// A reference written independently of the crate's code (in f64, with explicit member
/// lists) on well-separated clusters, where rounding cannot move a word.
fn reference_kmeans(x: &[Vec<f64>], k: usize) -> Vec<usize> {
    let d = x[0].len();
    let mut class: Vec<usize> = (0..x.len()).map(|i| i % k).collect();
    for _ in 0..10 {
        let cents: Vec<Option<Vec<f64>>> = (0..k)
            .map(|j| {
                let members: Vec<&Vec<f64>> = x
                    .iter()
                    .zip(&class)
                    .filter(|&(_, &c)| c == j)
                    .map(|(v, _)| v)
                    .collect();
                let mut c = vec![0.0; d];
                for v in &members {
                    for (s, a) in c.iter_mut().zip(v.iter()) {
                        *s += a;
                    }
                }
                let norm = c.iter().map(|s| s * s).sum::<f64>().sqrt();
                (norm > 0.0).then(|| c.iter().map(|s| s / norm).collect())
            })
            .collect();
        for (i, v) in x.iter().enumerate() {
            let mut best = (-10.0, 0);
            for (j, c) in cents.iter().enumerate() {
                if let Some(c) = c {
                    let dot: f64 = c.iter().zip(v).map(|(a, b)| a * b).sum();
                    if dot > best.0 {
                        best = (dot, j);
                    }
                }
            }
            class[i] = best.1;
        }
    }
    class
}

#[test]
fn classes_agree_with_an_independent_reference_and_find_the_clusters() {
    use rand::RngExt;
    let mut r = rng(11);
    let (d, groups, per) = (5, 4, 12);
    let centres: Vec<Vec<f64>> = (0..groups)
        .map(|_| (0..d).map(|_| r.random::<f64>() * 2.0 - 1.0).collect())
        .collect();
    // group of word i: (i / 3) % 4, so that the start i mod 4 mixes every group
    let mut x = Vec::new();
    let mut group = Vec::new();
    for i in 0..groups * per {
        let g = (i / 3) % groups;
        group.push(g);
        x.push(
            centres[g]
                .iter()
                .map(|c| c + (r.random::<f64>() - 0.5) * 0.05)
                .collect::<Vec<f64>>(),
        );
    }
    let words: Vec<String> = (0..x.len()).map(|i| format!("w{i}")).collect();
    let flat: Vec<f32> = x.iter().flatten().map(|&v| v as f32).collect();
    let m = Word2Vec::from_parts(words, vec![1; x.len()], d, flat).unwrap();
    let x32: Vec<Vec<f64>> = m
        .vectors()
        .chunks(d)
        .map(|r| r.iter().map(|&v| f64::from(v)).collect())
        .collect();
    for k in [1, 2, 3, 4, 6] {
        let got = m.word_classes(k).unwrap();
        assert_eq!(got, reference_kmeans(&x32, k), "k = {k}");
        assert!(got.iter().all(|&c| c < k));
    }
    assert_eq!(KMEANS_ITERATIONS, 10);
    // with k = 4 the classes are the four groups (same class exactly when same group)
    let four = m.word_classes(4).unwrap();
    for i in 0..x.len() {
        for j in 0..x.len() {
            assert_eq!(
                four[i] == four[j],
                group[i] == group[j],
                "words {i} and {j}"
            );
        }
    }
}

#[test]
fn classes_of_distinct_directions_with_one_class_per_word_are_the_indices() {
    // every word its own class from the start; each is nearest to its own centroid
    let v = vec![1.0, 0.0, 0.0, 2.0, -1.0, 0.5, 0.3, -3.0];
    let words = ["a", "b", "c", "d"].map(String::from).to_vec();
    let m = Word2Vec::from_parts(words, vec![4, 3, 2, 1], 2, v).unwrap();
    assert_eq!(m.word_classes(4).unwrap(), [0, 1, 2, 3]);
    // one class: everything in 0
    assert_eq!(m.word_classes(1).unwrap(), [0; 4]);
}

#[test]
fn classes_file_is_one_word_and_class_per_line_in_index_order() {
    let m = Word2Vec::load_binary(c_file("tiny.bin"), ReadOptions::default()).unwrap();
    let classes = m.word_classes(3).unwrap();
    let text = classes_text(&m, 3);
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), m.vocab_len());
    for (i, line) in lines.iter().enumerate() {
        let (w, c) = line.split_once(' ').unwrap();
        assert_eq!(w, m.words()[i]);
        assert_eq!(c.parse::<usize>().unwrap(), classes[i]);
        assert!(!c.contains(' '));
    }
    assert_eq!(lines[0], format!("</s> {}", classes[0]));
}

#[test]
fn classes_errors_are_errors_not_panics() {
    let m =
        Word2Vec::from_parts(vec!["a".into(), "b".into()], vec![1, 1], 1, vec![1.0, -1.0]).unwrap();
    for k in [0, 3, usize::MAX] {
        match m.word_classes(k) {
            Err(Error::InvalidParameter { name, reason }) => {
                assert_eq!(name, "classes");
                assert!(!reason.is_empty());
            }
            other => panic!("k = {k}: {other:?}"),
        }
    }
    assert!(
        m.save_word_classes(std::env::temp_dir().join("never"), 0)
            .is_err()
    );
    assert!(matches!(
        write_word_classes(&m, &[0, 1, 0], Vec::new()),
        Err(Error::DimensionMismatch { .. })
    ));
    // a word a line-oriented file cannot hold
    let spaced = Word2Vec::from_parts(
        vec!["a b".into(), "c".into()],
        vec![1, 1],
        1,
        vec![1.0, 2.0],
    )
    .unwrap();
    let mut out = Vec::new();
    assert!(matches!(
        write_word_classes(&spaced, &[0, 0], &mut out),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(out.is_empty());
    // an empty model has no class to start
    let empty = Word2Vec::from_parts(Vec::new(), Vec::new(), 3, Vec::new()).unwrap();
    assert!(empty.word_classes(1).is_err());
}

// ---------------------------------------------------------------------------------------
// </s>

#[test]
fn eos_vocabulary_is_the_c_tools() {
    // The C tool's own -save-vocab file of the same corpus (with two ties in its counts).
    let want = fs::read_to_string(c_file("tiny_vocab.txt")).unwrap();
    let v = Vocab::from_file_with_eos(c_file("tiny.txt"), 1, None).unwrap();
    let mut out = Vec::new();
    v.write(&mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), want);
    // and through the trainer
    let t = Word2Vec::builder()
        .min_count(1)
        .keep_eos(true)
        .build()
        .unwrap();
    assert_eq!(t.build_vocab_file(c_file("tiny.txt")).unwrap(), v);
    // 150 lines of 6 words: </s> 150, the C tool's "Words in train file" 1050
    assert_eq!(
        (v.count(0), v.total(), v.sentences()),
        (Some(150), 1050, 150)
    );
}

#[test]
fn eos_counts_by_hand() {
    // four lines, one empty: </s> 4, a 3, b 2, c 2 (b seen first), d 1
    let text = "a b a\nb c\n\nc a d\n";
    let dir = Scratch::new("eos");
    let path = dir.write("c.txt", text);
    let v = Vocab::from_file_with_eos(&path, 1, None).unwrap();
    assert_eq!(v.words(), ["</s>", "a", "b", "c", "d"]);
    assert_eq!(v.counts(), [4, 3, 2, 2, 1]);
    assert_eq!((v.total(), v.raw_total(), v.sentences()), (12, 12, 4));
    // min_count cuts the words, never </s> (the C tool keeps entry 0)
    let v = Vocab::from_file_with_eos(&path, 5, None).unwrap();
    assert_eq!(
        (v.words(), v.counts()),
        (&["</s>".to_string()][..], &[4][..])
    );
    let v = Vocab::from_file_with_eos(&path, 3, None).unwrap();
    assert_eq!(v.counts(), [4, 3]);
    assert_eq!((v.total(), v.raw_total()), (7, 12));
    // max_size counts </s>
    let v = Vocab::from_file_with_eos(&path, 1, Some(3)).unwrap();
    assert_eq!(v.words(), ["</s>", "a", "b"]);
    // in memory: the same; a literal </s> is the token itself
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        Vocab::from_sentences_with_eos(&lines, 1, None).unwrap(),
        Vocab::from_file_with_eos(&path, 1, None).unwrap()
    );
    let v = Vocab::from_sentences_with_eos(["x </s> x"], 1, None).unwrap();
    assert_eq!(
        (v.words(), v.counts()),
        (&["</s>".into(), "x".into()][..], &[2, 2][..])
    );
    // the plain vocabulary has no </s> and one word fewer
    let plain = Vocab::from_file(&path, 1, None).unwrap();
    assert_eq!(plain.len() + 1, 5);
    assert_eq!(plain.eos(), None);
}

#[test]
fn eos_is_read_but_never_trained_and_the_schedule_counts_it() {
    let corpus: Vec<String> = (0..60)
        .map(|i| ["a b c d", "b c d e", "c d e a"][i % 3].to_string())
        .collect();
    let trainer = |epochs| {
        Word2Vec::builder()
            .dim(6)
            .min_count(1)
            .sample(0.0)
            .epochs(epochs)
            .keep_eos(true)
            .build()
            .unwrap()
    };
    let vocab = trainer(1).build_vocab(&corpus).unwrap();
    assert_eq!((vocab.word(0), vocab.count(0)), (Some("</s>"), Some(60)));
    let mut ends: Vec<Word2VecProgress> = Vec::new();
    let one = trainer(1)
        .train(&vocab, || corpus.iter(), &mut rng(4), |_| {})
        .unwrap();
    let two = trainer(2)
        .train(
            &vocab,
            || corpus.iter(),
            &mut rng(4),
            |p| {
                if p.epoch_done {
                    ends.push(*p);
                }
            },
        )
        .unwrap();
    // same start (same seed): </s> keeps its start, every word moved on
    assert_eq!(one.vector("</s>").unwrap(), two.vector("</s>").unwrap());
    for w in ["a", "b", "c", "d", "e"] {
        assert_ne!(one.vector(w).unwrap(), two.vector(w).unwrap(), "{w}");
    }
    // every planned word read, line ends included: 300 per epoch
    assert_eq!(ends.len(), 2);
    assert_eq!(ends[1].words, 2 * vocab.total());
    assert_eq!(vocab.total(), 240 + 60);
    assert_eq!(ends[1].fraction(), 1.0);
    // without keep_eos a vocabulary with </s> at 0 is refused, and the other way round
    let plain = Word2Vec::builder().dim(6).min_count(1).build().unwrap();
    let no_eos = plain.build_vocab(&corpus).unwrap();
    match trainer(1).train(&no_eos, || corpus.iter(), &mut rng(4), |_| {}) {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "keep_eos"),
        other => panic!("{other:?}"),
    }
    // a C-tool vocabulary file has </s> at 0: it trains with keep_eos
    let c_vocab = Vocab::read(fs::read(c_file("tiny_vocab.txt")).unwrap().as_slice()).unwrap();
    let m = trainer(1)
        .to_builder()
        .negative(2)
        .hs(true)
        .build()
        .unwrap()
        .train_file(&c_vocab, c_file("tiny.txt"), &mut rng(1), |_| {})
        .unwrap();
    assert_eq!(m.words(), c_vocab.words());
}

// ---------------------------------------------------------------------------------------
// continued training

fn first_corpus() -> Vec<String> {
    (0..80)
        .map(|i| ["king queen royal crown", "man woman person crowd"][i % 2].to_string())
        .collect()
}

fn more_corpus() -> Vec<String> {
    // king and man again, and new words: prince (40), princess (40), zebra (1)
    let mut c: Vec<String> = (0..80)
        .map(|i| ["king prince princess crown", "man woman person prince"][i % 2].to_string())
        .collect();
    c.push("zebra".to_string());
    c
}

fn trainer(hs: bool) -> recurrent::word2vec::Word2VecTrainer {
    Word2Vec::builder()
        .architecture(Architecture::SkipGram)
        .dim(8)
        .window(2)
        .min_count(2)
        .sample(0.0)
        .epochs(2)
        .hs(hs)
        .negative(if hs { 0 } else { 4 })
        .build()
        .unwrap()
}

#[test]
fn continued_training_keeps_indices_adds_words_and_moves_vectors() {
    for hs in [false, true] {
        let t = trainer(hs);
        let first = first_corpus();
        let more = more_corpus();
        let model = t.fit(|| first.iter(), &mut rng(2), |_| {}).unwrap();
        let update = t.update_vocab(&model, &more).unwrap();
        let v = update.vocab();
        // old words first, same indices, counts added; then the new words, most frequent first
        assert_eq!(&v.words()[..model.vocab_len()], model.words());
        assert_eq!(update.old_len(), model.vocab_len());
        assert_eq!(&v.words()[model.vocab_len()..], ["prince", "princess"]);
        assert_eq!(update.added(), 2);
        let old = |w: &str| model.counts()[model.index(w).unwrap()];
        assert_eq!(v.count(v.index("king").unwrap()), Some(old("king") + 40));
        assert_eq!(v.count(v.index("royal").unwrap()), Some(old("royal")));
        assert_eq!(v.count(v.index("prince").unwrap()), Some(80));
        assert_eq!(v.index("zebra"), None); // once: below min_count 2
        // the new text's words in the vocabulary (zebra is not)
        assert_eq!(update.words_per_epoch(), 80 * 4);

        let mut ends = Vec::new();
        let next = t
            .continue_train(
                &model,
                &update,
                || more.iter(),
                &mut rng(3),
                |p| {
                    if p.epoch_done {
                        ends.push(*p);
                    }
                },
            )
            .unwrap();
        assert_eq!(next.words(), v.words());
        for (i, w) in model.words().iter().enumerate() {
            assert_eq!(next.index(w), Some(i));
        }
        // words of the new text moved; a word absent from it did not (its rows are only read
        // as a context of nothing)
        for w in ["king", "man", "woman", "crown"] {
            assert_ne!(
                next.vector(w).unwrap(),
                model.vector(w).unwrap(),
                "{w}, hs {hs}"
            );
        }
        assert_eq!(
            next.vector("royal").unwrap(),
            model.vector("royal").unwrap()
        );
        for w in ["prince", "princess"] {
            let x = next.vector(w).unwrap();
            assert!(x.iter().all(|a| a.is_finite()) && x.iter().any(|&a| a != 0.0));
        }
        // the schedule ran over the new text: every planned word read
        assert_eq!(ends.last().unwrap().fraction(), 1.0);
        assert_eq!(ends.last().unwrap().words, 2 * 320);
        // one thread: the same again
        let again = t
            .continue_train(&model, &update, || more.iter(), &mut rng(3), |_| {})
            .unwrap();
        assert_eq!(again, next);
        // a corpus that yields nothing to train is an error, as for a fresh run
        let nothing =
            t.continue_train(&model, &update, || more.iter().take(0), &mut rng(3), |_| {});
        assert!(matches!(nothing, Err(Error::Empty { .. })));
    }
}

#[test]
fn a_saved_and_loaded_model_continues() {
    let dir = Scratch::new("cont");
    let t = trainer(false);
    let first = first_corpus();
    let model = t.fit(|| first.iter(), &mut rng(5), |_| {}).unwrap();
    model.save_binary(dir.path("m.bin")).unwrap();
    let loaded = Word2Vec::load_binary(dir.path("m.bin"), ReadOptions::default()).unwrap();
    assert!(loaded.counts().iter().all(|&c| c == 0)); // vectors files hold no counts
    let more: String = more_corpus().iter().map(|l| format!("{l}\n")).collect();
    let path = dir.write("more.txt", &more);
    let next = t
        .continue_fit_file(&loaded, &path, &mut rng(6), |_| {})
        .unwrap();
    assert_eq!(&next.words()[..model.vocab_len()], model.words());
    assert_eq!(next.vocab_len(), model.vocab_len() + 2);
    // counts are now those of the new text
    assert_eq!(next.counts()[next.index("king").unwrap()], 40);
    assert_eq!(next.counts()[next.index("royal").unwrap()], 0);
    assert_ne!(next.vector("king").unwrap(), model.vector("king").unwrap());
    // the in-memory path gives the same model as the file path
    let lines = more_corpus();
    let same = t
        .continue_fit(&loaded, || lines.iter(), &mut rng(6), |_| {})
        .unwrap();
    assert_eq!(same, next);
    // and a continued model continues again
    let third = t
        .continue_fit_file(&next, &path, &mut rng(7), |_| {})
        .unwrap();
    assert_eq!(third.words(), next.words());
    assert_eq!(third.counts()[third.index("king").unwrap()], 80);
}

#[test]
fn continued_training_errors() {
    let t = trainer(false);
    let first = first_corpus();
    let model = t.fit(|| first.iter(), &mut rng(5), |_| {}).unwrap();
    // another dimension
    let wide = t.to_builder().dim(9).build().unwrap();
    match wide.update_vocab(&model, ["king"]) {
        Err(Error::DimensionMismatch { expected, got, .. }) => {
            assert_eq!((expected.0, got.0), (9, 8));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        wide.continue_fit(&model, || ["king"].into_iter(), &mut rng(1), |_| {}),
        Err(Error::DimensionMismatch { .. })
    ));
    // an update made for another model
    let other = Word2Vec::from_parts(vec!["x".into()], vec![1], 8, vec![0.5; 8]).unwrap();
    let update = t.update_vocab(&other, ["x y y"]).unwrap();
    match t.continue_train(&model, &update, || ["x y"].into_iter(), &mut rng(1), |_| {}) {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "update"),
        r => panic!("{r:?}"),
    }
    // a corpus without words
    let none: [&str; 0] = [];
    assert!(matches!(
        t.update_vocab(&model, none),
        Err(Error::Empty { .. })
    ));
    // keep_eos needs </s> first in the model
    let eos = t.to_builder().keep_eos(true).build().unwrap();
    match eos.update_vocab(&model, ["king"]) {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "keep_eos"),
        r => panic!("{r:?}"),
    }
    // a missing file names it
    let e = t
        .continue_fit_file(&model, "/nonexistent/more.txt", &mut rng(1), |_| {})
        .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/more.txt"), "{e}");
}

// ---------------------------------------------------------------------------------------
// the command line

#[cfg(feature = "cli")]
mod cli {
    use super::*;
    use std::process::Command;

    const WORD2VEC: &str = env!("CARGO_BIN_EXE_word2vec");

    struct Run {
        code: Option<i32>,
        stdout: String,
        stderr: String,
    }

    fn word2vec(dir: &Scratch, args: &[&str]) -> Run {
        let out = Command::new(WORD2VEC)
            .current_dir(&dir.0)
            .args(args)
            .args(["-threads", "1", "-debug", "1"])
            .output()
            .unwrap();
        let run = Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run
    }

    #[track_caller]
    fn ok(r: &Run) {
        assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    }

    fn s(p: &Path) -> &str {
        p.to_str().unwrap()
    }

    #[test]
    fn classes_flag_writes_classes_instead_of_vectors() {
        let dir = Scratch::new("clicls");
        let c = c_file("tiny.txt");
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&c),
                "-output",
                "cl.txt",
                "-classes",
                "3",
                "-size",
                "6",
                "-min-count",
                "1",
                "-eos",
                "1",
                "-cbow",
                "0",
            ],
        );
        ok(&r);
        let text = fs::read_to_string(dir.path("cl.txt")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 13); // 12 words and </s>, as the C tool writes them
        assert!(lines[0].starts_with("</s> "));
        for l in &lines {
            let (_, k) = l.split_once(' ').unwrap();
            assert!(k.parse::<usize>().unwrap() < 3, "{l}");
        }
        // -classes 0: the vectors, as without the flag
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&c),
                "-output",
                "v.txt",
                "-classes",
                "0",
                "-size",
                "6",
            ],
        );
        ok(&r);
        let m = Word2Vec::load_text(dir.path("v.txt"), ReadOptions::default()).unwrap();
        assert_eq!(m.dim(), 6);
        // more classes than words: an error before training, naming the flag
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&c),
                "-output",
                "x.txt",
                "-classes",
                "14",
                "-min-count",
                "1",
                "-eos",
                "1",
            ],
        );
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(
            r.stderr.contains("-classes 14") && r.stderr.contains("13 words"),
            "{}",
            r.stderr
        );
        assert!(!r.stdout.contains("Training time"));
        assert!(!dir.path("x.txt").exists());
    }

    #[test]
    fn eos_flag_gives_the_c_tools_vocabulary_both_ways() {
        let dir = Scratch::new("clieos");
        let c = c_file("tiny.txt");
        let want = fs::read_to_string(c_file("tiny_vocab.txt")).unwrap();
        // counted
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&c),
                "-save-vocab",
                "v1.txt",
                "-min-count",
                "1",
                "-eos",
                "1",
            ],
        );
        ok(&r);
        assert_eq!(fs::read_to_string(dir.path("v1.txt")).unwrap(), want);
        assert!(r.stdout.contains("Vocab size: 13"), "{}", r.stdout);
        assert!(
            r.stdout.contains("Words in train file: 1050"),
            "{}",
            r.stdout
        );
        // read from the C tool's file: the same vocabulary and total
        let cv = c_file("tiny_vocab.txt");
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&c),
                "-read-vocab",
                s(&cv),
                "-save-vocab",
                "v2.txt",
                "-min-count",
                "1",
                "-eos",
                "1",
            ],
        );
        ok(&r);
        assert_eq!(fs::read_to_string(dir.path("v2.txt")).unwrap(), want);
        assert!(
            r.stdout.contains("Words in train file: 1050"),
            "{}",
            r.stdout
        );
        // -eos 0 both ways: no </s>, 150 fewer words in both
        for extra in [&[][..], &["-read-vocab", s(&cv)][..]] {
            let mut args = vec!["-train", s(&c), "-save-vocab", "v3.txt", "-min-count", "1"];
            args.extend_from_slice(extra);
            let r = word2vec(&dir, &args);
            ok(&r);
            assert!(r.stdout.contains("Vocab size: 12"), "{}", r.stdout);
            assert!(
                r.stdout.contains("Words in train file: 900"),
                "{}",
                r.stdout
            );
            let v3 = fs::read_to_string(dir.path("v3.txt")).unwrap();
            assert_eq!(v3, want.split_once('\n').unwrap().1);
        }
        // -eos 1 with a vocabulary file without </s>
        let plain = dir.write("plain.txt", "cat 84\n");
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&c),
                "-read-vocab",
                s(&plain),
                "-output",
                "o.txt",
                "-eos",
                "1",
            ],
        );
        assert_eq!(r.code, Some(1));
        assert!(r.stderr.contains("</s>"), "{}", r.stderr);
        // trained with </s>: the vectors file has it first
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&c),
                "-output",
                "e.txt",
                "-min-count",
                "1",
                "-eos",
                "1",
                "-size",
                "4",
            ],
        );
        ok(&r);
        let m = Word2Vec::load_text(dir.path("e.txt"), ReadOptions::default()).unwrap();
        assert_eq!(m.words()[0], "</s>");
    }

    #[test]
    fn continue_flag_trains_a_model_further() {
        let dir = Scratch::new("clicont");
        let first: String = first_corpus().iter().map(|l| format!("{l}\n")).collect();
        let more: String = more_corpus().iter().map(|l| format!("{l}\n")).collect();
        let (a, b) = (dir.write("a.txt", &first), dir.write("b.txt", &more));
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&a),
                "-output",
                "m.bin",
                "-binary",
                "1",
                "-size",
                "8",
                "-min-count",
                "2",
            ],
        );
        ok(&r);
        let model = Word2Vec::load_binary(dir.path("m.bin"), ReadOptions::default()).unwrap();
        // -size left out: the model's; the same file may be -output
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&b),
                "-continue",
                "m.bin",
                "-output",
                "m2.bin",
                "-binary",
                "1",
                "-min-count",
                "2",
                "-save-vocab",
                "v.txt",
            ],
        );
        ok(&r);
        let next = Word2Vec::load_binary(dir.path("m2.bin"), ReadOptions::default()).unwrap();
        assert_eq!(&next.words()[..model.vocab_len()], model.words());
        assert_eq!(&next.words()[model.vocab_len()..], ["prince", "princess"]);
        assert_ne!(next.vector("king").unwrap(), model.vector("king").unwrap());
        assert!(
            r.stdout
                .contains(&format!("Vocab size: {}", model.vocab_len() + 2)),
            "{}",
            r.stdout
        );
        let vocab = fs::read_to_string(dir.path("v.txt")).unwrap();
        assert!(
            vocab.contains("king 40\n") && vocab.contains("prince 80\n"),
            "{vocab}"
        );
        // -output may be the -continue file itself: replaced once training is over
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&b),
                "-continue",
                "m2.bin",
                "-output",
                "m2.bin",
                "-binary",
                "1",
                "-min-count",
                "2",
            ],
        );
        ok(&r);
        let third = Word2Vec::load_binary(dir.path("m2.bin"), ReadOptions::default()).unwrap();
        assert_eq!(third.words(), next.words());
        assert_ne!(third.vector("king").unwrap(), next.vector("king").unwrap());
        // another -size: an error naming both
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&b),
                "-continue",
                "m.bin",
                "-output",
                "m3.bin",
                "-size",
                "10",
            ],
        );
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(
            r.stderr.contains("dimension 8") && r.stderr.contains("-size is 10"),
            "{}",
            r.stderr
        );
        // a missing model
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&b),
                "-continue",
                "nope.bin",
                "-output",
                "m3.bin",
            ],
        );
        assert_eq!(r.code, Some(1));
        assert!(r.stderr.contains("-continue nope.bin"), "{}", r.stderr);
        assert!(!r.stdout.contains("Vocab size"));
        // -eos 1 on a model without </s>
        let r = word2vec(
            &dir,
            &[
                "-train",
                s(&b),
                "-continue",
                "m.bin",
                "-output",
                "m3.bin",
                "-eos",
                "1",
            ],
        );
        assert_eq!(r.code, Some(1));
        assert!(r.stderr.contains("</s>"), "{}", r.stderr);
    }
}
