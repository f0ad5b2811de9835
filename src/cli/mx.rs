//! `mailplan mx`: a domain's MX records, provider and mail-security records.

use super::{EXIT_FAILED, EXIT_OK, run_headless, usage_error};
use crate::dns::mx::{DomainReport, analyse_domain, both_forms, parse_domain_input};
use crate::dns::providers::ProviderTable;
use crate::dns::security::{RecordState, SecurityRecord};
use crate::dns::{DEFAULT_LOOKUP_TIMEOUT, DnsClient, parse_server};
use crate::findings::{Finding, Severity, Verdict};
use crate::sanitize::strip_controls;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The domain (or an address; the part after '@' is used). Unicode names are converted to punycode.
    pub domain: String,
    /// Print JSON ({"version":1, ...}) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Ask this DNS server (IP:PORT) instead of the system's.
    #[arg(long, value_name = "IP:PORT")]
    pub dns: Option<String>,
}

pub fn run(args: Args) -> u8 {
    let input = match parse_domain_input(&args.domain) {
        Ok(i) => i,
        Err(e) => return usage_error(&e),
    };
    let server = match args.dns.as_deref().map(parse_server).transpose() {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    let report = run_headless(async {
        let client = DnsClient::new(server, DEFAULT_LOOKUP_TIMEOUT)?;
        Ok::<_, String>(
            analyse_domain(
                &client,
                ProviderTable::builtin(),
                &input.domain,
                &input.display_domain,
            )
            .await,
        )
    });
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mailplan: {e}");
            return EXIT_FAILED;
        }
    };
    if args.json {
        match super::json_text(&report) {
            Ok(s) => outln!("{s}"),
            Err(e) => {
                eprintln!("mailplan: cannot write JSON: {e}");
                return EXIT_FAILED;
            }
        }
    } else {
        out!("{}", render_report(&report));
    }
    if report.verdict == Verdict::Fail {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// The text form of a domain report. All DNS text goes through `strip_controls`.
pub fn render_report(r: &DomainReport) -> String {
    let mut out = render_dns(r);
    out.push_str(&render_findings(&r.findings));
    out.push_str(&format!("Verdict: {}\n", r.verdict.label()));
    out
}

/// The records, providers and security records of a domain report, without findings.
pub fn render_dns(r: &DomainReport) -> String {
    let s = strip_controls;
    let mut out = String::new();
    out.push_str(&format!("Domain: {}\n", s(&r.domain_label())));
    if let Some(d) = &r.dns_server {
        out.push_str(&format!("DNS server: {d}\n"));
    }
    if r.null_mx {
        out.push_str("MX: null MX (MX 0 .): the domain accepts no mail\n");
    } else if let Some(addrs) = &r.implicit_mx {
        let a: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
        out.push_str(&format!(
            "MX: none; implicit MX to the domain's own address {}\n",
            a.join(", ")
        ));
    } else if !r.mx.is_empty() {
        out.push_str("MX records (by preference):\n");
        for m in &r.mx {
            let addrs: Vec<String> = m.addresses.iter().map(|a| a.to_string()).collect();
            let mut line = format!(
                "  {:>5}  {}  {}",
                m.preference,
                s(&both_forms(&m.host, &m.display_host)),
                if addrs.is_empty() {
                    "(no address)".to_owned()
                } else {
                    addrs.join(", ")
                }
            );
            if let Some(c) = &m.cname {
                line.push_str(&format!("  [CNAME -> {}]", s(c)));
            }
            if let Some(p) = &m.provider {
                line.push_str(&format!("  [{p}]"));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    if !r.providers.is_empty() {
        out.push_str("Provider:\n");
        for p in &r.providers {
            out.push_str(&format!(
                "  {} (MX preference {}: {})\n",
                p.name,
                p.best_preference,
                s(&p.mx_hosts.join(", "))
            ));
            for n in &p.notes {
                out.push_str(&format!("    - {n}\n"));
            }
        }
    }
    if let Some(sec) = &r.security {
        out.push_str("Mail-security records:\n");
        for (label, rec) in [
            ("SPF", &sec.spf),
            ("DMARC", &sec.dmarc),
            ("MTA-STS", &sec.mta_sts),
            ("TLS-RPT", &sec.tls_rpt),
        ] {
            out.push_str(&format!("  {label:<8} {}\n", record_line(rec)));
        }
    }
    out
}

fn record_line(rec: &SecurityRecord) -> String {
    let state = match rec.state {
        RecordState::Present => "present",
        RecordState::Missing => "missing",
        RecordState::Faulty => "faulty",
        RecordState::Unknown => "unknown (look-up failed)",
    };
    let mut line = state.to_owned();
    if let Some(sum) = &rec.summary {
        line.push_str(&format!(" ({})", strip_controls(sum)));
    }
    for t in &rec.records {
        line.push_str(&format!("\n           \"{}\"", strip_controls(t)));
    }
    line
}

/// Findings as text, worst first; server text is sanitised.
pub fn render_findings(findings: &[Finding]) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut out = String::new();
    if sorted.is_empty() {
        return out;
    }
    out.push_str("Findings:\n");
    for f in sorted {
        out.push_str(&render_finding(f, "  "));
    }
    out
}

/// One finding as indented text.
pub fn render_finding(f: &Finding, indent: &str) -> String {
    let sev = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let mut out = format!("{indent}[{sev}] {}: {}\n", f.code, strip_controls(&f.title));
    if let Some(t) = &f.server_text {
        out.push_str(&format!(
            "{indent}    {}: {}\n",
            f.evidence_label().to_lowercase(),
            strip_controls(t)
        ));
    }
    out.push_str(&format!(
        "{indent}    why: {}\n",
        strip_controls(&f.explanation)
    ));
    out.push_str(&format!("{indent}    fix: {}\n", strip_controls(&f.fix)));
    out
}

#[cfg(test)]
mod tests {
    use crate::findings::{Finding, Severity};

    #[test]
    fn dns_words_are_introduced_as_a_dns_answer_not_as_a_server() {
        let dns = Finding::new("dns.mx_is_cname", Severity::Warning, "t", "why", "fix")
            .with_server_text("10 mail.example.com CNAME other.example.com");
        let text = super::render_finding(&dns, "");
        assert!(
            text.contains("    dns answer: 10 mail.example.com"),
            "{text}"
        );
        assert!(!text.contains("server said"), "{text}");
        let server = Finding::new("greeting.rejected", Severity::Error, "t", "why", "fix")
            .with_server_text("554 go away");
        let text = super::render_finding(&server, "");
        assert!(text.contains("    server said: 554 go away"), "{text}");
    }
}
