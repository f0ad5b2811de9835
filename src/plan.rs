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
