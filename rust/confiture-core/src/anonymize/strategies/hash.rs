//! `hash`: keyed HMAC of the value, in hex (fraiseql-confiture's `DeterministicHashStrategy`,
//! `DeterministicHashConfig(algorithm="sha256", length=None, prefix="")`). The HMAC key is the
//! column key (the anonymization key and the column domain), never a public default.

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha512;

use super::{Cx, Kind, ValueResult, hex_prefix};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeterministicHashConfig {
    pub algorithm: String,
    pub length: Option<usize>,
    pub prefix: String,
}

impl Default for DeterministicHashConfig {
    fn default() -> Self {
        Self { algorithm: "sha256".into(), length: None, prefix: String::new() }
    }
}

/// HMAC algorithms: SHA-256 (the PRF itself) or SHA-512.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    pub(crate) fn parse(name: &str) -> Result<Self, String> {
        match name.to_ascii_lowercase().replace('-', "").as_str() {
            "sha256" => Ok(Self::Sha256),
            "sha512" => Ok(Self::Sha512),
            _ => Err(format!("`algorithm` {name:?} is not supported; use sha256 or sha512 (keyed HMAC)")),
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Self::Sha256 => 64,
            Self::Sha512 => 128,
        }
    }

    /// HMAC of `parts` under the column key, in hex, at most `len` characters.
    pub(crate) fn hmac_hex(self, cx: &Cx<'_>, parts: &[&[u8]], len: usize) -> String {
        match self {
            Self::Sha256 => {
                if let [single] = parts {
                    return hex_prefix(&cx.hmac(single), len);
                }
                hex_prefix(&cx.hmac(&parts.concat()), len)
            }
            Self::Sha512 => {
                let mut mac = Hmac::<Sha512>::new_from_slice(cx.prf.column_key())
                    .expect("invariant: HMAC accepts keys of any length");
                for p in parts {
                    mac.update(p);
                }
                if cx.attempt > 0 {
                    mac.update(&[0xff]);
                    mac.update(&cx.attempt.to_be_bytes());
                }
                hex_prefix(&mac.finalize().into_bytes(), len)
            }
        }
    }
}

pub(crate) fn check_length(length: Option<usize>, algorithm: Algorithm) -> Result<usize, String> {
    let max = algorithm.hex_len();
    match length {
        None => Ok(max),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(format!("`length` must be between 1 and {max} for this algorithm, not {n}")),
    }
}

#[derive(Debug, Clone)]
pub struct DeterministicHash {
    algorithm: Algorithm,
    length: usize,
    prefix: String,
}

impl Kind for DeterministicHash {
    const NAME: &'static str = "hash";
    type Config = DeterministicHashConfig;

    fn new(config: DeterministicHashConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let algorithm = Algorithm::parse(&config.algorithm)?;
        Ok(Self { algorithm, length: check_length(config.length, algorithm)?, prefix: config.prefix })
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        Ok(Some(format!("{}{}", self.prefix, self.algorithm.hmac_hex(cx, &[value.as_bytes()], self.length))))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, strategy};
    use super::*;
    use serde_json::json;

    #[test]
    fn keyed_hex_with_prefix_and_length() {
        let s = strategy("hash", json!({"length": 16, "prefix": "h_"}));
        let a = run(&s, "secret").unwrap();
        assert!(a.starts_with("h_") && a.len() == 18 && a[2..].chars().all(|c| c.is_ascii_hexdigit()));
        // Not the public sha256 of the value.
        assert_ne!(&a[2..], "2bb80d537b1da3e3");
        let s = strategy("hash", json!({"algorithm": "sha512"}));
        assert_eq!(run(&s, "x").unwrap().len(), 128);
        assert!(Algorithm::parse("md5").is_err());
    }
}
