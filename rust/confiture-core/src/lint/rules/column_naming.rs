//! naming_002: column names that break the naming convention.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, column_name};
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "naming_002",
    name: "Column Naming Convention",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Column names that do not follow the naming convention (`lint.naming`: snake_case by default, optional globs).",
    why: "A column named `createdAt` must be written `\"createdAt\"` in every query; unquoted, PostgreSQL folds it to `createdat` and the query fails.",
    fix: "Rename the column (ALTER TABLE … RENAME COLUMN …, with the code change first), or set `lint.naming`.",
    bad: "CREATE TABLE users (id bigint PRIMARY KEY, \"createdAt\" timestamptz);",
    good: "CREATE TABLE users (id bigint PRIMARY KEY, created_at timestamptz);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    let style = ctx.config.naming_style;
    let patterns = &ctx.config.column_patterns;
    for t in ctx.tables() {
        for c in &t.columns {
            let message = if !style.accepts(&c.name) {
                format!("column {} is not {}", column_name(&t.name, &c.name), style.name())
            } else if !patterns.is_empty() && !patterns.matches(&c.name) {
                format!("column {} matches none of {}", column_name(&t.name, &c.name), patterns.patterns.join(", "))
            } else {
                continue;
            };
            let id = ObjectId::Column(t.name.clone(), c.name.clone());
            sink.add("column", column_name(&t.name, &c.name), message, ctx.location(&id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::schema_findings;

    #[test]
    fn every_column_with_its_own_line() {
        let sql = "CREATE TABLE t (\n  id int,\n  \"firstName\" text,\n  \"Last Name\" text\n);";
        let f = crate::lint::testing::schema_report(sql, "naming_002");
        let places: Vec<String> = f.iter().map(|f| f.place()).collect();
        assert_eq!(places, ["schema.sql:3:3", "schema.sql:4:3"]);
        assert!(schema_findings("CREATE TABLE t (id int, first_name text)", "naming_002").is_empty());
    }
}
