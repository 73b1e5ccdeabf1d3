//! mig_028: several statements in a migration that runs outside a transaction.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_028",
    name: "Several Statements Without a Transaction",
    target: Target::Migration,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A `-- confiture: no-transaction` migration with more than one statement outside an explicit transaction (settings such as SET lock_timeout do not count).",
    why: "Without a transaction, a failure half-way leaves the earlier statements applied and the migration unrecorded: re-running it fails on what already exists.",
    fix: "Keep one statement per no-transaction migration, or make each step idempotent (IF NOT EXISTS / IF EXISTS).",
    bad: "-- confiture: no-transaction\nCREATE INDEX CONCURRENTLY a_x_idx ON a (x);\nCREATE INDEX CONCURRENTLY b_y_idx ON b (y);",
    good: "-- confiture: no-transaction\nSET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_x_idx ON a (x);",
    check: Check::Statement(check),
};

fn counts(s: &crate::lint::migration::Stmt) -> bool {
    !s.in_transaction && !tree::is_setting(s.node.as_ref()) && !tree::is_transaction_control(s.node.as_ref())
}

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    if ctx.transactional || !counts(ctx.stmt()) {
        return;
    }
    let before = ctx.stmts[..ctx.index].iter().filter(|s| counts(s)).count();
    if before != 1 {
        return;
    }
    let total = ctx.stmts.iter().filter(|s| counts(s)).count();
    let message = format!("{total} statements run outside a transaction: a failure after the first leaves it applied");
    sink.add("statement", ctx.file.to_string(), message, Some(&ctx.location()));
}
