//! `preserve`: the value unchanged (fraiseql-confiture's `PreserveStrategy`). For columns listed
//! in a profile only to document that they were reviewed.

use serde::Deserialize;

use super::{Cx, Kind, ValueResult, ValueType};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreserveConfig {}

#[derive(Debug, Clone)]
pub struct Preserve;

impl Kind for Preserve {
    const NAME: &'static str = "preserve";
    type Config = PreserveConfig;

    fn new(_: PreserveConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        Ok(Self)
    }

    fn accepts(&self, _: ValueType) -> bool {
        true
    }

    fn varies(&self) -> bool {
        false
    }

    fn apply(&self, _: &Cx<'_>, value: &str) -> ValueResult {
        Ok(Some(value.to_string()))
    }
}
