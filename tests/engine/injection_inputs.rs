//! CR, LF and NUL in user-given values are rejected before any network traffic (the fake
//! server must see no connection), and terminal escapes from servers never reach the terminal.
//! Run: `cargo test --test engine injection_inputs::`.

use crate::common;

use common::*;
use mailplan::checks::{
    CancellationToken, CheckOptions, Login, Scheme, Target, run_check, summary,
};
use mailplan::cli::check::{Args, prepare};
use mailplan::secret::Secret;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

const BAD: [&str; 5] = ["\r\nRSET", "\nQUIT", "\r", "a\0b", "x\r\nDELE 1"];

fn connections(f: &Fake) -> usize {
    f.seen.connections.load(Ordering::SeqCst)
}

fn base_args(target: String) -> Args {
    Args {
        targets: vec![target],
        json: false,
        connection: mailplan::cli::check::ConnectionArgs {
            timeout: 3.0,
            dns: None,
            ca_file: None,
            insecure: false,
        },
        no_starttls: false,
        user: None,
        password_stdin: false,
        password_env: None,
        allow_plaintext_login: false,
        inspect_latest: false,
        ehlo: None,
        transcript: false,
    }
}

/// The engine itself refuses bad host, user, password and EHLO name (for callers other than the CLI).
#[tokio::test]
async fn engine_refuses_line_breaks_before_connecting() {
    let fake = Fake::plain(vec![line("220 mx ESMTP"), Act::Hold]).await;
    for bad in BAD {
        let mut cases: Vec<(&str, Target, CheckOptions)> = Vec::new();
        let good = Target::new(Scheme::Smtp, "127.0.0.1", Some(fake.port)).expect("target");
        let mut host = good.clone();
        host.host = format!("127.0.0.1{bad}");
        cases.push(("host", host, CheckOptions::default()));
        let login = |user: &str, pw: &str| CheckOptions {
            login: Some(Login {
                user: user.into(),
                password: Secret::from(pw),
            }),
            ..CheckOptions::default()
        };
        cases.push(("user", good.clone(), login(&format!("alice{bad}"), "pw")));
        cases.push((
            "password",
            good.clone(),
            login("alice", &format!("pw{bad}")),
        ));
        cases.push((
            "EHLO",
            good.clone(),
            CheckOptions {
                ehlo_name: format!("client{bad}"),
                ..CheckOptions::default()
            },
        ));
        for (what, target, mut o) in cases {
            o.timeout = Duration::from_secs(3);
            let r = run_check(target, Arc::new(o), 0, None, CancellationToken::new()).await;
            let f = r
                .findings
                .iter()
                .find(|f| f.code == "input.invalid")
                .unwrap_or_else(|| panic!("{what} {bad:?}: {:?}", r.findings));
            assert!(f.title.contains("CR, LF or NUL"), "{}", f.title);
            assert!(r.steps.is_empty(), "{what}: {:?}", r.steps);
        }
    }
    assert_eq!(connections(&fake), 0);
}

/// The CLI refuses them while preparing, so nothing is resolved or connected.
#[tokio::test]
async fn cli_refuses_line_breaks_in_every_input() {
    let fake = Fake::plain(vec![line("220 mx ESMTP"), Act::Hold]).await;
    let target = format!("smtp://127.0.0.1:{}", fake.port);
    for bad in BAD {
        // Host (in the target).
        let a = base_args(format!("smtp://127.0.0.1{bad}:{}", fake.port));
        assert!(prepare(&a).is_err(), "target with {bad:?}");
        // User.
        let mut a = base_args(target.clone());
        a.user = Some(format!("alice{bad}"));
        a.password_env = Some("MAILPLAN_INJECTION_UNUSED".into());
        let e = prepare(&a).expect_err("user");
        assert!(e.contains("--user"), "{e}");
        // EHLO name.
        let mut a = base_args(target.clone());
        a.ehlo = Some(format!("client{bad}"));
        let e = prepare(&a).expect_err("ehlo");
        assert!(e.contains("--ehlo"), "{e}");
        // A CA file path.
        let mut a = base_args(target.clone());
        a.connection.ca_file = Some(PathBuf::from(format!("ca{bad}.pem")));
        let e = prepare(&a).expect_err("ca file");
        assert!(
            e.contains("--ca-file") && e.contains("control character"),
            "{bad:?}: {e}"
        );
    }
    assert_eq!(connections(&fake), 0);
}

/// A password with a line break, given through the environment as a user would, is refused by the real
/// binary before anything is connected. (A child process gets the variable, so this test never changes
/// its own environment, which other tests in this binary read.)
#[tokio::test]
async fn cli_refuses_a_password_with_a_line_break() {
    let fake = Fake::plain(vec![line("220 mx ESMTP"), Act::Hold]).await;
    let var = "MAILPLAN_INJECTION_TEST_PW";
    let mut cmd = mailplan();
    cmd.args([
        "check",
        &format!("smtp://127.0.0.1:{}", fake.port),
        "--user",
        "alice",
    ])
    .args(["--password-env", var])
    .env(var, "pw\r\nDELE 1");
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("password"), "{stderr}");
    assert!(!stderr.contains("DELE"), "the password leaked: {stderr}");
    assert_eq!(connections(&fake), 0);
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
async fn binary_exits_with_usage_error_and_no_traffic() {
    let fake = Fake::plain(vec![line("220 mx ESMTP"), Act::Hold]).await;
    let target = format!("smtp://127.0.0.1:{}", fake.port);
    let cases: Vec<Vec<String>> = vec![
        vec![format!("smtp://127.0.0.1\r\n:{}", fake.port)],
        vec!["--ehlo".into(), "me\r\nRSET".into(), target.clone()],
        vec![
            "--user".into(),
            "alice\nQUIT".into(),
            "--password-env".into(),
            "MAILPLAN_INJECTION_BIN_PW".into(),
            target.clone(),
        ],
        vec![
            "--user".into(),
            "alice".into(),
            "--password-env".into(),
            "MAILPLAN_INJECTION_BIN_PW".into(),
            target.clone(),
        ],
    ];
    for args in cases {
        let mut cmd = mailplan();
        cmd.env("MAILPLAN_INJECTION_BIN_PW", "pw\r\nQUIT")
            .arg("check")
            .args(&args);
        let out = run(cmd).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("mailplan: "), "{stderr}");
        // The message itself does not carry the raw line break into the terminal.
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr:?}");
    }
    assert_eq!(connections(&fake), 0);
}

#[tokio::test]
async fn terminal_escapes_from_the_server_never_reach_the_terminal() {
    let banner = b"220 mx \x1b]0;pwned\x07\x1b[2J\x1b[1;31mESMTP\x1b[0m \x1bc\x08\x08ready\r\n";
    let mut s = vec![Act::Raw(banner.to_vec()), expect("EHLO")];
    s.push(Act::Raw(
        b"250-mx \x1b[5mhello\r\n250 X-\x1b]8;;http://evil.test\x1b\\link\x1b]8;;\x1b\\\r\n"
            .to_vec(),
    ));
    s.extend(smtp_quit());
    let fake = Fake::plain(s).await;
    let target = format!("smtp://127.0.0.1:{}", fake.port);
    let t = Target::parse(&target).expect("target");
    let o = CheckOptions {
        timeout: Duration::from_secs(3),
        ..CheckOptions::default()
    };
    let r = run_check(t, Arc::new(o), 0, None, CancellationToken::new()).await;
    let human = summary::render(&r, true);
    assert!(human.contains("ESMTP"), "{human}");
    for c in human.chars() {
        assert!(c == '\n' || !c.is_control(), "{c:?} in:\n{human}");
    }
    assert!(
        !human.contains("pwned") && !human.contains("evil.test"),
        "{human}"
    );

    let mut cmd = mailplan();
    cmd.args(["check", "--transcript", "--timeout", "3", &target]);
    let out = run(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ESMTP"), "{stdout}");
    assert!(
        !out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07),
        "{stdout:?}"
    );
    assert!(!out.stderr.contains(&0x1b), "{:?}", out.stderr);
}
