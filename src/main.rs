//! Entry point: parse the command line, run it, turn the outcome into one
//! `error:` line (plus a `hint:`) and an exit code.
//!
//! The C `main` itself, not std's: std's start-up reads /proc/self/maps to
//! place a stack guard and sets up an alternate signal stack, about 0.15 ms
//! on every run, and `secrets exec` runs before every workload. What of it
//! this program relies on is done here: standard descriptors kept open,
//! SIGPIPE ignored (a closed pipe is an `EPIPE` error), panics caught (exit
//! 101, as std would) and stdout flushed. The heap is mapped up front
//! (`memory::map_heap_up_front`).
#![no_main]

use secrets::cli::{Cli, Command};
use secrets::error::{EXEC_FAILED, Failure};
use std::ffi::{c_char, c_int};
use std::io::Write;

#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    secrets::memory::map_heap_up_front();
    keep_standard_descriptors_open();
    // SAFETY: a disposition set before any thread exists.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let code = std::panic::catch_unwind(run).unwrap_or(101);
    let _ = std::io::stdout().flush();
    c_int::from(code)
}

/// C's `log`, for the bundled SQLite's FTS5 (compiled in, never used here):
/// that one reference made every run load libm.so, about 0.1 ms of every
/// `secrets exec`. Defined here (the `libm` crate's port of musl's), the
/// linker needs no libm.
#[unsafe(no_mangle)]
extern "C" fn log(x: f64) -> f64 {
    libm::log(x)
}

fn run() -> u8 {
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(refused) => return report(&refused.into(), false),
    };
    let is_exec = matches!(cli.command, Command::Exec(_));
    match secrets::cmd::run(cli) {
        Ok(()) => 0,
        Err(error) => report(&error, is_exec),
    }
}

/// Opens /dev/null on any of descriptors 0, 1 and 2 that is closed, as std
/// does: otherwise a file we write (the usage journal, a new identity) could
/// become descriptor 1 or 2 and take our output. (SQLite guards its own.)
fn keep_standard_descriptors_open() {
    for fd in 0..3 {
        // SAFETY: F_GETFD only asks; open() takes a NUL-terminated path and
        // returns the lowest free descriptor, which is `fd` if it was closed.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
                && libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) == -1
            {
                libc::abort();
            }
        }
    }
}

fn report(error: &anyhow::Error, is_exec: bool) -> u8 {
    if is_broken_pipe(error) {
        // `secrets list | head`: the reader left; not an error (as ripgrep).
        return 0;
    }
    let (code, hint) = match error.downcast_ref::<Failure>() {
        Some(failure) => (failure.code, failure.hint.as_deref()),
        None => (1, None),
    };
    secrets::output::stderr_line(&one_line(&format!("error: {error:#}")));
    if let Some(hint) = hint {
        secrets::output::hint(hint);
    }
    // exec keeps 126/127 for the program; every failure of ours before it
    // runs is 125, as `env` does.
    if is_exec && code < 100 {
        EXEC_FAILED
    } else {
        code
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// A library's line breaks read as spaces; `stderr_line` escapes every
/// other control character.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}
