//! `--generate --name N`: writes `NNN_N.up.sql` and `NNN_N.down.sql` into the migrations
//! directory, numbered and named by the migrations area (`migrate::generate`), as
//! `confiture migrate generate` numbers its files.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::DiffError;
use super::source::DiffReport;
use crate::migrate::generate::{reserve, write as write_files};

#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    pub version: String,
    pub name: String,
    pub up: PathBuf,
    pub down: PathBuf,
}

/// Writes the migration files for `report` (which must have changes).
pub fn write(report: &DiffReport, dir: &Path, name: &str, allow_destructive: bool) -> Result<Generated, crate::Error> {
    if report.identical {
        return Err(DiffError::NoChanges.into());
    }
    if report.destructive && !allow_destructive {
        let steps: Vec<String> =
            report.up.iter().filter(|s| s.is_destructive()).map(|s| format!("  {}", s.sql)).collect();
        return Err(DiffError::Destructive { count: steps.len(), steps: steps.join("\n") }.into());
    }
    let migration = reserve(dir, name, true)?;
    let (up_text, down_text) = super::format::migration::render(report, &migration.version, name);
    write_files(&migration, &[up_text, down_text])?;
    let (up, down) = (migration.files[0].clone(), migration.files[1].clone());
    Ok(Generated { version: migration.version, name: name.into(), up, down })
}
