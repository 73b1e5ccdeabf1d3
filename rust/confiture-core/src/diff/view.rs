//! Views and materialized views: created, dropped, or dropped and created again when their
//! query changes or something they read changes (CREATE OR REPLACE VIEW cannot change column types
//! or remove columns, so the plan never relies on it).

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{ObjectId, ObjectKind, QualifiedName, View};
use crate::sql::quote_ident;

use super::decide::Decision;
use super::plan::{Action, Phase, Planner, rank};
use super::render::with_options;
use super::{Change, Hazard, HazardKind};

fn keyword(v: &View) -> &'static str {
    if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" }
}

pub(crate) fn create_sql(v: &View) -> String {
    let mut options = v.options.clone();
    if v.materialized {
        let mut s = format!("CREATE MATERIALIZED VIEW {}{} AS {}", v.name.sql(), with_options(&options), v.query.sql);
        s.push_str(" WITH DATA;");
        return s;
    }
    if let Some(c) = &v.check_option {
        options.insert("check_option".into(), c.clone());
    }
    format!("CREATE VIEW {}{} AS {};", v.name.sql(), with_options(&options), v.query.sql)
}

impl Planner<'_> {
    pub(crate) fn views(&mut self) {
        let names: BTreeSet<&QualifiedName> = self.old.views.keys().chain(self.new.views.keys()).collect();
        for name in names {
            let id = ObjectId::View(name.clone());
            match self.decisions.get(&id).cloned().unwrap_or(Decision::Same) {
                Decision::Create => self.create_view(name, None),
                Decision::Drop => self.drop_view(name, true),
                Decision::Replace { because } => {
                    self.drop_view(name, false);
                    self.create_view(name, Some(because.unwrap_or_default()));
                }
                Decision::Same => {
                    let (Some(a), Some(b)) = (self.old.views.get(name), self.new.views.get(name)) else { continue };
                    let kind = b.kind();
                    self.comment(
                        &id,
                        kind,
                        &format!("{} {}", keyword(b), name.sql()),
                        a.comment.as_ref(),
                        b.comment.as_ref(),
                    );
                    self.view_column_comments(b, &a.column_comments);
                    self.grants(&id, kind, &format!("TABLE {}", name.sql()), &a.grants, &b.grants);
                }
            }
        }
    }

    fn view_column_comments(&mut self, v: &View, old: &BTreeMap<String, String>) {
        let id = ObjectId::View(v.name.clone());
        let columns: BTreeSet<&String> = old.keys().chain(v.column_comments.keys()).collect();
        for c in columns {
            self.comment(
                &id,
                ObjectKind::Column,
                &format!("COLUMN {}.{}", v.name.sql(), quote_ident(c)),
                old.get(c),
                v.column_comments.get(c),
            );
        }
    }

    fn drop_view(&mut self, name: &QualifiedName, report: bool) {
        let Some(v) = self.old.views.get(name) else { return };
        if report {
            let t = if v.materialized { "DROP_MATERIALIZED_VIEW" } else { "DROP_VIEW" };
            self.change(Change::new(t, v.kind(), name.to_string()).describe(format!("{} {name}", t.replace('_', " "))));
        }
        let id = ObjectId::View(name.clone());
        let sql = format!("DROP {} {};", keyword(v), name.sql());
        self.step(Phase::Drop, Action::Drop, v.kind(), id.clone(), rank::VIEW, sql, Vec::new());
        self.dropped.insert(id);
    }

    fn create_view(&mut self, name: &QualifiedName, because: Option<String>) {
        let Some(v) = self.new.views.get(name) else { return };
        let word = if v.materialized { "MATERIALIZED_VIEW" } else { "VIEW" };
        let change = match &because {
            None => Change::new(&format!("ADD_{word}"), v.kind(), name.to_string()),
            Some(b) if b.is_empty() => Change::new(&format!("CHANGE_{word}"), v.kind(), name.to_string()),
            Some(b) => Change::new(&format!("CHANGE_{word}"), v.kind(), name.to_string())
                .detail("recreated_because", b.clone())
                .describe(format!("RECREATE {} {name} (because {b})", word.replace('_', " "))),
        };
        self.change(change);
        let hazards = if v.materialized {
            vec![
                Hazard::new(HazardKind::MayFail, format!("runs the query of {name} to fill it; slow on large tables"))
                    .safer("create it WITH NO DATA, then REFRESH MATERIALIZED VIEW outside the migration"),
            ]
        } else {
            Vec::new()
        };
        let id = ObjectId::View(name.clone());
        self.step(Phase::Forward, Action::Create, v.kind(), id.clone(), rank::VIEW, create_sql(v), hazards);
        self.comment(&id, v.kind(), &format!("{} {}", keyword(v), name.sql()), None, v.comment.as_ref());
        self.view_column_comments(v, &BTreeMap::new());
        self.grants(&id, v.kind(), &format!("TABLE {}", name.sql()), &BTreeSet::new(), &v.grants);
    }
}
