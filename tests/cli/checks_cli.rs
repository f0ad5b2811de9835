//! `mailplan check` end to end: the binary against fake servers. Run: `cargo test --test cli checks_cli::`.

use crate::common;

use common::*;
use std::process::{Command, Stdio};

fn mailplan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mailplan"))
}

/// Runs the binary off the async runtime's threads.
async fn run(cmd: Command) -> std::process::Output {
    let mut cmd = cmd;
    tokio::task::spawn_blocking(move || cmd.stdin(Stdio::null()).output().expect("run mailplan"))
        .await
        .expect("join")
}

#[tokio::test]
async fn json_document_and_exit_status() {
    let mut s = smtp_hello(&["AUTH PLAIN"]);
    s.extend(smtp_quit());
    let ok = Fake::plain(s).await;
    let closed = Fake::plain(vec![Act::Close]).await;
    let mut cmd = mailplan();
    cmd.args([
        "check",
        "--json",
        "--timeout",
        "3",
        "--no-starttls",
        &format!("smtp://127.0.0.1:{}", ok.port),
        &format!("pop3://127.0.0.1:{}", closed.port),
    ]);
    let out = run(cmd).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["version"], 1);
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let first = &results[0];
    for key in [
        "target",
        "protocol",
        "host",
        "port",
        "tls_mode",
        "verdict",
        "findings",
        "steps",
        "banner",
        "capabilities",
        "tls",
        "transcript",
        "elapsed_ms",
        "insecure",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["verdict"], "ok");
    assert_eq!(first["tls_mode"], "plain");
    assert_eq!(first["protocol"], "smtp");
    assert_eq!(results[1]["verdict"], "fail");
    assert_eq!(results[1]["findings"][0]["code"], "tcp.closed");
    for key in [
        "code",
        "severity",
        "title",
        "server_text",
        "explanation",
        "fix",
    ] {
        assert!(
            results[1]["findings"][0].get(key).is_some(),
            "finding lacks {key}"
        );
    }
    assert!(first["steps"][0].get("ms").is_some());
}

#[tokio::test]
async fn exit_zero_when_nothing_failed_and_two_for_usage_errors() {
    let mut s = smtp_hello(&[]);
    s.extend(smtp_quit());
    let ok = Fake::plain(s).await;
    let mut cmd = mailplan();
    cmd.args([
        "check",
        "--timeout",
        "3",
        &format!("smtp://127.0.0.1:{}", ok.port),
    ]);
    let out = run(cmd).await;
    // starttls.not_offered is a warning: still exit 0.
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("WARN") && text.contains("starttls.not_offered"),
        "{text}"
    );

    for bad in [
        vec!["check", "mail.example.com"],
        vec!["check", "ftp://x"],
        vec!["check", "--timeout", "0", "imap://x"],
        vec!["check", "--dns", "nonsense", "imap://x"],
        vec!["check", "--ca-file", "/nonexistent/ca.pem", "imap://x"],
        vec!["check", "--user", "u", "imap://x"], // no password source and no terminal
    ] {
        let mut cmd = mailplan();
        cmd.args(&bad);
        let out = run(cmd).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn server_text_is_sanitized_and_insecure_is_stated() {
    let fake = Fake::plain(vec![
        Act::Raw(b"554 \x1b[31mred\x1b]0;owned\x07 go away\r\n".to_vec()),
        Act::Close,
    ])
    .await;
    let mut cmd = mailplan();
    cmd.args([
        "check",
        "--insecure",
        "--timeout",
        "3",
        &format!("smtp://127.0.0.1:{}", fake.port),
    ]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    // Each removed escape sequence leaves one visible mark.
    assert!(text.contains("\u{fffd}red\u{fffd} go away"), "{text}");
    assert!(text.contains("INSECURE"), "{text}");
}

#[tokio::test]
async fn password_from_env_is_used_and_never_printed() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let mut s = vec![
        line("+OK ready"),
        expect("CAPA"),
        line("+OK"),
        line("USER"),
        line("UIDL"),
        line("."),
    ];
    s.extend(vec![
        expect("USER bob"),
        line("+OK"),
        expect("PASS s3cr3t-Value"),
        line("-ERR [AUTH] Authentication failed."),
        expect("QUIT"),
        line("+OK"),
    ]);
    let fake = Fake::start(vec![s], Some(ca.good()), true).await;
    let mut cmd = mailplan();
    cmd.env("MP_TEST_PW", "s3cr3t-Value").args([
        "check",
        "--json",
        "--timeout",
        "5",
        "--ca-file",
        file.path().to_str().unwrap(),
        "--user",
        "bob",
        "--password-env",
        "MP_TEST_PW",
        &format!("pop3s://127.0.0.1:{}", fake.port),
    ]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("auth.failed"), "{stdout}");
    assert!(stdout.contains("PASS ****"));
    assert!(!stdout.contains("s3cr3t") && !String::from_utf8_lossy(&out.stderr).contains("s3cr3t"));
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
}
