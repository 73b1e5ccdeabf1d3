//! The layout `confiture init` creates: schema, seed, migration and environment directories with
//! working examples. `local.yaml` and `test.yaml` point at `${DATABASE_URL:-…}` so `build` and
//! `migrate` work straight away.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::ProjectError;

/// One file `init` would write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedFile {
    /// Path relative to the project directory.
    pub rel: String,
    /// Whether a file is already there (writing would overwrite it).
    pub exists: bool,
}

/// What `init` wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InitReport {
    pub root: PathBuf,
    pub written: Vec<String>,
    pub overwritten: Vec<String>,
}

fn templates(project_name: &str) -> Vec<(&'static str, String)> {
    let db = database_stem(project_name);
    vec![
        ("db/schema/00_common/extensions.sql", EXTENSIONS.to_string()),
        ("db/schema/10_tables/users.sql", USERS.to_string()),
        ("db/seeds/common/00_example.sql", SEED_COMMON.to_string()),
        ("db/seeds/development/.gitkeep", String::new()),
        ("db/seeds/test/.gitkeep", String::new()),
        ("db/migrations/.gitkeep", String::new()),
        ("db/environments/local.yaml", env_yaml("local", &format!("{db}_local"), "development")),
        ("db/environments/test.yaml", env_yaml("test", &format!("{db}_test"), "test")),
        ("db/.gitignore", "# Output of `confiture build`\ngenerated/\n".to_string()),
        ("db/README.md", README.to_string()),
    ]
}

/// What `init` would write under `root`, and which of those files already exist.
pub fn plan(root: &Path) -> Vec<PlannedFile> {
    templates(&project_name(root))
        .into_iter()
        .map(|(rel, _)| PlannedFile { rel: rel.to_string(), exists: root.join(rel).exists() })
        .collect()
}

/// Writes the layout. Existing files are kept unless `overwrite` is set (the CLI asks first).
pub fn write(root: &Path, overwrite: bool) -> Result<InitReport, ProjectError> {
    if root.exists() && !root.is_dir() {
        return Err(ProjectError::NotADirectory { path: root.to_path_buf() });
    }
    let mut report = InitReport { root: root.to_path_buf(), ..InitReport::default() };
    for (rel, content) in templates(&project_name(root)) {
        let path = root.join(rel);
        let existed = path.exists();
        if existed && !overwrite {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| ProjectError::Write { path: parent.to_path_buf(), source })?;
        }
        std::fs::write(&path, content).map_err(|source| ProjectError::Write { path: path.clone(), source })?;
        if existed { &mut report.overwritten } else { &mut report.written }.push(rel.to_string());
    }
    Ok(report)
}

fn project_name(root: &Path) -> String {
    std::path::absolute(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default()
}

/// A database name stem from the project directory: lower-case letters, digits and `_`.
fn database_stem(name: &str) -> String {
    let mut stem: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    stem = stem.trim_matches('_').to_string();
    if stem.is_empty() || stem.starts_with(|c: char| c.is_ascii_digit()) {
        stem = format!("app_{stem}").trim_end_matches('_').to_string();
    }
    stem.truncate(40);
    stem
}

fn env_yaml(env: &str, database: &str, seeds: &str) -> String {
    format!(
        "# Confiture environment `{env}`. Keys: docs/reference/configuration.md\n\
         # DATABASE_URL, when set, overrides the database below.\n\
         database_url: ${{DATABASE_URL:-postgresql://localhost:5432/{database}}}\n\
         \n\
         # DDL first (all of db/schema, in name order), then seed data.\n\
         include_dirs:\n\
         \x20 - db/schema\n\
         \x20 - path: db/seeds/common\n\
         \x20   auto_discover: true\n\
         \x20 - path: db/seeds/{seeds}\n\
         \x20   auto_discover: true\n\
         \n\
         exclude_dirs: []\n\
         migration_table: tb_confiture\n"
    )
}

const EXTENSIONS: &str = "\
-- Extensions the schema needs. Uncomment what you use.
-- CREATE EXTENSION IF NOT EXISTS pgcrypto;
-- CREATE EXTENSION IF NOT EXISTS citext;
";

const USERS: &str = "\
-- An example table: edit or replace it. Files are applied in path order
-- (00_common before 10_tables), each file once, all in one transaction.
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL UNIQUE,
    email text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE users IS 'Application users';
";

const SEED_COMMON: &str = "\
-- Seed data shared by every environment that includes db/seeds/common.
-- INSERT INTO users (username, email) VALUES ('admin', 'admin@example.com');
";

const README: &str = "\
# Database

- `schema/`: DDL, the source of truth. `confiture build` concatenates these files in order.
- `seeds/`: data for development and tests (left out by `confiture build --schema-only`).
- `migrations/`: incremental changes for existing databases (`confiture migrate up`).
- `environments/`: one YAML file per environment (`--env local`, `--env test`, …).

Build a fresh database from the schema: `confiture build --env local --apply`.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_everything_then_keeps_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("My Shop");
        assert!(plan(&root).iter().all(|f| !f.exists));
        let report = write(&root, false).unwrap();
        assert_eq!(report.written.len(), plan(&root).len());
        let local = std::fs::read_to_string(root.join("db/environments/local.yaml")).unwrap();
        assert!(local.contains("${DATABASE_URL:-postgresql://localhost:5432/my_shop_local}"), "{local}");

        std::fs::write(root.join("db/schema/10_tables/users.sql"), "-- mine\n").unwrap();
        assert!(plan(&root).iter().all(|f| f.exists));
        let again = write(&root, false).unwrap();
        assert!(again.written.is_empty() && again.overwritten.is_empty());
        assert_eq!(std::fs::read_to_string(root.join("db/schema/10_tables/users.sql")).unwrap(), "-- mine\n");
        let forced = write(&root, true).unwrap();
        assert_eq!(forced.overwritten.len(), plan(&root).len());
    }

    #[test]
    fn database_stems_are_identifiers() {
        assert_eq!(database_stem("My Shop"), "my_shop");
        assert_eq!(database_stem("2024-app"), "app_2024_app");
        assert_eq!(database_stem("..."), "app");
    }
}
