//! Reports from the real check engine and the real diagnosis, against in-process fake
//! servers on 127.0.0.1 (nothing leaves the machine):
//! - a login with a known password is really sent (over TLS), and the password — raw,
//!   escaped, or as the Base64 of the SASL PLAIN blob — appears in no report format and
//!   not in the check's own JSON;
//! - a diagnosis saved as `diagnose --json` goes through `mailplan report --checks` and
//!   its findings come out, with hostile server text inert.
//!
//! Run: `cargo test --test engine reports_secrets::`.

use crate::common;
use crate::dns_support;

use common::*;
use dns_support::{FakeDns, Zone};
use mailplan::checks::{CancellationToken, CheckOptions, CheckResult, Login, Target, run_check};
use mailplan::diagnose::{DiagnoseOptions, Diagnosis, diagnose};
use mailplan::findings::Verdict;
use mailplan::reports::{self, Format, RenderOptions, ReportInputs, ReportStamp};
use mailplan::secret::Secret;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const USER: &str = "alice";
const PASSWORD: &str = "pa\"ss\\ wörd-UNIQUE123";

/// Standard Base64 with padding; written here so the test does not trust the code it checks.
fn b64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                ABC[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

fn sasl_plain_blob() -> String {
    b64(format!("\0{USER}\0{PASSWORD}").as_bytes())
}

/// Every form in which the password could leak: raw, its distinctive parts, escaped for
/// JSON, HTML and Markdown, and Base64 (alone, as AUTH LOGIN sends it, and in the SASL
/// PLAIN blob).
fn leak_forms() -> Vec<String> {
    vec![
        PASSWORD.to_owned(),
        "UNIQUE123".to_owned(),
        "wörd".to_owned(),
        "w&ouml;rd".to_owned(),
        "w&#246;rd".to_owned(),
        "w\\u00f6rd".to_owned(),
        "pa\\\"ss".to_owned(),
        "pa&quot;ss".to_owned(),
        "pa&#34;ss".to_owned(),
        "pa\\\\\"ss".to_owned(),
        b64(PASSWORD.as_bytes()),
        sasl_plain_blob(),
    ]
}

#[track_caller]
fn assert_no_leak(what: &str, text: &str) {
    for form in leak_forms() {
        assert!(!text.contains(&form), "{what} holds {form:?}:\n{text}");
    }
}

fn login_options(ca_file: &Path) -> CheckOptions {
    CheckOptions {
        timeout: Duration::from_secs(10),
        ca_file: Some(ca_file.to_path_buf()),
        login: Some(Login {
            user: USER.into(),
            password: Secret::from(PASSWORD),
        }),
        ..CheckOptions::default()
    }
}

async fn check(target: &str, opts: &Arc<CheckOptions>) -> CheckResult {
    let t = Target::parse(target).expect("target");
    run_check(t, opts.clone(), 0, None, CancellationToken::new()).await
}

fn fixed_stamp() -> ReportStamp {
    let moment = chrono::DateTime::parse_from_rfc3339("2024-05-01T14:03:00+02:00").unwrap();
    ReportStamp::at(moment)
}

/// The report as text: PDF text extracted with lopdf; other formats as they are.
fn report_text(format: Format, bytes: &[u8]) -> String {
    match format {
        Format::Pdf => {
            let doc = lopdf::Document::load_mem(bytes).expect("a valid PDF");
            let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
            doc.extract_text(&pages).expect("text can be extracted")
        }
        _ => String::from_utf8(bytes.to_vec()).expect("UTF-8 report"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_login_password_appears_in_no_report_and_no_check_json() {
    let ca = TestCa::new();
    let ca_file = ca.ca_file();

    // IMAP over implicit TLS, SASL PLAIN: the password travels inside the Base64 blob.
    let imap = vec![
        line("* OK [CAPABILITY IMAP4rev1] ready"),
        expect("a1 CAPABILITY"),
        line("* CAPABILITY IMAP4rev1 AUTH=PLAIN"),
        line("a1 OK done"),
        expect("a2 AUTHENTICATE PLAIN"),
        line("+ "),
        Act::Read,
        line("a2 OK Logged in"),
        expect("a3 LOGOUT"),
        line("* BYE"),
        line("a3 OK"),
    ];
    let imap_fake = Fake::start(vec![imap], Some(ca.good()), true).await;

    // POP3 over implicit TLS, USER/PASS: the password travels as it is.
    let pop3 = vec![
        line("+OK POP3 ready"),
        expect("CAPA"),
        line("+OK capability list follows"),
        line("USER"),
        line("UIDL"),
        line("."),
        Act::Expect(format!("USER {USER}")),
        line("+OK send PASS"),
        expect("PASS "),
        line("+OK logged in"),
        expect("QUIT"),
        line("+OK bye"),
    ];
    let pop3_fake = Fake::start(vec![pop3], Some(ca.good()), true).await;

    let opts = Arc::new(login_options(ca_file.path()));
    let imap_result = check(&format!("imaps://127.0.0.1:{}", imap_fake.port), &opts).await;
    let pop3_result = check(&format!("pop3s://127.0.0.1:{}", pop3_fake.port), &opts).await;

    // The logins really happened, over TLS, with the real password.
    for (r, fake) in [(&imap_result, &imap_fake), (&pop3_result, &pop3_fake)] {
        assert_eq!(
            r.verdict,
            Verdict::Ok,
            "{}: {:?}\n{:#?}\n{:?}",
            r.target,
            r.findings,
            r.transcript,
            fake.violations()
        );
        assert!(fake.seen.tls_used.load(std::sync::atomic::Ordering::SeqCst));
        assert!(r.steps.iter().any(|s| s.name == "login" && s.ok), "{r:?}");
    }
    assert!(
        imap_fake.lines().contains(&sasl_plain_blob()),
        "{:?}",
        imap_fake.lines()
    );
    assert!(
        pop3_fake.lines().contains(&format!("PASS {PASSWORD}")),
        "{:?}",
        pop3_fake.lines()
    );

    // The check's own JSON (`check --json`) never holds it.
    for r in [&imap_result, &pop3_result] {
        assert_no_leak("CheckResult JSON", &serde_json::to_string(r).unwrap());
        assert_no_leak(
            "pretty CheckResult JSON",
            &serde_json::to_string_pretty(r).unwrap(),
        );
        assert!(r.transcript.iter().any(|l| l.text.contains("****")));
    }

    // Every report format, built from the results and the options that held the password.
    let inputs = ReportInputs::default().with_checks(&opts, vec![imap_result, pop3_result]);
    let doc = reports::build_report(&inputs, fixed_stamp());
    for format in Format::ALL {
        let bytes = reports::render(format, &doc, &inputs, RenderOptions::default())
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        let text = report_text(format, &bytes);
        if format != Format::Csv {
            assert!(
                text.contains(USER),
                "{format:?} names the login user:\n{text}"
            );
        }
        assert_no_leak(&format!("{format:?} report"), &text);
        assert_no_leak(
            &format!("{format:?} bytes"),
            &String::from_utf8_lossy(&bytes),
        );
    }
    // The serialised inputs (e.g. a GUI's saved state) carry no password either.
    assert_no_leak(
        "ReportInputs JSON",
        &serde_json::to_string(&inputs).unwrap(),
    );
}

/// A server that echoes the password back (a buggy or hostile one): the engine records `****`
/// in its place, and every report format redacts it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_echoing_the_password_is_redacted_in_every_report() {
    let ca = TestCa::new();
    let ca_file = ca.ca_file();
    let pop3 = vec![
        line("+OK POP3 ready"),
        expect("CAPA"),
        line("+OK capability list follows"),
        line("USER"),
        line("."),
        Act::Expect(format!("USER {USER}")),
        line("+OK send PASS"),
        expect("PASS "),
        Act::Line(format!(
            "-ERR [AUTH] bad password {PASSWORD} (was {})",
            sasl_plain_blob()
        )),
        expect("QUIT"),
        line("+OK bye"),
    ];
    let fake = Fake::start(vec![pop3], Some(ca.good()), true).await;
    let opts = Arc::new(login_options(ca_file.path()));
    let r = check(&format!("pop3s://127.0.0.1:{}", fake.port), &opts).await;
    assert!(
        r.findings.iter().any(|f| f.code.starts_with("auth.")),
        "{:?}",
        r.findings
    );
    // The check result itself (what `check --json` prints) never holds the echoed password.
    assert_no_leak("check JSON", &serde_json::to_string(&r).unwrap());
    assert!(
        r.transcript
            .iter()
            .any(|l| l.text.contains("bad password ****")),
        "{:?}",
        r.transcript
    );
    let inputs = ReportInputs::default().with_checks(&opts, vec![r]);
    let doc = reports::build_report(&inputs, fixed_stamp());
    for format in Format::ALL {
        let bytes = reports::render(format, &doc, &inputs, RenderOptions::default()).unwrap();
        let text = report_text(format, &bytes);
        assert!(
            text.contains("bad password"),
            "{format:?}: the server's words stay"
        );
        assert_no_leak(&format!("{format:?} report"), &text);
        assert_no_leak(
            &format!("{format:?} bytes"),
            &String::from_utf8_lossy(&bytes),
        );
    }
}

// ---------- diagnosis → report ----------

const HOSTILE_IMAP: &str = "* OK <script>alert(1)</script> =HYPERLINK(\"http://evil.example\") \u{1b}[31mred\u{1b}[0m ready";
const HOSTILE_SMTP: &str =
    "220 =HYPERLINK(\"http://evil.example\",\"x\") <script>x</script> \u{1b}]0;title\u{7} ESMTP";

/// Runs `mailplan ARGS` in-process (the shared build folder's binary may be another branch's).
fn mailplan(args: &[String]) -> (u8, String) {
    use clap::Parser;
    use mailplan::cli::{Cli, Command};
    let argv: Vec<String> = std::iter::once("mailplan".to_owned())
        .chain(args.iter().cloned())
        .collect();
    match Cli::try_parse_from(&argv) {
        Ok(Cli {
            command: Some(Command::Report(a)),
        }) => {
            let (code, messages) = mailplan::cli::report::execute(&a);
            (code, messages.join("\n"))
        }
        Ok(_) => panic!("not a report command"),
        Err(e) => panic!("{e}"),
    }
}

/// A real diagnosis of `someone@hostile.test`: the fake DNS points IMAP (by SRV) and the MX
/// at fake servers on 127.0.0.1 whose greetings hold markup, formulas and ANSI escapes.
async fn hostile_diagnosis() -> Diagnosis {
    let imap = vec![
        line(HOSTILE_IMAP),
        expect("a1 CAPABILITY"),
        line("* CAPABILITY IMAP4rev1 <b>bold</b>"),
        line("a1 OK done"),
        expect("a2 LOGOUT"),
        line("* BYE"),
        line("a2 OK"),
    ];
    let imap_fake = Fake::plain(imap).await;
    let mut smtp = vec![line(HOSTILE_SMTP), expect("EHLO ")];
    smtp.extend([line("250 mx.hostile.test hello")]);
    smtp.extend(smtp_quit());
    let smtp_fake = Fake::plain(smtp).await;

    let mut z = Zone::new();
    z.mx("hostile.test", 10, "mx.hostile.test")
        .a("mx.hostile.test", "127.0.0.1")
        .srv(
            "_imap._tcp.hostile.test",
            0,
            1,
            imap_fake.port,
            "imap.hostile.test",
        )
        .a("imap.hostile.test", "127.0.0.1");
    let dns = FakeDns::start(z).await;
    let opts = DiagnoseOptions {
        check: CheckOptions {
            timeout: Duration::from_secs(5),
            dns: Some(dns.addr),
            ..CheckOptions::default()
        },
        dns_timeout: Duration::from_millis(800),
        no_guess: true,
        mx_port: smtp_fake.port,
        ..DiagnoseOptions::default()
    };
    let d = diagnose(
        "someone@hostile.test",
        &opts,
        None,
        CancellationToken::new(),
    )
    .await
    .expect("diagnosis");
    // The fakes were really reached: their hostile words are in the results.
    let banners: Vec<&str> = d
        .endpoints
        .iter()
        .filter_map(|e| e.result.banner.as_deref())
        .collect();
    assert!(
        banners.iter().any(|b| b.contains("<script>alert(1)")),
        "{banners:?}\n{:#?}",
        d.endpoints
    );
    assert!(
        banners.iter().any(|b| b.contains("=HYPERLINK(")),
        "{banners:?}"
    );
    assert!(!d.findings.is_empty(), "a diagnosis with findings");
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diagnosis_reports_its_findings_with_hostile_text_inert() {
    let d = hostile_diagnosis().await;
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("diagnosis.json");
    std::fs::write(&results, serde_json::to_string_pretty(&d).unwrap()).unwrap();

    let mut outputs = Vec::new();
    for fmt in ["html", "md", "csv"] {
        let out = dir.path().join(format!("report.{fmt}"));
        let (code, messages) = mailplan(&[
            "report".into(),
            "--checks".into(),
            results.display().to_string(),
            "--format".into(),
            fmt.into(),
            "--out".into(),
            out.display().to_string(),
        ]);
        assert_eq!(code, 0, "{fmt}: {messages}");
        outputs.push((fmt, std::fs::read_to_string(&out).unwrap()));
    }

    // Domain-wide findings and the endpoint findings, by title, in every format.
    let mut titles: Vec<&str> = d.findings.iter().map(|f| f.title.as_str()).collect();
    titles.extend(
        d.endpoints
            .iter()
            .flat_map(|e| e.result.findings.iter().map(|f| f.title.as_str())),
    );
    for (fmt, text) in &outputs {
        // No ANSI escape, BEL or other control character survives anywhere.
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t'),
            "{fmt} holds a control character"
        );
        if *fmt == "csv" {
            continue;
        }
        for t in &titles {
            // Titles are plain words; Markdown may escape a few punctuation marks.
            let head: String = t
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == ' ')
                .collect();
            assert!(text.contains(head.trim()), "{fmt} lacks finding {t:?}");
        }
        assert!(text.contains("hostile.test"), "{fmt} names the domain");
    }

    let html = &outputs[0].1;
    let page = scraper::Html::parse_document(html);
    let scripts = scraper::Selector::parse("script, iframe, object, embed").unwrap();
    assert_eq!(page.select(&scripts).count(), 0, "no active element");
    let bold = scraper::Selector::parse("b").unwrap();
    assert_eq!(page.select(&bold).count(), 0, "server markup is not markup");
    assert!(!html.contains("<script"), "no raw script tag");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the banner is shown as text"
    );
    // The whole text of the page still shows the server's words, inert.
    let all_text: String = page.root_element().text().collect();
    assert!(all_text.contains("<script>alert(1)</script>"));
    assert!(all_text.contains("=HYPERLINK("));

    let md = &outputs[1].1;
    // Outside fenced code blocks (transcripts, shown literally) no raw tag survives;
    // inside them, no server line can close the fence early.
    let mut in_fence = false;
    for l in md.lines() {
        if l.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            assert!(!l.trim_start().starts_with("```"), "fence broken by {l:?}");
        } else {
            // Every `<` is backslash-escaped, so no HTML tag can start.
            let raw_lt = l
                .char_indices()
                .any(|(i, c)| c == '<' && !l[..i].ends_with('\\'));
            assert!(!raw_lt, "raw tag in Markdown: {l:?}");
        }
    }
    assert!(!in_fence, "every fence is closed");
    assert!(
        md.contains(r"\<script\>alert(1)\</script\>"),
        "the banner is escaped, not dropped"
    );

    // CSV: no cell starts a formula.
    let csv = &outputs[2].1;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let mut rows = 0;
    for record in reader.records() {
        rows += 1;
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "formula cell {cell:?}"
            );
        }
    }
    assert!(rows > 1, "one row per finding:\n{csv}");
}
