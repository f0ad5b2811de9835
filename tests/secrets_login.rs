//! A known password goes through a login run (fake servers that accept AUTH, USER/PASS and
//! LOGIN, over TLS); no output may contain it: stdout and stderr of the binary (human and
//! `--json`), the in-process summary and JSON, and `Debug` of the options. A hostile server that
//! echoes the password back must not get it into the outputs either.
//! Run: `cargo test --test secrets_login`.

mod common;

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

fn mailplan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mailplan"))
}

async fn run(mut cmd: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.stdin(Stdio::null()).output().expect("run mailplan"))
        .await
        .expect("join")
}

#[tokio::test]
async fn binary_outputs_never_hold_the_password() {
    let ca = TestCa::new();
    let file = ca.ca_file();
    let scripts = vec![smtps_accepting(), smtps_echoing()];
    for json in [false, true] {
        for script in &scripts {
            let fake = Fake::start(vec![script.clone()], Some(ca.good()), true).await;
            let mut cmd = mailplan();
            cmd.env(ENV, PASSWORD).args([
                "check",
                "--timeout",
                "5",
                "--user",
                "alice",
                "--password-env",
                ENV,
                "--ca-file",
            ]);
            cmd.arg(file.path());
            if json {
                cmd.arg("--json");
            } else {
                cmd.arg("--transcript");
            }
            cmd.arg(format!("smtps://127.0.0.1:{}", fake.port));
            let out = run(cmd).await;
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stdout.contains("alice") || stdout.contains("AUTH"),
                "the run did not get to the login:\n{stdout}\n{stderr}"
            );
            assert_clean("stdout", &stdout);
            assert_clean("stderr", &stderr);
            if json {
                let _: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            }
        }
    }
}
