//! The format-neutral report model: a document of sections made of blocks.
//!
//! Every text in the model has already been cleaned of control characters and
//! known secrets (see [`super::build`]); each renderer still escapes it for its format.

use serde::Serialize;

/// When and by what a report was made. Injectable so tests get a fixed clock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportStamp {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`.
    pub time: String,
    /// The UTC offset, e.g. `UTC+02:00`.
    pub time_zone: String,
    /// The same moment as RFC 3339.
    pub rfc3339: String,
    /// The mailplan version that made the report.
    pub mailplan_version: String,
}

impl ReportStamp {
    /// A stamp for the given moment and this build's version.
    pub fn at(moment: chrono::DateTime<chrono::FixedOffset>) -> ReportStamp {
        let offset = moment.offset().local_minus_utc();
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.abs();
        ReportStamp {
            date: moment.format("%Y-%m-%d").to_string(),
            time: moment.format("%H:%M").to_string(),
            time_zone: format!("UTC{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60),
            rfc3339: moment.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            mailplan_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// A stamp for now, in the local time zone.
    pub fn now() -> ReportStamp {
        ReportStamp::at(chrono::Local::now().fixed_offset())
    }

    /// "2024-05-01 14:03 UTC+02:00".
    pub fn display(&self) -> String {
        format!("{} {} {}", self.date, self.time, self.time_zone)
    }
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDoc {
    pub title: String,
    /// One line under the title (e.g. the organisation), when there is one.
    pub subtitle: Option<String>,
    pub stamp: ReportStamp,
    pub sections: Vec<Section>,
}

/// A titled part of the report. `level` 1 is a main section, 2 a sub-section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// A stable identifier, usable as an anchor (`costs`, `check-1`...).
    pub id: String,
    pub heading: String,
    pub level: u8,
    pub blocks: Vec<Block>,
}

/// How a table column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub title: String,
    pub align: Align,
}

/// A table of text cells; every row has as many cells as there are columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub caption: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

/// The tone of a callout or finding: drives colour and the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Ok,
    Info,
    Warn,
    Fail,
}

impl Tone {
    /// A short upper-case label for plain-text formats.
    pub fn label(self) -> &'static str {
        match self {
            Tone::Ok => "OK",
            Tone::Info => "INFO",
            Tone::Warn => "WARNING",
            Tone::Fail => "FAIL",
        }
    }
}

/// One finding, with the server's words beside the cause and the fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingBlock {
    /// The check target or diagnosis subject it belongs to.
    pub target: Option<String>,
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub tone: Tone,
    pub title: String,
    /// The server's exact words (cleaned of control characters).
    pub server_text: Option<String>,
    pub explanation: String,
    pub fix: String,
}

/// One item of a list; `checked` makes it a checklist item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListItem {
    pub text: String,
    pub checked: Option<bool>,
}

/// Who wrote a line of a transcript-like block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    Client,
    Server,
    Note,
    Plain,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeLine {
    pub kind: LineKind,
    /// A short prefix such as `C:`, `S:` or a time; empty for plain lines.
    pub prefix: String,
    pub text: String,
}

/// How a chart draws its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Grouped bars: one group per category, one bar per series.
    Bar,
    /// One line per series across the categories.
    Line,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A chart as data; each renderer draws it its own way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    /// What the values are, e.g. `USD`.
    pub unit: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

impl Chart {
    /// The largest value, at least a tiny positive number (for scaling).
    pub fn max_value(&self) -> f64 {
        self.series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max)
            .max(1e-9)
    }
}

/// A piece of a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Paragraph {
        text: String,
    },
    /// A small heading inside a section.
    Subheading {
        text: String,
    },
    KeyValues {
        items: Vec<(String, String)>,
    },
    List {
        ordered: bool,
        items: Vec<ListItem>,
    },
    Table(Table),
    Callout {
        tone: Tone,
        title: String,
        text: String,
    },
    Finding(FindingBlock),
    Code {
        caption: Option<String>,
        lines: Vec<CodeLine>,
    },
    Chart(Chart),
}
