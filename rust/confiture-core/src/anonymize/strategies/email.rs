//! `email`: `user_{hash}@example.com` (fraiseql-confiture's `EmailMaskingStrategy`,
//! `EmailMaskConfig(format, hash_length=8, preserve_domain=False)`). The address is trimmed and
//! lower-cased first, so `Alice@Example.com` and `alice@example.com` map to the same output; with
//! `preserve_domain` the original domain replaces the format's.

use serde::Deserialize;

use std::borrow::Cow;

use super::{Cx, Kind, ValueResult, push_hex};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailMaskConfig {
    pub format: String,
    pub hash_length: usize,
    pub preserve_domain: bool,
}

impl Default for EmailMaskConfig {
    fn default() -> Self {
        Self { format: "user_{hash}@example.com".into(), hash_length: 8, preserve_domain: false }
    }
}

#[derive(Debug, Clone)]
pub struct Email {
    before: String,
    after: String,
    hash_length: usize,
    preserve_domain: bool,
}

impl Kind for Email {
    const NAME: &'static str = "email";
    type Config = EmailMaskConfig;

    fn new(config: EmailMaskConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let (before, after) = config
            .format
            .split_once("{hash}")
            .ok_or("`format` must contain {hash} (e.g. \"user_{hash}@example.com\")")?;
        if !(1..=64).contains(&config.hash_length) {
            return Err(format!("`hash_length` must be between 1 and 64, not {}", config.hash_length));
        }
        Ok(Self {
            before: before.to_string(),
            after: after.to_string(),
            hash_length: config.hash_length,
            preserve_domain: config.preserve_domain,
        })
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let trimmed = value.trim();
        let normalized: Cow<'_, str> = if trimmed.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
            Cow::Owned(trimmed.to_lowercase())
        } else {
            Cow::Borrowed(trimmed)
        };
        let mut out = String::with_capacity(self.before.len() + self.hash_length + self.after.len());
        out.push_str(&self.before);
        push_hex(&mut out, &cx.digest(normalized.as_bytes()), self.hash_length);
        out.push_str(&self.after);
        if self.preserve_domain
            && let Some((_, domain)) = value.trim().rsplit_once('@')
        {
            let local = out.split_once('@').map_or(out.as_str(), |(l, _)| l).to_string();
            out = format!("{local}@{domain}");
        }
        Ok(Some(out))
    }

    fn looks_valid(&self, value: &str) -> bool {
        let v = value.trim();
        v.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, strategy};
    use serde_json::json;

    #[test]
    fn format_length_case_and_domain() {
        let s = strategy("email", json!({}));
        let a = run(&s, "Alice@Example.com").unwrap();
        assert!(a.starts_with("user_") && a.ends_with("@example.com") && a.len() == 25, "{a}");
        assert_eq!(run(&s, " alice@example.com "), Some(a.clone()));
        assert_ne!(run(&s, "bob@example.com"), Some(a));
        let s =
            strategy("email", json!({"hash_length": 12, "preserve_domain": true, "format": "x{hash}@test.invalid"}));
        let b = run(&s, "bob@corp.io").unwrap();
        assert!(b.starts_with('x') && b.ends_with("@corp.io") && b.len() == 1 + 12 + 8, "{b}");
        assert!(s.looks_valid("a@b.c") && !s.looks_valid("nope"));
    }
}
