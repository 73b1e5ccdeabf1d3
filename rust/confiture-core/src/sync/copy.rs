//! Copying one table: `COPY … TO STDOUT` on the source streamed into `COPY … FROM STDIN` on the
//! target. Without anonymization the bytes pass through untouched. With it, rows are gathered into
//! batches, each batch is transformed on the rayon pool (split further across its threads: only
//! the anonymized fields are decoded and re-encoded), and batches are written back in order. A
//! bounded number of batches is in flight, so memory stays flat whatever the table size.
//! `unique` columns are checked in order as batches are written; a collision re-draws the later
//! value (`attempt` 1, 2, …), and the re-draw is recorded ([`Redraws`]) so every other column of
//! the same domain gives that value the same output: joins survive collision resolution.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hasher};
use std::sync::{Arc, RwLock};

use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use rayon::prelude::*;
use tokio::sync::{mpsc, oneshot};

use super::SyncError;
use super::plan::PlannedTable;
use super::progress::{Progress, TableProgress};
use super::textcopy::{decode, encode, map_elements, parse_array, render_array, split_fields};
use crate::anonymize::{AnonymizeError, Anonymizer};
use crate::db::{Client, DbError};

/// Bytes gathered before a pass-through write.
const CHUNK: usize = 512 * 1024;
/// A batch is also cut at this many bytes, whatever `batch_size` says.
const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;
/// A batch is split across threads only above this size.
const PIECE_BYTES: usize = 4 * 1024 * 1024;
/// Rows sampled for the leak check, per table.
pub const SAMPLE_ROWS: usize = 256;
const SAMPLES_PER_BATCH: usize = 16;
/// Draws tried for a `unique` column before giving up.
const MAX_ATTEMPTS: u32 = 64;

/// One row kept for the leak check: its key (as loaded) and the anonymized columns before and
/// after.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub key: Vec<String>,
    pub original: Vec<Option<String>>,
    pub output: Vec<Option<String>>,
}

/// What copying a table did.
#[derive(Debug, Default)]
pub struct CopyOutcome {
    /// Rows read from the source.
    pub read: u64,
    /// Rows COPY reported inserting.
    pub written: u64,
    /// Collisions resolved, per anonymized column.
    pub collisions: Vec<u64>,
    pub samples: Vec<Sample>,
}

/// Values whose output was re-drawn to keep a `unique` column free of collisions: domain →
/// keyed fingerprint of the value → the attempt used. Shared by all tables of a sync and kept in
/// the checkpoint (fingerprints are HMACs under the column key: they reveal nothing).
#[derive(Debug, Default)]
pub struct Redraws {
    domains: RwLock<BTreeMap<String, Arc<BTreeMap<u64, u32>>>>,
}

/// Redraws as stored in a checkpoint: domain → hex fingerprint → attempt.
pub type SavedRedraws = BTreeMap<String, BTreeMap<String, u32>>;

impl Redraws {
    pub fn from_saved(saved: &SavedRedraws) -> Self {
        let domains = saved
            .iter()
            .map(|(d, entries)| {
                let map = entries.iter().filter_map(|(k, v)| Some((u64::from_str_radix(k, 16).ok()?, *v))).collect();
                (d.clone(), Arc::new(map))
            })
            .collect();
        Self { domains: RwLock::new(domains) }
    }

    pub fn saved(&self) -> SavedRedraws {
        self.domains
            .read()
            .map(|d| {
                d.iter()
                    .map(|(domain, m)| (domain.clone(), m.iter().map(|(k, v)| (format!("{k:016x}"), *v)).collect()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn get(&self, domain: &str) -> Arc<BTreeMap<u64, u32>> {
        self.domains.read().ok().and_then(|d| d.get(domain).cloned()).unwrap_or_default()
    }

    fn record(&self, domain: &str, fingerprint: u64, attempt: u32) {
        if let Ok(mut d) = self.domains.write() {
            let entry = d.entry(domain.to_string()).or_default();
            Arc::make_mut(entry).insert(fingerprint, attempt);
        }
    }
}

/// Which draw each anonymized column uses for a row: its attempt, and the recorded re-draws.
#[derive(Clone, Copy)]
struct Draws<'a> {
    attempts: &'a [u32],
    redraws: &'a [Arc<BTreeMap<u64, u32>>],
}

struct Slot {
    column: String,
    domain: String,
    anonymizer: Anonymizer,
    is_array: bool,
    unique: bool,
}

/// The per-row work for one table's anonymized columns.
pub struct Transformer {
    table: String,
    columns: usize,
    slot_of: Vec<Option<usize>>,
    slots: Vec<Slot>,
    primary_key: Vec<usize>,
    track_rows: bool,
}

#[derive(Clone, Copy)]
struct UniqueEntry {
    slot: usize,
    row: usize,
    input: u64,
    output: u64,
}

struct Processed {
    input: Bytes,
    out: Vec<u8>,
    rows: usize,
    /// End offset of each row in `out` (only when some column is `unique`).
    row_ends: Vec<usize>,
    uniq: Vec<UniqueEntry>,
    samples: Vec<Sample>,
}

fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

impl Transformer {
    /// `anonymizers` are parallel to `table.anonymized`.
    pub fn new(table: &PlannedTable, anonymizers: Vec<Anonymizer>) -> Self {
        let mut slot_of = vec![None; table.columns.len()];
        let mut slots = Vec::new();
        for (col, anonymizer) in table.anonymized.iter().zip(anonymizers) {
            slot_of[col.index] = Some(slots.len());
            slots.push(Slot {
                column: col.column.clone(),
                domain: col.rule.domain.clone(),
                unique: anonymizer.unique(),
                anonymizer,
                is_array: col.is_array,
            });
        }
        let track_rows = slots.iter().any(|s| s.unique);
        Self {
            table: table.display.clone(),
            columns: table.columns.len(),
            slot_of,
            slots,
            primary_key: table.primary_key.iter().map(|(i, _)| *i).collect(),
            track_rows,
        }
    }

    fn value_error(&self, slot: usize, source: AnonymizeError) -> SyncError {
        SyncError::Anonymize { table: self.table.clone(), column: self.slots[slot].column.clone(), source }
    }

    fn malformed(&self, message: &str) -> SyncError {
        SyncError::Anonymize {
            table: self.table.clone(),
            column: String::new(),
            source: AnonymizeError::Value { strategy: "copy".into(), message: message.into() },
        }
    }

    fn anonymize(&self, slot: usize, value: &str, attempt: u32) -> Result<Option<String>, SyncError> {
        let s = &self.slots[slot];
        if !s.is_array {
            return s.anonymizer.apply(value, attempt).map_err(|e| self.value_error(slot, e));
        }
        let (prefix, mut items) = parse_array(value)
            .map_err(|m| self.value_error(slot, AnonymizeError::Value { strategy: "array".into(), message: m }))?;
        map_elements(&mut items, &mut |v| s.anonymizer.apply(v, attempt)).map_err(|e| self.value_error(slot, e))?;
        Ok(Some(render_array(&prefix, &items)))
    }

    /// Transforms one row (without `\n`) into `out`.
    fn row(
        &self,
        row: &[u8],
        out: &mut Vec<u8>,
        draws: Draws<'_>,
        fields: &mut Vec<(usize, usize)>,
        uniq: &mut dyn FnMut(usize, &str, &str),
        mut sample: Option<&mut Sample>,
    ) -> Result<(), SyncError> {
        split_fields(row, fields);
        if fields.len() != self.columns {
            return Err(self.malformed("a row has an unexpected number of fields"));
        }
        for (i, &(s, e)) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            let raw = &row[s..e];
            let Some(slot) = self.slot_of[i] else {
                out.extend_from_slice(raw);
                continue;
            };
            let value = decode(raw).map_err(|m| self.malformed(&m))?;
            let result = match &value {
                None => None,
                Some(v) => {
                    let mut attempt = draws.attempts[slot];
                    if !draws.redraws[slot].is_empty()
                        && let Some(a) = draws.redraws[slot].get(&self.slots[slot].anonymizer.fingerprint(v.as_bytes()))
                    {
                        attempt = attempt.max(*a);
                    }
                    self.anonymize(slot, v, attempt)?
                }
            };
            if self.slots[slot].unique
                && let (Some(v), Some(r)) = (&value, &result)
            {
                uniq(slot, v, r);
            }
            encode(result.as_deref(), out);
            if let Some(sample) = sample.as_deref_mut() {
                sample.original[slot] = value.map(std::borrow::Cow::into_owned);
                sample.output[slot] = result;
            }
        }
        if let Some(sample) = sample {
            for &k in &self.primary_key {
                let key = match self.slot_of[k] {
                    Some(slot) => sample.output[slot].clone(),
                    None => decode(&row[fields[k].0..fields[k].1])
                        .map_err(|m| self.malformed(&m))?
                        .map(std::borrow::Cow::into_owned),
                };
                sample.key.push(key.unwrap_or_default());
            }
        }
        Ok(())
    }

    /// Transforms the rows `input[..]`, whose first row is row `first` of the batch; rows listed
    /// in `sampled` are kept as samples.
    fn piece(
        &self,
        input: &[u8],
        first: usize,
        sampled: &BTreeSet<usize>,
        redraws: &[Arc<BTreeMap<u64, u32>>],
    ) -> Result<Processed, SyncError> {
        let mut out = Vec::with_capacity(input.len() + input.len() / 8);
        let mut row_ends = Vec::new();
        let mut uniq = Vec::new();
        let mut samples = Vec::new();
        let mut fields = Vec::with_capacity(self.columns);
        let attempts = vec![0u32; self.slots.len()];
        let mut start = 0;
        let mut index = first;
        for end in memchr::memchr_iter(b'\n', input) {
            let mut sample = sampled.contains(&index).then(|| Sample {
                key: Vec::new(),
                original: vec![None; self.slots.len()],
                output: vec![None; self.slots.len()],
            });
            let row = index;
            self.row(
                &input[start..end],
                &mut out,
                Draws { attempts: &attempts, redraws },
                &mut fields,
                &mut |slot, input, output| {
                    uniq.push(UniqueEntry {
                        slot,
                        row,
                        input: fingerprint(input.as_bytes()),
                        output: fingerprint(output.as_bytes()),
                    });
                },
                sample.as_mut(),
            )?;
            out.push(b'\n');
            if self.track_rows {
                row_ends.push(out.len());
            }
            if let Some(s) = sample {
                samples.push(s);
            }
            start = end + 1;
            index += 1;
        }
        Ok(Processed { input: Bytes::new(), out, rows: index - first, row_ends, uniq, samples })
    }

    /// Transforms a batch, split across the rayon pool.
    fn batch(
        &self,
        input: Bytes,
        rows: usize,
        sample_quota: usize,
        redraws: &[Arc<BTreeMap<u64, u32>>],
    ) -> Result<Processed, SyncError> {
        let sampled: BTreeSet<usize> = if sample_quota == 0 || rows == 0 {
            BTreeSet::new()
        } else {
            let step = (rows / sample_quota).max(1);
            (0..rows).step_by(step).take(sample_quota).collect()
        };
        // Pieces of whole rows: several batches are in flight, one per thread, so a batch is
        // split only when it is large (fewer pieces, fewer thread wake-ups).
        let parts = (input.len() / PIECE_BYTES).clamp(1, rayon::current_num_threads());
        let target = input.len() / parts + 1;
        let mut bounds = Vec::with_capacity(parts);
        let (mut start, mut first) = (0usize, 0usize);
        while start < input.len() {
            let want = (start + target).min(input.len());
            let end = match memchr::memchr(b'\n', &input[want.saturating_sub(1)..]) {
                Some(i) => want.saturating_sub(1) + i + 1,
                None => input.len(),
            };
            bounds.push((start, end, first));
            first += memchr::memchr_iter(b'\n', &input[start..end]).count();
            start = end;
        }
        let pieces: Vec<Processed> = bounds
            .par_iter()
            .map(|&(s, e, f)| self.piece(&input[s..e], f, &sampled, redraws))
            .collect::<Result<_, _>>()?;
        let mut merged = Processed {
            input: Bytes::new(),
            out: Vec::with_capacity(pieces.iter().map(|p| p.out.len()).sum()),
            rows: 0,
            row_ends: Vec::new(),
            uniq: Vec::new(),
            samples: Vec::new(),
        };
        for p in pieces {
            let base = merged.out.len();
            merged.row_ends.extend(p.row_ends.iter().map(|e| e + base));
            merged.out.extend_from_slice(&p.out);
            merged.rows += p.rows;
            merged.uniq.extend(p.uniq);
            merged.samples.extend(p.samples);
        }
        merged.input = input;
        Ok(merged)
    }
}

/// `unique` bookkeeping for one table: output fingerprint → input fingerprint, per column.
struct UniqueState {
    maps: Vec<HashMap<u64, u64>>,
    collisions: Vec<u64>,
}

impl UniqueState {
    fn new(slots: usize) -> Self {
        Self { maps: vec![HashMap::new(); slots], collisions: vec![0; slots] }
    }

    /// Checks the batch's unique values in order; re-draws the rows that collide.
    fn resolve(&mut self, t: &Transformer, p: &mut Processed, redraws: &Redraws) -> Result<(), SyncError> {
        let mut fix: BTreeSet<usize> = BTreeSet::new();
        for e in &p.uniq {
            match self.maps[e.slot].get(&e.output) {
                None => {
                    self.maps[e.slot].insert(e.output, e.input);
                }
                Some(owner) if *owner == e.input => {}
                Some(_) => {
                    fix.insert(e.row);
                }
            }
        }
        if fix.is_empty() {
            return Ok(());
        }
        let mut input_rows = Vec::with_capacity(p.rows);
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &p.input) {
            input_rows.push((start, end));
            start = end + 1;
        }
        let mut out = Vec::with_capacity(p.out.len() + 64);
        let mut fields = Vec::new();
        let current: Vec<Arc<BTreeMap<u64, u32>>> = t.slots.iter().map(|s| redraws.get(&s.domain)).collect();
        for (row, &(s, e)) in input_rows.iter().enumerate() {
            if !fix.contains(&row) {
                let from = if row == 0 { 0 } else { p.row_ends[row - 1] };
                out.extend_from_slice(&p.out[from..p.row_ends[row]]);
                continue;
            }
            let mut attempts = vec![0u32; t.slots.len()];
            loop {
                let mut line = Vec::new();
                let mut entries = Vec::new();
                t.row(
                    &p.input[s..e],
                    &mut line,
                    Draws { attempts: &attempts, redraws: &current },
                    &mut fields,
                    &mut |slot, i, o| {
                        let keyed = t.slots[slot].anonymizer.fingerprint(i.as_bytes());
                        entries.push((slot, fingerprint(i.as_bytes()), fingerprint(o.as_bytes()), keyed));
                    },
                    None,
                )?;
                let conflict =
                    entries.iter().find(|(slot, i, o, _)| self.maps[*slot].get(o).is_some_and(|owner| owner != i));
                match conflict {
                    None => {
                        for (slot, i, o, keyed) in entries {
                            self.maps[slot].insert(o, i);
                            if attempts[slot] > 0 {
                                redraws.record(&t.slots[slot].domain, keyed, attempts[slot]);
                            }
                        }
                        out.extend_from_slice(&line);
                        out.push(b'\n');
                        break;
                    }
                    Some(&(slot, _, _, _)) => {
                        self.collisions[slot] += 1;
                        attempts[slot] += 1;
                        if attempts[slot] > MAX_ATTEMPTS {
                            return Err(t.value_error(
                                slot,
                                AnonymizeError::UniqueExhausted {
                                    column: format!("{}.{}", t.table, t.slots[slot].column),
                                    strategy: t.slots[slot].anonymizer.strategy().name().to_string(),
                                    attempts: MAX_ATTEMPTS,
                                },
                            ));
                        }
                    }
                }
            }
        }
        p.out = out;
        Ok(())
    }
}

/// A pass-through copy: the bytes of `COPY … TO STDOUT` go untouched into `COPY … FROM STDIN`, a
/// chunk in flight while the next is read, so memory stays flat whatever the size. Also used by
/// schema-to-schema migration (`crate::fdw`).
pub struct Pipe<'a> {
    /// Names the copy in errors.
    pub label: &'a str,
    /// Told how many rows each chunk written carried.
    pub on_rows: &'a (dyn Fn(u64) + Sync),
    /// Polled between chunks; `true` stops the copy with [`SyncError::Cancelled`].
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
}

impl Pipe<'_> {
    /// Runs `copy_out` on `source` and `copy_in` on `target` (each in whatever transaction its
    /// connection is in); returns (rows read, rows the target's COPY reported).
    pub async fn run(
        &self,
        source: &Client,
        target: &Client,
        copy_out: &str,
        copy_in: &str,
    ) -> Result<(u64, u64), SyncError> {
        let name = self.label;
        let stream =
            source.raw().copy_out(copy_out).await.map_err(|e| copy_error(name, "reading from the source", &e))?;
        let sink = target
            .raw()
            .copy_in::<_, Bytes>(copy_in)
            .await
            .map_err(|e| copy_error(name, "writing to the target", &e))?;
        futures_util::pin_mut!(stream);
        futures_util::pin_mut!(sink);
        let read = self.stream(stream, sink.as_mut()).await?;
        let written = sink.as_mut().finish().await.map_err(|e| copy_error(name, "finishing the copy", &e))?;
        Ok((read, written))
    }

    async fn stream(
        &self,
        mut stream: std::pin::Pin<&mut tokio_postgres::CopyOutStream>,
        mut sink: std::pin::Pin<&mut tokio_postgres::CopyInSink<Bytes>>,
    ) -> Result<u64, SyncError> {
        let name = self.label;
        let (tx, mut rx) = mpsc::channel::<Bytes>(4);
        let reader = async {
            let tx = tx;
            let mut buf = BytesMut::with_capacity(CHUNK + 64 * 1024);
            let mut read = 0u64;
            while let Some(item) = stream.next().await {
                buf.extend_from_slice(&item.map_err(|e| copy_error(name, "reading from the source", &e))?);
                if buf.len() >= CHUNK {
                    let chunk = buf.split().freeze();
                    read += newlines(&chunk);
                    if (self.cancelled)() {
                        return Err(SyncError::Cancelled);
                    }
                    if tx.send(chunk).await.is_err() {
                        break;
                    }
                }
            }
            if !buf.is_empty() {
                let chunk = buf.split().freeze();
                read += newlines(&chunk);
                let _ = tx.send(chunk).await;
            }
            Ok::<u64, SyncError>(read)
        };
        let writer = async {
            while let Some(chunk) = rx.recv().await {
                let rows = newlines(&chunk);
                sink.send(chunk).await.map_err(|e| copy_error(name, "writing to the target", &e))?;
                (self.on_rows)(rows);
            }
            Ok::<(), SyncError>(())
        };
        let (read, ()) = tokio::try_join!(reader, writer)?;
        Ok(read)
    }
}

fn copy_error(table: &str, what: &str, e: &tokio_postgres::Error) -> SyncError {
    SyncError::Copy { table: table.to_string(), source: DbError::query(what, e) }
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// What a table copy shares with the rest of the sync.
#[derive(Clone, Copy)]
pub struct CopyContext<'a> {
    /// Rows per anonymization batch.
    pub batch_size: usize,
    pub progress: &'a TableProgress,
    pub control: &'a Progress,
    pub redraws: &'a Redraws,
}

/// Copies `table` from `source` to `target` (each inside its transaction).
pub async fn copy_table(
    source: &Client,
    target: &Client,
    table: &PlannedTable,
    transformer: Option<Arc<Transformer>>,
    cx: &CopyContext<'_>,
) -> Result<CopyOutcome, SyncError> {
    let CopyContext { batch_size, progress, control, redraws } = *cx;
    let name = table.display.as_str();
    let stream = source
        .raw()
        .copy_out(table.copy_out_sql().as_str())
        .await
        .map_err(|e| copy_error(name, "reading from the source", &e))?;
    let sink = target
        .raw()
        .copy_in::<_, Bytes>(table.copy_in_sql().as_str())
        .await
        .map_err(|e| copy_error(name, "writing to the target", &e))?;
    futures_util::pin_mut!(stream);
    futures_util::pin_mut!(sink);
    let in_flight = rayon::current_num_threads() + 1;
    let mut outcome = CopyOutcome::default();

    match transformer {
        None => {
            let on_rows = |rows: u64| progress.add_rows(rows);
            let cancelled = || control.is_cancelled();
            let copy = Pipe { label: name, on_rows: &on_rows, cancelled: &cancelled };
            outcome.read = copy.stream(stream, sink.as_mut()).await?;
        }
        Some(t) => {
            let (tx, mut rx) = mpsc::channel::<oneshot::Receiver<Result<Processed, SyncError>>>(in_flight);
            let batch_size = batch_size.max(1) as u64;
            let dispatcher = async {
                let tx = tx;
                let mut batch = BytesMut::with_capacity(1 << 20);
                let (mut rows, mut read, mut batches) = (0u64, 0u64, 0usize);
                let flush = |batch: &mut BytesMut, rows: u64, batches: &mut usize| {
                    let data = batch.split().freeze();
                    let quota = if *batches * SAMPLES_PER_BATCH < SAMPLE_ROWS { SAMPLES_PER_BATCH } else { 0 };
                    *batches += 1;
                    let (done_tx, done_rx) = oneshot::channel();
                    let t = Arc::clone(&t);
                    let current: Vec<Arc<BTreeMap<u64, u32>>> =
                        t.slots.iter().map(|s| redraws.get(&s.domain)).collect();
                    rayon::spawn(move || {
                        let _ = done_tx.send(t.batch(data, rows as usize, quota, &current));
                    });
                    done_rx
                };
                while let Some(item) = stream.next().await {
                    let chunk = item.map_err(|e| copy_error(name, "reading from the source", &e))?;
                    rows += newlines(&chunk);
                    batch.extend_from_slice(&chunk);
                    if rows >= batch_size || batch.len() >= MAX_BATCH_BYTES {
                        if control.is_cancelled() {
                            return Err(SyncError::Cancelled);
                        }
                        read += rows;
                        let pending = flush(&mut batch, rows, &mut batches);
                        rows = 0;
                        if tx.send(pending).await.is_err() {
                            break;
                        }
                    }
                }
                if rows > 0 {
                    read += rows;
                    let pending = flush(&mut batch, rows, &mut batches);
                    let _ = tx.send(pending).await;
                }
                Ok::<u64, SyncError>(read)
            };
            let writer = async {
                let mut unique = UniqueState::new(t.slots.len());
                let mut samples = Vec::new();
                while let Some(pending) = rx.recv().await {
                    let mut processed = pending.await.map_err(|_| SyncError::Anonymize {
                        table: name.to_string(),
                        column: String::new(),
                        source: AnonymizeError::Value { strategy: "copy".into(), message: "a worker stopped".into() },
                    })??;
                    if t.track_rows {
                        unique.resolve(&t, &mut processed, redraws)?;
                    }
                    samples.append(&mut processed.samples);
                    let rows = processed.rows as u64;
                    sink.send(Bytes::from(processed.out))
                        .await
                        .map_err(|e| copy_error(name, "writing to the target", &e))?;
                    progress.add_rows(rows);
                }
                Ok::<(Vec<u64>, Vec<Sample>), SyncError>((unique.collisions, samples))
            };
            let (read, (collisions, samples)) = tokio::try_join!(dispatcher, writer)?;
            outcome.read = read;
            outcome.collisions = collisions;
            outcome.samples = samples;
        }
    }
    outcome.written = sink.as_mut().finish().await.map_err(|e| copy_error(name, "finishing the copy", &e))?;
    Ok(outcome)
}
