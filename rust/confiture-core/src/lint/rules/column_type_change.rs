//! mig_003: changing a column's type in a way that rewrites the table.

use pg_query::protobuf::AlterTableType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::schema::TypeRef;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_003",
    name: "Column Type Change",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ALTER TABLE … ALTER COLUMN … TYPE` on an existing table, unless the change is known to be binary compatible (varchar → text, a longer varchar, a wider numeric).",
    why: "A type change rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole rewrite, and code still expecting the old type breaks. The old type is known when the column was created by an earlier migration or the database is reachable.",
    fix: "Add a new column of the new type, write both in the application, backfill in batches, switch reads, then drop the old column (expand/contract).",
    bad: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);",
    good: "ALTER TABLE orders ADD COLUMN total_v2 numeric(14, 2);",
    check: Check::Statement(check),
};

fn numeric_modifiers(t: &TypeRef) -> Option<(i64, i64)> {
    match t.modifiers.as_slice() {
        [p, s] => Some((p.parse().ok()?, s.parse().ok()?)),
        _ => None,
    }
}

/// Whether PostgreSQL changes `old` to `new` without rewriting the table.
pub(crate) fn binary_compatible(old: &TypeRef, new: &TypeRef) -> bool {
    if old == new {
        return true;
    }
    if old.schema != "pg_catalog" || new.schema != "pg_catalog" || old.array != new.array {
        return false;
    }
    let len = |t: &TypeRef| t.modifiers.first().and_then(|m| m.parse::<i64>().ok());
    match (old.name.as_str(), new.name.as_str()) {
        ("varchar", "text") | ("text", "varchar") if new.modifiers.is_empty() => true,
        ("varchar", "text") => true,
        ("varchar", "varchar") => match (len(old), len(new)) {
            (_, None) => true,
            (Some(a), Some(b)) => b >= a,
            (None, Some(_)) => false,
        },
        ("numeric", "numeric") => match (numeric_modifiers(old), numeric_modifiers(new)) {
            (_, None) if new.modifiers.is_empty() => true,
            (Some((p1, s1)), Some((p2, s2))) => s1 == s2 && p2 >= p1,
            _ => false,
        },
        ("cidr", "inet") => true,
        _ => false,
    }
}

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((rv, cmds)) = ctx.node().and_then(tree::alter_table) else { return };
    let table = ctx.resolve(&tree::relation(rv));
    for cmd in cmds.into_iter().filter(|c| tree::subtype(c) == AlterTableType::AtAlterColumnType) {
        let Some(cd) = tree::column_def(cmd) else { continue };
        let new = crate::lint::migration::column_type(cd.type_name.as_ref(), &ctx.facts.search_path);
        let old = ctx.facts.column_type(ctx.db, &table, &cmd.name);
        let using = cd.raw_default.is_some();
        if let (Some(old), Some(new)) = (&old, &new)
            && !using
            && binary_compatible(old, new)
        {
            continue;
        }
        let from = old.as_ref().map_or(String::new(), |o| format!(" from {}", o.sql()));
        let to = new.as_ref().map_or(String::new(), |n| format!(" to {}", n.sql()));
        let message = format!(
            "changes the type of {table}.{}{from}{to}: rewrites {table} under an ACCESS EXCLUSIVE lock",
            cmd.name
        );
        ctx.flag_table(sink, &table, "column", format!("{table}.{}", cmd.name), message, &ctx.location());
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::migration_findings;

    #[test]
    fn known_old_types_allow_binary_compatible_changes() {
        let f = migration_findings(
            "ALTER TABLE old ALTER COLUMN a TYPE text;\n\
             CREATE TABLE t (a varchar(10), b varchar(10), c numeric(10,2), d int);\n\
             ALTER TABLE t ALTER COLUMN a TYPE text, ALTER COLUMN b TYPE varchar(20), ALTER COLUMN c TYPE numeric(12,2);\n\
             ALTER TABLE t ALTER COLUMN d TYPE bigint;",
            "mig_003",
        );
        // t is new (created above): its rewrite bothers nobody; `old` is assumed to exist.
        assert_eq!(f, ["old.a: changes the type of old.a to text: rewrites old under an ACCESS EXCLUSIVE lock"]);
    }

    #[test]
    fn compatibility() {
        use super::binary_compatible as bc;
        let t = |n: &str, m: &[&str]| crate::schema::TypeRef {
            schema: "pg_catalog".into(),
            name: n.into(),
            modifiers: m.iter().map(|s| s.to_string()).collect(),
            array: false,
        };
        assert!(bc(&t("varchar", &["10"]), &t("varchar", &["20"])));
        assert!(!bc(&t("varchar", &["20"]), &t("varchar", &["10"])));
        assert!(bc(&t("varchar", &["20"]), &t("text", &[])));
        assert!(bc(&t("numeric", &["10", "2"]), &t("numeric", &["12", "2"])));
        assert!(!bc(&t("numeric", &["10", "2"]), &t("numeric", &["12", "3"])));
        assert!(!bc(&t("int4", &[]), &t("int8", &[])));
    }
}
