//! The one error type of the app.
//!
//! "The user did something wrong" (`Invalid`, `Unauthorized`, `NotFound`,
//! `Conflict`, `RateLimited`) is shown verbatim; "we broke" (`Internal`) is
//! logged with its context on the server and shown as a generic sentence.
//! It crosses the wire as JSON, so the UI can put a message next to the field
//! it concerns.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Input that does not parse; `field` names the form field, if any.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    #[error("Please log in to continue.")]
    Unauthorized,
    /// Also what a non-member gets for a thread that exists: the two are
    /// indistinguishable on purpose.
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Please wait a minute and try again.")]
    RateLimited,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Transport trouble (offline, bad response) reported by server_fn.
    #[error("Could not reach Parley: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// The message for `field`, if this error is about that field.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid {
                field: Some(f),
                message,
            } if f == name => Some(message.clone()),
            _ => None,
        }
    }

    /// The message when it is not about a single field.
    pub fn general(&self) -> Option<String> {
        match self {
            AppError::Invalid { field: Some(_), .. } => None,
            other => Some(other.to_string()),
        }
    }

    /// HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 400,
            AppError::Unauthorized => 401,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A request that did not deserialize is bad input, not our fault.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => AppError::Invalid {
                field: None,
                message: format!("Malformed request: {m}"),
            },
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
