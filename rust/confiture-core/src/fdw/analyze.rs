//! Analysis before copying: per mapped table the source's rows and size, the strategy, and a time
//! estimate from a measured sample — `sample_rows` rows really loaded into the target through the
//! chosen path inside a transaction that is rolled back.

use std::time::Instant;

use serde::Serialize;

use super::FdwError;
use super::bulk::{copy_select, source_relation};
use super::mapping::Strategy;
use super::options::S2sOptions;
use super::plan::{Plan, PlannedTable};
use super::session::exec;
use crate::db::{Client, DbError};
use crate::sync::Pipe;

#[derive(Debug, Clone, Serialize)]
pub struct TableAnalysis {
    pub table: String,
    pub source: String,
    pub rows: i64,
    pub bytes: i64,
    pub strategy: String,
    pub sample_rows: u64,
    /// Measured on the sample (0 when the sample was empty).
    pub rows_per_second: f64,
    pub estimated_seconds: f64,
    /// How the sample was measured: `load` (written and rolled back) or `read` (the load failed,
    /// e.g. rows already there; only reading was timed).
    pub measured: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnalyzeReport {
    pub tables: Vec<TableAnalysis>,
    pub rows: i64,
    pub bytes: i64,
    pub estimated_seconds: f64,
    pub warnings: Vec<String>,
}

async fn load_sample(
    source: &Client,
    target: &Client,
    t: &PlannedTable,
    options: &S2sOptions,
    limit: u64,
) -> Result<u64, FdwError> {
    let name = t.display();
    let select = format!(
        "SELECT {} FROM {}{} LIMIT {limit}",
        t.load_exprs(t.strategy),
        source_relation(t, options, t.strategy),
        t.where_clause(&[])
    );
    match t.strategy {
        Strategy::Fdw => {
            exec(target, &super::bulk::fdw_search_path(t, options), "setting search_path").await?;
            let sql = format!("INSERT INTO {} ({}){} {select}", t.target.sql(), t.target_columns(), t.overriding());
            target
                .raw()
                .execute(sql.as_str(), &[])
                .await
                .map_err(|e| FdwError::Copy { table: name, source: DbError::query("loading a sample", &e) })
        }
        Strategy::Copy | Strategy::Auto => {
            let (noop, never) = (|_: u64| {}, || false);
            let pipe = Pipe { label: &name, on_rows: &noop, cancelled: &never };
            copy_select(&pipe, source, target, t, &select).await
        }
    }
}

async fn read_sample(
    source: &Client,
    target: &Client,
    t: &PlannedTable,
    options: &S2sOptions,
    limit: u64,
) -> Result<u64, FdwError> {
    let client = if t.strategy == Strategy::Fdw { target } else { source };
    exec(client, "BEGIN", "starting a sample read").await?;
    if t.strategy == Strategy::Fdw {
        exec(client, &super::bulk::fdw_search_path(t, options), "setting search_path").await?;
    }
    let sql = format!(
        "SELECT count(*) FROM (SELECT {} FROM {}{} LIMIT {limit} OFFSET 0) q WHERE q IS NOT NULL OR q IS NULL",
        t.load_exprs(t.strategy),
        source_relation(t, options, t.strategy),
        t.where_clause(&[])
    );
    let context = format!("reading a sample of {}", t.source);
    let rows = client.rows(&sql, &[], &context).await.map_err(FdwError::db(context));
    let _ = client.batch("ROLLBACK", "ending the sample read").await;
    let rows = rows?;
    Ok(rows.first().map_or(0, |r| u64::try_from(r.get::<_, i64>(0)).unwrap_or(0)))
}

pub async fn analyze(
    source: &Client,
    target: &Client,
    plan: &Plan,
    options: &S2sOptions,
) -> Result<AnalyzeReport, FdwError> {
    let mut tables = Vec::new();
    for t in &plan.tables {
        let limit = options.sample_rows.max(1);
        exec(target, "BEGIN", "starting a sample load").await?;
        // The sample's parents are not there: skip foreign-key checks when allowed (superuser).
        if target.batch("SAVEPOINT s; SET LOCAL session_replication_role = replica", "").await.is_err() {
            exec(target, "ROLLBACK TO SAVEPOINT s", "starting a sample load").await?;
        }
        let clock = Instant::now();
        let loaded = load_sample(source, target, t, options, limit).await;
        let _ = target.batch("ROLLBACK", "rolling back the sample").await;
        let (n, measured) = match loaded {
            Ok(n) => (n, "load"),
            Err(_) => {
                let clock2 = Instant::now();
                let n = read_sample(source, target, t, options, limit).await?;
                let rate_time = clock2.elapsed().as_secs_f64();
                let rate = if rate_time > 0.0 { n as f64 / rate_time } else { 0.0 };
                tables.push(finish(t, n, rate, "read"));
                continue;
            }
        };
        let secs = clock.elapsed().as_secs_f64();
        let rate = if secs > 0.0 && n > 0 { n as f64 / secs } else { 0.0 };
        tables.push(finish(t, n, rate, measured));
    }
    Ok(AnalyzeReport {
        rows: tables.iter().map(|t| t.rows).sum(),
        bytes: tables.iter().map(|t| t.bytes).sum(),
        estimated_seconds: tables.iter().map(|t| t.estimated_seconds).sum(),
        tables,
        warnings: plan.warnings.clone(),
    })
}

fn finish(t: &PlannedTable, n: u64, rate: f64, measured: &str) -> TableAnalysis {
    let rows = t.rows.max(0);
    let estimated = if rate > 0.0 { rows as f64 / rate } else { 0.0 };
    TableAnalysis {
        table: t.display(),
        source: t.source.to_string(),
        rows,
        bytes: t.source_bytes,
        strategy: t.strategy.name().into(),
        sample_rows: n,
        rows_per_second: rate,
        estimated_seconds: (estimated * 1000.0).round() / 1000.0,
        measured: measured.into(),
    }
}
