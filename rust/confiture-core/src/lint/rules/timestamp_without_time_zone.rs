//! type_001: Columns of type `timestamp` (without time zone).

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, flag_columns_of_type};
use crate::schema::TypeRef;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "type_001",
    name: "Timestamp Without Time Zone",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Columns of type `timestamp` (without time zone).",
    why: "A `timestamp` stores wall-clock time without saying where: the same instant is written differently by servers and clients in other time zones, and daylight-saving changes make values ambiguous or duplicate.",
    fix: "Use `timestamptz` (`timestamp with time zone`): it stores an instant and shows it in the session's zone.",
    bad: "CREATE TABLE logins (id bigint PRIMARY KEY, at timestamp NOT NULL);",
    good: "CREATE TABLE logins (id bigint PRIMARY KEY, at timestamptz NOT NULL);",
    check: Check::Schema(check),
};

fn flagged(t: &TypeRef) -> bool {
    t.schema == "pg_catalog" && t.name == "timestamp"
}

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    flag_columns_of_type(ctx, sink, flagged);
}
