//! One row of a catalog query, read either with tokio-postgres' binary types (Confiture's own
//! connection) or as the JSON text of `row_to_json` (any [`crate::db::Executor`], e.g. a user's
//! psycopg connection inside its transaction, where every column crosses as text).

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use tokio_postgres::types::FromSql;

use crate::db::DbError;

pub enum CatalogRow {
    Typed(tokio_postgres::Row),
    /// The values of a `row_to_json` object, in column order (duplicate names kept).
    Json(Vec<Value>),
}

impl CatalogRow {
    /// Parses `row_to_json(q)::text`.
    pub fn from_json_text(text: &str) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let values = (&mut de).deserialize_map(InOrder)?;
        de.end()?;
        Ok(Self::Json(values))
    }
}

/// Collects an object's values in order: `row_to_json` keeps duplicate column names, which a map
/// would merge.
struct InOrder;

impl<'de> Visitor<'de> for InOrder {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object (one catalog row)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        while let Some((_, v)) = map.next_entry::<serde::de::IgnoredAny, Value>()? {
            values.push(v);
        }
        Ok(values)
    }
}

/// A column value that both paths can produce.
pub trait Cell: for<'a> FromSql<'a> {
    fn from_json(v: &Value) -> Option<Self>;
}

impl Cell for String {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_str().map(str::to_string)
    }
}

impl Cell for bool {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_bool()
    }
}

impl Cell for i64 {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    }
}

/// `oid` columns: `row_to_json` writes them as strings.
impl Cell for u32 {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_u64().and_then(|n| u32::try_from(n).ok()).or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    }
}

impl Cell for Vec<String> {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_array()?.iter().map(|item| item.as_str().map(str::to_string)).collect()
    }
}

impl<T: Cell> Cell for Option<T> {
    fn from_json(v: &Value) -> Option<Self> {
        if v.is_null() { Some(None) } else { T::from_json(v).map(Some) }
    }
}

/// Column `i` of a row as `T`; `what` names the query in errors.
pub fn get<T: Cell>(row: &CatalogRow, i: usize, what: &str) -> Result<T, DbError> {
    let bad = |message: String| DbError::Client { context: format!("reading {what}"), message };
    match row {
        CatalogRow::Typed(r) => r.try_get(i).map_err(|e| bad(e.to_string())),
        CatalogRow::Json(values) => {
            let value = values.get(i).ok_or_else(|| bad(format!("column {i} is missing")))?;
            T::from_json(value).ok_or_else(|| bad(format!("column {i} has an unexpected value: {value}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rows_keep_order_and_duplicates() {
        let row = CatalogRow::from_json_text(r#"{"o":"1259","b":true,"i":5,"a":["a","b\"c"],"n":null,"o":1}"#).unwrap();
        assert_eq!(get::<u32>(&row, 0, "t").unwrap(), 1259);
        assert!(get::<bool>(&row, 1, "t").unwrap());
        assert_eq!(get::<i64>(&row, 2, "t").unwrap(), 5);
        assert_eq!(get::<Vec<String>>(&row, 3, "t").unwrap(), vec!["a".to_string(), "b\"c".to_string()]);
        assert_eq!(get::<Option<Vec<String>>>(&row, 4, "t").unwrap(), None);
        assert_eq!(get::<u32>(&row, 5, "t").unwrap(), 1);
        let err = get::<String>(&row, 1, "columns").unwrap_err().to_string();
        assert!(err.contains("reading columns") && err.contains("column 1"), "{err}");
        assert!(get::<String>(&row, 9, "t").is_err());
    }
}
