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
                std::fs::metadata("/dev/null")
                    .unwrap()
                    .file_type()
                    .is_file()
                    == false
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
