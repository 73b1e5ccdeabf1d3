//! Building a database from the schema: create it (or clone the cached template), run every file in
//! one transaction, cache the result as a template. On any SQL error nothing is left half-built: the
//! transaction is rolled back and a database created for this build is dropped again; the error
//! names the file, line and column, the statement, and everything PostgreSQL said.

use std::path::Path;
use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::StatementFailure;
use super::script::{Chunk, Script, StatementLocation, prepare};
use super::summary::{ObjectKind, describe, summarize};
use super::{BuildError, Built, template};
use crate::config::{ConnectionParams, Environment, env_var};
use crate::db::admin::{create_database, database_exists, drop_database, maintenance_client, other_sessions};
use crate::db::{Client, DbError, PgErrorInfo, connect};
use crate::project::DiscoverOptions;

const SYSTEM_DATABASES: &[&str] = &["postgres", "template0", "template1"];

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// The database to build.
    pub target: ConnectionParams,
    /// Drop and rebuild the database when it exists and is not empty.
    pub recreate: bool,
    /// Use (and fill) the template cache.
    pub use_cache: bool,
    /// Which project/environment the templates belong to (see [`lineage`]).
    pub lineage: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub database: String,
    /// `host:port` of the server.
    pub server: String,
    /// `created`, `recreated`, or `applied` (into an existing empty database).
    pub action: String,
    /// The template the database was cloned from (cache hit).
    pub from_template: Option<String>,
    /// The template made from this build (cache miss).
    pub template_created: Option<String>,
    pub templates_pruned: Vec<String>,
    pub files: usize,
    pub statements: usize,
    pub hash: String,
    pub seconds: f64,
    pub objects: Vec<ObjectKind>,
    pub warnings: Vec<String>,
}

/// Identifies a project's environment among the templates of a server.
pub fn lineage(project_dir: &Path, env: &str, schema_only: bool) -> String {
    let mut h = Sha256::new();
    h.update(project_dir.to_string_lossy().as_bytes());
    h.update([0]);
    h.update(env.as_bytes());
    h.update([u8::from(schema_only)]);
    hex::encode(h.finalize())[..16].to_string()
}

/// Reads an environment's files and builds its database (or the one at `database_url`): what
/// `confiture build --apply` does.
pub fn apply_environment(
    env: &Environment,
    database_url: Option<&str>,
    schema_only: bool,
    recreate: bool,
    use_cache: bool,
) -> Result<ApplyReport, crate::Error> {
    let target = match database_url {
        Some(url) => ConnectionParams::parse(url)?,
        None => env.connection_params()?,
    };
    let built = super::load(env, DiscoverOptions { schema_only })?;
    let lineage = lineage(&env.project_dir, &env.name, schema_only);
    crate::db::block_on(apply(&built, &ApplyOptions { target, recreate, use_cache, lineage }))?
}

/// Builds the target database from `built`.
pub async fn apply(built: &Built, options: &ApplyOptions) -> Result<ApplyReport, crate::Error> {
    let started = Instant::now();
    let resolved = options.target.resolve(&env_var);
    let database = resolved.dbname.clone();
    let mut report = ApplyReport {
        database: database.clone(),
        server: format!("{}:{}", resolved.host(), resolved.port()),
        action: "created".into(),
        from_template: None,
        template_created: None,
        templates_pruned: Vec::new(),
        files: built.files().len(),
        statements: 0,
        hash: built.hash.clone(),
        seconds: 0.0,
        objects: Vec::new(),
        warnings: Vec::new(),
    };

    let admin = maintenance_client(&options.target).await?;
    let mut created_here = true;
    if database_exists(&admin, &database).await? {
        if options.recreate {
            if SYSTEM_DATABASES.contains(&database.as_str()) {
                return Err(BuildError::SystemDatabase { database }.into());
            }
            drop_or_explain(&admin, &database).await?;
            report.action = "recreated".into();
        } else {
            let target = connect(&options.target).await?;
            let existing = summarize(&target).await?;
            target.close().await;
            if !existing.is_empty() {
                return Err(BuildError::TargetNotEmpty { database, summary: describe(&existing) }.into());
            }
            created_here = false;
            report.action = "applied".into();
        }
    }

    if created_here
        && options.use_cache
        && let Some(tpl) = template::find(&admin, &built.hash).await?
    {
        match template::clone_template(&admin, &tpl.name, &database).await {
            Ok(()) => {
                report.from_template = Some(tpl.name);
                // A clone holds what its template holds: no need to ask the new database.
                report.objects = tpl.objects;
                report.seconds = started.elapsed().as_secs_f64();
                return Ok(report);
            }
            // The template is busy (being cloned or dropped elsewhere): build the slow way.
            Err(e) if e.code() == Some("55006") => {}
            Err(e) => return Err(e.into()),
        }
    }

    let script = prepare(built.files(), &built.texts)?;
    report.statements = script.statement_count;
    report.warnings.clone_from(&script.warnings);
    if created_here {
        create_database(&admin, &database, None).await?;
    }
    let target = connect(&options.target).await?;
    // A database made for this build is dropped on failure, so it needs no single transaction; a
    // long build into it commits along the way, as one transaction over a few thousand tables
    // exhausts PostgreSQL's lock table (`max_locks_per_transaction`). An existing database keeps
    // the single transaction: it is what leaves it unchanged on failure.
    let commit_every = created_here.then_some(COMMIT_EVERY_STATEMENTS);
    if let Err(failure) = run(&target, &script, built, commit_every).await {
        target.close().await;
        let outcome = if created_here {
            match drop_database(&admin, &database).await {
                Ok(()) => {
                    format!("nothing was built: the build was rolled back and database {database:?} removed")
                }
                Err(e) => {
                    format!("the build was rolled back, but database {database:?} could not be removed: {e}")
                }
            }
        } else {
            format!("nothing was built: the transaction was rolled back and database {database:?} is unchanged")
        };
        return Err(match failure {
            Failure::Statement(mut f) => {
                f.outcome = outcome;
                BuildError::Statement(f).into()
            }
            Failure::Db(e) => e.into(),
        });
    }
    report.objects = summarize(&target).await?;
    target.close().await;

    if options.use_cache {
        if let Some(name) = template::create(&admin, &database, &built.hash, &options.lineage, &report.objects).await? {
            report.templates_pruned = template::prune(&admin, &options.lineage, &name).await?;
            report.template_created = Some(name);
        } else {
            report.warnings.push(
                "the template cache was not updated (the database was busy); the next build runs the DDL again".into(),
            );
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn drop_or_explain(admin: &Client, database: &str) -> Result<(), crate::Error> {
    // Checked first so the user is not kept waiting by the server's own 5-second retry. A session
    // that has just disconnected (ours included) stays visible for a few milliseconds while its
    // backend exits, so only sessions still there after a short grace period count.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let sessions = other_sessions(admin, database).await?;
        if sessions == 0 {
            break;
        }
        if std::time::Instant::now() >= deadline {
            return Err(BuildError::InUse { database: database.to_string(), sessions }.into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Ok(drop_database(admin, database).await?)
}

enum Failure {
    Statement(Box<StatementFailure>),
    Db(DbError),
}

/// Statements per transaction when a build may commit along the way: well inside the lock table of
/// a server with default settings (64 locks per connection slot), a handful of commits for
/// thousands of tables.
const COMMIT_EVERY_STATEMENTS: usize = 1000;

/// Runs the script in one transaction, or in transactions of about `commit_every` statements.
async fn run(client: &Client, script: &Script, built: &Built, commit_every: Option<usize>) -> Result<(), Failure> {
    client.batch("BEGIN", "starting the build transaction").await.map_err(Failure::Db)?;
    let mut since_commit = 0;
    for chunk in &script.chunks {
        if let Some(limit) = commit_every
            && since_commit >= limit
        {
            client.batch("COMMIT; BEGIN", "committing part of the build").await.map_err(Failure::Db)?;
            since_commit = 0;
        }
        since_commit += match chunk {
            Chunk::Batch { statements, .. } => statements.len(),
            Chunk::Copy { .. } => 1,
        };
        match chunk {
            Chunk::Batch { sql, statements } => run_batch(client, sql, statements, built).await?,
            Chunk::Copy { sql, data, statement } => {
                let copied = async {
                    let sink = client.raw().copy_in(sql.as_str()).await?;
                    futures_util::pin_mut!(sink);
                    sink.send(bytes::Bytes::copy_from_slice(data.as_bytes())).await?;
                    sink.finish().await
                };
                if let Err(e) = copied.await {
                    return Err(locate(&e, sql, std::slice::from_ref(statement), 0, built));
                }
            }
        }
    }
    client.batch("COMMIT", "committing the build").await.map_err(Failure::Db)
}

/// Sends a batch in one message; counts completed statements so an error without a position can
/// still be pinned to its statement.
async fn run_batch(client: &Client, sql: &str, statements: &[StatementLocation], built: &Built) -> Result<(), Failure> {
    let stream = client.raw().simple_query_raw(sql).await.map_err(|e| locate(&e, sql, statements, 0, built))?;
    futures_util::pin_mut!(stream);
    let mut completed = 0;
    while let Some(message) = stream.next().await {
        match message {
            Ok(tokio_postgres::SimpleQueryMessage::CommandComplete(_)) => completed += 1,
            Ok(_) => {}
            Err(e) => return Err(locate(&e, sql, statements, completed, built)),
        }
    }
    Ok(())
}

/// Maps an error in `chunk_sql` back to the file, line and column it came from.
fn locate(
    e: &tokio_postgres::Error,
    chunk_sql: &str,
    statements: &[StatementLocation],
    completed: usize,
    built: &Built,
) -> Failure {
    let Some(info) = PgErrorInfo::from_error(e) else {
        return Failure::Db(DbError::query("running the build", e));
    };
    let error_byte = info.position.and_then(|p| char_to_byte(chunk_sql, p as usize));
    let index = match error_byte {
        Some(b) => statements.partition_point(|s| s.chunk_offset <= b).saturating_sub(1),
        None => completed.min(statements.len().saturating_sub(1)),
    };
    let Some(stmt) = statements.get(index) else {
        return Failure::Db(DbError::Server { context: "running the build".into(), info: Box::new(info) });
    };
    let text = &built.texts[stmt.file];
    let (line, column) = match error_byte.filter(|b| *b >= stmt.chunk_offset && *b < stmt.chunk_offset + stmt.len) {
        Some(b) => {
            let source = stmt.source_offset + (b - stmt.chunk_offset);
            let before = &text[..source];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, Some(column))
        }
        None => (stmt.line, None),
    };
    let statement = &text[stmt.source_offset..stmt.source_offset + stmt.len];
    Failure::Statement(Box::new(StatementFailure {
        file: built.files()[stmt.file].rel.clone(),
        line,
        column,
        statement: preview(statement),
        error: info,
        outcome: String::new(),
    }))
}

/// Byte offset of the 1-based character position `position` (PostgreSQL counts characters).
fn char_to_byte(text: &str, position: usize) -> Option<usize> {
    text.char_indices().nth(position.checked_sub(1)?).map(|(b, _)| b)
}

fn preview(statement: &str) -> String {
    let lines: Vec<&str> = statement.lines().collect();
    let mut out = lines.iter().take(6).copied().collect::<Vec<_>>().join("\n");
    if lines.len() > 6 {
        out.push_str("\n…");
    }
    if out.chars().count() > 600 {
        out = out.chars().take(600).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_characters() {
        assert_eq!(char_to_byte("é;x", 1), Some(0));
        assert_eq!(char_to_byte("é;x", 2), Some(2));
        assert_eq!(char_to_byte("é;x", 4), None);
        assert_eq!(char_to_byte("x", 0), None);
    }

    #[test]
    fn lineage_separates_projects_and_envs() {
        let a = lineage(Path::new("/p"), "local", false);
        assert_eq!(a.len(), 16);
        assert_ne!(a, lineage(Path::new("/p"), "test", false));
        assert_ne!(a, lineage(Path::new("/q"), "local", false));
        assert_ne!(a, lineage(Path::new("/p"), "local", true));
    }
}
