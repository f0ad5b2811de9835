//! Command-line tests: the real `mailplan` binary run as a user would run it.
//! One test binary per area keeps the build small: each module below was its own binary once.
//! Run one module with `cargo test --test cli MODULE::`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../dns_support/mod.rs"]
mod dns_support;

mod checks_cli;
mod costs_cli;
mod dns_cli;
mod reports_cli;
mod scenarios_cli;
