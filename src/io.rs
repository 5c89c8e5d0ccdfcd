//! Crash-safe file writing, and fallible allocation for sizes that come from callers or files.
//!
//! # Examples
//!
//! [`write_atomic`] replaces a file all at once or not at all, as every `save` of the crate
//! does:
//!
//! ```
//! use std::io::Write;
//! use recurrent::Error;
//! let path = std::env::temp_dir().join("recurrent-doc-io-module.txt");
//! recurrent::io::write_atomic(&path, |w| {
//!     writeln!(w, "first line").map_err(|e| Error::Io { context: "writing".into(), source: e })
//! })?;
//! let text = std::fs::read_to_string(&path).map_err(|e| Error::Io { context: "reading".into(), source: e })?;
//! assert_eq!(text, "first line\n");
//! # Ok::<(), recurrent::Error>(())
//! ```

use crate::error::{Error, Result};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A `rows × cols` buffer filled with `value`, or [`Error::InvalidParameter`] naming `name`
/// and the size when the product overflows or the memory cannot be reserved: the error a
/// caller gets instead of `memory allocation of … bytes failed` and an abort.
pub(crate) fn try_filled<T: Clone>(
    name: &'static str,
    rows: usize,
    cols: usize,
    value: T,
) -> Result<Vec<T>> {
    let too_big = |n: Option<usize>| {
        let bytes = n.and_then(|n| n.checked_mul(size_of::<T>()));
        let size = match bytes {
            Some(b) => format!("{b} bytes"),
            None => "more bytes than the address space holds".to_string(),
        };
        Error::invalid(
            name,
            format!("{rows} × {cols} elements ({size}) cannot be allocated"),
        )
    };
    let n = rows.checked_mul(cols).ok_or_else(|| too_big(None))?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| too_big(Some(n)))?;
    v.resize(n, value);
    Ok(v)
}

/// Writes a file through `write`, atomically: the bytes go to a temporary file beside `path`,
/// which is flushed, synced and then renamed over `path` (and, on Unix, the directory is
/// synced so the rename itself survives a power cut). A crash or error mid-write leaves the
/// previous file (if any) untouched: a reader of `path` sees the old file or the new one,
/// complete, never a mixture. `tests/atomic_write.rs` checks this by killing a writer
/// process (SIGKILL) at hundreds of random moments.
///
/// The temporary file is named `.<file name>.tmp<process id>.<counter>` in the same
/// directory. An error removes it; a process killed mid-write cannot, so a stale one may be
/// left behind (it is never read, and may be deleted at any time).
///
/// If `path` exists and is not a regular file (a device such as `/dev/null`, a pipe), it
/// cannot be replaced atomically and must not be replaced at all: it is opened and written
/// in place instead.
///
/// # Errors
///
/// [`Error::Io`] naming the path if creating, writing, syncing or renaming fails (the
/// temporary file is removed on failure), or whatever `write` returns.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// let dir = std::env::temp_dir().join("recurrent-doc-write-atomic");
/// std::fs::create_dir_all(&dir).map_err(|e| recurrent::Error::Io { context: "mkdir".into(), source: e })?;
/// let path = dir.join("hello.txt");
/// recurrent::io::write_atomic(&path, |w| {
///     w.write_all(b"hello").map_err(|e| recurrent::Error::Io { context: "write".into(), source: e })
/// })?;
/// assert_eq!(std::fs::read(&path).unwrap_or_default(), b"hello");
/// # Ok::<(), recurrent::Error>(())
/// ```
pub fn write_atomic<P, F>(path: P, write: F) -> Result<()>
where
    P: AsRef<Path>,
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    let path = path.as_ref();
    if let Ok(meta) = fs::metadata(path)
        && !meta.is_file()
    {
        if meta.is_dir() {
            return Err(Error::invalid(
                "path",
                format!("{} is a directory", path.display()),
            ));
        }
        let file = fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        return w
            .flush()
            .map_err(|e| Error::io(format!("writing {}", path.display()), e));
    }
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid("path", format!("{} has no file name", path.display())))?;
    // The process id and a counter keep two writers (processes or threads) apart.
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(
        ".tmp{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        w.flush()
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        let file = w
            .into_inner()
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e.into_error()))?;
        file.sync_all()
            .map_err(|e| Error::io(format!("syncing {}", tmp.display()), e))?;
        fs::rename(&tmp, path).map_err(|e| {
            Error::io(
                format!("renaming {} to {}", tmp.display(), path.display()),
                e,
            )
        })?;
        sync_dir(path);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Syncs the directory holding `path`, so that a rename into it is durable. Best effort: the
/// new file is already in place and complete, and some file systems refuse to sync a
/// directory, so a failure here is not an error.
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_old_file() {
        let dir = std::env::temp_dir().join(format!("recurrent-io-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.txt");
        write_atomic(&path, |w| {
            w.write_all(b"old").map_err(|e| Error::io("w", e))
        })
        .unwrap();
        let err = write_atomic(&path, |w| {
            w.write_all(b"partial").map_err(|e| Error::io("w", e))?;
            Err(Error::invalid("x", "simulated crash"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        // no temporary file left behind
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sizes_that_cannot_be_allocated_are_errors() {
        assert_eq!(try_filled("n", 2, 3, 1u8).unwrap(), [1; 6]);
        let e = try_filled("dim", usize::MAX, 2, 0f32).unwrap_err();
        assert!(e.to_string().contains("address space"), "{e}");
        // 2⁶⁰ floats fit in a usize but in no machine's memory.
        let e = try_filled("dim", 1 << 30, 1 << 30, 0f32).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("4611686018427387904 bytes"), "{msg}");
        assert!(matches!(e, Error::InvalidParameter { name: "dim", .. }));
    }

    #[test]
    fn directories_are_refused_and_devices_written_in_place() {
        let dir = std::env::temp_dir();
        let e = write_atomic(&dir, |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("is a directory"), "{e}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            write_atomic("/dev/null", |w| {
                w.write_all(b"x").map_err(|e| Error::io("w", e))
            })
            .unwrap();
            assert!(
                fs::metadata("/dev/null")
                    .unwrap()
                    .file_type()
                    .is_char_device()
            );
        }
    }
}
