//! Consecutive blocks of a flat parameter buffer (crate-internal).

/// Splits a flat parameter slice into consecutive blocks of the given lengths.
///
/// # Panics
///
/// If the lengths add up to more than `data.len()`.
pub(crate) fn split_blocks_ref<T, const K: usize>(mut data: &[T], lens: [usize; K]) -> [&[T]; K] {
    lens.map(|l| {
        let (head, tail) = data.split_at(l);
        data = tail;
        head
    })
}

/// Splits a flat parameter buffer into consecutive blocks of the given lengths.
///
/// # Panics
///
/// If the lengths add up to more than `data.len()`.
pub(crate) fn split_blocks<T, const K: usize>(
    mut data: &mut [T],
    lens: [usize; K],
) -> [&mut [T]; K] {
    lens.map(|l| {
        let (head, tail) = std::mem::take(&mut data).split_at_mut(l);
        data = tail;
        head
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_consecutive_and_may_be_empty_or_leave_a_rest() {
        let mut v: Vec<u32> = (0..10).collect();
        let [a, b, c] = split_blocks_ref(&v, [3, 0, 4]);
        assert_eq!((a, b, c), (&[0, 1, 2][..], &[][..], &[3, 4, 5, 6][..]));
        let [a, b] = split_blocks(&mut v, [1, 9]);
        a[0] = 100;
        b[8] = 200;
        assert_eq!((v[0], v[9]), (100, 200));
    }

    #[test]
    #[should_panic]
    fn too_long_blocks_panic() {
        let v = [1.0f64; 3];
        let _ = split_blocks_ref(&v, [2, 2]);
    }
}
