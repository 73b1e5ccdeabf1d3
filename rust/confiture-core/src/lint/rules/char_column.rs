//! type_004: Columns of type `char(n)` / `character(n)`.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, flag_columns_of_type};
use crate::schema::TypeRef;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "type_004",
    name: "Fixed-Length Character Column",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Columns of type `char(n)` / `character(n)`.",
    why: "`char(n)` pads values with spaces, trailing spaces are ignored in comparisons but not in LIKE or by clients, and it is no faster than `text`.",
    fix: "Use `text` (with a CHECK on the length if it is a rule).",
    bad: "CREATE TABLE countries (code char(2) PRIMARY KEY);",
    good: "CREATE TABLE countries (code text PRIMARY KEY CHECK (length(code) = 2));",
    check: Check::Schema(check),
};

fn flagged(t: &TypeRef) -> bool {
    t.schema == "pg_catalog" && t.name == "bpchar"
}

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    flag_columns_of_type(ctx, sink, flagged);
}
