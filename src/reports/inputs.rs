//! What a report is built from. Every part is optional: a helpdesk report holds only
//! check results, a planning report only scenarios and costs.
//!
//! These are plain data, filled from the plan, the advisor, the scenarios, the cost
//! model, checks and diagnoses (see [`super::adapt`]), so the report does not depend on
//! the inner shape of each engine.

use crate::checks::{CheckOptions, CheckResult};
use crate::findings::Finding;
use serde::{Deserialize, Serialize};

/// Everything a report can hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportInputs {
    /// Overrides the default title.
    pub title: Option<String>,
    pub plan: Option<PlanContext>,
    pub recommendation: Option<Recommendation>,
    /// Scenarios to compare, in the order to show them.
    pub scenarios: Vec<ScenarioDetail>,
    pub costs: Option<CostReport>,
    /// How the checks were run (never holds a password).
    pub check_settings: Option<CheckSettings>,
    pub checks: Vec<CheckResult>,
    pub diagnoses: Vec<DiagnosisReport>,
    /// Texts that must never appear in the report (e.g. the login password).
    /// Never serialised.
    #[serde(skip)]
    pub redact: Vec<String>,
}

/// Which parts of a report to keep: a helpdesk report may hold only the checks, a planning
/// report only the scenarios and costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportParts {
    /// The organisation, goals and constraints, and the recommendation.
    pub plan: bool,
    /// The comparison and each scenario in detail.
    pub scenarios: bool,
    pub costs: bool,
    /// Check and diagnosis results.
    pub checks: bool,
}

impl Default for ReportParts {
    fn default() -> Self {
        ReportParts {
            plan: true,
            scenarios: true,
            costs: true,
            checks: true,
        }
    }
}

impl ReportParts {
    /// True when nothing would be left in the report.
    pub fn is_empty(self) -> bool {
        !(self.plan || self.scenarios || self.costs || self.checks)
    }

    /// Drops the parts that are switched off from `inputs`.
    pub fn apply(self, inputs: &mut ReportInputs) {
        if !self.plan {
            inputs.plan = None;
            inputs.recommendation = None;
        }
        if !self.scenarios {
            inputs.scenarios.clear();
        }
        if !self.costs {
            inputs.costs = None;
        }
        if !self.checks {
            inputs.checks.clear();
            inputs.diagnoses.clear();
            inputs.check_settings = None;
        }
    }
}

/// The organisation, goals and constraints the plan was made for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanContext {
    pub name: String,
    /// e.g. ("Seats in total", "5,800").
    pub organisation: Vec<(String, String)>,
    /// Goal and its weight as text, e.g. ("Compliance and retention", "high").
    pub goals: Vec<(String, String)>,
    pub constraints: Vec<String>,
}

/// The advisor's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Recommendation {
    /// Ranked best first.
    pub ranked: Vec<RankedScenario>,
    pub ruled_out: Vec<RuledOut>,
    /// The POP3-or-IMAP answer with its reason, when asked.
    pub pop_or_imap: Option<String>,
    /// Notes about the advice as a whole (e.g. budget not checked).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RankedScenario {
    pub id: String,
    pub name: String,
    /// Fit score, higher is better, when the advisor gives one.
    pub score: Option<f64>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuledOut {
    pub id: String,
    pub name: String,
    pub reasons: Vec<String>,
}

/// One scenario as the report shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScenarioDetail {
    pub id: String,
    pub name: String,
    pub summary: String,
    /// Ordered hops of the mail flow, e.g. "Internet → gateway → Domino".
    pub mail_flow: Vec<String>,
    /// Changes needed, grouped: ("DNS", [..]), ("Gateway and servers", [..]), ("Clients", [..]).
    pub changes: Vec<(String, Vec<String>)>,
    pub prerequisites: Vec<String>,
    /// Set-up steps and whether each is done.
    pub checklist: Vec<(String, bool)>,
    pub risks: Vec<String>,
    /// Compliance aspects: ("Retention", "kept on-premises, unchanged").
    pub compliance: Vec<(String, String)>,
    pub push_back: Vec<String>,
    /// One-line fit per goal, for the comparison table: ("Cost", "higher").
    pub goal_fit: Vec<(String, String)>,
    /// The advisor's reasons for this scenario's rank, most important first.
    pub fit_reasons: Vec<String>,
}

/// Money in the smallest unit (cents), so sums never drift.
pub type Cents = i64;

/// The cost model's results as the report shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostReport {
    /// Currency label, e.g. `USD`.
    pub currency: String,
    /// Years after year 0.
    pub horizon_years: u32,
    pub discount_rate_percent: f64,
    pub escalation_percent: f64,
    /// Seats in the organisation and seats that would move (0 when unknown).
    pub seats_total: u32,
    pub seats_moving: u32,
    pub scenarios: Vec<ScenarioCost>,
    /// Id of the cheapest scenario over the horizon, when every total is known.
    pub cheapest: Option<String>,
    /// Warnings that concern the whole estimate.
    pub warnings: Vec<String>,
    /// e.g. "Break-even between X and Y: 1,240 seats".
    pub notes: Vec<String>,
}

/// One scenario's costs. `None` amounts are blocked by a price still to be quoted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScenarioCost {
    pub id: String,
    pub name: String,
    pub seats: u32,
    pub one_off: Option<Cents>,
    pub yearly: Option<Cents>,
    pub per_seat_year: Option<Cents>,
    pub total: Option<Cents>,
    pub npv: Option<Cents>,
    /// Cost of each year, year 0 first (for the chart); empty when unknown.
    pub by_year: Vec<Cents>,
    pub lines: Vec<CostLineRow>,
    pub warnings: Vec<String>,
}

/// One priced line of the breakdown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostLineRow {
    /// What it pays for (the role), e.g. "Hosted subscription".
    pub role: String,
    /// The price-book item, e.g. "Google Apps Premier (2008)".
    pub item: String,
    /// e.g. "2,000 seats".
    pub quantity: String,
    /// e.g. "50.00 per user per year"; "quote needed" when unpriced.
    pub unit_price: String,
    pub one_off: Option<Cents>,
    pub yearly: Option<Cents>,
    /// Where the price comes from (a URL or a note) and its date.
    pub source: String,
    pub as_of: String,
}

/// How checks were run, for the report's context. Built from [`CheckOptions`]
/// without the password.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckSettings {
    pub timeout_secs: u64,
    pub dns: Option<String>,
    pub insecure: bool,
    pub no_starttls: bool,
    /// The login user, when a login was tried.
    pub login_user: Option<String>,
    pub allow_plaintext_login: bool,
    pub inspect_latest: bool,
}

impl CheckSettings {
    /// The report-safe settings of `opts`, plus the password to redact (if any).
    pub fn from_options(opts: &CheckOptions) -> (CheckSettings, Option<String>) {
        let settings = CheckSettings {
            timeout_secs: opts.timeout.as_secs(),
            dns: opts.dns.map(|d| d.to_string()),
            insecure: opts.insecure,
            no_starttls: opts.no_starttls,
            login_user: opts.login.as_ref().map(|l| l.user.clone()),
            allow_plaintext_login: opts.allow_plaintext_login,
            inspect_latest: opts.inspect_latest,
        };
        let password = opts
            .login
            .as_ref()
            .map(|l| l.password.expose().to_owned())
            .filter(|p| !p.is_empty());
        (settings, password)
    }
}

impl ReportInputs {
    /// Adds check results and their settings; the login password (if any) is remembered
    /// only to make sure it is redacted wherever it might appear.
    pub fn with_checks(mut self, opts: &CheckOptions, results: Vec<CheckResult>) -> ReportInputs {
        let (settings, password) = CheckSettings::from_options(opts);
        self.check_settings = Some(settings);
        self.redact.extend(password);
        self.checks = results;
        self
    }

    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.plan.is_none()
            && self.recommendation.is_none()
            && self.scenarios.is_empty()
            && self.costs.is_none()
            && self.checks.is_empty()
            && self.diagnoses.is_empty()
    }
}

/// A diagnosis of an address or domain, as the report shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiagnosisReport {
    /// The address or domain diagnosed.
    pub subject: String,
    /// Facts found: ("MX", "aspmx.l.google.com (10)"), ("Provider", "Google").
    pub facts: Vec<(String, String)>,
    /// Findings about the domain itself (not about one endpoint).
    pub findings: Vec<Finding>,
    /// The endpoint checks it ran.
    pub checks: Vec<CheckResult>,
}
