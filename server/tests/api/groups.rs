//! Group chats (F12): creating, renaming, adding, removing and leaving,
//! each with its system line.

use app::domain::MessageKind;
use app::model::{MemberRole, ThreadKind, ThreadView};
use reqwest::StatusCode;

use crate::chat_helpers::{expect_status, ok};
use crate::helpers::TestApp;

/// The system lines of a thread as `viewer` sees them, oldest first.
fn system_lines(view: &ThreadView) -> Vec<&str> {
    view.page
        .messages
        .iter()
        .filter(|m| m.kind == MessageKind::System)
        .map(|m| m.body.as_deref().unwrap_or("<deleted>"))
        .collect()
}

fn member_names(view: &ThreadView) -> Vec<&str> {
    view.members
        .iter()
        .map(|m| m.user.username.as_str())
        .collect()
}

#[tokio::test]
async fn a_group_starts_with_a_line_saying_who_created_it() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;

    let started = ana.start_chat(&["cyd", "bob"]).await;
    assert_eq!(started.kind, ThreadKind::Group);
    assert!(started.created);

    let view = ana.open(&started.id).await;
    assert_eq!(view.kind, ThreadKind::Group);
    assert_eq!(view.my_role, MemberRole::Owner);
    assert_eq!(view.title, None);
    assert_eq!(view.name, "bob and cyd");
    let first = &view.page.messages[0];
    assert_eq!(first.kind, MessageKind::System);
    assert_eq!(
        first.body.as_deref(),
        Some("ana created the group with bob and cyd")
    );
    assert_eq!(view.page.messages.len(), 1);
    assert_eq!(member_names(&view), ["ana", "bob", "cyd"]);

    let for_bo = bob.open(&started.id).await;
    assert_eq!(for_bo.my_role, MemberRole::Member);
    assert_eq!(for_bo.name, "ana and cyd");

    // Starting the same people again is a new group, not the old one.
    let second = ana.start_chat(&["bob", "cyd"]).await;
    assert!(second.created);
    assert_ne!(second.id, started.id);
}

#[tokio::test]
async fn renaming_a_group_names_it_everywhere_with_a_line() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let g = ana.start_chat(&["bob", "cyd"]).await.id;

    ok(bob.rename_res(&g, "  Otters  ").await).await;

    let view = ana.open(&g).await;
    assert_eq!(view.title.as_deref(), Some("Otters"));
    assert_eq!(view.name, "Otters");
    assert_eq!(
        system_lines(&view).last(),
        Some(&"bob named the group \u{201c}Otters\u{201d}")
    );
    for user in [&ana, &bob] {
        let entry = user.nav_entry(&g).await.expect("listed");
        assert_eq!(entry.name, "Otters");
    }

    // The same name again changes nothing and writes no line.
    let before = app.count("messages").await;
    ok(ana.rename_res(&g, "Otters").await).await;
    assert_eq!(app.count("messages").await, before);

    // An empty name goes back to the members' names.
    ok(ana.rename_res(&g, "   ").await).await;
    let view = bob.open(&g).await;
    assert_eq!(view.title, None);
    assert_eq!(view.name, "ana and cyd");
    assert_eq!(
        system_lines(&view).last(),
        Some(&"ana removed the group name")
    );

    // A name that is too long or two lines is refused.
    for bad in ["x".repeat(81), "two\nlines".to_owned()] {
        expect_status(ana.rename_res(&g, &bad).await, StatusCode::BAD_REQUEST).await;
    }
    assert_eq!(bob.open(&g).await.title, None);
}

#[tokio::test]
async fn an_added_member_can_open_the_group_and_has_not_missed_its_history() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let dee = app.user("dee").await;
    let g = ana.start_chat(&["bob", "cyd"]).await.id;
    for i in 0..3 {
        bob.send(&g, &format!("before dee {i}")).await;
    }
    expect_status(dee.open_res(&g).await, StatusCode::NOT_FOUND).await;

    // Any member may add people; one already in is not added twice.
    ok(bob.add_res(&g, &["dee", "cyd"]).await).await;

    let view = dee.open(&g).await;
    assert_eq!(member_names(&view), ["ana", "bob", "cyd", "dee"]);
    assert_eq!(system_lines(&view).last(), Some(&"bob added dee"));
    assert_eq!(view.first_unread, None, "nothing unread on joining");
    let entry = dee.nav_entry(&g).await.expect("listed for dee");
    assert_eq!(entry.unread, 0, "history before joining is not unread");

    bob.send(&g, "welcome dee").await;
    assert_eq!(dee.nav_entry(&g).await.unwrap().unread, 1);

    // Adding only people who are already members writes no line.
    let before = app.count("messages").await;
    ok(ana.add_res(&g, &["dee"]).await).await;
    assert_eq!(app.count("messages").await, before);

    // Unknown people are refused and nobody is added.
    let members = app.count("thread_members").await;
    expect_status(ana.add_res(&g, &["nobody"]).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(app.count("thread_members").await, members);
    assert_eq!(app.count("messages").await, before);
}

#[tokio::test]
async fn an_unread_count_for_a_new_member_starts_at_their_joining() {
    // The same with several members added at once by the owner.
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let dee = app.user("dee").await;
    let eve = app.user("eve").await;
    let g = ana.start_chat(&["bob", "cyd"]).await.id;
    ana.send(&g, "one").await;
    bob.send(&g, "two").await;

    ok(ana.add_res(&g, &["eve", "dee"]).await).await;
    let view = eve.open(&g).await;
    assert_eq!(system_lines(&view).last(), Some(&"ana added dee and eve"));
    assert_eq!(dee.nav_entry(&g).await.unwrap().unread, 0);
}

#[tokio::test]
async fn the_owner_removes_a_member_who_then_cannot_see_the_group() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let g = ana.start_chat(&["bob", "cyd"]).await.id;
    cyd.send(&g, "hi from cyd").await;

    ok(ana.remove_res(&g, "CYD").await).await;

    let view = bob.open(&g).await;
    assert_eq!(member_names(&view), ["ana", "bob"]);
    assert_eq!(system_lines(&view).last(), Some(&"ana removed cyd"));

    let not_found = expect_status(cyd.open_res(&g).await, StatusCode::NOT_FOUND).await;
    let sent = expect_status(
        cyd.send_res(&g, "still here?", &crate::chat_helpers::client_id())
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(sent, not_found);
    expect_status(cyd.older_res(&g, i64::MAX).await, StatusCode::NOT_FOUND).await;
    assert!(cyd.nav_entry(&g).await.is_none());

    // Removing someone who is not (or no longer) a member is refused.
    expect_status(ana.remove_res(&g, "cyd").await, StatusCode::BAD_REQUEST).await;
    expect_status(ana.remove_res(&g, "nobody").await, StatusCode::BAD_REQUEST).await;
    // The owner cannot remove themselves (leaving is how).
    expect_status(ana.remove_res(&g, "ana").await, StatusCode::BAD_REQUEST).await;
    assert_eq!(member_names(&ana.open(&g).await), ["ana", "bob"]);
}

#[tokio::test]
async fn only_the_owner_can_remove_members() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let g = ana.start_chat(&["bob", "cyd"]).await.id;
    let counts = app.row_counts().await;

    for target in ["cyd", "ana"] {
        expect_status(bob.remove_res(&g, target).await, StatusCode::BAD_REQUEST).await;
    }

    assert_eq!(app.row_counts().await, counts);
    assert_eq!(member_names(&cyd.open(&g).await), ["ana", "bob", "cyd"]);
    assert_eq!(ana.open(&g).await.my_role, MemberRole::Owner);
}

#[tokio::test]
async fn a_member_who_leaves_gets_a_line_and_loses_access() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let g = ana.start_chat(&["bob", "cyd"]).await.id;

    ok(bob.leave_res(&g).await).await;

    let view = ana.open(&g).await;
    assert_eq!(system_lines(&view).last(), Some(&"bob left"));
    let line = view.page.messages.last().unwrap();
    assert_eq!(line.sender, "bob", "the line is the leaver's");
    assert_eq!(member_names(&view), ["ana", "cyd"]);
    assert_eq!(view.my_role, MemberRole::Owner);

    expect_status(bob.open_res(&g).await, StatusCode::NOT_FOUND).await;
    expect_status(bob.leave_res(&g).await, StatusCode::NOT_FOUND).await;
    assert!(bob.nav_entry(&g).await.is_none());
}

#[tokio::test]
async fn when_the_owner_leaves_the_longest_standing_member_becomes_owner() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    // dee is registered before cyd (a smaller user id) but joins the group
    // later: joining order decides, not the id.
    let dee = app.user("dee").await;
    let cyd = app.user("cyd").await;
    let g = ana.start_chat(&["bob", "cyd"]).await.id;
    // Joined later than everyone above (times are stored to the
    // sub-second, but leave a clear gap).
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    ok(ana.add_res(&g, &["dee"]).await).await;
    ok(bob.leave_res(&g).await).await;

    ok(ana.leave_res(&g).await).await;

    let view = cyd.open(&g).await;
    assert_eq!(view.my_role, MemberRole::Owner);
    assert_eq!(system_lines(&view).last(), Some(&"ana left"));
    let roles: Vec<(&str, MemberRole)> = view
        .members
        .iter()
        .map(|m| (m.user.username.as_str(), m.role))
        .collect();
    assert_eq!(
        roles,
        [("cyd", MemberRole::Owner), ("dee", MemberRole::Member)]
    );
    assert_eq!(dee.open(&g).await.my_role, MemberRole::Member);
    expect_status(ana.open_res(&g).await, StatusCode::NOT_FOUND).await;

    // The new owner has the owner's powers.
    ok(cyd.remove_res(&g, "dee").await).await;
    expect_status(dee.open_res(&g).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_direct_chat_cannot_be_changed_like_a_group() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let counts = app.row_counts().await;

    expect_status(ana.rename_res(&dm, "Otters").await, StatusCode::BAD_REQUEST).await;
    expect_status(ana.add_res(&dm, &["cyd"]).await, StatusCode::BAD_REQUEST).await;
    expect_status(ana.remove_res(&dm, "bob").await, StatusCode::BAD_REQUEST).await;
    expect_status(bob.leave_res(&dm).await, StatusCode::BAD_REQUEST).await;

    assert_eq!(app.row_counts().await, counts);
    let view = bob.open(&dm).await;
    assert_eq!(view.kind, ThreadKind::Direct);
    assert_eq!(view.title, None);
    assert_eq!(member_names(&view), ["ana", "bob"]);
}
