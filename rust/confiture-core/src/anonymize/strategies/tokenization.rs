//! `tokenization`: `TOKEN_` and `token_length` characters from the keyed PRF (fraiseql-confiture's
//! `TokenizationStrategy`, `TokenizationConfig(token_prefix="TOKEN_", token_length=16,
//! hash_algorithm="sha256", separator="_", allow_reversals=True, reversal_requires_reason=True)`).
//! Tokens are not stored, so they cannot be reversed; the reversal fields are accepted for
//! compatibility.

use serde::Deserialize;

use super::{Cx, Kind, ValueResult};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenizationConfig {
    pub token_prefix: String,
    pub token_length: usize,
    pub hash_algorithm: String,
    pub separator: String,
    pub allow_reversals: bool,
    pub reversal_requires_reason: bool,
}

impl Default for TokenizationConfig {
    fn default() -> Self {
        Self {
            token_prefix: "TOKEN_".into(),
            token_length: 16,
            hash_algorithm: "sha256".into(),
            separator: "_".into(),
            allow_reversals: true,
            reversal_requires_reason: true,
        }
    }
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

#[derive(Debug, Clone)]
pub struct Tokenization {
    prefix: String,
    length: usize,
}

impl Kind for Tokenization {
    const NAME: &'static str = "tokenization";
    type Config = TokenizationConfig;

    fn new(config: TokenizationConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        if !config.hash_algorithm.eq_ignore_ascii_case("sha256") {
            return Err("`hash_algorithm` must be sha256: tokens come from HMAC-SHA256".into());
        }
        if !(4..=64).contains(&config.token_length) {
            return Err(format!("`token_length` must be between 4 and 64, not {}", config.token_length));
        }
        Ok(Self { prefix: config.token_prefix, length: config.token_length })
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let mut rng = cx.rng(value.as_bytes());
        let mut out = String::with_capacity(self.prefix.len() + self.length);
        out.push_str(&self.prefix);
        for _ in 0..self.length {
            out.push(char::from(ALPHABET[rng.below(32) as usize]));
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, strategy};
    use serde_json::json;

    #[test]
    fn prefix_and_length() {
        let s = strategy("tokenization", json!({"token_length": 20}));
        let t = run(&s, "4111").unwrap();
        assert!(t.starts_with("TOKEN_") && t.len() == 26);
        assert_eq!(run(&s, "4111"), Some(t));
    }
}
