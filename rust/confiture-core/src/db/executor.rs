//! The executor seam: engine code that must also run inside a user's own connection (migrations,
//! preconditions, locks) talks to PostgreSQL only through [`Executor`]. [`NativeExecutor`] wraps a
//! tokio-postgres connection (the CLI); the Python binding implements the trait over a psycopg
//! connection, so `Migrator(connection=conn)` runs everything in the caller's transaction.
//!
//! The trait is synchronous: it is driven from a plain thread (never a runtime worker), so the
//! Python side can call back into it while the engine waits.

use std::sync::{Arc, Mutex, MutexGuard};

use super::{Client, DbError, PgErrorInfo, block_on};

/// A query with parameters kept apart from the SQL text. Each executor renders the placeholders
/// its driver understands (`$1` for tokio-postgres, `%s` for psycopg).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// SQL text pieces; a parameter sits between consecutive pieces.
    pub pieces: Vec<String>,
    /// Parameter values as text (NULL when `None`); the SQL casts them as needed.
    pub params: Vec<Option<String>>,
}

impl Query {
    pub fn new(sql: &str) -> Self {
        Self { pieces: vec![sql.to_string()], params: Vec::new() }
    }

    /// Appends SQL text.
    pub fn sql(mut self, text: &str) -> Self {
        if let Some(last) = self.pieces.last_mut() {
            last.push_str(text);
        }
        self
    }

    /// Appends another query's text and parameters.
    pub fn append(mut self, other: Query) -> Self {
        let mut pieces = other.pieces.into_iter();
        if let Some(first) = pieces.next() {
            self = self.sql(&first);
        }
        for (param, piece) in other.params.into_iter().zip(pieces) {
            self = self.param(param).sql(&piece);
        }
        self
    }

    /// Appends a text parameter.
    pub fn param(mut self, value: impl Into<Option<String>>) -> Self {
        self.params.push(value.into());
        self.pieces.push(String::new());
        self
    }

    /// The SQL with `$1, $2, …` placeholders.
    pub fn numbered(&self) -> String {
        let mut out = String::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push_str(&format!("${i}"));
            }
            out.push_str(piece);
        }
        out
    }

    /// The SQL with `%s` placeholders and literal `%` doubled (psycopg's syntax).
    pub fn percent(&self) -> String {
        let mut out = String::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push_str("%s");
            }
            out.push_str(&piece.replace('%', "%%"));
        }
        out
    }
}

/// One result row, every column as text (queries cast what they select to `text`).
pub type Row = Vec<Option<String>>;

/// A failed statement: what PostgreSQL said, or what the driver said when there is no server error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .info.as_ref().map_or(.message.as_str(), |i| i.message.as_str()))]
pub struct ExecError {
    pub info: Option<Box<PgErrorInfo>>,
    pub message: String,
}

impl ExecError {
    pub fn client(message: impl Into<String>) -> Self {
        Self { info: None, message: message.into() }
    }

    pub fn code(&self) -> Option<&str> {
        self.info.as_ref().map(|i| i.code.as_str())
    }

    fn from_driver(e: &tokio_postgres::Error) -> Self {
        Self { info: PgErrorInfo::from_error(e).map(Box::new), message: e.to_string() }
    }
}

impl From<DbError> for ExecError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Server { info, .. } => Self { message: info.message.clone(), info: Some(info) },
            other => Self::client(other.to_string()),
        }
    }
}

/// What a client-facing statement returned (the connection Python migrations get under the CLI).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ClientResult {
    pub columns: Vec<String>,
    /// Values: booleans, integers, floats and JSON as such; every other type as its text form.
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Rows affected or returned (-1 when unknown, e.g. several statements).
    pub rowcount: i64,
}

/// A statement of a script failed: its index, the byte offset of the error inside it (when
/// PostgreSQL gave a position), and the error.
#[derive(Debug, Clone)]
pub struct ScriptError {
    pub index: usize,
    pub offset: Option<usize>,
    pub error: ExecError,
}

/// Byte offset of PostgreSQL's 1-based *character* position in `text`.
pub fn position_to_byte(text: &str, position: u32) -> Option<usize> {
    let index = usize::try_from(position).ok()?.checked_sub(1)?;
    text.char_indices().nth(index).map(|(b, _)| b)
}

/// Runs SQL for the engine.
pub trait Executor: Send + std::any::Any {
    /// Runs one or more statements without parameters (simple query protocol).
    fn execute(&mut self, sql: &str) -> Result<(), ExecError>;

    /// Runs one statement with parameters; every selected column must be text.
    fn query(&mut self, query: &Query) -> Result<Vec<Row>, ExecError>;

    /// Runs statements in order, saying which one failed and where. The default sends them one by
    /// one; the native executor sends them all in one message (one round trip).
    fn execute_script(&mut self, statements: &[&str]) -> Result<(), ScriptError> {
        for (index, stmt) in statements.iter().enumerate() {
            self.execute(stmt).map_err(|error| ScriptError {
                index,
                offset: error.info.as_ref().and_then(|i| i.position).and_then(|p| position_to_byte(stmt, p)),
                error,
            })?;
        }
        Ok(())
    }

    /// `COPY … FROM STDIN` with its data.
    fn copy_in(&mut self, statement: &str, data: &[u8]) -> Result<u64, ExecError>;

    /// Runs a statement for a client and returns its rows (the connection Python migrations get
    /// under the CLI). Executors that hand the caller's own connection to migrations need not.
    fn run(&mut self, _sql: &str) -> Result<ClientResult, ExecError> {
        Err(ExecError::client("this connection cannot run client statements"))
    }

    /// Switches to autocommit for a migration that must run outside a transaction, and back.
    /// Confiture's own connection is in autocommit whenever it is not inside BEGIN … COMMIT.
    fn autocommit(&mut self, _on: bool) -> Result<(), ExecError> {
        Ok(())
    }

    /// Whether `BEGIN`/`COMMIT` may travel as SQL text inside a script (the connection is the
    /// runner's own, not a caller's with a transaction state of its own).
    fn inline_transactions(&self) -> bool {
        false
    }

    /// Transaction control. The psycopg executor maps these to the connection's own methods so
    /// the driver's transaction state stays right.
    fn begin(&mut self) -> Result<(), ExecError> {
        self.execute("BEGIN")
    }
    fn commit(&mut self) -> Result<(), ExecError> {
        self.execute("COMMIT")
    }
    fn rollback(&mut self) -> Result<(), ExecError> {
        self.execute("ROLLBACK")
    }

    /// Name of the current database (for the lock id and messages).
    fn database_name(&mut self) -> Result<String, ExecError> {
        let rows = self.query(&Query::new("SELECT current_database()::text"))?;
        Ok(rows.into_iter().next().and_then(|r| r.into_iter().next().flatten()).unwrap_or_default())
    }

    /// `server_version_num`.
    fn server_version(&mut self) -> Result<u32, ExecError> {
        let rows = self.query(&Query::new("SELECT current_setting('server_version_num')::text"))?;
        Ok(rows.first().and_then(|r| r.first().cloned().flatten()).and_then(|v| v.parse().ok()).unwrap_or(0))
    }
}

/// An executor shared between the engine and callbacks (a Python migration's `execute`).
pub type SharedExecutor = Arc<Mutex<Box<dyn Executor>>>;

/// Locks a shared executor, recovering from a poisoned lock (a panic elsewhere must not wedge it).
pub fn lock(shared: &SharedExecutor) -> MutexGuard<'_, Box<dyn Executor>> {
    shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The executor over Confiture's own connection.
pub struct NativeExecutor {
    client: Client,
    /// Statements prepared on this connection, by SQL text: the runner repeats the same few
    /// queries (tracking rows, catalog checks) once per migration, so each is parsed once.
    prepared: std::collections::HashMap<String, tokio_postgres::Statement>,
}

/// Enough for the runner's fixed queries; precondition queries with literal names vary more.
const PREPARED_CACHE_LIMIT: usize = 64;

impl NativeExecutor {
    pub fn new(client: Client) -> Self {
        Self { client, prepared: std::collections::HashMap::new() }
    }

    /// Makes the server notice a vanished client (a killed deploy) while a statement runs or waits
    /// for a lock, and roll back, instead of finishing the work nobody will see. PostgreSQL 14+
    /// (`client_connection_check_interval`); a no-op before.
    pub fn watch_for_vanished_client(&mut self) -> Result<(), ExecError> {
        if self.server_version()? >= 140_000 {
            self.execute("SET client_connection_check_interval = 500")?;
        }
        Ok(())
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn into_client(self) -> Client {
        self.client
    }
}

impl Executor for NativeExecutor {
    fn inline_transactions(&self) -> bool {
        true
    }

    fn execute(&mut self, sql: &str) -> Result<(), ExecError> {
        block_on(self.client.raw().batch_execute(sql)).map_err(ExecError::from)?.map_err(|e| ExecError::from_driver(&e))
    }

    fn query(&mut self, query: &Query) -> Result<Vec<Row>, ExecError> {
        let sql = query.numbered();
        let params: Vec<Option<&str>> = query.params.iter().map(Option::as_deref).collect();
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
        let cached = self.prepared.get(&sql).cloned();
        let client = self.client.raw();
        let (rows, statement) = block_on(async {
            let statement = match cached {
                Some(statement) => statement,
                None => {
                    // Parameters are sent as text: declare them so, whatever the server would infer.
                    let types = vec![tokio_postgres::types::Type::TEXT; refs.len()];
                    client.prepare_typed(&sql, &types).await?
                }
            };
            client.query(&statement, &refs).await.map(|rows| (rows, statement))
        })
        .map_err(ExecError::from)?
        .map_err(|e| ExecError::from_driver(&e))?;
        if self.prepared.len() >= PREPARED_CACHE_LIMIT {
            self.prepared.clear();
        }
        self.prepared.entry(sql.clone()).or_insert(statement);
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| row.try_get::<_, Option<String>>(i))
                    .collect::<Result<Row, _>>()
                    .map_err(|e| ExecError::client(format!("query {sql:?} must select text columns: {e}")))
            })
            .collect()
    }

    fn execute_script(&mut self, statements: &[&str]) -> Result<(), ScriptError> {
        // One message for all statements; the server reports CommandComplete per statement, so the
        // count of completions (or the error's position) tells which statement failed.
        let mut batch = String::new();
        let mut starts = Vec::with_capacity(statements.len());
        for s in statements {
            starts.push(batch.len());
            batch.push_str(s);
            if !s.trim_end().ends_with(';') {
                batch.push(';');
            }
            batch.push('\n');
        }
        let locate = |completed: usize, error: ExecError| {
            let byte = error.info.as_ref().and_then(|i| i.position).and_then(|p| position_to_byte(&batch, p));
            let index = match byte {
                Some(b) => starts.partition_point(|&s| s <= b).saturating_sub(1),
                None => completed.min(statements.len().saturating_sub(1)),
            };
            let offset = byte.and_then(|b| b.checked_sub(starts[index])).filter(|o| *o < statements[index].len());
            ScriptError { index, offset, error }
        };
        let outcome = block_on(async {
            use futures_util::StreamExt;
            let stream = match self.client.raw().simple_query_raw(&batch).await {
                Ok(s) => s,
                Err(e) => return Err((0, ExecError::from_driver(&e))),
            };
            futures_util::pin_mut!(stream);
            let mut completed = 0;
            while let Some(message) = stream.next().await {
                match message {
                    Ok(tokio_postgres::SimpleQueryMessage::CommandComplete(_)) => completed += 1,
                    Ok(_) => {}
                    Err(e) => return Err((completed, ExecError::from_driver(&e))),
                }
            }
            Ok(())
        });
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err((completed, error))) => Err(locate(completed, error)),
            Err(e) => Err(ScriptError { index: 0, offset: None, error: ExecError::from(e) }),
        }
    }

    fn run(&mut self, sql: &str) -> Result<ClientResult, ExecError> {
        let statements = crate::sql::split(sql).map_err(|e| ExecError::client(e.to_string()))?;
        if statements.len() != 1 {
            self.execute(sql)?;
            return Ok(ClientResult { rowcount: -1, ..ClientResult::default() });
        }
        let outcome = block_on(async {
            // The description gives the column types; the simple protocol gives every value as text.
            let prepared = self.client.raw().prepare(sql).await?;
            let types: Vec<tokio_postgres::types::Type> =
                prepared.columns().iter().map(|c| c.type_().clone()).collect();
            let columns = prepared.columns().iter().map(|c| c.name().to_string()).collect();
            let messages = self.client.raw().simple_query(sql).await?;
            Ok::<_, tokio_postgres::Error>((columns, types, messages))
        })
        .map_err(ExecError::from)?
        .map_err(|e| ExecError::from_driver(&e))?;
        let (columns, types, messages) = outcome;
        let mut result = ClientResult { columns, rows: Vec::new(), rowcount: -1 };
        for message in messages {
            match message {
                tokio_postgres::SimpleQueryMessage::Row(row) => {
                    result.rows.push((0..row.len()).map(|i| typed_value(row.get(i), types.get(i))).collect())
                }
                tokio_postgres::SimpleQueryMessage::CommandComplete(n) => {
                    result.rowcount = i64::try_from(n).unwrap_or(i64::MAX);
                }
                _ => {}
            }
        }
        Ok(result)
    }

    fn copy_in(&mut self, statement: &str, data: &[u8]) -> Result<u64, ExecError> {
        block_on(async {
            use futures_util::SinkExt;
            let sink = self.client.raw().copy_in(statement).await?;
            futures_util::pin_mut!(sink);
            sink.send(bytes::Bytes::copy_from_slice(data)).await?;
            sink.finish().await
        })
        .map_err(ExecError::from)?
        .map_err(|e| ExecError::from_driver(&e))
    }
}

/// A text value as JSON by its column type.
fn typed_value(text: Option<&str>, ty: Option<&tokio_postgres::types::Type>) -> serde_json::Value {
    use tokio_postgres::types::Type;
    let Some(text) = text else { return serde_json::Value::Null };
    let Some(ty) = ty else { return serde_json::Value::String(text.to_string()) };
    let parsed = if *ty == Type::BOOL {
        Some(serde_json::Value::Bool(text == "t"))
    } else if [Type::INT2, Type::INT4, Type::INT8, Type::OID].contains(ty) {
        text.parse::<i64>().ok().map(serde_json::Value::from)
    } else if [Type::FLOAT4, Type::FLOAT8].contains(ty) {
        text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(serde_json::Value::Number)
    } else if [Type::JSON, Type::JSONB].contains(ty) {
        serde_json::from_str(text).ok()
    } else {
        None
    };
    parsed.unwrap_or_else(|| serde_json::Value::String(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_get_their_types() {
        use tokio_postgres::types::Type;
        assert_eq!(typed_value(Some("t"), Some(&Type::BOOL)), serde_json::json!(true));
        assert_eq!(typed_value(Some("42"), Some(&Type::INT8)), serde_json::json!(42));
        assert_eq!(typed_value(Some("1.5"), Some(&Type::FLOAT8)), serde_json::json!(1.5));
        assert_eq!(typed_value(Some("{\"a\": 1}"), Some(&Type::JSONB)), serde_json::json!({"a": 1}));
        assert_eq!(typed_value(Some("12.30"), Some(&Type::NUMERIC)), serde_json::json!("12.30"));
        assert_eq!(typed_value(None, Some(&Type::TEXT)), serde_json::Value::Null);
    }

    #[test]
    fn placeholders_render_for_each_driver() {
        let q = Query::new("SELECT 1 FROM t WHERE a = ")
            .param(Some("x".to_string()))
            .sql(" AND b LIKE 'x%' AND c = ")
            .param(None);
        assert_eq!(q.numbered(), "SELECT 1 FROM t WHERE a = $1 AND b LIKE 'x%' AND c = $2");
        assert_eq!(q.percent(), "SELECT 1 FROM t WHERE a = %s AND b LIKE 'x%%' AND c = %s");
        assert_eq!(q.params, vec![Some("x".to_string()), None]);
    }
}
