//! The Organisation & goals page: seats, current system, goals with weights, constraints, and the
//! advisor's current top pick.

use super::Command;
use super::engine::Derived;
use super::state::{Page, State};
use super::widgets;
use crate::advisor::{CurrentSystem, group_thousands};
use crate::scenarios::Goal;
use egui::{RichText, Ui};

/// Text buffers for the numeric fields, so a half-typed or wrong value can be shown with a message
/// instead of being thrown away.
#[derive(Debug, Default)]
pub struct OrgFields {
    seats_total: Option<String>,
    seats_moving: Option<String>,
    quota: Option<String>,
    budget: Option<String>,
}

/// A whole-number field bound to `value`. Returns the validation message, if any.
fn count_field(
    ui: &mut Ui,
    label: &str,
    buffer: &mut Option<String>,
    value: &mut u32,
    allow_zero: bool,
    hint: &str,
) -> Option<String> {
    let text = buffer.get_or_insert_with(|| value.to_string());
    let l = ui.label(label);
    let r = ui
        .add(
            egui::TextEdit::singleline(text)
                .desired_width(110.0)
                .hint_text(hint),
        )
        .labelled_by(l.id);
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_'))
        .collect();
    let message = match cleaned.parse::<u32>() {
        Ok(0) if !allow_zero => Some(format!("{label} must be a whole number above 0")),
        Ok(n) => {
            *value = n;
            None
        }
        Err(_) if cleaned.is_empty() => Some(format!("{label} is needed")),
        Err(_) => Some(format!("{label} must be a whole number (e.g. 5800)")),
    };
    if !r.has_focus() && message.is_none() {
        // Re-show the value as stored once the user leaves the field.
        *buffer = None;
    }
    message
}

/// Draws the page.
pub fn ui(
    ui: &mut Ui,
    state: &mut State,
    fields: &mut OrgFields,
    derived: &Derived,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        widgets::labelled_text(ui, "Plan name", &mut state.plan.name, "e.g. Hosted mail trial 2027", 320.0);
        if ui
            .button("Load example")
            .on_hover_text("The classic case: 5,800 seats on Lotus Notes (Domino), 2,000 testing a hosted service, SOX retention, $50 per seat per year")
            .clicked()
        {
            commands.push(Command::LoadExample);
        }
    });
    ui.add_space(6.0);

    top_pick_banner(ui, derived, commands);
    ui.add_space(6.0);

    let org = &mut state.plan.organisation;
    let mut errors: Vec<String> = Vec::new();
    ui.columns(2, |cols| {
        let ui = &mut cols[0];
        ui.label(RichText::new("Organisation").strong().size(17.0));
        egui::Grid::new("org-grid").num_columns(2).spacing([10.0, 8.0]).show(ui, |ui| {
            errors.extend(count_field(ui, "Seats in total", &mut fields.seats_total, &mut org.seats_total, false, "5800"));
            ui.end_row();
            errors.extend(count_field(
                ui,
                "Seats that would move",
                &mut fields.seats_moving,
                &mut org.seats_moving,
                true,
                "2000",
            ));
            ui.end_row();
            let l = ui.label("Mail system today");
            egui::ComboBox::from_id_salt("current-system")
                .selected_text(org.current_system.label())
                .width(220.0)
                .show_ui(ui, |ui| {
                    for s in [
                        CurrentSystem::Domino,
                        CurrentSystem::Exchange,
                        CurrentSystem::OtherImapServer,
                        CurrentSystem::Hosted,
                        CurrentSystem::None,
                    ] {
                        ui.selectable_value(&mut org.current_system, s, s.label());
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            errors.extend(count_field(
                ui,
                "Mailbox quota today (MB)",
                &mut fields.quota,
                &mut org.current_quota_mb,
                true,
                "0 = unknown",
            ));
            ui.end_row();
        });
        if org.seats_moving > org.seats_total {
            errors.push(format!(
                "Seats that would move ({}) is more than the seats in total ({})",
                group_thousands(org.seats_moving),
                group_thousands(org.seats_total)
            ));
        }
        for e in &errors {
            widgets::field_error(ui, Some(e));
        }

        ui.add_space(10.0);
        ui.label(RichText::new("Hard constraints").strong().size(17.0));
        ui.weak("Each one can rule a scenario out; the Scenarios page says which.");
        let c = &mut state.plan.constraints;
        ui.checkbox(&mut c.inhouse_copy_required, "A complete copy of all mail must stay on our own servers")
            .on_hover_text(widgets::explain("SOX").unwrap_or(""));
        ui.checkbox(&mut c.hosted_plan_has_retention_and_hold, "The hosted plan we would buy includes retention and legal hold")
            .on_hover_text("e.g. Google Vault in Business Plus or Enterprise, Exchange Online Plan 2. Then its retention is accepted instead of an in-house copy. mailplan already knows this for the tiers in its price books (chosen on the Costs page); tick it for a plan the books do not list.");
        ui.checkbox(&mut c.no_admin_rights, "We have no admin rights on the mail server, DNS or gateway");
        ui.horizontal(|ui| {
            let mut on = c.budget_ceiling_per_seat_year.is_some();
            ui.checkbox(&mut on, "Budget ceiling per seat per year");
            if on {
                let mut v = c.budget_ceiling_per_seat_year.unwrap_or(50.0);
                ui.name_inputs("Budget ceiling amount", |ui| {
                    ui.add(egui::DragValue::new(&mut v).range(0.0..=10_000.0).speed(1.0).prefix("$ "))
                });
                c.budget_ceiling_per_seat_year = Some(v);
            } else {
                c.budget_ceiling_per_seat_year = None;
            }
            let _ = &mut fields.budget;
        });

        let ui = &mut cols[1];
        ui.label(RichText::new("Goals").strong().size(17.0));
        ui.weak("How much each goal matters: 0 = not at all, 5 = most.");
        let g = &mut state.plan.goals;
        egui::Grid::new("goals-grid").num_columns(2).spacing([10.0, 8.0]).show(ui, |ui| {
            for goal in Goal::ALL {
                let value = match goal {
                    Goal::CostReduction => &mut g.cost_reduction,
                    Goal::Simplification => &mut g.simplification,
                    Goal::AccessAnywhere => &mut g.access_anywhere,
                    Goal::KeepOnpremApps => &mut g.keep_onprem_apps,
                    Goal::ComplianceRetention => &mut g.compliance_retention,
                    Goal::LargerMailboxes => &mut g.larger_mailboxes,
                    Goal::DataResidency => &mut g.data_residency,
                };
                let l = ui.label(capitalise(goal.label()));
                ui.add(egui::Slider::new(value, 0..=5)).labelled_by(l.id);
                ui.end_row();
            }
        });
    });
    ui.add_space(8.0);
    if ui.button("See the ranked scenarios").clicked() {
        commands.push(Command::Navigate(Page::Scenarios));
    }
}

fn top_pick_banner(ui: &mut Ui, derived: &Derived, commands: &mut Vec<Command>) {
    let advice = &derived.advice;
    widgets::card_frame(ui, Some(ui.visuals().selection.bg_fill)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        match advice.ranked.first() {
            Some(top) => {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("Advisor's top pick:").strong());
                    ui.label(RichText::new(&top.name).strong().size(16.0));
                    ui.weak(format!("fit {}/100", top.fit));
                    if ui.small_button("Details").clicked() {
                        commands.push(Command::ShowScenario(top.id.clone()));
                    }
                });
                if let Some(r) = top.reasons.first() {
                    ui.label(&r.text);
                }
            }
            None => {
                ui.label(RichText::new("No scenario passes every hard constraint.").strong());
                ui.label("Relax a constraint to see a recommendation; the Scenarios page says what ruled each one out.");
            }
        }
    });
}

/// "cost reduction" → "Cost reduction".
pub fn capitalise(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
