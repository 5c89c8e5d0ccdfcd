//! The peak heap of the word2vec readers on files whose header claims far more than they
//! hold, measured by a counting global allocator (so this file holds one test: tests in one
//! binary share the allocator, and a second test running beside it would add its own heap).
//!
//! Reproduce the same figure from outside with valgrind's massif:
//! `valgrind --tool=massif --massif-out-file=/tmp/massif.out target/release/deps/word2vec_heap-<hash>
//! --exact header_claims_do_not_allocate` then `ms_print /tmp/massif.out | head -40`.

use recurrent::word2vec::{ReadOptions, Word2Vec, read_word2vec_binary, read_word2vec_text};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// `System`, counting the bytes currently allocated and the peak since the last reset.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments, so `System`'s
// guarantees carry over; the counters are plain atomics and never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator (so from `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `dealloc` and `alloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The heap `f` needs at its peak, above what was allocated before it ran.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - base)
}

const MIB: usize = 1 << 20;

#[test]
fn header_claims_do_not_allocate() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("word2vec_heap");
    std::fs::create_dir_all(&dir).unwrap();
    let (mut worst_reader, mut worst_load) = (0, 0);
    let mut report = Vec::new();
    for dim in [1usize, 100, 1_000_000_000_000] {
        let header = format!("1000000000000 {dim}\n");
        // Header only, then header and one row, then header and a one-float binary row.
        let mut bodies = vec![header.clone().into_bytes()];
        let mut row = header.clone().into_bytes();
        row.extend_from_slice(b"w ");
        row.extend(std::iter::repeat_n(b"0.5 ".as_slice(), dim.min(100)).flatten());
        row.push(b'\n');
        bodies.push(row);
        for body in &bodies {
            let (r, text) = peak_of(|| read_word2vec_text(&body[..], ReadOptions::default()));
            assert!(r.is_err(), "text {dim}: {r:?}");
            let (r, binary) = peak_of(|| read_word2vec_binary(&body[..], ReadOptions::default()));
            assert!(r.is_err(), "binary {dim}: {r:?}");
            let path = dir.join("claims.w2v");
            std::fs::write(&path, body).unwrap();
            let mut load = 0;
            for f in [Word2Vec::load, Word2Vec::load_text, Word2Vec::load_binary] {
                let (r, bytes) = peak_of(|| f(&path, ReadOptions::default()));
                assert!(r.is_err(), "load {dim}: {r:?}");
                load = load.max(bytes);
            }
            report.push(format!(
                "{:>30} + {:>4} bytes: read_word2vec_text {text} B, read_word2vec_binary {binary} B, Word2Vec::load* {load} B",
                header.trim_end(),
                body.len() - header.len()
            ));
            worst_reader = worst_reader.max(text).max(binary);
            worst_load = worst_load.max(load);
        }
    }
    eprintln!("peak heap above baseline:\n  {}", report.join("\n  "));
    // Before this test existed, the header `1000000000000 1` alone cost 81,789,000 bytes
    // (78 MiB: the word list and word set were reserved from the header).
    // Readers of a stream reserve at most 4 MiB (the documented budget) besides their
    // buffers; the loaders check the header against the file's length first and reserve
    // nothing but their 64 KiB read buffer.
    assert!(
        worst_reader <= 4 * MIB + 64 * 1024,
        "readers: {worst_reader} bytes"
    );
    assert!(worst_load <= 128 * 1024, "loaders: {worst_load} bytes");

    // A file that does hold its rows, all of one word: the floats are reserved from the
    // header (the file backs them), the word list and set are not (the model has one word).
    let n = 1_000_000;
    let mut file = format!("{n} 1\n").into_bytes();
    for _ in 0..n {
        file.extend_from_slice(b"a 1\n");
    }
    let path = dir.join("repeated.txt");
    std::fs::write(&path, &file).unwrap();
    let (m, heap) = peak_of(|| Word2Vec::load_text(&path, ReadOptions::default()).unwrap());
    assert_eq!(m.words(), ["a"]);
    eprintln!(
        "  {} bytes of one repeated word: Word2Vec::load_text {heap} B",
        file.len()
    );
    assert!(
        heap <= 2 * file.len() + 4 * MIB + 128 * 1024,
        "{heap} bytes"
    );
    std::fs::remove_dir_all(&dir).ok();
}
