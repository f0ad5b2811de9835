//! MX analysis: records sorted by preference, addresses per target, the MX findings,
//! provider detection and the security records. This is `mailplan mx`.

use super::providers::{ProviderKind, ProviderMatch, ProviderTable, group_by_provider};
use super::security::{SecurityRecords, lookup_security};
use super::{DnsClient, LookupFailure, name_forms};
use crate::checks::target::normalise_host;
use crate::findings::{Finding, Severity, Verdict};
use hickory_resolver::proto::rr::{RData, RecordType};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Instant;

/// JSON schema version of [`DomainReport`].
pub const REPORT_VERSION: u32 = 1;

/// One MX record and what its target resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxRecord {
    pub preference: u16,
    /// ASCII (punycode) host, no trailing dot; `.` for a null MX.
    pub host: String,
    /// Unicode form of the host, for display.
    pub display_host: String,
    pub addresses: Vec<IpAddr>,
    /// The canonical name when the target is an alias (a fault).
    #[serde(default)]
    pub cname: Option<String>,
    /// Provider id from the provider table, or `self-hosted`.
    #[serde(default)]
    pub provider: Option<String>,
    /// Code of the finding about this record, if any.
    #[serde(default)]
    pub problem: Option<String>,
}

/// Everything known about a domain's mail routing. Also the JSON of `mailplan mx --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainReport {
    pub version: u32,
    /// ASCII (punycode) form.
    pub domain: String,
    /// Unicode form (what the user typed).
    pub display_domain: String,
    pub verdict: Verdict,
    /// Sorted by preference, then host.
    pub mx: Vec<MxRecord>,
    /// RFC 7505 `MX 0 .`: the domain accepts no mail.
    pub null_mx: bool,
    /// When there is no MX: the domain's own addresses, which senders use instead (RFC 5321 §5.1).
    #[serde(default)]
    pub implicit_mx: Option<Vec<IpAddr>>,
    /// Providers seen among the MX hosts, best preference first.
    pub providers: Vec<ProviderMatch>,
    #[serde(default)]
    pub security: Option<SecurityRecords>,
    pub findings: Vec<Finding>,
    /// The DNS server used, when `--dns` gave one.
    #[serde(default)]
    pub dns_server: Option<String>,
    pub elapsed_ms: u64,
}

impl DomainReport {
    /// The lowest-preference MX host that has an address (where mail goes first).
    pub fn primary_mx(&self) -> Option<&MxRecord> {
        self.mx
            .iter()
            .find(|m| !m.addresses.is_empty() && m.host != ".")
    }

    /// The provider of the primary MX, if the domain has MX records.
    pub fn primary_provider(&self) -> Option<&ProviderMatch> {
        self.providers.first()
    }

    /// Host names shown as "unicode (ascii)" when they differ.
    pub fn domain_label(&self) -> String {
        both_forms(&self.domain, &self.display_domain)
    }
}

/// "display (ascii)" when an IDN, else the name once.
pub fn both_forms(ascii: &str, display: &str) -> String {
    if ascii == display {
        ascii.to_owned()
    } else {
        format!("{display} ({ascii})")
    }
}

/// What the user typed, split into the domain (ASCII and display forms) and the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainInput {
    pub domain: String,
    pub display_domain: String,
    pub address: Option<String>,
}

/// Accepts `user@example.com` or `example.com` (Unicode allowed). IP addresses are refused.
pub fn parse_domain_input(input: &str) -> Result<DomainInput, String> {
    let input = input.trim();
    if input.chars().any(|c| c.is_control()) {
        return Err("the address contains a control character; type it again".into());
    }
    let (address, domain_part) = match input.rsplit_once('@') {
        Some((local, d)) => {
            if local.is_empty() {
                return Err(format!("'{input}' has nothing before the '@'"));
            }
            (Some(input.to_owned()), d)
        }
        None => (None, input),
    };
    if domain_part.contains(['/', ':', '[', ']']) {
        return Err(format!(
            "'{input}': give an address (user@example.com) or a domain (example.com), not a URL"
        ));
    }
    let (ascii, display) = normalise_host(domain_part)?;
    if ascii.parse::<IpAddr>().is_ok() {
        return Err(format!(
            "'{domain_part}' is an IP address; give the mail domain (example.com)"
        ));
    }
    if !ascii.contains('.') && ascii != "localhost" {
        return Err(format!(
            "'{domain_part}' is not a full domain name (e.g. example.com)"
        ));
    }
    let ascii = ascii.to_ascii_lowercase();
    let (_, unicode) = name_forms(&ascii);
    let display = if display.is_ascii() { unicode } else { display };
    Ok(DomainInput {
        domain: ascii,
        display_domain: display,
        address,
    })
}

fn failure_finding(what: &str, name_label: &str, e: &LookupFailure, severity: Severity) -> Finding {
    match e {
        LookupFailure::Timeout => Finding::new(
            "dns.timeout",
            severity,
            format!("No DNS answer for {what} of {name_label}"),
            "The DNS server did not answer in time. Either this network's DNS is slow or blocked, or the domain's own name servers are not answering (then mail servers elsewhere will fail too).",
            "Try again; try another DNS server with --dns (e.g. your company's); if it persists, check the domain's name servers with its DNS host.",
        )
        .with_server_text(e.describe()),
        LookupFailure::ServFail(m) => Finding::new(
            "dns.servfail",
            severity,
            format!("The DNS look-up of {what} for {name_label} failed"),
            "The DNS server answered with an error (usually SERVFAIL): the domain's name servers are broken, unreachable or have a DNSSEC fault. Senders everywhere see the same failure and will queue or bounce mail.",
            "Ask the domain's DNS host to check its name servers (and DNSSEC signatures, if used).",
        )
        .with_server_text(m.clone()),
        LookupFailure::NxDomain => Finding::new(
            "dns.nxdomain",
            severity,
            format!("The domain {name_label} does not exist"),
            "DNS says this name does not exist (NXDOMAIN): it is misspelt, was never registered, or its registration has lapsed. No mail can be delivered to it.",
            "Check the spelling of the address. If it is right, check the domain's registration and name-server delegation with the registrar.",
        )
        .with_server_text(e.describe()),
        LookupFailure::NoRecords => Finding::new(
            "dns.no_records",
            severity,
            format!("No {what} records for {name_label}"),
            "The name exists but has no records of this type.",
            "Add the missing records at the domain's DNS host.",
        ),
    }
}

/// Looks up and analyses a domain's MX, providers and security records.
/// `domain` must already be ASCII (see [`parse_domain_input`]).
pub async fn analyse_domain(
    client: &DnsClient,
    table: &ProviderTable,
    domain: &str,
    display_domain: &str,
) -> DomainReport {
    let started = Instant::now();
    let label = both_forms(domain, display_domain);
    let (mx_answer, (security, security_findings)) = tokio::join!(
        client.lookup(domain, RecordType::MX),
        lookup_security(client, domain)
    );

    let mut findings = Vec::new();
    let mut records = Vec::new();
    let mut null_mx = false;
    let mut implicit_mx = None;
    let mut domain_exists = true;

    match mx_answer {
        Err(LookupFailure::NoRecords) => match client.addresses(domain).await {
            Ok((addrs, _)) => {
                findings.push(
                    Finding::new(
                        "dns.implicit_mx",
                        Severity::Warning,
                        format!("{label} has no MX record; mail goes to its own address"),
                        "With no MX record, sending servers deliver to the domain's A/AAAA address instead (RFC 5321 §5.1, the 'implicit MX'). That works only if the web server at that address also runs a mail server on port 25. Some senders and filters treat a missing MX as a sign of a badly run domain.",
                        "Publish an MX record naming the real mail server (or your provider's MX hosts). If the domain sends but never receives mail, publish a null MX ('MX 0 .') instead.",
                    )
                    .with_server_text(addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")),
                );
                implicit_mx = Some(addrs);
            }
            Err(e) if e.is_negative() => {
                findings.push(Finding::new(
                    "dns.no_mx",
                    Severity::Error,
                    format!("{label} has no MX record and no address: it cannot receive mail"),
                    "There is neither an MX record nor an A/AAAA record, so sending servers have nowhere to deliver and bounce the mail.",
                    "Publish MX records for the domain (your mail provider lists them), or a null MX ('MX 0 .') if the domain should receive no mail.",
                ));
            }
            Err(e) => findings.push(failure_finding("the address", &label, &e, Severity::Error)),
        },
        Err(e) => {
            domain_exists = !matches!(e, LookupFailure::NxDomain);
            findings.push(failure_finding("MX records", &label, &e, Severity::Error));
        }
        Ok(answer) => {
            let mut mx: Vec<(u16, String)> = answer
                .records
                .iter()
                .filter_map(|r| match r {
                    RData::MX(m) => Some((
                        m.preference,
                        if m.exchange.is_root() {
                            ".".to_owned()
                        } else {
                            m.exchange
                                .to_ascii()
                                .trim_end_matches('.')
                                .to_ascii_lowercase()
                        },
                    )),
                    _ => None,
                })
                .collect();
            mx.sort();
            mx.dedup();
            let resolved = resolve_targets(client, &mx).await;
            null_mx = resolved.iter().any(|(r, _)| r.host == ".");
            records = mx_findings(&label, resolved, &mut findings);
        }
    }

    let providers = if null_mx {
        vec![]
    } else {
        let hosts: Vec<(u16, String)> = records
            .iter()
            .filter(|r| r.host != "." && r.problem.as_deref() != Some("dns.mx_ip_literal"))
            .map(|r| (r.preference, r.host.clone()))
            .collect();
        group_by_provider(table, &hosts)
    };
    for r in records.iter_mut() {
        r.provider = providers
            .iter()
            .find(|p| p.mx_hosts.contains(&r.host))
            .map(|p| p.id.clone());
    }
    provider_findings(&label, &providers, &mut findings);

    let security = if domain_exists {
        findings.extend(security_findings);
        Some(security)
    } else {
        None
    };

    DomainReport {
        version: REPORT_VERSION,
        domain: domain.to_owned(),
        display_domain: display_domain.to_owned(),
        verdict: Verdict::from_findings(&findings),
        mx: records,
        null_mx,
        implicit_mx,
        providers,
        security,
        findings,
        dns_server: client.server.map(|s| s.to_string()),
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

/// Resolves every MX target concurrently; keeps the order of `mx`.
async fn resolve_targets(
    client: &DnsClient,
    mx: &[(u16, String)],
) -> Vec<(MxRecord, Option<LookupFailure>)> {
    let mut set = tokio::task::JoinSet::new();
    for (i, (pref, host)) in mx.iter().enumerate() {
        let (pref, host, client) = (*pref, host.clone(), client.clone());
        set.spawn(async move {
            let (_, display) = name_forms(&host);
            let mut rec = MxRecord {
                preference: pref,
                host: host.clone(),
                display_host: if host == "." { ".".into() } else { display },
                addresses: vec![],
                cname: None,
                provider: None,
                problem: None,
            };
            let mut failure = None;
            if host != "." && !is_ip_literal(&host) {
                match client.addresses(&host).await {
                    Ok((addrs, cname)) => {
                        rec.addresses = addrs;
                        rec.cname = cname;
                    }
                    Err(e) => failure = Some(e),
                }
            }
            (i, rec, failure)
        });
    }
    let mut out: Vec<Option<(MxRecord, Option<LookupFailure>)>> = vec![None; mx.len()];
    while let Some(joined) = set.join_next().await {
        if let Ok((i, rec, failure)) = joined {
            out[i] = Some((rec, failure));
        }
    }
    out.into_iter().flatten().collect()
}

/// An MX target written as an address (`192.0.2.1` or `[192.0.2.1]`) instead of a host name.
fn is_ip_literal(host: &str) -> bool {
    let h = host.trim_end_matches('.');
    let h = h
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(h);
    h.parse::<IpAddr>().is_ok()
        || (h.split('.').count() == 4
            && h.split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit())))
}

/// Adds the per-record findings and fills each record's `problem`.
fn mx_findings(
    label: &str,
    resolved: Vec<(MxRecord, Option<LookupFailure>)>,
    findings: &mut Vec<Finding>,
) -> Vec<MxRecord> {
    let real: Vec<&MxRecord> = resolved
        .iter()
        .map(|(r, _)| r)
        .filter(|r| r.host != ".")
        .collect();
    let any_usable = real.iter().any(|r| !r.addresses.is_empty());
    let has_null = resolved.iter().any(|(r, _)| r.host == ".");
    if has_null {
        let text = resolved
            .iter()
            .map(|(r, _)| format!("MX {} {}", r.preference, r.host))
            .collect::<Vec<_>>()
            .join(", ");
        let mixed = !real.is_empty();
        findings.push(
            Finding::new(
                "dns.null_mx",
                Severity::Error,
                if mixed {
                    format!("{label} publishes a null MX ('MX 0 .') next to other MX records")
                } else {
                    format!("{label} accepts no mail (null MX, 'MX 0 .')")
                },
                if mixed {
                    "A null MX (RFC 7505) declares that the domain receives no mail; it must be the only MX record. Mixed with real MX records, senders may bounce mail at once or behave unpredictably."
                } else {
                    "The domain publishes a null MX (RFC 7505): it declares that it receives no mail at all. Every message sent to an address here is bounced at once by the sender's server. That is right for a domain that only sends, wrong for a domain people use."
                },
                if mixed {
                    "Remove the 'MX 0 .' record, or remove the other MX records if the domain really receives no mail."
                } else {
                    "If people should receive mail here, replace the null MX with the mail provider's MX records."
                },
            )
            .with_server_text(text),
        );
    }
    let mut out = Vec::new();
    for (mut rec, failure) in resolved {
        if rec.host == "." {
            out.push(rec);
            continue;
        }
        let host_label = both_forms(&rec.host, &rec.display_host);
        let record_text = format!("MX {} {}", rec.preference, rec.host);
        if is_ip_literal(&rec.host) {
            rec.problem = Some("dns.mx_ip_literal".into());
            findings.push(
                Finding::new(
                    "dns.mx_ip_literal",
                    Severity::Error,
                    format!("An MX record of {label} names an IP address ({})", rec.host),
                    "An MX record must name a host, not an address (RFC 5321 §5.1; RFC 7505). Senders look the text up as a host name, find nothing, and skip or bounce.",
                    "Create a host name (e.g. mail.<domain>) with an A record for that address, and point the MX record at the name.",
                )
                .with_server_text(record_text),
            );
        } else if let Some(f) = failure {
            let severity = if any_usable {
                Severity::Warning
            } else {
                Severity::Error
            };
            let finding = match &f {
                LookupFailure::Timeout | LookupFailure::ServFail(_) => {
                    rec.problem = Some(
                        if f == LookupFailure::Timeout {
                            "dns.timeout"
                        } else {
                            "dns.servfail"
                        }
                        .into(),
                    );
                    failure_finding("the MX host's address", &host_label, &f, severity)
                }
                _ => {
                    rec.problem = Some("dns.mx_target_unresolvable".into());
                    Finding::new(
                        "dns.mx_target_unresolvable",
                        severity,
                        format!("The MX host {host_label} has no address"),
                        if any_usable {
                            "This MX record points at a name with no A or AAAA record. Senders skip it and use the other MX hosts, but if those fail, mail is queued or bounced. Often a leftover of an old mail server or a typo."
                        } else {
                            "The MX record points at a name with no A or AAAA record, and no other MX host works, so senders cannot deliver mail to this domain."
                        },
                        "Fix the MX record to name the mail server exactly as your provider gives it, or add the missing A/AAAA record for it.",
                    )
                    .with_server_text(format!("{record_text}: {}", f.describe()))
                }
            };
            findings.push(finding);
        } else if let Some(cname) = &rec.cname {
            rec.problem = Some("dns.mx_is_cname".into());
            findings.push(
                Finding::new(
                    "dns.mx_is_cname",
                    Severity::Warning,
                    format!("The MX host {host_label} is an alias (CNAME)"),
                    "RFC 2181 §10.3 forbids an MX record to point at an alias. Most senders follow it anyway, but some refuse and bounce with messages like 'domain has no valid mail exchangers'.",
                    format!("Point the MX record directly at the real host name ({cname})."),
                )
                .with_server_text(format!("{record_text}; {} CNAME {cname}", rec.host)),
            );
        }
        out.push(rec);
    }
    out
}

/// Names the provider and warns when MX records point at two different systems.
fn provider_findings(label: &str, providers: &[ProviderMatch], findings: &mut Vec<Finding>) {
    let Some(primary) = providers.first() else {
        return;
    };
    findings.push(
        Finding::new(
            "dns.provider",
            Severity::Info,
            match primary.kind {
                ProviderKind::SelfHosted => format!("Mail for {label} goes to its own (or an unlisted) mail server"),
                _ => format!("Mail for {label} is handled by {}", primary.name),
            },
            match primary.kind {
                ProviderKind::Gateway => "The MX records point at a filtering gateway. It receives the mail first and passes it to the real mail server, which DNS does not show; client settings come from that server.".to_owned(),
                ProviderKind::SelfHosted => "The MX host names match no provider mailplan knows, so this is most likely the organisation's own server (or a smaller hosting company).".to_owned(),
                ProviderKind::Mailbox => format!("Recognised from the MX host names ({}).", primary.mx_hosts.join(", ")),
            },
            primary.notes.first().cloned().unwrap_or_else(|| "No action needed.".into()),
        ),
    );
    if providers.len() < 2 {
        return;
    }
    let same_pref = providers[1].best_preference == primary.best_preference;
    let names: Vec<String> = providers
        .iter()
        .map(|p| {
            format!(
                "{} ({}; preference {})",
                p.name,
                p.mx_hosts.join(", "),
                p.best_preference
            )
        })
        .collect();
    findings.push(
        Finding::new(
            "dns.split_providers",
            Severity::Warning,
            format!("The MX records of {label} point at {} different mail systems", providers.len()),
            if same_pref {
                "Records with the same preference are used at random, so each sender picks one system or the other: some messages land in one system, the rest in the other. Users will miss mail unless both systems pass mail to each other. If this is a migration or a dual-delivery test, delivery should instead go to one system that copies mail to the other."
            } else {
                "Senders use the lowest preference first and the others only when it does not answer. Mail then lands in a different system from time to time. This is usually left over from a migration; for dual delivery (e.g. testing Gmail while staying on Domino), keep the MX on one system and let it forward or journal a copy to the other."
            },
            "Keep the MX records of one system only; set up dual delivery or split delivery in the primary system (routing or forwarding rules), not in DNS.",
        )
        .with_server_text(names.join("; ")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_and_domains() {
        let d = parse_domain_input("Jane.Doe@Example.COM").unwrap();
        assert_eq!(d.domain, "example.com");
        assert_eq!(d.address.as_deref(), Some("Jane.Doe@Example.COM"));
        let d = parse_domain_input("bücher.example").unwrap();
        assert_eq!(d.domain, "xn--bcher-kva.example");
        assert_eq!(d.display_domain, "bücher.example");
        let d = parse_domain_input("xn--bcher-kva.example").unwrap();
        assert_eq!(d.display_domain, "bücher.example");
        for bad in [
            "",
            "@example.com",
            "192.0.2.1",
            "imaps://x.example",
            "a\nb.example",
            "nodot",
        ] {
            assert!(parse_domain_input(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recognises_ip_literals() {
        assert!(is_ip_literal("192.0.2.1"));
        assert!(is_ip_literal("[192.0.2.1]"));
        assert!(is_ip_literal("::1"));
        assert!(!is_ip_literal("mail.example.com"));
        assert!(!is_ip_literal("1.2.3.example"));
    }
}
