//! The model of a database schema: every object, keyed by identity in ordered maps, and each
//! object's dependencies.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde::ser::SerializeStruct;

use super::{
    CompositeType, DefaultPrivilege, Domain, EnumType, Expr, Extension, Function, Index, Namespace, ObjectId,
    ObjectKind, QualifiedName, RangeType, Refs, Sequence, Table, TypeRef, View,
};

/// A user-defined type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TypeDef {
    Enum(EnumType),
    Composite(CompositeType),
    Domain(Domain),
    Range(RangeType),
}

impl TypeDef {
    pub fn name(&self) -> &QualifiedName {
        match self {
            Self::Enum(t) => &t.name,
            Self::Composite(t) => &t.name,
            Self::Domain(t) => &t.name,
            Self::Range(t) => &t.name,
        }
    }

    pub fn kind(&self) -> ObjectKind {
        match self {
            Self::Enum(t) => t.kind(),
            Self::Composite(t) => t.kind(),
            Self::Domain(t) => t.kind(),
            Self::Range(t) => t.kind(),
        }
    }

    pub fn comment(&self) -> Option<&String> {
        match self {
            Self::Enum(t) => t.comment.as_ref(),
            Self::Composite(t) => t.comment.as_ref(),
            Self::Domain(t) => t.comment.as_ref(),
            Self::Range(t) => t.comment.as_ref(),
        }
    }

    pub fn comment_mut(&mut self) -> &mut Option<String> {
        match self {
            Self::Enum(t) => &mut t.comment,
            Self::Composite(t) => &mut t.comment,
            Self::Domain(t) => &mut t.comment,
            Self::Range(t) => &mut t.comment,
        }
    }

    pub fn grants_mut(&mut self) -> &mut BTreeSet<super::Grant> {
        match self {
            Self::Enum(t) => &mut t.grants,
            Self::Composite(t) => &mut t.grants,
            Self::Domain(t) => &mut t.grants,
            Self::Range(t) => &mut t.grants,
        }
    }

    pub fn grants(&self) -> &BTreeSet<super::Grant> {
        match self {
            Self::Enum(t) => &t.grants,
            Self::Composite(t) => &t.grants,
            Self::Domain(t) => &t.grants,
            Self::Range(t) => &t.grants,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub schemas: BTreeMap<String, Namespace>,
    pub extensions: BTreeMap<String, Extension>,
    pub types: BTreeMap<QualifiedName, TypeDef>,
    pub sequences: BTreeMap<QualifiedName, Sequence>,
    pub tables: BTreeMap<QualifiedName, Table>,
    pub indexes: BTreeMap<QualifiedName, Index>,
    pub views: BTreeMap<QualifiedName, View>,
    /// Keyed by name and input argument types ([`Function::identity_args`]).
    pub functions: BTreeMap<(QualifiedName, String), Function>,
    pub default_privileges: BTreeSet<DefaultPrivilege>,
    /// Whether grants were read (they are opt-in).
    pub include_grants: bool,
}

/// One object and what it depends on, for the JSON form of the model.
#[derive(Serialize)]
struct Dependency {
    object: String,
    depends_on: Vec<String>,
}

impl Serialize for Catalog {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Catalog", 11)?;
        st.serialize_field("schemas", &self.schemas.values().collect::<Vec<_>>())?;
        st.serialize_field("extensions", &self.extensions.values().collect::<Vec<_>>())?;
        st.serialize_field("types", &self.types.values().collect::<Vec<_>>())?;
        st.serialize_field("sequences", &self.sequences.values().collect::<Vec<_>>())?;
        st.serialize_field("tables", &self.tables.values().collect::<Vec<_>>())?;
        st.serialize_field("indexes", &self.indexes.values().collect::<Vec<_>>())?;
        st.serialize_field("views", &self.views.values().collect::<Vec<_>>())?;
        st.serialize_field("functions", &self.functions.values().collect::<Vec<_>>())?;
        st.serialize_field("default_privileges", &self.default_privileges)?;
        st.serialize_field("include_grants", &self.include_grants)?;
        let deps: Vec<Dependency> = self
            .object_ids()
            .into_iter()
            .filter_map(|id| {
                let d = self.dependencies(&id);
                (!d.is_empty()).then(|| Dependency {
                    object: id.to_string(),
                    depends_on: d.iter().map(ToString::to_string).collect(),
                })
            })
            .collect();
        st.serialize_field("dependencies", &deps)?;
        st.end()
    }
}

impl Catalog {
    /// The overloads of a function name (a range of the ordered map, not a scan).
    pub fn functions_named<'a>(&'a self, name: &'a QualifiedName) -> impl Iterator<Item = ObjectId> + 'a {
        self.functions
            .range((name.clone(), String::new())..)
            .take_while(move |((n, _), _)| n == name)
            .map(|((n, a), _)| ObjectId::Function(n.clone(), a.clone()))
    }

    /// Every object id of the model (tables' constraints, triggers and policies included).
    pub fn object_ids(&self) -> Vec<ObjectId> {
        let mut ids = Vec::new();
        ids.extend(self.schemas.keys().map(|k| ObjectId::Schema(k.clone())));
        ids.extend(self.extensions.keys().map(|k| ObjectId::Extension(k.clone())));
        ids.extend(self.types.keys().map(|k| ObjectId::Type(k.clone())));
        ids.extend(self.sequences.keys().map(|k| ObjectId::Sequence(k.clone())));
        for (name, t) in &self.tables {
            ids.push(ObjectId::Table(name.clone()));
            ids.extend(t.constraints.keys().map(|c| ObjectId::Constraint(name.clone(), c.clone())));
            ids.extend(t.triggers.keys().map(|c| ObjectId::Trigger(name.clone(), c.clone())));
            ids.extend(t.policies.keys().map(|c| ObjectId::Policy(name.clone(), c.clone())));
        }
        ids.extend(self.indexes.keys().map(|k| ObjectId::Index(k.clone())));
        ids.extend(self.views.keys().map(|k| ObjectId::View(k.clone())));
        ids.extend(self.functions.keys().map(|(n, a)| ObjectId::Function(n.clone(), a.clone())));
        ids
    }

    /// Removes a table and the indexes on it (constraints, triggers, policies and comments go
    /// with the table). Returns whether it was there.
    pub fn remove_table(&mut self, name: &QualifiedName) -> bool {
        let removed = self.tables.remove(name).is_some();
        if removed {
            self.indexes.retain(|_, i| &i.table != name);
        }
        removed
    }

    /// Whether the model holds no objects at all.
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
            && self.extensions.is_empty()
            && self.types.is_empty()
            && self.sequences.is_empty()
            && self.tables.is_empty()
            && self.indexes.is_empty()
            && self.views.is_empty()
            && self.functions.is_empty()
            && self.default_privileges.is_empty()
    }

    /// The columns of a table or view (unqualified names looked up in `public`).
    pub fn relation_columns(&self, name: &QualifiedName) -> Option<Vec<String>> {
        let name = if name.schema.is_empty() { QualifiedName::new("public", name.name.clone()) } else { name.clone() };
        if let Some(t) = self.tables.get(&name) {
            let mut cols = Vec::new();
            if let Some(p) = &t.partition_of {
                cols = self.relation_columns(&p.parent).unwrap_or_default();
            }
            for parent in &t.inherits {
                for c in self.relation_columns(parent).unwrap_or_default() {
                    if !cols.contains(&c) {
                        cols.push(c);
                    }
                }
            }
            for c in &t.columns {
                if !cols.contains(&c.name) {
                    cols.push(c.name.clone());
                }
            }
            return Some(cols);
        }
        self.views.get(&name).map(|v| v.columns.clone())
    }

    /// The object a (possibly unqualified) relation name refers to.
    pub fn resolve_relation(&self, name: &QualifiedName) -> Option<ObjectId> {
        let name = if name.schema.is_empty() { QualifiedName::new("public", name.name.clone()) } else { name.clone() };
        if self.tables.contains_key(&name) {
            Some(ObjectId::Table(name))
        } else if self.views.contains_key(&name) {
            Some(ObjectId::View(name))
        } else if self.sequences.contains_key(&name) {
            Some(ObjectId::Sequence(name))
        } else {
            None
        }
    }

    fn resolve_refs(&self, refs: &Refs, out: &mut BTreeSet<ObjectId>) {
        for r in &refs.relations {
            out.extend(self.resolve_relation(r));
        }
        for f in &refs.functions {
            let name = if f.schema.is_empty() { QualifiedName::new("public", f.name.clone()) } else { f.clone() };
            out.extend(self.functions_named(&name));
        }
        for t in &refs.types {
            let name = if t.schema.is_empty() { QualifiedName::new("public", t.name.clone()) } else { t.clone() };
            if self.types.contains_key(&name) {
                out.insert(ObjectId::Type(name));
            }
        }
    }

    fn type_dep(&self, t: &TypeRef, out: &mut BTreeSet<ObjectId>) {
        // Most columns have built-in types: no name to build when the model has no types.
        if self.types.is_empty() {
            return;
        }
        let name = QualifiedName::new(t.schema.clone(), t.name.clone());
        if self.types.contains_key(&name) {
            out.insert(ObjectId::Type(name));
        }
    }

    fn expr_deps(&self, e: Option<&Expr>, out: &mut BTreeSet<ObjectId>) {
        if let Some(e) = e {
            self.resolve_refs(&e.refs, out);
        }
    }

    fn schema_dep(&self, schema: &str, out: &mut BTreeSet<ObjectId>) {
        if self.schemas.contains_key(schema) {
            out.insert(ObjectId::Schema(schema.to_string()));
        }
    }

    /// What `id` needs to exist before it can be created (and what must outlive it).
    pub fn dependencies(&self, id: &ObjectId) -> BTreeSet<ObjectId> {
        let mut out = BTreeSet::new();
        if let Some(s) = id.schema() {
            self.schema_dep(s, &mut out);
        }
        match id {
            ObjectId::Schema(_) => {}
            ObjectId::Extension(name) => {
                if let Some(s) = self.extensions.get(name).and_then(|e| e.schema.as_deref()) {
                    self.schema_dep(s, &mut out);
                }
            }
            ObjectId::Type(name) => match self.types.get(name) {
                Some(TypeDef::Domain(d)) => {
                    self.type_dep(&d.base, &mut out);
                    self.expr_deps(d.default.as_ref(), &mut out);
                    for c in d.checks.values() {
                        self.expr_deps(Some(&c.expr), &mut out);
                    }
                }
                Some(TypeDef::Composite(c)) => {
                    for a in &c.attributes {
                        self.type_dep(&a.data_type, &mut out);
                    }
                }
                Some(TypeDef::Range(r)) => {
                    self.type_dep(&r.subtype, &mut out);
                    for f in [&r.canonical, &r.subtype_diff].into_iter().flatten() {
                        out.extend(self.functions_named(f));
                    }
                }
                Some(TypeDef::Enum(_)) | None => {}
            },
            ObjectId::Sequence(_) => {}
            ObjectId::Table(name) => {
                if let Some(t) = self.tables.get(name) {
                    for c in &t.columns {
                        self.type_dep(&c.data_type, &mut out);
                        self.expr_deps(c.default.as_ref(), &mut out);
                        self.expr_deps(c.generated.as_ref(), &mut out);
                    }
                    if let Some(p) = &t.partition_of {
                        out.insert(ObjectId::Table(p.parent.clone()));
                    }
                    out.extend(t.inherits.iter().map(|p| ObjectId::Table(p.clone())));
                    if let Some(k) = &t.partition_key {
                        for e in &k.elements {
                            self.expr_deps(e.expr.as_ref(), &mut out);
                        }
                    }
                }
            }
            ObjectId::Column(table, column) => {
                out.insert(ObjectId::Table(table.clone()));
                if let Some(c) = self.tables.get(table).and_then(|t| t.column(column)) {
                    self.type_dep(&c.data_type, &mut out);
                    self.expr_deps(c.default.as_ref(), &mut out);
                    self.expr_deps(c.generated.as_ref(), &mut out);
                }
            }
            ObjectId::Constraint(table, name) => {
                out.insert(ObjectId::Table(table.clone()));
                if let Some(c) = self.tables.get(table).and_then(|t| t.constraints.get(name)) {
                    match &c.kind {
                        super::ConstraintKind::Check { expr, .. } => self.expr_deps(Some(expr), &mut out),
                        super::ConstraintKind::ForeignKey { references, referenced_columns, .. } => {
                            out.insert(ObjectId::Table(references.clone()));
                            let mut by_constraint = false;
                            if let Some(rt) = self.tables.get(references) {
                                for (n, k) in &rt.constraints {
                                    if k.key_columns() == Some(referenced_columns.as_slice()) {
                                        out.insert(ObjectId::Constraint(references.clone(), n.clone()));
                                        by_constraint = true;
                                    }
                                }
                            }
                            // Only a foreign key to a unique index (no constraint) needs the scan.
                            for (n, i) in self.indexes.iter().filter(|_| !by_constraint) {
                                if &i.table == references
                                    && i.unique
                                    && i.predicate.is_none()
                                    && i.elements
                                        .iter()
                                        .map(|e| e.column.as_deref())
                                        .eq(referenced_columns.iter().map(|c| Some(c.as_str())))
                                {
                                    out.insert(ObjectId::Index(n.clone()));
                                }
                            }
                        }
                        super::ConstraintKind::Exclude { elements, predicate, .. } => {
                            for e in elements {
                                self.expr_deps(e.element.expr.as_ref(), &mut out);
                            }
                            self.expr_deps(predicate.as_ref(), &mut out);
                        }
                        super::ConstraintKind::PrimaryKey { .. } | super::ConstraintKind::Unique { .. } => {}
                    }
                }
            }
            ObjectId::Index(name) => {
                if let Some(i) = self.indexes.get(name) {
                    if self.tables.contains_key(&i.table) {
                        out.insert(ObjectId::Table(i.table.clone()));
                    } else {
                        out.insert(ObjectId::View(i.table.clone()));
                    }
                    for e in &i.elements {
                        self.expr_deps(e.expr.as_ref(), &mut out);
                    }
                    self.expr_deps(i.predicate.as_ref(), &mut out);
                }
            }
            ObjectId::View(name) => {
                if let Some(v) = self.views.get(name) {
                    self.resolve_refs(&v.query.refs, &mut out);
                    out.remove(id);
                }
            }
            ObjectId::Function(name, args) => {
                if let Some(f) = self.functions.get(&(name.clone(), args.clone())) {
                    for a in &f.arguments {
                        self.type_dep(&a.data_type, &mut out);
                        self.expr_deps(a.default.as_ref(), &mut out);
                    }
                    if let Some(r) = &f.returns {
                        self.type_dep(r, &mut out);
                    }
                    self.resolve_refs(&f.body.refs, &mut out);
                    out.remove(id);
                }
            }
            ObjectId::Trigger(table, name) => {
                out.insert(ObjectId::Table(table.clone()));
                if let Some(t) = self.tables.get(table).and_then(|t| t.triggers.get(name)) {
                    let f = if t.function.schema.is_empty() {
                        QualifiedName::new("public", t.function.name.clone())
                    } else {
                        t.function.clone()
                    };
                    out.extend(self.functions_named(&f));
                    self.expr_deps(t.when.as_ref(), &mut out);
                }
            }
            ObjectId::Policy(table, name) => {
                out.insert(ObjectId::Table(table.clone()));
                if let Some(p) = self.tables.get(table).and_then(|t| t.policies.get(name)) {
                    self.expr_deps(p.using.as_ref(), &mut out);
                    self.expr_deps(p.with_check.as_ref(), &mut out);
                }
            }
        }
        out
    }

    /// The kind of the object `id` names, when it exists.
    pub fn kind_of(&self, id: &ObjectId) -> Option<ObjectKind> {
        Some(match id {
            ObjectId::Schema(n) => self.schemas.get(n)?.kind(),
            ObjectId::Extension(n) => self.extensions.get(n)?.kind(),
            ObjectId::Type(n) => self.types.get(n)?.kind(),
            ObjectId::Sequence(n) => self.sequences.get(n)?.kind(),
            ObjectId::Table(n) => self.tables.get(n)?.kind(),
            ObjectId::Column(t, c) => {
                self.tables.get(t)?.column(c)?;
                ObjectKind::Column
            }
            ObjectId::Constraint(t, c) => self.tables.get(t)?.constraints.get(c)?.kind(),
            ObjectId::Index(n) => self.indexes.get(n)?.kind(),
            ObjectId::View(n) => self.views.get(n)?.kind(),
            ObjectId::Function(n, a) => self.functions.get(&(n.clone(), a.clone()))?.kind(),
            ObjectId::Trigger(t, n) => self.tables.get(t)?.triggers.get(n)?.kind(),
            ObjectId::Policy(t, n) => self.tables.get(t)?.policies.get(n)?.kind(),
        })
    }

    /// How many objects of each kind the model holds.
    pub fn counts(&self) -> BTreeMap<ObjectKind, usize> {
        let mut out = BTreeMap::new();
        for id in self.object_ids() {
            if let Some(k) = self.kind_of(&id) {
                *out.entry(k).or_insert(0) += 1;
            }
        }
        let columns: usize = self.tables.values().map(|t| t.columns.len()).sum();
        if columns > 0 {
            out.insert(ObjectKind::Column, columns);
        }
        out
    }
}
