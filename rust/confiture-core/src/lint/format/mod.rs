//! Renderings of a report, one file per format, each with a fixed key/column order: `table`
//! (people), `json` (fraiseql-confiture's document, plus places and ids), `csv` (its header,
//! plus places and ids) and `sarif` (SARIF 2.1.0, for GitHub code scanning). And the rule
//! catalogue (`--list-rules`) as text, JSON or CSV.

mod csv;
mod json;
mod sarif;
mod table;

use super::{LintError, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
    Sarif,
}

impl Format {
    pub fn parse(name: &str) -> Result<Self, LintError> {
        match name {
            "table" | "text" => Ok(Self::Table),
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            "sarif" => Ok(Self::Sarif),
            other => Err(LintError::Format(other.to_string())),
        }
    }
}

/// The report in `format` (ends with a newline).
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Table => table::render(report),
        Format::Json => json::render(report),
        Format::Csv => csv::render(report),
        Format::Sarif => sarif::render(report),
    }
}

/// The rule catalogue in `format` (`table` is the Markdown of docs/guides/lint.md).
pub fn render_rules(format: Format) -> Result<String, LintError> {
    match format {
        Format::Table => Ok(super::catalogue::markdown()),
        Format::Json => Ok(json::rules()),
        Format::Csv => Ok(csv::rules()),
        Format::Sarif => Err(LintError::Format("sarif (--list-rules: use table, json or csv)".into())),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::lint::{Finding, Report, Severity};

    /// A report with one finding of each severity, odd characters included.
    pub(crate) fn sample() -> Report {
        let f =
            |rule: &str, name: &str, sev: Severity, object: &str, msg: &str, file: Option<&str>, line: usize| Finding {
                rule_id: rule.into(),
                rule_name: name.into(),
                severity: sev,
                object_type: "table".into(),
                object_name: object.into(),
                message: msg.into(),
                suggested_fix: Some("Do \"this\", then that.".into()),
                file: file.map(str::to_string),
                line: file.map(|_| line),
                column: file.map(|_| 3),
            };
        Report {
            schema_name: "local".into(),
            findings: vec![
                f(
                    "sec_004",
                    "Security Definer Without search_path",
                    Severity::Error,
                    "f()",
                    "SECURITY DEFINER function f() does not set search_path",
                    Some("db/schema/fn.sql"),
                    4,
                ),
                f(
                    "pk_001",
                    "Missing Primary Key",
                    Severity::Warning,
                    "app.t",
                    "table app.t has no primary key",
                    Some("db/schema/my dir/t.sql"),
                    1,
                ),
                f(
                    "doc_001",
                    "Missing Documentation",
                    Severity::Info,
                    "app.t",
                    "table app.t has no comment, \"really\"",
                    None,
                    0,
                ),
            ],
            tables_checked: 2,
            columns_checked: 5,
            migrations_checked: 1,
            statements_checked: 3,
            suppressed: 1,
            execution_time_ms: 7,
            database: "offline".into(),
            fail_on_error: true,
            fail_on_warning: false,
            rules: vec!["doc_001".into(), "pk_001".into(), "sec_004".into()],
            notes: vec!["a note".into()],
        }
    }
}
