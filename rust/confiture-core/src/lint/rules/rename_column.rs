//! mig_012: renaming a column of an existing table.

use pg_query::NodeEnum;
use pg_query::protobuf::ObjectType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, TableState, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_012",
    name: "Column Renamed",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ALTER TABLE … RENAME COLUMN` on an existing table.",
    why: "The rename is instant, but every query, view definition in application code and ORM mapping that uses the old name breaks the moment it commits, while old code is still running.",
    fix: "Add the new column and write both (or expose the new name through a view), move the code over, then drop the old column.",
    bad: "ALTER TABLE users RENAME COLUMN mail TO email;",
    good: "ALTER TABLE users ADD COLUMN email text;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::RenameStmt(r)) = ctx.node() else { return };
    if r.rename_type != ObjectType::ObjectColumn as i32 {
        return;
    }
    let Some(rv) = r.relation.as_ref() else { return };
    let table = ctx.resolve(&tree::relation(rv));
    if ctx.table_state(&table) == TableState::New {
        return;
    }
    let message = format!("renames column {table}.{} to {}: code using the old name breaks", r.subname, r.newname);
    sink.add("column", format!("{table}.{}", r.subname), message, Some(&ctx.location()));
}
