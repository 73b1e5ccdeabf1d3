//! What a database holds, by kind, in one catalog query: used to say what a build created and to
//! tell whether a database is empty. Objects belonging to extensions are counted as the extension.

use serde::{Deserialize, Serialize};

use crate::db::{Client, DbError};

/// One kind of object: how many, and the first few names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectKind {
    pub kind: String,
    pub count: i64,
    /// Up to eight names, sorted (schema-qualified outside `public`).
    pub names: Vec<String>,
}

const ORDER: &[&str] = &[
    "schemas",
    "extensions",
    "types",
    "tables",
    "views",
    "materialized views",
    "foreign tables",
    "sequences",
    "indexes",
    "functions",
    "procedures",
    "triggers",
];

const QUERY: &str = r"
WITH user_ns AS (
    SELECT oid, nspname FROM pg_catalog.pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
),
members AS (
    SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
),
objects AS (
    SELECT CASE c.relkind
               WHEN 'r' THEN 'tables' WHEN 'p' THEN 'tables' WHEN 'v' THEN 'views'
               WHEN 'm' THEN 'materialized views' WHEN 'S' THEN 'sequences'
               WHEN 'f' THEN 'foreign tables' ELSE 'indexes' END AS kind,
           CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
    FROM pg_catalog.pg_class c JOIN user_ns n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I')
      AND NOT EXISTS (SELECT 1 FROM members d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid)
    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'procedures' ELSE 'functions' END,
           CASE WHEN n.nspname = 'public' THEN p.proname ELSE n.nspname || '.' || p.proname END
    FROM pg_catalog.pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
    WHERE NOT EXISTS (SELECT 1 FROM members d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid)
    UNION ALL
    SELECT 'types', CASE WHEN n.nspname = 'public' THEN t.typname ELSE n.nspname || '.' || t.typname END
    FROM pg_catalog.pg_type t JOIN user_ns n ON n.oid = t.typnamespace
    WHERE (t.typtype IN ('e', 'd', 'r')
           OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
      AND NOT EXISTS (SELECT 1 FROM members d WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid)
    UNION ALL
    SELECT 'schemas', n.nspname FROM user_ns n
    WHERE n.nspname <> 'public'
      AND NOT EXISTS (SELECT 1 FROM members d WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid)
    UNION ALL
    SELECT 'extensions', e.extname FROM pg_catalog.pg_extension e WHERE e.extname <> 'plpgsql'
    UNION ALL
    SELECT 'triggers', tg.tgname FROM pg_catalog.pg_trigger tg
    JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid JOIN user_ns n ON n.oid = c.relnamespace
    WHERE NOT tg.tgisinternal
)
SELECT kind, count(*)::int8, (array_agg(name ORDER BY name))[1:8] FROM objects GROUP BY kind
";

/// The user objects of the database `client` is connected to, by kind (empty for an empty database).
pub async fn summarize(client: &Client) -> Result<Vec<ObjectKind>, DbError> {
    let rows = client.rows(QUERY, &[], "summarizing the database's objects").await?;
    let mut kinds: Vec<ObjectKind> =
        rows.iter().map(|r| ObjectKind { kind: r.get(0), count: r.get(1), names: r.get(2) }).collect();
    kinds.sort_by_key(|k| ORDER.iter().position(|o| *o == k.kind).unwrap_or(ORDER.len()));
    Ok(kinds)
}

/// "3 tables, 1 view" style summary.
pub fn describe(kinds: &[ObjectKind]) -> String {
    kinds
        .iter()
        .map(|k| {
            let name = if k.count == 1 { singular(&k.kind) } else { k.kind.clone() };
            format!("{} {name}", k.count)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn singular(kind: &str) -> String {
    match kind.strip_suffix("es").filter(|s| s.ends_with('x')) {
        Some(stem) => stem.to_string(),
        None => kind.strip_suffix('s').unwrap_or(kind).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_counts_in_words() {
        let k = |kind: &str, count| ObjectKind { kind: kind.into(), count, names: vec![] };
        assert_eq!(
            describe(&[k("tables", 1), k("indexes", 1), k("materialized views", 2), k("indexes", 3)]),
            "1 table, 1 index, 2 materialized views, 3 indexes"
        );
    }
}
