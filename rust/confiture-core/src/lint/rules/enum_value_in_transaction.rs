//! mig_018: enum values added inside a transaction where that fails.

use pg_query::NodeEnum;
use serde_json::Value;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::StatementCtx;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::schema::type_ref::names;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_018",
    name: "Enum Value Added Inside a Transaction",
    target: Target::Migration,
    severity: Severity::Error,
    default_enabled: true,
    summary: "`ALTER TYPE … ADD VALUE` in a transaction when the server is older than PostgreSQL 12 (from the database, or `lint.postgres_version`), or when a later statement of the same transaction uses the new value.",
    why: "Before PostgreSQL 12, ADD VALUE cannot run in a transaction block at all; since 12 it can, but the new value cannot be used until the transaction commits (`unsafe use of new value`). Either way the migration fails.",
    fix: "Put ADD VALUE in a migration of its own (with `-- confiture: no-transaction` before PostgreSQL 12) and use the value in a later migration.",
    bad: "ALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'refunded' WHERE refund_id IS NOT NULL;",
    good: "ALTER TYPE order_status ADD VALUE 'refunded';",
    check: Check::Statement(check),
};

/// Whether a string constant of the tree equals `value` (the tree as JSON: pg_query's own walker
/// does not visit every clause, e.g. VALUES lists).
fn uses_value(node: &NodeEnum, value: &str) -> bool {
    fn any_sval(v: &Value, value: &str) -> bool {
        match v {
            Value::Object(m) => m.iter().any(|(k, x)| (k == "sval" && x.as_str() == Some(value)) || any_sval(x, value)),
            Value::Array(a) => a.iter().any(|x| any_sval(x, value)),
            _ => false,
        }
    }
    fn walk(v: &Value, value: &str) -> bool {
        match v {
            Value::Object(m) => m.iter().any(|(k, x)| if k == "AConst" { any_sval(x, value) } else { walk(x, value) }),
            Value::Array(a) => a.iter().any(|x| walk(x, value)),
            _ => false,
        }
    }
    serde_json::to_value(node).is_ok_and(|v| walk(&v, value))
}

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some(NodeEnum::AlterEnumStmt(e)) = ctx.node() else { return };
    if e.new_val.is_empty() || !ctx.stmt().in_transaction {
        return;
    }
    let type_name = names(&e.type_name).join(".");
    let object = format!("{type_name}.{}", e.new_val);
    if let Some(major) = ctx.server_major().filter(|v| *v < 12) {
        let message = format!(
            "adds value '{}' to {type_name} inside a transaction: PostgreSQL {major} refuses ALTER TYPE … ADD VALUE in a transaction block",
            e.new_val
        );
        sink.add("type", object, message, Some(&ctx.location()));
        return;
    }
    if let Some(user) =
        ctx.rest_of_transaction().iter().find(|s| s.node.as_ref().is_some_and(|n| uses_value(n, &e.new_val)))
    {
        let message = format!(
            "adds value '{}' to {type_name} and uses it at line {} in the same transaction: PostgreSQL refuses it until the transaction commits",
            e.new_val, user.line
        );
        sink.add("type", object, message, Some(&ctx.location()));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{migration_findings, migration_findings_with};

    #[test]
    fn old_servers_and_same_transaction_use() {
        assert!(migration_findings("ALTER TYPE s ADD VALUE 'x';\nSELECT 'y';", "mig_018").is_empty());
        let f = migration_findings_with("ALTER TYPE s ADD VALUE 'x';", "mig_018", "postgres_version: 11");
        assert_eq!(f.len(), 1);
        assert!(f[0].contains("PostgreSQL 11 refuses"), "{f:?}");
        let f = migration_findings("ALTER TYPE s ADD VALUE 'x';\nINSERT INTO t (s) VALUES ('x');", "mig_018");
        assert!(f[0].contains("uses it at line 2"), "{f:?}");
        let nt = "-- confiture: no-transaction\nALTER TYPE s ADD VALUE 'x';\nINSERT INTO t (s) VALUES ('x');";
        assert!(migration_findings_with(nt, "mig_018", "postgres_version: 11").is_empty());
    }
}
