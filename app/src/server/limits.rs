//! Flood limits for the account endpoints (governor's keyed GCRA limiters:
//! O(1) per check, no timers, memory proportional to recently seen keys).
//!
//! - Login attempts per (client IP, username): 10 at once, then 2 a minute.
//!   Slows password guessing on one account to a crawl without letting one
//!   address lock the owner out everywhere (the key includes the IP).
//! - Login attempts per client IP, whatever the username: 30 at once, then
//!   20 a minute. Each attempt costs an Argon2 verification (19 MiB, tens
//!   of ms of CPU) even for a name that does not exist, so without this a
//!   client cycling through made-up names could keep every core busy.
//!   Loose enough for a campus behind one address logging in at 9 am.
//! - Registrations per client IP: 100 at once, then 60 a minute: a guard
//!   against scripted sign-up floods, loose enough for a NAT'd campus.
//! - Rooms created per user: 5 at once, then 10 an hour (each is a public
//!   listing everyone sees).
//! - Room joins and leaves per user: 20 at once, then 20 a minute (each
//!   writes a line everyone in the room sees).

use std::{net::IpAddr, num::NonZeroU32};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::{domain::Username, error::AppError};

const fn n(v: u32) -> NonZeroU32 {
    // v - 1 added to the minimum of 1: a const NonZero without unwrap.
    NonZeroU32::MIN.saturating_add(v - 1)
}

#[derive(Debug)]
pub struct AuthLimits {
    login: DefaultKeyedRateLimiter<(IpAddr, String)>,
    login_from: DefaultKeyedRateLimiter<IpAddr>,
    register: DefaultKeyedRateLimiter<IpAddr>,
    room_create: DefaultKeyedRateLimiter<i64>,
    room_membership: DefaultKeyedRateLimiter<i64>,
}

impl Default for AuthLimits {
    fn default() -> Self {
        Self {
            login: RateLimiter::keyed(Quota::per_minute(n(2)).allow_burst(n(10))),
            login_from: RateLimiter::keyed(Quota::per_minute(n(20)).allow_burst(n(30))),
            register: RateLimiter::keyed(Quota::per_minute(n(60)).allow_burst(n(100))),
            room_create: RateLimiter::keyed(Quota::per_hour(n(10)).allow_burst(n(5))),
            room_membership: RateLimiter::keyed(Quota::per_minute(n(20)).allow_burst(n(20))),
        }
    }
}

impl AuthLimits {
    /// Counts a login attempt; `RateLimited` (429, one body for both
    /// limits) past either the per-address or the per-(address, name) limit.
    pub fn check_login(&self, ip: IpAddr, username: &Username) -> Result<(), AppError> {
        self.login_from
            .check_key(&ip)
            .map_err(|_| AppError::RateLimited)?;
        self.login
            .check_key(&(ip, username.as_str().to_owned()))
            .map_err(|_| AppError::RateLimited)
    }

    pub fn check_register(&self, ip: IpAddr) -> Result<(), AppError> {
        self.register
            .check_key(&ip)
            .map_err(|_| AppError::RateLimited)
    }

    /// Counts a room created by `user`; `RateLimited` past the limit.
    pub fn check_room_create(&self, user: i64) -> Result<(), AppError> {
        self.room_create
            .check_key(&user)
            .map_err(|_| AppError::RateLimited)
    }

    /// Counts a room joined or left by `user`; `RateLimited` past the limit.
    pub fn check_room_membership(&self, user: i64) -> Result<(), AppError> {
        self.room_membership
            .check_key(&user)
            .map_err(|_| AppError::RateLimited)
    }

    /// Drops keys whose limits have fully recovered; call periodically so
    /// a stream of one-off addresses cannot grow memory without bound.
    pub fn forget_recovered(&self) {
        self.login.retain_recent();
        self.login_from.retain_recent();
        self.register.retain_recent();
        self.room_create.retain_recent();
        self.room_membership.retain_recent();
        self.login.shrink_to_fit();
        self.login_from.shrink_to_fit();
        self.register.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn login_allows_a_burst_then_refuses_per_ip_and_name() -> TestResult {
        let limits = AuthLimits::default();
        let ip: IpAddr = "10.0.0.1".parse()?;
        let ana = Username::parse("ana")?;
        for _ in 0..10 {
            limits.check_login(ip, &ana)?;
        }
        assert_eq!(limits.check_login(ip, &ana), Err(AppError::RateLimited));
        // Another account from the same address, and the same account from
        // another address, are unaffected.
        limits.check_login(ip, &Username::parse("bob")?)?;
        limits.check_login("10.0.0.2".parse()?, &ana)?;
        Ok(())
    }

    #[test]
    fn made_up_names_from_one_address_are_limited_too() -> TestResult {
        let limits = AuthLimits::default();
        let ip: IpAddr = "10.0.0.3".parse()?;
        let allowed = (0..100)
            .filter(|i| {
                let name = Username::parse(&format!("nobody{i}")).ok();
                name.is_some_and(|n| limits.check_login(ip, &n).is_ok())
            })
            .count();
        assert_eq!(allowed, 30);
        // Another address is unaffected.
        limits.check_login("10.0.0.4".parse()?, &Username::parse("nobody1")?)?;
        Ok(())
    }

    #[test]
    fn registration_floods_are_cut_off() -> TestResult {
        let limits = AuthLimits::default();
        let ip: IpAddr = "10.0.0.9".parse()?;
        let allowed = (0..200)
            .filter(|_| limits.check_register(ip).is_ok())
            .count();
        assert_eq!(allowed, 100);
        Ok(())
    }
}
