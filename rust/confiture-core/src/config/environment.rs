//! `db/environments/<env>.yaml`: every key of fraiseql-confiture 0.3.9 with the same defaults,
//! plus `${VAR}` interpolation, a `database:` mapping as an alternative to `database_url`, and
//! warnings for unknown keys. Errors name the file and the key.

use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

use super::keys::unknown_key_message;
use super::lenient::{lenient_bool, lenient_i64, lenient_opt_bool, lenient_opt_u16, lenient_u64};
use super::yaml::parse_document;
use super::{ConfigError, ConfigWarning, ConnectionParams, LintSettings, SslMode};

/// How files inside an include directory are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortMode {
    /// Path components compared by code point.
    #[default]
    Alphabetical,
    /// Components with an upper-case hex prefix (`0A_types.sql`) ordered by its value.
    Hex,
}

impl<'de> Deserialize<'de> for SortMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "alphabetical" => Ok(Self::Alphabetical),
            "hex" => Ok(Self::Hex),
            other => Err(de::Error::custom(format!("unknown sort mode {other:?}: use \"alphabetical\" or \"hex\""))),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BuildConfig {
    pub sort_mode: SortMode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockingConfig {
    #[serde(deserialize_with = "lenient_bool")]
    pub enabled: bool,
    #[serde(deserialize_with = "lenient_u64")]
    pub timeout_ms: u64,
}

impl Default for LockingConfig {
    fn default() -> Self {
        Self { enabled: true, timeout_ms: 30_000 }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MigrationConfig {
    #[serde(deserialize_with = "lenient_bool")]
    pub strict_mode: bool,
    pub locking: LockingConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PgGitConfig {
    #[serde(deserialize_with = "lenient_bool")]
    pub enabled: bool,
    #[serde(deserialize_with = "lenient_bool")]
    pub auto_init: bool,
    pub default_branch: String,
    #[serde(deserialize_with = "lenient_bool")]
    pub auto_commit: bool,
    pub commit_message_template: String,
    #[serde(deserialize_with = "lenient_bool")]
    pub require_branch: bool,
    pub protected_branches: Vec<String>,
}

impl Default for PgGitConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            auto_init: true,
            default_branch: "main".into(),
            auto_commit: false,
            commit_message_template: "Migration: {migration_name}".into(),
            require_branch: false,
            protected_branches: vec!["main".into(), "master".into()],
        }
    }
}

/// `sync:` settings of an environment used as a `confiture sync` target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncSettings {
    /// A protected environment may be overwritten by `confiture sync --yes` only when this is set.
    #[serde(deserialize_with = "lenient_bool")]
    pub allow_as_target: bool,
}

/// `coordination:` settings: where `confiture coordinate` keeps intents when no URL is given on
/// the command line or in `DATABASE_URL`/`CONFITURE_DB_URL`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoordinationSettings {
    pub database_url: Option<String>,
}

/// Environment names that are protected unless their file says `protected: false`.
pub const PRODUCTION_NAMES: &[&str] = &["production", "prod"];

/// The `database:` mapping (host, port, database, user, password), an alternative to `database_url`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseMapping {
    pub host: Option<String>,
    #[serde(deserialize_with = "lenient_opt_u16")]
    pub port: Option<u16>,
    #[serde(alias = "dbname")]
    pub database: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub sslmode: Option<String>,
}

impl DatabaseMapping {
    /// The mapping as connection parameters, with fraiseql-confiture's defaults
    /// (localhost, 5432, postgres, postgres).
    fn to_params(&self) -> Result<ConnectionParams, String> {
        let mut params = ConnectionParams {
            hosts: vec![self.host.clone().unwrap_or_else(|| "localhost".into())],
            ports: vec![self.port.unwrap_or(5432)],
            dbname: Some(self.database.clone().unwrap_or_else(|| "postgres".into())),
            user: Some(self.user.clone().unwrap_or_else(|| "postgres".into())),
            password: self.password.clone().filter(|p| !p.is_empty()),
            ..ConnectionParams::default()
        };
        if let Some(mode) = &self.sslmode {
            params.sslmode = Some(SslMode::parse(mode).ok_or_else(|| format!("invalid sslmode {mode:?}"))?);
        }
        Ok(params)
    }
}

/// One include directory with its options (the `include_dirs` item form with `path:`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirectoryConfig {
    pub path: String,
    #[serde(deserialize_with = "lenient_bool")]
    pub recursive: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    #[serde(deserialize_with = "lenient_bool")]
    pub auto_discover: bool,
    #[serde(deserialize_with = "lenient_i64")]
    pub order: i64,
    /// Seed data rather than schema: left out by `--schema-only`. Unset: guessed from the path
    /// (a path component starting with `seed`).
    pub seed: Option<bool>,
}

impl Default for DirectoryConfig {
    fn default() -> Self {
        Self {
            path: String::new(),
            recursive: true,
            include: vec!["**/*.sql".into()],
            exclude: Vec::new(),
            auto_discover: true,
            order: 0,
            seed: None,
        }
    }
}

impl DirectoryConfig {
    /// Whether this directory holds seed data.
    pub fn is_seed(&self) -> bool {
        self.seed.unwrap_or_else(|| {
            Path::new(&self.path)
                .components()
                .any(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase().starts_with("seed"))
        })
    }
}

/// An `include_dirs` item: a plain path or a mapping with options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum IncludeDir {
    Path(String),
    Dir(DirectoryConfig),
}

impl IncludeDir {
    /// The item as a full directory configuration (a plain path gets the defaults).
    pub fn to_config(&self) -> DirectoryConfig {
        match self {
            Self::Path(p) => DirectoryConfig { path: p.clone(), ..DirectoryConfig::default() },
            Self::Dir(d) => d.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for IncludeDir {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IncludeDir;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a directory path or a mapping with `path:` and options")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IncludeDir, E> {
                Ok(IncludeDir::Path(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<IncludeDir, A::Error> {
                let dir = DirectoryConfig::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if dir.path.is_empty() {
                    return Err(de::Error::custom("missing `path`"));
                }
                Ok(IncludeDir::Dir(dir))
            }
        }
        d.deserialize_any(V)
    }
}

/// The file as written (before defaults that depend on the project directory).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawEnvironment {
    name: Option<String>,
    database_url: Option<String>,
    database: Option<DatabaseMapping>,
    include_dirs: Option<Vec<IncludeDir>>,
    exclude_dirs: Vec<String>,
    migration_table: Option<String>,
    #[serde(deserialize_with = "lenient_opt_bool")]
    auto_backup: Option<bool>,
    #[serde(deserialize_with = "lenient_opt_bool")]
    require_confirmation: Option<bool>,
    build: BuildConfig,
    migration: MigrationConfig,
    pggit: PgGitConfig,
    #[serde(deserialize_with = "lenient_opt_bool")]
    protected: Option<bool>,
    sync: SyncSettings,
    coordination: CoordinationSettings,
    lint: LintSettings,
}

/// A loaded environment. Paths are absolute; `database_url` is interpolated (and derived from the
/// `database:` mapping when only that is given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    pub name: String,
    pub project_dir: PathBuf,
    /// The YAML file this came from.
    pub source: PathBuf,
    #[serde(default)]
    pub database_url: Option<String>,
    #[serde(default)]
    pub database: Option<DatabaseMapping>,
    pub include_dirs: Vec<IncludeDir>,
    pub exclude_dirs: Vec<String>,
    pub migration_table: String,
    pub auto_backup: bool,
    pub require_confirmation: bool,
    pub build: BuildConfig,
    pub migration: MigrationConfig,
    pub pggit: PgGitConfig,
    /// Production data lives here: `confiture sync` refuses to write into it (default: true for
    /// environments named production or prod).
    #[serde(default)]
    pub protected: bool,
    #[serde(default)]
    pub sync: SyncSettings,
    #[serde(default)]
    pub coordination: CoordinationSettings,
    /// `lint:` settings (checked by the lint area).
    #[serde(default)]
    pub lint: LintSettings,
}

/// An environment and what the loader wants the user to know about it.
#[derive(Debug, Clone, Serialize)]
pub struct LoadedEnvironment {
    pub environment: Environment,
    pub warnings: Vec<ConfigWarning>,
}

impl Environment {
    /// Loads `<project_dir>/db/environments/<env>.yaml` (or `.yml`).
    pub fn load(
        env: &str,
        project_dir: &Path,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<LoadedEnvironment, ConfigError> {
        let dir = project_dir.join("db").join("environments");
        let path =
            ["yaml", "yml"].iter().map(|ext| dir.join(format!("{env}.{ext}"))).find(|p| p.is_file()).ok_or_else(
                || ConfigError::NotFound {
                    env: env.to_string(),
                    path: dir.join(format!("{env}.yaml")),
                    available: list_environments(project_dir),
                },
            )?;
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
        Self::from_yaml(env, project_dir, &path, &text, vars)
    }

    /// Loads an environment file by path (`--config FILE`): the name is the file's stem and the
    /// project directory the one holding `db/` (else the file's directory). Include directories are
    /// not required to exist: migration commands do not read them.
    pub fn load_file(path: &Path, vars: &dyn Fn(&str) -> Option<String>) -> Result<LoadedEnvironment, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => ConfigError::FileNotFound { path: path.to_path_buf() },
            _ => ConfigError::Read { path: path.to_path_buf(), source },
        })?;
        let env = path.file_stem().map_or_else(|| "local".to_string(), |s| s.to_string_lossy().into_owned());
        let dir = path.parent().unwrap_or(Path::new("."));
        let project_dir = match (dir.file_name(), dir.parent()) {
            (Some(n), Some(db)) if n == "environments" && db.file_name().is_some_and(|d| d == "db") => {
                db.parent().unwrap_or(Path::new(".")).to_path_buf()
            }
            _ => dir.to_path_buf(),
        };
        Self::parse(&env, &project_dir, path, &text, vars, false)
    }

    /// Parses environment YAML text; `path` is only used in messages.
    pub fn from_yaml(
        env: &str,
        project_dir: &Path,
        path: &Path,
        text: &str,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<LoadedEnvironment, ConfigError> {
        Self::parse(env, project_dir, path, text, vars, true)
    }

    fn parse(
        env: &str,
        project_dir: &Path,
        path: &Path,
        text: &str,
        vars: &dyn Fn(&str) -> Option<String>,
        require_include_dirs: bool,
    ) -> Result<LoadedEnvironment, ConfigError> {
        let mut value = parse_document(path, text, vars)?;
        match &value {
            Value::Mapping(_) => {}
            // An empty file is an environment with every default.
            Value::Null => value = Value::Mapping(serde_yaml::Mapping::new()),
            _ => {
                return Err(ConfigError::NotAMapping { path: path.to_path_buf() });
            }
        }

        let mut ignored: Vec<String> = Vec::new();
        let raw: RawEnvironment = {
            let mut track = |p: serde_ignored::Path<'_>| ignored.push(p.to_string());
            let tracked = serde_ignored::Deserializer::new(value, &mut track);
            serde_path_to_error::deserialize(tracked).map_err(|e| ConfigError::InvalidValue {
                path: path.to_path_buf(),
                key: e.path().to_string(),
                message: e.inner().to_string(),
            })?
        };
        let mut warnings: Vec<ConfigWarning> = ignored
            .into_iter()
            .map(|key| ConfigWarning { path: path.to_path_buf(), message: unknown_key_message(&key), key })
            .collect();
        if let Some(name) = raw.name.as_deref().filter(|n| *n != env) {
            warnings.push(ConfigWarning {
                path: path.to_path_buf(),
                key: "name".into(),
                message: format!("{name:?} differs from the file name; the environment is called {env:?}"),
            });
        }
        let environment = Self::resolve(env, raw, project_dir, path, require_include_dirs)?;
        Ok(LoadedEnvironment { environment, warnings })
    }

    fn resolve(
        env: &str,
        raw: RawEnvironment,
        project_dir: &Path,
        path: &Path,
        require_include_dirs: bool,
    ) -> Result<Self, ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::InvalidValue {
            path: path.to_path_buf(),
            key: key.to_string(),
            message,
        };
        let abs_project = std::path::absolute(project_dir).unwrap_or_else(|_| project_dir.to_path_buf());
        let absolute = |p: &str| -> String {
            let candidate = Path::new(p);
            let joined = if candidate.is_absolute() { candidate.to_path_buf() } else { abs_project.join(candidate) };
            normalize(&joined).to_string_lossy().into_owned()
        };

        let database_url = match (&raw.database_url, &raw.database) {
            (Some(url), _) if !url.trim().is_empty() => {
                ConnectionParams::parse(url).map_err(|e| invalid("database_url", e.to_string()))?;
                Some(url.trim().to_string())
            }
            (_, Some(mapping)) => Some(mapping.to_params().map_err(|m| invalid("database", m))?.to_url()),
            _ => None,
        };

        let include_dirs = match raw.include_dirs {
            None => vec![IncludeDir::Dir(DirectoryConfig {
                path: absolute("db/schema"),
                auto_discover: false,
                ..DirectoryConfig::default()
            })],
            Some(items) => {
                let mut resolved = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let key = format!("include_dirs[{i}]");
                    let item = match item {
                        IncludeDir::Path(p) => {
                            let abs = absolute(&p);
                            if require_include_dirs && !Path::new(&abs).is_dir() {
                                return Err(ConfigError::MissingIncludeDir {
                                    path: path.to_path_buf(),
                                    key,
                                    dir: PathBuf::from(abs),
                                });
                            }
                            IncludeDir::Path(abs)
                        }
                        IncludeDir::Dir(mut d) => {
                            d.path = absolute(&d.path);
                            if require_include_dirs && !d.auto_discover && !Path::new(&d.path).is_dir() {
                                return Err(ConfigError::MissingIncludeDir {
                                    path: path.to_path_buf(),
                                    key: format!("{key}.path"),
                                    dir: PathBuf::from(&d.path),
                                });
                            }
                            IncludeDir::Dir(d)
                        }
                    };
                    resolved.push(item);
                }
                resolved
            }
        };

        let migration_table = raw.migration_table.unwrap_or_else(|| crate::migrate::tracking::DEFAULT_TABLE.into());
        if migration_table.trim().is_empty() {
            return Err(invalid("migration_table", "must be a table name, optionally schema-qualified".into()));
        }

        Ok(Self {
            // The file name decides the environment's name, as in fraiseql-confiture.
            name: env.to_string(),
            project_dir: abs_project.clone(),
            source: path.to_path_buf(),
            database_url,
            database: raw.database,
            include_dirs,
            exclude_dirs: raw.exclude_dirs.iter().map(|d| absolute(d)).collect(),
            migration_table,
            auto_backup: raw.auto_backup.unwrap_or(true),
            require_confirmation: raw.require_confirmation.unwrap_or(true),
            build: raw.build,
            migration: raw.migration,
            pggit: raw.pggit,
            protected: raw.protected.unwrap_or_else(|| PRODUCTION_NAMES.contains(&env.to_ascii_lowercase().as_str())),
            sync: raw.sync,
            coordination: raw.coordination,
            lint: raw.lint,
        })
    }

    /// Connection parameters of this environment's database, or a clear error when none is set.
    pub fn connection_params(&self) -> Result<ConnectionParams, ConfigError> {
        let url = self.database_url.as_deref().ok_or_else(|| ConfigError::NoDatabase { path: self.source.clone() })?;
        ConnectionParams::parse(url)
    }
}

/// The connection URL of a raw configuration document: `database_url`, else the `database:`
/// mapping with fraiseql-confiture's defaults.
pub fn database_url_of(document: &serde_json::Value) -> Result<String, ConfigError> {
    let invalid = |key: &str, message: String| ConfigError::InvalidValue {
        path: PathBuf::from("<config>"),
        key: key.to_string(),
        message,
    };
    if let Some(url) = document.get("database_url").and_then(|v| v.as_str()).filter(|u| !u.trim().is_empty()) {
        ConnectionParams::parse(url)?;
        return Ok(url.trim().to_string());
    }
    let mapping: DatabaseMapping = match document.get("database") {
        None | Some(serde_json::Value::Null) => DatabaseMapping::default(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| invalid("database", e.to_string()))?,
    };
    Ok(mapping.to_params().map_err(|m| invalid("database", m))?.to_url())
}

/// Names of the environments defined in `<project_dir>/db/environments`, sorted.
pub fn list_environments(project_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(project_dir.join("db").join("environments"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let path = e.path();
                    let ext = path.extension()?.to_str()?;
                    (ext == "yaml" || ext == "yml").then(|| path.file_stem()?.to_str().map(str::to_string))?
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.dedup();
    names
}

/// Lexical normalisation (`a/./b/../c` → `a/c`) without touching the filesystem.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, vars: &dyn Fn(&str) -> Option<String>) -> Result<LoadedEnvironment, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("db/schema")).unwrap();
        Environment::from_yaml("local", dir.path(), Path::new("db/environments/local.yaml"), text, vars)
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn defaults_match_the_reference() {
        let env = load("database_url: postgresql://localhost/app\ninclude_dirs: [db/schema]\n", &none).unwrap();
        let e = env.environment;
        assert_eq!(e.name, "local");
        assert_eq!(e.migration_table, "tb_confiture");
        assert!(e.auto_backup && e.require_confirmation);
        assert_eq!(e.build.sort_mode, SortMode::Alphabetical);
        assert!(!e.migration.strict_mode);
        assert_eq!(e.migration.locking, LockingConfig { enabled: true, timeout_ms: 30_000 });
        assert_eq!(e.pggit, PgGitConfig::default());
        assert!(!e.protected && !e.sync.allow_as_target);
        assert!(env.warnings.is_empty());
        match &e.include_dirs[0] {
            IncludeDir::Path(p) => assert!(p.ends_with("db/schema") && Path::new(p).is_absolute()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn interpolates_with_defaults_and_types() {
        let vars = |k: &str| (k == "PORT").then(|| "6543".to_string());
        let env = load(
            "database:\n  host: ${HOST:-db}\n  port: ${PORT}\n  database: app\ninclude_dirs: [db/schema]\nmigration:\n  locking:\n    timeout_ms: ${T:-5000}\n    enabled: ${E:-no}\n",
            &vars,
        )
        .unwrap()
        .environment;
        assert_eq!(env.database_url.as_deref(), Some("postgresql://postgres@db:6543/app"));
        assert!(!env.migration.locking.enabled);
        assert_eq!(env.migration.locking.timeout_ms, 5000);
    }

    #[test]
    fn the_file_name_wins_over_name() {
        let env = load("name: production\ndatabase_url: postgresql://h/db\n", &none).unwrap();
        assert_eq!(env.environment.name, "local");
        assert_eq!(env.warnings.len(), 1);
        assert_eq!(env.warnings[0].key, "name");
    }

    #[test]
    fn production_names_are_protected_unless_told_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let load_as = |name: &str, text: &str| {
            Environment::from_yaml(name, dir.path(), Path::new("x.yaml"), text, &none).unwrap().environment
        };
        assert!(load_as("production", "").protected);
        assert!(load_as("prod", "").protected);
        assert!(!load_as("prod", "protected: false\n").protected);
        let staging = load_as("staging", "protected: yes\nsync:\n  allow_as_target: true\n");
        assert!(staging.protected && staging.sync.allow_as_target);
    }

    #[test]
    fn unknown_keys_warn_with_suggestions() {
        let env = load(
            "database_url: postgresql://h/db\ninclude_dirs: [db/schema]\nbuild:\n  sortmode: hex\nfoo: 1\n",
            &none,
        )
        .unwrap();
        let keys: Vec<_> = env.warnings.iter().map(|w| (w.key.as_str(), w.message.as_str())).collect();
        assert!(keys.contains(&("build.sortmode", "unknown key, ignored; did you mean `sort_mode`?")), "{keys:?}");
        assert!(keys.contains(&("foo", "unknown key, ignored")), "{keys:?}");
    }

    #[test]
    fn errors_name_file_and_key() {
        let err =
            load("database_url: postgresql://h/db\ninclude_dirs: [db/schema]\nbuild:\n  sort_mode: random\n", &none)
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("db/environments/local.yaml") && err.contains("build.sort_mode") && err.contains("hex"),
            "{err}"
        );

        let err = load("database_url: ${MISSING}\n", &none).unwrap_err().to_string();
        assert!(err.contains("database_url") && err.contains("MISSING"), "{err}");

        let err = load("database_url: x\n  bad: [\n", &none).unwrap_err();
        assert!(matches!(err, ConfigError::Yaml { line: 2, .. }), "{err:?}");

        let err = load("include_dirs: [nope]\n", &none).unwrap_err().to_string();
        assert!(err.contains("include_dirs[0]") && err.contains("nope"), "{err}");

        let err = load("- a\n- b\n", &none).unwrap_err();
        assert!(matches!(err, ConfigError::NotAMapping { .. }));

        let err = load("database:\n  port: eighty\n", &none).unwrap_err().to_string();
        assert!(err.contains("database.port") && err.contains("eighty"), "{err}");

        let err = load("database_url: mysql://h/db\n", &none).unwrap_err().to_string();
        assert!(err.contains("database_url"), "{err}");
    }

    #[test]
    fn directory_items_and_seed_detection() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("db/schema")).unwrap();
        std::fs::create_dir_all(dir.path().join("db/seeds/common")).unwrap();
        let e = Environment::from_yaml(
            "test",
            dir.path(),
            Path::new("test.yaml"),
            "include_dirs:\n  - db/schema\n  - path: db/seeds/common\n    order: 5\n  - path: missing\n",
            &none,
        )
        .unwrap()
        .environment;
        let configs: Vec<DirectoryConfig> = e.include_dirs.iter().map(IncludeDir::to_config).collect();
        assert!(!configs[0].is_seed());
        assert!(configs[1].is_seed());
        assert_eq!(configs[1].order, 5);
        assert!(configs[2].auto_discover);
        assert!(e.database_url.is_none());
        assert!(matches!(e.connection_params(), Err(ConfigError::NoDatabase { .. })));
    }
}
