//! `mailplan diagnose`: MX, provider, settings discovery and checks of every endpoint.

use super::mx::{render_dns, render_finding};
use super::{EXIT_FAILED, EXIT_OK, run_headless, usage_error};
use crate::checks::{CancellationToken, Progress};
use crate::diagnose::{ClientGoal, DiagnoseOptions, DiagnoseProgress, Diagnosis, diagnose};
use crate::findings::Verdict;
use crate::sanitize::strip_controls;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// An address (user@example.com) or a domain (example.com).
    #[arg(value_name = "ADDRESS-OR-DOMAIN")]
    pub input: String,
    /// Print JSON ({"version":1, ...}) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The DNS server is asked for the diagnosis's look-ups too.
    #[command(flatten)]
    pub connection: super::check::ConnectionArgs,
    /// Do not guess host names (imap., mail., ...) when SRV records and the provider table give none.
    #[arg(long)]
    pub no_guess: bool,
    /// Recommend POP3 (download to one computer) instead of IMAP (keep mail on the server).
    #[arg(long)]
    pub prefer_pop3: bool,
}

pub fn run(args: Args) -> u8 {
    let check = match args.connection.check_options() {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let opts = DiagnoseOptions {
        check,
        no_guess: args.no_guess,
        goal: if args.prefer_pop3 {
            ClientGoal::Download
        } else {
            ClientGoal::Sync
        },
        ..DiagnoseOptions::default()
    };
    let json = args.json;
    let outcome = run_headless(async {
        let cancel = CancellationToken::new();
        let c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                c.cancel();
            }
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let printer = tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                if !json {
                    print_progress(&p);
                }
            }
        });
        let d = diagnose(&args.input, &opts, Some(tx), cancel).await;
        let _ = printer.await;
        d
    });
    let d = match outcome {
        Ok(d) => d,
        Err(e) => return usage_error(&e),
    };
    if json {
        match super::json_text(&d) {
            Ok(s) => outln!("{s}"),
            Err(e) => {
                eprintln!("mailplan: cannot write JSON: {e}");
                return EXIT_FAILED;
            }
        }
    } else {
        out!("{}", render_diagnosis(&d));
    }
    if d.verdict == Verdict::Fail || d.cancelled {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn print_progress(p: &DiagnoseProgress) {
    match p {
        DiagnoseProgress::Stage(s) => eprintln!("... {s}"),
        DiagnoseProgress::Candidates(c) => eprintln!("... checking {} endpoints at once", c.len()),
        DiagnoseProgress::Check(Progress::Finished { result, .. }) => eprintln!(
            "    {}: {} ({} ms)",
            strip_controls(&result.target),
            result.verdict.label(),
            result.elapsed_ms
        ),
        _ => {}
    }
}

/// The text form of a diagnosis. All server and DNS text goes through `strip_controls`.
pub fn render_diagnosis(d: &Diagnosis) -> String {
    let mut out = String::new();
    if let Some(a) = &d.address {
        out.push_str(&format!("Address: {}\n", strip_controls(a)));
    }
    if let Some(r) = &d.dns {
        out.push_str(&render_dns(r));
    }
    out.push_str("\nSettings discovery:\n");
    for s in &d.discovery.srv {
        if s.not_offered {
            out.push_str(&format!(
                "  {}: not offered (SRV target '.')\n",
                strip_controls(&s.name)
            ));
        } else if let Some(e) = &s.error {
            out.push_str(&format!(
                "  {}: {}\n",
                strip_controls(&s.name),
                strip_controls(e)
            ));
        }
    }
    if d.endpoints.is_empty() {
        out.push_str("  no endpoints found\n");
    }
    for e in &d.endpoints {
        out.push_str(&format!(
            "  {:<5} {:<45} {:<5} from {}: {}\n",
            e.result.verdict.label(),
            strip_controls(&e.candidate.target.to_string()),
            format!("{:?}", e.candidate.role).to_lowercase(),
            e.candidate.source.label(),
            strip_controls(&e.candidate.origin)
        ));
    }
    if d.insecure {
        out.push_str("  (certificate checks were OFF: --insecure)\n");
    }
    let s = &d.summary;
    out.push_str("\nWhat a mail client should use:\n");
    match &s.incoming {
        Some(r) => out.push_str(&format!("  Incoming: {}\n", strip_controls(&r.describe()))),
        None => out.push_str("  Incoming: nothing works from here\n"),
    }
    for r in &s.incoming_alternatives {
        out.push_str(&format!(
            "    also works: {}\n",
            strip_controls(&r.describe())
        ));
    }
    match &s.outgoing {
        Some(r) => out.push_str(&format!("  Outgoing: {}\n", strip_controls(&r.describe()))),
        None => out.push_str("  Outgoing: nothing works from here\n"),
    }
    if !s.imap_or_pop.is_empty() {
        out.push_str(&format!("  IMAP or POP3: {}\n", s.imap_or_pop));
    }
    if !s.problems.is_empty() {
        out.push_str("\nWhat is broken:\n");
        for p in &s.problems {
            if let Some(ep) = &p.endpoint {
                out.push_str(&format!("  at {}:\n", strip_controls(ep)));
            }
            out.push_str(&render_finding(&p.finding, "  "));
        }
    }
    // Info findings and notes not already shown with the provider above.
    let shown: Vec<&String> = d
        .dns
        .iter()
        .flat_map(|r| r.providers.iter().flat_map(|p| p.notes.iter()))
        .collect();
    let infos: Vec<&crate::findings::Finding> = d
        .findings
        .iter()
        .filter(|f| f.severity == crate::findings::Severity::Info && f.code != "dns.provider")
        .collect();
    let notes: Vec<&String> = s.notes.iter().filter(|n| !shown.contains(n)).collect();
    if !infos.is_empty() || !notes.is_empty() {
        out.push_str("\nNotes:\n");
        for f in infos {
            out.push_str(&format!(
                "  - {}: {}\n",
                strip_controls(&f.title),
                strip_controls(&f.fix)
            ));
        }
        for n in notes {
            out.push_str(&format!("  - {n}\n"));
        }
    }
    if d.cancelled {
        out.push_str("\nCancelled: the results above are incomplete.\n");
    }
    out.push_str(&format!(
        "\nClient settings: {}   Overall: {}   ({} ms)\n",
        s.verdict.label(),
        d.verdict.label(),
        d.elapsed_ms
    ));
    out
}
