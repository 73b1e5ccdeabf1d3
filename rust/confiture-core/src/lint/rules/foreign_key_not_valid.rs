//! mig_006: adding a foreign key to an existing table without NOT VALID.

use pg_query::protobuf::ConstrType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_006",
    name: "Foreign Key Without NOT VALID",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`ALTER TABLE … ADD FOREIGN KEY` without NOT VALID on an existing table.",
    why: "Adding the constraint checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: writes to the table and to the referenced table wait for the whole scan.",
    fix: "Add it `NOT VALID` (only new rows are checked, the lock is brief), then `ALTER TABLE … VALIDATE CONSTRAINT …` in a later migration (SHARE UPDATE EXCLUSIVE: writes continue).",
    bad: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
    good: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let Some((table, constraints)) = ctx.validated_constraints_added(ConstrType::ConstrForeign) else { return };
    for c in constraints {
        let referenced = c.pktable.as_ref().map(|pk| ctx.resolve(&tree::relation(pk)).to_string()).unwrap_or_default();
        let name =
            if c.conname.is_empty() { "a foreign key".to_string() } else { format!("foreign key {}", c.conname) };
        let message = format!(
            "adds {name} on {table} → {referenced} without NOT VALID: every row is checked while writes to both tables wait"
        );
        let object = if c.conname.is_empty() { table.to_string() } else { format!("{table}.{}", c.conname) };
        ctx.flag_table(sink, &table, "constraint", object, message, &ctx.location_at(c.location));
    }
}
