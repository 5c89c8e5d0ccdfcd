//! The f32 vector kernels of training: dot products and `axpy` updates on `d`-long rows.
//!
//! Written with several independent accumulators over fixed-width chunks so that the compiler
//! can keep them in SIMD registers (a single running sum is a serial chain of dependent adds
//! that cannot be vectorised without reassociation).

/// Lanes per chunk: 16 f32 = four SSE registers, two AVX registers or one AVX-512 register.
const W: usize = 16;

/// `Σ_k a_k·b_k` over the common length.
#[inline(always)]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; W];
    let (ca, cb) = (a.chunks_exact(W), b.chunks_exact(W));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..W {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0f32;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    // Pairwise reduction of the lanes.
    let mut w = W / 2;
    while w > 0 {
        for k in 0..w {
            acc[k] += acc[k + w];
        }
        w /= 2;
    }
    acc[0] + tail
}

/// `y ← y + α·x`.
#[inline(always)]
pub(crate) fn axpy(y: &mut [f32], alpha: f32, x: &[f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// The fused update of one output row `u` given the input `h` and gradient step `g`:
/// `e ← e + g·u` (with the old `u`), then `u ← u + g·h`.
#[inline(always)]
pub(crate) fn update_output(u: &mut [f32], g: f32, h: &[f32], e: &mut [f32]) {
    let n = u.len().min(h.len()).min(e.len());
    let (u, h, e) = (&mut u[..n], &h[..n], &mut e[..n]);
    for ((ui, hi), ei) in u.iter_mut().zip(h).zip(e.iter_mut()) {
        let old = *ui;
        *ei += g * old;
        *ui = old + g * hi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_for_all_lengths() {
        for n in 0..50 {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
            let naive: f64 = a
                .iter()
                .zip(&b)
                .map(|(x, y)| f64::from(*x) * f64::from(*y))
                .sum();
            assert!((f64::from(dot(&a, &b)) - naive).abs() < 1e-5, "n = {n}");
        }
    }

    #[test]
    fn update_uses_old_row() {
        let mut u = [1.0, 2.0];
        let mut e = [0.0, 0.0];
        update_output(&mut u, 0.5, &[10.0, 20.0], &mut e);
        assert_eq!(e, [0.5, 1.0]);
        assert_eq!(u, [6.0, 12.0]);
        let mut y = [1.0, 1.0];
        axpy(&mut y, 2.0, &[1.0, 3.0]);
        assert_eq!(y, [3.0, 7.0]);
    }
}
