//! Catch-up: replays the changes the capture log recorded since the last catch-up. In one
//! repeatable-read snapshot of the source it reads which keys changed and the current rows for
//! those keys; on the target, in one transaction, changed rows are upserted (parents first) and
//! keys no longer present in the source are deleted (children first). The log entries seen are
//! removed only after the target committed, so a crash replays them again (replay is idempotent)
//! and entries of transactions still running stay for the next catch-up: repeated catch-ups
//! converge while the source keeps writing.

use std::time::Instant;

use serde::Serialize;

use super::FdwError;
use super::bulk::sync_error;
use super::capture::{self, log_name};
use super::mapping::Strategy;
use super::plan::{Plan, PlannedTable};
use super::session::exec;
use super::state;
use crate::db::Client;
use crate::sql::{quote_ident, quote_literal};
use crate::sync::{Pipe, Progress};

#[derive(Debug, Clone, Serialize)]
pub struct CatchUpTable {
    pub table: String,
    /// Distinct keys that changed.
    pub keys: u64,
    pub upserted: u64,
    pub deleted: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatchUpReport {
    /// Log entries applied.
    pub changes: u64,
    pub tables: Vec<CatchUpTable>,
    pub seconds: f64,
}

/// Why `t` cannot be followed by catch-up, if it cannot.
fn unfollowable(t: &PlannedTable) -> Option<String> {
    if t.source_key.is_empty() {
        return Some(format!("source table {} has no primary key, so its changes are not captured", t.source));
    }
    if !t.plain_key() {
        return Some("its key is not copied from plain source columns".into());
    }
    let outside: Vec<&str> = t
        .key
        .iter()
        .filter_map(|k| k.source_column.as_deref())
        .filter(|c| !t.source_key.iter().any(|p| p == c))
        .collect();
    if outside.is_empty() {
        None
    } else {
        Some(format!("its key comes from {}, which is not part of the source's primary key", outside.join(", ")))
    }
}

fn keys_from_log(t: &PlannedTable) -> String {
    let casts: Vec<String> = t
        .key
        .iter()
        .map(|k| {
            let col = k.source_column.as_deref().unwrap_or_default();
            format!("(pk ->> {})::{}", quote_literal(col), k.source_type.as_deref().unwrap_or("text"))
        })
        .collect();
    format!(
        "SELECT DISTINCT {} FROM confiture_capture.log WHERE tbl = {}",
        casts.join(", "),
        quote_literal(&log_name(&t.source))
    )
}

/// Checks every table of `plan` can be caught up and was bulk-copied.
pub async fn check(source: &Client, target: &Client, plan: &Plan) -> Result<(), FdwError> {
    if !capture::installed(source).await? {
        return Err(FdwError::NotSetUp { what: "change capture on the source".into(), hint: " --capture".into() });
    }
    let context = "finding the captured tables";
    let captured: std::collections::BTreeSet<crate::sync::TableName> = source
        .rows(
            "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_trigger t \
             JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE t.tgname = 'confiture_capture_ins'",
            &[],
            context,
        )
        .await
        .map_err(FdwError::db(context))?
        .iter()
        .map(|r| crate::sync::TableName::new(r.get(0), r.get(1)))
        .collect();
    let mut problems = Vec::new();
    for t in &plan.tables {
        if !captured.contains(&t.source) {
            problems.push(format!(
                "{}: source table {} has no change capture; run `setup --capture` with this mapping",
                t.display(),
                t.source
            ));
            continue;
        }
        if let Some(why) = unfollowable(t) {
            problems.push(format!("{}: catch-up cannot follow it: {why}", t.display()));
            continue;
        }
        let batches = state::batches(target, &t.target.sql()).await?;
        if batches.is_empty() || batches.iter().any(|b| !b.done) {
            problems.push(format!("{}: the bulk copy has not finished; run `migrate` first", t.display()));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(FdwError::Plan { problems }) }
}

pub async fn catch_up(
    source: &Client,
    target: &Client,
    plan: &Plan,
    control: &Progress,
) -> Result<CatchUpReport, FdwError> {
    let started = Instant::now();
    exec(source, "BEGIN ISOLATION LEVEL REPEATABLE READ", "opening a snapshot of the source").await?;
    let result = apply(source, target, plan, control).await;
    let _ = source.batch("COMMIT", "closing the snapshot").await;
    let (ids, tables) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = target.batch("ROLLBACK", "rolling back catch-up").await;
            return Err(e);
        }
    };
    if !ids.is_empty() {
        let context = "removing applied entries from the change log";
        source
            .rows("DELETE FROM confiture_capture.log WHERE id = ANY($1)", &[&ids], context)
            .await
            .map_err(FdwError::db(context))?;
    }
    Ok(CatchUpReport {
        changes: u64::try_from(ids.len()).unwrap_or(0),
        tables,
        seconds: started.elapsed().as_secs_f64(),
    })
}

async fn apply(
    source: &Client,
    target: &Client,
    plan: &Plan,
    control: &Progress,
) -> Result<(Vec<i64>, Vec<CatchUpTable>), FdwError> {
    let context = "reading the change log";
    let rows = source
        .rows("SELECT coalesce(array_agg(id), '{}') FROM confiture_capture.log", &[], context)
        .await
        .map_err(FdwError::db(context))?;
    let ids: Vec<i64> = rows.first().map(|r| r.get(0)).unwrap_or_default();
    if ids.is_empty() {
        return Ok((ids, Vec::new()));
    }
    let context = "counting changes per table";
    let per_table = source
        .rows("SELECT tbl FROM confiture_capture.log GROUP BY tbl", &[], context)
        .await
        .map_err(FdwError::db(context))?;
    let changed: std::collections::BTreeSet<String> = per_table.iter().map(|r| r.get(0)).collect();
    exec(target, "BEGIN", "starting catch-up on the target").await?;
    let never = || false;
    let mut out = Vec::new();
    let mut touched = Vec::new();
    for (i, t) in plan.tables.iter().enumerate() {
        if !changed.contains(&log_name(&t.source)) {
            continue;
        }
        if control.is_cancelled() {
            return Err(FdwError::Cancelled);
        }
        let name = t.display();
        let key_cols: Vec<String> = t.key_columns().iter().map(|c| quote_ident(&c.target)).collect();
        let (keys, rows) = (format!("confiture_keys_{i}"), format!("confiture_rows_{i}"));
        exec(
            target,
            &format!(
                "CREATE TEMP TABLE {keys} ON COMMIT DROP AS SELECT {} FROM {} WHERE false; \
                 CREATE TEMP TABLE {rows} ON COMMIT DROP AS SELECT {} FROM {} WHERE false",
                key_cols.join(", "),
                t.target.sql(),
                t.target_columns(),
                t.target.sql()
            ),
            &format!("preparing catch-up of {name}"),
        )
        .await?;
        let noop = |_: u64| {};
        let pipe = Pipe { label: &name, on_rows: &noop, cancelled: &never };
        let (key_count, _) = pipe
            .run(source, target, &format!("COPY ({}) TO STDOUT", keys_from_log(t)), &format!("COPY {keys} FROM STDIN"))
            .await
            .map_err(|e| sync_error(&name, e))?;
        let source_keys: Vec<String> =
            t.key.iter().map(|k| quote_ident(k.source_column.as_deref().unwrap_or_default())).collect();
        let select = format!(
            "SELECT {} FROM {}{}",
            t.load_exprs(Strategy::Copy),
            t.source.sql(),
            t.where_clause(&[format!("({}) IN ({})", source_keys.join(", "), keys_from_log(t))])
        );
        pipe.run(
            source,
            target,
            &format!("COPY ({select}) TO STDOUT"),
            &format!("COPY {rows} ({}) FROM STDIN", t.target_columns()),
        )
        .await
        .map_err(|e| sync_error(&name, e))?;
        let upsert = format!(
            "INSERT INTO {} ({cols}){} SELECT {cols} FROM {rows}{}",
            t.target.sql(),
            t.overriding(),
            t.upsert_clause(),
            cols = t.target_columns()
        );
        let context = format!("applying changes to {name}");
        let upserted = target
            .raw()
            .execute(upsert.as_str(), &[])
            .await
            .map_err(|e| FdwError::Copy { table: name.clone(), source: crate::db::DbError::query(context, &e) })?;
        touched.push((i, keys, rows));
        out.push(CatchUpTable { table: name, keys: key_count, upserted, deleted: 0 });
    }
    // Deletions children first.
    for (n, (i, keys, rows)) in touched.iter().enumerate().rev() {
        let t = &plan.tables[*i];
        let key_cols: Vec<String> = t.key_columns().iter().map(|c| quote_ident(&c.target)).collect();
        let on =
            |a: &str, b: &str| key_cols.iter().map(|k| format!("{a}.{k} = {b}.{k}")).collect::<Vec<_>>().join(" AND ");
        let sql = format!(
            "DELETE FROM {} t USING {keys} k WHERE {} AND NOT EXISTS (SELECT 1 FROM {rows} r WHERE {})",
            t.target.sql(),
            on("t", "k"),
            on("r", "k")
        );
        let context = format!("deleting rows removed from {}", t.source);
        let deleted = target
            .raw()
            .execute(sql.as_str(), &[])
            .await
            .map_err(|e| FdwError::Copy { table: t.display(), source: crate::db::DbError::query(context, &e) })?;
        out[n].deleted = deleted;
    }
    exec(target, "COMMIT", "committing catch-up").await?;
    Ok((ids, out))
}
