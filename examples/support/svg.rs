//! The plot folder for an example that draws its SVG itself and has not moved to
//! `support/plot.rs` yet (kept so that the `elman_lexical` branch merges as it is): the same
//! rule as `plot::out_dir`, `--out DIR` from `args`, else `target/plots/` under the workspace
//! root. New code uses `support/plot.rs`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `--out DIR` from `args`, else `target/plots/` under the workspace root, checked and
/// created before any work starts.
pub fn out_dir(args: &[String]) -> Result<PathBuf, String> {
    let dir = match args.iter().position(|a| a == "--out") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or("--out needs a folder")?),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("plots"),
    };
    if dir.exists() && !dir.is_dir() {
        return Err(format!("--out {}: is a file, not a folder", dir.display()));
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    Ok(dir)
}
