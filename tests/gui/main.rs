//! GUI tests with egui_kittest: the app's pages driven by clicks and keys.
//! One test binary per area keeps the build small: each module below was its own binary once.
//! Run one module with `cargo test --test gui MODULE::`.

#[path = "../dns_support/mod.rs"]
mod dns_support;
mod gui_app;
mod gui_report;
