//! Part 4 of the tour: an Elman network learns Elman's (1990) temporal XOR task with BPTT,
//! and the gradient it learns from is checked against finite differences.

use crate::elman_paper::paper::xor_stream;
use crate::plot::{Plot, Series};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use recurrent::activation::Activation;
use recurrent::grad::{Batch, Bptt, CheckOptions, Loss, check};
use recurrent::{Elman, Parameters, Recurrent, Sequence};
use std::error::Error;
use std::path::Path;

/// Cuts the stream into `batch` parallel sequences of `steps` (input bit t, target bit t+1).
fn batches(
    bits: &[f64],
    steps: usize,
    batch: usize,
) -> Result<(Sequence<f64>, Sequence<f64>), Box<dyn Error>> {
    let mut x = DMatrix::zeros(1, steps * batch);
    let mut d = DMatrix::zeros(1, steps * batch);
    for b in 0..batch {
        for t in 0..steps {
            let k = b * steps + t;
            x[(0, t * batch + b)] = bits[k];
            d[(0, t * batch + b)] = bits[k + 1];
        }
    }
    Ok((Sequence::new(x, batch)?, Sequence::new(d, batch)?))
}

pub fn run(out: &Path) -> Result<(), Box<dyn Error>> {
    crate::story::heading("4", "Elman (1990): temporal XOR, trained by BPTT");
    crate::text::say(
        "  The task: a stream of random bit pairs, each followed by its XOR, read one bit at a \
         time; the network predicts the next bit, so only every third bit can be predicted.",
    );
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1990);
    let bits = xor_stream(1000, &mut rng);
    // 3,000 bits as 99 sequences of 30 steps; every third target is predictable
    let (steps, batch) = (30, 99);
    let (x, d) = batches(&bits, steps, batch)?;
    let mut net = Elman::<f64>::builder(1, 8, 1)
        .hidden(Activation::Tanh)
        .output(Activation::Sigmoid)
        .build(&mut rng)?;
    crate::text::say(&format!(
        "  The network: 1 input, 8 tanh hidden units with 8 context units, 1 logistic output \
         (1-8-1, {} parameters), trained by full BPTT over {batch} windows of {steps} steps, \
         gradient descent with momentum 0.9, 600 epochs.",
        net.n_params()
    ));
    let mut ws = Bptt::new(&net, steps, batch);
    let mut curve = Vec::new();
    let mut velocity = vec![0.0; net.n_params()];
    let (lr, momentum) = (0.5, 0.9);
    for epoch in 0..=600 {
        let loss = ws.compute(&net, Batch::new(&x, &d), Loss::mse())?;
        curve.push((epoch as f64, 2.0 * loss));
        if epoch % 100 == 0 {
            println!("  epoch {epoch:>3}: loss (half the mean squared error) {loss:.4}");
        }
        for ((p, v), g) in net
            .params_mut()
            .iter_mut()
            .zip(&mut velocity)
            .zip(ws.grad())
        {
            *v = momentum * *v - lr * g;
            *p += *v;
        }
    }
    // error by position within the triple, on a fresh stream
    let test = xor_stream(300, &mut rng);
    let (tx, td) = batches(&test, 30, 29)?;
    let run = net.run(&tx, None)?;
    let mut err = [0.0f64; 3];
    let mut count = [0usize; 3];
    for b in 0..29 {
        for t in 0..30 {
            let k = b * 30 + t + 1; // index of the predicted bit
            let e = (run.outputs.step(t)[(0, b)] - td.step(t)[(0, b)]).abs();
            err[k % 3] += e;
            count[k % 3] += 1;
        }
    }
    let mean = |k: usize| err[k] / count[k] as f64;
    println!(
        "  mean |error| on a new stream: bit 1 (random) {:.3}, bit 2 (random) {:.3}, \
         bit 3 = XOR {:.3}",
        mean(0),
        mean(1),
        mean(2)
    );
    let mut plot = Plot::new(
        "Temporal XOR: training error of the 1-8-1 Elman network (full BPTT, 30-step windows)",
        "epoch",
        "mean squared error per bit",
    );
    plot.y_range = Some((0.0, 0.3));
    plot.series
        .push(Series::line("1-8-1, BPTT(30)", "#1f77b4", curve));
    plot.hlines.push((
        1.0 / 6.0,
        "every third bit learnt, others at chance (1/6)".into(),
    ));
    crate::plot::announce(&plot.save(out, "tour_elman_xor_training.svg")?);
    let (cx, cd) = batches(&bits, 12, 2)?;
    let report = check(
        &net,
        Batch::new(&cx, &cd),
        Loss::mse(),
        CheckOptions::default(),
    )?;
    println!(
        "  gradient check (BPTT against 4-point central differences, {} numbers): \
         max relative error {:.2e}",
        report.checked, report.max_rel_error
    );
    crate::story::headline(&format!(
        "A 1-8-1 Elman network ({} parameters) learns temporal XOR: mean |error| {:.3} on the \
         XOR bits against {:.3} and {:.3} on the random ones; BPTT matches finite \
         differences to {:.1e}.",
        net.n_params(),
        mean(2),
        mean(0),
        mean(1),
        report.max_rel_error
    ));
    Ok(())
}
