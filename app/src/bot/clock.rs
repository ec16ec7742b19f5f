//! "What time is it?", "What's the date?", "What day is it?": answered in
//! the asker's own zone, since "today" and "now" mean theirs.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Words that make a question about the date or the time (whole words,
/// so "times" in "2 times 3" is not one).
const WORDS: [&str; 9] = [
    "time", "date", "day", "today", "clock", "hour", "weekday", "month", "year",
];

/// Whether `question` asks for the date or the time.
pub fn is_asked(question: &str) -> bool {
    question
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| WORDS.iter().any(|w| word.eq_ignore_ascii_case(w)))
}

/// "It's 14:05 on Tuesday, 1 December 2026 (Europe/Paris)."
pub fn answer(now: DateTime<Utc>, tz: Tz) -> String {
    let local = now.with_timezone(&tz);
    format!(
        "It's {} on {} ({}).",
        local.format("%H:%M"),
        local.format("%A, %-d %B %Y"),
        tz.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::{America, Asia, Europe};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        match Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single() {
            Some(t) => t,
            None => panic!("{y}-{mo}-{d} {h}:{mi} is not one instant"),
        }
    }

    #[test]
    fn one_instant_in_several_zones() {
        // 20:00 UTC on Monday 30 November is already Tuesday in Kolkata.
        let now = utc(2026, 11, 30, 20, 0);
        for (tz, expected) in [
            (Tz::UTC, "It's 20:00 on Monday, 30 November 2026 (UTC)."),
            (
                Asia::Kolkata,
                "It's 01:30 on Tuesday, 1 December 2026 (Asia/Kolkata).",
            ),
            (
                Europe::Paris,
                "It's 21:00 on Monday, 30 November 2026 (Europe/Paris).",
            ),
            (
                America::Los_Angeles,
                "It's 12:00 on Monday, 30 November 2026 (America/Los_Angeles).",
            ),
        ] {
            assert_eq!(answer(now, tz), expected);
        }
    }

    #[test]
    fn summer_time_is_applied() {
        // 12:05 UTC in July is 14:05 in Paris (CEST), not 13:05.
        assert_eq!(
            answer(utc(2026, 7, 14, 12, 5), Europe::Paris),
            "It's 14:05 on Tuesday, 14 July 2026 (Europe/Paris)."
        );
    }

    #[test]
    fn which_questions_are_about_time() {
        for q in [
            "what time is it?",
            "What's the date?",
            "what day is it",
            "what is today's date",
            "TIME",
            "what year is it?",
        ] {
            assert!(is_asked(q), "{q:?}");
        }
        for q in [
            "what is 2 times 3",
            "what is 2+2",
            "",
            "daytime",
            "dates",
            "hello",
        ] {
            assert!(!is_asked(q), "{q:?}");
        }
    }
}
