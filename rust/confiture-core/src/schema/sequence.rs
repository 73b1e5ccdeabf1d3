//! Sequences (`CREATE SEQUENCE`, and the ones `serial` columns create), with every option made
//! explicit so `START 1` and no `START` compare equal. Identity columns carry the same options.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Grant, ObjectKind, QualifiedName};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SequenceOptions {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
}

/// Options as written (`None` = not given).
#[derive(Debug, Clone, Default)]
pub struct SequenceSpec {
    pub data_type: Option<String>,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min_value: Option<Option<i64>>,
    pub max_value: Option<Option<i64>>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
}

impl SequenceOptions {
    /// The options PostgreSQL stores for `spec` (its defaults depend on the type and direction).
    pub fn resolve(spec: &SequenceSpec, default_type: &str) -> Self {
        let data_type = spec.data_type.clone().unwrap_or_else(|| default_type.to_string());
        let (type_min, type_max) = match data_type.as_str() {
            "smallint" => (i64::from(i16::MIN), i64::from(i16::MAX)),
            "integer" => (i64::from(i32::MIN), i64::from(i32::MAX)),
            _ => (i64::MIN, i64::MAX),
        };
        let increment = spec.increment.unwrap_or(1);
        let min_value = spec.min_value.flatten().unwrap_or(if increment > 0 { 1 } else { type_min });
        let max_value = spec.max_value.flatten().unwrap_or(if increment > 0 { type_max } else { -1 });
        let start = spec.start.unwrap_or(if increment > 0 { min_value } else { max_value });
        Self {
            data_type,
            start,
            increment,
            min_value,
            max_value,
            cache: spec.cache.unwrap_or(1),
            cycle: spec.cycle.unwrap_or(false),
        }
    }

    /// `AS bigint START WITH … CYCLE`: the options, rendered.
    pub fn sql(&self) -> String {
        format!("AS {} {}", self.data_type, self.sql_without_type())
    }

    /// The options without `AS type` (identity columns take the column's type).
    pub fn sql_without_type(&self) -> String {
        format!(
            "START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {}{}",
            self.start,
            self.increment,
            self.min_value,
            self.max_value,
            self.cache,
            if self.cycle { " CYCLE" } else { " NO CYCLE" }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub name: QualifiedName,
    pub options: SequenceOptions,
    /// `OWNED BY table.column`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<(QualifiedName, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
}

impl Sequence {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Sequence
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_type_and_direction() {
        let up = SequenceOptions::resolve(&SequenceSpec::default(), "bigint");
        assert_eq!((up.start, up.min_value, up.max_value), (1, 1, i64::MAX));
        let down = SequenceOptions::resolve(&SequenceSpec { increment: Some(-1), ..Default::default() }, "integer");
        assert_eq!((down.start, down.min_value, down.max_value), (-1, i64::from(i32::MIN), -1));
    }
}
