//! The canonical form of expressions and queries, computed on the JSON form of pg_query's tree.
//!
//! PostgreSQL does not keep expressions as written. When it stores a default, a CHECK, an index
//! expression, a policy or a view, it resolves and rewrites them, and `pg_get_expr`/`pg_get_viewdef`
//! print the rewritten form. To compare DDL with a catalog, both sides are brought to one form:
//!
//! - positions are dropped;
//! - casts on constants and column references are removed (`'a'::text` → `'a'`, `(qty)::numeric`
//!   → `qty`): PostgreSQL adds them for type resolution, people rarely write them, and they do not
//!   change what the expression means in the column's context;
//! - constants are compared by their text (`-1` and `'-1'`);
//! - `x IN (…)` → `x = ANY (ARRAY[…])`, `NOT IN` → `<> ALL`, `LIKE`/`ILIKE` → `~~`/`~~*`,
//!   `BETWEEN` → `>= AND <=`; nested `AND`/`OR` are flattened;
//! - `pg_catalog.` and `public.` qualifiers are dropped from functions, operators, types and tables;
//!   a `CASE` without `ELSE` equals one with `ELSE NULL`;
//! - in queries ([`resolve_query`]): `*` is expanded from the model's columns, column references
//!   are qualified with their table (or alias), and output names equal to PostgreSQL's default name
//!   (`count(*) AS count`) are dropped.
//!
//! Known limits (documented in docs/guides/diff.md): literals PostgreSQL re-formats by type
//! (`'2020-01-01'` on a `timestamptz` becomes `'2020-01-01 00:00:00+00'`), `USING`/`NATURAL` joins
//! under `*`, and explicit casts removed by the rules above (`a::numeric` equals `a`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::QualifiedName;
use super::expr::Refs;
use super::type_ref::is_builtin;

const POSITION_KEYS: &[&str] =
    &["location", "stmt_location", "stmt_len", "list_start", "list_end", "rexpr_list_start", "rexpr_list_end"];

const AEXPR_OP: i64 = 1;
const AEXPR_OP_ANY: i64 = 2;
const AEXPR_OP_ALL: i64 = 3;
const AEXPR_IN: i64 = 7;
const AEXPR_LIKE: i64 = 8;
const AEXPR_ILIKE: i64 = 9;
const AEXPR_BETWEEN: i64 = 11;
const AEXPR_NOT_BETWEEN: i64 = 12;
const BOOL_AND: i64 = 1;
const BOOL_OR: i64 = 2;
const SETOP_NONE: i64 = 1;

/// `{"node": {"Variant": body}}` → `("Variant", body)`.
pub(crate) fn variant(node: &Value) -> Option<(&str, &Value)> {
    let inner = node.get("node")?.as_object()?;
    let (k, v) = inner.iter().next()?;
    Some((k.as_str(), v))
}

fn variant_mut(node: &mut Value) -> Option<(String, &mut Value)> {
    let inner = node.get_mut("node")?.as_object_mut()?;
    let (k, v) = inner.iter_mut().next()?;
    Some((k.clone(), v))
}

fn node(variant: &str, body: Value) -> Value {
    json!({ "node": { variant: body } })
}

fn string_values(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| match variant(i) {
                    Some(("String", s)) => s.get("sval").and_then(Value::as_str).map(str::to_string),
                    Some(("AStar", _)) => Some("*".to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn qualified(parts: &[String]) -> Option<QualifiedName> {
    match parts {
        [name] => Some(QualifiedName::new("", name.clone())),
        [schema, name] => Some(QualifiedName::new(schema.clone(), name.clone())),
        [_, schema, name] => Some(QualifiedName::new(schema.clone(), name.clone())),
        _ => None,
    }
}

/// Relations, functions and types an expression or query mentions.
pub fn collect_refs(v: &Value) -> Refs {
    let mut refs = Refs::default();
    let mut ctes = Vec::new();
    walk_refs(v, &mut refs, &mut ctes);
    refs.relations.retain(|r| !(r.schema.is_empty() && ctes.contains(&r.name)));
    refs
}

fn walk_refs(v: &Value, refs: &mut Refs, ctes: &mut Vec<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| walk_refs(i, refs, ctes)),
        Value::Object(map) => {
            if let Some((kind, body)) = variant(v) {
                match kind {
                    "RangeVar" => {
                        let schema = body.get("schemaname").and_then(Value::as_str).unwrap_or_default();
                        let name = body.get("relname").and_then(Value::as_str).unwrap_or_default();
                        refs.relations.insert(QualifiedName::new(schema, name));
                    }
                    "FuncCall" => {
                        let name = string_values(body.get("funcname"));
                        if let Some(q) = qualified(&name)
                            && q.schema != "pg_catalog"
                        {
                            if matches!(q.name.as_str(), "nextval" | "currval" | "setval")
                                && q.schema.is_empty()
                                && let Some(seq) = body.get("args").and_then(|a| a.get(0)).and_then(string_constant)
                            {
                                refs.relations.insert(sequence_name(&seq));
                            }
                            refs.functions.insert(q);
                        }
                    }
                    "TypeCast" => {
                        if let Some(q) = body.get("type_name").and_then(|t| qualified(&string_values(t.get("names"))))
                            && !(q.schema.is_empty() && is_builtin(&q.name))
                            && q.schema != "pg_catalog"
                        {
                            refs.types.insert(q);
                        }
                    }
                    "CommonTableExpr" => {
                        if let Some(name) = body.get("ctename").and_then(Value::as_str) {
                            ctes.push(name.to_string());
                        }
                    }
                    _ => {}
                }
            }
            map.values().for_each(|c| walk_refs(c, refs, ctes));
        }
        _ => {}
    }
}

/// The text of a string constant, possibly under casts.
fn string_constant(v: &Value) -> Option<String> {
    match variant(v)? {
        ("AConst", body) => body.get("val")?.get("Sval")?.get("sval")?.as_str().map(str::to_string),
        ("TypeCast", body) => string_constant(body.get("arg")?),
        _ => None,
    }
}

/// `'app.my_seq'` / `'"My Seq"'` as a name: how `regclass` reads it.
fn sequence_name(text: &str) -> QualifiedName {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut current)),
            c if quoted => current.push(c),
            c => current.extend(c.to_lowercase()),
        }
    }
    parts.push(current);
    qualified(&parts).unwrap_or_else(|| QualifiedName::new("", text))
}

/// Brings an expression tree to its canonical form (see the module docs).
pub fn normalize(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Object(map) => {
            if let Some(c) = map.get("node").and_then(|n| n.get("AConst")) {
                *v = node("AConst", canonical_constant(c));
                return;
            }
            for k in POSITION_KEYS {
                map.remove(*k);
            }
            map.values_mut().for_each(normalize);
            // Protocol-buffer defaults carry no meaning: drop them so hand-built and parsed trees
            // agree (variant names, which start with a capital, always stay).
            map.retain(|k, v| k.starts_with(|c: char| c.is_ascii_uppercase()) || !is_default(v));
            if map.contains_key("node")
                && let Some(replacement) = rewrite(v)
            {
                *v = replacement;
            }
        }
        _ => {}
    }
}

/// A constant by its text: `-1`, `'-1'` and `'-1'::integer` (once the cast is gone) agree.
fn canonical_constant(body: &Value) -> Value {
    if body.get("c").is_some() || body.get("b").is_some() || body.get("null").is_some() {
        return body.clone();
    }
    if body.get("isnull").and_then(Value::as_bool) == Some(true) {
        return json!({ "null": true });
    }
    let scalar = body
        .get("val")
        .and_then(Value::as_object)
        .and_then(|val| val.values().next())
        .and_then(Value::as_object)
        .and_then(|inner| inner.values().next());
    match scalar {
        Some(Value::String(s)) => json!({ "c": s }),
        Some(Value::Number(n)) => json!({ "c": n.to_string() }),
        Some(Value::Bool(b)) => json!({ "b": b }),
        Some(other) => json!({ "c": other.to_string() }),
        None => json!({ "null": true }),
    }
}

fn is_default(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_i64() == Some(0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn is_constant(v: &Value) -> bool {
    match variant(v) {
        Some(("AConst", _)) => true,
        Some(("AArrayExpr", body)) => {
            body.get("elements").and_then(Value::as_array).is_some_and(|e| e.iter().all(is_constant))
        }
        _ => false,
    }
}

/// A rewritten node, or `None` to keep it. Children are already normalised.
fn rewrite(v: &mut Value) -> Option<Value> {
    let (kind, body) = variant_mut(v)?;
    match kind.as_str() {
        "TypeCast" => {
            let arg = body.get("arg")?;
            if is_constant(arg) || matches!(variant(arg), Some(("ColumnRef", _))) {
                return Some(arg.clone());
            }
            if let Some(t) = body.get("type_name").map(canonical_type) {
                body["type_name"] = Value::String(t);
            }
            None
        }
        "AExpr" => {
            strip_catalog(body.get_mut("name"));
            let kind = body.get("kind").and_then(Value::as_i64)?;
            let op = string_values(body.get("name")).join(".");
            match kind {
                AEXPR_IN => {
                    let items = body.get("rexpr").and_then(|r| variant(r)).and_then(|(k, b)| {
                        if k == "List" { b.get("items").and_then(Value::as_array).cloned() } else { None }
                    })?;
                    // PostgreSQL turns a one-element list into a plain comparison.
                    if let [only] = items.as_slice() {
                        body["kind"] = json!(AEXPR_OP);
                        body["rexpr"] = only.clone();
                    } else {
                        body["kind"] = json!(if op == "<>" { AEXPR_OP_ALL } else { AEXPR_OP_ANY });
                        body["rexpr"] = node("AArrayExpr", json!({ "elements": items }));
                    }
                    None
                }
                AEXPR_LIKE | AEXPR_ILIKE => {
                    body["kind"] = json!(AEXPR_OP);
                    None
                }
                AEXPR_BETWEEN | AEXPR_NOT_BETWEEN => {
                    let lexpr = body.get("lexpr")?.clone();
                    let bounds = body.get("rexpr").and_then(|r| variant(r)).and_then(|(k, b)| {
                        if k == "List" { b.get("items").and_then(Value::as_array).cloned() } else { None }
                    })?;
                    let [low, high] = bounds.as_slice() else { return None };
                    let (lo_op, hi_op, boolop) =
                        if kind == AEXPR_BETWEEN { (">=", "<=", BOOL_AND) } else { ("<", ">", BOOL_OR) };
                    let cmp = |op: &str, rhs: &Value| {
                        node(
                            "AExpr",
                            json!({ "kind": AEXPR_OP, "name": [node("String", json!({"sval": op}))],
                                    "lexpr": lexpr, "rexpr": rhs }),
                        )
                    };
                    Some(node("BoolExpr", json!({ "boolop": boolop, "args": [cmp(lo_op, low), cmp(hi_op, high)] })))
                }
                _ => None,
            }
        }
        "BoolExpr" => {
            let boolop = body.get("boolop").and_then(Value::as_i64)?;
            if boolop != BOOL_AND && boolop != BOOL_OR {
                return None;
            }
            let args = body.get("args").and_then(Value::as_array)?;
            if !args.iter().any(|a| same_bool(a, boolop)) {
                return None;
            }
            let mut flat = Vec::new();
            for a in args {
                match variant(a) {
                    Some(("BoolExpr", inner)) if same_bool(a, boolop) => {
                        flat.extend(inner.get("args").and_then(Value::as_array).cloned().unwrap_or_default());
                    }
                    _ => flat.push(a.clone()),
                }
            }
            body["args"] = Value::Array(flat);
            None
        }
        "FuncCall" => {
            strip_catalog(body.get_mut("funcname"));
            if let Some(m) = body.as_object_mut() {
                m.remove("funcformat");
            }
            None
        }
        "RangeVar" => {
            if body.get("schemaname").and_then(Value::as_str) == Some("public")
                && let Some(m) = body.as_object_mut()
            {
                m.remove("schemaname");
            }
            None
        }
        "ColumnRef" => {
            if let Some(fields) = body.get_mut("fields").and_then(Value::as_array_mut)
                && fields.len() == 3
            {
                fields.remove(0);
            }
            None
        }
        "CaseExpr" => {
            if let Some(d) = body.get("defresult")
                && matches!(variant(d), Some(("AConst", c)) if c.get("null").is_some())
                && let Some(m) = body.as_object_mut()
            {
                m.remove("defresult");
            }
            None
        }
        _ => None,
    }
}

fn same_bool(v: &Value, boolop: i64) -> bool {
    matches!(variant(v), Some(("BoolExpr", b)) if b.get("boolop").and_then(Value::as_i64) == Some(boolop))
}

/// Drops a leading `pg_catalog` or `public` from a qualified name list.
fn strip_catalog(list: Option<&mut Value>) {
    if let Some(items) = list.and_then(Value::as_array_mut)
        && items.len() == 2
        && let Some(("String", s)) = variant(&items[0])
        && matches!(s.get("sval").and_then(Value::as_str), Some("pg_catalog" | "public"))
    {
        items.remove(0);
    }
}

/// A type name (JSON of `TypeName`) as one canonical string.
fn canonical_type(t: &Value) -> String {
    let names = string_values(t.get("names"));
    let (schema, name) = match names.as_slice() {
        [n] if is_builtin(n) => ("pg_catalog".to_string(), n.clone()),
        [n] => (String::new(), n.clone()),
        [s, n] | [_, s, n] => (if s == "public" { String::new() } else { s.clone() }, n.clone()),
        _ => (String::new(), names.join(".")),
    };
    let mut mods: Vec<String> = t
        .get("typmods")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .map(|x| match variant(x) {
                    Some(("AConst", c)) => c.get("c").and_then(Value::as_str).unwrap_or_default().to_string(),
                    _ => x.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    if schema == "pg_catalog" && name == "numeric" && mods.len() == 1 {
        mods.push("0".into());
    }
    let arrays = t.get("array_bounds").and_then(Value::as_array).map_or(0, Vec::len);
    format!("{schema}.{name}({}){}", mods.join(","), "[]".repeat(arrays))
}

/// Columns of the relations a query reads, for `*` expansion and qualification.
pub trait RelationColumns {
    /// The columns of a table or view, `None` when unknown. An empty schema means unqualified.
    fn columns_of(&self, name: &QualifiedName) -> Option<Vec<String>>;
}

#[derive(Debug, Clone)]
struct ScopeItem {
    name: String,
    columns: Option<Vec<String>>,
}

/// Expands `*`, qualifies column references and drops default output names in a query (JSON of a
/// `SelectStmt` node), before [`normalize`].
pub fn resolve_query(query: &mut Value, lookup: &dyn RelationColumns) {
    if let Some(("SelectStmt", _)) = variant(query)
        && let Some((_, body)) = variant_mut(query)
    {
        resolve_select(body, &[], lookup, &BTreeMap::new());
    }
}

/// Resolves the sub-queries of a scalar expression over one table (policies, CHECKs): references
/// from a sub-query to the table are qualified with the table's name.
pub fn resolve_expr(expr: &mut Value, table: &str, columns: Vec<String>, lookup: &dyn RelationColumns) {
    let outer = vec![vec![ScopeItem { name: table.to_string(), columns: Some(columns) }]];
    walk_sublinks_only(expr, &outer, lookup);
}

fn walk_sublinks_only(v: &mut Value, outer: &[Vec<ScopeItem>], lookup: &dyn RelationColumns) {
    if let Some(("SubLink", _)) = variant(v) {
        if let Some((_, body)) = variant_mut(v)
            && let Some(sub) = body.get_mut("subselect")
            && let Some((_, sel)) = variant_mut(sub)
        {
            resolve_select(sel, outer, lookup, &BTreeMap::new());
        }
        return;
    }
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| walk_sublinks_only(i, outer, lookup)),
        Value::Object(map) => map.values_mut().for_each(|c| walk_sublinks_only(c, outer, lookup)),
        _ => {}
    }
}

/// The output names of a (resolved) select.
fn output_names(sel: &Value) -> Vec<String> {
    if sel.get("op").and_then(Value::as_i64).unwrap_or(SETOP_NONE) != SETOP_NONE {
        return sel.get("larg").map(output_names).unwrap_or_default();
    }
    sel.get("target_list")
        .and_then(Value::as_array)
        .map(|targets| {
            targets
                .iter()
                .filter_map(|t| match variant(t) {
                    Some(("ResTarget", rt)) => {
                        let name = rt.get("name").and_then(Value::as_str).unwrap_or_default();
                        Some(if name.is_empty() {
                            rt.get("val").map_or_else(String::new, figure_colname)
                        } else {
                            name.to_string()
                        })
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The output column names of a query (JSON of a `SelectStmt` node).
pub fn query_columns(query: &Value) -> Vec<String> {
    variant(query).map(|(_, body)| output_names(body)).unwrap_or_default()
}

fn resolve_select(
    sel: &mut Value,
    outer: &[Vec<ScopeItem>],
    lookup: &dyn RelationColumns,
    ctes_outer: &BTreeMap<String, Vec<String>>,
) {
    let mut ctes = ctes_outer.clone();
    if let Some(with) = sel.get_mut("with_clause").filter(|w| !w.is_null())
        && let Some(list) = with.get_mut("ctes").and_then(Value::as_array_mut)
    {
        for cte in list.iter_mut() {
            if let Some((_, body)) = variant_mut(cte) {
                let name = body.get("ctename").and_then(Value::as_str).unwrap_or_default().to_string();
                let aliases = string_values(body.get("aliascolnames"));
                let mut cols = Vec::new();
                if let Some(q) = body.get_mut("ctequery")
                    && let Some((_, qb)) = variant_mut(q)
                {
                    resolve_select(qb, outer, lookup, &ctes);
                    cols = output_names(qb);
                }
                ctes.insert(name, if aliases.is_empty() { cols } else { aliases });
            }
        }
    }
    if sel.get("op").and_then(Value::as_i64).unwrap_or(SETOP_NONE) != SETOP_NONE {
        for side in ["larg", "rarg"] {
            if let Some(s) = sel.get_mut(side).filter(|s| !s.is_null()) {
                resolve_select(s, outer, lookup, &ctes);
            }
        }
        // Output names come from the leftmost branch; PostgreSQL repeats them on the others.
        if let Some(r) = sel.get_mut("rarg") {
            drop_output_names(r);
        }
        return;
    }
    let mut scope = Vec::new();
    if let Some(from) = sel.get_mut("from_clause").and_then(Value::as_array_mut) {
        for item in from.iter_mut() {
            scope_items(item, outer, lookup, &ctes, &mut scope);
        }
    }
    expand_stars(sel, &scope);
    let mut scopes = vec![scope];
    scopes.extend(outer.iter().cloned());
    for key in ["target_list", "where_clause", "group_clause", "having_clause", "sort_clause", "distinct_clause"] {
        if let Some(v) = sel.get_mut(key) {
            qualify(v, &scopes, lookup, &ctes);
        }
    }
    if let Some(from) = sel.get_mut("from_clause") {
        qualify_join_quals(from, &scopes, lookup, &ctes);
    }
    if let Some(targets) = sel.get_mut("target_list").and_then(Value::as_array_mut) {
        for t in targets.iter_mut() {
            if let Some((_, rt)) = variant_mut(t) {
                let figured = rt.get("val").map(figure_colname);
                if figured.as_deref() == rt.get("name").and_then(Value::as_str) {
                    rt["name"] = json!("");
                }
            }
        }
    }
}

fn drop_output_names(sel: &mut Value) {
    if sel.get("op").and_then(Value::as_i64).unwrap_or(SETOP_NONE) != SETOP_NONE {
        for side in ["larg", "rarg"] {
            if let Some(s) = sel.get_mut(side) {
                drop_output_names(s);
            }
        }
        return;
    }
    if let Some(targets) = sel.get_mut("target_list").and_then(Value::as_array_mut) {
        for t in targets.iter_mut() {
            if let Some((_, rt)) = variant_mut(t)
                && let Some(m) = rt.as_object_mut()
            {
                m.remove("name");
            }
        }
    }
}

/// In a SQL-standard function body, `f.param` (how PostgreSQL prints parameters) is `param`.
pub fn unqualify_parameters(v: &mut Value, function: &str, params: &[String]) {
    if let Some(("ColumnRef", _)) = variant(v) {
        if let Some((_, body)) = variant_mut(v)
            && let Some(fields) = body.get_mut("fields").and_then(Value::as_array_mut)
            && fields.len() == 2
            && string_values(Some(&Value::Array(fields.clone()))).first().map(String::as_str) == Some(function)
            && string_values(Some(&Value::Array(fields[1..].to_vec()))).first().is_some_and(|p| params.contains(p))
        {
            fields.remove(0);
        }
        return;
    }
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| unqualify_parameters(i, function, params)),
        Value::Object(map) => map.values_mut().for_each(|c| unqualify_parameters(c, function, params)),
        _ => {}
    }
}

fn scope_items(
    item: &mut Value,
    outer: &[Vec<ScopeItem>],
    lookup: &dyn RelationColumns,
    ctes: &BTreeMap<String, Vec<String>>,
    out: &mut Vec<ScopeItem>,
) {
    let Some((kind, body)) = variant_mut(item) else { return };
    let alias_name = body.get("alias").and_then(|a| a.get("aliasname")).and_then(Value::as_str).map(str::to_string);
    let alias_cols = body.get("alias").map(|a| string_values(a.get("colnames"))).unwrap_or_default();
    match kind.as_str() {
        "RangeVar" => {
            let schema = body.get("schemaname").and_then(Value::as_str).unwrap_or_default().to_string();
            let rel = body.get("relname").and_then(Value::as_str).unwrap_or_default().to_string();
            let mut columns = if schema.is_empty() && ctes.contains_key(&rel) {
                ctes.get(&rel).cloned()
            } else {
                lookup.columns_of(&QualifiedName::new(schema, rel.clone()))
            };
            if !alias_cols.is_empty()
                && let Some(cols) = columns.as_mut()
            {
                for (c, a) in cols.iter_mut().zip(&alias_cols) {
                    c.clone_from(a);
                }
            }
            out.push(ScopeItem { name: alias_name.unwrap_or(rel), columns });
        }
        "RangeSubselect" => {
            let mut columns = None;
            if let Some(sub) = body.get_mut("subquery")
                && let Some((_, sb)) = variant_mut(sub)
            {
                resolve_select(sb, outer, lookup, ctes);
                columns = Some(output_names(sb));
            }
            if !alias_cols.is_empty() {
                columns = Some(alias_cols);
            }
            out.push(ScopeItem { name: alias_name.unwrap_or_default(), columns });
        }
        "JoinExpr" => {
            for side in ["larg", "rarg"] {
                if let Some(s) = body.get_mut(side) {
                    scope_items(s, outer, lookup, ctes, out);
                }
            }
        }
        "RangeFunction" => {
            let columns = if alias_cols.is_empty() { None } else { Some(alias_cols) };
            out.push(ScopeItem { name: alias_name.unwrap_or_default(), columns });
        }
        _ => {}
    }
}

fn column_ref(fields: &[&str]) -> Value {
    let fields: Vec<Value> = fields.iter().map(|f| node("String", json!({ "sval": f }))).collect();
    node("ColumnRef", json!({ "fields": fields }))
}

fn expand_stars(sel: &mut Value, scope: &[ScopeItem]) {
    let Some(targets) = sel.get_mut("target_list").and_then(Value::as_array_mut) else { return };
    let mut out = Vec::with_capacity(targets.len());
    for t in targets.drain(..) {
        let star = match variant(&t) {
            Some(("ResTarget", rt)) => match rt.get("val").and_then(|v| variant(v)) {
                Some(("ColumnRef", cr)) => {
                    let f = string_values(cr.get("fields"));
                    match f.as_slice() {
                        [s] if s == "*" => Some(None),
                        [rel, s] if s == "*" => Some(Some(rel.clone())),
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        };
        let items: Vec<&ScopeItem> = match &star {
            Some(None) => scope.iter().collect(),
            Some(Some(rel)) => scope.iter().filter(|s| &s.name == rel).collect(),
            None => Vec::new(),
        };
        if star.is_none() || items.is_empty() || items.iter().any(|i| i.columns.is_none()) {
            out.push(t);
            continue;
        }
        for item in items {
            for c in item.columns.iter().flatten() {
                let val = column_ref(&[item.name.as_str(), c.as_str()]);
                out.push(node("ResTarget", json!({ "name": "", "indirection": [], "val": val })));
            }
        }
    }
    *targets = out;
}

fn qualify(
    v: &mut Value,
    scopes: &[Vec<ScopeItem>],
    lookup: &dyn RelationColumns,
    ctes: &BTreeMap<String, Vec<String>>,
) {
    match variant(v).map(|(k, _)| k) {
        Some("SubLink") => {
            if let Some((_, body)) = variant_mut(v) {
                if let Some(sub) = body.get_mut("subselect")
                    && let Some((_, sel)) = variant_mut(sub)
                {
                    resolve_select(sel, scopes, lookup, ctes);
                }
                if let Some(test) = body.get_mut("testexpr") {
                    qualify(test, scopes, lookup, ctes);
                }
            }
            return;
        }
        Some("ColumnRef") => {
            if let Some((_, body)) = variant_mut(v) {
                let fields = string_values(body.get("fields"));
                if let [col] = fields.as_slice()
                    && col != "*"
                    && let Some(owner) = owner_of(col, scopes)
                {
                    body["fields"] = column_ref(&[owner.as_str(), col.as_str()])["node"]["ColumnRef"]["fields"].clone();
                }
            }
            return;
        }
        _ => {}
    }
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| qualify(i, scopes, lookup, ctes)),
        Value::Object(map) => map.values_mut().for_each(|c| qualify(c, scopes, lookup, ctes)),
        _ => {}
    }
}

fn qualify_join_quals(
    from: &mut Value,
    scopes: &[Vec<ScopeItem>],
    lookup: &dyn RelationColumns,
    ctes: &BTreeMap<String, Vec<String>>,
) {
    match variant(from).map(|(k, _)| k) {
        Some("JoinExpr") => {
            if let Some((_, body)) = variant_mut(from) {
                if let Some(q) = body.get_mut("quals") {
                    qualify(q, scopes, lookup, ctes);
                }
                for side in ["larg", "rarg"] {
                    if let Some(s) = body.get_mut(side) {
                        qualify_join_quals(s, scopes, lookup, ctes);
                    }
                }
            }
        }
        _ => {
            if let Value::Array(items) = from {
                items.iter_mut().for_each(|i| qualify_join_quals(i, scopes, lookup, ctes));
            }
        }
    }
}

/// The scope item a bare column name belongs to, innermost scope first.
fn owner_of(col: &str, scopes: &[Vec<ScopeItem>]) -> Option<String> {
    for scope in scopes {
        let having: Vec<&ScopeItem> =
            scope.iter().filter(|s| s.columns.as_ref().is_some_and(|c| c.iter().any(|x| x == col))).collect();
        match having.as_slice() {
            [one] if !one.name.is_empty() => return Some(one.name.clone()),
            [] => {
                // One relation whose columns are unknown: the column must be its.
                if let [only] = scope.as_slice()
                    && only.columns.is_none()
                    && !only.name.is_empty()
                {
                    return Some(only.name.clone());
                }
            }
            _ => return None,
        }
    }
    None
}

/// PostgreSQL's default output name for an expression (`FigureColname`).
pub fn figure_colname(v: &Value) -> String {
    figure(v).map_or_else(|| "?column?".to_string(), |(name, _)| name)
}

fn figure(v: &Value) -> Option<(String, u8)> {
    let (kind, body) = variant(v)?;
    match kind {
        "ColumnRef" => {
            let f = string_values(body.get("fields"));
            f.last().filter(|s| *s != "*").map(|s| (s.clone(), 2))
        }
        "FuncCall" => string_values(body.get("funcname")).last().map(|s| (s.clone(), 2)),
        "AExpr" => (body.get("kind").and_then(Value::as_i64) == Some(6)).then(|| ("nullif".to_string(), 2)),
        "TypeCast" => match body.get("arg").and_then(figure) {
            Some((n, s)) if s > 1 => Some((n, s)),
            _ => body.get("type_name").and_then(|t| string_values(t.get("names")).last().cloned()).map(|n| (n, 1)),
        },
        "CollateClause" => body.get("arg").and_then(figure),
        "CaseExpr" => match body.get("defresult").and_then(figure) {
            Some((n, s)) if s > 1 => Some((n, s)),
            _ => Some(("case".into(), 1)),
        },
        "AArrayExpr" => Some(("array".into(), 2)),
        "RowExpr" => Some(("row".into(), 2)),
        "CoalesceExpr" => Some(("coalesce".into(), 2)),
        "MinMaxExpr" => {
            Some((if body.get("op").and_then(Value::as_i64) == Some(1) { "least" } else { "greatest" }.into(), 2))
        }
        "GroupingFunc" => Some(("grouping".into(), 2)),
        "SqlvalueFunction" => {
            let op = body.get("op").and_then(Value::as_i64).unwrap_or_default();
            let name = match op {
                1 => "current_date",
                2 | 3 => "current_time",
                4 | 5 => "current_timestamp",
                6 | 7 => "localtime",
                8 | 9 => "localtimestamp",
                10 => "current_role",
                11 => "current_user",
                12 => "user",
                13 => "session_user",
                14 => "current_catalog",
                15 => "current_schema",
                _ => return None,
            };
            Some((name.into(), 2))
        }
        "SubLink" => match body.get("sub_link_type").and_then(Value::as_i64) {
            Some(1) => Some(("exists".into(), 2)),
            Some(7) => Some(("array".into(), 2)),
            Some(5) => body.get("subselect").and_then(variant).and_then(|(_, sel)| {
                let first = sel.get("target_list")?.as_array()?.first()?;
                let (_, rt) = variant(first)?;
                let name = rt.get("name").and_then(Value::as_str).unwrap_or_default();
                if name.is_empty() { rt.get("val").and_then(figure) } else { Some((name.to_string(), 2)) }
            }),
            _ => None,
        },
        _ => None,
    }
}
