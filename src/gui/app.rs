//! The window: navigation, plan files, notices, the close guard, and the command queue.
//!
//! Pages never act directly: they push [`Command`]s while drawing, and [`MailplanApp::apply`] carries
//! them out after the frame is drawn. Slow work goes to the background runtime.

use super::background::{self, Background, Event, FilePurpose, ReportFormat};
use super::checks_page::ChecksPage;
use super::state::{Page, State, ThemeChoice};
use super::{costs_page, engine, org_page, report_page, scenarios_page, widgets};
use crate::plan::Plan;
use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};
use std::path::PathBuf;

/// Something the user asked for, carried out after drawing.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Navigate(Page),
    SetTheme(ThemeChoice),
    NewPlan,
    /// Show the open dialog.
    OpenPlan,
    OpenPlanPath(PathBuf),
    SavePlan,
    /// Show the save dialog.
    SavePlanAs,
    SavePlanTo {
        path: PathBuf,
        then_close: bool,
    },
    ChooseFile(FilePurpose),
    RunManualChecks,
    Diagnose,
    CancelChecks,
    CopyText(String),
    /// Show the save dialog for a report.
    ExportReport(ReportFormat),
    ExportReportTo {
        format: ReportFormat,
        path: PathBuf,
    },
    LoadExample,
    /// Open a scenario's details on the Scenarios page.
    ShowScenario(String),
    DismissNotice(usize),
    /// Answer to "save changes before closing?".
    CloseAnswer(CloseAnswer),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAnswer {
    Save,
    Discard,
    KeepOpen,
}

/// A message shown at the top of the page until dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
}

/// The application.
pub struct MailplanApp {
    /// What is remembered between runs.
    pub state: State,
    pub checks: ChecksPage,
    pub report: report_page::ReportPage,
    org_fields: org_page::OrgFields,
    pub notices: Vec<Notice>,
    /// Scenario and price data, loaded once at start.
    pub engine: engine::EngineData,
    ctx: egui::Context,
    background: Background,
    commands: Vec<Command>,
    /// The "unsaved changes" question is open.
    close_dialog: bool,
    /// The user agreed to close; let the next close request through.
    close_allowed: bool,
    /// A plan file operation is under way.
    file_busy: bool,
}

const NAV_SHORTCUTS: [Key; 5] = [Key::Num1, Key::Num2, Key::Num3, Key::Num4, Key::Num5];

impl MailplanApp {
    /// Creates the app from eframe's start-up context, restoring saved state when there is one.
    /// `notice` is the start-up check's message about a corrupt saved state.
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        notice: Option<String>,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let state = cc
            .storage
            .and_then(|s| eframe::get_value::<State>(s, eframe::APP_KEY))
            .unwrap_or_default();
        Ok(Self::with_state(&cc.egui_ctx, state, notice)?)
    }

    /// Creates the app with a given state (used by `new` and by tests).
    pub fn with_state(
        ctx: &egui::Context,
        state: State,
        notice: Option<String>,
    ) -> std::io::Result<Self> {
        setup_style(ctx);
        ctx.set_theme(state.theme.preference());
        let background = Background::new(ctx.clone())?;
        let engine = engine::EngineData::load();
        let mut notices: Vec<Notice> = notice
            .into_iter()
            .map(|text| Notice {
                text,
                is_error: true,
            })
            .collect();
        notices.extend(engine.load_errors.iter().map(|e| Notice {
            text: e.clone(),
            is_error: true,
        }));
        Ok(MailplanApp {
            state,
            checks: ChecksPage::default(),
            report: report_page::ReportPage::default(),
            org_fields: org_page::OrgFields::default(),
            notices,
            engine,
            ctx: ctx.clone(),
            background,
            commands: Vec::new(),
            close_dialog: false,
            close_allowed: false,
            file_busy: false,
        })
    }

    /// Queues a command, as a click would.
    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Whether the "save changes?" question is showing.
    pub fn close_dialog_open(&self) -> bool {
        self.close_dialog
    }

    fn notify(&mut self, text: impl Into<String>, is_error: bool) {
        let text = text.into();
        if !self.notices.iter().any(|n| n.text == text) {
            self.notices.push(Notice { text, is_error });
        }
    }

    fn drain_events(&mut self) {
        while let Some(event) = self.background.try_recv() {
            let mut slot = Some(event);
            if self.checks.handle(&mut slot) {
                continue;
            }
            let Some(event) = slot else { continue };
            self.handle_event(event);
        }
    }

    fn handle_event(&mut self, event: Event) {
        match event {
            Event::FileChosen { path: None, .. } => {}
            Event::FileChosen {
                purpose,
                path: Some(path),
            } => match purpose {
                FilePurpose::OpenPlan => self.push(Command::OpenPlanPath(path)),
                FilePurpose::SavePlanAs => self.push(Command::SavePlanTo {
                    path,
                    then_close: false,
                }),
                FilePurpose::SavePlanAsThenClose => self.push(Command::SavePlanTo {
                    path,
                    then_close: true,
                }),
                FilePurpose::CaFile => self.state.checks.ca_file = path.display().to_string(),
                FilePurpose::ExportReport(format) => {
                    self.push(Command::ExportReportTo { format, path })
                }
            },
            Event::PlanOpened { path, outcome } => {
                self.file_busy = false;
                match outcome {
                    Ok((plan, unknown_fields)) => {
                        if let Some(w) = unknown_fields {
                            self.notify(w, false);
                        }
                        self.org_fields = org_page::OrgFields::default();
                        self.state.plan = plan.clone();
                        self.state.saved_plan = plan;
                        self.state.remember_recent(&path);
                        self.state.plan_path = Some(path);
                    }
                    Err(e) => {
                        self.state.recent_files.retain(|p| p != &path);
                        self.notify(e, true);
                    }
                }
            }
            Event::PlanSaved {
                path,
                plan,
                outcome,
                then_close,
            } => {
                self.file_busy = false;
                match outcome {
                    Ok(()) => {
                        self.state.saved_plan = *plan;
                        self.state.remember_recent(&path);
                        self.state.plan_path = Some(path);
                        if then_close {
                            self.close_allowed = true;
                            self.ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                        }
                    }
                    Err(e) => self.notify(
                        format!("Could not save the plan to {}: {e}", path.display()),
                        true,
                    ),
                }
            }
            Event::ReportExported { path, outcome } => self.report.exported(path, outcome),
            // Check events for a run that has been replaced are dropped here.
            Event::CheckProgress { .. }
            | Event::CheckEnded { .. }
            | Event::ChecksDone { .. }
            | Event::DiagnoseProgress { .. }
            | Event::DiagnoseDone { .. } => {}
        }
    }

    /// Carries out the queued commands.
    fn apply(&mut self, ctx: &egui::Context) {
        let commands = std::mem::take(&mut self.commands);
        for command in commands {
            self.apply_one(ctx, command);
        }
    }

    fn apply_one(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Navigate(page) => self.state.page = page,
            Command::ShowScenario(id) => {
                self.state.selected_scenario = Some(id);
                self.state.page = Page::Scenarios;
            }
            Command::SetTheme(theme) => {
                self.state.theme = theme;
                ctx.set_theme(theme.preference());
            }
            Command::NewPlan => {
                self.org_fields = org_page::OrgFields::default();
                self.state.plan = Plan::default();
                self.state.saved_plan = Plan::default();
                self.state.plan_path = None;
            }
            Command::LoadExample => match engine::example_plan() {
                Ok(plan) => {
                    self.org_fields = org_page::OrgFields::default();
                    self.state.plan = plan;
                    self.state.plan_path = None;
                }
                Err(e) => self.notify(e, true),
            },
            Command::OpenPlan => {
                background::choose_file(&self.background, FilePurpose::OpenPlan, None)
            }
            Command::OpenPlanPath(path) => {
                self.file_busy = true;
                self.background.spawn(async move {
                    let p = path.clone();
                    let outcome = tokio::task::spawn_blocking(move || engine::load_plan(&p))
                        .await
                        .unwrap_or_else(|e| Err(format!("reading the plan stopped: {e}")));
                    Event::PlanOpened { path, outcome }
                });
            }
            Command::SavePlan => match self.state.plan_path.clone() {
                Some(path) => self.apply_one(
                    ctx,
                    Command::SavePlanTo {
                        path,
                        then_close: false,
                    },
                ),
                None => self.apply_one(ctx, Command::SavePlanAs),
            },
            Command::SavePlanAs => background::choose_file(
                &self.background,
                FilePurpose::SavePlanAs,
                Some(self.suggested_plan_name()),
            ),
            Command::SavePlanTo { path, then_close } => {
                self.file_busy = true;
                let plan = self.state.plan.clone();
                self.background.spawn(async move {
                    let (p, copy) = (path.clone(), plan.clone());
                    let outcome = tokio::task::spawn_blocking(move || engine::save_plan(&p, &copy))
                        .await
                        .unwrap_or_else(|e| Err(format!("writing stopped: {e}")));
                    Event::PlanSaved {
                        path,
                        plan: Box::new(plan),
                        outcome,
                        then_close,
                    }
                });
            }
            Command::ChooseFile(purpose) => {
                background::choose_file(&self.background, purpose, None)
            }
            Command::RunManualChecks => self
                .checks
                .start_manual(&self.state.checks, &self.background),
            Command::Diagnose => self
                .checks
                .start_diagnose(&self.state.checks, &self.background),
            Command::CancelChecks => self.checks.cancel(),
            Command::CopyText(text) => ctx.copy_text(text),
            Command::ExportReport(format) => {
                let name = format!("{}.{}", self.plan_file_stem(), format.extension());
                background::choose_file(
                    &self.background,
                    FilePurpose::ExportReport(format),
                    Some(name),
                );
            }
            Command::ExportReportTo { format, path } => {
                let derived = self.engine.derived(&self.state.plan).clone();
                let input = report_page::gather(self, &derived);
                self.report.exporting = Some(format);
                self.background.spawn(async move {
                    let p = path.clone();
                    let outcome = tokio::task::spawn_blocking(move || {
                        report_page::export(&input, format, &p)
                    })
                    .await
                    .unwrap_or_else(|e| Err(format!("the export stopped: {e}")));
                    Event::ReportExported { path, outcome }
                });
            }
            Command::DismissNotice(i) => {
                if i < self.notices.len() {
                    self.notices.remove(i);
                }
            }
            Command::CloseAnswer(answer) => {
                self.close_dialog = false;
                match answer {
                    CloseAnswer::KeepOpen => {}
                    CloseAnswer::Discard => {
                        self.close_allowed = true;
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                    CloseAnswer::Save => match self.state.plan_path.clone() {
                        Some(path) => self.apply_one(
                            ctx,
                            Command::SavePlanTo {
                                path,
                                then_close: true,
                            },
                        ),
                        None => background::choose_file(
                            &self.background,
                            FilePurpose::SavePlanAsThenClose,
                            Some(self.suggested_plan_name()),
                        ),
                    },
                }
            }
        }
    }

    fn plan_file_stem(&self) -> String {
        let name = self.state.plan.name.trim();
        let stem: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        if stem.trim_matches('-').is_empty() {
            "mail-plan".into()
        } else {
            stem
        }
    }

    fn suggested_plan_name(&self) -> String {
        format!("{}.ron", self.plan_file_stem())
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        ctx.input_mut(|i| {
            for (page, key) in Page::ALL.into_iter().zip(NAV_SHORTCUTS) {
                if i.consume_key(Modifiers::COMMAND, key) {
                    self.commands.push(Command::Navigate(page));
                }
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::S)) {
                self.commands.push(Command::SavePlan);
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::O)) {
                self.commands.push(Command::OpenPlan);
            }
        });
    }

    fn guard_close(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if self.state.plan_has_unsaved_changes() && !self.close_allowed {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.close_dialog = true;
        } else {
            self.checks.cancel();
            self.checks.password.wipe();
        }
    }

    fn top_bar(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("Plan", |ui| {
                if ui.button("New plan").clicked() {
                    self.commands.push(Command::NewPlan);
                }
                if ui.button("Open…  (Ctrl+O)").clicked() {
                    self.commands.push(Command::OpenPlan);
                }
                ui.menu_button("Open recent", |ui| {
                    if self.state.recent_files.is_empty() {
                        ui.weak("No recent plans");
                    }
                    for p in &self.state.recent_files {
                        if ui.button(p.display().to_string()).clicked() {
                            self.commands.push(Command::OpenPlanPath(p.clone()));
                        }
                    }
                });
                ui.separator();
                if ui.button("Save  (Ctrl+S)").clicked() {
                    self.commands.push(Command::SavePlan);
                }
                if ui.button("Save as…").clicked() {
                    self.commands.push(Command::SavePlanAs);
                }
                ui.separator();
                if ui.button("Load the example plan").clicked() {
                    self.commands.push(Command::LoadExample);
                }
            });
            ui.separator();
            let title = match (&self.state.plan_path, self.state.plan.name.trim()) {
                (_, n) if !n.is_empty() => n.to_owned(),
                (Some(p), _) => p
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                _ => "Untitled plan".into(),
            };
            ui.label(RichText::new(title).strong());
            if self.state.plan_has_unsaved_changes() {
                ui.weak("• unsaved changes");
            }
            if self.file_busy {
                ui.spinner();
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                for (theme, label, tip) in [
                    (ThemeChoice::Dark, "🌙", "Dark theme"),
                    (ThemeChoice::Light, "☀", "Light theme"),
                    (ThemeChoice::System, "💻", "Follow the system theme"),
                ] {
                    if ui
                        .selectable_label(self.state.theme == theme, label)
                        .on_hover_text(tip)
                        .clicked()
                    {
                        self.commands.push(Command::SetTheme(theme));
                    }
                }
                ui.weak("Theme:");
            });
        });
    }

    fn navigation(&mut self, ui: &mut Ui) {
        ui.add_space(8.0);
        ui.label(RichText::new("mailplan").size(22.0).strong());
        ui.weak("Plan and check your mail");
        ui.add_space(12.0);
        for (n, page) in Page::ALL.into_iter().enumerate() {
            let selected = self.state.page == page;
            let text = RichText::new(format!("{}  {}", page.icon(), page.title())).size(15.0);
            let button = egui::Button::selectable(selected, text)
                .shortcut_text(format!("Ctrl+{}", n + 1))
                .min_size(egui::vec2(ui.available_width(), 34.0));
            let r = ui.add(button).on_hover_text(page.blurb());
            if r.clicked() {
                self.commands.push(Command::Navigate(page));
            }
        }
        ui.with_layout(egui::Layout::bottom_up(egui::Align::Min), |ui| {
            ui.add_space(6.0);
            ui.weak("Ctrl+1…5 switch pages; Tab moves between fields.");
        });
    }

    fn notices_ui(&mut self, ui: &mut Ui) {
        for (i, n) in self.notices.iter().enumerate() {
            let color = if n.is_error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().text_color()
            };
            widgets::card_frame(ui, Some(color)).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal(|ui| {
                    ui.colored_label(color, if n.is_error { "⚠" } else { "ℹ" });
                    if ui.small_button("Dismiss").clicked() {
                        self.commands.push(Command::DismissNotice(i));
                    }
                    ui.add(egui::Label::new(&n.text).wrap());
                });
            });
        }
    }

    fn close_dialog_ui(&mut self, ctx: &egui::Context) {
        if !self.close_dialog {
            return;
        }
        egui::Modal::new(egui::Id::unique("close-dialog")).show(ctx, |ui| {
            ui.set_width(380.0);
            ui.heading("Save changes to the plan?");
            ui.label("The plan has changes that are not saved. They are lost if you close without saving.");
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() {
                    self.commands.push(Command::CloseAnswer(CloseAnswer::Save));
                }
                if ui.button("Close without saving").clicked() {
                    self.commands.push(Command::CloseAnswer(CloseAnswer::Discard));
                }
                if ui.button("Keep editing").clicked() {
                    self.commands.push(Command::CloseAnswer(CloseAnswer::KeepOpen));
                }
            });
        });
    }

    fn page_ui(&mut self, ui: &mut Ui) {
        let page = self.state.page;
        ui.heading(RichText::new(page.title()).size(24.0));
        ui.label(page.blurb());
        ui.add_space(4.0);
        self.notices_ui(ui);
        ui.separator();
        let derived = self.engine.derived(&self.state.plan).clone();
        match page {
            Page::Organisation => org_page::ui(
                ui,
                &mut self.state,
                &mut self.org_fields,
                &derived,
                &mut self.commands,
            ),
            Page::Scenarios => scenarios_page::ui(
                ui,
                &mut self.state,
                &self.engine,
                &derived,
                &mut self.commands,
            ),
            Page::Costs => costs_page::ui(
                ui,
                &mut self.state,
                &self.engine,
                &derived,
                &mut self.commands,
            ),
            Page::Checks => super::checks_page::ui(
                ui,
                &mut self.state.checks,
                &mut self.checks,
                &mut self.commands,
            ),
            Page::Report => report_page::ui(ui, self, &derived),
        }
    }
}

fn setup_style(ctx: &egui::Context) {
    use egui::{FontId, TextStyle};
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(21.0)),
            (TextStyle::Body, FontId::proportional(14.5)),
            (TextStyle::Button, FontId::proportional(14.5)),
            (TextStyle::Monospace, FontId::monospace(13.5)),
            (TextStyle::Small, FontId::proportional(11.5)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
        style.interaction.selectable_labels = true;
    });
}

impl eframe::App for MailplanApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.drain_events();
        self.guard_close(&ctx);
        self.handle_shortcuts(&ctx);

        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        egui::Panel::left("navigation")
            .resizable(false)
            .exact_size(240.0)
            .show(ui, |ui| self.navigation(ui));
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    let width = (ui.available_width() - 14.0).min(1100.0);
                    ui.set_max_width(width);
                    self.page_ui(ui);
                });
        });
        self.close_dialog_ui(&ctx);

        self.apply(&ctx);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state);
    }

    /// eframe's glow renderer passes its GL context; mailplan draws nothing of its own with it.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.checks.cancel();
        self.checks.password.wipe();
    }
}
