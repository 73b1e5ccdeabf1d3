//! The names PostgreSQL gives to objects created without one (`makeObjectName`,
//! `ChooseRelationName`, `ChooseConstraintName`), so DDL without constraint names gives the same
//! model as the catalog.

/// `NAMEDATALEN - 1`.
const MAX_IDENTIFIER: usize = 63;

/// `name1_name2_label`, the two names shortened (the longer first) to fit 63 bytes.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut overhead = 0;
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    if name2.is_some() {
        overhead += 1;
    }
    if !label.is_empty() {
        overhead += label.len() + 1;
    }
    let avail = MAX_IDENTIFIER.saturating_sub(overhead);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(clip(n, n2));
    }
    if !label.is_empty() {
        out.push('_');
        out.push_str(label);
    }
    out
}

/// The first `len` bytes of `s`, not cutting a character in two.
fn clip(s: &str, len: usize) -> &str {
    let mut end = len.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The first free name among `name1_name2_label`, `…_label1`, `…_label2`, …
pub fn choose_name(name1: &str, name2: Option<&str>, label: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let mut candidate = make_object_name(name1, name2, label);
    let mut pass = 0;
    while taken(&candidate) {
        pass += 1;
        candidate = make_object_name(name1, name2, &format!("{label}{pass}"));
    }
    candidate
}

/// Column names joined with `_` for an index or constraint name (`ChooseIndexNameAddition`).
pub fn name_addition(columns: &[String]) -> String {
    let mut out = String::new();
    for c in columns {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(c);
        if out.len() >= MAX_IDENTIFIER {
            break;
        }
    }
    clip(&out, MAX_IDENTIFIER).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_postgres() {
        assert_eq!(make_object_name("users", None, "pkey"), "users_pkey");
        assert_eq!(make_object_name("users", Some("email"), "key"), "users_email_key");
        let long = "a".repeat(60);
        let name = make_object_name(&long, Some("email"), "key");
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_email_key"), "{name}");
        let taken = |n: &str| n == "t_a_key";
        assert_eq!(choose_name("t", Some("a"), "key", &taken), "t_a_key1");
    }
}
