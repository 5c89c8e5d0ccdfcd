//! Times Elman forward + BPTT on the peers' four configurations and prints one CSV line per
//! case in the peers' format (`name,config,dtype,threads,median_seconds,gflops,min_seconds,reps`),
//! so `../shared/peers/rnn/run_all.sh` can run it beside PyTorch and JAX in one run:
//!
//! `EXTRA_CMD="target/release/examples/rnn_bench" bash run_all.sh`
//!
//! GFLOP/s uses the peers' formula `2·B·T·(H·H + H·I + H·O)·3 / seconds`.
//! Flags: `--configs a,b,c,d`, `--min-time SECONDS` (default 1.0), `--dtypes f32,f64`.
//! Two threads: build with `--features threads` and run with `MATMUL_NUM_THREADS=2`.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::Elman;
use recurrent::Sequence;
use recurrent::grad::{Batch, Bptt, Loss};
use recurrent::scalar::{Real, lit};
use std::time::Instant;

const CONFIGS: [(&str, usize, usize, usize, usize, usize); 4] = [
    ("a", 1, 8, 32, 8, 100),
    ("b", 1, 8, 128, 8, 100),
    ("c", 32, 64, 256, 64, 100),
    ("d", 64, 128, 512, 128, 50),
];

/// Threads the matrix products use: 1 unless built with `--features threads`, then
/// `MATMUL_NUM_THREADS` (matrixmultiply's setting).
fn threads() -> String {
    if cfg!(feature = "threads") {
        std::env::var("MATMUL_NUM_THREADS").unwrap_or_else(|_| "default".into())
    } else {
        "1".into()
    }
}

fn run<T: Real>(
    dtype: &str,
    wanted: &[String],
    min_time: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let threads = threads();
    for (name, b, i, h, o, t) in CONFIGS {
        if !wanted.iter().any(|w| w == name) {
            continue;
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let net = Elman::<T>::builder(i, h, o).build(&mut rng)?;
        let mut seq = |dim: usize| {
            let m = DMatrix::from_fn(dim, t * b, |_, _| lit::<T>(StandardNormal.sample(&mut rng)));
            Sequence::new(m, b)
        };
        let (x, d) = (seq(i)?, seq(o)?);
        let mut ws = Bptt::new(&net, t, b);
        for _ in 0..3 {
            ws.compute(&net, Batch::new(&x, &d), Loss::sum_squared())?;
        }
        let mut times = Vec::new();
        let start = Instant::now();
        while times.len() < 7 || start.elapsed().as_secs_f64() < min_time {
            let t0 = Instant::now();
            ws.compute(&net, Batch::new(&x, &d), Loss::sum_squared())?;
            times.push(t0.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let flops = 2.0 * (b * t * (h * h + h * i + h * o)) as f64 * 3.0;
        println!(
            "recurrent_elman,{name}:B={b};I={i};H={h};O={o};T={t},{dtype},{threads},{median:.6e},{:.2},{:.6e},{}",
            flops / median / 1e9,
            times[0],
            times.len()
        );
    }
    Ok(())
}

/// Times Elman forward + BPTT on the peers' configurations, one CSV line per case
#[derive(clap::Parser)]
#[command(long_about = None)]
struct Args {
    /// Configurations, comma-separated among a, b, c, d
    #[arg(
        long,
        value_name = "LIST",
        default_value = "a,b,c,d",
        value_delimiter = ','
    )]
    configs: Vec<String>,
    /// Element types, comma-separated among f32, f64
    #[arg(
        long,
        value_name = "LIST",
        default_value = "f32,f64",
        value_delimiter = ','
    )]
    dtypes: Vec<String>,
    /// Minimum measured time per case
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    min_time: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = <Args as clap::Parser>::parse();
    let (configs, min_time) = (&args.configs, args.min_time);
    println!("# columns: name,config,dtype,threads,median_seconds,gflops,min_seconds,reps");
    if args.dtypes.iter().any(|d| d == "f32") {
        run::<f32>("float32", configs, min_time)?;
    }
    if args.dtypes.iter().any(|d| d == "f64") {
        run::<f64>("float64", configs, min_time)?;
    }
    Ok(())
}
