//! Throw-away PostgreSQL clusters for tests, the pytest plugin and demos.
//!
//! [`TestServer::start`] uses the server named by `CONFITURE_TEST_DATABASE_URL` (or
//! `CONFITURE_TEST_DB_URL`) when set; otherwise it runs `initdb` into a fresh temporary directory
//! (as the `postgres` OS user when the process is root), starts `postgres` on a free port with its
//! unix socket in that directory and `fsync=off`, and removes everything when dropped, at process
//! exit, or — if the process is killed — when the next server starts (stale directories are swept).

mod binaries;
mod cluster;
mod error;
mod reaper;

use std::path::{Path, PathBuf};

pub use binaries::find_bindir;
pub use error::ServerError;

use crate::config::{ConnectionParams, env_var};

/// Environment variables naming an existing server to use instead of a throw-away one.
pub const SERVER_URL_VARS: [&str; 2] = ["CONFITURE_TEST_DATABASE_URL", "CONFITURE_TEST_DB_URL"];

/// Options for a throw-away cluster.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Extra `-c name=value` settings.
    pub settings: Vec<(String, String)>,
    /// Serve TLS with this certificate and key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
}

/// A PostgreSQL server for tests: throw-away, or an existing one named by the environment.
pub struct TestServer {
    params: ConnectionParams,
    cluster: Option<cluster::Cluster>,
}

impl TestServer {
    /// The server named by `CONFITURE_TEST_DATABASE_URL`/`CONFITURE_TEST_DB_URL`, else a new cluster.
    pub fn start() -> Result<Self, ServerError> {
        for var in SERVER_URL_VARS {
            if let Some(url) = env_var(var).filter(|u| !u.trim().is_empty()) {
                let params = ConnectionParams::parse(&url)
                    .map_err(|e| ServerError::BadUrl { var: var.to_string(), message: e.to_string() })?;
                return Ok(Self { params, cluster: None });
            }
        }
        Self::start_throwaway(&ServerOptions::default())
    }

    /// Always a new throw-away cluster.
    pub fn start_throwaway(options: &ServerOptions) -> Result<Self, ServerError> {
        crate::process::enter().map_err(|e| ServerError::Forked { message: e.to_string() })?;
        let cluster = cluster::Cluster::start(options)?;
        let params = ConnectionParams {
            hosts: vec!["127.0.0.1".into()],
            ports: vec![cluster.port()],
            user: Some(cluster::SUPERUSER.into()),
            dbname: Some("postgres".into()),
            ..ConnectionParams::default()
        };
        Ok(Self { params, cluster: Some(cluster) })
    }

    /// URL of the server's maintenance database (`postgres`).
    pub fn url(&self) -> String {
        self.params.to_url()
    }

    /// URL of database `dbname` on this server.
    pub fn url_for(&self, dbname: &str) -> String {
        self.params.with_dbname(dbname).to_url()
    }

    /// Connection parameters of the maintenance database.
    pub fn params(&self) -> &ConnectionParams {
        &self.params
    }

    /// Whether this is an existing server (nothing to stop).
    pub fn is_external(&self) -> bool {
        self.cluster.is_none()
    }

    /// The cluster's directory (data, socket, log), for throw-away servers.
    pub fn directory(&self) -> Option<&Path> {
        self.cluster.as_ref().map(cluster::Cluster::directory)
    }

    /// The server log, for throw-away servers.
    pub fn log_path(&self) -> Option<PathBuf> {
        self.cluster.as_ref().map(cluster::Cluster::log_path)
    }

    /// Stops a throw-away cluster and removes its directory; idempotent.
    pub fn stop(&mut self) -> Result<(), ServerError> {
        match self.cluster.take() {
            Some(mut c) => c.stop(),
            None => Ok(()),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Errors here have nowhere to go; the directory is swept on the next start.
        let _ = self.stop();
    }
}
