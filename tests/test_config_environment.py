"""Environment files and connection URLs through the Python API."""

from __future__ import annotations

from pathlib import Path

import pytest

from confiture.config.environment import (
    DatabaseConfig,
    DirectoryConfig,
    Environment,
    LockingConfig,
    PgGitConfig,
)
from confiture.exceptions import ConfigurationError, ConfigurationWarning


def write_env(root: Path, text: str, name: str = "local") -> Path:
    (root / "db" / "environments").mkdir(parents=True, exist_ok=True)
    (root / "db" / "schema").mkdir(parents=True, exist_ok=True)
    path = root / "db" / "environments" / f"{name}.yaml"
    path.write_text(text)
    return path


def test_every_reference_key_with_its_default(tmp_path: Path) -> None:
    write_env(tmp_path, "database_url: postgresql://localhost/app\ninclude_dirs: [db/schema]\n")
    env = Environment.load("local", project_dir=tmp_path)
    assert env.name == "local"
    assert env.database_url == "postgresql://localhost/app"
    assert env.include_dirs == [str(tmp_path / "db" / "schema")]
    assert env.exclude_dirs == []
    assert env.migration_table == "tb_confiture"
    assert env.auto_backup is True and env.require_confirmation is True
    assert env.build.sort_mode == "alphabetical"
    assert env.migration.strict_mode is False
    assert env.migration.locking == LockingConfig(enabled=True, timeout_ms=30000)
    assert env.pggit == PgGitConfig()
    assert env.database.host == "localhost" and env.database.database == "app"


def test_interpolation_and_database_mapping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_DB_HOST", "db.internal")
    monkeypatch.delenv("APP_DB_PORT", raising=False)
    write_env(
        tmp_path,
        "database:\n  host: ${APP_DB_HOST}\n  port: ${APP_DB_PORT:-6543}\n  database: shop\n  user: app\n"
        "  password: p@ss:word\ninclude_dirs:\n  - path: db/schema\n    order: 2\n    seed: false\n",
    )
    env = Environment.load("local", project_dir=tmp_path)
    db = env.database
    assert (db.host, db.port, db.database, db.user, db.password) == (
        "db.internal",
        6543,
        "shop",
        "app",
        "p@ss:word",
    )
    assert isinstance(env.include_dirs[0], DirectoryConfig)
    assert env.include_dirs[0].order == 2 and env.include_dirs[0].seed is False


def test_unknown_keys_warn_naming_the_key(tmp_path: Path) -> None:
    write_env(tmp_path, "database_url: postgresql://h/d\ninclude_dirs: [db/schema]\nmigration_tabel: x\n")
    with pytest.warns(
        ConfigurationWarning,
        match=r"key `migration_tabel`: unknown key, ignored; did you mean `migration_table`",
    ):
        Environment.load("local", project_dir=tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("database_url: [\n", r"invalid YAML in .*local\.yaml at line 2, column 1"),
        (
            "database_url: ${NOT_SET_ANYWHERE_42}\n",
            r"key `database_url`: environment variable NOT_SET_ANYWHERE_42 is not set",
        ),
        (
            "include_dirs: [db/missing]\n",
            r"key `include_dirs\[0\]`: include directory does not exist: .*db/missing",
        ),
        ("database:\n  port: eighty\n", r"key `database\.port`: expected an integer, got \"eighty\""),
        ("build:\n  sort_mode: random\n", r"key `build\.sort_mode`: unknown sort mode \"random\""),
        ("migration:\n  strict_mode: maybe\n", r"key `migration\.strict_mode`: expected true or false"),
        ("- just\n- a list\n", r"the top level must be a mapping"),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    write_env(tmp_path, text)
    with pytest.raises(ConfigurationError, match=expected):
        Environment.load("local", project_dir=tmp_path)


def test_missing_environment_lists_the_existing_ones(tmp_path: Path) -> None:
    write_env(tmp_path, "include_dirs: [db/schema]\n", "local")
    write_env(tmp_path, "include_dirs: [db/schema]\n", "test")
    with pytest.raises(ConfigurationError, match=r"prod\.yaml(.|\n)*available environments: local, test"):
        Environment.load("prod", project_dir=tmp_path)


def test_no_database_is_an_error_only_when_used(tmp_path: Path) -> None:
    write_env(tmp_path, "include_dirs: [db/schema]\n")
    env = Environment.load("local", project_dir=tmp_path)
    assert env.database_url is None
    with pytest.raises(ConfigurationError, match="no database configured"):
        _ = env.database


@pytest.mark.parametrize(
    ("url", "host", "port", "database", "user", "password"),
    [
        (
            "postgresql://app:s%40cret@db.example.com:6543/shop",
            "db.example.com",
            6543,
            "shop",
            "app",
            "s@cret",
        ),
        ("postgres://alice@localhost/app", "localhost", 5432, "app", "alice", ""),
        (
            "postgresql:///app?host=/var/run/postgresql&port=5433&user=bob",
            "/var/run/postgresql",
            5433,
            "app",
            "bob",
            "",
        ),
        ("postgresql://%2Ftmp%2Fsock:5434/app?user=carol", "/tmp/sock", 5434, "app", "carol", ""),
        ("host=db port=6000 dbname=x user=u password=p", "db", 6000, "x", "u", "p"),
    ],
)
def test_from_url_understands_libpq_forms(
    url: str, host: str, port: int, database: str, user: str, password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGPASSFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", "/nonexistent")
    db = DatabaseConfig.from_url(url)
    assert (db.host, db.port, db.database, db.user, db.password) == (host, port, database, user, password)


def test_socket_url_without_host_uses_a_socket_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGHOST", raising=False)
    db = DatabaseConfig.from_url("postgresql:///app")
    assert db.host.startswith("/") and db.database == "app"


def test_sslmode_round_trip_and_redaction() -> None:
    db = DatabaseConfig.from_url("postgresql://app:hunter2@h:5433/d?sslmode=verify-full&application_name=x")
    assert db.sslmode == "verify-full" and db.options == {"application_name": "x"}
    assert "hunter2" not in repr(db)
    again = DatabaseConfig.from_url(db.to_url())
    assert again == db
    assert db.to_dict() == {
        "database": {"host": "h", "port": 5433, "database": "d", "user": "app", "password": "hunter2"}
    }
    with pytest.raises(ConfigurationError, match="invalid sslmode"):
        DatabaseConfig.from_url("postgresql://h/d?sslmode=sometimes")
