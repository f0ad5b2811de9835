//! `mailplan report` from the command line: inputs, formats, and not replacing files
//! unless asked.

use mailplan::reports::sample;
use std::path::Path;

/// Runs `mailplan ARGS` in-process from `dir` (the shared build folder's binary may belong
/// to another branch, so the command is parsed and executed here).
fn mailplan(args: &[&str], dir: &Path) -> (i32, String) {
    use clap::Parser;
    use mailplan::cli::{Cli, Command};
    let mut argv = vec!["mailplan".to_owned()];
    for a in args {
        // Relative paths are resolved against `dir`, as a shell started there would.
        let p = dir.join(a);
        let is_path = a.ends_with(".json") || a.ends_with(".ron") || a.starts_with("r.");
        argv.push(if is_path {
            p.display().to_string()
        } else {
            (*a).to_owned()
        });
    }
    match Cli::try_parse_from(&argv) {
        Ok(Cli {
            command: Some(Command::Report(a)),
        }) => {
            let (code, messages) = mailplan::cli::report::execute(&a);
            (i32::from(code), messages.join("\n"))
        }
        Ok(_) => panic!("not a report command"),
        Err(e) => (2, e.to_string()),
    }
}

fn write_results(dir: &Path) {
    let json = serde_json::json!({ "version": 1, "results": [sample::domino_check()] });
    std::fs::write(
        dir.join("results.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
}

#[test]
fn writes_every_format_from_check_results() {
    let dir = tempfile::tempdir().unwrap();
    write_results(dir.path());
    for fmt in ["pdf", "html", "md", "json", "csv"] {
        let out = format!("r.{fmt}");
        let (code, err) = mailplan(
            &[
                "report",
                "--checks",
                "results.json",
                "--format",
                fmt,
                "--out",
                &out,
            ],
            dir.path(),
        );
        assert_eq!(code, 0, "{fmt}: {err}");
        let bytes = std::fs::read(dir.path().join(&out)).unwrap();
        assert!(!bytes.is_empty(), "{fmt}");
    }
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.contains("This site is not enabled on the server"));
    assert!(md.starts_with("# Mail connectivity report"));
}

#[test]
fn format_comes_from_the_extension_when_not_given() {
    let dir = tempfile::tempdir().unwrap();
    write_results(dir.path());
    let (code, err) = mailplan(
        &["report", "--checks", "results.json", "--out", "r.html"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(dir.path().join("r.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    let (code, err) = mailplan(
        &["report", "--checks", "results.json", "--out", "r.txt"],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--format"), "{err}");
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    write_results(dir.path());
    std::fs::write(dir.path().join("r.md"), "keep me").unwrap();
    let (code, err) = mailplan(
        &["report", "--checks", "results.json", "--out", "r.md"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.md")).unwrap(),
        "keep me"
    );
    let (code, err) = mailplan(
        &[
            "report",
            "--checks",
            "results.json",
            "--out",
            "r.md",
            "--force",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(dir.path().join("r.md"))
            .unwrap()
            .contains("pop3\\://")
    );
}

#[test]
fn needs_a_plan_or_results() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = mailplan(&["report", "--format", "md", "--out", "r.md"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("--plan") && err.contains("--checks"), "{err}");
}

#[test]
fn bad_results_file_names_the_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        "{\n  \"version\": 1,\n  \"results\": [ oops ]\n}",
    )
    .unwrap();
    let (code, err) = mailplan(
        &["report", "--checks", "bad.json", "--out", "r.md"],
        dir.path(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("bad.json:3:"), "{err}");
    assert!(
        !dir.path().join("r.md").exists(),
        "no report from bad input"
    );

    std::fs::write(
        dir.path().join("new.json"),
        r#"{"version": 9, "results": []}"#,
    )
    .unwrap();
    let (code, err) = mailplan(
        &["report", "--checks", "new.json", "--out", "r.md"],
        dir.path(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("newer"), "{err}");
}

#[test]
fn plan_file_gives_a_planning_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plan.ron"),
        "(version: 1, name: \"Pilot <b>2024</b>\")",
    )
    .unwrap();
    let (code, err) = mailplan(
        &["report", "--plan", "plan.ron", "--out", "r.md"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.starts_with("# Mail plan report"), "{md}");
    assert!(md.contains(r"Pilot \<b\>2024\</b\>"), "{md}");
}

#[test]
fn the_classic_example_plan_reports_its_key_figures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = root.join("scenarios/examples/classic.ron");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("classic.md");
    let (code, err) = mailplan(
        &[
            "report",
            "--plan",
            plan.to_str().unwrap(),
            "--today",
            "2026-01-01",
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(&out).unwrap();
    // 2,000 moving seats × $50 per user per year on the 2008 book.
    assert!(md.contains("$100,000.00"), "{md}");
    assert!(md.contains("## Recommendation") && md.contains("## Costs"));
    assert!(
        md.contains("Google Apps Premier"),
        "line breakdown names the item"
    );
}
