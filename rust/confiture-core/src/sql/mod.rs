//! SQL text: splitting scripts into statements the way psql does ([`split`]), recognising the few
//! statement kinds the engine must treat specially ([`classify`], confirmed with pg_query, PostgreSQL's
//! own parser), and quoting identifiers and literals ([`quote_ident`], [`quote_literal`]): the only
//! place SQL text is built from names.

mod classify;
pub mod effects;
mod error;
mod fragment;
mod ident;
pub mod placeholders;
mod split;

pub use classify::{StatementClass, classify};
pub use error::SqlError;
pub use fragment::{Fragment, check_condition, check_expression};
pub use ident::{quote_ident, quote_literal, quote_literal_escaped, quote_qualified};
pub use split::{Statement, StatementKind, line_of, split};
