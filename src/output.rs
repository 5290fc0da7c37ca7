//! Exit statuses and writing to stdout and stderr without panicking.
//!
//! `println!` panics when stdout is a closed pipe (`triage list | head -1`);
//! everything here returns the I/O error instead, and the caller stops quietly.

use std::io::{self, Write};

/// How a command ended, mapped to the documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0: everything worked.
    Ok,
    /// Exit 1: the bundle has errors, a case failed, or coverage is too low.
    Failed,
    /// Exit 2: bad usage or bad input.
    Usage,
}

impl Status {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Failed => 1,
            Status::Usage => 2,
        }
    }
}

/// Writes `text` to stdout and flushes it.
pub fn print(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes `text` to stderr. Errors are ignored: there is nowhere left to report them.
pub fn eprint(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Prints a one-line usage error to stderr and returns [`Status::Usage`].
pub fn usage_error(message: &str) -> Status {
    eprint(&format!("error: {message}\n"));
    Status::Usage
}

/// Ends a command after an I/O error on stdout: a closed pipe is the reader's
/// choice and ends the command quietly; anything else is reported.
pub fn finish_io(result: io::Result<Status>) -> Status {
    match result {
        Ok(status) => status,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Status::Ok,
        Err(error) => {
            eprint(&format!("error: cannot write output: {error}\n"));
            Status::Failed
        }
    }
}
