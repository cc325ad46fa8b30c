//! This process's memory: kept out of core dumps, and its heap mapped up
//! front.
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

/// Maps the heap's first block in one system call, where the kernel would
/// otherwise take one page fault per page as each is first written: about 25
/// faults per run, and 0.15 to 0.25 ms of every `secrets exec` on the
/// development VM. malloc's first growth of the heap is found with `sbrk`
/// before and after one allocation. Best effort: nothing happens when the
/// heap exists already or the kernel lacks MADV_POPULATE_WRITE (Linux 5.14).
pub fn map_heap_up_front() {
    // SAFETY: sysconf and sbrk(0) only read; the malloc/free pair is valid;
    // madvise populates (zero-filled, as any first touch would) pages malloc
    // has just taken from the kernel, and leaves those present as they are.
    unsafe {
        let Ok(page) = usize::try_from(libc::sysconf(libc::_SC_PAGESIZE)) else {
            return;
        };
        if !page.is_power_of_two() {
            return;
        }
        let before = libc::sbrk(0) as usize;
        // black_box: otherwise the compiler removes the unused pair.
        let block = std::hint::black_box(libc::malloc(1));
        libc::free(block);
        let after = libc::sbrk(0) as usize;
        let start = before.saturating_add(page - 1) & !(page - 1);
        let end = after & !(page - 1);
        if before != usize::MAX && end > start {
            libc::madvise(
                start as *mut libc::c_void,
                end - start,
                libc::MADV_POPULATE_WRITE,
            );
        }
    }
}
