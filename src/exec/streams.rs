//! Which of our output streams `exec` must mask, from `--mask` and what each
//! stream is connected to.

use crate::cli::MaskMode;
use std::os::fd::RawFd;

/// The streams to pass through the masker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaskedStreams {
    pub stdout: bool,
    pub stderr: bool,
}

impl MaskedStreams {
    pub fn for_mode(mode: MaskMode) -> Self {
        match mode {
            MaskMode::Never => MaskedStreams {
                stdout: false,
                stderr: false,
            },
            MaskMode::Always => MaskedStreams {
                stdout: true,
                stderr: true,
            },
            MaskMode::Auto => MaskedStreams {
                stdout: read_by_machines(libc::STDOUT_FILENO),
                stderr: read_by_machines(libc::STDERR_FILENO),
            },
        }
    }

    pub fn any(self) -> bool {
        self.stdout || self.stderr
    }
}

/// Whether `fd` goes somewhere that keeps or forwards what is written (a
/// pipe, a file, a socket) rather than to a person's terminal or nowhere.
/// Masking it never changes whether the program sees a terminal.
fn read_by_machines(fd: RawFd) -> bool {
    if unsafe { libc::isatty(fd) } == 1 {
        return false;
    }
    let Some(stat) = fstat(fd) else {
        // Closed: nothing to protect.
        return false;
    };
    !is_dev_null(&stat)
}

fn fstat(fd: RawFd) -> Option<libc::stat> {
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
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
