//! The template-database cache. After a successful build, the database is cloned into a template
//! named after the schema hash (`confiture_tpl_<hash>`, connections disallowed so it can always be
//! cloned). The next build with the same hash clones it with `CREATE DATABASE … TEMPLATE` instead of
//! running the DDL. A JSON marker in the template's comment records its hash and lineage (project
//! and environment); older templates of the same lineage are dropped when a new one is made.

use serde::{Deserialize, Serialize};

use super::ObjectKind;
use crate::db::admin::{comment_on_database, create_database, drop_database};
use crate::db::{Client, DbError};
use crate::sql::quote_ident;

pub const TEMPLATE_PREFIX: &str = "confiture_tpl_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Marker {
    confiture_template: u32,
    hash: String,
    lineage: String,
    created: String,
    /// What the template holds, so a clone can report it without querying the new database.
    #[serde(default)]
    objects: Vec<ObjectKind>,
}

/// A cached template database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateInfo {
    pub name: String,
    pub hash: String,
    pub lineage: String,
    pub created: String,
    pub objects: Vec<ObjectKind>,
}

/// The template name for a schema hash.
pub fn template_name(hash: &str) -> String {
    format!("{TEMPLATE_PREFIX}{}", &hash[..hash.len().min(24)])
}

/// Every complete confiture template on the server.
pub async fn list_templates(admin: &Client) -> Result<Vec<TemplateInfo>, DbError> {
    let rows = admin
        .rows(
            "SELECT datname, pg_catalog.shobj_description(oid, 'pg_database') FROM pg_catalog.pg_database \
             WHERE datname LIKE 'confiture\\_tpl\\_%' ORDER BY datname",
            &[],
            "listing template databases",
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let name: String = r.get(0);
            let marker: Marker = serde_json::from_str(r.get::<_, Option<&str>>(1)?).ok()?;
            Some(TemplateInfo {
                name,
                hash: marker.hash,
                lineage: marker.lineage,
                created: marker.created,
                objects: marker.objects,
            })
        })
        .collect())
}

/// The complete template for `hash`, if cached.
pub(super) async fn find(admin: &Client, hash: &str) -> Result<Option<TemplateInfo>, DbError> {
    let name = template_name(hash);
    Ok(list_templates(admin).await?.into_iter().find(|t| t.name == name && t.hash == hash))
}

/// Clones `source` into the template for `hash`. Returns the template's name, or `None` when it
/// could not be made (e.g. someone connected to `source` meanwhile): the cache is best effort.
pub(super) async fn create(
    admin: &Client,
    source: &str,
    hash: &str,
    lineage: &str,
    objects: &[ObjectKind],
) -> Result<Option<String>, DbError> {
    let name = template_name(hash);
    match create_database(admin, &name, Some(source)).await {
        Ok(()) => {}
        // Another build made it first (its marker comes last, so it may still be finishing).
        Err(e) if e.code() == Some("42P04") => return Ok(None),
        Err(e) if e.code() == Some("55006") => return Ok(None),
        Err(e) => return Err(e),
    }
    let context = format!("finishing template {}", quote_ident(&name));
    admin.batch(&format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", quote_ident(&name)), &context).await?;
    admin.batch(&format!("ALTER DATABASE {} IS_TEMPLATE true", quote_ident(&name)), &context).await?;
    let marker = Marker {
        confiture_template: 1,
        hash: hash.to_string(),
        lineage: lineage.to_string(),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        objects: objects.to_vec(),
    };
    let json = serde_json::to_string(&marker).map_err(|e| DbError::Client { context, message: e.to_string() })?;
    comment_on_database(admin, &name, &json).await?;
    Ok(Some(name))
}

/// Drops the other templates of `lineage`; returns their names.
pub(super) async fn prune(admin: &Client, lineage: &str, keep: &str) -> Result<Vec<String>, DbError> {
    let mut dropped = Vec::new();
    for t in list_templates(admin).await? {
        if t.lineage == lineage && t.name != keep {
            match drop_database(admin, &t.name).await {
                Ok(()) => dropped.push(t.name),
                // Being cloned right now by someone else: leave it for the next prune.
                Err(e) if e.code() == Some("55006") => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(dropped)
}

/// `CREATE DATABASE target TEMPLATE template`.
pub async fn clone_template(admin: &Client, template: &str, target: &str) -> Result<(), DbError> {
    create_database(admin, target, Some(template)).await
}
