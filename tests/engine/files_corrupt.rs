//! Corrupt every kind of data file (plan, scenario, price book, provider table) in several ways:
//! the loader names the file with line and column where there is one, nothing panics, and the
//! file on disk is left exactly as it was. Saving a plan is atomic.
//! Run: `cargo test --test engine files_corrupt::`.

use mailplan::files::FileError;
use std::path::{Path, PathBuf};

/// Ways to break a text file. Each returns the new bytes and whether a position is expected.
fn corruptions(original: &str) -> Vec<(&'static str, Vec<u8>, bool)> {
    let half = original.len() / 2;
    let cut = (0..=half)
        .rev()
        .find(|&i| original.is_char_boundary(i))
        .unwrap_or(0);
    let mut lines: Vec<&str> = original.lines().collect();
    let at = lines.len() / 2;
    lines.insert(at, "    ~~ not ron at all ~~");
    let junk_line = lines.join("\n");
    let mut bad_utf8 = original.as_bytes().to_vec();
    bad_utf8.splice(cut..cut, [0xff, 0xfe, 0x00]);
    vec![
        ("truncated", original.as_bytes()[..cut].to_vec(), true),
        ("junk line", junk_line.into_bytes(), true),
        ("unbalanced", format!("{original})))").into_bytes(), true),
        ("invalid UTF-8", bad_utf8, false),
        ("empty", Vec::new(), true),
        ("binary", (0u8..=255).cycle().take(5000).collect(), false),
    ]
}

fn shipped(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[track_caller]
fn assert_message(kind: &str, how: &str, e: &FileError, path: &Path, positioned: bool) {
    let text = e.to_string();
    let name = path.display().to_string();
    assert!(
        text.starts_with(&name),
        "{kind}/{how}: message does not name the file: {text}"
    );
    if positioned {
        assert!(
            e.line.is_some() && e.column.is_some(),
            "{kind}/{how}: no line/column: {text}"
        );
        let prefix = format!("{name}:{}:{}: ", e.line.unwrap_or(0), e.column.unwrap_or(0));
        assert!(text.starts_with(&prefix), "{kind}/{how}: {text}");
    }
    assert!(!e.message.trim().is_empty(), "{kind}/{how}: empty message");
}

/// Writes `bytes` to `dir/name`, runs `load`, and checks the file is byte-for-byte unchanged.
fn with_file<T>(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    load: impl FnOnce(&Path) -> T,
) -> (PathBuf, T) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    let before = std::fs::metadata(&path).expect("meta").modified().ok();
    let out = load(&path);
    assert_eq!(
        std::fs::read(&path).expect("read back"),
        bytes,
        "{name} changed"
    );
    assert_eq!(
        std::fs::metadata(&path).expect("meta").modified().ok(),
        before
    );
    (path, out)
}

#[test]
fn corrupt_plans() {
    let original = shipped("scenarios/examples/classic.ron");
    let dir = tempfile::tempdir().expect("dir");
    for (how, bytes, positioned) in corruptions(&original) {
        let (path, r) = with_file(dir.path(), "plan.ron", &bytes, mailplan::plan::load_plan);
        let e = r.expect_err(how);
        assert_message("plan", how, &e, &path, positioned);
    }
}

#[test]
fn plan_from_a_newer_mailplan_is_refused_and_left_alone() {
    let original = shipped("scenarios/examples/classic.ron");
    let newer = regex_free_set_version(&original, 999);
    let dir = tempfile::tempdir().expect("dir");
    let (path, r) = with_file(
        dir.path(),
        "new.ron",
        newer.as_bytes(),
        mailplan::plan::load_plan,
    );
    let e = r.expect_err("newer");
    let text = e.to_string();
    assert!(text.starts_with(&path.display().to_string()), "{text}");
    assert!(text.contains("newer"), "{text}");
}

/// Replaces the value of the first `version:` field.
fn regex_free_set_version(text: &str, v: u32) -> String {
    let at = text.find("version:").expect("plan has a version field");
    let rest = &text[at + "version:".len()..];
    let end = rest.find([',', '\n']).expect("end of field");
    format!("{}version: {v}{}", &text[..at], &rest[end..])
}

#[test]
fn estimate_reports_a_corrupt_plan_and_leaves_it() {
    let original = shipped("scenarios/examples/classic.ron");
    let dir = tempfile::tempdir().expect("dir");
    for (how, bytes, _) in corruptions(&original) {
        let (path, out) = with_file(dir.path(), "p.ron", &bytes, |p| {
            mailplan::cli::estimate::execute(&mailplan::cli::estimate::Args {
                plan: p.to_path_buf(),
                json: false,
                csv: false,
                scenarios: None,
                prices: None,
                today: None,
            })
        });
        assert_eq!(out.code, mailplan::cli::EXIT_FAILED, "{how}: {out:?}");
        assert!(out.stdout.is_empty(), "{how}: {}", out.stdout);
        assert!(
            out.stderr.contains(&path.display().to_string()),
            "{how}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains('\0'), "{how}");
    }
}

#[test]
fn corrupt_scenarios() {
    let original = shipped("scenarios/hosted-only.ron");
    for (how, bytes, positioned) in corruptions(&original) {
        let dir = tempfile::tempdir().expect("dir");
        let (path, set) = with_file(dir.path(), "hosted-only.ron", &bytes, |p| {
            mailplan::scenarios::load_dir(p.parent().expect("dir"), None)
        });
        let e = set
            .errors
            .iter()
            .find(|e| e.file == path.display().to_string())
            .unwrap_or_else(|| panic!("{how}: no error for the file: {:?}", set.errors));
        assert_message("scenario", how, e, &path, positioned);
    }
}

#[test]
fn corrupt_price_books() {
    let original = shipped("scenarios/prices/current.ron");
    for (how, bytes, positioned) in corruptions(&original) {
        let dir = tempfile::tempdir().expect("dir");
        let (path, errors) = with_file(dir.path(), "book.ron", &bytes, |p| {
            let (mut catalogue, _) = mailplan::costs::books::load_catalogue(&[]);
            mailplan::costs::books::load_dir_into(&mut catalogue, p.parent().expect("dir"))
        });
        let e = errors
            .iter()
            .find(|e| e.file == path.display().to_string())
            .unwrap_or_else(|| panic!("{how}: no error for the file: {errors:?}"));
        assert_message("price book", how, e, &path, positioned);
    }
}

#[test]
fn corrupt_provider_tables() {
    let original = shipped("scenarios/providers/providers.ron");
    let dir = tempfile::tempdir().expect("dir");
    for (how, bytes, positioned) in corruptions(&original) {
        let (path, r) = with_file(dir.path(), "providers.ron", &bytes, |p| {
            let name = p.display().to_string();
            mailplan::files::read_text(p)
                .and_then(|t| mailplan::dns::providers::ProviderTable::parse(&name, &t))
        });
        let e = r.expect_err(how);
        assert_message("provider table", how, &e, &path, positioned);
    }
}

#[test]
fn oversized_file_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("huge.ron");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(mailplan::files::MAX_DATA_FILE_BYTES + 10)
        .expect("sparse");
    let e = mailplan::plan::load_plan(&path).expect_err("too big");
    assert!(e.to_string().contains("larger than"), "{e}");
}

#[test]
fn saving_a_plan_is_atomic() {
    let original = shipped("scenarios/examples/classic.ron");
    let plan = mailplan::plan::parse_plan("classic.ron", &original).expect("shipped plan");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mine.ron");
    std::fs::write(&path, b"old contents").expect("write");
    mailplan::plan::save_plan(&path, &plan).expect("save");
    let saved = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        mailplan::plan::parse_plan("mine.ron", &saved).expect("reload"),
        mailplan::plan::parse_plan("classic.ron", &original).expect("again")
    );
    // Only the one file: no temporary left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A save that cannot happen (the target is a folder) leaves everything as it was.
    let folder = dir.path().join("folder.ron");
    std::fs::create_dir(&folder).expect("mkdir");
    assert!(mailplan::plan::save_plan(&folder, &plan).is_err());
    assert!(folder.is_dir());
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);
}
