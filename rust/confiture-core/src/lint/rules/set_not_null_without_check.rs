//! mig_008: SET NOT NULL without a validated CHECK (col IS NOT NULL) to prove it.

use pg_query::protobuf::AlterTableType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_008",
    name: "SET NOT NULL Without Validated CHECK",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ALTER COLUMN … SET NOT NULL` on an existing table with no validated `CHECK (col IS NOT NULL)` before it (in the linted migrations or, when reachable, the database).",
    why: "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock to prove there is no NULL. Since PostgreSQL 12 a validated CHECK (col IS NOT NULL) is accepted as proof and the scan is skipped.",
    fix: "Add `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT` it (writes continue), then SET NOT NULL (instant) and drop the CHECK.",
    bad: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    good: "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((rv, cmds)) = ctx.node().and_then(tree::alter_table) else { return };
    let table = ctx.resolve(&tree::relation(rv));
    let old_server = ctx.server_major().is_some_and(|v| v < 12);
    for cmd in cmds.into_iter().filter(|c| tree::subtype(c) == AlterTableType::AtSetNotNull) {
        if !old_server && ctx.facts.has_not_null_check(ctx.db, &table, &cmd.name) {
            continue;
        }
        let message = if old_server {
            format!(
                "sets {table}.{} NOT NULL: PostgreSQL before 12 scans the table under an ACCESS EXCLUSIVE lock",
                cmd.name
            )
        } else {
            format!(
                "sets {table}.{} NOT NULL with no validated CHECK ({} IS NOT NULL): scans the table under an ACCESS EXCLUSIVE lock",
                cmd.name, cmd.name
            )
        };
        ctx.flag_table(sink, &table, "column", format!("{table}.{}", cmd.name), message, &ctx.location());
    }
}
