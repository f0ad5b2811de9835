//! The check engine: the eight steps of a check, in order, each timed.

use super::conn::{Clock, ConnError, Session, Stream};
use super::{
    AddressResult, CheckOptions, CheckResult, LatestMessage, Progress, Protocol, Step, Target,
    TlsInfo, TlsMode, catalogue, imap, pop3, smtp, tls,
};
use crate::findings::{Finding, Severity, Verdict};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Greetings slower than this get a `greeting.slow` note.
const SLOW_GREETING: Duration = Duration::from_secs(5);
/// Most time spent waiting for other addresses once one has connected.
const OTHER_ADDRESSES_GRACE: Duration = Duration::from_secs(3);

/// The check has ended early; its reason is already a finding.
pub struct Stop;

pub type Flow<T> = Result<T, Stop>;

/// What the server said it can do.
#[derive(Debug, Default, Clone)]
pub struct Caps {
    /// The capability list was obtained.
    pub known: bool,
    pub list: Vec<String>,
    pub mechs: Vec<String>,
    pub starttls: bool,
    /// IMAP LOGINDISABLED.
    pub login_disabled: bool,
}

/// One running check.
pub struct Run {
    pub clock: Clock,
    pub target: Target,
    pub opts: Arc<CheckOptions>,
    index: usize,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    pub findings: Vec<Finding>,
    steps: Vec<Step>,
    pub banner: Option<String>,
    pub caps: Caps,
    pub tls: Option<TlsInfo>,
    addresses: Vec<AddressResult>,
    pub latest: Option<LatestMessage>,
    /// How many findings there were when the login began; only later ones can quote an echo of
    /// the password.
    pub findings_before_login: usize,
    /// Whether login succeeded.
    pub logged_in: bool,
    pub imap_tag: u32,
}

impl Run {
    /// Adds a catalogue finding, with the server's words when given.
    pub fn add(&mut self, code: &str, server_text: Option<&str>) -> &mut Finding {
        let mut f = catalogue::finding(code);
        if let Some(t) = server_text {
            f.server_text = Some(t.to_owned());
        }
        if self.opts.insecure && code.starts_with("tls.cert_") {
            // The user chose to accept the certificate; still say what is wrong with it.
            f.severity = Severity::Warning;
        }
        self.findings.push(f);
        self.findings.last_mut().expect("just pushed")
    }

    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// Records a finished step and reports it.
    pub fn step(&mut self, name: &str, started: Instant, ok: bool, detail: Option<String>) {
        let step = Step {
            name: name.to_owned(),
            ms: started.elapsed().as_millis() as u64,
            ok,
            detail,
        };
        if let Some(p) = &self.progress {
            let _ = p.send(Progress::Step {
                index: self.index,
                step: step.clone(),
            });
        }
        self.steps.push(step);
    }

    /// Turns a read/write error into a finding and stops. `closed_code` is used when the server hung up.
    pub fn conn_error(&mut self, err: ConnError, closed_code: &str) -> Stop {
        match err {
            ConnError::Deadline | ConnError::Timeout => {
                let secs = self.opts.timeout.as_secs_f64();
                self.add("deadline.exceeded", None).title =
                    format!("The check ran past its deadline ({secs:.0} s)");
            }
            ConnError::Cancelled => {
                self.add("check.cancelled", None);
            }
            ConnError::TooLong => {
                self.add("greeting.too_long", None);
            }
            ConnError::Closed(partial) => {
                let text = if partial.is_empty() {
                    None
                } else {
                    Some(partial.as_str())
                };
                self.add(closed_code, text);
            }
            ConnError::Io(e) => {
                let text = e.to_string();
                self.add(closed_code, Some(&text));
            }
        }
        Stop
    }

    /// A fresh timing context sharing this check's deadline and cancel token (for side probes).
    fn side_clock(&self) -> Clock {
        Clock {
            start: self.clock.start,
            deadline: self.clock.deadline,
            cancel: self.clock.cancel.clone(),
            transcript: Vec::new(),
            secret_sent_at: None,
        }
    }

    pub fn next_tag(&mut self) -> String {
        self.imap_tag += 1;
        format!("a{}", self.imap_tag)
    }

    /// A run that has done nothing yet.
    fn new(
        clock: Clock,
        target: Target,
        opts: Arc<CheckOptions>,
        index: usize,
        progress: Option<mpsc::UnboundedSender<Progress>>,
    ) -> Self {
        Run {
            clock,
            target,
            opts,
            index,
            progress,
            findings: Vec::new(),
            steps: Vec::new(),
            banner: None,
            caps: Caps::default(),
            tls: None,
            addresses: Vec::new(),
            latest: None,
            findings_before_login: 0,
            logged_in: false,
            imap_tag: 0,
        }
    }
}

/// The result for a check whose task ended without one (a fault in mailplan, e.g. a panic):
/// a failing result with `check.internal_error`, reported to `progress` like any other, so that
/// a caller waiting for every result is never left waiting.
pub fn internal_error_result(
    target: Target,
    opts: Arc<CheckOptions>,
    index: usize,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    detail: String,
) -> CheckResult {
    let clock = Clock::new(opts.timeout, CancellationToken::new());
    let mut run = Run::new(clock, target, opts, index, progress);
    run.add("check.internal_error", Some(&detail));
    finish(run)
}

/// Runs one check. Never panics on server input; always returns within the deadline plus a little.
pub async fn run(
    target: Target,
    opts: Arc<CheckOptions>,
    index: usize,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    cancel: CancellationToken,
) -> CheckResult {
    if let Some(p) = &progress {
        let _ = p.send(Progress::Started {
            index,
            target: target.to_string(),
        });
    }
    let clock = Clock::new(opts.timeout, cancel);
    let mut run = Run::new(clock, target, opts, index, progress);
    if run.opts.insecure {
        run.clock.note("--insecure: certificates are not verified");
    }
    let mut session = None;
    let _ = steps(&mut run, &mut session).await;
    if let Some(s) = session.as_mut() {
        s.shutdown().await;
    }
    finish(run)
}

/// Replaces the password (and its base64 forms) wherever a server echoed it back: in what the
/// server said after the password went out, and in findings. Text from before (the banner, the
/// capabilities) cannot hold an echo and is left as it is: replacing a word there that happens to
/// be the password would tell every reader the password. Very short passwords are left alone
/// (they would match ordinary text).
fn redact_password(run: &mut Run) {
    let Some(login) = run.opts.login.as_ref() else {
        return;
    };
    let Some(sent_at) = run.clock.secret_sent_at else {
        return;
    };
    let pw = login.password.expose();
    if pw.chars().count() < 4 {
        return;
    }
    let forms = [
        zeroize::Zeroizing::new(pw.to_owned()),
        zeroize::Zeroizing::new(base64(pw.as_bytes())),
        sasl_plain(&login.user, pw),
    ];
    let scrub = |text: &mut String| {
        for f in &forms {
            if text.contains(f.as_str()) {
                *text = text.replace(f.as_str(), "****");
            }
        }
    };
    for l in run.clock.transcript.iter_mut().skip(sent_at) {
        scrub(&mut l.text);
    }
    // The newest message's headers are read after the login.
    if let Some(m) = run.latest.as_mut() {
        for t in [&mut m.subject, &mut m.date_header, &mut m.newest_received]
            .into_iter()
            .flatten()
        {
            scrub(t);
        }
    }
    for f in run.findings.iter_mut().skip(run.findings_before_login) {
        scrub(&mut f.title);
        scrub(&mut f.explanation);
        scrub(&mut f.fix);
        if let Some(t) = f.server_text.as_mut() {
            scrub(t);
        }
    }
}

fn finish(mut run: Run) -> CheckResult {
    redact_password(&mut run);
    let tls_mode = effective_tls_mode(&run.target, &run.opts);
    let result = CheckResult {
        target: run.target.to_string(),
        protocol: run.target.protocol(),
        host: run.target.host.clone(),
        port: run.target.port,
        tls_mode,
        verdict: Verdict::from_findings(&run.findings),
        findings: run.findings,
        steps: run.steps,
        banner: run.banner,
        capabilities: run.caps.list,
        auth_mechanisms: run.caps.mechs,
        tls: run.tls,
        addresses: run.addresses,
        transcript: run.clock.transcript,
        latest_message: run.latest,
        insecure: run.opts.insecure,
        elapsed_ms: run.clock.start.elapsed().as_millis() as u64,
    };
    if let Some(p) = &run.progress {
        let _ = p.send(Progress::Finished {
            index: run.index,
            result: Box::new(result.clone()),
        });
    }
    result
}

/// The TLS mode actually used: `--no-starttls` turns STARTTLS into plain.
pub fn effective_tls_mode(target: &Target, opts: &CheckOptions) -> TlsMode {
    match target.scheme.tls_mode() {
        TlsMode::Starttls if opts.no_starttls => TlsMode::Plain,
        m => m,
    }
}

/// True when text contains CR, LF or NUL.
fn has_line_break(text: &str) -> bool {
    text.contains(['\r', '\n', '\0'])
}

async fn steps(run: &mut Run, session_slot: &mut Option<Session>) -> Flow<()> {
    // Inputs are checked before anything is sent.
    let mut bad = Vec::new();
    if has_line_break(&run.target.host) {
        bad.push("host");
    }
    if has_line_break(&run.opts.ehlo_name) || run.opts.ehlo_name.contains(' ') {
        bad.push("EHLO name");
    }
    if let Some(l) = &run.opts.login {
        if has_line_break(&l.user) {
            bad.push("user name");
        }
        if has_line_break(l.password.expose()) {
            bad.push("password");
        }
    }
    if !bad.is_empty() {
        run.add("input.invalid", None).title = format!(
            "The check was not started: the {} contains CR, LF or NUL",
            bad.join(" and ")
        );
        return Err(Stop);
    }
    let connector = match shared_connector(run.opts.ca_file.as_deref(), !run.opts.insecure) {
        Ok(c) => c,
        Err(e) => {
            let f = run.add("input.invalid", None);
            f.title = "The check was not started: the CA file cannot be used".into();
            f.explanation = e;
            f.fix = "Give a PEM file with one or more CA certificates.".into();
            return Err(Stop);
        }
    };

    // 1. resolve
    let addrs = resolve(run).await?;

    // 2. connect
    let (tcp, addr) = connect(run, &addrs).await?;

    // 3. TLS handshake, for implicit TLS
    let mode = effective_tls_mode(&run.target, &run.opts);
    let stream = if mode == TlsMode::Implicit {
        let started = Instant::now();
        let host = run.target.host.clone();
        let hs = run
            .clock
            .bounded(None, async {
                Ok(tls::handshake(&connector, &host, tcp).await)
            })
            .await;
        match hs {
            Err(e) => {
                run.step("tls", started, false, None);
                return Err(handshake_interrupted(run, e));
            }
            Ok(Err(text)) => {
                run.step("tls", started, false, Some(text.clone()));
                tls_failure(run, &text, addr, false).await;
                return Err(Stop);
            }
            Ok(Ok(s)) => {
                run.step("tls", started, true, None);
                tls_success(run, &s);
                Stream::Tls(Box::new(s))
            }
        }
    } else {
        Stream::Plain(tcp)
    };
    let session = session_slot.insert(Session::new(stream));

    // 4. greeting
    greeting(run, session, addr, &connector).await?;

    // 5. capabilities
    let started = Instant::now();
    let r = capabilities(run, session).await;
    run.step("capabilities", started, r.is_ok(), None);
    r?;

    // 6. STARTTLS and a second capability round
    if mode == TlsMode::Starttls && !session.is_tls() {
        starttls(run, session, addr, &connector).await?;
    }

    // 7. login
    if let Some(login) = run.opts.login.clone() {
        let started = Instant::now();
        if !session.is_tls() && !run.opts.allow_plaintext_login {
            run.add("auth.plaintext_withheld", None);
            run.step(
                "login",
                started,
                false,
                Some("skipped: not encrypted".into()),
            );
        } else {
            // Findings from here on may quote what the server said after it got the password.
            run.findings_before_login = run.findings.len();
            let r = match run.target.protocol() {
                Protocol::Smtp => smtp::login(run, session, &login).await,
                Protocol::Pop3 => pop3::login(run, session, &login).await,
                Protocol::Imap => imap::login(run, session, &login).await,
            };
            let ok = r.is_ok() && run.logged_in;
            run.step("login", started, ok, None);
            r?;
            if ok && run.opts.inspect_latest {
                let started = Instant::now();
                let r = match run.target.protocol() {
                    Protocol::Pop3 => pop3::inspect_latest(run, session).await,
                    Protocol::Imap => imap::inspect_latest(run, session).await,
                    Protocol::Smtp => Ok(()),
                };
                if run.target.protocol() != Protocol::Smtp {
                    run.step("inspect", started, r.is_ok(), None);
                }
                r?;
            }
        }
    }

    // 8. polite quit
    let started = Instant::now();
    let limit = Some(Instant::now() + Duration::from_secs(2));
    let ok = match run.target.protocol() {
        Protocol::Smtp => smtp::quit(run, session, limit).await,
        Protocol::Pop3 => pop3::quit(run, session, limit).await,
        Protocol::Imap => imap::quit(run, session, limit).await,
    };
    run.step("quit", started, ok, None);
    Ok(())
}

/// A TLS connector for these settings, shared between checks. Building one loads the system's
/// root certificates (tens of milliseconds of CPU, blocking), so many checks started at once would
/// otherwise queue behind each other. Keyed by the CA file's path and contents, so an edited file
/// is picked up.
fn shared_connector(
    ca_file: Option<&std::path::Path>,
    verify: bool,
) -> Result<tokio_native_tls::TlsConnector, String> {
    type Key = (Option<(std::path::PathBuf, Vec<u8>)>, bool);
    static BUILT: std::sync::Mutex<Vec<(Key, tokio_native_tls::TlsConnector)>> =
        std::sync::Mutex::new(Vec::new());
    let ca = match ca_file {
        None => None,
        Some(p) => match std::fs::read(p) {
            Ok(pem) => Some((p.to_path_buf(), pem)),
            // tls::connector words the error.
            Err(_) => return tls::connector(ca_file, verify),
        },
    };
    let key: Key = (ca, verify);
    // Held while building, so checks started together build it once.
    let mut built = BUILT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, c)) = built.iter().find(|(k, _)| *k == key) {
        return Ok(c.clone());
    }
    let c = tls::connector(ca_file, verify)?;
    if built.len() >= 4 {
        built.remove(0);
    }
    built.push((key, c.clone()));
    Ok(c)
}

/// Step 1: resolve the host, with the system resolver or the `--dns` server.
async fn resolve(run: &mut Run) -> Flow<Vec<SocketAddr>> {
    let started = Instant::now();
    let host = run.target.host.clone();
    let port = run.target.port;
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        run.step(
            "resolve",
            started,
            true,
            Some(format!("{ip} (an address, no look-up)")),
        );
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let dns = run.opts.dns;
    let lookup = run
        .clock
        .bounded(None, async {
            Ok(match dns {
                Some(server) => resolve_with(server, &host).await,
                None => resolve_system(&host, port).await,
            })
        })
        .await;
    match lookup {
        // The look-up itself used up the check's deadline (a DNS server that does not answer,
        // with a deadline shorter than the resolver's own time-outs): a DNS problem.
        Err(ConnError::Deadline | ConnError::Timeout) => {
            let secs = started.elapsed().as_secs_f64();
            run.step("resolve", started, false, Some("no answer".into()));
            run.add("dns.failed", None).title = format!(
                "The DNS look-up of {host} got no answer within the deadline ({secs:.1} s)"
            );
            Err(Stop)
        }
        Err(e) => {
            run.step("resolve", started, false, None);
            Err(run.conn_error(e, "dns.failed"))
        }
        Ok(Err((code, text))) => {
            run.step("resolve", started, false, Some(text.clone()));
            run.add(code, Some(&text));
            Err(Stop)
        }
        Ok(Ok(ips)) => {
            let mut addrs: Vec<SocketAddr> = Vec::new();
            for ip in ips {
                let a = SocketAddr::new(ip, port);
                if !addrs.contains(&a) {
                    addrs.push(a);
                }
            }
            let shown = addrs
                .iter()
                .map(|a| a.ip().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            run.clock.note(format!("{host} resolves to {shown}"));
            run.step("resolve", started, true, Some(shown));
            Ok(addrs)
        }
    }
}

type Resolved = Result<Vec<std::net::IpAddr>, (&'static str, String)>;

async fn resolve_system(host: &str, port: u16) -> Resolved {
    match tokio::net::lookup_host((host, port)).await {
        Ok(it) => {
            let ips: Vec<_> = it.map(|a| a.ip()).collect();
            if ips.is_empty() {
                Err(("dns.no_address", format!("{host} has no address")))
            } else {
                Ok(ips)
            }
        }
        Err(e) => {
            let text = e.to_string();
            let lower = text.to_ascii_lowercase();
            let code = if lower.contains("no address associated") || lower.contains("no data") {
                "dns.no_address"
            } else if lower.contains("not known")
                || lower.contains("nodename nor servname")
                || lower.contains("no such host")
            {
                "dns.nxdomain"
            } else {
                "dns.failed"
            };
            Err((code, text))
        }
    }
}

async fn resolve_with(server: SocketAddr, host: &str) -> Resolved {
    use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
    use hickory_resolver::net::runtime::TokioRuntimeProvider;
    let mut udp = ConnectionConfig::udp();
    udp.port = server.port();
    let mut tcp = ConnectionConfig::tcp();
    tcp.port = server.port();
    let ns = NameServerConfig::new(server.ip(), true, vec![udp, tcp]);
    let config = ResolverConfig::from_name_servers(vec![ns]);
    let mut builder =
        hickory_resolver::Resolver::builder_with_config(config, TokioRuntimeProvider::default());
    builder.options_mut().attempts = 1;
    builder.options_mut().timeout = Duration::from_secs(2);
    let resolver = builder.build().map_err(|e| ("dns.failed", e.to_string()))?;
    let name = format!("{host}.");
    // Both transports together get one bounded wait, so a dead DNS server is reported as such
    // instead of running the whole check into its deadline.
    let lookup = tokio::time::timeout(Duration::from_secs(4), resolver.lookup_ip(name.as_str()));
    match lookup.await {
        Err(_) => Err((
            "dns.failed",
            format!("no answer from the DNS server at {server} within 4 s"),
        )),
        Ok(Ok(l)) => {
            let ips: Vec<_> = l.iter().collect();
            if ips.is_empty() {
                Err(("dns.no_address", format!("{host} has no A or AAAA record")))
            } else {
                Ok(ips)
            }
        }
        Ok(Err(e)) if e.is_nx_domain() => Err((
            "dns.nxdomain",
            format!("{host}: NXDOMAIN (the DNS server at {server} says this name does not exist)"),
        )),
        Ok(Err(e)) if e.is_no_records_found() => Err((
            "dns.no_address",
            format!("{host}: the name exists but has no A or AAAA record"),
        )),
        Ok(Err(e)) => Err(("dns.failed", format!("DNS server at {server}: {e}"))),
    }
}

fn connect_code(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "tcp.refused",
        std::io::ErrorKind::TimedOut => "tcp.timeout",
        _ => "tcp.failed",
    }
}

/// Step 2: connect to every address at once; the first that works (in resolver order) carries the dialogue.
async fn connect(run: &mut Run, addrs: &[SocketAddr]) -> Flow<(TcpStream, SocketAddr)> {
    let started = Instant::now();
    let per_address = Instant::now() + run.clock.remaining().min(Duration::from_secs(15));
    let mut set = tokio::task::JoinSet::new();
    for (i, a) in addrs.iter().copied().enumerate() {
        set.spawn(async move {
            let t0 = Instant::now();
            let r = tokio::time::timeout_at(per_address, TcpStream::connect(a)).await;
            (i, a, t0.elapsed(), r)
        });
    }
    let mut outcomes: Vec<Option<(AddressResult, Option<TcpStream>)>> =
        (0..addrs.len()).map(|_| None).collect();
    let mut grace: Option<Instant> = None;
    let cancel = run.clock.cancel.clone();
    let deadline = run.clock.deadline;
    loop {
        let wake = grace.unwrap_or(deadline).min(deadline);
        tokio::select! {
            joined = set.join_next() => {
                let Some(joined) = joined else { break };
                let Ok((i, a, took, r)) = joined else { continue };
                let ms = took.as_millis() as u64;
                let (ok, code, stream) = match r {
                    Ok(Ok(s)) => (true, None, Some(s)),
                    Ok(Err(e)) => (false, Some(connect_code(&e).to_owned()), None),
                    Err(_) => (false, Some("tcp.timeout".to_owned()), None),
                };
                if ok && grace.is_none() {
                    grace = Some(Instant::now() + OTHER_ADDRESSES_GRACE);
                }
                outcomes[i] = Some((AddressResult { address: a.to_string(), ok, code, ms }, stream));
            }
            _ = tokio::time::sleep_until(wake) => break,
            _ = cancel.cancelled() => {
                run.step("connect", started, false, None);
                run.add("check.cancelled", None);
                return Err(Stop);
            }
        }
    }
    set.abort_all();
    let mut chosen = None;
    let mut results = Vec::new();
    for (i, o) in outcomes.into_iter().enumerate() {
        let (res, stream) = o.unwrap_or_else(|| {
            (
                AddressResult {
                    address: addrs[i].to_string(),
                    ok: false,
                    code: Some("tcp.timeout".into()),
                    ms: started.elapsed().as_millis() as u64,
                },
                None,
            )
        });
        run.clock.note(format!(
            "connect {}: {}",
            res.address,
            if res.ok {
                "ok"
            } else {
                res.code.as_deref().unwrap_or("failed")
            }
        ));
        if chosen.is_none()
            && let Some(s) = stream
        {
            chosen = Some((s, addrs[i]));
        }
        results.push(res);
    }
    let differ = results.iter().any(|r| r.ok) && results.iter().any(|r| !r.ok);
    if results.len() > 1 {
        run.addresses = results.clone();
    }
    match chosen {
        Some((s, a)) => {
            run.step("connect", started, true, Some(a.to_string()));
            if differ {
                let failed: Vec<_> = results
                    .iter()
                    .filter(|r| !r.ok)
                    .map(|r| format!("{} ({})", r.address, r.code.as_deref().unwrap_or("failed")))
                    .collect();
                let f = run.add("tcp.failed", None);
                f.severity = Severity::Warning;
                f.title = format!(
                    "Some addresses of this host do not answer: {}",
                    failed.join(", ")
                );
                f.explanation = "The host has several addresses and not all of them accept connections. Clients that pick a failing address (often IPv6) hang or fail intermittently.".into();
                f.fix = "Fix or remove the DNS record of the failing address, or the firewall in front of it.".into();
            }
            Ok((s, a))
        }
        None => {
            run.step("connect", started, false, None);
            let code = results
                .iter()
                .filter_map(|r| r.code.clone())
                .next()
                .unwrap_or_else(|| "tcp.timeout".into());
            let detail = results
                .iter()
                .map(|r| format!("{}: {}", r.address, r.code.as_deref().unwrap_or("failed")))
                .collect::<Vec<_>>()
                .join("; ");
            if run.clock.cancel.is_cancelled() {
                run.add("check.cancelled", None);
            } else {
                let f = run.add(&code, None);
                if results.len() > 1 {
                    f.explanation = format!("{} (Every address failed: {detail}.)", f.explanation);
                }
            }
            Err(Stop)
        }
    }
}

/// Records the TLS version (unknown with native-tls) and certificate of a successful handshake.
fn tls_success(run: &mut Run, stream: &tokio_native_tls::TlsStream<TcpStream>) {
    let cert = tls::peer_cert_info(stream);
    run.clock.note("TLS handshake done");
    if run.opts.insecure {
        run.add("tls.not_verified", None);
        if let Some(c) = &cert {
            let host = run.target.host.clone();
            for code in tls::self_check(c, &host) {
                let c = c.clone();
                describe_cert_problem(run.add(code, None), &c, &host);
            }
        }
    }
    run.tls = Some(TlsInfo {
        version: None,
        certificate: cert,
        verified: !run.opts.insecure,
    });
}

/// Adds the certificate's dates or names to a certificate finding.
fn describe_cert_problem(f: &mut Finding, cert: &super::CertInfo, host: &str) {
    match f.code.as_str() {
        "tls.cert_expired" => {
            f.title = format!("The server's certificate expired on {}", cert.not_after)
        }
        "tls.cert_not_yet_valid" => {
            f.title = format!(
                "The server's certificate is only valid from {}",
                cert.not_before
            )
        }
        "tls.cert_hostname_mismatch" => {
            f.title = format!(
                "The certificate is for {}, not {host}",
                tls::cert_names(cert).join(", ")
            )
        }
        "tls.cert_untrusted" if cert.self_signed => {
            f.title = "The certificate is self-signed".into();
        }
        "tls.cert_untrusted" => {
            f.title = format!("The certificate's issuer is not trusted ({})", cert.issuer);
        }
        _ => {}
    }
}

/// Reports a TLS handshake that the deadline or a cancel cut short. A handshake still waiting at
/// the deadline gets its own finding: it says more than "the deadline passed".
fn handshake_interrupted(run: &mut Run, e: ConnError) -> Stop {
    if !matches!(e, ConnError::Deadline | ConnError::Timeout) {
        return run.conn_error(e, "tls.handshake_failed");
    }
    let secs = run.opts.timeout.as_secs_f64();
    run.add("tls.handshake_timeout", None).title =
        format!("Connected, but the TLS handshake did not finish (waited {secs:.0} s)");
    Stop
}

/// Reports a failed handshake; for certificate failures, reads the certificate on a fresh
/// connection with verification off (only to read it: nothing else is sent on it).
async fn tls_failure(run: &mut Run, text: &str, addr: SocketAddr, after_starttls: bool) {
    let code = tls::classify_error(text);
    run.clock.note(format!("TLS handshake failed: {text}"));
    let mut cert = None;
    if tls::is_cert_code(code) {
        cert = probe_certificate(run, addr, after_starttls).await;
    }
    // The server's own words, when a plain-text port was met with TLS: its greeting.
    let mut server_words = None;
    if code == "tls.plaintext_port" && !after_starttls {
        server_words = read_plain_greeting(run, addr).await;
    }
    let host = run.target.host.clone();
    let f = run.add(code, server_words.as_deref());
    f.explanation = format!("{} (TLS library: {text})", f.explanation);
    if code == "tls.plaintext_port" && after_starttls {
        f.title = "The server accepted STARTTLS but then did not speak TLS".into();
    }
    if let Some(c) = &cert {
        describe_cert_problem(f, c, &host);
        // Name every other problem the certificate has (the library stops at the first).
        for other in tls::self_check(c, &host) {
            if other != code && !run.has(other) {
                describe_cert_problem(run.add(other, None), c, &host);
            }
        }
    }
    if cert.is_some() {
        run.tls = Some(TlsInfo {
            version: None,
            certificate: cert,
            verified: false,
        });
    }
}

/// Reads the first line a port sends on a plain connection (at most 2 s), for the report.
async fn read_plain_greeting(run: &mut Run, addr: SocketAddr) -> Option<String> {
    let mut clock = run.side_clock();
    let limit = Some(Instant::now() + run.clock.remaining().min(Duration::from_secs(2)));
    let tcp = clock
        .bounded(limit, async {
            TcpStream::connect(addr).await.map_err(ConnError::Io)
        })
        .await
        .ok()?;
    let mut s = Session::new(Stream::Plain(tcp));
    let line = s.read_line(&mut clock, limit).await.ok();
    s.shutdown().await;
    if line.is_some() {
        run.clock
            .note("read the port's plain-text greeting on a second connection (nothing sent)");
    }
    line
}

/// Connects again, repeats the plain-text preamble when needed, and handshakes without
/// verification to read the certificate. The connection is then closed.
async fn probe_certificate(
    run: &mut Run,
    addr: SocketAddr,
    after_starttls: bool,
) -> Option<super::CertInfo> {
    let connector = shared_connector(None, false).ok()?;
    let mut clock = run.side_clock();
    let protocol = run.target.protocol();
    let ehlo = run.opts.ehlo_name.clone();
    let host = run.target.host.clone();
    let limit = Some(Instant::now() + run.clock.remaining().min(Duration::from_secs(5)));
    let fut = async {
        let tcp = TcpStream::connect(addr).await.map_err(ConnError::Io)?;
        let tcp = if after_starttls {
            let mut s = Session::new(Stream::Plain(tcp));
            if !starttls_preamble(protocol, &mut s, &mut clock, &ehlo).await {
                return Ok(None);
            }
            match s.take_plain() {
                Some(t) => t,
                None => return Ok(None),
            }
        } else {
            tcp
        };
        Ok(tls::handshake(&connector, &host, tcp).await.ok())
    };
    let side = run.side_clock();
    let stream = side.bounded(limit, fut).await.ok().flatten()?;
    run.clock.note(
        "read the certificate on a second connection with verification off (nothing else sent)",
    );
    tls::peer_cert_info(&stream)
}

/// The plain-text dialogue up to a positive STARTTLS answer, for a side connection.
async fn starttls_preamble(
    protocol: Protocol,
    s: &mut Session,
    clock: &mut Clock,
    ehlo: &str,
) -> bool {
    match protocol {
        Protocol::Smtp => {
            if !matches!(smtp::read_reply(s, clock, None).await, Ok(r) if r.code == 220) {
                return false;
            }
            if s.send(clock, &format!("EHLO {ehlo}"), None).await.is_err()
                || !matches!(smtp::read_reply(s, clock, None).await, Ok(r) if r.code == 250)
                || s.send(clock, "STARTTLS", None).await.is_err()
            {
                return false;
            }
            matches!(smtp::read_reply(s, clock, None).await, Ok(r) if r.code == 220)
        }
        Protocol::Pop3 => {
            if !matches!(s.read_line(clock, None).await, Ok(l) if l.starts_with("+OK")) {
                return false;
            }
            if s.send(clock, "STLS", None).await.is_err() {
                return false;
            }
            matches!(s.read_line(clock, None).await, Ok(l) if l.starts_with("+OK"))
        }
        Protocol::Imap => {
            if !matches!(s.read_line(clock, None).await, Ok(l) if l.starts_with("* OK")) {
                return false;
            }
            if s.send(clock, "p1 STARTTLS", None).await.is_err() {
                return false;
            }
            for _ in 0..20 {
                match s.read_line(clock, None).await {
                    Ok(l) if l.starts_with("p1 ") => {
                        return l[3..].to_ascii_uppercase().starts_with("OK");
                    }
                    Ok(_) => continue,
                    Err(_) => return false,
                }
            }
            false
        }
    }
}

/// Names the protocol a greeting line belongs to.
pub fn identify_protocol(line: &str) -> &'static str {
    let upper = line.trim_start().to_ascii_uppercase();
    if upper.starts_with("+OK") || upper.starts_with("-ERR") {
        "POP3"
    } else if upper.starts_with("* OK")
        || upper.starts_with("* PREAUTH")
        || upper.starts_with("* BYE")
    {
        "IMAP"
    } else if super::conn::parse_smtp_line(line).is_some() {
        "SMTP"
    } else if upper.starts_with("SSH-") {
        "SSH"
    } else if upper.starts_with("HTTP/")
        || upper.starts_with("<!DOCTYPE")
        || upper.starts_with("<HTML")
    {
        "HTTP"
    } else if upper.starts_with("220 ") || upper.contains("FTP") {
        "FTP"
    } else if line.starts_with('\u{16}') || line.starts_with('\u{15}') {
        "TLS"
    } else {
        "an unknown protocol"
    }
}

/// Antivirus and security products known to proxy POP3/IMAP/SMTP and rewrite the banner.
pub fn interceptor(banner: &str) -> Option<&'static str> {
    let b = banner.to_ascii_lowercase();
    [
        ("avg", "AVG"),
        ("avast", "Avast"),
        ("kaspersky", "Kaspersky"),
        ("eset", "ESET"),
        ("mcafee", "McAfee"),
        ("norton", "Norton"),
        ("bitdefender", "Bitdefender"),
        ("trend micro", "Trend Micro"),
        ("sophos", "Sophos"),
        ("panda", "Panda"),
        ("fortigate", "FortiGate"),
    ]
    .into_iter()
    .find(|(needle, _)| {
        b.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == *needle || (needle.contains(' ') && b.contains(needle)))
    })
    .filter(|_| b.contains("proxy") || b.contains("scan") || b.contains("anti"))
    .map(|(_, name)| name)
}

/// Step 4: the greeting. A silent plain-text port is probed with TLS before concluding.
async fn greeting(
    run: &mut Run,
    session: &mut Session,
    addr: SocketAddr,
    connector: &tokio_native_tls::TlsConnector,
) -> Flow<()> {
    let started = Instant::now();
    // On plain text, keep time in reserve for a TLS probe of a silent port.
    let limit = if session.is_tls() {
        None
    } else {
        let total = run.opts.timeout;
        let reserve = (total / 4).clamp(Duration::from_secs(1), Duration::from_secs(5));
        Some(run.clock.deadline - reserve.min(run.clock.remaining() / 2))
    };
    let r = match run.target.protocol() {
        Protocol::Smtp => smtp::greeting(run, session, limit).await,
        Protocol::Pop3 => pop3::greeting(run, session, limit).await,
        Protocol::Imap => imap::greeting(run, session, limit).await,
    };
    // SMTP and POP3 servers speak only when spoken to (IMAP may send untagged data at any
    // time): bytes already waiting after the greeting mean the server talks ahead of the
    // dialogue, and every later answer would be misread.
    let r = match r {
        Ok(()) if run.target.protocol() != Protocol::Imap && session.has_buffered() => {
            let early = session.buffered_text(512);
            run.step("greeting", started, false, Some("early talk".into()));
            run.add("session.unexpected_reply", Some(&early)).title =
                "The server sent replies before it was asked anything".into();
            return Err(Stop);
        }
        other => other,
    };
    match r {
        Ok(()) => {
            let took = started.elapsed();
            if took >= SLOW_GREETING {
                run.add("greeting.slow", None).title = format!(
                    "The greeting took {:.1} s (likely an anti-spam delay)",
                    took.as_secs_f64()
                );
            }
            if let Some(b) = run.banner.clone()
                && let Some(name) = interceptor(&b)
            {
                run.add("greeting.intercepted", Some(&b)).title = format!(
                    "{name} antivirus intercepts this connection (the banner is its proxy's)"
                );
            }
            run.step("greeting", started, true, None);
            Ok(())
        }
        Err(GreetingError::Conn(ConnError::Timeout)) => {
            run.step("greeting", started, false, Some("no greeting".into()));
            // Close it first: some servers serve one connection at a time.
            session.shutdown().await;
            // Silent: does the port want TLS?
            let probe_started = Instant::now();
            run.clock
                .note("no greeting: trying a TLS handshake on a new connection");
            let host = run.target.host.clone();
            let side = run.side_clock();
            let hs = side
                .bounded(None, async {
                    let tcp = TcpStream::connect(addr).await.map_err(ConnError::Io)?;
                    tls::handshake(connector, &host, tcp)
                        .await
                        .map_err(|e| ConnError::Io(std::io::Error::other(e)))
                })
                .await;
            let (ok, cert_text) = match hs {
                Ok(s) => (true, tls::peer_cert_info(&s)),
                // A certificate failure still proves the port speaks TLS.
                Err(ConnError::Io(e)) if tls::is_cert_code(tls::classify_error(&e.to_string())) => {
                    (true, None)
                }
                Err(_) => (false, None),
            };
            run.step("tls-probe", probe_started, ok, None);
            if ok {
                run.clock
                    .note("the TLS handshake worked: the port uses implicit TLS");
                let scheme = match run.target.protocol() {
                    Protocol::Pop3 => "pop3s",
                    Protocol::Imap => "imaps",
                    Protocol::Smtp => "smtps",
                };
                run.add("tls.expected", None).fix = format!(
                    "Use {scheme}://{} (the client's security setting SSL/TLS) for this port.",
                    run.target.authority()
                );
                if cert_text.is_some() {
                    run.tls = Some(TlsInfo {
                        version: None,
                        certificate: cert_text,
                        verified: !run.opts.insecure,
                    });
                }
            } else if run.clock.cancel.is_cancelled() {
                run.add("check.cancelled", None);
            } else {
                run.add("greeting.timeout", None);
            }
            Err(Stop)
        }
        Err(GreetingError::Conn(ConnError::Closed(partial))) => {
            run.step("greeting", started, false, None);
            if partial.is_empty() {
                run.add("tcp.closed", None);
            } else {
                let p = identify_protocol(&partial);
                run.add("greeting.wrong_protocol", Some(&partial)).title = format!(
                    "This port speaks {p}, not {}",
                    protocol_name(run.target.protocol())
                );
            }
            Err(Stop)
        }
        Err(GreetingError::Conn(e)) => {
            run.step("greeting", started, false, None);
            Err(run.conn_error(e, "tcp.closed"))
        }
        Err(GreetingError::WrongProtocol(line)) => {
            run.step("greeting", started, false, None);
            let title = format!(
                "This port speaks {}, not {}",
                identify_protocol(&line),
                protocol_name(run.target.protocol())
            );
            run.add("greeting.wrong_protocol", Some(&line)).title = title;
            Err(Stop)
        }
        Err(GreetingError::Rejected { text, temporary }) => {
            run.step("greeting", started, false, None);
            let f = run.add("greeting.rejected", Some(&text));
            if temporary {
                f.title = "The server refused the session for now (temporary)".into();
                f.explanation = "A temporary refusal: the server is busy, limits connections per address (e.g. 'too many connections'), or greylists. It is not a TLS or password problem.".into();
                f.fix = "Wait a few minutes and try again; close other mail clients on the same network; if it persists, ask the administrator about connection limits.".into();
            } else {
                f.title = "The server refused the session (permanent)".into();
                f.explanation = "A permanent refusal: the server does not accept connections from this address (a block list, a policy, or a service that is shut down).".into();
                f.fix = "Read the server's words; ask the administrator, or check whether this address is on a block list.".into();
            }
            Err(Stop)
        }
    }
}

pub fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Pop3 => "POP3",
        Protocol::Imap => "IMAP",
        Protocol::Smtp => "SMTP",
    }
}

/// Why a greeting was not accepted.
pub enum GreetingError {
    Conn(ConnError),
    WrongProtocol(String),
    Rejected { text: String, temporary: bool },
}

impl From<ConnError> for GreetingError {
    fn from(e: ConnError) -> Self {
        GreetingError::Conn(e)
    }
}

async fn capabilities(run: &mut Run, session: &mut Session) -> Flow<()> {
    match run.target.protocol() {
        Protocol::Smtp => smtp::capabilities(run, session, false).await,
        Protocol::Pop3 => pop3::capabilities(run, session).await,
        Protocol::Imap => imap::capabilities(run, session).await,
    }
}

/// Step 6: STARTTLS/STLS, the handshake, and a second capability round.
async fn starttls(
    run: &mut Run,
    session: &mut Session,
    addr: SocketAddr,
    connector: &tokio_native_tls::TlsConnector,
) -> Flow<()> {
    let started = Instant::now();
    let protocol = run.target.protocol();
    // POP3 servers without CAPA may still know STLS: try it.
    let try_anyway = protocol == Protocol::Pop3 && !run.caps.known;
    if !run.caps.starttls && !try_anyway {
        let banner = run.banner.clone();
        run.add("starttls.not_offered", None);
        if let Some(b) = banner
            && !run.has("greeting.intercepted")
            && interceptor(&b).is_some()
        {
            run.add("greeting.intercepted", Some(&b));
        }
        run.step("starttls", started, false, Some("not offered".into()));
        return Ok(());
    }
    let answer = match protocol {
        Protocol::Smtp => smtp::starttls_command(run, session).await,
        Protocol::Pop3 => pop3::starttls_command(run, session).await,
        Protocol::Imap => imap::starttls_command(run, session).await,
    };
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            run.step("starttls", started, false, None);
            return Err(run.conn_error(e, "session.closed"));
        }
    };
    if let Err(text) = answer {
        run.step("starttls", started, false, None);
        if try_anyway {
            run.add("starttls.not_offered", Some(&text));
            return Ok(());
        }
        run.add("starttls.refused", Some(&text));
        return Err(Stop);
    }
    // Bytes that came after the go-ahead and before any TLS: the server (or something in the
    // path) goes on in plain text. Starting TLS would drop them unread and wait for ever.
    if session.has_buffered() {
        let early = session.buffered_text(512);
        run.step(
            "starttls",
            started,
            false,
            Some("plain text after the go-ahead".into()),
        );
        run.add("tls.plaintext_port", Some(&early)).title =
            "The server accepted STARTTLS but then did not speak TLS".into();
        return Err(Stop);
    }
    let Some(tcp) = session.take_plain() else {
        run.step("starttls", started, false, None);
        return Err(Stop);
    };
    let host = run.target.host.clone();
    let hs = run
        .clock
        .bounded(None, async {
            Ok(tls::handshake(connector, &host, tcp).await)
        })
        .await;
    match hs {
        Err(e) => {
            run.step("starttls", started, false, None);
            Err(handshake_interrupted(run, e))
        }
        Ok(Err(text)) => {
            run.step("starttls", started, false, Some(text.clone()));
            tls_failure(run, &text, addr, true).await;
            Err(Stop)
        }
        Ok(Ok(s)) => {
            tls_success(run, &s);
            session.stream = Some(Stream::Tls(Box::new(s)));
            run.step("starttls", started, true, None);
            let started = Instant::now();
            let r = match protocol {
                Protocol::Smtp => smtp::capabilities(run, session, true).await,
                Protocol::Pop3 => pop3::capabilities(run, session).await,
                Protocol::Imap => imap::capabilities(run, session).await,
            };
            run.step("capabilities-tls", started, r.is_ok(), None);
            r
        }
    }
}

/// Classifies a login refusal by the server's words (all protocols).
pub fn login_refusal_code(text: &str) -> &'static str {
    let t = text.to_ascii_lowercase();
    if t.contains("site is not enabled") {
        "auth.domino_site_disabled"
    } else if t.contains("web login required")
        || t.contains("webalert")
        || t.contains("application-specific password")
        || t.contains("log in via your web browser")
        || t.contains("5.7.9")
        || t.contains("5.7.139")
        || t.contains("basic authentication is disabled")
        || t.contains("weblogin")
    {
        "auth.web_login_required"
    } else if t.contains("privacyrequired")
        || t.contains("must issue a starttls")
        || t.contains("plaintext authentication disallowed")
        || t.contains("encryption required")
        || t.contains("tls required")
    {
        "auth.plaintext_refused"
    } else {
        "auth.failed"
    }
}

/// Base64 (standard alphabet, with padding) for SASL.
pub fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The SASL PLAIN response: base64 of `\0user\0password`.
pub fn sasl_plain(user: &str, password: &str) -> zeroize::Zeroizing<String> {
    let mut raw = zeroize::Zeroizing::new(Vec::with_capacity(user.len() + password.len() + 2));
    raw.push(0);
    raw.extend_from_slice(user.as_bytes());
    raw.push(0);
    raw.extend_from_slice(password.as_bytes());
    zeroize::Zeroizing::new(base64(&raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(sasl_plain("u", "p").as_str(), "AHUAcA==");
    }

    #[test]
    fn identifies_protocols() {
        assert_eq!(identify_protocol("+OK Dovecot ready."), "POP3");
        assert_eq!(
            identify_protocol("* OK [CAPABILITY IMAP4rev1] ready"),
            "IMAP"
        );
        assert_eq!(identify_protocol("220 mx ESMTP Postfix"), "SMTP");
        assert_eq!(identify_protocol("SSH-2.0-OpenSSH_9.2"), "SSH");
        assert_eq!(identify_protocol("HTTP/1.1 400 Bad Request"), "HTTP");
    }

    #[test]
    fn finds_interceptors_and_refusals() {
        assert_eq!(
            interceptor("+OK AVG POP3 Proxy Server 7.5.494/7.5.560 [269.17.13/1178]"),
            Some("AVG")
        );
        assert_eq!(interceptor("+OK Dovecot ready."), None);
        assert_eq!(interceptor("+OK Savage proxy"), None);
        assert_eq!(
            login_refusal_code(
                "-ERR [AUTH] Application-specific password required: https://support.google.com/"
            ),
            "auth.web_login_required"
        );
        assert_eq!(
            login_refusal_code("a1 NO [AUTHENTICATIONFAILED] Invalid credentials"),
            "auth.failed"
        );
        assert_eq!(
            login_refusal_code("530 5.7.0 Must issue a STARTTLS command first."),
            "auth.plaintext_refused"
        );
        assert_eq!(
            login_refusal_code("-ERR This site is not enabled on the server"),
            "auth.domino_site_disabled"
        );
        // Gmail's web-login and app-password alerts, but not every [ALERT]: an alert that just
        // says the password is wrong is a wrong password.
        assert_eq!(
            login_refusal_code(
                "a1 NO [ALERT] Please log in via your web browser: https://support.google.com/mail/accounts/answer/78754 (Failure)"
            ),
            "auth.web_login_required"
        );
        assert_eq!(
            login_refusal_code("a1 NO [ALERT] Invalid credentials (Failure)"),
            "auth.failed"
        );
        assert_eq!(
            login_refusal_code("* NO [WEBALERT https://accounts.google.com/] Web login required."),
            "auth.web_login_required"
        );
        // Microsoft 365 SMTP AUTH with basic authentication switched off.
        assert_eq!(
            login_refusal_code(
                "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
            ),
            "auth.web_login_required"
        );
        assert_eq!(
            login_refusal_code("a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed"),
            "auth.plaintext_refused"
        );
    }
}
