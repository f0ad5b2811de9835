//! Performance budgets of the check engine and the cost model (issue 9).
//!
//! A small custom runner (`harness = false`), so it stays out of `cargo test`:
//!
//! ```sh
//! cargo bench --bench engine              # full run (about a minute)
//! cargo bench --bench engine -- --smoke   # a few seconds, fewer repetitions, N up to 64
//! ```
//!
//! Everything binds 127.0.0.1. Fake servers run on their own runtime (one thread) so the
//! engine under test gets the same runtime shape as the CLI (`mailplan::cli::runtime`).
//! Exit status 1 when a budget is missed, so a CI smoke job can use it.

use mailplan::checks::{CancellationToken, CheckOptions, CheckResult, Target, run_checks};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How long each fake server waits before its greeting.
const GREETING_DELAY: Duration = Duration::from_millis(500);

/// What a fake server does with each connection.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Waits, greets as POP3, answers CAPA and QUIT.
    SlowPop3(Duration),
    /// Accepts and never says anything.
    Silent,
    /// Sends one byte every 100 ms, never a line end.
    Drip,
}

/// Starts `n` listeners on 127.0.0.1 with one behaviour, on the given runtime.
fn start_servers(rt: &tokio::runtime::Runtime, n: usize, b: Behaviour) -> Vec<SocketAddr> {
    rt.block_on(async {
        let mut addrs = Vec::with_capacity(n);
        for _ in 0..n {
            let l = match TcpListener::bind("127.0.0.1:0").await {
                Ok(l) => l,
                Err(e) => fail(&format!("cannot bind a fake server: {e}")),
            };
            addrs.push(l.local_addr().unwrap_or_else(|e| fail(&e.to_string())));
            tokio::spawn(async move {
                while let Ok((s, _)) = l.accept().await {
                    tokio::spawn(serve(s, b));
                }
            });
        }
        addrs
    })
}

async fn serve(s: TcpStream, b: Behaviour) {
    match b {
        Behaviour::SlowPop3(delay) => {
            tokio::time::sleep(delay).await;
            let (r, mut w) = s.into_split();
            if w.write_all(b"+OK fake POP3 ready\r\n").await.is_err() {
                return;
            }
            let mut lines = BufReader::new(r).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let cmd = line.to_ascii_uppercase();
                let reply: &[u8] = if cmd.starts_with("CAPA") {
                    b"+OK\r\nUSER\r\nUIDL\r\n.\r\n"
                } else if cmd.starts_with("QUIT") {
                    let _ = w.write_all(b"+OK bye\r\n").await;
                    return;
                } else {
                    b"-ERR unknown\r\n"
                };
                if w.write_all(reply).await.is_err() {
                    return;
                }
            }
        }
        Behaviour::Silent => {
            let mut s = s;
            let mut buf = [0u8; 256];
            // Read (and ignore) until the client goes away.
            while let Ok(n) = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await {
                if n == 0 {
                    return;
                }
            }
        }
        Behaviour::Drip => {
            let mut s = s;
            loop {
                if s.write_all(b"x").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("bench: {msg}");
    std::process::exit(2)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs the given targets through `run_checks` on a CLI-shaped runtime; returns wall time and results.
fn timed_checks(
    engine: &tokio::runtime::Runtime,
    addrs: &[SocketAddr],
    timeout: Duration,
) -> (Duration, Vec<CheckResult>) {
    let targets: Vec<Target> = addrs
        .iter()
        .map(|a| {
            Target::parse(&format!("pop3://{a}")).unwrap_or_else(|e| fail(&format!("target: {e}")))
        })
        .collect();
    let opts = Arc::new(CheckOptions {
        timeout,
        ..CheckOptions::default()
    });
    let started = Instant::now();
    let results = engine.block_on(run_checks(targets, opts, None, CancellationToken::new()));
    (started.elapsed(), results)
}

struct Budget {
    failures: Vec<String>,
}

impl Budget {
    fn check(&mut self, ok: bool, what: String) {
        println!("    {} {what}", if ok { "ok  " } else { "MISS" });
        if !ok {
            self.failures.push(what);
        }
    }
}

fn concurrency(
    servers: &tokio::runtime::Runtime,
    engine: &tokio::runtime::Runtime,
    ns: &[usize],
    runs: usize,
    budget: &mut Budget,
) {
    println!("\n## Concurrency: N fake POP3 servers, each greeting after 500 ms");
    println!(
        "{:>5} {:>12} {:>14} {:>12} {:>10} {:>10}",
        "N", "wall ms", "slowest in ms", "N×500 ms", "wall/1", "budget"
    );
    // The first check of a process also builds the shared TLS connector (loads the root store):
    // report it, then measure warm.
    let warm = start_servers(servers, 1, Behaviour::SlowPop3(GREETING_DELAY));
    let (cold, _) = timed_checks(engine, &warm, Duration::from_secs(10));
    println!(
        "  first check of the process (cold): {:.1} ms",
        cold.as_secs_f64() * 1e3
    );
    let mut single = f64::NAN;
    for &n in ns {
        let addrs = start_servers(servers, n, Behaviour::SlowPop3(GREETING_DELAY));
        let mut walls = Vec::new();
        let mut slowest = Vec::new();
        for _ in 0..runs {
            let (wall, results) = timed_checks(engine, &addrs, Duration::from_secs(10));
            if results.len() != n {
                fail(&format!("{} results for {n} targets", results.len()));
            }
            let bad = results
                .iter()
                .filter(|r| r.banner.is_none())
                .map(|r| {
                    r.findings
                        .first()
                        .map(|f| f.code.clone())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>();
            if !bad.is_empty() {
                fail(&format!(
                    "N={n}: {} checks did not get the greeting: {:?}",
                    bad.len(),
                    &bad[..bad.len().min(5)]
                ));
            }
            walls.push(wall.as_secs_f64() * 1e3);
            slowest.push(results.iter().map(|r| r.elapsed_ms).max().unwrap_or(0) as f64);
        }
        let wall = median(&mut walls);
        let slow = median(&mut slowest);
        if n == 1 {
            single = wall;
        }
        let limit = if n <= 64 { 1.3 } else { 2.0 };
        let ratio = wall / single;
        println!(
            "{n:>5} {wall:>12.1} {slow:>14.1} {:>12} {ratio:>10.2} {:>9}×",
            n * 500,
            limit
        );
        budget.check(
            ratio <= limit,
            format!(
                "N={n}: median wall {wall:.0} ms = {ratio:.2}× the single check ({single:.0} ms), budget {limit}×"
            ),
        );
    }
}

fn deadlines(
    servers: &tokio::runtime::Runtime,
    engine: &tokio::runtime::Runtime,
    runs: usize,
    budget: &mut Budget,
) {
    println!("\n## Deadlines: timeout 2 s, must end within 2.2 s");
    let timeout = Duration::from_secs(2);
    for (name, b) in [
        ("silent port", Behaviour::Silent),
        ("1 byte per 100 ms", Behaviour::Drip),
    ] {
        let addrs = start_servers(servers, 1, b);
        let mut walls = Vec::new();
        let mut codes = Vec::new();
        for _ in 0..runs {
            let (wall, results) = timed_checks(engine, &addrs, timeout);
            walls.push(wall.as_secs_f64() * 1e3);
            if let Some(r) = results.first() {
                codes = r.findings.iter().map(|f| f.code.clone()).collect();
            }
        }
        let max = walls.iter().cloned().fold(0.0, f64::max);
        let med = median(&mut walls);
        println!("  {name:<18} median {med:.0} ms, max {max:.0} ms, findings {codes:?}");
        budget.check(
            max <= 2200.0,
            format!("{name}: slowest of {runs} runs {max:.0} ms (budget 2200 ms)"),
        );
    }
}

fn cost_engine(iterations: usize, budget: &mut Budget) {
    use mailplan::costs::model::estimate_plan;
    println!("\n## Cost engine: full estimate + sensitivity, 7 built-in scenarios, classic plan");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/examples/classic.ron"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
    let plan = mailplan::plan::parse_plan("classic.ron", &text)
        .unwrap_or_else(|e| fail(&format!("classic.ron: {e}")));
    let (catalogue, errors) = mailplan::costs::books::builtin_catalogue();
    if !errors.is_empty() {
        fail(&format!("price books: {errors:?}"));
    }
    let scenarios = mailplan::scenarios::built_in().cost_views();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let first = estimate_plan(&plan, &scenarios, &catalogue, today);
    println!(
        "  {} scenarios, horizon {} years, {} sensitivity rows, cheapest {:?}",
        first.scenarios.len(),
        plan.costs.horizon_years,
        first.sensitivity.len(),
        first.cheapest
    );
    let mut each = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let est = estimate_plan(&plan, &scenarios, &catalogue, today);
        each.push(t.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(est);
    }
    let p90 = {
        let mut v = each.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        v[(v.len() * 9 / 10).min(v.len() - 1)]
    };
    let med = median(&mut each);
    println!("  median {med:.0} µs, p90 {p90:.0} µs over {iterations} runs");
    budget.check(
        med < 1000.0,
        format!("cost engine: median {med:.0} µs (budget: under 1 ms)"),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    // `cargo bench` passes `--bench`; ignore it and anything else unknown.
    let only: Option<&str> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);

    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&e.to_string()));
    let engine = mailplan::cli::runtime();

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "# mailplan engine bench ({}), {} CPUs, load {}",
        if smoke { "smoke" } else { "full" },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut budget = Budget {
        failures: Vec::new(),
    };
    let want = |name: &str| only.is_none_or(|o| o == name);
    if want("concurrency") {
        let (ns, runs): (&[usize], usize) = if smoke {
            (&[1, 8, 64], 1)
        } else {
            (&[1, 8, 64, 256], 5)
        };
        concurrency(&servers, &engine, ns, runs, &mut budget);
    }
    if want("deadlines") {
        deadlines(&servers, &engine, if smoke { 1 } else { 3 }, &mut budget);
    }
    if want("costs") {
        cost_engine(if smoke { 200 } else { 2000 }, &mut budget);
    }
    if budget.failures.is_empty() {
        println!("\nall budgets met");
    } else {
        println!("\n{} budget(s) missed:", budget.failures.len());
        for f in &budget.failures {
            println!("  - {f}");
        }
        std::process::exit(1);
    }
}
