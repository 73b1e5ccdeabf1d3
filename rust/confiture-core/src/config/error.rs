use std::path::PathBuf;

/// Why a configuration could not be loaded. Every variant names the file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "environment config not found: {path}\nexpected: db/environments/{env}.yaml{}",
        available_hint(.available)
    )]
    NotFound { env: String, path: PathBuf, available: Vec<String> },

    #[error("configuration file not found: {path}")]
    FileNotFound { path: PathBuf },

    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },

    #[error("invalid YAML in {path} at line {line}, column {column}: {message}")]
    Yaml { path: PathBuf, line: usize, column: usize, message: String },

    #[error("{path}: the top level must be a mapping of keys (name, database_url, include_dirs, …)")]
    NotAMapping { path: PathBuf },

    #[error("{path}: key `{key}`: {message}")]
    InvalidValue { path: PathBuf, key: String, message: String },

    #[error(
        "{path}: key `{key}`: environment variable {var} is not set; set it or give a default with ${{{var}:-default}}"
    )]
    MissingVariable { path: PathBuf, key: String, var: String },

    #[error(
        "{path}: key `{key}`: include directory does not exist: {dir}\ncreate it, fix the path, or remove the entry"
    )]
    MissingIncludeDir { path: PathBuf, key: String, dir: PathBuf },

    #[error("{path}: no database configured; set `database_url` (or a `database:` mapping)")]
    NoDatabase { path: PathBuf },

    #[error("invalid database URL {url}: {message}")]
    InvalidUrl { url: String, message: String },
}

fn available_hint(available: &[String]) -> String {
    if available.is_empty() {
        "\nno environments exist yet: run `confiture init` or create the file".to_string()
    } else {
        format!("\navailable environments: {}", available.join(", "))
    }
}

/// Something worth telling the user that does not stop the load (e.g. an unknown key).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigWarning {
    pub path: PathBuf,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: key `{}`: {}", self.path.display(), self.key, self.message)
    }
}
