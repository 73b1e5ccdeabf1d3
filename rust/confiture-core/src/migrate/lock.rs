//! The migration lock: a session-level advisory lock `(1751936052, id)` where `id` comes from the
//! database name (fraiseql-confiture's constants, so both tools exclude each other). Blocking
//! acquisition waits at most `timeout_ms` (via `lock_timeout`); non-blocking fails at once. Either
//! way the holder (pid, application, user, since) is named on contention.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::MigrateError;
use super::error::LockHolder;
use crate::db::{Executor, Query};

/// `MigrationLock.DEFAULT_LOCK_NAMESPACE` of fraiseql-confiture.
pub const LOCK_NAMESPACE: i32 = 1_751_936_052;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LockMode {
    /// Wait up to this many milliseconds (0: forever).
    Blocking {
        timeout_ms: u64,
    },
    NonBlocking,
}

/// The lock id of a database: the first four bytes of sha256(name), big-endian, as a positive int.
pub fn lock_id(database: &str) -> i32 {
    let digest = Sha256::digest(database.as_bytes());
    let value = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) & 0x7FFF_FFFF;
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn one_text(exec: &mut dyn Executor, sql: &str, context: &str) -> Result<Option<String>, MigrateError> {
    let rows = exec.query(&Query::new(sql)).map_err(|e| MigrateError::exec(context, e))?;
    Ok(rows.into_iter().next().and_then(|r| r.into_iter().next().flatten()))
}

/// Takes the lock.
pub fn acquire(exec: &mut dyn Executor, id: i32, mode: LockMode) -> Result<(), MigrateError> {
    match mode {
        LockMode::NonBlocking => {
            let got = one_text(
                exec,
                &format!("SELECT pg_try_advisory_lock({LOCK_NAMESPACE}, {id})::text"),
                "taking the migration lock",
            )?;
            if got.as_deref() == Some("true") {
                Ok(())
            } else {
                Err(MigrateError::LockBusy { holder: holder(exec, id)?.map(Box::new) })
            }
        }
        LockMode::Blocking { timeout_ms } => {
            // lock_timeout bounds the wait; the session's own value is put back afterwards.
            let previous =
                one_text(exec, "SELECT current_setting('lock_timeout')", "reading lock_timeout")?.unwrap_or_default();
            exec.query(
                &Query::new("SELECT set_config('lock_timeout', ")
                    .param(Some(format!("{timeout_ms}ms")))
                    .sql(", false)"),
            )
            .map_err(|e| MigrateError::exec("setting lock_timeout", e))?;
            let result = exec.query(&Query::new(&format!("SELECT pg_advisory_lock({LOCK_NAMESPACE}, {id})::text")));
            let restored = exec
                .query(&Query::new("SELECT set_config('lock_timeout', ").param(Some(previous)).sql(", false)"))
                .map_err(|e| MigrateError::exec("restoring lock_timeout", e));
            match result {
                Ok(_) => restored.map(drop),
                Err(e) if e.code() == Some("55P03") => {
                    restored?;
                    Err(MigrateError::LockTimeout { timeout_ms, holder: holder(exec, id)?.map(Box::new) })
                }
                Err(e) => Err(MigrateError::exec("taking the migration lock", e)),
            }
        }
    }
}

/// Releases the lock (a no-op when not held).
pub fn release(exec: &mut dyn Executor, id: i32) -> Result<(), MigrateError> {
    one_text(exec, &format!("SELECT pg_advisory_unlock({LOCK_NAMESPACE}, {id})::text"), "releasing the migration lock")
        .map(drop)
}

/// Whether anyone holds the lock.
pub fn is_locked(exec: &mut dyn Executor, id: i32) -> Result<bool, MigrateError> {
    Ok(holder(exec, id)?.is_some())
}

/// The session holding the lock, if any.
pub fn holder(exec: &mut dyn Executor, id: i32) -> Result<Option<LockHolder>, MigrateError> {
    let rows = exec
        .query(&Query::new(&format!(
            "SELECT a.pid::text, a.usename::text, a.application_name::text, a.client_addr::text, \
             a.backend_start::text, a.state::text \
             FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {LOCK_NAMESPACE}::oid \
             AND l.objid = {id}::oid AND l.objsubid = 2 LIMIT 1"
        )))
        .map_err(|e| MigrateError::exec("looking up the lock holder", e))?;
    Ok(rows.into_iter().next().map(|mut r| {
        r.resize(6, None);
        LockHolder {
            pid: r[0].take().and_then(|p| p.parse().ok()).unwrap_or(0),
            user: r[1].take(),
            application: r[2].take(),
            client_addr: r[3].take(),
            started_at: r[4].take(),
            state: r[5].take(),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_id_matches_the_reference() {
        // The reference documents confiture_test → 886844087.
        assert_eq!(lock_id("confiture_test"), 886_844_087);
        assert!(lock_id("") >= 0);
    }
}
