//! The message area: day separators, minute groups, the "new messages"
//! marker, and older history loaded on scrolling up (F5, F6, F20).
//!
//! The list is laid out bottom-up (`flex-direction: column-reverse`), so it
//! opens at the newest message without any script, and history added above
//! does not move what the reader is looking at: no scroll jump.

use leptos::{html, prelude::*};
use leptos_router::hooks::use_query_map;

use std::{collections::HashMap, sync::Arc};

use super::{
    live::use_live,
    message::{MessageItem, PendingItem},
    reading::Reading,
    thread::{use_thread, ThreadState, UserCardView},
};
use crate::api::threads::older_messages;
use crate::domain::grouping::{layout, Row, Stamp};
use crate::domain::live::{read_marks, seen_at};
use crate::model::{Member, MessageView, ThreadKind, UserCard};

/// One line of the list, keyed so that a message re-renders when what it
/// shows changes (deleted or removed, its sender blocked, reactions, its
/// place in a group). A message is shared, not copied: `<For>` clones the
/// whole list each time it reads it (on the server, once per page).
#[derive(Clone, PartialEq)]
enum Line {
    Day(String, String),
    Unread,
    Message(Arc<MessageView>, bool),
}

impl Line {
    fn key(&self) -> String {
        match self {
            Line::Day(day, _) => format!("d{day}"),
            Line::Unread => "unread".to_owned(),
            Line::Message(m, starts) => {
                let reactions: String = m
                    .reactions
                    .iter()
                    .map(|r| format!("{}{}{}", r.emoji, r.count, u8::from(r.mine)))
                    .collect();
                format!(
                    "m{}:{}:{}{}{}:{reactions}",
                    m.id,
                    u8::from(*starts),
                    u8::from(m.deleted()),
                    u8::from(m.removed),
                    u8::from(m.blocked)
                )
            }
        }
    }
}

fn lines(messages: &[MessageView], first_unread: Option<i64>) -> Vec<Line> {
    let stamps: Vec<Stamp> = messages
        .iter()
        .map(|m| Stamp {
            sender_id: m.sender_id,
            at_ms: m.at_ms,
            day: &m.day,
            system: m.kind == crate::domain::MessageKind::System,
        })
        .collect();
    let mut out = Vec::with_capacity(messages.len() + 4);
    for row in layout(&stamps) {
        match row {
            Row::Day { first } => {
                let m = &messages[first];
                out.push(Line::Day(m.day.clone(), m.day_label.clone()));
            }
            Row::Message {
                index,
                starts_group,
            } => {
                let m = &messages[index];
                let unread_here = Some(m.id) == first_unread;
                if unread_here {
                    out.push(Line::Unread);
                }
                // The first unread message always shows who wrote it.
                out.push(Line::Message(
                    Arc::new(m.clone()),
                    starts_group || unread_here,
                ));
            }
        }
    }
    out
}

/// Where read receipts go (F17), for the messages to show: "Seen" in a
/// direct chat, small avatars in a group.
#[derive(Clone, Copy)]
pub struct Receipts {
    /// Message id → members whose read position is there (groups).
    pub marks: Memo<HashMap<i64, Vec<i64>>>,
    /// Your message the other person has read up to (direct chats).
    pub seen: Memo<Option<i64>>,
    names: StoredValue<HashMap<i64, (String, Option<String>)>>,
    thread: ThreadState,
}

impl Receipts {
    fn new(thread: ThreadState, members: &[Member], me: i64) -> Self {
        let other = members.iter().map(|m| m.user.id).find(|id| *id != me);
        let direct = thread.kind == ThreadKind::Direct;
        Self {
            marks: Memo::new(move |_| {
                if direct {
                    return HashMap::new();
                }
                thread
                    .messages
                    .with(|list| thread.reads.with(|reads| read_marks(list, reads, me)))
            }),
            seen: Memo::new(move |_| {
                let other_read = other.and_then(|o| thread.reads.with(|r| r.get(&o).copied()))?;
                direct
                    .then(|| thread.messages.with(|list| seen_at(list, other_read, me)))
                    .flatten()
            }),
            names: StoredValue::new(
                members
                    .iter()
                    .map(|m| {
                        (
                            m.user.id,
                            (m.user.username.clone(), m.user.avatar_url.clone()),
                        )
                    })
                    .collect(),
            ),
            thread,
        }
    }

    /// A reader's name and picture, if the window knows them: a member
    /// the thread opened with, or a room participant met since.
    pub fn face(&self, user: i64) -> Option<(String, Option<String>)> {
        self.names
            .with_value(|n| n.get(&user).cloned())
            .or_else(|| {
                self.thread.participants.with_untracked(|p| {
                    p.people
                        .iter()
                        .find(|c| c.id == user)
                        .map(|c| (c.username.clone(), c.avatar_url.clone()))
                })
            })
    }
}

#[component]
pub fn MessageList(
    first_unread: Option<i64>,
    other: Option<UserCard>,
    members: Vec<Member>,
) -> impl IntoView {
    let thread = use_thread();
    let live = use_live();
    let me = live.me();
    provide_context(Receipts::new(thread, &members, me));
    let scroller = NodeRef::<html::Div>::new();
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    // The one way older pages load, for the scroll trigger and the link
    // alike: a call while a load is in flight joins it (does nothing), so
    // a click on the link during a scroll-triggered load is harmless and
    // no page is asked for twice (history.spec.ts checks this).
    let load_older = move || {
        if loading.get_untracked() || !thread.has_more.get_untracked() {
            return;
        }
        let Some(before) = thread.messages.with_untracked(|m| m.first().map(|m| m.id)) else {
            return;
        };
        loading.set(true);
        let id = thread.id.get_value();
        leptos::task::spawn_local(async move {
            match older_messages(id, before, super::browser::clock_ms()).await {
                Ok(page) => {
                    thread.has_more.set(page.has_more);
                    thread.messages.update(|list| {
                        let mut older = page.messages;
                        older.retain(|m| m.id < before);
                        older.append(list);
                        *list = older;
                    });
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            loading.set(false);
        });
    };
    let reading = Reading::new(thread, scroller, me);
    let on_scroll = move |_| {
        if let Some(el) = scroller.get() {
            if super::browser::near_oldest(&el) {
                load_older();
            }
        }
        reading.scrolled();
    };
    reading.follow();
    // Land on the first unread message (F20); without one the bottom-up
    // layout already shows the newest.
    Effect::new(move |_| {
        if let (Some(_), Some(el)) = (first_unread, scroller.get()) {
            super::browser::scroll_into_view(el.into(), "unread-marker");
        }
    });

    // `?before=` shows an older page (how a reader without JavaScript goes
    // back); offer the way forward again.
    let query = use_query_map();
    let viewing_older = move || query.read().get("before").is_some();
    let older_href = move || {
        thread
            .messages
            .with(|m| m.first().map(|m| format!("?before={}", m.id)))
            .unwrap_or_default()
    };
    let rows = Memo::new(move |_| thread.messages.with(|m| lines(m, first_unread)));

    view! {
        <div class="messages" id="messages" node_ref=scroller on:scroll=on_scroll data-testid="messages">
            <div class="messages-inner">
                {move || {
                    if thread.has_more.get() {
                        view! {
                            <div class="history-more">
                                // A real link, so a reader without JavaScript
                                // can page back; with it, the page loads here.
                                <a
                                    class="link-button"
                                    href=older_href
                                    aria-disabled=move || loading.get().to_string()
                                    on:click=move |ev| {
                                        ev.prevent_default();
                                        load_older();
                                    }
                                >
                                    {move || if loading.get() { "Loading…" } else { "Load older messages" }}
                                </a>
                            </div>
                        }
                            .into_any()
                    } else {
                        let card = other.clone().map(|user| view! { <UserCardView user/> });
                        view! { <div class="history-start">{card}</div> }.into_any()
                    }
                }}
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <For
                    each=move || rows.get()
                    key=Line::key
                    children=|line| match line {
                        Line::Day(_, label) => view! {
                            <div class="day-separator" role="separator" data-testid="day-separator">
                                <span>{label}</span>
                            </div>
                        }
                        .into_any(),
                        Line::Unread => view! {
                            <div class="unread-marker" id="unread-marker" role="separator">
                                <span>"New messages"</span>
                            </div>
                        }
                        .into_any(),
                        Line::Message(m, starts) => view! { <MessageItem m starts/> }.into_any(),
                    }
                />
                <For
                    each=move || live.pending_in(&thread.id.get_value())
                    key=|p| (p.client_id.clone(), format!("{:?}", p.state))
                    let:p
                >
                    <PendingItem p/>
                </For>
                {move || {
                    viewing_older()
                        .then(|| {
                            view! {
                                <div class="history-more">
                                    <a href=format!("/chat/{}", thread.id.get_value())>
                                        "Jump to the newest messages"
                                    </a>
                                </div>
                            }
                        })
                }}
            </div>
        </div>
    }
}
