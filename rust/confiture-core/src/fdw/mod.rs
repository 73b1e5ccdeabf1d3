//! Schema-to-schema migration through postgres_fdw (`confiture migrate schema-to-schema`): the
//! old database keeps serving while rows move into a database built from the new DDL, following a
//! mapping ([`mapping`]) of target tables to source tables, columns and filters.
//!
//! Steps: [`setup`] (server, user mapping and foreign schemas on the target; optionally change
//! capture on the source, [`capture`]), [`analyze`], [`migrate`] (bulk copy in foreign-key order,
//! key-range batches, resumable, [`bulk`]), [`catch_up`] ([`catchup`]), [`verify`] (counts and
//! checksums, [`verify`]), [`cutover`] (final catch-up and verification under a short write
//! freeze) and [`cleanup`]. Rows move through postgres_fdw (`fdw`) or as streaming COPY (`copy`,
//! the sync area's pipe).

mod analyze;
mod bulk;
mod capture;
mod catchup;
mod cutover;
mod error;
mod mapping;
mod options;
mod plan;
mod server;
mod session;
mod state;
mod verify;

use std::collections::BTreeMap;

use serde::Serialize;

pub use analyze::{AnalyzeReport, TableAnalysis};
pub use bulk::{MigrateReport, TableRun};
pub use capture::{CAPTURE_SCHEMA, CaptureReport};
pub use catchup::{CatchUpReport, CatchUpTable};
pub use cutover::{CutoverReport, SequenceSet};
pub use error::FdwError;
pub use mapping::{Mapping, Strategy};
pub use options::{
    DEFAULT_BATCH_ROWS, DEFAULT_COPY_THRESHOLD, DEFAULT_FOREIGN_SCHEMA_NAME, DEFAULT_LOCK_TIMEOUT_MS,
    DEFAULT_SAMPLE_ROWS, DEFAULT_SERVER_NAME, S2sOptions,
};
pub use plan::{Plan, PlannedTable};
pub use server::{ForeignSchema, ServerReport};
pub use state::STATE_SCHEMA;
pub use verify::{CountCheck, KeyDifference, TableCheck, VerifyReport};

use crate::db::Client;
use crate::sync::catalog::Catalog;
use crate::sync::{Progress, TableName};
use session::open;

#[derive(Debug, Clone, Serialize)]
pub struct SetupReport {
    pub server: ServerReport,
    pub capture: Option<CaptureReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CleanupReport {
    pub foreign_schemas: Vec<String>,
    pub server: String,
    pub capture_removed_from: Vec<String>,
}

/// Where a migration stands: the server, the bulk copy per table, the changes waiting for catch-up.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub server: Option<String>,
    pub tables: Vec<TableStatus>,
    /// Change capture is installed on the source.
    pub capture: bool,
    /// Log entries not caught up yet.
    pub pending_changes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableStatus {
    pub table: String,
    pub strategy: String,
    pub batches: i64,
    pub batches_done: i64,
    pub rows: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OneShotReport {
    pub setup: SetupReport,
    pub migrate: MigrateReport,
    pub verify: VerifyReport,
}

/// The mapping given, else the one `migrate` saved on the target, else same-named tables.
async fn mapping_for(
    source: &Client,
    target: &Client,
    options: &S2sOptions,
) -> Result<(Mapping, Vec<String>), crate::Error> {
    if let Some(m) = &options.mapping {
        return Ok((m.clone(), Vec::new()));
    }
    if let Some(m) = state::load_mapping(target).await? {
        return Ok((m, Vec::new()));
    }
    let scat = Catalog::load(source).await.map_err(FdwError::db("reading the source catalog"))?;
    let tcat = Catalog::load(target).await.map_err(FdwError::db("reading the target catalog"))?;
    Ok(plan::identity_mapping(&scat, &tcat, &options.schemas))
}

async fn planned(source: &Client, target: &Client, options: &S2sOptions) -> Result<Plan, crate::Error> {
    let (mapping, warnings) = mapping_for(source, target, options).await?;
    if mapping.tables.is_empty() {
        return Err(FdwError::Plan {
            problems: vec![format!(
                "no table to work on: give --mapping FILE (no mapping was saved by `migrate`, and no table of schema(s) {} exists on both sides)",
                options.schemas.join(", ")
            )],
        }
        .into());
    }
    let mut plan = plan::plan(source, target, &mapping, options).await?;
    plan.warnings.extend(warnings);
    Ok(plan)
}

/// `setup`: the server, user mapping and foreign schemas on the target (importing only the mapped
/// tables when a mapping is given), the state schema, and with `capture` the change log.
pub async fn setup(options: &S2sOptions) -> Result<SetupReport, crate::Error> {
    let source = open(&options.source, "source").await?;
    let target = open(&options.target, "target").await?;
    let scat = Catalog::load(&source).await.map_err(FdwError::db("reading the source catalog"))?;
    let mut sources: Vec<TableName> = Vec::new();
    if let Some(m) = &options.mapping {
        let mut problems = Vec::new();
        for t in &m.tables {
            match plan::find(&scat, &t.source) {
                Ok(name) => sources.push(name.clone()),
                Err(e) => problems.push(format!("{}: source table {} {e} on the source", t.target.text, t.source.text)),
            }
        }
        if !problems.is_empty() {
            return Err(FdwError::Plan { problems }.into());
        }
    } else {
        let missing: Vec<&String> =
            options.schemas.iter().filter(|s| !scat.tables.keys().any(|t| &t.schema == *s)).collect();
        if !missing.is_empty() {
            let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            return Err(FdwError::Plan {
                problems: vec![format!("the source has no table in schema(s) {}", list.join(", "))],
            }
            .into());
        }
        sources = scat.tables.keys().filter(|t| options.schemas.contains(&t.schema)).cloned().collect();
    }
    sources.sort();
    sources.dedup();
    let limit: Option<BTreeMap<String, Vec<TableName>>> = options.mapping.as_ref().map(|_| {
        let mut by_schema: BTreeMap<String, Vec<TableName>> = BTreeMap::new();
        for t in &sources {
            by_schema.entry(t.schema.clone()).or_default().push(t.clone());
        }
        by_schema
    });
    let server = server::setup(&target, options, limit.as_ref()).await?;
    state::ensure(&target).await?;
    let capture = if options.capture {
        let tables: Vec<&crate::sync::catalog::Table> = sources.iter().filter_map(|t| scat.tables.get(t)).collect();
        Some(capture::install(&source, &tables).await?)
    } else {
        None
    };
    source.close().await;
    target.close().await;
    Ok(SetupReport { server, capture })
}

pub async fn analyze(options: &S2sOptions) -> Result<AnalyzeReport, crate::Error> {
    let source = open(&options.source, "source").await?;
    let target = open(&options.target, "target").await?;
    let plan = planned(&source, &target, options).await?;
    bulk::check_foreign_tables(&target, &plan, options).await?;
    Ok(analyze::analyze(&source, &target, &plan, options).await?)
}

pub use bulk::migrate;

pub async fn catch_up(options: &S2sOptions, control: &Progress) -> Result<CatchUpReport, crate::Error> {
    let source = open(&options.source, "source").await?;
    let target = open(&options.target, "target").await?;
    let plan = planned(&source, &target, options).await?;
    catchup::check(&source, &target, &plan).await?;
    control.set_phase("catching up");
    Ok(catchup::catch_up(&source, &target, &plan, control).await?)
}

pub async fn verify(options: &S2sOptions) -> Result<VerifyReport, crate::Error> {
    let source = open(&options.source, "source").await?;
    let target = open(&options.target, "target").await?;
    let plan = planned(&source, &target, options).await?;
    let tables = verify::select(&plan, &options.tables)?;
    Ok(verify::verify_tables(&source, &target, &tables).await?)
}

pub async fn cutover(options: &S2sOptions, control: &Progress) -> Result<CutoverReport, crate::Error> {
    let source = open(&options.source, "source").await?;
    let locker = open(&options.source, "source").await?;
    let target = open(&options.target, "target").await?;
    let plan = planned(&source, &target, options).await?;
    catchup::check(&source, &target, &plan).await?;
    Ok(cutover::cutover(&source, &locker, &target, &plan, options.lock_timeout_ms, options.verify_in_cutover, control)
        .await?)
}

/// Removes everything setup created: foreign schemas, user mapping, server and state on the
/// target; capture triggers and the change log on the source.
pub async fn cleanup(options: &S2sOptions) -> Result<CleanupReport, crate::Error> {
    let target = open(&options.target, "target").await?;
    let foreign_schemas = server::cleanup(&target, options).await?;
    state::drop_all(&target).await?;
    let source = open(&options.source, "source").await?;
    let capture_removed_from = capture::remove(&source).await?;
    Ok(CleanupReport { foreign_schemas, server: options.server_name.clone(), capture_removed_from })
}

/// `status`: the server, the bulk copy's batches per table, the changes waiting for catch-up.
pub async fn status(options: &S2sOptions) -> Result<StatusReport, crate::Error> {
    let target = open(&options.target, "target").await?;
    let context = "reading the state on the target";
    let server = target
        .rows(
            "SELECT srvname::text || ' → ' || coalesce((SELECT string_agg(o, ', ') FROM unnest(srvoptions) o \
             WHERE o LIKE 'host=%' OR o LIKE 'port=%' OR o LIKE 'dbname=%'), '') \
             FROM pg_catalog.pg_foreign_server WHERE srvname = $1",
            &[&options.server_name],
            context,
        )
        .await
        .map_err(FdwError::db(context))?
        .first()
        .map(|r| r.get::<_, String>(0));
    let mut tables = Vec::new();
    if state::exists(&target).await? {
        for r in target
            .rows(
                "SELECT target_table, min(strategy), count(*), count(*) FILTER (WHERE done), \
                 coalesce(sum(rows) FILTER (WHERE done), 0)::int8 FROM confiture_s2s.batches GROUP BY 1 ORDER BY 1",
                &[],
                context,
            )
            .await
            .map_err(FdwError::db(context))?
        {
            // Stored as quoted SQL; shown as everywhere else.
            let stored: String = r.get(0);
            let table = crate::sync::TableRef::parse(&stored).map_or(stored.clone(), |t| {
                TableName::new(t.schema.as_deref().unwrap_or("public"), &t.name).to_string()
            });
            tables.push(TableStatus {
                table,
                strategy: r.get(1),
                batches: r.get(2),
                batches_done: r.get(3),
                rows: r.get(4),
            });
        }
    }
    let source = open(&options.source, "source").await?;
    let capture = capture::installed(&source).await?;
    let pending_changes = if capture {
        let context = "counting pending changes";
        source
            .rows("SELECT count(*) FROM confiture_capture.log", &[], context)
            .await
            .map_err(FdwError::db(context))?
            .first()
            .map_or(0, |r| r.get::<_, i64>(0))
    } else {
        0
    };
    Ok(StatusReport { server, tables, capture, pending_changes })
}

/// The seed's one-shot form: setup, migrate, verify.
pub async fn one_shot(options: &S2sOptions, control: &Progress) -> Result<OneShotReport, crate::Error> {
    control.set_phase("setting up");
    let setup = setup(options).await?;
    let migrate = migrate(options, control).await?;
    control.set_phase("verifying");
    let verify = verify(options).await?;
    Ok(OneShotReport { setup, migrate, verify })
}

/// The fraiseql-confiture `verify_migration` comparison (counts through the foreign schema).
pub async fn count_compare(
    options: &S2sOptions,
    tables: &[String],
    source_schema: &str,
    target_schema: &str,
) -> Result<BTreeMap<String, CountCheck>, crate::Error> {
    let target = open(&options.target, "target").await?;
    Ok(verify::count_compare(&target, tables, source_schema, target_schema).await?)
}

/// Runs `command` (`setup`, `analyze`, `migrate`, `catch-up`, `verify`, `cutover`, `cleanup`,
/// `status`, `one-shot`) and returns its report as JSON.
pub async fn run(command: &str, options: &S2sOptions, control: &Progress) -> Result<serde_json::Value, crate::Error> {
    fn json<T: Serialize>(v: &T) -> serde_json::Value {
        serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
    }
    Ok(match command {
        "setup" => json(&setup(options).await?),
        "analyze" => json(&analyze(options).await?),
        "migrate" => json(&migrate(options, control).await?),
        "catch-up" => json(&catch_up(options, control).await?),
        "verify" => json(&verify(options).await?),
        "cutover" => json(&cutover(options, control).await?),
        "cleanup" => json(&cleanup(options).await?),
        "status" => json(&status(options).await?),
        "one-shot" => json(&one_shot(options, control).await?),
        other => return Err(FdwError::Plan { problems: vec![format!("unknown step {other:?}")] }.into()),
    })
}
