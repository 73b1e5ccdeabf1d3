//! Small readers of pg_query's parse tree shared by the migration rules.

use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableCmd, AlterTableType, ColumnDef, ConstrType, Constraint, ObjectType, RangeVar};

use crate::sql::effects::Relation;

/// `ALTER TABLE name cmd, cmd…` (tables only, not indexes, views or sequences).
pub(crate) fn alter_table(node: &NodeEnum) -> Option<(&RangeVar, Vec<&AlterTableCmd>)> {
    let NodeEnum::AlterTableStmt(a) = node else { return None };
    if a.objtype != ObjectType::ObjectTable as i32 {
        return None;
    }
    let cmds = a
        .cmds
        .iter()
        .filter_map(|c| match c.node.as_ref() {
            Some(NodeEnum::AlterTableCmd(cmd)) => Some(&**cmd),
            _ => None,
        })
        .collect();
    Some((a.relation.as_ref()?, cmds))
}

pub(crate) fn subtype(cmd: &AlterTableCmd) -> AlterTableType {
    AlterTableType::try_from(cmd.subtype).unwrap_or(AlterTableType::Undefined)
}

/// The column definition of `ADD COLUMN` or `ALTER COLUMN … TYPE`.
pub(crate) fn column_def(cmd: &AlterTableCmd) -> Option<&ColumnDef> {
    match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
        Some(NodeEnum::ColumnDef(cd)) => Some(cd),
        _ => None,
    }
}

/// The constraint of `ADD CONSTRAINT`.
pub(crate) fn constraint(cmd: &AlterTableCmd) -> Option<&Constraint> {
    match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
        Some(NodeEnum::Constraint(c)) => Some(c),
        _ => None,
    }
}

/// A column definition's inline constraints.
pub(crate) fn column_constraints(cd: &ColumnDef) -> Vec<&Constraint> {
    cd.constraints
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(NodeEnum::Constraint(c)) => Some(&**c),
            _ => None,
        })
        .collect()
}

pub(crate) fn kind(c: &Constraint) -> ConstrType {
    ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined)
}

pub(crate) fn relation(rv: &RangeVar) -> Relation {
    Relation::from_range_var(rv)
}

/// `ADD COLUMN`'s default expression (inline DEFAULT constraint or raw default).
pub(crate) fn column_default(cd: &ColumnDef) -> Option<&pg_query::protobuf::Node> {
    cd.raw_default.as_deref().or_else(|| {
        column_constraints(cd).into_iter().find(|c| kind(c) == ConstrType::ConstrDefault)?.raw_expr.as_deref()
    })
}

/// Whether the column's type is `serial`/`bigserial`/`smallserial`.
pub(crate) fn is_serial(cd: &ColumnDef) -> bool {
    cd.type_name.as_ref().is_some_and(|t| {
        t.array_bounds.is_empty()
            && matches!(crate::schema::type_ref::names(&t.names).as_slice(), [n] if crate::schema::type_ref::serial_base(n).is_some())
    })
}

/// Whether a statement only changes session settings (`SET`, `RESET`, `SET LOCAL`).
pub(crate) fn is_setting(node: Option<&NodeEnum>) -> bool {
    matches!(node, Some(NodeEnum::VariableSetStmt(_) | NodeEnum::VariableShowStmt(_)))
}

/// Whether a statement is transaction control (`BEGIN`, `COMMIT`, `ROLLBACK`, savepoints).
pub(crate) fn is_transaction_control(node: Option<&NodeEnum>) -> bool {
    matches!(node, Some(NodeEnum::TransactionStmt(_)))
}
