//! The AVX2 paths (crate-internal): run-time dispatch of the portable kernels to copies
//! compiled with AVX2 (and, for the element-wise `tanh`, `σ` and `exp`, with AVX-512F where
//! the CPU has it), the dot product in AVX2 intrinsics, and [`with_best_simd`] for whole
//! loops.
//!
//! The crate is built for the baseline x86-64 target (SSE2), where the kernels of
//! `super::portable` and `super::elementwise` vectorise two `f64` or four `f32` lanes wide.
//! Each dispatcher below runs the very same code inside a function compiled with AVX2
//! enabled when the CPU has it (checked at run time, cached by the standard library), which
//! doubles the width. The results are the same bits either way: no FMA contraction is
//! enabled, and the summation order is fixed by the code (tested below, on CPUs with AVX2).
//!
//! The `f32` dot product is written in intrinsics ([`dot_f32`], used by `y = Aᵀ·x` too): it is
//! half of the arithmetic of Word2Vec's training, and LLVM vectorises the portable one in
//! 4-float registers with shuffles (it groups lanes to match the final reduction tree) where
//! the intrinsics use 8-float registers. It follows `super::portable::dot`'s summation order
//! exactly, so it too gives the same bits.
//!
//! This is one of the crate's three `unsafe` modules (with `super::avx512` and Word2Vec's
//! Hogwild rows): the calls of `#[target_feature]` functions after the CPU check, and the
//! unaligned vector loads and stores of [`dot_f32`], whose bounds are checked in the loop.
#![allow(unsafe_code)] // the crate denies it everywhere else; see the module docs

use super::elementwise::{double, single};
use super::portable::{self, LANES_F32, LANES_F64};

/// True when the CPU has AVX-512F (cached by the standard library after the first call).
#[inline]
pub(super) fn has_avx512f() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// True when the CPU has AVX2 (cached by the standard library after the first call).
#[inline]
pub(super) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Generates a dispatcher `$name` that runs `$body` in a copy `$avx512` compiled with
/// AVX-512F when the CPU has it, else in a copy `$avx` compiled with AVX2 when it has that,
/// and as plain code otherwise (16 `f32` or 8 `f64` lanes, 8 or 4, 4 or 2; the same bits on
/// every path, since no FMA contraction happens and the code fixes every summation order).
macro_rules! dispatch {
    ($(#[$doc:meta])* fn $name:ident / $avx:ident / $avx512:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? $body:block) => {
        $(#[$doc])*
        #[inline]
        pub(super) fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            if has_avx512f() {
                // SAFETY: the CPU supports AVX-512F (checked just above); the function is
                // otherwise ordinary safe code, only compiled with AVX-512F enabled.
                return unsafe { $avx512($($arg),*) };
            }
            #[cfg(target_arch = "x86_64")]
            if has_avx2() {
                // SAFETY: as above, for AVX2.
                return unsafe { $avx($($arg),*) };
            }
            $body
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $avx($($arg: $ty),*) $(-> $ret)? $body

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f")]
        fn $avx512($($arg: $ty),*) $(-> $ret)? $body
    };
}

dispatch! {
    /// `x ← tanh x` element-wise (`elementwise::double::tanh`).
    fn tanh_f64 / tanh_f64_avx2 / tanh_f64_avx512(xs: &mut [f64]) { double::tanh(xs) }
}

dispatch! {
    /// `x ← tanh x` element-wise (`elementwise::single::tanh`).
    fn tanh_f32 / tanh_f32_avx2 / tanh_f32_avx512(xs: &mut [f32]) { single::tanh(xs) }
}

dispatch! {
    /// `x ← eˣ` element-wise (`elementwise::double::exp_slice`).
    fn exp_f64 / exp_f64_avx2 / exp_f64_avx512(xs: &mut [f64]) { double::exp_slice(xs) }
}

dispatch! {
    /// `x ← σ(x)` element-wise (`elementwise::double::sigmoid`).
    fn sigmoid_f64 / sigmoid_f64_avx2 / sigmoid_f64_avx512(xs: &mut [f64]) { double::sigmoid(xs) }
}

dispatch! {
    /// `x ← eˣ` element-wise (`elementwise::single::exp_slice`).
    fn exp_f32 / exp_f32_avx2 / exp_f32_avx512(xs: &mut [f32]) { single::exp_slice(xs) }
}

dispatch! {
    /// `x ← σ(x)` element-wise (`elementwise::single::sigmoid`).
    fn sigmoid_f32 / sigmoid_f32_avx2 / sigmoid_f32_avx512(xs: &mut [f32]) { single::sigmoid(xs) }
}

dispatch! {
    /// `y += A·x` (`portable::matvec_add`).
    fn matvec_add_f64 / matvec_add_f64_avx2 / matvec_add_f64_avx512(y: &mut [f64], a: &[f64], x: &[f64]) {
        portable::matvec_add(y, a, x)
    }
}

dispatch! {
    /// `y += A·x` (`portable::matvec_add`).
    fn matvec_add_f32 / matvec_add_f32_avx2 / matvec_add_f32_avx512(y: &mut [f32], a: &[f32], x: &[f32]) {
        portable::matvec_add(y, a, x)
    }
}

dispatch! {
    /// `y = Aᵀ·x` (`portable::matvec_t`, eight lanes).
    fn matvec_t_f64 / matvec_t_f64_avx2 / matvec_t_f64_avx512(y: &mut [f64], a: &[f64], x: &[f64]) {
        portable::matvec_t::<f64, LANES_F64>(y, a, x)
    }
}

/// `y = Aᵀ·x` for `f32` (`portable::matvec_t`, sixteen lanes): with AVX2 one [`dot_f32_avx2`]
/// per column, the same bits.
#[inline]
pub(super) fn matvec_t_f32(y: &mut [f32], a: &[f32], x: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: `matvec_t_f32_avx2` only requires AVX2, just checked.
        return unsafe { matvec_t_f32_avx2(y, a, x) };
    }
    portable::matvec_t::<f32, LANES_F32>(y, a, x)
}

/// `portable::matvec_t::<f32, 16>` with the intrinsics dot: LLVM vectorises the portable
/// dot's lanes in 4-float registers with shuffles, the intrinsics in 8-float registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn matvec_t_f32_avx2(y: &mut [f32], a: &[f32], x: &[f32]) {
    let k = x.len();
    for (yj, col) in y.iter_mut().zip(a.chunks_exact(k.max(1))) {
        *yj = dot_f32_avx2(col, x);
    }
}

dispatch! {
    /// `Σ aᵢbᵢ` (`portable::dot`, eight lanes).
    fn dot_f64 / dot_f64_avx2 / dot_f64_avx512(a: &[f64], b: &[f64]) -> f64 {
        portable::dot::<f64, LANES_F64>(a, b)
    }
}

/// `Σ aᵢbᵢ` for `f32`: by [`dot_f32_avx2`] when the CPU has AVX2 (the check is a cached
/// load), otherwise by `portable::dot`; the same bits either way.
#[inline(always)]
pub(super) fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: `dot_f32_avx2` only requires AVX2, just checked.
        return unsafe { dot_f32_avx2(a, b) };
    }
    portable::dot::<f32, LANES_F32>(a, b)
}

/// `portable::dot::<f32, 16>` in AVX2 intrinsics: the sixteen lanes are two 8-float registers
/// `s0` (lanes 0–7) and `s1` (lanes 8–15), so step 2 of the order is one `s0 + s1`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot_f32_avx2(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::{
        _mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_setzero_ps, _mm256_storeu_ps,
    };
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let (mut s0, mut s1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    let mut i = 0;
    while i + 16 <= n {
        // SAFETY: `i + 16 ≤ n ≤ len` of both slices, so the four 8-float unaligned loads at
        // `i` and `i + 8` read inside them.
        unsafe {
            let p0 = _mm256_mul_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)));
            let p1 = _mm256_mul_ps(
                _mm256_loadu_ps(pa.add(i + 8)),
                _mm256_loadu_ps(pb.add(i + 8)),
            );
            s0 = _mm256_add_ps(s0, p0);
            s1 = _mm256_add_ps(s1, p1);
        }
        i += 16;
    }
    let mut s = _mm256_add_ps(s0, s1);
    if i + 8 <= n {
        // SAFETY: `i + 8 ≤ n`, as above.
        unsafe {
            s = _mm256_add_ps(
                s,
                _mm256_mul_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i))),
            );
        }
        i += 8;
    }
    let mut l = [0f32; 8];
    // SAFETY: `l` holds exactly the 8 floats the unaligned store writes.
    unsafe { _mm256_storeu_ps(l.as_mut_ptr(), s) };
    let mut tail = 0f32;
    for k in i..n {
        tail += a[k] * b[k];
    }
    ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7])) + tail
}

/// A piece of work to compile for the best vector instructions: its `run` (and everything
/// it calls) must be `#[inline(always)]` so that it is compiled into [`with_best_simd`]'s
/// AVX2 copy (a closure would not be inlined there).
pub(crate) trait SimdTask {
    /// What the work returns.
    type Output;
    /// Does the work.
    fn run(self) -> Self::Output;
}

/// Runs `task` compiled for AVX2 when the CPU has it (checked at run time), and as plain
/// x86-64 (SSE2) code otherwise. Measured on the Word2Vec benchmark corpus, the AVX2 copy of
/// the training loop saves about 10% of the CPU time per word.
#[inline]
pub(crate) fn with_best_simd<T: SimdTask>(task: T) -> T::Output {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn avx2<T: SimdTask>(task: T) -> T::Output {
            task.run()
        }
        if has_avx2() {
            // SAFETY: the only requirement of a `#[target_feature]` function is that the CPU
            // supports the features, which was just checked.
            return unsafe { avx2(task) };
        }
    }
    task.run()
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::kernel::portable::tests::{SIZES, data};

    /// The element-wise kernels' AVX-512F and AVX2 copies (each called directly, when this CPU
    /// has the feature) compute the same bits as the portable code, f32 and f64, at every
    /// test size, including NaN, ±∞, subnormal results and the fallback past the limits.
    #[test]
    fn elementwise_copies_equal_portable_bits() {
        let mut xs: Vec<f64> = (-3000..3000).map(|i| f64::from(i) * 0.0123).collect();
        xs.extend([0.0, -0.0, 1e-300, -745.0, 800.0, f64::NAN, f64::INFINITY]);
        let xs32: Vec<f32> = xs.iter().map(|x| *x as f32).collect();
        let bits64 = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let bits32 = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        type K64 = (unsafe fn(&mut [f64]), fn(&mut [f64]));
        type K32 = (unsafe fn(&mut [f32]), fn(&mut [f32]));
        let mut k64: Vec<K64> = Vec::new();
        let mut k32: Vec<K32> = Vec::new();
        if has_avx512f() {
            k64.extend([
                (
                    tanh_f64_avx512 as unsafe fn(&mut [f64]),
                    double::tanh as fn(&mut [f64]),
                ),
                (sigmoid_f64_avx512, double::sigmoid),
                (exp_f64_avx512, double::exp_slice),
            ]);
            k32.extend([
                (
                    tanh_f32_avx512 as unsafe fn(&mut [f32]),
                    single::tanh as fn(&mut [f32]),
                ),
                (sigmoid_f32_avx512, single::sigmoid),
                (exp_f32_avx512, single::exp_slice),
            ]);
        }
        if has_avx2() {
            k64.push((exp_f64_avx2, double::exp_slice));
            k32.push((exp_f32_avx2, single::exp_slice));
        }
        for n in SIZES.into_iter().chain([xs.len()]) {
            // the fast path (no element past the limits) and the fallback (the whole slice)
            for lo in [3000 - n.min(3000) / 2, 0] {
                let hi = (lo + n).min(xs.len());
                for (fast, plain) in &k64 {
                    let (mut a, mut b) = (xs[lo..hi].to_vec(), xs[lo..hi].to_vec());
                    // SAFETY: the CPU has the copy's feature (checked where it was listed).
                    unsafe { fast(&mut a) };
                    plain(&mut b);
                    assert_eq!(bits64(&a), bits64(&b));
                }
                for (fast, plain) in &k32 {
                    let (mut a, mut b) = (xs32[lo..hi].to_vec(), xs32[lo..hi].to_vec());
                    // SAFETY: as above.
                    unsafe { fast(&mut a) };
                    plain(&mut b);
                    assert_eq!(bits32(&a), bits32(&b));
                }
            }
        }
    }

    /// Each AVX2 copy (called directly, when this CPU has AVX2) computes the same bits as the
    /// portable code, f32 and f64, at every test size.
    #[test]
    fn avx2_copies_equal_portable_bits() {
        if !has_avx2() {
            return;
        }
        let mut xs: Vec<f64> = (-3000..3000).map(|i| f64::from(i) * 0.0123).collect();
        xs.extend([0.0, -0.0, 1e-300, -745.0, 800.0, f64::NAN, f64::INFINITY]);
        let xs32: Vec<f32> = xs.iter().map(|x| *x as f32).collect();
        let bits64 = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let bits32 = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for n in SIZES.into_iter().chain([xs.len()]) {
            let (mut a, mut b) = (xs[..n].to_vec(), xs[..n].to_vec());
            // SAFETY: the CPU has AVX2 (checked at the top).
            unsafe { tanh_f64_avx2(&mut a) };
            double::tanh(&mut b);
            assert_eq!(bits64(&a), bits64(&b));
            let (mut a, mut b) = (xs[..n].to_vec(), xs[..n].to_vec());
            // SAFETY: as above.
            unsafe { sigmoid_f64_avx2(&mut a) };
            double::sigmoid(&mut b);
            assert_eq!(bits64(&a), bits64(&b));
            let (mut a, mut b) = (xs32[..n].to_vec(), xs32[..n].to_vec());
            // SAFETY: as above.
            unsafe { tanh_f32_avx2(&mut a) };
            single::tanh(&mut b);
            assert_eq!(bits32(&a), bits32(&b));
            let (mut a, mut b) = (xs32[..n].to_vec(), xs32[..n].to_vec());
            // SAFETY: as above.
            unsafe { sigmoid_f32_avx2(&mut a) };
            single::sigmoid(&mut b);
            assert_eq!(bits32(&a), bits32(&b));
        }
        for m in [1, 7, 33] {
            for k in SIZES {
                let (w64, w32) = (data::<f64>(m * k, 1), data::<f32>(m * k, 1));
                let (x64, x32) = (data::<f64>(k, 2), data::<f32>(k, 2));
                let (mut y1, mut y2) = (data::<f64>(m, 3), data::<f64>(m, 3));
                // SAFETY: as above.
                unsafe { matvec_add_f64_avx2(&mut y1, &w64, &x64) };
                portable::matvec_add(&mut y2, &w64, &x64);
                assert_eq!(bits64(&y1), bits64(&y2));
                let (mut y1, mut y2) = (data::<f32>(m, 3), data::<f32>(m, 3));
                // SAFETY: as above.
                unsafe { matvec_add_f32_avx2(&mut y1, &w32, &x32) };
                portable::matvec_add(&mut y2, &w32, &x32);
                assert_eq!(bits32(&y1), bits32(&y2));
                let (t64, t32) = (data::<f64>(m, 4), data::<f32>(m, 4));
                let (mut y1, mut y2) = (vec![0.0; k], vec![0.0; k]);
                // SAFETY: as above.
                unsafe { matvec_t_f64_avx2(&mut y1, &w64, &t64) };
                portable::matvec_t::<f64, LANES_F64>(&mut y2, &w64, &t64);
                assert_eq!(bits64(&y1), bits64(&y2));
                let (mut y1, mut y2) = (vec![0.0; k], vec![0.0; k]);
                // SAFETY: as above.
                unsafe { matvec_t_f32_avx2(&mut y1, &w32, &t32) };
                portable::matvec_t::<f32, LANES_F32>(&mut y2, &w32, &t32);
                assert_eq!(bits32(&y1), bits32(&y2));
            }
        }
    }

    /// The intrinsics dot and the AVX2 copy of the portable dot against the portable dot, bit
    /// for bit, for every length up to 300 (all block and tail combinations), unequal lengths
    /// included.
    #[test]
    fn dots_equal_portable_bits() {
        for n in 0..300 {
            let (a, b) = (data::<f32>(n, 5), data::<f32>(n + n % 3, 6));
            let want = portable::dot::<f32, LANES_F32>(&a, &b);
            assert_eq!(dot_f32(&a, &b).to_bits(), want.to_bits(), "f32 n = {n}");
            let (a, b) = (data::<f64>(n + n % 2, 7), data::<f64>(n, 8));
            let want = portable::dot::<f64, LANES_F64>(&a, &b);
            assert_eq!(dot_f64(&a, &b).to_bits(), want.to_bits(), "f64 n = {n}");
            if has_avx2() {
                let (a, b) = (data::<f32>(n, 9), data::<f32>(n, 10));
                let want = portable::dot::<f32, LANES_F32>(&a, &b);
                // SAFETY: the CPU has AVX2 (checked just above).
                let got = unsafe { dot_f32_avx2(&a, &b) };
                assert_eq!(got.to_bits(), want.to_bits(), "f32 intrinsics n = {n}");
                let (a, b) = (data::<f64>(n, 9), data::<f64>(n, 10));
                let want = portable::dot::<f64, LANES_F64>(&a, &b);
                // SAFETY: as above.
                let got = unsafe { dot_f64_avx2(&a, &b) };
                assert_eq!(got.to_bits(), want.to_bits(), "f64 AVX2 copy n = {n}");
            }
        }
    }

    /// A task run by [`with_best_simd`] computes what it computes when run directly.
    #[test]
    fn best_simd_computes_the_same_bits() {
        struct Dot<'a>(&'a [f32], &'a [f32]);
        impl SimdTask for Dot<'_> {
            type Output = f32;
            #[inline(always)]
            fn run(self) -> f32 {
                let mut y = self.0.to_vec();
                portable::axpy(&mut y, 0.5, self.1);
                portable::dot::<f32, LANES_F32>(&y, self.1)
            }
        }
        for n in SIZES {
            let (a, b) = (data::<f32>(n, 1), data::<f32>(n, 2));
            let plain = Dot(&a, &b).run();
            assert_eq!(with_best_simd(Dot(&a, &b)).to_bits(), plain.to_bits());
        }
    }
}
