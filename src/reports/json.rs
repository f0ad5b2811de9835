//! JSON output: versioned, the rendered document plus the structured data it came from.

use super::build::cleaner_for;
use super::inputs::ReportInputs;
use super::model::ReportDoc;

/// The version of the report JSON layout. Bump on incompatible changes.
pub const REPORT_JSON_VERSION: u32 = 1;

/// Renders `{"version":1,"generated":..,"mailplan_version":..,"document":{..},"data":{..}}`.
///
/// `document` is the report as every format shows it; `data` holds the same inputs as
/// numbers and codes for scripts (amounts in cents). All strings are cleaned of control
/// characters and secrets.
pub fn render(doc: &ReportDoc, inputs: &ReportInputs) -> Result<String, String> {
    let cleaner = cleaner_for(inputs);
    let mut data = serde_json::to_value(inputs).map_err(|e| e.to_string())?;
    cleaner.clean_json(&mut data);
    let value = serde_json::json!({
        "version": REPORT_JSON_VERSION,
        "generated": doc.stamp.rfc3339,
        "mailplan_version": doc.stamp.mailplan_version,
        "document": doc,
        "data": data,
    });
    let mut text = serde_json::to_string_pretty(&value)
        .map(crate::sanitize::json_escape_invisible)
        .map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}
