//! Part 2 of the tour: Word2Vec, the distributed representation. Trains skip-gram with negative
//! sampling on the shipped King James Bible (≈ 790k words, one thread, so the output is the
//! same on every run), then prints nearest neighbours and one analogy.

use rand::SeedableRng;
use recurrent::word2vec::{Architecture, Word2Vec};
use std::time::Instant;

pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    println!("\n== 2. Word2Vec: from one-hot words to dense vectors (Mikolov et al. 2013)");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt");
    let trainer = Word2Vec::builder()
        .architecture(Architecture::SkipGram)
        .dim(64)
        .epochs(2)
        .build()?;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    let t0 = Instant::now();
    let mut last_loss = 0.0;
    let model = trainer.fit_file(path, &mut rng, |p| {
        if p.epoch_done {
            last_loss = p.mean_loss();
        }
    })?;
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "trained skip-gram + negative sampling on data/kjv.txt: {} words × {} dimensions (one-hot would be {} wide), {:.1} s, final mean loss {:.3}",
        model.vocab_len(),
        model.dim(),
        model.vocab_len(),
        secs,
        last_loss
    );
    for word in ["god", "jerusalem", "gold", "sheep"] {
        let near: Vec<String> = model
            .most_similar(&[word], &[], 5)?
            .into_iter()
            .map(|(w, s)| format!("{w} {s:.2}"))
            .collect();
        println!("  nearest to {word:>10}: {}", near.join(", "));
    }
    let (a, b, c) = ("father", "son", "mother");
    let best = model.analogy(a, b, c, 3)?;
    let shown: Vec<String> = best.iter().map(|(w, s)| format!("{w} {s:.2}")).collect();
    println!("  {a} : {b} :: {c} : ?  (3CosAdd) → {}", shown.join(", "));
    Ok(())
}
