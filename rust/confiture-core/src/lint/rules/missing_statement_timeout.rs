//! mig_016: long table scans or rewrites under a blocking lock without a `statement_timeout`.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use pg_query::NodeEnum;
use pg_query::protobuf::AlterTableType;

use super::column_type_change::binary_compatible;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_016",
    name: "Missing statement_timeout",
    target: Target::Migration,
    severity: Severity::Info,
    default_enabled: true,
    summary: "The first statement of a migration that scans or rewrites an existing table while blocking writes, when no `SET statement_timeout` ran before it in the file.",
    why: "How long the table stays blocked depends on its size in production, not on the development database; a statement_timeout bounds the outage to a budget you choose and rolls the migration back when it is exceeded.",
    fix: "Set `SET statement_timeout = '…';` to what the table may stay blocked for, or rewrite the step so it does not block (NOT VALID + VALIDATE, CONCURRENTLY, batched backfills).",
    bad: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);",
    good: "SET statement_timeout = '30s';\nALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);",
    check: Check::Statement(check),
};

/// Whether statement `i` scans or rewrites a table while blocking writes. The effects say so for
/// every type change and SET NOT NULL; what is known before the statement can prove otherwise (a
/// binary-compatible type, a validated `IS NOT NULL` check).
fn heavy(ctx: &StatementCtx<'_>, i: usize) -> bool {
    let e = &ctx.stmts[i].effects;
    if !(e.rewrites || e.scans) || ctx.disruptive_locks(i).is_empty() {
        return false;
    }
    let Some((rv, cmds)) = ctx.stmts[i].node.as_ref().and_then(tree::alter_table) else { return true };
    let table = ctx.resolve(&tree::relation(rv));
    cmds.iter().any(|cmd| match tree::subtype(cmd) {
        AlterTableType::AtAlterColumnType => {
            let Some(cd) = tree::column_def(cmd) else { return true };
            let new = crate::lint::migration::column_type(cd.type_name.as_ref(), &ctx.facts.search_path);
            let old = ctx.facts.column_type(ctx.db, &table, &cmd.name);
            match (old, new) {
                (Some(o), Some(n)) => cd.raw_default.is_some() || !binary_compatible(&o, &n),
                _ => true,
            }
        }
        AlterTableType::AtSetNotNull => !ctx.facts.has_not_null_check(ctx.db, &table, &cmd.name),
        // Other actions the effects count (ADD CHECK, FOREIGN KEY, volatile defaults, …).
        _ => cmd_is_heavy(cmd),
    })
}

/// Whether an ALTER TABLE action other than TYPE / SET NOT NULL scans or rewrites.
fn cmd_is_heavy(cmd: &pg_query::protobuf::AlterTableCmd) -> bool {
    let one = pg_query::protobuf::AlterTableStmt {
        relation: Some(pg_query::protobuf::RangeVar {
            relname: "t".into(),
            inh: true,
            relpersistence: "p".into(),
            ..Default::default()
        }),
        cmds: vec![pg_query::protobuf::Node { node: Some(NodeEnum::AlterTableCmd(Box::new(cmd.clone()))) }],
        objtype: pg_query::protobuf::ObjectType::ObjectTable as i32,
        missing_ok: false,
    };
    let e = crate::sql::effects::effects_of(&NodeEnum::AlterTableStmt(one));
    e.rewrites || e.scans
}

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    if ctx.facts.statement_timeout || !heavy(ctx, ctx.index) || (0..ctx.index).any(|i| heavy(ctx, i)) {
        return;
    }
    let e = &ctx.stmt().effects;
    let Some((table, _)) = ctx.disruptive_locks(ctx.index).into_iter().max_by_key(|(_, m)| *m) else { return };
    let what = if e.rewrites { "rewrites" } else { "scans" };
    let message = format!("{what} {table} while writes wait, with no statement_timeout to bound it");
    sink.add("statement", table.to_string(), message, Some(&ctx.location()));
}
