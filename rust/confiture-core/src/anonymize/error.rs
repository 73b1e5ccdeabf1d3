use std::path::PathBuf;

/// Why anonymization cannot start or a value cannot be anonymized. Messages never contain the
/// key or a value being anonymized.
#[derive(Debug, thiserror::Error)]
pub enum AnonymizeError {
    #[error(
        "no anonymization key: environment variable {var} is not set; refusing to anonymize with a \
         public constant. Set it to a secret of at least {min} characters (e.g. `openssl rand -hex 32`)"
    )]
    NoKey { var: String, min: usize },

    #[error(
        "the anonymization key in {var} is too short ({length} characters); use at least {min} \
         (e.g. `openssl rand -hex 32`)"
    )]
    WeakKey { var: String, length: usize, min: usize },

    #[error("unknown anonymization strategy {name:?}; available: {}", .available.join(", "))]
    UnknownStrategy { name: String, available: Vec<String> },

    #[error("strategy `{strategy}`: {message}")]
    InvalidConfig { strategy: String, message: String },

    #[error("{strategy}: {message} (the value is not shown)")]
    Value { strategy: String, message: String },

    #[error("anonymization profile not found: {path}")]
    ProfileNotFound { path: PathBuf },

    #[error("invalid anonymization profile {path}:\n{}", bullet_list(.problems))]
    InvalidProfile { path: PathBuf, problems: Vec<String> },

    #[error(
        "{column}: no unique value found after {attempts} attempts; strategy `{strategy}` has too \
         few possible outputs for `unique: true` on this many rows"
    )]
    UniqueExhausted { column: String, strategy: String, attempts: u32 },
}

pub(crate) fn bullet_list(items: &[String]) -> String {
    items.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}
