//! Human time labels ("Today", "3:04 PM", "Jun 8") for the chat views.
//!
//! Pages render on the server, so the labels must be computed there in the
//! viewer's own zone (sent as an IANA name in a cookie) — otherwise the
//! server's HTML and the browser's idea of "today" disagree around midnight.
//! Calendar days are compared as local dates, never as 24-hour spans, so a
//! 23- or 25-hour DST day still has exactly one "Yesterday".

use std::fmt::Write;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

// The labels are written field by field rather than with chrono's
// `format("%…")`: that parses its pattern again for every call, and a
// 200-message page makes 800 of them (a tenth of the page's render, by
// callgrind of `bench_ssr`). The tests below pin the output.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// No IANA name comes close; anything longer is junk and not worth parsing.
const MAX_TZ_NAME: usize = 64;

/// The viewer's zone from a cookie value. The cookie is client-controlled,
/// so anything that is not a known IANA name falls back to UTC rather than
/// failing the page.
pub fn parse_tz(name: Option<&str>) -> Tz {
    name.filter(|n| n.len() <= MAX_TZ_NAME)
        .and_then(|n| n.trim().parse::<Tz>().ok())
        .unwrap_or(Tz::UTC)
}

/// The local calendar date as "YYYY-MM-DD": a stable key for deciding where
/// day separators go, cheap to ship to the browser as a plain string.
pub fn day_key(at: DateTime<Utc>, tz: Tz) -> String {
    let day = local_date(at, tz);
    let mut out = String::with_capacity(10);
    push_year(&mut out, day.year());
    // Writing to a String cannot fail.
    let _ = write!(out, "-{:02}-{:02}", day.month(), day.day());
    out
}

/// The day separator's text: "Today", "Yesterday", "Jun 8", or
/// "Jun 8, 2025" when the year differs from the viewer's current one.
pub fn day_label(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let day = local_date(at, tz);
    let today = local_date(now, tz);
    // A clock running ahead of ours must not produce a label from the future.
    if day >= today {
        "Today".to_owned()
    } else if today.pred_opt() == Some(day) {
        "Yesterday".to_owned()
    } else {
        short_date(day, today)
    }
}

/// "3:04 PM": 12-hour, no leading zero on the hour.
pub fn clock_time(at: DateTime<Utc>, tz: Tz) -> String {
    let mut out = String::with_capacity(8);
    push_clock(&mut out, &at.with_timezone(&tz));
    out
}

/// The navigation list's timestamp: the time for today's messages, the date
/// otherwise. Never "Yesterday" — the column is narrow and a date is as short.
pub fn nav_time(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let day = local_date(at, tz);
    let today = local_date(now, tz);
    if day >= today {
        clock_time(at, tz)
    } else {
        short_date(day, today)
    }
}

/// The exact moment for a hover tooltip: "Sat, Nov 21, 2026, 3:04 PM".
pub fn full_timestamp(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    let mut out = String::with_capacity(26);
    out.push_str(WEEKDAYS[local.weekday().num_days_from_monday() as usize]);
    out.push_str(", ");
    push_month_day(&mut out, local.date_naive());
    out.push_str(", ");
    push_year(&mut out, local.year());
    out.push_str(", ");
    push_clock(&mut out, &local);
    out
}

/// Calendar days since the account was created, in the viewer's zone (0:
/// "joined today"), so an age changes at the viewer's midnight like every
/// other label (see [`next_midnight`]); a clock that jumped backwards
/// yields 0 rather than a negative age.
pub fn days_on_site(created: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> i64 {
    (local_date(now, tz) - local_date(created, tz))
        .num_days()
        .max(0)
}

/// The first instant of the viewer's next calendar day after `now`: when
/// every label above ("Today", a list stamp, a profile age) may change.
/// The open page re-labels then.
///
/// Local midnight in most zones; where a DST change skips midnight itself
/// (clocks jump from 23:59:59 to 01:00, as Santiago and Havana have), the
/// first local time that exists on the new day; where midnight happens
/// twice, the first of the two.
pub fn next_midnight(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    use chrono::{LocalResult, TimeZone};
    let today = local_date(now, tz);
    let Some(tomorrow) = today.succ_opt() else {
        return now;
    };
    // Offsets change in steps of whole minutes (15 at the finest today):
    // walk forward over a skipped span a minute at a time, a few hours at most.
    let start = tomorrow.and_time(chrono::NaiveTime::MIN);
    for minutes in 0..=24 * 60 {
        let wall = start + chrono::Duration::minutes(minutes);
        match tz.from_local_datetime(&wall) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
            LocalResult::None => {}
        }
    }
    now + chrono::Duration::hours(24)
}

fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The year is only noise while it is the viewer's current one.
fn short_date(day: NaiveDate, today: NaiveDate) -> String {
    let mut out = String::with_capacity(12);
    push_month_day(&mut out, day);
    if day.year() != today.year() {
        out.push_str(", ");
        push_year(&mut out, day.year());
    }
    out
}

/// "Jun 8": the month's short name and the day without a leading zero.
fn push_month_day(out: &mut String, day: NaiveDate) {
    out.push_str(MONTHS[day.month0() as usize]);
    let _ = write!(out, " {}", day.day());
}

/// The year as chrono's `%Y` writes it: four digits, a sign outside 0–9999.
fn push_year(out: &mut String, year: i32) {
    let _ = match year {
        0..=9999 => write!(out, "{year:04}"),
        _ => write!(out, "{year:+}"),
    };
}

/// "3:04 PM": 12-hour, no leading zero on the hour.
fn push_clock(out: &mut String, t: &impl Timelike) {
    let (pm, hour) = t.hour12();
    let half = if pm { "PM" } else { "AM" };
    let _ = write!(out, "{hour}:{:02} {half}", t.minute());
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use chrono_tz::{America, Asia, Europe, Pacific};

    /// The UTC instant of an unambiguous local wall-clock time. A test that
    /// names a skipped or repeated time is itself wrong, so it stops there.
    fn local(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        match tz.with_ymd_and_hms(y, mo, d, h, mi, s).single() {
            Some(t) => t.with_timezone(&Utc),
            None => panic!("{y}-{mo}-{d} {h}:{mi}:{s} is not one instant in {tz}"),
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        local(Tz::UTC, y, mo, d, h, mi, s)
    }

    #[test]
    fn next_midnight_is_the_local_day_boundary_in_every_kind_of_zone() {
        // Whole-hour, :30 and :45 offsets.
        for (tz, y, mo, d) in [
            (Tz::UTC, 2026, 6, 9),
            (America::Los_Angeles, 2026, 6, 9),
            (Asia::Kolkata, 2026, 6, 9),
            (Asia::Kathmandu, 2026, 6, 9),
            (Pacific::Chatham, 2026, 6, 9),
            (Pacific::Kiritimati, 2026, 12, 31),
        ] {
            let evening = local(tz, y, mo, d, 23, 53, 0);
            let midnight = next_midnight(evening, tz);
            assert_eq!(midnight - evening, Duration::minutes(7), "{tz}");
            assert_eq!(clock_time(midnight, tz), "12:00 AM", "{tz}");
            assert_ne!(day_key(midnight, tz), day_key(evening, tz), "{tz}");
            assert_eq!(
                day_key(midnight - Duration::seconds(1), tz),
                day_key(evening, tz)
            );
            // At midnight itself, the next one is a day later.
            assert_eq!(
                next_midnight(midnight, tz) - midnight,
                Duration::hours(24),
                "{tz}"
            );
        }
        // Kathmandu is UTC+5:45: its midnight is 18:15 UTC.
        let k = next_midnight(utc(2026, 6, 9, 12, 0, 0), Asia::Kathmandu);
        assert_eq!(k, utc(2026, 6, 9, 18, 15, 0));
    }

    #[test]
    fn next_midnight_across_dst_changes() {
        // New York: the 23-hour and 25-hour days still end at midnight.
        let tz = America::New_York;
        let short_day = local(tz, 2026, 3, 8, 0, 30, 0);
        assert_eq!(
            next_midnight(short_day, tz) - short_day,
            Duration::minutes(23 * 60 - 30)
        );
        let long_day = local(tz, 2026, 11, 1, 0, 30, 0);
        assert_eq!(
            next_midnight(long_day, tz) - long_day,
            Duration::minutes(25 * 60 - 30)
        );
        // Santiago springs forward at midnight (2026-09-06 00:00 → 01:00):
        // that day starts at 01:00, one real hour after 23:00.
        let tz = America::Santiago;
        let late = local(tz, 2026, 9, 5, 23, 0, 0);
        let next = next_midnight(late, tz);
        assert_eq!(next - late, Duration::hours(1));
        assert_eq!(day_key(next, tz), "2026-09-06");
        assert_eq!(clock_time(next, tz), "1:00 AM");
        // And falls back at midnight (2026-04-05 00:00 → 23:00 the day
        // before): the 4th ends at the first midnight; the hour repeated
        // after it already belongs to… the 4th again, so the 5th starts at
        // the second 00:00, which is the only one chrono calls the 5th.
        let tz = America::Santiago;
        let evening = local(tz, 2026, 4, 4, 22, 0, 0);
        let next = next_midnight(evening, tz);
        assert_eq!(day_key(next, tz), "2026-04-05");
        assert_eq!(day_key(next - Duration::seconds(1), tz), "2026-04-04");
    }

    #[test]
    fn after_a_jump_of_two_days_the_next_midnight_is_from_the_new_now() {
        // A laptop asleep for two days: what is due is computed from the
        // clock it wakes to, never from the stale deadline.
        let tz = Europe::Berlin;
        let before = local(tz, 2026, 6, 9, 23, 0, 0);
        let woke = before + Duration::days(2) + Duration::hours(3);
        assert!(woke > next_midnight(before, tz));
        assert_eq!(day_key(next_midnight(woke, tz), tz), "2026-06-13");
    }

    #[test]
    fn days_on_site_counts_calendar_days_in_the_viewers_zone() {
        let tz = America::Los_Angeles;
        let joined = local(tz, 2026, 6, 8, 23, 50, 0);
        // Ten minutes later it is the next day there: one day on the site.
        assert_eq!(days_on_site(joined, joined + Duration::minutes(5), tz), 0);
        assert_eq!(days_on_site(joined, joined + Duration::minutes(10), tz), 1);
        assert_eq!(days_on_site(joined, joined - Duration::days(3), tz), 0);
    }

    #[test]
    fn today_yesterday_older_other_year() {
        let now = utc(2026, 6, 9, 15, 0, 0);
        let tz = Tz::UTC;
        assert_eq!(day_label(utc(2026, 6, 9, 0, 0, 0), now, tz), "Today");
        assert_eq!(day_label(utc(2026, 6, 9, 14, 59, 0), now, tz), "Today");
        assert_eq!(day_label(utc(2026, 6, 8, 23, 59, 59), now, tz), "Yesterday");
        assert_eq!(day_label(utc(2026, 6, 8, 0, 0, 0), now, tz), "Yesterday");
        assert_eq!(day_label(utc(2026, 6, 7, 23, 59, 59), now, tz), "Jun 7");
        assert_eq!(day_label(utc(2026, 1, 8, 12, 0, 0), now, tz), "Jan 8");
        assert_eq!(day_label(utc(2025, 6, 8, 12, 0, 0), now, tz), "Jun 8, 2025");
    }

    #[test]
    fn future_message_counts_as_today() {
        let now = utc(2026, 6, 9, 23, 0, 0);
        assert_eq!(day_label(now + Duration::hours(5), now, Tz::UTC), "Today");
        assert_eq!(day_label(now + Duration::days(400), now, Tz::UTC), "Today");
        assert_eq!(
            nav_time(now + Duration::minutes(2), now, Tz::UTC),
            "11:02 PM"
        );
    }

    #[test]
    fn midnight_boundary_los_angeles() {
        let tz = America::Los_Angeles;
        let now = local(tz, 2026, 6, 9, 12, 0, 0);
        let before = local(tz, 2026, 6, 8, 23, 59, 59);
        let after = local(tz, 2026, 6, 9, 0, 0, 0);
        assert_eq!(day_label(before, now, tz), "Yesterday");
        assert_eq!(day_label(after, now, tz), "Today");
        assert_eq!(day_key(before, tz), "2026-06-08");
        assert_eq!(day_key(after, tz), "2026-06-09");
        // The same instant is already 06:59:59 on June 9 in UTC.
        assert_eq!(day_key(before, Tz::UTC), "2026-06-09");
    }

    #[test]
    fn midnight_boundary_kiritimati_utc_plus_14() {
        let tz = Pacific::Kiritimati;
        // Local midnight on June 9 is 10:00 UTC on June 8.
        let before = utc(2026, 6, 8, 9, 59, 59);
        let after = utc(2026, 6, 8, 10, 0, 0);
        let now = utc(2026, 6, 8, 12, 0, 0);
        assert_eq!(day_key(before, tz), "2026-06-08");
        assert_eq!(day_key(after, tz), "2026-06-09");
        assert_eq!(day_label(before, now, tz), "Yesterday");
        assert_eq!(day_label(after, now, tz), "Today");
        assert_eq!(clock_time(after, tz), "12:00 AM");
        assert_eq!(clock_time(before, tz), "11:59 PM");
        // Same instants, same viewer moment, but a UTC viewer sees one day.
        assert_eq!(day_label(before, now, Tz::UTC), "Today");
        assert_eq!(day_label(after, now, Tz::UTC), "Today");
    }

    #[test]
    fn same_instant_differs_between_utc_and_auckland() {
        // June: Auckland is UTC+12, so 11:30Z is 23:30 on the 8th and
        // 12:30Z is 00:30 on the 9th there.
        let at = utc(2026, 6, 8, 11, 30, 0);
        let now = utc(2026, 6, 8, 12, 30, 0);
        assert_eq!(day_label(at, now, Tz::UTC), "Today");
        assert_eq!(day_label(at, now, Pacific::Auckland), "Yesterday");
        assert_eq!(nav_time(at, now, Tz::UTC), "11:30 AM");
        assert_eq!(nav_time(at, now, Pacific::Auckland), "Jun 8");
    }

    #[test]
    fn spring_forward_23_hour_day_new_york() {
        let tz = America::New_York;
        // 2026-03-08 has 23 hours: 02:00 EST jumps to 03:00 EDT.
        let just_after_midnight = local(tz, 2026, 3, 9, 0, 30, 0);
        // 24 real hours before that is still on March 7 locally, so "now
        // minus a day" arithmetic would get this wrong.
        assert_eq!(
            day_key(just_after_midnight - Duration::hours(24), tz),
            "2026-03-07"
        );
        let on_short_day = local(tz, 2026, 3, 8, 12, 0, 0);
        assert_eq!(
            day_label(on_short_day, just_after_midnight, tz),
            "Yesterday"
        );
        let day_before = local(tz, 2026, 3, 7, 23, 30, 0);
        assert_eq!(day_label(day_before, just_after_midnight, tz), "Mar 7");
        // Only 23 real hours apart, still a calendar day apart.
        let end_of_short_day = local(tz, 2026, 3, 8, 23, 30, 0);
        assert_eq!(day_label(day_before, end_of_short_day, tz), "Yesterday");
        // The skipped hour: 06:59Z is 1:59 EST, 07:00Z is 3:00 EDT.
        assert_eq!(clock_time(utc(2026, 3, 8, 6, 59, 0), tz), "1:59 AM");
        assert_eq!(clock_time(utc(2026, 3, 8, 7, 0, 0), tz), "3:00 AM");
    }

    #[test]
    fn fall_back_25_hour_day_new_york() {
        let tz = America::New_York;
        // 2026-11-01 has 25 hours: 02:00 EDT falls back to 01:00 EST.
        let late_oct_31 = local(tz, 2026, 10, 31, 23, 30, 0);
        let late_nov_1 = local(tz, 2026, 11, 1, 23, 30, 0);
        assert_eq!(late_nov_1 - late_oct_31, Duration::hours(25));
        assert_eq!(day_label(late_oct_31, late_nov_1, tz), "Yesterday");
        let early_nov_1 = local(tz, 2026, 11, 1, 0, 10, 0);
        let late_nov_2 = local(tz, 2026, 11, 2, 23, 50, 0);
        assert_eq!(day_label(early_nov_1, late_nov_2, tz), "Yesterday");
        assert_eq!(day_label(late_oct_31, late_nov_2, tz), "Oct 31");
    }

    #[test]
    fn repeated_hour_reads_the_same_twice() {
        let tz = America::New_York;
        let first = utc(2026, 11, 1, 5, 30, 0); // 1:30 EDT
        let second = utc(2026, 11, 1, 6, 30, 0); // 1:30 EST, an hour later
        assert_eq!(clock_time(first, tz), "1:30 AM");
        assert_eq!(clock_time(second, tz), "1:30 AM");
        assert_eq!(day_key(first, tz), day_key(second, tz));
        assert_eq!(day_label(first, second, tz), "Today");
    }

    #[test]
    fn year_boundary() {
        let now = utc(2026, 1, 1, 9, 0, 0);
        assert_eq!(
            day_label(utc(2025, 12, 31, 22, 0, 0), now, Tz::UTC),
            "Yesterday"
        );
        assert_eq!(
            day_label(utc(2025, 12, 30, 22, 0, 0), now, Tz::UTC),
            "Dec 30, 2025"
        );
        assert_eq!(
            nav_time(utc(2025, 12, 31, 22, 0, 0), now, Tz::UTC),
            "Dec 31, 2025"
        );
        // Tokyo (UTC+9): it is already Jan 1 there at 15:00Z on Dec 31.
        let tz = Asia::Tokyo;
        let now = utc(2025, 12, 31, 15, 0, 0);
        assert_eq!(
            day_label(utc(2025, 12, 31, 14, 59, 59), now, tz),
            "Yesterday"
        );
        assert_eq!(
            day_label(utc(2025, 12, 30, 14, 59, 59), now, tz),
            "Dec 30, 2025"
        );
    }

    /// The hand-written labels say exactly what chrono's patterns said,
    /// for every 37 minutes of four years in zones either side of UTC (DST
    /// changes, leap days, year ends and every weekday included).
    #[test]
    fn labels_match_chronos_patterns() {
        let zones = [Tz::UTC, America::New_York, Asia::Kolkata, Pacific::Auckland];
        let start = utc(2023, 12, 25, 0, 0, 0);
        let now = utc(2026, 3, 1, 12, 0, 0);
        for step in 0..(4 * 366 * 24 * 60 / 37) {
            let at = start + Duration::minutes(37 * step);
            for tz in zones {
                let local = at.with_timezone(&tz);
                let day = local.date_naive();
                assert_eq!(day_key(at, tz), day.format("%Y-%m-%d").to_string());
                assert_eq!(clock_time(at, tz), local.format("%-I:%M %p").to_string());
                assert_eq!(
                    full_timestamp(at, tz),
                    local.format("%a, %b %-d, %Y, %-I:%M %p").to_string()
                );
                let today = local_date(now, tz);
                let short = match day.year() == today.year() {
                    true => day.format("%b %-d").to_string(),
                    false => day.format("%b %-d, %Y").to_string(),
                };
                assert_eq!(short_date(day, today), short);
            }
        }
        let far = NaiveDate::from_ymd_opt(10_000, 1, 2).unwrap_or_default();
        let mut year = String::new();
        push_year(&mut year, far.year());
        assert_eq!(year, far.format("%Y").to_string());
    }

    #[test]
    fn clock_time_format() {
        let tz = Tz::UTC;
        assert_eq!(clock_time(utc(2026, 6, 9, 15, 4, 0), tz), "3:04 PM");
        assert_eq!(clock_time(utc(2026, 6, 9, 0, 0, 0), tz), "12:00 AM");
        assert_eq!(clock_time(utc(2026, 6, 9, 12, 0, 0), tz), "12:00 PM");
        assert_eq!(clock_time(utc(2026, 6, 9, 9, 30, 59), tz), "9:30 AM");
        assert_eq!(clock_time(utc(2026, 6, 9, 23, 59, 0), tz), "11:59 PM");
    }

    #[test]
    fn full_timestamp_format() {
        let at = local(America::New_York, 2026, 11, 21, 15, 4, 0);
        assert_eq!(
            full_timestamp(at, America::New_York),
            "Sat, Nov 21, 2026, 3:04 PM"
        );
        assert_eq!(full_timestamp(at, Tz::UTC), "Sat, Nov 21, 2026, 8:04 PM");
    }

    #[test]
    fn parse_tz_accepts_iana_names_only() {
        assert_eq!(parse_tz(Some("Europe/Berlin")), Europe::Berlin);
        assert_eq!(parse_tz(Some(" Europe/Berlin ")), Europe::Berlin);
        assert_eq!(parse_tz(Some("UTC")), Tz::UTC);
        assert_eq!(parse_tz(None), Tz::UTC);
        assert_eq!(parse_tz(Some("")), Tz::UTC);
        assert_eq!(parse_tz(Some("Not/AZone")), Tz::UTC);
        assert_eq!(parse_tz(Some("<script>")), Tz::UTC);
        assert_eq!(parse_tz(Some(&"A".repeat(200))), Tz::UTC);
        // The length guard comes before trimming and parsing.
        let padded = format!("Europe/Berlin{}", " ".repeat(187));
        assert_eq!(padded.len(), 200);
        assert_eq!(parse_tz(Some(&padded)), Tz::UTC);
    }

    #[test]
    fn nav_time_today_vs_not() {
        let tz = America::Los_Angeles;
        let now = local(tz, 2026, 6, 9, 18, 0, 0);
        assert_eq!(
            nav_time(local(tz, 2026, 6, 9, 15, 4, 0), now, tz),
            "3:04 PM"
        );
        assert_eq!(
            nav_time(local(tz, 2026, 6, 9, 0, 0, 0), now, tz),
            "12:00 AM"
        );
        assert_eq!(nav_time(local(tz, 2026, 6, 8, 23, 59, 0), now, tz), "Jun 8");
        assert_eq!(nav_time(local(tz, 2026, 2, 1, 10, 0, 0), now, tz), "Feb 1");
        assert_eq!(
            nav_time(local(tz, 2025, 12, 31, 10, 0, 0), now, tz),
            "Dec 31, 2025"
        );
    }

    #[test]
    fn days_on_site_counts_calendar_days() {
        let created = utc(2026, 6, 1, 12, 0, 0);
        let tz = Tz::UTC;
        assert_eq!(days_on_site(created, created, tz), 0);
        assert_eq!(days_on_site(created, created + Duration::hours(11), tz), 0);
        assert_eq!(days_on_site(created, created + Duration::hours(12), tz), 1);
        assert_eq!(days_on_site(created, utc(2026, 6, 11, 17, 0, 0), tz), 10);
        assert_eq!(days_on_site(created, created - Duration::days(3), tz), 0);
    }
}
