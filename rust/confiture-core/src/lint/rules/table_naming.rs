//! naming_001: table names that break the naming convention.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::SchemaCtx;
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "naming_001",
    name: "Table Naming Convention",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Table names that do not follow the naming convention (`lint.naming`: snake_case by default, optional globs such as `tb_*`).",
    why: "A name with capitals or other characters must be double-quoted in every query, forever; mixed conventions make names hard to guess.",
    fix: "Rename the table (ALTER TABLE … RENAME TO …, then update the code), or set `lint.naming` to the convention the project uses.",
    bad: "CREATE TABLE \"UserAccounts\" (id bigint PRIMARY KEY);",
    good: "CREATE TABLE user_accounts (id bigint PRIMARY KEY);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    let style = ctx.config.naming_style;
    let patterns = &ctx.config.table_patterns;
    for t in ctx.tables() {
        let name = &t.name.name;
        let message = if !style.accepts(name) {
            format!("table {} is not {}", t.name, style.name())
        } else if !patterns.is_empty() && !patterns.matches(name) {
            format!("table {} matches none of {}", t.name, patterns.patterns.join(", "))
        } else {
            continue;
        };
        sink.add("table", t.name.to_string(), message, ctx.location(&ObjectId::Table(t.name.clone())));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{schema_findings, schema_findings_with};

    #[test]
    fn style_and_patterns() {
        let sql = "CREATE SCHEMA app; CREATE TABLE app.\"Orders\" (id int); CREATE TABLE app.order_items (id int); CREATE TABLE tb_users (id int);";
        let f = schema_findings(sql, "naming_001");
        assert_eq!(f, ["app.Orders: table app.Orders is not snake_case"]);
        let f = schema_findings_with(sql, "naming_001", "naming: {tables: ['tb_*']}");
        assert_eq!(
            f,
            [
                "app.Orders: table app.Orders is not snake_case",
                "app.order_items: table app.order_items matches none of tb_*"
            ]
        );
        assert!(schema_findings_with(sql, "naming_001", "naming: {style: any}").is_empty());
    }

    #[test]
    fn names_in_comments_and_strings_do_not_count() {
        let sql = "-- CREATE TABLE BadName (x int);\nCREATE TABLE good (note text DEFAULT 'CREATE TABLE Bad (x int)');";
        assert!(schema_findings(sql, "naming_001").is_empty());
    }
}
