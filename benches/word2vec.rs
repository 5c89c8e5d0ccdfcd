//! Word2Vec training throughput (corpus words per second) on the first 3,000 verses of the
//! shipped King James Bible (≈ 80k words), one epoch, one thread (the deterministic mode),
//! d = 100, window 5, sample 10⁻³, min_count 5 (the settings of the side-by-side comparison
//! with the C tool, gensim and fastText, which runs `examples/word2vec.rs` on a larger corpus).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use recurrent::word2vec::{Architecture, Word2Vec};
use std::hint::black_box;

fn corpus() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt");
    std::fs::read_to_string(path)
        .expect("data/kjv.txt ships with the crate")
        .lines()
        .take(3000)
        .map(str::to_string)
        .collect()
}

fn training(c: &mut Criterion) {
    let corpus = corpus();
    let mut group = c.benchmark_group("word2vec_train");
    group.sample_size(10);
    let configs = [
        ("sg-neg", Architecture::SkipGram, false, 5, 0.025),
        ("cbow-neg", Architecture::Cbow, false, 5, 0.05),
        ("sg-hs", Architecture::SkipGram, true, 0, 0.025),
    ];
    for (name, arch, hs, neg, alpha) in configs {
        let trainer = Word2Vec::builder()
            .architecture(arch)
            .hs(hs)
            .negative(neg)
            .alpha(alpha)
            .epochs(1)
            .build()
            .expect("valid configuration");
        let vocab = trainer.build_vocab(&corpus).expect("non-empty corpus");
        group.throughput(Throughput::Elements(vocab.total()));
        group.bench_with_input(BenchmarkId::new(name, vocab.total()), &vocab, |b, vocab| {
            b.iter(|| {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
                black_box(
                    trainer
                        .train(vocab, || corpus.iter(), &mut rng, |_| {})
                        .expect("training succeeds"),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, training);
criterion_main!(benches);
