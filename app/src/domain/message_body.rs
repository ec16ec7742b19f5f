use std::borrow::Cow;

use super::text::{self, TooLong};
use crate::error::AppError;

/// The text of a message: something visible (not only whitespace or
/// invisible characters, see [`text::is_blank`]), at most
/// [`MessageBody::MAX`] characters (grapheme clusters, [`text::count`]) and
/// `MAX ×` [`text::BYTES_PER_CHARACTER`] bytes. Line breaks are stored as
/// `\n` whatever the browser sent (a plain form posts `\r\n`); leading and
/// trailing line breaks are dropped; what the user typed in between is kept
/// exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    /// The README's "4,000-character limit", in characters as a reader
    /// counts them, so the composer's counter, the server and the user agree.
    pub const MAX: usize = 4000;
    /// Where the composer starts showing its counter.
    pub const WARN_AT: usize = 3500;

    pub fn parse(input: &str) -> Result<Self, AppError> {
        let text = body_text(input);
        check(&text)?;
        Ok(Self(text.into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The text the server keeps of `input`: line breaks as `\n`, none at
/// either end.
fn body_text(input: &str) -> Cow<'_, str> {
    match text::normalize_newlines(input) {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim_matches('\n')),
        Cow::Owned(s) => Cow::Owned(s.trim_matches('\n').to_owned()),
    }
}

/// The body rules on an already normalised text.
fn check(text: &str) -> Result<(), AppError> {
    if text::is_blank(text) {
        return Err(AppError::invalid("body", "Type a message first."));
    }
    match text::check_length(text, MessageBody::MAX) {
        Ok(()) => Ok(()),
        Err(TooLong::Characters(n)) => Err(AppError::invalid(
            "body",
            format!(
                "A message is at most {} characters ({n} now).",
                MessageBody::MAX
            ),
        )),
        Err(TooLong::Bytes) => Err(AppError::invalid(
            "body",
            "This message is too large to send. Please shorten it.",
        )),
    }
}

/// Whether the composer may send `text` (the server's own rule, so the
/// button and Enter agree with it).
pub fn can_send(text: &str) -> bool {
    check(&body_text(text)).is_ok()
}

/// The composer's counter for `text`: `Some((label, over))` from
/// [`MessageBody::WARN_AT`] characters on, counting exactly what the server
/// counts; `over` when the server would refuse it for its length.
pub fn counter(text: &str) -> Option<(String, bool)> {
    let text = body_text(text);
    let n = text::count(&text);
    let over = text::check_length(&text, MessageBody::MAX).is_err();
    (n >= MessageBody::WARN_AT || over).then(|| (format!("{n} / {}", MessageBody::MAX), over))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_whitespace_are_refused() {
        for input in ["", "   ", "\n\n", " \t \n ", "\r\n\r\n"] {
            assert!(MessageBody::parse(input).is_err(), "{input:?}");
            assert!(!can_send(input));
        }
    }

    #[test]
    fn invisible_only_is_refused() {
        for input in [
            "\u{200B}",
            "\u{200D}",
            "\u{2060}",
            "\u{FEFF}",
            "\u{3164}",
            " \u{200B}\n\u{2060} ",
            "\u{E0020}\u{E007F}",
        ] {
            let err = MessageBody::parse(input).err();
            assert_eq!(
                err.as_ref().and_then(|e| e.for_field("body")).as_deref(),
                Some("Type a message first."),
                "{input:?}"
            );
            assert!(!can_send(input), "{input:?}");
        }
        assert!(can_send("\u{200B}hi"));
    }

    #[test]
    fn inner_lines_and_indent_are_kept() {
        let body = MessageBody::parse("\n  first\n\n  second  \n").map(|b| b.0);
        assert_eq!(body.as_deref(), Ok("  first\n\n  second  "));
    }

    #[test]
    fn line_breaks_are_stored_as_lf() {
        let body = MessageBody::parse("\r\none\r\ntwo\rthree\r\n").map(|b| b.0);
        assert_eq!(body.as_deref(), Ok("one\ntwo\nthree"));
    }

    #[test]
    fn a_plain_form_post_counts_like_the_composer() {
        // 40 lines, 3,999 characters with `\n`; a plain form posts `\r\n`.
        let lines = vec!["x".repeat(99); 40];
        let crlf = lines.join("\r\n");
        assert_eq!(MessageBody::parse(&crlf).map(|b| b.0), Ok(lines.join("\n")));
        assert!(can_send(&lines.join("\n")));
        assert_eq!(
            counter(&lines.join("\n")),
            Some(("3999 / 4000".into(), false))
        );
        assert_eq!(counter(&crlf), Some(("3999 / 4000".into(), false)));
    }

    #[test]
    fn length_is_counted_in_what_a_reader_sees() {
        for one in ["é", "e\u{0301}", "😀", "👍🏽", "🇳🇴"] {
            let at_limit = one.repeat(MessageBody::MAX);
            assert!(MessageBody::parse(&at_limit).is_ok(), "{one}");
            assert!(can_send(&at_limit));
            let over = one.repeat(MessageBody::MAX + 1);
            let err = MessageBody::parse(&over).err();
            assert_eq!(
                err.and_then(|e| e.for_field("body")),
                Some("A message is at most 4000 characters (4001 now).".into())
            );
            assert!(!can_send(&over));
        }
    }

    #[test]
    fn a_huge_text_of_few_characters_is_refused() {
        let zalgo = format!("a{}", "\u{0301}".repeat(40_000));
        assert!(MessageBody::parse(&zalgo).is_err());
        assert!(!can_send(&zalgo));
        assert_eq!(counter(&zalgo), Some(("1 / 4000".into(), true)));
    }

    #[test]
    fn the_counter_shows_near_the_limit() {
        assert_eq!(counter(&"😀".repeat(3499)), None);
        assert_eq!(
            counter(&"😀".repeat(3500)),
            Some(("3500 / 4000".into(), false))
        );
        assert_eq!(
            counter(&"😀".repeat(4001)),
            Some(("4001 / 4000".into(), true))
        );
    }

    #[test]
    fn html_is_just_text() {
        let body = MessageBody::parse("<script>alert(1)</script>").map(|b| b.0);
        assert_eq!(body.as_deref(), Ok("<script>alert(1)</script>"));
    }
}
