//! CSV export: parses back cleanly, amounts are plain numbers, formulas are neutralised.

use chrono::NaiveDate;
use mailplan::costs::books::builtin_catalogue;
use mailplan::costs::export::{CSV_HEADER, to_csv};
use mailplan::costs::{CostInputs, CostLine, CostRole, Money, ScenarioCosts, SeatBasis, estimate};

#[test]
fn csv_opens_cleanly_and_neutralises_formulas() {
    let (catalogue, _) = builtin_catalogue();
    let inputs = CostInputs {
        seats_total: 5800,
        seats_moving: 2000,
        ..CostInputs::default()
    };
    let scenarios = vec![
        ScenarioCosts::new(
            "dual-delivery-some",
            "=HYPERLINK(\"http://evil\",\"click\")",
            vec![CostLine {
                role: CostRole::HostedSubscription,
                seats: SeatBasis::Moving,
                default_item: Some("google.apps.premier".into()),
                note: "+cmd|' /C calc'!A0, with a comma and \"quotes\"\nand a new line".into(),
            }],
        ),
        ScenarioCosts::new(
            "stay",
            "@stay",
            vec![CostLine {
                role: CostRole::OnPremLicences,
                seats: SeatBasis::All,
                default_item: Some("hcl.domino.ccb".into()),
                note: "-2+3".into(),
            }],
        ),
    ];
    let est = estimate(
        &inputs,
        &scenarios,
        &catalogue,
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
    );
    let text = to_csv(&est).unwrap();

    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(rows.iter().all(|r| r.len() == CSV_HEADER.len()));

    // No cell starts with a formula character.
    for r in &rows {
        for cell in r.iter() {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "cell not neutralised: {cell:?}"
            );
            if cell.starts_with('-') {
                // Only numbers may start with '-'.
                assert!(Money::parse(cell).is_ok(), "{cell:?}");
            }
        }
    }
    let col = |name: &str| CSV_HEADER.iter().position(|h| *h == name).unwrap();
    let line = rows
        .iter()
        .find(|r| &r[0] == "line" && &r[col("scenario_id")] == "dual-delivery-some")
        .unwrap();
    assert!(line[col("scenario")].starts_with("'="));
    assert!(line[col("note")].starts_with("'+cmd"));
    assert!(line[col("note")].contains("with a comma and \"quotes\""));
    // Amounts are plain numbers a spreadsheet reads as such.
    assert_eq!(&line[col("yearly")], "100000.00");
    assert_eq!(&line[col("quantity")], "2000");
    assert_eq!(&line[col("as_of")], "2009-01-06");
    let total = rows
        .iter()
        .find(|r| &r[0] == "total" && &r[col("scenario_id")] == "dual-delivery-some")
        .unwrap();
    assert_eq!(&total[col("total_horizon")], "300000.00");
    assert_eq!(&total[col("npv")], "248685.20");
    // The blocked scenario has an empty total and a warning row.
    let stay_total = rows
        .iter()
        .find(|r| &r[0] == "total" && &r[col("scenario_id")] == "stay")
        .unwrap();
    assert_eq!(&stay_total[col("npv")], "");
    assert!(
        rows.iter()
            .any(|r| &r[0] == "warning" && &r[col("description")] == "QuoteMissing")
    );
    let stay_line = rows
        .iter()
        .find(|r| &r[0] == "line" && &r[col("scenario_id")] == "stay")
        .unwrap();
    assert_eq!(&stay_line[col("note")], "'-2+3");
}
