//! Part 2 of the tour: Word2Vec, the distributed representation. Trains skip-gram with negative
//! sampling on the shipped King James Bible (≈ 790k words, one thread, so the output is the
//! same on every run), then prints nearest neighbours and one analogy.

use rand::SeedableRng;
use recurrent::word2vec::{Architecture, Word2Vec};
use std::time::Instant;

pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    crate::story::heading(
        "2",
        "Word2Vec: from one-hot words to dense vectors (Mikolov et al. 2013)",
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt");
    let trainer = Word2Vec::builder()
        .architecture(Architecture::SkipGram)
        .dim(64)
        .epochs(2)
        .build()?;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    let t0 = Instant::now();
    let mut last_loss = 0.0;
    let bar = crate::progress::Progress::new("  word2vec", 1, "words");
    let mut show = crate::progress::word2vec(&bar);
    let model = trainer.fit_file(path, &mut rng, |p| {
        show(p);
        if p.epoch_done {
            last_loss = p.mean_loss();
        }
    })?;
    bar.finish();
    let secs = t0.elapsed().as_secs_f64();
    crate::text::say(&format!(
        "trained skip-gram with negative sampling on data/kjv.txt (2 passes, one thread): \
         {} words × {} dimensions, where a one-hot column would be {} wide; {:.1} s, final \
         mean loss {:.3}",
        model.vocab_len(),
        model.dim(),
        model.vocab_len(),
        secs,
        last_loss
    ));
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
    let near_god = model.most_similar(&["god"], &[], 3)?;
    let near: Vec<&str> = near_god.iter().map(|(w, _)| w.as_str()).collect();
    crate::story::headline(&format!(
        "{} words as {}-dimensional vectors; nearest to \"god\": {}; father : son :: mother : {}.",
        model.vocab_len(),
        model.dim(),
        near.join(", "),
        best.first().map_or("?", |(w, _)| w.as_str())
    ));
    Ok(())
}
