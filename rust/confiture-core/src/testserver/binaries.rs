//! Finding PostgreSQL's server programs: `CONFITURE_PG_BINDIR`, then `pg_config --bindir`, then the
//! newest `/usr/lib/postgresql/<version>/bin` (Debian), then `PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::ServerError;
use crate::config::env_var;

fn has_server(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

/// The directory holding `initdb` and `postgres`.
pub fn find_bindir() -> Result<PathBuf, ServerError> {
    let mut searched = Vec::new();
    if let Some(dir) = env_var("CONFITURE_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        if has_server(&dir) {
            return Ok(dir);
        }
        searched.push(format!("{} (CONFITURE_PG_BINDIR)", dir.display()));
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_server(&dir) {
            return Ok(dir);
        }
        searched.push(format!("{} (pg_config --bindir)", dir.display()));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let version = e.file_name().to_str()?.split('.').next()?.parse::<u32>().ok()?;
                    Some((version, e.path().join("bin")))
                })
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    if let Some((_, dir)) = versions.into_iter().rev().find(|(_, d)| has_server(d)) {
        return Ok(dir);
    }
    searched.push("/usr/lib/postgresql/*/bin".into());
    if let Some(path) = env_var("PATH") {
        for dir in path.split(':').filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            if has_server(&dir) {
                return Ok(dir);
            }
        }
        searched.push("PATH".into());
    }
    Err(ServerError::BinariesNotFound { searched })
}
