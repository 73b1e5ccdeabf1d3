//! The migrations directory: `{version}_{name}.up.sql` + `.down.sql` pairs (with an optional
//! `{version}_{name}.yaml` sidecar of preconditions), and `{version}_{name}.py` files holding a
//! `Migration` class. Only the top level is read. Problems (duplicate versions, a missing down
//! file, orphaned `.sql` files, malformed names) are collected so they can be reported before
//! anything runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::MigrateError;
use super::error::Problem;
use super::version::{VersionKey, compare};

/// First-line marker that makes a SQL migration run outside a transaction.
pub const NO_TRANSACTION_MARKER: &str = "-- confiture: no-transaction";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MigrationKind {
    Sql {
        up: PathBuf,
        down: Option<PathBuf>,
        sidecar: Option<PathBuf>,
    },
    Python {
        file: PathBuf,
    },
    /// A migration object handed in by the caller (Python API), identified by the caller's id;
    /// `file` is its source file when known (for the checksum).
    External {
        id: u64,
        file: Option<PathBuf>,
    },
}

/// One migration found on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationFile {
    pub version: String,
    pub name: String,
    pub kind: MigrationKind,
}

impl MigrationFile {
    /// The file whose checksum is recorded (`.up.sql` or `.py`).
    pub fn path(&self) -> &Path {
        match &self.kind {
            MigrationKind::Sql { up, .. } => up,
            MigrationKind::Python { file } => file,
            MigrationKind::External { file, .. } => file.as_deref().unwrap_or(Path::new("")),
        }
    }

    /// Whether it runs through the host (Python).
    pub fn is_python(&self) -> bool {
        matches!(self.kind, MigrationKind::Python { .. } | MigrationKind::External { .. })
    }

    /// `{version}_{name}`.
    pub fn label(&self) -> String {
        format!("{}_{}", self.version, self.name)
    }
}

/// Everything in a migrations directory.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scan {
    pub dir: PathBuf,
    /// Migrations in version order.
    pub migrations: Vec<MigrationFile>,
    pub problems: Vec<Problem>,
}

impl Scan {
    pub fn orphans(&self) -> Vec<&Path> {
        self.problems
            .iter()
            .filter_map(|p| match p {
                Problem::Orphan { file, .. } => Some(file.as_path()),
                _ => None,
            })
            .collect()
    }

    /// Problems that must stop a run (everything but orphaned files, which only warn).
    pub fn blocking_problems(&self) -> Vec<Problem> {
        self.problems.iter().filter(|p| !matches!(p, Problem::Orphan { .. })).cloned().collect()
    }

    /// The migration with this version.
    pub fn find(&self, version: &str) -> Option<&MigrationFile> {
        // `migrations` is sorted by version value: binary search (histories reach 10,000s).
        let first = self.migrations.partition_point(|m| super::version::compare_value(&m.version, version).is_lt());
        self.migrations[first..].iter().take_while(|m| super::version::same(&m.version, version)).next()
    }
}

/// Splits `001_add_users` into (`001`, `add_users`).
fn split_stem(stem: &str) -> Option<(&str, &str)> {
    let (version, name) = stem.split_once('_')?;
    (!version.is_empty() && !name.is_empty()).then_some((version, name))
}

/// Reads the top level of `dir`.
pub fn scan(dir: &Path) -> Result<Scan, MigrateError> {
    if !dir.is_dir() {
        return Err(MigrateError::DirNotFound { dir: dir.to_path_buf() });
    }
    let entries = std::fs::read_dir(dir).map_err(|source| MigrateError::Io { path: dir.to_path_buf(), source })?;
    let names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    Ok(scan_names(dir, names))
}

/// The same reading over file names (the top level of a migrations directory, however listed:
/// on disk, or in a git tree or index), with paths under `dir`.
pub fn scan_names(dir: &Path, mut names: Vec<String>) -> Scan {
    names.sort();

    let mut problems = Vec::new();
    let mut ups: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut downs: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut sidecars: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut pythons: BTreeMap<String, PathBuf> = BTreeMap::new();
    for name in &names {
        let path = dir.join(name);
        if let Some(stem) = name.strip_suffix(".up.sql") {
            ups.insert(stem.to_string(), path);
        } else if let Some(stem) = name.strip_suffix(".down.sql") {
            downs.insert(stem.to_string(), path);
        } else if let Some(stem) = name.strip_suffix(".sql") {
            problems.push(Problem::Orphan { suggestion: dir.join(format!("{stem}.up.sql")), file: path });
        } else if let Some(stem) = name.strip_suffix(".py") {
            if stem != "__init__" && !stem.starts_with('_') {
                pythons.insert(stem.to_string(), path);
            }
        } else if let Some(stem) = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")) {
            sidecars.insert(stem.to_string(), path);
        }
    }

    let mut migrations = Vec::new();
    for (stem, up) in &ups {
        let down = downs.get(stem).cloned();
        if down.is_none() {
            problems.push(Problem::MissingDown { up: up.clone(), expected: dir.join(format!("{stem}.down.sql")) });
        }
        push(
            &mut migrations,
            &mut problems,
            stem,
            up,
            MigrationKind::Sql { up: up.clone(), down, sidecar: sidecars.get(stem).cloned() },
        );
    }
    for (stem, down) in &downs {
        if !ups.contains_key(stem) {
            problems.push(Problem::DownWithoutUp { down: down.clone() });
        }
    }
    for (stem, file) in &pythons {
        push(&mut migrations, &mut problems, stem, file, MigrationKind::Python { file: file.clone() });
    }
    migrations.sort_by(|a, b| compare(&a.version, &b.version).then_with(|| a.name.cmp(&b.name)));

    // Duplicate versions (`001` and `1` are the same version).
    let mut i = 0;
    while i < migrations.len() {
        let key = VersionKey::new(&migrations[i].version);
        let mut j = i + 1;
        while j < migrations.len() && key.same(&VersionKey::new(&migrations[j].version)) {
            j += 1;
        }
        if j - i > 1 {
            problems.push(Problem::DuplicateVersion {
                version: migrations[i].version.clone(),
                files: migrations[i..j].iter().map(|m| m.path().to_path_buf()).collect(),
            });
        }
        i = j;
    }
    Scan { dir: dir.to_path_buf(), migrations, problems }
}

fn push(
    migrations: &mut Vec<MigrationFile>,
    problems: &mut Vec<Problem>,
    stem: &str,
    path: &Path,
    kind: MigrationKind,
) {
    match split_stem(stem) {
        Some((version, name)) => {
            migrations.push(MigrationFile { version: version.to_string(), name: name.to_string(), kind });
        }
        None => problems.push(Problem::BadName {
            file: path.to_path_buf(),
            reason: "expected {version}_{name} (e.g. 001_add_users); the file will not run".into(),
        }),
    }
}

/// SHA-256 (hex) of a file's bytes.
pub fn checksum(path: &Path) -> Result<String, MigrateError> {
    let bytes = std::fs::read(path).map_err(|source| MigrateError::Io { path: path.to_path_buf(), source })?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// Reads a SQL migration file as text.
pub fn read_sql(path: &Path) -> Result<String, MigrateError> {
    let bytes = std::fs::read(path).map_err(|source| MigrateError::Io { path: path.to_path_buf(), source })?;
    String::from_utf8(bytes).map_err(|e| MigrateError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        ),
    })
}

/// Whether SQL text opts out of the transaction with the first-line marker.
pub fn wants_no_transaction(sql: &str) -> bool {
    let first = sql.trim_start_matches('\u{feff}').lines().next().unwrap_or("");
    let normalized: String = first.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    normalized == NO_TRANSACTION_MARKER
}

/// What `fix_orphans` did: renamed (old, new) pairs and files it could not rename (file, reason).
#[derive(Debug, Clone, Default, Serialize)]
pub struct NamingFix {
    pub renamed: Vec<(PathBuf, PathBuf)>,
    pub errors: Vec<(PathBuf, String)>,
}

/// Renames orphaned `X.sql` files to `X.up.sql` (or only reports with `dry_run`).
pub fn fix_orphans(scan: &Scan, dry_run: bool) -> NamingFix {
    let mut renamed = Vec::new();
    let mut errors = Vec::new();
    for p in &scan.problems {
        let Problem::Orphan { file, suggestion } = p else { continue };
        if suggestion.exists() {
            errors.push((file.clone(), format!("{} already exists", suggestion.display())));
            continue;
        }
        if !dry_run && let Err(e) = std::fs::rename(file, suggestion) {
            errors.push((file.clone(), e.to_string()));
            continue;
        }
        renamed.push((file.clone(), suggestion.clone()));
    }
    NamingFix { renamed, errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(files: &[&str]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for f in files {
            std::fs::write(d.path().join(f), "SELECT 1;\n").unwrap();
        }
        d
    }

    #[test]
    fn pairs_python_and_order() {
        let d = dir_with(&[
            "1000_big.up.sql",
            "1000_big.down.sql",
            "999_small.up.sql",
            "999_small.down.sql",
            "002_py.py",
            "__init__.py",
            "_helpers.py",
            "999_small.yaml",
            "README.md",
        ]);
        let s = scan(d.path()).unwrap();
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        let labels: Vec<String> = s.migrations.iter().map(MigrationFile::label).collect();
        assert_eq!(labels, vec!["002_py", "999_small", "1000_big"]);
        match &s.migrations[1].kind {
            MigrationKind::Sql { sidecar, down, .. } => assert!(sidecar.is_some() && down.is_some()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn problems_are_found() {
        let d = dir_with(&[
            "001_a.up.sql",
            "1_b.up.sql",
            "1_b.down.sql",
            "003_c.down.sql",
            "004_orphan.sql",
            "nounderscore.up.sql",
        ]);
        let s = scan(d.path()).unwrap();
        let kinds: Vec<String> = s.problems.iter().map(|p| p.to_string()).collect();
        assert!(kinds.iter().any(|k| k.contains("001_a.up.sql has no matching 001_a.down.sql")), "{kinds:?}");
        assert!(kinds.iter().any(|k| k.contains("version 001 is used by 2 files")), "{kinds:?}");
        assert!(kinds.iter().any(|k| k.contains("003_c.down.sql has no matching .up.sql")), "{kinds:?}");
        assert!(
            kinds.iter().any(|k| k.contains("004_orphan.sql will never run (rename to: 004_orphan.up.sql)")),
            "{kinds:?}"
        );
        assert!(kinds.iter().any(|k| k.contains("nounderscore.up.sql")), "{kinds:?}");
        assert_eq!(s.orphans().len(), 1);
        assert_eq!(s.blocking_problems().len(), 5, "nounderscore.up.sql also lacks its down file");
    }

    #[test]
    fn markers_and_fixing() {
        assert!(wants_no_transaction("-- confiture: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);"));
        assert!(wants_no_transaction("--   Confiture:   NO-TRANSACTION  \n"));
        assert!(!wants_no_transaction("\n-- confiture: no-transaction\n"));
        let d = dir_with(&["004_orphan.sql", "005_x.sql", "005_x.up.sql"]);
        let s = scan(d.path()).unwrap();
        let fix = fix_orphans(&s, true);
        assert_eq!((fix.renamed.len(), fix.errors.len()), (1, 1));
        assert!(d.path().join("004_orphan.sql").exists(), "dry run renames nothing");
        assert_eq!(fix_orphans(&s, false).renamed.len(), 1);
        assert!(d.path().join("004_orphan.up.sql").exists());
    }
}
