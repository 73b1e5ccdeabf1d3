//! SQL rendering shared by the kinds: identifiers (always quoted), lists, options, constraint and
//! index-element bodies, column definitions, dollar quoting.

use std::collections::BTreeMap;

use crate::schema::{Column, Constraint, ConstraintKind, IndexElement};
use crate::sql::{quote_ident, quote_literal};

/// `"a", "b"`
pub(crate) fn idents(names: &[String]) -> String {
    names.iter().map(|n| quote_ident(n)).collect::<Vec<_>>().join(", ")
}

/// A role in GRANT/REVOKE/CREATE POLICY: `PUBLIC` and `CURRENT_USER` as keywords, others quoted.
pub(crate) fn role(name: &str) -> String {
    match name {
        "PUBLIC" | "CURRENT_USER" | "SESSION_USER" => name.to_string(),
        other => quote_ident(other),
    }
}

/// ` WITH (k = 'v', …)` or nothing.
pub(crate) fn with_options(options: &BTreeMap<String, String>) -> String {
    if options.is_empty() {
        return String::new();
    }
    let items: Vec<String> = options.iter().map(|(k, v)| format!("{k} = {}", quote_literal(v))).collect();
    format!(" WITH ({})", items.join(", "))
}

pub(crate) fn index_element(e: &IndexElement) -> String {
    let mut s = match (&e.column, &e.expr) {
        (Some(c), _) => quote_ident(c),
        (None, Some(x)) => format!("({})", x.sql),
        (None, None) => String::new(),
    };
    if let Some(c) = &e.collation {
        s.push_str(&format!(" COLLATE {}", qualified_ident(c)));
    }
    if let Some(o) = &e.opclass {
        s.push_str(&format!(" {}", qualified_ident(o)));
    }
    if e.descending {
        s.push_str(" DESC");
    }
    match (e.descending, e.nulls_first) {
        (false, true) => s.push_str(" NULLS FIRST"),
        (true, false) => s.push_str(" NULLS LAST"),
        _ => {}
    }
    s
}

/// `schema.name` written as stored (`a.b`), each part quoted.
pub(crate) fn qualified_ident(dotted: &str) -> String {
    dotted.split('.').map(quote_ident).collect::<Vec<_>>().join(".")
}

/// The body of a constraint (`PRIMARY KEY ("id")`, `CHECK (…)`, …) with its deferrability.
pub(crate) fn constraint_body(c: &Constraint) -> String {
    let mut s = match &c.kind {
        ConstraintKind::PrimaryKey { columns, include } => {
            format!("PRIMARY KEY ({}){}", idents(columns), include_clause(include))
        }
        ConstraintKind::Unique { columns, include, nulls_not_distinct } => format!(
            "UNIQUE{} ({}){}",
            if *nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" },
            idents(columns),
            include_clause(include)
        ),
        ConstraintKind::Check { expr, no_inherit } => {
            format!("CHECK ({}){}", expr.sql, if *no_inherit { " NO INHERIT" } else { "" })
        }
        ConstraintKind::ForeignKey { columns, references, referenced_columns, on_update, on_delete, match_full } => {
            let mut f = format!(
                "FOREIGN KEY ({}) REFERENCES {} ({})",
                idents(columns),
                references.sql(),
                idents(referenced_columns)
            );
            if *match_full {
                f.push_str(" MATCH FULL");
            }
            if on_update != "NO ACTION" {
                f.push_str(&format!(" ON UPDATE {on_update}"));
            }
            if on_delete != "NO ACTION" {
                f.push_str(&format!(" ON DELETE {on_delete}"));
            }
            f
        }
        ConstraintKind::Exclude { method, elements, include, predicate } => {
            let elems: Vec<String> =
                elements.iter().map(|e| format!("{} WITH {}", index_element(&e.element), e.operator)).collect();
            let mut x = format!("EXCLUDE USING {method} ({}){}", elems.join(", "), include_clause(include));
            if let Some(p) = predicate {
                x.push_str(&format!(" WHERE ({})", p.sql));
            }
            x
        }
    };
    if c.deferrable {
        s.push_str(" DEFERRABLE");
        if c.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    s
}

fn include_clause(include: &[String]) -> String {
    if include.is_empty() { String::new() } else { format!(" INCLUDE ({})", idents(include)) }
}

/// A column as in CREATE TABLE / ADD COLUMN.
pub(crate) fn column_definition(c: &Column) -> String {
    let mut s = format!("{} {}", quote_ident(&c.name), c.data_type.sql());
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", qualified_ident(coll)));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.sql));
    } else if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {}", default_sql(d)));
    }
    if let Some(i) = &c.identity {
        s.push_str(&format!(
            " GENERATED {} AS IDENTITY ({})",
            if i.always { "ALWAYS" } else { "BY DEFAULT" },
            i.options.sql_without_type()
        ));
    } else if c.not_null {
        s.push_str(" NOT NULL");
    }
    s
}

/// A default as CREATE TABLE and CREATE DOMAIN accept it: their grammar takes a restricted
/// expression, so anything the parser would not take there is parenthesised.
pub(crate) fn default_sql(e: &crate::schema::Expr) -> String {
    let probe = format!("CREATE TABLE t (c int DEFAULT {})", e.sql);
    if pg_query::parse(&probe, pg_query::ParserOptions::DEFAULT).is_ok() {
        e.sql.clone()
    } else {
        format!("({})", e.sql)
    }
}

/// `$tag$body$tag$` with a tag that does not occur in the body.
pub(crate) fn dollar_quote(body: &str) -> String {
    let mut tag = "$function$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$function{n}$");
    }
    format!("{tag}{body}{tag}")
}
