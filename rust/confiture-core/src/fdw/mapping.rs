//! The mapping file: per target table, where its rows come from.
//!
//! ```yaml
//! tables:
//!   clients:                      # target table ([schema.]name, quoted parts exact)
//!     from: customers             # source table
//!     columns:                    # target column: source column or SQL expression over the source row
//!       id: id
//!       name: full_name
//!       email_address: lower(email)
//!     where: deleted_at IS NULL   # optional row filter
//!     key: [id]                   # optional: target columns identifying a row (default: primary key)
//!     strategy: copy              # optional: fdw | copy | auto
//! ```
//! Without `columns`, every target column that has a source column of the same name is copied.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::FdwError;
use crate::sql::{Fragment, check_condition, check_expression};
use crate::sync::TableRef;

/// How rows travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// `INSERT … SELECT` on the target, reading the source through postgres_fdw.
    Fdw,
    /// `COPY (SELECT …) TO STDOUT` on the source streamed into `COPY … FROM STDIN` on the target.
    Copy,
    /// `copy` for large tables, `fdw` for the others.
    Auto,
}

impl Strategy {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "fdw" => Some(Self::Fdw),
            "copy" => Some(Self::Copy),
            "auto" => Some(Self::Auto),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Fdw => "fdw",
            Self::Copy => "copy",
            Self::Auto => "auto",
        }
    }
}

/// One value of `columns`: a source column or an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSource {
    pub target: String,
    /// As written.
    pub text: String,
    pub fragment: Fragment,
}

#[derive(Debug, Clone)]
pub struct TableMapping {
    pub target: TableRef,
    pub source: TableRef,
    /// `None`: same-named columns.
    pub columns: Option<Vec<ColumnSource>>,
    pub filter: Option<String>,
    pub key: Option<Vec<String>>,
    pub strategy: Option<Strategy>,
}

/// A parsed mapping, with the document it came from (kept on the target for later steps).
#[derive(Debug, Clone)]
pub struct Mapping {
    pub origin: String,
    pub document: Value,
    pub tables: Vec<TableMapping>,
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Mapping {
    /// Reads a YAML (or JSON) mapping file; `${VAR}` references in values are interpolated.
    pub fn load(path: &Path, vars: &dyn Fn(&str) -> Option<String>) -> Result<Self, crate::Error> {
        let yaml = crate::config::read_yaml_document(path, vars)?;
        let document = serde_json::to_value(&yaml).map_err(|e| FdwError::Mapping {
            path: path.display().to_string(),
            key: "(document)".into(),
            message: e.to_string(),
        })?;
        Ok(Self::parse(document, &path.display().to_string())?)
    }

    /// Checks a mapping document; `origin` names it in errors (a file path, or "mapping").
    pub fn parse(document: Value, origin: &str) -> Result<Self, FdwError> {
        let err = |key: &str, message: &str| FdwError::Mapping {
            path: origin.to_string(),
            key: key.to_string(),
            message: message.to_string(),
        };
        let Some(root) = document.as_object() else {
            return Err(err("(document)", "expected a mapping with a `tables:` key"));
        };
        for k in root.keys() {
            if k != "tables" {
                return Err(err(k, "unknown key (expected `tables`)"));
            }
        }
        let Some(tables) = root.get("tables").and_then(Value::as_object) else {
            return Err(err("tables", "expected `tables:` with one entry per target table"));
        };
        if tables.is_empty() {
            return Err(err("tables", "no table is mapped"));
        }
        let mut out = Vec::new();
        for (target, spec) in tables {
            let at = |k: &str| format!("tables.{target}{}{k}", if k.is_empty() { "" } else { "." });
            let target_ref = TableRef::parse(target).map_err(|m| err(&at(""), &m))?;
            let spec = match spec {
                Value::String(from) => serde_json::json!({ "from": from }),
                Value::Object(_) => spec.clone(),
                _ => {
                    return Err(err(&at(""), "expected `from:`, `columns:`, `where:` (or just the source table name)"));
                }
            };
            let spec = spec.as_object().expect("invariant: built as an object");
            for k in spec.keys() {
                if !["from", "columns", "where", "key", "strategy"].contains(&k.as_str()) {
                    return Err(err(&at(k), "unknown key (expected from, columns, where, key, strategy)"));
                }
            }
            let from =
                spec.get("from").and_then(text_of).ok_or_else(|| err(&at("from"), "the source table is missing"))?;
            let source = TableRef::parse(&from).map_err(|m| err(&at("from"), &m))?;
            let columns = match spec.get("columns") {
                None | Some(Value::Null) => None,
                Some(Value::Object(map)) => {
                    let mut cols = Vec::new();
                    for (column, value) in map {
                        let key = at(&format!("columns.{column}"));
                        let text =
                            text_of(value).ok_or_else(|| err(&key, "expected a source column or an SQL expression"))?;
                        let fragment = check_expression(&text).map_err(|m| err(&key, &format!("{text:?}: {m}")))?;
                        cols.push(ColumnSource { target: column.clone(), text, fragment });
                    }
                    if cols.is_empty() {
                        return Err(err(&at("columns"), "no column is mapped"));
                    }
                    Some(cols)
                }
                Some(_) => return Err(err(&at("columns"), "expected `target_column: source expression` pairs")),
            };
            let filter = match spec.get("where") {
                None | Some(Value::Null) => None,
                Some(v) => {
                    let text = text_of(v).ok_or_else(|| err(&at("where"), "expected an SQL condition"))?;
                    check_condition(&text).map_err(|m| err(&at("where"), &format!("{text:?}: {m}")))?;
                    Some(text)
                }
            };
            let key = match spec.get("key") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(vec![s.clone()]),
                Some(Value::Array(items)) if !items.is_empty() => Some(
                    items
                        .iter()
                        .map(|i| text_of(i).ok_or_else(|| err(&at("key"), "expected column names")))
                        .collect::<Result<_, _>>()?,
                ),
                Some(_) => return Err(err(&at("key"), "expected a column name or a list of them")),
            };
            let strategy = match spec.get("strategy") {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    text_of(v)
                        .and_then(|s| Strategy::parse(&s))
                        .ok_or_else(|| err(&at("strategy"), "expected fdw, copy or auto"))?,
                ),
            };
            out.push(TableMapping { target: target_ref, source, columns, filter, key, strategy });
        }
        Ok(Self { origin: origin.to_string(), document, tables: out })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_names_the_faulty_key() {
        let doc = serde_json::json!({"tables": {
            "clients": {"from": "customers", "columns": {"id": "id", "email_address": "lower(email)"},
                        "where": "deleted_at IS NULL", "key": "id", "strategy": "copy"},
            "app.\"Order Items\"": "legacy.items"
        }});
        let m = Mapping::parse(doc, "m.yaml").unwrap();
        assert_eq!(m.tables.len(), 2);
        let items = &m.tables[0];
        assert_eq!(items.target.schema.as_deref(), Some("app"));
        assert_eq!(items.target.name, "Order Items");
        assert!(items.columns.is_none());
        let clients = &m.tables[1];
        assert_eq!(clients.key.as_deref(), Some(&["id".to_string()][..]));
        assert_eq!(clients.strategy, Some(Strategy::Copy));
        assert_eq!(clients.columns.as_ref().unwrap()[0].fragment, Fragment::Expression);

        let bad = serde_json::json!({"tables": {"clients": {"from": "c", "columns": {"x": "1; DROP TABLE t"}}}});
        let e = Mapping::parse(bad, "m.yaml").unwrap_err().to_string();
        assert!(e.starts_with("m.yaml: tables.clients.columns.x: "), "{e}");
        let bad = serde_json::json!({"tables": {"clients": {"form": "c"}}});
        assert!(Mapping::parse(bad, "m.yaml").unwrap_err().to_string().contains("tables.clients.form: unknown key"));
        let bad = serde_json::json!({"tables": {"clients": {"columns": {"a": "a"}}}});
        assert!(Mapping::parse(bad, "m.yaml").unwrap_err().to_string().contains("source table is missing"));
    }
}
