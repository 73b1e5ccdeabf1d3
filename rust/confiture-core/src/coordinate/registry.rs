//! The intent registry on PostgreSQL. Registration is race-free: it takes transaction-scoped
//! advisory locks on the anchors of everything the intent affects (sorted, so two registrations
//! never wait on each other in a cycle), then reads the active intents sharing an anchor. Two
//! overlapping registrations therefore run one after the other, and the second sees the first.
//! Everything else an operation writes goes in one statement, inside the same transaction.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::CoordinateError;
use super::detect::{Finding, Participant, detect};
use super::extract::extract;
use super::model::{
    AffectedObject, Conflict, ConflictType, Intent, IntentStatus, RiskLevel, Severity, StatusChange, branch_base,
};
use super::objects::{Action, Affected, Object, ObjectKind, parse_qualified};
use super::project::expand;
use super::tables::{self, CONFLICT_COLUMNS, HISTORY_COLUMNS, INIT_LOCK_KEY, INTENT_COLUMNS, LOCK_NAMESPACE};
use crate::db::{ExecError, Executor, Query, Row};
use crate::schema::Catalog;

/// What an agent says it will do.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IntentRequest {
    pub agent_id: String,
    pub feature_name: String,
    /// DDL, one or more statements per element.
    pub schema_changes: Vec<String>,
    /// Tables named explicitly (else derived from the DDL).
    pub tables_affected: Option<Vec<String>>,
    pub estimated_duration_ms: i64,
    pub risk_level: Option<String>,
    pub metadata: Option<Value>,
}

/// An intent's request, read: what it affects, and the tables it names.
#[derive(Debug, Clone)]
pub struct Analyzed {
    pub affected: Affected,
    /// The feature name given, or one derived from the agent and the first object changed.
    pub feature_name: String,
    /// The DDL, one statement per element (without the closing `;`).
    pub statements: Vec<String>,
    pub tables_affected: Vec<String>,
    pub risk_level: RiskLevel,
}

/// Reads a request: parses its DDL, adds the tables it names, and the project's dependencies.
pub fn analyze(req: &IntentRequest, project: Option<&Catalog>) -> Result<Analyzed, CoordinateError> {
    if req.agent_id.trim().is_empty() {
        return Err(CoordinateError::Invalid("agent_id must not be empty (--agent-id)".into()));
    }
    let risk_level = match &req.risk_level {
        None => RiskLevel::Low,
        Some(r) => RiskLevel::parse(r)
            .ok_or_else(|| CoordinateError::Invalid(format!("risk level {r:?} is not one of low, medium, high")))?,
    };
    if req.estimated_duration_ms < 0 {
        return Err(CoordinateError::Invalid("the estimated duration must not be negative".into()));
    }
    let mut affected = Affected::default();
    let mut statements = Vec::new();
    for (index, text) in req.schema_changes.iter().enumerate() {
        let found = extract(text).map_err(|e| CoordinateError::ddl(index + 1, e))?;
        affected.merge(found);
        // `extract` succeeded, so the text splits.
        for s in crate::sql::split(text).unwrap_or_default() {
            let stmt = s.text(text).trim().trim_end_matches(';').trim_end();
            if !stmt.is_empty() {
                statements.push(stmt.to_string());
            }
        }
    }
    let named = req.tables_affected.clone().unwrap_or_default();
    for t in named.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let (schema, name) =
            parse_qualified(t).map_err(|m| CoordinateError::Invalid(format!("--tables-affected: {m}")))?;
        affected.change(Object::new(ObjectKind::Table, &schema, &name), Action::Alter);
    }
    if affected.changes.is_empty() {
        return Err(CoordinateError::Invalid(
            "nothing to coordinate: give the tables (--tables-affected) or the DDL (--schema-changes, --from-migration)"
                .into(),
        ));
    }
    if let Some(catalog) = project {
        expand(&mut affected, catalog);
    }
    affected.settle();
    let tables_affected = match &req.tables_affected {
        Some(t) if !t.is_empty() => t.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        _ => affected.relations(),
    };
    let feature_name = if req.feature_name.trim().is_empty() {
        default_feature_name(&req.agent_id, &affected)
    } else {
        req.feature_name.clone()
    };
    Ok(Analyzed { affected, feature_name, statements, tables_affected, risk_level })
}

fn exec_err(context: &str) -> impl FnOnce(ExecError) -> CoordinateError + '_ {
    move |source| CoordinateError::Exec { context: context.to_string(), source }
}

/// Creates the tables (and indexes) when any is missing; idempotent and safe to run concurrently.
/// Intents registered by fraiseql-confiture 0.3.9 get their object rows from their stored DDL.
pub fn ensure_tables(exec: &mut dyn Executor) -> Result<bool, CoordinateError> {
    let rows = exec.query(&Query::new(tables::EXISTS)).map_err(exec_err("checking the coordination tables"))?;
    if first(&rows).as_deref() == Some("true") {
        return Ok(false);
    }
    in_transaction(exec, |exec| {
        exec.execute(&format!("SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, {INIT_LOCK_KEY})"))
            .map_err(exec_err("locking the coordination tables"))?;
        exec.execute(tables::CREATE).map_err(exec_err("creating the coordination tables"))?;
        backfill(exec)
    })?;
    Ok(true)
}

/// Object rows for intents that have none (registered before the object table existed).
fn backfill(exec: &mut dyn Executor) -> Result<(), CoordinateError> {
    let rows = exec
        .query(&Query::new(
            "SELECT i.id, i.schema_changes::text, i.tables_affected::text FROM tb_pggit_intent i \
             WHERE NOT EXISTS (SELECT 1 FROM tb_pggit_intent_object o WHERE o.intent_id = i.id)",
        ))
        .map_err(exec_err("reading existing intents"))?;
    for row in rows {
        let id = text(&row, 0);
        let changes: Vec<String> = serde_json::from_str(&text(&row, 1)).unwrap_or_default();
        let tables: Vec<String> = serde_json::from_str(&text(&row, 2)).unwrap_or_default();
        let mut affected = Affected::default();
        for c in &changes {
            // DDL 0.3.9 accepted but PostgreSQL would not is skipped: its tables still count.
            if let Ok(found) = extract(c) {
                affected.merge(found);
            }
        }
        for t in &tables {
            if let Ok((schema, name)) = parse_qualified(t) {
                affected.change(Object::new(ObjectKind::Table, &schema, &name), Action::Alter);
            }
        }
        affected.settle();
        let q = Query::new(
            "INSERT INTO tb_pggit_intent_object (intent_id, anchor, kind, schema_name, object_name, member, role) \
             SELECT ",
        )
        .param(id)
        .sql(", t.anchor, t.kind, t.schema_name, t.object_name, t.member, t.role FROM jsonb_to_recordset(")
        .param(object_rows(&affected).to_string())
        .sql("::jsonb) AS t(anchor text, kind text, schema_name text, object_name text, member text, role text)");
        exec.query(&q).map_err(exec_err("recording existing intents' objects"))?;
    }
    Ok(())
}

/// Runs `f` in a transaction: committed when it succeeds, rolled back when it fails.
fn in_transaction<T>(
    exec: &mut dyn Executor,
    f: impl FnOnce(&mut dyn Executor) -> Result<T, CoordinateError>,
) -> Result<T, CoordinateError> {
    exec.begin().map_err(exec_err("starting a transaction"))?;
    match f(exec) {
        Ok(v) => {
            exec.commit().map_err(exec_err("committing"))?;
            Ok(v)
        }
        Err(e) => {
            // The original error matters more than a failed rollback on a broken connection.
            let _ = exec.rollback();
            Err(e)
        }
    }
}

/// The object rows of an intent, as JSON for `jsonb_to_recordset`.
fn object_rows(affected: &Affected) -> Value {
    let mut rows = Vec::new();
    for (o, actions) in &affected.changes {
        for a in actions {
            rows.push(object_row(o, a.as_str()));
        }
    }
    for d in &affected.depends_on {
        rows.push(object_row(d, "depends_on"));
    }
    Value::Array(rows)
}

fn object_row(o: &Object, role: &str) -> Value {
    json!({
        "anchor": o.anchor(),
        "kind": o.kind.as_str(),
        "schema_name": o.schema,
        "object_name": o.name,
        "member": o.member,
        "role": role,
    })
}

/// The lock key of an anchor: 31 bits of its SHA-256.
fn lock_key(anchor: &str) -> i32 {
    let digest = Sha256::digest(anchor.as_bytes());
    i32::from_be_bytes([digest[0] & 0x7f, digest[1], digest[2], digest[3]])
}

/// A PostgreSQL array literal of texts (`{"a","b"}`), for `$n::text[]`.
fn text_array(items: &[String]) -> String {
    let quoted: Vec<String> =
        items.iter().map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))).collect();
    format!("{{{}}}", quoted.join(","))
}

fn first(rows: &[Row]) -> Option<String> {
    rows.first().and_then(|r| r.first().cloned().flatten())
}

fn text(row: &Row, i: usize) -> String {
    row.get(i).cloned().flatten().unwrap_or_default()
}

fn json_col<T: serde::de::DeserializeOwned + Default>(row: &Row, i: usize) -> T {
    serde_json::from_str(&text(row, i)).unwrap_or_default()
}

fn status_of(s: &str) -> IntentStatus {
    IntentStatus::parse(s).unwrap_or(IntentStatus::Registered)
}

fn intent_from_row(row: &Row) -> Intent {
    Intent {
        id: text(row, 0),
        agent_id: text(row, 1),
        feature_name: text(row, 2),
        branch_name: text(row, 3),
        schema_changes: json_col(row, 4),
        tables_affected: json_col(row, 5),
        estimated_duration_ms: text(row, 6).parse().unwrap_or(0),
        risk_level: RiskLevel::parse(&text(row, 7)).unwrap_or(RiskLevel::Low),
        status: status_of(&text(row, 8)),
        created_at: text(row, 9),
        updated_at: text(row, 10),
        conflicts_with: json_col(row, 11),
        metadata: serde_json::from_str(&text(row, 12)).unwrap_or_else(|_| json!({})),
        objects: Vec::new(),
    }
}

fn conflict_type_of(s: &str) -> ConflictType {
    serde_json::from_value(Value::String(s.to_string())).unwrap_or(ConflictType::Table)
}

fn conflict_from_row(row: &Row) -> Conflict {
    Conflict {
        id: text(row, 0).parse().unwrap_or(0),
        intent_a: text(row, 1),
        intent_b: text(row, 2),
        conflict_type: conflict_type_of(&text(row, 3)),
        affected_objects: json_col(row, 4),
        severity: if text(row, 5) == "error" { Severity::Error } else { Severity::Warning },
        resolution_suggestions: json_col(row, 6),
        reviewed: text(row, 7) == "true",
        reviewed_at: row.get(8).cloned().flatten(),
        resolution_notes: text(row, 9),
        created_at: text(row, 10),
    }
}

fn history_from_row(row: &Row) -> StatusChange {
    StatusChange {
        id: text(row, 0).parse().unwrap_or(0),
        intent_id: text(row, 1),
        old_status: row.get(2).cloned().flatten().map(|s| status_of(&s)),
        new_status: status_of(&text(row, 3)),
        reason: text(row, 4),
        changed_by: text(row, 5),
        changed_at: text(row, 6),
    }
}

/// An object row read back: the object and its role.
fn object_from_row(kind: &str, schema: String, name: String, member: Option<String>) -> Option<Object> {
    Some(Object { kind: ObjectKind::parse(kind)?, schema, name, member })
}

/// The intent on the other side of a conflict, for people and agents reading the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Counterpart {
    pub intent_id: String,
    pub agent_id: String,
    pub feature_name: String,
    pub status: IntentStatus,
}

/// A conflict with the intent it is with.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConflictWith {
    #[serde(flatten)]
    pub conflict: Conflict,
    pub with: Counterpart,
}

/// What `register` and `check` return.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    /// The stored intent (`None` for `check`).
    pub intent: Option<Intent>,
    pub conflicts: Vec<ConflictWith>,
    /// What the DDL affects (for `check`, where no intent is stored).
    pub objects: Vec<AffectedObject>,
    pub tables_affected: Vec<String>,
}

impl Outcome {
    pub fn worst(&self) -> Option<Severity> {
        self.conflicts.iter().map(|c| c.conflict.severity).max()
    }
}

/// An active intent sharing an anchor with a new one.
struct Candidate {
    id: String,
    agent_id: String,
    feature_name: String,
    status: IntentStatus,
    window: Option<(i64, i64)>,
    affected: Affected,
}

/// What a new intent is compared with, read in one statement (one round trip): the server's
/// clock, the branch names taken for its branch base, and the active intents of other agents that
/// share an anchor with it.
struct Surroundings {
    now_ms: i64,
    taken_branches: BTreeSet<String>,
    candidates: Vec<Candidate>,
}

fn surroundings(
    exec: &mut dyn Executor,
    anchors: &[String],
    agent: &str,
    branch_base: &str,
) -> Result<Surroundings, CoordinateError> {
    let q = Query::new(
        "SELECT s.now, s.taken, c.id, c.agent_id, c.feature_name, c.status, c.duration, c.start, \
         c.kind, c.schema_name, c.object_name, c.member, c.role \
         FROM (SELECT (extract(epoch FROM statement_timestamp()) * 1000)::bigint::text AS now, \
         (SELECT coalesce(json_agg(branch_name), '[]')::text FROM tb_pggit_intent WHERE branch_name = ",
    )
    .param(branch_base.to_string())
    .sql(" OR branch_name LIKE ")
    .param(format!("{}\\_%", like_escape(branch_base)))
    .sql(
        ") AS taken) s LEFT JOIN (SELECT i.id, i.agent_id, i.feature_name, i.status, \
         coalesce(i.estimated_duration_ms, 0)::text AS duration, \
         (extract(epoch FROM i.created_at) * 1000)::bigint::text AS start, i.created_at, \
         o.kind, o.schema_name, o.object_name, o.member, o.role \
         FROM tb_pggit_intent i JOIN tb_pggit_intent_object o ON o.intent_id = i.id \
         WHERE i.id IN (SELECT DISTINCT intent_id FROM tb_pggit_intent_object WHERE anchor = ANY(",
    )
    .param(text_array(anchors))
    .sql("::text[])) AND i.status IN ('registered', 'in_progress', 'conflicted') AND i.agent_id <> ")
    .param(agent.to_string())
    .sql(") c ON true ORDER BY c.created_at, c.id");
    let rows = exec.query(&q).map_err(exec_err("reading overlapping intents"))?;
    let now_ms = rows.first().map(|r| text(r, 0)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let taken_branches = rows.first().map(|r| json_col::<BTreeSet<String>>(r, 1)).unwrap_or_default();
    let mut candidates: Vec<Candidate> = Vec::new();
    for row in rows.iter().filter(|r| r.get(2).is_some_and(Option::is_some)) {
        let id = text(row, 2);
        if candidates.last().is_none_or(|c| c.id != id) {
            let duration: i64 = text(row, 6).parse().unwrap_or(0);
            let start: i64 = text(row, 7).parse().unwrap_or(0);
            candidates.push(Candidate {
                id,
                agent_id: text(row, 3),
                feature_name: text(row, 4),
                status: status_of(&text(row, 5)),
                window: (duration > 0).then_some((start, start + duration)),
                affected: Affected::default(),
            });
        }
        let Some(c) = candidates.last_mut() else { continue };
        let Some(object) = object_from_row(&text(row, 8), text(row, 9), text(row, 10), row.get(11).cloned().flatten())
        else {
            continue;
        };
        match Action::parse(&text(row, 12)) {
            Some(action) => c.affected.change(object, action),
            None => c.affected.depend(object),
        }
    }
    Ok(Surroundings { now_ms, taken_branches, candidates })
}

/// The findings of a new intent against each candidate, in registration order.
fn compare(
    agent_id: &str,
    feature_name: &str,
    affected: &Affected,
    window: Option<(i64, i64)>,
    found: &[Candidate],
) -> Vec<(usize, Finding)> {
    let me = Participant { agent_id, feature_name, affected, window };
    let mut out = Vec::new();
    for (i, c) in found.iter().enumerate() {
        let other = Participant {
            agent_id: &c.agent_id,
            feature_name: &c.feature_name,
            affected: &c.affected,
            window: c.window,
        };
        out.extend(detect(&me, &other).into_iter().map(|f| (i, f)));
    }
    out
}

/// What an intent changes (with each action) and depends on, as reports list it.
pub fn affected_objects(affected: &Affected) -> Vec<AffectedObject> {
    let mut out: Vec<AffectedObject> = Vec::new();
    for (o, actions) in &affected.changes {
        out.extend(actions.iter().map(|a| AffectedObject::changed(o, *a)));
    }
    out.extend(affected.depends_on.iter().map(AffectedObject::dependency));
    out
}

/// The lock keys of a registration, sorted and unique.
fn lock_keys(anchors: &[String], branch: &str) -> Vec<i32> {
    let keys: BTreeSet<i32> =
        anchors.iter().map(|a| lock_key(a)).chain(std::iter::once(lock_key(&format!("branch:{branch}")))).collect();
    keys.into_iter().collect()
}

/// `check`: the conflicts an intent would have, without storing anything.
pub fn check(
    exec: &mut dyn Executor,
    req: &IntentRequest,
    project: Option<&Catalog>,
) -> Result<Outcome, CoordinateError> {
    let analyzed = analyze(req, project)?;
    let anchors = analyzed.affected.anchors();
    let around = surroundings(exec, &anchors, &req.agent_id, &branch_base(&analyzed.feature_name))?;
    let window = (req.estimated_duration_ms > 0).then_some((around.now_ms, around.now_ms + req.estimated_duration_ms));
    let found = around.candidates;
    let findings = compare(&req.agent_id, &analyzed.feature_name, &analyzed.affected, window, &found);
    let conflicts = findings
        .into_iter()
        .map(|(i, f)| {
            let c = &found[i];
            ConflictWith {
                conflict: Conflict {
                    id: 0,
                    intent_a: String::new(),
                    intent_b: c.id.clone(),
                    conflict_type: f.conflict_type,
                    affected_objects: f.affected_objects,
                    severity: f.severity,
                    resolution_suggestions: f.suggestions,
                    reviewed: false,
                    reviewed_at: None,
                    resolution_notes: String::new(),
                    created_at: String::new(),
                },
                with: counterpart(c),
            }
        })
        .collect();
    Ok(Outcome {
        intent: None,
        conflicts,
        objects: affected_objects(&analyzed.affected),
        tables_affected: analyzed.tables_affected,
    })
}

fn counterpart(c: &Candidate) -> Counterpart {
    Counterpart {
        intent_id: c.id.clone(),
        agent_id: c.agent_id.clone(),
        feature_name: c.feature_name.clone(),
        status: c.status,
    }
}

/// A new intent id: `int_` and 16 hex digits.
fn new_id(agent: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    h.update(agent.as_bytes());
    format!("int_{}", &hex::encode(h.finalize())[..16])
}

/// `LIKE` pattern text matching `s` literally.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// `register`: stores the intent and its conflicts with the active intents of other agents.
/// The intent is `conflicted` when a conflict is an error, else `registered`.
pub fn register(
    exec: &mut dyn Executor,
    req: &IntentRequest,
    project: Option<&Catalog>,
) -> Result<Outcome, CoordinateError> {
    let analyzed = analyze(req, project)?;
    let feature_name = &analyzed.feature_name;
    let anchors = analyzed.affected.anchors();
    let base = branch_base(feature_name);
    let keys = lock_keys(&anchors, &base);
    let id = new_id(&req.agent_id);
    in_transaction(exec, |exec| {
        // Locked first, read after: the next statement's snapshot sees every registration that
        // held one of these locks before us.
        let q = Query::new(&format!("SELECT count(pg_advisory_xact_lock({LOCK_NAMESPACE}, k))::text FROM unnest("))
            .param(format!("{{{}}}", keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")))
            .sql("::int4[]) AS k");
        exec.query(&q).map_err(exec_err("locking the intent's objects"))?;
        let around = surroundings(exec, &anchors, &req.agent_id, &base)?;
        let window =
            (req.estimated_duration_ms > 0).then_some((around.now_ms, around.now_ms + req.estimated_duration_ms));
        let found = around.candidates;
        let findings = compare(&req.agent_id, feature_name, &analyzed.affected, window, &found);

        let branch = next_branch(&base, &around.taken_branches);
        let status = if findings.iter().any(|(_, f)| f.severity == Severity::Error) {
            IntentStatus::Conflicted
        } else {
            IntentStatus::Registered
        };
        let mut conflicts_with: Vec<String> = Vec::new();
        for (i, _) in &findings {
            if !conflicts_with.contains(&found[*i].id) {
                conflicts_with.push(found[*i].id.clone());
            }
        }
        let conflict_rows: Vec<Value> = findings
            .iter()
            .map(|(i, f)| {
                json!({
                    "intent_b": found[*i].id,
                    "conflict_type": f.conflict_type.as_str(),
                    "affected_objects": f.affected_objects,
                    "severity": f.severity.as_str(),
                    "resolution_suggestions": f.suggestions,
                })
            })
            .collect();
        let reason = if findings.is_empty() {
            "Intent registered".to_string()
        } else {
            format!("Registered with {} conflict(s) with {}", findings.len(), conflicts_with.join(", "))
        };
        let q = Query::new(
            "WITH i AS (INSERT INTO tb_pggit_intent (id, agent_id, feature_name, branch_name, schema_changes, \
             tables_affected, estimated_duration_ms, risk_level, status, conflicts_with, metadata, created_at, updated_at) \
             VALUES (",
        )
        .param(id.clone())
        .sql(", ")
        .param(req.agent_id.clone())
        .sql(", ")
        .param(feature_name.clone())
        .sql(", ")
        .param(branch.clone())
        .sql(", ")
        .param(json!(analyzed.statements).to_string())
        .sql("::jsonb, ")
        .param(json!(analyzed.tables_affected).to_string())
        .sql("::jsonb, ")
        .param(req.estimated_duration_ms.to_string())
        .sql("::int, ")
        .param(analyzed.risk_level.as_str().to_string())
        .sql(", ")
        .param(status.as_str().to_string())
        .sql(", ")
        .param(json!(conflicts_with).to_string())
        .sql("::jsonb, ")
        .param(req.metadata.clone().unwrap_or_else(|| json!({})).to_string())
        .sql(
            "::jsonb, clock_timestamp(), clock_timestamp()) RETURNING id, created_at), \
             o AS (INSERT INTO tb_pggit_intent_object (intent_id, anchor, kind, schema_name, object_name, member, role) \
             SELECT i.id, t.anchor, t.kind, t.schema_name, t.object_name, t.member, t.role FROM i, jsonb_to_recordset(",
        )
        .param(object_rows(&analyzed.affected).to_string())
        .sql(
            "::jsonb) AS t(anchor text, kind text, schema_name text, object_name text, member text, role text)), \
             h AS (INSERT INTO tb_pggit_intent_history (intent_id, old_status, new_status, reason, changed_by) \
             SELECT i.id, NULL, ",
        )
        .param(status.as_str().to_string())
        .sql(", ")
        .param(reason)
        .sql(", ")
        .param(req.agent_id.clone())
        .sql(
            " FROM i), \
             c AS (INSERT INTO tb_pggit_conflict (intent_a, intent_b, conflict_type, affected_objects, severity, \
             resolution_suggestions, created_at) \
             SELECT i.id, t.intent_b, t.conflict_type, t.affected_objects, t.severity, t.resolution_suggestions, i.created_at \
             FROM i, jsonb_to_recordset(",
        )
        .param(Value::Array(conflict_rows).to_string())
        .sql(
            "::jsonb) AS t(intent_b text, conflict_type text, affected_objects jsonb, severity text, \
             resolution_suggestions jsonb) RETURNING id, intent_b, conflict_type) \
             SELECT to_json(i.created_at)#>>'{}', NULL, NULL FROM i \
             UNION ALL SELECT NULL, c.id::text, c.intent_b || ' ' || c.conflict_type FROM c",
        );
        let rows = exec.query(&q).map_err(exec_err("recording the intent"))?;
        let mut created_at = String::new();
        let mut ids: BTreeMap<String, i64> = BTreeMap::new();
        for row in &rows {
            match row.first().cloned().flatten() {
                Some(at) => created_at = at,
                None => {
                    ids.insert(text(row, 2), text(row, 1).parse().unwrap_or(0));
                }
            }
        }
        let conflicts = findings
            .into_iter()
            .map(|(i, f)| {
                let c = &found[i];
                let key = format!("{} {}", c.id, f.conflict_type.as_str());
                ConflictWith {
                    conflict: Conflict {
                        id: ids.get(&key).copied().unwrap_or(0),
                        intent_a: id.clone(),
                        intent_b: c.id.clone(),
                        conflict_type: f.conflict_type,
                        affected_objects: f.affected_objects,
                        severity: f.severity,
                        resolution_suggestions: f.suggestions,
                        reviewed: false,
                        reviewed_at: None,
                        resolution_notes: String::new(),
                        created_at: created_at.clone(),
                    },
                    with: counterpart(c),
                }
            })
            .collect();
        let objects = affected_objects(&analyzed.affected);
        let intent = Intent {
            id: id.clone(),
            agent_id: req.agent_id.clone(),
            feature_name: feature_name.clone(),
            branch_name: branch,
            schema_changes: analyzed.statements.clone(),
            tables_affected: analyzed.tables_affected.clone(),
            estimated_duration_ms: req.estimated_duration_ms,
            risk_level: analyzed.risk_level,
            status,
            created_at: created_at.clone(),
            updated_at: created_at,
            conflicts_with,
            metadata: req.metadata.clone().unwrap_or_else(|| json!({})),
            objects: objects.clone(),
        };
        Ok(Outcome { intent: Some(intent), conflicts, objects, tables_affected: analyzed.tables_affected.clone() })
    })
}

/// A feature name when none is given: the agent and the first object it changes
/// (`alice-users`).
fn default_feature_name(agent: &str, affected: &Affected) -> String {
    let first =
        affected.relations().into_iter().next().or_else(|| affected.changes.keys().next().map(Object::qualified));
    match first {
        Some(name) => format!("{agent}-{}", name.rsplit('.').next().unwrap_or(&name)),
        None => agent.to_string(),
    }
}

/// The next free branch for `base` (`feature/x`, then `feature/x_001`, …) given the names taken.
fn next_branch(base: &str, taken: &BTreeSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_string();
    }
    let highest =
        taken.iter().filter_map(|b| b.strip_prefix(base)?.strip_prefix('_')?.parse::<u64>().ok()).max().unwrap_or(0);
    let n = (taken.len() as u64).max(highest + 1);
    format!("{base}_{n:03}")
}

/// The branch a feature would get (fraiseql-confiture's `allocate_branch`), without storing it.
pub fn allocate_branch(exec: &mut dyn Executor, feature_name: &str) -> Result<String, CoordinateError> {
    let base = branch_base(feature_name);
    let q = Query::new("SELECT branch_name FROM tb_pggit_intent WHERE branch_name = ")
        .param(base.clone())
        .sql(" OR branch_name LIKE ")
        .param(format!("{}\\_%", like_escape(&base)));
    let rows = exec.query(&q).map_err(exec_err("allocating a branch name"))?;
    Ok(next_branch(&base, &rows.iter().map(|r| text(r, 0)).collect()))
}

/// The full id of `id_or_prefix` (a unique prefix is enough, as text tables show 8 characters).
fn resolve_id(
    exec: &mut dyn Executor,
    id_or_prefix: &str,
    lock: bool,
) -> Result<(String, IntentStatus), CoordinateError> {
    let wanted = id_or_prefix.trim();
    if wanted.is_empty() {
        return Err(CoordinateError::Invalid("an intent id is required (--intent-id)".into()));
    }
    let q = Query::new("SELECT id, status FROM tb_pggit_intent WHERE id = ")
        .param(wanted.to_string())
        .sql(" OR id LIKE ")
        .param(format!("{}%", like_escape(wanted)))
        .sql(" ORDER BY (id = ")
        .param(wanted.to_string())
        .sql(") DESC, id LIMIT 6")
        .sql(if lock { " FOR UPDATE" } else { "" });
    let rows = exec.query(&q).map_err(exec_err("looking up the intent"))?;
    match rows.as_slice() {
        [] => Err(CoordinateError::NotFound(wanted.to_string())),
        [row, ..] if text(row, 0) == wanted => Ok((text(row, 0), status_of(&text(row, 1)))),
        [row] => Ok((text(row, 0), status_of(&text(row, 1)))),
        many => Err(CoordinateError::Ambiguous {
            prefix: wanted.to_string(),
            matches: many.iter().map(|r| text(r, 0)).collect(),
        }),
    }
}

/// One intent with its objects (`None` when no intent has this id or unique prefix).
pub fn get_intent(exec: &mut dyn Executor, id_or_prefix: &str) -> Result<Option<Intent>, CoordinateError> {
    let id = match resolve_id(exec, id_or_prefix, false) {
        Ok((id, _)) => id,
        Err(CoordinateError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let q = Query::new(&format!("SELECT {INTENT_COLUMNS} FROM tb_pggit_intent i WHERE i.id = ")).param(id.clone());
    let rows = exec.query(&q).map_err(exec_err("reading the intent"))?;
    let Some(row) = rows.first() else { return Ok(None) };
    let mut intent = intent_from_row(row);
    let q = Query::new(
        "SELECT kind, schema_name, object_name, member, role FROM tb_pggit_intent_object WHERE intent_id = ",
    )
    .param(id);
    let rows = exec.query(&q).map_err(exec_err("reading the intent's objects"))?;
    let mut objects: Vec<AffectedObject> = rows
        .iter()
        .filter_map(|r| {
            let o = object_from_row(&text(r, 0), text(r, 1), text(r, 2), r.get(3).cloned().flatten())?;
            let role = text(r, 4);
            Some(match Action::parse(&role) {
                Some(a) => AffectedObject::changed(&o, a),
                None => AffectedObject::dependency(&o),
            })
        })
        .collect();
    objects.sort();
    intent.objects = objects;
    Ok(Some(intent))
}

/// Intents, newest first, optionally of one status and/or agent (objects not included).
pub fn list_intents(
    exec: &mut dyn Executor,
    status: Option<IntentStatus>,
    agent_id: Option<&str>,
) -> Result<Vec<Intent>, CoordinateError> {
    let mut q = Query::new(&format!("SELECT {INTENT_COLUMNS} FROM tb_pggit_intent i WHERE true"));
    if let Some(s) = status {
        q = q.sql(" AND i.status = ").param(s.as_str().to_string());
    }
    if let Some(a) = agent_id {
        q = q.sql(" AND i.agent_id = ").param(a.to_string());
    }
    q = q.sql(" ORDER BY i.created_at DESC, i.id");
    let rows = exec.query(&q).map_err(exec_err("listing intents"))?;
    Ok(rows.iter().map(intent_from_row).collect())
}

/// Conflicts involving an intent (either side), newest first.
pub fn get_conflicts(exec: &mut dyn Executor, id_or_prefix: &str) -> Result<Vec<Conflict>, CoordinateError> {
    let (id, _) = resolve_id(exec, id_or_prefix, false)?;
    let q = Query::new(&format!("SELECT {CONFLICT_COLUMNS} FROM tb_pggit_conflict c WHERE c.intent_a = "))
        .param(id.clone())
        .sql(" OR c.intent_b = ")
        .param(id)
        .sql(" ORDER BY c.created_at DESC, c.id DESC");
    let rows = exec.query(&q).map_err(exec_err("reading conflicts"))?;
    Ok(rows.iter().map(conflict_from_row).collect())
}

/// Every conflict not yet reviewed, newest first.
pub fn unresolved_conflicts(exec: &mut dyn Executor) -> Result<Vec<Conflict>, CoordinateError> {
    let q = Query::new(&format!(
        "SELECT {CONFLICT_COLUMNS} FROM tb_pggit_conflict c WHERE NOT coalesce(c.reviewed, false) \
         ORDER BY c.created_at DESC, c.id DESC"
    ));
    let rows = exec.query(&q).map_err(exec_err("reading conflicts"))?;
    Ok(rows.iter().map(conflict_from_row).collect())
}

/// Moves an intent to `to`, if its current status allows it, and records who and why.
pub fn transition(
    exec: &mut dyn Executor,
    id_or_prefix: &str,
    to: IntentStatus,
    reason: &str,
    changed_by: &str,
) -> Result<Intent, CoordinateError> {
    let id = in_transaction(exec, |exec| {
        let (id, from) = resolve_id(exec, id_or_prefix, true)?;
        let allowed = to.allowed_from();
        if !allowed.contains(&from) {
            return Err(CoordinateError::Transition {
                id,
                from: from.as_str(),
                to: to.as_str(),
                allowed: allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
            });
        }
        if from == IntentStatus::Conflicted && to == IntentStatus::Completed {
            let open = unresolved_errors(exec, &id)?;
            if !open.is_empty() {
                return Err(CoordinateError::Unresolved { id, conflicts: open });
            }
        }
        let q = Query::new("WITH u AS (UPDATE tb_pggit_intent SET status = ")
            .param(to.as_str().to_string())
            .sql(", updated_at = clock_timestamp() WHERE id = ")
            .param(id.clone())
            .sql(" RETURNING id) INSERT INTO tb_pggit_intent_history (intent_id, old_status, new_status, reason, changed_by) SELECT u.id, ")
            .param(from.as_str().to_string())
            .sql(", ")
            .param(to.as_str().to_string())
            .sql(", ")
            .param(reason.to_string())
            .sql(", ")
            .param(changed_by.to_string())
            .sql(" FROM u RETURNING id::text");
        exec.query(&q).map_err(exec_err("updating the intent"))?;
        if to == IntentStatus::Abandoned {
            settle_conflicts_with(exec, &id, changed_by)?;
        }
        Ok(id)
    })?;
    get_intent(exec, &id)?.ok_or(CoordinateError::NotFound(id))
}

/// An abandoned intent will change nothing: the open conflicts other intents have with it are
/// marked reviewed, and an intent left without open error conflicts is registered again (with a
/// history entry saying why).
fn settle_conflicts_with(exec: &mut dyn Executor, abandoned: &str, changed_by: &str) -> Result<(), CoordinateError> {
    // Data-modifying CTEs do not see each other's changes: `freed` looks at the conflicts as they
    // were, so it leaves out the ones with the abandoned intent itself.
    let q = Query::new(
        "WITH r AS (UPDATE tb_pggit_conflict SET reviewed = true, reviewed_at = now(), resolution_notes = ",
    )
    .param(format!("{abandoned} was abandoned"))
    .sql(" WHERE intent_b = ")
    .param(abandoned.to_string())
    .sql(
        " AND NOT coalesce(reviewed, false) RETURNING intent_a), \
         freed AS (SELECT i.id FROM tb_pggit_intent i WHERE i.id IN (SELECT intent_a FROM r) AND i.status = 'conflicted' \
         AND NOT EXISTS (SELECT 1 FROM tb_pggit_conflict c WHERE c.intent_a = i.id AND c.severity = 'error' \
         AND NOT coalesce(c.reviewed, false) AND c.intent_b <> ",
    )
    .param(abandoned.to_string())
    .sql(
        ")), u AS (UPDATE tb_pggit_intent SET status = 'registered', updated_at = clock_timestamp() \
         WHERE id IN (SELECT id FROM freed) RETURNING id) \
         INSERT INTO tb_pggit_intent_history (intent_id, old_status, new_status, reason, changed_by) \
         SELECT u.id, 'conflicted', 'registered', ",
    )
    .param(format!("{abandoned} was abandoned: no unresolved error conflicts left"))
    .sql(", ")
    .param(changed_by.to_string())
    .sql(" FROM u");
    exec.query(&q).map_err(exec_err("settling the abandoned intent's conflicts"))?;
    Ok(())
}

/// Ids of an intent's error conflicts not yet reviewed.
fn unresolved_errors(exec: &mut dyn Executor, id: &str) -> Result<Vec<i64>, CoordinateError> {
    let q = Query::new(
        "SELECT id::text FROM tb_pggit_conflict WHERE severity = 'error' AND NOT coalesce(reviewed, false) \
         AND (intent_a = ",
    )
    .param(id.to_string())
    .sql(") ORDER BY id");
    let rows = exec.query(&q).map_err(exec_err("reading conflicts"))?;
    Ok(rows.iter().filter_map(|r| text(r, 0).parse().ok()).collect())
}

/// Marks a conflict reviewed (or not) with notes. A conflicted intent whose error conflicts are
/// all reviewed goes back to `registered`.
pub fn resolve_conflict(
    exec: &mut dyn Executor,
    conflict_id: i64,
    reviewed: bool,
    notes: &str,
    changed_by: &str,
) -> Result<Conflict, CoordinateError> {
    in_transaction(exec, |exec| {
        let q = Query::new("UPDATE tb_pggit_conflict c SET reviewed = ")
            .param(reviewed.to_string())
            .sql("::boolean, reviewed_at = CASE WHEN ")
            .param(reviewed.to_string())
            .sql("::boolean THEN now() END, resolution_notes = ")
            .param(notes.to_string())
            .sql(" WHERE c.id = ")
            .param(conflict_id.to_string())
            .sql(&format!("::int RETURNING {CONFLICT_COLUMNS}"));
        let rows = exec.query(&q).map_err(exec_err("updating the conflict"))?;
        let conflict = rows.first().map(conflict_from_row).ok_or(CoordinateError::ConflictNotFound(conflict_id))?;
        let (id, status) = resolve_id(exec, &conflict.intent_a, true)?;
        if status == IntentStatus::Conflicted && unresolved_errors(exec, &id)?.is_empty() {
            let q = Query::new("WITH u AS (UPDATE tb_pggit_intent SET status = 'registered', updated_at = now() WHERE id = ")
                .param(id.clone())
                .sql(
                    " RETURNING id) INSERT INTO tb_pggit_intent_history (intent_id, old_status, new_status, reason, changed_by) \
                     SELECT u.id, 'conflicted', 'registered', ",
                )
                .param(format!("Conflict {conflict_id} resolved: no unresolved error conflicts left"))
                .sql(", ")
                .param(changed_by.to_string())
                .sql(" FROM u RETURNING id::text");
            exec.query(&q).map_err(exec_err("updating the intent"))?;
        }
        Ok(conflict)
    })
}

/// The audit trail: status changes of one intent or of all, oldest first (the last `limit`).
pub fn history(
    exec: &mut dyn Executor,
    id_or_prefix: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<StatusChange>, CoordinateError> {
    let mut q = Query::new(&format!("SELECT {HISTORY_COLUMNS} FROM tb_pggit_intent_history h"));
    if let Some(wanted) = id_or_prefix {
        let (id, _) = resolve_id(exec, wanted, false)?;
        q = q.sql(" WHERE h.intent_id = ").param(id);
    }
    q = q.sql(" ORDER BY h.changed_at DESC, h.id DESC");
    if let Some(n) = limit {
        q = q.sql(" LIMIT ").param(n.to_string()).sql("::bigint");
    }
    let rows = exec.query(&q).map_err(exec_err("reading the history"))?;
    let mut out: Vec<StatusChange> = rows.iter().map(history_from_row).collect();
    out.reverse();
    Ok(out)
}

/// All active work at a glance.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Overview {
    /// Active intents (registered, in progress, conflicted), newest first.
    pub active: Vec<ActiveIntent>,
    /// How many intents have each status.
    pub counts: BTreeMap<String, i64>,
    pub unresolved_conflicts: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ActiveIntent {
    #[serde(flatten)]
    pub intent: Intent,
    pub unresolved_conflicts: i64,
}

pub fn overview(exec: &mut dyn Executor) -> Result<Overview, CoordinateError> {
    let q = Query::new(&format!(
        "SELECT {INTENT_COLUMNS}, (SELECT count(*) FROM tb_pggit_conflict c WHERE (c.intent_a = i.id OR c.intent_b = i.id) \
         AND NOT coalesce(c.reviewed, false))::text FROM tb_pggit_intent i \
         WHERE i.status IN ('registered', 'in_progress', 'conflicted') ORDER BY i.created_at DESC, i.id"
    ));
    let rows = exec.query(&q).map_err(exec_err("reading active intents"))?;
    let active = rows
        .iter()
        .map(|r| ActiveIntent { intent: intent_from_row(r), unresolved_conflicts: text(r, 13).parse().unwrap_or(0) })
        .collect();
    let rows = exec
        .query(&Query::new(
            "SELECT status, count(*)::text FROM tb_pggit_intent GROUP BY status UNION ALL \
             SELECT '#conflicts', count(*)::text FROM tb_pggit_conflict WHERE NOT coalesce(reviewed, false)",
        ))
        .map_err(exec_err("counting intents"))?;
    let mut counts: BTreeMap<String, i64> = IntentStatus::ALL.iter().map(|s| (s.as_str().to_string(), 0)).collect();
    let mut unresolved = 0;
    for r in &rows {
        let n = text(r, 1).parse().unwrap_or(0);
        match text(r, 0).as_str() {
            "#conflicts" => unresolved = n,
            s => {
                counts.insert(s.to_string(), n);
            }
        }
    }
    Ok(Overview { active, counts, unresolved_conflicts: unresolved })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_literals_escape_quotes_and_backslashes() {
        assert_eq!(text_array(&["a".into(), "b\"c\\".into()]), r#"{"a","b\"c\\"}"#);
    }

    #[test]
    fn requests_need_an_agent_and_something_to_coordinate() {
        let err = analyze(&IntentRequest::default(), None).unwrap_err();
        assert!(err.to_string().contains("agent_id"), "{err}");
        let req = IntentRequest { agent_id: "a".into(), ..Default::default() };
        assert!(analyze(&req, None).unwrap_err().to_string().contains("nothing to coordinate"));
        let req = IntentRequest {
            agent_id: "a".into(),
            tables_affected: Some(vec!["app.Users".into(), " orders ".into()]),
            ..Default::default()
        };
        let a = analyze(&req, None).unwrap();
        assert_eq!(a.tables_affected, vec!["app.Users", "orders"]);
        assert_eq!(a.affected.relations(), vec!["app.users", "public.orders"]);
    }

    #[test]
    fn ddl_errors_name_the_change_and_line() {
        let req = IntentRequest {
            agent_id: "a".into(),
            schema_changes: vec!["CREATE TABLE t (id int);".into(), "ALTER TABLE t\nADD COLUMN;".into()],
            ..Default::default()
        };
        let e = analyze(&req, None).unwrap_err().to_string();
        assert!(e.starts_with("schema change 2: statement 1 (line 1)"), "{e}");
    }

    #[test]
    fn lock_keys_are_sorted_unique_and_cover_the_branch() {
        let keys = lock_keys(&["rel:public.a".into(), "rel:public.a".into(), "fn:public.f".into()], "feature/x");
        assert_eq!(keys.len(), 3);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(keys.iter().all(|k| *k >= 0));
    }
}
