//! The plan: which tables, which columns, which rules, in which order, and everything that would
//! make the copy fail, found before anything is written. Problems are collected, not thrown one
//! at a time, so a user sees all of them at once.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Map;

use super::catalog::{Catalog, Column, ForeignKey, Table};
use super::options::RuleInput;
use super::order::units;
use super::select::{TableName, TablePattern, TableRef};
use crate::anonymize::{ColumnRule, STRATEGY_NAMES, Strategy, ValueType, seeded_domain};

/// The migration tracking table: left out unless a `--tables` pattern names it.
pub const TRACKING_TABLE: &str = crate::migrate::tracking::DEFAULT_TABLE;

/// An anonymized column of a planned table.
#[derive(Debug, Clone, Serialize)]
pub struct AnonymizedColumn {
    pub column: String,
    /// Position among the copied columns.
    pub index: usize,
    pub rule: ColumnRule,
    pub value_type: ValueType,
    pub is_array: bool,
    /// Where the rule came from: `profile` or `command line`.
    pub origin: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedTable {
    pub name: TableName,
    /// Shown in messages, reports and checkpoints.
    pub display: String,
    /// Copied columns, in the source's order.
    pub columns: Vec<String>,
    /// Source is partitioned: read through `COPY (SELECT …)`.
    pub partitioned: bool,
    pub anonymized: Vec<AnonymizedColumn>,
    /// Primary key as (position among the copied columns, SQL type), when all of it is copied.
    pub primary_key: Vec<(usize, String)>,
    pub estimate: i64,
}

impl PlannedTable {
    fn column_list(&self) -> String {
        self.columns.iter().map(|c| crate::sql::quote_ident(c)).collect::<Vec<_>>().join(", ")
    }

    /// `COPY … TO STDOUT` on the source.
    pub fn copy_out_sql(&self) -> String {
        if self.partitioned {
            format!("COPY (SELECT {} FROM {}) TO STDOUT", self.column_list(), self.name.sql())
        } else {
            format!("COPY {} ({}) TO STDOUT", self.name.sql(), self.column_list())
        }
    }

    /// `COPY … FROM STDIN` on the target.
    pub fn copy_in_sql(&self) -> String {
        format!("COPY {} ({}) FROM STDIN", self.name.sql(), self.column_list())
    }
}

/// How a unit's foreign keys are satisfied while loading.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum UnitMode {
    /// Referenced tables are loaded first.
    Ordered,
    /// Tables reference each other; every such key is DEFERRABLE: checked at commit.
    Deferred,
    /// Tables reference each other; triggers are off (`session_replication_role = replica`) and
    /// the keys are checked by query before commit.
    TriggersOff { constraints: Vec<ForeignKey> },
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedUnit {
    /// Indices into [`SyncPlan::tables`].
    pub tables: Vec<usize>,
    /// Units to finish first.
    pub after: Vec<usize>,
    #[serde(flatten)]
    pub mode: UnitMode,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncPlan {
    pub tables: Vec<PlannedTable>,
    pub units: Vec<PlannedUnit>,
    /// Sequences to set to the source's values at the end.
    pub sequences: Vec<TableName>,
    pub warnings: Vec<String>,
    pub problems: Vec<String>,
}

/// A rule from the profile or the command line, before resolution.
pub struct RequestedRule {
    pub rule: ColumnRule,
    /// `None`: pick from the column.
    pub chosen: bool,
    pub origin: &'static str,
}

/// The strategy picked for `--anonymize TABLE.COLUMN` without `=STRATEGY`.
pub fn infer_strategy(column: &str, value_type: ValueType) -> Option<&'static str> {
    let lower = column.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |names: &[&str]| words.iter().any(|w| names.contains(w));
    let contains = |part: &str| lower.contains(part);
    match value_type {
        ValueType::Date | ValueType::Timestamp => Some("date"),
        ValueType::Network => Some("ip_address"),
        ValueType::Json | ValueType::Other => None,
        ValueType::Text => Some(if contains("mail") {
            "email"
        } else if has(&["phone", "mobile", "tel", "telephone", "fax", "cell"]) || contains("phone") {
            "phone"
        } else if has(&["ip", "ipv4", "ipv6"]) || contains("ip_addr") {
            "ip_address"
        } else if has(&["card", "cc", "pan"]) || contains("card_number") || contains("credit") {
            "credit_card"
        } else if has(&["address", "street", "addr"]) {
            "address"
        } else if has(&["name", "firstname", "lastname", "surname", "fullname", "first", "last"]) {
            "name"
        } else if has(&["birthday", "dob", "birthdate"]) {
            "date"
        } else {
            "hash"
        }),
    }
}

pub struct PlanInputs<'a> {
    pub source: &'a Catalog,
    pub target: &'a Catalog,
    pub include: &'a [String],
    pub exclude: &'a [String],
    /// Profile rules first, then command-line rules (later ones win for the same column).
    pub rules: Vec<RequestedRule>,
    /// Whether the target user may set `session_replication_role` (probed only when needed).
    pub may_disable_triggers: &'a dyn Fn() -> bool,
    pub target_user: &'a str,
    pub vars: &'a dyn Fn(&str) -> Option<String>,
}

/// Rules as given on the command line or through the API, resolved against the profile's named
/// strategies.
pub fn requested_from_inputs(
    inputs: &[RuleInput],
    profile_strategies: &BTreeMap<String, crate::anonymize::StrategyDefinition>,
    problems: &mut Vec<String>,
) -> Vec<RequestedRule> {
    let mut out = Vec::new();
    for r in inputs {
        let (strategy, kind, mut config) = match r.strategy.as_deref() {
            None => (String::new(), String::new(), Map::new()),
            Some(name) => match profile_strategies.get(name) {
                Some(def) => (name.to_string(), def.kind.clone(), def.config.clone().unwrap_or_default()),
                None if STRATEGY_NAMES.contains(&name) => (name.to_string(), name.to_string(), Map::new()),
                None => {
                    let mut known: Vec<String> = profile_strategies.keys().cloned().collect();
                    known.extend(STRATEGY_NAMES.iter().map(|s| (*s).to_string()));
                    problems.push(format!(
                        "--anonymize {}.{}: unknown strategy {name:?}; available: {}",
                        r.table,
                        r.column,
                        known.join(", ")
                    ));
                    continue;
                }
            },
        };
        for (k, v) in &r.config {
            config.insert(k.clone(), v.clone());
        }
        let seed = r.seed.unwrap_or(0);
        let domain = seeded_domain(&kind, seed);
        out.push(RequestedRule {
            chosen: r.strategy.is_some(),
            rule: ColumnRule {
                table: r.table.clone(),
                column: r.column.clone(),
                strategy,
                kind,
                config,
                seed,
                unique: r.unique,
                domain,
            },
            origin: "command line",
        });
    }
    out
}

fn find_column<'a>(table: &'a Table, name: &str) -> Result<&'a Column, String> {
    if let Some(c) = table.columns.iter().find(|c| c.name == name) {
        return Ok(c);
    }
    let matches: Vec<&Column> = table.columns.iter().filter(|c| c.name.to_lowercase() == name.to_lowercase()).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        _ => Err(format!(
            "column {name:?} does not exist in {}; its columns: {}",
            table.name,
            table.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The outcome of `--tables` / `--exclude`.
pub struct Selection {
    pub tables: Vec<TableName>,
    pub include: Vec<TablePattern>,
    pub exclude: Vec<TablePattern>,
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
}

/// Applies include patterns (comma-separated; none: every table but the migration tracking
/// table) and then exclude patterns to `all`, keeping its order.
pub fn select_tables<'a>(
    all: impl Iterator<Item = &'a TableName> + Clone,
    include: &[String],
    exclude: &[String],
) -> Selection {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let parse_all = |texts: &[String], problems: &mut Vec<String>| -> Vec<TablePattern> {
        texts
            .iter()
            .flat_map(|t| t.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .filter_map(|t| TablePattern::parse(t).map_err(|e| problems.push(format!("table pattern {e}"))).ok())
            .collect()
    };
    let include = parse_all(include, &mut problems);
    let exclude = parse_all(exclude, &mut problems);
    for p in &include {
        if !all.clone().any(|t| p.matches(t)) {
            problems.push(format!("--tables {}: matches no table in the source", p.text()));
        }
    }
    for p in &exclude {
        if !all.clone().any(|t| p.matches(t)) {
            warnings.push(format!("--exclude {}: matches no table in the source", p.text()));
        }
    }
    let tables = all
        .filter(|t| if include.is_empty() { t.name != TRACKING_TABLE } else { include.iter().any(|p| p.matches(t)) })
        .filter(|t| !exclude.iter().any(|p| p.matches(t)))
        .cloned()
        .collect();
    Selection { tables, include, exclude, problems, warnings }
}

/// Builds the plan.
pub fn plan(inputs: PlanInputs<'_>) -> SyncPlan {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();

    // 1. Selection.
    let selection = select_tables(inputs.source.tables.keys(), inputs.include, inputs.exclude);
    problems.extend(selection.problems);
    warnings.extend(selection.warnings);
    let (include, exclude) = (selection.include, selection.exclude);
    let selected: Vec<&Table> = selection.tables.iter().filter_map(|n| inputs.source.tables.get(n)).collect();
    if selected.is_empty() && problems.is_empty() {
        problems.push("no tables to sync (the source has none, or the patterns leave none)".into());
    }

    // 2. Tables and columns against the target.
    let mut tables: Vec<PlannedTable> = Vec::new();
    for source in &selected {
        let display = source.name.to_string();
        let Some(target) = inputs.target.tables.get(&source.name) else {
            problems.push(format!(
                "table {display} does not exist in the target; create the schema first (confiture build --apply, or migrations)"
            ));
            continue;
        };
        let mut columns = Vec::new();
        for c in source.columns.iter().filter(|c| !c.generated) {
            match target.columns.iter().find(|t| t.name == c.name) {
                None => problems.push(format!("{display}.{}: column missing in the target", c.name)),
                Some(t) if t.generated => {
                    warnings.push(format!("{display}.{}: generated in the target; computed there, not copied", c.name));
                }
                Some(t) => {
                    if t.type_sql != c.type_sql {
                        warnings.push(format!(
                            "{display}.{}: {} in the source, {} in the target",
                            c.name, c.type_sql, t.type_sql
                        ));
                    }
                    columns.push(c.name.clone());
                }
            }
        }
        for t in &target.columns {
            let missing = !columns.contains(&t.name);
            if missing && t.not_null && !t.has_default && !t.generated && !t.identity {
                problems.push(format!(
                    "{display}.{}: NOT NULL without a default in the target, and not copied from the source",
                    t.name
                ));
            }
        }
        let primary_key: Vec<(usize, String)> = source
            .primary_key
            .iter()
            .filter_map(|k| {
                let i = columns.iter().position(|c| c == k)?;
                Some((i, source.columns.iter().find(|c| &c.name == k)?.type_sql.clone()))
            })
            .collect();
        let primary_key = if primary_key.len() == source.primary_key.len() { primary_key } else { Vec::new() };
        tables.push(PlannedTable {
            name: source.name.clone(),
            display,
            columns,
            partitioned: source.partitioned,
            anonymized: Vec::new(),
            primary_key,
            estimate: source.estimate,
        });
    }

    // 3. Rules.
    let names: Vec<&TableName> = tables.iter().map(|t| &t.name).collect();
    let mut resolved: BTreeMap<(usize, String), AnonymizedColumn> = BTreeMap::new();
    for req in inputs.rules {
        let mut rule = req.rule;
        let at = format!("{} {}.{}", req.origin, rule.table, rule.column);
        let table_ref = match TableRef::parse(&rule.table) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
        let Ok(name) = table_ref.resolve(names.iter().copied()) else {
            let known: Vec<String> = tables.iter().map(|t| t.display.clone()).collect();
            problems.push(format!(
                "{at}: table {} is not among the tables being synced ({})",
                rule.table,
                if known.is_empty() { "none".into() } else { known.join(", ") }
            ));
            continue;
        };
        let ti = tables.iter().position(|t| &t.name == name).expect("invariant: resolved from this list");
        let Some(source) = inputs.source.tables.get(name) else {
            continue;
        };
        let column = match find_column(source, &rule.column) {
            Ok(c) => c,
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
        let Some(index) = tables[ti].columns.iter().position(|c| *c == column.name) else {
            problems.push(format!("{at}: column {} is not copied (generated)", column.name));
            continue;
        };
        rule.table = tables[ti].display.clone();
        rule.column = column.name.clone();
        if !req.chosen {
            match infer_strategy(&column.name, column.value_type) {
                Some(kind) => {
                    rule.strategy = kind.to_string();
                    rule.kind = kind.to_string();
                    rule.domain = seeded_domain(kind, rule.seed);
                }
                None => {
                    problems.push(format!(
                        "{at}: column of type {} needs a strategy: --anonymize {}.{}=STRATEGY (preserve, null, constant{})",
                        column.type_sql,
                        rule.table,
                        rule.column,
                        if column.value_type == ValueType::Json { ", text_redaction" } else { "" }
                    ));
                    continue;
                }
            }
        }
        let strategy = match Strategy::build(&rule.kind, &rule.config, inputs.vars) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
        if !strategy.accepts(column.value_type) {
            problems.push(format!(
                "{at}: strategy `{}` cannot anonymize a {} column ({}); use one that can, or preserve, null, constant",
                rule.kind,
                column.value_type.describe(),
                column.type_sql
            ));
            continue;
        }
        let in_target = inputs.target.tables.get(name).and_then(|t| t.columns.iter().find(|c| c.name == column.name));
        if matches!(strategy, Strategy::Null(_)) && in_target.is_some_and(|c| c.not_null) {
            problems.push(format!("{at}: strategy `null` on a NOT NULL column"));
            continue;
        }
        // The target enforces uniqueness: so must the anonymized values.
        if in_target.is_some_and(|c| c.unique) && !rule.unique && !column.is_array {
            if matches!(strategy, Strategy::Redact(_) | Strategy::Constant(_)) {
                problems.push(format!(
                    "{at}: strategy `{}` gives every row the same value, but the target column is unique",
                    rule.kind
                ));
                continue;
            }
            rule.unique = strategy.varies();
        }
        if rule.unique && column.is_array {
            problems.push(format!("{at}: `unique` is not supported on array columns"));
            continue;
        }
        if rule.unique && !strategy.varies() {
            problems.push(format!(
                "{at}: strategy `{}` cannot be `unique`: its output does not vary with the value",
                rule.kind
            ));
            continue;
        }
        resolved.insert(
            (ti, column.name.clone()),
            AnonymizedColumn {
                column: column.name.clone(),
                index,
                rule,
                value_type: column.value_type,
                is_array: column.is_array,
                origin: req.origin.to_string(),
            },
        );
    }
    for ((ti, _), col) in resolved {
        tables[ti].anonymized.push(col);
    }
    for t in &mut tables {
        t.anonymized.sort_by_key(|c| c.index);
    }

    // 4. Order, from the target's foreign keys (they are what the load must satisfy).
    let index_of: BTreeMap<&TableName, usize> = tables.iter().enumerate().map(|(i, t)| (&t.name, i)).collect();
    let edges: Vec<(usize, usize)> = inputs
        .target
        .foreign_keys
        .iter()
        .filter_map(|fk| Some((*index_of.get(&fk.child)?, *index_of.get(&fk.parent)?)))
        .collect();
    let mut planned_units = Vec::new();
    let mut triggers_probe: Option<bool> = None;
    for unit in units(tables.len(), &edges) {
        let mode = if unit.cyclic {
            let members: BTreeSet<&TableName> = unit.tables.iter().map(|i| &tables[*i].name).collect();
            let inner: Vec<ForeignKey> = inputs
                .target
                .foreign_keys
                .iter()
                .filter(|fk| members.contains(&fk.child) && members.contains(&fk.parent) && fk.child != fk.parent)
                .cloned()
                .collect();
            if inner.iter().all(|fk| fk.deferrable) {
                UnitMode::Deferred
            } else if *triggers_probe.get_or_insert_with(|| (inputs.may_disable_triggers)()) {
                UnitMode::TriggersOff { constraints: inner }
            } else {
                let err = super::SyncError::Cycle {
                    tables: unit.tables.iter().map(|i| tables[*i].display.clone()).collect(),
                    constraints: inner.iter().filter(|fk| !fk.deferrable).map(|fk| fk.name.clone()).collect(),
                    user: inputs.target_user.to_string(),
                };
                problems.push(err.to_string());
                UnitMode::Ordered
            }
        } else {
            UnitMode::Ordered
        };
        planned_units.push(PlannedUnit { tables: unit.tables, after: unit.after, mode });
    }

    // 5. Sequences: those owned by copied tables, and free-standing ones the patterns select.
    let chosen: BTreeSet<&TableName> = tables.iter().map(|t| &t.name).collect();
    let mut sequences = Vec::new();
    for s in &inputs.source.sequences {
        let wanted = match &s.owner {
            Some(owner) => chosen.contains(owner),
            None => {
                (include.is_empty() || include.iter().any(|p| p.matches(&s.name)))
                    && !exclude.iter().any(|p| p.matches(&s.name))
            }
        };
        if !wanted {
            continue;
        }
        if inputs.target.sequences.iter().any(|t| t.name == s.name) {
            sequences.push(s.name.clone());
        } else {
            warnings.push(format!("sequence {} does not exist in the target; not set", s.name));
        }
    }

    SyncPlan { tables, units: planned_units, sequences, warnings, problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference_by_name_and_type() {
        assert_eq!(infer_strategy("email", ValueType::Text), Some("email"));
        assert_eq!(infer_strategy("contact_email_address", ValueType::Text), Some("email"));
        assert_eq!(infer_strategy("mobile_phone", ValueType::Text), Some("phone"));
        assert_eq!(infer_strategy("zip", ValueType::Text), Some("hash"));
        assert_eq!(infer_strategy("last_ip", ValueType::Text), Some("ip_address"));
        assert_eq!(infer_strategy("FirstName", ValueType::Text), Some("name"));
        assert_eq!(infer_strategy("first_name", ValueType::Text), Some("name"));
        assert_eq!(infer_strategy("billing_address", ValueType::Text), Some("address"));
        assert_eq!(infer_strategy("description", ValueType::Text), Some("hash"));
        assert_eq!(infer_strategy("created_at", ValueType::Timestamp), Some("date"));
        assert_eq!(infer_strategy("age", ValueType::Other), None);
    }
}
