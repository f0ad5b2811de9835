//! The Costs page: editable inputs, price-book tier pickers with their source and date, totals per
//! seat, per year, over the horizon and NPV, warnings, and charts (stacked cost per scenario,
//! cumulative cost over the years, break-even).

use super::Command;
use super::engine::{Derived, EngineData, money_to_f64};
use super::state::{Page, State};
use super::widgets;
use crate::advisor::group_thousands;
use crate::costs::model::role_label;
use crate::costs::{AdminEffort, CostRole, Estimate, Money, PriceUnit};
use crate::findings::Verdict;
use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

/// A money field edited as a number of currency units.
fn money_field(ui: &mut Ui, label: &str, value: &mut Money, currency: &str) {
    let l = ui.label(label);
    let mut units = money_to_f64(*value);
    let r = ui
        .add(
            egui::DragValue::new(&mut units)
                .range(0.0..=1.0e9)
                .speed(1.0)
                .min_decimals(2)
                .max_decimals(2)
                .suffix(format!(" {currency}")),
        )
        .labelled_by(l.id);
    if r.changed() {
        *value = Money::from_cents((units * 100.0).round() as i64);
    }
}

fn number_field(
    ui: &mut Ui,
    label: &str,
    value: &mut f64,
    range: std::ops::RangeInclusive<f64>,
    suffix: &str,
) {
    let l = ui.label(label);
    ui.add(
        egui::DragValue::new(value)
            .range(range)
            .speed(0.1)
            .suffix(suffix),
    )
    .labelled_by(l.id);
}

fn count_field(ui: &mut Ui, label: &str, value: &mut u32, max: u32) {
    let l = ui.label(label);
    ui.add(egui::DragValue::new(value).range(0..=max))
        .labelled_by(l.id);
}

/// A palette that reads on light and dark backgrounds.
fn series_color(i: usize) -> Color32 {
    const P: [Color32; 10] = [
        Color32::from_rgb(0x4e, 0x79, 0xa7),
        Color32::from_rgb(0xf2, 0x8e, 0x2b),
        Color32::from_rgb(0x59, 0xa1, 0x4f),
        Color32::from_rgb(0xe1, 0x57, 0x59),
        Color32::from_rgb(0x76, 0xb7, 0xb2),
        Color32::from_rgb(0xed, 0xc9, 0x48),
        Color32::from_rgb(0xb0, 0x7a, 0xa1),
        Color32::from_rgb(0xff, 0x9d, 0xa7),
        Color32::from_rgb(0x9c, 0x75, 0x5f),
        Color32::from_rgb(0xba, 0xb0, 0xac),
    ];
    P[i % P.len()]
}

/// Draws the page.
pub fn ui(
    ui: &mut Ui,
    state: &mut State,
    engine: &EngineData,
    derived: &Derived,
    commands: &mut Vec<Command>,
) {
    let Some(est) = derived.estimate.as_ref() else {
        ui.label("The cost model has no result for this plan.");
        return;
    };
    let currency = state.plan.costs.currency.clone();
    let org = &state.plan.organisation;
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "Seats: {} in total, {} moving. ",
            group_thousands(org.seats_total),
            group_thousands(org.seats_moving)
        ));
        if ui.link("Change on the Organisation page").clicked() {
            commands.push(Command::Navigate(Page::Organisation));
        }
    });

    totals_ui(ui, est, &currency);
    warnings_ui(ui, est);

    ui.add_space(8.0);
    ui.label(RichText::new("Inputs").strong().size(17.0));
    inputs_ui(ui, state);
    hosted_plan_picker(ui, state, engine, est);

    ui.add_space(8.0);
    ui.label(RichText::new("Charts").strong().size(17.0));
    charts_ui(ui, est);

    ui.add_space(8.0);
    ui.label(RichText::new("Breakdown per scenario").strong().size(17.0));
    for s in &est.scenarios {
        egui::CollapsingHeader::new(RichText::new(&s.name).strong())
            .id_salt(("breakdown", &s.id))
            .show(ui, |ui| {
                egui::Grid::new(("lines", &s.id))
                    .striped(true)
                    .num_columns(5)
                    .spacing([12.0, 4.0])
                    .show(ui, |ui| {
                        for h in [
                            "Cost line",
                            "How it is worked out",
                            "One-off",
                            "Per year",
                            "Source",
                        ] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for l in &s.lines {
                            ui.label(format!("{}\n{}", role_label(l.role), l.description));
                            ui.label(&l.formula);
                            ui.label(
                                l.one_off
                                    .map(|m| m.format(&currency))
                                    .unwrap_or_else(|| "—".into()),
                            );
                            ui.label(
                                l.yearly
                                    .map(|m| m.format(&currency))
                                    .unwrap_or_else(|| "—".into()),
                            );
                            let date = l
                                .as_of
                                .map(|d| d.format("%Y-%m-%d").to_string())
                                .unwrap_or_default();
                            ui.label(format!("{} {} ({})", l.source, date, l.confidence));
                            ui.end_row();
                        }
                    });
            });
    }
}

fn totals_ui(ui: &mut Ui, est: &Estimate, currency: &str) {
    ui.label(
        RichText::new(format!("Totals over {} years", est.horizon_years))
            .strong()
            .size(17.0),
    );
    egui::ScrollArea::horizontal()
        .id_salt("totals-scroll")
        .show(ui, |ui| {
            egui::Grid::new("totals")
                .striped(true)
                .num_columns(6)
                .spacing([14.0, 6.0])
                .show(ui, |ui| {
                    for h in [
                        "Scenario",
                        "One-off (year 0)",
                        "Per year",
                        "Per seat per year",
                        "Total",
                        "NPV",
                    ] {
                        let r = ui.label(RichText::new(h).strong());
                        if h == "NPV" {
                            r.on_hover_text(widgets::explain("NPV").unwrap_or(""));
                        }
                    }
                    ui.end_row();
                    for s in &est.scenarios {
                        let cheapest = est.cheapest.as_deref() == Some(s.id.as_str());
                        let name = if cheapest {
                            format!("★ {}", s.name)
                        } else {
                            s.name.clone()
                        };
                        ui.label(RichText::new(name).strong());
                        match &s.totals {
                            Some(t) => {
                                ui.label(t.year0.format(currency));
                                ui.label(t.run_rate.format(currency));
                                ui.label(
                                    t.per_seat_year
                                        .map(|m| m.format(currency))
                                        .unwrap_or_else(|| "—".into()),
                                );
                                ui.label(t.total.format(currency));
                                ui.label(t.npv.format(currency));
                            }
                            None => {
                                let missing: Vec<String> = s
                                    .warnings
                                    .iter()
                                    .filter(|w| w.kind.blocks_totals())
                                    .map(|w| format!("• {}", w.message))
                                    .collect();
                                ui.colored_label(
                                    widgets::verdict_color(ui, Verdict::Warn),
                                    "needs a price",
                                )
                                .on_hover_text(format!(
                                    "Enter these under Inputs or in the plan's price overrides:\n{}",
                                    missing.join("\n")
                                ));
                                for _ in 0..4 {
                                    ui.label("—");
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    if est.cheapest.is_some() {
        let missing = est.scenarios.iter().filter(|s| s.totals.is_none()).count();
        if missing == 0 {
            ui.weak("★ cheapest over the horizon (lowest NPV).");
        } else {
            ui.weak(format!(
                "★ lowest NPV of the scenarios with a complete estimate; {missing} more need a price before they can be compared."
            ));
        }
    }
}

fn warnings_ui(ui: &mut Ui, est: &Estimate) {
    let warnings: Vec<String> = est
        .input_warnings
        .iter()
        .cloned()
        .chain(est.all_warnings().map(|w| match &w.item {
            Some(item) => format!("{} ({}): {}", w.scenario, item, w.message),
            None => format!("{}: {}", w.scenario, w.message),
        }))
        .collect();
    if warnings.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(
        RichText::new(format!("⚠ {} warnings", warnings.len()))
            .color(widgets::verdict_color(ui, Verdict::Warn)),
    )
    .id_salt("cost-warnings")
    .default_open(warnings.len() <= 6)
    .show(ui, |ui| {
        for w in warnings {
            ui.label(format!("• {w}"));
        }
    });
}

fn inputs_ui(ui: &mut Ui, state: &mut State) {
    let c = &mut state.plan.costs;
    let currency = c.currency.clone();
    egui::Grid::new("cost-inputs")
        .num_columns(4)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            let l = ui.label("Currency");
            ui.add(egui::TextEdit::singleline(&mut c.currency).desired_width(60.0))
                .labelled_by(l.id);
            let l = ui.label("Years after year 0");
            ui.add(egui::DragValue::new(&mut c.horizon_years).range(1..=10))
                .labelled_by(l.id);
            ui.end_row();
            number_field(
                ui,
                "Discount rate",
                &mut c.discount_rate_percent,
                0.0..=50.0,
                " %",
            );
            number_field(
                ui,
                "Price rise per year",
                &mut c.escalation_percent,
                0.0..=50.0,
                " %",
            );
            ui.end_row();
            count_field(
                ui,
                "Seats using remote access",
                &mut c.seats_remote,
                1_000_000,
            );
            let l = ui.label("Archive or backup storage");
            ui.add(
                egui::DragValue::new(&mut c.storage_gb)
                    .range(0..=10_000_000)
                    .suffix(" GB"),
            )
            .labelled_by(l.id);
            ui.end_row();
        });
    egui::CollapsingHeader::new("On-premises costs")
        .id_salt("onprem-inputs")
        .show(ui, |ui| {
            let p = &mut c.on_prem;
            egui::Grid::new("onprem-grid")
                .num_columns(4)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    count_field(ui, "Mail servers", &mut p.servers, 10_000);
                    money_field(ui, "Cost of one server", &mut p.server_cost, &currency);
                    ui.end_row();
                    count_field(ui, "Server life (years)", &mut p.server_life_years, 20);
                    let mut has_licence = p.licence_per_seat_year.is_some();
                    let mut lic = p.licence_per_seat_year.unwrap_or(Money::ZERO);
                    ui.checkbox(&mut has_licence, "Licence per seat per year");
                    ui.horizontal(|ui| {
                        if has_licence {
                            money_field(ui, "Licence amount", &mut lic, &currency);
                        }
                    });
                    p.licence_per_seat_year = has_licence.then_some(lic);
                    ui.end_row();
                    money_field(ui, "Backup per year", &mut p.backup_per_year, &currency);
                    money_field(
                        ui,
                        "Filtering per seat per year",
                        &mut p.filtering_per_seat_year,
                        &currency,
                    );
                    ui.end_row();
                    match &mut p.admin {
                        AdminEffort::Fte { fte, loaded_salary } => {
                            number_field(ui, "Admin staff (FTE)", fte, 0.0..=100.0, "");
                            money_field(ui, "Loaded salary per FTE", loaded_salary, &currency);
                        }
                        AdminEffort::HoursPerMonth { hours, rate } => {
                            number_field(ui, "Admin hours per month", hours, 0.0..=10_000.0, " h");
                            money_field(ui, "Hourly rate", rate, &currency);
                        }
                    }
                    ui.end_row();
                });
        });
    egui::CollapsingHeader::new("One-off costs of the change")
        .id_salt("oneoff-inputs")
        .show(ui, |ui| {
            let o = &mut c.one_off;
            egui::Grid::new("oneoff-grid")
                .num_columns(4)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    number_field(
                        ui,
                        "Migration labour",
                        &mut o.migration_hours,
                        0.0..=1.0e6,
                        " h",
                    );
                    money_field(ui, "Labour rate per hour", &mut o.labour_rate, &currency);
                    ui.end_row();
                    number_field(
                        ui,
                        "Training per seat",
                        &mut o.training_hours_per_seat,
                        0.0..=100.0,
                        " h",
                    );
                    money_field(ui, "Trainee rate per hour", &mut o.training_rate, &currency);
                    ui.end_row();
                    number_field(
                        ui,
                        "Both systems running",
                        &mut o.coexistence_months,
                        0.0..=60.0,
                        " months",
                    );
                    ui.end_row();
                });
        });
}

fn unit_text(unit: PriceUnit) -> &'static str {
    unit.label()
}

/// One picker for the hosted plan used by every scenario with a hosted subscription.
fn hosted_plan_picker(ui: &mut Ui, state: &mut State, engine: &EngineData, est: &Estimate) {
    let scenario_ids: Vec<String> = engine
        .scenario_list()
        .into_iter()
        .filter(|s| {
            s.cost_lines
                .iter()
                .any(|l| l.role == CostRole::HostedSubscription)
        })
        .map(|s| s.id)
        .collect();
    if scenario_ids.is_empty() {
        return;
    }
    // The item in use: the plan's choice for the first hosted scenario, else that line's priced item.
    let current = scenario_ids.iter().find_map(|id| {
        state
            .plan
            .costs
            .tiers
            .get(id)
            .and_then(|t| t.get(&CostRole::HostedSubscription))
            .cloned()
            .or_else(|| {
                est.scenario(id)?
                    .lines
                    .iter()
                    .find(|l| l.role == CostRole::HostedSubscription)?
                    .item
                    .clone()
            })
    });
    let mut items: Vec<_> = engine
        .catalogue
        .items
        .values()
        .filter(|e| e.item.mailbox_gb.is_some())
        .collect();
    items.sort_by(|a, b| {
        (a.historical, &a.item.product, &a.item.tier).cmp(&(
            b.historical,
            &b.item.product,
            &b.item.tier,
        ))
    });
    let describe = |id: &str| -> String {
        match engine.catalogue.get(id) {
            Some(e) => {
                let price = match e.item.price {
                    crate::costs::ListPrice::Price(m) => {
                        format!("{} {}", m.format(&e.currency), unit_text(e.item.unit))
                    }
                    crate::costs::ListPrice::Quote => "price on quote".into(),
                };
                format!(
                    "{}{} — {price}",
                    e.item.display_name(),
                    if e.historical { " (historical)" } else { "" }
                )
            }
            None => id.to_owned(),
        }
    };
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let l = ui.label(RichText::new("Hosted plan").strong());
        let mut chosen = current.clone();
        egui::ComboBox::from_id_salt("hosted-plan")
            .selected_text(
                chosen
                    .as_deref()
                    .map(describe)
                    .unwrap_or_else(|| "choose…".into()),
            )
            .width(420.0)
            .show_ui(ui, |ui| {
                for e in &items {
                    ui.selectable_value(&mut chosen, Some(e.item.id.clone()), describe(&e.item.id));
                }
            })
            .response
            .labelled_by(l.id);
        if chosen != current
            && let Some(id) = chosen
        {
            for sid in &scenario_ids {
                state
                    .plan
                    .costs
                    .tiers
                    .entry(sid.clone())
                    .or_default()
                    .insert(CostRole::HostedSubscription, id.clone());
            }
        }
    });
    if let Some(e) = current.as_deref().and_then(|id| engine.catalogue.get(id)) {
        ui.horizontal_wrapped(|ui| {
            ui.weak(format!(
                "Source: {} — as of {} — confidence {:?}{}",
                e.item.source,
                e.item.as_of.format("%Y-%m-%d"),
                e.item.confidence,
                e.item
                    .mailbox_gb
                    .map(|g| format!(" — {g} GB mailbox"))
                    .unwrap_or_default()
            ));
        });
    }
}

fn charts_ui(ui: &mut Ui, est: &Estimate) {
    let priced: Vec<_> = est
        .scenarios
        .iter()
        .filter(|s| s.totals.is_some())
        .collect();
    if priced.is_empty() {
        ui.label("The charts appear once at least one scenario has every price it needs.");
        return;
    }
    let names: Vec<String> = priced.iter().map(|s| s.name.clone()).collect();
    ui.columns(2, |cols| {
        let ui = &mut cols[0];
        ui.label(RichText::new("Recurring cost per year, by cost line").strong());
        // One bar chart per role, stacked: scenario i at x = i.
        let mut roles: Vec<CostRole> = priced
            .iter()
            .flat_map(|s| s.lines.iter().map(|l| l.role))
            .collect();
        roles.sort();
        roles.dedup();
        // Leave out lines with no recurring cost (one-offs are in year 0 of the other chart).
        roles.retain(|role| {
            priced.iter().any(|s| {
                s.lines
                    .iter()
                    .any(|l| l.role == *role && l.yearly.is_some_and(|m| !m.is_zero()))
            })
        });
        let mut charts: Vec<BarChart> = Vec::new();
        for (ri, role) in roles.iter().enumerate() {
            let bars: Vec<Bar> = priced
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let v: f64 = s
                        .lines
                        .iter()
                        .filter(|l| l.role == *role)
                        .filter_map(|l| l.yearly)
                        .map(money_to_f64)
                        .sum();
                    Bar::new(i as f64, v).width(0.6).name(&s.name)
                })
                .collect();
            let mut chart = BarChart::new(role_label(*role), bars).color(series_color(ri));
            let below: Vec<&BarChart> = charts.iter().collect();
            chart = chart.stack_on(&below);
            charts.push(chart);
        }
        let labels = names.clone();
        let n = priced.len() as f64;
        Plot::new("stacked-costs")
            .height(260.0)
            .include_x(-0.8)
            .include_x(n - 0.2)
            .include_y(0.0)
            .legend(Legend::default())
            .allow_scroll(false)
            .allow_zoom(false)
            .allow_drag(false)
            .x_axis_formatter(move |m, _| {
                let i = m.value.round();
                if (m.value - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .show(ui, |p| {
                for c in charts {
                    p.bar_chart(c);
                }
            });

        let ui = &mut cols[1];
        ui.label(RichText::new("Cumulative cost over the years").strong());
        Plot::new("cumulative-costs")
            .height(260.0)
            .legend(Legend::default())
            .allow_scroll(false)
            .allow_zoom(false)
            .allow_drag(false)
            .x_axis_label("year")
            .show(ui, |p| {
                for (i, s) in priced.iter().enumerate() {
                    let Some(t) = &s.totals else { continue };
                    let mut sum = 0.0;
                    let pts: Vec<[f64; 2]> = t
                        .years
                        .iter()
                        .enumerate()
                        .map(|(y, m)| {
                            sum += money_to_f64(*m);
                            [y as f64, sum]
                        })
                        .collect();
                    p.line(
                        Line::new(s.name.clone(), PlotPoints::from(pts))
                            .color(series_color(i))
                            .width(2.0),
                    );
                }
            });
    });
    if !est.break_even.is_empty() {
        ui.label(RichText::new("Break-even").strong());
        for b in &est.break_even {
            ui.label(format!("• {}", b.explanation));
        }
    }
}
