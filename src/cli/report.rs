//! `mailplan report`: export a plan and/or check results as PDF, HTML, Markdown, JSON or CSV.

use crate::checks::CheckResult;
use crate::diagnose::Diagnosis;
use crate::files::{FileError, read_text};
use crate::reports::{
    self, DiagnosisReport, Format, Paper, RenderOptions, ReportInputs, SaveError,
};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (RON) with the organisation, goals and cost inputs.
    #[arg(long, value_name = "PLAN.ron", value_parser = crate::cli::path_arg)]
    pub plan: Option<PathBuf>,
    /// Results saved from `mailplan check --json` or `mailplan diagnose --json`.
    #[arg(long, value_name = "RESULTS.json", value_parser = crate::cli::path_arg)]
    pub checks: Option<PathBuf>,
    /// Output format; when left out, taken from the --out file's extension.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Where to write the report.
    #[arg(long, value_name = "FILE", value_parser = crate::cli::path_arg)]
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
    /// Extra scenario files (added to or overriding the built-in ones by id).
    #[arg(long, value_name = "DIR", value_parser = crate::cli::path_arg)]
    pub scenarios: Option<PathBuf>,
    /// Extra price books.
    #[arg(long, value_name = "DIR", value_parser = crate::cli::path_arg)]
    pub prices: Option<PathBuf>,
    /// Price dates are judged against this day instead of today (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", hide = true)]
    pub today: Option<chrono::NaiveDate>,
}

/// What a results file held.
#[derive(Debug)]
pub enum LoadedResults {
    Checks(Vec<CheckResult>),
    Diagnosis(Box<Diagnosis>),
}

pub fn run(args: Args) -> u8 {
    let (code, messages) = execute(&args);
    for m in messages {
        eprintln!("mailplan: {m}");
    }
    code
}

/// Runs the command; returns the exit status and the messages for standard error (already
/// free of control characters). In-process, so tests do not depend on a built binary.
pub fn execute(args: &Args) -> (u8, Vec<String>) {
    let mut messages: Vec<String> = Vec::new();
    let mut say = |m: &str| messages.push(crate::sanitize::strip_controls(m));
    if args.plan.is_none() && args.checks.is_none() {
        say("report needs --plan PLAN.ron, --checks RESULTS.json, or both");
        return (super::EXIT_USAGE, messages);
    }
    let Some(format) = args.format.or_else(|| Format::from_path(&args.out)) else {
        say(
            "say which format with --format pdf|html|md|json|csv (the --out name has no known extension)",
        );
        return (super::EXIT_USAGE, messages);
    };
    let mut inputs = ReportInputs::default();
    if let Some(path) = &args.plan {
        let mut warnings = Vec::new();
        match planning(path, args, &mut warnings) {
            Ok(planned) => inputs = planned,
            Err(e) => {
                say(&e.to_string());
                return (super::EXIT_FAILED, messages);
            }
        }
        for w in &warnings {
            say(&format!("warning: {w}"));
        }
    }
    inputs.title = args.title.clone();
    if let Some(path) = &args.checks {
        match load_results(path) {
            Ok(LoadedResults::Checks(results)) => inputs.checks = results,
            Ok(LoadedResults::Diagnosis(d)) => inputs.diagnoses = vec![DiagnosisReport::from(&*d)],
            Err(e) => {
                say(&e.to_string());
                return (super::EXIT_FAILED, messages);
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
            say(&format!("wrote {}", args.out.display()));
            (super::EXIT_OK, messages)
        }
        Err(e @ SaveError::Exists(_)) => {
            say(&e.to_string());
            (super::EXIT_USAGE, messages)
        }
        Err(e) => {
            say(&e.to_string());
            (super::EXIT_FAILED, messages)
        }
    }
}

/// Reads a plan, loads scenarios and price books, and runs the cost model and the advisor.
/// Problems with extra scenario or price files are returned as warnings.
fn planning(
    path: &Path,
    args: &Args,
    warnings: &mut Vec<String>,
) -> Result<ReportInputs, FileError> {
    let (plan, unknown) = crate::plan::load_plan_naming_unknown(path)?;
    warnings.extend(crate::plan::unknown_fields_warning(
        &path.display().to_string(),
        &unknown,
    ));
    let extra: Vec<PathBuf> = args.prices.iter().cloned().collect();
    let (catalogue, errors) = crate::costs::books::load_catalogue(&extra);
    warnings.extend(errors.iter().map(ToString::to_string));
    let ids = catalogue.ids();
    let set = crate::scenarios::load_all(args.scenarios.as_deref(), Some(&ids));
    warnings.extend(set.errors.iter().map(ToString::to_string));
    let scenarios: Vec<crate::scenarios::Scenario> =
        set.scenarios.into_iter().map(|l| l.scenario).collect();
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    Ok(reports::adapt::planning_inputs(
        &plan, &scenarios, &catalogue, today,
    ))
}

/// Reads `{"version":1,"results":[...]}` (from `check --json`), a bare list of results, or
/// one result.
pub fn load_results(path: &Path) -> Result<LoadedResults, FileError> {
    let name = path.display().to_string();
    let text = read_text(path)?;
    parse_results(&name, &text)
}

/// Parses check results (`check --json`) or a diagnosis (`diagnose --json`), told apart by
/// shape; `name` is used in error messages.
pub fn parse_results(name: &str, text: &str) -> Result<LoadedResults, FileError> {
    let json_err = |e: serde_json::Error| FileError {
        file: name.to_owned(),
        line: Some(e.line()),
        column: Some(e.column()),
        message: format!("not valid check results: {e}"),
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(json_err)?;
    if let serde_json::Value::Object(map) = &value
        && map.contains_key("endpoints")
        && map.contains_key("summary")
    {
        let version = map.get("version").and_then(|v| v.as_u64()).unwrap_or(1);
        if version > u64::from(crate::diagnose::DIAGNOSIS_VERSION) {
            return Err(FileError::new(
                name,
                format!(
                    "diagnosis file version {version} is newer than this mailplan understands; update mailplan"
                ),
            ));
        }
        return serde_json::from_value::<Diagnosis>(value)
            .map(|d| LoadedResults::Diagnosis(Box::new(d)))
            .map_err(|e| FileError::new(name, format!("not a valid diagnosis: {e}")));
    }
    let checks = match &value {
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
            "expected the output of `mailplan check --json` ({\"version\":1,\"results\":[...]}) or `mailplan diagnose --json`",
        )),
    };
    checks.map(LoadedResults::Checks)
}
