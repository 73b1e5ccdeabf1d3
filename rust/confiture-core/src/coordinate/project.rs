//! Dependencies an intent's DDL does not spell out, read from the project's schema model: an intent
//! that alters an existing view, function, trigger or table also depends on what the project's
//! DDL says that object needs (the tables a view reads, a column's type, a trigger's function).

use std::path::Path;

use super::objects::{Action, Affected, Object, ObjectKind};
use crate::diff::source::{DiffOptions, Side, load};
use crate::schema::{Catalog, ObjectId, QualifiedName};

/// The model of environment `env`'s DDL (parsed offline; no database needed).
pub fn project_catalog(env: &str, project_dir: &Path) -> Result<Catalog, crate::Error> {
    let options = DiffOptions { online: false, include_grants: false, project_dir: project_dir.to_path_buf() };
    Ok(load(&Side::Env(env.to_string()), &options)?.catalog)
}

/// The model of environment `env`'s DDL, or `None` when the project has no `env` environment
/// file (then intents carry only the dependencies their own DDL states).
pub fn project_catalog_if_present(env: &str, project_dir: &Path) -> Result<Option<Catalog>, crate::Error> {
    let dir = project_dir.join("db").join("environments");
    if !["yaml", "yml"].iter().any(|ext| dir.join(format!("{env}.{ext}")).is_file()) {
        return Ok(None);
    }
    project_catalog(env, project_dir).map(Some)
}

/// Adds to `affected` the dependencies, in `catalog`, of the existing objects it changes (the
/// caller settles them: see [`Affected::settle`]).
pub fn expand(affected: &mut Affected, catalog: &Catalog) {
    let mut extra = Vec::new();
    for (object, actions) in &affected.changes {
        if actions.iter().all(|a| *a == Action::Drop) {
            continue;
        }
        for id in ids_of(object, catalog) {
            extra.extend(catalog.dependencies(&id).iter().filter_map(object_of));
        }
    }
    for d in extra {
        affected.depend(d);
    }
}

fn qn(o: &Object) -> QualifiedName {
    QualifiedName::new(o.schema.clone(), o.name.clone())
}

/// The model's ids for an object (every overload for a function whose signature is unknown or
/// written differently).
fn ids_of(o: &Object, catalog: &Catalog) -> Vec<ObjectId> {
    let name = qn(o);
    match o.kind {
        ObjectKind::Table | ObjectKind::View | ObjectKind::Sequence | ObjectKind::Column => {
            catalog.resolve_relation(&name).into_iter().collect()
        }
        ObjectKind::Constraint => o.member.iter().map(|m| ObjectId::Constraint(name.clone(), m.clone())).collect(),
        ObjectKind::Trigger => o.member.iter().map(|m| ObjectId::Trigger(name.clone(), m.clone())).collect(),
        ObjectKind::Policy => o.member.iter().map(|m| ObjectId::Policy(name.clone(), m.clone())).collect(),
        ObjectKind::Index => vec![ObjectId::Index(name)],
        ObjectKind::Type => vec![ObjectId::Type(name)],
        ObjectKind::Function => catalog.functions_named(&name).collect(),
        ObjectKind::Schema => Vec::new(),
    }
}

/// A model id as a coordination object (functions by name: signatures are spelled differently).
fn object_of(id: &ObjectId) -> Option<Object> {
    Some(match id {
        ObjectId::Schema(_) | ObjectId::Extension(_) => return None,
        ObjectId::Type(n) => Object::new(ObjectKind::Type, &n.schema, &n.name),
        ObjectId::Sequence(n) => Object::new(ObjectKind::Sequence, &n.schema, &n.name),
        ObjectId::Table(n) => Object::new(ObjectKind::Table, &n.schema, &n.name),
        ObjectId::View(n) => Object::new(ObjectKind::View, &n.schema, &n.name),
        ObjectId::Index(n) => Object::new(ObjectKind::Index, &n.schema, &n.name),
        ObjectId::Column(t, c) => Object::member(ObjectKind::Column, &t.schema, &t.name, c),
        ObjectId::Constraint(t, c) => Object::member(ObjectKind::Constraint, &t.schema, &t.name, c),
        ObjectId::Trigger(t, c) => Object::member(ObjectKind::Trigger, &t.schema, &t.name, c),
        ObjectId::Policy(t, c) => Object::member(ObjectKind::Policy, &t.schema, &t.name, c),
        ObjectId::Function(n, _) => Object::new(ObjectKind::Function, &n.schema, &n.name),
    })
}

#[cfg(test)]
mod tests {
    use super::super::extract::extract;
    use super::*;
    use crate::schema::{ParseOptions, parse_sql};

    #[test]
    fn altering_an_existing_view_depends_on_what_the_project_says_it_reads() {
        let project = parse_sql(
            "schema.sql",
            "CREATE SCHEMA app; CREATE TABLE app.orders (id int PRIMARY KEY, total numeric);\n\
             CREATE VIEW app.big AS SELECT id FROM app.orders WHERE total > 100;",
            ParseOptions::default(),
        )
        .unwrap()
        .catalog;
        let mut a = extract("ALTER VIEW app.big SET (security_barrier = true);").unwrap();
        assert!(a.depends_on.is_empty());
        expand(&mut a, &project);
        a.settle();
        let deps: Vec<String> = a.depends_on.iter().map(ToString::to_string).collect();
        assert!(deps.contains(&"table app.orders".to_string()), "{deps:?}");
    }
}
