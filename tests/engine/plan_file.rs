//! The plan file: round-trip, versions, corrupt files left untouched.

use mailplan::costs::{AdminEffort, BillingTerm, CostRole, Money};
use mailplan::plan::{PLAN_VERSION, Plan, load_plan, parse_plan, save_plan};

fn sample() -> Plan {
    let mut plan = Plan {
        name: "Test plan".into(),
        ..Plan::default()
    };
    plan.costs.seats_total = 5800;
    plan.costs.seats_moving = 2000;
    plan.costs
        .tiers
        .entry("dual-delivery-some".into())
        .or_default()
        .insert(CostRole::HostedSubscription, "google.apps.premier".into());
    plan.costs
        .billing
        .insert("hosted-only".into(), BillingTerm::Flexible);
    plan.costs
        .price_overrides
        .insert("hcl.domino.ccb".into(), Money::parse("31.25").unwrap());
    plan.costs.on_prem.admin = AdminEffort::Fte {
        fte: 2.5,
        loaded_salary: Money::parse("125840.00").unwrap(),
    };
    plan.costs.on_prem.licence_per_seat_year = Some(Money::parse("30.00").unwrap());
    plan.checklists
        .insert("hosted-only".into(), vec![true, false]);
    plan
}

#[test]
fn round_trip_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.ron");
    let plan = sample();
    save_plan(&path, &plan).unwrap();
    let back = load_plan(&path).unwrap();
    assert_eq!(back, plan);
    // Amounts are stored as exact decimal text.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"31.25\""), "{text}");
}

#[test]
fn older_version_loads_and_is_upgraded_in_memory_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.ron");
    // Version 0: no version field, an unknown old field, only some inputs.
    let text = "Plan(name: \"Old\", retired_field: 3, costs: (seats_total: 10))";
    std::fs::write(&path, text).unwrap();
    let plan = load_plan(&path).unwrap();
    assert_eq!(plan.version, PLAN_VERSION);
    assert_eq!(plan.name, "Old");
    assert_eq!(plan.costs.seats_total, 10);
    // Defaults for the rest.
    assert_eq!(plan.costs.horizon_years, 3);
    assert_eq!(plan.costs.discount_rate_percent, 10.0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn newer_version_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.ron");
    let text = format!(
        "Plan(version: {}, name: \"Future\", hover_car: true)",
        PLAN_VERSION + 1
    );
    std::fs::write(&path, &text).unwrap();
    let err = load_plan(&path).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("newer mailplan"), "{msg}");
    assert!(msg.contains("was not changed"), "{msg}");
    assert!(msg.contains("new.ron"), "{msg}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn corrupt_file_is_refused_with_position_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.ron");
    let text = "Plan(\n  version: 1,\n  costs: (seats_total: \"many\"),\n)";
    std::fs::write(&path, text).unwrap();
    let err = load_plan(&path).unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
    assert!(err.to_string().contains("corrupt.ron:3:"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    // Truncated and binary files too.
    std::fs::write(&path, "Plan(version: 1, name: \"x").unwrap();
    assert!(load_plan(&path).is_err());
    std::fs::write(&path, [0xffu8, 0xfe, 0x00, 0x01]).unwrap();
    let err = load_plan(&path).unwrap_err();
    assert!(err.message.contains("UTF-8"), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        vec![0xffu8, 0xfe, 0x00, 0x01]
    );
}

#[test]
fn failed_save_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-folder").join("plan.ron");
    assert!(save_plan(&path, &sample()).is_err());
}

#[test]
fn shipped_classic_example_loads() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/classic.ron");
    let plan = load_plan(&path).unwrap();
    assert_eq!(plan.organisation.seats_total, 5800);
    assert_eq!(plan.organisation.seats_moving, 2000);
    assert_eq!(plan.organisation.current_quota_mb, 1280);
    let inputs = mailplan::costs::model::plan_cost_inputs(&plan);
    assert_eq!((inputs.seats_total, inputs.seats_moving), (5800, 2000));
    assert_eq!(
        plan.costs.tiers["dual-delivery-some"][&CostRole::HostedSubscription],
        "google.apps.premier"
    );
    // Plans written by this version parse back through parse_plan as well.
    let text = mailplan::files::to_ron(&plan).unwrap();
    assert_eq!(parse_plan("x", &text).unwrap(), plan);
}
