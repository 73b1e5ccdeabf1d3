//! Running a sync: safety checks, one consistent snapshot of the source (exported, so every job
//! reads the same data), the plan, the checkpoint, truncation, the units of tables copied by
//! `jobs` workers in foreign-key order, row counts and the leak check before each commit, and the
//! sequences at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::catalog::Catalog;
use super::checkpoint::{Checkpoint, CompletedTable, now};
use super::copy::{CopyContext, Redraws, Transformer, copy_table};
use super::options::{Endpoint, SyncOptions};
use super::plan::{PlanInputs, PlannedUnit, RequestedRule, SyncPlan, UnitMode, plan, requested_from_inputs};
use super::progress::{Progress, TableProgress, TableState};
use super::report::{ColumnReport, SequenceReport, SyncReport, TableReport, rate};
use super::verify::verify;
use super::{SyncError, TableName};
use crate::anonymize::{AnonymizationKey, Anonymizer, DEFAULT_KEY_VAR, LoadedProfile, Profile};
use crate::db::{Client, DbError, connect};
use crate::sql::{quote_ident, quote_literal};

/// Session settings on both sides, so values print and parse the same way everywhere.
const SESSION: &str = "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET TimeZone = 'UTC'; \
                       SET extra_float_digits = 3; SET bytea_output = 'hex'; SET statement_timeout = 0";

const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

struct Worker {
    source: Client,
    target: Client,
}

async fn open(endpoint: &Endpoint, what: &str) -> Result<Client, crate::Error> {
    let client = connect(&endpoint.params).await?;
    client.batch(SESSION, &format!("setting up the {what} session")).await?;
    Ok(client)
}

/// Identifies a database (server start time, port, name), to refuse syncing a database onto itself.
async fn identity(client: &Client) -> Result<String, DbError> {
    let rows = client
        .rows(
            "SELECT pg_catalog.pg_postmaster_start_time()::text || '/' || pg_catalog.current_setting('port') \
             || '/' || pg_catalog.current_database()",
            &[],
            "identifying the database",
        )
        .await?;
    Ok(rows.first().map(|r| r.get::<_, String>(0)).unwrap_or_default())
}

async fn single_string(client: &Client, sql: &str, context: &str) -> Result<String, DbError> {
    Ok(client.rows(sql, &[], context).await?.first().map(|r| r.get::<_, String>(0)).unwrap_or_default())
}

/// Whether the target user may turn triggers off for a transaction.
async fn may_disable_triggers(target: &Client) -> Result<bool, DbError> {
    target.batch("BEGIN", "probing privileges").await?;
    let allowed = target.raw().batch_execute("SET LOCAL session_replication_role = replica").await.is_ok();
    target.batch("ROLLBACK", "probing privileges").await?;
    Ok(allowed)
}

fn fingerprint(source: &str, target: &str, plan: &SyncPlan, key: Option<&AnonymizationKey>) -> String {
    let rules: Vec<serde_json::Value> = plan
        .tables
        .iter()
        .flat_map(|t| {
            t.anonymized
                .iter()
                .map(move |c| json!([t.display, c.column, c.rule.kind, c.rule.config, c.rule.domain, c.rule.unique]))
        })
        .collect();
    let doc =
        json!({"source": source, "target": target, "rules": rules, "key": key.map(AnonymizationKey::fingerprint)});
    hex::encode(Sha256::digest(doc.to_string().as_bytes()))[..32].to_string()
}

fn column_reports(t: &super::plan::PlannedTable, collisions: &[u64]) -> Vec<ColumnReport> {
    t.anonymized
        .iter()
        .enumerate()
        .map(|(i, c)| ColumnReport {
            column: c.column.clone(),
            strategy: c.rule.strategy.clone(),
            kind: c.rule.kind.clone(),
            unique: c.rule.unique,
            collisions: collisions.get(i).copied().unwrap_or(0),
            origin: c.origin.clone(),
        })
        .collect()
}

/// Runs a sync (or only checks it, with `schema_only_check`).
pub async fn run(
    options: &SyncOptions,
    progress: &Progress,
    vars: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<SyncReport, crate::Error> {
    let started = Instant::now();
    let plan_error = |m: &str| SyncError::Plan { problems: vec![m.to_string()] };
    let source_ep = options.source.as_ref().ok_or_else(|| plan_error("no source given (--from)"))?;
    let target_ep = options.target.as_ref().ok_or_else(|| plan_error("no target given (--to)"))?;
    if options.resume && options.checkpoint.is_none() {
        return Err(plan_error("--resume needs --checkpoint FILE").into());
    }
    target_ep.check_writable(options.yes)?;

    progress.set_phase("planning");
    let profile: Option<LoadedProfile> = match &options.profile {
        Some(path) => Some(Profile::load(path, vars)?),
        None => None,
    };
    let mut problems = Vec::new();
    let strategies = profile.as_ref().map(|p| p.profile.strategies.clone()).unwrap_or_default();
    let mut requested: Vec<RequestedRule> = profile
        .as_ref()
        .map(|p| p.rules.iter().map(|r| RequestedRule { rule: r.clone(), chosen: true, origin: "profile" }).collect())
        .unwrap_or_default();
    requested.extend(requested_from_inputs(&options.rules, &strategies, &mut problems));

    let key_var = options
        .key_env_var
        .clone()
        .or_else(|| profile.as_ref().and_then(|p| p.profile.key_env_var.clone()))
        .unwrap_or_else(|| DEFAULT_KEY_VAR.to_string());
    let mut warnings = Vec::new();
    let key = if requested.is_empty() {
        None
    } else {
        match AnonymizationKey::from_env(Some(&key_var), vars) {
            Ok(k) => Some(k),
            Err(e) if options.schema_only_check => {
                warnings.push(format!("{e} (a real sync would refuse)"));
                None
            }
            Err(e) => return Err(e.into()),
        }
    };

    let source = open(source_ep, "source").await?;
    let target = open(target_ep, "target").await?;
    if identity(&source).await? == identity(&target).await? {
        return Err(SyncError::SameDatabase { target: target.target().to_string() }.into());
    }
    source.batch(BEGIN_SNAPSHOT, "starting the source snapshot").await?;
    let snapshot = match source.rows("SELECT pg_catalog.pg_export_snapshot()", &[], "exporting the snapshot").await {
        Ok(rows) => rows.first().map(|r| r.get::<_, String>(0)),
        Err(e) if options.jobs <= 1 => {
            // A standby cannot export snapshots; one job reads everything in this transaction.
            warnings.push(format!("could not export the snapshot ({e}); copying with one job"));
            source.batch("ROLLBACK", "restarting the source snapshot").await?;
            source.batch(BEGIN_SNAPSHOT, "starting the source snapshot").await?;
            None
        }
        Err(e) => return Err(e.into()),
    };
    let source_catalog = Catalog::load(&source).await?;
    let target_catalog = Catalog::load(&target).await?;
    let target_user = single_string(&target, "SELECT current_user::text", "asking the user name").await?;
    let may_disable = may_disable_triggers(&target).await?;

    let mut sync_plan = plan(PlanInputs {
        source: &source_catalog,
        target: &target_catalog,
        include: &options.include,
        exclude: &options.exclude,
        rules: requested,
        may_disable_triggers: &|| may_disable,
        target_user: &target_user,
        vars,
    });
    problems.append(&mut sync_plan.problems);
    warnings.append(&mut sync_plan.warnings);
    if !problems.is_empty() {
        return Err(SyncError::Plan { problems }.into());
    }

    let source_label = source.target().to_string();
    let target_label = target.target().to_string();
    let print = fingerprint(&source_label, &target_label, &sync_plan, key.as_ref());
    let mut checkpoint = Checkpoint::new(&source_label, &target_label, Some(print.clone()));
    if let Some(path) = &options.checkpoint
        && options.resume
        && let Some(previous) = Checkpoint::load(path)?
    {
        previous.check_matches(path, &source_label, &target_label, &print)?;
        checkpoint.completed_tables = previous.completed_tables;
        checkpoint.redraws = previous.redraws;
        if !checkpoint.completed_tables.is_empty() && snapshot.is_some() {
            warnings.push(
                "resumed: tables copied by the earlier run come from its snapshot, the others from a new one".into(),
            );
        }
    }
    let completed: BTreeSet<usize> = sync_plan
        .tables
        .iter()
        .enumerate()
        .filter(|(_, t)| checkpoint.completed_tables.contains_key(&t.display))
        .map(|(i, _)| i)
        .collect();
    let to_copy: Vec<usize> = (0..sync_plan.tables.len()).filter(|i| !completed.contains(i)).collect();

    // Safety: never overwrite rows without --truncate.
    let mut non_empty = Vec::new();
    for &i in &to_copy {
        let t = &sync_plan.tables[i];
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", t.name.sql());
        let rows = target.rows(&sql, &[], &format!("checking whether {} is empty", t.display)).await?;
        if rows.first().is_some_and(|r| r.get::<_, bool>(0)) {
            non_empty.push(t.display.clone());
        }
    }
    if !non_empty.is_empty() && !options.truncate {
        let err = SyncError::TargetNotEmpty {
            target: target_label.clone(),
            count: non_empty.len(),
            tables: non_empty.clone(),
        };
        if !options.schema_only_check {
            return Err(err.into());
        }
        return Err(SyncError::Plan { problems: vec![err.to_string()] }.into());
    }

    // Sequence values now, the closest to the snapshot (sequences are not transactional).
    let mut sequences = Vec::new();
    for s in &sync_plan.sequences {
        let rows = source
            .rows(
                "SELECT pg_catalog.pg_sequence_last_value(c.oid)::int8, s.seqstart::int8 FROM pg_catalog.pg_sequence s \
                 JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid WHERE c.oid = $1::text::regclass",
                &[&s.sql()],
                &format!("reading sequence {s}"),
            )
            .await;
        match rows {
            Ok(rows) => {
                if let Some(r) = rows.first() {
                    sequences.push((s.clone(), r.get::<_, Option<i64>>(0), r.get::<_, i64>(1)));
                }
            }
            Err(e) => warnings.push(format!("sequence {s} not set: {e}")),
        }
    }

    let order: Vec<Vec<String>> = sync_plan
        .units
        .iter()
        .map(|u| u.tables.iter().map(|i| sync_plan.tables[*i].display.clone()).collect())
        .collect();
    if options.schema_only_check {
        let tables = (0..sync_plan.tables.len())
            .map(|i| {
                let status = if completed.contains(&i) { "skipped" } else { "planned" };
                uncopied_report(&sync_plan.tables[i], &checkpoint, status)
            })
            .collect();
        source.close().await;
        target.close().await;
        return Ok(SyncReport {
            source: source_ep.label.clone(),
            target: target_ep.label.clone(),
            snapshot,
            check_only: true,
            order,
            tables,
            sequences: sequences
                .iter()
                .map(|(s, v, _)| SequenceReport { sequence: s.to_string(), last_value: *v })
                .collect(),
            warnings,
            rows: 0,
            seconds: started.elapsed().as_secs_f64(),
            rows_per_second: 0.0,
            checkpoint: options.checkpoint.clone(),
        });
    }

    // Compile the anonymizers (keyed) once.
    let mut transformers: Vec<Option<Arc<Transformer>>> = Vec::with_capacity(sync_plan.tables.len());
    for t in &sync_plan.tables {
        if t.anonymized.is_empty() {
            transformers.push(None);
            continue;
        }
        let key = key.as_ref().ok_or_else(|| plan_error("no anonymization key"))?;
        let mut anonymizers = Vec::new();
        for c in &t.anonymized {
            anonymizers.push(Anonymizer::for_rule(&c.rule, key, vars).map_err(|source| SyncError::Anonymize {
                table: t.display.clone(),
                column: c.column.clone(),
                source,
            })?);
        }
        transformers.push(Some(Arc::new(Transformer::new(t, anonymizers))));
    }

    if options.truncate && !to_copy.is_empty() {
        progress.set_phase("truncating");
        let list: Vec<String> = to_copy.iter().map(|i| sync_plan.tables[*i].name.sql()).collect();
        let sql = format!("BEGIN; TRUNCATE TABLE {}; COMMIT", list.join(", "));
        if let Err(e) = target.batch(&sql, "emptying the target tables").await {
            let _ = target.batch("ROLLBACK", "after a failed TRUNCATE").await;
            return Err(match e.code() {
                Some("0A000") => SyncError::Plan {
                    problems: vec![format!(
                        "{e}; add the referencing tables to the sync (--tables) so they are emptied too"
                    )],
                }
                .into(),
                _ => e.into(),
            });
        }
    }

    let table_progress =
        progress.set_tables(sync_plan.tables.iter().map(|t| (t.display.clone(), t.estimate)).collect());
    for &i in &completed {
        table_progress[i].set_state(TableState::Skipped);
    }

    // Workers: the snapshot's own connection, then more that import the snapshot.
    let pending_units: Vec<usize> = (0..sync_plan.units.len())
        .filter(|u| sync_plan.units[*u].tables.iter().any(|t| !completed.contains(t)))
        .collect();
    let jobs = options.jobs.max(1).min(pending_units.len().max(1));
    let mut idle: Vec<Worker> = Vec::with_capacity(jobs);
    idle.push(Worker { source, target });
    for _ in 1..jobs {
        let Some(id) = &snapshot else { break };
        let s = open(source_ep, "source").await?;
        s.batch(
            &format!("{BEGIN_SNAPSHOT}; SET TRANSACTION SNAPSHOT {}", quote_literal(id)),
            "importing the source snapshot",
        )
        .await?;
        idle.push(Worker { source: s, target: open(target_ep, "target").await? });
    }

    progress.set_phase("copying");
    let mut done: Vec<bool> = (0..sync_plan.units.len()).map(|u| !pending_units.contains(&u)).collect();
    let mut started_units: Vec<bool> = done.clone();
    let mut reports: BTreeMap<usize, TableReport> = BTreeMap::new();
    let redraws = Redraws::from_saved(&checkpoint.redraws);
    let checkpoint = Mutex::new(checkpoint);
    let context = UnitContext {
        redraws: &redraws,
        plan: &sync_plan,
        transformers: &transformers,
        progress,
        tables: &table_progress,
        options,
        checkpoint: &checkpoint,
        snapshot: snapshot.as_deref(),
    };
    let mut running = FuturesUnordered::new();
    loop {
        while !idle.is_empty() {
            let next = (0..sync_plan.units.len())
                .find(|u| !started_units[*u] && sync_plan.units[*u].after.iter().all(|a| done[*a]));
            let Some(u) = next else { break };
            started_units[u] = true;
            let worker = idle.pop().expect("invariant: checked non-empty");
            let context = &context;
            running.push(async move {
                let result = context.run_unit(&worker, u).await;
                (worker, u, result)
            });
        }
        let Some((worker, u, result)) = running.next().await else { break };
        for (i, report) in result? {
            reports.insert(i, report);
        }
        done[u] = true;
        idle.push(worker);
    }
    drop(running);

    progress.set_phase("sequences");
    let writer = idle.first().ok_or_else(|| plan_error("no connection left"))?;
    let mut sequence_reports = Vec::new();
    for (s, last, start) in &sequences {
        let (value, called) = match last {
            Some(v) => (*v, true),
            None => (*start, false),
        };
        let set = writer
            .target
            .rows(
                "SELECT pg_catalog.setval($1::text::regclass, $2, $3)",
                &[&s.sql(), &value, &called],
                &format!("setting sequence {s}"),
            )
            .await;
        match set {
            Ok(_) => sequence_reports.push(SequenceReport { sequence: s.to_string(), last_value: *last }),
            Err(e) => warnings.push(format!("sequence {s} not set: {e}")),
        }
    }
    for w in idle {
        let _ = w.source.batch("COMMIT", "ending the source snapshot").await;
        w.source.close().await;
        w.target.close().await;
    }
    progress.set_phase("done");

    let checkpoint = checkpoint.into_inner().map_err(|_| plan_error("checkpoint state poisoned"))?;
    let tables: Vec<TableReport> = (0..sync_plan.tables.len())
        .map(|i| reports.remove(&i).unwrap_or_else(|| uncopied_report(&sync_plan.tables[i], &checkpoint, "skipped")))
        .collect();
    let rows: u64 = tables.iter().filter(|t| t.status == "synced").map(|t| t.rows).sum();
    let seconds = started.elapsed().as_secs_f64();
    Ok(SyncReport {
        source: source_ep.label.clone(),
        target: target_ep.label.clone(),
        snapshot,
        check_only: false,
        order,
        tables,
        sequences: sequence_reports,
        warnings,
        rows,
        seconds,
        rows_per_second: rate(rows, seconds),
        checkpoint: options.checkpoint.clone(),
    })
}

/// The report of a table this run did not copy: `planned` (check only) or `skipped` (done earlier,
/// per the checkpoint, whose figures it shows).
fn uncopied_report(t: &super::plan::PlannedTable, checkpoint: &Checkpoint, status: &str) -> TableReport {
    let done = checkpoint.completed_tables.get(&t.display);
    TableReport {
        table: t.display.clone(),
        status: status.to_string(),
        rows: done.map_or(0, |d| d.rows_synced),
        seconds: 0.0,
        rows_per_second: 0.0,
        synced_at: done.map(|d| d.synced_at.clone()),
        columns: t.columns.len(),
        anonymized: column_reports(t, &[]),
        verification: None,
    }
}

struct UnitContext<'a> {
    redraws: &'a Redraws,
    plan: &'a SyncPlan,
    transformers: &'a [Option<Arc<Transformer>>],
    progress: &'a Progress,
    tables: &'a [Arc<TableProgress>],
    options: &'a SyncOptions,
    checkpoint: &'a Mutex<Checkpoint>,
    snapshot: Option<&'a str>,
}

impl UnitContext<'_> {
    /// Copies one unit in one target transaction; commits only when every count and check passed.
    async fn run_unit(&self, w: &Worker, u: usize) -> Result<Vec<(usize, TableReport)>, crate::Error> {
        let unit: &PlannedUnit = &self.plan.units[u];
        let result = self.copy_unit(w, unit).await;
        if result.is_err() {
            for &i in &unit.tables {
                self.tables[i].set_state(TableState::Failed);
            }
        }
        result
    }

    async fn copy_unit(&self, w: &Worker, unit: &PlannedUnit) -> Result<Vec<(usize, TableReport)>, crate::Error> {
        let names: Vec<&str> = unit.tables.iter().map(|i| self.plan.tables[*i].display.as_str()).collect();
        let context = format!("loading {}", names.join(", "));
        w.target.batch("BEGIN", &context).await?;
        match &unit.mode {
            UnitMode::Ordered => {}
            UnitMode::Deferred => w.target.batch("SET CONSTRAINTS ALL DEFERRED", &context).await?,
            UnitMode::TriggersOff { .. } => {
                w.target.batch("SET LOCAL session_replication_role = replica", &context).await?
            }
        }
        let mut out = Vec::new();
        for &i in &unit.tables {
            let t = &self.plan.tables[i];
            let p = &self.tables[i];
            p.reset_rows();
            p.set_state(TableState::Copying);
            let clock = Instant::now();
            let outcome = copy_table(
                &w.source,
                &w.target,
                t,
                self.transformers[i].clone(),
                &CopyContext {
                    batch_size: self.options.batch_size,
                    progress: p,
                    control: self.progress,
                    redraws: self.redraws,
                },
            )
            .await?;
            // COPY's own count: the rows it inserted (a trigger that skips rows shows here).
            if outcome.written != outcome.read {
                return Err(SyncError::RowCountMismatch {
                    table: t.display.clone(),
                    read: outcome.read,
                    written: outcome.written,
                }
                .into());
            }
            let verification = if self.options.verify && !t.anonymized.is_empty() && !outcome.samples.is_empty() {
                Some(verify(&w.target, t, &outcome.samples).await?)
            } else {
                None
            };
            let seconds = clock.elapsed().as_secs_f64();
            out.push((
                i,
                TableReport {
                    table: t.display.clone(),
                    status: "synced".into(),
                    rows: outcome.read,
                    seconds: (seconds * 1000.0).round() / 1000.0,
                    rows_per_second: rate(outcome.read, seconds),
                    synced_at: None,
                    columns: t.columns.len(),
                    anonymized: column_reports(t, &outcome.collisions),
                    verification,
                },
            ));
        }
        if let UnitMode::TriggersOff { constraints } = &unit.mode {
            for fk in constraints {
                check_foreign_key(&w.target, fk).await?;
            }
        }
        w.target.batch("COMMIT", &context).await?;
        let synced_at = now();
        for (i, report) in &mut out {
            report.synced_at = Some(synced_at.clone());
            self.tables[*i].set_state(TableState::Done);
        }
        if let Some(path) = &self.options.checkpoint {
            let mut cp = self
                .checkpoint
                .lock()
                .map_err(|_| SyncError::Checkpoint { path: path.clone(), message: "state poisoned".into() })?;
            for (_, report) in &out {
                cp.completed_tables.insert(
                    report.table.clone(),
                    CompletedTable {
                        rows_synced: report.rows,
                        synced_at: synced_at.clone(),
                        snapshot: self.snapshot.map(str::to_string),
                    },
                );
            }
            cp.timestamp = synced_at;
            cp.redraws = self.redraws.saved();
            cp.save(path)?;
        }
        Ok(out)
    }
}

/// Fails when a row of the child has no parent (MATCH SIMPLE: rows with a NULL key are fine).
async fn check_foreign_key(target: &Client, fk: &super::catalog::ForeignKey) -> Result<(), crate::Error> {
    let not_null: Vec<String> = fk.child_columns.iter().map(|c| format!("c.{} IS NOT NULL", quote_ident(c))).collect();
    let join: Vec<String> = fk
        .child_columns
        .iter()
        .zip(&fk.parent_columns)
        .map(|(c, p)| format!("p.{} = c.{}", quote_ident(p), quote_ident(c)))
        .collect();
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {}))",
        fk.child.sql(),
        not_null.join(" AND "),
        fk.parent.sql(),
        join.join(" AND ")
    );
    let broken = target
        .rows(&sql, &[], &format!("checking foreign key {}", fk.name))
        .await?
        .first()
        .is_some_and(|r| r.get::<_, bool>(0));
    if broken {
        return Err(SyncError::ForeignKeyViolated { table: fk.child.to_string(), constraint: fk.name.clone() }.into());
    }
    Ok(())
}

/// The user tables of a database, as displayed names (`users`, `app.orders`), sorted.
pub async fn list_tables(endpoint: &Endpoint) -> Result<Vec<TableName>, crate::Error> {
    let client = connect(&endpoint.params).await?;
    let catalog = Catalog::load(&client).await?;
    client.close().await;
    Ok(catalog.tables.into_keys().collect())
}
