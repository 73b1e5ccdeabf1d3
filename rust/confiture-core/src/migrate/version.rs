//! Migration version ordering: numeric versions by value (`1000` after `999`, `001` equal to `1`),
//! then non-numeric versions as text.

use std::cmp::Ordering;

/// Sort key of a version string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionKey<'a> {
    /// Digits without leading zeros, when the version is all digits.
    numeric: Option<&'a str>,
    text: &'a str,
}

impl<'a> VersionKey<'a> {
    pub fn new(version: &'a str) -> Self {
        let numeric = (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()))
            .then(|| version.trim_start_matches('0'));
        Self { numeric, text: version }
    }

    /// Whether two versions denote the same migration (`001` and `1` do).
    pub fn same(&self, other: &Self) -> bool {
        match (self.numeric, other.numeric) {
            (Some(a), Some(b)) => a == b,
            _ => self.text == other.text,
        }
    }
}

impl Ord for VersionKey<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.numeric, other.numeric) {
            (Some(a), Some(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)).then_with(|| self.text.cmp(other.text)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.text.cmp(other.text),
        }
    }
}

impl PartialOrd for VersionKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares two version strings.
pub fn compare(a: &str, b: &str) -> Ordering {
    VersionKey::new(a).cmp(&VersionKey::new(b))
}

/// The text two versions share exactly when they denote the same migration: a numeric version
/// without its leading zeros, any other version as written (for hash lookups).
pub fn canonical(version: &str) -> &str {
    VersionKey::new(version).numeric.unwrap_or(version)
}

/// Orders by value only (no tie-break between `001` and `1`): for binary searches.
pub fn compare_value(a: &str, b: &str) -> Ordering {
    let (a, b) = (VersionKey::new(a), VersionKey::new(b));
    match (a.numeric, b.numeric) {
        (Some(x), Some(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.text.cmp(b.text),
    }
}

/// Whether two version strings denote the same migration.
pub fn same(a: &str, b: &str) -> bool {
    VersionKey::new(a).same(&VersionKey::new(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_then_text() {
        let mut v = vec!["1000", "999", "002", "10", "abc", "2024_a", "001", "V2"];
        v.sort_by(|a, b| compare(a, b));
        assert_eq!(v, vec!["001", "002", "10", "999", "1000", "2024_a", "V2", "abc"]);
        assert!(same("001", "1"));
        assert!(!same("001", "0010"));
        assert!(same("abc", "abc"));
        assert_eq!(compare("0", "00"), Ordering::Less, "equal numbers tie-break by text");
        assert_eq!(canonical("0042"), "42");
        assert_eq!(canonical("v2"), "v2");
        assert_eq!(compare_value("042", "42"), Ordering::Equal);
        assert_eq!(compare_value("9", "10"), Ordering::Less);
    }
}
