//! A column rule ([`ColumnRule`]: table, column, strategy, config, seed, `unique`, domain) and its
//! compiled form ([`Anonymizer`]: the strategy bound to the PRF of its domain).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::prf::Prf;
use super::strategies::{Cx, Strategy};
use super::{AnonymizationKey, AnonymizeError};

/// One anonymized column, as resolved from a profile or the command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnRule {
    /// The table as written (`users`, `app.users`, `"Odd Name"`).
    pub table: String,
    pub column: String,
    /// The strategy as named in the rule: a profile strategy or a registry name.
    pub strategy: String,
    /// The registry name (`email`, `hash`, …).
    pub kind: String,
    /// The strategy's config (fraiseql-confiture's field names), rule options merged in.
    #[serde(default)]
    pub config: Map<String, Value>,
    /// 0 when none was given; otherwise part of the domain.
    #[serde(default)]
    pub seed: i64,
    /// Resolve collisions so no two inputs share an output.
    #[serde(default)]
    pub unique: bool,
    /// The PRF domain: the strategy kind unless the rule names one; equal domains give equal
    /// outputs for equal inputs, across tables.
    pub domain: String,
}

impl ColumnRule {
    /// A rule with the default domain (the kind, plus the seed when non-zero).
    pub fn new(table: &str, column: &str, strategy: &str, kind: &str) -> Self {
        Self {
            table: table.to_string(),
            column: column.to_string(),
            strategy: strategy.to_string(),
            kind: kind.to_string(),
            config: Map::new(),
            seed: 0,
            unique: false,
            domain: kind.to_string(),
        }
    }
}

/// The effective PRF domain of a base domain and seed.
pub fn seeded_domain(base: &str, seed: i64) -> String {
    if seed == 0 { base.to_string() } else { format!("{base}/seed={seed}") }
}

/// fraiseql-confiture's `resolve_seed`: the integer in variable `seed_env_var` when set, else
/// `seed`, else 0.
pub fn resolve_seed(
    seed: Option<i64>,
    seed_env_var: Option<&str>,
    vars: &dyn Fn(&str) -> Option<String>,
) -> Result<i64, AnonymizeError> {
    if let Some(var) = seed_env_var
        && let Some(text) = vars(var)
    {
        return text.trim().parse().map_err(|_| AnonymizeError::InvalidConfig {
            strategy: "seed".into(),
            message: format!("environment variable {var} must hold an integer seed"),
        });
    }
    Ok(seed.unwrap_or(0))
}

/// A strategy ready to run: configured, keyed, domain-bound. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Anonymizer {
    strategy: Strategy,
    prf: Prf,
    unique: bool,
}

impl Anonymizer {
    pub fn new(
        kind: &str,
        config: &Map<String, Value>,
        key: &AnonymizationKey,
        domain: &str,
        unique: bool,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, AnonymizeError> {
        let strategy = Strategy::build(kind, config, vars)?;
        if unique && !strategy.varies() {
            return Err(AnonymizeError::InvalidConfig {
                strategy: kind.to_string(),
                message:
                    "cannot be `unique`: its output does not vary with the value (use hash, email, tokenization, …)"
                        .into(),
            });
        }
        Ok(Self { strategy, prf: Prf::new(key, domain), unique })
    }

    pub fn for_rule(
        rule: &ColumnRule,
        key: &AnonymizationKey,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, AnonymizeError> {
        Self::new(&rule.kind, &rule.config, key, &rule.domain, rule.unique, vars)
    }

    pub fn strategy(&self) -> &Strategy {
        &self.strategy
    }

    pub fn unique(&self) -> bool {
        self.unique
    }

    /// The replacement of a non-NULL value (`None`: NULL). `attempt` > 0 draws an alternative
    /// (collision resolution). Empty strings stay empty (they hold nothing personal), except for
    /// `null` and `constant`.
    pub fn apply(&self, value: &str, attempt: u32) -> Result<Option<String>, AnonymizeError> {
        if value.is_empty() && !matches!(self.strategy, Strategy::Null(_) | Strategy::Constant(_)) {
            return Ok(Some(String::new()));
        }
        self.strategy
            .apply(&Cx { prf: &self.prf, attempt }, value)
            .map_err(|message| AnonymizeError::Value { strategy: self.strategy.name().to_string(), message })
    }

    /// A 64-bit fingerprint of a value under this column's key (for `unique` bookkeeping and
    /// sampling; reveals nothing without the key).
    pub fn fingerprint(&self, value: &[u8]) -> u64 {
        self.prf.fingerprint(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AnonymizationKey {
        AnonymizationKey::new("t", b"0123456789abcdef-xyz").unwrap()
    }

    #[test]
    fn same_domain_same_output_across_rules() {
        let a = Anonymizer::new("email", &Map::new(), &key(), "email", false, &|_| None).unwrap();
        let b = Anonymizer::new("email", &Map::new(), &key(), "email", false, &|_| None).unwrap();
        let c = Anonymizer::new("email", &Map::new(), &key(), &seeded_domain("email", 7), false, &|_| None).unwrap();
        assert_eq!(a.apply("x@y.z", 0).unwrap(), b.apply("x@y.z", 0).unwrap());
        assert_ne!(a.apply("x@y.z", 0).unwrap(), c.apply("x@y.z", 0).unwrap());
        assert_ne!(a.apply("x@y.z", 0).unwrap(), a.apply("x@y.z", 1).unwrap());
        assert_eq!(a.apply("", 0).unwrap(), Some(String::new()));
        assert!(Anonymizer::new("redact", &Map::new(), &key(), "redact", true, &|_| None).is_err());
    }
}
