//! CSV export of an estimate: one table that opens cleanly in a spreadsheet.
//!
//! Columns are fixed; `record` says what a row is (`line`, `total`, `warning`,
//! `break_even`, `sensitivity`). Amounts are plain decimals (`1234.56`) so spreadsheets
//! read them as numbers. Text cells that a spreadsheet could run as a formula (starting
//! with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed with `'`.

use super::model::{Estimate, role_label};
use super::money::Money;

/// The CSV header.
pub const CSV_HEADER: &[&str] = &[
    "record",
    "scenario_id",
    "scenario",
    "role",
    "item",
    "description",
    "quantity",
    "unit_price",
    "billing",
    "one_off",
    "yearly",
    "total_horizon",
    "npv",
    "per_seat_year",
    "currency",
    "source",
    "as_of",
    "confidence",
    "note",
];

/// Makes a text cell safe to open in a spreadsheet: control characters and bidi overrides
/// removed, and a leading formula character neutralised with `'` (the reports' rule,
/// [`crate::reports::escape::csv_cell`]).
pub fn neutralise_cell(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|&c| (!c.is_control() || c == '\t') && !crate::sanitize::is_bidi_override(c))
        .collect();
    crate::reports::escape::csv_cell(&clean)
}

fn amount(m: Option<Money>) -> String {
    m.map(|m| m.to_plain_string()).unwrap_or_default()
}

/// Writes the estimate as CSV.
pub fn to_csv(est: &Estimate) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let err = |e: csv::Error| e.to_string();
    w.write_record(CSV_HEADER).map_err(err)?;
    let t = |s: &str| neutralise_cell(s);
    let cur = t(&est.currency);
    for s in &est.scenarios {
        for l in &s.lines {
            w.write_record([
                "line".to_owned(),
                t(&s.id),
                t(&s.name),
                role_label(l.role).to_owned(),
                t(l.item.as_deref().unwrap_or("")),
                t(&l.description),
                l.quantity.to_string(),
                amount(l.unit_price),
                t(&l.billing),
                amount(l.one_off),
                amount(l.yearly),
                String::new(),
                String::new(),
                String::new(),
                cur.clone(),
                t(&l.source),
                l.as_of.map(|d| d.to_string()).unwrap_or_default(),
                t(&l.confidence),
                t(&l.note),
            ])
            .map_err(err)?;
        }
        let tot = s.totals.as_ref();
        w.write_record([
            "total".to_owned(),
            t(&s.id),
            t(&s.name),
            String::new(),
            String::new(),
            if tot.is_some() {
                format!("year 0 + {} years", est.horizon_years)
            } else {
                "no total: a price is missing".to_owned()
            },
            String::new(),
            String::new(),
            String::new(),
            amount(tot.map(|x| x.year0)),
            amount(tot.map(|x| x.run_rate)),
            amount(tot.map(|x| x.total)),
            amount(tot.map(|x| x.npv)),
            amount(tot.and_then(|x| x.per_seat_year)),
            cur.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])
        .map_err(err)?;
        for wn in &s.warnings {
            let mut row = vec![String::new(); CSV_HEADER.len()];
            row[0] = "warning".into();
            row[1] = t(&s.id);
            row[2] = t(&s.name);
            row[4] = t(wn.item.as_deref().unwrap_or(""));
            row[5] = t(&format!("{:?}", wn.kind));
            row[18] = t(&wn.message);
            w.write_record(&row).map_err(err)?;
        }
    }
    for be in &est.break_even {
        let mut row = vec![String::new(); CSV_HEADER.len()];
        row[0] = "break_even".into();
        row[1] = t(&format!("{} / {}", be.a, be.b));
        row[5] = t(&be.explanation);
        row[6] = be.seats.map(|n| n.to_string()).unwrap_or_default();
        w.write_record(&row).map_err(err)?;
    }
    for r in &est.sensitivity {
        let mut row = vec![String::new(); CSV_HEADER.len()];
        row[0] = "sensitivity".into();
        row[1] = t(r.largest_swing_scenario.as_deref().unwrap_or(""));
        row[5] = t(&r.input);
        row[12] = r.largest_swing.to_plain_string();
        row[14] = cur.clone();
        row[18] = t(&format!(
            "±20%: cheapest {} / {}{}",
            r.cheapest_low.as_deref().unwrap_or("none"),
            r.cheapest_high.as_deref().unwrap_or("none"),
            if r.changes_cheapest {
                " (changes the answer)"
            } else {
                ""
            }
        ));
        w.write_record(&row).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise_cell("=1+1"), "'=1+1");
        assert_eq!(neutralise_cell("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(neutralise_cell("-2"), "'-2");
        assert_eq!(neutralise_cell("@cmd"), "'@cmd");
        assert_eq!(neutralise_cell("plain"), "plain");
        assert_eq!(neutralise_cell("a\u{1b}b"), "ab");
        // Found by a fresh-eyed review: bidi overrides and isolates reached `estimate --csv`.
        assert_eq!(
            neutralise_cell("Evil \u{9b}2J\u{202e}x\u{2066}y"),
            "Evil 2Jxy"
        );
        // A formula after leading spaces is neutralised too.
        assert_eq!(neutralise_cell("  =1+1"), "'  =1+1");
    }
}
