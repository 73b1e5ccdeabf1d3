"""The package itself: version, lazy attributes, exception hierarchy, the binding's types."""

from __future__ import annotations

import subprocess
import sys

import pytest

import confiture
from confiture import _core, exceptions


def test_version_is_the_engines_and_the_clis() -> None:
    assert confiture.__version__ == _core.__version__
    assert confiture.__version__.count(".") == 2
    out = subprocess.run(
        [sys.executable, "-m", "confiture.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout == f"confiture version {confiture.__version__}\n"


def test_lazy_top_level_names() -> None:
    from confiture.config.environment import Environment
    from confiture.core.builder import SchemaBuilder

    assert confiture.SchemaBuilder is SchemaBuilder
    assert confiture.Environment is Environment
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = confiture.Nope  # type: ignore[attr-defined]


def test_exception_hierarchy_matches_fraiseql_confiture() -> None:
    for name in [
        "ConfigurationError",
        "MigrationError",
        "SchemaError",
        "SyncError",
        "DifferError",
        "ValidationError",
        "RollbackError",
        "SQLError",
        "DatabaseError",
        "TemporaryServerError",
    ]:
        assert issubclass(getattr(exceptions, name), exceptions.ConfiturError), name
    assert issubclass(exceptions.SchemaApplyError, exceptions.SchemaError)
    assert issubclass(exceptions.DatabaseConnectionError, exceptions.DatabaseError)
    e = exceptions.MigrationError("boom", version="001", migration_name="init")
    assert (str(e), e.version, e.migration_name) == ("boom", "001", "init")
    sql = exceptions.SQLError("SELECT " + "x" * 200, None, ValueError("bad"))
    assert str(sql).startswith("SQL execution failed | SQL: SELECT xxx")
    assert "[...]" in str(sql) and str(sql).endswith("Error: bad")


def test_engine_errors_arrive_as_confiture_exceptions(tmp_path) -> None:
    with pytest.raises(exceptions.ConfigurationError, match="environment config not found"):
        _core.load_environment("nope", str(tmp_path))
    with pytest.raises(exceptions.ConfigurationError, match="invalid database URL"):
        _core.parse_database_url("mysql://x")
    with pytest.raises(TypeError, match="invalid environment"):
        _core.find_sql_files({"name": 1})
