//! Contracts of multi-threaded Word2Vec training: the deterministic mode gives the same bytes
//! on every run (2 and 3 threads, from a file and from an iterator, skip-gram and CBOW,
//! negative sampling and hierarchical softmax) and still learns; Hogwild stays the default;
//! the per-thread file readers read every word once (the word count and the learning-rate
//! decay come out right).

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::word2vec::{Architecture, Word2Vec, Word2VecBuilder, Word2VecProgress};
use std::path::{Path, PathBuf};

/// A fresh folder under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("recurrent-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    fn join(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Two topics that never share a sentence (`a0..a9`, `b0..b9`), sentences of 4 to 12 words,
/// one per line.
fn two_topics(seed: u64, sentences: usize) -> Vec<String> {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..sentences)
        .map(|_| {
            let topic = if r.random_range(0..2u32) == 0 {
                "a"
            } else {
                "b"
            };
            let len = r.random_range(4..13usize);
            (0..len)
                .map(|_| format!("{topic}{}", r.random_range(0..10u32)))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn write_corpus(dir: &TempDir, lines: &[String]) -> PathBuf {
    let path = dir.join("corpus.txt");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn builder(arch: Architecture, hs: bool) -> Word2VecBuilder {
    Word2Vec::builder()
        .architecture(arch)
        .dim(16)
        .window(3)
        .min_count(1)
        .sample(1e-2)
        .epochs(2)
        .hs(hs)
        .negative(if hs { 0 } else { 4 })
}

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// Trains on the file and saves the vectors in the binary format; returns the bytes.
fn file_bytes(b: Word2VecBuilder, corpus: &Path, out: &Path, seed: u64) -> Vec<u8> {
    let model = b
        .build()
        .unwrap()
        .fit_file(corpus, &mut rng(seed), |_| {})
        .unwrap();
    model.save_binary(out).unwrap();
    std::fs::read(out).unwrap()
}

#[test]
fn deterministic_threads_give_the_same_bytes_from_a_file() {
    let dir = TempDir::new("w2v-det-file");
    // About 96,000 words: several rounds per thread and epoch.
    let corpus = write_corpus(&dir, &two_topics(1, 12_000));
    let configs = [
        (Architecture::SkipGram, false),
        (Architecture::Cbow, false),
        (Architecture::SkipGram, true),
    ];
    for (arch, hs) in configs {
        for threads in [2, 3] {
            let b = builder(arch, hs).threads(threads).deterministic(true);
            let first = file_bytes(b.clone(), &corpus, &dir.join("a.bin"), 7);
            let second = file_bytes(b.clone(), &corpus, &dir.join("b.bin"), 7);
            assert!(
                first.len() > 20 * 16 * 4,
                "{arch:?} hs {hs}: a vectors file"
            );
            assert!(
                first == second,
                "{arch:?} hs {hs}, {threads} threads: the two runs differ"
            );
            // The seed matters: another seed gives other vectors.
            let other = file_bytes(b, &corpus, &dir.join("c.bin"), 8);
            assert_ne!(first, other, "{arch:?} hs {hs}, {threads} threads");
        }
    }
}

#[test]
fn deterministic_threads_give_the_same_vectors_from_an_iterator() {
    let lines = two_topics(2, 8_000);
    for (arch, hs) in [(Architecture::SkipGram, false), (Architecture::Cbow, true)] {
        for threads in [2, 3] {
            let t = builder(arch, hs)
                .threads(threads)
                .deterministic(true)
                .build()
                .unwrap();
            let fit = || t.fit(|| lines.iter(), &mut rng(3), |_| {}).unwrap();
            let (a, b) = (fit(), fit());
            assert!(a == b, "{arch:?} hs {hs}, {threads} threads");
        }
    }
}

#[test]
fn hogwild_is_the_default() {
    let t = Word2Vec::builder().threads(2).build().unwrap();
    assert!(!t.deterministic());
    assert!(!Word2Vec::builder().build().unwrap().deterministic());
    assert!(
        t.to_builder()
            .deterministic(true)
            .build()
            .unwrap()
            .deterministic()
    );
}

/// Mean cosine similarity within the topics minus across them.
fn topic_gap(m: &Word2Vec) -> f32 {
    let (mut within, mut across, mut nw, mut na) = (0.0, 0.0, 0, 0);
    for i in 0..10 {
        for j in 0..10 {
            for (x, y, same) in [("a", "a", true), ("a", "b", false)] {
                if same && i == j {
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
fn deterministic_training_learns_the_topics() {
    let dir = TempDir::new("w2v-det-learn");
    let corpus = write_corpus(&dir, &two_topics(4, 12_000));
    for arch in [Architecture::SkipGram, Architecture::Cbow] {
        // One tiny step: the vectors stay near their random start.
        let barely = builder(arch, false)
            .epochs(1)
            .alpha(1e-6)
            .min_alpha(1e-6)
            .threads(2)
            .deterministic(true)
            .build()
            .unwrap()
            .fit_file(&corpus, &mut rng(5), |_| {})
            .unwrap();
        let trained = builder(arch, false)
            .threads(2)
            .deterministic(true)
            .build()
            .unwrap()
            .fit_file(&corpus, &mut rng(5), |_| {})
            .unwrap();
        let (before, after) = (topic_gap(&barely), topic_gap(&trained));
        assert!(before.abs() < 0.2, "{arch:?}: gap at the start {before}");
        assert!(after > 0.3, "{arch:?}: gap after training {after}");
    }
}

/// The closing report of each epoch, for a run on `threads` threads.
fn epoch_ends(b: Word2VecBuilder, corpus: &Path) -> Vec<Word2VecProgress> {
    let mut ends = Vec::new();
    b.build()
        .unwrap()
        .fit_file(corpus, &mut rng(1), |p| {
            if p.epoch_done {
                ends.push(*p);
            }
        })
        .unwrap();
    ends
}

#[test]
fn every_thread_mode_reads_every_word_once_per_epoch() {
    let dir = TempDir::new("w2v-parts");
    let corpus = write_corpus(&dir, &two_topics(6, 3_001));
    let total: u64 = std::fs::read_to_string(&corpus)
        .unwrap()
        .split_whitespace()
        .count() as u64;
    for threads in [1, 2, 3, 5] {
        for det in [false, true] {
            let b = builder(Architecture::Cbow, false)
                .epochs(3)
                .threads(threads)
                .deterministic(det);
            let ends = epoch_ends(b.clone(), &corpus);
            assert_eq!(ends.len(), 3);
            for (e, p) in ends.iter().enumerate() {
                assert_eq!(
                    p.words,
                    total * (e as u64 + 1),
                    "{threads} threads, det {det}"
                );
            }
            let last = ends[2];
            assert_eq!(last.fraction(), 1.0);
            // The learning rate has decayed to its floor with the words read.
            let min_alpha = b.build().unwrap().min_alpha();
            assert_eq!(last.alpha, min_alpha, "{threads} threads, det {det}");
        }
    }
}

#[test]
fn deterministic_iterator_reads_every_word_once_per_epoch() {
    let lines = two_topics(9, 2_000);
    let total: u64 = lines
        .iter()
        .map(|l| l.split_whitespace().count() as u64)
        .sum();
    for threads in [2, 4] {
        let t = builder(Architecture::SkipGram, false)
            .threads(threads)
            .deterministic(true)
            .build()
            .unwrap();
        let mut ends = Vec::new();
        t.fit(
            || lines.iter(),
            &mut rng(1),
            |p| {
                if p.epoch_done {
                    ends.push(p.words);
                }
            },
        )
        .unwrap();
        assert_eq!(ends, [total, 2 * total], "{threads} threads");
    }
}

#[test]
fn a_missing_file_is_an_error_in_every_mode() {
    let dir = TempDir::new("w2v-missing");
    let corpus = write_corpus(&dir, &two_topics(1, 100));
    let t = builder(Architecture::Cbow, false).build().unwrap();
    let vocab = t.build_vocab(two_topics(1, 100)).unwrap();
    for det in [false, true] {
        let t = t
            .to_builder()
            .threads(2)
            .deterministic(det)
            .build()
            .unwrap();
        let r = t.train_file(&vocab, dir.join("nope.txt"), &mut rng(1), |_| {});
        assert!(
            matches!(r, Err(recurrent::Error::Io { .. })),
            "det {det}: {r:?}"
        );
        assert!(t.train_file(&vocab, &corpus, &mut rng(1), |_| {}).is_ok());
    }
}

/// The command line's `-deterministic 1`: two runs on three threads, the same bytes; the
/// flag is in the manual, and a malformed value is a usage error.
#[cfg(feature = "cli")]
#[test]
fn cli_deterministic_threads_give_the_same_file() {
    use std::process::Command;
    let bin = env!("CARGO_BIN_EXE_word2vec");
    let dir = TempDir::new("w2v-cli-det");
    let corpus = write_corpus(&dir, &two_topics(11, 6_000));
    let run = |out: &str, extra: &[&str]| {
        let o = dir.join(out);
        let status = Command::new(bin)
            .args([
                "-train",
                corpus.to_str().unwrap(),
                "-output",
                o.to_str().unwrap(),
            ])
            .args([
                "-size",
                "12",
                "-min-count",
                "1",
                "-iter",
                "2",
                "-binary",
                "1",
            ])
            .args(["-cbow", "0", "-threads", "3", "-debug", "0"])
            .args(extra)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(o).unwrap()
    };
    let a = run("a.bin", &["-deterministic", "1"]);
    let b = run("b.bin", &["-deterministic", "1", "-seed", "1"]);
    assert!(a.len() > 20 * 12 * 4);
    assert!(a == b, "-deterministic 1: two runs differ");
    assert_ne!(a, run("c.bin", &["-deterministic", "1", "-seed", "2"]));
    let manual = Command::new(bin).arg("-help").output().unwrap();
    assert!(String::from_utf8_lossy(&manual.stdout).contains("    -deterministic INT"));
    let bad = Command::new(bin)
        .args(["-train", corpus.to_str().unwrap(), "-deterministic", "yes"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// The closing reports of each epoch of `fit_file`, and the model.
fn fit_file_ends(
    b: &Word2VecBuilder,
    corpus: &Path,
    seed: u64,
) -> (Word2Vec, Vec<Word2VecProgress>) {
    let mut ends = Vec::new();
    let model = b
        .clone()
        .build()
        .unwrap()
        .fit_file(corpus, &mut rng(seed), |p| {
            if p.epoch_done {
                ends.push(*p);
            }
        })
        .unwrap();
    (model, ends)
}

#[test]
fn deterministic_threads_with_keep_eos_count_line_ends_and_repeat() {
    let dir = TempDir::new("w2v-det-eos");
    // Every fifth line holds a literal </s> in its middle (the same token as a line end).
    let mut lines = two_topics(11, 6_000);
    for (i, l) in lines.iter_mut().enumerate() {
        if i % 5 == 0 {
            let mut w: Vec<&str> = l.split(' ').collect();
            w.insert(w.len() / 2, "</s>");
            *l = w.join(" ");
        }
    }
    let corpus = write_corpus(&dir, &lines);
    let words = lines
        .iter()
        .map(|l| l.split_whitespace().count() as u64)
        .sum::<u64>();
    // Each line end is one more word read, as the C tool's </s>.
    let per_epoch = words + lines.len() as u64;
    for det in [true, false] {
        let b = builder(Architecture::SkipGram, false)
            .epochs(2)
            .threads(2)
            .keep_eos(true)
            .deterministic(det);
        let (first, ends) = fit_file_ends(&b, &corpus, 5);
        assert_eq!(first.index("</s>"), Some(0), "det {det}");
        let seen: Vec<u64> = ends.iter().map(|p| p.words).collect();
        assert_eq!(seen, [per_epoch, 2 * per_epoch], "det {det}");
        let last = ends[1];
        assert_eq!(last.total_words, 2 * per_epoch, "det {det}");
        assert_eq!(last.fraction(), 1.0, "det {det}");
        let min_alpha = b.clone().build().unwrap().min_alpha();
        assert_eq!(last.alpha, min_alpha, "det {det}");
        if det {
            let (second, _) = fit_file_ends(&b, &corpus, 5);
            let (a, c) = (dir.join("a.bin"), dir.join("b.bin"));
            first.save_binary(&a).unwrap();
            second.save_binary(&c).unwrap();
            let (a, c) = (std::fs::read(a).unwrap(), std::fs::read(c).unwrap());
            assert!(a.len() > 20 * 16 * 4);
            assert!(a == c, "deterministic keep_eos: the two runs differ");
        }
    }
    // The iterator batches, dealt to the deterministic threads, count the line ends too.
    let t = builder(Architecture::Cbow, false)
        .threads(2)
        .keep_eos(true)
        .deterministic(true)
        .build()
        .unwrap();
    let mut ends = Vec::new();
    let a = t
        .fit(
            || lines.iter(),
            &mut rng(2),
            |p| {
                if p.epoch_done {
                    ends.push(p.words);
                }
            },
        )
        .unwrap();
    assert_eq!(ends, [per_epoch, 2 * per_epoch]);
    let b = t.fit(|| lines.iter(), &mut rng(2), |_| {}).unwrap();
    assert!(a == b, "deterministic keep_eos from an iterator");
}

#[test]
fn continued_training_runs_on_the_thread_modes() {
    let dir = TempDir::new("w2v-det-continue");
    let first_part = two_topics(12, 2_000);
    let mut second_part = two_topics(13, 2_000);
    // Words the first model lacks, added by the update.
    second_part.push("c0 c1 c2 c0 c1 c2".into());
    let corpus = write_corpus(&dir, &second_part);
    let per_epoch: u64 = second_part
        .iter()
        .map(|l| l.split_whitespace().count() as u64)
        .sum();
    for det in [true, false] {
        let t = builder(Architecture::SkipGram, false)
            .threads(2)
            .deterministic(det)
            .build()
            .unwrap();
        let old = t.fit(|| first_part.iter(), &mut rng(1), |_| {}).unwrap();
        let go = |seed| {
            let mut ends = Vec::new();
            let m = t
                .continue_fit_file(&old, &corpus, &mut rng(seed), |p| {
                    if p.epoch_done {
                        ends.push(*p);
                    }
                })
                .unwrap();
            (m, ends)
        };
        let (a, ends) = go(4);
        assert_eq!(
            a.index("a0"),
            old.index("a0"),
            "det {det}: old words keep their place"
        );
        assert!(a.index("c0").is_some(), "det {det}: a new word");
        assert_eq!(ends.len(), 2);
        assert_eq!(ends[1].words, 2 * per_epoch, "det {det}");
        assert_eq!(ends[1].fraction(), 1.0, "det {det}");
        assert_ne!(
            a.vector("a0").unwrap(),
            old.vector("a0").unwrap(),
            "det {det}"
        );
        if det {
            let (b, _) = go(4);
            assert!(a == b, "deterministic continued training repeats");
            let c = t
                .continue_fit(&old, || second_part.iter(), &mut rng(4), |_| {})
                .unwrap();
            let d = t
                .continue_fit(&old, || second_part.iter(), &mut rng(4), |_| {})
                .unwrap();
            assert!(
                c == d,
                "deterministic continued training from an iterator repeats"
            );
        }
    }
}
