//! The one error type of the app.
//!
//! "The user did something wrong" (`Invalid`, `Unauthorized`, `NotFound`,
//! `BadRequest`, `RateLimited`) is shown verbatim; "we broke" (`Internal`) is
//! logged with its context on the server and shown as a generic sentence.
//! It crosses the wire as JSON, so the UI can put a message next to the field
//! it concerns.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// One form field's problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Form fields that do not parse: every one of them, so the form can
    /// show each message by its field at once.
    #[error("{}", .0.first().map_or("Please check the form.", |f| f.message.as_str()))]
    Invalid(Vec<FieldError>),
    /// A request that is wrong as a whole (not one field's fault).
    #[error("{0}")]
    BadRequest(String),
    #[error("Please log in to continue.")]
    Unauthorized,
    /// Also what a non-member gets for a thread that exists: the two are
    /// indistinguishable on purpose.
    #[error("Not found.")]
    NotFound,
    #[error("Too many attempts. Please wait a minute and try again.")]
    RateLimited,
    /// Someone else changed the thing first (two moderators deciding the
    /// same report): nothing was changed by this request.
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The database cannot be reached right now (stopped, restarting,
    /// overloaded): nothing was changed, and the same request can be sent
    /// again (sends are idempotent by client id).
    #[error("Parley cannot reach its database right now; nothing was changed. Please try again in a moment.")]
    Unavailable,
    /// Transport trouble (offline, bad response) reported by server_fn.
    #[error("Could not reach Parley: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// Both values, or every field error of the two (any other error wins
    /// as it is): lets a form report all of its bad fields in one answer.
    pub fn both<A, B>(a: Result<A, Self>, b: Result<B, Self>) -> Result<(A, B), Self> {
        match (a, b) {
            (Ok(a), Ok(b)) => Ok((a, b)),
            (Err(AppError::Invalid(mut x)), Err(AppError::Invalid(y))) => {
                x.extend(y);
                Err(AppError::Invalid(x))
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }

    /// The message for `field`, if this error is about that field.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid(fields) => fields
                .iter()
                .find(|f| f.field == name)
                .map(|f| f.message.clone()),
            _ => None,
        }
    }

    /// The message when it is not about particular fields.
    pub fn general(&self) -> Option<String> {
        match self {
            AppError::Invalid(_) => None,
            other => Some(other.to_string()),
        }
    }

    /// HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::BadRequest(_) => 400,
            AppError::Unauthorized => 401,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited => 429,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Unavailable => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A request that did not deserialize is bad input, not our fault.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                AppError::BadRequest(format!("Malformed request: {m}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_stay_with_their_field() {
        let e = AppError::invalid("username", "Taken.");
        assert_eq!(e.for_field("username").as_deref(), Some("Taken."));
        assert_eq!(e.for_field("password"), None);
        assert_eq!(e.general(), None);
        assert_eq!(e.status(), 400);
    }

    #[test]
    fn both_collects_every_field_error() {
        let a: Result<(), AppError> = Err(AppError::invalid("username", "Bad name."));
        let b: Result<(), AppError> = Err(AppError::invalid("password", "Too short."));
        let e = AppError::both(a, b).err();
        let e = e.as_ref();
        assert_eq!(
            e.and_then(|e| e.for_field("username")).as_deref(),
            Some("Bad name.")
        );
        assert_eq!(
            e.and_then(|e| e.for_field("password")).as_deref(),
            Some("Too short.")
        );
        assert_eq!(AppError::both(Ok(1), Ok(2)), Ok((1, 2)));
        let one: Result<((), ()), AppError> =
            AppError::both(Ok(()), Err(AppError::invalid("password", "Too short.")));
        assert_eq!(one, Err(AppError::invalid("password", "Too short.")));
    }

    #[test]
    fn internal_errors_are_generic() {
        assert_eq!(
            AppError::Internal.general().as_deref(),
            Some("Something went wrong on our side. Please try again.")
        );
        assert_eq!(AppError::NotFound.status(), 404);
    }

    #[test]
    fn round_trips_through_the_wire_format() {
        let e = AppError::invalid("password", "Too short.");
        assert_eq!(AppError::de(e.ser()), e);
    }
}
