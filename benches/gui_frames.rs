//! CPU time per frame for each page of the app, headless with egui_kittest (issue 9, part 5).
//!
//! A custom runner (`harness = false`), kept out of `cargo test`:
//!
//! ```sh
//! cargo bench --bench gui_frames              # 300 frames per page
//! cargo bench --bench gui_frames -- --smoke   # 30 frames per page
//! ```
//!
//! Realistic content: the classic plan with a 10-year horizon over the 7 built-in scenarios, one
//! scenario's details open, and 8 finished endpoint checks (POP3, IMAP and SMTP fakes on 127.0.0.1).
//! Each frame is one `Harness::step`: the app's `ui` and egui's layout, without tessellation or
//! painting (those are egui's and the GPU driver's, the same for every app; Xvfb's llvmpipe is not
//! what users run).
//! Exit status 1 when a page's median frame takes longer than the budget.

use egui_kittest::Harness;
use mailplan::gui::state::{ManualTarget, Security, ServiceKind};
use mailplan::gui::{Command, MailplanApp, Page, State};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A frame budget: 60 frames per second leaves 16.7 ms, and the painting needs some of it.
const BUDGET: Duration = Duration::from_millis(8);

fn fail(msg: &str) -> ! {
    eprintln!("gui_frames: {msg}");
    std::process::exit(2)
}

#[derive(Clone, Copy)]
enum Protocol {
    Pop3,
    Imap,
    Smtp,
}

/// A small, well-behaved server for `protocol`: greets, answers capability requests, says bye.
async fn serve(s: TcpStream, protocol: Protocol) {
    let (r, mut w) = s.into_split();
    let greeting: &[u8] = match protocol {
        Protocol::Pop3 => b"+OK fake POP3 ready\r\n",
        Protocol::Imap => b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake IMAP ready\r\n",
        Protocol::Smtp => b"220 fake.example ESMTP ready\r\n",
    };
    if w.write_all(greeting).await.is_err() {
        return;
    }
    let mut lines = BufReader::new(r).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let tag = line.split(' ').next().unwrap_or("");
        let reply = match protocol {
            Protocol::Pop3 if upper.starts_with("CAPA") => {
                "+OK\r\nUSER\r\nUIDL\r\nTOP\r\nSASL PLAIN\r\n.\r\n".to_owned()
            }
            Protocol::Pop3 if upper.starts_with("QUIT") => "+OK bye\r\n".to_owned(),
            Protocol::Pop3 => "-ERR unknown\r\n".to_owned(),
            Protocol::Imap if upper.contains("CAPABILITY") => {
                format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE\r\n{tag} OK done\r\n")
            }
            Protocol::Imap if upper.contains("LOGOUT") => {
                format!("* BYE fake\r\n{tag} OK bye\r\n")
            }
            Protocol::Imap => format!("{tag} BAD unknown\r\n"),
            Protocol::Smtp if upper.starts_with("EHLO") => {
                "250-fake.example\r\n250-SIZE 10240000\r\n250 AUTH PLAIN LOGIN\r\n".to_owned()
            }
            Protocol::Smtp if upper.starts_with("QUIT") => "221 bye\r\n".to_owned(),
            Protocol::Smtp => "502 unknown\r\n".to_owned(),
        };
        if w.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
        if upper.starts_with("QUIT") || upper.contains("LOGOUT") {
            return;
        }
    }
}

/// Starts the fakes on their own thread; returns (service, port) for each.
fn start_fakes(protocols: &[Protocol]) -> Vec<(Protocol, u16)> {
    let protocols = protocols.to_vec();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| fail(&format!("runtime: {e}")));
        rt.block_on(async move {
            let mut out = Vec::new();
            for p in protocols {
                let l = TcpListener::bind("127.0.0.1:0")
                    .await
                    .unwrap_or_else(|e| fail(&format!("bind: {e}")));
                let port = l.local_addr().map(|a| a.port()).unwrap_or(0);
                out.push((p, port));
                tokio::spawn(async move {
                    while let Ok((s, _)) = l.accept().await {
                        tokio::spawn(serve(s, p));
                    }
                });
            }
            let _ = tx.send(out);
            std::future::pending::<()>().await;
        });
    });
    rx.recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| fail("the fake servers did not start"))
}

fn realistic_state(fakes: &[(Protocol, u16)]) -> State {
    let mut state = State {
        page: Page::Checks,
        ..State::default()
    };
    let mut plan = mailplan::gui::engine::example_plan().unwrap_or_else(|e| fail(&e));
    plan.costs.horizon_years = 10;
    state.saved_plan = plan.clone();
    state.plan = plan;
    state.selected_scenario = Some("dual-delivery-some".into());
    state.checks.targets = fakes
        .iter()
        .map(|(p, port)| ManualTarget {
            enabled: true,
            service: match p {
                Protocol::Pop3 => ServiceKind::Pop3,
                Protocol::Imap => ServiceKind::Imap,
                Protocol::Smtp => ServiceKind::Submission,
            },
            security: Security::Plain,
            host: "127.0.0.1".into(),
            port: port.to_string(),
        })
        .collect();
    state.checks.timeout_secs = 10;
    state
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p90(v: &[Duration]) -> Duration {
    v[(v.len() * 9 / 10).min(v.len() - 1)]
}

/// CPU time (user + system) this process has used, from /proc/self/stat; None elsewhere.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command name: state is field 3, utime 14 and stime 15 (1-based, whole line).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // The kernel reports clock ticks of USER_HZ, which is 100 on Linux.
    Some(Duration::from_millis((utime + stime) * 10))
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let frames = if smoke { 30 } else { 300 };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!(
        "# mailplan GUI frame bench ({}), {cpus} CPUs, load {}",
        if smoke { "smoke" } else { "full" },
        load.join(" ")
    );

    let fakes = start_fakes(&[
        Protocol::Pop3,
        Protocol::Pop3,
        Protocol::Pop3,
        Protocol::Imap,
        Protocol::Imap,
        Protocol::Imap,
        Protocol::Smtp,
        Protocol::Smtp,
    ]);
    let state = realistic_state(&fakes);
    let mut h: Harness<'static, MailplanApp> = Harness::builder()
        .with_size([1280.0, 800.0])
        .allow_missing_glyphs()
        .build_eframe(move |cc| {
            MailplanApp::with_state(&cc.egui_ctx, state, None)
                .unwrap_or_else(|e| fail(&format!("app: {e}")))
        });
    h.step();
    h.state_mut().push(Command::RunManualChecks);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        h.step();
        let app = h.state();
        if !app.checks.is_running() && app.checks.run.is_some() {
            break;
        }
        if Instant::now() > deadline {
            fail("the 8 checks did not finish within 30 s");
        }
        std::thread::yield_now();
    }
    let results = h.state().checks.run.as_ref().map_or(0, |r| {
        r.entries.iter().filter(|e| e.result.is_some()).count()
    });
    println!("  content: 8 endpoints ({results} with results), 7 scenarios, 10-year horizon");
    println!(
        "  {frames} frames per page; one frame = Harness::step (the app's ui and egui's layout; no tessellation or painting)\n"
    );
    println!(
        "  {:<14} {:>12} {:>12} {:>16} {:>8}",
        "page", "median", "p90", "CPU per frame", "budget"
    );

    let mut missed = Vec::new();
    for page in Page::ALL {
        h.state_mut().push(Command::Navigate(page));
        for _ in 0..5 {
            h.step();
        }
        let mut times = Vec::with_capacity(frames);
        let cpu0 = process_cpu();
        for _ in 0..frames {
            let t = Instant::now();
            h.step();
            times.push(t.elapsed());
        }
        let cpu = match (cpu0, process_cpu()) {
            (Some(a), Some(b)) => format!("{:.2} ms", (b - a).as_secs_f64() * 1e3 / frames as f64),
            _ => "n/a".into(),
        };
        let med = median(&mut times);
        let p = p90(&times);
        let ok = med <= BUDGET;
        if !ok {
            missed.push(page.title());
        }
        println!(
            "  {:<14} {:>9.2} ms {:>9.2} ms {:>16} {:>8}",
            page.title(),
            med.as_secs_f64() * 1e3,
            p.as_secs_f64() * 1e3,
            cpu,
            if ok { "ok" } else { "MISSED" }
        );
    }
    if missed.is_empty() {
        println!(
            "\nall pages within {} ms per frame (median)",
            BUDGET.as_millis()
        );
    } else {
        println!("\nmissed the budget: {}", missed.join(", "));
        std::process::exit(1);
    }
}
