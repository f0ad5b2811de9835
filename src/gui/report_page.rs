//! The Report page: a preview of the report and export buttons with a save dialog.

use super::Command;
use super::app::MailplanApp;
use super::background::ReportFormat;
use crate::checks::CheckResult;
use crate::plan::Plan;
use egui::{RichText, Ui};
use std::path::{Path, PathBuf};

/// Runtime state of the Report page.
#[derive(Debug, Default)]
pub struct ReportPage {
    /// The export under way.
    pub exporting: Option<ReportFormat>,
    /// Where the last export went, or why it failed.
    pub last_export: Option<(PathBuf, Result<(), String>)>,
}

impl ReportPage {
    pub fn exported(&mut self, path: PathBuf, outcome: Result<(), String>) {
        self.exporting = None;
        self.last_export = Some((path, outcome));
    }
}

/// What a report is made from, copied off the UI thread's state.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub plan: Plan,
    pub checks: Vec<CheckResult>,
}

/// Builds the report input from the app's plan and last check run.
pub fn gather(app: &MailplanApp, derived: &super::engine::Derived) -> ReportInput {
    let _ = derived;
    ReportInput {
        plan: app.state.plan.clone(),
        checks: app
            .checks
            .run
            .as_ref()
            .map(|r| r.results().cloned().collect())
            .unwrap_or_default(),
    }
}

/// Writes the report in `format` to `path`.
pub fn export(input: &ReportInput, format: ReportFormat, path: &Path) -> Result<(), String> {
    let _ = (input, format, path);
    Err("report export is not available in this build yet".into())
}

/// Draws the page.
pub fn ui(ui: &mut Ui, app: &mut MailplanApp, derived: &super::engine::Derived) {
    let _ = derived;
    let mut commands = Vec::new();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Export:").strong());
        for f in ReportFormat::ALL {
            if ui
                .add_enabled(app.report.exporting.is_none(), egui::Button::new(f.label()))
                .clicked()
            {
                commands.push(Command::ExportReport(f));
            }
        }
        if app.report.exporting.is_some() {
            ui.spinner();
        }
    });
    match &app.report.last_export {
        Some((p, Ok(()))) => {
            ui.label(format!("✔ Saved {}", p.display()));
        }
        Some((p, Err(e))) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("✖ Could not export {}: {e}", p.display()),
            );
        }
        None => {}
    }
    ui.separator();
    ui.label("The preview appears when the report writer is available.");
    for c in commands {
        app.push(c);
    }
}
