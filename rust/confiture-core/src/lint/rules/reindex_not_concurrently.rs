//! mig_026: REINDEX without CONCURRENTLY.

use pg_query::NodeEnum;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_026",
    name: "REINDEX Without CONCURRENTLY",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`REINDEX` without CONCURRENTLY.",
    why: "A plain REINDEX blocks writes to the table (and reads that would use the index) until every index is rebuilt.",
    fix: "Use `REINDEX … CONCURRENTLY` (PostgreSQL 12+) in a migration that starts with `-- confiture: no-transaction`.",
    bad: "REINDEX TABLE orders;",
    good: "-- confiture: no-transaction\nREINDEX TABLE CONCURRENTLY orders;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::ReindexStmt(r)) = ctx.node() else { return };
    if r.params.iter().any(|p| matches!(p.node.as_ref(), Some(NodeEnum::DefElem(d)) if d.defname == "concurrently")) {
        return;
    }
    match r.relation.as_ref() {
        Some(rv) => {
            let table = ctx.resolve(&tree::relation(rv));
            let message = format!("REINDEX of {table} without CONCURRENTLY blocks writes until it finishes");
            ctx.flag_table(sink, &table, "table", table.to_string(), message, &ctx.location());
        }
        None => {
            let message = format!("REINDEX {} without CONCURRENTLY blocks writes to every table it covers", r.name);
            sink.add("statement", r.name.clone(), message, Some(&ctx.location()));
        }
    }
}
