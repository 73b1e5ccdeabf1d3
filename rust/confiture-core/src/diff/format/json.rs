//! `--format json`: the report as one JSON document (keys in a fixed order).

use crate::diff::source::DiffReport;

pub fn render(report: &DiffReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
}
