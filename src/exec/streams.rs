//! Which of our output streams `exec` must mask, from `--mask` and what each
//! stream is connected to.

use crate::cli::MaskMode;
use std::io::IsTerminal;
use std::os::fd::{AsRawFd, RawFd};

/// The streams to pass through the masker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaskedStreams {
    pub stdout: bool,
    pub stderr: bool,
    /// Both are masked and lead to the same file (`2>&1`): the program gets
    /// one pipe for both, masked as one stream, so that a value split
    /// between them is still seen whole where they meet.
    pub as_one: bool,
}

impl MaskedStreams {
    /// Nothing masked.
    pub const NONE: MaskedStreams = MaskedStreams {
        stdout: false,
        stderr: false,
        as_one: false,
    };

    pub fn for_mode(mode: MaskMode) -> Self {
        let (stdout, stderr) = match mode {
            MaskMode::Never => (false, false),
            MaskMode::Always => (true, true),
            MaskMode::Auto => (
                read_by_machines(std::io::stdout()),
                read_by_machines(std::io::stderr()),
            ),
        };
        MaskedStreams {
            stdout,
            stderr,
            as_one: stdout && stderr && same_file(libc::STDOUT_FILENO, libc::STDERR_FILENO),
        }
    }

    pub fn any(self) -> bool {
        self.stdout || self.stderr
    }
}

/// Whether `fd` goes somewhere that keeps or forwards what is written (a
/// pipe, a file, a socket) rather than to a person's terminal or nowhere.
/// Masking it never changes whether the program sees a terminal.
fn read_by_machines(stream: impl IsTerminal + AsRawFd) -> bool {
    if stream.is_terminal() {
        return false;
    }
    let Some(stat) = fstat(stream.as_raw_fd()) else {
        // Closed: nothing to protect.
        return false;
    };
    !is_dev_null(&stat)
}

/// Whether `a` and `b` lead to the same file: the same device and inode,
/// as for one pipe, socket or terminal, or one file opened twice. Whether
/// they also share one open file description (`2>&1` rather than two
/// separate opens) is not told apart: either way what is written to one
/// lands among what is written to the other, so they are masked as one.
fn same_file(a: RawFd, b: RawFd) -> bool {
    match (fstat(a), fstat(b)) {
        (Some(a), Some(b)) => a.st_dev == b.st_dev && a.st_ino == b.st_ino,
        _ => false,
    }
}

fn fstat(fd: RawFd) -> Option<libc::stat> {
    // SAFETY: `stat` is plain data, valid when zeroed; fstat writes into it
    // and reports a bad descriptor as -1.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `stat` is a valid, writable `struct stat`.
    (unsafe { libc::fstat(fd, &mut stat) } == 0).then_some(stat)
}

fn is_dev_null(stat: &libc::stat) -> bool {
    if stat.st_mode & libc::S_IFMT != libc::S_IFCHR {
        return false;
    }
    std::fs::metadata("/dev/null").is_ok_and(|null| {
        use std::os::unix::fs::MetadataExt;
        null.rdev() == stat.st_rdev
    })
}
