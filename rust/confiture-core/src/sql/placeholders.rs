//! psycopg-style parameters (`%s`, `%(name)s`, `%%`) rendered as SQL literals, for the connection
//! a Python migration gets under the CLI (`self.execute("… %s", (value,))`). Placeholders inside
//! quotes, dollar quotes and comments are left alone: the scan uses the same rules as [`super::split`].

use std::collections::BTreeMap;

use serde::Deserialize;

use super::quote_literal;

/// A parameter value (what Python values become).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Value>),
    Map(BTreeMap<String, serde_json::Value>),
}

impl Value {
    /// The value as a SQL literal.
    pub fn literal(&self) -> String {
        match self {
            Self::Null => "NULL".into(),
            Self::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Self::Int(i) => i.to_string(),
            Self::Float(f) if f.is_finite() => format!("{f:?}"),
            Self::Float(f) => format!(
                "'{}'::float8",
                if f.is_nan() {
                    "NaN"
                } else if *f > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                }
            ),
            Self::Text(s) => quote_literal(s),
            Self::List(items) => format!("ARRAY[{}]", items.iter().map(Value::literal).collect::<Vec<_>>().join(", ")),
            Self::Map(m) => format!("{}::jsonb", quote_literal(&serde_json::to_string(m).unwrap_or_default())),
        }
    }
}

/// Positional (`%s`) or named (`%(name)s`) parameters.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Params {
    Positional(Vec<Value>),
    Named(BTreeMap<String, Value>),
}

/// Replaces the placeholders of `sql` with literals.
pub fn render(sql: &str, params: &Params) -> Result<String, String> {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next_positional = 0;
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        let skip_to = match b[i] {
            b'\'' | b'"' => closing_quote(b, i),
            b'-' if b.get(i + 1) == Some(&b'-') => Some(sql[i..].find('\n').map_or(b.len(), |p| i + p)),
            b'/' if b.get(i + 1) == Some(&b'*') => Some(sql[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2)),
            b'$' => dollar_close(sql, i),
            _ => None,
        };
        if let Some(end) = skip_to {
            i = end.max(i + 1);
            continue;
        }
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        out.push_str(&sql[copied..i]);
        match b.get(i + 1) {
            Some(b'%') => {
                out.push('%');
                i += 2;
            }
            Some(b's') => {
                let Params::Positional(values) = params else {
                    return Err("%s placeholder with named parameters".into());
                };
                let value = values.get(next_positional).ok_or_else(|| {
                    format!("the query has more %s placeholders than the {} parameter(s) given", values.len())
                })?;
                out.push_str(&value.literal());
                next_positional += 1;
                i += 2;
            }
            Some(b'(') => {
                let close = sql[i..].find(")s").ok_or_else(|| format!("unterminated placeholder at byte {i}"))?;
                let name = &sql[i + 2..i + close];
                let Params::Named(values) = params else {
                    return Err(format!("%({name})s placeholder with positional parameters"));
                };
                out.push_str(&values.get(name).ok_or_else(|| format!("no parameter named {name:?}"))?.literal());
                i += close + 2;
            }
            _ => return Err(format!("a lone % at byte {i}: write %% for a literal percent sign")),
        }
        copied = i;
    }
    out.push_str(&sql[copied..]);
    if let Params::Positional(values) = params
        && next_positional != values.len()
    {
        return Err(format!("{} parameter(s) given for {next_positional} %s placeholder(s)", values.len()));
    }
    Ok(out)
}

fn closing_quote(b: &[u8], open: usize) -> Option<usize> {
    let quote = b[open];
    let escapes = quote == b'\'' && open >= 1 && (b[open - 1] == b'e' || b[open - 1] == b'E');
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if escapes => i += 2,
            c if c == quote && b.get(i + 1) == Some(&quote) => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    Some(b.len())
}

fn dollar_close(sql: &str, open: usize) -> Option<usize> {
    let rest = &sql[open + 1..];
    let tag_len = rest.find('$')?;
    let tag = &rest[..tag_len];
    if !tag.chars().all(|c| c.is_alphanumeric() || c == '_') || tag.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let delimiter = &sql[open..open + tag_len + 2];
    let body_start = open + tag_len + 2;
    Some(sql[body_start..].find(delimiter).map_or(sql.len(), |p| body_start + p + delimiter.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(values: Vec<Value>) -> Params {
        Params::Positional(values)
    }

    #[test]
    fn renders_positional_and_named() {
        assert_eq!(
            render(
                "INSERT INTO t VALUES (%s, %s, %s, %s)",
                &pos(vec![Value::Int(1), Value::Text("it's".into()), Value::Null, Value::Bool(true)])
            )
            .unwrap(),
            "INSERT INTO t VALUES (1, 'it''s', NULL, TRUE)"
        );
        let mut named = BTreeMap::new();
        named.insert("id".to_string(), Value::Int(7));
        assert_eq!(render("SELECT %(id)s, %(id)s", &Params::Named(named)).unwrap(), "SELECT 7, 7");
        assert_eq!(
            render("SELECT %s", &pos(vec![Value::List(vec![Value::Int(1), Value::Int(2)])])).unwrap(),
            "SELECT ARRAY[1, 2]"
        );
    }

    #[test]
    fn leaves_quotes_comments_and_percent_alone() {
        let sql = "SELECT '%s', \"%s\", $$ %s $$, 100%% -- %s\n/* %s */ , %s";
        assert_eq!(
            render(sql, &pos(vec![Value::Int(5)])).unwrap(),
            "SELECT '%s', \"%s\", $$ %s $$, 100% -- %s\n/* %s */ , 5"
        );
    }

    #[test]
    fn counts_must_match() {
        assert!(render("SELECT %s, %s", &pos(vec![Value::Int(1)])).is_err());
        assert!(render("SELECT %s", &pos(vec![Value::Int(1), Value::Int(2)])).is_err());
        assert!(render("SELECT 5 % 2", &pos(vec![])).is_err());
    }
}
