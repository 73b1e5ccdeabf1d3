//! What a statement does to the database, read from PostgreSQL's own parse tree: the lock it takes
//! on each relation, whether it rewrites or scans a table while holding that lock, whether it
//! destroys data, whether it can run inside a transaction, and a safer way when there is one.
//! Used by `migrate up --dry-run` (and by lint and coordination).

use pg_query::NodeEnum;
use pg_query::protobuf::{AlterTableType, ConstrType, Node, ObjectType, RangeVar};
use serde::Serialize;

/// PostgreSQL's table lock modes, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LockMode {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl LockMode {
    pub fn name(self) -> &'static str {
        match self {
            Self::AccessShare => "ACCESS SHARE",
            Self::RowShare => "ROW SHARE",
            Self::RowExclusive => "ROW EXCLUSIVE",
            Self::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            Self::Share => "SHARE",
            Self::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            Self::Exclusive => "EXCLUSIVE",
            Self::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// `an ACCESS EXCLUSIVE`, `a SHARE` (for sentences).
    pub fn with_article(self) -> String {
        let article =
            if matches!(self, Self::AccessShare | Self::AccessExclusive | Self::Exclusive) { "an" } else { "a" };
        format!("{article} {}", self.name())
    }

    /// Whether ordinary writes (INSERT/UPDATE/DELETE) wait while this lock is held.
    pub fn blocks_writes(self) -> bool {
        self >= Self::Share
    }

    /// Whether plain SELECTs wait while this lock is held.
    pub fn blocks_reads(self) -> bool {
        self == Self::AccessExclusive
    }
}

/// A relation named in a statement (`schema` when written).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Relation {
    pub schema: Option<String>,
    pub name: String,
}

impl Relation {
    pub fn from_range_var(rv: &RangeVar) -> Self {
        Self { schema: (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone()), name: rv.relname.clone() }
    }

    /// `schema.name` or `name`, unquoted, for messages.
    pub fn display(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// One relation a statement locks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockedRelation {
    pub relation: Relation,
    pub lock: LockMode,
    /// The statement creates this relation (its lock bothers nobody).
    pub created: bool,
}

/// What one statement does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatementEffects {
    /// A short description: `ALTER TABLE … ADD COLUMN`, `CREATE INDEX`, …
    pub operation: String,
    pub locks: Vec<LockedRelation>,
    /// The table is rewritten (every row copied) while locked.
    pub rewrites: bool,
    /// The table is read in full (validation, index build) while locked.
    pub scans: bool,
    /// Data or objects are destroyed.
    pub destructive: bool,
    /// Rows are changed (UPDATE/DELETE/INSERT).
    pub modifies_rows: bool,
    /// False for statements PostgreSQL refuses inside a transaction block.
    pub transactional: bool,
    /// Why it matters and what to do instead.
    pub notes: Vec<String>,
}

impl StatementEffects {
    fn new(operation: &str) -> Self {
        Self { operation: operation.to_string(), transactional: true, ..Self::default() }
    }

    fn lock(&mut self, relation: Relation, lock: LockMode, created: bool) {
        match self.locks.iter_mut().find(|l| l.relation == relation) {
            Some(existing) => {
                existing.lock = existing.lock.max(lock);
                existing.created |= created;
            }
            None => self.locks.push(LockedRelation { relation, lock, created }),
        }
    }

    fn note(&mut self, text: &str) {
        if !self.notes.iter().any(|n| n == text) {
            self.notes.push(text.to_string());
        }
    }

    /// The strongest lock taken on a relation that existed before the statement.
    pub fn strongest_lock(&self) -> Option<LockMode> {
        self.locks.iter().filter(|l| !l.created).map(|l| l.lock).max()
    }
}

/// Analyses every statement of `sql`. A statement PostgreSQL cannot parse is an error (its message).
pub fn analyze(sql: &str) -> Result<Vec<StatementEffects>, String> {
    let parsed = pg_query::parse(sql, pg_query::ParserOptions::DEFAULT).map_err(|e| e.to_string())?;
    Ok(parsed
        .protobuf
        .stmts
        .iter()
        .filter_map(|raw| raw.stmt.as_ref().and_then(|s| s.node.as_ref()))
        .map(effects_of)
        .collect())
}

/// What one parsed statement does.
pub fn effects_of(node: &NodeEnum) -> StatementEffects {
    match node {
        NodeEnum::CreateStmt(c) => {
            let mut e = StatementEffects::new("CREATE TABLE");
            if let Some(rv) = &c.relation {
                e.lock(Relation::from_range_var(rv), LockMode::AccessExclusive, true);
            }
            for parent in c.inh_relations.iter().filter_map(range_var) {
                // PARTITION OF / INHERITS lock the parent.
                e.lock(Relation::from_range_var(parent), LockMode::AccessExclusive, false);
            }
            for constraint in c.table_elts.iter().flat_map(column_or_table_constraints) {
                if constraint.contype == ConstrType::ConstrForeign as i32
                    && let Some(pk) = &constraint.pktable
                {
                    e.lock(Relation::from_range_var(pk), LockMode::ShareRowExclusive, false);
                }
            }
            e
        }
        NodeEnum::AlterTableStmt(a) => alter_table(a),
        NodeEnum::IndexStmt(i) => {
            let mut e = StatementEffects::new(if i.concurrent { "CREATE INDEX CONCURRENTLY" } else { "CREATE INDEX" });
            if let Some(rv) = &i.relation {
                if i.concurrent {
                    e.lock(Relation::from_range_var(rv), LockMode::ShareUpdateExclusive, false);
                    e.transactional = false;
                } else {
                    e.lock(Relation::from_range_var(rv), LockMode::Share, false);
                    e.note("builds the index while blocking writes to the table; use CREATE INDEX CONCURRENTLY (outside a transaction)");
                }
                e.scans = true;
            }
            e
        }
        NodeEnum::DropStmt(d) => drop_stmt(d),
        NodeEnum::TruncateStmt(t) => {
            let mut e = StatementEffects::new("TRUNCATE");
            for rv in t.relations.iter().filter_map(range_var) {
                e.lock(Relation::from_range_var(rv), LockMode::AccessExclusive, false);
            }
            e.destructive = true;
            e.note("deletes every row");
            e
        }
        NodeEnum::RenameStmt(r) => {
            let mut e = StatementEffects::new("RENAME");
            if let Some(rv) = &r.relation {
                e.lock(Relation::from_range_var(rv), LockMode::AccessExclusive, false);
            }
            e.note("a rename breaks clients that use the old name; ship the code change first, or use a view");
            e
        }
        NodeEnum::DeleteStmt(d) => {
            let mut e = StatementEffects::new("DELETE");
            if let Some(rv) = &d.relation {
                e.lock(Relation::from_range_var(rv), LockMode::RowExclusive, false);
            }
            e.destructive = true;
            e.modifies_rows = true;
            if d.where_clause.is_none() {
                e.note("DELETE without WHERE removes every row");
            }
            e
        }
        NodeEnum::UpdateStmt(u) => {
            let mut e = StatementEffects::new("UPDATE");
            if let Some(rv) = &u.relation {
                e.lock(Relation::from_range_var(rv), LockMode::RowExclusive, false);
            }
            e.modifies_rows = true;
            e.note("large UPDATEs hold row locks and bloat the table; batch them on big tables");
            e
        }
        NodeEnum::InsertStmt(i) => {
            let mut e = StatementEffects::new("INSERT");
            if let Some(rv) = &i.relation {
                e.lock(Relation::from_range_var(rv), LockMode::RowExclusive, false);
            }
            e.modifies_rows = true;
            e
        }
        NodeEnum::CreateTrigStmt(t) => {
            let mut e = StatementEffects::new("CREATE TRIGGER");
            if let Some(rv) = &t.relation {
                e.lock(Relation::from_range_var(rv), LockMode::ShareRowExclusive, false);
            }
            e
        }
        NodeEnum::RefreshMatViewStmt(r) => {
            let mut e = StatementEffects::new("REFRESH MATERIALIZED VIEW");
            if let Some(rv) = &r.relation {
                let lock = if r.concurrent { LockMode::Exclusive } else { LockMode::AccessExclusive };
                e.lock(Relation::from_range_var(rv), lock, false);
            }
            e.scans = true;
            if !r.concurrent {
                e.note("blocks reads of the view while it refreshes; REFRESH … CONCURRENTLY needs a unique index");
            }
            e
        }
        NodeEnum::AlterEnumStmt(_) => {
            let mut e = StatementEffects::new("ALTER TYPE … ADD VALUE");
            e.note("on PostgreSQL < 12 ADD VALUE cannot run inside a transaction; the new value is usable only after commit");
            e
        }
        NodeEnum::VacuumStmt(_) => {
            let mut e = StatementEffects::new("VACUUM / ANALYZE");
            e.transactional = false;
            e
        }
        NodeEnum::CreatedbStmt(_) | NodeEnum::DropdbStmt(_) | NodeEnum::AlterSystemStmt(_) => {
            let mut e = StatementEffects::new(statement_name(node));
            e.transactional = false;
            e
        }
        NodeEnum::ReindexStmt(r) => {
            let mut e = StatementEffects::new("REINDEX");
            let concurrently =
                r.params.iter().any(|p| matches!(&p.node, Some(NodeEnum::DefElem(d)) if d.defname == "concurrently"));
            if let Some(rv) = &r.relation {
                // CONCURRENTLY builds the new index beside the old one: writes continue.
                let lock = if concurrently { LockMode::ShareUpdateExclusive } else { LockMode::Share };
                e.lock(Relation::from_range_var(rv), lock, false);
            }
            if concurrently {
                e.transactional = false;
            }
            e.scans = true;
            e
        }
        other => StatementEffects::new(statement_name(other)),
    }
}

fn alter_table(a: &pg_query::protobuf::AlterTableStmt) -> StatementEffects {
    let mut e = StatementEffects::new("ALTER TABLE");
    let Some(rv) = &a.relation else { return e };
    let table = Relation::from_range_var(rv);
    let mut operations = Vec::new();
    for cmd in a.cmds.iter().filter_map(|n| match &n.node {
        Some(NodeEnum::AlterTableCmd(c)) => Some(c),
        _ => None,
    }) {
        let subtype = AlterTableType::try_from(cmd.subtype).unwrap_or(AlterTableType::Undefined);
        let (name, lock) = match subtype {
            AlterTableType::AtAddColumn => {
                if let Some(NodeEnum::ColumnDef(col)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                    add_column_effects(&mut e, col);
                }
                ("ADD COLUMN", LockMode::AccessExclusive)
            }
            AlterTableType::AtDropColumn => {
                e.destructive = true;
                e.note("dropping a column deletes its data and breaks code still reading it");
                ("DROP COLUMN", LockMode::AccessExclusive)
            }
            AlterTableType::AtAlterColumnType => {
                e.rewrites = true;
                e.note("changing a column's type rewrites the table (unless binary compatible, e.g. varchar → text); add a new column, backfill in batches, then swap");
                ("ALTER COLUMN TYPE", LockMode::AccessExclusive)
            }
            AlterTableType::AtSetNotNull => {
                e.scans = true;
                e.note("SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock; add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ skips the scan)");
                ("SET NOT NULL", LockMode::AccessExclusive)
            }
            AlterTableType::AtAddConstraint => {
                if let Some(NodeEnum::Constraint(c)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                    add_constraint_effects(&mut e, c)
                } else {
                    ("ADD CONSTRAINT", LockMode::AccessExclusive)
                }
            }
            AlterTableType::AtValidateConstraint => {
                e.scans = true;
                ("VALIDATE CONSTRAINT", LockMode::ShareUpdateExclusive)
            }
            AlterTableType::AtDropConstraint => ("DROP CONSTRAINT", LockMode::AccessExclusive),
            AlterTableType::AtSetStatistics
            | AlterTableType::AtSetOptions
            | AlterTableType::AtResetOptions
            | AlterTableType::AtSetRelOptions
            | AlterTableType::AtResetRelOptions
            | AlterTableType::AtClusterOn
            | AlterTableType::AtDropCluster => ("SET options", LockMode::ShareUpdateExclusive),
            AlterTableType::AtEnableTrig
            | AlterTableType::AtDisableTrig
            | AlterTableType::AtEnableAlwaysTrig
            | AlterTableType::AtEnableReplicaTrig
            | AlterTableType::AtEnableTrigAll
            | AlterTableType::AtDisableTrigAll
            | AlterTableType::AtEnableTrigUser
            | AlterTableType::AtDisableTrigUser => ("ENABLE/DISABLE TRIGGER", LockMode::ShareRowExclusive),
            AlterTableType::AtAttachPartition => {
                e.scans = true;
                e.note("ATTACH PARTITION scans the partition unless a matching CHECK constraint proves the bound");
                ("ATTACH PARTITION", LockMode::ShareUpdateExclusive)
            }
            AlterTableType::AtSetLogged
            | AlterTableType::AtSetUnLogged
            | AlterTableType::AtSetAccessMethod
            | AlterTableType::AtSetTableSpace => {
                e.rewrites = true;
                ("SET LOGGED/UNLOGGED/TABLESPACE", LockMode::AccessExclusive)
            }
            AlterTableType::AtColumnDefault => ("ALTER COLUMN DEFAULT", LockMode::AccessExclusive),
            AlterTableType::AtDropNotNull => ("DROP NOT NULL", LockMode::AccessExclusive),
            _ => ("ALTER TABLE", LockMode::AccessExclusive),
        };
        operations.push(name);
        e.lock(table.clone(), lock, false);
    }
    operations.dedup();
    e.operation = format!("ALTER TABLE … {}", operations.join(", "));
    e
}

fn add_column_effects(e: &mut StatementEffects, col: &pg_query::protobuf::ColumnDef) {
    let constraints: Vec<&pg_query::protobuf::Constraint> = col
        .constraints
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::Constraint(c)) => Some(&**c),
            _ => None,
        })
        .collect();
    let has = |t: ConstrType| constraints.iter().any(|c| c.contype == t as i32);
    let default = constraints.iter().find(|c| c.contype == ConstrType::ConstrDefault as i32);
    if has(ConstrType::ConstrGenerated) {
        e.rewrites = true;
        e.note("a stored generated column rewrites the table");
    }
    if let Some(d) = default
        && d.raw_expr.as_ref().is_some_and(|x| is_volatile_default(x))
    {
        e.rewrites = true;
        e.note("a volatile DEFAULT (e.g. random(), clock_timestamp(), gen_random_uuid()) rewrites the table; add the column without it, then backfill in batches");
    }
    if has(ConstrType::ConstrNotnull) && default.is_none() && !has(ConstrType::ConstrIdentity) {
        e.note("NOT NULL without a DEFAULT fails on a table that has rows");
    }
    for c in &constraints {
        if c.contype == ConstrType::ConstrForeign as i32
            && let Some(pk) = &c.pktable
        {
            e.lock(Relation::from_range_var(pk), LockMode::ShareRowExclusive, false);
        }
    }
}

/// Defaults that are evaluated per row: any function call except a few well-known stable ones.
pub fn is_volatile_default(node: &Node) -> bool {
    const STABLE: &[&str] =
        &["now", "current_timestamp", "transaction_timestamp", "statement_timestamp", "current_date"];
    match &node.node {
        Some(NodeEnum::FuncCall(f)) => {
            let name = f
                .funcname
                .last()
                .and_then(|n| match &n.node {
                    Some(NodeEnum::String(s)) => Some(s.sval.to_ascii_lowercase()),
                    _ => None,
                })
                .unwrap_or_default();
            !STABLE.contains(&name.as_str()) || f.args.iter().any(is_volatile_default)
        }
        Some(NodeEnum::TypeCast(t)) => t.arg.as_ref().is_some_and(|a| is_volatile_default(a)),
        Some(NodeEnum::AExpr(x)) => {
            x.lexpr.as_ref().is_some_and(|a| is_volatile_default(a))
                || x.rexpr.as_ref().is_some_and(|a| is_volatile_default(a))
        }
        // CURRENT_TIMESTAMP and friends parse as SQLValueFunction: stable.
        _ => false,
    }
}

fn add_constraint_effects(e: &mut StatementEffects, c: &pg_query::protobuf::Constraint) -> (&'static str, LockMode) {
    let not_valid = c.skip_validation;
    match ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined) {
        ConstrType::ConstrForeign => {
            if let Some(pk) = &c.pktable {
                e.lock(Relation::from_range_var(pk), LockMode::ShareRowExclusive, false);
            }
            if !not_valid {
                e.scans = true;
                e.note("a FOREIGN KEY is validated with a full scan while writes wait; add it NOT VALID, then VALIDATE CONSTRAINT");
            }
            ("ADD FOREIGN KEY", LockMode::ShareRowExclusive)
        }
        ConstrType::ConstrCheck => {
            if !not_valid {
                e.scans = true;
                e.note("a CHECK is validated with a full scan under an ACCESS EXCLUSIVE lock; add it NOT VALID, then VALIDATE CONSTRAINT");
            }
            ("ADD CHECK", LockMode::AccessExclusive)
        }
        ConstrType::ConstrPrimary | ConstrType::ConstrUnique | ConstrType::ConstrExclusion => {
            if c.indexname.is_empty() {
                e.scans = true;
                e.note("the constraint builds its index under an ACCESS EXCLUSIVE lock; CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … USING INDEX");
            }
            ("ADD PRIMARY KEY/UNIQUE", LockMode::AccessExclusive)
        }
        _ => ("ADD CONSTRAINT", LockMode::AccessExclusive),
    }
}

fn drop_stmt(d: &pg_query::protobuf::DropStmt) -> StatementEffects {
    let kind = ObjectType::try_from(d.remove_type).unwrap_or(ObjectType::Undefined);
    let mut e = StatementEffects::new(match kind {
        ObjectType::ObjectTable => "DROP TABLE",
        ObjectType::ObjectIndex if d.concurrent => "DROP INDEX CONCURRENTLY",
        ObjectType::ObjectIndex => "DROP INDEX",
        ObjectType::ObjectView => "DROP VIEW",
        ObjectType::ObjectMatview => "DROP MATERIALIZED VIEW",
        ObjectType::ObjectSchema => "DROP SCHEMA",
        ObjectType::ObjectType => "DROP TYPE",
        ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine => "DROP FUNCTION",
        ObjectType::ObjectSequence => "DROP SEQUENCE",
        ObjectType::ObjectTrigger => "DROP TRIGGER",
        _ => "DROP",
    });
    let names: Vec<Relation> = d.objects.iter().filter_map(qualified_name).collect();
    match kind {
        ObjectType::ObjectTable | ObjectType::ObjectMatview | ObjectType::ObjectSequence => {
            e.destructive = true;
            e.note("drops the object and its data");
            for n in names {
                e.lock(n, LockMode::AccessExclusive, false);
            }
        }
        ObjectType::ObjectSchema => {
            e.destructive = true;
            e.note("drops the schema (with CASCADE, everything in it)");
        }
        ObjectType::ObjectIndex => {
            if d.concurrent {
                e.transactional = false;
            } else {
                e.note("DROP INDEX takes an ACCESS EXCLUSIVE lock on the table; use DROP INDEX CONCURRENTLY (outside a transaction)");
            }
            let lock = if d.concurrent { LockMode::ShareUpdateExclusive } else { LockMode::AccessExclusive };
            for n in names {
                e.lock(n, lock, false);
            }
        }
        ObjectType::ObjectView => {
            for n in names {
                e.lock(n, LockMode::AccessExclusive, false);
            }
        }
        _ => {}
    }
    e
}

fn range_var(node: &Node) -> Option<&RangeVar> {
    match &node.node {
        Some(NodeEnum::RangeVar(rv)) => Some(rv),
        _ => None,
    }
}

fn column_or_table_constraints(node: &Node) -> Vec<&pg_query::protobuf::Constraint> {
    match &node.node {
        Some(NodeEnum::Constraint(c)) => vec![c],
        Some(NodeEnum::ColumnDef(col)) => col
            .constraints
            .iter()
            .filter_map(|n| match &n.node {
                Some(NodeEnum::Constraint(c)) => Some(&**c),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `List` of `String` nodes (`schema.name` or `name`) as a relation.
pub fn qualified_name(node: &Node) -> Option<Relation> {
    let Some(NodeEnum::List(list)) = &node.node else { return None };
    let parts: Vec<&str> = list
        .items
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        [name] => Some(Relation { schema: None, name: (*name).to_string() }),
        [.., schema, name] => Some(Relation { schema: Some((*schema).to_string()), name: (*name).to_string() }),
        [] => None,
    }
}

/// A readable name for any statement kind: `CreateFunctionStmt` → `CREATE FUNCTION`.
fn statement_name(node: &NodeEnum) -> &'static str {
    match node {
        NodeEnum::ViewStmt(_) => "CREATE VIEW",
        NodeEnum::CreateFunctionStmt(_) => "CREATE FUNCTION",
        NodeEnum::CreateSchemaStmt(_) => "CREATE SCHEMA",
        NodeEnum::CreateSeqStmt(_) => "CREATE SEQUENCE",
        NodeEnum::CreateEnumStmt(_) => "CREATE TYPE … AS ENUM",
        NodeEnum::CompositeTypeStmt(_) => "CREATE TYPE",
        NodeEnum::CreateDomainStmt(_) => "CREATE DOMAIN",
        NodeEnum::CreateExtensionStmt(_) => "CREATE EXTENSION",
        NodeEnum::CommentStmt(_) => "COMMENT",
        NodeEnum::GrantStmt(_) => "GRANT/REVOKE",
        NodeEnum::CreatePolicyStmt(_) => "CREATE POLICY",
        NodeEnum::CreateTableAsStmt(_) => "CREATE TABLE AS / MATERIALIZED VIEW",
        NodeEnum::SelectStmt(_) => "SELECT",
        NodeEnum::DoStmt(_) => "DO",
        NodeEnum::VariableSetStmt(_) => "SET",
        NodeEnum::CreatedbStmt(_) => "CREATE DATABASE",
        NodeEnum::DropdbStmt(_) => "DROP DATABASE",
        NodeEnum::AlterSystemStmt(_) => "ALTER SYSTEM",
        NodeEnum::TransactionStmt(_) => "transaction control",
        _ => "statement",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str) -> StatementEffects {
        let mut all = analyze(sql).unwrap();
        assert_eq!(all.len(), 1, "{sql}");
        all.remove(0)
    }

    #[test]
    fn index_builds() {
        let e = one("CREATE INDEX i ON app.users (email)");
        assert_eq!(e.strongest_lock(), Some(LockMode::Share));
        assert!(e.scans && e.transactional && !e.notes.is_empty());
        let e = one("CREATE INDEX CONCURRENTLY i ON users (email)");
        assert_eq!(e.strongest_lock(), Some(LockMode::ShareUpdateExclusive));
        assert!(!e.transactional);
    }

    #[test]
    fn alter_table_variants() {
        let e = one("ALTER TABLE users ADD COLUMN bio text");
        assert_eq!(e.strongest_lock(), Some(LockMode::AccessExclusive));
        assert!(!e.rewrites && !e.scans && !e.destructive);
        assert!(one("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()").rewrites);
        assert!(!one("ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now()").rewrites);
        assert!(one("ALTER TABLE users ALTER COLUMN id TYPE bigint").rewrites);
        assert!(one("ALTER TABLE users DROP COLUMN bio").destructive);
        assert!(one("ALTER TABLE users ALTER COLUMN email SET NOT NULL").scans);
        let fk = one("ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id)");
        assert!(fk.scans);
        assert_eq!(fk.locks.len(), 2);
        assert!(fk.locks.iter().all(|l| l.lock == LockMode::ShareRowExclusive));
        assert!(
            !one("ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID").scans
        );
        let v = one("ALTER TABLE posts VALIDATE CONSTRAINT fk");
        assert_eq!(v.strongest_lock(), Some(LockMode::ShareUpdateExclusive));
    }

    #[test]
    fn creates_drops_and_data() {
        let e = one("CREATE TABLE app.t (id int REFERENCES app.users)");
        assert!(e.strongest_lock() == Some(LockMode::ShareRowExclusive));
        assert!(e.locks.iter().any(|l| l.created && l.relation.display() == "app.t"));
        assert!(one("DROP TABLE a, b.c").destructive);
        assert_eq!(one("DROP TABLE a, b.c").locks.len(), 2);
        assert!(one("TRUNCATE t").destructive);
        assert!(one("DELETE FROM t").notes.iter().any(|n| n.contains("without WHERE")));
        assert!(!one("DROP INDEX CONCURRENTLY i").transactional);
        assert_eq!(one("CREATE VIEW v AS SELECT 1").strongest_lock(), None);
        assert!(analyze("CREATE TABLE (").is_err());
    }
}
