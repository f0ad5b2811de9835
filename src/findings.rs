//! Findings: what a check or diagnosis found, with the server's words, the cause and the fix.

use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// The overall result of one check or diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Warn,
    Fail,
}

impl Verdict {
    /// The verdict implied by a set of findings: any error fails, any warning warns.
    pub fn from_findings(findings: &[Finding]) -> Verdict {
        match findings.iter().map(|f| f.severity).max() {
            Some(Severity::Error) => Verdict::Fail,
            Some(Severity::Warning) => Verdict::Warn,
            _ => Verdict::Ok,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }
}

/// One finding. `code` is stable (e.g. `tls.cert_expired`); scripts may match on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    /// One line, plain words.
    pub title: String,
    /// The server's exact words, when it said anything relevant (untrusted text: escape on output).
    #[serde(default)]
    pub server_text: Option<String>,
    /// What it means and why it happens, in plain language.
    pub explanation: String,
    /// What to change.
    pub fix: String,
}

impl Finding {
    pub fn new(
        code: &str,
        severity: Severity,
        title: impl Into<String>,
        explanation: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            code: code.to_owned(),
            severity,
            title: title.into(),
            server_text: None,
            explanation: explanation.into(),
            fix: fix.into(),
        }
    }

    pub fn with_server_text(mut self, text: impl Into<String>) -> Finding {
        self.server_text = Some(text.into());
        self
    }

    /// How to introduce this finding's `server_text` (see [`evidence_label`]).
    pub fn evidence_label(&self) -> &'static str {
        evidence_label(&self.code)
    }
}

/// How to introduce a finding's quoted words: "DNS answer" for DNS findings (the words are
/// records or the resolver's reply, not a mail server's), "Server said" for everything else.
pub fn evidence_label(code: &str) -> &'static str {
    if code.starts_with("dns.") {
        "DNS answer"
    } else {
        "Server said"
    }
}
