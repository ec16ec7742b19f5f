//! Hands freed heap back to the operating system after a burst (glibc).
//!
//! glibc's malloc gives memory back on its own only from the top of an
//! arena. A burst of arrivals frees megabytes that sit between long-lived
//! allocations: each new socket holds its co-members' presence frames until
//! it has replayed, and each connection keeps hyper's 8 KiB request buffer
//! until its first read after the upgrade. Those pages stayed resident for
//! good: `bench_live --only memory --idle 2000 --hold 60` read 17.9 KiB of
//! RSS per idle socket; one `malloc_trim(0)` in the same process (from gdb)
//! brought it to 11.9 KiB, and it stayed there.
//!
//! So every [`CHECK_EVERY`] this task reads how much of the heap is free
//! (`mallinfo2`, summed over arenas) and trims once that has grown by
//! [`TRIM_AFTER`] since the last trim. A trim walks the arenas under their
//! locks (a few milliseconds for tens of MiB), so it runs on the blocking
//! pool and only after a real burst, never on a timer alone. A trim does
//! not shrink the free figure (the pages are released, the chunks stay
//! free), hence "grown since the last trim" rather than "large".
//!
//! Elsewhere (musl, macOS) there is nothing to call and the task returns.

use std::time::Duration;

/// How often the free heap is looked at.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// Growth of the free heap, in bytes, since the last trim that is worth one.
pub const TRIM_AFTER: usize = 4 << 20;

/// Whether a trim is due: the free heap (`free`, bytes) has grown by at
/// least [`TRIM_AFTER`] since the last trim left it at `after_last`.
pub fn trim_due(free: usize, after_last: usize) -> bool {
    free.saturating_sub(after_last) >= TRIM_AFTER
}

/// Runs until its task is aborted (it is one of the server's background
/// tasks); see the module doc.
pub async fn trim_after_bursts() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut ticks = tokio::time::interval(CHECK_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut after_last = 0;
        loop {
            ticks.tick().await;
            let free = glibc::free_bytes();
            if !trim_due(free, after_last) {
                // Frees after a trim lower the mark the next burst grows from.
                after_last = after_last.min(free);
                continue;
            }
            match tokio::task::spawn_blocking(glibc::trim).await {
                Ok(released) => {
                    tracing::debug!(free, released, "heap: trimmed after a burst");
                }
                Err(e) => tracing::warn!("heap: trimming: {e}"),
            }
            after_last = glibc::free_bytes();
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    /// Bytes in free chunks across every arena.
    pub fn free_bytes() -> usize {
        // SAFETY: mallinfo2 takes no arguments, only reads the allocator's
        // own statistics under its locks, and returns a plain struct
        // (glibc >= 2.33; Debian 12 has 2.36).
        unsafe { libc::mallinfo2() }.fordblks
    }

    /// Releases every whole free page to the kernel; true if any was.
    pub fn trim() -> bool {
        // SAFETY: malloc_trim(0) is thread-safe (it takes each arena's
        // lock) and leaves every live allocation where it is.
        unsafe { libc::malloc_trim(0) == 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trim_is_due_only_after_the_free_heap_grew_enough() {
        assert!(!trim_due(0, 0));
        assert!(!trim_due(TRIM_AFTER - 1, 0));
        assert!(trim_due(TRIM_AFTER, 0));
        // Large but unchanged since the last trim: nothing new to give back.
        assert!(!trim_due(50 << 20, 50 << 20));
        assert!(trim_due((50 << 20) + TRIM_AFTER, 50 << 20));
        // Shrunk since (memory reused): not due, and no underflow.
        assert!(!trim_due(1 << 20, 50 << 20));
    }
}
