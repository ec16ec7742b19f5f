//! Which messages are addressed to Otter: those that start with "Hey Otter,"
//! (any case, the comma optional). Only the start counts, so a message that
//! merely mentions Otter is not a question.

/// A message addressed to Otter: the text after "Hey Otter," (trimmed,
/// possibly empty), or `None` when the message does not start with it.
pub fn question(body: &str) -> Option<&str> {
    let after_hey = strip_word(body.trim_start(), "hey")?;
    let before_otter = after_hey.trim_start();
    // "heyotter" is one word, not a greeting.
    if before_otter.len() == after_hey.len() {
        return None;
    }
    let rest = strip_word(before_otter, "otter")?.trim_start();
    Some(rest.strip_prefix(',').unwrap_or(rest).trim())
}

/// `text` after its first word when that word is `word` (ASCII case
/// ignored): "Otter" matches in "Otter, hi" and "Otter?", not in "Otters"
/// or "Otter's".
pub(super) fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    let rest = text.get(word.len()..)?;
    let whole_word = !rest.chars().next().is_some_and(continues_word);
    (head.eq_ignore_ascii_case(word) && whole_word).then_some(rest)
}

fn continues_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '\'' | '’')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_in_any_case_with_or_without_the_comma() {
        for (body, expected) in [
            ("Hey Otter, what is 2+2?", "what is 2+2?"),
            ("hey otter what is 2+2", "what is 2+2"),
            ("HEY OTTER, 2+2?", "2+2?"),
            ("hEy OtTeR,2+2", "2+2"),
            ("  \n Hey   Otter ,  2+2  ", "2+2"),
            ("Hey\u{a0}Otter, hi", "hi"),
            ("Hey Otter!", "!"),
            ("Hey Otter?", "?"),
            ("Hey Otter", ""),
            ("hey otter,", ""),
            ("Hey Otter, Hey Otter, 1", "Hey Otter, 1"),
        ] {
            assert_eq!(question(body), Some(expected), "{body:?}");
        }
    }

    #[test]
    fn anything_else_is_not_a_question() {
        for body in [
            "",
            "hey",
            "Hey Otters, 2+2",
            "hey ottery 2+2",
            "Hey Otter's friend",
            "Hey Otter-bot, 2+2",
            "heyotter, 2+2",
            "Hey, Otter, 2+2",
            "They Otter, 2+2",
            "I said hey otter, 2+2",
            "Otter, what is 2+2?",
            "hello Otter",
            "Hé Otter, 2+2",
            "Hey Ott",
            "Hey 🦦, 2+2",
        ] {
            assert_eq!(question(body), None, "{body:?}");
        }
    }

    #[test]
    fn strip_word_never_cuts_a_character_in_half() {
        // "hé" is three bytes: a two-byte slice of it is no char boundary.
        assert_eq!(strip_word("hé", "he"), None);
        assert_eq!(strip_word("é", "he"), None);
        assert_eq!(strip_word("what's up", "what's"), Some(" up"));
    }
}
