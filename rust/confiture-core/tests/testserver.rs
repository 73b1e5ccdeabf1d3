//! The throw-away PostgreSQL helper itself.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

mod support;

use confiture_core::db::{block_on, connect};
use confiture_core::testserver::{ServerOptions, TestServer};

#[test]
fn a_throwaway_cluster_runs_with_fast_settings_and_disappears() {
    let mut server = TestServer::start_throwaway(&ServerOptions::default()).unwrap();
    assert!(!server.is_external());
    let dir = server.directory().unwrap().to_path_buf();
    assert!(dir.join("data/PG_VERSION").is_file());
    let client = block_on(connect(server.params())).unwrap().unwrap();
    let fsync: String = block_on(async { client.raw().query_one("SHOW fsync", &[]).await.unwrap().get(0) }).unwrap();
    assert_eq!(fsync, "off");
    let socket_dir: String =
        block_on(async { client.raw().query_one("SHOW unix_socket_directories", &[]).await.unwrap().get(0) }).unwrap();
    assert_eq!(socket_dir, dir.to_string_lossy());
    block_on(client.close()).unwrap();

    server.stop().unwrap();
    assert!(!dir.exists(), "the cluster directory is removed");
    // Stopping twice is harmless.
    server.stop().unwrap();
}

#[test]
fn dropping_a_server_removes_it() {
    let server = TestServer::start_throwaway(&ServerOptions::default()).unwrap();
    let dir = server.directory().unwrap().to_path_buf();
    let pid: i32 =
        std::fs::read_to_string(dir.join("data/postmaster.pid")).unwrap().lines().next().unwrap().parse().unwrap();
    drop(server);
    assert!(!dir.exists());
    assert!(nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err(), "the postmaster is gone");
}

#[test]
fn stale_directories_of_dead_processes_are_swept() {
    let root = std::env::temp_dir();
    let stale = root.join(format!("confiture-pg-stale-test-{}", std::process::id()));
    std::fs::create_dir_all(stale.join("data")).unwrap();
    // A pid that cannot be alive: beyond pid_max.
    std::fs::write(stale.join("confiture-owner"), "2147483646").unwrap();
    let live = root.join(format!("confiture-pg-live-test-{}", std::process::id()));
    std::fs::create_dir_all(&live).unwrap();
    std::fs::write(live.join("confiture-owner"), std::process::id().to_string()).unwrap();

    let server = TestServer::start_throwaway(&ServerOptions::default()).unwrap();
    assert!(!stale.exists(), "the dead process's directory was removed");
    assert!(live.exists(), "a live owner's directory is kept");
    std::fs::remove_dir_all(&live).unwrap();
    drop(server);
}

#[test]
fn urls_point_at_the_server() {
    let server = support::server();
    let url = server.url_for("some_db");
    assert!(url.starts_with("postgresql://"), "{url}");
    assert!(url.contains("/some_db"), "{url}");
}
