//! Demo data (`PARLEY_DEMO=1`, `make demo`): five people with a few days
//! of chats, so the window can be tried without registering anyone.
//!
//! Only an empty database is filled (no users at all), in one transaction:
//! restarting with the flag on never adds a second copy, and a failure
//! leaves nothing half-written. Everyone's password is [`PASSWORD`].
//!
//! What there is to see, as `ana` (all times relative to the start-up):
//! - four threads, newest first: the group "Otter spotters" (6 unread),
//!   `cyd` (3 unread, one of them a sticker), `bob` (read; history back to
//!   400 days ago, so a date in an earlier year when it is early in the
//!   year), `eve` (read, 5 days ago);
//! - bursts of messages from one sender seconds apart (minute groups),
//!   multi-line messages, reactions from several people, system lines, a
//!   deleted message;
//! - varied karma and account ages (cake days), and `eve` is a moderator.
//!
//! `bob` and `dee` also have a direct chat that `ana` cannot see.

use app::store::{Db, Tx};
use app::{
    domain::{parse_reaction, parse_sticker, system_lines, Password},
    server::password_hash,
    store,
};
use chrono::{DateTime, TimeDelta, Utc};

use crate::StartError;

/// The password of every demo account.
pub const PASSWORD: &str = "parley-demo";

/// The demo accounts: name, karma, account age in days, role. (Usernames
/// have at least 3 characters, hence `bob` and `cyd`.)
pub const USERS: [(&str, i64, i64, &str); 5] = [
    ("ana", 12_345, 3 * 365, "user"),
    ("bob", 873, 430, "user"),
    ("cyd", 42, 30, "user"),
    ("dee", 5, 2, "user"),
    ("eve", 1_202, 200, "moderator"),
];

/// Fills the database with the demo data if it has no users yet; does
/// nothing (and says so in the log) otherwise.
pub async fn seed_if_empty(db: &Db) -> Result<(), StartError> {
    if has_users(db).await? {
        tracing::info!("demo data: the database already has users, left as it is");
        return Ok(());
    }
    // Hashed before the write lock is taken (it costs tens of ms of CPU).
    // One hash for all five: the password is public anyway.
    let password = Password::parse(PASSWORD).map_err(|e| fail("the demo password", e))?;
    let hash = password_hash::hash(&password)
        .await
        .map_err(|e| fail("hashing the demo password", e))?;

    // A write transaction from the start: two servers starting at once on
    // one database cannot both see an empty table and both seed it.
    let mut tx = db
        .begin_write()
        .await
        .map_err(|e| fail("starting the demo transaction", e))?;
    let users = store::users::any_in(&mut tx)
        .await
        .map_err(|e| fail("counting users", e))?;
    if users {
        tracing::info!("demo data: the database already has users, left as it is");
        return Ok(());
    }
    let mut seed = Seed::new(&mut tx, Utc::now());
    seed.everything(&hash).await?;
    let summary = seed.summary();
    tx.commit()
        .await
        .map_err(|e| fail("committing the demo data", e))?;
    let names: Vec<&str> = USERS.iter().map(|u| u.0).collect();
    tracing::info!(
        "demo data: added {summary}; log in as {} with password {PASSWORD:?}",
        system_lines::list_names(&names).replace(" and ", " or ")
    );
    Ok(())
}

async fn has_users(db: &Db) -> Result<bool, StartError> {
    store::users::any(db)
        .await
        .map_err(|e| fail("checking for existing users", e))
}

fn fail(what: &str, e: impl std::fmt::Display) -> StartError {
    StartError::Database(format!("demo data: {what}: {e}"))
}

/// The demo data's writer: every insert goes through the store, in the
/// caller's transaction, with the time it pretends to happen at.
struct Seed<'c> {
    conn: &'c mut Tx,
    now: DateTime<Utc>,
    users: Vec<i64>,
    threads: usize,
    messages: usize,
    reactions: usize,
}

/// `ana`, `bob`, … as indexes into `Seed::users` (the order of [`USERS`]).
const ANA: usize = 0;
const BOB: usize = 1;
const CYD: usize = 2;
const DEE: usize = 3;
const EVE: usize = 4;

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

impl<'c> Seed<'c> {
    fn new(conn: &'c mut Tx, now: DateTime<Utc>) -> Self {
        Self {
            conn,
            now,
            users: Vec::new(),
            threads: 0,
            messages: 0,
            reactions: 0,
        }
    }

    fn summary(&self) -> String {
        format!(
            "{} users, {} threads, {} messages, {} reactions",
            self.users.len(),
            self.threads,
            self.messages,
            self.reactions
        )
    }

    /// `days`, `hours` and `minutes` before start-up.
    fn ago(&self, days: i64, hours: i64, minutes: i64) -> DateTime<Utc> {
        self.now - TimeDelta::days(days) - TimeDelta::hours(hours) - TimeDelta::minutes(minutes)
    }

    fn id(&self, who: usize) -> Result<i64, StartError> {
        self.users
            .get(who)
            .copied()
            .ok_or_else(|| fail("a demo user", format!("no user number {who}")))
    }

    /// Threads in the order of their last activity, so that the newest
    /// (the group) ends on top of everyone's list.
    async fn everything(&mut self, hash: &str) -> Result<(), StartError> {
        for (name, karma, days, role) in USERS {
            self.user(name, hash, karma, role, self.ago(days, 0, 0))
                .await?;
        }
        self.ana_and_eve().await?;
        self.bo_and_dee().await?;
        self.ana_and_bo().await?;
        self.ana_and_cy().await?;
        self.river_watch().await?;
        self.otter_spotters().await
    }

    /// A public room (F13) four of them joined, with a question for Otter.
    async fn river_watch(&mut self) -> Result<(), StartError> {
        let t0 = self.ago(0, 5, 30);
        let owner = self.id(CYD)?;
        let public_id = uuid::Uuid::new_v4().to_string();
        let topic = "Sightings along the river, with photos if you have them";
        let t = store::rooms::insert(self.conn, &public_id, "River watch", Some(topic), owner, t0)
            .await
            .map_err(|e| fail("adding a room", e))?;
        store::members::add(self.conn, t, owner, "owner", t0)
            .await
            .map_err(|e| fail("adding the room's creator", e))?;
        self.threads += 1;
        self.system(t, CYD, t0, &system_lines::created_room(USERS[CYD].0))
            .await?;
        for (i, who) in [BOB, EVE, ANA].into_iter().enumerate() {
            let at = t0 + secs(600 * (i as i64 + 1));
            store::members::add(self.conn, t, self.id(who)?, "member", at)
                .await
                .map_err(|e| fail("joining a room", e))?;
            self.system(t, who, at, &system_lines::joined(USERS[who].0))
                .await?;
        }
        let t1 = t0 + secs(2400);
        self.say(t, CYD, t1, "Two otters under the footbridge this morning!")
            .await?;
        let by_bo = self
            .say(
                t,
                BOB,
                t1 + secs(95),
                "Same pair as last week? The big one has a notched ear.",
            )
            .await?;
        self.react(by_bo, CYD, "👍", t1 + secs(130)).await?;
        self.say(
            t,
            EVE,
            t1 + secs(420),
            "Reminder: photos only from the path, please.",
        )
        .await?;
        self.read_all(t).await
    }

    /// A moderator's thank-you, five days ago; read.
    async fn ana_and_eve(&mut self) -> Result<(), StartError> {
        let t0 = self.ago(5, 3, 0);
        let t = self.direct(EVE, ANA, t0).await?;
        self.say(
            t,
            EVE,
            t0,
            "Hi ana, moderator hat on for a second: thanks for flagging that spam thread.",
        )
        .await?;
        self.say(t, EVE, t0 + secs(14), "All cleaned up now.")
            .await?;
        let thanks = self
            .say(t, ANA, t0 + secs(190), "Thanks eve, that was quick!")
            .await?;
        self.react(thanks, EVE, "❤️", t0 + secs(240)).await?;
        self.read_all(t).await
    }

    /// bob welcomes the newcomer; ana is not in this one.
    async fn bo_and_dee(&mut self) -> Result<(), StartError> {
        let t0 = self.ago(1, 23, 45);
        let t = self.direct(BOB, DEE, t0).await?;
        self.say(
            t,
            BOB,
            t0,
            "Welcome to the site, dee! Shout if you need anything.",
        )
        .await?;
        self.say(
            t,
            DEE,
            t0 + secs(360),
            "Thanks! Is there an otter group? My friend said there is.",
        )
        .await?;
        self.say(
            t,
            BOB,
            t0 + secs(420),
            "There is, ana runs it. I'll ask her to add you.",
        )
        .await?;
        self.say(t, DEE, t0 + secs(440), "You're the best").await?;
        self.read_all(t).await
    }

    /// The long history: 400 days back, then three days ago and yesterday.
    async fn ana_and_bo(&mut self) -> Result<(), StartError> {
        let t0 = self.ago(400, 2, 0);
        let t = self.direct(ANA, BOB, t0).await?;
        self.say(
            t,
            ANA,
            t0,
            "Hey bob! Saw your post about the river clean-up, count me in.",
        )
        .await?;
        self.say(t, ANA, t0 + secs(9), "What should I bring?")
            .await?;
        let t1 = t0 + secs(300);
        self.say(t, BOB, t1, "Gloves, and a grabber if you have one.")
            .await?;
        self.say(t, BOB, t1 + secs(6), "And snacks. Always snacks.")
            .await?;
        self.say(t, BOB, t1 + secs(15), "See you Saturday!").await?;

        let t2 = self.ago(3, 5, 0);
        self.say(t, BOB, t2, "Are you coming to the meetup on Friday?")
            .await?;
        self.say(t, ANA, t2 + secs(140), "Probably! Depends on the weather.")
            .await?;

        let t3 = self.ago(1, 4, 0);
        let plan = self
            .say(
                t,
                ANA,
                t3,
                "Meetup plan:\n- 18:00 at the boathouse\n- bring a torch\n- otters optional",
            )
            .await?;
        self.react(plan, BOB, "👍", t3 + secs(60)).await?;
        self.react(plan, BOB, "😂", t3 + secs(61)).await?;
        self.say(t, BOB, t3 + secs(120), "Perfect, see you there.")
            .await?;
        self.read_all(t).await
    }

    /// cyd's first sighting, this morning: three messages ana has not read
    /// yet, one of them a sticker.
    async fn ana_and_cy(&mut self) -> Result<(), StartError> {
        let t0 = self.ago(20, 6, 0);
        let t = self.direct(CYD, ANA, t0).await?;
        self.say(
            t,
            CYD,
            t0,
            "Hi! I'm new here. Your otter photos are why I signed up.",
        )
        .await?;
        let t1 = t0 + secs(600);
        self.say(t, ANA, t1, "Welcome, cyd! Glad you're here.")
            .await?;
        self.say(
            t,
            ANA,
            t1 + secs(8),
            "The spotting guide is pinned in the wiki.",
        )
        .await?;

        let t2 = self.ago(3, 2, 0);
        self.say(t, CYD, t2, "Went to the river at dawn. Nothing yet.")
            .await?;
        let seen = self
            .say(
                t,
                ANA,
                t2 + secs(900),
                "Try the weir, they like the fast water.",
            )
            .await?;

        let t3 = self.ago(0, 1, 50);
        self.say(t, CYD, t3, "The weir worked!!").await?;
        self.sticker(t, CYD, t3 + secs(5), "otter").await?;
        self.say(t, CYD, t3 + secs(12), "Best morning ever.")
            .await?;
        self.read_all(t).await?;
        self.read_up_to(t, ANA, seen).await
    }

    /// The group: created two days ago, named, eve added yesterday, a burst
    /// of news this afternoon that ana has not read.
    async fn otter_spotters(&mut self) -> Result<(), StartError> {
        let t0 = self.ago(1, 23, 0);
        let t = self.group(ANA, &[BOB, CYD, DEE], t0).await?;
        self.rename(t, ANA, "Otter spotters", t0 + secs(10)).await?;
        let rules = self
            .say(
                t,
                ANA,
                t0 + secs(70),
                "Welcome, spotters! House rules:\n\
                 1. Post sightings with a place and a time.\n\
                 2. Never disturb the otters.\n\
                 3. Photos welcome, blurry ones too.",
            )
            .await?;
        self.react(rules, BOB, "👍", t0 + secs(200)).await?;
        self.react(rules, DEE, "👍", t0 + secs(260)).await?;
        self.say(t, BOB, t0 + secs(180), "Love it.").await?;
        self.say(t, DEE, t0 + secs(250), "Thanks for adding me!")
            .await?;

        let t1 = self.ago(1, 20, 0);
        let oops = self
            .say(t, BOB, t1, "ana, still on for the boathouse at 6?")
            .await?;
        self.delete(oops, BOB, t1 + secs(30)).await?;

        let t2 = self.ago(1, 2, 0);
        let sighting = self
            .say(
                t,
                CYD,
                t2,
                "Sighting: two otters under the old bridge, 07:40.\n\
                 They were fishing together.\n\
                 No photo, sorry, I was too excited.",
            )
            .await?;
        for (who, emoji, after) in [
            (ANA, "❤️", 40),
            (BOB, "❤️", 95),
            (DEE, "❤️", 130),
            (DEE, "😮", 131),
        ] {
            self.react(sighting, who, emoji, t2 + secs(after)).await?;
        }

        let t3 = self.ago(1, 1, 0);
        self.add(t, ANA, EVE, t3).await?;
        let hello = self
            .say(t, EVE, t3 + secs(300), "Hello, otter people!")
            .await?;
        self.react(hello, BOB, "🎉", t3 + secs(330)).await?;
        self.react(hello, CYD, "🎉", t3 + secs(400)).await?;
        let seen = self
            .say(
                t,
                ANA,
                t3 + secs(420),
                "eve keeps the forums tidy. Be nice!",
            )
            .await?;

        let t4 = self.ago(0, 0, 40);
        self.say(t, DEE, t4, "I SAW ONE").await?;
        self.say(t, DEE, t4 + secs(6), "at the weir").await?;
        let stare = self
            .say(t, DEE, t4 + secs(11), "it looked right at me")
            .await?;
        self.say(t, DEE, t4 + secs(19), "best day").await?;
        self.react(stare, CYD, "😂", t4 + secs(60)).await?;
        self.say(
            t,
            BOB,
            self.ago(0, 0, 38),
            "Told you the weir was the spot.",
        )
        .await?;
        self.say(
            t,
            EVE,
            self.ago(0, 0, 5),
            "Great thread, everyone. I'll pin a sightings list tonight.",
        )
        .await?;
        self.read_all(t).await?;
        self.read_up_to(t, ANA, seen).await
    }

    async fn user(
        &mut self,
        name: &str,
        hash: &str,
        karma: i64,
        role: &str,
        created_at: DateTime<Utc>,
    ) -> Result<(), StartError> {
        // `store::users::insert` stamps "now" and has no karma or role: the
        // demo needs both, inside its transaction.
        let id = store::users::insert_profile(self.conn, name, hash, created_at, karma, role)
            .await
            .map_err(|e| fail(&format!("adding user {name}"), e))?;
        store::rooms::join_home(self.conn, id, created_at)
            .await
            .map_err(|e| fail(&format!("putting {name} in the home room"), e))?;
        self.users.push(id);
        Ok(())
    }

    async fn direct(&mut self, a: usize, b: usize, at: DateTime<Utc>) -> Result<i64, StartError> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        let key = store::threads::direct_key(a, b);
        let public_id = uuid::Uuid::new_v4().to_string();
        let t = store::threads::insert(self.conn, &public_id, "direct", Some(&key), a, at)
            .await
            .map_err(|e| fail("adding a direct chat", e))?;
        for user in [a, b] {
            store::members::add(self.conn, t, user, "member", at)
                .await
                .map_err(|e| fail("adding a member", e))?;
        }
        self.threads += 1;
        Ok(t)
    }

    /// A group with its "created the group" line, as `start_chat` makes it.
    async fn group(
        &mut self,
        owner: usize,
        others: &[usize],
        at: DateTime<Utc>,
    ) -> Result<i64, StartError> {
        let owner_id = self.id(owner)?;
        let public_id = uuid::Uuid::new_v4().to_string();
        let t = store::threads::insert(self.conn, &public_id, "group", None, owner_id, at)
            .await
            .map_err(|e| fail("adding a group", e))?;
        store::members::add(self.conn, t, owner_id, "owner", at)
            .await
            .map_err(|e| fail("adding the group's owner", e))?;
        let mut names = Vec::new();
        for &other in others {
            let id = self.id(other)?;
            store::members::add(self.conn, t, id, "member", at)
                .await
                .map_err(|e| fail("adding a group member", e))?;
            names.push(USERS[other].0);
        }
        let line = system_lines::created_group(USERS[owner].0, &names);
        self.system(t, owner, at, &line).await?;
        self.threads += 1;
        Ok(t)
    }

    async fn rename(
        &mut self,
        thread: i64,
        actor: usize,
        title: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StartError> {
        let by = self.id(actor)?;
        store::threads::set_title(self.conn, thread, Some(title), by, at)
            .await
            .map_err(|e| fail("naming the group", e))?;
        let line = system_lines::renamed(USERS[actor].0, Some(title));
        self.system(thread, actor, at, &line).await
    }

    async fn add(
        &mut self,
        thread: i64,
        actor: usize,
        who: usize,
        at: DateTime<Utc>,
    ) -> Result<(), StartError> {
        let id = self.id(who)?;
        store::members::add(self.conn, thread, id, "member", at)
            .await
            .map_err(|e| fail("adding a group member", e))?;
        let line = system_lines::added(USERS[actor].0, &[USERS[who].0]);
        self.system(thread, actor, at, &line).await
    }

    async fn system(
        &mut self,
        thread: i64,
        actor: usize,
        at: DateTime<Utc>,
        text: &str,
    ) -> Result<(), StartError> {
        let actor = self.id(actor)?;
        store::messages::insert_system(self.conn, thread, actor, text, at)
            .await
            .map_err(|e| fail("adding a system line", e))?;
        self.messages += 1;
        Ok(())
    }

    /// A text message; returns its id.
    async fn say(
        &mut self,
        thread: i64,
        who: usize,
        at: DateTime<Utc>,
        body: &str,
    ) -> Result<i64, StartError> {
        self.message(thread, who, at, "text", body).await
    }

    async fn sticker(
        &mut self,
        thread: i64,
        who: usize,
        at: DateTime<Utc>,
        name: &str,
    ) -> Result<i64, StartError> {
        let name = parse_sticker(name).map_err(|e| fail("a sticker", e))?;
        self.message(thread, who, at, "sticker", name).await
    }

    async fn message(
        &mut self,
        thread: i64,
        who: usize,
        at: DateTime<Utc>,
        kind: &str,
        body: &str,
    ) -> Result<i64, StartError> {
        // Unique per sender, 8–64 of [A-Za-z0-9-] like a client's.
        let client_id = format!("demo-{:04}", self.messages);
        let sender = self.id(who)?;
        let new = store::messages::NewMessage {
            thread_id: thread,
            sender_id: sender,
            client_id: &client_id,
            kind,
            body,
            at,
        };
        let stored = store::messages::insert(self.conn, &new)
            .await
            .map_err(|e| fail("adding a message", e))?
            .into_row();
        self.messages += 1;
        Ok(stored.id)
    }

    async fn react(
        &mut self,
        message: i64,
        who: usize,
        emoji: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StartError> {
        let emoji = parse_reaction(emoji).map_err(|e| fail("a reaction", e))?;
        let user = self.id(who)?;
        let thread = store::messages::thread_of(self.conn, message)
            .await
            .map_err(|e| fail("finding a message's thread", e))?;
        store::reactions::toggle(self.conn, thread, message, user, emoji, at)
            .await
            .map_err(|e| fail("adding a reaction", e))?;
        self.reactions += 1;
        Ok(())
    }

    async fn delete(
        &mut self,
        message: i64,
        who: usize,
        at: DateTime<Utc>,
    ) -> Result<(), StartError> {
        let sender = self.id(who)?;
        store::messages::soft_delete(self.conn, message, sender, at)
            .await
            .map_err(|e| fail("deleting a message", e))
            .map(drop)
    }

    /// Every member has read everything (their own messages included).
    async fn read_all(&mut self, thread: i64) -> Result<(), StartError> {
        store::members::set_all_read(self.conn, thread)
            .await
            .map_err(|e| fail("marking a thread read", e))
    }

    /// `who` has read up to `message` and not beyond (the unread badge).
    async fn read_up_to(
        &mut self,
        thread: i64,
        who: usize,
        message: i64,
    ) -> Result<(), StartError> {
        let user = self.id(who)?;
        store::members::set_read(self.conn, thread, user, message)
            .await
            .map_err(|e| fail("setting a read position", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::{Username, STICKERS};

    #[test]
    fn demo_users_and_password_are_valid_input() {
        for (name, ..) in USERS {
            assert!(Username::parse(name).is_ok(), "{name}");
        }
        assert!(Password::parse(PASSWORD).is_ok());
        assert!(STICKERS.contains(&"otter"));
    }
}
