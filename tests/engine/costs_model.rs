//! Hand-computed cost model cases.

use chrono::NaiveDate;
use mailplan::costs::books::{Catalogue, PriceBook, builtin_catalogue, parse_book};
use mailplan::costs::model::{WarningKind, estimate};
use mailplan::costs::{
    AdminEffort, BillingTerm, CostInputs, CostLine, CostRole, Money, ScenarioCosts, SeatBasis,
};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
}

fn m(text: &str) -> Money {
    Money::parse(text).unwrap()
}

fn line(role: CostRole, seats: SeatBasis, item: Option<&str>) -> CostLine {
    CostLine {
        role,
        seats,
        default_item: item.map(str::to_owned),
        note: String::new(),
    }
}

fn classic_inputs() -> CostInputs {
    CostInputs {
        seats_total: 5800,
        seats_moving: 2000,
        current_quota_mb: 1280,
        ..CostInputs::default()
    }
}

/// A small book for exact arithmetic, independent of the seeded prices.
fn test_catalogue() -> Catalogue {
    let text = r#"PriceBook(id: "test", name: "Test", currency: "USD", items: [
        PriceItem(id: "hosted.cheap", product: "Hosted", tier: "Cheap", price: Price("4.00"),
            unit: PerUserPerMonth,
            billing: [(term: Annual, surcharge_percent: 0.0), (term: AnnualBilledMonthly, surcharge_percent: 5.0),
                      (term: Flexible, surcharge_percent: 20.0)],
            mailbox_gb: Some(50), seat_max: Some(300),
            source: "test", as_of: "2026-10-01", confidence: High),
        PriceItem(id: "onprem.licence", product: "Server", price: Quote, unit: PerUserPerYear,
            source: "test", as_of: "2026-10-01", confidence: High),
        PriceItem(id: "migration.tool", product: "Tool", price: Price("12.00"), unit: PerMailboxOnce,
            source: "test", as_of: "2026-10-01", confidence: Low),
        PriceItem(id: "old.price", product: "Old", price: Price("1.00"), unit: PerUserPerYear,
            source: "test", as_of: "2025-11-01", confidence: High),
        PriceItem(id: "tiny.mailbox", product: "Tiny", price: Price("1.00"), unit: PerUserPerYear,
            mailbox_gb: Some(1), source: "test", as_of: "2026-10-01", confidence: High),
    ])"#;
    let book: PriceBook = parse_book("test.ron", text).unwrap();
    let mut c = Catalogue::default();
    c.add_book(&book, "test.ron");
    c
}

#[test]
fn classic_2008_book_2000_seats_at_50_is_100k_a_year() {
    let (catalogue, errors) = builtin_catalogue();
    assert!(errors.is_empty(), "{errors:?}");
    let scenarios = vec![ScenarioCosts::new(
        "dual-delivery-some",
        "Dual delivery for some users",
        vec![line(
            CostRole::HostedSubscription,
            SeatBasis::Moving,
            Some("google.apps.premier"),
        )],
    )];
    let est = estimate(&classic_inputs(), &scenarios, &catalogue, today());
    let s = est.scenario("dual-delivery-some").unwrap();
    let t = s.totals.as_ref().expect("totals");
    assert_eq!(t.run_rate, Money::from_units(100_000));
    assert_eq!(t.run_rate.format("USD"), "$100,000.00");
    assert_eq!(t.year0, Money::ZERO);
    assert_eq!(t.total, Money::from_units(300_000));
    // Per seat of the whole organisation: 100,000 / 5,800 = 17.2413... → 17.24.
    assert_eq!(t.per_seat_year, Some(m("17.24")));
    // The 2008 book is historical, never silently "current".
    assert!(
        s.warnings
            .iter()
            .any(|w| w.kind == WarningKind::HistoricalPrice)
    );
    // 25 GB is above the 1,280 MB Domino quota: no mailbox warning.
    assert!(
        !s.warnings
            .iter()
            .any(|w| w.kind == WarningKind::MailboxTooSmall)
    );
    assert_eq!(
        s.lines[0].source,
        catalogue.get("google.apps.premier").unwrap().item.source
    );
    assert_eq!(
        s.lines[0].as_of,
        Some(NaiveDate::from_ymd_opt(2009, 1, 6).unwrap())
    );
}

#[test]
fn npv_matches_hand_computation() {
    // 100,000.00 a year for 3 years at 10%: 90,909.09 + 82,644.63 + 75,131.48 = 248,685.20.
    let (catalogue, _) = builtin_catalogue();
    let scenarios = vec![ScenarioCosts::new(
        "s",
        "S",
        vec![line(
            CostRole::HostedSubscription,
            SeatBasis::Moving,
            Some("google.apps.premier"),
        )],
    )];
    let est = estimate(&classic_inputs(), &scenarios, &catalogue, today());
    let t = est.scenarios[0].totals.clone().unwrap();
    assert_eq!(t.npv, m("248685.20"));

    // With a year-0 cost, 5% escalation and a 2-year horizon:
    // year0 = 2,000 × 12.00 = 24,000.00 (migration tool, per mailbox once)
    // run = 2,000 × 4.00 × 12 = 96,000.00; year 2 = 100,800.00
    // NPV = 24,000 + 96,000/1.1 + 100,800/1.21 = 24,000 + 87,272.73 + 83,305.79 = 194,578.52
    let mut inputs = classic_inputs();
    inputs.horizon_years = 2;
    inputs.escalation_percent = 5.0;
    let scenarios = vec![ScenarioCosts::new(
        "s",
        "S",
        vec![
            line(
                CostRole::HostedSubscription,
                SeatBasis::Moving,
                Some("hosted.cheap"),
            ),
            line(
                CostRole::Migration,
                SeatBasis::Moving,
                Some("migration.tool"),
            ),
        ],
    )];
    let est = estimate(&inputs, &scenarios, &test_catalogue(), today());
    let t = est.scenarios[0].totals.clone().unwrap();
    assert_eq!(t.year0, m("24000.00"));
    assert_eq!(t.years, vec![m("24000.00"), m("96000.00"), m("100800.00")]);
    assert_eq!(t.total, m("220800.00"));
    assert_eq!(t.npv, m("194578.52"));
}

#[test]
fn seat_cap_of_300_warns() {
    let (catalogue, _) = builtin_catalogue();
    let scenarios = vec![ScenarioCosts::new(
        "hosted-only",
        "Hosted only",
        vec![line(
            CostRole::HostedSubscription,
            SeatBasis::Moving,
            Some("google.workspace.business_plus"),
        )],
    )];
    let est = estimate(&classic_inputs(), &scenarios, &catalogue, today());
    let s = &est.scenarios[0];
    let w = s
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::SeatCapExceeded)
        .expect("seat cap warning");
    assert!(w.message.contains("300"), "{}", w.message);
    assert!(w.message.contains("2,000"), "{}", w.message);
    // 300 seats exactly is fine.
    let mut inputs = classic_inputs();
    inputs.seats_moving = 300;
    let est = estimate(&inputs, &scenarios, &catalogue, today());
    assert!(
        !est.scenarios[0]
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::SeatCapExceeded)
    );
    // 301 is not.
    inputs.seats_moving = 301;
    let est = estimate(&inputs, &scenarios, &catalogue, today());
    assert!(
        est.scenarios[0]
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::SeatCapExceeded)
    );
}

#[test]
fn quote_items_block_totals_until_a_price_is_entered() {
    let (catalogue, _) = builtin_catalogue();
    let scenarios = vec![
        ScenarioCosts::new(
            "stay-on-prem",
            "Stay on-premises",
            vec![line(
                CostRole::OnPremLicences,
                SeatBasis::All,
                Some("hcl.domino.ccb"),
            )],
        ),
        ScenarioCosts::new(
            "hosted",
            "Hosted",
            vec![line(
                CostRole::HostedSubscription,
                SeatBasis::All,
                Some("microsoft.exchange_online.plan2"),
            )],
        ),
    ];
    let mut inputs = classic_inputs();
    let est = estimate(&inputs, &scenarios, &catalogue, today());
    let stay = est.scenario("stay-on-prem").unwrap();
    assert!(stay.totals.is_none());
    assert!(stay.warnings.iter().any(
        |w| w.kind == WarningKind::QuoteMissing && w.item.as_deref() == Some("hcl.domino.ccb")
    ));
    // The blocked scenario cannot be "cheapest".
    assert_eq!(est.cheapest.as_deref(), Some("hosted"));

    // Entering the quote unblocks it: 5,800 × 30.00 = 174,000.00 a year.
    inputs
        .price_overrides
        .insert("hcl.domino.ccb".into(), m("30.00"));
    let est = estimate(&inputs, &scenarios, &catalogue, today());
    let stay = est.scenario("stay-on-prem").unwrap();
    assert_eq!(stay.totals.as_ref().unwrap().run_rate, m("174000.00"));
    assert_eq!(stay.lines[0].confidence, "entered");
    // EXO P2: 5,800 × 8.00 × 12 = 556,800.00 a year, so staying is cheaper here.
    let hosted = est.scenario("hosted").unwrap();
    assert_eq!(hosted.totals.as_ref().unwrap().run_rate, m("556800.00"));
    assert_eq!(est.cheapest.as_deref(), Some("stay-on-prem"));

    // The on-prem licence input also prices a quote licence line.
    inputs.price_overrides.clear();
    inputs.on_prem.licence_per_seat_year = Some(m("10.00"));
    let est = estimate(&inputs, &scenarios, &catalogue, today());
    assert_eq!(
        est.scenario("stay-on-prem")
            .unwrap()
            .totals
            .as_ref()
            .unwrap()
            .run_rate,
        m("58000.00")
    );
}

#[test]
fn billing_surcharges_follow_the_rules() {
    let scenarios = vec![ScenarioCosts::new(
        "s",
        "S",
        vec![line(
            CostRole::HostedSubscription,
            SeatBasis::Moving,
            Some("hosted.cheap"),
        )],
    )];
    let mut inputs = CostInputs {
        seats_total: 100,
        seats_moving: 100,
        ..CostInputs::default()
    };
    let run = |inputs: &CostInputs| {
        estimate(inputs, &scenarios, &test_catalogue(), today()).scenarios[0]
            .totals
            .clone()
            .unwrap()
            .run_rate
    };
    // 100 × 4.00 × 12 = 4,800.00; +5% = 5,040.00; +20% = 5,760.00.
    assert_eq!(run(&inputs), m("4800.00"));
    inputs
        .billing
        .insert("s".into(), BillingTerm::AnnualBilledMonthly);
    assert_eq!(run(&inputs), m("5040.00"));
    inputs.billing.insert("s".into(), BillingTerm::Flexible);
    assert_eq!(run(&inputs), m("5760.00"));

    // Google Business Plus flexible ≈ 1.2 × annual: 10 × 22.00 × 12 × 1.2 = 3,168.00.
    let (catalogue, _) = builtin_catalogue();
    let g = vec![ScenarioCosts::new(
        "g",
        "G",
        vec![line(
            CostRole::HostedSubscription,
            SeatBasis::All,
            Some("google.workspace.business_plus"),
        )],
    )];
    let mut gi = CostInputs {
        seats_total: 10,
        ..CostInputs::default()
    };
    gi.billing.insert("g".into(), BillingTerm::Flexible);
    let est = estimate(&gi, &g, &catalogue, today());
    assert_eq!(
        est.scenarios[0].totals.as_ref().unwrap().run_rate,
        m("3168.00")
    );
    // Google has no annual-billed-monthly term: warned, annual used.
    gi.billing
        .insert("g".into(), BillingTerm::AnnualBilledMonthly);
    let est = estimate(&gi, &g, &catalogue, today());
    assert_eq!(
        est.scenarios[0].totals.as_ref().unwrap().run_rate,
        m("2640.00")
    );
    assert!(
        est.scenarios[0]
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::BillingNotOffered)
    );
}

#[test]
fn stale_prices_and_small_mailboxes_warn() {
    let scenarios = vec![
        ScenarioCosts::new(
            "old",
            "Old",
            vec![line(
                CostRole::HostedAddOn,
                SeatBasis::All,
                Some("old.price"),
            )],
        ),
        ScenarioCosts::new(
            "tiny",
            "Tiny",
            vec![line(
                CostRole::HostedSubscription,
                SeatBasis::All,
                Some("tiny.mailbox"),
            )],
        ),
    ];
    let inputs = classic_inputs();
    let est = estimate(&inputs, &scenarios, &test_catalogue(), today());
    // as_of 2025-11-01 is more than 12 months before 2026-12-03.
    assert!(
        est.scenario("old")
            .unwrap()
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::StalePrice)
    );
    // ... but not before 2026-10-31.
    let est2 = estimate(
        &inputs,
        &scenarios,
        &test_catalogue(),
        NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    );
    assert!(
        !est2
            .scenario("old")
            .unwrap()
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::StalePrice)
    );
    // 1 GB < 1,280 MB.
    let tiny = est.scenario("tiny").unwrap();
    assert!(
        tiny.warnings
            .iter()
            .any(|w| w.kind == WarningKind::MailboxTooSmall)
    );
    // Warnings that do not block leave totals in place.
    assert!(tiny.totals.is_some());
}

#[test]
fn on_prem_inputs_price_servers_admin_training_and_coexistence() {
    let mut inputs = classic_inputs();
    inputs.on_prem.servers = 4;
    inputs.on_prem.server_cost = m("10000.00");
    inputs.on_prem.server_life_years = 5;
    inputs.on_prem.licence_per_seat_year = Some(m("20.00"));
    inputs.on_prem.admin = AdminEffort::Fte {
        fte: 1.5,
        loaded_salary: m("120000.00"),
    };
    inputs.on_prem.backup_per_year = m("5000.00");
    inputs.on_prem.filtering_per_seat_year = m("1.00");
    inputs.one_off.training_hours_per_seat = 2.0;
    inputs.one_off.training_rate = m("40.00");
    inputs.one_off.coexistence_months = 3.0;
    inputs.one_off.migration_hours = 100.0;
    inputs.one_off.labour_rate = m("75.00");
    let stay = ScenarioCosts::new(
        "stay",
        "Stay",
        vec![
            line(CostRole::OnPremServers, SeatBasis::Flat, None),
            line(CostRole::OnPremLicences, SeatBasis::All, None),
            line(CostRole::OnPremAdmin, SeatBasis::Flat, None),
            line(CostRole::Backup, SeatBasis::Flat, None),
            line(CostRole::Filtering, SeatBasis::All, None),
        ],
    );
    let change = ScenarioCosts::new(
        "change",
        "Change",
        vec![
            line(CostRole::Training, SeatBasis::Moving, None),
            line(CostRole::Coexistence, SeatBasis::Moving, None),
            line(CostRole::Migration, SeatBasis::Moving, None),
        ],
    );
    let est = estimate(&inputs, &[stay, change], &test_catalogue(), today());
    let s = est.scenario("stay").unwrap();
    let t = s.totals.as_ref().unwrap();
    // servers 4 × 10,000 ÷ 5 = 8,000; licences 5,800 × 20 = 116,000; admin 1.5 × 120,000 = 180,000;
    // backup 5,000; filtering 5,800 × 1 = 5,800. Total 314,800.00.
    assert_eq!(t.run_rate, m("314800.00"));
    let c = est.scenario("change").unwrap();
    let t = c.totals.as_ref().unwrap();
    // training 2,000 × 2 h × 40 = 160,000; coexistence 314,800 × 3/12 × 2,000/5,800 = 27,137.93;
    // migration labour 100 × 75 = 7,500. Year 0 = 194,637.93.
    assert_eq!(t.year0, m("194637.93"));
    assert_eq!(t.run_rate, Money::ZERO);
}

#[test]
fn break_even_between_flat_and_per_seat_costs() {
    // "flat": 60,000.00 a year admin, no per-seat cost. "per-seat": 4.00 × 12 = 48.00 per seat-year.
    // Equal at 60,000 / 48 = 1,250 seats.
    let mut inputs = CostInputs {
        seats_total: 1000,
        seats_moving: 1000,
        ..CostInputs::default()
    };
    inputs.on_prem.admin = AdminEffort::HoursPerMonth {
        hours: 100.0,
        rate: m("50.00"),
    };
    let scenarios = vec![
        ScenarioCosts::new(
            "flat",
            "Flat",
            vec![line(CostRole::OnPremAdmin, SeatBasis::Flat, None)],
        ),
        ScenarioCosts::new(
            "per-seat",
            "Per seat",
            vec![line(
                CostRole::HostedSubscription,
                SeatBasis::Moving,
                Some("hosted.cheap"),
            )],
        ),
    ];
    let est = estimate(&inputs, &scenarios, &test_catalogue(), today());
    assert_eq!(est.cheapest.as_deref(), Some("per-seat"));
    let be = &est.break_even[0];
    assert_eq!(be.seats, Some(1250), "{be:?}");
    assert_eq!(be.cheaper_below.as_deref(), Some("per-seat"));
    assert_eq!(be.cheaper_above.as_deref(), Some("flat"));

    // The sensitivity table notices that organisation size flips the answer (1,200 seats
    // stays below 1,250, so −20%/+20% of 1,000 does not flip; price +20% does: 57.60/seat).
    let seats_row = est
        .sensitivity
        .iter()
        .find(|r| r.input.starts_with("Seats"))
        .unwrap();
    assert!(!seats_row.changes_cheapest);
    let price_row = est
        .sensitivity
        .iter()
        .find(|r| r.input == "Price-book prices")
        .unwrap();
    assert!(!price_row.changes_cheapest, "{price_row:?}");
    // Admin effort −20% → 48,000 flat vs 48,000 per-seat: a tie keeps the first (flat) → changes.
    let admin = est
        .sensitivity
        .iter()
        .find(|r| r.input == "Admin effort")
        .unwrap();
    assert!(admin.changes_cheapest, "{admin:?}");
    assert_eq!(est.sensitivity[0].input, "Admin effort", "flips sort first");
}

#[test]
fn unknown_items_and_missing_choices_block_totals() {
    let scenarios = vec![
        ScenarioCosts::new(
            "a",
            "A",
            vec![line(
                CostRole::HostedSubscription,
                SeatBasis::All,
                Some("no.such.item"),
            )],
        ),
        ScenarioCosts::new(
            "b",
            "B",
            vec![line(CostRole::HostedSubscription, SeatBasis::All, None)],
        ),
    ];
    let est = estimate(&classic_inputs(), &scenarios, &test_catalogue(), today());
    assert!(est.scenarios.iter().all(|s| s.totals.is_none()));
    assert!(
        est.scenario("a")
            .unwrap()
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::UnknownItem)
    );
    assert_eq!(est.cheapest, None);
    // The plan's tier choice overrides the line's default.
    let mut inputs = classic_inputs();
    inputs
        .tiers
        .entry("b".into())
        .or_default()
        .insert(CostRole::HostedSubscription, "hosted.cheap".into());
    let est = estimate(&inputs, &scenarios, &test_catalogue(), today());
    assert!(est.scenario("b").unwrap().totals.is_some());
}

#[test]
fn money_never_drifts_across_many_lines() {
    // 1,000 lines of 1 seat × 0.10/month × 12 = 1.20 each → exactly 1,200.00.
    let text = r#"PriceBook(id: "d", name: "D", currency: "USD", items: [
        PriceItem(id: "dime", product: "Dime", price: Price("0.10"), unit: PerUserPerMonth,
            source: "test", as_of: "2026-10-01", confidence: High)])"#;
    let mut c = Catalogue::default();
    c.add_book(&parse_book("d.ron", text).unwrap(), "d.ron");
    let lines = (0..1000)
        .map(|_| line(CostRole::HostedAddOn, SeatBasis::Flat, Some("dime")))
        .collect();
    let inputs = CostInputs {
        seats_total: 1,
        horizon_years: 10,
        ..CostInputs::default()
    };
    let est = estimate(&inputs, &[ScenarioCosts::new("d", "D", lines)], &c, today());
    let t = est.scenarios[0].totals.clone().unwrap();
    assert_eq!(t.run_rate.to_plain_string(), "1200.00");
    assert_eq!(t.total.to_plain_string(), "12000.00");
}

/// A figure for an item no book has, and tiers for a scenario that is not loaded, are typos the
/// user must hear about: otherwise the totals stay blocked (or use the list price) without a word.
#[test]
fn plan_typos_are_named_not_ignored() {
    let mut inputs = classic_inputs();
    inputs
        .price_overrides
        .insert("hcl.domino.cbb".into(), m("30.00"));
    inputs
        .price_overrides
        .insert("onprem.licence".into(), m("30.00"));
    inputs.tiers.insert(
        "dual-delivery-smoe".into(),
        [(CostRole::HostedSubscription, "hosted.cheap".to_owned())].into(),
    );
    let scenarios = vec![ScenarioCosts::new(
        "dual-delivery-some",
        "Dual delivery for some users",
        vec![line(
            CostRole::HostedSubscription,
            SeatBasis::Moving,
            Some("hosted.cheap"),
        )],
    )];
    let est = estimate(&inputs, &scenarios, &test_catalogue(), today());
    let w = &est.input_warnings;
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w.iter()
            .any(|w| w.contains("'hcl.domino.cbb'") && w.contains("no price book"))
    );
    assert!(
        w.iter()
            .any(|w| w.contains("'dual-delivery-smoe'") && w.contains("not loaded"))
    );
}

/// An absurd escalation (1e308 % a year, found by a fresh-eyed review) or discount rate is named
/// and bounded: totals stay real figures instead of saturating without a word.
#[test]
fn absurd_rates_are_bounded_and_named() {
    let mut inputs = classic_inputs();
    inputs.escalation_percent = 1e308;
    inputs.discount_rate_percent = 5000.0;
    let scenarios = vec![ScenarioCosts::new(
        "s",
        "S",
        vec![line(
            CostRole::HostedSubscription,
            SeatBasis::Moving,
            Some("hosted.cheap"),
        )],
    )];
    let est = estimate(&inputs, &scenarios, &test_catalogue(), today());
    let w = &est.input_warnings;
    assert!(
        w.iter()
            .any(|w| w.contains("escalation_percent") && w.contains("100% was used")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("discount_rate_percent") && w.contains("100% was used")),
        "{w:?}"
    );
    let bounded = est.scenarios[0].totals.clone().expect("totals");
    inputs.escalation_percent = 100.0;
    inputs.discount_rate_percent = 100.0;
    let at_limit = estimate(&inputs, &scenarios, &test_catalogue(), today());
    assert_eq!(
        bounded.total,
        at_limit.scenarios[0].totals.clone().unwrap().total
    );
    assert!(
        bounded.total.cents() < i64::MAX / 1000,
        "{}",
        bounded.total.to_plain_string()
    );
}

/// A total that saturates (1e300 training hours, found by a fresh-eyed review) is named as not a
/// real figure; a discount rate near −100 % is bounded instead of blowing every NPV up.
#[test]
fn saturated_totals_and_extreme_discounts_are_named() {
    let mut inputs = classic_inputs();
    inputs.one_off.training_hours_per_seat = 1e300;
    inputs.one_off.training_rate = m("50.00");
    let scenarios = vec![ScenarioCosts::new(
        "t",
        "Training heavy",
        vec![line(CostRole::Training, SeatBasis::Moving, None)],
    )];
    let est = estimate(&inputs, &scenarios, &test_catalogue(), today());
    let w = &est.input_warnings;
    assert!(
        w.iter()
            .any(|w| w.starts_with("Training heavy:") && w.contains("largest amount")),
        "{w:?}"
    );

    let mut inputs = classic_inputs();
    inputs.discount_rate_percent = -99.9999;
    let est = estimate(&inputs, &scenarios, &test_catalogue(), today());
    assert!(
        est.input_warnings
            .iter()
            .any(|w| w.contains("discount_rate_percent") && w.contains("-50% was used")),
        "{:?}",
        est.input_warnings
    );
    assert_eq!(est.discount_rate_percent, -50.0);
}
