//! The CPU time of this process, for benchmarks that report it beside wall-clock time.

/// Nanoseconds on CPU of every thread of this process (the first field of each thread's
/// `/proc/self/task/*/schedstat`; 0 where there is no such file). Reading it costs a few system
/// calls a thread, which the next reading counts.
pub(crate) fn cpu_nanos() -> u64 {
    let Ok(threads) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    threads
        .flatten()
        .filter_map(|thread| std::fs::read_to_string(thread.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}
