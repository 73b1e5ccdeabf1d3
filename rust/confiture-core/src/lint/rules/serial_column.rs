//! type_003: `serial` columns (an integer, a sequence and a default) instead of identity columns.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, column_name};
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "type_003",
    name: "Serial Instead of Identity",
    target: Target::Schema,
    severity: Severity::Info,
    default_enabled: true,
    summary: "Columns declared `serial`/`bigserial`/`smallserial` (a default of `nextval()` on a sequence the column owns).",
    why: "A serial is three objects glued together: its sequence needs its own grants, survives in odd states when the table is copied (CREATE TABLE … LIKE), and anyone may write the column directly. Identity columns are the SQL-standard replacement.",
    fix: "Declare `bigint GENERATED ALWAYS AS IDENTITY` (or BY DEFAULT when rows are inserted with explicit ids).",
    bad: "CREATE TABLE tickets (id bigserial PRIMARY KEY);",
    good: "CREATE TABLE tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for seq in ctx.catalog.sequences.values() {
        let Some((table, column)) = &seq.owned_by else { continue };
        if ctx.config.exclude_tables.matches_table(table) {
            continue;
        }
        let Some(c) = ctx.catalog.tables.get(table).and_then(|t| t.column(column)) else { continue };
        let uses_it = c.identity.is_none()
            && c.default.as_ref().is_some_and(|d| d.refs.functions.iter().any(|f| f.name == "nextval"));
        if !uses_it {
            continue;
        }
        let message =
            format!("column {} takes its values from sequence {} (serial)", column_name(table, column), seq.name);
        let id = ObjectId::Column(table.clone(), column.clone());
        sink.add("column", column_name(table, column), message, ctx.location(&id));
    }
}
