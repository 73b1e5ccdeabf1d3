//! Everything but tables: schemas, extensions, types, sequences, indexes, views, functions,
//! triggers, policies, comments, grants, default privileges, and DROP.

use std::collections::{BTreeMap, BTreeSet};

use pg_query::NodeEnum;
use pg_query::protobuf::{self, Node, ObjectType as Ot};

use super::table::{apply_spec, collation_name, index_expr_name};
use super::{Builder, defelem_value, options_map};
use crate::schema::expr::deparse_stmt;
use crate::schema::grant::all_privileges;
use crate::schema::naming::{choose_name, name_addition};
use crate::schema::type_ref::names;
use crate::schema::{
    Argument, Attribute, CompositeType, DefaultPrivilege, Domain, DomainCheck, EnumType, Expr, Extension, Function,
    Grant, Index, Namespace, ObjectId, Policy, QualifiedName, RangeType, SchemaError, Sequence, SequenceOptions,
    Trigger, TypeDef, View,
};

pub(super) fn string_of(n: &Node) -> Option<String> {
    match n.node.as_ref()? {
        NodeEnum::String(s) => Some(s.sval.clone()),
        _ => None,
    }
}

impl Builder {
    pub(super) fn create_schema(&mut self, s: &protobuf::CreateSchemaStmt) -> Result<(), SchemaError> {
        let name = if s.schemaname.is_empty() {
            match s.authrole.as_ref() {
                Some(r) => r.rolename.clone(),
                None => return self.invalid("CREATE SCHEMA without a name"),
            }
        } else {
            s.schemaname.clone()
        };
        if name == "public" {
            if s.if_not_exists {
                return Ok(());
            }
            return self.invalid("schema public exists in every database");
        }
        if self.cat.schemas.contains_key(&name) && !s.if_not_exists {
            return self.invalid(format!("schema {name} is created twice"));
        }
        let mut ns = Namespace::new(&name);
        if self.options.include_grants {
            self.default_grants_for(&name, "SCHEMAS", &mut ns.grants);
        }
        self.cat.schemas.entry(name.clone()).or_insert(ns);
        if !s.schema_elts.is_empty() {
            let saved = std::mem::replace(&mut self.search_path, vec![name]);
            for e in &s.schema_elts {
                if let Some(node) = e.node.as_ref() {
                    self.statement(node, "", "")?;
                }
            }
            self.search_path = saved;
        }
        Ok(())
    }

    pub(super) fn create_extension(&mut self, s: &protobuf::CreateExtensionStmt) -> Result<(), SchemaError> {
        if s.extname == "plpgsql" {
            return Ok(());
        }
        let mut ext = Extension { name: s.extname.clone(), schema: None, version: None, comment: None };
        for o in &s.options {
            if let Some(NodeEnum::DefElem(de)) = o.node.as_ref() {
                match de.defname.as_str() {
                    "schema" => ext.schema = defelem_value(de),
                    "new_version" => ext.version = defelem_value(de),
                    "cascade" => self.note(format!("CASCADE of extension {} is not followed", s.extname)),
                    other => return self.unsupported(format!("CREATE EXTENSION option {other}")),
                }
            }
        }
        if self.cat.extensions.contains_key(&s.extname) && !s.if_not_exists {
            return self.invalid(format!("extension {} is created twice", s.extname));
        }
        self.cat.extensions.entry(s.extname.clone()).or_insert(ext);
        Ok(())
    }

    pub(super) fn alter_extension(&mut self, s: &protobuf::AlterExtensionStmt) -> Result<(), SchemaError> {
        let mut version = None;
        for o in &s.options {
            if let Some(NodeEnum::DefElem(de)) = o.node.as_ref()
                && de.defname == "new_version"
            {
                version = defelem_value(de);
            }
        }
        match self.cat.extensions.get_mut(&s.extname) {
            Some(e) => {
                e.version = version;
                Ok(())
            }
            None => self.invalid(format!("extension {} does not exist", s.extname)),
        }
    }

    fn type_name_of(&self, list: &[Node]) -> Result<QualifiedName, SchemaError> {
        let parts = names(list);
        match parts.as_slice() {
            [n] => Ok(self.new_name("", n)),
            [s, n] | [_, s, n] => Ok(QualifiedName::new(s.as_str(), n.as_str())),
            _ => self.invalid("invalid type name"),
        }
    }

    fn existing_type(&self, list: &[Node]) -> Result<QualifiedName, SchemaError> {
        self.list_name(list, &|q| self.cat.types.contains_key(q))
    }

    fn add_type(&mut self, t: TypeDef) -> Result<(), SchemaError> {
        let name = t.name().clone();
        if self.cat.types.contains_key(&name) {
            return self.invalid(format!("type {name} is created twice"));
        }
        self.cat.types.insert(name.clone(), t);
        if self.options.include_grants {
            let mut grants = BTreeSet::new();
            grants.insert(Grant {
                grantee: "PUBLIC".into(),
                privilege: "USAGE".into(),
                column: None,
                with_grant_option: false,
            });
            self.default_grants_for(&name.schema, "TYPES", &mut grants);
            if let Some(t) = self.cat.types.get_mut(&name) {
                *t.grants_mut() = grants;
            }
        }
        Ok(())
    }

    pub(super) fn create_enum(&mut self, s: &protobuf::CreateEnumStmt) -> Result<(), SchemaError> {
        let name = self.type_name_of(&s.type_name)?;
        let labels = s.vals.iter().filter_map(string_of).collect();
        self.add_type(TypeDef::Enum(EnumType { name, labels, comment: None, grants: BTreeSet::new() }))
    }

    pub(super) fn alter_enum(&mut self, s: &protobuf::AlterEnumStmt) -> Result<(), SchemaError> {
        let name = self.existing_type(&s.type_name)?;
        let Some(TypeDef::Enum(e)) = self.cat.types.get_mut(&name) else {
            return self.invalid(format!("enum type {name} does not exist"));
        };
        if !s.old_val.is_empty() {
            match e.labels.iter_mut().find(|l| **l == s.old_val) {
                Some(l) => l.clone_from(&s.new_val),
                None => return self.invalid(format!("enum {name} has no value {}", s.old_val)),
            }
            return Ok(());
        }
        if e.labels.contains(&s.new_val) {
            if s.skip_if_new_val_exists {
                return Ok(());
            }
            return self.invalid(format!("enum {name} already has value {}", s.new_val));
        }
        let at = if s.new_val_neighbor.is_empty() {
            e.labels.len()
        } else {
            match e.labels.iter().position(|l| *l == s.new_val_neighbor) {
                Some(i) if s.new_val_is_after => i + 1,
                Some(i) => i,
                None => return self.invalid(format!("enum {name} has no value {}", s.new_val_neighbor)),
            }
        };
        e.labels.insert(at, s.new_val.clone());
        Ok(())
    }

    pub(super) fn create_composite(&mut self, s: &protobuf::CompositeTypeStmt) -> Result<(), SchemaError> {
        let Some(rv) = s.typevar.as_ref() else { return self.invalid("CREATE TYPE without a name") };
        let name = self.new_name(&rv.schemaname, &rv.relname);
        let mut attributes = Vec::new();
        for c in &s.coldeflist {
            if let Some(NodeEnum::ColumnDef(cd)) = c.node.as_ref() {
                attributes.push(Attribute {
                    name: cd.colname.clone(),
                    data_type: self.type_ref(cd.type_name.as_ref())?,
                    collation: cd.coll_clause.as_ref().and_then(|cc| collation_name(&cc.collname)),
                });
            }
        }
        self.add_type(TypeDef::Composite(CompositeType { name, attributes, comment: None, grants: BTreeSet::new() }))
    }

    pub(super) fn alter_composite(&mut self, cmds: &[Node], rv: &protobuf::RangeVar) -> Result<(), SchemaError> {
        let name = if rv.schemaname.is_empty() {
            self.search_path
                .iter()
                .map(|s| QualifiedName::new(s.as_str(), rv.relname.as_str()))
                .find(|q| self.cat.types.contains_key(q))
                .unwrap_or_else(|| self.new_name("", &rv.relname))
        } else {
            QualifiedName::new(rv.schemaname.as_str(), rv.relname.as_str())
        };
        for cmd in cmds {
            let Some(NodeEnum::AlterTableCmd(c)) = cmd.node.as_ref() else { continue };
            let def = c.def.as_deref().and_then(|d| d.node.as_ref());
            let new_attr = match def {
                Some(NodeEnum::ColumnDef(cd)) => Some((
                    self.type_ref(cd.type_name.as_ref())?,
                    cd.coll_clause.as_ref().and_then(|cc| collation_name(&cc.collname)),
                    cd.colname.clone(),
                )),
                _ => None,
            };
            let Some(TypeDef::Composite(t)) = self.cat.types.get_mut(&name) else {
                return self.invalid(format!("composite type {name} does not exist"));
            };
            match (protobuf::AlterTableType::try_from(c.subtype), new_attr) {
                (Ok(protobuf::AlterTableType::AtAddColumn), Some((data_type, collation, colname))) => {
                    t.attributes.push(Attribute { name: colname, data_type, collation });
                }
                (Ok(protobuf::AlterTableType::AtDropColumn), _) => t.attributes.retain(|a| a.name != c.name),
                (Ok(protobuf::AlterTableType::AtAlterColumnType), Some((data_type, collation, _))) => {
                    if let Some(a) = t.attributes.iter_mut().find(|a| a.name == c.name) {
                        a.data_type = data_type;
                        a.collation = collation;
                    }
                }
                (Ok(protobuf::AlterTableType::AtChangeOwner), _) => {}
                _ => return self.unsupported("this ALTER TYPE"),
            }
        }
        Ok(())
    }

    pub(super) fn create_domain(&mut self, s: &protobuf::CreateDomainStmt) -> Result<(), SchemaError> {
        let name = self.type_name_of(&s.domainname)?;
        let mut d = Domain {
            name: name.clone(),
            base: self.type_ref(s.type_name.as_ref())?,
            collation: s.coll_clause.as_ref().and_then(|cc| collation_name(&cc.collname)),
            default: None,
            not_null: false,
            checks: BTreeMap::new(),
            comment: None,
            grants: BTreeSet::new(),
        };
        for c in &s.constraints {
            let Some(NodeEnum::Constraint(c)) = c.node.as_ref() else { continue };
            self.domain_constraint(&mut d, c)?;
        }
        self.add_type(TypeDef::Domain(d))
    }

    fn domain_constraint(&self, d: &mut Domain, c: &protobuf::Constraint) -> Result<(), SchemaError> {
        match protobuf::ConstrType::try_from(c.contype) {
            Ok(protobuf::ConstrType::ConstrNotnull) => d.not_null = true,
            Ok(protobuf::ConstrType::ConstrNull) => d.not_null = false,
            Ok(protobuf::ConstrType::ConstrDefault) => d.default = self.expr(c.raw_expr.as_deref())?,
            Ok(protobuf::ConstrType::ConstrCheck) => {
                let expr = self.expr_required(c.raw_expr.as_deref(), "CHECK expression")?;
                let name = if c.conname.is_empty() {
                    let schema = d.name.schema.clone();
                    let taken = |n: &str| {
                        d.checks.contains_key(n)
                            || self
                                .cat
                                .tables
                                .values()
                                .any(|t| t.name.schema == schema && t.constraints.contains_key(n))
                    };
                    choose_name(&d.name.name, None, "check", &taken)
                } else {
                    c.conname.clone()
                };
                d.checks.insert(name.clone(), DomainCheck { name, expr, validated: !c.skip_validation, comment: None });
            }
            _ => return self.unsupported("this domain constraint"),
        }
        Ok(())
    }

    pub(super) fn alter_domain(&mut self, s: &protobuf::AlterDomainStmt) -> Result<(), SchemaError> {
        let name = self.existing_type(&s.type_name)?;
        let Some(TypeDef::Domain(mut d)) = self.cat.types.get(&name).cloned() else {
            return self.invalid(format!("domain {name} does not exist"));
        };
        match s.subtype.as_str() {
            "T" => d.default = self.expr(s.def.as_deref())?,
            "N" => d.not_null = false,
            "O" => d.not_null = true,
            "C" => {
                if let Some(NodeEnum::Constraint(c)) = s.def.as_deref().and_then(|n| n.node.as_ref()) {
                    self.domain_constraint(&mut d, c)?;
                }
            }
            "X" => {
                d.checks.remove(&s.name);
            }
            "V" => {
                if let Some(c) = d.checks.get_mut(&s.name) {
                    c.validated = true;
                }
            }
            _ => return self.unsupported("this ALTER DOMAIN"),
        }
        self.cat.types.insert(name, TypeDef::Domain(d));
        Ok(())
    }

    pub(super) fn create_range(&mut self, s: &protobuf::CreateRangeStmt) -> Result<(), SchemaError> {
        let name = self.type_name_of(&s.type_name)?;
        let mut subtype = None;
        let mut r = RangeType {
            name: name.clone(),
            subtype: crate::schema::TypeRef::builtin("unknown"),
            subtype_opclass: None,
            collation: None,
            canonical: None,
            subtype_diff: None,
            multirange: None,
            comment: None,
            grants: BTreeSet::new(),
        };
        for p in &s.params {
            let Some(NodeEnum::DefElem(de)) = p.node.as_ref() else { continue };
            let arg = de.arg.as_ref().and_then(|a| a.node.as_ref());
            let func = |b: &Builder| -> Result<Option<QualifiedName>, SchemaError> {
                match arg {
                    Some(NodeEnum::TypeName(tn)) => Ok(Some(b.function_name(&tn.names)?)),
                    Some(NodeEnum::List(l)) => Ok(Some(b.function_name(&l.items)?)),
                    _ => Ok(None),
                }
            };
            match de.defname.as_str() {
                "subtype" => {
                    if let Some(NodeEnum::TypeName(tn)) = arg {
                        subtype = Some(self.type_ref(Some(tn))?);
                    }
                }
                "subtype_opclass" => r.subtype_opclass = defelem_value(de),
                "collation" => r.collation = defelem_value(de),
                "canonical" => r.canonical = func(self)?,
                "subtype_diff" => r.subtype_diff = func(self)?,
                "multirange_type_name" => {
                    r.multirange = defelem_value(de).map(|m| m.rsplit('.').next().unwrap_or(&m).to_string())
                }
                other => return self.unsupported(format!("range option {other}")),
            }
        }
        let Some(subtype) = subtype else { return self.invalid(format!("range type {name} has no subtype")) };
        r.subtype = subtype;
        if r.multirange.as_deref() == Some(RangeType::default_multirange(&name.name).as_str()) {
            r.multirange = None;
        }
        self.add_type(TypeDef::Range(r))
    }

    pub(crate) fn function_exists(&self, q: &QualifiedName) -> bool {
        self.cat.functions_named(q).next().is_some()
    }

    /// A function named in an option or trigger: found along the search path, else left
    /// unqualified (a built-in, as the catalog prints it).
    pub(crate) fn function_name(&self, list: &[Node]) -> Result<QualifiedName, SchemaError> {
        let parts = names(list);
        match parts.as_slice() {
            [name] => Ok(self
                .search_path
                .iter()
                .map(|s| QualifiedName::new(s.as_str(), name.as_str()))
                .find(|q| self.function_exists(q))
                .unwrap_or_else(|| QualifiedName::new("", name.as_str()))),
            [schema, name] | [_, schema, name] if schema == "pg_catalog" => Ok(QualifiedName::new("", name.as_str())),
            [schema, name] | [_, schema, name] => Ok(QualifiedName::new(schema.as_str(), name.as_str())),
            _ => self.invalid(format!("invalid function name {}", parts.join("."))),
        }
    }

    pub(super) fn create_sequence(&mut self, s: &protobuf::CreateSeqStmt) -> Result<(), SchemaError> {
        let Some(rv) = s.sequence.as_ref() else { return self.invalid("CREATE SEQUENCE without a name") };
        if rv.relpersistence == "t" {
            return self.unsupported("temporary sequences");
        }
        let name = self.new_name(&rv.schemaname, &rv.relname);
        if self.cat.sequences.contains_key(&name) {
            if s.if_not_exists {
                return Ok(());
            }
            return self.invalid(format!("sequence {name} is created twice"));
        }
        let spec = self.sequence_spec(&s.options)?;
        let owned_by = self.owned_by(&s.options)?;
        self.cat.sequences.insert(
            name.clone(),
            Sequence {
                name: name.clone(),
                options: SequenceOptions::resolve(&spec, "bigint"),
                owned_by,
                comment: None,
                grants: BTreeSet::new(),
            },
        );
        self.apply_default_privileges(&ObjectId::Sequence(name), "SEQUENCES");
        Ok(())
    }

    fn owned_by(&self, options: &[Node]) -> Result<Option<(QualifiedName, String)>, SchemaError> {
        for o in options {
            if let Some(NodeEnum::DefElem(de)) = o.node.as_ref()
                && de.defname == "owned_by"
                && let Some(NodeEnum::List(l)) = de.arg.as_ref().and_then(|a| a.node.as_ref())
            {
                let parts = names(&l.items);
                return Ok(match parts.as_slice() {
                    [none] if none == "none" => None,
                    [t, c] => Some((self.relation_name(&range_var("", t)), c.clone())),
                    [s, t, c] => Some((QualifiedName::new(s.as_str(), t.as_str()), c.clone())),
                    _ => return self.invalid("invalid OWNED BY"),
                });
            }
        }
        Ok(None)
    }

    pub(super) fn alter_sequence(&mut self, s: &protobuf::AlterSeqStmt) -> Result<(), SchemaError> {
        let Some(rv) = s.sequence.as_ref() else { return self.invalid("ALTER SEQUENCE without a name") };
        let name = self.relation_name(rv);
        let spec = self.sequence_spec(&s.options)?;
        let has_owned = s
            .options
            .iter()
            .any(|o| matches!(o.node.as_ref(), Some(NodeEnum::DefElem(de)) if de.defname == "owned_by"));
        let owned = self.owned_by(&s.options)?;
        let Some(seq) = self.cat.sequences.get_mut(&name) else {
            if s.missing_ok {
                return Ok(());
            }
            return self.invalid(format!("sequence {name} does not exist"));
        };
        apply_spec(&mut seq.options, &spec);
        if has_owned {
            seq.owned_by = owned;
        }
        Ok(())
    }

    pub(super) fn alter_sequence_as_table(&mut self, name: &QualifiedName, cmds: &[Node]) -> Result<(), SchemaError> {
        for cmd in cmds {
            if let Some(NodeEnum::AlterTableCmd(c)) = cmd.node.as_ref()
                && c.subtype == protobuf::AlterTableType::AtChangeOwner as i32
            {
                continue;
            }
            return self.unsupported(format!("this ALTER of sequence {name}"));
        }
        Ok(())
    }

    pub(super) fn create_index(&mut self, s: &protobuf::IndexStmt) -> Result<(), SchemaError> {
        let Some(rv) = s.relation.as_ref() else { return self.invalid("CREATE INDEX without a table") };
        let table = self.relation_name(rv);
        if !self.cat.tables.contains_key(&table) && !self.cat.views.get(&table).is_some_and(|v| v.materialized) {
            return self.invalid(format!("CREATE INDEX: {table} is not a table or materialized view (yet)"));
        }
        if !s.table_space.is_empty() {
            self.note(format!("ignored TABLESPACE {} of an index on {table}", s.table_space));
        }
        let mut elements = Vec::new();
        for p in &s.index_params {
            if let Some(NodeEnum::IndexElem(ie)) = p.node.as_ref() {
                elements.push(self.index_element(ie)?);
            }
        }
        let include: Vec<String> = s
            .index_including_params
            .iter()
            .filter_map(|p| match p.node.as_ref() {
                Some(NodeEnum::IndexElem(ie)) => Some(ie.name.clone()),
                _ => None,
            })
            .collect();
        let idx_name = if s.idxname.is_empty() {
            let mut cols: Vec<String> =
                elements.iter().map(|e| e.column.clone().unwrap_or_else(|| index_expr_name(e.expr.as_ref()))).collect();
            cols.extend(include.iter().cloned());
            let label = if s.primary {
                "pkey"
            } else if s.isconstraint {
                "key"
            } else {
                "idx"
            };
            let schema = table.schema.clone();
            let addition = if s.primary { None } else { Some(name_addition(&cols)) };
            choose_name(&table.name, addition.as_deref(), label, &|n| self.relation_taken(&schema, n))
        } else {
            s.idxname.clone()
        };
        let name = QualifiedName::new(table.schema.clone(), idx_name);
        if self.cat.indexes.contains_key(&name) {
            if s.if_not_exists {
                return Ok(());
            }
            return self.invalid(format!("index {name} is created twice"));
        }
        let method = if s.access_method.is_empty() { "btree".to_string() } else { s.access_method.clone() };
        let index = Index {
            name: name.clone(),
            table,
            unique: s.unique,
            nulls_not_distinct: s.nulls_not_distinct,
            method,
            elements,
            include,
            predicate: self.expr(s.where_clause.as_deref())?,
            options: options_map(&s.options),
            comment: None,
        };
        self.place(ObjectId::Index(name.clone()), 0);
        self.cat.indexes.insert(name, index);
        Ok(())
    }

    pub(super) fn alter_index(&mut self, name: &QualifiedName, cmds: &[Node]) -> Result<(), SchemaError> {
        for cmd in cmds {
            let Some(NodeEnum::AlterTableCmd(c)) = cmd.node.as_ref() else { continue };
            match protobuf::AlterTableType::try_from(c.subtype) {
                Ok(protobuf::AlterTableType::AtAttachPartition) => {
                    if let Some(NodeEnum::PartitionCmd(pc)) = c.def.as_deref().and_then(|d| d.node.as_ref())
                        && let Some(rv) = pc.name.as_ref()
                    {
                        let child = self.relation_name(rv);
                        self.attach_index(child);
                    }
                }
                Ok(protobuf::AlterTableType::AtSetRelOptions) => {
                    let opts = match c.def.as_deref().and_then(|d| d.node.as_ref()) {
                        Some(NodeEnum::List(l)) => options_map(&l.items),
                        _ => BTreeMap::new(),
                    };
                    match self.cat.indexes.get_mut(name) {
                        Some(i) => i.options.extend(opts),
                        None => return self.invalid(format!("index {name} does not exist")),
                    }
                }
                Ok(
                    protobuf::AlterTableType::AtChangeOwner
                    | protobuf::AlterTableType::AtSetTableSpace
                    | protobuf::AlterTableType::AtSetStatistics,
                ) => {}
                _ => return self.unsupported(format!("this ALTER INDEX of {name}")),
            }
        }
        Ok(())
    }

    pub(super) fn alter_view(&mut self, name: &QualifiedName, cmds: &[Node]) -> Result<(), SchemaError> {
        for cmd in cmds {
            let Some(NodeEnum::AlterTableCmd(c)) = cmd.node.as_ref() else { continue };
            let def = c.def.as_deref().and_then(|d| d.node.as_ref());
            match protobuf::AlterTableType::try_from(c.subtype) {
                Ok(protobuf::AlterTableType::AtSetRelOptions) => {
                    let opts = match def {
                        Some(NodeEnum::List(l)) => options_map(&l.items),
                        _ => BTreeMap::new(),
                    };
                    let Some(v) = self.cat.views.get_mut(name) else {
                        return self.invalid(format!("view {name} does not exist"));
                    };
                    for (k, val) in opts {
                        if k == "check_option" {
                            v.check_option = Some(val);
                        } else {
                            v.options.insert(k, val);
                        }
                    }
                }
                Ok(protobuf::AlterTableType::AtChangeOwner) => {}
                _ => return self.unsupported(format!("this ALTER VIEW of {name}")),
            }
        }
        Ok(())
    }

    pub(super) fn create_view(&mut self, s: &protobuf::ViewStmt) -> Result<(), SchemaError> {
        let Some(rv) = s.view.as_ref() else { return self.invalid("CREATE VIEW without a name") };
        if rv.relpersistence == "t" {
            return self.unsupported("temporary views");
        }
        let name = self.new_name(&rv.schemaname, &rv.relname);
        let Some(query) = s.query.as_deref() else { return self.invalid("CREATE VIEW without a query") };
        let mut options = options_map(&s.options);
        let mut check_option = options.remove("check_option");
        match protobuf::ViewCheckOption::try_from(s.with_check_option) {
            Ok(protobuf::ViewCheckOption::LocalCheckOption) => check_option = Some("local".into()),
            Ok(protobuf::ViewCheckOption::CascadedCheckOption) => check_option = Some("cascaded".into()),
            _ => {}
        }
        let aliases: Vec<String> = s.aliases.iter().filter_map(string_of).collect();
        self.add_view(name, query, aliases, false, options, check_option, s.replace)
    }

    #[allow(clippy::too_many_arguments, reason = "views and materialized views share this")]
    fn add_view(
        &mut self,
        name: QualifiedName,
        query: &Node,
        aliases: Vec<String>,
        materialized: bool,
        options: BTreeMap<String, String>,
        check_option: Option<String>,
        replace: bool,
    ) -> Result<(), SchemaError> {
        let (sql, json) = self.ahead.view(query, &aliases).or_else(|m| self.invalid(m))?;
        if self.cat.views.contains_key(&name) && !replace {
            return self.invalid(format!("view {name} is created twice"));
        }
        if self.cat.tables.contains_key(&name) {
            return self.invalid(format!("{name} is a table"));
        }
        let view = View {
            name: name.clone(),
            materialized,
            query: Expr { sql, key: String::new(), refs: Default::default() },
            columns: Vec::new(),
            check_option,
            options,
            comment: None,
            column_comments: BTreeMap::new(),
            grants: BTreeSet::new(),
        };
        self.place(ObjectId::View(name.clone()), 0);
        self.cat.views.insert(name.clone(), view);
        self.defer_view(name.clone(), json);
        self.apply_default_privileges(&ObjectId::View(name), "TABLES");
        Ok(())
    }

    pub(super) fn create_table_as(&mut self, s: &protobuf::CreateTableAsStmt) -> Result<(), SchemaError> {
        if s.objtype != Ot::ObjectMatview as i32 {
            return self.unsupported("CREATE TABLE … AS / SELECT INTO (the columns are not declared)");
        }
        let Some(into) = s.into.as_deref() else { return self.invalid("CREATE MATERIALIZED VIEW without a name") };
        let Some(rv) = into.rel.as_ref() else { return self.invalid("CREATE MATERIALIZED VIEW without a name") };
        let name = self.new_name(&rv.schemaname, &rv.relname);
        if self.cat.views.contains_key(&name) && s.if_not_exists {
            return Ok(());
        }
        let Some(query) = s.query.as_deref() else { return self.invalid("materialized view without a query") };
        if !into.table_space_name.is_empty() {
            self.note(format!("ignored TABLESPACE of {name}"));
        }
        let aliases = into.col_names.iter().filter_map(string_of).collect();
        self.add_view(name, query, aliases, true, options_map(&into.options), None, false)
    }

    pub(super) fn create_function(&mut self, s: &protobuf::CreateFunctionStmt) -> Result<(), SchemaError> {
        let name = match names(&s.funcname).as_slice() {
            [n] => self.new_name("", n),
            [sch, n] | [_, sch, n] => QualifiedName::new(sch.as_str(), n.as_str()),
            _ => return self.invalid("invalid function name"),
        };
        let mut arguments = Vec::new();
        for p in &s.parameters {
            let Some(NodeEnum::FunctionParameter(fp)) = p.node.as_ref() else { continue };
            let mode = match protobuf::FunctionParameterMode::try_from(fp.mode) {
                Ok(protobuf::FunctionParameterMode::FuncParamOut) => "out",
                Ok(protobuf::FunctionParameterMode::FuncParamInout) => "inout",
                Ok(protobuf::FunctionParameterMode::FuncParamVariadic) => "variadic",
                Ok(protobuf::FunctionParameterMode::FuncParamTable) => "table",
                _ => "in",
            };
            arguments.push(Argument {
                mode: mode.into(),
                name: (!fp.name.is_empty()).then(|| fp.name.clone()),
                data_type: self.type_ref(fp.arg_type.as_ref())?,
                default: self.expr(fp.defexpr.as_deref())?,
            });
        }
        let mut returns_set = false;
        let mut returns = match s.return_type.as_ref() {
            Some(tn) => {
                returns_set = tn.setof;
                Some(self.type_ref(Some(tn))?)
            }
            None => None,
        };
        if !s.is_procedure && returns.is_none() {
            let outs: Vec<&Argument> =
                arguments.iter().filter(|a| matches!(a.mode.as_str(), "out" | "inout")).collect();
            returns = match outs.as_slice() {
                [one] => Some(one.data_type.clone()),
                [] => None,
                _ => Some(crate::schema::TypeRef::builtin("record")),
            };
        }
        let mut f = Function {
            name: name.clone(),
            procedure: s.is_procedure,
            arguments,
            returns,
            returns_set,
            language: "sql".into(),
            body: Expr::default(),
            sql_body: s.sql_body.is_some(),
            volatility: "volatile".into(),
            strict: false,
            security_definer: false,
            leakproof: false,
            parallel: "unsafe".into(),
            cost: None,
            rows: None,
            config: BTreeMap::new(),
            window: false,
            comment: None,
            grants: BTreeSet::new(),
        };
        let mut body_text = None;
        for o in &s.options {
            let Some(NodeEnum::DefElem(de)) = o.node.as_ref() else { continue };
            self.function_option(&mut f, de, &mut body_text)?;
        }
        let lang_default_cost = if matches!(f.language.as_str(), "c" | "internal") { "1" } else { "100" };
        if f.cost.as_deref() == Some(lang_default_cost) {
            f.cost = None;
        }
        if f.rows.as_deref() == Some("1000") || !f.returns_set {
            f.rows = None;
        }
        let key = (name.clone(), f.identity_args());
        if let Some(body) = s.sql_body.as_deref() {
            let mut stmt = s.clone();
            stmt.replace = true;
            let sql = deparse_stmt(NodeEnum::CreateFunctionStmt(Box::new(stmt))).or_else(|m| self.invalid(m))?;
            f.body = Expr { sql, key: String::new(), refs: Default::default() };
            let json = serde_json::to_value(body).or_else(|e| self.invalid(e.to_string()))?;
            self.defer_body(key.clone(), json);
        } else {
            let Some(text) = body_text else { return self.invalid(format!("function {name} has no body")) };
            f.body = Expr::verbatim(&text);
            if f.language == "sql" {
                f.body.refs = sql_body_refs(&text);
            }
        }
        if self.cat.functions.contains_key(&key) && !s.replace {
            return self.invalid(format!("function {name}({}) is created twice", key.1));
        }
        if self.options.include_grants {
            f.grants.insert(Grant {
                grantee: "PUBLIC".into(),
                privilege: "EXECUTE".into(),
                column: None,
                with_grant_option: false,
            });
            let mut extra = BTreeSet::new();
            self.default_grants_for(&name.schema, "FUNCTIONS", &mut extra);
            f.grants.extend(extra);
        }
        self.place(ObjectId::Function(key.0.clone(), key.1.clone()), 0);
        self.cat.functions.insert(key, f);
        Ok(())
    }

    fn function_option(
        &self,
        f: &mut Function,
        de: &protobuf::DefElem,
        body: &mut Option<String>,
    ) -> Result<(), SchemaError> {
        let value = defelem_value(de);
        match de.defname.as_str() {
            "as" => {
                let parts: Vec<String> = match de.arg.as_ref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::List(l)) => l.items.iter().filter_map(string_of).collect(),
                    Some(NodeEnum::String(s)) => vec![s.sval.clone()],
                    _ => Vec::new(),
                };
                *body = Some(match parts.as_slice() {
                    [one] => one.clone(),
                    [obj, link] => format!("{obj}\u{0}{link}"),
                    _ => return self.invalid("invalid AS clause"),
                });
            }
            "language" => f.language = value.unwrap_or_default().to_lowercase(),
            "volatility" => f.volatility = value.unwrap_or_default(),
            "strict" => f.strict = value.as_deref() == Some("1") || value.as_deref() == Some("true"),
            "security" => f.security_definer = value.as_deref() == Some("1") || value.as_deref() == Some("true"),
            "leakproof" => f.leakproof = value.as_deref() == Some("1") || value.as_deref() == Some("true"),
            "parallel" => f.parallel = value.unwrap_or_default(),
            "cost" => f.cost = value.map(|v| trim_number(&v)),
            "rows" => f.rows = value.map(|v| trim_number(&v)),
            "window" => f.window = true,
            "set" => {
                if let Some(NodeEnum::VariableSetStmt(vs)) = de.arg.as_ref().and_then(|a| a.node.as_ref()) {
                    if vs.kind == protobuf::VariableSetKind::VarSetValue as i32 {
                        f.config.insert(vs.name.clone(), config_value(&vs.name, &vs.args));
                    } else if vs.kind == protobuf::VariableSetKind::VarSetCurrent as i32 {
                        return self.unsupported("SET … FROM CURRENT on functions");
                    } else {
                        f.config.remove(&vs.name);
                    }
                }
            }
            "support" => return self.unsupported("SUPPORT functions"),
            "transform" => return self.unsupported("TRANSFORM FOR TYPE"),
            other => return self.unsupported(format!("function option {other}")),
        }
        Ok(())
    }

    pub(super) fn alter_function(&mut self, s: &protobuf::AlterFunctionStmt) -> Result<(), SchemaError> {
        let Some(func) = s.func.as_ref() else { return self.invalid("ALTER FUNCTION without a function") };
        let key = self.function_key(func)?;
        let Some(mut f) = self.cat.functions.get(&key).cloned() else {
            return self.invalid(format!("function {}({}) does not exist", key.0, key.1));
        };
        let mut body = None;
        for a in &s.actions {
            if let Some(NodeEnum::DefElem(de)) = a.node.as_ref() {
                self.function_option(&mut f, de, &mut body)?;
            }
        }
        self.cat.functions.insert(key, f);
        Ok(())
    }

    /// The model key of a function named with argument types (`f(integer, text)`).
    fn function_key(&self, func: &protobuf::ObjectWithArgs) -> Result<(QualifiedName, String), SchemaError> {
        let name = self.list_name(&func.objname, &|q| self.function_exists(q))?;
        if func.args_unspecified {
            let matches: Vec<&(QualifiedName, String)> =
                self.cat.functions.keys().filter(|(n, _)| *n == name).collect();
            return match matches.as_slice() {
                [one] => Ok((*one).clone()),
                [] => self.invalid(format!("function {name} does not exist")),
                _ => self.invalid(format!("function {name} is overloaded; give its argument types")),
            };
        }
        let mut types = Vec::new();
        for a in &func.objargs {
            if let Some(NodeEnum::TypeName(tn)) = a.node.as_ref() {
                types.push(self.type_ref(Some(tn))?.sql());
            }
        }
        Ok((name, types.join(", ")))
    }

    pub(super) fn create_trigger(&mut self, s: &protobuf::CreateTrigStmt) -> Result<(), SchemaError> {
        let Some(rv) = s.relation.as_ref() else { return self.invalid("CREATE TRIGGER without a table") };
        let table = self.relation_name(rv);
        let function = self.function_name(&s.funcname)?;
        const BEFORE: i32 = 1 << 1;
        const INSTEAD: i32 = 1 << 6;
        let timing = if s.timing & INSTEAD != 0 {
            "INSTEAD OF"
        } else if s.timing & BEFORE != 0 {
            "BEFORE"
        } else {
            "AFTER"
        };
        let mut events = Vec::new();
        for (bit, name) in [(1 << 2, "INSERT"), (1 << 4, "UPDATE"), (1 << 3, "DELETE"), (1 << 5, "TRUNCATE")] {
            if s.events & bit != 0 {
                events.push(name.to_string());
            }
        }
        let mut referencing = Vec::new();
        for t in &s.transition_rels {
            if let Some(NodeEnum::TriggerTransition(tt)) = t.node.as_ref() {
                referencing.push((if tt.is_new { "NEW" } else { "OLD" }.to_string(), tt.name.clone()));
            }
        }
        if s.constrrel.is_some() {
            return self.unsupported("constraint triggers FROM another table");
        }
        let trigger = Trigger {
            name: s.trigname.clone(),
            table: table.clone(),
            timing: timing.into(),
            events,
            update_columns: names(&s.columns),
            for_each_row: s.row,
            when: self.expr(s.when_clause.as_deref())?,
            function,
            arguments: s.args.iter().filter_map(string_of).collect(),
            constraint: s.isconstraint,
            deferrable: s.deferrable || s.initdeferred,
            initially_deferred: s.initdeferred,
            referencing,
            comment: None,
        };
        let replace = s.replace;
        let exists = self.cat.views.contains_key(&table);
        if exists {
            return self.unsupported("triggers on views");
        }
        let t = self.table_mut(&table)?;
        if t.triggers.contains_key(&trigger.name) && !replace {
            return self.invalid(format!("trigger {} on {table} is created twice", trigger.name));
        }
        let id = ObjectId::Trigger(table.clone(), trigger.name.clone());
        t.triggers.insert(trigger.name.clone(), trigger);
        self.place(id, 0);
        Ok(())
    }

    fn role_names(roles: &[Node]) -> Vec<String> {
        let mut out: Vec<String> = roles
            .iter()
            .filter_map(|r| match r.node.as_ref() {
                Some(NodeEnum::RoleSpec(rs)) => Some(role_name(rs)),
                _ => None,
            })
            .collect();
        if out.is_empty() {
            out.push("PUBLIC".into());
        }
        out.sort();
        out.dedup();
        out
    }

    pub(super) fn create_policy(&mut self, s: &protobuf::CreatePolicyStmt) -> Result<(), SchemaError> {
        let Some(rv) = s.table.as_ref() else { return self.invalid("CREATE POLICY without a table") };
        let table = self.relation_name(rv);
        let policy = Policy {
            name: s.policy_name.clone(),
            table: table.clone(),
            permissive: s.permissive,
            command: if s.cmd_name.is_empty() { "ALL".into() } else { s.cmd_name.to_uppercase() },
            roles: Self::role_names(&s.roles),
            using: self.expr(s.qual.as_deref())?,
            with_check: self.expr(s.with_check.as_deref())?,
            comment: None,
        };
        let name = policy.name.clone();
        let t = self.table_mut(&table)?;
        if t.policies.contains_key(&name) {
            return self.invalid(format!("policy {name} on {table} is created twice"));
        }
        t.policies.insert(name.clone(), policy);
        self.place(ObjectId::Policy(table.clone(), name.clone()), 0);
        self.defer_sublinks(&table, format!("policy:{name}:using"), s.qual.as_deref());
        self.defer_sublinks(&table, format!("policy:{name}:check"), s.with_check.as_deref());
        Ok(())
    }

    pub(super) fn alter_policy(&mut self, s: &protobuf::AlterPolicyStmt) -> Result<(), SchemaError> {
        let Some(rv) = s.table.as_ref() else { return self.invalid("ALTER POLICY without a table") };
        let table = self.relation_name(rv);
        let using = self.expr(s.qual.as_deref())?;
        let check = self.expr(s.with_check.as_deref())?;
        let roles = (!s.roles.is_empty()).then(|| Self::role_names(&s.roles));
        let t = self.table_mut(&table)?;
        let Some(p) = t.policies.get_mut(&s.policy_name) else {
            return self.invalid(format!("policy {} on {table} does not exist", s.policy_name));
        };
        if let Some(r) = roles {
            p.roles = r;
        }
        if using.is_some() {
            p.using = using;
        }
        if check.is_some() {
            p.with_check = check;
        }
        Ok(())
    }

    pub(super) fn comment(&mut self, s: &protobuf::CommentStmt) -> Result<(), SchemaError> {
        let comment = (!s.comment.is_empty()).then(|| s.comment.clone());
        let obj = s.object.as_deref().and_then(|o| o.node.as_ref());
        let list = |o: Option<&NodeEnum>| -> Vec<String> {
            match o {
                Some(NodeEnum::List(l)) => names(&l.items),
                Some(NodeEnum::String(s)) => vec![s.sval.clone()],
                Some(NodeEnum::TypeName(t)) => names(&t.names),
                _ => Vec::new(),
            }
        };
        let ot = Ot::try_from(s.objtype).unwrap_or(Ot::Undefined);
        let parts = list(obj);
        let rel = |b: &Builder, p: &[String]| -> QualifiedName {
            match p {
                [n] => b.relation_name(&range_var("", n)),
                [s, n] | [_, s, n] => QualifiedName::new(s.as_str(), n.as_str()),
                _ => QualifiedName::new("", ""),
            }
        };
        match ot {
            Ot::ObjectSchema => match self.cat.schemas.get_mut(parts.first().map_or("", String::as_str)) {
                Some(ns) => ns.comment = comment,
                None if parts.first().map(String::as_str) == Some("public") => {
                    self.note("skipped COMMENT ON SCHEMA public (public is not modelled)");
                }
                None => return self.invalid(format!("schema {} does not exist", parts.join("."))),
            },
            Ot::ObjectExtension => match self.cat.extensions.get_mut(parts.first().map_or("", String::as_str)) {
                Some(e) => e.comment = comment,
                None => return self.invalid(format!("extension {} does not exist", parts.join("."))),
            },
            Ot::ObjectTable | Ot::ObjectView | Ot::ObjectMatview | Ot::ObjectSequence | Ot::ObjectIndex => {
                let q = rel(self, &parts);
                let slot = match ot {
                    Ot::ObjectTable => self.cat.tables.get_mut(&q).map(|t| &mut t.comment),
                    Ot::ObjectView | Ot::ObjectMatview => self.cat.views.get_mut(&q).map(|v| &mut v.comment),
                    Ot::ObjectSequence => self.cat.sequences.get_mut(&q).map(|v| &mut v.comment),
                    _ => self.cat.indexes.get_mut(&q).map(|v| &mut v.comment),
                };
                match slot {
                    Some(c) => *c = comment,
                    None => return self.invalid(format!("{q} does not exist (COMMENT ON)")),
                }
            }
            Ot::ObjectColumn => {
                let (rel_parts, col) = match parts.split_last() {
                    Some((c, r)) => (r.to_vec(), c.clone()),
                    None => return self.invalid("COMMENT ON COLUMN without a column"),
                };
                let q = rel(self, &rel_parts);
                if let Some(t) = self.cat.tables.get_mut(&q) {
                    match t.column_mut(&col) {
                        Some(c) => c.comment = comment,
                        None => return self.invalid(format!("column {col} of {q} does not exist")),
                    }
                } else if let Some(v) = self.cat.views.get_mut(&q) {
                    match comment {
                        Some(c) => v.column_comments.insert(col, c),
                        None => v.column_comments.remove(&col),
                    };
                } else {
                    return self.invalid(format!("{q} does not exist (COMMENT ON COLUMN)"));
                }
            }
            Ot::ObjectTabconstraint | Ot::ObjectTrigger | Ot::ObjectPolicy => {
                let Some((name, rel_parts)) = parts.split_last() else { return self.invalid("COMMENT without a name") };
                let q = rel(self, rel_parts);
                let Some(t) = self.cat.tables.get_mut(&q) else {
                    return self.invalid(format!("table {q} does not exist"));
                };
                let slot = match ot {
                    Ot::ObjectTabconstraint => t.constraints.get_mut(name).map(|c| &mut c.comment),
                    Ot::ObjectTrigger => t.triggers.get_mut(name).map(|c| &mut c.comment),
                    _ => t.policies.get_mut(name).map(|c| &mut c.comment),
                };
                match slot {
                    Some(c) => *c = comment,
                    None => return self.invalid(format!("{name} on {q} does not exist (COMMENT ON)")),
                }
            }
            Ot::ObjectDomconstraint => {
                let (tn, name) = match obj {
                    Some(NodeEnum::List(l)) => {
                        match (l.items.first().and_then(|n| n.node.as_ref()), l.items.get(1).and_then(string_of)) {
                            (Some(NodeEnum::TypeName(t)), Some(n)) => (t.names.clone(), n),
                            _ => return self.invalid("invalid COMMENT ON CONSTRAINT … ON DOMAIN"),
                        }
                    }
                    _ => return self.invalid("invalid COMMENT ON CONSTRAINT … ON DOMAIN"),
                };
                let q = self.existing_type(&tn)?;
                match self.cat.types.get_mut(&q) {
                    Some(TypeDef::Domain(d)) => match d.checks.get_mut(&name) {
                        Some(c) => c.comment = comment,
                        None => return self.invalid(format!("domain {q} has no constraint {name}")),
                    },
                    _ => return self.invalid(format!("domain {q} does not exist")),
                }
            }
            Ot::ObjectType | Ot::ObjectDomain => {
                let tn = match obj {
                    Some(NodeEnum::TypeName(t)) => t.names.clone(),
                    _ => Vec::new(),
                };
                let q = self.existing_type(&tn)?;
                match self.cat.types.get_mut(&q) {
                    Some(t) => *t.comment_mut() = comment,
                    None => return self.invalid(format!("type {q} does not exist")),
                }
            }
            Ot::ObjectFunction | Ot::ObjectProcedure | Ot::ObjectRoutine => {
                let Some(NodeEnum::ObjectWithArgs(owa)) = obj else {
                    return self.invalid("invalid COMMENT ON FUNCTION");
                };
                let key = self.function_key(owa)?;
                match self.cat.functions.get_mut(&key) {
                    Some(f) => f.comment = comment,
                    None => return self.invalid(format!("function {}({}) does not exist", key.0, key.1)),
                }
            }
            Ot::ObjectDatabase | Ot::ObjectRole | Ot::ObjectTablespace => {
                self.note("skipped COMMENT on a server object")
            }
            other => return self.unsupported(format!("COMMENT ON {}", other.as_str_name())),
        }
        Ok(())
    }

    /// Adds the default privileges that apply to a new object.
    pub(crate) fn apply_default_privileges(&mut self, id: &ObjectId, object_type: &str) {
        if !self.options.include_grants {
            return;
        }
        let Some(schema) = id.schema() else { return };
        let mut grants = BTreeSet::new();
        self.default_grants_for(schema, object_type, &mut grants);
        if grants.is_empty() {
            return;
        }
        match id {
            ObjectId::Table(n) => {
                if let Some(t) = self.cat.tables.get_mut(n) {
                    t.grants.extend(grants);
                }
            }
            ObjectId::View(n) => {
                if let Some(v) = self.cat.views.get_mut(n) {
                    v.grants.extend(grants);
                }
            }
            ObjectId::Sequence(n) => {
                if let Some(s) = self.cat.sequences.get_mut(n) {
                    s.grants.extend(grants);
                }
            }
            _ => {}
        }
    }

    fn default_grants_for(&self, schema: &str, object_type: &str, out: &mut BTreeSet<Grant>) {
        for d in &self.cat.default_privileges {
            if d.role.is_none() && d.object_type == object_type && d.schema.as_deref().is_none_or(|s| s == schema) {
                out.insert(Grant {
                    grantee: d.grantee.clone(),
                    privilege: d.privilege.clone(),
                    column: None,
                    with_grant_option: d.with_grant_option,
                });
            }
        }
    }

    pub(super) fn grant(&mut self, s: &protobuf::GrantStmt) -> Result<(), SchemaError> {
        if !self.options.include_grants {
            return Ok(());
        }
        let ot = Ot::try_from(s.objtype).unwrap_or(Ot::Undefined);
        let kind = match ot {
            Ot::ObjectTable => "table",
            Ot::ObjectSequence => "sequence",
            Ot::ObjectFunction | Ot::ObjectProcedure | Ot::ObjectRoutine => "function",
            Ot::ObjectSchema => "schema",
            Ot::ObjectType | Ot::ObjectDomain => "type",
            Ot::ObjectDatabase
            | Ot::ObjectTablespace
            | Ot::ObjectForeignServer
            | Ot::ObjectFdw
            | Ot::ObjectLanguage
            | Ot::ObjectLargeobject
            | Ot::ObjectParameterAcl => {
                self.note("skipped GRANT on a server object");
                return Ok(());
            }
            other => return self.unsupported(format!("GRANT ON {}", other.as_str_name())),
        };
        if s.targtype == protobuf::GrantTargetType::AclTargetAllInSchema as i32 {
            return self.unsupported("GRANT … ON ALL … IN SCHEMA (list the objects)");
        }
        let grantees: Vec<String> = s
            .grantees
            .iter()
            .filter_map(|g| match g.node.as_ref() {
                Some(NodeEnum::RoleSpec(rs)) => Some(role_name(rs)),
                _ => None,
            })
            .collect();
        // (privilege, column) pairs.
        let mut privs: Vec<(String, Option<String>)> = Vec::new();
        if s.privileges.is_empty() {
            privs.extend(all_privileges(kind).iter().map(|p| (p.to_string(), None)));
        }
        for p in &s.privileges {
            let Some(NodeEnum::AccessPriv(ap)) = p.node.as_ref() else { continue };
            let cols = names(&ap.cols);
            let priv_names: Vec<String> = if ap.priv_name.is_empty() {
                all_privileges(if cols.is_empty() { kind } else { "column" }).iter().map(|p| p.to_string()).collect()
            } else {
                vec![ap.priv_name.to_uppercase()]
            };
            for pn in priv_names {
                if cols.is_empty() {
                    privs.push((pn, None));
                } else {
                    privs.extend(cols.iter().map(|c| (pn.clone(), Some(c.clone()))));
                }
            }
        }
        for o in &s.objects {
            let target: Option<&mut BTreeSet<Grant>> = match (kind, o.node.as_ref()) {
                ("table" | "sequence", Some(NodeEnum::RangeVar(rv))) => {
                    let q = self.relation_name(rv);
                    if let Some(t) = self.cat.tables.get_mut(&q) {
                        Some(&mut t.grants)
                    } else if let Some(v) = self.cat.views.get_mut(&q) {
                        Some(&mut v.grants)
                    } else {
                        self.cat.sequences.get_mut(&q).map(|x| &mut x.grants)
                    }
                }
                ("function", Some(NodeEnum::ObjectWithArgs(owa))) => {
                    let key = self.function_key(owa)?;
                    self.cat.functions.get_mut(&key).map(|f| &mut f.grants)
                }
                ("schema", Some(NodeEnum::String(sv))) => self.cat.schemas.get_mut(&sv.sval).map(|n| &mut n.grants),
                ("type", Some(NodeEnum::List(l))) => {
                    let q = self.existing_type(&l.items)?;
                    self.cat.types.get_mut(&q).map(TypeDef::grants_mut)
                }
                ("type", Some(NodeEnum::TypeName(tn))) => {
                    let q = self.existing_type(&tn.names)?;
                    self.cat.types.get_mut(&q).map(TypeDef::grants_mut)
                }
                _ => None,
            };
            let Some(grants) = target else {
                return Err(SchemaError::Invalid {
                    file: self.loc.file.clone(),
                    line: self.loc.line,
                    message: "GRANT/REVOKE on an object that does not exist (yet)".into(),
                });
            };
            for g in &grantees {
                for (p, col) in &privs {
                    let grant = Grant {
                        grantee: g.clone(),
                        privilege: p.clone(),
                        column: col.clone(),
                        with_grant_option: s.grant_option,
                    };
                    if s.is_grant {
                        grants.remove(&Grant { with_grant_option: !s.grant_option, ..grant.clone() });
                        grants.insert(grant);
                    } else if s.grant_option {
                        // REVOKE GRANT OPTION FOR: keep the privilege, drop the option.
                        if grants.remove(&Grant { with_grant_option: true, ..grant.clone() }) {
                            grants.insert(Grant { with_grant_option: false, ..grant });
                        }
                    } else {
                        grants.remove(&Grant { with_grant_option: false, ..grant.clone() });
                        grants.remove(&Grant { with_grant_option: true, ..grant });
                    }
                }
            }
        }
        Ok(())
    }

    pub(super) fn default_privileges(&mut self, s: &protobuf::AlterDefaultPrivilegesStmt) -> Result<(), SchemaError> {
        if !self.options.include_grants {
            return Ok(());
        }
        let Some(action) = s.action.as_ref() else { return Ok(()) };
        let mut schemas: Vec<Option<String>> = Vec::new();
        let mut roles: Vec<Option<String>> = Vec::new();
        for o in &s.options {
            let Some(NodeEnum::DefElem(de)) = o.node.as_ref() else { continue };
            let items = match de.arg.as_ref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::List(l)) => l.items.clone(),
                _ => Vec::new(),
            };
            match de.defname.as_str() {
                "schemas" => schemas.extend(items.iter().filter_map(string_of).map(Some)),
                "roles" => roles.extend(items.iter().filter_map(|r| match r.node.as_ref() {
                    Some(NodeEnum::RoleSpec(rs)) => Some(Some(role_name(rs))),
                    _ => None,
                })),
                _ => {}
            }
        }
        if schemas.is_empty() {
            schemas.push(None);
        }
        if roles.is_empty() {
            roles.push(None);
        }
        let object_type = match Ot::try_from(action.objtype) {
            Ok(Ot::ObjectTable) => "TABLES",
            Ok(Ot::ObjectSequence) => "SEQUENCES",
            Ok(Ot::ObjectFunction | Ot::ObjectRoutine | Ot::ObjectProcedure) => "FUNCTIONS",
            Ok(Ot::ObjectType) => "TYPES",
            Ok(Ot::ObjectSchema) => "SCHEMAS",
            _ => return self.unsupported("this ALTER DEFAULT PRIVILEGES"),
        };
        let mut privs: Vec<String> = Vec::new();
        for p in &action.privileges {
            if let Some(NodeEnum::AccessPriv(ap)) = p.node.as_ref() {
                privs.push(ap.priv_name.to_uppercase());
            }
        }
        if privs.is_empty() {
            privs.extend(all_privileges(object_type).iter().map(|p| p.to_string()));
        }
        let grantees: Vec<String> = action
            .grantees
            .iter()
            .filter_map(|g| match g.node.as_ref() {
                Some(NodeEnum::RoleSpec(rs)) => Some(role_name(rs)),
                _ => None,
            })
            .collect();
        for role in &roles {
            for schema in &schemas {
                for g in &grantees {
                    for p in &privs {
                        let d = DefaultPrivilege {
                            role: role.clone(),
                            schema: schema.clone(),
                            object_type: object_type.into(),
                            grantee: g.clone(),
                            privilege: p.clone(),
                            with_grant_option: action.grant_option,
                        };
                        if action.is_grant {
                            self.cat.default_privileges.insert(d);
                        } else {
                            self.cat
                                .default_privileges
                                .remove(&DefaultPrivilege { with_grant_option: false, ..d.clone() });
                            self.cat.default_privileges.remove(&DefaultPrivilege { with_grant_option: true, ..d });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    pub(super) fn drop(&mut self, s: &protobuf::DropStmt) -> Result<(), SchemaError> {
        let ot = Ot::try_from(s.remove_type).unwrap_or(Ot::Undefined);
        for o in &s.objects {
            let node = o.node.as_ref();
            let parts: Vec<String> = match node {
                Some(NodeEnum::List(l)) => names(&l.items),
                Some(NodeEnum::String(sv)) => vec![sv.sval.clone()],
                Some(NodeEnum::TypeName(tn)) => names(&tn.names),
                _ => Vec::new(),
            };
            let rel = |b: &Builder| match parts.as_slice() {
                [n] => b.relation_name(&range_var("", n)),
                [sch, n] | [_, sch, n] => QualifiedName::new(sch.as_str(), n.as_str()),
                _ => QualifiedName::new("", ""),
            };
            let removed = match ot {
                Ot::ObjectTable => {
                    let q = rel(self);
                    if let Some(t) = self.cat.tables.get(&q) {
                        for c in t.constraints.keys() {
                            let key = (q.schema.clone(), c.clone());
                            self.constraint_names.remove(&key);
                            self.index_names.remove(&key);
                        }
                    }
                    let r = self.cat.tables.remove(&q).is_some();
                    self.cat.indexes.retain(|_, i| i.table != q);
                    self.cat.sequences.retain(|_, sq| sq.owned_by.as_ref().is_none_or(|(t, _)| *t != q));
                    r
                }
                Ot::ObjectView | Ot::ObjectMatview => {
                    let q = rel(self);
                    self.cat.indexes.retain(|_, i| i.table != q);
                    self.cat.views.remove(&q).is_some()
                }
                Ot::ObjectIndex => {
                    let q = rel(self);
                    self.cat.indexes.remove(&q).is_some()
                }
                Ot::ObjectSequence => {
                    let q = rel(self);
                    self.cat.sequences.remove(&q).is_some()
                }
                Ot::ObjectSchema => parts.first().is_some_and(|n| self.cat.schemas.remove(n).is_some()),
                Ot::ObjectExtension => parts.first().is_some_and(|n| self.cat.extensions.remove(n).is_some()),
                Ot::ObjectType | Ot::ObjectDomain => {
                    let tn = match node {
                        Some(NodeEnum::TypeName(tn)) => tn.names.clone(),
                        _ => Vec::new(),
                    };
                    let q = self.existing_type(&tn)?;
                    self.cat.types.remove(&q).is_some()
                }
                Ot::ObjectFunction | Ot::ObjectProcedure | Ot::ObjectRoutine => {
                    let Some(NodeEnum::ObjectWithArgs(owa)) = node else {
                        return self.invalid("invalid DROP FUNCTION");
                    };
                    match self.function_key(owa) {
                        Ok(key) => self.cat.functions.remove(&key).is_some(),
                        Err(_) if s.missing_ok => false,
                        Err(e) => return Err(e),
                    }
                }
                Ot::ObjectTrigger | Ot::ObjectPolicy => {
                    let Some((name, rel_parts)) = parts.split_last() else {
                        return self.invalid("DROP without a name");
                    };
                    let q = match rel_parts {
                        [n] => self.relation_name(&range_var("", n)),
                        [sch, n] => QualifiedName::new(sch.as_str(), n.as_str()),
                        _ => QualifiedName::new("", ""),
                    };
                    match self.cat.tables.get_mut(&q) {
                        Some(t) if ot == Ot::ObjectTrigger => t.triggers.remove(name).is_some(),
                        Some(t) => t.policies.remove(name).is_some(),
                        None => false,
                    }
                }
                other => return self.unsupported(format!("DROP {}", other.as_str_name())),
            };
            if !removed && !s.missing_ok {
                return self.invalid(format!("DROP: {} does not exist", parts.join(".")));
            }
        }
        Ok(())
    }
}

pub(super) fn range_var(schema: &str, name: &str) -> protobuf::RangeVar {
    protobuf::RangeVar {
        schemaname: schema.to_string(),
        relname: name.to_string(),
        inh: true,
        relpersistence: "p".into(),
        ..Default::default()
    }
}

pub(super) fn role_name(rs: &protobuf::RoleSpec) -> String {
    match protobuf::RoleSpecType::try_from(rs.roletype) {
        Ok(protobuf::RoleSpecType::RolespecPublic) => "PUBLIC".into(),
        Ok(protobuf::RoleSpecType::RolespecCurrentUser | protobuf::RoleSpecType::RolespecCurrentRole) => {
            "CURRENT_USER".into()
        }
        Ok(protobuf::RoleSpecType::RolespecSessionUser) => "SESSION_USER".into(),
        _ => rs.rolename.clone(),
    }
}

/// `SET name = value` of a function, as `proconfig` stores it (`search_path=a, b`).
fn config_value(name: &str, args: &[Node]) -> String {
    use pg_query::protobuf::a_const::Val;
    let values: Vec<String> = args
        .iter()
        .filter_map(|a| match a.node.as_ref() {
            Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
                Some(Val::Sval(s)) => Some(s.sval.clone()),
                Some(Val::Ival(i)) => Some(i.ival.to_string()),
                Some(Val::Fval(f)) => Some(f.fval.clone()),
                Some(Val::Boolval(b)) => Some(if b.boolval { "on" } else { "off" }.into()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let quote = |v: &str| {
        let plain =
            !v.is_empty() && v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
        if name == "search_path" && !plain { crate::sql::quote_ident(v) } else { v.to_string() }
    };
    values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")
}

fn trim_number(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Ok(f) => format!("{f}"),
        Err(_) => v.to_string(),
    }
}

/// The relations a SQL-language body mentions (so functions are created after them); a body that
/// does not parse contributes nothing here (PostgreSQL reports it when the function is created).
fn sql_body_refs(text: &str) -> crate::schema::Refs {
    match pg_query::parse(text, pg_query::ParserOptions::DEFAULT) {
        Ok(r) => match serde_json::to_value(&r.protobuf) {
            Ok(v) => crate::schema::normalize::collect_refs(&v),
            Err(_) => Default::default(),
        },
        Err(_) => Default::default(),
    }
}

/// `CREATE VIEW v (a, b) AS SELECT x, y`: the names become the targets' output names.
/// A view query with its column aliases applied: its deparsed text and its tree as JSON.
pub(super) fn view_query(query: &Node, aliases: &[String]) -> Result<(String, serde_json::Value), String> {
    let mut query = query.clone();
    if !aliases.is_empty() {
        apply_aliases(&mut query, aliases);
    }
    let sql = match query.node.clone() {
        Some(n) => deparse_stmt(n)?,
        None => return Err("empty view query".into()),
    };
    let json = serde_json::to_value(&query).map_err(|e| e.to_string())?;
    Ok((sql, json))
}

fn apply_aliases(query: &mut Node, aliases: &[String]) {
    let Some(NodeEnum::SelectStmt(sel)) = query.node.as_mut() else { return };
    let mut sel: &mut protobuf::SelectStmt = sel;
    while sel.op != protobuf::SetOperation::SetopNone as i32 {
        let Some(l) = sel.larg.as_deref_mut() else { return };
        sel = l;
    }
    for (t, a) in sel.target_list.iter_mut().zip(aliases) {
        if let Some(NodeEnum::ResTarget(rt)) = t.node.as_mut() {
            rt.name.clone_from(a);
        }
    }
}
