//! Scenario files: every built-in validates; broken files give messages with file, line and column;
//! a broken file never stops the others from loading; user files replace built-ins by id.

use mailplan::scenarios::{self, BUILT_IN_FILES, Goal, Source};
use std::collections::BTreeSet;
use std::path::Path;

/// The text of a built-in file.
fn built_in_text(name: &str) -> &'static str {
    BUILT_IN_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// 1-based line number of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn every_built_in_validates() {
    let set = scenarios::built_in();
    assert!(set.errors.is_empty(), "{:#?}", set.errors);
    assert_eq!(set.scenarios.len(), BUILT_IN_FILES.len());
    let ids: BTreeSet<&str> = set
        .scenarios
        .iter()
        .map(|l| l.scenario.id.as_str())
        .collect();
    for id in [
        "hosted-only",
        "dual-delivery-some",
        "dual-delivery-all",
        "consolidated-client",
        "remote-access",
        "stay-onprem",
        "forwarding-rule",
    ] {
        assert!(ids.contains(id), "missing built-in {id}");
    }
    for l in &set.scenarios {
        assert!(matches!(l.source, Source::BuiltIn(_)));
        let s = &l.scenario;
        // One effect per goal, each with a reason.
        for g in Goal::ALL {
            assert_eq!(
                s.goal_effects.iter().filter(|e| e.goal == g).count(),
                1,
                "{} {g:?}",
                s.id
            );
        }
        assert!(!s.checklist.is_empty() && !s.push_back.is_empty() && !s.risks.is_empty());
        assert!(!s.cost_lines.is_empty());
    }
}

#[test]
fn built_in_content_says_what_the_brief_promises() {
    let set = scenarios::built_in();
    let all = |id: &str| {
        let s = set.get(id).unwrap();
        format!("{s:?}").to_lowercase()
    };
    let dual_all = all("dual-delivery-all");
    assert!(
        dual_all.contains("simplifies nothing"),
        "dual delivery for everyone must say it simplifies nothing"
    );
    assert!(dual_all.contains("adds cost"));
    let fwd = all("forwarding-rule");
    assert!(fwd.contains("privacy") && fwd.contains("compliance"));
    assert!(
        set.get("forwarding-rule")
            .unwrap()
            .compliance
            .mail_leaves_control
    );
    let remote = all("remote-access");
    assert!(remote.contains("must stay switched on") || remote.contains("must stay on"));
    let consolidated = all("consolidated-client");
    assert!(consolidated.contains("pop3") && consolidated.contains("imap"));
    assert!(
        consolidated.contains("download"),
        "the POP download-time caveat"
    );
}

#[test]
fn built_ins_reference_plausible_price_book_items() {
    // With a catalogue holding exactly the referenced ids, everything validates; without one of
    // them, the file that uses it fails with the id in the message.
    let mut referenced = BTreeSet::new();
    for l in &scenarios::built_in().scenarios {
        for c in &l.scenario.cost_lines {
            if let Some(item) = &c.default_item {
                referenced.insert(item.clone());
            }
        }
    }
    assert!(referenced.contains("google.workspace.business_plus"));
    for (name, text) in BUILT_IN_FILES {
        assert!(
            scenarios::parse_scenario(name, text, Some(&referenced)).is_ok(),
            "{name}"
        );
    }
    let mut fewer = referenced.clone();
    fewer.remove("teamviewer.remote_access");
    let errs = scenarios::parse_scenario(
        "remote-access.ron",
        built_in_text("remote-access.ron"),
        Some(&fewer),
    )
    .unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].message.contains("\"teamviewer.remote_access\""),
        "{}",
        errs[0]
    );
    assert!(errs[0].message.contains("no price book"), "{}", errs[0]);
    assert_eq!(
        errs[0].line,
        Some(line_of(
            built_in_text("remote-access.ron"),
            "teamviewer.remote_access"
        ))
    );
}

#[test]
fn unknown_field_names_the_field_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let text = built_in_text("stay-onprem.ron").replacen(
        "    scope: Everyone,",
        "    scope: Everyone,\n    colour: \"red\",",
        1,
    );
    let file = write(dir.path(), "mine.ron", &text);
    let set = scenarios::load_dir(dir.path(), None);
    assert!(set.scenarios.is_empty());
    assert_eq!(set.errors.len(), 1);
    let e = &set.errors[0];
    assert_eq!(e.file, file);
    assert_eq!(e.line, Some(line_of(&text, "colour")));
    assert_eq!(e.column, Some(5));
    assert!(e.message.contains("unknown field `colour`"), "{e}");
    assert!(
        e.message.contains("mail_flow"),
        "lists the allowed fields: {e}"
    );
    assert!(
        e.to_string()
            .starts_with(&format!("{file}:{}:5: ", line_of(&text, "colour"))),
        "{e}"
    );
}

#[test]
fn unknown_field_in_a_nested_struct_says_where() {
    let text = built_in_text("stay-onprem.ron").replacen("reasoning:", "reasonning:", 1);
    let errs = scenarios::parse_scenario("x.ron", &text, None).unwrap_err();
    assert!(
        errs[0]
            .message
            .contains("unknown field `reasonning` in client_setup"),
        "{}",
        errs[0]
    );
    assert_eq!(errs[0].line, Some(line_of(&text, "reasonning")));
}

#[test]
fn missing_field_is_named() {
    let original = built_in_text("remote-access.ron");
    let start = original.find("    risks: [").unwrap();
    let end = start + original[start..].find("    ],\n").unwrap() + "    ],\n".len();
    let text = format!("{}{}", &original[..start], &original[end..]);
    let errs = scenarios::parse_scenario("r.ron", &text, None).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].message.contains("missing field `risks`"),
        "{}",
        errs[0]
    );
    assert!(errs[0].message.contains("the scenario"), "{}", errs[0]);
    assert!(errs[0].line.is_some() && errs[0].column.is_some());
}

#[test]
fn bad_syntax_has_a_position_and_a_hint() {
    let text =
        built_in_text("hosted-only.ron").replacen("    scope: Everyone,", "    scope: Everyone", 1);
    let errs = scenarios::parse_scenario("h.ron", &text, None).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(errs[0].message.contains("comma"), "{}", errs[0]);
    // The parser notices at the next field, one line down.
    assert_eq!(errs[0].line, Some(line_of(&text, "scope: Everyone") + 1));

    let unclosed = built_in_text("hosted-only.ron").replacen(
        "name: \"Hosted only\",",
        "name: \"Hosted only,",
        1,
    );
    let errs = scenarios::parse_scenario("h.ron", &unclosed, None).unwrap_err();
    assert!(errs[0].line.is_some(), "{}", errs[0]);
}

#[test]
fn unknown_variant_lists_the_choices() {
    let text = built_in_text("hosted-only.ron").replacen("kind: HostedService", "kind: Hosted", 1);
    let errs = scenarios::parse_scenario("h.ron", &text, None).unwrap_err();
    assert!(
        errs[0].message.contains("`Hosted` is not a valid"),
        "{}",
        errs[0]
    );
    assert!(errs[0].message.contains("HostedService"), "{}", errs[0]);
    assert_eq!(errs[0].line, Some(line_of(&text, "kind: Hosted,")));
}

#[test]
fn duplicate_ids_in_one_folder_name_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let text = built_in_text("stay-onprem.ron").replacen("id: \"stay-onprem\"", "id: \"ours\"", 1);
    let first = write(dir.path(), "a.ron", &text);
    let second = write(dir.path(), "b.ron", &text);
    let set = scenarios::load_dir(dir.path(), None);
    assert_eq!(set.scenarios.len(), 1);
    assert_eq!(set.errors.len(), 1);
    let e = &set.errors[0];
    assert_eq!(e.file, second);
    assert!(e.message.contains("duplicate id \"ours\""), "{e}");
    assert!(e.message.contains(&first), "names the first file: {e}");
    assert_eq!(
        (e.line, e.column),
        (Some(line_of(&text, "id: \"ours\"")), Some(5))
    );
}

#[test]
fn bad_references_are_rejected() {
    // A default_item that is not an item id at all.
    let text = built_in_text("hosted-only.ron").replacen(
        "Some(\"google.workspace.business_plus\")",
        "Some(\"Google Workspace Plus\")",
        1,
    );
    let errs = scenarios::parse_scenario("h.ron", &text, None).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].message.contains("not a price-book item id"),
        "{}",
        errs[0]
    );
    assert_eq!(errs[0].line, Some(line_of(&text, "Google Workspace Plus")));

    // A catalogue without the id: suggests items from the same vendor.
    let catalogue: BTreeSet<String> = [
        "google.workspace.business_standard",
        "bittitan.migrationwiz.mailbox",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let errs =
        scenarios::parse_scenario("h.ron", built_in_text("hosted-only.ron"), Some(&catalogue))
            .unwrap_err();
    assert!(
        errs[0]
            .message
            .contains("google.workspace.business_standard"),
        "{}",
        errs[0]
    );

    // A mail-flow hop that receives from a later hop.
    let text = built_in_text("hosted-only.ron").replacen("from: Some(2)", "from: Some(9)", 1);
    let errs = scenarios::parse_scenario("h.ron", &text, None).unwrap_err();
    assert!(errs[0].message.contains("bad reference"), "{}", errs[0]);
    assert_eq!(errs[0].line, Some(line_of(&text, "from: Some(9)")));
}

#[test]
fn empty_required_text_and_missing_goals_are_reported() {
    let text = built_in_text("stay-onprem.ron")
        .replacen("name: \"Stay on-premises\"", "name: \"  \"", 1)
        .replacen("        (goal: DataResidency, effect: StronglyHelps, why: \"All mail stays on the organisation's own servers.\"),\n", "", 1);
    let errs = scenarios::parse_scenario("s.ron", &text, None).unwrap_err();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].message.contains("`name` is empty"), "{}", errs[0]);
    assert_eq!(errs[0].line, Some(line_of(&text, "name: \"  \"")));
    assert!(
        errs[1].message.contains("no entry for DataResidency"),
        "{}",
        errs[1]
    );
}

#[test]
fn a_broken_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "broken.ron", "(id: \"x\", nonsense");
    let good = built_in_text("remote-access.ron").replacen(
        "id: \"remote-access\"",
        "id: \"remote-desk\"",
        1,
    );
    write(dir.path(), "good.ron", &good);
    write(dir.path(), "notes.txt", "not a scenario, ignored");
    let set = scenarios::load_all(Some(dir.path()), None);
    assert_eq!(set.errors.len(), 1, "{:?}", set.errors);
    assert!(set.errors[0].file.ends_with("broken.ron"));
    assert!(set.get("remote-desk").is_some());
    assert!(set.get("hosted-only").is_some(), "built-ins still load");
}

#[test]
fn user_files_replace_built_ins_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let text = built_in_text("hosted-only.ron").replacen(
        "name: \"Hosted only\"",
        "name: \"Hosted only (our version)\"",
        1,
    );
    write(dir.path(), "hosted.ron", &text);
    let set = scenarios::load_all(Some(dir.path()), None);
    assert!(set.errors.is_empty(), "{:?}", set.errors);
    let n = set
        .scenarios
        .iter()
        .filter(|l| l.scenario.id == "hosted-only")
        .count();
    assert_eq!(n, 1);
    let l = set
        .scenarios
        .iter()
        .find(|l| l.scenario.id == "hosted-only")
        .unwrap();
    assert_eq!(l.scenario.name, "Hosted only (our version)");
    assert!(matches!(l.source, Source::File(_)));
    assert_eq!(l.replaces, Some(Source::BuiltIn("hosted-only.ron")));
    // Order is kept: the replaced scenario stays where the built-in was.
    assert_eq!(set.scenarios[0].scenario.id, "hosted-only");
}

#[test]
fn a_missing_folder_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let set = scenarios::load_dir(&dir.path().join("nope"), None);
    assert!(set.scenarios.is_empty());
    assert_eq!(set.errors.len(), 1);
    assert!(
        set.errors[0]
            .message
            .contains("cannot read the scenario folder")
    );
}

#[test]
fn scenarios_round_trip_through_ron() {
    for l in &scenarios::built_in().scenarios {
        let text = mailplan::files::to_ron(&l.scenario).unwrap();
        let back = scenarios::parse_scenario("rt.ron", &text, None).unwrap();
        assert_eq!(back, l.scenario);
    }
}

#[test]
fn built_ins_reference_items_of_the_shipped_price_books() {
    let (catalogue, errors) = mailplan::costs::books::builtin_catalogue();
    assert!(errors.is_empty(), "{errors:?}");
    let ids = catalogue.ids();
    for (name, text) in BUILT_IN_FILES {
        if let Err(e) = scenarios::parse_scenario(name, text, Some(&ids)) {
            panic!("{name}: {e:?}");
        }
    }
    let views = scenarios::built_in().cost_views();
    assert_eq!(views.len(), BUILT_IN_FILES.len());
    assert!(views.iter().all(|v| !v.cost_lines.is_empty()));
}

/// A named pipe called `*.ron` in a scenario or price folder is named as not a regular file,
/// neither skipped without a word nor waited on (found by a fresh-eyed review).
#[cfg(unix)]
#[test]
fn a_pipe_in_a_data_folder_is_named_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("a.ron");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: skipped");
        return;
    }
    let set = scenarios::load_dir(dir.path(), None);
    assert!(
        set.errors
            .iter()
            .any(|e| e.file.ends_with("a.ron") && e.message.contains("not a regular file")),
        "{:?}",
        set.errors
    );
    let mut catalogue = mailplan::costs::books::Catalogue::default();
    let errors = mailplan::costs::books::load_dir_into(&mut catalogue, dir.path());
    assert!(
        errors
            .iter()
            .any(|e| e.file.ends_with("a.ron") && e.message.contains("not a regular file")),
        "{errors:?}"
    );
}
