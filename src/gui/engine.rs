//! The app's calls into the engine modules, in one place: scenario and price data loaded at start,
//! the advice and cost estimate derived from the plan, plan files, the example plan, and the
//! report inputs.

use crate::advisor::{self, Advice, AdvisorInputs};
use crate::costs::{self, Catalogue, Estimate, Money, ScenarioCosts};
use crate::plan::Plan;
use crate::scenarios::{self, Scenario, ScenarioSet};
use std::path::Path;

/// The example plan shipped with mailplan (the motivating case).
const CLASSIC_PLAN: &str = include_str!("../../scenarios/examples/classic.ron");

/// Data the pages read: loaded once when the app starts.
#[derive(Debug, Default)]
pub struct EngineData {
    pub scenarios: ScenarioSet,
    pub catalogue: Catalogue,
    /// Problems found in scenario or price files, as `file:line:column: message`.
    pub load_errors: Vec<String>,
    derived: Option<(Plan, std::sync::Arc<Derived>)>,
}

/// What the engines say about the current plan.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    pub advice: Advice,
    pub estimate: Option<Estimate>,
}

impl EngineData {
    /// Loads the scenarios and price books: the built-ins plus the user's own folders. A broken
    /// file is left out and reported; the rest still loads.
    pub fn load() -> EngineData {
        let (catalogue, price_errors) = costs::books::load_catalogue(&[]);
        let scenarios = scenarios::load_all(None, Some(&catalogue.ids()));
        let load_errors = price_errors
            .iter()
            .chain(scenarios.errors.iter())
            .map(|e| format!("{e} (this file was skipped; everything else works)"))
            .collect();
        EngineData {
            scenarios,
            catalogue,
            load_errors,
            derived: None,
        }
    }

    /// The scenarios in file order.
    pub fn scenario_list(&self) -> Vec<Scenario> {
        self.scenarios.list()
    }

    /// The advice and estimate for `plan`, recomputed only when the plan changed. Pure
    /// computation on data already in memory: no file or network access.
    pub fn derived(&mut self, plan: &Plan) -> std::sync::Arc<Derived> {
        match &self.derived {
            Some((p, d)) if p == plan => d.clone(),
            _ => {
                let d = std::sync::Arc::new(self.compute(plan));
                self.derived = Some((plan.clone(), d.clone()));
                d
            }
        }
    }

    /// The last computed derivation, if any.
    pub fn last_derived(&self) -> Option<&Derived> {
        self.derived.as_ref().map(|(_, d)| d.as_ref())
    }

    fn compute(&self, plan: &Plan) -> Derived {
        let list = self.scenario_list();
        let costs_in: Vec<ScenarioCosts> = list
            .iter()
            .map(|s| ScenarioCosts::new(s.id.clone(), s.name.clone(), s.cost_lines.clone()))
            .collect();
        let plan_for_costs = plan_with_synced_seats(plan);
        let today = chrono::Local::now().date_naive();
        let estimate = costs::estimate_plan(&plan_for_costs, &costs_in, &self.catalogue, today);
        let inputs = AdvisorInputs::with_estimate(plan, &estimate, &self.catalogue);
        let advice = advisor::advise(&inputs, &list);
        Derived {
            advice,
            estimate: Some(estimate),
        }
    }
}

/// The plan with the cost inputs' seat counts and quota taken from the organisation, which is
/// where the app edits them.
pub fn plan_with_synced_seats(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    p.costs.seats_total = p.organisation.seats_total;
    p.costs.seats_moving = p.organisation.seats_moving.min(p.organisation.seats_total);
    p.costs.current_quota_mb = p.organisation.current_quota_mb;
    p
}

/// Money as a plain number of currency units (for charts and the advisor's budget check).
pub fn money_to_f64(m: Money) -> f64 {
    m.cents() as f64 / 100.0
}

/// Reads a plan file (RON); the warning names fields the file had that no plan has.
pub fn load_plan(path: &Path) -> Result<(Plan, Option<String>), String> {
    let (plan, unknown) = crate::plan::load_plan_naming_unknown(path).map_err(|e| e.to_string())?;
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((plan, crate::plan::unknown_fields_warning(&file, &unknown)))
}

/// Writes a plan file atomically.
pub fn save_plan(path: &Path, plan: &Plan) -> Result<(), String> {
    crate::plan::save_plan(path, &plan_with_synced_seats(plan)).map_err(|e| e.to_string())
}

/// The example plan: 5,800 seats on Domino, 2,000 moving to a hosted service, SOX retention and
/// an in-house copy, a $50 per seat per year budget.
pub fn example_plan() -> Result<Plan, String> {
    let mut plan = crate::plan::parse_plan("built-in:examples/classic.ron", CLASSIC_PLAN)
        .map_err(|e| e.to_string())?;
    let (organisation, goals, constraints) = advisor::classic_case();
    plan.organisation = organisation;
    plan.goals = goals;
    plan.constraints = constraints;
    Ok(plan)
}
