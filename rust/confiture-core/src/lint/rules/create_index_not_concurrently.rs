//! mig_004: building an index on an existing table without CONCURRENTLY.

use pg_query::NodeEnum;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_004",
    name: "Index Created Without CONCURRENTLY",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`CREATE INDEX` without CONCURRENTLY on a table that already exists.",
    why: "A plain CREATE INDEX holds a SHARE lock for the whole build: reads go on, but every INSERT, UPDATE and DELETE on the table waits until the index is built (minutes on a large table).",
    fix: "Use `CREATE INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE: writes continue) in a migration of its own that starts with `-- confiture: no-transaction`; check for an INVALID index if it fails.",
    bad: "CREATE INDEX orders_created_at_idx ON orders (created_at);",
    good: "-- confiture: no-transaction\nCREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::IndexStmt(i)) = ctx.node() else { return };
    if i.concurrent {
        return;
    }
    let Some(rv) = i.relation.as_ref() else { return };
    let table = ctx.resolve(&tree::relation(rv));
    let name = if i.idxname.is_empty() { "an index".to_string() } else { format!("index {}", i.idxname) };
    let message = format!("builds {name} on {table} without CONCURRENTLY: writes to {table} wait until it is built");
    ctx.flag_table(
        sink,
        &table,
        "index",
        if i.idxname.is_empty() { table.to_string() } else { i.idxname.clone() },
        message,
        &ctx.location(),
    );
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::migration_findings;

    #[test]
    fn new_tables_are_exempt() {
        let f = migration_findings(
            "CREATE TABLE app_t (id int);\nCREATE INDEX ON app_t (id);\nCREATE UNIQUE INDEX u ON users (email);",
            "mig_004",
        );
        assert_eq!(f, ["u: builds index u on users without CONCURRENTLY: writes to users wait until it is built"]);
    }
}
