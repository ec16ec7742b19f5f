//! History pages (F20): the newest 50 first, then back through the rest
//! with no gaps and no repeats; the first page reaches the first unread.

use app::model::MessagePage;

use crate::chat_helpers::{bodies, User};
use crate::helpers::TestApp;

async fn send_numbered(user: &User, thread: &str, range: std::ops::Range<usize>) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in range {
        ids.push(user.send(thread, &format!("message {i}")).await.id);
    }
    ids
}

fn ids(page: &MessagePage) -> Vec<i64> {
    page.messages.iter().map(|m| m.id).collect()
}

#[tokio::test]
async fn history_pages_back_through_every_message_once() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let sent = send_numbered(&ana, &dm, 0..120).await;

    // ana has nothing unread: the first page is the newest 50.
    let first = ana.open(&dm).await.page;
    assert_eq!(ids(&first), sent[70..]);
    assert!(first.has_more);
    assert_eq!(bodies(&first)[0], Some("message 70"));
    assert_eq!(bodies(&first)[49], Some("message 119"));

    let second = ana.older(&dm, first.messages[0].id).await;
    assert_eq!(ids(&second), sent[20..70]);
    assert!(second.has_more);

    let third = ana.older(&dm, second.messages[0].id).await;
    assert_eq!(ids(&third), sent[..20]);
    assert!(!third.has_more);

    let mut all: Vec<i64> = [&third, &second, &first]
        .into_iter()
        .flat_map(ids)
        .collect();
    // Oldest first, within and across pages; no repeats, no gaps.
    assert!(all.windows(2).all(|w| w[0] < w[1]), "{all:?}");
    assert_eq!(all, sent);
    let texts: Vec<String> = [&third, &second, &first]
        .into_iter()
        .flat_map(|p| p.messages.iter().map(|m| m.body.clone().unwrap()))
        .collect();
    let expected: Vec<String> = (0..120).map(|i| format!("message {i}")).collect();
    assert_eq!(texts, expected);

    // Before the oldest there is nothing.
    let none = ana.older(&dm, sent[0]).await;
    assert!(none.messages.is_empty());
    assert!(!none.has_more);

    // bob (everything unread) pages the same ids.
    all.clear();
    let mut page = bob.older(&dm, i64::MAX).await;
    loop {
        all.splice(0..0, ids(&page));
        if !page.has_more {
            break;
        }
        page = bob.older(&dm, page.messages[0].id).await;
    }
    assert_eq!(all, sent);
}

#[tokio::test]
async fn a_page_before_a_message_id_from_between_pages_starts_right_there() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let sent = send_numbered(&ana, &dm, 0..60).await;

    let page = ana.older(&dm, sent[55]).await;
    assert_eq!(ids(&page), sent[5..55]);
    assert!(page.has_more);
    let page = ana.older(&dm, sent[5]).await;
    assert_eq!(ids(&page), sent[..5]);
    assert!(!page.has_more);
}

#[tokio::test]
async fn opening_a_thread_reaches_back_to_the_first_unread_message() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let read = send_numbered(&ana, &dm, 0..40).await;
    bob.open(&dm).await;
    let unread = send_numbered(&ana, &dm, 40..120).await;
    assert_eq!(bob.nav_entry(&dm).await.unwrap().unread, 80);

    let view = bob.open(&dm).await;
    let first_unread = view.first_unread.expect("unread messages");
    assert_eq!(first_unread, unread[0]);
    let page = ids(&view.page);
    assert!(
        page.contains(&first_unread),
        "first unread {first_unread} not in the page {page:?}"
    );
    // It is a contiguous run ending at the newest message.
    assert_eq!(page.last(), unread.last());
    assert!(page.windows(2).all(|w| w[1] == w[0] + 1), "{page:?}");
    assert!(page.len() > 80);
    assert!(view.page.has_more);
    assert_eq!(bob.nav_entry(&dm).await.unwrap().unread, 0);

    // Paging back from there completes the history.
    let older = bob.older(&dm, page[0]).await;
    let mut all = ids(&older);
    all.extend(page);
    assert!(!older.has_more);
    let mut sent = read;
    sent.extend(unread);
    assert_eq!(all, sent);
}

#[tokio::test]
async fn an_older_page_is_a_url_for_readers_without_javascript() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let sent = send_numbered(&ana, &dm, 0..60).await;
    // bob reads it once, so his next visit shows the newest page.
    bob.open(&dm).await;
    let messages_before = app.count("messages").await;

    let html = bob
        .get_page(&format!("/chat/{dm}?before={}", sent[10]))
        .await
        .text()
        .await
        .unwrap();
    // Exactly messages 0–9, oldest first, and a way back to the newest.
    assert!(
        html.contains(">message 0<") && html.contains(">message 9<"),
        "{html}"
    );
    assert!(!html.contains(">message 10<"));
    assert!(html.contains("Jump to the newest messages"));
    assert!(!html.contains("Load older messages"));

    // The newest page links to the page before it.
    let html = bob
        .get_page(&format!("/chat/{dm}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("?before={}", sent[10])), "{html}");
    assert_eq!(app.count("messages").await, messages_before);
}
