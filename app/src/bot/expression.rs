//! What a sum must pass before the parser sees it: a length cap, only the
//! characters of arithmetic, parentheses that match and nest at most
//! [`MAX_DEPTH`] deep, and no power whose reading is a matter of convention
//! (`powers`).
//!
//! exmex's parser is iterative, so depth is not a stack risk for it today;
//! the cap is checked here anyway so that no future parser (or exmex
//! version) is ever handed 10,000 nested parentheses.

use super::powers::{self, Readings};

/// Longer expressions are refused before anything else reads them.
pub const MAX_CHARS: usize = 200;
/// Deeper nesting is refused before the parser sees it.
pub const MAX_DEPTH: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    TooLong,
    TooDeep,
    Unbalanced,
    Unreadable,
    /// `part` of the expression reads as `one` or as `other`; `None` when
    /// the part is too long to quote.
    Ambiguous(Option<Readings>),
}

/// Whether `text` is made only of arithmetic (digits, operators,
/// parentheses, spaces) with at least one digit: "2+2" is a sum even
/// without "what is" in front of it.
pub fn is_arithmetic(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_whitespace() || is_token_char(normalize_char(c)))
}

/// `raw` as the parser will read it (whitespace collapsed, `×` `÷` `−` and
/// `**` in ASCII), once it passed every check.
pub fn prepare(raw: &str) -> Result<String, Refusal> {
    if raw.chars().nth(MAX_CHARS).is_some() {
        return Err(Refusal::TooLong);
    }
    let text = normalize(raw);
    let tokens = tokenize(&text)?;
    check_nesting(&tokens)?;
    powers::check(&text, &tokens)?;
    Ok(text)
}

fn normalize_char(c: char) -> char {
    match c {
        '×' | '·' | '⋅' | '∙' => '*',
        '÷' | '∕' => '/',
        '−' | '–' => '-',
        _ => c,
    }
}

fn normalize(raw: &str) -> String {
    let words: Vec<String> = raw
        .split_whitespace()
        .map(|w| w.chars().map(normalize_char).collect())
        .collect();
    words.join(" ").replace("**", "^")
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | '+' | '-' | '*' | '/' | '^' | '%' | '(' | ')')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Number,
    Op(u8),
    Open,
    Close,
}

/// A token and its byte range in the normalised text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) start: usize,
    pub(super) end: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token>, Refusal> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let kind = match b {
            b' ' => {
                i += 1;
                continue;
            }
            b'0'..=b'9' | b'.' => {
                while bytes
                    .get(i)
                    .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
                {
                    i += 1;
                }
                let literal = text.get(start..i).unwrap_or("");
                if literal.matches('.').count() > 1 || literal == "." {
                    return Err(Refusal::Unreadable);
                }
                tokens.push(Token {
                    kind: Kind::Number,
                    start,
                    end: i,
                });
                continue;
            }
            b'+' | b'-' | b'*' | b'/' | b'^' | b'%' => Kind::Op(b),
            b'(' => Kind::Open,
            b')' => Kind::Close,
            _ => return Err(Refusal::Unreadable),
        };
        i += 1;
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    if tokens.is_empty() {
        return Err(Refusal::Unreadable);
    }
    Ok(tokens)
}

fn check_nesting(tokens: &[Token]) -> Result<(), Refusal> {
    let mut depth = 0usize;
    for token in tokens {
        match token.kind {
            Kind::Open => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Refusal::TooDeep);
                }
            }
            Kind::Close => depth = depth.checked_sub(1).ok_or(Refusal::Unbalanced)?,
            Kind::Number | Kind::Op(_) => {}
        }
    }
    if depth == 0 {
        Ok(())
    } else {
        Err(Refusal::Unbalanced)
    }
}

pub(super) fn kind_at(tokens: &[Token], i: usize) -> Option<Kind> {
    tokens.get(i).map(|t| t.kind)
}

pub(super) fn is_sign(kind: Option<Kind>) -> bool {
    matches!(kind, Some(Kind::Op(b'+' | b'-')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_text_is_ascii_with_single_spaces() {
        assert_eq!(prepare("  12 ×\t(3 + 4) "), Ok("12 * (3 + 4)".to_owned()));
        assert_eq!(prepare("8 ÷ 2 − 1"), Ok("8 / 2 - 1".to_owned()));
        assert_eq!(prepare("2**10"), Ok("2^10".to_owned()));
        assert_eq!(prepare("-2.5 * .5 + 3."), Ok("-2.5 * .5 + 3.".to_owned()));
    }

    #[test]
    fn refusals() {
        for (raw, refusal) in [
            ("", Refusal::Unreadable),
            ("   ", Refusal::Unreadable),
            ("banana", Refusal::Unreadable),
            ("2 + x", Refusal::Unreadable),
            ("1,000 + 1", Refusal::Unreadable),
            ("1.2.3", Refusal::Unreadable),
            (". + 1", Refusal::Unreadable),
            ("{x}", Refusal::Unreadable),
            ("(1+2", Refusal::Unbalanced),
            ("1+2)", Refusal::Unbalanced),
            (")(", Refusal::Unbalanced),
        ] {
            assert_eq!(prepare(raw), Err(refusal), "{raw:?}");
        }
    }

    #[test]
    fn length_is_capped_before_anything_else() {
        let at_cap = "1".repeat(MAX_CHARS);
        assert!(prepare(&at_cap).is_ok());
        let over = format!("{at_cap}1");
        assert_eq!(prepare(&over), Err(Refusal::TooLong));
        // Characters, not bytes: 200 "×" are 400 bytes and still 200.
        let wide = format!("2{}", "×2".repeat(99));
        assert!(prepare(&wide).is_ok());
        let nested = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(prepare(&nested), Err(Refusal::TooLong));
    }

    #[test]
    fn nesting_is_capped() {
        let deep = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(prepare(&deep(MAX_DEPTH)), Ok(deep(MAX_DEPTH)));
        assert_eq!(prepare(&deep(MAX_DEPTH + 1)), Err(Refusal::TooDeep));
        // Deep first, even when it would also be unbalanced.
        assert_eq!(prepare(&"(".repeat(99)), Err(Refusal::TooDeep));
        // Many groups side by side are not deep.
        let wide = vec!["(1)"; 40].join("+");
        assert!(prepare(&wide).is_ok());
    }

    #[test]
    fn what_counts_as_arithmetic() {
        for text in ["2+2", "12 × (3 + 4)", "-1", "1/0", "(1", "1.5", "2**3"] {
            assert!(is_arithmetic(text), "{text:?}");
        }
        for text in ["", "+", "banana", "2 apples", "what is 2", "(", "3 days"] {
            assert!(!is_arithmetic(text), "{text:?}");
        }
    }
}
