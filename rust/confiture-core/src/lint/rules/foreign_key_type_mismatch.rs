//! fk_003: foreign key columns whose type differs from the referenced column's.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, column_name};
use crate::schema::{ConstraintKind, ObjectId};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "fk_003",
    name: "Foreign Key Type Mismatch",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Foreign key columns whose type is not the referenced column's type (`integer` → `bigint`, `varchar(20)` → `text`).",
    why: "The referencing column overflows or truncates before the key it points at does, and every join and FK check needs a cast, which can keep indexes from being used.",
    fix: "Give the column the referenced column's type (ALTER … TYPE rewrites the table: do it while it is small).",
    bad: "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id integer NOT NULL REFERENCES users);",
    good: "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for t in ctx.tables() {
        for c in t.constraints.values() {
            let ConstraintKind::ForeignKey { columns, references, referenced_columns, .. } = &c.kind else { continue };
            let Some(target) = ctx.catalog.tables.get(references) else { continue };
            for (col, rcol) in columns.iter().zip(referenced_columns) {
                let (Some(a), Some(b)) = (t.column(col), target.column(rcol)) else { continue };
                if a.data_type == b.data_type {
                    continue;
                }
                let message = format!(
                    "column {} is {} but references {} which is {}",
                    column_name(&t.name, col),
                    a.data_type.sql(),
                    column_name(references, rcol),
                    b.data_type.sql()
                );
                let id = ObjectId::Column(t.name.clone(), col.clone());
                sink.add("column", column_name(&t.name, col), message, ctx.location(&id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::schema_findings;

    #[test]
    fn compares_each_column_pair() {
        let sql = "CREATE TABLE p (a bigint, b text, PRIMARY KEY (a, b));\n\
                   CREATE TABLE ok (a bigint, b text, FOREIGN KEY (a, b) REFERENCES p);\n\
                   CREATE TABLE bad (x int, y varchar(10), FOREIGN KEY (x, y) REFERENCES p (a, b));";
        assert_eq!(
            schema_findings(sql, "fk_003"),
            [
                "bad.x: column bad.x is integer but references p.a which is bigint",
                "bad.y: column bad.y is character varying(10) but references p.b which is text"
            ]
        );
    }
}
