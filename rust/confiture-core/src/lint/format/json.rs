//! `--format json`: one document, fraiseql-confiture's keys first (`schema_name`,
//! `tables_checked`, `columns_checked`, `execution_time_ms`, `violations` with `total`, `errors`,
//! `warnings`, `info` and `items` of `rule`, `severity`, `location`, `message`, `suggested_fix`),
//! then what it lacked (rule ids, files, lines, columns, migrations, notes, the verdict).

use serde::Serialize;

use crate::lint::rule::all_rules;
use crate::lint::{Report, Severity};

#[derive(Serialize)]
struct Item<'a> {
    rule: &'a str,
    severity: Severity,
    location: &'a str,
    message: &'a str,
    suggested_fix: Option<&'a str>,
    rule_id: &'a str,
    object_type: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
}

#[derive(Serialize)]
struct Violations<'a> {
    total: usize,
    errors: usize,
    warnings: usize,
    info: usize,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Document<'a> {
    schema_name: &'a str,
    tables_checked: usize,
    columns_checked: usize,
    execution_time_ms: u64,
    violations: Violations<'a>,
    migrations_checked: usize,
    statements_checked: usize,
    suppressed: usize,
    database: &'a str,
    rules: &'a [String],
    notes: &'a [String],
    failed: bool,
}

pub(super) fn render(r: &Report) -> String {
    let doc = Document {
        schema_name: &r.schema_name,
        tables_checked: r.tables_checked,
        columns_checked: r.columns_checked,
        execution_time_ms: r.execution_time_ms,
        violations: Violations {
            total: r.findings.len(),
            errors: r.count(Severity::Error),
            warnings: r.count(Severity::Warning),
            info: r.count(Severity::Info),
            items: r
                .findings
                .iter()
                .map(|f| Item {
                    rule: &f.rule_name,
                    severity: f.severity,
                    location: &f.object_name,
                    message: &f.message,
                    suggested_fix: f.suggested_fix.as_deref(),
                    rule_id: &f.rule_id,
                    object_type: &f.object_type,
                    file: f.file.as_deref(),
                    line: f.line,
                    column: f.column,
                })
                .collect(),
        },
        migrations_checked: r.migrations_checked,
        statements_checked: r.statements_checked,
        suppressed: r.suppressed,
        database: &r.database,
        rules: &r.rules,
        notes: &r.notes,
        failed: r.failed(),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("invariant: the document serializes");
    out.push('\n');
    out
}

#[derive(Serialize)]
struct RuleDoc<'a> {
    id: &'a str,
    name: &'a str,
    target: &'a str,
    severity: Severity,
    default_enabled: bool,
    summary: &'a str,
    why: &'a str,
    fix: &'a str,
    bad: &'a str,
    good: &'a str,
}

pub(super) fn rules() -> String {
    let docs: Vec<RuleDoc<'_>> = all_rules()
        .iter()
        .map(|r| RuleDoc {
            id: r.id,
            name: r.name,
            target: r.target.name(),
            severity: r.severity,
            default_enabled: r.default_enabled,
            summary: r.summary,
            why: r.why,
            fix: r.fix,
            bad: r.bad,
            good: r.good,
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&docs).expect("invariant: rules serialize");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reference_keys_first() {
        let text = super::render(&super::super::tests::sample());
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&str> =
            text.lines().filter(|l| l.starts_with("  \"")).map(|l| l.trim().split('"').nth(1).unwrap()).collect();
        assert_eq!(
            keys,
            [
                "schema_name",
                "tables_checked",
                "columns_checked",
                "execution_time_ms",
                "violations",
                "migrations_checked",
                "statements_checked",
                "suppressed",
                "database",
                "rules",
                "notes",
                "failed"
            ]
        );
        assert_eq!(v["violations"]["total"], 3);
        assert_eq!(v["violations"]["errors"], 1);
        let item = &v["violations"]["items"][1];
        assert_eq!(item["rule"], "Missing Primary Key");
        assert_eq!(item["location"], "app.t");
        assert_eq!(item["rule_id"], "pk_001");
        assert_eq!(item["line"], 1);
        assert_eq!(v["failed"], true);
    }
}
