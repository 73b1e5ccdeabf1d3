//! Fragments of SQL written by users (a column mapping's expression, a row filter), checked with
//! PostgreSQL's parser before they are placed into a statement: exactly one expression, nothing
//! that would end the statement or add clauses.

use pg_query::NodeEnum;
use pg_query::protobuf::SetOperation;

/// What an expression turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment {
    /// A bare column name (as PostgreSQL reads it: unquoted names folded to lower case).
    Column(String),
    /// Any other expression, to be used as written.
    Expression,
}

fn select_of(sql: &str) -> Result<pg_query::protobuf::SelectStmt, String> {
    let parsed = pg_query::parse(sql, pg_query::ParserOptions::DEFAULT).map_err(|e| e.to_string())?;
    let stmts = &parsed.protobuf.stmts;
    if stmts.len() != 1 {
        return Err("expected one expression, found several statements".into());
    }
    match stmts[0].stmt.as_ref().and_then(|s| s.node.as_ref()) {
        Some(NodeEnum::SelectStmt(s)) if s.op == SetOperation::SetopNone as i32 => Ok((**s).clone()),
        _ => Err("expected one expression".into()),
    }
}

/// Checks one value expression (`lower(email)`, `price::numeric(12,2)`, `'active'`).
pub fn check_expression(text: &str) -> Result<Fragment, String> {
    if text.trim().is_empty() {
        return Err("the expression is empty".into());
    }
    let s = select_of(&format!("SELECT {text}\n"))?;
    if s.target_list.len() != 1
        || !s.from_clause.is_empty()
        || s.where_clause.is_some()
        || !s.group_clause.is_empty()
        || s.having_clause.is_some()
        || !s.sort_clause.is_empty()
        || s.limit_count.is_some()
        || s.limit_offset.is_some()
    {
        return Err("expected one expression (no commas, FROM, WHERE, …)".into());
    }
    let Some(NodeEnum::ResTarget(target)) = s.target_list[0].node.as_ref() else {
        return Err("expected one expression".into());
    };
    if !target.name.is_empty() {
        return Err("an alias (AS …) is not allowed: the mapping's key names the target column".into());
    }
    if let Some(NodeEnum::ColumnRef(c)) = target.val.as_ref().and_then(|v| v.node.as_ref())
        && let [field] = c.fields.as_slice()
        && let Some(NodeEnum::String(name)) = field.node.as_ref()
    {
        return Ok(Fragment::Column(name.sval.clone()));
    }
    Ok(Fragment::Expression)
}

/// Checks a row filter (`deleted_at IS NULL`).
pub fn check_condition(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("the filter is empty".into());
    }
    let s = select_of(&format!("SELECT 1 WHERE {text}\n"))?;
    if s.target_list.len() != 1
        || !s.from_clause.is_empty()
        || !s.group_clause.is_empty()
        || s.having_clause.is_some()
        || !s.sort_clause.is_empty()
        || s.limit_count.is_some()
        || s.limit_offset.is_some()
    {
        return Err("expected one condition (no GROUP BY, ORDER BY, LIMIT, …)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_expressions_and_injections() {
        assert_eq!(check_expression("full_name"), Ok(Fragment::Column("full_name".into())));
        assert_eq!(check_expression("FullName"), Ok(Fragment::Column("fullname".into())));
        assert_eq!(check_expression("\"Full Name\""), Ok(Fragment::Column("Full Name".into())));
        assert_eq!(check_expression("lower(email)"), Ok(Fragment::Expression));
        assert_eq!(check_expression("price::numeric(12,2)"), Ok(Fragment::Expression));
        assert_eq!(check_expression("split_part(name, ' ', 1)"), Ok(Fragment::Expression));
        assert!(check_expression("1; DROP TABLE users").is_err());
        assert!(check_expression("a, b").is_err());
        assert!(check_expression("a FROM users").is_err());
        assert!(check_expression("a AS b").is_err());
        assert!(check_expression("a) , (b").is_err());
        assert!(check_expression("").is_err());
        assert!(check_expression("1 -- comment").is_ok());
        assert!(check_condition("deleted_at IS NULL").is_ok());
        assert!(check_condition("true; DELETE FROM t").is_err());
        assert!(check_condition("a ORDER BY b").is_err());
        assert!(check_condition("a UNION SELECT 1").is_err());
    }
}
