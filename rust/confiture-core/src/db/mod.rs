//! Talking to PostgreSQL: the one shared tokio runtime ([`runtime`], [`block_on`]), connections with
//! libpq-compatible parameters and TLS ([`connect`]), and PostgreSQL errors with every field the
//! server sends ([`PgErrorInfo`]). Other areas never create runtimes or spawn tasks themselves.

pub mod admin;
mod connect;
mod error;
mod runtime;
mod tls;

pub use connect::{Client, connect, connect_url};
pub use error::{DbError, PgErrorInfo};
pub use runtime::{block_on, runtime};
