//! Database-level administration: existence checks, create, drop, clone. Names are always quoted.

use super::{Client, DbError, connect};
use crate::config::ConnectionParams;
use crate::sql::{quote_ident, quote_literal};

/// Connects to the maintenance database of the server `params` points at (`postgres`, else
/// `template1`), for CREATE/DROP DATABASE.
pub async fn maintenance_client(params: &ConnectionParams) -> Result<Client, DbError> {
    match connect(&params.with_dbname("postgres")).await {
        Err(DbError::Connect { code: Some(code), .. }) if code == "3D000" => {
            connect(&params.with_dbname("template1")).await
        }
        other => other,
    }
}

pub async fn database_exists(admin: &Client, name: &str) -> Result<bool, DbError> {
    let rows =
        admin.rows("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", &[&name], "looking up databases").await?;
    Ok(!rows.is_empty())
}

/// `CREATE DATABASE name [TEMPLATE template]`.
pub async fn create_database(admin: &Client, name: &str, template: Option<&str>) -> Result<(), DbError> {
    let mut sql = format!("CREATE DATABASE {}", quote_ident(name));
    if let Some(t) = template {
        sql.push_str(&format!(" TEMPLATE {}", quote_ident(t)));
    }
    admin.batch(&sql, &format!("creating database {}", quote_ident(name))).await
}

/// `DROP DATABASE IF EXISTS name`, turning a template back into a normal database first.
pub async fn drop_database(admin: &Client, name: &str) -> Result<(), DbError> {
    let context = format!("dropping database {}", quote_ident(name));
    let rows =
        admin.rows("SELECT datistemplate FROM pg_catalog.pg_database WHERE datname = $1", &[&name], &context).await?;
    let Some(row) = rows.first() else {
        return Ok(());
    };
    if row.get::<_, bool>(0) {
        admin.batch(&format!("ALTER DATABASE {} IS_TEMPLATE false", quote_ident(name)), &context).await?;
    }
    admin.batch(&format!("DROP DATABASE IF EXISTS {}", quote_ident(name)), &context).await
}

/// Sets a database's comment (COMMENT ON DATABASE).
pub async fn comment_on_database(admin: &Client, name: &str, comment: &str) -> Result<(), DbError> {
    admin
        .batch(
            &format!("COMMENT ON DATABASE {} IS {}", quote_ident(name), quote_literal(comment)),
            &format!("commenting database {}", quote_ident(name)),
        )
        .await
}

/// How many other sessions are connected to a database.
pub async fn other_sessions(admin: &Client, name: &str) -> Result<i64, DbError> {
    let rows = admin
        .rows(
            "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&name],
            "counting sessions",
        )
        .await?;
    Ok(rows.first().map_or(0, |r| r.get(0)))
}

/// Ends every other session connected to a database (for dropping test databases).
pub async fn terminate_sessions(admin: &Client, name: &str) -> Result<(), DbError> {
    admin
        .rows(
            "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&name],
            "closing sessions",
        )
        .await
        .map(drop)
}
