//! Powers whose reading is a matter of convention. exmex reads `-3^2` as
//! `(-3)^2` and `2^3^2` as `(2^3)^2`, as spreadsheets do; most people (and
//! Python, and search engines) read `-(3^2)` and `2^(3^2)`. Rather than
//! answer either way and be wrong for half of the askers, Otter asks which
//! one was meant, with both readings spelled out.

use super::expression::{is_sign, kind_at, Kind, Refusal, Token};

/// An ambiguous part longer than this is not quoted back three times.
const MAX_QUOTED_PART: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readings {
    pub part: String,
    pub one: String,
    pub other: String,
}

/// A sign that applies to what follows it rather than subtracting.
fn is_unary(tokens: &[Token], i: usize) -> bool {
    is_sign(kind_at(tokens, i))
        && (i == 0 || matches!(kind_at(tokens, i - 1), Some(Kind::Op(_) | Kind::Open)))
}

/// The index after the operand that starts at token `i` (signs, then a
/// number or a parenthesised group).
fn operand_end(tokens: &[Token], mut i: usize) -> Option<usize> {
    while is_sign(kind_at(tokens, i)) {
        i += 1;
    }
    match kind_at(tokens, i)? {
        Kind::Number => Some(i + 1),
        Kind::Open => {
            let mut depth = 0usize;
            for (j, token) in tokens.iter().enumerate().skip(i) {
                match token.kind {
                    Kind::Open => depth += 1,
                    Kind::Close => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    Kind::Number | Kind::Op(_) => {}
                }
            }
            None
        }
        Kind::Op(_) | Kind::Close => None,
    }
}

/// The index of the first token of the operand that ends just before `end`
/// (a number or a parenthesised group, without its signs).
fn operand_start(tokens: &[Token], end: usize) -> Option<usize> {
    let last = end.checked_sub(1)?;
    match kind_at(tokens, last)? {
        Kind::Number => Some(last),
        Kind::Close => {
            let mut depth = 0usize;
            for j in (0..=last).rev() {
                match kind_at(tokens, j)? {
                    Kind::Close => depth += 1,
                    Kind::Open => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Some(j);
                        }
                    }
                    Kind::Number | Kind::Op(_) => {}
                }
            }
            None
        }
        Kind::Op(_) | Kind::Open => None,
    }
}

/// The end of a power chain `a^b^c…` whose first operand ends at `end`.
fn power_chain_end(tokens: &[Token], mut end: usize) -> Option<usize> {
    while kind_at(tokens, end) == Some(Kind::Op(b'^')) {
        end = operand_end(tokens, end + 1)?;
    }
    Some(end)
}

/// Refuses `-a^b` and `a^b^c`, with both readings spelled out. Parentheses
/// are already balanced here, so the group searches always end.
pub(super) fn check(text: &str, tokens: &[Token]) -> Result<(), Refusal> {
    for i in 0..tokens.len() {
        // A minus sign on a base: the innermost one, so "--3^2" is caught once.
        if kind_at(tokens, i) == Some(Kind::Op(b'-'))
            && is_unary(tokens, i)
            && !is_sign(kind_at(tokens, i + 1))
        {
            let Some(base_end) = operand_end(tokens, i + 1) else {
                continue;
            };
            if kind_at(tokens, base_end) == Some(Kind::Op(b'^')) {
                let Some(end) = power_chain_end(tokens, base_end) else {
                    continue;
                };
                // (-a)^b … or -(a^b …)
                return Err(ambiguous(
                    text,
                    tokens,
                    [i, base_end],
                    [i + 1, end],
                    (i, end),
                ));
            }
        }
        // A power of a power.
        if kind_at(tokens, i) == Some(Kind::Op(b'^')) {
            let (Some(left), Some(middle_end)) =
                (operand_start(tokens, i), operand_end(tokens, i + 1))
            else {
                continue;
            };
            if kind_at(tokens, middle_end) == Some(Kind::Op(b'^')) {
                let Some(right_end) = operand_end(tokens, middle_end + 1) else {
                    continue;
                };
                // (a^b)^c or a^(b^c)
                return Err(ambiguous(
                    text,
                    tokens,
                    [left, middle_end],
                    [i + 1, right_end],
                    (left, right_end),
                ));
            }
        }
    }
    Ok(())
}

/// The part of `text` from token `part.0` up to (not including) token
/// `part.1`, and that part with parentheses around the tokens `one` and
/// around the tokens `other` (each `[first, end)`).
fn ambiguous(
    text: &str,
    tokens: &[Token],
    one: [usize; 2],
    other: [usize; 2],
    part: (usize, usize),
) -> Refusal {
    let byte_at = |i: usize| tokens.get(i).map(|t| t.start);
    let byte_end = |end: usize| {
        end.checked_sub(1)
            .and_then(|j| tokens.get(j))
            .map(|t| t.end)
    };
    let readings = (|| {
        let from = byte_at(part.0)?;
        let to = byte_end(part.1)?;
        let part_text = text.get(from..to)?;
        if part_text.chars().count() > MAX_QUOTED_PART {
            return None;
        }
        let bracket = |[first, end]: [usize; 2]| -> Option<String> {
            let open = byte_at(first)?.checked_sub(from)?;
            let close = byte_end(end)?.checked_sub(from)?;
            Some(format!(
                "{}({}){}",
                part_text.get(..open)?,
                part_text.get(open..close)?,
                part_text.get(close..)?
            ))
        };
        Some(Readings {
            part: part_text.to_owned(),
            one: bracket(one)?,
            other: bracket(other)?,
        })
    })();
    Refusal::Ambiguous(readings)
}

#[cfg(test)]
mod tests {
    use super::super::expression::prepare;
    use super::*;

    fn readings(part: &str, one: &str, other: &str) -> Refusal {
        Refusal::Ambiguous(Some(Readings {
            part: part.to_owned(),
            one: one.to_owned(),
            other: other.to_owned(),
        }))
    }

    #[test]
    fn a_minus_sign_on_a_power_is_ambiguous() {
        assert_eq!(prepare("-3^2"), Err(readings("-3^2", "(-3)^2", "-(3^2)")));
        assert_eq!(
            prepare("1 + -3^2 * 4"),
            Err(readings("-3^2", "(-3)^2", "-(3^2)"))
        );
        assert_eq!(
            prepare("-(1+2)^2"),
            Err(readings("-(1+2)^2", "(-(1+2))^2", "-((1+2)^2)"))
        );
        assert_eq!(prepare("--3^2"), Err(readings("-3^2", "(-3)^2", "-(3^2)")));
        assert_eq!(
            prepare("-2^3^2"),
            Err(readings("-2^3^2", "(-2)^3^2", "-(2^3^2)"))
        );
        // A sign on the exponent, a subtraction, parentheses: all clear.
        for clear in [
            "2^-3",
            "2 ^ -(1+1)",
            "5-3^2",
            "(-3)^2",
            "-(3^2)",
            "+3^2",
            "-3*2",
        ] {
            assert!(prepare(clear).is_ok(), "{clear:?}");
        }
    }

    #[test]
    fn a_power_of_a_power_is_ambiguous() {
        assert_eq!(
            prepare("2^3^2"),
            Err(readings("2^3^2", "(2^3)^2", "2^(3^2)"))
        );
        assert_eq!(
            prepare("1 + (1+1)^3^(1+1)"),
            Err(readings(
                "(1+1)^3^(1+1)",
                "((1+1)^3)^(1+1)",
                "(1+1)^(3^(1+1))"
            ))
        );
        assert_eq!(
            prepare("2 ^ 3 ^ 2"),
            Err(readings("2 ^ 3 ^ 2", "(2 ^ 3) ^ 2", "2 ^ (3 ^ 2)"))
        );
        for clear in ["(2^3)^2", "2^(3^2)", "2^3*2^2"] {
            assert!(prepare(clear).is_ok(), "{clear:?}");
        }
    }

    #[test]
    fn a_long_ambiguous_part_is_not_quoted() {
        let long = format!("-({})^2", vec!["1"; 40].join("+"));
        assert_eq!(prepare(&long), Err(Refusal::Ambiguous(None)));
    }
}
