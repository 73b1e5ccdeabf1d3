//! sec_003: policies on a table whose row-level security is off.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::SchemaCtx;
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "sec_003",
    name: "Policies Without Row-Level Security",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Tables that have policies but do not enable ROW LEVEL SECURITY.",
    why: "Policies are ignored until `ALTER TABLE … ENABLE ROW LEVEL SECURITY`: every role with table privileges sees every row, while the schema reads as if it were protected.",
    fix: "Add `ALTER TABLE … ENABLE ROW LEVEL SECURITY;` (and FORCE it if the owner must obey the policies too).",
    bad: "CREATE TABLE notes (id bigint PRIMARY KEY, owner text);\nCREATE POLICY notes_owner ON notes USING (owner = current_user);",
    good: "CREATE TABLE notes (id bigint PRIMARY KEY, owner text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY notes_owner ON notes USING (owner = current_user);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for t in ctx.tables().filter(|t| !t.row_security && !t.policies.is_empty()) {
        let names: Vec<&str> = t.policies.keys().map(String::as_str).collect();
        let message = format!(
            "table {} has {} ({}) but row-level security is not enabled: they are ignored",
            t.name,
            if names.len() == 1 { "a policy" } else { "policies" },
            names.join(", ")
        );
        sink.add("table", t.name.to_string(), message, ctx.location(&ObjectId::Table(t.name.clone())));
    }
}
