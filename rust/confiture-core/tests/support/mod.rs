//! Shared helpers for the engine's integration tests: one throw-away PostgreSQL per test binary
//! (or the server in CONFITURE_TEST_DATABASE_URL), unique database names, project directories.

#![allow(dead_code, reason = "each test binary uses a different subset")]
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use confiture_core::config::{ConnectionParams, Environment};
use confiture_core::db::{Client, block_on, connect};
use confiture_core::testserver::TestServer;

pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start().expect("start the test PostgreSQL"))
}

/// A database name no other test uses.
pub fn unique_db(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

pub fn params_for(db: &str) -> ConnectionParams {
    server().params().with_dbname(db)
}

pub fn client(db: &str) -> Client {
    block_on(connect(&params_for(db))).unwrap().unwrap()
}

/// Runs a query returning one text column per row.
pub fn strings(db: &str, sql: &str) -> Vec<String> {
    let c = client(db);
    block_on(async { c.raw().query(sql, &[]).await.unwrap().iter().map(|r| r.get::<_, String>(0)).collect() }).unwrap()
}

pub fn database_exists(db: &str) -> bool {
    let admin = client("postgres");
    block_on(confiture_core::db::admin::database_exists(&admin, db)).unwrap().unwrap()
}

/// A project directory with files.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let p = Self { dir: tempfile::tempdir().unwrap() };
        for (rel, content) in files {
            p.write(rel, content);
        }
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    pub fn env(&self, name: &str) -> Environment {
        Environment::load(name, self.path(), &|_| None).unwrap().environment
    }
}
