//! A result written for people: `84`, not `84.0`; `0.3`, not
//! `0.30000000000000004`; `1,234,567`; `1.844674407 × 10^19`. Never longer
//! than about 25 characters, whatever the number.

/// Significant digits of a result that is not a small whole number.
const SIGNIFICANT: i32 = 10;
/// Whole numbers below this are written out in full (`f64` holds every
/// one of them exactly); larger ones, in scientific notation.
const WHOLE_BELOW: f64 = 1e15;
/// Numbers closer to zero than this are written in scientific notation.
const SMALL: f64 = 1e-6;
/// A rounding this small is `f64`'s own noise (0.1 + 0.2), not an
/// approximation worth a "≈".
const NOISE: f64 = 1e-12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub text: String,
    /// False when the text is a rounding of the result ("≈").
    pub exact: bool,
}

/// `x` (finite) as a reader would write it.
pub fn show(x: f64) -> Shown {
    let magnitude = x.abs();
    if x == 0.0 {
        // Also -0, which nobody wants to read.
        return Shown {
            text: "0".to_owned(),
            exact: true,
        };
    }
    if x.fract() == 0.0 && magnitude < WHOLE_BELOW {
        return Shown {
            text: group(&format!("{x:.0}")),
            exact: true,
        };
    }
    let (plain, text) = if !(SMALL..WHOLE_BELOW).contains(&magnitude) {
        scientific(x)
    } else {
        // At most 15 digits before the point here, so this fits in an i32.
        let whole_digits = magnitude.log10().floor() as i32 + 1;
        let decimals = (SIGNIFICANT - whole_digits).max(0) as usize;
        let plain = trim_zeros(&format!("{x:.decimals$}")).to_owned();
        let text = group(&plain);
        (plain, text)
    };
    let exact = plain
        .parse::<f64>()
        .is_ok_and(|shown| (shown - x).abs() <= NOISE * magnitude);
    Shown { text, exact }
}

/// `x` in scientific notation: `("1.5e-7", "1.5 × 10^-7")`.
fn scientific(x: f64) -> (String, String) {
    let digits = (SIGNIFICANT - 1) as usize;
    let rust = format!("{x:.digits$e}");
    let (mantissa, exponent) = rust.split_once('e').unwrap_or((rust.as_str(), "0"));
    let mantissa = trim_zeros(mantissa);
    (
        format!("{mantissa}e{exponent}"),
        format!("{mantissa} × 10^{exponent}"),
    )
}

fn trim_zeros(fixed: &str) -> &str {
    if fixed.contains('.') {
        fixed.trim_end_matches('0').trim_end_matches('.')
    } else {
        fixed
    }
}

/// Thousands separators in the whole part: `-1234567.5` → `-1,234,567.5`.
fn group(plain: &str) -> String {
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let mut grouped = String::with_capacity(plain.len() + whole.len() / 3);
    grouped.push_str(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_as_people_write_them() {
        for (x, text, exact) in [
            (84.0, "84", true),
            (-0.0, "0", true),
            (-5.0, "-5", true),
            (1000.0, "1,000", true),
            (1_234_567.0, "1,234,567", true),
            (-1_234_567.5, "-1,234,567.5", true),
            (0.1 + 0.2, "0.3", true),
            (2.5, "2.5", true),
            (-0.125, "-0.125", true),
            (1.0 / 3.0, "0.3333333333", false),
            (2.0 / 3.0, "0.6666666667", false),
            (12_345.678, "12,345.678", true),
            (999_999_999_999_999.0, "999,999,999,999,999", true),
            (1e15, "1 × 10^15", true),
            (2f64.powi(64), "1.844674407 × 10^19", false),
            (-1.5e300, "-1.5 × 10^300", true),
            (0.000_001, "0.000001", true),
            (1.5e-7, "1.5 × 10^-7", true),
            (f64::MIN_POSITIVE, "2.225073859 × 10^-308", false),
            (f64::MAX, "1.797693135 × 10^308", false),
        ] {
            assert_eq!(
                show(x),
                Shown {
                    text: text.to_owned(),
                    exact
                },
                "{x:e}"
            );
        }
    }

    #[test]
    fn never_long() {
        let mut x = 1.0e-300_f64;
        while x < 1e300 {
            for y in [x, -x, x / 3.0, -x * 7.0 / 3.0] {
                let shown = show(y);
                assert!(shown.text.chars().count() <= 25, "{y:e}: {}", shown.text);
            }
            x *= 7.3;
        }
    }
}
