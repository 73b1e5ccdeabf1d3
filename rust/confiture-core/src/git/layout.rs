//! Which files of a side are schema DDL (in build order) and which are migrations: `db/schema`
//! and `db/migrations` under the project, or an environment's include directories (seeds left
//! out) with its include/exclude patterns and sort mode.

use std::path::{Path, PathBuf};

use git2::Oid;
use globset::{GlobSet, GlobSetBuilder};

use super::repo::Repo;
use super::snapshot::Snapshot;
use crate::config::{Environment, SortMode};
use crate::project::sort_key_cmp;

pub const DEFAULT_SCHEMA_DIR: &str = "db/schema";

struct SchemaDir {
    /// Repository path.
    path: String,
    recursive: bool,
    include: GlobSet,
    exclude_names: GlobSet,
    exclude_paths: GlobSet,
}

pub(crate) struct Layout {
    schema: Vec<SchemaDir>,
    exclude_dirs: Vec<String>,
    sort: SortMode,
    /// Repository path of the migrations directory.
    pub migrations: String,
}

fn globs(patterns: &[String], source: &str) -> Result<GlobSet, crate::Error> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = globset::GlobBuilder::new(p).literal_separator(true).build().map_err(|e| {
            crate::project::ProjectError::InvalidGlob {
                pattern: p.clone(),
                source_file: PathBuf::from(source),
                message: e.kind().to_string(),
            }
        })?;
        b.add(g);
    }
    Ok(b.build().unwrap_or_else(|_| GlobSet::empty()))
}

impl Layout {
    /// `schema_dirs` (or the environment's, or `db/schema`) and `migrations_dir`, given relative
    /// to the project directory.
    pub fn new(
        repo: &Repo,
        env: Option<&Environment>,
        schema_dirs: &[PathBuf],
        migrations_dir: &Path,
    ) -> Result<Self, crate::Error> {
        let sql = vec!["**/*.sql".to_string()];
        let plain = |path: String| -> Result<SchemaDir, crate::Error> {
            Ok(SchemaDir {
                path,
                recursive: true,
                include: globs(&sql, "")?,
                exclude_names: GlobSet::empty(),
                exclude_paths: GlobSet::empty(),
            })
        };
        let mut schema = Vec::new();
        let mut exclude_dirs = Vec::new();
        let mut sort = SortMode::Alphabetical;
        if !schema_dirs.is_empty() {
            for d in schema_dirs {
                schema.push(plain(repo.repo_path(d)?)?);
            }
        } else if let Some(env) = env {
            let source = env.source.display().to_string();
            let mut records: Vec<_> = env.include_dirs.iter().map(crate::config::IncludeDir::to_config).collect();
            records.sort_by_key(|r| r.order);
            records.retain(|r| !r.is_seed());
            for r in records {
                let default_include = r.include.len() == 1 && r.include[0] == "**/*.sql";
                let include =
                    if !r.recursive && default_include { vec!["*.sql".to_string()] } else { r.include.clone() };
                let (names, paths): (Vec<String>, Vec<String>) =
                    r.exclude.iter().cloned().partition(|p| !p.contains('/'));
                schema.push(SchemaDir {
                    path: repo.repo_path(Path::new(&r.path))?,
                    recursive: r.recursive,
                    include: globs(&include, &source)?,
                    exclude_names: globs(&names, &source)?,
                    exclude_paths: globs(&paths, &source)?,
                });
            }
            for d in &env.exclude_dirs {
                exclude_dirs.push(repo.repo_path(Path::new(d))?);
            }
            sort = env.build.sort_mode;
        } else {
            schema.push(plain(repo.repo_path(Path::new(DEFAULT_SCHEMA_DIR))?)?);
        }
        Ok(Self { schema, exclude_dirs, sort, migrations: repo.repo_path(migrations_dir)? })
    }

    /// The directories whose files a snapshot must hold.
    pub fn dirs(&self) -> Vec<String> {
        let mut d: Vec<String> = self.schema.iter().map(|s| s.path.clone()).collect();
        d.push(self.migrations.clone());
        d
    }

    /// The schema files of a side, in build order (each once, at its first place).
    pub fn schema_files(&self, snap: &Snapshot) -> Vec<(String, Oid)> {
        let mut out: Vec<(String, Oid)> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for dir in &self.schema {
            let prefix = if dir.path.is_empty() { String::new() } else { format!("{}/", dir.path) };
            let mut found: Vec<(&str, &String, Oid)> = snap
                .files
                .range(prefix.clone()..)
                .take_while(|(p, _)| p.starts_with(&prefix))
                .filter_map(|(p, oid)| {
                    let rel = &p[prefix.len()..];
                    let name = rel.rsplit('/').next().unwrap_or(rel);
                    let keep = (dir.recursive || !rel.contains('/'))
                        && dir.include.is_match(rel)
                        && !dir.exclude_names.is_match(name)
                        && !dir.exclude_paths.is_match(rel)
                        && !self.exclude_dirs.iter().any(|x| p.starts_with(&format!("{x}/")));
                    keep.then_some((rel, p, *oid))
                })
                .collect();
            found.sort_by(|a, b| sort_key_cmp(self.sort, a.0, b.0));
            for (_, p, oid) in found {
                if seen.insert(p.clone()) {
                    out.push((p.clone(), oid));
                }
            }
        }
        out
    }

    /// The top level of the migrations directory: file name → blob.
    pub fn migration_files(&self, snap: &Snapshot) -> Vec<(String, Oid)> {
        let prefix = if self.migrations.is_empty() { String::new() } else { format!("{}/", self.migrations) };
        snap.files
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/'))
            .map(|(p, oid)| (p[prefix.len()..].to_string(), *oid))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn glob_on_sql() {
        let g = super::globs(&["**/*.sql".to_string()], "").unwrap();
        assert!(g.is_match("a.sql") && g.is_match("x/y/a.sql") && !g.is_match("a.txt"));
    }
}
