//! tenant_001: tables without the configured tenant column.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::SchemaCtx;
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "tenant_001",
    name: "Missing Tenant Column",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Tables without the tenant column when `lint.tenant_column` is set (shared tables listed in `lint.tenant_exempt` are skipped).",
    why: "In a multi-tenant schema a table without the tenant column cannot be filtered or protected by tenant: its rows are visible across tenants unless every query joins its way to one.",
    fix: "Add the tenant column (NOT NULL, with a foreign key to the tenants table), or list the table in `lint.tenant_exempt` if it is shared by all tenants.",
    bad: "CREATE TABLE projects (id bigint PRIMARY KEY, name text);",
    good: "CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, name text);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    let Some(tenant) = ctx.config.tenant_column.as_deref() else { return };
    for t in ctx.tables().filter(|t| t.partition_of.is_none() && !ctx.config.tenant_exempt.matches_table(&t.name)) {
        let columns = ctx.catalog.relation_columns(&t.name).unwrap_or_default();
        if columns.iter().any(|c| c == tenant) {
            continue;
        }
        let message = format!("table {} has no {tenant} column", t.name);
        sink.add("table", t.name.to_string(), message, ctx.location(&ObjectId::Table(t.name.clone())));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{schema_findings, schema_findings_with};

    #[test]
    fn only_when_configured_and_not_exempt() {
        let sql = "CREATE SCHEMA ref;\nCREATE TABLE a (id int, tenant_id int);\nCREATE TABLE b (id int);\nCREATE TABLE ref.countries (code text);";
        assert!(schema_findings(sql, "tenant_001").is_empty(), "no tenant column configured");
        assert_eq!(
            schema_findings_with(sql, "tenant_001", "tenant_column: tenant_id\ntenant_exempt: ['ref.*']"),
            ["b: table b has no tenant_id column"]
        );
    }
}
