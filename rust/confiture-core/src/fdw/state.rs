//! What the target remembers between steps, in schema `confiture_s2s`: the planned key-range
//! batches of each table and which are committed (each batch commits with its own row here, so a
//! killed run resumes exactly), and the mapping the bulk copy used (later steps reuse it).

use serde_json::Value;

use super::FdwError;
use super::mapping::Mapping;
use super::session::exec;
use crate::db::Client;

pub const STATE_SCHEMA: &str = "confiture_s2s";

const CREATE: &str = "CREATE SCHEMA IF NOT EXISTS confiture_s2s;
CREATE TABLE IF NOT EXISTS confiture_s2s.batches (
    target_table text NOT NULL,
    batch int NOT NULL,
    lo jsonb,
    hi jsonb,
    strategy text NOT NULL,
    done boolean NOT NULL DEFAULT false,
    rows bigint,
    seconds float8,
    PRIMARY KEY (target_table, batch)
);
CREATE TABLE IF NOT EXISTS confiture_s2s.mapping (
    id int PRIMARY KEY CHECK (id = 1),
    origin text NOT NULL,
    document jsonb NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now()
);";

pub async fn ensure(target: &Client) -> Result<(), FdwError> {
    exec(target, CREATE, "creating schema confiture_s2s on the target").await
}

pub async fn exists(target: &Client) -> Result<bool, FdwError> {
    let context = "reading confiture_s2s";
    let rows = target
        .rows("SELECT pg_catalog.to_regclass('confiture_s2s.batches') IS NOT NULL", &[], context)
        .await
        .map_err(FdwError::db(context))?;
    Ok(rows.first().is_some_and(|r| r.get::<_, bool>(0)))
}

pub async fn save_mapping(target: &Client, mapping: &Mapping) -> Result<(), FdwError> {
    let context = "saving the mapping on the target";
    target
        .rows(
            "INSERT INTO confiture_s2s.mapping (id, origin, document) VALUES (1, $1, $2::text::jsonb) \
             ON CONFLICT (id) DO UPDATE SET origin = EXCLUDED.origin, document = EXCLUDED.document, saved_at = now()",
            &[&mapping.origin, &mapping.document.to_string()],
            context,
        )
        .await
        .map_err(FdwError::db(context))?;
    Ok(())
}

/// The mapping saved by `migrate`, if any.
pub async fn load_mapping(target: &Client) -> Result<Option<Mapping>, FdwError> {
    if !exists(target).await? {
        return Ok(None);
    }
    let context = "reading the saved mapping";
    let rows = target
        .rows("SELECT origin, document::text FROM confiture_s2s.mapping WHERE id = 1", &[], context)
        .await
        .map_err(FdwError::db(context))?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let origin: String = row.get(0);
    let document: Value = serde_json::from_str(&row.get::<_, String>(1)).unwrap_or(Value::Null);
    Ok(Some(Mapping::parse(document, &origin)?))
}

/// A planned batch: bounds as key values in text (`None`: open end).
#[derive(Debug, Clone)]
pub struct Batch {
    pub number: i32,
    pub lo: Option<Vec<String>>,
    pub hi: Option<Vec<String>>,
    pub done: bool,
    pub rows: i64,
}

fn bound(v: Option<String>) -> Option<Vec<String>> {
    v.and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
}

pub async fn batches(target: &Client, table: &str) -> Result<Vec<Batch>, FdwError> {
    let context = format!("reading the batches of {table}");
    let rows = target
        .rows(
            "SELECT batch, lo::text, hi::text, done, coalesce(rows, 0) FROM confiture_s2s.batches \
             WHERE target_table = $1 ORDER BY batch",
            &[&table],
            &context,
        )
        .await
        .map_err(FdwError::db(context))?;
    Ok(rows
        .iter()
        .map(|r| Batch { number: r.get(0), lo: bound(r.get(1)), hi: bound(r.get(2)), done: r.get(3), rows: r.get(4) })
        .collect())
}

pub async fn save_batches(target: &Client, table: &str, strategy: &str, batches: &[Batch]) -> Result<(), FdwError> {
    let context = format!("saving the batches of {table}");
    let los: Vec<Option<String>> =
        batches.iter().map(|b| b.lo.as_ref().map(|v| serde_json::json!(v).to_string())).collect();
    let his: Vec<Option<String>> =
        batches.iter().map(|b| b.hi.as_ref().map(|v| serde_json::json!(v).to_string())).collect();
    let numbers: Vec<i32> = batches.iter().map(|b| b.number).collect();
    target
        .rows(
            "INSERT INTO confiture_s2s.batches (target_table, batch, lo, hi, strategy) \
             SELECT $1, n, l::jsonb, h::jsonb, $2 FROM unnest($3::int[], $4::text[], $5::text[]) AS u(n, l, h)",
            &[&table, &strategy, &numbers, &los, &his],
            &context,
        )
        .await
        .map_err(FdwError::db(context))?;
    Ok(())
}

/// The statement marking a batch committed (run in the batch's transaction).
pub fn mark_done_sql(table: &str, batch: i32, rows: u64, seconds: f64) -> String {
    format!(
        "UPDATE confiture_s2s.batches SET done = true, rows = {rows}, seconds = {seconds} \
         WHERE target_table = {} AND batch = {batch}",
        crate::sql::quote_literal(table)
    )
}

pub async fn drop_all(target: &Client) -> Result<(), FdwError> {
    exec(target, "DROP SCHEMA IF EXISTS confiture_s2s CASCADE", "dropping schema confiture_s2s").await
}
