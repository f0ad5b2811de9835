//! Target URLs (`SCHEME://HOST[:PORT]`, IDN, IPv6) and host normalisation.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailplan::checks::Target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(t) = Target::parse(text) {
            assert!(t.port > 0);
            assert!(!t.host.chars().any(|c| c.is_control()));
            // What parses prints in a form that parses to the same target.
            let again = Target::parse(&t.to_string()).expect("reparse");
            assert_eq!(again.host, t.host);
            assert_eq!(again.port, t.port);
        }
        let _ = mailplan::checks::target::normalise_host(text);
    }
});
