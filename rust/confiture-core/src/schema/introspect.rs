//! The model from a live database (online): a handful of batched `pg_catalog` queries in one
//! read-only snapshot, no per-object round trips and no `information_schema`.
//!
//! What the catalog holds is written back as DDL — with PostgreSQL's own `pg_get_*def` functions
//! for constraints, indexes, views, functions and triggers — and read by the same parser as DDL
//! files, so both ways of building the model share every conversion. Grants and default
//! privileges are read from the ACLs directly.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::catalog_row::{CatalogRow as Row, get};
use super::grant::privilege_of;
use super::parse::{ParseOptions, Source, parse};
use super::{Catalog, DefaultPrivilege, Grant, QualifiedName, SchemaError};
use crate::db::{Client, DbError, Executor, Query, connect, connect_url};
use crate::sql::{quote_ident, quote_literal};

#[derive(Debug, Clone, Copy, Default)]
pub struct IntrospectOptions {
    pub include_grants: bool,
    /// Leave out objects the model does not cover (aggregates, foreign tables, rules, …) instead
    /// of failing: for snapshots of what the model does cover (the testing toolkit).
    pub skip_unsupported: bool,
}

/// User schemas: not the system ones, not temporary ones.
const USER_NS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

fn not_extension_member(classid: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dx WHERE dx.classid = '{classid}'::regclass \
         AND dx.objid = {oid} AND dx.deptype = 'e')"
    )
}

/// `LEFT JOIN` of an object's comment (`dsc.description`): one hashed join instead of an
/// `obj_description` call per row (a sub-query each, a third of some queries' time).
fn comment_join(oid: &str, catalog: &str, subid: &str) -> String {
    format!(
        "LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = {oid} \
         AND dsc.classoid = 'pg_catalog.{catalog}'::regclass AND dsc.objsubid = {subid}"
    )
}

/// Connects to `url` and reads its schema.
pub async fn introspect_url(url: &str, options: IntrospectOptions) -> Result<Catalog, crate::Error> {
    let client = connect_url(url).await?;
    let result = introspect(&client, options).await;
    client.close().await;
    result
}

/// The snapshot both connections read: its catalog sorts stay in memory (`work_mem`), and
/// `pg_get_*def` print names as seen from `public`.
const SNAPSHOT_SETTINGS: &str = "SET LOCAL search_path TO public; SET LOCAL work_mem TO '64MB'";

/// Reads the schema of the database `client` is connected to, in one read-only snapshot. A second
/// connection (same parameters) answers about half of the catalog queries in that same snapshot,
/// so the server works on both halves at once; without it (no connection slot left, a server
/// that cannot export snapshots) `client` answers them all.
pub async fn introspect(client: &Client, options: IntrospectOptions) -> Result<Catalog, crate::Error> {
    let database = client.target().to_string();
    let begin = format!("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {SNAPSHOT_SETTINGS}");
    let (begun, helper) =
        tokio::join!(client.batch(&begin, "starting the introspection snapshot"), connect(client.params()));
    begun?;
    let helper = match helper {
        Ok(h) => share_snapshot(client, h, &begin).await?,
        Err(_) => None,
    };
    let result = read_all(client, helper.as_ref(), &database, options).await;
    if let Some(h) = helper {
        let _ = h.batch("ROLLBACK", "ending the introspection snapshot").await;
        h.close().await;
    }
    let _ = client.batch("ROLLBACK", "ending the introspection snapshot").await;
    result
}

/// Moves `helper` into `client`'s snapshot. When the snapshot cannot be exported (the failed
/// export ends `client`'s transaction) a new one is begun and the helper is not used.
async fn share_snapshot(client: &Client, helper: Client, begin: &str) -> Result<Option<Client>, crate::Error> {
    let exported = client.raw().query_one("SELECT pg_catalog.pg_export_snapshot()", &[]).await;
    let Ok(snapshot) = exported.and_then(|row| row.try_get::<_, String>(0)) else {
        client.batch("ROLLBACK", "ending the introspection snapshot").await?;
        client.batch(begin, "starting the introspection snapshot").await?;
        helper.close().await;
        return Ok(None);
    };
    let import = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT {}; {SNAPSHOT_SETTINGS}",
        quote_literal(&snapshot)
    );
    if helper.batch(&import, "sharing the introspection snapshot").await.is_ok() {
        Ok(Some(helper))
    } else {
        helper.close().await;
        Ok(None)
    }
}

struct Rows {
    unsupported: Vec<Row>,
    schemas: Vec<Row>,
    extensions: Vec<Row>,
    types: Vec<Row>,
    domain_checks: Vec<Row>,
    attributes: Vec<Row>,
    sequences: Vec<Row>,
    relations: Vec<Row>,
    columns: Vec<Row>,
    constraints: Vec<Row>,
    indexes: Vec<Row>,
    functions: Vec<Row>,
    triggers: Vec<Row>,
    policies: Vec<Row>,
    default_acls: Vec<Row>,
    current_user: Vec<Row>,
}

/// What each catalog query reads (for errors), in the order of [`Rows`].
const WHAT: [&str; 16] = [
    "unsupported objects",
    "schemas",
    "extensions",
    "types",
    "domain constraints",
    "composite types",
    "sequences",
    "relations",
    "columns",
    "constraints",
    "indexes",
    "functions",
    "triggers",
    "policies",
    "default privileges",
    "the current user",
];

/// The catalog queries, in the order of [`WHAT`].
#[allow(clippy::too_many_lines, reason = "one query per kind, side by side")]
fn queries() -> [String; 16] {
    let ext_rel = not_extension_member("pg_catalog.pg_class", "cl.oid");
    let unsupported_sql = format!(
        "SELECT 'aggregate', n.nspname || '.' || p.proname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
           WHERE p.prokind = 'a' AND {USER_NS} AND {ext_proc}
         UNION ALL SELECT 'foreign table', n.nspname || '.' || cl.relname FROM pg_catalog.pg_class cl JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace \
           WHERE cl.relkind = 'f' AND {USER_NS} AND {ext_rel}
         UNION ALL SELECT 'operator', n.nspname || '.' || o.oprname FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace \
           WHERE {USER_NS} AND {ext_op}
         UNION ALL SELECT 'rule', r.rulename || ' on ' || n.nspname || '.' || cl.relname FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class cl ON cl.oid = r.ev_class \
           JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace WHERE r.rulename <> '_RETURN' AND {USER_NS} AND {ext_rel}
         UNION ALL SELECT 'collation', n.nspname || '.' || co.collname FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace \
           WHERE {USER_NS} AND {ext_coll}
         UNION ALL SELECT 'text search configuration', n.nspname || '.' || t.cfgname FROM pg_catalog.pg_ts_config t JOIN pg_catalog.pg_namespace n ON n.oid = t.cfgnamespace \
           WHERE {USER_NS} AND {ext_ts}
         UNION ALL SELECT 'statistics object', n.nspname || '.' || s.stxname FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace \
           WHERE {USER_NS}
         UNION ALL SELECT 'event trigger', e.evtname FROM pg_catalog.pg_event_trigger e WHERE {ext_evt}
         UNION ALL SELECT 'base type', n.nspname || '.' || t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
           WHERE t.typtype IN ('b', 'p') AND t.typelem = 0 AND {USER_NS} AND {ext_type}
         UNION ALL SELECT 'disabled trigger', t.tgname || ' on ' || t.tgrelid::regclass::text FROM pg_catalog.pg_trigger t \
           JOIN pg_catalog.pg_class cl ON cl.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace \
           WHERE NOT t.tgisinternal AND t.tgenabled <> 'O' AND {USER_NS} AND {ext_rel}
         UNION ALL SELECT 'trigger on a view', t.tgname || ' on ' || t.tgrelid::regclass::text FROM pg_catalog.pg_trigger t \
           JOIN pg_catalog.pg_class cl ON cl.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace \
           WHERE NOT t.tgisinternal AND cl.relkind = 'v' AND {USER_NS} AND {ext_rel}
         UNION ALL SELECT 'replica identity', n.nspname || '.' || cl.relname FROM pg_catalog.pg_class cl JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace \
           WHERE cl.relkind IN ('r', 'p') AND cl.relreplident NOT IN ('d') AND {USER_NS} AND {ext_rel}
         UNION ALL SELECT 'typed table', n.nspname || '.' || cl.relname FROM pg_catalog.pg_class cl JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace \
           WHERE cl.relkind IN ('r', 'p') AND cl.reloftype <> 0 AND {USER_NS} AND {ext_rel}
         ORDER BY 1, 2",
        ext_proc = not_extension_member("pg_catalog.pg_proc", "p.oid"),
        ext_op = not_extension_member("pg_catalog.pg_operator", "o.oid"),
        ext_coll = not_extension_member("pg_catalog.pg_collation", "co.oid"),
        ext_ts = not_extension_member("pg_catalog.pg_ts_config", "t.oid"),
        ext_evt = not_extension_member("pg_catalog.pg_event_trigger", "e.oid"),
        ext_type = not_extension_member("pg_catalog.pg_type", "t.oid"),
    );
    let schemas_sql = format!(
        "SELECT n.nspname, dsc.description, n.nspacl::text[], pg_catalog.pg_get_userbyid(n.nspowner)::text \
         FROM pg_catalog.pg_namespace n {} WHERE {USER_NS} AND n.nspname <> 'public' AND {} ORDER BY 1",
        comment_join("n.oid", "pg_namespace", "0"),
        not_extension_member("pg_catalog.pg_namespace", "n.oid")
    );
    // The default version, the public schema and the control file's comment are what DDL that
    // does not name them gets: reported as unspecified.
    let extensions_sql =
        "SELECT e.extname::text, n.nspname::text, e.extversion, pg_catalog.obj_description(e.oid, 'pg_extension'), \
           a.default_version, a.comment \
         FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
         LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname \
         WHERE e.extname <> 'plpgsql' ORDER BY 1"
            .to_string();
    let ext_type = not_extension_member("pg_catalog.pg_type", "t.oid");
    let types_sql = format!(
        "SELECT t.oid, n.nspname::text, t.typname::text, t.typtype::text, dsc.description, t.typacl::text[], \
           pg_catalog.pg_get_userbyid(t.typowner)::text, \
           (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), \
           CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END, t.typnotnull, \
           pg_catalog.pg_get_expr(t.typdefaultbin, 0), \
           CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN (SELECT quote_ident(co.collname) FROM pg_catalog.pg_collation co WHERE co.oid = t.typcollation) END, \
           CASE WHEN t.typtype = 'r' THEN pg_catalog.format_type(r.rngsubtype, NULL) END, \
           (SELECT oc.opcname::text FROM pg_catalog.pg_opclass oc WHERE oc.oid = r.rngsubopc AND NOT oc.opcdefault), \
           (SELECT quote_ident(co.collname) FROM pg_catalog.pg_collation co WHERE co.oid = r.rngcollation AND r.rngcollation <> st.typcollation), \
           CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END, \
           CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END, \
           (SELECT mt.typname::text FROM pg_catalog.pg_type mt WHERE mt.oid = r.rngmultitypid) \
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype \
         LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid \
         LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype \
         LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid {dsc} \
         WHERE {USER_NS} AND {ext_type} AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND tc.relkind = 'c')) \
         ORDER BY 2, 3",
        dsc = comment_join("t.oid", "pg_type", "0")
    );
    let domain_checks_sql = format!(
        "SELECT k.contypid, k.conname::text, pg_catalog.pg_get_constraintdef(k.oid), dsc.description \
         FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_type t ON t.oid = k.contypid JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace {dsc} \
         WHERE k.contypid <> 0 AND k.contype = 'c' AND {USER_NS} AND {ext_type} ORDER BY 1, 2",
        dsc = comment_join("k.oid", "pg_constraint", "0")
    );
    let attributes_sql = format!(
        "SELECT t.oid, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), \
           CASE WHEN a.attcollation <> at.typcollation THEN (SELECT quote_ident(co.collname) FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation) END \
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid AND tc.relkind = 'c' \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = tc.oid AND a.attnum > 0 AND NOT a.attisdropped \
         JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
         WHERE {USER_NS} AND {ext_type} ORDER BY 1, a.attnum"
    );
    let sequences_sql = format!(
        "SELECT n.nspname::text, cl.relname::text, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
           (SELECT quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || '.' || quote_ident(ta.attname) FROM pg_catalog.pg_depend d \
              JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace \
              JOIN pg_catalog.pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid \
              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = cl.oid AND d.deptype = 'a' AND d.refclassid = 'pg_catalog.pg_class'::regclass), \
           dsc.description, cl.relacl::text[], pg_catalog.pg_get_userbyid(cl.relowner)::text \
         FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class cl ON cl.oid = s.seqrelid JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace {dsc} \
         WHERE {USER_NS} AND {ext_rel} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass \
           AND d.objid = cl.oid AND d.deptype = 'i') ORDER BY 1, 2",
        dsc = comment_join("cl.oid", "pg_class", "0")
    );
    let relations_sql = format!(
        "SELECT cl.oid, n.nspname::text, cl.relname::text, cl.relkind::text, cl.relpersistence::text, cl.relrowsecurity, cl.relforcerowsecurity, \
           cl.reloptions::text[], cl.relispartition, pg_catalog.pg_get_expr(cl.relpartbound, cl.oid), \
           CASE WHEN cl.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(cl.oid) END, \
           (SELECT array_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) ORDER BY i.inhseqno) FROM pg_catalog.pg_inherits i \
              JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = cl.oid), \
           dsc.description, cl.relacl::text[], pg_catalog.pg_get_userbyid(cl.relowner)::text, \
           CASE WHEN cl.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(cl.oid) END \
         FROM pg_catalog.pg_class cl JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace {dsc} \
         WHERE cl.relkind IN ('r', 'p', 'v', 'm') AND {USER_NS} AND {ext_rel} ORDER BY 2, 3",
        dsc = comment_join("cl.oid", "pg_class", "0")
    );
    // Defaults cannot name columns: printed without the table's context (a relation lookup per
    // call otherwise). Identity sequences are joined as one set, not probed per column.
    let columns_sql = format!(
        "SELECT a.attrelid, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, \
           CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, 0) ELSE pg_catalog.pg_get_expr(d.adbin, d.adrelid) END, \
           a.attidentity::text, a.attgenerated::text, \
           CASE WHEN a.attcollation <> t.typcollation THEN (SELECT quote_ident(co.collname) FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation) END, \
           a.attislocal, dsc.description, a.attacl::text[], \
           idn.seqstart, idn.seqincrement, idn.seqmin, idn.seqmax, idn.seqcache, idn.seqcycle, pg_catalog.format_type(idn.seqtypid, NULL) \
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class cl ON cl.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace \
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         LEFT JOIN (SELECT dep.refobjid, dep.refobjsubid, s.* FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid \
           WHERE dep.classid = 'pg_catalog.pg_class'::regclass AND dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.deptype = 'i') idn \
           ON idn.refobjid = a.attrelid AND idn.refobjsubid = a.attnum {dsc} \
         WHERE cl.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND {USER_NS} AND {ext_rel} \
         ORDER BY a.attrelid, a.attnum",
        dsc = comment_join("a.attrelid", "pg_class", "a.attnum")
    );
    let constraints_sql = format!(
        "SELECT k.conrelid, k.conname::text, pg_catalog.pg_get_constraintdef(k.oid), dsc.description \
         FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class cl ON cl.oid = k.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace {dsc} \
         WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND k.conislocal AND k.conparentid = 0 AND {USER_NS} AND {ext_rel} \
         ORDER BY 1, 2",
        dsc = comment_join("k.oid", "pg_constraint", "0")
    );
    let indexes_sql = format!(
        "SELECT i.indrelid, ic.relname::text, pg_catalog.pg_get_indexdef(i.indexrelid), dsc.description \
         FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_class cl ON cl.oid = i.indrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace {dsc} \
         WHERE cl.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition AND {USER_NS} AND {ext_rel} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) \
         ORDER BY 1, 2",
        dsc = comment_join("i.indexrelid", "pg_class", "0")
    );
    let ext_proc = not_extension_member("pg_catalog.pg_proc", "p.oid");
    let functions_sql = format!(
        "SELECT n.nspname::text, p.proname::text, pg_catalog.pg_get_functiondef(p.oid), dsc.description, \
           p.proacl::text[], pg_catalog.pg_get_userbyid(p.proowner)::text, pg_catalog.pg_get_function_identity_arguments(p.oid), p.prokind::text \
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace {dsc} \
         WHERE p.prokind IN ('f', 'p', 'w') AND {USER_NS} AND {ext_proc} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i') \
         ORDER BY 1, 2, 7",
        dsc = comment_join("p.oid", "pg_proc", "0")
    );
    let triggers_sql = format!(
        "SELECT t.tgrelid, t.tgname::text, pg_catalog.pg_get_triggerdef(t.oid), dsc.description \
         FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class cl ON cl.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace {dsc} \
         WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND cl.relkind IN ('r', 'p') AND {USER_NS} AND {ext_rel} ORDER BY 1, 2",
        dsc = comment_join("t.oid", "pg_trigger", "0")
    );
    let policies_sql = format!(
        "SELECT p.polrelid, p.polname::text, p.polpermissive, p.polcmd::text, \
           ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_catalog.pg_get_userbyid(r)) END FROM unnest(p.polroles) r ORDER BY 1), \
           pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), dsc.description \
         FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class cl ON cl.oid = p.polrelid JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace {dsc} \
         WHERE {USER_NS} AND {ext_rel} ORDER BY 1, 2",
        dsc = comment_join("p.oid", "pg_policy", "0")
    );
    let default_acls_sql = "SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text, n.nspname::text, d.defaclobjtype::text, d.defaclacl::text[] \
         FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace ORDER BY 1, 2, 3"
        .to_string();
    [
        unsupported_sql,
        schemas_sql,
        extensions_sql,
        types_sql,
        domain_checks_sql,
        attributes_sql,
        sequences_sql,
        relations_sql,
        columns_sql,
        constraints_sql,
        indexes_sql,
        functions_sql,
        triggers_sql,
        policies_sql,
        default_acls_sql,
        "SELECT current_user::text".to_string(),
    ]
}

impl Rows {
    fn from_results(results: Vec<Vec<Row>>) -> Self {
        let mut results = results.into_iter();
        let mut next = || results.next().unwrap_or_default();
        Self {
            unsupported: next(),
            schemas: next(),
            extensions: next(),
            types: next(),
            domain_checks: next(),
            attributes: next(),
            sequences: next(),
            relations: next(),
            columns: next(),
            constraints: next(),
            indexes: next(),
            functions: next(),
            triggers: next(),
            policies: next(),
            default_acls: next(),
            current_user: next(),
        }
    }
}

/// Every query goes out at once (tokio-postgres pipelines them on each connection); the helper,
/// when there is one, answers the constraints, indexes, triggers, policies and default
/// privileges: about as long as the rest.
async fn read_all(
    client: &Client,
    helper: Option<&Client>,
    database: &str,
    options: IntrospectOptions,
) -> Result<Catalog, crate::Error> {
    let sql = queries();
    let on_helper =
        |what: &str| matches!(what, "constraints" | "indexes" | "triggers" | "policies" | "default privileges");
    let results = futures_util::future::join_all(sql.iter().zip(WHAT).map(|(q, what)| {
        let c = helper.filter(|_| on_helper(what)).unwrap_or(client);
        c.raw().query(q.as_str(), &[])
    }))
    .await;
    let mut rows = Vec::with_capacity(results.len());
    for (result, what) in results.into_iter().zip(WHAT) {
        let result = result.map_err(|e| DbError::query(format!("reading {what}"), &e))?;
        rows.push(result.into_iter().map(Row::Typed).collect());
    }
    build(&Rows::from_results(rows), database, options)
}

/// Reads the schema through an executor — inside the caller's transaction when there is one (in a
/// savepoint that is rolled back), so uncommitted changes are seen and nothing is left behind.
/// Every column crosses as text: each query's rows come back as `row_to_json` documents.
pub fn introspect_exec(exec: &mut dyn Executor, options: IntrospectOptions) -> Result<Catalog, crate::Error> {
    let failed =
        |what: &str, e: crate::db::ExecError| DbError::Client { context: what.to_string(), message: e.to_string() };
    let database = exec.database_name().map_err(|e| failed("reading the database name", e))?;
    exec.begin().map_err(|e| failed("starting the introspection", e))?;
    let result = (|| -> Result<Catalog, crate::Error> {
        // pg_get_*def qualifies names outside the search path: the same path as the typed reader.
        exec.execute("SET LOCAL search_path TO public").map_err(|e| failed("setting the search path", e))?;
        let mut rows = Vec::with_capacity(WHAT.len());
        for (sql, what) in queries().iter().zip(WHAT) {
            let wrapped = format!("SELECT pg_catalog.row_to_json(q)::text FROM ({sql}) q");
            let texts = exec.query(&Query::new(&wrapped)).map_err(|e| failed(&format!("reading {what}"), e))?;
            let mut parsed = Vec::with_capacity(texts.len());
            for text in texts.into_iter().filter_map(|r| r.into_iter().next().flatten()) {
                parsed.push(
                    Row::from_json_text(&text)
                        .map_err(|e| DbError::Client { context: format!("reading {what}"), message: e.to_string() })?,
                );
            }
            rows.push(parsed);
        }
        build(&Rows::from_results(rows), &database, options)
    })();
    // The savepoint (or transaction) only ever read: roll it back, success or not.
    let ended = exec.rollback().map_err(|e| failed("ending the introspection", e));
    let catalog = result?;
    ended?;
    Ok(catalog)
}

fn qn(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

/// What grants to apply once the model is built: (object, owner, ACL items, default for NULL).
struct AclEntry {
    object: AclTarget,
    owner: String,
    acl: Option<Vec<String>>,
}

enum AclTarget {
    Schema(String),
    Type(QualifiedName),
    Relation(QualifiedName),
    Column(QualifiedName, String),
    Function(QualifiedName, String),
}

fn build(rows: &Rows, database: &str, options: IntrospectOptions) -> Result<Catalog, crate::Error> {
    if !rows.unsupported.is_empty() && !options.skip_unsupported {
        let mut kinds: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in &rows.unsupported {
            let kind: String = get(r, 0, "unsupported objects")?;
            let name: String = get(r, 1, "unsupported objects")?;
            kinds.entry(kind).or_default().push(name);
        }
        let (kind, names) = kinds.into_iter().next().unwrap_or_default();
        return Err(SchemaError::UnsupportedInDatabase {
            database: database.to_string(),
            kind,
            name: names.join(", "),
        }
        .into());
    }
    let mut ddl = String::with_capacity(1 << 16);
    let mut acls: Vec<AclEntry> = Vec::new();
    let w = &mut ddl;

    for r in &rows.schemas {
        let name: String = get(r, 0, "schemas")?;
        let _ = writeln!(w, "CREATE SCHEMA {};", quote_ident(&name));
        comment(w, "SCHEMA", &quote_ident(&name), get(r, 1, "schemas")?);
        acls.push(AclEntry {
            object: AclTarget::Schema(name),
            owner: get(r, 3, "schemas")?,
            acl: get(r, 2, "schemas")?,
        });
    }
    for r in &rows.extensions {
        let name: String = get(r, 0, "extensions")?;
        let schema: String = get(r, 1, "extensions")?;
        let version: String = get(r, 2, "extensions")?;
        let text: Option<String> = get(r, 3, "extensions")?;
        let default_version: Option<String> = get(r, 4, "extensions")?;
        let default_comment: Option<String> = get(r, 5, "extensions")?;
        let mut s = format!("CREATE EXTENSION {}", quote_ident(&name));
        if schema != "public" {
            let _ = write!(s, " WITH SCHEMA {}", quote_ident(&schema));
        }
        if default_version.as_deref() != Some(version.as_str()) {
            let _ = write!(s, " VERSION {}", quote_literal(&version));
        }
        let _ = writeln!(w, "{s};");
        if text != default_comment {
            comment(w, "EXTENSION", &quote_ident(&name), text);
        }
    }

    // Types: oid → name, for domain checks and composite attributes.
    let mut type_names: BTreeMap<u32, String> = BTreeMap::new();
    let mut checks: BTreeMap<u32, Vec<&Row>> = BTreeMap::new();
    for r in &rows.domain_checks {
        checks.entry(get(r, 0, "domain constraints")?).or_default().push(r);
    }
    let mut attributes: BTreeMap<u32, Vec<&Row>> = BTreeMap::new();
    for r in &rows.attributes {
        attributes.entry(get(r, 0, "composite types")?).or_default().push(r);
    }
    for r in &rows.types {
        let oid: u32 = get(r, 0, "types")?;
        let schema: String = get(r, 1, "types")?;
        let name: String = get(r, 2, "types")?;
        let typtype: String = get(r, 3, "types")?;
        let full = qn(&schema, &name);
        type_names.insert(oid, full.clone());
        match typtype.as_str() {
            "e" => {
                let labels: Vec<String> = get::<Option<Vec<String>>>(r, 7, "enum labels")?.unwrap_or_default();
                let labels: Vec<String> = labels.iter().map(|l| quote_literal(l)).collect();
                let _ = writeln!(w, "CREATE TYPE {full} AS ENUM ({});", labels.join(", "));
            }
            "c" => {
                let attrs: Vec<String> = attributes
                    .get(&oid)
                    .map(|rs| {
                        rs.iter()
                            .map(|a| -> Result<String, DbError> {
                                let n: String = get(a, 1, "attributes")?;
                                let t: String = get(a, 2, "attributes")?;
                                let coll: Option<String> = get(a, 3, "attributes")?;
                                Ok(format!(
                                    "{} {t}{}",
                                    quote_ident(&n),
                                    coll.map(|c| format!(" COLLATE {c}")).unwrap_or_default()
                                ))
                            })
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .transpose()?
                    .unwrap_or_default();
                let _ = writeln!(w, "CREATE TYPE {full} AS ({});", attrs.join(", "));
            }
            "d" => {
                let base: String = get(r, 8, "domains")?;
                let not_null: bool = get(r, 9, "domains")?;
                let default: Option<String> = get(r, 10, "domains")?;
                let coll: Option<String> = get(r, 11, "domains")?;
                let mut s = format!("CREATE DOMAIN {full} AS {base}");
                if let Some(c) = coll {
                    let _ = write!(s, " COLLATE {c}");
                }
                if let Some(d) = default {
                    let _ = write!(s, " DEFAULT {d}");
                }
                if not_null {
                    s.push_str(" NOT NULL");
                }
                let mut comments = Vec::new();
                for c in checks.get(&oid).map(Vec::as_slice).unwrap_or_default() {
                    let cname: String = get(c, 1, "domain constraints")?;
                    let def: String = get(c, 2, "domain constraints")?;
                    if def.ends_with(" NOT VALID") {
                        comments.push(format!("ALTER DOMAIN {full} ADD CONSTRAINT {} {def};", quote_ident(&cname)));
                    } else {
                        let _ = write!(s, " CONSTRAINT {} {def}", quote_ident(&cname));
                    }
                    if let Some(text) = get::<Option<String>>(c, 3, "domain constraints")? {
                        comments.push(format!(
                            "COMMENT ON CONSTRAINT {} ON DOMAIN {full} IS {};",
                            quote_ident(&cname),
                            quote_literal(&text)
                        ));
                    }
                }
                let _ = writeln!(w, "{s};");
                for c in comments {
                    let _ = writeln!(w, "{c}");
                }
            }
            "r" => {
                let subtype: String = get(r, 12, "range types")?;
                let mut params = vec![format!("SUBTYPE = {subtype}")];
                if let Some(o) = get::<Option<String>>(r, 13, "range types")? {
                    params.push(format!("SUBTYPE_OPCLASS = {}", quote_ident(&o)));
                }
                if let Some(c) = get::<Option<String>>(r, 14, "range types")? {
                    params.push(format!("COLLATION = {c}"));
                }
                if let Some(f) = get::<Option<String>>(r, 15, "range types")? {
                    params.push(format!("CANONICAL = {f}"));
                }
                if let Some(f) = get::<Option<String>>(r, 16, "range types")? {
                    params.push(format!("SUBTYPE_DIFF = {f}"));
                }
                if let Some(m) = get::<Option<String>>(r, 17, "range types")? {
                    params.push(format!("MULTIRANGE_TYPE_NAME = {}", qn(&schema, &m)));
                }
                let _ = writeln!(w, "CREATE TYPE {full} AS RANGE ({});", params.join(", "));
            }
            _ => {}
        }
        let kind = if typtype == "d" { "DOMAIN" } else { "TYPE" };
        comment(w, kind, &full, get(r, 4, "types")?);
        acls.push(AclEntry {
            object: AclTarget::Type(QualifiedName::new(schema, name)),
            owner: get(r, 6, "types")?,
            acl: get(r, 5, "types")?,
        });
    }

    let mut owned_by = Vec::new();
    for r in &rows.sequences {
        let schema: String = get(r, 0, "sequences")?;
        let name: String = get(r, 1, "sequences")?;
        let full = qn(&schema, &name);
        let _ = writeln!(
            w,
            "CREATE SEQUENCE {full} AS {} START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {}{};",
            get::<String>(r, 2, "sequences")?,
            get::<i64>(r, 3, "sequences")?,
            get::<i64>(r, 4, "sequences")?,
            get::<i64>(r, 5, "sequences")?,
            get::<i64>(r, 6, "sequences")?,
            get::<i64>(r, 7, "sequences")?,
            if get::<bool>(r, 8, "sequences")? { " CYCLE" } else { "" },
        );
        if let Some(owner) = get::<Option<String>>(r, 9, "sequences")? {
            owned_by.push(format!("ALTER SEQUENCE {full} OWNED BY {owner};"));
        }
        comment(w, "SEQUENCE", &full, get(r, 10, "sequences")?);
        acls.push(AclEntry {
            object: AclTarget::Relation(QualifiedName::new(schema, name)),
            owner: get(r, 12, "sequences")?,
            acl: get(r, 11, "sequences")?,
        });
    }

    // Relations.
    let mut columns: BTreeMap<u32, Vec<&Row>> = BTreeMap::new();
    for r in &rows.columns {
        columns.entry(get(r, 0, "columns")?).or_default().push(r);
    }
    let mut rel_names: BTreeMap<u32, (String, QualifiedName, String)> = BTreeMap::new();
    let mut later = String::new();
    for r in &rows.relations {
        let oid: u32 = get(r, 0, "relations")?;
        let schema: String = get(r, 1, "relations")?;
        let name: String = get(r, 2, "relations")?;
        let relkind: String = get(r, 3, "relations")?;
        let persistence: String = get(r, 4, "relations")?;
        let full = qn(&schema, &name);
        let owner: String = get(r, 14, "relations")?;
        rel_names.insert(oid, (full.clone(), QualifiedName::new(schema.clone(), name.clone()), relkind.clone()));
        let options: Option<Vec<String>> = get(r, 7, "relations")?;
        let with = options_clause(options.as_deref());
        let cols = columns.get(&oid).map(Vec::as_slice).unwrap_or_default();
        match relkind.as_str() {
            "r" | "p" => {
                let rls: bool = get(r, 5, "relations")?;
                let force: bool = get(r, 6, "relations")?;
                let is_partition: bool = get(r, 8, "relations")?;
                let bound: Option<String> = get(r, 9, "relations")?;
                let partkey: Option<String> = get(r, 10, "relations")?;
                let parents: Vec<String> = get::<Option<Vec<String>>>(r, 11, "relations")?.unwrap_or_default();
                let unlogged = if persistence == "u" { "UNLOGGED " } else { "" };
                let mut local = Vec::new();
                for c in cols {
                    if get::<bool>(c, 8, "columns")? {
                        local.push(column_def(c)?);
                    }
                }
                if is_partition && local.is_empty() {
                    let parent = parents.first().cloned().unwrap_or_default();
                    let _ =
                        write!(w, "CREATE {unlogged}TABLE {full} PARTITION OF {parent} {}", bound.unwrap_or_default());
                } else if is_partition {
                    // Created on its own and attached: its columns are its own.
                    let parent = parents.first().cloned().unwrap_or_default();
                    let _ = write!(w, "CREATE {unlogged}TABLE {full} ({})", local.join(",\n  "));
                    let _ =
                        writeln!(later, "ALTER TABLE {parent} ATTACH PARTITION {full} {};", bound.unwrap_or_default());
                } else {
                    let _ = write!(w, "CREATE {unlogged}TABLE {full} ({})", local.join(",\n  "));
                    if !parents.is_empty() {
                        let _ = write!(w, " INHERITS ({})", parents.join(", "));
                    }
                }
                if let Some(k) = partkey {
                    let _ = write!(w, " PARTITION BY {k}");
                }
                let _ = writeln!(w, "{with};");
                if rls {
                    let _ = writeln!(later, "ALTER TABLE {full} ENABLE ROW LEVEL SECURITY;");
                }
                if force {
                    let _ = writeln!(later, "ALTER TABLE {full} FORCE ROW LEVEL SECURITY;");
                }
            }
            "v" | "m" => {
                let def: String = get::<Option<String>>(r, 15, "views")?.unwrap_or_default();
                let def = def.trim_end().trim_end_matches(';');
                if relkind == "v" {
                    let _ = writeln!(later, "CREATE VIEW {full}{with} AS {def};");
                } else {
                    let _ = writeln!(later, "CREATE MATERIALIZED VIEW {full}{with} AS {def} WITH NO DATA;");
                }
            }
            _ => {}
        }
        let kind = match relkind.as_str() {
            "v" => "VIEW",
            "m" => "MATERIALIZED VIEW",
            _ => "TABLE",
        };
        let target = if matches!(relkind.as_str(), "v" | "m") { &mut later } else { &mut *w };
        comment(target, kind, &full, get(r, 12, "relations")?);
        for c in cols {
            let col: String = get(c, 1, "columns")?;
            comment(target, "COLUMN", &format!("{full}.{}", quote_ident(&col)), get(c, 9, "columns")?);
            if let Some(acl) = get::<Option<Vec<String>>>(c, 10, "columns")? {
                acls.push(AclEntry {
                    object: AclTarget::Column(QualifiedName::new(schema.clone(), name.clone()), col),
                    owner: owner.clone(),
                    acl: Some(acl),
                });
            }
        }
        acls.push(AclEntry {
            object: AclTarget::Relation(QualifiedName::new(schema, name)),
            owner,
            acl: get(r, 13, "relations")?,
        });
    }
    w.push_str(&later);
    for s in owned_by {
        let _ = writeln!(w, "{s}");
    }
    let rel = |oid: u32| rel_names.get(&oid).map(|(f, _, _)| f.clone()).unwrap_or_default();
    for r in &rows.constraints {
        let table = rel(get(r, 0, "constraints")?);
        let name: String = get(r, 1, "constraints")?;
        let def: String = get(r, 2, "constraints")?;
        let _ = writeln!(w, "ALTER TABLE ONLY {table} ADD CONSTRAINT {} {def};", quote_ident(&name));
        if let Some(text) = get::<Option<String>>(r, 3, "constraints")? {
            let _ = writeln!(w, "COMMENT ON CONSTRAINT {} ON {table} IS {};", quote_ident(&name), quote_literal(&text));
        }
    }
    for r in &rows.indexes {
        let table_oid: u32 = get(r, 0, "indexes")?;
        let name: String = get(r, 1, "indexes")?;
        let def: String = get(r, 2, "indexes")?;
        let _ = writeln!(w, "{def};");
        if let Some((_, q, _)) = rel_names.get(&table_oid) {
            comment(w, "INDEX", &qn(&q.schema, &name), get(r, 3, "indexes")?);
        }
    }
    for r in &rows.functions {
        let schema: String = get(r, 0, "functions")?;
        let name: String = get(r, 1, "functions")?;
        let def: String = get(r, 2, "functions")?;
        let identity: String = get(r, 6, "functions")?;
        let prokind: String = get(r, 7, "functions")?;
        let _ = writeln!(w, "{def};");
        let kind = if prokind == "p" { "PROCEDURE" } else { "FUNCTION" };
        comment(w, kind, &format!("{}({identity})", qn(&schema, &name)), get(r, 3, "functions")?);
        acls.push(AclEntry {
            object: AclTarget::Function(QualifiedName::new(schema, name), identity),
            owner: get(r, 5, "functions")?,
            acl: get(r, 4, "functions")?,
        });
    }
    for r in &rows.triggers {
        let table = rel(get(r, 0, "triggers")?);
        let name: String = get(r, 1, "triggers")?;
        let def: String = get(r, 2, "triggers")?;
        let _ = writeln!(w, "{def};");
        if let Some(text) = get::<Option<String>>(r, 3, "triggers")? {
            let _ = writeln!(w, "COMMENT ON TRIGGER {} ON {table} IS {};", quote_ident(&name), quote_literal(&text));
        }
    }
    for r in &rows.policies {
        let table = rel(get(r, 0, "policies")?);
        let name: String = get(r, 1, "policies")?;
        let permissive: bool = get(r, 2, "policies")?;
        let cmd = match get::<String>(r, 3, "policies")?.as_str() {
            "r" => "SELECT",
            "a" => "INSERT",
            "w" => "UPDATE",
            "d" => "DELETE",
            _ => "ALL",
        };
        let roles: Vec<String> = get(r, 4, "policies")?;
        let mut s = format!(
            "CREATE POLICY {} ON {table} AS {} FOR {cmd} TO {}",
            quote_ident(&name),
            if permissive { "PERMISSIVE" } else { "RESTRICTIVE" },
            roles.join(", ")
        );
        if let Some(u) = get::<Option<String>>(r, 5, "policies")? {
            let _ = write!(s, " USING ({u})");
        }
        if let Some(c) = get::<Option<String>>(r, 6, "policies")? {
            let _ = write!(s, " WITH CHECK ({c})");
        }
        let _ = writeln!(w, "{s};");
        if let Some(text) = get::<Option<String>>(r, 7, "policies")? {
            let _ = writeln!(w, "COMMENT ON POLICY {} ON {table} IS {};", quote_ident(&name), quote_literal(&text));
        }
    }

    let parsed = parse(&[Source { name: format!("catalog of {database}"), text: ddl }], ParseOptions::default())?;
    let mut cat = parsed.catalog;
    cat.include_grants = options.include_grants;
    if options.include_grants {
        let current_user: String =
            rows.current_user.first().map(|r| get(r, 0, "current user")).transpose()?.unwrap_or_default();
        apply_acls(&mut cat, &acls);
        for r in &rows.default_acls {
            let role: String = get(r, 0, "default privileges")?;
            let schema: Option<String> = get(r, 1, "default privileges")?;
            let objtype = match get::<String>(r, 2, "default privileges")?.as_str() {
                "r" => "TABLES",
                "S" => "SEQUENCES",
                "f" => "FUNCTIONS",
                "T" => "TYPES",
                "n" => "SCHEMAS",
                _ => continue,
            };
            let acl: Vec<String> = get::<Option<Vec<String>>>(r, 3, "default privileges")?.unwrap_or_default();
            for item in &acl {
                let Some((grantee, privs)) = parse_acl_item(item) else { continue };
                if grantee == role {
                    continue;
                }
                for (p, with_grant_option) in privs {
                    if schema.is_none()
                        && grantee == "PUBLIC"
                        && ((objtype == "FUNCTIONS" && p == "EXECUTE") || (objtype == "TYPES" && p == "USAGE"))
                    {
                        continue;
                    }
                    cat.default_privileges.insert(DefaultPrivilege {
                        role: (role != current_user).then(|| role.clone()),
                        schema: schema.clone(),
                        object_type: objtype.into(),
                        grantee: grantee.clone(),
                        privilege: p.to_string(),
                        with_grant_option,
                    });
                }
            }
        }
    }
    Ok(cat)
}

fn comment(w: &mut String, kind: &str, target: &str, text: Option<String>) {
    if let Some(t) = text {
        let _ = writeln!(w, "COMMENT ON {kind} {target} IS {};", quote_literal(&t));
    }
}

fn options_clause(options: Option<&[String]>) -> String {
    match options {
        Some(o) if !o.is_empty() => {
            let items: Vec<String> = o
                .iter()
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) => format!("{k} = {}", quote_literal(v)),
                    None => kv.clone(),
                })
                .collect();
            format!(" WITH ({})", items.join(", "))
        }
        _ => String::new(),
    }
}

fn column_def(c: &Row) -> Result<String, DbError> {
    let name: String = get(c, 1, "columns")?;
    let data_type: String = get(c, 2, "columns")?;
    let not_null: bool = get(c, 3, "columns")?;
    let default: Option<String> = get(c, 4, "columns")?;
    let identity: String = get(c, 5, "columns")?;
    let generated: String = get(c, 6, "columns")?;
    let collation: Option<String> = get(c, 7, "columns")?;
    let mut s = format!("{} {data_type}", quote_ident(&name));
    if let Some(coll) = collation {
        let _ = write!(s, " COLLATE {coll}");
    }
    if generated == "s" {
        let _ = write!(s, " GENERATED ALWAYS AS ({}) STORED", default.unwrap_or_default());
    } else if let Some(d) = default {
        let _ = write!(s, " DEFAULT {d}");
    }
    if !identity.is_empty() {
        let kind = if identity == "a" { "ALWAYS" } else { "BY DEFAULT" };
        let _ = write!(
            s,
            " GENERATED {kind} AS IDENTITY (AS {} START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {}{})",
            get::<Option<String>>(c, 17, "identity")?.unwrap_or_else(|| "bigint".into()),
            get::<Option<i64>>(c, 11, "identity")?.unwrap_or(1),
            get::<Option<i64>>(c, 12, "identity")?.unwrap_or(1),
            get::<Option<i64>>(c, 13, "identity")?.unwrap_or(1),
            get::<Option<i64>>(c, 14, "identity")?.unwrap_or(i64::MAX),
            get::<Option<i64>>(c, 15, "identity")?.unwrap_or(1),
            if get::<Option<bool>>(c, 16, "identity")?.unwrap_or(false) { " CYCLE" } else { "" },
        );
    } else if not_null {
        s.push_str(" NOT NULL");
    }
    Ok(s)
}

/// `grantee=privs/grantor` → (grantee or `PUBLIC`, [(privilege, with grant option)]).
fn parse_acl_item(item: &str) -> Option<(String, Vec<(&'static str, bool)>)> {
    let (left, _grantor) = item.rsplit_once('/')?;
    // The grantee may be quoted and contain `=`.
    let (grantee, privs) = if let Some(rest) = left.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = rest.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|(_, n)| *n) == Some('"') {
                    name.push('"');
                    chars.next();
                } else {
                    end = Some(i + 1);
                    break;
                }
            } else {
                name.push(c);
            }
        }
        let rest = &rest[end?..];
        (name, rest.strip_prefix('=')?)
    } else {
        let (g, p) = left.split_once('=')?;
        (g.to_string(), p)
    };
    let grantee = if grantee.is_empty() { "PUBLIC".to_string() } else { grantee };
    let mut out = Vec::new();
    let chars: Vec<char> = privs.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if let Some(p) = privilege_of(*c) {
            out.push((p, chars.get(i + 1) == Some(&'*')));
        }
    }
    Some((grantee, out))
}

fn to_grants(acl: &[String], owner: &str, column: Option<&str>) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    for item in acl {
        let Some((grantee, privs)) = parse_acl_item(item) else { continue };
        if grantee == owner {
            continue;
        }
        for (p, with_grant_option) in privs {
            out.insert(Grant {
                grantee: grantee.clone(),
                privilege: p.to_string(),
                column: column.map(str::to_string),
                with_grant_option,
            });
        }
    }
    out
}

fn apply_acls(cat: &mut Catalog, acls: &[AclEntry]) {
    for e in acls {
        let public = |p: &str| {
            let mut s = BTreeSet::new();
            s.insert(Grant { grantee: "PUBLIC".into(), privilege: p.into(), column: None, with_grant_option: false });
            s
        };
        match &e.object {
            AclTarget::Schema(n) => {
                if let Some(ns) = cat.schemas.get_mut(n) {
                    ns.grants = e.acl.as_deref().map(|a| to_grants(a, &e.owner, None)).unwrap_or_default();
                }
            }
            AclTarget::Type(n) => {
                if let Some(t) = cat.types.get_mut(n) {
                    *t.grants_mut() =
                        e.acl.as_deref().map_or_else(|| public("USAGE"), |a| to_grants(a, &e.owner, None));
                }
            }
            AclTarget::Relation(n) => {
                let grants = e.acl.as_deref().map(|a| to_grants(a, &e.owner, None)).unwrap_or_default();
                if let Some(t) = cat.tables.get_mut(n) {
                    t.grants.extend(grants);
                } else if let Some(v) = cat.views.get_mut(n) {
                    v.grants.extend(grants);
                } else if let Some(s) = cat.sequences.get_mut(n) {
                    s.grants.extend(grants);
                }
            }
            AclTarget::Column(n, c) => {
                let grants = e.acl.as_deref().map(|a| to_grants(a, &e.owner, Some(c))).unwrap_or_default();
                if let Some(t) = cat.tables.get_mut(n) {
                    t.grants.extend(grants);
                } else if let Some(v) = cat.views.get_mut(n) {
                    v.grants.extend(grants);
                }
            }
            AclTarget::Function(n, identity) => {
                let grants = e.acl.as_deref().map_or_else(|| public("EXECUTE"), |a| to_grants(a, &e.owner, None));
                // Identity arguments are in PostgreSQL's spelling; match on the model's functions of
                // that name whose identity renders the same.
                let keys: Vec<(QualifiedName, String)> = cat
                    .functions_named(n)
                    .filter_map(|id| match id {
                        super::ObjectId::Function(n, a) => Some((n, a)),
                        _ => None,
                    })
                    .collect();
                let wanted = normalize_identity(identity);
                for k in keys {
                    if k.1 == wanted
                        && let Some(f) = cat.functions.get_mut(&k)
                    {
                        f.grants = grants.clone();
                    }
                }
            }
        }
    }
}

/// `a integer, OUT b text` → the input types as the model renders them.
fn normalize_identity(identity: &str) -> String {
    let sql = format!("CREATE FUNCTION f({identity}) RETURNS void LANGUAGE sql AS ''");
    match super::parse_sql("identity", &sql, ParseOptions::default()) {
        Ok(p) => p.catalog.functions.keys().next().map(|(_, a)| a.clone()).unwrap_or_default(),
        Err(_) => identity.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acl_items() {
        let (g, p) = parse_acl_item("app=arw*/postgres").unwrap();
        assert_eq!(g, "app");
        assert_eq!(p, vec![("INSERT", false), ("SELECT", false), ("UPDATE", true)]);
        let (g, p) = parse_acl_item("=X/postgres").unwrap();
        assert_eq!((g.as_str(), p), ("PUBLIC", vec![("EXECUTE", false)]));
        let (g, _) = parse_acl_item("\"we=ird\"\"x\"=r/postgres").unwrap();
        assert_eq!(g, "we=ird\"x");
    }
}
