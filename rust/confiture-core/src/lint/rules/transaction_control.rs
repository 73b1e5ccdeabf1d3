//! mig_027: BEGIN, COMMIT or ROLLBACK inside a migration Confiture wraps in a transaction.

use pg_query::NodeEnum;
use pg_query::protobuf::TransactionStmtKind as K;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::StatementCtx;
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_027",
    name: "Transaction Control in a Migration",
    target: Target::Migration,
    severity: Severity::Error,
    default_enabled: true,
    summary: "`BEGIN`, `COMMIT`, `ROLLBACK` (or START TRANSACTION, END, ABORT) in a migration that runs in a transaction.",
    why: "Confiture runs the migration and records it in the tracking table in one transaction; a COMMIT in the file ends that transaction early, so a later failure leaves part of the migration applied and unrecorded, and a ROLLBACK discards it silently.",
    fix: "Remove the statement (the migration is already atomic), or use `-- confiture: no-transaction` and manage transactions yourself.",
    bad: "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;",
    good: "ALTER TABLE orders ADD COLUMN note text;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::TransactionStmt(t)) = ctx.node() else { return };
    if !ctx.transactional {
        return;
    }
    let what = match K::try_from(t.kind) {
        Ok(K::TransStmtBegin | K::TransStmtStart) => "BEGIN",
        Ok(K::TransStmtCommit) => "COMMIT",
        Ok(K::TransStmtRollback) => "ROLLBACK",
        Ok(K::TransStmtPrepare) => "PREPARE TRANSACTION",
        _ => return,
    };
    let message = format!("{what} inside a migration that Confiture already runs in a transaction");
    sink.add("statement", what, message, Some(&ctx.location()));
}
