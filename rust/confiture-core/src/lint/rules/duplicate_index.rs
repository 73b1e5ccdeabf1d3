//! idx_001: indexes identical to another index or constraint of the same table.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{Key, SchemaCtx};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "idx_001",
    name: "Duplicate Index",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Indexes with the same columns, method, predicate and options as another index or a PRIMARY KEY/UNIQUE constraint of the table.",
    why: "Every write maintains both copies and both take disk and cache; the planner uses one of them.",
    fix: "Drop the duplicate (`DROP INDEX CONCURRENTLY …`), keeping the one a constraint owns.",
    bad: "CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);\nCREATE UNIQUE INDEX users_email_uidx ON users (email);",
    good: "CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);\nCREATE INDEX users_lower_email_idx ON users (lower(email));",
    check: Check::Schema(check),
};

fn same(a: &Key, b: &Key) -> bool {
    a.columns == b.columns
        && !a.columns.iter().any(Option::is_none)
        && a.method == b.method
        && a.predicate == b.predicate
        && a.include == b.include
        && (a.shape == b.shape || a.kind == "constraint" || b.kind == "constraint")
}

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for (table, keys) in &ctx.keys {
        if ctx.config.exclude_tables.matches_table(table) {
            continue;
        }
        for (i, k) in keys.iter().enumerate().filter(|(_, k)| k.kind == "index") {
            // The first of a set of equal keys is kept: constraints before indexes, then by name.
            let Some(original) = keys.iter().enumerate().find(|(j, o)| {
                *j != i && same(k, o) && (o.kind == "constraint" || (o.name.as_str(), *j) < (k.name.as_str(), i))
            }) else {
                continue;
            };
            let (_, o) = original;
            let message = format!(
                "index {} on {table} ({}) duplicates {} {}",
                k.name,
                k.columns.iter().flatten().cloned().collect::<Vec<_>>().join(", "),
                o.kind,
                o.name
            );
            let object = crate::schema::QualifiedName::new(table.schema.clone(), k.name.clone()).to_string();
            sink.add("index", object, message, ctx.location(&k.id));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::schema_findings;

    #[test]
    fn duplicates_of_constraints_and_of_each_other() {
        let sql = "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n\
                   CREATE INDEX t_id ON t (id);\n\
                   CREATE INDEX t_a1 ON t (a);\nCREATE INDEX t_a2 ON t (a);\n\
                   CREATE INDEX t_ab ON t (a, b);\nCREATE INDEX t_ba ON t (b, a);\n\
                   CREATE INDEX t_a_desc ON t (a DESC);\nCREATE INDEX t_a_part ON t (a) WHERE b > 0;";
        assert_eq!(
            schema_findings(sql, "idx_001"),
            [
                "t_id: index t_id on t (id) duplicates constraint t_pkey",
                "t_a2: index t_a2 on t (a) duplicates index t_a1"
            ]
        );
    }
}
