//! Sort keys for schema files inside one include directory.
//!
//! Both modes compare path components one by one, so a directory's files stay together:
//! - alphabetical: by code point, as the reference does;
//! - hex: a component whose stem starts with an upper-case hexadecimal prefix followed by `_`
//!   (`0A_types.sql`, `1F_views/`) sorts by the prefix's value, before components without one.

use std::cmp::Ordering;

use crate::config::SortMode;

/// The value of a hex prefix (`"0A_types"` → 10). Lower-case digits do not count, as in the
/// reference (`0a_x` is not hex).
pub fn hex_prefix(stem: &str) -> Option<u128> {
    let (prefix, _) = stem.split_once('_')?;
    if prefix.is_empty() || prefix.len() > 32 || !prefix.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()) {
        return None;
    }
    u128::from_str_radix(prefix, 16).ok()
}

fn component_stem(component: &str, last: bool) -> &str {
    if last { component.rsplit_once('.').map_or(component, |(stem, _)| stem) } else { component }
}

/// Compares two `/`-separated relative paths under `mode`.
pub fn sort_key_cmp(mode: SortMode, a: &str, b: &str) -> Ordering {
    let (ca, cb): (Vec<&str>, Vec<&str>) = (a.split('/').collect(), b.split('/').collect());
    for (i, (x, y)) in ca.iter().zip(cb.iter()).enumerate() {
        let ord = match mode {
            SortMode::Alphabetical => x.cmp(y),
            SortMode::Hex => {
                let hx = hex_prefix(component_stem(x, i + 1 == ca.len()));
                let hy = hex_prefix(component_stem(y, i + 1 == cb.len()));
                match (hx, hy) {
                    (Some(vx), Some(vy)) => vx.cmp(&vy).then_with(|| x.cmp(y)),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => x.cmp(y),
                }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    ca.len().cmp(&cb.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mode: SortMode, items: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| sort_key_cmp(mode, a, b));
        v
    }

    #[test]
    fn hex_prefix_rules() {
        assert_eq!(hex_prefix("10_x"), Some(16));
        assert_eq!(hex_prefix("0A_x"), Some(10));
        assert_eq!(hex_prefix("0a_x"), None);
        assert_eq!(hex_prefix("ZZ_x"), None);
        assert_eq!(hex_prefix("x"), None);
        assert_eq!(hex_prefix("_x"), None);
    }

    #[test]
    fn alphabetical_is_component_wise() {
        // Components compare one by one: directory "a" sorts before file "a.sql", as Python's
        // Path ordering does; plain string order ('.' < '/') would put "a.sql" first.
        assert_eq!(
            sorted(SortMode::Alphabetical, &["b.sql", "a/z.sql", "a.sql", "A.sql"]),
            vec!["A.sql", "a/z.sql", "a.sql", "b.sql"]
        );
    }

    #[test]
    fn hex_orders_by_value_and_keeps_directories_together() {
        assert_eq!(
            sorted(
                SortMode::Hex,
                &["10_late.sql", "0A_mid.sql", "09_early.sql", "plain.sql", "0B_dir/01_a.sql", "0B_dir/00_b.sql"]
            ),
            vec!["09_early.sql", "0A_mid.sql", "0B_dir/00_b.sql", "0B_dir/01_a.sql", "10_late.sql", "plain.sql"]
        );
    }
}
