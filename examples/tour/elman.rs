//! Part 4 of the tour: an Elman network learns Elman's (1990) temporal XOR task with BPTT,
//! and the gradient it learns from is checked against finite differences.

use crate::elman_paper::paper::xor_stream;
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use recurrent::activation::Activation;
use recurrent::grad::{Batch, Bptt, CheckOptions, Loss, check};
use recurrent::{Elman, Parameters, Recurrent, Sequence};
use std::error::Error;

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

pub fn run() -> Result<(), Box<dyn Error>> {
    println!("\n== 4. Elman (1990): temporal XOR, trained by BPTT");
    println!("  a 1-8-1 Elman network (tanh hidden, logistic output) with full BPTT over 30-step");
    println!(
        "  windows; part 4b below runs the same task with Elman's own logistic 1-2-1 and 1-4-1"
    );
    println!(
        "  networks, trained his way (one step back, BPTT(1,1)) and with BPTT through 12 steps"
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
    let mut ws = Bptt::new(&net, steps, batch);
    let mut velocity = vec![0.0; net.n_params()];
    let (lr, momentum) = (0.5, 0.9);
    for epoch in 0..=600 {
        let loss = ws.compute(&net, Batch::new(&x, &d), Loss::mse())?;
        if epoch % 100 == 0 {
            println!("  epoch {epoch:>3}: mean squared error {loss:.4}");
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
    println!(
        "  mean |error| predicting bit 1 (random): {:.3}, bit 2 (random): {:.3}, bit 3 = XOR: {:.3}",
        err[0] / count[0] as f64,
        err[1] / count[1] as f64,
        err[2] / count[2] as f64
    );
    let (cx, cd) = batches(&bits, 12, 2)?;
    let report = check(
        &net,
        Batch::new(&cx, &cd),
        Loss::mse(),
        CheckOptions::default(),
    )?;
    println!(
        "  gradient check (BPTT vs 4-point central differences, {} numbers): max relative error {:.2e}",
        report.checked, report.max_rel_error
    );
    Ok(())
}
