//! The hot queries use indexes, never a full table scan: checked with
//! `EXPLAIN QUERY PLAN` on the server's own SQL, on a database with a
//! realistic spread of rows, with and without `ANALYZE` statistics.
//!
//! SQLite's planner only: the PostgreSQL run of the suite skips these (its
//! planner chooses by statistics, and the same indexes exist there).

use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, Connection, SqliteConnection};

use crate::helpers::{sqlite_file, TestApp};

/// A connection to the server's SQLite file; `None` on PostgreSQL.
async fn sqlite(app: &TestApp) -> Option<SqliteConnection> {
    let file = sqlite_file(&app.database_url)?;
    Some(
        SqliteConnectOptions::new()
            .filename(file)
            .connect()
            .await
            .unwrap(),
    )
}

const USERS: i64 = 5000;
const THREADS: i64 = 200;
const MESSAGES_PER_THREAD: i64 = 40;
/// The room every user is in, like the home room: thread `THREADS + 1`.
const ROOM: i64 = THREADS + 1;

/// Users, direct chats between neighbours, groups of five, messages.
async fn populate(db: &mut SqliteConnection) {
    let mut tx = db.begin().await.unwrap();
    // Ids are chosen below: start from no rows at all (not even the home
    // room and Otter, which the migrations made).
    for table in ["thread_members", "threads", "users"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let now = "2026-11-21T12:00:00Z";
    for u in 1..=USERS {
        sqlx::query(
            "INSERT INTO users (id, username, password_hash, created_at) VALUES ($1, $2, 'x', $3)",
        )
        .bind(u)
        .bind(format!("user{u:04}"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let mut message = 0_i64;
    for t in 1..=THREADS {
        let direct = t % 2 == 0;
        let members: Vec<i64> = if direct {
            vec![t, t + 1]
        } else {
            (0..5).map(|k| (t + k * 37) % USERS + 1).collect()
        };
        sqlx::query(
            "INSERT INTO threads (id, public_id, kind, direct_key, created_by, created_at, last_activity_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(t)
        .bind(format!("00000000-0000-4000-8000-{t:012}"))
        .bind(if direct { "direct" } else { "group" })
        .bind(direct.then(|| format!("{}:{}", members[0], members[1])))
        .bind(members[0])
        .bind(now)
        .bind(format!("2026-11-21T12:{:02}:{:02}Z", t / 60 % 60, t % 60))
        .execute(&mut *tx)
        .await
        .unwrap();
        for m in &members {
            sqlx::query(
                "INSERT OR IGNORE INTO thread_members (thread_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?)",
            )
            .bind(t)
            .bind(m)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        for i in 0..MESSAGES_PER_THREAD {
            message += 1;
            let sender = members[(i as usize) % members.len()];
            sqlx::query(
                "INSERT INTO messages (id, thread_id, sender_id, client_id, kind, body, created_at)
                 VALUES (?, ?, ?, ?, 'text', 'hello', ?)",
            )
            .bind(message)
            .bind(t)
            .bind(sender)
            .bind(format!("client-{message:08}"))
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        sqlx::query("UPDATE threads SET last_message_id = $1 WHERE id = $2")
            .bind(message)
            .bind(t)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    // A room of all 5,000, a tenth of whom have posted in it.
    sqlx::query(
        "INSERT INTO threads (id, public_id, kind, title, created_by, created_at,
                              last_activity_at, member_count)
         VALUES ($1, $2, 'room', 'Everyone', 1, $3, $3, $4)",
    )
    .bind(ROOM)
    .bind(format!("00000000-0000-4000-8000-{ROOM:012}"))
    .bind(now)
    .bind(USERS)
    .execute(&mut *tx)
    .await
    .unwrap();
    for u in 1..=USERS {
        let active =
            (u % 10 == 0).then(|| format!("2026-11-21T13:{:02}:{:02}Z", u / 60 % 60, u % 60));
        sqlx::query(
            "INSERT INTO thread_members (thread_id, user_id, role, joined_at, last_active_at)
             VALUES ($1, $2, 'member', $3, $4)",
        )
        .bind(ROOM)
        .bind(u)
        .bind(now)
        .bind(active)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The plan's steps (the `detail` column) for `sql` with `binds`.
async fn plan(db: &mut SqliteConnection, sql: &str, binds: &[&str]) -> Vec<String> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, _, _, detail)| detail)
        .collect()
}

/// A step that reads a whole table: `SCAN <table>` without an index (a
/// `SCAN ... USING [COVERING] INDEX` walks an index in order, a `SEARCH`
/// seeks; both are fine).
fn full_scans(steps: &[String]) -> Vec<&String> {
    // A scan of a subquery's own rows (a co-routine) reads no table.
    let coroutines: Vec<&str> = steps
        .iter()
        .filter_map(|s| s.strip_prefix("CO-ROUTINE "))
        .collect();
    steps
        .iter()
        .filter(|s| s.starts_with("SCAN ") && !s.contains(" USING "))
        .filter(|s| !coroutines.iter().any(|c| s.as_str() == format!("SCAN {c}")))
        .collect()
}

async fn assert_no_full_scans(db: &mut SqliteConnection, when: &str) {
    let queries: [(&str, &str, &[&str]); 5] = [
        (
            "messages::PAGE_SQL",
            app::store::messages::PAGE_SQL,
            &["7", "9000", "51"],
        ),
        (
            "threads::LIST_FOR_USER_SQL",
            app::store::threads::LIST_FOR_USER_SQL,
            &["42"],
        ),
        (
            "users::SEARCH_SQL",
            app::store::users::SEARCH_SQL,
            &["user01", "user01~", "3", "20"],
        ),
        (
            "threads::CO_MEMBERS_SQL",
            app::store::threads::CO_MEMBERS_SQL,
            &["42", "4"],
        ),
        (
            "rooms::PARTICIPANTS_SQL",
            app::store::rooms::PARTICIPANTS_SQL,
            &["201", "30"],
        ),
    ];
    let mut failures = Vec::new();
    let mut all = String::new();
    for (name, sql, binds) in queries {
        let steps = plan(db, sql, binds).await;
        all.push_str(&format!("{name} ({when}):\n  {}\n", steps.join("\n  ")));
        if !full_scans(&steps).is_empty() {
            failures.push(name);
        }
        // A page of a room's participants comes in the index's order: no
        // sort of all its members to find the page.
        if name == "rooms::PARTICIPANTS_SQL" && steps.iter().any(|s| s.contains("TEMP B-TREE")) {
            failures.push(name);
        }
    }
    // Shown with `--nocapture`, and in the failure message.
    println!("{all}");
    assert!(
        failures.is_empty(),
        "full table scans in {failures:?}:\n{all}"
    );
}

#[tokio::test]
async fn the_full_scan_check_catches_a_scan() {
    // The check itself: a query with no usable index is caught.
    let app = TestApp::spawn().await;
    let Some(mut db) = sqlite(&app).await else {
        return;
    };
    let steps = plan(&mut db, "SELECT * FROM messages WHERE body = ?", &["x"]).await;
    assert_eq!(full_scans(&steps).len(), 1, "{steps:?}");
    let steps = plan(
        &mut db,
        "SELECT * FROM messages WHERE thread_id = ?",
        &["1"],
    )
    .await;
    assert!(full_scans(&steps).is_empty(), "{steps:?}");
}

#[tokio::test]
async fn the_page_navigation_and_search_queries_use_indexes() {
    let app = TestApp::spawn().await;
    let Some(mut db) = sqlite(&app).await else {
        return;
    };
    populate(&mut db).await;

    assert_no_full_scans(&mut db, "no statistics").await;

    sqlx::query("ANALYZE").execute(&mut db).await.unwrap();
    assert_no_full_scans(&mut db, "after ANALYZE").await;
}

/// Opening a room of 5,000 and the navigation list of one of its members
/// read a page of participants and no room member's name: counted in rows.
#[tokio::test]
async fn a_room_of_thousands_is_opened_and_listed_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let Some(mut db) = sqlite(&app).await else {
        return;
    };
    populate(&mut db).await;
    let url = app.database_url.clone();
    let store = server::db::connect_and_migrate(&url).await.unwrap();

    let page = app::store::rooms::participants(&store, ROOM, 30, &[])
        .await
        .unwrap();
    assert_eq!(page.len(), 30);
    assert!(
        page.iter().all(|m| m.last_active_at.is_some()),
        "the most recently active first"
    );
    let mut tx = store.begin_read().await.unwrap();
    let co = app::store::threads::co_members(&mut tx, 42, 4)
        .await
        .unwrap();
    assert!(
        co.iter().all(|c| c.thread_id != ROOM),
        "no member of the room is read to name it"
    );
    assert!(co.len() <= 4 * THREADS as usize);
}
