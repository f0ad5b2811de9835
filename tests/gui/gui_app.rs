//! Headless tests of the desktop app with egui_kittest: the real app state, driven by keyboard and
//! clicks, against in-process fake servers on 127.0.0.1.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use mailplan::gui::state::{ManualTarget, Security, ServiceKind};
use mailplan::gui::{MailplanApp, Page, State};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn harness(state: State, notice: Option<String>) -> Harness<'static, MailplanApp> {
    Harness::builder()
        .with_size([1180.0, 780.0])
        // Scenario and report text from the engines uses arrows and other symbols that the
        // bundled fonts lack; the real window draws them with the system's fonts.
        .allow_missing_glyphs()
        .build_eframe(move |cc| {
            MailplanApp::with_state(&cc.egui_ctx, state, notice).expect("runtime starts")
        })
}

/// Steps the harness until `done` holds or `limit` passes; returns whether it held.
fn step_until(
    h: &mut Harness<'static, MailplanApp>,
    limit: Duration,
    mut done: impl FnMut(&Harness<'static, MailplanApp>) -> bool,
) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        h.step();
        if done(h) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn has_label_containing(h: &Harness<'static, MailplanApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// How a fake POP3 server behaves.
#[derive(Clone, Copy)]
enum FakePop3 {
    /// Greets with `+OK`, answers CAPA, says bye on QUIT, `-ERR` to anything else.
    Friendly,
    /// Greets with `-ERR` and closes.
    Refusing,
    /// Accepts connections and never says anything.
    Silent,
}

/// Starts a fake POP3 server on 127.0.0.1 on its own thread; returns its port.
fn fake_pop3(kind: FakePop3) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().port()).unwrap();
            // Bounded: a test makes a handful of connections at most.
            for _ in 0..16 {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve_pop3(socket, kind));
            }
        });
    });
    rx.recv_timeout(Duration::from_secs(5))
        .expect("fake server started")
}

async fn serve_pop3(socket: tokio::net::TcpStream, kind: FakePop3) {
    let (read, mut write) = socket.into_split();
    match kind {
        FakePop3::Silent => {
            // Hold the connection open without a word until the client gives up.
            let mut lines = BufReader::new(read).lines();
            while let Ok(Some(_)) = lines.next_line().await {}
        }
        FakePop3::Refusing => {
            let _ = write
                .write_all(b"-ERR [SYS/TEMP] service unavailable, try later\r\n")
                .await;
        }
        FakePop3::Friendly => {
            if write.write_all(b"+OK fake POP3 ready\r\n").await.is_err() {
                return;
            }
            let mut lines = BufReader::new(read).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let cmd = line
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                let reply: &[u8] = match cmd.as_str() {
                    "CAPA" => b"+OK capabilities follow\r\nUSER\r\nTOP\r\nUIDL\r\n.\r\n",
                    "QUIT" => {
                        let _ = write.write_all(b"+OK bye\r\n").await;
                        return;
                    }
                    _ => b"-ERR unknown command\r\n",
                };
                if write.write_all(reply).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn state_with_pop3_target(port: u16) -> State {
    let mut state = State {
        page: Page::Checks,
        ..State::default()
    };
    state.checks.targets = vec![ManualTarget {
        enabled: true,
        service: ServiceKind::Pop3,
        security: Security::Plain,
        host: "127.0.0.1".into(),
        port: port.to_string(),
    }];
    state.checks.timeout_secs = 20;
    state
}

#[test]
fn pages_are_reachable_by_keyboard() {
    let mut h = harness(State::default(), None);
    h.step();
    assert_eq!(h.state().state.page, Page::Organisation);
    for (key, page) in [
        (egui::Key::Num2, Page::Scenarios),
        (egui::Key::Num3, Page::Costs),
        (egui::Key::Num4, Page::Checks),
        (egui::Key::Num5, Page::Report),
        (egui::Key::Num1, Page::Organisation),
    ] {
        h.key_press_modifiers(egui::Modifiers::COMMAND, key);
        h.step();
        h.step();
        assert_eq!(h.state().state.page, page);
        // The page's own heading is drawn (the navigation button has the title too).
        assert!(
            h.query_all_by_label(page.title()).count() >= 1,
            "{} heading",
            page.title()
        );
    }
}

#[test]
fn navigation_buttons_switch_pages() {
    let mut h = harness(State::default(), None);
    h.step();
    h.get_by_label_contains("Checks").click();
    h.step();
    h.step();
    assert_eq!(h.state().state.page, Page::Checks);
    assert!(has_label_containing(&h, "Diagnose"));
}

#[test]
fn corrupt_saved_state_starts_with_defaults_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.ron");
    std::fs::write(&path, "{\"app\": \"(page: Checks, plan: (name: 42 \"}").unwrap();
    let check = mailplan::gui::state::check_saved_state(&path);
    let notice = check.notice();
    assert!(notice.is_some(), "{check:?}");
    assert!(!path.exists(), "the bad file is moved aside");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        kept.iter()
            .any(|n| n.to_string_lossy().starts_with("app.ron.corrupt-")),
        "{kept:?}"
    );

    let mut h = harness(State::default(), notice);
    h.step();
    assert_eq!(h.state().state, State::default());
    assert!(has_label_containing(&h, "could not be read"));
    h.get_by_label("Dismiss").click();
    h.step();
    h.step();
    assert!(!has_label_containing(&h, "could not be read"));
}

/// A state file from a newer mailplan is not half-read (and then overwritten): it is kept aside,
/// byte for byte, and the app says why it starts with defaults.
#[test]
fn newer_saved_state_is_kept_aside_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.ron");
    let newer = State {
        state_version: mailplan::gui::state::STATE_VERSION + 1,
        ..State::default()
    };
    let entry = ron::to_string(&newer).unwrap();
    let file =
        ron::to_string(&std::collections::HashMap::from([(eframe::APP_KEY, entry)])).unwrap();
    std::fs::write(&path, &file).unwrap();
    let check = mailplan::gui::state::check_saved_state(&path);
    let notice = check.notice().expect("a notice");
    assert!(notice.contains("newer mailplan"), "{notice}");
    let mailplan::gui::state::SavedStateCheck::Corrupt {
        moved_to: Some(kept),
        ..
    } = check
    else {
        panic!("{check:?}");
    };
    assert_eq!(std::fs::read_to_string(kept).unwrap(), file);
    assert!(!path.exists());
    // The current version reads back as it is.
    let current = ron::to_string(&std::collections::HashMap::from([(
        eframe::APP_KEY,
        ron::to_string(&State::default()).unwrap(),
    )]))
    .unwrap();
    std::fs::write(&path, current).unwrap();
    assert_eq!(
        mailplan::gui::state::check_saved_state(&path),
        mailplan::gui::state::SavedStateCheck::Readable
    );
}

#[test]
fn saved_state_round_trips_without_the_password() {
    let mut h = harness(State::default(), None);
    h.step();
    h.state_mut().state.checks.user = "alex".into();
    let saved = ron::to_string(&h.state().state).unwrap();
    assert!(saved.contains("alex"));
    assert!(!saved.to_lowercase().contains("password:"), "{saved}");
    let back: State = ron::from_str(&saved).unwrap();
    assert_eq!(back, h.state().state);
}

/// Keeps what eframe would write to the state file, in memory.
#[derive(Default)]
struct CapturedStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for CapturedStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// A password typed into the Checks page is used by the app but is absent from everything eframe
/// persists (the app's state and egui's own memory, which would otherwise keep undo copies).
#[test]
fn a_typed_password_is_absent_from_the_persisted_state() {
    const PW: &str = "Tr0ub4dor-persist-9x";
    let mut h = harness(state_with_pop3_target(110), None);
    h.step();
    h.get_by_label_contains("Log in (optional)").click();
    h.step();
    h.step();
    h.get_by_label("User name").focus();
    h.get_by_label("User name").type_text("alex");
    h.step();
    h.get_by_label("Password").focus();
    h.get_by_label("Password").type_text(PW);
    h.step();
    h.step();
    assert_eq!(h.state().state.checks.user, "alex");
    assert!(
        !h.state().checks.password.is_empty(),
        "the field took the password"
    );
    let mut storage = CapturedStorage::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let ctx = h.ctx.clone();
    let memory = ctx.memory(|m| ron::to_string(m).unwrap_or_default());
    assert!(!storage.0.is_empty(), "the app saved its state");
    for (key, value) in &storage.0 {
        assert!(!value.contains(PW), "{key} holds the password");
    }
    assert!(storage.0.values().any(|v| v.contains("alex")));
    assert!(!memory.contains(PW), "egui's memory holds the password");
}

#[test]
fn check_against_fake_pop3_server_shows_result_card() {
    let port = fake_pop3(FakePop3::Friendly);
    let mut h = harness(state_with_pop3_target(port), None);
    h.step();
    h.get_by_label("▶ Check these endpoints").click();
    let target = format!("pop3://127.0.0.1:{port}");
    let finished = step_until(&mut h, Duration::from_secs(20), |h| {
        !h.state().checks.is_running() && h.state().checks.run.is_some()
    });
    assert!(finished, "the check finished");
    h.step();
    assert!(
        has_label_containing(&h, &target),
        "result card names the target"
    );
    let result = h.state().checks.run.as_ref().unwrap().entries[0]
        .result
        .clone()
        .expect("a result");
    assert!(has_label_containing(
        &h,
        mailplan::gui::widgets::verdict_badge(result.verdict)
    ));
    // The summary for the clipboard names the target too.
    let summary = mailplan::gui::checks_page::summary_text(h.state().checks.run.as_ref().unwrap());
    assert!(summary.contains(&target), "{summary}");
}

#[test]
fn refusing_server_shows_the_servers_words() {
    let port = fake_pop3(FakePop3::Refusing);
    let mut h = harness(state_with_pop3_target(port), None);
    h.step();
    h.get_by_label("▶ Check these endpoints").click();
    let finished = step_until(&mut h, Duration::from_secs(20), |h| {
        !h.state().checks.is_running() && h.state().checks.run.is_some()
    });
    assert!(finished, "the check finished");
    h.step();
    let result = h.state().checks.run.as_ref().unwrap().entries[0]
        .result
        .clone()
        .expect("a result");
    assert_eq!(result.verdict, mailplan::findings::Verdict::Fail);
    assert!(has_label_containing(&h, "✖ Failed"));
    // The server's own words are shown beside the explanation.
    assert!(
        result.findings.iter().any(|f| f
            .server_text
            .as_deref()
            .is_some_and(|t| t.contains("service unavailable"))),
        "{:?}",
        result.findings
    );
    assert!(has_label_containing(&h, "service unavailable, try later"));
}

/// Starts the in-process DNS server on its own thread (the harness runs no runtime of ours).
fn fake_dns(zone: crate::dns_support::Zone) -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let dns = crate::dns_support::FakeDns::start(zone).await;
            tx.send(dns.addr).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv_timeout(Duration::from_secs(5))
        .expect("fake DNS started")
}

/// Diagnose from the Checks page: the domain's SRV record points at a fake POP3 server that
/// refuses, and the result card shows that endpoint's finding with the server's words.
#[test]
fn diagnose_finds_the_srv_endpoint_and_shows_its_finding() {
    let port = fake_pop3(FakePop3::Refusing);
    let mut zone = crate::dns_support::Zone::new();
    zone.srv("_pop3._tcp.diag.test", 0, 0, port, "pop.diag.test")
        .a("pop.diag.test", "127.0.0.1");
    let dns = fake_dns(zone);
    let mut state = State {
        page: Page::Checks,
        ..State::default()
    };
    state.checks.address = "alex@diag.test".into();
    state.checks.dns_server = dns.to_string();
    state.checks.timeout_secs = 10;
    let mut h = harness(state, None);
    h.step();
    h.get_by_label("🔎 Diagnose").click();
    let finished = step_until(&mut h, Duration::from_secs(30), |h| {
        !h.state().checks.is_running() && h.state().checks.run.is_some()
    });
    assert!(finished, "the diagnosis finished");
    h.step();
    let run = h.state().checks.run.as_ref().unwrap();
    let target = format!("pop3://pop.diag.test:{port}");
    let entry = run
        .entries
        .iter()
        .find(|e| e.result.as_ref().is_some_and(|r| r.target == target))
        .unwrap_or_else(|| panic!("no result for {target}"));
    let result = entry.result.as_ref().unwrap();
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.code == "greeting.rejected"),
        "{:?}",
        result.findings
    );
    assert!(
        has_label_containing(&h, &target),
        "the card names the endpoint"
    );
    assert!(has_label_containing(&h, "service unavailable, try later"));
}

#[test]
fn cancel_stops_a_running_check_within_a_second() {
    let port = fake_pop3(FakePop3::Silent);
    let mut h = harness(state_with_pop3_target(port), None);
    h.step();
    h.get_by_label("▶ Check these endpoints").click();
    // Wait until the check is under way (connected, waiting for the greeting).
    assert!(step_until(&mut h, Duration::from_secs(5), |h| h
        .state()
        .checks
        .is_running()));
    h.step();
    h.get_by_label("⏹ Cancel").click();
    let pressed = Instant::now();
    let stopped = step_until(&mut h, Duration::from_secs(5), |h| {
        !h.state().checks.is_running()
    });
    assert!(stopped, "the run stopped");
    assert!(
        pressed.elapsed() < Duration::from_secs(1),
        "stopped in {:?}",
        pressed.elapsed()
    );
    h.step();
    assert!(h.state().checks.run.as_ref().unwrap().cancelled);
    assert!(has_label_containing(&h, "Cancel"));
}

/// Selects all text in the field named `label` and types `text` instead.
fn retype(h: &mut Harness<'static, MailplanApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
    h.step();
}

#[test]
fn organisation_page_shows_the_advisors_top_pick() {
    let mut h = harness(State::default(), None);
    h.step();
    h.get_by_label("Load example").click();
    h.step();
    h.step();
    assert_eq!(h.state().state.plan.organisation.seats_total, 5800);
    retype(&mut h, "Seats in total", "6000");
    assert_eq!(h.state().state.plan.organisation.seats_total, 6000);
    let top = h
        .state()
        .engine
        .last_derived()
        .expect("advice computed")
        .advice
        .ranked
        .first()
        .cloned()
        .expect("a top pick");
    assert!(has_label_containing(&h, "Advisor's top pick"));
    assert!(
        h.query_all_by_label(&top.name).count() >= 1,
        "top pick {} shown",
        top.name
    );

    // Bad input is explained, not accepted.
    retype(&mut h, "Seats in total", "lots");
    assert!(has_label_containing(&h, "must be a whole number"));
    assert_eq!(h.state().state.plan.organisation.seats_total, 6000);
}

#[test]
fn changing_seats_changes_the_cost_total() {
    let mut h = harness(State::default(), None);
    h.step();
    h.get_by_label("Load example").click();
    h.step();
    h.step();
    let totals = |h: &Harness<'static, MailplanApp>| -> Vec<(String, Option<i64>)> {
        let est = h
            .state()
            .engine
            .last_derived()
            .unwrap()
            .estimate
            .clone()
            .unwrap();
        est.scenarios
            .iter()
            .map(|s| (s.id.clone(), s.totals.as_ref().map(|t| t.total.cents())))
            .collect()
    };
    let before = totals(&h);
    retype(&mut h, "Seats in total", "7000");
    assert_eq!(h.state().state.plan.organisation.seats_total, 7000);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num3);
    h.step();
    h.step();
    assert_eq!(h.state().state.page, Page::Costs);
    let after = totals(&h);
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.1.is_some() && b.1 != a.1)
        .collect();
    assert!(
        !changed.is_empty(),
        "some total changed: {before:?} -> {after:?}"
    );
    // The new total is what the page shows.
    let (id, cents) = (&changed[0].1.0, changed[0].1.1.unwrap());
    let currency = h.state().state.plan.costs.currency.clone();
    let shown = mailplan::costs::Money::from_cents(cents).format(&currency);
    assert!(has_label_containing(&h, &shown), "{id}: {shown} shown");
}

#[test]
fn bad_port_is_refused_with_a_message() {
    let mut state = state_with_pop3_target(1);
    state.checks.targets[0].port = "99999".into();
    let mut h = harness(state, None);
    h.step();
    h.get_by_label("▶ Check these endpoints").click();
    h.step();
    h.step();
    assert!(h.state().checks.run.is_none());
    assert!(has_label_containing(&h, "1 to 65535"));
}

#[test]
fn insecure_setting_shows_a_warning() {
    let mut state = State {
        page: Page::Checks,
        ..State::default()
    };
    state.checks.insecure = true;
    let mut h = harness(state, None);
    h.step();
    assert!(has_label_containing(&h, "Certificate checks are OFF"));
}

#[test]
fn plan_saves_and_opens_through_the_background() {
    use mailplan::gui::Command;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trial.ron");
    let mut h = harness(State::default(), None);
    h.step();
    h.get_by_label("Load example").click();
    h.step();
    h.step();
    assert!(h.state().state.plan_has_unsaved_changes());
    h.state_mut().push(Command::SavePlanTo {
        path: path.clone(),
        then_close: false,
    });
    let saved = step_until(&mut h, Duration::from_secs(10), |h| {
        !h.state().state.plan_has_unsaved_changes()
    });
    assert!(saved, "the plan was saved");
    assert!(has_label_containing(&h, "Classic case"));
    let on_disk = mailplan::plan::load_plan(&path).unwrap();
    assert_eq!(on_disk.organisation.seats_total, 5800);
    assert_eq!(h.state().state.recent_files.first(), Some(&path));

    // A new plan, then open the saved one again.
    h.state_mut().push(Command::NewPlan);
    h.step();
    assert_eq!(
        h.state().state.plan.organisation.seats_total,
        State::default().plan.organisation.seats_total
    );
    h.state_mut().push(Command::OpenPlanPath(path.clone()));
    let opened = step_until(&mut h, Duration::from_secs(10), |h| {
        h.state().state.plan.organisation.seats_total == 5800
    });
    assert!(opened, "the plan was opened");
    assert!(!h.state().state.plan_has_unsaved_changes());

    // A broken file is reported with its position, and the plan stays as it was.
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, "Plan(\n  name: 42,\n)").unwrap();
    h.state_mut().push(Command::OpenPlanPath(bad));
    let reported = step_until(&mut h, Duration::from_secs(10), |h| {
        has_label_containing(h, "bad.ron:2")
    });
    assert!(reported, "the error names file and line");
    assert_eq!(h.state().state.plan.organisation.seats_total, 5800);

    // A typo opens (the rest of the plan is there) and is named, not silently dropped.
    let typo = dir.path().join("typo.ron");
    std::fs::write(
        &typo,
        "Plan(\n  name: \"Typo\",\n  organisation: (seats_total: 250, seats_totl: 9),\n)",
    )
    .unwrap();
    h.state_mut().push(Command::OpenPlanPath(typo));
    let warned = step_until(&mut h, Duration::from_secs(10), |h| {
        has_label_containing(h, "`organisation.seats_totl`")
    });
    assert!(warned, "the unknown field is named");
    assert_eq!(h.state().state.plan.organisation.seats_total, 250);
}

/// Asks the window to close, as the title bar's close button does.
fn request_close(h: &mut Harness<'static, MailplanApp>) {
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
}

/// Steps once and returns the viewport commands the app sent in that frame.
fn step_commands(h: &mut Harness<'static, MailplanApp>) -> Vec<egui::ViewportCommand> {
    h.step();
    h.output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|v| v.commands.clone())
        .unwrap_or_default()
}

fn state_with_unsaved_changes() -> State {
    let mut state = State::default();
    state.plan.organisation.seats_total = 1234;
    assert!(state.plan_has_unsaved_changes());
    state
}

#[test]
fn closing_with_unsaved_changes_asks_and_keep_editing_keeps_the_window() {
    let mut h = harness(state_with_unsaved_changes(), None);
    h.step();
    request_close(&mut h);
    let sent = step_commands(&mut h);
    assert!(
        sent.contains(&egui::ViewportCommand::CancelClose),
        "the close was held back: {sent:?}"
    );
    h.step();
    assert!(h.state().close_dialog_open());
    assert!(has_label_containing(&h, "Save changes to the plan?"));
    h.get_by_label("Keep editing").click();
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.extend(step_commands(&mut h));
    }
    assert!(!h.state().close_dialog_open());
    assert!(
        !sent.contains(&egui::ViewportCommand::Close),
        "the window stays open: {sent:?}"
    );
    assert_eq!(h.state().state.plan.organisation.seats_total, 1234);
}

#[test]
fn close_without_saving_closes_and_a_clean_plan_closes_at_once() {
    let mut h = harness(state_with_unsaved_changes(), None);
    h.step();
    request_close(&mut h);
    step_commands(&mut h);
    h.step();
    h.get_by_label("Close without saving").click();
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.extend(step_commands(&mut h));
    }
    assert!(sent.contains(&egui::ViewportCommand::Close), "{sent:?}");
    // The next close request (the one the Close command makes) is let through.
    request_close(&mut h);
    let sent = step_commands(&mut h);
    assert!(
        !sent.contains(&egui::ViewportCommand::CancelClose),
        "{sent:?}"
    );

    // Nothing to save: no question.
    let mut h = harness(State::default(), None);
    h.step();
    request_close(&mut h);
    let sent = step_commands(&mut h);
    assert!(
        !sent.contains(&egui::ViewportCommand::CancelClose),
        "{sent:?}"
    );
    h.step();
    assert!(!h.state().close_dialog_open());
}

#[test]
fn save_in_the_close_question_writes_the_plan_then_closes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.ron");
    let mut state = state_with_unsaved_changes();
    state.plan_path = Some(path.clone());
    let mut h = harness(state, None);
    h.step();
    request_close(&mut h);
    step_commands(&mut h);
    h.step();
    h.get_by_label("Save").click();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut closed = false;
    while Instant::now() < deadline && !closed {
        closed = step_commands(&mut h).contains(&egui::ViewportCommand::Close);
        std::thread::yield_now();
    }
    assert!(closed, "the window closes once the plan is saved");
    let saved = mailplan::plan::load_plan(&path).expect("the saved plan loads");
    assert_eq!(saved.organisation.seats_total, 1234);
    assert!(!h.state().state.plan_has_unsaved_changes());
}
