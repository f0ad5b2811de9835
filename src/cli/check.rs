//! `mailplan check`: live checks of POP3, IMAP and SMTP endpoints.

use crate::checks::{
    CancellationToken, CheckOptions, Login, Progress, Target, run_checks, summary,
};
use crate::findings::Verdict;
use crate::secret::Secret;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Check POP3, IMAP or SMTP endpoints from this computer's network.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Targets are SCHEME://HOST[:PORT] with SCHEME one of pop3, pop3s, imap, imaps, smtp, submission, smtps.\n\
Exit status: 0 when no target failed, 1 when one did, 2 for a usage error."
)]
pub struct Args {
    /// One or more targets, e.g. imaps://imap.gmail.com pop3://mail.example.com:110
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Print one JSON document {"version":1,"results":[...]} instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Test the raw plain-text dialogue: never upgrade with STARTTLS/STLS.
    #[arg(long)]
    pub no_starttls: bool,
    /// Log in as this user (password from --password-stdin, --password-env, or a prompt).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long, requires = "user")]
    pub password_stdin: bool,
    /// Read the password from this environment variable.
    #[arg(
        long,
        value_name = "VAR",
        requires = "user",
        conflicts_with = "password_stdin"
    )]
    pub password_env: Option<String>,
    /// Allow sending the password over a connection that is not encrypted.
    #[arg(long)]
    pub allow_plaintext_login: bool,
    /// After login, read the newest message's headers and check its Date: (POP3/IMAP).
    #[arg(long, requires = "user")]
    pub inspect_latest: bool,
    /// Name sent in SMTP EHLO/HELO.
    #[arg(long, value_name = "NAME")]
    pub ehlo: Option<String>,
    /// Show every line of the dialogue (text output).
    #[arg(long)]
    pub transcript: bool,
}

/// How `check` and `diagnose` reach servers: the deadline, the DNS server, what to trust.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// Deadline for each check (one endpoint), in seconds.
    #[arg(
        long,
        value_name = "S",
        default_value_t = 30.0,
        allow_negative_numbers = true
    )]
    pub timeout: f64,
    /// Use this DNS server (IP or IP:PORT) instead of the system's resolver.
    #[arg(long, value_name = "IP:PORT")]
    pub dns: Option<String>,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "PEM", value_parser = crate::cli::path_arg)]
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate (stated in every output).
    #[arg(long)]
    pub insecure: bool,
}

impl ConnectionArgs {
    /// Check options with these settings, or a usage error: a timeout out of range, a DNS server
    /// that is not an address, a CA file that cannot be read as PEM.
    pub fn check_options(&self) -> Result<CheckOptions, String> {
        if !(self.timeout.is_finite() && self.timeout > 0.0 && self.timeout <= 3600.0) {
            return Err(
                "--timeout: give a number of seconds above 0 and at most 3600 (default 30)".into(),
            );
        }
        let dns = self
            .dns
            .as_deref()
            .map(|d| crate::dns::parse_server(d).map_err(|e| format!("--dns: {e}")))
            .transpose()?;
        if let Some(p) = &self.ca_file {
            crate::cli::path_arg(&p.to_string_lossy()).map_err(|e| format!("--ca-file: {e}"))?;
            crate::checks::tls::connector(Some(p), true)?;
        }
        Ok(CheckOptions {
            timeout: Duration::from_secs_f64(self.timeout),
            dns,
            ca_file: self.ca_file.clone(),
            insecure: self.insecure,
            ..CheckOptions::default()
        })
    }
}

/// Longest password line read from standard input.
const MAX_PASSWORD_BYTES: u64 = 4096;

/// The first line of `input` (without its line end), read no further: a pipe that stays open
/// after the password, or one that never ends, neither hangs nor fills memory.
pub fn password_line(input: &mut impl std::io::BufRead) -> Result<String, String> {
    use std::io::BufRead;
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    std::io::Read::take(input, MAX_PASSWORD_BYTES + 1)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    if bytes.len() as u64 > MAX_PASSWORD_BYTES && !bytes.ends_with(b"\n") {
        return Err(format!(
            "--password-stdin: the first line is longer than {MAX_PASSWORD_BYTES} bytes; give the password on a line of its own"
        ));
    }
    while bytes.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
        bytes.pop();
    }
    std::str::from_utf8(&bytes)
        .map(str::to_owned)
        .map_err(|_| "--password-stdin: the password is not UTF-8 text".to_owned())
}

fn read_password(args: &Args) -> Result<Option<Secret>, String> {
    if args.user.is_none() {
        return Ok(None);
    }
    let pw = if args.password_stdin {
        Secret::new(password_line(&mut std::io::stdin().lock())?)
    } else if let Some(var) = &args.password_env {
        match std::env::var(var) {
            Ok(v) => Secret::new(v),
            Err(_) => {
                return Err(format!(
                    "--password-env: the environment variable {var} is not set"
                ));
            }
        }
    } else {
        if !std::io::stdin().is_terminal() {
            return Err("--user needs a password: use --password-stdin or --password-env VAR, or run in a terminal to be asked".into());
        }
        let p = rpassword::prompt_password("Password: ")
            .map_err(|e| format!("cannot read the password: {e}"))?;
        Secret::new(p)
    };
    if pw.is_empty() {
        // An empty password would only count as a failed login on a real account.
        return Err("the password is empty: nothing was sent. Give the password on standard input, in the environment variable, or at the prompt".into());
    }
    Ok(Some(pw))
}

/// Builds the options and targets, or a usage error message.
pub fn prepare(args: &Args) -> Result<(Vec<Target>, CheckOptions), String> {
    let mut targets = Vec::new();
    for t in &args.targets {
        targets.push(Target::parse(t)?);
    }
    let mut opts = CheckOptions {
        no_starttls: args.no_starttls,
        allow_plaintext_login: args.allow_plaintext_login,
        inspect_latest: args.inspect_latest,
        ..args.connection.check_options()?
    };
    if let Some(e) = &args.ehlo {
        if e.is_empty() || e.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(
                "--ehlo: the name must not be empty or contain spaces or control characters".into(),
            );
        }
        opts.ehlo_name = e.clone();
    }
    if let Some(user) = &args.user {
        if user.chars().any(|c| matches!(c, '\r' | '\n' | '\0')) {
            return Err("--user: the user name contains CR, LF or NUL".into());
        }
        let password = read_password(args)?.unwrap_or_default();
        if password.expose().contains(['\r', '\n', '\0']) {
            return Err("the password contains CR, LF or NUL".into());
        }
        opts.login = Some(Login {
            user: user.clone(),
            password,
        });
    }
    Ok((targets, opts))
}

pub fn run(args: Args) -> u8 {
    let (targets, opts) = match prepare(&args) {
        Ok(x) => x,
        Err(e) => return super::usage_error(&e),
    };
    let show_progress = !args.json && std::io::stderr().is_terminal();
    let names: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    let results = super::run_headless(async move {
        let cancel = CancellationToken::new();
        let c2 = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                c2.cancel();
            }
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let printer = tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                if !show_progress {
                    continue;
                }
                match p {
                    Progress::Started { index, .. } => {
                        eprintln!(
                            "checking {}...",
                            names.get(index).map(String::as_str).unwrap_or("?")
                        );
                    }
                    Progress::Step { index, step } => eprintln!(
                        "  {} {}: {} ms{}",
                        names.get(index).map(String::as_str).unwrap_or("?"),
                        step.name,
                        step.ms,
                        if step.ok { "" } else { " (failed)" }
                    ),
                    Progress::Finished { .. } => {}
                }
            }
        });
        let results = run_checks(targets, Arc::new(opts), Some(tx), cancel).await;
        let _ = printer.await;
        results
    });
    if args.json {
        let doc = serde_json::json!({ "version": 1, "results": results });
        match super::json_text(&doc) {
            Ok(s) => outln!("{s}"),
            Err(e) => {
                eprintln!("mailplan: cannot write JSON: {e}");
                return super::EXIT_FAILED;
            }
        }
    } else {
        out!("{}", summary::render_all(&results, args.transcript));
    }
    if results.iter().any(|r| r.verdict == Verdict::Fail) {
        super::EXIT_FAILED
    } else {
        super::EXIT_OK
    }
}

#[cfg(test)]
mod password_tests {
    use super::password_line;
    use std::io::{BufReader, Cursor, Read};

    #[test]
    fn reads_only_the_first_line() {
        assert_eq!(
            password_line(&mut Cursor::new("pa ss\r\nrest\n")).unwrap(),
            "pa ss"
        );
        assert_eq!(
            password_line(&mut Cursor::new("no newline")).unwrap(),
            "no newline"
        );
        assert_eq!(password_line(&mut Cursor::new("")).unwrap(), "");
    }

    #[test]
    fn an_endless_line_is_refused_without_reading_it_all() {
        let mut endless = BufReader::new(std::io::repeat(b'a'));
        let err = password_line(&mut endless).unwrap_err();
        assert!(err.contains("longer than"), "{err}");
        // A line exactly at the limit is fine.
        let line = "b".repeat(4096) + "\n";
        assert_eq!(password_line(&mut Cursor::new(line)).unwrap().len(), 4096);
        // Whatever follows the first line is left unread.
        let mut rest = Cursor::new("pw\nsecond\n");
        password_line(&mut rest).unwrap();
        let mut left = String::new();
        rest.read_to_string(&mut left).unwrap();
        assert_eq!(left, "second\n");
    }
}
