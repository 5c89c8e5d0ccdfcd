//! The Hopfield letters: 10×10 bitmaps stored as ±1 patterns, their text art, and the noise
//! that corrupts a probe. Shared by the `hopfield_letters` example and the tour.
#![allow(dead_code)]

use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;

/// Side of a letter bitmap; a letter is a pattern of `SIDE²` units.
pub const SIDE: usize = 10;

/// The letters, each a name and `SIDE` rows of `#` (on, +1) and `.` (off, −1).
pub const LETTERS: [(&str, [&str; SIDE]); 4] = [
    (
        "A",
        [
            "....##....",
            "...####...",
            "..##..##..",
            ".##....##.",
            ".##....##.",
            ".########.",
            ".##....##.",
            ".##....##.",
            ".##....##.",
            "..........",
        ],
    ),
    (
        "T",
        [
            "##########",
            "##########",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
        ],
    ),
    (
        "X",
        [
            "##......##",
            ".##....##.",
            "..##..##..",
            "...####...",
            "....##....",
            "...####...",
            "..##..##..",
            ".##....##.",
            "##......##",
            "..........",
        ],
    ),
    (
        "L",
        [
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".########.",
            ".########.",
        ],
    ),
];

/// A bitmap as a ±1 pattern, row by row.
pub fn bitmap(rows: &[&str; SIDE]) -> DVector<f64> {
    DVector::from_iterator(
        SIDE * SIDE,
        rows.iter()
            .flat_map(|r| r.chars().map(|c| if c == '#' { 1.0 } else { -1.0 })),
    )
}

/// The named letters as the columns of a `SIDE² × k` pattern matrix, in the order given.
///
/// # Panics
///
/// If a name is not one of [`LETTERS`] (the names are the examples' own constants).
pub fn patterns(names: &[&str]) -> DMatrix<f64> {
    let cols: Vec<DVector<f64>> = names
        .iter()
        .map(|name| {
            let (_, rows) = LETTERS
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no letter {name}"));
            bitmap(rows)
        })
        .collect();
    DMatrix::from_columns(&cols)
}

/// Row `r` of a state's text art: `█` for +1, `·` for −1.
pub fn art_row(s: &DVector<f64>, r: usize) -> String {
    (0..SIDE)
        .map(|c| if s[r * SIDE + c] > 0.0 { '█' } else { '·' })
        .collect()
}

/// Prints several states side by side as text art, each under its caption, then a blank
/// line.
pub fn show(states: &[(&str, &DVector<f64>)]) {
    let caps: Vec<String> = states.iter().map(|(cap, _)| format!("{cap:<13}")).collect();
    println!("{}", caps.concat().trim_end());
    for r in 0..SIDE {
        let rows: Vec<String> = states.iter().map(|(_, s)| art_row(s, r)).collect();
        println!("{}", rows.join("   "));
    }
    println!();
}

/// `x` with `k` distinct pixels flipped, chosen with `rng` (a partial Fisher–Yates shuffle).
pub fn flip_pixels(x: &DVector<f64>, k: usize, rng: &mut Xoshiro256PlusPlus) -> DVector<f64> {
    let n = x.len();
    let mut probe = x.clone();
    let mut idx: Vec<usize> = (0..n).collect();
    for i in 0..k.min(n) {
        let j = rng.random_range(i..n);
        idx.swap(i, j);
        probe[idx[i]] = -probe[idx[i]];
    }
    probe
}
