//! mailplan: plan how an organisation's mail should run, and diagnose mail connectivity.
//!
//! The engine modules are pure and shared by the GUI ([`gui`]) and the CLI ([`cli`]).

pub mod advisor;
pub mod checks;
pub mod cli;
pub mod costs;
pub mod diagnose;
pub mod dns;
pub mod files;
pub mod findings;
#[cfg(feature = "gui")]
pub mod gui;
pub mod plan;
pub mod reports;
pub mod sanitize;
pub mod scenarios;
pub mod secret;
