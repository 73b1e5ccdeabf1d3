//! Drift: the base's DDL model with the migrations added since applied to it (both parsed
//! offline), compared with the model of the new DDL. Each difference is told apart by comparing
//! both with the base model: the DDL changed and no migration does it, a migration does something
//! the DDL does not say, or both changed the object differently.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::report::Violation;
use crate::diff::{Change, object_display};
use crate::schema::{ObjectId, ObjectKind, ParseOptions, Parsed, SchemaError, Source, SourceLocation, parse_many};

const CHECK: &str = "drift";

/// One DDL or migration file of a side, named as people see it.
pub(crate) struct Text {
    pub name: String,
    pub text: Arc<str>,
}

fn sources(texts: &[&Text]) -> Vec<Source> {
    texts.iter().map(|t| Source { name: t.name.clone(), text: t.text.to_string() }).collect()
}

fn parse(texts: &[&Text]) -> Result<Parsed, SchemaError> {
    let mut models = parse_many(&[&sources(texts)], ParseOptions::default());
    models.pop().expect("invariant: one model per list")
}

/// `base` and `new` are the schema files of each side in build order; `migrations` the up files
/// added since the base, in version order. `base_label` names the base in messages.
pub(crate) fn check(
    base: &[Text],
    migrations: &[Text],
    new: &[Text],
    base_label: &str,
) -> Result<Vec<Violation>, crate::Error> {
    let base_refs: Vec<&Text> = base.iter().collect();
    let applied_refs: Vec<&Text> = base.iter().chain(migrations).collect();
    let new_refs: Vec<&Text> = new.iter().collect();
    // Files unchanged since the base are parsed once for both models.
    let (applied_sources, new_sources) = (sources(&applied_refs), sources(&new_refs));
    let mut models = parse_many(&[&applied_sources, &new_sources], ParseOptions::default()).into_iter();
    let (applied, wanted) =
        (models.next().expect("invariant: two models"), models.next().expect("invariant: two models"));
    let wanted = match wanted {
        Ok(p) => p,
        Err(e) => return Ok(vec![invalid(&e, None)]),
    };
    let applied = match applied {
        Ok(p) => p,
        // The base alone may be what fails: then say it is the base's DDL.
        Err(e) => {
            let at_base = e.location().is_some_and(|(f, _)| base.iter().any(|t| t.name == f));
            return Ok(vec![invalid(&e, at_base.then_some(base_label))]);
        }
    };
    // Equal models (the usual answer) need no diff.
    if applied.catalog == wanted.catalog {
        // Freeing two whole models takes a while; the answer does not wait for it.
        rayon::spawn(move || drop((applied, wanted)));
        return Ok(Vec::new());
    }
    // One direction is enough: the changes, not the plans both ways.
    let (changes, _) = crate::diff::plan(&applied.catalog, &wanted.catalog)?;
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    // Without migrations, the applied model is the base model: every difference is the DDL's.
    let (from_ddl, from_migrations, base_model) = if migrations.is_empty() {
        (keyed(&changes), BTreeMap::new(), None)
    } else {
        let base_model = match parse(&base_refs) {
            Ok(p) => p,
            Err(e) => return Ok(vec![invalid(&e, Some(base_label))]),
        };
        let (ddl, migs) = rayon::join(
            || crate::diff::plan(&base_model.catalog, &wanted.catalog),
            || crate::diff::plan(&base_model.catalog, &applied.catalog),
        );
        (keyed(&ddl?.0), keyed(&migs?.0), Some(base_model))
    };
    let (wanted_at, applied_at) = (Places::of(&wanted), Places::of(&applied));
    let base_at = base_model.as_ref().map(Places::of);
    let mut out = Vec::new();
    for c in &changes {
        let key = (c.kind, c.object.clone());
        let (kind, message, loc) = match (from_ddl.get(&key), from_migrations.get(&key)) {
            (Some(d), Some(m)) => (
                "ddl_migration_mismatch",
                format!(
                    "DDL and migrations both change {} {}, differently: the DDL makes {}, the migrations make {}",
                    c.kind.kind_name(),
                    c.object,
                    d.description,
                    m.description
                ),
                wanted_at.find(c).or_else(|| applied_at.find(c)),
            ),
            (None, Some(m)) => (
                "migration_without_ddl",
                format!("migration does this but DDL doesn't say so: {}", m.description),
                applied_at.find(c).filter(|l| migrations.iter().any(|t| t.name == l.file)).or_else(|| {
                    wanted_at.find(c).or_else(|| {
                        migrations.first().map(|t| SourceLocation { file: t.name.clone(), line: 0, column: 0 })
                    })
                }),
            ),
            (Some(_), None) | (None, None) => {
                let here = wanted_at.find(c);
                let (loc, suffix) = match here {
                    Some(l) => (Some(l), String::new()),
                    // Gone from the DDL: point at where the base defined it.
                    None => (base_at.as_ref().unwrap_or(&applied_at).find(c), format!(" (defined at {base_label})")),
                };
                (
                    "ddl_without_migration",
                    format!("DDL changed but no migration does this: {}{suffix}", c.description),
                    loc,
                )
            }
        };
        let (file, line) = loc.map_or((None, None), |l| (Some(l.file), (l.line > 0).then_some(l.line)));
        out.push(Violation::new(kind, CHECK, message).object(c.object.clone()).at(file, line));
    }
    Ok(out)
}

fn invalid(e: &SchemaError, at: Option<&str>) -> Violation {
    let (file, line) = e.location().map_or((None, None), |(f, l)| (Some(f.to_string()), Some(l)));
    let message = match at {
        Some(base) => format!("{e} (at {base}; the drift check needs both sides to parse)"),
        None => format!("{e} (the drift check needs both sides to parse)"),
    };
    Violation::new("invalid_sql", CHECK, message).at(file, line)
}

fn keyed(changes: &[Change]) -> BTreeMap<(ObjectKind, String), Change> {
    let mut m = BTreeMap::new();
    for c in changes {
        m.entry((c.kind, c.object.clone())).or_insert_with(|| c.clone());
    }
    m
}

/// The id family a change kind names (kinds that share an id variant share a family).
fn family(kind: ObjectKind) -> Option<u8> {
    use ObjectKind as K;
    Some(match kind {
        K::Schema => 0,
        K::Extension => 1,
        K::EnumType | K::CompositeType | K::Domain | K::RangeType => 2,
        K::Sequence => 3,
        K::Table => 4,
        K::Column => 5,
        K::Constraint => 6,
        K::Index => 7,
        K::View | K::MaterializedView => 8,
        K::Function | K::Procedure => 9,
        K::Trigger => 10,
        K::Policy => 11,
        K::Comment | K::Grant | K::DefaultPrivilege => return None,
    })
}

fn id_family(id: &ObjectId) -> u8 {
    match id {
        ObjectId::Schema(_) => 0,
        ObjectId::Extension(_) => 1,
        ObjectId::Type(_) => 2,
        ObjectId::Sequence(_) => 3,
        ObjectId::Table(_) => 4,
        ObjectId::Column(..) => 5,
        ObjectId::Constraint(..) => 6,
        ObjectId::Index(_) => 7,
        ObjectId::View(_) => 8,
        ObjectId::Function(..) => 9,
        ObjectId::Trigger(..) => 10,
        ObjectId::Policy(..) => 11,
    }
}

/// Where a model defines each object, by id family and name as changes write it.
struct Places(BTreeMap<(u8, String), SourceLocation>);

impl Places {
    fn of(model: &Parsed) -> Self {
        Self(model.locations.iter().map(|(id, l)| ((id_family(id), object_display(id)), l.clone())).collect())
    }

    /// Where the object of a change is defined (or its table, for parts of tables).
    fn find(&self, c: &Change) -> Option<SourceLocation> {
        family(c.kind)
            .and_then(|f| self.0.get(&(f, c.object.clone())))
            .or_else(|| c.table.as_ref().and_then(|t| self.0.get(&(4, t.clone()))))
            .cloned()
    }
}
