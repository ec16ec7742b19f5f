//! Runs a checked expression on exmex with Otter's own operators and value
//! type, so each way a sum can fail is told apart.
//!
//! With plain `f64`, `1/0`, `2^100000` and `0^-1` all end as infinity and
//! `5%0` and `(-8)^(1/3)` both as NaN: the answer could not say which. Here
//! every operator checks its operands and its result, and a [`Fault`]
//! travels up through the rest of the expression unchanged.

use std::str::FromStr;

use exmex::{BinOp, Express, FlatEx, MakeOperators, MatchLiteral, Operator};

/// Why a well-formed sum has no answer (or exmex could not read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    DivisionByZero,
    ModuloByZero,
    /// A result, or a step on the way, beyond what `f64` holds.
    TooBig,
    /// No real number: a fractional power of a negative number.
    NotReal,
    /// exmex refused the expression (e.g. "2 3", "2+", "()").
    Unreadable,
}

/// The value of a sum: `expr` must have passed `expression::prepare`.
pub fn evaluate(expr: &str) -> Result<f64, Fault> {
    let parsed = FlatEx::<Value, Operators, Literal>::parse(expr).map_err(|_| Fault::Unreadable)?;
    // Letters never reach here; a variable would make this an error, not a panic.
    match parsed.eval(&[]).map_err(|_| Fault::Unreadable)? {
        Value::Number(x) if x.is_finite() => Ok(x),
        Value::Number(_) => Err(Fault::TooBig),
        Value::Fault(fault) => Err(fault),
    }
}

/// What exmex computes with: a number, or the first fault met.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Number(f64),
    Fault(Fault),
}

impl Default for Value {
    fn default() -> Self {
        Value::Number(0.0)
    }
}

impl FromStr for Value {
    type Err = std::num::ParseFloatError;

    fn from_str(literal: &str) -> Result<Self, Self::Err> {
        literal.parse().map(checked)
    }
}

fn checked(x: f64) -> Value {
    if x.is_nan() {
        Value::Fault(Fault::NotReal)
    } else if x.is_infinite() {
        Value::Fault(Fault::TooBig)
    } else {
        Value::Number(x)
    }
}

/// `op` on two numbers; the left fault, else the right one, otherwise.
fn both(a: Value, b: Value, op: fn(f64, f64) -> Value) -> Value {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => op(a, b),
        (Value::Fault(fault), _) | (_, Value::Fault(fault)) => Value::Fault(fault),
    }
}

fn power(base: f64, exponent: f64) -> Value {
    if base == 0.0 && exponent < 0.0 {
        // 0^-1 is 1/0, not a number too big to write.
        Value::Fault(Fault::DivisionByZero)
    } else {
        checked(base.powf(exponent))
    }
}

/// `^`, then `* / %`, then `+ -`; operators of one level apply left to
/// right. None is marked commutative, although `+` and `*` are: exmex gives
/// a commutative operator between two literals a higher priority (to fold
/// constants next to variables), which would run `2*5%3` as `2*(5%3)`.
/// Sums here have no variables, so nothing is lost.
#[derive(Debug, Clone)]
struct Operators;

impl MakeOperators<Value> for Operators {
    fn make<'a>() -> Vec<Operator<'a, Value>> {
        let bin = |apply: fn(Value, Value) -> Value, prio| BinOp {
            apply,
            prio,
            is_commutative: false,
        };
        vec![
            Operator::make_bin("^", bin(|a, b| both(a, b, power), 4)),
            Operator::make_bin("*", bin(|a, b| both(a, b, |a, b| checked(a * b)), 2)),
            Operator::make_bin(
                "/",
                bin(
                    |a, b| {
                        both(a, b, |a, b| {
                            if b == 0.0 {
                                Value::Fault(Fault::DivisionByZero)
                            } else {
                                checked(a / b)
                            }
                        })
                    },
                    2,
                ),
            ),
            Operator::make_bin(
                "%",
                bin(
                    |a, b| {
                        both(a, b, |a, b| {
                            if b == 0.0 {
                                Value::Fault(Fault::ModuloByZero)
                            } else {
                                // The remainder takes the sign of the dividend,
                                // as in most programming languages: -7 % 3 = -1.
                                checked(a % b)
                            }
                        })
                    },
                    2,
                ),
            ),
            Operator::make_bin_unary("+", bin(|a, b| both(a, b, |a, b| checked(a + b)), 1), |a| a),
            Operator::make_bin_unary("-", bin(|a, b| both(a, b, |a, b| checked(a - b)), 1), |a| {
                match a {
                    Value::Number(x) => Value::Number(-x),
                    fault => fault,
                }
            }),
        ]
    }
}

/// Number literals: digits with at most one decimal point ("3", "2.5",
/// ".5", "3."). exmex's own matcher is the same, but spelling it out keeps
/// the grammar in one place with `expression`.
#[derive(Debug, Clone)]
struct Literal;

impl MatchLiteral for Literal {
    fn is_literal(text: &str) -> Option<&str> {
        let len = text
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let literal = text.get(..len)?;
        let digits = literal.bytes().any(|b| b.is_ascii_digit());
        (digits && literal.matches('.').count() <= 1).then_some(literal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        for (expr, value) in [
            ("12*(3+4)", 84.0),
            ("1 + 2 * 3", 7.0),
            ("(1 + 2) * 3", 9.0),
            ("2^10", 1024.0),
            ("2^-1", 0.5),
            ("2^3*2", 16.0),
            ("(2^3)^2", 64.0),
            ("8/2*4", 16.0),
            ("8/2/2", 2.0),
            ("2*5%3", 1.0),
            ("5%3*2", 4.0),
            ("10-2-3", 5.0),
            ("10-2+3", 11.0),
            ("-7 % 3", -1.0),
            ("7.5 % 2", 1.5),
            ("-5", -5.0),
            ("- -5", 5.0),
            ("3 - -2", 5.0),
            ("2*-3", -6.0),
            ("-(2+3)", -5.0),
            ("+4", 4.0),
            ("1.5 + .5", 2.0),
            ("3.", 3.0),
            ("0^0", 1.0),
            ("4^0.5", 2.0),
        ] {
            assert_eq!(evaluate(expr), Ok(value), "{expr}");
        }
    }

    #[test]
    fn faults() {
        for (expr, fault) in [
            ("1/0", Fault::DivisionByZero),
            ("1/(2-2)", Fault::DivisionByZero),
            ("0^-1", Fault::DivisionByZero),
            ("5%0", Fault::ModuloByZero),
            ("5 % (1-1)", Fault::ModuloByZero),
            ("2^100000", Fault::TooBig),
            ("10^308*10", Fault::TooBig),
            ("(2^100000)*0", Fault::TooBig),
            ("(-8)^(1/3)", Fault::NotReal),
            // The first fault on the way is the one reported.
            ("(1/0) + (5%0)", Fault::DivisionByZero),
            ("2 3", Fault::Unreadable),
            ("2+", Fault::Unreadable),
            ("()", Fault::Unreadable),
            ("2(3)", Fault::Unreadable),
            ("*2", Fault::Unreadable),
            ("x+1", Fault::Unreadable),
        ] {
            assert_eq!(evaluate(expr), Err(fault), "{expr}");
        }
    }

    #[test]
    fn literals() {
        assert_eq!(Literal::is_literal("12.5+1"), Some("12.5"));
        assert_eq!(Literal::is_literal(".5"), Some(".5"));
        assert_eq!(Literal::is_literal("."), None);
        assert_eq!(Literal::is_literal("1.2.3"), None);
        assert_eq!(Literal::is_literal("+1"), None);
    }
}
