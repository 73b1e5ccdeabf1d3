//! fk_002: foreign key columns that accept NULL.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, column_name};
use crate::schema::{ConstraintKind, ObjectId};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "fk_002",
    name: "Nullable Foreign Key Column",
    target: Target::Schema,
    severity: Severity::Info,
    default_enabled: true,
    summary: "Foreign key columns without NOT NULL.",
    why: "A NULL in a foreign key column is never checked: the row references nothing. That is right for optional relationships and a bug for mandatory ones (with MATCH SIMPLE, one NULL in a multi-column key disables the whole check).",
    fix: "Add NOT NULL when the relationship is mandatory; for optional ones, suppress the finding (`-- confiture-lint: ignore fk_002`).",
    bad: "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);",
    good: "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for t in ctx.tables() {
        for c in t.constraints.values() {
            let ConstraintKind::ForeignKey { columns, references, .. } = &c.kind else { continue };
            for col in columns {
                let Some(column) = t.column(col) else { continue };
                if column.not_null {
                    continue;
                }
                let message = format!("column {} references {references} but accepts NULL", column_name(&t.name, col));
                let id = ObjectId::Column(t.name.clone(), col.clone());
                sink.add("column", column_name(&t.name, col), message, ctx.location(&id));
            }
        }
    }
}
