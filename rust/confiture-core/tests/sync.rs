//! `confiture sync` against real PostgreSQL: two databases on the test server (and one test
//! across two servers), every option, every strategy, odd identifiers and types, FK cycles,
//! refusals, resume, and the leak check.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

mod support;

use std::collections::BTreeSet;

use confiture_core::Error;
use confiture_core::anonymize::AnonymizeError;
use confiture_core::config::ConnectionParams;
use confiture_core::db::{block_on, connect};
use confiture_core::sync::{Endpoint, Progress, RuleInput, SyncError, SyncOptions, SyncReport, run};
use confiture_core::testserver::{ServerOptions, TestServer};
use support::{client, params_for, unique_db};

const KEY: &str = "test-key-0123456789-abcdef";

fn vars(name: &str) -> Option<String> {
    match name {
        "CONFITURE_ANONYMIZATION_KEY" => Some(KEY.into()),
        "OTHER_KEY" => Some("another-key-0123456789-xyz".into()),
        _ => None,
    }
}

fn no_key(_: &str) -> Option<String> {
    None
}

/// A new database with `ddl` applied.
fn database(ddl: &str) -> String {
    let name = unique_db("sync");
    let admin = client("postgres");
    block_on(admin.batch(&format!("CREATE DATABASE {name}"), "create")).unwrap().unwrap();
    if !ddl.is_empty() {
        let c = client(&name);
        block_on(c.batch(ddl, "schema")).unwrap().unwrap();
    }
    name
}

fn exec(db: &str, sql: &str) {
    let c = client(db);
    block_on(c.batch(sql, "exec")).unwrap().unwrap();
}

/// Every row of a query, each as one text line.
fn dump(db: &str, sql: &str) -> Vec<String> {
    let c = client(db);
    let wrapped = format!("SELECT t::text FROM ({sql}) t");
    block_on(async {
        c.raw().query(wrapped.as_str(), &[]).await.unwrap().iter().map(|r| r.get::<_, String>(0)).collect()
    })
    .unwrap()
}

fn endpoint(params: ConnectionParams) -> Endpoint {
    Endpoint { label: params.to_redacted_url(), params, environment: None }
}

fn options(src: &str, dst: &str) -> SyncOptions {
    SyncOptions {
        source: Some(endpoint(params_for(src))),
        target: Some(endpoint(params_for(dst))),
        ..SyncOptions::default()
    }
}

fn sync_with(o: &SyncOptions, v: &(dyn Fn(&str) -> Option<String> + Sync)) -> Result<SyncReport, Error> {
    block_on(run(o, &Progress::new(), v)).unwrap()
}

fn sync(o: &SyncOptions) -> SyncReport {
    sync_with(o, &vars).unwrap_or_else(|e| panic!("sync failed: {e}"))
}

fn rule(spec: &str) -> RuleInput {
    RuleInput::parse(spec).unwrap()
}

const MIXED: &str = r#"
CREATE SCHEMA "My Schema";
CREATE SCHEMA app;
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    name text,
    tags text[],
    profile jsonb,
    avatar bytea,
    born date,
    seen timestamptz,
    score numeric(10, 3),
    email_domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED
);
CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    customer_email text,
    note text
);
CREATE TABLE "My Schema"."Odd ""Table"".x" (
    "Key" integer PRIMARY KEY,
    "Mixed Case" text,
    "tab	and ""quote""" text
);
CREATE TABLE tb_confiture (version text);
CREATE SEQUENCE app.free_counter;
"#;

const MIXED_DATA: &str = r#"
INSERT INTO users (email, name, tags, profile, avatar, born, seen, score) VALUES
  ('alice@example.com', 'Alice Smith', '{admin,"with space",NULL}', '{"a": [1, "x\ty"], "b": null}', '\x00ff10', '1990-05-17', '2024-01-02 03:04:05.678+02', 12.5),
  ('bob@example.com', NULL, '{}', NULL, NULL, NULL, NULL, NULL),
  ('carol@example.com', E'Carol\tO''Hara\nthe second', NULL, '[]', '\x', '2000-02-29', 'infinity', -1),
  ('dave@example.com', 'Dave \\ Backslash', '{"{curly}","back\\slash"}', '"just a string"', '\xdeadbeef', '1969-12-31', '1970-01-01 00:00:00+00', 0);
INSERT INTO app.orders (user_id, customer_email, note) SELECT id, email, 'order of ' || email FROM users;
INSERT INTO app.orders (user_id, customer_email, note) SELECT id, email, NULL FROM users WHERE name IS NOT NULL;
INSERT INTO "My Schema"."Odd ""Table"".x" VALUES (1, 'Ünïcödé ✓', E'x\\y'), (2, NULL, ''), (3, 'a,b{c}', NULL);
INSERT INTO tb_confiture VALUES ('001');
SELECT nextval('app.free_counter'), nextval('app.free_counter'), nextval('app.free_counter');
"#;

fn mixed_pair() -> (String, String) {
    let src = database(MIXED);
    exec(&src, MIXED_DATA);
    (src, database(MIXED))
}

const USERS: &str =
    "SELECT id, email, name, tags, profile, avatar, born, seen, score, email_domain FROM users ORDER BY id";
const ORDERS: &str = "SELECT * FROM app.orders ORDER BY id";
const ODD: &str = r#"SELECT * FROM "My Schema"."Odd ""Table"".x" ORDER BY 1"#;

#[test]
fn plain_copy_of_every_schema_type_and_odd_name() {
    let (src, dst) = mixed_pair();
    let report = sync(&options(&src, &dst));
    for q in [USERS, ORDERS, ODD] {
        assert_eq!(dump(&src, q), dump(&dst, q), "{q}");
    }
    let tables: Vec<&str> = report.tables.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(tables, vec![r#""My Schema"."Odd ""Table"".x""#, "app.orders", "users"]);
    assert!(report.tables.iter().all(|t| t.status == "synced"));
    assert_eq!(report.rows, 4 + 7 + 3);
    // Parents load before children.
    let pos = |n: &str| report.order.iter().position(|u| u.iter().any(|t| t == n)).unwrap();
    assert!(pos("users") < pos("app.orders"));
    // The migration tracking table is left alone.
    assert!(dump(&dst, "SELECT * FROM tb_confiture").is_empty());
    // Sequences follow the source: identity, serial and free-standing ones.
    let seqs = "SELECT last_value::text FROM users_id_seq UNION ALL SELECT last_value::text FROM app.orders_id_seq UNION ALL SELECT last_value::text FROM app.free_counter";
    assert_eq!(dump(&dst, seqs), vec!["(4)", "(7)", "(3)"]);
    exec(&dst, "INSERT INTO users (email) VALUES ('new@example.com')");
    assert_eq!(dump(&dst, "SELECT max(id) FROM users"), vec!["(5)"]);
    let names: BTreeSet<String> = report.sequences.iter().map(|s| s.sequence.clone()).collect();
    assert!(names.contains("app.free_counter") && names.contains("users_id_seq"), "{names:?}");
}

#[test]
fn refuses_non_empty_targets_without_truncate_and_truncates_with_it() {
    let (src, dst) = mixed_pair();
    sync(&options(&src, &dst));
    let err = sync_with(&options(&src, &dst), &vars).unwrap_err();
    match &err {
        Error::Sync(SyncError::TargetNotEmpty { tables, .. }) => {
            assert!(tables.contains(&"users".to_string()) && tables.contains(&"app.orders".to_string()));
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("--truncate"));
    let mut o = options(&src, &dst);
    o.truncate = true;
    sync(&o);
    assert_eq!(dump(&src, ORDERS), dump(&dst, ORDERS));
}

#[test]
fn selection_patterns_exclusions_and_unknown_patterns() {
    let (src, dst) = mixed_pair();
    let mut o = options(&src, &dst);
    o.include = vec!["user*, \"My Schema\".*".into()];
    o.exclude = vec!["*.\"Odd\"*".into()];
    let report = sync(&o);
    let tables: Vec<&str> = report.tables.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(tables, vec!["users"]);
    assert!(dump(&dst, ORDERS).is_empty());

    let mut o = options(&src, &dst);
    o.include = vec!["nosuch*".into()];
    let err = sync_with(&o, &vars).unwrap_err().to_string();
    assert!(err.contains("nosuch*") && err.contains("matches no table"), "{err}");
}

#[test]
fn anonymization_is_deterministic_across_tables_runs_and_keys() {
    let (src, dst) = mixed_pair();
    let mut o = options(&src, &dst);
    o.rules = vec![
        rule("users.email=email"),
        rule("app.orders.customer_email=email"),
        rule("users.name"),
        rule("users.tags=hash"),
    ];
    let report = sync(&o);
    let users = dump(&dst, "SELECT email FROM users ORDER BY id");
    let orders = dump(&dst, "SELECT DISTINCT customer_email FROM app.orders ORDER BY 1");
    assert!(users.iter().all(|e| e.starts_with("(user_") && e.ends_with("@example.com)")), "{users:?}");
    // The same address maps to the same output in both tables: joins survive.
    let joined = dump(
        &dst,
        "SELECT count(*) FROM app.orders o JOIN users u ON u.id = o.user_id WHERE u.email = o.customer_email",
    );
    assert_eq!(joined, vec!["(7)"]);
    assert_eq!(orders.len(), 4);
    // The generated column follows the anonymized email; arrays are anonymized element by element.
    assert_eq!(dump(&dst, "SELECT DISTINCT email_domain FROM users"), vec!["(example.com)"]);
    let tags = dump(&dst, "SELECT tags FROM users WHERE id = 1");
    assert!(tags[0].contains(",NULL}") && !tags[0].contains("admin"), "{tags:?}");
    // The name rule picked the `name` strategy from the column name.
    let u = report.tables.iter().find(|t| t.table == "users").unwrap();
    let kinds: Vec<(&str, &str)> = u.anonymized.iter().map(|c| (c.column.as_str(), c.kind.as_str())).collect();
    assert_eq!(kinds, vec![("email", "email"), ("name", "name"), ("tags", "hash")]);
    assert_eq!(u.verification.as_ref().unwrap().method, "primary key");
    // Not anonymized: untouched.
    assert_eq!(dump(&src, ODD), dump(&dst, ODD));

    // Another run into another database: the same outputs.
    let again = database(MIXED);
    let mut o2 = options(&src, &again);
    o2.rules = o.rules.clone();
    o2.jobs = 3;
    o2.batch_size = 1;
    sync(&o2);
    assert_eq!(dump(&dst, USERS), dump(&again, USERS));
    assert_eq!(dump(&dst, ORDERS), dump(&again, ORDERS));

    // Another key: other outputs.
    let other = database(MIXED);
    let mut o3 = options(&src, &other);
    o3.rules = o.rules.clone();
    o3.key_env_var = Some("OTHER_KEY".into());
    sync(&o3);
    assert_ne!(dump(&dst, "SELECT email FROM users ORDER BY id"), dump(&other, "SELECT email FROM users ORDER BY id"));
}

#[test]
fn refuses_to_anonymize_without_a_key() {
    let (src, dst) = mixed_pair();
    let mut o = options(&src, &dst);
    o.rules = vec![rule("users.email")];
    let err = sync_with(&o, &no_key).unwrap_err();
    assert!(matches!(err, Error::Anonymize(AnonymizeError::NoKey { .. })), "{err}");
    assert!(dump(&dst, USERS).is_empty(), "nothing copied");
    o.key_env_var = Some("MISSING_VAR".into());
    assert!(sync_with(&o, &vars).unwrap_err().to_string().contains("MISSING_VAR"));
}

#[test]
fn unknown_tables_columns_and_strategies_list_the_valid_ones() {
    let (src, dst) = mixed_pair();
    let mut o = options(&src, &dst);
    o.rules = vec![
        rule("nosuch.email"),
        rule("users.emial"),
        rule("users.email=emial"),
        rule("users.score"),
        rule("users.born=email"),
    ];
    let err = sync_with(&o, &vars).unwrap_err().to_string();
    for needle in [
        "table nosuch is not among the tables being synced",
        "\"My Schema\"",
        "column \"emial\" does not exist in users; its columns: id, email, name",
        "unknown strategy \"emial\"",
        "credit_card",
        "numeric(10,3) needs a strategy",
        "strategy `email` cannot anonymize a date column",
    ] {
        assert!(err.contains(needle), "{needle:?} in {err}");
    }
}

const STRATEGIES: &str = r#"
CREATE TABLE people (
    id integer PRIMARY KEY,
    email text, phone text, full_name text, secret text, salted text, redacted text,
    bio text, token text, masked text, born date, address text, address_json jsonb,
    card text, ip inet, ip_text text, kept text, dropped text, fixed text, fake_name text,
    nums integer
);
"#;

fn strategies_profile(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("profile.yaml");
    std::fs::write(
        &path,
        r#"
name: every-strategy
version: "1.0"
strategies:
  mail: {type: email, config: {hash_length: 10}}
  token: {type: tokenization, config: {token_prefix: "T_", token_length: 12}}
tables:
  people:
    rules:
      - {column: email, strategy: mail, unique: true}
      - {column: phone, strategy: phone, options: {format: "+1-555-###-####"}}
      - {column: full_name, strategy: name}
      - {column: secret, strategy: hash, options: {length: 20, prefix: "h:"}}
      - {column: salted, strategy: salted_hashing, options: {salt: "pepper", length: 16}}
      - {column: redacted, strategy: redact}
      - {column: bio, strategy: text_redaction, options: {patterns: [email, phone, credit_card, ip_address]}}
      - {column: token, strategy: token}
      - {column: masked, strategy: masking_retention, options: {preserve_end_chars: 4}}
      - {column: born, strategy: date, options: {jitter_days: 40}}
      - {column: address, strategy: address}
      - {column: address_json, strategy: address, options: {format: structured}}
      - {column: card, strategy: credit_card}
      - {column: ip, strategy: ip_address, options: {subnet_bits_ipv4: 16}}
      - {column: ip_text, strategy: ip_address}
      - {column: kept, strategy: preserve}
      - {column: dropped, strategy: "null"}
      - {column: fixed, strategy: constant, options: {value: "n/a"}}
      - {column: fake_name, strategy: faker, options: {kind: name}}
      - {column: nums, strategy: constant, options: {value: "7"}}
"#,
    )
    .unwrap();
    path
}

#[test]
fn every_strategy_through_a_profile() {
    let src = database(STRATEGIES);
    exec(
        &src,
        r#"INSERT INTO people SELECT i, 'user' || i || '@corp.example', '+1 (212) 555-' || lpad(i::text, 4, '0'),
             'Person ' || i, 's' || i, 'salt' || i, 'r' || i,
             'mail me at p' || i || '@x.org or call 212-555-0' || lpad(i::text, 3, '0') || ' from 10.0.0.' || i,
             'tok' || i, '4111-1111-1111-' || lpad(i::text, 4, '0'), date '1990-01-01' + i * 30,
             i || ' Main St, Springfield, IL 62701, USA', jsonb_build_object('street', i || ' Elm St', 'city', 'Paris', 'zip', '75001'),
             CASE WHEN i % 2 = 0 THEN '4111 1111 1111 1111' ELSE '5500-0000-0000-0004' END,
             ('192.168.' || i || '.' || i)::inet, '10.1.2.' || i, 'keep' || i, 'drop' || i, 'x' || i, 'Real Name ' || i, i
           FROM generate_series(1, 50) i"#,
    );
    let dst = database(STRATEGIES);
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&src, &dst);
    o.profile = Some(strategies_profile(dir.path()));
    o.batch_size = 7;
    let report = sync(&o);
    let row = |col: &str| dump(&dst, &format!("SELECT {col} FROM people ORDER BY id"));
    let original = |col: &str| dump(&src, &format!("SELECT {col} FROM people ORDER BY id"));
    let emails = row("email");
    assert!(
        emails.iter().all(|e| e.starts_with("(user_") && e.len() == "(user_0123456789@example.com)".len()),
        "{emails:?}"
    );
    assert_eq!(emails.iter().collect::<BTreeSet<_>>().len(), 50);
    assert!(row("phone").iter().all(|p| p.starts_with("(+1-555-") && p.len() == 17));
    assert!(row("full_name").iter().all(|n| n.split(' ').count() == 2 && !n.contains("Person")));
    assert!(row("secret").iter().all(|h| h.starts_with("(h:") && h.len() == 2 + 2 + 20));
    assert!(row("salted").iter().all(|h| h.len() == 18));
    assert!(row("redacted").iter().all(|r| r == "([REDACTED])"));
    let bio = row("bio");
    assert_eq!(bio[0], "(\"mail me at [REDACTED] or call [REDACTED] from [REDACTED]\")");
    assert!(row("token").iter().all(|t| t.starts_with("(T_") && t.len() == 2 + 2 + 12));
    assert!(
        row("masked")
            .iter()
            .zip(original("masked"))
            .all(|(m, o)| m.starts_with("(****-****-****-") && m[m.len() - 5..] == o[o.len() - 5..])
    );
    for (new, old) in row("born").iter().zip(original("born")) {
        assert_ne!(new, &old);
        assert_eq!(&new[..5], &old[..5], "year kept");
    }
    assert!(
        row("address")
            .iter()
            .all(|a| a.contains(", Springfield, ") && a.ends_with(", USA\")") && !a.contains("Main St"))
    );
    assert!(
        row("address_json").iter().all(|a| a.contains("\"\"city\"\": \"\"Paris\"\"") && !a.contains("Elm St")),
        "{:?}",
        row("address_json")
    );
    for card in row("card") {
        let card = card.trim_matches(|c| c == '(' || c == ')' || c == '"');
        let digits: Vec<u32> = card.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| if i % 2 == 1 { (d * 2) % 9 + u32::from(*d == 9) * 9 } else { *d })
            .sum();
        assert_eq!(sum % 10, 0, "Luhn-valid: {card}");
        assert!(card.ends_with("1111") || card.ends_with("0004"), "last four kept: {card}");
    }
    assert!(row("ip").iter().all(|ip| ip.starts_with("(192.168.")));
    assert!(row("ip_text").iter().all(|ip| ip.starts_with("(10.")));
    assert_eq!(row("kept"), original("kept"));
    assert!(row("dropped").iter().all(|d| d == "()"));
    assert!(row("fixed").iter().all(|d| d == "(n/a)"));
    assert!(row("nums").iter().all(|d| d == "(7)"));
    assert!(row("fake_name").iter().all(|n| !n.contains("Real Name")));
    let people = &report.tables[0];
    assert_eq!(people.anonymized.len(), 20);
    assert_eq!(people.anonymized[0].strategy, "mail");
    assert_eq!(people.verification.as_ref().unwrap().sampled, 50);
}

#[test]
fn unique_columns_resolve_collisions_consistently_and_give_up_when_impossible() {
    // refs.code references t.code: a value re-drawn in t must be re-drawn the same way in refs,
    // or loading refs breaks the foreign key.
    let ddl = "CREATE TABLE t (id integer PRIMARY KEY, code text UNIQUE);
               CREATE TABLE refs (id integer PRIMARY KEY, code text REFERENCES t (code));";
    let src = database(ddl);
    exec(
        &src,
        "INSERT INTO t SELECT i, 'code-' || i FROM generate_series(1, 2000) i;
                INSERT INTO refs SELECT i, 'code-' || (i % 2000 + 1) FROM generate_series(1, 3000) i;",
    );
    let dst = database(ddl);
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("cp.json");
    let mut o = options(&src, &dst);
    // Three hex digits: 4,096 outputs for 2,000 values collide often. `unique` comes from the
    // target's UNIQUE constraint.
    let mut r = rule("t.code=hash");
    r.config.insert("length".into(), serde_json::json!(3));
    let mut r2 = rule("refs.code=hash");
    r2.config.insert("length".into(), serde_json::json!(3));
    o.rules = vec![r.clone(), r2.clone()];
    o.batch_size = 100;
    o.checkpoint = Some(cp.clone());
    let report = sync(&o);
    assert_eq!(dump(&dst, "SELECT count(DISTINCT code) FROM t"), vec!["(2000)"]);
    let t = report.tables.iter().find(|t| t.table == "t").unwrap();
    assert!(t.anonymized[0].unique && t.anonymized[0].collisions > 0);
    assert_eq!(dump(&dst, "SELECT count(*) FROM refs JOIN t USING (code)"), vec!["(3000)"]);

    // Resumed after refs was lost: the re-draws come back from the checkpoint.
    let mut saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cp).unwrap()).unwrap();
    assert!(!saved["redraws"]["hash"].as_object().unwrap().is_empty());
    saved["completed_tables"].as_object_mut().unwrap().remove("refs");
    std::fs::write(&cp, saved.to_string()).unwrap();
    exec(&dst, "TRUNCATE refs");
    o.resume = true;
    sync(&o);
    assert_eq!(dump(&dst, "SELECT count(*) FROM refs JOIN t USING (code)"), vec!["(3000)"]);

    // Two hex digits: 256 outputs for 2,000 values cannot be unique.
    let dst2 = database(ddl);
    let mut o2 = options(&src, &dst2);
    r.config.insert("length".into(), serde_json::json!(2));
    o2.rules = vec![r];
    let err = sync_with(&o2, &vars).unwrap_err().to_string();
    assert!(err.contains("no unique value found"), "{err}");
    assert!(dump(&dst2, "SELECT * FROM t").is_empty(), "rolled back");
}

const CYCLE: &str = "
CREATE TABLE a (id int PRIMARY KEY, b_id int);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b;
CREATE TABLE c (id int PRIMARY KEY, parent int REFERENCES c, b_id int REFERENCES b);
";

fn cycle_data(db: &str) {
    exec(
        db,
        "BEGIN; SET session_replication_role = replica;
         INSERT INTO a SELECT i, i FROM generate_series(1, 100) i;
         INSERT INTO b SELECT i, 101 - i FROM generate_series(1, 100) i;
         INSERT INTO c SELECT i, CASE WHEN i > 1 THEN i - 1 END, i FROM generate_series(1, 100) i;
         COMMIT;",
    );
}

#[test]
fn foreign_key_cycles_load_with_triggers_off_or_deferred() {
    let src = database(CYCLE);
    cycle_data(&src);
    // Not deferrable, superuser: triggers off for the cycle, then the keys are checked.
    let dst = database(CYCLE);
    let report = sync(&options(&src, &dst));
    assert_eq!(report.order[0], vec!["a", "b"]);
    assert_eq!(report.order[1], vec!["c"]);
    assert_eq!(dump(&src, "SELECT * FROM a ORDER BY id"), dump(&dst, "SELECT * FROM a ORDER BY id"));
    assert_eq!(dump(&src, "SELECT * FROM c ORDER BY id"), dump(&dst, "SELECT * FROM c ORDER BY id"));

    // Deferrable: checked at commit.
    let deferrable =
        CYCLE.replace("REFERENCES a", "REFERENCES a DEFERRABLE").replace("REFERENCES b;", "REFERENCES b DEFERRABLE;");
    let dst = database(&deferrable);
    sync(&options(&src, &dst));
    assert_eq!(dump(&src, "SELECT * FROM b ORDER BY id"), dump(&dst, "SELECT * FROM b ORDER BY id"));

    // Neither deferrable nor a superuser: a clear refusal before anything is copied.
    let role = unique_db("syncer");
    let dst = database(CYCLE);
    exec(
        &dst,
        &format!(
            "CREATE ROLE {role} LOGIN; GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}; \
             GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"
        ),
    );
    let mut o = options(&src, &dst);
    let mut params = params_for(&dst);
    params.user = Some(role.clone());
    o.target = Some(endpoint(params));
    let err = sync_with(&o, &vars).unwrap_err().to_string();
    assert!(err.contains("tables a, b reference each other") && err.contains("a_b") && err.contains(&role), "{err}");
    assert!(dump(&dst, "SELECT * FROM c").is_empty());
}

#[test]
fn a_broken_cycle_is_caught_before_commit() {
    let src = database(CYCLE);
    cycle_data(&src);
    exec(&src, "BEGIN; SET session_replication_role = replica; UPDATE a SET b_id = 999 WHERE id = 1; COMMIT;");
    let dst = database(CYCLE);
    let err = sync_with(&options(&src, &dst), &vars).unwrap_err().to_string();
    assert!(err.contains("foreign key a_b is violated"), "{err}");
    assert!(dump(&dst, "SELECT * FROM a").is_empty());
}

#[test]
fn the_leak_check_fails_and_rolls_back() {
    let ddl = "CREATE TABLE u (id int PRIMARY KEY, email text, backup text);";
    let src = database(ddl);
    exec(&src, "INSERT INTO u SELECT i, 'p' || i || '@x.org', 'p' || i || '@x.org' FROM generate_series(1, 30) i");
    // A target trigger that copies another (unanonymized) column back: personal data leaks.
    let dst = database(ddl);
    exec(
        &dst,
        "CREATE FUNCTION restore() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email := NEW.backup; RETURN NEW; END $$;
         CREATE TRIGGER restore BEFORE INSERT ON u FOR EACH ROW EXECUTE FUNCTION restore();",
    );
    let mut o = options(&src, &dst);
    o.rules = vec![rule("u.email=email")];
    let err = sync_with(&o, &vars).unwrap_err();
    assert!(matches!(&err, Error::Sync(SyncError::Leak { column, .. }) if column == "email"), "{err}");
    assert!(dump(&dst, "SELECT * FROM u").is_empty(), "nothing committed");

    // Without a primary key, sampled originals are searched for.
    let ddl2 = "CREATE TABLE v (email text, backup text);";
    let src2 = database(ddl2);
    exec(&src2, "INSERT INTO v SELECT 'p' || i || '@x.org', 'p' || i || '@x.org' FROM generate_series(1, 30) i");
    let dst2 = database(ddl2);
    exec(
        &dst2,
        "CREATE FUNCTION restore() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email := NEW.backup; RETURN NEW; END $$;
         CREATE TRIGGER restore BEFORE INSERT ON v FOR EACH ROW EXECUTE FUNCTION restore();",
    );
    let mut o2 = options(&src2, &dst2);
    o2.rules = vec![rule("v.email=hash")];
    assert!(matches!(sync_with(&o2, &vars), Err(Error::Sync(SyncError::Leak { .. }))));
    exec(&dst2, "DROP TRIGGER restore ON v");
    let report = sync(&o2);
    assert_eq!(report.tables[0].verification.as_ref().unwrap().method, "value search");
}

#[test]
fn checkpoint_resume_skips_completed_tables() {
    let (src, dst) = mixed_pair();
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("sync.json");
    let mut o = options(&src, &dst);
    o.checkpoint = Some(cp.clone());
    sync(&o);
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cp).unwrap()).unwrap();
    assert_eq!(saved["version"], "1.0");
    assert_eq!(saved["completed_tables"]["users"]["rows_synced"], 4);
    // Pretend the run stopped before app.orders was committed.
    exec(&dst, "TRUNCATE app.orders");
    let mut edited = saved.clone();
    edited["completed_tables"].as_object_mut().unwrap().remove("app.orders");
    std::fs::write(&cp, edited.to_string()).unwrap();
    o.resume = true;
    let report = sync(&o);
    let status: Vec<(&str, &str)> = report.tables.iter().map(|t| (t.table.as_str(), t.status.as_str())).collect();
    assert_eq!(
        status,
        vec![(r#""My Schema"."Odd ""Table"".x""#, "skipped"), ("app.orders", "synced"), ("users", "skipped")]
    );
    assert_eq!(dump(&src, ORDERS), dump(&dst, ORDERS));
    // Different rules: the checkpoint is refused.
    o.rules = vec![rule("users.email")];
    let err = sync_with(&o, &vars).unwrap_err().to_string();
    assert!(err.contains("different sync") && err.contains("anonymization"), "{err}");
}

#[test]
fn schema_only_check_copies_nothing_and_reports_mismatches() {
    let (src, _) = mixed_pair();
    let dst = database(&MIXED.replace("    note text\n", "    note text,\n    extra int NOT NULL\n"));
    let mut o = options(&src, &dst);
    o.schema_only_check = true;
    let err = sync_with(&o, &vars).unwrap_err().to_string();
    assert!(err.contains("app.orders.extra: NOT NULL without a default"), "{err}");
    let dst = database(MIXED);
    let mut o = options(&src, &dst);
    o.schema_only_check = true;
    let report = sync(&o);
    assert!(report.check_only && report.tables.iter().all(|t| t.status == "planned"));
    assert!(dump(&dst, USERS).is_empty());
}

#[test]
fn same_database_is_refused() {
    let (src, _) = mixed_pair();
    let err = sync_with(&options(&src, &src), &vars).unwrap_err();
    assert!(matches!(err, Error::Sync(SyncError::SameDatabase { .. })), "{err}");
}

#[test]
fn between_two_servers() {
    let other = TestServer::start_throwaway(&ServerOptions::default()).unwrap();
    let (src, _) = mixed_pair();
    let admin = block_on(connect(other.params())).unwrap().unwrap();
    block_on(admin.batch("CREATE DATABASE remote", "create")).unwrap().unwrap();
    let remote = other.params().with_dbname("remote");
    let c = block_on(connect(&remote)).unwrap().unwrap();
    block_on(c.batch(MIXED, "schema")).unwrap().unwrap();
    let mut o = options(&src, &src);
    o.target = Some(endpoint(remote.clone()));
    o.rules = vec![rule("users.email")];
    o.jobs = 2;
    let report = sync(&o);
    assert_eq!(report.rows, 14);
    let rows =
        block_on(async { c.raw().query("SELECT count(*) FROM app.orders", &[]).await.unwrap()[0].get::<_, i64>(0) })
            .unwrap();
    assert_eq!(rows, 7);
}

#[test]
fn rows_dropped_by_the_target_fail_the_count_check() {
    let ddl = "CREATE TABLE n (id int PRIMARY KEY);";
    let src = database(ddl);
    exec(&src, "INSERT INTO n SELECT generate_series(1, 100)");
    let dst = database(ddl);
    exec(
        &dst,
        "CREATE FUNCTION skip_odd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id % 2 = 1 THEN RETURN NULL; END IF; RETURN NEW; END $$;
         CREATE TRIGGER skip_odd BEFORE INSERT ON n FOR EACH ROW EXECUTE FUNCTION skip_odd();",
    );
    let err = sync_with(&options(&src, &dst), &vars).unwrap_err().to_string();
    assert!(err.contains("n: row count mismatch: read 100 rows from the source, the target holds 50"), "{err}");
    assert!(dump(&dst, "SELECT * FROM n").is_empty(), "rolled back");
}
