//! mig_009: adding a PRIMARY KEY, UNIQUE or EXCLUDE constraint that builds its index in place.

use pg_query::protobuf::{AlterTableType, ConstrType};

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_009",
    name: "Unique Constraint Without Prior Index",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ADD PRIMARY KEY`, `ADD UNIQUE` or `ADD EXCLUDE` (or an `ADD COLUMN … UNIQUE`) on an existing table, without `USING INDEX`.",
    why: "The constraint builds its index while holding an ACCESS EXCLUSIVE lock: nothing reads or writes the table until the build over every row is done.",
    fix: "`CREATE UNIQUE INDEX CONCURRENTLY` first (in a no-transaction migration), then `ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …` (instant).",
    bad: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    good: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_uidx;",
    check: Check::Statement(check),
};

fn label(k: ConstrType) -> Option<&'static str> {
    match k {
        ConstrType::ConstrPrimary => Some("PRIMARY KEY"),
        ConstrType::ConstrUnique => Some("UNIQUE"),
        ConstrType::ConstrExclusion => Some("EXCLUDE"),
        _ => None,
    }
}

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((rv, cmds)) = ctx.node().and_then(tree::alter_table) else { return };
    let table = ctx.resolve(&tree::relation(rv));
    for cmd in cmds {
        let constraints = match tree::subtype(cmd) {
            AlterTableType::AtAddConstraint => tree::constraint(cmd).into_iter().collect(),
            AlterTableType::AtAddColumn => tree::column_def(cmd).map(tree::column_constraints).unwrap_or_default(),
            _ => Vec::new(),
        };
        for c in constraints {
            let Some(what) = label(tree::kind(c)) else { continue };
            if !c.indexname.is_empty() {
                continue;
            }
            let message =
                format!("adds a {what} constraint to {table} that builds its index under an ACCESS EXCLUSIVE lock");
            let object = if c.conname.is_empty() { table.to_string() } else { format!("{table}.{}", c.conname) };
            ctx.flag_table(sink, &table, "constraint", object, message, &ctx.location_at(c.location));
        }
    }
}
