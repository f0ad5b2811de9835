//! The advisor's rankings follow from the inputs.

use mailplan::advisor::{
    self, AdvisorInputs, ConstraintKind, Constraints, CurrentSystem, Goals, Organisation,
};
use mailplan::scenarios::{self, Scenario};

fn built_ins() -> Vec<Scenario> {
    let set = scenarios::built_in();
    assert!(set.errors.is_empty(), "{:?}", set.errors);
    set.list()
}

fn classic() -> AdvisorInputs {
    let (organisation, goals, constraints) = advisor::classic_case();
    AdvisorInputs {
        organisation,
        goals,
        constraints,
        ..Default::default()
    }
}

fn position(advice: &advisor::Advice, id: &str) -> Option<usize> {
    advice.ranked.iter().position(|r| r.id == id)
}

fn ruled_out_by(advice: &advisor::Advice, id: &str) -> Option<ConstraintKind> {
    advice
        .ruled_out
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.constraint)
}

#[test]
fn classic_case_ranks_dual_delivery_for_some_users_above_hosted_only() {
    let advice = advisor::advise(&classic(), &built_ins());
    let dual =
        position(&advice, "dual-delivery-some").expect("dual delivery for some users is ranked");
    // Hosted only is below it: ruled out by the in-house copy, or ranked lower.
    match position(&advice, "hosted-only") {
        Some(hosted) => assert!(dual < hosted),
        None => assert_eq!(
            ruled_out_by(&advice, "hosted-only"),
            Some(ConstraintKind::InHouseCopyRequired)
        ),
    }
    // Dual delivery for some users also beats dual delivery for everyone: only 2,000 of 5,800 move.
    let all = position(&advice, "dual-delivery-all").unwrap();
    assert!(dual < all, "{:#?}", advice.ranked);
    // 2,000 people asked for the hosted service: a scenario that moves nobody must not win.
    assert_eq!(dual, 0, "{:#?}", advice.ranked);
    let stay = position(&advice, "stay-onprem").expect("staying is ranked");
    assert!(
        advice.ranked[stay]
            .reasons
            .iter()
            .any(|x| x.text.contains("gives nobody a hosted mailbox")),
        "{:#?}",
        advice.ranked[stay].reasons
    );
    let r = &advice.ranked[dual];
    assert!(
        r.reasons
            .iter()
            .any(|x| x.text.contains("2,000 of 5,800 seats")),
        "{:#?}",
        r.reasons
    );
    assert!(
        r.reasons
            .iter()
            .any(|x| x.text.contains("Compliance and retention matters most")),
        "{:#?}",
        r.reasons
    );
    // The top pick's checklist is handed over.
    let top = advice.top.clone().unwrap();
    assert_eq!(top, advice.ranked[0].id);
    let expected = built_ins()
        .into_iter()
        .find(|s| s.id == top)
        .unwrap()
        .checklist;
    assert_eq!(advice.top_checklist, expected);
}

#[test]
fn classic_case_keeps_ranking_dual_delivery_above_hosted_only_even_with_retention_accepted() {
    // Even if the compliance team accepted a hosted tier with retention and legal hold instead of
    // the in-house copy, moving 5,800 people for the 2,000 who asked ranks lower.
    let mut inputs = classic();
    inputs.constraints.hosted_plan_has_retention_and_hold = true;
    let advice = advisor::advise(&inputs, &built_ins());
    let dual = position(&advice, "dual-delivery-some").unwrap();
    let hosted = position(&advice, "hosted-only").expect("no longer ruled out");
    assert!(dual < hosted, "{:#?}", advice.ranked);
    let h = &advice.ranked[hosted];
    assert!(
        h.reasons
            .iter()
            .any(|r| r.text.contains("Confirm with the compliance team")),
        "{:#?}",
        h.reasons
    );
}

#[test]
fn inhouse_copy_rules_out_hosted_only_unless_the_plan_has_retention_and_hold() {
    let base = AdvisorInputs {
        constraints: Constraints {
            inhouse_copy_required: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let advice = advisor::advise(&base, &built_ins());
    assert_eq!(
        ruled_out_by(&advice, "hosted-only"),
        Some(ConstraintKind::InHouseCopyRequired)
    );
    let why = &advice
        .ruled_out
        .iter()
        .find(|r| r.id == "hosted-only")
        .unwrap()
        .reason;
    assert!(why.contains("in-house"), "{why}");
    assert!(
        why.contains("retention and legal hold"),
        "says what would make it acceptable: {why}"
    );
    // Scenarios that keep everything in-house stay in.
    for id in [
        "dual-delivery-some",
        "dual-delivery-all",
        "stay-onprem",
        "remote-access",
    ] {
        assert!(position(&advice, id).is_some(), "{id} should be ranked");
    }
    // The consolidated client keeps only part of the mail in-house and has no hosted retention.
    assert_eq!(
        ruled_out_by(&advice, "consolidated-client"),
        Some(ConstraintKind::InHouseCopyRequired)
    );

    let mut with_vault = base.clone();
    with_vault.constraints.hosted_plan_has_retention_and_hold = true;
    let advice = advisor::advise(&with_vault, &built_ins());
    assert!(
        position(&advice, "hosted-only").is_some(),
        "{:?}",
        advice.ruled_out
    );
    assert_eq!(
        ruled_out_by(&advice, "consolidated-client"),
        Some(ConstraintKind::InHouseCopyRequired)
    );
}

#[test]
fn no_admin_rights_rules_out_scenarios_that_need_them() {
    let inputs = AdvisorInputs {
        constraints: Constraints {
            no_admin_rights: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let scenarios = built_ins();
    let advice = advisor::advise(&inputs, &scenarios);
    for s in &scenarios {
        let needs_admin = s.prerequisites.iter().any(|p| p.need.is_admin_right());
        if needs_admin {
            assert_eq!(
                ruled_out_by(&advice, &s.id),
                Some(ConstraintKind::NoAdminRights),
                "{}",
                s.id
            );
        } else {
            assert!(
                position(&advice, &s.id).is_some(),
                "{} needs no admin rights",
                s.id
            );
        }
    }
    // The consolidated client needs the right to add accounts in the client.
    let why = &advice
        .ruled_out
        .iter()
        .find(|r| r.id == "consolidated-client")
        .unwrap()
        .reason;
    assert!(
        why.contains("rights to add accounts in the mail client"),
        "{why}"
    );
    // Remote access needs approval and an always-on desktop, but no admin rights on mail or DNS.
    assert!(position(&advice, "remote-access").is_some());
    assert_eq!(advice.top.as_deref(), Some("remote-access"));
}

#[test]
fn budget_ceiling_uses_the_cost_model_figures_when_given() {
    let mut inputs = AdvisorInputs {
        constraints: Constraints {
            budget_ceiling_per_seat_year: Some(50.0),
            ..Default::default()
        },
        ..Default::default()
    };
    inputs.cost_per_seat_year.insert("hosted-only".into(), 96.0);
    inputs.cost_per_seat_year.insert("stay-onprem".into(), 40.0);
    let advice = advisor::advise(&inputs, &built_ins());
    assert_eq!(
        ruled_out_by(&advice, "hosted-only"),
        Some(ConstraintKind::BudgetCeiling)
    );
    let why = &advice
        .ruled_out
        .iter()
        .find(|r| r.id == "hosted-only")
        .unwrap()
        .reason;
    assert!(why.contains("96.00") && why.contains("50.00"), "{why}");
    assert!(position(&advice, "stay-onprem").is_some());
    // The others were not priced: the advice says so rather than pretending.
    assert!(
        advice
            .notes
            .iter()
            .any(|n| n.contains("not checked") && n.contains("remote-access")),
        "{:?}",
        advice.notes
    );
}

#[test]
fn no_on_prem_server_rules_out_scenarios_that_keep_one() {
    let inputs = AdvisorInputs {
        organisation: Organisation {
            current_system: CurrentSystem::Hosted,
            ..Default::default()
        },
        ..Default::default()
    };
    let advice = advisor::advise(&inputs, &built_ins());
    assert!(position(&advice, "hosted-only").is_some());
    assert_eq!(
        ruled_out_by(&advice, "stay-onprem"),
        Some(ConstraintKind::NoOnPremServer)
    );
}

#[test]
fn weights_drive_the_ranking() {
    // Someone who only cares about cost and simplicity, and wants everyone moved.
    let simple = AdvisorInputs {
        organisation: Organisation {
            seats_total: 200,
            seats_moving: 200,
            current_system: CurrentSystem::Exchange,
            current_quota_mb: 2_000,
        },
        goals: Goals {
            cost_reduction: 5,
            simplification: 5,
            access_anywhere: 4,
            keep_onprem_apps: 0,
            compliance_retention: 0,
            larger_mailboxes: 3,
            data_residency: 0,
        },
        constraints: Constraints::default(),
        ..Default::default()
    };
    let advice = advisor::advise(&simple, &built_ins());
    assert_eq!(
        advice.top.as_deref(),
        Some("hosted-only"),
        "{:#?}",
        advice.ranked
    );
    // Running two systems for everyone is the opposite of what was asked.
    let all = position(&advice, "dual-delivery-all").unwrap();
    assert!(
        all > position(&advice, "stay-onprem").unwrap(),
        "{:#?}",
        advice.ranked
    );
    assert!(
        advice.ranked[all].fit < 50,
        "more harm than good: {:#?}",
        advice.ranked[all]
    );

    // Someone for whom data residency and on-premises applications matter most.
    let mut sovereign = simple.clone();
    sovereign.goals = Goals {
        cost_reduction: 1,
        simplification: 2,
        access_anywhere: 2,
        keep_onprem_apps: 5,
        compliance_retention: 3,
        larger_mailboxes: 0,
        data_residency: 5,
    };
    sovereign.organisation.seats_moving = 0;
    let advice = advisor::advise(&sovereign, &built_ins());
    assert_eq!(
        advice.top.as_deref(),
        Some("stay-onprem"),
        "{:#?}",
        advice.ranked
    );
    // Fits are ordered and within range.
    for pair in advice.ranked.windows(2) {
        assert!(pair[0].fit >= pair[1].fit);
    }
    assert!(advice.ranked.iter().all(|r| r.fit <= 100));
}

#[test]
fn hosted_plan_without_retention_counts_against_compliance() {
    let mut inputs = AdvisorInputs::default();
    inputs.goals.compliance_retention = 5;
    let advice = advisor::advise(&inputs, &built_ins());
    let hosted = &advice.ranked[position(&advice, "hosted-only").unwrap()];
    let reason = hosted
        .reasons
        .iter()
        .find(|r| r.goal == Some(scenarios::Goal::ComplianceRetention))
        .unwrap();
    assert!(reason.points < 0, "{reason:?}");
    assert!(
        reason.text.contains("no retention or legal hold"),
        "{}",
        reason.text
    );

    inputs.constraints.hosted_plan_has_retention_and_hold = true;
    let advice = advisor::advise(&inputs, &built_ins());
    let hosted = &advice.ranked[position(&advice, "hosted-only").unwrap()];
    let reason = hosted
        .reasons
        .iter()
        .find(|r| r.goal == Some(scenarios::Goal::ComplianceRetention))
        .unwrap();
    assert!(reason.points > 0, "{reason:?}");
}

#[test]
fn everything_ruled_out_is_explained() {
    let inputs = AdvisorInputs {
        constraints: Constraints {
            inhouse_copy_required: true,
            no_admin_rights: true,
            ..Default::default()
        },
        organisation: Organisation {
            current_system: CurrentSystem::None,
            ..Default::default()
        },
        ..Default::default()
    };
    let advice = advisor::advise(&inputs, &built_ins());
    assert!(advice.ranked.is_empty());
    assert!(advice.top.is_none() && advice.top_checklist.is_empty());
    assert_eq!(advice.ruled_out.len(), 7);
    assert!(advice.notes.iter().any(|n| n.contains("ruled out")));
}

#[test]
fn plan_files_without_advisor_fields_load_with_defaults() {
    let plan: mailplan::plan::Plan = mailplan::files::parse_ron("p.ron", "(name: \"x\")").unwrap();
    assert_eq!(plan.organisation, Organisation::default());
    assert_eq!(plan.goals, Goals::default());
    assert_eq!(plan.constraints, Constraints::default());
    let partial: mailplan::plan::Plan = mailplan::files::parse_ron(
        "p.ron",
        "(organisation: (seats_total: 5800, current_system: Domino), goals: (compliance_retention: 5), constraints: (budget_ceiling_per_seat_year: Some(50.0)))",
    )
    .unwrap();
    assert_eq!(partial.organisation.seats_total, 5800);
    assert_eq!(partial.organisation.current_system, CurrentSystem::Domino);
    assert_eq!(partial.goals.compliance_retention, 5);
    assert_eq!(
        partial.goals.cost_reduction,
        Goals::default().cost_reduction
    );
    assert_eq!(partial.constraints.budget_ceiling_per_seat_year, Some(50.0));
    let from_plan = AdvisorInputs::from_plan(&partial);
    assert_eq!(from_plan.organisation.seats_total, 5800);
}

/// The in-house-copy rule reads the price book for the tier the plan chooses: a plan priced with
/// Vault (Business Plus) keeps hosted-only in the list; the 2008 Premier tier (no retention or hold
/// in the book) rules it out; and ticking "has retention" against a book that says otherwise
/// leaves hosted-only in but says that the two disagree.
#[test]
fn in_house_copy_rule_follows_the_chosen_tier_in_the_price_book() {
    use mailplan::costs::books::builtin_catalogue;
    use mailplan::costs::model::estimate_plan;
    use mailplan::costs::{CostRole, ScenarioCosts};
    let list = built_ins();
    let (catalogue, errors) = builtin_catalogue();
    assert!(errors.is_empty(), "{errors:?}");
    let costs: Vec<ScenarioCosts> = list
        .iter()
        .map(|s| ScenarioCosts::new(s.id.clone(), s.name.clone(), s.cost_lines.clone()))
        .collect();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let plan_with = |tier: &str, ticked: bool| {
        let mut plan = mailplan::plan::Plan::default();
        let (organisation, goals, constraints) = advisor::classic_case();
        plan.organisation = organisation;
        plan.goals = goals;
        plan.constraints = constraints;
        plan.constraints.budget_ceiling_per_seat_year = None;
        plan.constraints.hosted_plan_has_retention_and_hold = ticked;
        plan.costs.tiers.insert(
            "hosted-only".into(),
            [(CostRole::HostedSubscription, tier.to_owned())].into(),
        );
        plan
    };
    let advise = |plan: &mailplan::plan::Plan| {
        let est = estimate_plan(plan, &costs, &catalogue, today);
        advisor::advise(&AdvisorInputs::with_estimate(plan, &est, &catalogue), &list)
    };

    let vault = advise(&plan_with("google.workspace.business_plus", false));
    assert!(
        position(&vault, "hosted-only").is_some(),
        "{:#?}",
        vault.ruled_out
    );
    let hosted = &vault.ranked[position(&vault, "hosted-only").unwrap()];
    assert!(
        hosted
            .reasons
            .iter()
            .any(|r| r.text.contains("Confirm with the compliance team")),
        "{:#?}",
        hosted.reasons
    );

    let premier = advise(&plan_with("google.apps.premier", false));
    assert_eq!(
        ruled_out_by(&premier, "hosted-only"),
        Some(ConstraintKind::InHouseCopyRequired)
    );

    let contradiction = advise(&plan_with("google.apps.premier", true));
    assert!(position(&contradiction, "hosted-only").is_some());
    assert!(
        contradiction
            .notes
            .iter()
            .any(|n| n.contains("Google Apps") && n.contains("does not")),
        "{:#?}",
        contradiction.notes
    );
}
