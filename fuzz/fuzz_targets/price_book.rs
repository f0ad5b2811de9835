//! Price books.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(errors) = mailplan::costs::books::parse_book("fuzz.ron", text)
    {
        for e in errors {
            let _ = e.to_string();
        }
    }
});
