//! TLS: the native-tls connector (with `--ca-file` and `--insecure`), classification of
//! handshake failures into finding codes, and certificate details via x509-parser.

use super::CertInfo;
use std::path::Path;
use tokio::net::TcpStream;
use tokio_native_tls::TlsStream;
use x509_parser::prelude::*;

/// Builds a connector. `verify = false` accepts any certificate (for `--insecure`, or to read
/// a failing certificate's details without continuing the dialogue).
pub fn connector(
    ca_file: Option<&Path>,
    verify: bool,
) -> Result<tokio_native_tls::TlsConnector, String> {
    let mut b = native_tls::TlsConnector::builder();
    // Never fall back to TLS 1.0/1.1, whatever the system's TLS library allows by default.
    b.min_protocol_version(Some(native_tls::Protocol::Tlsv12));
    if let Some(path) = ca_file {
        // Bounded, and only a regular file: a pipe or /dev/zero given by mistake must not hang
        // the check or fill memory.
        let pem =
            crate::files::read_bytes(path).map_err(|e| format!("cannot read the CA file {e}"))?;
        let certs = native_tls::Certificate::stack_from_pem(&pem)
            .map_err(|e| format!("{}: not a PEM certificate file: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "{}: no certificate found in the file",
                path.display()
            ));
        }
        for c in certs {
            b.add_root_certificate(c);
        }
    }
    if !verify {
        b.danger_accept_invalid_certs(true);
        b.danger_accept_invalid_hostnames(true);
    }
    b.build()
        .map(tokio_native_tls::TlsConnector::from)
        .map_err(|e| format!("cannot set up TLS: {e}"))
}

/// Runs the handshake. The error is the TLS library's text.
pub async fn handshake(
    connector: &tokio_native_tls::TlsConnector,
    host: &str,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, String> {
    connector
        .connect(host, tcp)
        .await
        .map_err(|e| error_text(&e))
}

fn error_text(e: &native_tls::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        source = s.source();
    }
    text
}

/// Maps a handshake error text to a finding code.
pub fn classify_error(text: &str) -> &'static str {
    let t = text.to_ascii_lowercase();
    if t.contains("wrong version number")
        || t.contains("packet length too long")
        || t.contains("record layer failure")
    {
        "tls.plaintext_port"
    } else if t.contains("certificate has expired") {
        "tls.cert_expired"
    } else if t.contains("certificate is not yet valid") {
        "tls.cert_not_yet_valid"
    } else if t.contains("hostname mismatch") || t.contains("ip address mismatch") {
        "tls.cert_hostname_mismatch"
    } else if t.contains("self-signed")
        || t.contains("self signed")
        || t.contains("unable to get local issuer")
        || t.contains("unable to verify the first certificate")
        || t.contains("unable to get issuer")
        || t.contains("certificate verify failed")
        || t.contains("invalid ca certificate")
    {
        "tls.cert_untrusted"
    } else if t.contains("unsupported protocol")
        || t.contains("protocol version")
        || t.contains("no protocols available")
        || t.contains("version too low")
    {
        "tls.obsolete_version"
    } else {
        "tls.handshake_failed"
    }
}

/// Whether a code is a certificate problem (worth reading the certificate for details).
pub fn is_cert_code(code: &str) -> bool {
    code.starts_with("tls.cert_")
}

/// The peer certificate's details, when there is one.
pub fn peer_cert_info(stream: &TlsStream<TcpStream>) -> Option<CertInfo> {
    let cert = stream.get_ref().peer_certificate().ok()??;
    let der = cert.to_der().ok()?;
    cert_info(&der)
}

/// Parses a DER certificate into [`CertInfo`].
pub fn cert_info(der: &[u8]) -> Option<CertInfo> {
    let (_, x) = X509Certificate::from_der(der).ok()?;
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = x.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(n) => sans.push((*n).to_owned()),
                GeneralName::IPAddress(b) => match b.len() {
                    4 => sans.push(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string()),
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(b);
                        sans.push(std::net::Ipv6Addr::from(a).to_string());
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    let ts = |t: &ASN1Time| {
        chrono::DateTime::from_timestamp(t.timestamp(), 0)
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    Some(CertInfo {
        subject: x.subject().to_string(),
        sans,
        issuer: x.issuer().to_string(),
        not_before: ts(&x.validity().not_before),
        not_after: ts(&x.validity().not_after),
        self_signed: x.subject().as_raw() == x.issuer().as_raw(),
    })
}

/// The names a certificate is for: its SANs, or the subject's CN when there are none.
pub fn cert_names(info: &CertInfo) -> Vec<String> {
    if !info.sans.is_empty() {
        return info.sans.clone();
    }
    info.subject
        .split(',')
        .filter_map(|p| p.trim().strip_prefix("CN="))
        .map(str::to_owned)
        .collect()
}

/// Whether `host` matches one of the certificate's names (with a single left-most `*.` wildcard).
pub fn name_matches(info: &CertInfo, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    cert_names(info).iter().any(|n| {
        let n = n.to_ascii_lowercase();
        if n == host {
            return true;
        }
        match n.strip_prefix("*.") {
            Some(rest) => host
                .split_once('.')
                .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
            None => false,
        }
    })
}

/// Problems visible from the certificate alone, for `--insecure` checks: codes with detail text.
pub fn self_check(info: &CertInfo, host: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let now = chrono::Utc::now();
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    if parse(&info.not_after).is_some_and(|d| d < now) {
        out.push("tls.cert_expired");
    }
    if parse(&info.not_before).is_some_and(|d| d > now) {
        out.push("tls.cert_not_yet_valid");
    }
    if !name_matches(info, host) {
        out.push("tls.cert_hostname_mismatch");
    }
    if info.self_signed {
        out.push("tls.cert_untrusted");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(sans: &[&str]) -> CertInfo {
        CertInfo {
            subject: "CN=mail.example.test".into(),
            sans: sans.iter().map(|s| s.to_string()).collect(),
            issuer: "CN=ca".into(),
            not_before: "2020-01-01T00:00:00Z".into(),
            not_after: "2021-01-01T00:00:00Z".into(),
            self_signed: false,
        }
    }

    #[test]
    fn classifies_openssl_errors() {
        assert_eq!(
            classify_error("error:0A00010B:SSL routines:ssl3_get_record:wrong version number"),
            "tls.plaintext_port"
        );
        assert_eq!(
            classify_error("certificate verify failed: (certificate has expired)"),
            "tls.cert_expired"
        );
        assert_eq!(
            classify_error("certificate verify failed: (self-signed certificate)"),
            "tls.cert_untrusted"
        );
        assert_eq!(
            classify_error("certificate verify failed: (Hostname mismatch)"),
            "tls.cert_hostname_mismatch"
        );
        assert_eq!(
            classify_error("tlsv1 alert protocol version"),
            "tls.obsolete_version"
        );
        assert_eq!(classify_error("connection reset"), "tls.handshake_failed");
    }

    #[test]
    fn wildcard_and_names() {
        let i = info(&["*.example.test", "127.0.0.1"]);
        assert!(name_matches(&i, "mail.example.test"));
        assert!(name_matches(&i, "127.0.0.1"));
        assert!(!name_matches(&i, "a.b.example.test"));
        assert!(!name_matches(&i, "example.test"));
        let i = info(&[]);
        assert!(name_matches(&i, "MAIL.example.test"));
        assert_eq!(
            self_check(&i, "mail.example.test"),
            vec!["tls.cert_expired"]
        );
    }
}
