//! mig_025: adding a serial column to an existing table.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_025",
    name: "Serial Column Added",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ADD COLUMN … serial` (or bigserial/smallserial, or an identity column) on an existing table.",
    why: "Every existing row needs its own `nextval()`: the table is rewritten under an ACCESS EXCLUSIVE lock, like any volatile default.",
    fix: "Add a nullable bigint column, attach the sequence as its default for new rows, backfill old rows in batches, then add NOT NULL via a validated CHECK.",
    bad: "ALTER TABLE events ADD COLUMN seq bigserial;",
    good: "ALTER TABLE events ADD COLUMN seq bigint;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((table, columns)) = ctx.added_columns() else { return };
    for cd in columns {
        let identity = tree::column_constraints(cd)
            .iter()
            .any(|c| tree::kind(c) == pg_query::protobuf::ConstrType::ConstrIdentity);
        if !tree::is_serial(cd) && !identity {
            continue;
        }
        let kind = if identity { "identity" } else { "serial" };
        let message =
            format!("adds {kind} column {table}.{}: rewrites {table} under an ACCESS EXCLUSIVE lock", cd.colname);
        ctx.flag_added_column(sink, &table, cd, message);
    }
}
