//! Anonymization profiles: fraiseql-confiture's YAML shape (`name`, `version`, `global_seed`,
//! `strategies`, `tables.<t>.rules[column, strategy, seed, options]`), plus `key_env_var` (the
//! variable holding the key) and per-rule `unique` and `domain`. Every strategy of the registry
//! may be used, directly by name or through a named definition. [`Profile::load`] checks
//! everything that can be checked without a database and reports all problems at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::rule::{ColumnRule, seeded_domain};
use super::strategies::{NAMES, Strategy};
use super::{AnonymizationKey, AnonymizeError};
use crate::config::{ConfigError, read_yaml_document};

/// A named strategy definition (`strategies.<name>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyDefinition {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub config: Option<Map<String, Value>>,
    /// A variable holding an integer seed for rules using this strategy.
    #[serde(default)]
    pub seed_env_var: Option<String>,
}

/// One rule of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileRule {
    pub column: String,
    pub strategy: String,
    #[serde(default)]
    pub seed: Option<i64>,
    #[serde(default)]
    pub options: Option<Map<String, Value>>,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDefinition {
    pub rules: Vec<ProfileRule>,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("expected a string, found {other}"))),
    }
}

/// A profile as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(deserialize_with = "string_or_number")]
    pub version: String,
    #[serde(default)]
    pub global_seed: Option<i64>,
    /// The variable holding the anonymization key (default `CONFITURE_ANONYMIZATION_KEY`).
    #[serde(default)]
    pub key_env_var: Option<String>,
    #[serde(default)]
    pub strategies: BTreeMap<String, StrategyDefinition>,
    #[serde(default)]
    pub tables: BTreeMap<String, TableDefinition>,
}

/// A profile and the column rules it resolves to.
#[derive(Debug, Clone, Serialize)]
pub struct LoadedProfile {
    pub path: PathBuf,
    pub profile: Profile,
    pub rules: Vec<ColumnRule>,
}

impl Profile {
    /// Reads and checks a profile file (with `${VAR}` interpolation).
    pub fn load(path: &Path, vars: &dyn Fn(&str) -> Option<String>) -> Result<LoadedProfile, AnonymizeError> {
        let invalid = |problems: Vec<String>| AnonymizeError::InvalidProfile { path: path.to_path_buf(), problems };
        let document = read_yaml_document(path, vars).map_err(|e| match e {
            ConfigError::FileNotFound { path } => AnonymizeError::ProfileNotFound { path },
            other => invalid(vec![other.to_string()]),
        })?;
        if document.is_null() {
            return Err(invalid(vec!["the file is empty".into()]));
        }
        let json = serde_json::to_value(&document).map_err(|e| invalid(vec![e.to_string()]))?;
        Self::from_value(path, json, vars)
    }

    /// Checks a profile given as data (`path` only names it in messages).
    pub fn from_value(
        path: &Path,
        document: Value,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<LoadedProfile, AnonymizeError> {
        let invalid = |problems: Vec<String>| AnonymizeError::InvalidProfile { path: path.to_path_buf(), problems };
        let profile: Profile = serde_path_to_error::deserialize(document).map_err(|e| {
            let at = e.path().to_string();
            let message = e.inner().to_string();
            invalid(vec![if at == "." { message } else { format!("`{at}`: {message}") }])
        })?;
        let (rules, problems) = profile.resolve(vars);
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        Ok(LoadedProfile { path: path.to_path_buf(), profile, rules })
    }

    /// The column rules, and every problem found (unknown strategies, bad configs, duplicates).
    fn resolve(&self, vars: &dyn Fn(&str) -> Option<String>) -> (Vec<ColumnRule>, Vec<String>) {
        let mut problems = Vec::new();
        // Any key will do for checking: strategies are built, never run.
        let probe = AnonymizationKey::new("probe", b"confiture-profile-check-key").expect("invariant: long enough");
        for (name, def) in &self.strategies {
            if let Err(e) = Strategy::build(&def.kind, def.config.as_ref().unwrap_or(&Map::new()), vars) {
                problems.push(format!("strategies.{name}: {e}"));
            }
        }
        let mut rules = Vec::new();
        for (table, def) in &self.tables {
            if table.trim().is_empty() {
                problems.push("tables: a table name is empty".into());
            }
            let mut seen = BTreeMap::new();
            for (i, r) in def.rules.iter().enumerate() {
                let at = format!("tables.{table}.rules[{i}]");
                if r.column.trim().is_empty() {
                    problems.push(format!("{at}: `column` is empty"));
                    continue;
                }
                if let Some(first) = seen.insert(r.column.clone(), i) {
                    problems.push(format!("{at}: column {:?} already has a rule (rules[{first}])", r.column));
                }
                let (kind, mut config, seed_var) = match self.strategies.get(&r.strategy) {
                    Some(d) => (d.kind.clone(), d.config.clone().unwrap_or_default(), d.seed_env_var.clone()),
                    None if NAMES.contains(&r.strategy.as_str()) => (r.strategy.clone(), Map::new(), None),
                    None => {
                        let mut known: Vec<String> = self.strategies.keys().cloned().collect();
                        known.extend(NAMES.iter().map(|n| (*n).to_string()));
                        problems.push(format!(
                            "{at}: unknown strategy {:?}; use a strategy defined under `strategies` or one of: {}",
                            r.strategy,
                            known.join(", ")
                        ));
                        continue;
                    }
                };
                for (k, v) in r.options.clone().unwrap_or_default() {
                    config.insert(k, v);
                }
                let unique = r.unique || config.get("unique").and_then(Value::as_bool).unwrap_or(false);
                let domain_base = r
                    .domain
                    .clone()
                    .or_else(|| config.get("domain").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_else(|| kind.clone());
                let env_seed = match seed_var.as_deref().and_then(vars) {
                    Some(text) => match text.trim().parse::<i64>() {
                        Ok(n) => Some(n),
                        Err(_) => {
                            problems.push(format!(
                                "{at}: the seed variable {} must hold an integer",
                                seed_var.as_deref().unwrap_or_default()
                            ));
                            None
                        }
                    },
                    None => None,
                };
                let seed = env_seed.or(r.seed).or(self.global_seed).unwrap_or(0);
                let rule = ColumnRule {
                    table: table.clone(),
                    column: r.column.clone(),
                    strategy: r.strategy.clone(),
                    kind,
                    config,
                    seed,
                    unique,
                    domain: seeded_domain(&domain_base, seed),
                };
                match super::Anonymizer::for_rule(&rule, &probe, vars) {
                    Ok(_) => rules.push(rule),
                    Err(e) => problems.push(format!("{at}: {e}")),
                }
            }
        }
        (rules, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(doc: serde_json::Value) -> Result<LoadedProfile, AnonymizeError> {
        Profile::from_value(Path::new("p.yaml"), doc, &|_| None)
    }

    #[test]
    fn resolves_named_and_builtin_strategies() {
        let loaded = check(json!({
            "name": "p", "version": 1.0, "global_seed": 9,
            "strategies": {"mail": {"type": "email", "config": {"hash_length": 12}}},
            "tables": {"users": {"rules": [
                {"column": "email", "strategy": "mail", "unique": true},
                {"column": "phone", "strategy": "phone", "seed": 3},
                {"column": "card", "strategy": "credit_card", "options": {"preserve_bin": true}, "domain": "cards"}
            ]}}
        }))
        .unwrap();
        assert_eq!(loaded.profile.version, "1.0");
        let r = &loaded.rules;
        assert_eq!((r[0].kind.as_str(), r[0].domain.as_str(), r[0].unique), ("email", "email/seed=9", true));
        assert_eq!(r[0].config.get("hash_length"), Some(&json!(12)));
        assert_eq!(r[1].domain, "phone/seed=3");
        assert_eq!(r[2].domain, "cards/seed=9");
    }

    #[test]
    fn reports_every_problem() {
        let err = check(json!({
            "name": "p", "version": "1",
            "strategies": {"bad": {"type": "nope"}},
            "tables": {"users": {"rules": [
                {"column": "email", "strategy": "emial"},
                {"column": "email", "strategy": "redact", "unique": true},
                {"column": "x", "strategy": "email", "options": {"hash_length": 0}}
            ]}}
        }))
        .unwrap_err()
        .to_string();
        for needle in ["strategies.bad", "\"emial\"", "already has a rule", "cannot be `unique`", "hash_length"] {
            assert!(err.contains(needle), "{needle} in {err}");
        }
        let err = check(json!({"name": "p", "version": "1", "tables": {"t": {"rules": [{"column": "c", "strategy": "hash", "sed": 1}]}}}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("sed") && err.contains("tables.t.rules[0]"), "{err}");
    }
}
