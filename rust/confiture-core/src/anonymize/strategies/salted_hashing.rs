//! `salted_hashing`: keyed HMAC of salt and value (fraiseql-confiture's `SaltedHashingStrategy`,
//! `SaltedHashingConfig(algorithm="sha256", salt=None, salt_env_var="ANONYMIZATION_SALT",
//! length=None, prefix="", use_hmac=True)`). The salt is read from `salt_env_var` when set, else
//! `salt`; it is mixed in next to the anonymization key (which is always used: `use_hmac` is
//! accepted for compatibility, an unkeyed hash is never made).

use serde::Deserialize;

use super::hash::{Algorithm, check_length};
use super::{Cx, Kind, ValueResult};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SaltedHashingConfig {
    pub algorithm: String,
    pub salt: Option<String>,
    pub salt_env_var: Option<String>,
    pub length: Option<usize>,
    pub prefix: String,
    pub use_hmac: bool,
}

impl Default for SaltedHashingConfig {
    fn default() -> Self {
        Self {
            algorithm: "sha256".into(),
            salt: None,
            salt_env_var: Some("ANONYMIZATION_SALT".into()),
            length: None,
            prefix: String::new(),
            use_hmac: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SaltedHashing {
    algorithm: Algorithm,
    salt: Vec<u8>,
    length: usize,
    prefix: String,
}

impl Kind for SaltedHashing {
    const NAME: &'static str = "salted_hashing";
    type Config = SaltedHashingConfig;

    fn new(config: SaltedHashingConfig, vars: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let algorithm = Algorithm::parse(&config.algorithm)?;
        let salt =
            config.salt_env_var.as_deref().and_then(vars).filter(|s| !s.is_empty()).or(config.salt).unwrap_or_default();
        let mut salted = salt.into_bytes();
        salted.push(0);
        Ok(Self { algorithm, salt: salted, length: check_length(config.length, algorithm)?, prefix: config.prefix })
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let hex = self.algorithm.hmac_hex(cx, &[&self.salt, value.as_bytes()], self.length);
        Ok(Some(format!("{}{hex}", self.prefix)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Strategy;
    use super::super::testing::run;
    use serde_json::json;

    #[test]
    fn salt_from_env_changes_output() {
        let config = json!({"salt": "a"}).as_object().cloned().unwrap();
        let plain = Strategy::build("salted_hashing", &config, &|_| None).unwrap();
        let from_env =
            Strategy::build("salted_hashing", &config, &|v| (v == "ANONYMIZATION_SALT").then(|| "b".into())).unwrap();
        assert_ne!(run(&plain, "x"), run(&from_env, "x"));
        assert_eq!(run(&plain, "x").unwrap().len(), 64);
    }
}
