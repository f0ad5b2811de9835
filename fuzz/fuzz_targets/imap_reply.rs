//! IMAP CAPABILITY parsing and literal announcements.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailplan::checks::imap::{literal_len, parse_capability};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
    for l in &lines {
        let _ = literal_len(l);
    }
    let (_caps, _mechs, _starttls, _disabled) = parse_capability(&lines);
});
