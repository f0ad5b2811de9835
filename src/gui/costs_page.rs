//! The Costs page: inputs, price-book tiers with source and date, totals, warnings and charts.

use super::Command;
use super::engine::EngineData;
use super::state::State;
use egui::Ui;

/// Draws the page.
pub fn ui(ui: &mut Ui, state: &mut State, engine: &EngineData, commands: &mut Vec<Command>) {
    let _ = (state, engine, commands);
    ui.label("Costs load when the cost model is available.");
}
