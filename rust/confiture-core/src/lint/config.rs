//! The lint configuration: the `lint:` section of the environment file, with the command line's
//! `--select`/`--ignore`/`--fail-on-*` on top, checked (every rule id exists, every severity and
//! glob is valid) and resolved into the rules to run and their severities.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use super::rule::{RuleMeta, all_rules};
use super::{LintError, Severity};
use crate::config::LintSettings;
use crate::schema::QualifiedName;

/// Options given by the caller (CLI or Python API) on top of the environment's settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LintOptions {
    /// Replaces `lint.select` when not empty.
    pub select: Vec<String>,
    /// Added to `lint.ignore`.
    pub ignore: Vec<String>,
    pub fail_on_error: Option<bool>,
    pub fail_on_warning: Option<bool>,
    /// Added to `lint.exclude_tables`.
    pub exclude_tables: Vec<String>,
    /// Replaces `lint.tenant_column` when set.
    pub tenant_column: Option<String>,
}

/// The words that mark a column as sensitive unless `lint.sensitive_columns` says otherwise.
pub const DEFAULT_SENSITIVE: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "credit_card",
    "card_number",
    "cvv",
    "ssn",
    "social_security",
    "iban",
];

/// Tables below this many estimated rows are small (same threshold as the dry-run's size levels).
pub const DEFAULT_SMALL_TABLE_ROWS: i64 = 10_000;

/// Naming styles for tables and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamingStyle {
    SnakeCase,
    CamelCase,
    PascalCase,
    Any,
}

impl NamingStyle {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "snake_case" => Some(Self::SnakeCase),
            "camelCase" => Some(Self::CamelCase),
            "PascalCase" => Some(Self::PascalCase),
            "any" => Some(Self::Any),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::SnakeCase => "snake_case",
            Self::CamelCase => "camelCase",
            Self::PascalCase => "PascalCase",
            Self::Any => "any",
        }
    }

    /// Whether `name` follows the style.
    pub fn accepts(self, name: &str) -> bool {
        let mut chars = name.chars();
        let Some(first) = chars.next() else { return false };
        let rest_ok = |allow_upper: bool, allow_underscore: bool| {
            name.chars().skip(1).all(|c| {
                c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || (allow_upper && c.is_ascii_uppercase())
                    || (allow_underscore && c == '_')
            })
        };
        match self {
            Self::SnakeCase => (first.is_ascii_lowercase() || first == '_') && rest_ok(false, true),
            Self::CamelCase => first.is_ascii_lowercase() && rest_ok(true, false),
            Self::PascalCase => first.is_ascii_uppercase() && rest_ok(true, false),
            Self::Any => true,
        }
    }
}

/// Globs over table names, matched against `name` and `schema.name`.
#[derive(Debug, Clone, Default)]
pub struct TableGlobs {
    pub patterns: Vec<String>,
    matchers: Vec<GlobMatcher>,
}

impl TableGlobs {
    fn new(patterns: &[String], key: &str, source: &Path) -> Result<Self, LintError> {
        let matchers = compile(patterns, key, source)?;
        Ok(Self { patterns: patterns.to_vec(), matchers })
    }

    pub fn is_empty(&self) -> bool {
        self.matchers.is_empty()
    }

    pub fn matches_table(&self, name: &QualifiedName) -> bool {
        let qualified = format!("{}.{}", name.schema, name.name);
        self.matchers.iter().any(|m| m.is_match(&name.name) || m.is_match(&qualified))
    }

    pub fn matches(&self, text: &str) -> bool {
        self.matchers.iter().any(|m| m.is_match(text))
    }
}

fn compile(patterns: &[String], key: &str, source: &Path) -> Result<Vec<GlobMatcher>, LintError> {
    patterns
        .iter()
        .map(|p| {
            Glob::new(p).map(|g| g.compile_matcher()).map_err(|e| LintError::Config {
                path: source.to_path_buf(),
                key: key.to_string(),
                message: format!("invalid pattern {p:?}: {e}"),
            })
        })
        .collect()
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct LintConfig {
    pub enabled: bool,
    /// The rules that run, by id, with their severity.
    pub rules: BTreeMap<&'static str, Severity>,
    pub fail_on_error: bool,
    pub fail_on_warning: bool,
    pub naming_style: NamingStyle,
    pub table_patterns: TableGlobs,
    pub column_patterns: TableGlobs,
    pub tenant_column: Option<String>,
    pub tenant_exempt: TableGlobs,
    pub exclude_tables: TableGlobs,
    pub sensitive: Vec<String>,
    pub small_table_rows: i64,
    pub postgres_version: Option<i64>,
    pub baseline: Option<String>,
}

impl Default for LintConfig {
    fn default() -> Self {
        Self::resolve(&LintSettings::default(), Path::new("<defaults>"), &LintOptions::default())
            .expect("invariant: the default settings are valid")
    }
}

/// Whether selector `s` (an id, a prefix such as `mig_`/`mig`, or `all`) names rule `r`.
fn selects(s: &str, r: &RuleMeta) -> bool {
    let s = s.trim();
    s.eq_ignore_ascii_case("all")
        || r.id == s
        || (s.ends_with('_') && r.id.starts_with(s))
        || r.family() == s
        || (r.id.starts_with(s) && !s.is_empty() && s.chars().last().is_some_and(|c| c.is_ascii_digit()))
}

/// How specific a selector is (a longer one wins in `lint.severity`).
fn specificity(s: &str) -> usize {
    if s.eq_ignore_ascii_case("all") { 0 } else { s.len() }
}

impl LintConfig {
    /// Checks and resolves `settings` (read from `source`) with the caller's `options`.
    pub fn resolve(settings: &LintSettings, source: &Path, options: &LintOptions) -> Result<Self, LintError> {
        let invalid =
            |key: &str, message: String| LintError::Config { path: source.to_path_buf(), key: key.into(), message };
        let check_known = |option: &str, selectors: &[String]| -> Result<(), LintError> {
            for s in selectors {
                if !all_rules().iter().any(|r| selects(s, r)) {
                    return Err(LintError::UnknownRule { option: option.to_string(), rule: s.clone() });
                }
            }
            Ok(())
        };
        let (select, select_origin) = if options.select.is_empty() {
            (settings.select.clone(), "lint.select")
        } else {
            (options.select.clone(), "--select")
        };
        check_known(select_origin, &select)?;
        check_known("lint.ignore", &settings.ignore)?;
        check_known("--ignore", &options.ignore)?;
        let ignore: Vec<&String> = settings.ignore.iter().chain(&options.ignore).collect();

        let mut severities: Vec<(&String, Option<Severity>)> = Vec::new();
        for (k, v) in &settings.severity {
            check_known(&format!("lint.severity.{k}"), std::slice::from_ref(k))?;
            let sev = if v.trim().eq_ignore_ascii_case("off") {
                None
            } else {
                Some(Severity::parse(v).ok_or_else(|| {
                    invalid(
                        &format!("severity.{k}"),
                        format!("unknown severity {v:?}: use error, warning, info or off"),
                    )
                })?)
            };
            severities.push((k, sev));
        }

        let mut rules = BTreeMap::new();
        for r in all_rules() {
            let chosen = if select.is_empty() { r.default_enabled } else { select.iter().any(|s| selects(s, r)) };
            if !chosen || ignore.iter().any(|s| selects(s, r)) {
                continue;
            }
            let configured =
                severities.iter().filter(|(k, _)| selects(k, r)).max_by_key(|(k, _)| specificity(k)).map(|(_, s)| *s);
            match configured {
                Some(None) => {}
                Some(Some(sev)) => {
                    rules.insert(r.id, sev);
                }
                None => {
                    rules.insert(r.id, r.severity);
                }
            }
        }

        let naming_style = match settings.naming.style.as_deref() {
            None => NamingStyle::SnakeCase,
            Some(s) => NamingStyle::parse(s).ok_or_else(|| {
                invalid("naming.style", format!("unknown style {s:?}: use snake_case, camelCase, PascalCase or any"))
            })?,
        };
        let tenant_column = options
            .tenant_column
            .as_deref()
            .or(settings.tenant_column.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let exclude_tables: Vec<String> =
            settings.exclude_tables.iter().chain(&options.exclude_tables).cloned().collect();
        if let Some(v) = settings.postgres_version
            && !(9..=99).contains(&v)
        {
            return Err(invalid("postgres_version", format!("{v} is not a PostgreSQL major version (e.g. 15)")));
        }
        if let Some(rows) = settings.small_table_rows
            && rows < 0
        {
            return Err(invalid("small_table_rows", format!("{rows} is negative")));
        }
        Ok(Self {
            enabled: settings.enabled,
            rules,
            fail_on_error: options.fail_on_error.or(settings.fail_on_error).unwrap_or(true),
            fail_on_warning: options.fail_on_warning.or(settings.fail_on_warning).unwrap_or(false),
            naming_style,
            table_patterns: TableGlobs::new(&settings.naming.tables, "naming.tables", source)?,
            column_patterns: TableGlobs::new(&settings.naming.columns, "naming.columns", source)?,
            tenant_column: tenant_column.map(str::to_string),
            tenant_exempt: TableGlobs::new(&settings.tenant_exempt, "tenant_exempt", source)?,
            exclude_tables: TableGlobs::new(&exclude_tables, "exclude_tables", source)?,
            sensitive: settings
                .sensitive_columns
                .clone()
                .unwrap_or_else(|| DEFAULT_SENSITIVE.iter().map(|s| (*s).to_string()).collect()),
            small_table_rows: settings.small_table_rows.unwrap_or(DEFAULT_SMALL_TABLE_ROWS),
            postgres_version: settings.postgres_version,
            baseline: settings.baseline.clone(),
        })
    }

    /// The severity of a rule that runs (None: it does not run).
    pub fn severity_of(&self, id: &str) -> Option<Severity> {
        self.rules.get(id).copied()
    }

    /// Whether any rule for `target` runs.
    pub fn runs_any(&self, target: super::Target) -> bool {
        all_rules().iter().any(|r| r.target == target && self.rules.contains_key(r.id))
    }
}

/// Where settings came from, for messages.
pub fn settings_source(path: Option<&Path>) -> PathBuf {
    path.map_or_else(|| PathBuf::from("<lint configuration>"), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(yaml: &str, options: LintOptions) -> Result<LintConfig, LintError> {
        let settings: LintSettings = serde_yaml::from_str(yaml).unwrap();
        LintConfig::resolve(&settings, Path::new("db/environments/local.yaml"), &options)
    }

    #[test]
    fn defaults_run_default_rules_with_their_severity() {
        let c = LintConfig::default();
        assert_eq!(c.severity_of("pk_001"), Some(Severity::Warning));
        assert_eq!(c.severity_of("doc_002"), None, "off by default");
        assert!(c.fail_on_error && !c.fail_on_warning);
        assert_eq!(c.naming_style, NamingStyle::SnakeCase);
    }

    #[test]
    fn select_ignore_and_severities() {
        let c = resolve(
            "select: [pk, doc_002, mig_]\nignore: [mig_010]\nseverity: {pk: error, pk_002: off, mig: info}",
            LintOptions::default(),
        )
        .unwrap();
        assert_eq!(c.severity_of("pk_001"), Some(Severity::Error));
        assert_eq!(c.severity_of("pk_002"), None);
        assert_eq!(c.severity_of("doc_002"), Some(Severity::Info));
        assert_eq!(c.severity_of("mig_001"), Some(Severity::Info));
        assert_eq!(c.severity_of("mig_010"), None);
        assert_eq!(c.severity_of("naming_001"), None);
        let cli =
            resolve("select: [pk]", LintOptions { select: vec!["naming_001".into()], ..Default::default() }).unwrap();
        assert_eq!(cli.rules.keys().copied().collect::<Vec<_>>(), vec!["naming_001"]);
    }

    #[test]
    fn errors_name_the_key() {
        let e = resolve("severity: {pk_001: loud}", LintOptions::default()).unwrap_err().to_string();
        assert_eq!(
            e,
            "db/environments/local.yaml: lint.severity.pk_001: unknown severity \"loud\": use error, warning, info or off"
        );
        let e = resolve("ignore: [pk_999]", LintOptions::default()).unwrap_err().to_string();
        assert_eq!(e, "lint.ignore: no rule is called \"pk_999\" (see `confiture lint --list-rules`)");
        let e = resolve("", LintOptions { select: vec!["nope".into()], ..Default::default() }).unwrap_err();
        assert!(e.to_string().starts_with("--select: no rule is called \"nope\""));
        let e = resolve("naming: {style: kebab}", LintOptions::default()).unwrap_err().to_string();
        assert!(e.contains("lint.naming.style: unknown style \"kebab\""), "{e}");
        let e = resolve("naming: {tables: ['[']}", LintOptions::default()).unwrap_err().to_string();
        assert!(e.contains("lint.naming.tables: invalid pattern"), "{e}");
    }

    #[test]
    fn naming_styles() {
        assert!(NamingStyle::SnakeCase.accepts("user_accounts2"));
        assert!(!NamingStyle::SnakeCase.accepts("UserAccounts"));
        assert!(!NamingStyle::SnakeCase.accepts("user-accounts"));
        assert!(NamingStyle::CamelCase.accepts("userAccounts"));
        assert!(!NamingStyle::CamelCase.accepts("user_accounts"));
        assert!(NamingStyle::PascalCase.accepts("UserAccounts"));
        assert!(NamingStyle::Any.accepts("Whatever Name"));
    }
}
