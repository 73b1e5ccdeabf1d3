//! Opening connections from libpq-style parameters, with TLS per `sslmode`.

use std::time::Duration;

use super::{DbError, runtime, tls};
use crate::config::{ConnectionParams, ResolvedParams, SslMode, env_var};

/// A connection and where it goes.
pub struct Client {
    inner: tokio_postgres::Client,
    params: ConnectionParams,
    target: String,
    connection: tokio::task::JoinHandle<()>,
}

impl Client {
    /// The driver's client, for queries.
    pub fn raw(&self) -> &tokio_postgres::Client {
        &self.inner
    }

    /// The parameters this connection was opened with.
    pub fn params(&self) -> &ConnectionParams {
        &self.params
    }

    /// `host:port/dbname`, for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Closes the connection and waits until the server has seen it go, so the database can be
    /// dropped or cloned right after.
    pub async fn close(self) {
        drop(self.inner);
        let _ = self.connection.await;
    }

    /// Runs statements (simple query protocol), labelling failures with `context`.
    pub async fn batch(&self, sql: &str, context: &str) -> Result<(), DbError> {
        self.inner.batch_execute(sql).await.map_err(|e| DbError::query(context, &e))
    }

    /// Runs a query with parameters and returns its rows.
    pub async fn rows(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        context: &str,
    ) -> Result<Vec<tokio_postgres::Row>, DbError> {
        self.inner.query(sql, params).await.map_err(|e| DbError::query(context, &e))
    }
}

/// Parses a connection URL (or DSN) and connects.
pub async fn connect_url(url: &str) -> Result<Client, crate::Error> {
    let params = ConnectionParams::parse(url)?;
    Ok(connect(&params).await?)
}

/// Connects with libpq's defaults for anything the parameters leave out.
pub async fn connect(params: &ConnectionParams) -> Result<Client, DbError> {
    let resolved = params.resolve(&env_var);
    let target = resolved.display_target();
    let config = driver_config(&resolved);
    let connect_error = |e: tokio_postgres::Error| {
        let code = e.as_db_error().map(|d| d.code().code().to_string());
        let mut message = match e.as_db_error() {
            Some(db) => db.message().to_string(),
            None => e.to_string(),
        };
        if code.is_none() {
            message.push_str(&format!(
                "\nis PostgreSQL running and accepting connections at {}:{}?",
                resolved.host(),
                resolved.port()
            ));
        } else if code.as_deref() == Some("3D000") {
            message.push_str("\ncreate it first, or let `confiture build --apply` create it");
        }
        DbError::Connect { target: target.clone(), message, code }
    };
    let (client, connection) = match tls::connector(&resolved)? {
        None => {
            let (client, connection) = config.connect(tokio_postgres::NoTls).await.map_err(connect_error)?;
            (client, runtime()?.spawn(async move { drop(connection.await) }))
        }
        Some(tls) => {
            let (client, connection) = config.connect(tls).await.map_err(connect_error)?;
            (client, runtime()?.spawn(async move { drop(connection.await) }))
        }
    };
    Ok(Client { inner: client, params: params.clone(), target, connection })
}

fn driver_config(r: &ResolvedParams) -> tokio_postgres::Config {
    let mut config = tokio_postgres::Config::new();
    for host in &r.hosts {
        if host.starts_with('/') {
            config.host_path(host);
        } else {
            config.host(host);
        }
    }
    for port in &r.ports {
        config.port(*port);
    }
    config.user(&r.user);
    config.dbname(&r.dbname);
    if let Some(password) = &r.password {
        config.password(password);
    }
    config.application_name(r.options.get("application_name").map_or("confiture", String::as_str));
    if let Some(options) = r.options.get("options") {
        config.options(options);
    }
    if let Some(seconds) = r.options.get("connect_timeout").and_then(|s| s.parse::<u64>().ok()).filter(|s| *s > 0) {
        config.connect_timeout(Duration::from_secs(seconds));
    }
    if r.options.get("target_session_attrs").map(String::as_str) == Some("read-write") {
        config.target_session_attrs(tokio_postgres::config::TargetSessionAttrs::ReadWrite);
    }
    config.ssl_mode(match r.sslmode {
        SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        SslMode::Allow | SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => tokio_postgres::config::SslMode::Require,
    });
    config
}
