//! The `lint:` section of an environment file, as written. The lint area checks it (rule ids,
//! severities, patterns) and turns it into its configuration; this file only reads it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lenient::{lenient_bool, lenient_opt_bool, lenient_opt_i64, lenient_opt_string};

/// `lint:` settings. Every key is optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LintSettings {
    /// `false` turns lint off for this environment (`confiture lint` reports nothing).
    #[serde(deserialize_with = "lenient_bool")]
    pub enabled: bool,
    #[serde(deserialize_with = "lenient_opt_bool")]
    pub fail_on_error: Option<bool>,
    #[serde(deserialize_with = "lenient_opt_bool")]
    pub fail_on_warning: Option<bool>,
    /// Only these rules (ids or id prefixes such as `mig_`); empty: every rule on by default.
    pub select: Vec<String>,
    /// Never these rules (ids or prefixes).
    pub ignore: Vec<String>,
    /// Severity per rule id or prefix: `error`, `warning`, `info` or `off`.
    pub severity: BTreeMap<String, String>,
    pub naming: NamingSettings,
    /// The column every table of a multi-tenant schema must have (turns the tenant rules on).
    pub tenant_column: Option<String>,
    /// Tables (globs on `name` or `schema.name`) that are shared by all tenants.
    pub tenant_exempt: Vec<String>,
    /// Tables (globs) that schema rules skip.
    pub exclude_tables: Vec<String>,
    /// Words that mark a column as sensitive (replaces the built-in list).
    pub sensitive_columns: Option<Vec<String>>,
    /// Tables with fewer estimated rows than this are "small": lock findings on them are
    /// reported as info (only known when the database is reachable).
    #[serde(deserialize_with = "lenient_opt_i64")]
    pub small_table_rows: Option<i64>,
    /// The PostgreSQL major version migrations will run on, when the database cannot be asked.
    #[serde(deserialize_with = "lenient_opt_i64")]
    pub postgres_version: Option<i64>,
    /// Migrations through this version count as applied when the database cannot be reached.
    #[serde(deserialize_with = "lenient_opt_string")]
    pub baseline: Option<String>,
}

impl Default for LintSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            fail_on_error: None,
            fail_on_warning: None,
            select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            naming: NamingSettings::default(),
            tenant_column: None,
            tenant_exempt: Vec::new(),
            exclude_tables: Vec::new(),
            sensitive_columns: None,
            small_table_rows: None,
            postgres_version: None,
            baseline: None,
        }
    }
}

/// `lint.naming`: the naming convention of tables and columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NamingSettings {
    /// `snake_case` (default), `camelCase`, `PascalCase` or `any`.
    pub style: Option<String>,
    /// Globs a table name must match (any of them), e.g. `tb_*`.
    pub tables: Vec<String>,
    /// Globs a column name must match (any of them).
    pub columns: Vec<String>,
}
