//! `--generate --name N`: writes `NNN_N.up.sql` and `NNN_N.down.sql` into the migrations
//! directory. NNN is the highest numeric version already there (`.py` and `.up.sql` files) plus
//! one, at least three digits.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::DiffError;
use super::source::DiffReport;

#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    pub version: String,
    pub name: String,
    pub up: PathBuf,
    pub down: PathBuf,
}

/// The version after the highest existing one.
pub fn next_version(dir: &Path) -> String {
    let mut highest: u64 = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !(name.ends_with(".py") || name.ends_with(".up.sql")) {
                continue;
            }
            let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty()
                && name[digits.len()..].starts_with('_')
                && let Ok(v) = digits.parse::<u64>()
            {
                highest = highest.max(v);
            }
        }
    }
    format!("{:03}", highest + 1)
}

fn check_name(name: &str) -> Result<(), DiffError> {
    let invalid = |m: &str| Err(DiffError::InvalidName { name: name.into(), message: m.into() });
    if name.is_empty() {
        return invalid("it is empty");
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return invalid("use letters, digits, '_' and '-' only");
    }
    Ok(())
}

/// Writes the migration files for `report` (which must have changes).
pub fn write(report: &DiffReport, dir: &Path, name: &str, allow_destructive: bool) -> Result<Generated, DiffError> {
    check_name(name)?;
    if report.identical {
        return Err(DiffError::NoChanges);
    }
    if report.destructive && !allow_destructive {
        let steps: Vec<String> =
            report.up.iter().filter(|s| s.is_destructive()).map(|s| format!("  {}", s.sql)).collect();
        return Err(DiffError::Destructive { count: steps.len(), steps: steps.join("\n") });
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| DiffError::Write { path: dir.display().to_string(), message: e.to_string() })?;
    let version = next_version(dir);
    let (up_text, down_text) = super::format::migration::render(report, &version, name);
    let up = dir.join(format!("{version}_{name}.up.sql"));
    let down = dir.join(format!("{version}_{name}.down.sql"));
    for (path, text) in [(&up, &up_text), (&down, &down_text)] {
        if path.exists() {
            return Err(DiffError::Write { path: path.display().to_string(), message: "exists already".into() });
        }
        crate::build::write_atomic(path, text.as_bytes())
            .map_err(|e| DiffError::Write { path: path.display().to_string(), message: e.to_string() })?;
    }
    Ok(Generated { version, name: name.into(), up, down })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_py_and_up_sql() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(next_version(dir.path()), "001");
        for f in ["001_a.py", "007_b.up.sql", "007_b.down.sql", "012_c.down.sql", "x_1.up.sql", "__init__.py"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        assert_eq!(next_version(dir.path()), "008");
        std::fs::write(dir.path().join("1000_big.py"), "").unwrap();
        assert_eq!(next_version(dir.path()), "1001");
        assert!(check_name("add users").is_err());
        assert!(check_name("add_users-2").is_ok());
    }
}
