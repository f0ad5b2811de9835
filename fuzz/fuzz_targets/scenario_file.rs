//! Scenario files.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(errors) = mailplan::scenarios::parse_scenario("fuzz.ron", text, None)
    {
        for e in errors {
            let _ = e.to_string();
        }
    }
});
