//! Domain diagnosis: MX and provider, settings discovery, then concurrent checks.
//!
//! [`diagnose`] takes `user@example.com` or a domain and:
//! 1. looks up MX, provider and security records ([`crate::dns::mx`]) and SRV records, concurrently;
//! 2. lists client endpoints, in the order mail clients use: SRV (RFC 6186/8314), the provider
//!    table, then guessing (`imap.`, `pop.`, `pop3.`, `mail.`, `smtp.`, the bare domain);
//! 3. checks all of them at once with [`checks::run_checks`], plus SMTP port 25 on the primary MX;
//! 4. sums up what a client should use and what is broken ([`summarize`]).

use crate::checks::{
    self, CancellationToken, CheckOptions, CheckResult, Progress, Protocol, Scheme, Target, TlsMode,
};
use crate::dns::mx::{DomainReport, analyse_domain, both_forms, parse_domain_input};
use crate::dns::providers::{ProviderKind, ProviderTable};
use crate::dns::srv::{SrvService, discover_srv};
use crate::dns::{DEFAULT_LOOKUP_TIMEOUT, DnsClient};
use crate::findings::{Finding, Severity, Verdict};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// JSON schema version of [`Diagnosis`].
pub const DIAGNOSIS_VERSION: u32 = 1;

/// What the user wants from the mail client; it decides between IMAP and POP3.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientGoal {
    /// Mail stays on the server and is the same on every device (IMAP).
    #[default]
    Sync,
    /// One computer downloads the mail (POP3), e.g. to consolidate it into another system.
    Download,
}

/// How to run a diagnosis.
#[derive(Debug, Clone)]
pub struct DiagnoseOptions {
    /// Options for every check (timeout, `dns`, CA file, insecure...). `check.dns` is also used
    /// for the diagnosis's own look-ups.
    pub check: CheckOptions,
    /// Deadline for each DNS look-up.
    pub dns_timeout: Duration,
    /// Do not guess host names when SRV and the provider table give nothing.
    pub no_guess: bool,
    /// Port for the SMTP check of the primary MX (25; tests may use another).
    pub mx_port: u16,
    pub goal: ClientGoal,
}

impl Default for DiagnoseOptions {
    fn default() -> Self {
        DiagnoseOptions {
            check: CheckOptions::default(),
            dns_timeout: DEFAULT_LOOKUP_TIMEOUT,
            no_guess: false,
            mx_port: 25,
            goal: ClientGoal::Sync,
        }
    }
}

/// What an endpoint is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reading mail (IMAP, POP3).
    Incoming,
    /// Sending mail from a client (submission 587, 465).
    Outgoing,
    /// Receiving mail from other servers (SMTP port 25 on the MX).
    Mx,
}

/// Where a candidate endpoint came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// An RFC 6186/8314 SRV record.
    Srv,
    /// The provider table.
    Provider,
    /// A guessed host name on the standard port.
    Guess,
    /// The domain's MX record.
    Mx,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Srv => "SRV record",
            Source::Provider => "provider settings",
            Source::Guess => "guess",
            Source::Mx => "MX record",
        }
    }
}

/// One endpoint to check and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub target: Target,
    pub role: Role,
    pub source: Source,
    /// The record or table entry it came from, e.g. `_imaps._tcp.example.com SRV 0 1 993 mail.example.com`.
    pub origin: String,
}

/// How settings were found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    /// SRV names that exist (with records, "not offered", or a failed look-up).
    pub srv: Vec<SrvService>,
    /// Provider id whose table entry was used.
    #[serde(default)]
    pub provider: Option<String>,
    /// Host names tried by guessing that resolved.
    #[serde(default)]
    pub guessed_hosts: Vec<String>,
    pub guessing_enabled: bool,
}

/// One checked endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointResult {
    pub candidate: Candidate,
    pub result: CheckResult,
}

/// The settings a mail client should use for one direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub protocol: Protocol,
    pub scheme: Scheme,
    pub host: String,
    pub display_host: String,
    pub port: u16,
    pub security: TlsMode,
    pub source: Source,
    /// The verdict of this endpoint's check.
    pub verdict: Verdict,
    /// Why this one, in plain words.
    pub why: String,
}

impl Recommendation {
    /// e.g. "IMAP, mail.example.com, port 993, SSL/TLS".
    pub fn describe(&self) -> String {
        format!(
            "{}, {}, port {}, {}",
            protocol_name(self.protocol, self.scheme),
            both_forms(&self.host, &self.display_host),
            self.port,
            security_name(self.security)
        )
    }
}

/// A problem found by the diagnosis, with the endpoint it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The endpoint (`imaps://host:993`), or none for a domain-wide problem.
    #[serde(default)]
    pub endpoint: Option<String>,
    pub finding: Finding,
}

/// What a client should use and what is broken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Ok when a working incoming and outgoing endpoint were found and both checks passed cleanly.
    pub verdict: Verdict,
    #[serde(default)]
    pub incoming: Option<Recommendation>,
    #[serde(default)]
    pub outgoing: Option<Recommendation>,
    /// Other working incoming endpoints (e.g. POP3 when IMAP is recommended).
    #[serde(default)]
    pub incoming_alternatives: Vec<Recommendation>,
    /// IMAP or POP3, explained for the goal.
    pub imap_or_pop: String,
    /// Everything broken (warnings and errors), domain-wide and per endpoint.
    pub problems: Vec<Problem>,
    /// Provider notes and other advice.
    pub notes: Vec<String>,
}

/// The whole diagnosis. Also the JSON of `mailplan diagnose --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub version: u32,
    /// What the user typed.
    pub input: String,
    #[serde(default)]
    pub address: Option<String>,
    pub domain: String,
    pub display_domain: String,
    /// Worst of everything: DNS findings, diagnosis findings and endpoint problems.
    pub verdict: Verdict,
    /// MX, providers and security records; absent when cancelled before DNS finished.
    #[serde(default)]
    pub dns: Option<DomainReport>,
    pub discovery: Discovery,
    /// Every checked endpoint in candidate order.
    pub endpoints: Vec<EndpointResult>,
    pub summary: Summary,
    /// Domain-wide findings: the DNS findings plus `diag.*` and `net.*`.
    pub findings: Vec<Finding>,
    /// True when certificate checks were off.
    pub insecure: bool,
    pub cancelled: bool,
    pub elapsed_ms: u64,
}

/// Live progress for the GUI.
#[derive(Debug, Clone)]
pub enum DiagnoseProgress {
    /// A stage started ("DNS", "checks").
    Stage(String),
    /// DNS analysis done.
    Domain(Box<DomainReport>),
    /// The endpoints about to be checked; `Check` progress indexes into this list.
    Candidates(Vec<Candidate>),
    /// Progress of one check.
    Check(Progress),
}

type ProgressTx = Option<mpsc::UnboundedSender<DiagnoseProgress>>;

fn send(tx: &ProgressTx, p: DiagnoseProgress) {
    if let Some(tx) = tx {
        let _ = tx.send(p);
    }
}

/// Host prefixes tried by guessing, with the schemes tried on each.
const GUESSES: [(&str, &[Scheme]); 6] = [
    ("imap.", &[Scheme::Imaps, Scheme::Imap]),
    ("pop.", &[Scheme::Pop3s, Scheme::Pop3]),
    ("pop3.", &[Scheme::Pop3s, Scheme::Pop3]),
    ("mail.", &ALL_CLIENT_SCHEMES),
    ("smtp.", &[Scheme::Smtps, Scheme::Submission]),
    ("", &ALL_CLIENT_SCHEMES),
];

const ALL_CLIENT_SCHEMES: [Scheme; 6] = [
    Scheme::Imaps,
    Scheme::Imap,
    Scheme::Pop3s,
    Scheme::Pop3,
    Scheme::Smtps,
    Scheme::Submission,
];

fn role_of(scheme: Scheme) -> Role {
    match scheme.protocol() {
        Protocol::Imap | Protocol::Pop3 => Role::Incoming,
        Protocol::Smtp if scheme == Scheme::Smtp => Role::Mx,
        Protocol::Smtp => Role::Outgoing,
    }
}

/// DNS results the candidate list is built from.
pub struct DnsFacts {
    pub domain: DomainReport,
    pub srv: Vec<SrvService>,
    /// Guessed host names that resolved (ASCII).
    pub guessed_hosts: Vec<String>,
}

/// Looks up everything a diagnosis needs from DNS, concurrently.
pub async fn gather_dns(client: &DnsClient, domain: &str, display: &str, guess: bool) -> DnsFacts {
    let guesses = async {
        if !guess {
            return vec![];
        }
        let mut set = tokio::task::JoinSet::new();
        for (i, (prefix, _)) in GUESSES.iter().enumerate() {
            let host = format!("{prefix}{domain}");
            let client = client.clone();
            set.spawn(async move { (i, client.addresses(&host).await.is_ok().then_some(host)) });
        }
        let mut found: Vec<(usize, String)> = Vec::new();
        while let Some(joined) = set.join_next().await {
            if let Ok((i, Some(h))) = joined {
                found.push((i, h));
            }
        }
        found.sort();
        found.into_iter().map(|(_, h)| h).collect()
    };
    let (report, srv, guessed_hosts) = tokio::join!(
        analyse_domain(client, ProviderTable::builtin(), domain, display),
        discover_srv(client, domain),
        guesses
    );
    DnsFacts {
        domain: report,
        srv,
        guessed_hosts,
    }
}

/// Builds the candidate list from DNS facts: per direction, SRV first, else the provider table,
/// else guesses; plus SMTP on the primary MX.
pub fn candidates(
    facts: &DnsFacts,
    table: &ProviderTable,
    no_guess: bool,
    mx_port: u16,
) -> (Vec<Candidate>, Discovery) {
    let mut out: Vec<Candidate> = Vec::new();
    let mut discovery = Discovery {
        srv: facts.srv.clone(),
        provider: None,
        guessed_hosts: vec![],
        guessing_enabled: !no_guess,
    };
    let push = |out: &mut Vec<Candidate>, c: Candidate| {
        if !out.iter().any(|o| o.target == c.target) {
            out.push(c);
        }
    };
    for role in [Role::Incoming, Role::Outgoing] {
        let before = out.len();
        let srv_declared = facts
            .srv
            .iter()
            .any(|s| role_of(s.scheme) == role && (s.not_offered || !s.records.is_empty()));
        for s in facts.srv.iter().filter(|s| role_of(s.scheme) == role) {
            for r in &s.records {
                if let Ok(t) = r.check_target(s.scheme) {
                    push(
                        &mut out,
                        Candidate {
                            target: t,
                            role,
                            source: Source::Srv,
                            origin: r.text(&s.name),
                        },
                    );
                }
            }
        }
        if out.len() > before || srv_declared {
            continue;
        }
        if let Some(p) = facts
            .domain
            .primary_provider()
            .filter(|p| p.kind == ProviderKind::Mailbox)
            .and_then(|p| table.by_id(&p.id))
        {
            let list = if role == Role::Incoming {
                &p.incoming
            } else {
                &p.outgoing
            };
            for e in list {
                if let Ok(t) = e.target() {
                    discovery.provider = Some(p.id.clone());
                    push(
                        &mut out,
                        Candidate {
                            target: t,
                            role,
                            source: Source::Provider,
                            origin: format!("{} client settings", p.name),
                        },
                    );
                }
            }
        }
        if out.len() > before || no_guess {
            continue;
        }
        for (prefix, schemes) in GUESSES.iter() {
            let host = format!("{prefix}{}", facts.domain.domain);
            if !facts.guessed_hosts.contains(&host) {
                continue;
            }
            for scheme in schemes.iter().filter(|s| role_of(**s) == role) {
                if let Ok(mut t) = Target::new(*scheme, &host, None) {
                    t.display_host = format!("{prefix}{}", facts.domain.display_domain);
                    if !discovery.guessed_hosts.contains(&host) {
                        discovery.guessed_hosts.push(host.clone());
                    }
                    push(
                        &mut out,
                        Candidate {
                            target: t,
                            role,
                            source: Source::Guess,
                            origin: format!(
                                "guessed: {host} resolves; standard port {}",
                                scheme.default_port()
                            ),
                        },
                    );
                }
            }
        }
    }
    let d = &facts.domain;
    if let Some(mx) = d.primary_mx() {
        if let Ok(mut t) = Target::new(Scheme::Smtp, &mx.host, Some(mx_port)) {
            t.display_host = mx.display_host.clone();
            push(
                &mut out,
                Candidate {
                    target: t,
                    role: Role::Mx,
                    source: Source::Mx,
                    origin: format!("MX {} {}", mx.preference, mx.host),
                },
            );
        }
    } else if d.implicit_mx.is_some()
        && let Ok(mut t) = Target::new(Scheme::Smtp, &d.domain, Some(mx_port))
    {
        t.display_host = d.display_domain.clone();
        push(
            &mut out,
            Candidate {
                target: t,
                role: Role::Mx,
                source: Source::Mx,
                origin: format!("implicit MX: {} has no MX record", d.domain),
            },
        );
    }
    (out, discovery)
}

/// Runs a whole diagnosis. Errors only for unusable input or DNS settings.
pub async fn diagnose(
    input: &str,
    opts: &DiagnoseOptions,
    progress: ProgressTx,
    cancel: CancellationToken,
) -> Result<Diagnosis, String> {
    let started = Instant::now();
    let parsed = parse_domain_input(input)?;
    let client = DnsClient::new(opts.check.dns, opts.dns_timeout)?;
    let table = ProviderTable::builtin();

    send(&progress, DiagnoseProgress::Stage("DNS".into()));
    let facts = tokio::select! {
        f = gather_dns(&client, &parsed.domain, &parsed.display_domain, !opts.no_guess) => Some(f),
        _ = cancel.cancelled() => None,
    };
    let Some(facts) = facts else {
        return Ok(cancelled_diagnosis(input, &parsed, opts, started));
    };
    send(
        &progress,
        DiagnoseProgress::Domain(Box::new(facts.domain.clone())),
    );

    let (cands, discovery) = candidates(&facts, table, opts.no_guess, opts.mx_port);
    send(&progress, DiagnoseProgress::Stage("checks".into()));
    send(&progress, DiagnoseProgress::Candidates(cands.clone()));

    let inner = progress.as_ref().map(|outer| {
        let (tx, mut rx) = mpsc::unbounded_channel::<Progress>();
        let outer = outer.clone();
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                if outer.send(DiagnoseProgress::Check(p)).is_err() {
                    break;
                }
            }
        });
        tx
    });
    let targets: Vec<Target> = cands.iter().map(|c| c.target.clone()).collect();
    let results =
        checks::run_checks(targets, Arc::new(opts.check.clone()), inner, cancel.clone()).await;
    let endpoints: Vec<EndpointResult> = cands
        .into_iter()
        .zip(results)
        .map(|(candidate, result)| EndpointResult { candidate, result })
        .collect();

    let (summary, diag_findings) = summarize(&facts.domain, &endpoints, opts.goal, opts.no_guess);
    let mut findings = facts.domain.findings.clone();
    findings.extend(diag_findings);
    let verdict =
        Verdict::from_findings(&findings)
            .max(summary.verdict)
            .max(Verdict::from_findings(
                &summary
                    .problems
                    .iter()
                    .map(|p| p.finding.clone())
                    .collect::<Vec<_>>(),
            ));
    Ok(Diagnosis {
        version: DIAGNOSIS_VERSION,
        input: input.trim().to_owned(),
        address: parsed.address,
        domain: parsed.domain,
        display_domain: parsed.display_domain,
        verdict,
        dns: Some(facts.domain),
        discovery,
        endpoints,
        summary,
        findings,
        insecure: opts.check.insecure,
        cancelled: cancel.is_cancelled(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

fn cancelled_diagnosis(
    input: &str,
    parsed: &crate::dns::mx::DomainInput,
    opts: &DiagnoseOptions,
    started: Instant,
) -> Diagnosis {
    let f = Finding::new(
        "diag.cancelled",
        Severity::Warning,
        "The diagnosis was cancelled",
        "It was stopped before the DNS look-ups finished, so nothing was checked.",
        "Run it again.",
    );
    Diagnosis {
        version: DIAGNOSIS_VERSION,
        input: input.trim().to_owned(),
        address: parsed.address.clone(),
        domain: parsed.domain.clone(),
        display_domain: parsed.display_domain.clone(),
        verdict: Verdict::Warn,
        dns: None,
        discovery: Discovery {
            srv: vec![],
            provider: None,
            guessed_hosts: vec![],
            guessing_enabled: !opts.no_guess,
        },
        endpoints: vec![],
        summary: Summary {
            verdict: Verdict::Warn,
            incoming: None,
            outgoing: None,
            incoming_alternatives: vec![],
            imap_or_pop: String::new(),
            problems: vec![],
            notes: vec![],
        },
        findings: vec![f],
        insecure: opts.check.insecure,
        cancelled: true,
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

/// Whether a check got as far as a TCP connection (its failure, if any, is the server's).
pub fn reached_server(r: &CheckResult) -> bool {
    r.banner.is_some()
        || r.addresses.iter().any(|a| a.ok)
        || r.steps
            .iter()
            .any(|s| s.ok && (s.name == "connect" || s.name == "greeting" || s.name == "tls"))
}

fn protocol_name(p: Protocol, s: Scheme) -> &'static str {
    match (p, s) {
        (Protocol::Imap, _) => "IMAP",
        (Protocol::Pop3, _) => "POP3",
        (Protocol::Smtp, Scheme::Smtp) => "SMTP",
        (Protocol::Smtp, _) => "SMTP submission",
    }
}

fn security_name(m: TlsMode) -> &'static str {
    match m {
        TlsMode::Implicit => "SSL/TLS",
        TlsMode::Starttls => "STARTTLS",
        TlsMode::Plain => "none (plain text)",
    }
}

fn rank_incoming(c: &Candidate, goal: ClientGoal) -> (u8, u8) {
    let proto = match (c.target.protocol(), goal) {
        (Protocol::Imap, ClientGoal::Sync) | (Protocol::Pop3, ClientGoal::Download) => 0,
        _ => 1,
    };
    let tls = match c.target.scheme.tls_mode() {
        TlsMode::Implicit => 0,
        TlsMode::Starttls => 1,
        TlsMode::Plain => 2,
    };
    (proto, tls)
}

fn recommendation(e: &EndpointResult, why: String) -> Recommendation {
    let t = &e.candidate.target;
    Recommendation {
        protocol: t.protocol(),
        scheme: t.scheme,
        host: t.host.clone(),
        display_host: t.display_host.clone(),
        port: t.port,
        security: e.result.tls_mode,
        source: e.candidate.source,
        verdict: e.result.verdict,
        why,
    }
}

fn imap_or_pop_text(goal: ClientGoal, has_imap: bool, has_pop: bool) -> String {
    let base = "IMAP keeps the mail on the server: every device sees the same folders and read marks, and the server's retention, archiving and legal hold (e.g. for SOX) cover all of it. POP3 downloads the mail to one computer; unless 'leave a copy on the server' is set it is then gone from the server, other devices never see it, and a system that fetches by POP3 may stamp messages with the download time instead of the time they were sent.";
    let choice = match (goal, has_imap, has_pop) {
        (ClientGoal::Sync, true, _) => "For normal use, choose IMAP.",
        (ClientGoal::Sync, false, true) => {
            "Only POP3 works from here, so a client can only download mail; turn on 'leave a copy on the server' so mail stays available elsewhere."
        }
        (ClientGoal::Download, _, true) => {
            "You asked to download mail to one place, so POP3 is recommended; keep a copy on the server while you test, and check that the receiving system keeps the original Date header."
        }
        (ClientGoal::Download, true, false) => {
            "POP3 does not work here; IMAP can be used to download mail instead."
        }
        _ => "Neither IMAP nor POP3 works from here yet.",
    };
    format!("{choice} {base}")
}

/// Sums up the checked endpoints: what a client should use, what is broken (pure: no I/O).
/// Returns the summary and the diagnosis-level findings (`diag.*`, `net.*`).
pub fn summarize(
    domain: &DomainReport,
    endpoints: &[EndpointResult],
    goal: ClientGoal,
    no_guess: bool,
) -> (Summary, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut problems: Vec<Problem> = domain
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| Problem {
            endpoint: None,
            finding: f.clone(),
        })
        .collect();
    let works = |e: &&EndpointResult| e.result.verdict != Verdict::Fail;

    // Incoming.
    let mut incoming: Vec<&EndpointResult> = endpoints
        .iter()
        .filter(|e| e.candidate.role == Role::Incoming)
        .collect();
    incoming.sort_by_key(|e| (e.result.verdict, rank_incoming(&e.candidate, goal)));
    let working_in: Vec<&EndpointResult> = incoming.iter().copied().filter(works).collect();
    let has_imap = working_in
        .iter()
        .any(|e| e.candidate.target.protocol() == Protocol::Imap);
    let has_pop = working_in
        .iter()
        .any(|e| e.candidate.target.protocol() == Protocol::Pop3);
    let incoming_rec = working_in.first().map(|e| {
        recommendation(
            e,
            format!(
                "{} works from here (found by {}).",
                protocol_name(e.candidate.target.protocol(), e.candidate.target.scheme),
                e.candidate.source.label()
            ),
        )
    });
    let alternatives: Vec<Recommendation> = working_in
        .iter()
        .skip(1)
        .filter(|e| {
            Some(e.candidate.target.protocol()) != incoming_rec.as_ref().map(|r| r.protocol)
        })
        .take(1)
        .map(|e| recommendation(e, "Also works.".into()))
        .collect();

    // Outgoing.
    let mut outgoing: Vec<&EndpointResult> = endpoints
        .iter()
        .filter(|e| e.candidate.role == Role::Outgoing)
        .collect();
    outgoing.sort_by_key(|e| {
        (
            e.result.verdict,
            if e.candidate.target.scheme == Scheme::Smtps {
                0
            } else {
                1
            },
        )
    });
    let outgoing_rec = outgoing.iter().copied().find(works).map(|e| {
        recommendation(
            e,
            format!(
                "Mail submission on port {} works from here (found by {}).",
                e.candidate.target.port,
                e.candidate.source.label()
            ),
        )
    });

    let none_found_fix = if no_guess {
        "Run again without --no-guess, or ask the mail provider for the server names and enter them by hand (mailplan check)."
    } else {
        "Ask the mail provider for the server names and ports, then check them with 'mailplan check'. Publishing SRV records (_imaps._tcp, _submissions._tcp) lets clients find them automatically."
    };
    let dir_finding = |dir: &str, list: &[&EndpointResult]| -> Option<Finding> {
        if list.is_empty() {
            Some(Finding::new(
                &format!("diag.no_{dir}_found"),
                Severity::Error,
                format!(
                    "No {dir} mail server was found for {}",
                    domain.domain_label()
                ),
                "Neither SRV records, nor the provider table, nor the usual host names gave a server to check.",
                none_found_fix,
            ))
        } else if !list.iter().any(works) {
            Some(Finding::new(
                &format!("diag.no_{dir}"),
                Severity::Error,
                format!("None of the {} {dir} endpoints works from here", list.len()),
                "Every endpoint found failed its check; see each endpoint's findings for the server's words and the cause.",
                "Fix the first endpoint's problem (usually a firewall, a wrong port, or a certificate), or ask the provider for the right settings.",
            ))
        } else {
            None
        }
    };
    if !domain.null_mx {
        findings.extend(dir_finding("incoming", &incoming));
        findings.extend(dir_finding("outgoing", &outgoing));
    }

    // Endpoints that were declared (SRV, provider, MX) but failed are problems; failed guesses are not.
    for e in endpoints.iter().filter(|e| e.result.verdict != Verdict::Ok) {
        if e.candidate.source == Source::Guess && e.result.verdict == Verdict::Fail {
            continue;
        }
        if e.candidate.role == Role::Mx && !reached_server(&e.result) {
            continue; // handled below
        }
        for f in e
            .result
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
        {
            problems.push(Problem {
                endpoint: Some(e.result.target.clone()),
                finding: f.clone(),
            });
        }
        if e.result.verdict == Verdict::Fail
            && !e
                .result
                .findings
                .iter()
                .any(|f| f.severity == Severity::Error)
        {
            problems.push(Problem {
                endpoint: Some(e.result.target.clone()),
                finding: Finding::new(
                    "diag.endpoint_failed",
                    Severity::Warning,
                    format!(
                        "{} ({}) failed its check",
                        e.result.target,
                        e.candidate.source.label()
                    ),
                    "This endpoint was published for the domain but did not work from here.",
                    "See the endpoint's steps and transcript.",
                ),
            });
        }
    }

    // Port 25 on the MX.
    if let Some(mx) = endpoints.iter().find(|e| e.candidate.role == Role::Mx)
        && mx.result.verdict == Verdict::Fail
        && !reached_server(&mx.result)
    {
        let other_reached = endpoints
            .iter()
            .any(|e| e.candidate.role != Role::Mx && reached_server(&e.result));
        let submission_works = outgoing_rec.is_some();
        let refused = mx.result.findings.iter().any(|f| f.code == "tcp.refused");
        let f = if other_reached && refused {
            Finding::new(
                "net.port25_blocked",
                Severity::Warning,
                format!(
                    "Port {} on the MX {} refused the connection from here{}",
                    mx.candidate.target.port,
                    mx.candidate.target.host,
                    if submission_works {
                        ", while mail submission works"
                    } else {
                        ""
                    }
                ),
                "Other mail ports answer. A refusal on port 25 usually comes from a firewall on this network that blocks outgoing port 25 (as many ISPs and company networks do to stop spam); less often the MX server itself does not listen on port 25. Mail clients do not need port 25.",
                "Check port 25 from a server or another network: if it answers there, this network blocks it and nothing needs fixing on the server. If it is refused everywhere, the MX server must listen on port 25 to receive mail from other servers.",
            )
        } else if other_reached {
            Finding::new(
                "net.port25_blocked",
                Severity::Warning,
                format!(
                    "Port {} on the MX {} cannot be reached from here{}",
                    mx.candidate.target.port,
                    mx.candidate.target.host,
                    if submission_works {
                        ", while mail submission works"
                    } else {
                        ""
                    }
                ),
                "Other mail ports answer, so this network is probably blocking outgoing connections to port 25, as most ISPs, hotels and many company firewalls do to stop spam. It is not a fault of the mail server: other mail servers on the internet can still deliver to it.",
                "Nothing to fix on the server. To test port 25, check from a server or network that allows it. Mail clients should send through submission (port 587 or 465), never port 25.",
            )
        } else {
            Finding::new(
                "diag.mx_unreachable",
                Severity::Warning,
                format!(
                    "The MX {} did not answer on port {}",
                    mx.candidate.target.host, mx.candidate.target.port
                ),
                "Nothing else answered from here either, so this network may have no outside access, or the mail server is down.",
                "Check this computer's internet access and firewall first; then ask the mail server's administrator.",
            )
        };
        // Only words the server (or the network) really said; a refused or silent port said nothing.
        let text = mx
            .result
            .findings
            .iter()
            .find_map(|f| f.server_text.clone());
        findings.push(match text {
            Some(t) => f.with_server_text(t),
            None => f,
        });
    }

    for f in &findings {
        if f.severity >= Severity::Warning {
            problems.push(Problem {
                endpoint: None,
                finding: f.clone(),
            });
        }
    }

    let mut notes: Vec<String> = domain
        .primary_provider()
        .map(|p| p.notes.clone())
        .unwrap_or_default();
    if domain.null_mx {
        notes.push(
            "The domain declares that it receives no mail (null MX), so no client settings apply."
                .into(),
        );
    }

    let verdict = match (&incoming_rec, &outgoing_rec) {
        (Some(i), Some(o)) => i.verdict.max(o.verdict),
        _ => Verdict::Fail,
    };
    (
        Summary {
            verdict,
            incoming: incoming_rec,
            outgoing: outgoing_rec,
            incoming_alternatives: alternatives,
            imap_or_pop: imap_or_pop_text(goal, has_imap, has_pop),
            problems,
            notes,
        },
        findings,
    )
}
