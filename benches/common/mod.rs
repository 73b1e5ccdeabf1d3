//! Synthetic projects for benchmarks (and the tests that check them): `n` table files, realistic
//! in size (columns, constraints, an index, comments), spread over subdirectories.

#![allow(dead_code, reason = "shared between the bench and a test; each uses part of it")]

use std::path::Path;

/// Writes a project with `tables` table files (plus one schema file) under `root`.
pub fn generate_project(root: &Path, tables: usize) {
    let schema = root.join("db/schema");
    std::fs::create_dir_all(schema.join("00_common")).expect("create schema dir");
    std::fs::write(schema.join("00_common/00_schema.sql"), "CREATE SCHEMA app;\n").expect("write schema");
    for i in 0..tables {
        let dir = schema.join(format!("10_tables/{:03}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&dir).expect("create table dir");
        }
        std::fs::write(dir.join(format!("t_{i:05}.sql")), table_ddl(i)).expect("write table");
    }
    std::fs::create_dir_all(root.join("db/environments")).expect("create env dir");
    std::fs::write(
        root.join("db/environments/local.yaml"),
        "database_url: postgresql://localhost/bench\ninclude_dirs: [db/schema]\n",
    )
    .expect("write env");
}

/// The DDL of table `i`: it references table `i - 1`, so files must be applied in order.
pub fn table_ddl(i: usize) -> String {
    let fk = if i == 0 { String::new() } else { format!(",\n    parent_id bigint REFERENCES app.t_{:05} (id)", i - 1) };
    format!(
        "-- Table {i}: generated for benchmarks.\n\
         CREATE TABLE app.t_{i:05} (\n\
         \x20   id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n\
         \x20   tenant_id uuid NOT NULL,\n\
         \x20   name text NOT NULL,\n\
         \x20   email text,\n\
         \x20   status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),\n\
         \x20   payload jsonb NOT NULL DEFAULT '{{}}'::jsonb,\n\
         \x20   created_at timestamptz NOT NULL DEFAULT now(),\n\
         \x20   updated_at timestamptz{fk}\n\
         );\n\
         CREATE INDEX t_{i:05}_tenant_idx ON app.t_{i:05} (tenant_id, created_at);\n\
         COMMENT ON TABLE app.t_{i:05} IS 'Benchmark table {i}';\n"
    )
}

/// A whole schema as one DDL text for the diff benches: `tables` tables as in [`table_ddl`]
/// (a table, its primary key, a secondary index and an identity sequence: four relations each),
/// a view over every second table, and a SQL function for every fourth. With `variant`, a
/// changed copy: every tenth table gains a column, every twentieth view and function change.
pub fn schema_sql(tables: usize, variant: bool) -> String {
    let mut out = String::with_capacity(tables * 900);
    out.push_str("CREATE SCHEMA app;\n");
    for i in 0..tables {
        let mut ddl = table_ddl(i);
        if variant && i % 10 == 0 {
            ddl = ddl.replacen(
                "    updated_at timestamptz",
                "    updated_at timestamptz,\n    archived_at timestamptz",
                1,
            );
        }
        out.push_str(&ddl);
        if i % 2 == 1 {
            let filter = if variant && i % 20 == 1 { "archived" } else { "active" };
            out.push_str(&format!(
                "CREATE VIEW app.v_{i:05} AS SELECT id, name, email FROM app.t_{i:05} WHERE status = '{filter}';\n"
            ));
        }
        if i % 4 == 3 {
            let factor = if variant && i % 20 == 3 { 3 } else { 2 };
            out.push_str(&format!(
                "CREATE FUNCTION app.count_{i:05}(p_tenant uuid) RETURNS bigint LANGUAGE sql STABLE AS \
                 $$ SELECT count(*) * {factor} FROM app.t_{i:05} WHERE tenant_id = p_tenant $$;\n"
            ));
        }
    }
    out
}
