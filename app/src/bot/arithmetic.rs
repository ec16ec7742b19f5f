//! Sums: finding one in a question ("what is 12*(3+4)?", "calculate
//! 2^10", "2+2") and answering it in one short sentence, whatever went
//! wrong.

use super::evaluate::{evaluate, Fault};
use super::expression::{self, Refusal, MAX_CHARS, MAX_DEPTH};
use super::number::show;
use super::powers::Readings;
use super::question::strip_word;
use crate::domain::text::is_invisible;

/// Phrases that ask for a calculation, as words (so "what  is" counts too).
const LEAD_INS: [&[&str]; 9] = [
    &["what", "is"],
    &["what's"],
    &["what’s"],
    &["whats"],
    &["how", "much", "is"],
    &["calculate"],
    &["compute"],
    &["evaluate"],
    &["solve"],
];

/// The sum `question` asks for: what follows a lead-in such as "what is"
/// (anything, so "what is banana" gets told why not), or the whole question
/// when it is arithmetic by itself ("2+2?"). `None` for anything else.
pub fn request(question: &str) -> Option<&str> {
    let question = question
        .trim()
        .trim_end_matches(|c: char| matches!(c, '?' | '!' | '=') || c.is_whitespace());
    let asked = LEAD_INS
        .iter()
        .find_map(|words| strip_words(question, words))
        .map(|rest| rest.trim_start().trim_start_matches(':').trim());
    match asked {
        Some(sum) if !sum.is_empty() => Some(sum),
        Some(_) => None,
        None => expression::is_arithmetic(question).then_some(question),
    }
}

fn strip_words<'a>(text: &'a str, words: &[&str]) -> Option<&'a str> {
    words
        .iter()
        .try_fold(text, |rest, word| strip_word(rest.trim_start(), word))
}

/// Otter's answer to `sum`: "12*(3+4) = 84", or why there is none.
pub fn answer(sum: &str) -> String {
    let quoted = quotable(sum);
    let result = expression::prepare(sum)
        .map_err(Trouble::Refused)
        .and_then(|expr| evaluate(&expr).map_err(Trouble::Failed));
    match result {
        Ok(value) => {
            let shown = show(value);
            let sign = if shown.exact { "=" } else { "≈" };
            format!("{quoted} {sign} {}", shown.text)
        }
        Err(trouble) => explain(trouble, &quoted),
    }
}

enum Trouble {
    Refused(Refusal),
    Failed(Fault),
}

fn explain(trouble: Trouble, quoted: &str) -> String {
    match trouble {
        Trouble::Refused(Refusal::TooLong) => {
            format!("That's too long for me: keep a sum under {MAX_CHARS} characters, please.")
        }
        Trouble::Refused(Refusal::TooDeep) => format!(
            "That's nested too deeply for me: {MAX_DEPTH} levels of parentheses at most, please."
        ),
        Trouble::Refused(Refusal::Unbalanced) => {
            format!("The parentheses in “{quoted}” don't match up.")
        }
        Trouble::Refused(Refusal::Ambiguous(Some(Readings { part, one, other }))) => {
            format!("“{part}” can be read two ways: {one} or {other}? Add parentheses and ask me again.")
        }
        Trouble::Refused(Refusal::Ambiguous(None)) => "A power next to a minus sign or another power can be read two ways, like (-3)^2 or -(3^2): add parentheses and ask me again.".to_owned(),
        Trouble::Refused(Refusal::Unreadable) | Trouble::Failed(Fault::Unreadable) => format!(
            "I couldn't read “{quoted}” as a sum: I know numbers, + - * / ^ % and parentheses."
        ),
        Trouble::Failed(Fault::DivisionByZero) => {
            "Dividing by zero has no answer, not even for an otter.".to_owned()
        }
        Trouble::Failed(Fault::ModuloByZero) => {
            "The remainder of a division by zero has no answer: try another divisor.".to_owned()
        }
        Trouble::Failed(Fault::TooBig) => {
            "That number is too big for me to work out.".to_owned()
        }
        Trouble::Failed(Fault::NotReal) => {
            "That has no answer among the real numbers (a fractional power of a negative number?).".to_owned()
        }
    }
}

/// `sum` as it is quoted back: on one line, without invisible characters,
/// and never longer than the cap on sums (a longer one is refused unquoted).
fn quotable(sum: &str) -> String {
    let one_line: Vec<&str> = sum.split_whitespace().collect();
    one_line
        .join(" ")
        .chars()
        .filter(|c| *c == ' ' || !is_invisible(*c))
        .take(MAX_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sum_in_a_question() {
        for (question, sum) in [
            ("what is 12*(3+4)?", Some("12*(3+4)")),
            ("What's 2+2", Some("2+2")),
            ("what’s 2+2?", Some("2+2")),
            ("whats 2 + 2 ?", Some("2 + 2")),
            ("WHAT   IS 1/0", Some("1/0")),
            ("how much is 3*3?", Some("3*3")),
            ("Calculate: 2^10", Some("2^10")),
            ("compute -1.5 * 4", Some("-1.5 * 4")),
            ("evaluate 7 % 3", Some("7 % 3")),
            ("2+2?", Some("2+2")),
            ("2+2=?", Some("2+2")),
            ("12 × 3", Some("12 × 3")),
            ("what is banana", Some("banana")),
            ("what is the time", Some("the time")),
            ("what is", None),
            ("what is ?", None),
            ("whatever 2+2", None),
            ("what islands 2+2", None),
            ("hello", None),
            ("", None),
            ("?", None),
            ("2 apples + 3 pears", None),
        ] {
            assert_eq!(request(question), sum, "{question:?}");
        }
    }

    #[test]
    fn quoted_sums_are_one_clean_line() {
        assert_eq!(quotable(" 1 +\n 2\t"), "1 + 2");
        assert_eq!(quotable("ba\u{202E}na\u{200B}na"), "banana");
        assert_eq!(quotable(&"9".repeat(500)).chars().count(), MAX_CHARS);
    }
}
