//! mig_005: dropping an index without CONCURRENTLY.

use pg_query::NodeEnum;
use pg_query::protobuf::ObjectType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::StatementCtx;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::schema::QualifiedName;
use crate::sql::effects::qualified_name;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_005",
    name: "Index Dropped Without CONCURRENTLY",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`DROP INDEX` without CONCURRENTLY (indexes created earlier in the linted migrations are exempt).",
    why: "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: it waits for every running query on the table, and every query that arrives meanwhile queues behind it.",
    fix: "Use `DROP INDEX CONCURRENTLY` in a migration that starts with `-- confiture: no-transaction`.",
    bad: "DROP INDEX orders_status_idx;",
    good: "-- confiture: no-transaction\nDROP INDEX CONCURRENTLY orders_status_idx;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::DropStmt(d)) = ctx.node() else { return };
    if d.remove_type != ObjectType::ObjectIndex as i32 || d.concurrent {
        return;
    }
    for rel in d.objects.iter().filter_map(qualified_name) {
        let schema = rel.schema.clone().unwrap_or_else(|| ctx.facts.search_path.first().cloned().unwrap_or_default());
        if ctx.facts.created_indexes.contains(&QualifiedName::new(schema, rel.name.clone())) {
            continue;
        }
        let message =
            format!("drops index {} without CONCURRENTLY: takes an ACCESS EXCLUSIVE lock on its table", rel.display());
        sink.add("index", rel.display(), message, Some(&ctx.location()));
    }
}
