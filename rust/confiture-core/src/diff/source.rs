//! The two sides of a diff and how each becomes a model.
//!
//! A side is a SQL file, a directory of DDL (every `.sql` file under it, sorted), `env:NAME` (the
//! environment's include directories, seeds left out) or a database URL. DDL is parsed offline;
//! databases are introspected. With `online`, DDL sides are first built in throw-away databases
//! (on the server of `CONFITURE_TEST_DATABASE_URL`, else a throw-away PostgreSQL) and their
//! catalogs compared: the exact mode, since PostgreSQL itself resolves every expression.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use super::{Change, DiffError, Step};
use crate::config::{ConnectionParams, Environment, env_var};
use crate::db::admin::{create_database, drop_database, maintenance_client};
use crate::db::{DbError, block_on, connect};
use crate::project::{DiscoverOptions, discover};
use crate::schema::{
    Catalog, IntrospectOptions, ObjectKind, ParseOptions, QualifiedName, SchemaError, Source, introspect,
    parse_sources, read_sql_path,
};

/// One side of a diff, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    File(PathBuf),
    Directory(PathBuf),
    Env(String),
    Database(String),
}

impl Side {
    /// `env:NAME`, a `postgres://`/`postgresql://` URL or a `key=value` DSN, else a path.
    pub fn parse(spec: &str) -> Result<Self, DiffError> {
        if let Some(name) = spec.strip_prefix("env:") {
            if name.is_empty() {
                return Err(DiffError::Side { spec: spec.into(), message: "env: needs an environment name".into() });
            }
            return Ok(Self::Env(name.to_string()));
        }
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            return Ok(Self::Database(spec.to_string()));
        }
        let path = PathBuf::from(spec);
        if path.is_dir() {
            return Ok(Self::Directory(path));
        }
        if path.is_file() {
            return Ok(Self::File(path));
        }
        if spec.contains('=') && spec.split_whitespace().all(|kv| kv.contains('=')) {
            return Ok(Self::Database(spec.to_string()));
        }
        Err(DiffError::Side {
            spec: spec.into(),
            message: "not found: expected a SQL file, a directory, env:NAME or a database URL".into(),
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::File(_) => "file",
            Self::Directory(_) => "directory",
            Self::Env(_) => "env",
            Self::Database(_) => "database",
        }
    }
}

/// What a side was, for reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SideSummary {
    /// `file`, `directory`, `env` or `database`.
    pub kind: String,
    /// The path, `env:NAME`, or the URL with its password hidden.
    pub source: String,
    /// `parsed` (offline) or `introspected` (from a database).
    pub read: String,
    /// How many objects of each kind (`table`: 12, …).
    pub objects: std::collections::BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Build DDL sides in throw-away databases and compare catalogs.
    pub online: bool,
    /// Compare grants and default privileges too.
    pub include_grants: bool,
    /// Where `env:NAME` environments are looked up.
    pub project_dir: PathBuf,
}

/// A diff between two sides, as the CLI and the Python API report it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DiffReport {
    pub old: SideSummary,
    pub new: SideSummary,
    /// `offline` (DDL parsed) or `online` (compared catalogs).
    pub mode: String,
    pub identical: bool,
    /// Whether the up plan deletes data.
    pub destructive: bool,
    pub changes: Vec<Change>,
    pub up: Vec<Step>,
    pub down: Vec<Step>,
    /// Statements skipped while reading DDL (data, settings, ownership).
    pub notes: Vec<String>,
}

/// A model and what reading it said.
pub struct Loaded {
    pub catalog: Catalog,
    pub summary: SideSummary,
    pub notes: Vec<String>,
}

fn summary(side: &Side, source: String, read: &str, catalog: &Catalog) -> SideSummary {
    SideSummary {
        kind: side.kind().into(),
        source,
        read: read.into(),
        objects: catalog.counts().into_iter().map(|(k, n)| (k.kind_name().to_string(), n)).collect(),
    }
}

/// The DDL sources of a side (`None` for databases).
fn ddl_sources(side: &Side, project_dir: &Path) -> Result<Option<Vec<Source>>, crate::Error> {
    Ok(match side {
        Side::File(p) | Side::Directory(p) => Some(read_sql_path(p)?),
        Side::Env(name) => {
            let env = Environment::load(name, project_dir, &env_var)?.environment;
            let discovery = discover(&env, DiscoverOptions { schema_only: true })?;
            let mut sources = Vec::new();
            for f in &discovery.files {
                let text = std::fs::read_to_string(&f.path)
                    .map_err(|e| SchemaError::Read { path: f.path.display().to_string(), message: e.to_string() })?;
                sources.push(Source { name: f.path.display().to_string(), text });
            }
            Some(sources)
        }
        Side::Database(_) => None,
    })
}

fn display_source(side: &Side) -> String {
    match side {
        Side::File(p) | Side::Directory(p) => p.display().to_string(),
        Side::Env(n) => format!("env:{n}"),
        Side::Database(url) => crate::config::redact_url(url),
    }
}

/// Reads a database's model without Confiture's migration tracking table (`tracking`, e.g.
/// `tb_confiture` or `schema.table`): it is bookkeeping, never part of the schema, and a plan
/// must not drop it.
fn introspect_database(url: &str, options: &DiffOptions, tracking: &str) -> Result<Catalog, crate::Error> {
    let mut catalog = block_on(crate::schema::introspect_url(
        url,
        IntrospectOptions { include_grants: options.include_grants, ..IntrospectOptions::default() },
    ))??;
    let t = crate::migrate::tracking::Tracking::parse(tracking)?;
    catalog.remove_table(&QualifiedName::new(t.schema.unwrap_or_else(|| "public".into()), t.table));
    Ok(catalog)
}

/// Reads a side offline (DDL parsed; databases introspected).
pub fn load(side: &Side, options: &DiffOptions) -> Result<Loaded, crate::Error> {
    load_with_tracking(side, options, crate::migrate::tracking::DEFAULT_TABLE)
}

fn load_with_tracking(side: &Side, options: &DiffOptions, tracking: &str) -> Result<Loaded, crate::Error> {
    let source = display_source(side);
    match ddl_sources(side, &options.project_dir)? {
        Some(sources) => {
            let parsed = parse_sources(&sources, ParseOptions { include_grants: options.include_grants })?;
            let summary = summary(side, source, "parsed", &parsed.catalog);
            Ok(Loaded { catalog: parsed.catalog, summary, notes: parsed.notes })
        }
        None => {
            let Side::Database(url) = side else { unreachable!("invariant: only databases have no DDL") };
            let catalog = introspect_database(url, options, tracking)?;
            let summary = summary(side, source, "introspected", &catalog);
            Ok(Loaded { catalog, summary, notes: Vec::new() })
        }
    }
}

static SCRATCH: AtomicUsize = AtomicUsize::new(0);

/// Builds DDL in a scratch database on `server` and introspects it; the database is dropped after.
pub fn build_and_introspect(
    sources: &[Source],
    server: &ConnectionParams,
    include_grants: bool,
) -> Result<Catalog, crate::Error> {
    let name = format!("confiture_diff_{}_{}", std::process::id(), SCRATCH.fetch_add(1, Ordering::Relaxed));
    block_on(async {
        let admin = maintenance_client(server).await?;
        create_database(&admin, &name, Some("template0")).await?;
        let result = async {
            let client = connect(&server.with_dbname(&name)).await?;
            let applied = apply_sources(&client, sources).await;
            let catalog = match applied {
                Ok(()) => {
                    introspect(&client, IntrospectOptions { include_grants, ..IntrospectOptions::default() }).await
                }
                Err(e) => Err(e),
            };
            client.close().await;
            catalog
        }
        .await;
        let _ = crate::db::admin::terminate_sessions(&admin, &name).await;
        let dropped = drop_database(&admin, &name).await;
        admin.close().await;
        let catalog = result?;
        dropped?;
        Ok(catalog)
    })?
}

/// Statements sent to a scratch database per transaction. A scratch database needs no
/// atomicity (it is dropped on failure), and one transaction over a few thousand tables exhausts
/// PostgreSQL's lock table (`max_locks_per_transaction`).
const STATEMENTS_PER_BATCH: usize = 250;

/// Runs the schema statements of each source, in batches; a failure names the file and line.
/// COPY data and psql meta-commands are skipped, as the offline model skips them.
async fn apply_sources(client: &crate::db::Client, sources: &[Source]) -> Result<(), crate::Error> {
    for s in sources {
        let statements = crate::sql::split(&s.text).map_err(|e| SchemaError::Parse {
            file: s.name.clone(),
            line: e.line(),
            message: e.to_string(),
        })?;
        let mut batch: Option<std::ops::Range<usize>> = None;
        let mut count = 0;
        for st in &statements {
            if st.kind == crate::sql::StatementKind::Sql {
                batch = Some(batch.map_or(st.range.clone(), |b| b.start..st.range.end));
                count += 1;
            }
            if count == STATEMENTS_PER_BATCH || st.kind != crate::sql::StatementKind::Sql {
                if let Some(range) = batch.take() {
                    apply_range(client, s, range).await?;
                }
                count = 0;
            }
        }
        if let Some(range) = batch {
            apply_range(client, s, range).await?;
        }
    }
    Ok(())
}

async fn apply_range(
    client: &crate::db::Client,
    s: &Source,
    range: std::ops::Range<usize>,
) -> Result<(), crate::Error> {
    let text = &s.text[range.clone()];
    let Err(e) = client.raw().batch_execute(text).await else { return Ok(()) };
    let info = crate::db::PgErrorInfo::from_error(&e);
    // The position PostgreSQL reports counts characters of the batch.
    let line = info
        .as_ref()
        .and_then(|i| i.position)
        .and_then(|p| text.char_indices().nth((p as usize).saturating_sub(1)).map(|(b, _)| b))
        .map_or_else(|| crate::sql::line_of(&s.text, range.start), |b| crate::sql::line_of(&s.text, range.start + b));
    let message = info.map_or_else(|| e.to_string(), |i| i.message);
    Err(SchemaError::Invalid { file: s.name.clone(), line, message: format!("PostgreSQL rejected it: {message}") }
        .into())
}

/// A server for scratch databases: the test server (CONFITURE_TEST_DATABASE_URL or a throw-away
/// cluster), kept for the life of the process.
fn scratch_server() -> Result<ConnectionParams, crate::Error> {
    use std::sync::OnceLock;
    static SERVER: OnceLock<Result<crate::testserver::TestServer, String>> = OnceLock::new();
    let server = SERVER.get_or_init(|| crate::testserver::TestServer::start().map_err(|e| e.to_string()));
    match server {
        Ok(s) => Ok(s.params().clone()),
        Err(message) => {
            Err(DbError::Runtime { message: format!("cannot start a PostgreSQL for --online: {message}") }.into())
        }
    }
}

/// Reads a side in online mode: DDL is built in a scratch database first.
pub fn load_online(side: &Side, options: &DiffOptions) -> Result<Loaded, crate::Error> {
    let source = display_source(side);
    match ddl_sources(side, &options.project_dir)? {
        Some(sources) => {
            // Parse first: syntax errors then name the file and line without a server.
            let parsed = parse_sources(&sources, ParseOptions { include_grants: options.include_grants })?;
            let server = scratch_server()?;
            let catalog = build_and_introspect(&sources, &server, options.include_grants)?;
            let summary = summary(side, source, "built and introspected", &catalog);
            Ok(Loaded { catalog, summary, notes: parsed.notes })
        }
        None => load(side, options),
    }
}

/// Compares two sides (read side by side; an error of the old side is reported first).
pub fn run(old: &Side, new: &Side, options: &DiffOptions) -> Result<DiffReport, crate::Error> {
    let loader = if options.online { load_online } else { load };
    let (a, b) = rayon::join(|| loader(old, options), || loader(new, options));
    report(a?, b?, if options.online { "online" } else { "offline" })
}

/// The environment's DDL against its live database: what the database lacks or has extra.
pub fn drift(env_name: &str, options: &DiffOptions) -> Result<DiffReport, crate::Error> {
    let env = Environment::load(env_name, &options.project_dir, &env_var)?.environment;
    let params = env.connection_params()?;
    let url = params.to_url();
    let ddl = if options.online { load_online } else { load };
    // The database is read while the DDL is parsed.
    let (live, wanted) = rayon::join(
        || load_with_tracking(&Side::Database(url), options, &env.migration_table),
        || ddl(&Side::Env(env_name.to_string()), options),
    );
    report(live?, wanted?, if options.online { "online" } else { "offline" })
}

/// The report for two loaded models.
pub fn report(a: Loaded, b: Loaded, mode: &str) -> Result<DiffReport, crate::Error> {
    let diff = super::diff(&a.catalog, &b.catalog)?;
    let destructive = !diff.destructive_steps().is_empty();
    let mut notes = a.notes;
    notes.extend(b.notes);
    Ok(DiffReport {
        old: a.summary,
        new: b.summary,
        mode: mode.into(),
        identical: diff.is_empty(),
        destructive,
        changes: diff.changes,
        up: diff.up,
        down: diff.down,
        notes,
    })
}

/// A kind's name, for summaries.
pub fn kind_label(k: ObjectKind) -> &'static str {
    k.kind_name()
}
