//! Engine tests: checks against in-process fake and hostile servers, DNS against a fake resolver, costs, scenarios, plans, reports and files.
//! One test binary per area keeps the build small: each module below was its own binary once.
//! Run one module with `cargo test --test engine MODULE::`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../dns_support/mod.rs"]
mod dns_support;

mod advisor_ranking;
mod checks_dns_dead;
mod checks_fake;
mod costs_books;
mod costs_csv;
mod costs_model;
mod diagnose_discovery;
mod dns_mx;
mod dns_srv;
mod files_corrupt;
mod fuzz_regressions;
mod hostile_reports;
mod hostile_servers;
mod hostile_tls;
mod injection_inputs;
mod plan_file;
mod reports_formats;
mod reports_secrets;
mod scenarios_files;
mod secrets_login;
