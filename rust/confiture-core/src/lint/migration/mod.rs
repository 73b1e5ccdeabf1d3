//! Migration rules' view: each migration file split as psql splits it, every statement parsed by
//! pg_query with the locks it takes ([`crate::sql::effects`], shared with the dry run), and what
//! is known before it runs ([`Facts`]): tables created by earlier linted statements (new, so empty
//! and unused), columns' types, validated NOT NULL checks, settings such as `lock_timeout`, and —
//! when the database is reachable ([`database`]) — which tables exist and how big they are.

pub mod database;
mod facts;
pub(crate) mod tree;

use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ColumnDef, ConstrType, Constraint};

pub use database::{DatabaseFacts, TableSize};
pub(crate) use facts::{Facts, column_type};

use super::config::LintConfig;
use super::finding::{Finding, Sink};
use super::rule::{Check, all_rules};
use super::rules::syntax_error;
use super::{Severity, Target};
use crate::migrate::files::wants_no_transaction;
use crate::schema::{QualifiedName, SourceLocation};
use crate::sql::effects::{LockMode, Relation, StatementEffects, effects_of};
use crate::sql::{StatementClass, StatementKind, classify, split};

/// One migration file to lint.
#[derive(Debug, Clone)]
pub struct MigrationSource {
    /// The name findings use (relative to the project directory when inside it).
    pub file: String,
    /// The migration's version, when it is a migration of a directory.
    pub version: Option<String>,
    pub text: String,
}

/// One statement of a migration file.
pub(crate) struct Stmt {
    pub line: usize,
    pub column: usize,
    pub text: String,
    /// The parse tree (`None` when PostgreSQL's parser rejects the statement).
    pub node: Option<NodeEnum>,
    pub error: Option<String>,
    pub effects: StatementEffects,
    /// Runs inside a transaction block (the migration's own, or an explicit BEGIN).
    pub in_transaction: bool,
    /// Index of the transaction it belongs to (statements outside any share none).
    pub transaction: Option<usize>,
}

/// What a migration rule sees: the statement, its neighbours, and what is known before it runs.
pub(crate) struct StatementCtx<'a> {
    pub file: &'a str,
    /// The file runs in one transaction (no `-- confiture: no-transaction` marker).
    pub transactional: bool,
    pub stmts: &'a [Stmt],
    pub index: usize,
    pub facts: &'a Facts,
    pub db: Option<&'a DatabaseFacts>,
    pub config: &'a LintConfig,
}

/// What a relation is, as far as the lint knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableState {
    /// Created by a statement linted before this one: empty, nobody uses it yet.
    New,
    /// In the database, with its size.
    Existing(TableSize),
    /// Not created by the linted migrations and no database to ask: assumed to exist and be in use.
    Assumed,
}

impl<'a> StatementCtx<'a> {
    pub fn stmt(&self) -> &'a Stmt {
        &self.stmts[self.index]
    }

    pub fn node(&self) -> Option<&'a NodeEnum> {
        self.stmt().node.as_ref()
    }

    pub fn location(&self) -> SourceLocation {
        self.location_at(0)
    }

    /// The place of byte `offset` of the statement (pg_query's `location`).
    pub fn location_at(&self, offset: i32) -> SourceLocation {
        let s = self.stmt();
        SourceLocation::within(self.file, &s.text, s.line, s.column, usize::try_from(offset).unwrap_or(0))
    }

    /// The table a relation written in the statement names (search path applied).
    pub fn resolve(&self, rel: &Relation) -> QualifiedName {
        if let Some(schema) = &rel.schema {
            return QualifiedName::new(schema.clone(), rel.name.clone());
        }
        for s in &self.facts.search_path {
            let q = QualifiedName::new(s.clone(), rel.name.clone());
            if self.facts.created.contains(&q) || self.db.is_some_and(|d| d.tables.contains_key(&q)) {
                return q;
            }
        }
        QualifiedName::new(self.facts.search_path.first().cloned().unwrap_or_else(|| "public".into()), rel.name.clone())
    }

    pub fn table_state(&self, table: &QualifiedName) -> TableState {
        if self.facts.created.contains(table) {
            return TableState::New;
        }
        match self.db.and_then(|d| d.tables.get(table)) {
            Some(size) => TableState::Existing(*size),
            // In a reachable database without the table: a statement before this one (a Python
            // migration, say) must create it; it is new.
            None if self.db.is_some() => TableState::New,
            None => TableState::Assumed,
        }
    }

    /// Reports a lock or rewrite problem on `table`: nothing when the table is new, info when
    /// the database says it is small, the rule's severity otherwise.
    pub fn flag_table<'s>(
        &self,
        sink: &'s mut Sink,
        table: &QualifiedName,
        object_type: &str,
        object_name: impl Into<String>,
        message: impl Into<String>,
        location: &SourceLocation,
    ) -> Option<&'s mut Finding> {
        let state = self.table_state(table);
        if state == TableState::New {
            return None;
        }
        let mut message = message.into();
        let small = match state {
            TableState::Existing(size) => {
                message.push_str(&format!(" ({})", size.describe()));
                size.rows.is_some_and(|r| r < self.config.small_table_rows)
            }
            _ => false,
        };
        let f = sink.add(object_type, object_name, message, Some(location));
        if small && f.severity < Severity::Info {
            f.severity = Severity::Info;
            f.message.push_str(": small, so the lock is brief");
        }
        Some(f)
    }

    /// The columns an `ALTER TABLE … ADD COLUMN` statement adds, with their table (search path
    /// applied); `None` for any other statement.
    pub fn added_columns(&self) -> Option<(QualifiedName, Vec<&'a ColumnDef>)> {
        let (rv, cmds) = self.node().and_then(tree::alter_table)?;
        let columns = cmds
            .into_iter()
            .filter(|c| tree::subtype(c) == AlterTableType::AtAddColumn)
            .filter_map(tree::column_def)
            .collect();
        Some((self.resolve(&tree::relation(rv)), columns))
    }

    /// The constraints of `kind` an `ALTER TABLE … ADD CONSTRAINT` statement adds without
    /// `NOT VALID` (so every existing row is checked), with their table.
    pub fn validated_constraints_added(&self, kind: ConstrType) -> Option<(QualifiedName, Vec<&'a Constraint>)> {
        let (rv, cmds) = self.node().and_then(tree::alter_table)?;
        let constraints = cmds
            .into_iter()
            .filter(|c| tree::subtype(c) == AlterTableType::AtAddConstraint)
            .filter_map(tree::constraint)
            .filter(|c| tree::kind(c) == kind && !c.skip_validation)
            .collect();
        Some((self.resolve(&tree::relation(rv)), constraints))
    }

    /// [`Self::flag_table`] for a column added to `table`, placed at the column's definition.
    pub fn flag_added_column(&self, sink: &mut Sink, table: &QualifiedName, cd: &ColumnDef, message: String) {
        self.flag_table(
            sink,
            table,
            "column",
            format!("{table}.{}", cd.colname),
            message,
            &self.location_at(cd.location),
        );
    }

    /// Locks statement `i` takes that get in the way of ordinary traffic (SHARE or stronger: writes
    /// wait) on relations that are not new.
    pub fn disruptive_locks(&self, i: usize) -> Vec<(QualifiedName, LockMode)> {
        let s = &self.stmts[i];
        // A concurrent refresh's EXCLUSIVE lock lets readers through, and nobody writes to a view.
        if matches!(&s.node, Some(NodeEnum::RefreshMatViewStmt(r)) if r.concurrent) {
            return Vec::new();
        }
        let dropping_index = matches!(&s.node, Some(NodeEnum::DropStmt(d)) if d.remove_type == pg_query::protobuf::ObjectType::ObjectIndex as i32);
        s.effects
            .locks
            .iter()
            .filter(|l| !l.created && l.lock >= LockMode::Share)
            .map(|l| (self.resolve(&l.relation), l.lock))
            .filter(|(q, _)| {
                if dropping_index {
                    !self.facts.created_indexes.contains(q)
                } else {
                    self.table_state(q) != TableState::New
                }
            })
            .collect()
    }

    /// The PostgreSQL major version the migration will run on, when known.
    pub fn server_major(&self) -> Option<i64> {
        self.db.map(|d| d.server_version_num / 10_000).or(self.config.postgres_version)
    }

    /// The statements after this one in the same transaction.
    pub fn rest_of_transaction(&self) -> &'a [Stmt] {
        let Some(tx) = self.stmt().transaction else { return &[] };
        let rest = &self.stmts[self.index + 1..];
        let n = rest.iter().take_while(|s| s.transaction == Some(tx)).count();
        &rest[..n]
    }
}

/// Splits and parses a migration file.
pub(crate) fn statements(text: &str) -> Result<(Vec<Stmt>, bool), String> {
    let transactional = !wants_no_transaction(text);
    let split = split(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut tx_counter = 0usize;
    let mut explicit_tx: Option<usize> = None;
    for s in split.iter().filter(|s| !matches!(s.kind, StatementKind::MetaCommand)) {
        let body = s.text(text);
        let line_start = text[..s.range.start].rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..s.range.start].chars().count() + 1;
        let (node, error) = match pg_query::parse(body, pg_query::ParserOptions::DEFAULT) {
            Ok(parsed) => (parsed.protobuf.stmts.into_iter().next().and_then(|r| r.stmt).and_then(|n| n.node), None),
            Err(e) => (None, Some(e.to_string().trim_start_matches("Error parsing query: ").to_string())),
        };
        let effects = node.as_ref().map(effects_of).unwrap_or_default();
        let class = classify(body);
        let transaction = if transactional {
            Some(0)
        } else {
            match class {
                StatementClass::Begin => {
                    tx_counter += 1;
                    explicit_tx = Some(tx_counter);
                    explicit_tx
                }
                StatementClass::Commit | StatementClass::Rollback => explicit_tx.take(),
                _ => explicit_tx,
            }
        };
        out.push(Stmt {
            line: s.line,
            column,
            text: body.to_string(),
            node,
            error,
            effects,
            in_transaction: transaction.is_some(),
            transaction,
        });
    }
    Ok((out, transactional))
}

/// Lints migration files in order (what earlier files create is known to later ones).
///
/// With `pending_known` (the database or `lint.baseline` said which migrations are pending), a
/// table created by an earlier file is new for later ones; otherwise only within its own file.
pub(crate) fn run_rules(
    sources: &[MigrationSource],
    db: Option<&DatabaseFacts>,
    pending_known: bool,
    config: &LintConfig,
    notes: &mut Vec<String>,
) -> (Vec<Finding>, usize) {
    let rules: Vec<_> = all_rules()
        .iter()
        .copied()
        .filter(|r| r.target == Target::Migration)
        .filter_map(|r| config.severity_of(r.id).map(|s| (r, s)))
        .collect();
    let mut findings = Vec::new();
    let mut facts = Facts::new(db);
    let mut count = 0;
    for source in sources {
        let (stmts, transactional) = match statements(&source.text) {
            Ok(s) => s,
            Err(message) => {
                if let Some(sev) = config.severity_of(syntax_error::META.id) {
                    let mut sink = Sink::new(&syntax_error::META, sev);
                    sink.add("file", source.file.clone(), message, None).file = Some(source.file.clone());
                    findings.extend(sink.findings);
                }
                continue;
            }
        };
        if stmts.is_empty() {
            notes.push(format!("{}: no statements", source.file));
        }
        count += stmts.len();
        facts.start_file(pending_known);
        for index in 0..stmts.len() {
            let ctx =
                StatementCtx { file: &source.file, transactional, stmts: &stmts, index, facts: &facts, db, config };
            for (rule, severity) in &rules {
                if let Check::Statement(check) = rule.check {
                    let mut sink = Sink::new(rule, *severity);
                    check(&ctx, &mut sink);
                    findings.extend(sink.findings);
                }
            }
            facts.apply(
                &stmts[index],
                db,
                stmts[index].transaction != stmts.get(index + 1).and_then(|s| s.transaction),
            );
        }
    }
    (findings, count)
}
