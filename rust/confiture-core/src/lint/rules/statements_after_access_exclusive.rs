//! mig_019: an ACCESS EXCLUSIVE lock held while more statements of the transaction run.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::sql::effects::LockMode;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_019",
    name: "Statements After ACCESS EXCLUSIVE Lock",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A statement that takes an ACCESS EXCLUSIVE lock on an existing table, followed by other statements in the same transaction (reported once per transaction).",
    why: "Locks are held until the transaction ends: every statement after the first ACCESS EXCLUSIVE one — a backfill, an index build, a lock on another table — runs while nobody can read or write the locked table.",
    fix: "Put the ACCESS EXCLUSIVE statement last, in a migration of its own, or combine the ALTER TABLE actions into one statement.",
    bad: "ALTER TABLE orders ADD COLUMN note text;\nUPDATE settings SET value = 'on' WHERE key = 'notes';",
    good: "UPDATE settings SET value = 'on' WHERE key = 'notes';\nALTER TABLE orders ADD COLUMN note text;",
    check: Check::Statement(check),
};

fn exclusive(ctx: &StatementCtx<'_>, i: usize) -> Option<crate::schema::QualifiedName> {
    if !ctx.stmts[i].in_transaction {
        return None;
    }
    ctx.disruptive_locks(i).into_iter().find(|(_, m)| *m == LockMode::AccessExclusive).map(|(t, _)| t)
}

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(table) = exclusive(ctx, ctx.index) else { return };
    let tx = ctx.stmt().transaction;
    if (0..ctx.index).any(|i| ctx.stmts[i].transaction == tx && exclusive(ctx, i).is_some()) {
        return;
    }
    let after = ctx
        .rest_of_transaction()
        .iter()
        .filter(|s| !tree::is_setting(s.node.as_ref()) && !tree::is_transaction_control(s.node.as_ref()))
        .count();
    if after == 0 {
        return;
    }
    let message = format!(
        "takes an ACCESS EXCLUSIVE lock on {table} and holds it while {after} more statement{} of the transaction run{}",
        if after == 1 { "" } else { "s" },
        if after == 1 { "s" } else { "" }
    );
    ctx.flag_table(sink, &table, "statement", table.to_string(), message, &ctx.location());
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::migration_findings;

    #[test]
    fn once_per_transaction_and_only_with_followers() {
        let f = migration_findings(
            "SET lock_timeout = '1s';\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\nCREATE INDEX ON c (z);",
            "mig_019",
        );
        assert_eq!(
            f,
            ["a: takes an ACCESS EXCLUSIVE lock on a and holds it while 2 more statements of the transaction run"]
        );
        assert!(migration_findings("ALTER TABLE a ADD COLUMN x int;\nRESET lock_timeout;", "mig_019").is_empty());
        assert!(
            migration_findings("CREATE TABLE n (id int);\nALTER TABLE n ADD COLUMN x int;\nSELECT 1;", "mig_019")
                .is_empty()
        );
    }
}
