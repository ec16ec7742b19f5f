//! The `parley` binary's commands besides serving (F21):
//!
//! ```text
//! parley                               serve (the default)
//! parley moderator grant <username>    make someone a moderator
//! parley moderator revoke <username>   take it back
//! ```
//!
//! A command works on the database of `DATABASE_URL`, SQLite or
//! PostgreSQL, with the server running or not (it migrates first, as the
//! server does, so a fresh database works too). The role takes effect on
//! the user's next page load; their open queue tab, if any, answers
//! "not found" from then on.

use crate::{db, Config, StartError};

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve,
    /// Grant (`true`) or revoke the moderator role of this user.
    Moderator {
        grant: bool,
        username: String,
    },
}

/// How to use the binary, printed for a command it does not know.
pub const USAGE: &str = "usage: parley [moderator grant|revoke <username>]";

impl Command {
    /// Parses the arguments after the program name. `Err` carries what to
    /// print (the usage) for anything else.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        match args {
            [] => Ok(Self::Serve),
            [m, verb, name] if m == "moderator" && (verb == "grant" || verb == "revoke") => {
                Ok(Self::Moderator {
                    grant: verb == "grant",
                    username: name.trim().to_owned(),
                })
            }
            _ => Err(USAGE.to_owned()),
        }
    }
}

/// Grants or revokes the moderator role; the line to print on success
/// ("eve is now a moderator."). An unknown user (bots included) is an
/// error that names them.
pub async fn moderator(config: &Config, grant: bool, username: &str) -> Result<String, StartError> {
    let db = db::connect_and_migrate(&config.database_url).await?;
    let role = if grant { "moderator" } else { "user" };
    let changed = app::store::users::set_role(&db, username, role)
        .await
        .map_err(|e| StartError::Database(format!("setting the role of {username:?}: {e}")))?;
    let name = username.to_lowercase();
    match (changed, grant) {
        (None, _) => Err(StartError::Command(format!("no user named {username:?}"))),
        (Some(true), true) => Ok(format!("{name} is now a moderator.")),
        (Some(false), true) => Ok(format!("{name} is already a moderator.")),
        (Some(true), false) => Ok(format!("{name} is no longer a moderator.")),
        (Some(false), false) => Ok(format!("{name} was not a moderator.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_the_commands() {
        assert_eq!(Command::parse(&[]), Ok(Command::Serve));
        assert_eq!(
            Command::parse(&args(&["moderator", "grant", "eve"])),
            Ok(Command::Moderator {
                grant: true,
                username: "eve".into()
            })
        );
        assert_eq!(
            Command::parse(&args(&["moderator", "revoke", "eve"])),
            Ok(Command::Moderator {
                grant: false,
                username: "eve".into()
            })
        );
        for bad in [
            &["moderator"][..],
            &["moderator", "grant"],
            &["moderator", "promote", "eve"],
            &["serve", "now"],
            &["moderator", "grant", "eve", "extra"],
        ] {
            assert_eq!(Command::parse(&args(bad)), Err(USAGE.to_owned()), "{bad:?}");
        }
    }
}
