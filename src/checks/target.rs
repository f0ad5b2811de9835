//! Check targets: `SCHEME://HOST[:PORT]`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which mail protocol a target speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Pop3,
    Imap,
    Smtp,
}

/// How TLS is used on the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (pop3s, imaps, smtps).
    Implicit,
    /// Plain text, upgraded with STARTTLS/STLS when offered.
    Starttls,
    /// Plain text only (`--no-starttls`).
    Plain,
}

/// The URL scheme of a target; it fixes the protocol, default port and TLS mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Pop3,
    Pop3s,
    Imap,
    Imaps,
    Smtp,
    Submission,
    Smtps,
}

impl Scheme {
    pub const ALL: [Scheme; 7] = [
        Scheme::Pop3,
        Scheme::Pop3s,
        Scheme::Imap,
        Scheme::Imaps,
        Scheme::Smtp,
        Scheme::Submission,
        Scheme::Smtps,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Pop3 => "pop3",
            Scheme::Pop3s => "pop3s",
            Scheme::Imap => "imap",
            Scheme::Imaps => "imaps",
            Scheme::Smtp => "smtp",
            Scheme::Submission => "submission",
            Scheme::Smtps => "smtps",
        }
    }

    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    pub fn protocol(self) -> Protocol {
        match self {
            Scheme::Pop3 | Scheme::Pop3s => Protocol::Pop3,
            Scheme::Imap | Scheme::Imaps => Protocol::Imap,
            Scheme::Smtp | Scheme::Submission | Scheme::Smtps => Protocol::Smtp,
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Pop3 => 110,
            Scheme::Pop3s => 995,
            Scheme::Imap => 143,
            Scheme::Imaps => 993,
            Scheme::Smtp => 25,
            Scheme::Submission => 587,
            Scheme::Smtps => 465,
        }
    }

    /// TLS mode before `--no-starttls` is applied.
    pub fn tls_mode(self) -> TlsMode {
        match self {
            Scheme::Pop3s | Scheme::Imaps | Scheme::Smtps => TlsMode::Implicit,
            _ => TlsMode::Starttls,
        }
    }
}

/// One endpoint to check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub scheme: Scheme,
    /// Host as sent on the wire: ASCII (punycode) name, IPv4, or IPv6 without brackets.
    pub host: String,
    /// Host as the user typed it (may be Unicode), for display.
    pub display_host: String,
    pub port: u16,
}

impl Target {
    pub fn new(scheme: Scheme, host: &str, port: Option<u16>) -> Result<Target, String> {
        let (ascii, display) = normalise_host(host)?;
        Ok(Target {
            scheme,
            host: ascii,
            display_host: display,
            port: port.unwrap_or(scheme.default_port()),
        })
    }

    /// Parses `SCHEME://HOST[:PORT]`. Rejects control characters before anything else.
    pub fn parse(text: &str) -> Result<Target, String> {
        let text = text.trim();
        if text.chars().any(|c| c.is_control()) {
            return Err(
                "the target contains a control character (CR, LF, NUL...); type it again".into(),
            );
        }
        let (scheme_text, rest) = text.split_once("://").ok_or_else(|| {
            format!("'{text}' needs a scheme, e.g. imaps://{text} (one of: pop3, pop3s, imap, imaps, smtp, submission, smtps)")
        })?;
        let scheme = Scheme::from_name(scheme_text).ok_or_else(|| {
            format!("unknown scheme '{scheme_text}': use pop3, pop3s, imap, imaps, smtp, submission or smtps")
        })?;
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') || rest.contains('@') || rest.contains('?') {
            return Err(format!(
                "'{text}': only SCHEME://HOST[:PORT] is accepted, with no user, path or query"
            ));
        }
        let (host, port) = if let Some(after) = rest.strip_prefix('[') {
            let (h, tail) = after
                .split_once(']')
                .ok_or_else(|| format!("'{text}': an IPv6 address needs a closing ']'"))?;
            let port = match tail {
                "" => None,
                t => Some(
                    t.strip_prefix(':')
                        .ok_or_else(|| format!("'{text}': expected ':PORT' after ']'"))?,
                ),
            };
            if h.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(format!("'{h}' is not an IPv6 address"));
            }
            (h, port)
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (h, Some(p)),
                Some(_) => {
                    return Err(format!(
                        "'{text}': write IPv6 addresses in brackets, e.g. imaps://[2001:db8::1]:993"
                    ));
                }
                None => (rest, None),
            }
        };
        let port = match port {
            None => None,
            Some(p) => match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(format!("'{p}' is not a port number (1-65535)")),
                Ok(n) => Some(n),
            },
        };
        Target::new(scheme, host, port)
    }

    pub fn protocol(&self) -> Protocol {
        self.scheme.protocol()
    }

    /// `host:port` for display (IPv6 in brackets).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme.name(), self.authority())
    }
}

/// Validates a host and returns (ASCII form, display form). IDN names become punycode.
pub fn normalise_host(host: &str) -> Result<(String, String), String> {
    let host = host.trim().trim_end_matches('.');
    if host.is_empty() {
        return Err("the host name is empty".into());
    }
    if host.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("the host name contains a space or control character".into());
    }
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok((host.to_owned(), host.to_owned()));
    }
    let ascii =
        idna::domain_to_ascii(host).map_err(|_| format!("'{host}' is not a valid host name"))?;
    if ascii.is_empty()
        || ascii.len() > 253
        || ascii.split('.').any(|l| l.is_empty() || l.len() > 63)
    {
        return Err(format!("'{host}' is not a valid host name"));
    }
    if !ascii
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return Err(format!("'{host}' is not a valid host name"));
    }
    Ok((ascii, host.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_schemes_and_ports() {
        let t = Target::parse("imaps://mail.example.com").unwrap();
        assert_eq!(
            (t.scheme, t.port, t.host.as_str()),
            (Scheme::Imaps, 993, "mail.example.com")
        );
        let t = Target::parse("submission://127.0.0.1:2587").unwrap();
        assert_eq!(t.port, 2587);
        let t = Target::parse("pop3://[::1]:1110").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 1110));
        assert_eq!(t.to_string(), "pop3://[::1]:1110");
    }

    #[test]
    fn converts_idn_to_punycode() {
        let t = Target::parse("smtp://äggsbärden.de").unwrap();
        assert_eq!(t.host, "xn--ggsbrden-zzae.de");
        assert_eq!(t.display_host, "äggsbärden.de");
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "mail.example.com",
            "ftp://x",
            "imap://x:0",
            "imap://x:99999",
            "imap://a\r\nb",
            "imap://::1",
            "imap://user@host",
            "imap://",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
