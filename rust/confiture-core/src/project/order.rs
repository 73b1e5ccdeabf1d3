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

/// Compares two `/`-separated relative paths under `mode`, component by component.
pub fn sort_key_cmp(mode: SortMode, a: &str, b: &str) -> Ordering {
    match mode {
        SortMode::Alphabetical => alphabetical_cmp(a, b),
        SortMode::Hex => hex_cmp(a, b),
    }
}

/// Component-wise code-point order without splitting: it equals comparing the bytes with `/` read
/// as the smallest byte, since `/` cannot occur inside a component. (Runs n·log n times per build.)
fn alphabetical_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let key = |s: &[u8]| s.get(common).map(|&c| if c == b'/' { 0 } else { u16::from(c) + 1 });
    key(a).cmp(&key(b))
}

fn hex_cmp(a: &str, b: &str) -> Ordering {
    let (mut ca, mut cb) = (a.split('/').peekable(), b.split('/').peekable());
    loop {
        match (ca.next(), cb.next()) {
            (Some(x), Some(y)) => {
                let hx = hex_prefix(component_stem(x, ca.peek().is_none()));
                let hy = hex_prefix(component_stem(y, cb.peek().is_none()));
                let ord = match (hx, hy) {
                    (Some(vx), Some(vy)) => vx.cmp(&vy).then_with(|| x.cmp(y)),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (None, None) => return Ordering::Equal,
        }
    }
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
    fn alphabetical_agrees_with_splitting() {
        let items = ["a", "a/b", "a.sql", "a/b/c.sql", "ab", "a-b", "b/a", "b", "A/z", "é.sql", "a/"];
        for x in items {
            for y in items {
                let split: Vec<&str> = x.split('/').collect();
                let other: Vec<&str> = y.split('/').collect();
                assert_eq!(sort_key_cmp(SortMode::Alphabetical, x, y), split.cmp(&other), "{x} vs {y}");
            }
        }
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
