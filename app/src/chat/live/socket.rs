//! The browser's end of the live socket: open after hydration, resume from
//! the last event id, reconnect with backoff and full jitter, and notice a dead
//! connection (a sleeping laptop) by a ping that gets no pong.

use std::cell::RefCell;

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::Live;
use crate::protocol::{close, reconnect, ClientFrame, ServerFrame};

/// Ping this often; no pong within two rounds means the link is dead.
const PING_MS: u32 = 20_000;
const DEAD_AFTER_MS: f64 = 45_000.0;
/// After a logout closed the socket: how long the tab that logged out has
/// to leave the page before another tab of the session is sent to /login.
const LOGGED_OUT_GRACE_MS: u32 = 1500;
/// Typing frames go out at most this often.
const TYPING_EVERY_MS: f64 = 2_000.0;

struct Socket {
    live: Live,
    ws: Option<WebSocket>,
    /// The newest event applied: where a reconnect resumes.
    cursor: i64,
    attempt: u32,
    last_heard_ms: f64,
    last_typing: Option<(String, f64)>,
    retry: Option<Timeout>,
    _ping: Option<Interval>,
    _tick: Option<Interval>,
    _on_online: Option<Closure<dyn FnMut()>>,
    // The socket's handlers live as long as it does.
    _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

thread_local! {
    static SOCKET: RefCell<Option<Socket>> = const { RefCell::new(None) };
}

fn with_socket<R>(f: impl FnOnce(&mut Socket) -> R) -> Option<R> {
    SOCKET.with(|s| s.borrow_mut().as_mut().map(f))
}

/// Opens the page's socket, resuming after `cursor`.
pub fn open(live: Live, cursor: i64) {
    let ping = Interval::new(PING_MS, heartbeat);
    let tick = Interval::new(1000, move || live.tick());
    // Back online (or the laptop woke up): try now, not after the backoff.
    let on_online = Closure::<dyn FnMut()>::new(reconnect_now);
    let _ = window().add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    SOCKET.with(|s| {
        *s.borrow_mut() = Some(Socket {
            live,
            ws: None,
            cursor,
            attempt: 0,
            last_heard_ms: js_sys::Date::now(),
            last_typing: None,
            retry: None,
            _ping: Some(ping),
            _tick: Some(tick),
            _on_online: Some(on_online),
            _handlers: Vec::new(),
        })
    });
    connect();
}

/// Closes it for good (the window is going away).
pub fn close() {
    let Some(mut s) = SOCKET.with(|s| s.borrow_mut().take()) else {
        return;
    };
    if let Some(f) = s._on_online.take() {
        let _ = window().remove_event_listener_with_callback("online", f.as_ref().unchecked_ref());
    }
    if let Some(ws) = s.ws.take() {
        ws.set_onclose(None);
        let _ = ws.close();
    }
}

pub fn typing(thread: &str) {
    let now = js_sys::Date::now();
    let due = with_socket(|s| {
        let due = s
            .last_typing
            .as_ref()
            .is_none_or(|(t, at)| t != thread || now - at >= TYPING_EVERY_MS);
        if due {
            s.last_typing = Some((thread.to_owned(), now));
        }
        due
    });
    if due == Some(true) {
        send(&ClientFrame::Typing {
            thread: thread.to_owned(),
        });
    }
}

fn send(frame: &ClientFrame) {
    let Ok(text) = serde_json::to_string(frame) else {
        return;
    };
    with_socket(|s| {
        if let Some(ws) =
            s.ws.as_ref()
                .filter(|ws| ws.ready_state() == WebSocket::OPEN)
        {
            let _ = ws.send_with_str(&text);
        }
    });
}

fn url(cursor: i64) -> Option<String> {
    let loc = window().location();
    let scheme = if loc.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!(
        "{scheme}://{}/api/live?after={cursor}",
        loc.host().ok()?
    ))
}

fn connect() {
    let Some(cursor) = with_socket(|s| {
        s.retry = None;
        s.cursor
    }) else {
        return;
    };
    let Some(ws) = url(cursor).and_then(|u| WebSocket::new(&u).ok()) else {
        schedule_reconnect();
        return;
    };
    let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        if let Some(text) = e
            .dyn_ref::<MessageEvent>()
            .and_then(|m| m.data().as_string())
        {
            received(&text);
        }
    });
    let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        let code = e.dyn_ref::<CloseEvent>().map_or(0, CloseEvent::code);
        closed(code);
    });
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    with_socket(|s| {
        if let Some(old) = s.ws.replace(ws) {
            old.set_onclose(None);
            old.set_onmessage(None);
            let _ = old.close();
        }
        s.last_heard_ms = js_sys::Date::now();
        s._handlers = vec![on_message, on_close];
    });
}

fn received(text: &str) {
    let Ok(frame) = serde_json::from_str::<ServerFrame>(text) else {
        leptos::logging::warn!("live: an unreadable frame");
        return;
    };
    let now = js_sys::Date::now();
    let Some(live) = with_socket(|s| {
        s.last_heard_ms = now;
        s.live
    }) else {
        return;
    };
    match frame {
        ServerFrame::Event(ev) => {
            // Exactly once: a frame at or before the cursor was applied.
            let fresh = with_socket(|s| {
                let fresh = ev.id > s.cursor;
                s.cursor = s.cursor.max(ev.id);
                fresh
            });
            if fresh == Some(true) {
                live.apply(ev);
            }
        }
        ServerFrame::Ready { cursor } => {
            with_socket(|s| {
                s.cursor = s.cursor.max(cursor);
                s.attempt = 0;
            });
            live.retry_waiting();
        }
        ServerFrame::Reload { cursor } => {
            // Too far behind for a replay: fetch everything afresh.
            with_socket(|s| {
                s.cursor = cursor;
                s.attempt = 0;
            });
            live.revs.refresh_nav();
            live.revs.refresh_thread();
            live.retry_waiting();
        }
        ServerFrame::Typing { thread, user, name } => live.typing_from(thread, user, name, now),
        ServerFrame::Presence {
            user,
            online,
            last_active_ms,
        } => live.presence.update(|p| {
            p.insert(user, (online, last_active_ms));
        }),
        ServerFrame::Reports { open } => live.reports_changed(open),
        ServerFrame::Blocked { users } => live.blocked_changed(users),
        // The link works: anything that waited for it can go.
        ServerFrame::Pong => live.retry_waiting(),
    }
}

fn closed(code: u16) {
    if with_socket(|s| s.ws = None).is_none() {
        return;
    }
    if code == close::SESSION_ENDED {
        // Logged out. If this tab did it, it is on its way to /login and
        // the window (and this socket's state) is gone in a moment; another
        // tab of the same session goes to the login page itself.
        Timeout::new(LOGGED_OUT_GRACE_MS, || {
            if SOCKET.with(|s| s.borrow().is_some()) {
                let _ = window().location().set_href("/login");
            }
        })
        .forget();
        return;
    }
    schedule_reconnect();
}

/// Tries again after [`reconnect::delay_ms`]: full jitter from the first
/// attempt, so the pages a restarted server had open come back spread over
/// the window instead of all at once (1001 "server stopping" included).
fn schedule_reconnect() {
    with_socket(|s| {
        let delay = reconnect::delay_ms(s.attempt, js_sys::Math::random());
        s.attempt = s.attempt.saturating_add(1);
        s.retry = Some(Timeout::new(delay as u32, connect));
    });
}

/// The browser is back online: reconnect now if the socket is down, and
/// send what waited either way (a short outage may not close the socket).
fn reconnect_now() {
    let Some((idle, live)) = with_socket(|s| (s.ws.is_none(), s.live)) else {
        return;
    };
    if idle {
        with_socket(|s| s.attempt = 0);
        connect();
    } else {
        live.retry_waiting();
    }
}

/// Pings; a socket silent for too long is closed, which reconnects it.
fn heartbeat() {
    let now = js_sys::Date::now();
    let dead = with_socket(|s| s.ws.is_some() && now - s.last_heard_ms > DEAD_AFTER_MS);
    if dead == Some(true) {
        if let Some(Some(ws)) = with_socket(|s| s.ws.take()) {
            ws.set_onclose(None);
            let _ = ws.close();
        }
        closed(1006);
        return;
    }
    send(&ClientFrame::Ping);
}
