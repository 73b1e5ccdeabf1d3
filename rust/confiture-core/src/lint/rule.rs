//! What every rule declares: a stable id, a human name, what it applies to, its default severity,
//! and the documentation the catalogue is generated from (why it matters, the lock it takes, the
//! safer way, an example that fires and one that does not — both examples are run by tests).

use super::Severity;
use super::finding::Sink;
use super::migration::StatementCtx;
use super::schema::SchemaCtx;

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// The schema model built from the environment's DDL.
    Schema,
    /// Statements of migration files.
    Migration,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Self::Schema => "schema",
            Self::Migration => "migration",
        }
    }
}

/// How a rule runs (static functions, chosen when the rule is declared).
#[derive(Clone, Copy)]
pub(crate) enum Check {
    Schema(fn(&SchemaCtx<'_>, &mut Sink)),
    Statement(fn(&StatementCtx<'_>, &mut Sink)),
}

pub struct RuleMeta {
    /// Stable id (`pk_001`): what configuration, suppressions and `--select` name.
    pub id: &'static str,
    /// Human name ("Missing Primary Key").
    pub name: &'static str,
    pub target: Target,
    pub severity: Severity,
    /// Off unless selected (`--select` or `lint.select`).
    pub default_enabled: bool,
    /// One sentence: what the rule flags.
    pub summary: &'static str,
    /// Why it matters: the lock taken, what fails, what leaks.
    pub why: &'static str,
    /// The safer way (the finding's suggested fix unless the finding has a more precise one).
    pub fix: &'static str,
    /// SQL the rule flags (a schema file, or a migration file).
    pub bad: &'static str,
    /// The same intent written so that the rule stays silent.
    pub good: &'static str,
    pub(crate) check: Check,
}

impl RuleMeta {
    /// The family of the id (`pk` for `pk_001`).
    pub fn family(&self) -> &'static str {
        self.id.rsplit_once('_').map_or(self.id, |(f, _)| f)
    }
}

impl std::fmt::Debug for RuleMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RuleMeta({})", self.id)
    }
}

/// Every rule, ordered by id.
pub fn all_rules() -> &'static [&'static RuleMeta] {
    super::rules::ALL
}

/// The rule with this id.
pub fn find_rule(id: &str) -> Option<&'static RuleMeta> {
    all_rules().iter().copied().find(|r| r.id == id)
}
