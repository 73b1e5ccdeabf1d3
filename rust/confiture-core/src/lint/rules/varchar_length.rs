//! type_002: Columns of type `varchar(n)`.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, flag_columns_of_type};
use crate::schema::TypeRef;

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
    flag_columns_of_type(ctx, sink, flagged);
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
