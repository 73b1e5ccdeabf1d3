//! `redact`: every non-NULL value becomes the replacement (fraiseql-confiture's
//! `SimpleRedactStrategy`, `RedactConfig(replacement="[REDACTED]")`).

use serde::Deserialize;

use super::{Cx, Kind, ValueResult};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedactConfig {
    pub replacement: String,
}

impl Default for RedactConfig {
    fn default() -> Self {
        Self { replacement: "[REDACTED]".into() }
    }
}

#[derive(Debug, Clone)]
pub struct Redact {
    replacement: String,
}

impl Kind for Redact {
    const NAME: &'static str = "redact";
    type Config = RedactConfig;

    fn new(config: RedactConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        Ok(Self { replacement: config.replacement })
    }

    fn varies(&self) -> bool {
        false
    }

    fn apply(&self, _: &Cx<'_>, _: &str) -> ValueResult {
        Ok(Some(self.replacement.clone()))
    }
}
