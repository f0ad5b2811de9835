//! DNS look-ups for mail: MX, SRV, TXT security records (hickory-resolver).
//!
//! [`DnsClient`] wraps a hickory resolver built from the system configuration or one
//! `--dns IP:PORT` server (UDP and TCP), and gives every look-up its own deadline.
//! [`mx::analyse_domain`] turns the answers into findings.

pub mod mx;
pub mod providers;
pub mod security;
pub mod srv;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, Record, RecordType};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub use mx::{DomainReport, MxRecord, analyse_domain};
pub use providers::{Provider, ProviderKind, ProviderMatch, ProviderTable};

/// The default deadline for one DNS look-up.
pub const DEFAULT_LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a look-up gave no records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupFailure {
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// The name exists but has no records of this type (NOERROR, empty answer).
    NoRecords,
    /// The server answered with an error (SERVFAIL, REFUSED...) or the answer was unusable.
    ServFail(String),
    /// No answer before the deadline.
    Timeout,
}

impl LookupFailure {
    /// Whether the name is known not to have records (as opposed to a failed look-up).
    pub fn is_negative(&self) -> bool {
        matches!(self, LookupFailure::NxDomain | LookupFailure::NoRecords)
    }

    /// A short description for findings and transcripts.
    pub fn describe(&self) -> String {
        match self {
            LookupFailure::NxDomain => "NXDOMAIN (the name does not exist)".into(),
            LookupFailure::NoRecords => "no records of this type".into(),
            LookupFailure::ServFail(m) => format!("lookup failed: {m}"),
            LookupFailure::Timeout => "no answer before the deadline".into(),
        }
    }
}

/// The answer to one look-up: the records of the asked type plus any CNAME met on the way.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub records: Vec<RData>,
    /// Canonical name when the queried name is an alias (CNAME), ASCII without trailing dot.
    pub cname: Option<String>,
}

/// A resolver with a deadline per look-up.
#[derive(Clone)]
pub struct DnsClient {
    resolver: TokioResolver,
    timeout: Duration,
    /// The server in use, when one was given (`--dns`).
    pub server: Option<SocketAddr>,
}

impl std::fmt::Debug for DnsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsClient")
            .field("server", &self.server)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Builds a hickory resolver: the system configuration, or only `server` (UDP and TCP) when given.
/// `timeout` bounds each query to a server.
pub fn build_resolver(
    server: Option<SocketAddr>,
    timeout: Duration,
) -> Result<TokioResolver, String> {
    let provider = TokioRuntimeProvider::default();
    let mut builder = match server {
        Some(addr) => {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            let ns = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
            let mut b = TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![ns]),
                provider,
            );
            b.options_mut().use_hosts_file = ResolveHosts::Never;
            b
        }
        None => TokioResolver::builder(provider).map_err(|e| {
            format!("cannot read the system's DNS settings: {e}; give a server with --dns IP:PORT")
        })?,
    };
    let opts: &mut ResolverOpts = builder.options_mut();
    opts.timeout = timeout;
    opts.attempts = 1;
    opts.ndots = 0;
    builder
        .build()
        .map_err(|e| format!("cannot set up DNS resolution: {e}"))
}

/// Parses a `--dns` value: `IP:PORT`, `[IPv6]:PORT`, or a bare IP (port 53).
pub fn parse_server(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Ok(a) = text.parse::<SocketAddr>() {
        return Ok(a);
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(format!(
        "'{text}' is not a DNS server address: write IP:PORT, e.g. 127.0.0.1:5353 or [::1]:53"
    ))
}

impl DnsClient {
    /// A client for the system resolver or one server. `timeout` is the deadline per look-up.
    pub fn new(server: Option<SocketAddr>, timeout: Duration) -> Result<DnsClient, String> {
        let timeout = timeout.max(Duration::from_millis(50));
        Ok(DnsClient {
            resolver: build_resolver(server, timeout)?,
            timeout,
            server,
        })
    }

    /// The deadline per look-up.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Looks up `name` (ASCII; treated as fully qualified) for records of `rtype`.
    pub async fn lookup(&self, name: &str, rtype: RecordType) -> Result<Answer, LookupFailure> {
        let fqdn = if name.ends_with('.') {
            name.to_owned()
        } else {
            format!("{name}.")
        };
        // The resolver has its own per-query timeout; this outer deadline also covers TCP fallback.
        let deadline = self.timeout + self.timeout / 2 + Duration::from_millis(100);
        let lookup = match tokio::time::timeout(
            deadline,
            self.resolver.lookup(fqdn.as_str(), rtype),
        )
        .await
        {
            Err(_) => return Err(LookupFailure::Timeout),
            Ok(Err(e)) => return Err(classify(&e)),
            Ok(Ok(l)) => l,
        };
        let queried = fqdn.to_ascii_lowercase();
        let mut answer = Answer::default();
        for r in lookup.answers() {
            record_into(&mut answer, r, rtype, &queried);
        }
        if answer.records.is_empty() {
            return Err(LookupFailure::NoRecords);
        }
        Ok(answer)
    }

    /// A and AAAA addresses of `host`, looked up concurrently. Fails only when both fail;
    /// a negative answer for one family is not a failure.
    pub async fn addresses(
        &self,
        host: &str,
    ) -> Result<(Vec<IpAddr>, Option<String>), LookupFailure> {
        let (v4, v6) = tokio::join!(
            self.lookup(host, RecordType::A),
            self.lookup(host, RecordType::AAAA)
        );
        let mut addrs = Vec::new();
        let mut cname = None;
        for a in [&v4, &v6].into_iter().flatten() {
            if cname.is_none() {
                cname = a.cname.clone();
            }
            for r in &a.records {
                match r {
                    RData::A(a) => addrs.push(IpAddr::V4(a.0)),
                    RData::AAAA(a) => addrs.push(IpAddr::V6(a.0)),
                    _ => {}
                }
            }
        }
        if !addrs.is_empty() {
            return Ok((addrs, cname));
        }
        match (v4, v6) {
            (Err(LookupFailure::NxDomain), _) | (_, Err(LookupFailure::NxDomain)) => {
                Err(LookupFailure::NxDomain)
            }
            (Err(e), _) if !e.is_negative() => Err(e),
            (_, Err(e)) if !e.is_negative() => Err(e),
            _ => Err(LookupFailure::NoRecords),
        }
    }

    /// TXT strings at `name`; each record's character-strings are joined without separators (RFC 7208 §3.3).
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, LookupFailure> {
        let answer = self.lookup(name, RecordType::TXT).await?;
        Ok(answer
            .records
            .iter()
            .filter_map(|r| match r {
                RData::TXT(t) => Some(
                    t.txt_data
                        .iter()
                        .map(|part| String::from_utf8_lossy(part).into_owned())
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect())
    }
}

fn record_into(answer: &mut Answer, r: &Record, rtype: RecordType, queried: &str) {
    if r.data.record_type() == rtype {
        answer.records.push(r.data.clone());
    } else if let RData::CNAME(c) = &r.data
        && r.name.to_ascii().to_ascii_lowercase() == queried
        && answer.cname.is_none()
    {
        answer.cname = Some(c.0.to_ascii().trim_end_matches('.').to_owned());
    }
}

/// Maps a resolver error to a [`LookupFailure`].
pub fn classify(e: &NetError) -> LookupFailure {
    use hickory_resolver::net::DnsError;
    match e {
        NetError::Timeout => LookupFailure::Timeout,
        NetError::Dns(DnsError::NoRecordsFound(nr)) => match nr.response_code {
            ResponseCode::NXDomain => LookupFailure::NxDomain,
            ResponseCode::NoError => LookupFailure::NoRecords,
            code => LookupFailure::ServFail(format!("the DNS server answered {code}")),
        },
        NetError::Dns(DnsError::ResponseCode(code)) => {
            LookupFailure::ServFail(format!("the DNS server answered {code}"))
        }
        other => {
            let text = other.to_string();
            if text.to_ascii_lowercase().contains("timed out") {
                LookupFailure::Timeout
            } else {
                LookupFailure::ServFail(text)
            }
        }
    }
}

/// Turns a name from DNS into (ASCII without trailing dot, Unicode display form).
pub fn name_forms(ascii: &str) -> (String, String) {
    let ascii = ascii.trim_end_matches('.').to_ascii_lowercase();
    let (display, result) = idna::domain_to_unicode(&ascii);
    let display = if result.is_ok() {
        display
    } else {
        ascii.clone()
    };
    (ascii, display)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_server_addresses() {
        assert_eq!(parse_server("127.0.0.1:5353").unwrap().port(), 5353);
        assert_eq!(parse_server("[::1]:53").unwrap().port(), 53);
        assert_eq!(parse_server("192.0.2.1").unwrap().port(), 53);
        assert!(parse_server("dns.example").is_err());
    }

    #[test]
    fn shows_unicode_forms() {
        let (a, d) = name_forms("XN--BCHER-KVA.example.");
        assert_eq!(a, "xn--bcher-kva.example");
        assert_eq!(d, "bücher.example");
    }
}
