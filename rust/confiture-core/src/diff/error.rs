/// Why a diff could not be planned or written.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A change the planner cannot express as SQL yet (never dropped silently).
    #[error("not yet supported: {what}")]
    Unsupported { what: String },

    /// The plan drops data and `--allow-destructive` was not given.
    #[error("the plan has {count} destructive step(s); review them and pass --allow-destructive to write it:\n{steps}")]
    Destructive { count: usize, steps: String },

    /// A diff side that is neither a file, a directory, `env:NAME` nor a database URL.
    #[error("{spec}: {message}")]
    Side { spec: String, message: String },

    /// `--generate` with nothing to generate.
    #[error("no changes detected: nothing to generate")]
    NoChanges,
}
