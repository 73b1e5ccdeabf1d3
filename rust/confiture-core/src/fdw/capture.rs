//! Change capture on the source: a log table (`confiture_capture.log`) filled by statement-level
//! triggers with transition tables on each captured table, recording the primary key of every row
//! inserted, updated or deleted. One INSERT per statement, whatever the number of rows, so writers
//! pay little. `TRUNCATE` of a captured table is refused (it cannot be replayed row by row).

use serde::Serialize;

use super::FdwError;
use super::session::exec;
use crate::db::Client;
use crate::sql::{quote_ident, quote_literal};
use crate::sync::TableName;
use crate::sync::catalog::Table;

pub const CAPTURE_SCHEMA: &str = "confiture_capture";

const BASE: &str = "CREATE SCHEMA IF NOT EXISTS confiture_capture;
CREATE TABLE IF NOT EXISTS confiture_capture.log (
    id bigserial PRIMARY KEY,
    tbl text NOT NULL,
    pk jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE OR REPLACE FUNCTION confiture_capture.refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $confiture$
BEGIN
    RAISE EXCEPTION 'TRUNCATE of %.% is not allowed while confiture captures its changes for a schema-to-schema migration',
        TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING HINT = 'delete the rows instead, or run `confiture migrate schema-to-schema cleanup` first';
END
$confiture$;";

#[derive(Debug, Clone, Serialize)]
pub struct CaptureReport {
    pub tables: Vec<String>,
    /// Tables left out (no primary key).
    pub skipped: Vec<String>,
}

/// The log's name for a table (what catch-up filters on).
pub fn log_name(table: &TableName) -> String {
    table.sql()
}

fn install_sql(table: &Table) -> String {
    let name = table.name.sql();
    let function = format!("{}.{}", quote_ident(CAPTURE_SCHEMA), quote_ident(&format!("capture_{}", table.oid)));
    let pk = |alias: &str| {
        let pairs: Vec<String> =
            table.primary_key.iter().map(|k| format!("{}, {alias}.{}", quote_literal(k), quote_ident(k))).collect();
        format!("jsonb_build_object({})", pairs.join(", "))
    };
    let tbl = quote_literal(&log_name(&table.name));
    format!(
        "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $confiture$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO confiture_capture.log (tbl, pk) SELECT {tbl}, {new} FROM confiture_new n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO confiture_capture.log (tbl, pk)
        SELECT {tbl}, k FROM (SELECT {new} AS k FROM confiture_new n UNION SELECT {old} FROM confiture_old o) u;
    ELSE
        INSERT INTO confiture_capture.log (tbl, pk) SELECT {tbl}, {old} FROM confiture_old o;
    END IF;
    RETURN NULL;
END
$confiture$;
DROP TRIGGER IF EXISTS confiture_capture_ins ON {name};
DROP TRIGGER IF EXISTS confiture_capture_upd ON {name};
DROP TRIGGER IF EXISTS confiture_capture_del ON {name};
DROP TRIGGER IF EXISTS confiture_capture_truncate ON {name};
CREATE TRIGGER confiture_capture_ins AFTER INSERT ON {name} REFERENCING NEW TABLE AS confiture_new
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER confiture_capture_upd AFTER UPDATE ON {name} REFERENCING OLD TABLE AS confiture_old NEW TABLE AS confiture_new
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER confiture_capture_del AFTER DELETE ON {name} REFERENCING OLD TABLE AS confiture_old
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER confiture_capture_truncate BEFORE TRUNCATE ON {name}
    FOR EACH STATEMENT EXECUTE FUNCTION confiture_capture.refuse_truncate();",
        new = pk("n"),
        old = pk("o"),
    )
}

/// Installs (or refreshes) capture on `tables`, in one transaction.
pub async fn install(source: &Client, tables: &[&Table]) -> Result<CaptureReport, FdwError> {
    let mut sql = format!("BEGIN;\n{BASE}\n");
    let mut report = CaptureReport { tables: Vec::new(), skipped: Vec::new() };
    for t in tables {
        if t.primary_key.is_empty() {
            report.skipped.push(t.name.to_string());
            continue;
        }
        sql.push_str(&install_sql(t));
        sql.push('\n');
        report.tables.push(t.name.to_string());
    }
    sql.push_str("COMMIT;");
    if let Err(e) = exec(source, &sql, "installing change capture on the source").await {
        let _ = source.batch("ROLLBACK", "rolling back").await;
        return Err(e);
    }
    Ok(report)
}

pub async fn installed(source: &Client) -> Result<bool, FdwError> {
    let context = "looking for the change log on the source";
    let rows = source
        .rows("SELECT pg_catalog.to_regclass('confiture_capture.log') IS NOT NULL", &[], context)
        .await
        .map_err(FdwError::db(context))?;
    Ok(rows.first().is_some_and(|r| r.get::<_, bool>(0)))
}

/// Removes every capture trigger, function and the log; returns the tables that had triggers.
pub async fn remove(source: &Client) -> Result<Vec<String>, FdwError> {
    let context = "finding capture triggers on the source";
    let rows = source
        .rows(
            "SELECT DISTINCT n.nspname::text, c.relname::text FROM pg_catalog.pg_trigger t \
             JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE t.tgname IN ('confiture_capture_ins', 'confiture_capture_upd', 'confiture_capture_del', \
                                'confiture_capture_truncate') ORDER BY 1, 2",
            &[],
            context,
        )
        .await
        .map_err(FdwError::db(context))?;
    let tables: Vec<TableName> = rows.iter().map(|r| TableName::new(r.get(0), r.get(1))).collect();
    let mut sql = String::from("BEGIN;\n");
    for t in &tables {
        for trigger in
            ["confiture_capture_ins", "confiture_capture_upd", "confiture_capture_del", "confiture_capture_truncate"]
        {
            sql.push_str(&format!("DROP TRIGGER IF EXISTS {trigger} ON {};\n", t.sql()));
        }
    }
    sql.push_str("DROP SCHEMA IF EXISTS confiture_capture CASCADE;\nCOMMIT;");
    if let Err(e) = exec(source, &sql, "removing change capture from the source").await {
        let _ = source.batch("ROLLBACK", "rolling back").await;
        return Err(e);
    }
    Ok(tables.iter().map(ToString::to_string).collect())
}
