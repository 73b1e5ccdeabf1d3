//! Indexes: CREATE INDEX (flagged: blocks writes; CONCURRENTLY is the safer way), DROP INDEX,
//! replacement when the definition changes, comments.

use std::collections::BTreeSet;

use crate::schema::{Index, ObjectId, ObjectKind, QualifiedName};
use crate::sql::quote_ident;

use super::decide::Decision;
use super::plan::{Action, Phase, Planner, rank};
use super::render::{idents, index_element, with_options};
use super::{Change, Hazard, HazardKind};

pub(crate) fn create_sql(i: &Index) -> String {
    let elems: Vec<String> = i.elements.iter().map(index_element).collect();
    let mut s = format!(
        "CREATE {}INDEX {} ON {} USING {} ({})",
        if i.unique { "UNIQUE " } else { "" },
        quote_ident(&i.name.name),
        i.table.sql(),
        i.method,
        elems.join(", ")
    );
    if !i.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", idents(&i.include)));
    }
    if i.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    s.push_str(&with_options(&i.options));
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE {}", p.sql));
    }
    s.push(';');
    s
}

impl Planner<'_> {
    pub(crate) fn indexes(&mut self) {
        let names: BTreeSet<&QualifiedName> = self.old.indexes.keys().chain(self.new.indexes.keys()).collect();
        for name in names {
            let id = ObjectId::Index(name.clone());
            match self.decisions.get(&id).cloned().unwrap_or(Decision::Same) {
                Decision::Create => self.create_index(name, None),
                Decision::Drop => self.drop_index(name, true),
                Decision::Replace { because } => {
                    self.drop_index(name, false);
                    self.create_index(name, Some(because.unwrap_or_default()));
                }
                Decision::Same => {
                    if let (Some(a), Some(b)) = (self.old.indexes.get(name), self.new.indexes.get(name)) {
                        self.comment(
                            &id,
                            ObjectKind::Index,
                            &format!("INDEX {}", name.sql()),
                            a.comment.as_ref(),
                            b.comment.as_ref(),
                        );
                    }
                }
            }
        }
    }

    fn relation_dropped(&self, rel: &QualifiedName) -> bool {
        !self.new.tables.contains_key(rel) && !self.new.views.contains_key(rel)
    }

    fn drop_index(&mut self, name: &QualifiedName, report: bool) {
        let Some(i) = self.old.indexes.get(name) else { return };
        if self.relation_dropped(&i.table) && report {
            return; // goes with its table
        }
        if report {
            self.change(
                Change::new("DROP_INDEX", ObjectKind::Index, name.to_string())
                    .table(i.table.to_string())
                    .describe(format!("DROP INDEX {name}")),
            );
        }
        let hazard =
            Hazard::exclusive_lock(&i.table.to_string()).safer("DROP INDEX CONCURRENTLY (outside a transaction)");
        let id = ObjectId::Index(name.clone());
        self.step(
            Phase::Drop,
            Action::Drop,
            ObjectKind::Index,
            id.clone(),
            rank::INDEX,
            format!("DROP INDEX {};", name.sql()),
            vec![hazard],
        );
        self.dropped.insert(id);
    }

    /// `because`: `None` for a new index, `Some("")` for a changed one, `Some(x)` when recreated
    /// because `x` changes.
    fn create_index(&mut self, name: &QualifiedName, because: Option<String>) {
        let Some(i) = self.new.indexes.get(name) else { return };
        let existing_table = self.old.tables.contains_key(&i.table) || self.old.views.contains_key(&i.table);
        let mut hazards = Vec::new();
        if existing_table {
            hazards.push(
                Hazard::new(HazardKind::BlocksWrites, format!("builds the index without CONCURRENTLY: writes to {} wait", i.table))
                    .safer("CREATE INDEX CONCURRENTLY (outside a transaction; on a partitioned table, per partition then ATTACH)"),
            );
            if i.unique {
                hazards.push(Hazard::new(HazardKind::MayFail, format!("fails if {} holds duplicate keys", i.table)));
            }
        }
        let change = match &because {
            None => Change::new("ADD_INDEX", ObjectKind::Index, name.to_string())
                .describe(format!("ADD INDEX {name} ON {}", i.table)),
            Some(b) if b.is_empty() => Change::new("CHANGE_INDEX", ObjectKind::Index, name.to_string())
                .describe(format!("CHANGE INDEX {name}")),
            Some(b) => Change::new("CHANGE_INDEX", ObjectKind::Index, name.to_string())
                .detail("recreated_because", b.clone())
                .describe(format!("RECREATE INDEX {name} (because {b})")),
        };
        self.change(change.table(i.table.to_string()));
        let id = ObjectId::Index(name.clone());
        self.step(Phase::Forward, Action::Create, ObjectKind::Index, id.clone(), rank::INDEX, create_sql(i), hazards);
        self.comment(&id, ObjectKind::Index, &format!("INDEX {}", name.sql()), None, i.comment.as_ref());
    }
}
