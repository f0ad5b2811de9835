//! Plan files (with the version probe and upgrade).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match mailplan::plan::parse_plan("fuzz.ron", text) {
            Ok(plan) => {
                // What loads must save and load again.
                if let Ok(saved) = mailplan::files::to_ron(&plan) {
                    let _ = mailplan::plan::parse_plan("again.ron", &saved);
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
