//! The tracking table (`tb_confiture` by default, or `migration_table`, optionally
//! schema-qualified): one row per applied migration, with the columns of fraiseql-confiture's
//! table so either tool can read the other's history.

use serde::Serialize;

use super::MigrateError;
use crate::db::{Executor, Query};
use crate::sql::{quote_ident, quote_literal_escaped};

/// The tracking table's name unless an environment sets `migration_table`.
pub const DEFAULT_TABLE: &str = "tb_confiture";

/// One applied migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedRow {
    pub version: String,
    pub name: String,
    pub applied_at: String,
    pub execution_time_ms: Option<i64>,
    pub checksum: Option<String>,
}

/// The tracking table's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    pub schema: Option<String>,
    pub table: String,
}

impl Tracking {
    /// `tb_confiture` or `schema.tb_confiture` (parts may be double-quoted).
    pub fn parse(name: &str) -> Result<Self, MigrateError> {
        let parts: Vec<String> = name.split('.').map(|p| p.trim().trim_matches('"').to_string()).collect();
        match parts.as_slice() {
            [table] if !table.is_empty() => Ok(Self { schema: None, table: table.clone() }),
            [schema, table] if !schema.is_empty() && !table.is_empty() => {
                Ok(Self { schema: Some(schema.clone()), table: table.clone() })
            }
            _ => Err(MigrateError::Usage(format!("invalid migration table name {name:?}: use table or schema.table"))),
        }
    }

    /// The quoted, possibly schema-qualified name.
    pub fn qualified(&self) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&self.table)),
            None => quote_ident(&self.table),
        }
    }

    fn regclass_text(&self) -> String {
        self.qualified()
    }

    /// Whether the table exists (where an unqualified name would resolve, i.e. the search_path).
    pub fn exists(&self, exec: &mut dyn Executor) -> Result<bool, MigrateError> {
        let rows = exec
            .query(&Query::new("SELECT (to_regclass(").param(Some(self.regclass_text())).sql(") IS NOT NULL)::text"))
            .map_err(|e| MigrateError::exec("looking for the tracking table", e))?;
        Ok(rows.first().and_then(|r| r.first().cloned().flatten()).as_deref() == Some("true"))
    }

    /// Creates the table and its indexes if missing. Needs no extension: the id default is
    /// `gen_random_uuid()` (built in since PostgreSQL 13), else `uuid-ossp` when installed, else
    /// a uuid made from md5.
    pub fn ensure(&self, exec: &mut dyn Executor) -> Result<(), MigrateError> {
        if self.exists(exec)? {
            return Ok(());
        }
        let uuid_default = uuid_default(exec)?;
        let t = self.qualified();
        let idx = |col: &str| quote_ident(&format!("idx_{}_{col}", self.table));
        let mut ddl = String::new();
        if let Some(schema) = &self.schema {
            ddl.push_str(&format!("CREATE SCHEMA IF NOT EXISTS {};\n", quote_ident(schema)));
        }
        ddl.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {t} (\n\
             \x20   id UUID PRIMARY KEY DEFAULT {uuid_default},\n\
             \x20   pk_confiture BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,\n\
             \x20   slug TEXT NOT NULL UNIQUE,\n\
             \x20   version VARCHAR(255) NOT NULL UNIQUE,\n\
             \x20   name VARCHAR(255) NOT NULL,\n\
             \x20   applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),\n\
             \x20   execution_time_ms INTEGER,\n\
             \x20   checksum VARCHAR(64)\n\
             );\n\
             CREATE INDEX IF NOT EXISTS {} ON {t} (pk_confiture);\n\
             CREATE INDEX IF NOT EXISTS {} ON {t} (slug);\n\
             CREATE INDEX IF NOT EXISTS {} ON {t} (version);\n\
             CREATE INDEX IF NOT EXISTS {} ON {t} (applied_at DESC);\n\
             COMMENT ON TABLE {t} IS 'Migrations applied by Confiture';",
            idx("pk_confiture"),
            idx("slug"),
            idx("version"),
            idx("applied_at"),
        ));
        exec.execute(&ddl).map_err(|e| MigrateError::exec(format!("creating the tracking table {t}"), e))
    }

    /// Applied migrations, oldest first (an absent table means none).
    pub fn applied(&self, exec: &mut dyn Executor) -> Result<Vec<AppliedRow>, MigrateError> {
        if !self.exists(exec)? {
            return Ok(Vec::new());
        }
        let rows = exec
            .query(&Query::new(&format!(
                "SELECT version::text, name::text, applied_at::text, execution_time_ms::text, checksum::text \
                 FROM {} ORDER BY applied_at, pk_confiture",
                self.qualified()
            )))
            .map_err(|e| MigrateError::exec("reading the tracking table", e))?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                r.resize(5, None);
                AppliedRow {
                    version: r[0].take().unwrap_or_default(),
                    name: r[1].take().unwrap_or_default(),
                    applied_at: r[2].take().unwrap_or_default(),
                    execution_time_ms: r[3].take().and_then(|v| v.parse().ok()),
                    checksum: r[4].take(),
                }
            })
            .collect())
    }

    /// Records an applied migration. The slug (`{version}_{name}_{YYYYmmdd_HHMMSS}[_suffix]`) is unique
    /// because the version is.
    pub fn insert(
        &self,
        exec: &mut dyn Executor,
        version: &str,
        name: &str,
        execution_time_ms: i64,
        checksum: Option<&str>,
        suffix: Option<&str>,
    ) -> Result<(), MigrateError> {
        let slug = slug(version, name, suffix);
        let query = Query::new(&format!(
            "INSERT INTO {} (slug, version, name, execution_time_ms, checksum) VALUES (",
            self.qualified()
        ))
        .param(Some(slug))
        .sql(", ")
        .param(Some(version.to_string()))
        .sql(", ")
        .param(Some(name.to_string()))
        .sql(", ")
        .param(Some(execution_time_ms.to_string()))
        .sql("::integer, ")
        .param(checksum.map(str::to_string))
        .sql(") RETURNING version::text");
        exec.query(&query).map(drop).map_err(|e| MigrateError::exec(format!("recording migration {version}"), e))
    }

    /// The row `insert` writes, as SQL text with literals, to travel in one message with the
    /// migration's own statements; `execution_time_ms` is measured by the server from the start of
    /// the transaction.
    pub fn insert_sql(&self, version: &str, name: &str, checksum: Option<&str>) -> String {
        format!(
            "INSERT INTO {} (slug, version, name, execution_time_ms, checksum) VALUES ({}, {}, {}, \
             (extract(epoch FROM clock_timestamp() - now()) * 1000)::integer, {})",
            self.qualified(),
            quote_literal_escaped(&slug(version, name, None)),
            quote_literal_escaped(version),
            quote_literal_escaped(name),
            checksum.map_or_else(|| "NULL".to_string(), quote_literal_escaped),
        )
    }

    /// `update_checksum` as SQL text (see `insert_sql`).
    pub fn update_checksum_sql(&self, version: &str, checksum: &str) -> String {
        format!(
            "UPDATE {} SET checksum = {} WHERE version = {}",
            self.qualified(),
            quote_literal_escaped(checksum),
            quote_literal_escaped(version)
        )
    }

    /// `delete` as SQL text (see `insert_sql`).
    pub fn delete_sql(&self, version: &str) -> String {
        format!("DELETE FROM {} WHERE version = {}", self.qualified(), quote_literal_escaped(version))
    }

    pub fn delete(&self, exec: &mut dyn Executor, version: &str) -> Result<(), MigrateError> {
        let query = Query::new(&format!("DELETE FROM {} WHERE version = ", self.qualified()))
            .param(Some(version.to_string()))
            .sql(" RETURNING version::text");
        exec.query(&query).map(drop).map_err(|e| MigrateError::exec(format!("forgetting migration {version}"), e))
    }

    pub fn update_checksum(&self, exec: &mut dyn Executor, version: &str, checksum: &str) -> Result<(), MigrateError> {
        let query = Query::new(&format!("UPDATE {} SET checksum = ", self.qualified()))
            .param(Some(checksum.to_string()))
            .sql(" WHERE version = ")
            .param(Some(version.to_string()))
            .sql(" RETURNING version::text");
        exec.query(&query).map(drop).map_err(|e| MigrateError::exec(format!("updating the checksum of {version}"), e))
    }
}

fn uuid_default(exec: &mut dyn Executor) -> Result<&'static str, MigrateError> {
    let version = exec.server_version().map_err(|e| MigrateError::exec("reading the server version", e))?;
    if version >= 130_000 {
        return Ok("gen_random_uuid()");
    }
    let rows = exec
        .query(&Query::new(
            "SELECT (EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE proname = 'uuid_generate_v4'))::text",
        ))
        .map_err(|e| MigrateError::exec("looking for uuid-ossp", e))?;
    if rows.first().and_then(|r| r.first().cloned().flatten()).as_deref() == Some("true") {
        return Ok("uuid_generate_v4()");
    }
    Ok("md5(random()::text || clock_timestamp()::text)::uuid")
}

/// `{version}_{name}_{YYYYmmdd_HHMMSS}[_suffix]`.
fn slug(version: &str, name: &str, suffix: Option<&str>) -> String {
    let stamp = chrono::Utc::now().format("%Y%m%d_%H%M%S");
    match suffix {
        Some(s) => format!("{version}_{name}_{stamp}_{s}"),
        None => format!("{version}_{name}_{stamp}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Tracking::parse("tb_confiture").unwrap().qualified(), "\"tb_confiture\"");
        assert_eq!(Tracking::parse("ops.\"Migrations\"").unwrap().qualified(), "\"ops\".\"Migrations\"");
        assert!(Tracking::parse("a.b.c").is_err());
        assert!(Tracking::parse("").is_err());
    }
}
