//! The whole reply readers, as the engine uses them: a server on 127.0.0.1 sends the input
//! (first byte picks POP3, IMAP or SMTP) and closes; the check must end without a panic,
//! within its deadline.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailplan::checks::{CancellationToken, CheckOptions, Target, run_check};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let scheme = ["pop3", "imap", "smtp"][pick as usize % 3];
    let body = body.to_vec();
    runtime().block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = tokio::spawn(async move {
            if let Ok((mut tcp, _)) = listener.accept().await {
                // Answer each client line with the next piece of the input.
                let mut pieces = body.split(|&b| b == 0xff);
                if let Some(first) = pieces.next() {
                    let _ = tcp.write_all(first).await;
                }
                let mut buf = [0u8; 1024];
                for piece in pieces {
                    match tokio::time::timeout(Duration::from_millis(200), tcp.read(&mut buf)).await
                    {
                        Ok(Ok(n)) if n > 0 => {}
                        _ => break,
                    }
                    let _ = tcp.write_all(piece).await;
                }
            }
        });
        let opts = Arc::new(CheckOptions {
            timeout: Duration::from_millis(800),
            no_starttls: true,
            ..CheckOptions::default()
        });
        let target = Target::parse(&format!("{scheme}://127.0.0.1:{port}")).expect("target");
        let started = Instant::now();
        let r = run_check(target, opts, 0, None, CancellationToken::new()).await;
        assert!(started.elapsed() < Duration::from_millis(2500));
        assert!(!r.findings.is_empty() || !r.steps.is_empty());
        let _ = mailplan::checks::summary::render(&r, true);
        server.abort();
    });
});
