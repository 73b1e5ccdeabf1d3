//! What happens to each object that can be dropped and recreated (constraints, indexes, views,
//! functions, triggers, policies, types): created, dropped, changed in place, replaced, or left
//! alone — and which unchanged objects must be recreated because something they depend on is
//! replaced or a column they read changes type.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::schema::{Catalog, ObjectId, TypeDef};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    Create,
    Drop,
    /// Dropped and created again; `because` names what forced it when the object itself is unchanged.
    Replace {
        because: Option<String>,
    },
    /// Kept; changed in place where it differs (comments, grants, validation, enum values,
    /// CREATE OR REPLACE of a function body).
    Same,
}

/// Whether the object's definition (not its comment or grants) differs.
pub(crate) fn definition_differs(old: &Catalog, new: &Catalog, id: &ObjectId) -> bool {
    match id {
        ObjectId::Constraint(t, n) => {
            let a = old.tables.get(t).and_then(|x| x.constraints.get(n));
            let b = new.tables.get(t).and_then(|x| x.constraints.get(n));
            match (a, b) {
                (Some(a), Some(b)) => {
                    a.kind != b.kind
                        || a.deferrable != b.deferrable
                        || a.initially_deferred != b.initially_deferred
                        || (a.validated && !b.validated)
                }
                _ => true,
            }
        }
        ObjectId::Index(n) => match (old.indexes.get(n), new.indexes.get(n)) {
            (Some(a), Some(b)) => {
                a.table != b.table
                    || a.unique != b.unique
                    || a.nulls_not_distinct != b.nulls_not_distinct
                    || a.method != b.method
                    || a.elements != b.elements
                    || a.include != b.include
                    || a.predicate != b.predicate
                    || a.options != b.options
            }
            _ => true,
        },
        ObjectId::View(n) => match (old.views.get(n), new.views.get(n)) {
            (Some(a), Some(b)) => {
                a.materialized != b.materialized
                    || a.query != b.query
                    || a.check_option != b.check_option
                    || a.options != b.options
            }
            _ => true,
        },
        ObjectId::Function(n, args) => {
            let key = (n.clone(), args.clone());
            match (old.functions.get(&key), new.functions.get(&key)) {
                // CREATE OR REPLACE cannot change the signature or the result; anything else is done
                // in place.
                (Some(a), Some(b)) => {
                    a.arguments != b.arguments
                        || a.returns != b.returns
                        || a.returns_set != b.returns_set
                        || a.procedure != b.procedure
                        || a.window != b.window
                }
                _ => true,
            }
        }
        ObjectId::Trigger(t, n) => {
            let a = old.tables.get(t).and_then(|x| x.triggers.get(n));
            let b = new.tables.get(t).and_then(|x| x.triggers.get(n));
            match (a, b) {
                (Some(a), Some(b)) => {
                    a.timing != b.timing
                        || a.events != b.events
                        || a.update_columns != b.update_columns
                        || a.for_each_row != b.for_each_row
                        || a.when != b.when
                        || a.function != b.function
                        || a.arguments != b.arguments
                        || a.constraint != b.constraint
                        || a.deferrable != b.deferrable
                        || a.initially_deferred != b.initially_deferred
                        || a.referencing != b.referencing
                }
                _ => true,
            }
        }
        ObjectId::Policy(t, n) => {
            let a = old.tables.get(t).and_then(|x| x.policies.get(n));
            let b = new.tables.get(t).and_then(|x| x.policies.get(n));
            match (a, b) {
                (Some(a), Some(b)) => {
                    a.permissive != b.permissive
                        || a.command != b.command
                        || a.roles != b.roles
                        || a.using != b.using
                        || a.with_check != b.with_check
                }
                _ => true,
            }
        }
        ObjectId::Type(n) => match (old.types.get(n), new.types.get(n)) {
            (Some(TypeDef::Enum(a)), Some(TypeDef::Enum(b))) => !is_subsequence(&a.labels, &b.labels),
            (Some(TypeDef::Composite(_)), Some(TypeDef::Composite(_))) => false,
            (Some(TypeDef::Domain(a)), Some(TypeDef::Domain(b))) => a.base != b.base || a.collation != b.collation,
            (Some(TypeDef::Range(a)), Some(TypeDef::Range(b))) => {
                let mut a = a.clone();
                a.comment.clone_from(&b.comment);
                a.grants.clone_from(&b.grants);
                a != *b
            }
            (Some(_), Some(_)) => true,
            _ => true,
        },
        _ => false,
    }
}

/// Whether `old` appears in `new` in the same order (so values can be added in place).
pub(crate) fn is_subsequence(old: &[String], new: &[String]) -> bool {
    let mut it = new.iter();
    old.iter().all(|o| it.any(|n| n == o))
}

/// Objects whose fate is decided here.
fn recreatable(id: &ObjectId) -> bool {
    matches!(
        id,
        ObjectId::Constraint(..)
            | ObjectId::Index(_)
            | ObjectId::View(_)
            | ObjectId::Function(..)
            | ObjectId::Trigger(..)
            | ObjectId::Policy(..)
            | ObjectId::Type(_)
    )
}

/// The recreatable objects of a model.
fn recreatable_ids(cat: &Catalog) -> Vec<ObjectId> {
    let mut ids: Vec<ObjectId> = cat.types.keys().map(|k| ObjectId::Type(k.clone())).collect();
    for (name, t) in &cat.tables {
        ids.extend(t.constraints.keys().map(|c| ObjectId::Constraint(name.clone(), c.clone())));
        ids.extend(t.triggers.keys().map(|c| ObjectId::Trigger(name.clone(), c.clone())));
        ids.extend(t.policies.keys().map(|c| ObjectId::Policy(name.clone(), c.clone())));
    }
    ids.extend(cat.indexes.keys().map(|k| ObjectId::Index(k.clone())));
    ids.extend(cat.views.keys().map(|k| ObjectId::View(k.clone())));
    ids.extend(cat.functions.keys().map(|(n, a)| ObjectId::Function(n.clone(), a.clone())));
    debug_assert!(ids.iter().all(recreatable), "invariant: recreatable_ids lists recreatable kinds only");
    ids
}

/// Every recreatable object's decision, with replacements propagated to dependants. Objects
/// absent from the result stay the same (most of a large schema: only changes are stored).
pub(crate) fn decide(
    old: &Catalog,
    new: &Catalog,
    retyped: &BTreeMap<crate::schema::QualifiedName, BTreeSet<String>>,
    unchanged: &BTreeSet<crate::schema::QualifiedName>,
) -> BTreeMap<ObjectId, Decision> {
    let mut out = BTreeMap::new();
    let mut consider = |id: ObjectId, in_old: bool, in_new: bool| {
        let d = match (in_old, in_new) {
            (true, false) => Decision::Drop,
            (false, true) => Decision::Create,
            // Enums that only gain values, composites and domains change in place.
            _ if definition_differs(old, new, &id) => Decision::Replace { because: None },
            _ => return,
        };
        out.insert(id, d);
    };
    for name in old.tables.keys().chain(new.tables.keys().filter(|n| !old.tables.contains_key(*n))) {
        if unchanged.contains(name) {
            continue; // every constraint, trigger and policy of an unchanged table stays
        }
        let (a, b) = (old.tables.get(name), new.tables.get(name));
        let mut names: BTreeSet<(u8, &String)> = BTreeSet::new();
        for t in [a, b].into_iter().flatten() {
            names.extend(t.constraints.keys().map(|k| (0, k)));
            names.extend(t.triggers.keys().map(|k| (1, k)));
            names.extend(t.policies.keys().map(|k| (2, k)));
        }
        for (kind, n) in names {
            let has = |t: Option<&crate::schema::Table>| {
                t.is_some_and(|t| match kind {
                    0 => t.constraints.contains_key(n),
                    1 => t.triggers.contains_key(n),
                    _ => t.policies.contains_key(n),
                })
            };
            let id = match kind {
                0 => ObjectId::Constraint(name.clone(), n.clone()),
                1 => ObjectId::Trigger(name.clone(), n.clone()),
                _ => ObjectId::Policy(name.clone(), n.clone()),
            };
            consider(id, has(a), has(b));
        }
    }
    for n in old.indexes.keys().chain(new.indexes.keys().filter(|n| !old.indexes.contains_key(*n))) {
        consider(ObjectId::Index(n.clone()), old.indexes.contains_key(n), new.indexes.contains_key(n));
    }
    for n in old.views.keys().chain(new.views.keys().filter(|n| !old.views.contains_key(*n))) {
        consider(ObjectId::View(n.clone()), old.views.contains_key(n), new.views.contains_key(n));
    }
    for n in old.types.keys().chain(new.types.keys().filter(|n| !old.types.contains_key(*n))) {
        consider(ObjectId::Type(n.clone()), old.types.contains_key(n), new.types.contains_key(n));
    }
    for k in old.functions.keys().chain(new.functions.keys().filter(|k| !old.functions.contains_key(*k))) {
        consider(
            ObjectId::Function(k.0.clone(), k.1.clone()),
            old.functions.contains_key(k),
            new.functions.contains_key(k),
        );
    }
    // Dependants of what is dropped or replaced, in the old schema. Only objects that can be
    // recreated are ever recreated as dependants, and only recreatable objects and retyped tables
    // are ever in the queue: other dependencies (schemas, most tables) are not recorded.
    let replaced_any = out.values().any(|d| matches!(d, Decision::Drop | Decision::Replace { .. }));
    let candidates: Vec<ObjectId> = if replaced_any || !retyped.is_empty() { recreatable_ids(old) } else { Vec::new() };
    let relevant = |dep: &ObjectId| recreatable(dep) || matches!(dep, ObjectId::Table(t) if retyped.contains_key(t));
    let edges: Vec<Vec<ObjectId>> =
        candidates.par_iter().map(|id| old.dependencies(id).into_iter().filter(|d| relevant(d)).collect()).collect();
    let mut dependants: BTreeMap<ObjectId, Vec<ObjectId>> = BTreeMap::new();
    for (id, deps) in candidates.iter().zip(edges) {
        for dep in deps {
            dependants.entry(dep).or_default().push(id.clone());
        }
    }
    let mut queue: Vec<ObjectId> = out
        .iter()
        .filter(|(_, d)| matches!(d, Decision::Drop | Decision::Replace { .. }))
        .map(|(id, _)| id.clone())
        .collect();
    // Columns changing type: views and SQL-standard functions reading the table, and policies or
    // triggers whose expressions name the column, must be recreated around the change.
    for (table, columns) in retyped {
        let tid = ObjectId::Table(table.clone());
        for d in dependants.get(&tid).into_iter().flatten() {
            let mentions = |key: &str| columns.iter().any(|c| key.contains(&format!("\"sval\":\"{c}\"")));
            let hit = match d {
                ObjectId::View(_) => true,
                ObjectId::Function(n, a) => old.functions.get(&(n.clone(), a.clone())).is_some_and(|f| f.sql_body),
                ObjectId::Policy(t, n) => old.tables.get(t).and_then(|x| x.policies.get(n)).is_some_and(|p| {
                    p.using.as_ref().is_some_and(|e| mentions(&e.key))
                        || p.with_check.as_ref().is_some_and(|e| mentions(&e.key))
                }),
                ObjectId::Trigger(t, n) => old.tables.get(t).and_then(|x| x.triggers.get(n)).is_some_and(|tr| {
                    tr.when.as_ref().is_some_and(|e| mentions(&e.key)) || !tr.update_columns.is_empty()
                }),
                _ => false,
            };
            if hit && !out.contains_key(d) {
                out.insert(d.clone(), Decision::Replace { because: Some(format!("a column of {table} changes type")) });
                queue.push(d.clone());
            }
        }
    }
    while let Some(x) = queue.pop() {
        for d in dependants.get(&x).cloned().unwrap_or_default() {
            if !recreatable(&d) {
                continue;
            }
            if !out.contains_key(&d) {
                out.insert(
                    d.clone(),
                    Decision::Replace { because: Some(format!("{} changes", super::plan::display(&x))) },
                );
                queue.push(d);
            }
        }
    }
    out
}
