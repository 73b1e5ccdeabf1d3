//! tenant_002: tenant columns that no index starts with.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, column_name};
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "tenant_002",
    name: "Tenant Column Not Indexed",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Tables whose tenant column (`lint.tenant_column`) is not the first column of any index or key.",
    why: "Nearly every query of a multi-tenant application filters on the tenant, and so do row-level security policies: without an index starting with it, each of them scans the table.",
    fix: "Lead an index with the tenant column (`CREATE INDEX … ON table (tenant_id, …)`), or make it the first column of the primary key.",
    bad: "CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, name text);",
    good: "CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, name text);\nCREATE INDEX projects_tenant_idx ON projects (tenant_id, name);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    let Some(tenant) = ctx.config.tenant_column.as_deref() else { return };
    for t in ctx.tables().filter(|t| t.partition_of.is_none() && !ctx.config.tenant_exempt.matches_table(&t.name)) {
        if t.column(tenant).is_none() {
            continue;
        }
        let indexed = ctx.keys_of(&t.name).iter().any(|k| k.columns.first().and_then(Option::as_deref) == Some(tenant));
        if indexed {
            continue;
        }
        let message = format!("no index of {} starts with {tenant}", t.name);
        let id = ObjectId::Column(t.name.clone(), tenant.to_string());
        sink.add("column", column_name(&t.name, tenant), message, ctx.location(&id));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::schema_findings_with;

    #[test]
    fn leading_column_of_any_key() {
        let sql = "CREATE TABLE a (id int, tenant_id int, PRIMARY KEY (tenant_id, id));\n\
                   CREATE TABLE b (id int PRIMARY KEY, tenant_id int);\nCREATE INDEX ON b (id, tenant_id);\n\
                   CREATE TABLE c (id int PRIMARY KEY);";
        assert_eq!(
            schema_findings_with(sql, "tenant_002", "tenant_column: tenant_id"),
            ["b.tenant_id: no index of b starts with tenant_id"]
        );
    }
}
