//! Cutover: a catch-up while writes continue (to shrink the backlog), then a write freeze on the
//! mapped source tables (`LOCK … IN EXCLUSIVE MODE` under `lock_timeout`: reads go on, writes
//! wait) holding the final catch-up and the source's checksums, the freeze lifted, the target's
//! checksums compared with them, and the target's sequences moved past the copied keys.

use std::time::Instant;

use serde::Serialize;

use super::FdwError;
use super::catchup::{CatchUpReport, catch_up};
use super::plan::Plan;
use super::session::exec;
use super::verify::{VerifyReport, compare, source_totals, target_totals};
use crate::db::{Client, DbError};
use crate::sql::quote_literal;
use crate::sync::Progress;

#[derive(Debug, Clone, Serialize)]
pub struct SequenceSet {
    pub table: String,
    pub column: String,
    pub sequence: String,
    /// The value `nextval` returns next.
    pub next_value: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CutoverReport {
    pub catch_up: CatchUpReport,
    pub frozen_catch_up: CatchUpReport,
    pub verify: Option<VerifyReport>,
    pub sequences: Vec<SequenceSet>,
    /// Time spent waiting for the lock (writers already running finish first).
    pub lock_wait_seconds: f64,
    /// How long writes to the source tables were blocked.
    pub freeze_seconds: f64,
    pub ok: bool,
    pub seconds: f64,
}

/// Moves each sequence owned by a mapped target column past the largest value copied.
pub async fn set_sequences(target: &Client, plan: &Plan) -> Result<Vec<SequenceSet>, FdwError> {
    let mut out = Vec::new();
    for t in &plan.tables {
        let table = t.target.sql();
        let context = format!("finding the sequences of {}", t.display());
        let rows = target
            .rows(
                "SELECT a.attname::text, pg_catalog.pg_get_serial_sequence($1, a.attname) FROM pg_catalog.pg_attribute a \
                 WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped \
                   AND pg_catalog.pg_get_serial_sequence($1, a.attname) IS NOT NULL ORDER BY a.attnum",
                &[&table],
                &context,
            )
            .await
            .map_err(FdwError::db(context))?;
        for r in rows {
            let (column, sequence): (String, String) = (r.get(0), r.get(1));
            if !t.columns.iter().any(|c| c.target == column) {
                continue;
            }
            let sql = format!(
                "SELECT pg_catalog.setval({seq}, m + 1, false) + 0 FROM (SELECT max({col})::int8 AS m FROM {table}) q WHERE m IS NOT NULL",
                seq = quote_literal(&sequence),
                col = crate::sql::quote_ident(&column),
            );
            let context = format!("setting sequence {sequence}");
            let set = target.rows(&sql, &[], &context).await.map_err(FdwError::db(context))?;
            if let Some(v) = set.first() {
                out.push(SequenceSet { table: t.display(), column, sequence, next_value: v.get(0) });
            }
        }
    }
    Ok(out)
}

pub async fn cutover(
    source: &Client,
    locker: &Client,
    target: &Client,
    plan: &Plan,
    lock_timeout_ms: u64,
    verify: bool,
    control: &Progress,
) -> Result<CutoverReport, FdwError> {
    let started = Instant::now();
    control.set_phase("catching up");
    let first = catch_up(source, target, plan, control).await?;
    control.set_phase("freezing writes");
    let mut sources: Vec<String> = plan.tables.iter().map(|t| t.source.sql()).collect();
    sources.sort();
    sources.dedup();
    exec(locker, "BEGIN", "starting the write freeze").await?;
    exec(locker, &format!("SET LOCAL lock_timeout = '{lock_timeout_ms}ms'"), "setting lock_timeout").await?;
    let asked = Instant::now();
    if let Err(e) =
        locker.batch(&format!("LOCK TABLE {} IN EXCLUSIVE MODE", sources.join(", ")), "freezing writes").await
    {
        let _ = locker.batch("ROLLBACK", "ending the freeze").await;
        if let DbError::Server { info, .. } = &e
            && info.code == "55P03"
        {
            return Err(FdwError::LockTimeout { timeout_ms: lock_timeout_ms, tables: sources.join(", ") });
        }
        return Err(FdwError::Db { context: "freezing writes on the source".into(), source: e });
    }
    let frozen = Instant::now();
    let lock_wait_seconds = frozen.duration_since(asked).as_secs_f64();
    control.set_phase("final catch-up (writes frozen)");
    // Inside the freeze: the final catch-up and the source's checksums (the source as of the
    // freeze). The target's side is read after the freeze is lifted: nothing writes to the target
    // but catch-up, so it is the same, and the freeze lasts one side's checksum, not two.
    let inside = async {
        let last = catch_up(source, target, plan, control).await?;
        let mut totals = Vec::new();
        if verify {
            control.set_phase("checksumming the source (writes frozen)");
            for t in &plan.tables {
                totals.push((t, Instant::now(), source_totals(source, t).await?));
            }
        }
        Ok::<_, FdwError>((last, totals))
    }
    .await;
    let _ = locker.batch("COMMIT", "lifting the write freeze").await;
    let freeze_seconds = frozen.elapsed().as_secs_f64();
    let (last, totals) = inside?;
    let verify_report = if verify {
        control.set_phase("checksumming the target");
        let verified = Instant::now();
        let mut tables = Vec::new();
        for (t, started, st) in &totals {
            let dt = target_totals(target, t).await?;
            tables.push(compare(source, target, t, st, &dt, *started).await?);
        }
        Some(VerifyReport { ok: tables.iter().all(|c| c.matched), tables, seconds: verified.elapsed().as_secs_f64() })
    } else {
        None
    };
    control.set_phase("setting sequences");
    let sequences = set_sequences(target, plan).await?;
    let ok = verify_report.as_ref().is_none_or(|v| v.ok);
    Ok(CutoverReport {
        catch_up: first,
        frozen_catch_up: last,
        verify: verify_report,
        sequences,
        lock_wait_seconds,
        freeze_seconds,
        ok,
        seconds: started.elapsed().as_secs_f64(),
    })
}
