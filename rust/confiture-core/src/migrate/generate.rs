//! New migration files: the next version (one above the highest numeric version, counting both
//! `.py` and `.up.sql`, keeping the existing zero-padding), names, all-or-nothing writes, and
//! starter templates. `migrate diff --generate` writes its plans through [`reserve`] and [`write`]
//! too, so both commands number migrations the same way.

use std::path::{Path, PathBuf};

use super::MigrateError;
use super::files::{NO_TRANSACTION_MARKER, Scan};

/// The version a new migration gets.
pub fn next_version(scan: &Scan) -> String {
    // Orphaned `NNN_x.sql` files count: they are migrations waiting for a rename.
    let orphan_versions = scan.orphans().into_iter().filter_map(|p| {
        let name = p.file_name()?.to_str()?;
        let digits = name.split('_').next()?;
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_owned())
    });
    let numeric: Vec<String> = scan
        .migrations
        .iter()
        .map(|m| m.version.clone())
        .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
        .chain(orphan_versions)
        .collect();
    let width = numeric.iter().map(|v| v.len()).max().unwrap_or(3).max(3);
    let highest = numeric.iter().filter_map(|v| v.parse::<u128>().ok()).max().unwrap_or(0);
    format!("{:0width$}", highest + 1)
}

/// `add_user_bio` → `AddUserBio`.
pub fn class_name(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn validate_name(name: &str) -> Result<(), MigrateError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(MigrateError::Usage(format!(
            "invalid migration name {name:?}: use letters, digits and underscores (e.g. add_user_bio)"
        )));
    }
    Ok(())
}

/// A migration about to be written: its version and files. The one place that numbers and names
/// new migrations: `migrate generate` and `migrate diff --generate` both go through it.
#[derive(Debug, Clone)]
pub struct NewMigration {
    pub version: String,
    /// `{version}_{name}.up.sql` and `.down.sql`, or `{version}_{name}.py`.
    pub files: Vec<PathBuf>,
}

/// The version and file names a new migration named `name` gets in `dir` (created when missing):
/// the name checked, the version after every existing one, files that do not exist yet.
pub fn reserve(dir: &Path, name: &str, sql: bool) -> Result<NewMigration, MigrateError> {
    validate_name(name)?;
    std::fs::create_dir_all(dir).map_err(|source| MigrateError::Write { path: dir.to_path_buf(), source })?;
    let version = next_version(&super::files::scan(dir)?);
    let files = if sql {
        vec![dir.join(format!("{version}_{name}.up.sql")), dir.join(format!("{version}_{name}.down.sql"))]
    } else {
        vec![dir.join(format!("{version}_{name}.py"))]
    };
    if let Some(taken) = files.iter().find(|p| p.exists()) {
        return Err(MigrateError::Usage(format!("{} already exists", taken.display())));
    }
    Ok(NewMigration { version, files })
}

/// The version the next migration in `dir` gets (`001` when the directory does not exist yet).
pub fn next_version_in(dir: &Path) -> Result<String, MigrateError> {
    match super::files::scan(dir) {
        Ok(scan) => Ok(next_version(&scan)),
        Err(MigrateError::DirNotFound { .. }) => Ok(next_version(&Scan::default())),
        Err(e) => Err(e),
    }
}

/// Writes the files of a reserved migration, each atomically, with `texts` in the order of
/// `migration.files`. All or nothing: files already written are removed when one fails.
pub fn write(migration: &NewMigration, texts: &[String]) -> Result<(), MigrateError> {
    for (i, (path, text)) in migration.files.iter().zip(texts).enumerate() {
        if let Err(e) = crate::build::write_atomic(path, text.as_bytes()) {
            for written in &migration.files[..i] {
                let _ = std::fs::remove_file(written);
            }
            let source = match e {
                crate::project::ProjectError::Write { source, .. } => source,
                other => std::io::Error::other(other.to_string()),
            };
            return Err(MigrateError::Write { path: path.clone(), source });
        }
    }
    Ok(())
}

/// Writes `{version}_{name}.py`, or `.up.sql` + `.down.sql` with `sql`, from the starter
/// templates. Never overwrites.
pub fn generate(dir: &Path, name: &str, sql: bool) -> Result<Vec<PathBuf>, MigrateError> {
    let migration = reserve(dir, name, sql)?;
    let v = &migration.version;
    let texts = if sql { vec![up_sql(v, name), down_sql(v, name)] } else { vec![python(v, name)] };
    write(&migration, &texts)?;
    Ok(migration.files)
}

fn python(version: &str, name: &str) -> String {
    format!(
        "\"\"\"Migration: {name}\n\nVersion: {version}\n\"\"\"\n\n\
         from confiture.models.migration import Migration\n\n\n\
         class {class}(Migration):\n\
         \x20   version = \"{version}\"\n\
         \x20   name = \"{name}\"\n\n\
         \x20   def up(self) -> None:\n\
         \x20       # self.execute(\"ALTER TABLE users ADD COLUMN bio text\")\n\
         \x20       raise NotImplementedError(\"{version}_{name}: write the forward migration\")\n\n\
         \x20   def down(self) -> None:\n\
         \x20       # self.execute(\"ALTER TABLE users DROP COLUMN bio\")\n\
         \x20       raise NotImplementedError(\"{version}_{name}: write the rollback\")\n",
        class = class_name(name)
    )
}

fn up_sql(version: &str, name: &str) -> String {
    format!(
        "-- Migration {version}_{name} (forward). Runs in one transaction with its tracking row.\n\
         -- For statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY, …) make the\n\
         -- first line of this file exactly: {NO_TRANSACTION_MARKER}\n\n"
    )
}

fn down_sql(version: &str, name: &str) -> String {
    format!("-- Migration {version}_{name} (rollback): undo what the .up.sql file does.\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_names() {
        let dir = tempfile::tempdir().unwrap();
        let empty = super::super::files::scan(dir.path()).unwrap();
        assert_eq!(next_version(&empty), "001");
        assert_eq!(next_version_in(&dir.path().join("missing")).unwrap(), "001");
        std::fs::write(dir.path().join("0007_a.py"), "").unwrap();
        std::fs::write(dir.path().join("0009_b.up.sql"), "").unwrap();
        std::fs::write(dir.path().join("0009_b.down.sql"), "").unwrap();
        let scan = super::super::files::scan(dir.path()).unwrap();
        assert_eq!(next_version(&scan), "0010");
        assert_eq!(next_version_in(dir.path()).unwrap(), "0010");
        assert_eq!(class_name("add_user_bio"), "AddUserBio");
        let files = generate(dir.path(), "add_bio", true).unwrap();
        assert!(files[0].ends_with("0010_add_bio.up.sql") && files[1].ends_with("0010_add_bio.down.sql"));
        assert!(generate(dir.path(), "add bio", false).is_err());
        let py = generate(dir.path(), "add_bio", false).unwrap();
        assert!(py[0].ends_with("0011_add_bio.py"), "the next version: {py:?}");
    }

    #[test]
    fn never_overwrites_and_writes_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("001_x.up.sql"), "").unwrap();
        let m = reserve(dir.path(), "x", true).unwrap();
        assert_eq!(m.version, "002");
        // Something in the way of the second file: the first is removed again.
        std::fs::create_dir(&m.files[1]).unwrap();
        let err = write(&m, &["up".into(), "down".into()]).unwrap_err();
        assert!(matches!(err, MigrateError::Write { .. }), "{err}");
        assert!(!m.files[0].exists(), "no partial write");
        assert!(reserve(dir.path(), "x", true).is_err(), "never overwrites: {:?}", m.files[1]);
    }
}
