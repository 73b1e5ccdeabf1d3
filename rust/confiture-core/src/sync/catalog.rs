//! What the sync needs to know about a database, from `pg_catalog` in a few queries: user tables
//! (every schema but the system ones; partitions are reached through their parent; extension
//! members are left out) with their columns and primary keys, foreign keys, and sequences.

use std::collections::BTreeMap;

use serde::Serialize;

use super::select::TableName;
use crate::anonymize::ValueType;
use crate::db::{Client, DbError};

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    /// `format_type` of the column's type (quoted as needed, usable in casts).
    pub type_sql: String,
    /// What strategies see (arrays: the element's).
    pub value_type: ValueType,
    pub is_array: bool,
    /// `GENERATED ALWAYS AS (…) STORED`: never copied.
    pub generated: bool,
    pub identity: bool,
    pub not_null: bool,
    pub has_default: bool,
    /// A unique index (or primary key) on this column alone.
    pub unique: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub oid: u32,
    pub name: TableName,
    /// Partitioned (copied through `COPY (SELECT …)` on the source).
    pub partitioned: bool,
    /// The planner's row estimate (for progress bars; -1 when never analyzed).
    pub estimate: i64,
    pub columns: Vec<Column>,
    /// Primary key column names, in key order.
    pub primary_key: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForeignKey {
    pub name: String,
    pub child: TableName,
    pub parent: TableName,
    pub child_columns: Vec<String>,
    pub parent_columns: Vec<String>,
    pub deferrable: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sequence {
    pub name: TableName,
    /// The table whose column owns it (serial, identity).
    pub owner: Option<TableName>,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub tables: BTreeMap<TableName, Table>,
    pub foreign_keys: Vec<ForeignKey>,
    pub sequences: Vec<Sequence>,
}

const USER_NAMESPACES: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

fn tables_sql() -> String {
    format!(
        "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind = 'p', c.reltuples::float8::int8
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {USER_NAMESPACES}
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                           WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
    )
}

const COLUMNS_SQL: &str = "
SELECT a.attrelid, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attgenerated <> '', a.attidentity <> '', a.attnotnull, a.atthasdef,
       bt.typcategory::text, bt.typname::text, bt.typcategory = 'A',
       coalesce(et.typcategory::text, ''), coalesce(et.typname::text, ''),
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
               WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indnkeyatts = 1
                 AND i.indkey[0] = a.attnum AND i.indpred IS NULL AND i.indexprs IS NULL)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_catalog.pg_type e0 ON e0.oid = bt.typelem AND bt.typcategory = 'A'
LEFT JOIN pg_catalog.pg_type et ON et.oid = CASE WHEN e0.typtype = 'd' THEN e0.typbasetype ELSE e0.oid END
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum";

const KEYS_SQL: &str = "
SELECT con.conrelid, con.conname::text, con.contype::text, con.condeferrable,
       con.confrelid,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
       ARRAY(SELECT a.attname::text FROM unnest(coalesce(con.confkey, '{}')) WITH ORDINALITY k(num, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord)
FROM pg_catalog.pg_constraint con
WHERE con.conrelid = ANY($1) AND con.contype IN ('p', 'f') AND con.conparentid = 0
ORDER BY con.conrelid, con.conname";

fn sequences_sql() -> String {
    format!(
        "SELECT n.nspname::text, s.relname::text, on_.nspname::text, o.relname::text
         FROM pg_catalog.pg_class s JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace
         LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.oid
              AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
         LEFT JOIN pg_catalog.pg_class o ON o.oid = d.refobjid
         LEFT JOIN pg_catalog.pg_namespace on_ ON on_.oid = o.relnamespace
         WHERE s.relkind = 'S' AND {USER_NAMESPACES}
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x
                           WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = s.oid AND x.deptype = 'e')
         ORDER BY 1, 2"
    )
}

impl Catalog {
    /// Reads the catalog of the database `client` is connected to.
    pub async fn load(client: &Client) -> Result<Self, DbError> {
        let context = format!("reading the catalog of {}", client.target());
        let mut tables: BTreeMap<TableName, Table> = BTreeMap::new();
        let mut by_oid: BTreeMap<u32, TableName> = BTreeMap::new();
        for row in client.rows(&tables_sql(), &[], &context).await? {
            let oid: u32 = row.get(0);
            let name = TableName::new(row.get(1), row.get(2));
            by_oid.insert(oid, name.clone());
            tables.insert(
                name.clone(),
                Table {
                    oid,
                    name,
                    partitioned: row.get(3),
                    estimate: row.get(4),
                    columns: Vec::new(),
                    primary_key: Vec::new(),
                },
            );
        }
        let oids: Vec<u32> = by_oid.keys().copied().collect();
        for row in client.rows(COLUMNS_SQL, &[&oids], &context).await? {
            let Some(table) = by_oid.get(&row.get::<_, u32>(0)).and_then(|n| tables.get_mut(n)) else {
                continue;
            };
            let is_array: bool = row.get(9);
            let (category, type_name): (String, String) =
                if is_array { (row.get(10), row.get(11)) } else { (row.get(7), row.get(8)) };
            table.columns.push(Column {
                name: row.get(1),
                type_sql: row.get(2),
                value_type: ValueType::from_catalog(&category, &type_name),
                is_array,
                generated: row.get(3),
                identity: row.get(4),
                not_null: row.get(5),
                has_default: row.get(6),
                unique: row.get(12),
            });
        }
        let mut foreign_keys = Vec::new();
        for row in client.rows(KEYS_SQL, &[&oids], &context).await? {
            let Some(child) = by_oid.get(&row.get::<_, u32>(0)) else {
                continue;
            };
            let kind: String = row.get(2);
            if kind == "p" {
                if let Some(t) = tables.get_mut(child) {
                    t.primary_key = row.get(5);
                }
                continue;
            }
            let Some(parent) = by_oid.get(&row.get::<_, u32>(4)) else {
                // References a table outside the user schemas (or a partition): not ordered.
                continue;
            };
            foreign_keys.push(ForeignKey {
                name: row.get(1),
                child: child.clone(),
                parent: parent.clone(),
                child_columns: row.get(5),
                parent_columns: row.get(6),
                deferrable: row.get(3),
            });
        }
        let mut sequences = Vec::new();
        for row in client.rows(&sequences_sql(), &[], &context).await? {
            let owner = match (row.get::<_, Option<String>>(2), row.get::<_, Option<String>>(3)) {
                (Some(s), Some(n)) => Some(TableName { schema: s, name: n }),
                _ => None,
            };
            sequences.push(Sequence { name: TableName::new(row.get(0), row.get(1)), owner });
        }
        sequences.dedup_by(|a, b| a.name == b.name);
        Ok(Self { tables, foreign_keys, sequences })
    }
}
