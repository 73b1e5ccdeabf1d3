//! Tables and columns: CREATE/DROP TABLE, ADD/DROP/ALTER COLUMN (type with USING, default,
//! NOT NULL, identity, generated expression, collation), partitions (ATTACH/DETACH), inheritance,
//! UNLOGGED, row-level security, storage parameters; constraints, triggers and policies of each
//! table follow their decisions.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::schema::{Catalog, Column, ConstraintKind, ObjectId, ObjectKind, QualifiedName, Table, TypeDef};
use crate::sql::{quote_ident, quote_literal};

use super::decide::{Decision, is_subsequence};
use super::plan::{Action, Phase, Planner, rank};
use super::render::{column_definition, constraint_body, qualified_ident, with_options};
use super::{Change, DiffError, Hazard, HazardKind};

/// Tables on both sides whose definitions are equal (columns, constraints, triggers, policies,
/// options, comments, grants): most of a large schema, compared once per plan, in parallel.
pub(crate) fn unchanged_tables(old: &Catalog, new: &Catalog) -> BTreeSet<QualifiedName> {
    let pairs: Vec<(&Table, &Table)> =
        new.tables.iter().filter_map(|(name, n)| old.tables.get(name).map(|o| (o, n))).collect();
    pairs.into_par_iter().filter(|(o, n)| o == n).map(|(_, n)| n.name.clone()).collect::<Vec<_>>().into_iter().collect()
}

/// Columns whose type (or collation, or generation) changes, by table: what they feed must be
/// recreated around the change. Columns of enums that are recreated count too.
pub(crate) fn retyped_columns(
    old: &Catalog,
    new: &Catalog,
    unchanged: &BTreeSet<QualifiedName>,
) -> BTreeMap<QualifiedName, BTreeSet<String>> {
    let recreated_enums: BTreeSet<&QualifiedName> = new
        .types
        .iter()
        .filter(|(n, t)| match (old.types.get(*n), t) {
            (Some(TypeDef::Enum(a)), TypeDef::Enum(b)) => !is_subsequence(&a.labels, &b.labels),
            _ => false,
        })
        .map(|(n, _)| n)
        .collect();
    let mut out: BTreeMap<QualifiedName, BTreeSet<String>> = BTreeMap::new();
    for (name, nt) in &new.tables {
        // An unchanged table keeps its column types, unless an enum it uses is recreated.
        if recreated_enums.is_empty() && unchanged.contains(name) {
            continue;
        }
        let Some(ot) = old.tables.get(name) else { continue };
        for (i, c) in nt.columns.iter().enumerate() {
            let Some(o) = ot.columns.get(i).filter(|o| o.name == c.name).or_else(|| ot.column(&c.name)) else {
                continue;
            };
            let enum_recreated = !recreated_enums.is_empty()
                && recreated_enums.contains(&QualifiedName::new(c.data_type.schema.clone(), c.data_type.name.clone()));
            if o.data_type != c.data_type
                || o.collation != c.collation
                || (o.generated != c.generated && c.generated.is_some())
                || enum_recreated
            {
                out.entry(name.clone()).or_default().insert(c.name.clone());
            }
        }
    }
    out
}

/// Calls PostgreSQL evaluates per row when a column is added (the table is rewritten).
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
    "statement_timestamp",
];

impl Planner<'_> {
    fn is_volatile(&self, c: &Column) -> bool {
        c.default.as_ref().is_some_and(|d| {
            d.refs.functions.iter().any(|f| {
                let name = if f.schema.is_empty() { QualifiedName::new("public", f.name.clone()) } else { f.clone() };
                VOLATILE.contains(&f.name.as_str())
                    || self.new.functions_named(&name).any(|id| match id {
                        ObjectId::Function(n, a) => {
                            self.new.functions.get(&(n, a)).is_some_and(|x| x.volatility == "volatile")
                        }
                        _ => false,
                    })
            })
        })
    }

    fn is_enum(&self, t: &crate::schema::TypeRef) -> bool {
        let q = QualifiedName::new(t.schema.clone(), t.name.clone());
        matches!(self.old.types.get(&q), Some(TypeDef::Enum(_)))
            || matches!(self.new.types.get(&q), Some(TypeDef::Enum(_)))
    }

    pub(crate) fn tables(&mut self) -> Result<(), DiffError> {
        let new = self.new;
        let old = self.old;
        for (name, t) in &new.tables {
            match old.tables.get(name) {
                None => self.create_table(t),
                Some(o) => self.alter_table(o, t)?,
            }
        }
        for (name, t) in &old.tables {
            if !new.tables.contains_key(name) {
                self.drop_table(t);
            }
        }
        // Members of a table whose definition is the same, none of them dropped or recreated,
        // produce no step: skipped without looking at each (most of a large schema).
        let mut decided: BTreeSet<QualifiedName> = BTreeSet::new();
        for id in self.decisions.keys() {
            if let ObjectId::Constraint(t, _) | ObjectId::Trigger(t, _) | ObjectId::Policy(t, _) = id {
                decided.insert(t.clone());
            }
        }
        let names: BTreeSet<&QualifiedName> = old.tables.keys().chain(new.tables.keys()).collect();
        for name in names {
            if decided.contains(name) || !self.unchanged.contains(name) {
                self.table_members(name);
            }
        }
        Ok(())
    }

    fn create_table(&mut self, t: &Table) {
        let id = ObjectId::Table(t.name.clone());
        let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
        let inline: Vec<&crate::schema::Constraint> = t.constraints.values().filter(|c| !c.is_foreign_key()).collect();
        let constraint_lines: Vec<String> =
            inline.iter().map(|c| format!("CONSTRAINT {} {}", quote_ident(&c.name), constraint_body(c))).collect();
        let attach_later = t.partition_of.as_ref().filter(|_| !t.columns.is_empty());
        let mut sql = if let Some(p) = t.partition_of.as_ref().filter(|_| t.columns.is_empty()) {
            let mut s = format!("CREATE {unlogged}TABLE {} PARTITION OF {}", t.name.sql(), p.parent.sql());
            if !constraint_lines.is_empty() {
                s.push_str(&format!(" (\n    {}\n)", constraint_lines.join(",\n    ")));
            }
            s.push(' ');
            s.push_str(&p.bound.sql);
            s
        } else {
            let mut lines: Vec<String> = t.columns.iter().map(column_definition).collect();
            lines.extend(constraint_lines);
            let mut s = format!("CREATE {unlogged}TABLE {} (\n    {}\n)", t.name.sql(), lines.join(",\n    "));
            if !t.inherits.is_empty() {
                let parents: Vec<String> = t.inherits.iter().map(QualifiedName::sql).collect();
                s.push_str(&format!(" INHERITS ({})", parents.join(", ")));
            }
            s
        };
        if let Some(k) = &t.partition_key {
            sql.push_str(&partition_by(k));
        }
        sql.push_str(&with_options(&t.options));
        sql.push(';');
        self.change(
            Change::new("ADD_TABLE", ObjectKind::Table, t.name.to_string())
                .table(t.name.to_string())
                .describe(format!("ADD TABLE {}", t.name)),
        );
        let mut extra_deps = BTreeSet::new();
        for c in &inline {
            extra_deps.extend(self.new.dependencies(&ObjectId::Constraint(t.name.clone(), c.name.clone())));
        }
        let step =
            self.step(Phase::Forward, Action::Create, ObjectKind::Table, id.clone(), rank::TABLE, sql, Vec::new());
        extra_deps.remove(&id);
        step.deps.extend(extra_deps);
        step.provides.extend(inline.iter().map(|c| ObjectId::Constraint(t.name.clone(), c.name.clone())));
        step.provides.extend(t.columns.iter().map(|c| ObjectId::Column(t.name.clone(), c.name.clone())));
        if let Some(p) = attach_later {
            // A partition with columns of its own: created as a table, then attached.
            let sql = format!("ALTER TABLE {} ATTACH PARTITION {} {};", p.parent.sql(), t.name.sql(), p.bound.sql);
            let step = self.step(
                Phase::Forward,
                Action::Alter,
                ObjectKind::Table,
                id.clone(),
                rank::TABLE_OPTION,
                sql,
                Vec::new(),
            );
            step.deps.insert(ObjectId::Table(p.parent.clone()));
            step.deps.insert(id.clone());
            step.provides.clear();
        }
        self.comment(&id, ObjectKind::Table, &format!("TABLE {}", t.name.sql()), None, t.comment.as_ref());
        for c in &t.columns {
            self.column_comment(t, c, None);
        }
        for c in inline {
            self.comment(
                &ObjectId::Constraint(t.name.clone(), c.name.clone()),
                ObjectKind::Constraint,
                &format!("CONSTRAINT {} ON {}", quote_ident(&c.name), t.name.sql()),
                None,
                c.comment.as_ref(),
            );
        }
        if t.row_security {
            self.table_option(t, "ENABLE ROW LEVEL SECURITY", "CHANGE_ROW_SECURITY", Vec::new());
        }
        if t.force_row_security {
            self.table_option(t, "FORCE ROW LEVEL SECURITY", "CHANGE_ROW_SECURITY", Vec::new());
        }
        self.grants(&id, ObjectKind::Table, &format!("TABLE {}", t.name.sql()), &BTreeSet::new(), &t.grants);
    }

    fn drop_table(&mut self, t: &Table) {
        self.change(
            Change::new("DROP_TABLE", ObjectKind::Table, t.name.to_string())
                .table(t.name.to_string())
                .describe(format!("DROP TABLE {}", t.name)),
        );
        let hazards = vec![
            Hazard::deletes_data(format!("drops table {} and every row in it", t.name))
                .safer("keep the table (or rename it) until nothing reads it, back it up, then drop it"),
            Hazard::exclusive_lock(&t.name.to_string()),
        ];
        self.step(
            Phase::Drop,
            Action::Drop,
            ObjectKind::Table,
            ObjectId::Table(t.name.clone()),
            rank::TABLE,
            format!("DROP TABLE {};", t.name.sql()),
            hazards,
        );
        self.dropped.insert(ObjectId::Table(t.name.clone()));
    }

    fn table_option(&mut self, t: &Table, clause: &str, change_type: &str, hazards: Vec<Hazard>) {
        let sql = format!("ALTER TABLE {} {clause};", t.name.sql());
        self.change(
            Change::new(change_type, ObjectKind::Table, t.name.to_string())
                .table(t.name.to_string())
                .describe(format!("{} {}: {clause}", change_type.replace('_', " "), t.name)),
        );
        let id = ObjectId::Table(t.name.clone());
        let step =
            self.step(Phase::Forward, Action::Alter, ObjectKind::Table, id.clone(), rank::TABLE_OPTION, sql, hazards);
        step.deps.insert(id);
        step.provides.clear();
    }

    fn column_comment(&mut self, t: &Table, c: &Column, old: Option<&String>) {
        self.comment(
            &ObjectId::Column(t.name.clone(), c.name.clone()),
            ObjectKind::Column,
            &format!("COLUMN {}.{}", t.name.sql(), quote_ident(&c.name)),
            old,
            c.comment.as_ref(),
        );
    }

    fn alter_table(&mut self, o: &Table, n: &Table) -> Result<(), DiffError> {
        // An unchanged table needs steps only for columns whose type is recreated or whose
        // default calls something the plan recreates.
        if self.unchanged.contains(&n.name)
            && !self.retyped.contains_key(&n.name)
            && n.columns.iter().all(|c| c.default.as_ref().is_none_or(|d| !self.default_needs_rebind(d)))
        {
            return Ok(());
        }
        let tname = n.name.to_string();
        if o.partition_key != n.partition_key {
            return Err(DiffError::Unsupported {
                what: format!(
                    "changing the partitioning of {tname} (rebuild the table under a new name and move the rows)"
                ),
            });
        }
        // Attaching makes a table's columns the parent's; detaching gives them back: neither
        // adds nor drops them.
        let mut inherited: BTreeSet<String> = BTreeSet::new();
        if o.partition_of != n.partition_of {
            for p in [&o.partition_of, &n.partition_of].into_iter().flatten() {
                inherited.extend(self.new.relation_columns(&p.parent).unwrap_or_default());
                inherited.extend(self.old.relation_columns(&p.parent).unwrap_or_default());
            }
        }
        for (i, c) in n.columns.iter().enumerate() {
            // Columns are usually in the same place on both sides: look there first.
            let same_place = o.columns.get(i).filter(|oc| oc.name == c.name);
            match same_place.or_else(|| o.column(&c.name)) {
                None if inherited.contains(&c.name) => {}
                None => self.add_column(n, c),
                Some(oc) => self.alter_column(n, oc, c),
            }
        }
        for c in &o.columns {
            if n.column(&c.name).is_none() && !inherited.contains(&c.name) {
                self.drop_column(n, c);
            }
        }
        if o.partition_of != n.partition_of {
            if let Some(p) = &o.partition_of {
                let sql = format!("ALTER TABLE {} DETACH PARTITION {};", p.parent.sql(), n.name.sql());
                self.change(
                    Change::new("DETACH_PARTITION", ObjectKind::Table, tname.clone())
                        .table(tname.clone())
                        .describe(format!("DETACH PARTITION {tname} FROM {}", p.parent)),
                );
                let step = self.step(
                    Phase::Drop,
                    Action::Alter,
                    ObjectKind::Table,
                    ObjectId::Table(n.name.clone()),
                    rank::TABLE_OPTION,
                    sql,
                    vec![Hazard::exclusive_lock(&p.parent.to_string())],
                );
                step.deps.clear();
            }
            if let Some(p) = &n.partition_of {
                let sql = format!("ALTER TABLE {} ATTACH PARTITION {} {};", p.parent.sql(), n.name.sql(), p.bound.sql);
                self.change(
                    Change::new("ATTACH_PARTITION", ObjectKind::Table, tname.clone())
                        .table(tname.clone())
                        .describe(format!("ATTACH PARTITION {tname} TO {} {}", p.parent, p.bound.sql)),
                );
                let hazard = Hazard::new(HazardKind::FullScan, format!("scans {tname} to check that its rows fit the bound"))
                    .safer("add a CHECK constraint matching the bound (NOT VALID, then VALIDATE) before attaching: the scan is skipped");
                let id = ObjectId::Table(n.name.clone());
                let step = self.step(
                    Phase::Forward,
                    Action::Alter,
                    ObjectKind::Table,
                    id,
                    rank::TABLE_OPTION,
                    sql,
                    vec![hazard],
                );
                step.deps.insert(ObjectId::Table(p.parent.clone()));
                step.provides.clear();
            }
        }
        for p in &n.inherits {
            if !o.inherits.contains(p) {
                self.table_option(n, &format!("INHERIT {}", p.sql()), "CHANGE_INHERITANCE", Vec::new());
            }
        }
        for p in &o.inherits {
            if !n.inherits.contains(p) {
                self.table_option(n, &format!("NO INHERIT {}", p.sql()), "CHANGE_INHERITANCE", Vec::new());
            }
        }
        if o.unlogged != n.unlogged {
            let clause = if n.unlogged { "SET UNLOGGED" } else { "SET LOGGED" };
            let hazards = vec![
                Hazard::new(HazardKind::RewritesTable, format!("rewrites {tname}")),
                Hazard::exclusive_lock(&tname),
            ];
            self.table_option(n, clause, "CHANGE_PERSISTENCE", hazards);
        }
        if o.row_security != n.row_security {
            let clause = if n.row_security { "ENABLE ROW LEVEL SECURITY" } else { "DISABLE ROW LEVEL SECURITY" };
            self.table_option(n, clause, "CHANGE_ROW_SECURITY", Vec::new());
        }
        if o.force_row_security != n.force_row_security {
            let clause = if n.force_row_security { "FORCE ROW LEVEL SECURITY" } else { "NO FORCE ROW LEVEL SECURITY" };
            self.table_option(n, clause, "CHANGE_ROW_SECURITY", Vec::new());
        }
        if o.options != n.options {
            let reset: Vec<&String> = o.options.keys().filter(|k| !n.options.contains_key(*k)).collect();
            if !reset.is_empty() {
                let keys: Vec<String> = reset.iter().map(|k| k.to_string()).collect();
                self.table_option(n, &format!("RESET ({})", keys.join(", ")), "CHANGE_TABLE_OPTIONS", Vec::new());
            }
            let set: BTreeMap<String, String> = n
                .options
                .iter()
                .filter(|(k, v)| o.options.get(*k) != Some(v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !set.is_empty() {
                let items: Vec<String> = set.iter().map(|(k, v)| format!("{k} = {}", quote_literal(v))).collect();
                self.table_option(n, &format!("SET ({})", items.join(", ")), "CHANGE_TABLE_OPTIONS", Vec::new());
            }
        }
        let id = ObjectId::Table(n.name.clone());
        self.comment(
            &id,
            ObjectKind::Table,
            &format!("TABLE {}", n.name.sql()),
            o.comment.as_ref(),
            n.comment.as_ref(),
        );
        self.grants(&id, ObjectKind::Table, &format!("TABLE {}", n.name.sql()), &o.grants, &n.grants);
        Ok(())
    }

    fn column_step(&mut self, phase: Phase, t: &Table, c: &str, sql: String, hazards: Vec<Hazard>) {
        let id = ObjectId::Column(t.name.clone(), c.to_string());
        let action = if phase == Phase::Drop { Action::Drop } else { Action::Alter };
        self.step(phase, action, ObjectKind::Column, id, rank::COLUMN, sql, hazards);
    }

    fn add_column(&mut self, t: &Table, c: &Column) {
        let tname = t.name.to_string();
        let mut hazards = Vec::new();
        if c.not_null && c.default.is_none() && c.identity.is_none() && c.generated.is_none() {
            hazards.push(
                Hazard::new(
                    HazardKind::MayFail,
                    format!("fails if {tname} has rows: a NOT NULL column needs a DEFAULT"),
                )
                .safer("add the column without NOT NULL, backfill it, then SET NOT NULL"),
            );
        }
        if c.generated.is_some() || c.identity.is_some() || self.is_volatile(c) {
            hazards.push(
                Hazard::new(HazardKind::RewritesTable, format!("rewrites {tname} to fill the new column"))
                    .safer("add the column without a default, set the default, then backfill in batches"),
            );
            hazards.push(Hazard::exclusive_lock(&tname));
        }
        self.change(
            Change::new("ADD_COLUMN", ObjectKind::Column, format!("{tname}.{}", c.name))
                .table(tname.clone())
                .column(c.name.clone())
                .values(None, Some(c.data_type.sql()))
                .describe(format!("ADD COLUMN {tname}.{}", c.name)),
        );
        let sql = format!("ALTER TABLE {} ADD COLUMN {};", t.name.sql(), column_definition(c));
        self.column_step(Phase::Forward, t, &c.name, sql, hazards);
        self.column_comment(t, c, None);
    }

    fn drop_column(&mut self, t: &Table, c: &Column) {
        let tname = t.name.to_string();
        self.change(
            Change::new("DROP_COLUMN", ObjectKind::Column, format!("{tname}.{}", c.name))
                .table(tname.clone())
                .column(c.name.clone())
                .values(Some(c.data_type.sql()), None)
                .describe(format!("DROP COLUMN {tname}.{}", c.name)),
        );
        let hazards = vec![
            Hazard::deletes_data(format!("drops column {tname}.{} and its values", c.name)).safer(
                "stop reading and writing the column first, or annotate a rename with `-- confiture: renamed-from` if it was renamed",
            ),
            Hazard::exclusive_lock(&tname),
        ];
        let sql = format!("ALTER TABLE {} DROP COLUMN {};", t.name.sql(), quote_ident(&c.name));
        self.column_step(Phase::Drop, t, &c.name, sql, hazards);
        self.dropped.insert(ObjectId::Column(t.name.clone(), c.name.clone()));
    }

    fn alter_column(&mut self, t: &Table, o: &Column, n: &Column) {
        let retyped = self.retyped.get(&t.name).is_some_and(|s| s.contains(&n.name));
        // An unchanged column needs a step only when its type is recreated or its default calls
        // something the plan recreates.
        if !retyped && o == n && n.default.as_ref().is_none_or(|d| !self.default_needs_rebind(d)) {
            return;
        }
        let tname = t.name.to_string();
        let col = format!("{tname}.{}", n.name);
        let target = t.name.sql();
        let qcol = quote_ident(&n.name);
        if o.generated != n.generated {
            if o.generated.is_some() && n.generated.is_none() {
                self.change(
                    Change::new("CHANGE_COLUMN_GENERATED", ObjectKind::Column, col.clone())
                        .table(tname.clone())
                        .column(n.name.clone())
                        .describe(format!("CHANGE COLUMN GENERATED {col}: DROP EXPRESSION")),
                );
                self.column_step(
                    Phase::Forward,
                    t,
                    &n.name,
                    format!("ALTER TABLE {target} ALTER COLUMN {qcol} DROP EXPRESSION;"),
                    Vec::new(),
                );
            } else {
                // PostgreSQL cannot change or add a generation expression in place: drop and add.
                self.change(
                    Change::new("CHANGE_COLUMN_GENERATED", ObjectKind::Column, col.clone())
                        .table(tname.clone())
                        .column(n.name.clone())
                        .values(
                            o.generated.as_ref().map(|e| e.sql.clone()),
                            n.generated.as_ref().map(|e| e.sql.clone()),
                        )
                        .describe(format!("CHANGE COLUMN GENERATED {col}")),
                );
                let lost = if o.generated.is_some() { "recomputes" } else { "drops the values of" };
                let drop_hazards = vec![
                    Hazard::new(
                        if o.generated.is_some() { HazardKind::RewritesTable } else { HazardKind::DeletesData },
                        format!("drops and re-adds {col}: {lost} the column"),
                    ),
                    Hazard::exclusive_lock(&tname),
                ];
                self.column_step(
                    Phase::Drop,
                    t,
                    &n.name,
                    format!("ALTER TABLE {target} DROP COLUMN {qcol};"),
                    drop_hazards,
                );
                let add = format!("ALTER TABLE {target} ADD COLUMN {};", column_definition(n));
                self.column_step(
                    Phase::Forward,
                    t,
                    &n.name,
                    add,
                    vec![Hazard::new(HazardKind::RewritesTable, format!("rewrites {tname} to compute {col}"))],
                );
                self.column_comment(t, n, None);
                return;
            }
        }
        if retyped {
            if let Some(d) = &o.default {
                // Before the drop phase when the default calls something the plan drops.
                let phase = if self.default_needs_rebind(d) { Phase::Drop } else { Phase::Forward };
                self.column_step(
                    phase,
                    t,
                    &n.name,
                    format!("ALTER TABLE {target} ALTER COLUMN {qcol} DROP DEFAULT;"),
                    Vec::new(),
                );
            }
            let mut clause = n.data_type.sql();
            if let Some(coll) = &n.collation {
                clause.push_str(&format!(" COLLATE {}", qualified_ident(coll)));
            }
            let cast = if self.is_enum(&n.data_type) || self.is_enum(&o.data_type) {
                format!("{qcol}::text::{}", n.data_type.sql())
            } else {
                format!("{qcol}::{}", n.data_type.sql())
            };
            let hazards = if binary_coercible(o, n) {
                Vec::new()
            } else {
                vec![
                    Hazard::new(
                        HazardKind::RewritesTable,
                        format!("rewrites {tname} (and its indexes) to convert {col}"),
                    )
                    .safer("add a new column, backfill it in batches, then switch readers and drop the old one"),
                    Hazard::exclusive_lock(&tname),
                    Hazard::new(
                        HazardKind::MayFail,
                        format!("fails if a value of {col} does not convert to {}", n.data_type.sql()),
                    ),
                ]
            };
            self.change(
                Change::new("CHANGE_COLUMN_TYPE", ObjectKind::Column, col.clone())
                    .table(tname.clone())
                    .column(n.name.clone())
                    .values(Some(o.data_type.sql()), Some(n.data_type.sql()))
                    .describe(format!("CHANGE COLUMN TYPE {col} FROM {} TO {}", o.data_type.sql(), n.data_type.sql())),
            );
            self.column_step(
                Phase::Forward,
                t,
                &n.name,
                format!("ALTER TABLE {target} ALTER COLUMN {qcol} TYPE {clause} USING {cast};"),
                hazards,
            );
            if let Some(d) = &n.default {
                self.column_step(
                    Phase::Forward,
                    t,
                    &n.name,
                    format!("ALTER TABLE {target} ALTER COLUMN {qcol} SET DEFAULT {};", d.sql),
                    Vec::new(),
                );
            }
            if o.default != n.default {
                self.change(
                    Change::new("CHANGE_COLUMN_DEFAULT", ObjectKind::Column, col.clone())
                        .table(tname.clone())
                        .column(n.name.clone())
                        .values(o.default.as_ref().map(|e| e.sql.clone()), n.default.as_ref().map(|e| e.sql.clone()))
                        .describe(format!("CHANGE COLUMN DEFAULT {col}")),
                );
            }
        } else if o.default != n.default {
            self.change(
                Change::new("CHANGE_COLUMN_DEFAULT", ObjectKind::Column, col.clone())
                    .table(tname.clone())
                    .column(n.name.clone())
                    .values(o.default.as_ref().map(|e| e.sql.clone()), n.default.as_ref().map(|e| e.sql.clone()))
                    .describe(format!("CHANGE COLUMN DEFAULT {col}")),
            );
            // An old default that calls something being dropped goes before the drop.
            if o.default.as_ref().is_some_and(|d| self.default_needs_rebind(d)) {
                self.column_step(
                    Phase::Drop,
                    t,
                    &n.name,
                    format!("ALTER TABLE {target} ALTER COLUMN {qcol} DROP DEFAULT;"),
                    Vec::new(),
                );
                if let Some(d) = &n.default {
                    self.column_step(
                        Phase::Forward,
                        t,
                        &n.name,
                        format!("ALTER TABLE {target} ALTER COLUMN {qcol} SET DEFAULT {};", d.sql),
                        Vec::new(),
                    );
                }
            } else {
                let sql = match &n.default {
                    Some(d) => format!("ALTER TABLE {target} ALTER COLUMN {qcol} SET DEFAULT {};", d.sql),
                    None => format!("ALTER TABLE {target} ALTER COLUMN {qcol} DROP DEFAULT;"),
                };
                self.column_step(Phase::Forward, t, &n.name, sql, Vec::new());
            }
        } else if let Some(d) = &n.default
            && self.default_needs_rebind(d)
        {
            // The default calls a function that is dropped and recreated: unbind it meanwhile.
            self.column_step(
                Phase::Drop,
                t,
                &n.name,
                format!("ALTER TABLE {target} ALTER COLUMN {qcol} DROP DEFAULT;"),
                Vec::new(),
            );
            self.column_step(
                Phase::Forward,
                t,
                &n.name,
                format!("ALTER TABLE {target} ALTER COLUMN {qcol} SET DEFAULT {};", d.sql),
                Vec::new(),
            );
        }
        if o.identity.is_some() && n.identity.is_none() {
            self.change(
                Change::new("CHANGE_COLUMN_IDENTITY", ObjectKind::Column, col.clone())
                    .table(tname.clone())
                    .column(n.name.clone())
                    .describe(format!("CHANGE COLUMN IDENTITY {col}: DROP IDENTITY")),
            );
            // In the drop phase: the identity's sequence name is free again for what comes next.
            self.column_step(
                Phase::Drop,
                t,
                &n.name,
                format!("ALTER TABLE {target} ALTER COLUMN {qcol} DROP IDENTITY;"),
                Vec::new(),
            );
        }
        if o.not_null != n.not_null {
            self.change(
                Change::new("CHANGE_COLUMN_NULLABLE", ObjectKind::Column, col.clone())
                    .table(tname.clone())
                    .column(n.name.clone())
                    .values(Some((!o.not_null).to_string()), Some((!n.not_null).to_string()))
                    .describe(format!("CHANGE COLUMN NULLABLE {col} FROM {} TO {}", !o.not_null, !n.not_null)),
            );
            if n.not_null {
                let hazards = vec![
                    Hazard::new(HazardKind::FullScan, format!("scans {tname} to check for NULLs under an ACCESS EXCLUSIVE lock"))
                        .safer(format!(
                            "ADD CONSTRAINT … CHECK ({qcol} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (no scan) and drop the CHECK"
                        )),
                    Hazard::new(HazardKind::MayFail, format!("fails if {col} holds NULLs")),
                ];
                self.column_step(
                    Phase::Forward,
                    t,
                    &n.name,
                    format!("ALTER TABLE {target} ALTER COLUMN {qcol} SET NOT NULL;"),
                    hazards,
                );
            } else if !(o.identity.is_some() && n.identity.is_some()) {
                self.column_step(
                    Phase::Forward,
                    t,
                    &n.name,
                    format!("ALTER TABLE {target} ALTER COLUMN {qcol} DROP NOT NULL;"),
                    Vec::new(),
                );
            }
        }
        match (&o.identity, &n.identity) {
            (None, Some(i)) => {
                self.change(
                    Change::new("CHANGE_COLUMN_IDENTITY", ObjectKind::Column, col.clone())
                        .table(tname.clone())
                        .column(n.name.clone())
                        .describe(format!("CHANGE COLUMN IDENTITY {col}: ADD IDENTITY")),
                );
                let sql = format!(
                    "ALTER TABLE {target} ALTER COLUMN {qcol} ADD GENERATED {} AS IDENTITY ({});",
                    if i.always { "ALWAYS" } else { "BY DEFAULT" },
                    i.options.sql_without_type()
                );
                self.column_step(Phase::Forward, t, &n.name, sql, Vec::new());
            }
            (Some(a), Some(b)) if a != b => {
                self.change(
                    Change::new("CHANGE_COLUMN_IDENTITY", ObjectKind::Column, col.clone())
                        .table(tname.clone())
                        .column(n.name.clone())
                        .describe(format!("CHANGE COLUMN IDENTITY {col}")),
                );
                let mut clauses = Vec::new();
                if a.always != b.always {
                    clauses.push(format!("SET GENERATED {}", if b.always { "ALWAYS" } else { "BY DEFAULT" }));
                }
                clauses.extend(super::sequence::changed_options(&a.options, &b.options, "SET "));
                if !clauses.is_empty() {
                    self.column_step(
                        Phase::Forward,
                        t,
                        &n.name,
                        format!("ALTER TABLE {target} ALTER COLUMN {qcol} {};", clauses.join(" ")),
                        Vec::new(),
                    );
                }
            }
            _ => {}
        }
        if o.comment != n.comment {
            self.column_comment(t, n, o.comment.as_ref());
        }
    }

    /// Whether a default calls a function or sequence that is dropped (or recreated) by the plan.
    fn default_needs_rebind(&self, d: &crate::schema::Expr) -> bool {
        let public = |q: &QualifiedName| {
            if q.schema.is_empty() { QualifiedName::new("public", q.name.clone()) } else { q.clone() }
        };
        d.refs.relations.iter().any(|r| {
            let q = public(r);
            self.old.sequences.contains_key(&q) && !self.new.sequences.contains_key(&q)
        }) || d.refs.functions.iter().any(|f| {
            self.old
                .functions_named(&public(f))
                .any(|id| matches!(self.decisions.get(&id), Some(Decision::Replace { .. } | Decision::Drop)))
        })
    }

    /// Constraints, triggers and policies of one table, by decision.
    fn table_members(&mut self, name: &QualifiedName) {
        let old_t = self.old.tables.get(name);
        let new_t = self.new.tables.get(name);
        let table_is_new = old_t.is_none();
        let table_dropped = new_t.is_none();
        let mut ids: BTreeSet<ObjectId> = BTreeSet::new();
        for t in [old_t, new_t].into_iter().flatten() {
            ids.extend(t.constraints.keys().map(|c| ObjectId::Constraint(name.clone(), c.clone())));
            ids.extend(t.triggers.keys().map(|c| ObjectId::Trigger(name.clone(), c.clone())));
            ids.extend(t.policies.keys().map(|c| ObjectId::Policy(name.clone(), c.clone())));
        }
        for id in ids {
            let decision = self.decisions.get(&id).cloned().unwrap_or(Decision::Same);
            match decision {
                Decision::Drop => {
                    // A dropped table takes its constraints with it, except foreign keys to
                    // another dropped table: those go first, so the tables can go in any order.
                    let fk_to_dropped = match &id {
                        ObjectId::Constraint(t, c) => old_t.and_then(|x| x.constraints.get(c)).is_some_and(|k| {
                            matches!(&k.kind, ConstraintKind::ForeignKey { references, .. }
                                if references != t && !self.new.tables.contains_key(references))
                        }),
                        _ => false,
                    };
                    if !table_dropped || fk_to_dropped {
                        self.drop_member(&id, None);
                    }
                }
                Decision::Create => {
                    if table_is_new
                        && let ObjectId::Constraint(t, c) = &id
                        && new_t.and_then(|x| x.constraints.get(c)).is_some_and(|k| !k.is_foreign_key())
                    {
                        let _ = t;
                        continue; // inline in CREATE TABLE
                    }
                    self.create_member(&id, table_is_new, None);
                }
                Decision::Replace { because } => {
                    self.drop_member(&id, because.as_deref());
                    self.create_member(&id, false, because.as_deref());
                }
                Decision::Same => self.alter_member(&id),
            }
        }
    }

    fn drop_member(&mut self, id: &ObjectId, because: Option<&str>) {
        let (kind, sql, r, change) = match id {
            ObjectId::Constraint(t, c) => {
                let fk = self.old.tables.get(t).and_then(|x| x.constraints.get(c)).is_some_and(|k| k.is_foreign_key());
                (
                    ObjectKind::Constraint,
                    format!("ALTER TABLE {} DROP CONSTRAINT {};", t.sql(), quote_ident(c)),
                    if fk { rank::FOREIGN_KEY } else { rank::CONSTRAINT },
                    "DROP_CONSTRAINT",
                )
            }
            ObjectId::Trigger(t, c) => (
                ObjectKind::Trigger,
                format!("DROP TRIGGER {} ON {};", quote_ident(c), t.sql()),
                rank::TRIGGER,
                "DROP_TRIGGER",
            ),
            ObjectId::Policy(t, c) => (
                ObjectKind::Policy,
                format!("DROP POLICY {} ON {};", quote_ident(c), t.sql()),
                rank::POLICY,
                "DROP_POLICY",
            ),
            _ => return,
        };
        if because.is_none() {
            let object = super::plan::display(id);
            if !self.new_has(id) {
                self.change(
                    Change::new(change, kind, object.clone())
                        .table(id.table().map(ToString::to_string).unwrap_or_default())
                        .describe(format!("{} {object}", change.replace('_', " "))),
                );
            }
        }
        self.step(Phase::Drop, Action::Drop, kind, id.clone(), r, sql, Vec::new());
        self.dropped.insert(id.clone());
    }

    fn new_has(&self, id: &ObjectId) -> bool {
        self.new.kind_of(id).is_some()
    }

    fn create_member(&mut self, id: &ObjectId, table_is_new: bool, because: Option<&str>) {
        let Some(table) = id.table().and_then(|t| self.new.tables.get(t)) else { return };
        let object = super::plan::display(id);
        let tname = table.name.to_string();
        let replaced = self.old.kind_of(id).is_some();
        let prefix = if replaced { "CHANGE" } else { "ADD" };
        match id {
            ObjectId::Constraint(t, c) => {
                let Some(k) = table.constraints.get(c) else { return };
                let not_valid = if k.validated
                    || !matches!(k.kind, ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. })
                {
                    ""
                } else {
                    " NOT VALID"
                };
                let sql = format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} {}{not_valid};",
                    t.sql(),
                    quote_ident(c),
                    constraint_body(k)
                );
                let hazards = if table_is_new { Vec::new() } else { constraint_hazards(k, &tname) };
                let mut change = Change::new(&format!("{prefix}_CONSTRAINT"), ObjectKind::Constraint, object.clone())
                    .table(tname.clone())
                    .values(None, Some(constraint_body(k)));
                if let Some(b) = because {
                    change = change
                        .detail("recreated_because", b)
                        .describe(format!("RECREATE CONSTRAINT {object} (because {b})"));
                }
                self.change(change);
                let r = if k.is_foreign_key() { rank::FOREIGN_KEY } else { rank::CONSTRAINT };
                self.step(Phase::Forward, Action::Create, ObjectKind::Constraint, id.clone(), r, sql, hazards);
                self.comment(
                    id,
                    ObjectKind::Constraint,
                    &format!("CONSTRAINT {} ON {}", quote_ident(c), t.sql()),
                    None,
                    k.comment.as_ref(),
                );
            }
            ObjectId::Trigger(_, c) => {
                let Some(tr) = table.triggers.get(c) else { return };
                let mut change =
                    Change::new(&format!("{prefix}_TRIGGER"), ObjectKind::Trigger, object.clone()).table(tname.clone());
                if let Some(b) = because {
                    change = change
                        .detail("recreated_because", b)
                        .describe(format!("RECREATE TRIGGER {object} (because {b})"));
                }
                self.change(change);
                self.step(
                    Phase::Forward,
                    Action::Create,
                    ObjectKind::Trigger,
                    id.clone(),
                    rank::TRIGGER,
                    super::trigger::create_sql(tr),
                    Vec::new(),
                );
                self.comment(
                    id,
                    ObjectKind::Trigger,
                    &format!("TRIGGER {} ON {}", quote_ident(c), table.name.sql()),
                    None,
                    tr.comment.as_ref(),
                );
            }
            ObjectId::Policy(_, c) => {
                let Some(p) = table.policies.get(c) else { return };
                let mut change =
                    Change::new(&format!("{prefix}_POLICY"), ObjectKind::Policy, object.clone()).table(tname.clone());
                if let Some(b) = because {
                    change = change
                        .detail("recreated_because", b)
                        .describe(format!("RECREATE POLICY {object} (because {b})"));
                }
                self.change(change);
                self.step(
                    Phase::Forward,
                    Action::Create,
                    ObjectKind::Policy,
                    id.clone(),
                    rank::POLICY,
                    super::policy::create_sql(p),
                    Vec::new(),
                );
                self.comment(
                    id,
                    ObjectKind::Policy,
                    &format!("POLICY {} ON {}", quote_ident(c), table.name.sql()),
                    None,
                    p.comment.as_ref(),
                );
            }
            _ => {}
        }
    }

    /// A kept constraint, trigger or policy: validation and comments.
    fn alter_member(&mut self, id: &ObjectId) {
        let Some(t) = id.table() else { return };
        let (Some(ot), Some(nt)) = (self.old.tables.get(t), self.new.tables.get(t)) else { return };
        match id {
            ObjectId::Constraint(_, c) => {
                let (Some(a), Some(b)) = (ot.constraints.get(c), nt.constraints.get(c)) else { return };
                if !a.validated && b.validated {
                    let object = super::plan::display(id);
                    self.change(
                        Change::new("VALIDATE_CONSTRAINT", ObjectKind::Constraint, object.clone())
                            .table(t.to_string())
                            .describe(format!("VALIDATE CONSTRAINT {object}")),
                    );
                    let hazard = Hazard::new(
                        HazardKind::FullScan,
                        format!("scans {t} to validate {c} (writes are not blocked)"),
                    );
                    let sql = format!("ALTER TABLE {} VALIDATE CONSTRAINT {};", t.sql(), quote_ident(c));
                    self.step(
                        Phase::Forward,
                        Action::Alter,
                        ObjectKind::Constraint,
                        id.clone(),
                        rank::CONSTRAINT,
                        sql,
                        vec![hazard],
                    );
                }
                let what = format!("CONSTRAINT {} ON {}", quote_ident(c), t.sql());
                self.comment(id, ObjectKind::Constraint, &what, a.comment.as_ref(), b.comment.as_ref());
            }
            ObjectId::Trigger(_, c) => {
                let (Some(a), Some(b)) = (ot.triggers.get(c), nt.triggers.get(c)) else { return };
                let what = format!("TRIGGER {} ON {}", quote_ident(c), t.sql());
                self.comment(id, ObjectKind::Trigger, &what, a.comment.as_ref(), b.comment.as_ref());
            }
            ObjectId::Policy(_, c) => {
                let (Some(a), Some(b)) = (ot.policies.get(c), nt.policies.get(c)) else { return };
                let what = format!("POLICY {} ON {}", quote_ident(c), t.sql());
                self.comment(id, ObjectKind::Policy, &what, a.comment.as_ref(), b.comment.as_ref());
            }
            _ => {}
        }
    }
}

fn constraint_hazards(k: &crate::schema::Constraint, table: &str) -> Vec<Hazard> {
    match &k.kind {
        ConstraintKind::ForeignKey { references, .. } if k.validated => vec![
            Hazard::new(
                HazardKind::FullScan,
                format!("scans {table} to validate the foreign key, blocking writes to {table} and {references}"),
            )
            .safer("ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later transaction (writes continue)"),
            Hazard::new(HazardKind::MayFail, format!("fails if a row of {table} has no match in {references}")),
        ],
        ConstraintKind::Check { .. } if k.validated => vec![
            Hazard::new(
                HazardKind::FullScan,
                format!("scans {table} to validate the CHECK under an ACCESS EXCLUSIVE lock"),
            )
            .safer("ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later transaction (writes continue)"),
            Hazard::new(HazardKind::MayFail, format!("fails if a row of {table} violates it")),
        ],
        ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } => vec![
            Hazard::new(
                HazardKind::BlocksWrites,
                format!("builds a unique index on {table} under an ACCESS EXCLUSIVE lock"),
            )
            .safer("CREATE UNIQUE INDEX CONCURRENTLY first (outside a transaction), then ADD CONSTRAINT … USING INDEX"),
            Hazard::new(HazardKind::MayFail, format!("fails if {table} holds duplicate keys")),
        ],
        ConstraintKind::Exclude { .. } => vec![
            Hazard::new(
                HazardKind::BlocksWrites,
                format!("builds an index on {table} and checks every row under an ACCESS EXCLUSIVE lock"),
            ),
            Hazard::new(HazardKind::MayFail, format!("fails if rows of {table} conflict")),
        ],
        _ => Vec::new(),
    }
}

/// A type change PostgreSQL does without rewriting (longer varchar, varchar to text, …).
fn binary_coercible(o: &Column, n: &Column) -> bool {
    let (a, b) = (&o.data_type, &n.data_type);
    if o.collation != n.collation || a.array != b.array || a.schema != "pg_catalog" || b.schema != "pg_catalog" {
        return false;
    }
    let len = |t: &crate::schema::TypeRef| t.modifiers.first().and_then(|m| m.parse::<i64>().ok());
    match (a.name.as_str(), b.name.as_str()) {
        ("varchar", "varchar") => match (len(a), len(b)) {
            (Some(x), Some(y)) => y >= x,
            (_, None) => true,
            (None, Some(_)) => false,
        },
        ("varchar", "text") => true,
        ("numeric", "numeric") => b.modifiers.is_empty(),
        _ => false,
    }
}

/// ` PARTITION BY RANGE ("a", (expr))`
pub(crate) fn partition_by(k: &crate::schema::PartitionKey) -> String {
    let elems: Vec<String> = k
        .elements
        .iter()
        .map(|e| {
            let mut s = match (&e.column, &e.expr) {
                (Some(c), _) => quote_ident(c),
                (None, Some(x)) => format!("({})", x.sql),
                _ => String::new(),
            };
            if let Some(c) = &e.collation {
                s.push_str(&format!(" COLLATE {}", qualified_ident(c)));
            }
            if let Some(o) = &e.opclass {
                s.push_str(&format!(" {}", qualified_ident(o)));
            }
            s
        })
        .collect();
    format!(" PARTITION BY {} ({})", k.strategy.to_uppercase(), elems.join(", "))
}
