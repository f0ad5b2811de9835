//! `mailplan mx` and `mailplan diagnose` as a user runs them, against an in-process DNS server.

use crate::dns_support;

use dns_support::{FakeDns, Zone, standard_zone};
use std::process::{Command, Output};

async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_mailplan"))
            .args(&args)
            .output()
            .expect("run mailplan")
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mx_json_and_text() {
    let dns = FakeDns::start(standard_zone()).await;
    let addr = dns.addr.to_string();
    let out = run(args(&["mx", "split.test", "--json", "--dns", &addr])).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["mx"][0]["host"], "aspmx.l.google.com");
    assert_eq!(v["providers"][0]["id"], "google");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"dns.split_providers"), "{codes:?}");
    for f in v["findings"].as_array().unwrap() {
        for key in ["code", "severity", "title", "explanation", "fix"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
    }

    let out = run(args(&["mx", "bücher.test", "--dns", &addr])).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Domain: bücher.test (xn--bcher-kva.test)"),
        "{text}"
    );
    assert!(
        text.contains("mx.bücher.test (mx.xn--bcher-kva.test)"),
        "{text}"
    );

    let out = run(args(&["mx", "nullmx.test", "--dns", &addr])).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("dns.null_mx"));

    let out = run(args(&["mx", "not a domain", "--dns", &addr])).await;
    assert_eq!(out.status.code(), Some(2));
    let out = run(args(&["mx", "good.test", "--dns", "nonsense"])).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_is_stripped_of_controls() {
    let mut z = Zone::new();
    z.mx("evil.test", 10, "mx.evil.test")
        .a("mx.evil.test", "127.0.0.1")
        .txt("evil.test", "v=spf1 \u{1b}[31mred\u{1b}[0m +all");
    let dns = FakeDns::start(z).await;
    let out = run(args(&["mx", "evil.test", "--dns", &dns.addr.to_string()])).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("dns.spf_pass_all"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_json_shape() {
    let dns = FakeDns::start(standard_zone()).await;
    let addr = dns.addr.to_string();
    let out = run(args(&[
        "diagnose",
        "me@srv.test",
        "--json",
        "--dns",
        &addr,
        "--timeout",
        "5",
    ]))
    .await;
    assert!(matches!(out.status.code(), Some(0) | Some(1)), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["domain"], "srv.test");
    assert_eq!(v["address"], "me@srv.test");
    let eps = v["endpoints"].as_array().unwrap();
    assert_eq!(eps.len(), 5);
    assert_eq!(eps[0]["candidate"]["source"], "srv");
    assert_eq!(eps[0]["result"]["target"], "imaps://imap.srv.test:10993");
    assert!(
        v["summary"]["imap_or_pop"]
            .as_str()
            .unwrap()
            .contains("IMAP")
    );

    let out = run(args(&[
        "diagnose",
        "--no-guess",
        "nothing.invalid.test",
        "--dns",
        &addr,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("dns.nxdomain"), "{text}");
    let out = run(args(&["diagnose", "imaps://x.test"])).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_text_names_settings_sources_and_problems() {
    let dns = FakeDns::start(standard_zone()).await;
    let addr = dns.addr.to_string();
    let out = run(args(&[
        "diagnose",
        "me@srv.test",
        "--dns",
        &addr,
        "--timeout",
        "5",
    ]))
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    println!(
        "{text}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Settings discovery:"), "{text}");
    assert!(text.contains("_pop3s._tcp.srv.test: not offered"), "{text}");
    assert!(
        text.contains("from SRV record: _imaps._tcp.srv.test SRV 0 1 10993 imap.srv.test"),
        "{text}"
    );
    assert!(text.contains("What a mail client should use:"), "{text}");
    assert!(text.contains("IMAP or POP3:"), "{text}");
}
