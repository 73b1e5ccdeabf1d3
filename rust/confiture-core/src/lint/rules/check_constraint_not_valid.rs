//! mig_007: adding a CHECK constraint to an existing table without NOT VALID.

use pg_query::protobuf::ConstrType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::StatementCtx;
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_007",
    name: "Check Constraint Without NOT VALID",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ALTER TABLE … ADD CHECK (…)` without NOT VALID on an existing table.",
    why: "The new CHECK is verified against every row while an ACCESS EXCLUSIVE lock is held: nothing can read or write the table until the scan finishes.",
    fix: "Add it `NOT VALID`, then `VALIDATE CONSTRAINT` separately (SHARE UPDATE EXCLUSIVE: reads and writes continue).",
    bad: "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);",
    good: "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((table, constraints)) = ctx.validated_constraints_added(ConstrType::ConstrCheck) else { return };
    for c in constraints {
        let name = if c.conname.is_empty() { "a CHECK".to_string() } else { format!("CHECK {}", c.conname) };
        let message =
            format!("adds {name} on {table} without NOT VALID: every row is checked under an ACCESS EXCLUSIVE lock");
        let object = if c.conname.is_empty() { table.to_string() } else { format!("{table}.{}", c.conname) };
        ctx.flag_table(sink, &table, "constraint", object, message, &ctx.location_at(c.location));
    }
}
