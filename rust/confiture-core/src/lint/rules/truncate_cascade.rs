//! mig_014: TRUNCATE … CASCADE.

use pg_query::NodeEnum;
use pg_query::protobuf::DropBehavior;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_014",
    name: "TRUNCATE CASCADE",
    target: Target::Migration,
    severity: Severity::Error,
    default_enabled: true,
    summary: "`TRUNCATE … CASCADE`.",
    why: "CASCADE also empties every table that references the truncated ones, recursively — tables the statement does not name — under ACCESS EXCLUSIVE locks.",
    fix: "Name every table to empty explicitly (TRUNCATE a, b, c), or delete the rows you mean with DELETE … WHERE.",
    bad: "TRUNCATE sessions CASCADE;",
    good: "TRUNCATE sessions, session_events;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::TruncateStmt(t)) = ctx.node() else { return };
    if t.behavior != DropBehavior::DropCascade as i32 {
        return;
    }
    let names: Vec<String> = t
        .relations
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(NodeEnum::RangeVar(rv)) => Some(ctx.resolve(&tree::relation(rv)).to_string()),
            _ => None,
        })
        .collect();
    let message = format!("truncates {} and, through CASCADE, every table referencing them", names.join(", "));
    sink.add("statement", names.join(", "), message, Some(&ctx.location()));
}
