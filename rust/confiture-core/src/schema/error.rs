/// Why a schema could not be read into the model. Every variant says where (file and line, or
/// the database object) and what.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaError {
    /// PostgreSQL's parser rejected a statement.
    #[error("{file}:{line}: syntax error: {message}")]
    Parse { file: String, line: usize, message: String },

    /// A statement or clause the model does not cover yet (never skipped silently).
    #[error("{file}:{line}: not yet supported: {kind}")]
    Unsupported { file: String, line: usize, kind: String },

    /// A statement that does not fit the schema built so far (e.g. ALTER of a missing table).
    #[error("{file}:{line}: {message}")]
    Invalid { file: String, line: usize, message: String },

    /// An object in a database that the model does not cover yet.
    #[error("{database}: not yet supported: {kind} {name}")]
    UnsupportedInDatabase { database: String, kind: String, name: String },

    /// A file or directory that cannot be read.
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
}

impl SchemaError {
    /// The file and line the error points at, when it points at one.
    pub fn location(&self) -> Option<(&str, usize)> {
        match self {
            Self::Parse { file, line, .. }
            | Self::Unsupported { file, line, .. }
            | Self::Invalid { file, line, .. } => Some((file, *line)),
            Self::UnsupportedInDatabase { .. } | Self::Read { .. } => None,
        }
    }
}
