//! Cost model and price books.
//!
//! - [`money`]: exact money in cents with formatting.
//! - [`books`]: price books (RON), the built-in defaults and user overrides.
//! - [`model`]: [`estimate`] prices each scenario's cost lines from the plan's [`CostInputs`].
//! - [`export`]: CSV output of an estimate.

pub mod books;
pub mod export;
pub mod lines;
pub mod model;
pub mod money;

pub use books::{BillingTerm, Catalogue, ListPrice, PriceBook, PriceItem, PriceUnit};
pub use lines::{CostLine, CostRole, SeatBasis};
pub use model::{Estimate, ScenarioCosts, estimate, estimate_plan};
pub use money::Money;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The cost inputs of a plan (saved in the plan file).
///
/// The seat populations live here for now; once the advisor's `Organisation` carries
/// them, [`estimate_plan`] is the one place that should copy them across.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostInputs {
    /// Currency label for every amount in the plan (no conversion is done).
    pub currency: String,
    /// Seats in the whole organisation. In a plan, `estimate_plan` takes this from
    /// `plan.organisation` (where the app edits it); it is set directly only when
    /// `estimate` is called without a plan.
    pub seats_total: u32,
    /// Seats that move to the hosted service (taken from the organisation like `seats_total`).
    pub seats_moving: u32,
    /// Seats that use remote access.
    pub seats_remote: u32,
    /// The current per-user mailbox quota in MB (a hosted mailbox smaller than this is flagged).
    /// Taken from the organisation like `seats_total` when the organisation gives one.
    pub current_quota_mb: u32,
    /// Storage priced per GB (backup or archive items), in GB.
    pub storage_gb: u64,
    /// Years after year 0 (1–10).
    pub horizon_years: u32,
    /// Discount rate for net present value, percent per year.
    pub discount_rate_percent: f64,
    /// Yearly price escalation of the run-rate, percent per year.
    pub escalation_percent: f64,
    /// Per scenario id: which price-book item to use for a cost role (else the line's default).
    pub tiers: BTreeMap<String, BTreeMap<CostRole, String>>,
    /// Per scenario id: the billing term (else each item's first listed term).
    pub billing: BTreeMap<String, BillingTerm>,
    /// Prices entered by the user, by item id: required for `Quote` items, allowed for any item.
    /// Per the item's unit, in the plan's currency.
    pub price_overrides: BTreeMap<String, Money>,
    pub on_prem: OnPremInputs,
    pub one_off: OneOffInputs,
}

impl Default for CostInputs {
    fn default() -> Self {
        CostInputs {
            currency: "USD".into(),
            seats_total: 0,
            seats_moving: 0,
            seats_remote: 0,
            current_quota_mb: 0,
            storage_gb: 0,
            horizon_years: 3,
            discount_rate_percent: 10.0,
            escalation_percent: 0.0,
            tiers: BTreeMap::new(),
            billing: BTreeMap::new(),
            price_overrides: BTreeMap::new(),
            on_prem: OnPremInputs::default(),
            one_off: OneOffInputs::default(),
        }
    }
}

/// Running the mail system in-house.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OnPremInputs {
    /// Mail servers (or VMs).
    pub servers: u32,
    /// Cost of one server.
    pub server_cost: Money,
    /// Years a server is used before replacement.
    pub server_life_years: u32,
    /// Licence price per seat per year you pay (Domino and Exchange are quote-only, so you
    /// enter it). Used for on-prem licence lines without a priced item.
    pub licence_per_seat_year: Option<Money>,
    pub admin: AdminEffort,
    /// Backup of the mail system, per year.
    pub backup_per_year: Money,
    /// Spam/malware filtering bought separately, per seat per year.
    pub filtering_per_seat_year: Money,
}

impl Default for OnPremInputs {
    fn default() -> Self {
        OnPremInputs {
            servers: 0,
            server_cost: Money::ZERO,
            server_life_years: 5,
            licence_per_seat_year: None,
            admin: AdminEffort::default(),
            backup_per_year: Money::ZERO,
            filtering_per_seat_year: Money::ZERO,
        }
    }
}

/// Administration effort for the on-premises system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AdminEffort {
    /// Full-time equivalents × loaded yearly salary (salary plus employer costs).
    Fte { fte: f64, loaded_salary: Money },
    /// Hours per month × hourly rate.
    HoursPerMonth { hours: f64, rate: Money },
}

impl Default for AdminEffort {
    fn default() -> Self {
        AdminEffort::HoursPerMonth {
            hours: 0.0,
            rate: Money::ZERO,
        }
    }
}

impl AdminEffort {
    /// The yearly cost, rounded once to the cent.
    pub fn yearly(&self) -> Money {
        match self {
            AdminEffort::Fte { fte, loaded_salary } => {
                loaded_salary.mul_ratio(hundredths(*fte), 100)
            }
            AdminEffort::HoursPerMonth { hours, rate } => {
                rate.mul_ratio(hundredths(*hours) * 12, 100)
            }
        }
    }

    /// The same effort scaled by `num/den` (sensitivity analysis).
    pub fn scaled(&self, factor: f64) -> AdminEffort {
        match self {
            AdminEffort::Fte { fte, loaded_salary } => AdminEffort::Fte {
                fte: fte * factor,
                loaded_salary: *loaded_salary,
            },
            AdminEffort::HoursPerMonth { hours, rate } => AdminEffort::HoursPerMonth {
                hours: hours * factor,
                rate: *rate,
            },
        }
    }
}

/// One-off costs of a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OneOffInputs {
    /// Internal labour for the migration, hours in total.
    pub migration_hours: f64,
    /// Loaded hourly rate for migration labour.
    pub labour_rate: Money,
    /// Training hours per seat that changes system.
    pub training_hours_per_seat: f64,
    /// Loaded hourly rate of the people being trained.
    pub training_rate: Money,
    /// Months during which both systems run for the moving seats.
    pub coexistence_months: f64,
}

impl Default for OneOffInputs {
    fn default() -> Self {
        OneOffInputs {
            migration_hours: 0.0,
            labour_rate: Money::ZERO,
            training_hours_per_seat: 0.0,
            training_rate: Money::ZERO,
            coexistence_months: 0.0,
        }
    }
}

/// A non-negative decimal quantity as hundredths (2.5 → 250). Negative or non-finite → 0.
pub(crate) fn hundredths(value: f64) -> i128 {
    if !value.is_finite() || value <= 0.0 {
        return 0;
    }
    (value * 100.0).round().min(1.0e15) as i128
}
