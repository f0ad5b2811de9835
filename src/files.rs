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
        .map_err(|e| FileError {
            file: file.to_owned(),
            line: Some(e.span.start.line),
            column: Some(e.span.start.col),
            message: e.code.to_string(),
        })
}

/// Reads a UTF-8 text file of bounded size.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    use std::io::Read;
    let name = path.display().to_string();
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
    use std::io::Write;
    let dir: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
}
