//! The desktop app. It holds state and draws it; all work happens in the engine modules, called on
//! a background runtime so the window never waits.
//!
//! Layout: [`app`] has the window, navigation, plan files and the command queue; each page has its
//! own module; [`background`] owns the tokio runtime and the event channel; [`state`] is what is
//! remembered between runs.

pub mod app;
pub mod background;
pub mod checks_page;
pub mod costs_page;
pub mod engine;
pub mod flow_diagram;
pub mod org_page;
pub mod report_page;
pub mod scenarios_page;
pub mod state;
pub mod widgets;

pub use app::{Command, MailplanApp, Notice};
pub use state::{Page, State};

/// Opens the main window and runs until it is closed.
pub fn run() -> eframe::Result {
    // Read the saved state before eframe does: a corrupt file is moved aside and reported.
    let saved = state::saved_state_path();
    let notice = saved
        .as_deref()
        .map(state::check_saved_state)
        .and_then(|c| c.notice());
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("mailplan")
            .with_app_id(state::APP_ID)
            .with_inner_size([1180.0, 780.0])
            .with_min_inner_size([1024.0, 700.0]),
        persistence_path: saved,
        ..Default::default()
    };
    eframe::run_native(
        state::APP_ID,
        options,
        Box::new(move |cc| Ok(Box::new(MailplanApp::new(cc, notice)?))),
    )
}
