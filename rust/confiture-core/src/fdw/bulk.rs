//! The bulk copy (`migrate`): tables in foreign-key waves (`jobs` tables at once), each in
//! key-range batches planned once and stored on the target; every batch commits together with its
//! "done" row, so a killed run resumes at the first batch not committed. A batch moves either
//! through postgres_fdw (`INSERT … SELECT` on the target) or as a streaming COPY from the source
//! (the sync area's [`Pipe`]); memory stays flat either way.

use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde::Serialize;

use super::FdwError;
use super::mapping::Strategy;
use super::options::S2sOptions;
use super::plan::{Plan, PlannedTable, range_predicate};
use super::session::{exec, open, scalar};
use super::state::{self, Batch};
use crate::db::{Client, DbError};
use crate::sql::quote_ident;
use crate::sync::{Pipe, Progress, SyncError, TableProgress, TableState};

#[derive(Debug, Clone, Serialize)]
pub struct TableRun {
    pub table: String,
    pub source: String,
    pub strategy: String,
    /// `copied`, `resumed` (some batches were committed by an earlier run) or `skipped` (done before).
    pub status: String,
    /// Rows written by this run.
    pub rows: u64,
    pub batches: usize,
    /// Batches already committed by an earlier run.
    pub batches_before: usize,
    pub seconds: f64,
    pub rows_per_second: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrateReport {
    pub tables: Vec<TableRun>,
    /// Load waves (tables of a wave depend only on earlier waves).
    pub order: Vec<Vec<String>>,
    pub rows: u64,
    pub seconds: f64,
    pub warnings: Vec<String>,
}

/// Streams the rows of `select` (run on the source) into the table's target columns with COPY;
/// returns the rows the target's COPY reported.
pub(super) async fn copy_select(
    pipe: &Pipe<'_>,
    source: &Client,
    target: &Client,
    t: &PlannedTable,
    select: &str,
) -> Result<u64, FdwError> {
    let copy_in = format!("COPY {} ({}) FROM STDIN", t.target.sql(), t.target_columns());
    let (_, written) = pipe
        .run(source, target, &format!("COPY ({select}) TO STDOUT"), &copy_in)
        .await
        .map_err(|e| sync_error(pipe.label, e))?;
    Ok(written)
}

pub(super) fn sync_error(table: &str, e: SyncError) -> FdwError {
    match e {
        SyncError::Copy { source, .. } => FdwError::Copy { table: table.to_string(), source },
        SyncError::Cancelled => FdwError::Cancelled,
        other => FdwError::Table { table: table.to_string(), message: other.to_string() },
    }
}

/// The relation the source rows are read from: the foreign table (fdw) or the source table (copy).
pub(super) fn source_relation(t: &PlannedTable, options: &S2sOptions, strategy: Strategy) -> String {
    match strategy {
        Strategy::Fdw => {
            format!("{}.{}", quote_ident(&options.foreign_schema_for(&t.source.schema)), quote_ident(&t.source.name))
        }
        Strategy::Copy | Strategy::Auto => t.source.sql(),
    }
}

/// `SET LOCAL search_path` to the foreign schemas (the source table's, then `public`'s), then the
/// target's own.
pub(super) fn fdw_search_path(t: &PlannedTable, options: &S2sOptions) -> String {
    let mut path = vec![quote_ident(&options.foreign_schema_for(&t.source.schema))];
    let public = quote_ident(&options.foreign_schema_for("public"));
    if !path.contains(&public) {
        path.push(public);
    }
    format!("SET LOCAL search_path = {}, \"$user\", public", path.join(", "))
}

const INTEGER_TYPES: [&str; 3] = ["smallint", "integer", "bigint"];

/// Key ranges of about `batch_rows` rows: from min/max for a single integer key (no scan), from
/// every `batch_rows`-th key otherwise (one index-ordered scan).
async fn plan_batches(source: &Client, t: &PlannedTable, batch_rows: u64) -> Result<Vec<Batch>, FdwError> {
    let rows = u64::try_from(t.rows).unwrap_or(0);
    let one = || vec![Batch { number: 1, lo: None, hi: None, done: false, rows: 0 }];
    if !t.plain_key() || rows <= batch_rows + batch_rows / 2 {
        return Ok(one());
    }
    let count = rows.div_ceil(batch_rows.max(1));
    let keys: Vec<String> = t.key.iter().map(|k| quote_ident(k.source_column.as_deref().unwrap_or_default())).collect();
    let mut bounds: Vec<Vec<String>> = Vec::new();
    let integer = t.key.len() == 1 && t.key[0].source_type.as_deref().is_some_and(|ty| INTEGER_TYPES.contains(&ty));
    if integer {
        let context = format!("planning batches of {}", t.source);
        let sql = format!("SELECT min({0})::int8, max({0})::int8 FROM {1}", keys[0], t.source.sql());
        let r = source.rows(&sql, &[], &context).await.map_err(FdwError::db(context))?;
        let (Some(min), Some(max)) =
            (r.first().and_then(|r| r.get::<_, Option<i64>>(0)), r.first().and_then(|r| r.get::<_, Option<i64>>(1)))
        else {
            return Ok(one());
        };
        let span = i128::from(max) - i128::from(min) + 1;
        let step = (span + i128::from(count) - 1) / i128::from(count);
        for i in 1..i128::from(count) {
            let b = i128::from(min) - 1 + step * i;
            if b >= i128::from(max) {
                break;
            }
            bounds.push(vec![b.to_string()]);
        }
    } else {
        let context = format!("planning batches of {}", t.source);
        let texts: Vec<String> = keys.iter().map(|k| format!("{k}::text")).collect();
        let sql = format!(
            "SELECT ARRAY[{texts}] FROM (SELECT {keys}, row_number() OVER (ORDER BY {keys}) AS confiture_rn FROM {rel}) q \
             WHERE confiture_rn % {batch_rows} = 0 ORDER BY confiture_rn",
            texts = texts.join(", "),
            keys = keys.join(", "),
            rel = t.source.sql(),
        );
        let r = source.rows(&sql, &[], &context).await.map_err(FdwError::db(context))?;
        bounds = r.iter().map(|row| row.get::<_, Vec<String>>(0)).collect();
    }
    let mut batches = Vec::new();
    let mut lo: Option<Vec<String>> = None;
    for (i, b) in bounds.into_iter().enumerate() {
        batches.push(Batch {
            number: i32::try_from(i + 1).unwrap_or(i32::MAX),
            lo: lo.take(),
            hi: Some(b.clone()),
            done: false,
            rows: 0,
        });
        lo = Some(b);
    }
    batches.push(Batch {
        number: i32::try_from(batches.len() + 1).unwrap_or(i32::MAX),
        lo,
        hi: None,
        done: false,
        rows: 0,
    });
    Ok(batches)
}

/// What every batch of a table shares.
#[derive(Clone, Copy)]
struct BatchContext<'a> {
    options: &'a S2sOptions,
    /// The run's exported source snapshot (COPY reads).
    snapshot: Option<&'a str>,
    on_rows: &'a (dyn Fn(u64) + Sync),
    cancelled: &'a (dyn Fn() -> bool + Sync),
}

/// Runs one batch inside a target transaction; returns the rows written.
async fn run_batch(
    source: &Client,
    target: &Client,
    t: &PlannedTable,
    batch: &Batch,
    cx: &BatchContext<'_>,
) -> Result<u64, FdwError> {
    let BatchContext { options, snapshot, on_rows, cancelled } = *cx;
    let started = Instant::now();
    let name = t.display();
    let range = range_predicate(t, batch.lo.as_deref(), batch.hi.as_deref());
    let relation = source_relation(t, options, t.strategy);
    let select = format!("SELECT {} FROM {relation}{}", t.load_exprs(t.strategy), t.where_clause(&[range]));
    exec(target, "BEGIN", "starting a batch").await?;
    let result = async {
        let rows = match t.strategy {
            Strategy::Fdw => {
                // Expressions and filters may name other source tables: resolve them among the
                // foreign tables first, as they would resolve on the source.
                exec(target, &fdw_search_path(t, options), "setting search_path").await?;
                let sql = format!("INSERT INTO {} ({}){} {select}", t.target.sql(), t.target_columns(), t.overriding());
                let context = format!("copying {name} through postgres_fdw");
                let n =
                    target.raw().execute(sql.as_str(), &[]).await.map_err(|e| {
                        match super::server::reach_error(
                            DbError::query(&context, &e),
                            &options.server_name,
                            "the source",
                            &context,
                        ) {
                            FdwError::Db { source, .. } => FdwError::Copy { table: name.clone(), source },
                            reach => reach,
                        }
                    })?;
                on_rows(n);
                n
            }
            Strategy::Copy | Strategy::Auto => {
                // Every batch of every table reads the run's one snapshot: rows consistent across
                // tables (foreign keys hold); later changes are the change log's.
                if let Some(id) = snapshot {
                    exec(
                        source,
                        &format!(
                            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT {}",
                            crate::sql::quote_literal(id)
                        ),
                        "reading the source's snapshot",
                    )
                    .await?;
                }
                let pipe = Pipe { label: &name, on_rows, cancelled };
                let copied = copy_select(&pipe, source, target, t, &select).await;
                if snapshot.is_some() {
                    let _ = source.batch("COMMIT", "closing the snapshot").await;
                }
                copied?
            }
        };
        let key = t.target.sql();
        exec(
            target,
            &state::mark_done_sql(&key, batch.number, rows, started.elapsed().as_secs_f64()),
            "recording the batch",
        )
        .await?;
        exec(target, "COMMIT", "committing a batch").await?;
        Ok::<u64, FdwError>(rows)
    }
    .await;
    if result.is_err() {
        let _ = target.batch("ROLLBACK", "rolling back a batch").await;
    }
    result
}

async fn copy_table(
    source: &Client,
    target: &Client,
    t: &PlannedTable,
    options: &S2sOptions,
    progress: &TableProgress,
    control: &Progress,
    snapshot: Option<&str>,
) -> Result<TableRun, FdwError> {
    let started = Instant::now();
    let key = t.target.sql();
    let mut batches = state::batches(target, &key).await?;
    if batches.is_empty() {
        batches = plan_batches(source, t, options.batch_rows).await?;
        state::save_batches(target, &key, t.strategy.name(), &batches).await?;
    }
    let before = batches.iter().filter(|b| b.done).count();
    let done_rows: i64 = batches.iter().filter(|b| b.done).map(|b| b.rows).sum();
    progress.add_rows(u64::try_from(done_rows).unwrap_or(0));
    let status = if before == batches.len() {
        progress.set_state(TableState::Skipped);
        "skipped"
    } else if before > 0 {
        "resumed"
    } else {
        "copied"
    };
    if before < batches.len() {
        progress.set_state(TableState::Copying);
    }
    let mut rows = 0u64;
    let on_rows = |n: u64| progress.add_rows(n);
    let cancelled = || control.is_cancelled();
    let cx = BatchContext { options, snapshot, on_rows: &on_rows, cancelled: &cancelled };
    for b in batches.iter().filter(|b| !b.done) {
        if control.is_cancelled() {
            return Err(FdwError::Cancelled);
        }
        rows += run_batch(source, target, t, b, &cx).await?;
    }
    // No ANALYZE here (as pg_restore): autovacuum analyzes a table this size of inserts soon, and
    // a user in a hurry runs it before the cutover.
    if before < batches.len() {
        progress.set_state(TableState::Done);
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(TableRun {
        table: t.display(),
        source: t.source.to_string(),
        strategy: t.strategy.name().into(),
        status: status.into(),
        rows,
        batches: batches.len(),
        batches_before: before,
        seconds,
        rows_per_second: if seconds > 0.0 { rows as f64 / seconds } else { 0.0 },
    })
}

/// Loading sessions: no waiting for WAL flushes (each batch records itself in its own
/// transaction, so a lost commit is simply redone), and triggers and foreign-key checks off like
/// `pg_restore --disable-triggers` when the role may: tables copied at different moments need not
/// agree until catch-up, and verify checks the result. Returns whether triggers are off.
async fn target_session(target: &Client) -> Result<bool, FdwError> {
    exec(target, "SET synchronous_commit = off", "setting up the target session").await?;
    Ok(target.batch("SET session_replication_role = replica", "").await.is_ok())
}

/// Target tables that no run has started and that already hold rows.
async fn non_empty_unstarted(target: &Client, plan: &Plan) -> Result<Vec<String>, FdwError> {
    let mut out = Vec::new();
    for t in &plan.tables {
        if !state::batches(target, &t.target.sql()).await?.is_empty() {
            continue;
        }
        let has = scalar(
            target,
            &format!("SELECT EXISTS (SELECT 1 FROM {})::text", t.target.sql()),
            "checking the target is empty",
        )
        .await?;
        if has.as_deref() == Some("true") {
            out.push(t.display());
        }
    }
    Ok(out)
}

/// Checks every fdw-strategy table has its foreign table.
pub(super) async fn check_foreign_tables(target: &Client, plan: &Plan, options: &S2sOptions) -> Result<(), FdwError> {
    for t in plan.tables.iter().filter(|t| t.strategy == Strategy::Fdw) {
        let relation = source_relation(t, options, Strategy::Fdw);
        let found = scalar(
            target,
            &format!("SELECT (pg_catalog.to_regclass({}) IS NOT NULL)::text", crate::sql::quote_literal(&relation)),
            "looking for foreign tables",
        )
        .await?;
        if found.as_deref() != Some("true") {
            return Err(super::server::missing_foreign_table(&options.foreign_schema_for(&t.source.schema), &t.source));
        }
    }
    Ok(())
}

pub async fn migrate(options: &S2sOptions, control: &Progress) -> Result<MigrateReport, crate::Error> {
    let started = Instant::now();
    let mapping = options
        .mapping
        .as_ref()
        .ok_or_else(|| FdwError::Plan { problems: vec!["migrate needs a mapping (--mapping FILE)".into()] })?;
    control.set_phase("planning");
    let source = open(&options.source, "source").await?;
    let target = open(&options.target, "target").await?;
    let plan = super::plan::plan(&source, &target, mapping, options).await?;
    check_foreign_tables(&target, &plan, options).await?;
    state::ensure(&target).await?;
    if options.truncate || options.restart {
        let keys: Vec<String> = plan.tables.iter().map(|t| t.target.sql()).collect();
        if options.truncate {
            exec(&target, &format!("TRUNCATE {}", keys.join(", ")), "emptying the target tables (--truncate)").await?;
        }
        target
            .rows(
                "DELETE FROM confiture_s2s.batches WHERE target_table = ANY($1)",
                &[&keys],
                "forgetting earlier progress",
            )
            .await
            .map_err(FdwError::db("forgetting earlier progress"))?;
    } else {
        let busy = non_empty_unstarted(&target, &plan).await?;
        if !busy.is_empty() {
            return Err(FdwError::TargetNotEmpty { count: busy.len(), tables: busy }.into());
        }
    }
    state::save_mapping(&target, mapping).await?;
    let fast = target_session(&target).await?;
    let mut warnings = plan.warnings.clone();
    if !fast {
        warnings.push(
            "foreign keys are checked while loading (the target role may not set session_replication_role): \
             rows the source gains during the copy can make a child batch fail; run catch-up, then migrate again"
                .into(),
        );
    }
    // One snapshot for all COPY reads of this run, held by its own connection.
    let holder = open(&options.source, "source").await?;
    let snapshot = if plan.tables.iter().any(|t| t.strategy != Strategy::Fdw) {
        exec(&holder, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "opening a snapshot of the source").await?;
        scalar(&holder, "SELECT pg_catalog.pg_export_snapshot()", "exporting the snapshot").await?
    } else {
        None
    };
    let snapshot = snapshot.as_deref();
    let handles = control.set_tables(plan.tables.iter().map(|t| (t.display(), t.rows)).collect());
    control.set_phase("copying");
    let jobs = options.jobs.max(1);
    let mut runs: Vec<Option<TableRun>> = vec![None; plan.tables.len()];
    // Extra connection pairs for parallel jobs.
    let mut pairs: Vec<(Client, Client)> = Vec::new();
    let widest = plan.waves.iter().map(Vec::len).max().unwrap_or(1);
    for _ in 1..jobs.min(widest) {
        let s = open(&options.source, "source").await?;
        let t = open(&options.target, "target").await?;
        target_session(&t).await?;
        pairs.push((s, t));
    }
    let mut all: Vec<(&Client, &Client)> = vec![(&source, &target)];
    all.extend(pairs.iter().map(|(s, t)| (s, t)));
    for wave in &plan.waves {
        let mut queue = wave.iter().copied();
        let mut running = FuturesUnordered::new();
        let mut free: Vec<usize> = (0..all.len()).collect();
        loop {
            while let Some(slot) = free.pop() {
                let Some(i) = queue.next() else {
                    break;
                };
                let (s, t) = all[slot];
                let handle = Arc::clone(&handles[i]);
                let table = &plan.tables[i];
                running.push(async move {
                    let r = copy_table(s, t, table, options, &handle, control, snapshot).await;
                    if r.is_err() {
                        handle.set_state(TableState::Failed);
                    }
                    (slot, i, r)
                });
            }
            let Some((slot, i, r)) = running.next().await else {
                break;
            };
            runs[i] = Some(r?);
            free.push(slot);
        }
    }
    for (s, t) in pairs {
        s.close().await;
        t.close().await;
    }
    let _ = holder.batch("COMMIT", "releasing the snapshot").await;
    holder.close().await;
    source.close().await;
    target.close().await;
    control.set_phase("done");
    let tables: Vec<TableRun> = runs.into_iter().flatten().collect();
    let rows = tables.iter().map(|r| r.rows).sum();
    Ok(MigrateReport {
        order: plan.waves.iter().map(|w| w.iter().map(|i| plan.tables[*i].display()).collect()).collect(),
        tables,
        rows,
        seconds: started.elapsed().as_secs_f64(),
        warnings,
    })
}
