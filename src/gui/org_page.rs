//! The Organisation & goals page: seats, current system, goals with weights, constraints.

use super::Command;
use super::engine::EngineData;
use super::state::State;
use egui::Ui;

/// Draws the page.
pub fn ui(ui: &mut Ui, state: &mut State, engine: &EngineData, commands: &mut Vec<Command>) {
    let _ = engine;
    ui.horizontal(|ui| {
        super::widgets::labelled_text(
            ui,
            "Plan name",
            &mut state.plan.name,
            "e.g. Gmail trial 2027",
            260.0,
        );
        if ui
            .button("Load example")
            .on_hover_text("The classic case: 5,800 seats on Lotus Notes testing a hosted service")
            .clicked()
        {
            commands.push(Command::LoadExample);
        }
    });
}
