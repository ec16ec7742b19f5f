//! Small pieces of chat input that have a fixed vocabulary or shape:
//! reaction emoji, stickers, report reasons, group titles, client message
//! ids and thread ids. Each refuses anything outside it.

use super::text;
use crate::error::AppError;

/// The reactions offered on every message, in display order.
pub const REACTIONS: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🎉"];

/// Stickers shipped in `public/stickers/<name>.svg` (see its LICENSE.md).
pub const STICKERS: [&str; 6] = ["otter", "heart", "thumbs-up", "party", "coffee", "wave"];

pub fn sticker_url(name: &str) -> String {
    format!("/stickers/{name}.svg")
}

pub fn parse_reaction(input: &str) -> Result<&'static str, AppError> {
    REACTIONS
        .iter()
        .find(|e| **e == input)
        .copied()
        .ok_or_else(|| AppError::BadRequest("That reaction is not offered.".into()))
}

pub fn parse_sticker(input: &str) -> Result<&'static str, AppError> {
    STICKERS
        .iter()
        .find(|s| **s == input)
        .copied()
        .ok_or_else(|| AppError::BadRequest("There is no such sticker.".into()))
}

/// Why a message is reported: one of a few kinds, plus optional detail.
pub const REPORT_KINDS: [(&str, &str); 4] = [
    ("spam", "Spam"),
    ("harassment", "Harassment or bullying"),
    ("hate", "Hateful content"),
    ("other", "Something else"),
];
/// The longest detail of a report, in characters ([`text::count`]).
pub const REPORT_DETAIL_MAX: usize = 500;

/// The stored reason: `"<kind>"` or `"<kind>: <detail>"`. The detail's line
/// breaks become `\n` and blank characters at its ends go ([`text`]); a
/// detail with nothing visible is no detail.
pub fn parse_report_reason(kind: &str, detail: &str) -> Result<String, AppError> {
    if !REPORT_KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(AppError::invalid("reason", "Choose a reason."));
    }
    let detail = text::normalize_newlines(detail);
    let detail = text::trim_blank(&detail);
    if text::check_length(detail, REPORT_DETAIL_MAX).is_err() {
        return Err(AppError::invalid(
            "detail",
            format!("Please keep it under {REPORT_DETAIL_MAX} characters."),
        ));
    }
    Ok(if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    })
}

/// The longest group name, in characters ([`text::count`]).
pub const GROUP_TITLE_MAX: usize = 80;

/// A group's name: blank characters at its ends removed
/// ([`text::trim_blank`]), at most [`GROUP_TITLE_MAX`] characters, no
/// control characters. Nothing visible (`"   "`, `"\u{200B}\u{2060}"`)
/// means "no name": members' names are shown, as when the field is cleared.
pub fn parse_group_title(input: &str) -> Result<Option<String>, AppError> {
    let title = text::trim_blank(input);
    if title.is_empty() {
        return Ok(None);
    }
    if text::check_length(title, GROUP_TITLE_MAX).is_err() {
        return Err(AppError::invalid(
            "title",
            format!("A group name is at most {GROUP_TITLE_MAX} characters."),
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "title",
            "A group name is one line of text.",
        ));
    }
    Ok(Some(title.to_owned()))
}

/// A client-made message id: 8–64 characters of `A-Z a-z 0-9 -` (a UUID
/// fits). It makes a retried send idempotent.
pub fn parse_client_id(input: &str) -> Result<&str, AppError> {
    let ok = (8..=64).contains(&input.len())
        && input
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(input)
    } else {
        Err(AppError::BadRequest("Malformed message id.".into()))
    }
}

/// A thread's public id is a UUID. Anything else cannot name a thread, so it
/// gets the same answer as a thread one may not see.
pub fn parse_thread_id(input: &str) -> Result<&str, AppError> {
    let b = input.as_bytes();
    let ok = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        });
    if ok {
        Ok(input)
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_offered_reactions_and_stickers() {
        assert_eq!(parse_reaction("👍"), Ok("👍"));
        assert!(parse_reaction("💩").is_err());
        assert!(parse_reaction("").is_err());
        assert_eq!(parse_sticker("otter"), Ok("otter"));
        assert!(parse_sticker("../secret").is_err());
        assert_eq!(sticker_url("otter"), "/stickers/otter.svg");
    }

    #[test]
    fn report_reasons() {
        assert_eq!(parse_report_reason("spam", "  "), Ok("spam".into()));
        assert_eq!(
            parse_report_reason("other", " sells pills "),
            Ok("other: sells pills".into())
        );
        assert!(parse_report_reason("because", "").is_err());
        assert!(parse_report_reason("spam", &"x".repeat(501)).is_err());
        // Counted as a reader counts: 500 emoji fit.
        assert_eq!(
            parse_report_reason("spam", &"😀".repeat(500)),
            Ok(format!("spam: {}", "😀".repeat(500)))
        );
        assert!(parse_report_reason("spam", &"😀".repeat(501)).is_err());
        // Invisible only is no detail; a form's CRLF is stored as LF.
        assert_eq!(
            parse_report_reason("spam", "\u{200B}\u{FEFF} "),
            Ok("spam".into())
        );
        assert_eq!(
            parse_report_reason("other", "one\r\ntwo\r\n"),
            Ok("other: one\ntwo".into())
        );
    }

    #[test]
    fn group_titles() {
        assert_eq!(parse_group_title("  Otters  "), Ok(Some("Otters".into())));
        assert_eq!(parse_group_title("   "), Ok(None));
        assert!(parse_group_title(&"x".repeat(81)).is_err());
        assert!(parse_group_title("two\nlines").is_err());
        // Nothing visible is no name; invisible ends are dropped.
        for blank in ["\u{200B}\u{2060}", "\u{3164}", " \u{FEFF} \u{200D}"] {
            assert_eq!(parse_group_title(blank), Ok(None), "{blank:?}");
        }
        assert_eq!(
            parse_group_title("\u{200B}Otters\u{2060}"),
            Ok(Some("Otters".into()))
        );
        // Counted as a reader counts: 80 family emoji are 80 characters.
        let family = "👨\u{200D}👩\u{200D}👧\u{200D}👦";
        let a79 = "a".repeat(79);
        assert_eq!(
            parse_group_title(&format!("{a79}{family}")),
            Ok(Some(format!("{a79}{family}")))
        );
        assert_eq!(
            parse_group_title(&"😀".repeat(80)),
            Ok(Some("😀".repeat(80)))
        );
        assert!(parse_group_title(&"😀".repeat(81)).is_err());
    }

    #[test]
    fn client_ids() {
        assert!(parse_client_id("0b6e2f0c-7a51-4b0e-9d0a-2f4d8c1e9a77").is_ok());
        assert!(parse_client_id("short").is_err());
        assert!(parse_client_id("has space in it").is_err());
        assert!(parse_client_id(&"a".repeat(65)).is_err());
    }

    #[test]
    fn thread_ids_that_are_not_uuids_are_not_found() {
        assert!(parse_thread_id("0b6e2f0c-7a51-4b0e-9d0a-2f4d8c1e9a77").is_ok());
        for bad in [
            "",
            "1",
            "0B6E2F0C-7A51-4B0E-9D0A-2F4D8C1E9A77",
            "../../etc/passwd",
        ] {
            assert_eq!(parse_thread_id(bad), Err(AppError::NotFound), "{bad}");
        }
    }
}
