//! Checks against real Dovecot, Postfix and Unbound on 127.0.0.1, through the library API and the built
//! `mailplan` binary.
//!
//! Start the servers first with `tests/servers/start.sh` (as root); it writes `tests/servers/run/env`, or set
//! `MAILPLAN_TEST_ENV` to another env file. Without them every test here prints
//! "skipped: real servers not running (run tests/servers/start.sh)" and passes, so plain `cargo test` works
//! anywhere. With `MAILPLAN_TEST_REQUIRE=1` (set by `.ci/run`) a missing server is a failure instead.
//! See docs/real-servers.md for the ports and accounts.

use mailplan::checks::{
    CancellationToken, CheckOptions, CheckResult, Login, Scheme, Target, run_check, run_checks,
};
use mailplan::findings::Verdict;
use mailplan::secret::Secret;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SKIP: &str = "skipped: real servers not running (run tests/servers/start.sh)";

/// The servers' addresses, accounts and CA, read from the env file written by start.sh.
struct Servers {
    vars: HashMap<String, String>,
}

impl Servers {
    fn get(&self, key: &str) -> String {
        match self.vars.get(key) {
            Some(v) => v.clone(),
            None => panic!(
                "{key} is missing from the real-server env file; restart tests/servers/start.sh"
            ),
        }
    }

    /// `(host, port)` of an endpoint such as `MAILPLAN_TEST_IMAPS`.
    fn addr(&self, key: &str) -> (String, u16) {
        let value = self.get(key);
        let (host, port) = value
            .rsplit_once(':')
            .unwrap_or_else(|| panic!("{key}={value} is not HOST:PORT"));
        let port = port
            .parse()
            .unwrap_or_else(|_| panic!("{key}={value} has no valid port"));
        (host.to_owned(), port)
    }

    fn port(&self, key: &str) -> u16 {
        self.addr(key).1
    }

    fn ca(&self) -> PathBuf {
        PathBuf::from(self.get("MAILPLAN_TEST_CA"))
    }

    fn user(&self) -> (String, String) {
        (
            self.get("MAILPLAN_TEST_USER"),
            self.get("MAILPLAN_TEST_PASSWORD"),
        )
    }

    fn tricky_user(&self) -> (String, String) {
        (
            self.get("MAILPLAN_TEST_TRICKY_USER"),
            self.get("MAILPLAN_TEST_TRICKY_PASSWORD"),
        )
    }
}

/// Parses KEY=VALUE lines; a value may be wrapped in single quotes (as start.sh writes values with spaces,
/// quotes or backslashes). Blank lines and `#` comments are ignored.
fn parse_env(text: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((key, value)) = line.split_once('=') {
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value);
            vars.insert(key.trim().to_owned(), value.to_owned());
        }
    }
    vars
}

fn env_file() -> PathBuf {
    match std::env::var_os("MAILPLAN_TEST_ENV") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/servers/run/env"),
    }
}

fn answers(addr: &str) -> bool {
    match addr.to_socket_addrs().ok().and_then(|mut a| a.next()) {
        Some(sa) => TcpStream::connect_timeout(&sa, Duration::from_secs(2)).is_ok(),
        None => false,
    }
}

/// The running servers, or `None` (after saying why) when they are not there.
fn servers() -> Option<Servers> {
    let path = env_file();
    let why = match std::fs::read_to_string(&path) {
        Err(e) => format!("cannot read {}: {e}", path.display()),
        Ok(text) => {
            let s = Servers {
                vars: parse_env(&text),
            };
            let down: Vec<String> = [
                "MAILPLAN_TEST_IMAPS",
                "MAILPLAN_TEST_SUBMISSION",
                "MAILPLAN_TEST_DNS",
            ]
            .iter()
            .filter_map(|k| s.vars.get(*k).map(|a| (k, a)))
            .filter(|(_, a)| !answers(a))
            .map(|(k, a)| format!("{k}={a}"))
            .collect();
            if down.is_empty() && s.vars.contains_key("MAILPLAN_TEST_CA") {
                return Some(s);
            }
            format!(
                "{} lists servers that do not answer: {}",
                path.display(),
                down.join(", ")
            )
        }
    };
    if std::env::var("MAILPLAN_TEST_REQUIRE").is_ok_and(|v| v == "1") {
        panic!("real servers are required (MAILPLAN_TEST_REQUIRE=1) but not usable: {why}");
    }
    eprintln!("{SKIP} [{why}]");
    None
}

macro_rules! require_servers {
    () => {
        match servers() {
            Some(s) => s,
            None => return,
        }
    };
}

// ----- library API -------------------------------------------------------------------------------------------

fn base_options(s: &Servers) -> CheckOptions {
    CheckOptions {
        // The CLI's default deadline (30 s): a plain-text check of a TLS port waits for a greeting first.
        timeout: CheckOptions::default().timeout,
        ca_file: Some(s.ca()),
        ..CheckOptions::default()
    }
}

fn login(user: &str, password: &str) -> Option<Login> {
    Some(Login {
        user: user.to_owned(),
        password: Secret::from(password),
    })
}

/// Runs one check of `scheme` against the endpoint named by `key`.
fn check(s: &Servers, scheme: Scheme, key: &str, opts: CheckOptions) -> CheckResult {
    let (host, port) = s.addr(key);
    check_host(scheme, &host, port, opts)
}

/// Runs checks of several endpoints concurrently (as the CLI does); results in the order given.
fn check_all(s: &Servers, endpoints: &[(Scheme, &str)], opts: CheckOptions) -> Vec<CheckResult> {
    let targets: Vec<Target> = endpoints
        .iter()
        .map(|(scheme, key)| {
            let (host, port) = s.addr(key);
            Target::new(*scheme, &host, Some(port))
                .unwrap_or_else(|e| panic!("bad test target {host}:{port}: {e}"))
        })
        .collect();
    let results = runtime().block_on(run_checks(
        targets,
        Arc::new(opts),
        None,
        CancellationToken::new(),
    ));
    assert_eq!(results.len(), endpoints.len(), "one result per target");
    results
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn check_host(scheme: Scheme, host: &str, port: u16, opts: CheckOptions) -> CheckResult {
    let target = match Target::new(scheme, host, Some(port)) {
        Ok(t) => t,
        Err(e) => panic!("bad test target {host}:{port}: {e}"),
    };
    runtime().block_on(run_check(
        target,
        Arc::new(opts),
        0,
        None,
        CancellationToken::new(),
    ))
}

/// A readable account of a result, for assertion messages.
fn describe(r: &CheckResult) -> String {
    let mut out = format!(
        "{} -> verdict {:?} in {} ms\n",
        r.target, r.verdict, r.elapsed_ms
    );
    for f in &r.findings {
        out += &format!(
            "  finding {} [{:?}] {} | server: {:?}\n",
            f.code, f.severity, f.title, f.server_text
        );
    }
    for st in &r.steps {
        out += &format!(
            "  step {} ok={} {} ms {:?}\n",
            st.name, st.ok, st.ms, st.detail
        );
    }
    for t in r.transcript.iter().take(60) {
        out += &format!("  {:>6} {:?} {}\n", t.at_ms, t.dir, t.text);
    }
    out
}

fn codes(r: &CheckResult) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

fn assert_ok(r: &CheckResult) {
    assert_eq!(
        r.verdict,
        Verdict::Ok,
        "expected an ok verdict:\n{}",
        describe(r)
    );
}

fn assert_code(r: &CheckResult, code: &str) {
    assert!(
        r.findings.iter().any(|f| f.code == code),
        "expected finding {code}, got {:?}:\n{}",
        codes(r),
        describe(r)
    );
    assert_ne!(
        r.verdict,
        Verdict::Ok,
        "{code} must not give an ok verdict:\n{}",
        describe(r)
    );
}

fn assert_logged_in(r: &CheckResult) {
    assert_ok(r);
    assert!(
        r.steps.iter().any(|s| s.name.contains("login") && s.ok),
        "expected a successful login step:\n{}",
        describe(r)
    );
}

/// Standard base64, for spotting a password sent in AUTH PLAIN/LOGIN in a transcript.
fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
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

/// Every form in which a password could leak into a transcript, report or log.
fn leak_forms(user: &str, password: &str) -> Vec<String> {
    vec![
        password.to_owned(),
        base64(password.as_bytes()),
        base64(format!("\0{user}\0{password}").as_bytes()),
        base64(format!("{user}\0{user}\0{password}").as_bytes()),
    ]
}

fn assert_no_password(r: &CheckResult, user: &str, password: &str) {
    let json = serde_json::to_string(r).expect("CheckResult serialises");
    for form in leak_forms(user, password) {
        assert!(
            !json.contains(&form),
            "the password (or its base64) appears in the check result of {}",
            r.target
        );
    }
}

/// Every Dovecot and Postfix endpoint, with the scheme that fits it.
const ENDPOINTS: [(Scheme, &str); 7] = [
    (Scheme::Pop3, "MAILPLAN_TEST_POP3"),
    (Scheme::Pop3s, "MAILPLAN_TEST_POP3S"),
    (Scheme::Imap, "MAILPLAN_TEST_IMAP"),
    (Scheme::Imaps, "MAILPLAN_TEST_IMAPS"),
    (Scheme::Smtp, "MAILPLAN_TEST_SMTP"),
    (Scheme::Submission, "MAILPLAN_TEST_SUBMISSION"),
    (Scheme::Smtps, "MAILPLAN_TEST_SMTPS"),
];

/// The endpoints that take a login (port-25-style SMTP does not offer AUTH).
const LOGIN_ENDPOINTS: [(Scheme, &str); 6] = [
    (Scheme::Pop3, "MAILPLAN_TEST_POP3"),
    (Scheme::Pop3s, "MAILPLAN_TEST_POP3S"),
    (Scheme::Imap, "MAILPLAN_TEST_IMAP"),
    (Scheme::Imaps, "MAILPLAN_TEST_IMAPS"),
    (Scheme::Submission, "MAILPLAN_TEST_SUBMISSION"),
    (Scheme::Smtps, "MAILPLAN_TEST_SMTPS"),
];

#[test]
fn every_endpoint_is_ok_with_the_test_ca() {
    let s = require_servers!();
    for r in check_all(&s, &ENDPOINTS, base_options(&s)) {
        assert_ok(&r);
        assert!(r.banner.is_some(), "no banner recorded:\n{}", describe(&r));
        assert!(
            !r.capabilities.is_empty(),
            "no capabilities recorded:\n{}",
            describe(&r)
        );
        let tls = r
            .tls
            .as_ref()
            .unwrap_or_else(|| panic!("no TLS info although TLS was used:\n{}", describe(&r)));
        assert!(tls.verified, "certificate not verified:\n{}", describe(&r));
        assert!(!r.insecure);
        let cert = tls
            .certificate
            .as_ref()
            .unwrap_or_else(|| panic!("no certificate details:\n{}", describe(&r)));
        assert!(
            cert.sans.iter().any(|n| n.contains("mail.mailplan.test")),
            "SANs {:?} should list mail.mailplan.test",
            cert.sans
        );
        assert!(
            !cert.self_signed,
            "the leaf is signed by the test CA, not self-signed"
        );
        assert!(
            cert.issuer.contains("mailplan test CA"),
            "issuer {:?} should be the test CA",
            cert.issuer
        );
    }
}

#[test]
fn banners_and_capabilities_are_the_servers_own_words() {
    let s = require_servers!();
    let imap = check(&s, Scheme::Imap, "MAILPLAN_TEST_IMAP", base_options(&s));
    assert!(
        imap.banner
            .as_deref()
            .is_some_and(|b| b.contains("Dovecot")),
        "{}",
        describe(&imap)
    );
    // `capabilities` holds the list after STARTTLS, which no longer offers it: the upgrade step shows it.
    assert!(
        !imap.capabilities.is_empty()
            && imap
                .steps
                .iter()
                .any(|st| st.name.contains("starttls") && st.ok),
        "IMAP on the plain port is upgraded with STARTTLS:\n{}",
        describe(&imap)
    );
    let smtp = check(&s, Scheme::Smtp, "MAILPLAN_TEST_SMTP", base_options(&s));
    assert!(
        smtp.banner
            .as_deref()
            .is_some_and(|b| b.contains("mailplan test server")),
        "{}",
        describe(&smtp)
    );
    let subm = check(
        &s,
        Scheme::Submission,
        "MAILPLAN_TEST_SUBMISSION",
        base_options(&s),
    );
    assert!(
        subm.auth_mechanisms
            .iter()
            .any(|m| m.eq_ignore_ascii_case("PLAIN")),
        "submission offers AUTH PLAIN after STARTTLS:\n{}",
        describe(&subm)
    );
}

#[test]
fn a_host_name_resolved_through_the_test_dns_is_ok() {
    let s = require_servers!();
    let dns = s
        .get("MAILPLAN_TEST_DNS")
        .parse()
        .expect("MAILPLAN_TEST_DNS is IP:PORT");
    let opts = CheckOptions {
        dns: Some(dns),
        ..base_options(&s)
    };
    let r = check_host(
        Scheme::Imaps,
        "mail.mailplan.test",
        s.port("MAILPLAN_TEST_IMAPS"),
        opts,
    );
    assert_ok(&r);
    assert_eq!(r.host, "mail.mailplan.test");
}

#[test]
fn login_works_on_every_endpoint() {
    let s = require_servers!();
    let (user, password) = s.user();
    let opts = CheckOptions {
        login: login(&user, &password),
        ..base_options(&s)
    };
    for r in check_all(&s, &LOGIN_ENDPOINTS, opts) {
        assert_logged_in(&r);
        assert_no_password(&r, &user, &password);
    }
}

#[test]
fn login_with_a_quote_backslash_and_space_in_the_password() {
    let s = require_servers!();
    let (user, password) = s.tricky_user();
    assert!(
        password.contains('"') && password.contains('\\') && password.contains(' '),
        "the tricky test password should hold a quote, a backslash and a space"
    );
    let opts = CheckOptions {
        login: login(&user, &password),
        ..base_options(&s)
    };
    for r in check_all(&s, &LOGIN_ENDPOINTS, opts) {
        assert_logged_in(&r);
        assert_no_password(&r, &user, &password);
        assert!(
            r.transcript.iter().any(|t| t.text.contains("****")),
            "the transcript should show the password as ****:\n{}",
            describe(&r)
        );
    }
}

#[test]
fn a_wrong_password_is_auth_failed() {
    let s = require_servers!();
    let (user, _) = s.user();
    let wrong = "not the password";
    let opts = CheckOptions {
        login: login(&user, wrong),
        ..base_options(&s)
    };
    for r in check_all(
        &s,
        &[
            (Scheme::Imap, "MAILPLAN_TEST_IMAP"),
            (Scheme::Imaps, "MAILPLAN_TEST_IMAPS"),
            (Scheme::Pop3, "MAILPLAN_TEST_POP3"),
            (Scheme::Pop3s, "MAILPLAN_TEST_POP3S"),
            (Scheme::Submission, "MAILPLAN_TEST_SUBMISSION"),
            (Scheme::Smtps, "MAILPLAN_TEST_SMTPS"),
        ],
        opts,
    ) {
        assert_code(&r, "auth.failed");
        assert_eq!(r.verdict, Verdict::Fail, "{}", describe(&r));
        assert_no_password(&r, &user, wrong);
    }
}

#[test]
fn plain_text_to_a_tls_port_is_tls_expected() {
    let s = require_servers!();
    for r in check_all(
        &s,
        &[
            (Scheme::Imap, "MAILPLAN_TEST_IMAPS"),
            (Scheme::Pop3, "MAILPLAN_TEST_POP3S"),
            (Scheme::Submission, "MAILPLAN_TEST_SMTPS"),
        ],
        base_options(&s),
    ) {
        assert_code(&r, "tls.expected");
        assert_eq!(r.verdict, Verdict::Fail, "{}", describe(&r));
    }
}

#[test]
fn tls_to_a_plain_port_is_tls_plaintext_port() {
    let s = require_servers!();
    for r in check_all(
        &s,
        &[
            (Scheme::Imaps, "MAILPLAN_TEST_IMAP"),
            (Scheme::Pop3s, "MAILPLAN_TEST_POP3"),
            (Scheme::Smtps, "MAILPLAN_TEST_SUBMISSION"),
            (Scheme::Smtps, "MAILPLAN_TEST_SMTP"),
        ],
        base_options(&s),
    ) {
        assert_code(&r, "tls.plaintext_port");
        assert_eq!(r.verdict, Verdict::Fail, "{}", describe(&r));
    }
}

#[test]
fn an_expired_certificate_is_tls_cert_expired() {
    let s = require_servers!();
    let r = check(
        &s,
        Scheme::Imaps,
        "MAILPLAN_TEST_IMAPS_EXPIRED",
        base_options(&s),
    );
    assert_code(&r, "tls.cert_expired");
    assert_eq!(r.verdict, Verdict::Fail, "{}", describe(&r));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "tls.cert_expired")
        .expect("checked above");
    let text = format!("{} {}", f.title, f.explanation);
    assert!(
        text.contains("2021"),
        "the finding should give the expiry date (2021-01-01): {text}"
    );
}

#[test]
fn without_the_test_ca_the_certificate_is_untrusted() {
    let s = require_servers!();
    let opts = CheckOptions {
        ca_file: None,
        ..base_options(&s)
    };
    for r in check_all(
        &s,
        &[
            (Scheme::Imaps, "MAILPLAN_TEST_IMAPS"),
            (Scheme::Imap, "MAILPLAN_TEST_IMAP"),
            (Scheme::Smtps, "MAILPLAN_TEST_SMTPS"),
        ],
        opts,
    ) {
        assert_code(&r, "tls.cert_untrusted");
    }
}

#[test]
fn insecure_accepts_the_untrusted_certificate_and_says_so() {
    let s = require_servers!();
    let opts = CheckOptions {
        ca_file: None,
        insecure: true,
        ..base_options(&s)
    };
    let r = check(&s, Scheme::Imaps, "MAILPLAN_TEST_IMAPS", opts);
    assert!(
        r.insecure,
        "the result must say certificate checks were off"
    );
    assert!(
        r.tls.as_ref().is_some_and(|t| !t.verified),
        "with --insecure and no CA the certificate is not verified:\n{}",
        describe(&r)
    );
    assert!(r.banner.is_some(), "{}", describe(&r));
}

#[test]
fn a_certificate_for_another_name_is_a_hostname_mismatch() {
    let s = require_servers!();
    let r = check(
        &s,
        Scheme::Smtps,
        "MAILPLAN_TEST_SMTPS_WRONG_NAME",
        base_options(&s),
    );
    assert_code(&r, "tls.cert_hostname_mismatch");
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "tls.cert_hostname_mismatch")
        .expect("checked above");
    let text = format!(
        "{} {} {}",
        f.title,
        f.explanation,
        f.server_text.clone().unwrap_or_default()
    );
    assert!(
        text.contains("wrong-name.example.invalid"),
        "the finding should list the certificate's names: {text}"
    );
}

#[test]
fn auth_before_starttls_on_submission_is_plaintext_refused() {
    let s = require_servers!();
    let (user, password) = s.user();
    let opts = CheckOptions {
        no_starttls: true,
        allow_plaintext_login: true,
        login: login(&user, &password),
        ..base_options(&s)
    };
    let r = check(&s, Scheme::Submission, "MAILPLAN_TEST_SUBMISSION", opts);
    assert_code(&r, "auth.plaintext_refused");
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "auth.plaintext_refused")
        .expect("checked above");
    assert!(
        f.server_text
            .as_deref()
            .is_some_and(|t| t.contains("Must issue a STARTTLS command first")),
        "the finding should quote Postfix's 530 reply: {:?}",
        f.server_text
    );
}

#[test]
fn inspect_latest_sees_the_missing_date_header() {
    let s = require_servers!();
    let (user, password) = s.user();
    let opts = CheckOptions {
        login: login(&user, &password),
        inspect_latest: true,
        ..base_options(&s)
    };
    for r in check_all(
        &s,
        &[
            (Scheme::Imaps, "MAILPLAN_TEST_IMAPS"),
            (Scheme::Pop3s, "MAILPLAN_TEST_POP3S"),
        ],
        opts,
    ) {
        let latest = r
            .latest_message
            .as_ref()
            .unwrap_or_else(|| panic!("no latest_message recorded:\n{}", describe(&r)));
        assert_eq!(
            latest.date_header,
            None,
            "the newest message has no Date: header:\n{}",
            describe(&r)
        );
        assert_eq!(
            latest.subject.as_deref(),
            Some("A message without a Date header")
        );
        assert!(
            latest
                .newest_received
                .as_deref()
                .is_some_and(|t| t.contains("2023")),
            "the newest Received: time (14 Nov 2023) should be recorded: {latest:?}"
        );
        assert!(
            r.findings.iter().any(|f| f.code.contains("date")),
            "a finding should explain the missing Date: header, got {:?}:\n{}",
            codes(&r),
            describe(&r)
        );
        assert_ne!(
            r.verdict,
            Verdict::Fail,
            "a missing Date: is not a connection failure"
        );
    }
    // Reading the headers must not change the message: it is still unseen.
    let flags = imap_flags_of_newest(&s, &user, &password);
    assert!(
        !flags.contains("\\Seen"),
        "--inspect-latest marked the newest message as seen: {flags}"
    );
}

#[test]
fn inspect_latest_reads_a_normal_date_header() {
    let s = require_servers!();
    let (user, password) = s.tricky_user();
    let opts = CheckOptions {
        login: login(&user, &password),
        inspect_latest: true,
        ..base_options(&s)
    };
    let r = check(&s, Scheme::Imaps, "MAILPLAN_TEST_IMAPS", opts);
    assert_ok(&r);
    let latest = r
        .latest_message
        .as_ref()
        .unwrap_or_else(|| panic!("no latest_message recorded:\n{}", describe(&r)));
    assert!(
        latest
            .date_header
            .as_deref()
            .is_some_and(|d| d.contains("15 Apr 2022")),
        "{latest:?}"
    );
}

/// Reads the flags of the newest INBOX message with a minimal IMAPS client of its own (EXAMINE: read-only).
fn imap_flags_of_newest(s: &Servers, user: &str, password: &str) -> String {
    let flags = imap_fetch_newest(s, user, password, "FLAGS");
    assert!(
        flags.contains("FLAGS"),
        "no FLAGS in the FETCH reply: {flags}"
    );
    flags
}

/// Logs in over IMAPS with its own minimal client, EXAMINEs (read-only) INBOX and returns the untagged
/// reply lines of `FETCH * (items)` for the newest message.
fn imap_fetch_newest(s: &Servers, user: &str, password: &str, items: &str) -> String {
    let (host, port) = s.addr("MAILPLAN_TEST_IMAPS");
    let pem = std::fs::read(s.ca()).expect("read the test CA");
    let ca = native_tls::Certificate::from_pem(&pem).expect("parse the test CA");
    let connector = native_tls::TlsConnector::builder()
        .add_root_certificate(ca)
        .build()
        .expect("TLS connector");
    let tcp = TcpStream::connect((host.as_str(), port)).expect("connect to IMAPS");
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set timeout");
    let tls = connector
        .connect(&host, tcp)
        .expect("TLS handshake with IMAPS");
    let mut conn = BufReader::new(tls);
    let mut transcript = String::new();
    read_until(&mut conn, &mut transcript, "*");
    let quoted = |t: &str| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""));
    let commands = [
        ("a", format!("LOGIN {} {}", quoted(user), quoted(password))),
        ("b", "EXAMINE INBOX".to_owned()),
        ("c", format!("FETCH * ({items})")),
        ("d", "LOGOUT".to_owned()),
    ];
    let mut fetched = String::new();
    for (tag, cmd) in commands {
        conn.get_mut()
            .write_all(format!("{tag} {cmd}\r\n").as_bytes())
            .expect("write to IMAPS");
        let before = transcript.len();
        read_until(&mut conn, &mut transcript, &format!("{tag} "));
        if tag == "c" {
            fetched = transcript[before..]
                .lines()
                .filter(|l| !l.starts_with("c "))
                .collect::<Vec<_>>()
                .join("\n");
        }
    }
    fetched
}

/// Reads IMAP lines into `transcript` until the tagged reply `tag`, which must be OK.
fn read_until(
    conn: &mut BufReader<native_tls::TlsStream<TcpStream>>,
    transcript: &mut String,
    tag: &str,
) {
    loop {
        let mut line = String::new();
        let n = conn.read_line(&mut line).expect("read from IMAPS");
        assert!(n > 0, "IMAPS closed the connection early: {transcript}");
        transcript.push_str(&line);
        if let Some(rest) = line.strip_prefix(tag) {
            assert!(
                rest.trim_start().starts_with("OK"),
                "IMAP said: {transcript}"
            );
            return;
        }
    }
}

// ----- the built binary ----------------------------------------------------------------------------------

/// Runs `mailplan` with `args`, extra environment and optional standard input; stops it after 90 s.
fn mailplan(args: &[String], envs: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailplan"));
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start the mailplan binary");
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        input.write_all(text.as_bytes()).expect("write stdin");
        input.write_all(b"\n").expect("write stdin");
    }
    let mut out = child.stdout.take().expect("stdout pipe");
    let mut err = child.stderr.take().expect("stderr pipe");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for mailplan") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("mailplan {args:?} did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

fn target(scheme: &str, s: &Servers, key: &str) -> String {
    format!("{scheme}://{}", s.get(key))
}

/// Parses `--json` output and returns its results, with the whole output in any failure message.
fn json_results(out: &Output) -> Vec<serde_json::Value> {
    let text = String::from_utf8_lossy(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "--json output is not JSON ({e}):\n{text}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(doc["version"], 1, "{text}");
    doc["results"].as_array().cloned().unwrap_or_default()
}

fn json_codes(result: &serde_json::Value) -> Vec<String> {
    result["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn assert_no_password_in_output(out: &Output, user: &str, password: &str) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for form in leak_forms(user, password) {
        assert!(
            !all.contains(&form),
            "the password (or its base64) appears in mailplan's output"
        );
    }
}

#[test]
fn cli_checks_every_endpoint_in_one_run() {
    let s = require_servers!();
    let mut args = vec![
        "check".to_owned(),
        "--json".to_owned(),
        "--ca-file".to_owned(),
    ];
    args.push(s.get("MAILPLAN_TEST_CA"));
    for (scheme, key) in ENDPOINTS {
        args.push(target(scheme.name(), &s, key));
    }
    let out = mailplan(&args, &[], None);
    let results = json_results(&out);
    assert_eq!(results.len(), ENDPOINTS.len(), "one result per target");
    for r in &results {
        assert_eq!(r["verdict"], "ok", "{r:#}");
    }
    assert_eq!(out.status.code(), Some(0), "exit 0 when no target failed");
}

#[test]
fn cli_human_output_names_the_verdict() {
    let s = require_servers!();
    let args = vec![
        "check".to_owned(),
        "--ca-file".to_owned(),
        s.get("MAILPLAN_TEST_CA"),
        target("imaps", &s, "MAILPLAN_TEST_IMAPS"),
    ];
    let out = mailplan(&args, &[], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.to_lowercase().contains("ok"), "{text}");
    assert!(
        text.contains(&s.get("MAILPLAN_TEST_IMAPS")),
        "the block names its target: {text}"
    );
}

#[test]
fn cli_login_with_password_env_and_stdin() {
    let s = require_servers!();
    let (user, password) = s.tricky_user();
    let ca = s.get("MAILPLAN_TEST_CA");
    let base = |t: String| -> Vec<String> {
        ["check", "--json", "--ca-file", &ca, "--user", &user]
            .iter()
            .map(|a| (*a).to_owned())
            .chain([t])
            .collect()
    };
    // --password-env
    let mut args = base(target("imap", &s, "MAILPLAN_TEST_IMAP"));
    args.extend(["--password-env".to_owned(), "MAILPLAN_TRICKY".to_owned()]);
    let out = mailplan(&args, &[("MAILPLAN_TRICKY", &password)], None);
    let results = json_results(&out);
    assert_eq!(results[0]["verdict"], "ok", "{:#}", results[0]);
    assert_eq!(out.status.code(), Some(0));
    assert_no_password_in_output(&out, &user, &password);
    // --password-stdin
    for t in [
        target("pop3", &s, "MAILPLAN_TEST_POP3"),
        target("submission", &s, "MAILPLAN_TEST_SUBMISSION"),
    ] {
        let mut args = base(t);
        args.push("--password-stdin".to_owned());
        let out = mailplan(&args, &[], Some(&password));
        let results = json_results(&out);
        assert_eq!(results[0]["verdict"], "ok", "{:#}", results[0]);
        assert_eq!(out.status.code(), Some(0));
        assert_no_password_in_output(&out, &user, &password);
    }
}

#[test]
fn cli_failures_exit_1_with_their_codes() {
    let s = require_servers!();
    let (user, _) = s.user();
    let ca = s.get("MAILPLAN_TEST_CA");
    // (extra arguments, environment, expected code)
    type Case<'a> = (Vec<String>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                target("imaps", &s, "MAILPLAN_TEST_IMAPS"),
                "--user".into(),
                user.clone(),
            ],
            vec![("MAILPLAN_WRONG", "wrong password")],
            "auth.failed",
        ),
        (
            vec![target("imaps", &s, "MAILPLAN_TEST_IMAPS_EXPIRED")],
            vec![],
            "tls.cert_expired",
        ),
        (
            vec![target("pop3", &s, "MAILPLAN_TEST_POP3S")],
            vec![],
            "tls.expected",
        ),
        (
            vec![target("smtps", &s, "MAILPLAN_TEST_SMTP")],
            vec![],
            "tls.plaintext_port",
        ),
    ];
    for (extra, envs, code) in cases {
        let mut args: Vec<String> = ["check", "--json", "--ca-file", &ca]
            .iter()
            .map(|a| (*a).to_owned())
            .collect();
        args.extend(extra);
        if !envs.is_empty() {
            args.extend(["--password-env".to_owned(), "MAILPLAN_WRONG".to_owned()]);
        }
        let out = mailplan(&args, &envs, None);
        let results = json_results(&out);
        assert!(
            json_codes(&results[0]).iter().any(|c| c == code),
            "expected {code}: {:#}",
            results[0]
        );
        assert_eq!(results[0]["verdict"], "fail", "{:#}", results[0]);
        assert_eq!(out.status.code(), Some(1), "exit 1 when a target failed");
    }
}

#[test]
fn cli_without_ca_file_reports_untrusted_and_insecure_is_stated() {
    let s = require_servers!();
    let t = target("imaps", &s, "MAILPLAN_TEST_IMAPS");
    let out = mailplan(&["check".into(), "--json".into(), t.clone()], &[], None);
    let results = json_results(&out);
    assert!(
        json_codes(&results[0])
            .iter()
            .any(|c| c == "tls.cert_untrusted"),
        "{:#}",
        results[0]
    );
    assert_eq!(out.status.code(), Some(1));

    let out = mailplan(&["check".into(), "--insecure".into(), t], &[], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.to_lowercase().contains("insecure"),
        "--insecure must be stated in the output: {text}"
    );
}

#[test]
fn cli_inspect_latest_reports_the_missing_date() {
    let s = require_servers!();
    let (user, password) = s.user();
    let args: Vec<String> = [
        "check",
        "--json",
        "--ca-file",
        &s.get("MAILPLAN_TEST_CA"),
        "--user",
        &user,
        "--password-env",
        "MAILPLAN_ALICE",
        "--inspect-latest",
        &target("pop3", &s, "MAILPLAN_TEST_POP3"),
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    let out = mailplan(&args, &[("MAILPLAN_ALICE", &password)], None);
    let results = json_results(&out);
    let latest = &results[0]["latest_message"];
    assert!(latest.is_object(), "no latest_message: {:#}", results[0]);
    assert!(latest["date_header"].is_null(), "{latest:#}");
    assert_eq!(latest["subject"], "A message without a Date header");
    assert_no_password_in_output(&out, &user, &password);
}

#[test]
fn cli_uses_the_test_dns_server() {
    let s = require_servers!();
    let args = vec![
        "check".to_owned(),
        "--json".to_owned(),
        "--dns".to_owned(),
        s.get("MAILPLAN_TEST_DNS"),
        "--ca-file".to_owned(),
        s.get("MAILPLAN_TEST_CA"),
        format!(
            "submission://mail.mailplan.test:{}",
            s.port("MAILPLAN_TEST_SUBMISSION")
        ),
    ];
    let out = mailplan(&args, &[], None);
    let results = json_results(&out);
    assert_eq!(results[0]["verdict"], "ok", "{:#}", results[0]);
    assert_eq!(results[0]["host"], "mail.mailplan.test");
}

/// The fixtures are as documented, checked without mailplan: the quoted tricky password logs in, alice's
/// newest message has no Date: header and is unseen, bob's has one.
#[test]
fn the_test_mailboxes_are_as_documented() {
    let s = require_servers!();
    let (user, password) = s.user();
    let newest = imap_fetch_newest(&s, &user, &password, "FLAGS BODY.PEEK[HEADER]");
    assert!(
        newest.contains("Subject: A message without a Date header"),
        "{newest}"
    );
    assert!(!newest.contains("\nDate:"), "{newest}");
    assert!(!newest.contains("\\Seen"), "{newest}");
    let (user, password) = s.tricky_user();
    let newest = imap_fetch_newest(&s, &user, &password, "BODY.PEEK[HEADER.FIELDS (DATE)]");
    assert!(
        newest.contains("Date: Fri, 15 Apr 2022 05:19:58 +0000"),
        "{newest}"
    );
}

#[test]
fn env_file_values_keep_quotes_and_backslashes() {
    let vars = parse_env("# comment\nA=1\nB='pa\"ss\\ word'\nexport C=x=y\n\n");
    assert_eq!(vars["A"], "1");
    assert_eq!(vars["B"], "pa\"ss\\ word");
    assert_eq!(vars["C"], "x=y");
    assert_eq!(base64(b"\0bob\0pa\"ss\\ word"), "AGJvYgBwYSJzc1wgd29yZA==");
}
