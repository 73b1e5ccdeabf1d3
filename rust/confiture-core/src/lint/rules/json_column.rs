//! type_006: Columns of type `json` rather than `jsonb`.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, flag_columns_of_type};
use crate::schema::TypeRef;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "type_006",
    name: "JSON Instead of JSONB",
    target: Target::Schema,
    severity: Severity::Info,
    default_enabled: true,
    summary: "Columns of type `json` rather than `jsonb`.",
    why: "`json` keeps the text as written and re-parses it on every access; it has no equality operator (no UNIQUE, no DISTINCT, no GROUP BY) and no GIN indexing.",
    fix: "Use `jsonb` unless key order or duplicate keys must be preserved byte for byte.",
    bad: "CREATE TABLE hooks (id bigint PRIMARY KEY, payload json);",
    good: "CREATE TABLE hooks (id bigint PRIMARY KEY, payload jsonb);",
    check: Check::Schema(check),
};

fn flagged(t: &TypeRef) -> bool {
    t.schema == "pg_catalog" && t.name == "json"
}

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    flag_columns_of_type(ctx, sink, flagged);
}
