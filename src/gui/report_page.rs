//! The Report page: a preview of the report built from the plan, the advice, the costs and the
//! last checks, and export buttons with a native save dialog.

use super::Command;
use super::app::MailplanApp;
use super::background::ReportFormat;
use super::engine::{Derived, plan_with_synced_seats};
use super::widgets;
use crate::findings::Verdict;
use crate::plan::Plan;
use crate::reports::{self, Format, ReportDoc, ReportInputs, ReportStamp, model};
use egui::{RichText, Ui};
use std::path::{Path, PathBuf};

/// Runtime state of the Report page.
#[derive(Debug, Default)]
pub struct ReportPage {
    /// The export under way.
    pub exporting: Option<ReportFormat>,
    /// Where the last export went, or why it failed.
    pub last_export: Option<(PathBuf, Result<(), String>)>,
    /// The preview and what it was built from.
    preview: Option<(PreviewKey, ReportDoc)>,
}

#[derive(Debug, Clone, PartialEq)]
struct PreviewKey {
    plan: Plan,
    checks: Option<(u64, usize)>,
    parts: reports::ReportParts,
    pop_imap: super::state::PopImapInputs,
}

impl ReportPage {
    pub fn exported(&mut self, path: PathBuf, outcome: Result<(), String>) {
        self.exporting = None;
        self.last_export = Some((path, outcome));
    }
}

fn format_of(f: ReportFormat) -> Format {
    match f {
        ReportFormat::Pdf => Format::Pdf,
        ReportFormat::Html => Format::Html,
        ReportFormat::Markdown => Format::Markdown,
        ReportFormat::Json => Format::Json,
        ReportFormat::Csv => Format::Csv,
    }
}

/// What a report is made from, copied off the UI thread's state.
pub type ReportInput = ReportInputs;

/// Builds the report inputs from the app's plan (through the same adapter as `mailplan report`),
/// the POP3 vs IMAP answer, and the last check run or diagnosis.
pub fn gather(app: &MailplanApp, derived: &Derived) -> ReportInputs {
    let _ = derived;
    let plan = plan_with_synced_seats(&app.state.plan);
    let today = chrono::Local::now().date_naive();
    let mut inputs = reports::adapt::planning_inputs(
        &plan,
        &app.engine.scenario_list(),
        &app.engine.catalogue,
        today,
    );
    let parts = app.state.report_parts;
    if parts.plan && !plan.name.trim().is_empty() {
        inputs.title = Some(plan.name.clone());
    }
    let p = &app.state.pop_imap;
    let (choice, reasons) = crate::advisor::pop_or_imap(p.home, p.devices, p.offline, p.storage);
    if let Some(r) = inputs.recommendation.as_mut() {
        r.pop_or_imap = Some(format!(
            "{}: {}",
            choice.label(),
            reasons.first().cloned().unwrap_or_default()
        ));
    }
    if let Some(run) = app.checks.run.as_ref() {
        let opts = app.checks.options(&app.state.checks).unwrap_or_default();
        match &run.diagnosis {
            Some(d) => {
                inputs.diagnoses.push(reports::adapt::diagnosis_report(d));
                let (settings, password) = reports::CheckSettings::from_options(&opts);
                inputs.check_settings = Some(settings);
                inputs.redact.extend(password);
            }
            None => {
                let results: Vec<_> = run.results().cloned().collect();
                if !results.is_empty() {
                    inputs = inputs.with_checks(&opts, results);
                }
            }
        }
    }
    parts.apply(&mut inputs);
    inputs
}

/// Writes the report in `format` to `path` (replacing a file the save dialog confirmed).
pub fn export(input: &ReportInputs, format: ReportFormat, path: &Path) -> Result<(), String> {
    reports::export(
        input,
        format_of(format),
        path,
        true,
        reports::RenderOptions::default(),
    )
    .map_err(|e| e.to_string())
}

/// Draws the page.
pub fn ui(ui: &mut Ui, app: &mut MailplanApp, derived: &Derived) {
    let mut commands = Vec::new();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Export as").strong());
        for f in ReportFormat::ALL {
            if ui
                .add_enabled(
                    app.report.exporting.is_none(),
                    egui::Button::new(format!("💾 {}", f.label())),
                )
                .on_hover_text(format!("Save the report as a {} file", f.label()))
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
            ui.colored_label(
                widgets::verdict_color(ui, Verdict::Ok),
                format!("✔ Saved {}", p.display()),
            );
        }
        Some((p, Err(e))) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("✖ Could not export {}: {e}", p.display()),
            );
        }
        None => {}
    }
    ui.horizontal_wrapped(|ui| {
        let parts = &mut app.state.report_parts;
        ui.label(RichText::new("Include").strong());
        ui.checkbox(&mut parts.plan, "Plan and recommendation");
        ui.checkbox(&mut parts.scenarios, "Scenario details");
        ui.checkbox(&mut parts.costs, "Costs");
        ui.checkbox(&mut parts.checks, "Checks")
            .on_hover_text("The results of the last checks or diagnosis on the Checks page");
    });
    if app.state.report_parts.is_empty() {
        ui.colored_label(
            widgets::verdict_color(ui, Verdict::Warn),
            "Nothing is included: tick at least one part.",
        );
    }
    ui.weak("The report holds the parts ticked above; checks come from the last run on the Checks page. Passwords never appear in it.");
    ui.separator();

    let key = PreviewKey {
        plan: app.state.plan.clone(),
        checks: app
            .checks
            .run
            .as_ref()
            .filter(|r| !r.running)
            .map(|r| (r.id, r.results().count())),
        parts: app.state.report_parts,
        pop_imap: app.state.pop_imap.clone(),
    };
    if app.report.preview.as_ref().is_none_or(|(k, _)| *k != key) {
        let doc = reports::build_report(&gather(app, derived), ReportStamp::now());
        app.report.preview = Some((key, doc));
    }
    if let Some((_, doc)) = &app.report.preview {
        preview_ui(ui, doc);
    }
    for c in commands {
        app.push(c);
    }
}

fn tone_color(ui: &Ui, tone: model::Tone) -> egui::Color32 {
    match tone {
        model::Tone::Ok => widgets::verdict_color(ui, Verdict::Ok),
        model::Tone::Info => ui.visuals().text_color(),
        model::Tone::Warn => widgets::verdict_color(ui, Verdict::Warn),
        model::Tone::Fail => widgets::verdict_color(ui, Verdict::Fail),
    }
}

fn preview_ui(ui: &mut Ui, doc: &ReportDoc) {
    widgets::card_frame(ui, None).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(&doc.title).size(22.0).strong());
        if let Some(s) = &doc.subtitle {
            ui.label(s);
        }
        ui.weak(format!("Made {}", doc.stamp.display()));
        for (si, section) in doc.sections.iter().enumerate() {
            ui.add_space(6.0);
            let size = if section.level <= 1 { 18.0 } else { 15.5 };
            ui.label(RichText::new(&section.heading).size(size).strong());
            for (bi, block) in section.blocks.iter().enumerate() {
                ui.push_id((si, bi), |ui| block_ui(ui, block));
            }
        }
    });
}

fn block_ui(ui: &mut Ui, block: &model::Block) {
    use model::Block;
    match block {
        Block::Paragraph { text } => {
            ui.label(text);
        }
        Block::Subheading { text } => {
            ui.label(RichText::new(text).strong());
        }
        Block::KeyValues { items } => {
            egui::Grid::new("kv")
                .num_columns(2)
                .spacing([12.0, 3.0])
                .show(ui, |ui| {
                    for (k, v) in items {
                        ui.label(RichText::new(k).strong());
                        ui.label(v);
                        ui.end_row();
                    }
                });
        }
        Block::List { ordered, items } => {
            for (i, item) in items.iter().enumerate() {
                let mark = match (item.checked, ordered) {
                    (Some(true), _) => "☑".to_owned(),
                    (Some(false), _) => "☐".to_owned(),
                    (None, true) => format!("{}.", i + 1),
                    (None, false) => "•".to_owned(),
                };
                ui.label(format!("{mark} {}", item.text));
            }
        }
        Block::Table(t) => {
            if let Some(c) = &t.caption {
                ui.weak(c);
            }
            egui::ScrollArea::horizontal().show(ui, |ui| {
                egui::Grid::new("table")
                    .striped(true)
                    .num_columns(t.columns.len())
                    .spacing([12.0, 3.0])
                    .show(ui, |ui| {
                        for c in &t.columns {
                            ui.label(RichText::new(&c.title).strong());
                        }
                        ui.end_row();
                        for row in &t.rows {
                            for cell in row {
                                ui.label(cell);
                            }
                            ui.end_row();
                        }
                    });
            });
        }
        Block::Callout { tone, title, text } => {
            let color = tone_color(ui, *tone);
            widgets::card_frame(ui, Some(color)).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.colored_label(color, RichText::new(title).strong());
                ui.label(text);
            });
        }
        Block::Finding(f) => {
            let color = tone_color(ui, f.tone);
            ui.colored_label(
                color,
                RichText::new(format!("{} — {}", f.tone.label(), f.title)).strong(),
            );
            if let Some(s) = &f.server_text {
                let label = crate::findings::evidence_label(&f.code);
                ui.label(RichText::new(format!("{label}: {s}")).monospace());
            }
            ui.label(format!("Why: {}", f.explanation));
            ui.label(format!("Fix: {}", f.fix));
        }
        Block::Code { caption, lines } => {
            egui::CollapsingHeader::new(caption.clone().unwrap_or_else(|| "Transcript".into()))
                .show(ui, |ui| {
                    for l in lines {
                        ui.label(RichText::new(format!("{} {}", l.prefix, l.text)).monospace());
                    }
                });
        }
        Block::Chart(_) => {
            ui.weak("(chart: shown in the PDF and HTML exports; see the Costs page for the live charts)");
        }
    }
}
