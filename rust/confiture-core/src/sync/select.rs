//! Table names and the patterns that select them. A pattern is `[schema.]table` where each part
//! is either unquoted (folded to lower case, `*` and `?` are wildcards, as in psql and pg_dump) or
//! double-quoted (exact, `""` for a quote). Without a schema a pattern matches tables of that name
//! in every schema. Names are shown the same way, quoted only when needed, and tables in
//! `public` without their schema — so a displayed name is also a pattern matching just that table.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::sql::{quote_ident, quote_qualified};

/// A table (or any relation) by schema and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TableName {
    pub schema: String,
    pub name: String,
}

impl TableName {
    pub fn new(schema: &str, name: &str) -> Self {
        Self { schema: schema.to_string(), name: name.to_string() }
    }

    /// `"schema"."name"` for SQL.
    pub fn sql(&self) -> String {
        quote_qualified(Some(&self.schema), &self.name)
    }
}

/// A name part as it would be typed: bare when it is a plain lower-case identifier.
pub fn display_part(part: &str) -> String {
    let plain = part.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain { part.to_string() } else { quote_ident(part) }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema == "public" {
            f.write_str(&display_part(&self.name))
        } else {
            write!(f, "{}.{}", display_part(&self.schema), display_part(&self.name))
        }
    }
}

/// One part of a pattern: literal characters and wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    Any,
    One,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Part(Vec<Token>);

impl Part {
    fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let p = &self.0;
        // Iterative glob with backtracking on the last `*`.
        let (mut ti, mut pi) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < text.len() {
            match p.get(pi) {
                Some(Token::Char(c)) if *c == text[ti] => {
                    ti += 1;
                    pi += 1;
                }
                Some(Token::One) => {
                    ti += 1;
                    pi += 1;
                }
                Some(Token::Any) => {
                    star = Some((pi, ti));
                    pi += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        pi = sp + 1;
                        ti = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        p[pi..].iter().all(|t| *t == Token::Any)
    }

    fn is_literal(&self) -> bool {
        self.0.iter().all(|t| matches!(t, Token::Char(_)))
    }

    fn literal(&self) -> String {
        self.0.iter().filter_map(|t| if let Token::Char(c) = t { Some(*c) } else { None }).collect()
    }
}

/// Splits `text` into dot-separated parts, honouring double quotes. `globs`: whether unquoted `*`
/// and `?` are wildcards.
fn split_parts(text: &str, globs: bool) -> Result<Vec<Part>, String> {
    let mut parts = vec![Part(Vec::new())];
    let mut chars = text.trim().chars().peekable();
    let mut empty_part = true;
    while let Some(c) = chars.next() {
        let current = parts.last_mut().expect("invariant: at least one part");
        match c {
            '"' => {
                empty_part = false;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            current.0.push(Token::Char('"'));
                        }
                        Some('"') => break,
                        Some(ch) => current.0.push(Token::Char(ch)),
                        None => return Err(format!("{text:?}: unterminated double quote")),
                    }
                }
            }
            '.' => {
                if empty_part {
                    return Err(format!("{text:?}: empty name part"));
                }
                parts.push(Part(Vec::new()));
                empty_part = true;
            }
            '*' if globs => {
                current.0.push(Token::Any);
                empty_part = false;
            }
            '?' if globs => {
                current.0.push(Token::One);
                empty_part = false;
            }
            c => {
                current.0.extend(c.to_lowercase().map(Token::Char));
                empty_part = false;
            }
        }
    }
    if empty_part {
        return Err(format!("{text:?}: empty name part"));
    }
    Ok(parts)
}

/// A `--tables` / `--exclude` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePattern {
    text: String,
    schema: Option<Part>,
    name: Part,
}

impl TablePattern {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = split_parts(text, true)?;
        let name = parts.pop().expect("invariant: at least one part");
        let schema = parts.pop();
        if !parts.is_empty() {
            return Err(format!("{text:?}: expected [schema.]table"));
        }
        Ok(Self { text: text.trim().to_string(), schema, name })
    }

    pub fn matches(&self, table: &TableName) -> bool {
        self.schema.as_ref().is_none_or(|s| s.matches(&table.schema)) && self.name.matches(&table.name)
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// An exact reference to a table (profile keys, `--anonymize`): schema optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    pub text: String,
    pub schema: Option<String>,
    pub name: String,
}

impl TableRef {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = split_parts(text, false)?;
        let name = parts.pop().expect("invariant: at least one part");
        let schema = parts.pop();
        if !parts.is_empty() {
            return Err(format!("{text:?}: expected [schema.]table"));
        }
        debug_assert!(name.is_literal());
        Ok(Self { text: text.trim().to_string(), schema: schema.map(|s| s.literal()), name: name.literal() })
    }

    /// The table among `tables` this refers to: exact match, else the only case-insensitive one.
    /// Unqualified names match in any schema, `public` first.
    pub fn resolve<'a>(&self, tables: impl Iterator<Item = &'a TableName> + Clone) -> Result<&'a TableName, String> {
        let exact = |t: &&TableName| self.schema.as_ref().is_none_or(|s| *s == t.schema) && t.name == self.name;
        let mut found: Vec<&TableName> = tables.clone().filter(exact).collect();
        if found.is_empty() {
            let lower = |s: &str| s.to_lowercase();
            found = tables
                .filter(|t| {
                    self.schema.as_ref().is_none_or(|s| lower(s) == lower(&t.schema))
                        && lower(&t.name) == lower(&self.name)
                })
                .collect();
        }
        if found.len() > 1
            && let Some(public) = found.iter().find(|t| t.schema == "public")
        {
            return Ok(public);
        }
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(format!("table {} is not among the tables being synced", self.text)),
            many => Err(format!(
                "table {} is ambiguous ({}); qualify it with its schema",
                self.text,
                many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// Splits `TABLE.COLUMN` (the last unquoted dot separates the column).
pub fn split_column_ref(text: &str) -> Result<(TableRef, String), String> {
    let mut parts = split_parts(text, false)?;
    if parts.len() < 2 {
        return Err(format!("{text:?}: expected TABLE.COLUMN (or SCHEMA.TABLE.COLUMN)"));
    }
    let column = parts.pop().expect("invariant: two parts").literal();
    let name = parts.pop().expect("invariant: one part").literal();
    let schema = parts.pop().map(|p| p.literal());
    if !parts.is_empty() {
        return Err(format!("{text:?}: expected [SCHEMA.]TABLE.COLUMN"));
    }
    let table_text = match &schema {
        Some(s) => format!("{}.{}", display_part(s), display_part(&name)),
        None => display_part(&name),
    };
    Ok((TableRef { text: table_text, schema, name }, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str, n: &str) -> TableName {
        TableName::new(s, n)
    }

    #[test]
    fn patterns() {
        let p = TablePattern::parse("user*").unwrap();
        assert!(
            p.matches(&t("public", "users")) && p.matches(&t("app", "user_roles")) && !p.matches(&t("x", "admins"))
        );
        let p = TablePattern::parse("App.?sers").unwrap();
        assert!(p.matches(&t("app", "users")) && !p.matches(&t("public", "users")));
        let p = TablePattern::parse(r#""My Schema"."Odd.Name""#).unwrap();
        assert!(p.matches(&t("My Schema", "Odd.Name")) && !p.matches(&t("my schema", "odd.name")));
        let p = TablePattern::parse("*.*_log").unwrap();
        assert!(p.matches(&t("audit", "event_log")) && !p.matches(&t("audit", "log")));
        assert!(
            TablePattern::parse("a.b.c").is_err()
                && TablePattern::parse("a.").is_err()
                && TablePattern::parse("\"x").is_err()
        );
    }

    #[test]
    fn display_round_trips_as_a_pattern() {
        for name in [t("public", "users"), t("app", "Users"), t("My Schema", "we\"ird.name"), t("public", "9lives")] {
            let shown = name.to_string();
            let p = TablePattern::parse(&shown).unwrap();
            assert!(p.matches(&name), "{shown}");
            assert_eq!(TableRef::parse(&shown).unwrap().resolve([&name].into_iter()).unwrap(), &name);
        }
        assert_eq!(t("app", "Users").to_string(), "app.\"Users\"");
        assert_eq!(t("public", "users").sql(), "\"public\".\"users\"");
    }

    #[test]
    fn references_and_columns() {
        let tables = [t("public", "users"), t("app", "users"), t("app", "Orders")];
        let r = TableRef::parse("users").unwrap();
        assert_eq!(r.resolve(tables.iter()).unwrap(), &tables[0]);
        assert_eq!(TableRef::parse("app.users").unwrap().resolve(tables.iter()).unwrap(), &tables[1]);
        assert_eq!(TableRef::parse("orders").unwrap().resolve(tables.iter()).unwrap(), &tables[2]);
        assert!(TableRef::parse("nope").unwrap().resolve(tables.iter()).is_err());
        let (table, column) = split_column_ref(r#"app."Orders"."E-mail""#).unwrap();
        assert_eq!((table.schema.as_deref(), table.name.as_str(), column.as_str()), (Some("app"), "Orders", "E-mail"));
        assert!(split_column_ref("users").is_err());
    }
}
