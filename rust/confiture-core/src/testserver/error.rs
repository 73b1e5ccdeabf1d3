use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "PostgreSQL server binaries (initdb, postgres) not found; looked in: {}\n\
         install the server (Debian/Ubuntu: apt-get install postgresql) or point \
         CONFITURE_TEST_DATABASE_URL at an existing server",
        searched.join(", ")
    )]
    BinariesNotFound { searched: Vec<String> },

    #[error(
        "running as root, PostgreSQL must run as an unprivileged OS user, but user `postgres` does not exist; \
         create it (useradd postgres) or point CONFITURE_TEST_DATABASE_URL at an existing server"
    )]
    NoUnprivilegedUser,

    #[error("{action}: {source}")]
    Io { action: String, source: std::io::Error },

    #[error("initdb failed ({dir}):\n{output}")]
    Initdb { dir: PathBuf, output: String },

    #[error("PostgreSQL did not start; its log ({log}) ends with:\n{tail}")]
    Start { log: PathBuf, tail: String },

    #[error("{var} is not a valid connection URL: {message}")]
    BadUrl { var: String, message: String },

    #[error("{message}")]
    Forked { message: String },
}
