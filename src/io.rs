//! Crash-safe file writing.

use crate::error::{Error, Result};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes a file through `write`, atomically: the bytes go to a temporary file beside `path`,
/// which is flushed, synced and then renamed over `path`. A crash or error mid-write leaves the
/// previous file (if any) untouched.
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
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let file =
            File::create(&tmp).map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
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
        })
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
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
