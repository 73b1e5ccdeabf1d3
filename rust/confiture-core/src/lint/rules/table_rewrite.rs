//! mig_021: commands that rewrite a whole table under an ACCESS EXCLUSIVE lock.

use pg_query::NodeEnum;
use pg_query::protobuf::AlterTableType;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::migration::{StatementCtx, tree};
use crate::lint::rule::{Check, RuleMeta, Target};

pub(crate) const META: RuleMeta = RuleMeta {
    id: "mig_021",
    name: "Table Rewrite",
    target: Target::Migration,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "`VACUUM FULL`, `CLUSTER`, and `ALTER TABLE … SET LOGGED | SET UNLOGGED | SET TABLESPACE | SET ACCESS METHOD` on an existing table.",
    why: "Each copies the whole table (and rebuilds its indexes) while holding an ACCESS EXCLUSIVE lock: no reads, no writes until it is done, and twice the disk space meanwhile.",
    fix: "Run it in a maintenance window, outside migrations; to reclaim space online use pg_repack or pg_squeeze.",
    bad: "VACUUM FULL orders;",
    good: "VACUUM (ANALYZE) orders;",
    check: Check::Statement(check),
};

fn check(ctx: &StatementCtx<'_>, sink: &mut Sink) {
    let mut found: Vec<(&pg_query::protobuf::RangeVar, &str)> = Vec::new();
    match ctx.node() {
        Some(NodeEnum::VacuumStmt(v)) => {
            let full =
                v.options.iter().any(|o| matches!(o.node.as_ref(), Some(NodeEnum::DefElem(d)) if d.defname == "full"));
            if full {
                for r in &v.rels {
                    if let Some(NodeEnum::VacuumRelation(vr)) = r.node.as_ref()
                        && let Some(rv) = vr.relation.as_ref()
                    {
                        found.push((rv, "VACUUM FULL"));
                    }
                }
            }
        }
        Some(NodeEnum::ClusterStmt(c)) => {
            if let Some(rv) = c.relation.as_ref() {
                found.push((rv, "CLUSTER"));
            }
        }
        Some(node) => {
            if let Some((rv, cmds)) = tree::alter_table(node) {
                for cmd in cmds {
                    let what = match tree::subtype(cmd) {
                        AlterTableType::AtSetLogged => "SET LOGGED",
                        AlterTableType::AtSetUnLogged => "SET UNLOGGED",
                        AlterTableType::AtSetTableSpace => "SET TABLESPACE",
                        AlterTableType::AtSetAccessMethod => "SET ACCESS METHOD",
                        _ => continue,
                    };
                    found.push((rv, what));
                }
            }
        }
        None => {}
    }
    for (rv, what) in found {
        let table = ctx.resolve(&tree::relation(rv));
        let message = format!("{what} rewrites {table} under an ACCESS EXCLUSIVE lock");
        ctx.flag_table(sink, &table, "table", table.to_string(), message, &ctx.location());
    }
}
