use crate::error::AppError;

/// A username: 3–20 characters of `a-z 0-9 _ -`.
///
/// Input is trimmed and lower-cased before checking, so "Ana" and "ana" are
/// the same account: that is what makes names unique case-insensitively
/// without surprising anyone at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MIN: usize = 3;
    pub const MAX: usize = 20;

    pub fn parse(input: &str) -> Result<Self, AppError> {
        let name = input.trim().to_lowercase();
        let len = name.chars().count();
        if len == 0 {
            return Err(AppError::invalid("username", "Choose a username."));
        }
        if !(Self::MIN..=Self::MAX).contains(&len) {
            return Err(AppError::invalid(
                "username",
                format!(
                    "A username is {} to {} characters long.",
                    Self::MIN,
                    Self::MAX
                ),
            ));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
        {
            return Err(AppError::invalid(
                "username",
                format!(
                    "A username may use only letters a–z, digits, _ and - (not {:?}).",
                    bad
                ),
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the name belongs to Parley itself (its bot, or a name that
    /// would pass for staff), so nobody may register it.
    pub fn is_reserved(&self) -> bool {
        RESERVED.contains(&self.0.as_str())
    }
}

/// Names nobody can register: Otter, the bot (F14), and names that would
/// pass for Parley's own voice.
pub const RESERVED: [&str; 6] = ["otter", "parley", "admin", "moderator", "system", "bot"];

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn field_message(input: &str) -> String {
        match Username::parse(input) {
            Err(e) => e
                .for_field("username")
                .unwrap_or_else(|| panic!("not a username error: {e:?}")),
            other => panic!("expected a username error for {input:?}, got {other:?}"),
        }
    }

    #[test]
    fn accepts_the_allowed_alphabet_and_lengths() -> TestResult {
        for ok in ["ana", "bo_1", "x-y_z", "a1b2c3d4e5f6g7h8i9j0"] {
            assert_eq!(Username::parse(ok)?.as_str(), ok);
        }
        Ok(())
    }

    #[test]
    fn lowercases_and_trims() -> TestResult {
        assert_eq!(Username::parse("  AnA ")?.as_str(), "ana");
        Ok(())
    }

    #[test]
    fn rejects_empty_and_whitespace() {
        assert_eq!(field_message(""), "Choose a username.");
        assert_eq!(field_message("   "), "Choose a username.");
    }

    #[test]
    fn rejects_bad_lengths_at_the_edges() {
        assert!(field_message("ab").contains("3 to 20"));
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(20)).is_ok());
        assert!(field_message(&"a".repeat(21)).contains("3 to 20"));
    }

    #[test]
    fn rejects_characters_outside_the_alphabet() {
        assert!(field_message("ana bo").contains("' '"));
        assert!(field_message("<script>").contains("'<'"));
        assert!(field_message("ünï").contains("'ü'"));
        assert!(field_message("a.b.c").contains("'.'"));
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 20 multi-byte characters are over the byte count but must be
        // judged by their characters (and then fail on the alphabet).
        assert!(field_message(&"é".repeat(10)).contains("'é'"));
    }
}
