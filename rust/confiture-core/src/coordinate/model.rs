//! Intents, conflicts and status changes as stored in the coordination tables and shown in JSON
//! (the keys of fraiseql-confiture's `to_dict()`), with the status rules.

use serde::{Deserialize, Serialize};

use super::objects::{Action, Object};

/// Where an intent is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    Registered,
    InProgress,
    Completed,
    Merged,
    Abandoned,
    Conflicted,
}

impl IntentStatus {
    pub const ALL: [Self; 6] =
        [Self::Registered, Self::InProgress, Self::Completed, Self::Merged, Self::Abandoned, Self::Conflicted];

    /// Still being worked on: other intents are compared with it.
    pub const ACTIVE: [Self; 3] = [Self::Registered, Self::InProgress, Self::Conflicted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Merged => "merged",
            Self::Abandoned => "abandoned",
            Self::Conflicted => "conflicted",
        }
    }

    /// Accepts the stored value and the enum name in any case (`IN_PROGRESS`, `in-progress`).
    pub fn parse(s: &str) -> Option<Self> {
        let folded = s.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|v| v.as_str() == folded)
    }

    pub fn is_active(self) -> bool {
        Self::ACTIVE.contains(&self)
    }

    /// The statuses an intent may move to `self` from.
    pub fn allowed_from(self) -> &'static [IntentStatus] {
        match self {
            Self::InProgress => &[Self::Registered, Self::Conflicted],
            Self::Completed => &[Self::Registered, Self::InProgress, Self::Conflicted],
            Self::Merged => &[Self::InProgress, Self::Completed],
            Self::Abandoned => &Self::ACTIVE,
            Self::Registered | Self::Conflicted => &[],
        }
    }
}

/// What two intents collide on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConflictType {
    Table,
    Column,
    Function,
    Index,
    Constraint,
    Type,
    Dependency,
    Timing,
}

impl ConflictType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Column => "column",
            Self::Function => "function",
            Self::Index => "index",
            Self::Constraint => "constraint",
            Self::Type => "type",
            Self::Dependency => "dependency",
            Self::Timing => "timing",
        }
    }
}

/// How bad a conflict is: warnings can proceed with coordination, errors need a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// The agent's own risk assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// How an intent relates to an object: it changes it, or something it changes depends on it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AffectedObject {
    pub kind: String,
    /// `public.users.email`, `app.total(integer)`: the object as conflict reports name it.
    pub object: String,
    /// `create`, `alter`, `drop`, or `depends_on`.
    pub role: String,
}

impl AffectedObject {
    pub fn changed(object: &Object, action: Action) -> Self {
        Self { kind: object.kind.as_str().to_string(), object: object.qualified(), role: action.as_str().to_string() }
    }

    pub fn dependency(object: &Object) -> Self {
        Self { kind: object.kind.as_str().to_string(), object: object.qualified(), role: "depends_on".to_string() }
    }
}

/// A registered intent (JSON keys as fraiseql-confiture's `Intent.to_dict()`, plus `objects`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub id: String,
    pub agent_id: String,
    pub feature_name: String,
    pub branch_name: String,
    pub schema_changes: Vec<String>,
    pub tables_affected: Vec<String>,
    pub estimated_duration_ms: i64,
    pub risk_level: RiskLevel,
    pub status: IntentStatus,
    /// ISO 8601 with time zone.
    pub created_at: String,
    pub updated_at: String,
    pub conflicts_with: Vec<String>,
    pub metadata: serde_json::Value,
    /// What the intent changes and depends on, as read from its DDL.
    #[serde(default)]
    pub objects: Vec<AffectedObject>,
}

/// A conflict between a new intent (`intent_a`) and an existing one (`intent_b`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// 0 until stored.
    pub id: i64,
    pub intent_a: String,
    pub intent_b: String,
    pub conflict_type: ConflictType,
    pub affected_objects: Vec<String>,
    pub severity: Severity,
    pub resolution_suggestions: Vec<String>,
    pub reviewed: bool,
    pub reviewed_at: Option<String>,
    pub resolution_notes: String,
    pub created_at: String,
}

/// One line of an intent's audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub id: i64,
    pub intent_id: String,
    pub old_status: Option<IntentStatus>,
    pub new_status: IntentStatus,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: String,
}

/// Milliseconds since the epoch of an ISO 8601 timestamp (with an offset; without one, UTC).
pub fn timestamp_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text).map(|d| d.timestamp_millis()).ok().or_else(|| {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|d| d.and_utc().timestamp_millis())
    })
}

/// The branch an intent's work goes on: `feature/<name>`, lower-cased, spaces and slashes as `_`.
pub fn branch_base(feature_name: &str) -> String {
    format!("feature/{}", feature_name.to_lowercase().replace([' ', '/'], "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_from_names_and_values() {
        assert_eq!(IntentStatus::parse("IN_PROGRESS"), Some(IntentStatus::InProgress));
        assert_eq!(IntentStatus::parse("in-progress"), Some(IntentStatus::InProgress));
        assert_eq!(IntentStatus::parse("done"), None);
        assert!(IntentStatus::Merged.allowed_from().contains(&IntentStatus::Completed));
        assert!(!IntentStatus::InProgress.allowed_from().contains(&IntentStatus::Abandoned));
    }

    #[test]
    fn branch_names_fold_case_spaces_and_slashes() {
        assert_eq!(branch_base("User Profiles/v2"), "feature/user_profiles_v2");
    }
}
