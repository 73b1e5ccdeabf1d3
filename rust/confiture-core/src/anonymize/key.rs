//! The secret key every strategy is keyed with. It comes from an environment variable (never from
//! a file or a command-line argument, so it does not end up in shell history or version control)
//! and is never shown: `Debug` prints a fingerprint only.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::AnonymizeError;

/// The variable read when neither the command line nor the profile names another.
pub const DEFAULT_KEY_VAR: &str = "CONFITURE_ANONYMIZATION_KEY";

/// Shorter keys are refused: the outputs of low-entropy columns (names, phone numbers) could be
/// reversed by guessing the key.
pub const MIN_KEY_LEN: usize = 16;

/// A secret anonymization key.
#[derive(Clone)]
pub struct AnonymizationKey {
    secret: Vec<u8>,
}

impl AnonymizationKey {
    /// Reads the key from variable `var` (default [`DEFAULT_KEY_VAR`]) through `vars`.
    pub fn from_env(var: Option<&str>, vars: &dyn Fn(&str) -> Option<String>) -> Result<Self, AnonymizeError> {
        let var = var.filter(|v| !v.trim().is_empty()).unwrap_or(DEFAULT_KEY_VAR);
        let value = vars(var)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| AnonymizeError::NoKey { var: var.to_string(), min: MIN_KEY_LEN })?;
        Self::new(var, value.as_bytes())
    }

    /// A key from bytes; `origin` names where it came from, for messages.
    pub fn new(origin: &str, secret: &[u8]) -> Result<Self, AnonymizeError> {
        let length = String::from_utf8_lossy(secret).chars().count();
        if length < MIN_KEY_LEN {
            return Err(AnonymizeError::WeakKey { var: origin.to_string(), length, min: MIN_KEY_LEN });
        }
        Ok(Self { secret: secret.to_vec() })
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.secret
    }

    /// A short public identifier of the key (HMAC of a fixed label): tells two keys apart in a
    /// checkpoint without revealing anything about them.
    pub fn fingerprint(&self) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("invariant: HMAC accepts keys of any length");
        mac.update(b"confiture/anonymize/key-fingerprint");
        hex::encode(&mac.finalize().into_bytes()[..8])
    }
}

impl std::fmt::Debug for AnonymizationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AnonymizationKey(fingerprint {})", self.fingerprint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_missing_and_short_keys() {
        let none = |_: &str| None;
        assert!(
            matches!(AnonymizationKey::from_env(None, &none), Err(AnonymizeError::NoKey { var, .. }) if var == DEFAULT_KEY_VAR)
        );
        let short = |_: &str| Some("short".to_string());
        assert!(matches!(
            AnonymizationKey::from_env(Some("K"), &short),
            Err(AnonymizeError::WeakKey { length: 5, .. })
        ));
        let good = |v: &str| (v == "K").then(|| "0123456789abcdef0123".to_string());
        let key = AnonymizationKey::from_env(Some("K"), &good).unwrap();
        assert!(!format!("{key:?}").contains("0123456789"));
        assert_eq!(key.fingerprint().len(), 16);
    }
}
