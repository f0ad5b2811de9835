//! Memory bound: a check against a server flooding 100 MB stays within 8 MiB of extra resident
//! memory. One test in its own binary, so no other test's allocations are measured.
//! Linux only (reads /proc/self/status); elsewhere it says so and passes.
//! Run: `cargo test --test memory_bound`.

use mailplan::checks::{CancellationToken, CheckOptions, Target, run_check};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const FLOOD: usize = 100 * 1024 * 1024;
const LIMIT_KIB: u64 = 8 * 1024;

/// A field of /proc/self/status in KiB (VmRSS, VmHWM).
fn status_kib(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak-RSS counter (Linux 4.0+); false when not possible.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A server that sends `prefix`, then `FLOOD` bytes made of `unit`, from one fixed buffer.
async fn flood_server(prefix: &'static [u8], unit: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let chunk: Vec<u8> = unit.iter().copied().cycle().take(64 * 1024).collect();
                if tcp.write_all(prefix).await.is_err() {
                    return;
                }
                // Let the client send its first command (EHLO/CAPA), then flood.
                let mut cmd = [0u8; 512];
                let _ = tokio::time::timeout(Duration::from_millis(500), tcp.read(&mut cmd)).await;
                let mut sent = 0;
                while sent < FLOOD {
                    if tcp.write_all(&chunk).await.is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn a_check_under_a_100_mb_flood_stays_within_8_mib() {
    if status_kib("VmRSS").is_none() {
        eprintln!("skipped: /proc/self/status is not available on this system");
        return;
    }
    let cases: [(&str, &'static [u8], &'static [u8]); 4] = [
        ("smtp", b"", b"AAAAAAAA"),
        ("smtp", b"220 mx ESMTP\r\n", b"250-X-FLOOD-EXTENSION\r\n"),
        ("pop3", b"+OK ready\r\n", b"+OK\r\nX-FLOOD\r\n"),
        ("imap", b"* OK ready\r\n", b"* OK {5}\r\nhello\r\n"),
    ];
    let o = Arc::new(CheckOptions {
        timeout: Duration::from_secs(5),
        ..CheckOptions::default()
    });
    // Warm up: runtime, resolver paths and TLS setup allocate once.
    let port = flood_server(b"", b"A").await;
    let t = Target::parse(&format!("smtp://127.0.0.1:{port}")).expect("target");
    let _ = run_check(t, o.clone(), 0, None, CancellationToken::new()).await;

    for (scheme, prefix, unit) in cases {
        let port = flood_server(prefix, unit).await;
        let t = Target::parse(&format!("{scheme}://127.0.0.1:{port}")).expect("target");
        let base = status_kib("VmRSS").expect("rss");
        let peak_resettable = reset_peak();
        let started = Instant::now();
        let r = run_check(t, o.clone(), 0, None, CancellationToken::new()).await;
        let took = started.elapsed();
        let peak = status_kib("VmHWM").expect("hwm");
        let now = status_kib("VmRSS").expect("rss");
        let grew = if peak_resettable {
            peak.saturating_sub(base)
        } else {
            now.saturating_sub(base)
        };
        eprintln!(
            "{scheme} {:?}: base {base} KiB, peak {peak} KiB, after {now} KiB, grew {grew} KiB, {took:?}, {:?}",
            String::from_utf8_lossy(&unit[..unit.len().min(12)]),
            r.findings
                .iter()
                .map(|f| f.code.as_str())
                .collect::<Vec<_>>()
        );
        assert!(grew < LIMIT_KIB, "{scheme}: grew {grew} KiB");
        assert!(
            r.findings.iter().any(|f| f.code == "greeting.too_long"),
            "{scheme}: {:?}",
            r.findings
        );
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}
