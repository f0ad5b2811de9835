//! SMTP reply lines and EHLO keyword parsing.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailplan::checks::conn::{SmtpReply, parse_smtp_line};
use mailplan::checks::smtp::parse_ehlo;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = Vec::new();
    let mut code = 250;
    for l in text.split('\n') {
        let l = l.trim_end_matches('\r');
        if let Some((c, _last, rest)) = parse_smtp_line(l) {
            assert!((200..600).contains(&c));
            assert!(l.len() >= rest.len());
            code = c;
            lines.push(rest.to_owned());
        }
    }
    let reply = SmtpReply { code, lines };
    let (caps, mechs, _starttls) = parse_ehlo(&reply);
    assert!(caps.len() <= reply.lines.len());
    let _ = (mechs, reply.text(), reply.is_positive());
});
