//! This process's memory: kept out of core dumps.
//!
//! `disable_core_dumps` is called by `cmd::run` before any command starts,
//! so before any key material or plaintext enters this process: a core file
//! would hold both.

/// Sets the core size limit to 0, which a program started by `exec`
/// inherits (its environment holds the secrets too), and on Linux also makes
/// this process not dumpable.
pub fn disable_core_dumps() {
    make_undumpable();
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit reads a live rlimit; failure only leaves the
    // default limit (nothing to undo).
    unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) };
}

/// Linux: no core even where the core pattern pipes to a program (which
/// ignores the size limit), and other processes of the same user cannot
/// read this one's memory or environment through /proc.
#[cfg(target_os = "linux")]
fn make_undumpable() {
    // SAFETY: prctl with PR_SET_DUMPABLE takes plain integers; failure only
    // leaves the default (nothing to undo).
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
}

/// Elsewhere there is no portable equivalent: the core size limit of 0
/// (POSIX) alone keeps the secrets out of core files.
#[cfg(not(target_os = "linux"))]
fn make_undumpable() {}
