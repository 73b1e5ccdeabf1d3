//! mig_016: long table scans or rewrites under a blocking lock without a `statement_timeout`.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::StatementCtx;
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_016",
    name: "Missing statement_timeout",
    target: Target::Migration,
    severity: Severity::Info,
    default_enabled: true,
    summary: "The first statement of a migration that scans or rewrites an existing table while blocking writes, when no `SET statement_timeout` ran before it in the file.",
    why: "How long the table stays blocked depends on its size in production, not on the development database; a statement_timeout bounds the outage to a budget you choose and rolls the migration back when it is exceeded.",
    fix: "Set `SET statement_timeout = '…';` to what the table may stay blocked for, or rewrite the step so it does not block (NOT VALID + VALIDATE, CONCURRENTLY, batched backfills).",
    bad: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);",
    good: "SET statement_timeout = '30s';\nALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);",
    check: Check::Statement(check),
};

fn heavy(ctx: &StatementCtx<'_>, i: usize) -> bool {
    let e = &ctx.stmts[i].effects;
    (e.rewrites || e.scans) && !ctx.disruptive_locks(i).is_empty()
}

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    if ctx.facts.statement_timeout || !heavy(ctx, ctx.index) || (0..ctx.index).any(|i| heavy(ctx, i)) {
        return;
    }
    let e = &ctx.stmt().effects;
    let Some((table, _)) = ctx.disruptive_locks(ctx.index).into_iter().max_by_key(|(_, m)| *m) else { return };
    let what = if e.rewrites { "rewrites" } else { "scans" };
    let message = format!("{what} {table} while writes wait, with no statement_timeout to bound it");
    sink.add("statement", table.to_string(), message, Some(&ctx.location()));
}
