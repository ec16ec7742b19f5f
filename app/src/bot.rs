//! Otter, the bot: what it answers, with no I/O. The server's worker reads
//! new messages, asks [`question`] whether one is addressed to Otter, and
//! writes [`answer`]'s text back through the store like any participant.
//!
//! # Layout
//! - [`question`]: the "Hey Otter," prefix.
//! - `answer`: which kind of question it is, and the help line.
//! - `arithmetic`: the phrasing around a sum, and its sentences;
//!   `expression` checks a sum before the parser sees it (`powers`: the
//!   ambiguous ones), `evaluate` runs it on exmex, `number` writes the
//!   result.
//! - `clock`: the date and time in the asker's zone.
//!
//! Every answer is one short line (at most [`MAX_ANSWER`] characters),
//! whatever the question: no panic, no hang, no huge string.

mod answer;
mod arithmetic;
mod clock;
mod evaluate;
mod expression;
mod number;
mod powers;
mod question;

pub use answer::{answer, HELP, MAX_ANSWER};
pub use question::question;
