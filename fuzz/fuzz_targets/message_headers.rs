//! Message header blocks and their dates (`--inspect-latest`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailplan::checks::headers::{parse_date, parse_headers, received_time};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for (_name, value) in parse_headers(&text) {
        let _ = parse_date(&value);
        let _ = received_time(&value);
    }
});
