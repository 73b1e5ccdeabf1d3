//! Machine renderings of a diff, one emitter per format: JSON ([`json`]), the up plan as a SQL
//! script ([`sql`]), and migration files ([`migration`]). Human text is rendered by the CLI from
//! the JSON-shaped report.

pub mod json;
pub mod migration;
pub mod sql;

use serde::{Deserialize, Serialize};

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Text,
    Json,
    Sql,
}
