//! References to data types (columns, arguments, attributes, casts), in one canonical form whether
//! they come from DDL (`int`, `varchar(20)`, `timestamptz`) or from the catalog
//! (`integer`, `character varying(20)`, `timestamp with time zone`).

use std::fmt;

use pg_query::NodeEnum;
use pg_query::protobuf::TypeName;
use serde::{Deserialize, Serialize};

use crate::sql::quote_ident;

/// A data type: `schema.name`, its modifiers (`varchar(20)` → `["20"]`, `numeric(10,2)` →
/// `["10", "2"]`) and whether it is an array of that type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TypeRef {
    pub schema: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub array: bool,
}

/// Types every database has in `pg_catalog`, found there before the search path is consulted.
const BUILTIN: &[&str] = &[
    "aclitem",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "bit",
    "bool",
    "box",
    "bpchar",
    "bytea",
    "char",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "event_trigger",
    "fdw_handler",
    "float4",
    "float8",
    "gtsvector",
    "index_am_handler",
    "inet",
    "int2",
    "int2vector",
    "int4",
    "int4multirange",
    "int4range",
    "int8",
    "int8multirange",
    "int8range",
    "internal",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "pg_lsn",
    "pg_snapshot",
    "point",
    "polygon",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "table_am_handler",
    "text",
    "tid",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "trigger",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "unknown",
    "uuid",
    "varbit",
    "varchar",
    "void",
    "xid",
    "xid8",
    "xml",
];

/// Whether `name` is a type of `pg_catalog` (what an unqualified name finds first).
pub fn is_builtin(name: &str) -> bool {
    BUILTIN.binary_search(&name).is_ok()
}

/// `serial` and friends: an integer type plus a sequence, in DDL only.
pub fn serial_base(name: &str) -> Option<&'static str> {
    match name {
        "serial" | "serial4" => Some("int4"),
        "bigserial" | "serial8" => Some("int8"),
        "smallserial" | "serial2" => Some("int2"),
        _ => None,
    }
}

/// The string values of a list of `String` nodes (qualified names).
pub fn names(nodes: &[pg_query::protobuf::Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// How to resolve an unqualified type name that is not built in.
pub trait TypeResolver {
    fn resolve_type(&self, name: &str) -> String;
}

impl TypeRef {
    pub fn builtin(name: &str) -> Self {
        Self { schema: "pg_catalog".into(), name: name.into(), modifiers: Vec::new(), array: false }
    }

    /// From a parsed type name. `Err` carries what is not supported (`%TYPE`).
    pub fn from_type_name(tn: &TypeName, resolver: &dyn TypeResolver) -> Result<Self, String> {
        if tn.pct_type {
            return Err("%TYPE type references".into());
        }
        let parts = names(&tn.names);
        let (schema, name) = match parts.as_slice() {
            [name] if is_builtin(name) => ("pg_catalog".to_string(), name.clone()),
            [name] => (resolver.resolve_type(name), name.clone()),
            [schema, name] => (schema.clone(), name.clone()),
            [_db, schema, name] => (schema.clone(), name.clone()),
            _ => return Err(format!("type name {}", parts.join("."))),
        };
        let mut modifiers: Vec<String> = tn.typmods.iter().filter_map(modifier_text).collect();
        if schema == "pg_catalog" && name == "numeric" && modifiers.len() == 1 {
            modifiers.push("0".into());
        }
        if schema == "pg_catalog" && name == "float8" && modifiers.len() == 1 {
            // float(p): 1..24 is real, 25..53 double precision (the grammar already did this).
            modifiers.clear();
        }
        Ok(Self { schema, name, modifiers, array: !tn.array_bounds.is_empty() })
    }

    /// The element type of an array type.
    pub fn element(&self) -> Self {
        Self { array: false, ..self.clone() }
    }

    fn builtin_sql(&self) -> Option<String> {
        if self.schema != "pg_catalog" {
            return None;
        }
        let m = &self.modifiers;
        let paren = if m.is_empty() { String::new() } else { format!("({})", m.join(",")) };
        let with_precision = |base: &str, zone: &str| match m.first() {
            Some(p) => format!("{base}({p}) {zone}"),
            None => format!("{base} {zone}"),
        };
        Some(match self.name.as_str() {
            "int2" => "smallint".into(),
            "int4" => "integer".into(),
            "int8" => "bigint".into(),
            "float4" => "real".into(),
            "float8" => "double precision".into(),
            "bool" => "boolean".into(),
            "varchar" => format!("character varying{paren}"),
            "bpchar" => format!("character{paren}"),
            "numeric" => format!("numeric{paren}"),
            "bit" => format!("bit{paren}"),
            "varbit" => format!("bit varying{paren}"),
            "timestamp" => with_precision("timestamp", "without time zone"),
            "timestamptz" => with_precision("timestamp", "with time zone"),
            "time" => with_precision("time", "without time zone"),
            "timetz" => with_precision("time", "with time zone"),
            "interval" => interval_sql(m),
            "char" => "\"char\"".into(),
            other => format!("{}{paren}", quote_ident_if_needed(other)),
        })
    }

    /// The type in SQL, as `format_type` writes it (built-in types by their SQL names, others
    /// schema-qualified and quoted).
    pub fn sql(&self) -> String {
        let base = self.builtin_sql().unwrap_or_else(|| {
            let mut s = format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name));
            if !self.modifiers.is_empty() {
                s.push_str(&format!("({})", self.modifiers.join(",")));
            }
            s
        });
        if self.array { format!("{base}[]") } else { base }
    }

    /// fraiseql-confiture's coarse type (`ColumnType`), and the length it recorded.
    pub fn reference_type(&self) -> (&'static str, Option<i64>) {
        if self.array || self.schema != "pg_catalog" {
            return ("UNKNOWN", None);
        }
        let length = self.modifiers.first().and_then(|m| m.parse::<i64>().ok());
        let t = match self.name.as_str() {
            "int2" => "SMALLINT",
            "int4" => "INTEGER",
            "int8" => "BIGINT",
            "numeric" => "NUMERIC",
            "float4" => "REAL",
            "float8" => "DOUBLE PRECISION",
            "varchar" => "VARCHAR",
            "bpchar" => "CHAR",
            "text" => "TEXT",
            "bool" => "BOOLEAN",
            "date" => "DATE",
            "time" | "timetz" => "TIME",
            "timestamp" => "TIMESTAMP",
            "timestamptz" => "TIMESTAMPTZ",
            "uuid" => "UUID",
            "json" => "JSON",
            "jsonb" => "JSONB",
            "bytea" => "BYTEA",
            _ => "UNKNOWN",
        };
        let length = if matches!(t, "VARCHAR" | "CHAR" | "NUMERIC") { length } else { None };
        (t, length)
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}

fn modifier_text(node: &pg_query::protobuf::Node) -> Option<String> {
    use pg_query::protobuf::a_const::Val;
    match node.node.as_ref()? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            Val::Ival(i) => Some(i.ival.to_string()),
            Val::Fval(f) => Some(f.fval.clone()),
            Val::Sval(s) => Some(s.sval.clone()),
            Val::Boolval(b) => Some(b.boolval.to_string()),
            Val::Bsval(b) => Some(b.bsval.clone()),
        },
        NodeEnum::ColumnRef(c) => Some(names(&c.fields).join(".")),
        _ => None,
    }
}

/// Identifiers PostgreSQL would print without quotes: lower-case letters, digits, `_`, not starting
/// with a digit. (Keywords are not checked; callers only pass built-in type names.)
fn quote_ident_if_needed(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain { name.to_string() } else { quote_ident(name) }
}

const INTERVAL_FULL_RANGE: i64 = 0x7FFF;
const INTERVAL_FULL_PRECISION: i64 = 0xFFFF;

/// `interval` with its fields and precision, from the grammar's modifiers (`[range]` or
/// `[range, precision]`, range being a bit mask of datetime fields).
fn interval_sql(m: &[String]) -> String {
    let nums: Vec<i64> = m.iter().filter_map(|s| s.parse().ok()).collect();
    let (range, precision) = match nums.as_slice() {
        [] => (INTERVAL_FULL_RANGE, INTERVAL_FULL_PRECISION),
        [r] => (*r, INTERVAL_FULL_PRECISION),
        [r, p, ..] => (*r, *p),
    };
    const MONTH: i64 = 1 << 1;
    const YEAR: i64 = 1 << 2;
    const DAY: i64 = 1 << 3;
    const HOUR: i64 = 1 << 10;
    const MINUTE: i64 = 1 << 11;
    const SECOND: i64 = 1 << 12;
    let fields = match range {
        INTERVAL_FULL_RANGE => "",
        YEAR => " year",
        MONTH => " month",
        DAY => " day",
        HOUR => " hour",
        MINUTE => " minute",
        SECOND => " second",
        r if r == YEAR | MONTH => " year to month",
        r if r == DAY | HOUR => " day to hour",
        r if r == DAY | HOUR | MINUTE => " day to minute",
        r if r == DAY | HOUR | MINUTE | SECOND => " day to second",
        r if r == HOUR | MINUTE => " hour to minute",
        r if r == HOUR | MINUTE | SECOND => " hour to second",
        r if r == MINUTE | SECOND => " minute to second",
        _ => "",
    };
    let precision = if precision == INTERVAL_FULL_PRECISION { String::new() } else { format!("({precision})") };
    if fields.ends_with("second") || fields.is_empty() {
        format!("interval{fields}{precision}")
    } else {
        format!("interval{fields}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Public;
    impl TypeResolver for Public {
        fn resolve_type(&self, _name: &str) -> String {
            "public".into()
        }
    }

    fn parse(t: &str) -> TypeRef {
        let parsed = pg_query::parse(&format!("SELECT NULL::{t}"), pg_query::ParserOptions::DEFAULT).unwrap();
        let tn = parsed
            .protobuf
            .nodes()
            .into_iter()
            .find_map(|(n, ..)| match n {
                pg_query::NodeRef::TypeCast(c) => c.type_name.clone(),
                _ => None,
            })
            .unwrap();
        TypeRef::from_type_name(&tn, &Public).unwrap()
    }

    #[test]
    fn builtin_list_is_sorted() {
        assert!(BUILTIN.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ddl_and_catalog_spellings_agree() {
        for (ddl, catalog) in [
            ("int", "integer"),
            ("int4", "integer"),
            ("varchar(20)", "character varying(20)"),
            ("numeric(10)", "numeric(10,0)"),
            ("timestamptz(3)", "timestamp(3) with time zone"),
            ("timestamp", "timestamp without time zone"),
            ("char", "character(1)"),
            ("float", "double precision"),
            ("float(10)", "real"),
            ("text[]", "text[]"),
            ("interval(3)", "interval(3)"),
            ("interval day to second", "interval day to second"),
            ("bit", "bit(1)"),
            ("app.status", "app.status"),
            ("status", "status"),
            ("\"char\"", "\"char\""),
        ] {
            assert_eq!(parse(ddl), parse(catalog), "{ddl} vs {catalog}");
            assert_eq!(parse(parse(ddl).sql().as_str()), parse(ddl), "{ddl} renders as {}", parse(ddl).sql());
        }
        assert_eq!(parse("varchar(20)").sql(), "character varying(20)");
        assert_eq!(parse("status[]").sql(), "\"public\".\"status\"[]");
        assert_eq!(parse("varchar(20)").reference_type(), ("VARCHAR", Some(20)));
    }
}
