//! Reports in every format: golden files (Markdown, JSON), HTML parsed for scripts and
//! external URLs, PDF parsed for key figures and page numbers, CSV formula cells, and
//! passwords that must appear nowhere.
//!
//! Regenerate the golden files with `UPDATE_GOLDEN=1 cargo test --test engine reports_formats::`.
//! Set `REPORTS_DUMP=DIR` to also write every format there for a look by eye.

use mailplan::checks::{CheckOptions, CheckResult, Direction, Login, TranscriptLine};
use mailplan::findings::{Finding, Severity, Verdict};
use mailplan::reports::{
    self, Format, RenderOptions, ReportDoc, ReportInputs, ReportStamp, sample,
};
use mailplan::secret::Secret;
use std::path::PathBuf;

const PASSWORD: &str = "Tr0ub4dor&3 \"q\\uote";
const HOSTILE_BANNER: &str = "<script>alert(1)</script> \u{1b}[31m+OK\u{7}";
const FORMULA: &str = "=HYPERLINK(\"http://x\")";

fn fixed_stamp() -> ReportStamp {
    let moment = chrono::DateTime::parse_from_rfc3339("2024-05-01T14:03:00+02:00").unwrap();
    let mut stamp = ReportStamp::at(moment);
    stamp.mailplan_version = "0.0.0-test".into();
    stamp
}

fn render(inputs: &ReportInputs, format: Format) -> (ReportDoc, Vec<u8>) {
    let doc = reports::build_report(inputs, fixed_stamp());
    let bytes = reports::render(format, &doc, inputs, RenderOptions::default()).unwrap();
    if let Ok(dir) = std::env::var("REPORTS_DUMP") {
        let name = std::thread::current()
            .name()
            .unwrap_or("report")
            .replace("::", "_");
        let path = PathBuf::from(dir).join(format!("{name}.{}", format.extension()));
        std::fs::write(path, &bytes).unwrap();
    }
    (doc, bytes)
}

/// A check whose server said hostile things, run with a login.
fn hostile_check() -> CheckResult {
    let mut r = sample::domino_check();
    r.target = "imap://evil.example:143".into();
    r.banner = Some(HOSTILE_BANNER.into());
    r.capabilities = vec![
        "IMAP4rev1".into(),
        "<img src=http://evil.example/x.png>".into(),
    ];
    r.findings = vec![
        Finding::new(
            "greeting.rejected",
            Severity::Error,
            "The server rejected the connection | *now*",
            "The server said no.",
            "-1 Try later",
        )
        .with_server_text(FORMULA),
        Finding::new(
            "auth.failed",
            Severity::Error,
            "@SUM(A1:A9)",
            "Wrong credentials [link](http://evil.example)",
            "+ check the password",
        )
        .with_server_text(
            "* NO [AUTHENTICATIONFAILED] 日本語 `tick` <b>bold</b>\r\nInjected: line",
        ),
    ];
    r.transcript.push(TranscriptLine {
        at_ms: 60,
        dir: Direction::Server,
        text: "* BYE <iframe src=\"//evil.example\"></iframe> ``` fence".into(),
    });
    r.verdict = Verdict::Fail;
    r
}

fn login_options() -> CheckOptions {
    CheckOptions {
        login: Some(Login {
            user: "jsmith".into(),
            password: Secret::from(PASSWORD),
        }),
        ..CheckOptions::default()
    }
}

fn hostile_inputs() -> ReportInputs {
    let mut inputs = sample::planning().with_checks(&login_options(), vec![hostile_check()]);
    // A hostile scenario name and price source too.
    inputs.scenarios[0].name = "<script>x</script> =cmd|' /C calc'!A0".into();
    if let Some(c) = inputs.costs.as_mut() {
        c.scenarios[0].lines[0].source = "=WEBSERVICE(\"http://evil.example\")".into();
    }
    inputs
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the golden file at line {}:\n  golden: {:?}\n  actual: {:?}\n(run with UPDATE_GOLDEN=1 if the change is intended)",
            name,
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn markdown_matches_golden_file() {
    let (_, md) = render(&sample::full(), Format::Markdown);
    golden("report_full.md", &String::from_utf8(md).unwrap());
}

#[test]
fn json_matches_golden_file() {
    let (_, json) = render(&sample::full(), Format::Json);
    golden("report_full.json", &String::from_utf8(json).unwrap());
}

#[test]
fn helpdesk_only_markdown_matches_golden_file() {
    let inputs =
        ReportInputs::default().with_checks(&login_options(), vec![sample::domino_check()]);
    let (doc, md) = render(&inputs, Format::Markdown);
    assert_eq!(doc.title, "Mail connectivity report");
    let md = String::from_utf8(md).unwrap();
    assert!(
        !md.contains("## Costs"),
        "a helpdesk report has no cost section"
    );
    golden("report_checks_only.md", &md);
}

#[test]
fn json_is_versioned_with_the_same_data() {
    let (_, json) = render(&sample::full(), Format::Json);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["generated"], "2024-05-01T14:03:00+02:00");
    assert_eq!(v["data"]["costs"]["scenarios"][0]["yearly"], 11_200_000);
    assert_eq!(v["data"]["checks"][0]["findings"][0]["code"], "auth.failed");
    assert!(v["document"]["sections"].as_array().unwrap().len() > 3);
}

#[test]
fn planning_only_report_has_no_check_section() {
    let (doc, _) = render(&sample::planning(), Format::Markdown);
    assert!(doc.sections.iter().all(|s| !s.id.starts_with("check")));
    assert!(doc.sections.iter().any(|s| s.id == "costs"));
}

/// The Markdown text outside fenced code blocks and code spans (where nothing is
/// interpreted), following CommonMark's rules for backtick runs.
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|&c| c == '`').collect();
        match &fence {
            Some(f) if ticks.len() >= f.len() && line.trim_end() == ticks => fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => {
                // Drop code spans: a run of N backticks up to the next run of exactly N.
                let chars: Vec<char> = line.chars().collect();
                let mut i = 0;
                while i < chars.len() {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        // An escaped character is literal text: keep a marker only.
                        out.push_str("\\?");
                        i += 2;
                        continue;
                    }
                    if chars[i] == '`' {
                        let n = chars[i..].iter().take_while(|&&c| c == '`').count();
                        let mut j = i + n;
                        let mut closed = None;
                        while j < chars.len() {
                            if chars[j] == '`' {
                                let m = chars[j..].iter().take_while(|&&c| c == '`').count();
                                if m == n {
                                    closed = Some(j + m);
                                    break;
                                }
                                j += m;
                            } else {
                                j += 1;
                            }
                        }
                        if let Some(end) = closed {
                            out.push_str("<code/>");
                            i = end;
                            continue;
                        }
                    }
                    out.push(chars[i]);
                    i += 1;
                }
                out.push('\n');
            }
        }
    }
    assert!(
        fence.is_none(),
        "an unclosed code fence swallows the rest of the report"
    );
    out
}

fn html_text(inputs: &ReportInputs) -> String {
    String::from_utf8(render(inputs, Format::Html).1).unwrap()
}

#[test]
fn html_has_no_script_and_no_external_urls() {
    use scraper::{Html, Selector};
    let html = html_text(&hostile_inputs());
    let page = Html::parse_document(&html);
    let any = |css: &str| page.select(&Selector::parse(css).unwrap()).count();
    assert_eq!(any("script"), 0, "no script element");
    assert_eq!(any("iframe, img, object, embed, link, base"), 0);
    for el in page.select(&Selector::parse("*").unwrap()) {
        for (name, value) in el.value().attrs() {
            let v = value.trim().to_ascii_lowercase();
            assert!(!name.starts_with("on"), "event handler attribute {name}");
            if matches!(
                name,
                "src" | "href" | "action" | "srcset" | "xlink:href" | "poster" | "data"
            ) {
                assert!(
                    !(v.starts_with("http:") || v.starts_with("https:") || v.starts_with("//")),
                    "external URL in {name}={value}"
                );
            }
        }
    }
    // The hostile text is there, shown as text.
    let body_text: String = page.root_element().text().collect();
    assert!(
        body_text.contains("<script>alert(1)</script>"),
        "banner shown literally"
    );
    assert!(body_text.contains(FORMULA));
    assert!(
        !html.contains('\u{1b}') && !html.contains('\u{7}'),
        "control characters stripped"
    );
    // Charts are inline SVG.
    assert!(any("figure svg rect") > 0);
}

#[test]
fn markdown_keeps_hostile_text_inert() {
    let md = String::from_utf8(render(&hostile_inputs(), Format::Markdown).1).unwrap();
    let prose = outside_code(&md);
    let bad: Vec<&str> = prose
        .lines()
        .filter(|l| l.contains("<script>") || l.contains("<img"))
        .collect();
    assert!(bad.is_empty(), "raw HTML tags in Markdown: {bad:?}");
    assert!(!prose.contains("<iframe"), "raw iframe in Markdown");
    assert!(
        md.contains(r"\<script\>x\</script\>"),
        "escaped where not in code"
    );
    assert!(md.contains(r"\[link\](http"), "link syntax escaped");
    assert!(!md.contains("[link]("), "a live link in Markdown");
    assert!(!md.contains('\u{1b}'));
    // The server's words are kept, inside a code span.
    assert!(md.contains("`=HYPERLINK(\"http://x\")`"), "{md}");
    // Table rows keep their column count despite pipes in the text.
    for line in md.lines().filter(|l| l.starts_with("| ")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert!(cells >= 2, "{line}");
    }
    // The transcript fence cannot be closed by server text.
    assert!(
        md.contains("````text"),
        "fence longer than the ``` in the transcript"
    );
}

#[test]
fn csv_neutralises_formula_cells() {
    let (_, bytes) = render(&hostile_inputs(), Format::Csv);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[..]);
    let mut finding_rows = 0;
    let mut in_findings = false;
    for rec in reader.records() {
        let rec = rec.unwrap();
        if rec.get(0) == Some("target") {
            in_findings = true;
            assert_eq!(
                rec.iter().take(7).collect::<Vec<_>>(),
                [
                    "target",
                    "verdict",
                    "code",
                    "severity",
                    "title",
                    "server_text",
                    "fix"
                ]
            );
            continue;
        }
        for cell in rec.iter() {
            let first = cell.trim_start_matches(' ').chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "formula-like cell not neutralised: {cell:?}"
            );
        }
        if in_findings && !rec.iter().all(str::is_empty) {
            finding_rows += 1;
        }
    }
    assert_eq!(finding_rows, 2, "one row per finding");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("'=HYPERLINK"));
    assert!(text.contains("'=WEBSERVICE"));
    assert!(text.contains("'@SUM(A1:A9)"));
    // The cost breakdown is there, amounts as plain numbers.
    assert!(text.contains("Google Apps Premier (2008)"));
    assert!(text.contains("100000.00"));
}

fn pdf_text(bytes: &[u8]) -> (usize, String) {
    let doc = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text can be extracted");
    (pages.len(), text)
}

#[test]
fn pdf_has_key_figures_and_page_numbers() {
    let (_, bytes) = render(&sample::full(), Format::Pdf);
    assert!(bytes.starts_with(b"%PDF-"));
    let (pages, text) = pdf_text(&bytes);
    assert!(pages >= 2, "the full sample spans pages");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "$100,000.00",
        "$112,000.00",
        "$328,527.42",
        "Dual delivery for some users",
        "This site is not enabled on the server",
        "PASS ****",
        &format!("Page 1 of {pages}"),
        &format!("Page {pages} of {pages}"),
    ] {
        assert!(flat.contains(needle), "PDF text lacks {needle:?}");
    }
}

#[test]
fn pdf_replaces_text_it_cannot_encode() {
    let (_, bytes) = render(&hostile_inputs(), Format::Pdf);
    let (_, text) = pdf_text(&bytes);
    assert!(
        text.contains("???"),
        "non-Latin-1 text shown as question marks"
    );
    assert!(
        text.contains("<script>alert(1)</script>"),
        "banner kept as plain text"
    );
}

#[test]
fn pdftotext_reads_the_pdf_when_installed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, render(&sample::full(), Format::Pdf).1).unwrap();
    let out = match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => o,
        _ => {
            eprintln!("pdftotext not installed: skipping this cross-check");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("$386,000.00"), "{text}");
    assert!(text.contains("Page 1 of"));
}

#[test]
fn passwords_appear_in_no_format() {
    // The engine writes **** in transcripts; this also plants the raw password and its
    // SASL PLAIN form, as a buggy engine might, to prove the report redacts them anyway.
    let mut check = hostile_check();
    let plain_blob = "AGpzbWl0aABUcjB1YjRkb3ImMyAicVx1b3Rl"; // base64("\0jsmith\0" + PASSWORD)
    check.transcript.push(TranscriptLine {
        at_ms: 70,
        dir: Direction::Client,
        text: format!("a1 LOGIN jsmith {PASSWORD}"),
    });
    check.transcript.push(TranscriptLine {
        at_ms: 71,
        dir: Direction::Client,
        text: format!("AUTH PLAIN {plain_blob}"),
    });
    check.findings[0].server_text = Some(format!("echo {PASSWORD}"));
    let inputs = sample::planning().with_checks(&login_options(), vec![check]);
    for format in Format::ALL {
        let (_, bytes) = render(&inputs, format);
        let text = match format {
            Format::Pdf => pdf_text(&bytes).1,
            _ => String::from_utf8(bytes.clone()).unwrap(),
        };
        let raw = String::from_utf8_lossy(&bytes);
        for needle in [PASSWORD, "Tr0ub4dor", plain_blob] {
            assert!(!text.contains(needle), "{format:?} shows {needle:?}");
            assert!(!raw.contains(needle), "{format:?} bytes hold {needle:?}");
        }
        // Escaped forms too (HTML entities, Markdown backslashes, JSON quotes).
        assert!(
            !raw.contains("4dor&amp;3") && !raw.contains(r"4dor\&3"),
            "{format:?}"
        );
    }
}

#[test]
fn save_refuses_to_replace_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    reports::save(&path, b"first", false).unwrap();
    let err = reports::save(&path, b"second", false).unwrap_err();
    assert!(matches!(err, reports::SaveError::Exists(_)), "{err}");
    assert!(err.to_string().contains("--force"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
    reports::save(&path, b"third", true).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "third");
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 1, "no temporary files left behind");
}
