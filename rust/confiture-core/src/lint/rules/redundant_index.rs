//! idx_002: indexes whose columns lead another index of the same table.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::SchemaCtx;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "idx_002",
    name: "Redundant Index",
    target: Target::Schema,
    severity: Severity::Info,
    default_enabled: true,
    summary: "Plain b-tree indexes whose columns are the leading columns of a longer b-tree index (or key) of the same table.",
    why: "The longer index answers the same lookups; the shorter one only costs writes, disk and cache (it may still win for index-only scans of very wide keys, hence info).",
    fix: "Drop the shorter index (`DROP INDEX CONCURRENTLY …`) after checking `pg_stat_user_indexes` on production.",
    bad: "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int);\nCREATE INDEX t_a_idx ON t (a);\nCREATE INDEX t_a_b_idx ON t (a, b);",
    good: "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int);\nCREATE INDEX t_a_b_idx ON t (a, b);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for (table, keys) in &ctx.keys {
        if ctx.config.exclude_tables.matches_table(table) {
            continue;
        }
        for k in keys.iter().filter(|k| k.kind == "index" && !k.unique && k.method == "btree" && k.include.is_empty()) {
            if k.columns.iter().any(Option::is_none) {
                continue;
            }
            let Some(longer) = keys.iter().find(|o| {
                o.method == "btree"
                    && o.predicate == k.predicate
                    && o.columns.len() > k.columns.len()
                    && o.columns[..k.columns.len()] == k.columns[..]
            }) else {
                continue;
            };
            let message = format!(
                "index {} on {table} ({}) is the leading part of {} {}",
                k.name,
                k.columns.iter().flatten().cloned().collect::<Vec<_>>().join(", "),
                longer.kind,
                longer.name
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
    fn only_plain_btree_prefixes_with_the_same_predicate() {
        let sql = "CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int);\n\
                   CREATE INDEX t_a ON t (a);\nCREATE INDEX t_ab ON t (a, b);\n\
                   CREATE UNIQUE INDEX t_b_u ON t (b);\nCREATE INDEX t_bc ON t (b, c);\n\
                   CREATE INDEX t_c_part ON t (c) WHERE a > 0;\nCREATE INDEX t_cb ON t (c, b);\n\
                   CREATE INDEX t_lower ON t (lower(a::text));\nCREATE INDEX t_id_a ON t (id, a);\n\
                   CREATE INDEX t_id ON t USING hash (id);";
        assert_eq!(schema_findings(sql, "idx_002"), ["t_a: index t_a on t (a) is the leading part of index t_ab"]);
    }
}
