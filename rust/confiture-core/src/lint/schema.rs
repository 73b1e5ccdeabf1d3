//! Schema rules' view of the model: the catalog built from the environment's DDL, where each
//! object is defined, and a per-table list of index keys (indexes and the constraints that own
//! one), built once for the rules that need it.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::config::LintConfig;
use super::finding::Sink;
use super::rule::{Check, all_rules};
use super::{Finding, Target};
use crate::schema::{Catalog, ConstraintKind, ObjectId, QualifiedName, SourceLocation, Table, TypeRef};

/// An index key of a table: an index, or a PRIMARY KEY / UNIQUE / EXCLUDE constraint's index.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub name: String,
    /// Key columns; `None` for an expression.
    pub columns: Vec<Option<String>>,
    pub include: Vec<String>,
    pub unique: bool,
    pub method: String,
    /// Canonical predicate of a partial index (empty when not partial).
    pub predicate: String,
    /// Ordering/opclass/collation of each element, for exact duplicate detection.
    pub shape: String,
    pub id: ObjectId,
    /// `index` or `constraint`.
    pub kind: &'static str,
}

pub(crate) struct SchemaCtx<'a> {
    pub catalog: &'a Catalog,
    pub locations: &'a BTreeMap<ObjectId, SourceLocation>,
    pub config: &'a LintConfig,
    pub keys: BTreeMap<QualifiedName, Vec<Key>>,
}

impl<'a> SchemaCtx<'a> {
    pub fn new(
        catalog: &'a Catalog,
        locations: &'a BTreeMap<ObjectId, SourceLocation>,
        config: &'a LintConfig,
    ) -> Self {
        let mut keys: BTreeMap<QualifiedName, Vec<Key>> = BTreeMap::new();
        for (name, t) in &catalog.tables {
            for c in t.constraints.values() {
                let (columns, include, unique, method): (Vec<Option<String>>, &[String], bool, &str) = match &c.kind {
                    ConstraintKind::PrimaryKey { columns, include } => {
                        (columns.iter().cloned().map(Some).collect(), include, true, "btree")
                    }
                    ConstraintKind::Unique { columns, include, .. } => {
                        (columns.iter().cloned().map(Some).collect(), include, true, "btree")
                    }
                    ConstraintKind::Exclude { method, elements, include, .. } => {
                        (elements.iter().map(|e| e.element.column.clone()).collect(), include, false, method)
                    }
                    ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. } => continue,
                };
                keys.entry(name.clone()).or_default().push(Key {
                    name: c.name.clone(),
                    shape: String::new(),
                    columns,
                    include: include.to_vec(),
                    unique,
                    method: method.to_string(),
                    predicate: String::new(),
                    id: ObjectId::Constraint(name.clone(), c.name.clone()),
                    kind: "constraint",
                });
            }
        }
        for (name, i) in &catalog.indexes {
            let shape = i
                .elements
                .iter()
                .map(|e| {
                    format!(
                        "{}|{}|{}|{}|{}|{}",
                        e.column.as_deref().unwrap_or(""),
                        e.expr.as_ref().map_or("", |x| x.key.as_str()),
                        e.collation.as_deref().unwrap_or(""),
                        e.opclass.as_deref().unwrap_or(""),
                        e.descending,
                        e.nulls_first
                    )
                })
                .collect::<Vec<_>>()
                .join(";");
            keys.entry(i.table.clone()).or_default().push(Key {
                name: name.name.clone(),
                columns: i.elements.iter().map(|e| if e.expr.is_some() { None } else { e.column.clone() }).collect(),
                include: i.include.clone(),
                unique: i.unique,
                method: i.method.clone(),
                predicate: i.predicate.as_ref().map(|p| p.key.clone()).unwrap_or_default(),
                shape,
                id: ObjectId::Index(name.clone()),
                kind: "index",
            });
        }
        Self { catalog, locations, config, keys }
    }

    /// Tables the rules look at (not excluded by `lint.exclude_tables`).
    pub fn tables(&self) -> impl Iterator<Item = &'a Table> + '_ {
        self.catalog.tables.values().filter(|t| !self.config.exclude_tables.matches_table(&t.name))
    }

    /// Where `id` is defined; a column or constraint without a place of its own points at its table.
    pub fn location(&self, id: &ObjectId) -> Option<&'a SourceLocation> {
        self.locations.get(id).or_else(|| match id {
            ObjectId::Column(t, _) | ObjectId::Constraint(t, _) | ObjectId::Trigger(t, _) | ObjectId::Policy(t, _) => {
                self.locations.get(&ObjectId::Table(t.clone()))
            }
            _ => None,
        })
    }

    pub fn keys_of(&self, table: &QualifiedName) -> &[Key] {
        self.keys.get(table).map_or(&[], Vec::as_slice)
    }
}

/// `table.column` for messages (the table as [`QualifiedName`] displays it).
pub(crate) fn column_name(table: &QualifiedName, column: &str) -> String {
    format!("{table}.{column}")
}

/// Reports every column whose type `flagged` picks out ("column t.c is <type>"): the type rules.
pub(crate) fn flag_columns_of_type(ctx: &SchemaCtx<'_>, sink: &mut Sink, flagged: fn(&TypeRef) -> bool) {
    for t in ctx.tables() {
        for c in t.columns.iter().filter(|c| flagged(&c.data_type)) {
            let name = column_name(&t.name, &c.name);
            let message = format!("column {name} is {}", c.data_type.sql());
            let id = ObjectId::Column(t.name.clone(), c.name.clone());
            sink.add("column", name, message, ctx.location(&id));
        }
    }
}

/// Runs every enabled schema rule over the model (rules in parallel; each rule's findings in its
/// own order, the report sorts them).
pub(crate) fn run_rules(ctx: &SchemaCtx<'_>) -> Vec<Finding> {
    let rules: Vec<_> = all_rules()
        .iter()
        .copied()
        .filter(|r| r.target == Target::Schema)
        .filter_map(|r| ctx.config.severity_of(r.id).map(|s| (r, s)))
        .collect();
    rules
        .par_iter()
        .flat_map_iter(|(rule, severity)| {
            let mut sink = Sink::new(rule, *severity);
            if let Check::Schema(check) = rule.check {
                check(ctx, &mut sink);
            }
            sink.findings
        })
        .collect()
}
