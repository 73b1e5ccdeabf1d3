//! doc_002: columns without a comment (off unless selected).

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, column_name};
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "doc_002",
    name: "Missing Column Documentation",
    target: Target::Schema,
    severity: Severity::Info,
    default_enabled: false,
    summary: "Columns without a `COMMENT ON COLUMN` (off unless selected: `--select doc_002`).",
    why: "Column comments explain units, encodings and invariants where every client can see them; teams that publish their schema (API docs, data catalogs) want all of them.",
    fix: "Add `COMMENT ON COLUMN schema.table.column IS '…';`.",
    bad: "CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric);\nCOMMENT ON COLUMN prices.id IS 'Key';",
    good: "CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric);\nCOMMENT ON COLUMN prices.id IS 'Key';\nCOMMENT ON COLUMN prices.amount IS 'Gross amount in cents';",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for t in ctx.tables().filter(|t| t.partition_of.is_none()) {
        for c in t.columns.iter().filter(|c| c.comment.as_deref().is_none_or(|s| s.trim().is_empty())) {
            let message = format!("column {} has no comment", column_name(&t.name, &c.name));
            let id = ObjectId::Column(t.name.clone(), c.name.clone());
            sink.add("column", column_name(&t.name, &c.name), message, ctx.location(&id));
        }
    }
}
