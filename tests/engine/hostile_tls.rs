//! TLS safety: certificate checks on by default, `--insecure` stated in every output, no login
//! in plain text when a server stops offering STARTTLS, and no fallback to TLS 1.0/1.1.
//! Run: `cargo test --test engine hostile_tls::`.

use crate::common;

use clap::Parser;
use common::*;
use mailplan::checks::{CancellationToken, CheckOptions, CheckResult, Login, Target, run_check};
use mailplan::secret::Secret;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn opts() -> CheckOptions {
    CheckOptions {
        timeout: Duration::from_secs(4),
        login: Some(Login {
            user: "alice".into(),
            password: Secret::from("S3cret-pw"),
        }),
        ..CheckOptions::default()
    }
}

async fn check(target: &str, o: CheckOptions) -> CheckResult {
    let t = Target::parse(target).expect("target");
    run_check(t, Arc::new(o), 0, None, CancellationToken::new()).await
}

fn codes(r: &CheckResult) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

/// True when any of these lines is a credential command of any of the three protocols.
fn has_credentials(lines: &[String]) -> bool {
    lines.iter().any(|l| {
        let u = l.to_ascii_uppercase();
        u.starts_with("AUTH")
            || u.starts_with("USER")
            || u.starts_with("PASS")
            || u.contains(" LOGIN ")
            || u.contains(" AUTHENTICATE ")
            || l.contains("S3cret-pw")
    })
}

#[test]
fn certificate_checks_are_on_by_default() {
    assert!(!CheckOptions::default().insecure);
    let cli = mailplan::cli::Cli::try_parse_from(["mailplan", "check", "imaps://127.0.0.1"])
        .expect("parse");
    let Some(mailplan::cli::Command::Check(args)) = cli.command else {
        panic!("not a check command");
    };
    let (_, o) = mailplan::cli::check::prepare(&args).expect("prepare");
    assert!(!o.insecure);
}

#[tokio::test]
async fn self_signed_certificate_fails_by_default_and_nothing_is_sent() {
    let fake = Fake::start(
        vec![vec![line("* OK ready"), Act::Hold]],
        Some(self_signed()),
        true,
    )
    .await;
    let r = check(&format!("imaps://127.0.0.1:{}", fake.port), opts()).await;
    assert!(codes(&r).contains(&"tls.cert_untrusted"), "{:?}", codes(&r));
    assert_eq!(r.verdict, mailplan::findings::Verdict::Fail);
    assert!(!r.insecure);
    assert!(fake.lines().is_empty(), "{:?}", fake.lines());
}

/// Scripts without STARTTLS for each protocol: a login would have to go out in plain text.
fn no_starttls_scripts() -> Vec<(&'static str, Vec<Act>)> {
    let mut smtp = smtp_hello(&["AUTH PLAIN LOGIN"]);
    smtp.extend(smtp_quit());
    let pop3 = vec![
        line("+OK ready"),
        expect("CAPA"),
        line("+OK"),
        line("USER"),
        line("SASL PLAIN"),
        line("UIDL"),
        line("."),
        expect("QUIT"),
        line("+OK"),
    ];
    let imap = vec![
        line("* OK ready"),
        expect("a1 CAPABILITY"),
        line("* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN"),
        line("a1 OK"),
        expect("a2 LOGOUT"),
        line("* BYE"),
        line("a2 OK"),
    ];
    vec![("submission", smtp), ("pop3", pop3), ("imap", imap)]
}

#[tokio::test]
async fn no_starttls_means_no_plain_text_login() {
    for (scheme, script) in no_starttls_scripts() {
        let fake = Fake::plain(script).await;
        let r = check(&format!("{scheme}://127.0.0.1:{}", fake.port), opts()).await;
        assert!(codes(&r).contains(&"starttls.not_offered"), "{scheme}");
        assert!(codes(&r).contains(&"auth.plaintext_withheld"), "{scheme}");
        assert!(
            !has_credentials(&fake.lines()),
            "{scheme}: {:?}",
            fake.lines()
        );
        assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    }
}

#[tokio::test]
async fn server_that_stops_offering_starttls_after_a_first_connection() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    // First connection: STARTTLS, then login over TLS.
    let mut first = smtp_hello(&["STARTTLS"]);
    first.extend(vec![
        expect("STARTTLS"),
        line("220 go ahead"),
        Act::StartTls,
        expect("EHLO"),
        line("250-mx"),
        line("250 AUTH PLAIN"),
        expect("AUTH PLAIN"),
        line("334 "),
        Act::Read,
        line("235 ok"),
    ]);
    first.extend(smtp_quit());
    // Later connections: STARTTLS is gone (a downgrade, e.g. stripped on the way).
    let mut later = smtp_hello(&["AUTH PLAIN LOGIN"]);
    later.extend(smtp_quit());
    let fake = Fake::start(vec![first, later], Some(ca.good()), false).await;
    let mut o = opts();
    o.ca_file = Some(file.path().to_path_buf());
    let target = format!("submission://127.0.0.1:{}", fake.port);

    let r = check(&target, o.clone()).await;
    assert!(
        r.steps.iter().any(|s| s.name == "login" && s.ok),
        "{:?}",
        codes(&r)
    );
    let seen_before = fake.lines().len();

    let r = check(&target, o).await;
    assert!(
        codes(&r).contains(&"starttls.not_offered"),
        "{:?}",
        codes(&r)
    );
    assert!(codes(&r).contains(&"auth.plaintext_withheld"));
    let later_lines = fake.lines()[seen_before..].to_vec();
    assert!(!has_credentials(&later_lines), "{later_lines:?}");
    assert!(!String::from_utf8_lossy(&fake.raw()).contains("S3cret-pw"));
}

#[tokio::test]
async fn refused_starttls_stops_before_login() {
    let s = vec![
        line("+OK ready"),
        expect("CAPA"),
        line("+OK"),
        line("USER"),
        line("STLS"),
        line("."),
        expect("STLS"),
        line("-ERR not now"),
        Act::Hold,
    ];
    let fake = Fake::plain(s).await;
    let r = check(&format!("pop3://127.0.0.1:{}", fake.port), opts()).await;
    assert!(codes(&r).contains(&"starttls.refused"), "{:?}", codes(&r));
    assert!(!has_credentials(&fake.lines()), "{:?}", fake.lines());
}

/// A TLS server that speaks at most `max`.
async fn old_tls_server(ca: &TestCa, max: native_tls::Protocol) -> Fake {
    let _ = ca;
    let acceptor = native_tls::TlsAcceptor::builder(ca.good())
        .min_protocol_version(Some(native_tls::Protocol::Tlsv10))
        .max_protocol_version(Some(max))
        .build()
        .expect("acceptor");
    let acceptor = tokio_native_tls::TlsAcceptor::from(acceptor);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Seen::default());
    let s2 = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            s2.connections.fetch_add(1, Ordering::SeqCst);
            let a = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut s) = a.accept(tcp).await {
                    use tokio::io::AsyncWriteExt;
                    let _ = s.write_all(b"+OK old server\r\n").await;
                }
            });
        }
    });
    Fake { port, seen }
}

#[tokio::test]
async fn no_fallback_to_tls_1_1_or_1_0_even_with_insecure() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    for max in [native_tls::Protocol::Tlsv11, native_tls::Protocol::Tlsv10] {
        for insecure in [false, true] {
            let fake = old_tls_server(&ca, max).await;
            let mut o = opts();
            o.login = None;
            o.insecure = insecure;
            o.ca_file = Some(file.path().to_path_buf());
            let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), o).await;
            assert!(
                codes(&r).contains(&"tls.obsolete_version"),
                "{max:?} insecure={insecure}: {:?}\n{:#?}",
                codes(&r),
                r.transcript
            );
            assert!(r.banner.is_none());
            // One attempt only: no retry with an older version.
            assert_eq!(fake.seen.connections.load(Ordering::SeqCst), 1);
        }
    }
}

#[tokio::test]
async fn tls_1_2_is_still_accepted() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let fake = old_tls_server(&ca, native_tls::Protocol::Tlsv12).await;
    let mut o = opts();
    o.login = None;
    o.ca_file = Some(file.path().to_path_buf());
    let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), o).await;
    assert_eq!(
        r.banner.as_deref(),
        Some("+OK old server"),
        "{:?}",
        codes(&r)
    );
}

fn mailplan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mailplan"))
}

async fn run(mut cmd: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.stdin(Stdio::null()).output().expect("run mailplan"))
        .await
        .expect("join")
}

#[tokio::test]
async fn insecure_is_stated_in_human_and_json_output() {
    for json in [false, true] {
        let s = vec![
            line("+OK ready"),
            expect("CAPA"),
            line("+OK"),
            line("UIDL"),
            line("."),
            expect("QUIT"),
            line("+OK"),
        ];
        let fake = Fake::start(vec![s], Some(self_signed()), true).await;
        let mut cmd = mailplan();
        cmd.args(["check", "--insecure", "--timeout", "4"]);
        if json {
            cmd.arg("--json");
        }
        cmd.arg(format!("pop3s://127.0.0.1:{}", fake.port));
        let out = run(cmd).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if json {
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            let r = &doc["results"][0];
            assert_eq!(r["insecure"], true, "{stdout}");
            assert_eq!(r["tls"]["verified"], false, "{stdout}");
            let codes: Vec<&str> = r["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter_map(|f| f["code"].as_str())
                .collect();
            assert!(codes.contains(&"tls.not_verified"), "{codes:?}");
        } else {
            assert!(stdout.contains("--insecure"), "{stdout}");
        }
    }
}
