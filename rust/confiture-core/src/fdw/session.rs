//! Connections to the two databases, with the same session settings on both sides so values print
//! and parse the same way (COPY text, checksums).

use super::FdwError;
use crate::db::{Client, connect};
use crate::sync::Endpoint;

const SESSION: &str = "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET TimeZone = 'UTC'; \
                       SET extra_float_digits = 3; SET bytea_output = 'hex'; SET statement_timeout = 0; \
                       SET application_name = 'confiture schema-to-schema'";

pub async fn open(endpoint: &Endpoint, what: &str) -> Result<Client, crate::Error> {
    let client = connect(&endpoint.params).await?;
    client.batch(SESSION, &format!("setting up the {what} session")).await.map_err(FdwError::db(what))?;
    Ok(client)
}

/// A single text value.
pub async fn scalar(client: &Client, sql: &str, context: &str) -> Result<Option<String>, FdwError> {
    let rows = client.rows(sql, &[], context).await.map_err(FdwError::db(context))?;
    Ok(rows.first().and_then(|r| r.get::<_, Option<String>>(0)))
}

/// Runs statements.
pub async fn exec(client: &Client, sql: &str, context: &str) -> Result<(), FdwError> {
    client.batch(sql, context).await.map_err(FdwError::db(context))
}
