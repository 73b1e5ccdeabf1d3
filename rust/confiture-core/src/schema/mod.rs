//! The schema model: one description of a database schema — schemas, extensions, types (enum,
//! composite, domain, range), sequences, tables (columns, constraints, partitioning, inheritance,
//! row-level security, triggers, policies), indexes, views and materialized views, functions and
//! procedures, comments, grants and default privileges (opt-in), and each object's dependencies.
//!
//! It is built two ways that agree: offline from DDL ([`parse_sources`], with pg_query) and online
//! from a live database ([`introspect`], a few batched `pg_catalog` queries). Expressions are
//! compared in a canonical form ([`Expr`]) so that what PostgreSQL rewrites when it stores DDL does
//! not count as a difference. Anything the model does not cover fails with "not yet supported: …".

mod catalog;
mod catalog_row;
mod composite;
mod constraint;
mod domain;
mod enum_type;
mod error;
mod expr;
mod extension;
mod function;
mod grant;
mod index;
mod introspect;
mod kind;
mod name;
mod namespace;
pub(crate) mod naming;
pub(crate) mod normalize;
mod parse;
mod policy;
mod range;
mod reference;
mod sequence;
mod sources;
mod table;
mod trigger;
pub(crate) mod type_ref;
mod view;

pub use catalog::{Catalog, TypeDef};
pub use composite::{Attribute, CompositeType};
pub use constraint::{Constraint, ConstraintKind, ExclusionElement};
pub use domain::{Domain, DomainCheck};
pub use enum_type::EnumType;
pub use error::SchemaError;
pub use expr::{Expr, Refs};
pub use extension::Extension;
pub use function::{Argument, Function};
pub use grant::{DefaultPrivilege, Grant};
pub use index::{Index, IndexElement};
pub use introspect::{IntrospectOptions, introspect, introspect_exec, introspect_url};
pub use kind::ObjectKind;
pub use name::{ObjectId, QualifiedName};
pub use namespace::Namespace;
pub use parse::{ParseOptions, Parsed, Source, SourceLocation, parse as parse_sources, parse_many};
pub use policy::Policy;
pub use range::RangeType;
pub use reference::{ReferenceColumn, ReferenceTable, reference_tables};
pub use sequence::{Sequence, SequenceOptions};
pub use sources::{read_sql_path, sql_files_in};
pub use table::{Column, Identity, PartitionElement, PartitionKey, PartitionOf, Table};
pub use trigger::Trigger;
pub use type_ref::TypeRef;
pub use view::View;

/// The model of one SQL text (named `name` in errors).
pub fn parse_sql(name: &str, text: &str, options: ParseOptions) -> Result<Parsed, SchemaError> {
    parse_sources(&[Source { name: name.to_string(), text: text.to_string() }], options)
}

/// The canonical form of a parsed tree (JSON), as expression keys use it: for tests that compare
/// statements modulo PostgreSQL's rewrites.
pub fn normalize_for_tests(v: &mut serde_json::Value) {
    normalize::normalize(v);
}

/// The `-- confiture: renamed-from` annotation text (see docs/guides/diff.md).
pub const RENAMED_FROM_ANNOTATION: &str = parse::RENAMED_FROM_PREFIX;
