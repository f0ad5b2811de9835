//! The advisor: ranks scenarios against an organisation's goals and hard constraints, and explains
//! every step in plain sentences. Also answers the POP3 vs IMAP question.
//!
//! How the fit score works (kept simple so it can be explained to a decision-maker):
//! - each goal has a weight 0–5; each scenario says whether it strongly helps (+2), helps (+1),
//!   is neutral (0), hurts (−1) or strongly hurts (−2) that goal;
//! - the weighted sum is scaled to 0–100, where 50 means "as much good as harm";
//! - a few facts about the organisation adjust it (how many seats move, per-user set-up at scale,
//!   a scenario that moves nobody when people asked to move, a hosted plan without retention),
//!   each with its own sentence;
//! - hard constraints never adjust a score: they rule a scenario out and say which constraint did.

use crate::costs::CostRole;
use crate::costs::books::Catalogue;
use crate::costs::model::Estimate;
use crate::plan::Plan;
use crate::scenarios::{
    Effect, Goal, HopKind, InHouseCopy, Need, RetentionSource, Scenario, Scope,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The mail system the organisation runs today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CurrentSystem {
    /// HCL (formerly IBM/Lotus) Domino with Notes clients.
    Domino,
    /// Microsoft Exchange Server on-premises.
    #[default]
    Exchange,
    /// Another on-premises IMAP/POP server (Dovecot, Postfix, ...).
    OtherImapServer,
    /// Already on a hosted service.
    Hosted,
    /// No mail system yet.
    None,
}

impl CurrentSystem {
    /// Plain words for the system.
    pub fn label(self) -> &'static str {
        match self {
            CurrentSystem::Domino => "Domino (Notes)",
            CurrentSystem::Exchange => "Exchange Server",
            CurrentSystem::OtherImapServer => "an on-premises IMAP/POP server",
            CurrentSystem::Hosted => "a hosted service",
            CurrentSystem::None => "no mail system",
        }
    }

    /// True when there is an on-premises mail server today.
    pub fn is_on_prem(self) -> bool {
        matches!(
            self,
            CurrentSystem::Domino | CurrentSystem::Exchange | CurrentSystem::OtherImapServer
        )
    }
}

/// The organisation being planned for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Organisation {
    /// Mail users in total.
    pub seats_total: u32,
    /// Users who would move to (or also get) the hosted service.
    pub seats_moving: u32,
    pub current_system: CurrentSystem,
    /// Today's mailbox quota in MB (0 = unknown).
    pub current_quota_mb: u32,
}

impl Default for Organisation {
    fn default() -> Self {
        Organisation {
            seats_total: 100,
            seats_moving: 100,
            current_system: CurrentSystem::Exchange,
            current_quota_mb: 0,
        }
    }
}

/// Goals with weights from 0 (does not matter) to 5 (matters most).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Goals {
    pub cost_reduction: u8,
    pub simplification: u8,
    pub access_anywhere: u8,
    pub keep_onprem_apps: u8,
    pub compliance_retention: u8,
    pub larger_mailboxes: u8,
    pub data_residency: u8,
}

impl Default for Goals {
    fn default() -> Self {
        Goals {
            cost_reduction: 3,
            simplification: 3,
            access_anywhere: 3,
            keep_onprem_apps: 1,
            compliance_retention: 3,
            larger_mailboxes: 2,
            data_residency: 1,
        }
    }
}

impl Goals {
    /// The weight of one goal, capped at 5.
    pub fn weight(&self, goal: Goal) -> u8 {
        let w = match goal {
            Goal::CostReduction => self.cost_reduction,
            Goal::Simplification => self.simplification,
            Goal::AccessAnywhere => self.access_anywhere,
            Goal::KeepOnpremApps => self.keep_onprem_apps,
            Goal::ComplianceRetention => self.compliance_retention,
            Goal::LargerMailboxes => self.larger_mailboxes,
            Goal::DataResidency => self.data_residency,
        };
        w.min(5)
    }
}

/// Hard constraints: each one can rule a scenario out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Constraints {
    /// A complete copy of all mail must stay on the organisation's own servers (e.g. how the
    /// compliance team reads SOX today).
    pub inhouse_copy_required: bool,
    /// The people doing the work have no admin rights on the mail server, gateway, DNS, hosted
    /// tenant or managed mail client.
    pub no_admin_rights: bool,
    /// Most the organisation will pay per seat per year, in the price books' currency.
    pub budget_ceiling_per_seat_year: Option<f64>,
    /// The chosen hosted plan includes retention and legal hold (Google Vault in Business Plus or
    /// Enterprise, Exchange Online Plan 2 or Plan 1 + Exchange Online Archiving, Zoho Mail Premium, ...).
    /// When true, the hosted plan's retention is accepted in place of an in-house copy.
    pub hosted_plan_has_retention_and_hold: bool,
}

/// Which hard constraint ruled a scenario out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConstraintKind {
    InHouseCopyRequired,
    NoAdminRights,
    BudgetCeiling,
    NoOnPremServer,
}

impl ConstraintKind {
    /// Plain words for the constraint.
    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::InHouseCopyRequired => "an in-house copy is required",
            ConstraintKind::NoAdminRights => "no admin rights",
            ConstraintKind::BudgetCeiling => "budget ceiling per seat",
            ConstraintKind::NoOnPremServer => "there is no on-premises mail server",
        }
    }
}

/// Everything the advisor looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdvisorInputs {
    pub organisation: Organisation,
    pub goals: Goals,
    pub constraints: Constraints,
    /// Cost per seat per year by scenario id, computed by the cost model. Scenarios missing here are
    /// not checked against the budget ceiling (the advice says so).
    pub cost_per_seat_year: BTreeMap<String, f64>,
    /// What the price books say about the hosted plan each scenario is priced with, by scenario
    /// id. Scenarios missing here rely on `constraints.hosted_plan_has_retention_and_hold` alone.
    pub hosted_plans: BTreeMap<String, HostedPlanCompliance>,
}

/// Whether the hosted items a scenario is priced with include retention and legal hold, as their
/// price-book entries say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostedPlanCompliance {
    /// The hosted subscription and add-ons, by display name.
    pub items: Vec<String>,
    /// Some item includes retention and some includes legal hold / eDiscovery.
    pub retention_and_hold: bool,
}

impl AdvisorInputs {
    /// Inputs from a plan file, without cost figures.
    pub fn from_plan(plan: &Plan) -> Self {
        AdvisorInputs {
            organisation: plan.organisation.clone(),
            goals: plan.goals.clone(),
            constraints: plan.constraints.clone(),
            cost_per_seat_year: BTreeMap::new(),
            hosted_plans: BTreeMap::new(),
        }
    }

    /// Inputs from a plan and its cost estimate: each scenario's cost per seat per year (for the
    /// budget ceiling) and what the price books say about the hosted plan it is priced with (for
    /// the in-house-copy rule).
    pub fn with_estimate(plan: &Plan, estimate: &Estimate, catalogue: &Catalogue) -> Self {
        let mut inputs = Self::from_plan(plan);
        for s in &estimate.scenarios {
            if let Some(per_seat) = s.totals.as_ref().and_then(|t| t.per_seat_year) {
                inputs
                    .cost_per_seat_year
                    .insert(s.id.clone(), per_seat.cents() as f64 / 100.0);
            }
            let hosted: Vec<&crate::costs::books::PriceItem> = s
                .lines
                .iter()
                .filter(|l| matches!(l.role, CostRole::HostedSubscription | CostRole::HostedAddOn))
                .filter_map(|l| l.item.as_deref())
                .filter_map(|id| catalogue.get(id))
                .map(|e| &e.item)
                .collect();
            if hosted.is_empty() {
                continue;
            }
            inputs.hosted_plans.insert(
                s.id.clone(),
                HostedPlanCompliance {
                    items: hosted.iter().map(|i| i.display_name()).collect(),
                    retention_and_hold: hosted.iter().any(|i| i.includes.retention)
                        && hosted.iter().any(|i| i.includes.legal_hold),
                },
            );
        }
        inputs
    }

    /// Whether the hosted plan of `scenario` counts as having retention and legal hold: the
    /// user said so, or the price book says so of the plan the scenario is priced with.
    pub fn hosted_retention_and_hold(&self, scenario: &str) -> bool {
        self.constraints.hosted_plan_has_retention_and_hold
            || self
                .hosted_plans
                .get(scenario)
                .is_some_and(|h| h.retention_and_hold)
    }
}

/// One reason behind a scenario's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The goal this reason is about, if any.
    pub goal: Option<Goal>,
    /// Points this reason added to or took from the raw score (weight × effect, or an adjustment).
    pub points: i32,
    /// The reason as a sentence.
    pub text: String,
}

/// A scenario that passed every hard constraint, with its fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedScenario {
    pub id: String,
    pub name: String,
    /// 0–100; 50 means the good and the harm balance out.
    pub fit: u8,
    /// Reasons, most important first.
    pub reasons: Vec<Reason>,
}

/// A scenario that a hard constraint ruled out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuledOut {
    pub id: String,
    pub name: String,
    pub constraint: ConstraintKind,
    /// Why, as a sentence.
    pub reason: String,
}

/// The advisor's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// Best fit first.
    pub ranked: Vec<RankedScenario>,
    pub ruled_out: Vec<RuledOut>,
    /// Id of the top pick, if anything is left.
    pub top: Option<String>,
    /// The top pick's set-up checklist.
    pub top_checklist: Vec<String>,
    /// Notes about the advice as a whole (e.g. budget not checked).
    pub notes: Vec<String>,
}

/// Ranks `scenarios` for the inputs.
pub fn advise(inputs: &AdvisorInputs, scenarios: &[Scenario]) -> Advice {
    let mut advice = Advice::default();
    let ceiling = inputs
        .constraints
        .budget_ceiling_per_seat_year
        .filter(|c| c.is_finite() && *c >= 0.0);
    let mut unpriced: Vec<&str> = Vec::new();

    for s in scenarios {
        match rule_out(inputs, s, ceiling, &mut unpriced) {
            Some((constraint, reason)) => advice.ruled_out.push(RuledOut {
                id: s.id.clone(),
                name: s.name.clone(),
                constraint,
                reason,
            }),
            None => advice.ranked.push(score(inputs, s)),
        }
    }

    // Stable: equal fits keep the scenario order.
    advice.ranked.sort_by_key(|r| std::cmp::Reverse(r.fit));
    if let Some(top) = advice.ranked.first() {
        advice.top = Some(top.id.clone());
        if let Some(s) = scenarios.iter().find(|s| s.id == top.id) {
            advice.top_checklist = s.checklist.clone();
        }
    } else {
        advice.notes.push(
            "Every scenario was ruled out by a hard constraint. Relax one (see the reasons) or add a scenario that fits."
                .to_owned(),
        );
    }
    if let Some(c) = ceiling
        && !unpriced.is_empty()
    {
        advice.notes.push(format!(
            "The budget ceiling of {c:.2} per seat per year was not checked for {} because there is no cost estimate for them yet.",
            unpriced.join(", ")
        ));
    }
    if inputs.constraints.hosted_plan_has_retention_and_hold {
        for s in scenarios {
            let relies_on_hosted = matches!(
                s.compliance.retention_from,
                RetentionSource::HostedPlan | RetentionSource::Both
            );
            if let Some(h) = inputs.hosted_plans.get(&s.id)
                && relies_on_hosted
                && !h.retention_and_hold
            {
                advice.notes.push(format!(
                    "You said the hosted plan includes retention and legal hold, but the price book says {} (priced for {}) does not: check the tier, or choose one that has them.",
                    h.items.join(" + "),
                    s.name
                ));
            }
        }
    }
    if inputs.goals_all_zero() {
        advice.notes.push(
            "All goal weights are 0, so every scenario scores 50; set the weights to get a ranking."
                .to_owned(),
        );
    }
    advice
}

impl AdvisorInputs {
    fn goals_all_zero(&self) -> bool {
        Goal::ALL.iter().all(|g| self.goals.weight(*g) == 0)
    }
}

fn rule_out<'a>(
    inputs: &AdvisorInputs,
    s: &'a Scenario,
    ceiling: Option<f64>,
    unpriced: &mut Vec<&'a str>,
) -> Option<(ConstraintKind, String)> {
    let c = &inputs.constraints;
    let org = &inputs.organisation;

    if !org.current_system.is_on_prem()
        && s.prerequisites.iter().any(|p| p.need == Need::OnPremServer)
    {
        return Some((
            ConstraintKind::NoOnPremServer,
            format!(
                "It needs an on-premises mail server that keeps running, and the organisation has {}.",
                org.current_system.label()
            ),
        ));
    }

    if c.inhouse_copy_required && s.compliance.inhouse_copy != InHouseCopy::All {
        let hosted_retention = matches!(
            s.compliance.retention_from,
            RetentionSource::HostedPlan | RetentionSource::Both
        );
        if !(hosted_retention && inputs.hosted_retention_and_hold(&s.id)) {
            let what = match s.compliance.inhouse_copy {
                InHouseCopy::Partial => "keeps only part of the mail in-house",
                _ => "keeps no copy of the mail in-house",
            };
            let unless = if hosted_retention {
                " It would be acceptable if the chosen hosted plan had retention and legal hold (e.g. Google Vault, Exchange Online Plan 2 or Archiving) and the compliance team accepts that in place of the in-house copy."
            } else {
                ""
            };
            return Some((
                ConstraintKind::InHouseCopyRequired,
                format!(
                    "An in-house copy of all mail is required, and this scenario {what}.{unless}"
                ),
            ));
        }
    }

    if c.no_admin_rights {
        let needs: Vec<&str> = s
            .prerequisites
            .iter()
            .filter(|p| p.need.is_admin_right())
            .map(|p| p.need.label())
            .collect();
        if !needs.is_empty() {
            return Some((
                ConstraintKind::NoAdminRights,
                format!(
                    "It needs {}, and you said you have no admin rights. Someone who has them must do the set-up, or pick another scenario.",
                    join_words(&needs)
                ),
            ));
        }
    }

    if let Some(ceiling) = ceiling {
        match inputs.cost_per_seat_year.get(&s.id) {
            Some(cost) if *cost > ceiling => {
                return Some((
                    ConstraintKind::BudgetCeiling,
                    format!(
                        "It costs about {cost:.2} per seat per year, above the ceiling of {ceiling:.2}."
                    ),
                ));
            }
            Some(_) => {}
            None => unpriced.push(&s.id),
        }
    }
    None
}

fn score(inputs: &AdvisorInputs, s: &Scenario) -> RankedScenario {
    let goals = &inputs.goals;
    let org = &inputs.organisation;
    let c = &inputs.constraints;
    let mut reasons: Vec<Reason> = Vec::new();
    let mut raw: i32 = 0;
    let mut max: i32 = 0;

    for goal in Goal::ALL {
        let weight = i32::from(goals.weight(goal));
        let Some(ge) = s.goal_effects.iter().find(|g| g.goal == goal) else {
            continue;
        };
        max += 2 * weight;
        if weight == 0 {
            continue;
        }
        let mut effect = ge.effect;
        let mut why = ge.why.trim().trim_end_matches('.').to_owned();
        if goal == Goal::ComplianceRetention
            && s.compliance.retention_from == RetentionSource::HostedPlan
            && !inputs.hosted_retention_and_hold(&s.id)
            && effect.value() > -1
        {
            effect = Effect::Hurts;
            why = "the chosen hosted plan has no retention or legal hold, so nothing in this scenario keeps mail for the required years; pick a tier with it (Google Business Plus/Enterprise with Vault, Exchange Online Plan 2, or Plan 1 with Exchange Online Archiving)".to_owned();
        }
        if goal == Goal::LargerMailboxes && org.current_quota_mb > 0 && effect.value() > 0 {
            why = format!(
                "{why} (today's quota is {} MB)",
                group_thousands(org.current_quota_mb)
            );
        }
        let points = weight * effect.value();
        raw += points;
        reasons.push(Reason {
            goal: Some(goal),
            points,
            text: format!(
                "{} matters {} to you (weight {weight} of 5), and this {} it. {}.",
                capitalise(goal.label()),
                importance(weight),
                effect.label(),
                capitalise(&why)
            ),
        });
    }

    // Organisation facts.
    let total = org.seats_total.max(1);
    let moving = org.seats_moving.min(total);
    let share = f64::from(moving) / f64::from(total);
    let moving_words = format!(
        "{} of {} seats would move",
        group_thousands(moving),
        group_thousands(total)
    );
    let adjust = |points: i32, text: String, reasons: &mut Vec<Reason>, raw: &mut i32| {
        *raw += points;
        reasons.push(Reason {
            goal: None,
            points,
            text,
        });
    };
    let gives_hosted_mailbox = s
        .mail_flow
        .iter()
        .any(|h| matches!(h.kind, HopKind::HostedService | HopKind::PersonalMailbox));
    match s.scope {
        Scope::Everyone if gives_hosted_mailbox && share < 0.5 => adjust(
            -3,
            format!(
                "Only {moving_words}; this scenario changes things for everyone, which is more than was asked for."
            ),
            &mut reasons,
            &mut raw,
        ),
        Scope::Everyone if gives_hosted_mailbox && share >= 0.9 => adjust(
            2,
            format!(
                "{} (nearly everyone), which suits a scenario for everyone.",
                capitalise(&moving_words)
            ),
            &mut reasons,
            &mut raw,
        ),
        Scope::SomeUsers if share < 0.9 && moving > 0 => adjust(
            2,
            format!(
                "{}; this scenario is built to move a chosen group and leave the rest as they are.",
                capitalise(&moving_words)
            ),
            &mut reasons,
            &mut raw,
        ),
        Scope::Individuals if moving > 50 => adjust(
            -3,
            format!(
                "{}; this scenario is set up one user at a time, which does not scale to that many people and leaves the helpdesk with many one-off set-ups.",
                capitalise(&moving_words)
            ),
            &mut reasons,
            &mut raw,
        ),
        Scope::Individuals if moving > 0 => adjust(
            1,
            format!(
                "{}; a per-user set-up is manageable for so few.",
                capitalise(&moving_words)
            ),
            &mut reasons,
            &mut raw,
        ),
        _ => {}
    }
    if moving > 0 && !gives_hosted_mailbox {
        // The larger the share that asks to move, the more a scenario that moves nobody misses.
        adjust(
            -3 - (share * 12.0).round() as i32,
            format!(
                "{}, but this scenario gives nobody a hosted mailbox: it answers the need for access, not the wish to move.",
                capitalise(&moving_words)
            ),
            &mut reasons,
            &mut raw,
        );
    }
    if s.compliance.mail_leaves_control && goals.weight(Goal::ComplianceRetention) >= 3 {
        adjust(
            -4,
            "Mail leaves systems the organisation controls, which a compliance team with retention duties will usually refuse.".to_owned(),
            &mut reasons,
            &mut raw,
        );
    }
    if c.inhouse_copy_required
        && s.compliance.inhouse_copy != InHouseCopy::All
        && inputs.hosted_retention_and_hold(&s.id)
    {
        adjust(
            -2,
            "It keeps no complete in-house copy, which was required; it stays in the list only because the chosen hosted plan has retention and legal hold. Confirm with the compliance team that this replaces the in-house copy.".to_owned(),
            &mut reasons,
            &mut raw,
        );
    }

    let fit = if max == 0 {
        50.0
    } else {
        50.0 + 50.0 * f64::from(raw) / f64::from(max)
    };
    reasons.sort_by_key(|r| std::cmp::Reverse(r.points.abs()));
    RankedScenario {
        id: s.id.clone(),
        name: s.name.clone(),
        fit: fit.round().clamp(0.0, 100.0) as u8,
        reasons,
    }
}

fn importance(weight: i32) -> &'static str {
    match weight {
        5 => "most",
        4 => "a lot",
        3 => "quite a bit",
        2 => "somewhat",
        _ => "a little",
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

fn join_words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// 5800 → "5,800".
pub fn group_thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The classic case: 5,800 seats on Domino with a 1,280 MB quota, SOX retention, an in-house copy
/// the compliance team insists on, a $50 per seat per year budget (the 2008 Google Apps Premier
/// price), and a group of users who want Gmail.
pub fn classic_case() -> (Organisation, Goals, Constraints) {
    (
        Organisation {
            seats_total: 5_800,
            seats_moving: 2_000,
            current_system: CurrentSystem::Domino,
            current_quota_mb: 1_280,
        },
        Goals {
            cost_reduction: 3,
            simplification: 2,
            access_anywhere: 4,
            keep_onprem_apps: 4,
            compliance_retention: 5,
            larger_mailboxes: 4,
            data_residency: 1,
        },
        Constraints {
            inhouse_copy_required: true,
            no_admin_rights: false,
            budget_ceiling_per_seat_year: Some(50.0),
            hosted_plan_has_retention_and_hold: false,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// POP3 vs IMAP

/// Where the user's mail should live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MailHome {
    /// On the server (kept, backed up, searchable by retention tools).
    Server,
    /// On the user's computer, in the client.
    Client,
    /// No preference.
    Either,
}

/// How many devices read the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Devices {
    One,
    Several,
}

/// How much storage the server offers for the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServerStorage {
    /// Enough to keep all mail on the server (hosted plans: 30 GB and up).
    Ample,
    /// A tight quota (e.g. 1,280 MB): mail must leave the server.
    Limited,
}

/// The answer to the POP3 vs IMAP question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Choice {
    Pop3,
    Imap,
}

impl Choice {
    pub fn label(self) -> &'static str {
        match self {
            Choice::Pop3 => "POP3",
            Choice::Imap => "IMAP",
        }
    }
}

/// Answers POP3 or IMAP, with the reasons in plain sentences.
///
/// Several devices or mail that must live on the server decide for IMAP; mail kept in one client
/// with a tight server quota points to POP3. A tie goes to IMAP, because the mail then stays where
/// backup and retention can reach it.
pub fn pop_or_imap(
    where_mail_lives: MailHome,
    devices: Devices,
    offline: bool,
    server_storage: ServerStorage,
) -> (Choice, Vec<String>) {
    let mut imap: i32 = 0;
    let mut reasons: Vec<String> = Vec::new();

    match devices {
        Devices::Several => {
            imap += 3;
            reasons.push("Several devices read this mailbox: with IMAP they all see the same folders, read marks and sent mail; with POP3 each device downloads its own copy and they drift apart.".to_owned());
        }
        Devices::One => reasons.push(
            "One device reads this mailbox, so POP3's one-copy-per-device limitation does not bite."
                .to_owned(),
        ),
    }
    match where_mail_lives {
        MailHome::Server => {
            imap += 2;
            reasons.push("The mail should live on the server, where it is backed up and where retention and legal-hold tools can find it; IMAP leaves it there.".to_owned());
        }
        MailHome::Client => {
            imap -= 2;
            reasons.push("The mail should live in the client: POP3 downloads it and, if set to, deletes it from the server. The computer then holds the only copy, so it must be backed up.".to_owned());
        }
        MailHome::Either => {}
    }
    match server_storage {
        ServerStorage::Limited => {
            imap -= 1;
            reasons.push("Server storage is tight: POP3 with delete-after-download keeps the server mailbox small, while IMAP keeps everything against the quota.".to_owned());
        }
        ServerStorage::Ample => {
            imap += 1;
            reasons.push(
                "Server storage is ample, so keeping all mail on the server with IMAP costs nothing extra."
                    .to_owned(),
            );
        }
    }
    if offline {
        reasons.push("Offline use works with both: POP3 mail is local by nature; with IMAP turn on the client's offline or cached mode (Outlook cached mode, Thunderbird offline folders) so the mail is synchronised to the device.".to_owned());
    }

    let choice = if imap >= 0 {
        Choice::Imap
    } else {
        Choice::Pop3
    };
    match choice {
        Choice::Pop3 => {
            reasons.push("Watch for: POP3-fetched mail can show the time it was downloaded instead of the time it was sent when the client sorts by arrival, or when a message lacks a proper Date: header; sort by the sent date, and check the client's POP date setting.".to_owned());
            reasons.push("Watch for: POP3 has no folders and no server-side sent mail; set 'leave a copy on the server' only if another device or a retention tool needs it.".to_owned());
        }
        Choice::Imap => {
            reasons.push("Watch for: IMAP needs the server quota to hold all the mail; a hosted plan's 30 GB or more does, an old 1,280 MB on-premises quota does not.".to_owned());
        }
    }
    (choice, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(5800), "5,800");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn several_devices_means_imap() {
        let (c, why) = pop_or_imap(
            MailHome::Either,
            Devices::Several,
            false,
            ServerStorage::Limited,
        );
        assert_eq!(c, Choice::Imap);
        assert!(why.iter().any(|r| r.contains("Several devices")));
    }

    #[test]
    fn one_device_client_storage_and_tight_quota_means_pop() {
        let (c, why) = pop_or_imap(MailHome::Client, Devices::One, true, ServerStorage::Limited);
        assert_eq!(c, Choice::Pop3);
        assert!(why.iter().any(|r| r.contains("downloaded")), "{why:?}");
        assert!(why.iter().any(|r| r.contains("Offline")));
    }

    #[test]
    fn tie_goes_to_imap() {
        // Client (-2) + several devices (+3) + tight storage (-1) = 0: a tie.
        let (c, _) = pop_or_imap(
            MailHome::Client,
            Devices::Several,
            false,
            ServerStorage::Limited,
        );
        assert_eq!(c, Choice::Imap);
        let (c, _) = pop_or_imap(MailHome::Client, Devices::One, false, ServerStorage::Ample);
        assert_eq!(c, Choice::Pop3);
        let (c, _) = pop_or_imap(MailHome::Either, Devices::One, false, ServerStorage::Ample);
        assert_eq!(c, Choice::Imap);
        let (c, _) = pop_or_imap(
            MailHome::Either,
            Devices::One,
            false,
            ServerStorage::Limited,
        );
        assert_eq!(c, Choice::Pop3);
    }

    #[test]
    fn defaults_round_trip_through_ron() {
        let (o, g, c) = classic_case();
        let text = crate::files::to_ron(&(o.clone(), g.clone(), c.clone())).unwrap();
        let back: (Organisation, Goals, Constraints) =
            crate::files::parse_ron("t.ron", &text).unwrap();
        assert_eq!(back, (o, g, c));
        let empty: Organisation = crate::files::parse_ron("t.ron", "()").unwrap();
        assert_eq!(empty, Organisation::default());
    }
}
