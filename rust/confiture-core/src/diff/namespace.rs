//! Schemas (CREATE/DROP SCHEMA; what is in them is dropped first) and extensions.

use std::collections::BTreeSet;

use crate::schema::{ObjectId, ObjectKind};
use crate::sql::{quote_ident, quote_literal};

use super::plan::{Action, Phase, Planner, rank};
use super::{Change, Hazard};

impl Planner<'_> {
    pub(crate) fn schemas(&mut self) {
        let names: BTreeSet<&String> = self.old.schemas.keys().chain(self.new.schemas.keys()).collect();
        for name in names {
            let id = ObjectId::Schema(name.clone());
            let what = format!("SCHEMA {}", quote_ident(name));
            match (self.old.schemas.get(name), self.new.schemas.get(name)) {
                (None, Some(s)) => {
                    self.change(Change::new("ADD_SCHEMA", ObjectKind::Schema, name.clone()));
                    self.step(
                        Phase::Forward,
                        Action::Create,
                        ObjectKind::Schema,
                        id.clone(),
                        rank::SCHEMA,
                        format!("CREATE SCHEMA {};", quote_ident(name)),
                        Vec::new(),
                    );
                    self.comment(&id, ObjectKind::Schema, &what, None, s.comment.as_ref());
                    self.grants(&id, ObjectKind::Schema, &what, &BTreeSet::new(), &s.grants);
                }
                (Some(_), None) => {
                    self.change(Change::new("DROP_SCHEMA", ObjectKind::Schema, name.clone()));
                    let hazard = Hazard::deletes_data(format!(
                        "drops schema {name}; fails if objects the plan does not drop remain in it"
                    ));
                    // Late: after the types and extensions in it.
                    let inside: std::collections::BTreeSet<ObjectId> = self
                        .old
                        .types
                        .keys()
                        .filter(|t| &t.schema == name)
                        .map(|t| ObjectId::Type(t.clone()))
                        .chain(
                            self.old
                                .extensions
                                .values()
                                .filter(|e| e.schema.as_deref() == Some(name.as_str()))
                                .map(|e| ObjectId::Extension(e.name.clone())),
                        )
                        .collect();
                    let sql = format!("DROP SCHEMA {};", quote_ident(name));
                    let step = self.step(
                        Phase::Forward,
                        Action::Drop,
                        ObjectKind::Schema,
                        id.clone(),
                        rank::LATE_SCHEMA_DROP,
                        sql,
                        vec![hazard],
                    );
                    step.deps = inside;
                    step.provides = vec![id.clone()];
                    self.dropped.insert(id);
                }
                (Some(a), Some(b)) => {
                    self.comment(&id, ObjectKind::Schema, &what, a.comment.as_ref(), b.comment.as_ref());
                    self.grants(&id, ObjectKind::Schema, &what, &a.grants, &b.grants);
                }
                (None, None) => {}
            }
        }
    }

    pub(crate) fn extensions(&mut self) {
        let names: BTreeSet<&String> = self.old.extensions.keys().chain(self.new.extensions.keys()).collect();
        for name in names {
            let id = ObjectId::Extension(name.clone());
            let q = quote_ident(name);
            match (self.old.extensions.get(name), self.new.extensions.get(name)) {
                (None, Some(e)) => {
                    self.change(Change::new("ADD_EXTENSION", ObjectKind::Extension, name.clone()));
                    let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {q}");
                    if let Some(s) = &e.schema {
                        sql.push_str(&format!(" WITH SCHEMA {}", quote_ident(s)));
                    }
                    if let Some(v) = &e.version {
                        sql.push_str(&format!(" VERSION {}", quote_literal(v)));
                    }
                    sql.push(';');
                    self.step(
                        Phase::Forward,
                        Action::Create,
                        ObjectKind::Extension,
                        id.clone(),
                        rank::EXTENSION,
                        sql,
                        Vec::new(),
                    );
                    if e.comment.is_some() {
                        self.comment(&id, ObjectKind::Extension, &format!("EXTENSION {q}"), None, e.comment.as_ref());
                    }
                }
                (Some(_), None) => {
                    self.change(Change::new("DROP_EXTENSION", ObjectKind::Extension, name.clone()));
                    let hazard = Hazard::deletes_data(format!("drops extension {name} and the objects it created"));
                    // Late: after columns stop using its types.
                    let retyped: std::collections::BTreeSet<ObjectId> = self
                        .retyped
                        .iter()
                        .flat_map(|(t, cols)| {
                            cols.iter().map(|c| ObjectId::Column(t.clone(), c.clone())).collect::<Vec<_>>()
                        })
                        .collect();
                    let step = self.step(
                        Phase::Forward,
                        Action::Drop,
                        ObjectKind::Extension,
                        id.clone(),
                        rank::LATE_EXTENSION_DROP,
                        format!("DROP EXTENSION {q};"),
                        vec![hazard],
                    );
                    step.deps = retyped;
                    step.provides = vec![id.clone()];
                    self.dropped.insert(id);
                }
                (Some(a), Some(b)) => {
                    if let (Some(x), Some(y)) = (&a.version, &b.version)
                        && x != y
                    {
                        self.change(
                            Change::new("CHANGE_EXTENSION", ObjectKind::Extension, name.clone())
                                .values(Some(x.clone()), Some(y.clone()))
                                .describe(format!("CHANGE EXTENSION {name} FROM {x} TO {y}")),
                        );
                        self.step(
                            Phase::Forward,
                            Action::Alter,
                            ObjectKind::Extension,
                            id.clone(),
                            rank::EXTENSION,
                            format!("ALTER EXTENSION {q} UPDATE TO {};", quote_literal(y)),
                            Vec::new(),
                        );
                    }
                    if let (Some(x), Some(y)) = (&a.schema, &b.schema)
                        && x != y
                    {
                        self.change(
                            Change::new("CHANGE_EXTENSION", ObjectKind::Extension, name.clone())
                                .detail("schema", y.clone())
                                .describe(format!("MOVE EXTENSION {name} TO {y}")),
                        );
                        self.step(
                            Phase::Forward,
                            Action::Alter,
                            ObjectKind::Extension,
                            id.clone(),
                            rank::EXTENSION,
                            format!("ALTER EXTENSION {q} SET SCHEMA {};", quote_ident(y)),
                            Vec::new(),
                        );
                    }
                    if a.comment.is_some() && b.comment.is_some() && a.comment != b.comment {
                        self.comment(
                            &id,
                            ObjectKind::Extension,
                            &format!("EXTENSION {q}"),
                            a.comment.as_ref(),
                            b.comment.as_ref(),
                        );
                    }
                }
                (None, None) => {}
            }
        }
    }
}
