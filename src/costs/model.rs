//! The cost model: prices each scenario's cost lines from the plan's inputs and the price books.
//!
//! Year 0 holds the one-off costs (migration, training, coexistence, per-mailbox licences);
//! years 1..=horizon hold the run-rate, escalated each year. NPV discounts year `k` by
//! `(1 + rate)^k`. Every amount is whole cents; each multiplication is rounded once.

use super::books::{Catalogue, CatalogueEntry, ListPrice, PriceUnit};
use super::money::{Money, percent_to_basis_points};
use super::{CostInputs, CostLine, CostRole, SeatBasis, hundredths};
use crate::plan::Plan;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A scenario as the cost model sees it: an id, a name and its cost lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioCosts {
    pub id: String,
    pub name: String,
    pub cost_lines: Vec<CostLine>,
}

impl ScenarioCosts {
    pub fn new(id: impl Into<String>, name: impl Into<String>, cost_lines: Vec<CostLine>) -> Self {
        ScenarioCosts {
            id: id.into(),
            name: name.into(),
            cost_lines,
        }
    }
}

impl From<(String, String, Vec<CostLine>)> for ScenarioCosts {
    fn from((id, name, cost_lines): (String, String, Vec<CostLine>)) -> Self {
        ScenarioCosts {
            id,
            name,
            cost_lines,
        }
    }
}

impl From<&crate::scenarios::Scenario> for ScenarioCosts {
    fn from(s: &crate::scenarios::Scenario) -> Self {
        ScenarioCosts::new(s.id.clone(), s.name.clone(), s.cost_lines.clone())
    }
}

/// What kind of problem a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum WarningKind {
    /// More seats than the plan allows (e.g. Business plans stop at 300 users).
    SeatCapExceeded,
    /// Fewer seats than the plan's minimum.
    SeatMinimumNotMet,
    /// A `Quote` item without a user-entered price: the scenario has no totals.
    QuoteMissing,
    /// Price data older than 12 months.
    StalePrice,
    /// A price from a historical book (not a current offer).
    HistoricalPrice,
    /// A hosted mailbox smaller than the current quota.
    MailboxTooSmall,
    /// A cost line names an item that no price book has: the scenario has no totals.
    UnknownItem,
    /// The chosen billing term is not offered for the item; its first term was used.
    BillingNotOffered,
    /// The item's currency differs from the plan's: the scenario has no totals.
    CurrencyMismatch,
    /// An input the line needs is missing or zero.
    InputMissing,
    /// Low-confidence price.
    LowConfidence,
}

impl WarningKind {
    /// Whether this warning stops the scenario's totals from being shown.
    pub fn blocks_totals(self) -> bool {
        matches!(
            self,
            WarningKind::QuoteMissing | WarningKind::UnknownItem | WarningKind::CurrencyMismatch
        )
    }
}

/// A warning about one scenario's estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostWarning {
    pub kind: WarningKind,
    pub scenario: String,
    /// The price-book item it concerns, if any.
    pub item: Option<String>,
    pub message: String,
}

/// One priced line of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineEstimate {
    pub role: CostRole,
    pub seats: SeatBasis,
    /// What is being paid for, in words.
    pub description: String,
    pub item: Option<String>,
    /// How many units (seats, servers, GB, 1 for flat).
    pub quantity: u64,
    /// The price per unit before billing surcharge, when the line uses one.
    pub unit_price: Option<Money>,
    pub unit: Option<PriceUnit>,
    /// Billing term and surcharge applied, e.g. "flexible / month-to-month (+20%)".
    pub billing: String,
    /// How the amount was computed, e.g. "2,000 × $50.00 per user per year".
    pub formula: String,
    /// Year-0 amount (None when the price is missing).
    pub one_off: Option<Money>,
    /// Yearly amount before escalation (None when the price is missing).
    pub yearly: Option<Money>,
    /// Where the figure comes from: the item's source, or "plan input".
    pub source: String,
    pub as_of: Option<NaiveDate>,
    /// H/M/L for price-book items; "entered" for plan inputs and overrides.
    pub confidence: String,
    pub note: String,
}

/// The totals of one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// One-off costs in year 0.
    pub year0: Money,
    /// Cost per year in year 1 (before escalation).
    pub run_rate: Money,
    /// Run-rate ÷ all seats of the organisation.
    pub per_seat_year: Option<Money>,
    /// Cost per year: index 0 is year 0, then years 1..=horizon (escalated).
    pub years: Vec<Money>,
    /// Sum over year 0 and the horizon.
    pub total: Money,
    /// Net present value of the costs (year k discounted by (1+r)^k).
    pub npv: Money,
}

/// The estimate of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioEstimate {
    pub id: String,
    pub name: String,
    pub lines: Vec<LineEstimate>,
    /// None when a price is missing (see warnings that block totals).
    pub totals: Option<Totals>,
    pub warnings: Vec<CostWarning>,
}

/// The seat count at which two scenarios cost the same (NPV over the horizon).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakEven {
    pub a: String,
    pub b: String,
    /// Total seats where the two meet, scaling moving and remote seats in proportion.
    pub seats: Option<u64>,
    /// Which is cheaper below that count (or at every count when `seats` is None).
    pub cheaper_below: Option<String>,
    pub cheaper_above: Option<String>,
    pub explanation: String,
}

/// How much one input, moved ±20%, changes the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRow {
    pub input: String,
    /// NPV of the baseline cheapest scenario with the input at −20% and +20%.
    pub npv_low: Option<Money>,
    pub npv_high: Option<Money>,
    /// The largest NPV change of any scenario between −20% and +20%.
    pub largest_swing: Money,
    pub largest_swing_scenario: Option<String>,
    /// The cheapest scenario at −20% and at +20%.
    pub cheapest_low: Option<String>,
    pub cheapest_high: Option<String>,
    /// Whether moving this input changes which scenario is cheapest.
    pub changes_cheapest: bool,
}

/// The full estimate across scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub currency: String,
    pub horizon_years: u32,
    pub discount_rate_percent: f64,
    pub escalation_percent: f64,
    pub seats_total: u32,
    pub seats_moving: u32,
    pub today: NaiveDate,
    pub scenarios: Vec<ScenarioEstimate>,
    /// The scenario with the lowest NPV among those with totals.
    pub cheapest: Option<String>,
    pub break_even: Vec<BreakEven>,
    /// Sorted: inputs that change the cheapest first, then by largest swing.
    pub sensitivity: Vec<SensitivityRow>,
    /// Problems with the inputs themselves (not tied to one scenario).
    pub input_warnings: Vec<String>,
}

impl Estimate {
    pub fn scenario(&self, id: &str) -> Option<&ScenarioEstimate> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// Every warning of every scenario.
    pub fn all_warnings(&self) -> impl Iterator<Item = &CostWarning> {
        self.scenarios.iter().flat_map(|s| s.warnings.iter())
    }
}

/// Largest horizon the model accepts.
pub const MAX_HORIZON_YEARS: u32 = 10;

/// Estimates a plan: the plan's cost inputs over the given scenarios.
pub fn estimate_plan(
    plan: &Plan,
    scenarios: &[ScenarioCosts],
    catalogue: &Catalogue,
    today: NaiveDate,
) -> Estimate {
    estimate(&plan_cost_inputs(plan), scenarios, catalogue, today)
}

/// The plan's cost inputs with the seat counts and quota taken from its organisation,
/// which is where the app and the advisor keep them.
pub fn plan_cost_inputs(plan: &Plan) -> CostInputs {
    let mut inputs = plan.costs.clone();
    let org = &plan.organisation;
    inputs.seats_total = org.seats_total;
    inputs.seats_moving = org.seats_moving;
    if org.current_quota_mb > 0 {
        inputs.current_quota_mb = org.current_quota_mb;
    }
    inputs
}

/// Estimates every scenario, then the cross-scenario answers (cheapest, break-even, sensitivity).
pub fn estimate(
    inputs: &CostInputs,
    scenarios: &[ScenarioCosts],
    catalogue: &Catalogue,
    today: NaiveDate,
) -> Estimate {
    let mut est = estimate_scenarios(inputs, scenarios, catalogue, today, Detail::Full, None);
    est.break_even = break_even(inputs, scenarios, catalogue, today, &est);
    est.sensitivity = sensitivity(inputs, scenarios, catalogue, today, &est);
    est
}

/// Scenario estimates and the cheapest, without break-even or sensitivity.
fn estimate_scenarios(
    inputs: &CostInputs,
    scenarios: &[ScenarioCosts],
    catalogue: &Catalogue,
    today: NaiveDate,
    detail: Detail,
    price_scale: Option<PriceScale>,
) -> Estimate {
    let mut input_warnings = Vec::new();
    let horizon = inputs.horizon_years.clamp(1, MAX_HORIZON_YEARS);
    if horizon != inputs.horizon_years {
        input_warnings.push(format!(
            "horizon_years {} is outside 1–{MAX_HORIZON_YEARS}; {horizon} was used",
            inputs.horizon_years
        ));
    }
    if inputs.seats_total == 0 {
        input_warnings
            .push("seats_total is 0: enter the number of seats in the organisation".into());
    }
    if inputs.seats_moving > inputs.seats_total {
        input_warnings.push(format!(
            "seats_moving ({}) is more than seats_total ({})",
            inputs.seats_moving, inputs.seats_total
        ));
    }
    if !inputs.discount_rate_percent.is_finite() || inputs.discount_rate_percent <= -100.0 {
        input_warnings.push("discount_rate_percent is not a usable rate; 0% was used".into());
    } else if !(MIN_DISCOUNT_PERCENT..=MAX_RATE_PERCENT).contains(&inputs.discount_rate_percent) {
        // Near −100 % the discount factor explodes and every NPV saturates.
        input_warnings.push(format!(
            "discount_rate_percent {}% is outside {MIN_DISCOUNT_PERCENT}% to {MAX_RATE_PERCENT}%; {}% was used",
            inputs.discount_rate_percent,
            usable_discount_rate(inputs.discount_rate_percent)
        ));
    }
    if !inputs.escalation_percent.is_finite() {
        input_warnings.push("escalation_percent is not a number; 0% was used".into());
    } else if !(MIN_ESCALATION_PERCENT..=MAX_RATE_PERCENT).contains(&inputs.escalation_percent) {
        // Without a bound, 1e308 % a year saturates every total without a word.
        input_warnings.push(format!(
            "escalation_percent {}% a year is outside {MIN_ESCALATION_PERCENT}% to {MAX_RATE_PERCENT}%; {}% was used",
            inputs.escalation_percent,
            usable_escalation(inputs.escalation_percent)
        ));
    }
    // Typos in the plan would otherwise be ignored without a word: a figure entered for an item
    // that does not exist is never used, and a tier for a scenario that is not loaded neither.
    for item_id in inputs.price_overrides.keys() {
        if catalogue.get(item_id).is_none() {
            input_warnings.push(format!(
                "price_overrides has a figure for '{item_id}', which no price book has; it is not used (check the item id)"
            ));
        }
    }
    for scenario_id in inputs.tiers.keys() {
        if !scenarios.iter().any(|s| &s.id == scenario_id) {
            input_warnings.push(format!(
                "tiers names the scenario '{scenario_id}', which is not loaded; its tier choices are not used"
            ));
        }
    }
    let ctx = Context {
        inputs,
        catalogue,
        today,
        horizon,
        detail,
        price_scale,
    };
    let scenarios: Vec<ScenarioEstimate> = scenarios.iter().map(|s| ctx.scenario(s)).collect();
    // Sums saturate instead of overflowing; a saturated figure is not a real one and must say so.
    let at_limit = |m: &Money| m.cents() == i64::MAX || m.cents() == i64::MIN;
    for s in &scenarios {
        if let Some(t) = &s.totals
            && [&t.year0, &t.run_rate, &t.total, &t.npv]
                .into_iter()
                .chain(t.years.iter())
                .any(at_limit)
        {
            input_warnings.push(format!(
                "{}: a total reached the largest amount mailplan can hold, so it is not a real figure; an input is far too large (hours, FTEs, seats or a price)",
                s.name
            ));
        }
    }
    let cheapest = cheapest_of(&scenarios);
    Estimate {
        currency: inputs.currency.clone(),
        horizon_years: horizon,
        // The rates actually used (an unusable rate counts as 0%; input_warnings says so).
        discount_rate_percent: usable_discount_rate(inputs.discount_rate_percent),
        escalation_percent: usable_escalation(inputs.escalation_percent),
        seats_total: inputs.seats_total,
        seats_moving: inputs.seats_moving,
        today,
        scenarios,
        cheapest,
        break_even: Vec::new(),
        sensitivity: Vec::new(),
        input_warnings,
    }
}

/// The discount rate the model uses: 0% when the given one is not a number or is −100% or less.
fn usable_discount_rate(rate: f64) -> f64 {
    if rate.is_finite() && rate > -100.0 {
        rate.clamp(MIN_DISCOUNT_PERCENT, MAX_RATE_PERCENT)
    } else {
        0.0
    }
}

/// Lowest discount rate the model uses, in percent.
const MIN_DISCOUNT_PERCENT: f64 = -50.0;
/// Highest discount rate and yearly escalation the model uses, in percent.
const MAX_RATE_PERCENT: f64 = 100.0;
/// Lowest yearly escalation the model uses, in percent (prices falling by almost all each year).
const MIN_ESCALATION_PERCENT: f64 = -99.0;

/// The escalation the model uses: 0% when the given one is not a number, else within
/// [`MIN_ESCALATION_PERCENT`] to [`MAX_RATE_PERCENT`].
fn usable_escalation(escalation: f64) -> f64 {
    if escalation.is_finite() {
        escalation.clamp(MIN_ESCALATION_PERCENT, MAX_RATE_PERCENT)
    } else {
        0.0
    }
}

fn cheapest_of(scenarios: &[ScenarioEstimate]) -> Option<String> {
    scenarios
        .iter()
        .filter_map(|s| s.totals.as_ref().map(|t| (t.npv, &s.id)))
        .min_by_key(|(npv, _)| *npv)
        .map(|(_, id)| id.clone())
}

struct Context<'a> {
    inputs: &'a CostInputs,
    catalogue: &'a Catalogue,
    today: NaiveDate,
    horizon: u32,
    detail: Detail,
    /// Multiplies every price-book list price (the sensitivity table's price knob), so the
    /// catalogue is never cloned for it.
    price_scale: Option<PriceScale>,
}

/// How much text an estimate pass builds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Labels, formulas, notes and warning messages: what people read.
    Full,
    /// Only the numbers and the warning kinds: the many passes behind break-even and the
    /// sensitivity table read nothing else, and the text was most of their cost.
    NumbersOnly,
}

/// `format!` in a full pass; an empty string (and no formatting work) in a numbers-only pass.
macro_rules! text {
    ($ctx:expr, $($arg:tt)*) => {
        if $ctx.detail == Detail::Full {
            format!($($arg)*)
        } else {
            String::new()
        }
    };
}

/// What pricing one line produced.
struct Priced {
    lines: Vec<LineEstimate>,
    warnings: Vec<CostWarning>,
}

impl Context<'_> {
    /// An owned copy of `s` in a full pass; an empty string (no allocation) in a numbers-only pass.
    fn owned(&self, s: &str) -> String {
        match self.detail {
            Detail::Full => s.to_owned(),
            Detail::NumbersOnly => String::new(),
        }
    }

    fn money(&self, m: Money) -> String {
        if self.detail == Detail::NumbersOnly {
            return String::new();
        }
        m.format(&self.inputs.currency)
    }

    /// A price-book list price, moved by the sensitivity table's price knob.
    fn list_price(&self, m: Money) -> Money {
        match self.price_scale {
            Some((num, den)) => m.mul_ratio(num, den),
            None => m,
        }
    }

    fn seats(&self, basis: SeatBasis) -> u64 {
        let i = self.inputs;
        match basis {
            SeatBasis::All => i.seats_total as u64,
            SeatBasis::Moving => i.seats_moving as u64,
            SeatBasis::Staying => i.seats_total.saturating_sub(i.seats_moving) as u64,
            SeatBasis::Remote => i.seats_remote as u64,
            SeatBasis::Flat => 1,
        }
    }

    /// For inputs that are for the whole on-prem system: the share used by `basis`
    /// as (numerator, denominator). Flat and All take the whole.
    fn share(&self, basis: SeatBasis) -> (i128, i128) {
        match basis {
            SeatBasis::Flat | SeatBasis::All => (1, 1),
            _ if self.inputs.seats_total == 0 => (1, 1),
            b => (self.seats(b) as i128, self.inputs.seats_total as i128),
        }
    }

    fn scenario(&self, s: &ScenarioCosts) -> ScenarioEstimate {
        let mut lines = Vec::new();
        let mut warnings = Vec::new();
        for line in &s.cost_lines {
            let mut p = self.line(&s.id, line);
            lines.append(&mut p.lines);
            warnings.append(&mut p.warnings);
        }
        let blocked = warnings.iter().any(|w| w.kind.blocks_totals())
            || lines
                .iter()
                .any(|l| l.one_off.is_none() && l.yearly.is_none());
        let totals = (!blocked).then(|| self.totals(&lines));
        ScenarioEstimate {
            id: s.id.clone(),
            name: self.owned(&s.name),
            lines,
            totals,
            warnings,
        }
    }

    fn totals(&self, lines: &[LineEstimate]) -> Totals {
        let year0: Money = lines.iter().filter_map(|l| l.one_off).sum();
        let run_rate: Money = lines.iter().filter_map(|l| l.yearly).sum();
        let escalation = usable_escalation(self.inputs.escalation_percent);
        let rate = usable_discount_rate(self.inputs.discount_rate_percent);
        let mut years = vec![year0];
        let mut npv = year0;
        for k in 1..=self.horizon {
            let amount = run_rate.mul_f64((1.0 + escalation / 100.0).powi(k as i32 - 1));
            years.push(amount);
            npv += amount.mul_f64(1.0 / (1.0 + rate / 100.0).powi(k as i32));
        }
        let total = years.iter().sum();
        let per_seat_year = (self.inputs.seats_total > 0)
            .then(|| run_rate.mul_ratio(1, self.inputs.seats_total as i128));
        Totals {
            year0,
            run_rate,
            per_seat_year,
            years,
            total,
            npv,
        }
    }

    fn warn(
        &self,
        scenario: &str,
        kind: WarningKind,
        item: Option<&str>,
        message: String,
    ) -> CostWarning {
        CostWarning {
            kind,
            scenario: self.owned(scenario),
            item: item.map(|i| self.owned(i)),
            message,
        }
    }

    fn line(&self, scenario: &str, line: &CostLine) -> Priced {
        let chosen = self
            .inputs
            .tiers
            .get(scenario)
            .and_then(|m| m.get(&line.role))
            .or(line.default_item.as_ref())
            .filter(|s| !s.trim().is_empty());
        let mut out = Priced {
            lines: Vec::new(),
            warnings: Vec::new(),
        };
        if let Some(item_id) = chosen {
            out = self.item_line(scenario, line, item_id);
        } else {
            match line.role {
                CostRole::HostedSubscription
                | CostRole::HostedAddOn
                | CostRole::Gateway
                | CostRole::RemoteAccess => {
                    out.warnings.push(self.warn(
                        scenario,
                        WarningKind::InputMissing,
                        None,
                        text!(
                            self,
                            "{}: no price-book item chosen; pick one in the plan's tiers",
                            role_label(line.role)
                        ),
                    ));
                    out.lines.push(self.missing_line(line, "no item chosen"));
                }
                // Migration labour is added below for every migration line.
                CostRole::Migration => {}
                _ => out = self.input_line(scenario, line),
            }
        }
        if line.role == CostRole::Migration {
            let (l, w) = self.migration_labour(scenario, line);
            out.lines.push(l);
            out.warnings.extend(w);
        }
        for l in &mut out.lines {
            if l.note.is_empty() {
                l.note = self.owned(&line.note);
            }
        }
        out
    }

    fn missing_line(&self, line: &CostLine, why: &str) -> LineEstimate {
        LineEstimate {
            role: line.role,
            seats: line.seats,
            description: self.owned(role_label(line.role)),
            item: line.default_item.as_deref().map(|i| self.owned(i)),
            quantity: self.seats(line.seats),
            unit_price: None,
            unit: None,
            billing: String::new(),
            formula: self.owned(why),
            one_off: None,
            yearly: None,
            source: String::new(),
            as_of: None,
            confidence: String::new(),
            note: self.owned(&line.note),
        }
    }

    /// A line priced from a price-book item (or the user's figure for it).
    fn item_line(&self, scenario: &str, line: &CostLine, item_id: &str) -> Priced {
        let mut warnings = Vec::new();
        let Some(entry) = self.catalogue.get(item_id) else {
            warnings.push(self.warn(
                scenario,
                WarningKind::UnknownItem,
                Some(item_id),
                text!(self,
                    "{}: no price book has an item '{item_id}'; add it to a price book or choose another",
                    role_label(line.role)
                ),
            ));
            let mut l = self.missing_line(line, "unknown item");
            l.item = Some(self.owned(item_id));
            return Priced {
                lines: vec![l],
                warnings,
            };
        };
        let item = &entry.item;
        let mut unit = item.unit;
        // Price: the user's figure, else the list price, else the on-prem licence input.
        let (price, from_user) = match (self.inputs.price_overrides.get(item_id), item.price) {
            (Some(m), _) => (Some(*m), true),
            (None, ListPrice::Price(m)) => (Some(self.list_price(m)), false),
            (None, ListPrice::Quote) => {
                match (line.role, self.inputs.on_prem.licence_per_seat_year) {
                    (CostRole::OnPremLicences, Some(m)) => {
                        unit = PriceUnit::PerUserPerYear;
                        (Some(m), true)
                    }
                    _ => (None, false),
                }
            }
        };
        let mut l = LineEstimate {
            role: line.role,
            seats: line.seats,
            description: text!(self, "{}", item.display_name()),
            item: Some(self.owned(item_id)),
            quantity: 0,
            unit_price: price,
            unit: Some(unit),
            billing: String::new(),
            formula: String::new(),
            one_off: None,
            yearly: None,
            source: if from_user {
                text!(self, "entered in the plan (price book: {})", item.source)
            } else {
                text!(self, "{}", item.source)
            },
            as_of: (!from_user).then_some(item.as_of),
            confidence: if from_user {
                self.owned("entered")
            } else {
                self.owned(item.confidence.letter())
            },
            note: self.owned(&line.note),
        };
        let quantity = match unit {
            PriceUnit::PerUserPerMonth | PriceUnit::PerUserPerYear | PriceUnit::PerMailboxOnce => {
                self.seats(line.seats)
            }
            PriceUnit::PerServerPerYear => self.inputs.on_prem.servers as u64,
            PriceUnit::FlatPerYear => 1,
            PriceUnit::PerGbPerMonth | PriceUnit::PerGbPerYear => self.inputs.storage_gb,
        };
        l.quantity = quantity;
        let Some(price) = price else {
            warnings.push(self.warn(
                scenario,
                WarningKind::QuoteMissing,
                Some(item_id),
                text!(self,
                    "{} ({item_id}) has no public price: enter your quote in the plan's price_overrides \
                     before this scenario's totals can be shown",
                    item.display_name()
                ),
            ));
            l.formula = self.owned("quote needed");
            return Priced {
                lines: vec![l],
                warnings,
            };
        };
        if !from_user && entry.currency.trim() != self.inputs.currency.trim() {
            warnings.push(self.warn(
                scenario,
                WarningKind::CurrencyMismatch,
                Some(item_id),
                text!(self,
                    "{item_id} is priced in {} but the plan is in {}; enter a price in {} in price_overrides",
                    entry.currency, self.inputs.currency, self.inputs.currency
                ),
            ));
            l.formula = self.owned("currency differs");
            return Priced {
                lines: vec![l],
                warnings,
            };
        }
        // Billing term and surcharge.
        let (surcharge_bp, billing_label) = self.billing(scenario, entry, &mut warnings);
        l.billing = billing_label;
        let factor_num = 10_000 + surcharge_bp as i128;
        let qty = quantity as i128;
        let qty_text = text!(self, "{}", crate::costs::money::group_thousands(quantity));
        let price_text = self.money(price);
        let surcharge_text = if surcharge_bp != 0 {
            text!(self, " × {}%", (10_000 + surcharge_bp) as f64 / 100.0)
        } else {
            String::new()
        };
        match unit {
            PriceUnit::PerUserPerMonth | PriceUnit::PerGbPerMonth => {
                l.yearly = Some(price.mul_ratio(qty * 12 * factor_num, 10_000));
                l.formula = text!(
                    self,
                    "{qty_text} × {price_text} × 12 months{surcharge_text}"
                );
            }
            PriceUnit::PerUserPerYear
            | PriceUnit::PerServerPerYear
            | PriceUnit::FlatPerYear
            | PriceUnit::PerGbPerYear => {
                l.yearly = Some(price.mul_ratio(qty * factor_num, 10_000));
                l.formula = text!(
                    self,
                    "{qty_text} × {price_text} {}{surcharge_text}",
                    unit.label()
                );
            }
            PriceUnit::PerMailboxOnce => {
                l.one_off = Some(price.mul_ratio(qty * factor_num, 10_000));
                l.formula = text!(
                    self,
                    "{qty_text} × {price_text} per mailbox, once{surcharge_text}"
                );
            }
        }
        // Checks on the item.
        if unit.is_per_user() {
            if let Some(max) = item.seat_max
                && quantity > max as u64
            {
                warnings.push(self.warn(
                    scenario,
                    WarningKind::SeatCapExceeded,
                    Some(item_id),
                    text!(
                        self,
                        "{} allows at most {max} users but this line needs {qty_text}; \
                         choose a plan without a seat cap",
                        item.display_name()
                    ),
                ));
            }
            if let Some(min) = item.seat_min
                && quantity < min as u64
            {
                warnings.push(self.warn(
                    scenario,
                    WarningKind::SeatMinimumNotMet,
                    Some(item_id),
                    text!(
                        self,
                        "{} needs at least {min} users; this line has {qty_text}",
                        item.display_name()
                    ),
                ));
            }
        }
        if let Some(gb) = item.mailbox_gb
            && matches!(line.role, CostRole::HostedSubscription)
            && (gb as u64) * 1024 < self.inputs.current_quota_mb as u64
        {
            warnings.push(self.warn(
                scenario,
                WarningKind::MailboxTooSmall,
                Some(item_id),
                text!(
                    self,
                    "{} gives {gb} GB per mailbox, less than the current quota of {} MB",
                    item.display_name(),
                    crate::costs::money::group_thousands(self.inputs.current_quota_mb as u64)
                ),
            ));
        }
        if !from_user {
            if entry.historical {
                warnings.push(self.warn(
                    scenario,
                    WarningKind::HistoricalPrice,
                    Some(item_id),
                    text!(
                        self,
                        "{} is a historical price ({}, as of {}), not a current offer",
                        item.display_name(),
                        entry.book_name,
                        item.as_of
                    ),
                ));
            } else if self
                .today
                .checked_sub_months(chrono::Months::new(12))
                .is_some_and(|limit| item.as_of < limit)
            {
                warnings.push(self.warn(
                    scenario,
                    WarningKind::StalePrice,
                    Some(item_id),
                    text!(
                        self,
                        "the price of {} is from {}, more than 12 months ago; check it",
                        item.display_name(),
                        item.as_of
                    ),
                ));
            }
            if item.confidence == super::books::Confidence::Low {
                warnings.push(self.warn(
                    scenario,
                    WarningKind::LowConfidence,
                    Some(item_id),
                    text!(
                        self,
                        "the price of {} is unverified or last-known (low confidence); check it",
                        item.display_name()
                    ),
                ));
            }
        }
        Priced {
            lines: vec![l],
            warnings,
        }
    }

    /// The billing surcharge in basis points and a label.
    fn billing(
        &self,
        scenario: &str,
        entry: &CatalogueEntry,
        warnings: &mut Vec<CostWarning>,
    ) -> (i64, String) {
        let options = &entry.item.billing;
        let Some(first) = options.first() else {
            return (0, String::new());
        };
        let chosen = match self.inputs.billing.get(scenario) {
            Some(term) => match options.iter().find(|o| o.term == *term) {
                Some(o) => o,
                None => {
                    warnings.push(self.warn(
                        scenario,
                        WarningKind::BillingNotOffered,
                        Some(&entry.item.id),
                        text!(
                            self,
                            "{} is not sold on '{}' billing; '{}' was used",
                            entry.item.display_name(),
                            term.label(),
                            first.term.label()
                        ),
                    ));
                    first
                }
            },
            None => first,
        };
        let bp = percent_to_basis_points(chosen.surcharge_percent);
        let label = if bp == 0 {
            self.owned(chosen.term.label())
        } else {
            text!(self, "{} (+{}%)", chosen.term.label(), bp as f64 / 100.0)
        };
        (bp, label)
    }

    /// A line priced from the plan's own inputs (on-prem, training, coexistence).
    fn input_line(&self, scenario: &str, line: &CostLine) -> Priced {
        let i = self.inputs;
        let o = &i.on_prem;
        let mut warnings = Vec::new();
        let (num, den) = self.share(line.seats);
        let share_text = if (num, den) == (1, 1) {
            String::new()
        } else {
            text!(
                self,
                " × {}/{} seats",
                crate::costs::money::group_thousands(num as u64),
                crate::costs::money::group_thousands(den as u64)
            )
        };
        let seats = self.seats(line.seats);
        let seats_text = text!(self, "{}", crate::costs::money::group_thousands(seats));
        let mut missing = |what: &str| {
            warnings.push(self.warn(
                scenario,
                WarningKind::InputMissing,
                None,
                text!(
                    self,
                    "{}: {what} is not entered, so it counts as zero",
                    role_label(line.role)
                ),
            ));
        };
        let mut l = self.missing_line(line, "");
        l.source = self.owned("plan input");
        l.confidence = self.owned("entered");
        l.item = None;
        match line.role {
            CostRole::OnPremServers => {
                let life = o.server_life_years.max(1) as i128;
                if o.servers == 0 || o.server_cost.is_zero() {
                    missing("the server count or cost");
                }
                l.description = self.owned("Mail servers");
                l.quantity = o.servers as u64;
                l.unit_price = Some(o.server_cost);
                l.yearly = Some(o.server_cost.mul_ratio(o.servers as i128 * num, life * den));
                l.formula = text!(
                    self,
                    "{} servers × {} ÷ {} years{share_text}",
                    o.servers,
                    self.money(o.server_cost),
                    life
                );
            }
            CostRole::OnPremLicences => match o.licence_per_seat_year {
                Some(price) => {
                    l.description = self.owned("On-premises licences");
                    l.quantity = seats;
                    l.unit_price = Some(price);
                    l.unit = Some(PriceUnit::PerUserPerYear);
                    l.yearly = Some(price.mul_ratio(seats as i128, 1));
                    l.formula = text!(
                        self,
                        "{seats_text} × {} per seat per year",
                        self.money(price)
                    );
                }
                None => {
                    warnings.push(self.warn(
                        scenario,
                        WarningKind::QuoteMissing,
                        None,
                        "on-premises licences have no public price: enter your licence cost per seat \
                         per year (on_prem.licence_per_seat_year) before this scenario's totals can be shown"
                            .into(),
                    ));
                    l.description = self.owned("On-premises licences");
                    l.formula = self.owned("quote needed");
                    l.source = String::new();
                }
            },
            CostRole::OnPremAdmin => {
                let yearly = o.admin.yearly();
                if yearly.is_zero() {
                    missing("the admin effort");
                }
                l.description = self.owned("Administration");
                l.yearly = Some(yearly.mul_ratio(num, den));
                l.formula = match &o.admin {
                    super::AdminEffort::Fte { fte, loaded_salary } => {
                        text!(
                            self,
                            "{fte} FTE × {}{share_text}",
                            self.money(*loaded_salary)
                        )
                    }
                    super::AdminEffort::HoursPerMonth { hours, rate } => {
                        text!(
                            self,
                            "{hours} h/month × 12 × {}{share_text}",
                            self.money(*rate)
                        )
                    }
                };
            }
            CostRole::Backup => {
                if o.backup_per_year.is_zero() {
                    missing("the backup cost per year");
                }
                l.description = self.owned("Backup");
                l.yearly = Some(o.backup_per_year.mul_ratio(num, den));
                l.formula = text!(
                    self,
                    "{} per year{share_text}",
                    self.money(o.backup_per_year)
                );
            }
            CostRole::Filtering => {
                if o.filtering_per_seat_year.is_zero() {
                    missing("the filtering cost per seat");
                }
                l.description = self.owned("Spam and malware filtering");
                l.quantity = seats;
                l.unit_price = Some(o.filtering_per_seat_year);
                l.yearly = Some(o.filtering_per_seat_year.mul_ratio(seats as i128, 1));
                l.formula = text!(
                    self,
                    "{seats_text} × {} per seat per year",
                    self.money(o.filtering_per_seat_year)
                );
            }
            CostRole::Training => {
                let t = &i.one_off;
                if hundredths(t.training_hours_per_seat) == 0 || t.training_rate.is_zero() {
                    missing("training hours or rate");
                }
                l.description = self.owned("Training");
                l.quantity = seats;
                l.one_off = Some(
                    t.training_rate
                        .mul_ratio(hundredths(t.training_hours_per_seat) * seats as i128, 100),
                );
                l.formula = text!(
                    self,
                    "{seats_text} seats × {} h × {}",
                    t.training_hours_per_seat,
                    self.money(t.training_rate)
                );
            }
            CostRole::Coexistence => {
                let months = hundredths(i.one_off.coexistence_months);
                let yearly = self.on_prem_yearly();
                if months == 0 {
                    missing("the coexistence period (months)");
                }
                if o.licence_per_seat_year.is_none() {
                    missing("the on-prem licence price (excluded from coexistence)");
                }
                l.description = self.owned("Coexistence (both systems run)");
                l.quantity = seats;
                // On-prem cost per year × share of seats × months / 12.
                l.one_off = Some(yearly.mul_ratio(months * num, 1200 * den));
                l.formula = text!(
                    self,
                    "on-prem {} per year × {} months ÷ 12{share_text}",
                    self.money(yearly),
                    i.one_off.coexistence_months
                );
            }
            // Item-priced roles without an item and migration are handled by the caller.
            CostRole::HostedSubscription
            | CostRole::HostedAddOn
            | CostRole::Gateway
            | CostRole::RemoteAccess
            | CostRole::Migration => {}
        }
        Priced {
            lines: vec![l],
            warnings,
        }
    }

    /// The whole on-prem system's yearly cost from the plan's inputs (for coexistence).
    fn on_prem_yearly(&self) -> Money {
        let i = self.inputs;
        let o = &i.on_prem;
        let servers = o
            .server_cost
            .mul_ratio(o.servers as i128, o.server_life_years.max(1) as i128);
        let licences = o
            .licence_per_seat_year
            .unwrap_or(Money::ZERO)
            .mul_ratio(i.seats_total as i128, 1);
        let filtering = o
            .filtering_per_seat_year
            .mul_ratio(i.seats_total as i128, 1);
        servers + licences + o.admin.yearly() + o.backup_per_year + filtering
    }

    fn migration_labour(
        &self,
        scenario: &str,
        line: &CostLine,
    ) -> (LineEstimate, Option<CostWarning>) {
        let t = &self.inputs.one_off;
        let hours = hundredths(t.migration_hours);
        let warning = (hours == 0 || t.labour_rate.is_zero()).then(|| {
            self.warn(
                scenario,
                WarningKind::InputMissing,
                None,
                "Migration: the labour hours or rate are not entered, so labour counts as zero"
                    .into(),
            )
        });
        let mut l = self.missing_line(line, "");
        l.description = self.owned("Migration labour");
        l.item = None;
        l.quantity = 1;
        l.one_off = Some(t.labour_rate.mul_ratio(hours, 100));
        l.formula = text!(
            self,
            "{} h × {}",
            t.migration_hours,
            self.money(t.labour_rate)
        );
        l.source = self.owned("plan input");
        l.confidence = self.owned("entered");
        (l, warning)
    }
}

/// A short name for a cost role.
pub fn role_label(role: CostRole) -> &'static str {
    match role {
        CostRole::HostedSubscription => "Hosted subscription",
        CostRole::HostedAddOn => "Hosted add-on",
        CostRole::OnPremLicences => "On-premises licences",
        CostRole::OnPremServers => "On-premises servers",
        CostRole::OnPremAdmin => "On-premises administration",
        CostRole::Gateway => "Gateway",
        CostRole::Backup => "Backup",
        CostRole::Filtering => "Filtering",
        CostRole::RemoteAccess => "Remote access",
        CostRole::Migration => "Migration",
        CostRole::Training => "Training",
        CostRole::Coexistence => "Coexistence",
    }
}

/// The inputs with the organisation scaled to `seats_total`, keeping the shares.
fn with_seats(inputs: &CostInputs, seats_total: u64) -> CostInputs {
    let mut i = inputs.clone();
    let base = inputs.seats_total.max(1) as u128;
    let scale = |v: u32| -> u32 {
        let scaled = (v as u128 * seats_total as u128 + base / 2) / base;
        scaled.min(u32::MAX as u128) as u32
    };
    i.seats_total = seats_total.min(u32::MAX as u64) as u32;
    i.seats_moving = scale(inputs.seats_moving);
    i.seats_remote = scale(inputs.seats_remote);
    i
}

/// Break-even seat counts for every pair of scenarios with totals.
///
/// Costs are linear in the organisation's size (seat caps only warn), so each scenario's NPV
/// is measured at the current size N and at 2N, and the lines are intersected.
fn break_even(
    inputs: &CostInputs,
    scenarios: &[ScenarioCosts],
    catalogue: &Catalogue,
    today: NaiveDate,
    base: &Estimate,
) -> Vec<BreakEven> {
    let n0 = inputs.seats_total as u64;
    if n0 == 0 {
        return Vec::new();
    }
    let doubled = estimate_scenarios(
        &with_seats(inputs, n0 * 2),
        scenarios,
        catalogue,
        today,
        Detail::NumbersOnly,
        None,
    );
    let npv = |e: &Estimate, id: &str| {
        e.scenario(id)
            .and_then(|s| s.totals.as_ref())
            .map(|t| t.npv)
    };
    let mut out = Vec::new();
    let ids: Vec<&str> = base.scenarios.iter().map(|s| s.id.as_str()).collect();
    for (ai, a) in ids.iter().enumerate() {
        for b in &ids[ai + 1..] {
            let (Some(a0), Some(b0), Some(a1), Some(b1)) = (
                npv(base, a),
                npv(base, b),
                npv(&doubled, a),
                npv(&doubled, b),
            ) else {
                continue;
            };
            // d(N) = NPV_a − NPV_b, linear: d(N) = d0 + (d1 − d0)(N − N0)/N0.
            let d0 = (a0 - b0).cents() as i128;
            let d1 = (a1 - b1).cents() as i128;
            let slope = d1 - d0;
            let cheaper_at_n0 = if d0 <= 0 { *a } else { *b };
            let other = if cheaper_at_n0 == *a { *b } else { *a };
            let mut be = BreakEven {
                a: a.to_string(),
                b: b.to_string(),
                seats: None,
                cheaper_below: None,
                cheaper_above: None,
                explanation: String::new(),
            };
            if slope == 0 {
                if d0 == 0 {
                    be.explanation = format!("{a} and {b} cost the same at every size");
                } else {
                    be.cheaper_below = Some(cheaper_at_n0.to_string());
                    be.cheaper_above = Some(cheaper_at_n0.to_string());
                    be.explanation = format!(
                        "{cheaper_at_n0} is cheaper than {other} at every size (same cost per seat, lower fixed cost)"
                    );
                }
                out.push(be);
                continue;
            }
            // N* = N0 − d0·N0/slope, rounded to a whole seat.
            let n_star = n0 as i128 * (slope - d0);
            let n_star = super::money::div_round(n_star, slope);
            // Below N*, the one with the smaller slope-adjusted cost: if slope > 0, a grows faster.
            let (below, above) = if slope > 0 { (*a, *b) } else { (*b, *a) };
            if n_star < 1 {
                be.cheaper_below = Some(above.to_string());
                be.cheaper_above = Some(above.to_string());
                let other = if above == *a { *b } else { *a };
                be.explanation =
                    format!("{above} is cheaper than {other} at every organisation size");
            } else {
                be.seats = Some(n_star as u64);
                be.cheaper_below = Some(below.to_string());
                be.cheaper_above = Some(above.to_string());
                be.explanation = format!(
                    "{below} is cheaper below {} seats, {above} above (now: {} seats, {cheaper_at_n0} cheaper than {other})",
                    super::money::group_thousands(n_star as u64),
                    super::money::group_thousands(n0)
                );
            }
            out.push(be);
        }
    }
    out
}

/// A factor for price-book list prices, as (numerator, denominator).
type PriceScale = (i128, i128);

/// An input the sensitivity table moves by ±20%.
struct Knob {
    name: &'static str,
    /// The moved inputs, and a factor for price-book prices as (numerator, denominator).
    apply: fn(&CostInputs, f64) -> (CostInputs, Option<PriceScale>),
}

fn scale_money(m: Money, f: f64) -> Money {
    m.mul_ratio((f * 10_000.0).round() as i128, 10_000)
}

const KNOBS: &[Knob] = &[
    Knob {
        name: "Seats (organisation size)",
        apply: |i, f| {
            (
                with_seats(i, (i.seats_total as f64 * f).round().max(0.0) as u64),
                None,
            )
        },
    },
    Knob {
        name: "Price-book prices",
        apply: |i, f| (i.clone(), Some(((f * 10_000.0).round() as i128, 10_000))),
    },
    Knob {
        name: "Prices entered in the plan (quotes)",
        apply: |i, f| {
            let mut i = i.clone();
            for v in i.price_overrides.values_mut() {
                *v = scale_money(*v, f);
            }
            i.on_prem.licence_per_seat_year =
                i.on_prem.licence_per_seat_year.map(|m| scale_money(m, f));
            (i, None)
        },
    },
    Knob {
        name: "Server cost",
        apply: |i, f| {
            let mut i = i.clone();
            i.on_prem.server_cost = scale_money(i.on_prem.server_cost, f);
            (i, None)
        },
    },
    Knob {
        name: "Admin effort",
        apply: |i, f| {
            let mut i = i.clone();
            i.on_prem.admin = i.on_prem.admin.scaled(f);
            (i, None)
        },
    },
    Knob {
        name: "Backup and filtering",
        apply: |i, f| {
            let mut i = i.clone();
            i.on_prem.backup_per_year = scale_money(i.on_prem.backup_per_year, f);
            i.on_prem.filtering_per_seat_year = scale_money(i.on_prem.filtering_per_seat_year, f);
            (i, None)
        },
    },
    Knob {
        name: "Migration labour hours",
        apply: |i, f| {
            let mut i = i.clone();
            i.one_off.migration_hours *= f;
            (i, None)
        },
    },
    Knob {
        name: "Training hours",
        apply: |i, f| {
            let mut i = i.clone();
            i.one_off.training_hours_per_seat *= f;
            (i, None)
        },
    },
    Knob {
        name: "Coexistence months",
        apply: |i, f| {
            let mut i = i.clone();
            i.one_off.coexistence_months *= f;
            (i, None)
        },
    },
    Knob {
        name: "Discount rate",
        apply: |i, f| {
            let mut i = i.clone();
            i.discount_rate_percent *= f;
            (i, None)
        },
    },
    Knob {
        name: "Yearly escalation",
        apply: |i, f| {
            let mut i = i.clone();
            i.escalation_percent *= f;
            (i, None)
        },
    },
];

/// Moves each input by −20% and +20% and records how the answer changes.
fn sensitivity(
    inputs: &CostInputs,
    scenarios: &[ScenarioCosts],
    catalogue: &Catalogue,
    today: NaiveDate,
    base: &Estimate,
) -> Vec<SensitivityRow> {
    let Some(baseline) = base.cheapest.clone() else {
        return Vec::new();
    };
    let run = |f: f64, knob: &Knob| {
        let (i, price_scale) = (knob.apply)(inputs, f);
        estimate_scenarios(
            &i,
            scenarios,
            catalogue,
            today,
            Detail::NumbersOnly,
            price_scale,
        )
    };
    let npv = |e: &Estimate, id: &str| {
        e.scenario(id)
            .and_then(|s| s.totals.as_ref())
            .map(|t| t.npv)
    };
    let mut rows: Vec<SensitivityRow> = KNOBS
        .iter()
        .map(|knob| {
            let low = run(0.8, knob);
            let high = run(1.2, knob);
            let mut largest = Money::ZERO;
            let mut largest_id = None;
            for s in &base.scenarios {
                if let (Some(l), Some(h)) = (npv(&low, &s.id), npv(&high, &s.id)) {
                    let swing = Money::from_cents((h - l).cents().saturating_abs());
                    if swing > largest {
                        largest = swing;
                        largest_id = Some(s.id.clone());
                    }
                }
            }
            let changes = low.cheapest.as_deref() != Some(baseline.as_str())
                || high.cheapest.as_deref() != Some(baseline.as_str());
            SensitivityRow {
                input: knob.name.to_owned(),
                npv_low: npv(&low, &baseline),
                npv_high: npv(&high, &baseline),
                largest_swing: largest,
                largest_swing_scenario: largest_id,
                cheapest_low: low.cheapest,
                cheapest_high: high.cheapest,
                changes_cheapest: changes,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.changes_cheapest
            .cmp(&a.changes_cheapest)
            .then(b.largest_swing.cmp(&a.largest_swing))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classic() -> (CostInputs, Vec<ScenarioCosts>, Catalogue, NaiveDate) {
        let text = include_str!("../../scenarios/examples/classic.ron");
        let plan = crate::plan::parse_plan("classic.ron", text).expect("classic plan");
        let (catalogue, errors) = super::super::books::builtin_catalogue();
        assert!(errors.is_empty(), "{errors:?}");
        let scenarios = crate::scenarios::built_in().cost_views();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        (plan_cost_inputs(&plan), scenarios, catalogue, today)
    }

    /// What a numbers-only pass must agree on with a full pass.
    fn numbers(e: &Estimate) -> Vec<(String, Option<Totals>, Vec<WarningKind>)> {
        e.scenarios
            .iter()
            .map(|s| {
                let kinds = s.warnings.iter().map(|w| w.kind).collect();
                (s.id.clone(), s.totals.clone(), kinds)
            })
            .collect()
    }

    #[test]
    fn numbers_only_passes_agree_with_full_passes() {
        let (inputs, scenarios, catalogue, today) = classic();
        for seats in [0, 1, 57, 5_800, 11_600] {
            let i = with_seats(&inputs, seats);
            let full = estimate_scenarios(&i, &scenarios, &catalogue, today, Detail::Full, None);
            let quick =
                estimate_scenarios(&i, &scenarios, &catalogue, today, Detail::NumbersOnly, None);
            assert_eq!(numbers(&full), numbers(&quick), "{seats} seats");
            assert_eq!(full.cheapest, quick.cheapest);
            assert!(quick.scenarios.iter().all(|s| s.name.is_empty()));
        }
    }

    #[test]
    fn the_price_knob_equals_a_scaled_catalogue() {
        let (inputs, scenarios, catalogue, today) = classic();
        for (num, den) in [(8_000, 10_000), (12_000, 10_000)] {
            let mut scaled = catalogue.clone();
            for entry in scaled.items.values_mut() {
                if let ListPrice::Price(m) = entry.item.price {
                    entry.item.price = ListPrice::Price(m.mul_ratio(num, den));
                }
            }
            let reference =
                estimate_scenarios(&inputs, &scenarios, &scaled, today, Detail::Full, None);
            let knob = estimate_scenarios(
                &inputs,
                &scenarios,
                &catalogue,
                today,
                Detail::NumbersOnly,
                Some((num, den)),
            );
            assert_eq!(numbers(&reference), numbers(&knob), "{num}/{den}");
        }
    }
}
