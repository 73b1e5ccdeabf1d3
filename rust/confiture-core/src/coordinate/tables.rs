//! The coordination tables: fraiseql-confiture's three (same names, columns and order, since its
//! code reads rows positionally) plus `tb_pggit_intent_object`, one row per object an intent
//! changes or depends on, keyed by anchor so overlapping intents are found by an index lookup.

/// Advisory-lock namespace of the coordination registry (next to the migration lock's 1751936052).
pub const LOCK_NAMESPACE: i32 = 1_751_936_053;

/// Key (in [`LOCK_NAMESPACE`]) that serializes creating the tables.
pub const INIT_LOCK_KEY: i32 = 0;

pub const CREATE: &str = r#"
CREATE TABLE IF NOT EXISTS tb_pggit_intent (
    id VARCHAR(64) PRIMARY KEY,
    agent_id VARCHAR(255) NOT NULL,
    feature_name VARCHAR(255) NOT NULL,
    branch_name VARCHAR(255) NOT NULL UNIQUE,
    schema_changes JSONB NOT NULL DEFAULT '[]',
    tables_affected JSONB NOT NULL DEFAULT '[]',
    estimated_duration_ms INTEGER,
    risk_level VARCHAR(50) DEFAULT 'low',
    status VARCHAR(50) NOT NULL DEFAULT 'registered',
    conflicts_with JSONB NOT NULL DEFAULT '[]',
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE TABLE IF NOT EXISTS tb_pggit_conflict (
    id SERIAL PRIMARY KEY,
    intent_a VARCHAR(64) NOT NULL REFERENCES tb_pggit_intent(id) ON DELETE CASCADE,
    intent_b VARCHAR(64) NOT NULL REFERENCES tb_pggit_intent(id) ON DELETE CASCADE,
    conflict_type VARCHAR(50) NOT NULL,
    affected_objects JSONB NOT NULL DEFAULT '[]',
    severity VARCHAR(50) NOT NULL,
    resolution_suggestions JSONB NOT NULL DEFAULT '[]',
    reviewed BOOLEAN DEFAULT FALSE,
    reviewed_at TIMESTAMPTZ,
    resolution_notes TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE TABLE IF NOT EXISTS tb_pggit_intent_history (
    id SERIAL PRIMARY KEY,
    intent_id VARCHAR(64) NOT NULL REFERENCES tb_pggit_intent(id) ON DELETE CASCADE,
    old_status VARCHAR(50),
    new_status VARCHAR(50) NOT NULL,
    reason TEXT,
    changed_by VARCHAR(255) DEFAULT 'system',
    changed_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE TABLE IF NOT EXISTS tb_pggit_intent_object (
    intent_id VARCHAR(64) NOT NULL REFERENCES tb_pggit_intent(id) ON DELETE CASCADE,
    anchor TEXT NOT NULL,
    kind VARCHAR(20) NOT NULL,
    schema_name TEXT NOT NULL,
    object_name TEXT NOT NULL,
    member TEXT,
    role VARCHAR(20) NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_pggit_intent_agent ON tb_pggit_intent (agent_id);
CREATE INDEX IF NOT EXISTS idx_pggit_intent_status ON tb_pggit_intent (status);
CREATE INDEX IF NOT EXISTS idx_pggit_intent_tables ON tb_pggit_intent USING GIN (tables_affected);
CREATE INDEX IF NOT EXISTS idx_pggit_intent_branch_prefix ON tb_pggit_intent (branch_name text_pattern_ops);
CREATE INDEX IF NOT EXISTS idx_pggit_intent_created ON tb_pggit_intent (created_at DESC, id);
CREATE INDEX IF NOT EXISTS idx_pggit_conflict_intents ON tb_pggit_conflict (intent_a, intent_b);
CREATE INDEX IF NOT EXISTS idx_pggit_conflict_intent_b ON tb_pggit_conflict (intent_b);
CREATE INDEX IF NOT EXISTS idx_pggit_conflict_severity ON tb_pggit_conflict (severity);
CREATE INDEX IF NOT EXISTS idx_pggit_intent_history_id ON tb_pggit_intent_history (intent_id);
CREATE INDEX IF NOT EXISTS idx_pggit_intent_object_anchor ON tb_pggit_intent_object (anchor, intent_id);
CREATE INDEX IF NOT EXISTS idx_pggit_intent_object_intent ON tb_pggit_intent_object (intent_id);
"#;

/// Whether every table exists (one round trip; `init` is needed only when this is false).
pub const EXISTS: &str = "SELECT (to_regclass('tb_pggit_intent') IS NOT NULL \
     AND to_regclass('tb_pggit_conflict') IS NOT NULL \
     AND to_regclass('tb_pggit_intent_history') IS NOT NULL \
     AND to_regclass('tb_pggit_intent_object') IS NOT NULL)::text";

/// Columns of an intent row, in [`super::registry`]'s reading order.
pub const INTENT_COLUMNS: &str = "i.id, i.agent_id, i.feature_name, i.branch_name, i.schema_changes::text, \
     i.tables_affected::text, coalesce(i.estimated_duration_ms, 0)::text, coalesce(i.risk_level, 'low'), i.status, \
     to_json(i.created_at)#>>'{}', to_json(i.updated_at)#>>'{}', i.conflicts_with::text, i.metadata::text";

/// Columns of a conflict row.
pub const CONFLICT_COLUMNS: &str = "c.id::text, c.intent_a, c.intent_b, c.conflict_type, c.affected_objects::text, \
     c.severity, c.resolution_suggestions::text, coalesce(c.reviewed, false)::text, to_json(c.reviewed_at)#>>'{}', \
     coalesce(c.resolution_notes, ''), to_json(c.created_at)#>>'{}'";

/// Columns of a history row.
pub const HISTORY_COLUMNS: &str = "h.id::text, h.intent_id, h.old_status, h.new_status, coalesce(h.reason, ''), \
     coalesce(h.changed_by, 'system'), to_json(h.changed_at)#>>'{}'";
