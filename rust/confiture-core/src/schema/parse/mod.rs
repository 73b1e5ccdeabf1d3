//! The model from DDL (offline): statements split as psql does, parsed with pg_query, applied in
//! order. Introspection uses the same path: it writes the catalog back as DDL and parses it here,
//! so both ways of building the model share every conversion.
//!
//! Statements that do not describe the schema (data, transaction control, settings other than
//! `search_path`, roles, ownership) are skipped and listed in [`Parsed::notes`]; statements that
//! describe something the model does not cover fail with "not yet supported: …".

mod ahead;
mod objects;
mod table;

/// The annotation that turns a drop and an add into a rename.
pub const RENAMED_FROM_PREFIX: &str = table::RENAMED_FROM;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use pg_query::NodeEnum;
use pg_query::protobuf::{self, DefElem, Node, RangeVar};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use self::ahead::Ahead;
use super::normalize::{self, RelationColumns};
use super::type_ref::{TypeResolver, names};
use super::{Catalog, Expr, ObjectId, QualifiedName, SchemaError, TypeRef};
use crate::sql::{StatementKind, split};

/// One DDL text and the name errors use for it (a path, or `catalog`).
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Read GRANT/REVOKE and ALTER DEFAULT PRIVILEGES into the model.
    pub include_grants: bool,
}

/// The model built from DDL, and what was skipped.
#[derive(Debug, Clone, Serialize)]
pub struct Parsed {
    pub catalog: Catalog,
    /// Statements that do not describe the schema and were skipped (`file:line: what`).
    pub notes: Vec<String>,
    /// Where each table, column, constraint, index, view, function, trigger, policy, sequence and
    /// type was (last) defined: what lint findings point at.
    #[serde(skip)]
    pub locations: BTreeMap<ObjectId, SourceLocation>,
}

/// A place in a source: its name, 1-based line and 1-based column (in characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl SourceLocation {
    /// The place of byte `offset` of `text`, a statement that starts at `line`:`column`.
    pub fn within(file: &str, text: &str, line: usize, column: usize, offset: usize) -> Self {
        let before = &text[..floor_char_boundary(text, offset)];
        match before.rfind('\n') {
            Some(nl) => Self {
                file: file.to_string(),
                line: line + before.matches('\n').count(),
                column: before[nl + 1..].chars().count() + 1,
            },
            None => Self { file: file.to_string(), line, column: column + before.chars().count() },
        }
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where the statement being applied comes from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Loc {
    pub file: String,
    pub line: usize,
}

/// A statement of a source, with the text before it (for annotations).
struct Unit<'a> {
    file: &'a str,
    line: usize,
    /// 1-based column (in characters) of the statement's first character.
    column: usize,
    text: &'a str,
    gap: &'a str,
}

/// Builds the model from DDL sources.
pub fn parse(sources: &[Source], options: ParseOptions) -> Result<Parsed, SchemaError> {
    let mut models = parse_many(&[sources], options);
    models.pop().expect("invariant: one model per list")
}

/// The statements of one source, and what splitting it skipped.
struct Split<'a> {
    units: Vec<Unit<'a>>,
    notes: Vec<String>,
}

/// A parsed statement text: its tree and what was computed ahead for each statement in it.
type ParsedUnit = Result<(protobuf::ParseResult, Vec<Arc<Ahead>>), String>;

/// Statements parsed per round (per model). pg_query's tree nodes are about 600 bytes each, so
/// parsing a 2,000-table schema whole held ≈ 300 MB of trees; in rounds, each round's trees are
/// freed once every model applied them and the next round reuses the memory (the pre-commit
/// hook's peak went from 310 MB to 127 MB).
const ROUND: usize = 256;

/// Builds the models of several lists of sources side by side. A source found in several lists
/// (same name, same text: a file unchanged between two versions of a project) is split and parsed
/// once; only building the model runs once per list.
pub fn parse_many(lists: &[&[Source]], options: ParseOptions) -> Vec<Result<Parsed, SchemaError>> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut distinct: Vec<&Source> = Vec::new();
    let ids: Vec<Vec<usize>> = lists
        .iter()
        .map(|list| {
            list.iter()
                .map(|s| {
                    *index.entry((s.name.as_str(), s.text.as_str())).or_insert_with(|| {
                        distinct.push(s);
                        distinct.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    let splits: Vec<Result<Split<'_>, SchemaError>> = distinct.iter().map(|s| split_source(s)).collect();
    // Every statement of every source, numbered: (source, statement within it).
    let mut first = Vec::with_capacity(splits.len());
    let mut units: Vec<(usize, usize)> = Vec::new();
    for (id, split) in splits.iter().enumerate() {
        first.push(units.len());
        if let Ok(s) = split {
            units.extend((0..s.units.len()).map(|k| (id, k)));
        }
    }
    let mut runs: Vec<Run> = ids.iter().map(|list| Run::start(list, &splits, &first, options)).collect();
    // How many models still have to apply each statement; at zero its tree is freed.
    let mut uses = vec![0usize; units.len()];
    for run in &runs {
        for &u in &run.order {
            uses[u] += 1;
        }
    }
    let mut parsed: Vec<Option<ParsedUnit>> = (0..units.len()).map(|_| None).collect();
    let parse_round = |todo: &[usize]| -> Vec<ParsedUnit> {
        todo.par_iter()
            .map(|&u| {
                let (id, k) = units[u];
                let Ok(split) = &splits[id] else { unreachable!("invariant: only split sources have units") };
                parse_unit(split.units[k].text)
            })
            .collect()
    };
    let todo = round_todo(&runs, 0, &parsed);
    let trees = parse_round(&todo);
    install(&mut parsed, todo, trees);
    let mut garbage: Vec<ParsedUnit> = Vec::new();
    let mut round = 0;
    while runs.iter().any(|r| r.order.len() > round * ROUND) {
        // While the models apply this round, the next one is parsed (and the last one's trees
        // freed): the builders are sequential, parsing is not, so no core waits for the other.
        let todo = round_todo(&runs, round + 1, &parsed);
        let old = std::mem::take(&mut garbage);
        let (trees, ()) = rayon::join(
            || {
                drop(old);
                parse_round(&todo)
            },
            || runs.par_iter_mut().for_each(|r| r.apply(round, &units, &splits, &parsed)),
        );
        for r in &runs {
            for &u in span(&r.order, round) {
                uses[u] -= 1;
                if uses[u] == 0
                    && let Some(tree) = parsed[u].take()
                {
                    garbage.push(tree);
                }
            }
        }
        install(&mut parsed, todo, trees);
        round += 1;
    }
    rayon::spawn(move || drop(garbage));
    runs.into_par_iter().map(Run::finish).collect()
}

/// The statements round `round` needs that are not parsed yet (a run stopped by an error needs
/// nothing more).
fn round_todo(runs: &[Run], round: usize, parsed: &[Option<ParsedUnit>]) -> Vec<usize> {
    let mut todo: Vec<usize> =
        runs.iter().filter(|r| r.builder.is_ok()).flat_map(|r| span(&r.order, round).iter().copied()).collect();
    todo.sort_unstable();
    todo.dedup();
    todo.retain(|&u| parsed[u].is_none());
    todo
}

fn install(parsed: &mut [Option<ParsedUnit>], todo: Vec<usize>, trees: Vec<ParsedUnit>) {
    for (u, tree) in todo.into_iter().zip(trees) {
        parsed[u] = Some(tree);
    }
}

/// The statements of `order` applied in round `round`.
fn span(order: &[usize], round: usize) -> &[usize] {
    order.get(round * ROUND..((round + 1) * ROUND).min(order.len())).unwrap_or(&[])
}

fn parse_unit(text: &str) -> ParsedUnit {
    let tree = pg_query::parse(text, pg_query::ParserOptions::DEFAULT).map_err(|e| e.to_string())?.protobuf;
    let ahead =
        tree.stmts.iter().map(|raw| Arc::new(statement_node(raw).map(Ahead::compute).unwrap_or_default())).collect();
    Ok((tree, ahead))
}

/// One model being built: its statements in order (numbers into the statement list) and the
/// builder, or the error that stopped it.
struct Run {
    order: Vec<usize>,
    builder: Result<Builder, SchemaError>,
}

impl Run {
    fn start(
        list: &[usize],
        splits: &[Result<Split<'_>, SchemaError>],
        first: &[usize],
        options: ParseOptions,
    ) -> Self {
        let mut notes = Vec::new();
        let mut order = Vec::new();
        for &id in list {
            match &splits[id] {
                Ok(s) => {
                    notes.extend(s.notes.iter().cloned());
                    order.extend(first[id]..first[id] + s.units.len());
                }
                Err(e) => return Self { order: Vec::new(), builder: Err(e.clone()) },
            }
        }
        let mut b = Builder::new(options);
        b.notes = notes;
        Self { order, builder: Ok(b) }
    }

    /// Applies the statements of round `round` (in order); the first error stops the run.
    fn apply(
        &mut self,
        round: usize,
        units: &[(usize, usize)],
        splits: &[Result<Split<'_>, SchemaError>],
        parsed: &[Option<ParsedUnit>],
    ) {
        let Ok(b) = &mut self.builder else { return };
        for &u in span(&self.order, round) {
            let (id, k) = units[u];
            let Ok(split) = &splits[id] else { unreachable!("invariant: only split sources have units") };
            let Some(tree) = &parsed[u] else { unreachable!("invariant: parsed before the round is applied") };
            if let Err(e) = b.unit(&split.units[k], tree) {
                self.builder = Err(e);
                return;
            }
        }
    }

    fn finish(self) -> Result<Parsed, SchemaError> {
        let mut b = self.builder?;
        b.ahead = Arc::default();
        let catalog = b.finish()?;
        Ok(Parsed { catalog, notes: b.notes, locations: b.locations })
    }
}

/// Splits one source into statements (psql's rules); COPY data and meta-commands are noted.
fn split_source(src: &Source) -> Result<Split<'_>, SchemaError> {
    let mut units = Vec::new();
    let mut notes = Vec::new();
    let statements = split(&src.text).map_err(|e| SchemaError::Parse {
        file: src.name.clone(),
        line: e.line(),
        message: e.to_string(),
    })?;
    let mut prev_end = 0;
    for s in statements {
        let text = s.text(&src.text);
        match &s.kind {
            StatementKind::Sql => {
                let line_start = src.text[..s.range.start].rfind('\n').map_or(0, |i| i + 1);
                let column = src.text[line_start..s.range.start].chars().count() + 1;
                units.push(Unit {
                    file: &src.name,
                    line: s.line,
                    column,
                    text,
                    gap: &src.text[prev_end..s.range.start],
                });
                prev_end = s.range.end;
            }
            StatementKind::CopyFromStdin { data } => {
                notes.push(format!("{}:{}: skipped COPY data (not schema)", src.name, s.line));
                prev_end = data.end;
            }
            StatementKind::MetaCommand => {
                let word: String = text.trim_start_matches('\\').chars().take_while(|c| c.is_alphanumeric()).collect();
                if matches!(word.as_str(), "i" | "ir" | "include" | "include_relative") {
                    return Err(SchemaError::Unsupported {
                        file: src.name.clone(),
                        line: s.line,
                        kind: format!("psql \\{word} (list the included files instead)"),
                    });
                }
                notes.push(format!("{}:{}: skipped psql meta-command \\{word}", src.name, s.line));
                prev_end = s.range.end;
            }
        }
    }
    Ok(Split { units, notes })
}

fn statement_node(raw: &protobuf::RawStmt) -> Option<&NodeEnum> {
    raw.stmt.as_ref().and_then(|s| s.node.as_ref())
}

/// Things resolved once every statement has been read.
#[derive(Default)]
struct Pending {
    /// View queries (JSON), resolved against the final model.
    views: Vec<(QualifiedName, Value)>,
    /// SQL-standard function bodies (JSON).
    bodies: Vec<((QualifiedName, String), Value)>,
    /// Expressions with sub-queries over a table: (table, what, JSON). `what` is
    /// `policy:<name>:using`, `policy:<name>:check` or `check:<name>`.
    sublinks: Vec<(QualifiedName, String, Value)>,
    /// Foreign keys written without the referenced columns (they reference the primary key).
    fk_targets: Vec<(QualifiedName, String, Loc)>,
    /// Partition indexes attached to a parent index (not objects of their own).
    attached_indexes: BTreeSet<QualifiedName>,
}

pub(crate) struct Builder {
    pub cat: Catalog,
    /// (schema, name) of constraints, and of index-backed constraints (whose indexes share the
    /// name): what automatic names must avoid, without scanning every table.
    pub constraint_names: BTreeSet<(String, String)>,
    pub index_names: BTreeSet<(String, String)>,
    pub search_path: Vec<String>,
    pub options: ParseOptions,
    pub loc: Loc,
    pub notes: Vec<String>,
    pending: Pending,
    /// What was computed ahead for the statement being applied.
    ahead: Arc<Ahead>,
    /// Objects defined by the statement being applied, with their byte offset in it.
    placed: Vec<(ObjectId, i32)>,
    locations: BTreeMap<ObjectId, SourceLocation>,
}

impl TypeResolver for Builder {
    fn resolve_type(&self, name: &str) -> String {
        self.search_path
            .iter()
            .find(|s| self.cat.types.contains_key(&QualifiedName::new(s.as_str(), name)))
            .or(self.search_path.first())
            .cloned()
            .unwrap_or_else(|| "public".into())
    }
}

impl Builder {
    fn new(options: ParseOptions) -> Self {
        Self {
            cat: Catalog { include_grants: options.include_grants, ..Catalog::default() },
            constraint_names: BTreeSet::new(),
            index_names: BTreeSet::new(),
            search_path: vec!["public".into()],
            options,
            loc: Loc::default(),
            notes: Vec::new(),
            pending: Pending::default(),
            ahead: Arc::default(),
            placed: Vec::new(),
            locations: BTreeMap::new(),
        }
    }

    /// Applies one statement text of a source (one or more statements as pg_query read them).
    fn unit(&mut self, unit: &Unit<'_>, parsed: &ParsedUnit) -> Result<(), SchemaError> {
        self.loc = Loc { file: unit.file.to_string(), line: unit.line };
        let (tree, ahead) = parsed.as_ref().map_err(|message| SchemaError::Parse {
            file: unit.file.to_string(),
            line: unit.line,
            message: message.trim_start_matches("Error parsing query: ").to_string(),
        })?;
        for (raw, ahead) in tree.stmts.iter().zip(ahead) {
            if let Some(node) = statement_node(raw) {
                self.ahead = Arc::clone(ahead);
                self.statement(node, unit.text, unit.gap)?;
            }
        }
        for (id, offset) in self.placed.drain(..) {
            let offset = usize::try_from(offset).unwrap_or(0);
            self.locations.insert(id, SourceLocation::within(unit.file, unit.text, unit.line, unit.column, offset));
        }
        Ok(())
    }

    /// Records that the current statement defines `id` at byte `offset` of its text (pg_query's
    /// `location`; -1, unknown, means the statement's start).
    pub fn place(&mut self, id: ObjectId, offset: i32) {
        self.placed.push((id, offset.max(0)));
    }

    pub fn unsupported<T>(&self, kind: impl Into<String>) -> Result<T, SchemaError> {
        Err(SchemaError::Unsupported { file: self.loc.file.clone(), line: self.loc.line, kind: kind.into() })
    }

    pub fn invalid<T>(&self, message: impl Into<String>) -> Result<T, SchemaError> {
        Err(SchemaError::Invalid { file: self.loc.file.clone(), line: self.loc.line, message: message.into() })
    }

    pub fn note(&mut self, what: impl std::fmt::Display) {
        self.notes.push(format!("{}:{}: {what}", self.loc.file, self.loc.line));
    }

    /// The schema new objects go to.
    pub fn creation_schema(&self) -> String {
        self.search_path.first().cloned().unwrap_or_else(|| "public".into())
    }

    /// The name of an object being created.
    pub fn new_name(&self, schema: &str, name: &str) -> QualifiedName {
        QualifiedName::new(if schema.is_empty() { self.creation_schema() } else { schema.to_string() }, name)
    }

    /// The name of an existing relation (looked up along the search path).
    pub fn relation_name(&self, rv: &RangeVar) -> QualifiedName {
        if !rv.schemaname.is_empty() {
            return QualifiedName::new(rv.schemaname.clone(), rv.relname.clone());
        }
        for s in &self.search_path {
            let q = QualifiedName::new(s.as_str(), rv.relname.as_str());
            if self.cat.tables.contains_key(&q)
                || self.cat.views.contains_key(&q)
                || self.cat.sequences.contains_key(&q)
                || self.cat.indexes.contains_key(&q)
            {
                return q;
            }
        }
        self.new_name("", &rv.relname)
    }

    /// An existing object named by a list of identifiers (types, functions).
    pub fn list_name(
        &self,
        list: &[Node],
        exists: &dyn Fn(&QualifiedName) -> bool,
    ) -> Result<QualifiedName, SchemaError> {
        let parts = names(list);
        match parts.as_slice() {
            [name] => Ok(self
                .search_path
                .iter()
                .map(|s| QualifiedName::new(s.as_str(), name.as_str()))
                .find(|q| exists(q))
                .unwrap_or_else(|| self.new_name("", name))),
            [schema, name] | [_, schema, name] => Ok(QualifiedName::new(schema.as_str(), name.as_str())),
            _ => self.invalid(format!("invalid name {}", parts.join("."))),
        }
    }

    pub fn type_ref(&self, tn: Option<&protobuf::TypeName>) -> Result<TypeRef, SchemaError> {
        let Some(tn) = tn else { return self.invalid("missing type") };
        TypeRef::from_type_name(tn, self).or_else(|what| self.unsupported(what))
    }

    pub fn expr(&self, node: Option<&Node>) -> Result<Option<Expr>, SchemaError> {
        node.map(|n| self.ahead.expr(n).or_else(|m| self.invalid(m))).transpose()
    }

    pub fn expr_required(&self, node: Option<&Node>, what: &str) -> Result<Expr, SchemaError> {
        match self.expr(node)? {
            Some(e) => Ok(e),
            None => self.invalid(format!("missing {what}")),
        }
    }

    /// Records an expression whose sub-queries must be resolved once the model is complete.
    pub fn defer_sublinks(&mut self, table: &QualifiedName, what: String, node: Option<&Node>) {
        if let Some(n) = node
            && contains_sublink(n)
            && let Ok(v) = serde_json::to_value(n)
        {
            self.pending.sublinks.push((table.clone(), what, v));
        }
    }

    fn statement(&mut self, node: &NodeEnum, text: &str, gap: &str) -> Result<(), SchemaError> {
        use NodeEnum as N;
        match node {
            N::CreateSchemaStmt(s) => self.create_schema(s),
            N::CreateExtensionStmt(s) => self.create_extension(s),
            N::AlterExtensionStmt(s) => self.alter_extension(s),
            N::CreateEnumStmt(s) => self.create_enum(s),
            N::AlterEnumStmt(s) => self.alter_enum(s),
            N::CompositeTypeStmt(s) => self.create_composite(s),
            N::CreateDomainStmt(s) => self.create_domain(s),
            N::AlterDomainStmt(s) => self.alter_domain(s),
            N::CreateRangeStmt(s) => self.create_range(s),
            N::CreateSeqStmt(s) => self.create_sequence(s),
            N::AlterSeqStmt(s) => self.alter_sequence(s),
            N::CreateStmt(s) => self.create_table(s, text, gap),
            N::AlterTableStmt(s) => self.alter_table(s),
            N::IndexStmt(s) => self.create_index(s),
            N::ViewStmt(s) => self.create_view(s),
            N::CreateTableAsStmt(s) => self.create_table_as(s),
            N::CreateFunctionStmt(s) => self.create_function(s),
            N::AlterFunctionStmt(s) => self.alter_function(s),
            N::CreateTrigStmt(s) => self.create_trigger(s),
            N::CreatePolicyStmt(s) => self.create_policy(s),
            N::AlterPolicyStmt(s) => self.alter_policy(s),
            N::CommentStmt(s) => self.comment(s),
            N::GrantStmt(s) => self.grant(s),
            N::AlterDefaultPrivilegesStmt(s) => self.default_privileges(s),
            N::DropStmt(s) => self.drop(s),
            N::VariableSetStmt(s) => {
                if s.name == "search_path" {
                    self.set_search_path(&s.args, s.kind);
                } else {
                    self.note(format!("skipped SET {} (not schema)", s.name));
                }
                Ok(())
            }
            N::SelectStmt(s) => {
                if let Some(path) = set_config_search_path(s) {
                    self.search_path = if path.is_empty() { vec!["public".into()] } else { path };
                } else {
                    self.note("skipped SELECT (not schema)");
                }
                Ok(())
            }
            N::InsertStmt(_)
            | N::UpdateStmt(_)
            | N::DeleteStmt(_)
            | N::MergeStmt(_)
            | N::CopyStmt(_)
            | N::TruncateStmt(_) => {
                self.note("skipped data statement (not schema)");
                Ok(())
            }
            N::TransactionStmt(_)
            | N::CheckPointStmt(_)
            | N::VacuumStmt(_)
            | N::RefreshMatViewStmt(_)
            | N::DiscardStmt(_)
            | N::ListenStmt(_)
            | N::NotifyStmt(_)
            | N::LockStmt(_)
            | N::ExplainStmt(_) => Ok(()),
            N::AlterOwnerStmt(_) => {
                self.note("skipped ownership (not modelled)");
                Ok(())
            }
            N::CreateRoleStmt(_)
            | N::AlterRoleStmt(_)
            | N::DropRoleStmt(_)
            | N::GrantRoleStmt(_)
            | N::AlterRoleSetStmt(_) => {
                self.note("skipped role statement (roles belong to the server, not the schema)");
                Ok(())
            }
            N::SecLabelStmt(_) => {
                self.note("skipped SECURITY LABEL (not modelled)");
                Ok(())
            }
            other => self.unsupported(statement_label(other)),
        }
    }

    fn set_search_path(&mut self, args: &[Node], kind: i32) {
        if kind != protobuf::VariableSetKind::VarSetValue as i32 {
            self.search_path = vec!["public".into()];
            return;
        }
        let path: Vec<String> = args
            .iter()
            .filter_map(|a| match a.node.as_ref() {
                Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
                    Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                    _ => None,
                },
                _ => None,
            })
            .flat_map(|s| s.split(',').map(|p| p.trim().trim_matches('"').to_string()).collect::<Vec<_>>())
            .filter(|s| !s.is_empty() && s != "pg_catalog" && s != "$user")
            .collect();
        self.search_path = if path.is_empty() { vec!["public".into()] } else { path };
    }

    /// Resolves what needed the whole model: view queries and columns, SQL-standard function
    /// bodies, sub-queries in policies and CHECKs, foreign keys to primary keys.
    fn finish(&mut self) -> Result<Catalog, SchemaError> {
        let pending = std::mem::take(&mut self.pending);
        for (table, name, loc) in &pending.fk_targets {
            let pk = self
                .cat
                .tables
                .get(&referenced_table(&self.cat, table, name))
                .and_then(|t| t.primary_key())
                .and_then(|c| c.key_columns())
                .map(<[String]>::to_vec);
            let Some(pk) = pk else {
                self.loc = loc.clone();
                return self.invalid(format!(
                    "foreign key {name} on {table} references a table without a primary key; name the referenced columns"
                ));
            };
            if let Some(super::ConstraintKind::ForeignKey { referenced_columns, .. }) =
                self.cat.tables.get_mut(table).and_then(|t| t.constraints.get_mut(name)).map(|c| &mut c.kind)
            {
                *referenced_columns = pk;
            }
        }
        for name in &pending.attached_indexes {
            self.cat.indexes.remove(name);
        }
        self.resolve_views(pending.views);
        for (key, mut json) in pending.bodies {
            let params: Vec<String> = self
                .cat
                .functions
                .get(&key)
                .map(|f| f.arguments.iter().filter_map(|a| a.name.clone()).collect())
                .unwrap_or_default();
            normalize::unqualify_parameters(&mut json, &key.0.name, &params);
            let lookup = Lookup { cat: &self.cat };
            resolve_queries_in(&mut json, &lookup);
            let refs = normalize::collect_refs(&json);
            normalize::normalize(&mut json);
            if let Some(f) = self.cat.functions.get_mut(&key) {
                f.body.key = json.to_string();
                f.body.refs = refs;
            }
        }
        for (table, what, mut json) in pending.sublinks {
            let columns = self.cat.relation_columns(&table).unwrap_or_default();
            normalize::resolve_expr(&mut json, &table.name, columns, &Lookup { cat: &self.cat });
            normalize::normalize(&mut json);
            let key = json.to_string();
            if let Some(t) = self.cat.tables.get_mut(&table) {
                let mut parts = what.splitn(3, ':');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some("policy"), Some(name), Some("using")) => {
                        if let Some(e) = t.policies.get_mut(name).and_then(|p| p.using.as_mut()) {
                            e.key = key;
                        }
                    }
                    (Some("policy"), Some(name), Some("check")) => {
                        if let Some(e) = t.policies.get_mut(name).and_then(|p| p.with_check.as_mut()) {
                            e.key = key;
                        }
                    }
                    (Some("check"), Some(name), None) => {
                        if let Some(super::ConstraintKind::Check { expr, .. }) =
                            t.constraints.get_mut(name).map(|c| &mut c.kind)
                        {
                            expr.key = key;
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(std::mem::take(&mut self.cat))
    }

    /// View queries in dependency order (a view's `*` needs the columns of the views it reads).
    fn resolve_views(&mut self, views: Vec<(QualifiedName, Value)>) {
        let mut remaining: BTreeMap<QualifiedName, Value> = views.into_iter().collect();
        while let Some(name) = remaining.keys().next().cloned() {
            self.resolve_view(&name, &mut remaining, 0);
        }
    }

    fn resolve_view(&mut self, name: &QualifiedName, remaining: &mut BTreeMap<QualifiedName, Value>, depth: usize) {
        let Some(mut json) = remaining.remove(name) else { return };
        if depth < 64 {
            let refs = normalize::collect_refs(&json);
            for r in &refs.relations {
                let q = if r.schema.is_empty() { self.search_path_lookup(&r.name, remaining) } else { r.clone() };
                if remaining.contains_key(&q) {
                    self.resolve_view(&q, remaining, depth + 1);
                }
            }
        }
        let refs = normalize::collect_refs(&json);
        normalize::resolve_query(&mut json, &Lookup { cat: &self.cat });
        let columns = normalize::query_columns(&json);
        normalize::normalize(&mut json);
        if let Some(v) = self.cat.views.get_mut(name) {
            v.query.key = json.to_string();
            v.query.refs = refs;
            if v.columns.is_empty() {
                v.columns = columns;
            }
        }
    }

    fn search_path_lookup(&self, name: &str, remaining: &BTreeMap<QualifiedName, Value>) -> QualifiedName {
        self.search_path
            .iter()
            .map(|s| QualifiedName::new(s.as_str(), name))
            .find(|q| remaining.contains_key(q) || self.cat.views.contains_key(q) || self.cat.tables.contains_key(q))
            .unwrap_or_else(|| QualifiedName::new("public", name))
    }

    pub(crate) fn defer_view(&mut self, name: QualifiedName, query: Value) {
        self.pending.views.push((name, query));
    }

    pub(crate) fn defer_body(&mut self, key: (QualifiedName, String), body: Value) {
        self.pending.bodies.push((key, body));
    }

    pub(crate) fn defer_fk_target(&mut self, table: QualifiedName, name: String) {
        self.pending.fk_targets.push((table, name, self.loc.clone()));
    }

    pub(crate) fn attach_index(&mut self, child: QualifiedName) {
        self.pending.attached_indexes.insert(child);
    }
}

fn referenced_table(cat: &Catalog, table: &QualifiedName, fk: &str) -> QualifiedName {
    match cat.tables.get(table).and_then(|t| t.constraints.get(fk)).map(|c| &c.kind) {
        Some(super::ConstraintKind::ForeignKey { references, .. }) => references.clone(),
        _ => table.clone(),
    }
}

/// Relation columns from the model under construction.
struct Lookup<'a> {
    cat: &'a Catalog,
}

impl RelationColumns for Lookup<'_> {
    fn columns_of(&self, name: &QualifiedName) -> Option<Vec<String>> {
        self.cat.relation_columns(name)
    }
}

/// Resolves every `SelectStmt` inside a function body.
fn resolve_queries_in(v: &mut Value, lookup: &dyn RelationColumns) {
    if let Some(("SelectStmt", _)) = normalize::variant(v) {
        normalize::resolve_query(v, lookup);
        return;
    }
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| resolve_queries_in(i, lookup)),
        Value::Object(map) => map.values_mut().for_each(|c| resolve_queries_in(c, lookup)),
        _ => {}
    }
}

fn contains_sublink(n: &Node) -> bool {
    n.node.as_ref().is_some_and(|e| e.nodes().iter().any(|(r, ..)| matches!(r, pg_query::NodeRef::SubLink(_))))
}

/// `SELECT pg_catalog.set_config('search_path', 'a, b', false)` (pg_dump's way of setting it).
fn set_config_search_path(s: &protobuf::SelectStmt) -> Option<Vec<String>> {
    let [target] = s.target_list.as_slice() else { return None };
    let Some(NodeEnum::ResTarget(rt)) = target.node.as_ref() else { return None };
    let Some(NodeEnum::FuncCall(fc)) = rt.val.as_ref().and_then(|v| v.node.as_ref()) else { return None };
    if names(&fc.funcname).last().map(String::as_str) != Some("set_config") {
        return None;
    }
    let strings: Vec<String> = fc
        .args
        .iter()
        .filter_map(|a| match a.node.as_ref() {
            Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
                Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    match strings.as_slice() {
        [name, value] if name == "search_path" => Some(
            value
                .split(',')
                .map(|p| p.trim().trim_matches('"').to_string())
                .filter(|p| !p.is_empty() && p != "pg_catalog")
                .collect(),
        ),
        _ => None,
    }
}

/// The text of a DefElem's argument (`fillfactor = 70` → `70`).
pub(crate) fn defelem_value(de: &DefElem) -> Option<String> {
    use pg_query::protobuf::a_const::Val;
    match de.arg.as_ref()?.node.as_ref()? {
        NodeEnum::Integer(i) => Some(i.ival.to_string()),
        NodeEnum::Float(f) => Some(f.fval.clone()),
        NodeEnum::String(s) => Some(s.sval.clone()),
        NodeEnum::Boolean(b) => Some(b.boolval.to_string()),
        NodeEnum::TypeName(t) => Some(names(&t.names).join(".")),
        NodeEnum::List(l) => Some(names(&l.items).join(".")),
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            Val::Ival(i) => Some(i.ival.to_string()),
            Val::Fval(f) => Some(f.fval.clone()),
            Val::Sval(s) => Some(s.sval.clone()),
            Val::Boolval(b) => Some(b.boolval.to_string()),
            Val::Bsval(b) => Some(b.bsval.clone()),
        },
        _ => None,
    }
}

/// `WITH (name = value, …)` storage parameters, values as PostgreSQL stores them (`true`/`false`
/// spelled out, names lower-cased).
pub(crate) fn options_map(options: &[Node]) -> BTreeMap<String, String> {
    options
        .iter()
        .filter_map(|o| match o.node.as_ref() {
            Some(NodeEnum::DefElem(de)) => {
                let name = if de.defnamespace.is_empty() {
                    de.defname.clone()
                } else {
                    format!("{}.{}", de.defnamespace, de.defname)
                };
                let value = defelem_value(de).unwrap_or_else(|| "true".into());
                let value = match value.to_ascii_lowercase().as_str() {
                    "on" | "true" | "yes" | "1" if is_boolean_option(&de.defname) => "true".into(),
                    "off" | "false" | "no" | "0" if is_boolean_option(&de.defname) => "false".into(),
                    _ => value,
                };
                Some((name, value))
            }
            _ => None,
        })
        .collect()
}

fn is_boolean_option(name: &str) -> bool {
    matches!(
        name,
        "autovacuum_enabled"
            | "security_barrier"
            | "security_invoker"
            | "user_catalog_table"
            | "fastupdate"
            | "deduplicate_items"
            | "buffering"
            | "vacuum_truncate"
    )
}

/// A statement kind, for "not yet supported" messages.
fn statement_label(node: &NodeEnum) -> String {
    use NodeEnum as N;
    match node {
        N::DefineStmt(d) => match protobuf::ObjectType::try_from(d.kind) {
            Ok(protobuf::ObjectType::ObjectAggregate) => "CREATE AGGREGATE".into(),
            Ok(protobuf::ObjectType::ObjectOperator) => "CREATE OPERATOR".into(),
            Ok(protobuf::ObjectType::ObjectType) => "CREATE TYPE (base or shell type)".into(),
            Ok(protobuf::ObjectType::ObjectCollation) => "CREATE COLLATION".into(),
            Ok(
                protobuf::ObjectType::ObjectTsconfiguration
                | protobuf::ObjectType::ObjectTsdictionary
                | protobuf::ObjectType::ObjectTsparser
                | protobuf::ObjectType::ObjectTstemplate,
            ) => "CREATE TEXT SEARCH …".into(),
            _ => "CREATE (definition)".into(),
        },
        N::DoStmt(_) => "DO blocks (their effect cannot be known without running them)".into(),
        N::RuleStmt(_) => "CREATE RULE".into(),
        N::CreateCastStmt(_) => "CREATE CAST".into(),
        N::CreateOpClassStmt(_) | N::CreateOpFamilyStmt(_) | N::AlterOpFamilyStmt(_) => "operator classes".into(),
        N::CreateConversionStmt(_) => "CREATE CONVERSION".into(),
        N::CreateForeignTableStmt(_) => "foreign tables".into(),
        N::CreateForeignServerStmt(_)
        | N::CreateFdwStmt(_)
        | N::CreateUserMappingStmt(_)
        | N::ImportForeignSchemaStmt(_) => "foreign data wrappers".into(),
        N::CreateEventTrigStmt(_) => "event triggers".into(),
        N::CreatePublicationStmt(_) | N::AlterPublicationStmt(_) => "publications".into(),
        N::CreateSubscriptionStmt(_) => "subscriptions".into(),
        N::CreateStatsStmt(_) => "CREATE STATISTICS".into(),
        N::CreatePlangStmt(_) => "CREATE LANGUAGE".into(),
        N::CreateTransformStmt(_) => "CREATE TRANSFORM".into(),
        N::CreateAmStmt(_) => "CREATE ACCESS METHOD".into(),
        N::CreateTableSpaceStmt(_) => "CREATE TABLESPACE".into(),
        N::CreatedbStmt(_) | N::AlterDatabaseStmt(_) | N::AlterDatabaseSetStmt(_) | N::DropdbStmt(_) => {
            "database-level statements".into()
        }
        N::RenameStmt(_) => {
            "RENAME in schema files (write the new name and a `-- confiture: renamed-from` annotation)".into()
        }
        N::AlterObjectSchemaStmt(_) => "SET SCHEMA in schema files".into(),
        N::AlterTsconfigurationStmt(_) | N::AlterTsdictionaryStmt(_) => "text search configuration".into(),
        N::AlterSystemStmt(_) => "ALTER SYSTEM".into(),
        N::CallStmt(_) => "CALL in schema files".into(),
        other => {
            let name = format!("{other:?}");
            let head: String = name.chars().take_while(|c| c.is_alphanumeric()).collect();
            format!("statement {head}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str, text: &str) -> Source {
        Source { name: name.into(), text: text.into() }
    }

    /// Lists built side by side give what each gives alone, errors included.
    #[test]
    fn many_lists_as_each_alone() {
        let shared = src(
            "a.sql",
            "CREATE TABLE t (id int PRIMARY KEY, c int DEFAULT 1 CHECK (c > 0));\nINSERT INTO t VALUES (1);\n",
        );
        let view = src("b.sql", "CREATE VIEW v AS SELECT id FROM t WHERE c > 2;\n");
        let changed = src("b.sql", "CREATE VIEW v AS SELECT id, c FROM t;\nALTER TABLE t ADD COLUMN d text;\n");
        let broken = src("c.sql", "CREATE TABLE x (;\n");
        let lists: [Vec<Source>; 3] = [
            vec![shared.clone(), view.clone()],
            vec![shared.clone(), changed.clone()],
            vec![shared.clone(), broken.clone()],
        ];
        let refs: Vec<&[Source]> = lists.iter().map(Vec::as_slice).collect();
        let together = parse_many(&refs, ParseOptions::default());
        for (list, got) in lists.iter().zip(&together) {
            let alone = parse(list, ParseOptions::default());
            match (alone, got) {
                (Ok(a), Ok(g)) => {
                    assert_eq!(a.catalog, g.catalog);
                    assert_eq!(a.notes, g.notes);
                    assert_eq!(a.locations, g.locations);
                }
                (Err(a), Err(g)) => assert_eq!(a.to_string(), g.to_string()),
                (a, g) => panic!("alone {a:?}, together {g:?}"),
            }
        }
        assert!(together[0].as_ref().unwrap().catalog != together[1].as_ref().unwrap().catalog);
        assert!(together[2].as_ref().unwrap_err().to_string().starts_with("c.sql:1: syntax error"));
    }

    /// Lists longer than a round, of different lengths, differing in the middle, one failing late:
    /// each model is what its list gives alone and has every statement applied.
    #[test]
    fn lists_over_many_rounds() {
        let n = ROUND * 2 + 37;
        let table =
            |i: usize, extra: &str| src(&format!("t{i:04}.sql"), &format!("CREATE TABLE t{i} (id int{extra});\n"));
        let base: Vec<Source> = (0..n).map(|i| table(i, "")).collect();
        let mut changed = base.clone();
        changed[n / 2] = table(n / 2, ", note text");
        changed.push(src("more.sql", "ALTER TABLE t1 ADD COLUMN late int;\n"));
        let mut broken = base.clone();
        broken[ROUND + 5] = src("bad.sql", "CREATE TABLE (;\n");
        let lists = [base, changed, broken];
        let refs: Vec<&[Source]> = lists.iter().map(Vec::as_slice).collect();
        let together = parse_many(&refs, ParseOptions::default());
        for (list, got) in lists.iter().zip(&together) {
            match (parse(list, ParseOptions::default()), got) {
                (Ok(a), Ok(g)) => assert_eq!(a.catalog, g.catalog),
                (Err(a), Err(g)) => assert_eq!(a.to_string(), g.to_string()),
                (a, g) => panic!("alone {a:?}, together {g:?}"),
            }
        }
        let (base, changed) = (together[0].as_ref().unwrap(), together[1].as_ref().unwrap());
        assert_eq!(base.catalog.tables.len(), n);
        let t = |m: &Parsed, i: usize| m.catalog.tables[&QualifiedName::new("public", format!("t{i}"))].columns.len();
        assert_eq!((t(base, n / 2), t(changed, n / 2)), (1, 2));
        assert_eq!((t(base, 1), t(changed, 1)), (1, 2));
        assert!(together[2].as_ref().unwrap_err().to_string().starts_with("bad.sql:1: syntax error"));
    }
}
