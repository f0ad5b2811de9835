//! The state the app remembers between runs, and the start-up check of the saved copy.
//!
//! Everything here is plain data with `#[serde(default)]`, so a field added later never breaks an
//! older saved state. Passwords are never part of it: they live in
//! [`PasswordBuffer`](super::widgets::PasswordBuffer) on the running app only.

use crate::checks::Scheme;
use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The id under which eframe stores the app's state (its folder name).
pub const APP_ID: &str = "mailplan";

/// How many recently used plan files are remembered.
pub const MAX_RECENT_FILES: usize = 8;

/// The five pages, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Page {
    #[default]
    Organisation,
    Scenarios,
    Costs,
    Checks,
    Report,
}

impl Page {
    pub const ALL: [Page; 5] = [
        Page::Organisation,
        Page::Scenarios,
        Page::Costs,
        Page::Checks,
        Page::Report,
    ];

    /// The name shown in the navigation.
    pub fn title(self) -> &'static str {
        match self {
            Page::Organisation => "Organisation & goals",
            Page::Scenarios => "Scenarios",
            Page::Costs => "Costs",
            Page::Checks => "Checks",
            Page::Report => "Report",
        }
    }

    /// An icon for the navigation.
    pub fn icon(self) -> &'static str {
        match self {
            Page::Organisation => "🏢",
            Page::Scenarios => "🔀",
            Page::Costs => "💰",
            Page::Checks => "🔍",
            Page::Report => "📄",
        }
    }

    /// One line about what the page is for.
    pub fn blurb(self) -> &'static str {
        match self {
            Page::Organisation => {
                "Who you are planning for, what matters most, and what is ruled out."
            }
            Page::Scenarios => "Ways to run your mail, ranked for your organisation.",
            Page::Costs => "What each scenario costs per seat, per year and over the horizon.",
            Page::Checks => {
                "Test mail servers from this computer's network and see why a client cannot connect."
            }
            Page::Report => "Preview the plan and export it for colleagues.",
        }
    }
}

/// Light, dark, or whatever the system prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// Which mail service a manual check target speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ServiceKind {
    Pop3,
    #[default]
    Imap,
    /// SMTP between servers (port 25).
    SmtpRelay,
    /// SMTP submission from mail clients (port 587, or 465 with TLS).
    Submission,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 4] = [
        ServiceKind::Pop3,
        ServiceKind::Imap,
        ServiceKind::SmtpRelay,
        ServiceKind::Submission,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ServiceKind::Pop3 => "POP3",
            ServiceKind::Imap => "IMAP",
            ServiceKind::SmtpRelay => "SMTP (server to server)",
            ServiceKind::Submission => "SMTP submission (clients)",
        }
    }
}

/// How a manual target uses TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Security {
    /// TLS from the first byte (pop3s, imaps, smtps).
    #[default]
    Tls,
    /// Plain text upgraded with STARTTLS/STLS.
    Starttls,
    /// Plain text only, never upgraded: tests what a client without TLS sees.
    Plain,
}

impl Security {
    pub const ALL: [Security; 3] = [Security::Tls, Security::Starttls, Security::Plain];

    pub fn label(self) -> &'static str {
        match self {
            Security::Tls => "TLS from the start",
            Security::Starttls => "STARTTLS",
            Security::Plain => "No encryption",
        }
    }
}

/// One endpoint typed by the user on the Checks page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManualTarget {
    pub enabled: bool,
    pub service: ServiceKind,
    pub security: Security,
    pub host: String,
    /// Kept as text so a half-typed port can be shown with a message; empty means the default.
    pub port: String,
}

impl Default for ManualTarget {
    fn default() -> Self {
        ManualTarget {
            enabled: true,
            service: ServiceKind::Imap,
            security: Security::Tls,
            host: String::new(),
            port: String::new(),
        }
    }
}

impl ManualTarget {
    /// The URL scheme for this service and security.
    pub fn scheme(&self) -> Scheme {
        match (self.service, self.security) {
            (ServiceKind::Pop3, Security::Tls) => Scheme::Pop3s,
            (ServiceKind::Pop3, _) => Scheme::Pop3,
            (ServiceKind::Imap, Security::Tls) => Scheme::Imaps,
            (ServiceKind::Imap, _) => Scheme::Imap,
            (ServiceKind::SmtpRelay | ServiceKind::Submission, Security::Tls) => Scheme::Smtps,
            (ServiceKind::SmtpRelay, _) => Scheme::Smtp,
            (ServiceKind::Submission, _) => Scheme::Submission,
        }
    }

    /// The port used when the port field is empty.
    pub fn default_port(&self) -> u16 {
        self.scheme().default_port()
    }

    /// The check target, or a message saying what to correct.
    pub fn to_target(&self) -> Result<crate::checks::Target, String> {
        let port = match self.port.trim() {
            "" => None,
            p => match p.parse::<u16>() {
                Ok(n) if n > 0 => Some(n),
                _ => return Err(format!("port '{p}' must be a whole number from 1 to 65535")),
            },
        };
        crate::checks::Target::new(self.scheme(), &self.host, port)
    }
}

/// Settings and inputs of the Checks page (never a password).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckSettings {
    /// The address or domain to diagnose.
    pub address: String,
    pub targets: Vec<ManualTarget>,
    /// User name for the optional login.
    pub user: String,
    pub allow_plaintext_login: bool,
    pub inspect_latest: bool,
    /// DNS server as `IP` or `IP:PORT`; empty uses the system's.
    pub dns_server: String,
    /// Extra trusted root certificates (PEM file); empty for none.
    pub ca_file: String,
    pub timeout_secs: u32,
    pub insecure: bool,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            address: String::new(),
            targets: vec![ManualTarget::default()],
            user: String::new(),
            allow_plaintext_login: false,
            inspect_latest: false,
            dns_server: String::new(),
            ca_file: String::new(),
            timeout_secs: 30,
            insecure: false,
        }
    }
}

impl CheckSettings {
    /// The DNS server as a socket address, or a message; `Ok(None)` means the system's resolver.
    pub fn dns_addr(&self) -> Result<Option<std::net::SocketAddr>, String> {
        let text = self.dns_server.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if let Ok(a) = text.parse::<std::net::SocketAddr>() {
            return Ok(Some(a));
        }
        if let Ok(ip) = text
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
        {
            return Ok(Some(std::net::SocketAddr::new(ip, 53)));
        }
        Err(format!(
            "DNS server '{text}' must be an IP address, optionally with a port (e.g. 9.9.9.9 or 127.0.0.1:5353)"
        ))
    }
}

/// Everything the app remembers between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// The shape of this state; a file saved by a newer mailplan is kept aside, not half-read.
    pub state_version: u32,
    pub page: Page,
    pub theme: ThemeChoice,
    /// The plan being edited (may have unsaved changes).
    pub plan: Plan,
    /// The plan as last saved or opened, to tell whether there are unsaved changes.
    pub saved_plan: Plan,
    /// Where the plan was last saved or opened from.
    pub plan_path: Option<PathBuf>,
    /// Most recent first.
    pub recent_files: Vec<PathBuf>,
    pub checks: CheckSettings,
    /// The scenario whose details are open on the Scenarios page.
    pub selected_scenario: Option<String>,
    /// Answers in the POP3 vs IMAP helper.
    pub pop_imap: PopImapInputs,
    /// What the Report page puts in the report.
    pub report_parts: crate::reports::ReportParts,
}

/// The POP3 vs IMAP helper's questions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PopImapInputs {
    pub home: crate::advisor::MailHome,
    pub devices: crate::advisor::Devices,
    pub storage: crate::advisor::ServerStorage,
    pub offline: bool,
}

impl Default for PopImapInputs {
    fn default() -> Self {
        PopImapInputs {
            home: crate::advisor::MailHome::Server,
            devices: crate::advisor::Devices::Several,
            storage: crate::advisor::ServerStorage::Ample,
            offline: false,
        }
    }
}

impl Default for State {
    fn default() -> Self {
        State {
            state_version: STATE_VERSION,
            page: Page::Organisation,
            theme: ThemeChoice::System,
            plan: Plan::default(),
            saved_plan: Plan::default(),
            plan_path: None,
            recent_files: Vec::new(),
            checks: CheckSettings::default(),
            selected_scenario: None,
            pop_imap: PopImapInputs::default(),
            report_parts: crate::reports::ReportParts::default(),
        }
    }
}

impl State {
    /// True when the plan differs from the one last saved or opened.
    pub fn plan_has_unsaved_changes(&self) -> bool {
        self.plan != self.saved_plan
    }

    /// Puts `path` first in the recent files, without duplicates.
    pub fn remember_recent(&mut self, path: &Path) {
        self.recent_files.retain(|p| p != path);
        self.recent_files.insert(0, path.to_path_buf());
        self.recent_files.truncate(MAX_RECENT_FILES);
    }
}

/// Where eframe keeps the saved state on this computer.
pub fn saved_state_path() -> Option<PathBuf> {
    eframe::storage_dir(APP_ID).map(|d| d.join("app.ron"))
}

/// What the start-up check of the saved state found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavedStateCheck {
    /// No saved state yet.
    Missing,
    /// It reads back; the app starts from it.
    Readable,
    /// It could not be read; it was renamed to `moved_to` (when the rename worked) and the app starts
    /// with defaults. `message` says what was wrong, for the notice.
    Corrupt {
        moved_to: Option<PathBuf>,
        message: String,
    },
}

impl SavedStateCheck {
    /// The notice shown in the app, if any.
    pub fn notice(&self) -> Option<String> {
        match self {
            SavedStateCheck::Corrupt {
                moved_to: Some(p),
                message,
            } => Some(format!(
                "The saved settings could not be read ({message}), so mailplan started with defaults. \
                 The unreadable file was kept as {}.",
                p.display()
            )),
            SavedStateCheck::Corrupt {
                moved_to: None,
                message,
            } => Some(format!(
                "The saved settings could not be read ({message}), so mailplan started with defaults. \
                 The unreadable file could not be moved aside and will be replaced when mailplan saves."
            )),
            _ => None,
        }
    }
}

/// The saved-state version this mailplan writes and reads (older files have none and read as 1).
pub const STATE_VERSION: u32 = 1;

/// Reads the saved state at `path` the way eframe will, before eframe does. When the file or the
/// app's entry in it cannot be parsed, renames it to `app.ron.corrupt-<timestamp>` so eframe starts
/// empty and the bad file is kept for inspection.
pub fn check_saved_state(path: &Path) -> SavedStateCheck {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return SavedStateCheck::Missing,
        Err(e) => return set_aside(path, format!("cannot read it: {e}")),
    };
    let text = match String::from_utf8(text) {
        Ok(t) => t,
        Err(_) => return set_aside(path, "it is not UTF-8 text".into()),
    };
    let entries: HashMap<String, String> = match ron::from_str(&text) {
        Ok(kv) => kv,
        Err(e) => {
            return set_aside(
                path,
                format!(
                    "line {}, column {}: {}",
                    e.span.start.line, e.span.start.col, e.code
                ),
            );
        }
    };
    if let Some(app) = entries.get(eframe::APP_KEY) {
        match ron::from_str::<State>(app) {
            Err(e) => return set_aside(path, format!("the app's entry: {}", e.code)),
            Ok(state) if state.state_version > STATE_VERSION => {
                return set_aside(
                    path,
                    format!(
                        "it was saved by a newer mailplan (state version {}; this one reads up to {STATE_VERSION})",
                        state.state_version
                    ),
                );
            }
            Ok(_) => {}
        }
    }
    SavedStateCheck::Readable
}

fn set_aside(path: &Path, message: String) -> SavedStateCheck {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "app.ron".into());
    name.push(format!(".corrupt-{stamp}"));
    let target = path.with_file_name(name);
    let moved_to = std::fs::rename(path, &target).ok().map(|_| target);
    SavedStateCheck::Corrupt { moved_to, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_target_maps_to_schemes_and_ports() {
        let mut t = ManualTarget {
            host: "mail.example.com".into(),
            ..Default::default()
        };
        assert_eq!(
            t.to_target().unwrap().to_string(),
            "imaps://mail.example.com:993"
        );
        t.service = ServiceKind::Pop3;
        t.security = Security::Starttls;
        t.port = "1110".into();
        assert_eq!(
            t.to_target().unwrap().to_string(),
            "pop3://mail.example.com:1110"
        );
        t.port = "70000".into();
        assert!(t.to_target().unwrap_err().contains("1 to 65535"));
    }

    #[test]
    fn dns_server_accepts_ip_with_or_without_port() {
        let mut s = CheckSettings::default();
        assert_eq!(s.dns_addr(), Ok(None));
        s.dns_server = "9.9.9.9".into();
        assert_eq!(s.dns_addr().unwrap().unwrap().port(), 53);
        s.dns_server = "127.0.0.1:5353".into();
        assert_eq!(s.dns_addr().unwrap().unwrap().port(), 5353);
        s.dns_server = "dns.example".into();
        assert!(s.dns_addr().is_err());
    }

    #[test]
    fn corrupt_state_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("app.ron");
        assert_eq!(check_saved_state(&p), SavedStateCheck::Missing);
        std::fs::write(&p, "{ \"app\": \"(page: Nowhere\" ").unwrap();
        let found = check_saved_state(&p);
        assert!(
            matches!(
                found,
                SavedStateCheck::Corrupt {
                    moved_to: Some(_),
                    ..
                }
            ),
            "{found:?}"
        );
        assert!(!p.exists());
        assert!(found.notice().unwrap().contains("corrupt-"));
    }
}
