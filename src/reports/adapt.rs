//! Fills [`ReportInputs`] from the engines' own types: the plan, the advisor's advice,
//! scenarios, the cost estimate and diagnoses.

use super::inputs::*;
use crate::advisor::{Advice, AdvisorInputs};
use crate::costs::books::Catalogue;
use crate::costs::model::{Estimate, ScenarioCosts, estimate_plan, role_label};
use crate::diagnose::Diagnosis;
use crate::plan::Plan;
use crate::scenarios::{Goal, Scenario};

/// The organisation, goals and constraints of a plan, in words.
pub fn plan_context(plan: &Plan) -> PlanContext {
    let o = &plan.organisation;
    let mut organisation = vec![
        ("Seats in total".to_owned(), group(o.seats_total)),
        ("Seats that would move".to_owned(), group(o.seats_moving)),
        (
            "Current system".to_owned(),
            o.current_system.label().to_owned(),
        ),
    ];
    if o.current_quota_mb > 0 {
        organisation.push((
            "Current mailbox quota".into(),
            format!("{} MB", group(o.current_quota_mb)),
        ));
    }
    let mut goals: Vec<(Goal, u8)> = Goal::ALL
        .iter()
        .map(|g| (*g, plan.goals.weight(*g)))
        .collect();
    goals.sort_by_key(|g| std::cmp::Reverse(g.1));
    let goals = goals
        .into_iter()
        .map(|(g, w)| (capitalise(g.label()), format!("{w} of 5")))
        .collect();
    let c = &plan.constraints;
    let mut constraints = Vec::new();
    if c.inhouse_copy_required {
        constraints.push("A complete in-house copy of all mail is required.".to_owned());
    }
    if c.no_admin_rights {
        constraints
            .push("No admin rights on the mail server, gateway, DNS or hosted tenant.".to_owned());
    }
    if let Some(ceiling) = c.budget_ceiling_per_seat_year {
        constraints.push(format!(
            "Budget ceiling: {} per seat per year.",
            crate::costs::Money::from_cents((ceiling * 100.0).round() as i64)
                .format(&plan.costs.currency)
        ));
    }
    if c.hosted_plan_has_retention_and_hold {
        constraints.push("The chosen hosted plan includes retention and legal hold.".to_owned());
    }
    PlanContext {
        name: plan.name.clone(),
        organisation,
        goals,
        constraints,
    }
}

fn group(n: u32) -> String {
    super::build::group_thousands(u64::from(n))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The advisor's answer.
pub fn recommendation(advice: &Advice) -> Recommendation {
    Recommendation {
        ranked: advice
            .ranked
            .iter()
            .map(|r| RankedScenario {
                id: r.id.clone(),
                name: r.name.clone(),
                score: Some(f64::from(r.fit)),
                reasons: r.reasons.iter().map(|x| x.text.clone()).collect(),
            })
            .collect(),
        ruled_out: advice
            .ruled_out
            .iter()
            .map(|r| RuledOut {
                id: r.id.clone(),
                name: r.name.clone(),
                reasons: vec![r.reason.clone()],
            })
            .collect(),
        pop_or_imap: None,
        notes: advice.notes.clone(),
    }
}

/// One scenario in detail. `done` is the plan's ticked checklist steps for it.
/// `goals` picks which goals the comparison table shows.
pub fn scenario_detail(s: &Scenario, done: Option<&Vec<bool>>, goals: &[Goal]) -> ScenarioDetail {
    let mut changes = Vec::new();
    if !s.dns_changes.is_empty() {
        changes.push(("DNS".to_owned(), s.dns_changes.clone()));
    }
    if !s.server_changes.is_empty() {
        changes.push(("Gateway and servers".to_owned(), s.server_changes.clone()));
    }
    let mut client = Vec::new();
    client.push(format!("Access: {}.", s.client_setup.access.label()));
    if !s.client_setup.reasoning.is_empty() {
        client.push(s.client_setup.reasoning.clone());
    }
    client.extend(s.client_setup.steps.iter().cloned());
    changes.push(("Clients".to_owned(), client));
    let c = &s.compliance;
    let mut compliance = vec![
        (
            "In-house copy".to_owned(),
            format!("{:?}. {}", c.inhouse_copy, c.inhouse_copy_note)
                .trim()
                .to_owned(),
        ),
        ("Retention".to_owned(), c.retention.clone()),
        ("Legal hold".to_owned(), c.legal_hold.clone()),
        ("Data residency".to_owned(), c.data_residency.clone()),
    ];
    if c.mail_leaves_control {
        compliance.push((
            "Caveat".into(),
            "Mail leaves systems the organisation controls.".into(),
        ));
    }
    compliance.retain(|(_, v)| !v.trim().is_empty());
    ScenarioDetail {
        id: s.id.clone(),
        name: s.name.clone(),
        summary: s.summary.clone(),
        mail_flow: s
            .mail_flow
            .iter()
            .map(|h| {
                if h.label.is_empty() {
                    h.kind.label().to_owned()
                } else {
                    h.label.clone()
                }
            })
            .collect(),
        changes,
        prerequisites: s.prerequisites.iter().map(|p| p.text.clone()).collect(),
        checklist: s
            .checklist
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    t.clone(),
                    done.and_then(|d| d.get(i)).copied().unwrap_or(false),
                )
            })
            .collect(),
        risks: s.risks.clone(),
        compliance,
        push_back: s.push_back.clone(),
        goal_fit: goals
            .iter()
            .map(|g| {
                let fit = s
                    .goal_effects
                    .iter()
                    .find(|e| e.goal == *g)
                    .map(|e| e.effect.label().to_owned())
                    .unwrap_or_else(|| "–".into());
                (capitalise(g.label()), fit)
            })
            .collect(),
        fit_reasons: Vec::new(),
    }
}

/// The cost estimate.
pub fn cost_report(est: &Estimate) -> CostReport {
    let mut warnings: Vec<String> = est.input_warnings.clone();
    let notes = est
        .break_even
        .iter()
        .map(|b| b.explanation.clone())
        .filter(|t| !t.is_empty())
        .collect();
    warnings.dedup();
    CostReport {
        currency: est.currency.clone(),
        horizon_years: est.horizon_years,
        discount_rate_percent: est.discount_rate_percent,
        escalation_percent: est.escalation_percent,
        seats_total: est.seats_total,
        seats_moving: est.seats_moving,
        scenarios: est
            .scenarios
            .iter()
            .map(|s| {
                let t = s.totals.as_ref();
                ScenarioCost {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    seats: est.seats_total,
                    one_off: t.map(|t| t.year0.cents()),
                    yearly: t.map(|t| t.run_rate.cents()),
                    per_seat_year: t.and_then(|t| t.per_seat_year).map(|m| m.cents()),
                    total: t.map(|t| t.total.cents()),
                    npv: t.map(|t| t.npv.cents()),
                    by_year: t
                        .map(|t| t.years.iter().map(|m| m.cents()).collect())
                        .unwrap_or_default(),
                    lines: s
                        .lines
                        .iter()
                        .map(|l| CostLineRow {
                            role: role_label(l.role).to_owned(),
                            item: if l.description.is_empty() {
                                l.item.clone().unwrap_or_default()
                            } else {
                                l.description.clone()
                            },
                            quantity: super::build::group_thousands(l.quantity),
                            unit_price: match (l.unit_price, l.unit) {
                                (Some(p), Some(u)) => {
                                    format!("{} {}", p.format(&est.currency), u.label())
                                }
                                (Some(p), None) => p.format(&est.currency),
                                (None, _) if l.one_off.is_none() && l.yearly.is_none() => {
                                    "quote needed".into()
                                }
                                (None, _) => l.formula.clone(),
                            },
                            one_off: l.one_off.map(|m| m.cents()).filter(|c| *c != 0),
                            yearly: l.yearly.map(|m| m.cents()).filter(|c| *c != 0),
                            source: l.source.clone(),
                            as_of: l.as_of.map(|d| d.to_string()).unwrap_or_default(),
                        })
                        .collect(),
                    warnings: s.warnings.iter().map(|w| w.message.clone()).collect(),
                }
            })
            .collect(),
        cheapest: est.cheapest.clone(),
        warnings,
        notes,
    }
}

/// Everything for a planning report: plan context, advice, the ranked scenarios in detail,
/// and costs for every scenario.
pub fn planning_inputs(
    plan: &Plan,
    scenarios: &[Scenario],
    catalogue: &Catalogue,
    today: chrono::NaiveDate,
) -> ReportInputs {
    let costs: Vec<ScenarioCosts> = scenarios
        .iter()
        .map(|s| ScenarioCosts::new(s.id.clone(), s.name.clone(), s.cost_lines.clone()))
        .collect();
    let est = estimate_plan(plan, &costs, catalogue, today);
    let advisor_inputs = AdvisorInputs::with_estimate(plan, &est, catalogue);
    let advice = crate::advisor::advise(&advisor_inputs, scenarios);
    // The comparison table shows the four goals that weigh most.
    let mut goals: Vec<Goal> = Goal::ALL.to_vec();
    goals.sort_by_key(|g| std::cmp::Reverse(plan.goals.weight(*g)));
    goals.retain(|g| plan.goals.weight(*g) > 0);
    goals.truncate(4);
    let details = advice
        .ranked
        .iter()
        .filter_map(|r| scenarios.iter().find(|s| s.id == r.id).map(|s| (r, s)))
        .map(|(r, s)| {
            let mut d = scenario_detail(s, plan.checklists.get(&s.id), &goals);
            d.fit_reasons = r.reasons.iter().map(|x| x.text.clone()).collect();
            d
        })
        .collect();
    ReportInputs {
        plan: Some(plan_context(plan)),
        recommendation: Some(recommendation(&advice)),
        scenarios: details,
        costs: Some(cost_report(&est)),
        ..Default::default()
    }
}

/// A diagnosis: the domain's facts and findings, and every endpoint checked.
pub fn diagnosis_report(d: &Diagnosis) -> DiagnosisReport {
    let mut facts = vec![("Asked about".to_owned(), d.input.clone())];
    if d.display_domain != d.domain {
        facts.push((
            "Domain".into(),
            format!("{} ({})", d.display_domain, d.domain),
        ));
    } else {
        facts.push(("Domain".into(), d.domain.clone()));
    }
    facts.push(("Verdict".into(), d.verdict.label().to_uppercase()));
    if let Some(dns) = &d.dns {
        let mx = dns
            .mx
            .iter()
            .map(|m| format!("{} ({})", m.display_host, m.preference))
            .collect::<Vec<_>>()
            .join(", ");
        facts.push(("MX".into(), if mx.is_empty() { "none".into() } else { mx }));
        let providers = dns
            .providers
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        if !providers.is_empty() {
            facts.push(("Provider".into(), providers));
        }
    }
    if let Some(r) = &d.summary.incoming {
        facts.push(("Incoming mail".into(), r.describe()));
    }
    if let Some(r) = &d.summary.outgoing {
        facts.push(("Outgoing mail".into(), r.describe()));
    }
    if !d.summary.imap_or_pop.is_empty() {
        facts.push(("IMAP or POP3".into(), d.summary.imap_or_pop.clone()));
    }
    for n in &d.summary.notes {
        facts.push(("Note".into(), n.clone()));
    }
    if d.insecure {
        facts.push(("Certificate checks".into(), "off (--insecure)".into()));
    }
    DiagnosisReport {
        subject: d.input.clone(),
        facts,
        findings: d.findings.clone(),
        checks: d.endpoints.iter().map(|e| e.result.clone()).collect(),
    }
}

impl From<&Diagnosis> for DiagnosisReport {
    fn from(d: &Diagnosis) -> Self {
        diagnosis_report(d)
    }
}

impl From<&Estimate> for CostReport {
    fn from(e: &Estimate) -> Self {
        cost_report(e)
    }
}
