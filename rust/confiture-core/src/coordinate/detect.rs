//! Conflicts between two intents, from what their DDL affects. Checks run in a fixed order
//! (table, column, function, index, constraint, type, dependency, timing), each giving at most one
//! report with its objects sorted, so the same pair always gives the same reports.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{ConflictType, Severity};
use super::objects::{Action, Affected, Object, ObjectKind};

/// One side of a comparison.
#[derive(Debug, Clone, Copy)]
pub struct Participant<'a> {
    pub agent_id: &'a str,
    pub feature_name: &'a str,
    pub affected: &'a Affected,
    /// Estimated working window, milliseconds since the epoch (`None` without an estimate).
    pub window: Option<(i64, i64)>,
}

impl Participant<'_> {
    fn who(&self) -> String {
        format!("{} ({})", self.agent_id, self.feature_name)
    }
}

/// A conflict before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub conflict_type: ConflictType,
    pub severity: Severity,
    pub affected_objects: Vec<String>,
    pub suggestions: Vec<String>,
}

/// The conflicts between a new intent `a` and an existing intent `b` (registered before it).
/// An agent never conflicts with itself.
pub fn detect(a: &Participant<'_>, b: &Participant<'_>) -> Vec<Finding> {
    if a.agent_id == b.agent_id {
        return Vec::new();
    }
    let mut out = Vec::new();

    let shared = shared_relations(a.affected, b.affected);
    if !shared.is_empty() {
        let drops: Vec<String> = [a, b]
            .iter()
            .flat_map(|p| {
                p.affected
                    .changes
                    .iter()
                    .filter(|(o, acts)| {
                        o.kind.is_relation() && acts.contains(&Action::Drop) && shared.contains(&o.qualified())
                    })
                    .map(move |(o, _)| format!("{} drops {}", p.who(), o.qualified()))
            })
            .collect();
        let mut lines = vec![
            format!("Both agents are modifying tables: {}", shared.iter().cloned().collect::<Vec<_>>().join(", ")),
            format!("Consider coordinating with {}", b.who()),
        ];
        lines.extend(drops.iter().cloned());
        lines.push(format!(
            "Apply sequentially: {} registered first, so its migration goes first and {} rebases onto it",
            b.who(),
            a.agent_id
        ));
        // Dropping a table the other intent works on is more than an overlap.
        let severity = if drops.is_empty() { Severity::Warning } else { Severity::Error };
        out.push(finding(ConflictType::Table, severity, shared.into_iter().collect(), lines));
    }

    for (kind, conflict_type, severity, noun) in [
        (ObjectKind::Column, ConflictType::Column, Severity::Error, "column"),
        (ObjectKind::Function, ConflictType::Function, Severity::Error, "function"),
        (ObjectKind::Index, ConflictType::Index, Severity::Warning, "index"),
        (ObjectKind::Constraint, ConflictType::Constraint, Severity::Warning, "constraint"),
        (ObjectKind::Type, ConflictType::Type, Severity::Warning, "type"),
    ] {
        let same = same_objects(a.affected, b.affected, kind);
        if same.is_empty() {
            continue;
        }
        // A type either side drops is an error: the other's columns or functions lose it.
        let severity = if kind == ObjectKind::Type
            && same.values().any(|(x, y)| x.contains(&Action::Drop) || y.contains(&Action::Drop))
        {
            Severity::Error
        } else {
            severity
        };
        let names: Vec<String> = same.keys().cloned().collect();
        let detail = same
            .iter()
            .map(|(name, (x, y))| format!("{name} ({}: {}; {}: {})", a.agent_id, verbs(x), b.agent_id, verbs(y)))
            .collect::<Vec<_>>()
            .join(", ");
        let lines = vec![
            format!("Both agents change the same {noun}(s): {detail}"),
            format!("Only one intent should change each {noun}; {} registered first", b.who()),
            format!(
                "Either {} drops these changes, or waits until {} is merged and writes its migration against the result",
                a.agent_id, b.feature_name
            ),
        ];
        out.push(finding(conflict_type, severity, names, lines));
    }

    let mut hits = dependency_hits(a, b);
    hits.extend(dependency_hits(b, a));
    if !hits.is_empty() {
        let severity =
            if hits.iter().any(|h| h.severity == Severity::Error) { Severity::Error } else { Severity::Warning };
        let objects: BTreeSet<String> = hits.iter().map(|h| h.object.qualified()).collect();
        let mut lines: Vec<String> = hits
            .iter()
            .map(|h| format!("{} {} {}, which {} depends on", h.changer.who(), h.verb, h.object, h.dependant.who()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let first = &hits[0];
        lines.push(format!(
            "Order: apply {}'s changes first; {} then updates its migration so nothing it depends on disappears, \
             or keeps the object and changes it in a later step",
            first.dependant.agent_id, first.changer.agent_id
        ));
        out.push(finding(ConflictType::Dependency, severity, objects.into_iter().collect(), lines));
    }

    if let (Some((a_start, a_end)), Some((b_start, b_end))) = (a.window, b.window)
        && a_start < b_end
        && b_start < a_end
    {
        let shared: BTreeSet<String> = shared_anchors(a.affected, b.affected);
        if !shared.is_empty() {
            let lines = vec![
                format!(
                    "Both intents expect to work on {} at the same time ({} until {}, {} until {})",
                    shared.iter().cloned().collect::<Vec<_>>().join(", "),
                    b.agent_id,
                    iso(b_end),
                    a.agent_id,
                    iso(a_end)
                ),
                format!(
                    "Stagger the work: {} starts after {}'s estimated end ({})",
                    a.agent_id,
                    b.agent_id,
                    iso(b_end)
                ),
            ];
            out.push(finding(ConflictType::Timing, Severity::Warning, shared.into_iter().collect(), lines));
        }
    }
    out
}

fn finding(conflict_type: ConflictType, severity: Severity, objects: Vec<String>, mut lines: Vec<String>) -> Finding {
    lines.push(match severity {
        Severity::Warning => "Severity: warning - Can proceed with coordination".to_string(),
        Severity::Error => "Severity: error - Proceed with caution".to_string(),
    });
    Finding { conflict_type, severity, affected_objects: objects, suggestions: lines }
}

fn verbs(actions: &BTreeSet<Action>) -> String {
    actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join("+")
}

/// Relations both intents change (directly or through a column, constraint, trigger, policy),
/// as `schema.name`.
fn shared_relations(a: &Affected, b: &Affected) -> BTreeSet<String> {
    let rels = |x: &Affected| -> BTreeSet<String> {
        x.changes.keys().filter_map(Object::relation).map(|r| r.qualified()).collect()
    };
    rels(a).intersection(&rels(b)).cloned().collect()
}

/// Objects of `kind` both intents change, with each side's actions.
fn same_objects(
    a: &Affected,
    b: &Affected,
    kind: ObjectKind,
) -> BTreeMap<String, (BTreeSet<Action>, BTreeSet<Action>)> {
    let mut out: BTreeMap<String, (BTreeSet<Action>, BTreeSet<Action>)> = BTreeMap::new();
    for (x, xa) in a.changes.iter().filter(|(o, _)| o.kind == kind) {
        for (y, ya) in b.changes.iter().filter(|(o, _)| o.kind == kind) {
            if x.matches(y) {
                // Name the more precise side (a function's signature when one side gave it).
                let name = if x.member.is_some() { x.qualified() } else { y.qualified() };
                let entry = out.entry(name).or_default();
                entry.0.extend(xa.iter().copied());
                entry.1.extend(ya.iter().copied());
            }
        }
    }
    out
}

/// Anchors (relations, functions, indexes, types) both intents touch, by name.
fn shared_anchors(a: &Affected, b: &Affected) -> BTreeSet<String> {
    let names = |x: &Affected| -> BTreeMap<String, String> {
        x.changes
            .keys()
            .map(|o| {
                (
                    o.anchor(),
                    o.relation().map_or_else(|| Object { member: None, ..o.clone() }.qualified(), |r| r.qualified()),
                )
            })
            .collect()
    };
    let (na, nb) = (names(a), names(b));
    na.into_iter().filter(|(k, _)| nb.contains_key(k)).map(|(_, v)| v).collect()
}

struct Hit<'p, 'a> {
    changer: &'p Participant<'a>,
    dependant: &'p Participant<'a>,
    object: Object,
    verb: &'static str,
    severity: Severity,
}

/// What `changer` does to objects `dependant` depends on: dropping one is an error; altering or
/// creating one (the dependant then needs the changer's version), or dropping or altering a member
/// of a relation it reads, is a warning. Adding a column to a relation breaks nothing.
fn dependency_hits<'p, 'a>(changer: &'p Participant<'a>, dependant: &'p Participant<'a>) -> Vec<Hit<'p, 'a>> {
    let mut hits = Vec::new();
    for d in &dependant.affected.depends_on {
        for (c, actions) in &changer.affected.changes {
            let (verb, severity) = if c.matches(d) {
                if c.kind.is_relation() && !actions.contains(&Action::Drop) && !actions.contains(&Action::Create) {
                    // A relation-level "alter" comes with its member changes, judged below.
                    continue;
                }
                match () {
                    () if actions.contains(&Action::Drop) => ("drops", Severity::Error),
                    () if actions.contains(&Action::Create) => ("creates", Severity::Warning),
                    () => ("alters", Severity::Warning),
                }
            } else if d.kind.is_relation() && c.kind.is_member() && c.schema == d.schema && c.name == d.name {
                match () {
                    () if actions.contains(&Action::Drop) => ("drops", Severity::Warning),
                    () if actions.contains(&Action::Alter) => ("alters", Severity::Warning),
                    () => continue,
                }
            } else {
                continue;
            };
            hits.push(Hit { changer, dependant, object: c.clone(), verb, severity });
        }
    }
    hits
}

/// Milliseconds since the epoch as ISO 8601 (UTC), for messages.
fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or_else(|| ms.to_string(), |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use super::super::extract::extract;
    use super::*;

    fn p<'a>(agent: &'a str, affected: &'a Affected) -> Participant<'a> {
        Participant { agent_id: agent, feature_name: "f", affected, window: None }
    }

    fn kinds(found: &[Finding]) -> Vec<(&'static str, &'static str)> {
        found.iter().map(|f| (f.conflict_type.as_str(), f.severity.as_str())).collect()
    }

    #[test]
    fn same_column_is_an_error_and_same_table_a_warning() {
        let a = extract("ALTER TABLE public.users ADD COLUMN IF NOT EXISTS email text;").unwrap();
        let b = extract("ALTER TABLE \"users\" DROP COLUMN email;").unwrap();
        let found = detect(&p("alice", &a), &p("bob", &b));
        assert_eq!(kinds(&found), vec![("table", "warning"), ("column", "error")]);
        assert_eq!(found[1].affected_objects, vec!["public.users.email"]);
        assert!(found[1].suggestions[0].contains("alice: create; bob: drop"), "{:?}", found[1].suggestions);
        assert_eq!(found[1].suggestions.last().unwrap(), "Severity: error - Proceed with caution");
    }

    #[test]
    fn the_same_agent_never_conflicts_with_itself() {
        let a = extract("ALTER TABLE users ADD COLUMN x int;").unwrap();
        assert!(detect(&p("alice", &a), &p("alice", &a)).is_empty());
    }

    #[test]
    fn dropping_a_shared_table_is_a_table_error() {
        let a = extract("DROP TABLE IF EXISTS app.users CASCADE;").unwrap();
        let b = extract("ALTER TABLE app.users ADD COLUMN x int;").unwrap();
        let found = detect(&p("a", &a), &p("b", &b));
        assert_eq!(kinds(&found), vec![("table", "error")]);
        assert!(found[0].suggestions.iter().any(|s| s == "a (f) drops app.users"), "{:?}", found[0].suggestions);
    }

    #[test]
    fn different_columns_of_one_table_are_only_a_table_warning() {
        let a = extract("ALTER TABLE users ADD COLUMN x int;").unwrap();
        let b = extract("ALTER TABLE users ADD COLUMN y int;").unwrap();
        assert_eq!(kinds(&detect(&p("a", &a), &p("b", &b))), vec![("table", "warning")]);
        let c = extract("ALTER TABLE orders ADD COLUMN y int;").unwrap();
        assert!(detect(&p("a", &a), &p("c", &c)).is_empty());
    }

    #[test]
    fn functions_conflict_by_signature() {
        let a =
            extract("CREATE OR REPLACE FUNCTION app.total(int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;").unwrap();
        let b = extract("CREATE FUNCTION app.total(integer) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;").unwrap();
        let c = extract("CREATE FUNCTION app.total(text) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;").unwrap();
        assert_eq!(kinds(&detect(&p("a", &a), &p("b", &b))), vec![("function", "error")]);
        assert!(detect(&p("a", &a), &p("c", &c)).is_empty());
    }

    #[test]
    fn dropping_what_a_view_reads_is_a_dependency_error() {
        let a = extract("DROP TABLE app.orders;").unwrap();
        let b = extract("CREATE VIEW app.recent AS SELECT * FROM app.orders;").unwrap();
        let found = detect(&p("a", &a), &p("b", &b));
        assert_eq!(kinds(&found), vec![("dependency", "error")]);
        assert_eq!(found[0].affected_objects, vec!["app.orders"]);
        // Adding a column to what the view reads breaks nothing.
        let c = extract("ALTER TABLE app.orders ADD COLUMN note text;").unwrap();
        assert!(detect(&p("c", &c), &p("b", &b)).is_empty());
        let d = extract("ALTER TABLE app.orders ALTER COLUMN total TYPE numeric;").unwrap();
        assert_eq!(kinds(&detect(&p("d", &d), &p("b", &b))), vec![("dependency", "warning")]);
    }

    #[test]
    fn overlapping_windows_on_shared_objects_are_a_timing_warning() {
        let a = extract("ALTER TABLE users ADD COLUMN x int;").unwrap();
        let b = extract("ALTER TABLE users ADD COLUMN y int;").unwrap();
        let pa = Participant { window: Some((100, 200)), ..p("a", &a) };
        let pb = Participant { window: Some((150, 400)), ..p("b", &b) };
        assert_eq!(kinds(&detect(&pa, &pb)), vec![("table", "warning"), ("timing", "warning")]);
        let late = Participant { window: Some((200, 300)), ..p("b", &b) };
        assert_eq!(kinds(&detect(&pa, &late)), vec![("table", "warning")]);
    }
}
