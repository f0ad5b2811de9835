//! The Scenarios page: cards ranked by the advisor, the mail-flow diagram, requirements, risks,
//! a tickable checklist saved in the plan, a side-by-side table and the POP3 vs IMAP helper.

use super::Command;
use super::engine::{Derived, EngineData};
use super::flow_diagram::{self, Arrow, Hop};
use super::org_page::capitalise;
use super::state::{PopImapInputs, State};
use super::widgets;
use crate::advisor::{self, Devices, MailHome, ServerStorage};
use crate::findings::Verdict;
use crate::scenarios::{InHouseCopy, Scenario};
use egui::{RichText, Ui};

/// Draws the page.
pub fn ui(
    ui: &mut Ui,
    state: &mut State,
    engine: &EngineData,
    derived: &Derived,
    commands: &mut Vec<Command>,
) {
    let advice = &derived.advice;
    widgets::text_with_terms(
        ui,
        &[
            (
                "Fit is 0–100 from your goal weights; 50 means the good and the harm balance out. Hard constraints rule a scenario out instead of lowering its fit. Terms such as ",
                false,
            ),
            ("dual delivery", true),
            (" and ", false),
            ("MX", true),
            (" are explained when you point at them.", false),
        ],
    );
    for n in &advice.notes {
        ui.label(format!("ℹ {n}"));
    }
    ui.add_space(4.0);

    ui.label(
        RichText::new("Ranked for your organisation")
            .strong()
            .size(17.0),
    );
    let selected = state
        .selected_scenario
        .clone()
        .or_else(|| advice.top.clone());
    for (rank, r) in advice.ranked.iter().enumerate() {
        let is_sel = selected.as_deref() == Some(r.id.as_str());
        let accent = if rank == 0 {
            Some(widgets::verdict_color(ui, Verdict::Ok))
        } else if is_sel {
            Some(ui.visuals().selection.bg_fill)
        } else {
            None
        };
        widgets::card_frame(ui, accent).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("{}.", rank + 1)).strong().size(16.0));
                ui.label(RichText::new(&r.name).strong().size(16.0));
                if rank == 0 {
                    ui.colored_label(widgets::verdict_color(ui, Verdict::Ok), "★ top pick");
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let label = if is_sel {
                        "Showing details"
                    } else {
                        "Show details"
                    };
                    if ui.add_enabled(!is_sel, egui::Button::new(label)).clicked() {
                        commands.push(Command::ShowScenario(r.id.clone()));
                    }
                    ui.add(
                        egui::ProgressBar::new(f32::from(r.fit) / 100.0)
                            .desired_width(140.0)
                            .text(format!("fit {}/100", r.fit)),
                    );
                });
            });
            if let Some(s) = engine.scenarios.get(&r.id) {
                ui.label(&s.summary);
            }
            for reason in r.reasons.iter().take(2) {
                let sign = match reason.points {
                    p if p > 0 => "➕",
                    p if p < 0 => "➖",
                    _ => "•",
                };
                ui.label(format!("{sign} {}", reason.text));
            }
            if r.reasons.len() > 2 {
                egui::CollapsingHeader::new(format!("{} more reasons", r.reasons.len() - 2))
                    .id_salt(("more", &r.id))
                    .show(ui, |ui| {
                        for reason in r.reasons.iter().skip(2) {
                            ui.label(format!("• {}", reason.text));
                        }
                    });
            }
        });
        ui.add_space(4.0);
    }
    if !advice.ruled_out.is_empty() {
        ui.add_space(4.0);
        ui.label(RichText::new("Ruled out").strong().size(17.0));
        for r in &advice.ruled_out {
            widgets::card_frame(ui, None).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(&r.name).strong());
                    ui.colored_label(
                        widgets::verdict_color(ui, Verdict::Fail),
                        format!("✖ {}", r.constraint.label()),
                    );
                    if ui.small_button("Show details").clicked() {
                        commands.push(Command::ShowScenario(r.id.clone()));
                    }
                });
                ui.label(&r.reason);
            });
        }
    }

    ui.add_space(10.0);
    if let Some(s) = selected.as_deref().and_then(|id| engine.scenarios.get(id)) {
        ui.separator();
        detail_ui(ui, s, state);
    }

    ui.add_space(10.0);
    ui.separator();
    ui.label(RichText::new("Side by side").strong().size(17.0));
    comparison_table(ui, engine, derived);

    ui.add_space(10.0);
    ui.separator();
    pop_imap_helper(ui, &mut state.pop_imap);
}

/// The mail flow of a scenario as diagram hops, columns and arrows.
pub fn flow_layout(s: &Scenario) -> (Vec<Hop>, Vec<Vec<usize>>, Vec<Arrow>) {
    let hops: Vec<Hop> = s
        .mail_flow
        .iter()
        .map(|h| Hop {
            label: h.label.clone(),
            note: h.kind.label().to_owned(),
        })
        .collect();
    let mut depth = vec![0usize; hops.len()];
    let mut arrows = Vec::new();
    for (i, h) in s.mail_flow.iter().enumerate() {
        let from = match h.from {
            Some(f) if f < i => Some(f),
            Some(_) => None,
            None if i > 0 => Some(i - 1),
            None => None,
        };
        let mut d = 0;
        for f in from
            .into_iter()
            .chain(h.also_from.iter().copied().filter(|&f| f < i))
        {
            d = d.max(depth[f] + 1);
            let label = if Some(f) == from {
                h.via.clone()
            } else {
                String::new()
            };
            arrows.push(Arrow {
                from: f,
                to: i,
                label,
            });
        }
        depth[i] = d;
    }
    let columns_n = depth.iter().max().map_or(0, |m| m + 1);
    let mut columns = vec![Vec::new(); columns_n];
    for (i, d) in depth.iter().enumerate() {
        columns[*d].push(i);
    }
    (hops, columns, arrows)
}

fn bullet_list(ui: &mut Ui, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    ui.label(RichText::new(title).strong());
    ui.indent(title, |ui| {
        for i in items {
            ui.label(format!("• {i}"));
        }
    });
}

fn detail_ui(ui: &mut Ui, s: &Scenario, state: &mut State) {
    ui.label(RichText::new(&s.name).strong().size(19.0));
    ui.label(&s.summary);
    ui.weak(format!("Who it is for: {}", s.scope.label()));
    ui.add_space(6.0);
    ui.label(RichText::new("Mail flow").strong());
    let (hops, columns, arrows) = flow_layout(s);
    egui::ScrollArea::horizontal()
        .id_salt(("flow", &s.id))
        .show(ui, |ui| {
            flow_diagram::diagram(ui, &hops, &columns, &arrows);
        });
    ui.add_space(6.0);
    ui.columns(2, |cols| {
        let (left, right) = cols.split_at_mut(1);
        left[0].with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
            detail_left(ui, s)
        });
        right[0].with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
            detail_right(ui, s)
        });
    });
    checklist_ui(ui, s, state);
}

fn detail_left(ui: &mut Ui, s: &Scenario) {
    {
        let reqs: Vec<String> = s
            .prerequisites
            .iter()
            .map(|p| format!("{} ({})", p.text, p.need.label()))
            .collect();
        bullet_list(ui, "Requirements", &reqs);
        bullet_list(ui, "DNS changes", &s.dns_changes);
        bullet_list(ui, "Server changes", &s.server_changes);
        ui.label(
            RichText::new(format!("Mail clients: {}", s.client_setup.access.label())).strong(),
        );
        ui.label(&s.client_setup.reasoning);
    }
}

fn detail_right(ui: &mut Ui, s: &Scenario) {
    {
        bullet_list(ui, "Risks", &s.risks);
        bullet_list(ui, "Push-back to expect", &s.push_back);
        ui.label(RichText::new("Compliance").strong());
        let c = &s.compliance;
        ui.label(format!(
            "In-house copy: {} — {}",
            match c.inhouse_copy {
                InHouseCopy::All => "all mail",
                InHouseCopy::Partial => "partial",
                InHouseCopy::None => "none",
            },
            c.inhouse_copy_note
        ));
        ui.label(format!("Retention: {}", c.retention));
        ui.label(format!("Legal hold: {}", c.legal_hold));
        ui.label(format!("Data residency: {}", c.data_residency));
        if c.mail_leaves_control {
            ui.colored_label(
                widgets::verdict_color(ui, Verdict::Warn),
                "⚠ Mail leaves systems the organisation controls.",
            );
        }
    }
}

fn checklist_ui(ui: &mut Ui, s: &Scenario, state: &mut State) {
    if !s.checklist.is_empty() {
        ui.add_space(6.0);
        let ticks = state.plan.checklists.entry(s.id.clone()).or_default();
        ticks.resize(s.checklist.len(), false);
        let done = ticks.iter().filter(|t| **t).count();
        ui.label(
            RichText::new(format!(
                "Checklist ({done} of {} done, saved with the plan)",
                s.checklist.len()
            ))
            .strong(),
        );
        for (i, step) in s.checklist.iter().enumerate() {
            ui.checkbox(&mut ticks[i], step);
        }
        // Keep plans free of untouched checklists, so opening a scenario is not a change.
        if ticks.iter().all(|t| !t) {
            state.plan.checklists.remove(&s.id);
        }
    }
}

/// Makes one cell of a comparison-table row.
type RowFn<'a> = Box<dyn Fn(&Scenario) -> String + 'a>;

fn comparison_table(ui: &mut Ui, engine: &EngineData, derived: &Derived) {
    let scenarios = engine.scenario_list();
    let fit = |id: &str| -> String {
        if let Some(r) = derived.advice.ranked.iter().find(|r| r.id == id) {
            format!("{}/100", r.fit)
        } else if let Some(r) = derived.advice.ruled_out.iter().find(|r| r.id == id) {
            format!("ruled out: {}", r.constraint.label())
        } else {
            "—".into()
        }
    };
    let cost = |id: &str| -> String {
        derived
            .estimate
            .as_ref()
            .and_then(|e| e.scenario(id).map(|s| (e.currency.clone(), s)))
            .and_then(|(cur, s)| {
                s.totals
                    .as_ref()
                    .and_then(|t| t.per_seat_year)
                    .map(|m| m.format(&cur))
            })
            .unwrap_or_else(|| "needs prices".into())
    };
    egui::ScrollArea::horizontal()
        .id_salt("compare-scroll")
        .show(ui, |ui| {
            egui::Grid::new("compare")
                .striped(true)
                .num_columns(scenarios.len() + 1)
                .spacing([14.0, 6.0])
                .show(ui, |ui| {
                    ui.label("");
                    for s in &scenarios {
                        ui.label(RichText::new(&s.name).strong());
                    }
                    ui.end_row();
                    let rows: Vec<(&str, RowFn)> = vec![
                        ("Fit", Box::new(|s: &Scenario| fit(&s.id))),
                        (
                            "Cost per seat per year",
                            Box::new(|s: &Scenario| cost(&s.id)),
                        ),
                        (
                            "Who it is for",
                            Box::new(|s: &Scenario| s.scope.label().to_owned()),
                        ),
                        (
                            "Mail clients",
                            Box::new(|s: &Scenario| s.client_setup.access.label().to_owned()),
                        ),
                        (
                            "In-house copy",
                            Box::new(|s: &Scenario| {
                                match s.compliance.inhouse_copy {
                                    InHouseCopy::All => "all mail",
                                    InHouseCopy::Partial => "partial",
                                    InHouseCopy::None => "none",
                                }
                                .to_owned()
                            }),
                        ),
                        ("Risks", Box::new(|s: &Scenario| s.risks.len().to_string())),
                        (
                            "Set-up steps",
                            Box::new(|s: &Scenario| s.checklist.len().to_string()),
                        ),
                    ];
                    for (name, f) in rows {
                        ui.label(RichText::new(name).strong());
                        for s in &scenarios {
                            ui.label(f(s));
                        }
                        ui.end_row();
                    }
                });
        });
}

fn pop_imap_helper(ui: &mut Ui, inputs: &mut PopImapInputs) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("POP3 or IMAP?").strong().size(17.0));
        widgets::jargon(ui, "POP3");
        widgets::jargon(ui, "IMAP");
    });
    egui::Grid::new("pop-imap")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            ui.label("Where should the mail live?");
            ui.horizontal(|ui| {
                ui.radio_value(&mut inputs.home, MailHome::Server, "On the server");
                ui.radio_value(&mut inputs.home, MailHome::Client, "On the user's computer");
                ui.radio_value(&mut inputs.home, MailHome::Either, "No preference");
            });
            ui.end_row();
            ui.label("Devices reading the mailbox");
            ui.horizontal(|ui| {
                ui.radio_value(&mut inputs.devices, Devices::One, "One");
                ui.radio_value(
                    &mut inputs.devices,
                    Devices::Several,
                    "Several (laptop, phone…)",
                );
            });
            ui.end_row();
            ui.label("Server storage");
            ui.horizontal(|ui| {
                ui.radio_value(
                    &mut inputs.storage,
                    ServerStorage::Ample,
                    "Ample (30 GB and up)",
                );
                ui.radio_value(&mut inputs.storage, ServerStorage::Limited, "Tight quota");
            });
            ui.end_row();
            ui.label("Offline use");
            ui.checkbox(&mut inputs.offline, "Mail must be readable offline");
            ui.end_row();
        });
    let (choice, reasons) =
        advisor::pop_or_imap(inputs.home, inputs.devices, inputs.offline, inputs.storage);
    widgets::card_frame(ui, Some(ui.visuals().selection.bg_fill)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(
            RichText::new(format!("Use {}", choice.label()))
                .strong()
                .size(16.0),
        );
        for r in reasons {
            ui.label(format!("• {r}"));
        }
    });
    let _ = capitalise;
}
