//! Live connectivity checks of POP3, IMAP and SMTP endpoints.
//!
//! [`run_check`] runs one check; [`run_checks`] runs many concurrently. Both report
//! progress over an optional channel and stop when the cancel token fires or the
//! whole-check deadline passes.

pub mod catalogue;
pub mod conn;
mod engine;
pub mod headers;
pub mod imap;
pub mod pop3;
pub mod smtp;
pub mod summary;
pub mod target;
pub mod tls;

pub use engine::{effective_tls_mode, identify_protocol};

use crate::findings::{Finding, Verdict};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
pub use target::{Protocol, Scheme, Target, TlsMode};
use tokio::sync::mpsc;
pub use tokio_util::sync::CancellationToken;

/// Credentials for an optional login step.
#[derive(Debug, Clone)]
pub struct Login {
    pub user: String,
    pub password: Secret,
}

/// How to run checks. `Default` gives the CLI defaults.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Deadline for one whole check.
    pub timeout: Duration,
    /// Use this DNS server instead of the system's.
    pub dns: Option<SocketAddr>,
    /// Extra trusted root certificates (PEM).
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate. Stated in every output.
    pub insecure: bool,
    /// Test the raw plain-text dialogue; never upgrade.
    pub no_starttls: bool,
    pub login: Option<Login>,
    /// Allow sending credentials without TLS.
    pub allow_plaintext_login: bool,
    /// After login, read the headers of the newest message (POP3/IMAP).
    pub inspect_latest: bool,
    /// Name sent in EHLO/HELO.
    pub ehlo_name: String,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            timeout: Duration::from_secs(30),
            dns: None,
            ca_file: None,
            insecure: false,
            no_starttls: false,
            login: None,
            allow_plaintext_login: false,
            inspect_latest: false,
            ehlo_name: "mailplan.invalid".into(),
        }
    }
}

/// One timed step of a check (resolve, connect, tls, greeting, capabilities, starttls, login, quit...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    pub ms: u64,
    pub ok: bool,
    /// A short note, e.g. the address connected to.
    #[serde(default)]
    pub detail: Option<String>,
}

/// Who said a transcript line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Sent by us. Passwords are already replaced by `****`.
    Client,
    /// Received from the server (untrusted text).
    Server,
    /// A note from mailplan (e.g. "TLS handshake done").
    Note,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptLine {
    /// Milliseconds since the check started.
    pub at_ms: u64,
    pub dir: Direction,
    pub text: String,
}

/// What we learned about a server certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertInfo {
    pub subject: String,
    pub sans: Vec<String>,
    pub issuer: String,
    /// RFC 3339 timestamps.
    pub not_before: String,
    pub not_after: String,
    pub self_signed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsInfo {
    /// e.g. "TLSv1.3", when the TLS library tells us.
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub certificate: Option<CertInfo>,
    /// Whether the certificate passed verification (false when `--insecure` let a bad one through).
    pub verified: bool,
}

/// The outcome of connecting to one resolved address, when a host has several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressResult {
    pub address: String,
    pub ok: bool,
    /// Finding code when it failed (e.g. `tcp.refused`).
    #[serde(default)]
    pub code: Option<String>,
    pub ms: u64,
}

/// What the newest message's headers say (`--inspect-latest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatestMessage {
    #[serde(default)]
    pub date_header: Option<String>,
    #[serde(default)]
    pub newest_received: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
}

/// Everything one check recorded. This is also the JSON schema of `mailplan check --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The target as text, e.g. `imaps://mail.example.com:993`.
    pub target: String,
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub tls_mode: TlsMode,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub banner: Option<String>,
    #[serde(default)]
    pub capabilities: Vec<String>,
    #[serde(default)]
    pub auth_mechanisms: Vec<String>,
    #[serde(default)]
    pub tls: Option<TlsInfo>,
    #[serde(default)]
    pub addresses: Vec<AddressResult>,
    #[serde(default)]
    pub transcript: Vec<TranscriptLine>,
    #[serde(default)]
    pub latest_message: Option<LatestMessage>,
    /// True when certificate checks were off for this check.
    #[serde(default)]
    pub insecure: bool,
    pub elapsed_ms: u64,
}

impl CheckResult {
    /// What happened with encryption, in words: the requested mode alone would say
    /// "STARTTLS" even when the server never offered it.
    pub fn tls_mode_description(&self) -> &'static str {
        match self.tls_mode {
            TlsMode::Implicit => "implicit TLS (encrypted from connect)",
            TlsMode::Plain => "plain text (--no-starttls)",
            TlsMode::Starttls => {
                if self.steps.iter().any(|s| s.name == "starttls" && s.ok) {
                    "STARTTLS (upgraded to TLS)"
                } else {
                    "STARTTLS requested; the session stayed in plain text"
                }
            }
        }
    }
}

/// Progress of checks, sent while they run. `index` is the target's position in the list.
#[derive(Debug, Clone)]
pub enum Progress {
    Started {
        index: usize,
        target: String,
    },
    Step {
        index: usize,
        step: Step,
    },
    Finished {
        index: usize,
        result: Box<CheckResult>,
    },
}

/// Runs one check to completion, within `opts.timeout`. Never panics on server input.
pub async fn run_check(
    target: Target,
    opts: Arc<CheckOptions>,
    index: usize,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    cancel: CancellationToken,
) -> CheckResult {
    engine::run(target, opts, index, progress, cancel).await
}

/// Runs all targets concurrently; results come back in the order of `targets`.
pub async fn run_checks(
    targets: Vec<Target>,
    opts: Arc<CheckOptions>,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    cancel: CancellationToken,
) -> Vec<CheckResult> {
    run_each(targets, opts, progress, cancel, run_check).await
}

/// [`run_checks`] with the per-target check given: each runs on its own tokio task, and a task
/// that dies without a result (a panic) gets a `check.internal_error` result in its place.
pub async fn run_each<F, Fut>(
    targets: Vec<Target>,
    opts: Arc<CheckOptions>,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    cancel: CancellationToken,
    check: F,
) -> Vec<CheckResult>
where
    F: Fn(
        Target,
        Arc<CheckOptions>,
        usize,
        Option<mpsc::UnboundedSender<Progress>>,
        CancellationToken,
    ) -> Fut,
    Fut: std::future::Future<Output = CheckResult> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    let n = targets.len();
    // Which target each task checks, so that a task that dies (a panic in mailplan) still gets
    // a result in its own place instead of shifting the others.
    let mut task_target = std::collections::HashMap::new();
    for (i, t) in targets.into_iter().enumerate() {
        let (o, p, c) = (opts.clone(), progress.clone(), cancel.clone());
        let for_error = t.clone();
        let running = check(t, o, i, p, c);
        let handle = set.spawn(async move { (i, running.await) });
        task_target.insert(handle.id(), (i, for_error));
    }
    let mut out: Vec<Option<CheckResult>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, r)) => out[i] = Some(r),
            Err(e) => {
                if let Some((i, t)) = task_target.remove(&e.id()) {
                    let detail = if e.is_panic() {
                        "the check's task panicked"
                    } else {
                        "the check's task was stopped"
                    };
                    out[i] = Some(engine::internal_error_result(
                        t,
                        opts.clone(),
                        i,
                        progress.clone(),
                        detail.to_owned(),
                    ));
                }
            }
        }
    }
    out.into_iter().flatten().collect()
}
