//! What a room is made of, parsed like every other input: trimmed of blank
//! characters, one line, counted in characters as a reader sees them.

use super::text;
use crate::error::AppError;

/// Longest room name, in characters.
pub const ROOM_NAME_MAX: usize = 80;
/// Longest room topic, in characters.
pub const ROOM_TOPIC_MAX: usize = 300;

/// A room's name: 1–[`ROOM_NAME_MAX`] visible characters, one line.
pub fn parse_room_name(input: &str) -> Result<String, AppError> {
    let name = text::trim_blank(input);
    if name.is_empty() {
        return Err(AppError::invalid("name", "Give the room a name."));
    }
    one_line("name", name, ROOM_NAME_MAX, "A room name")
}

/// A room's topic: optional (nothing visible means none), at most
/// [`ROOM_TOPIC_MAX`] characters, one line.
pub fn parse_room_topic(input: &str) -> Result<Option<String>, AppError> {
    let topic = text::trim_blank(input);
    if topic.is_empty() {
        return Ok(None);
    }
    one_line("topic", topic, ROOM_TOPIC_MAX, "A topic").map(Some)
}

fn one_line(field: &str, s: &str, max: usize, what: &str) -> Result<String, AppError> {
    if text::check_length(s, max).is_err() {
        return Err(AppError::invalid(
            field,
            format!("{what} is at most {max} characters."),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            format!("{what} is one line of text."),
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_one_to_eighty_visible_characters_on_one_line() {
        assert_eq!(
            parse_room_name("  Otter fans \u{200B}").ok(),
            Some("Otter fans".into())
        );
        for bad in ["", "   ", "\u{200B}\u{2060}", "a\nb", "tab\there", "\u{7}"] {
            assert!(parse_room_name(bad).is_err(), "{bad:?}");
        }
        assert!(parse_room_name(&"a".repeat(80)).is_ok());
        assert!(parse_room_name(&"a".repeat(81)).is_err());
        // Counted as a reader sees them: 80 couples are 80 characters.
        assert!(parse_room_name(&"👨\u{200D}👩".repeat(80)).is_ok());
        assert!(parse_room_name(&"👨\u{200D}👩".repeat(81)).is_err());
        // HTML is text like any other.
        assert_eq!(
            parse_room_name("<b>bold</b>").ok(),
            Some("<b>bold</b>".into())
        );
    }

    #[test]
    fn a_topic_is_optional_and_at_most_three_hundred_characters() {
        assert_eq!(parse_room_topic("  ").ok(), Some(None));
        assert_eq!(
            parse_room_topic(" all otters ").ok(),
            Some(Some("all otters".into()))
        );
        assert!(parse_room_topic(&"t".repeat(300)).is_ok());
        assert!(parse_room_topic(&"t".repeat(301)).is_err());
        assert!(parse_room_topic("two\nlines").is_err());
    }
}
