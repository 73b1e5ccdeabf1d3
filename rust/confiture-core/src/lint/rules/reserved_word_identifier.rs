//! naming_003: tables and columns named after reserved SQL keywords.

use pg_query::protobuf::KeywordKind;

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, column_name};
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "naming_003",
    name: "Reserved Word Identifier",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Tables and columns named after a reserved SQL keyword (`user`, `order`, `group`, …).",
    why: "A reserved word can only be used as a name when double-quoted, and `user` unquoted silently means the current role instead of the column.",
    fix: "Choose a name that is not a keyword (`app_user`, `sort_order`), or quote it everywhere.",
    bad: "CREATE TABLE \"order\" (id bigint PRIMARY KEY, \"user\" text);",
    good: "CREATE TABLE orders (id bigint PRIMARY KEY, customer text);",
    check: Check::Schema(check),
};

/// The longest reserved or type/function-name keyword (`current_timestamp`, `authorization`…).
const LONGEST_KEYWORD: usize = 17;

/// Whether PostgreSQL's scanner reads `name` as a reserved (or type/function-name) keyword. Only
/// names a keyword could be (lower-case letters and `_`, short enough) are scanned.
fn is_reserved(name: &str) -> bool {
    if name.len() > LONGEST_KEYWORD || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return false;
    }
    match pg_query::scan_tokens(name) {
        Ok(tokens) => match tokens.as_slice() {
            [t] => {
                t.keyword_kind == KeywordKind::ReservedKeyword as i32
                    || t.keyword_kind == KeywordKind::TypeFuncNameKeyword as i32
            }
            _ => false,
        },
        Err(_) => false,
    }
}

fn check<'a>(ctx: &SchemaCtx<'a>, sink: &mut Sink) {
    // Column names repeat across tables: scan each distinct name once.
    let mut seen: std::collections::BTreeMap<&str, bool> = std::collections::BTreeMap::new();
    let mut reserved = |name: &'a str| -> bool {
        if let Some(r) = seen.get(name) {
            return *r;
        }
        let r = is_reserved(name);
        seen.insert(name, r);
        r
    };
    for t in ctx.tables() {
        if reserved(&t.name.name) {
            let message = format!("table {} is named after the reserved word {}", t.name, t.name.name.to_uppercase());
            sink.add("table", t.name.to_string(), message, ctx.location(&ObjectId::Table(t.name.clone())));
        }
        for c in t.columns.iter().filter(|c| reserved(&c.name)) {
            let message = format!(
                "column {} is named after the reserved word {}",
                column_name(&t.name, &c.name),
                c.name.to_uppercase()
            );
            let id = ObjectId::Column(t.name.clone(), c.name.clone());
            sink.add("column", column_name(&t.name, &c.name), message, ctx.location(&id));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keywords_by_kind() {
        assert!(super::is_reserved("user") && super::is_reserved("order") && super::is_reserved("left"));
        assert!(!super::is_reserved("name") && !super::is_reserved("type") && !super::is_reserved("users"));
        assert!(!super::is_reserved("Order"), "quoted mixed case is a naming problem, not a keyword");
    }
}
