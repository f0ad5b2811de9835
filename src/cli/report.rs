//! `mailplan report`: export a plan and/or check results as PDF, HTML, Markdown, JSON or CSV.

use crate::checks::CheckResult;
use crate::files::{FileError, read_text};
use crate::reports::{self, Format, Paper, PlanContext, RenderOptions, ReportInputs, SaveError};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (RON) with the organisation, goals and cost inputs.
    #[arg(long, value_name = "PLAN.ron")]
    pub plan: Option<PathBuf>,
    /// Results saved from `mailplan check --json` or `mailplan diagnose --json`.
    #[arg(long, value_name = "RESULTS.json")]
    pub checks: Option<PathBuf>,
    /// Output format; when left out, taken from the --out file's extension.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Where to write the report.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace FILE if it already exists.
    #[arg(long)]
    pub force: bool,
    /// Paper size for PDF.
    #[arg(long, value_enum, default_value = "a4")]
    pub paper: PaperArg,
    /// A title instead of the default one.
    #[arg(long)]
    pub title: Option<String>,
}

pub fn run(args: Args) -> u8 {
    if args.plan.is_none() && args.checks.is_none() {
        return super::usage_error("report needs --plan PLAN.ron, --checks RESULTS.json, or both");
    }
    let format = match args.format.or_else(|| Format::from_path(&args.out)) {
        Some(f) => f,
        None => {
            return super::usage_error(
                "say which format with --format pdf|html|md|json|csv (the --out name has no known extension)",
            );
        }
    };
    let mut inputs = ReportInputs {
        title: args.title.clone(),
        ..Default::default()
    };
    if let Some(path) = &args.plan {
        match load_plan(path) {
            Ok(ctx) => inputs.plan = Some(ctx),
            Err(e) => {
                eprintln!("mailplan: {e}");
                return super::EXIT_FAILED;
            }
        }
    }
    if let Some(path) = &args.checks {
        match load_results(path) {
            Ok(results) => inputs.checks = results,
            Err(e) => {
                eprintln!("mailplan: {e}");
                return super::EXIT_FAILED;
            }
        }
    }
    let opts = RenderOptions {
        paper: match args.paper {
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
        },
    };
    match reports::export(&inputs, format, &args.out, args.force, opts) {
        Ok(()) => {
            eprintln!("mailplan: wrote {}", args.out.display());
            super::EXIT_OK
        }
        Err(e @ SaveError::Exists(_)) => super::usage_error(&e.to_string()),
        Err(e) => {
            eprintln!("mailplan: {e}");
            super::EXIT_FAILED
        }
    }
}

/// Reads a plan file and keeps what the report shows.
fn load_plan(path: &Path) -> Result<PlanContext, FileError> {
    let plan: crate::plan::Plan = crate::files::load_ron(path)?;
    if plan.version > crate::plan::PLAN_VERSION {
        return Err(FileError::new(
            path.display().to_string(),
            format!(
                "plan file version {} is newer than this mailplan understands ({}); update mailplan",
                plan.version,
                crate::plan::PLAN_VERSION
            ),
        ));
    }
    Ok(PlanContext {
        name: plan.name,
        ..Default::default()
    })
}

/// Reads `{"version":1,"results":[...]}` (from `check --json`), a bare list of results, or
/// one result.
pub fn load_results(path: &Path) -> Result<Vec<CheckResult>, FileError> {
    let name = path.display().to_string();
    let text = read_text(path)?;
    parse_results(&name, &text)
}

/// Parses check results JSON; `name` is used in error messages.
pub fn parse_results(name: &str, text: &str) -> Result<Vec<CheckResult>, FileError> {
    let json_err = |e: serde_json::Error| FileError {
        file: name.to_owned(),
        line: Some(e.line()),
        column: Some(e.column()),
        message: format!("not valid check results: {e}"),
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(json_err)?;
    match &value {
        serde_json::Value::Object(map) if map.contains_key("results") => {
            let version = map.get("version").and_then(|v| v.as_u64()).unwrap_or(1);
            if version > 1 {
                return Err(FileError::new(
                    name,
                    format!(
                        "results file version {version} is newer than this mailplan understands (1); update mailplan"
                    ),
                ));
            }
            let results = map.get("results").cloned().unwrap_or_default();
            serde_json::from_value(results)
                .map_err(|e| FileError::new(name, format!("not valid check results: {e}")))
        }
        serde_json::Value::Object(map) if map.contains_key("target") => {
            serde_json::from_value(value)
                .map(|r| vec![r])
                .map_err(|e| FileError::new(name, format!("not a valid check result: {e}")))
        }
        serde_json::Value::Array(_) => serde_json::from_value(value)
            .map_err(|e| FileError::new(name, format!("not valid check results: {e}"))),
        _ => Err(FileError::new(
            name,
            "expected the output of `mailplan check --json` ({\"version\":1,\"results\":[...]})",
        )),
    }
}
