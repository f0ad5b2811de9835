//! POP3 CAPA lines.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailplan::checks::pop3::parse_capa;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
    let (caps, _mechs, _stls, _uidl) = parse_capa(&lines);
    assert_eq!(caps.len(), lines.len());
});
