//! Verification: row counts and an order-independent checksum of the mapped columns, computed in
//! SQL on both sides at once (the source's expressions cast to the target's types, so equal data
//! gives equal text). Row hashes are summed in 64 buckets; when totals differ, only the buckets
//! that differ are compared row by row to name a sample of the differing keys.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;

use super::FdwError;
use super::plan::{Plan, PlannedTable};
use crate::db::Client;
use crate::sql::{quote_ident, quote_literal};

/// Differing keys reported per table.
pub const SAMPLE_KEYS: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct KeyDifference {
    /// The key as JSON (`{"id": 42}`).
    pub key: String,
    /// `missing_in_target`, `extra_in_target` or `different`.
    pub problem: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableCheck {
    pub table: String,
    pub source: String,
    pub source_rows: i64,
    pub target_rows: i64,
    pub checksum_match: bool,
    #[serde(rename = "match")]
    pub matched: bool,
    pub differing_keys: Vec<KeyDifference>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub tables: Vec<TableCheck>,
    pub ok: bool,
    pub seconds: f64,
}

struct Side {
    relation: String,
    exprs: Vec<String>,
    key: Vec<(String, String)>,
    filter: String,
}

impl Side {
    fn row(&self) -> String {
        format!("ROW({})::text", self.exprs.join(", "))
    }

    /// The key as JSON, for naming differing rows (built only for the rows of differing buckets).
    fn key_json(&self) -> String {
        if self.key.is_empty() {
            return "''".into();
        }
        let pairs: Vec<String> = self.key.iter().map(|(n, e)| format!("{}, {e}", quote_literal(n))).collect();
        format!("jsonb_build_object({})::text", pairs.join(", "))
    }

    fn hash(&self) -> String {
        format!("hashtextextended({}, 1)", self.row())
    }

    // hashtextextended (PostgreSQL ≥ 11, the same function on every version): a 64-bit hash at a
    // fraction of md5's cost, summed as numeric so the total cannot overflow. The bucket is the
    // hash's low bits: a row that differs lands in a differing bucket on both sides, so comparing
    // the differing buckets row by row finds it.
    fn totals_sql(&self) -> String {
        format!(
            "SELECT (h & 63)::int, count(*), coalesce(sum(h), 0)::text FROM (SELECT {} AS h FROM {}{}) q GROUP BY 1",
            self.hash(),
            self.relation,
            self.filter
        )
    }

    fn rows_sql(&self, buckets: &[i32]) -> String {
        let list: Vec<String> = buckets.iter().map(ToString::to_string).collect();
        format!(
            "SELECT k, h::text FROM (SELECT {} AS k, {} AS h FROM {}{}) q WHERE (h & 63)::int IN ({})",
            self.key_json(),
            self.hash(),
            self.relation,
            self.filter,
            list.join(", ")
        )
    }
}

fn sides(t: &PlannedTable) -> (Side, Side) {
    let key_names: Vec<String> = t.key_columns().iter().map(|c| c.target.clone()).collect();
    let source = Side {
        relation: t.source.sql(),
        exprs: t.columns.iter().map(super::plan::PlannedColumn::check_expr_source).collect(),
        key: t.key.iter().zip(&key_names).map(|(k, n)| (n.clone(), t.columns[k.column].check_expr_source())).collect(),
        filter: t.where_clause(&[]),
    };
    let target = Side {
        relation: t.target.sql(),
        exprs: t.columns.iter().map(super::plan::PlannedColumn::check_expr_target).collect(),
        key: t.key.iter().zip(&key_names).map(|(k, n)| (n.clone(), t.columns[k.column].check_expr_target())).collect(),
        filter: String::new(),
    };
    (source, target)
}

pub type Totals = BTreeMap<i32, (i64, String)>;

async fn totals(client: &Client, side: &Side, what: &str) -> Result<Totals, FdwError> {
    let rows = client.rows(&side.totals_sql(), &[], what).await.map_err(FdwError::db(what))?;
    Ok(rows.iter().map(|r| (r.get::<_, i32>(0), (r.get::<_, i64>(1), r.get::<_, String>(2)))).collect())
}

async fn row_hashes(
    client: &Client,
    side: &Side,
    buckets: &[i32],
    what: &str,
) -> Result<BTreeMap<String, String>, FdwError> {
    let rows = client.rows(&side.rows_sql(buckets), &[], what).await.map_err(FdwError::db(what))?;
    Ok(rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, String>(1))).collect())
}

/// Compares one table.
pub async fn check_table(source: &Client, target: &Client, t: &PlannedTable) -> Result<TableCheck, FdwError> {
    let started = Instant::now();
    let (st, dt) = tokio::join!(source_totals(source, t), target_totals(target, t));
    compare(source, target, t, &st?, &dt?, started).await
}

/// Per-bucket counts and hash sums of `t`'s mapped rows on the source.
pub async fn source_totals(source: &Client, t: &PlannedTable) -> Result<Totals, FdwError> {
    totals(source, &sides(t).0, &format!("checksumming {} on the source", t.source)).await
}

/// The same on the target.
pub async fn target_totals(target: &Client, t: &PlannedTable) -> Result<Totals, FdwError> {
    totals(target, &sides(t).1, &format!("checksumming {} on the target", t.display())).await
}

/// Compares the two sides' totals; when they differ, names a sample of differing keys (read
/// from both sides as they are now).
pub async fn compare(
    source: &Client,
    target: &Client,
    t: &PlannedTable,
    st: &Totals,
    dt: &Totals,
    started: Instant,
) -> Result<TableCheck, FdwError> {
    let (s, d) = sides(t);
    let name = t.display();
    let count = |m: &Totals| m.values().map(|v| v.0).sum::<i64>();
    let differing: Vec<i32> = st
        .keys()
        .chain(dt.keys())
        .copied()
        .collect::<std::collections::BTreeSet<i32>>()
        .into_iter()
        .filter(|b| st.get(b) != dt.get(b))
        .collect();
    let mut differing_keys = Vec::new();
    if !differing.is_empty() && !t.key.is_empty() {
        let (sr, dr) = tokio::join!(
            row_hashes(source, &s, &differing, "reading differing rows on the source"),
            row_hashes(target, &d, &differing, "reading differing rows on the target")
        );
        let (sr, dr) = (sr?, dr?);
        for (k, h) in &sr {
            if differing_keys.len() >= SAMPLE_KEYS {
                break;
            }
            match dr.get(k) {
                None => differing_keys.push(KeyDifference { key: k.clone(), problem: "missing_in_target".into() }),
                Some(h2) if h2 != h => {
                    differing_keys.push(KeyDifference { key: k.clone(), problem: "different".into() })
                }
                Some(_) => {}
            }
        }
        for k in dr.keys().filter(|k| !sr.contains_key(*k)) {
            if differing_keys.len() >= SAMPLE_KEYS {
                break;
            }
            differing_keys.push(KeyDifference { key: k.clone(), problem: "extra_in_target".into() });
        }
    }
    let (source_rows, target_rows) = (count(st), count(dt));
    Ok(TableCheck {
        table: name,
        source: t.source.to_string(),
        source_rows,
        target_rows,
        checksum_match: differing.is_empty(),
        matched: differing.is_empty() && source_rows == target_rows,
        differing_keys,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The tables of `plan` selected by `names` (as written in the mapping or displayed; empty: all).
pub fn select<'a>(plan: &'a Plan, names: &[String]) -> Result<Vec<&'a PlannedTable>, FdwError> {
    if names.is_empty() {
        return Ok(plan.tables.iter().collect());
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for n in names {
        let wanted = crate::sync::TableRef::parse(n).map_err(|m| FdwError::Plan { problems: vec![m] })?;
        let hit = plan
            .tables
            .iter()
            .find(|t| t.target.name == wanted.name && wanted.schema.as_ref().is_none_or(|s| *s == t.target.schema));
        match hit {
            Some(t) => out.push(t),
            None => problems.push(format!("{n} is not a mapped target table")),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(FdwError::Plan { problems }) }
}

pub async fn verify_tables(
    source: &Client,
    target: &Client,
    tables: &[&PlannedTable],
) -> Result<VerifyReport, FdwError> {
    let started = Instant::now();
    let mut checks = Vec::new();
    for t in tables {
        checks.push(check_table(source, target, t).await?);
    }
    Ok(VerifyReport { ok: checks.iter().all(|c| c.matched), tables: checks, seconds: started.elapsed().as_secs_f64() })
}

#[derive(Debug, Clone, Serialize)]
pub struct CountCheck {
    pub source_count: i64,
    pub target_count: i64,
    #[serde(rename = "match")]
    pub matched: bool,
    pub difference: i64,
}

/// fraiseql-confiture's `verify_migration`: `count(*)` of `source_schema.t` (foreign tables, in
/// the target) against `target_schema.t`, per table.
pub async fn count_compare(
    target: &Client,
    tables: &[String],
    source_schema: &str,
    target_schema: &str,
) -> Result<BTreeMap<String, CountCheck>, FdwError> {
    let mut out = BTreeMap::new();
    for t in tables {
        let count = |schema: &str| format!("SELECT count(*) FROM {}.{}", quote_ident(schema), quote_ident(t));
        let context = format!("counting rows of {t}");
        let s = target.rows(&count(source_schema), &[], &context).await.map_err(FdwError::db(context.clone()))?;
        let d = target.rows(&count(target_schema), &[], &context).await.map_err(FdwError::db(context))?;
        let (s, d): (i64, i64) = (s[0].get(0), d[0].get(0));
        out.insert(t.clone(), CountCheck { source_count: s, target_count: d, matched: s == d, difference: d - s });
    }
    Ok(out)
}
