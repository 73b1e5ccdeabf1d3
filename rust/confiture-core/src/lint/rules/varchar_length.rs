//! type_002: Columns of type `varchar(n)`.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, column_name};
use crate::schema::{ObjectId, TypeRef};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "type_002",
    name: "Varchar With Length Limit",
    target: Target::Schema,
    severity: Severity::Info,
    default_enabled: true,
    summary: "Columns of type `varchar(n)`.",
    why: "In PostgreSQL `varchar(n)` is `text` plus a length check that cannot be changed without ALTER … TYPE; a limit that turns out too small needs a migration, and it is rarely the business rule.",
    fix: "Use `text`, with `CHECK (length(col) <= n)` when a limit is a real rule (a CHECK can be replaced without touching the table).",
    bad: "CREATE TABLE people (id bigint PRIMARY KEY, name varchar(50));",
    good: "CREATE TABLE people (id bigint PRIMARY KEY, name text CHECK (length(name) <= 50));",
    check: Check::Schema(check),
};

fn flagged(t: &TypeRef) -> bool {
    t.schema == "pg_catalog" && t.name == "varchar" && !t.modifiers.is_empty()
}

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for t in ctx.tables() {
        for c in t.columns.iter().filter(|c| flagged(&c.data_type)) {
            let message = format!("column {} is {}", column_name(&t.name, &c.name), c.data_type.sql());
            let id = ObjectId::Column(t.name.clone(), c.name.clone());
            sink.add("column", column_name(&t.name, &c.name), message, ctx.location(&id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::schema_findings;

    #[test]
    fn only_with_a_limit() {
        let sql = "CREATE TABLE t (a varchar(20), b varchar, c text, d varchar(5)[]);";
        assert_eq!(
            schema_findings(sql, "type_002"),
            ["t.a: column t.a is character varying(20)", "t.d: column t.d is character varying(5)[]"]
        );
    }
}
