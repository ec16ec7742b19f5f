//! Where day separators go and which messages merge into one visual group.
//!
//! The rules live here, free of Leptos and chrono, so the server render and
//! the browser's live updates (which append messages one at a time) lay out a
//! thread identically, and so the edge cases — exactly 60 s, midnight, clock
//! skew — are pinned down by plain unit tests.

/// What grouping needs to know about one message, in display order (oldest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp<'a> {
    pub sender_id: i64,
    pub at_ms: i64,
    /// The local calendar day (see `when::day_key`); compared only for equality.
    pub day: &'a str,
    pub system: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A day separator before message `first`.
    Day {
        first: usize,
    },
    Message {
        index: usize,
        starts_group: bool,
    },
}

/// How long after the previous message a follow-up still reads as part of
/// the same burst. Measured message to message, so a steady conversation
/// stays one group however long it runs.
pub const GROUP_WINDOW_MS: i64 = 60_000;

/// Day separators and messages, interleaved in display order.
pub fn layout(stamps: &[Stamp<'_>]) -> Vec<Row> {
    let mut rows = Vec::with_capacity(stamps.len() + 1);
    let mut prev: Option<&Stamp<'_>> = None;
    for (index, stamp) in stamps.iter().enumerate() {
        if prev.is_none_or(|p| p.day != stamp.day) {
            rows.push(Row::Day { first: index });
        }
        rows.push(Row::Message {
            index,
            starts_group: starts_group(prev, stamp),
        });
        prev = Some(stamp);
    }
    rows
}

fn starts_group(prev: Option<&Stamp<'_>>, cur: &Stamp<'_>) -> bool {
    prev.is_none_or(|prev| !joins(prev, cur))
}

fn joins(prev: &Stamp<'_>, cur: &Stamp<'_>) -> bool {
    // A negative gap means the clocks disagree about order; starting a new
    // group (with its own header and time) is the honest rendering.
    let within_window = cur
        .at_ms
        .checked_sub(prev.at_ms)
        .is_some_and(|gap| (0..=GROUP_WINDOW_MS).contains(&gap));
    prev.day == cur.day
        && !prev.system
        && !cur.system
        && prev.sender_id == cur.sender_id
        && within_window
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: &str = "2026-06-09";
    const NEXT_DAY: &str = "2026-06-10";

    fn msg(sender_id: i64, at_ms: i64) -> Stamp<'static> {
        Stamp {
            sender_id,
            at_ms,
            day: DAY,
            system: false,
        }
    }

    fn system(at_ms: i64) -> Stamp<'static> {
        Stamp {
            sender_id: 0,
            at_ms,
            day: DAY,
            system: true,
        }
    }

    fn m(index: usize, starts_group: bool) -> Row {
        Row::Message {
            index,
            starts_group,
        }
    }

    /// Every case checks the rows and, read off them, each message's flag.
    fn check(stamps: &[Stamp<'_>], rows: &[Row], starts: &[bool]) {
        let laid_out = layout(stamps);
        assert_eq!(laid_out, rows);
        let flags: Vec<bool> = laid_out
            .iter()
            .filter_map(|r| match r {
                Row::Message { starts_group, .. } => Some(*starts_group),
                Row::Day { .. } => None,
            })
            .collect();
        assert_eq!(flags, starts);
    }

    #[test]
    fn empty() {
        check(&[], &[], &[]);
    }

    #[test]
    fn single() {
        check(&[msg(1, 0)], &[Row::Day { first: 0 }, m(0, true)], &[true]);
    }

    #[test]
    fn exactly_sixty_seconds_joins() {
        check(
            &[msg(1, 1_000), msg(1, 61_000)],
            &[Row::Day { first: 0 }, m(0, true), m(1, false)],
            &[true, false],
        );
    }

    #[test]
    fn one_millisecond_over_starts_new_group() {
        check(
            &[msg(1, 1_000), msg(1, 61_001)],
            &[Row::Day { first: 0 }, m(0, true), m(1, true)],
            &[true, true],
        );
    }

    #[test]
    fn same_millisecond_joins() {
        check(
            &[msg(1, 5), msg(1, 5)],
            &[Row::Day { first: 0 }, m(0, true), m(1, false)],
            &[true, false],
        );
    }

    #[test]
    fn chain_measured_from_previous_message() {
        // 200 s from first to last, but never more than 50 s between two.
        let stamps: Vec<_> = (0..5).map(|i| msg(1, i * 50_000)).collect();
        check(
            &stamps,
            &[
                Row::Day { first: 0 },
                m(0, true),
                m(1, false),
                m(2, false),
                m(3, false),
                m(4, false),
            ],
            &[true, false, false, false, false],
        );
    }

    #[test]
    fn different_sender_starts_new_group() {
        check(
            &[msg(1, 0), msg(2, 1_000), msg(2, 2_000), msg(1, 3_000)],
            &[
                Row::Day { first: 0 },
                m(0, true),
                m(1, true),
                m(2, false),
                m(3, true),
            ],
            &[true, true, false, true],
        );
    }

    #[test]
    fn system_line_breaks_group_and_is_its_own() {
        check(
            &[msg(1, 0), system(1_000), system(2_000), msg(1, 3_000)],
            &[
                Row::Day { first: 0 },
                m(0, true),
                m(1, true),
                m(2, true),
                m(3, true),
            ],
            &[true, true, true, true],
        );
    }

    #[test]
    fn midnight_starts_new_day_and_new_group() {
        let before = msg(1, 86_399_000);
        let after = Stamp {
            day: NEXT_DAY,
            ..msg(1, 86_401_000)
        };
        check(
            &[before, after],
            &[
                Row::Day { first: 0 },
                m(0, true),
                Row::Day { first: 1 },
                m(1, true),
            ],
            &[true, true],
        );
    }

    #[test]
    fn day_row_for_every_change_even_after_system_line() {
        let sys_next = Stamp {
            day: NEXT_DAY,
            ..system(100_000_000)
        };
        let msg_next = Stamp {
            day: NEXT_DAY,
            ..msg(1, 100_001_000)
        };
        check(
            &[msg(1, 0), sys_next, msg_next],
            &[
                Row::Day { first: 0 },
                m(0, true),
                Row::Day { first: 1 },
                m(1, true),
                m(2, true),
            ],
            &[true, true, true],
        );
    }

    #[test]
    fn out_of_order_timestamps_start_new_group() {
        check(
            &[msg(1, 10_000), msg(1, 9_999), msg(1, 20_000)],
            &[Row::Day { first: 0 }, m(0, true), m(1, true), m(2, false)],
            &[true, true, false],
        );
    }

    #[test]
    fn extreme_timestamps_do_not_overflow() {
        check(
            &[msg(1, i64::MIN), msg(1, i64::MAX), msg(1, i64::MIN)],
            &[Row::Day { first: 0 }, m(0, true), m(1, true), m(2, true)],
            &[true, true, true],
        );
    }
}
