//! Talking to PostgreSQL: the one shared tokio runtime ([`runtime`], [`block_on`]), connections with
//! libpq-compatible parameters and TLS ([`connect`]), and PostgreSQL errors with every field the
//! server sends ([`PgErrorInfo`]), and the [`Executor`] seam engine code uses when it must also run
//! inside a user's own (psycopg) connection. Other areas never create runtimes or spawn tasks themselves.

pub mod admin;
mod connect;
mod error;
mod executor;
mod runtime;
mod tls;

pub use connect::{Client, connect, connect_url};
pub use error::{DbError, PgErrorInfo};
pub use executor::{
    ClientResult, ExecError, Executor, NativeExecutor, Query, Row, ScriptError, SharedExecutor, lock, position_to_byte,
};
pub use runtime::{block_on, runtime};
