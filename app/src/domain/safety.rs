//! The sentences of blocking and reporting (F21), in one place so the
//! server that refuses and the tests that check the refusal agree.

/// What a blocked person is told when a direct message to the person who
/// blocked them is refused. Neutral on purpose: it is what any direct
/// message that cannot be delivered says, and it does not say why.
pub const UNDELIVERABLE: &str = "This message could not be delivered.";

/// What a blocked person is told when they try to start a direct chat with
/// the person who blocked them (as neutral as [`UNDELIVERABLE`]).
pub const NO_DIRECT_CHAT: &str = "You cannot start a direct chat with this person.";

/// What a blocker is told when they write to someone they block.
pub fn you_block(name: &str) -> String {
    format!("You blocked {name}. Unblock them to send a message.")
}

/// The answer to a report that was filed.
pub const REPORT_FILED: &str = "Thanks — a moderator will review it.";
/// The answer to reporting the same message again (nothing changed).
pub const ALREADY_REPORTED: &str = "You already reported this message.";
/// A moderator's decision that lost a race to another moderator's.
pub const ALREADY_HANDLED: &str = "Another moderator already handled this report.";
