//! What is known before each statement of the linted migrations runs, updated statement by
//! statement: the search path, tables created (new), columns' types, validated `IS NOT NULL`
//! checks, and per file the timeouts set and enum values added in the open transaction.

use std::collections::{BTreeMap, BTreeSet};

use pg_query::NodeEnum;
use pg_query::protobuf::{self, AlterTableType, ConstrType, ObjectType};

use super::{DatabaseFacts, Stmt};
use crate::schema::QualifiedName;
use crate::schema::TypeRef;
use crate::schema::type_ref::{TypeResolver, names, serial_base};

#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub search_path: Vec<String>,
    /// Tables and materialized views created by linted statements.
    pub created: BTreeSet<QualifiedName>,
    /// Indexes created by linted statements (schema-qualified).
    pub created_indexes: BTreeSet<QualifiedName>,
    /// Column types set by linted statements (CREATE TABLE, ADD COLUMN, ALTER … TYPE).
    pub column_types: BTreeMap<(QualifiedName, String), TypeRef>,
    /// Columns with a validated `CHECK (col IS NOT NULL)` added by linted statements.
    pub not_null_checks: BTreeSet<(QualifiedName, String)>,
    /// `CHECK (col IS NOT NULL) NOT VALID` constraints waiting for VALIDATE: (table, name) → column.
    pub unvalidated_checks: BTreeMap<(QualifiedName, String), String>,
    /// `SET lock_timeout` ran earlier in this file.
    pub lock_timeout: bool,
    /// `SET statement_timeout` ran earlier in this file.
    pub statement_timeout: bool,
    /// Enum values added in the open transaction: (type name, value).
    pub enum_values_added: Vec<(String, String)>,
}

struct PublicTypes<'a>(&'a [String]);

impl TypeResolver for PublicTypes<'_> {
    fn resolve_type(&self, _name: &str) -> String {
        self.0.first().cloned().unwrap_or_else(|| "public".into())
    }
}

/// The type of a column definition (`serial` as its integer type).
pub(crate) fn column_type(tn: Option<&protobuf::TypeName>, search_path: &[String]) -> Option<TypeRef> {
    let tn = tn?;
    if let [n] = names(&tn.names).as_slice()
        && let Some(base) = serial_base(n)
    {
        return Some(TypeRef::builtin(base));
    }
    TypeRef::from_type_name(tn, &PublicTypes(search_path)).ok()
}

/// The column of a `col IS NOT NULL` expression.
pub(crate) fn not_null_column(expr: Option<&protobuf::Node>) -> Option<String> {
    match expr?.node.as_ref()? {
        NodeEnum::NullTest(t) if t.nulltesttype == protobuf::NullTestType::IsNotNull as i32 => {
            match t.arg.as_ref()?.node.as_ref()? {
                NodeEnum::ColumnRef(c) => names(&c.fields).last().cloned(),
                _ => None,
            }
        }
        _ => None,
    }
}

fn relation_of(rv: Option<&protobuf::RangeVar>, search_path: &[String]) -> Option<QualifiedName> {
    let rv = rv?;
    let schema = if rv.schemaname.is_empty() {
        search_path.first().cloned().unwrap_or_else(|| "public".into())
    } else {
        rv.schemaname.clone()
    };
    Some(QualifiedName::new(schema, rv.relname.clone()))
}

impl Facts {
    pub fn new(_db: Option<&DatabaseFacts>) -> Self {
        Self {
            search_path: vec!["public".into()],
            created: BTreeSet::new(),
            created_indexes: BTreeSet::new(),
            column_types: BTreeMap::new(),
            not_null_checks: BTreeSet::new(),
            unvalidated_checks: BTreeMap::new(),
            lock_timeout: false,
            statement_timeout: false,
            enum_values_added: Vec::new(),
        }
    }

    /// A new file: settings made by the previous one do not carry over (each migration runs in
    /// its own transaction, and `SET LOCAL` ends with it). Tables created by earlier files stay
    /// new only when `keep_created` (they are known to be pending too).
    pub fn start_file(&mut self, keep_created: bool) {
        if !keep_created {
            self.created.clear();
            self.created_indexes.clear();
        }
        self.lock_timeout = false;
        self.statement_timeout = false;
        self.enum_values_added.clear();
        self.search_path = vec!["public".into()];
    }

    /// The type of a column before the current statement (linted statements first, then the database).
    pub fn column_type(&self, db: Option<&DatabaseFacts>, table: &QualifiedName, column: &str) -> Option<TypeRef> {
        let key = (table.clone(), column.to_string());
        self.column_types.get(&key).cloned().or_else(|| db.and_then(|d| d.column_type(table, column)))
    }

    /// Whether a validated `CHECK (column IS NOT NULL)` exists before the current statement.
    pub fn has_not_null_check(&self, db: Option<&DatabaseFacts>, table: &QualifiedName, column: &str) -> bool {
        self.not_null_checks.contains(&(table.clone(), column.to_string()))
            || db.is_some_and(|d| d.has_not_null_check(table, column))
    }

    /// Learns from a statement that ran; `transaction_ends` when the next statement is in another
    /// transaction (or there is none).
    pub fn apply(&mut self, stmt: &Stmt, _db: Option<&DatabaseFacts>, transaction_ends: bool) {
        if let Some(node) = &stmt.node {
            self.learn(node);
        }
        if transaction_ends {
            self.enum_values_added.clear();
        }
    }

    fn learn(&mut self, node: &NodeEnum) {
        match node {
            NodeEnum::VariableSetStmt(s) => match s.name.as_str() {
                "lock_timeout" => self.lock_timeout = sets_value(s) && !is_zero(&s.args),
                "statement_timeout" => self.statement_timeout = sets_value(s) && !is_zero(&s.args),
                "search_path" => {
                    let path: Vec<String> = s
                        .args
                        .iter()
                        .filter_map(|a| match a.node.as_ref() {
                            Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
                                Some(protobuf::a_const::Val::Sval(v)) => Some(v.sval.clone()),
                                _ => None,
                            },
                            _ => None,
                        })
                        .filter(|p| p != "$user" && p != "pg_catalog")
                        .collect();
                    self.search_path = if path.is_empty() { vec!["public".into()] } else { path };
                }
                _ => {}
            },
            NodeEnum::CreateStmt(c) => {
                let Some(table) = relation_of(c.relation.as_ref(), &self.search_path) else { return };
                for elt in &c.table_elts {
                    if let Some(NodeEnum::ColumnDef(cd)) = elt.node.as_ref()
                        && let Some(t) = column_type(cd.type_name.as_ref(), &self.search_path)
                    {
                        self.column_types.insert((table.clone(), cd.colname.clone()), t);
                    }
                }
                self.created.insert(table);
            }
            NodeEnum::IndexStmt(i) if !i.idxname.is_empty() => {
                if let Some(table) = relation_of(i.relation.as_ref(), &self.search_path) {
                    self.created_indexes.insert(QualifiedName::new(table.schema, i.idxname.clone()));
                }
            }
            NodeEnum::CreateTableAsStmt(c) => {
                if let Some(table) = relation_of(c.into.as_ref().and_then(|i| i.rel.as_ref()), &self.search_path) {
                    self.created.insert(table);
                }
            }
            NodeEnum::AlterTableStmt(a) => {
                let Some(table) = relation_of(a.relation.as_ref(), &self.search_path) else { return };
                for cmd in &a.cmds {
                    let Some(NodeEnum::AlterTableCmd(c)) = cmd.node.as_ref() else { continue };
                    self.alter_cmd(&table, c);
                }
            }
            NodeEnum::DropStmt(d) if d.remove_type == ObjectType::ObjectTable as i32 => {
                for o in &d.objects {
                    if let Some(rel) = crate::sql::effects::qualified_name(o) {
                        let schema = rel.schema.unwrap_or_else(|| self.search_path[0].clone());
                        self.created.remove(&QualifiedName::new(schema, rel.name));
                    }
                }
            }
            NodeEnum::AlterEnumStmt(e) if !e.new_val.is_empty() => {
                self.enum_values_added.push((names(&e.type_name).join("."), e.new_val.clone()));
            }
            _ => {}
        }
    }

    fn alter_cmd(&mut self, table: &QualifiedName, c: &protobuf::AlterTableCmd) {
        let def = c.def.as_deref().and_then(|d| d.node.as_ref());
        match AlterTableType::try_from(c.subtype) {
            Ok(AlterTableType::AtAddColumn) => {
                if let Some(NodeEnum::ColumnDef(cd)) = def
                    && let Some(t) = column_type(cd.type_name.as_ref(), &self.search_path)
                {
                    self.column_types.insert((table.clone(), cd.colname.clone()), t);
                }
            }
            Ok(AlterTableType::AtAlterColumnType) => {
                if let Some(NodeEnum::ColumnDef(cd)) = def
                    && let Some(t) = column_type(cd.type_name.as_ref(), &self.search_path)
                {
                    self.column_types.insert((table.clone(), c.name.clone()), t);
                }
            }
            Ok(AlterTableType::AtAddConstraint) => {
                let Some(NodeEnum::Constraint(con)) = def else { return };
                if con.contype != ConstrType::ConstrCheck as i32 {
                    return;
                }
                let Some(column) = not_null_column(con.raw_expr.as_deref()) else { return };
                if con.skip_validation {
                    self.unvalidated_checks.insert((table.clone(), con.conname.clone()), column);
                } else {
                    self.not_null_checks.insert((table.clone(), column));
                }
            }
            Ok(AlterTableType::AtValidateConstraint) => {
                if let Some(column) = self.unvalidated_checks.remove(&(table.clone(), c.name.clone())) {
                    self.not_null_checks.insert((table.clone(), column));
                }
            }
            _ => {}
        }
    }
}

fn sets_value(s: &protobuf::VariableSetStmt) -> bool {
    s.kind == protobuf::VariableSetKind::VarSetValue as i32
}

/// Whether `SET x = 0` (or `'0'`, `'0ms'`): a timeout of zero means none.
fn is_zero(args: &[protobuf::Node]) -> bool {
    args.iter().all(|a| match a.node.as_ref() {
        Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
            Some(protobuf::a_const::Val::Ival(i)) => i.ival == 0,
            Some(protobuf::a_const::Val::Sval(s)) => {
                s.sval.trim().trim_end_matches(|ch: char| ch.is_ascii_alphabetic()).trim() == "0"
            }
            _ => false,
        },
        _ => false,
    }) && !args.is_empty()
}
