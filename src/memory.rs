//! This process's memory: kept out of core dumps.
//!
//! `disable_core_dumps` is called by `cmd::run` before any command starts,
//! so before any key material or plaintext enters this process: a core file
//! would hold both.

/// Makes this process not dumpable (no core, and other processes of the
/// same user cannot read its memory or environment through /proc), and sets
/// the core size limit to 0, which a program started by `exec` inherits: its
/// environment holds the secrets too.
pub fn disable_core_dumps() {
    // SAFETY: prctl and setrlimit take plain integers and a pointer to a
    // live rlimit; failure only leaves the defaults (nothing to undo).
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &none);
    }
}
