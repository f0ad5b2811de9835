//! A known password goes through a login run (fake servers that accept AUTH, USER/PASS and
//! LOGIN, over TLS); no output may contain it: stdout and stderr of the CLI in a child process
//! (human and `--json`), the in-process summary and JSON, and `Debug` of the options. A hostile server that
//! echoes the password back must not get it into the outputs either.
//! Run: `cargo test --test engine secrets_login::`.

use crate::common;

use common::*;
use mailplan::checks::{
    CancellationToken, CheckOptions, CheckResult, Login, Target, run_check, summary,
};
use mailplan::secret::Secret;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const PASSWORD: &str = "Tr0ub4dor-Secret-42";
const ENV: &str = "MAILPLAN_SECRETS_TEST_PASSWORD";

/// Standard base64 (independent of the engine's encoder).
fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Every form the password could take on the wire.
fn forms() -> Vec<String> {
    vec![
        PASSWORD.to_owned(),
        b64(PASSWORD.as_bytes()),
        b64(format!("\0alice\0{PASSWORD}").as_bytes()),
    ]
}

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for f in forms() {
        assert!(
            !text.contains(&f),
            "{what} contains the password ({f}):\n{text}"
        );
    }
}

fn smtps_accepting() -> Vec<Act> {
    let mut s = smtp_hello(&["AUTH PLAIN LOGIN"]);
    s.extend(vec![expect("AUTH PLAIN"), line("334 "), Act::Read]);
    s.push(line("235 2.7.0 Authentication successful"));
    s.extend(smtp_quit());
    s
}

fn pop3s_user_pass() -> Vec<Act> {
    vec![
        line("+OK POP3 ready"),
        expect("CAPA"),
        line("+OK"),
        line("USER"),
        line("UIDL"),
        line("."),
        expect("USER alice"),
        line("+OK send PASS"),
        expect("PASS "),
        line("+OK logged in"),
        expect("QUIT"),
        line("+OK bye"),
    ]
}

fn imaps_login() -> Vec<Act> {
    vec![
        line("* OK IMAP4rev1 ready"),
        expect("a1 CAPABILITY"),
        line("* CAPABILITY IMAP4rev1 AUTH=LOGIN"),
        line("a1 OK done"),
        Act::Read,
        line("a2 OK logged in"),
        Act::Read,
        line("* BYE"),
        line("a3 OK"),
    ]
}

/// An SMTP server that echoes what the client sent in its refusal.
fn smtps_echoing() -> Vec<Act> {
    let mut s = smtp_hello(&["AUTH LOGIN"]);
    s.extend(vec![
        expect("AUTH LOGIN"),
        line("334 VXNlcm5hbWU6"),
        Act::Read,
        line("334 UGFzc3dvcmQ6"),
        Act::Read,
        Act::Line(format!(
            "535 5.7.8 bad credentials for alice / {PASSWORD} ({})",
            b64(PASSWORD.as_bytes())
        )),
    ]);
    s.extend(smtp_quit());
    s
}

fn opts(ca: &tempfile::NamedTempFile) -> CheckOptions {
    CheckOptions {
        timeout: Duration::from_secs(5),
        ca_file: Some(ca.path().to_path_buf()),
        login: Some(Login {
            user: "alice".into(),
            password: Secret::from(PASSWORD),
        }),
        ..CheckOptions::default()
    }
}

async fn check(target: &str, o: CheckOptions) -> CheckResult {
    let t = Target::parse(target).expect("target");
    run_check(t, Arc::new(o), 0, None, CancellationToken::new()).await
}

fn assert_result_clean(r: &CheckResult) {
    assert_clean("the JSON result", &serde_json::to_string(r).expect("json"));
    assert_clean("the human summary", &summary::render(r, true));
    assert_clean("the Debug form of the result", &format!("{r:?}"));
}

#[tokio::test]
async fn in_process_results_never_hold_the_password() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    for (scheme, script) in [
        ("smtps", smtps_accepting()),
        ("pop3s", pop3s_user_pass()),
        ("imaps", imaps_login()),
    ] {
        let fake = Fake::start(vec![script], Some(ca.good()), true).await;
        let o = opts(&file);
        assert_clean("Debug of the options", &format!("{o:?}"));
        let r = check(&format!("{scheme}://127.0.0.1:{}", fake.port), o).await;
        let login = r.steps.iter().find(|s| s.name == "login").expect("login");
        assert!(login.ok, "{scheme}: {:?}\n{:#?}", r.findings, r.transcript);
        // The server did receive it (so the test proves something).
        let raw = String::from_utf8_lossy(&fake.raw()).into_owned();
        assert!(
            forms().iter().any(|f| raw.contains(f.as_str())),
            "{scheme}: the fake server never saw the password:\n{raw}"
        );
        assert_result_clean(&r);
        assert!(r.transcript.iter().any(|l| l.text.contains("****")));
    }
}

#[tokio::test]
async fn a_server_echoing_the_password_does_not_leak_it() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let fake = Fake::start(vec![smtps_echoing()], Some(ca.good()), true).await;
    let r = check(&format!("smtps://127.0.0.1:{}", fake.port), opts(&file)).await;
    assert!(
        r.findings.iter().any(|f| f.code == "auth.failed"),
        "{:?}",
        r.findings
    );
    assert_result_clean(&r);
}

/// A password that happens to be a word of the banner: the banner (sent before the password went
/// out, so it cannot be an echo) is left as it is; replacing the word there would show every
/// reader of the report the password. A later echo is still replaced.
#[tokio::test]
async fn words_said_before_the_login_are_not_taken_for_an_echo() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let script = vec![
        line("+OK Dovecot ready."),
        expect("CAPA"),
        line("+OK"),
        line("USER"),
        line("."),
        expect("USER alice"),
        line("+OK send PASS"),
        expect("PASS "),
        line("-ERR [AUTH] Dovecot is not your password"),
        expect("QUIT"),
        line("+OK bye"),
    ];
    let fake = Fake::start(vec![script], Some(ca.good()), true).await;
    let mut o = opts(&file);
    o.login = Some(Login {
        user: "alice".into(),
        password: Secret::from("Dovecot"),
    });
    let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), o).await;
    assert_eq!(r.banner.as_deref(), Some("+OK Dovecot ready."));
    assert!(r.transcript.iter().any(|l| l.text == "+OK Dovecot ready."));
    assert!(
        r.transcript
            .iter()
            .any(|l| l.text == "-ERR [AUTH] **** is not your password"),
        "{:#?}",
        r.transcript
    );
}

/// The same password-that-is-a-word, said by the server before the login in a finding's quote
/// (CAPA refused) and after it in the newest message's Subject: the first is left alone, the
/// second is replaced (both leaks found by a fresh-eyed review).
#[tokio::test]
async fn findings_before_the_login_keep_their_words_and_message_headers_are_scrubbed() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let script = vec![
        line("+OK Dovecot ready."),
        expect("CAPA"),
        line("-ERR Dovecot has no CAPA"),
        expect("USER alice"),
        line("+OK"),
        expect("PASS "),
        line("+OK logged in"),
        expect("STAT"),
        line("+OK 1 100"),
        expect("TOP"),
        line("+OK"),
        line("Date: Tue, 1 Jul 2025 10:00:00 +0000"),
        line("Subject: your password is Dovecot"),
        line(""),
        line("."),
        expect("QUIT"),
        line("+OK bye"),
    ];
    let fake = Fake::start(vec![script], Some(ca.good()), true).await;
    let mut o = opts(&file);
    o.inspect_latest = true;
    o.login = Some(Login {
        user: "alice".into(),
        password: Secret::from("Dovecot"),
    });
    let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), o).await;
    let capa = r
        .findings
        .iter()
        .find(|f| f.code == "capabilities.unavailable")
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!(
        capa.server_text.as_deref(),
        Some("-ERR Dovecot has no CAPA")
    );
    let latest = r
        .latest_message
        .as_ref()
        .expect("the newest message was read");
    assert_eq!(latest.subject.as_deref(), Some("your password is ****"));
    assert!(
        !serde_json::to_string(&r.latest_message)
            .unwrap()
            .contains("Dovecot")
    );
}

/// Env var that turns `cli_child` into a real `mailplan` run (arguments split by U+001F).
const CHILD: &str = "MAILPLAN_SECRETS_CHILD_ARGS";

/// Not a test of its own: when this test binary is re-run with `CHILD` set, this runs the
/// CLI in-process, so its real stdout and stderr can be captured. (The shared
/// `target/debug/mailplan` may have been built from another branch.)
#[test]
fn cli_child() {
    let Ok(args) = std::env::var(CHILD) else {
        return;
    };
    let argv: Vec<&str> = std::iter::once("mailplan")
        .chain(args.split('\u{1f}'))
        .collect();
    let cli = <mailplan::cli::Cli as clap::Parser>::try_parse_from(argv).expect("arguments");
    println!("<<<MAILPLAN-OUT");
    if let Some(cmd) = cli.command {
        let _ = mailplan::cli::run(cmd);
    }
    println!("MAILPLAN-OUT>>>");
}

/// `cli_child`'s name inside this test binary (its module path without the binary's name).
fn child_test_name() -> String {
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    if module.is_empty() {
        "cli_child".to_owned()
    } else {
        format!("{module}::cli_child")
    }
}

/// Runs `mailplan ARGS` through `cli_child` in a child process; returns (stdout, stderr).
async fn run(args: Vec<String>) -> (String, String) {
    let exe = std::env::current_exe().expect("test binary");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(exe)
            .args([
                &child_test_name(),
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, args.join("\u{1f}"))
            .env(ENV, PASSWORD)
            .stdin(Stdio::null())
            .output()
            .expect("run child")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let inner = stdout
        .split_once("<<<MAILPLAN-OUT\n")
        .and_then(|(_, rest)| rest.split_once("MAILPLAN-OUT>>>"))
        .map(|(inner, _)| inner.to_owned())
        .unwrap_or_else(|| panic!("no CLI output in:\n{stdout}"));
    (inner, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test]
async fn binary_outputs_never_hold_the_password() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let scripts = vec![smtps_accepting(), smtps_echoing()];
    for json in [false, true] {
        for script in &scripts {
            let fake = Fake::start(vec![script.clone()], Some(ca.good()), true).await;
            let mut args: Vec<String> = [
                "check",
                "--timeout",
                "5",
                "--user",
                "alice",
                "--password-env",
                ENV,
                "--ca-file",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            args.push(file.path().display().to_string());
            args.push(if json { "--json" } else { "--transcript" }.into());
            args.push(format!("smtps://127.0.0.1:{}", fake.port));
            let (stdout, stderr) = run(args).await;
            assert!(
                stdout.contains("alice") || stdout.contains("AUTH"),
                "the run did not get to the login:\n{stdout}\n{stderr}"
            );
            assert_clean("stdout", &stdout);
            assert_clean("stderr", &stderr);
            if json {
                let _: serde_json::Value = serde_json::from_str(&stdout).expect("json");
            }
        }
    }
}
