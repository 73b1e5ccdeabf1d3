//! The leak check after loading a table, inside the target transaction (so a failure commits
//! nothing): sampled rows are looked up in the target by primary key, and a column whose target
//! value still equals the source's original (where the strategy should have changed it) fails the
//! sync. Tables without a primary key are searched for the sampled originals instead, for
//! strategies whose outputs cannot plausibly equal another row's original; other columns of such
//! tables are reported as not verified.

use serde::Serialize;
use tokio_postgres::types::ToSql;

use super::SyncError;
use super::copy::Sample;
use super::plan::PlannedTable;
use crate::db::{Client, DbError};
use crate::sql::quote_ident;

/// What the check did for one table.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// `primary key`, `value search`, or `not verified: …`.
    pub method: String,
    pub sampled: usize,
    /// Columns not checked (and why).
    pub unchecked: Vec<String>,
}

/// Strategies whose outputs are long random strings or fixed texts: an original value found
/// anywhere in the column is a leak.
const SEARCHABLE: &[&str] = &[
    "constant",
    "credit_card",
    "email",
    "hash",
    "masking_retention",
    "null",
    "redact",
    "salted_hashing",
    "text_redaction",
    "tokenization",
];

pub async fn verify(target: &Client, table: &PlannedTable, samples: &[Sample]) -> Result<Verification, SyncError> {
    let db_error = |e: tokio_postgres::Error| SyncError::Copy {
        table: table.display.clone(),
        source: DbError::query("verifying anonymization", &e),
    };
    let checkable = |s: &Sample, slot: usize| match (&s.original[slot], &s.output[slot]) {
        (Some(o), out) => out.as_deref() != Some(o.as_str()),
        (None, _) => false,
    };
    if !table.primary_key.is_empty() {
        // SELECT s.i, t."c1"::text, … FROM unnest($1::int4[], $2::text[], …) s(i, k0, …)
        //   JOIN "s"."t" t ON t."pk0" = s.k0::type AND …
        let columns: Vec<String> =
            table.anonymized.iter().map(|c| format!("t.{}::text", quote_ident(&c.column))).collect();
        let keys: Vec<String> = (0..table.primary_key.len()).map(|k| format!("k{k}")).collect();
        let join: Vec<String> = table
            .primary_key
            .iter()
            .enumerate()
            .map(|(k, (i, ty))| format!("t.{} = s.k{k}::{ty}", quote_ident(&table.columns[*i])))
            .collect();
        let params_sql: Vec<String> = (0..=table.primary_key.len())
            .map(|p| format!("${}::{}", p + 1, if p == 0 { "int4[]" } else { "text[]" }))
            .collect();
        let sql = format!(
            "SELECT s.i, {} FROM unnest({}) AS s(i, {}) JOIN {} t ON {}",
            columns.join(", "),
            params_sql.join(", "),
            keys.join(", "),
            table.name.sql(),
            join.join(" AND ")
        );
        let ids: Vec<i32> = (0..samples.len() as i32).collect();
        let key_columns: Vec<Vec<String>> =
            (0..table.primary_key.len()).map(|k| samples.iter().map(|s| s.key[k].clone()).collect()).collect();
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&ids];
        for k in &key_columns {
            params.push(k);
        }
        let rows = target.raw().query(sql.as_str(), &params).await.map_err(db_error)?;
        for row in rows {
            let i: i32 = row.get(0);
            let Some(sample) = samples.get(i as usize) else {
                continue;
            };
            for (slot, col) in table.anonymized.iter().enumerate() {
                let now: Option<String> = row.get(slot + 1);
                if checkable(sample, slot) && now.is_some() && now == sample.original[slot] {
                    return Err(SyncError::Leak { table: table.display.clone(), column: col.column.clone(), count: 1 });
                }
            }
        }
        return Ok(Verification { method: "primary key".into(), sampled: samples.len(), unchecked: Vec::new() });
    }
    let mut unchecked = Vec::new();
    for (slot, col) in table.anonymized.iter().enumerate() {
        if !SEARCHABLE.contains(&col.rule.kind.as_str()) {
            unchecked.push(format!(
                "{} ({} has few possible outputs; the table has no primary key)",
                col.column, col.rule.kind
            ));
            continue;
        }
        let originals: Vec<String> =
            samples.iter().filter(|s| checkable(s, slot)).filter_map(|s| s.original[slot].clone()).collect();
        if originals.is_empty() {
            continue;
        }
        let sql = format!(
            "SELECT count(*) FROM {} t WHERE t.{}::text = ANY($1::text[])",
            table.name.sql(),
            quote_ident(&col.column)
        );
        let rows = target.raw().query(sql.as_str(), &[&originals]).await.map_err(db_error)?;
        let found: i64 = rows.first().map_or(0, |r| r.get(0));
        if found > 0 {
            return Err(SyncError::Leak {
                table: table.display.clone(),
                column: col.column.clone(),
                count: found as usize,
            });
        }
    }
    Ok(Verification { method: "value search".into(), sampled: samples.len(), unchecked })
}
