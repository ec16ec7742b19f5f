//! The data-access layer: every SQL statement of Parley lives below here,
//! one module per table family, named by what it does.

pub mod users;
