//! What the `word2vec` and `word2vec_eval` programs share: how they stop (a message on
//! standard error and an exit status), a standard output that survives being closed early
//! (`… | head`), and the checks of the files named on their command lines.
//!
//! Every message names the flag (or argument) and the file it is about, and is built with
//! `Display`, never `Debug`.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Why a program stops before the end.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong (unknown flag, missing or malformed value): exit status 2,
    /// and a usage line after the message. (`word2vec_eval` leaves these to clap.)
    #[allow(dead_code)]
    Usage(String),
    /// A file could not be read or written, or the work failed: exit status 1.
    Error(String),
    /// Standard output was closed by its reader (`… | head`): nobody reads what is left,
    /// so stop quietly, with status 0, as `ripgrep` does.
    Closed,
}

impl Failure {
    /// Prints the message (`PROGRAM: message`, and for a usage error the `usage` text) on
    /// standard error and returns the exit status. Writing to standard error never panics.
    pub fn report(self, program: &str, usage: &str) -> ExitCode {
        let mut err = io::stderr().lock();
        match self {
            Failure::Usage(m) => {
                let _ = writeln!(err, "{program}: {m}\n{usage}");
                ExitCode::from(2)
            }
            Failure::Error(m) => {
                let _ = writeln!(err, "{program}: {m}");
                ExitCode::from(1)
            }
            Failure::Closed => ExitCode::SUCCESS,
        }
    }
}

/// The name the program was started by (the file name of `argv[0]`), or `default`.
pub fn program_name(default: &str) -> String {
    std::env::args_os()
        .next()
        .map(PathBuf::from)
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// Writes `args` to standard output and flushes it. A closed pipe is [`Failure::Closed`];
/// any other failure (a full disk) is an error.
pub fn print(args: fmt::Arguments<'_>) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => Failure::Closed,
            _ => Failure::Error(format!("writing to standard output: {e}")),
        })
}

/// Opens a file to read, after checking that it exists and is not a folder; errors name
/// `what` (the flag, such as `-train`) and the path.
pub fn open_input(what: &str, path: &Path) -> Result<File, Failure> {
    let fail = |reason: String| Failure::Error(format!("{what} {}: {reason}", path.display()));
    let meta = fs::metadata(path).map_err(|e| fail(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(fail("is a folder, not a file".into()));
    }
    File::open(path).map_err(|e| fail(io_reason(&e)))
}

/// The reason of an I/O error, in words (`no such file`, then the OS's own message).
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => format!("permission denied ({e})"),
        _ => e.to_string(),
    }
}

/// The reason inside a library error, without the library's own context when the caller's
/// message already names the file: an [`recurrent::Error::Io`] gives its OS error.
pub fn lib_reason(e: &recurrent::Error) -> String {
    match e {
        recurrent::Error::Io { source, .. } => io_reason(source),
        other => other.to_string(),
    }
}
