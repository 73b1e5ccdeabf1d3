//! Expressions and queries held by the model (defaults, CHECKs, index expressions, view queries,
//! policy quals, …).
//!
//! Each carries two forms:
//! - `sql`: the expression as written on its side (deparsed by PostgreSQL's own deparser), used to
//!   render statements;
//! - `key`: a canonical form used for equality. PostgreSQL rewrites expressions when it stores them
//!   (`'a'` becomes `'a'::text`, `x IN (1, 2)` becomes `x = ANY (ARRAY[1, 2])`, view columns get
//!   qualified and `*` expanded); the key undoes those rewrites on both sides (see [`super::normalize`]),
//!   so DDL and catalog give equal expressions.
//!
//! `refs` lists the relations, functions and types an expression mentions: the source of the
//! model's dependencies.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use pg_query::NodeEnum;
use pg_query::protobuf::{self, Node, RawStmt, ResTarget, SelectStmt};
use serde::{Deserialize, Serialize};

use super::QualifiedName;
use super::normalize;

/// What an expression mentions. Unqualified names have an empty schema (resolved against the
/// model's search path when dependencies are computed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refs {
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub relations: BTreeSet<QualifiedName>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub functions: BTreeSet<QualifiedName>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub types: BTreeSet<QualifiedName>,
}

impl Refs {
    pub fn is_empty(&self) -> bool {
        self.relations.is_empty() && self.functions.is_empty() && self.types.is_empty()
    }

    pub fn extend(&mut self, other: &Refs) {
        self.relations.extend(other.relations.iter().cloned());
        self.functions.extend(other.functions.iter().cloned());
        self.types.extend(other.types.iter().cloned());
    }
}

/// An expression or query: how to write it, and what it means (see the module docs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Expr {
    pub sql: String,
    #[serde(skip)]
    pub key: String,
    #[serde(skip)]
    pub refs: Refs,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Expr {}

impl Hash for Expr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialOrd for Expr {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Expr {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl Expr {
    /// A scalar expression (default, CHECK, index expression, policy qual, partition bound datum).
    pub fn from_node(node: &Node) -> Result<Self, String> {
        let sql = deparse_expr(node)?;
        let mut json = serde_json::to_value(node).map_err(|e| e.to_string())?;
        let refs = normalize::collect_refs(&json);
        normalize::normalize(&mut json);
        let key = json.to_string();
        Ok(Self { sql, key, refs })
    }

    /// An expression given as text (from the catalog: `pg_get_expr`).
    pub fn from_sql(text: &str) -> Result<Self, String> {
        let parsed = pg_query::parse(&format!("SELECT {text}"), pg_query::ParserOptions::DEFAULT)
            .map_err(|e| format!("{e} in expression {text}"))?;
        let Some(NodeEnum::SelectStmt(select)) =
            parsed.protobuf.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|s| s.node.as_ref())
        else {
            return Err(format!("not an expression: {text}"));
        };
        let Some(NodeEnum::ResTarget(target)) = select.target_list.first().and_then(|t| t.node.as_ref()) else {
            return Err(format!("not an expression: {text}"));
        };
        let Some(val) = target.val.as_deref() else {
            return Err(format!("not an expression: {text}"));
        };
        Self::from_node(val)
    }

    /// An expression that is only ever compared by its text (a function body).
    pub fn verbatim(text: &str) -> Self {
        Self { sql: text.to_string(), key: text.to_string(), refs: Refs::default() }
    }
}

/// A statement node wrapped for the deparser.
pub fn raw(node: NodeEnum) -> protobuf::ParseResult {
    protobuf::ParseResult {
        version: 180006,
        stmts: vec![RawStmt { stmt: Some(Box::new(Node { node: Some(node) })), stmt_location: 0, stmt_len: 0 }],
    }
}

/// PostgreSQL's deparser on one statement.
pub fn deparse_stmt(node: NodeEnum) -> Result<String, String> {
    pg_query::deparse(&raw(node), pg_query::DeparseOptions::default()).map_err(|e| e.to_string())
}

/// PostgreSQL's deparser on one expression (as the target of `SELECT`, then unwrapped).
pub fn deparse_expr(node: &Node) -> Result<String, String> {
    let select = SelectStmt {
        target_list: vec![Node {
            node: Some(NodeEnum::ResTarget(Box::new(ResTarget {
                name: String::new(),
                indirection: Vec::new(),
                val: Some(Box::new(node.clone())),
                location: 0,
            }))),
        }],
        op: protobuf::SetOperation::SetopNone as i32,
        limit_option: protobuf::LimitOption::Default as i32,
        ..SelectStmt::default()
    };
    let text = deparse_stmt(NodeEnum::SelectStmt(Box::new(select)))?;
    Ok(text.strip_prefix("SELECT ").map_or(text.clone(), str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        let (x, y) = (Expr::from_sql(a).unwrap(), Expr::from_sql(b).unwrap());
        assert_eq!(x, y, "{a}  vs  {b}\n{}\n{}", x.key, y.key);
    }

    fn differ(a: &str, b: &str) {
        assert_ne!(Expr::from_sql(a).unwrap(), Expr::from_sql(b).unwrap(), "{a} vs {b}");
    }

    #[test]
    fn catalog_rewrites_compare_equal() {
        same("'x'", "'x'::text");
        same("-1", "'-1'::integer");
        same("price > 0", "price > (0)::numeric");
        same(
            "kind IN ('a', 'b')",
            "(kind)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])",
        );
        same("a BETWEEN 1 AND 5", "(a >= 1) AND (a <= 5)");
        same("name LIKE 'a%'", "name ~~ 'a%'::text");
        same("qty > 0 AND price < 100 AND x", "((qty > 0) AND (price < (100)::numeric)) AND x");
        same("pg_catalog.now()", "now()");
        same("status NOT IN ('z')", "(status)::text <> 'z'::text");
        same("CASE WHEN a THEN 'x' END", "CASE WHEN a THEN 'x'::text ELSE NULL::text END");
        same("nextval('s_id_seq')", "nextval('s_id_seq'::regclass)");
        differ("a > 1", "a > 2");
        differ("a + b", "a - b");
        differ("'1 day'::interval", "now()");
    }

    #[test]
    fn sql_is_deparsed_and_refs_collected() {
        let e = Expr::from_sql("nextval('app.s'::regclass) + f(x)::app.t").unwrap();
        assert_eq!(e.sql, "nextval('app.s'::regclass) + f(x)::app.t");
        assert!(e.refs.relations.contains(&QualifiedName::new("app", "s")));
        assert!(e.refs.functions.contains(&QualifiedName::new("", "f")));
        assert!(e.refs.types.contains(&QualifiedName::new("app", "t")));
    }
}
