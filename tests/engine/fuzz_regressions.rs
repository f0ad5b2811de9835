//! Inputs the fuzz targets (`fuzz/`) once crashed on, kept in `tests/fuzz_regressions/` and fed
//! to the same parsers: each must now give a value or an error, never a panic. A file's name
//! starts with the fuzz target it came from.

use std::path::Path;

fn feed(target: &str, text: &str) {
    match target {
        "plan_file" => {
            if let Ok(plan) = mailplan::plan::parse_plan("regression.ron", text) {
                let saved = mailplan::files::to_ron(&plan).expect("a loaded plan saves");
                mailplan::plan::parse_plan("again.ron", &saved).expect("a saved plan loads");
            }
        }
        "price_book" => {
            let _ = mailplan::costs::books::parse_book("regression.ron", text);
        }
        "provider_table" => {
            let _ = mailplan::dns::providers::ProviderTable::parse("regression.ron", text);
        }
        other => panic!("no parser for fuzz target {other}"),
    }
}

#[test]
fn every_input_the_fuzzers_crashed_on_now_parses_or_errs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/fuzz_regressions") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let target = name.rsplit_once('-').map_or(name.as_str(), |(t, _)| t);
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue; // the targets skip what is not UTF-8
        };
        feed(target, text);
        seen += 1;
    }
    assert!(seen >= 3, "only {seen} regression inputs");
}
