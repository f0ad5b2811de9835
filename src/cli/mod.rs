//! The headless command line: one file per subcommand.

/// `print!` for command output: when the reader has gone away (`mailplan ... | head -1`), the
/// command ends quietly with status 1 instead of panicking on the broken pipe.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!($($arg)*))
    };
}

/// `println!` for command output; see [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub mod check;
pub mod diagnose;
pub mod estimate;
pub mod mx;
pub mod report;
pub mod scenarios;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Plan how your organisation's mail should run, and find out why a mail client cannot connect.
///
/// With no subcommand, mailplan opens its window.
#[derive(Debug, Parser)]
#[command(name = "mailplan", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check POP3, IMAP or SMTP endpoints (e.g. imaps://mail.example.com).
    Check(check::Args),
    /// Show a domain's MX records, provider and mail-security records.
    Mx(mx::Args),
    /// Diagnose an address or domain: MX, settings discovery, and checks of every endpoint.
    Diagnose(diagnose::Args),
    /// List or validate deployment scenarios.
    #[command(subcommand)]
    Scenarios(scenarios::Command),
    /// Estimate costs for a plan file.
    Estimate(estimate::Args),
    /// Export a report (PDF, HTML, Markdown, JSON or CSV).
    Report(report::Args),
}

/// Exit status: 0 all good, 1 a target or validation failed, 2 usage error.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

pub fn run(command: Command) -> ExitCode {
    let code = match command {
        Command::Check(a) => check::run(a),
        Command::Mx(a) => mx::run(a),
        Command::Diagnose(a) => diagnose::run(a),
        Command::Scenarios(c) => scenarios::run(c),
        Command::Estimate(a) => estimate::run(a),
        Command::Report(a) => report::run(a),
    };
    ExitCode::from(code)
}

/// Prints a usage-type error and returns the usage exit status.
pub fn usage_error(message: &str) -> u8 {
    eprintln!("mailplan: {message}");
    EXIT_USAGE
}

/// Runs a headless command's async work to its end on a fresh [`runtime`], then lets go of the
/// runtime without waiting for its blocking threads: a system DNS look-up (`getaddrinfo`) cannot
/// be cancelled, and waiting for one that outlived its check's deadline kept the process alive
/// for up to 10 s after the answer was printed.
pub fn run_headless<F: std::future::Future>(work: F) -> F::Output {
    let rt = runtime();
    let out = rt.block_on(work);
    rt.shutdown_background();
    out
}

/// A tokio runtime for a headless command.
pub fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mailplan: cannot start the async runtime: {e}");
            std::process::exit(EXIT_FAILED as i32);
        }
    }
}

/// Pretty JSON for standard output, with C1 controls and bidi characters from servers and files
/// written as `\uXXXX` escapes, so that printing it cannot drive the terminal.
pub fn json_text<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(value).map(crate::sanitize::json_escape_invisible)
}

/// A path from the command line. Line breaks, NUL and other control characters are refused
/// before anything is opened: in a file name they are almost always a paste accident, and they
/// would garble every message that names the file.
pub fn path_arg(text: &str) -> Result<std::path::PathBuf, String> {
    if text.is_empty() {
        return Err("the path is empty".into());
    }
    // Bidi overrides and isolates would make the name read differently from what it is.
    if text
        .chars()
        .any(|c| c.is_control() || crate::sanitize::is_bidi_override(c))
    {
        return Err(
            "the path holds a line break, a control character or a bidi override; check what was pasted"
                .into(),
        );
    }
    Ok(std::path::PathBuf::from(text))
}

/// Writes command output to standard output. A closed pipe ends the process quietly (status 1);
/// any other write error is said on standard error.
pub fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("mailplan: cannot write the output: {e}");
        }
        std::process::exit(i32::from(EXIT_FAILED));
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    /// Blocking work left behind (like a system DNS look-up past its check's deadline) does not
    /// hold the command back once its answer is ready.
    #[test]
    fn headless_work_does_not_wait_for_leftover_blocking_threads() {
        let (tx, rx) = std::sync::mpsc::channel();
        let started = Instant::now();
        let answer = super::run_headless(async move {
            tokio::task::spawn_blocking(move || {
                // Stands in for getaddrinfo: blocks until the test ends it, far past the answer.
                let _ = rx.recv_timeout(Duration::from_secs(30));
            });
            42
        });
        assert_eq!(answer, 42);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        let _ = tx.send(());
    }
}
