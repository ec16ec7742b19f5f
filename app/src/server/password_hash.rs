//! Argon2id hashing. Hashing costs ~20–50 ms of CPU and 19 MiB of memory
//! on purpose, so it runs on the blocking pool (never stalling the async
//! workers), at most [`MAX_CONCURRENT`] at a time (more wait their turn),
//! each in one of at most [`MAX_CONCURRENT`] memory arenas allocated once
//! and reused.
//!
//! Why arenas: the argon2 crate allocates its 19 MiB per call. glibc's
//! malloc serves a block that size by `mmap` only until the first one is
//! freed, then raises its threshold and serves the next ones from per-thread
//! arenas, which it keeps: each blocking-pool thread that ever hashed held
//! on to 19 MiB, and a burst of bogus logins took the server from 17 MB to
//! 660 MB RSS for good. With our own arenas the memory is
//! `MAX_CONCURRENT × 19 MiB` at most, whatever the load.

use std::sync::Mutex;

use argon2::{
    password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use tokio::sync::Semaphore;

use super::ResultExt;
use crate::{domain::Password, error::AppError};

/// Hashes running at once: Argon2 with p = 1 is one thread, so two keep a
/// two-core server's cores busy; more would only add 19 MiB each.
pub const MAX_CONCURRENT: usize = 2;
static HASHING: Semaphore = Semaphore::const_new(MAX_CONCURRENT);

/// OWASP's minimum for Argon2id: m = 19 MiB (in KiB blocks), t = 2, p = 1.
const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
/// Bytes of hash output (the PHC default).
const OUTPUT_LEN: usize = 32;

/// Arenas not in use. Never more than [`MAX_CONCURRENT`] exist: one is
/// taken only while holding a [`HASHING`] permit.
static ARENAS: Mutex<Vec<Box<[Block]>>> = Mutex::new(Vec::new());

fn params() -> Result<Params, AppError> {
    Params::new(M_COST_KIB, T_COST, 1, Some(OUTPUT_LEN)).context("building Argon2 parameters")
}

fn hasher(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Runs `work` on the blocking pool with an arena of at least `blocks`
/// Argon2 blocks, waiting for a turn first. The permit moves into the
/// blocking task, so a caller that goes away while it runs does not let
/// another hash start beside it.
async fn with_arena<T: Send + 'static>(
    blocks: usize,
    work: impl FnOnce(&mut [Block]) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let permit = HASHING.acquire().await.context("waiting to hash")?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let taken = ARENAS.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut arena = match taken {
            Some(a) if a.len() >= blocks => a,
            // First use, or a stored hash with more memory than ours
            // (none are written; this keeps them verifiable).
            _ => vec![Block::new(); blocks].into_boxed_slice(),
        };
        let out = work(&mut arena);
        if arena.len() == block_count() {
            ARENAS.lock().unwrap_or_else(|p| p.into_inner()).push(arena);
        }
        out
    })
    .await
    .context("joining the hashing task")?
}

/// Blocks in one arena with our parameters (1 KiB each).
fn block_count() -> usize {
    M_COST_KIB as usize
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) for
/// `password`, with a random salt.
pub async fn hash(password: &Password) -> Result<String, AppError> {
    let password = password.clone();
    with_arena(block_count(), move |arena| {
        let params = params()?;
        let salt = SaltString::generate(&mut OsRng);
        let output = run(
            &hasher(params.clone()),
            &password,
            salt.as_salt(),
            OUTPUT_LEN,
            arena,
        )
        .context("hashing a password")?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).context("writing Argon2 parameters")?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(phc.to_string())
    })
    .await
}

/// Verifies `password` against a stored PHC string. `stored = None` (unknown
/// user) still spends the same work on a dummy hash, so response time does
/// not tell which usernames exist.
pub async fn verify(password: &Password, stored: Option<String>) -> Result<bool, AppError> {
    let password = password.clone();
    let known = stored.is_some();
    let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
    let blocks = {
        let parsed = PasswordHash::new(&phc).context("parsing a stored password hash")?;
        Params::try_from(&parsed)
            .context("reading a stored hash's parameters")?
            .block_count()
    };
    let ok = with_arena(blocks, move |arena| {
        let parsed = PasswordHash::new(&phc).context("parsing a stored password hash")?;
        let params = Params::try_from(&parsed).context("reading a stored hash's parameters")?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).context("reading a stored hash's version")?,
            None => Version::V0x10,
        };
        let algorithm =
            Algorithm::try_from(parsed.algorithm).context("reading a stored hash's algorithm")?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Ok(false);
        };
        let argon = Argon2::new(algorithm, version, params);
        let computed =
            run(&argon, &password, salt, expected.len(), arena).context("verifying a password")?;
        // `Output`'s equality is constant-time.
        Ok(computed == expected)
    })
    .await?;
    Ok(known && ok)
}

/// One Argon2 run of `password` with `salt` into an output of `len` bytes,
/// in `arena` (at least the parameters' block count).
fn run(
    argon: &Argon2<'_>,
    password: &Password,
    salt: argon2::password_hash::Salt<'_>,
    len: usize,
    arena: &mut [Block],
) -> Result<Output, argon2::password_hash::Error> {
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    Output::init_with(len, |out| {
        argon
            .hash_password_into_with_memory(password.expose().as_bytes(), salt_bytes, out, arena)
            .map_err(argon2::password_hash::Error::from)
    })
}

/// Argon2id hash of a random string with the same parameters as ours.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$rvIRAP8rI0uJBhk4Kj2oR/8XSR1k9vYcW6JPjtKe2bg";

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{PasswordHasher, PasswordVerifier};

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
    async fn agrees_with_the_argon2_crates_own_hashing_both_ways() -> TestResult {
        let pw = Password::parse("correct horse")?;
        let reference = hasher(params()?);
        // Ours verifies theirs …
        let salt = SaltString::generate(&mut OsRng);
        let theirs = reference.hash_password(pw.expose().as_bytes(), &salt)?;
        assert!(verify(&pw, Some(theirs.to_string())).await?);
        // … and theirs verifies ours.
        let ours = hash(&pw).await?;
        reference.verify_password(pw.expose().as_bytes(), &PasswordHash::new(&ours)?)?;
        Ok(())
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() -> TestResult {
        let pw = Password::parse("anything goes")?;
        assert!(!verify(&pw, None).await?);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_of_hashes_reuses_at_most_max_concurrent_arenas() -> TestResult {
        let pw = Password::parse("anything goes")?;
        // Callers that give up half-way (clients that went away) included.
        let mut tasks = Vec::new();
        for i in 0..12 {
            let pw = pw.clone();
            tasks.push(tokio::spawn(async move {
                if i % 3 == 0 {
                    let _ = tokio::time::timeout(
                        std::time::Duration::from_millis(1),
                        verify(&pw, None),
                    )
                    .await;
                    Ok(false)
                } else {
                    verify(&pw, None).await
                }
            }));
        }
        for t in tasks {
            t.await??;
        }
        // Wait for hashes whose callers left to finish.
        let all = HASHING.acquire_many(MAX_CONCURRENT as u32).await?;
        let arenas = ARENAS.lock().map(|a| a.len()).unwrap_or(usize::MAX);
        drop(all);
        assert!(
            (1..=MAX_CONCURRENT).contains(&arenas),
            "{arenas} arenas for at most {MAX_CONCURRENT} hashes at once"
        );
        Ok(())
    }

    #[test]
    fn dummy_hash_parses_with_our_parameters() -> TestResult {
        let parsed = PasswordHash::new(DUMMY_HASH)?;
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert_eq!(Params::try_from(&parsed)?.block_count(), block_count());
        Ok(())
    }
}
