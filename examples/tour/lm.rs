//! Tour part: a word-level language model. The Word2Vec vectors become the input of an Elman
//! network that predicts the next word of each verse (Mikolov et al. 2010), at a reduced size
//! so the part takes seconds: the first 10,000 verses of data/kjv.txt, 32-d embeddings, 64
//! hidden units, two epochs. `cargo run --release --example language_model` is the full task.

use crate::plot::{Plot, Series};
use rand::SeedableRng;
use recurrent::lm::{Bigram, LanguageModel, elman};
use recurrent::text::Vocab;
use recurrent::train::{Adam, Clip, Progress, TrainConfig};
use recurrent::word2vec::Architecture;
use std::path::Path;
use std::time::Instant;

pub fn run(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    crate::story::heading(
        "9",
        "Language model: Word2Vec vectors into an Elman network (Mikolov et al. 2010)",
    );
    crate::text::say(
        "  The pieces joined: each word's Word2Vec vector (part 2) is the input of an Elman \
         network (part 4) that predicts the next word. Perplexity is the number of words the \
         model is, on average, as unsure between as a uniform guess would be: lower is better.",
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt");
    let text = std::fs::read_to_string(path)?;
    let lines: Vec<&str> = text.lines().take(10_000).collect();
    let pick = |r: usize| -> Vec<&str> {
        let keep = |i: &usize| match r {
            9 => i % 10 == 9,
            8 => i % 10 == 8,
            _ => i % 10 < 8,
        };
        (0..lines.len()).filter(keep).map(|i| lines[i]).collect()
    };
    let (train, valid, test) = (pick(0), pick(8), pick(9));
    let vocab = Vocab::for_language_model(&train, 5)?;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    let t0 = Instant::now();
    // Word2Vec on the train verses only, rare words as <unk>, </s> closing each verse
    let probe =
        LanguageModel::builder(vocab.clone(), elman::<f32>(1, 1, &mut rng)?).build(&mut rng)?;
    let enc = |s: &[&str]| -> Vec<Vec<usize>> { s.iter().map(|l| probe.encode(l)).collect() };
    let (tr, va, te) = (enc(&train), enc(&valid), enc(&test));
    let sentences: Vec<Vec<&str>> = tr
        .iter()
        .map(|s| {
            s.iter()
                .map(|k| vocab.words()[*k].as_str())
                .chain(["</s>"])
                .collect()
        })
        .collect();
    let bar = crate::progress::Progress::new("  word2vec", 1, "words");
    let w2v = recurrent::Word2Vec::builder()
        .architecture(Architecture::SkipGram)
        .dim(32)
        .min_count(1)
        .epochs(3)
        .build()?
        .fit(
            || sentences.iter(),
            &mut rng,
            crate::progress::word2vec(&bar),
        )?;
    bar.finish();
    let mut lm = LanguageModel::builder(vocab.clone(), elman::<f32>(32, 64, &mut rng)?)
        .embedding(&w2v)
        .build(&mut rng)?;
    let tokens: usize = tr.iter().map(|s| s.len() + 1).sum();
    crate::text::say(&format!(
        "{} train verses ({tokens} tokens) of the first 10,000, vocabulary {} (count ≥ 5, plus \
         </s> and <unk>); 32-d embedding from Word2Vec ({} words matched), Elman layer of 64 \
         units, softmax over {} words",
        tr.len(),
        vocab.len(),
        lm.coverage().map_or(0, |c| c.matched),
        vocab.len()
    ));
    let steps = 2 * tr.len().div_ceil(32);
    let config = TrainConfig::new()
        .epochs(2)
        .batch_size(32)
        .clip(Clip::norm(5.0)?);
    let t1 = Instant::now();
    let bar = crate::progress::Progress::new("  training", steps as u64, "batches");
    let mut curve = Vec::new();
    lm.fit(config, Adam::new(3e-3)?, &tr, Some(&va), &mut rng, |p| {
        if let Progress::Step { step, loss, .. } = *p {
            bar.set(step as u64 + 1);
            curve.push((step as f64 + 1.0, f64::from(loss).exp()));
        }
    })?;
    bar.finish();
    let secs = t1.elapsed().as_secs_f64();
    let counts = Bigram::fit(&tr, vocab.len(), lm.eos())?;
    let k = counts.tune_k(&va)?;
    let (ppl, bigram, unigram) = (
        lm.perplexity(&te)?,
        counts.perplexity(&te, k)?,
        counts.unigram_perplexity(&te)?,
    );
    crate::text::say(&format!(
        "test perplexity: Elman LM {ppl:.1} after two epochs ({:.0} tokens/s) | add-k bigram \
         {bigram:.1} | add-one unigram {unigram:.1}",
        2.0 * tokens as f64 / secs,
    ));
    let mut plot = Plot::new(
        "Elman language model on 8,000 KJV verses: training perplexity per batch",
        "optimiser step (batch of 32 verses)",
        "perplexity (log scale)",
    )
    .log_y();
    // a running mean over 20 batches, so the trend shows through the noise
    let smooth: Vec<(f64, f64)> = (0..curve.len())
        .map(|i| {
            let lo = i.saturating_sub(19);
            let w = &curve[lo..=i];
            let mean_ln = w.iter().map(|p| p.1.ln()).sum::<f64>() / w.len() as f64;
            (curve[i].0, mean_ln.exp())
        })
        .collect();
    plot.series.push(Series::line(
        "Elman LM, 20-batch geometric mean",
        "#1f77b4",
        smooth,
    ));
    plot.hlines
        .push((bigram, format!("add-k bigram on test: {bigram:.0}")));
    plot.hlines
        .push((unigram, format!("unigram on test: {unigram:.0}")));
    crate::plot::announce(&plot.save(out, "tour_language_model.svg")?);
    crate::story::headline(&format!(
        "Test perplexity of the small Elman language model: {ppl:.1}, against {bigram:.1} for an \
         add-k bigram and {unigram:.1} for a unigram model on the same verses."
    ));
    let mut sample = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
    let prompt = lm.encode("and god said");
    let s = lm.generate(&prompt, 20, 1.0, &mut sample)?;
    crate::text::say(&format!(
        "sampled (temperature 1): and god said {}",
        lm.decode(&s)
    ));
    println!("part time {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}
