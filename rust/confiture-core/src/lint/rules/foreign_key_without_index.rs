//! fk_001: foreign keys whose columns no index starts with.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{Key, SchemaCtx};
use crate::schema::{ConstraintKind, ObjectId};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "fk_001",
    name: "Foreign Key Without Index",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Foreign keys whose columns are not the leading columns of an index (or of the primary key / a unique constraint).",
    why: "Deleting or updating a referenced row makes PostgreSQL look up referencing rows: without an index that is a sequential scan of the referencing table for every row, under locks; joins on the key are slow too.",
    fix: "Create an index that starts with the foreign key's columns (`CREATE INDEX CONCURRENTLY … ON table (fk_column)` on a live database).",
    bad: "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);",
    good: "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\nCREATE INDEX orders_user_id_idx ON orders (user_id);",
    check: Check::Schema(check),
};

/// Whether `key` can serve lookups on `columns`: they are its leading columns, in any order.
pub(crate) fn covers(key: &Key, columns: &[String]) -> bool {
    key.predicate.is_empty()
        && matches!(key.method.as_str(), "btree" | "hash" | "gist" | "gin" | "brin" | "spgist")
        && key.columns.len() >= columns.len()
        && columns.iter().all(|c| key.columns[..columns.len()].iter().any(|k| k.as_deref() == Some(c)))
}

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for t in ctx.tables() {
        for c in t.constraints.values() {
            let ConstraintKind::ForeignKey { columns, references, .. } = &c.kind else { continue };
            if ctx.keys_of(&t.name).iter().any(|k| covers(k, columns)) {
                continue;
            }
            let message = format!(
                "foreign key {} on {} ({}) → {references} has no index on {}",
                c.name,
                t.name,
                columns.join(", "),
                if columns.len() == 1 { "that column" } else { "those columns" }
            );
            let id = ObjectId::Constraint(t.name.clone(), c.name.clone());
            let fix = format!(
                "CREATE INDEX CONCURRENTLY ON {} ({});",
                t.name.sql(),
                columns.iter().map(|c| crate::sql::quote_ident(c)).collect::<Vec<_>>().join(", ")
            );
            sink.add("constraint", format!("{}.{}", t.name, c.name), message, ctx.location(&id)).suggested_fix =
                Some(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{schema_findings, schema_report};

    #[test]
    fn leading_columns_of_any_key() {
        let sql = "CREATE TABLE p (a int, b int, PRIMARY KEY (a, b));\n\
                   CREATE TABLE c1 (a int, b int, FOREIGN KEY (a, b) REFERENCES p);\n\
                   CREATE TABLE c2 (a int, b int, x int, FOREIGN KEY (b, a) REFERENCES p (a, b));\n\
                   CREATE INDEX ON c2 (a, b, x);\n\
                   CREATE TABLE c3 (a int, b int, PRIMARY KEY (b, a), FOREIGN KEY (a, b) REFERENCES p);\n\
                   CREATE TABLE c4 (x int, a int, b int, FOREIGN KEY (a, b) REFERENCES p);\n\
                   CREATE INDEX ON c4 (x, a, b);\n\
                   CREATE TABLE c5 (a int, b int, FOREIGN KEY (a, b) REFERENCES p);\n\
                   CREATE INDEX ON c5 (a, b) WHERE a > 0;";
        let f = schema_findings(sql, "fk_001");
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(f[0].starts_with("c1.c1_a_b_fkey: foreign key c1_a_b_fkey on c1 (a, b) → p has no index"));
        assert!(f[1].starts_with("c4.") && f[2].starts_with("c5."));
        let r = schema_report(
            "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (\n  id int,\n  p_id int REFERENCES p\n);",
            "fk_001",
        );
        assert_eq!(r[0].place(), "schema.sql:4:12", "points at the constraint");
        assert_eq!(r[0].suggested_fix.as_deref(), Some("CREATE INDEX CONCURRENTLY ON \"public\".\"c\" (\"p_id\");"));
    }
}
