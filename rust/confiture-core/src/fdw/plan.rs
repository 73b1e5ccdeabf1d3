//! The mapping resolved against both catalogs: for each target table its source, the SQL of each
//! mapped column, the key, the strategy, and the foreign-key load order. Every problem is reported
//! at once, before anything is written.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::FdwError;
use super::mapping::{Mapping, Strategy, TableMapping};
use super::options::S2sOptions;
use crate::db::Client;
use crate::sql::{Fragment, quote_ident, quote_literal};
use crate::sync::catalog::Catalog;
use crate::sync::order::units;
use crate::sync::{TableName, TableRef};

#[derive(Debug, Clone, Serialize)]
pub struct PlannedColumn {
    pub target: String,
    /// SQL over the source row: a quoted column or the user's expression in parentheses.
    pub expr: String,
    /// The target column's type with its modifiers (checksums) and without them (loading, so a
    /// too-long value fails instead of being cut).
    pub type_full: String,
    pub type_base: String,
    /// The target's type exists on the source, so the source can cast to it.
    pub castable_on_source: bool,
}

impl PlannedColumn {
    /// The value for loading, cast to the target type where it is computed: on the target
    /// (`on_target`, through postgres_fdw) always; on the source when the source knows the type
    /// (otherwise COPY's text is parsed by the target's column type).
    pub fn load_expr(&self, on_target: bool) -> String {
        if on_target || self.castable_on_source {
            format!("({})::{}", self.expr, self.type_base)
        } else {
            self.expr.clone()
        }
    }

    /// The source-side value as checksums compare it.
    pub fn check_expr_source(&self) -> String {
        if self.castable_on_source {
            format!("({})::{}", self.expr, self.type_full)
        } else {
            format!("({})::text", self.expr)
        }
    }

    /// The target-side value as checksums compare it.
    pub fn check_expr_target(&self) -> String {
        if self.castable_on_source { quote_ident(&self.target) } else { format!("{}::text", quote_ident(&self.target)) }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyColumn {
    /// Index into `columns`.
    pub column: usize,
    /// The source column it is copied from, when it is a plain column (batches and catch-up need it).
    pub source_column: Option<String>,
    pub source_type: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedTable {
    pub target: TableName,
    pub source: TableName,
    pub columns: Vec<PlannedColumn>,
    pub filter: Option<String>,
    pub key: Vec<KeyColumn>,
    pub strategy: Strategy,
    /// Source rows, estimated (exact when the table was never analyzed).
    pub rows: i64,
    pub source_bytes: i64,
    /// Some mapped target column is an identity column.
    pub identity: bool,
    /// The source table's primary key (what the change log records).
    pub source_key: Vec<String>,
    pub source_key_types: Vec<String>,
}

impl PlannedTable {
    pub fn display(&self) -> String {
        self.target.to_string()
    }

    pub fn target_columns(&self) -> String {
        self.columns.iter().map(|c| quote_ident(&c.target)).collect::<Vec<_>>().join(", ")
    }

    /// The mapped values as the chosen strategy reads them (see [`PlannedColumn::load_expr`]).
    pub fn load_exprs(&self, strategy: Strategy) -> String {
        self.columns.iter().map(|c| c.load_expr(strategy == Strategy::Fdw)).collect::<Vec<_>>().join(", ")
    }

    pub fn key_columns(&self) -> Vec<&PlannedColumn> {
        self.key.iter().map(|k| &self.columns[k.column]).collect()
    }

    /// Every key column comes from a plain source column (key ranges and catch-up need that).
    pub fn plain_key(&self) -> bool {
        !self.key.is_empty() && self.key.iter().all(|k| k.source_column.is_some())
    }

    /// `WHERE …` for the source side (filter and extra conditions), or an empty string.
    pub fn where_clause(&self, extra: &[String]) -> String {
        let mut parts: Vec<String> = self.filter.iter().map(|f| format!("({f})")).collect();
        parts.extend(extra.iter().filter(|e| !e.is_empty()).cloned());
        if parts.is_empty() { String::new() } else { format!(" WHERE {}", parts.join(" AND ")) }
    }

    /// `ON CONFLICT (key) DO UPDATE SET …` for re-applying changed rows.
    pub fn upsert_clause(&self) -> String {
        let keys: BTreeSet<usize> = self.key.iter().map(|k| k.column).collect();
        let conflict = self.key_columns().iter().map(|c| quote_ident(&c.target)).collect::<Vec<_>>().join(", ");
        let sets: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(i, _)| !keys.contains(i))
            .map(|(_, c)| format!("{0} = EXCLUDED.{0}", quote_ident(&c.target)))
            .collect();
        if sets.is_empty() {
            format!(" ON CONFLICT ({conflict}) DO NOTHING")
        } else {
            format!(" ON CONFLICT ({conflict}) DO UPDATE SET {}", sets.join(", "))
        }
    }

    pub fn overriding(&self) -> &'static str {
        if self.identity { " OVERRIDING SYSTEM VALUE" } else { "" }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// In load order (referenced tables first).
    pub tables: Vec<PlannedTable>,
    /// Load waves: tables in a wave depend only on earlier waves (indices into `tables`).
    pub waves: Vec<Vec<usize>>,
    pub warnings: Vec<String>,
}

pub(super) fn find<'a>(catalog: &'a Catalog, r: &TableRef) -> Result<&'a TableName, String> {
    let names = catalog.tables.keys();
    let exact: Vec<&TableName> =
        names.clone().filter(|t| r.schema.as_ref().is_none_or(|s| *s == t.schema) && t.name == r.name).collect();
    let found = if exact.is_empty() {
        names
            .filter(|t| {
                r.schema.as_ref().is_none_or(|s| s.to_lowercase() == t.schema.to_lowercase())
                    && t.name.to_lowercase() == r.name.to_lowercase()
            })
            .collect()
    } else {
        exact
    };
    if found.len() > 1
        && let Some(p) = found.iter().find(|t| t.schema == "public")
    {
        return Ok(p);
    }
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err("does not exist".into()),
        many => Err(format!(
            "is ambiguous ({}); qualify it with its schema",
            many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Target column types without modifiers, per table oid and column.
async fn base_types(client: &Client, oids: &[u32]) -> Result<BTreeMap<(u32, String), String>, FdwError> {
    let context = "reading target column types";
    let rows = client
        .rows(
            "SELECT a.attrelid, a.attname::text, pg_catalog.format_type(a.atttypid, NULL) FROM pg_catalog.pg_attribute a \
             WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped",
            &[&oids],
            context,
        )
        .await
        .map_err(FdwError::db(context))?;
    Ok(rows.iter().map(|r| ((r.get(0), r.get(1)), r.get(2))).collect())
}

async fn types_on(client: &Client, types: &BTreeSet<String>) -> Result<BTreeSet<String>, FdwError> {
    let list: Vec<&str> = types.iter().map(String::as_str).collect();
    let context = "checking which target types the source knows";
    let rows = client
        .rows("SELECT t FROM unnest($1::text[]) t WHERE pg_catalog.to_regtype(t) IS NOT NULL", &[&list], context)
        .await
        .map_err(FdwError::db(context))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

async fn sizes(client: &Client, oids: &[u32]) -> Result<BTreeMap<u32, i64>, FdwError> {
    let context = "reading source table sizes";
    let rows = client
        .rows(
            "SELECT c.oid, pg_catalog.pg_total_relation_size(c.oid) FROM pg_catalog.pg_class c WHERE c.oid = ANY($1)",
            &[&oids],
            context,
        )
        .await
        .map_err(FdwError::db(context))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Same-named tables of the source's `schemas` that also exist on the target.
pub fn identity_mapping(source: &Catalog, target: &Catalog, schemas: &[String]) -> (Mapping, Vec<String>) {
    let mut tables = serde_json::Map::new();
    let mut warnings = Vec::new();
    for name in source.tables.keys().filter(|t| schemas.contains(&t.schema)) {
        if name.schema == "confiture_capture" {
            continue;
        }
        if target.tables.contains_key(name) {
            let key = format!("{}.{}", quote_ident(&name.schema), quote_ident(&name.name));
            tables.insert(key.clone(), serde_json::Value::String(key));
        } else {
            warnings.push(format!("{name}: no table of that name on the target"));
        }
    }
    let document = serde_json::json!({ "tables": tables });
    let mapping = Mapping::parse(document.clone(), "same-named tables").unwrap_or(Mapping {
        origin: "same-named tables".into(),
        document,
        tables: Vec::new(),
    });
    (mapping, warnings)
}

fn plan_table(
    m: &TableMapping,
    source: &Catalog,
    target: &Catalog,
    bases: &BTreeMap<(u32, String), String>,
    problems: &mut Vec<String>,
) -> Option<PlannedTable> {
    let label = &m.target.text;
    let tname = match find(target, &m.target) {
        Ok(t) => t.clone(),
        Err(e) => {
            problems.push(format!("target table {label} {e} on the target"));
            return None;
        }
    };
    let sname = match find(source, &m.source) {
        Ok(t) => t.clone(),
        Err(e) => {
            problems.push(format!("{label}: source table {} {e} on the source", m.source.text));
            return None;
        }
    };
    let (tt, st) = (&target.tables[&tname], &source.tables[&sname]);
    let source_cols: BTreeSet<&str> = st.columns.iter().map(|c| c.name.as_str()).collect();
    let pairs: Vec<(String, String, Fragment)> = match &m.columns {
        Some(cols) => cols.iter().map(|c| (c.target.clone(), c.text.clone(), c.fragment.clone())).collect(),
        None => tt
            .columns
            .iter()
            .filter(|c| !c.generated && source_cols.contains(c.name.as_str()))
            .map(|c| (c.name.clone(), c.name.clone(), Fragment::Column(c.name.clone())))
            .collect(),
    };
    if pairs.is_empty() {
        problems.push(format!("{label}: no target column has a same-named column in {sname}; add `columns:`"));
        return None;
    }
    let mut columns = Vec::new();
    let mut plain_source: Vec<Option<String>> = Vec::new();
    let mut identity = false;
    let before = problems.len();
    for (tcol, text, fragment) in &pairs {
        let Some(col) = tt.columns.iter().find(|c| &c.name == tcol) else {
            problems.push(format!("{label}: target column {tcol:?} does not exist"));
            continue;
        };
        if col.generated {
            problems.push(format!("{label}.{tcol}: a generated column cannot be written; remove it from the mapping"));
            continue;
        }
        identity |= col.identity;
        let exact = text.trim();
        let (expr, plain) = if source_cols.contains(exact) {
            (quote_ident(exact), Some(exact.to_string()))
        } else {
            match fragment {
                Fragment::Column(folded) if source_cols.contains(folded.as_str()) => {
                    (quote_ident(folded), Some(folded.clone()))
                }
                Fragment::Column(name) => {
                    problems.push(format!("{label}.{tcol}: source table {sname} has no column {name:?}"));
                    continue;
                }
                Fragment::Expression => (format!("({text})"), None),
            }
        };
        columns.push(PlannedColumn {
            target: tcol.clone(),
            expr,
            type_full: col.type_sql.clone(),
            type_base: bases.get(&(tt.oid, tcol.clone())).cloned().unwrap_or_else(|| col.type_sql.clone()),
            castable_on_source: false,
        });
        plain_source.push(plain);
    }
    for c in &tt.columns {
        if c.not_null && !c.has_default && !c.generated && !pairs.iter().any(|p| p.0 == c.name) {
            problems.push(format!("{label}.{}: NOT NULL without a default, and not mapped", c.name));
        }
    }
    if problems.len() > before {
        return None;
    }
    let key_names = m.key.clone().unwrap_or_else(|| tt.primary_key.clone());
    let mut key = Vec::new();
    for k in &key_names {
        match columns.iter().position(|c| &c.target == k) {
            Some(i) => {
                let source_column = plain_source[i].clone();
                let source_type = source_column
                    .as_ref()
                    .and_then(|s| st.columns.iter().find(|c| &c.name == s))
                    .map(|c| c.type_sql.clone());
                key.push(KeyColumn { column: i, source_column, source_type });
            }
            None => problems.push(format!("{label}: key column {k:?} is not mapped")),
        }
    }
    let source_key_types = st
        .primary_key
        .iter()
        .filter_map(|k| st.columns.iter().find(|c| &c.name == k).map(|c| c.type_sql.clone()))
        .collect();
    Some(PlannedTable {
        target: tname,
        source: sname,
        columns,
        filter: m.filter.clone(),
        key,
        strategy: m.strategy.unwrap_or(Strategy::Auto),
        rows: st.estimate,
        source_bytes: 0,
        identity,
        source_key: st.primary_key.clone(),
        source_key_types,
    })
}

/// Resolves `mapping` against both databases. `strategy` applies where the mapping names none;
/// `auto` picks `copy` from `copy_threshold` rows up.
pub async fn plan(
    source: &Client,
    target: &Client,
    mapping: &Mapping,
    options: &S2sOptions,
) -> Result<Plan, crate::Error> {
    let scat = Catalog::load(source).await.map_err(FdwError::db("reading the source catalog"))?;
    let tcat = Catalog::load(target).await.map_err(FdwError::db("reading the target catalog"))?;
    plan_with(source, target, mapping, options, &scat, &tcat).await
}

pub async fn plan_with(
    source: &Client,
    target: &Client,
    mapping: &Mapping,
    options: &S2sOptions,
    scat: &Catalog,
    tcat: &Catalog,
) -> Result<Plan, crate::Error> {
    let oids: Vec<u32> = tcat.tables.values().map(|t| t.oid).collect();
    let bases = base_types(target, &oids).await?;
    let mut problems = Vec::new();
    let mut tables: Vec<PlannedTable> = Vec::new();
    let mut seen = BTreeSet::new();
    for m in &mapping.tables {
        if let Some(t) = plan_table(m, scat, tcat, &bases, &mut problems) {
            if !seen.insert(t.target.clone()) {
                problems.push(format!("{}: mapped twice", t.target));
                continue;
            }
            tables.push(t);
        }
    }
    if !problems.is_empty() {
        return Err(FdwError::Plan { problems }.into());
    }
    // Types, sizes, exact counts for never-analyzed tables, and the expressions checked on the
    // source (one LIMIT 0 query per table: unknown columns and bad casts fail here, by name).
    let types: BTreeSet<String> = tables.iter().flat_map(|t| t.columns.iter().map(|c| c.type_full.clone())).collect();
    let known = types_on(source, &types).await?;
    let source_oids: Vec<u32> = tables.iter().map(|t| scat.tables[&t.source].oid).collect();
    let size = sizes(source, &source_oids).await?;
    for t in &mut tables {
        for c in &mut t.columns {
            c.castable_on_source = known.contains(&c.type_full);
        }
        t.source_bytes = size.get(&scat.tables[&t.source].oid).copied().unwrap_or(0);
        if t.rows < 0 {
            let context = format!("counting rows of {}", t.source);
            let rows = source
                .rows(&format!("SELECT count(*) FROM {}", t.source.sql()), &[], &context)
                .await
                .map_err(FdwError::db(context))?;
            t.rows = rows.first().map_or(0, |r| r.get::<_, i64>(0));
        }
        let probe =
            format!("SELECT {} FROM {}{} LIMIT 0", t.load_exprs(Strategy::Copy), t.source.sql(), t.where_clause(&[]));
        if let Err(e) = source.raw().query(probe.as_str(), &[]).await {
            let message = match e.as_db_error() {
                Some(db) => db.message().to_string(),
                None => e.to_string(),
            };
            let culprit = culprit(source, t).await;
            problems.push(format!("{}: {culprit}{message}", t.display()));
        }
        if t.strategy == Strategy::Auto {
            t.strategy = match options.strategy {
                Strategy::Auto => {
                    if u64::try_from(t.rows).unwrap_or(0) >= options.copy_threshold {
                        Strategy::Copy
                    } else {
                        Strategy::Fdw
                    }
                }
                s => s,
            };
        }
    }
    if !problems.is_empty() {
        return Err(FdwError::Plan { problems }.into());
    }
    // Foreign-key order among the planned tables.
    let index: BTreeMap<&TableName, usize> = tables.iter().enumerate().map(|(i, t)| (&t.target, i)).collect();
    let edges: Vec<(usize, usize)> =
        tcat.foreign_keys.iter().filter_map(|fk| Some((*index.get(&fk.child)?, *index.get(&fk.parent)?))).collect();
    let order = units(tables.len(), &edges);
    let mut depth = vec![0usize; order.len()];
    for (u, unit) in order.iter().enumerate() {
        depth[u] = unit.after.iter().map(|a| depth[*a] + 1).max().unwrap_or(0);
    }
    let mut ordered = Vec::new();
    let mut waves: Vec<Vec<usize>> = Vec::new();
    for (u, unit) in order.iter().enumerate() {
        for &t in &unit.tables {
            let position = ordered.len();
            ordered.push(tables[t].clone());
            if waves.len() <= depth[u] {
                waves.resize(depth[u] + 1, Vec::new());
            }
            waves[depth[u]].push(position);
        }
    }
    let mut warnings = Vec::new();
    for t in &ordered {
        if t.key.is_empty() {
            warnings.push(format!("{}: no primary key and no `key:`; copied in one batch, no catch-up", t.display()));
        } else if !t.plain_key() {
            warnings.push(format!(
                "{}: a key column is computed; copied in one batch, and catch-up cannot follow it",
                t.display()
            ));
        }
    }
    Ok(Plan { tables: ordered, waves, warnings })
}

/// The first mapped column whose expression fails on its own, as "column x: ".
async fn culprit(source: &Client, t: &PlannedTable) -> String {
    for c in &t.columns {
        let probe = format!("SELECT {} FROM {} LIMIT 0", c.load_expr(false), t.source.sql());
        if source.raw().query(probe.as_str(), &[]).await.is_err() {
            return format!("column {}: ", c.target);
        }
    }
    if t.filter.is_some() { "where: ".into() } else { String::new() }
}

/// `(k1, k2) > (lo…) AND (k1, k2) <= (hi…)` written with plain comparisons, so postgres_fdw can
/// send it to the source (it does not ship row comparisons).
pub fn range_predicate(t: &PlannedTable, lo: Option<&[String]>, hi: Option<&[String]>) -> String {
    let keys: Vec<(String, String)> = t
        .key
        .iter()
        .map(|k| {
            (
                quote_ident(k.source_column.as_deref().unwrap_or_default()),
                k.source_type.clone().unwrap_or_else(|| "text".into()),
            )
        })
        .collect();
    let literal = |v: &str, ty: &str| format!("{}::{ty}", quote_literal(v));
    // lexicographic (a, b, c) OP (x, y, z)
    let compare = |values: &[String], strict: &str, last: &str| -> String {
        let mut ors = Vec::new();
        for i in 0..keys.len() {
            let mut ands: Vec<String> =
                (0..i).map(|j| format!("{} = {}", keys[j].0, literal(&values[j], &keys[j].1))).collect();
            let op = if i + 1 == keys.len() { last } else { strict };
            ands.push(format!("{} {op} {}", keys[i].0, literal(&values[i], &keys[i].1)));
            ors.push(format!("({})", ands.join(" AND ")));
        }
        format!("({})", ors.join(" OR "))
    };
    let mut parts = Vec::new();
    if let Some(lo) = lo {
        parts.push(compare(lo, ">", ">"));
    }
    if let Some(hi) = hi {
        parts.push(compare(hi, "<", "<="));
    }
    parts.join(" AND ")
}
