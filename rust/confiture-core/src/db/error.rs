use serde::Serialize;

/// Everything PostgreSQL said about an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PgErrorInfo {
    /// SQLSTATE, e.g. `42P07`.
    pub code: String,
    pub severity: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// 1-based character position in the query text, when the server gives one.
    pub position: Option<u32>,
    /// The server's context line(s), e.g. the PL/pgSQL function and line.
    pub context: Option<String>,
    pub schema: Option<String>,
    pub table: Option<String>,
    pub column: Option<String>,
    pub constraint: Option<String>,
}

impl PgErrorInfo {
    pub fn from_error(e: &tokio_postgres::Error) -> Option<Self> {
        let db = e.as_db_error()?;
        Some(Self {
            code: db.code().code().to_string(),
            severity: db.severity().to_string(),
            message: db.message().to_string(),
            detail: db.detail().map(str::to_string),
            hint: db.hint().map(str::to_string),
            position: match db.position() {
                Some(tokio_postgres::error::ErrorPosition::Original(p)) => Some(*p),
                _ => None,
            },
            context: db.where_().map(str::to_string),
            schema: db.schema().map(str::to_string),
            table: db.table().map(str::to_string),
            column: db.column().map(str::to_string),
            constraint: db.constraint().map(str::to_string),
        })
    }
}

/// Database failures. Targets are shown as `host:port/dbname`, never with a password.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to {target}: {message}")]
    Connect { target: String, message: String, code: Option<String> },

    #[error("{context}: {}", .info.message)]
    Server { context: String, info: Box<PgErrorInfo> },

    #[error("{context}: {message}")]
    Client { context: String, message: String },

    #[error("TLS setup for {target}: {message}")]
    Tls { target: String, message: String },

    #[error("{message}")]
    Runtime { message: String },
}

impl DbError {
    /// Wraps a driver error raised while doing `context` (e.g. "creating database \"app\"").
    pub fn query(context: impl Into<String>, e: &tokio_postgres::Error) -> Self {
        let context = context.into();
        match PgErrorInfo::from_error(e) {
            Some(info) => Self::Server { context, info: Box::new(info) },
            None => Self::Client { context, message: e.to_string() },
        }
    }

    /// The server's SQLSTATE, when there is one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Server { info, .. } => Some(&info.code),
            Self::Connect { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}
