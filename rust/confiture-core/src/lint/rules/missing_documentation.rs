//! doc_001: tables without a comment.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::SchemaCtx;
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "doc_001",
    name: "Missing Documentation",
    target: Target::Schema,
    severity: Severity::Info,
    default_enabled: true,
    summary: "Tables without a `COMMENT ON TABLE`.",
    why: "Comments live in the catalog next to the table: every client (psql `\\d+`, GUIs, generated API docs) shows them, unlike a wiki page.",
    fix: "Add `COMMENT ON TABLE schema.table IS '…';` next to the table's definition.",
    bad: "CREATE TABLE invoices (id bigint PRIMARY KEY);",
    good: "CREATE TABLE invoices (id bigint PRIMARY KEY);\nCOMMENT ON TABLE invoices IS 'Issued invoices, one row per document';",
    check: Check::Schema(check),
};

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    for t in
        ctx.tables().filter(|t| t.partition_of.is_none() && t.comment.as_deref().is_none_or(|c| c.trim().is_empty()))
    {
        let message = format!("table {} has no comment", t.name);
        sink.add("table", t.name.to_string(), message, ctx.location(&ObjectId::Table(t.name.clone())));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::schema_findings;

    #[test]
    fn comments_in_another_schema_or_file_count() {
        let sql = "CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE TABLE u (id int);\
                   COMMENT ON TABLE app.t IS 'documented';";
        assert_eq!(schema_findings(sql, "doc_001"), ["u: table u has no comment"]);
        // A comment on a table of the same name in another schema does not count.
        let sql = "CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE TABLE t (id int); COMMENT ON TABLE t IS 'x';";
        assert_eq!(schema_findings(sql, "doc_001"), ["app.t: table app.t has no comment"]);
    }
}
