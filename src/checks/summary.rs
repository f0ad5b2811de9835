//! Plain-text rendering of a [`CheckResult`], for the CLI and the GUI's "Copy summary".
//! All server-supplied text goes through [`strip_controls`].

use super::{CheckResult, Direction};
use crate::findings::{Severity, Verdict};
use crate::sanitize::strip_controls;
use std::fmt::Write;

fn verdict_line(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "OK",
        Verdict::Warn => "WARN",
        Verdict::Fail => "FAIL",
    }
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// One block of text for one result. `transcript` adds every line of the dialogue.
pub fn render(r: &CheckResult, transcript: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}  {}",
        verdict_line(r.verdict),
        strip_controls(&r.target)
    );
    let mode = r.tls_mode_description();
    let _ = writeln!(
        o,
        "  mode: {mode}; took {:.1} s",
        r.elapsed_ms as f64 / 1000.0
    );
    if r.insecure {
        let _ = writeln!(o, "  INSECURE: certificate checks were off (--insecure)");
    }
    if let Some(b) = &r.banner {
        for line in b.lines() {
            let _ = writeln!(o, "  banner: {}", strip_controls(line));
        }
    }
    if r.findings.is_empty() {
        let _ = writeln!(o, "  no problems found");
    }
    for f in &r.findings {
        let _ = writeln!(
            o,
            "  [{}] {} ({})",
            severity_label(f.severity),
            strip_controls(&f.title),
            f.code
        );
        if let Some(t) = &f.server_text {
            for line in t.lines() {
                let label = f.evidence_label().to_lowercase();
                let _ = writeln!(o, "      {label}: {}", strip_controls(line));
            }
        }
        let _ = writeln!(o, "      why: {}", strip_controls(&f.explanation));
        let _ = writeln!(o, "      fix: {}", strip_controls(&f.fix));
    }
    if !r.capabilities.is_empty() {
        let caps: Vec<String> = r.capabilities.iter().map(|c| strip_controls(c)).collect();
        let _ = writeln!(o, "  capabilities: {}", caps.join(", "));
    }
    if !r.auth_mechanisms.is_empty() {
        let m: Vec<String> = r
            .auth_mechanisms
            .iter()
            .map(|c| strip_controls(c))
            .collect();
        let _ = writeln!(o, "  login methods: {}", m.join(", "));
    }
    if let Some(t) = &r.tls {
        let _ = writeln!(
            o,
            "  TLS: {}{}",
            t.version.as_deref().unwrap_or("version not reported"),
            if t.verified {
                ", certificate verified"
            } else {
                ", certificate NOT verified"
            }
        );
        if let Some(c) = &t.certificate {
            let _ = writeln!(o, "  certificate: {}", strip_controls(&c.subject));
            if !c.sans.is_empty() {
                let sans: Vec<String> = c.sans.iter().map(|s| strip_controls(s)).collect();
                let _ = writeln!(o, "    names: {}", sans.join(", "));
            }
            let _ = writeln!(o, "    issuer: {}", strip_controls(&c.issuer));
            let _ = writeln!(o, "    valid: {} to {}", c.not_before, c.not_after);
            if c.self_signed {
                let _ = writeln!(o, "    self-signed");
            }
        }
    }
    if !r.addresses.is_empty() {
        let _ = writeln!(o, "  addresses:");
        for a in &r.addresses {
            let _ = writeln!(
                o,
                "    {} {} ({} ms)",
                a.address,
                if a.ok {
                    "ok"
                } else {
                    a.code.as_deref().unwrap_or("failed")
                },
                a.ms
            );
        }
    }
    if let Some(m) = &r.latest_message {
        let _ = writeln!(o, "  newest message:");
        let show = |v: &Option<String>| {
            v.as_deref()
                .map(strip_controls)
                .unwrap_or_else(|| "(none)".into())
        };
        let _ = writeln!(o, "    Date: {}", show(&m.date_header));
        let _ = writeln!(o, "    newest Received: {}", show(&m.newest_received));
        let _ = writeln!(o, "    Subject: {}", show(&m.subject));
    }
    let steps: Vec<String> = r
        .steps
        .iter()
        .map(|s| {
            format!(
                "{} {} ms{}",
                s.name,
                s.ms,
                if s.ok { "" } else { " (failed)" }
            )
        })
        .collect();
    if !steps.is_empty() {
        let _ = writeln!(o, "  steps: {}", steps.join(", "));
    }
    if transcript {
        let _ = writeln!(o, "  transcript:");
        for l in &r.transcript {
            let arrow = match l.dir {
                Direction::Client => "C:",
                Direction::Server => "S:",
                Direction::Note => "  --",
            };
            let _ = writeln!(
                o,
                "    {:>6} ms {arrow} {}",
                l.at_ms,
                strip_controls(&l.text)
            );
        }
    }
    o
}

/// All results, one block each, with a closing count line.
pub fn render_all(results: &[CheckResult], transcript: bool) -> String {
    let mut o = String::new();
    for r in results {
        o.push_str(&render(r, transcript));
        o.push('\n');
    }
    let failed = results
        .iter()
        .filter(|r| r.verdict == Verdict::Fail)
        .count();
    let warned = results
        .iter()
        .filter(|r| r.verdict == Verdict::Warn)
        .count();
    let _ = writeln!(
        o,
        "{} checked: {} ok, {} warn, {} fail",
        results.len(),
        results.len() - failed - warned,
        warned,
        failed
    );
    o
}
