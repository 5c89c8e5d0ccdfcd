//! Word-vector files and queries: reading and writing the word2vec text and binary formats
//! for V = 10,000 words of dimension 100 (in memory, so the disk is not measured; also read
//! with the format told from the first record), and one `most_similar` query by the
//! cached-norm `f32` scan against the trait's provided `f64` implementation.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::Embedding;
use recurrent::word2vec::{
    ReadOptions, Word2Vec, read_word2vec, read_word2vec_binary, read_word2vec_text,
    write_word2vec_binary, write_word2vec_text,
};
use std::hint::black_box;
use std::time::Duration;

fn model(n: usize, dim: usize) -> Word2Vec {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    let words = (0..n).map(|i| format!("word{i}")).collect();
    let v = (0..n * dim)
        .map(|_| rng.random_range(-0.5f32..0.5))
        .collect();
    Word2Vec::from_parts(words, vec![1; n], dim, v).expect("consistent sizes")
}

/// The same vectors behind the trait's provided queries.
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

fn files(c: &mut Criterion) {
    let (n, dim) = (10_000, 100);
    let m = model(n, dim);
    let (mut text, mut binary) = (Vec::new(), Vec::new());
    write_word2vec_text(&m, &mut text).expect("in memory");
    write_word2vec_binary(&m, &mut binary).expect("in memory");
    let mut group = c.benchmark_group("word2vec_io");
    group
        .measurement_time(Duration::from_secs(4))
        .sample_size(20);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("read_text", n), |b| {
        b.iter(|| read_word2vec_text(black_box(&text[..]), ReadOptions::default()))
    });
    group.bench_function(BenchmarkId::new("read_binary", n), |b| {
        b.iter(|| read_word2vec_binary(black_box(&binary[..]), ReadOptions::default()))
    });
    // The format told from the first record: the same readers behind a 4 KiB look-ahead.
    group.bench_function(BenchmarkId::new("read_auto_text", n), |b| {
        b.iter(|| read_word2vec(black_box(&text[..]), ReadOptions::default()))
    });
    group.bench_function(BenchmarkId::new("read_auto_binary", n), |b| {
        b.iter(|| read_word2vec(black_box(&binary[..]), ReadOptions::default()))
    });
    group.bench_function(BenchmarkId::new("write_text", n), |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(text.len());
            write_word2vec_text(black_box(&m), &mut out).map(|_| out.len())
        })
    });
    group.bench_function(BenchmarkId::new("write_binary", n), |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(binary.len());
            write_word2vec_binary(black_box(&m), &mut out).map(|_| out.len())
        })
    });
    group.finish();
}

fn queries(c: &mut Criterion) {
    let (n, dim) = (10_000, 100);
    let m = model(n, dim);
    let r = Reference(&m);
    let _ = m.most_similar(&["word1"], &[], 1); // build the norm cache outside the timing
    let mut group = c.benchmark_group("word2vec_most_similar");
    group
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    group.bench_function(BenchmarkId::new("cached_f32_scan", n), |b| {
        b.iter(|| m.most_similar(black_box(&["word7", "word9"]), &["word3"], 10))
    });
    group.bench_function(BenchmarkId::new("provided_f64", n), |b| {
        b.iter(|| r.most_similar(black_box(&["word7", "word9"]), &["word3"], 10))
    });
    group.bench_function(BenchmarkId::new("cosmul", n), |b| {
        b.iter(|| m.most_similar_cosmul(black_box(&["word7", "word9"]), &["word3"], 10))
    });
    group.finish();
}

criterion_group!(benches, files, queries);
criterion_main!(benches);
