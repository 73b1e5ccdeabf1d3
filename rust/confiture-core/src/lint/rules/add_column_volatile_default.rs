//! mig_002: adding a column whose default is computed per row.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::sql::effects::is_volatile_default;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_002",
    name: "Column With Volatile Default",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ADD COLUMN … DEFAULT f()` where the default is evaluated per row (`gen_random_uuid()`, `random()`, `clock_timestamp()`, …) on an existing table.",
    why: "A constant default is stored once in the catalog (instant); a volatile one must be computed for every row, so PostgreSQL rewrites the whole table and its indexes while holding an ACCESS EXCLUSIVE lock that blocks reads and writes.",
    fix: "Add the column without a default (or with a constant one), set the volatile default with ALTER COLUMN … SET DEFAULT (new rows only), and backfill existing rows in batches.",
    bad: "ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();",
    good: "ALTER TABLE orders ADD COLUMN public_id uuid;\nALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((table, columns)) = ctx.added_columns() else { return };
    for cd in columns {
        if tree::is_serial(cd) {
            continue; // mig_025 says it better
        }
        let Some(default) = tree::column_default(cd) else { continue };
        if !is_volatile_default(default) {
            continue;
        }
        let message = format!(
            "adds column {table}.{} with a volatile default: rewrites {table} under an ACCESS EXCLUSIVE lock",
            cd.colname
        );
        ctx.flag_added_column(sink, &table, cd, message);
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::migration_findings;

    #[test]
    fn stable_defaults_are_fine() {
        let f = migration_findings(
            "ALTER TABLE t ADD COLUMN a timestamptz DEFAULT now(), ADD COLUMN b int DEFAULT 1, \
             ADD COLUMN c timestamptz DEFAULT clock_timestamp(), ADD COLUMN d text DEFAULT md5(random()::text);",
            "mig_002",
        );
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].starts_with("t.c: adds column t.c with a volatile default"));
        assert!(f[1].starts_with("t.d:"));
    }
}
