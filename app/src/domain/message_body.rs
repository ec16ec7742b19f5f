use crate::error::AppError;

/// The text of a message: not empty or whitespace-only, at most
/// [`MessageBody::MAX`] characters. Leading and trailing blank lines are
/// dropped; what the user typed in between is kept exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX: usize = 4000;
    /// Where the composer starts showing its counter.
    pub const WARN_AT: usize = 3500;

    pub fn parse(input: &str) -> Result<Self, AppError> {
        let text = input.trim_matches(|c: char| c == '\n' || c == '\r');
        if text.trim().is_empty() {
            return Err(AppError::invalid("body", "Type a message first."));
        }
        let len = text.chars().count();
        if len > Self::MAX {
            return Err(AppError::invalid(
                "body",
                format!(
                    "A message is at most {} characters ({} now).",
                    Self::MAX,
                    len
                ),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether the composer may send `text` (the same rule the server applies,
/// so the button and Enter agree with it).
pub fn can_send(text: &str) -> bool {
    !text.trim().is_empty() && text.chars().count() <= MessageBody::MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_whitespace_are_refused() {
        for input in ["", "   ", "\n\n", " \t \n "] {
            assert!(MessageBody::parse(input).is_err(), "{input:?}");
            assert!(!can_send(input));
        }
    }

    #[test]
    fn inner_lines_and_indent_are_kept() {
        let body = MessageBody::parse("\n  first\n\n  second  \n").map(|b| b.0);
        assert_eq!(body.as_deref(), Ok("  first\n\n  second  "));
    }

    #[test]
    fn length_is_counted_in_characters() {
        let at_limit = "é".repeat(MessageBody::MAX);
        assert!(MessageBody::parse(&at_limit).is_ok());
        assert!(can_send(&at_limit));
        let over = "x".repeat(MessageBody::MAX + 1);
        let err = MessageBody::parse(&over).err();
        assert!(err.and_then(|e| e.for_field("body")).is_some());
        assert!(!can_send(&over));
    }

    #[test]
    fn html_is_just_text() {
        let body = MessageBody::parse("<script>alert(1)</script>").map(|b| b.0);
        assert_eq!(body.as_deref(), Ok("<script>alert(1)</script>"));
    }
}
