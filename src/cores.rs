//! How many threads a bulk crypto loop (exec's opening, import's sealing)
//! may use.

/// Most threads worth starting: beyond this, start-up costs win.
const MAX_THREADS: usize = 8;

/// The CPUs this process may run on (its affinity mask), at most
/// `MAX_THREADS`; 1 if unknown. One system call: `available_parallelism`
/// also reads cgroup files under /proc and /sys, a good 0.1 ms on every
/// start of a large exec.
pub fn usable() -> usize {
    // SAFETY: `set` is a plain bit mask that the kernel fills in.
    let count = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return 1;
        }
        libc::CPU_COUNT(&set)
    };
    usize::try_from(count).unwrap_or(1).clamp(1, MAX_THREADS)
}
