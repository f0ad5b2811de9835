//! SMTP (RFC 5321): multi-line replies, EHLO/HELO, STARTTLS, AUTH PLAIN/LOGIN, QUIT.

use super::Login;
use super::conn::{Clock, ConnError, MAX_REPLY_LINES, Session, SmtpReply, parse_smtp_line};
use super::engine::{Flow, GreetingError, Run, Stop, base64, login_refusal_code, sasl_plain};
use tokio::time::Instant;

/// Why a reply could not be read.
#[derive(Debug)]
pub enum ReplyError {
    Conn(ConnError),
    /// A line that is not an SMTP reply line.
    NotSmtp(String),
    /// Lines of one reply carry different codes (RFC 5321 4.2.1 forbids it): the lines as
    /// received, and the code of the last line.
    MixedCodes(String, u16),
}

impl From<ConnError> for ReplyError {
    fn from(e: ConnError) -> Self {
        ReplyError::Conn(e)
    }
}

/// Reads one complete (possibly multi-line) reply. A reply whose lines carry different codes
/// is an error ([`ReplyError::MixedCodes`]): acting on either code would misread the server.
pub async fn read_reply(
    s: &mut Session,
    clock: &mut Clock,
    limit: Option<Instant>,
) -> Result<SmtpReply, ReplyError> {
    let mut code = None;
    let mut lines = Vec::new();
    let mut mixed = false;
    let mut raw = Vec::new();
    loop {
        let line = s.read_line(clock, limit).await?;
        let Some((c, last, text)) = parse_smtp_line(&line) else {
            return Err(ReplyError::NotSmtp(line));
        };
        mixed |= *code.get_or_insert(c) != c;
        lines.push(text.to_owned());
        if raw.len() < 20 {
            raw.push(line.clone());
        }
        if last {
            if mixed {
                return Err(ReplyError::MixedCodes(raw.join("\n"), c));
            }
            break;
        }
        if lines.len() > MAX_REPLY_LINES {
            return Err(ReplyError::Conn(ConnError::TooLong));
        }
    }
    Ok(SmtpReply {
        code: code.unwrap_or(0),
        lines,
    })
}

/// EHLO keywords parsed from a reply: (capabilities, AUTH mechanisms, STARTTLS offered).
pub fn parse_ehlo(reply: &SmtpReply) -> (Vec<String>, Vec<String>, bool) {
    let mut caps = Vec::new();
    let mut mechs: Vec<String> = Vec::new();
    let mut starttls = false;
    // The first line is the server's name and greeting text.
    for line in reply.lines.iter().skip(1) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        caps.push(line.to_owned());
        let upper = line.to_ascii_uppercase();
        let mut words = upper.split([' ', '=']);
        match words.next() {
            Some("STARTTLS") => starttls = true,
            Some("AUTH") => {
                for m in words.filter(|w| !w.is_empty()) {
                    if !mechs.iter().any(|x| x == m) {
                        mechs.push(m.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    (caps, mechs, starttls)
}

fn reply_conn_error(run: &mut Run, e: ReplyError) -> Stop {
    match e {
        ReplyError::Conn(c) => run.conn_error(c, "session.closed"),
        ReplyError::NotSmtp(line) => {
            run.add("session.unexpected_reply", Some(&line));
            Stop
        }
        ReplyError::MixedCodes(text, _) => {
            run.add("session.unexpected_reply", Some(&text)).title =
                "The server's reply mixes different status codes".into();
            Stop
        }
    }
}

pub async fn greeting(
    run: &mut Run,
    s: &mut Session,
    limit: Option<Instant>,
) -> Result<(), GreetingError> {
    // Never send anything before the final `220 ` line.
    let reply = match read_reply(s, &mut run.clock, limit).await {
        Ok(r) => r,
        Err(ReplyError::Conn(e)) => return Err(GreetingError::Conn(e)),
        Err(ReplyError::NotSmtp(line)) => return Err(GreetingError::WrongProtocol(line)),
        // A greeting that ends in a refusal is a refusal, whatever came before it.
        Err(ReplyError::MixedCodes(text, last)) if last >= 400 => {
            return Err(GreetingError::Rejected {
                text,
                temporary: last < 500,
            });
        }
        Err(ReplyError::MixedCodes(text, _)) => return Err(GreetingError::WrongProtocol(text)),
    };
    run.banner = Some(reply.text());
    match reply.code {
        220 => Ok(()),
        c if (400..500).contains(&c) => Err(GreetingError::Rejected {
            text: reply.text(),
            temporary: true,
        }),
        c if c >= 500 => Err(GreetingError::Rejected {
            text: reply.text(),
            temporary: false,
        }),
        _ => Err(GreetingError::WrongProtocol(reply.text())),
    }
}

/// EHLO (HELO when EHLO is rejected). `again` is the round after STARTTLS.
pub async fn capabilities(run: &mut Run, s: &mut Session, again: bool) -> Flow<()> {
    let name = run.opts.ehlo_name.clone();
    s.send(&mut run.clock, &format!("EHLO {name}"), None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let reply = read_reply(s, &mut run.clock, None)
        .await
        .map_err(|e| reply_conn_error(run, e))?;
    if reply.code == 250 {
        let (caps, mechs, starttls) = parse_ehlo(&reply);
        run.caps.known = true;
        run.caps.list = caps;
        run.caps.mechs = mechs;
        run.caps.starttls = starttls;
        return Ok(());
    }
    if reply.code == 421 {
        run.add("session.closed", Some(&reply.text()));
        return Err(Stop);
    }
    // Old servers: try HELO.
    s.send(&mut run.clock, &format!("HELO {name}"), None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let helo = read_reply(s, &mut run.clock, None)
        .await
        .map_err(|e| reply_conn_error(run, e))?;
    if helo.code == 250 {
        run.caps = super::engine::Caps {
            known: false,
            ..Default::default()
        };
        if !again {
            run.add("smtp.helo_only", Some(&reply.text()));
        }
        Ok(())
    } else {
        let text = format!("{}\n{}", reply.text(), helo.text());
        run.add("session.unexpected_reply", Some(&text)).title =
            "The server rejected both EHLO and HELO".into();
        Err(Stop)
    }
}

/// Sends STARTTLS. Ok(Ok) when the server is ready for the handshake; Ok(Err(text)) when refused.
pub async fn starttls_command(
    run: &mut Run,
    s: &mut Session,
) -> Result<Result<(), String>, ConnError> {
    s.send(&mut run.clock, "STARTTLS", None).await?;
    match read_reply(s, &mut run.clock, None).await {
        Ok(r) if r.code == 220 => Ok(Ok(())),
        Ok(r) => Ok(Err(r.text())),
        Err(ReplyError::Conn(e)) => Err(e),
        Err(ReplyError::NotSmtp(l)) | Err(ReplyError::MixedCodes(l, _)) => Ok(Err(l)),
    }
}

/// AUTH PLAIN (preferred) or LOGIN, lock-step, with secrets shown as `****`.
pub async fn login(run: &mut Run, s: &mut Session, login: &Login) -> Flow<()> {
    let mechs = run.caps.mechs.clone();
    let use_login = !mechs.iter().any(|m| m == "PLAIN") && mechs.iter().any(|m| m == "LOGIN");
    if !mechs.is_empty() && !mechs.iter().any(|m| m == "PLAIN" || m == "LOGIN") {
        let f = run.add("auth.mechanism_unsupported", None);
        f.title = format!(
            "No login method in common: the server offers {}",
            mechs.join(", ")
        );
        return Ok(());
    }
    // With no AUTH advertised we still ask, so the server can say why (e.g. 530 STARTTLS first).
    let mech = if use_login { "LOGIN" } else { "PLAIN" };
    let clock = &mut run.clock;
    let first = async {
        s.send(clock, &format!("AUTH {mech}"), None).await?;
        Ok::<_, ConnError>(())
    };
    first
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let mut reply = read_reply(s, &mut run.clock, None)
        .await
        .map_err(|e| reply_conn_error(run, e))?;
    if reply.code == 334 {
        if use_login {
            s.send(&mut run.clock, &base64(login.user.as_bytes()), None)
                .await
                .map_err(|e| run.conn_error(e, "session.closed"))?;
            reply = read_reply(s, &mut run.clock, None)
                .await
                .map_err(|e| reply_conn_error(run, e))?;
            if reply.code == 334 {
                let pw = zeroize::Zeroizing::new(base64(login.password.expose().as_bytes()));
                s.send(&mut run.clock, &pw, Some("****"))
                    .await
                    .map_err(|e| run.conn_error(e, "session.closed"))?;
                reply = read_reply(s, &mut run.clock, None)
                    .await
                    .map_err(|e| reply_conn_error(run, e))?;
            }
        } else {
            let blob = sasl_plain(&login.user, login.password.expose());
            s.send(&mut run.clock, &blob, Some("****"))
                .await
                .map_err(|e| run.conn_error(e, "session.closed"))?;
            reply = read_reply(s, &mut run.clock, None)
                .await
                .map_err(|e| reply_conn_error(run, e))?;
        }
    }
    let text = reply.text();
    match reply.code {
        235 => run.logged_in = true,
        500 | 501 => {
            run.add("auth.server_bad_command", Some(&text));
        }
        502 | 504 => {
            run.add("auth.mechanism_unsupported", Some(&text));
        }
        503 if mechs.is_empty() => {
            run.add("auth.mechanism_unsupported", Some(&text));
        }
        _ => {
            let code = login_refusal_code(&text);
            run.add(code, Some(&text));
        }
    }
    Ok(())
}

pub async fn quit(run: &mut Run, s: &mut Session, limit: Option<Instant>) -> bool {
    if s.send(&mut run.clock, "QUIT", None).await.is_err() {
        return false;
    }
    matches!(read_reply(s, &mut run.clock, limit).await, Ok(r) if r.code == 221)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ehlo_with_starttls_last() {
        let reply = SmtpReply {
            code: 250,
            lines: vec![
                "mx.example.test Hello".into(),
                "PIPELINING".into(),
                "AUTH PLAIN LOGIN".into(),
                "AUTH=LOGIN".into(),
                "STARTTLS".into(),
            ],
        };
        let (caps, mechs, tls) = parse_ehlo(&reply);
        assert!(tls);
        assert_eq!(mechs, vec!["PLAIN", "LOGIN"]);
        assert_eq!(caps.len(), 4);
    }
}
