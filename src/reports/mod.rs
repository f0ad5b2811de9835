//! Reports: scenario comparison, costs and check results as PDF, HTML, Markdown, JSON and CSV.
//!
//! [`build_report`] turns [`ReportInputs`] (every part optional) into a format-neutral
//! [`ReportDoc`]; [`render`] writes it in one [`Format`]; [`save`] writes the file
//! atomically and refuses to replace an existing file unless asked.
//!
//! Server-supplied text is untrusted: the builder strips control characters and known
//! secrets, and each renderer escapes for its format (HTML entities, Markdown specials,
//! CSV formulas, WinAnsi for PDF).

pub mod adapt;
pub mod build;
pub mod chart;
pub mod csv_out;
pub mod escape;
pub mod html;
pub mod inputs;
pub mod json;
pub mod markdown;
pub mod model;
pub mod pdf;
pub mod pdf_fonts;
pub mod sample;

pub use build::{build_report, format_money};
pub use inputs::*;
pub use model::{ReportDoc, ReportStamp};
pub use pdf::Paper;

use std::path::Path;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Pdf,
    Html,
    #[value(name = "md", alias = "markdown")]
    Markdown,
    Json,
    Csv,
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// The format a file name suggests, from its extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "pdf" => Format::Pdf,
            "html" | "htm" => Format::Html,
            "md" | "markdown" => Format::Markdown,
            "json" => Format::Json,
            "csv" => Format::Csv,
            _ => return None,
        })
    }

    pub const ALL: [Format; 5] = [
        Format::Pdf,
        Format::Html,
        Format::Markdown,
        Format::Json,
        Format::Csv,
    ];
}

/// Options for rendering.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub paper: Paper,
}

/// Renders a report in one format. `inputs` are needed for the structured JSON data and
/// the CSV rows; `doc` must have been built from them.
pub fn render(
    format: Format,
    doc: &ReportDoc,
    inputs: &ReportInputs,
    opts: RenderOptions,
) -> Result<Vec<u8>, String> {
    Ok(match format {
        Format::Pdf => pdf::render(doc, opts.paper),
        Format::Html => html::render(doc).into_bytes(),
        Format::Markdown => markdown::render(doc).into_bytes(),
        Format::Json => json::render(doc, inputs)?.into_bytes(),
        Format::Csv => csv_out::render(inputs)?,
    })
}

/// Why a report could not be saved.
#[derive(Debug)]
pub enum SaveError {
    /// The file exists and replacing it was not asked for.
    Exists(std::path::PathBuf),
    Render(String),
    Io(std::path::PathBuf, std::io::Error),
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveError::Exists(p) => write!(
                f,
                "{} already exists; use --force to replace it",
                p.display()
            ),
            SaveError::Render(e) => write!(f, "cannot make the report: {e}"),
            SaveError::Io(p, e) => write!(f, "cannot write {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for SaveError {}

/// Writes `bytes` to `path` atomically. An existing file is replaced only when `replace`
/// is true (the CLI's `--force`, or a save dialog where the user confirmed).
pub fn save(path: &Path, bytes: &[u8], replace: bool) -> Result<(), SaveError> {
    crate::files::write_file(path, bytes, replace).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            SaveError::Exists(path.to_path_buf())
        } else {
            SaveError::Io(path.to_path_buf(), e)
        }
    })
}

/// Builds, renders and saves in one go, stamped with the current local time.
pub fn export(
    inputs: &ReportInputs,
    format: Format,
    path: &Path,
    replace: bool,
    opts: RenderOptions,
) -> Result<(), SaveError> {
    let doc = build_report(inputs, ReportStamp::now());
    let bytes = render(format, &doc, inputs, opts).map_err(SaveError::Render)?;
    save(path, &bytes, replace)
}
