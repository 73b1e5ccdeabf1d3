//! Schema diff: model A → model B as an ordered plan of SQL statements, one statement per step,
//! each with its hazards (and a safer alternative where there is one); the down plan is the diff
//! B → A.
//!
//! Order: renames (from `-- confiture: renamed-from` annotations) first, then drops — dependants
//! before what they depend on, in A — then creations and changes — prerequisites first, in B.
//! Objects whose definition changes in a way PostgreSQL cannot alter in place are dropped and
//! created again, and so are the views, functions, triggers, policies, indexes and foreign keys
//! that depend on them (or that read a column whose type changes). Ties are broken by kind and
//! name: the same inputs always give the same plan.
//!
//! Sides come from DDL files, directories, environments or databases ([`source`]); plans are
//! rendered as JSON, SQL or migration files ([`format`], [`generate`]).

mod change;
mod comment;
mod composite;
mod decide;
mod domain;
mod enum_type;
mod error;
pub mod format;
mod function;
pub mod generate;
mod grant;
mod hazard;
mod index;
mod namespace;
mod plan;
mod policy;
mod rename;
mod render;
mod sequence;
pub mod source;
mod table;
mod trigger;
mod types;
mod view;

use serde::Serialize;

pub use change::Change;
pub use error::DiffError;
pub use hazard::{Hazard, HazardKind};
pub use plan::{Action, Step};

use crate::schema::{Catalog, Constraint, Index};

/// How a constraint is written after `ADD CONSTRAINT name` (`FOREIGN KEY ("a") REFERENCES …`),
/// for reports and schema snapshots.
pub fn constraint_definition(c: &Constraint) -> String {
    render::constraint_body(c)
}

/// An object as changes name it (`users.email`, `users_pkey on users`, `f(integer)`).
pub fn object_display(id: &crate::schema::ObjectId) -> String {
    plan::display(id)
}

/// The `CREATE INDEX` statement of an index.
pub fn index_definition(i: &Index) -> String {
    index::create_sql(i)
}

/// The changes from `old` to `new`, the plan that makes them (`up`) and the plan that undoes them
/// (`down`, the diff `new` → `old`).
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub changes: Vec<Change>,
    pub up: Vec<Step>,
    pub down: Vec<Step>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.up.is_empty() && self.changes.is_empty()
    }

    /// Steps of the up plan that delete data.
    pub fn destructive_steps(&self) -> Vec<&Step> {
        self.up.iter().filter(|s| s.is_destructive()).collect()
    }
}

/// One direction: the changes and the ordered steps turning `old` into `new`.
pub fn plan(old: &Catalog, new: &Catalog) -> Result<(Vec<Change>, Vec<Step>), DiffError> {
    let mut renames = rename::find(old, new);
    // The old schema is copied only when something is renamed.
    let mut renamed = std::borrow::Cow::Borrowed(old);
    if !renames.tables.is_empty() || !renames.columns.is_empty() {
        renamed = std::borrow::Cow::Owned(rename::apply(old, &renames));
    }
    rename::find_secondary(&renamed, new, &mut renames);
    if !renames.constraints.is_empty() || !renames.indexes.is_empty() {
        rename::apply_secondary(renamed.to_mut(), &renames);
    }
    let mut p = plan::Planner::new(&renamed, new);
    p.renames(&renames);
    p.unchanged = table::unchanged_tables(&renamed, new);
    p.retyped = table::retyped_columns(&renamed, new, &p.unchanged);
    p.decisions = decide::decide(&renamed, new, &p.retyped, &p.unchanged);
    p.schemas();
    p.extensions();
    p.types();
    p.sequences();
    p.tables()?;
    p.indexes();
    p.views();
    p.functions();
    p.default_privileges();
    let o = plan::order(p.steps);
    Ok((p.changes, o))
}

/// Both directions (planned side by side: they share nothing).
pub fn diff(old: &Catalog, new: &Catalog) -> Result<Diff, DiffError> {
    let (up, down) = rayon::join(|| plan(old, new), || plan(new, old));
    let ((changes, up), (_, down)) = (up?, down?);
    Ok(Diff { changes, up, down })
}
