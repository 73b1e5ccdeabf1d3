//! mig_015: taking locks that block traffic without a `lock_timeout`.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::StatementCtx;
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_015",
    name: "Missing lock_timeout",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "The first statement of a migration that takes a lock blocking writes (SHARE or stronger) on an existing table, when no `SET lock_timeout` ran before it in the file.",
    why: "A lock request waits behind every transaction already using the table — a long report, an idle-in-transaction session — and while it waits, every new query on the table queues behind it: a 1 ms ALTER becomes an outage. lock_timeout makes the migration fail fast instead (and it can be retried).",
    fix: "Start the migration with `SET lock_timeout = '5s';` (or `SET LOCAL` inside the transaction) and retry on failure.",
    bad: "ALTER TABLE orders ADD COLUMN note text;",
    good: "SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    if ctx.facts.lock_timeout {
        return;
    }
    let locks = ctx.disruptive_locks(ctx.index);
    let Some((table, mode)) = locks.iter().max_by_key(|(_, m)| *m) else { return };
    if (0..ctx.index).any(|i| !ctx.disruptive_locks(i).is_empty()) {
        return; // reported at the first such statement of the file
    }
    let message = format!(
        "takes {} lock on {table} with no lock_timeout: while it waits for running queries, every new query on {table} queues behind it",
        mode.with_article()
    );
    sink.add("statement", table.to_string(), message, Some(&ctx.location()));
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::migration_findings;

    #[test]
    fn once_per_file_and_not_after_set() {
        let sql = "CREATE TABLE n (id int);\nCREATE INDEX ON n (id);\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;";
        let f = migration_findings(sql, "mig_015");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].starts_with("a: takes an ACCESS EXCLUSIVE lock on a"), "{f:?}");
        assert!(
            migration_findings("SET LOCAL lock_timeout TO '2s';\nALTER TABLE a ADD COLUMN x int;", "mig_015")
                .is_empty()
        );
        assert_eq!(migration_findings("SET lock_timeout = 0;\nALTER TABLE a ADD COLUMN x int;", "mig_015").len(), 1);
        assert!(
            migration_findings("CREATE INDEX CONCURRENTLY i ON a (x);", "mig_015").is_empty(),
            "does not block writes"
        );
    }
}
