//! mig_001: adding a NOT NULL column without a default to a table that exists.

use pg_query::protobuf::{AlterTableType, ConstrType};

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, TableState, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_001",
    name: "NOT NULL Column Without Default",
    target: Target::Migration,
    severity: Severity::Error,
    default_enabled: true,
    summary: "`ALTER TABLE … ADD COLUMN … NOT NULL` without a DEFAULT on a table that already exists.",
    why: "Existing rows would get NULL in the new column, so PostgreSQL rejects the statement as soon as the table has a row: the migration works on an empty development database and fails in production.",
    fix: "Add the column with a constant DEFAULT (instant since PostgreSQL 11, no rewrite), or add it nullable, backfill in batches, then SET NOT NULL after a validated CHECK.",
    bad: "ALTER TABLE users ADD COLUMN plan text NOT NULL;",
    good: "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((rv, cmds)) = ctx.node().and_then(tree::alter_table) else { return };
    let table = ctx.resolve(&tree::relation(rv));
    let size = match ctx.table_state(&table) {
        TableState::New => return,
        TableState::Existing(size) => format!(" ({})", size.describe()),
        TableState::Assumed => String::new(),
    };
    for cmd in cmds.into_iter().filter(|c| tree::subtype(c) == AlterTableType::AtAddColumn) {
        let Some(cd) = tree::column_def(cmd) else { continue };
        let cons = tree::column_constraints(cd);
        let has = |k: ConstrType| cons.iter().any(|c| tree::kind(c) == k);
        let not_null = cd.is_not_null || has(ConstrType::ConstrNotnull) || has(ConstrType::ConstrPrimary);
        let filled = tree::column_default(cd).is_some()
            || has(ConstrType::ConstrIdentity)
            || has(ConstrType::ConstrGenerated)
            || tree::is_serial(cd);
        if not_null && !filled {
            let message = format!(
                "adds NOT NULL column {}.{} without a default: fails as soon as {table} has a row{size}",
                table, cd.colname
            );
            sink.add("column", format!("{table}.{}", cd.colname), message, Some(&ctx.location_at(cd.location)));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::migration_findings;

    #[test]
    fn new_tables_defaults_and_identities() {
        let f = migration_findings(
            "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int NOT NULL;\n\
             ALTER TABLE users ADD COLUMN b int NOT NULL, ADD COLUMN c int NOT NULL DEFAULT 0, \
             ADD COLUMN d bigint GENERATED ALWAYS AS IDENTITY, ADD COLUMN e bigserial, ADD COLUMN f int PRIMARY KEY;",
            "mig_001",
        );
        assert_eq!(
            f,
            [
                "users.b: adds NOT NULL column users.b without a default: fails as soon as users has a row",
                "users.f: adds NOT NULL column users.f without a default: fails as soon as users has a row"
            ]
        );
    }
}
