//! mig_011: dropping a table that exists.

use pg_query::NodeEnum;
use pg_query::protobuf::ObjectType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, TableState};
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::sql::effects::qualified_name;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_011",
    name: "Table Dropped",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`DROP TABLE` of a table that exists (tables created earlier in the linted migrations are exempt).",
    why: "The rows are gone for good, and running code that still queries the table fails; the ACCESS EXCLUSIVE lock waits for every query on it.",
    fix: "Remove every use first and deploy; rename the table aside (or keep a dump) for a release before dropping it.",
    bad: "DROP TABLE audit_2019;",
    good: "ALTER TABLE audit_2019 RENAME TO audit_2019_retired; -- confiture-lint: ignore mig_013",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::DropStmt(d)) = ctx.node() else { return };
    let what = match ObjectType::try_from(d.remove_type) {
        Ok(ObjectType::ObjectTable) => "table",
        Ok(ObjectType::ObjectMatview) => "materialized view",
        _ => return,
    };
    for rel in d.objects.iter().filter_map(qualified_name) {
        let table = ctx.resolve(&rel);
        if ctx.table_state(&table) == TableState::New {
            continue;
        }
        let message = format!("drops {what} {table} and its data");
        sink.add("table", table.to_string(), message, Some(&ctx.location()));
    }
}
