//! DDL sources on disk: one file, or every `.sql` file under a directory (sorted by path, hidden
//! files skipped).

use std::path::Path;

use super::{SchemaError, Source};
use crate::config::SortMode;
use crate::project::sort_key_cmp;

/// The `.sql` files under `dir`, in order, with paths relative to it.
pub fn sql_files_in(dir: &Path) -> Result<Vec<(std::path::PathBuf, String)>, SchemaError> {
    let mut found = Vec::new();
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| SchemaError::Read { path: dir.display().to_string(), message: e.to_string() })?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "sql") {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
            found.push((entry.path().to_path_buf(), rel));
        }
    }
    found.sort_by(|a, b| sort_key_cmp(SortMode::Alphabetical, &a.1, &b.1));
    Ok(found)
}

/// A file, or every `.sql` file under a directory, as sources named by their paths.
pub fn read_sql_path(path: &Path) -> Result<Vec<Source>, SchemaError> {
    let read = |p: &Path| {
        std::fs::read_to_string(p)
            .map_err(|e| SchemaError::Read { path: p.display().to_string(), message: e.to_string() })
    };
    if path.is_dir() {
        let files = sql_files_in(path)?;
        if files.is_empty() {
            return Err(SchemaError::Read { path: path.display().to_string(), message: "no .sql files in it".into() });
        }
        files.iter().map(|(p, _)| Ok(Source { name: p.display().to_string(), text: read(p)? })).collect()
    } else {
        Ok(vec![Source { name: path.display().to_string(), text: read(path)? }])
    }
}
