//! The provider table (DNS provider recognition).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(e) = mailplan::dns::providers::ProviderTable::parse("fuzz.ron", text)
    {
        let _ = e.to_string();
    }
});
