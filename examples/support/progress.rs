//! Progress for the examples' long runs: an `indicatif` bar with rate and time left when
//! standard output is a terminal, plain lines (one per quarter of the work) when it is not.
//!
//! The library prints nothing: the examples drive a [`Progress`] from its observers
//! (`train::Progress`, `word2vec::Word2VecProgress`) or from their own loops.
#![allow(dead_code)]

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// A progress display for `total` units of work.
pub struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    unit: String,
    total: AtomicU64,
    start: Instant,
    /// The plain fallback: position and the last quarter printed.
    plain: Mutex<(u64, u64)>,
    /// Print the plain lines (off when the caller's own output already shows progress).
    plain_lines: bool,
}

impl Progress {
    /// A bar for `total` units named `unit` (e.g. "runs", "words"), headed `label`.
    pub fn new(label: &str, total: u64, unit: &str) -> Self {
        let bar = std::io::stdout().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template(&format!(
                "{{msg}} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} \
                 ({{per_sec}}, {{eta}} left)"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(label.to_string());
            bar
        });
        Self {
            bar,
            label: label.to_string(),
            unit: unit.to_string(),
            total: AtomicU64::new(total.max(1)),
            start: Instant::now(),
            plain: Mutex::new((0, 0)),
            plain_lines: true,
        }
    }

    /// A bar on a terminal and nothing otherwise: for loops whose own output lines (one row
    /// per step) already show the progress in a log.
    pub fn bar_only(label: &str, total: u64, unit: &str) -> Self {
        let mut p = Self::new(label, total, unit);
        p.plain_lines = false;
        p
    }

    /// Prints a line above the bar (a plain `println!` would be drawn over).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => println!("{line}"),
        }
    }

    /// Changes the amount of work (when it is known only once the work has started).
    pub fn set_total(&self, total: u64) {
        self.total.store(total.max(1), Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_length(total);
        }
    }

    /// Moves to position `pos` (of `total`).
    pub fn set(&self, pos: u64) {
        match &self.bar {
            Some(bar) => bar.set_position(pos),
            None => self.plain_to(pos),
        }
    }

    /// Advances by `n` units.
    pub fn inc(&self, n: u64) {
        match &self.bar {
            Some(bar) => bar.inc(n),
            None => {
                let pos = self.plain.lock().map_or(0, |p| p.0) + n;
                self.plain_to(pos);
            }
        }
    }

    fn plain_to(&self, pos: u64) {
        let Ok(mut p) = self.plain.lock() else {
            return;
        };
        p.0 = pos;
        if !self.plain_lines {
            return;
        }
        let total = self.total.load(Ordering::Relaxed);
        let tenth = (4 * pos.min(total)) / total;
        if tenth > p.1 {
            p.1 = tenth;
            let secs = self.start.elapsed().as_secs_f64();
            let rate = pos as f64 / secs.max(1e-9);
            let left = (total.saturating_sub(pos)) as f64 / rate.max(1e-9);
            println!(
                "  {}: {}/{} {} ({:.0} %, {} per s, about {:.0} s left)",
                self.label,
                pos,
                total,
                self.unit,
                100.0 * pos as f64 / total as f64,
                rate_text(rate),
                left
            );
        }
    }

    /// Ends the display (the bar is cleared; the results follow on their own lines).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn rate_text(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M", r / 1e6)
    } else if r >= 1e4 {
        format!("{:.0} k", r / 1e3)
    } else if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.2}")
    }
}

/// A Word2Vec training callback that drives `bar` (words read of the words planned).
pub fn word2vec(bar: &Progress) -> impl FnMut(&recurrent::word2vec::Word2VecProgress) + '_ {
    move |w| {
        bar.set_total(w.total_words);
        bar.set(w.words);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar
            && !bar.is_finished()
        {
            bar.finish_and_clear();
        }
    }
}
