//! What changed between two snapshots: fraiseql-confiture's `SchemaSnapshotter.compare` keys
//! (`tables_added`, `tables_modified` with `columns_*` and `constraints_*`, `views_*`,
//! `mat_views_*`, `functions_*`), plus changed defaults, changed constraint definitions, index
//! changes, and the same as a flat list of changes for people.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::snapshot::{Snapshot, TableSchema};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnChange {
    pub column: String,
    pub before_type: String,
    pub after_type: String,
    pub before_nullable: bool,
    pub after_nullable: bool,
    pub before_default: Option<String>,
    pub after_default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConstraintChange {
    pub constraint: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexChange {
    pub index: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableChanges {
    pub table: String,
    pub columns_added: Vec<String>,
    pub columns_removed: Vec<String>,
    pub columns_modified: Vec<ColumnChange>,
    pub constraints_added: Vec<String>,
    pub constraints_removed: Vec<String>,
    pub constraints_modified: Vec<ConstraintChange>,
    /// Indexes that no constraint owns (those show up as constraint changes).
    pub indexes_added: Vec<String>,
    pub indexes_removed: Vec<String>,
    pub indexes_modified: Vec<IndexChange>,
}

impl TableChanges {
    fn is_empty(&self) -> bool {
        self.columns_added.is_empty()
            && self.columns_removed.is_empty()
            && self.columns_modified.is_empty()
            && self.constraints_added.is_empty()
            && self.constraints_removed.is_empty()
            && self.constraints_modified.is_empty()
            && self.indexes_added.is_empty()
            && self.indexes_removed.is_empty()
            && self.indexes_modified.is_empty()
    }
}

/// One change, for people (fraiseql-confiture's `SchemaChange`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChange {
    /// `added`, `removed` or `modified`.
    pub change_type: String,
    /// `table`, `column`, `constraint`, `index`, `view`, `materialized_view` or `function`.
    pub object_type: String,
    pub object_name: String,
    pub details: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub tables_added: Vec<String>,
    pub tables_removed: Vec<String>,
    pub tables_modified: Vec<TableChanges>,
    pub views_added: Vec<String>,
    pub views_removed: Vec<String>,
    pub mat_views_added: Vec<String>,
    pub mat_views_removed: Vec<String>,
    pub functions_added: Vec<String>,
    pub functions_removed: Vec<String>,
    pub has_changes: bool,
    pub changes: Vec<SchemaChange>,
}

fn added_removed<'a, T: Ord + Clone + 'a>(
    before: impl IntoIterator<Item = &'a T>,
    after: impl IntoIterator<Item = &'a T>,
) -> (Vec<T>, Vec<T>) {
    let b: BTreeSet<&T> = before.into_iter().collect();
    let a: BTreeSet<&T> = after.into_iter().collect();
    (a.difference(&b).map(|x| (*x).clone()).collect(), b.difference(&a).map(|x| (*x).clone()).collect())
}

fn change(change_type: &str, object_type: &str, object_name: String) -> SchemaChange {
    SchemaChange {
        change_type: change_type.into(),
        object_type: object_type.into(),
        object_name,
        details: BTreeMap::new(),
    }
}

fn with(mut c: SchemaChange, details: &[(&str, serde_json::Value)]) -> SchemaChange {
    for (k, v) in details {
        c.details.insert((*k).to_string(), v.clone());
    }
    c
}

/// Compares two snapshots; the same inputs always give the same output, in name order.
pub fn compare(before: &Snapshot, after: &Snapshot) -> Comparison {
    let mut out = Comparison::default();
    (out.tables_added, out.tables_removed) = added_removed(before.tables.keys(), after.tables.keys());
    for t in &out.tables_added {
        out.changes.push(change("added", "table", t.clone()));
    }
    for t in &out.tables_removed {
        out.changes.push(change("removed", "table", t.clone()));
    }
    for (key, b) in &before.tables {
        if let Some(a) = after.tables.get(key) {
            let t = table_changes(key, b, a, &mut out.changes);
            if !t.is_empty() {
                out.tables_modified.push(t);
            }
        }
    }
    let sets = [
        (&before.views, &after.views, "view"),
        (&before.materialized_views, &after.materialized_views, "materialized_view"),
        (&before.functions, &after.functions, "function"),
    ];
    for (i, (b, a, kind)) in sets.into_iter().enumerate() {
        let (added, removed) = added_removed(b, a);
        for name in &added {
            out.changes.push(change("added", kind, name.clone()));
        }
        for name in &removed {
            out.changes.push(change("removed", kind, name.clone()));
        }
        match i {
            0 => (out.views_added, out.views_removed) = (added, removed),
            1 => (out.mat_views_added, out.mat_views_removed) = (added, removed),
            _ => (out.functions_added, out.functions_removed) = (added, removed),
        }
    }
    out.has_changes = !out.changes.is_empty();
    out
}

fn table_changes(key: &str, b: &TableSchema, a: &TableSchema, changes: &mut Vec<SchemaChange>) -> TableChanges {
    let mut t = TableChanges { table: key.to_string(), ..TableChanges::default() };
    let bc: BTreeMap<&str, _> = b.columns.iter().map(|c| (c.name.as_str(), c)).collect();
    let ac: BTreeMap<&str, _> = a.columns.iter().map(|c| (c.name.as_str(), c)).collect();
    (t.columns_added, t.columns_removed) = added_removed(
        b.columns.iter().map(|c| &c.name).collect::<Vec<_>>(),
        a.columns.iter().map(|c| &c.name).collect::<Vec<_>>(),
    );
    for c in &t.columns_added {
        let info = ac[c.as_str()];
        changes.push(with(
            change("added", "column", format!("{key}.{c}")),
            &[("data_type", info.data_type.clone().into()), ("is_nullable", info.is_nullable.into())],
        ));
    }
    for c in &t.columns_removed {
        changes.push(change("removed", "column", format!("{key}.{c}")));
    }
    for (name, before) in &bc {
        let Some(after) = ac.get(name) else { continue };
        if before.data_type != after.data_type
            || before.is_nullable != after.is_nullable
            || before.column_default != after.column_default
        {
            let m = ColumnChange {
                column: (*name).to_string(),
                before_type: before.data_type.clone(),
                after_type: after.data_type.clone(),
                before_nullable: before.is_nullable,
                after_nullable: after.is_nullable,
                before_default: before.column_default.clone(),
                after_default: after.column_default.clone(),
            };
            let details = serde_json::to_value(&m).ok().and_then(|v| v.as_object().cloned()).unwrap_or_default();
            let mut c = change("modified", "column", format!("{key}.{name}"));
            c.details = details.into_iter().filter(|(k, _)| k != "column").collect();
            changes.push(c);
            t.columns_modified.push(m);
        }
    }

    let bk: BTreeMap<&str, &Option<String>> = b.constraints.iter().map(|c| (c.name.as_str(), &c.definition)).collect();
    let ak: BTreeMap<&str, &Option<String>> = a.constraints.iter().map(|c| (c.name.as_str(), &c.definition)).collect();
    let (added, removed, modified) = definitions(&bk, &ak);
    for (name, def) in &added {
        changes.push(with(
            change("added", "constraint", format!("{name} on {key}")),
            &[("definition", def.clone().into())],
        ));
    }
    for name in &removed {
        changes.push(change("removed", "constraint", format!("{name} on {key}")));
    }
    for (name, before, after) in &modified {
        changes.push(with(
            change("modified", "constraint", format!("{name} on {key}")),
            &[("before", before.clone().into()), ("after", after.clone().into())],
        ));
    }
    t.constraints_added = added.into_iter().map(|(n, _)| n).collect();
    t.constraints_removed = removed;
    t.constraints_modified = modified
        .into_iter()
        .map(|(constraint, before, after)| ConstraintChange { constraint, before, after })
        .collect();

    // Indexes owned by a constraint are reported as that constraint.
    let owned: BTreeSet<&str> = bk.keys().chain(ak.keys()).copied().collect();
    let index_map = |s: &TableSchema| -> BTreeMap<String, Option<String>> {
        s.indexes
            .iter()
            .filter(|i| !owned.contains(i.name.as_str()))
            .map(|i| (i.name.clone(), i.definition.clone()))
            .collect()
    };
    let (bi, ai) = (index_map(b), index_map(a));
    let bi: BTreeMap<&str, &Option<String>> = bi.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let ai: BTreeMap<&str, &Option<String>> = ai.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let (added, removed, modified) = definitions(&bi, &ai);
    for (name, def) in &added {
        changes.push(with(change("added", "index", format!("{name} on {key}")), &[("definition", def.clone().into())]));
    }
    for name in &removed {
        changes.push(change("removed", "index", format!("{name} on {key}")));
    }
    for (name, before, after) in &modified {
        changes.push(with(
            change("modified", "index", format!("{name} on {key}")),
            &[("before", before.clone().into()), ("after", after.clone().into())],
        ));
    }
    t.indexes_added = added.into_iter().map(|(n, _)| n).collect();
    t.indexes_removed = removed;
    t.indexes_modified =
        modified.into_iter().map(|(index, before, after)| IndexChange { index, before, after }).collect();
    t
}

type Added = Vec<(String, Option<String>)>;
type Modified = Vec<(String, Option<String>, Option<String>)>;

/// Named definitions: (added with definition, removed, changed with before and after).
fn definitions(
    before: &BTreeMap<&str, &Option<String>>,
    after: &BTreeMap<&str, &Option<String>>,
) -> (Added, Vec<String>, Modified) {
    let added =
        after.iter().filter(|(k, _)| !before.contains_key(*k)).map(|(k, d)| ((*k).to_string(), (*d).clone())).collect();
    let removed = before.keys().filter(|k| !after.contains_key(*k)).map(|k| (*k).to_string()).collect();
    let modified = before
        .iter()
        .filter_map(|(k, b)| {
            let a = after.get(k)?;
            (b != a).then(|| ((*k).to_string(), (*b).clone(), (*a).clone()))
        })
        .collect();
    (added, removed, modified)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ParseOptions, parse_sql};
    use crate::testkit::snapshot::from_catalog;

    fn snap(sql: &str) -> Snapshot {
        from_catalog(&parse_sql("t.sql", sql, ParseOptions::default()).unwrap().catalog)
    }

    #[test]
    fn identical_snapshots_have_no_changes() {
        let s = snap("CREATE TABLE t (id int PRIMARY KEY); CREATE VIEW v AS SELECT 1 AS x;");
        let c = compare(&s, &s);
        assert!(!c.has_changes);
        assert!(c.changes.is_empty() && c.tables_modified.is_empty() && c.tables_added.is_empty());
    }

    #[test]
    fn every_kind_of_change_is_reported() {
        let before = snap(
            "CREATE TABLE users (id int PRIMARY KEY, email text, age int CHECK (age > 0), gone int);
             CREATE INDEX users_email ON users (email);
             CREATE TABLE old (id int);
             CREATE VIEW v1 AS SELECT 1 AS x;
             CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        );
        let after = snap(
            "CREATE TABLE users (id int PRIMARY KEY, email varchar(5) NOT NULL DEFAULT 'a', age int CHECK (age > 18), bio text);
             CREATE UNIQUE INDEX users_email ON users (email);
             CREATE INDEX users_bio ON users (bio);
             CREATE TABLE products (id int);
             CREATE MATERIALIZED VIEW m AS SELECT 1 AS x;
             CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        );
        let c = compare(&before, &after);
        assert!(c.has_changes);
        assert_eq!(c.tables_added, ["products"]);
        assert_eq!(c.tables_removed, ["old"]);
        assert_eq!(
            (c.views_removed.as_slice(), c.mat_views_added.as_slice()),
            (&["v1".to_string()][..], &["m".to_string()][..])
        );
        assert_eq!(
            (c.functions_added.as_slice(), c.functions_removed.as_slice()),
            (&["g".to_string()][..], &["f".to_string()][..])
        );
        let t = &c.tables_modified[0];
        assert_eq!(t.table, "users");
        assert_eq!(t.columns_added, ["bio"]);
        assert_eq!(t.columns_removed, ["gone"]);
        let m = &t.columns_modified[0];
        assert_eq!(
            (m.column.as_str(), m.before_type.as_str(), m.after_type.as_str()),
            ("email", "text", "character varying(5)")
        );
        assert!(m.before_nullable && !m.after_nullable);
        assert_eq!(m.after_default.as_deref(), Some("'a'"));
        assert_eq!(t.constraints_modified.len(), 1);
        assert_eq!(t.constraints_modified[0].constraint, "users_age_check");
        assert_eq!(t.indexes_added, ["users_bio"]);
        assert_eq!(t.indexes_modified[0].index, "users_email");
        let kinds: BTreeSet<(&str, &str)> =
            c.changes.iter().map(|x| (x.change_type.as_str(), x.object_type.as_str())).collect();
        for expected in [
            ("added", "table"),
            ("removed", "table"),
            ("added", "column"),
            ("removed", "column"),
            ("modified", "column"),
            ("modified", "constraint"),
            ("added", "index"),
            ("modified", "index"),
            ("removed", "view"),
            ("added", "materialized_view"),
            ("added", "function"),
            ("removed", "function"),
        ] {
            assert!(kinds.contains(&expected), "missing {expected:?} in {kinds:?}");
        }
        // Deterministic.
        assert_eq!(serde_json::to_string(&c).unwrap(), serde_json::to_string(&compare(&before, &after)).unwrap());
    }
}
