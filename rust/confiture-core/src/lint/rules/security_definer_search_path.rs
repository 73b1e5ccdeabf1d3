//! sec_004: SECURITY DEFINER functions that do not pin `search_path`.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::SchemaCtx;
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "sec_004",
    name: "Security Definer Without search_path",
    target: Target::Schema,
    severity: Severity::Error,
    default_enabled: true,
    summary: "SECURITY DEFINER functions and procedures without `SET search_path`.",
    why: "The function runs with its owner's rights but resolves names through the caller's search_path: a caller who can create objects in any schema on that path can make it call their own function or operator as the owner (privilege escalation; PostgreSQL's docs spell this out).",
    fix: "Add `SET search_path = pg_catalog, pg_temp` (or the schemas it needs, pg_temp last) to the function, and qualify names in its body.",
    bad: "CREATE FUNCTION touch() RETURNS void LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;",
    good: "CREATE FUNCTION touch() RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ SELECT 1 $$;",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for ((name, args), f) in &ctx.catalog.functions {
        if !f.security_definer || f.config.contains_key("search_path") {
            continue;
        }
        let what = if f.procedure { "procedure" } else { "function" };
        let object = format!("{name}({args})");
        let message = format!("SECURITY DEFINER {what} {object} does not set search_path");
        let id = ObjectId::Function(name.clone(), args.clone());
        sink.add(what, object, message, ctx.location(&id));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::schema_findings;

    #[test]
    fn procedures_and_arguments() {
        let sql = "CREATE SCHEMA app;\nCREATE PROCEDURE app.purge(days int) LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;\n\
                   CREATE FUNCTION app.ok() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;";
        assert_eq!(
            schema_findings(sql, "sec_004"),
            ["app.purge(integer): SECURITY DEFINER procedure app.purge(integer) does not set search_path"]
        );
    }
}
