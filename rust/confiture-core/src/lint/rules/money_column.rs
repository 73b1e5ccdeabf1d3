//! type_005: Columns of type `money`.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, flag_columns_of_type};
use crate::schema::TypeRef;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "type_005",
    name: "Money Column",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Columns of type `money`.",
    why: "`money` follows the server's `lc_monetary` setting, so output and input change with locale, it holds a single currency and rounds fractions of a cent.",
    fix: "Use `numeric(p, s)` (or an integer number of cents) plus a currency column.",
    bad: "CREATE TABLE payments (id bigint PRIMARY KEY, amount money);",
    good: "CREATE TABLE payments (id bigint PRIMARY KEY, amount numeric(12, 2), currency text);",
    check: Check::Schema(check),
};

fn flagged(t: &TypeRef) -> bool {
    t.schema == "pg_catalog" && t.name == "money"
}

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    flag_columns_of_type(ctx, sink, flagged);
}
