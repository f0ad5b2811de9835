//! Diagnosis against an in-process DNS server: discovery order, candidate sources,
//! the summary logic, progress and cancellation. Nothing leaves the machine: every
//! endpoint that is actually checked resolves to 127.0.0.0/8 through the fake server.

use crate::dns_support;

use dns_support::{FakeDns, Zone, standard_zone};
use mailplan::checks::{
    CancellationToken, CheckOptions, CheckResult, Scheme, Step, Target, TlsMode,
};
use mailplan::diagnose::{
    Candidate, ClientGoal, DiagnoseOptions, DiagnoseProgress, Diagnosis, EndpointResult, Role,
    Source, candidates, diagnose, gather_dns, summarize,
};
use mailplan::dns::DnsClient;
use mailplan::dns::providers::ProviderTable;
use mailplan::findings::{Finding, Severity, Verdict};
use std::time::Duration;

async fn facts(zone: Zone, domain: &str, guess: bool) -> mailplan::diagnose::DnsFacts {
    let dns = FakeDns::start(zone).await;
    let client = DnsClient::new(Some(dns.addr), Duration::from_millis(800)).unwrap();
    let input = mailplan::dns::mx::parse_domain_input(domain).unwrap();
    gather_dns(&client, &input.domain, &input.display_domain, guess).await
}

fn list(c: &[Candidate]) -> Vec<(String, Role, Source)> {
    c.iter()
        .map(|c| (c.target.to_string(), c.role, c.source))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv_comes_first_and_honours_ports() {
    let f = facts(standard_zone(), "srv.test", true).await;
    let (c, d) = candidates(&f, ProviderTable::builtin(), false, 25);
    assert_eq!(
        list(&c),
        [
            (
                "imaps://imap.srv.test:10993".into(),
                Role::Incoming,
                Source::Srv
            ),
            (
                "imap://imap.srv.test:10143".into(),
                Role::Incoming,
                Source::Srv
            ),
            (
                "submission://smtp2.srv.test:2587".into(),
                Role::Outgoing,
                Source::Srv
            ),
            (
                "submission://smtp.srv.test:10587".into(),
                Role::Outgoing,
                Source::Srv
            ),
            ("smtp://mx.srv.test:25".into(), Role::Mx, Source::Mx),
        ]
    );
    assert!(
        c[0].origin
            .contains("_imaps._tcp.srv.test SRV 0 1 10993 imap.srv.test")
    );
    assert!(
        d.srv
            .iter()
            .any(|s| s.name == "_pop3s._tcp.srv.test" && s.not_offered)
    );
    assert_eq!(d.provider, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_table_comes_second() {
    let f = facts(standard_zone(), "someone@googled.test", true).await;
    let (c, d) = candidates(&f, ProviderTable::builtin(), false, 25);
    assert_eq!(d.provider.as_deref(), Some("google"));
    let l = list(&c);
    assert_eq!(
        l[0],
        (
            "imaps://imap.gmail.com:993".into(),
            Role::Incoming,
            Source::Provider
        )
    );
    assert_eq!(
        l[1],
        (
            "pop3s://pop.gmail.com:995".into(),
            Role::Incoming,
            Source::Provider
        )
    );
    assert_eq!(
        l[2],
        (
            "smtps://smtp.gmail.com:465".into(),
            Role::Outgoing,
            Source::Provider
        )
    );
    assert_eq!(
        l[3],
        (
            "submission://smtp.gmail.com:587".into(),
            Role::Outgoing,
            Source::Provider
        )
    );
    assert_eq!(
        l[4],
        ("smtp://aspmx.l.google.com:25".into(), Role::Mx, Source::Mx)
    );
    assert_eq!(l.len(), 5);

    let f = facts(standard_zone(), "contoso.test", true).await;
    let (c, _) = candidates(&f, ProviderTable::builtin(), false, 25);
    assert!(list(&c).contains(&(
        "submission://smtp.office365.com:587".into(),
        Role::Outgoing,
        Source::Provider
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_comes_last_and_can_be_turned_off() {
    let mut z = Zone::new();
    z.mx("guess.test", 10, "mail.guess.test")
        .a("mail.guess.test", "127.0.0.1")
        .a("imap.guess.test", "127.0.0.1")
        .a("smtp.guess.test", "127.0.0.1");
    let f = facts(z.clone(), "guess.test", true).await;
    let (c, d) = candidates(&f, ProviderTable::builtin(), false, 25);
    assert_eq!(
        d.guessed_hosts,
        ["imap.guess.test", "mail.guess.test", "smtp.guess.test"]
    );
    let l = list(&c);
    assert_eq!(
        l[0],
        (
            "imaps://imap.guess.test:993".into(),
            Role::Incoming,
            Source::Guess
        )
    );
    assert!(l.contains(&(
        "pop3s://mail.guess.test:995".into(),
        Role::Incoming,
        Source::Guess
    )));
    assert!(l.contains(&(
        "submission://smtp.guess.test:587".into(),
        Role::Outgoing,
        Source::Guess
    )));
    assert!(
        !l.iter().any(|(t, _, _)| t.contains("//guess.test")),
        "bare domain has no address: {l:?}"
    );
    assert!(
        c.iter()
            .filter(|c| c.source == Source::Guess)
            .all(|c| c.origin.starts_with("guessed"))
    );

    let f = facts(z, "guess.test", false).await;
    let (c, d) = candidates(&f, ProviderTable::builtin(), true, 25);
    assert_eq!(
        list(&c),
        [("smtp://mail.guess.test:25".into(), Role::Mx, Source::Mx)]
    );
    assert!(!d.guessing_enabled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idn_guesses_keep_unicode_display() {
    let mut z = Zone::new();
    z.mx("xn--bcher-kva.test", 10, "mail.xn--bcher-kva.test")
        .a("mail.xn--bcher-kva.test", "127.0.0.1");
    let f = facts(z, "bücher.test", true).await;
    let (c, _) = candidates(&f, ProviderTable::builtin(), false, 25);
    assert_eq!(c[0].target.host, "mail.xn--bcher-kva.test");
    assert_eq!(c[0].target.display_host, "mail.bücher.test");
}

fn result(target: &str, verdict: Verdict, reached: bool, findings: Vec<Finding>) -> CheckResult {
    let t = Target::parse(target).unwrap();
    CheckResult {
        target: t.to_string(),
        protocol: t.protocol(),
        host: t.host.clone(),
        port: t.port,
        tls_mode: t.scheme.tls_mode(),
        verdict,
        findings,
        steps: vec![Step {
            name: "connect".into(),
            ms: 1,
            ok: reached,
            detail: None,
        }],
        banner: None,
        capabilities: vec![],
        auth_mechanisms: vec![],
        tls: None,
        addresses: vec![],
        transcript: vec![],
        latest_message: None,
        insecure: false,
        elapsed_ms: 1,
    }
}

fn endpoint(
    target: &str,
    role: Role,
    source: Source,
    verdict: Verdict,
    reached: bool,
) -> EndpointResult {
    let findings = if verdict == Verdict::Fail {
        vec![
            Finding::new(
                "tcp.timeout",
                Severity::Error,
                "Connection timed out",
                "x",
                "y",
            )
            .with_server_text("connect timed out after 10 s"),
        ]
    } else {
        vec![]
    };
    EndpointResult {
        candidate: Candidate {
            target: Target::parse(target).unwrap(),
            role,
            source,
            origin: "test".into(),
        },
        result: result(target, verdict, reached, findings),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_names_settings_and_port25_blocking() {
    let f = facts(standard_zone(), "good.test", false).await;
    let eps = vec![
        endpoint(
            "pop3s://mail.good.test",
            Role::Incoming,
            Source::Srv,
            Verdict::Ok,
            true,
        ),
        endpoint(
            "imaps://mail.good.test",
            Role::Incoming,
            Source::Srv,
            Verdict::Ok,
            true,
        ),
        endpoint(
            "imap://mail.good.test",
            Role::Incoming,
            Source::Guess,
            Verdict::Fail,
            false,
        ),
        endpoint(
            "submission://mail.good.test",
            Role::Outgoing,
            Source::Srv,
            Verdict::Ok,
            true,
        ),
        endpoint(
            "smtp://mx1.good.test",
            Role::Mx,
            Source::Mx,
            Verdict::Fail,
            false,
        ),
    ];
    let (s, findings) = summarize(&f.domain, &eps, ClientGoal::Sync, false);
    let inc = s.incoming.as_ref().unwrap();
    assert_eq!(
        (inc.scheme, inc.port, inc.security),
        (Scheme::Imaps, 993, TlsMode::Implicit)
    );
    assert_eq!(inc.describe(), "IMAP, mail.good.test, port 993, SSL/TLS");
    assert_eq!(s.incoming_alternatives[0].scheme, Scheme::Pop3s);
    assert_eq!(s.outgoing.as_ref().unwrap().port, 587);
    assert!(s.imap_or_pop.starts_with("For normal use, choose IMAP."));
    assert_eq!(s.verdict, Verdict::Ok);
    let blocked = findings
        .iter()
        .find(|f| f.code == "net.port25_blocked")
        .expect("port25 finding");
    assert_eq!(blocked.severity, Severity::Warning);
    assert!(blocked.title.contains("while mail submission works"));
    assert!(
        blocked
            .explanation
            .contains("not a fault of the mail server")
    );
    assert_eq!(
        blocked.server_text.as_deref(),
        Some("connect timed out after 10 s")
    );
    // A failed guess is not a problem; the port-25 finding is.
    assert!(
        !s.problems
            .iter()
            .any(|p| p.endpoint.as_deref() == Some("imap://mail.good.test:143"))
    );
    assert!(
        s.problems
            .iter()
            .any(|p| p.finding.code == "net.port25_blocked")
    );

    // Goal: download -> POP3 first.
    let (s, _) = summarize(&f.domain, &eps, ClientGoal::Download, false);
    assert_eq!(s.incoming.unwrap().scheme, Scheme::Pop3s);

    // Nothing reachable at all: not blamed on port-25 blocking.
    let eps = vec![
        endpoint(
            "imaps://mail.good.test",
            Role::Incoming,
            Source::Srv,
            Verdict::Fail,
            false,
        ),
        endpoint(
            "smtp://mx1.good.test",
            Role::Mx,
            Source::Mx,
            Verdict::Fail,
            false,
        ),
    ];
    let (s, findings) = summarize(&f.domain, &eps, ClientGoal::Sync, false);
    let codes: Vec<_> = findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "diag.no_incoming",
            "diag.no_outgoing_found",
            "diag.mx_unreachable"
        ]
    );
    assert_eq!(s.verdict, Verdict::Fail);
    // A declared endpoint that fails is a problem, with the server's words.
    assert!(s.problems.iter().any(
        |p| p.endpoint.as_deref() == Some("imaps://mail.good.test:993")
            && p.finding.code == "tcp.timeout"
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_diagnosis_checks_every_endpoint_with_progress() {
    let dns = FakeDns::start(standard_zone()).await;
    let opts = DiagnoseOptions {
        check: CheckOptions {
            timeout: Duration::from_secs(5),
            dns: Some(dns.addr),
            ..CheckOptions::default()
        },
        dns_timeout: Duration::from_millis(800),
        ..DiagnoseOptions::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let d = diagnose(
        "someone@srv.test",
        &opts,
        Some(tx),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(d.version, 1);
    assert_eq!(d.domain, "srv.test");
    assert_eq!(d.endpoints.len(), 5);
    assert_eq!(d.endpoints[0].result.target, "imaps://imap.srv.test:10993");
    assert_eq!(d.endpoints[4].candidate.role, Role::Mx);
    let mut saw = (false, false, 0);
    // The sender side closes when the diagnosis and its forwarding are done.
    while let Some(p) = rx.recv().await {
        match p {
            DiagnoseProgress::Domain(_) => saw.0 = true,
            DiagnoseProgress::Candidates(c) => saw.1 = c.len() == 5,
            DiagnoseProgress::Check(mailplan::checks::Progress::Finished { .. }) => saw.2 += 1,
            _ => {}
        }
    }
    assert!(saw.0 && saw.1 && saw.2 == 5, "progress: {saw:?}");
    // Nothing listens on these loopback ports: every endpoint fails, and the summary says so.
    assert!(
        d.endpoints
            .iter()
            .all(|e| e.result.verdict == Verdict::Fail)
    );
    assert_eq!(d.summary.verdict, Verdict::Fail);
    assert!(d.findings.iter().any(|f| f.code == "diag.no_incoming"));
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.starts_with("{\"version\":1"));
    let back: Diagnosis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_during_dns() {
    let mut z = Zone::new();
    z.silent("slow.test");
    let dns = FakeDns::start(z).await;
    let opts = DiagnoseOptions {
        check: CheckOptions {
            dns: Some(dns.addr),
            ..CheckOptions::default()
        },
        dns_timeout: Duration::from_secs(20),
        ..DiagnoseOptions::default()
    };
    let cancel = CancellationToken::new();
    cancel.cancel();
    let d = diagnose("slow.test", &opts, None, cancel).await.unwrap();
    assert!(d.cancelled);
    assert!(d.endpoints.is_empty());
    assert_eq!(d.findings[0].code, "diag.cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_an_error_not_a_panic() {
    let opts = DiagnoseOptions::default();
    for bad in ["", "imaps://mail.example.com", "192.0.2.1", "a\u{7}b.test"] {
        assert!(
            diagnose(bad, &opts, None, CancellationToken::new())
                .await
                .is_err(),
            "{bad}"
        );
    }
}
