//! The moderators' panes (F21): the queue of reported messages with
//! Remove and Dismiss, and the "Resolved" record of decisions. Both are
//! plain server-rendered lists; the decisions are `<ActionForm>`s, so they
//! work with JavaScript off (the server sends the browser back to
//! `/moderation`) and, hydrated, the queue is read again in place.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::moderation::DecideReport;
use crate::domain::moderation::{
    decision_label, message_note, place_label, reason_kind, reason_label, report_count_label,
};
use crate::domain::sticker_url;
use crate::domain::MessageKind;
use crate::error::AppError;
use crate::model::{Decision, ModAction, ModMessage, ModQueue, QueueItem};

/// `/moderation`: open reports, oldest first, one item per message.
#[component]
pub fn QueuePane(
    queue: Resource<Result<ModQueue, AppError>>,
    decide: ServerAction<DecideReport>,
) -> impl IntoView {
    // A lost race (another moderator decided first) and any other failure
    // show here, above the list, which is read again either way.
    let error = move || {
        decide
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <section class="side-pane mod-pane" aria-labelledby="mod-heading">
            <header class="pane-header">
                <A href="/chat" attr:class="back-link" attr:aria-label="Back to chats">"‹"</A>
                <h2 id="mod-heading" class="pane-title">"Moderation queue"</h2>
                <A href="/moderation/resolved" attr:class="pane-header-link" attr:data-testid="resolved-link">
                    "Resolved"
                </A>
            </header>
            <div class="pane-body">
                {move || error().map(|e| view! { <p class="form-error pane-alert" role="alert">{e}</p> })}
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match queue.await {
                            Ok(q) if q.items.is_empty() => {
                                view! { <p class="pane-empty muted" data-testid="queue-empty">"No open reports."</p> }
                                    .into_any()
                            }
                            Ok(q) => view! {
                                <ol class="queue" data-testid="queue">
                                    {q.items.into_iter().map(|item| view! { <QueueEntry item decide/> }).collect_view()}
                                </ol>
                            }
                            .into_any(),
                            Err(e) => view! { <p class="page-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </section>
    }
}

/// One reported message: who wrote it where, the two messages either side
/// (muted), how many reported it and why, when, and the two decisions.
#[component]
fn QueueEntry(item: QueueItem, decide: ServerAction<DecideReport>) -> impl IntoView {
    let m = &item.message;
    let (id, through) = (m.id, item.through);
    view! {
        <li class="queue-item" data-testid="queue-item" data-message-id=id.to_string()>
            <header class="queue-head">
                <span class="queue-author">{m.author.clone()}</span>
                <span class="muted">{place_label(item.thread_kind, &item.thread_name)}</span>
                <span class="report-count" data-testid="report-count">{report_count_label(item.reports)}</span>
            </header>
            <ol class="queue-context" aria-label="The message in its context">
                {item.before.iter().map(|c| view! { <ContextMessage m=c.clone()/> }).collect_view()}
                <li class="queue-reported">
                    <span class="ctx-author">{m.author.clone()}</span>
                    <MessageText m=m.clone() test_id="queue-text"/>
                    <time class="ctx-time muted">{m.at.clone()}</time>
                    {message_note(m).map(|n| view! { <span class="queue-note" data-testid="queue-note">{n}</span> })}
                </li>
                {item.after.iter().map(|c| view! { <ContextMessage m=c.clone()/> }).collect_view()}
            </ol>
            <Reasons reasons=item.reasons.clone()/>
            <p class="queue-times muted">
                "First reported " <time>{item.first_reported.clone()}</time>
                {(item.first_reported != item.last_reported).then(|| view! {
                    " · last " <time>{item.last_reported.clone()}</time>
                })}
            </p>
            <div class="queue-actions">
                <DecideForm decide id through action=ModAction::Remove/>
                <DecideForm decide id through action=ModAction::Dismiss/>
            </div>
        </li>
    }
}

/// A message before or after the reported one, muted.
#[component]
fn ContextMessage(m: ModMessage) -> impl IntoView {
    view! {
        <li class="context-message" data-testid="context-message">
            <span class="ctx-author">{m.author.clone()}</span>
            <MessageText m test_id="context-text"/>
        </li>
    }
}

/// The full text (moderators see it even once deleted), or the sticker.
#[component]
fn MessageText(m: ModMessage, test_id: &'static str) -> impl IntoView {
    match m.kind {
        MessageKind::Sticker => view! {
            <span class="ctx-text" data-testid=test_id>
                <img class="sticker-small" src=sticker_url(&m.text) alt=format!("{} sticker", m.text) width="32" height="32"/>
            </span>
        }
        .into_any(),
        _ => view! { <span class="ctx-text" data-testid=test_id>{m.text}</span> }.into_any(),
    }
}

/// The reporters' reasons (anonymous), each as the report form named it.
#[component]
fn Reasons(reasons: Vec<String>) -> impl IntoView {
    view! {
        <ul class="report-reasons" aria-label="Reasons">
            {reasons
                .into_iter()
                .map(|r| view! {
                    <li class="report-reason" data-testid="report-reason" data-reason=reason_kind(&r).to_owned()>
                        {reason_label(&r)}
                    </li>
                })
                .collect_view()}
        </ul>
    }
}

/// Remove or Dismiss: a form posting `message_id`, `through` (the newest
/// report this item covers: one filed after it was read stays open) and
/// `action`.
#[component]
fn DecideForm(
    decide: ServerAction<DecideReport>,
    id: i64,
    through: i64,
    action: ModAction,
) -> impl IntoView {
    let (label, class) = match action {
        ModAction::Remove => ("Remove", "button button-danger"),
        ModAction::Dismiss => ("Dismiss", "button-secondary"),
    };
    view! {
        <ActionForm action=decide attr:class="decide-form">
            <input type="hidden" name="message_id" value=id.to_string()/>
            <input type="hidden" name="through" value=through.to_string()/>
            <input type="hidden" name="action" value=action.as_str()/>
            <button type="submit" class=class disabled=move || decide.pending().get()>{label}</button>
        </ActionForm>
    }
}

/// `/moderation/resolved`: the decisions taken, newest first.
#[component]
pub fn ResolvedPane(decisions: Resource<Result<Vec<Decision>, AppError>>) -> impl IntoView {
    view! {
        <section class="side-pane mod-pane" aria-labelledby="resolved-heading">
            <header class="pane-header">
                <A href="/chat" attr:class="back-link" attr:aria-label="Back to chats">"‹"</A>
                <h2 id="resolved-heading" class="pane-title">"Resolved"</h2>
                <A href="/moderation" attr:class="pane-header-link" attr:data-testid="queue-link">
                    "Back to the queue"
                </A>
            </header>
            <div class="pane-body">
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match decisions.await {
                            Ok(list) if list.is_empty() => {
                                view! { <p class="pane-empty muted">"No decisions yet."</p> }.into_any()
                            }
                            Ok(list) => view! {
                                <ol class="decisions">
                                    {list.into_iter().map(|d| view! { <DecisionRow d/> }).collect_view()}
                                </ol>
                            }
                            .into_any(),
                            Err(e) => view! { <p class="page-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </section>
    }
}

#[component]
fn DecisionRow(d: Decision) -> impl IntoView {
    let removed = d.action == ModAction::Remove;
    let id = d.message.id;
    view! {
        <li class="decision" data-testid="decision" data-message-id=id.to_string()>
            <p class="decision-head">
                <span class="decision-action" class:removed=removed data-testid="decision-action">
                    {decision_label(d.action)}
                </span>
                " by "
                <span class="user-name" data-testid="decision-moderator">{d.moderator}</span>
                " · "
                <time class="muted">{d.decided_at}</time>
            </p>
            <p class="decision-message">
                <span class="ctx-author">{d.message.author.clone()}</span>
                " "
                <span class="muted">{place_label(d.thread_kind, &d.thread_name)}</span>
            </p>
            <p class="decision-text">
                <MessageText m=d.message test_id="decision-text"/>
            </p>
            <p class="muted decision-reports">
                {report_count_label(d.reports)}
                {(!d.reasons.is_empty()).then(|| {
                    let reasons: Vec<String> = d.reasons.iter().map(|r| reason_label(r)).collect();
                    format!(": {}", reasons.join("; "))
                })}
            </p>
        </li>
    }
}
