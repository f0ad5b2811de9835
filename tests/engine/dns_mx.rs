//! MX, provider and security-record analysis against an in-process DNS server on 127.0.0.1.

use crate::dns_support;

use dns_support::{FakeDns, standard_zone};
use mailplan::dns::mx::{analyse_domain, parse_domain_input};
use mailplan::dns::providers::{ProviderKind, ProviderTable};
use mailplan::dns::security::RecordState;
use mailplan::dns::{DnsClient, DomainReport};
use mailplan::findings::{Severity, Verdict};
use std::time::Duration;

async fn analyse(domain: &str) -> DomainReport {
    let dns = FakeDns::start(standard_zone()).await;
    let client = DnsClient::new(Some(dns.addr), Duration::from_millis(800)).unwrap();
    let input = parse_domain_input(domain).unwrap();
    analyse_domain(
        &client,
        ProviderTable::builtin(),
        &input.domain,
        &input.display_domain,
    )
    .await
}

fn codes(r: &DomainReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

fn finding<'a>(r: &'a DomainReport, code: &str) -> &'a mailplan::findings::Finding {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(r)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_domain_sorted_by_preference_with_addresses() {
    let r = analyse("user@good.test").await;
    assert_eq!(r.verdict, Verdict::Ok, "{:?}", r.findings);
    let hosts: Vec<_> =
        r.mx.iter()
            .map(|m| (m.preference, m.host.as_str()))
            .collect();
    assert_eq!(hosts, [(10, "mx1.good.test"), (20, "mx2.good.test")]);
    let addrs: Vec<String> = r.mx[0].addresses.iter().map(|a| a.to_string()).collect();
    assert!(addrs.contains(&"127.0.0.1".to_string()) && addrs.contains(&"::1".to_string()));
    assert_eq!(r.primary_provider().unwrap().kind, ProviderKind::SelfHosted);
    let sec = r.security.as_ref().unwrap();
    assert_eq!(sec.spf.state, RecordState::Present);
    assert_eq!(sec.spf.records, ["v=spf1 mx -all"]);
    assert_eq!(sec.dmarc.summary.as_deref(), Some("p=reject"));
    assert_eq!(sec.mta_sts.state, RecordState::Present);
    assert_eq!(sec.tls_rpt.state, RecordState::Present);
    assert_eq!(codes(&r), ["dns.provider"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_mx() {
    let r = analyse("nullmx.test").await;
    assert!(r.null_mx);
    let f = finding(&r, "dns.null_mx");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.server_text.as_deref(), Some("MX 0 ."));
    assert!(r.providers.is_empty());
    assert_eq!(r.verdict, Verdict::Fail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_mx_and_no_mail_host() {
    let r = analyse("implicit.test").await;
    let f = finding(&r, "dns.implicit_mx");
    assert_eq!(f.server_text.as_deref(), Some("127.0.0.3"));
    assert_eq!(r.implicit_mx.as_ref().unwrap().len(), 1);
    let r = analyse("nomail.test").await;
    assert_eq!(finding(&r, "dns.no_mx").severity, Severity::Error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mx_pointing_at_cname() {
    let r = analyse("cname.test").await;
    let f = finding(&r, "dns.mx_is_cname");
    assert!(
        f.server_text
            .as_deref()
            .unwrap()
            .contains("real.cname.test"),
        "{f:?}"
    );
    assert_eq!(r.mx[0].cname.as_deref(), Some("real.cname.test"));
    assert_eq!(r.mx[0].problem.as_deref(), Some("dns.mx_is_cname"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mx_target_without_address() {
    let r = analyse("unresolvable.test").await;
    let f = finding(&r, "dns.mx_target_unresolvable");
    // The other MX still works, so this is a warning.
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.title.contains("gone.unresolvable.test"));
    assert_eq!(r.primary_mx().unwrap().host, "mx.unresolvable.test");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mx_ip_literal() {
    let r = analyse("ipliteral.test").await;
    let f = finding(&r, "dns.mx_ip_literal");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.server_text.as_deref(), Some("MX 10 192.0.2.25"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nxdomain_servfail_timeout() {
    let r = analyse("doesnotexist.test").await;
    assert_eq!(codes(&r), ["dns.nxdomain"]);
    assert!(r.security.is_none());
    let r = analyse("servfail.test").await;
    assert_eq!(finding(&r, "dns.servfail").severity, Severity::Error);
    let r = analyse("timeout.test").await;
    assert_eq!(finding(&r, "dns.timeout").severity, Severity::Error);
    assert_eq!(r.verdict, Verdict::Fail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idn_domain_shows_both_forms() {
    let r = analyse("info@bücher.test").await;
    assert_eq!(r.domain, "xn--bcher-kva.test");
    assert_eq!(r.display_domain, "bücher.test");
    assert_eq!(r.domain_label(), "bücher.test (xn--bcher-kva.test)");
    assert_eq!(r.mx[0].host, "mx.xn--bcher-kva.test");
    assert_eq!(r.mx[0].display_host, "mx.bücher.test");
    assert_eq!(r.mx[0].addresses.len(), 1);
    assert!(finding(&r, "dns.spf_missing").title.contains("SPF"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn well_known_providers_offline() {
    let r = analyse("googled.test").await;
    let p = r.primary_provider().unwrap();
    assert_eq!(p.id, "google");
    assert_eq!(p.mx_hosts.len(), 2);
    assert!(p.notes.iter().any(|n| n.contains("app password")));
    assert!(!codes(&r).contains(&"dns.split_providers"));
    let r = analyse("contoso.test").await;
    assert_eq!(r.primary_provider().unwrap().id, "microsoft");
    assert!(finding(&r, "dns.provider").title.contains("Microsoft 365"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_providers() {
    let r = analyse("split.test").await;
    let ids: Vec<_> = r.providers.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["google", "self-hosted"]);
    let f = finding(&r, "dns.split_providers");
    assert!(f.explanation.contains("lowest preference"));
    assert!(
        f.server_text
            .as_deref()
            .unwrap()
            .contains("domino.split.test")
    );
    let r = analyse("random.test").await;
    let f = finding(&r, "dns.split_providers");
    assert!(f.explanation.contains("at random"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulty_security_records() {
    let r = analyse("badsec.test").await;
    for code in [
        "dns.spf_multiple",
        "dns.dmarc_invalid",
        "dns.mta_sts_invalid",
        "dns.tlsrpt_invalid",
    ] {
        finding(&r, code);
    }
    assert!(
        finding(&r, "dns.spf_multiple")
            .server_text
            .as_deref()
            .unwrap()
            .contains("v=spf1 a -all")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_round_trips_as_json() {
    let r = analyse("split.test").await;
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.starts_with("{\"version\":1"));
    let back: DomainReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
}
