//! The postgres_fdw side on the target: the server (the source's real host, port and database),
//! the user mapping (the source's user and password — sent to the server, never shown), and the
//! foreign schemas holding the source tables. Re-running setup replaces them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::FdwError;
use super::options::S2sOptions;
use super::session::exec;
use crate::config::env_var;
use crate::db::{Client, DbError};
use crate::sql::{quote_ident, quote_literal};
use crate::sync::TableName;

#[derive(Debug, Clone, Serialize)]
pub struct ForeignSchema {
    pub source_schema: String,
    pub local_schema: String,
    pub tables: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServerReport {
    pub server: String,
    /// `host:port/dbname` as the target's server reaches the source.
    pub source: String,
    pub user: String,
    pub password_set: bool,
    pub foreign_schemas: Vec<ForeignSchema>,
}

/// Whether `schema` on the target holds only foreign tables of `server` (or does not exist).
async fn schema_is_ours(target: &Client, schema: &str, server: &str) -> Result<bool, FdwError> {
    let context = format!("inspecting schema {schema} on the target");
    let rows = target
        .rows(
            "SELECT (SELECT count(*) FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid \
                     LEFT JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver \
                     WHERE c.relnamespace = n.oid AND s.srvname IS DISTINCT FROM $2) \
                  + (SELECT count(*) FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid) \
                  + (SELECT count(*) FROM pg_catalog.pg_type t WHERE t.typnamespace = n.oid AND t.typrelid = 0 AND t.typcategory <> 'A') \
             FROM pg_catalog.pg_namespace n WHERE n.nspname = $1",
            &[&schema, &server],
            &context,
        )
        .await
        .map_err(FdwError::db(context))?;
    Ok(rows.first().is_none_or(|r| r.get::<_, i64>(0) == 0))
}

/// Turns failures to reach the source through the server into a clear error.
pub(super) fn reach_error(e: DbError, server: &str, source: &str, context: &str) -> FdwError {
    if let DbError::Server { info, .. } = &e
        && (info.code.starts_with("08") || info.code == "2F003" || info.code == "28P01" || info.code == "28000")
    {
        return FdwError::Connect {
            server: server.to_string(),
            source_target: source.to_string(),
            message: info.message.clone(),
            detail: info.detail.clone().or_else(|| info.hint.clone()),
        };
    }
    FdwError::Db { context: context.to_string(), source: e }
}

/// Creates the server, the user mapping and the foreign schemas. `limit`: per source schema, the
/// only tables to import (from the mapping); `None` imports whole schemas.
pub async fn setup(
    target: &Client,
    options: &S2sOptions,
    limit: Option<&BTreeMap<String, Vec<TableName>>>,
) -> Result<ServerReport, FdwError> {
    let resolved = options.source.params.resolve(&env_var);
    let host = options.fdw_host.clone().unwrap_or_else(|| resolved.host().to_string());
    let port = options.fdw_port.unwrap_or_else(|| resolved.port());
    let shown = format!("{host}:{port}/{}", resolved.dbname);
    let server = &options.server_name;
    let schemas: Vec<String> = match limit {
        Some(l) => l.keys().cloned().collect(),
        None => options.schemas.clone(),
    };
    for s in &schemas {
        let local = options.foreign_schema_for(s);
        if !schema_is_ours(target, &local, server).await? {
            return Err(FdwError::ForeignSchemaInUse { schema: local, server: server.clone() });
        }
    }
    let mut server_options = vec![
        format!("host {}", quote_literal(&host)),
        format!("port {}", quote_literal(&port.to_string())),
        format!("dbname {}", quote_literal(&resolved.dbname)),
        "fetch_size '10000'".to_string(),
    ];
    if options.source.params.sslmode.is_some() {
        server_options.push(format!("sslmode {}", quote_literal(resolved.sslmode.as_str())));
    }
    let mut user_options = vec![format!("user {}", quote_literal(&resolved.user))];
    if let Some(p) = &resolved.password {
        user_options.push(format!("password {}", quote_literal(p)));
    }
    let steps: Vec<(String, String)> = vec![
        ("BEGIN".into(), "starting setup".into()),
        ("CREATE EXTENSION IF NOT EXISTS postgres_fdw".into(), "creating extension postgres_fdw on the target".into()),
        (format!("DROP SERVER IF EXISTS {} CASCADE", quote_ident(server)), format!("replacing server {server}")),
        (
            format!(
                "CREATE SERVER {} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ({})",
                quote_ident(server),
                server_options.join(", ")
            ),
            format!("creating server {server}"),
        ),
        (
            format!(
                "CREATE USER MAPPING FOR CURRENT_USER SERVER {} OPTIONS ({})",
                quote_ident(server),
                user_options.join(", ")
            ),
            format!("creating the user mapping for server {server}"),
        ),
    ];
    let fail = |e: FdwError| async move {
        let _ = target.batch("ROLLBACK", "rolling back setup").await;
        e
    };
    for (sql, context) in &steps {
        if let Err(e) = target.batch(sql, context).await {
            return Err(fail(FdwError::Db { context: context.clone(), source: e }).await);
        }
    }
    let mut foreign_schemas = Vec::new();
    for s in &schemas {
        let local = options.foreign_schema_for(s);
        let context = format!("creating schema {local}");
        if let Err(e) = exec(
            target,
            &format!("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", quote_ident(&local)),
            &context,
        )
        .await
        {
            return Err(fail(e).await);
        }
        if options.skip_import {
            foreign_schemas.push(ForeignSchema { source_schema: s.clone(), local_schema: local, tables: 0 });
            continue;
        }
        let limit_to = match limit.and_then(|l| l.get(s)) {
            Some(tables) => {
                format!(" LIMIT TO ({})", tables.iter().map(|t| quote_ident(&t.name)).collect::<Vec<_>>().join(", "))
            }
            None => String::new(),
        };
        let sql = format!(
            "IMPORT FOREIGN SCHEMA {}{limit_to} FROM SERVER {} INTO {}",
            quote_ident(s),
            quote_ident(server),
            quote_ident(&local)
        );
        let context = format!("importing source schema {s} into {local}");
        if let Err(e) = target.batch(&sql, &context).await {
            return Err(fail(reach_error(e, server, &shown, &context)).await);
        }
        let count_context = format!("counting foreign tables in {local}");
        let tables = match target
            .rows(
                "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relkind = 'f'",
                &[&local],
                &count_context,
            )
            .await
        {
            Ok(rows) => rows.first().map_or(0, |r| r.get::<_, i64>(0)),
            Err(e) => return Err(fail(FdwError::Db { context: count_context, source: e }).await),
        };
        foreign_schemas.push(ForeignSchema { source_schema: s.clone(), local_schema: local, tables });
    }
    exec(target, "COMMIT", "committing setup").await?;
    // IMPORT FOREIGN SCHEMA read the source's catalog through the server: the path works.
    Ok(ServerReport {
        server: server.clone(),
        source: shown,
        user: resolved.user,
        password_set: resolved.password.is_some(),
        foreign_schemas,
    })
}

/// Foreign schemas of `server` on the target (holding only its foreign tables), plus the named
/// ones when they are empty.
async fn our_schemas(target: &Client, options: &S2sOptions) -> Result<Vec<String>, FdwError> {
    let context = "finding foreign schemas on the target";
    let rows = target
        .rows(
            "SELECT DISTINCT n.nspname::text FROM pg_catalog.pg_foreign_table ft \
             JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver WHERE s.srvname = $1 \
             UNION SELECT n.nspname::text FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY($2) ORDER BY 1",
            &[&options.server_name, &options.schemas.iter().map(|s| options.foreign_schema_for(s)).collect::<Vec<_>>()],
            context,
        )
        .await
        .map_err(FdwError::db(context))?;
    let mut out = Vec::new();
    for r in rows {
        let name: String = r.get(0);
        if schema_is_ours(target, &name, &options.server_name).await? {
            out.push(name);
        }
    }
    Ok(out)
}

/// Drops the foreign schemas, the user mapping and the server; returns the schemas dropped.
pub async fn cleanup(target: &Client, options: &S2sOptions) -> Result<Vec<String>, FdwError> {
    let schemas = our_schemas(target, options).await?;
    let mut sql = String::from("BEGIN;\n");
    for s in &schemas {
        sql.push_str(&format!("DROP SCHEMA IF EXISTS {} CASCADE;\n", quote_ident(s)));
    }
    let server = quote_ident(&options.server_name);
    let has_server = target
        .rows(
            "SELECT 1 FROM pg_catalog.pg_foreign_server WHERE srvname = $1",
            &[&options.server_name],
            "finding the server",
        )
        .await
        .map_err(FdwError::db("finding the server"))?;
    if !has_server.is_empty() {
        sql.push_str(&format!("DROP USER MAPPING IF EXISTS FOR CURRENT_USER SERVER {server};\n"));
        sql.push_str(&format!("DROP SERVER IF EXISTS {server} CASCADE;\n"));
    }
    sql.push_str("COMMIT;");
    if let Err(e) = exec(target, &sql, "removing the postgres_fdw objects from the target").await {
        let _ = target.batch("ROLLBACK", "rolling back").await;
        return Err(e);
    }
    Ok(schemas)
}

/// The error to give when a foreign table the fdw strategy needs is missing.
pub fn missing_foreign_table(local: &str, table: &TableName) -> FdwError {
    FdwError::NotSetUp {
        what: format!("foreign table {}.{} (source {table})", quote_ident(local), quote_ident(&table.name)),
        hint: " --mapping …".into(),
    }
}
