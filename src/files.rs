//! Reading RON data files with precise error positions, and writing files atomically.

use std::fmt;
use std::path::{Path, PathBuf};

/// An error about one file, with the position in it when known.
#[derive(Debug, Clone, PartialEq)]
pub struct FileError {
    /// Where the file is (a path, or `built-in:NAME` for embedded files).
    pub file: String,
    /// 1-based line and column, when the problem has a position.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            (Some(l), None) => write!(f, "{}:{}: {}", self.file, l, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for FileError {}

impl FileError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        FileError {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

/// Largest data file we will read (plans, scenarios, price books, providers).
pub const MAX_DATA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Parses RON text. `file` names the source in error messages.
pub fn parse_ron<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, FileError> {
    ron::Options::default()
        .from_str::<T>(text)
        .map_err(|e| ron_error(file, text, e))
}

/// Parses RON text whose types ignore fields they do not know, and names those fields
/// (`organisation.seats_totl`) so that a typo in a hand-edited file is not silently dropped.
pub fn parse_ron_naming_unknown<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<(T, Vec<String>), FileError> {
    let mut de = ron::Deserializer::from_str_with_options(text, &ron::Options::default())
        .map_err(|e| ron_error(file, text, e))?;
    let mut unknown = Vec::new();
    let value: T = serde_ignored::deserialize(&mut de, |path| unknown.push(path.to_string()))
        .map_err(|e| ron_error(file, text, de.span_error(e)))?;
    de.end()
        .map_err(|e| ron_error(file, text, de.span_error(e)))?;
    Ok((value, unknown))
}

/// A RON error with its position and, when the text there reads `name: value`, the field's name.
fn ron_error(file: &str, text: &str, e: ron::error::SpannedError) -> FileError {
    let (line, col) = (e.span.start.line, e.span.start.col);
    let mut message = e.code.to_string();
    if let Some(field) = field_before(text, line, col)
        && !message.contains(field)
    {
        message = format!("{message} (in the field `{field}`)");
    }
    FileError {
        file: file.to_owned(),
        line: Some(line),
        column: Some(col),
        message,
    }
}

/// The name in the nearest `name:` before line `line`, column `col` (1-based, counted in
/// characters, as RON reports them), looking back at most 200 bytes.
fn field_before(text: &str, line: usize, col: usize) -> Option<&str> {
    let earlier: Vec<&str> = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .collect();
    if earlier.len() + 1 < line {
        return None;
    }
    let line_start: usize = earlier.iter().map(|l| l.len()).sum();
    let rest = text.get(line_start..)?;
    let in_line = rest
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    let before = &text[..line_start + in_line];
    let mut from = before.len().saturating_sub(200);
    while !before.is_char_boundary(from) {
        from += 1;
    }
    let window = &before[from..];
    let name = window[..window.rfind(':')?].trim_end();
    // Where the identifier starts: just after the last character that cannot be in one (which
    // may be several bytes long: the fuzzer found that `i + 1` can land inside it).
    let start = name
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let ident = &name[start..];
    (!ident.is_empty() && !ident.starts_with(|c: char| c.is_ascii_digit())).then_some(ident)
}

/// Reads a regular file of at most [`MAX_DATA_FILE_BYTES`]. Pipes, devices and folders are refused
/// at once (a pipe would block, `/dev/zero` would never end).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let name = path.display().to_string();
    // A named pipe would block the open (or the read) until someone writes to it, and a device
    // may never end: only regular files are read.
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(FileError::new(&name, "is a folder, not a file"));
        }
        Ok(m) if !m.is_file() => {
            return Err(FileError::new(
                &name,
                "is not a regular file (a pipe or a device?); give a saved file",
            ));
        }
        _ => {}
    }
    let file = std::fs::File::open(path)
        .map_err(|e| FileError::new(&name, format!("cannot open: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_DATA_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::new(&name, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_DATA_FILE_BYTES {
        return Err(FileError::new(
            &name,
            format!(
                "file is larger than {} MiB; is it the right file?",
                MAX_DATA_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok(bytes)
}

/// Reads a UTF-8 text file of bounded size.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let name = path.display().to_string();
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| {
        FileError::new(
            &name,
            format!(
                "not UTF-8 text (bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Reads and parses a RON file.
pub fn load_ron<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, FileError> {
    let text = read_text(path)?;
    parse_ron(&path.display().to_string(), &text)
}

/// Serialises a value as pretty RON.
pub fn to_ron<T: serde::Serialize>(value: &T) -> Result<String, String> {
    ron::ser::to_string_pretty(value, ron::ser::PrettyConfig::default().struct_names(true))
        .map_err(|e| e.to_string())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
/// A reader never sees half a file, and a failed write leaves the old file untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_file(path, bytes, true)
}

/// Like [`write_atomic`], but when `replace` is false an existing file is never replaced:
/// the error then has kind `AlreadyExists` (also when the file appears during the write).
pub fn write_file(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    use std::io::Write;
    let dir: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Never replace a device, folder or other special file with a regular one (e.g. /dev/null as root).
    let existing = match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} exists and is not a regular file; choose a file name",
                    path.display()
                ),
            ));
        }
        Ok(_) if !replace => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} already exists", path.display()),
            ));
        }
        Ok(m) => Some(m.permissions()),
        Err(_) => None,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".mailplan-")
        .tempfile_in(&dir)
        .map_err(|e| {
            // Name the folder, not the random temporary file name.
            let reason = std::io::Error::from(e.kind());
            std::io::Error::new(
                e.kind(),
                format!("cannot write in {}: {reason}", dir.display()),
            )
        })?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // A replaced file keeps its permissions; a new one gets the usual 0644-style mode, not 0600.
    let perms = match existing {
        Some(p) => p,
        None => default_permissions(tmp.as_file())?,
    };
    tmp.as_file().set_permissions(perms)?;
    if replace {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

#[cfg(unix)]
fn default_permissions(file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    let mut p = file.metadata()?.permissions();
    p.set_mode(0o644);
    Ok(p)
}

#[cfg(not(unix))]
fn default_permissions(file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    Ok(file.metadata()?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Thing {
        a: u32,
    }

    #[test]
    fn ron_errors_name_the_field_they_are_in() {
        let err = parse_ron::<Thing>("x.ron", "(\n  a: \"many\",\n)").unwrap_err();
        assert_eq!((err.line, err.column), (Some(2), Some(5)));
        assert!(err.message.contains("(in the field `a`)"), "{err}");
        // Multi-byte text before the error, and an error with no field before it.
        let err = parse_ron::<Thing>("x.ron", "// é ü\n(\n  a: [é],\n)").unwrap_err();
        assert!(err.message.contains("`a`"), "{err}");
        let err = parse_ron::<Thing>("x.ron", "é").unwrap_err();
        assert!(!err.message.contains("field `"), "{err}");
        assert_eq!(field_before("a: 1", 9, 9), None);
        // A multi-byte character right before the name (found by fuzzing: a panic).
        assert_eq!(field_before("(Йa: 1", 1, 6), Some("a"));
        assert_eq!(field_before("(ߘ: 1", 1, 5), None);
        assert_eq!(field_before("hЙutost: x", 1, 10), Some("utost"));
    }

    #[derive(serde::Deserialize, Debug, Default, PartialEq)]
    #[serde(default)]
    struct Lenient {
        a: u32,
        inner: LenientInner,
    }

    #[derive(serde::Deserialize, Debug, Default, PartialEq)]
    #[serde(default)]
    struct LenientInner {
        b: u32,
    }

    #[test]
    fn unknown_fields_are_named() {
        let (v, unknown) =
            parse_ron_naming_unknown::<Lenient>("x.ron", "(a: 1, inner: (b: 2, bb: 3), c: 4)")
                .unwrap();
        assert_eq!(v.a, 1);
        assert_eq!(v.inner.b, 2);
        assert_eq!(unknown, vec!["inner.bb".to_owned(), "c".to_owned()]);
        let err = parse_ron_naming_unknown::<Lenient>("x.ron", "(a: 1) trailing").unwrap_err();
        assert_eq!(err.line, Some(1));
        let err = parse_ron_naming_unknown::<Lenient>("x.ron", "(a: -1)").unwrap_err();
        assert!(err.message.contains("`a`"), "{err}");
    }

    /// A named pipe nobody writes to is refused at once instead of blocking for ever (found by a
    /// fresh-eyed review with `estimate --plan FIFO`).
    #[cfg(unix)]
    #[test]
    fn pipes_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("plan.ron");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = read_text(&fifo).unwrap_err();
            assert!(err.message.contains("not a regular file"), "{err}");
        }
        let err = read_text(Path::new("/dev/zero")).unwrap_err();
        assert!(err.message.contains("not a regular file"), "{err}");
        let err = read_text(dir.path()).unwrap_err();
        assert!(err.message.contains("folder"), "{err}");
    }

    #[test]
    fn ron_errors_have_positions() {
        let err = parse_ron::<Thing>("x.ron", "(\n  a: 1,\n  b: 2,\n)").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.to_string().starts_with("x.ron:3:"), "{err}");
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
    }

    #[test]
    fn atomic_write_refuses_special_files_and_keeps_modes() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            write_atomic(dir.path(), b"x").is_err(),
            "a folder is not replaced"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert!(write_atomic(Path::new("/dev/null"), b"x").is_err());
            assert!(
                !std::fs::metadata("/dev/null")
                    .unwrap()
                    .file_type()
                    .is_file()
            );
            let p = dir.path().join("shared.html");
            write_atomic(&p, b"one").unwrap();
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o644
            );
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
            write_atomic(&p, b"two").unwrap();
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
    }
}
