//! Quoting. Identifiers are always double-quoted, so any name (mixed case, keywords, spaces, quotes)
//! is safe; literals are single-quoted with quotes doubled (standard_conforming_strings is on in
//! every supported PostgreSQL).

/// `"name"` with embedded `"` doubled.
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `"schema"."name"`, or just `"name"` without a schema.
pub fn quote_qualified(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!("{}.{}", quote_ident(s), quote_ident(name)),
        None => quote_ident(name),
    }
}

/// `E'text'` with `\\` and `'` escaped: correct whatever `standard_conforming_strings` says
/// (for literals written into scripts that run on a user's server).
pub fn quote_literal_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 3);
    out.push_str("E'");
    for c in text.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\0' => {}
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `'text'` with embedded `'` doubled. NUL bytes cannot be sent to PostgreSQL and are dropped.
pub fn quote_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\0' => {}
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_ident("users"), "\"users\"");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(quote_qualified(Some("app"), "User"), "\"app\".\"User\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "'a\\b'");
    }
}
