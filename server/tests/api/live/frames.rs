//! The client's frames: typing reaches the thread's other members only,
//! ping is answered, and anything malformed or oversized closes the socket.

use app::protocol::{close, ClientFrame, ServerFrame, MAX_CLIENT_FRAME};

use super::assert_no_typing;
use super::client::{Dial, Ending, Live};
use crate::helpers::TestApp;

fn typing(thread: &str) -> ClientFrame {
    ClientFrame::Typing {
        thread: thread.to_owned(),
    }
}

#[tokio::test]
async fn typing_reaches_the_other_members_only() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let (mut a, _) = Live::open(&ana).await;
    let (mut b, _) = Live::open(&bob).await;
    let (mut c, _) = Live::open(&cyd).await;

    // cyd is no member of the chat: dropped without a word.
    c.send(&typing(&dm)).await;
    // Neither is a malformed thread id.
    b.send(&typing("not-a-thread")).await;
    assert_no_typing(&mut a, "ana").await;
    assert_no_typing(&mut b, "bob").await;

    a.send(&typing(&dm)).await;
    loop {
        match b.next().await {
            ServerFrame::Typing { thread, user, name } => {
                assert_eq!(
                    (thread.as_str(), user, name.as_str()),
                    (dm.as_str(), ana.id, "ana")
                );
                break;
            }
            ServerFrame::Presence { .. } => {}
            other => panic!("expected typing, got {other:?}"),
        }
    }
    assert_no_typing(&mut a, "ana, the typist").await;
    assert_no_typing(&mut c, "cyd").await;
    // Every socket survived all of that.
    for socket in [&mut a, &mut b, &mut c] {
        socket.send(&ClientFrame::Ping).await;
        loop {
            match socket.next().await {
                ServerFrame::Pong => break,
                ServerFrame::Presence { .. } => {}
                other => panic!("expected pong, got {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn a_binary_malformed_or_oversized_frame_closes_the_socket() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;

    let (mut s, _) = Live::open(&ana).await;
    s.send_binary(b"{\"t\":\"ping\"}").await;
    assert_eq!(s.close_code().await, Ending::Closed(close::PROTOCOL));

    for junk in ["not json", r#"{"t":"nope"}"#, r#"{"t":"typing"}"#] {
        let (mut s, _) = Live::open(&ana).await;
        s.send_text(junk).await;
        assert_eq!(
            s.close_code().await,
            Ending::Closed(close::PROTOCOL),
            "{junk}"
        );
    }

    // Not text at all: invalid UTF-8 in a text frame (a lone 0xFF, a
    // broken two-byte sequence, an overlong '/', a UTF-16 surrogate) fails
    // the connection with 1007, as RFC 6455 says, not a silent drop.
    for bad in [
        &b"\xff\xfe"[..],
        b"{\"t\":\"ping\"}\xc3\x28",
        b"\xc0\xaf",
        b"\xed\xa0\x80",
    ] {
        let (mut s, _) = Live::open(&ana).await;
        s.send_raw_text(bad).await;
        assert_eq!(
            s.close_code().await,
            Ending::Closed(close::INVALID_TEXT),
            "{bad:?}"
        );
    }

    // Valid JSON, but over the limit.
    let (mut s, _) = Live::open(&ana).await;
    let padding = "x".repeat(MAX_CLIENT_FRAME);
    s.send_text(&format!(r#"{{"t":"typing","thread":"{padding}"}}"#))
        .await;
    let ending = s.close_code().await;
    assert_eq!(
        ending,
        Ending::Closed(close::TOO_BIG),
        "too big: {ending:?}"
    );

    // A frame right at the limit is fine.
    let mut s = Dial::as_user(&ana).connect().await.unwrap();
    s.ready().await;
    let shell = r#"{"t":"typing","thread":""}"#;
    let fits = format!(
        r#"{{"t":"typing","thread":"{}"}}"#,
        "x".repeat(MAX_CLIENT_FRAME - shell.len())
    );
    assert_eq!(fits.len(), MAX_CLIENT_FRAME);
    s.send_text(&fits).await;
    s.send(&ClientFrame::Ping).await;
    assert_eq!(s.next().await, ServerFrame::Pong);
}
