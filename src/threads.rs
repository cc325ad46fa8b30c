//! How many threads a bulk crypto loop (exec's opening, import's sealing)
//! may use.

/// Most threads worth starting: beyond this, start-up costs win.
const MAX_THREADS: usize = 8;

/// The CPUs this process may use (std's count, which respects its affinity
/// mask and cgroup quotas), at most `MAX_THREADS`; 1 if unknown.
pub fn usable() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS)
}
