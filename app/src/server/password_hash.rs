//! Argon2id hashing. Hashing costs ~20–50 ms of CPU and 19 MiB of memory
//! on purpose, so it runs on the blocking pool (never stalling the async
//! workers) and at most [`MAX_CONCURRENT`] at a time: a burst of logins
//! queues instead of allocating 19 MiB each.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use tokio::sync::Semaphore;

use super::ResultExt;
use crate::{domain::Password, error::AppError};

/// Enough to keep two cores busy while one hash waits on memory.
pub const MAX_CONCURRENT: usize = 4;
static HASHING: Semaphore = Semaphore::const_new(MAX_CONCURRENT);

/// OWASP's minimum for Argon2id: m = 19 MiB, t = 2, p = 1.
fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19_456, 2, 1, None).context("building Argon2 parameters")?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash(password: &Password) -> Result<String, AppError> {
    let password = password.clone();
    let _permit = HASHING.acquire().await.context("waiting to hash")?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()?
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .context("hashing a password")
    })
    .await
    .context("joining the hashing task")?
}

/// Verifies `password` against a stored PHC string. `stored = None` (unknown
/// user) still spends the same work on a dummy hash, so response time does
/// not tell which usernames exist.
pub async fn verify(password: &Password, stored: Option<String>) -> Result<bool, AppError> {
    let password = password.clone();
    let _permit = HASHING.acquire().await.context("waiting to verify")?;
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&phc).context("parsing a stored password hash")?;
        let ok = hasher()?
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok();
        Ok(known && ok)
    })
    .await
    .context("joining the verification task")?
}

/// Argon2id hash of a random string with the same parameters as [`hasher`].
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$rvIRAP8rI0uJBhk4Kj2oR/8XSR1k9vYcW6JPjtKe2bg";

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() -> TestResult {
        let pw = Password::parse("correct horse")?;
        let phc = hash(&pw).await?;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify(&pw, Some(phc.clone())).await?);
        let wrong = Password::parse("wrong horse")?;
        assert!(!verify(&wrong, Some(phc)).await?);
        Ok(())
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() -> TestResult {
        let pw = Password::parse("anything goes")?;
        assert!(!verify(&pw, None).await?);
        Ok(())
    }

    #[test]
    fn dummy_hash_parses_with_our_parameters() -> TestResult {
        let parsed = PasswordHash::new(DUMMY_HASH)?;
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        Ok(())
    }
}
