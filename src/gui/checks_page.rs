//! The Checks page: diagnose an address or domain, or check endpoints typed by hand, with live
//! progress, cancel, and result cards that put the server's words beside the cause and the fix.

use super::Command;
use super::background::{Background, Event, FilePurpose};
use super::state::{CheckSettings, ManualTarget, Security, ServiceKind};
use super::widgets::{self, PasswordBuffer};
use crate::checks::{self, CheckOptions, CheckResult, Direction, Login, Progress, Step, Target};
use crate::diagnose::{DiagnoseOptions, DiagnoseProgress, Diagnosis};
use crate::dns::mx::DomainReport;
use crate::findings::Verdict;
use crate::sanitize::strip_controls;
use egui::{RichText, Ui};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How long a cancelled check may take to report before the app stops waiting for it.
const CANCEL_GRACE: Duration = Duration::from_millis(700);

/// Where one endpoint of a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    Waiting,
    Running,
    Done,
    /// Cancelled before it reported a result.
    Cancelled,
}

/// One endpoint in a run.
#[derive(Debug, Clone)]
pub struct RunEntry {
    pub target: String,
    pub steps: Vec<Step>,
    pub result: Option<CheckResult>,
    pub state: EntryState,
}

/// A run of checks (from Diagnose or from the manual targets).
#[derive(Debug)]
pub struct CheckRun {
    pub id: u64,
    /// What was asked, for the heading ("mail.example.com" or "3 targets").
    pub subject: String,
    pub entries: Vec<RunEntry>,
    pub cancel: CancellationToken,
    /// True until every check has ended.
    pub running: bool,
    /// True while the diagnosis is still working out which endpoints to check.
    pub discovering: bool,
    pub cancelled: bool,
    pub error: Option<String>,
    pub started: Instant,
    pub elapsed: Option<Duration>,
    /// The diagnosis's current stage ("DNS", "checks"), while it runs.
    pub stage: Option<String>,
    /// What DNS said about the domain, as soon as it is known.
    pub domain: Option<Box<DomainReport>>,
    /// The finished diagnosis.
    pub diagnosis: Option<Box<Diagnosis>>,
}

impl CheckRun {
    pub fn results(&self) -> impl Iterator<Item = &CheckResult> {
        self.entries.iter().filter_map(|e| e.result.as_ref())
    }
}

/// Runtime (never saved) state of the Checks page.
#[derive(Debug, Default)]
pub struct ChecksPage {
    pub run: Option<CheckRun>,
    next_run: u64,
    pub password: PasswordBuffer,
    /// Why the last start was refused (bad input), shown beside the buttons.
    pub start_error: Option<String>,
}

impl ChecksPage {
    pub fn is_running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.running)
    }

    /// Builds the check options from the settings, or says what to correct.
    pub fn options(&self, settings: &CheckSettings) -> Result<CheckOptions, String> {
        let mut opts = CheckOptions {
            timeout: Duration::from_secs(u64::from(settings.timeout_secs.clamp(1, 600))),
            dns: settings.dns_addr()?,
            insecure: settings.insecure,
            allow_plaintext_login: settings.allow_plaintext_login,
            inspect_latest: settings.inspect_latest,
            ..CheckOptions::default()
        };
        let ca = settings.ca_file.trim();
        if !ca.is_empty() {
            opts.ca_file = Some(ca.into());
        }
        let user = settings.user.trim();
        if !user.is_empty() {
            if self.password.is_empty() {
                return Err(
                    "type the password too, or clear the user name to check without logging in"
                        .into(),
                );
            }
            opts.login = Some(Login {
                user: user.to_owned(),
                password: self.password.to_secret(),
            });
        }
        Ok(opts)
    }

    /// Starts checks of the enabled manual targets.
    pub fn start_manual(&mut self, settings: &CheckSettings, bg: &Background) {
        self.start_error = None;
        let opts = match self.options(settings) {
            Ok(o) => o,
            Err(e) => {
                self.start_error = Some(e);
                return;
            }
        };
        let mut targets = Vec::new();
        for (i, t) in settings
            .targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.enabled)
        {
            match t.to_target() {
                Ok(target) => targets.push((target, t.security == Security::Plain)),
                Err(e) => {
                    self.start_error = Some(format!("target {}: {e}", i + 1));
                    return;
                }
            }
        }
        if targets.is_empty() {
            self.start_error = Some("add a target with a host name first".into());
            return;
        }
        let subject = match targets.as_slice() {
            [(t, _)] => t.to_string(),
            many => format!("{} targets", many.len()),
        };
        let id = self.new_run(subject, false);
        self.launch(id, targets, opts, bg);
    }

    /// Starts a diagnosis of an address or domain: DNS, endpoint discovery, then checks of each.
    pub fn start_diagnose(&mut self, settings: &CheckSettings, bg: &Background) {
        self.start_error = None;
        let input = settings.address.trim().to_owned();
        if let Err(e) = diagnose_domain(&input) {
            self.start_error = Some(e);
            return;
        }
        let opts = match self.options(settings) {
            Ok(o) => o,
            Err(e) => {
                self.start_error = Some(e);
                return;
            }
        };
        let id = self.new_run(input.clone(), true);
        let cancel = self
            .run
            .as_ref()
            .map(|r| r.cancel.clone())
            .unwrap_or_default();
        let dopts = DiagnoseOptions {
            check: opts,
            ..DiagnoseOptions::default()
        };
        bg.spawn_with(move |sender| async move {
            let (ptx, mut prx) = tokio::sync::mpsc::unbounded_channel::<DiagnoseProgress>();
            let fwd = sender.clone();
            tokio::spawn(async move {
                while let Some(progress) = prx.recv().await {
                    fwd.send(Event::DiagnoseProgress { run: id, progress });
                }
            });
            // On its own task, so that a fault in the engine (a panic) still ends the run with a
            // message instead of leaving it "running" for ever.
            let c = cancel.clone();
            let diagnosis = tokio::spawn(async move {
                crate::diagnose::diagnose(&input, &dopts, Some(ptx), c).await
            });
            let outcome = tokio::select! {
                r = diagnosis => match r {
                    Ok(r) => r.map(Box::new),
                    Err(_) => Err("the diagnosis stopped because of an internal error in mailplan; run it again, and report it if it happens again".into()),
                },
                _ = async { cancel.cancelled().await; tokio::time::sleep(CANCEL_GRACE).await } => {
                    Err("cancelled".into())
                }
            };
            sender.send(Event::DiagnoseDone { run: id, outcome });
        });
    }

    fn new_run(&mut self, subject: String, discovering: bool) -> u64 {
        if let Some(old) = &self.run {
            old.cancel.cancel();
        }
        self.next_run += 1;
        self.run = Some(CheckRun {
            id: self.next_run,
            subject,
            entries: Vec::new(),
            cancel: CancellationToken::new(),
            running: true,
            discovering,
            cancelled: false,
            error: None,
            started: Instant::now(),
            elapsed: None,
            stage: None,
            domain: None,
            diagnosis: None,
        });
        self.next_run
    }

    fn launch(
        &mut self,
        id: u64,
        targets: Vec<(Target, bool)>,
        opts: CheckOptions,
        bg: &Background,
    ) {
        let Some(run) = self.run.as_mut().filter(|r| r.id == id) else {
            return;
        };
        run.discovering = false;
        run.entries = targets
            .iter()
            .map(|(t, _)| RunEntry {
                target: t.to_string(),
                steps: Vec::new(),
                result: None,
                state: EntryState::Waiting,
            })
            .collect();
        let cancel = run.cancel.clone();
        let plain_opts = Arc::new(CheckOptions {
            no_starttls: true,
            ..opts.clone()
        });
        let opts = Arc::new(opts);
        bg.spawn_with(move |sender| async move {
            let (ptx, mut prx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
            let fwd = sender.clone();
            tokio::spawn(async move {
                while let Some(progress) = prx.recv().await {
                    fwd.send(Event::CheckProgress { run: id, progress });
                }
            });
            let mut set = tokio::task::JoinSet::new();
            for (index, (target, plain)) in targets.into_iter().enumerate() {
                let o = if plain { plain_opts.clone() } else { opts.clone() };
                let (p, c, s) = (ptx.clone(), cancel.clone(), sender.clone());
                set.spawn(async move {
                    let check = checks::run_check(target, o, index, Some(p), c.clone());
                    let result = tokio::select! {
                        r = check => Some(Box::new(r)),
                        _ = async { c.cancelled().await; tokio::time::sleep(CANCEL_GRACE).await } => None,
                    };
                    s.send(Event::CheckEnded { run: id, index, result });
                });
            }
            drop(ptx);
            while set.join_next().await.is_some() {}
            sender.send(Event::ChecksDone { run: id });
        });
    }

    /// Asks every running check to stop. The run reports back within a second.
    pub fn cancel(&mut self) {
        if let Some(run) = self.run.as_mut().filter(|r| r.running) {
            run.cancel.cancel();
            run.cancelled = true;
        }
    }

    /// Applies an event from the background. Returns true when it belonged to this page.
    pub fn handle(&mut self, event: &mut Option<Event>) -> bool {
        let Some(run) = self.run.as_mut() else {
            return false;
        };
        match event.take() {
            Some(Event::CheckProgress { run: id, progress }) if id == run.id => {
                apply_progress(run, progress);
                true
            }
            Some(Event::CheckEnded {
                run: id,
                index,
                result,
            }) if id == run.id => {
                if let Some(e) = run.entries.get_mut(index) {
                    match result {
                        Some(r) => {
                            e.result = Some(*r);
                            e.state = EntryState::Done;
                        }
                        None if e.result.is_none() => e.state = EntryState::Cancelled,
                        None => {}
                    }
                }
                true
            }
            Some(Event::ChecksDone { run: id }) if id == run.id => {
                run.running = false;
                run.elapsed = Some(run.started.elapsed());
                true
            }
            Some(Event::DiagnoseProgress { run: id, progress }) if id == run.id => {
                match progress {
                    DiagnoseProgress::Stage(stage) => run.stage = Some(stage),
                    DiagnoseProgress::Domain(report) => run.domain = Some(report),
                    DiagnoseProgress::Candidates(candidates) => {
                        run.discovering = false;
                        run.entries = candidates
                            .iter()
                            .map(|c| RunEntry {
                                target: format!("{} ({})", c.target, c.source.label()),
                                steps: Vec::new(),
                                result: None,
                                state: EntryState::Waiting,
                            })
                            .collect();
                    }
                    DiagnoseProgress::Check(p) => apply_progress(run, p),
                }
                true
            }
            Some(Event::DiagnoseDone { run: id, outcome }) if id == run.id => {
                run.running = false;
                run.discovering = false;
                run.elapsed = Some(run.started.elapsed());
                match outcome {
                    Ok(d) => {
                        for (i, ep) in d.endpoints.iter().enumerate() {
                            match run.entries.get_mut(i) {
                                Some(e) => {
                                    e.result = Some(ep.result.clone());
                                    e.state = EntryState::Done;
                                }
                                None => run.entries.push(RunEntry {
                                    target: ep.result.target.clone(),
                                    steps: Vec::new(),
                                    result: Some(ep.result.clone()),
                                    state: EntryState::Done,
                                }),
                            }
                        }
                        for e in run.entries.iter_mut().filter(|e| e.result.is_none()) {
                            e.state = EntryState::Cancelled;
                        }
                        if d.cancelled {
                            run.cancelled = true;
                        }
                        run.diagnosis = Some(d);
                    }
                    Err(e) => {
                        for e in run.entries.iter_mut().filter(|e| e.result.is_none()) {
                            e.state = EntryState::Cancelled;
                        }
                        if !run.cancelled {
                            run.error = Some(e);
                        }
                    }
                }
                true
            }
            other => {
                *event = other;
                false
            }
        }
    }
}

fn apply_progress(run: &mut CheckRun, progress: Progress) {
    match progress {
        Progress::Started { index, .. } => {
            if let Some(e) = run
                .entries
                .get_mut(index)
                .filter(|e| e.state == EntryState::Waiting)
            {
                e.state = EntryState::Running;
            }
        }
        Progress::Step { index, step } => {
            if let Some(e) = run.entries.get_mut(index) {
                if e.state == EntryState::Waiting {
                    e.state = EntryState::Running;
                }
                e.steps.push(step);
            }
        }
        Progress::Finished { index, result } => {
            if let Some(e) = run.entries.get_mut(index) {
                e.result = Some(*result);
                e.state = EntryState::Done;
            }
        }
    }
}

/// The domain part of what was typed in the Diagnose field.
pub fn diagnose_domain(input: &str) -> Result<String, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("type an e-mail address or a domain to diagnose".into());
    }
    let domain = input.rsplit_once('@').map(|(_, d)| d).unwrap_or(input);
    checks::target::normalise_host(domain).map(|(ascii, _)| ascii)
}

/// A plain-text summary of a run, for the clipboard.
pub fn summary_text(run: &CheckRun) -> String {
    let mut out = format!("mailplan checks: {}\n", strip_controls(&run.subject));
    if run.cancelled {
        out.push_str("(cancelled)\n");
    }
    for e in &run.entries {
        match &e.result {
            Some(r) => {
                out.push_str(&format!(
                    "\n{} — {} ({} ms){}\n",
                    strip_controls(&r.target),
                    r.verdict.label().to_uppercase(),
                    r.elapsed_ms,
                    if r.insecure {
                        " [certificate checks were off]"
                    } else {
                        ""
                    }
                ));
                for f in &r.findings {
                    out.push_str(&format!(
                        "  - [{:?}] {}\n",
                        f.severity,
                        strip_controls(&f.title)
                    ));
                    if let Some(s) = &f.server_text {
                        out.push_str(&format!(
                            "    {}: {}\n",
                            f.evidence_label().to_lowercase(),
                            strip_controls(s)
                        ));
                    }
                    out.push_str(&format!(
                        "    why: {}\n    fix: {}\n",
                        strip_controls(&f.explanation),
                        strip_controls(&f.fix)
                    ));
                }
            }
            None => out.push_str(&format!(
                "\n{} — cancelled, no result\n",
                strip_controls(&e.target)
            )),
        }
    }
    out
}

/// Draws the page.
pub fn ui(
    ui: &mut Ui,
    settings: &mut CheckSettings,
    page: &mut ChecksPage,
    commands: &mut Vec<Command>,
) {
    let running = page.is_running();

    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Diagnose an address or domain").strong());
        widgets::text_with_terms(
            ui,
            &[
                ("(looks up the ", false),
                ("MX", true),
                (" and the usual client settings, then checks each)", false),
            ],
        );
    });
    ui.horizontal(|ui| {
        let r = widgets::labelled_text(
            ui,
            "Address or domain",
            &mut settings.address,
            "alex@example.com",
            280.0,
        );
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui
            .add_enabled(!running, egui::Button::new("🔎 Diagnose"))
            .clicked()
            || (enter && !running))
            && !settings.address.trim().is_empty()
        {
            commands.push(Command::Diagnose);
        }
    });

    ui.add_space(6.0);
    egui::CollapsingHeader::new(RichText::new("Endpoints to check by hand").strong())
        .id_salt("manual-targets")
        .default_open(true)
        .show(ui, |ui| {
            manual_targets_ui(ui, &mut settings.targets, running, commands)
        });

    egui::CollapsingHeader::new(RichText::new("Log in (optional)").strong())
        .id_salt("credentials")
        .show(ui, |ui| credentials_ui(ui, settings, page));

    egui::CollapsingHeader::new(RichText::new("Settings").strong())
        .id_salt("check-settings")
        .show(ui, |ui| settings_ui(ui, settings, commands));

    if settings.insecure {
        widgets::warning_banner(
            ui,
            "Certificate checks are OFF: any certificate is accepted, so a fake server would not be noticed. Every result says so.",
        );
    }

    ui.add_space(6.0);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!running, egui::Button::new("▶ Check these endpoints"))
            .clicked()
        {
            commands.push(Command::RunManualChecks);
        }
        if ui
            .add_enabled(running, egui::Button::new("⏹ Cancel"))
            .clicked()
        {
            commands.push(Command::CancelChecks);
        }
        if let Some(run) = page
            .run
            .as_ref()
            .filter(|r| !r.running && r.results().next().is_some())
            && ui
                .button("📋 Copy summary")
                .on_hover_text("Copy a plain-text summary of these results")
                .clicked()
        {
            commands.push(Command::CopyText(summary_text(run)));
        }
    });
    widgets::field_error(ui, page.start_error.as_deref());

    ui.separator();
    match &page.run {
        None => {
            ui.weak("Results appear here. Checks run from this computer, so they show what a mail client on this network sees.");
        }
        Some(run) => run_ui(ui, run),
    }
}

fn manual_targets_ui(
    ui: &mut Ui,
    targets: &mut Vec<ManualTarget>,
    running: bool,
    commands: &mut Vec<Command>,
) {
    let mut remove = None;
    egui::Grid::new("targets-grid")
        .num_columns(6)
        .spacing([8.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new("Service").strong());
            ui.label(RichText::new("Security").strong());
            ui.label(RichText::new("Host").strong());
            ui.label(RichText::new("Port").strong());
            ui.label("");
            ui.end_row();
            for (i, t) in targets.iter_mut().enumerate() {
                let n = i + 1;
                ui.name_inputs(format!("Include target {n}"), |ui| {
                    ui.checkbox(&mut t.enabled, "")
                        .on_hover_text("Include this endpoint in the next run")
                });
                ui.push_id(i, |ui| {
                    ui.name_inputs(format!("Service {n}"), |ui| {
                        egui::ComboBox::from_id_salt("service")
                            .selected_text(t.service.label())
                            .width(190.0)
                            .show_ui(ui, |ui| {
                                for s in ServiceKind::ALL {
                                    ui.selectable_value(&mut t.service, s, s.label());
                                }
                            })
                    });
                });
                ui.push_id(("sec", i), |ui| {
                    let tip = widgets::explain(if t.security == Security::Starttls {
                        "STARTTLS"
                    } else {
                        "TLS"
                    })
                    .unwrap_or("");
                    ui.name_inputs(format!("Security {n}"), |ui| {
                        egui::ComboBox::from_id_salt("security")
                            .selected_text(t.security.label())
                            .width(150.0)
                            .show_ui(ui, |ui| {
                                for s in Security::ALL {
                                    ui.selectable_value(&mut t.security, s, s.label());
                                }
                            })
                    })
                    .response
                    .on_hover_text(tip);
                });
                ui.name_inputs(format!("Host {n}"), |ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut t.host)
                            .hint_text("mail.example.com")
                            .min_size(egui::vec2(220.0, 0.0)),
                    )
                });
                let default_port = t.default_port().to_string();
                ui.name_inputs(format!("Port {n}"), |ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut t.port)
                            .hint_text(default_port)
                            .min_size(egui::vec2(64.0, 0.0))
                            .desired_width(64.0),
                    )
                });
                if ui
                    .add_enabled(!running, egui::Button::new("🗑"))
                    .on_hover_text("Remove this endpoint")
                    .clicked()
                {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        targets.remove(i);
    }
    ui.horizontal(|ui| {
        if ui.button("➕ Add endpoint").clicked() {
            targets.push(ManualTarget::default());
        }
        widgets::text_with_terms(
            ui,
            &[
                ("Leave the port empty for the usual one. ", false),
                ("POP3", true),
                (", ", false),
                ("IMAP", true),
                (" and ", false),
                ("SMTP", true),
                (" are supported.", false),
            ],
        );
    });
    let _ = commands;
}

fn credentials_ui(ui: &mut Ui, settings: &mut CheckSettings, page: &mut ChecksPage) {
    ui.horizontal(|ui| {
        widgets::labelled_text(
            ui,
            "User name",
            &mut settings.user,
            "alex@example.com",
            200.0,
        );
        widgets::password_field(ui, "Password", &mut page.password);
    });
    ui.weak("The password is kept only while the app is open. It is never saved, logged or shown in reports.");
    ui.checkbox(&mut settings.allow_plaintext_login, "Allow sending the password without encryption")
        .on_hover_text("Only for testing a server that offers no TLS. Anyone on the network path could read the password.");
    ui.checkbox(&mut settings.inspect_latest, "After logging in, read the newest message's dates")
        .on_hover_text("Shows the sent date beside the time the server received it: POP3 clients that display the download time instead of the sent time show up here.");
}

fn settings_ui(ui: &mut Ui, settings: &mut CheckSettings, commands: &mut Vec<Command>) {
    egui::Grid::new("check-settings-grid").num_columns(2).spacing([10.0, 6.0]).show(ui, |ui| {
        let l = ui.label("DNS server");
        ui.vertical(|ui| {
            ui.add(egui::TextEdit::singleline(&mut settings.dns_server).hint_text("system default").desired_width(200.0))
                .labelled_by(l.id)
                .on_hover_text("An IP address, optionally with :port, e.g. 9.9.9.9. Empty uses this computer's resolver.");
            widgets::field_error(ui, settings.dns_addr().err().as_deref());
        });
        ui.end_row();

        let l = ui.label("Extra CA certificates");
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut settings.ca_file).hint_text("none (PEM file)").desired_width(260.0))
                .labelled_by(l.id);
            if ui.button("Browse…").clicked() {
                commands.push(Command::ChooseFile(FilePurpose::CaFile));
            }
        });
        ui.end_row();

        let l = ui.label("Time limit per check");
        ui.add(egui::DragValue::new(&mut settings.timeout_secs).range(1..=600).suffix(" s")).labelled_by(l.id);
        ui.end_row();

        ui.label("Certificates");
        ui.checkbox(&mut settings.insecure, "Accept invalid certificates (testing only)");
        ui.end_row();
    });
}

fn run_ui(ui: &mut Ui, run: &CheckRun) {
    ui.horizontal(|ui| {
        ui.heading(strip_controls(&run.subject));
        if run.running {
            ui.spinner();
            ui.label(if run.cancelled {
                "Cancelling…"
            } else if run.discovering {
                "Looking up the domain's mail servers…"
            } else {
                "Checking…"
            });
        } else if run.cancelled {
            ui.label(RichText::new("Cancelled").strong());
        } else if let Some(el) = run.elapsed {
            ui.weak(format!("finished in {:.1} s", el.as_secs_f32()));
        }
    });
    if let Some(e) = &run.error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("✖ {}", strip_controls(e)),
        );
    }
    if let Some(d) = &run.diagnosis {
        diagnosis_summary_ui(ui, d);
    }
    if let Some(dom) = run
        .diagnosis
        .as_ref()
        .and_then(|d| d.dns.as_ref())
        .or(run.domain.as_deref())
    {
        domain_ui(ui, dom);
    }
    for (i, e) in run.entries.iter().enumerate() {
        ui.push_id(i, |ui| match &e.result {
            Some(r) => result_card(ui, r),
            None => progress_row(ui, e),
        });
        ui.add_space(4.0);
    }
}

fn diagnosis_summary_ui(ui: &mut Ui, d: &Diagnosis) {
    let color = widgets::verdict_color(ui, d.summary.verdict);
    widgets::card_frame(ui, Some(color)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                color,
                RichText::new(widgets::verdict_badge(d.summary.verdict))
                    .strong()
                    .size(16.0),
            );
            ui.label(RichText::new("What a mail client should use").strong());
        });
        egui::Grid::new("recommendation")
            .num_columns(2)
            .spacing([10.0, 4.0])
            .show(ui, |ui| {
                ui.label(RichText::new("Incoming").strong());
                ui.label(
                    d.summary
                        .incoming
                        .as_ref()
                        .map(|r| strip_controls(&r.describe()))
                        .unwrap_or_else(|| "nothing that works was found".into()),
                );
                ui.end_row();
                ui.label(RichText::new("Outgoing").strong());
                ui.label(
                    d.summary
                        .outgoing
                        .as_ref()
                        .map(|r| strip_controls(&r.describe()))
                        .unwrap_or_else(|| "nothing that works was found".into()),
                );
                ui.end_row();
            });
        if !d.summary.imap_or_pop.is_empty() {
            ui.label(strip_controls(&d.summary.imap_or_pop));
        }
        for n in &d.summary.notes {
            ui.label(format!("ℹ {}", strip_controls(n)));
        }
        for p in &d.summary.problems {
            let f = &p.finding;
            ui.colored_label(
                widgets::severity_color(ui, f.severity),
                format!(
                    "{} {}{}",
                    widgets::severity_icon(f.severity),
                    strip_controls(&f.title),
                    p.endpoint
                        .as_deref()
                        .map(|e| format!(" ({})", strip_controls(e)))
                        .unwrap_or_default()
                ),
            );
        }
    });
    ui.add_space(4.0);
}

fn domain_ui(ui: &mut Ui, dom: &DomainReport) {
    let color = widgets::verdict_color(ui, dom.verdict);
    widgets::card_frame(ui, Some(color)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                color,
                RichText::new(widgets::verdict_badge(dom.verdict))
                    .strong()
                    .size(16.0),
            );
            widgets::jargon(ui, "MX");
            ui.label(
                RichText::new(format!(
                    "records of {}",
                    strip_controls(&dom.domain_label())
                ))
                .strong(),
            );
            ui.weak(format!("{} ms", dom.elapsed_ms));
        });
        if dom.null_mx {
            ui.label("This domain says it accepts no mail (null MX).");
        }
        for m in &dom.mx {
            let addrs: Vec<String> = m.addresses.iter().map(|a| a.to_string()).collect();
            ui.label(
                RichText::new(format!(
                    "{:>3}  {}  {}{}",
                    m.preference,
                    strip_controls(&m.display_host),
                    if addrs.is_empty() {
                        "(no address)".to_owned()
                    } else {
                        addrs.join(", ")
                    },
                    m.provider
                        .as_deref()
                        .map(|p| format!("  [{}]", strip_controls(p)))
                        .unwrap_or_default()
                ))
                .monospace(),
            );
        }
        if dom.mx.is_empty() && !dom.null_mx {
            ui.label("No MX records.");
        }
        for (i, f) in dom.findings.iter().enumerate() {
            ui.push_id(("dom-finding", i), |ui| finding_ui(ui, i, f));
        }
    });
    ui.add_space(4.0);
}

fn progress_row(ui: &mut Ui, e: &RunEntry) {
    widgets::card_frame(ui, None).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            match e.state {
                EntryState::Waiting | EntryState::Running => {
                    ui.spinner();
                }
                EntryState::Cancelled => {
                    ui.label("⏹");
                }
                EntryState::Done => {}
            }
            ui.label(
                RichText::new(strip_controls(&e.target))
                    .strong()
                    .monospace(),
            );
            match e.state {
                EntryState::Waiting => ui.weak("waiting"),
                EntryState::Running => ui.weak("running"),
                EntryState::Cancelled => ui.label("Cancelled before it finished"),
                EntryState::Done => ui.weak("done"),
            };
        });
        ui.horizontal_wrapped(|ui| {
            for s in &e.steps {
                step_chip(ui, s);
            }
        });
    });
}

fn step_chip(ui: &mut Ui, s: &Step) {
    let (icon, color) = if s.ok {
        ("✔", widgets::verdict_color(ui, Verdict::Ok))
    } else {
        ("✖", widgets::verdict_color(ui, Verdict::Fail))
    };
    let r = ui.colored_label(color, format!("{icon} {} {} ms", s.name, s.ms));
    if let Some(d) = &s.detail {
        r.on_hover_text(strip_controls(d));
    }
}

/// One result card: verdict, findings, and the details behind them.
pub fn result_card(ui: &mut Ui, r: &CheckResult) {
    let color = widgets::verdict_color(ui, r.verdict);
    widgets::card_frame(ui, Some(color)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                color,
                RichText::new(widgets::verdict_badge(r.verdict))
                    .strong()
                    .size(16.0),
            );
            ui.label(
                RichText::new(strip_controls(&r.target))
                    .strong()
                    .monospace(),
            );
            ui.weak(format!("{} ms", r.elapsed_ms));
            if r.insecure {
                ui.colored_label(
                    widgets::verdict_color(ui, Verdict::Warn),
                    "⚠ certificate checks were off",
                );
            }
        });
        if let Some(b) = &r.banner {
            ui.horizontal_wrapped(|ui| {
                ui.weak("Greeting:");
                ui.label(RichText::new(strip_controls(b)).monospace());
            });
        }
        if r.findings.is_empty() {
            ui.label(match r.verdict {
                Verdict::Ok => "Everything this check looks at is in order.",
                _ => "The check ended without a detailed finding.",
            });
        }
        for (i, f) in r.findings.iter().enumerate() {
            finding_ui(ui, i, f);
        }
        details_ui(ui, r);
    });
}

/// One finding: title, the server's words, why, and the fix.
fn finding_ui(ui: &mut Ui, i: usize, f: &crate::findings::Finding) {
    ui.add_space(4.0);
    let sc = widgets::severity_color(ui, f.severity);
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(
            sc,
            RichText::new(format!(
                "{} {}",
                widgets::severity_icon(f.severity),
                strip_controls(&f.title)
            ))
            .strong(),
        );
        ui.weak(&f.code);
    });
    ui.indent(("finding", i), |ui| {
        if let Some(s) = &f.server_text {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("{}:", f.evidence_label())).strong());
                egui::Frame::new()
                    .fill(ui.visuals().extreme_bg_color)
                    .inner_margin(4.0)
                    .corner_radius(3.0)
                    .show(ui, |ui| {
                        ui.label(RichText::new(strip_controls(s)).monospace());
                    });
            });
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Why:").strong());
            ui.label(strip_controls(&f.explanation));
        });
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Fix:").strong());
            ui.label(strip_controls(&f.fix));
        });
    });
}

fn details_ui(ui: &mut Ui, r: &CheckResult) {
    if let Some(tls) = &r.tls {
        egui::CollapsingHeader::new("Certificate")
            .id_salt("cert")
            .show(ui, |ui| {
                egui::Grid::new("cert-grid").num_columns(2).show(ui, |ui| {
                    if let Some(v) = &tls.version {
                        ui.label("TLS version");
                        ui.label(strip_controls(v));
                        ui.end_row();
                    }
                    ui.label("Verified");
                    ui.label(if tls.verified { "yes" } else { "no" });
                    ui.end_row();
                    if let Some(c) = &tls.certificate {
                        for (k, v) in [
                            ("Subject", c.subject.clone()),
                            ("Names (SAN)", c.sans.join(", ")),
                            ("Issuer", c.issuer.clone()),
                            ("Valid from", c.not_before.clone()),
                            ("Valid until", c.not_after.clone()),
                            (
                                "Self-signed",
                                if c.self_signed {
                                    "yes".into()
                                } else {
                                    "no".into()
                                },
                            ),
                        ] {
                            ui.label(k);
                            ui.label(strip_controls(&v));
                            ui.end_row();
                        }
                    }
                });
            });
    }
    if !r.capabilities.is_empty() || !r.auth_mechanisms.is_empty() {
        egui::CollapsingHeader::new("Capabilities")
            .id_salt("caps")
            .show(ui, |ui| {
                ui.label(strip_controls(&r.capabilities.join("  ")));
                if !r.auth_mechanisms.is_empty() {
                    ui.label(format!(
                        "Login methods: {}",
                        strip_controls(&r.auth_mechanisms.join(", "))
                    ));
                }
            });
    }
    if let Some(m) = &r.latest_message {
        egui::CollapsingHeader::new("Newest message")
            .id_salt("latest")
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("latest-grid")
                    .num_columns(2)
                    .show(ui, |ui| {
                        for (k, v) in [
                            ("Subject", &m.subject),
                            ("Sent (Date header)", &m.date_header),
                            ("Received by the server", &m.newest_received),
                        ] {
                            ui.label(k);
                            ui.label(
                                v.as_deref()
                                    .map(strip_controls)
                                    .unwrap_or_else(|| "—".into()),
                            );
                            ui.end_row();
                        }
                    });
            });
    }
    if !r.transcript.is_empty() {
        egui::CollapsingHeader::new(format!("Transcript ({} lines)", r.transcript.len()))
            .id_salt("transcript")
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(240.0)
                    .id_salt("transcript-scroll")
                    .show(ui, |ui| {
                        for line in &r.transcript {
                            let who = match line.dir {
                                Direction::Client => "C:",
                                Direction::Server => "S:",
                                Direction::Note => "--",
                            };
                            let text = format!(
                                "{:>6} ms {who} {}",
                                line.at_ms,
                                strip_controls(&line.text)
                            );
                            let rt = RichText::new(text).monospace();
                            ui.label(if line.dir == Direction::Note {
                                rt.weak()
                            } else {
                                rt
                            });
                        }
                    });
            });
    }
    if !r.steps.is_empty() || !r.addresses.is_empty() {
        egui::CollapsingHeader::new("Timings")
            .id_salt("timings")
            .show(ui, |ui| {
                egui::Grid::new("steps-grid")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        for s in &r.steps {
                            step_chip(ui, s);
                            ui.label(format!("{} ms", s.ms));
                            ui.label(s.detail.as_deref().map(strip_controls).unwrap_or_default());
                            ui.end_row();
                        }
                    });
                for a in &r.addresses {
                    ui.label(format!(
                        "{} {} — {} ms{}",
                        if a.ok { "✔" } else { "✖" },
                        strip_controls(&a.address),
                        a.ms,
                        a.code
                            .as_deref()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ));
                }
            });
    }
}
