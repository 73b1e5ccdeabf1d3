//! What a sync is asked to do: the two endpoints (an environment name or a connection URL), the
//! table selection, the anonymization rules and the knobs.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::SyncError;
use super::select::split_column_ref;
use crate::config::{ConnectionParams, Environment};

/// A database to sync from or to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    /// The environment name, or the URL with its password masked.
    pub label: String,
    pub params: ConnectionParams,
    /// Set when the endpoint is an environment.
    pub environment: Option<EnvironmentSafety>,
}

/// What an environment file says about being overwritten.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnvironmentSafety {
    pub name: String,
    pub path: PathBuf,
    pub protected: bool,
    /// The name is one of the production names (so protection may come from the name alone).
    pub protected_by_name: bool,
    pub allow_as_target: bool,
}

impl Endpoint {
    /// `spec` is a `postgresql://` URL, a `key=value` DSN, or the name of an environment of the
    /// project in `project_dir`.
    pub fn resolve(
        spec: &str,
        project_dir: &Path,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, crate::Error> {
        let spec = spec.trim();
        if spec.contains("://") || spec.contains('=') {
            let params = ConnectionParams::parse(spec)?;
            return Ok(Self { label: params.to_redacted_url(), params, environment: None });
        }
        let loaded = Environment::load(spec, project_dir, vars)?;
        let env = loaded.environment;
        let params = env.connection_params()?;
        Ok(Self {
            label: env.name.clone(),
            params,
            environment: Some(EnvironmentSafety {
                name: env.name.clone(),
                path: env.source.clone(),
                protected: env.protected,
                protected_by_name: env.protected
                    && crate::config::PRODUCTION_NAMES.contains(&env.name.to_ascii_lowercase().as_str()),
                allow_as_target: env.sync.allow_as_target,
            }),
        })
    }

    /// Refuses to write into a protected environment unless it allows it and `yes` is given.
    pub fn check_writable(&self, yes: bool) -> Result<(), SyncError> {
        let Some(env) = &self.environment else {
            return Ok(());
        };
        if !env.protected {
            return Ok(());
        }
        let reason =
            if env.protected_by_name { format!("it is named {:?}", env.name) } else { "`protected: true`".to_string() };
        if !env.allow_as_target {
            return Err(SyncError::ProtectedTarget { env: env.name.clone(), reason, path: env.path.clone() });
        }
        if !yes {
            return Err(SyncError::NeedsConfirmation { env: env.name.clone(), reason });
        }
        Ok(())
    }
}

/// An anonymization rule given on the command line or through the Python API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleInput {
    /// `[schema.]table`, as typed.
    pub table: String,
    pub column: String,
    /// A strategy name; `None` picks one from the column's name and type.
    #[serde(default)]
    pub strategy: Option<String>,
    #[serde(default)]
    pub seed: Option<i64>,
    #[serde(default)]
    pub config: Map<String, Value>,
    #[serde(default)]
    pub unique: bool,
}

impl RuleInput {
    /// `TABLE.COLUMN[=STRATEGY]` (`--anonymize users.email=email`).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (target, strategy) = match spec.rsplit_once('=') {
            Some((t, s)) if !s.contains('"') => (t, Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            _ => (spec, None),
        };
        let (table, column) = split_column_ref(target).map_err(|e| format!("--anonymize {e}"))?;
        Ok(Self { table: table.text, column, strategy, seed: None, config: Map::new(), unique: false })
    }
}

/// Everything a sync needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncOptions {
    pub source: Option<Endpoint>,
    pub target: Option<Endpoint>,
    /// `--tables` patterns (empty: every table).
    pub include: Vec<String>,
    /// `--exclude` patterns.
    pub exclude: Vec<String>,
    pub rules: Vec<RuleInput>,
    pub profile: Option<PathBuf>,
    /// `--anonymization-key-env`.
    pub key_env_var: Option<String>,
    /// Check everything, copy nothing.
    pub schema_only_check: bool,
    /// Rows per anonymization batch.
    pub batch_size: usize,
    /// Tables copied at the same time.
    pub jobs: usize,
    pub checkpoint: Option<PathBuf>,
    pub resume: bool,
    /// Empty the target tables first (they must be empty otherwise).
    pub truncate: bool,
    /// Confirms writing into a protected environment that allows it.
    pub yes: bool,
    /// Sample anonymized columns after loading and fail on any original value found.
    pub verify: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            source: None,
            target: None,
            include: Vec::new(),
            exclude: Vec::new(),
            rules: Vec::new(),
            profile: None,
            key_env_var: None,
            schema_only_check: false,
            batch_size: 5000,
            jobs: 1,
            checkpoint: None,
            resume: false,
            truncate: false,
            yes: false,
            verify: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_rules() {
        let r = RuleInput::parse("users.email=email").unwrap();
        assert_eq!((r.table.as_str(), r.column.as_str(), r.strategy.as_deref()), ("users", "email", Some("email")));
        let r = RuleInput::parse(r#"app."User Data"."E=mail""#).unwrap();
        assert_eq!((r.table.as_str(), r.column.as_str(), r.strategy), (r#"app."User Data""#, "E=mail", None));
        assert!(RuleInput::parse("email").is_err());
    }

    #[test]
    fn protected_environments() {
        let dir = tempfile::tempdir().unwrap();
        let envs = dir.path().join("db/environments");
        std::fs::create_dir_all(&envs).unwrap();
        std::fs::write(envs.join("production.yaml"), "database_url: postgresql://h/p\n").unwrap();
        std::fs::write(
            envs.join("staging.yaml"),
            "database_url: postgresql://h/s\nprotected: true\nsync:\n  allow_as_target: true\n",
        )
        .unwrap();
        std::fs::write(envs.join("dev.yaml"), "database_url: postgresql://h/d\n").unwrap();
        let resolve = |n: &str| Endpoint::resolve(n, dir.path(), &|_| None).unwrap();
        let err = resolve("production").check_writable(true).unwrap_err().to_string();
        assert!(err.contains("named \"production\"") && err.contains("allow_as_target"), "{err}");
        assert!(matches!(resolve("staging").check_writable(false), Err(SyncError::NeedsConfirmation { .. })));
        assert!(resolve("staging").check_writable(true).is_ok());
        assert!(resolve("dev").check_writable(false).is_ok());
        let url = Endpoint::resolve("postgresql://u:secret@h/db", dir.path(), &|_| None).unwrap();
        assert!(url.environment.is_none() && !url.label.contains("secret"));
    }
}
