//! Extensions (`CREATE EXTENSION`). The objects an extension creates belong to it and are not part
//! of the model. A version or schema left out in DDL means "whatever the server installs", so it
//! matches any; so does a missing comment (extension scripts set their own).

use serde::Serialize;

use super::ObjectKind;

#[derive(Debug, Clone, Serialize)]
pub struct Extension {
    pub name: String,
    pub schema: Option<String>,
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Extension {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Extension
    }
}

/// Unspecified parts (schema, version, comment: the extension script sets one) match anything.
impl PartialEq for Extension {
    fn eq(&self, other: &Extension) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| a.is_none() || b.is_none() || a == b;
        self.name == other.name
            && same(&self.schema, &other.schema)
            && same(&self.version, &other.version)
            && same(&self.comment, &other.comment)
    }
}

impl Eq for Extension {}
