//! One finding: which rule, how serious, about which object, where, and what to do.

use serde::{Deserialize, Serialize};

use super::Severity;
use super::rule::RuleMeta;
use crate::schema::SourceLocation;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    /// The rule's human name ("Missing Primary Key"), as fraiseql-confiture reports it.
    pub rule_name: String,
    pub severity: Severity,
    /// `table`, `column`, `index`, `constraint`, `function`, `statement`, …
    pub object_type: String,
    /// The object, schema-qualified outside `public` (`app.users.email`).
    pub object_name: String,
    pub message: String,
    pub suggested_fix: Option<String>,
    /// Source file (relative to the project directory when it is inside it).
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Finding {
    /// The order of a report: by place, then rule and object (findings without a place last).
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.file.is_none(),
            self.file.as_deref().unwrap_or(""),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
            self.rule_id.as_str(),
            self.object_name.as_str(),
            self.message.as_str(),
        )
    }

    /// `file:line:column`, or the object's name when there is no file.
    pub fn place(&self) -> String {
        match (&self.file, self.line, self.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
            (Some(f), Some(l), None) => format!("{f}:{l}"),
            (Some(f), None, _) => f.clone(),
            (None, ..) => self.object_name.clone(),
        }
    }
}

/// Collects the findings of one rule, with its configured severity.
pub(crate) struct Sink {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub findings: Vec<Finding>,
}

impl Sink {
    pub fn new(rule: &'static RuleMeta, severity: Severity) -> Self {
        Self { rule, severity, findings: Vec::new() }
    }

    /// Adds a finding with the rule's severity and fix hint; returns it for adjustments.
    pub fn add(
        &mut self,
        object_type: &str,
        object_name: impl Into<String>,
        message: impl Into<String>,
        location: Option<&SourceLocation>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            rule_id: self.rule.id.to_string(),
            rule_name: self.rule.name.to_string(),
            severity: self.severity,
            object_type: object_type.to_string(),
            object_name: object_name.into(),
            message: message.into(),
            suggested_fix: Some(self.rule.fix.to_string()),
            file: location.map(|l| l.file.clone()),
            line: location.map(|l| l.line),
            column: location.map(|l| l.column),
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}
