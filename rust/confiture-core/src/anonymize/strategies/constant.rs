//! `constant`: every non-NULL value becomes `value` (text in the column type's input syntax).

use serde::Deserialize;

use super::{Cx, Kind, ValueResult, ValueType};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConstantConfig {
    pub value: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Constant {
    value: String,
}

impl Kind for Constant {
    const NAME: &'static str = "constant";
    type Config = ConstantConfig;

    fn new(config: ConstantConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let value = config.value.ok_or("needs `value`, the replacement (e.g. value: \"n/a\")")?;
        Ok(Self { value })
    }

    fn accepts(&self, _: ValueType) -> bool {
        true
    }

    fn varies(&self) -> bool {
        false
    }

    fn apply(&self, _: &Cx<'_>, _: &str) -> ValueResult {
        Ok(Some(self.value.clone()))
    }
}
