//! mig_010: dropping a column of an existing table.

use pg_query::protobuf::AlterTableType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, TableState, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_010",
    name: "Column Dropped",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ALTER TABLE … DROP COLUMN` on an existing table.",
    why: "The data is gone for good, and application code still selecting or inserting the column fails the moment the migration commits (deployments run old and new code side by side). The ACCESS EXCLUSIVE lock itself is brief.",
    fix: "Stop using the column in the code and deploy that first; drop it in a later migration (expand/contract), after a backup if the data may be needed.",
    bad: "ALTER TABLE users DROP COLUMN legacy_name;",
    good: "-- the code stopped reading legacy_name in release 4.2\nALTER TABLE users DROP COLUMN legacy_name; -- confiture-lint: ignore mig_010",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((rv, cmds)) = ctx.node().and_then(tree::alter_table) else { return };
    let table = ctx.resolve(&tree::relation(rv));
    if ctx.table_state(&table) == TableState::New {
        return;
    }
    for cmd in cmds.into_iter().filter(|c| tree::subtype(c) == AlterTableType::AtDropColumn) {
        let message = format!("drops column {table}.{} and its data; code still using it breaks", cmd.name);
        sink.add("column", format!("{table}.{}", cmd.name), message, Some(&ctx.location()));
    }
}
