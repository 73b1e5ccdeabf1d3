//! What DDL affects, read from PostgreSQL's parse tree (never from regular expressions): the
//! objects each statement creates, alters or drops, and what its new objects depend on.
//! Unqualified names are taken to be in `public` (the default `search_path`).

use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ConstrType, FunctionParameterMode, Node, ObjectType, RangeVar, TypeName};

use super::objects::{Action, Affected, Object, ObjectKind};
use crate::sql::{StatementKind, split};

/// A statement that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractError {
    /// 1-based number of the statement in the text, and its first line.
    pub statement: usize,
    pub line: usize,
    pub message: String,
}

/// Everything the statements of `sql` affect.
pub fn extract(sql: &str) -> Result<Affected, ExtractError> {
    let statements = split(sql).map_err(|e| ExtractError { statement: 1, line: 1, message: e.to_string() })?;
    let mut affected = Affected::default();
    for (i, s) in statements.iter().enumerate() {
        if !matches!(s.kind, StatementKind::Sql | StatementKind::CopyFromStdin { .. }) {
            continue;
        }
        let text = s.text(sql);
        let parsed = pg_query::parse(text, pg_query::ParserOptions::DEFAULT).map_err(|e| ExtractError {
            statement: i + 1,
            line: s.line,
            message: e.to_string(),
        })?;
        for raw in &parsed.protobuf.stmts {
            if let Some(node) = raw.stmt.as_ref().and_then(|n| n.node.as_ref()) {
                statement(node, &mut affected);
            }
        }
        // Relations and functions a view, materialized view or CREATE TABLE AS reads.
        if parsed.protobuf.stmts.iter().any(|r| {
            matches!(
                r.stmt.as_ref().and_then(|n| n.node.as_ref()),
                Some(NodeEnum::ViewStmt(_) | NodeEnum::CreateTableAsStmt(_))
            )
        }) {
            for table in parsed.select_tables() {
                if let Some((schema, name)) = split_dotted(&table) {
                    affected.depend(Object::new(ObjectKind::Table, &schema, &name));
                }
            }
            for function in parsed.call_functions() {
                if let Some((schema, name)) = split_dotted(&function)
                    && schema != "pg_catalog"
                    && !(schema == "public" && !function.contains('.') && is_builtin_function(&name))
                {
                    affected.depend(Object::new(ObjectKind::Function, &schema, &name));
                }
            }
        }
    }
    affected.settle();
    Ok(affected)
}

/// Built-in functions views commonly call; a dependency on them means nothing.
fn is_builtin_function(name: &str) -> bool {
    matches!(
        name,
        "count"
            | "sum"
            | "avg"
            | "min"
            | "max"
            | "now"
            | "coalesce"
            | "lower"
            | "upper"
            | "length"
            | "concat"
            | "array_agg"
            | "string_agg"
            | "json_agg"
            | "jsonb_agg"
            | "json_build_object"
            | "jsonb_build_object"
            | "row_number"
            | "rank"
            | "date_trunc"
            | "extract"
            | "greatest"
            | "least"
            | "nullif"
            | "round"
            | "to_char"
            | "trim"
            | "substring"
            | "current_timestamp"
            | "current_date"
            | "bool_or"
            | "bool_and"
    )
}

/// `schema.name` or `name` (as pg_query prints RangeVars) → (schema, name).
fn split_dotted(text: &str) -> Option<(String, String)> {
    let mut parts = text.rsplitn(2, '.');
    let name = parts.next()?.to_string();
    let schema = parts.next().unwrap_or("public").to_string();
    (!name.is_empty()).then_some((schema, name))
}

fn rel(rv: &RangeVar) -> (String, String) {
    let schema = if rv.schemaname.is_empty() { "public".to_string() } else { rv.schemaname.clone() };
    (schema, rv.relname.clone())
}

fn strings(nodes: &[Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// A `[schema, ]name` list.
fn qualified(names: &[String]) -> Option<(String, String)> {
    match names {
        [name] => Some(("public".to_string(), name.clone())),
        [schema, name] => Some((schema.clone(), name.clone())),
        [.., schema, name] => Some((schema.clone(), name.clone())),
        [] => None,
    }
}

fn list_name(node: &Node) -> Option<(String, String)> {
    match &node.node {
        Some(NodeEnum::List(l)) => qualified(&strings(&l.items)),
        Some(NodeEnum::String(s)) => Some(("public".to_string(), s.sval.clone())),
        Some(NodeEnum::TypeName(t)) => qualified(&strings(&t.names)),
        Some(NodeEnum::ObjectWithArgs(o)) => qualified(&strings(&o.objname)),
        _ => None,
    }
}

/// A type as PostgreSQL prints it in signatures: `integer`, `text[]`, `app.mood`.
pub fn type_name(t: &TypeName) -> String {
    let names = strings(&t.names);
    let base = match names.as_slice() {
        [schema, name] if schema == "pg_catalog" => canonical_type(name).to_string(),
        [name] => canonical_type(name).to_string(),
        [.., schema, name] => format!("{schema}.{name}"),
        [] => String::from("?"),
    };
    let arrays = "[]".repeat(t.array_bounds.len());
    format!("{}{base}{arrays}", if t.setof { "SETOF " } else { "" })
}

fn canonical_type(name: &str) -> &str {
    match name {
        "int4" | "int" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "float8" => "double precision",
        "float4" => "real",
        "bool" => "boolean",
        "varchar" => "character varying",
        "bpchar" | "char" => "character",
        "timestamptz" => "timestamp with time zone",
        "timestamp" => "timestamp without time zone",
        "timetz" => "time with time zone",
        "time" => "time without time zone",
        "varbit" => "bit varying",
        "decimal" => "numeric",
        other => other,
    }
}

/// Input argument types of a function (IN, INOUT, VARIADIC; not OUT or TABLE columns).
fn function_args(parameters: &[Node]) -> String {
    parameters
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::FunctionParameter(p)) => {
                // OUT parameters and TABLE columns are results, not part of the signature.
                let mode = FunctionParameterMode::try_from(p.mode).unwrap_or(FunctionParameterMode::FuncParamIn);
                (!matches!(mode, FunctionParameterMode::FuncParamOut | FunctionParameterMode::FuncParamTable))
                    .then(|| p.arg_type.as_ref().map(type_name).unwrap_or_default())
            }
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn function_object(o: &pg_query::protobuf::ObjectWithArgs) -> Option<Object> {
    let (schema, name) = qualified(&strings(&o.objname))?;
    let member = (!o.args_unspecified).then(|| {
        o.objargs
            .iter()
            .filter_map(|n| match &n.node {
                Some(NodeEnum::TypeName(t)) => Some(type_name(t)),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    Some(Object { kind: ObjectKind::Function, schema, name, member })
}

/// PostgreSQL's name for an unnamed constraint: `users_pkey`, `users_email_key`, `users_org_id_fkey`,
/// `users_age_check`, `users_check`.
fn constraint_name(table: &str, c: &pg_query::protobuf::Constraint, column: Option<&str>) -> Option<String> {
    if !c.conname.is_empty() {
        return Some(c.conname.clone());
    }
    let keys = strings(if c.contype == ConstrType::ConstrForeign as i32 { &c.fk_attrs } else { &c.keys });
    let cols = if keys.is_empty() { column.map(str::to_string).into_iter().collect() } else { keys };
    let joined = cols.join("_");
    let with = |suffix: &str| {
        if joined.is_empty() { format!("{table}_{suffix}") } else { format!("{table}_{joined}_{suffix}") }
    };
    Some(match ConstrType::try_from(c.contype).ok()? {
        ConstrType::ConstrPrimary => format!("{table}_pkey"),
        ConstrType::ConstrUnique => with("key"),
        ConstrType::ConstrForeign => with("fkey"),
        ConstrType::ConstrCheck => with("check"),
        ConstrType::ConstrExclusion => with("excl"),
        _ => return None,
    })
}

/// A constraint on `schema.table` (from CREATE TABLE or ALTER TABLE … ADD): the constraint, and
/// the table a foreign key references.
fn constraint(
    a: &mut Affected,
    schema: &str,
    table: &str,
    c: &pg_query::protobuf::Constraint,
    column: Option<&str>,
    action: Action,
) {
    if let Some(name) = constraint_name(table, c, column) {
        a.change(Object::member(ObjectKind::Constraint, schema, table, &name), action);
    }
    if c.contype == ConstrType::ConstrForeign as i32
        && let Some(pk) = &c.pktable
    {
        let (s, t) = rel(pk);
        a.depend(Object::new(ObjectKind::Table, &s, &t));
        for col in strings(&c.pk_attrs) {
            a.depend(Object::member(ObjectKind::Column, &s, &t, &col));
        }
    }
}

fn column_def(a: &mut Affected, schema: &str, table: &str, col: &pg_query::protobuf::ColumnDef, action: Action) {
    a.change(Object::member(ObjectKind::Column, schema, table, &col.colname), action);
    if let Some(t) = &col.type_name {
        user_type_dependency(a, t);
    }
    for c in col.constraints.iter().filter_map(|n| match &n.node {
        Some(NodeEnum::Constraint(c)) => Some(c),
        _ => None,
    }) {
        constraint(a, schema, table, c, Some(&col.colname), action);
    }
}

/// A column or parameter of a user-defined (schema-qualified, non-catalog) type depends on it.
fn user_type_dependency(a: &mut Affected, t: &TypeName) {
    let names = strings(&t.names);
    if let [schema, name] = names.as_slice()
        && schema != "pg_catalog"
    {
        a.depend(Object::new(ObjectKind::Type, schema, name));
    }
}

fn statement(node: &NodeEnum, a: &mut Affected) {
    match node {
        NodeEnum::CreateStmt(c) => {
            let Some(rv) = &c.relation else { return };
            let (schema, table) = rel(rv);
            a.change(Object::new(ObjectKind::Table, &schema, &table), Action::Create);
            for element in &c.table_elts {
                match &element.node {
                    Some(NodeEnum::ColumnDef(col)) => column_def(a, &schema, &table, col, Action::Create),
                    Some(NodeEnum::Constraint(con)) => constraint(a, &schema, &table, con, None, Action::Create),
                    _ => {}
                }
            }
            for parent in c.inh_relations.iter().filter_map(|n| match &n.node {
                Some(NodeEnum::RangeVar(rv)) => Some(rv),
                _ => None,
            }) {
                let (s, t) = rel(parent);
                a.change(Object::new(ObjectKind::Table, &s, &t), Action::Alter);
            }
        }
        NodeEnum::AlterTableStmt(alter) => alter_table(alter, a),
        NodeEnum::IndexStmt(i) => {
            let Some(rv) = &i.relation else { return };
            let (schema, table) = rel(rv);
            a.change(Object::new(ObjectKind::Table, &schema, &table), Action::Alter);
            if !i.idxname.is_empty() {
                a.change(Object::new(ObjectKind::Index, &schema, &i.idxname), Action::Create);
            }
        }
        NodeEnum::DropStmt(d) => drop(d, a),
        NodeEnum::ViewStmt(v) => {
            let Some(rv) = &v.view else { return };
            let (schema, name) = rel(rv);
            a.change(
                Object::new(ObjectKind::View, &schema, &name),
                if v.replace { Action::Alter } else { Action::Create },
            );
        }
        NodeEnum::CreateTableAsStmt(c) => {
            if let Some(rv) = c.into.as_ref().and_then(|i| i.rel.as_ref()) {
                let (schema, name) = rel(rv);
                let kind =
                    if c.objtype == ObjectType::ObjectMatview as i32 { ObjectKind::View } else { ObjectKind::Table };
                a.change(Object::new(kind, &schema, &name), Action::Create);
            }
        }
        NodeEnum::RefreshMatViewStmt(r) => {
            if let Some(rv) = &r.relation {
                let (schema, name) = rel(rv);
                a.change(Object::new(ObjectKind::View, &schema, &name), Action::Alter);
            }
        }
        NodeEnum::CreateFunctionStmt(f) => {
            if let Some((schema, name)) = qualified(&strings(&f.funcname)) {
                let object =
                    Object { kind: ObjectKind::Function, schema, name, member: Some(function_args(&f.parameters)) };
                a.change(object, if f.replace { Action::Alter } else { Action::Create });
            }
            for p in f.parameters.iter().filter_map(|n| match &n.node {
                Some(NodeEnum::FunctionParameter(p)) => p.arg_type.as_ref(),
                _ => None,
            }) {
                user_type_dependency(a, p);
            }
        }
        NodeEnum::AlterFunctionStmt(f) => {
            if let Some(o) = f.func.as_ref().and_then(function_object) {
                a.change(o, Action::Alter);
            }
        }
        NodeEnum::CreateTrigStmt(t) => {
            let Some(rv) = &t.relation else { return };
            let (schema, table) = rel(rv);
            a.change(Object::member(ObjectKind::Trigger, &schema, &table, &t.trigname), Action::Create);
            a.change(Object::new(ObjectKind::Table, &schema, &table), Action::Alter);
            if let Some((s, f)) = qualified(&strings(&t.funcname)) {
                a.depend(Object::new(ObjectKind::Function, &s, &f));
            }
        }
        NodeEnum::CreatePolicyStmt(p) => {
            if let Some(rv) = &p.table {
                let (schema, table) = rel(rv);
                a.change(Object::member(ObjectKind::Policy, &schema, &table, &p.policy_name), Action::Create);
            }
        }
        NodeEnum::AlterPolicyStmt(p) => {
            if let Some(rv) = &p.table {
                let (schema, table) = rel(rv);
                a.change(Object::member(ObjectKind::Policy, &schema, &table, &p.policy_name), Action::Alter);
            }
        }
        NodeEnum::CreateEnumStmt(e) => type_change(a, &e.type_name, Action::Create),
        NodeEnum::CreateRangeStmt(r) => type_change(a, &r.type_name, Action::Create),
        NodeEnum::AlterEnumStmt(e) => type_change(a, &e.type_name, Action::Alter),
        NodeEnum::AlterTypeStmt(t) => type_change(a, &t.type_name, Action::Alter),
        NodeEnum::CreateDomainStmt(d) => type_change(a, &d.domainname, Action::Create),
        NodeEnum::AlterDomainStmt(d) => type_change(a, &d.type_name, Action::Alter),
        NodeEnum::CompositeTypeStmt(c) => {
            if let Some(rv) = &c.typevar {
                let (schema, name) = rel(rv);
                a.change(Object::new(ObjectKind::Type, &schema, &name), Action::Create);
            }
        }
        NodeEnum::CreateSeqStmt(s) => {
            if let Some(rv) = &s.sequence {
                let (schema, name) = rel(rv);
                a.change(Object::new(ObjectKind::Sequence, &schema, &name), Action::Create);
            }
        }
        NodeEnum::AlterSeqStmt(s) => {
            if let Some(rv) = &s.sequence {
                let (schema, name) = rel(rv);
                a.change(Object::new(ObjectKind::Sequence, &schema, &name), Action::Alter);
            }
        }
        NodeEnum::CreateSchemaStmt(s) => {
            a.change(Object::new(ObjectKind::Schema, "", &s.schemaname), Action::Create);
            for element in &s.schema_elts {
                if let Some(n) = &element.node {
                    statement(n, a);
                }
            }
        }
        NodeEnum::RenameStmt(r) => rename(r, a),
        NodeEnum::AlterObjectSchemaStmt(s) => {
            if let Some(rv) = &s.relation {
                let (schema, name) = rel(rv);
                a.change(Object::new(relation_kind(s.object_type), &schema, &name), Action::Alter);
            } else if let Some(o) = s.object.as_deref().and_then(|o| object_of(s.object_type, o)) {
                a.change(o, Action::Alter);
            }
        }
        NodeEnum::CommentStmt(c) => {
            if let Some(o) = c.object.as_deref().and_then(|o| object_of(c.objtype, o)) {
                a.change(o, Action::Alter);
            }
        }
        NodeEnum::TruncateStmt(t) => {
            for rv in t.relations.iter().filter_map(|n| match &n.node {
                Some(NodeEnum::RangeVar(rv)) => Some(rv),
                _ => None,
            }) {
                let (schema, name) = rel(rv);
                a.change(Object::new(ObjectKind::Table, &schema, &name), Action::Alter);
            }
        }
        NodeEnum::InsertStmt(i) => dml(a, i.relation.as_ref()),
        NodeEnum::UpdateStmt(u) => dml(a, u.relation.as_ref()),
        NodeEnum::DeleteStmt(d) => dml(a, d.relation.as_ref()),
        _ => {}
    }
}

/// Data changes alter the table's contents: they overlap with other work on the table.
fn dml(a: &mut Affected, rv: Option<&RangeVar>) {
    if let Some(rv) = rv {
        let (schema, name) = rel(rv);
        a.change(Object::new(ObjectKind::Table, &schema, &name), Action::Alter);
    }
}

fn type_change(a: &mut Affected, names: &[Node], action: Action) {
    if let Some((schema, name)) = qualified(&strings(names)) {
        a.change(Object::new(ObjectKind::Type, &schema, &name), action);
    }
}

fn relation_kind(object_type: i32) -> ObjectKind {
    match ObjectType::try_from(object_type).unwrap_or(ObjectType::Undefined) {
        ObjectType::ObjectView | ObjectType::ObjectMatview => ObjectKind::View,
        ObjectType::ObjectSequence => ObjectKind::Sequence,
        ObjectType::ObjectIndex => ObjectKind::Index,
        _ => ObjectKind::Table,
    }
}

/// The object a COMMENT / ALTER … SET SCHEMA / DROP names.
fn object_of(object_type: i32, node: &Node) -> Option<Object> {
    let kind = ObjectType::try_from(object_type).unwrap_or(ObjectType::Undefined);
    match kind {
        ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine => match &node.node {
            Some(NodeEnum::ObjectWithArgs(o)) => function_object(o),
            _ => None,
        },
        ObjectType::ObjectColumn => {
            let Some(NodeEnum::List(l)) = &node.node else { return None };
            let parts = strings(&l.items);
            match parts.as_slice() {
                [table, column] => Some(Object::member(ObjectKind::Column, "public", table, column)),
                [.., schema, table, column] => Some(Object::member(ObjectKind::Column, schema, table, column)),
                _ => None,
            }
        }
        ObjectType::ObjectSchema => match &node.node {
            Some(NodeEnum::String(s)) => Some(Object::new(ObjectKind::Schema, "", &s.sval)),
            _ => None,
        },
        ObjectType::ObjectType | ObjectType::ObjectDomain => {
            list_name(node).map(|(s, n)| Object::new(ObjectKind::Type, &s, &n))
        }
        ObjectType::ObjectTable
        | ObjectType::ObjectForeignTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectSequence
        | ObjectType::ObjectIndex => list_name(node).map(|(s, n)| Object::new(relation_kind(object_type), &s, &n)),
        ObjectType::ObjectTrigger | ObjectType::ObjectPolicy | ObjectType::ObjectTabconstraint => {
            // [schema, ]table, member
            let Some(NodeEnum::List(l)) = &node.node else { return None };
            let parts = strings(&l.items);
            let member_kind = match kind {
                ObjectType::ObjectTrigger => ObjectKind::Trigger,
                ObjectType::ObjectPolicy => ObjectKind::Policy,
                _ => ObjectKind::Constraint,
            };
            match parts.as_slice() {
                [table, member] => Some(Object::member(member_kind, "public", table, member)),
                [.., schema, table, member] => Some(Object::member(member_kind, schema, table, member)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn drop(d: &pg_query::protobuf::DropStmt, a: &mut Affected) {
    for node in &d.objects {
        if let Some(o) = object_of(d.remove_type, node) {
            a.change(o, Action::Drop);
        }
    }
}

fn rename(r: &pg_query::protobuf::RenameStmt, a: &mut Affected) {
    let kind = ObjectType::try_from(r.rename_type).unwrap_or(ObjectType::Undefined);
    if let Some(rv) = &r.relation {
        let (schema, table) = rel(rv);
        match kind {
            ObjectType::ObjectColumn => {
                a.change(Object::member(ObjectKind::Column, &schema, &table, &r.subname), Action::Drop);
                a.change(Object::member(ObjectKind::Column, &schema, &table, &r.newname), Action::Create);
            }
            ObjectType::ObjectTabconstraint => {
                a.change(Object::member(ObjectKind::Constraint, &schema, &table, &r.subname), Action::Drop);
                a.change(Object::member(ObjectKind::Constraint, &schema, &table, &r.newname), Action::Create);
            }
            ObjectType::ObjectTrigger => {
                a.change(Object::member(ObjectKind::Trigger, &schema, &table, &r.subname), Action::Drop);
                a.change(Object::member(ObjectKind::Trigger, &schema, &table, &r.newname), Action::Create);
            }
            ObjectType::ObjectPolicy => {
                a.change(Object::member(ObjectKind::Policy, &schema, &table, &r.subname), Action::Drop);
                a.change(Object::member(ObjectKind::Policy, &schema, &table, &r.newname), Action::Create);
            }
            _ => {
                // A renamed relation is gone under its old name and new under its new one.
                let k = relation_kind(r.rename_type);
                a.change(Object::new(k, &schema, &table), Action::Drop);
                a.change(Object::new(k, &schema, &r.newname), Action::Create);
            }
        }
        if matches!(
            kind,
            ObjectType::ObjectColumn
                | ObjectType::ObjectTabconstraint
                | ObjectType::ObjectTrigger
                | ObjectType::ObjectPolicy
        ) {
            a.change(Object::new(ObjectKind::Table, &schema, &table), Action::Alter);
        }
        return;
    }
    if let Some(o) = r.object.as_deref().and_then(|o| object_of(r.rename_type, o)) {
        let renamed = match o.kind {
            ObjectKind::Function => Object { name: r.newname.clone(), ..o.clone() },
            ObjectKind::Schema => Object::new(ObjectKind::Schema, "", &r.newname),
            _ => Object::new(o.kind, &o.schema, &r.newname),
        };
        a.change(o, Action::Drop);
        a.change(renamed, Action::Create);
    }
}

fn alter_table(alter: &pg_query::protobuf::AlterTableStmt, a: &mut Affected) {
    let Some(rv) = &alter.relation else { return };
    let (schema, table) = rel(rv);
    let kind = relation_kind(alter.objtype);
    a.change(Object::new(kind, &schema, &table), Action::Alter);
    for cmd in alter.cmds.iter().filter_map(|n| match &n.node {
        Some(NodeEnum::AlterTableCmd(c)) => Some(c),
        _ => None,
    }) {
        let subtype = AlterTableType::try_from(cmd.subtype).unwrap_or(AlterTableType::Undefined);
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        let column = |a: &mut Affected, action| {
            a.change(Object::member(ObjectKind::Column, &schema, &table, &cmd.name), action);
        };
        match subtype {
            AlterTableType::AtAddColumn => {
                if let Some(NodeEnum::ColumnDef(col)) = def {
                    column_def(a, &schema, &table, col, Action::Create);
                }
            }
            AlterTableType::AtDropColumn => column(a, Action::Drop),
            AlterTableType::AtAlterColumnType => {
                column(a, Action::Alter);
                if let Some(NodeEnum::ColumnDef(col)) = def
                    && let Some(t) = &col.type_name
                {
                    user_type_dependency(a, t);
                }
            }
            AlterTableType::AtColumnDefault
            | AlterTableType::AtSetNotNull
            | AlterTableType::AtDropNotNull
            | AlterTableType::AtSetStatistics
            | AlterTableType::AtSetStorage
            | AlterTableType::AtSetCompression
            | AlterTableType::AtAddIdentity
            | AlterTableType::AtSetIdentity
            | AlterTableType::AtDropIdentity
            | AlterTableType::AtDropExpression
            | AlterTableType::AtSetOptions
            | AlterTableType::AtResetOptions
                if !cmd.name.is_empty() =>
            {
                column(a, Action::Alter);
            }
            AlterTableType::AtAddConstraint => {
                if let Some(NodeEnum::Constraint(c)) = def {
                    let keys = strings(&c.keys);
                    constraint(a, &schema, &table, c, keys.first().map(String::as_str), Action::Create);
                }
            }
            AlterTableType::AtDropConstraint => {
                a.change(Object::member(ObjectKind::Constraint, &schema, &table, &cmd.name), Action::Drop);
            }
            AlterTableType::AtValidateConstraint | AlterTableType::AtAlterConstraint => {
                let name = match def {
                    Some(NodeEnum::Constraint(c)) if !c.conname.is_empty() => c.conname.clone(),
                    _ => cmd.name.clone(),
                };
                if !name.is_empty() {
                    a.change(Object::member(ObjectKind::Constraint, &schema, &table, &name), Action::Alter);
                }
            }
            AlterTableType::AtAttachPartition | AlterTableType::AtDetachPartition => {
                if let Some(NodeEnum::PartitionCmd(p)) = def
                    && let Some(part) = &p.name
                {
                    let (s, t) = rel(part);
                    a.change(Object::new(ObjectKind::Table, &s, &t), Action::Alter);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(sql: &str) -> (Vec<String>, Vec<String>) {
        let a = extract(sql).unwrap();
        let changes = a
            .changes
            .iter()
            .map(|(o, acts)| format!("{o} [{}]", acts.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(",")))
            .collect();
        (changes, a.depends_on.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn if_not_exists_and_schema_qualified_names_are_read_correctly() {
        let (c, _) = shown("CREATE TABLE IF NOT EXISTS app.\"Orders\" (id int PRIMARY KEY, note text UNIQUE);");
        assert_eq!(
            c,
            vec![
                "table app.Orders [create]",
                "column app.Orders.id [create]",
                "column app.Orders.note [create]",
                "constraint app.Orders.Orders_note_key [create]",
                "constraint app.Orders.Orders_pkey [create]",
            ]
        );
        let (c, _) = shown("ALTER TABLE IF EXISTS users ADD COLUMN IF NOT EXISTS bio text;");
        assert_eq!(c, vec!["table public.users [alter]", "column public.users.bio [create]"]);
        let (c, _) = shown("CREATE INDEX CONCURRENTLY IF NOT EXISTS users_bio ON users (bio);");
        assert_eq!(c, vec!["table public.users [alter]", "index public.users_bio [create]"]);
    }

    #[test]
    fn functions_keep_their_signature_including_create_or_replace() {
        let (c, d) = shown(
            "CREATE OR REPLACE FUNCTION app.total(p_user int, VARIADIC xs numeric[], OUT r bigint) \
             LANGUAGE sql AS $$ SELECT 1 $$;",
        );
        assert_eq!(c, vec!["function app.total(integer, numeric[]) [alter]"]);
        assert!(d.is_empty());
        let (c, _) = shown("DROP FUNCTION IF EXISTS app.total(integer, numeric[]);");
        assert_eq!(c, vec!["function app.total(integer, numeric[]) [drop]"]);
        let (c, _) = shown("ALTER FUNCTION f SECURITY DEFINER;");
        assert_eq!(c, vec!["function public.f [alter]"]);
    }

    #[test]
    fn views_foreign_keys_and_triggers_record_what_they_depend_on() {
        let (c, d) = shown(
            "CREATE VIEW app.active AS SELECT u.id FROM app.users u JOIN orgs o ON o.id = u.org WHERE app.visible(u.id);",
        );
        assert_eq!(c, vec!["view app.active [create]"]);
        assert_eq!(d, vec!["table app.users", "table public.orgs", "function app.visible"]);
        let (_, d) =
            shown("ALTER TABLE posts ADD CONSTRAINT posts_author FOREIGN KEY (author) REFERENCES app.users (id);");
        assert_eq!(d, vec!["table app.users", "column app.users.id"]);
        let (c, d) = shown("CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();");
        assert_eq!(c, vec!["table public.users [alter]", "trigger public.users.t [create]"]);
        assert_eq!(d, vec!["function public.touch"]);
    }

    #[test]
    fn drops_renames_and_columns() {
        let (c, _) = shown(
            "ALTER TABLE users DROP COLUMN email, ALTER COLUMN name TYPE varchar(80), ALTER COLUMN age SET NOT NULL;",
        );
        assert_eq!(
            c,
            vec![
                "table public.users [alter]",
                "column public.users.age [alter]",
                "column public.users.email [drop]",
                "column public.users.name [alter]",
            ]
        );
        let (c, _) = shown("ALTER TABLE users RENAME COLUMN email TO mail; DROP TABLE IF EXISTS a, s.b CASCADE;");
        assert_eq!(
            c,
            vec![
                "table public.a [drop]",
                "table public.users [alter]",
                "table s.b [drop]",
                "column public.users.email [drop]",
                "column public.users.mail [create]",
            ]
        );
        let (c, _) = shown("ALTER TYPE mood ADD VALUE 'meh'; CREATE TYPE app.kind AS ENUM ('a');");
        assert_eq!(c, vec!["type app.kind [create]", "type public.mood [alter]"]);
    }

    #[test]
    fn a_dependency_on_something_the_intent_changes_is_not_kept() {
        let (_, d) = shown("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (a_id int REFERENCES a);");
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn unparsable_ddl_names_the_statement() {
        let e = extract("CREATE TABLE ok (id int);\nCREATE TABLE broken (;").unwrap_err();
        assert_eq!((e.statement, e.line), (2, 2));
        assert!(e.message.contains("syntax error"), "{}", e.message);
    }
}
