//! The planner: per-kind comparisons produce steps (one statement each) with the object they act
//! on, what they provide and what they need; [`order`] sorts them: renames first, then drops
//! (dependants before what they depend on, in the old schema), then everything else (prerequisites
//! first, in the new schema). Ties are broken by kind and name, so the order is deterministic.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Change, Hazard, HazardKind};
use crate::schema::{Catalog, ObjectId, ObjectKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Drop,
    Alter,
    Rename,
    Comment,
    Grant,
    Revoke,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) enum Phase {
    Rename,
    Drop,
    #[default]
    Forward,
}

/// One statement of a plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Step {
    pub sql: String,
    pub action: Action,
    pub kind: ObjectKind,
    /// The object, as people name it.
    pub object: String,
    pub hazards: Vec<Hazard>,
    #[serde(skip)]
    pub(crate) phase: Phase,
    #[serde(skip)]
    pub(crate) id: ObjectId,
    #[serde(skip)]
    pub(crate) provides: Vec<ObjectId>,
    #[serde(skip)]
    pub(crate) deps: BTreeSet<ObjectId>,
    #[serde(skip)]
    pub(crate) rank: u8,
}

impl Step {
    pub fn is_destructive(&self) -> bool {
        self.hazards.iter().any(|h| h.kind == HazardKind::DeletesData)
    }
}

/// Tie-break ranks: the order of kinds when dependencies do not decide.
pub(crate) mod rank {
    pub const SCHEMA: u8 = 0;
    pub const EXTENSION: u8 = 1;
    pub const TYPE: u8 = 2;
    pub const SEQUENCE: u8 = 3;
    pub const TABLE: u8 = 4;
    pub const COLUMN: u8 = 5;
    pub const CONSTRAINT: u8 = 6;
    pub const INDEX: u8 = 7;
    pub const FOREIGN_KEY: u8 = 8;
    pub const FUNCTION: u8 = 9;
    pub const VIEW: u8 = 10;
    pub const TRIGGER: u8 = 11;
    pub const POLICY: u8 = 12;
    pub const OWNED_BY: u8 = 13;
    pub const TABLE_OPTION: u8 = 14;
    pub const COMMENT: u8 = 15;
    pub const GRANT: u8 = 16;
    pub const DEFAULT_PRIVILEGE: u8 = 17;
    /// Types, extensions and schemas are dropped at the end, once columns no longer use them.
    pub const LATE_TYPE_DROP: u8 = 18;
    pub const LATE_EXTENSION_DROP: u8 = 19;
    pub const LATE_SCHEMA_DROP: u8 = 20;
}

/// Drop order when dependencies do not decide (the reverse of creation).
fn drop_rank(rank: u8) -> u8 {
    match rank {
        rank::DEFAULT_PRIVILEGE => 0,
        rank::GRANT => 1,
        rank::COMMENT => 2,
        rank::POLICY => 3,
        rank::TRIGGER => 4,
        rank::VIEW => 5,
        rank::FUNCTION => 6,
        rank::INDEX => 7,
        rank::FOREIGN_KEY => 8,
        rank::CONSTRAINT => 9,
        rank::TABLE_OPTION => 10,
        rank::OWNED_BY => 10,
        rank::COLUMN => 11,
        rank::TABLE => 12,
        rank::SEQUENCE => 13,
        rank::TYPE => 14,
        rank::EXTENSION => 15,
        _ => 16,
    }
}

/// Collects the steps and changes of one direction (`old` → `new`).
pub(crate) struct Planner<'a> {
    /// The old schema with renames applied (see `rename.rs`).
    pub old: &'a Catalog,
    pub new: &'a Catalog,
    pub steps: Vec<Step>,
    pub changes: Vec<Change>,
    /// Objects of `old` dropped (for good or to be recreated).
    pub dropped: BTreeSet<ObjectId>,
    /// Tables whose column types change (their dependent views and policies are recreated).
    pub retyped: BTreeMap<crate::schema::QualifiedName, BTreeSet<String>>,
    /// Tables whose definitions are equal on both sides (see `table::unchanged_tables`).
    pub unchanged: BTreeSet<crate::schema::QualifiedName>,
    /// Whether grants are compared (both schemas were read with them).
    pub grants: bool,
    /// The fate of recreatable objects that change (see `decide.rs`); the others stay.
    pub decisions: BTreeMap<ObjectId, super::decide::Decision>,
}

impl<'a> Planner<'a> {
    pub fn new(old: &'a Catalog, new: &'a Catalog) -> Self {
        Self {
            old,
            new,
            steps: Vec::new(),
            changes: Vec::new(),
            dropped: BTreeSet::new(),
            retyped: BTreeMap::new(),
            unchanged: BTreeSet::new(),
            grants: old.include_grants && new.include_grants,
            decisions: BTreeMap::new(),
        }
    }

    pub fn change(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// A statement acting on `id`. Dependencies come from the schema the step belongs to.
    #[allow(clippy::too_many_arguments, reason = "every step needs all of these")]
    pub fn step(
        &mut self,
        phase: Phase,
        action: Action,
        kind: ObjectKind,
        id: ObjectId,
        rank: u8,
        sql: String,
        hazards: Vec<Hazard>,
    ) -> &mut Step {
        let deps = match phase {
            Phase::Drop => self.old.dependencies(&id),
            Phase::Rename | Phase::Forward => self.new.dependencies(&id),
        };
        let object = display(&id);
        let provides = if phase != Phase::Drop && matches!(action, Action::Create | Action::Alter | Action::Rename) {
            vec![id.clone()]
        } else {
            Vec::new()
        };
        self.steps.push(Step { sql, action, kind, object, hazards, phase, id, provides, deps, rank });
        self.steps.last_mut().expect("invariant: just pushed")
    }
}

/// `app.users`, `users.email`, `users_pkey on users`, `f(integer)`.
pub(crate) fn display(id: &ObjectId) -> String {
    match id {
        ObjectId::Schema(n) | ObjectId::Extension(n) => n.clone(),
        ObjectId::Type(n) | ObjectId::Sequence(n) | ObjectId::Table(n) | ObjectId::Index(n) | ObjectId::View(n) => {
            n.to_string()
        }
        ObjectId::Column(t, c) => format!("{t}.{c}"),
        ObjectId::Constraint(t, c) | ObjectId::Trigger(t, c) | ObjectId::Policy(t, c) => format!("{c} on {t}"),
        ObjectId::Function(n, a) => format!("{n}({a})"),
    }
}

/// Whether step `t`, which provides `provided`, satisfies a dependency on `dep`.
fn satisfies(provided: &ObjectId, dep: &ObjectId) -> bool {
    if provided == dep {
        return true;
    }
    match (provided, dep) {
        // Column steps complete their table: what needs the table waits for them.
        (ObjectId::Column(t, _), ObjectId::Table(d)) => t == d,
        (ObjectId::Table(t), ObjectId::Column(d, _)) => t == d,
        _ => false,
    }
}

/// Sorts steps: renames, drops, then the rest, each topologically with deterministic ties.
pub(crate) fn order(steps: Vec<Step>) -> Vec<Step> {
    let mut out = Vec::with_capacity(steps.len());
    let mut by_phase: BTreeMap<Phase, Vec<Step>> = BTreeMap::new();
    for s in steps {
        by_phase.entry(s.phase).or_default().push(s);
    }
    for (phase, steps) in by_phase {
        out.extend(topo(steps, phase));
    }
    out
}

fn topo(steps: Vec<Step>, phase: Phase) -> Vec<Step> {
    let n = steps.len();
    // before[i] = steps that must come before step i.
    let mut before: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    if phase == Phase::Drop {
        // Step i drops X; if X depends on Y and step j drops Y (or a column of table Y), i goes first.
        let mut droppers: BTreeMap<&ObjectId, Vec<usize>> = BTreeMap::new();
        let mut column_droppers: BTreeMap<&crate::schema::QualifiedName, Vec<usize>> = BTreeMap::new();
        for (j, s) in steps.iter().enumerate() {
            droppers.entry(&s.id).or_default().push(j);
            if let ObjectId::Column(t, _) = &s.id {
                column_droppers.entry(t).or_default().push(j);
            }
        }
        for (i, s) in steps.iter().enumerate() {
            for dep in &s.deps {
                for &j in droppers.get(dep).into_iter().flatten() {
                    if j != i {
                        before[j].insert(i);
                    }
                }
                if let ObjectId::Table(t) = dep
                    && !matches!(s.id, ObjectId::Column(..))
                {
                    for &j in column_droppers.get(t).into_iter().flatten() {
                        before[j].insert(i);
                    }
                }
            }
        }
    } else {
        let mut providers: Vec<(&ObjectId, usize)> = Vec::new();
        for (j, s) in steps.iter().enumerate() {
            for p in &s.provides {
                providers.push((p, j));
            }
        }
        // Index providers by table for speed.
        let mut by_key: BTreeMap<ObjectId, Vec<(usize, &ObjectId)>> = BTreeMap::new();
        for (p, j) in &providers {
            let key = match p {
                ObjectId::Column(t, _) => ObjectId::Table(t.clone()),
                other => (*other).clone(),
            };
            by_key.entry(key).or_default().push((*j, p));
        }
        for (i, s) in steps.iter().enumerate() {
            for dep in &s.deps {
                let key = match dep {
                    ObjectId::Column(t, _) => ObjectId::Table(t.clone()),
                    other => other.clone(),
                };
                for (j, p) in by_key.get(&key).into_iter().flatten() {
                    // A column step needs its table, not the other columns being changed.
                    let sibling = matches!((&s.id, p, dep), (ObjectId::Column(a, _), ObjectId::Column(b, _), ObjectId::Table(_)) if a == b);
                    if *j != i && !sibling && satisfies(p, dep) {
                        before[i].insert(*j);
                    }
                }
            }
        }
        // Steps on the same object keep the order they were produced in (drop default, alter
        // type, set default…).
        let mut last_on: BTreeMap<&ObjectId, usize> = BTreeMap::new();
        for (i, s) in steps.iter().enumerate() {
            if let Some(&j) = last_on.get(&s.id) {
                before[i].insert(j);
            }
            last_on.insert(&s.id, i);
        }
    }
    if phase == Phase::Drop {
        let mut last_on: BTreeMap<&ObjectId, usize> = BTreeMap::new();
        for (i, s) in steps.iter().enumerate() {
            if let Some(&j) = last_on.get(&s.id) {
                before[i].insert(j);
            }
            last_on.insert(&s.id, i);
        }
    }
    let key = |i: usize| {
        let s = &steps[i];
        let r = if phase == Phase::Drop { drop_rank(s.rank) } else { s.rank };
        (r, s.id.clone(), i)
    };
    let mut remaining: Vec<usize> = before.iter().map(BTreeSet::len).collect();
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, b) in before.iter().enumerate() {
        for &j in b {
            after[j].push(i);
        }
    }
    let mut ready: BTreeSet<(u8, ObjectId, usize)> = (0..n).filter(|&i| remaining[i] == 0).map(key).collect();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let next = match ready.pop_first() {
            Some((_, _, i)) => i,
            // A cycle: take the first step left, by the same tie-break, and carry on.
            None => match (0..n).filter(|&i| !done[i]).map(key).min() {
                Some((_, _, i)) => i,
                None => break,
            },
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        order.push(next);
        for &k in &after[next] {
            remaining[k] = remaining[k].saturating_sub(1);
            if remaining[k] == 0 && !done[k] {
                ready.insert(key(k));
            }
        }
    }
    let mut slots: Vec<Option<Step>> = steps.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}
