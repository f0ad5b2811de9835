//! The desktop app. It holds state and draws it; all work happens in the engine modules.

/// Opens the main window and runs until it is closed.
pub fn run() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("mailplan")
            .with_inner_size([1180.0, 780.0])
            .with_min_inner_size([1024.0, 700.0]),
        ..Default::default()
    };
    eframe::run_native(
        "mailplan",
        options,
        Box::new(|cc| Ok(Box::new(MailplanApp::new(cc)))),
    )
}

/// The application state.
pub struct MailplanApp {}

impl MailplanApp {
    pub fn new(_cc: &eframe::CreationContext<'_>) -> Self {
        MailplanApp {}
    }
}

impl eframe::App for MailplanApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("mailplan");
        });
    }
}
