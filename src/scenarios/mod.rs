//! Deployment scenarios: the data model, the built-in set from `scenarios/*.ron`, loading and validation.
//!
//! One RON file holds one [`Scenario`]. The built-ins are embedded in the binary; files in the user's
//! config folder (`scenarios/` under the platform config directory) and a folder given with
//! `--scenarios DIR` add to them or replace them by id. The GUI, the CLI and the advisor all get
//! scenarios through [`load_all`] / [`built_in`].

mod load;

pub use load::{
    BUILT_IN_FILES, LoadedScenario, ScenarioSet, Source, built_in, load_all, load_dir,
    parse_scenario, user_dir,
};

use crate::costs::CostLine;
use serde::{Deserialize, Serialize};

/// One deployment option, as a mail administrator would explain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable identifier: lowercase letters, digits and `-`, e.g. `"hosted-only"`. User files replace
    /// built-ins with the same id.
    pub id: String,
    /// Short name shown in lists and headings.
    pub name: String,
    /// One or two sentences saying what the option is.
    pub summary: String,
    /// Who the option is meant for: everyone, some users, or single people.
    pub scope: Scope,
    /// How mail flows, in order, for the diagram.
    pub mail_flow: Vec<Hop>,
    /// DNS records to add or change (MX, SPF, DKIM, autodiscover, ...).
    pub dns_changes: Vec<String>,
    /// Changes on gateways and mail servers (routing, connectors, journaling, ...).
    pub server_changes: Vec<String>,
    /// How mail clients are set up, with the POP3 vs IMAP reasoning.
    pub client_setup: ClientSetup,
    /// What must be true or available before starting.
    pub prerequisites: Vec<Prerequisite>,
    /// How the option serves or hurts each goal; one entry per goal.
    pub goal_effects: Vec<GoalEffect>,
    /// Retention, legal hold, in-house copy and data residency.
    pub compliance: ComplianceFit,
    /// What can go wrong.
    pub risks: Vec<String>,
    /// When to push back on a request for this option.
    pub push_back: Vec<String>,
    /// Step-by-step set-up checklist.
    pub checklist: Vec<String>,
    /// The cost lines this option uses, priced by the cost model.
    pub cost_lines: Vec<CostLine>,
}

impl Scenario {
    /// The parts of the scenario the cost model prices: id, name and cost lines.
    pub fn cost_view(&self) -> crate::costs::ScenarioCosts {
        crate::costs::ScenarioCosts::new(&self.id, &self.name, self.cost_lines.clone())
    }
}

/// Who a scenario is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// The whole organisation changes together.
    Everyone,
    /// A chosen group of users, with the rest staying as they are.
    SomeUsers,
    /// Set up one person at a time, usually by hand.
    Individuals,
}

impl Scope {
    /// Plain words for the scope.
    pub fn label(self) -> &'static str {
        match self {
            Scope::Everyone => "everyone",
            Scope::SomeUsers => "some users",
            Scope::Individuals => "individual users",
        }
    }
}

/// One step of the mail flow diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hop {
    /// What the box is called in the diagram, e.g. `"On-premises Domino server"`.
    pub label: String,
    /// What kind of system it is (drives the icon/colour in the GUI).
    pub kind: HopKind,
    /// Index (0-based) of the hop this one receives mail from. Default: the hop before it.
    /// Use it to draw a branch, e.g. a copy that leaves the on-prem server for the hosted service.
    #[serde(default)]
    pub from: Option<usize>,
    /// Further earlier hops this one also receives from, e.g. a client that fetches from two servers.
    #[serde(default)]
    pub also_from: Vec<usize>,
    /// Label for the arrow into this hop, e.g. `"SMTP, copy of each message"`.
    #[serde(default)]
    pub via: String,
}

/// The kind of system a [`Hop`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HopKind {
    /// Senders on the Internet.
    Internet,
    /// The domain's MX records / the first system that receives mail.
    Mx,
    /// A mail gateway or relay (anti-spam, routing).
    Gateway,
    /// The organisation's own mail server.
    OnPremServer,
    /// A hosted mail service (Google Workspace, Exchange Online, Zoho, Proton, ...).
    HostedService,
    /// A personal mailbox outside the organisation's control.
    PersonalMailbox,
    /// An archive or journal store.
    Archive,
    /// A mail client on a desktop, laptop or phone.
    Client,
    /// A webmail or mobile-access front end.
    Webmail,
    /// A remote-desktop service and the office desktop it reaches.
    RemoteDesktop,
}

impl HopKind {
    /// Plain words for the kind.
    pub fn label(self) -> &'static str {
        match self {
            HopKind::Internet => "Internet",
            HopKind::Mx => "MX",
            HopKind::Gateway => "gateway",
            HopKind::OnPremServer => "on-premises server",
            HopKind::HostedService => "hosted service",
            HopKind::PersonalMailbox => "personal mailbox",
            HopKind::Archive => "archive",
            HopKind::Client => "mail client",
            HopKind::Webmail => "webmail / mobile",
            HopKind::RemoteDesktop => "remote desktop",
        }
    }
}

/// How the mail clients are set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSetup {
    /// How users reach their mail.
    pub access: ClientAccess,
    /// Why this access method, including POP3 vs IMAP where it matters.
    pub reasoning: String,
    /// Set-up steps on the client side.
    pub steps: Vec<String>,
}

/// How users reach their mail in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClientAccess {
    /// IMAP: the server holds the mail; every device sees the same folders.
    Imap,
    /// POP3: the client downloads and holds the mail.
    Pop3,
    /// Either, chosen per user with [`crate::advisor::pop_or_imap`].
    Pop3OrImap,
    /// The provider's own client or protocol (Outlook/MAPI, Notes, Gmail app, ActiveSync).
    NativeClient,
    /// A browser.
    Webmail,
    /// A remote-desktop session to the office machine.
    RemoteDesktop,
}

impl ClientAccess {
    /// Plain words for the access method.
    pub fn label(self) -> &'static str {
        match self {
            ClientAccess::Imap => "IMAP",
            ClientAccess::Pop3 => "POP3",
            ClientAccess::Pop3OrImap => "POP3 or IMAP",
            ClientAccess::NativeClient => "the provider's own client",
            ClientAccess::Webmail => "webmail",
            ClientAccess::RemoteDesktop => "remote desktop",
        }
    }
}

/// Something that must be in place before a scenario can start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prerequisite {
    /// What kind of need this is; the advisor uses it for hard constraints.
    pub need: Need,
    /// The need in plain words.
    pub text: String,
}

/// Kinds of prerequisite the advisor understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Need {
    /// Administrator rights on the on-premises mail server.
    MailServerAdmin,
    /// Rights to change the domain's DNS records.
    DnsAdmin,
    /// Administrator rights on the mail gateway or relay.
    GatewayAdmin,
    /// Administrator rights on the hosted tenant (Workspace admin console, Microsoft 365 admin centre, ...).
    HostedAdmin,
    /// The right to add incoming and outgoing accounts in the mail client (often locked by policy).
    ClientAccountSetup,
    /// An on-premises mail server that keeps running.
    OnPremServer,
    /// The office desktop must stay switched on and connected.
    DesktopAlwaysOn,
    /// Approval (and install rights) for a remote-access product.
    RemoteAccessApproval,
    /// Each user needs a mailbox of their own at a hosted or personal provider.
    PersonalAccount,
    /// Anything else, described in the text.
    Other,
}

impl Need {
    /// True when the need is an administrator right that a user without admin rights lacks.
    /// Adding incoming/outgoing accounts to a managed client counts: without admin rights a user
    /// cannot set them up.
    pub fn is_admin_right(self) -> bool {
        matches!(
            self,
            Need::MailServerAdmin
                | Need::DnsAdmin
                | Need::GatewayAdmin
                | Need::HostedAdmin
                | Need::ClientAccountSetup
        )
    }

    /// Plain words for the need.
    pub fn label(self) -> &'static str {
        match self {
            Need::MailServerAdmin => "admin rights on the mail server",
            Need::DnsAdmin => "rights to change DNS",
            Need::GatewayAdmin => "admin rights on the mail gateway",
            Need::HostedAdmin => "admin rights on the hosted service",
            Need::ClientAccountSetup => "rights to add accounts in the mail client",
            Need::OnPremServer => "an on-premises mail server that keeps running",
            Need::DesktopAlwaysOn => "an office desktop that stays on",
            Need::RemoteAccessApproval => "approval for a remote-access product",
            Need::PersonalAccount => "a mailbox at a hosted or personal provider",
            Need::Other => "other",
        }
    }
}

/// The goals a plan weighs; every scenario says how it affects each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Goal {
    CostReduction,
    Simplification,
    AccessAnywhere,
    KeepOnpremApps,
    ComplianceRetention,
    LargerMailboxes,
    DataResidency,
}

impl Goal {
    /// Every goal, in display order.
    pub const ALL: [Goal; 7] = [
        Goal::CostReduction,
        Goal::Simplification,
        Goal::AccessAnywhere,
        Goal::KeepOnpremApps,
        Goal::ComplianceRetention,
        Goal::LargerMailboxes,
        Goal::DataResidency,
    ];

    /// Plain words for the goal.
    pub fn label(self) -> &'static str {
        match self {
            Goal::CostReduction => "cost reduction",
            Goal::Simplification => "simplification",
            Goal::AccessAnywhere => "access from anywhere and mobile",
            Goal::KeepOnpremApps => "keeping on-premises applications",
            Goal::ComplianceRetention => "compliance and retention",
            Goal::LargerMailboxes => "larger mailboxes",
            Goal::DataResidency => "data residency",
        }
    }
}

/// How a scenario affects one goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalEffect {
    pub goal: Goal,
    pub effect: Effect,
    /// One sentence saying why.
    pub why: String,
}

/// Direction and strength of a scenario's effect on a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Effect {
    StronglyHelps,
    Helps,
    Neutral,
    Hurts,
    StronglyHurts,
}

impl Effect {
    /// The effect as a number from -2 to 2.
    pub fn value(self) -> i32 {
        match self {
            Effect::StronglyHelps => 2,
            Effect::Helps => 1,
            Effect::Neutral => 0,
            Effect::Hurts => -1,
            Effect::StronglyHurts => -2,
        }
    }

    /// Plain words for the effect.
    pub fn label(self) -> &'static str {
        match self {
            Effect::StronglyHelps => "strongly helps",
            Effect::Helps => "helps",
            Effect::Neutral => "neither helps nor hurts",
            Effect::Hurts => "hurts",
            Effect::StronglyHurts => "strongly hurts",
        }
    }
}

/// How a scenario fits compliance needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplianceFit {
    /// Whether a complete copy of the mail stays on systems the organisation runs.
    pub inhouse_copy: InHouseCopy,
    /// Where retention and legal hold come from.
    pub retention_from: RetentionSource,
    /// Retention (e.g. SOX: keep audit-relevant records, including mail, for 7 years).
    pub retention: String,
    /// Legal hold and eDiscovery.
    pub legal_hold: String,
    /// The in-house copy, explained.
    pub inhouse_copy_note: String,
    /// Where the mail is stored at rest.
    pub data_residency: String,
    /// True when mail leaves systems the organisation controls (e.g. to personal mailboxes).
    pub mail_leaves_control: bool,
}

/// Whether a scenario keeps a complete copy of the mail in-house.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InHouseCopy {
    /// All mail of all users stays on the organisation's own servers.
    All,
    /// Mail of the users who stay on-premises, or only inbound mail, stays in-house.
    Partial,
    /// No in-house copy: mail lives only at the hosted provider.
    None,
}

/// Where a scenario's retention and legal hold come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RetentionSource {
    /// The on-premises server, its archive or journal.
    OnPrem,
    /// The hosted plan (only if the chosen tier has it: Vault, litigation hold, archiving).
    HostedPlan,
    /// Both: on-premises for what stays, the hosted plan for what moves.
    Both,
    /// Nothing in the scenario provides it.
    Nothing,
}
