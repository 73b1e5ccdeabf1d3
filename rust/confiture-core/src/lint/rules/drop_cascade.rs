//! mig_024: DROP … CASCADE.

use pg_query::NodeEnum;
use pg_query::protobuf::{DropBehavior, ObjectType};

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::StatementCtx;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::sql::effects::qualified_name;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_024",
    name: "DROP CASCADE",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`DROP … CASCADE` of any object.",
    why: "CASCADE silently drops everything that depends on the object — views, foreign keys, defaults, functions, columns of other tables — which the migration does not name and a reviewer cannot see.",
    fix: "Drop the dependants explicitly first, then the object without CASCADE: PostgreSQL then refuses if something was missed.",
    bad: "DROP TYPE order_status CASCADE;",
    good: "DROP TYPE order_status;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::DropStmt(d)) = ctx.node() else { return };
    if d.behavior != DropBehavior::DropCascade as i32 {
        return;
    }
    let what = match ObjectType::try_from(d.remove_type) {
        Ok(ObjectType::ObjectTable) => "table",
        Ok(ObjectType::ObjectView) => "view",
        Ok(ObjectType::ObjectMatview) => "materialized view",
        Ok(ObjectType::ObjectSchema) => "schema",
        Ok(ObjectType::ObjectType) => "type",
        Ok(ObjectType::ObjectDomain) => "domain",
        Ok(ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine) => "function",
        Ok(ObjectType::ObjectExtension) => "extension",
        Ok(ObjectType::ObjectIndex) => "index",
        Ok(ObjectType::ObjectSequence) => "sequence",
        _ => "object",
    };
    let names: Vec<String> = d
        .objects
        .iter()
        .map(|o| match o.node.as_ref() {
            Some(NodeEnum::String(s)) => s.sval.clone(),
            Some(NodeEnum::TypeName(t)) => crate::schema::type_ref::names(&t.names).join("."),
            Some(NodeEnum::ObjectWithArgs(f)) => crate::schema::type_ref::names(&f.objname).join("."),
            _ => qualified_name(o).map(|r| r.display()).unwrap_or_default(),
        })
        .collect();
    let message = format!("drops {what} {} with CASCADE: everything depending on it goes too", names.join(", "));
    sink.add(what, names.join(", "), message, Some(&ctx.location()));
}
