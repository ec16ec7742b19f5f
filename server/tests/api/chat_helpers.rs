//! Chat helpers: one logged-in client (own cookie jar) per user, typed calls
//! to the chat server functions, and direct access to the database file.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use app::model::{MessagePage, MessageView, NavList, StartedChat, ThreadSummary, ThreadView};
use reqwest::{cookie::Jar, Client, Response, StatusCode};
use serde_json::Value;
use sqlx::{AnyConnection, Connection};

use crate::helpers::{client_with, session_cookie_in, TestApp, PASSWORD};

/// A user of a running server with their own cookie jar (so their own
/// session), as a second browser would be.
pub struct User {
    pub name: String,
    pub id: i64,
    pub client: Client,
    /// The client's cookies (the live socket sends the session cookie).
    pub jar: Arc<Jar>,
    base: String,
}

impl TestApp {
    /// Registers `name` in a fresh browser and returns it logged in.
    pub async fn user(&self, name: &str) -> User {
        let mut user = self.anonymous();
        user.name = name.to_owned();
        let res = user
            .call("register", &[("username", name), ("password", PASSWORD)])
            .await;
        assert_eq!(res.status(), StatusCode::OK, "registering {name}");
        let me = ok(user.call("me", &[]).await).await;
        user.id = me["id"].as_i64().expect("a user id");
        user
    }

    /// A browser with no session.
    pub fn anonymous(&self) -> User {
        let jar = Arc::new(Jar::default());
        User {
            name: String::new(),
            id: 0,
            client: client_with(jar.clone()),
            jar,
            base: self.url(""),
        }
    }

    /// A connection to the server's database, alongside the running server
    /// (SQLite in WAL mode, or PostgreSQL). sqlx's `Any` driver, so one
    /// test's SQL serves both backends: write placeholders as `$1`, and
    /// read or write times as text ([`TestApp::time_sql`]).
    pub async fn db(&self) -> AnyConnection {
        sqlx::any::install_default_drivers();
        AnyConnection::connect(&self.database_url)
            .await
            .expect("open the test database")
    }

    /// `param` as a stored time: the `Any` driver binds RFC 3339 text, which
    /// SQLite stores as is and PostgreSQL must be told is a timestamp.
    pub fn time_sql(&self, param: &str) -> String {
        if self.database_url.starts_with("postgres") {
            format!("CAST({param} AS TIMESTAMPTZ)")
        } else {
            param.to_owned()
        }
    }

    /// `SELECT COUNT(*)` of a table.
    pub async fn count(&self, table: &str) -> i64 {
        let mut db = self.db().await;
        let n = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut db)
            .await
            .expect("count rows");
        db.close().await.expect("close");
        n
    }

    /// `SELECT COUNT(*)` of `threads` or `thread_members` outside the home
    /// room (which every user is in from registration).
    pub async fn count_chats(&self, table: &str) -> i64 {
        let home = app::store::rooms::HOME_ROOM;
        let sql = match table {
            "threads" => format!("SELECT COUNT(*) FROM threads WHERE public_id <> '{home}'"),
            "thread_members" => format!(
                "SELECT COUNT(*) FROM thread_members
                 WHERE thread_id <> (SELECT id FROM threads WHERE public_id = '{home}')"
            ),
            other => panic!("count_chats: {other}"),
        };
        let mut db = self.db().await;
        let n = sqlx::query_scalar(&sql)
            .fetch_one(&mut db)
            .await
            .expect("count rows");
        db.close().await.expect("close");
        n
    }

    /// Accounts of people (Otter, the bot, is not one).
    pub async fn count_people(&self) -> i64 {
        let mut db = self.db().await;
        let n = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username <> 'otter'")
            .fetch_one(&mut db)
            .await
            .expect("count people");
        db.close().await.expect("close");
        n
    }

    /// Row counts of every chat table, to show a request changed nothing.
    pub async fn row_counts(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in [
            "threads",
            "thread_members",
            "messages",
            "reactions",
            "reports",
            "events",
        ] {
            counts.push((table, self.count(table).await));
        }
        counts
    }

    /// Soft-deletes a thread by its public id, as a moderator tool would.
    pub async fn soft_delete_thread(&self, public_id: &str) {
        let mut db = self.db().await;
        let sql = format!(
            "UPDATE threads SET deleted_at = {} WHERE public_id = $2",
            self.time_sql("$1")
        );
        let done = sqlx::query(&sql)
            .bind("2026-01-01T00:00:00Z")
            .bind(public_id)
            .execute(&mut db)
            .await
            .expect("soft-delete a thread");
        assert_eq!(done.rows_affected(), 1);
        db.close().await.expect("close");
    }
}

/// A client id the server accepts (8–64 of `A-Za-z0-9-`), new every call.
pub fn client_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("test-client-{:08}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The JSON of a 200 answer (panics with the body otherwise).
pub async fn ok(res: Response) -> Value {
    let status = res.status();
    let text = res.text().await.expect("a body");
    assert_eq!(status, StatusCode::OK, "expected 200, got {status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Status and raw body of an answer.
pub async fn status_and_body(res: Response) -> (StatusCode, String) {
    let status = res.status();
    (status, res.text().await.expect("a body"))
}

/// Asserts the answer is `status`; returns its body.
pub async fn expect_status(res: Response, status: StatusCode) -> String {
    let (got, body) = status_and_body(res).await;
    assert_eq!(got, status, "{body}");
    body
}

fn typed<T: FromJson>(v: Value) -> T {
    T::from_json(v)
}

/// `serde_json::from_value` for the model types, without naming serde's
/// traits (the test crate does not depend on serde itself).
pub trait FromJson: Sized {
    fn from_json(v: Value) -> Self;
}

macro_rules! from_json {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(v: Value) -> Self {
                serde_json::from_value(v.clone())
                    .unwrap_or_else(|e| panic!("not a {}: {e}: {v}", stringify!($t)))
            }
        }
    )*};
}
from_json!(
    MessagePage,
    MessageView,
    NavList,
    StartedChat,
    ThreadView,
    Vec<app::model::Reaction>,
    app::model::RoomSummary,
    Vec<app::model::RoomSummary>,
    Vec<app::model::UserCard>
);

/// `key[0]=a&key[1]=b`: how server functions take a `Vec<String>`.
pub fn list_form<'a>(key: &str, values: &[&'a str]) -> Vec<(String, &'a str)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("{key}[{i}]"), *v))
        .collect()
}

impl User {
    /// Calls a server function as the hydrated app does (form body, JSON
    /// answer), with this user's cookies.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}/api/{endpoint}", self.base))
            .form(form)
            .send()
            .await
            .expect("request sent")
    }

    /// [`User::call`] with an owned form (for list arguments).
    pub async fn call_owned(&self, endpoint: &str, form: &[(String, &str)]) -> Response {
        let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        self.call(endpoint, &borrowed).await
    }

    /// This browser's session cookie (`name=value`), if it has one.
    pub fn session_cookie(&self) -> Option<String> {
        session_cookie_in(&self.jar, &format!("{}/", self.base))
    }

    /// The server's address (`host:port`), as a browser's `Origin` names it.
    pub fn host(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// A page of the site, as a browser asks for it.
    pub async fn get_page(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .expect("request sent")
    }

    pub async fn start_chat_res(&self, usernames: &[&str]) -> Response {
        self.call_owned("start_chat", &list_form("usernames", usernames))
            .await
    }

    pub async fn start_chat(&self, usernames: &[&str]) -> StartedChat {
        typed(ok(self.start_chat_res(usernames).await).await)
    }

    pub async fn threads(&self) -> NavList {
        typed(ok(self.call("threads", &[]).await).await)
    }

    /// The navigation list without the home room (every user's from
    /// registration): the chats this user started or was added to.
    pub async fn chats(&self) -> Vec<ThreadSummary> {
        let mut list = self.threads().await.threads;
        list.retain(|t| t.id != app::store::rooms::HOME_ROOM);
        list
    }

    /// This user's navigation entry for `thread`, if it is listed.
    pub async fn nav_entry(&self, thread: &str) -> Option<ThreadSummary> {
        self.threads()
            .await
            .threads
            .into_iter()
            .find(|t| t.id == thread)
    }

    pub async fn open_res(&self, thread: &str) -> Response {
        self.call("open_thread", &[("thread", thread)]).await
    }

    pub async fn open(&self, thread: &str) -> ThreadView {
        typed(ok(self.open_res(thread).await).await)
    }

    pub async fn older_res(&self, thread: &str, before: i64) -> Response {
        let before = before.to_string();
        self.call("older_messages", &[("thread", thread), ("before", &before)])
            .await
    }

    pub async fn older(&self, thread: &str, before: i64) -> MessagePage {
        typed(ok(self.older_res(thread, before).await).await)
    }

    pub async fn send_res(&self, thread: &str, body: &str, client_id: &str) -> Response {
        self.call(
            "send_message",
            &[("thread", thread), ("body", body), ("client_id", client_id)],
        )
        .await
    }

    pub async fn send(&self, thread: &str, body: &str) -> MessageView {
        typed(ok(self.send_res(thread, body, &client_id()).await).await)
    }

    pub async fn sticker_res(&self, thread: &str, sticker: &str) -> Response {
        self.call(
            "send_sticker",
            &[
                ("thread", thread),
                ("sticker", sticker),
                ("client_id", &client_id()),
            ],
        )
        .await
    }

    pub async fn delete_res(&self, message_id: i64) -> Response {
        let id = message_id.to_string();
        self.call("delete_message", &[("message_id", &id)]).await
    }

    pub async fn delete(&self, message_id: i64) -> MessageView {
        typed(ok(self.delete_res(message_id).await).await)
    }

    pub async fn react_res(&self, message_id: i64, emoji: &str) -> Response {
        let id = message_id.to_string();
        self.call("toggle_reaction", &[("message_id", &id), ("emoji", emoji)])
            .await
    }

    pub async fn react(&self, message_id: i64, emoji: &str) -> Vec<app::model::Reaction> {
        typed(ok(self.react_res(message_id, emoji).await).await)
    }

    pub async fn report_res(&self, message_id: i64, reason: &str, detail: &str) -> Response {
        let id = message_id.to_string();
        self.call(
            "report_message",
            &[("message_id", &id), ("reason", reason), ("detail", detail)],
        )
        .await
    }

    pub async fn search(&self, query: &str) -> Vec<app::model::UserCard> {
        typed(ok(self.call("search_users", &[("query", query)]).await).await)
    }

    pub async fn rename_res(&self, thread: &str, title: &str) -> Response {
        self.call("rename_group", &[("thread", thread), ("title", title)])
            .await
    }

    pub async fn add_res(&self, thread: &str, usernames: &[&str]) -> Response {
        let mut form = vec![("thread".to_owned(), thread)];
        form.extend(list_form("usernames", usernames));
        self.call_owned("add_members", &form).await
    }

    pub async fn remove_res(&self, thread: &str, username: &str) -> Response {
        self.call(
            "remove_member",
            &[("thread", thread), ("username", username)],
        )
        .await
    }

    pub async fn mark_read_res(&self, thread: &str, message_id: i64) -> Response {
        let id = message_id.to_string();
        self.call("mark_read", &[("thread", thread), ("message_id", &id)])
            .await
    }

    pub async fn leave_res(&self, thread: &str) -> Response {
        self.call("leave_thread", &[("thread", thread)]).await
    }
}

/// The bodies of a page's messages, oldest first (`None` for deleted).
pub fn bodies(page: &MessagePage) -> Vec<Option<&str>> {
    page.messages.iter().map(|m| m.body.as_deref()).collect()
}

// Moderation and blocking (F21): the moderator role given as an operator
// gives it, and typed calls to the moderation and blocking functions.

impl TestApp {
    /// Grants (`true`) or revokes the moderator role of `name` with the
    /// code of `parley moderator grant|revoke` (`server::cli`), on this
    /// server's database; what the command would print.
    pub async fn set_moderator(&self, name: &str, grant: bool) -> String {
        let config = crate::helpers::test_config(&self.database_url);
        server::cli::moderator(&config, grant, name)
            .await
            .unwrap_or_else(|e| panic!("moderator grant={grant} {name}: {e}"))
    }

    /// Registers `name` in a fresh browser and makes them a moderator.
    pub async fn moderator(&self, name: &str) -> User {
        let user = self.user(name).await;
        self.set_moderator(name, true).await;
        user
    }
}

from_json!(
    app::model::ReportOutcome,
    app::model::ModQueue,
    Vec<app::model::Decision>,
    Vec<app::model::BlockedUser>
);

impl User {
    /// Reports `message_id` with `reason` and no detail; what it did.
    pub async fn report(&self, message_id: i64, reason: &str) -> app::model::ReportOutcome {
        typed(ok(self.report_res(message_id, reason, "").await).await)
    }

    pub async fn queue_res(&self) -> Response {
        self.call("moderation_queue", &[]).await
    }

    /// The moderation queue (panics unless the answer is 200).
    pub async fn queue(&self) -> app::model::ModQueue {
        typed(ok(self.queue_res().await).await)
    }

    /// Decides the open reports of `message_id` up to report `through`:
    /// `action` is "remove" or "dismiss".
    pub async fn decide_res(&self, message_id: i64, through: i64, action: &str) -> Response {
        let (id, through) = (message_id.to_string(), through.to_string());
        self.call(
            "decide_report",
            &[
                ("message_id", &id),
                ("through", &through),
                ("action", action),
            ],
        )
        .await
    }

    pub async fn resolved_res(&self) -> Response {
        self.call("resolved_reports", &[]).await
    }

    /// The recorded decisions, newest first (panics unless 200).
    pub async fn resolved(&self) -> Vec<app::model::Decision> {
        typed(ok(self.resolved_res().await).await)
    }

    pub async fn block_res(&self, user: i64) -> Response {
        self.call("block_user", &[("user", &user.to_string())])
            .await
    }

    pub async fn block(&self, user: i64) {
        ok(self.block_res(user).await).await;
    }

    pub async fn unblock_res(&self, user: i64) -> Response {
        self.call("unblock_user", &[("user", &user.to_string())])
            .await
    }

    pub async fn unblock(&self, user: i64) {
        ok(self.unblock_res(user).await).await;
    }

    /// The people this user blocks, most recently blocked first.
    pub async fn blocked_users(&self) -> Vec<app::model::BlockedUser> {
        typed(ok(self.call("blocked_users", &[]).await).await)
    }
}

/// Reads `socket` until a frame `pick` accepts, skipping every other frame
/// (presence, events, ready); what `pick` made of it. Panics if none comes
/// within the live tests' patience.
pub async fn wait_for<T>(
    socket: &mut crate::live::client::Live,
    what: &str,
    pick: impl Fn(&app::protocol::ServerFrame) -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + crate::live::client::PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match socket.try_next(left).await {
            Some(f) => match pick(&f) {
                Some(t) => return t,
                None => seen.push(f),
            },
            None => panic!("no {what} came; got {seen:?}"),
        }
    }
}
