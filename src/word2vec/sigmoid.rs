//! The tables of `σ(x) = 1/(1 + e⁻ˣ)` and `−log σ(x)` the training loops read, as the C tool
//! reads its `expTable`.
//!
//! `σ` is read from a 2,048-entry table on `(−6, 6)` at bin centres (`|σ′| ≤ 1/4`, so the error
//! is below 10⁻³); outside it the C tool's rules apply (a saturated `σ` for negative sampling,
//! no update for hierarchical softmax). The loss terms `−log σ(±u·h)` are interpolated from a
//! table on `[−16, 16]` (within 2·10⁻⁶; beyond it `−log σ(x) = max(−x, 0)` within 10⁻⁷).

/// `σ` is tabulated on `(−MAX_EXP, MAX_EXP)`, as in the C tool.
pub(super) const MAX_EXP: f32 = 6.0;
/// `σ` bins: 2,048 over a width of 12, so `σ` (slope ≤ 1/4) is within 7.4·10⁻⁴ at any point.
const TABLE_SIZE: usize = 2048;
/// `−log σ` is tabulated on `[−MAX_LOSS, MAX_LOSS]`; beyond, `−log σ(x)` is `max(−x, 0)`
/// within `e^−16 ≈ 1.1·10⁻⁷`.
const MAX_LOSS: f32 = 16.0;
/// `−log σ` grid intervals: 4,096 over a width of 32 (`h ≈ 0.0078`); linear interpolation
/// is then within `h²/8 · max|(−log σ)″| = h²/32 ≈ 1.9·10⁻⁶`.
const LOSS_SIZE: usize = 4096;

/// `σ(x)` at the centres of `TABLE_SIZE` bins of `(−MAX_EXP, MAX_EXP)`, and `−log σ(x)` on a
/// grid of `LOSS_SIZE + 1` points of `[−MAX_LOSS, MAX_LOSS]`.
#[derive(Debug)]
pub(super) struct SigmoidTable {
    sigmoid: Vec<f32>,
    loss: Vec<f32>,
}

impl SigmoidTable {
    pub(super) fn new() -> Self {
        let width = 2.0 * f64::from(MAX_EXP) / TABLE_SIZE as f64;
        let h = 2.0 * f64::from(MAX_LOSS) / LOSS_SIZE as f64;
        Self {
            sigmoid: (0..TABLE_SIZE)
                .map(|i| {
                    let x = -f64::from(MAX_EXP) + (i as f64 + 0.5) * width;
                    (1.0 / (1.0 + (-x).exp())) as f32
                })
                .collect(),
            loss: (0..=LOSS_SIZE)
                .map(|j| softplus(f64::from(MAX_LOSS) - j as f64 * h) as f32) // softplus(−x)
                .collect(),
        }
    }

    /// `σ(f)` inside `(−MAX_EXP, MAX_EXP)`; 1 above and 0 below, as the C tool.
    #[inline(always)]
    pub(super) fn sigmoid(&self, f: f32) -> f32 {
        if f >= MAX_EXP {
            1.0
        } else if f <= -MAX_EXP {
            0.0
        } else {
            // NaN fails both comparisons and lands here: `as usize` maps it to 0.
            let i = ((f + MAX_EXP) * (TABLE_SIZE as f32 / (2.0 * MAX_EXP))) as usize;
            self.sigmoid[i.min(TABLE_SIZE - 1)]
        }
    }

    /// `−log σ(f) = log(1 + e^−f)`, interpolated from the grid.
    #[inline(always)]
    pub(super) fn neg_log_sigmoid(&self, f: f32) -> f32 {
        if f >= MAX_LOSS {
            0.0
        } else if f <= -MAX_LOSS {
            -f
        } else {
            let u = (f + MAX_LOSS) * (LOSS_SIZE as f32 / (2.0 * MAX_LOSS));
            let j = (u as usize).min(LOSS_SIZE - 1);
            let t = u - j as f32;
            let (a, b) = (self.loss[j], self.loss[j + 1]);
            a + t * (b - a)
        }
    }
}

/// `softplus(x) = log(1 + eˣ)`, stable for any `x`.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_close_to_exact() {
        let t = SigmoidTable::new();
        for i in -2500..2500 {
            let x = i as f32 / 100.0 + 0.003;
            let exact = 1.0 / (1.0 + (-f64::from(x)).exp());
            if x.abs() < MAX_EXP {
                assert!((f64::from(t.sigmoid(x)) - exact).abs() < 7.5e-4, "σ({x})");
            } else {
                assert_eq!(t.sigmoid(x), if x > 0.0 { 1.0 } else { 0.0 });
            }
            // Interpolation error ≤ 1.9·10⁻⁶, plus f32 rounding of values up to 25.
            let l = f64::from(t.neg_log_sigmoid(x));
            assert!(
                (l - softplus(-f64::from(x))).abs() < 5e-6 * (1.0 + l),
                "−log σ({x})"
            );
        }
    }
}
