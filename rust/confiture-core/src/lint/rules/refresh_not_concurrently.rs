//! mig_023: REFRESH MATERIALIZED VIEW without CONCURRENTLY.

use pg_query::NodeEnum;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_023",
    name: "Materialized View Refreshed Without CONCURRENTLY",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`REFRESH MATERIALIZED VIEW` without CONCURRENTLY of an existing view.",
    why: "A plain refresh holds an ACCESS EXCLUSIVE lock for the whole recomputation: every query reading the view waits.",
    fix: "Give the view a unique index and use `REFRESH MATERIALIZED VIEW CONCURRENTLY` (readers continue; it takes an EXCLUSIVE lock that only blocks other refreshes and writes).",
    bad: "REFRESH MATERIALIZED VIEW daily_sales;",
    good: "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_sales;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::RefreshMatViewStmt(r)) = ctx.node() else { return };
    if r.concurrent || r.skip_data {
        return;
    }
    let Some(rv) = r.relation.as_ref() else { return };
    let view = ctx.resolve(&tree::relation(rv));
    let message = format!("refreshes {view} without CONCURRENTLY: reads of it wait for the whole refresh");
    ctx.flag_table(sink, &view, "materialized view", view.to_string(), message, &ctx.location());
}
