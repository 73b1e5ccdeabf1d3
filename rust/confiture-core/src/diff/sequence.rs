//! Sequences: CREATE/DROP SEQUENCE, ALTER SEQUENCE for changed options, OWNED BY (after the
//! owning table exists), comments and grants. Sequences owned by a dropped table or column go with
//! it.

use std::collections::BTreeSet;

use crate::schema::{ObjectId, ObjectKind, QualifiedName, Sequence, SequenceOptions};
use crate::sql::quote_ident;

use super::plan::{Action, Phase, Planner, rank};
use super::{Change, Hazard, HazardKind};

impl Planner<'_> {
    pub(crate) fn sequences(&mut self) {
        let names: BTreeSet<&QualifiedName> = self.old.sequences.keys().chain(self.new.sequences.keys()).collect();
        for name in names {
            let id = ObjectId::Sequence(name.clone());
            match (self.old.sequences.get(name), self.new.sequences.get(name)) {
                (None, Some(s)) => {
                    self.change(Change::new("ADD_SEQUENCE", ObjectKind::Sequence, name.to_string()));
                    self.step(
                        Phase::Forward,
                        Action::Create,
                        ObjectKind::Sequence,
                        id.clone(),
                        rank::SEQUENCE,
                        format!("CREATE SEQUENCE {} {};", name.sql(), s.options.sql()),
                        Vec::new(),
                    );
                    self.owned_by(s);
                    self.comment(
                        &id,
                        ObjectKind::Sequence,
                        &format!("SEQUENCE {}", name.sql()),
                        None,
                        s.comment.as_ref(),
                    );
                    self.grants(
                        &id,
                        ObjectKind::Sequence,
                        &format!("SEQUENCE {}", name.sql()),
                        &BTreeSet::new(),
                        &s.grants,
                    );
                }
                (Some(s), None) => {
                    let owner_gone = s.owned_by.as_ref().is_some_and(|(t, c)| {
                        !self.new.tables.contains_key(t)
                            || self.new.tables.get(t).is_some_and(|nt| nt.column(c).is_none())
                    });
                    if owner_gone {
                        continue; // dropped with its table or column
                    }
                    self.change(Change::new("DROP_SEQUENCE", ObjectKind::Sequence, name.to_string()));
                    self.step(
                        Phase::Drop,
                        Action::Drop,
                        ObjectKind::Sequence,
                        id.clone(),
                        rank::SEQUENCE,
                        format!("DROP SEQUENCE {};", name.sql()),
                        Vec::new(),
                    );
                    self.dropped.insert(id);
                }
                (Some(a), Some(b)) => {
                    if a.options != b.options {
                        let (x, y) = (&a.options, &b.options);
                        let mut clauses = Vec::new();
                        if x.data_type != y.data_type {
                            clauses.push(format!("AS {}", y.data_type));
                        }
                        clauses.extend(changed_options(x, y, ""));
                        let mut hazards = Vec::new();
                        if (x.increment > 0) != (y.increment > 0)
                            || x.min_value != y.min_value
                            || x.max_value != y.max_value
                        {
                            // The current value may fall outside the new range.
                            clauses.push(format!("RESTART WITH {}", y.start));
                            hazards.push(Hazard::new(
                                HazardKind::MayFail,
                                format!("restarts {name} at {}: values handed out before may come again", y.start),
                            ));
                        }
                        self.change(
                            Change::new("CHANGE_SEQUENCE", ObjectKind::Sequence, name.to_string())
                                .detail("options", clauses.join(" ")),
                        );
                        self.step(
                            Phase::Forward,
                            Action::Alter,
                            ObjectKind::Sequence,
                            id.clone(),
                            rank::SEQUENCE,
                            format!("ALTER SEQUENCE {} {};", name.sql(), clauses.join(" ")),
                            hazards,
                        );
                    }
                    if a.owned_by != b.owned_by {
                        if b.owned_by.is_none() {
                            self.change(
                                Change::new("CHANGE_SEQUENCE_OWNER", ObjectKind::Sequence, name.to_string())
                                    .describe(format!("CHANGE SEQUENCE OWNER {name}: NONE")),
                            );
                            let step = self.step(
                                Phase::Forward,
                                Action::Alter,
                                ObjectKind::Sequence,
                                id.clone(),
                                rank::OWNED_BY,
                                format!("ALTER SEQUENCE {} OWNED BY NONE;", name.sql()),
                                Vec::new(),
                            );
                            step.provides.clear();
                        } else {
                            self.change(Change::new("CHANGE_SEQUENCE_OWNER", ObjectKind::Sequence, name.to_string()));
                            self.owned_by(b);
                        }
                    }
                    self.comment(
                        &id,
                        ObjectKind::Sequence,
                        &format!("SEQUENCE {}", name.sql()),
                        a.comment.as_ref(),
                        b.comment.as_ref(),
                    );
                    self.grants(&id, ObjectKind::Sequence, &format!("SEQUENCE {}", name.sql()), &a.grants, &b.grants);
                }
                (None, None) => {}
            }
        }
    }

    fn owned_by(&mut self, s: &Sequence) {
        let Some((t, c)) = &s.owned_by else { return };
        let sql = format!("ALTER SEQUENCE {} OWNED BY {}.{};", s.name.sql(), t.sql(), quote_ident(c));
        let step = self.step(
            Phase::Forward,
            Action::Alter,
            ObjectKind::Sequence,
            ObjectId::Sequence(s.name.clone()),
            rank::OWNED_BY,
            sql,
            Vec::new(),
        );
        step.deps.insert(ObjectId::Column(t.clone(), c.clone()));
        step.deps.insert(ObjectId::Sequence(s.name.clone()));
        step.provides.clear();
    }
}

/// The clauses that turn sequence options `x` into `y` (the type aside), each behind `prefix`:
/// `""` in `ALTER SEQUENCE`, `"SET "` for an identity column's sequence.
pub(super) fn changed_options(x: &SequenceOptions, y: &SequenceOptions, prefix: &str) -> Vec<String> {
    let mut clauses = Vec::new();
    let mut number = |changed: bool, clause: &str, value: i64| {
        if changed {
            clauses.push(format!("{prefix}{clause} {value}"));
        }
    };
    number(x.start != y.start, "START WITH", y.start);
    number(x.increment != y.increment, "INCREMENT BY", y.increment);
    number(x.min_value != y.min_value, "MINVALUE", y.min_value);
    number(x.max_value != y.max_value, "MAXVALUE", y.max_value);
    number(x.cache != y.cache, "CACHE", y.cache);
    if x.cycle != y.cycle {
        clauses.push(format!("{prefix}{}", if y.cycle { "CYCLE" } else { "NO CYCLE" }));
    }
    clauses
}
