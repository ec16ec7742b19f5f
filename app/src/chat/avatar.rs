use leptos::prelude::*;

use crate::domain::{avatar_hue_class, avatar_initial, safe_image_url};

/// A round avatar: the user's picture, or their initial on a colour that
/// is always the same for their name (F2). A picture URL that is not
/// `https://` or of this site (see [`safe_image_url`]) is not loaded: the
/// initial shows instead.
#[component]
pub fn Avatar(
    #[prop(into)] name: String,
    url: Option<String>,
    #[prop(default = "md")] size: &'static str,
) -> impl IntoView {
    let class = format!("avatar avatar-{size}");
    match url.as_deref().and_then(safe_image_url) {
        Some(src) => {
            view! { <img class=class src=src.to_owned() alt="" aria-hidden="true"/> }.into_any()
        }
        None => {
            let class = format!("{class} {}", avatar_hue_class(&name));
            view! {
                <span class=class aria-hidden="true">
                    {avatar_initial(&name)}
                </span>
            }
            .into_any()
        }
    }
}

/// Several faces stacked: the avatar of a group.
#[component]
pub fn GroupAvatar(#[prop(default = "md")] size: &'static str) -> impl IntoView {
    let class = format!("avatar avatar-{size} avatar-group");
    view! { <span class=class aria-hidden="true">"👥"</span> }
}

/// The mark beside a bot's name (Otter), wherever names show.
#[component]
pub fn BotBadge() -> impl IntoView {
    view! { <span class="bot-badge" title="A bot, not a person" data-testid="bot-badge">"bot"</span> }
}
