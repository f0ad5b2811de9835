//! `mailplan estimate` end to end on the shipped classic plan.

use clap::Parser;
use mailplan::cli::{Cli, Command};

// In-process: the shared build folder's `mailplan` binary may belong to another branch's build.

/// A complete scenario file: the built-in hosted-only scenario with another id, name and cost lines.
fn scenario_file(id: &str, name: &str, cost_lines: &str) -> String {
    let mut s = mailplan::scenarios::built_in()
        .get("hosted-only")
        .expect("built-in hosted-only")
        .clone();
    s.id = id.to_owned();
    s.name = name.to_owned();
    s.cost_lines = ron::from_str(cost_lines).expect("cost lines");
    mailplan::files::to_ron(&s).expect("serialise")
}

fn scenario_fixtures() -> Vec<(&'static str, String)> {
    vec![
        (
            "dual.ron",
            scenario_file(
                "dual-delivery-some",
                "Dual delivery for some users",
                r#"[(role: HostedSubscription, seats: Moving, default_item: Some("google.workspace.business_plus"))]"#,
            ),
        ),
        (
            "stay.ron",
            scenario_file(
                "stay-onprem",
                "Stay on-premises",
                r#"[(role: OnPremLicences, seats: All, default_item: Some("hcl.domino.ccb"))]"#,
            ),
        ),
    ]
}

fn run(args: &[&str]) -> (i32, String, String) {
    let cli = Cli::try_parse_from(std::iter::once("mailplan").chain(args.iter().copied())).unwrap();
    let Some(Command::Estimate(a)) = cli.command else {
        panic!("not an estimate command")
    };
    let o = mailplan::cli::estimate::execute(&a);
    (o.code as i32, o.stdout, o.stderr)
}

#[test]
fn estimate_classic_plan_in_all_formats() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in scenario_fixtures() {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let plan = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/examples/classic.ron"
    );
    let sdir = dir.path().to_str().unwrap();
    let (code, out, err) = run(&[
        "estimate",
        "--plan",
        plan,
        "--scenarios",
        sdir,
        "--today",
        "2026-12-03",
    ]);
    assert_eq!(code, 0, "{err}");
    // The plan picks the 2008 book for dual delivery: 2,000 × $50.
    assert!(out.contains("$100,000.00"), "{out}");
    assert!(out.contains("$248,685.20"), "{out}");
    assert!(out.contains("no total: a price is missing"), "{out}");
    assert!(out.contains("historical price"), "{out}");

    let (code, out, _) = run(&[
        "estimate",
        "--plan",
        plan,
        "--scenarios",
        sdir,
        "--json",
        "--today",
        "2026-12-03",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["cheapest"], "dual-delivery-some");
    let dual = v["scenarios"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == "dual-delivery-some"))
        .expect("dual-delivery-some in the estimate");
    assert_eq!(dual["totals"]["run_rate"], "100000.00");

    let (code, out, _) = run(&[
        "estimate",
        "--plan",
        plan,
        "--scenarios",
        sdir,
        "--csv",
        "--today",
        "2026-12-03",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("record,scenario_id"), "{out}");

    // A price override folder replaces the 2008 item by id.
    let pdir = tempfile::tempdir().unwrap();
    std::fs::write(
        pdir.path().join("mine.ron"),
        r#"PriceBook(id: "mine", name: "Mine", currency: "USD", items: [
            PriceItem(id: "google.apps.premier", product: "Google Apps", price: Price("40.00"),
                unit: PerUserPerYear, source: "our quote", as_of: "2026-11-01", confidence: High)])"#,
    )
    .unwrap();
    std::fs::write(pdir.path().join("broken.ron"), "PriceBook(").unwrap();
    let (code, out, err) = run(&[
        "estimate",
        "--plan",
        plan,
        "--scenarios",
        sdir,
        "--prices",
        pdir.path().to_str().unwrap(),
        "--today",
        "2026-12-03",
    ]);
    assert_eq!(code, 1, "broken price file is reported: {err}");
    assert!(err.contains("broken.ron:1:"), "{err}");
    assert!(out.contains("$80,000.00"), "{out}");
}

#[test]
fn bad_plan_files_exit_non_zero_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.ron");
    std::fs::write(&path, "Plan(version: 99)").unwrap();
    let (code, _, err) = run(&["estimate", "--plan", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("newer mailplan"), "{err}");
    let (code, _, err) = run(&["estimate", "--plan", "/nonexistent/plan.ron"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot open"), "{err}");
    // A wrong value names its field as well as its position.
    std::fs::write(&path, "Plan(\n  organisation: (seats_total: \"many\"),\n)").unwrap();
    let (code, _, err) = run(&["estimate", "--plan", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("bad.ron:2:") && err.contains("`seats_total`"),
        "{err}"
    );
}

/// A misspelt field in a hand-edited plan is named on stderr; the estimate still runs.
#[test]
fn unknown_plan_fields_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.ron");
    std::fs::write(
        &path,
        "Plan(\n  organisation: (seats_total: 40, seats_movng: 40),\n  goalz: (),\n)",
    )
    .unwrap();
    let (code, out, err) = run(&["estimate", "--plan", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("40 seats"), "{out}");
    assert!(
        err.contains("warning:")
            && err.contains("`organisation.seats_movng`")
            && err.contains("`goalz`"),
        "{err}"
    );
}

#[test]
fn file_text_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("evil.ron"),
        scenario_file(
            "evil",
            "Evil\u{1b}[2J\u{1b}]0;title\u{7} name",
            r#"[(role: HostedSubscription, seats: All, default_item: Some("google.apps.premier"),
                note: "note\u{1b}[31m red")]"#,
        ),
    )
    .unwrap();
    let plan = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/examples/classic.ron"
    );
    let (code, out, err) = run(&[
        "estimate",
        "--plan",
        plan,
        "--scenarios",
        dir.path().to_str().unwrap(),
        "--today",
        "2026-12-03",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Evil"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    // 5,800 × $50.00 on the 2008 book.
    assert!(out.contains("$290,000.00"), "{out}");
}
