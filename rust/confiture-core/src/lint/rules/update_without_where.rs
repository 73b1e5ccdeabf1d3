//! mig_022: UPDATE or DELETE of every row of an existing table.

use pg_query::NodeEnum;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_022",
    name: "UPDATE or DELETE Without WHERE",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`UPDATE` or `DELETE` without a WHERE clause on an existing table.",
    why: "The statement touches every row in one transaction: it locks them all, writes a new version of each (bloat, WAL, replication lag), and blocks concurrent updates until the migration commits.",
    fix: "Backfill in batches outside the schema migration (`UPDATE … WHERE id BETWEEN …` in a loop), or add the WHERE clause you meant.",
    bad: "UPDATE users SET plan = 'free';",
    good: "UPDATE users SET plan = 'free' WHERE plan IS NULL AND id BETWEEN 1 AND 10000;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let (rv, what) = match ctx.node() {
        Some(NodeEnum::UpdateStmt(u)) if u.where_clause.is_none() => (u.relation.as_ref(), "UPDATE"),
        Some(NodeEnum::DeleteStmt(d)) if d.where_clause.is_none() => (d.relation.as_ref(), "DELETE"),
        _ => return,
    };
    let Some(rv) = rv else { return };
    let table = ctx.resolve(&tree::relation(rv));
    let message = format!("{what} without WHERE changes every row of {table} in one transaction");
    ctx.flag_table(sink, &table, "table", table.to_string(), message, &ctx.location());
}
