//! Every finding code a check can report, with its severity, title, explanation and fix.
//!
//! Codes are stable: scripts match on them. The texts use what is known about real
//! servers (Gmail, Microsoft 365, Domino, antivirus proxies, anti-spam greeting delays).

use crate::findings::{Finding, Severity};

/// One catalogue entry.
pub struct Entry {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub explanation: &'static str,
    pub fix: &'static str,
}

use Severity::{Error, Info, Warning};

/// All codes, in the order a check meets them.
pub const ENTRIES: &[Entry] = &[
    Entry {
        code: "input.invalid",
        severity: Error,
        title: "The check was not started: an input contains CR, LF or NUL",
        explanation: "A host name, user name, password or EHLO name with a line break could inject commands into the dialogue, so nothing was sent.",
        fix: "Type the value again without line breaks or control characters.",
    },
    Entry {
        code: "dns.nxdomain",
        severity: Error,
        title: "The host name does not exist",
        explanation: "The DNS answered that this name does not exist (NXDOMAIN). A mail client cannot find the server.",
        fix: "Check the spelling of the host name against the provider's settings page, or ask whoever runs the domain to add the record.",
    },
    Entry {
        code: "dns.no_address",
        severity: Error,
        title: "The name exists but has no IPv4 or IPv6 address",
        explanation: "The DNS knows the name but it has no A or AAAA record, so there is nothing to connect to. Names that only carry MX or TXT records look like this.",
        fix: "Use the server name the provider documents (for incoming mail that is usually not the bare domain), or add an A/AAAA record.",
    },
    Entry {
        code: "dns.failed",
        severity: Error,
        title: "The DNS look-up failed",
        explanation: "The resolver did not give an answer (no reply, a server failure or a refusal). This is a problem of the DNS path, not of the mail server.",
        fix: "Check the network's DNS settings (or the DNS server given with --dns, or in the app's 'DNS server' setting) and try again; compare with another network.",
    },
    Entry {
        code: "tcp.refused",
        severity: Error,
        title: "Nothing is listening on this port",
        explanation: "The host answered but refused the connection: no service runs on this port, or a firewall rejects it actively.",
        fix: "Check the port number and protocol (e.g. 993 for IMAP over TLS, 995 for POP3 over TLS, 587 for submission). Ask the server's administrator whether the service is enabled.",
    },
    Entry {
        code: "tcp.timeout",
        severity: Error,
        title: "The connection never completed",
        explanation: "No answer at all to the connection attempt: a firewall drops the packets silently. Many ISPs and company networks block outgoing port 25 to stop spam.",
        fix: "Try from another network. For sending mail use submission on port 587 or 465 instead of 25, or relay through the ISP's smarthost. Ask the network team whether the port is blocked.",
    },
    Entry {
        code: "tcp.failed",
        severity: Error,
        title: "The connection could not be made",
        explanation: "The operating system could not open a connection to this address (no route, network unreachable, or a local firewall).",
        fix: "Check the network connection; if only IPv6 fails, the local network may lack IPv6 routing.",
    },
    Entry {
        code: "tcp.closed",
        severity: Error,
        title: "The server closed the connection before greeting",
        explanation: "The connection was accepted, then closed or reset before the server said anything. Servers do this when they throttle clients that connect too often, when the client's address is blocked, or when a load balancer has no healthy server behind it.",
        fix: "Wait a few minutes and try again; if it persists, ask the administrator whether your address is blocked or rate-limited.",
    },
    Entry {
        code: "tls.expected",
        severity: Error,
        title: "This port wants TLS from the first byte",
        explanation: "The server stayed silent to a plain-text connection but completed a TLS handshake: it uses implicit TLS (SSL/TLS), not STARTTLS. A client set to 'none' or 'STARTTLS' just hangs here.",
        fix: "Use the TLS scheme (pop3s, imaps, smtps) for this port, i.e. set the client's security to SSL/TLS.",
    },
    Entry {
        code: "greeting.timeout",
        severity: Error,
        title: "Connected, but no greeting arrived",
        explanation: "The connection opened but the server sent no complete greeting before the deadline, and a TLS handshake did not work either. The service may be hung, overloaded, or a tarpit.",
        fix: "Try again with a longer time limit (--timeout, or 'Time limit per check' in the app; some anti-spam servers wait 20 s or more), then ask the administrator to check the service.",
    },
    Entry {
        code: "greeting.slow",
        severity: Info,
        title: "The greeting was slow",
        explanation: "The server waited several seconds before greeting. Anti-spam servers delay the greeting on purpose (often 15-20 s) to catch clients that talk too early. It is not a fault; mailplan waited for the full greeting.",
        fix: "Nothing to fix. Make sure client timeouts are at least 30 s.",
    },
    Entry {
        code: "greeting.rejected",
        severity: Error,
        title: "The server refused the session in its greeting",
        explanation: "The server answered the connection with a refusal instead of a welcome.",
        fix: "Read the server's words: 'too many connections' means back off and retry later; a block list or policy message needs the administrator.",
    },
    Entry {
        code: "greeting.wrong_protocol",
        severity: Error,
        title: "This port speaks another protocol",
        explanation: "The greeting does not belong to the protocol asked for. The port number or scheme is probably wrong.",
        fix: "Use the scheme that matches the port (pop3 110/995, imap 143/993, smtp 25, submission 587, smtps 465).",
    },
    Entry {
        code: "greeting.too_long",
        severity: Error,
        title: "The server sent an over-long line or a flood of bytes",
        explanation: "A reply line or the total amount sent went over mailplan's limits, so it stopped reading. Mail servers send short lines; this is usually not a mail server, or a broken one.",
        fix: "Check that the host and port are really the mail service.",
    },
    Entry {
        code: "greeting.intercepted",
        severity: Warning,
        title: "Something on this computer or network intercepts the connection",
        explanation: "The greeting comes from an antivirus or security proxy (e.g. 'AVG POP3 Proxy'), not from the mail server. Such proxies rewrite banners, break STARTTLS and cause errors such as Outlook's 0x800CCC0E.",
        fix: "Turn off mail scanning in the antivirus (or exclude this server), or use TLS on 995/993 which the proxy cannot read.",
    },
    Entry {
        code: "greeting.preauth",
        severity: Warning,
        title: "The IMAP server logged in without credentials",
        explanation: "The server greeted with PREAUTH: the session is already authenticated. This is unusual on a network port and may be a local proxy or a misconfiguration.",
        fix: "Make sure this is the intended server; a public IMAP server should ask for a login.",
    },
    Entry {
        code: "tls.plaintext_port",
        severity: Error,
        title: "TLS was asked for, but this port speaks plain text",
        explanation: "The TLS handshake failed because the server sent a plain-text greeting (OpenSSL reports 'wrong version number'). The port expects STARTTLS, or no TLS.",
        fix: "Use the plain scheme with STARTTLS on this port (pop3, imap, smtp, submission), or the implicit-TLS port (995, 993, 465).",
    },
    Entry {
        code: "tls.cert_expired",
        severity: Error,
        title: "The server's certificate has expired",
        explanation: "Clients refuse the connection or show a security warning. Often an automatic renewal (e.g. Let's Encrypt) stopped working.",
        fix: "The server's administrator must renew the certificate and reload the mail service.",
    },
    Entry {
        code: "tls.cert_not_yet_valid",
        severity: Error,
        title: "The server's certificate is not valid yet",
        explanation: "The certificate's start date is in the future. Either the certificate was installed too early or this computer's clock is wrong.",
        fix: "Check this computer's date and time; otherwise the administrator should install a certificate valid now.",
    },
    Entry {
        code: "tls.cert_hostname_mismatch",
        severity: Error,
        title: "The certificate is for other names",
        explanation: "The certificate does not name the host that was connected to, so clients warn or refuse. Typical when a client uses mail.example.com but the certificate is for the provider's own name.",
        fix: "Configure the client with one of the names in the certificate, or have the administrator add this name to the certificate.",
    },
    Entry {
        code: "tls.cert_untrusted",
        severity: Error,
        title: "The certificate is not from a trusted authority",
        explanation: "The certificate is self-signed, issued by a private CA, or the server does not send the intermediate certificate, so the chain cannot be verified.",
        fix: "Install a certificate from a public CA with its full chain, or, for an internal CA, add the CA's certificate (--ca-file, or 'Extra CA certificates' in the app; and the clients' trust store).",
    },
    Entry {
        code: "tls.obsolete_version",
        severity: Error,
        title: "The server only offers an obsolete TLS version",
        explanation: "The server could not agree on TLS 1.2 or newer. TLS 1.0 and 1.1 are disabled in current clients and by providers.",
        fix: "Enable TLS 1.2 and 1.3 on the server (update the mail software or its OpenSSL).",
    },
    Entry {
        code: "tls.handshake_timeout",
        severity: Error,
        title: "Connected, but the TLS handshake did not finish",
        explanation: "The port accepted the connection, but the server did not finish the TLS handshake before the time limit: it sent nothing back to the client's hello, or stopped part-way. A mail port that speaks plain text would have sent its greeting instead, so the service is hung or overloaded, the port is not a mail service, or a firewall lets the connection open and then drops the traffic.",
        fix: "Check the port number against the provider's settings (993 for IMAP, 995 for POP3, 465 for SMTP with SSL/TLS); try from another network; if it still hangs, ask the administrator whether the service is running.",
    },
    Entry {
        code: "tls.handshake_failed",
        severity: Error,
        title: "The TLS handshake failed",
        explanation: "Client and server could not set up encryption, or the server dropped the connection during the handshake.",
        fix: "Check the server's TLS configuration and logs; compare with `openssl s_client -connect HOST:PORT`.",
    },
    Entry {
        code: "tls.not_verified",
        severity: Warning,
        title: "Certificate checks were off (--insecure, or 'Accept invalid certificates')",
        explanation: "The certificate was accepted without verifying who issued it. Problems with dates and names are still listed, but a fake server would not have been noticed.",
        fix: "Check again with certificate checks on (without --insecure, or with 'Accept invalid certificates' unticked in the app); for a private CA, give its certificate (--ca-file, or 'Extra CA certificates').",
    },
    Entry {
        code: "starttls.not_offered",
        severity: Warning,
        title: "The server does not offer encryption on this port",
        explanation: "STARTTLS/STLS was not in the capability list, so passwords and mail would travel in plain text. An unexpected banner together with this can mean something intercepts the connection.",
        fix: "Enable STARTTLS on the server, or use the implicit-TLS port (995, 993, 465).",
    },
    Entry {
        code: "starttls.refused",
        severity: Error,
        title: "The server offered STARTTLS, then refused it",
        explanation: "The server advertised encryption but rejected the STARTTLS command (e.g. '454 TLS not available'), often because its certificate or key cannot be loaded.",
        fix: "The administrator should check the TLS settings and certificate files in the server's log.",
    },
    Entry {
        code: "capabilities.unavailable",
        severity: Info,
        title: "The server does not list its capabilities",
        explanation: "The server rejected the capability command (CAPA/CAPABILITY). Older servers do this; it is allowed, but clients then have to guess what the server supports.",
        fix: "Nothing needed for basic use.",
    },
    Entry {
        code: "smtp.helo_only",
        severity: Warning,
        title: "The server rejected EHLO and only speaks old SMTP (HELO)",
        explanation: "Without EHLO the server offers no extensions: no STARTTLS, no AUTH, no size limits. Clients fall back to HELO, but cannot encrypt or log in.",
        fix: "Upgrade or reconfigure the server to support ESMTP (EHLO).",
    },
    Entry {
        code: "pop3.no_uidl",
        severity: Warning,
        title: "The POP3 server does not support UIDL",
        explanation: "Without UIDL a client cannot tell which messages it has already downloaded, so 'leave a copy on the server' downloads everything again.",
        fix: "Enable UIDL on the server, or do not leave mail on the server.",
    },
    Entry {
        code: "auth.plaintext_withheld",
        severity: Warning,
        title: "Login was not tried: the connection is not encrypted",
        explanation: "mailplan never sends a password over plain text unless asked to, so the login step was skipped.",
        fix: "Use a TLS scheme or a server with STARTTLS; or, on a trusted network, allow it explicitly (--allow-plaintext-login, or 'Allow sending the password without encryption' in the app).",
    },
    Entry {
        code: "auth.plaintext_refused",
        severity: Error,
        title: "The server refuses logins before encryption",
        explanation: "The server requires TLS before it accepts a password (LOGINDISABLED, PRIVACYREQUIRED, or '530 Must issue a STARTTLS command first'). That is good practice; the client must encrypt first.",
        fix: "Set the client's security to STARTTLS (or SSL/TLS on the TLS port).",
    },
    Entry {
        code: "auth.mechanism_unsupported",
        severity: Error,
        title: "No login method in common with the server",
        explanation: "The server does not offer a password login that mailplan supports (PLAIN, LOGIN, or USER/PASS). It may only accept OAuth (XOAUTH2) or Kerberos, or logins may be disabled on this port.",
        fix: "Check which sign-in methods the provider supports; use OAuth in the mail client if that is all that is offered.",
    },
    Entry {
        code: "auth.failed",
        severity: Error,
        title: "The login was rejected",
        explanation: "The server refused the user name or password. Many servers want the full e-mail address as the user name. Domino wants the Internet password from the person document, not the Notes ID password.",
        fix: "Check the user name format and password; reset the password if needed.",
    },
    Entry {
        code: "auth.web_login_required",
        severity: Error,
        title: "The provider blocks password logins from mail clients",
        explanation: "The provider wants a browser sign-in, an app password or OAuth (Gmail with 2-Step Verification or 'less secure apps' removed; Microsoft 365 with basic authentication disabled). The password itself may be right.",
        fix: "Create an app password (Google account > Security > App passwords) or use a client that signs in with OAuth; on Microsoft 365 ask the admin about modern authentication.",
    },
    Entry {
        code: "auth.server_bad_command",
        severity: Error,
        title: "The server could not parse the login command",
        explanation: "The server answered BAD/500 to the login, which means it did not understand the command, not that the password is wrong. Passwords with quotes, backslashes or spaces trip up some servers and clients.",
        fix: "Read the server's words; try a password without special characters to confirm, and report it to the server's administrator.",
    },
    Entry {
        code: "auth.domino_site_disabled",
        severity: Error,
        title: "This protocol is not enabled on the Domino server",
        explanation: "Domino answers 'This site is not enabled on the server' when no Internet Site document enables POP3/IMAP for this host, or the server task is not configured.",
        fix: "In the Domino Directory, create or enable the Internet Site document for POP3/IMAP on this server, and make sure the user has an Internet password.",
    },
    Entry {
        code: "session.closed",
        severity: Error,
        title: "The server closed the connection in the middle of the dialogue",
        explanation: "The connection was lost after the greeting. Servers do this when throttling, after too many errors, or when a proxy in between gives up.",
        fix: "Try again; if it repeats, read the transcript for the last command and ask the administrator.",
    },
    Entry {
        code: "session.unexpected_reply",
        severity: Warning,
        title: "The server gave an answer mailplan did not expect",
        explanation: "A reply did not follow the protocol. Clients may misbehave with this server.",
        fix: "Read the transcript; report it to the server's administrator if clients have problems.",
    },
    Entry {
        code: "message.mailbox_empty",
        severity: Info,
        title: "The mailbox is empty: no message to inspect",
        explanation: "Reading the newest message (--inspect-latest, or 'read the newest message's dates' in the app) found no message.",
        fix: "Send a test message to the mailbox and check again.",
    },
    Entry {
        code: "message.date_missing",
        severity: Warning,
        title: "The newest message has no Date: header",
        explanation: "Without Date:, POP3 clients (Thunderbird, Outlook) show the time the message was downloaded, or nonsense like 1969.",
        fix: "Fix the sending system so it adds a Date: header (RFC 5322 requires one).",
    },
    Entry {
        code: "message.date_odd",
        severity: Warning,
        title: "The newest message's Date: header cannot be read",
        explanation: "The Date: header is not in the RFC 5322 format, so clients fall back to the download time.",
        fix: "Fix the sending system's date format (e.g. 'Tue, 1 Jul 2025 10:00:00 +0200').",
    },
    Entry {
        code: "message.date_far_from_received",
        severity: Warning,
        title: "The newest message's Date: is far from when it was received",
        explanation: "The Date: header differs by hours from the newest Received: time. Clients sort by one or the other, so the message appears at an odd place or time; a wrong clock or time zone at the sender is typical.",
        fix: "Check the sending system's clock and time zone.",
    },
    Entry {
        code: "message.inspect_failed",
        severity: Info,
        title: "The newest message could not be inspected",
        explanation: "The server did not return the headers of the newest message.",
        fix: "Nothing needed for the connection itself; see the transcript.",
    },
    Entry {
        code: "deadline.exceeded",
        severity: Error,
        title: "The check ran past its deadline",
        explanation: "The whole check has a time limit (--timeout, or 'Time limit per check' in the app). The server was too slow, or sent data too slowly, to finish within it.",
        fix: "Try again with a longer time limit; a server this slow will also trouble mail clients.",
    },
    Entry {
        code: "check.cancelled",
        severity: Warning,
        title: "The check was cancelled",
        explanation: "The check was stopped before it finished.",
        fix: "Run it again.",
    },
    Entry {
        code: "check.internal_error",
        severity: Error,
        title: "mailplan stopped this check because of an internal error",
        explanation: "The check hit a fault in mailplan itself, not in the server or the network. The other checks were not affected.",
        fix: "Run the check again; if it happens again, report it to mailplan's developers with the target and the report's transcript.",
    },
];

/// The catalogue entry for a code.
pub fn entry(code: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.code == code)
}

/// A finding for a catalogue code. Unknown codes give a generic error (a bug, but never a panic).
pub fn finding(code: &str) -> Finding {
    match entry(code) {
        Some(e) => Finding::new(e.code, e.severity, e.title, e.explanation, e.fix),
        None => Finding::new(
            code,
            Severity::Error,
            code,
            "mailplan reported an unknown finding code.",
            "Report this to the mailplan developers.",
        ),
    }
}

/// Every code in the catalogue.
pub fn all_codes() -> Vec<&'static str> {
    ENTRIES.iter().map(|e| e.code).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_texts_filled() {
        let mut seen = std::collections::HashSet::new();
        for e in ENTRIES {
            assert!(seen.insert(e.code), "duplicate {}", e.code);
            assert!(!e.title.is_empty() && !e.explanation.is_empty() && !e.fix.is_empty());
            assert!(e.code.contains('.'));
        }
    }
}
