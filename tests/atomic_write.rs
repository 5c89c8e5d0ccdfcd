//! Crash safety of `io::write_atomic`, tested rather than designed: a child process saves a
//! large model over and over, and is killed with SIGKILL at seeded random moments. After each
//! kill the file must be the previous model or the new one, complete, never a torn mixture.
//!
//! The child is this test binary run again with `RECURRENT_ATOMIC_CHILD` set, so no extra
//! binary is needed: `child_writer` does nothing unless that variable names a writer mode.
//! A control run with a plain `File::create` writer shows that the check does catch torn
//! files (it must see at least one), so a pass means something.
#![cfg(unix)]

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::word2vec::{Word2Vec, write_word2vec_binary};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Selects the child's writer: `atomic` (`io::write_atomic`) or `direct` (`File::create`,
/// then the model computed and its records written one by one into the file).
const MODE_VAR: &str = "RECURRENT_ATOMIC_CHILD";
/// The file the child writes.
const PATH_VAR: &str = "RECURRENT_ATOMIC_PATH";

/// 16,384 words × 32 dimensions: a 2.1 MB binary file, long enough to be caught mid-write.
const WORDS: usize = 16_384;
const DIM: usize = 32;

/// The model of version `v`: its first word names the version, its values are seeded by it.
fn model(v: u64) -> Word2Vec {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(v);
    let words = (0..WORDS)
        .map(|i| {
            if i == 0 {
                format!("v{v}")
            } else {
                format!("w{i}")
            }
        })
        .collect();
    let vectors = (0..WORDS * DIM)
        .map(|_| rng.random_range(-1.0f32..1.0))
        .collect();
    Word2Vec::from_parts(words, vec![1; WORDS], DIM, vectors).expect("consistent sizes")
}

/// The file of version `v`, made once per version.
fn bytes(v: u64) -> Vec<u8> {
    static MADE: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let mut made = MADE.lock().unwrap();
    let v = usize::try_from(v).unwrap();
    while made.len() <= v {
        let mut out = Vec::new();
        write_word2vec_binary(&model(made.len() as u64), &mut out).expect("writable words");
        made.push(out);
    }
    made[v].clone()
}

/// The version a complete file holds, or `None` if it is torn (cut, mixed, or empty).
fn version_of(file: &[u8]) -> Option<u64> {
    let header = format!("{WORDS} {DIM}\nv");
    let rest = file.strip_prefix(header.as_bytes())?;
    let end = rest.iter().position(|&b| b == b' ')?;
    let v: u64 = std::str::from_utf8(&rest[..end]).ok()?.parse().ok()?;
    // A torn file may still name a huge version in a half-written first word.
    (v < 10_000 && file == bytes(v)).then_some(v)
}

/// Not a test of its own: the body of the child process (a no-op in a normal test run).
#[test]
fn child_writer() {
    let (Ok(mode), Ok(path)) = (std::env::var(MODE_VAR), std::env::var(PATH_VAR)) else {
        return;
    };
    let path = PathBuf::from(path);
    let mut out = std::io::stdout();
    // Killed within milliseconds; the time bound only stops an orphan if the parent died.
    let start = Instant::now();
    writeln!(out, "ready").unwrap();
    for v in 1.. {
        if start.elapsed() > Duration::from_secs(10) {
            return;
        }
        match mode.as_str() {
            // The model is computed inside the save, as a trainer streaming its result would:
            // most of the child's time is spent with a temporary file open.
            "atomic" => recurrent::io::write_atomic(&path, |w| write_word2vec_binary(&model(v), w)),
            // Truncate, compute, then write unbuffered: the naive save.
            "direct" => {
                let f = std::fs::File::create(&path).unwrap();
                write_word2vec_binary(&model(v), f)
            }
            other => panic!("unknown mode {other}"),
        }
        .unwrap();
        writeln!(out, "done {v}").unwrap();
    }
}

/// What one kill left behind.
#[derive(Debug)]
struct Outcome {
    /// The version in the file, `None` if torn.
    found: Option<u64>,
    /// The last version the child reported as saved before it died.
    saved: u64,
    /// Stale temporary files beside the model (a killed writer cannot remove its own).
    stale: usize,
}

/// Writes version 0, starts a child writing versions 1, 2, … in `mode`, kills it `delay`
/// after it is ready, and looks at what is left.
fn kill_once(dir: &Path, mode: &str, delay: Duration) -> Outcome {
    let path = dir.join("model.bin");
    std::fs::write(&path, bytes(0)).unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
        .env(MODE_VAR, mode)
        .env(PATH_VAR, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // libtest prints "test child_writer ... " before the test's own output, on the same line.
    let mut line = String::new();
    while !line.trim_end().ends_with("ready") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "child died early");
    }
    std::thread::sleep(delay);
    // `Child::kill` sends SIGKILL on Unix: no destructor, no flush, no cleanup runs.
    child.kill().unwrap();
    child.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let saved = rest
        .lines()
        .filter_map(|l| l.strip_prefix("done ")?.parse().ok())
        .max()
        .unwrap_or(0);
    let found = version_of(&std::fs::read(&path).unwrap());
    let mut stale = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p != path {
            assert!(
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".model.bin.tmp"),
                "unexpected file {}",
                p.display()
            );
            std::fs::remove_file(&p).unwrap();
            stale += 1;
        }
    }
    Outcome {
        found,
        saved,
        stale,
    }
}

#[test]
fn killed_writers_leave_the_old_file_or_the_new_one() {
    if std::env::var_os(MODE_VAR).is_some() {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("atomic_write");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(20_240_611);
    let start = Instant::now();

    // Kills 0–80 ms after the child is ready (alternately 50 ms · u² and 80 ms · u for a
    // uniform u, so that short delays are as common as long ones): before its first save is done (the file must
    // still be version 0), in the middle of later saves (the file must be the last one
    // saved), or between a rename and the child's report of it (the one just saved).
    const KILLS: usize = 60;
    let (mut mid_save, mut first, mut later, mut just_renamed) = (0, 0, 0, 0);
    for k in 0..KILLS {
        let u: f64 = rng.random();
        let delay = Duration::from_secs_f64(if k % 2 == 0 { 0.05 * u * u } else { 0.08 * u });
        let o = kill_once(&dir, "atomic", delay);
        let ok = match o.found {
            Some(v) => v == o.saved || v == o.saved + 1,
            None => false,
        };
        assert!(ok, "kill {k} after {delay:?}: {o:?}");
        // A temporary file left behind means the kill landed inside a save.
        mid_save += usize::from(o.stale > 0);
        if o.found == Some(o.saved + 1) {
            just_renamed += 1;
        } else if o.saved == 0 {
            first += 1;
        } else {
            later += 1;
        }
    }
    assert!(
        mid_save >= KILLS / 4 && first > 0 && later > 0,
        "the kills did not spread over the saves: {mid_save} mid-save, {first} in the first, {later} later"
    );

    // Control: the same kills on a writer that truncates and rewrites the file in place must
    // leave torn files, or this test could not see one.
    let mut torn = 0;
    const CONTROL: usize = 12;
    for _ in 0..CONTROL {
        let delay = Duration::from_micros(rng.random_range(0..30_000));
        if kill_once(&dir, "direct", delay).found.is_none() {
            torn += 1;
        }
    }
    assert!(torn > 0, "the direct writer was never caught mid-write");
    eprintln!(
        "atomic: {KILLS} kills, 0 torn ({mid_save} inside a save; the file was version 0 after \
         {first}, the last save after {later}, the save just renamed after {just_renamed}); \
         direct (control): {torn}/{CONTROL} torn; {:.1} s",
        start.elapsed().as_secs_f64()
    );
    std::fs::remove_dir_all(&dir).ok();
}
