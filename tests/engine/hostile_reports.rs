//! The hostile banners of `hostile_servers.rs`, taken through real checks, then through every
//! report format: no control characters, no live HTML, no spreadsheet formulas, no password.
//! Run: `cargo test --test engine hostile_reports::`.

use crate::common;

use common::*;
use mailplan::checks::{CancellationToken, CheckOptions, CheckResult, Login, Target, run_check};
use mailplan::reports::{self, Format, RenderOptions, ReportInputs, ReportStamp};
use mailplan::secret::Secret;
use std::sync::Arc;
use std::time::Duration;

const PASSWORD: &str = "Echo-Me-Pa55";

/// Banners a hostile server could send (each followed by a working dialogue or a refusal).
const BANNERS: [&[u8]; 5] = [
    b"220 \x1b]0;owned\x07\x1b[2Jmx \x1b[31mESMTP\x1b[0m",
    b"220 <script>alert(1)</script><img src=http://evil.test/x> ESMTP",
    b"220 =HYPERLINK(\"http://evil.test\",\"click\") ESMTP",
    b"220 mx\x00\xff\xfe ESMTP | pipe ` tick ``` fence [link](http://evil.test)",
    b"554 @SUM(1+1)*cmd|' /C calc'!A0 go away",
];

async fn hostile_results() -> Vec<CheckResult> {
    let mut out = Vec::new();
    for banner in BANNERS {
        let mut line_bytes = banner.to_vec();
        line_bytes.extend_from_slice(b"\r\n");
        let mut s = vec![Act::Raw(line_bytes), expect("EHLO")];
        s.push(Act::Line(format!(
            "250-mx <b>{PASSWORD}</b>\r\n250 AUTH PLAIN"
        )));
        s.extend(smtp_quit());
        let fake = Fake::plain(s).await;
        let t = Target::parse(&format!("smtp://127.0.0.1:{}", fake.port)).expect("target");
        let r = run_check(t, Arc::new(options()), 0, None, CancellationToken::new()).await;
        out.push(r);
    }
    out
}

fn options() -> CheckOptions {
    CheckOptions {
        timeout: Duration::from_secs(3),
        login: Some(Login {
            user: "alice".into(),
            password: Secret::from(PASSWORD),
        }),
        ..CheckOptions::default()
    }
}

#[tokio::test]
async fn hostile_banners_stay_inert_in_every_format() {
    let results = hostile_results().await;
    assert!(results.iter().any(|r| r.banner.is_some()));
    let inputs = ReportInputs::default().with_checks(&options(), results);
    let stamp = ReportStamp::at(
        chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+00:00").expect("date"),
    );
    let doc = reports::build_report(&inputs, stamp);
    for format in [
        Format::Html,
        Format::Markdown,
        Format::Json,
        Format::Csv,
        Format::Pdf,
    ] {
        let bytes =
            reports::render(format, &doc, &inputs, RenderOptions::default()).expect("render");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(PASSWORD), "{format:?} holds the password");
        if format == Format::Pdf {
            continue;
        }
        for c in text.chars() {
            assert!(
                c == '\n' || c == '\r' || c == '\t' || !c.is_control(),
                "{format:?}: control character {c:?}"
            );
        }
        match format {
            Format::Html => {
                let lower = text.to_ascii_lowercase();
                assert!(!lower.contains("<script"), "live script in HTML");
                assert!(!lower.contains("<img"), "live img in HTML");
                assert!(!lower.contains("<b>"), "live markup in HTML");
            }
            Format::Markdown => {
                // Outside fenced blocks (the transcript), nothing may be live.
                let mut fenced = false;
                let mut live = false;
                for l in text.lines() {
                    if l.trim_start().starts_with("```") {
                        fenced = !fenced;
                        continue;
                    }
                    if !fenced {
                        live |= l.contains("<script>")
                            || l.replace("\\]", "").contains("](http://evil.test)");
                    }
                }
                assert!(!live, "live HTML or link in Markdown:\n{text}");
            }
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(&bytes[..]);
                for rec in reader.records() {
                    let rec = rec.expect("csv record");
                    for cell in rec.iter() {
                        assert!(
                            !cell.starts_with(['=', '+', '-', '@']) || cell.parse::<f64>().is_ok(),
                            "formula cell {cell:?}"
                        );
                    }
                }
            }
            Format::Json => {
                let _: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            }
            Format::Pdf => {}
        }
    }
}
