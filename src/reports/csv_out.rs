//! CSV output: the cost breakdown and one row per finding, formula cells neutralised.
//!
//! When a report has both, the file holds two tables separated by an empty line, each
//! with its own header row.

use super::build::{Cleaner, cleaner_for};
use super::escape::csv_cell;
use super::inputs::{Cents, ReportInputs};
use crate::checks::CheckResult;

fn amount(c: Option<Cents>) -> String {
    match c {
        Some(v) => {
            let sign = if v < 0 { "-" } else { "" };
            format!(
                "{sign}{}.{:02}",
                v.unsigned_abs() / 100,
                v.unsigned_abs() % 100
            )
        }
        None => String::new(),
    }
}

/// A count as a spreadsheet reads it: "5,800" becomes "5800" (grouped digits would be read
/// as text, or as two values where the comma is the decimal mark). Anything else is kept.
fn plain_number(text: &str) -> String {
    let digits_and_commas = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == ',')
        && text.starts_with(|c: char| c.is_ascii_digit());
    if digits_and_commas {
        text.replace(',', "")
    } else {
        text.to_owned()
    }
}

/// Renders the CSV. Always has at least one table (an empty findings table when there
/// is nothing else).
pub fn render(inputs: &ReportInputs) -> Result<Vec<u8>, String> {
    let c = cleaner_for(inputs);
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let row = |w: &mut csv::Writer<Vec<u8>>, cells: &[String]| -> Result<(), String> {
        let safe: Vec<String> = cells.iter().map(|s| csv_cell(&c.clean(s))).collect();
        w.write_record(&safe).map_err(|e| e.to_string())
    };
    let mut wrote_table = false;
    if let Some(k) = &inputs.costs {
        row(
            &mut w,
            &[
                "scenario",
                "line",
                "item",
                "quantity",
                "unit_price",
                "one_off",
                "yearly",
                "currency",
                "source",
                "as_of",
            ]
            .map(String::from),
        )?;
        for s in &k.scenarios {
            for l in &s.lines {
                row(
                    &mut w,
                    &[
                        s.name.clone(),
                        l.role.clone(),
                        l.item.clone(),
                        plain_number(&l.quantity),
                        l.unit_price.clone(),
                        amount(l.one_off),
                        amount(l.yearly),
                        k.currency.clone(),
                        l.source.clone(),
                        l.as_of.clone(),
                    ],
                )?;
            }
            let total = |label: &str, v: Option<Cents>| {
                [
                    s.name.clone(),
                    label.to_owned(),
                    String::new(),
                    s.seats.to_string(),
                    String::new(),
                    String::new(),
                    if v.is_some() {
                        amount(v)
                    } else {
                        "quote needed".into()
                    },
                    k.currency.clone(),
                    String::new(),
                    String::new(),
                ]
            };
            let mut one_off = total("One-off total (year 0)", s.one_off);
            one_off.swap(5, 6);
            row(&mut w, &one_off)?;
            row(&mut w, &total("Yearly total", s.yearly))?;
            row(&mut w, &total("Per seat per year", s.per_seat_year))?;
            row(
                &mut w,
                &total(&format!("Total over {} years", k.horizon_years), s.total),
            )?;
            row(&mut w, &total("Net present value", s.npv))?;
        }
        wrote_table = true;
    }
    let any_checks = !inputs.checks.is_empty() || !inputs.diagnoses.is_empty();
    if any_checks || !wrote_table {
        if wrote_table {
            w.write_record(None::<&[u8]>).map_err(|e| e.to_string())?;
        }
        row(
            &mut w,
            &[
                "target",
                "verdict",
                "code",
                "severity",
                "title",
                "server_text",
                "fix",
                "explanation",
            ]
            .map(String::from),
        )?;
        for r in &inputs.checks {
            finding_rows(&mut w, &c, r)?;
        }
        for d in &inputs.diagnoses {
            let verdict = crate::findings::Verdict::from_findings(&d.findings);
            for f in &d.findings {
                row(&mut w, &finding_cells(&d.subject, verdict.label(), f))?;
            }
            for r in &d.checks {
                finding_rows(&mut w, &c, r)?;
            }
        }
    }
    w.into_inner().map_err(|e| e.to_string())
}

fn finding_cells(target: &str, verdict: &str, f: &crate::findings::Finding) -> [String; 8] {
    [
        target.to_owned(),
        verdict.to_owned(),
        f.code.clone(),
        match f.severity {
            crate::findings::Severity::Error => "error",
            crate::findings::Severity::Warning => "warning",
            crate::findings::Severity::Info => "info",
        }
        .to_owned(),
        f.title.clone(),
        f.server_text.clone().unwrap_or_default(),
        f.fix.clone(),
        f.explanation.clone(),
    ]
}

fn finding_rows(w: &mut csv::Writer<Vec<u8>>, c: &Cleaner, r: &CheckResult) -> Result<(), String> {
    let mut rows: Vec<[String; 8]> = r
        .findings
        .iter()
        .map(|f| finding_cells(&r.target, r.verdict.label(), f))
        .collect();
    if rows.is_empty() {
        rows.push([
            r.target.clone(),
            r.verdict.label().to_owned(),
            String::new(),
            String::new(),
            "No problems found".into(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for cells in rows {
        let safe: Vec<String> = cells.iter().map(|s| csv_cell(&c.clean(s))).collect();
        w.write_record(&safe).map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn grouped_counts_become_plain_numbers() {
        assert_eq!(super::plain_number("5,800"), "5800");
        assert_eq!(super::plain_number("1,000,000"), "1000000");
        assert_eq!(super::plain_number("12"), "12");
        assert_eq!(super::plain_number(""), "");
        assert_eq!(super::plain_number("about 5,800"), "about 5,800");
        assert_eq!(super::plain_number(",5"), ",5");
    }
}
