//! mig_013: renaming an existing table.

use pg_query::NodeEnum;
use pg_query::protobuf::ObjectType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, TableState, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_013",
    name: "Table Renamed",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ALTER TABLE … RENAME TO` of an existing table.",
    why: "Every query using the old name fails as soon as the rename commits, while the previous release of the application is still running; the ACCESS EXCLUSIVE lock also queues behind running queries.",
    fix: "Rename, then create a view with the old name (simple views are updatable) until no code uses it; drop the view later.",
    bad: "ALTER TABLE customer RENAME TO customers;",
    good: "ALTER TABLE customer RENAME TO customers; -- confiture-lint: ignore mig_013\nCREATE VIEW customer AS SELECT * FROM customers;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::RenameStmt(r)) = ctx.node() else { return };
    if r.rename_type != ObjectType::ObjectTable as i32 {
        return;
    }
    let Some(rv) = r.relation.as_ref() else { return };
    let table = ctx.resolve(&tree::relation(rv));
    if ctx.table_state(&table) == TableState::New {
        return;
    }
    let message = format!("renames table {table} to {}: code using the old name breaks", r.newname);
    sink.add("table", table.to_string(), message, Some(&ctx.location()));
}
