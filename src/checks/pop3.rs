//! POP3 (RFC 1939, 2449, 2595, 5034): greeting, CAPA, STLS, AUTH PLAIN or USER/PASS,
//! STAT + TOP for `--inspect-latest`, QUIT.

use super::Login;
use super::conn::{ConnError, MAX_REPLY_LINES, Session};
use super::engine::{Flow, GreetingError, Run, login_refusal_code, protocol_name, sasl_plain};
use super::headers;
use tokio::time::Instant;

pub async fn greeting(
    run: &mut Run,
    s: &mut Session,
    limit: Option<Instant>,
) -> Result<(), GreetingError> {
    let line = s.read_line(&mut run.clock, limit).await?;
    if line.starts_with("+OK") {
        run.banner = Some(line);
        Ok(())
    } else if line.starts_with("-ERR") {
        run.banner = Some(line.clone());
        Err(GreetingError::Rejected {
            temporary: line.contains("[IN-USE]")
                || line.contains("[SYS/TEMP]")
                || line.to_ascii_lowercase().contains("try again"),
            text: line,
        })
    } else {
        Err(GreetingError::WrongProtocol(line))
    }
}

/// Reads a multi-line body after `+OK`, up to the lone "." (dot-unstuffed). Bounded in lines.
async fn read_multiline(
    run: &mut Run,
    s: &mut Session,
    max_lines: usize,
) -> Result<Vec<String>, ConnError> {
    let mut lines = Vec::new();
    loop {
        let line = s.read_line(&mut run.clock, None).await?;
        if line == "." {
            return Ok(lines);
        }
        if lines.len() >= max_lines {
            return Err(ConnError::TooLong);
        }
        lines.push(line.strip_prefix('.').map(str::to_owned).unwrap_or(line));
    }
}

/// Parses CAPA lines: (capabilities, SASL mechanisms, STLS, UIDL).
pub fn parse_capa(lines: &[String]) -> (Vec<String>, Vec<String>, bool, bool) {
    let mut mechs = Vec::new();
    let (mut stls, mut uidl) = (false, false);
    for l in lines {
        let upper = l.trim().to_ascii_uppercase();
        let mut words = upper.split_whitespace();
        match words.next() {
            Some("STLS") => stls = true,
            Some("UIDL") => uidl = true,
            Some("SASL") => mechs.extend(words.map(str::to_owned)),
            _ => {}
        }
    }
    (
        lines.iter().map(|l| l.trim().to_owned()).collect(),
        mechs,
        stls,
        uidl,
    )
}

pub async fn capabilities(run: &mut Run, s: &mut Session) -> Flow<()> {
    s.send(&mut run.clock, "CAPA", None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let status = s
        .read_line(&mut run.clock, None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    if status.starts_with("+OK") {
        let lines = read_multiline(run, s, MAX_REPLY_LINES)
            .await
            .map_err(|e| run.conn_error(e, "session.closed"))?;
        let (caps, mechs, stls, uidl) = parse_capa(&lines);
        run.caps.known = true;
        run.caps.list = caps;
        run.caps.mechs = mechs;
        run.caps.starttls = stls;
        // Report a missing UIDL once (after STLS the list is read again).
        if !uidl && !run.has("pop3.no_uidl") {
            run.add("pop3.no_uidl", None);
        }
    } else if status.starts_with("-ERR") {
        run.caps.known = false;
        if !run.has("capabilities.unavailable") {
            run.add("capabilities.unavailable", Some(&status));
        }
    } else {
        let title = format!(
            "The answer to CAPA is not {}",
            protocol_name(run.target.protocol())
        );
        run.add("session.unexpected_reply", Some(&status)).title = title;
    }
    Ok(())
}

pub async fn starttls_command(
    run: &mut Run,
    s: &mut Session,
) -> Result<Result<(), String>, ConnError> {
    s.send(&mut run.clock, "STLS", None).await?;
    let line = s.read_line(&mut run.clock, None).await?;
    Ok(if line.starts_with("+OK") {
        Ok(())
    } else {
        Err(line)
    })
}

/// Records a -ERR answer to a login command.
fn refused(run: &mut Run, text: &str) {
    let lower = text.to_ascii_lowercase();
    let code = if lower.contains("unknown command")
        || lower.contains("not supported")
        || lower.contains("unrecognized")
    {
        "auth.mechanism_unsupported"
    } else {
        login_refusal_code(text)
    };
    run.add(code, Some(text));
}

pub async fn login(run: &mut Run, s: &mut Session, login: &Login) -> Flow<()> {
    let plain = run.caps.mechs.iter().any(|m| m == "PLAIN");
    if plain {
        s.send(&mut run.clock, "AUTH PLAIN", None)
            .await
            .map_err(|e| run.conn_error(e, "session.closed"))?;
        let line = s
            .read_line(&mut run.clock, None)
            .await
            .map_err(|e| run.conn_error(e, "session.closed"))?;
        if line.starts_with('+') && !line.starts_with("+OK") {
            let blob = sasl_plain(&login.user, login.password.expose());
            s.send(&mut run.clock, &blob, Some("****"))
                .await
                .map_err(|e| run.conn_error(e, "session.closed"))?;
            let line = s
                .read_line(&mut run.clock, None)
                .await
                .map_err(|e| run.conn_error(e, "session.closed"))?;
            if line.starts_with("+OK") {
                run.logged_in = true;
            } else {
                refused(run, &line);
            }
            return Ok(());
        }
        // AUTH PLAIN refused outright: fall back to USER/PASS.
        run.clock
            .note("AUTH PLAIN was not accepted; trying USER/PASS");
    }
    s.send(&mut run.clock, &format!("USER {}", login.user), None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let line = s
        .read_line(&mut run.clock, None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    if !line.starts_with("+OK") {
        refused(run, &line);
        return Ok(());
    }
    let pass = zeroize::Zeroizing::new(format!("PASS {}", login.password.expose()));
    s.send(&mut run.clock, &pass, Some("PASS ****"))
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let line = s
        .read_line(&mut run.clock, None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    if line.starts_with("+OK") {
        run.logged_in = true;
    } else {
        refused(run, &line);
    }
    Ok(())
}

/// STAT, then TOP n 0 for the newest message's headers. Changes nothing on the server.
pub async fn inspect_latest(run: &mut Run, s: &mut Session) -> Flow<()> {
    s.send(&mut run.clock, "STAT", None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let line = s
        .read_line(&mut run.clock, None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let count = line
        .strip_prefix("+OK")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok());
    let Some(count) = count else {
        run.add("message.inspect_failed", Some(&line));
        return Ok(());
    };
    if count == 0 {
        run.add("message.mailbox_empty", None);
        return Ok(());
    }
    s.send(&mut run.clock, &format!("TOP {count} 0"), None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let status = s
        .read_line(&mut run.clock, None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    if !status.starts_with("+OK") {
        run.add("message.inspect_failed", Some(&status));
        return Ok(());
    }
    let lines = read_multiline(run, s, 2000)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    headers::report(run, &lines.join("\r\n"));
    Ok(())
}

pub async fn quit(run: &mut Run, s: &mut Session, limit: Option<Instant>) -> bool {
    if s.send(&mut run.clock, "QUIT", None).await.is_err() {
        return false;
    }
    matches!(s.read_line(&mut run.clock, limit).await, Ok(l) if l.starts_with("+OK"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_capa() {
        let lines: Vec<String> = ["TOP", "UIDL", "SASL PLAIN LOGIN", "STLS", "USER"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (caps, mechs, stls, uidl) = parse_capa(&lines);
        assert_eq!(caps.len(), 5);
        assert_eq!(mechs, vec!["PLAIN", "LOGIN"]);
        assert!(stls && uidl);
    }
}
