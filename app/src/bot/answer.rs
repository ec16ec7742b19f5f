//! Which kind of question Otter was asked, and its one answer.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{arithmetic, clock, expression};

/// No answer is longer than this many characters (each kind stays well
/// under it by construction; this is the last guard).
pub const MAX_ANSWER: usize = 300;

/// The answer to anything Otter does not understand, including a bare
/// "Hey Otter".
pub const HELP: &str =
    "I can do arithmetic (try “Hey Otter, what is 12*(3+4)?”) and tell you the date and time.";

/// Otter's one answer to `question` (the text after "Hey Otter,", see
/// [`super::question`]), asked at `now` by someone in time zone `tz`.
pub fn answer(question: &str, now: DateTime<Utc>, tz: Tz) -> String {
    at_most(reply(question, now, tz), MAX_ANSWER)
}

fn reply(question: &str, now: DateTime<Utc>, tz: Tz) -> String {
    let sum = arithmetic::request(question);
    match sum {
        // Plain arithmetic first: "what is 24*60" mentions no time, but
        // "what is 2+2 today?" is not a sum Otter can read either way.
        Some(sum) if expression::is_arithmetic(sum) => arithmetic::answer(sum),
        _ if clock::is_asked(question) => clock::answer(now, tz),
        // "what is banana": asked for a calculation, told why there is none.
        Some(sum) => arithmetic::answer(sum),
        None => HELP.to_owned(),
    }
}

fn at_most(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some(_) => {
            let mut cut: String = text.chars().take(max - 1).collect();
            cut.push('…');
            cut
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::question;
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Asia;

    /// 20:00 UTC on Monday 30 November 2026: already Tuesday in Kolkata.
    fn now() -> DateTime<Utc> {
        match Utc.with_ymd_and_hms(2026, 11, 30, 20, 0, 0).single() {
            Some(t) => t,
            None => panic!("not one instant"),
        }
    }

    /// What Otter says to a whole message body, as the worker will ask it.
    fn says(body: &str, tz: Tz) -> Option<String> {
        question(body).map(|q| answer(q, now(), tz))
    }

    #[test]
    fn questions_and_answers() {
        let deep = format!("Hey Otter, what is {}1{}?", "(".repeat(21), ")".repeat(21));
        let nested = format!(
            "Hey Otter, what is {}1{}?",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        let long = format!("Hey Otter, what is {}1", "1+".repeat(100));
        let cases: Vec<(&str, &str)> = vec![
            // The example, and the phrasings around a sum.
            ("Hey Otter, what is 12*(3+4)?", "12*(3+4) = 84"),
            ("hey otter what is 2+2", "2+2 = 4"),
            ("HEY OTTER, 2+2?", "2+2 = 4"),
            ("Hey Otter, what's 10 - 2*3", "10 - 2*3 = 4"),
            ("Hey Otter, calculate 2^10", "2^10 = 1,024"),
            ("Hey Otter, compute 7 % 3", "7 % 3 = 1"),
            ("Hey Otter, how much is 12 × 3?", "12 × 3 = 36"),
            ("Hey Otter, 8 ÷ 2 − 1 =", "8 ÷ 2 − 1 = 3"),
            // Negative numbers and decimals.
            ("Hey Otter, what is -5 + -3?", "-5 + -3 = -8"),
            ("Hey Otter, what is 3 - -2", "3 - -2 = 5"),
            ("Hey Otter, what is -(2+3)*2", "-(2+3)*2 = -10"),
            ("Hey Otter, what is 0.1 + 0.2?", "0.1 + 0.2 = 0.3"),
            ("Hey Otter, what is 1.5 * 4", "1.5 * 4 = 6"),
            ("Hey Otter, what is .5 / 4", ".5 / 4 = 0.125"),
            ("Hey Otter, what is 2^-1", "2^-1 = 0.5"),
            ("Hey Otter, what is 1/3", "1/3 ≈ 0.3333333333"),
            ("Hey Otter, what is -7.5 % 2", "-7.5 % 2 = -1.5"),
            // Large numbers.
            ("Hey Otter, what is 1000000*1000000", "1000000*1000000 = 1,000,000,000,000"),
            ("Hey Otter, what is 2^64", "2^64 ≈ 1.844674407 × 10^19"),
            // No answer, said kindly.
            ("Hey Otter, what is 1/0?", "Dividing by zero has no answer, not even for an otter."),
            ("Hey Otter, what is 5/(3-3)", "Dividing by zero has no answer, not even for an otter."),
            ("Hey Otter, 0^-1", "Dividing by zero has no answer, not even for an otter."),
            ("Hey Otter, what is 5 % 0", "The remainder of a division by zero has no answer: try another divisor."),
            ("Hey Otter, what is 2^100000?", "That number is too big for me to work out."),
            ("Hey Otter, what is 10^300 * 10^300", "That number is too big for me to work out."),
            ("Hey Otter, what is (-8)^(1/3)", "That has no answer among the real numbers (a fractional power of a negative number?)."),
            (long.as_str(), "That's too long for me: keep a sum under 200 characters, please."),
            (nested.as_str(), "That's too long for me: keep a sum under 200 characters, please."),
            (deep.as_str(), "That's nested too deeply for me: 20 levels of parentheses at most, please."),
            ("Hey Otter, what is (1+2", "The parentheses in “(1+2” don't match up."),
            ("Hey Otter, what is -3^2", "“-3^2” can be read two ways: (-3)^2 or -(3^2)? Add parentheses and ask me again."),
            ("Hey Otter, what is 2^3^2", "“2^3^2” can be read two ways: (2^3)^2 or 2^(3^2)? Add parentheses and ask me again."),
            ("Hey Otter, what is (-3)^2", "(-3)^2 = 9"),
            ("Hey Otter, what is -(3^2)", "-(3^2) = -9"),
            ("Hey Otter, what is banana", "I couldn't read “banana” as a sum: I know numbers, + - * / ^ % and parentheses."),
            ("Hey Otter, what is 2 +", "I couldn't read “2 +” as a sum: I know numbers, + - * / ^ % and parentheses."),
            ("Hey Otter, what is 2 3", "I couldn't read “2 3” as a sum: I know numbers, + - * / ^ % and parentheses."),
            ("Hey Otter, what is sqrt(4)", "I couldn't read “sqrt(4)” as a sum: I know numbers, + - * / ^ % and parentheses."),
            // The date and the time, in the asker's zone.
            ("Hey Otter, what time is it?", "It's 20:00 on Monday, 30 November 2026 (UTC)."),
            ("hey otter what's the date", "It's 20:00 on Monday, 30 November 2026 (UTC)."),
            ("Hey Otter, what day is it?", "It's 20:00 on Monday, 30 November 2026 (UTC)."),
            // Anything else: the help line.
            ("Hey Otter", HELP),
            ("Hey Otter,", HELP),
            ("Hey Otter, tell me a joke", HELP),
            ("Hey Otter, what is", HELP),
            ("Hey Otter, 2 apples and 3 pears", HELP),
        ];
        for (body, expected) in cases {
            assert_eq!(says(body, Tz::UTC).as_deref(), Some(expected), "{body:?}");
        }
    }

    #[test]
    fn the_date_and_time_in_two_zones_at_one_instant() {
        assert_eq!(
            says("Hey Otter, what's the date today?", Tz::UTC).as_deref(),
            Some("It's 20:00 on Monday, 30 November 2026 (UTC).")
        );
        assert_eq!(
            says("Hey Otter, what's the date today?", Asia::Kolkata).as_deref(),
            Some("It's 01:30 on Tuesday, 1 December 2026 (Asia/Kolkata).")
        );
        // A sum does not depend on the zone.
        assert_eq!(
            says("Hey Otter, what is 24*60", Asia::Kolkata).as_deref(),
            Some("24*60 = 1,440")
        );
    }

    #[test]
    fn no_answer_without_the_prefix() {
        for body in [
            "what is 2+2?",
            "hey otters what is 2+2",
            "Hey Ottery, 2+2",
            "I asked hey otter, what is 2+2",
            "12*(3+4)",
        ] {
            assert_eq!(says(body, Tz::UTC), None, "{body:?}");
        }
    }

    #[test]
    fn every_short_sum_gets_a_short_answer() {
        // Every string of up to four of these characters, with and without
        // "what is": no panic, no empty or long answer.
        let alphabet: Vec<char> = "10.+-*/^%() x".chars().collect();
        let mut layer = vec![String::new()];
        let mut texts = Vec::new();
        for _ in 0..4 {
            layer = layer
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(layer.iter().cloned());
        }
        for text in &texts {
            for question in [text.clone(), format!("what is {text}")] {
                let reply = answer(&question, now(), Tz::UTC);
                let n = reply.chars().count();
                assert!(n > 0 && n <= MAX_ANSWER, "{question:?} → {reply:?}");
            }
        }
    }

    #[test]
    fn hostile_questions_get_short_answers() {
        let questions = [
            format!("what is {}1", "-".repeat(199)),
            format!("what is {}1", "2^".repeat(99)),
            format!("what is {}1", "-(".repeat(60)),
            format!("what is -({})^2", "1+".repeat(90)),
            "(".repeat(4000),
            "9".repeat(4000),
            format!("what is {}", "banana ".repeat(500)),
            format!("what is {}", "9".repeat(199)),
            format!("what is {}", "x".repeat(200)),
            "what is 1e308*10".to_owned(),
            "what is \u{202E}2+2\u{0}".to_owned(),
        ];
        for question in &questions {
            let reply = answer(question, now(), Tz::UTC);
            let n = reply.chars().count();
            assert!(n > 0 && n <= MAX_ANSWER, "{question:.40} → {reply:?}");
        }
    }

    #[test]
    fn a_long_answer_is_cut() {
        let cut = at_most("a".repeat(400), MAX_ANSWER);
        assert_eq!(cut.chars().count(), MAX_ANSWER);
        assert!(cut.ends_with('…'));
        assert_eq!(at_most("short".to_owned(), MAX_ANSWER), "short");
    }
}
