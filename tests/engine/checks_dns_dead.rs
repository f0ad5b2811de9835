//! A DNS server that never answers is blamed on DNS, not on the mail server, and well before
//! the whole-check deadline.

use mailplan::checks::{CancellationToken, CheckOptions, Target, run_check};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_silent_dns_server_gives_dns_failed_not_a_deadline() {
    // A UDP socket that receives and never answers; TCP to the same port is refused.
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let dns = silent.local_addr().unwrap();
    let opts = CheckOptions {
        timeout: Duration::from_secs(10),
        dns: Some(dns),
        ..CheckOptions::default()
    };
    let target = Target::parse("imap://mail.example.test:11143").unwrap();
    let started = Instant::now();
    let r = run_check(target, Arc::new(opts), 0, None, CancellationToken::new()).await;
    let took = started.elapsed();
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"dns.failed"), "{codes:?}");
    assert!(!codes.contains(&"deadline.exceeded"), "{codes:?}");
    assert!(took < Duration::from_secs(6), "took {took:?}");
    let text = r.findings[0].server_text.as_deref().unwrap_or("");
    assert!(text.contains(&dns.to_string()), "{text}");
    drop(silent);
}

/// The same silent DNS server with a deadline shorter than the resolver's own time-outs: still a
/// DNS finding (found by a fresh-eyed review: it was `deadline.exceeded`), at the deadline.
#[tokio::test]
async fn a_silent_dns_server_under_a_short_deadline_is_still_dns_failed() {
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let opts = CheckOptions {
        timeout: Duration::from_secs(2),
        dns: Some(silent.local_addr().unwrap()),
        ..CheckOptions::default()
    };
    let target = Target::parse("imap://mail.example.test:11143").unwrap();
    let started = Instant::now();
    let r = run_check(target, Arc::new(opts), 0, None, CancellationToken::new()).await;
    let took = started.elapsed();
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, vec!["dns.failed"], "{:#?}", r.findings);
    assert!(
        r.findings[0].title.contains("mail.example.test"),
        "{}",
        r.findings[0].title
    );
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    drop(silent);
}

#[test]
fn tls_mode_description_says_what_happened() {
    use mailplan::checks::{CheckResult, Protocol, Step, TlsMode};
    use mailplan::findings::Verdict;
    let mut r = CheckResult {
        target: "imap://x:143".into(),
        protocol: Protocol::Imap,
        host: "x".into(),
        port: 143,
        tls_mode: TlsMode::Starttls,
        verdict: Verdict::Ok,
        findings: vec![],
        steps: vec![],
        banner: None,
        capabilities: vec![],
        auth_mechanisms: vec![],
        tls: None,
        addresses: vec![],
        transcript: vec![],
        latest_message: None,
        insecure: false,
        elapsed_ms: 1,
    };
    assert!(r.tls_mode_description().contains("stayed in plain text"));
    r.steps.push(Step {
        name: "starttls".into(),
        ms: 3,
        ok: true,
        detail: None,
    });
    assert_eq!(r.tls_mode_description(), "STARTTLS (upgraded to TLS)");
}
