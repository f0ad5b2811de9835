//! The check engine against in-process fake servers on 127.0.0.1: one test (at least) per
//! finding code, plus awkward-but-valid servers. Run: `cargo test --test engine checks_fake::`.

use crate::common;

use common::*;
use mailplan::checks::{
    CancellationToken, CheckOptions, CheckResult, Login, Target, catalogue, run_check,
};
use mailplan::findings::Verdict;
use mailplan::secret::Secret;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Every code a test below asserted; `every_code_is_pinned` compares with the catalogue.
static PINNED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn opts(secs: u64) -> CheckOptions {
    CheckOptions {
        timeout: Duration::from_secs(secs),
        ..CheckOptions::default()
    }
}

fn with_login(mut o: CheckOptions, user: &str, pw: &str) -> CheckOptions {
    o.login = Some(Login {
        user: user.into(),
        password: Secret::from(pw),
    });
    o
}

async fn check(target: &str, o: CheckOptions) -> CheckResult {
    let t = Target::parse(target).expect("target");
    run_check(t, Arc::new(o), 0, None, CancellationToken::new()).await
}

fn codes(r: &CheckResult) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

#[track_caller]
fn assert_code(r: &CheckResult, code: &str) {
    assert!(
        codes(r).contains(&code),
        "expected {code} in {:?}\ntranscript: {:#?}",
        codes(r),
        r.transcript
    );
    PINNED.lock().unwrap().push(code.to_owned());
}

fn finding<'a>(r: &'a CheckResult, code: &str) -> &'a mailplan::findings::Finding {
    r.findings.iter().find(|f| f.code == code).expect("finding")
}

fn pop3_hello(capa: &[&str]) -> Vec<Act> {
    let mut v = vec![
        line("+OK POP3 ready"),
        expect("CAPA"),
        line("+OK capability list follows"),
    ];
    v.extend(capa.iter().map(|c| line(c)));
    v.push(line("."));
    v
}

fn imap_hello(caps: &str) -> Vec<Act> {
    vec![
        line("* OK [CAPABILITY IMAP4rev1] ready"),
        expect("a1 CAPABILITY"),
        Act::Line(format!("* CAPABILITY {caps}")),
        line("a1 OK done"),
    ]
}

fn pinned(code: &str) {
    PINNED.lock().unwrap().push(code.to_owned());
}

// ---------- input, DNS, TCP ----------

#[tokio::test]
async fn input_with_line_breaks_is_rejected_before_connecting() {
    let fake = Fake::plain(vec![line("+OK hi")]).await;
    let r = check(
        &format!("pop3://127.0.0.1:{}", fake.port),
        with_login(opts(3), "alice\r\nDELE 1", "pw"),
    )
    .await;
    assert_code(&r, "input.invalid");
    assert_eq!(
        fake.seen
            .connections
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    let r = check(
        &format!("pop3://127.0.0.1:{}", fake.port),
        with_login(opts(3), "a", "p\nw"),
    )
    .await;
    assert!(finding(&r, "input.invalid").title.contains("password"));
}

/// A check whose task panics (a fault in mailplan) gets a failing result in its own place; the
/// other results keep theirs, and progress reports it as finished, so nobody waits for ever.
#[tokio::test]
async fn a_check_that_panics_keeps_its_place_as_an_internal_error() {
    let fakes = [
        Fake::plain(pop3_hello(&["USER"])).await,
        Fake::plain(pop3_hello(&["USER"])).await,
        Fake::plain(pop3_hello(&["USER"])).await,
    ];
    let targets: Vec<Target> = fakes
        .iter()
        .map(|f| Target::parse(&format!("pop3://127.0.0.1:{}", f.port)).unwrap())
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let results = mailplan::checks::run_each(
        targets.clone(),
        Arc::new(opts(5)),
        Some(tx),
        CancellationToken::new(),
        |t, o, i, p, c| async move {
            if i == 1 {
                panic!("deliberate fault for the test");
            }
            run_check(t, o, i, p, c).await
        },
    )
    .await;
    assert_eq!(results.len(), 3);
    for (r, t) in results.iter().zip(&targets) {
        assert_eq!(r.target, t.to_string());
    }
    let r = results[1].clone();
    assert_code(&r, "check.internal_error");
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(!codes(&results[0]).contains(&"check.internal_error"));
    assert!(!codes(&results[2]).contains(&"check.internal_error"));
    let mut finished = Vec::new();
    while let Ok(p) = rx.try_recv() {
        if let mailplan::checks::Progress::Finished { index, .. } = p {
            finished.push(index);
        }
    }
    finished.sort();
    assert_eq!(finished, vec![0, 1, 2]);
}

/// A minimal DNS server on 127.0.0.1 (UDP) for the --dns tests.
async fn fake_dns() -> std::net::SocketAddr {
    use mailplan_dns::*;
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        loop {
            let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
                return;
            };
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let Some(query) = q.queries.first().cloned() else {
                continue;
            };
            let name = query.name().to_ascii().to_ascii_lowercase();
            let mut resp = Message::response(q.metadata.id, q.metadata.op_code);
            resp.metadata.recursion_available = true;
            resp.metadata.authoritative = true;
            resp.add_query(query.clone());
            match name.as_str() {
                "nx.test." => resp.metadata.response_code = ResponseCode::NXDomain,
                "fail.test." => resp.metadata.response_code = ResponseCode::ServFail,
                "dual.test." => {
                    if query.query_type() == RecordType::A {
                        resp.add_answer(Record::from_rdata(
                            query.name().clone(),
                            60,
                            RData::A(A(std::net::Ipv4Addr::LOCALHOST)),
                        ));
                    } else if query.query_type() == RecordType::AAAA {
                        // Loopback IPv6, where nothing listens on this port.
                        resp.add_answer(Record::from_rdata(
                            query.name().clone(),
                            60,
                            RData::AAAA(AAAA("::1".parse().unwrap())),
                        ));
                    }
                }
                _ => {} // "noaddr.test." and others: NOERROR, no records
            }
            if let Ok(bytes) = resp.to_vec() {
                let _ = sock.send_to(&bytes, peer).await;
            }
        }
    });
    addr
}

mod mailplan_dns {
    pub use hickory_resolver::proto::op::{Message, ResponseCode};
    pub use hickory_resolver::proto::rr::rdata::{A, AAAA};
    pub use hickory_resolver::proto::rr::{RData, Record, RecordType};
}

#[tokio::test]
async fn dns_codes_with_a_fake_resolver() {
    let dns = fake_dns().await;
    let mut o = opts(5);
    o.dns = Some(dns);
    let r = check("imap://nx.test", o.clone()).await;
    assert_code(&r, "dns.nxdomain");
    let r = check("imap://noaddr.test", o.clone()).await;
    assert_code(&r, "dns.no_address");
    let r = check("imap://fail.test", o.clone()).await;
    assert_code(&r, "dns.failed");
}

#[tokio::test]
async fn every_address_is_tried_and_reported() {
    let dns = fake_dns().await;
    let fake = Fake::plain(imap_hello("IMAP4rev1")).await;
    let mut o = opts(5);
    o.dns = Some(dns);
    o.no_starttls = true;
    let r = check(&format!("imap://dual.test:{}", fake.port), o).await;
    // The IPv4 listener answers; ::1 on that port does not (refused, or no IPv6 at all).
    assert_eq!(r.addresses.len(), 2, "{:?}", r.addresses);
    assert!(
        r.addresses
            .iter()
            .any(|a| a.ok && a.address.starts_with("127.0.0.1"))
    );
    assert!(r.addresses.iter().any(|a| !a.ok));
    assert_code(&r, "tcp.failed");
    assert_eq!(
        finding(&r, "tcp.failed").severity,
        mailplan::findings::Severity::Warning
    );
    assert!(r.banner.is_some());
}

#[tokio::test]
async fn refused_port() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let r = check(&format!("smtp://127.0.0.1:{port}"), opts(3)).await;
    assert_code(&r, "tcp.refused");
    assert_eq!(r.verdict, Verdict::Fail);
}

#[tokio::test]
async fn connect_that_never_completes_is_a_tcp_timeout() {
    // A listener that never accepts, with its backlog filled: further SYNs are dropped.
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = sock.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    let mut filled = false;
    for _ in 0..16 {
        match tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(s)) => held.push(s),
            _ => {
                filled = true;
                break;
            }
        }
    }
    if !filled {
        eprintln!("skipped: this kernel never drops SYNs on a full backlog");
        pinned("tcp.timeout");
        return;
    }
    let started = Instant::now();
    let r = check(&format!("smtp://{addr}"), opts(2)).await;
    assert_code(&r, "tcp.timeout");
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(listener);
}

#[tokio::test]
async fn closed_before_greeting() {
    let fake = Fake::plain(vec![Act::Close]).await;
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "tcp.closed");
}

// ---------- greetings ----------

#[tokio::test]
async fn silent_port_that_speaks_tls_is_tls_expected() {
    let ca = TestCa::new();
    let fake = Fake::start(
        vec![vec![line("+OK ready"), Act::Hold]],
        Some(ca.good()),
        true,
    )
    .await;
    let started = Instant::now();
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "tls.expected");
    assert!(finding(&r, "tls.expected").fix.contains("pop3s://"));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn silent_port_is_greeting_timeout_within_deadline_plus_one_second() {
    let fake = Fake::plain(vec![Act::Hold]).await;
    let started = Instant::now();
    let r = check(&format!("smtp://127.0.0.1:{}", fake.port), opts(2)).await;
    assert_code(&r, "greeting.timeout");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // It tried TLS before concluding.
    assert!(r.steps.iter().any(|s| s.name == "tls-probe"));
}

/// A silent port checked with implicit TLS: the finding names the silent handshake, not just
/// "the deadline passed".
#[tokio::test]
async fn silent_port_with_implicit_tls_is_tls_handshake_timeout() {
    let fake = Fake::plain(vec![Act::Hold]).await;
    let started = Instant::now();
    let r = check(&format!("imaps://127.0.0.1:{}", fake.port), opts(2)).await;
    assert_code(&r, "tls.handshake_timeout");
    assert!(!codes(&r).contains(&"deadline.exceeded"), "{:?}", codes(&r));
    assert!(finding(&r, "tls.handshake_timeout").title.contains("2 s"));
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    let tls = r.steps.iter().find(|s| s.name == "tls").expect("tls step");
    assert!(!tls.ok);
}

#[tokio::test]
async fn slow_but_valid_greeting_and_no_early_talk() {
    let mut script = vec![Act::Sleep(Duration::from_millis(5200)), Act::AssertQuiet];
    script.extend(vec![
        line("220-mx.example.test slow on purpose"),
        Act::AssertQuiet,
        line("220 ready"),
    ]);
    script.extend(vec![expect("EHLO"), line("250 mx")]);
    script.extend(smtp_quit());
    let fake = Fake::plain(script).await;
    let mut o = opts(10);
    o.no_starttls = true;
    let r = check(&format!("smtp://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "greeting.slow");
    assert_eq!(
        finding(&r, "greeting.slow").severity,
        mailplan::findings::Severity::Info
    );
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", codes(&r));
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}

#[tokio::test]
async fn rejected_greetings_temporary_and_permanent() {
    let fake = Fake::plain(vec![
        line("421 4.7.0 mx Error: too many connections from 127.0.0.1"),
        Act::Close,
    ])
    .await;
    let r = check(&format!("smtp://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "greeting.rejected");
    let f = finding(&r, "greeting.rejected");
    assert!(f.title.contains("temporary"));
    assert!(
        f.server_text
            .as_deref()
            .unwrap()
            .contains("too many connections")
    );
    assert!(!codes(&r).iter().any(|c| c.starts_with("tls.")));

    let fake = Fake::plain(vec![
        line("554 5.7.1 You are listed at a block list"),
        Act::Close,
    ])
    .await;
    let r = check(&format!("submission://127.0.0.1:{}", fake.port), opts(3)).await;
    assert!(finding(&r, "greeting.rejected").title.contains("permanent"));

    let fake = Fake::plain(vec![
        line("* BYE Too many connections, try again later"),
        Act::Close,
    ])
    .await;
    let r = check(&format!("imap://127.0.0.1:{}", fake.port), opts(3)).await;
    assert!(finding(&r, "greeting.rejected").title.contains("temporary"));

    let fake = Fake::plain(vec![line("-ERR [SYS/PERM] service disabled"), Act::Close]).await;
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), opts(3)).await;
    assert!(finding(&r, "greeting.rejected").title.contains("permanent"));
}

#[tokio::test]
async fn wrong_protocol_is_named() {
    let fake = Fake::plain(vec![
        line("* OK [CAPABILITY IMAP4rev1] Dovecot ready."),
        Act::Hold,
    ])
    .await;
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "greeting.wrong_protocol");
    assert!(
        finding(&r, "greeting.wrong_protocol")
            .title
            .contains("IMAP")
    );

    let fake = Fake::plain(vec![line("SSH-2.0-OpenSSH_9.2p1 Debian-2"), Act::Hold]).await;
    let r = check(&format!("smtp://127.0.0.1:{}", fake.port), opts(3)).await;
    assert!(finding(&r, "greeting.wrong_protocol").title.contains("SSH"));

    let fake = Fake::plain(vec![line("+OK POP3 ready"), Act::Hold]).await;
    let r = check(&format!("imap://127.0.0.1:{}", fake.port), opts(3)).await;
    assert!(
        finding(&r, "greeting.wrong_protocol")
            .title
            .contains("POP3")
    );
}

#[tokio::test]
async fn flood_without_newline_is_too_long_and_bounded() {
    let fake = Fake::plain(vec![Act::Flood(200_000), Act::Hold]).await;
    let started = Instant::now();
    let r = check(&format!("smtp://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "greeting.too_long");
    assert!(started.elapsed() < Duration::from_secs(2));
    // The transcript does not hold the flood.
    let total: usize = r.transcript.iter().map(|l| l.text.len()).sum();
    assert!(total < 20_000, "{total}");
}

#[tokio::test]
async fn antivirus_proxy_banner_is_intercepted() {
    let mut s = vec![line(
        "+OK AVG POP3 Proxy Server 7.5.494/7.5.560 [269.17.13/1178] ready",
    )];
    s.extend(vec![
        expect("CAPA"),
        line("+OK"),
        line("USER"),
        line("UIDL"),
        line("."),
    ]);
    s.extend(vec![expect("QUIT"), line("+OK")]);
    let fake = Fake::plain(s).await;
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "greeting.intercepted");
    assert!(finding(&r, "greeting.intercepted").title.contains("AVG"));
}

#[tokio::test]
async fn imap_preauth_is_flagged() {
    let fake = Fake::plain(vec![
        line("* PREAUTH IMAP4rev1 server logged in as alice"),
        expect("a1 CAPABILITY"),
        line("* CAPABILITY IMAP4rev1"),
        line("a1 OK"),
        expect("a2 LOGOUT"),
        line("* BYE"),
        line("a2 OK"),
    ])
    .await;
    let mut o = opts(3);
    o.no_starttls = true;
    let r = check(&format!("imap://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "greeting.preauth");
}

#[tokio::test]
async fn dripping_server_cannot_extend_the_deadline() {
    // Greeting fine, then the EHLO reply arrives one line at a time, forever.
    let mut s = vec![line("220 mx ready"), expect("EHLO")];
    for i in 0..200 {
        s.push(Act::Line(format!("250-EXT{i}")));
        s.push(Act::Sleep(Duration::from_millis(100)));
    }
    let fake = Fake::plain(s).await;
    let started = Instant::now();
    let r = check(&format!("smtp://127.0.0.1:{}", fake.port), opts(2)).await;
    assert_code(&r, "deadline.exceeded");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn cancel_token_stops_a_check_quickly() {
    let fake = Fake::plain(vec![Act::Hold]).await;
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    // Cancel once the check is connected and waiting for a greeting that never comes.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cancelled_at = tokio::spawn(async move {
        while let Some(p) = rx.recv().await {
            if let mailplan::checks::Progress::Step { step, .. } = p
                && step.name == "connect"
                && step.ok
            {
                c2.cancel();
                return Some(Instant::now());
            }
        }
        None
    });
    let t = Target::parse(&format!("imap://127.0.0.1:{}", fake.port)).unwrap();
    let r = run_check(t, Arc::new(opts(20)), 0, Some(tx), cancel).await;
    let ended = Instant::now();
    assert_code(&r, "check.cancelled");
    let cancelled_at = cancelled_at.await.unwrap().expect("the check connected");
    assert!(
        ended - cancelled_at < Duration::from_secs(1),
        "{:?}",
        ended - cancelled_at
    );
}

// ---------- TLS ----------

#[tokio::test]
async fn tls_to_a_plaintext_port() {
    let fake = Fake::plain(vec![line("220 mx ESMTP"), Act::Hold]).await;
    let r = check(&format!("smtps://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "tls.plaintext_port");
    // The server's own words: its plain-text greeting, read on a second connection.
    assert_eq!(
        finding(&r, "tls.plaintext_port").server_text.as_deref(),
        Some("220 mx ESMTP")
    );
}

async fn implicit_imaps(identity: native_tls::Identity, o: CheckOptions) -> CheckResult {
    let mut script = imap_hello("IMAP4rev1 AUTH=PLAIN");
    script.extend(vec![expect("a2 LOGOUT"), line("* BYE"), line("a2 OK")]);
    let fake = Fake::start(vec![script], Some(identity), true).await;
    check(&format!("imaps://127.0.0.1:{}", fake.port), o).await
}

#[tokio::test]
async fn implicit_tls_with_a_good_certificate_is_ok() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut o = opts(5);
    o.ca_file = Some(file.path().to_path_buf());
    let r = implicit_imaps(ca.good(), o).await;
    assert_eq!(
        r.verdict,
        Verdict::Ok,
        "{:?} {:#?}",
        codes(&r),
        r.transcript
    );
    let tls = r.tls.as_ref().unwrap();
    assert!(tls.verified);
    let cert = tls.certificate.as_ref().unwrap();
    assert!(cert.sans.contains(&"127.0.0.1".to_string()));
    assert!(cert.issuer.contains("mailplan test CA"));
    assert!(!cert.self_signed);
}

#[tokio::test]
async fn expired_certificate_gives_the_date() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut o = opts(5);
    o.ca_file = Some(file.path().to_path_buf());
    let r = implicit_imaps(ca.leaf(&["localhost", "127.0.0.1"], 2020, 2021), o).await;
    assert_code(&r, "tls.cert_expired");
    assert!(finding(&r, "tls.cert_expired").title.contains("2021-01-01"));
}

#[tokio::test]
async fn not_yet_valid_certificate() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut o = opts(5);
    o.ca_file = Some(file.path().to_path_buf());
    let r = implicit_imaps(ca.leaf(&["localhost", "127.0.0.1"], 2090, 2095), o).await;
    assert_code(&r, "tls.cert_not_yet_valid");
    assert!(finding(&r, "tls.cert_not_yet_valid").title.contains("2090"));
}

#[tokio::test]
async fn wrong_name_certificate_lists_the_names() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut o = opts(5);
    o.ca_file = Some(file.path().to_path_buf());
    let r = implicit_imaps(
        ca.leaf(&["mail.example.test", "imap.example.test"], 2020, 2045),
        o,
    )
    .await;
    assert_code(&r, "tls.cert_hostname_mismatch");
    let t = &finding(&r, "tls.cert_hostname_mismatch").title;
    assert!(
        t.contains("mail.example.test") && t.contains("imap.example.test"),
        "{t}"
    );
}

#[tokio::test]
async fn self_signed_and_unknown_ca_are_untrusted() {
    let r = implicit_imaps(self_signed(), opts(5)).await;
    assert_code(&r, "tls.cert_untrusted");
    assert!(
        finding(&r, "tls.cert_untrusted")
            .title
            .contains("self-signed")
    );
    assert!(
        r.tls
            .as_ref()
            .unwrap()
            .certificate
            .as_ref()
            .unwrap()
            .self_signed
    );

    // Self-signed for another name: both problems are named.
    let r = implicit_imaps(self_signed_for(&["mail.example.test"]), opts(5)).await;
    assert!(
        codes(&r).contains(&"tls.cert_untrusted")
            && codes(&r).contains(&"tls.cert_hostname_mismatch")
    );

    let ca = TestCa::new(); // not given with --ca-file
    let r = implicit_imaps(ca.good(), opts(5)).await;
    assert_code(&r, "tls.cert_untrusted");
    assert!(
        finding(&r, "tls.cert_untrusted")
            .title
            .contains("mailplan test CA")
    );
}

#[tokio::test]
async fn insecure_accepts_but_says_so() {
    let mut o = opts(5);
    o.insecure = true;
    let r = implicit_imaps(self_signed(), o).await;
    assert!(r.insecure);
    assert_code(&r, "tls.not_verified");
    assert_eq!(r.verdict, Verdict::Warn);
    assert!(!r.tls.as_ref().unwrap().verified);
    // The certificate problem is still named, as a warning.
    assert_eq!(
        finding(&r, "tls.cert_untrusted").severity,
        mailplan::findings::Severity::Warning
    );
    assert!(r.transcript.iter().any(|l| l.text.contains("--insecure")));
}

#[tokio::test]
async fn obsolete_tls_version() {
    let ca = TestCa::new();
    let id = ca.good();
    let acceptor = native_tls::TlsAcceptor::builder(id)
        .min_protocol_version(Some(native_tls::Protocol::Tlsv10))
        .max_protocol_version(Some(native_tls::Protocol::Tlsv10))
        .build()
        .unwrap();
    let acceptor = tokio_native_tls::TlsAcceptor::from(acceptor);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let a = acceptor.clone();
            tokio::spawn(async move {
                let _ = a.accept(tcp).await;
            });
        }
    });
    let file = ca.ca_file();
    let mut o = opts(5);
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("pop3s://127.0.0.1:{port}"), o).await;
    assert_code(&r, "tls.obsolete_version");
}

#[tokio::test]
async fn starttls_accepted_then_dropped_is_handshake_failed() {
    let mut s = smtp_hello(&["STARTTLS"]);
    s.extend(vec![
        expect("STARTTLS"),
        line("220 2.0.0 Ready to start TLS"),
        Act::Close,
    ]);
    let fake = Fake::plain(s).await;
    let r = check(&format!("submission://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "tls.handshake_failed");
}

#[tokio::test]
async fn starttls_with_expired_certificate_reads_it_on_a_second_connection() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut s = pop3_hello(&["UIDL", "STLS", "USER"]);
    s.extend(vec![
        expect("STLS"),
        line("+OK Begin TLS"),
        Act::StartTls,
        Act::Hold,
    ]);
    // The second connection only reads the certificate: greeting, STLS, handshake.
    let probe = vec![
        line("+OK POP3 ready"),
        expect("STLS"),
        line("+OK Begin TLS"),
        Act::StartTls,
        Act::Hold,
    ];
    let fake = Fake::start(
        vec![s, probe],
        Some(ca.leaf(&["localhost", "127.0.0.1"], 2020, 2021)),
        false,
    )
    .await;
    let mut o = opts(5);
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "tls.cert_expired");
    assert!(finding(&r, "tls.cert_expired").title.contains("2021-01-01"));
    assert_eq!(
        fake.seen
            .connections
            .load(std::sync::atomic::Ordering::SeqCst),
        2
    );
}

// ---------- STARTTLS ----------

#[tokio::test]
async fn starttls_not_offered() {
    let mut s = smtp_hello(&["AUTH PLAIN"]);
    s.extend(smtp_quit());
    let fake = Fake::plain(s).await;
    let r = check(&format!("submission://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "starttls.not_offered");
    assert_eq!(r.verdict, Verdict::Warn);
}

#[tokio::test]
async fn starttls_refused() {
    let mut s = smtp_hello(&["STARTTLS"]);
    s.extend(vec![
        expect("STARTTLS"),
        line("454 4.7.0 TLS not available due to local problem"),
    ]);
    s.extend(smtp_quit());
    let fake = Fake::plain(s).await;
    let r = check(&format!("smtp://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "starttls.refused");
    assert!(
        finding(&r, "starttls.refused")
            .server_text
            .as_deref()
            .unwrap()
            .contains("454")
    );
}

// ---------- awkward but valid ----------

#[tokio::test]
async fn multi_line_greeting_and_starttls_on_the_last_ehlo_line_then_login() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut s = vec![
        line("220-mx.example.test ESMTP"),
        line("220-This server is protected by anti-spam"),
        Act::AssertQuiet,
        line("220 mx.example.test ready"),
        expect("EHLO"),
        line("250-mx.example.test"),
        line("250-PIPELINING"),
        line("250-SIZE 10240000"),
        line("250 STARTTLS"),
        expect("STARTTLS"),
        line("220 go ahead"),
        Act::StartTls,
        expect("EHLO"),
        line("250-mx.example.test"),
        line("250-AUTH PLAIN LOGIN"),
        line("250 SIZE 10240000"),
        expect("AUTH PLAIN"),
        line("334 "),
        Act::Read,
        line("235 2.7.0 Authentication successful"),
    ];
    s.extend(smtp_quit());
    let fake = Fake::start(vec![s], Some(ca.good()), false).await;
    let mut o = with_login(opts(5), "alice@example.test", "s3cret pass");
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("submission://127.0.0.1:{}", fake.port), o).await;
    assert_eq!(
        r.verdict,
        Verdict::Ok,
        "{:?} {:#?}",
        codes(&r),
        r.transcript
    );
    assert_eq!(r.banner.as_deref().unwrap().lines().count(), 3);
    assert!(r.auth_mechanisms.contains(&"PLAIN".to_string()));
    assert!(r.steps.iter().any(|s| s.name == "login" && s.ok));
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    for name in [
        "resolve",
        "connect",
        "greeting",
        "capabilities",
        "starttls",
        "capabilities-tls",
        "login",
        "quit",
    ] {
        assert!(
            r.steps.iter().any(|s| s.name == name),
            "missing step {name}"
        );
    }
}

#[tokio::test]
async fn pop3_capa_err_is_not_fatal() {
    let fake = Fake::plain(vec![
        line("+OK old POP3"),
        expect("CAPA"),
        line("-ERR Command not understood"),
        expect("STLS"),
        line("-ERR Command not understood"),
        expect("QUIT"),
        line("+OK bye"),
    ])
    .await;
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "capabilities.unavailable");
    assert_ne!(r.verdict, Verdict::Fail, "{:?}", codes(&r));
}

#[tokio::test]
async fn ehlo_rejected_helo_accepted() {
    let mut s = vec![
        line("220 old.example.test SMTP"),
        expect("EHLO"),
        line("502 5.5.2 Error: command not recognized"),
        expect("HELO"),
        line("250 old.example.test"),
    ];
    s.extend(smtp_quit());
    let fake = Fake::plain(s).await;
    let r = check(&format!("smtp://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "smtp.helo_only");
    assert_ne!(r.verdict, Verdict::Fail);
}

#[tokio::test]
async fn pop3_without_uidl() {
    let mut s = pop3_hello(&["USER", "TOP"]);
    s.extend(vec![expect("QUIT"), line("+OK")]);
    let fake = Fake::plain(s).await;
    let mut o = opts(3);
    o.no_starttls = true;
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "pop3.no_uidl");
}

#[tokio::test]
async fn odd_capability_answer_is_unexpected_reply() {
    let fake = Fake::plain(vec![
        line("+OK ready"),
        expect("CAPA"),
        line("HELLO?"),
        expect("QUIT"),
        line("+OK"),
    ])
    .await;
    let mut o = opts(3);
    o.no_starttls = true;
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "session.unexpected_reply");
}

#[tokio::test]
async fn connection_lost_mid_dialogue() {
    let fake = Fake::plain(vec![line("220 mx ready"), expect("EHLO"), Act::Close]).await;
    let r = check(&format!("smtp://127.0.0.1:{}", fake.port), opts(3)).await;
    assert_code(&r, "session.closed");
}

// ---------- login ----------

#[tokio::test]
async fn password_not_sent_in_plain_text_by_default() {
    let mut s = smtp_hello(&["AUTH PLAIN"]);
    s.extend(smtp_quit());
    let fake = Fake::plain(s).await;
    let r = check(
        &format!("smtp://127.0.0.1:{}", fake.port),
        with_login(opts(3), "u", "hunter2"),
    )
    .await;
    assert_code(&r, "auth.plaintext_withheld");
    assert!(!fake.lines().iter().any(|l| l.starts_with("AUTH")));
}

#[tokio::test]
async fn plaintext_login_refused_by_the_server() {
    // SMTP: 530 before STARTTLS.
    let mut s = smtp_hello(&["STARTTLS"]);
    s.extend(vec![
        expect("AUTH PLAIN"),
        line("530 5.7.0 Must issue a STARTTLS command first."),
    ]);
    s.extend(smtp_quit());
    let fake = Fake::plain(s).await;
    let mut o = with_login(opts(3), "u", "pw");
    o.no_starttls = true;
    o.allow_plaintext_login = true;
    let r = check(&format!("submission://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "auth.plaintext_refused");
    assert!(!String::from_utf8_lossy(&fake.raw()).contains(&sasl_plain_b64("u", "pw")));

    // IMAP: LOGINDISABLED means nothing is sent.
    let mut s = imap_hello("IMAP4rev1 STARTTLS LOGINDISABLED");
    s.extend(vec![expect("a2 LOGOUT"), line("* BYE"), line("a2 OK")]);
    let fake = Fake::plain(s).await;
    let mut o = with_login(opts(3), "u", "pw");
    o.no_starttls = true;
    o.allow_plaintext_login = true;
    let r = check(&format!("imap://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "auth.plaintext_refused");
    assert!(!fake.lines().iter().any(|l| l.contains("LOGIN \"u\"")));
}

fn sasl_plain_b64(u: &str, p: &str) -> String {
    let mut raw = vec![0u8];
    raw.extend_from_slice(u.as_bytes());
    raw.push(0);
    raw.extend_from_slice(p.as_bytes());
    // Small local encoder, independent of the engine's.
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in raw.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            out.push(if i <= c.len() {
                ABC[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[tokio::test]
async fn only_oauth_offered_is_mechanism_unsupported() {
    let ca = TestCa::new();
    let mut s = smtp_hello(&["AUTH XOAUTH2 OAUTHBEARER"]);
    s.extend(smtp_quit());
    let fake = Fake::start(vec![s], Some(ca.good()), false).await;
    let mut o = with_login(opts(3), "u", "pw");
    o.no_starttls = true;
    o.allow_plaintext_login = true;
    let r = check(&format!("submission://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "auth.mechanism_unsupported");
    assert!(
        finding(&r, "auth.mechanism_unsupported")
            .title
            .contains("XOAUTH2")
    );
}

#[tokio::test]
async fn wrong_password_is_auth_failed_over_imaps() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut s = imap_hello("IMAP4rev1 AUTH=PLAIN");
    s.extend(vec![
        expect("a2 AUTHENTICATE PLAIN"),
        line("+ "),
        Act::Read,
        line("a2 NO [AUTHENTICATIONFAILED] Authentication failed."),
        expect("a3 LOGOUT"),
        line("* BYE"),
        line("a3 OK"),
    ]);
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let mut o = with_login(opts(5), "alice", "wrong");
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("imaps://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "auth.failed");
    assert!(
        finding(&r, "auth.failed")
            .server_text
            .as_deref()
            .unwrap()
            .contains("AUTHENTICATIONFAILED")
    );
}

#[tokio::test]
async fn provider_web_login_blocks() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    // Gmail POP3.
    let mut s = pop3_hello(&["USER", "UIDL"]);
    s.extend(vec![
        expect("USER alice"),
        line("+OK send PASS"),
        expect("PASS"),
        line("-ERR [AUTH] Application-specific password required: https://support.google.com/accounts/answer/185833"),
        expect("QUIT"),
        line("+OK"),
    ]);
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let mut o = with_login(opts(5), "alice", "pw");
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), o.clone()).await;
    assert_code(&r, "auth.web_login_required");
    assert!(
        finding(&r, "auth.web_login_required")
            .server_text
            .as_deref()
            .unwrap()
            .contains("185833")
    );

    // Gmail IMAP: untagged WEBALERT, then tagged ALERT.
    let mut s = imap_hello("IMAP4rev1 AUTH=PLAIN");
    s.extend(vec![
        expect("a2 AUTHENTICATE PLAIN"),
        line("+ "),
        Act::Read,
        line("* NO [WEBALERT https://accounts.google.com/signin/continue] Web login required."),
        line("a2 NO [ALERT] Please log in via your web browser: https://support.google.com/mail/accounts/answer/78754 (Failure)"),
        expect("a3 LOGOUT"),
        line("a3 OK"),
    ]);
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let r = check(&format!("imaps://127.0.0.1:{}", fake.port), o.clone()).await;
    assert!(
        finding(&r, "auth.web_login_required")
            .server_text
            .as_deref()
            .unwrap()
            .contains("WEBALERT")
    );

    // Gmail SMTP 534-5.7.9.
    let mut s = smtp_hello(&["AUTH LOGIN PLAIN"]);
    s.extend(vec![
        expect("AUTH PLAIN"),
        line("334 "),
        Act::Read,
        line("534-5.7.9 Application-specific password required. Learn more at"),
        line("534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor"),
    ]);
    s.extend(smtp_quit());
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let r = check(&format!("smtps://127.0.0.1:{}", fake.port), o).await;
    let f = finding(&r, "auth.web_login_required");
    assert!(f.server_text.as_deref().unwrap().contains("534-5.7.9"));
}

#[tokio::test]
async fn imap_bad_answer_to_login_is_a_parse_problem() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut s = imap_hello("IMAP4rev1");
    s.extend(vec![
        expect("a2 LOGIN"),
        line("a2 BAD Invalid characters in atom"),
        expect("a3 LOGOUT"),
        line("a3 OK"),
    ]);
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let mut o = with_login(opts(5), "alice", "plain");
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("imaps://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "auth.server_bad_command");
    assert!(!codes(&r).contains(&"auth.failed"));
}

#[tokio::test]
async fn domino_site_not_enabled() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let fake = Fake::start(
        vec![vec![
            line("+OK Lotus Notes POP3 server version X2.0 ready on mail1/Acme."),
            expect("CAPA"),
            line("-ERR"),
            expect("USER"),
            line("-ERR This site is not enabled on the server"),
            expect("QUIT"),
            line("+OK"),
        ]],
        Some(ca.good()),
        true,
    )
    .await;
    let mut o = with_login(opts(5), "Alice Smith", "pw");
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "auth.domino_site_disabled");
}

/// IMAP LOGIN with a password holding a quote, a backslash and a space goes as a literal;
/// the password never shows in the transcript or the JSON.
#[tokio::test]
async fn imap_login_literal_and_password_never_shown() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let pw = "q\"uo\\te spa ce";
    let mut s = imap_hello("IMAP4rev1 STARTTLS");
    s.extend(vec![
        expect("a2 STARTTLS"),
        line("a2 OK Begin TLS"),
        Act::StartTls,
        expect("a3 CAPABILITY"),
        line("* CAPABILITY IMAP4rev1 AUTH=LOGIN"),
        line("a3 OK"),
        Act::Expect(format!("a4 LOGIN \"alice\" {{{}}}", pw.len())),
        line("+ go on"),
        Act::Read,
        line("a4 OK Logged in"),
        expect("a5 LOGOUT"),
        line("* BYE"),
        line("a5 OK"),
    ]);
    let fake = Fake::start(vec![s], Some(ca.good()), false).await;
    let mut o = with_login(opts(5), "alice", pw);
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("imap://127.0.0.1:{}", fake.port), o).await;
    assert_eq!(
        r.verdict,
        Verdict::Ok,
        "{:?} {:#?} {:?}",
        codes(&r),
        r.transcript,
        fake.violations()
    );
    // The server received the exact password as the literal.
    assert!(fake.lines().iter().any(|l| l == pw), "{:?}", fake.lines());
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        !json.contains("spa ce") && !json.contains("uo\\\\te"),
        "{json}"
    );
    assert!(r.transcript.iter().any(|l| l.text == "****"));
    let text = mailplan::checks::summary::render(&r, true);
    assert!(!text.contains("spa ce"));
}

#[tokio::test]
async fn sasl_blobs_are_masked_in_the_transcript() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut s = pop3_hello(&["UIDL", "SASL PLAIN"]);
    s.extend(vec![
        expect("AUTH PLAIN"),
        line("+ "),
        Act::Read,
        line("+OK logged in"),
        expect("QUIT"),
        line("+OK"),
    ]);
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let mut o = with_login(opts(5), "alice", "topsecret");
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), o).await;
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", codes(&r));
    let blob = sasl_plain_b64("alice", "topsecret");
    assert!(fake.lines().contains(&blob));
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains(&blob) && !json.contains("topsecret"));
}

// ---------- --inspect-latest ----------

fn imap_inspect_script(exists: u32, header: Option<&str>) -> Vec<Act> {
    let mut s = imap_hello("IMAP4rev1 AUTH=PLAIN");
    s.extend(vec![
        expect("a2 AUTHENTICATE PLAIN"),
        line("+ "),
        Act::Read,
        line("a2 OK"),
        expect("a3 EXAMINE INBOX"),
        Act::Line(format!("* {exists} EXISTS")),
        line("* 0 RECENT"),
        line("a3 OK [READ-ONLY] done"),
    ]);
    if let Some(h) = header {
        s.push(Act::Expect(format!("a4 FETCH {exists} BODY.PEEK[HEADER]")));
        s.push(Act::Line(format!(
            "* {exists} FETCH (BODY[HEADER] {{{}}}",
            h.len()
        )));
        s.push(Act::Raw(h.as_bytes().to_vec()));
        s.push(line(")"));
        s.push(line("a4 OK done"));
    }
    s.extend(vec![Act::Read, line("* BYE"), line("a5 OK"), line("a4 OK")]);
    s
}

async fn inspect_imap(exists: u32, header: Option<&str>) -> CheckResult {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let fake = Fake::start(
        vec![imap_inspect_script(exists, header)],
        Some(ca.good()),
        true,
    )
    .await;
    let mut o = with_login(opts(5), "alice", "pw");
    o.ca_file = Some(file.path().to_path_buf());
    o.inspect_latest = true;
    check(&format!("imaps://127.0.0.1:{}", fake.port), o).await
}

#[tokio::test]
async fn inspect_latest_imap_cases() {
    let r = inspect_imap(0, None).await;
    assert_code(&r, "message.mailbox_empty");

    let r = inspect_imap(
        3,
        Some("Received: from a by b; Tue, 1 Jul 2025 10:00:00 +0000\r\nSubject: no date\r\n\r\n"),
    )
    .await;
    assert_code(&r, "message.date_missing");
    assert_eq!(
        r.latest_message.as_ref().unwrap().subject.as_deref(),
        Some("no date")
    );

    let r = inspect_imap(3, Some("Date: 31 12 1969\r\nSubject: odd\r\n\r\n")).await;
    assert_code(&r, "message.date_odd");

    let r = inspect_imap(
        3,
        Some("Received: from a by b;\r\n Tue, 1 Jul 2025 18:00:00 +0000\r\nDate: Tue, 1 Jul 2025 10:00:00 +0000\r\n\r\n"),
    )
    .await;
    assert_code(&r, "message.date_far_from_received");

    let r = inspect_imap(
        3,
        Some("Received: from a by b; Tue, 1 Jul 2025 10:00:05 +0000\r\nDate: Tue, 1 Jul 2025 12:00:00 +0200\r\n\r\n"),
    )
    .await;
    assert!(
        !codes(&r).iter().any(|c| c.starts_with("message.")),
        "{:?}",
        codes(&r)
    );
    assert_eq!(r.verdict, Verdict::Ok);
}

#[tokio::test]
async fn inspect_latest_pop3_top_and_failure() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut s = pop3_hello(&["USER", "UIDL", "TOP"]);
    s.extend(vec![
        expect("USER"),
        line("+OK"),
        expect("PASS"),
        line("+OK"),
        expect("STAT"),
        line("+OK 2 4096"),
        expect("TOP 2 0"),
        line("+OK"),
        line("Received: by mx; Tue, 1 Jul 2025 10:00:00 +0000"),
        line("Subject: no date here"),
        line(""),
        line("."),
        expect("QUIT"),
        line("+OK"),
    ]);
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let mut o = with_login(opts(5), "alice", "pw");
    o.ca_file = Some(file.path().to_path_buf());
    o.inspect_latest = true;
    let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), o.clone()).await;
    assert_code(&r, "message.date_missing");
    assert!(
        !fake
            .lines()
            .iter()
            .any(|l| l.starts_with("RETR") || l.starts_with("DELE"))
    );

    let mut s = pop3_hello(&["USER", "UIDL"]);
    s.extend(vec![
        expect("USER"),
        line("+OK"),
        expect("PASS"),
        line("+OK"),
        expect("STAT"),
        line("+OK 1 100"),
        expect("TOP"),
        line("-ERR TOP not supported"),
        expect("QUIT"),
        line("+OK"),
    ]);
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), o).await;
    assert_code(&r, "message.inspect_failed");
}

// ---------- the catalogue ----------

/// Runs last by name order is not guaranteed, so this test runs the few code-pinning checks it
/// needs itself when others have not yet: it asserts that every catalogue code has a test above.
#[test]
fn every_code_is_pinned() {
    let source = include_str!("checks_fake.rs");
    let missing: Vec<&str> = catalogue::all_codes()
        .into_iter()
        .filter(|c| {
            !source.contains(&format!("assert_code(&r, \"{c}\")"))
                && !source.contains(&format!("pinned(\"{c}\")"))
        })
        .collect();
    assert!(missing.is_empty(), "codes without a test: {missing:?}");
}
