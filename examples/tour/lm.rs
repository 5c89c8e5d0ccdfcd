//! Tour part: a word-level language model. The Word2Vec vectors become the input of an Elman
//! network that predicts the next word of each verse (Mikolov et al. 2010), at a reduced size
//! so the part takes seconds: the first 10,000 verses of data/kjv.txt, 32-d embeddings, 64
//! hidden units, two epochs. `cargo run --release --example language_model` is the full task.

use rand::SeedableRng;
use recurrent::lm::{Bigram, LanguageModel, elman};
use recurrent::text::Vocab;
use recurrent::train::{Adam, Clip, Progress, TrainConfig};
use recurrent::word2vec::Architecture;
use std::time::Instant;

pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "\n== 9. Language model: Word2Vec vectors into an Elman network (Mikolov et al. 2010)"
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
    let w2v = recurrent::Word2Vec::builder()
        .architecture(Architecture::SkipGram)
        .dim(32)
        .min_count(1)
        .epochs(3)
        .build()?
        .fit(|| sentences.iter(), &mut rng, |_| {})?;
    let mut lm = LanguageModel::builder(vocab.clone(), elman::<f32>(32, 64, &mut rng)?)
        .embedding(&w2v)
        .build(&mut rng)?;
    let tokens: usize = tr.iter().map(|s| s.len() + 1).sum();
    println!(
        "{} train verses ({tokens} tokens), vocabulary {} (count ≥ 5, + </s> <unk>); embedding 32 from Word2Vec ({} words matched), Elman 64 units, softmax over {} words",
        tr.len(),
        vocab.len(),
        lm.coverage().map_or(0, |c| c.matched),
        vocab.len()
    );
    let steps = 2 * tr.len().div_ceil(32);
    let config = TrainConfig::new()
        .epochs(2)
        .batch_size(32)
        .clip(Clip::norm(5.0)?);
    let t1 = Instant::now();
    lm.fit(config, Adam::new(3e-3)?, &tr, Some(&va), &mut rng, |p| {
        if let Progress::Step { step, .. } = *p
            && (step + 1) % 100 == 0
        {
            println!("  training: step {}/{steps}", step + 1);
        }
    })?;
    let secs = t1.elapsed().as_secs_f64();
    let counts = Bigram::fit(&tr, vocab.len(), lm.eos())?;
    let k = counts.tune_k(&va)?;
    println!(
        "test perplexity: Elman LM {:.1} after two epochs ({:.0} tokens/s) | add-k bigram {:.1} | add-one unigram {:.1}",
        lm.perplexity(&te)?,
        2.0 * tokens as f64 / secs,
        counts.perplexity(&te, k)?,
        counts.unigram_perplexity(&te)?
    );
    let mut sample = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
    let prompt = lm.encode("and god said");
    let s = lm.generate(&prompt, 20, 1.0, &mut sample)?;
    println!("sampled (temperature 1): and god said {}", lm.decode(&s));
    println!("part time {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}
