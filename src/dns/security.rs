//! Mail-security records: SPF, DMARC, MTA-STS and TLS-RPT. Presence and obvious faults only.

use super::{DnsClient, LookupFailure};
use crate::findings::{Finding, Severity};
use serde::{Deserialize, Serialize};

/// What one kind of security record looks like for a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordState {
    /// Exactly one well-formed record.
    Present,
    /// No record.
    Missing,
    /// A record with an obvious fault (see the findings).
    Faulty,
    /// The look-up failed; nothing is known.
    Unknown,
}

/// One security record kind and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityRecord {
    /// The name looked up, e.g. `_dmarc.example.com`.
    pub name: String,
    pub state: RecordState,
    /// The matching TXT records, verbatim (untrusted text).
    pub records: Vec<String>,
    /// A short reading, e.g. `-all` for SPF or `p=reject` for DMARC.
    #[serde(default)]
    pub summary: Option<String>,
}

/// SPF, DMARC, MTA-STS and TLS-RPT for one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityRecords {
    pub spf: SecurityRecord,
    pub dmarc: SecurityRecord,
    pub mta_sts: SecurityRecord,
    pub tls_rpt: SecurityRecord,
}

/// Looks up all four record kinds concurrently and reads them.
pub async fn lookup_security(client: &DnsClient, domain: &str) -> (SecurityRecords, Vec<Finding>) {
    let dmarc_name = format!("_dmarc.{domain}");
    let sts_name = format!("_mta-sts.{domain}");
    let rpt_name = format!("_smtp._tls.{domain}");
    let (spf, dmarc, sts, rpt) = tokio::join!(
        client.txt(domain),
        client.txt(&dmarc_name),
        client.txt(&sts_name),
        client.txt(&rpt_name)
    );
    read_security(domain, spf, dmarc, sts, rpt)
}

/// Reads already looked-up TXT answers (pure: no I/O).
pub fn read_security(
    domain: &str,
    spf: Result<Vec<String>, LookupFailure>,
    dmarc: Result<Vec<String>, LookupFailure>,
    sts: Result<Vec<String>, LookupFailure>,
    rpt: Result<Vec<String>, LookupFailure>,
) -> (SecurityRecords, Vec<Finding>) {
    let mut findings = Vec::new();
    let spf = read_spf(domain, spf, &mut findings);
    let dmarc = read_dmarc(&format!("_dmarc.{domain}"), dmarc, &mut findings);
    let mta_sts = read_simple(
        &format!("_mta-sts.{domain}"),
        sts,
        "v=STSv1",
        &mut findings,
        SimpleKind::MtaSts,
    );
    let tls_rpt = read_simple(
        &format!("_smtp._tls.{domain}"),
        rpt,
        "v=TLSRPTv1",
        &mut findings,
        SimpleKind::TlsRpt,
    );
    (
        SecurityRecords {
            spf,
            dmarc,
            mta_sts,
            tls_rpt,
        },
        findings,
    )
}

/// Whether a TXT record starts with `tag` (e.g. `v=spf1`), case-insensitively, followed by the
/// end, a space or `;`. Compares bytes: the record comes off the network and may hold multi-byte
/// characters where the tag would end, so slicing the `str` there would panic.
fn starts_with_tag(text: &str, tag: &str) -> bool {
    let t = text.trim_start().as_bytes();
    let tag = tag.as_bytes();
    t.len() >= tag.len()
        && t[..tag.len()].eq_ignore_ascii_case(tag)
        && t.get(tag.len()).is_none_or(|&c| c == b' ' || c == b';')
}

fn lookup_failed(
    name: &str,
    what: &str,
    e: &LookupFailure,
    findings: &mut Vec<Finding>,
) -> SecurityRecord {
    let (code, title) = match e {
        LookupFailure::Timeout => (
            "dns.timeout",
            format!("No answer when looking up the {what} record ({name})"),
        ),
        _ => (
            "dns.servfail",
            format!("The {what} record look-up failed ({name})"),
        ),
    };
    findings.push(
        Finding::new(
            code,
            Severity::Warning,
            title,
            "The DNS server did not give a usable answer, so mailplan cannot tell whether this record exists. Receiving servers that hit the same failure may treat the record as missing or retry later.",
            "Try again, or query the domain's own name servers (dig TXT NAME @ns). If it keeps failing, the domain's DNS hosting needs fixing.",
        )
        .with_server_text(e.describe()),
    );
    SecurityRecord {
        name: name.to_owned(),
        state: RecordState::Unknown,
        records: vec![],
        summary: None,
    }
}

/// The TXT records at `name` that start with `tag`, in a record marked present (the caller
/// decides what their number means), or the finished record when the look-up itself failed.
fn tagged_txt(
    name: &str,
    what: &str,
    tag: &str,
    answer: Result<Vec<String>, LookupFailure>,
    findings: &mut Vec<Finding>,
) -> Result<(SecurityRecord, Vec<String>), SecurityRecord> {
    let txt = match answer {
        Ok(t) => t,
        Err(e) if e.is_negative() => vec![],
        Err(e) => return Err(lookup_failed(name, what, &e, findings)),
    };
    let records: Vec<String> = txt
        .into_iter()
        .filter(|t| starts_with_tag(t, tag))
        .collect();
    let rec = SecurityRecord {
        name: name.to_owned(),
        state: RecordState::Present,
        records: records.clone(),
        summary: None,
    };
    Ok((rec, records))
}

fn read_spf(
    domain: &str,
    answer: Result<Vec<String>, LookupFailure>,
    findings: &mut Vec<Finding>,
) -> SecurityRecord {
    let (mut rec, records) = match tagged_txt(domain, "SPF", "v=spf1", answer, findings) {
        Ok(found) => found,
        Err(failed) => return failed,
    };
    match records.len() {
        0 => {
            rec.state = RecordState::Missing;
            findings.push(Finding::new(
                "dns.spf_missing",
                Severity::Warning,
                "No SPF record",
                "SPF (a TXT record starting 'v=spf1') lists the servers allowed to send mail for the domain. Without it, receivers cannot check senders, and Gmail, Microsoft and Yahoo put such mail in spam or reject it.",
                "Publish one TXT record at the domain, e.g. 'v=spf1 include:<your provider's SPF domain> -all' (your provider's help names the include).",
            ));
        }
        1 => {
            let text = &records[0];
            let all = text
                .split_whitespace()
                .find(|term| {
                    let t = term.trim_start_matches(['+', '-', '~', '?']);
                    t.eq_ignore_ascii_case("all")
                })
                .map(str::to_owned);
            let redirect = text
                .split_whitespace()
                .any(|t| t.to_ascii_lowercase().starts_with("redirect="));
            rec.summary = all.clone().or(redirect.then(|| "redirect".to_owned()));
            match all.as_deref().map(|a| a.chars().next().unwrap_or('+')) {
                Some('-') | Some('~') => {}
                Some('?') => {
                    rec.state = RecordState::Faulty;
                    findings.push(
                        Finding::new(
                            "dns.spf_neutral_all",
                            Severity::Warning,
                            "SPF ends in '?all': it protects nothing",
                            "'?all' tells receivers to treat mail from any other server as neutral, so forged mail from this domain is not marked.",
                            "End the record with '~all' (soft fail) while testing, then '-all' once every sending service is listed.",
                        )
                        .with_server_text(text.clone()),
                    );
                }
                Some(_) => {
                    rec.state = RecordState::Faulty;
                    findings.push(
                        Finding::new(
                            "dns.spf_pass_all",
                            Severity::Error,
                            "SPF allows every server in the world ('+all')",
                            "'all' without a qualifier, or '+all', means any server may send as this domain: SPF then helps spammers instead of stopping them, and some receivers treat the record as hostile.",
                            "Replace 'all'/'+all' with '~all' or '-all' after listing the real sending services.",
                        )
                        .with_server_text(text.clone()),
                    );
                }
                None if !redirect => {
                    findings.push(
                        Finding::new(
                            "dns.spf_no_all",
                            Severity::Info,
                            "SPF has no 'all' at the end",
                            "Without an 'all' term (or a redirect), mail from servers not listed gets a neutral result, so forgeries are not flagged.",
                            "Add '~all' or '-all' at the end of the record.",
                        )
                        .with_server_text(text.clone()),
                    );
                }
                None => {}
            }
        }
        _ => {
            rec.state = RecordState::Faulty;
            findings.push(
                Finding::new(
                    "dns.spf_multiple",
                    Severity::Error,
                    format!("{} SPF records: receivers treat this as an error", records.len()),
                    "RFC 7208 allows exactly one 'v=spf1' record. With two or more, every SPF check ends in 'permerror' and receivers may reject or junk the domain's mail. This often happens when a second provider's setup guide says 'add this TXT record'.",
                    "Merge them into one record: one 'v=spf1', all the include: and ip4:/ip6: terms, and one '-all' or '~all' at the end.",
                )
                .with_server_text(records.join(" | ")),
            );
        }
    }
    rec
}

fn read_dmarc(
    name: &str,
    answer: Result<Vec<String>, LookupFailure>,
    findings: &mut Vec<Finding>,
) -> SecurityRecord {
    let (mut rec, records) = match tagged_txt(name, "DMARC", "v=DMARC1", answer, findings) {
        Ok(found) => found,
        Err(failed) => return failed,
    };
    match records.len() {
        0 => {
            rec.state = RecordState::Missing;
            findings.push(Finding::new(
                "dns.dmarc_missing",
                Severity::Warning,
                "No DMARC record",
                "DMARC (a TXT record at _dmarc.<domain>) tells receivers what to do with mail that fails SPF and DKIM, and where to send reports. Gmail and Yahoo require it from bulk senders; without it forged mail from the domain is judged case by case.",
                "Publish 'v=DMARC1; p=none; rua=mailto:dmarc-reports@<domain>' at _dmarc.<domain>, read the reports, then move to p=quarantine or p=reject.",
            ));
        }
        1 => {
            let text = &records[0];
            let policy = text.split(';').map(str::trim).find_map(|tag| {
                let (k, v) = tag.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("p")
                    .then(|| v.trim().to_ascii_lowercase())
            });
            match policy.as_deref() {
                Some("reject") | Some("quarantine") => {
                    rec.summary = Some(format!("p={}", policy.unwrap_or_default()))
                }
                Some("none") => {
                    rec.summary = Some("p=none".into());
                    findings.push(
                        Finding::new(
                            "dns.dmarc_none",
                            Severity::Info,
                            "DMARC is in monitoring mode (p=none)",
                            "p=none asks receivers only to report; mail that fails SPF and DKIM is still delivered.",
                            "Once the reports show all legitimate mail passing, change to p=quarantine and then p=reject.",
                        )
                        .with_server_text(text.clone()),
                    );
                }
                _ => {
                    rec.state = RecordState::Faulty;
                    findings.push(
                        Finding::new(
                            "dns.dmarc_invalid",
                            Severity::Error,
                            "The DMARC record has no valid policy (p=none, quarantine or reject)",
                            "A DMARC record must carry a 'p=' tag right after 'v=DMARC1'. Without a valid one receivers ignore the whole record.",
                            "Write the record as 'v=DMARC1; p=none; rua=mailto:...' (or quarantine/reject).",
                        )
                        .with_server_text(text.clone()),
                    );
                }
            }
        }
        _ => {
            rec.state = RecordState::Faulty;
            findings.push(
                Finding::new(
                    "dns.dmarc_multiple",
                    Severity::Error,
                    format!("{} DMARC records: receivers ignore them all", records.len()),
                    "RFC 7489 says that when more than one DMARC record is found, none is used.",
                    "Keep exactly one 'v=DMARC1' TXT record at _dmarc.<domain>.",
                )
                .with_server_text(records.join(" | ")),
            );
        }
    }
    rec
}

#[derive(Clone, Copy)]
enum SimpleKind {
    MtaSts,
    TlsRpt,
}

fn read_simple(
    name: &str,
    answer: Result<Vec<String>, LookupFailure>,
    tag: &str,
    findings: &mut Vec<Finding>,
    kind: SimpleKind,
) -> SecurityRecord {
    let what = match kind {
        SimpleKind::MtaSts => "MTA-STS",
        SimpleKind::TlsRpt => "TLS-RPT",
    };
    let (mut rec, records) = match tagged_txt(name, what, tag, answer, findings) {
        Ok(found) => found,
        Err(failed) => return failed,
    };
    let needed = match kind {
        SimpleKind::MtaSts => "id=",
        SimpleKind::TlsRpt => "rua=",
    };
    if records.is_empty() {
        rec.state = RecordState::Missing;
        let (code, title, explanation, fix) = match kind {
            SimpleKind::MtaSts => (
                "dns.mta_sts_missing",
                "No MTA-STS record",
                "MTA-STS (a TXT record at _mta-sts.<domain> plus a policy file on https://mta-sts.<domain>) tells sending servers to insist on TLS when delivering here. Without it, delivery can be downgraded to plain text by an attacker on the path. This is optional hardening.",
                "Publish a policy file and 'v=STSv1; id=<date>' at _mta-sts.<domain>; your mail provider's help usually has the exact steps.",
            ),
            SimpleKind::TlsRpt => (
                "dns.tlsrpt_missing",
                "No TLS-RPT record",
                "TLS-RPT (a TXT record at _smtp._tls.<domain>) asks sending servers to report TLS delivery failures. Without it you will not hear about such failures. This is optional.",
                "Publish 'v=TLSRPTv1; rua=mailto:tls-reports@<domain>' at _smtp._tls.<domain>.",
            ),
        };
        findings.push(Finding::new(code, Severity::Info, title, explanation, fix));
    } else if records.len() > 1 || !records[0].to_ascii_lowercase().contains(needed) {
        rec.state = RecordState::Faulty;
        let (code, explanation) = match kind {
            SimpleKind::MtaSts => (
                "dns.mta_sts_invalid",
                "There must be exactly one 'v=STSv1' record and it needs an 'id=' value that changes whenever the policy changes; otherwise senders ignore MTA-STS.",
            ),
            SimpleKind::TlsRpt => (
                "dns.tlsrpt_invalid",
                "There must be exactly one 'v=TLSRPTv1' record with a 'rua=' address (mailto: or https:) for the reports; otherwise senders send none.",
            ),
        };
        findings.push(
            Finding::new(
                code,
                Severity::Warning,
                format!("The {what} record is malformed"),
                explanation,
                format!("Keep one record of the form '{tag}; {needed}...'."),
            )
            .with_server_text(records.join(" | ")),
        );
    }
    rec
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: &[&str]) -> Result<Vec<String>, LookupFailure> {
        Ok(v.iter().map(|s| s.to_string()).collect())
    }

    fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn multi_byte_text_where_the_tag_would_end_is_no_panic() {
        // "v=sp" then U+FFFD (what a stray 0xff byte becomes): byte 6 is inside that character.
        for hostile in [
            "v=sp\u{fffd}f1 -all",
            "v=DMAR\u{e9}1",
            "\u{fffd}",
            "v=STSv1\u{fffd}",
            "",
        ] {
            let (_, f) = read_security(
                "example.com",
                ok(&[hostile]),
                ok(&[hostile]),
                ok(&[hostile]),
                ok(&[hostile]),
            );
            assert!(codes(&f).iter().all(|c| !c.is_empty()));
        }
        assert!(starts_with_tag("V=SPF1 -all", "v=spf1"));
        assert!(starts_with_tag("v=DMARC1;p=none", "v=DMARC1"));
        assert!(!starts_with_tag("v=spf10", "v=spf1"));
        assert!(!starts_with_tag("v=spf1\u{e9}", "v=spf1"));
    }

    #[test]
    fn good_records_give_no_problems() {
        let (r, f) = read_security(
            "example.com",
            ok(&[
                "google-site-verification=x",
                "v=spf1 include:_spf.google.com -all",
            ]),
            ok(&["v=DMARC1; p=reject; rua=mailto:d@example.com"]),
            ok(&["v=STSv1; id=20240101"]),
            ok(&["v=TLSRPTv1; rua=mailto:t@example.com"]),
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(r.spf.summary.as_deref(), Some("-all"));
        assert_eq!(r.dmarc.summary.as_deref(), Some("p=reject"));
        assert_eq!(r.mta_sts.state, RecordState::Present);
    }

    #[test]
    fn faults_are_named() {
        let (_, f) = read_security(
            "example.com",
            ok(&["v=spf1 a -all", "v=spf1 mx ~all"]),
            ok(&["v=DMARC1; rua=mailto:x@example.com"]),
            Err(LookupFailure::NoRecords),
            ok(&["v=TLSRPTv1;"]),
        );
        assert_eq!(
            codes(&f),
            [
                "dns.spf_multiple",
                "dns.dmarc_invalid",
                "dns.mta_sts_missing",
                "dns.tlsrpt_invalid"
            ]
        );
        let (_, f) = read_security(
            "example.com",
            ok(&["v=spf1 +all"]),
            ok(&["v=DMARC1; p=none"]),
            Err(LookupFailure::Timeout),
            Err(LookupFailure::NxDomain),
        );
        assert_eq!(
            codes(&f),
            [
                "dns.spf_pass_all",
                "dns.dmarc_none",
                "dns.timeout",
                "dns.tlsrpt_missing"
            ]
        );
        let (_, f) = read_security(
            "example.com",
            ok(&["v=spf1 mx"]),
            Err(LookupFailure::NxDomain),
            Err(LookupFailure::NxDomain),
            Err(LookupFailure::NxDomain),
        );
        assert_eq!(f[0].code, "dns.spf_no_all");
        assert_eq!(f[1].code, "dns.dmarc_missing");
        assert!(!starts_with_tag("v=spf10", "v=spf1"));
    }
}
