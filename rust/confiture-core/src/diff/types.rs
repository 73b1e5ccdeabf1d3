//! User-defined types: created and dropped by kind; enums gain values in place
//! (see `enum_type.rs`), composites and domains change in place (`composite.rs`, `domain.rs`);
//! ranges, and domains whose base type changes, are dropped and created.

use std::collections::BTreeSet;

use crate::schema::{Grant, ObjectId, QualifiedName, TypeDef};
use crate::sql::{quote_ident, quote_literal};

use super::decide::Decision;
use super::plan::{Action, Phase, Planner, rank};
use super::render::qualified_ident;
use super::{Change, Hazard, HazardKind};

pub(crate) fn keyword(t: &TypeDef) -> &'static str {
    if matches!(t, TypeDef::Domain(_)) { "DOMAIN" } else { "TYPE" }
}

pub(crate) fn create_sql(t: &TypeDef) -> String {
    match t {
        TypeDef::Enum(e) => {
            let labels: Vec<String> = e.labels.iter().map(|l| quote_literal(l)).collect();
            format!("CREATE TYPE {} AS ENUM ({});", e.name.sql(), labels.join(", "))
        }
        TypeDef::Composite(c) => {
            let attrs: Vec<String> = c
                .attributes
                .iter()
                .map(|a| {
                    let mut s = format!("{} {}", quote_ident(&a.name), a.data_type.sql());
                    if let Some(coll) = &a.collation {
                        s.push_str(&format!(" COLLATE {}", qualified_ident(coll)));
                    }
                    s
                })
                .collect();
            format!("CREATE TYPE {} AS ({});", c.name.sql(), attrs.join(", "))
        }
        TypeDef::Domain(d) => {
            let mut s = format!("CREATE DOMAIN {} AS {}", d.name.sql(), d.base.sql());
            if let Some(c) = &d.collation {
                s.push_str(&format!(" COLLATE {}", qualified_ident(c)));
            }
            if let Some(x) = &d.default {
                s.push_str(&format!(" DEFAULT {}", super::render::default_sql(x)));
            }
            if d.not_null {
                s.push_str(" NOT NULL");
            }
            // NOT VALID checks cannot be declared here: they follow as ALTER DOMAIN.
            for c in d.checks.values().filter(|c| c.validated) {
                s.push_str(&format!(" CONSTRAINT {} CHECK ({})", quote_ident(&c.name), c.expr.sql));
            }
            s.push(';');
            s
        }
        TypeDef::Range(r) => {
            let mut params = vec![format!("SUBTYPE = {}", r.subtype.sql())];
            if let Some(o) = &r.subtype_opclass {
                params.push(format!("SUBTYPE_OPCLASS = {}", qualified_ident(o)));
            }
            if let Some(c) = &r.collation {
                params.push(format!("COLLATION = {}", qualified_ident(c)));
            }
            if let Some(f) = &r.canonical {
                params.push(format!("CANONICAL = {}", function_sql(f)));
            }
            if let Some(f) = &r.subtype_diff {
                params.push(format!("SUBTYPE_DIFF = {}", function_sql(f)));
            }
            if let Some(m) = &r.multirange {
                params.push(format!(
                    "MULTIRANGE_TYPE_NAME = {}",
                    QualifiedName::new(r.name.schema.clone(), m.clone()).sql()
                ));
            }
            format!("CREATE TYPE {} AS RANGE ({});", r.name.sql(), params.join(", "))
        }
    }
}

/// A function name: unqualified names (built-ins) stay unqualified.
pub(crate) fn function_sql(f: &QualifiedName) -> String {
    if f.schema.is_empty() { quote_ident(&f.name) } else { f.sql() }
}

/// What a type gets when created: USAGE for PUBLIC.
pub(crate) fn baseline() -> BTreeSet<Grant> {
    let mut s = BTreeSet::new();
    s.insert(Grant { grantee: "PUBLIC".into(), privilege: "USAGE".into(), column: None, with_grant_option: false });
    s
}

impl Planner<'_> {
    pub(crate) fn types(&mut self) {
        let names: BTreeSet<&QualifiedName> = self.old.types.keys().chain(self.new.types.keys()).collect();
        for name in names {
            let id = ObjectId::Type(name.clone());
            let decision = self.decisions.get(&id).cloned().unwrap_or(Decision::Same);
            match (decision, self.old.types.get(name), self.new.types.get(name)) {
                (Decision::Create, _, Some(t)) => self.create_type(t, None),
                (Decision::Drop, Some(t), _) => self.drop_type(t, true),
                (Decision::Replace { because }, Some(a), Some(b)) => {
                    if let (TypeDef::Enum(x), TypeDef::Enum(y)) = (a, b)
                        && x.name == y.name
                        && because.is_none()
                    {
                        self.recreate_enum(x, y);
                    } else {
                        self.drop_type(a, false);
                        self.create_type(b, Some(because.unwrap_or_default()));
                    }
                }
                (Decision::Same, Some(a), Some(b)) => {
                    match (a, b) {
                        (TypeDef::Enum(x), TypeDef::Enum(y)) => self.add_enum_values(x, y),
                        (TypeDef::Composite(x), TypeDef::Composite(y)) => self.alter_composite(x, y),
                        (TypeDef::Domain(x), TypeDef::Domain(y)) => self.alter_domain(x, y),
                        _ => {}
                    }
                    let what = format!("{} {}", keyword(b), name.sql());
                    self.comment(&id, b.kind(), &what, a.comment(), b.comment());
                    self.grants(&id, b.kind(), &what, a.grants(), b.grants());
                }
                _ => {}
            }
        }
    }

    pub(crate) fn create_type(&mut self, t: &TypeDef, because: Option<String>) {
        let name = t.name();
        let id = ObjectId::Type(name.clone());
        let word = match t {
            TypeDef::Enum(_) => "ENUM",
            TypeDef::Composite(_) => "COMPOSITE_TYPE",
            TypeDef::Domain(_) => "DOMAIN",
            TypeDef::Range(_) => "RANGE_TYPE",
        };
        let change = match &because {
            None => Change::new(&format!("ADD_{word}"), t.kind(), name.to_string()),
            Some(b) if b.is_empty() => Change::new(&format!("CHANGE_{word}"), t.kind(), name.to_string()),
            Some(b) => Change::new(&format!("CHANGE_{word}"), t.kind(), name.to_string())
                .detail("recreated_because", b.clone())
                .describe(format!("RECREATE {} {name} (because {b})", word.replace('_', " "))),
        };
        self.change(change);
        self.step(Phase::Forward, Action::Create, t.kind(), id.clone(), rank::TYPE, create_sql(t), Vec::new());
        if let TypeDef::Domain(d) = t {
            for c in d.checks.values().filter(|c| !c.validated) {
                let sql = format!(
                    "ALTER DOMAIN {} ADD CONSTRAINT {} CHECK ({}) NOT VALID;",
                    name.sql(),
                    quote_ident(&c.name),
                    c.expr.sql
                );
                self.type_step(name, t.kind(), sql, Vec::new());
            }
        }
        let what = format!("{} {}", keyword(t), name.sql());
        self.comment(&id, t.kind(), &what, None, t.comment());
        if let TypeDef::Domain(d) = t {
            for c in d.checks.values() {
                self.comment(
                    &id,
                    t.kind(),
                    &format!("CONSTRAINT {} ON DOMAIN {}", quote_ident(&c.name), name.sql()),
                    None,
                    c.comment.as_ref(),
                );
            }
        }
        self.grants(&id, t.kind(), &what, &baseline(), t.grants());
    }

    pub(crate) fn drop_type(&mut self, t: &TypeDef, report: bool) {
        let name = t.name();
        let id = ObjectId::Type(name.clone());
        if report {
            let word = match t {
                TypeDef::Enum(_) => "ENUM",
                TypeDef::Composite(_) => "COMPOSITE_TYPE",
                TypeDef::Domain(_) => "DOMAIN",
                TypeDef::Range(_) => "RANGE_TYPE",
            };
            self.change(Change::new(&format!("DROP_{word}"), t.kind(), name.to_string()));
        }
        let hazard = Hazard::new(HazardKind::MayFail, format!("fails while columns still use {name}"));
        // Late: after the columns that used the type have changed.
        let users: Vec<ObjectId> = self
            .old
            .tables
            .iter()
            .filter(|(tn, _)| self.new.tables.contains_key(*tn))
            .flat_map(|(tn, table)| {
                table
                    .columns
                    .iter()
                    .filter(|c| c.data_type.schema == name.schema && c.data_type.name == name.name)
                    .map(|c| ObjectId::Column(tn.clone(), c.name.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let sql = format!("DROP {} {};", keyword(t), name.sql());
        let step =
            self.step(Phase::Forward, Action::Drop, t.kind(), id.clone(), rank::LATE_TYPE_DROP, sql, vec![hazard]);
        step.deps = users.into_iter().collect();
        step.provides = vec![id.clone()];
        self.dropped.insert(id);
    }

    pub(crate) fn type_step(
        &mut self,
        t: &QualifiedName,
        kind: crate::schema::ObjectKind,
        sql: String,
        hazards: Vec<Hazard>,
    ) {
        self.step(Phase::Forward, Action::Alter, kind, ObjectId::Type(t.clone()), rank::TYPE, sql, hazards);
    }
}
