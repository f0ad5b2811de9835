//! Hostile servers: each test points the check engine at a fake server on 127.0.0.1 that
//! misbehaves on purpose, and asserts a specific finding code, no panic, a bounded elapsed time
//! (the check's timeout plus 1.5 s) and output that is safe to print.
//! Run: `cargo test --test engine hostile_servers::`.

use crate::common;

use common::*;
use mailplan::checks::{CancellationToken, CheckOptions, CheckResult, Login, Target, run_check};
use mailplan::secret::Secret;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The whole-check timeout used by every test here.
const TIMEOUT: Duration = Duration::from_secs(2);
/// How far past the timeout a check may finish.
const SLACK: Duration = Duration::from_millis(1500);

fn opts() -> CheckOptions {
    CheckOptions {
        timeout: TIMEOUT,
        ..CheckOptions::default()
    }
}

fn with_login(mut o: CheckOptions) -> CheckOptions {
    o.login = Some(Login {
        user: "alice".into(),
        password: Secret::from("Hostile-Pa55"),
    });
    o
}

fn codes(r: &CheckResult) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Runs a check and asserts the code, the time bound and safe outputs.
async fn hostile(target: &str, o: CheckOptions, code: &str) -> CheckResult {
    let t = Target::parse(target).expect("target");
    let started = Instant::now();
    let r = run_check(t, Arc::new(o), 0, None, CancellationToken::new()).await;
    let took = started.elapsed();
    assert!(
        codes(&r).contains(&code),
        "expected {code} in {:?}\ntranscript: {:#?}",
        codes(&r),
        r.transcript
    );
    assert!(took < TIMEOUT + SLACK, "took {took:?}");
    assert_safe_outputs(&r);
    r
}

/// The human summary carries no control characters; the transcript stays small; JSON works.
fn assert_safe_outputs(r: &CheckResult) {
    let human = mailplan::checks::summary::render(r, true);
    for c in human.chars() {
        assert!(
            c == '\n' || c == '\t' || !c.is_control(),
            "control character {:?} in human output:\n{human}",
            c
        );
    }
    let transcript: usize = r.transcript.iter().map(|l| l.text.len()).sum();
    assert!(
        transcript < 64 * 1024,
        "transcript holds {transcript} bytes"
    );
    let json = serde_json::to_string(r).expect("json");
    let _: serde_json::Value = serde_json::from_str(&json).expect("valid json");
}

fn url(scheme: &str, port: u16) -> String {
    format!("{scheme}://127.0.0.1:{port}")
}

fn pop3_greeting_and_capa() -> Vec<Act> {
    vec![
        line("+OK POP3 ready"),
        expect("CAPA"),
        line("+OK capability list follows"),
    ]
}

fn imap_greeting() -> Vec<Act> {
    vec![line("* OK IMAP4rev1 ready"), expect("a1 CAPABILITY")]
}

/// `n` bytes of well-formed lines built from `one` (which ends with CRLF).
fn repeated(one: &str, n: usize) -> Vec<u8> {
    one.as_bytes().iter().copied().cycle().take(n).collect()
}

// ---------- slow and endless ----------

#[tokio::test]
async fn greeting_dripped_one_byte_per_second() {
    let fake = Fake::plain(vec![Act::Drip(Duration::from_secs(1))]).await;
    hostile(&url("smtp", fake.port), opts(), "greeting.timeout").await;
}

#[tokio::test]
async fn ehlo_reply_dripped_one_byte_per_second() {
    let fake = Fake::plain(vec![
        line("220 mx ESMTP"),
        expect("EHLO"),
        Act::Drip(Duration::from_secs(1)),
    ])
    .await;
    hostile(&url("smtp", fake.port), opts(), "deadline.exceeded").await;
}

#[tokio::test]
async fn endless_greeting_line() {
    let fake = Fake::plain(vec![Act::Flood(50_000_000)]).await;
    hostile(&url("pop3", fake.port), opts(), "greeting.too_long").await;
}

#[tokio::test]
async fn endless_line_in_the_ehlo_reply() {
    let fake = Fake::plain(vec![
        line("220 mx ESMTP"),
        expect("EHLO"),
        Act::Raw(b"250-".to_vec()),
        Act::Flood(50_000_000),
    ])
    .await;
    hostile(&url("smtp", fake.port), opts(), "greeting.too_long").await;
}

#[tokio::test]
async fn line_just_over_the_limit_with_a_newline() {
    let mut greeting = b"220 ".to_vec();
    greeting.extend(std::iter::repeat_n(b'x', 9000));
    greeting.extend_from_slice(b"\r\n");
    let fake = Fake::plain(vec![Act::Raw(greeting), Act::Hold]).await;
    hostile(&url("smtp", fake.port), opts(), "greeting.too_long").await;
}

#[tokio::test]
async fn ten_megabytes_of_smtp_capabilities() {
    let mut s = vec![line("220 mx ESMTP"), expect("EHLO")];
    s.push(Act::Raw(repeated(
        "250-X-HOSTILE-EXTENSION\r\n",
        10_000_000,
    )));
    let fake = Fake::plain(s).await;
    hostile(&url("smtp", fake.port), opts(), "greeting.too_long").await;
}

#[tokio::test]
async fn ten_megabytes_of_pop3_capa() {
    let mut s = pop3_greeting_and_capa();
    s.push(Act::Raw(repeated("X-HOSTILE\r\n", 10_000_000)));
    let fake = Fake::plain(s).await;
    hostile(&url("pop3", fake.port), opts(), "greeting.too_long").await;
}

#[tokio::test]
async fn ten_megabytes_of_imap_capability_lines() {
    let mut s = imap_greeting();
    s.push(Act::Raw(repeated(
        "* CAPABILITY IMAP4rev1 X-HOSTILE\r\n",
        10_000_000,
    )));
    let fake = Fake::plain(s).await;
    hostile(&url("imap", fake.port), opts(), "greeting.too_long").await;
}

#[tokio::test]
async fn untagged_flood_before_the_tagged_reply() {
    let mut s = imap_greeting();
    s.push(Act::Raw(repeated("* OK still thinking\r\n", 2_000_000)));
    s.push(line("a1 OK done"));
    let fake = Fake::plain(s).await;
    hostile(&url("imap", fake.port), opts(), "greeting.too_long").await;
}

#[tokio::test]
async fn empty_lines_flood_instead_of_a_greeting() {
    let fake = Fake::plain(vec![Act::Raw(repeated("\r\n", 5_000_000))]).await;
    hostile(&url("smtp", fake.port), opts(), "greeting.wrong_protocol").await;
}

#[tokio::test]
async fn flood_over_implicit_tls() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let fake = Fake::start(vec![vec![Act::Flood(20_000_000)]], Some(ca.good()), true).await;
    let mut o = opts();
    o.ca_file = Some(file.path().to_path_buf());
    hostile(&url("imaps", fake.port), o, "greeting.too_long").await;
}

// ---------- bytes that are not text ----------

#[tokio::test]
async fn nul_and_invalid_utf8_in_the_greeting() {
    let mut s = vec![
        Act::Raw(b"220 mx\0\xff\xfe\xc3( ESMTP\r\n".to_vec()),
        expect("EHLO"),
    ];
    s.push(line("250 mx"));
    s.extend(smtp_quit());
    let fake = Fake::plain(s).await;
    let r = hostile(&url("smtp", fake.port), opts(), "starttls.not_offered").await;
    let banner = r.banner.as_deref().unwrap_or("");
    assert!(banner.contains('\u{fffd}'), "{banner:?}");
}

#[tokio::test]
async fn binary_banner() {
    let bytes: Vec<u8> = (0u8..=255).rev().chain(*b"\r\n").collect();
    let fake = Fake::plain(vec![Act::Raw(bytes), Act::Hold]).await;
    hostile(&url("pop3", fake.port), opts(), "greeting.wrong_protocol").await;
}

#[tokio::test]
async fn nul_only_greeting() {
    let fake = Fake::plain(vec![Act::Raw(b"\0\0\0\0\r\n".to_vec()), Act::Hold]).await;
    hostile(&url("imap", fake.port), opts(), "greeting.wrong_protocol").await;
}

#[tokio::test]
async fn terminal_escapes_in_the_banner_are_stripped() {
    let mut s = vec![
        Act::Raw(b"220 \x1b[2J\x1b]0;owned\x07mx \x1b[31mESMTP\x1b[0m\r\n".to_vec()),
        expect("EHLO"),
        line("250 mx"),
    ];
    s.extend(smtp_quit());
    let fake = Fake::plain(s).await;
    let r = hostile(&url("smtp", fake.port), opts(), "starttls.not_offered").await;
    let human = mailplan::checks::summary::render(&r, true);
    assert!(!human.contains('\u{1b}') && !human.contains('\u{7}'));
    assert!(!human.contains("owned"), "{human}");
}

#[tokio::test]
async fn greeting_in_one_byte_tcp_segments() {
    let greeting = b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n";
    // One byte per write, with a pause between them so that the client's reads see the
    // pieces one by one (the fake's sockets have Nagle off).
    let mut s: Vec<Act> = greeting
        .iter()
        .flat_map(|&b| [Act::Raw(vec![b]), Act::Sleep(Duration::from_millis(2))])
        .collect();
    s.extend(vec![
        expect("CAPA"),
        line("+OK"),
        line("USER"),
        line("UIDL"),
        line("."),
        expect("QUIT"),
        line("+OK bye"),
    ]);
    let fake = Fake::plain(s).await;
    let r = hostile(&url("pop3", fake.port), opts(), "starttls.not_offered").await;
    assert_eq!(
        r.banner.as_deref(),
        Some("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>")
    );
}

// ---------- other protocols on the port ----------

#[tokio::test]
async fn http_on_a_pop3_port() {
    let fake = Fake::plain(vec![line("HTTP/1.1 400 Bad Request"), Act::Hold]).await;
    let r = hostile(&url("pop3", fake.port), opts(), "greeting.wrong_protocol").await;
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "greeting.wrong_protocol")
        .expect("finding");
    assert!(f.title.contains("HTTP"), "{}", f.title);
}

#[tokio::test]
async fn ssh_on_an_imap_port() {
    let fake = Fake::plain(vec![line("SSH-2.0-OpenSSH_9.6"), Act::Hold]).await;
    let r = hostile(&url("imap", fake.port), opts(), "greeting.wrong_protocol").await;
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "greeting.wrong_protocol")
        .expect("finding");
    assert!(f.title.contains("SSH"), "{}", f.title);
}

#[tokio::test]
async fn imap_answering_on_a_submission_port() {
    let fake = Fake::plain(vec![line("* OK IMAP4rev1 ready"), Act::Hold]).await;
    hostile(
        &url("submission", fake.port),
        opts(),
        "greeting.wrong_protocol",
    )
    .await;
}

// ---------- protocol framing abuse ----------

#[tokio::test]
async fn imap_literal_announcing_a_huge_size() {
    let mut s = imap_greeting();
    s.push(line("* CAPABILITY {999999999}"));
    s.push(Act::Hold);
    let fake = Fake::plain(s).await;
    hostile(&url("imap", fake.port), opts(), "greeting.too_long").await;
}

#[tokio::test]
async fn imap_literal_whose_data_never_comes() {
    let mut s = imap_greeting();
    s.push(line("* CAPABILITY {100}"));
    s.push(Act::Raw(b"IMAP4rev1".to_vec()));
    s.push(Act::Close);
    let fake = Fake::plain(s).await;
    hostile(&url("imap", fake.port), opts(), "session.closed").await;
}

#[tokio::test]
async fn imap_chain_of_literals() {
    let mut s = imap_greeting();
    let mut chain = b"* CAPABILITY {1}\r\n".to_vec();
    for _ in 0..100 {
        chain.extend_from_slice(b"x{1}\r\n");
    }
    s.push(Act::Raw(chain));
    s.push(Act::Hold);
    let fake = Fake::plain(s).await;
    hostile(&url("imap", fake.port), opts(), "greeting.too_long").await;
}

#[tokio::test]
async fn imap_tagged_reply_never_comes() {
    let mut s = imap_greeting();
    s.push(line("* CAPABILITY IMAP4rev1"));
    s.push(line("b1 OK wrong tag"));
    s.push(Act::Hold);
    let fake = Fake::plain(s).await;
    hostile(&url("imap", fake.port), opts(), "deadline.exceeded").await;
}

#[tokio::test]
async fn pop3_capa_without_the_final_dot() {
    let mut s = pop3_greeting_and_capa();
    s.extend(vec![line("USER"), line("UIDL"), Act::Hold]);
    let fake = Fake::plain(s).await;
    hostile(&url("pop3", fake.port), opts(), "deadline.exceeded").await;
}

#[tokio::test]
async fn pop3_capa_without_the_final_dot_then_close() {
    let mut s = pop3_greeting_and_capa();
    s.extend(vec![line("USER"), line("UIDL"), Act::Close]);
    let fake = Fake::plain(s).await;
    hostile(&url("pop3", fake.port), opts(), "session.closed").await;
}

#[tokio::test]
async fn smtp_continuation_lines_with_mixed_codes() {
    let mut s = vec![
        line("220 mx ESMTP"),
        expect("EHLO"),
        line("250-mx hello"),
        line("554-STARTTLS"),
        line("421 AUTH PLAIN"),
    ];
    s.push(Act::Hold);
    let fake = Fake::plain(s).await;
    hostile(&url("smtp", fake.port), opts(), "session.unexpected_reply").await;
}

#[tokio::test]
async fn smtp_greeting_with_mixed_codes() {
    let fake = Fake::plain(vec![line("220-mx ESMTP"), line("554 go away"), Act::Hold]).await;
    hostile(&url("smtp", fake.port), opts(), "greeting.rejected").await;
}

#[tokio::test]
async fn smtp_replies_pipelined_before_the_client_asks() {
    // Greeting, an EHLO answer and a QUIT answer all at once, before any command.
    let mut s = vec![Act::Raw(
        b"220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n221 bye\r\n".to_vec(),
    )];
    s.push(Act::Hold);
    let fake = Fake::plain(s).await;
    hostile(&url("smtp", fake.port), opts(), "session.unexpected_reply").await;
}

#[tokio::test]
async fn pop3_replies_pipelined_before_the_client_asks() {
    let s = vec![
        Act::Raw(b"+OK ready\r\n+OK caps\r\nUIDL\r\nSTLS\r\n.\r\n+OK go\r\n".to_vec()),
        Act::Hold,
    ];
    let fake = Fake::plain(s).await;
    hostile(&url("pop3", fake.port), opts(), "session.unexpected_reply").await;
}

#[tokio::test]
async fn smtp_closed_right_after_the_greeting() {
    let fake = Fake::plain(vec![line("220 mx ESMTP"), Act::Close]).await;
    hostile(&url("smtp", fake.port), opts(), "session.closed").await;
}

#[tokio::test]
async fn endless_auth_challenges() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut s = smtp_hello(&["AUTH LOGIN"]);
    s.push(expect("AUTH"));
    s.push(Act::Raw(repeated("334 VXNlcm5hbWU6\r\n", 2_000_000)));
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let mut o = with_login(opts());
    o.ca_file = Some(file.path().to_path_buf());
    let r = run_check(
        Target::parse(&url("smtps", fake.port)).expect("target"),
        Arc::new(o),
        0,
        None,
        CancellationToken::new(),
    )
    .await;
    // Whatever the code, the password never appears in the result.
    let json = serde_json::to_string(&r).expect("json");
    assert!(!json.contains("Hostile-Pa55"));
    assert!(!r.findings.is_empty());
    assert_safe_outputs(&r);
}

// ---------- TLS abuse ----------

/// A listener whose every connection is handed to `serve`.
async fn custom<F, Fut>(serve: F) -> u16
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(serve(tcp));
        }
    });
    port
}

#[tokio::test]
async fn reset_in_the_middle_of_the_tls_handshake() {
    let port = custom(|mut tcp: TcpStream| async move {
        let mut hello = [0u8; 64];
        let _ = tcp.read(&mut hello).await;
        // A TLS record header that promises more, then a hard reset (RST).
        let _ = tcp.write_all(&[0x16, 0x03, 0x03, 0x00, 0x40, 0x02]).await;
        #[allow(deprecated)]
        let _ = tcp.set_linger(Some(Duration::ZERO));
        drop(tcp);
    })
    .await;
    hostile(&url("imaps", port), opts(), "tls.handshake_failed").await;
}

#[tokio::test]
async fn implicit_tls_port_that_never_answers_the_hello() {
    let port = custom(|mut tcp: TcpStream| async move {
        let mut sink = [0u8; 1024];
        while let Ok(n) = tcp.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
    hostile(&url("pop3s", port), opts(), "tls.handshake_timeout").await;
}

#[tokio::test]
async fn tls_server_sends_its_certificate_then_stalls() {
    // A TLS 1.2 server behind a relay that passes its first flight (hello and certificate)
    // except the last byte, then stops: the client holds the certificate but never finishes.
    let ca = TestCa::new();
    let file = ca.ca_file();
    let acceptor = native_tls::TlsAcceptor::builder(ca.good())
        .max_protocol_version(Some(native_tls::Protocol::Tlsv12))
        .build()
        .expect("acceptor");
    let acceptor = tokio_native_tls::TlsAcceptor::from(acceptor);
    let backend = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let backend_port = backend.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = backend.accept().await {
            let a = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut s) = a.accept(tcp).await {
                    let _ = s.write_all(b"* OK never seen\r\n").await;
                    let mut sink = [0u8; 64];
                    let _ = s.read(&mut sink).await;
                }
            });
        }
    });
    let port = custom(move |mut client: TcpStream| async move {
        let Ok(mut server) = TcpStream::connect(("127.0.0.1", backend_port)).await else {
            return;
        };
        let mut hello = vec![0u8; 16 * 1024];
        let Ok(n) = client.read(&mut hello).await else {
            return;
        };
        if server.write_all(&hello[..n]).await.is_err() {
            return;
        }
        let mut flight = vec![0u8; 64 * 1024];
        let Ok(n) = server.read(&mut flight).await else {
            return;
        };
        let _ = client.write_all(&flight[..n.saturating_sub(1)]).await;
        // Stall: keep both connections open, forward nothing more.
        let mut sink = [0u8; 1024];
        while let Ok(k) = client.read(&mut sink).await {
            if k == 0 {
                break;
            }
        }
        drop(server);
    })
    .await;
    let mut o = opts();
    o.ca_file = Some(file.path().to_path_buf());
    hostile(&url("imaps", port), o, "tls.handshake_timeout").await;
}

#[tokio::test]
async fn starttls_accepted_then_plain_text() {
    let mut s = smtp_hello(&["STARTTLS"]);
    s.extend(vec![
        expect("STARTTLS"),
        line("220 2.0.0 Ready to start TLS"),
        line("250 just kidding, still plain text"),
        Act::Hold,
    ]);
    let fake = Fake::plain(s).await;
    let r = hostile(
        &url("submission", fake.port),
        with_login(opts()),
        "tls.plaintext_port",
    )
    .await;
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "tls.plaintext_port")
        .expect("finding");
    assert!(f.title.contains("accepted STARTTLS"), "{}", f.title);
    assert!(!codes(&r).contains(&"auth.failed"));
    let seen = fake.lines().join("\n").to_ascii_uppercase();
    assert!(!seen.contains("AUTH"), "{seen}");
}

#[tokio::test]
async fn starttls_with_an_untrusted_certificate_never_logs_in() {
    // Certificate checks are on by default: the self-signed certificate stops the check
    // before any credential goes out.
    let mut s = smtp_hello(&["STARTTLS", "AUTH PLAIN LOGIN"]);
    s.extend(vec![
        expect("STARTTLS"),
        line("220 2.0.0 Ready to start TLS"),
        Act::StartTls,
        expect("EHLO"),
        line("250-mx"),
        line("250 AUTH PLAIN LOGIN"),
        Act::Read,
        line("235 ok"),
    ]);
    let fake = Fake::start(vec![s], Some(self_signed()), false).await;
    let r = hostile(
        &url("submission", fake.port),
        with_login(opts()),
        "tls.cert_untrusted",
    )
    .await;
    assert!(!r.insecure);
    let raw = fake.raw();
    assert!(
        !raw.windows(4).any(|w| w.eq_ignore_ascii_case(b"AUTH")),
        "{}",
        String::from_utf8_lossy(&raw)
    );
}

#[tokio::test]
async fn imap_bye_in_the_middle_of_the_dialogue() {
    let mut s = imap_greeting();
    s.push(line("* BYE server shutting down"));
    s.push(Act::Close);
    let fake = Fake::plain(s).await;
    hostile(&url("imap", fake.port), opts(), "session.closed").await;
}

#[tokio::test]
async fn flood_after_close_request_is_ignored() {
    // The server floods in reply to QUIT: the check still finishes quickly.
    let mut s = smtp_hello(&[]);
    s.push(expect("QUIT"));
    s.push(Act::Flood(50_000_000));
    let fake = Fake::plain(s).await;
    hostile(&url("smtp", fake.port), opts(), "starttls.not_offered").await;
    assert!(fake.seen.connections.load(Ordering::SeqCst) >= 1);
}
