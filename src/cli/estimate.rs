//! `mailplan estimate --plan PLAN.ron [--json|--csv] [--scenarios DIR] [--prices DIR]`.

use crate::costs::books::load_catalogue;
use crate::costs::model::{Estimate, ScenarioCosts, estimate_plan, role_label};
use crate::costs::{Money, export};
use crate::sanitize::strip_controls;
use chrono::NaiveDate;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (RON), as saved by the app.
    #[arg(long, value_name = "PLAN.ron", value_parser = crate::cli::path_arg)]
    pub plan: PathBuf,
    /// Print the estimate as JSON.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the estimate as CSV (one table; opens in a spreadsheet).
    #[arg(long)]
    pub csv: bool,
    /// A folder of scenario files to estimate (in addition to the built-in scenarios).
    #[arg(long, value_name = "DIR", value_parser = crate::cli::path_arg)]
    pub scenarios: Option<PathBuf>,
    /// A folder of price books whose items override the built-in and user ones by id.
    #[arg(long, value_name = "DIR", value_parser = crate::cli::path_arg)]
    pub prices: Option<PathBuf>,
    /// The date prices are judged against (YYYY-MM-DD; default: today).
    #[arg(long, value_name = "DATE")]
    pub today: Option<NaiveDate>,
}

/// What one run of the command produced (so it can be tested in-process).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Exit status (see `cli::EXIT_*`).
    pub code: u8,
    pub stdout: String,
    /// Error lines, already stripped of control characters.
    pub stderr: String,
}

pub fn run(args: Args) -> u8 {
    let outcome = execute(&args);
    out!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    outcome.code
}

/// Runs `mailplan estimate` and returns its output instead of printing it.
pub fn execute(args: &Args) -> Outcome {
    let mut stderr = String::new();
    let fail = |stderr: &mut String, msg: &str| {
        stderr.push_str(&format!("mailplan: {}\n", strip_controls(msg)));
    };
    let plan = match crate::plan::load_plan_naming_unknown(&args.plan) {
        Ok((p, unknown)) => {
            let file = args.plan.display().to_string();
            if let Some(w) = crate::plan::unknown_fields_warning(&file, &unknown) {
                fail(&mut stderr, &format!("warning: {w}"));
            }
            p
        }
        Err(e) => {
            fail(&mut stderr, &e.to_string());
            return Outcome {
                code: super::EXIT_FAILED,
                stdout: String::new(),
                stderr,
            };
        }
    };
    let extra: Vec<PathBuf> = args.prices.iter().cloned().collect();
    let (catalogue, mut errors) = load_catalogue(&extra);
    let ids = catalogue.ids();
    let set = crate::scenarios::load_all(args.scenarios.as_deref(), Some(&ids));
    errors.extend(set.errors.iter().cloned());
    let scenarios: Vec<ScenarioCosts> = set
        .scenarios
        .iter()
        .map(|l| ScenarioCosts::from(&l.scenario))
        .collect();
    for e in &errors {
        fail(&mut stderr, &e.to_string());
    }
    if scenarios.is_empty() {
        fail(
            &mut stderr,
            "no scenarios to estimate; pass --scenarios DIR with scenario files",
        );
        return Outcome {
            code: super::EXIT_FAILED,
            stdout: String::new(),
            stderr,
        };
    }
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let est = estimate_plan(&plan, &scenarios, &catalogue, today);
    let output = if args.json {
        super::json_text(&est).map_err(|e| e.to_string())
    } else if args.csv {
        export::to_csv(&est)
    } else {
        Ok(human_table(&plan.name, &est))
    };
    match output {
        Ok(mut text) => {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            Outcome {
                code: if errors.is_empty() {
                    super::EXIT_OK
                } else {
                    super::EXIT_FAILED
                },
                stdout: text,
                stderr,
            }
        }
        Err(e) => {
            fail(&mut stderr, &format!("cannot write the estimate: {e}"));
            Outcome {
                code: super::EXIT_FAILED,
                stdout: String::new(),
                stderr,
            }
        }
    }
}

fn opt_money(m: Option<Money>, cur: &str) -> String {
    m.map(|m| m.format(cur)).unwrap_or_else(|| "—".into())
}

/// Pads `s` to `width` characters (by chars, not bytes).
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_owned()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

/// `s` in exactly `width` columns: padded, or cut with "…" so the table's columns stay aligned
/// (the full name is printed again in the breakdown below).
fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return pad(s, width);
    }
    let cut: String = s.chars().take(width.saturating_sub(1)).collect();
    format!("{cut}…")
}

fn pad_left(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_owned()
    } else {
        format!("{}{s}", " ".repeat(width - n))
    }
}

/// The human-readable report: summary table, breakdown per scenario, warnings,
/// break-even and sensitivity. All file-supplied text is stripped of control characters.
pub fn human_table(plan_name: &str, est: &Estimate) -> String {
    use std::fmt::Write;
    let cur = strip_controls(&est.currency);
    let g = crate::costs::money::group_thousands;
    let mut o = String::new();
    let title = if plan_name.trim().is_empty() {
        "Cost estimate".to_owned()
    } else {
        format!("Cost estimate: {}", strip_controls(plan_name))
    };
    let _ = writeln!(o, "{title}");
    let _ = writeln!(
        o,
        "{} seats, {} moving; year 0 + {} years; discount rate {}%; escalation {}% a year; prices as of {}",
        g(est.seats_total as u64),
        g(est.seats_moving as u64),
        est.horizon_years,
        est.discount_rate_percent,
        est.escalation_percent,
        est.today
    );
    for w in &est.input_warnings {
        let _ = writeln!(o, "  ! {}", strip_controls(w));
    }
    let _ = writeln!(o);
    let name_w = est
        .scenarios
        .iter()
        .map(|s| strip_controls(&s.name).chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 40);
    let _ = writeln!(
        o,
        "{} {} {} {} {} {}",
        pad("Scenario", name_w),
        pad_left("Year 0", 16),
        pad_left("Per year", 16),
        pad_left("Per seat/yr", 12),
        pad_left(&format!("Total ({}y)", est.horizon_years), 18),
        pad_left("NPV", 18)
    );
    for s in &est.scenarios {
        let name = strip_controls(&s.name);
        match &s.totals {
            Some(t) => {
                let mark = if est.cheapest.as_deref() == Some(s.id.as_str()) {
                    " *"
                } else {
                    ""
                };
                let _ = writeln!(
                    o,
                    "{} {} {} {} {} {}{mark}",
                    fit(&name, name_w),
                    pad_left(&t.year0.format(&cur), 16),
                    pad_left(&t.run_rate.format(&cur), 16),
                    pad_left(&opt_money(t.per_seat_year, &cur), 12),
                    pad_left(&t.total.format(&cur), 18),
                    pad_left(&t.npv.format(&cur), 18)
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "{} no total: a price is missing (see warnings)",
                    fit(&name, name_w)
                );
            }
        }
    }
    match &est.cheapest {
        Some(id) => {
            let name = est.scenario(id).map(|s| s.name.as_str()).unwrap_or(id);
            let missing = est.scenarios.iter().filter(|s| s.totals.is_none()).count();
            if missing == 0 {
                let _ = writeln!(o, "\n* Cheapest (lowest NPV): {}", strip_controls(name));
            } else {
                let _ = writeln!(
                    o,
                    "\n* Lowest NPV of the scenarios with a complete estimate: {} ({missing} of {} have no total until their quote-only prices are entered)",
                    strip_controls(name),
                    est.scenarios.len()
                );
            }
        }
        None => {
            let _ = writeln!(o, "\nNo scenario has a complete total yet.");
        }
    }
    for s in &est.scenarios {
        let _ = writeln!(
            o,
            "\n== {} ({})",
            strip_controls(&s.name),
            strip_controls(&s.id)
        );
        for l in &s.lines {
            let amount = match (l.one_off, l.yearly) {
                (Some(m), None) => format!("{} once", m.format(&cur)),
                (None, Some(m)) => format!("{} / year", m.format(&cur)),
                (Some(a), Some(b)) => {
                    format!("{} once + {} / year", a.format(&cur), b.format(&cur))
                }
                (None, None) => "no price".into(),
            };
            let item = l
                .item
                .as_deref()
                .map(|i| format!(" [{}]", strip_controls(i)))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "  {}: {}{item}",
                role_label(l.role),
                strip_controls(&l.description)
            );
            let billing = if l.billing.is_empty() {
                String::new()
            } else {
                format!("; {}", strip_controls(&l.billing))
            };
            let _ = writeln!(
                o,
                "      {} = {amount}{billing}",
                strip_controls(&l.formula)
            );
            let as_of = l.as_of.map(|d| format!(", as of {d}")).unwrap_or_default();
            if !l.source.is_empty() {
                let _ = writeln!(
                    o,
                    "      source: {}{as_of} (confidence {})",
                    strip_controls(&l.source),
                    strip_controls(&l.confidence)
                );
            }
        }
        for w in &s.warnings {
            let _ = writeln!(o, "  ! {}", strip_controls(&w.message));
        }
    }
    if !est.break_even.is_empty() {
        let _ = writeln!(
            o,
            "\nBreak-even (NPV over the horizon; moving and remote seats scale with the organisation):"
        );
        for b in &est.break_even {
            let _ = writeln!(o, "  {}", strip_controls(&b.explanation));
        }
    }
    if !est.sensitivity.is_empty() {
        let _ = writeln!(
            o,
            "\nSensitivity (each input moved −20% and +20%; biggest effect first):"
        );
        for r in &est.sensitivity {
            if r.largest_swing.is_zero() && !r.changes_cheapest {
                continue;
            }
            let changes = if r.changes_cheapest {
                format!(
                    "; CHANGES the cheapest: {} at −20%, {} at +20%",
                    r.cheapest_low
                        .as_deref()
                        .map(strip_controls)
                        .unwrap_or_else(|| "none".into()),
                    r.cheapest_high
                        .as_deref()
                        .map(strip_controls)
                        .unwrap_or_else(|| "none".into())
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "  {}: NPV moves by up to {}{}",
                pad(&r.input, 36),
                r.largest_swing.format(&cur),
                changes
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_names_are_cut_to_the_column() {
        assert_eq!(super::fit("abc", 5), "abc  ");
        assert_eq!(super::fit("abcdefgh", 5), "abcd…");
        assert_eq!(super::fit("abcdefgh", 5).chars().count(), 5);
    }
}
