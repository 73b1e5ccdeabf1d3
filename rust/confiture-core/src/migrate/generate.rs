//! New migration files: the next version (one above the highest numeric version, counting both
//! `.py` and `.up.sql`, keeping the existing zero-padding) and starter templates.

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

/// Writes `{version}_{name}.py`, or `.up.sql` + `.down.sql` with `sql`. Never overwrites.
pub fn generate(dir: &Path, scan: &Scan, name: &str, sql: bool) -> Result<Vec<PathBuf>, MigrateError> {
    validate_name(name)?;
    std::fs::create_dir_all(dir).map_err(|source| MigrateError::Io { path: dir.to_path_buf(), source })?;
    let version = next_version(scan);
    let files: Vec<(PathBuf, String)> = if sql {
        vec![
            (dir.join(format!("{version}_{name}.up.sql")), up_sql(&version, name)),
            (dir.join(format!("{version}_{name}.down.sql")), down_sql(&version, name)),
        ]
    } else {
        vec![(dir.join(format!("{version}_{name}.py")), python(&version, name))]
    };
    for (path, _) in &files {
        if path.exists() {
            return Err(MigrateError::Usage(format!("{} already exists", path.display())));
        }
    }
    for (path, text) in &files {
        std::fs::write(path, text).map_err(|source| MigrateError::Io { path: path.clone(), source })?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
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
        std::fs::write(dir.path().join("0007_a.py"), "").unwrap();
        std::fs::write(dir.path().join("0009_b.up.sql"), "").unwrap();
        std::fs::write(dir.path().join("0009_b.down.sql"), "").unwrap();
        let scan = super::super::files::scan(dir.path()).unwrap();
        assert_eq!(next_version(&scan), "0010");
        assert_eq!(class_name("add_user_bio"), "AddUserBio");
        let files = generate(dir.path(), &scan, "add_bio", true).unwrap();
        assert!(files[0].ends_with("0010_add_bio.up.sql") && files[1].ends_with("0010_add_bio.down.sql"));
        assert!(generate(dir.path(), &scan, "add bio", false).is_err());
        assert!(generate(dir.path(), &scan, "add_bio", true).is_err(), "never overwrites");
    }
}
