//! Test helpers: run one rule over a schema or a migration text and read the findings as
//! `object: message` lines.

use super::config::{LintConfig, LintOptions};
use super::migration::{DatabaseFacts, MigrationSource};
use super::{Finding, lint_migrations, lint_schema};
use crate::config::LintSettings;
use crate::schema::Source;

pub(crate) fn config(rule: &str, yaml: &str) -> LintConfig {
    let settings: LintSettings =
        if yaml.is_empty() { LintSettings::default() } else { serde_yaml::from_str(yaml).unwrap() };
    let options = LintOptions { select: vec![rule.to_string()], ..LintOptions::default() };
    LintConfig::resolve(&settings, std::path::Path::new("test.yaml"), &options).unwrap()
}

fn lines(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| format!("{}: {}", f.object_name, f.message)).collect()
}

pub(crate) fn schema_report(sql: &str, rule: &str) -> Vec<Finding> {
    schema_report_with(sql, rule, "")
}

pub(crate) fn schema_report_with(sql: &str, rule: &str, yaml: &str) -> Vec<Finding> {
    let sources = [Source { name: "schema.sql".into(), text: sql.into() }];
    let report = lint_schema(&sources, &config(rule, yaml)).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    report.findings
}

pub(crate) fn schema_findings(sql: &str, rule: &str) -> Vec<String> {
    lines(&schema_report(sql, rule))
}

pub(crate) fn schema_findings_with(sql: &str, rule: &str, yaml: &str) -> Vec<String> {
    lines(&schema_report_with(sql, rule, yaml))
}

pub(crate) fn migration_report_with(sql: &str, rule: &str, yaml: &str, db: Option<&DatabaseFacts>) -> Vec<Finding> {
    let sources = [MigrationSource { file: "001_test.up.sql".into(), version: Some("001".into()), text: sql.into() }];
    lint_migrations(&sources, db, &config(rule, yaml)).findings
}

pub(crate) fn migration_findings(sql: &str, rule: &str) -> Vec<String> {
    lines(&migration_report_with(sql, rule, "", None))
}

pub(crate) fn migration_findings_with(sql: &str, rule: &str, yaml: &str) -> Vec<String> {
    lines(&migration_report_with(sql, rule, yaml, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{Target, all_rules};

    /// Every rule's documented examples: the flagged one fires, the other stays silent.
    #[test]
    fn every_rule_fires_on_its_bad_example_and_not_on_its_good_one() {
        for r in all_rules() {
            let yaml = "tenant_column: tenant_id";
            let (bad, good) = match r.target {
                Target::Schema => (schema_report_with(r.bad, r.id, yaml), schema_report_with(r.good, r.id, yaml)),
                Target::Migration => {
                    (migration_report_with(r.bad, r.id, yaml, None), migration_report_with(r.good, r.id, yaml, None))
                }
            };
            assert!(!bad.is_empty(), "{} does not fire on its bad example:\n{}", r.id, r.bad);
            assert!(bad.iter().all(|f| f.rule_id == r.id && f.file.is_some() && f.line.is_some()), "{}: {bad:?}", r.id);
            assert!(good.is_empty(), "{} fires on its good example:\n{}\n{good:?}", r.id, r.good);
        }
    }
}
