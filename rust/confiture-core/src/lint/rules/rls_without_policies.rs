//! sec_002: row-level security enabled on a table that has no policy.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::SchemaCtx;
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "sec_002",
    name: "Row-Level Security Without Policies",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Tables with ROW LEVEL SECURITY enabled and no policy.",
    why: "With RLS on and no policy, every role except the owner and superusers sees no rows and cannot write any: a default-deny that usually means the policies were forgotten or live in a file the build does not include.",
    fix: "Add the policies (`CREATE POLICY … ON table USING (…)`), or disable row-level security if it is not meant to be on.",
    bad: "CREATE TABLE notes (id bigint PRIMARY KEY, owner text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;",
    good: "CREATE TABLE notes (id bigint PRIMARY KEY, owner text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY notes_owner ON notes USING (owner = current_user);",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for t in ctx.tables().filter(|t| t.row_security && t.policies.is_empty()) {
        let message = format!(
            "table {} has row-level security enabled but no policy: only its owner can read or write it",
            t.name
        );
        sink.add("table", t.name.to_string(), message, ctx.location(&ObjectId::Table(t.name.clone())));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::schema_findings;

    #[test]
    fn policies_and_row_security_both_ways() {
        let sql = "CREATE TABLE a (id int);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\n\
                   CREATE TABLE b (id int);\nALTER TABLE b ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON b USING (true);\n\
                   CREATE TABLE c (id int);\nCREATE POLICY q ON c USING (true);\nCREATE POLICY r ON c USING (false);";
        assert_eq!(
            schema_findings(sql, "sec_002"),
            ["a: table a has row-level security enabled but no policy: only its owner can read or write it"]
        );
        assert_eq!(
            schema_findings(sql, "sec_003"),
            ["c: table c has policies (q, r) but row-level security is not enabled: they are ignored"]
        );
    }
}
