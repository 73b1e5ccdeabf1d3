//! `null`: every value becomes NULL (the column must be nullable).

use serde::Deserialize;

use super::{Cx, Kind, ValueResult, ValueType};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NullConfig {}

#[derive(Debug, Clone)]
pub struct Null;

impl Kind for Null {
    const NAME: &'static str = "null";
    type Config = NullConfig;

    fn new(_: NullConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        Ok(Self)
    }

    fn accepts(&self, _: ValueType) -> bool {
        true
    }

    fn varies(&self) -> bool {
        false
    }

    fn apply(&self, _: &Cx<'_>, _: &str) -> ValueResult {
        Ok(None)
    }
}
