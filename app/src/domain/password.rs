use crate::error::AppError;

/// A password as typed: 8–128 characters. Deliberately not `Serialize`, and
/// its `Debug` hides the text, so it cannot end up in a log or a response.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    pub fn parse(input: &str) -> Result<Self, AppError> {
        let len = input.chars().count();
        if len == 0 {
            return Err(AppError::invalid("password", "Enter a password."));
        }
        if len < Self::MIN {
            return Err(AppError::invalid(
                "password",
                format!("A password has at least {} characters.", Self::MIN),
            ));
        }
        if len > Self::MAX {
            return Err(AppError::invalid(
                "password",
                format!("A password has at most {} characters.", Self::MAX),
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn message(input: &str) -> String {
        match Password::parse(input) {
            Err(e) => e
                .for_field("password")
                .unwrap_or_else(|| panic!("not a password error: {e:?}")),
            other => panic!("expected a password error, got {other:?}"),
        }
    }

    #[test]
    fn length_edges() {
        assert_eq!(message(""), "Enter a password.");
        assert!(message("1234567").contains("at least 8"));
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"p".repeat(128)).is_ok());
        assert!(message(&"p".repeat(129)).contains("at most 128"));
    }

    #[test]
    fn keeps_spaces_and_unicode_as_typed() -> TestResult {
        let p = Password::parse("  ünïcødé  ")?;
        assert_eq!(p.expose(), "  ünïcødé  ");
        // 8 characters but 16 bytes: characters are what count.
        assert!(Password::parse(&"ü".repeat(8)).is_ok());
        Ok(())
    }

    #[test]
    fn debug_hides_the_secret() -> TestResult {
        let p = Password::parse("hunter2hunter2")?;
        assert!(!format!("{p:?}").contains("hunter2"));
        Ok(())
    }
}
