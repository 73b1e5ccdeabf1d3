//! mig_017: statements PostgreSQL refuses inside a transaction block.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::StatementCtx;
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_017",
    name: "Concurrent Operation Inside a Transaction",
    target: Target::Migration,
    severity: Severity::Error,
    default_enabled: true,
    summary: "`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`, `VACUUM` (and other statements that cannot run in a transaction block) in a migration that runs in a transaction.",
    why: "Confiture runs each migration in a transaction unless its first line is `-- confiture: no-transaction`; PostgreSQL rejects these statements there (`cannot run inside a transaction block`), so the migration fails on every database.",
    fix: "Move the statement to a migration of its own whose first line is `-- confiture: no-transaction`.",
    bad: "CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);",
    good: "-- confiture: no-transaction\nCREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let s = ctx.stmt();
    if s.node.is_none() || s.effects.transactional || !s.in_transaction {
        return;
    }
    let why = if ctx.transactional {
        "the migration runs in a transaction (add `-- confiture: no-transaction` as its first line)"
    } else {
        "it follows an explicit BEGIN"
    };
    let message = format!("{} cannot run inside a transaction block: {why}", s.effects.operation);
    sink.add("statement", s.effects.operation.clone(), message, Some(&ctx.location()));
}
