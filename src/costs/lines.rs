//! The contract between scenarios and the cost model: which cost lines a scenario uses.
//!
//! A scenario file lists `cost_lines`; the cost model prices each one from the plan's
//! inputs and the price books. Change this type only by adding variants or optional fields.

use serde::{Deserialize, Serialize};

/// What a cost line pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CostRole {
    /// The hosted mail subscription (a price-book item, chosen per scenario in the plan).
    HostedSubscription,
    /// An add-on to the hosted subscription (archiving, Vault, ...).
    HostedAddOn,
    /// On-premises mail server licences (per user or per server).
    OnPremLicences,
    /// On-premises server hardware or VMs: count × cost ÷ life in years.
    OnPremServers,
    /// Administration effort for the on-premises system.
    OnPremAdmin,
    /// A mail gateway or relay (anti-spam, routing for dual delivery).
    Gateway,
    /// Backup of the on-premises system.
    Backup,
    /// Spam and malware filtering bought separately.
    Filtering,
    /// Remote-desktop licences.
    RemoteAccess,
    /// One-off migration: per-mailbox tool licences plus labour hours.
    Migration,
    /// One-off training: hours × rate.
    Training,
    /// Both systems running during a coexistence period (one-off).
    Coexistence,
}

/// Which seats a line is counted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeatBasis {
    /// Every seat in the organisation.
    All,
    /// The seats that move to the hosted service.
    Moving,
    /// The seats that stay on-premises.
    Staying,
    /// Seats that use remote access.
    Remote,
    /// Not per seat (a flat or per-server cost).
    Flat,
}

/// One cost line of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostLine {
    pub role: CostRole,
    pub seats: SeatBasis,
    /// The price-book item used unless the plan picks another, e.g. `"google.workspace.business_plus"`.
    #[serde(default)]
    pub default_item: Option<String>,
    /// Why the scenario needs this line, in a few words.
    #[serde(default)]
    pub note: String,
}
