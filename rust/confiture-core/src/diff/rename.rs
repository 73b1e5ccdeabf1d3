//! Renames come from `-- confiture: renamed-from old_name` annotations above a table or a column
//! in the DDL (either side's, so the down plan renames back). Without one, a missing table or
//! column is dropped and the new one created, and the drop is flagged as destructive.
//!
//! The old schema is rewritten with the renames applied, so everything else compares under the
//! new names; rename steps run first.

use crate::schema::{Catalog, ConstraintKind, ObjectId, ObjectKind, QualifiedName};
use crate::sql::quote_ident;

use super::Change;
use super::plan::{Action, Phase, Planner, rank};

#[derive(Debug, Default)]
pub(crate) struct Renames {
    /// (old name, new name)
    pub tables: Vec<(QualifiedName, QualifiedName)>,
    /// (table under its new name, old column, new column)
    pub columns: Vec<(QualifiedName, String, String)>,
    /// Constraints with the same definition under another name (PostgreSQL's automatic names
    /// follow the table's and columns' names): (table, old name, new name).
    pub constraints: Vec<(QualifiedName, String, String)>,
    /// Indexes likewise: (old name, new name).
    pub indexes: Vec<(QualifiedName, QualifiedName)>,
}

/// Constraints and indexes of `old` (renames applied) that match one of `new` under another name.
pub(crate) fn find_secondary(old: &Catalog, new: &Catalog, r: &mut Renames) {
    for (name, nt) in &new.tables {
        let Some(ot) = old.tables.get(name) else { continue };
        let mut taken = std::collections::BTreeSet::new();
        for (oname, oc) in &ot.constraints {
            if nt.constraints.contains_key(oname) {
                continue;
            }
            let found = nt.constraints.iter().find(|(nname, nc)| {
                !ot.constraints.contains_key(*nname)
                    && !taken.contains(*nname)
                    && nc.kind == oc.kind
                    && nc.deferrable == oc.deferrable
                    && nc.initially_deferred == oc.initially_deferred
                    && nc.validated == oc.validated
            });
            if let Some((nname, _)) = found {
                taken.insert(nname.clone());
                r.constraints.push((name.clone(), oname.clone(), nname.clone()));
            }
        }
    }
    let mut taken = std::collections::BTreeSet::new();
    for (oname, oi) in &old.indexes {
        if new.indexes.contains_key(oname) {
            continue;
        }
        let found = new.indexes.iter().find(|(nname, ni)| {
            !old.indexes.contains_key(*nname) && !taken.contains(*nname) && nname.schema == oname.schema && {
                let mut x = (*ni).clone();
                x.name = oi.name.clone();
                x.comment.clone_from(&oi.comment);
                x == *oi
            }
        });
        if let Some((nname, _)) = found {
            taken.insert(nname.clone());
            r.indexes.push((oname.clone(), nname.clone()));
        }
    }
}

/// Constraint and index renames applied to `cat`.
pub(crate) fn apply_secondary(cat: &mut Catalog, r: &Renames) {
    for (table, from, to) in &r.constraints {
        if let Some(t) = cat.tables.get_mut(table)
            && let Some(mut c) = t.constraints.remove(from)
        {
            c.name.clone_from(to);
            t.constraints.insert(to.clone(), c);
        }
    }
    for (from, to) in &r.indexes {
        if let Some(mut i) = cat.indexes.remove(from) {
            i.name = to.clone();
            cat.indexes.insert(to.clone(), i);
        }
    }
}

/// `"sval":"from"` → `"sval":"to"` in a canonical key: PostgreSQL keeps expressions by column
/// number, so a renamed column is renamed in them too.
fn rename_in(e: &mut crate::schema::Expr, from: &str, to: &str) {
    let (Ok(f), Ok(t)) = (serde_json::to_string(from), serde_json::to_string(to)) else { return };
    e.key = e.key.replace(&format!("\"sval\":{f}}}"), &format!("\"sval\":{t}}}"));
}

pub(crate) fn find(old: &Catalog, new: &Catalog) -> Renames {
    let mut r = Renames::default();
    for (name, t) in &new.tables {
        if let Some(from) = &t.renamed_from {
            let from = QualifiedName::new(name.schema.clone(), from.clone());
            if old.tables.contains_key(&from) && !new.tables.contains_key(&from) && !old.tables.contains_key(name) {
                r.tables.push((from, name.clone()));
            }
        }
    }
    for (name, t) in &old.tables {
        if let Some(to) = &t.renamed_from {
            let to = QualifiedName::new(name.schema.clone(), to.clone());
            if new.tables.contains_key(&to)
                && !old.tables.contains_key(&to)
                && !new.tables.contains_key(name)
                && !r.tables.iter().any(|(a, _)| a == name)
            {
                r.tables.push((name.clone(), to));
            }
        }
    }
    for (new_name, nt) in &new.tables {
        let old_name = r.tables.iter().find(|(_, n)| n == new_name).map_or(new_name, |(o, _)| o);
        let Some(ot) = old.tables.get(old_name) else { continue };
        for c in &nt.columns {
            if let Some(from) = &c.renamed_from
                && ot.column(from).is_some()
                && ot.column(&c.name).is_none()
                && nt.column(from).is_none()
            {
                r.columns.push((new_name.clone(), from.clone(), c.name.clone()));
            }
        }
        for c in &ot.columns {
            if let Some(to) = &c.renamed_from
                && nt.column(to).is_some()
                && nt.column(&c.name).is_none()
                && ot.column(to).is_none()
                && !r.columns.iter().any(|(t, a, _)| t == new_name && a == &c.name)
            {
                r.columns.push((new_name.clone(), c.name.clone(), to.clone()));
            }
        }
    }
    r
}

/// `old` with the renames applied (names and the references that follow them in PostgreSQL).
pub(crate) fn apply(old: &Catalog, r: &Renames) -> Catalog {
    let mut cat = old.clone();
    for (from, to) in &r.tables {
        if let Some(mut t) = cat.tables.remove(from) {
            t.name = to.clone();
            t.renamed_from = None;
            for k in t.triggers.values_mut() {
                k.table = to.clone();
            }
            for p in t.policies.values_mut() {
                p.table = to.clone();
            }
            cat.tables.insert(to.clone(), t);
        }
        for t in cat.tables.values_mut() {
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey { references, .. } = &mut c.kind
                    && references == from
                {
                    *references = to.clone();
                }
            }
            if let Some(p) = &mut t.partition_of
                && &p.parent == from
            {
                p.parent = to.clone();
            }
            for p in &mut t.inherits {
                if p == from {
                    *p = to.clone();
                }
            }
        }
        for i in cat.indexes.values_mut() {
            if &i.table == from {
                i.table = to.clone();
            }
        }
        for s in cat.sequences.values_mut() {
            if let Some((t, _)) = &mut s.owned_by
                && t == from
            {
                *t = to.clone();
            }
        }
    }
    for (table, from, to) in &r.columns {
        let rename = |cols: &mut Vec<String>| {
            for c in cols.iter_mut() {
                if c == from {
                    c.clone_from(to);
                }
            }
        };
        if let Some(t) = cat.tables.get_mut(table) {
            if let Some(c) = t.column_mut(from) {
                c.name.clone_from(to);
                c.renamed_from = None;
            }
            for k in t.constraints.values_mut() {
                match &mut k.kind {
                    ConstraintKind::PrimaryKey { columns, include }
                    | ConstraintKind::Unique { columns, include, .. } => {
                        rename(columns);
                        rename(include);
                    }
                    ConstraintKind::ForeignKey { columns, .. } => rename(columns),
                    ConstraintKind::Exclude { elements, include, .. } => {
                        rename(include);
                        for e in elements {
                            if e.element.column.as_deref() == Some(from.as_str()) {
                                e.element.column = Some(to.clone());
                            }
                        }
                    }
                    ConstraintKind::Check { .. } => {}
                }
            }
            for trg in t.triggers.values_mut() {
                rename(&mut trg.update_columns);
                if let Some(w) = &mut trg.when {
                    rename_in(w, from, to);
                }
            }
            for k in t.constraints.values_mut() {
                match &mut k.kind {
                    ConstraintKind::Check { expr, .. } => rename_in(expr, from, to),
                    ConstraintKind::Exclude { elements, predicate, .. } => {
                        for e in elements {
                            if let Some(x) = &mut e.element.expr {
                                rename_in(x, from, to);
                            }
                        }
                        if let Some(p) = predicate {
                            rename_in(p, from, to);
                        }
                    }
                    _ => {}
                }
            }
            for c in &mut t.columns {
                for e in [&mut c.default, &mut c.generated].into_iter().flatten() {
                    rename_in(e, from, to);
                }
            }
            for p in t.policies.values_mut() {
                for e in [&mut p.using, &mut p.with_check].into_iter().flatten() {
                    rename_in(e, from, to);
                }
            }
        }
        for t in cat.tables.values_mut() {
            for k in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey { references, referenced_columns, .. } = &mut k.kind
                    && references == table
                {
                    rename(referenced_columns);
                }
            }
        }
        for i in cat.indexes.values_mut() {
            if &i.table == table {
                rename(&mut i.include);
                for e in &mut i.elements {
                    if e.column.as_deref() == Some(from.as_str()) {
                        e.column = Some(to.clone());
                    }
                    if let Some(x) = &mut e.expr {
                        rename_in(x, from, to);
                    }
                }
                if let Some(p) = &mut i.predicate {
                    rename_in(p, from, to);
                }
            }
        }
        for s in cat.sequences.values_mut() {
            if let Some((t, c)) = &mut s.owned_by
                && t == table
                && c == from
            {
                c.clone_from(to);
            }
        }
    }
    cat
}

impl Planner<'_> {
    pub(crate) fn renames(&mut self, r: &Renames) {
        for (from, to) in &r.tables {
            self.change(
                Change::new("RENAME_TABLE", ObjectKind::Table, to.to_string())
                    .table(to.to_string())
                    .values(Some(from.to_string()), Some(to.to_string()))
                    .describe(format!("RENAME TABLE {from} TO {to}")),
            );
            let sql = format!("ALTER TABLE {} RENAME TO {};", from.sql(), quote_ident(&to.name));
            self.step(
                Phase::Rename,
                Action::Rename,
                ObjectKind::Table,
                ObjectId::Table(to.clone()),
                rank::TABLE,
                sql,
                Vec::new(),
            );
        }
        for (table, from, to) in &r.columns {
            self.change(
                Change::new("RENAME_COLUMN", ObjectKind::Column, format!("{table}.{to}"))
                    .table(table.to_string())
                    .column(to.clone())
                    .values(Some(from.clone()), Some(to.clone()))
                    .describe(format!("RENAME COLUMN {table}.{from} TO {to}")),
            );
            let sql =
                format!("ALTER TABLE {} RENAME COLUMN {} TO {};", table.sql(), quote_ident(from), quote_ident(to));
            self.step(
                Phase::Rename,
                Action::Rename,
                ObjectKind::Column,
                ObjectId::Column(table.clone(), to.clone()),
                rank::COLUMN,
                sql,
                Vec::new(),
            );
        }
        for (table, from, to) in &r.constraints {
            self.change(
                Change::new("RENAME_CONSTRAINT", ObjectKind::Constraint, format!("{to} on {table}"))
                    .table(table.to_string())
                    .values(Some(from.clone()), Some(to.clone()))
                    .describe(format!("RENAME CONSTRAINT {from} ON {table} TO {to}")),
            );
            let sql =
                format!("ALTER TABLE {} RENAME CONSTRAINT {} TO {};", table.sql(), quote_ident(from), quote_ident(to));
            let id = ObjectId::Constraint(table.clone(), to.clone());
            let step =
                self.step(Phase::Rename, Action::Rename, ObjectKind::Constraint, id, rank::CONSTRAINT, sql, Vec::new());
            step.deps.insert(ObjectId::Table(table.clone()));
        }
        for (from, to) in &r.indexes {
            self.change(
                Change::new("RENAME_INDEX", ObjectKind::Index, to.to_string())
                    .values(Some(from.to_string()), Some(to.to_string()))
                    .describe(format!("RENAME INDEX {from} TO {to}")),
            );
            let sql = format!("ALTER INDEX {} RENAME TO {};", from.sql(), quote_ident(&to.name));
            let table = self.new.indexes.get(to).map(|i| ObjectId::Table(i.table.clone()));
            let step = self.step(
                Phase::Rename,
                Action::Rename,
                ObjectKind::Index,
                ObjectId::Index(to.clone()),
                rank::INDEX,
                sql,
                Vec::new(),
            );
            step.deps.extend(table);
        }
    }
}
