//! The words of the moderation queue, the "Resolved" view and blocking
//! (F21) as the window shows them: plain functions, so the components
//! only place them.

use crate::domain::safety::{ALREADY_REPORTED, REPORT_FILED};
use crate::domain::REPORT_KINDS;
use crate::model::{ModAction, ModMessage, ReportOutcome, ThreadKind};

/// "1 report", "3 reports".
pub fn report_count_label(n: i64) -> String {
    if n == 1 {
        "1 report".to_owned()
    } else {
        format!("{n} reports")
    }
}

/// Where a message was posted: "in group Otters", "in direct chat ana and
/// bo", "in room River watch".
pub fn place_label(kind: ThreadKind, name: &str) -> String {
    let kind = match kind {
        ThreadKind::Direct => "direct chat",
        ThreadKind::Group => "group",
        ThreadKind::Room => "room",
    };
    format!("in {kind} {name}")
}

/// A stored reason ("spam", "other: see the link") in the words the
/// report form offered ("Spam", "Something else: see the link"). An
/// unknown kind is shown as it was stored.
pub fn reason_label(reason: &str) -> String {
    let (kind, detail) = match reason.split_once(": ") {
        Some((k, d)) => (k, Some(d)),
        None => (reason, None),
    };
    let Some((_, label)) = REPORT_KINDS.iter().find(|(k, _)| *k == kind) else {
        return reason.to_owned();
    };
    match detail {
        Some(d) => format!("{label}: {d}"),
        None => (*label).to_owned(),
    }
}

/// The stored kind of a reason ("other" for "other: …"), for styling.
pub fn reason_kind(reason: &str) -> &str {
    reason.split_once(": ").map_or(reason, |(k, _)| k)
}

/// "Removed" / "Dismissed", as the "Resolved" view lists decisions.
pub fn decision_label(action: ModAction) -> &'static str {
    match action {
        ModAction::Remove => "Removed",
        ModAction::Dismiss => "Dismissed",
    }
}

/// What happened to a message since it was posted, as a note beside its
/// full text in the queue (moderators always see the text).
pub fn message_note(m: &ModMessage) -> Option<&'static str> {
    if m.removed {
        Some("removed by a moderator")
    } else if m.deleted {
        Some("deleted by its author")
    } else {
        None
    }
}

/// The moderator's open report count for the navigation: the live count
/// once the browser has one, else the server's; nothing when none are open.
pub fn open_reports_badge(live: Option<i64>, server: Option<i64>) -> Option<i64> {
    live.or(server).filter(|n| *n > 0)
}

/// Whether the viewer blocks `user`: the live block list once the browser
/// has one, else `fallback` (what the server's page said).
pub fn is_blocked(live: Option<&[i64]>, user: i64, fallback: bool) -> bool {
    live.map_or(fallback, |list| list.contains(&user))
}

/// What the report form says once the server answered.
pub fn report_answer(outcome: ReportOutcome) -> &'static str {
    match outcome {
        ReportOutcome::Filed => REPORT_FILED,
        ReportOutcome::AlreadyReported => ALREADY_REPORTED,
    }
}

/// The label of a Block toggle.
pub fn block_label(blocked: bool) -> &'static str {
    if blocked {
        "Unblock"
    } else {
        "Block"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MessageKind;

    fn message(deleted: bool, removed: bool) -> ModMessage {
        ModMessage {
            id: 1,
            author: "bo".into(),
            author_id: 2,
            kind: MessageKind::Text,
            text: "hello".into(),
            deleted,
            removed,
            at: "Sat, Nov 21, 2026, 3:04 PM".into(),
        }
    }

    #[test]
    fn report_counts_are_singular_for_one() {
        assert_eq!(report_count_label(1), "1 report");
        assert_eq!(report_count_label(3), "3 reports");
        assert_eq!(report_count_label(0), "0 reports");
    }

    #[test]
    fn places_name_their_kind() {
        assert_eq!(place_label(ThreadKind::Group, "Otters"), "in group Otters");
        assert_eq!(
            place_label(ThreadKind::Direct, "ana and bo"),
            "in direct chat ana and bo"
        );
        assert_eq!(
            place_label(ThreadKind::Room, "River watch"),
            "in room River watch"
        );
    }

    #[test]
    fn reasons_read_as_the_form_offered_them_with_their_detail() {
        assert_eq!(reason_label("spam"), "Spam");
        assert_eq!(reason_label("hate"), "Hateful content");
        assert_eq!(
            reason_label("other: see: the link"),
            "Something else: see: the link"
        );
        assert_eq!(reason_label("weird"), "weird");
        assert_eq!(reason_kind("other: see: the link"), "other");
        assert_eq!(reason_kind("spam"), "spam");
    }

    #[test]
    fn decisions_and_notes() {
        assert_eq!(decision_label(ModAction::Remove), "Removed");
        assert_eq!(decision_label(ModAction::Dismiss), "Dismissed");
        assert_eq!(message_note(&message(false, false)), None);
        assert_eq!(
            message_note(&message(true, false)),
            Some("deleted by its author")
        );
        assert_eq!(
            message_note(&message(true, true)),
            Some("removed by a moderator")
        );
    }

    #[test]
    fn the_badge_prefers_the_live_count_and_hides_zero() {
        assert_eq!(open_reports_badge(None, Some(2)), Some(2));
        assert_eq!(open_reports_badge(Some(5), Some(2)), Some(5));
        assert_eq!(open_reports_badge(Some(0), Some(2)), None);
        assert_eq!(open_reports_badge(None, None), None);
        assert_eq!(open_reports_badge(None, Some(0)), None);
    }

    #[test]
    fn the_live_block_list_wins_once_known() {
        assert!(!is_blocked(None, 7, false));
        assert!(is_blocked(None, 7, true));
        assert!(is_blocked(Some(&[3, 7]), 7, false));
        assert!(!is_blocked(Some(&[3]), 7, true));
        assert_eq!(block_label(true), "Unblock");
        assert_eq!(block_label(false), "Block");
    }

    #[test]
    fn the_report_form_answers_by_outcome() {
        assert_eq!(report_answer(ReportOutcome::Filed), REPORT_FILED);
        assert_eq!(
            report_answer(ReportOutcome::AlreadyReported),
            ALREADY_REPORTED
        );
    }
}
