//! When an open page's "now"-relative labels go stale (see
//! `chat::clock`): pure functions of the browser's clock, so they are
//! tested here and not in a browser.

/// The longest the page goes without looking at the clock (ms).
pub const CHECK_EVERY_MS: f64 = 10_000.0;

/// Whether the labels shown, written for a day that ends at `relabel_at_ms`,
/// are stale at `now_ms` (both Unix ms, the browser's clock).
pub fn relabel_due(now_ms: f64, relabel_at_ms: i64) -> bool {
    now_ms >= relabel_at_ms as f64
}

/// How long to wait (ms) before looking at the clock again: until the day
/// ends, but never longer than [`CHECK_EVERY_MS`].
pub fn next_look_in(now_ms: f64, relabel_at_ms: Option<i64>) -> u32 {
    let until = relabel_at_ms.map_or(CHECK_EVERY_MS, |at| at as f64 - now_ms);
    until.clamp(0.0, CHECK_EVERY_MS) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIDNIGHT: i64 = 1_796_169_600_000; // some day's end, Unix ms

    #[test]
    fn due_from_the_first_millisecond_of_the_new_day() {
        let m = MIDNIGHT as f64;
        assert!(!relabel_due(m - 1.0, MIDNIGHT));
        assert!(relabel_due(m, MIDNIGHT));
        // A laptop that slept through two midnights: due at once on waking.
        assert!(relabel_due(m + 2.0 * 86_400_000.0, MIDNIGHT));
    }

    #[test]
    fn looks_again_at_the_day_end_or_within_ten_seconds() {
        let m = MIDNIGHT as f64;
        assert_eq!(next_look_in(m - 3_000.0, Some(MIDNIGHT)), 3_000);
        assert_eq!(next_look_in(m - 3_600_000.0, Some(MIDNIGHT)), 10_000);
        assert_eq!(next_look_in(m + 5.0, Some(MIDNIGHT)), 0);
        assert_eq!(next_look_in(m, None), 10_000);
        // A clock set back a day waits, but still looks every ten seconds.
        assert_eq!(next_look_in(m - 86_400_000.0, Some(MIDNIGHT)), 10_000);
    }
}
