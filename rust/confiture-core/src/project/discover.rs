//! Which files make up an environment's schema, in order.
//!
//! Include directories are taken in the order given, stably re-ordered by their `order` key; inside
//! each, files matching `include` and not `exclude` are sorted by the environment's sort mode. Files
//! under `exclude_dirs` and hidden files (a component starting with `.`, e.g. editor lock files) are
//! skipped, and each file appears once, at its first position. `schema_only` leaves seed
//! directories out.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use super::ProjectError;
use super::order::sort_key_cmp;
use crate::config::{DirectoryConfig, Environment, IncludeDir, SortMode};

#[derive(Debug, Clone, Copy, Default)]
pub struct DiscoverOptions {
    /// Leave seed directories out (`confiture build --schema-only`).
    pub schema_only: bool,
}

/// One file of the build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Path relative to the build's base directory, `/`-separated: used in headers, hashes and errors.
    pub rel: String,
    /// Whether the file comes from a seed directory.
    pub seed: bool,
}

/// The ordered files of a build and the directory their relative paths start from.
#[derive(Debug, Clone, Serialize)]
pub struct Discovery {
    pub files: Vec<SchemaFile>,
    /// Common parent of the include directories used (a single directory is its own base).
    pub base_dir: PathBuf,
    /// The include directories used, in build order.
    pub include_dirs: Vec<PathBuf>,
}

/// Finds the environment's files.
pub fn discover(env: &Environment, options: DiscoverOptions) -> Result<Discovery, ProjectError> {
    if env.include_dirs.is_empty() {
        return Err(ProjectError::NoIncludeDirs { source_file: env.source.clone() });
    }
    let mut records: Vec<DirectoryConfig> = env.include_dirs.iter().map(IncludeDir::to_config).collect();
    records.sort_by_key(|r| r.order); // stable: equal `order` keeps the written order
    if options.schema_only {
        records.retain(|r| !r.is_seed());
    }
    let exclude_dirs: Vec<PathBuf> = env.exclude_dirs.iter().map(PathBuf::from).collect();

    let mut seen: HashSet<std::ffi::OsString> = HashSet::new();
    let mut files = Vec::new();
    let mut used_dirs = Vec::new();
    for record in &records {
        let dir = PathBuf::from(&record.path);
        if !dir.is_dir() {
            if record.auto_discover {
                continue;
            }
            return Err(ProjectError::MissingDir { dir, source_file: env.source.clone() });
        }
        let found = files_in(record, &dir, &exclude_dirs, env)?;
        used_dirs.push(dir);
        let seed = record.is_seed();
        // One walk never yields a path twice; overlaps only come from several directories.
        let dedupe = records.len() > 1;
        for (path, _) in found {
            if !dedupe || seen.insert(path.as_os_str().to_owned()) {
                files.push((path, seed));
            }
        }
    }
    if files.is_empty() {
        return Err(ProjectError::NoFiles { dirs: records.iter().map(|r| PathBuf::from(&r.path)).collect() });
    }
    let base_dir = common_parent(&used_dirs);
    let files =
        files.into_iter().map(|(path, seed)| SchemaFile { rel: relative(&path, &base_dir), path, seed }).collect();
    Ok(Discovery { files, base_dir, include_dirs: used_dirs })
}

/// The matching files of one include directory, sorted, with their paths relative to it.
fn files_in(
    record: &DirectoryConfig,
    dir: &Path,
    exclude_dirs: &[PathBuf],
    env: &Environment,
) -> Result<Vec<(PathBuf, String)>, ProjectError> {
    let default_include = record.include.len() == 1 && record.include[0] == "**/*.sql";
    let include_patterns: Vec<String> =
        if !record.recursive && default_include { vec!["*.sql".to_string()] } else { record.include.clone() };
    let include = globs(&include_patterns, env)?;
    let (exclude_names, exclude_paths): (Vec<String>, Vec<String>) =
        record.exclude.iter().cloned().partition(|p| !p.contains('/'));
    let exclude_names = globs(&exclude_names, env)?;
    let exclude_paths = globs(&exclude_paths, env)?;

    let mut walker = walkdir::WalkDir::new(dir).follow_links(true).min_depth(1);
    if !record.recursive {
        walker = walker.max_depth(1);
    }
    let mut found = Vec::new();
    let walk = walker.into_iter().filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| ProjectError::Walk {
            path: e.path().map_or_else(|| dir.to_path_buf(), Path::to_path_buf),
            message: e.to_string(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let rel = relative(path, dir);
        let name = entry.file_name().to_string_lossy();
        if !include.is_match(&rel)
            || exclude_names.is_match(name.as_ref())
            || exclude_paths.is_match(&rel)
            || (!exclude_dirs.is_empty() && exclude_dirs.iter().any(|x| path.starts_with(x)))
        {
            continue;
        }
        found.push((path.to_path_buf(), rel));
    }
    match env.build.sort_mode {
        // Component-wise code-point order is plain byte order once '/' is the smallest byte.
        SortMode::Alphabetical => found.sort_by_cached_key(|(_, rel)| rel.replace('/', "\0")),
        mode => found.sort_by(|a, b| sort_key_cmp(mode, &a.1, &b.1)),
    }
    Ok(found)
}

fn globs(patterns: &[String], env: &Environment) -> Result<GlobSet, ProjectError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob =
            GlobBuilder::new(pattern).literal_separator(true).build().map_err(|e| ProjectError::InvalidGlob {
                pattern: pattern.clone(),
                source_file: env.source.clone(),
                message: e.kind().to_string(),
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| ProjectError::InvalidGlob {
        pattern: patterns.join(", "),
        source_file: env.source.clone(),
        message: e.to_string(),
    })
}

/// `/`-separated path of `path` relative to `base` (or the full path when not under it).
fn relative(path: &Path, base: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    // Paths from the directory walk are normalised and use '/': a byte-prefix test is enough, and
    // much cheaper than `Path::strip_prefix` on thousands of files.
    let (p, b) = (path.as_os_str().as_bytes(), base.as_os_str().as_bytes());
    if let Some(rest) = p.strip_prefix(b).and_then(|r| r.strip_prefix(b"/"))
        && let Ok(text) = std::str::from_utf8(rest)
    {
        return text.to_string();
    }
    let rel = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// Longest common ancestor of absolute directories; one directory is its own base.
pub fn common_parent(dirs: &[PathBuf]) -> PathBuf {
    let Some(first) = dirs.first() else {
        return PathBuf::from(".");
    };
    let mut base: Vec<Component> = first.components().collect();
    for dir in &dirs[1..] {
        let shared = base.iter().zip(dir.components()).take_while(|(a, b)| **a == *b).count();
        base.truncate(shared);
    }
    if base.is_empty() { PathBuf::from(".") } else { base.iter().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Environment;

    fn project(files: &[&str], yaml: &str) -> (tempfile::TempDir, Environment) {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("-- {f}\n")).unwrap();
        }
        let env = Environment::from_yaml("t", dir.path(), Path::new("t.yaml"), yaml, &|_| None).unwrap().environment;
        (dir, env)
    }

    fn rels(d: &Discovery) -> Vec<&str> {
        d.files.iter().map(|f| f.rel.as_str()).collect()
    }

    #[test]
    fn include_order_and_order_key_are_honoured() {
        let (_d, env) = project(
            &["db/b/1.sql", "db/a/2.sql", "db/c/0.sql"],
            "include_dirs:\n  - db/b\n  - db/a\n  - path: db/c\n    order: -1\n",
        );
        let d = discover(&env, DiscoverOptions::default()).unwrap();
        assert_eq!(rels(&d), vec!["c/0.sql", "b/1.sql", "a/2.sql"]);
        assert!(d.base_dir.ends_with("db"));
    }

    #[test]
    fn overlapping_dirs_give_each_file_once() {
        let (_d, env) = project(&["db/schema/t/1.sql", "db/schema/2.sql"], "include_dirs: [db/schema/t, db/schema]\n");
        let d = discover(&env, DiscoverOptions::default()).unwrap();
        assert_eq!(rels(&d), vec!["t/1.sql", "2.sql"]);
    }

    #[test]
    fn globs_recursion_and_exclusions() {
        let (_d, env) = project(
            &[
                "s/a.sql",
                "s/a.txt",
                "s/deep/b.sql",
                "s/deep/skip_test.sql",
                "s/legacy/old.sql",
                "s/.#lock.sql",
                "s/x/y.sql",
            ],
            "include_dirs:\n  - path: s\n    exclude: ['*_test.sql', 'legacy/**']\nexclude_dirs: [s/x]\n",
        );
        let d = discover(&env, DiscoverOptions::default()).unwrap();
        assert_eq!(rels(&d), vec!["a.sql", "deep/b.sql"]);

        let (_d, env) = project(&["s/a.sql", "s/deep/b.sql"], "include_dirs:\n  - path: s\n    recursive: false\n");
        assert_eq!(rels(&discover(&env, DiscoverOptions::default()).unwrap()), vec!["a.sql"]);
    }

    #[test]
    fn schema_only_leaves_seed_dirs_out() {
        let (_d, env) =
            project(&["db/schema/t.sql", "db/seeds/common/s.sql"], "include_dirs: [db/schema, db/seeds/common]\n");
        let all = discover(&env, DiscoverOptions::default()).unwrap();
        assert_eq!(rels(&all), vec!["schema/t.sql", "seeds/common/s.sql"]);
        assert!(all.files[1].seed && !all.files[0].seed);
        let schema = discover(&env, DiscoverOptions { schema_only: true }).unwrap();
        assert_eq!(rels(&schema), vec!["t.sql"]);
    }

    #[test]
    fn empty_and_missing_dirs() {
        let (_d, env) = project(&["s/readme.txt"], "include_dirs: [s]\n");
        assert!(matches!(discover(&env, DiscoverOptions::default()), Err(ProjectError::NoFiles { .. })));
        let (_d, env) = project(&["s/a.sql"], "include_dirs:\n  - s\n  - path: gone\n    auto_discover: true\n");
        assert_eq!(rels(&discover(&env, DiscoverOptions::default()).unwrap()), vec!["a.sql"]);
        let (_d, env) = project(&["x.sql"], "database_url: postgresql://h/d\n");
        assert!(matches!(discover(&env, DiscoverOptions::default()), Err(ProjectError::MissingDir { .. })));
    }

    #[test]
    fn bad_glob_is_reported() {
        let (_d, env) = project(&["s/a.sql"], "include_dirs:\n  - path: s\n    include: ['[a']\n");
        let err = discover(&env, DiscoverOptions::default()).unwrap_err().to_string();
        assert!(err.contains("[a") && err.contains("t.yaml"), "{err}");
    }
}
