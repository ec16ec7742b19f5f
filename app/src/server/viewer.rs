//! Who is asking, and how they want times shown.

use chrono_tz::Tz;

use super::{session, views::Viewer};
use crate::domain::when::parse_tz;
use crate::error::AppError;

/// The cookie where the browser keeps its IANA time zone ("Europe/Berlin").
pub const TZ_COOKIE: &str = "tz";

/// Who is asking (or `Unauthorized`), in which zone, as of now.
pub async fn current() -> Result<Viewer, AppError> {
    current_at(None).await
}

/// How far a viewer's clock may be from ours and still be believed: a
/// day and a half either way (the widest gap between two zones' dates).
const CLOCK_TRUSTED_WITHIN_MS: i64 = 36 * 3_600_000;

/// Like [`current`], as of the viewer's own clock (`at`, Unix ms) when they
/// send it and it is within a day and a half of ours: relative labels
/// ("Today", list stamps, days on the site) follow the viewer's clock, so
/// a page that re-labels at the viewer's midnight gets the new day even if
/// our clock is a little behind. It changes only what this viewer is
/// shown; anything stored uses our clock.
pub async fn current_at(at: Option<i64>) -> Result<Viewer, AppError> {
    Ok(Viewer {
        id: require_user().await?,
        tz: time_zone().await,
        now: viewer_now(chrono::Utc::now(), at),
    })
}

/// `at` if it is a believable clock reading next to `ours`, else `ours`.
pub fn viewer_now(
    ours: chrono::DateTime<chrono::Utc>,
    at: Option<i64>,
) -> chrono::DateTime<chrono::Utc> {
    // Saturating: `at` is anything a client sent, i64::MIN included.
    at.filter(|ms| {
        ms.saturating_sub(ours.timestamp_millis()).saturating_abs() <= CLOCK_TRUSTED_WITHIN_MS
    })
    .and_then(chrono::DateTime::from_timestamp_millis)
    .unwrap_or(ours)
}

/// The logged-in user's id, or `Unauthorized`.
pub async fn require_user() -> Result<i64, AppError> {
    session::user_id().await?.ok_or(AppError::Unauthorized)
}

/// The viewer's time zone from the `tz` cookie; UTC until the browser has
/// set it (the page then corrects itself after hydration).
pub async fn time_zone() -> Tz {
    match leptos_axum::extract::<axum::http::HeaderMap>().await {
        Ok(headers) => time_zone_in(&headers),
        Err(_) => Tz::UTC,
    }
}

/// The zone of the `tz` cookie in these request headers (UTC without one).
pub fn time_zone_in(headers: &axum::http::HeaderMap) -> Tz {
    let cookie = headers
        .get(axum::http::header::COOKIE)
        .and_then(|v| v.to_str().ok());
    parse_tz(cookie.and_then(|c| cookie_value(c, TZ_COOKIE)).as_deref())
}

/// One cookie's value from a `Cookie:` header (percent-decoded, since the
/// browser writes "Europe%2FBerlin"-safe values).
pub fn cookie_value(header: &str, name: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then(|| v.replace("%2F", "/").replace("%2f", "/"))
    })
}

/// After a plain HTML form post (JavaScript off), send the browser back to
/// `path`; a hydrated page calls server functions with `fetch` and gets the
/// value instead, so no redirect is set for it.
pub async fn redirect_form_post(path: &str) {
    let headers = leptos_axum::extract::<axum::http::HeaderMap>().await.ok();
    let wants_html = headers
        .as_ref()
        .and_then(|h| h.get(axum::http::header::ACCEPT))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html {
        leptos_axum::redirect(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_viewers_clock_is_believed_within_a_day_and_a_half() {
        let ours = chrono::DateTime::from_timestamp_millis(1_800_000_000_000).unwrap_or_default();
        let ms = ours.timestamp_millis();
        assert_eq!(viewer_now(ours, None), ours);
        let ahead = ms + 5 * 60_000;
        assert_eq!(viewer_now(ours, Some(ahead)).timestamp_millis(), ahead);
        let behind = ms - 30 * 3_600_000;
        assert_eq!(viewer_now(ours, Some(behind)).timestamp_millis(), behind);
        assert_eq!(viewer_now(ours, Some(ms + 40 * 3_600_000)), ours);
        assert_eq!(viewer_now(ours, Some(i64::MAX)), ours);
        assert_eq!(viewer_now(ours, Some(i64::MIN)), ours);
    }

    #[test]
    fn reads_one_cookie() {
        let h = "id=abc; tz=America%2FNew_York; other=1";
        assert_eq!(cookie_value(h, "tz").as_deref(), Some("America/New_York"));
        assert_eq!(cookie_value("tz=UTC", "tz").as_deref(), Some("UTC"));
        assert_eq!(cookie_value("xtz=1", "tz"), None);
        assert_eq!(cookie_value("", "tz"), None);
    }
}
