//! Work done ahead, in parallel: the model is built one statement after another (each may depend
//! on the ones before), but turning an expression or a view query into its model form depends on
//! nothing but the parse tree. So while statements are parsed on every core, the expressions the
//! builder will ask for are converted there too, and the builder finds them ready.
//!
//! Results are keyed by the address of their node in the statement's tree (which is neither moved
//! nor changed until the statement has been applied). A node the builder asks for that was not
//! computed ahead is simply computed then: what is done ahead only changes when work happens,
//! never its result (both call the same functions). Results are read, not taken: models built side
//! by side from the same parsed file share them.

use std::collections::HashMap;

use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ColumnDef, Constraint, Node};
use serde_json::Value;

use super::super::Expr;

/// A view's query: its deparsed text and its tree as JSON (resolved once the model is complete).
pub(crate) type ViewQuery = Result<(String, Value), String>;

/// What was computed ahead for one statement.
#[derive(Default)]
pub(crate) struct Ahead {
    exprs: HashMap<usize, Result<Expr, String>>,
    views: HashMap<usize, (Vec<String>, ViewQuery)>,
}

fn address(node: &Node) -> usize {
    std::ptr::from_ref(node) as usize
}

impl Ahead {
    /// Converts the expressions and view queries of one statement.
    pub fn compute(stmt: &NodeEnum) -> Self {
        let mut exprs = Vec::new();
        expression_nodes(stmt, &mut exprs);
        let mut ahead = Self::default();
        ahead.exprs.extend(exprs.into_iter().map(|n| (address(n), Expr::from_node(n))));
        if let Some((query, aliases)) = view_query_node(stmt) {
            let prepared = super::objects::view_query(query, &aliases);
            ahead.views.insert(address(query), (aliases, prepared));
        }
        ahead
    }

    /// The expression of `node`, computed ahead or now.
    pub fn expr(&self, node: &Node) -> Result<Expr, String> {
        match self.exprs.get(&address(node)) {
            Some(done) => done.clone(),
            None => Expr::from_node(node),
        }
    }

    /// The view query `node` with column `aliases`, computed ahead or now.
    pub fn view(&self, node: &Node, aliases: &[String]) -> ViewQuery {
        match self.views.get(&address(node)) {
            Some((a, done)) if a == aliases => done.clone(),
            _ => super::objects::view_query(node, aliases),
        }
    }
}

/// The query of `CREATE VIEW` / `CREATE MATERIALIZED VIEW` and its column aliases.
fn view_query_node(stmt: &NodeEnum) -> Option<(&Node, Vec<String>)> {
    match stmt {
        NodeEnum::ViewStmt(s) => {
            Some((s.query.as_deref()?, s.aliases.iter().filter_map(super::objects::string_of).collect()))
        }
        NodeEnum::CreateTableAsStmt(s) => {
            let into = s.into.as_deref()?;
            Some((s.query.as_deref()?, into.col_names.iter().filter_map(super::objects::string_of).collect()))
        }
        _ => None,
    }
}

/// The expressions the builder reads from a statement: defaults, CHECKs, generation
/// expressions, index and partition key expressions, predicates, policy and trigger conditions,
/// argument defaults.
fn expression_nodes<'a>(stmt: &'a NodeEnum, out: &mut Vec<&'a Node>) {
    match stmt {
        NodeEnum::CreateStmt(s) => {
            for e in &s.table_elts {
                match e.node.as_ref() {
                    Some(NodeEnum::ColumnDef(cd)) => column_def(cd, out),
                    Some(NodeEnum::Constraint(c)) => constraint(c, out),
                    _ => {}
                }
            }
            if let Some(spec) = &s.partspec {
                for p in &spec.part_params {
                    if let Some(NodeEnum::PartitionElem(pe)) = p.node.as_ref() {
                        out.extend(pe.expr.as_deref());
                    }
                }
            }
        }
        NodeEnum::AlterTableStmt(s) => {
            for cmd in &s.cmds {
                let Some(NodeEnum::AlterTableCmd(c)) = cmd.node.as_ref() else { continue };
                match c.def.as_deref().and_then(|d| d.node.as_ref()) {
                    Some(NodeEnum::ColumnDef(cd)) => column_def(cd, out),
                    Some(NodeEnum::Constraint(k)) => constraint(k, out),
                    Some(_)
                        if matches!(
                            AlterTableType::try_from(c.subtype),
                            Ok(AlterTableType::AtColumnDefault | AlterTableType::AtSetExpression)
                        ) =>
                    {
                        out.extend(c.def.as_deref());
                    }
                    _ => {}
                }
            }
        }
        NodeEnum::IndexStmt(s) => {
            for p in &s.index_params {
                if let Some(NodeEnum::IndexElem(ie)) = p.node.as_ref() {
                    out.extend(ie.expr.as_deref());
                }
            }
            out.extend(s.where_clause.as_deref());
        }
        NodeEnum::CreateDomainStmt(s) => {
            for c in &s.constraints {
                if let Some(NodeEnum::Constraint(c)) = c.node.as_ref() {
                    out.extend(c.raw_expr.as_deref());
                }
            }
        }
        NodeEnum::CreatePolicyStmt(s) => out.extend(s.qual.as_deref().into_iter().chain(s.with_check.as_deref())),
        NodeEnum::AlterPolicyStmt(s) => out.extend(s.qual.as_deref().into_iter().chain(s.with_check.as_deref())),
        NodeEnum::CreateTrigStmt(s) => out.extend(s.when_clause.as_deref()),
        NodeEnum::CreateFunctionStmt(s) => {
            for p in &s.parameters {
                if let Some(NodeEnum::FunctionParameter(fp)) = p.node.as_ref() {
                    out.extend(fp.defexpr.as_deref());
                }
            }
        }
        _ => {}
    }
}

fn column_def<'a>(cd: &'a ColumnDef, out: &mut Vec<&'a Node>) {
    out.extend(cd.raw_default.as_deref());
    for c in &cd.constraints {
        if let Some(NodeEnum::Constraint(c)) = c.node.as_ref() {
            out.extend(c.raw_expr.as_deref());
        }
    }
}

fn constraint<'a>(c: &'a Constraint, out: &mut Vec<&'a Node>) {
    out.extend(c.raw_expr.as_deref().into_iter().chain(c.where_clause.as_deref()));
    for e in &c.exclusions {
        let Some(NodeEnum::List(pair)) = e.node.as_ref() else { continue };
        if let Some(NodeEnum::IndexElem(ie)) = pair.items.first().and_then(|i| i.node.as_ref()) {
            out.extend(ie.expr.as_deref());
        }
    }
}
