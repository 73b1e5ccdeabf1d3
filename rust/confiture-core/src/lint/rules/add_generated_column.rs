//! mig_020: adding a stored generated column to an existing table.

use pg_query::protobuf::ConstrType;

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
    let Some((table, columns)) = ctx.added_columns() else { return };
    for cd in columns {
        if !tree::column_constraints(cd).iter().any(|c| tree::kind(c) == ConstrType::ConstrGenerated) {
            continue;
        }
        let message = format!(
            "adds stored generated column {table}.{}: rewrites {table} under an ACCESS EXCLUSIVE lock",
            cd.colname
        );
        ctx.flag_added_column(sink, &table, cd, message);
    }
}
