//! RFC 6186 SRV discovery against an in-process DNS server on 127.0.0.1.

use crate::dns_support;

use dns_support::{FakeDns, standard_zone};
use mailplan::checks::Scheme;
use mailplan::dns::DnsClient;
use mailplan::dns::srv::discover_srv;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv_records_with_ports_priorities_and_not_offered() {
    let dns = FakeDns::start(standard_zone()).await;
    let client = DnsClient::new(Some(dns.addr), Duration::from_millis(800)).unwrap();
    let services = discover_srv(&client, "srv.test").await;
    let names: Vec<_> = services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "_imaps._tcp.srv.test",
            "_imap._tcp.srv.test",
            "_pop3s._tcp.srv.test",
            "_pop3._tcp.srv.test",
            "_submission._tcp.srv.test"
        ]
    );
    let imaps = &services[0];
    assert_eq!(imaps.scheme, Scheme::Imaps);
    assert_eq!(imaps.records[0].port, 10993);
    let t = imaps.records[0].check_target(imaps.scheme).unwrap();
    assert_eq!(t.to_string(), "imaps://imap.srv.test:10993");
    assert!(services[2].not_offered && services[2].records.is_empty());
    let sub = &services[4];
    // Lower priority value first.
    assert_eq!(
        (sub.records[0].target.as_str(), sub.records[0].port),
        ("smtp2.srv.test", 2587)
    );
    assert_eq!(sub.records[1].port, 10587);
    assert!(discover_srv(&client, "good.test").await.is_empty());
}
