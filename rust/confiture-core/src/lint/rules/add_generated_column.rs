//! mig_020: adding a stored generated column to an existing table.

use pg_query::protobuf::{AlterTableType, ConstrType};

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_020",
    name: "Stored Generated Column Added",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ADD COLUMN … GENERATED ALWAYS AS (…) STORED` on an existing table.",
    why: "The value must be computed and stored for every existing row: the table is rewritten under an ACCESS EXCLUSIVE lock.",
    fix: "Add a plain column, fill it in batches and keep it current with a trigger; or compute the value in a view.",
    bad: "ALTER TABLE people ADD COLUMN full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED;",
    good: "ALTER TABLE people ADD COLUMN full_name text;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((rv, cmds)) = ctx.node().and_then(tree::alter_table) else { return };
    let table = ctx.resolve(&tree::relation(rv));
    for cmd in cmds.into_iter().filter(|c| tree::subtype(c) == AlterTableType::AtAddColumn) {
        let Some(cd) = tree::column_def(cmd) else { continue };
        if !tree::column_constraints(cd).iter().any(|c| tree::kind(c) == ConstrType::ConstrGenerated) {
            continue;
        }
        let message = format!(
            "adds stored generated column {table}.{}: rewrites {table} under an ACCESS EXCLUSIVE lock",
            cd.colname
        );
        ctx.flag_table(
            sink,
            &table,
            "column",
            format!("{table}.{}", cd.colname),
            message,
            &ctx.location_at(cd.location),
        );
    }
}
