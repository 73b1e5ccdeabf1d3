//! CREATE TABLE / ALTER TABLE: columns, constraints (named as PostgreSQL names them),
//! partitioning, inheritance, row-level security, storage parameters, and the
//! `-- confiture: renamed-from` annotations.

use pg_query::NodeEnum;
use pg_query::protobuf::{self, AlterTableType as At, ColumnDef, ConstrType, Node};

use super::{Builder, defelem_value, options_map};
use crate::schema::naming::{choose_name, name_addition};
use crate::schema::sequence::SequenceSpec;
use crate::schema::type_ref::{names, serial_base};
use crate::schema::{
    Column, Constraint, ConstraintKind, ExclusionElement, Expr, Identity, IndexElement, ObjectId, PartitionElement,
    PartitionKey, PartitionOf, QualifiedName, SchemaError, Sequence, SequenceOptions, Table, TypeRef,
};
use crate::sql::quote_literal;

/// The annotation that turns a drop + add into a rename.
pub const RENAMED_FROM: &str = "confiture: renamed-from";

/// The old name in a `-- confiture: renamed-from old` comment (quoted names keep their case).
pub fn annotation(comment: &str) -> Option<String> {
    let body = comment.trim().strip_prefix("--")?.trim_start();
    let rest = body.strip_prefix(RENAMED_FROM)?.trim();
    let name = if let Some(quoted) = rest.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = quoted.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    out.push('"');
                    chars.next();
                } else {
                    break;
                }
            } else {
                out.push(c);
            }
        }
        out
    } else {
        rest.split_whitespace().next()?.to_lowercase()
    };
    (!name.is_empty()).then_some(name)
}

/// A constraint read from DDL, before it is named.
struct Draft {
    name: String,
    kind: ConstraintKind,
    deferrable: bool,
    initially_deferred: bool,
    validated: bool,
    /// For naming: the column of a column constraint.
    column: Option<String>,
    /// For naming CHECKs: the columns the expression mentions.
    check_columns: Vec<String>,
    /// The parsed expression of a CHECK (for sub-query resolution).
    check_node: Option<Node>,
    fk_without_columns: bool,
    /// Byte offset in the statement (pg_query's location).
    location: i32,
}

impl Builder {
    pub(super) fn create_table(&mut self, s: &protobuf::CreateStmt, text: &str, gap: &str) -> Result<(), SchemaError> {
        let Some(rv) = s.relation.as_ref() else { return self.invalid("CREATE TABLE without a name") };
        match rv.relpersistence.as_str() {
            "t" => return self.unsupported("temporary tables"),
            "p" | "u" | "" => {}
            other => return self.unsupported(format!("table persistence {other}")),
        }
        if s.of_typename.is_some() {
            return self.unsupported("typed tables (CREATE TABLE … OF type)");
        }
        if !s.access_method.is_empty() && s.access_method != "heap" {
            return self.unsupported(format!("table access method {}", s.access_method));
        }
        let name = self.new_name(&rv.schemaname, &rv.relname);
        if self.cat.tables.contains_key(&name) {
            if s.if_not_exists {
                return Ok(());
            }
            return self.invalid(format!("table {name} is created twice"));
        }
        if !s.tablespacename.is_empty() {
            self.note(format!("ignored TABLESPACE {} of {name} (storage is not modelled)", s.tablespacename));
        }
        self.place(ObjectId::Table(name.clone()), rv.location);
        let mut table = Table::new(name.clone());
        table.unlogged = rv.relpersistence == "u";
        table.options = options_map(&s.options);
        table.renamed_from = gap.lines().rev().find_map(annotation);
        let column_notes = if text.contains(RENAMED_FROM) { column_annotations(text) } else { Vec::new() };

        let mut drafts = Vec::new();
        for elt in &s.table_elts {
            match elt.node.as_ref() {
                Some(NodeEnum::ColumnDef(cd)) => {
                    if s.partbound.is_some() {
                        return self.unsupported("column options on partitions");
                    }
                    let mut col = self.column(&name, cd, &mut drafts)?;
                    col.renamed_from = column_notes
                        .iter()
                        .rfind(|(pos, _)| (*pos as i32) < cd.location)
                        .filter(|(pos, _)| {
                            // The annotation belongs to the first column after it.
                            !s.table_elts.iter().any(|e| match e.node.as_ref() {
                                Some(NodeEnum::ColumnDef(o)) => o.location > *pos as i32 && o.location < cd.location,
                                Some(NodeEnum::Constraint(o)) => o.location > *pos as i32 && o.location < cd.location,
                                _ => false,
                            })
                        })
                        .map(|(_, n)| n.clone());
                    if table.column(&col.name).is_some() {
                        return self.invalid(format!("column {} of {name} is declared twice", col.name));
                    }
                    table.columns.push(col);
                }
                Some(NodeEnum::Constraint(c)) => drafts.push(self.draft(&name, c, None)?),
                Some(NodeEnum::TableLikeClause(_)) => return self.unsupported("CREATE TABLE … (LIKE …)"),
                _ => return self.unsupported("this CREATE TABLE element"),
            }
        }
        for c in &s.constraints {
            if let Some(NodeEnum::Constraint(c)) = c.node.as_ref() {
                drafts.push(self.draft(&name, c, None)?);
            }
        }
        for rv in s.inh_relations.iter().filter_map(|n| match n.node.as_ref() {
            Some(NodeEnum::RangeVar(rv)) => Some(rv),
            _ => None,
        }) {
            let parent = self.relation_name(rv);
            if s.partbound.is_some() {
                let bound = self.partition_bound(s.partbound.as_ref())?;
                table.partition_of = Some(PartitionOf { parent, bound });
            } else {
                table.inherits.push(parent);
            }
        }
        if let Some(spec) = &s.partspec {
            table.partition_key = Some(self.partition_key(spec)?);
        }
        self.cat.tables.insert(name.clone(), table);
        self.add_constraints(&name, drafts)?;
        self.apply_default_privileges(&crate::schema::ObjectId::Table(name), "TABLES");
        Ok(())
    }

    /// One column definition; its constraints other than NULL/NOT NULL/DEFAULT/identity/generated
    /// go to `drafts`.
    fn column(
        &mut self,
        table: &QualifiedName,
        cd: &ColumnDef,
        drafts: &mut Vec<Draft>,
    ) -> Result<Column, SchemaError> {
        let tn = cd.type_name.as_ref();
        let serial = tn.and_then(|t| match names(&t.names).as_slice() {
            [n] if t.array_bounds.is_empty() => serial_base(n),
            _ => None,
        });
        let data_type = match serial {
            Some(base) => TypeRef::builtin(base),
            None => self.type_ref(tn)?,
        };
        self.place(ObjectId::Column(table.clone(), cd.colname.clone()), cd.location);
        let mut col = Column::new(&cd.colname, data_type);
        col.not_null = cd.is_not_null;
        if let Some(cc) = &cd.coll_clause {
            col.collation = collation_name(&cc.collname);
        }
        if cd.raw_default.is_some() {
            col.default = self.expr(cd.raw_default.as_deref())?;
        }
        for c in &cd.constraints {
            let Some(NodeEnum::Constraint(c)) = c.node.as_ref() else { continue };
            match ConstrType::try_from(c.contype) {
                Ok(ConstrType::ConstrNotnull) => col.not_null = true,
                Ok(ConstrType::ConstrNull) => col.not_null = false,
                Ok(ConstrType::ConstrDefault) => col.default = self.expr(c.raw_expr.as_deref())?,
                Ok(ConstrType::ConstrIdentity) => {
                    let spec = self.sequence_spec(&c.options)?;
                    col.identity = Some(Identity {
                        always: c.generated_when == "a",
                        options: SequenceOptions::resolve(&spec, &sequence_type(&col.data_type)),
                    });
                    col.not_null = true;
                }
                Ok(ConstrType::ConstrGenerated) => {
                    if c.generated_kind == "v" {
                        return self.unsupported("virtual generated columns");
                    }
                    col.generated = Some(self.expr_required(c.raw_expr.as_deref(), "generation expression")?);
                }
                Ok(ConstrType::ConstrAttrDeferrable) => set_last(drafts, |d| d.deferrable = true),
                Ok(ConstrType::ConstrAttrNotDeferrable) => set_last(drafts, |d| d.deferrable = false),
                Ok(ConstrType::ConstrAttrDeferred) => set_last(drafts, |d| d.initially_deferred = true),
                Ok(ConstrType::ConstrAttrImmediate) => set_last(drafts, |d| d.initially_deferred = false),
                _ => {
                    let d = self.draft(table, c, Some(&cd.colname))?;
                    if matches!(d.kind, ConstraintKind::PrimaryKey { .. }) {
                        col.not_null = true;
                    }
                    drafts.push(d);
                }
            }
        }
        if let Some(base) = serial {
            let taken = |n: &str| self.relation_taken(&table.schema, n);
            let seq_name =
                QualifiedName::new(table.schema.clone(), choose_name(&table.name, Some(&cd.colname), "seq", &taken));
            let data_type = match base {
                "int2" => "smallint",
                "int4" => "integer",
                _ => "bigint",
            };
            let seq = Sequence {
                name: seq_name.clone(),
                options: SequenceOptions::resolve(&SequenceSpec::default(), data_type),
                owned_by: Some((table.clone(), cd.colname.clone())),
                comment: None,
                grants: Default::default(),
            };
            self.cat.sequences.insert(seq_name.clone(), seq);
            self.apply_default_privileges(&crate::schema::ObjectId::Sequence(seq_name.clone()), "SEQUENCES");
            col.default = Some(
                Expr::from_sql(&format!("nextval({}::regclass)", quote_literal(&regclass_text(&seq_name))))
                    .or_else(|m| self.invalid(m))?,
            );
            col.not_null = true;
        }
        Ok(col)
    }

    /// Whether a relation-like name (table, view, index, sequence, composite type) is used.
    pub(crate) fn relation_taken(&self, schema: &str, name: &str) -> bool {
        let q = QualifiedName::new(schema, name);
        self.cat.tables.contains_key(&q)
            || self.cat.views.contains_key(&q)
            || self.cat.indexes.contains_key(&q)
            || self.cat.sequences.contains_key(&q)
            || self.cat.types.contains_key(&q)
            || self.index_names.contains(&(schema.to_string(), name.to_string()))
    }

    /// Whether a constraint name is used in a schema.
    fn constraint_taken(&self, schema: &str, name: &str) -> bool {
        self.constraint_names.contains(&(schema.to_string(), name.to_string()))
            || self.cat.types.values().any(|t| match t {
                crate::schema::TypeDef::Domain(d) => d.name.schema == schema && d.checks.contains_key(name),
                _ => false,
            })
    }

    fn draft(
        &mut self,
        _table: &QualifiedName,
        c: &protobuf::Constraint,
        column: Option<&str>,
    ) -> Result<Draft, SchemaError> {
        let cols = |list: &[Node]| -> Vec<String> {
            let n = names(list);
            if n.is_empty() { column.map(|c| vec![c.to_string()]).unwrap_or_default() } else { n }
        };
        let mut check_columns = Vec::new();
        let mut check_node = None;
        let mut fk_without_columns = false;
        let kind = match ConstrType::try_from(c.contype) {
            Ok(ConstrType::ConstrPrimary) => {
                if !c.indexname.is_empty() {
                    return self.unsupported("PRIMARY KEY USING INDEX in schema files");
                }
                ConstraintKind::PrimaryKey { columns: cols(&c.keys), include: names(&c.including) }
            }
            Ok(ConstrType::ConstrUnique) => {
                if !c.indexname.is_empty() {
                    return self.unsupported("UNIQUE USING INDEX in schema files");
                }
                ConstraintKind::Unique {
                    columns: cols(&c.keys),
                    include: names(&c.including),
                    nulls_not_distinct: c.nulls_not_distinct,
                }
            }
            Ok(ConstrType::ConstrCheck) => {
                let expr = self.expr_required(c.raw_expr.as_deref(), "CHECK expression")?;
                if let Some(n) = c.raw_expr.as_deref() {
                    check_columns = referenced_columns(n);
                    check_node = Some(n.clone());
                }
                ConstraintKind::Check { expr, no_inherit: c.is_no_inherit }
            }
            Ok(ConstrType::ConstrForeign) => {
                let Some(pk) = c.pktable.as_ref() else { return self.invalid("FOREIGN KEY without a table") };
                let references = self.relation_name(pk);
                let referenced_columns = names(&c.pk_attrs);
                fk_without_columns = referenced_columns.is_empty();
                let action = |a: &str| {
                    match a {
                        "r" => "RESTRICT",
                        "c" => "CASCADE",
                        "n" => "SET NULL",
                        "d" => "SET DEFAULT",
                        _ => "NO ACTION",
                    }
                    .to_string()
                };
                if !c.fk_del_set_cols.is_empty() {
                    return self.unsupported("ON DELETE SET NULL/DEFAULT with a column list");
                }
                if c.fk_matchtype == "p" {
                    return self.unsupported("MATCH PARTIAL");
                }
                ConstraintKind::ForeignKey {
                    columns: cols(&c.fk_attrs),
                    references,
                    referenced_columns,
                    on_update: action(&c.fk_upd_action),
                    on_delete: action(&c.fk_del_action),
                    match_full: c.fk_matchtype == "f",
                }
            }
            Ok(ConstrType::ConstrExclusion) => {
                let mut elements = Vec::new();
                for pair in &c.exclusions {
                    let Some(NodeEnum::List(l)) = pair.node.as_ref() else { continue };
                    let (Some(elem), Some(op)) = (l.items.first(), l.items.get(1)) else { continue };
                    let Some(NodeEnum::IndexElem(ie)) = elem.node.as_ref() else { continue };
                    let op = match op.node.as_ref() {
                        Some(NodeEnum::List(ol)) => strip_catalog(&names(&ol.items)).join("."),
                        _ => String::new(),
                    };
                    elements.push(ExclusionElement { element: self.index_element(ie)?, operator: op });
                }
                ConstraintKind::Exclude {
                    method: if c.access_method.is_empty() { "btree".into() } else { c.access_method.clone() },
                    elements,
                    include: names(&c.including),
                    predicate: self.expr(c.where_clause.as_deref())?,
                }
            }
            _ => return self.unsupported(format!("constraint type {}", c.contype)),
        };
        Ok(Draft {
            name: c.conname.clone(),
            kind,
            deferrable: c.deferrable,
            initially_deferred: c.initdeferred,
            validated: !c.skip_validation,
            column: column.map(str::to_string),
            check_columns,
            check_node,
            fk_without_columns,
            location: c.location,
        })
    }

    /// Names and adds constraints, in PostgreSQL's order: index-backed ones, CHECKs, foreign keys.
    fn add_constraints(&mut self, table: &QualifiedName, drafts: Vec<Draft>) -> Result<(), SchemaError> {
        let rank = |d: &Draft| match d.kind {
            ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } | ConstraintKind::Exclude { .. } => 0,
            ConstraintKind::Check { .. } => 1,
            ConstraintKind::ForeignKey { .. } => 2,
        };
        let mut drafts = drafts;
        drafts.sort_by_key(rank);
        // Explicit names are reserved before any automatic name is chosen.
        let explicit: Vec<String> = drafts.iter().filter(|d| !d.name.is_empty()).map(|d| d.name.clone()).collect();
        for d in drafts {
            let name = if d.name.is_empty() { self.auto_name(table, &d, &explicit) } else { d.name.clone() };
            let Some(t) = self.cat.tables.get_mut(table) else {
                return self.invalid(format!("table {table} does not exist"));
            };
            if t.constraints.contains_key(&name) {
                return self.invalid(format!("constraint {name} on {table} exists already"));
            }
            if let ConstraintKind::PrimaryKey { columns, .. } = &d.kind {
                for c in columns {
                    if let Some(col) = t.column_mut(c) {
                        col.not_null = true;
                    }
                }
            }
            let key = (table.schema.clone(), name.clone());
            if matches!(
                d.kind,
                ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } | ConstraintKind::Exclude { .. }
            ) {
                self.index_names.insert(key.clone());
            }
            self.constraint_names.insert(key);
            self.place(ObjectId::Constraint(table.clone(), name.clone()), d.location);
            let Some(t) = self.cat.tables.get_mut(table) else {
                return self.invalid(format!("table {table} does not exist"));
            };
            t.constraints.insert(
                name.clone(),
                Constraint {
                    name: name.clone(),
                    kind: d.kind,
                    deferrable: d.deferrable || d.initially_deferred,
                    initially_deferred: d.initially_deferred,
                    validated: d.validated,
                    comment: None,
                },
            );
            if d.fk_without_columns {
                self.defer_fk_target(table.clone(), name.clone());
            }
            self.defer_sublinks(table, format!("check:{name}"), d.check_node.as_ref());
        }
        Ok(())
    }

    fn auto_name(&self, table: &QualifiedName, d: &Draft, explicit: &[String]) -> String {
        let schema = table.schema.as_str();
        match &d.kind {
            ConstraintKind::PrimaryKey { .. } => choose_name(&table.name, None, "pkey", &|n| {
                self.relation_taken(schema, n) || explicit.iter().any(|e| e == n)
            }),
            ConstraintKind::Unique { columns, .. } => {
                choose_name(&table.name, Some(&name_addition(columns)), "key", &|n| {
                    self.relation_taken(schema, n) || explicit.iter().any(|e| e == n)
                })
            }
            ConstraintKind::Exclude { elements, .. } => {
                let cols: Vec<String> = elements
                    .iter()
                    .map(|e| e.element.column.clone().unwrap_or_else(|| index_expr_name(e.element.expr.as_ref())))
                    .collect();
                choose_name(&table.name, Some(&name_addition(&cols)), "excl", &|n| {
                    self.relation_taken(schema, n) || explicit.iter().any(|e| e == n)
                })
            }
            ConstraintKind::Check { .. } => {
                let column = match d.check_columns.as_slice() {
                    [one] => Some(one.as_str()),
                    _ => None,
                };
                choose_name(&table.name, column, "check", &|n| {
                    self.constraint_taken(schema, n) || explicit.iter().any(|e| e == n)
                })
            }
            ConstraintKind::ForeignKey { columns, .. } => {
                let _ = &d.column;
                choose_name(&table.name, Some(&name_addition(columns)), "fkey", &|n| {
                    self.constraint_taken(schema, n) || explicit.iter().any(|e| e == n)
                })
            }
        }
    }

    pub(super) fn index_element(&self, ie: &protobuf::IndexElem) -> Result<IndexElement, SchemaError> {
        let descending = ie.ordering == protobuf::SortByDir::SortbyDesc as i32;
        let nulls_first = match protobuf::SortByNulls::try_from(ie.nulls_ordering) {
            Ok(protobuf::SortByNulls::SortbyNullsFirst) => true,
            Ok(protobuf::SortByNulls::SortbyNullsLast) => false,
            _ => descending,
        };
        if !ie.opclassopts.is_empty() {
            return self.unsupported("operator class parameters");
        }
        Ok(IndexElement {
            column: (!ie.name.is_empty()).then(|| ie.name.clone()),
            expr: self.expr(ie.expr.as_deref())?,
            collation: collation_name(&ie.collation),
            opclass: (!ie.opclass.is_empty()).then(|| strip_catalog(&names(&ie.opclass)).join(".")),
            descending,
            nulls_first,
        })
    }

    fn partition_key(&self, spec: &protobuf::PartitionSpec) -> Result<PartitionKey, SchemaError> {
        let strategy = match protobuf::PartitionStrategy::try_from(spec.strategy) {
            Ok(protobuf::PartitionStrategy::List) => "list",
            Ok(protobuf::PartitionStrategy::Range) => "range",
            Ok(protobuf::PartitionStrategy::Hash) => "hash",
            _ => return self.invalid("unknown partitioning strategy"),
        };
        let mut elements = Vec::new();
        for p in &spec.part_params {
            let Some(NodeEnum::PartitionElem(pe)) = p.node.as_ref() else { continue };
            elements.push(PartitionElement {
                column: (!pe.name.is_empty()).then(|| pe.name.clone()),
                expr: self.expr(pe.expr.as_deref())?,
                collation: collation_name(&pe.collation),
                opclass: (!pe.opclass.is_empty()).then(|| strip_catalog(&names(&pe.opclass)).join(".")),
            });
        }
        Ok(PartitionKey { strategy: strategy.into(), elements })
    }

    /// `FOR VALUES …` / `DEFAULT`, as one expression-like value.
    pub(super) fn partition_bound(&self, bound: Option<&protobuf::PartitionBoundSpec>) -> Result<Expr, SchemaError> {
        let Some(b) = bound else { return self.invalid("partition without bounds") };
        let datums = |list: &[Node]| -> Result<(Vec<String>, Vec<String>), SchemaError> {
            let mut sql = Vec::new();
            let mut keys = Vec::new();
            for d in list {
                let e = Expr::from_node(d).or_else(|m| self.invalid(m))?;
                sql.push(e.sql);
                keys.push(e.key);
            }
            Ok((sql, keys))
        };
        let (sql, key) = if b.is_default {
            ("DEFAULT".to_string(), "DEFAULT".to_string())
        } else {
            match b.strategy.as_str() {
                "l" => {
                    let (s, k) = datums(&b.listdatums)?;
                    (format!("FOR VALUES IN ({})", s.join(", ")), format!("IN({})", k.join(",")))
                }
                "r" => {
                    let (ls, lk) = datums(&b.lowerdatums)?;
                    let (us, uk) = datums(&b.upperdatums)?;
                    (
                        format!("FOR VALUES FROM ({}) TO ({})", ls.join(", "), us.join(", ")),
                        format!("FROM({})TO({})", lk.join(","), uk.join(",")),
                    )
                }
                "h" => (
                    format!("FOR VALUES WITH (MODULUS {}, REMAINDER {})", b.modulus, b.remainder),
                    format!("WITH({},{})", b.modulus, b.remainder),
                ),
                other => return self.invalid(format!("unknown partition bound kind {other}")),
            }
        };
        Ok(Expr { sql, key: key.to_lowercase(), refs: Default::default() })
    }

    pub(super) fn alter_table(&mut self, s: &protobuf::AlterTableStmt) -> Result<(), SchemaError> {
        let Some(rv) = s.relation.as_ref() else { return self.invalid("ALTER without a name") };
        let name = self.relation_name(rv);
        match protobuf::ObjectType::try_from(s.objtype) {
            Ok(protobuf::ObjectType::ObjectTable) => {}
            Ok(protobuf::ObjectType::ObjectIndex) => return self.alter_index(&name, &s.cmds),
            Ok(protobuf::ObjectType::ObjectSequence) => return self.alter_sequence_as_table(&name, &s.cmds),
            Ok(protobuf::ObjectType::ObjectView | protobuf::ObjectType::ObjectMatview) => {
                return self.alter_view(&name, &s.cmds);
            }
            Ok(protobuf::ObjectType::ObjectType) => return self.alter_composite(&s.cmds, rv),
            _ => return self.unsupported("ALTER of this kind of relation"),
        }
        if !self.cat.tables.contains_key(&name) {
            if s.missing_ok {
                return Ok(());
            }
            return self.invalid(format!("ALTER TABLE: table {name} does not exist (yet)"));
        }
        for cmd in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(c)) = cmd.node.as_ref() else { continue };
            self.alter_table_cmd(&name, c)?;
        }
        Ok(())
    }

    fn alter_table_cmd(&mut self, name: &QualifiedName, c: &protobuf::AlterTableCmd) -> Result<(), SchemaError> {
        let def = c.def.as_deref().and_then(|d| d.node.as_ref());
        let subtype = At::try_from(c.subtype).unwrap_or(At::Undefined);
        match subtype {
            At::AtAddColumn => {
                let Some(NodeEnum::ColumnDef(cd)) = def else { return self.invalid("ADD COLUMN without a column") };
                let mut drafts = Vec::new();
                let col = self.column(name, cd, &mut drafts)?;
                let t = self.table_mut(name)?;
                if t.column(&col.name).is_some() {
                    if c.missing_ok {
                        return Ok(());
                    }
                    return self.invalid(format!("column {} of {name} exists already", col.name));
                }
                t.columns.push(col);
                self.add_constraints(name, drafts)
            }
            At::AtColumnDefault => {
                let default = self.expr(c.def.as_deref())?;
                self.column_mut(name, &c.name)?.default = default;
                Ok(())
            }
            At::AtDropNotNull => {
                self.column_mut(name, &c.name)?.not_null = false;
                Ok(())
            }
            At::AtSetNotNull => {
                self.column_mut(name, &c.name)?.not_null = true;
                Ok(())
            }
            At::AtAlterColumnType => {
                let Some(NodeEnum::ColumnDef(cd)) = def else { return self.invalid("ALTER TYPE without a type") };
                let t = self.type_ref(cd.type_name.as_ref())?;
                let collation = cd.coll_clause.as_ref().and_then(|cc| collation_name(&cc.collname));
                let col = self.column_mut(name, &c.name)?;
                col.data_type = t;
                col.collation = collation;
                Ok(())
            }
            At::AtDropColumn => {
                let t = self.table_mut(name)?;
                let before = t.columns.len();
                t.columns.retain(|col| col.name != c.name);
                if before == t.columns.len() && !c.missing_ok {
                    return self.invalid(format!("column {} of {name} does not exist", c.name));
                }
                let column = c.name.clone();
                t.constraints.retain(|_, k| !constraint_uses(k, &column));
                let dropped: Vec<QualifiedName> = self
                    .cat
                    .indexes
                    .iter()
                    .filter(|(_, i)| {
                        &i.table == name && i.elements.iter().any(|e| e.column.as_deref() == Some(&column))
                    })
                    .map(|(n, _)| n.clone())
                    .collect();
                for n in dropped {
                    self.cat.indexes.remove(&n);
                }
                self.cat.sequences.retain(|_, s| s.owned_by.as_ref() != Some(&(name.clone(), column.clone())));
                Ok(())
            }
            At::AtAddConstraint => {
                let Some(NodeEnum::Constraint(k)) = def else {
                    return self.invalid("ADD CONSTRAINT without a constraint");
                };
                let d = self.draft(name, k, None)?;
                self.add_constraints(name, vec![d])
            }
            At::AtValidateConstraint => {
                let t = self.table_mut(name)?;
                match t.constraints.get_mut(&c.name) {
                    Some(k) => {
                        k.validated = true;
                        Ok(())
                    }
                    None => self.invalid(format!("constraint {} on {name} does not exist", c.name)),
                }
            }
            At::AtDropConstraint => {
                let key = (name.schema.clone(), c.name.clone());
                self.constraint_names.remove(&key);
                self.index_names.remove(&key);
                let t = self.table_mut(name)?;
                if t.constraints.remove(&c.name).is_none() && !c.missing_ok {
                    return self.invalid(format!("constraint {} on {name} does not exist", c.name));
                }
                Ok(())
            }
            At::AtAlterConstraint => self.unsupported("ALTER CONSTRAINT in schema files"),
            At::AtAddIdentity => {
                let Some(NodeEnum::Constraint(k)) = def else { return self.invalid("ADD IDENTITY without options") };
                let spec = self.sequence_spec(&k.options)?;
                let col = self.column_mut(name, &c.name)?;
                let options = SequenceOptions::resolve(&spec, &sequence_type(&col.data_type));
                col.identity = Some(Identity { always: k.generated_when == "a", options });
                col.not_null = true;
                Ok(())
            }
            At::AtSetIdentity => {
                let options: Vec<Node> = match def {
                    Some(NodeEnum::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                let mut always = None;
                let mut seq_opts = Vec::new();
                for o in &options {
                    if let Some(NodeEnum::DefElem(de)) = o.node.as_ref()
                        && de.defname == "generated"
                    {
                        always = Some(
                            defelem_value(de).as_deref() == Some("1") || defelem_value(de).as_deref() == Some("a"),
                        );
                    } else {
                        seq_opts.push(o.clone());
                    }
                }
                let spec = self.sequence_spec(&seq_opts)?;
                let col = self.column_mut(name, &c.name)?;
                let Some(identity) = col.identity.as_mut() else {
                    return self.invalid(format!("column {} is not an identity column", c.name));
                };
                if let Some(a) = always {
                    identity.always = a;
                }
                apply_spec(&mut identity.options, &spec);
                Ok(())
            }
            At::AtDropIdentity => {
                self.column_mut(name, &c.name)?.identity = None;
                Ok(())
            }
            At::AtSetExpression | At::AtDropExpression => {
                if subtype == At::AtDropExpression {
                    self.column_mut(name, &c.name)?.generated = None;
                    return Ok(());
                }
                let e = self.expr_required(c.def.as_deref(), "generation expression")?;
                self.column_mut(name, &c.name)?.generated = Some(e);
                Ok(())
            }
            At::AtSetRelOptions | At::AtReplaceRelOptions => {
                let opts = match def {
                    Some(NodeEnum::List(l)) => options_map(&l.items),
                    _ => Default::default(),
                };
                let t = self.table_mut(name)?;
                if subtype == At::AtReplaceRelOptions {
                    t.options.clear();
                }
                t.options.extend(opts);
                Ok(())
            }
            At::AtResetRelOptions => {
                let keys: Vec<String> = match def {
                    Some(NodeEnum::List(l)) => options_map(&l.items).into_keys().collect(),
                    _ => Vec::new(),
                };
                let t = self.table_mut(name)?;
                for k in keys {
                    t.options.remove(&k);
                }
                Ok(())
            }
            At::AtEnableRowSecurity => {
                self.table_mut(name)?.row_security = true;
                Ok(())
            }
            At::AtDisableRowSecurity => {
                self.table_mut(name)?.row_security = false;
                Ok(())
            }
            At::AtForceRowSecurity => {
                self.table_mut(name)?.force_row_security = true;
                Ok(())
            }
            At::AtNoForceRowSecurity => {
                self.table_mut(name)?.force_row_security = false;
                Ok(())
            }
            At::AtSetLogged => {
                self.table_mut(name)?.unlogged = false;
                Ok(())
            }
            At::AtSetUnLogged => {
                self.table_mut(name)?.unlogged = true;
                Ok(())
            }
            At::AtChangeOwner => {
                self.note(format!("skipped OWNER TO of {name} (ownership is not modelled)"));
                Ok(())
            }
            At::AtAttachPartition => {
                let Some(NodeEnum::PartitionCmd(pc)) = def else {
                    return self.invalid("ATTACH PARTITION without a table");
                };
                let Some(child_rv) = pc.name.as_ref() else { return self.invalid("ATTACH PARTITION without a table") };
                let child = self.relation_name(child_rv);
                let bound = self.partition_bound(pc.bound.as_ref())?;
                let parent = name.clone();
                // Attached, its columns become the parent's (PostgreSQL clears attislocal).
                let t = self.table_mut(&child)?;
                t.partition_of = Some(PartitionOf { parent, bound });
                t.columns.clear();
                Ok(())
            }
            At::AtDetachPartition => self.unsupported("DETACH PARTITION in schema files"),
            At::AtAddInherit => {
                let Some(NodeEnum::RangeVar(rv)) = def else { return self.invalid("INHERIT without a table") };
                let parent = self.relation_name(rv);
                self.table_mut(name)?.inherits.push(parent);
                Ok(())
            }
            At::AtDropInherit => {
                let Some(NodeEnum::RangeVar(rv)) = def else { return self.invalid("NO INHERIT without a table") };
                let parent = self.relation_name(rv);
                self.table_mut(name)?.inherits.retain(|p| *p != parent);
                Ok(())
            }
            At::AtSetStatistics
            | At::AtSetStorage
            | At::AtSetCompression
            | At::AtClusterOn
            | At::AtDropCluster
            | At::AtSetTableSpace
            | At::AtSetOptions
            | At::AtResetOptions => {
                self.note(format!("skipped a storage setting of {name} (not modelled)"));
                Ok(())
            }
            At::AtReplicaIdentity => self.unsupported("REPLICA IDENTITY"),
            At::AtEnableTrig
            | At::AtDisableTrig
            | At::AtEnableAlwaysTrig
            | At::AtEnableReplicaTrig
            | At::AtEnableTrigAll
            | At::AtDisableTrigAll
            | At::AtEnableTrigUser
            | At::AtDisableTrigUser => self.unsupported("ENABLE/DISABLE TRIGGER"),
            At::AtEnableRule | At::AtDisableRule | At::AtEnableAlwaysRule | At::AtEnableReplicaRule => {
                self.unsupported("rules")
            }
            At::AtAddOf | At::AtDropOf => self.unsupported("typed tables"),
            At::AtSetAccessMethod => self.unsupported("table access methods"),
            _ => self.unsupported(format!("ALTER TABLE subcommand {}", subtype.as_str_name())),
        }
    }

    pub(crate) fn table_mut(&mut self, name: &QualifiedName) -> Result<&mut Table, SchemaError> {
        if !self.cat.tables.contains_key(name) {
            return self.invalid(format!("table {name} does not exist (yet)"));
        }
        Ok(self.cat.tables.get_mut(name).expect("invariant: checked just above"))
    }

    fn column_mut(&mut self, table: &QualifiedName, column: &str) -> Result<&mut Column, SchemaError> {
        let exists = self.cat.tables.get(table).is_some_and(|t| t.column(column).is_some());
        if !exists {
            return self.invalid(format!("column {column} of {table} does not exist (yet)"));
        }
        Ok(self.table_mut(table)?.column_mut(column).expect("invariant: checked just above"))
    }

    /// Sequence options from DefElems (`START WITH 5`, `AS integer`, `NO MAXVALUE`, …).
    pub(super) fn sequence_spec(&self, options: &[Node]) -> Result<SequenceSpec, SchemaError> {
        let mut spec = SequenceSpec::default();
        for o in options {
            let Some(NodeEnum::DefElem(de)) = o.node.as_ref() else { continue };
            let num = || -> Result<Option<i64>, SchemaError> {
                match defelem_value(de) {
                    None => Ok(None),
                    Some(v) => {
                        v.parse::<i64>().map(Some).or_else(|_| self.invalid(format!("invalid {} {v}", de.defname)))
                    }
                }
            };
            match de.defname.as_str() {
                "as" => {
                    let t = match de.arg.as_ref().and_then(|a| a.node.as_ref()) {
                        Some(NodeEnum::TypeName(tn)) => self.type_ref(Some(tn))?,
                        _ => return self.invalid("invalid AS in sequence options"),
                    };
                    spec.data_type = Some(sequence_type(&t));
                }
                "start" => spec.start = num()?,
                "increment" => spec.increment = num()?,
                "minvalue" => spec.min_value = Some(num()?),
                "maxvalue" => spec.max_value = Some(num()?),
                "cache" => spec.cache = num()?,
                "cycle" => {
                    spec.cycle =
                        Some(defelem_value(de).as_deref() != Some("0") && defelem_value(de).as_deref() != Some("false"))
                }
                "restart" | "owned_by" | "sequence_name" | "logged" | "unlogged" => {}
                other => return self.unsupported(format!("sequence option {other}")),
            }
        }
        Ok(spec)
    }
}

/// Overrides the given parts of a spec on existing options (ALTER SEQUENCE, SET identity options).
pub(super) fn apply_spec(o: &mut SequenceOptions, spec: &SequenceSpec) {
    let data_type = spec.data_type.clone().unwrap_or_else(|| o.data_type.clone());
    let merged = SequenceSpec {
        data_type: Some(data_type),
        start: spec.start.or(Some(o.start)),
        increment: spec.increment.or(Some(o.increment)),
        min_value: spec.min_value.or(Some(Some(o.min_value))),
        max_value: spec.max_value.or(Some(Some(o.max_value))),
        cache: spec.cache.or(Some(o.cache)),
        cycle: spec.cycle.or(Some(o.cycle)),
    };
    *o = SequenceOptions::resolve(&merged, &o.data_type);
}

/// `smallint`/`integer`/`bigint` for a sequence or identity column of type `t`.
pub(super) fn sequence_type(t: &TypeRef) -> String {
    match t.name.as_str() {
        "int2" => "smallint",
        "int4" => "integer",
        _ => "bigint",
    }
    .into()
}

fn set_last(drafts: &mut [Draft], f: impl FnOnce(&mut Draft)) {
    if let Some(d) = drafts.last_mut() {
        f(d);
    }
}

fn constraint_uses(k: &Constraint, column: &str) -> bool {
    let has = |cols: &[String]| cols.iter().any(|c| c == column);
    match &k.kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => has(columns),
        ConstraintKind::ForeignKey { columns, .. } => has(columns),
        ConstraintKind::Check { .. } | ConstraintKind::Exclude { .. } => false,
    }
}

/// `COLLATE x`: the collation's name (`pg_catalog.` dropped; `default` means none).
pub(super) fn collation_name(list: &[Node]) -> Option<String> {
    let n = strip_catalog(&names(list));
    match n.as_slice() {
        [] => None,
        [one] if one == "default" => None,
        parts => Some(parts.join(".")),
    }
}

pub(super) fn strip_catalog(parts: &[String]) -> Vec<String> {
    match parts {
        [schema, rest @ ..] if schema == "pg_catalog" && !rest.is_empty() => rest.to_vec(),
        _ => parts.to_vec(),
    }
}

/// The distinct bare column names an expression mentions (for naming CHECKs).
fn referenced_columns(node: &Node) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(n) = node.node.as_ref() {
        for (r, ..) in n.nodes() {
            if let pg_query::NodeRef::ColumnRef(c) = r {
                let f = names(&c.fields);
                if let Some(last) = f.last()
                    && !out.contains(last)
                {
                    out.push(last.clone());
                }
            }
        }
    }
    out
}

/// The name PostgreSQL derives from an index expression (`FigureIndexColname`).
pub(super) fn index_expr_name(expr: Option<&Expr>) -> String {
    let Some(e) = expr else { return "expr".into() };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&e.key) else { return "expr".into() };
    match crate::schema::normalize::variant(&v) {
        Some(("FuncCall", _))
        | Some(("ColumnRef", _))
        | Some(("CoalesceExpr", _))
        | Some(("MinMaxExpr", _))
        | Some(("SqlvalueFunction", _)) => {
            let name = crate::schema::normalize::figure_colname(&v);
            if name == "?column?" { "expr".into() } else { name }
        }
        _ => "expr".into(),
    }
}

/// `'schema.name'` as `regclass` prints it (unqualified in `public`).
pub(crate) fn regclass_text(q: &QualifiedName) -> String {
    let ident = |s: &str| {
        let plain = s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if plain { s.to_string() } else { crate::sql::quote_ident(s) }
    };
    if q.schema == "public" { ident(&q.name) } else { format!("{}.{}", ident(&q.schema), ident(&q.name)) }
}

/// `(byte offset, old name)` of every renamed-from annotation in a statement.
fn column_annotations(text: &str) -> Vec<(usize, String)> {
    let Ok(scan) = pg_query::scan(text) else { return Vec::new() };
    scan.tokens
        .iter()
        .filter(|t| t.token == protobuf::Token::SqlComment as i32)
        .filter_map(|t| {
            let (start, end) = (usize::try_from(t.start).ok()?, usize::try_from(t.end).ok()?);
            annotation(text.get(start..end)?).map(|n| (start, n))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations() {
        assert_eq!(annotation("-- confiture: renamed-from old_name"), Some("old_name".into()));
        assert_eq!(annotation("--confiture: renamed-from Old"), Some("old".into()));
        assert_eq!(annotation("-- confiture: renamed-from \"Old \"\"x\"\"\""), Some("Old \"x\"".into()));
        assert_eq!(annotation("-- something else"), None);
        let cols = column_annotations(
            "CREATE TABLE t (\n -- confiture: renamed-from a\n b int, c text DEFAULT '-- confiture: renamed-from z')",
        );
        assert_eq!(cols.len(), 1);
        assert_eq!(cols[0].1, "a");
    }
}
