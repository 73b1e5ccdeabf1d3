//! Connections: libpq-style parameters and TLS modes against a real server.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

mod support;

use confiture_core::config::ConnectionParams;
use confiture_core::db::{DbError, block_on, connect};
use confiture_core::testserver::{ServerOptions, TestServer};

struct Tls {
    _dir: tempfile::TempDir,
    server: TestServer,
    /// Certificate the server presents (its only name: db.example).
    server_cert: String,
    /// An unrelated certificate.
    other_cert: String,
}

fn tls_server() -> Tls {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["db.example".to_string()]).unwrap();
    let other = rcgen::generate_simple_self_signed(vec!["other.example".to_string()]).unwrap();
    let write = |name: &str, text: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cert_path = write("server.crt", cert.cert.pem());
    let key_path = write("server.key", cert.signing_key.serialize_pem());
    let other_path = write("other.crt", other.cert.pem());
    let server =
        TestServer::start_throwaway(&ServerOptions { tls: Some((cert_path.clone(), key_path)), ..Default::default() })
            .unwrap();
    Tls {
        server,
        server_cert: cert_path.to_string_lossy().into_owned(),
        other_cert: other_path.to_string_lossy().into_owned(),
        _dir: dir,
    }
}

fn uses_tls(params: &ConnectionParams) -> Result<bool, DbError> {
    block_on(async {
        let client = connect(params).await?;
        let row =
            client.raw().query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await.unwrap();
        Ok(row.get(0))
    })
    .unwrap()
}

fn with(base: &ConnectionParams, extra: &str) -> ConnectionParams {
    let url = format!("{}{}", base.to_url(), extra);
    ConnectionParams::parse(&url).unwrap()
}

#[test]
fn sslmodes_follow_libpq() {
    let t = tls_server();
    let base = t.server.params();
    assert!(!uses_tls(&with(base, "?sslmode=disable")).unwrap());
    assert!(uses_tls(&with(base, "?sslmode=prefer")).unwrap());
    assert!(uses_tls(&with(base, "?sslmode=require")).unwrap(), "require encrypts without checking the certificate");
    // verify-ca checks the chain but not the name (the certificate says db.example, we dial 127.0.0.1).
    assert!(uses_tls(&with(base, &format!("?sslmode=verify-ca&sslrootcert={}", t.server_cert))).unwrap());
    let err = uses_tls(&with(base, &format!("?sslmode=verify-full&sslrootcert={}", t.server_cert))).unwrap_err();
    assert!(matches!(err, DbError::Connect { .. }), "{err}");
    let err = uses_tls(&with(base, &format!("?sslmode=verify-ca&sslrootcert={}", t.other_cert))).unwrap_err();
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
    // require with a root certificate verifies it, as libpq does.
    assert!(uses_tls(&with(base, &format!("?sslmode=require&sslrootcert={}", t.other_cert))).is_err());
    let err = uses_tls(&with(base, "?sslmode=verify-full&sslrootcert=/nonexistent.crt")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent.crt"), "{err}");
}

#[test]
fn prefer_falls_back_to_plaintext() {
    let server = support::server();
    if server.is_external() {
        return; // an existing server may well have TLS on
    }
    assert!(!uses_tls(&with(server.params(), "?sslmode=prefer")).unwrap());
}

#[test]
fn connection_errors_are_clear_and_never_show_passwords() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let params = ConnectionParams::parse(&format!("postgresql://app:s3cret@127.0.0.1:{port}/app")).unwrap();
    let err = block_on(connect(&params)).unwrap().err().expect("nothing listens there");
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}/app")) && text.contains("is PostgreSQL running"), "{text}");
    assert!(!text.contains("s3cret"));

    let missing = support::server().params().with_dbname("no_such_database_here");
    let err = block_on(connect(&missing)).unwrap().err().expect("database is missing");
    assert_eq!(err.code(), Some("3D000"));
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[test]
fn socket_directories_work_as_hosts() {
    let server = support::server();
    let Some(dir) = server.directory() else {
        return;
    };
    let url = format!(
        "postgresql:///postgres?host={}&port={}&user=postgres",
        dir.to_string_lossy(),
        server.params().ports[0]
    );
    let client = block_on(connect(&ConnectionParams::parse(&url).unwrap())).unwrap().unwrap();
    let db: String =
        block_on(async { client.raw().query_one("SELECT current_database()::text", &[]).await.unwrap().get(0) })
            .unwrap();
    assert_eq!(db, "postgres");
}
