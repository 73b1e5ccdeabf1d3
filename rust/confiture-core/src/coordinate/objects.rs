//! The database objects an intent affects: typed, schema-qualified, comparable, and printable the
//! way conflict reports show them (`column public.users.email`, `function public.f(integer)`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    Schema,
    Table,
    View,
    Sequence,
    Column,
    Constraint,
    Index,
    Trigger,
    Policy,
    Function,
    Type,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schema => "schema",
            Self::Table => "table",
            Self::View => "view",
            Self::Sequence => "sequence",
            Self::Column => "column",
            Self::Constraint => "constraint",
            Self::Index => "index",
            Self::Trigger => "trigger",
            Self::Policy => "policy",
            Self::Function => "function",
            Self::Type => "type",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "schema" => Self::Schema,
            "table" => Self::Table,
            "view" => Self::View,
            "sequence" => Self::Sequence,
            "column" => Self::Column,
            "constraint" => Self::Constraint,
            "index" => Self::Index,
            "trigger" => Self::Trigger,
            "policy" => Self::Policy,
            "function" => Self::Function,
            "type" => Self::Type,
            _ => return None,
        })
    }

    /// Relations: tables, views (also materialized), sequences.
    pub fn is_relation(self) -> bool {
        matches!(self, Self::Table | Self::View | Self::Sequence)
    }

    /// Objects that live inside a relation (named by `member`).
    pub fn is_member(self) -> bool {
        matches!(self, Self::Column | Self::Constraint | Self::Trigger | Self::Policy)
    }
}

/// One object. `member` is the column, constraint, trigger or policy name inside relation
/// `schema.name`, or a function's argument types (`integer, text`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Object {
    pub kind: ObjectKind,
    pub schema: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl Object {
    pub fn new(kind: ObjectKind, schema: &str, name: &str) -> Self {
        Self { kind, schema: schema.to_string(), name: name.to_string(), member: None }
    }

    pub fn member(kind: ObjectKind, schema: &str, relation: &str, member: &str) -> Self {
        Self { kind, schema: schema.to_string(), name: relation.to_string(), member: Some(member.to_string()) }
    }

    /// The relation a member belongs to (as a table: the kind of the relation is not known).
    pub fn relation(&self) -> Option<Object> {
        if self.kind.is_relation() {
            return Some(self.clone());
        }
        self.kind.is_member().then(|| Object::new(ObjectKind::Table, &self.schema, &self.name))
    }

    /// The key two intents must share for their objects to possibly conflict: the relation for
    /// relations and their members, the name (without arguments) for functions, else the object.
    /// Registrations lock these keys, and candidate intents are found by them.
    pub fn anchor(&self) -> String {
        match self.kind {
            k if k.is_relation() || k.is_member() => format!("rel:{}.{}", self.schema, self.name),
            ObjectKind::Function => format!("fn:{}.{}", self.schema, self.name),
            ObjectKind::Index => format!("idx:{}.{}", self.schema, self.name),
            ObjectKind::Type => format!("type:{}.{}", self.schema, self.name),
            _ => format!("schema:{}", self.name),
        }
    }

    /// Same object, or (for functions) same name when either side gave no argument types.
    pub fn matches(&self, other: &Object) -> bool {
        if self.kind == ObjectKind::Function && other.kind == ObjectKind::Function {
            return self.schema == other.schema
                && self.name == other.name
                && (self.member.is_none() || other.member.is_none() || self.member == other.member);
        }
        let relation_kinds = self.kind.is_relation() && other.kind.is_relation();
        (self.kind == other.kind || relation_kinds)
            && self.schema == other.schema
            && self.name == other.name
            && self.member == other.member
    }
}

impl Object {
    /// The object's name as reports show it, without its kind: `public.users.email`,
    /// `app.total(integer)`, `app` (a schema).
    pub fn qualified(&self) -> String {
        match (&self.kind, &self.member) {
            (ObjectKind::Schema, _) => self.name.clone(),
            (ObjectKind::Function, Some(args)) => format!("{}.{}({args})", self.schema, self.name),
            (_, Some(member)) => format!("{}.{}.{member}", self.schema, self.name),
            (_, None) => format!("{}.{}", self.schema, self.name),
        }
    }
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind.as_str();
        match (&self.kind, &self.member) {
            (ObjectKind::Schema, _) => write!(f, "schema {}", self.name),
            (ObjectKind::Function, Some(args)) => write!(f, "function {}.{}({args})", self.schema, self.name),
            (ObjectKind::Function, None) => write!(f, "function {}.{}", self.schema, self.name),
            (_, Some(member)) => write!(f, "{kind} {}.{}.{member}", self.schema, self.name),
            (_, None) => write!(f, "{kind} {}.{}", self.schema, self.name),
        }
    }
}

/// What an intent does to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Alter,
    Drop,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Alter => "alter",
            Self::Drop => "drop",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "create" => Self::Create,
            "alter" => Self::Alter,
            "drop" => Self::Drop,
            _ => return None,
        })
    }
}

/// Everything an intent affects: the objects it changes (and how), and the objects its new or
/// changed objects depend on (a view's tables, a foreign key's target, a trigger's function).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    pub changes: BTreeMap<Object, BTreeSet<Action>>,
    pub depends_on: BTreeSet<Object>,
}

impl Affected {
    pub fn change(&mut self, object: Object, action: Action) {
        self.changes.entry(object).or_default().insert(action);
    }

    pub fn depend(&mut self, object: Object) {
        self.depends_on.insert(object);
    }

    pub fn merge(&mut self, other: Affected) {
        for (object, actions) in other.changes {
            self.changes.entry(object).or_default().extend(actions);
        }
        self.depends_on.extend(other.depends_on);
    }

    /// Drops dependencies on objects the intent itself changes (they are not someone else's).
    pub fn settle(&mut self) {
        let changes = &self.changes;
        self.depends_on.retain(|d| !changes.keys().any(|c| c.matches(d)));
    }

    /// The relations changed, directly or through a member, as `schema.name` (`tables_affected`).
    pub fn relations(&self) -> Vec<String> {
        let set: BTreeSet<String> =
            self.changes.keys().filter_map(Object::relation).map(|r| format!("{}.{}", r.schema, r.name)).collect();
        set.into_iter().collect()
    }

    /// Every anchor of the changes and the dependencies, sorted and unique.
    pub fn anchors(&self) -> Vec<String> {
        let set: BTreeSet<String> = self.changes.keys().chain(self.depends_on.iter()).map(Object::anchor).collect();
        set.into_iter().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.depends_on.is_empty()
    }
}

/// Splits a (possibly qualified, possibly quoted) name the way PostgreSQL reads it: unquoted parts
/// fold to lower case, `""` inside quotes is a quote. `users` → (`public`, `users`).
pub fn parse_qualified(text: &str) -> Result<(String, String), String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.trim().chars().peekable();
    let mut quoted_part = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted_part = true;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            current.push('"');
                        }
                        Some('"') => break,
                        Some(ch) => current.push(ch),
                        None => return Err(format!("unterminated quoted name in {text:?}")),
                    }
                }
            }
            '.' => {
                parts.push(std::mem::take(&mut current));
                quoted_part = false;
            }
            c if c.is_whitespace() && !quoted_part => return Err(format!("{text:?} is not a table name")),
            c => current.extend(c.to_lowercase()),
        }
    }
    parts.push(current);
    if parts.iter().any(String::is_empty) {
        return Err(format!("{text:?} is not a table name"));
    }
    match parts.as_slice() {
        [name] => Ok(("public".to_string(), name.clone())),
        [schema, name] => Ok((schema.clone(), name.clone())),
        [_database, schema, name] => Ok((schema.clone(), name.clone())),
        _ => Err(format!("{text:?} has too many dots for a table name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_names_fold_like_postgresql() {
        assert_eq!(parse_qualified("Users").unwrap(), ("public".into(), "users".into()));
        assert_eq!(parse_qualified("app.\"Order\"").unwrap(), ("app".into(), "Order".into()));
        assert_eq!(parse_qualified("\"a.b\"").unwrap(), ("public".into(), "a.b".into()));
        assert!(parse_qualified("a..b").is_err());
        assert!(parse_qualified("drop table").is_err());
    }

    #[test]
    fn display_and_anchor() {
        let col = Object::member(ObjectKind::Column, "public", "users", "email");
        assert_eq!(col.to_string(), "column public.users.email");
        assert_eq!(col.anchor(), "rel:public.users");
        let f = Object {
            kind: ObjectKind::Function,
            schema: "app".into(),
            name: "f".into(),
            member: Some("integer".into()),
        };
        assert_eq!(f.to_string(), "function app.f(integer)");
        assert!(f.matches(&Object::new(ObjectKind::Function, "app", "f")));
        assert!(!f.matches(&Object { member: Some("text".into()), ..f.clone() }));
        assert!(Object::new(ObjectKind::View, "s", "v").matches(&Object::new(ObjectKind::Table, "s", "v")));
    }
}
