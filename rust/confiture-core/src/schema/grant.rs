//! Privileges (opt-in: only when the model is built with grants). One [`Grant`] per grantee,
//! privilege and column; the object's owner is not listed (ownership is not modelled). Default
//! privileges (`ALTER DEFAULT PRIVILEGES`) are [`DefaultPrivilege`]s.

use serde::Serialize;

use super::ObjectKind;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Grant {
    /// A role name, or `PUBLIC`.
    pub grantee: String,
    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER`, `USAGE`,
    /// `CREATE` or `EXECUTE`.
    pub privilege: String,
    /// For column privileges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub with_grant_option: bool,
}

impl Grant {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Grant
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DefaultPrivilege {
    /// `FOR ROLE`; `None` for the role running the DDL.
    pub role: Option<String>,
    /// `IN SCHEMA`; `None` for every schema.
    pub schema: Option<String>,
    /// `TABLES`, `SEQUENCES`, `FUNCTIONS`, `TYPES` or `SCHEMAS`.
    pub object_type: String,
    pub grantee: String,
    pub privilege: String,
    pub with_grant_option: bool,
}

impl DefaultPrivilege {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::DefaultPrivilege
    }
}

/// The privileges `ALL` stands for, by object kind, and the ones PostgreSQL grants to `PUBLIC`
/// by default (which the model lists too, so revoking them shows).
pub fn all_privileges(object_type: &str) -> &'static [&'static str] {
    match object_type {
        "TABLES" | "table" => &["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"],
        "column" => &["SELECT", "INSERT", "UPDATE", "REFERENCES"],
        "SEQUENCES" | "sequence" => &["SELECT", "UPDATE", "USAGE"],
        "FUNCTIONS" | "function" => &["EXECUTE"],
        "TYPES" | "type" => &["USAGE"],
        "SCHEMAS" | "schema" => &["USAGE", "CREATE"],
        _ => &[],
    }
}

/// One-letter ACL codes (`aclitem`) to privilege names.
pub fn privilege_of(code: char) -> Option<&'static str> {
    Some(match code {
        'r' => "SELECT",
        'a' => "INSERT",
        'w' => "UPDATE",
        'd' => "DELETE",
        'D' => "TRUNCATE",
        'x' => "REFERENCES",
        't' => "TRIGGER",
        'X' => "EXECUTE",
        'U' => "USAGE",
        'C' => "CREATE",
        _ => return None,
    })
}
