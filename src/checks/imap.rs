//! IMAP (RFC 3501/9051): greeting, CAPABILITY, STARTTLS, AUTHENTICATE PLAIN or LOGIN
//! (quoted strings or literals), EXAMINE + FETCH BODY.PEEK[HEADER], LOGOUT.

use super::Login;
use super::conn::{ConnError, MAX_REPLY_LINES, Session};
use super::engine::{Flow, GreetingError, Run, login_refusal_code, sasl_plain};
use super::headers;
use tokio::time::Instant;

/// A tagged response with the untagged lines before it and any literal data.
#[derive(Debug, Default)]
pub struct Response {
    pub untagged: Vec<String>,
    /// The tagged line, e.g. `a1 OK done`.
    pub tagged: String,
    /// `OK`, `NO` or `BAD` (upper case), or empty when the line was odd.
    pub status: String,
    pub literals: Vec<Vec<u8>>,
}

impl Response {
    /// The server's words: untagged NO/BAD/ALERT lines, then the tagged line.
    pub fn text(&self) -> String {
        let mut parts: Vec<&str> = self
            .untagged
            .iter()
            .filter(|l| {
                let u = l.to_ascii_uppercase();
                u.starts_with("* NO")
                    || u.starts_with("* BAD")
                    || u.starts_with("* BYE")
                    || u.contains("ALERT")
            })
            .map(String::as_str)
            .collect();
        parts.push(&self.tagged);
        parts.join("\n")
    }
}

/// The number of bytes of a literal announced at the end of a line (`{123}` or `{123+}`).
pub fn literal_len(line: &str) -> Option<usize> {
    let inner = line.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    inner[open + 1..].trim_end_matches('+').parse().ok()
}

async fn read_response(run: &mut Run, s: &mut Session, tag: &str) -> Result<Response, ConnError> {
    let mut r = Response::default();
    let prefix = format!("{tag} ");
    loop {
        let mut line = s.read_line(&mut run.clock, None).await?;
        // A line may announce literals; each is followed by more of the same line.
        let mut rounds = 0;
        while let Some(n) = literal_len(&line) {
            rounds += 1;
            if rounds > 20 {
                return Err(ConnError::TooLong);
            }
            let data = s.read_bytes(&run.clock, n, None).await?;
            run.clock.note(format!("({n} bytes of literal data)"));
            r.literals.push(data);
            let more = s.read_line(&mut run.clock, None).await?;
            line.push_str(&more);
        }
        if let Some(rest) = line.strip_prefix(&prefix) {
            r.status = rest
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            r.tagged = line;
            return Ok(r);
        }
        if r.untagged.len() >= MAX_REPLY_LINES {
            return Err(ConnError::TooLong);
        }
        r.untagged.push(line);
    }
}

pub async fn greeting(
    run: &mut Run,
    s: &mut Session,
    limit: Option<Instant>,
) -> Result<(), GreetingError> {
    let line = s.read_line(&mut run.clock, limit).await?;
    let upper = line.to_ascii_uppercase();
    if upper.starts_with("* OK") {
        run.banner = Some(line);
        Ok(())
    } else if upper.starts_with("* PREAUTH") {
        run.banner = Some(line.clone());
        run.add("greeting.preauth", Some(&line));
        run.logged_in = true;
        Ok(())
    } else if upper.starts_with("* BYE") {
        run.banner = Some(line.clone());
        let lower = line.to_ascii_lowercase();
        let temporary = lower.contains("too many")
            || lower.contains("try again")
            || upper.contains("[UNAVAILABLE]");
        Err(GreetingError::Rejected {
            text: line,
            temporary,
        })
    } else {
        Err(GreetingError::WrongProtocol(line))
    }
}

/// Parses `* CAPABILITY` words: (capabilities, AUTH= mechanisms, STARTTLS, LOGINDISABLED).
pub fn parse_capability(untagged: &[String]) -> (Vec<String>, Vec<String>, bool, bool) {
    let mut caps = Vec::new();
    for l in untagged {
        let upper = l.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix("* CAPABILITY ") {
            let original = &l[l.len() - rest.len()..];
            caps.extend(original.split_whitespace().map(str::to_owned));
        }
    }
    let mechs = caps
        .iter()
        .filter_map(|c| {
            c.to_ascii_uppercase()
                .strip_prefix("AUTH=")
                .map(str::to_owned)
        })
        .collect();
    let starttls = caps.iter().any(|c| c.eq_ignore_ascii_case("STARTTLS"));
    let disabled = caps.iter().any(|c| c.eq_ignore_ascii_case("LOGINDISABLED"));
    (caps, mechs, starttls, disabled)
}

pub async fn capabilities(run: &mut Run, s: &mut Session) -> Flow<()> {
    let tag = run.next_tag();
    s.send(&mut run.clock, &format!("{tag} CAPABILITY"), None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let r = read_response(run, s, &tag)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    if r.status == "OK" {
        let (caps, mechs, starttls, disabled) = parse_capability(&r.untagged);
        run.caps.known = true;
        run.caps.list = caps;
        run.caps.mechs = mechs;
        run.caps.starttls = starttls;
        run.caps.login_disabled = disabled;
    } else if !run.has("capabilities.unavailable") {
        run.add("capabilities.unavailable", Some(&r.text()));
    }
    Ok(())
}

pub async fn starttls_command(
    run: &mut Run,
    s: &mut Session,
) -> Result<Result<(), String>, ConnError> {
    let tag = run.next_tag();
    s.send(&mut run.clock, &format!("{tag} STARTTLS"), None)
        .await?;
    let r = read_response(run, s, &tag).await?;
    Ok(if r.status == "OK" {
        Ok(())
    } else {
        Err(r.text())
    })
}

/// How an IMAP string argument must be sent.
#[derive(Debug, PartialEq)]
pub enum ImapString {
    Quoted(String),
    /// A `{n}` literal of these bytes.
    Literal(usize),
}

/// Quoted string for plain printable ASCII; a literal for quotes, backslashes, spaces, non-ASCII.
pub fn imap_string(value: &str) -> ImapString {
    let simple = !value.is_empty()
        && value
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\');
    if simple || value.is_empty() {
        ImapString::Quoted(format!("\"{value}\""))
    } else {
        ImapString::Literal(value.len())
    }
}

fn record_refusal(run: &mut Run, r: &Response) {
    let text = r.text();
    if r.status == "BAD" {
        run.add("auth.server_bad_command", Some(&text));
    } else if r.status == "NO" && text.to_ascii_uppercase().contains("[CANNOT]") {
        run.add("auth.mechanism_unsupported", Some(&text));
    } else {
        run.add(login_refusal_code(&text), Some(&text));
    }
}

pub async fn login(run: &mut Run, s: &mut Session, login: &Login) -> Flow<()> {
    if run.logged_in {
        run.clock
            .note("already authenticated (PREAUTH): no login sent");
        return Ok(());
    }
    if run.caps.login_disabled && !s.is_tls() {
        run.add("auth.plaintext_refused", Some("LOGINDISABLED"));
        return Ok(());
    }
    let mechs = run.caps.mechs.clone();
    if mechs.iter().any(|m| m == "PLAIN") {
        let tag = run.next_tag();
        s.send(&mut run.clock, &format!("{tag} AUTHENTICATE PLAIN"), None)
            .await
            .map_err(|e| run.conn_error(e, "session.closed"))?;
        let line = s
            .read_line(&mut run.clock, None)
            .await
            .map_err(|e| run.conn_error(e, "session.closed"))?;
        if line.starts_with('+') {
            let blob = sasl_plain(&login.user, login.password.expose());
            s.send(&mut run.clock, &blob, Some("****"))
                .await
                .map_err(|e| run.conn_error(e, "session.closed"))?;
            let r = read_response(run, s, &tag)
                .await
                .map_err(|e| run.conn_error(e, "session.closed"))?;
            if r.status == "OK" {
                run.logged_in = true;
            } else {
                record_refusal(run, &r);
            }
            return Ok(());
        }
        // Refused at once (tagged, or untagged lines then tagged).
        let r = if line.starts_with(&format!("{tag} ")) {
            Response {
                status: line[tag.len() + 1..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase(),
                tagged: line,
                ..Default::default()
            }
        } else {
            let mut r = read_response(run, s, &tag)
                .await
                .map_err(|e| run.conn_error(e, "session.closed"))?;
            r.untagged.insert(0, line);
            r
        };
        record_refusal(run, &r);
        return Ok(());
    }
    // LOGIN user password, each a quoted string or a literal.
    let tag = run.next_tag();
    let user = imap_string(&login.user);
    let pass = imap_string(login.password.expose());
    let mut line = format!("{tag} LOGIN");
    let mut shown = line.clone();
    // Arguments in order; a literal ends the current line and waits for "+".
    let args: [(&ImapString, &str, bool); 2] = [
        (&user, login.user.as_str(), false),
        (&pass, login.password.expose(), true),
    ];
    for (form, raw, secret) in args {
        match form {
            ImapString::Quoted(q) => {
                line.push(' ');
                line.push_str(q);
                shown.push(' ');
                shown.push_str(if secret { "\"****\"" } else { q });
            }
            ImapString::Literal(n) => {
                line.push_str(&format!(" {{{n}}}"));
                shown.push_str(&format!(" {{{n}}}"));
                let to_send = zeroize::Zeroizing::new(std::mem::take(&mut line));
                s.send(&mut run.clock, &to_send, Some(&shown))
                    .await
                    .map_err(|e| run.conn_error(e, "session.closed"))?;
                let cont = s
                    .read_line(&mut run.clock, None)
                    .await
                    .map_err(|e| run.conn_error(e, "session.closed"))?;
                if !cont.starts_with('+') {
                    let r = Response {
                        status: cont
                            .strip_prefix(&format!("{tag} "))
                            .and_then(|r| r.split_whitespace().next())
                            .unwrap_or("")
                            .to_ascii_uppercase(),
                        tagged: cont,
                        ..Default::default()
                    };
                    record_refusal(run, &r);
                    return Ok(());
                }
                line = raw.to_owned();
                shown = if secret {
                    "****".into()
                } else {
                    raw.to_owned()
                };
            }
        }
    }
    let to_send = zeroize::Zeroizing::new(line);
    s.send(&mut run.clock, &to_send, Some(&shown))
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let r = read_response(run, s, &tag)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    if r.status == "OK" {
        run.logged_in = true;
    } else {
        record_refusal(run, &r);
    }
    Ok(())
}

/// EXAMINE INBOX (read-only), then FETCH n BODY.PEEK[HEADER] of the newest message.
pub async fn inspect_latest(run: &mut Run, s: &mut Session) -> Flow<()> {
    let tag = run.next_tag();
    s.send(&mut run.clock, &format!("{tag} EXAMINE INBOX"), None)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    let r = read_response(run, s, &tag)
        .await
        .map_err(|e| run.conn_error(e, "session.closed"))?;
    if r.status != "OK" {
        run.add("message.inspect_failed", Some(&r.text()));
        return Ok(());
    }
    let exists = r.untagged.iter().find_map(|l| {
        let mut w = l.split_whitespace();
        match (w.next(), w.next(), w.next()) {
            (Some("*"), Some(n), Some(k)) if k.eq_ignore_ascii_case("EXISTS") => {
                n.parse::<u64>().ok()
            }
            _ => None,
        }
    });
    match exists {
        None => {
            run.add("message.inspect_failed", Some(&r.text()));
            return Ok(());
        }
        Some(0) => {
            run.add("message.mailbox_empty", None);
            return Ok(());
        }
        Some(n) => {
            let tag = run.next_tag();
            s.send(
                &mut run.clock,
                &format!("{tag} FETCH {n} BODY.PEEK[HEADER]"),
                None,
            )
            .await
            .map_err(|e| run.conn_error(e, "session.closed"))?;
            let r = read_response(run, s, &tag)
                .await
                .map_err(|e| run.conn_error(e, "session.closed"))?;
            match r.literals.first() {
                Some(data) if r.status == "OK" => {
                    let text = String::from_utf8_lossy(data).into_owned();
                    headers::report(run, &text);
                }
                _ => {
                    run.add("message.inspect_failed", Some(&r.text()));
                }
            }
        }
    }
    Ok(())
}

pub async fn quit(run: &mut Run, s: &mut Session, limit: Option<Instant>) -> bool {
    let tag = run.next_tag();
    if s.send(&mut run.clock, &format!("{tag} LOGOUT"), None)
        .await
        .is_err()
    {
        return false;
    }
    let prefix = format!("{tag} ");
    for _ in 0..10 {
        match s.read_line(&mut run.clock, limit).await {
            Ok(l) if l.starts_with(&prefix) => return true,
            Ok(_) => continue,
            Err(_) => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_literals() {
        assert_eq!(imap_string("alice"), ImapString::Quoted("\"alice\"".into()));
        assert_eq!(imap_string("a b"), ImapString::Literal(3));
        assert_eq!(imap_string("q\"b\\"), ImapString::Literal(4));
        assert_eq!(imap_string("pässword"), ImapString::Literal(9));
        assert_eq!(literal_len("* 1 FETCH (BODY[HEADER] {342}"), Some(342));
        assert_eq!(literal_len("a1 LOGIN {5+}"), Some(5));
        assert_eq!(literal_len("* OK fine"), None);
    }

    #[test]
    fn parses_capability() {
        let lines =
            vec!["* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN auth=login LOGINDISABLED".to_string()];
        let (caps, mechs, tls, disabled) = parse_capability(&lines);
        assert_eq!(caps.len(), 5);
        assert_eq!(mechs, vec!["PLAIN", "LOGIN"]);
        assert!(tls && disabled);
    }
}
