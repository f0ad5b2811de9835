//! Reading scenario files: parsing with positions, checking content, layering built-ins and user files.

use super::{Goal, Scenario};
use crate::files::{FileError, read_text};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The built-in scenario files, embedded in the binary: (file name, text).
pub const BUILT_IN_FILES: [(&str, &str); 7] = [
    (
        "hosted-only.ron",
        include_str!("../../scenarios/hosted-only.ron"),
    ),
    (
        "dual-delivery-some.ron",
        include_str!("../../scenarios/dual-delivery-some.ron"),
    ),
    (
        "dual-delivery-all.ron",
        include_str!("../../scenarios/dual-delivery-all.ron"),
    ),
    (
        "consolidated-client.ron",
        include_str!("../../scenarios/consolidated-client.ron"),
    ),
    (
        "remote-access.ron",
        include_str!("../../scenarios/remote-access.ron"),
    ),
    (
        "stay-onprem.ron",
        include_str!("../../scenarios/stay-onprem.ron"),
    ),
    (
        "forwarding-rule.ron",
        include_str!("../../scenarios/forwarding-rule.ron"),
    ),
];

/// Where a scenario came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Embedded in the binary; the file name under `scenarios/`.
    BuiltIn(&'static str),
    /// A file on disk.
    File(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::BuiltIn(name) => write!(f, "built-in:{name}"),
            Source::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A scenario with the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedScenario {
    pub scenario: Scenario,
    pub source: Source,
    /// The source of the scenario this one replaced (same id), if any.
    pub replaces: Option<Source>,
}

/// The scenarios that loaded, plus the problems with files that did not.
///
/// A broken file never stops loading: it is left out and its problems are listed in `errors`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioSet {
    pub scenarios: Vec<LoadedScenario>,
    pub errors: Vec<FileError>,
}

impl ScenarioSet {
    /// The scenario with this id.
    pub fn get(&self, id: &str) -> Option<&Scenario> {
        self.scenarios
            .iter()
            .find(|l| l.scenario.id == id)
            .map(|l| &l.scenario)
    }

    /// The scenarios alone, in order (for the advisor).
    pub fn list(&self) -> Vec<Scenario> {
        self.scenarios.iter().map(|l| l.scenario.clone()).collect()
    }

    /// Every scenario as the cost model sees it (for `costs::estimate`).
    pub fn cost_views(&self) -> Vec<crate::costs::ScenarioCosts> {
        self.scenarios
            .iter()
            .map(|l| l.scenario.cost_view())
            .collect()
    }

    /// Adds a later layer: scenarios with an id already present replace the earlier one in place;
    /// new ids are appended. Errors are kept.
    pub fn overlay(&mut self, layer: ScenarioSet) {
        for mut loaded in layer.scenarios {
            match self
                .scenarios
                .iter_mut()
                .find(|l| l.scenario.id == loaded.scenario.id)
            {
                Some(existing) => {
                    loaded.replaces = Some(existing.source.clone());
                    *existing = loaded;
                }
                None => self.scenarios.push(loaded),
            }
        }
        self.errors.extend(layer.errors);
    }
}

/// The built-in scenarios. They are checked by the tests, so `errors` is empty in a release.
pub fn built_in() -> ScenarioSet {
    let mut set = ScenarioSet::default();
    let mut first_file: BTreeMap<String, String> = BTreeMap::new();
    for (name, text) in BUILT_IN_FILES {
        let file = format!("built-in:{name}");
        match parse_scenario(&file, text, None) {
            Ok(scenario) => {
                if let Some(e) = duplicate_error(&mut first_file, &scenario, &file, text) {
                    set.errors.push(e);
                    continue;
                }
                set.scenarios.push(LoadedScenario {
                    scenario,
                    source: Source::BuiltIn(name),
                    replaces: None,
                });
            }
            Err(errors) => set.errors.extend(errors),
        }
    }
    set
}

/// The user's scenario folder: `scenarios/` in the platform config directory for "mailplan".
pub fn user_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "mailplan").map(|d| d.config_dir().join("scenarios"))
}

/// Built-ins, then the user's folder (if it exists), then `extra_dir` (e.g. `--scenarios DIR`),
/// each replacing earlier scenarios with the same id.
///
/// `catalogue` is the set of price-book item ids; when given, every `default_item` must be in it.
pub fn load_all(extra_dir: Option<&Path>, catalogue: Option<&BTreeSet<String>>) -> ScenarioSet {
    let mut set = built_in();
    if let Some(dir) = user_dir()
        && dir.is_dir()
    {
        set.overlay(load_dir(&dir, catalogue));
    }
    if let Some(dir) = extra_dir {
        set.overlay(load_dir(dir, catalogue));
    }
    set
}

/// Loads every `*.ron` file directly in `dir` (not sub-folders), in file-name order.
/// Two files with the same id in one folder: the first wins and the second is reported.
pub fn load_dir(dir: &Path, catalogue: Option<&BTreeSet<String>>) -> ScenarioSet {
    let mut set = ScenarioSet::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            set.errors.push(FileError::new(
                dir.display().to_string(),
                format!("cannot read the scenario folder: {e}"),
            ));
            return set;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        // Not only regular files: a pipe or device named *.ron is reported by read_text, not
        // skipped without a word.
        .filter(|p| !p.is_dir() && p.extension().is_some_and(|x| x == "ron"))
        .collect();
    paths.sort();
    let mut first_file: BTreeMap<String, String> = BTreeMap::new();
    for path in paths {
        let file = path.display().to_string();
        let text = match read_text(&path) {
            Ok(t) => t,
            Err(e) => {
                set.errors.push(e);
                continue;
            }
        };
        match parse_scenario(&file, &text, catalogue) {
            Ok(scenario) => {
                if let Some(e) = duplicate_error(&mut first_file, &scenario, &file, &text) {
                    set.errors.push(e);
                    continue;
                }
                set.scenarios.push(LoadedScenario {
                    scenario,
                    source: Source::File(path),
                    replaces: None,
                });
            }
            Err(errors) => set.errors.extend(errors),
        }
    }
    set
}

fn duplicate_error(
    first_file: &mut BTreeMap<String, String>,
    scenario: &Scenario,
    file: &str,
    text: &str,
) -> Option<FileError> {
    if let Some(first) = first_file.get(&scenario.id) {
        let (line, column) = locate_field(text, "id").unzip();
        return Some(FileError {
            file: file.to_owned(),
            line,
            column,
            message: format!(
                "duplicate id \"{}\": {} already uses it. Give this scenario another id, or delete one of the two files",
                scenario.id, first
            ),
        });
    }
    first_file.insert(scenario.id.clone(), file.to_owned());
    None
}

/// Parses and checks one scenario file. `file` names it in messages.
/// Returns every problem found (syntax problems stop at the first one).
pub fn parse_scenario(
    file: &str,
    text: &str,
    catalogue: Option<&BTreeSet<String>>,
) -> Result<Scenario, Vec<FileError>> {
    let scenario: Scenario = ron::Options::default()
        .from_str(text)
        .map_err(|e| vec![syntax_error(file, &e)])?;
    let problems = check(&scenario, text, catalogue);
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(problems
            .into_iter()
            .map(|(pos, message)| {
                let (line, column) = pos.unzip();
                FileError {
                    file: file.to_owned(),
                    line,
                    column,
                    message,
                }
            })
            .collect())
    }
}

/// Turns a RON error into a message a person can act on.
fn syntax_error(file: &str, e: &ron::error::SpannedError) -> FileError {
    use ron::error::Error as E;
    let message = match &e.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => format!(
            "unknown field `{found}`{}. Check the spelling; the fields allowed here are: {}",
            outer
                .as_deref()
                .map(|o| format!(" in {}", friendly_type(o)))
                .unwrap_or_default(),
            expected.join(", ")
        ),
        E::MissingStructField { field, outer } => format!(
            "missing field `{field}`{}. Add `{field}: ...` before the closing bracket (use [] for an empty list)",
            outer
                .as_deref()
                .map(|o| format!(" in {}", friendly_type(o)))
                .unwrap_or_default()
        ),
        E::DuplicateStructField { field, outer } => format!(
            "the field `{field}` appears twice{}; keep one",
            outer
                .as_deref()
                .map(|o| format!(" in {}", friendly_type(o)))
                .unwrap_or_default()
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => format!(
            "`{found}` is not a valid {}; use one of: {}",
            outer
                .as_deref()
                .map(friendly_type)
                .unwrap_or_else(|| "choice".to_owned()),
            expected.join(", ")
        ),
        E::ExpectedComma => {
            "expected a comma: separate fields and list items with `,` (is one missing at the end of the previous line?)".to_owned()
        }
        E::ExpectedString => "expected text in double quotes, e.g. \"...\"".to_owned(),
        E::ExpectedStringEnd => {
            "a quoted text is not closed: add the closing `\"`, or write `\\\"` for a quote inside the text".to_owned()
        }
        E::ExpectedArray => "expected a list in square brackets, e.g. [\"first\", \"second\"]".to_owned(),
        E::Eof => "the file ends too early: a bracket or quote is not closed".to_owned(),
        E::TrailingCharacters => {
            "there is text after the scenario's closing `)`; a file holds exactly one scenario".to_owned()
        }
        other => format!("not valid scenario RON: {other}"),
    };
    FileError {
        file: file.to_owned(),
        line: Some(e.span.start.line),
        column: Some(e.span.start.col),
        message,
    }
}

/// Names serde/ron types the way a scenario author knows them.
fn friendly_type(name: &str) -> String {
    match name {
        "Scenario" => "the scenario".to_owned(),
        "Hop" => "a mail_flow hop".to_owned(),
        "ClientSetup" => "client_setup".to_owned(),
        "Prerequisite" => "a prerequisite".to_owned(),
        "GoalEffect" => "a goal_effects entry".to_owned(),
        "ComplianceFit" => "compliance".to_owned(),
        "CostLine" => "a cost line".to_owned(),
        other => format!("`{other}`"),
    }
}

type Problem = (Option<(usize, usize)>, String);

/// Checks what RON cannot: required text, goal coverage, references. Positions are best effort:
/// the first place in the file where the offending field or value appears.
fn check(s: &Scenario, text: &str, catalogue: Option<&BTreeSet<String>>) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    let field = |name: &str| locate_field(text, name);
    let value = |v: &str| locate(text, &format!("\"{v}\""));

    if s.id.trim().is_empty() {
        out.push((
            field("id"),
            "`id` is empty; give the scenario a short id such as \"hosted-only\"".into(),
        ));
    } else if !valid_id(&s.id) {
        out.push((
            field("id"),
            format!(
                "id \"{}\" may only use lowercase letters, digits and `-` (e.g. \"dual-delivery-some\")",
                s.id
            ),
        ));
    }
    for (name, v) in [("name", &s.name), ("summary", &s.summary)] {
        if v.trim().is_empty() {
            out.push((
                field(name),
                format!("`{name}` is empty; write it in plain words"),
            ));
        }
    }

    // Mail flow.
    if s.mail_flow.is_empty() {
        out.push((
            field("mail_flow"),
            "`mail_flow` is empty; list the hops mail takes, starting from the Internet".into(),
        ));
    }
    for (i, hop) in s.mail_flow.iter().enumerate() {
        if hop.label.trim().is_empty() {
            out.push((
                locate_nth_field(text, "label", i),
                format!("mail_flow hop {i} has an empty `label`; name the system, e.g. \"Hosted service\""),
            ));
        }
        for &from in &hop.also_from {
            if from >= i {
                out.push((
                    locate_nth_field(text, "also_from", nth_also_from_index(s, i)),
                    format!(
                        "mail_flow hop {i} (\"{}\") lists {from} in `also_from`, a bad reference: it must name an earlier hop{}",
                        hop.label,
                        if i == 0 { String::new() } else { format!(", 0 to {}", i - 1) }
                    ),
                ));
            }
        }
        if let Some(from) = hop.from
            && from >= i
        {
            let hint = if i == 0 {
                "the first hop cannot have `from`; remove it".to_owned()
            } else {
                format!("it must name an earlier hop, 0 to {}", i - 1)
            };
            out.push((
                locate_nth_field(text, "from", nth_from_index(s, i)),
                format!(
                    "mail_flow hop {i} (\"{}\") has `from: Some({from})`, a bad reference: {hint}",
                    hop.label
                ),
            ));
        }
    }

    text_list(&mut out, text, "dns_changes", &s.dns_changes, false);
    text_list(&mut out, text, "server_changes", &s.server_changes, false);

    // Client set-up.
    if s.client_setup.reasoning.trim().is_empty() {
        out.push((
            field("reasoning"),
            "client_setup `reasoning` is empty; say why this access method (POP3 vs IMAP where it matters)".into(),
        ));
    }
    text_list(&mut out, text, "steps", &s.client_setup.steps, true);

    for p in &s.prerequisites {
        if p.text.trim().is_empty() {
            out.push((
                field("prerequisites"),
                format!(
                    "a prerequisite ({:?}) has empty `text`; say what is needed",
                    p.need
                ),
            ));
        }
    }

    // Goal effects: each goal exactly once.
    let mut seen: BTreeSet<Goal> = BTreeSet::new();
    for ge in &s.goal_effects {
        let pos = locate_after(text, "goal_effects", &format!("{:?}", ge.goal));
        if !seen.insert(ge.goal) {
            out.push((
                pos,
                format!(
                    "goal_effects lists {:?} twice; keep one entry per goal",
                    ge.goal
                ),
            ));
        }
        if ge.why.trim().is_empty() {
            out.push((
                pos,
                format!(
                    "goal_effects entry for {:?} has an empty `why`; one sentence is enough",
                    ge.goal
                ),
            ));
        }
    }
    let missing: Vec<String> = Goal::ALL
        .iter()
        .filter(|g| !seen.contains(g))
        .map(|g| format!("{g:?}"))
        .collect();
    if !missing.is_empty() {
        out.push((
            field("goal_effects"),
            format!(
                "goal_effects has no entry for {}; add one per goal (use effect: Neutral if it does not matter)",
                missing.join(", ")
            ),
        ));
    }

    // Compliance.
    let c = &s.compliance;
    for (name, v) in [
        ("retention", &c.retention),
        ("legal_hold", &c.legal_hold),
        ("inhouse_copy_note", &c.inhouse_copy_note),
        ("data_residency", &c.data_residency),
    ] {
        if v.trim().is_empty() {
            out.push((
                field(name),
                format!("compliance `{name}` is empty; say how the scenario handles it"),
            ));
        }
    }

    text_list(&mut out, text, "risks", &s.risks, true);
    text_list(&mut out, text, "push_back", &s.push_back, true);
    text_list(&mut out, text, "checklist", &s.checklist, true);

    // Cost lines and their price-book references.
    if s.cost_lines.is_empty() {
        out.push((
            field("cost_lines"),
            "`cost_lines` is empty; list at least what the scenario pays for (see the CostRole names)".into(),
        ));
    }
    for line in &s.cost_lines {
        let Some(item) = &line.default_item else {
            continue;
        };
        if !crate::costs::books::is_valid_item_id(item) {
            out.push((
                value(item),
                format!(
                    "cost line {:?} refers to \"{item}\", which is not a price-book item id; ids are lower-case words joined by dots, e.g. \"google.workspace.business_plus\"",
                    line.role
                ),
            ));
        } else if let Some(known) = catalogue
            && !known.contains(item)
        {
            let vendor = item.split('.').next().unwrap_or_default();
            let similar: Vec<&str> = known
                .iter()
                .filter(|k| k.split('.').next() == Some(vendor))
                .map(String::as_str)
                .take(8)
                .collect();
            let hint = if similar.is_empty() {
                "no price book has items from that vendor; add one, or drop default_item".to_owned()
            } else {
                format!("items from that vendor: {}", similar.join(", "))
            };
            out.push((
                value(item),
                format!(
                    "cost line {:?} refers to price-book item \"{item}\", which no price book defines ({hint})",
                    line.role
                ),
            ));
        }
    }
    out
}

/// Checks a list of texts: optionally non-empty, and no empty items.
fn text_list(out: &mut Vec<Problem>, text: &str, name: &str, items: &[String], required: bool) {
    if required && items.is_empty() {
        out.push((
            locate_field(text, name),
            format!("`{name}` is empty; it needs at least one entry"),
        ));
    }
    if items.iter().any(|t| t.trim().is_empty()) {
        out.push((
            locate_field(text, name),
            format!("`{name}` has an empty entry; remove it or write it out"),
        ));
    }
}

/// Which occurrence of `from:` in the file belongs to hop `i` (only hops with `from` write it).
fn nth_from_index(s: &Scenario, i: usize) -> usize {
    s.mail_flow[..i].iter().filter(|h| h.from.is_some()).count()
}

/// Which occurrence of `also_from:` belongs to hop `i`.
fn nth_also_from_index(s: &Scenario, i: usize) -> usize {
    s.mail_flow[..i]
        .iter()
        .filter(|h| !h.also_from.is_empty())
        .count()
}

fn valid_id(id: &str) -> bool {
    id.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// 1-based (line, column) of the first occurrence of `needle`.
fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    text.find(needle).map(|at| line_col(text, at))
}

/// Position of the first occurrence of `needle` after the first occurrence of `anchor`.
fn locate_after(text: &str, anchor: &str, needle: &str) -> Option<(usize, usize)> {
    let start = text.find(anchor)?;
    text[start..]
        .find(needle)
        .map(|at| line_col(text, start + at))
}

/// Position of a field name written as `name:` (the first one).
fn locate_field(text: &str, name: &str) -> Option<(usize, usize)> {
    locate_nth_field(text, name, 0)
}

/// Position of the `n`th (0-based) `name:` in the file, matching whole words outside quoted
/// text and comments.
fn locate_nth_field(text: &str, name: &str, n: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let quoted = quoted_mask(text);
    let mut count = 0;
    let mut from = 0;
    while let Some(rel) = text[from..].find(name) {
        let at = from + rel;
        from = at + name.len();
        let word_start =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let after = text[from..].trim_start();
        if word_start && !quoted[at] && after.starts_with(':') {
            if count == n {
                return Some(line_col(text, at));
            }
            count += 1;
        }
    }
    None
}

/// For each byte: true when it is inside a quoted string or a comment.
fn quoted_mask(text: &str) -> Vec<bool> {
    let bytes = text.as_bytes();
    let mut mask = vec![false; bytes.len()];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let end = (i + 1).min(bytes.len());
                mask[start..end].iter_mut().for_each(|m| *m = true);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let start = i;
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                mask[start..i].iter_mut().for_each(|m| *m = true);
            }
            _ => i += 1,
        }
    }
    mask
}

fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
    let column = text[line_start..byte].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let t = "(\n  id: \"x\",\n  name: \"y\",\n)";
        assert_eq!(locate_field(t, "id"), Some((2, 3)));
        assert_eq!(locate_field(t, "name"), Some((3, 3)));
        assert_eq!(locate(t, "\"y\""), Some((3, 9)));
    }

    #[test]
    fn field_search_skips_longer_names_and_strings() {
        let t = "(summary: \"the id: is\", id: \"a\")";
        assert_eq!(locate_field(t, "id"), Some((1, 25)));
    }

    #[test]
    fn item_ids_have_a_shape() {
        // One rule for price books and for the scenarios that refer to their items.
        use crate::costs::books::is_valid_item_id;
        assert!(is_valid_item_id("google.workspace.business_plus"));
        assert!(is_valid_item_id("microsoft.exchange_online_archiving"));
        assert!(is_valid_item_id("chrome_remote_desktop"));
        assert!(!is_valid_item_id("Google Workspace"));
        assert!(!is_valid_item_id("google..plus"));
        assert!(!is_valid_item_id("google.work-space"));
    }

    #[test]
    fn scenario_ids_have_a_shape() {
        assert!(valid_id("hosted-only"));
        assert!(!valid_id("Hosted only"));
        assert!(!valid_id("-x"));
    }
}
