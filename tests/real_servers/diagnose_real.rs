//! End to end: diagnose `mailplan.test` through the real Unbound, whose SRV records point at the real
//! Dovecot and Postfix on 127.0.0.1 (started by tests/servers/start.sh; see docs/real-servers.md).
//!
//! Reads `MAILPLAN_TEST_ENV` or tests/servers/run/env. Without it (or when the servers do not answer) the
//! test prints why and passes, unless `MAILPLAN_TEST_REQUIRE=1` (set by .ci/run) makes that a failure.

use mailplan::checks::{CancellationToken, CheckOptions, Scheme, TlsMode};
use mailplan::diagnose::{DiagnoseOptions, Role, Source, diagnose};
use mailplan::dns::DnsClient;
use mailplan::dns::mx::analyse_domain;
use mailplan::dns::providers::ProviderTable;
use mailplan::findings::Verdict;
use std::collections::HashMap;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

fn env_file() -> PathBuf {
    match std::env::var_os("MAILPLAN_TEST_ENV") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/servers/run/env"),
    }
}

fn parse_env(text: &str) -> HashMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
        .map(|(k, v)| {
            let v = v
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(v);
            (k.trim().to_owned(), v.to_owned())
        })
        .collect()
}

/// The env values, or `None` after saying why the test is skipped.
fn servers() -> Option<HashMap<String, String>> {
    let path = env_file();
    let why = match std::fs::read_to_string(&path) {
        Err(e) => format!("cannot read {}: {e}", path.display()),
        Ok(text) => {
            let vars = parse_env(&text);
            let down: Vec<&str> = [
                "MAILPLAN_TEST_DNS",
                "MAILPLAN_TEST_IMAPS",
                "MAILPLAN_TEST_SUBMISSION",
            ]
            .into_iter()
            .filter(|k| {
                vars.get(*k)
                    .and_then(|a| a.parse::<SocketAddr>().ok())
                    .is_none_or(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_err())
            })
            .collect();
            if down.is_empty() && vars.contains_key("MAILPLAN_TEST_CA") {
                return Some(vars);
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
    eprintln!("skipped: real servers not running (run tests/servers/start.sh) [{why}]");
    None
}

fn port_of(vars: &HashMap<String, String>, key: &str) -> u16 {
    vars.get(key)
        .and_then(|a| a.parse::<SocketAddr>().ok())
        .map(|a| a.port())
        .unwrap_or_else(|| panic!("{key} missing in the env file"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_mailplan_test_through_srv_gives_ok_summary() {
    let Some(vars) = servers() else { return };
    let dns: SocketAddr = vars["MAILPLAN_TEST_DNS"].parse().unwrap();
    let opts = DiagnoseOptions {
        check: CheckOptions {
            timeout: Duration::from_secs(20),
            dns: Some(dns),
            ca_file: Some(PathBuf::from(&vars["MAILPLAN_TEST_CA"])),
            ..CheckOptions::default()
        },
        dns_timeout: Duration::from_secs(3),
        // Postfix's port-25-style listener is on a high port here.
        mx_port: port_of(&vars, "MAILPLAN_TEST_SMTP"),
        ..DiagnoseOptions::default()
    };
    let d = diagnose("alice@mailplan.test", &opts, None, CancellationToken::new())
        .await
        .unwrap();
    let report = serde_json::to_string_pretty(&d.summary).unwrap_or_default();

    // Every SRV service is discovered with its port, and nothing is guessed.
    let srv: Vec<(String, u16)> = d
        .endpoints
        .iter()
        .filter(|e| e.candidate.source == Source::Srv)
        .map(|e| {
            (
                e.candidate.target.scheme.name().to_owned(),
                e.candidate.target.port,
            )
        })
        .collect();
    for (scheme, key) in [
        ("imaps", "MAILPLAN_TEST_IMAPS"),
        ("imap", "MAILPLAN_TEST_IMAP"),
        ("pop3s", "MAILPLAN_TEST_POP3S"),
        ("pop3", "MAILPLAN_TEST_POP3"),
        ("smtps", "MAILPLAN_TEST_SMTPS"),
        ("submission", "MAILPLAN_TEST_SUBMISSION"),
    ] {
        assert!(
            srv.contains(&(scheme.to_owned(), port_of(&vars, key))),
            "{scheme} missing in {srv:?}"
        );
    }
    assert!(
        !d.endpoints
            .iter()
            .any(|e| e.candidate.source == Source::Guess)
    );
    assert!(d.endpoints.iter().any(|e| e.candidate.role == Role::Mx));

    // The right client settings, and an ok summary.
    assert_eq!(d.summary.verdict, Verdict::Ok, "{report}");
    let inc = d.summary.incoming.as_ref().expect("incoming settings");
    assert_eq!(
        (inc.scheme, inc.host.as_str(), inc.port, inc.security),
        (
            Scheme::Imaps,
            "mail.mailplan.test",
            port_of(&vars, "MAILPLAN_TEST_IMAPS"),
            TlsMode::Implicit
        ),
        "{report}"
    );
    let out = d.summary.outgoing.as_ref().expect("outgoing settings");
    assert_eq!(out.host, "mail.mailplan.test");
    assert!(
        [
            port_of(&vars, "MAILPLAN_TEST_SMTPS"),
            port_of(&vars, "MAILPLAN_TEST_SUBMISSION")
        ]
        .contains(&out.port),
        "{report}"
    );
    assert!(
        !d.findings.iter().any(|f| f.code == "net.port25_blocked"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbound_zones_give_the_dns_findings() {
    let Some(vars) = servers() else { return };
    let client = DnsClient::new(
        Some(vars["MAILPLAN_TEST_DNS"].parse().unwrap()),
        Duration::from_secs(3),
    )
    .unwrap();
    let table = ProviderTable::builtin();
    for (domain, code) in [
        ("nullmx.test", "dns.null_mx"),
        ("implicit.test", "dns.implicit_mx"),
        ("cname.test", "dns.mx_is_cname"),
        ("dangling.test", "dns.mx_target_unresolvable"),
        ("ipliteral.test", "dns.mx_ip_literal"),
        ("split.test", "dns.split_providers"),
        ("nxdomain.test", "dns.nxdomain"),
        ("badspf.test", "dns.spf_multiple"),
    ] {
        let r = analyse_domain(&client, table, domain, domain).await;
        let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
        assert!(
            codes.contains(&code),
            "{domain}: expected {code} in {codes:?}"
        );
    }
    let r = analyse_domain(&client, table, "hosted.test", "hosted.test").await;
    assert_eq!(r.primary_provider().map(|p| p.id.as_str()), Some("google"));
    let r = analyse_domain(&client, table, "xn--bcher-kva.test", "bücher.test").await;
    assert_eq!(r.mx[0].host, "mail.mailplan.test");
}
