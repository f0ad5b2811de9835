//! Headless test of the Report page: preview and export of every format to a temporary folder.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use mailplan::gui::background::ReportFormat;
use mailplan::gui::{Command, MailplanApp, Page, State};
use std::time::{Duration, Instant};

/// The app with the classic example loaded, on the Report page (reached by its shortcut).
fn report_page_with_example() -> Harness<'static, MailplanApp> {
    let mut h: Harness<'static, MailplanApp> = Harness::builder()
        .with_size([1180.0, 780.0])
        // Report text from the engines uses arrows and other symbols that the bundled fonts lack;
        // the real window draws them with the system's fonts.
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            MailplanApp::with_state(&cc.egui_ctx, State::default(), None).expect("runtime starts")
        });
    h.step();
    h.get_by_label("Load example").click();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num5);
    h.step();
    h.step();
    h
}

#[test]
fn report_previews_and_exports_every_format() {
    let mut h = report_page_with_example();
    assert_eq!(h.state().state.page, Page::Report);
    let name = h.state().state.plan.name.clone();
    assert!(
        h.query_all_by_label_contains(&name).count() >= 1,
        "the preview shows the plan's name"
    );
    assert!(h.query_all_by_label("💾 PDF").count() == 1);

    let dir = tempfile::tempdir().unwrap();
    for format in ReportFormat::ALL {
        let path = dir.path().join(format!("report.{}", format.extension()));
        h.state_mut().report.last_export = None;
        h.state_mut().push(Command::ExportReportTo {
            format,
            path: path.clone(),
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        while h.state().report.last_export.is_none() && Instant::now() < deadline {
            h.step();
            std::thread::sleep(Duration::from_millis(10));
        }
        let (written, outcome) = h
            .state()
            .report
            .last_export
            .clone()
            .expect("the export finished");
        assert_eq!(written, path);
        assert!(outcome.is_ok(), "{format:?}: {outcome:?}");
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.is_empty(), "{format:?} is empty");
        match format {
            ReportFormat::Pdf => assert!(bytes.starts_with(b"%PDF"), "a PDF"),
            ReportFormat::Html | ReportFormat::Markdown => {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.contains("5,800"), "{format:?} names the seats");
            }
            ReportFormat::Json => {
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                assert!(v.is_object());
            }
            ReportFormat::Csv => {}
        }
        h.step();
        assert!(h.query_all_by_label_contains("Saved").count() >= 1);
    }
}

/// Unticking parts on the Report page leaves them out of the preview and of the exported file.
#[test]
fn unticked_parts_are_left_out_of_the_report() {
    let mut h = report_page_with_example();
    assert!(
        h.query_all_by_label_contains("Net present value").count() >= 1
            || h.query_all_by_label_contains("NPV").count() >= 1,
        "the full preview shows the costs"
    );
    h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "Costs")
        .click();
    h.step();
    h.step();
    assert!(!h.state().state.report_parts.costs);
    assert_eq!(
        h.query_all_by_label_contains("NPV").count(),
        0,
        "the costs left the preview"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    h.state_mut().push(Command::ExportReportTo {
        format: ReportFormat::Markdown,
        path: path.clone(),
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.state().report.last_export.is_none() && Instant::now() < deadline {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    let text = std::fs::read_to_string(&path).expect("exported");
    assert!(text.contains("5,800"), "the plan is still there");
    assert!(!text.contains("NPV"), "{text}");

    // Nothing ticked: the page says so.
    for label in ["Plan and recommendation", "Scenario details", "Checks"] {
        h.get_by_role_and_label(egui::accesskit::Role::CheckBox, label)
            .click();
        h.step();
    }
    h.step();
    assert!(h.state().state.report_parts.is_empty());
    assert!(h.query_all_by_label_contains("Nothing is included").count() >= 1);
}
