//! The plan file (RON): what the GUI saves and opens and what `mailplan estimate` reads.

use crate::advisor::{Constraints, Goals, Organisation};
use crate::costs::CostInputs;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Current plan file version. Older versions load; newer ones are refused with a clear message.
pub const PLAN_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    pub version: u32,
    /// A name for the plan, shown in titles and reports.
    pub name: String,
    pub organisation: Organisation,
    pub goals: Goals,
    pub constraints: Constraints,
    pub costs: CostInputs,
    /// Ticked checklist items per scenario id (index = checklist step).
    pub checklists: BTreeMap<String, Vec<bool>>,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            version: PLAN_VERSION,
            name: String::new(),
            organisation: Organisation::default(),
            goals: Goals::default(),
            constraints: Constraints::default(),
            costs: CostInputs::default(),
            checklists: BTreeMap::new(),
        }
    }
}

/// Reads a plan file. Older versions are upgraded in memory; a newer or unreadable file
/// gives an error naming the file (with line and column when known). The file is never
/// modified by loading.
pub fn load_plan(path: &std::path::Path) -> Result<Plan, crate::files::FileError> {
    let text = crate::files::read_text(path)?;
    parse_plan(&path.display().to_string(), &text)
}

/// Reads a plan file like [`load_plan`], and also names the fields it did not know (typos in a
/// hand-edited file, or fields of another program). They are ignored, and dropped on save.
pub fn load_plan_naming_unknown(
    path: &std::path::Path,
) -> Result<(Plan, Vec<String>), crate::files::FileError> {
    let text = crate::files::read_text(path)?;
    parse_plan_naming_unknown(&path.display().to_string(), &text)
}

/// The warning for the fields a plan file had that no plan has, or `None` when there were none.
pub fn unknown_fields_warning(file: &str, unknown: &[String]) -> Option<String> {
    if unknown.is_empty() {
        return None;
    }
    let names: Vec<String> = unknown.iter().map(|u| format!("`{u}`")).collect();
    let (what, verb) = if unknown.len() == 1 {
        ("field", "was")
    } else {
        ("fields", "were")
    };
    Some(format!(
        "{file}: the {what} {} {verb} not understood and ignored (a typo, or a newer mailplan's field?); saving the plan drops {}",
        names.join(", "),
        if unknown.len() == 1 { "it" } else { "them" }
    ))
}

/// Parses plan text; `file` names the source in errors. See [`load_plan`].
pub fn parse_plan(file: &str, text: &str) -> Result<Plan, crate::files::FileError> {
    parse_plan_naming_unknown(file, text).map(|(plan, _)| plan)
}

/// [`parse_plan`], and the fields of the text that no plan has (`organisation.seats_totl`).
pub fn parse_plan_naming_unknown(
    file: &str,
    text: &str,
) -> Result<(Plan, Vec<String>), crate::files::FileError> {
    /// Only the version, read first so a newer file is refused before its fields are judged.
    #[derive(Deserialize)]
    #[serde(rename = "Plan")]
    struct VersionProbe {
        #[serde(default)]
        version: u32,
    }
    let probe: VersionProbe = crate::files::parse_ron(file, text).map_err(|mut e| {
        e.message = format!("not a readable plan file: {}", e.message);
        e
    })?;
    if probe.version > PLAN_VERSION {
        return Err(crate::files::FileError::new(
            file,
            format!(
                "this plan was saved by a newer mailplan (plan file version {}; this mailplan reads up to version {}). \
                 Update mailplan to open it; the file was not changed.",
                probe.version, PLAN_VERSION
            ),
        ));
    }
    let (mut plan, unknown): (Plan, _) = crate::files::parse_ron_naming_unknown(file, text)?;
    upgrade(&mut plan, probe.version);
    Ok((plan, unknown))
}

/// Brings a plan read from an older file version up to [`PLAN_VERSION`].
fn upgrade(plan: &mut Plan, from: u32) {
    // Version 0 (unversioned drafts) has the same fields as version 1; missing fields
    // already took their defaults. Later versions add their steps here.
    let _ = from;
    plan.version = PLAN_VERSION;
}

/// Writes a plan file atomically (the old file stays intact if writing fails).
pub fn save_plan(path: &std::path::Path, plan: &Plan) -> Result<(), crate::files::FileError> {
    let name = path.display().to_string();
    let mut plan = plan.clone();
    plan.version = PLAN_VERSION;
    let text = crate::files::to_ron(&plan)
        .map_err(|e| crate::files::FileError::new(&name, format!("cannot write the plan: {e}")))?;
    crate::files::write_atomic(path, text.as_bytes())
        .map_err(|e| crate::files::FileError::new(&name, format!("cannot save: {e}")))
}
