//! Configuration: `db/environments/<env>.yaml`, `${VAR}` interpolation, libpq connection URLs and
//! `.pgpass`. This is the only area that reads the process environment ([`env_var`]), so every
//! other area receives plain values and stays testable.

mod environment;
mod error;
mod interpolate;
mod keys;
mod lenient;
mod lint;
mod pgpass;
mod url;
mod yaml;

pub use environment::{
    BuildConfig, CoordinationSettings, DatabaseMapping, DirectoryConfig, Environment, IncludeDir, LoadedEnvironment,
    LockingConfig, MigrationConfig, PRODUCTION_NAMES, PgGitConfig, SortMode, SyncSettings, database_url_of,
    list_environments,
};
pub use error::{ConfigError, ConfigWarning};
pub use interpolate::interpolate;
pub use lint::{LintSettings, NamingSettings};
pub use url::{ConnectionParams, ResolvedParams, SslMode, redact_url};
pub use yaml::read_yaml_document;

/// Reads one environment variable; `None` when unset or not valid UTF-8.
#[allow(clippy::disallowed_methods, reason = "config/ is where the environment is read")]
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}
