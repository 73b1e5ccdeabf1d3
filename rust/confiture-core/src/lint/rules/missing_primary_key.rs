//! pk_001: tables without a primary key.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::SchemaCtx;
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "pk_001",
    name: "Missing Primary Key",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Tables without a PRIMARY KEY (partitions are exempt: their key is the partitioned table's).",
    why: "Without a key, rows cannot be addressed reliably, duplicates creep in, ORMs and logical replication (UPDATE/DELETE need a replica identity) fail.",
    fix: "Add a primary key: `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`, or PRIMARY KEY (a, b) on a junction table.",
    bad: "CREATE TABLE user_roles (user_id bigint NOT NULL, role_id bigint NOT NULL);",
    good: "CREATE TABLE user_roles (user_id bigint NOT NULL, role_id bigint NOT NULL, PRIMARY KEY (user_id, role_id));",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for t in ctx.tables().filter(|t| t.partition_of.is_none() && t.primary_key().is_none()) {
        let message = format!("table {} has no primary key", t.name);
        sink.add("table", t.name.to_string(), message, ctx.location(&ObjectId::Table(t.name.clone())));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::schema_findings;

    #[test]
    fn schema_qualified_names_and_partitions() {
        let sql = "CREATE SCHEMA app;\nCREATE TABLE app.a_b_c (x int);\nCREATE TABLE app.keyed (id int, PRIMARY KEY (id));\n\
                   CREATE TABLE app.ev (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);\n\
                   CREATE TABLE app.ev_2026 PARTITION OF app.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');";
        assert_eq!(schema_findings(sql, "pk_001"), ["app.a_b_c: table app.a_b_c has no primary key"]);
    }
}
