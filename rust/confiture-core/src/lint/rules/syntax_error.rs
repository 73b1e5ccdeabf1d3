//! sql_001: statements PostgreSQL's parser rejects.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::StatementCtx;
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "sql_001",
    name: "Syntax Error",
    target: Target::Migration,
    severity: Severity::Error,
    default_enabled: true,
    summary: "Statements of a migration that PostgreSQL's own parser (pg_query) rejects, and files that cannot be split into statements (an unterminated quote or comment).",
    why: "The migration fails when it runs; the other rules cannot see what the statement was meant to do.",
    fix: "Fix the statement: the message is PostgreSQL's, with the position it stopped at.",
    bad: "ALTER TABLE orders ADD COLUMN;",
    good: "ALTER TABLE orders ADD COLUMN note text;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(error) = &ctx.stmt().error else { return };
    sink.add(
        "statement",
        ctx.file.to_string(),
        format!("PostgreSQL cannot parse this statement: {error}"),
        Some(&ctx.location()),
    );
}
